//! A guidance page: TOML front matter plus a Markdown body, parsed into fields, blocks, sections
//! and plain text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::blocks::{Block, LinkTarget};
use crate::diagnostic::{Diagnostics, Lines};
use crate::fields::{Fields, Located, TomlSource};
use crate::markdown::parse_body;

/// Who a page is written for. `all-staff` pages match every audience filter.
pub const AUDIENCES: &[&str] = &["all-staff", "health", "ambulance", "social-care", "education", "safeguarding-leads"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub audience: Vec<String>,
    pub summary: String,
    pub keywords: Vec<String>,
    pub legal_basis: Vec<String>,
    pub sources: Vec<String>,
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

/// Where some fields are, for checks made once every file is read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageLines {
    pub id: usize,
    pub topic: usize,
    pub next_review: usize,
    pub last_reviewed: usize,
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
    let summary = f.string("summary", true);
    let keywords = f.string_list("keywords", true, 1);
    let legal_basis = f.string_list("legal_basis", true, 1);
    let sources = f.string_list("sources", true, 1);
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
        Some(audience),
        Some(summary),
        Some(keywords),
        Some(legal_basis),
        Some(sources),
        Some(last_reviewed),
        Some(next_review),
        Some(version),
    ) = (id, title, topic, audience, summary, keywords, legal_basis, sources, last_reviewed, next_review, version)
    else {
        return None;
    };
    let values = |v: Vec<Located<String>>| v.into_iter().map(|l| l.value).collect::<Vec<_>>();
    Some(Page {
        lines: PageLines {
            id: id.line,
            topic: topic.line,
            next_review: next_review.line,
            last_reviewed: last_reviewed.line,
        },
        id: id.value,
        title: title.value,
        topic: topic.value,
        audience: values(audience),
        summary: summary.value,
        keywords: values(keywords),
        legal_basis: values(legal_basis),
        sources: values(sources),
        last_reviewed: last_reviewed.value,
        next_review: next_review.value,
        version: u32::try_from(version.value).unwrap_or(1),
        blocks: parsed.blocks,
        path: path.to_string(),
        links: parsed.links,
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
