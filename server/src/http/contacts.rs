//! Contacts directories in the browser and the API: the list of directories and areas, an
//! area's form, and a CSV upload that replaces a whole directory through the importer. Each
//! saves an ordinary draft change, reviewed and published like a page.

use axum::extract::{Form, Query, State};
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Json, Router};
use minijinja::context;
use serde::Deserialize;
use serde_json::json;

use super::api::{change_out, ApiJson, ApiPath, ApiResult};
use super::auth::{run, ApiUser, WebUser};
use super::web::{normalise, render, see_other, url_component, WebError, WebResult};
use super::AppState;
use crate::editors::areas::{apply_form, form_from_fields, form_of, part_at_line, AreaForm};
use crate::editors::directories::CsvUpload;
use crate::editors::{Editors, Error};
use safeguarding_content::{parse_directories, Diagnostics};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list))
        .route("/contacts/upload", get(upload_page).post(upload))
        .route("/contacts/area", get(area_page).post(save_area))
        .route("/api/contacts", get(api_list))
        .route("/api/contacts/{directory}/csv", put(api_upload))
}

/// The published directories and their areas.
fn directories(svc: &Editors) -> Result<serde_json::Value, Error> {
    let latest = svc.require_latest()?;
    let dirs = parse_directories(&latest.files, &mut Diagnostics::default());
    let out: Vec<_> = dirs
        .iter()
        .map(|d| {
            let areas: Vec<_> = d
                .areas
                .iter()
                .map(|a| json!({"id": a.id, "name": a.name, "path": a.path, "services": a.services.len()}))
                .collect();
            json!({"directory": d.id, "name": d.name, "description": d.description, "sample": d.sample, "areas": areas})
        })
        .collect();
    Ok(json!({"release": latest.number, "directories": out}))
}

async fn list(State(state): State<AppState>, user: WebUser) -> WebResult {
    let listing = run(&state, directories).await?;
    render("contacts.html", Some(&user), context! { listing })
}

async fn api_list(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(run(&state, directories).await?))
}

// ---- CSV upload ----

#[derive(Deserialize, Default)]
struct UploadQuery {
    #[serde(default)]
    directory: String,
}

#[derive(Deserialize, Default)]
struct UploadForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    directory: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sample: Option<String>,
    #[serde(default)]
    csv: String,
    #[serde(default)]
    summary: String,
}

fn upload_view(
    user: &WebUser,
    form: &UploadForm,
    problems: Vec<crate::editors::check::Problem>,
    message: Option<String>,
) -> WebResult {
    render(
        "contacts_upload.html",
        Some(user),
        context! {
            form => context! {
                directory => form.directory, name => form.name, description => form.description,
                sample => form.sample.is_some(), csv => form.csv, summary => form.summary,
            },
            problems, message,
        },
    )
}

async fn upload_page(State(state): State<AppState>, user: WebUser, Query(q): Query<UploadQuery>) -> WebResult {
    user.actor.require_writer()?;
    // An existing directory's name, description and sample flag are the starting values.
    let dir = q.directory.clone();
    let existing = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        Ok(parse_directories(&latest.files, &mut Diagnostics::default()).into_iter().find(|d| d.id == dir))
    })
    .await?;
    let form = match existing {
        Some(d) => UploadForm {
            directory: d.id,
            name: d.name,
            description: d.description,
            sample: d.sample.then(|| "on".into()),
            ..Default::default()
        },
        None => UploadForm { directory: q.directory, ..Default::default() },
    };
    upload_view(&user, &form, Vec::new(), None)
}

async fn upload(State(state): State<AppState>, user: WebUser, Form(form): Form<UploadForm>) -> WebResult {
    user.check_csrf(&state, &form.csrf_token, "POST /contacts/upload").await?;
    let actor = user.actor.clone();
    let csv = normalise(&form.csv);
    let (directory, name, description, summary) =
        (form.directory.clone(), form.name.clone(), form.description.clone(), form.summary.clone());
    let sample = form.sample.is_some();
    let saved = run(&state, move |svc| {
        let upload = CsvUpload {
            directory: &directory,
            csv: &csv,
            name: &name,
            description: &description,
            sample,
            summary: &summary,
        };
        svc.save_directory_csv(&actor, &upload)
    })
    .await;
    match saved {
        Ok((change, outcome)) if !outcome.has_errors => Ok(see_other(&format!("/changes/{}", change.id))),
        // Saved, but the directory as a whole has errors: show them here with the CSV kept.
        Ok((change, outcome)) => upload_view(
            &user,
            &form,
            outcome.problems,
            Some(format!("Draft saved as change {}, with errors to fix.", change.id)),
        ),
        Err(Error::Problems { problems, .. }) => upload_view(&user, &form, problems, None),
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Deserialize)]
struct UploadBody {
    csv: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sample: bool,
    #[serde(default)]
    summary: String,
}

