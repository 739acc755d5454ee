//! The register of superseded law and guidance (`law/superseded.toml`), and which pages rely on
//! each entry.
//!
//! When a court overrules a case or a department replaces an edition, an editor adds one entry
//! naming the phrases that reveal reliance on the old position. The validator then lists every
//! page that still uses one of those phrases and has not been reviewed since the change, so the
//! pages to fix are known the week the law changes rather than at the next scheduled review.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostics;
use crate::fields::for_each_table;
use crate::page::{is_https_url, is_slug, Page, Source};

/// One thing that no longer states the law or current guidance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Superseded {
    pub id: String,
    pub name: String,
    /// Phrases (matched case-insensitively, on word boundaries) that show a page relies on it.
    pub patterns: Vec<String>,
    pub replaced_by: String,
    /// The day the old position stopped being right.
    pub since: NaiveDate,
    pub source: Source,
    #[serde(skip)]
    pub line: usize,
}

/// Where a page uses one of an entry's phrases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reliance {
    pub page_id: String,
    pub title: String,
    pub path: String,
    pub line: usize,
    /// `legal_basis`, `sources`, `keywords`, `asked_as`, `summary` or `text`.
    pub field: &'static str,
    pub pattern: String,
    pub last_reviewed: NaiveDate,
    /// True when the page was reviewed on or after the change: it may mention the old position
    /// (to say it was overruled) without relying on it.
    pub reviewed_since: bool,
}

pub const REGISTER_PATH: &str = "law/superseded.toml";

pub fn parse_superseded(path: &str, text: &str, diags: &mut Diagnostics) -> Vec<Superseded> {
    let mut out: Vec<Superseded> = Vec::new();
    for_each_table(path, text, "superseded", diags, |f| {
        let id = f.string("id", true);
        let name = f.string("name", true);
        let patterns = f.string_list("patterns", true, 1);
        let replaced_by = f.string("replaced_by", true);
        let since = f.date("since", true);
        let source = f.table("source", true).and_then(|(t, line)| {
            let mut s = f.child(t, line, "source");
            let title = s.string("title", true);
            let url = s.string("url", false);
            s.finish();
            if let Some(u) = &url {
                if !is_https_url(&u.value) {
                    f.error(u.line, format!("source url '{}' must be an https:// address", u.value));
                    return None;
                }
            }
            Some(Source { title: title?.value, url: url.map(|u| u.value) })
        });
        if let Some(id) = &id {
            if !is_slug(&id.value) {
                f.error(id.line, format!("entry id '{}' must be lower-case letters, digits and hyphens", id.value));
            }
            if out.iter().any(|e| e.id == id.value) {
                f.error(id.line, format!("entry '{}' is listed twice", id.value));
            }
        }
        for p in patterns.iter().flatten() {
            if p.value.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
                f.error(p.line, format!("pattern '{}' is too short to mean anything", p.value));
            }
        }
        if let (Some(id), Some(name), Some(patterns), Some(replaced_by), Some(since), Some(source)) =
            (id, name, patterns, replaced_by, since, source)
        {
            out.push(Superseded {
                line: id.line,
                id: id.value,
                name: name.value,
                patterns: patterns.into_iter().map(|p| p.value).collect(),
                replaced_by: replaced_by.value,
                since: since.value,
                source,
            });
        }
    });
    out
}

impl Superseded {
    /// True when `query` names this entry: its id, or (case-insensitively) its name or one of
    /// its patterns, so an editor can type what they remember ("Cheshire West").
    pub fn is_named(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        !q.is_empty()
            && (self.id == q
                || self.name.to_lowercase().contains(&q)
                || self.patterns.iter().any(|p| p.to_lowercase() == q))
    }

    /// Every place `page` uses one of this entry's phrases.
    pub fn reliance_in(&self, page: &Page) -> Vec<Reliance> {
        let patterns: Vec<(String, &String)> = self.patterns.iter().map(|p| (p.to_lowercase(), p)).collect();
        let mut out = Vec::new();
        let mut look = |field: &'static str, line: usize, text: &str| {
            let lower = text.to_lowercase();
            if let Some((_, p)) = patterns.iter().find(|(lower_p, _)| contains_phrase(&lower, lower_p)) {
                out.push(Reliance {
                    page_id: page.id.clone(),
                    title: page.title.clone(),
                    path: page.path.clone(),
                    line,
                    field,
                    pattern: (*p).clone(),
                    last_reviewed: page.last_reviewed,
                    reviewed_since: page.last_reviewed >= self.since,
                });
            }
        };
        for (field, line, text) in &page.lines.front {
            look(field, *line, text);
        }
        for (block, line) in page.blocks.iter().zip(&page.lines.blocks) {
            look("text", *line, &block.plain_text());
        }
        out
    }
}

