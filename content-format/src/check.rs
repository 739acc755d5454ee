//! Loads a whole content release and checks what no single file can show on its own: duplicate
//! ids, links between pages, topics, phone numbers against the national list, review dates.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::blocks::LinkTarget;
use crate::contacts::{check_directories, parse_bank_holidays, parse_directories, BankHoliday, Directory};
use crate::diagnostic::Diagnostics;
use crate::files::{ContentFiles, MAX_FILE_BYTES};
use crate::helplines::{parse_helplines, Helpline};
use crate::page::{check_act_now, parse_page, Page};
use crate::superseded::{check_reliance, check_synonyms_text, parse_superseded, Superseded, REGISTER_PATH};
use crate::synonyms::{parse_synonyms, Synonyms};
use crate::topics::{parse_topics, Topic};

/// One release of content, parsed and checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    pub topics: Vec<Topic>,
    pub pages: Vec<Page>,
    pub synonyms: Synonyms,
    pub helplines: Vec<Helpline>,
    pub directories: Vec<Directory>,
    pub bank_holidays: Vec<BankHoliday>,
    pub superseded: Vec<Superseded>,
}

/// What loading found: the content that parsed, and every problem.
#[derive(Debug)]
pub struct Checked {
    pub content: Content,
    pub diagnostics: Diagnostics,
}

impl Checked {
    /// The content, if nothing is wrong enough to stop it being installed.
    pub fn into_result(self) -> Result<(Content, Diagnostics), Diagnostics> {
        if self.diagnostics.has_errors() {
            Err(self.diagnostics)
        } else {
            Ok((self.content, self.diagnostics))
        }
    }
}

/// Parses and checks every file. `today` decides which review dates are overdue.
pub fn check(files: &ContentFiles, today: NaiveDate) -> Checked {
    let mut diags = Diagnostics::default();
    let mut content = Content::default();
    let mut saw = (false, false, false);
    let mut synonyms_text = None;

    for (path, problem) in files.rejected() {
        diags.error(path, 1, problem);
    }
    for (path, bytes) in files.iter() {
        if bytes.len() > MAX_FILE_BYTES {
            diags.error(path, 1, format!("file is {} bytes; the limit is {MAX_FILE_BYTES}", bytes.len()));
            continue;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
                diags.error(path, line, "file is not valid UTF-8 text");
                continue;
            }
        };
        match path {
            "topics.toml" => {
                saw.0 = true;
                content.topics = parse_topics(path, text, &mut diags);
            }
            "search/synonyms.toml" => {
                saw.1 = true;
                content.synonyms = parse_synonyms(path, text, &mut diags);
                synonyms_text = Some(text);
            }
            REGISTER_PATH => {
                content.superseded = parse_superseded(path, text, &mut diags);
            }
            "contacts/national.toml" => {
                saw.2 = true;
                content.helplines = parse_helplines(path, text, &mut diags);
            }
            "contacts/bank-holidays.toml" => {
                content.bank_holidays = parse_bank_holidays(path, text, &mut diags);
            }
            p if p.starts_with("guidance/") => {
                if let Some(page) = parse_page(path, text, &mut diags) {
                    content.pages.push(page);
                }
            }
            _ => {}
        }
    }
    if !saw.0 {
        diags.error("topics.toml", 1, "missing: every release needs its list of topics");
    }
    if !saw.1 {
        diags.warning("search/synonyms.toml", 1, "missing: search will not expand abbreviations");
    }
    if !saw.2 {
        diags.warning("contacts/national.toml", 1, "missing: no national helplines");
    }
    content.directories = parse_directories(files, &mut diags);
    check_directories(&content.directories, &content.bank_holidays, today, &mut diags);
    if !content.directories.is_empty() && content.bank_holidays.is_empty() {
        diags.warning("contacts/bank-holidays.toml", 1, "missing: out-of-hours routing will not know bank holidays");
    }
    if content.pages.is_empty() && !files.iter().any(|(p, _)| p.starts_with("guidance/")) {
        diags.error("guidance", 1, "the release has no guidance pages: installing it would remove every page");
    }
    cross_check(&content, today, &mut diags);
    check_reliance(&content.superseded, &content.pages, &mut diags);
    if let Some(text) = synonyms_text {
        check_synonyms_text(&content.superseded, "search/synonyms.toml", text, &mut diags);
    }
    diags.sort();
    Checked { content, diagnostics: diags }
}

