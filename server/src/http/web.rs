//! The HTML pages: the editors' and approvers' browser interface over the same service calls as
//! the JSON API. Pages are rendered server-side with minijinja, which escapes every value by
//! default (templates end in `.html`); the only HTML passed through unescaped is the preview,
//! built by `editors::render`, which escapes everything itself. No inline script or style, so
//! the Content-Security-Policy can be `default-src 'self'`.
//!
//! Forms post back with the session's CSRF token as a hidden field and are answered with a
//! redirect (post/redirect/get), so a reload never repeats an action.

use std::sync::OnceLock;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Environment, Value};
use serde::{Deserialize, Serialize};

use super::api::{public_message, status_of};
use super::auth::{cookie, run, set_cookie, ClientAddr, WebUser, LOGIN_COOKIE, SESSION_COOKIE};
use super::AppState;
use crate::editors::check::Outcome;
use crate::editors::diff::diff;
use crate::editors::workflow::State as ChangeState;
use crate::editors::{random_token, Error, Role, Roles};

/// The compiled-in templates, parsed once.
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                eprintln!("safeguarding-server: template {name}: {e}");
            }
        }
        env
    })
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("home.html", include_str!("templates/home.html")),
    ("pages.html", include_str!("templates/pages.html")),
    ("page.html", include_str!("templates/page.html")),
    ("edit.html", include_str!("templates/edit.html")),
    ("change.html", include_str!("templates/change.html")),
    ("changes.html", include_str!("templates/changes.html")),
    ("history.html", include_str!("templates/history.html")),
    ("diff.html", include_str!("templates/diff.html")),
    ("publish.html", include_str!("templates/publish.html")),
    ("review.html", include_str!("templates/review.html")),
    ("files.html", include_str!("templates/files.html")),
    ("contacts.html", include_str!("templates/contacts.html")),
    ("contacts_upload.html", include_str!("templates/contacts_upload.html")),
    ("area.html", include_str!("templates/area.html")),
    ("users.html", include_str!("templates/users.html")),
    ("audit.html", include_str!("templates/audit.html")),
    ("error.html", include_str!("templates/error.html")),
];

/// A refusal, as a page: not logged in goes to the login page, anything else is an error page
/// with the status the API would give.
#[derive(Debug)]
pub struct WebError(pub Error);

impl From<Error> for WebError {
    fn from(e: Error) -> WebError {
        WebError(e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self.0, Error::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        let status = status_of(&self.0);
        let problems = match &self.0 {
            Error::Problems { problems, .. } => problems.clone(),
            _ => Vec::new(),
        };
        let ctx = context! { status => status.as_u16(), message => public_message(&self.0), problems => problems };
        match env().get_template("error.html").and_then(|t| t.render(ctx)) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, "error\n").into_response(),
        }
    }
}

pub(super) type WebResult = Result<Response, WebError>;

/// Renders `name` with the user's menu and CSRF token added to `ctx`.
pub(super) fn render(name: &str, user: Option<&WebUser>, ctx: Value) -> WebResult {
    let me = user.map(|u| {
        let roles = u.session.user.roles;
        context! {
            name => u.session.user.name.clone(),
            editor => roles.contains(Role::Editor) || roles.contains(Role::Approver),
            approver => roles.contains(Role::Approver),
            admin => roles.contains(Role::Admin),
        }
    });
    let csrf = user.map(|u| u.session.csrf.clone());
    let full = context! { me => me, csrf_token => csrf, ..ctx };
    let html = env()
        .get_template(name)
        .and_then(|t| t.render(full))
        .map_err(|e| Error::Internal(format!("template {name}: {e}")))?;
    Ok(Html(html).into_response())
}

