//! The library as an app uses it: install, search, read, user data, and recovery from bad
//! content and damaged files.

mod common;

use safeguarding_core::content::ContentFiles;
use safeguarding_core::{Cancel, Error, Library, NoProgress, NoteTarget, SearchRequest, Work};

use common::{page, release, work};

fn installed() -> (tempfile::TempDir, Library) {
    installed_from(&release(), 3)
}

fn installed_from(files: &ContentFiles, pages: u32) -> (tempfile::TempDir, Library) {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::open(dir.path()).unwrap();
    let report = lib.install_files(files, "test", &work()).unwrap();
    assert!(report.installed);
    assert_eq!(report.page_count, pages);
    (dir, lib)
}

fn ids(lib: &Library, q: &str) -> Vec<String> {
    lib.search(&SearchRequest::new(q)).unwrap().results.into_iter().map(|r| r.id).collect()
}

#[test]
fn nothing_installed_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::open(dir.path()).unwrap();
    assert!(matches!(lib.search(&SearchRequest::new("fgm")), Err(Error::NoContent)));
    assert!(lib.installed().unwrap().is_none());
}

#[test]
fn abbreviations_typos_and_spelling_variants() {
    let (_d, lib) = installed();
    assert_eq!(ids(&lib, "fgm")[0], "fgm-reporting");
    assert_eq!(ids(&lib, "cutting")[0], "fgm-reporting");
    assert_eq!(ids(&lib, "DoLS")[0], "mca-liberty");
    assert_eq!(ids(&lib, "radicalization")[0], "prevent-signs");
    assert_eq!(ids(&lib, "behavior")[0], "prevent-signs");
    let typo = lib.search(&SearchRequest::new("polise")).unwrap();
    assert_eq!(typo.suggestion.as_deref(), Some("police"));
    assert_eq!(typo.results[0].id, "fgm-reporting");
    assert_eq!(lib.search(&SearchRequest::new("police")).unwrap().suggestion, None);
}

#[test]
fn results_point_at_the_section_and_highlight_why() {
    let (_d, lib) = installed();
    let r = lib.search(&SearchRequest::new("police reference number")).unwrap();
    let top = &r.results[0];
    assert_eq!(top.section.as_ref().map(|s| s.anchor.as_str()), Some("how"));
    let units: Vec<u16> = top.snippet.text.encode_utf16().collect();
    let marked: Vec<String> = top
        .snippet
        .highlights
        .iter()
        .map(|h| String::from_utf16_lossy(&units[h.start as usize..h.end as usize]).to_lowercase())
        .collect();
    assert!(marked.contains(&"police".to_string()) && marked.contains(&"reference".to_string()), "{marked:?}");
    // The synonym that matched is highlighted too.
    let r = lib.search(&SearchRequest::new("cutting")).unwrap();
    assert!(!r.results[0].snippet.highlights.is_empty(), "{:?}", r.results[0].snippet);
}

#[test]
fn filters_and_limits() {
    let (_d, lib) = installed();
    let mut req = SearchRequest::new("report supervision terrorism");
    req.topic = Some("mca".into());
    assert_eq!(
        lib.search(&req).unwrap().results.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["mca-liberty"]
    );
    req.topic = None;
    req.audience = Some("education".into());
    assert!(lib.search(&req).unwrap().results.is_empty());
    req.audience = Some("health".into());
    req.limit = 1;
    assert_eq!(lib.search(&req).unwrap().results.len(), 1);
}

