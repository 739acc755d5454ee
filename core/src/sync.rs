//! Signed over-the-air content updates: fetch a channel tree, verify it, download only the
//! blobs this device lacks, and install the release through the same path as bundled content.
//!
//! Trust comes only from the root keys the app was built with (or that a private deployment
//! passes in): `keys.json` must be signed by one of them, `manifest.json` by a key it delegates,
//! and every blob must match the hash and size the manifest gives. The manifest's channel must
//! be the one asked for and its version strictly higher than the installed one; the same version
//! with different bytes is refused as an attack. Every failure leaves the installed content and
//! index in use, records the error for the Updates screen, and never touches user data.
//!
//! State lives beside the content database in `sync-state.json` (written by temp file and
//! rename), and the installed release's files in `blobs/<sha256>`, so the next sync is a delta.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use safeguarding_content::ContentFiles;
use safeguarding_sync_format::{
    key_id, verify_keys_with_caps, verify_manifest_with_caps, Caps, Manifest, KEYS_FILE, KEYS_SIG_FILE, MANIFEST_FILE,
    MANIFEST_SIG_FILE, MAX_SIG_FILE_BYTES,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use safeguarding_sync_format::{parse_root_public_key, Error as FormatError, VerifyingKey};

const STATE_FILE: &str = "sync-state.json";
pub(crate) const BLOBS_DIR: &str = "blobs";
/// Bounded retries for transient failures (connection errors, 5xx, 429).
const MAX_ATTEMPTS: u32 = 3;
/// Longest `Retry-After` we are willing to sleep for inside one sync.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Where and what to sync.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Base URL of the channel tree (the folder holding `manifest.json`).
    pub server: String,
    pub channel: String,
    /// Root public keys trusted to sign `keys.json`.
    pub roots: Vec<VerifyingKey>,
    pub caps: Caps,
    /// Per request.
    pub timeout: Duration,
}

