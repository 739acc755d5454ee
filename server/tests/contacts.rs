//! Contacts directories through the editors' service on loopback: a CSV upload becomes one
//! reviewed change to the whole directory (CSV problems named by CSV line, nothing saved), and
//! an area's form edits its file in place; both publish into the signed tree.

mod common;

use common::service::{tree_text, Client, Service};
use reqwest::{Method, StatusCode};
use serde_json::json;

const HEADER: &str = "area_id,area_name,region,nation,latitude,longitude,postcode_districts,service_id,service_kind,service_name,needs,hours,phone_label,phone,out_of_hours,last_verified,notes";

fn csv(rows: &[&str]) -> String {
    let mut out = format!("{HEADER}\n");
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out
}

const FRONT_DOOR: &str = "sample-alpha,Alpha Council (sample),Test,england,53.8,-1.5,AL1 AL2,front-door,children-front-door,Children's front door,children,Mon-Fri 09:00-17:00,Referrals,01632 960100,no,2026-11-23,Sample data.";
const EDT: &str = "sample-alpha,Alpha Council (sample),Test,england,53.8,-1.5,AL1 AL2,edt,emergency-duty-team,Emergency duty team,children;adults,\"Mon-Fri 00:00-09:00;Mon-Fri 17:00-24:00;Sat,Sun 00:00-24:00;BH 00:00-24:00\",Duty social worker,01632 960101,yes,2026-11-23,Sample data.";

async fn upload(c: &mut Client, directory: &str, text: &str) -> common::service::Reply {
    c.call(
        Method::PUT,
        &format!("/api/contacts/{directory}/csv"),
        Some(json!({"csv": text, "name": "Alpha sample directory", "description": "Test data", "sample": true, "summary": "Alpha's list"})),
    )
    .await
}

