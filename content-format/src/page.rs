//! A guidance page: TOML front matter plus a Markdown body, parsed into fields, blocks, sections
//! and plain text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::blocks::{Block, CalloutKind, LinkTarget};
use crate::diagnostic::{Diagnostics, Lines};
use crate::fields::{Fields, ListEntry, Located, TomlSource};
use crate::markdown::parse_body;

/// Who a page is written for. `all-staff` pages match every audience filter.
pub const AUDIENCES: &[&str] = &["all-staff", "health", "ambulance", "social-care", "education", "safeguarding-leads"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub audience: Vec<String>,
    /// Whether a worker may have to act on the page (it then opens with an act-now box).
    #[serde(default)]
    pub kind: PageKind,
    pub summary: String,
    pub keywords: Vec<String>,
    /// Situations and questions, in a worker's own words, that this page answers.
    #[serde(default)]
    pub asked_as: Vec<String>,
    pub legal_basis: Vec<String>,
    pub sources: Vec<Source>,
    /// Dated changes for readers, newest first.
    #[serde(default)]
    pub changes: Vec<Change>,
    pub last_reviewed: NaiveDate,
    pub next_review: NaiveDate,
    pub version: u32,
    pub blocks: Vec<Block>,
    /// Path within the content folder, for messages.
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    pub(crate) lines: PageLines,
    #[serde(skip)]
    pub(crate) links: Vec<Located<LinkTarget>>,
}

/// Whether a page is something a worker acts on or background reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    #[default]
    Action,
    Background,
}

/// A publication a page was written from; `url` (https only) lets a reader open the original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One dated change, shown to readers as "Updated 3 June 2026: ...".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub date: NaiveDate,
    pub summary: String,
}

/// Where some fields are, for checks made once every file is read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageLines {
    pub id: usize,
    pub topic: usize,
    pub next_review: usize,
    pub last_reviewed: usize,
    /// Lines of front-matter strings a superseded-law check looks at, by field.
    pub front: Vec<(&'static str, usize, String)>,
    /// Line of each body block, in block order.
    pub blocks: Vec<usize>,
}

/// A stretch of a page under one heading (or before the first heading), the unit search uses
/// to say where in a page a match is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// `None` for the text before the first heading.
    pub anchor: Option<String>,
    pub heading: Option<String>,
    pub text: String,
}

impl Page {
    /// The page's words as plain text: headings, paragraphs and list items on their own lines.
    pub fn plain_text(&self) -> String {
        self.blocks.iter().map(Block::plain_text).collect::<Vec<_>>().join("\n\n")
    }

    /// The page split at its headings.
    pub fn sections(&self) -> Vec<Section> {
        let mut sections = vec![Section { anchor: None, heading: None, text: String::new() }];
        for block in &self.blocks {
            if let Block::Heading { text, anchor, .. } = block {
                sections.push(Section {
                    anchor: Some(anchor.clone()),
                    heading: Some(text.clone()),
                    text: String::new(),
                });
                continue;
            }
            if let Some(current) = sections.last_mut() {
                if !current.text.is_empty() {
                    current.text.push('\n');
                }
                current.text.push_str(&block.plain_text());
            }
        }
        if sections[0].text.is_empty() && sections.len() > 1 {
            sections.remove(0);
        }
        sections
    }

    /// Anchors of every heading on the page.
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Heading { anchor, .. } => Some(anchor.as_str()),
            _ => None,
        })
    }

    /// Every heading's text, for the search index's headings field.
    pub fn headings(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Heading { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }

    /// True when the page matches an audience filter.
    pub fn is_for(&self, audience: &str) -> bool {
        self.audience.iter().any(|a| a == audience || a == "all-staff")
    }

    /// True once `next_review` has passed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.next_review < today
    }
}

pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Parses one page file. Returns `None` when the page has errors that leave it unusable; every
/// problem is added to `diags` either way.
pub fn parse_page(path: &str, text: &str, diags: &mut Diagnostics) -> Option<Page> {
    let before = diags.errors().count();
    let lines = Lines::new(text);
    let (front, front_base, body, body_base) = split_front_matter(path, text, diags)?;
    let src = TomlSource::new(path, text, front_base);
    let table = src.parse(front, diags)?;
    let mut f = Fields::new(&src, diags, table.get_ref(), 1, "");

    let id = f.string("id", true);
    let title = f.string("title", true);
    let topic = f.string("topic", true);
    let audience = f.string_list("audience", true, 1);
    let kind = f.string("kind", false);
    let summary = f.string("summary", true);
    let keywords = f.string_list("keywords", true, 1);
    let asked_as = f.string_list("asked_as", false, 0);
    let legal_basis = f.string_list("legal_basis", true, 1);
    let sources = read_sources(&mut f);
    let changes = read_changes(&mut f);
    let last_reviewed = f.date("last_reviewed", true);
    let next_review = f.date("next_review", true);
    let version = f.integer("version", true);

    if let Some(id) = &id {
        if !is_slug(&id.value) {
            f.error(id.line, format!("`id` '{}' must be lower-case letters, digits and single hyphens", id.value));
        }
        let stem = path.rsplit('/').next().and_then(|n| n.strip_suffix(".md")).unwrap_or("");
        if stem != id.value {
            f.warning(id.line, format!("`id` '{}' differs from the file name '{stem}.md'", id.value));
        }
    }
    for a in audience.iter().flatten() {
        if !AUDIENCES.contains(&a.value.as_str()) {
            f.error(a.line, format!("unknown audience '{}' (expected one of: {})", a.value, AUDIENCES.join(", ")));
        }
    }
    if let Some(s) = &summary {
        let sentences = s.value.trim_end_matches(['.', '?', '!']).split(". ").count();
        if sentences > 2 || s.value.len() > 400 {
            f.warning(s.line, "`summary` should be one or two short sentences");
        }
    }
    let kind = match kind {
        None => Some(PageKind::Action),
        Some(k) if k.value == "action" => Some(PageKind::Action),
        Some(k) if k.value == "background" => Some(PageKind::Background),
        Some(k) => {
            f.error(k.line, format!("`kind` must be \"action\" or \"background\", found '{}'", k.value));
            None
        }
    };
    if let (Some(changes), Some(last)) = (&changes, &last_reviewed) {
        for pair in changes.windows(2) {
            if pair[1].0.date > pair[0].0.date {
                f.error(pair[1].1, "`changes` must be listed newest first");
            }
        }
        for (c, line) in changes {
            if c.date > last.value {
                f.error(*line, format!("change dated {} is after `last_reviewed` {}", c.date, last.value));
            }
        }
    }
    if let (Some(last), Some(next)) = (&last_reviewed, &next_review) {
        if next.value <= last.value {
            f.error(next.line, "`next_review` must be after `last_reviewed`");
        }
    }
    if let Some(v) = &version {
        if v.value < 1 || v.value > i64::from(u32::MAX) {
            f.error(v.line, "`version` must be a whole number from 1");
        }
    }
    f.finish();

    let parsed = parse_body(path, body, &lines, body_base, diags);
    if diags.errors().count() > before {
        return None;
    }
    let (
        Some(id),
        Some(title),
        Some(topic),
        Some(kind),
        Some(audience),
        Some(summary),
        Some(keywords),
        Some(legal_basis),
        Some(sources),
        Some(changes),
        Some(last_reviewed),
        Some(next_review),
        Some(version),
    ) = (
        id,
        title,
        topic,
        kind,
        audience,
        summary,
        keywords,
        legal_basis,
        sources,
        changes,
        last_reviewed,
        next_review,
        version,
    )
    else {
        return None;
    };
    let asked_as = asked_as.unwrap_or_default();
    let mut front = Vec::new();
    front.push(("summary", summary.line, summary.value.clone()));
    for (field, list) in [("keywords", &keywords), ("asked_as", &asked_as), ("legal_basis", &legal_basis)] {
        front.extend(list.iter().map(|l| (field, l.line, l.value.clone())));
    }
    front.extend(sources.iter().map(|(s, line)| ("sources", *line, s.title.clone())));
    let values = |v: Vec<Located<String>>| v.into_iter().map(|l| l.value).collect::<Vec<_>>();
    Some(Page {
        lines: PageLines {
            id: id.line,
            topic: topic.line,
            next_review: next_review.line,
            last_reviewed: last_reviewed.line,
            front,
            blocks: parsed.block_lines,
        },
        id: id.value,
        title: title.value,
        topic: topic.value,
        kind,
        audience: values(audience),
        summary: summary.value,
        keywords: values(keywords),
        asked_as: values(asked_as),
        legal_basis: values(legal_basis),
        sources: sources.into_iter().map(|(s, _)| s).collect(),
        changes: changes.into_iter().map(|(c, _)| c).collect(),
        last_reviewed: last_reviewed.value,
        next_review: next_review.value,
        version: u32::try_from(version.value).unwrap_or(1),
        blocks: parsed.blocks,
        path: path.to_string(),
        links: parsed.links,
    })
}

