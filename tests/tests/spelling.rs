//! "Did you mean" corrects only words that are not words: 200 everyday queries made of real
//! English words get no correction, and real typos of guidance terms are corrected.

use safeguarding_core::SearchRequest;
use safeguarding_flow_tests::bundled_library;
use serde::Deserialize;

#[derive(Deserialize)]
struct Set {
    everyday: Vec<String>,
    typo: Vec<Typo>,
}

#[derive(Deserialize)]
struct Typo {
    q: String,
    expect: String,
}

#[test]
fn everyday_words_are_never_corrected_and_typos_are() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/relevance/spelling.toml")).expect("read");
    let set: Set = toml::from_str(&text).expect("parse");
    assert!(set.everyday.len() >= 200 && set.typo.len() >= 50);
    let (_dir, library) = bundled_library();
    let rewritten: Vec<String> = set
        .everyday
        .iter()
        .filter_map(|q| {
            let r = library.search(&SearchRequest::new(q)).expect("search");
            r.suggestion.map(|s| format!("{q:?} -> {s:?}"))
        })
        .collect();
    let mut missed = Vec::new();
    for t in &set.typo {
        let r = library.search(&SearchRequest::new(&t.q)).expect("search");
        if r.suggestion.as_deref() != Some(t.expect.as_str()) {
            missed.push(format!("{:?}: expected {:?}, got {:?}", t.q, t.expect, r.suggestion));
        }
    }
    println!(
        "spelling: {} of {} everyday queries rewritten, {} of {} typos corrected",
        rewritten.len(),
        set.everyday.len(),
        set.typo.len() - missed.len(),
        set.typo.len()
    );
    for m in rewritten.iter().chain(&missed) {
        println!("  {m}");
    }
    assert!(rewritten.is_empty(), "everyday words were corrected");
    assert!(missed.len() * 10 <= set.typo.len(), "fewer than 90% of typos corrected");
}
