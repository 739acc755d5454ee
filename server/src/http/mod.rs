//! The HTTP side of the server: one state type shared by every route, routes grouped by the
//! resource they serve, and the listener.
//!
//! Groups: [`static_tree`] (a channel tree, as any static host would serve it, at `/` for
//! `serve --tree`, and the service's trees at `/channels/<name>/`), [`api`] (the JSON API) and
//! [`web`] (the HTML pages), with [`auth`] for sessions and CSRF. `router` mounts whichever
//! groups the state has, under one set of layers: security headers, body-size cap, timeout,
//! compression.

pub mod api;
pub mod auth;
pub mod contacts;
pub mod static_tree;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use static_tree::StaticTree;

use crate::editors::Editors;

/// A request that takes longer than this is cut off. Publishing the whole library takes a
/// second or two; nothing else comes near.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest request body read: a content file is at most 1 MiB, and a form encodes it in
/// somewhat more. Anything larger is refused with 413 before it is read.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Pages load only their own stylesheet and script; nothing inline, nothing from elsewhere,
/// never framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// What the routes share. Cheap to clone (one `Arc`).
#[derive(Clone, Default)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    tree: Option<StaticTree>,
    editors: Option<Arc<Editors>>,
}

impl AppState {
    /// A state that serves `tree` as a static channel tree.
    pub fn with_tree(tree: StaticTree) -> AppState {
        AppState { inner: Arc::new(Inner { tree: Some(tree), editors: None }) }
    }

    /// A state for the editors' service (which also serves its channel trees).
    pub fn with_editors(editors: Editors) -> AppState {
        AppState { inner: Arc::new(Inner { tree: None, editors: Some(Arc::new(editors)) }) }
    }

    pub fn tree(&self) -> Option<&StaticTree> {
        self.inner.tree.as_ref()
    }

    pub fn editors(&self) -> Option<&Arc<Editors>> {
        self.inner.editors.as_ref()
    }
}

/// Every route the state supports, with the layers all of them share.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    if state.tree().is_some() {
        router = router.merge(static_tree::routes());
    }
    if state.editors().is_some() {
        router = router
            .merge(static_tree::channel_routes())
            .merge(api::routes())
            .merge(web::routes())
            .merge(contacts::routes());
    }
    // Compress JSON (and later HTML); never blobs, which are stored and cached as they are.
    let compress = DefaultPredicate::new().and(NotForContentType::const_new("application/octet-stream"));
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new().gzip(true).no_br().no_deflate().no_zstd().compress_when(compress))
        .layer(axum::middleware::map_response(weaken_etag_when_encoded))
        .layer(axum::middleware::map_response(security_headers))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .with_state(state)
}

/// Serves on `listener` until Ctrl-C or SIGTERM, letting requests in flight finish. With the
/// editors' service, also runs the re-signing timer.
///
/// Meant for loopback, a private network, or behind a reverse proxy or CDN: it bounds each
/// request's time and body size and rate-limits logins, but has no slow-client defence of its own.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    if let Some(editors) = state.editors() {
        tokio::spawn(resign_timer(Arc::clone(editors)));
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

/// Re-signs channels whose manifest is older than `resign_every`, checking a few times per
/// period, so a channel's manifest never expires while nothing changes.
async fn resign_timer(editors: Arc<Editors>) {
    let period = (editors.config().resign_every / 4).clamp(Duration::from_secs(1), Duration::from_secs(3600));
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let svc = Arc::clone(&editors);
        match tokio::task::spawn_blocking(move || svc.resign_due(chrono::Utc::now())).await {
            Ok(Ok(done)) => {
                for (channel, version) in done {
                    eprintln!("safeguarding-server: re-signed {channel} as manifest version {version}");
                }
            }
            Ok(Err(e)) => eprintln!("safeguarding-server: scheduled re-signing failed: {e}"),
            Err(e) => eprintln!("safeguarding-server: scheduled re-signing task failed: {e}"),
        }
    }
}

/// The usual protections on every response; a route's own `Cache-Control` (the tree's
/// caching rules) is kept, anything else is `no-store` (pages and API answers name people
/// and unpublished drafts).
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
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