/// Words before the first numbered step beyond which a worker has scrolled too far to act.
const ACT_NOW_WORD_LIMIT: usize = 200;
/// Steps longer than this are hard to follow in a hurry.
const STEP_WORD_LIMIT: usize = 30;

/// A page a worker acts on opens with an act-now box, reaches its numbered steps quickly, and
/// keeps each step short. Warnings, not errors: an editor may have a reason.
pub(crate) fn check_act_now(page: &Page, diags: &mut Diagnostics) {
    if page.kind != PageKind::Action {
        return;
    }
    let line_of = |i: usize| page.lines.blocks.get(i).copied().unwrap_or(1);
    if !page.blocks.iter().any(|b| matches!(b, Block::Callout { kind: CalloutKind::ActNow, .. })) {
        diags.warning(
            &page.path,
            line_of(0),
            format!(
                "'{}' is an action page with no [!ACT NOW] box (set `kind = \"background\"` if nobody acts on it)",
                page.id
            ),
        );
    }
    let mut words = 0;
    let mut first_steps = None;
    for (i, block) in page.blocks.iter().enumerate() {
        if let Block::Steps { items } = block {
            first_steps.get_or_insert(i);
            for item in items {
                let n = item.text.text.split_whitespace().count();
                if n > STEP_WORD_LIMIT + 5 {
                    diags.warning(
                        &page.path,
                        line_of(i),
                        format!("a step has {n} words; keep steps under about {STEP_WORD_LIMIT}"),
                    );
                }
            }
        }
        if first_steps.is_none() {
            words += block.plain_text().split_whitespace().count();
        }
    }
    match first_steps {
        None => {
            diags.warning(&page.path, line_of(0), format!("'{}' is an action page with no numbered steps", page.id))
        }
        Some(i) if words > ACT_NOW_WORD_LIMIT => diags.warning(
            &page.path,
            line_of(i),
            format!("the first numbered steps come after {words} words; bring them within about {ACT_NOW_WORD_LIMIT}"),
        ),
        Some(_) => {}
    }
}

/// `sources`: each entry a string (a title) or a table `{ title, url }` with an https url.
fn read_sources(f: &mut Fields<'_, '_, '_, '_>) -> Option<Vec<(Source, usize)>> {
    let mut out = Vec::new();
    let mut ok = true;
    for item in f.mixed_list("sources", true)? {
        match item {
            ListEntry::Text(title) => out.push((Source { title: title.value, url: None }, title.line)),
            ListEntry::Table(table, line) => {
                let mut t = f.child(table, line, "source");
                let title = t.string("title", true);
                let url = t.string("url", false);
                t.finish();
                if let Some(u) = &url {
                    if !is_https_url(&u.value) {
                        ok = false;
                        f.error(u.line, format!("source url '{}' must be an https:// address", u.value));
                    }
                }
                match title {
                    Some(title) => out.push((Source { title: title.value, url: url.map(|u| u.value) }, line)),
                    None => ok = false,
                }
            }
        }
    }
    if out.is_empty() {
        let line = f.line_of("sources");
        f.error(line, "`sources` needs at least 1 entry");
        return None;
    }
    ok.then_some(out)
}

/// `changes = [{ date, summary }]`, newest first.
fn read_changes(f: &mut Fields<'_, '_, '_, '_>) -> Option<Vec<(Change, usize)>> {
    let mut out = Vec::new();
    let mut ok = true;
    let Some(items) = f.mixed_list("changes", false) else { return Some(out) };
    for item in items {
        match item {
            ListEntry::Text(t) => {
                ok = false;
                f.error(t.line, "each entry of `changes` must be a table `{ date = YYYY-MM-DD, summary = \"...\" }`");
            }
            ListEntry::Table(table, line) => {
                let mut t = f.child(table, line, "change");
                let date = t.date("date", true);
                let summary = t.string("summary", true);
                t.finish();
                match (date, summary) {
                    (Some(d), Some(s)) => out.push((Change { date: d.value, summary: s.value }, line)),
                    _ => ok = false,
                }
            }
        }
    }
    ok.then_some(out)
}

