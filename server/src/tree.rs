//! A channel tree on disk: its layout, the single-publisher lock, reading back the release it
//! holds (verified, as an app would), and committing a new one so that no reader ever sees a
//! manifest whose blobs or keys are missing.
//!
//! ```text
//! TREE/
//!   keys.json  keys.json.sig            root-signed delegation (copied from KEYS)
//!   manifest.json  manifest.json.sig    the release, signed by the publisher key
//!   blobs/<sha256>                      one per document, immutable
//!   .publisher/                         the publisher's own state, never served
//!     lock                              held while a publish or resign runs
//!     pending/                          the release being committed (see `commit`)
//!     retired.json                      when each unreferenced blob left the live release
//! ```
//!
//! Commit order: blobs; then the four signed files into `.publisher/pending/`; then into place,
//! each by temp file + fsync + rename: `keys.json.sig`, `keys.json`, `manifest.json.sig`,
//! `manifest.json`. Each `.sig` goes before its file so that whenever a reader sees a new
//! `manifest.json` its signature is already there; the one race left (a client reads the old
//! manifest, then the new signature) fails verification, and the client retries the pair. If a
//! commit is interrupted, `pending/` still holds a complete, verified release, and the next run
//! finishes it before doing anything else.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use safeguarding_sync_format::{
    is_sha256_hex, sha256_hex, verify_keys_ignoring_expiry, verify_manifest, Caps, Delegation, Manifest, VerifyingKey,
    KEYS_FILE, KEYS_SIG_FILE, MANIFEST_FILE, MANIFEST_SIG_FILE, MAX_SIG_FILE_BYTES,
};

use crate::atomic::{create_dir, read_capped, sync_dir, write_atomic, PUBLIC_MODE};
use crate::error::{Error, Result};

pub const BLOBS_DIR: &str = "blobs";
pub const STATE_DIR: &str = ".publisher";
const PENDING_DIR: &str = "pending";
const LOCK_FILE: &str = "lock";

/// The four signed files of a release, in the order they are put in place.
pub const SIGNED_FILES: [&str; 4] = [KEYS_SIG_FILE, KEYS_FILE, MANIFEST_SIG_FILE, MANIFEST_FILE];

/// A channel tree folder.
#[derive(Debug, Clone)]
pub struct Tree {
    root: PathBuf,
}

/// The release a tree holds, verified under the publisher's root key(s).
#[derive(Debug, Clone)]
pub struct Current {
    pub manifest: Manifest,
    pub delegation: Delegation,
}

/// A release ready to commit: the exact bytes of its signed files.
#[derive(Debug, Clone)]
pub struct SignedRelease {
    pub keys_json: Vec<u8>,
    pub keys_sig: Vec<u8>,
    pub manifest_json: Vec<u8>,
    pub manifest_sig: Vec<u8>,
}

/// Holds the tree's lock until dropped.
#[derive(Debug)]
pub struct TreeLock {
    _file: File,
}

