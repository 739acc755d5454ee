//! The one error type the apps see, mapped once from the core's.

use safeguarding_core::Error as CoreError;

/// Errors an app can act on. Messages carry ids and reasons, never page text, notes or
/// other personal data, so they are safe to log.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SafeguardingError {
    /// A page, contact, area or topic id that does not exist (any more).
    #[error("not found: {reason}")]
    NotFound { reason: String },
    /// Input the user can correct: a postcode, a position, a phone number, a time.
    #[error("invalid input: {reason}")]
    InvalidInput { reason: String },
    /// Content that failed its checks; what was installed before is still in use.
    #[error("invalid content: {reason}")]
    InvalidContent { reason: String },
    /// Nothing is installed yet: install the bundled content first.
    #[error("no content is installed")]
    NoContent,
    /// Cancelled through a `CancelToken`; nothing was changed.
    #[error("cancelled")]
    Cancelled,
    /// An update was refused or could not be fetched; the installed content is still in use.
    /// `kind` is stable: `network`, `server`, `not_found`, `bad_signature`, `unknown_key`,
    /// `expired`, `rollback`, `replayed`, `wrong_channel`, `too_large`, `blob_mismatch`,
    /// `malformed`, `bad_key`, `unsupported_schema`, `untrusted_root`, `internal`, ...
    #[error("update failed ({kind}): {reason}")]
    Update { kind: String, reason: String },
    /// The device's storage failed (disk full, database unreadable).
    #[error("storage: {reason}")]
    Storage { reason: String },
}

impl From<CoreError> for SafeguardingError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::PageNotFound(_) | CoreError::NotFound { .. } => {
                SafeguardingError::NotFound { reason: e.to_string() }
            }
            CoreError::InvalidInput(reason) => SafeguardingError::InvalidInput { reason },
            CoreError::InvalidContent(d) => SafeguardingError::InvalidContent {
                reason: format!(
                    "{} error(s); first: {}",
                    d.errors().count(),
                    d.errors().next().map(ToString::to_string).unwrap_or_default()
                ),
            },
            CoreError::NoContent => SafeguardingError::NoContent,
            CoreError::Cancelled => SafeguardingError::Cancelled,
            CoreError::Sync { kind, message } => SafeguardingError::Update { kind: kind.to_string(), reason: message },
            CoreError::Sqlite(_)
            | CoreError::Index(_)
            | CoreError::IndexPanic { .. }
            | CoreError::Corrupt(_)
            | CoreError::Io { .. }
            | CoreError::Content(_) => SafeguardingError::Storage { reason: e.to_string() },
        }
    }
}

pub type Result<T> = std::result::Result<T, SafeguardingError>;
