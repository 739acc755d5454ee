//! Sync figures for docs/performance.md: bytes on the wire and time for a "nothing changed"
//! check, one edited page, and a full first sync of the bundled library; and the cost of the
//! data folder's integrity checks when a library is opened.
//!
//! `cargo bench -p safeguarding-flow-tests --bench sync`

use std::time::{Duration, Instant};

use safeguarding_core::{Library, SearchRequest};
use safeguarding_flow_tests::content_dir;
use safeguarding_flow_tests::sync_rig::{work, Phone, Publisher};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let publisher = Publisher::new();
    publisher.publish("production", &[]);
    let config = publisher.config("production");
    let library: u64 = std::fs::read_dir(publisher.tree.join("blobs"))
        .expect("blobs")
        .flatten()
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();

    // A full first sync: a phone with no content at all (no bundled release).
    let mut full = Vec::new();
    let mut full_bytes = 0;
    for _ in 0..5 {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = Library::open(dir.path()).expect("open");
        let t = Instant::now();
        let r = lib.sync(&config, &work()).expect("full sync");
        full.push(t.elapsed());
        full_bytes = r.bytes_downloaded;
    }

    // Nothing changed: the phone already holds this release.
    let phone = Phone::new();
    phone.lib.sync(&config, &work()).expect("first sync");
    let mut unchanged = Vec::new();
    let mut unchanged_bytes = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let r = phone.lib.sync(&config, &work()).expect("unchanged sync");
        unchanged.push(t.elapsed());
        unchanged_bytes = r.bytes_downloaded;
    }

    // One edited page, five times over.
    let mut edit = Vec::new();
    let mut edit_bytes = Vec::new();
    for i in 0..5 {
        let path = publisher.content.join("guidance/mca/mca-dols.md");
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, text.replacen("## ", &format!("## Bench edit {i}\n\nText.\n\n## "), 1)).expect("write");
        publisher.publish("production", &[]);
        let t = Instant::now();
        let r = phone.lib.sync(&config, &work()).expect("edit sync");
        edit.push(t.elapsed());
        edit_bytes.push(r.bytes_downloaded);
        assert!(r.updated);
    }
    let edit_bytes = edit_bytes[edit_bytes.len() / 2];

    // Opening an installed folder: index checksums, the content rows' digest, the user database's
    // quick check, then a first search.
    let dir = tempfile::tempdir().expect("tempdir");
    Library::open_or_install(dir.path(), &content_dir(), &work()).expect("install");
    let mut open = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let lib = Library::open(dir.path()).expect("open");
        lib.search(&SearchRequest::new("dols")).expect("search");
        open.push(t.elapsed());
    }
    let mut checksum = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        for sub in ["pages", "sections"] {
            let index = tantivy::Index::open_in_dir(dir.path().join("index").join(sub)).expect("open index");
            assert!(index.validate_checksum().expect("checksum").is_empty());
        }
        checksum.push(t.elapsed());
    }
    let index_bytes: u64 = ["pages", "sections"]
        .iter()
        .flat_map(|s| std::fs::read_dir(dir.path().join("index").join(s)).expect("index").flatten())
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();

    println!("sync over loopback, bundled library of {library} bytes:");
    println!("  nothing changed (304):        {unchanged_bytes} bytes, median {}", ms(median(unchanged)));
    println!(
        "  one edited page:              {edit_bytes} bytes ({:.1}% of a full sync), median {} end to end",
        100.0 * edit_bytes as f64 / full_bytes as f64,
        ms(median(edit))
    );
    println!("  full first sync:              {full_bytes} bytes, median {}", ms(median(full)));
    println!("data folder checks:");
    println!("  open + checks + first search: median {}", ms(median(open)));
    println!("  index checksum verification:  median {} over {index_bytes} bytes of index", ms(median(checksum)));
}