impl Tree {
    pub fn new(root: impl Into<PathBuf>) -> Tree {
        Tree { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn blobs_dir(&self) -> PathBuf {
        self.root.join(BLOBS_DIR)
    }

    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.blobs_dir().join(sha256)
    }

    pub(crate) fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    fn pending_dir(&self) -> PathBuf {
        self.state_dir().join(PENDING_DIR)
    }

    /// Creates the tree's folders if needed and takes its lock: one publisher at a time. The
    /// lock is the OS's (flock), so a crashed publisher never leaves a stale one.
    pub fn lock(&self) -> Result<TreeLock> {
        create_dir(&self.root, 0o755)?;
        create_dir(&self.blobs_dir(), 0o755)?;
        create_dir(&self.state_dir(), 0o700)?;
        let path = self.state_dir().join(LOCK_FILE);
        let file = File::options().create(true).truncate(false).write(true).open(&path).map_err(Error::io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(TreeLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::Busy(self.root.clone())),
            Err(TryLockError::Error(e)) => Err(Error::Io { path, source: e }),
        }
    }

    /// Finishes a commit that was interrupted, if `pending/` holds a complete release that
    /// verifies under `roots`; discards a partial one (the live files were not touched yet).
    /// Returns the version it completed. Call with the lock held.
    pub fn recover(&self, _lock: &TreeLock, roots: &[VerifyingKey]) -> Result<Option<u64>> {
        let pending = self.pending_dir();
        if !pending.exists() {
            return Ok(None);
        }
        let live_version = match read_release(&self.root)? {
            Some(live) => verify_release(&live, roots).ok().map(|c| c.manifest.manifest_version),
            None => None,
        };
        let mut completed = None;
        if let Some(release) = read_release(&pending)? {
            if let Ok(current) = verify_release(&release, roots) {
                let version = current.manifest.manifest_version;
                // Only ever forward: a pending release older than the live one is stale debris.
                if live_version.is_none_or(|live| version > live) {
                    self.put_in_place(&release)?;
                    completed = Some(version);
                }
            }
        }
        fs::remove_dir_all(&pending).map_err(Error::io(&pending))?;
        Ok(completed)
    }

    /// The release in the tree, verified: `None` for a new tree. Expiry is not checked (an
    /// expired tree is exactly what `resign` is for); anything else that an app would refuse
    /// is an error, so a publisher never builds on a tree it cannot vouch for.
    pub fn current(&self, roots: &[VerifyingKey]) -> Result<Option<Current>> {
        let release = match read_release(&self.root)? {
            Some(r) => r,
            None if self.root.join(MANIFEST_FILE).exists() => {
                return Err(Error::Tree(format!(
                    "{} has {MANIFEST_FILE} but not all of {}: refusing to build on an incomplete tree",
                    self.root.display(),
                    SIGNED_FILES.join(", ")
                )))
            }
            None => return Ok(None),
        };
        verify_release(&release, roots).map(Some).map_err(|e| {
            Error::Tree(format!(
                "the release in {} does not verify under the root key in KEYS ({e}); \
                 if it belongs to another root, publish to a new tree",
                self.root.display()
            ))
        })
    }

    /// Writes a blob unless an intact copy is already there. Returns the bytes written (0 when
    /// the blob was already present).
    pub fn put_blob(&self, sha256: &str, bytes: &[u8]) -> Result<u64> {
        let path = self.blob_path(sha256);
        if let Some(existing) = read_capped(&path, Caps::DEFAULT.max_blob_bytes).ok().flatten() {
            if sha256_hex(&existing) == sha256 {
                return Ok(0);
            }
            // A damaged copy: replace it rather than keep serving bytes that fail every check.
        }
        write_atomic(&path, bytes, PUBLIC_MODE)?;
        Ok(bytes.len() as u64)
    }

    /// Flushes the blobs folder's new names to disk: called once after all blobs, before the
    /// manifest that names them.
    pub fn sync_blobs(&self) -> Result<()> {
        sync_dir(&self.blobs_dir())
    }

    /// Commits a release (see the module docs for the order). Returns the bytes written to the
    /// live tree. Call with the lock held, after every blob is in place.
    pub fn commit(&self, _lock: &TreeLock, release: &SignedRelease) -> Result<u64> {
        let pending = self.pending_dir();
        create_dir(&pending, 0o700)?;
        for (name, bytes) in release.files() {
            write_atomic(&pending.join(name), bytes, PUBLIC_MODE)?;
        }
        sync_dir(&pending)?;
        crate::publish::crash_point("publish:mid-commit");
        let written = self.put_in_place(release)?;
        fs::remove_dir_all(&pending).map_err(Error::io(&pending))?;
        Ok(written)
    }

    fn put_in_place(&self, release: &SignedRelease) -> Result<u64> {
        let mut written = 0;
        for (name, bytes) in release.files() {
            let path = self.root.join(name);
            // Unchanged keys files are left alone, so their ETag and mtime stay put.
            if read_capped(&path, limit_for(name)).ok().flatten().as_deref() == Some(bytes) {
                continue;
            }
            write_atomic(&path, bytes, PUBLIC_MODE)?;
            written += bytes.len() as u64;
        }
        Ok(written)
    }

    /// Names in `blobs/`: content blobs (64 hex digits) and anything else (debris).
    pub(crate) fn list_blobs(&self) -> Result<(Vec<String>, Vec<PathBuf>)> {
        let dir = self.blobs_dir();
        let mut blobs = Vec::new();
        let mut other = Vec::new();
        for entry in fs::read_dir(&dir).map_err(Error::io(&dir))? {
            let entry = entry.map_err(Error::io(&dir))?;
            match entry.file_name().to_str() {
                Some(name) if is_sha256_hex(name) => blobs.push(name.to_string()),
                _ => other.push(entry.path()),
            }
        }
        blobs.sort();
        Ok((blobs, other))
    }
}

impl SignedRelease {
    fn files(&self) -> [(&'static str, &[u8]); 4] {
        [
            (KEYS_SIG_FILE, &self.keys_sig),
            (KEYS_FILE, &self.keys_json),
            (MANIFEST_SIG_FILE, &self.manifest_sig),
            (MANIFEST_FILE, &self.manifest_json),
        ]
    }
}

/// Verifies a release as an app would, except for expiry.
pub fn verify_release(
    release: &SignedRelease,
    roots: &[VerifyingKey],
) -> Result<Current, safeguarding_sync_format::Error> {
    let delegation = verify_keys_ignoring_expiry(&release.keys_json, &release.keys_sig, roots, &Caps::DEFAULT)?;
    let manifest = verify_manifest(&release.manifest_json, &release.manifest_sig, &delegation)?;
    Ok(Current { manifest, delegation })
}

fn limit_for(name: &str) -> u64 {
    match name {
        KEYS_FILE => Caps::DEFAULT.max_keys_bytes,
        MANIFEST_FILE => Caps::DEFAULT.max_manifest_bytes,
        _ => MAX_SIG_FILE_BYTES,
    }
}

/// The four signed files from `dir`, or `None` if any is missing.
fn read_release(dir: &Path) -> Result<Option<SignedRelease>> {
    let read = |name: &str| read_capped(&dir.join(name), limit_for(name));
    let (Some(keys_json), Some(keys_sig), Some(manifest_json), Some(manifest_sig)) =
        (read(KEYS_FILE)?, read(KEYS_SIG_FILE)?, read(MANIFEST_FILE)?, read(MANIFEST_SIG_FILE)?)
    else {
        return Ok(None);
    };
    Ok(Some(SignedRelease { keys_json, keys_sig, manifest_json, manifest_sig }))
}
