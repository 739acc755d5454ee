//! Writing files so that a reader, or a crash, never sees half of one: a dot-named temp file beside
//! the target (never served: the HTTP side serves fixed names only), fsync, rename over the
//! target, fsync the folder. Also private files created with their final mode from the start,
//! and bounded reads.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Mode of files the tree publishes and of public keys.
pub const PUBLIC_MODE: u32 = 0o644;
/// Mode of private key files.
pub const PRIVATE_MODE: u32 = 0o600;

/// Prefix of temp files; anything with it in a tree or keys folder is debris from a crash.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Writes and flushes a new temp file with `mode` from creation.
fn write_temp(temp: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut file = create_new_with_mode(temp, mode)?;
    file.write_all(bytes).map_err(Error::io(temp))?;
    file.sync_all().map_err(Error::io(temp))
}

/// Replaces `path` with `bytes` atomically. The temp file has `mode` from creation, so a private
/// key is never readable by others, even for an instant.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = parent(path);
    let temp = temp_path(path);
    let result = (|| {
        write_temp(&temp, bytes, mode)?;
        fs::rename(&temp, path).map_err(Error::io(path))?;
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Creates `path` with `bytes` and `mode`, refusing if anything is already there (`O_EXCL`, so
/// two `keys init` runs cannot both succeed). Written via a temp file so a crash leaves no
/// half-written key under the real name.
pub fn create_exclusive(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = parent(path);
    let temp = temp_path(path);
    let result = (|| {
        write_temp(&temp, bytes, mode)?;
        // hard_link fails if `path` exists, which rename would silently replace.
        fs::hard_link(&temp, path).map_err(Error::io(path))?;
        fs::remove_file(&temp).map_err(Error::io(&temp))?;
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Reads `path` if it exists, refusing files over `limit` bytes without reading them.
pub fn read_capped(path: &Path, limit: u64) -> Result<Option<Vec<u8>>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Io { path: path.to_path_buf(), source: e }),
    };
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(Error::io(path))?;
    if bytes.len() as u64 > limit {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("larger than {limit} bytes")),
        });
    }
    Ok(Some(bytes))
}

/// Like [`read_capped`], but the file must exist.
pub fn read_required(path: &Path, limit: u64) -> Result<Vec<u8>> {
    read_capped(path, limit)?.ok_or_else(|| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "missing"),
    })
}

/// Flushes a folder's entries (new names, renames) to disk.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(Error::io(dir))
}

/// Creates a folder (and parents) with `mode` for any it creates.
pub fn create_dir(dir: &Path, mode: u32) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.create(dir).map_err(Error::io(dir))
}

/// The permission bits of `path` (Unix); `None` elsewhere.
pub fn mode_of(path: &Path) -> Result<Option<u32>> {
    let meta = fs::metadata(path).map_err(Error::io(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(Some(meta.permissions().mode() & 0o777))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(None)
    }
}

fn create_new_with_mode(path: &Path, mode: u32) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let file = options.open(path).map_err(Error::io(path))?;
    // The umask may have narrowed `mode` (fine) but never widens it; set it exactly so a public
    // file is readable by the web server whatever the umask.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode)).map_err(Error::io(path))?;
    }
    Ok(file)
}

fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent(path).join(format!("{TEMP_PREFIX}{name}-{}-{n}", std::process::id()))
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_and_exclusive_refuses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.json");
        write_atomic(&path, b"one", PUBLIC_MODE).expect("write");
        write_atomic(&path, b"two", PUBLIC_MODE).expect("replace");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        assert!(create_exclusive(&path, b"three", PRIVATE_MODE).is_err());
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let key = dir.path().join("k");
        create_exclusive(&key, b"secret", PRIVATE_MODE).expect("create");
        assert_eq!(mode_of(&key).expect("mode"), Some(0o600));
        // No temp files left behind.
        let names: Vec<_> = fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn capped_reads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        assert_eq!(read_capped(&path, 10).expect("missing is fine"), None);
        fs::write(&path, b"0123456789").expect("write");
        assert_eq!(read_capped(&path, 10).expect("at cap").map(|b| b.len()), Some(10));
        assert!(read_capped(&path, 9).is_err());
    }
}
