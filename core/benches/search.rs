//! Search benchmark: prints every figure the performance notes quote.
//!
//!   cargo bench -p safeguarding-core --bench search            # bundled corpus + 50,000 pages
//!   SG_BENCH_PAGES=5000 cargo bench -p safeguarding-core --bench search
//!
//! Figures: first install, search p50/p99 over a fixed query list (full pipeline: expansion,
//! typo correction, top 10, sections and snippets), cold start in a fresh process, and the same
//! queries through SQLite FTS5 over the same content, side by side.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use safeguarding_core::content::{check, ContentFiles};
use safeguarding_core::{Cancel, Library, NoProgress, SearchRequest, Work};

const QUERIES: &[&str] = &[
    "fgm reporting",
    "female genital mutilation",
    "safegaurding adult",
    "dols",
    "deprivation of liberty 17 year old",
    "county lines",
    "cse",
    "lado",
    "what to do if you're worried a child is being abused",
    "children's social care s.47",
    "radicalization",
    "prevent referral how",
    "share information without consent",
    "mca principles",
    "best interests decision",
    "hoarding",
    "coercive control",
    "dash marac",
    "modern slavery nrm",
    "trafficing",
    "bruise on baby not crawling",
    "fabricated induced illness",
    "capasity assesment",
    "forced marriage",
    "honour based violence",
    "cuckooing",
    "self neglect refusing help",
    "golden rules information sharing",
    "lasting power of attorney",
    "escalate disagree social care decision",
];

const COLD_ENV: &str = "SG_BENCH_COLD_START_DIR";

fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

fn main() {
    if let Ok(dir) = std::env::var(COLD_ENV) {
        cold_start_child(Path::new(&dir));
        return;
    }
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let bundled = ContentFiles::from_dir(&content).expect("read bundled content");
    println!("safeguarding search benchmark ({} cores)", std::thread::available_parallelism().map_or(1, |n| n.get()));

    println!("\n== bundled corpus ==");
    let dir = tempfile::tempdir().expect("temp");
    let installs = (0..5)
        .map(|i| {
            let d = dir.path().join(format!("install-{i}"));
            let lib = Library::open(&d).expect("open");
            let t = Instant::now();
            lib.install_files(&bundled, "bench", &work()).expect("install");
            t.elapsed()
        })
        .collect::<Vec<_>>();
    let lib = Library::open(&dir.path().join("install-0")).expect("open");
    let pages = lib.installed().expect("installed").expect("content").page_count;
    println!("first install ({pages} pages: parse, store, index): median {} over 5 runs", ms(median(installs)));
    if let Some(rounds) = std::env::var("SG_BENCH_PROFILE_ROUNDS").ok().and_then(|v| v.parse().ok()) {
        // Searches only, for a profiler: `perf record` this with SG_BENCH_PROFILE_ROUNDS=2000.
        report("tantivy search, full pipeline", &run_queries(&lib, rounds));
        return;
    }
    let samples = run_queries(&lib, 200);
    report("tantivy search, full pipeline", &samples);
    cold_start(&dir.path().join("install-0"));
    let fts = Fts::build(&bundled);
    report("SQLite FTS5 (OR of words, bm25, snippet)", &fts.run(200));
    fts_relevance(&fts);
    drop(lib);

    let n: usize = std::env::var("SG_BENCH_PAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    if n == 0 {
        return;
    }
    println!("\n== generated corpus: {n} pages ==");
    let t = Instant::now();
    let generated = generate(&bundled, n);
    println!("generated in {}", ms(t.elapsed()));
    let big = tempfile::tempdir().expect("temp");
    let lib = Library::open(big.path()).expect("open");
    let t = Instant::now();
    lib.install_files(&generated, "bench", &work()).expect("install generated");
    println!("install (parse, store, index): {}", ms(t.elapsed()));
    report("tantivy search, full pipeline", &run_queries(&lib, 20));
    if std::env::var_os("SG_BENCH_PER_QUERY").is_some() {
        for q in QUERIES {
            let mut t: Vec<Duration> = (0..10)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(lib.search(&SearchRequest::new(*q)).expect("search"));
                    start.elapsed()
                })
                .collect();
            t.sort();
            println!("  {:>10}  {q}", ms(t[5]));
        }
    }
    cold_start(big.path());
    let fts = Fts::build(&generated);
    report("SQLite FTS5 (OR of words, bm25, snippet)", &fts.run(5));
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn report(what: &str, samples: &[Duration]) {
    let mut s = samples.to_vec();
    s.sort();
    let p = |q: f64| s[((s.len() as f64 * q) as usize).min(s.len() - 1)];
    println!("{what}: {} searches, p50 {}, p99 {}, max {}", s.len(), ms(p(0.5)), ms(p(0.99)), ms(p(1.0)));
}

