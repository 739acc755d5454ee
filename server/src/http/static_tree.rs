//! A channel tree over HTTP, exactly as a static host or CDN would serve it: the four signed files
//! and `blobs/<sha256>`, nothing else. Only fixed names and 64-hex blob names are ever joined to
//! the tree's path, so no request can reach any other file (no `..`, no dot-files such as
//! `.publisher/`, no directory listings).
//!
//! Every response has an `ETag` (the quoted sha256 of the file); `If-None-Match` earns a `304`.
//! Blobs are immutable (`Cache-Control: public, max-age=31536000, immutable`: their name is their
//! hash); the manifest and keys are `no-cache` (always revalidate, so a new release is seen at once).

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use safeguarding_sync_format::{
    is_sha256_hex, sha256_hex, Caps, KEYS_FILE, KEYS_SIG_FILE, MANIFEST_FILE, MANIFEST_SIG_FILE, MAX_SIG_FILE_BYTES,
};

use super::{not_found, AppState};
use crate::tree::BLOBS_DIR;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// A tree folder to serve.
#[derive(Debug, Clone)]
pub struct StaticTree {
    root: PathBuf,
}

impl StaticTree {
    pub fn new(root: impl Into<PathBuf>) -> StaticTree {
        StaticTree { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// `GET` (and so `HEAD`) only; any other method on these paths is `405`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("/{KEYS_FILE}"), get(|s: State<AppState>, h: HeaderMap| signed_file(s, h, KEYS_FILE)))
        .route(&format!("/{KEYS_SIG_FILE}"), get(|s: State<AppState>, h: HeaderMap| signed_file(s, h, KEYS_SIG_FILE)))
        .route(&format!("/{MANIFEST_FILE}"), get(|s: State<AppState>, h: HeaderMap| signed_file(s, h, MANIFEST_FILE)))
        .route(
            &format!("/{MANIFEST_SIG_FILE}"),
            get(|s: State<AppState>, h: HeaderMap| signed_file(s, h, MANIFEST_SIG_FILE)),
        )
        .route(&format!("/{BLOBS_DIR}/{{sha256}}"), get(blob))
}

/// The editors' service's channel trees at `/channels/<name>/...`, served by the same rules.
/// Only the service's own channel names map to a folder (`Editors::channel_tree`).
pub fn channel_routes() -> Router<AppState> {
    Router::new()
        .route("/channels/{channel}/{file}", get(channel_file))
        .route(&format!("/channels/{{channel}}/{BLOBS_DIR}/{{sha256}}"), get(channel_blob))
}

async fn channel_file(
    State(state): State<AppState>,
    UrlPath((channel, file)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(root) = state.editors().and_then(|e| e.channel_tree(&channel)) else { return not_found().await };
    let Some(name) = [KEYS_FILE, KEYS_SIG_FILE, MANIFEST_FILE, MANIFEST_SIG_FILE].into_iter().find(|n| *n == file)
    else {
        return not_found().await;
    };
    signed_file_in(&root, &headers, name).await
}

async fn channel_blob(
    State(state): State<AppState>,
    UrlPath((channel, name)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(root) = state.editors().and_then(|e| e.channel_tree(&channel)) else { return not_found().await };
    blob_in(&root, &name, &headers).await
}

async fn signed_file(State(state): State<AppState>, headers: HeaderMap, name: &'static str) -> Response {
    let Some(tree) = state.tree() else { return not_found().await };
    signed_file_in(&tree.root, &headers, name).await
}

async fn signed_file_in(root: &Path, headers: &HeaderMap, name: &'static str) -> Response {
    let limit = match name {
        KEYS_FILE => Caps::DEFAULT.max_keys_bytes,
        MANIFEST_FILE => Caps::DEFAULT.max_manifest_bytes,
        _ => MAX_SIG_FILE_BYTES,
    };
    let bytes = match read(&root.join(name), limit).await {
        Ok(Some(b)) => b,
        Ok(None) => return not_found().await,
        Err(status) => return status.into_response(),
    };
    let etag = format!("\"{}\"", sha256_hex(&bytes));
    respond(headers, bytes, etag, "application/json", REVALIDATE)
}

async fn blob(State(state): State<AppState>, UrlPath(name): UrlPath<String>, headers: HeaderMap) -> Response {
    let Some(tree) = state.tree() else { return not_found().await };
    blob_in(&tree.root, &name, &headers).await
}

async fn blob_in(root: &Path, name: &str, headers: &HeaderMap) -> Response {
    // The name is the whole defence against traversal: 64 lower-case hex digits or nothing.
    if !is_sha256_hex(name) {
        return not_found().await;
    }
    let bytes = match read(&root.join(BLOBS_DIR).join(name), Caps::DEFAULT.max_blob_bytes).await {
        Ok(Some(b)) => b,
        Ok(None) => return not_found().await,
        Err(status) => return status.into_response(),
    };
    // A blob's name is its hash (the publisher checks); hashing megabytes per request to say so
    // again would only slow the origin down.
    let etag = format!("\"{name}\"");
    respond(headers, bytes, etag, "application/octet-stream", IMMUTABLE)
}

fn respond(
    headers: &HeaderMap,
    bytes: Vec<u8>,
    etag: String,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let common = [
        (header::ETAG, etag_value),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    if if_none_match(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (StatusCode::OK, common, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes).into_response()
}

/// Whether `If-None-Match` matches `etag`, by the weak comparison RFC 9110 §13.1.2 prescribes
/// (so the `W/` tag of a gzipped response still matches).
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let ours = etag.trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|value| value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours))
}

/// Reads a regular file up to `limit` bytes: `None` if absent, `500` if it is something else
/// or too large (the publisher never writes such a file, so it is a fault, not a request error).
async fn read(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, StatusCode> {
    let meta = match tokio::fs::metadata(path).await {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            eprintln!("safeguarding-server: {}: {e}", path.display());
            return Err(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.len() > limit {
        eprintln!("safeguarding-server: {} is larger than its cap ({limit} bytes); not serving it", path.display());
        return Err(StatusCode::INTERNAL_SERVER_ERROR);
    }
    match tokio::fs::read(path).await {
        Ok(bytes) if bytes.len() as u64 <= limit => Ok(Some(bytes)),
        Ok(_) => Err(StatusCode::INTERNAL_SERVER_ERROR),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => {
            eprintln!("safeguarding-server: {}: {e}", path.display());
            Err(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_matching() {
        let mut h = HeaderMap::new();
        assert!(!if_none_match(&h, "\"abc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"abc\""));
        assert!(if_none_match(&h, "\"abc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"abcd\""));
        assert!(!if_none_match(&h, "\"abc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(if_none_match(&h, "\"abc\""));
    }
}
