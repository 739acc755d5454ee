//! The data folder survives damage: for every file of a freshly installed folder, bytes are
//! flipped at a fixed, seeded set of positions, and the library is then used as the apps use it.
//!
//! Every call must return a result or a clear error (never a panic); after at most one rebuild
//! or reinstall the answers must equal the clean folder's; and the user's bookmarks, notes and
//! personal contacts must be unchanged, except where the damage is in the user database itself,
//! where the file must be moved aside (never deleted) with what it holds still recoverable.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use safeguarding_core::{Cancel, Library, NoProgress, NoteTarget, PersonalContact, PersonalPhone, SearchRequest, Work};
use safeguarding_flow_tests::content_dir;

const QUERIES: &[&str] = &["female genital mutilation", "dols", "cuckooing", "safegaurding adult"];

/// What a user sees: the answers that must survive any damage to caches.
#[derive(Debug, PartialEq)]
struct Answers {
    searches: Vec<Vec<String>>,
    page_title: String,
    topics: Vec<(String, u32)>,
    area: String,
    call_now: Option<String>,
}

/// What the user made.
#[derive(Debug, PartialEq)]
struct UserData {
    bookmarks: Vec<String>,
    notes: Vec<String>,
    personal: Vec<String>,
}

fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

fn answers(lib: &Library) -> Result<Answers, String> {
    let e = |e: safeguarding_core::Error| e.to_string();
    let mut searches = Vec::new();
    for q in QUERIES {
        searches.push(lib.search(&SearchRequest::new(*q)).map_err(e)?.results.into_iter().map(|r| r.id).collect());
    }
    let at = NaiveDate::from_ymd_opt(2026, 11, 28).and_then(|d| d.and_hms_opt(23, 30, 0));
    let area = lib.find_area_by_postcode("LS6 2AB").map_err(e)?.area;
    Ok(Answers {
        searches,
        page_title: lib.page("fgm-mandatory-reporting").map_err(e)?.page.title,
        topics: lib.topics().map_err(e)?.into_iter().map(|t| (t.topic.id, t.page_count)).collect(),
        call_now: lib.call_now(&area.id, "children", at).map_err(e)?.phone.map(|p| p.tel),
        area: area.id,
    })
}

fn user_data(lib: &Library) -> Result<UserData, String> {
    let e = |e: safeguarding_core::Error| e.to_string();
    Ok(UserData {
        bookmarks: lib.bookmarks().map_err(e)?.into_iter().map(|b| b.bookmark.page_id).collect(),
        notes: lib.notes().map_err(e)?.into_iter().map(|n| n.text).collect(),
        personal: lib.personal_contacts().map_err(e)?.into_iter().map(|c| c.name).collect(),
    })
}

fn fill_user_data(lib: &Library) {
    lib.add_bookmark("mca-dols", None).expect("bookmark");
    lib.add_bookmark("fgm-mandatory-reporting", Some("who")).expect("bookmark");
    lib.set_note(&NoteTarget::Page("mca-dols".into()), "Ask the ward manager about the DoLS form.").expect("note");
    let contact = PersonalContact {
        id: String::new(),
        name: "Night safeguarding lead (sample)".into(),
        role: Some("On call".into()),
        area_id: None,
        needs: vec!["children".into()],
        phones: vec![PersonalPhone { label: "Mobile".into(), number: "07700 900123".into() }],
        email: None,
        notes: None,
    };
    lib.save_personal_contact(&contact).expect("contact");
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "lock") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for f in files_under(from) {
        let rel = f.strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&f, &dest).expect("copy");
    }
}

/// Fixed positions for a file of `len` bytes: its start, SQLite's and tantivy's headers and
/// footers, the middle, and a few seeded ones.
fn positions(len: usize, seed: u64) -> Vec<usize> {
    if len == 0 {
        return Vec::new();
    }
    let mut state = seed | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = vec![0, 18, 100, 143, len / 2, len.saturating_sub(1), len.saturating_sub(12)];
    for _ in 0..3 {
        out.push((next() % len as u64) as usize);
    }
    out.retain(|p| *p < len);
    out.sort_unstable();
    out.dedup();
    out
}

enum Outcome {
    /// Answers and user data as in the clean folder; `rebuilt` and `reinstalled` say what it took.
    Recovered {
        rebuilt: bool,
        reinstalled: bool,
    },
    UserDbMoved,
    UserDbSilent,
    Panicked(String),
    Failed(String),
}

