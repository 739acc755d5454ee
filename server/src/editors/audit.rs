//! The audit log: one row per action (who, what, on what, when, from which address), written in
//! the same transaction as the action itself where there is one, never updated or deleted by
//! the service. Admins read it on a page or export it as CSV.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::{format_secs, now_secs, Actor, Editors, Result, Role};

/// The most rows one page of the log returns.
pub const MAX_PAGE: u32 = 500;

/// What was done.
pub struct Entry {
    pub action: &'static str,
    pub target: String,
    pub detail: String,
}

impl Entry {
    pub fn new(action: &'static str, target: impl Into<String>, detail: impl Into<String>) -> Entry {
        Entry { action, target: target.into(), detail: detail.into() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Appends one entry. Details are cut to a sane length: the log records that something was
/// said, not a second copy of every page.
pub fn record(db: &Connection, actor: &Actor, entry: Entry) -> Result<()> {
    let detail: String = entry.detail.chars().take(1000).collect();
    db.execute(
        "INSERT INTO audit (at, actor, actor_id, address, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![now_secs(), actor.name, actor.user_id, actor.address, entry.action, entry.target, detail],
    )?;
    Ok(())
}

impl Editors {
    /// Records an action that has no transaction of its own (a login, a refused login).
    pub fn audit(&self, actor: &Actor, entry: Entry) -> Result<()> {
        record(&self.db(), actor, entry)
    }

    /// The newest entries first; `before` pages back through older ones by id.
    pub fn audit_log(&self, actor: &Actor, limit: u32, before: Option<i64>) -> Result<Vec<Record>> {
        actor.require(Role::Admin, "read the audit log")?;
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT id, at, actor, address, action, target, detail FROM audit
             WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![before.unwrap_or(i64::MAX), limit.clamp(1, MAX_PAGE)], |r| {
                Ok(Record {
                    id: r.get(0)?,
                    at: format_secs(r.get(1)?),
                    actor: r.get(2)?,
                    address: r.get(3)?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    detail: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The whole log, oldest first, as CSV. Cells that a spreadsheet would run as a formula
    /// (starting `=`, `+`, `-`, `@`) are prefixed with `'`: the log holds text users typed.
    pub fn audit_csv(&self, actor: &Actor) -> Result<Vec<u8>> {
        actor.require(Role::Admin, "export the audit log")?;
        let db = self.db();
        let mut stmt = db.prepare("SELECT id, at, actor, address, action, target, detail FROM audit ORDER BY id")?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| super::Error::Internal(format!("writing CSV: {e}"));
        out.write_record(["id", "at", "actor", "address", "action", "target", "detail"]).map_err(csv_err)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let at: i64 = r.get(1)?;
            let cells = [r.get::<_, String>(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?];
            let mut record = vec![id.to_string(), format_secs(at)];
            record.extend(cells.iter().map(|c| defuse_formula(c)));
            out.write_record(&record).map_err(csv_err)?;
        }
        out.into_inner().map_err(|e| super::Error::Internal(format!("writing CSV: {e}")))
    }
}

fn defuse_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused() {
        assert_eq!(super::defuse_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::defuse_formula("plain"), "plain");
    }
}
