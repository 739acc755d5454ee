//! A phone killed in the middle of an update. A child process (this test binary, re-run with
//! one test selected) syncs a data folder from a publisher on loopback and aborts at each
//! point of the install (`SAFEGUARDING_CRASH_AT`): before the content database commits, after
//! it commits but before the new index is swapped in, and halfway through the swap. The data
//! folder must then open with one whole release, old or new, its search matching its pages,
//! the user's data untouched, and the next sync must finish the update.

use std::path::Path;
use std::process::Command;

use safeguarding_core::{Library, SearchRequest, SyncConfig};
use safeguarding_flow_tests::content_dir;
use safeguarding_flow_tests::sync_rig::{work, Publisher};
use safeguarding_sync_format as fmt;

/// Set in the child: `<data dir>`, `<server url>` and `<root.pub path>`, one per line.
const CHILD: &str = "SAFEGUARDING_CRASH_TEST_CHILD";

fn config(server: &str, root_pub: &Path) -> SyncConfig {
    let text = std::fs::read_to_string(root_pub).expect("root.pub");
    let root = fmt::parse_root_public_key(&text).expect("root key");
    SyncConfig::new(server.to_string(), "production", vec![root])
}

fn top(lib: &Library, q: &str) -> Option<String> {
    lib.search(&SearchRequest::new(q)).expect("search").results.first().map(|r| r.id.clone())
}

/// Only does anything in the child process, where it syncs until the crash point aborts it.
#[test]
fn child_sync_until_killed() {
    let Ok(spec) = std::env::var(CHILD) else { return };
    let mut lines = spec.lines();
    let (dir, server, root) = (lines.next().expect("dir"), lines.next().expect("url"), lines.next().expect("root"));
    let lib = Library::open(Path::new(dir)).expect("open in the child");
    let report = lib.sync(&config(server, Path::new(root)), &work());
    // Reaching here means the crash point was never passed: the parent sees a clean exit.
    println!("child: sync finished without crashing: {report:?}");
}

#[test]
fn a_phone_killed_at_any_point_of_an_update_opens_with_a_whole_release() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let publisher = Publisher::new();
    publisher.publish("production", &[]);
    let server = format!("http://{}", publisher.addr);
    let root = publisher.keys.join("root.pub");
    let points = ["install:before-commit", "install:after-commit", "install:mid-swap"];
    for (round, point) in points.iter().enumerate() {
        let phone = tempfile::tempdir().expect("tempdir");
        {
            let lib = Library::open_or_install(phone.path(), &content_dir(), &work()).expect("install");
            lib.add_bookmark("mca-dols", Some("what")).expect("bookmark");
            lib.sync(&config(&server, &root), &work()).expect("first sync");
        }
        let word = format!("quokka{round}");
        publisher.edit_page("guidance/mca/mca-dols.md", "## ", &format!("## The {word} notes\n\nText.\n\n## "));
        publisher.publish("production", &[]);

        let status = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "child_sync_until_killed", "--nocapture", "--test-threads=1"])
            .env(CHILD, format!("{}\n{server}\n{}", phone.path().display(), root.display()))
            .env("SAFEGUARDING_CRASH_AT", point)
            .output()
            .expect("run the child");
        let stderr = String::from_utf8_lossy(&status.stderr);
        assert!(
            !status.status.success() && stderr.contains(&format!("crashing at {point}")),
            "{point}: the child must abort there: {status:?}\n{stderr}"
        );

        // Opens, with one whole release: the page and the index agree on whether the edit is in.
        let lib = Library::open(phone.path()).unwrap_or_else(|e| panic!("{point}: the data folder must open: {e}"));
        let page_has_edit = format!("{:?}", lib.page("mca-dols").expect("page").page.blocks).contains(&word);
        let search_finds_edit = top(&lib, &word).as_deref() == Some("mca-dols");
        assert_eq!(page_has_edit, search_finds_edit, "{point}: page and index disagree");
        let expect_new = *point != "install:before-commit";
        assert_eq!(page_has_edit, expect_new, "{point}: which release survived");
        assert_eq!(
            top(&lib, "deprivation of liberty safeguards").as_deref(),
            Some("mca-dols"),
            "{point}: search works"
        );
        let marks: Vec<String> = lib.bookmarks().expect("bookmarks").into_iter().map(|b| b.bookmark.page_id).collect();
        assert_eq!(marks, vec!["mca-dols".to_string()], "{point}: the user's data is untouched");

        // The next sync finishes the update.
        lib.sync(&config(&server, &root), &work()).unwrap_or_else(|e| panic!("{point}: the next sync: {e}"));
        assert_eq!(top(&lib, &word).as_deref(), Some("mca-dols"), "{point}: the edit after the next sync");
        println!("crash: killed at {point}; reopened with the {} release", if expect_new { "new" } else { "old" });
    }
}