impl SyncConfig {
    pub fn new(server: impl Into<String>, channel: impl Into<String>, roots: Vec<VerifyingKey>) -> SyncConfig {
        SyncConfig {
            server: server.into(),
            channel: channel.into(),
            roots,
            caps: Caps::DEFAULT,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A page that changed in a sync, for "Updated since you last looked".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedPage {
    pub id: String,
    pub title: String,
    pub note: Option<String>,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub updated: bool,
    pub manifest_version: u64,
    pub bytes_downloaded: u64,
    pub changed: Vec<ChangedPage>,
}

/// Why the last sync failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncFailure {
    pub kind: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// What the Updates screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    /// 0 for the bundled release.
    pub manifest_version: u64,
    pub channel: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_check: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<SyncFailure>,
    /// The installed manifest has expired: the content is kept but may be out of date.
    pub stale: bool,
    /// Pages changed by syncs and not yet opened.
    pub unread: Vec<ChangedPage>,
}

/// What is remembered between syncs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SyncState {
    /// Key ids of the roots this folder trusts; another root is refused until reset.
    pub roots: Vec<String>,
    pub channel: Option<String>,
    pub manifest_version: u64,
    /// The installed manifest's exact bytes (hex of sha256 compared on replay).
    pub manifest_sha256: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub keys_version: u64,
    pub manifest_etag: Option<String>,
    pub last_check: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<SyncFailure>,
    #[serde(default)]
    pub unread: Vec<ChangedPage>,
}

impl SyncState {
    pub(crate) fn load(dir: &Path) -> SyncState {
        // A damaged state file only loses the rollback floor for this device until the next
        // sync, which the installed content's own version (kept in the database) restores.
        std::fs::read(dir.join(STATE_FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        write_atomically(&dir.join(STATE_FILE), &bytes, true)
    }

    pub(crate) fn status(&self, now: DateTime<Utc>) -> SyncStatus {
        SyncStatus {
            manifest_version: self.manifest_version,
            channel: self.channel.clone(),
            published_at: self.published_at,
            expires_at: self.expires_at,
            last_check: self.last_check,
            last_success: self.last_success,
            last_error: self.last_error.clone(),
            stale: self.expires_at.is_some_and(|e| e <= now),
            unread: self.unread.clone(),
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so a reader
/// sees the old file or the new one. `durable` flushes it to disk first (the sync state);
/// blobs skip that, as a damaged blob fails its hash and is simply fetched again.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(Error::io(&tmp))?;
    f.write_all(bytes).map_err(Error::io(&tmp))?;
    if durable {
        f.sync_all().map_err(Error::io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(Error::io(path))
}

/// The release's files, content-addressed, so the next sync downloads only what changed.
pub(crate) struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    pub(crate) fn new(data_dir: &Path) -> BlobStore {
        BlobStore { dir: data_dir.join(BLOBS_DIR) }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    /// The blob, if it is here and still hashes to its name (local tampering is caught here).
    pub(crate) fn get(&self, sha256: &str, max: u64) -> Option<Vec<u8>> {
        let meta = std::fs::metadata(self.path(sha256)).ok()?;
        if meta.len() > max {
            return None;
        }
        let bytes = std::fs::read(self.path(sha256)).ok()?;
        (safeguarding_sync_format::sha256_hex(&bytes) == sha256).then_some(bytes)
    }

    pub(crate) fn put(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(Error::io(&self.dir))?;
        write_atomically(&self.path(sha256), bytes, false)
    }

    /// Stores every file of a release (the bundled one, on install), so a later sync is a delta.
    pub(crate) fn put_all(&self, files: &ContentFiles) -> Result<()> {
        for (_, bytes) in files.iter() {
            let sha = safeguarding_sync_format::sha256_hex(bytes);
            if self.get(&sha, bytes.len() as u64).is_none() {
                self.put(&sha, bytes)?;
            }
        }
        Ok(())
    }

    /// Removes blobs the installed release does not use.
    pub(crate) fn keep_only(&self, keep: &BTreeSet<String>) {
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if !keep.contains(&name) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// Fetches bytes with caps, timeouts, bounded retries and `Retry-After`.
pub(crate) struct Fetcher<'a> {
    client: reqwest::Client,
    base: String,
    cancel: &'a crate::Cancel,
    pub downloaded: u64,
}

pub(crate) enum Fetched {
    Body { bytes: Vec<u8>, etag: Option<String> },
    NotModified,
}

impl<'a> Fetcher<'a> {
    pub(crate) fn new(config: &SyncConfig, cancel: &'a crate::Cancel) -> Result<Fetcher<'a>> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("safeguarding-guide/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Sync { kind: "network", message: format!("cannot start the HTTP client: {e}") })?;
        let base = config.server.trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(Error::InvalidInput(format!("'{}' is not an http(s) address", config.server)));
        }
        Ok(Fetcher { client, base, cancel, downloaded: 0 })
    }

    pub(crate) async fn get(
        &mut self,
        name: &str,
        max: u64,
        etag: Option<&str>,
        progress: &dyn Fn(u64),
    ) -> Result<Fetched> {
        let url = format!("{}/{name}", self.base);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.cancel.check()?;
            match self.get_once(&url, name, max, etag, progress).await {
                Err(Retry::Now(e)) | Err(Retry::After(e, _)) if attempt >= MAX_ATTEMPTS => return Err(e),
                Err(Retry::Now(_)) => tokio::time::sleep(Duration::from_millis(200 * 4u64.pow(attempt - 1))).await,
                Err(Retry::After(_, wait)) => tokio::time::sleep(wait.min(MAX_RETRY_AFTER)).await,
                Err(Retry::Never(e)) => return Err(e),
                Ok(f) => return Ok(f),
            }
        }
    }

    async fn get_once(
        &mut self,
        url: &str,
        name: &str,
        max: u64,
        etag: Option<&str>,
        progress: &dyn Fn(u64),
    ) -> std::result::Result<Fetched, Retry> {
        let net = |e: reqwest::Error| Error::Sync { kind: "network", message: format!("{name}: {e}") };
        let mut request = self.client.get(url);
        if !name.starts_with(BLOBS_DIR) {
            request = request.header(reqwest::header::ACCEPT_ENCODING, "gzip");
        }
        if let Some(tag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, tag);
        }
        let mut response = request.send().await.map_err(|e| Retry::Now(net(e)))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let e = Error::Sync { kind: "server", message: format!("{name}: the server answered {status}") };
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(match wait {
                Some(w) => Retry::After(e, w),
                None => Retry::Now(e),
            });
        }
        if !status.is_success() {
            return Err(Retry::Never(Error::Sync {
                kind: if status == reqwest::StatusCode::NOT_FOUND { "not_found" } else { "server" },
                message: format!("{name}: the server answered {status}"),
            }));
        }
        if response.content_length().is_some_and(|n| n > max) {
            return Err(Retry::Never(too_large(name, max)));
        }
        let etag = response.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_string);
        let gzipped = response
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| Retry::Now(net(e)))? {
            if self.cancel.is_cancelled() {
                return Err(Retry::Never(Error::Cancelled));
            }
            if bytes.len() as u64 + chunk.len() as u64 > max {
                return Err(Retry::Never(too_large(name, max)));
            }
            bytes.extend_from_slice(&chunk);
            self.downloaded += chunk.len() as u64;
            progress(self.downloaded);
        }
        if gzipped {
            bytes = gunzip(&bytes, max)
                .map_err(|e| Retry::Never(Error::Sync { kind: "malformed", message: format!("{name}: {e}") }))?;
        }
        Ok(Fetched::Body { bytes, etag })
    }
}

/// Decompresses a gzip body, refusing to expand past `max` (a gzip bomb costs nothing).
fn gunzip(bytes: &[u8], max: u64) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot decompress: {e}"))?;
    if out.len() as u64 > max {
        return Err(format!("expands past its limit of {max} bytes"));
    }
    Ok(out)
}

enum Retry {
    Now(Error),
    After(Error, Duration),
    Never(Error),
}

fn too_large(name: &str, max: u64) -> Error {
    Error::Sync { kind: "too_large", message: format!("{name} is larger than its limit of {max} bytes") }
}

fn install_crypto_provider() {
    // Several libraries may race to install a provider; whichever wins is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Checks a fetched manifest against what this device already trusts and holds.
pub(crate) enum Verdict {
    UpToDate,
    Newer(Manifest),
}

pub(crate) fn judge(
    state: &SyncState,
    config: &SyncConfig,
    manifest: Manifest,
    manifest_bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Verdict> {
    if manifest.channel != config.channel {
        return Err(refused(
            "wrong_channel",
            format!("the manifest is for channel '{}', not '{}'", manifest.channel, config.channel),
        ));
    }
    let sha = safeguarding_sync_format::sha256_hex(manifest_bytes);
    if manifest.manifest_version == state.manifest_version && state.channel.as_deref() == Some(&manifest.channel) {
        if state.manifest_sha256.as_deref() == Some(sha.as_str()) {
            return Ok(Verdict::UpToDate);
        }
        return Err(refused(
            "replayed",
            format!("manifest version {} was already installed with different bytes", manifest.manifest_version),
        ));
    }
    if manifest.manifest_version <= state.manifest_version {
        return Err(refused(
            "rollback",
            format!(
                "the server offers manifest version {}, older than the installed {}",
                manifest.manifest_version, state.manifest_version
            ),
        ));
    }
    if manifest.is_expired(now) {
        return Err(refused("expired", format!("the manifest expired at {}", manifest.expires_at)));
    }
    Ok(Verdict::Newer(manifest))
}

pub(crate) fn refused(kind: &'static str, message: String) -> Error {
    Error::Sync { kind, message }
}

pub(crate) fn format_error(e: &FormatError) -> Error {
    Error::Sync { kind: e.kind(), message: e.to_string() }
}

/// Verifies `keys.json` and checks its root is the one this folder trusts and its version has
/// not gone backwards.
pub(crate) fn check_keys(
    state: &SyncState,
    config: &SyncConfig,
    keys: &[u8],
    sig: &[u8],
    now: DateTime<Utc>,
) -> Result<(safeguarding_sync_format::Delegation, Vec<String>)> {
    let root_ids: Vec<String> = config.roots.iter().map(key_id).collect();
    if !state.roots.is_empty() && !root_ids.iter().any(|r| state.roots.contains(r)) {
        return Err(refused(
            "untrusted_root",
            "this data folder trusts a different root key; reset it to follow another publisher".into(),
        ));
    }
    let delegation =
        verify_keys_with_caps(keys, sig, &config.roots, now, &config.caps).map_err(|e| format_error(&e))?;
    if delegation.version() < state.keys_version {
        return Err(refused(
            "rollback",
            format!("keys.json version {} is older than the {} already seen", delegation.version(), state.keys_version),
        ));
    }
    Ok((delegation, root_ids))
}

pub(crate) fn verify_manifest_bytes(
    config: &SyncConfig,
    delegation: &safeguarding_sync_format::Delegation,
    manifest: &[u8],
    sig: &[u8],
) -> Result<Manifest> {
    verify_manifest_with_caps(manifest, sig, delegation, &config.caps).map_err(|e| format_error(&e))
}

/// File names in the tree, with their caps.
pub(crate) fn tree_files(caps: &Caps) -> [(&'static str, u64); 4] {
    [
        (KEYS_FILE, caps.max_keys_bytes),
        (KEYS_SIG_FILE, MAX_SIG_FILE_BYTES),
        (MANIFEST_FILE, caps.max_manifest_bytes),
        (MANIFEST_SIG_FILE, MAX_SIG_FILE_BYTES),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_bodies_are_capped_after_decompression() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&vec![b'a'; 100_000]).expect("write");
        let small = enc.finish().expect("finish");
        assert!(small.len() < 1_000);
        assert_eq!(gunzip(&small, 100_000).expect("fits").len(), 100_000);
        assert!(gunzip(&small, 99_999).is_err());
        assert!(gunzip(b"not gzip", 100).is_err());
    }
}
