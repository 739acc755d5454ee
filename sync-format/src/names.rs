//! The tree's file names and the rules for the names and short texts inside a manifest: channel
//! names, document paths and notes.

use crate::Error;

pub const KEYS_FILE: &str = "keys.json";
pub const KEYS_SIG_FILE: &str = "keys.json.sig";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const MANIFEST_SIG_FILE: &str = "manifest.json.sig";

pub const MAX_CHANNEL_BYTES: usize = 64;
pub const MAX_PATH_BYTES: usize = 256;
/// The release's notes: a paragraph or two for the Updates screen.
pub const MAX_NOTES_BYTES: usize = 4096;
/// One document's note: a single line an editor wrote about the change.
pub const MAX_NOTE_BYTES: usize = 500;

/// A channel name: 1 to 64 of `a-z`, `0-9`, `-`, starting with a letter or digit. Channels end up
/// in URLs, folder names and logs, so they get the plainest alphabet.
pub fn validate_channel(name: &str) -> Result<(), Error> {
    let bad = |reason: String| Err(Error::malformed("channel", reason));
    if name.is_empty() || name.len() > MAX_CHANNEL_BYTES {
        return bad(format!("must be 1 to {MAX_CHANNEL_BYTES} bytes"));
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') || name.starts_with('-') {
        return bad(format!("{name:?}: use lower-case letters, digits and '-' (not first)"));
    }
    Ok(())
}

/// A document path relative to the content root, as the content validator names files
/// (`guidance/mca/mca-dols.md`). The app may lay documents out on disk by path, so a path can
/// never climb out, be absolute, or mean different things on different systems: segments of
/// ASCII letters, digits, `-`, `_` and `.`, joined by single `/`, none of them `.` or `..`.
pub fn validate_document_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty path".into());
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(format!("path is {} bytes; the limit is {MAX_PATH_BYTES}", path.len()));
    }
    if path.starts_with('/') {
        return Err(format!("{path:?} is absolute"));
    }
    if path.contains('\\') {
        return Err(format!("{path:?} contains a backslash"));
    }
    for segment in path.split('/') {
        if segment.is_empty() {
            return Err(format!("{path:?} has an empty segment"));
        }
        if segment == "." || segment == ".." {
            return Err(format!("{path:?} has a '{segment}' segment"));
        }
        if !segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return Err(format!("{path:?}: use ASCII letters, digits, '-', '_', '.' and '/'"));
        }
    }
    Ok(())
}

/// A one-line note: bounded, no control characters (it is shown in a list, never as markup).
pub(crate) fn validate_note(note: &str) -> Result<(), String> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(format!("note is {} bytes; the limit is {MAX_NOTE_BYTES}", note.len()));
    }
    if note.chars().any(char::is_control) {
        return Err("note must be one line with no control characters".into());
    }
    Ok(())
}

/// The release's notes: bounded; line breaks allowed, other control characters not.
pub(crate) fn validate_notes(notes: &str) -> Result<(), String> {
    if notes.len() > MAX_NOTES_BYTES {
        return Err(format!("notes are {} bytes; the limit is {MAX_NOTES_BYTES}", notes.len()));
    }
    if notes.chars().any(|c| c.is_control() && c != '\n') {
        return Err("notes may contain line breaks but no other control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for ok in ["topics.toml", "guidance/mca/mca-dols.md", "contacts/sample-yorkshire/leeds.geojson", "a/.b"] {
            assert_eq!(validate_document_path(ok), Ok(()), "{ok}");
        }
        let long = "a/".repeat(200) + "b";
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a/./b", "a//b", "a/", "a\\b", "a b", "é.md", "a\0b", &long] {
            assert!(validate_document_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn channels() {
        assert!(validate_channel("production").is_ok());
        assert!(validate_channel("staging-2").is_ok());
        for bad in ["", "-x", "Prod", "a/b", "a.b", &"a".repeat(65)] {
            assert!(validate_channel(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn notes() {
        assert!(validate_note("Cheshire West overruled: DoLS test changed").is_ok());
        assert!(validate_note("two\nlines").is_err());
        assert!(validate_notes("two\nlines").is_ok());
        assert!(validate_notes("bell\u{7}").is_err());
        assert!(validate_note(&"x".repeat(MAX_NOTE_BYTES + 1)).is_err());
    }
}