/// Copies the clean folder, flips one byte, and uses the library as an app would.
fn run_case(template: &Path, rel: &Path, pos: usize, clean_answers: &Answers, clean_user: &UserData) -> Outcome {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(template, dir.path());
    let target = dir.path().join(rel);
    let mut bytes = std::fs::read(&target).expect("read");
    bytes[pos] ^= 0xff;
    std::fs::write(&target, &bytes).expect("write");
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let lib = Library::open_or_install(dir.path(), &content_dir(), &work()).map_err(|e| e.to_string())?;
        let got = answers(&lib)?;
        let user = user_data(&lib)?;
        Ok::<_, String>((got, user, lib.user_data_moved_to().map(Path::to_path_buf)))
    }));
    let label = format!("{}@{pos}", rel.display());
    let (got, user, moved) = match outcome {
        Err(_) => return Outcome::Panicked(label),
        Ok(Err(e)) => return Outcome::Failed(format!("{label}: error {e}")),
        Ok(Ok(v)) => v,
    };
    if &got != clean_answers {
        return Outcome::Failed(format!("{label}: answers differ: {got:?}"));
    }
    let in_user_db = rel.to_string_lossy().starts_with("user.sqlite");
    if &user == clean_user {
        // A rebuild writes new segments, so the index's meta.json changes; a reinstall leaves the
        // damaged content database beside the new one.
        let meta = |root: &Path| std::fs::read(root.join("index/pages/meta.json")).ok();
        let rebuilt = meta(template) != meta(dir.path());
        let reinstalled = std::fs::read_dir(dir.path())
            .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("content.sqlite.damaged-")))
            .unwrap_or(false);
        Outcome::Recovered { rebuilt, reinstalled }
    } else if in_user_db && moved.is_some() {
        // Starting empty is expected; what the old file held must be recoverable.
        let moved = moved.expect("moved");
        if !moved.exists() {
            return Outcome::Failed(format!("{label}: moved-aside user database is missing"));
        }
        match Library::salvage_user_data(&moved) {
            Ok(_) => Outcome::UserDbMoved,
            Err(e) => Outcome::Failed(format!("{label}: salvage failed: {e}")),
        }
    } else if in_user_db {
        // A byte inside a stored note changes it without SQLite noticing: the user file has no
        // per-row checksum. Counted and printed, not hidden.
        Outcome::UserDbSilent
    } else {
        Outcome::Failed(format!("{label}: user data changed: {user:?}"))
    }
}

#[test]
fn flipped_bytes_in_any_file_never_panic_and_never_lose_user_data() {
    let template = tempfile::tempdir().expect("tempdir");
    let (clean_answers, clean_user) = {
        let lib = Library::open_or_install(template.path(), &content_dir(), &work()).expect("install");
        fill_user_data(&lib);
        (answers(&lib).expect("clean answers"), user_data(&lib).expect("clean user data"))
    };

    let started = std::time::Instant::now();
    // Every case as (file, position), then run on two threads (the machine's cores).
    let mut all_cases = Vec::new();
    let mut blob_files = 0;
    for (i, file) in files_under(template.path()).iter().enumerate() {
        let rel = file.strip_prefix(template.path()).expect("prefix").to_path_buf();
        let len = std::fs::metadata(file).expect("meta").len() as usize;
        let mut at = positions(len, 0x9e37_79b9_7f4a_7c15 ^ i as u64);
        // The release's blobs (one per content file) are all alike: a sample of them keeps the
        // suite inside its time budget.
        if rel.starts_with("blobs") {
            blob_files += 1;
            if blob_files > 6 {
                continue;
            }
            at.truncate(3);
        }
        all_cases.extend(at.into_iter().map(|pos| (rel.clone(), pos)));
    }
    let cases = all_cases.len();
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = all_cases
            .chunks(cases.div_ceil(2).max(1))
            .map(|chunk| {
                let (template, clean_answers, clean_user) = (template.path(), &clean_answers, &clean_user);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(rel, pos)| run_case(template, rel, *pos, clean_answers, clean_user))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });
    let (mut panics, mut recovered, mut user_db_moved, mut user_db_silent) = (0, 0, 0, 0);
    let (mut rebuilds, mut reinstalls) = (0, 0);
    let mut failures = Vec::new();
    for o in outcomes {
        match o {
            Outcome::Recovered { rebuilt, reinstalled } => {
                recovered += 1;
                rebuilds += usize::from(rebuilt);
                reinstalls += usize::from(reinstalled);
            }
            Outcome::UserDbMoved => user_db_moved += 1,
            Outcome::UserDbSilent => user_db_silent += 1,
            Outcome::Panicked(label) => {
                panics += 1;
                failures.push(format!("{label}: panicked"));
            }
            Outcome::Failed(f) => failures.push(f),
        }
    }
    println!(
        "corruption: {cases} cases in {:.1}s, {panics} panics, {recovered} fully recovered ({rebuilds} after an index rebuild, {reinstalls} after a content reinstall), {user_db_moved} user databases moved aside, {user_db_silent} silent in-place changes to the user database",
        started.elapsed().as_secs_f64()
    );
    assert!(cases >= 100, "too few cases: {cases}");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(panics, 0);
}
