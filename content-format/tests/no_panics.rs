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
