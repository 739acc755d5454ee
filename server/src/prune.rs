//! Old blobs: kept after they leave the live release, because a client part-way through a sync
//! may still fetch them, and removed by `publish --prune-older-than-days N` once no live release
//! has named them for N days.
//!
//! The clock for each blob is kept in `.publisher/retired.json` (sha256 → when it was last part
//! of the live release): a blob's file time says when it was written, not when it stopped being
//! needed, so it cannot answer that question.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::atomic::{read_capped, write_atomic, PRIVATE_MODE};
use crate::error::{Error, Result};
use crate::tree::{Tree, TreeLock};

const RETIRED_FILE: &str = "retired.json";
/// The bookkeeping is one line per blob; this is far beyond any real tree.
const RETIRED_LIMIT: u64 = 16 * 1024 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Retired {
    /// Blobs not in the live release, and when they left it.
    #[serde(with = "times")]
    retired: BTreeMap<String, DateTime<Utc>>,
}

/// What the bookkeeping found and did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PruneReport {
    /// Blobs no longer in the live release, still kept.
    pub kept_unreferenced: usize,
    /// Blobs removed by this run.
    pub removed: usize,
    pub bytes_freed: u64,
}

/// Records which blobs left the live release (`live` is the release just committed) and, with
/// `older_than`, removes those retired longer than that. Also clears crash debris from `blobs/`.
pub fn update(
    tree: &Tree,
    _lock: &TreeLock,
    live: &BTreeSet<&str>,
    now: DateTime<Utc>,
    older_than: Option<Duration>,
) -> Result<PruneReport> {
    let path = tree.state_dir().join(RETIRED_FILE);
    // Unreadable bookkeeping restarts every clock: that only ever keeps blobs longer.
    let mut state: Retired = read_capped(&path, RETIRED_LIMIT)
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let (blobs, debris) = tree.list_blobs()?;
    // The lock is held, so any temp file here is left from a crashed run.
    for path in debris {
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(crate::atomic::TEMP_PREFIX)) {
            let _ = fs::remove_file(&path);
        }
    }
    let on_disk: BTreeSet<&str> = blobs.iter().map(String::as_str).collect();
    state.retired.retain(|sha, _| on_disk.contains(sha.as_str()) && !live.contains(sha.as_str()));
    for sha in &on_disk {
        if !live.contains(sha) {
            state.retired.entry(sha.to_string()).or_insert(now);
        }
    }
    let mut report = PruneReport::default();
    if let Some(age) = older_than {
        let cutoff = now - age;
        let due: Vec<String> = state.retired.iter().filter(|(_, at)| **at <= cutoff).map(|(s, _)| s.clone()).collect();
        for sha in due {
            let blob = tree.blob_path(&sha);
            let size = fs::metadata(&blob).map(|m| m.len()).unwrap_or(0);
            fs::remove_file(&blob).map_err(Error::io(&blob))?;
            state.retired.remove(&sha);
            report.removed += 1;
            report.bytes_freed += size;
        }
    }
    report.kept_unreferenced = state.retired.len();
    let bytes = serde_json::to_vec_pretty(&state).map_err(|e| Error::Tree(format!("{}: {e}", path.display())))?;
    write_atomic(&path, &bytes, PRIVATE_MODE)?;
    Ok(report)
}

/// RFC 3339 times as map values.
mod times {
    use std::collections::BTreeMap;

    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(map: &BTreeMap<String, DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        let text: BTreeMap<&str, String> =
            map.iter().map(|(k, v)| (k.as_str(), safeguarding_sync_format::format_time(v))).collect();
        text.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, DateTime<Utc>>, D::Error> {
        let text = BTreeMap::<String, String>::deserialize(d)?;
        text.into_iter()
            .map(|(k, v)| {
                DateTime::parse_from_rfc3339(&v).map(|t| (k, t.with_timezone(&Utc))).map_err(serde::de::Error::custom)
            })
            .collect()
    }
}