pub(crate) fn is_https_url(url: &str) -> bool {
    url.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && host.contains('.') && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// Splits `+++` front matter from the body. Returns (front, front offset, body, body offset).
fn split_front_matter<'t>(
    path: &str,
    text: &'t str,
    diags: &mut Diagnostics,
) -> Option<(&'t str, usize, &'t str, usize)> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let rest = &text[start..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != "+++" {
        diags.error(path, 1, "the page must start with a `+++` line opening its front matter");
        return None;
    }
    let front_base = start + first_line_end;
    let mut offset = front_base;
    for line in text[front_base..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let body_base = offset + line.len();
            return Some((&text[front_base..offset], front_base, &text[body_base..], body_base));
        }
        offset += line.len();
    }
    diags.error(path, 1, "the front matter is not closed: add a `+++` line after it");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const GOOD: &str = r#"+++
id = "fgm-reporting"
title = "FGM: reporting"
topic = "fgm"
audience = ["health"]
summary = "Report known FGM in under-18s to the police."
keywords = ["FGM", "cutting"]
legal_basis = ["FGM Act 2003, s5B"]
sources = ["Home Office (2016)"]
last_reviewed = 2026-11-23
next_review = 2027-11-23
version = 1
+++

> [!ACT NOW]
> Call [101](tel:101).

## Who {#who}

Regulated professionals.
"#;

    #[test]
    fn parses_a_good_page() {
        let mut diags = Diagnostics::default();
        let page = parse_page("guidance/fgm/fgm-reporting.md", GOOD, &mut diags).expect("page");
        assert!(diags.is_empty(), "{diags}");
        assert_eq!(page.id, "fgm-reporting");
        assert_eq!(page.keywords, vec!["FGM", "cutting"]);
        assert_eq!(page.next_review, NaiveDate::from_ymd_opt(2027, 11, 23).unwrap());
        assert_eq!(page.lines.topic, 4);
        let sections = page.sections();
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].anchor, None);
        assert_eq!(sections[0].text, "Call 101.");
        assert_eq!(sections[1].anchor.as_deref(), Some("who"));
        assert_eq!(page.plain_text(), "Call 101.\n\nWho\n\nRegulated professionals.");
    }

    #[test]
    fn reports_every_front_matter_problem_with_its_line() {
        let bad = GOOD
            .replace("id = \"fgm-reporting\"", "id = \"FGM Reporting\"")
            .replace("summary = \"Report known FGM in under-18s to the police.\"\n", "")
            .replace("next_review = 2027-11-23", "next_review = \"soon\"")
            .replace("version = 1", "version = 1\nlast_reveiwed = 2026-01-01")
            .replace("audience = [\"health\"]", "audience = [\"nurses\"]");
        let mut diags = Diagnostics::default();
        assert!(parse_page("guidance/fgm/x.md", &bad, &mut diags).is_none());
        let found: Vec<(usize, String)> = diags.iter().map(|d| (d.line, d.message.clone())).collect();
        let has = |line: usize, text: &str| found.iter().any(|(l, m)| *l == line && m.contains(text));
        assert!(has(2, "lower-case"), "{diags}");
        assert!(has(1, "`summary` is missing"), "{diags}");
        assert!(has(5, "unknown audience 'nurses'"), "{diags}");
        assert!(has(10, "`next_review` must be a date"), "{diags}");
        assert!(has(12, "unknown field `last_reveiwed`"), "{diags}");
    }

    #[test]
    fn front_matter_must_be_there_and_closed() {
        let mut diags = Diagnostics::default();
        assert!(parse_page("a.md", "# hello", &mut diags).is_none());
        assert!(parse_page("b.md", "+++\nid = \"b\"\n", &mut diags).is_none());
        assert!(parse_page("c.md", "+++\nid = \"c\n+++\nbody\n", &mut diags).is_none());
        let messages: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert!(messages[0].starts_with("a.md:1: error: the page must start"), "{messages:?}");
        assert!(messages[1].starts_with("b.md:1: error: the front matter is not closed"), "{messages:?}");
        assert!(messages[2].starts_with("c.md:2: error: TOML syntax"), "{messages:?}");
    }
}