pub(super) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/pages", get(pages))
        .route("/pages/new", get(new_page).post(save_new_page))
        .route("/pages/{id}", get(page))
        .route("/pages/{id}/edit", get(edit_page).post(save_page))
        .route("/pages/{id}/delete", post(delete_page))
        .route("/pages/{id}/reviewed", post(mark_reviewed))
        .route("/pages/{id}/history", get(history))
        .route("/pages/{id}/diff", get(page_diff))
        .route("/pages/{id}/restore", post(restore))
        .route("/files", get(files))
        .route("/files/edit", get(edit_file).post(save_file))
        .route("/changes", get(changes))
        .route("/changes/{id}", get(change))
        .route("/changes/{id}/{action}", post(change_action))
        .route("/publish", get(publish_page))
        .route("/publish/{channel}", post(publish))
        .route("/review", get(review))
        .route("/admin/users", get(users).post(add_user))
        .route("/admin/users/{name}/disable", post(disable_user))
        .route("/admin/audit", get(audit))
        .route("/admin/audit.csv", get(audit_csv))
        .route("/assets/app.css", get(|| asset("text/css; charset=utf-8", include_str!("assets/app.css"))))
        .route("/assets/app.js", get(|| asset("text/javascript; charset=utf-8", include_str!("assets/app.js"))))
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

// ---- login ----

async fn login_page(State(state): State<AppState>) -> WebResult {
    let token = random_token()?;
    let secure = state.editors().is_some_and(|e| e.config().secure_cookies);
    let mut response =
        render("login.html", None, context! { login_token => token.clone(), error => Value::UNDEFINED })?;
    if let Ok(v) = HeaderValue::from_str(&set_cookie(LOGIN_COOKIE, &token, secure, Some(3600))) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    login_token: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> WebResult {
    let secure = state.editors().is_some_and(|e| e.config().secure_cookies);
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !crate::editors::constant_time_eq(expected.as_bytes(), form.login_token.as_bytes()) {
        return Err(
            Error::Forbidden("the login form expired or came from elsewhere; reload the login page".into()).into()
        );
    }
    let result = run(&state, move |svc| svc.login(&form.username, &form.password, &addr)).await;
    match result {
        Ok(login) => {
            let mut response = see_other("/");
            let headers = response.headers_mut();
            for c in
                [set_cookie(SESSION_COOKIE, &login.token, secure, None), set_cookie(LOGIN_COOKIE, "", secure, Some(0))]
            {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    headers.append(header::SET_COOKIE, v);
                }
            }
            Ok(response)
        }
        Err(e @ (Error::BadCredentials | Error::TooManyAttempts { .. })) => {
            let status = status_of(&e);
            let mut response =
                render("login.html", None, context! { login_token => expected, error => e.to_string() })?;
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(State(state): State<AppState>, user: WebUser, Form(form): Form<CsrfForm>) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, "POST /logout").await?;
    let (session, address) = (user.session.clone(), user.actor.address.clone());
    run(&state, move |svc| svc.logout(&session, &address)).await?;
    let secure = state.editors().is_some_and(|e| e.config().secure_cookies);
    let mut response = see_other("/login");
    if let Ok(v) = HeaderValue::from_str(&set_cookie(SESSION_COOKIE, "", secure, Some(0))) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

// ---- home, pages ----

async fn home(State(state): State<AppState>, user: WebUser) -> WebResult {
    let actor = user.actor.clone();
    let (mine, waiting, approved, channels) = run(&state, move |svc| {
        let mine: Vec<_> = svc.changes(&actor, None, true)?.into_iter().filter(|c| c.state.is_open()).collect();
        Ok((
            mine,
            svc.changes(&actor, Some(ChangeState::Submitted), false)?,
            svc.changes(&actor, Some(ChangeState::Approved), false)?,
            svc.channels()?,
        ))
    })
    .await?;
    render("home.html", Some(&user), context! { mine, waiting, approved, channels })
}

async fn pages(State(state): State<AppState>, user: WebUser) -> WebResult {
    let latest = run(&state, |svc| svc.require_latest()).await?;
    let pages: Vec<_> = latest.pages.values().cloned().collect();
    render("pages.html", Some(&user), context! { pages, release => latest.number })
}

async fn page(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let actor = user.actor.clone();
    let (info, source, preview, open, release) = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        let info = latest.page(&id).ok_or_else(|| Error::NotFound(format!("no published page '{id}'")))?.clone();
        let source = latest.text(&info.path).unwrap_or_default();
        let outcome = svc.check_text(&info.path, Some(&source))?;
        let open = svc.open_change_for(&actor, &info.path)?;
        Ok((info, source, outcome.preview_html, open, latest.number))
    })
    .await?;
    render(
        "page.html",
        Some(&user),
        context! { page => info, source, preview => preview.map(Value::from_safe_string), open, release },
    )
}

