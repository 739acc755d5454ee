//! The JSON API under `/api/`: the same workflow as the HTML pages, for tools and tests.
//! Documented in `server/openapi.yaml`; every response, errors included, is JSON of the shape
//! given there (`{"error":{"kind","message","problems"?}}` for refusals).
//!
//! Logging in (`POST /api/session`) sets the session cookie and returns the CSRF token, which
//! every state-changing call sends back in `X-CSRF-Token`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{run, set_cookie, ApiUser, ClientAddr, SESSION_COOKIE};
use super::AppState;
use crate::editors::check::Outcome;
use crate::editors::diff::diff;
use crate::editors::workflow::{Change, State as ChangeState};
use crate::editors::{accounts, Error, Role, Roles};

/// A refusal or failure, as JSON.
#[derive(Debug)]
pub enum ApiError {
    Service(Error),
    /// A request the framework could not read (bad JSON, wrong content type, too large).
    Status(StatusCode, String),
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::Service(e)
    }
}

/// The status code for each kind of refusal, shared with the HTML pages.
pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Unauthenticated | Error::BadCredentials => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Invalid(_) | Error::Problems { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What the person is told; faults on our side are logged in full and summarised.
pub fn public_message(e: &Error) -> String {
    match e {
        Error::Internal(detail) => {
            eprintln!("safeguarding-server: internal error: {detail}");
            "internal error; the server log has the details".into()
        }
        other => other.to_string(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, message, problems, retry) = match self {
            ApiError::Service(e) => {
                let problems = match &e {
                    Error::Problems { problems, .. } => Some(problems.clone()),
                    _ => None,
                };
                let retry = match &e {
                    Error::TooManyAttempts { retry_after } => Some(*retry_after),
                    _ => None,
                };
                (status_of(&e), e.kind(), public_message(&e), problems, retry)
            }
            ApiError::Status(status, message) => (status, "bad_request", message, None, None),
        };
        let mut body = json!({"error": {"kind": kind, "message": message}});
        if let Some(p) = problems {
            body["error"]["problems"] = json!(p);
        }
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

pub(super) type ApiResult<T> = Result<T, ApiError>;

/// `Json<T>` whose rejections are JSON errors like every other response.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    ApiError::Status(r.status(), r.body_text())
}

/// A JSON body that may be absent (an approval without a comment).
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::Status(r.status(), r.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        serde_json::from_slice(&bytes)
            .map(OptionalJson)
            .map_err(|e| ApiError::Status(StatusCode::BAD_REQUEST, format!("the body is not the JSON expected: {e}")))
    }
}

/// `Query<T>` with JSON rejections.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(q) => Ok(ApiQuery(q.0)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> ApiError {
    ApiError::Status(StatusCode::BAD_REQUEST, r.body_text())
}

/// Path segments as text, with JSON rejections (ids are parsed by the handlers).
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(ApiPath(p.0)),
            Err(r) => Err(ApiError::Status(StatusCode::BAD_REQUEST, r.body_text())),
        }
    }
}

fn change_id(text: &str) -> Result<i64, Error> {
    text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| Error::NotFound(format!("no change '{text}'")))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/session", post(login).get(whoami).delete(logout))
        .route("/api/pages", get(list_pages).post(create_page))
        .route("/api/pages/{id}", get(get_page))
        .route("/api/pages/{id}/draft", put(save_draft))
        .route("/api/pages/{id}/deletion", post(propose_deletion))
        .route("/api/pages/{id}/history", get(history))
        .route("/api/pages/{id}/diff", get(page_diff))
        .route("/api/pages/{id}/restore", post(restore))
        .route("/api/pages/{id}/reviewed", post(mark_reviewed))
        .route("/api/preview", post(preview))
        .route("/api/files", get(list_files))
        .route("/api/file", get(get_file).put(save_file))
        .route("/api/changes", get(list_changes))
        .route("/api/changes/{id}", get(get_change))
        .route("/api/changes/{id}/submit", post(submit))
        .route("/api/changes/{id}/approve", post(approve))
        .route("/api/changes/{id}/request-changes", post(request_changes))
        .route("/api/changes/{id}/comments", post(comment))
        .route("/api/changes/{id}/withdraw", post(withdraw))
        .route("/api/channels", get(channels))
        .route("/api/channels/{name}/publish", post(publish))
        .route("/api/releases", get(releases))
        .route("/api/review", get(review))
        .route("/api/audit", get(audit))
        .route("/api/audit.csv", get(audit_csv))
        .route("/api/users", get(list_users).post(add_user))
        .route("/api/users/{name}/disable", post(disable_user))
        .route("/api/openapi.yaml", get(openapi))
}

/// This API's OpenAPI document (`server/openapi.yaml`), compiled in so it always matches.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/yaml; charset=utf-8"))],
        include_str!("../../openapi.yaml"),
    )
        .into_response()
}

