//! The index folder as a cache: what it was built from, building it beside the live one, and
//! swapping it in so that a crash at any point leaves either the old index, the new one, or
//! none (which is rebuilt) — never half of one.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Bump when the schema or the analysers change, so devices rebuild.
pub const SCHEMA_VERSION: u32 = 4;

pub(super) const PAGES: &str = "pages";
pub(super) const SECTIONS: &str = "sections";
const META: &str = "index-meta.json";

/// What an index was built from. Any difference from the running app means rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    pub tantivy: String,
    pub schema: u32,
    pub content: String,
}

impl IndexMeta {
    pub fn current(content_version: &str) -> IndexMeta {
        IndexMeta {
            tantivy: tantivy::version_string().to_string(),
            schema: SCHEMA_VERSION,
            content: content_version.to_string(),
        }
    }
}

pub(super) fn read_meta(dir: &Path) -> Option<IndexMeta> {
    let bytes = fs::read(dir.join(META)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub(super) fn write_meta(dir: &Path, meta: &IndexMeta) -> Result<()> {
    let path = dir.join(META);
    let json = serde_json::to_vec_pretty(meta)?;
    fs::write(&path, json).map_err(Error::io(&path))
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    dir.with_file_name(name)
}

/// An empty folder beside `dir` to build into. Leftovers of an interrupted build are removed.
pub(super) fn staging_dir(dir: &Path) -> Result<PathBuf> {
    let staging = sibling(dir, ".building");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(Error::io(&staging))?;
    }
    fs::create_dir_all(&staging).map_err(Error::io(&staging))?;
    Ok(staging)
}

/// Replaces `dir` with `staging`. The meta file is written last into `staging`, so a folder
/// without one is never trusted.
pub(super) fn swap_in(dir: &Path, staging: &Path) -> Result<()> {
    let old = sibling(dir, ".old");
    if old.exists() {
        fs::remove_dir_all(&old).map_err(Error::io(&old))?;
    }
    if dir.exists() {
        fs::rename(dir, &old).map_err(Error::io(dir))?;
    }
    crate::crash::point("install:mid-swap");
    fs::rename(staging, dir).map_err(Error::io(staging))?;
    if old.exists() {
        // Open readers may still map files in it; on Unix they keep working until dropped.
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}
