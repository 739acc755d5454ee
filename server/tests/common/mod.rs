//! Shared helpers for the server's tests: run the real binary, make keys and content in a
//! temporary folder, read a tree back through sync-format as an app would.

#![allow(dead_code)]

pub mod service;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::Utc;
use safeguarding_sync_format::{parse_root_public_key, verify_keys, verify_manifest, Delegation, Manifest};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_safeguarding-server")
}

/// Runs the binary; panics with its output if the exit status is not `ok`.
pub fn run(args: &[&str], ok: bool) -> Output {
    let out = Command::new(bin()).args(args).output().expect("run safeguarding-server");
    assert_eq!(
        out.status.success(),
        ok,
        "safeguarding-server {args:?}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// A temp folder holding `keys/` (made by `keys init`) and `content/` (the fixture, or another
/// content folder).
pub struct Setup {
    pub dir: tempfile::TempDir,
    keys: PathBuf,
    content: PathBuf,
    tree: PathBuf,
}

impl Setup {
    pub fn new() -> Setup {
        Setup::with_content(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content"))
    }

    pub fn with_content(content: &Path) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(content, &dir.path().join("content"));
        let setup = Setup {
            keys: dir.path().join("keys"),
            content: dir.path().join("content"),
            tree: dir.path().join("tree"),
            dir,
        };
        run(&["keys", "init", "--dir", s(setup.keys())], true);
        setup
    }

    pub fn keys(&self) -> &Path {
        &self.keys
    }

    pub fn content(&self) -> &Path {
        &self.content
    }

    pub fn tree(&self) -> &Path {
        &self.tree
    }

    /// `publish --json` of the fixture to `tree/`; returns the parsed JSON summary.
    pub fn publish(&self, extra: &[&str]) -> serde_json::Value {
        let mut args = vec![
            "publish",
            "--content",
            s(self.content()),
            "--keys",
            s(self.keys()),
            "--channel",
            "test",
            "--out",
            s(self.tree()),
            "--json",
        ];
        args.extend_from_slice(extra);
        let out = run(&args, true);
        serde_json::from_slice(&out.stdout).expect("publish --json prints JSON")
    }

    /// The tree's delegation and manifest, verified from `root.pub` as an app does.
    pub fn read_tree(&self) -> (Delegation, Manifest) {
        read_tree(self.tree(), self.keys())
    }
}

pub fn read_tree(tree: &Path, keys: &Path) -> (Delegation, Manifest) {
    let root = parse_root_public_key(&fs::read_to_string(keys.join("root.pub")).expect("root.pub")).expect("root key");
    let read = |name: &str| fs::read(tree.join(name)).expect(name);
    let delegation =
        verify_keys(&read("keys.json"), &read("keys.json.sig"), &[root], Utc::now()).expect("keys.json verifies");
    let manifest =
        verify_manifest(&read("manifest.json"), &read("manifest.json.sig"), &delegation).expect("manifest verifies");
    (delegation, manifest)
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

/// A client builder for the loopback tests. In a workspace build reqwest is compiled with the app
/// core's `rustls-no-provider` feature (Cargo unifies features), which needs a crypto provider
/// installed before any client is built, even one that only speaks plain HTTP.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}
