//! Progress reports to the app, and cancellation from it.

use std::sync::Arc;

use safeguarding_core::{Cancel, Progress};

use crate::types::Stage;

/// Implemented by the app to follow long work (installing content, rebuilding the index).
/// Called on the worker thread, roughly once per page: hand updates to the UI thread yourself.
#[uniffi::export(foreign)]
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, stage: Stage, done: u64, total: u64);
}

/// Lets the app stop long work. Work stopped this way changes nothing.
#[derive(uniffi::Object, Default)]
pub struct CancelToken {
    pub(crate) inner: Cancel,
}

#[uniffi::export]
impl CancelToken {
    /// No I/O; any thread.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(CancelToken::default())
    }

    /// No I/O; any thread, including while the work runs.
    pub fn cancel(&self) {
        self.inner.cancel();
    }

    /// No I/O; any thread.
    pub fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

pub(crate) struct Listener(pub Option<Arc<dyn ProgressListener>>);

impl Progress for Listener {
    fn report(&self, stage: safeguarding_core::Stage, done: u64, total: u64) {
        if let Some(l) = &self.0 {
            l.on_progress(stage.into(), done, total);
        }
    }
}