/// Case-folded `haystack` contains `needle` with no letter or digit either side, so "acid test"
/// does not match "placid testing".
fn contains_phrase(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(i) = haystack[from..].find(needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = haystack[..start].chars().next_back();
        let after = haystack[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Reports pages that rely on a superseded entry: an error when the page has not been reviewed
/// since the change, a warning when a reviewed page still lists it as a legal basis or source.
pub(crate) fn check_reliance(register: &[Superseded], pages: &[Page], diags: &mut Diagnostics) {
    for entry in register {
        for page in pages {
            for r in entry.reliance_in(page) {
                if !r.reviewed_since {
                    diags.error(
                        &r.path,
                        r.line,
                        format!(
                            "'{}' relies on superseded {} (\"{}\" in {}), replaced on {} by {}; review the page and set `last_reviewed`",
                            r.page_id, entry.name, r.pattern, r.field, entry.since, entry.replaced_by
                        ),
                    );
                } else if r.field == "legal_basis" || r.field == "sources" {
                    diags.warning(
                        &r.path,
                        r.line,
                        format!("'{}' still cites superseded {} in {}", r.page_id, entry.name, r.field),
                    );
                }
            }
        }
    }
}

/// The synonyms file has no review date, so any use of a superseded phrase there is reported,
/// except as the key of a one-way `[also]` entry: "dasm" leading to "pipot" sends people who
/// type the old term to the current position, which is what the register is for.
pub(crate) fn check_synonyms_text(register: &[Superseded], path: &str, text: &str, diags: &mut Diagnostics) {
    let mut one_way = false;
    for (i, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("").to_lowercase();
        if code.trim_start().starts_with('[') {
            one_way = code.trim() == "[also]";
            continue;
        }
        let code = match code.split_once('=') {
            Some((_, targets)) if one_way => targets.to_string(),
            _ => code,
        };
        for entry in register {
            if let Some(p) = entry.patterns.iter().find(|p| contains_phrase(&code, &p.to_lowercase())) {
                diags.warning(
                    path,
                    i + 1,
                    format!(
                        "search synonym uses \"{p}\" from superseded {}: check it does not teach the old position",
                        entry.name
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::parse_page;

    const REGISTER: &str = r#"
[[superseded]]
id = "cheshire-west-acid-test"
name = "Cheshire West and the acid test"
patterns = ["Cheshire West", "acid test"]
replaced_by = "[2026] UKSC 16"
since = 2026-06-02
source = { title = "Supreme Court", url = "https://www.supremecourt.uk/" }
"#;

    fn page(last_reviewed: &str, body: &str) -> Page {
        let text = format!(
            "+++\nid = \"p\"\ntitle = \"P\"\ntopic = \"mca\"\naudience = [\"health\"]\nsummary = \"S.\"\nkeywords = [\"dols\"]\nlegal_basis = [\"Mental Capacity Act 2005\"]\nsources = [\"MoJ (2008)\"]\nlast_reviewed = {last_reviewed}\nnext_review = 2099-01-01\nversion = 1\n+++\n\nIntro.\n\n{body}\n"
        );
        let mut diags = Diagnostics::default();
        parse_page("guidance/mca/p.md", &text, &mut diags).unwrap_or_else(|| panic!("{diags}"))
    }

    #[test]
    fn unreviewed_page_relying_on_an_entry_is_an_error_at_its_line() {
        let mut diags = Diagnostics::default();
        let register = parse_superseded(REGISTER_PATH, REGISTER, &mut diags);
        assert!(diags.is_empty(), "{diags}");
        let p = page("2026-01-01", "Apply the **acid test**.");
        check_reliance(&register, &[p], &mut diags);
        let msgs: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("guidance/mca/p.md:17: error: 'p' relies on superseded"), "{msgs:?}");
    }

    #[test]
    fn a_page_reviewed_since_may_mention_it() {
        let mut diags = Diagnostics::default();
        let register = parse_superseded(REGISTER_PATH, REGISTER, &mut diags);
        let p = page("2026-06-02", "Cheshire West was overruled.");
        assert_eq!(register[0].reliance_in(&p).len(), 1);
        check_reliance(&register, &[p], &mut diags);
        assert!(diags.is_empty(), "{diags}");
    }

    #[test]
    fn a_synonym_may_lead_from_the_old_term_but_not_to_it() {
        let mut diags = Diagnostics::default();
        let register = parse_superseded(REGISTER_PATH, REGISTER, &mut diags);
        let text = "[abbreviations]\n\"acid test\" = \"deprivation of liberty\"\n\n[also]\n\"acid test overruled\" = [\"whole situation\"]\n\"not free to leave\" = [\"cheshire west\"] # the old test\n";
        check_synonyms_text(&register, "synonyms.toml", text, &mut diags);
        let mut lines: Vec<usize> = diags.iter().map(|d| d.line).collect();
        lines.sort_unstable();
        // Two-way, so it teaches the old term (line 2); a one-way key that sends the old term to
        // the new position is fine (line 5); a target that is the old term is not (line 6).
        assert_eq!(lines, vec![2, 6], "{diags}");
    }

    #[test]
    fn phrases_match_on_word_boundaries_only() {
        assert!(contains_phrase("the acid test.", "acid test"));
        assert!(!contains_phrase("placid testing", "acid test"));
        assert!(contains_phrase("é acid test", "acid test"));
        assert!(!contains_phrase("", "x"));
    }

    #[test]
    fn named_by_id_name_or_pattern() {
        let mut diags = Diagnostics::default();
        let e = &parse_superseded(REGISTER_PATH, REGISTER, &mut diags)[0];
        assert!(e.is_named("Cheshire West"));
        assert!(e.is_named("cheshire-west-acid-test"));
        assert!(!e.is_named("Bournewood"));
        assert!(!e.is_named("  "));
    }

    #[test]
    fn bad_entries_are_reported_with_lines() {
        let mut diags = Diagnostics::default();
        let bad = REGISTER.replace("https://www.supremecourt.uk/", "http://x.uk").replace("\"acid test\"", "\"ab\"");
        assert!(parse_superseded(REGISTER_PATH, &bad, &mut diags).is_empty());
        let msgs = diags.to_string();
        assert!(msgs.contains("law/superseded.toml:5: error: pattern 'ab' is too short"), "{msgs}");
        assert!(msgs.contains("must be an https:// address"), "{msgs}");
    }
}
