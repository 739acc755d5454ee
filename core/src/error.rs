//! The core's one error type.

use std::path::PathBuf;

use safeguarding_content::Diagnostics;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no page with id '{0}'")]
    PageNotFound(String),
    #[error("{what} '{id}' was not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("the content has {count} error(s):\n{diags}", count = .0.errors().count(), diags = .0)]
    InvalidContent(Diagnostics),
    #[error("no content is installed yet")]
    NoContent,
    #[error("cancelled")]
    Cancelled,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index failed while {what} ({message}); it will be rebuilt")]
    IndexPanic { what: &'static str, message: String },
    /// A sync was refused or failed; `kind` is stable for the Updates screen and scripts.
    #[error("update refused ({kind}): {message}")]
    Sync { kind: &'static str, message: String },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("cannot use {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Content(#[from] safeguarding_content::Error),
}

impl Error {
    /// A stable name for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Sync { kind, .. } => kind,
            Error::InvalidContent(_) => "invalid_content",
            Error::Cancelled => "cancelled",
            Error::Io { .. } => "io",
            _ => "internal",
        }
    }

    /// True for failures of the search index, which is a cache: rebuilding it fixes them.
    pub fn is_index_failure(&self) -> bool {
        matches!(self, Error::Index(_) | Error::IndexPanic { .. } | Error::Io { .. } | Error::Corrupt(_))
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Corrupt(e.to_string())
    }
}
