//! The parser and validator see whatever editors (or a damaged download) give them: they must
//! report problems, never panic.

use chrono::NaiveDate;
use proptest::prelude::*;
use safeguarding_content::{check, parse_page, ContentFiles, Diagnostics, PhoneNumber};

const PAGE: &str = "+++\nid = \"p\"\ntitle = \"T\"\ntopic = \"fgm\"\naudience = [\"health\"]\nsummary = \"S.\"\nkeywords = [\"k\"]\nlegal_basis = [\"L\"]\nsources = [\"S\"]\nlast_reviewed = 2026-01-01\nnext_review = 2027-01-01\nversion = 1\n+++\n\n> [!ACT NOW]\n> Call [999](tel:999).\n\n## Head {#h}\n\n1. one\n2. [two](page:p#h)\n";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_text_as_a_page(text in any::<String>()) {
        let mut diags = Diagnostics::default();
        let _ = parse_page("guidance/x/p.md", &text, &mut diags);
    }

    #[test]
    fn markdown_and_toml_shaped_noise(body in "[-+#>*\\[\\]()!{}=\"\\n a-zA-Z0-9:.|`<]{0,300}") {
        let mut diags = Diagnostics::default();
        let _ = parse_page("guidance/x/p.md", &format!("+++\n{body}\n+++\n{body}"), &mut diags);
        let _ = parse_page("guidance/x/p.md", &format!("{PAGE}{body}"), &mut diags);
    }

    #[test]
    fn a_valid_page_with_one_byte_changed(pos in 0usize..PAGE.len(), byte in any::<u8>()) {
        let mut bytes = PAGE.as_bytes().to_vec();
        bytes[pos] = byte;
        let mut files = ContentFiles::new();
        files.insert("guidance/fgm/p.md", bytes);
        files.insert("topics.toml", b"[[topic]]\nid = \"fgm\"\ntitle = \"FGM\"\ndescription = \"d\"\n".to_vec());
        let checked = check(&files, today());
        // Every diagnostic names a real line of the file.
        for d in checked.diagnostics.iter() {
            prop_assert!(d.line >= 1);
        }
    }

    #[test]
    fn whole_releases_of_junk(files in proptest::collection::vec(("(topics\\.toml|search/synonyms\\.toml|contacts/national\\.toml|guidance/a/[a-z]{1,3}\\.md)", any::<Vec<u8>>()), 0..6)) {
        let mut set = ContentFiles::new();
        for (path, bytes) in files {
            set.insert(path, bytes);
        }
        let _ = check(&set, today());
    }

    #[test]
    fn phone_numbers(s in "[+0-9 ()\\-.a-z]{0,20}") {
        if let Ok(p) = PhoneNumber::parse(&s) {
            // Whatever parses must format and round-trip.
            prop_assert_eq!(PhoneNumber::parse(&p.display()).ok(), Some(p.clone()));
            let _ = p.tel_uri();
        }
    }
}

#[test]
fn the_reference_page_is_valid() {
    let mut diags = Diagnostics::default();
    assert!(parse_page("guidance/x/p.md", PAGE, &mut diags).is_some(), "{diags}");
}

/// Checks a release holding one page with `body`, returning how long the check took.
fn time_check(body: &str) -> std::time::Duration {
    let mut files = ContentFiles::new();
    files.insert("guidance/fgm/p.md", format!("{PAGE}\n{body}").into_bytes());
    files.insert("topics.toml", b"[[topic]]\nid = \"fgm\"\ntitle = \"FGM\"\ndescription = \"d\"\n".to_vec());
    let started = std::time::Instant::now();
    let _ = check(&files, today());
    started.elapsed()
}

/// Per-page work is linear (or n log n): pathological shapes of the same size must check in
/// comparable time, and a 4,000-heading page (34 s before anchors were fixed) well under a second.
#[test]
fn pathological_pages_check_in_bounded_time() {
    let shapes: Vec<(&str, String)> = vec![
        ("4,000 identical headings", "## Same\n\n".repeat(4000)),
        ("4,000 links to one anchor", "[x](page:p#h) ".repeat(4000)),
        ("2,000 nested list levels", (0..2000).map(|i| format!("{}- item\n", "  ".repeat(i % 40))).collect()),
        ("one 200 KB line", "word ".repeat(40_000)),
        ("4,000 block quotes", "> [!NOTE]\n> text\n\n".repeat(4000)),
    ];
    for (what, body) in shapes {
        let t = time_check(&body);
        assert!(t < std::time::Duration::from_secs(2), "{what}: {t:?} for {} bytes", body.len());
    }
    // Doubling the input no more than about doubles the time (allowing for noise).
    let small = time_check(&"## Same\n\n".repeat(2000));
    let large = time_check(&"## Same\n\n".repeat(8000));
    assert!(large < small * 8 + std::time::Duration::from_millis(50), "2,000 headings {small:?}, 8,000 {large:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random Markdown-shaped bodies up to 64 KB: each checks within a time bound that grows
    /// with its size, so no input shape hides a quadratic step.
    #[test]
    fn any_body_checks_within_a_time_bound(body in "([#>*\\-1. \\[\\]()!{}a-z\\n]{1,64}){1,1000}") {
        let t = time_check(&body);
        let bound = std::time::Duration::from_millis(200 + body.len() as u64 / 50);
        prop_assert!(t < bound, "{} bytes took {:?}", body.len(), t);
    }
}
