//! The user's own data: bookmarks, notes, recent searches and settings.
//!
//! It lives in its own database file that content installs, updates and index rebuilds never
//! open, so nothing the user made can be lost to an update. Items that point at content (a
//! bookmark's page) are kept even when an update removes the content; the app shows them as
//! no longer available instead of dropping them.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::migrate::migrate;

const MIGRATIONS: &[&str] = &[
    // 1
    "CREATE TABLE bookmarks (page_id TEXT PRIMARY KEY, anchor TEXT, created_at TEXT NOT NULL);
     CREATE TABLE notes (target TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at TEXT NOT NULL);
     CREATE TABLE recent_searches (query TEXT PRIMARY KEY, searched_at TEXT NOT NULL);
     CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 2: the user's own contacts and favourites
    "CREATE TABLE personal_contacts (
         id TEXT PRIMARY KEY,
         doc TEXT NOT NULL,
         created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL
     );
     CREATE TABLE favourites (contact_id TEXT PRIMARY KEY, created_at TEXT NOT NULL);",
];

/// How many recent searches are kept.
pub const RECENT_SEARCHES: usize = 20;
/// Longest note accepted, in bytes: generous for a note, small enough to keep the file sane.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub page_id: String,
    pub anchor: Option<String>,
    pub created_at: String,
}

/// What a note is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteTarget {
    Page(String),
    Contact(String),
}

impl NoteTarget {
    fn key(&self) -> String {
        match self {
            NoteTarget::Page(id) => format!("page:{id}"),
            NoteTarget::Contact(id) => format!("contact:{id}"),
        }
    }

