//! The data folder's single-writer lock, shared by every process and thread that opens it.
//!
//! Installs, syncs, index rebuilds and migrations change files that other processes read
//! (a background sync while the user searches; two CLI runs at once). They take an exclusive
//! advisory lock on `lock` in the data folder, so at most one of them runs at a time; readers
//! never take it and keep using the last complete release and index.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{Error, Result};

const LOCK_FILE: &str = "lock";

/// Held while writing; released on drop (and by the OS if the process dies).
pub struct WriterLock {
    _file: File,
}

fn open_lock_file(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(Error::io(&path))
}

impl WriterLock {
    /// Waits until no other writer holds the folder.
    pub fn acquire(dir: &Path) -> Result<WriterLock> {
        let file = open_lock_file(dir)?;
        file.lock().map_err(Error::io(dir.join(LOCK_FILE)))?;
        Ok(WriterLock { _file: file })
    }

    /// Takes the lock only if nobody holds it.
    pub fn try_acquire(dir: &Path) -> Result<Option<WriterLock>> {
        let file = open_lock_file(dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(WriterLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(Error::Io { path: dir.join(LOCK_FILE), source: e }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_writer_at_a_time_even_within_one_process() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = WriterLock::acquire(dir.path()).expect("lock");
        assert!(WriterLock::try_acquire(dir.path()).expect("try").is_none());
        drop(first);
        assert!(WriterLock::try_acquire(dir.path()).expect("try").is_some());
    }
}