async fn api_upload(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(directory): ApiPath<String>,
    ApiJson(body): ApiJson<UploadBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = user.actor;
    let (change, outcome) = run(&state, move |svc| {
        let upload = CsvUpload {
            directory: &directory,
            csv: &body.csv,
            name: &body.name,
            description: &body.description,
            sample: body.sample,
            summary: &body.summary,
        };
        svc.save_directory_csv(&actor, &upload)
    })
    .await?;
    Ok(Json(change_out(&change, &outcome)))
}

// ---- one area as a form ----

#[derive(Deserialize)]
struct AreaQuery {
    path: String,
}

fn check_area_path(path: &str) -> Result<(), Error> {
    let ok = path.starts_with("contacts/")
        && path.ends_with(".toml")
        && !path.ends_with("/directory.toml")
        && path.matches('/').count() == 2;
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!("{path} is not a contacts area file")))
    }
}

fn area_view(
    user: &WebUser,
    path: &str,
    form: &AreaForm,
    problems: Vec<crate::editors::check::Problem>,
    message: Option<String>,
) -> WebResult {
    render(
        "area.html",
        Some(user),
        context! {
            path, form, problems, message,
            action => format!("/contacts/area?path={}", url_component(path)),
            toml_link => format!("/files/edit?path={}", url_component(path)),
        },
    )
}

async fn area_page(State(state): State<AppState>, user: WebUser, Query(q): Query<AreaQuery>) -> WebResult {
    user.actor.require_writer()?;
    check_area_path(&q.path)?;
    let actor = user.actor.clone();
    let path = q.path.clone();
    let (form, message) = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        // The author's open change to the file, if any, is what they carry on editing.
        let open = svc.open_change_for(&actor, &path)?.filter(|c| c.source.is_some());
        let source = match &open {
            Some(c) => c.source.clone().unwrap_or_default(),
            None => latest.text(&path).ok_or_else(|| Error::NotFound(format!("no published file '{path}'")))?,
        };
        let message = open.map(|c| format!("Resuming your change {} ({}).", c.id, c.state.name()));
        Ok((form_of(&source)?, message))
    })
    .await?;
    area_view(&user, &q.path, &form, Vec::new(), message)
}

async fn save_area(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<AreaQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let csrf = fields.iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v.clone()).unwrap_or_default();
    user.check_csrf(&state, &csrf, "POST /contacts/area").await?;
    check_area_path(&q.path)?;
    let summary = fields.iter().find(|(k, _)| k == "summary").map(|(_, v)| v.clone()).unwrap_or_default();
    let form = form_from_fields(&fields)?;
    let actor = user.actor.clone();
    let path = q.path.clone();
    let posted = form.clone();
    let saved = run(&state, move |svc| {
        let latest = svc.require_latest()?;
        // Written into the text the author is editing: their open change, else what is published.
        let open = svc.open_change_for(&actor, &path)?.filter(|c| c.source.is_some());
        let base = match open {
            Some(c) => c.source.unwrap_or_default(),
            None => latest.text(&path).ok_or_else(|| Error::NotFound(format!("no published file '{path}'")))?,
        };
        let source = apply_form(&base, &posted)?;
        let (change, outcome) = svc.save_file_draft(&actor, &path, &source, &summary)?;
        Ok((change, outcome, source))
    })
    .await;
    match saved {
        Ok((change, outcome, _)) if !outcome.has_errors => Ok(see_other(&format!("/changes/{}", change.id))),
        Ok((change, mut outcome, source)) => {
            // The findings carry the file's line numbers; say which part of the form that is.
            for p in outcome.problems.iter_mut().filter(|p| p.path == q.path) {
                p.message = format!("{}: {}", part_at_line(&source, p.line), p.message);
            }
            area_view(
                &user,
                &q.path,
                &form,
                outcome.problems,
                Some(format!("Draft saved as change {}, with errors to fix.", change.id)),
            )
        }
        Err(Error::Invalid(message)) => area_view(&user, &q.path, &form, Vec::new(), Some(message)),
        Err(e) => Err(WebError(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::check_area_path;

    #[test]
    fn only_area_files_have_a_form() {
        assert!(check_area_path("contacts/sample-yorkshire/leeds.toml").is_ok());
        for bad in [
            "contacts/sample-yorkshire/directory.toml",
            "contacts/national.toml",
            "guidance/a/b.toml",
            "contacts/a/b/c.toml",
        ] {
            assert!(check_area_path(bad).is_err(), "{bad}");
        }
    }
}