/// What the editor form shows.
#[derive(Serialize)]
struct EditorView {
    title: String,
    action: String,
    source: String,
    summary: String,
    path: String,
    page_id: Option<String>,
    message: Option<String>,
    change_id: Option<i64>,
}

fn editor(user: &WebUser, view: EditorView, outcome: Option<&Outcome>) -> WebResult {
    let preview = outcome.and_then(|o| o.preview_html.clone()).map(Value::from_safe_string);
    let problems = outcome.map(|o| o.problems.clone()).unwrap_or_default();
    let checked = outcome.is_some();
    let has_errors = outcome.is_some_and(|o| o.has_errors);
    render("edit.html", Some(user), context! { view, preview, problems, checked, has_errors })
}

async fn edit_page(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    user.actor.require_writer()?;
    let actor = user.actor.clone();
    let (view, outcome) = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        let info = latest.page(&id).ok_or_else(|| Error::NotFound(format!("no published page '{id}'")))?.clone();
        // Resume the editor's own open change rather than start over from the published text.
        let open = svc.open_change_for(&actor, &info.path)?.filter(|c| c.source.is_some());
        let source = match &open {
            Some(c) => c.source.clone().unwrap_or_default(),
            None => latest.text(&info.path).unwrap_or_default(),
        };
        let outcome = svc.check_text(&info.path, Some(&source))?;
        let view = EditorView {
            title: format!("Edit: {}", info.title),
            action: format!("/pages/{}/edit", info.id),
            source,
            summary: open.as_ref().map(|c| c.summary.clone()).unwrap_or_default(),
            path: info.path.clone(),
            page_id: Some(info.id.clone()),
            message: open.as_ref().map(|c| format!("Resuming your change {} ({}).", c.id, c.state.name())),
            change_id: open.map(|c| c.id),
        };
        Ok((view, outcome))
    })
    .await?;
    editor(&user, view, Some(&outcome))
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    summary: String,
    /// `check` (validate and preview only) or `save`.
    #[serde(default)]
    action: String,
}

/// Browsers send textarea text with CRLF line ends; content files use LF.
pub(super) fn normalise(source: &str) -> String {
    source.replace("\r\n", "\n")
}

async fn save_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, &format!("POST /pages/{id}/edit")).await?;
    let actor = user.actor.clone();
    let source = normalise(&form.source);
    let save = form.action == "save";
    let summary = form.summary.clone();
    let (view, outcome, saved) = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        let info = latest.page(&id).ok_or_else(|| Error::NotFound(format!("no published page '{id}'")))?.clone();
        let (outcome, saved, message) = if save {
            let (change, outcome) = svc.save_page_draft(&actor, &id, &source, &summary)?;
            let message = format!("Draft saved as change {}.", change.id);
            (outcome, Some(change.id), Some(message))
        } else {
            actor.require_writer()?;
            (svc.check_text(&info.path, Some(&source))?, None, None)
        };
        let view = EditorView {
            title: format!("Edit: {}", info.title),
            action: format!("/pages/{}/edit", info.id),
            source,
            summary,
            path: info.path,
            page_id: Some(info.id),
            message,
            change_id: saved,
        };
        Ok((view, outcome, saved))
    })
    .await?;
    match saved {
        // A clean draft goes to its change page, where it can be submitted.
        Some(change) if !outcome.has_errors => Ok(see_other(&format!("/changes/{change}"))),
        _ => editor(&user, view, Some(&outcome)),
    }
}

const NEW_PAGE_TEMPLATE: &str = "+++\nid = \"new-page-id\"\ntitle = \"\"\ntopic = \"\"\nkind = \"action\"\naudience = [\"health\"]\nsummary = \"\"\nkeywords = []\nlegal_basis = []\nsources = []\nlast_reviewed = TODAY\nnext_review = NEXT\nversion = 1\n+++\n\n## First section {#first}\n\nText.\n";

