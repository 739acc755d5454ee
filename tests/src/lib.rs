//! Shared helpers for the whole-flow tests in `tests/tests/`.

pub mod sync_rig;

use std::path::PathBuf;

use safeguarding_core::{Cancel, Library, NoProgress, Work};

/// The repository's bundled `content/` folder.
pub fn content_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// A library in a fresh temporary folder with the bundled content installed.
pub fn bundled_library() -> (tempfile::TempDir, Library) {
    let dir = tempfile::tempdir().expect("temp dir");
    let library = Library::open(dir.path()).expect("open library");
    library
        .install_dir(&content_dir(), &Work { progress: &NoProgress, cancel: &Cancel::new() })
        .expect("install bundled content");
    (dir, library)
}