fn run_queries(lib: &Library, rounds: usize) -> Vec<Duration> {
    for q in QUERIES {
        lib.search(&SearchRequest::new(*q)).expect("warm-up search");
    }
    let mut samples = Vec::with_capacity(rounds * QUERIES.len());
    for _ in 0..rounds {
        for q in QUERIES {
            let t = Instant::now();
            let r = lib.search(&SearchRequest::new(*q)).expect("search");
            samples.push(t.elapsed());
            std::hint::black_box(r);
        }
    }
    samples
}

/// Runs this binary again as a fresh process that opens the data folder and answers one query.
fn cold_start(dir: &Path) {
    let exe = std::env::current_exe().expect("own path");
    let mut inner = Vec::new();
    let mut outer = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let out = Command::new(&exe).env(COLD_ENV, dir).output().expect("spawn");
        outer.push(t.elapsed());
        let text = String::from_utf8_lossy(&out.stdout);
        let micros: u64 = text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("child said {text:?} {}", String::from_utf8_lossy(&out.stderr)));
        inner.push(Duration::from_micros(micros));
    }
    println!(
        "cold start (fresh process: open store and index, answer the first query): median {} in process, {} including process start",
        ms(median(inner)),
        ms(median(outer))
    );
}

fn cold_start_child(dir: &Path) {
    let t = Instant::now();
    let lib = Library::open(dir).expect("open");
    let r = lib.search(&SearchRequest::new("fgm reporting")).expect("search");
    assert!(!r.results.is_empty());
    println!("{}", t.elapsed().as_micros());
}

/// The same pages in an FTS5 table, searched the way a simple app would: the typed words OR-ed,
/// ranked by bm25 with the same field weights, with a snippet.
struct Fts {
    conn: Connection,
}

impl Fts {
    fn build(files: &ContentFiles) -> Fts {
        let content = check(files, chrono::Local::now().date_naive()).content;
        let conn = Connection::open_in_memory().expect("sqlite");
        conn.execute_batch(
            "CREATE VIRTUAL TABLE pages USING fts5(id UNINDEXED, title, keywords, summary, body,
             tokenize = 'porter unicode61 remove_diacritics 2');",
        )
        .expect("fts5");
        let tx = conn.unchecked_transaction().expect("tx");
        {
            let mut insert = tx.prepare("INSERT INTO pages VALUES (?1, ?2, ?3, ?4, ?5)").expect("prepare");
            for p in &content.pages {
                insert.execute((&p.id, &p.title, p.keywords.join(" "), &p.summary, p.plain_text())).expect("insert");
            }
        }
        tx.commit().expect("commit");
        Fts { conn }
    }

    fn search(&self, q: &str) -> Vec<String> {
        let words: Vec<String> =
            q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"")).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, snippet(pages, 4, '[', ']', '…', 24) FROM pages WHERE pages MATCH ?1
                 ORDER BY bm25(pages, 0.0, 3.0, 2.5, 1.5, 1.0) LIMIT 10",
            )
            .expect("prepare");
        let rows = stmt.query_map([words.join(" OR ")], |r| r.get::<_, String>(0)).expect("query");
        rows.map(|r| r.expect("row")).collect()
    }

    fn run(&self, rounds: usize) -> Vec<Duration> {
        let mut samples = Vec::new();
        for _ in 0..rounds {
            for q in QUERIES {
                let t = Instant::now();
                std::hint::black_box(self.search(q));
                samples.push(t.elapsed());
            }
        }
        samples
    }
}

