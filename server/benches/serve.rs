//! Server figures for docs/performance.md:
//! - publish time through the editors' service (the real binary, over its JSON API) for the
//!   whole bundled library (the first publish to staging and the promotion to production) and
//!   for one changed page;
//! - manifest and blob GETs under a bounded load on loopback (`wrk`, 10 s, 2 and 64
//!   connections): the service's `/channels/<name>/`, `serve --tree`, and Debian's nginx
//!   serving the same tree, side by side.
//!
//! `cargo bench -p safeguarding-server --bench serve` (`wrk` and `nginx` from apt; a column is
//! skipped, and says so, when either is missing). `WRK_SECONDS` shortens the load runs.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::service::{Client, Running, Service};
use common::{bin, s};
use serde_json::json;

const PAGE: &str = "fgm-mandatory-reporting";
const ROUNDS: usize = 5;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The service over a copy of the bundled content, with the tests' accounts.
fn service() -> Service {
    Service::with_content(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"))
}

fn first_address(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let start = line.find("http://").unwrap_or_else(|| panic!("no address in {line:?}"));
    line[start..].trim().trim_end_matches('/').to_string()
}

/// Publishes `channel` and returns how long the call took.
async fn timed_publish(ap: &mut Client, channel: &str) -> Duration {
    let started = Instant::now();
    let r = ap.post(&format!("/api/channels/{channel}/publish"), json!({})).await;
    let took = started.elapsed();
    assert!(r.status.is_success(), "publish {channel}: {}", r.text);
    took
}

async fn approve_one_edit(ed: &mut Client, ap: &mut Client, round: usize) {
    let id = ed.edit_and_submit(PAGE, "## ", &format!("## Bench edit {round}\n\nOne changed paragraph.\n\n## ")).await;
    let r = ap.post(&format!("/api/changes/{id}/approve"), json!({"comment": "bench"})).await;
    assert!(r.status.is_success(), "approve: {}", r.text);
}

struct PublishTimes {
    whole_staging: Duration,
    whole_production: Duration,
    one_page: Duration,
    documents: u64,
}

async fn publish_times() -> (PublishTimes, Service) {
    let mut whole_staging = Vec::new();
    let mut whole_production = Vec::new();
    let mut one_page = Vec::new();
    let mut kept = None;
    for _ in 0..3 {
        let service = service();
        let running = service.start(&[], &[]);
        let mut ed = running.login("ed").await;
        let mut ap = running.login("ap").await;
        approve_one_edit(&mut ed, &mut ap, 0).await;
        whole_staging.push(timed_publish(&mut ap, "staging").await);
        whole_production.push(timed_publish(&mut ap, "production").await);
        if kept.is_none() {
            for round in 1..=ROUNDS {
                approve_one_edit(&mut ed, &mut ap, round).await;
                one_page.push(timed_publish(&mut ap, "staging").await);
            }
            kept = Some(service);
        }
        drop(running);
    }
    let service = kept.expect("one service kept");
    let manifest: serde_json::Value = std::fs::read(service.data.join("channels/staging/manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let documents = manifest["documents"].as_array().map_or(0, |d| d.len() as u64);
    (
        PublishTimes {
            whole_staging: median(whole_staging),
            whole_production: median(whole_production),
            one_page: median(one_page),
            documents,
        },
        service,
    )
}

/// Debian's nginx serving `tree` on loopback, stopped on drop.
struct Nginx {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(tree: &Path) -> Option<Nginx> {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists())?;
        let dir = tempfile::tempdir().expect("tempdir");
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        // Two workers (one per core), as a small deployment would run it. Workers started by
        // root drop to `nobody`, who cannot read a private temp folder: keep them as root here.
        let as_root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let conf = format!(
            "{user}daemon off; master_process on; worker_processes 2; pid {d}/nginx.pid; error_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               types {{ application/json json; }} default_type application/octet-stream;\n\
               etag on; sendfile on;\n\
               server {{ listen 127.0.0.1:{port}; root {t}; }} }}\n",
            d = dir.path().display(),
            t = tree.display(),
            user = if as_root { "user root; " } else { "" },
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write conf");
        let child = Command::new(binary)
            .args(["-c", s(&conf_path), "-p", s(dir.path())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        for _ in 0..100 {
            if TcpStream::connect(addr).is_ok() {
                return Some(Nginx { child, addr, _dir: dir });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Load {
    requests_per_sec: f64,
    p99: String,
    errors: bool,
}

fn wrk(url: &str, connections: u32, seconds: u32) -> Option<Load> {
    let threads = connections.min(2);
    let out = Command::new("wrk")
        .args([
            &format!("-t{threads}"),
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "--timeout",
            "5s",
            url,
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text.lines().find_map(|l| l.strip_prefix("Requests/sec:")).and_then(|v| v.trim().parse().ok())?;
    let p99 = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("99%"))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| "?".into());
    let errors = text.contains("Non-2xx") || text.contains("Socket errors");
    Some(Load { requests_per_sec: rps, p99, errors })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let seconds: u32 = std::env::var("WRK_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);

    let (times, service) = publish_times().await;
    println!(
        "Publish through the editors' service ({} documents, median of 3 whole / {ROUNDS} one-page):",
        times.documents
    );
    println!("  whole library to staging (first publish):  {}", ms(times.whole_staging));
    println!("  promote whole library to production:       {}", ms(times.whole_production));
    println!("  one changed page to staging:               {}", ms(times.one_page));

    let tree = service.data.join("channels/staging");
    let blob = std::fs::read_dir(tree.join("blobs"))
        .expect("blobs")
        .flatten()
        .max_by_key(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .expect("a blob");
    let blob_name = blob.file_name().to_string_lossy().to_string();
    let blob_bytes = blob.metadata().map(|m| m.len()).unwrap_or(0);
    let manifest_bytes = std::fs::metadata(tree.join("manifest.json")).map(|m| m.len()).unwrap_or(0);

    let service_run = service.start(&[], &[]);
    let mut static_child = Command::new(bin())
        .args(["serve", "--tree", s(&tree), "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve --tree");
    let static_base = first_address(&mut static_child);
    let static_run = Running { child: static_child, base: static_base };
    let nginx = Nginx::start(&tree);

    let mut servers: Vec<(&str, String)> = vec![
        ("serve --data (/channels/staging)", service_run.url("/channels/staging")),
        ("serve --tree", static_run.base.clone()),
    ];
    match &nginx {
        Some(n) => servers.push(("nginx (2 workers)", format!("http://{}", n.addr))),
        None => println!("nginx not installed: its column is skipped (apt install nginx-light)"),
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("wrk not installed: load figures skipped (apt install wrk)");
        return;
    }

    println!();
    println!("GETs under load on loopback, wrk {seconds} s (wrk shares the 2 cores with the server):");
    println!("  manifest.json is {manifest_bytes} bytes; the blob is the largest page, {blob_bytes} bytes");
    println!("  {:<34} {:<9} {:>5} {:>12} {:>10}", "server", "file", "conns", "requests/s", "p99");
    for (name, base) in &servers {
        for (file, path) in [("manifest", "manifest.json".to_string()), ("blob", format!("blobs/{blob_name}"))] {
            for connections in [2, 64] {
                match wrk(&format!("{base}/{path}"), connections, seconds) {
                    Some(load) => println!(
                        "  {:<34} {:<9} {:>5} {:>12.0} {:>10}{}",
                        name,
                        file,
                        connections,
                        load.requests_per_sec,
                        load.p99,
                        if load.errors { "  (errors: see wrk)" } else { "" }
                    ),
                    None => println!("  {name:<34} {file:<9} {connections:>5}  wrk failed"),
                }
            }
        }
    }
}
