//! Versioned schema migrations for both databases, tracked in SQLite's `user_version`.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// Puts a database in WAL mode. Switching needs a moment of exclusive access, which SQLite
/// refuses at once (without waiting) while another process is opening the same new file, so
/// a refusal is retried for a bounded time. A database already in WAL mode is left alone.
pub(crate) fn use_wal(conn: &Connection) -> Result<()> {
    let mode = |c: &Connection| c.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0));
    for attempt in 0..100 {
        match mode(conn) {
            Ok(m) if m.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(_) => match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
                Ok(m) if m.eq_ignore_ascii_case("wal") => return Ok(()),
                Ok(_) => {}
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) && attempt < 99 => {}
                Err(e) => return Err(e.into()),
            },
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) && attempt < 99 => {}
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(Error::Corrupt("the database would not switch to WAL mode".into()))
}

/// Applies the migrations a database has not seen yet, in one `BEGIN IMMEDIATE` transaction:
/// the version is read after taking SQLite's write lock, so two processes opening a new
/// database at once cannot both run the same migration.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let version = |c: &Connection| -> Result<usize> {
        Ok(c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.try_into().unwrap_or(0))
    };
    // Most opens find nothing to do: answer without taking the write lock.
    if version(conn)? == migrations.len() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = version(&tx)?;
    if current > migrations.len() {
        return Err(Error::Corrupt(format!(
            "database schema version {current} is newer than this app understands ({})",
            migrations.len()
        )));
    }
    for sql in migrations.iter().skip(current) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", migrations.len() as i64)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_connections_migrating_one_new_database_both_succeed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite");
        let migrations = ["CREATE TABLE meta (k TEXT)", "CREATE TABLE more (k TEXT)"];
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut conn = Connection::open(&path).expect("open");
                    migrate(&mut conn, &migrations)
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread").expect("migrate");
        }
        let conn = Connection::open(&path).expect("open");
        assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).expect("version"), 2);
    }
}