// ---- session ----

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct Me {
    name: String,
    roles: Roles,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let secure = state.editors().is_some_and(|e| e.config().secure_cookies);
    let login = run(&state, move |svc| svc.login(&body.username, &body.password, &addr)).await?;
    let cookie = set_cookie(SESSION_COOKIE, &login.token, secure, None);
    let body = json!({
        "csrf_token": login.session.csrf,
        "user": Me { name: login.session.user.name.clone(), roles: login.session.user.roles },
    });
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

async fn whoami(user: ApiUser) -> Json<serde_json::Value> {
    Json(json!({
        "csrf_token": user.session.csrf,
        "user": Me { name: user.session.user.name.clone(), roles: user.session.user.roles },
    }))
}

async fn logout(State(state): State<AppState>, user: ApiUser) -> ApiResult<Response> {
    let secure = state.editors().is_some_and(|e| e.config().secure_cookies);
    let (session, address) = (user.session.clone(), user.actor.address.clone());
    run(&state, move |svc| svc.logout(&session, &address)).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(SESSION_COOKIE, "", secure, Some(0))) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

// ---- pages ----

async fn list_pages(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    let latest = run(&state, |svc| svc.require_latest()).await?;
    let pages: Vec<_> = latest.pages.values().cloned().collect();
    Ok(Json(json!({"release": latest.number, "pages": pages})))
}

async fn get_page(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let out = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        let page = latest.page(&id).ok_or_else(|| Error::NotFound(format!("no published page '{id}'")))?.clone();
        let source = latest.text(&page.path).unwrap_or_default();
        let open = svc.open_change_for(&actor, &page.path)?.map(|c| c.id);
        Ok(json!({
            "id": page.id, "title": page.title, "topic": page.topic, "path": page.path, "summary": page.summary,
            "sha256": page.sha256, "last_reviewed": page.last_reviewed, "next_review": page.next_review,
            "release": latest.number, "source": source, "open_change_id": open,
        }))
    })
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize)]
struct DraftBody {
    source: String,
    #[serde(default)]
    summary: String,
}

#[derive(Deserialize, Default)]
struct SummaryBody {
    #[serde(default)]
    summary: String,
}

pub(super) fn change_out(change: &Change, outcome: &Outcome) -> serde_json::Value {
    json!({
        "change_id": change.id,
        "state": change.state,
        "path": change.path,
        "has_errors": outcome.has_errors,
        "problems": outcome.problems,
        "preview_html": outcome.preview_html,
    })
}

async fn save_draft(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DraftBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let (change, outcome) =
        run(&state, move |svc| svc.save_page_draft(&actor, &id, &body.source, &body.summary)).await?;
    Ok(Json(change_out(&change, &outcome)))
}

async fn create_page(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<DraftBody>,
) -> ApiResult<Response> {
    let actor = user.actor;
    let (change, outcome) = run(&state, move |svc| svc.create_page(&actor, &body.source, &body.summary)).await?;
    Ok((StatusCode::CREATED, Json(change_out(&change, &outcome))).into_response())
}

async fn propose_deletion(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<SummaryBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let (change, outcome) = run(&state, move |svc| svc.propose_deletion(&actor, &id, &body.summary)).await?;
    Ok(Json(change_out(&change, &outcome)))
}

async fn history(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let versions = run(&state, move |svc| {
        let path = svc.page_path(&id)?.ok_or_else(|| Error::NotFound(format!("no page '{id}'")))?;
        svc.history(&path)
    })
    .await?;
    Ok(Json(json!({"versions": versions})))
}

#[derive(Deserialize)]
struct DiffQuery {
    from: i64,
    to: i64,
}

async fn page_diff(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let d = run(&state, move |svc| {
        let path = svc.page_path(&id)?.ok_or_else(|| Error::NotFound(format!("no page '{id}'")))?;
        let (from, to) = (svc.release_text(&path, q.from)?, svc.release_text(&path, q.to)?);
        Ok(diff(&from, &to, &format!("release-{}/{path}", q.from), &format!("release-{}/{path}", q.to)))
    })
    .await?;
    Ok(Json(json!(d)))
}

#[derive(Deserialize)]
struct RestoreBody {
    release: i64,
}

async fn restore(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RestoreBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let (change, outcome) = run(&state, move |svc| svc.restore(&actor, &id, body.release)).await?;
    Ok(Json(change_out(&change, &outcome)))
}

async fn mark_reviewed(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let (change, outcome) = run(&state, move |svc| svc.mark_reviewed(&actor, &id)).await?;
    Ok(Json(change_out(&change, &outcome)))
}

#[derive(Deserialize)]
struct PreviewBody {
    /// The file the text is for; defaults to a new page's path from its front matter.
    #[serde(default)]
    path: Option<String>,
    source: String,
}

async fn preview(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiJson(body): ApiJson<PreviewBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let outcome = run(&state, move |svc| {
        let path = match body.path {
            Some(p) => p,
            None => crate::editors::check::new_page_path(&body.source)
                .map(|(_, p)| p)
                .unwrap_or_else(|| "guidance/new.md".into()),
        };
        if !safeguarding_content::is_content_path(&path) {
            return Err(Error::Invalid(format!("{path} is not a content file")));
        }
        svc.check_text(&path, Some(&body.source))
    })
    .await?;
    Ok(Json(
        json!({"has_errors": outcome.has_errors, "problems": outcome.problems, "preview_html": outcome.preview_html}),
    ))
}

