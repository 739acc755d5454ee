//! The content database: the installed release of guidance, topics, synonyms and helplines.
//!
//! It holds only published content. Installing replaces all of it in one transaction, so a
//! reader sees either the old release or the new one, never a mixture; user data lives in a
//! separate database ([`crate::userdata`]) that installs never open.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use safeguarding_content::{Area, BankHoliday, Content, Directory, Helpline, Page, Synonyms, Topic};

use crate::error::{Error, Result};
use crate::migrate::migrate;
use crate::progress::{Stage, Work};

const MIGRATIONS: &[&str] = &[
    // 1: guidance
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE topics (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, doc TEXT NOT NULL);
     CREATE TABLE pages (
         id TEXT PRIMARY KEY,
         topic TEXT NOT NULL,
         title TEXT NOT NULL,
         keywords TEXT NOT NULL,
         doc TEXT NOT NULL
     );
     CREATE INDEX pages_topic ON pages (topic);
     CREATE TABLE helplines (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, doc TEXT NOT NULL);",
    // 2: contacts directories
    "CREATE TABLE directories (id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, sample INTEGER NOT NULL);
     CREATE TABLE areas (id TEXT PRIMARY KEY, directory TEXT NOT NULL, doc TEXT NOT NULL);
     CREATE TABLE bank_holidays (region TEXT NOT NULL, date TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (region, date));",
];

/// A digest of every installed row, in a fixed order. `meta` is left out but for the synonyms,
/// which are content.
fn rows_digest(conn: &Connection) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for sql in [
        "SELECT 'topic', id, ord || ':' || doc FROM topics ORDER BY id",
        "SELECT 'page', id, topic || ':' || title || ':' || keywords || ':' || doc FROM pages ORDER BY id",
        "SELECT 'helpline', id, ord || ':' || doc FROM helplines ORDER BY id",
        "SELECT 'directory', id, name || ':' || description || ':' || sample FROM directories ORDER BY id",
        "SELECT 'area', id, directory || ':' || doc FROM areas ORDER BY id",
        "SELECT 'holiday', region || date, name FROM bank_holidays ORDER BY region, date",
        "SELECT 'meta', key, value FROM meta WHERE key = 'synonyms'",
    ] {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            for i in 0..3 {
                let v: String = r.get(i)?;
                h.update((v.len() as u64).to_le_bytes());
                h.update(v.as_bytes());
            }
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A topic with how many pages it has.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSummary {
    pub topic: Topic,
    pub page_count: u32,
}

/// What is installed.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledContent {
    /// Identifies the release; the search index records it to know when to rebuild.
    pub version: String,
    /// Where it came from (a folder, a pack).
    pub source: String,
    /// RFC 3339 time of installation.
    pub installed_at: String,
    pub page_count: u32,
}

pub struct ContentStore {
    conn: Connection,
}

/// Content written but not yet visible: [`Staged::commit`] makes it the installed release.
pub struct Staged<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Staged<'_> {
    pub fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

impl ContentStore {
    pub fn open(path: &Path) -> Result<ContentStore> {
        let conn = Connection::open(path)?;
        crate::migrate::use_wal(&conn)?;
        Self::with_connection(conn)
    }

    pub fn open_in_memory() -> Result<ContentStore> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> Result<ContentStore> {
        migrate(&mut conn, MIGRATIONS)?;
        Ok(ContentStore { conn })
    }

