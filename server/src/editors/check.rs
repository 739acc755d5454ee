//! Checking a change before it is saved, submitted, approved or published: the whole release
//! with this one file replaced (or removed) goes through the app's own validator, so
//! cross-file rules (links between pages, national helpline numbers, duplicate ids, topics)
//! are judged too, and every problem carries its file and line. Also the preview, rendered
//! from the same `Block`s the apps render.

use chrono::NaiveDate;
use safeguarding_content::{check as check_content, parse_page, ContentFiles, Diagnostic, Diagnostics, Severity};
use serde::Serialize;

use super::store::ReleaseView;
use super::{directories, render};

/// One validator finding, as the API and the pages show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub line: usize,
    /// `error` (blocks submission and publishing) or `warning`.
    pub severity: &'static str,
    pub message: String,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Problem {
        Problem {
            path: d.path.clone(),
            line: d.line,
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: d.message.clone(),
        }
    }
}

/// What checking a change found.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Problems in the changed file, then errors the change causes elsewhere (a deleted
    /// page's broken links). Other files' old warnings are left out: they are not this change's.
    pub problems: Vec<Problem>,
    pub has_errors: bool,
    /// The page as the apps would show it (escaped HTML), when it parses.
    pub preview_html: Option<String>,
}

/// The release's files with `path` set to `source` (or removed, for `None`). A directory path
/// (`contacts/<dir>/`) replaces the directory's files with a bundle's.
pub fn apply(files: &ContentFiles, path: &str, source: Option<&str>) -> ContentFiles {
    if directories::is_directory(path) {
        return directories::apply(files, path, source);
    }
    let mut out = ContentFiles::new();
    for (p, bytes) in files.iter() {
        if p != path {
            out.insert(p, bytes.to_vec());
        }
    }
    if let Some(source) = source {
        out.insert(path, source.as_bytes().to_vec());
    }
    out
}

/// What `path` holds in `files`, as a change's text: the file's text, or a directory's bundle.
pub fn published_text(files: &ContentFiles, path: &str) -> Option<String> {
    if directories::is_directory(path) {
        return directories::published(files, path);
    }
    files.get(path).map(|b| String::from_utf8_lossy(b).into_owned())
}

/// The sha256 a change to `path` is written against (`None` when nothing is there yet).
pub fn base_of(files: &ContentFiles, path: &str) -> Option<String> {
    if directories::is_directory(path) {
        return directories::base(files, path);
    }
    files.get(path).map(safeguarding_sync_format::sha256_hex)
}

/// Checks one file's new text (or its removal) against the rest of `release`.
pub fn check_change(release: &ReleaseView, path: &str, source: Option<&str>, today: NaiveDate) -> Outcome {
    let files = apply(&release.files, path, source);
    let checked = check_content(&files, today);
    // While the file has errors of its own, other files' errors are mostly echoes of them (a
    // page that does not parse makes every link to it "broken"): show the file's own first.
    let own = |p: &str| p == path || (directories::is_directory(path) && p.starts_with(path));
    let own_errors = checked.diagnostics.errors().any(|d| own(&d.path));
    let problems: Vec<Problem> = checked
        .diagnostics
        .iter()
        .filter(|d| own(&d.path) || (d.severity == Severity::Error && !own_errors))
        .map(Problem::from)
        .collect();
    let has_errors = problems.iter().any(|p| p.severity == "error");
    let preview_html = source
        .filter(|_| path.starts_with("guidance/"))
        .and_then(|text| parse_page(path, text, &mut Diagnostics::default()).map(|page| render::page(&page)));
    Outcome { problems, has_errors, preview_html }
}

/// Checks a whole release (what publishing will sign): every error, nothing else.
pub fn check_release(files: &ContentFiles, today: NaiveDate) -> Vec<Problem> {
    check_content(files, today).diagnostics.errors().map(Problem::from).collect()
}

/// The `id` and `topic` a new page's front matter gives, read line by line so that a page
/// with other errors still gets a path (`guidance/<topic>/<id>.md`) and its problems.
pub fn new_page_path(source: &str) -> Option<(String, String)> {
    let mut id = None;
    let mut topic = None;
    let mut lines = source.lines();
    if lines.next().map(str::trim) != Some("+++") {
        return None;
    }
    for line in lines {
        let line = line.trim();
        if line == "+++" {
            break;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let value = value.trim().trim_matches('"').to_string();
        match key.trim() {
            "id" => id = Some(value),
            "topic" => topic = Some(value),
            _ => {}
        }
    }
    let slug = |s: &str| {
        (1..=80).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    match (id, topic) {
        (Some(id), Some(topic)) if slug(&id) && slug(&topic) => Some((id.clone(), format!("guidance/{topic}/{id}.md"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_page_paths_come_from_the_front_matter() {
        let src = "+++\nid = \"new-page\"\ntopic = \"fgm\"\n+++\nBody";
        assert_eq!(new_page_path(src), Some(("new-page".into(), "guidance/fgm/new-page.md".into())));
        assert_eq!(new_page_path("+++\nid = \"../x\"\ntopic = \"fgm\"\n+++\n"), None);
        assert_eq!(new_page_path("no front matter"), None);
    }
}
