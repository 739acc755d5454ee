//! A contacts directory changed as one unit: a CSV upload, converted by the same importer as
//! `safeguarding content import-contacts`, replaces every `.toml` file of
//! `contacts/<directory>/` at once (boundary `.geojson` files stay). Such a change's path is
//! the directory with a trailing slash and its text is a *bundle*: each file's text after a
//! marker line naming it. Reviewers see one diff over the whole directory, and the workflow's
//! rules (second-person approval, approval against what is published) apply to it unchanged.

use std::collections::BTreeMap;

use safeguarding_content::{import_csv, ContentFiles, Diagnostics};

use super::check::Problem;
use super::workflow::Change;
use super::{Actor, Editors, Error, Result};

/// Starts each file in a bundle: `#==> <file name>`.
const MARKER: &str = "#==> ";
/// Largest CSV accepted (a few thousand services).
pub const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;

/// `contacts/<directory>/`: a change to a whole directory.
pub fn is_directory(path: &str) -> bool {
    path.starts_with("contacts/") && path.ends_with('/') && path.matches('/').count() == 2
}

/// The directory's `.toml` files in `files`, by file name.
fn tomls<'a>(files: &'a ContentFiles, dir: &str) -> BTreeMap<&'a str, &'a [u8]> {
    files
        .iter()
        .filter_map(|(path, bytes)| {
            let name = path.strip_prefix(dir)?;
            (!name.contains('/') && name.ends_with(".toml")).then_some((name, bytes))
        })
        .collect()
}

/// The bundle text of `files` (file name → text).
pub fn bundle<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, text) in files {
        out.push_str(MARKER);
        out.push_str(name);
        out.push('\n');
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The files a bundle holds. Text before the first marker is refused, as is a name that is not
/// a plain `.toml` file name.
pub fn unbundle(text: &str) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix(MARKER) {
            let name = name.trim_end().to_string();
            let plain = name.ends_with(".toml")
                && name.len() <= 100
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                && !name.starts_with('.');
            if !plain {
                return Err(Error::Invalid(format!("'{name}' is not a directory file name (lower-case-words.toml)")));
            }
            if let Some((n, t)) = current.take() {
                files.insert(n, t);
            }
            current = Some((name, String::new()));
        } else if let Some((_, t)) = current.as_mut() {
            t.push_str(line);
        } else if !line.trim().is_empty() {
            return Err(Error::Invalid("a directory change starts with a file marker line".into()));
        }
    }
    if let Some((n, t)) = current {
        files.insert(n, t);
    }
    Ok(files)
}

/// What `dir` holds in `files`, as a bundle; `None` when the directory has no `.toml` files.
pub fn published(files: &ContentFiles, dir: &str) -> Option<String> {
    let tomls = tomls(files, dir);
    if tomls.is_empty() {
        return None;
    }
    let texts: Vec<(&str, String)> =
        tomls.into_iter().map(|(n, b)| (n, String::from_utf8_lossy(b).into_owned())).collect();
    Some(bundle(texts.iter().map(|(n, t)| (*n, t.as_str()))))
}

/// The sha256 a change to `dir` is written against: of the published bundle.
pub fn base(files: &ContentFiles, dir: &str) -> Option<String> {
    published(files, dir).map(|text| super::sha256_hex(&text))
}

/// `files` with `dir`'s `.toml` files replaced by the bundle's (or removed, for `None`).
pub fn apply(files: &ContentFiles, dir: &str, source: Option<&str>) -> ContentFiles {
    let mut out = ContentFiles::new();
    for (path, bytes) in files.iter() {
        let ours = path.strip_prefix(dir).is_some_and(|name| !name.contains('/') && name.ends_with(".toml"));
        if !ours {
            out.insert(path, bytes.to_vec());
        }
    }
    // A bundle that does not parse was refused when it was saved; applying nothing then keeps
    // the validator's view honest (the directory's files are gone, so it will say so).
    if let Some(Ok(bundle)) = source.map(unbundle) {
        for (name, text) in bundle {
            out.insert(format!("{dir}{name}"), text.into_bytes());
        }
    }
    out
}

