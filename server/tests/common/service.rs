//! The editors' service for tests: a data folder with the fixture imported and accounts made
//! through the real CLI, the real binary serving on 127.0.0.1:0, and a small JSON client that
//! keeps its session cookie and CSRF token.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{bin, run, s, Setup};

/// Passwords in tests: long enough for the 12-character minimum.
pub fn password(user: &str) -> String {
    format!("{user}-password-for-tests")
}

/// A data folder with the fixture imported and the usual accounts.
pub struct Service {
    pub setup: Setup,
    pub data: PathBuf,
}

impl Service {
    pub fn new() -> Service {
        Service::with_setup(Setup::new())
    }

    /// The same over another content folder (the bench uses the bundled one).
    pub fn with_content(content: &Path) -> Service {
        Service::with_setup(Setup::with_content(content))
    }

    fn with_setup(setup: Setup) -> Service {
        let data = setup.dir.path().join("data");
        run(&["import", "--data", s(&data), "--content", s(setup.content())], true);
        let service = Service { setup, data };
        service.add_user("ed", &["editor"]);
        service.add_user("eve", &["editor"]);
        service.add_user("ap", &["approver"]);
        service.add_user("ann", &["approver", "admin"]);
        service.add_user("ad", &["admin"]);
        service
    }

    pub fn add_user(&self, name: &str, roles: &[&str]) {
        let mut args = vec!["users", "add", "--data", s(&self.data), "--name", name];
        for r in roles {
            args.extend(["--role", r]);
        }
        let mut child =
            Command::new(bin()).args(&args).stdin(Stdio::piped()).stdout(Stdio::null()).spawn().expect("users add");
        writeln!(child.stdin.take().expect("stdin"), "{}", password(name)).expect("password");
        assert!(child.wait().expect("wait").success(), "users add {name}");
    }

    pub fn tree(&self, channel: &str) -> PathBuf {
        self.data.join("channels").join(channel)
    }

    /// `serve --data --keys` on a free loopback port, with extra arguments and environment.
    pub fn start(&self, extra: &[&str], env: &[(&str, &str)]) -> Running {
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--data", s(&self.data), "--keys", s(self.setup.keys()), "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("first line");
        let start = line.find("http://").unwrap_or_else(|| panic!("no address in {line:?}"));
        let base = line[start..].trim().trim_end_matches('/').to_string();
        Running { child, base }
    }
}

/// A running server, killed (by its own pid) when dropped.
pub struct Running {
    pub child: Child,
    pub base: String,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn client(&self) -> Client {
        Client { base: self.base.clone(), http: http(), cookies: HashMap::new(), csrf: None }
    }

    /// Logs `user` in with their test password; panics unless it works.
    pub async fn login(&self, user: &str) -> Client {
        let mut c = self.client();
        let (status, body) = c.login(user, &password(user)).await;
        assert_eq!(status, StatusCode::OK, "login {user}: {body}");
        c
    }

    /// Waits (bounded) for the process to exit, returning whether it did.
    pub fn wait_exit(&mut self, within: Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http() -> reqwest::Client {
    super::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// A browser-like client: cookies by name, the CSRF token from login.
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
    pub csrf: Option<String>,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Client {
    pub async fn login(&mut self, user: &str, password: &str) -> (StatusCode, Value) {
        let r = self.call(Method::POST, "/api/session", Some(json!({"username": user, "password": password}))).await;
        let body = r.json();
        if r.status == StatusCode::OK {
            self.csrf = body["csrf_token"].as_str().map(str::to_string);
        }
        (r.status, body)
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Any request; state-changing ones carry the CSRF token (if logged in).
    pub async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let csrf = if method == Method::GET { None } else { self.csrf.clone() };
        self.raw(method, path, body.map(|b| ("application/json", b.to_string())), csrf.as_deref()).await
    }

    /// A request with exactly the body and CSRF header given.
    pub async fn raw(&mut self, method: Method, path: &str, body: Option<(&str, String)>, csrf: Option<&str>) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            req = req.header(reqwest::header::COOKIE, self.cookie_header());
        }
        if let Some(token) = csrf {
            req = req.header("X-CSRF-Token", token);
        }
        if let Some((content_type, body)) = body {
            req = req.header(reqwest::header::CONTENT_TYPE, content_type).body(body);
        }
        let response = req.send().await.expect("request");
        for v in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = v.to_str().unwrap_or("");
            if let Some((name, rest)) = text.split_once('=') {
                let value = rest.split(';').next().unwrap_or("");
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Reply { status, headers, text }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    /// A published page's source.
    pub async fn source(&mut self, page: &str) -> String {
        let r = self.get(&format!("/api/pages/{page}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()["source"].as_str().expect("source").to_string()
    }

    /// Saves a draft of `page` with `source`; returns (status, body).
    pub async fn draft(&mut self, page: &str, source: &str, summary: &str) -> Reply {
        self.call(Method::PUT, &format!("/api/pages/{page}/draft"), Some(json!({"source": source, "summary": summary})))
            .await
    }

    /// Replaces the first `from` with `to` in the published page and saves and submits it.
    pub async fn edit_and_submit(&mut self, page: &str, from: &str, to: &str) -> i64 {
        let source = self.source(page).await;
        assert!(source.contains(from), "{page} has no {from:?}");
        let r = self.draft(page, &source.replacen(from, to, 1), &format!("{from} to {to}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let id = r.json()["change_id"].as_i64().expect("change_id");
        let r = self.post(&format!("/api/changes/{id}/submit"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "submit: {}", r.text);
        id
    }

    /// A form post as a browser sends it.
    pub async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
        self.raw(Method::POST, path, Some(("application/x-www-form-urlencoded", body)), None).await
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The verified manifest version and one document's bytes in a channel tree.
pub fn tree_text(tree: &Path, keys: &Path, path: &str) -> (u64, Option<String>) {
    let (_, manifest) = super::read_tree(tree, keys);
    let text = manifest
        .document(path)
        .map(|d| String::from_utf8(std::fs::read(tree.join("blobs").join(&d.sha256)).expect("blob")).expect("utf-8"));
    (manifest.manifest_version, text)
}
