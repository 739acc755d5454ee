//! Signed updates end to end: `keys init` → `publish` → serve on loopback → `Library::sync`,
//! then every attack the trust model names, each refused with the previous content still
//! searchable and the user's bookmarks, notes and personal contacts byte-for-byte unchanged.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use safeguarding_core::{
    Cancel, Library, NoProgress, NoteTarget, PersonalContact, PersonalPhone, SearchRequest, SyncConfig, Work,
};
use safeguarding_flow_tests::content_dir;
use safeguarding_server::http::{router, AppState, StaticTree};
use safeguarding_server::publish::{publish, PublishOptions};
use safeguarding_sync_format as fmt;

fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

/// A publisher: keys, a working copy of the content, and a tree served over loopback.
struct Publisher {
    _dir: tempfile::TempDir,
    keys: PathBuf,
    content: PathBuf,
    tree: PathBuf,
    addr: SocketAddr,
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let p = entry.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&p, to.join(entry.file_name())).expect("copy");
        }
    }
}

/// Serves `tree` with the real server's static routes on 127.0.0.1 in a background thread.
fn serve(tree: &Path) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    let state = AppState::with_tree(StaticTree::new(tree));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await;
        });
    });
    addr
}

impl Publisher {
    fn new() -> Publisher {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = dir.path().join("keys");
        safeguarding_server::keystore::init(&keys, chrono::Duration::days(365), Utc::now()).expect("keys init");
        let content = dir.path().join("content");
        copy_tree(&content_dir(), &content);
        let tree = dir.path().join("tree");
        let addr = serve(&tree);
        Publisher { _dir: dir, keys, content, tree, addr }
    }

    fn publish(&self, channel: &str, notes: &[(&str, &str)]) -> u64 {
        let options = PublishOptions {
            content: self.content.clone(),
            keys: self.keys.clone(),
            channel: channel.into(),
            out: self.tree.clone(),
            expires_in: chrono::Duration::days(30),
            notes: "Test release".into(),
            document_notes: notes.iter().map(|(p, n)| (p.to_string(), n.to_string())).collect(),
            prune_older_than: None,
            now: Utc::now(),
            today: chrono::Local::now().date_naive(),
        };
        publish(&options).expect("publish").manifest_version
    }

    fn config(&self, channel: &str) -> SyncConfig {
        let text = std::fs::read_to_string(self.keys.join("root.pub")).expect("root.pub");
        let root = fmt::parse_root_public_key(&text).expect("root key");
        let mut c = SyncConfig::new(format!("http://{}", self.addr), channel, vec![root]);
        c.timeout = Duration::from_secs(5);
        c
    }

    fn edit_page(&self, rel: &str, from: &str, to: &str) {
        let path = self.content.join(rel);
        let text = std::fs::read_to_string(&path).expect("read page");
        assert!(text.contains(from), "{rel} has no '{from}'");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write page");
    }
}

/// A phone: the bundled release installed, and some user data.
struct Phone {
    _dir: tempfile::TempDir,
    lib: Library,
}

impl Phone {
    fn new() -> Phone {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = Library::open_or_install(dir.path(), &content_dir(), &work()).expect("install");
        lib.add_bookmark("mca-dols", Some("what")).expect("bookmark");
        lib.set_note(&NoteTarget::Page("fgm-mandatory-reporting".into()), "Ring 101 before the end of shift.").expect("note");
        lib.save_personal_contact(&PersonalContact {
            id: String::new(),
            name: "Night coordinator (sample)".into(),
            role: None,
            area_id: None,
            needs: vec![],
            phones: vec![PersonalPhone { label: "Mobile".into(), number: "07700 900456".into() }],
            email: None,
            notes: None,
        })
        .expect("contact");
        Phone { _dir: dir, lib }
    }

    fn user_db(&self) -> Vec<u8> {
        let marks: Vec<_> = self.lib.bookmarks().expect("bookmarks").into_iter().map(|b| b.bookmark).collect();
        let notes = self.lib.notes().expect("notes");
        let contacts = self.lib.personal_contacts().expect("contacts");
        format!("{marks:?}{notes:?}{:?}", contacts.iter().map(|c| (&c.id, &c.name, &c.phones)).collect::<Vec<_>>())
            .into_bytes()
    }

    fn top(&self, q: &str) -> String {
        self.lib.search(&SearchRequest::new(q)).expect("search").results.first().map(|r| r.id.clone()).unwrap_or_default()
    }

