//! The review dashboard: pages whose `next_review` has passed or falls within 30 days, with who
//! last changed and approved them, and for each entry of the register of superseded law the
//! pages that still use its phrases and have not been reviewed since it changed.

use chrono::{Local, NaiveDate};
use safeguarding_content::check as check_content;
use serde::Serialize;

use super::store::PageInfo;
use super::{Editors, Result};

/// Pages due within this many days are listed.
pub const DUE_WITHIN_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize)]
pub struct Due {
    #[serde(flatten)]
    pub page: PageInfo,
    /// Negative when overdue.
    pub days_left: i64,
    pub overdue: bool,
    /// Who wrote and who approved the page's last published change (none for imported text).
    pub last_changed_by: Option<String>,
    pub last_approved_by: Option<String>,
    pub last_release: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reliant {
    pub page_id: String,
    pub title: String,
    pub line: usize,
    pub field: String,
    pub pattern: String,
    pub last_reviewed: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupersededEntry {
    pub id: String,
    pub name: String,
    pub since: NaiveDate,
    pub replaced_by: String,
    /// Pages relying on it and not reviewed since.
    pub pages: Vec<Reliant>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub release: i64,
    pub due: Vec<Due>,
    pub superseded: Vec<SupersededEntry>,
}

impl Editors {
    pub fn dashboard(&self) -> Result<Dashboard> {
        let latest = self.require_latest()?;
        let today = Local::now().date_naive();
        let mut due = Vec::new();
        for page in latest.pages.values() {
            let days_left = (page.next_review - today).num_days();
            if days_left > DUE_WITHIN_DAYS {
                continue;
            }
            let last = self.history(&page.path)?.into_iter().find(|v| v.change_id.is_some());
            due.push(Due {
                page: page.clone(),
                days_left,
                overdue: days_left < 0,
                last_changed_by: last.as_ref().and_then(|v| v.author.clone()),
                last_approved_by: last.as_ref().and_then(|v| v.approver.clone()),
                last_release: last.map(|v| v.release),
            });
        }
        due.sort_by(|a, b| (a.page.next_review, &a.page.id).cmp(&(b.page.next_review, &b.page.id)));

        let content = check_content(&latest.files, today).content;
        let superseded = content
            .superseded
            .iter()
            .map(|entry| {
                let mut pages: Vec<Reliant> = content
                    .pages
                    .iter()
                    .flat_map(|p| entry.reliance_in(p))
                    .filter(|r| !r.reviewed_since)
                    .map(|r| Reliant {
                        page_id: r.page_id,
                        title: r.title,
                        line: r.line,
                        field: r.field.to_string(),
                        pattern: r.pattern,
                        last_reviewed: r.last_reviewed,
                    })
                    .collect();
                // One line per page: the first place it relies on the entry.
                pages.sort_by(|a, b| (&a.page_id, a.line).cmp(&(&b.page_id, b.line)));
                pages.dedup_by(|a, b| a.page_id == b.page_id);
                SupersededEntry {
                    id: entry.id.clone(),
                    name: entry.name.clone(),
                    since: entry.since,
                    replaced_by: entry.replaced_by.clone(),
                    pages,
                }
            })
            .collect();
        Ok(Dashboard { today, release: latest.number, due, superseded })
    }
}
