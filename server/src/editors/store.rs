//! Published releases. A release is a complete set of content files (every page, topic list,
//! contacts file and the register of superseded law), numbered 1, 2, 3... in the order they
//! were published. Files are stored once by sha256 (`blobs`) and each release lists the files
//! it holds (`release_files`), so history, diffs and rollback are lookups, not file-system
//! archaeology. Release 1 comes from `import`; each publish to staging makes the next.
//!
//! A release's number is the service's own; each channel's `manifest_version` counts that
//! channel's signed manifests (re-signing bumps it with no new release).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use safeguarding_content::{check as check_content, parse_page, ContentFiles, Diagnostics, Page};
use serde::Serialize;

use super::audit::{self, Entry};
use super::{format_secs, now_secs, Actor, Editors, Error, Result, Role};

/// One release, loaded: its files and their pages.
#[derive(Debug)]
pub struct ReleaseView {
    pub number: i64,
    pub created_at: i64,
    pub files: ContentFiles,
    /// sha256 of each file, by path.
    pub shas: BTreeMap<String, String>,
    /// Every page that parses, by id.
    pub pages: BTreeMap<String, PageInfo>,
}

/// What lists and dashboards show about a page.
#[derive(Debug, Clone, Serialize)]
pub struct PageInfo {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub path: String,
    pub summary: String,
    pub sha256: String,
    pub last_reviewed: NaiveDate,
    pub next_review: NaiveDate,
}

impl PageInfo {
    fn of(page: &Page, sha256: &str) -> PageInfo {
        PageInfo {
            id: page.id.clone(),
            title: page.title.clone(),
            topic: page.topic.clone(),
            path: page.path.clone(),
            summary: page.summary.clone(),
            sha256: sha256.to_string(),
            last_reviewed: page.last_reviewed,
            next_review: page.next_review,
        }
    }
}

impl ReleaseView {
    pub fn page(&self, id: &str) -> Option<&PageInfo> {
        self.pages.get(id)
    }

    /// The file's text (content files are UTF-8: the validator refuses anything else).
    pub fn text(&self, path: &str) -> Option<String> {
        self.files.get(path).map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

/// One published version of a page in its history.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// The release it was first published in.
    pub release: i64,
    pub published_at: String,
    /// `None` when the release removed the page.
    pub sha256: Option<String>,
    /// The change that made it, if it came through the workflow (release 1 is an import).
    pub change_id: Option<i64>,
    pub summary: String,
    pub author: Option<String>,
    pub approver: Option<String>,
}

/// A published release in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSummary {
    pub number: i64,
    pub created_at: String,
    pub notes: String,
    pub files: i64,
}

/// The page's id from its front matter, for the history index. `None` for other files or a
/// page that does not parse (published pages always do).
fn page_id_of(path: &str, bytes: &[u8]) -> Option<String> {
    if !path.starts_with("guidance/") {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    parse_page(path, text, &mut Diagnostics::default()).map(|p| p.id)
}

/// Stores a complete release as the next number. Call inside the transaction that also
/// records why (the import, or the publish and its changes).
pub(crate) fn insert_release(tx: &Transaction<'_>, files: &ContentFiles, by: Option<i64>, notes: &str) -> Result<i64> {
    let number: i64 = tx.query_row("SELECT COALESCE(MAX(number), 0) + 1 FROM releases", [], |r| r.get(0))?;
    tx.execute(
        "INSERT INTO releases (number, created_at, created_by, notes) VALUES (?1, ?2, ?3, ?4)",
        params![number, now_secs(), by, notes],
    )?;
    for (path, bytes) in files.iter() {
        let sha = safeguarding_sync_format::sha256_hex(bytes);
        tx.execute("INSERT OR IGNORE INTO blobs (sha256, bytes) VALUES (?1, ?2)", params![sha, bytes])?;
        tx.execute(
            "INSERT INTO release_files (release, path, sha256, page_id) VALUES (?1, ?2, ?3, ?4)",
            params![number, path, sha, page_id_of(path, bytes)],
        )?;
    }
    Ok(number)
}

pub(crate) fn latest_number(db: &Connection) -> Result<Option<i64>> {
    Ok(db.query_row("SELECT MAX(number) FROM releases", [], |r| r.get(0))?)
}

pub(crate) fn load_release(db: &Connection, number: i64) -> Result<Option<ReleaseView>> {
    let created_at: Option<i64> =
        db.query_row("SELECT created_at FROM releases WHERE number = ?1", [number], |r| r.get(0)).optional()?;
    let Some(created_at) = created_at else { return Ok(None) };
    let mut stmt = db.prepare(
        "SELECT f.path, f.sha256, b.bytes FROM release_files f JOIN blobs b ON b.sha256 = f.sha256
         WHERE f.release = ?1 ORDER BY f.path",
    )?;
    let mut files = ContentFiles::new();
    let mut shas = BTreeMap::new();
    let mut rows = stmt.query([number])?;
    while let Some(r) = rows.next()? {
        let path: String = r.get(0)?;
        shas.insert(path.clone(), r.get(1)?);
        files.insert(path, r.get(2)?);
    }
    let mut pages = BTreeMap::new();
    for (path, bytes) in files.iter() {
        if !path.starts_with("guidance/") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else { continue };
        if let Some(page) = parse_page(path, text, &mut Diagnostics::default()) {
            let sha = shas.get(path).map(String::as_str).unwrap_or_default();
            pages.insert(page.id.clone(), PageInfo::of(&page, sha));
        }
    }
    Ok(Some(ReleaseView { number, created_at, files, shas, pages }))
}

pub(crate) fn blob(db: &Connection, sha256: &str) -> Result<Option<Vec<u8>>> {
    Ok(db.query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha256], |r| r.get(0)).optional()?)
}

