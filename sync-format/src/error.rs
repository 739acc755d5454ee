//! The one error type: every way a tree's file can be refused, each specific enough for the app's
//! Updates screen (`kind()`) and for a publisher reading a message.

use chrono::{DateTime, Utc};

/// Why bytes were refused. `what` names the file (`manifest.json`, `keys.json.sig`, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Larger than its cap: refused before parsing, so a hostile server cannot make us work.
    #[error("{what} is too large: {size} bytes, the limit is {limit}")]
    TooLarge { what: &'static str, size: u64, limit: u64 },
    /// Not the format this crate writes, or a field out of range.
    #[error("{what} is malformed: {reason}")]
    Malformed { what: &'static str, reason: String },
    /// No signature in the file is by a key we trust (the signer is not a root or not delegated).
    #[error("{what} is not signed by any trusted key")]
    UnknownKey { what: &'static str },
    /// Signed by a trusted key id, but the signature does not verify over these bytes.
    #[error("{what}: the signature does not verify")]
    BadSignature { what: &'static str },
    /// `expires_at` has passed.
    #[error("{what} expired at {expires_at}")]
    Expired { what: &'static str, expires_at: DateTime<Utc> },
    /// A manifest from a newer format than this code understands.
    #[error("{what} uses schema {found}; this version understands schema {supported}")]
    UnsupportedSchema { what: &'static str, found: u32, supported: u32 },
    /// A downloaded blob is not the one the manifest names.
    #[error("blob for {path} does not match the manifest: {reason}")]
    BlobMismatch { path: String, reason: String },
    /// A key file or public key that is not a usable Ed25519 key.
    #[error("bad key: {reason}")]
    BadKey { reason: String },
    /// The operating system's random number generator failed (key generation only).
    #[error("cannot generate a key: the system random number generator failed: {reason}")]
    Random { reason: String },
}

impl Error {
    /// A stable, machine-readable name for the error (status JSON, logs, metrics).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "too_large",
            Error::Malformed { .. } => "malformed",
            Error::UnknownKey { .. } => "unknown_key",
            Error::BadSignature { .. } => "bad_signature",
            Error::Expired { .. } => "expired",
            Error::UnsupportedSchema { .. } => "unsupported_schema",
            Error::BlobMismatch { .. } => "blob_mismatch",
            Error::BadKey { .. } => "bad_key",
            Error::Random { .. } => "random",
        }
    }

    pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> Error {
        Error::Malformed { what, reason: reason.into() }
    }
}
