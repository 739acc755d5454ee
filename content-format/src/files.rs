//! The set of files that make up one release of content, read from a folder (editors, the CLI)
//! or assembled from a pack or a sync (apps). Parsing never touches the file system, so every
//! source goes through the same checks.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::Error;

/// Largest file accepted: anything bigger is not guidance and would only waste a phone's memory.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Content files by path relative to the content root, with `/` separators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentFiles {
    files: BTreeMap<String, Vec<u8>>,
    /// Files that were found but not read (too big, not a regular file, a link out of the
    /// folder), with why: the validator reports them against their path.
    rejected: BTreeMap<String, String>,
}

/// Which files under the content root are content; everything else (READMEs, CSV sources for
/// the importer) is ignored.
pub fn is_content_path(path: &str) -> bool {
    path == "topics.toml"
        || path == "search/synonyms.toml"
        || path == "law/superseded.toml"
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
        let canonical_root = fs::canonicalize(root).map_err(|source| Error::Io { path: root.to_path_buf(), source })?;
        read_dir_into(&canonical_root, root, root, &mut files, 0)?;
        Ok(files)
    }

    pub fn insert(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes);
    }

    /// Files found under the folder but not read, with the reason.
    pub fn rejected(&self) -> impl Iterator<Item = (&str, &str)> {
        self.rejected.iter().map(|(p, r)| (p.as_str(), r.as_str()))
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

/// Deeper than any real content folder; stops a loop of directory links.
const MAX_DEPTH: usize = 16;

fn read_dir_into(
    canonical_root: &Path,
    root: &Path,
    dir: &Path,
    files: &mut ContentFiles,
    depth: usize,
) -> Result<(), Error> {
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
            if depth < MAX_DEPTH {
                read_dir_into(canonical_root, root, &path, files, depth + 1)?;
            }
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if !is_content_path(&rel) {
            continue;
        }
        match read_regular_file(canonical_root, &path) {
            Ok(bytes) => files.insert(rel, bytes),
            Err(Rejected::Problem(why)) => {
                files.rejected.insert(rel, why);
            }
            Err(Rejected::Io(source)) => return Err(Error::Io { path, source }),
        }
    }
    Ok(())
}

enum Rejected {
    Problem(String),
    Io(std::io::Error),
}

/// Reads a regular file inside the root, checking its size before reading and reading no more
/// than the limit even if it grows meanwhile: a 1 GB file or a link to `/dev/zero` costs nothing.
fn read_regular_file(canonical_root: &Path, path: &Path) -> Result<Vec<u8>, Rejected> {
    let link = fs::symlink_metadata(path).map_err(Rejected::Io)?;
    if link.file_type().is_symlink() {
        let target = fs::canonicalize(path)
            .map_err(|e| Rejected::Problem(format!("symbolic link that cannot be followed: {e}")))?;
        if !target.starts_with(canonical_root) {
            return Err(Rejected::Problem("symbolic link to a file outside the content folder".into()));
        }
    }
    let meta = fs::metadata(path).map_err(Rejected::Io)?;
    if !meta.is_file() {
        return Err(Rejected::Problem("not a regular file (a device, pipe or socket)".into()));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(Rejected::Problem(format!("file is {} bytes; the limit is {MAX_FILE_BYTES}", meta.len())));
    }
    let file = fs::File::open(path).map_err(Rejected::Io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(Rejected::Io)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Rejected::Problem(format!("file grew past the limit of {MAX_FILE_BYTES} bytes while being read")));
    }
    Ok(bytes)
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

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_devices_and_big_files_are_rejected_unread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("content");
        fs::create_dir_all(root.join("guidance/x")).expect("mkdir");
        fs::write(root.join("topics.toml"), "").expect("write");
        std::os::unix::fs::symlink("/dev/zero", root.join("guidance/x/zero.md")).expect("link");
        std::os::unix::fs::symlink(dir.path().join("outside.md"), root.join("guidance/x/out.md")).expect("link");
        fs::write(dir.path().join("outside.md"), "x").expect("write");
        fs::write(root.join("guidance/x/big.md"), vec![b'a'; MAX_FILE_BYTES + 1]).expect("write");
        std::os::unix::fs::symlink(root.join("topics.toml"), root.join("guidance/x/inside.md")).expect("link");
        let files = ContentFiles::from_dir(&root).expect("read");
        let rejected: BTreeMap<&str, &str> = files.rejected().collect();
        assert!(rejected["guidance/x/zero.md"].contains("outside"), "{rejected:?}");
        assert!(rejected["guidance/x/out.md"].contains("outside"), "{rejected:?}");
        assert!(rejected["guidance/x/big.md"].contains("limit"), "{rejected:?}");
        assert!(files.get("guidance/x/inside.md").is_some());
        assert!(files.get("guidance/x/big.md").is_none());
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
