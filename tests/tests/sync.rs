//! Signed updates end to end: `keys init` → `publish` → serve on loopback → `Library::sync`,
//! then every attack the trust model names, each refused with the previous content still
//! searchable and the user's bookmarks, notes and personal contacts byte-for-byte unchanged.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use safeguarding_flow_tests::sync_rig::{work, Phone, Publisher};
use safeguarding_sync_format as fmt;

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
    let library_bytes: u64 = std::fs::read_dir(publisher.tree.join("blobs"))
        .expect("blobs")
        .flatten()
        .map(|e| e.metadata().expect("meta").len())
        .sum();
    println!(
        "sync: first sync after the bundled install moved {} bytes (library {library_bytes} bytes)",
        first.bytes_downloaded
    );
    assert!(first.bytes_downloaded * 10 < library_bytes, "only the tree's metadata should move: {first:?}");

    publisher.edit_page(
        "guidance/mca/mca-dols.md",
        "## ",
        "## Wombat checklist\n\nAsk the ward about the wombat form.\n\n## ",
    );
    assert_eq!(publisher.publish("production", &[("guidance/mca/mca-dols.md", "Added the wombat checklist")]), 2);
    let second = phone.lib.sync(&publisher.config("production"), &work()).expect("second sync");
    assert!(second.updated);
    assert_eq!(second.manifest_version, 2);
    let page_size = std::fs::metadata(publisher.content.join("guidance/mca/mca-dols.md")).expect("meta").len();
    let manifest_size = std::fs::metadata(publisher.tree.join("manifest.json")).expect("meta").len();
    println!(
        "sync: one edited page moved {} bytes (page {page_size}, manifest {manifest_size})",
        second.bytes_downloaded
    );
    assert!(
        second.bytes_downloaded < page_size + manifest_size + 2_000,
        "delta moved {} bytes",
        second.bytes_downloaded
    );
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
    let root = fmt::parse_signing_key(&std::fs::read_to_string(publisher.keys.join("root.key")).expect("root.key"))
        .expect("root");
    let expired =
        fmt::KeysDoc::new(9, Utc::now() - chrono::Duration::hours(1), &[publisher_key(&publisher).verifying_key()])
            .to_json();
    put_tree_file(&publisher, "keys.json.sig", &fmt::sign_detached(&expired, &[&root]));
    put_tree_file(&publisher, "keys.json", &expired);
    phone.refuses(&publisher.config("production"), "expired");
    put_tree_file(&publisher, "keys.json", &old_keys.0);
    put_tree_file(&publisher, "keys.json.sig", &old_keys.1);

    // Rotation: a new publisher key under a higher keys.json version is accepted with no app change.
    safeguarding_server::keystore::rotate_publisher(&publisher.keys, chrono::Duration::days(365), Utc::now())
        .expect("rotate");
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

/// Runs Debian's nginx in the foreground on loopback, serving `tree`; stopped on drop.
struct Nginx {
    child: std::process::Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(tree: &Path) -> Option<Nginx> {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists())?;
        let dir = tempfile::tempdir().expect("tempdir");
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let conf = format!(
            "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               types {{ application/json json sig; }} default_type application/octet-stream;\n\
               gzip on; gzip_types application/json;\n\
               server {{ listen 127.0.0.1:{port}; root {root};\n\
                 location /blobs/ {{ add_header Cache-Control \"public, max-age=31536000, immutable\"; }}\n\
                 location / {{ add_header Cache-Control \"no-cache\"; }}\n\
                 location /.publisher/ {{ return 404; }} }} }}\n",
            d = dir.path().display(),
            root = tree.display(),
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write conf");
        let mut child = std::process::Command::new(binary)
            .args(["-c", conf_path.to_str().expect("utf8 path"), "-p", dir.path().to_str().expect("utf8 path")])
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start nginx");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        for _ in 0..100 {
            if std::net::TcpStream::connect(addr).is_ok() {
                return Some(Nginx { child, addr, _dir: dir });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("nginx did not start");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tree is plain files: the same flow works from a stock static web server.
#[test]
fn the_same_flow_through_nginx() {
    let publisher = Publisher::new();
    let Some(nginx) = Nginx::start(&publisher.tree) else {
        assert!(std::env::var_os("SAFEGUARDING_REQUIRE_NGINX").is_none(), "nginx is required but not installed");
        println!("sync: nginx not installed; skipping (scripts/test installs it)");
        return;
    };
    let phone = Phone::new();
    let user = phone.user_db();
    publisher.publish("production", &[]);
    let mut config = publisher.config("production");
    config.server = format!("http://{}", nginx.addr);
    phone.lib.sync(&config, &work()).expect("first sync through nginx");
    // nginx's ETag is the file's modification time (in seconds) and size: a second publish in
    // the same second could carry the same tag. Real publishes are minutes apart.
    std::thread::sleep(Duration::from_millis(1100));
    publisher.edit_page("guidance/mca/mca-dols.md", "## ", "## Echidna notes\n\nText.\n\n## ");
    publisher.publish("production", &[]);
    let report = phone.lib.sync(&config, &work()).expect("second sync through nginx");
    assert!(report.updated);
    assert_eq!(phone.top("echidna"), "mca-dols");
    let again = phone.lib.sync(&config, &work()).expect("third sync through nginx");
    assert!(!again.updated);
    assert!(again.bytes_downloaded < 1_000, "a 304 from nginx: {again:?}");
    assert_eq!(phone.user_db(), user);
    println!(
        "sync: through nginx, edit moved {} bytes, nothing-changed check {} bytes",
        report.bytes_downloaded, again.bytes_downloaded
    );
}