/// The relevance set through FTS5, to show what the extra pipeline buys.
fn fts_relevance(fts: &Fts) {
    #[derive(serde::Deserialize)]
    struct Set {
        query: Vec<Case>,
    }
    #[derive(serde::Deserialize)]
    struct Case {
        q: String,
        expect: String,
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/relevance/queries.toml");
    let Ok(text) = std::fs::read_to_string(path) else { return };
    let Ok(set) = toml::from_str::<Set>(&text) else { return };
    let (mut at1, mut at3) = (0, 0);
    for c in &set.query {
        let ids = fts.search(&c.q);
        let rank = ids.iter().position(|id| *id == c.expect);
        at1 += usize::from(rank == Some(0));
        at3 += usize::from(rank.is_some_and(|r| r < 3));
    }
    let n = set.query.len() as f64;
    println!(
        "FTS5 on the relevance set: success@1 {:.1}%, success@3 {:.1}% (tantivy pipeline: see `cargo test -p safeguarding-flow-tests --test relevance`)",
        100.0 * at1 as f64 / n,
        100.0 * at3 as f64 / n
    );
}

/// A corpus of `n` pages made from the bundled pages' own sentences, headings and keywords, so
/// the vocabulary (and so typo correction) behaves like real guidance at scale.
fn generate(bundled: &ContentFiles, n: usize) -> ContentFiles {
    let content = check(bundled, chrono::Local::now().date_naive()).content;
    let mut sentences = Vec::new();
    let mut headings = Vec::new();
    let mut keywords = Vec::new();
    let mut title_words = Vec::new();
    for p in &content.pages {
        sentences
            .extend(p.plain_text().split(". ").filter(|s| s.len() > 20).map(|s| s.replace(['\n', '"', '\\'], " ")));
        headings.extend(p.headings().map(|h| h.replace('"', "")));
        keywords.extend(p.keywords.iter().map(|k| k.replace('"', "")));
        title_words
            .extend(p.title.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string()));
    }
    title_words.retain(|w| !w.is_empty());
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |m: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % m as u64) as usize
    };
    let mut files = ContentFiles::new();
    for (path, bytes) in bundled.iter() {
        if !path.starts_with("guidance/") {
            files.insert(path, bytes.to_vec());
        }
    }
    let topics: Vec<&str> = content.topics.iter().map(|t| t.id.as_str()).collect();
    for i in 0..n {
        let title: Vec<&str> = (0..3 + next(4)).map(|_| title_words[next(title_words.len())].as_str()).collect();
        let kw: Vec<String> = (0..3).map(|_| format!("{:?}", keywords[next(keywords.len())])).collect();
        let mut body = String::new();
        for _ in 0..3 + next(3) {
            body.push_str(&format!("## {}\n\n", headings[next(headings.len())]));
            for _ in 0..3 + next(4) {
                body.push_str(&sentences[next(sentences.len())]);
                body.push_str(". ");
            }
            body.push_str("\n\n");
        }
        let page = format!(
            "+++\nid = \"gen-{i:05}\"\ntitle = \"{}\"\ntopic = \"{}\"\nkind = \"background\"\naudience = [\"all-staff\"]\nsummary = \"{}.\"\nkeywords = [{}]\nlegal_basis = [\"Generated\"]\nsources = [\"Generated\"]\nlast_reviewed = 2026-12-01\nnext_review = 2099-01-01\nversion = 1\n+++\n\n{body}",
            title.join(" "),
            topics[next(topics.len())],
            sentences[next(sentences.len())],
            kw.join(", ")
        );
        files.insert(format!("guidance/gen/gen-{i:05}.md"), page.into_bytes());
    }
    files
}