async fn new_page(user: WebUser) -> WebResult {
    user.actor.require_writer()?;
    let today = chrono::Local::now().date_naive();
    let source = NEW_PAGE_TEMPLATE
        .replace("TODAY", &today.to_string())
        .replace("NEXT", &(today + chrono::Duration::days(365)).to_string());
    let view = EditorView {
        title: "New page".into(),
        action: "/pages/new".into(),
        source,
        summary: String::new(),
        path: "guidance/<topic>/<id>.md".into(),
        page_id: None,
        message: None,
        change_id: None,
    };
    editor(&user, view, None)
}

async fn save_new_page(State(state): State<AppState>, user: WebUser, Form(form): Form<EditForm>) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, "POST /pages/new").await?;
    let actor = user.actor.clone();
    let source = normalise(&form.source);
    let save = form.action == "save";
    let summary = form.summary.clone();
    let (view, outcome, saved) = run(&state, move |svc| {
        actor.require_writer()?;
        let path = crate::editors::check::new_page_path(&source).map(|(_, p)| p);
        let (outcome, saved) = if save {
            let (change, outcome) = svc.create_page(&actor, &source, &summary)?;
            (outcome, Some(change.id))
        } else {
            let path = path.clone().unwrap_or_else(|| "guidance/new.md".into());
            (svc.check_text(&path, Some(&source))?, None)
        };
        let view = EditorView {
            title: "New page".into(),
            action: "/pages/new".into(),
            source,
            summary,
            path: path.unwrap_or_else(|| "guidance/<topic>/<id>.md".into()),
            page_id: None,
            message: saved.map(|id| format!("Draft saved as change {id}.")),
            change_id: saved,
        };
        Ok((view, outcome, saved))
    })
    .await?;
    match saved {
        Some(change) if !outcome.has_errors => Ok(see_other(&format!("/changes/{change}"))),
        _ => editor(&user, view, Some(&outcome)),
    }
}

#[derive(Deserialize)]
struct SummaryForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    summary: String,
}

async fn delete_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<SummaryForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, &format!("POST /pages/{id}/delete")).await?;
    let actor = user.actor.clone();
    let (change, _) = run(&state, move |svc| svc.propose_deletion(&actor, &id, &form.summary)).await?;
    Ok(see_other(&format!("/changes/{}", change.id)))
}

async fn mark_reviewed(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, &format!("POST /pages/{id}/reviewed")).await?;
    let actor = user.actor.clone();
    let (change, _) = run(&state, move |svc| svc.mark_reviewed(&actor, &id)).await?;
    Ok(see_other(&format!("/changes/{}", change.id)))
}

async fn history(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let page_id = id.clone();
    let (path, versions) = run(&state, move |svc| {
        let path = svc.page_path(&id)?.ok_or_else(|| Error::NotFound(format!("no page '{id}'")))?;
        let versions = svc.history(&path)?;
        Ok((path, versions))
    })
    .await?;
    render("history.html", Some(&user), context! { page_id, path, versions })
}

#[derive(Deserialize)]
struct DiffQuery {
    from: i64,
    to: i64,
}

async fn page_diff(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> WebResult {
    let page_id = id.clone();
    let d = run(&state, move |svc| {
        let path = svc.page_path(&id)?.ok_or_else(|| Error::NotFound(format!("no page '{id}'")))?;
        let (from, to) = (svc.release_text(&path, q.from)?, svc.release_text(&path, q.to)?);
        Ok(diff(&from, &to, &format!("release {}", q.from), &format!("release {}", q.to)))
    })
    .await?;
    render("diff.html", Some(&user), context! { page_id, diff => d, from => q.from, to => q.to })
}

#[derive(Deserialize)]
struct RestoreForm {
    #[serde(default)]
    csrf_token: String,
    release: i64,
}

async fn restore(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<RestoreForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, &format!("POST /pages/{id}/restore")).await?;
    let actor = user.actor.clone();
    let (change, _) = run(&state, move |svc| svc.restore(&actor, &id, form.release)).await?;
    Ok(see_other(&format!("/changes/{}", change.id)))
}

