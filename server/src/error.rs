//! The server's one error type: what went wrong, with the file it concerns, worded for the
//! person at the terminal, and a stable `kind()` for `--json` output and the editors' service.

use std::path::{Path, PathBuf};

use safeguarding_content::Diagnostics;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A tree or key file that sync-format refused.
    #[error("{path}: {source}")]
    Format { path: PathBuf, source: safeguarding_sync_format::Error },
    #[error("{0}")]
    Content(#[from] safeguarding_content::Error),
    /// The content folder has errors; nothing was published.
    #[error("the content has {} error(s); nothing was published", .0.errors().count())]
    InvalidContent(Diagnostics),
    /// The keys folder is missing something, holds something it should not, or disagrees with itself.
    #[error("{0}")]
    Keys(String),
    /// The channel tree is not one this publisher may update as asked.
    #[error("{0}")]
    Tree(String),
    /// A command-line value that is well-formed but not acceptable.
    #[error("{0}")]
    Usage(String),
    /// Another publish or resign holds the tree's lock.
    #[error("{0} is locked by another publish or resign; try again when it has finished")]
    Busy(PathBuf),
}

impl Error {
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Format { .. } => "format",
            Error::Content(_) => "content_unreadable",
            Error::InvalidContent(_) => "invalid_content",
            Error::Keys(_) => "keys",
            Error::Tree(_) => "tree",
            Error::Usage(_) => "usage",
            Error::Busy(_) => "busy",
        }
    }

    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn format(path: &Path) -> impl FnOnce(safeguarding_sync_format::Error) -> Error + '_ {
        move |source| Error::Format { path: path.to_path_buf(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
