//! Situations described in a worker's own words (`tests/relevance/situations.toml`), and the
//! same set over pages stripped of their hand-written keywords, summaries and "asked as"
//! phrases, as an editor's first draft would be. At least a third of the situations are held out
//! of tuning and reported on their own.

use safeguarding_core::content::ContentFiles;
use safeguarding_core::{Cancel, Library, NoProgress, SearchRequest, Work};
use safeguarding_flow_tests::{bundled_library, content_dir};
use serde::Deserialize;

#[derive(Deserialize)]
struct Set {
    query: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    q: String,
    expect: Vec<String>,
    held_out: bool,
    /// Set on situations added after the first sets, so each later batch can be read alone.
    #[serde(default)]
    batch: Option<String>,
}

fn load() -> Vec<Case> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/relevance/situations.toml")).expect("read");
    toml::from_str::<Set>(&text).expect("parse").query
}

/// (success@1, success@3) over `cases`, printing misses when `show` is set.
fn measure(library: &Library, cases: &[&Case], label: &str, show: bool) -> (f64, f64) {
    let (mut at1, mut at3) = (0, 0);
    for c in cases {
        let r = library.search(&SearchRequest::new(&c.q)).expect("search");
        let ids: Vec<&str> = r.results.iter().map(|x| x.id.as_str()).collect();
        let rank = ids.iter().position(|id| c.expect.iter().any(|e| e == id));
        at1 += usize::from(rank == Some(0));
        at3 += usize::from(rank.is_some_and(|r| r < 3));
        if show && rank.is_none_or(|r| r >= 3) {
            println!("  miss [{label}] {:?}: expected {:?}, top 3 {:?}", c.q, c.expect, &ids[..ids.len().min(3)]);
        }
    }
    let n = cases.len().max(1) as f64;
    let (s1, s3) = (at1 as f64 / n, at3 as f64 / n);
    println!(
        "situations [{label}]: {} queries, success@1 {:.1}%, success@3 {:.1}%",
        cases.len(),
        100.0 * s1,
        100.0 * s3
    );
    (s1, s3)
}

/// The bundled content with `keywords`, `summary` and `asked_as` emptied on every page.
fn stripped_content() -> ContentFiles {
    let files = ContentFiles::from_dir(&content_dir()).expect("read content");
    let mut out = ContentFiles::new();
    for (path, bytes) in files.iter() {
        if !path.starts_with("guidance/") {
            out.insert(path, bytes.to_vec());
            continue;
        }
        let text = String::from_utf8(bytes.to_vec()).expect("utf8");
        let mut lines = Vec::new();
        let mut skipping = false;
        for line in text.lines() {
            if skipping {
                // A multi-line array ends at a line that closes it.
                skipping = !line.trim_end().ends_with(']');
                continue;
            }
            if line.starts_with("keywords =") || line.starts_with("asked_as =") {
                lines.push(format!("{} = [\"x\"]", line.split('=').next().unwrap_or("").trim()));
                skipping = !line.trim_end().ends_with(']');
                continue;
            }
            if line.starts_with("summary =") {
                lines.push("summary = \"A page.\"".to_string());
                continue;
            }
            lines.push(line.to_string());
        }
        out.insert(path, (lines.join("\n") + "\n").into_bytes());
    }
    out
}

/// Plain BM25 over sections (heading and text), English stemming, no synonyms, no spelling, no
/// hand-written fields; a page scores its best section. The baseline the pipeline must beat.
struct PlainBm25 {
    reader: tantivy::IndexReader,
    text: tantivy::schema::Field,
    page: tantivy::schema::Field,
    parser: tantivy::query::QueryParser,
}

