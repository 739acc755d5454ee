//! `publish` and `resign`: versions, blobs, `changed_in`, refusals, pruning.

mod common;

use std::fs;

use common::{run, s, stderr, stdout, Setup};

#[test]
fn first_publish_writes_a_verifiable_tree() {
    let setup = Setup::new();
    let report = setup.publish(&["--notes", "First release"]);
    let fields: Vec<&str> = report.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(fields.len(), 5, "{report}");
    for f in ["channel", "manifest_version", "documents", "new_blobs", "bytes_written"] {
        assert!(report.get(f).is_some(), "{f} missing from {report}");
    }
    assert_eq!(report["channel"], "test");
    assert_eq!(report["manifest_version"], 1);
    assert_eq!(report["documents"], 5);
    assert_eq!(report["new_blobs"], 5);

    let (_, manifest) = setup.read_tree();
    assert_eq!(manifest.channel, "test");
    assert_eq!(manifest.notes, "First release");
    let paths: Vec<&str> = manifest.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "contacts/national.toml",
            "guidance/mca/test-dols.md",
            "guidance/mca/test-principles.md",
            "search/synonyms.toml",
            "topics.toml"
        ]
    );
    let kinds: Vec<String> = manifest.documents.iter().map(|d| format!("{:?}", d.kind)).collect();
    assert_eq!(kinds, ["Contacts", "Page", "Page", "File", "File"]);
    for doc in &manifest.documents {
        let blob = fs::read(setup.tree().join("blobs").join(&doc.sha256)).expect("blob present");
        doc.verify_blob(&blob).expect("blob matches the manifest");
        assert_eq!(blob, fs::read(setup.content().join(&doc.path)).expect("source"));
        assert_eq!(doc.changed_in, 1);
    }
    assert!(manifest.expires_at - manifest.published_at == chrono::Duration::days(30));
    // Nothing but the tree's files (and the publisher's dot-folder) is left behind.
    let mut names: Vec<String> = fs::read_dir(setup.tree())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".publisher", "blobs", "keys.json", "keys.json.sig", "manifest.json", "manifest.json.sig"]);
}