// ---- other files ----

async fn files(State(state): State<AppState>, user: WebUser) -> WebResult {
    let latest = run(&state, |svc| svc.require_latest()).await?;
    let files: Vec<_> = latest
        .files
        .iter()
        .filter(|(p, _)| !p.starts_with("guidance/"))
        // GeoJSON boundaries are data, not something to edit in a text box.
        .map(|(p, b)| context! { path => p, size => b.len(), editable => !p.ends_with(".geojson") })
        .collect();
    render("files.html", Some(&user), context! { files, release => latest.number })
}

#[derive(Deserialize)]
struct PathQuery {
    path: String,
}

async fn edit_file(State(state): State<AppState>, user: WebUser, Query(q): Query<PathQuery>) -> WebResult {
    user.actor.require_writer()?;
    let actor = user.actor.clone();
    let (view, outcome) = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        let open = svc.open_change_for(&actor, &q.path)?.filter(|c| c.source.is_some());
        let source = match &open {
            Some(c) => c.source.clone().unwrap_or_default(),
            None => latest.text(&q.path).ok_or_else(|| Error::NotFound(format!("no published file '{}'", q.path)))?,
        };
        let outcome = svc.check_text(&q.path, Some(&source))?;
        let view = EditorView {
            title: format!("Edit: {}", q.path),
            action: format!("/files/edit?path={}", url_component(&q.path)),
            source,
            summary: open.as_ref().map(|c| c.summary.clone()).unwrap_or_default(),
            path: q.path.clone(),
            page_id: None,
            message: open.as_ref().map(|c| format!("Resuming your change {} ({}).", c.id, c.state.name())),
            change_id: open.map(|c| c.id),
        };
        Ok((view, outcome))
    })
    .await?;
    editor(&user, view, Some(&outcome))
}

async fn save_file(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<PathQuery>,
    Form(form): Form<EditForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, "POST /files/edit").await?;
    let actor = user.actor.clone();
    let source = normalise(&form.source);
    let save = form.action == "save";
    let summary = form.summary.clone();
    let (view, outcome, saved) = run(&state, move |svc| {
        let (outcome, saved) = if save {
            let (change, outcome) = svc.save_file_draft(&actor, &q.path, &source, &summary)?;
            (outcome, Some(change.id))
        } else {
            actor.require_writer()?;
            if !safeguarding_content::is_content_path(&q.path) {
                return Err(Error::Invalid(format!("{} is not a content file", q.path)));
            }
            (svc.check_text(&q.path, Some(&source))?, None)
        };
        let view = EditorView {
            title: format!("Edit: {}", q.path),
            action: format!("/files/edit?path={}", url_component(&q.path)),
            source,
            summary,
            path: q.path.clone(),
            page_id: None,
            message: saved.map(|id| format!("Draft saved as change {id}.")),
            change_id: saved,
        };
        Ok((view, outcome, saved))
    })
    .await?;
    match saved {
        Some(change) if !outcome.has_errors => Ok(see_other(&format!("/changes/{change}"))),
        _ => editor(&user, view, Some(&outcome)),
    }
}

/// Percent-encodes a query value (paths are ASCII letters, digits, `-_./`, so this is short).
pub(super) fn url_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---- changes ----

#[derive(Deserialize)]
struct ChangesQuery {
    #[serde(default)]
    state: Option<String>,
}

async fn changes(State(state): State<AppState>, user: WebUser, Query(q): Query<ChangesQuery>) -> WebResult {
    let filter = q.state.as_deref().filter(|s| !s.is_empty()).and_then(ChangeState::parse);
    let actor = user.actor.clone();
    let list = run(&state, move |svc| svc.changes(&actor, filter, false)).await?;
    render("changes.html", Some(&user), context! { changes => list, filter => filter.map(|f| f.name()) })
}

async fn change(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let id: i64 = id.parse().map_err(|_| Error::NotFound(format!("no change '{id}'")))?;
    let actor = user.actor.clone();
    let detail = run(&state, move |svc| svc.change_detail(&actor, id)).await?;
    let preview = detail.preview_html.clone().map(Value::from_safe_string);
    render("change.html", Some(&user), context! { c => detail, preview })
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    comment: String,
}