impl PlainBm25 {
    fn new() -> PlainBm25 {
        use tantivy::schema::{Schema, STORED, STRING, TEXT};
        let files = ContentFiles::from_dir(&content_dir()).expect("read content");
        let checked = safeguarding_core::content::check(&files, chrono::Local::now().date_naive());
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT);
        let page = b.add_text_field("page", STRING | STORED);
        let index = tantivy::Index::create_in_ram(b.build());
        index.tokenizers().register(
            "default",
            tantivy::tokenizer::TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
                .filter(tantivy::tokenizer::LowerCaser)
                .filter(tantivy::tokenizer::Stemmer::new(tantivy::tokenizer::Language::English))
                .build(),
        );
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).expect("writer");
        for p in &checked.content.pages {
            for s in p.sections() {
                let mut doc = tantivy::TantivyDocument::default();
                doc.add_text(text, format!("{} {}", s.heading.unwrap_or_default(), s.text));
                doc.add_text(page, &p.id);
                w.add_document(doc).expect("add");
            }
        }
        w.commit().expect("commit");
        let reader = index.reader().expect("reader");
        let mut parser = tantivy::query::QueryParser::for_index(&index, vec![text]);
        parser.set_conjunction_by_default();
        parser = tantivy::query::QueryParser::for_index(&index, vec![text]);
        PlainBm25 { reader, text, page, parser }
    }

    fn top(&self, q: &str) -> Vec<String> {
        use tantivy::schema::Value;
        let _ = self.text;
        let (query, _) = self.parser.parse_query_lenient(q);
        let searcher = self.reader.searcher();
        let hits =
            searcher.search(&query, &tantivy::collector::TopDocs::with_limit(60).order_by_score()).expect("search");
        let mut pages: Vec<String> = Vec::new();
        for (_, addr) in hits {
            let doc: tantivy::TantivyDocument = searcher.doc(addr).expect("doc");
            let id = doc.get_first(self.page).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            if !pages.contains(&id) {
                pages.push(id);
            }
        }
        pages
    }
}

/// The pipeline against plain BM25, query by query: where each wins, so a part of the pipeline
/// that costs relevance shows up.
#[test]
fn pipeline_against_plain_bm25_query_by_query() {
    let cases = load();
    let (_dir, library) = bundled_library();
    let plain = PlainBm25::new();
    let (mut ours, mut theirs, mut both) = (0, 0, 0);
    for c in &cases {
        let mine: Vec<String> =
            library.search(&SearchRequest::new(&c.q)).expect("search").results.into_iter().map(|r| r.id).collect();
        let base = plain.top(&c.q);
        let hit = |ids: &[String]| ids.iter().take(3).any(|id| c.expect.contains(id));
        match (hit(&mine), hit(&base)) {
            (true, true) => both += 1,
            (true, false) => ours += 1,
            (false, true) => {
                theirs += 1;
                println!(
                    "  plain BM25 wins {:?}: ours {:?}, plain {:?}",
                    c.q,
                    &mine[..mine.len().min(3)],
                    &base[..base.len().min(3)]
                );
            }
            (false, false) => {}
        }
    }
    let n = cases.len() as f64;
    println!(
        "pipeline vs plain BM25 over {} situations: success@3 ours {:.1}%, plain {:.1}% ({} only ours, {} only plain, {} both)",
        cases.len(),
        100.0 * (ours + both) as f64 / n,
        100.0 * (theirs + both) as f64 / n,
        ours,
        theirs,
        both
    );
    assert!(ours + both >= theirs + both, "the pipeline must not lose to plain BM25");
}