    /// Writes `content` in place of what is installed, inside a transaction the caller commits
    /// once everything else (the search index) is ready. Dropping it leaves the old content.
    pub fn stage(&mut self, content: &Content, version: &str, source: &str, work: &Work<'_>) -> Result<Staged<'_>> {
        let tx = self.conn.transaction()?;
        for table in ["meta", "topics", "pages", "helplines", "directories", "areas", "bank_holidays"] {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        for (i, topic) in content.topics.iter().enumerate() {
            tx.execute(
                "INSERT INTO topics (id, ord, doc) VALUES (?1, ?2, ?3)",
                params![topic.id, i as i64, serde_json::to_string(topic)?],
            )?;
        }
        let total = content.pages.len() as u64;
        {
            let mut insert =
                tx.prepare("INSERT INTO pages (id, topic, title, keywords, doc) VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for (i, page) in content.pages.iter().enumerate() {
                work.step(Stage::Installing, i as u64, total)?;
                let keywords = serde_json::to_string(&page.keywords)?;
                insert.execute(params![page.id, page.topic, page.title, keywords, serde_json::to_string(page)?])?;
            }
        }
        for (i, h) in content.helplines.iter().enumerate() {
            tx.execute(
                "INSERT INTO helplines (id, ord, doc) VALUES (?1, ?2, ?3)",
                params![h.id, i as i64, serde_json::to_string(h)?],
            )?;
        }
        for d in &content.directories {
            tx.execute(
                "INSERT INTO directories (id, name, description, sample) VALUES (?1, ?2, ?3, ?4)",
                params![d.id, d.name, d.description, d.sample],
            )?;
            for a in &d.areas {
                tx.execute(
                    "INSERT INTO areas (id, directory, doc) VALUES (?1, ?2, ?3)",
                    params![a.id, d.id, serde_json::to_string(a)?],
                )?;
            }
        }
        for h in &content.bank_holidays {
            tx.execute(
                "INSERT OR REPLACE INTO bank_holidays (region, date, name) VALUES (?1, ?2, ?3)",
                params![h.region, h.date.to_string(), h.name],
            )?;
        }
        let meta = [
            ("version", version.to_string()),
            ("source", source.to_string()),
            ("installed_at", chrono::Utc::now().to_rfc3339()),
            ("synonyms", serde_json::to_string(&content.synonyms)?),
        ];
        for (k, v) in meta {
            tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", params![k, v])?;
        }
        // Last, so the digest covers every row written above.
        let digest = rows_digest(&tx)?;
        tx.execute("INSERT INTO meta (key, value) VALUES ('rows_digest', ?1)", [digest])?;
        work.step(Stage::Installing, total, total)?;
        Ok(Staged { tx })
    }

    /// Checks the database file and that every row is what the install wrote (a digest over
    /// all rows, recorded at install). Cheap for a phone-sized library; see docs/performance.md.
    pub fn verify(&self) -> Result<()> {
        // One read transaction, so an install committing meanwhile is seen whole or not at all.
        let _snapshot = self.conn.unchecked_transaction()?;
        let check: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(Error::Corrupt(format!("content database fails its integrity check: {check}")));
        }
        if self.meta("version")?.is_none() {
            return Ok(());
        }
        match self.meta("rows_digest")? {
            Some(d) if d == rows_digest(&self.conn)? => Ok(()),
            Some(_) => Err(Error::Corrupt("content rows differ from what was installed".into())),
            None => Err(Error::Corrupt("content was installed without a digest".into())),
        }
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// What is installed, or `None` before the first install.
    pub fn installed(&self) -> Result<Option<InstalledContent>> {
        let Some(version) = self.meta("version")? else {
            return Ok(None);
        };
        Ok(Some(InstalledContent {
            version,
            source: self.meta("source")?.unwrap_or_default(),
            installed_at: self.meta("installed_at")?.unwrap_or_default(),
            page_count: self.conn.query_row("SELECT COUNT(*) FROM pages", [], |r| r.get(0))?,
        }))
    }

    pub fn page(&self, id: &str) -> Result<Page> {
        let doc: Option<String> =
            self.conn.query_row("SELECT doc FROM pages WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        match doc {
            Some(doc) => Ok(serde_json::from_str(&doc)?),
            None => Err(Error::PageNotFound(id.to_string())),
        }
    }

    pub fn has_page(&self, id: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT EXISTS(SELECT 1 FROM pages WHERE id = ?1)", [id], |r| r.get(0))?)
    }

    /// Titles of pages by id, for lists that mention pages (bookmarks).
    pub fn page_title(&self, id: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT title FROM pages WHERE id = ?1", [id], |r| r.get(0)).optional()?)
    }

    /// Every page's id, title and keywords: what search-box suggestions are made from, read
    /// without decoding whole pages.
    pub fn titles_and_keywords(&self) -> Result<Vec<(String, String, Vec<String>)>> {
        let mut stmt = self.conn.prepare("SELECT id, title, keywords FROM pages ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(|(id, title, k)| Ok((id, title, serde_json::from_str(&k)?))).collect()
    }

    /// Calls `f` with every page, in id order, without holding them all in memory.
    pub fn for_each_page(&self, mut f: impl FnMut(Page) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare("SELECT doc FROM pages ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let doc: String = row.get(0)?;
            f(serde_json::from_str(&doc)?)?;
        }
        Ok(())
    }

    /// Pages of one topic, ordered by title.
    pub fn pages_in_topic(&self, topic: &str) -> Result<Vec<Page>> {
        let mut stmt = self.conn.prepare("SELECT doc FROM pages WHERE topic = ?1 ORDER BY title")?;
        let docs = stmt.query_map([topic], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        docs.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    pub fn topics(&self) -> Result<Vec<TopicSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.doc, (SELECT COUNT(*) FROM pages p WHERE p.topic = t.id) FROM topics t ORDER BY t.ord",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(doc, page_count)| Ok(TopicSummary { topic: serde_json::from_str(&doc)?, page_count }))
            .collect()
    }

    pub fn synonyms(&self) -> Result<Synonyms> {
        match self.meta("synonyms")? {
            Some(doc) => Ok(serde_json::from_str(&doc)?),
            None => Ok(Synonyms::default()),
        }
    }

    /// Every contacts directory with its areas.
    pub fn directories(&self) -> Result<Vec<Directory>> {
        let mut stmt = self.conn.prepare("SELECT id, name, description, sample FROM directories ORDER BY id")?;
        let mut dirs = stmt
            .query_map([], |r| {
                Ok(Directory {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    description: r.get(2)?,
                    sample: r.get(3)?,
                    areas: Vec::new(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn.prepare("SELECT directory, doc FROM areas ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        for (dir, doc) in rows {
            let area: Area = serde_json::from_str(&doc)?;
            if let Some(d) = dirs.iter_mut().find(|d| d.id == dir) {
                d.areas.push(area);
            }
        }
        Ok(dirs)
    }

    pub fn bank_holidays(&self) -> Result<Vec<BankHoliday>> {
        let mut stmt = self.conn.prepare("SELECT region, date, name FROM bank_holidays ORDER BY date")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(region, date, name)| {
                let date = date.parse().map_err(|_| Error::Corrupt(format!("bad bank holiday date {date}")))?;
                Ok(BankHoliday { region, date, name })
            })
            .collect()
    }

    pub fn helplines(&self) -> Result<Vec<Helpline>> {
        let mut stmt = self.conn.prepare("SELECT doc FROM helplines ORDER BY ord")?;
        let docs = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        docs.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }
}
