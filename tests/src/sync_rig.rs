//! A publisher and a phone for whole-flow sync tests and the sync benchmark: signing keys, a
//! working copy of the bundled content published as a channel tree and served by the real
//! server's routes on loopback, and a data folder with the bundled release and some user data.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use safeguarding_core::{
    Cancel, Library, NoProgress, NoteTarget, PersonalContact, PersonalPhone, SearchRequest, SyncConfig, Work,
};
use safeguarding_server::http::{router, AppState, StaticTree};
use safeguarding_server::publish::{publish, PublishOptions};
use safeguarding_sync_format as fmt;

use crate::content_dir;

pub fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

/// A publisher: keys, a working copy of the content, and a tree served over loopback.
pub struct Publisher {
    _dir: tempfile::TempDir,
    pub keys: PathBuf,
    pub content: PathBuf,
    pub tree: PathBuf,
    pub addr: SocketAddr,
}

pub fn copy_tree(from: &Path, to: &Path) {
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
pub fn serve(tree: &Path) -> SocketAddr {
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

#[allow(clippy::new_without_default)] // each one makes keys and a server: not a default
impl Publisher {
    pub fn new() -> Publisher {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = dir.path().join("keys");
        safeguarding_server::keystore::init(&keys, chrono::Duration::days(365), Utc::now()).expect("keys init");
        let content = dir.path().join("content");
        copy_tree(&content_dir(), &content);
        let tree = dir.path().join("tree");
        let addr = serve(&tree);
        Publisher { _dir: dir, keys, content, tree, addr }
    }

    pub fn publish(&self, channel: &str, notes: &[(&str, &str)]) -> u64 {
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

    pub fn config(&self, channel: &str) -> SyncConfig {
        let text = std::fs::read_to_string(self.keys.join("root.pub")).expect("root.pub");
        let root = fmt::parse_root_public_key(&text).expect("root key");
        let mut c = SyncConfig::new(format!("http://{}", self.addr), channel, vec![root]);
        c.timeout = Duration::from_secs(5);
        c
    }

    pub fn edit_page(&self, rel: &str, from: &str, to: &str) {
        let path = self.content.join(rel);
        let text = std::fs::read_to_string(&path).expect("read page");
        assert!(text.contains(from), "{rel} has no '{from}'");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write page");
    }
}

/// A phone: the bundled release installed, and some user data.
pub struct Phone {
    _dir: tempfile::TempDir,
    pub lib: Library,
}

#[allow(clippy::new_without_default)] // each one is a fresh data folder: not a default
impl Phone {
    pub fn new() -> Phone {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = Library::open_or_install(dir.path(), &content_dir(), &work()).expect("install");
        lib.add_bookmark("mca-dols", Some("what")).expect("bookmark");
        lib.set_note(&NoteTarget::Page("fgm-mandatory-reporting".into()), "Ring 101 before the end of shift.")
            .expect("note");
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

    pub fn user_db(&self) -> Vec<u8> {
        let marks: Vec<_> = self.lib.bookmarks().expect("bookmarks").into_iter().map(|b| b.bookmark).collect();
        let notes = self.lib.notes().expect("notes");
        let contacts = self.lib.personal_contacts().expect("contacts");
        format!("{marks:?}{notes:?}{:?}", contacts.iter().map(|c| (&c.id, &c.name, &c.phones)).collect::<Vec<_>>())
            .into_bytes()
    }

    pub fn top(&self, q: &str) -> String {
        self.lib
            .search(&SearchRequest::new(q))
            .expect("search")
            .results
            .first()
            .map(|r| r.id.clone())
            .unwrap_or_default()
    }

    pub fn title(&self, id: &str) -> String {
        self.lib.page(id).expect("page").page.title
    }

    /// A refused sync: an error of `kind`, the same content, and the same user data.
    pub fn refuses(&self, config: &SyncConfig, kind: &str) {
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
