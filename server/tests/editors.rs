//! The editors' service against the real binary on loopback: every role rule, the four-eyes
//! rule, CSRF, login throttling, session expiry, escaping, validation with line numbers,
//! publishing, promotion, rollback, crash safety, scheduled re-signing and the audit log.

mod common;

use std::time::{Duration, Instant};

use common::service::{password, tree_text, Client, Service};
use common::{run, s};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PAGE: &str = "test-principles";
const PAGE_PATH: &str = "guidance/mca/test-principles.md";
const LINE: &str = "Assume capacity unless it is established that the person lacks it.";

/// Makes, submits and approves an edit (by `ed`, approved by `ap`); returns the change id.
async fn approved_edit(ed: &mut Client, ap: &mut Client, from: &str, to: &str) -> i64 {
    let id = ed.edit_and_submit(PAGE, from, to).await;
    let r = ap.post(&format!("/api/changes/{id}/approve"), json!({"comment": "Looks right."})).await;
    assert_eq!(r.status, StatusCode::OK, "approve: {}", r.text);
    id
}

async fn publish(c: &mut Client, channel: &str) -> u64 {
    let r = c.post(&format!("/api/channels/{channel}/publish"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "publish {channel}: {}", r.text);
    r.json()["manifest_version"].as_u64().expect("manifest_version")
}

#[tokio::test]
async fn editors_draft_and_submit_but_only_another_approver_approves_and_publishes() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut eve = server.login("eve").await;
    let mut ap = server.login("ap").await;
    let mut ann = server.login("ann").await;

    let id = ed.edit_and_submit(PAGE, "Assume capacity", "Always assume capacity").await;
    // An editor can neither approve (anyone's change) nor publish.
    for c in [&mut ed, &mut eve] {
        let r = c.post(&format!("/api/changes/{id}/approve"), json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = c.post("/api/channels/staging/publish", json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    // Only the author edits their change; another editor's draft is their own change.
    let r = eve.post(&format!("/api/changes/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // An approver who wrote a change cannot approve it, even holding admin too.
    let own = ann.edit_and_submit("test-dols", "##", "##").await;
    let r = ann.post(&format!("/api/changes/{own}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.json()["error"]["message"].as_str().unwrap_or("").contains("another approver"), "{}", r.text);
    let r = ann.post(&format!("/api/changes/{own}/request-changes"), json!({"comment": "me"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Another approver can; the diff they see is against what is published.
    let detail = ap.get(&format!("/api/changes/{id}")).await.json();
    assert_eq!(detail["diff"]["added"], 1);
    assert!(detail["diff"]["unified"].as_str().expect("unified").contains("+Always assume capacity"));
    assert_eq!(detail["can"]["approve"], true);
    let r = ap.post(&format!("/api/changes/{id}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "approved");
    assert_eq!(r.json()["decided_by"], "ap");

    // Publishing: staging first, production only by promotion.
    let v = publish(&mut ap, "staging").await;
    let (version, text) = tree_text(&svc.tree("staging"), svc.setup.keys(), PAGE_PATH);
    assert_eq!(version, v);
    assert!(text.expect("page").contains("Always assume capacity"));
    let r = ap.post("/api/channels/staging/publish", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "nothing new: {}", r.text);
    let pv = publish(&mut ap, "production").await;
    let (_, manifest) = common::read_tree(&svc.tree("production"), svc.setup.keys());
    assert_eq!(manifest.channel, "production");
    assert_eq!(manifest.manifest_version, pv);
    let (_, staging) = common::read_tree(&svc.tree("staging"), svc.setup.keys());
    let shas =
        |m: &safeguarding_sync_format::Manifest| m.documents.iter().map(|d| d.sha256.clone()).collect::<Vec<_>>();
    assert_eq!(shas(&manifest), shas(&staging), "production carries staging's exact bytes");
    let r = ap.post("/api/channels/production/publish", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = ap.post("/api/channels/nightly/publish", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The change is published in release 2, and the page's history says who and what.
    let change = ed.get(&format!("/api/changes/{id}")).await.json();
    assert_eq!(change["state"], "published");
    assert_eq!(change["release"], 2);
    let history = ed.get(&format!("/api/pages/{PAGE}/history")).await.json();
    assert_eq!(history["versions"][0]["release"], 2);
    assert_eq!(history["versions"][0]["author"], "ed");
    assert_eq!(history["versions"][0]["approver"], "ap");
    assert_eq!(history["versions"][1]["release"], 1);
    // The published channels are served with the tree's caching rules.
    let r = ed.get("/channels/staging/manifest.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["cache-control"], "no-cache");
    assert!(r.headers.contains_key("etag"));
    let blob = &staging.documents[0].sha256;
    let r = ed.get(&format!("/channels/staging/blobs/{blob}")).await;
    assert_eq!(r.headers["cache-control"], "public, max-age=31536000, immutable");
    for bad in [
        "/channels/nightly/manifest.json",
        "/channels/staging/.publisher/lock",
        "/channels/staging/blobs/..%2f..%2fdata",
    ] {
        assert_eq!(ed.get(bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn accounts_disabled_users_and_admin_only_pages() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut ad = server.login("ad").await;

    for path in ["/api/audit", "/api/audit.csv", "/api/users"] {
        assert_eq!(ed.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(ad.get(path).await.status, StatusCode::OK, "{path}");
    }
    for path in ["/admin/audit", "/admin/audit.csv", "/admin/users"] {
        assert_eq!(ed.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(ad.get(path).await.status, StatusCode::OK, "{path}");
    }
    // An admin alone manages accounts but does not edit content or publish.
    let r = ad.draft(PAGE, "x", "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(ad.post("/api/channels/staging/publish", json!({})).await.status, StatusCode::FORBIDDEN);
    let r =
        ed.post("/api/users", json!({"name": "mallory", "roles": ["admin"], "password": "long enough password"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Disabling ends the session at once and refuses the next login, with the same words as a
    // wrong password.
    assert_eq!(ed.get("/api/pages").await.status, StatusCode::OK);
    run(&["users", "disable", "--data", s(&svc.data), "--name", "ed"], true);
    assert_eq!(ed.get("/api/pages").await.status, StatusCode::UNAUTHORIZED);
    let mut again = server.client();
    let (status, body) = again.login("ed", &password("ed")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, wrong) = server.client().login("eve", "not her password at all").await;
    assert_eq!(body["error"]["message"], wrong["error"]["message"]);
    let out = common::stdout(&run(&["users", "list", "--data", s(&svc.data)], true));
    assert!(out.lines().any(|l| l.starts_with("ed\t") && l.contains("disabled")), "{out}");

    // The audit log: who, what, when, from where, and CSV with formulas defused.
    let entries = ad.get("/api/audit?limit=500").await.json();
    let list = entries["entries"].as_array().expect("entries");
    let find = |action: &str, actor: &str| {
        list.iter().any(|e| e["action"] == action && e["actor"] == actor && !e["at"].as_str().unwrap_or("").is_empty())
    };
    assert!(find("session.login", "ed"));
    assert!(find("user.disable", "(command line)"));
    assert!(find("session.login_failed", "ed"), "a disabled account's attempt is logged");
    assert!(list.iter().any(|e| e["action"] == "session.login" && e["address"] == "127.0.0.1"));
    let _ = server.client().login("=cmd|' /C calc'!A0", "x").await;
    let csv = ad.get("/api/audit.csv").await;
    assert!(csv.headers["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    assert!(csv.text.starts_with("id,at,actor,address,action,target,detail\n"), "{}", csv.text);
    assert!(csv.text.contains("'=cmd|"), "formula defused: {}", csv.text);
    assert!(!csv.text.contains(",=cmd|"));
}

#[tokio::test]
async fn state_changing_requests_need_the_sessions_csrf_token() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let source = ed.source(PAGE).await;
    let body = json!({"source": source.replacen("Assume", "Presume", 1)}).to_string();
    let path = format!("/api/pages/{PAGE}/draft");
    let r = ed.raw(Method::PUT, &path, Some(("application/json", body.clone())), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no token: {}", r.text);
    let r = ed.raw(Method::PUT, &path, Some(("application/json", body.clone())), Some("0".repeat(64).as_str())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong token");
    // Another user's token is wrong too.
    let eve = server.login("eve").await;
    let r = ed.raw(Method::PUT, &path, Some(("application/json", body.clone())), eve.csrf.as_deref()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another session's token");
    let token = ed.csrf.clone();
    let r = ed.raw(Method::PUT, &path, Some(("application/json", body)), token.as_deref()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(ed.get("/api/changes?mine=true").await.json()["changes"].as_array().map(Vec::len), Some(1));

    // HTML forms: the hidden field, or nothing happens.
    let id = ed.get("/api/changes?mine=true").await.json()["changes"][0]["id"].as_i64().expect("id");
    let r = ed.form(&format!("/changes/{id}/submit"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = ed.form(&format!("/changes/{id}/submit"), &[("csrf_token", "nope")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(ed.get(&format!("/api/changes/{id}")).await.json()["state"], "draft");
    let token = ed.csrf.clone().expect("token");
    let r = ed.form(&format!("/changes/{id}/submit"), &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(ed.get(&format!("/api/changes/{id}")).await.json()["state"], "submitted");
    // The HTML login form needs its own pre-session token (login CSRF).
    let mut browser = server.client();
    let r = browser.form("/login", &[("username", "eve"), ("password", &password("eve"))]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = browser.get("/login").await;
    let token =
        page.text.split("name=\"login_token\" value=\"").nth(1).and_then(|t| t.split('"').next()).expect("token");
    let token = token.to_string();
    let r =
        browser.form("/login", &[("username", "eve"), ("password", &password("eve")), ("login_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(browser.cookies.contains_key("sg_session"));
    let audit = server.login("ad").await.get("/api/audit").await.json();
    assert!(audit["entries"].as_array().expect("entries").iter().any(|e| e["action"] == "csrf.refused"));
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_and_per_address() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    for _ in 0..5 {
        let (status, _) = server.client().login("ed", "wrong password, wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused, without being checked.
    let mut c = server.client();
    let r = c.call(Method::POST, "/api/session", Some(json!({"username": "ed", "password": password("ed")}))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    let wait: u64 = r.headers["retry-after"].to_str().expect("retry-after").parse().expect("seconds");
    assert!(wait > 0 && wait <= 900);
    // Another account is unaffected until the address itself has failed too often.
    let (status, _) = server.client().login("eve", &password("eve")).await;
    assert_eq!(status, StatusCode::OK);
    for i in 0..15 {
        let (status, _) = server.client().login(&format!("nobody{i}"), "guess guess guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = server.client().login("ap", &password("ap")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "20 failures from one address");
}

#[tokio::test]
async fn sessions_expire_when_idle_and_after_their_lifetime() {
    let svc = Service::new();
    let server = svc.start(&["--session-idle", "2", "--session-lifetime", "4"], &[]);
    let mut idle = server.login("ed").await;
    let mut busy = server.login("eve").await;
    assert_eq!(idle.get("/api/session").await.status, StatusCode::OK);
    let started = Instant::now();
    let mut busy_ended = None;
    // Bounded: 8 seconds at most.
    while started.elapsed() < Duration::from_secs(8) {
        tokio::time::sleep(Duration::from_millis(700)).await;
        if busy.get("/api/session").await.status == StatusCode::UNAUTHORIZED {
            busy_ended = Some(started.elapsed());
            break;
        }
    }
    let ended = busy_ended.expect("a busy session still ends at its lifetime");
    assert!(ended >= Duration::from_secs(3), "not before its lifetime: {ended:?}");
    assert_eq!(idle.get("/api/session").await.status, StatusCode::UNAUTHORIZED, "idle for over 2 s");
    // And the HTML side sends an expired session to the login page.
    let r = idle.get("/pages").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/login");
}

#[tokio::test]
async fn html_in_titles_and_comments_is_shown_as_text() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut ap = server.login("ap").await;
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let source = ed.source(PAGE).await.replacen("title = \"The five principles\"", &format!("title = \"{evil}\""), 1);
    let r = ed.draft(PAGE, &source, evil).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = r.json()["change_id"].as_i64().expect("id");
    assert_eq!(ed.post(&format!("/api/changes/{id}/submit"), json!({})).await.status, StatusCode::OK);
    assert_eq!(
        ap.post(&format!("/api/changes/{id}/comments"), json!({"body": evil})).await.status,
        StatusCode::CREATED
    );
    assert_eq!(ap.post(&format!("/api/changes/{id}/approve"), json!({})).await.status, StatusCode::OK);
    publish(&mut ap, "staging").await;

    for path in [
        format!("/changes/{id}"),
        "/pages".to_string(),
        format!("/pages/{PAGE}"),
        "/changes".to_string(),
        "/publish".to_string(),
    ] {
        let r = ap.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!r.text.contains("<script>alert"), "{path} has live script");
        assert!(!r.text.contains("<img src=x"), "{path} has a live img");
        assert!(r.text.contains("&lt;script&gt;alert(1)"), "{path} shows the text escaped");
        assert!(r.headers["content-security-policy"].to_str().expect("csp").starts_with("default-src 'self'"));
        assert_eq!(r.headers["x-frame-options"], "DENY");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
        assert_eq!(r.headers["referrer-policy"], "no-referrer");
    }
    // The JSON says what was written, as data.
    let page = ed.get(&format!("/api/pages/{PAGE}")).await.json();
    assert_eq!(page["title"], evil);
}

#[tokio::test]
async fn invalid_content_is_refused_with_line_numbers() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut ap = server.login("ap").await;
    let source = ed.source(PAGE).await;
    let bad = source.replacen(LINE, "Assume capacity; ring [999](tel:99x) if unsure.", 1);
    let line = bad.lines().position(|l| l.contains("tel:99x")).expect("line") + 1;
    let r = ed.draft(PAGE, &bad, "bad number").await;
    assert_eq!(r.status, StatusCode::OK, "a draft with problems is kept: {}", r.text);
    let body = r.json();
    assert_eq!(body["has_errors"], true);
    let problems = body["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["line"] == line
            && p["severity"] == "error"
            && p["path"] == PAGE_PATH
            && p["message"].as_str().unwrap_or("").contains("phone")),
        "line {line}: {problems:?}"
    );
    let id = body["change_id"].as_i64().expect("id");
    let r = ed.post(&format!("/api/changes/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["problems"][0]["line"], line);
    let r = ap.post(&format!("/api/changes/{id}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a draft is not up for approval");
    // The editor page shows the same line.
    let html = ed
        .form(
            &format!("/pages/{PAGE}/edit"),
            &[("csrf_token", &ed.csrf.clone().expect("t")), ("source", &bad), ("action", "check")],
        )
        .await;
    assert!(html.text.contains(&format!("line {line}</a>: error:")), "{}", html.text);
    // Front matter problems too, and a page that is not a page at all.
    let r = ed.draft(PAGE, &source.replacen("version = 1", "version = \"one\"", 1), "").await;
    let p = &r.json()["problems"][0];
    assert_eq!(p["line"], source.lines().position(|l| l.starts_with("version")).expect("line") + 1, "{p}");
    let r = ed.post("/api/pages", json!({"source": "no front matter"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Oversized bodies are refused before they are read.
    let huge = "x".repeat(4 * 1024 * 1024);
    let r = ed.draft(PAGE, &huge, "").await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Nothing reached a channel.
    assert!(!svc.tree("staging").join("manifest.json").exists());
}

#[tokio::test]
async fn rollback_republishes_old_text_as_a_higher_version() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut ap = server.login("ap").await;
    let original = ed.source(PAGE).await;
    let v1 = publish(&mut ap, "staging").await;
    approved_edit(&mut ed, &mut ap, LINE, "Wrong text that must be rolled back.").await;
    let v2 = publish(&mut ap, "staging").await;
    assert!(v2 > v1);
    let (_, text) = tree_text(&svc.tree("staging"), svc.setup.keys(), PAGE_PATH);
    assert!(text.expect("page").contains("Wrong text"));

    let diff = ed.get(&format!("/api/pages/{PAGE}/diff?from=1&to=2")).await.json();
    assert!(diff["unified"].as_str().expect("unified").contains(&format!("-{LINE}")));
    let r = ed.post(&format!("/api/pages/{PAGE}/restore"), json!({"release": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = r.json()["change_id"].as_i64().expect("id");
    assert_eq!(r.json()["state"], "submitted", "a rollback goes straight to review");
    // Still four eyes: the editor who asked cannot approve, an approver can.
    assert_eq!(ed.post(&format!("/api/changes/{id}/approve"), json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ap.post(&format!("/api/changes/{id}/approve"), json!({})).await.status, StatusCode::OK);
    let v3 = publish(&mut ap, "staging").await;
    assert!(v3 > v2, "rollback is forward in version: {v3} > {v2}");
    let (version, text) = tree_text(&svc.tree("staging"), svc.setup.keys(), PAGE_PATH);
    assert_eq!(version, v3);
    assert_eq!(text.as_deref(), Some(original.as_str()), "the old text, byte for byte");
    let history = ed.get(&format!("/api/pages/{PAGE}/history")).await.json();
    let releases: Vec<i64> =
        history["versions"].as_array().expect("v").iter().filter_map(|v| v["release"].as_i64()).collect();
    assert_eq!(releases, vec![3, 2, 1]);
    assert_eq!(
        ed.post(&format!("/api/pages/{PAGE}/restore"), json!({"release": 3})).await.status,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn a_crash_during_publish_leaves_the_previous_tree_intact() {
    let svc = Service::new();
    let before = {
        let server = svc.start(&[], &[]);
        let mut ed = server.login("ed").await;
        let mut ap = server.login("ap").await;
        publish(&mut ap, "staging").await;
        approved_edit(&mut ed, &mut ap, LINE, "Text from the publish that crashed.").await;
        tree_text(&svc.tree("staging"), svc.setup.keys(), PAGE_PATH)
    };
    for point in ["publish:before-commit", "publish:mid-commit"] {
        let mut server = svc.start(&[], &[("SAFEGUARDING_SERVER_CRASH_AT", point)]);
        let ap = server.login("ap").await;
        let token = ap.csrf.clone();
        let url = server.url("/api/channels/staging/publish");
        let mut req = common::http_client_builder()
            .build()
            .expect("client")
            .post(url)
            .header("X-CSRF-Token", token.unwrap_or_default());
        req = req.header("Cookie", ap.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "));
        assert!(req.send().await.is_err(), "the server died mid-publish at {point}");
        assert!(server.wait_exit(Duration::from_secs(10)), "aborted at {point}");
        // Whatever the crash interrupted, the tree verifies and still serves the old release.
        assert_eq!(tree_text(&svc.tree("staging"), svc.setup.keys(), PAGE_PATH), before, "{point}");
    }
    // Restarted normally, the approved change is still approved and publishes.
    let server = svc.start(&[], &[]);
    let mut ap = server.login("ap").await;
    let v = publish(&mut ap, "staging").await;
    let (version, text) = tree_text(&svc.tree("staging"), svc.setup.keys(), PAGE_PATH);
    assert_eq!(version, v);
    assert!(v > before.0);
    assert!(text.expect("page").contains("Text from the publish that crashed."));
}

#[tokio::test]
async fn manifests_are_re_signed_on_a_schedule_while_nothing_changes() {
    let svc = Service::new();
    let server = svc.start(&["--resign-every", "2"], &[]);
    let mut ap = server.login("ap").await;
    let v = publish(&mut ap, "staging").await;
    let started = Instant::now();
    let mut later = v;
    while started.elapsed() < Duration::from_secs(10) && later <= v {
        tokio::time::sleep(Duration::from_millis(500)).await;
        later = common::read_tree(&svc.tree("staging"), svc.setup.keys()).1.manifest_version;
    }
    assert!(later > v, "re-signed within 10 s: {later} > {v}");
    let audit = server.login("ad").await.get("/api/audit").await.json();
    assert!(audit["entries"]
        .as_array()
        .expect("e")
        .iter()
        .any(|e| e["action"] == "channel.resign" && e["actor"] == "(scheduler)"));
}

#[tokio::test]
async fn new_pages_deletions_comments_and_requested_changes_use_the_same_flow() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    let mut ap = server.login("ap").await;
    let new =
        ed.source(PAGE).await.replace("test-principles", "test-new-page").replace("The five principles", "A new page");
    let r = ed.post("/api/pages", json!({"source": new, "summary": "New page"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let created = r.json()["change_id"].as_i64().expect("id");
    assert_eq!(r.json()["path"], "guidance/mca/test-new-page.md");
    assert_eq!(ed.post(&format!("/api/changes/{created}/submit"), json!({})).await.status, StatusCode::OK);
    // The reviewer asks for a change; the author edits and resubmits; then it is approved.
    let r = ap.post(&format!("/api/changes/{created}/request-changes"), json!({"comment": "Say who it is for."})).await;
    assert_eq!(r.json()["state"], "changes_requested");
    let r = ed.post("/api/pages", json!({"source": new.replace("A test page", "A test page for everyone")})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["change_id"], created, "the author's open change is updated, not duplicated");
    assert_eq!(ed.post(&format!("/api/changes/{created}/submit"), json!({})).await.status, StatusCode::OK);
    assert_eq!(ap.post(&format!("/api/changes/{created}/approve"), json!({})).await.status, StatusCode::OK);
    let r = ed.post("/api/pages/test-dols/deletion", json!({"summary": "Retired"})).await;
    let deletion = r.json()["change_id"].as_i64().expect("id");
    assert_eq!(ed.post(&format!("/api/changes/{deletion}/submit"), json!({})).await.status, StatusCode::OK);
    assert_eq!(ap.post(&format!("/api/changes/{deletion}/approve"), json!({})).await.status, StatusCode::OK);
    publish(&mut ap, "staging").await;
    let (_, manifest) = common::read_tree(&svc.tree("staging"), svc.setup.keys());
    assert!(manifest.document("guidance/mca/test-new-page.md").is_some());
    assert!(manifest.document("guidance/mca/test-dols.md").is_none());
    assert_eq!(
        manifest.document("guidance/mca/test-new-page.md").and_then(|d| d.note.clone()).as_deref(),
        Some("New page")
    );
    let detail = ed.get(&format!("/api/changes/{created}")).await.json();
    let kinds: Vec<_> = detail["comments"].as_array().expect("c").iter().map(|c| c["kind"].clone()).collect();
    assert_eq!(kinds, vec![json!("request_changes")]);
    // The review dashboard and the register of superseded law answer.
    let d = ed.get("/api/review").await.json();
    assert!(d["due"].is_array() && d["superseded"].is_array(), "{d}");
}

#[tokio::test]
async fn backup_is_a_consistent_copy_while_the_server_runs() {
    let svc = Service::new();
    let server = svc.start(&[], &[]);
    let mut ed = server.login("ed").await;
    ed.edit_and_submit(PAGE, LINE, "Backed up.").await;
    let out = svc.setup.dir.path().join("backup.sqlite");
    run(&["backup", "--data", s(&svc.data), "--out", s(&out)], true);
    // The copy is a whole service: serve it and find the same accounts and change.
    let restored = svc.setup.dir.path().join("restored");
    std::fs::create_dir_all(&restored).expect("mkdir");
    std::fs::copy(&out, restored.join("editors.sqlite")).expect("copy");
    let listed = common::stdout(&run(&["users", "list", "--data", s(&restored), "--json"], true));
    assert!(listed.contains("\"ed\"") && listed.contains("\"ann\""), "{listed}");
}

#[tokio::test]
async fn cookies_are_http_only_strict_and_secure_behind_a_tls_proxy() {
    let svc = Service::new();
    let plain = svc.start(&[], &[]);
    let r = plain
        .client()
        .call(Method::POST, "/api/session", Some(json!({"username": "ed", "password": password("ed")})))
        .await;
    let cookie = r.headers["set-cookie"].to_str().expect("cookie").to_string();
    assert!(
        cookie.starts_with("sg_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP on loopback: {cookie}");
    let token = cookie.trim_start_matches("sg_session=").split(';').next().unwrap_or("");
    assert_eq!(token.len(), 64, "256 random bits");
    for file in ["editors.sqlite", "editors.sqlite-wal"] {
        let bytes = std::fs::read(svc.data.join(file)).unwrap_or_default();
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "only the token's hash is stored ({file})");
    }
    drop(plain);

    let proxied = svc.start(&["--tls-behind-proxy"], &[]);
    let mut c = proxied.client();
    let r = c
        .raw(
            Method::POST,
            "/api/session",
            Some(("application/json", json!({"username": "ed", "password": password("ed")}).to_string())),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["set-cookie"].to_str().expect("cookie").contains("; Secure"));
    // The client address is the proxy's last X-Forwarded-For hop.
    let mut ad = proxied.login("ad").await;
    let mut req = common::http_client_builder().build().expect("client").post(proxied.url("/api/session"));
    req = req.header("X-Forwarded-For", "198.51.100.1, 203.0.113.9").header("Content-Type", "application/json");
    let _ = req.body(json!({"username": "eve", "password": password("eve")}).to_string()).send().await.expect("login");
    let entries = ad.get("/api/audit").await.json();
    assert!(entries["entries"]
        .as_array()
        .expect("e")
        .iter()
        .any(|e| e["actor"] == "eve" && e["address"] == "203.0.113.9"));
}