/// Fewest "asked as" phrases a page should have. Without them search finds far fewer of the
/// situations workers describe (docs/performance.md: the ablation without hand-written fields).
const MIN_ASKED_AS: usize = 3;

fn cross_check(content: &Content, today: NaiveDate, diags: &mut Diagnostics) {
    let mut by_id: HashMap<&str, &Page> = HashMap::new();
    for page in &content.pages {
        if let Some(first) = by_id.insert(&page.id, page) {
            diags.error(
                &page.path,
                page.lines.id,
                format!("duplicate id '{}': also used by {}:{}", page.id, first.path, first.lines.id),
            );
        }
    }
    // The same asked-as phrase on two pages tells search nothing about which one answers it.
    let mut phrases: HashMap<String, (&str, usize)> = HashMap::new();
    for page in &content.pages {
        for (_, line, phrase) in page.lines.front.iter().filter(|(f, _, _)| *f == "asked_as") {
            let key = phrase.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            match phrases.get(&key) {
                Some((path, first)) if *path != page.path => diags.warning(
                    &page.path,
                    *line,
                    format!(
                        "asked_as phrase \"{phrase}\" is also on {path}:{first}: keep it on the page that answers it"
                    ),
                ),
                Some(_) => {}
                None => {
                    phrases.insert(key, (&page.path, *line));
                }
            }
        }
    }
    let national: Vec<&str> = content.helplines.iter().map(|h| h.number.digits()).collect();
    for page in &content.pages {
        if !content.topics.is_empty() && !content.topics.iter().any(|t| t.id == page.topic) {
            diags.error(&page.path, page.lines.topic, format!("unknown topic '{}' (not in topics.toml)", page.topic));
        }
        check_act_now(page, diags);
        if page.asked_as.len() < MIN_ASKED_AS {
            let line = page.lines.front.iter().find(|(f, _, _)| *f == "asked_as").map_or(page.lines.id, |(_, l, _)| *l);
            diags.warning(
                &page.path,
                line,
                format!(
                    "'{}' has {} asked_as phrase(s): add at least {MIN_ASKED_AS} situations a worker would type for this page; search finds situations described in workers' words mostly through them",
                    page.id,
                    page.asked_as.len()
                ),
            );
        }
        if page.last_reviewed > today {
            diags.error(&page.path, page.lines.last_reviewed, "`last_reviewed` is in the future");
        }
        if page.is_overdue(today) {
            diags.warning(
                &page.path,
                page.lines.next_review,
                format!("'{}' is overdue for review (next_review {})", page.id, page.next_review),
            );
        }
        for link in &page.links {
            match &link.value {
                LinkTarget::Page { id, anchor } => match by_id.get(id.as_str()) {
                    None => diags.error(&page.path, link.line, format!("broken link: no page has id '{id}'")),
                    Some(target) => {
                        if let Some(anchor) = anchor {
                            if !target.anchors().any(|a| a == anchor) {
                                diags.error(
                                    &page.path,
                                    link.line,
                                    format!("broken link: page '{id}' has no section '#{anchor}'"),
                                );
                            }
                        }
                    }
                },
                LinkTarget::Phone { tel, display } => {
                    let digits = tel.trim_start_matches("tel:").replacen("+44", "0", 1);
                    if !content.helplines.is_empty() && !national.contains(&digits.as_str()) {
                        diags.error(
                            &page.path,
                            link.line,
                            format!("{display} is not a national helpline in contacts/national.toml; local numbers belong in a contacts directory"),
                        );
                    }
                }
                LinkTarget::Web { .. } | LinkTarget::Email { .. } => {}
            }
        }
    }
    for topic in &content.topics {
        if !content.pages.is_empty() && !content.pages.iter().any(|p| p.topic == topic.id) {
            diags.warning("topics.toml", 1, format!("topic '{}' has no pages", topic.id));
        }
    }
    for h in &content.helplines {
        if h.checked > today {
            diags.error("contacts/national.toml", h.checked_line, format!("'{}': `checked` is in the future", h.id));
        } else if (today - h.checked).num_days() > 365 {
            diags.warning(
                "contacts/national.toml",
                h.checked_line,
                format!("'{}' was last checked on {}: check the number again", h.id, h.checked),
            );
        }
    }
}