async fn approve_and_publish(ed: &mut Client, ap: &mut Client, id: i64) -> u64 {
    let r = ed.post(&format!("/api/changes/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "submit: {}", r.text);
    let r = ed.post(&format!("/api/changes/{id}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "an editor cannot approve: {}", r.text);
    let r = ap.post(&format!("/api/changes/{id}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "approve: {}", r.text);
    let r = ap.post("/api/channels/staging/publish", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "publish: {}", r.text);
    r.json()["manifest_version"].as_u64().expect("manifest_version")
}

#[tokio::test]
async fn a_csv_upload_is_one_reviewed_change_to_the_whole_directory() {
    let service = Service::new();
    let server = service.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut ap = server.login("ap").await;

    // A bad row is named by its CSV line, and nothing is saved.
    let bad = csv(&[FRONT_DOOR, &EDT.replace("01632 960101", "not a number")]);
    let r = upload(&mut ed, "alpha", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let problems = r.json()["error"]["problems"].clone();
    assert!(
        problems.as_array().is_some_and(|p| p.iter().any(|p| p["path"] == "alpha.csv" && p["line"] == 3)),
        "the second data row is line 3: {problems}"
    );
    assert!(ed.get("/api/changes?mine=true").await.json()["changes"].as_array().is_some_and(Vec::is_empty));

    // A good one is a single change holding the directory's files.
    let r = upload(&mut ed, "alpha", &csv(&[FRONT_DOOR, EDT])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = r.json()["change_id"].as_i64().expect("change_id");
    let detail = ed.get(&format!("/api/changes/{id}")).await.json();
    assert_eq!(detail["path"], "contacts/alpha/");
    let diff = detail["diff"].to_string();
    assert!(
        diff.contains("directory.toml") && diff.contains("sample-alpha.toml") && diff.contains("01632 960101"),
        "{diff}"
    );

    // Its page offers the upload again (the draft is replaced), not a text editor.
    let page = ed.get(&format!("/changes/{id}")).await;
    assert!(page.text.replace("&#x2f;", "/").contains("/contacts/upload?directory=alpha\""), "{}", page.text);

    let version = approve_and_publish(&mut ed, &mut ap, id).await;
    let (v, area) = tree_text(&service.tree("staging"), service.setup.keys(), "contacts/alpha/sample-alpha.toml");
    assert_eq!(v, version);
    let area = area.expect("the area is published");
    assert!(area.contains("01632 960101") && area.contains("emergency-duty-team"), "{area}");
    let (_, head) = tree_text(&service.tree("staging"), service.setup.keys(), "contacts/alpha/directory.toml");
    assert!(head.expect("directory.toml").contains("sample = true"));

    // A second upload without the EDT row replaces the area's file: the EDT is gone.
    let r = upload(&mut ed, "alpha", &csv(&[FRONT_DOOR])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = r.json()["change_id"].as_i64().expect("change_id");
    approve_and_publish(&mut ed, &mut ap, id).await;
    let (_, area) = tree_text(&service.tree("staging"), service.setup.keys(), "contacts/alpha/sample-alpha.toml");
    assert!(!area.expect("area").contains("emergency-duty-team"));

    // The browser's directory list shows it, with the form link.
    let page = ed.get("/contacts").await;
    assert_eq!(page.status, StatusCode::OK);
    // minijinja escapes `/` in values as `&#x2f;`, which the browser reads back as `/`.
    let html = page.text.replace("&#x2f;", "/");
    assert!(
        html.contains("Alpha sample directory")
            && html.contains("/contacts/area?path=contacts/alpha/sample-alpha.toml"),
        "{html}"
    );
}

async fn post_form(c: &mut Client, path: &str, fields: Vec<(&'static str, String)>) -> common::service::Reply {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.form(&format!("/contacts/area?path={path}"), &refs).await
}

#[tokio::test]
async fn an_area_form_edits_its_file_and_keeps_what_it_does_not_show() {
    let service = Service::new();
    let server = service.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut ap = server.login("ap").await;
    let r = upload(&mut ed, "alpha", &csv(&[FRONT_DOOR, EDT])).await;
    let id = r.json()["change_id"].as_i64().expect("change_id");
    approve_and_publish(&mut ed, &mut ap, id).await;

    let path = "contacts/alpha/sample-alpha.toml";
    let form = ed.get(&format!("/contacts/area?path={path}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains("Duty social worker: 01632 960101"), "{}", form.text);
    let csrf = ed.csrf.clone().expect("csrf");

    let fields = |phone: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("name", "Alpha Council (sample)".to_string()),
            ("postcode_districts", "AL1 AL2 al3".to_string()),
            ("last_verified", "2026-12-01".to_string()),
            ("service.0.id", "edt".to_string()),
            ("service.0.name", "Emergency duty team".to_string()),
            (
                "service.0.hours",
                "Mon-Fri 00:00-09:00\r\nMon-Fri 17:00-24:00\r\nSat,Sun 00:00-24:00\r\nBH 00:00-24:00".to_string(),
            ),
            ("service.0.phones", phone.to_string()),
            ("service.0.out_of_hours", "on".to_string()),
            ("service.0.last_verified", "2026-12-01".to_string()),
            ("summary", "New EDT number".to_string()),
        ]
    };
    // A number that is not one is refused by the validator, shown with the form kept.
    let r = post_form(&mut ed, path, fields("Duty social worker: 01632 96")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("with errors to fix") && r.text.contains("01632 96"), "{}", r.text);

    // A good one saves a draft and goes to the change.
    let r = post_form(&mut ed, path, fields("Duty social worker: 01632 960199")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let change: i64 = location.strip_prefix("/changes/").and_then(|n| n.parse().ok()).expect("redirect to the change");
    approve_and_publish(&mut ed, &mut ap, change).await;
    let (_, area) = tree_text(&service.tree("staging"), service.setup.keys(), path);
    let area = area.expect("area");
    assert!(area.contains("01632 960199") && !area.contains("01632 960101"), "{area}");
    assert!(area.contains("\"AL3\"") && area.contains("last_verified = 2026-12-01"), "{area}");
    // The service the form did not list, and the fields it does not show, are as they were.
    assert!(area.contains("children-front-door") && area.contains("needs = [\"children\", \"adults\"]"), "{area}");
    assert!(area.starts_with("# SAMPLE DATA"), "the header comment stays: {area}");
}
