//! Versioned schema migrations for both databases, tracked in SQLite's `user_version`.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Applies the migrations a database has not seen yet, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.try_into().unwrap_or(0);
    if current > migrations.len() {
        return Err(Error::Corrupt(format!(
            "database schema version {current} is newer than this app understands ({})",
            migrations.len()
        )));
    }
    for (i, sql) in migrations.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
