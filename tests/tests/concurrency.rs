//! Two installers and four readers on one data folder, each with its own `Library` (as
//! separate processes would have), for a bounded time: nothing fails, and every search is
//! answered from one complete release.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use safeguarding_core::content::ContentFiles;
use safeguarding_core::{Cancel, Library, NoProgress, SearchRequest, Work};
use safeguarding_flow_tests::content_dir;

const RUN_FOR: Duration = Duration::from_secs(8);

fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

/// The bundled release and a second one in which the DoLS page's title carries `marker`.
fn releases() -> (ContentFiles, ContentFiles) {
    let a = ContentFiles::from_dir(&content_dir()).expect("read content");
    let mut b = a.clone();
    let path = "guidance/mca/mca-dols.md";
    let text = String::from_utf8(a.get(path).expect("dols page").to_vec()).expect("utf8");
    b.insert(path, text.replacen("title = \"", "title = \"Quokka ", 1).into_bytes());
    (a, b)
}

#[test]
fn installers_and_readers_share_one_folder_without_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = releases();
    Library::open(dir.path()).expect("open").install_files(&a, "release-a", &work()).expect("first install");
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    let mut installers = Vec::new();
    for (n, (first, second)) in [(a.clone(), b.clone()), (b, a)].into_iter().enumerate() {
        let (dir, stop) = (dir.path().to_path_buf(), stop.clone());
        installers.push(std::thread::spawn(move || {
            let mut installs = 0;
            while !stop.load(Ordering::Relaxed) {
                let lib = Library::open(&dir).map_err(|e| format!("installer {n} open: {e}"))?;
                for (files, name) in [(&first, "first"), (&second, "second")] {
                    lib.install_files(files, name, &work()).map_err(|e| format!("installer {n} install: {e}"))?;
                    installs += 1;
                }
            }
            Ok::<_, String>(installs)
        }));
    }
    let mut readers = Vec::new();
    for n in 0..4 {
        let (dir, stop) = (dir.path().to_path_buf(), stop.clone());
        readers.push(std::thread::spawn(move || {
            let mut searches = 0;
            while !stop.load(Ordering::Relaxed) {
                let lib = Library::open(&dir).map_err(|e| format!("reader {n} open: {e}"))?;
                for _ in 0..5 {
                    let r = lib
                        .search(&SearchRequest::new("deprivation of liberty safeguards"))
                        .map_err(|e| format!("reader {n} search: {e}"))?;
                    let dols = r
                        .results
                        .iter()
                        .find(|x| x.id == "mca-dols")
                        .ok_or(format!("reader {n}: DoLS page missing"))?;
                    // One release or the other, never a mixture or an empty index.
                    let title_ok =
                        dols.title == "Deprivation of Liberty Safeguards (DoLS)" || dols.title.starts_with("Quokka ");
                    if !title_ok || r.results.len() < 3 {
                        return Err(format!("reader {n}: unexpected answer {:?}", dols.title));
                    }
                    lib.page("mca-dols").map_err(|e| format!("reader {n} show: {e}"))?;
                    searches += 1;
                }
            }
            Ok::<_, String>(searches)
        }));
    }
    std::thread::sleep(RUN_FOR);
    stop.store(true, Ordering::Relaxed);
    let installs: Vec<_> = installers.into_iter().map(|t| t.join().expect("installer thread")).collect();
    let searches: Vec<_> = readers.into_iter().map(|t| t.join().expect("reader thread")).collect();
    let errors: Vec<&String> = installs.iter().chain(&searches).filter_map(|r| r.as_ref().err()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let installs: usize = installs.iter().flatten().sum();
    let searches: usize = searches.iter().flatten().sum();
    println!(
        "concurrency: {installs} installs and {searches} searches in {:.1}s, no failures",
        started.elapsed().as_secs_f64()
    );
    assert!(installs >= 2 && searches >= 20, "too little happened: {installs} installs, {searches} searches");
}