    fn title(&self, id: &str) -> String {
        self.lib.page(id).expect("page").page.title
    }

    /// A refused sync: an error of `kind`, the same content, and the same user data.
    fn refuses(&self, config: &SyncConfig, kind: &str) {
        let before_user = self.user_db();
        let before_version = self.lib.sync_status().manifest_version;
        let before_title = self.title("mca-dols");
        let err = self.lib.sync(config, &work()).expect_err("sync must be refused");
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(self.lib.sync_status().manifest_version, before_version);
        assert_eq!(self.lib.sync_status().last_error.as_ref().map(|e| e.kind.as_str()), Some(kind));
        assert_eq!(self.title("mca-dols"), before_title);
        assert_eq!(self.top("deprivation of liberty safeguards"), "mca-dols");
        assert_eq!(self.user_db(), before_user, "user data changed");
    }
}

#[test]
fn publish_sync_edit_sync_moves_only_the_edit() {
    let publisher = Publisher::new();
    let phone = Phone::new();
    let user = phone.user_db();
    assert_eq!(publisher.publish("production", &[]), 1);
    let first = phone.lib.sync(&publisher.config("production"), &work()).expect("first sync");
    assert_eq!(first.manifest_version, 1);
    // Bundled and published content are the same release: nothing but the tree's metadata moves.
    assert!(!first.updated, "same content as bundled: {first:?}");
    let library_bytes: u64 = std::fs::read_dir(publisher.tree.join("blobs")).expect("blobs").flatten().map(|e| e.metadata().expect("meta").len()).sum();
    println!("sync: first sync after the bundled install moved {} bytes (library {library_bytes} bytes)", first.bytes_downloaded);
    assert!(first.bytes_downloaded * 10 < library_bytes, "only the tree's metadata should move: {first:?}");

    publisher.edit_page("guidance/mca/mca-dols.md", "## ", "## Wombat checklist\n\nAsk the ward about the wombat form.\n\n## ");
    assert_eq!(publisher.publish("production", &[("guidance/mca/mca-dols.md", "Added the wombat checklist")]), 2);
    let second = phone.lib.sync(&publisher.config("production"), &work()).expect("second sync");
    assert!(second.updated);
    assert_eq!(second.manifest_version, 2);
    let page_size = std::fs::metadata(publisher.content.join("guidance/mca/mca-dols.md")).expect("meta").len();
    let manifest_size = std::fs::metadata(publisher.tree.join("manifest.json")).expect("meta").len();
    println!("sync: one edited page moved {} bytes (page {page_size}, manifest {manifest_size})", second.bytes_downloaded);
    assert!(second.bytes_downloaded < page_size + manifest_size + 2_000, "delta moved {} bytes", second.bytes_downloaded);
    assert_eq!(second.changed.len(), 1, "{:?}", second.changed);
    assert_eq!(second.changed[0].id, "mca-dols");
    assert_eq!(second.changed[0].note.as_deref(), Some("Added the wombat checklist"));
    assert_eq!(phone.top("wombat"), "mca-dols");
    assert_eq!(phone.user_db(), user, "user data changed");

    // Nothing changed: a 304 and no content work.
    let third = phone.lib.sync(&publisher.config("production"), &work()).expect("third sync");
    assert!(!third.updated);
    assert!(third.bytes_downloaded < 1_000, "{third:?}");
    let status = phone.lib.sync_status();
    assert_eq!(status.manifest_version, 2);
    assert_eq!(status.channel.as_deref(), Some("production"));
    assert!(!status.stale && status.last_error.is_none() && status.last_success.is_some());
    assert_eq!(status.unread.len(), 1);
    phone.lib.mark_update_seen("mca-dols").expect("seen");
    assert!(phone.lib.sync_status().unread.is_empty());
}

fn tree_file(p: &Publisher, name: &str) -> Vec<u8> {
    std::fs::read(p.tree.join(name)).expect("tree file")
}

fn put_tree_file(p: &Publisher, name: &str, bytes: &[u8]) {
    std::fs::write(p.tree.join(name), bytes).expect("write tree file")
}

fn publisher_key(p: &Publisher) -> fmt::SigningKey {
    fmt::parse_signing_key(&std::fs::read_to_string(p.keys.join("publisher.key")).expect("key")).expect("parse key")
}

