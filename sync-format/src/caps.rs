//! Hard limits on what a tree may declare, checked before any parsing or download, so neither a
//! hostile server nor a broken publisher can exhaust a phone's memory, disk or data plan.

/// Largest detached signature file: a handful of signatures is a few hundred bytes.
pub const MAX_SIG_FILE_BYTES: u64 = 8 * 1024;
/// Most signatures one detached file may hold (more would only be a way to make us work).
pub const MAX_SIGNATURES: usize = 8;
/// Most publisher keys one `keys.json` may delegate to (rotation needs two at most).
pub const MAX_PUBLISHER_KEYS: usize = 8;

/// Size caps for one channel tree. Parsing refuses any file or declaration past them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// `manifest.json`, in bytes.
    pub max_manifest_bytes: u64,
    /// `keys.json`, in bytes.
    pub max_keys_bytes: u64,
    /// The declared size of any one blob, in bytes.
    pub max_blob_bytes: u64,
    /// The sum of every document's declared size: the most a full sync can download.
    pub max_total_bytes: u64,
    /// Documents in one manifest.
    pub max_documents: usize,
}

impl Caps {
    /// Generous for today's library (about 90 files, well under 1 MiB) with room to grow; a
    /// content file over 1 MiB is already refused by the content validator.
    pub const DEFAULT: Caps = Caps {
        max_manifest_bytes: 1024 * 1024,
        max_keys_bytes: 64 * 1024,
        max_blob_bytes: 2 * 1024 * 1024,
        max_total_bytes: 64 * 1024 * 1024,
        max_documents: 5000,
    };

    /// `Err(TooLarge)` when `size` is over `limit`.
    pub(crate) fn check(what: &'static str, size: u64, limit: u64) -> Result<(), crate::Error> {
        if size > limit {
            Err(crate::Error::TooLarge { what, size, limit })
        } else {
            Ok(())
        }
    }
}

impl Default for Caps {
    fn default() -> Caps {
        Caps::DEFAULT
    }
}
