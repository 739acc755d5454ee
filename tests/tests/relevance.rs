//! Runs the relevance set in `tests/relevance/queries.toml` against the bundled content and
//! prints success@1, success@3 and MRR.

use std::collections::BTreeMap;

use safeguarding_core::SearchRequest;
use safeguarding_flow_tests::bundled_library;
use serde::Deserialize;

#[derive(Deserialize)]
struct Set {
    query: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    q: String,
    expect: String,
    within: usize,
}

#[test]
fn relevance_set() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/relevance/queries.toml")).expect("read set");
    let set: Set = toml::from_str(&text).expect("parse set");
    let (_dir, library) = bundled_library();

    let mut at1 = 0;
    let mut at3 = 0;
    let mut rr = 0.0;
    let mut missed = Vec::new();
    // Queries that name one page (`within = 1`): the typed-query success@1 target is over these.
    let (mut named, mut named_at1) = (0, 0);
    let mut best_rank_per_page: BTreeMap<String, usize> = BTreeMap::new();
    for case in &set.query {
        let results = library.search(&SearchRequest::new(&case.q)).expect("search");
        let rank = results.results.iter().position(|r| r.id == case.expect).map(|i| i + 1);
        if let Some(r) = rank {
            rr += 1.0 / r as f64;
            at1 += usize::from(r == 1);
            at3 += usize::from(r <= 3);
        }
        let best = best_rank_per_page.entry(case.expect.clone()).or_insert(usize::MAX);
        *best = (*best).min(rank.unwrap_or(usize::MAX));
        if case.within == 1 {
            named += 1;
            named_at1 += usize::from(rank == Some(1));
        }
        if rank.is_none_or(|r| r > case.within) {
            let top: Vec<&str> = results.results.iter().take(3).map(|r| r.id.as_str()).collect();
            missed.push(format!(
                "  {:?}: expected {} within {}, got rank {:?}; top 3 {:?}",
                case.q, case.expect, case.within, rank, top
            ));
        }
    }
    let n = set.query.len() as f64;
    let typed_at1 = named_at1 as f64 / named.max(1) as f64;
    println!("relevance: {named} queries that name one page, success@1 {:.1}%", 100.0 * typed_at1);
    println!(
        "relevance: {} queries, success@1 {:.1}%, success@3 {:.1}%, MRR {:.3}, {} below their target",
        set.query.len(),
        100.0 * at1 as f64 / n,
        100.0 * at3 as f64 / n,
        rr / n,
        missed.len()
    );
    for m in &missed {
        println!("{m}");
    }

    // Every page must be findable: the top-3 answer for at least one realistic query.
    let mut all_pages = Vec::new();
    for t in library.topics().expect("topics") {
        for p in library.pages_in_topic(&t.topic.id).expect("pages") {
            all_pages.push(p.id);
        }
    }
    let unreached: Vec<&String> =
        all_pages.iter().filter(|id| best_rank_per_page.get(*id).is_none_or(|r| *r > 3)).collect();
    assert!(unreached.is_empty(), "pages not in the top 3 for any query in the set: {unreached:?}");
    assert!(set.query.len() >= 30);
    assert!(at3 as f64 / n >= 0.95, "success@3 below 95%");
    assert!(typed_at1 >= 0.95, "typed queries success@1 {typed_at1:.3}");
}

/// A contraction typed with its apostrophe searches exactly as the same words typed without it,
/// as phones and hurried users do ("wont let her leave" is a lay phrase in the synonyms).
#[test]
fn contractions_search_the_same_with_or_without_the_apostrophe() {
    let (_dir, library) = bundled_library();
    let ids = |q: &str| -> Vec<String> {
        let r = library.search(&SearchRequest::new(q)).expect("search");
        assert!(r.suggestion.is_none(), "{q:?} was corrected to {:?}", r.suggestion);
        r.results.into_iter().map(|x| x.id).collect()
    };
    for (with, without) in [
        ("he won't let her see her friends", "he wont let her see her friends"),
        ("she doesn't want anyone told", "she doesnt want anyone told"),
        ("they're not letting him leave", "theyre not letting him leave"),
    ] {
        let a = ids(with);
        assert!(!a.is_empty(), "{with:?} found nothing");
        assert_eq!(a, ids(without), "{with:?}");
    }
}