/// Rewrites the manifest with `edit` and signs it with `key`.
fn resign_manifest(p: &Publisher, key: &fmt::SigningKey, edit: impl FnOnce(&mut fmt::Manifest)) {
    let mut m: fmt::Manifest = serde_json::from_slice(&tree_file(p, "manifest.json")).expect("manifest");
    edit(&mut m);
    let bytes = m.to_json();
    put_tree_file(p, "manifest.json.sig", &fmt::sign_detached(&bytes, &[key]));
    put_tree_file(p, "manifest.json", &bytes);
}

#[test]
fn every_attack_is_refused_and_leaves_content_and_user_data_alone() {
    let publisher = Publisher::new();
    let phone = Phone::new();
    publisher.publish("production", &[]);
    let v1 = (tree_file(&publisher, "manifest.json"), tree_file(&publisher, "manifest.json.sig"));
    publisher.edit_page("guidance/mca/mca-dols.md", "## ", "## Numbat notes\n\nText.\n\n## ");
    publisher.publish("production", &[]);
    phone.lib.sync(&publisher.config("production"), &work()).expect("sync v2");
    let good = (tree_file(&publisher, "manifest.json"), tree_file(&publisher, "manifest.json.sig"));
    let restore = |p: &Publisher| {
        put_tree_file(p, "manifest.json", &good.0);
        put_tree_file(p, "manifest.json.sig", &good.1);
    };
    let config = publisher.config("production");
    let key = publisher_key(&publisher);

    // Tampered manifest: one byte changed after signing.
    let mut bad = good.0.clone();
    let at = bad.iter().position(|b| *b == b'T').expect("a T in the notes");
    bad[at] = b'X';
    put_tree_file(&publisher, "manifest.json", &bad);
    phone.refuses(&config, "bad_signature");
    restore(&publisher);

    // Signed by an unknown key.
    let stranger = fmt::SigningKey::from_bytes(&[42; 32]);
    resign_manifest(&publisher, &stranger, |m| m.manifest_version += 1);
    phone.refuses(&config, "unknown_key");
    restore(&publisher);

    // Wrong channel: a staging manifest replayed into production.
    resign_manifest(&publisher, &key, |m| {
        m.channel = "staging".into();
        m.manifest_version += 1;
    });
    phone.refuses(&config, "wrong_channel");
    restore(&publisher);

    // The older, genuinely signed manifest replayed.
    put_tree_file(&publisher, "manifest.json", &v1.0);
    put_tree_file(&publisher, "manifest.json.sig", &v1.1);
    phone.refuses(&config, "rollback");
    restore(&publisher);

    // Same version, different bytes.
    resign_manifest(&publisher, &key, |m| m.notes = "Different".into());
    phone.refuses(&config, "replayed");
    restore(&publisher);

    // Expired manifest.
    resign_manifest(&publisher, &key, |m| {
        m.manifest_version += 1;
        m.published_at = Utc::now() - chrono::Duration::hours(2);
        m.expires_at = Utc::now() - chrono::Duration::hours(1);
    });
    phone.refuses(&config, "expired");
    restore(&publisher);

    // A blob whose bytes do not match the manifest (a compromised CDN).
    publisher.edit_page("guidance/mca/mca-dols.md", "Numbat notes", "Bilby notes");
    publisher.publish("production", &[]);
    let m: fmt::Manifest = serde_json::from_slice(&tree_file(&publisher, "manifest.json")).expect("manifest");
    let doc = m.document("guidance/mca/mca-dols.md").expect("dols").clone();
    let blob = publisher.tree.join("blobs").join(&doc.sha256);
    let real = std::fs::read(&blob).expect("blob");
    let mut evil = real.clone();
    let i = evil.len() / 2;
    evil[i] ^= 0x20;
    std::fs::write(&blob, &evil).expect("tamper blob");
    phone.refuses(&config, "blob_mismatch");
    // Truncated blob (a download cut short leaves fewer bytes than declared).
    std::fs::write(&blob, &real[..real.len() / 2]).expect("truncate blob");
    phone.refuses(&config, "blob_mismatch");
    // 404 for a blob.
    std::fs::remove_file(&blob).expect("remove blob");
    phone.refuses(&config, "not_found");
    // Oversize blob: more bytes than the manifest declares are never read.
    std::fs::write(&blob, vec![b'x'; real.len() * 3]).expect("oversize blob");
    phone.refuses(&config, "too_large");
    std::fs::write(&blob, &real).expect("restore blob");

    // A manifest larger than its cap.
    let mut small = config.clone();
    small.caps.max_manifest_bytes = 200;
    phone.refuses(&small, "too_large");

    // The real release still arrives after all that.
    let report = phone.lib.sync(&config, &work()).expect("good sync after attacks");
    assert!(report.updated);
    assert!(phone.title("mca-dols").len() > 3);
    assert_eq!(phone.top("bilby"), "mca-dols");
}