#[test]
fn query_syntax_is_just_text() {
    let (_d, lib) = installed();
    for q in ["children's", "s.47", "\"", "(", "report AND", "title:fgm", "*", "fgm~2", "", "   ", "a", "\u{0}"] {
        lib.search(&SearchRequest::new(q)).unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
}

#[test]
fn suggestions_complete_titles_and_keywords() {
    let (_d, lib) = installed();
    let s = lib.suggest("depri", 5).unwrap();
    assert_eq!(s[0].page_id.as_deref(), Some("mca-liberty"));
    assert!(lib.suggest("", 5).unwrap().is_empty());
}

#[test]
fn bad_content_is_refused_and_the_old_stays() {
    let (_d, lib) = installed();
    let before = lib.installed().unwrap().unwrap();
    let mut bad = release();
    bad.insert("guidance/fgm/broken.md", b"+++\nid = \"broken\"\n".to_vec());
    match lib.install_files(&bad, "test", &work()) {
        Err(Error::InvalidContent(d)) => {
            assert!(d.to_string().contains("guidance/fgm/broken.md:1: error"), "{d}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(lib.installed().unwrap().unwrap(), before);
    assert_eq!(ids(&lib, "fgm")[0], "fgm-reporting");
}

#[test]
fn cancelling_an_install_keeps_the_old_content() {
    let (_d, lib) = installed();
    let mut next = release();
    next.insert("guidance/fgm/fgm-new.md", page("fgm-new", "fgm", "A newer page", &["zebra"], "Zebra crossing text."));
    let cancel = Cancel::new();
    cancel.cancel();
    let err = lib.install_files(&next, "test", &Work { progress: &NoProgress, cancel: &cancel }).unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    assert_eq!(lib.installed().unwrap().unwrap().page_count, 3);
    assert!(ids(&lib, "zebra").is_empty());
    // And the same update goes through when not cancelled.
    lib.install_files(&next, "test", &work()).unwrap();
    assert_eq!(ids(&lib, "zebra"), vec!["fgm-new"]);
}

#[test]
fn same_content_is_not_reinstalled() {
    let (_d, lib) = installed();
    assert!(!lib.install_files(&release(), "test", &work()).unwrap().installed);
}

#[test]
fn user_data_survives_updates_that_remove_pages() {
    let (dir, lib) = installed();
    lib.add_bookmark("prevent-signs", Some("signs")).unwrap();
    lib.set_note(&NoteTarget::Page("prevent-signs".into()), "Our Prevent lead is on ext 1234").unwrap();
    lib.record_search("radicalisation").unwrap();
    assert!(matches!(lib.add_bookmark("no-such-page", None), Err(Error::PageNotFound(_))));

    let mut without: ContentFiles = ContentFiles::new();
    for (path, bytes) in release().iter() {
        if !path.contains("prevent") {
            without.insert(path, bytes.to_vec());
        }
    }
    let topics = "[[topic]]\nid = \"fgm\"\ntitle = \"FGM\"\ndescription = \"d\"\n\n[[topic]]\nid = \"mca\"\ntitle = \"MCA\"\ndescription = \"d\"\n";
    without.insert("topics.toml", topics.as_bytes().to_vec());
    lib.install_files(&without, "test", &work()).unwrap();
    drop(lib);

    let lib = Library::open(dir.path()).unwrap();
    let marks = lib.bookmarks().unwrap();
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].title, None, "the page is gone but the bookmark is kept");
    assert_eq!(lib.notes().unwrap().len(), 1);
    assert_eq!(lib.recent_searches().unwrap(), vec!["radicalisation"]);
    assert!(matches!(lib.page("prevent-signs"), Err(Error::PageNotFound(_))));
}

#[test]
fn a_missing_or_damaged_index_is_rebuilt() {
    let (dir, lib) = installed();
    drop(lib);
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let lib = Library::open(dir.path()).unwrap();
    assert_eq!(ids(&lib, "fgm")[0], "fgm-reporting");
    drop(lib);

    // Overwrite every index file with junk.
    for sub in ["pages", "sections"] {
        for entry in std::fs::read_dir(dir.path().join("index").join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::write(&path, b"not an index").unwrap();
            }
        }
    }
    let lib = Library::open(dir.path()).unwrap();
    assert_eq!(ids(&lib, "fgm")[0], "fgm-reporting");
    drop(lib);

    // A stale build record (say, after an app update changed tantivy) also triggers a rebuild.
    std::fs::write(dir.path().join("index/index-meta.json"), br#"{"tantivy":"0.1","schema":1,"content":"x"}"#).unwrap();
    let lib = Library::open(dir.path()).unwrap();
    assert_eq!(ids(&lib, "dols")[0], "mca-liberty");
    let meta = std::fs::read_to_string(dir.path().join("index/index-meta.json")).unwrap();
    assert!(meta.contains(&lib.installed().unwrap().unwrap().version));
}

#[test]
fn a_damaged_content_database_is_set_aside_and_user_data_kept() {
    let (dir, lib) = installed();
    lib.add_bookmark("fgm-reporting", None).unwrap();
    drop(lib);
    let db = dir.path().join("content.sqlite");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("content.sqlite{suffix}")));
    }
    std::fs::write(&db, b"garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage")
        .unwrap();
    let lib = Library::open(dir.path()).unwrap();
    assert!(lib.installed().unwrap().is_none(), "the app reinstalls bundled content next");
    assert_eq!(lib.bookmarks().unwrap().len(), 1);
    lib.install_files(&release(), "test", &work()).unwrap();
    assert_eq!(lib.bookmarks().unwrap()[0].title.as_deref(), Some("Female genital mutilation: the reporting duty"));
}

