//! The editors' service end to end with the app core: an edit drafted, approved by a second
//! person and published through the service reaches a phone through `Library::sync` from the
//! service's own `/channels/<name>/` trees; staging first, then production by promotion.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use safeguarding_core::{Cancel, Library, NoProgress, SyncConfig, Work};
use safeguarding_flow_tests::content_dir;
use safeguarding_server::editors::{Actor, Config, Editors, Role, Roles};
use safeguarding_server::http::{router, AppState};
use safeguarding_sync_format as fmt;

const PAGE: &str = "fgm-mandatory-reporting";
const TITLE: &str = "FGM: the mandatory reporting duty, step by step";
const NEW_TITLE: &str = "FGM: the mandatory reporting duty, step by step (checked by editors)";

fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

/// Serves the whole service (pages, API and channel trees) on 127.0.0.1 in a background thread.
fn serve(state: AppState) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await;
        });
    });
    addr
}

fn sign_in(svc: &Editors, name: &str) -> Actor {
    let password = format!("{name}-password-for-tests");
    svc.add_user(
        &Actor::cli(),
        name,
        Roles::of(&[if name == "ap" { Role::Approver } else { Role::Editor }]),
        &password,
    )
    .expect("add user");
    svc.login(name, &password, "127.0.0.1").expect("login").session.actor("127.0.0.1")
}

#[test]
fn an_approved_edit_reaches_a_phone_through_staging_then_production() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    safeguarding_server::keystore::init(&keys, chrono::Duration::days(365), Utc::now()).expect("keys init");
    let svc = Editors::open(&dir.path().join("data"), Some(&keys), Config::default(), true).expect("open service");
    svc.import_dir(&Actor::cli(), &content_dir(), chrono::Local::now().date_naive()).expect("import");
    let state = AppState::with_editors(svc);
    let svc = state.editors().expect("service").clone();
    let addr = serve(state);
    let ed = sign_in(&svc, "ed");
    let ap = sign_in(&svc, "ap");

    let root =
        fmt::parse_root_public_key(&std::fs::read_to_string(keys.join("root.pub")).expect("root.pub")).expect("root");
    let config = |channel: &str| {
        let mut c = SyncConfig::new(format!("http://{addr}/channels/{channel}"), channel, vec![root]);
        c.timeout = Duration::from_secs(5);
        c
    };
    let phone_dir = tempfile::tempdir().expect("tempdir");
    let phone = Library::open_or_install(phone_dir.path(), &content_dir(), &work()).expect("install");
    let tester_dir = tempfile::tempdir().expect("tempdir");
    let tester = Library::open_or_install(tester_dir.path(), &content_dir(), &work()).expect("install");

    // The imported release on both channels.
    svc.publish(&ap, "staging").expect("publish staging");
    svc.publish(&ap, "production").expect("promote");
    phone.sync(&config("production"), &work()).expect("first sync");
    assert_eq!(phone.page(PAGE).expect("page").page.title, TITLE);

    // Edit, review by a second person, publish to staging: the test phone sees it, the
    // production phone does not yet.
    let source = svc.require_latest().expect("latest").text("guidance/fgm/fgm-mandatory-reporting.md").expect("source");
    let edited = source.replacen(&format!("title = \"{TITLE}\""), &format!("title = \"{NEW_TITLE}\""), 1);
    let (change, outcome) = svc.save_page_draft(&ed, PAGE, &edited, "Title says the page was checked").expect("draft");
    assert!(!outcome.has_errors, "{:?}", outcome.problems);
    svc.submit(&ed, change.id).expect("submit");
    assert!(svc.approve(&ed, change.id, "").is_err(), "an editor cannot approve");
    svc.approve(&ap, change.id, "Fine").expect("approve");
    let staged = svc.publish(&ap, "staging").expect("publish");
    assert_eq!(staged.changes, vec![change.id]);

    let report = tester.sync(&config("staging"), &work()).expect("staging sync");
    assert!(report.updated);
    assert_eq!(tester.page(PAGE).expect("page").page.title, NEW_TITLE);
    let report = phone.sync(&config("production"), &work()).expect("production sync");
    assert!(!report.updated, "production has not been promoted yet");
    assert_eq!(phone.page(PAGE).expect("page").page.title, TITLE);

    // Promote: the same bytes, signed for production.
    svc.publish(&ap, "production").expect("promote");
    let report = phone.sync(&config("production"), &work()).expect("production sync");
    assert!(report.updated);
    assert_eq!(phone.page(PAGE).expect("page").page.title, NEW_TITLE);
    // A staging tree is never accepted as production.
    assert!(phone
        .sync(&SyncConfig::new(format!("http://{addr}/channels/staging"), "production", vec![root]), &work())
        .is_err());
}