#[test]
fn second_publish_moves_only_the_changed_page() {
    let setup = Setup::new();
    setup.publish(&[]);
    let (_, first) = setup.read_tree();
    let unchanged = first.document("guidance/mca/test-principles.md").expect("doc").clone();
    let unchanged_blob = setup.tree().join("blobs").join(&unchanged.sha256);
    let before = fs::metadata(&unchanged_blob).expect("blob");

    let page = setup.content().join("guidance/mca/test-dols.md");
    let text = fs::read_to_string(&page).expect("page").replace("A test paragraph.", "An edited paragraph.");
    fs::write(&page, text).expect("edit");
    let report = setup.publish(&["--note", "guidance/mca/test-dols.md=Updated for the new test"]);
    assert_eq!(report["manifest_version"], 2);
    assert_eq!(report["new_blobs"], 1, "only the edited page is a new blob: {report}");

    let (_, second) = setup.read_tree();
    let dols = second.document("guidance/mca/test-dols.md").expect("doc");
    assert_eq!(dols.changed_in, 2);
    assert_eq!(dols.note.as_deref(), Some("Updated for the new test"));
    assert_ne!(dols.sha256, first.document("guidance/mca/test-dols.md").expect("doc").sha256);
    assert!(setup.tree().join("blobs").join(&dols.sha256).is_file());
    for doc in second.documents.iter().filter(|d| d.path != dols.path) {
        assert_eq!(doc.changed_in, 1, "{} did not change", doc.path);
    }
    // The unchanged blob was not rewritten: same file, same modification time.
    let after = fs::metadata(&unchanged_blob).expect("blob");
    assert_eq!(before.modified().expect("mtime"), after.modified().expect("mtime"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(before.ino(), after.ino());
    }
    // The old blob stays for clients part-way through a sync.
    let old = first.document("guidance/mca/test-dols.md").expect("doc");
    assert!(setup.tree().join("blobs").join(&old.sha256).is_file());

    // A third publish with no edit keeps changed_in and the note.
    let report = setup.publish(&[]);
    assert_eq!(report["manifest_version"], 3);
    assert_eq!(report["new_blobs"], 0);
    let (_, third) = setup.read_tree();
    let dols = third.document("guidance/mca/test-dols.md").expect("doc");
    assert_eq!((dols.changed_in, dols.note.as_deref()), (2, Some("Updated for the new test")));
}

#[test]
fn invalid_content_is_refused_with_file_and_line() {
    let setup = Setup::new();
    setup.publish(&[]);
    let manifest_before = fs::read(setup.tree().join("manifest.json")).expect("manifest");
    let page = setup.content().join("guidance/mca/test-dols.md");
    let text = fs::read_to_string(&page).expect("page").replace("page:test-principles", "page:no-such-page");
    fs::write(&page, text).expect("break a link");

    let args = [
        "publish",
        "--content",
        s(setup.content()),
        "--keys",
        s(setup.keys()),
        "--channel",
        "test",
        "--out",
        s(setup.tree()),
    ];
    let out = run(&args, false);
    let err = stderr(&out);
    assert!(err.contains("guidance/mca/test-dols.md:17: error: broken link"), "{err}");
    assert!(err.contains("nothing was published"), "{err}");
    assert_eq!(fs::read(setup.tree().join("manifest.json")).expect("manifest"), manifest_before, "tree untouched");

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = run(&json_args, false);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("error JSON");
    assert_eq!(v["error"]["kind"], "invalid_content");
    assert_eq!(v["error"]["diagnostics"][0]["path"], "guidance/mca/test-dols.md");
    assert_eq!(v["error"]["diagnostics"][0]["line"], 17);
}

#[test]
fn resign_bumps_the_version_and_keeps_the_documents() {
    let setup = Setup::new();
    setup.publish(&["--notes", "Kept on resign"]);
    let (_, before) = setup.read_tree();
    let out =
        run(&["resign", "--keys", s(setup.keys()), "--out", s(setup.tree()), "--expires-in-days", "7", "--json"], true);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["manifest_version"], 2);
    assert_eq!(report["new_blobs"], 0);
    let (_, after) = setup.read_tree();
    assert_eq!(after.manifest_version, 2);
    assert_eq!(after.documents, before.documents);
    assert_eq!(after.notes, before.notes);
    assert_eq!(after.expires_at - after.published_at, chrono::Duration::days(7));

    // Nothing to re-sign in an empty tree.
    let empty = setup.dir.path().join("empty");
    let out = run(&["resign", "--keys", s(setup.keys()), "--out", s(&empty)], false);
    assert!(stderr(&out).contains("run `publish` first"), "{}", stderr(&out));
}

#[test]
fn a_tree_is_one_channel() {
    let setup = Setup::new();
    setup.publish(&[]);
    let out = run(
        &[
            "publish",
            "--content",
            s(setup.content()),
            "--keys",
            s(setup.keys()),
            "--channel",
            "production",
            "--out",
            s(setup.tree()),
        ],
        false,
    );
    assert!(stderr(&out).contains("is the 'test' channel"), "{}", stderr(&out));
    let out = run(
        &[
            "publish",
            "--content",
            s(setup.content()),
            "--keys",
            s(setup.keys()),
            "--channel",
            "Bad/Name",
            "--out",
            s(setup.tree()),
        ],
        false,
    );
    assert!(stderr(&out).contains("channel"), "{}", stderr(&out));
}