/// A CSV upload for one directory.
pub struct CsvUpload<'a> {
    /// The folder under `contacts/`.
    pub directory: &'a str,
    pub csv: &'a str,
    /// The directory's name and description, for its `directory.toml`.
    pub name: &'a str,
    pub description: &'a str,
    /// Whether every number in it is sample (drama-range) data.
    pub sample: bool,
    pub summary: &'a str,
}

impl Editors {
    /// Converts a CSV upload and saves it as the actor's draft of the whole directory. CSV
    /// problems come back with the CSV's own line numbers and nothing is saved.
    pub fn save_directory_csv(&self, actor: &Actor, upload: &CsvUpload<'_>) -> Result<(Change, super::check::Outcome)> {
        actor.require_writer()?;
        let dir = upload.directory;
        let slug = (1..=60).contains(&dir.len())
            && dir.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !dir.starts_with('-');
        if !slug {
            return Err(Error::Invalid("the directory folder is lower-case words joined by hyphens".into()));
        }
        if upload.csv.len() > MAX_CSV_BYTES {
            return Err(Error::Invalid(format!("a CSV upload is at most {} MB", MAX_CSV_BYTES / (1024 * 1024))));
        }
        let csv_name = format!("{dir}.csv");
        let mut diags = Diagnostics::default();
        let files =
            import_csv(&csv_name, upload.csv, upload.name.trim(), upload.description.trim(), upload.sample, &mut diags);
        if diags.has_errors() || files.is_empty() {
            let mut problems: Vec<Problem> = diags.errors().map(Problem::from).collect();
            if problems.is_empty() {
                problems.push(Problem {
                    path: csv_name,
                    line: 1,
                    severity: "error",
                    message: "the CSV has no rows".into(),
                });
            }
            return Err(Error::Problems { message: "the CSV has problems; nothing was saved".into(), problems });
        }
        if files.values().any(|text| text.lines().any(|l| l.starts_with(MARKER))) {
            return Err(Error::Invalid(format!("a CSV cell cannot start a line with '{}'", MARKER.trim())));
        }
        let text = bundle(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
        self.save_directory_draft(actor, &format!("contacts/{dir}/"), &text, upload.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_round_trips_and_refuses_stray_text_and_odd_names() {
        let text = bundle([("directory.toml", "name = \"x\"\n"), ("leeds.toml", "[area]\nid = \"a\"")]);
        let files = unbundle(&text).expect("bundle");
        assert_eq!(files.len(), 2);
        assert_eq!(files["leeds.toml"], "[area]\nid = \"a\"\n");
        assert!(unbundle("name = 1\n#==> a.toml\n").is_err());
        assert!(unbundle("#==> ../keys.toml\n").is_err());
        assert!(unbundle("#==> a.geojson\n").is_err());
    }

    #[test]
    fn applying_replaces_only_the_directorys_toml_files() {
        let mut files = ContentFiles::new();
        files.insert("contacts/d/directory.toml", b"old".to_vec());
        files.insert("contacts/d/gone.toml", b"old".to_vec());
        files.insert("contacts/d/gone.geojson", b"{}".to_vec());
        files.insert("contacts/other/directory.toml", b"keep".to_vec());
        let out = apply(&files, "contacts/d/", Some(&bundle([("directory.toml", "new\n")])));
        assert_eq!(out.get("contacts/d/directory.toml"), Some(&b"new\n"[..]));
        assert!(out.get("contacts/d/gone.toml").is_none());
        assert!(out.get("contacts/d/gone.geojson").is_some());
        assert_eq!(out.get("contacts/other/directory.toml"), Some(&b"keep"[..]));
        assert!(is_directory("contacts/d/") && !is_directory("contacts/d/x.toml") && !is_directory("guidance/"));
    }
}
