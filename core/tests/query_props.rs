//! The query pipeline takes whatever is typed: it must never fail or panic.

mod common;

use proptest::prelude::*;
use safeguarding_core::{Library, SearchRequest};

fn library() -> &'static (tempfile::TempDir, Library) {
    static LIB: std::sync::OnceLock<(tempfile::TempDir, Library)> = std::sync::OnceLock::new();
    LIB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        lib.install_files(&common::release(), "test", &common::work()).unwrap();
        (dir, lib)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn any_query(q in any::<String>(), limit in 0usize..200) {
        let lib = &library().1;
        let mut req = SearchRequest::new(q.clone());
        req.limit = limit;
        let r = lib.search(&req).unwrap();
        prop_assert!(r.results.len() <= 100);
        for hit in &r.results {
            let len = hit.snippet.text.encode_utf16().count() as u32;
            for h in &hit.snippet.highlights {
                prop_assert!(h.start < h.end && h.end <= len);
            }
        }
        let _ = lib.suggest(&q, 10).unwrap();
    }

    #[test]
    fn query_shaped_input(q in "[a-z\"()'.:*~^\\-+ ]{0,60}") {
        let lib = &library().1;
        lib.search(&SearchRequest::new(q.clone())).unwrap();
        lib.suggest(&q, 10).unwrap();
    }
}
