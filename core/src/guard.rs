//! Contains panics from dependencies at the boundary where we call them.
//!
//! tantivy reads its files with `unwrap`s and slice indexing that assume the bytes are intact;
//! a flipped byte in the index can panic deep inside it. The index is a cache we can always
//! rebuild, so a panic there must become an ordinary error the caller can act on, never a
//! crash of the app (unwinding is kept in every profile for this reason).

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, Result};

/// Runs `f`, turning a panic into [`Error::IndexPanic`] naming `what` was being done.
pub(crate) fn contain<T>(what: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    // AssertUnwindSafe: on a panic everything `f` touched is dropped or rebuilt by the caller
    // (the index is reopened from scratch), so no half-updated state is observed afterwards.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Error::IndexPanic { what, message })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_and_a_result_passes_through() {
        let err = contain::<()>("searching", || panic!("index out of range")).unwrap_err();
        assert!(matches!(&err, Error::IndexPanic { what: "searching", message } if message.contains("out of range")));
        assert_eq!(contain("x", || Ok(3)).ok(), Some(3));
    }
}
