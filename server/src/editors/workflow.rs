//! Changes: a person's proposed new text for one content file (an edit, a new page, or a
//! deletion), from draft through review to publication.
//!
//! ```text
//! draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
//!   ▲                   │                      │
//!   └──── edit ─────────┴── request changes ◀──┘ (editing an approved change un-approves it)
//! any state before published ──withdraw──▶ withdrawn
//! ```
//!
//! The rules that make review mean something:
//! - the author of a change can never approve it, or request changes to it, whatever their
//!   roles: approval is always a second person;
//! - only the author edits a change (a reviewer comments instead), and any edit sends an
//!   approved change back to draft, so what was approved is exactly what is published;
//! - a change with validator errors cannot be submitted or approved;
//! - a change is approved only against the text currently published (no other change to the
//!   same file can have been published or approved meanwhile), so the diff the approver saw
//!   is the change that will be made.

use chrono::{Local, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use safeguarding_content::MAX_FILE_BYTES;
use serde::Serialize;

use super::audit::{self, Entry};
use super::check::{self, check_change, new_page_path, Outcome, Problem};
use super::diff::{diff, Diff};
use super::directories::{is_directory, unbundle};
use super::store::ReleaseView;
use super::{format_secs, now_secs, Actor, Editors, Error, Result, Role};

/// Longest comment accepted.
pub const MAX_COMMENT: usize = 4000;
/// Longest change summary in bytes (it becomes the manifest's one-line note for the file,
/// which sync-format caps at 500 bytes).
pub const MAX_SUMMARY: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Submitted,
    ChangesRequested,
    Approved,
    Published,
    Withdrawn,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::ChangesRequested => "changes_requested",
            State::Approved => "approved",
            State::Published => "published",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        [State::Draft, State::Submitted, State::ChangesRequested, State::Approved, State::Published, State::Withdrawn]
            .into_iter()
            .find(|st| st.name() == s)
    }

    /// Still open: the author may edit or withdraw it.
    pub fn is_open(self) -> bool {
        matches!(self, State::Draft | State::Submitted | State::ChangesRequested | State::Approved)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Edit,
    Create,
    Delete,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Edit => "edit",
            Kind::Create => "create",
            Kind::Delete => "delete",
        }
    }

    fn parse(s: &str) -> Kind {
        match s {
            "create" => Kind::Create,
            "delete" => Kind::Delete,
            _ => Kind::Edit,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: i64,
    pub kind: Kind,
    pub path: String,
    pub page_id: Option<String>,
    pub state: State,
    pub summary: String,
    pub author: String,
    #[serde(skip)]
    pub author_id: i64,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    /// Who approved it or asked for changes.
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The release it was published in.
    pub release: Option<i64>,
    /// sha256 of the published text it was written against (`None` for a new file).
    pub base_sha256: Option<String>,
    /// The proposed text (`None` for a deletion).
    #[serde(skip)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub id: i64,
    pub author: String,
    /// `comment`, `request_changes` or `approve`.
    pub kind: String,
    pub body: String,
    pub at: String,
}

/// A change with everything a reviewer needs.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    #[serde(flatten)]
    pub change: Change,
    pub source: Option<String>,
    /// The text published now (`None` for a new file).
    pub published_source: Option<String>,
    pub diff: Diff,
    pub problems: Vec<Problem>,
    pub preview_html: Option<String>,
    pub comments: Vec<Comment>,
    /// The published file changed since this change was written: the author must save it again.
    pub stale: bool,
    /// What the viewer may do now.
    pub can: Can,
}

#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Can {
    pub edit: bool,
    pub submit: bool,
    pub approve: bool,
    pub request_changes: bool,
    pub withdraw: bool,
    pub comment: bool,
}

const CHANGE_COLUMNS: &str = "c.id, c.kind, c.path, c.page_id, c.state, c.summary, a.name, c.author_id, c.created_at,
    c.updated_at, c.submitted_at, d.name, c.decided_at, c.release, c.base_sha256, c.source";