// ---- other content files ----

async fn list_files(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    let latest = run(&state, |svc| svc.require_latest()).await?;
    let files: Vec<_> = latest
        .files
        .iter()
        .map(|(path, bytes)| json!({"path": path, "size": bytes.len(), "sha256": latest.shas.get(path)}))
        .collect();
    Ok(Json(json!({"release": latest.number, "files": files})))
}

#[derive(Deserialize)]
struct FileQuery {
    path: String,
}

async fn get_file(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiQuery(q): ApiQuery<FileQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let latest = run(&state, |svc| svc.require_latest()).await?;
    let source = latest.text(&q.path).ok_or_else(|| Error::NotFound(format!("no published file '{}'", q.path)))?;
    Ok(Json(json!({"path": q.path, "release": latest.number, "source": source})))
}

async fn save_file(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<FileQuery>,
    ApiJson(body): ApiJson<DraftBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let (change, outcome) =
        run(&state, move |svc| svc.save_file_draft(&actor, &q.path, &body.source, &body.summary)).await?;
    Ok(Json(change_out(&change, &outcome)))
}

// ---- changes ----

#[derive(Deserialize)]
struct ChangesQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    mine: Option<bool>,
}

async fn list_changes(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let filter = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(ChangeState::parse(s).ok_or_else(|| Error::Invalid(format!("unknown state '{s}'")))?),
    };
    let actor = user.actor;
    let changes = run(&state, move |svc| svc.changes(&actor, filter, q.mine.unwrap_or(false))).await?;
    Ok(Json(json!({"changes": changes})))
}

async fn get_change(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = change_id(&id)?;
    let actor = user.actor;
    let detail = run(&state, move |svc| svc.change_detail(&actor, id)).await?;
    Ok(Json(json!(detail)))
}

async fn submit(State(state): State<AppState>, user: ApiUser, ApiPath(id): ApiPath<String>) -> ApiResult<Json<Change>> {
    let id = change_id(&id)?;
    let actor = user.actor;
    Ok(Json(run(&state, move |svc| svc.submit(&actor, id)).await?))
}

#[derive(Deserialize, Default)]
struct CommentBody {
    #[serde(default)]
    comment: String,
}

async fn approve(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<CommentBody>,
) -> ApiResult<Json<Change>> {
    let id = change_id(&id)?;
    let actor = user.actor;
    Ok(Json(run(&state, move |svc| svc.approve(&actor, id, &body.comment)).await?))
}

async fn request_changes(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CommentBody>,
) -> ApiResult<Json<Change>> {
    let id = change_id(&id)?;
    let actor = user.actor;
    Ok(Json(run(&state, move |svc| svc.request_changes(&actor, id, &body.comment)).await?))
}

#[derive(Deserialize)]
struct NewComment {
    body: String,
}

async fn comment(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NewComment>,
) -> ApiResult<Response> {
    let id = change_id(&id)?;
    let actor = user.actor;
    let c = run(&state, move |svc| svc.comment(&actor, id, &body.body)).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Change>> {
    let id = change_id(&id)?;
    let actor = user.actor;
    Ok(Json(run(&state, move |svc| svc.withdraw(&actor, id)).await?))
}

// ---- channels and releases ----

async fn channels(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    let channels = run(&state, |svc| svc.channels()).await?;
    Ok(Json(json!({"channels": channels})))
}

async fn publish(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let published = run(&state, move |svc| svc.publish(&actor, &name)).await?;
    Ok(Json(json!(published)))
}

async fn releases(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    let releases = run(&state, |svc| svc.releases()).await?;
    Ok(Json(json!({"releases": releases})))
}

async fn review(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    let d = run(&state, |svc| svc.dashboard()).await?;
    Ok(Json(json!(d)))
}

// ---- admin ----

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    before: Option<i64>,
}

async fn audit(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let entries = run(&state, move |svc| svc.audit_log(&actor, q.limit.unwrap_or(100), q.before)).await?;
    Ok(Json(json!({"entries": entries})))
}

async fn audit_csv(State(state): State<AppState>, user: ApiUser) -> ApiResult<Response> {
    let actor = user.actor;
    let bytes = run(&state, move |svc| svc.audit_csv(&actor)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"audit.csv\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn list_users(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let users = run(&state, move |svc| svc.list_users(&actor)).await?;
    Ok(Json(json!({"users": users})))
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    roles: Vec<String>,
    password: String,
}

async fn add_user(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<Response> {
    let roles = body.roles.iter().map(|r| Role::parse(r)).collect::<Result<Vec<_>, _>>()?;
    let actor = user.actor;
    let u = run(&state, move |svc| svc.add_user(&actor, &body.name, Roles::of(&roles), &body.password)).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

async fn disable_user(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<accounts::User>> {
    let actor = user.actor;
    Ok(Json(run(&state, move |svc| svc.disable_user(&actor, &name)).await?))
}
