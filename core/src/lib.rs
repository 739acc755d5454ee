//! The shared core of the safeguarding guide.
//!
//! A plain Rust library, embedded by the Android and iOS apps through `safeguarding-ffi` and by
//! the `safeguarding` command. It owns:
//!
//! - [`store`]: the installed content release (SQLite);
//! - [`userdata`]: the user's bookmarks, notes, recent searches and settings, in a separate
//!   database that content changes never touch;
//! - [`search`]: offline full-text search with tantivy, the index being a rebuildable cache;
//! - [`contacts`]: local contact directories: area look-up, who to call now, contact search;
//! - [`library`]: the façade tying them to one data folder.

pub mod contacts;
mod crash;
pub mod error;
mod guard;
pub mod library;
pub mod lock;
mod migrate;
pub mod progress;
pub mod search;
pub mod store;
pub mod sync;
pub mod userdata;

pub use contacts::{AreaMatch, AreaSummary, CallAdvice, ContactBook, ContactView, LocateMethod, PhoneView};
pub use error::{Error, Result};
pub use library::{BookmarkView, InstallReport, Library, PageView};
pub use progress::{Cancel, NoProgress, Progress, Stage, Work};
pub use safeguarding_content as content;
pub use search::{
    Highlight, PageBreakdown, ScoreBreakdown, SearchRequest, SearchResult, SearchResults, SectionRef, Snippet,
    Suggestion, SuggestionKind,
};
pub use store::{InstalledContent, TopicSummary};
pub use sync::{ChangedPage, SyncConfig, SyncFailure, SyncReport, SyncStatus};
pub use userdata::{
    Bookmark, Note, NoteTarget, PersonalContact, PersonalPhone, Salvaged, SalvagedBookmark, SalvagedNote,
};