#[test]
fn pages_carry_their_review_state() {
    let (_d, lib) = installed();
    let view = lib.page("fgm-reporting").unwrap();
    assert!(!view.overdue);
    assert_eq!(view.page.legal_basis, vec!["An Act"]);
    assert!(!view.bookmarked);
    assert!(matches!(lib.pages_in_topic("nope"), Err(Error::NotFound { .. })));
    assert_eq!(lib.topics().unwrap().iter().map(|t| t.page_count).sum::<u32>(), 3);
}

/// A release where every page says "tell", one has it in its title and one has "colleague" in
/// its title.
fn telling_release() -> ContentFiles {
    let mut f = release();
    for (id, title, text) in [
        ("fgm-telling", "Telling someone", "Listen, and tell them what happens next."),
        ("fgm-staff", "Colleague concerns", "If a member of staff harms a patient, tell your manager."),
        ("fgm-family", "Families", "Tell the family members what you will share, unless that puts the girl at risk."),
        ("fgm-health", "Health checks", "Tell the GP and record the type of FGM."),
    ] {
        f.insert(&format!("guidance/fgm/{id}.md"), page(id, "fgm", title, &["x"], &format!("## About\n\n{text}\n")));
    }
    f.insert(
        "search/synonyms.toml",
        b"[abbreviations]\nfgm = \"female genital mutilation\"\n\n[also]\nuncle = [\"family member\"]\n".to_vec(),
    );
    f
}

#[test]
fn a_word_most_pages_use_counts_less_in_a_title() {
    let (_d, lib) = installed_from(&telling_release(), 7);
    let title_score = |query: &str, id: &str| {
        let b = lib.explain_search(&SearchRequest::new(query), 10).unwrap();
        let title = b.fields.iter().position(|f| *f == "title").unwrap();
        b.pages.iter().find(|p| p.id == id).map(|p| p.parts[0][title]).unwrap()
    };
    // Both words are in one title of the same length; only "tell" is in nearly every page, so
    // its title match must count for less than the one that says what the worker means.
    let tell = title_score("tell", "fgm-telling");
    let colleague = title_score("colleague", "fgm-staff");
    assert!(tell < 0.8 * colleague, "tell {tell}, colleague {colleague}");
}

#[test]
fn a_synonym_target_finds_its_other_forms() {
    let (_d, lib) = installed_from(&telling_release(), 7);
    // The target is written in the singular; the page says "family members".
    assert_eq!(ids(&lib, "uncle"), vec!["fgm-family"]);
}

#[test]
fn an_irregular_plural_finds_its_singular() {
    let mut f = release();
    f.insert(
        "guidance/fgm/fgm-women.md",
        page(
            "fgm-women",
            "fgm",
            "Adult care",
            &["x"],
            "## About\n\nOffer women who have had FGM a specialist clinic.\n",
        ),
    );
    let (_d, lib) = installed_from(&f, 4);
    assert_eq!(ids(&lib, "woman").first().map(String::as_str), Some("fgm-women"));
}
