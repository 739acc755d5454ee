//! The set of files that make up one release of content, read from a folder (editors, the CLI)
//! or assembled from a pack or a sync (apps). Parsing never touches the file system, so every
//! source goes through the same checks.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::Error;

/// Largest file accepted: anything bigger is not guidance and would only waste a phone's memory.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Content files by path relative to the content root, with `/` separators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentFiles {
    files: BTreeMap<String, Vec<u8>>,
}

/// Which files under the content root are content; everything else (READMEs, CSV sources for
/// the importer) is ignored.
pub fn is_content_path(path: &str) -> bool {
    path == "topics.toml"
        || path == "search/synonyms.toml"
        || (path.starts_with("guidance/") && path.ends_with(".md") && !path.ends_with("README.md"))
        || (path.starts_with("contacts/") && (path.ends_with(".toml") || path.ends_with(".geojson")))
}

impl ContentFiles {
    pub fn new() -> ContentFiles {
        ContentFiles::default()
    }

    /// Reads every content file under `root`.
    pub fn from_dir(root: &Path) -> Result<ContentFiles, Error> {
        let mut files = ContentFiles::new();
        if !root.is_dir() {
            return Err(Error::NotADirectory(root.to_path_buf()));
        }
        read_dir_into(root, root, &mut files)?;
        Ok(files)
    }

    pub fn insert(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes);
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A digest of every path and byte: two sets with the same digest are the same content.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for (path, bytes) in &self.files {
            h.update((path.len() as u64).to_le_bytes());
            h.update(path.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn read_dir_into(root: &Path, dir: &Path, files: &mut ContentFiles) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let mut entries: Vec<_> = fs::read_dir(dir).map_err(io(dir))?.collect::<Result<Vec<_>, _>>().map_err(io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            read_dir_into(root, &path, files)?;
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if !is_content_path(&rel) {
            continue;
        }
        let bytes = fs::read(&path).map_err(io(&path))?;
        files.insert(rel, bytes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_content_files_only() {
        assert!(is_content_path("guidance/fgm/fgm-types.md"));
        assert!(is_content_path("contacts/sample/leeds.geojson"));
        assert!(!is_content_path("guidance/README.md"));
        assert!(!is_content_path("README.md"));
        assert!(!is_content_path("contacts/import.csv"));
    }

    #[test]
    fn digest_changes_with_any_byte() {
        let mut a = ContentFiles::new();
        a.insert("topics.toml", b"x".to_vec());
        let mut b = a.clone();
        assert_eq!(a.digest(), b.digest());
        b.insert("topics.toml", b"y".to_vec());
        assert_ne!(a.digest(), b.digest());
    }
}
