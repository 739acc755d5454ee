//! `serve`: a tree over HTTP with ETags, conditional requests, caching headers and gzip, and
//! nothing but the tree's own files.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use common::{s, Setup};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;
use safeguarding_sync_format::sha256_hex;

/// A running `serve`, killed (by its own pid) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(tree: &std::path::Path) -> Server {
        let mut child = Command::new(common::bin())
            .args(["serve", "--tree", s(tree), "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("first line");
        let start = line.find("http://").unwrap_or_else(|| panic!("no address in {line:?}"));
        let base = line[start..].trim().trim_end_matches('/').to_string();
        Server { child, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn published() -> (Setup, Server) {
    let setup = Setup::new();
    setup.publish(&[]);
    let server = Server::start(setup.tree());
    (setup, server)
}

/// A raw request, for paths an HTTP client library would normalise before sending.
fn raw_get(addr: &str, target: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

#[tokio::test]
async fn manifest_has_an_etag_and_a_matching_request_gets_304() {
    let (setup, server) = published();
    let client = common::http_client_builder().build().expect("client");
    let r = client.get(server.url("/manifest.json")).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()[ETAG].to_str().expect("etag").to_string();
    assert_eq!(r.headers()[CACHE_CONTROL], "no-cache");
    assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    let body = r.bytes().await.expect("body");
    assert_eq!(etag, format!("\"{}\"", sha256_hex(&body)));
    assert_eq!(body.as_ref(), std::fs::read(setup.tree().join("manifest.json")).expect("file"));

    let r = client.get(server.url("/manifest.json")).header(IF_NONE_MATCH, &etag).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()[ETAG].to_str().expect("etag"), etag);
    assert!(r.bytes().await.expect("body").is_empty());

    // A different tag is not a match; every signed file is served the same way.
    let r = client.get(server.url("/manifest.json")).header(IF_NONE_MATCH, "\"other\"").send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    for name in ["/manifest.json.sig", "/keys.json", "/keys.json.sig"] {
        let r = client.get(server.url(name)).send().await.expect("GET");
        assert_eq!(r.status(), StatusCode::OK, "{name}");
        assert_eq!(r.headers()[CACHE_CONTROL], "no-cache", "{name}");
    }
}

#[tokio::test]
async fn blobs_are_immutable_and_conditional() {
    let (setup, server) = published();
    let (_, manifest) = setup.read_tree();
    let doc = &manifest.documents[0];
    let client = common::http_client_builder().build().expect("client");
    let r = client.get(server.url(&format!("/blobs/{}", doc.sha256))).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(r.headers()[CONTENT_TYPE], "application/octet-stream");
    assert_eq!(r.headers()[ETAG].to_str().expect("etag"), format!("\"{}\"", doc.sha256));
    doc.verify_blob(&r.bytes().await.expect("body")).expect("blob matches");

    let r = client
        .get(server.url(&format!("/blobs/{}", doc.sha256)))
        .header(IF_NONE_MATCH, format!("\"{}\"", doc.sha256))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");

    let missing = "0".repeat(64);
    let r = client.get(server.url(&format!("/blobs/{missing}"))).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn json_is_gzipped_when_asked_and_blobs_never() {
    let (setup, server) = published();
    let client = common::http_client_builder().build().expect("client");
    let r = client.get(server.url("/manifest.json")).header(ACCEPT_ENCODING, "gzip").send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
    let etag = r.headers()[ETAG].to_str().expect("etag").to_string();
    assert!(etag.starts_with("W/\""), "an encoded body has a weak ETag: {etag}");
    let body = r.bytes().await.expect("body");
    assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip magic");
    assert!(body.len() < std::fs::metadata(setup.tree().join("manifest.json")).expect("file").len() as usize);

    // The weak tag still earns a 304.
    let r = client
        .get(server.url("/manifest.json"))
        .header(ACCEPT_ENCODING, "gzip")
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    // Without Accept-Encoding: identity.
    let r = client.get(server.url("/manifest.json")).send().await.expect("GET");
    assert!(r.headers().get(CONTENT_ENCODING).is_none());

    let (_, manifest) = setup.read_tree();
    let page = manifest.document("guidance/mca/test-dols.md").expect("page");
    let r = client
        .get(server.url(&format!("/blobs/{}", page.sha256)))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("GET");
    assert!(r.headers().get(CONTENT_ENCODING).is_none(), "blobs are served as stored");
}

#[tokio::test]
async fn only_the_trees_files_and_only_get_and_head() {
    let (setup, server) = published();
    // Something private beside the tree, and the publisher's state inside it.
    std::fs::write(setup.dir.path().join("secret.txt"), "private").expect("write");
    let client = common::http_client_builder().build().expect("client");
    for path in
        ["/", "/blobs", "/blobs/", "/.publisher/retired.json", "/.publisher/lock", "/manifest.json.tmp", "/blobs/ABC"]
    {
        let r = client.get(server.url(path)).send().await.expect("GET");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for target in [
        "/blobs/../keys.json",
        "/blobs/..%2f..%2fsecret.txt",
        "/blobs/%2e%2e/%2e%2e/secret.txt",
        "/../secret.txt",
        "/blobs/..%5c..%5csecret.txt",
        "//etc/passwd",
    ] {
        let response = raw_get(server.addr(), target);
        let status = response.split_whitespace().nth(1).unwrap_or("");
        assert!(status == "404" || status == "400", "{target}: {}", response.lines().next().unwrap_or(""));
        assert!(!response.contains("private"), "{target} leaked a file");
    }

    let r = client.head(server.url("/manifest.json")).send().await.expect("HEAD");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key(ETAG));
    for method in [reqwest::Method::POST, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let r = client.request(method.clone(), server.url("/manifest.json")).send().await.expect("request");
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
}

#[tokio::test]
async fn a_new_release_is_seen_at_once() {
    let (setup, server) = published();
    let client = common::http_client_builder().build().expect("client");
    let r = client.get(server.url("/manifest.json")).send().await.expect("GET");
    let etag = r.headers()[ETAG].to_str().expect("etag").to_string();
    common::run(&["resign", "--keys", s(setup.keys()), "--out", s(setup.tree())], true);
    let r = client.get(server.url("/manifest.json")).header(IF_NONE_MATCH, &etag).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK, "a changed manifest is not a 304");
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
    assert_eq!(v["manifest_version"], 2);
}
