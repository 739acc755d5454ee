//! Progress reports and cancellation for long work (installing content, building the index).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// What long work is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and checking content files.
    Checking,
    /// Writing pages and contacts to the content database.
    Installing,
    /// Building the search index.
    Indexing,
    /// Downloading an update; `done` is bytes so far, `total` the most it may need.
    Downloading,
}

/// Receives progress. Implementations must be cheap: they are called once per item.
pub trait Progress: Send + Sync {
    fn report(&self, stage: Stage, done: u64, total: u64);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _: Stage, _: u64, _: u64) {}
}

/// A flag the caller sets to stop long work at the next safe point. Work that is stopped leaves
/// everything as it was before it started.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Progress and cancellation together, as long work takes them.
pub struct Work<'a> {
    pub progress: &'a dyn Progress,
    pub cancel: &'a Cancel,
}

impl Work<'_> {
    pub(crate) fn step(&self, stage: Stage, done: u64, total: u64) -> Result<()> {
        self.progress.report(stage, done, total);
        self.cancel.check()
    }
}
