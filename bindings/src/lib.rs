//! UniFFI bindings of `safeguarding-core` for the Android (Kotlin) and iOS (Swift) apps.
//!
//! A thin layer: objects that hold the core's `Library`, records converted from core types, one
//! error enum for the apps, and progress/cancellation plumbing. Every rule lives in the core.
//!
//! Threading: every method that does I/O says so in its doc comment; call those off the UI
//! thread (the async variants do that for you).

mod contacts;
mod error;
mod library;
mod progress;
mod types;

pub use contacts::Contacts;
pub use error::SafeguardingError;
pub use library::SafeguardingLibrary;
pub use progress::{CancelToken, ProgressListener};
pub use types::*;

uniffi::setup_scaffolding!();
