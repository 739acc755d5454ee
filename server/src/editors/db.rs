//! The editors' service store: one SQLite database (`DATA/editors.sqlite`) in WAL mode, its
//! versioned migrations, and online backups.
//!
//! Migrations are numbered by their place in [`MIGRATIONS`] and recorded in `PRAGMA
//! user_version`; each runs in its own transaction, so a crash mid-upgrade leaves the database
//! at the last version that finished. A database newer than this binary is refused rather than
//! written by code that does not know its shape.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::Error;

pub const DB_FILE: &str = "editors.sqlite";

/// Each entry moves the schema one version up. Never edit a released entry: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: accounts, sessions, content releases, changes and their review, publications, audit.
    r#"
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
        roles         TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen  INTEGER NOT NULL,
        address    TEXT NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        bytes  BLOB NOT NULL
    );
    CREATE TABLE releases (
        number     INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        created_by INTEGER REFERENCES users(id),
        notes      TEXT NOT NULL
    );
    CREATE TABLE release_files (
        release INTEGER NOT NULL REFERENCES releases(number),
        path    TEXT NOT NULL,
        sha256  TEXT NOT NULL REFERENCES blobs(sha256),
        page_id TEXT,
        PRIMARY KEY (release, path)
    );
    CREATE INDEX release_files_path ON release_files(path, release);
    CREATE INDEX release_files_page ON release_files(page_id, release);
    CREATE TABLE changes (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL CHECK (kind IN ('edit', 'create', 'delete')),
        path         TEXT NOT NULL,
        page_id      TEXT,
        base_sha256  TEXT,
        source       TEXT,
        summary      TEXT NOT NULL DEFAULT '',
        author_id    INTEGER NOT NULL REFERENCES users(id),
        state        TEXT NOT NULL CHECK (state IN
                       ('draft', 'submitted', 'changes_requested', 'approved', 'published', 'withdrawn')),
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL,
        submitted_at INTEGER,
        decided_by   INTEGER REFERENCES users(id),
        decided_at   INTEGER,
        release      INTEGER REFERENCES releases(number)
    );
    CREATE INDEX changes_state ON changes(state);
    CREATE INDEX changes_path ON changes(path);
    CREATE TABLE comments (
        id        INTEGER PRIMARY KEY,
        change_id INTEGER NOT NULL REFERENCES changes(id),
        author_id INTEGER NOT NULL REFERENCES users(id),
        kind      TEXT NOT NULL CHECK (kind IN ('comment', 'request_changes', 'approve')),
        body      TEXT NOT NULL,
        at        INTEGER NOT NULL
    );
    CREATE INDEX comments_change ON comments(change_id);
    CREATE TABLE publications (
        id               INTEGER PRIMARY KEY,
        channel          TEXT NOT NULL,
        manifest_version INTEGER NOT NULL,
        release          INTEGER NOT NULL REFERENCES releases(number),
        kind             TEXT NOT NULL CHECK (kind IN ('publish', 'promote', 'resign')),
        at               INTEGER NOT NULL,
        by_user          INTEGER REFERENCES users(id)
    );
    CREATE INDEX publications_channel ON publications(channel, id);
    CREATE TABLE audit (
        id       INTEGER PRIMARY KEY,
        at       INTEGER NOT NULL,
        actor    TEXT NOT NULL,
        actor_id INTEGER,
        address  TEXT NOT NULL,
        action   TEXT NOT NULL,
        target   TEXT NOT NULL,
        detail   TEXT NOT NULL
    );
    "#,
];

/// The schema version this binary writes.
pub fn schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

pub fn db_path(data: &Path) -> PathBuf {
    data.join(DB_FILE)
}

/// Opens (creating if needed) the database in `data`, in WAL mode, migrated to the current
/// schema. `create` false refuses a data folder without a database (a typo in `--data`
/// should not start an empty service).
pub fn open(data: &Path, create: bool) -> Result<Connection, Error> {
    let path = db_path(data);
    if !create && !path.exists() {
        return Err(Error::Invalid(format!(
            "{} holds no editors' database; run `safeguarding-server import --data {} --content DIR` first",
            data.display(),
            data.display()
        )));
    }
    if create {
        crate::atomic::create_dir(data, 0o700).map_err(|e| Error::Internal(e.to_string()))?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(&path, flags).map_err(|e| db_error(&path, e))?;
    // The CLI (`users add`) may write while the server runs: wait for the lock, do not fail.
    conn.busy_timeout(Duration::from_secs(10)).map_err(|e| db_error(&path, e))?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| db_error(&path, e))?;
    // FULL: an approved, published change must survive a power cut as surely as the tree does.
    conn.pragma_update(None, "synchronous", "FULL").map_err(|e| db_error(&path, e))?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(|e| db_error(&path, e))?;
    migrate(&mut conn).map_err(|e| db_error(&path, e))?;
    restrict_mode(&path);
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > schema_version() {
        return Err(MigrateError::Newer(current));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(())
}

/// Copies the live database to `out` with SQLite's online backup API: a consistent snapshot
/// even while the server writes. The copy is written beside `out` and renamed into place.
pub fn backup(data: &Path, out: &Path) -> Result<u64, Error> {
    let conn = open(data, false)?;
    let temp = out.with_extension("partial");
    let _ = std::fs::remove_file(&temp);
    let mut dest = Connection::open(&temp).map_err(|e| db_error(&temp, e))?;
    {
        let backup = rusqlite::backup::Backup::new(&conn, &mut dest).map_err(|e| db_error(&temp, e))?;
        // Small steps with a pause let the server's writes through during a long backup.
        backup.run_to_completion(256, Duration::from_millis(5), None).map_err(|e| db_error(&temp, e))?;
    }
    // A backup is a single file: no WAL beside it.
    dest.pragma_update(None, "journal_mode", "DELETE").map_err(|e| db_error(&temp, e))?;
    drop(dest);
    restrict_mode(&temp);
    std::fs::rename(&temp, out).map_err(|e| Error::Internal(format!("{}: {e}", out.display())))?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(size)
}

/// The database holds password hashes and session hashes: readable by its owner only.
fn restrict_mode(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[derive(Debug)]
enum MigrateError {
    Sql(rusqlite::Error),
    Newer(u32),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e)
    }
}

fn db_error(path: &Path, e: impl Into<MigrateError>) -> Error {
    match e.into() {
        MigrateError::Sql(e) => Error::Internal(format!("{}: {e}", path.display())),
        MigrateError::Newer(v) => Error::Invalid(format!(
            "{} is at schema version {v}, newer than this server knows ({}); run a newer safeguarding-server",
            path.display(),
            schema_version()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_a_newer_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(open(dir.path(), true).expect("create"));
        let conn = open(dir.path(), false).expect("reopen");
        let v: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
        assert_eq!(v, schema_version());
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).expect("mode");
        assert_eq!(mode, "wal");
        conn.pragma_update(None, "user_version", schema_version() + 1).expect("bump");
        drop(conn);
        assert!(matches!(open(dir.path(), false), Err(Error::Invalid(_))));
    }

    #[test]
    fn backup_is_a_complete_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = open(dir.path(), true).expect("create");
        conn.execute(
            "INSERT INTO audit (at, actor, address, action, target, detail) VALUES (1, 'a', 'b', 'c', 'd', 'e')",
            [],
        )
        .expect("insert");
        let out = dir.path().join("backup.sqlite");
        backup(dir.path(), &out).expect("backup");
        let copy = Connection::open(&out).expect("open copy");
        let n: i64 = copy.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 1);
    }
}