impl Editors {
    /// The newest release, parsed (cached until the next one).
    pub fn latest(&self) -> Result<Option<Arc<ReleaseView>>> {
        let db = self.db();
        let Some(number) = latest_number(&db)? else { return Ok(None) };
        let mut cache = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(view) = cache.as_ref().filter(|v| v.number == number) {
            return Ok(Some(Arc::clone(view)));
        }
        let view = Arc::new(load_release(&db, number)?.ok_or_else(|| Error::Internal("release vanished".into()))?);
        *cache = Some(Arc::clone(&view));
        Ok(Some(view))
    }

    /// The newest release, or a clear refusal when nothing was imported yet.
    pub fn require_latest(&self) -> Result<Arc<ReleaseView>> {
        self.latest()?.ok_or_else(|| {
            Error::Conflict("no content yet: run `safeguarding-server import --data DIR --content DIR` first".into())
        })
    }

    pub fn release(&self, number: i64) -> Result<ReleaseView> {
        load_release(&self.db(), number)?.ok_or_else(|| Error::NotFound(format!("no release {number}")))
    }

    pub fn releases(&self) -> Result<Vec<ReleaseSummary>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT r.number, r.created_at, r.notes, (SELECT count(*) FROM release_files f WHERE f.release = r.number)
             FROM releases r ORDER BY r.number DESC",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ReleaseSummary {
                    number: r.get(0)?,
                    created_at: format_secs(r.get(1)?),
                    notes: r.get(2)?,
                    files: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Loads a content folder as the first release. Refuses content the validator refuses,
    /// and a service that already has releases (later content arrives through changes).
    pub fn import(&self, actor: &Actor, files: &ContentFiles, today: NaiveDate) -> Result<(i64, Diagnostics)> {
        actor.require(Role::Admin, "import content")?;
        let checked = check_content(files, today);
        if checked.diagnostics.has_errors() {
            return Err(Error::from(crate::Error::InvalidContent(checked.diagnostics)));
        }
        let mut db = self.db();
        if let Some(n) = latest_number(&db)? {
            return Err(Error::Conflict(format!(
                "this service already has {n} release(s); content changes now go through drafts and approval"
            )));
        }
        let tx = db.transaction()?;
        let number = insert_release(&tx, files, actor.user_id, "Imported")?;
        audit::record(
            &tx,
            actor,
            Entry::new("content.import", format!("release:{number}"), format!("{} files", files.len())),
        )?;
        tx.commit()?;
        Ok((number, checked.diagnostics))
    }

    /// [`Editors::import`] from a content folder.
    pub fn import_dir(&self, actor: &Actor, dir: &std::path::Path, today: NaiveDate) -> Result<(i64, Diagnostics)> {
        let files = ContentFiles::from_dir(dir).map_err(|e| Error::Invalid(e.to_string()))?;
        self.import(actor, &files, today)
    }

    /// The text of `path` as published in release `number`.
    pub fn text_at(&self, path: &str, number: i64) -> Result<Option<String>> {
        let db = self.db();
        let sha: Option<String> = db
            .query_row(
                "SELECT sha256 FROM release_files WHERE release = ?1 AND path = ?2",
                params![number, path],
                |r| r.get(0),
            )
            .optional()?;
        match sha {
            Some(sha) => Ok(blob(&db, &sha)?.map(|b| String::from_utf8_lossy(&b).into_owned())),
            None => Ok(None),
        }
    }

    /// The text of `path` in release `number`: empty when the release did not have the file,
    /// `NotFound` when there is no such release.
    pub fn release_text(&self, path: &str, number: i64) -> Result<String> {
        let exists: Option<i64> =
            self.db().query_row("SELECT number FROM releases WHERE number = ?1", [number], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(Error::NotFound(format!("no release {number}")));
        }
        Ok(self.text_at(path, number)?.unwrap_or_default())
    }

    /// The path a page id has, or last had, in any release.
    pub fn page_path(&self, id: &str) -> Result<Option<String>> {
        if let Some(view) = self.latest()? {
            if let Some(p) = view.page(id) {
                return Ok(Some(p.path.clone()));
            }
        }
        let db = self.db();
        Ok(db
            .query_row("SELECT path FROM release_files WHERE page_id = ?1 ORDER BY release DESC LIMIT 1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Every release in which `path` changed (appeared, changed or disappeared), newest first.
    pub fn history(&self, path: &str) -> Result<Vec<Version>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT r.number, r.created_at, f.sha256 FROM releases r
             LEFT JOIN release_files f ON f.release = r.number AND f.path = ?1 ORDER BY r.number",
        )?;
        let rows: Vec<(i64, i64, Option<String>)> =
            stmt.query_map([path], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        let mut previous: Option<Option<String>> = None;
        for (number, at, sha) in rows {
            let changed = match &previous {
                None => sha.is_some(),
                Some(prev) => prev != &sha,
            };
            previous = Some(sha.clone());
            if !changed {
                continue;
            }
            let change = db
                .query_row(
                    "SELECT c.id, c.summary, a.name, d.name FROM changes c JOIN users a ON a.id = c.author_id
                     LEFT JOIN users d ON d.id = c.decided_by WHERE c.release = ?1 AND c.path = ?2",
                    params![number, path],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, Option<String>>(3)?,
                        ))
                    },
                )
                .optional()?;
            let (change_id, summary, author, approver) = match change {
                Some((id, summary, author, approver)) => (Some(id), summary, Some(author), approver),
                None => (None, if number == 1 { "Imported".into() } else { String::new() }, None, None),
            };
            out.push(Version {
                release: number,
                published_at: format_secs(at),
                sha256: sha,
                change_id,
                summary,
                author,
                approver,
            });
        }
        out.reverse();
        Ok(out)
    }
}