const CHANGE_FROM: &str = "FROM changes c JOIN users a ON a.id = c.author_id LEFT JOIN users d ON d.id = c.decided_by";

fn change_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Change> {
    let opt_time = |v: Option<i64>| v.map(format_secs);
    Ok(Change {
        id: r.get(0)?,
        kind: Kind::parse(&r.get::<_, String>(1)?),
        path: r.get(2)?,
        page_id: r.get(3)?,
        state: State::parse(&r.get::<_, String>(4)?).unwrap_or(State::Draft),
        summary: r.get(5)?,
        author: r.get(6)?,
        author_id: r.get(7)?,
        created_at: format_secs(r.get(8)?),
        updated_at: format_secs(r.get(9)?),
        submitted_at: opt_time(r.get(10)?),
        decided_by: r.get(11)?,
        decided_at: opt_time(r.get(12)?),
        release: r.get(13)?,
        base_sha256: r.get(14)?,
        source: r.get(15)?,
    })
}

pub(crate) fn load_change(db: &Connection, id: i64) -> Result<Change> {
    db.query_row(&format!("SELECT {CHANGE_COLUMNS} {CHANGE_FROM} WHERE c.id = ?1"), [id], change_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no change {id}")))
}

/// Approved changes waiting to be published, in the order they were approved.
pub(crate) fn approved(db: &Connection) -> Result<Vec<Change>> {
    let mut stmt = db.prepare(&format!(
        "SELECT {CHANGE_COLUMNS} {CHANGE_FROM} WHERE c.state = 'approved' ORDER BY c.decided_at, c.id"
    ))?;
    let rows = stmt.query_map([], change_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// One line, trimmed and bounded: it becomes the manifest's note for the file.
fn clean_summary(summary: &str) -> String {
    let printable: String = summary.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let one_line = printable.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    for c in one_line.chars() {
        if out.len() + c.len_utf8() > MAX_SUMMARY {
            break;
        }
        out.push(c);
    }
    out
}

fn check_source(source: &str) -> Result<()> {
    if source.len() > MAX_FILE_BYTES {
        return Err(Error::Invalid(format!(
            "the text is {} bytes; a content file is at most {MAX_FILE_BYTES}",
            source.len()
        )));
    }
    Ok(())
}

/// Whether the published file has moved on since `change` was written.
fn is_stale(change: &Change, latest: &ReleaseView) -> bool {
    check::base_of(&latest.files, &change.path) != change.base_sha256
}

impl Editors {
    /// Saves the actor's draft of an existing page (creating the draft, or updating their open
    /// change to it). Saved even with problems, so no work is lost; submitting needs none.
    pub fn save_page_draft(
        &self,
        actor: &Actor,
        page_id: &str,
        source: &str,
        summary: &str,
    ) -> Result<(Change, Outcome)> {
        actor.require_writer()?;
        check_source(source)?;
        let latest = self.require_latest()?;
        let page = latest.page(page_id).ok_or_else(|| Error::NotFound(format!("no published page '{page_id}'")))?;
        if let Some((id, _)) = new_page_path(source) {
            if id != page_id {
                return Err(Error::Invalid(format!(
                    "the page's id is '{page_id}' and cannot change to '{id}': create a new page and delete this one"
                )));
            }
        }
        let path = page.path.clone();
        self.upsert(actor, Kind::Edit, &path, Some(page_id), Some(source), summary, &latest)
    }

    /// Drafts a new page; its path (`guidance/<topic>/<id>.md`) comes from its front matter.
    pub fn create_page(&self, actor: &Actor, source: &str, summary: &str) -> Result<(Change, Outcome)> {
        actor.require_writer()?;
        check_source(source)?;
        let latest = self.require_latest()?;
        let Some((id, path)) = new_page_path(source) else {
            return Err(Error::Problems {
                message: "a new page needs front matter with an id and a topic".into(),
                problems: vec![Problem {
                    path: "guidance/new.md".into(),
                    line: 1,
                    severity: "error",
                    message: "start with +++, then id = \"lower-case-words\" and topic = \"a topic id\"".into(),
                }],
            });
        };
        if latest.files.get(&path).is_some() || latest.page(&id).is_some() {
            return Err(Error::Conflict(format!("a page with id '{id}' is already published: edit it instead")));
        }
        self.upsert(actor, Kind::Create, &path, Some(&id), Some(source), summary, &latest)
    }

    /// Drafts the removal of a page.
    pub fn propose_deletion(&self, actor: &Actor, page_id: &str, summary: &str) -> Result<(Change, Outcome)> {
        actor.require_writer()?;
        let latest = self.require_latest()?;
        let page = latest.page(page_id).ok_or_else(|| Error::NotFound(format!("no published page '{page_id}'")))?;
        let path = page.path.clone();
        self.upsert(actor, Kind::Delete, &path, Some(page_id), None, summary, &latest)
    }

    /// Drafts new text for a content file that is not a page: topics, search synonyms, a
    /// contacts directory or the register of superseded law.
    pub fn save_file_draft(&self, actor: &Actor, path: &str, source: &str, summary: &str) -> Result<(Change, Outcome)> {
        actor.require_writer()?;
        check_source(source)?;
        if path.starts_with("guidance/") || !safeguarding_content::is_content_path(path) {
            return Err(Error::Invalid(format!(
                "{path} is not a content file edited here (pages are edited as pages)"
            )));
        }
        safeguarding_sync_format::validate_document_path(path).map_err(|e| Error::Invalid(format!("{path}: {e}")))?;
        let latest = self.require_latest()?;
        let kind = if latest.files.get(path).is_some() { Kind::Edit } else { Kind::Create };
        self.upsert(actor, kind, path, None, Some(source), summary, &latest)
    }

    /// Drafts a whole contacts directory (`contacts/<dir>/`) as a bundle of its `.toml` files.
    pub(super) fn save_directory_draft(
        &self,
        actor: &Actor,
        dir: &str,
        bundle: &str,
        summary: &str,
    ) -> Result<(Change, Outcome)> {
        actor.require_writer()?;
        check_source(bundle)?;
        unbundle(bundle)?;
        let latest = self.require_latest()?;
        let kind = if check::published_text(&latest.files, dir).is_some() { Kind::Edit } else { Kind::Create };
        self.upsert(actor, kind, dir, None, Some(bundle), summary, &latest)
    }

    #[allow(clippy::too_many_arguments)]
    fn upsert(
        &self,
        actor: &Actor,
        kind: Kind,
        path: &str,
        page_id: Option<&str>,
        source: Option<&str>,
        summary: &str,
        latest: &ReleaseView,
    ) -> Result<(Change, Outcome)> {
        let outcome = check_change(latest, path, source, today());
        let base = check::base_of(&latest.files, path);
        let summary = clean_summary(summary);
        let user_id = actor.user_id.ok_or_else(|| Error::Forbidden("only a person can write a change".into()))?;
        let now = now_secs();
        let mut db = self.db();
        let tx = db.transaction()?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM changes WHERE author_id = ?1 AND path = ?2
                 AND state IN ('draft', 'submitted', 'changes_requested', 'approved') ORDER BY id DESC LIMIT 1",
                params![user_id, path],
                |r| r.get(0),
            )
            .optional()?;
        let id = match existing {
            Some(id) => {
                // Any edit is a new proposal: back to draft, earlier approval void.
                tx.execute(
                    "UPDATE changes SET kind = ?1, page_id = ?2, base_sha256 = ?3, source = ?4,
                     summary = CASE WHEN ?5 = '' THEN summary ELSE ?5 END, state = 'draft', updated_at = ?6,
                     submitted_at = NULL, decided_by = NULL, decided_at = NULL WHERE id = ?7",
                    params![kind.name(), page_id, base, source, summary, now, id],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO changes (kind, path, page_id, base_sha256, source, summary, author_id, state, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'draft', ?8, ?8)",
                    params![kind.name(), path, page_id, base, source, summary, user_id, now],
                )?;
                tx.last_insert_rowid()
            }
        };
        let detail = format!("{} {path}; {} problem(s)", kind.name(), outcome.problems.len());
        audit::record(&tx, actor, Entry::new("change.save", format!("change:{id}"), detail))?;
        tx.commit()?;
        let change = load_change(&db, id)?;
        Ok((change, outcome))
    }

    /// Sends the author's draft for review. Refused while it has errors.
    pub fn submit(&self, actor: &Actor, id: i64) -> Result<Change> {
        let change = load_change(&self.db(), id)?;
        if actor.user_id != Some(change.author_id) {
            return Err(Error::Forbidden("only the change's author can submit it".into()));
        }
        actor.require_writer()?;
        if !matches!(change.state, State::Draft | State::ChangesRequested) {
            return Err(Error::Conflict(format!("change {id} is {}, not a draft", change.state.name())));
        }
        let latest = self.require_latest()?;
        let outcome = check_change(&latest, &change.path, change.source.as_deref(), today());
        if outcome.has_errors {
            return Err(Error::Problems {
                message: "fix the errors before submitting".into(),
                problems: outcome.problems,
            });
        }
        let db = self.db();
        let n = db.execute(
            "UPDATE changes SET state = 'submitted', submitted_at = ?1, updated_at = ?1 WHERE id = ?2
             AND state IN ('draft', 'changes_requested')",
            params![now_secs(), id],
        )?;
        if n == 0 {
            return Err(Error::Conflict(format!("change {id} changed meanwhile; reload it")));
        }
        audit::record(&db, actor, Entry::new("change.submit", format!("change:{id}"), change.path.clone()))?;
        load_change(&db, id)
    }

    /// The reviewer's checks shared by approve and request-changes.
    fn check_reviewer(&self, actor: &Actor, change: &Change, what: &str) -> Result<()> {
        actor.require(Role::Approver, what)?;
        if actor.user_id == Some(change.author_id) {
            return Err(Error::Forbidden(format!(
                "you wrote change {}: another approver must review it (nobody approves their own change)",
                change.id
            )));
        }
        if change.state != State::Submitted {
            return Err(Error::Conflict(format!(
                "change {} is {}, not waiting for review",
                change.id,
                change.state.name()
            )));
        }
        Ok(())
    }

    pub fn approve(&self, actor: &Actor, id: i64, comment: &str) -> Result<Change> {
        let change = load_change(&self.db(), id)?;
        self.check_reviewer(actor, &change, "approve changes")?;
        let latest = self.require_latest()?;
        if is_stale(&change, &latest) {
            return Err(Error::Conflict(format!(
                "{} has been published differently since change {id} was written: its author must save it again",
                change.path
            )));
        }
        let outcome = check_change(&latest, &change.path, change.source.as_deref(), today());
        if outcome.has_errors {
            return Err(Error::Problems {
                message: "the change has errors; it cannot be approved".into(),
                problems: outcome.problems,
            });
        }
        let comment = comment.trim();
        if comment.len() > MAX_COMMENT {
            return Err(Error::Invalid(format!("a comment is at most {MAX_COMMENT} bytes")));
        }
        let now = now_secs();
        let mut db = self.db();
        let tx = db.transaction()?;
        let other: Option<i64> = tx
            .query_row(
                // The same file, or a directory change and a file inside that directory.
                "SELECT id FROM changes WHERE state = 'approved' AND id != ?2 AND (path = ?1
                   OR (substr(?1, -1) = '/' AND substr(path, 1, length(?1)) = ?1)
                   OR (substr(path, -1) = '/' AND substr(?1, 1, length(path)) = path)) LIMIT 1",
                params![change.path, id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(other) = other {
            return Err(Error::Conflict(format!(
                "change {other} to {} is approved and not yet published: publish it first",
                change.path
            )));
        }
        let decider = actor.user_id.ok_or_else(|| Error::Forbidden("only a person can approve".into()))?;
        let n = tx.execute(
            "UPDATE changes SET state = 'approved', decided_by = ?1, decided_at = ?2, updated_at = ?2
             WHERE id = ?3 AND state = 'submitted' AND author_id != ?1",
            params![decider, now, id],
        )?;
        if n == 0 {
            return Err(Error::Conflict(format!("change {id} changed meanwhile; reload it")));
        }
        if !comment.is_empty() {
            add_comment(&tx, id, decider, "approve", comment, now)?;
        }
        audit::record(&tx, actor, Entry::new("change.approve", format!("change:{id}"), change.path.clone()))?;
        tx.commit()?;
        load_change(&db, id)
    }

    pub fn request_changes(&self, actor: &Actor, id: i64, comment: &str) -> Result<Change> {
        let change = load_change(&self.db(), id)?;
        self.check_reviewer(actor, &change, "request changes")?;
        let comment = check_comment(comment)?;
        let decider = actor.user_id.ok_or_else(|| Error::Forbidden("only a person can review".into()))?;
        let now = now_secs();
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "UPDATE changes SET state = 'changes_requested', decided_by = ?1, decided_at = ?2, updated_at = ?2 WHERE id = ?3",
            params![decider, now, id],
        )?;
        add_comment(&tx, id, decider, "request_changes", &comment, now)?;
        audit::record(&tx, actor, Entry::new("change.request_changes", format!("change:{id}"), comment.clone()))?;
        tx.commit()?;
        load_change(&db, id)
    }

    pub fn comment(&self, actor: &Actor, id: i64, body: &str) -> Result<Comment> {
        if !(actor.has(Role::Editor) || actor.has(Role::Approver)) {
            return Err(Error::Forbidden("only editors and approvers can comment".into()));
        }
        let body = check_comment(body)?;
        let user = actor.user_id.ok_or_else(|| Error::Forbidden("only a person can comment".into()))?;
        let change = load_change(&self.db(), id)?;
        let now = now_secs();
        let mut db = self.db();
        let tx = db.transaction()?;
        let cid = add_comment(&tx, change.id, user, "comment", &body, now)?;
        audit::record(&tx, actor, Entry::new("change.comment", format!("change:{id}"), body.clone()))?;
        tx.commit()?;
        Ok(Comment { id: cid, author: actor.name.clone(), kind: "comment".into(), body, at: format_secs(now) })
    }

    pub fn withdraw(&self, actor: &Actor, id: i64) -> Result<Change> {
        let change = load_change(&self.db(), id)?;
        if actor.user_id != Some(change.author_id) {
            return Err(Error::Forbidden("only the change's author can withdraw it".into()));
        }
        if !change.state.is_open() {
            return Err(Error::Conflict(format!("change {id} is {}", change.state.name())));
        }
        let db = self.db();
        db.execute("UPDATE changes SET state = 'withdrawn', updated_at = ?1 WHERE id = ?2", params![now_secs(), id])?;
        audit::record(&db, actor, Entry::new("change.withdraw", format!("change:{id}"), change.path.clone()))?;
        load_change(&db, id)
    }

    /// Changes, newest first; `state` filters; `mine` keeps the actor's own.
    pub fn changes(&self, actor: &Actor, state: Option<State>, mine: bool) -> Result<Vec<Change>> {
        let db = self.db();
        let mut stmt = db.prepare(&format!(
            "SELECT {CHANGE_COLUMNS} {CHANGE_FROM} WHERE (?1 IS NULL OR c.state = ?1) AND (?2 IS NULL OR c.author_id = ?2)
             ORDER BY c.updated_at DESC, c.id DESC LIMIT 500"
        ))?;
        let mine = if mine { actor.user_id } else { None };
        let rows = stmt.query_map(params![state.map(State::name), mine], change_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The actor's open change to `path`, if any (the editor resumes it).
    pub fn open_change_for(&self, actor: &Actor, path: &str) -> Result<Option<Change>> {
        let Some(user) = actor.user_id else { return Ok(None) };
        let db = self.db();
        Ok(db
            .query_row(
                &format!(
                    "SELECT {CHANGE_COLUMNS} {CHANGE_FROM} WHERE c.author_id = ?1 AND c.path = ?2
                     AND c.state IN ('draft', 'submitted', 'changes_requested', 'approved') ORDER BY c.id DESC LIMIT 1"
                ),
                params![user, path],
                change_row,
            )
            .optional()?)
    }

    /// A change with its diff against what is published, its problems, preview and comments.
    pub fn change_detail(&self, actor: &Actor, id: i64) -> Result<Detail> {
        let change = load_change(&self.db(), id)?;
        let latest = self.require_latest()?;
        // A published change is shown against the release before it, so history stays readable.
        let published_source = match change.release {
            Some(r) if change.state == State::Published => {
                if is_directory(&change.path) {
                    check::published_text(&self.release(r - 1)?.files, &change.path)
                } else {
                    self.text_at(&change.path, r - 1)?
                }
            }
            _ => check::published_text(&latest.files, &change.path),
        };
        let d = diff(
            published_source.as_deref().unwrap_or(""),
            change.source.as_deref().unwrap_or(""),
            &format!("published/{}", change.path),
            &format!("change-{id}/{}", change.path),
        );
        let outcome = if change.state.is_open() {
            check_change(&latest, &change.path, change.source.as_deref(), today())
        } else {
            let preview = change.source.as_deref().and_then(|s| {
                safeguarding_content::parse_page(&change.path, s, &mut Default::default())
                    .map(|p| super::render::page(&p))
            });
            Outcome { problems: Vec::new(), has_errors: false, preview_html: preview }
        };
        let comments = {
            let db = self.db();
            let mut stmt = db.prepare(
                "SELECT m.id, u.name, m.kind, m.body, m.at FROM comments m JOIN users u ON u.id = m.author_id
                 WHERE m.change_id = ?1 ORDER BY m.id",
            )?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok(Comment {
                        id: r.get(0)?,
                        author: r.get(1)?,
                        kind: r.get(2)?,
                        body: r.get(3)?,
                        at: format_secs(r.get(4)?),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows
        };
        let is_author = actor.user_id == Some(change.author_id);
        let writer = actor.has(Role::Editor) || actor.has(Role::Approver);
        let reviewer = actor.has(Role::Approver) && !is_author && change.state == State::Submitted;
        let can = Can {
            edit: is_author && change.state.is_open() && change.kind != Kind::Delete,
            submit: is_author && matches!(change.state, State::Draft | State::ChangesRequested) && !outcome.has_errors,
            approve: reviewer && !outcome.has_errors && !is_stale(&change, &latest),
            request_changes: reviewer,
            withdraw: is_author && change.state.is_open(),
            comment: writer,
        };
        let stale = change.state.is_open() && is_stale(&change, &latest);
        Ok(Detail {
            source: change.source.clone(),
            published_source,
            diff: d,
            problems: outcome.problems,
            preview_html: outcome.preview_html,
            comments,
            stale,
            can,
            change,
        })
    }

    /// Proposes republishing the text `path` had in release `release`, as a new change that
    /// goes through review like any other (a rollback is always forward in version).
    pub fn restore(&self, actor: &Actor, page_id: &str, release: i64) -> Result<(Change, Outcome)> {
        actor.require_writer()?;
        let path = self.page_path(page_id)?.ok_or_else(|| Error::NotFound(format!("no page '{page_id}'")))?;
        let text = self
            .text_at(&path, release)?
            .ok_or_else(|| Error::NotFound(format!("page '{page_id}' was not in release {release}")))?;
        let latest = self.require_latest()?;
        if latest.text(&path).as_deref() == Some(text.as_str()) {
            return Err(Error::Conflict(format!(
                "the published text of '{page_id}' is already that of release {release}"
            )));
        }
        let kind = if latest.files.get(&path).is_some() { Kind::Edit } else { Kind::Create };
        let summary = format!("Restore the text published in release {release}");
        let (change, outcome) = self.upsert(actor, kind, &path, Some(page_id), Some(&text), &summary, &latest)?;
        self.submit_if_clean(actor, change, outcome)
    }

    /// Proposes marking a page reviewed today: `last_reviewed` becomes today and `next_review`
    /// moves on by the page's current review interval. It goes through approval like any edit.
    pub fn mark_reviewed(&self, actor: &Actor, page_id: &str) -> Result<(Change, Outcome)> {
        actor.require_writer()?;
        let latest = self.require_latest()?;
        let page = latest.page(page_id).ok_or_else(|| Error::NotFound(format!("no published page '{page_id}'")))?;
        let text = latest.text(&page.path).unwrap_or_default();
        let today = today();
        let interval = (page.next_review - page.last_reviewed).num_days().clamp(30, 3 * 366);
        let next = today + chrono::Duration::days(interval);
        let updated = set_front_matter_dates(&text, today, next)
            .ok_or_else(|| Error::Invalid(format!("cannot find last_reviewed and next_review in '{page_id}'")))?;
        let (path, summary) = (page.path.clone(), format!("Reviewed {today}; next review {next}"));
        let (change, outcome) =
            self.upsert(actor, Kind::Edit, &path, Some(page_id), Some(&updated), &summary, &latest)?;
        self.submit_if_clean(actor, change, outcome)
    }

    fn submit_if_clean(&self, actor: &Actor, change: Change, outcome: Outcome) -> Result<(Change, Outcome)> {
        if outcome.has_errors {
            return Ok((change, outcome));
        }
        let change = self.submit(actor, change.id)?;
        Ok((change, outcome))
    }

    /// Re-checks a saved change without changing it (for the editor's "check" button).
    pub fn check_text(&self, path: &str, source: Option<&str>) -> Result<Outcome> {
        if let Some(s) = source {
            check_source(s)?;
        }
        let latest = self.require_latest()?;
        Ok(check::check_change(&latest, path, source, today()))
    }
}

fn check_comment(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::Invalid("write a comment".into()));
    }
    if body.len() > MAX_COMMENT {
        return Err(Error::Invalid(format!("a comment is at most {MAX_COMMENT} bytes")));
    }
    Ok(body.to_string())
}

fn add_comment(db: &Connection, change: i64, author: i64, kind: &str, body: &str, at: i64) -> Result<i64> {
    db.execute(
        "INSERT INTO comments (change_id, author_id, kind, body, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![change, author, kind, body, at],
    )?;
    Ok(db.last_insert_rowid())
}

/// Rewrites the `last_reviewed` and `next_review` lines of a page's front matter.
fn set_front_matter_dates(text: &str, last: NaiveDate, next: NaiveDate) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let (mut in_front, mut seen_open, mut done_last, mut done_next) = (false, false, false, false);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed == "+++" {
            in_front = !seen_open;
            seen_open = true;
            out.push_str(line);
            continue;
        }
        let key = trimmed.split('=').next().map(str::trim);
        if in_front && key == Some("last_reviewed") {
            out.push_str(&format!("last_reviewed = {last}\n"));
            done_last = true;
        } else if in_front && key == Some("next_review") {
            out.push_str(&format!("next_review = {next}\n"));
            done_next = true;
        } else {
            out.push_str(line);
        }
    }
    (done_last && done_next).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_dates_are_rewritten_in_the_front_matter_only() {
        let text = "+++\nid = \"a\"\nlast_reviewed = 2025-01-01\nnext_review = 2026-01-01\n+++\n\nlast_reviewed = 1999-01-01\n";
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let out = set_front_matter_dates(text, d("2026-12-02"), d("2027-12-02")).expect("rewritten");
        assert!(out.contains("last_reviewed = 2026-12-02\nnext_review = 2027-12-02\n"), "{out}");
        assert!(out.ends_with("last_reviewed = 1999-01-01\n"), "{out}");
        assert_eq!(clean_summary("  two\nlines  "), "two lines");
        assert!(clean_summary(&"é".repeat(400)).len() <= MAX_SUMMARY, "bytes, not characters");
    }
}
