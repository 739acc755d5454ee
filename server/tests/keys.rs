//! `keys init` and `keys rotate-publisher`.

mod common;

use std::fs;

use common::{read_tree, run, s, stderr, Setup};
use safeguarding_sync_format::{key_id, parse_signing_key, verify_manifest, Error as FormatError};

#[cfg(unix)]
#[test]
fn init_writes_private_keys_0600_and_refuses_to_overwrite() {
    let setup = Setup::new();
    let keys = setup.keys();
    assert_eq!(common::mode(&keys.join("root.key")), 0o600);
    assert_eq!(common::mode(&keys.join("publisher.key")), 0o600);
    assert_eq!(common::mode(&keys.join("root.pub")), 0o644);
    assert_eq!(common::mode(keys), 0o700);
    let before: Vec<_> = ["root.key", "root.pub", "publisher.key", "keys.json", "keys.json.sig"]
        .iter()
        .map(|n| fs::read(keys.join(n)).expect(n))
        .collect();

    let out = run(&["keys", "init", "--dir", s(keys)], false);
    assert!(stderr(&out).contains("refusing to overwrite"), "{}", stderr(&out));
    let after: Vec<_> = ["root.key", "root.pub", "publisher.key", "keys.json", "keys.json.sig"]
        .iter()
        .map(|n| fs::read(keys.join(n)).expect(n))
        .collect();
    assert_eq!(before, after, "a refused init changed nothing");

    // Even one existing file is enough to refuse.
    let other = setup.dir.path().join("other");
    fs::create_dir(&other).expect("mkdir");
    fs::write(other.join("publisher.key"), "x").expect("write");
    run(&["keys", "init", "--dir", s(&other)], false);
    assert!(!other.join("root.key").exists());
}

#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let setup = Setup::new();
    let key = setup.keys().join("publisher.key");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).expect("chmod");
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
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    assert!(!setup.tree().join("manifest.json").exists());
}

#[test]
fn rotate_publisher_delegates_to_the_new_key_only() {
    let setup = Setup::new();
    setup.publish(&[]);
    let (old_delegation, old_manifest) = setup.read_tree();
    let old_key =
        parse_signing_key(&fs::read_to_string(setup.keys().join("publisher.key")).expect("key")).expect("parse");
    let old_sig = fs::read(setup.tree().join("manifest.json.sig")).expect("sig");
    let old_json = fs::read(setup.tree().join("manifest.json")).expect("manifest");

    let out = run(&["keys", "rotate-publisher", "--dir", s(setup.keys()), "--json"], true);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["keys_version"], 2);
    assert_eq!(report["withdrawn_key_ids"][0], key_id(&old_key.verifying_key()));
    let new_key =
        parse_signing_key(&fs::read_to_string(setup.keys().join("publisher.key")).expect("key")).expect("parse");
    assert_ne!(new_key.verifying_key(), old_key.verifying_key());
    #[cfg(unix)]
    assert_eq!(common::mode(&setup.keys().join("publisher.key")), 0o600);
    assert!(!setup.keys().join("publisher.key.next").exists());

    // The tree still carries version 1 until it is re-signed; then it carries version 2.
    assert_eq!(old_delegation.version(), 1);
    let out = run(&["resign", "--keys", s(setup.keys()), "--out", s(setup.tree()), "--json"], true);
    let resigned: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(resigned["manifest_version"], 2);
    let (delegation, manifest) = read_tree(setup.tree(), setup.keys());
    assert_eq!(delegation.version(), 2, "the new keys.json verifies under the root");
    assert!(delegation.delegates(&new_key.verifying_key()));
    assert!(!delegation.delegates(&old_key.verifying_key()), "the old publisher key is no longer delegated");
    assert_eq!(manifest.documents, old_manifest.documents);

    // A manifest signed by the old key is refused under the new delegation.
    assert!(matches!(verify_manifest(&old_json, &old_sig, &delegation), Err(FormatError::UnknownKey { .. })));
}

#[test]
fn an_old_keys_folder_cannot_roll_the_tree_back() {
    let setup = Setup::new();
    let old_keys = setup.dir.path().join("old-keys");
    common::copy_dir(setup.keys(), &old_keys);
    #[cfg(unix)]
    for name in ["root.key", "publisher.key"] {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(old_keys.join(name), fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    run(&["keys", "rotate-publisher", "--dir", s(setup.keys())], true);
    setup.publish(&[]);
    let out = run(&["resign", "--keys", s(&old_keys), "--out", s(setup.tree())], false);
    assert!(stderr(&out).contains("old keys folder"), "{}", stderr(&out));
}