async fn change_action(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, &format!("POST /changes/{id}/{action}")).await?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound(format!("no change '{id}'")))?;
    let actor = user.actor.clone();
    run(&state, move |svc| match action.as_str() {
        "submit" => svc.submit(&actor, id).map(drop),
        "approve" => svc.approve(&actor, id, &form.comment).map(drop),
        "request-changes" => svc.request_changes(&actor, id, &form.comment).map(drop),
        "comment" => svc.comment(&actor, id, &form.comment).map(drop),
        "withdraw" => svc.withdraw(&actor, id).map(drop),
        other => Err(Error::NotFound(format!("no action '{other}'"))),
    })
    .await?;
    Ok(see_other(&format!("/changes/{id}")))
}

// ---- publishing, review ----

async fn publish_page(State(state): State<AppState>, user: WebUser) -> WebResult {
    let actor = user.actor.clone();
    let (channels, approved, releases) = run(&state, move |svc| {
        Ok((svc.channels()?, svc.changes(&actor, Some(ChangeState::Approved), false)?, svc.releases()?))
    })
    .await?;
    let releases: Vec<_> = releases.into_iter().take(10).collect();
    render("publish.html", Some(&user), context! { channels, approved, releases })
}

async fn publish(
    State(state): State<AppState>,
    user: WebUser,
    Path(channel): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, &format!("POST /publish/{channel}")).await?;
    let actor = user.actor.clone();
    run(&state, move |svc| svc.publish(&actor, &channel)).await?;
    Ok(see_other("/publish"))
}

async fn review(State(state): State<AppState>, user: WebUser) -> WebResult {
    let d = run(&state, |svc| svc.dashboard()).await?;
    render("review.html", Some(&user), context! { d })
}

// ---- admin ----

async fn users(State(state): State<AppState>, user: WebUser) -> WebResult {
    let actor = user.actor.clone();
    let list = run(&state, move |svc| svc.list_users(&actor)).await?;
    render("users.html", Some(&user), context! { users => list })
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    role_editor: Option<String>,
    role_approver: Option<String>,
    role_admin: Option<String>,
}

async fn add_user(State(state): State<AppState>, user: WebUser, Form(form): Form<NewUserForm>) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, "POST /admin/users").await?;
    let mut roles = Vec::new();
    for (flag, role) in
        [(&form.role_editor, Role::Editor), (&form.role_approver, Role::Approver), (&form.role_admin, Role::Admin)]
    {
        if flag.is_some() {
            roles.push(role);
        }
    }
    let actor = user.actor.clone();
    run(&state, move |svc| svc.add_user(&actor, &form.name, Roles::of(&roles), &form.password)).await?;
    Ok(see_other("/admin/users"))
}

async fn disable_user(
    State(state): State<AppState>,
    user: WebUser,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, &format!("POST /admin/users/{name}/disable")).await?;
    let actor = user.actor.clone();
    run(&state, move |svc| svc.disable_user(&actor, &name)).await?;
    Ok(see_other("/admin/users"))
}

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    before: Option<i64>,
}

async fn audit(State(state): State<AppState>, user: WebUser, Query(q): Query<AuditQuery>) -> WebResult {
    let actor = user.actor.clone();
    let entries = run(&state, move |svc| svc.audit_log(&actor, 200, q.before)).await?;
    let older = if entries.len() == 200 { entries.last().map(|e| e.id) } else { None };
    render("audit.html", Some(&user), context! { entries, older })
}

async fn audit_csv(State(state): State<AppState>, user: WebUser) -> WebResult {
    let actor = user.actor.clone();
    let bytes = run(&state, move |svc| svc.audit_csv(&actor)).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"audit.csv\"")),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_escapes() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let html = env
            .get_template("error.html")
            .and_then(|t| t.render(context! { status => 400, message => "<b>x</b>" }))
            .expect("render");
        assert!(html.contains("&lt;b&gt;x&lt;") && !html.contains("<b>"), "{html}");
    }
}
