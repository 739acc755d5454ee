//! Who is asking: the client's address, the session behind the cookie, and the CSRF check on
//! every state-changing request. Also the bridge from async handlers to the synchronous
//! service (`run`), and the cookies themselves.
//!
//! Cookies are `HttpOnly` (no script reads them), `SameSite=Strict` (no other site's page
//! sends them), `Path=/`, and `Secure` when the service is reached over HTTPS. The session
//! cookie carries a random token whose hash is all the database keeps.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};

use super::api::ApiError;
use super::web::WebError;
use super::AppState;
use crate::editors::audit::Entry;
use crate::editors::{Actor, Editors, Error, Result, Session};

pub const SESSION_COOKIE: &str = "sg_session";
/// Pre-login CSRF: a random value in a cookie and in the login form, which must match.
pub const LOGIN_COOKIE: &str = "sg_login";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Runs service code on the blocking pool: SQLite, argon2 and publishing all block.
pub async fn run<T, F>(state: &AppState, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Editors) -> Result<T> + Send + 'static,
{
    let svc = state.editors().cloned().ok_or_else(|| Error::NotFound("this server has no editors' service".into()))?;
    tokio::task::spawn_blocking(move || f(&svc)).await.map_err(|e| Error::Internal(format!("a task failed: {e}")))?
}

/// The client's address: the connection's peer, or with `--tls-behind-proxy` the last hop of
/// `X-Forwarded-For` (the one our proxy added; earlier hops are the client's to invent).
pub fn client_addr(parts: &Parts, state: &AppState) -> String {
    let trust = state.editors().is_some_and(|e| e.config().trust_forwarded_for);
    if trust {
        if let Some(last) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty())
        {
            if let Ok(ip) = last.parse::<std::net::IpAddr>() {
                return ip.to_string();
            }
        }
    }
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// A `Set-Cookie` value with our attributes; `max_age` 0 deletes the cookie.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<u64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The session behind the request's cookie, if it is live.
async fn session_of(parts: &Parts, state: &AppState) -> Result<Option<Session>> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else { return Ok(None) };
    run(state, move |svc| svc.session(&token)).await
}

/// Records a refused CSRF check: someone's browser was steered at us, or a client is broken.
async fn refuse_csrf(state: &AppState, actor: Actor, target: String) -> Error {
    let _ = run(state, move |svc| svc.audit(&actor, Entry::new("csrf.refused", target, ""))).await;
    Error::Forbidden("missing or wrong CSRF token".into())
}

/// A logged-in user of the JSON API. State-changing methods must carry the session's CSRF
/// token in `X-CSRF-Token`.
pub struct ApiUser {
    pub session: Session,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let address = client_addr(parts, state);
        let session = session_of(parts, state).await?.ok_or(Error::Unauthenticated)?;
        let actor = session.actor(&address);
        if !is_safe(&parts.method) {
            let given = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !session.csrf_matches(given) {
                return Err(refuse_csrf(state, actor, format!("{} {}", parts.method, parts.uri.path())).await.into());
            }
        }
        Ok(ApiUser { session, actor })
    }
}

/// A logged-in user of the HTML pages. Forms carry the CSRF token as a field, which handlers
/// check with [`WebUser::check_csrf`] before doing anything.
pub struct WebUser {
    pub session: Session,
    pub actor: Actor,
}

impl WebUser {
    pub async fn check_csrf(&self, state: &AppState, given: &str, what: &str) -> Result<(), WebError> {
        if self.session.csrf_matches(given) {
            Ok(())
        } else {
            Err(refuse_csrf(state, self.actor.clone(), what.to_string()).await.into())
        }
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let address = client_addr(parts, state);
        let session = session_of(parts, state).await?.ok_or(Error::Unauthenticated)?;
        let actor = session.actor(&address);
        Ok(WebUser { session, actor })
    }
}

/// The client's address as an extractor, for handlers with no session (login).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts, state)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_parse_and_carry_their_attributes() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; sg_session=abc ; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        let c = set_cookie(SESSION_COOKIE, "t", true, None);
        assert_eq!(c, "sg_session=t; Path=/; HttpOnly; SameSite=Strict; Secure");
    }
}
