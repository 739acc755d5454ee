//! The HTTP side of the server: one state type shared by every route, routes grouped by the
//! resource they serve, and the listener.
//!
//! Today there is one group, [`static_tree`] (a channel tree, as any static host would serve it).
//! The editors' service adds its own groups (accounts, drafts, approvals, the JSON API) as
//! further modules here with further fields in [`AppState`]; `router` mounts whichever groups
//! the state has.

pub mod static_tree;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use static_tree::StaticTree;

/// A request that takes longer than this is cut off: every response here is a small file.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What the routes share. Cheap to clone (one `Arc`).
#[derive(Clone, Default)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    tree: Option<StaticTree>,
}

impl AppState {
    /// A state that serves `tree` as a static channel tree.
    pub fn with_tree(tree: StaticTree) -> AppState {
        AppState { inner: Arc::new(Inner { tree: Some(tree) }) }
    }

    pub fn tree(&self) -> Option<&StaticTree> {
        self.inner.tree.as_ref()
    }
}

/// Every route the state supports, with the layers all of them share.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    if state.tree().is_some() {
        router = router.merge(static_tree::routes());
    }
    // Compress JSON (and later HTML); never blobs, which are stored and cached as they are.
    let compress = DefaultPredicate::new().and(NotForContentType::const_new("application/octet-stream"));
    router
        .fallback(not_found)
        .layer(CompressionLayer::new().gzip(true).no_br().no_deflate().no_zstd().compress_when(compress))
        .layer(axum::middleware::map_response(weaken_etag_when_encoded))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .with_state(state)
}

/// Serves on `listener` until Ctrl-C or SIGTERM, letting requests in flight finish.
///
/// Meant for loopback, a private network, or behind a reverse proxy or CDN: it bounds each
/// request's time but does no rate limiting or slow-client defence of its own.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await
}

pub(crate) async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], "not found\n")
        .into_response()
}

/// A strong ETag names one exact byte sequence, and a gzipped body is a different one (RFC 9110
/// §8.8.3). Caches that compare strongly must not mix the two, so an encoded response's ETag is
/// marked weak; `If-None-Match` compares weakly, so `W/"x"` still earns a 304.
async fn weaken_etag_when_encoded(mut response: Response) -> Response {
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        if let Some(tag) = response.headers().get(header::ETAG).and_then(|v| v.to_str().ok()) {
            if !tag.starts_with("W/") {
                if let Ok(weak) = HeaderValue::from_str(&format!("W/{tag}")) {
                    response.headers_mut().insert(header::ETAG, weak);
                }
            }
        }
    }
    response
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