#[test]
fn situations_land_in_the_top_three_with_and_without_hand_written_fields() {
    let cases = load();
    assert!(cases.len() >= 100, "at least 100 situations");
    let tuning: Vec<&Case> = cases.iter().filter(|c| !c.held_out).collect();
    let held_out: Vec<&Case> = cases.iter().filter(|c| c.held_out).collect();
    let (_dir, library) = bundled_library();
    let (_, tuned3) = measure(&library, &tuning, "tuning", true);
    let (_, held3) = measure(&library, &held_out, "held out", false);
    let fifth: Vec<&Case> = held_out.iter().copied().filter(|c| c.batch.as_deref() == Some("fifth-session")).collect();
    measure(&library, &fifth, "held out, written blind in the fifth session", false);

    let dir = tempfile::tempdir().expect("tempdir");
    let bare = Library::open(dir.path()).expect("open");
    bare.install_files(&stripped_content(), "stripped", &Work { progress: &NoProgress, cancel: &Cancel::new() })
        .expect("install stripped");
    let all: Vec<&Case> = cases.iter().collect();
    let (_, bare3) = measure(&bare, &all, "no keywords, summaries or asked-as", false);
    // The same split as above, so the held-out third shows what the lay vocabulary does for
    // situations nobody tuned it on.
    measure(&bare, &tuning, "no keywords…, tuning", false);
    measure(&bare, &held_out, "no keywords…, held out", false);
    measure(&bare, &fifth, "no keywords…, held out, fifth session", false);

    // Floors that must not regress; the targets (0.95, 0.95, 0.90) are reported in docs/performance.md.
    assert!(tuned3 >= FLOOR_TUNING, "tuning success@3 {tuned3:.3}");
    assert!(held3 >= FLOOR_HELD_OUT, "held-out success@3 {held3:.3}");
    assert!(bare3 >= FLOOR_STRIPPED, "stripped success@3 {bare3:.3}");
}

// Regression floors, a little under what this build measures (docs/performance.md); the issue's
// targets (0.95, 0.95 and 0.90) are not met yet and are reported there, not hidden here.
const FLOOR_TUNING: f64 = 0.97;
const FLOOR_HELD_OUT: f64 = 0.84;
const FLOOR_STRIPPED: f64 = 0.79;

/// Writes each query's candidates with their scores split by concept and field, for the
/// bundled pages and the stripped ones, to the folder in `SAFEGUARDING_BREAKDOWN_DIR`: the data
/// for trying ranking formulas offline. Held-out situations are left out.
#[test]
#[ignore]
fn dump_score_breakdowns() {
    let Some(out) = std::env::var_os("SAFEGUARDING_BREAKDOWN_DIR") else { return };
    let out = std::path::PathBuf::from(out);
    #[derive(Deserialize)]
    struct Typed {
        query: Vec<TypedCase>,
    }
    #[derive(Deserialize)]
    struct TypedCase {
        q: String,
        expect: String,
        within: usize,
    }
    let typed: Typed = toml::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/relevance/queries.toml")).expect("read"),
    )
    .expect("parse");
    let mut queries: Vec<(String, Vec<String>, String)> =
        typed.query.into_iter().map(|c| (c.q, vec![c.expect], format!("typed{}", c.within))).collect();
    let with_held_out = std::env::var_os("SAFEGUARDING_BREAKDOWN_HELD_OUT").is_some();
    for c in load() {
        if c.held_out && !with_held_out {
            continue;
        }
        queries.push((c.q, c.expect, if c.held_out { "held_out".into() } else { "tuning".into() }));
    }
    let dump = |library: &Library, name: &str| {
        let mut rows = Vec::new();
        for (q, expect, kind) in &queries {
            let b = library.explain_search(&SearchRequest::new(q), 60).expect("explain");
            let pages: Vec<serde_json::Value> =
                b.pages.iter().map(|p| serde_json::json!({"id": p.id, "score": p.score, "parts": p.parts})).collect();
            rows.push(serde_json::json!({"q": q, "expect": expect, "kind": kind, "concepts": b.concepts, "fields": b.fields, "pages": pages}));
        }
        std::fs::write(out.join(name), serde_json::to_string(&rows).expect("json")).expect("write");
    };
    let (_dir, library) = bundled_library();
    dump(&library, "bundled.json");
    let dir = tempfile::tempdir().expect("tempdir");
    let bare = Library::open(dir.path()).expect("open");
    bare.install_files(&stripped_content(), "stripped", &Work { progress: &NoProgress, cancel: &Cancel::new() })
        .expect("install stripped");
    dump(&bare, "stripped.json");
}