#[test]
fn keys_are_checked_delegated_rotated_and_never_rolled_back() {
    let publisher = Publisher::new();
    let phone = Phone::new();
    publisher.publish("production", &[]);
    phone.lib.sync(&publisher.config("production"), &work()).expect("first sync");
    let old_keys = (tree_file(&publisher, "keys.json"), tree_file(&publisher, "keys.json.sig"));

    // A publisher key the root never delegated.
    let rogue = fmt::SigningKey::from_bytes(&[7; 32]);
    publisher.edit_page("guidance/fgm/fgm-what-it-is.md", "## ", "## Platypus\n\nText.\n\n## ");
    publisher.publish("production", &[]);
    let signed = (tree_file(&publisher, "manifest.json"), tree_file(&publisher, "manifest.json.sig"));
    resign_manifest(&publisher, &rogue, |_| {});
    phone.refuses(&publisher.config("production"), "unknown_key");
    put_tree_file(&publisher, "manifest.json", &signed.0);
    put_tree_file(&publisher, "manifest.json.sig", &signed.1);

    // Expired keys.json, signed by the real root.
    let root = fmt::parse_signing_key(&std::fs::read_to_string(publisher.keys.join("root.key")).expect("root.key")).expect("root");
    let expired = fmt::KeysDoc::new(9, Utc::now() - chrono::Duration::hours(1), &[publisher_key(&publisher).verifying_key()]).to_json();
    put_tree_file(&publisher, "keys.json.sig", &fmt::sign_detached(&expired, &[&root]));
    put_tree_file(&publisher, "keys.json", &expired);
    phone.refuses(&publisher.config("production"), "expired");
    put_tree_file(&publisher, "keys.json", &old_keys.0);
    put_tree_file(&publisher, "keys.json.sig", &old_keys.1);

    // Rotation: a new publisher key under a higher keys.json version is accepted with no app change.
    safeguarding_server::keystore::rotate_publisher(&publisher.keys, chrono::Duration::days(365), Utc::now()).expect("rotate");
    publisher.publish("production", &[]);
    let report = phone.lib.sync(&publisher.config("production"), &work()).expect("sync after rotation");
    assert!(report.updated);
    assert_eq!(phone.top("platypus"), "fgm-what-it-is");

    // The old keys.json (lower version) replayed afterwards is refused.
    publisher.edit_page("guidance/fgm/fgm-what-it-is.md", "Platypus", "Platypus two");
    publisher.publish("production", &[]);
    put_tree_file(&publisher, "keys.json", &old_keys.0);
    put_tree_file(&publisher, "keys.json.sig", &old_keys.1);
    let err = phone.lib.sync(&publisher.config("production"), &work()).expect_err("old keys refused");
    assert!(matches!(err.kind(), "rollback" | "unknown_key"), "{err}");

    // Another root entirely: refused because the folder trusts the first one.
    let other = Publisher::new();
    other.publish("production", &[]);
    phone.refuses(&other.config("production"), "untrusted_root");
}

/// A server that sends headers promising more bytes than it sends, then hangs up: the download
/// fails, nothing is installed. Serves a bounded number of connections.
fn truncating_server(tree: PathBuf) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(40) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let path = req.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_string();
            let body = std::fs::read(tree.join(&path)).unwrap_or_default();
            let cut = if path.starts_with("blobs/") { body.len() / 2 } else { body.len() };
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body[..cut]);
        }
    });
    addr
}

#[test]
fn a_truncated_download_installs_nothing() {
    let publisher = Publisher::new();
    let phone = Phone::new();
    publisher.edit_page("guidance/mca/mca-dols.md", "## ", "## Truncation test\n\nText.\n\n## ");
    publisher.publish("production", &[]);
    let addr = truncating_server(publisher.tree.clone());
    let mut config = publisher.config("production");
    config.server = format!("http://{addr}");
    phone.refuses(&config, "network");
    assert_ne!(phone.top("truncation test"), "mca-dols");
}