#[test]
fn a_tampered_tree_is_not_built_on() {
    let setup = Setup::new();
    setup.publish(&[]);
    let path = setup.tree().join("manifest.json");
    let text =
        fs::read_to_string(&path).expect("manifest").replace("\"manifest_version\": 1", "\"manifest_version\": 9");
    fs::write(&path, text).expect("tamper");
    let out = run(
        &[
            "publish",
            "--content",
            s(setup.content()),
            "--keys",
            s(setup.keys()),
            "--channel",
            "test",
            "--out",
            s(setup.tree()),
        ],
        false,
    );
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));

    // Another root's keys cannot publish over this tree either.
    let setup2 = Setup::new();
    setup2.publish(&[]);
    let out = run(&["resign", "--keys", s(setup.keys()), "--out", s(setup2.tree())], false);
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));
}

#[test]
fn an_interrupted_commit_is_completed_on_the_next_run() {
    let setup = Setup::new();
    setup.publish(&[]);
    // Simulate a crash part-way through putting version 2 in place: pending/ holds all of it,
    // the live manifest.json is still version 1's text beside version 2's signature.
    let tree = setup.tree();
    let pending = tree.join(".publisher/pending");
    run(&["resign", "--keys", s(setup.keys()), "--out", s(tree)], true);
    fs::create_dir_all(&pending).expect("mkdir");
    for name in ["keys.json", "keys.json.sig", "manifest.json", "manifest.json.sig"] {
        fs::copy(tree.join(name), pending.join(name)).expect("stage");
    }
    let (_, v2) = setup.read_tree();
    assert_eq!(v2.manifest_version, 2);
    let manifest = fs::read_to_string(tree.join("manifest.json")).expect("manifest");
    fs::write(tree.join("manifest.json"), manifest.replace("\"manifest_version\": 2", "\"manifest_version\": 1"))
        .expect("write");

    let out = run(&["resign", "--keys", s(setup.keys()), "--out", s(tree)], true);
    assert!(stderr(&out).contains("completed version 2"), "{}", stderr(&out));
    let (_, v3) = setup.read_tree();
    assert_eq!(v3.manifest_version, 3);
    assert!(!pending.exists());
}

#[test]
fn prune_removes_only_blobs_unreferenced_for_long_enough() {
    let setup = Setup::new();
    setup.publish(&[]);
    let (_, first) = setup.read_tree();
    let old_sha = first.document("guidance/mca/test-dols.md").expect("doc").sha256.clone();
    let page = setup.content().join("guidance/mca/test-dols.md");
    let text = fs::read_to_string(&page).expect("page").replace("A test paragraph.", "Edited.");
    fs::write(&page, text).expect("edit");
    // The old page's blob leaves the live release now: a 30-day prune keeps it, a 0-day one removes it.
    setup.publish(&["--prune-older-than-days", "30"]);
    assert!(setup.tree().join("blobs").join(&old_sha).is_file(), "kept: retired less than 30 days ago");
    let out = run(
        &[
            "publish",
            "--content",
            s(setup.content()),
            "--keys",
            s(setup.keys()),
            "--channel",
            "test",
            "--out",
            s(setup.tree()),
            "--prune-older-than-days",
            "0",
        ],
        true,
    );
    assert!(stdout(&out).contains("pruned 1 old blob"), "{}", stdout(&out));
    assert!(!setup.tree().join("blobs").join(&old_sha).exists());
    let (_, live) = setup.read_tree();
    for doc in &live.documents {
        assert!(setup.tree().join("blobs").join(&doc.sha256).is_file(), "live blob {} kept", doc.path);
    }
}

#[test]
fn notes_must_name_changed_documents() {
    let setup = Setup::new();
    setup.publish(&[]);
    let base = [
        "publish",
        "--content",
        s(setup.content()),
        "--keys",
        s(setup.keys()),
        "--channel",
        "test",
        "--out",
        s(setup.tree()),
    ];
    let mut args = base.to_vec();
    args.extend(["--note", "guidance/mca/test-dols.md=No change was made"]);
    let out = run(&args, false);
    assert!(stderr(&out).contains("has not changed"), "{}", stderr(&out));
    let mut args = base.to_vec();
    args.extend(["--note", "guidance/nope.md=x"]);
    let out = run(&args, false);
    assert!(stderr(&out).contains("no such content file"), "{}", stderr(&out));
}