    fn from_key(key: &str) -> Option<NoteTarget> {
        if let Some(id) = key.strip_prefix("page:") {
            Some(NoteTarget::Page(id.to_string()))
        } else {
            key.strip_prefix("contact:").map(|id| NoteTarget::Contact(id.to_string()))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub target: NoteTarget,
    pub text: String,
    pub updated_at: String,
}

/// A contact the user added themselves. Kept in the user database, searched beside published
/// contacts and marked as personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalContact {
    /// Assigned when the contact is first saved; starts with `personal:`.
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// What it is for, in the user's words (e.g. "GP surgery", "Night coordinator").
    #[serde(default)]
    pub role: Option<String>,
    /// An area id, if the contact belongs to one.
    #[serde(default)]
    pub area_id: Option<String>,
    #[serde(default)]
    pub needs: Vec<String>,
    pub phones: Vec<PersonalPhone>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalPhone {
    pub label: String,
    /// As the user typed it; checked to be a UK number when saved.
    pub number: String,
}

/// Field limits for personal contacts: generous for real use, small enough that a pasted
/// document or a hostile import cannot bloat the database or the screen.
const CONTACT_LIMITS: &[(&str, usize)] =
    &[("name", 200), ("role", 200), ("area_id", 100), ("email", 254), ("notes", 4000), ("phone label", 100)];
const MAX_CONTACT_PHONES: usize = 10;
const MAX_CONTACT_NEEDS: usize = 20;

impl PersonalContact {
    /// Checks every field against its limit, naming the first that is too long.
    pub fn check_limits(&self) -> Result<()> {
        let limit = |field: &str| CONTACT_LIMITS.iter().find(|(f, _)| *f == field).map_or(0, |(_, n)| *n);
        let mut fields: Vec<(&str, &str)> = vec![("name", &self.name)];
        fields.extend(self.role.as_deref().map(|v| ("role", v)));
        fields.extend(self.area_id.as_deref().map(|v| ("area_id", v)));
        fields.extend(self.email.as_deref().map(|v| ("email", v)));
        fields.extend(self.notes.as_deref().map(|v| ("notes", v)));
        fields.extend(self.phones.iter().map(|p| ("phone label", p.label.as_str())));
        for (field, value) in fields {
            let n = value.chars().count();
            if n > limit(field) {
                return Err(Error::InvalidInput(format!(
                    "the contact's {field} is {n} characters; the limit is {}",
                    limit(field)
                )));
            }
        }
        if self.name.trim().is_empty() {
            return Err(Error::InvalidInput("a personal contact needs a name".into()));
        }
        if self.phones.len() > MAX_CONTACT_PHONES {
            return Err(Error::InvalidInput(format!("a contact can have at most {MAX_CONTACT_PHONES} numbers")));
        }
        if self.needs.len() > MAX_CONTACT_NEEDS || self.needs.iter().any(|n| n.len() > 40) {
            return Err(Error::InvalidInput(format!("a contact can have at most {MAX_CONTACT_NEEDS} short needs")));
        }
        Ok(())
    }
}

pub struct UserStore {
    conn: Connection,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// What could still be read from a user database that no longer opens cleanly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Salvaged {
    pub bookmarks: Vec<SalvagedBookmark>,
    pub notes: Vec<SalvagedNote>,
    pub personal_contacts: Vec<PersonalContact>,
    /// What could not be read, table by table.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalvagedBookmark {
    pub page_id: String,
    pub anchor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalvagedNote {
    /// `page:<id>` or `contact:<id>`.
    pub target: String,
    pub text: String,
}

impl UserStore {
    /// Opens the user database. It fails (rather than repairing anything) when the file is
    /// damaged: the caller moves it aside, never deletes it.
    pub fn open(path: &Path) -> Result<UserStore> {
        let conn = Connection::open(path)?;
        crate::migrate::use_wal(&conn)?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(Error::Corrupt(format!("user database fails its integrity check: {check}")));
        }
        Self::with_connection(conn)
    }

    /// Reads, read-only and row by row, whatever bookmarks, notes and personal contacts a
    /// damaged user database still holds. Unreadable rows and tables are listed, not fatal.
    pub fn salvage(path: &Path) -> Result<Salvaged> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut out = Salvaged::default();
        let mut read = |table: &str, sql: &str, row: &mut dyn FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>| {
            let result = conn.prepare(sql).and_then(|mut stmt| {
                let mut rows = stmt.query([])?;
                loop {
                    match rows.next() {
                        Ok(Some(r)) => {
                            if let Err(e) = row(r) {
                                out.problems.push(format!("{table}: a row could not be read: {e}"));
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            out.problems.push(format!("{table}: stopped reading: {e}"));
                            break;
                        }
                    }
                }
                Ok(())
            });
            if let Err(e) = result {
                out.problems.push(format!("{table}: cannot be read: {e}"));
            }
        };
        let mut bookmarks = Vec::new();
        read("bookmarks", "SELECT page_id, anchor FROM bookmarks", &mut |r| {
            bookmarks.push(SalvagedBookmark { page_id: r.get(0)?, anchor: r.get(1)? });
            Ok(())
        });
        let mut notes = Vec::new();
        read("notes", "SELECT target, text FROM notes", &mut |r| {
            notes.push(SalvagedNote { target: r.get(0)?, text: r.get(1)? });
            Ok(())
        });
        let mut docs = Vec::new();
        read("personal_contacts", "SELECT doc FROM personal_contacts", &mut |r| {
            docs.push(r.get::<_, String>(0)?);
            Ok(())
        });
        out.bookmarks = bookmarks;
        out.notes = notes;
        for doc in docs {
            match serde_json::from_str(&doc) {
                Ok(c) => out.personal_contacts.push(c),
                Err(e) => out.problems.push(format!("personal_contacts: a contact could not be decoded: {e}")),
            }
        }
        Ok(out)
    }

    pub fn open_in_memory() -> Result<UserStore> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> Result<UserStore> {
        migrate(&mut conn, MIGRATIONS)?;
        Ok(UserStore { conn })
    }

    /// Bookmarks a page (at a section, if `anchor` is given). Bookmarking again moves the anchor.
    pub fn add_bookmark(&self, page_id: &str, anchor: Option<&str>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO bookmarks (page_id, anchor, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (page_id) DO UPDATE SET anchor = excluded.anchor",
            params![page_id, anchor, now()],
        )?;
        Ok(())
    }

    /// Returns whether there was a bookmark to remove.
    pub fn remove_bookmark(&self, page_id: &str) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM bookmarks WHERE page_id = ?1", [page_id])? > 0)
    }

    /// Newest first.
    pub fn bookmarks(&self) -> Result<Vec<Bookmark>> {
        let mut stmt = self.conn.prepare("SELECT page_id, anchor, created_at FROM bookmarks ORDER BY rowid DESC")?;
        let rows =
            stmt.query_map([], |r| Ok(Bookmark { page_id: r.get(0)?, anchor: r.get(1)?, created_at: r.get(2)? }))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn is_bookmarked(&self, page_id: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT EXISTS(SELECT 1 FROM bookmarks WHERE page_id = ?1)", [page_id], |r| r.get(0))?)
    }

    /// Saves a note, replacing any earlier one on the same target. An empty note deletes it.
    pub fn set_note(&self, target: &NoteTarget, text: &str) -> Result<()> {
        if text.len() > MAX_NOTE_BYTES {
            return Err(Error::InvalidInput(format!("a note can be at most {MAX_NOTE_BYTES} bytes")));
        }
        if text.trim().is_empty() {
            self.delete_note(target)?;
            return Ok(());
        }
        self.conn.execute(
            "INSERT INTO notes (target, text, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (target) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
            params![target.key(), text, now()],
        )?;
        Ok(())
    }

    pub fn note(&self, target: &NoteTarget) -> Result<Option<Note>> {
        Ok(self
            .conn
            .query_row("SELECT text, updated_at FROM notes WHERE target = ?1", [target.key()], |r| {
                Ok(Note { target: target.clone(), text: r.get(0)?, updated_at: r.get(1)? })
            })
            .optional()?)
    }

    pub fn delete_note(&self, target: &NoteTarget) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM notes WHERE target = ?1", [target.key()])? > 0)
    }

    /// Every note, most recently edited first.
    pub fn notes(&self) -> Result<Vec<Note>> {
        let mut stmt = self.conn.prepare("SELECT target, text, updated_at FROM notes ORDER BY updated_at DESC")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(key, text, updated_at)| {
                NoteTarget::from_key(&key).map(|target| Note { target, text, updated_at })
            })
            .collect())
    }

    /// Remembers a search the user submitted (not every keystroke), keeping the newest few.
    pub fn record_search(&self, query: &str) -> Result<()> {
        let query = query.trim();
        if query.is_empty() || query.len() > 500 {
            return Ok(());
        }
        self.conn.execute(
            // REPLACE gives the row a new, highest rowid: rowid order is recency order even
            // when two searches share a timestamp.
            "INSERT OR REPLACE INTO recent_searches (query, searched_at) VALUES (?1, ?2)",
            params![query, now()],
        )?;
        self.conn.execute(
            "DELETE FROM recent_searches WHERE query NOT IN
             (SELECT query FROM recent_searches ORDER BY rowid DESC LIMIT ?1)",
            [RECENT_SEARCHES as i64],
        )?;
        Ok(())
    }

    /// Newest first.
    pub fn recent_searches(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT query FROM recent_searches ORDER BY rowid DESC")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn clear_recent_searches(&self) -> Result<()> {
        self.conn.execute("DELETE FROM recent_searches", [])?;
        Ok(())
    }

    /// Saves a new personal contact (when `id` is empty) or replaces an existing one.
    /// Returns the id.
    pub fn save_personal_contact(&self, contact: &PersonalContact) -> Result<String> {
        contact.check_limits()?;
        let mut contact = contact.clone();
        let now = now();
        if contact.id.is_empty() {
            let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM personal_contacts", [], |r| r.get(0))?;
            let stamp = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
            contact.id = format!("personal:{stamp:x}{n:x}");
            self.conn.execute(
                "INSERT INTO personal_contacts (id, doc, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                params![contact.id, serde_json::to_string(&contact)?, now],
            )?;
        } else {
            let changed = self.conn.execute(
                "UPDATE personal_contacts SET doc = ?2, updated_at = ?3 WHERE id = ?1",
                params![contact.id, serde_json::to_string(&contact)?, now],
            )?;
            if changed == 0 {
                return Err(Error::NotFound { what: "personal contact", id: contact.id });
            }
        }
        Ok(contact.id)
    }

    pub fn personal_contact(&self, id: &str) -> Result<Option<PersonalContact>> {
        let doc: Option<String> =
            self.conn.query_row("SELECT doc FROM personal_contacts WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        doc.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
    }

    /// Removes a personal contact, with its favourite mark and note.
    pub fn delete_personal_contact(&self, id: &str) -> Result<bool> {
        let removed = self.conn.execute("DELETE FROM personal_contacts WHERE id = ?1", [id])? > 0;
        self.conn.execute("DELETE FROM favourites WHERE contact_id = ?1", [id])?;
        self.delete_note(&NoteTarget::Contact(id.to_string()))?;
        Ok(removed)
    }

    /// By name.
    pub fn personal_contacts(&self) -> Result<Vec<PersonalContact>> {
        let mut stmt = self.conn.prepare("SELECT doc FROM personal_contacts")?;
        let docs = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        let mut out = docs.iter().map(|d| serde_json::from_str(d)).collect::<Result<Vec<PersonalContact>, _>>()?;
        out.sort_by_key(|c| c.name.to_lowercase());
        Ok(out)
    }

    pub fn set_favourite(&self, contact_id: &str, favourite: bool) -> Result<()> {
        if favourite {
            self.conn.execute(
                "INSERT OR IGNORE INTO favourites (contact_id, created_at) VALUES (?1, ?2)",
                params![contact_id, now()],
            )?;
        } else {
            self.conn.execute("DELETE FROM favourites WHERE contact_id = ?1", [contact_id])?;
        }
        Ok(())
    }

    /// Contact ids, most recently added first.
    pub fn favourites(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT contact_id FROM favourites ORDER BY rowid DESC")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => self.conn.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmarks_notes_and_searches() -> Result<()> {
        let u = UserStore::open_in_memory()?;
        u.add_bookmark("a", None)?;
        u.add_bookmark("b", Some("steps"))?;
        u.add_bookmark("a", Some("who"))?;
        let marks = u.bookmarks()?;
        assert_eq!(marks.len(), 2);
        assert_eq!(marks.iter().find(|b| b.page_id == "a").and_then(|b| b.anchor.clone()).as_deref(), Some("who"));
        assert!(u.remove_bookmark("a")?);
        assert!(!u.remove_bookmark("a")?);

        let t = NoteTarget::Contact("leeds-edt".into());
        u.set_note(&t, "Ask for the duty senior")?;
        assert_eq!(u.note(&t)?.map(|n| n.text).as_deref(), Some("Ask for the duty senior"));
        u.set_note(&t, "  ")?;
        assert_eq!(u.note(&t)?, None);
        assert!(u.set_note(&t, &"x".repeat(MAX_NOTE_BYTES + 1)).is_err());

        for i in 0..(RECENT_SEARCHES + 5) {
            u.record_search(&format!("query {i}"))?;
        }
        u.record_search("query 3")?;
        let recent = u.recent_searches()?;
        assert_eq!(recent.len(), RECENT_SEARCHES);
        assert_eq!(recent[0], "query 3");
        Ok(())
    }
}
