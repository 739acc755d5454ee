//! The command's JSON contract and exit codes, which other tools depend on.

use std::process::{Command, Output};

fn run(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safeguarding"))
        .args(args)
        .env("SAFEGUARDING_DATA_DIR", data)
        .env_remove("SAFEGUARDING_CONTENT_DIR")
        .output()
        .expect("run safeguarding")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn search_json_contract() {
    let data = tempfile::tempdir().unwrap();
    let out = run(data.path(), &["search", "female genital mutilation", "--json"]);
    // First run with --json stays quiet on stderr too.
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["query"], "female genital mutilation");
    assert!(v["suggestion"].is_null());
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        for key in ["id", "title", "topic", "summary", "snippet", "score", "section"] {
            assert!(r.get(key).is_some(), "missing {key} in {r}");
        }
        assert!(r["snippet"].is_string() && r["score"].is_number());
        assert!(r["section"].is_string() || r["section"].is_null());
    }
    assert_eq!(results[0]["topic"], "fgm");

    let v = json(&run(data.path(), &["search", "safegaurding", "adult", "--json", "--limit", "2"]));
    assert_eq!(v["suggestion"], "safeguarding adult");
    assert_eq!(v["results"].as_array().unwrap().len(), 2);

    let v = json(&run(data.path(), &["search", "fgm", "--topic", "mca", "--json"]));
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["topic"] == "mca"));
}

#[test]
fn show_json_contract_and_unknown_ids() {
    let data = tempfile::tempdir().unwrap();
    let v = json(&run(data.path(), &["show", "fgm-mandatory-reporting", "--json"]));
    for key in [
        "id",
        "title",
        "topic",
        "audience",
        "summary",
        "last_reviewed",
        "next_review",
        "legal_basis",
        "sources",
        "text",
        "blocks",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["text"].as_str().unwrap().contains("101"));
    assert!(v["blocks"].as_array().unwrap().iter().any(|b| b["type"] == "callout" && b["kind"] == "act_now"));
    assert!(v["legal_basis"].as_array().unwrap()[0].as_str().unwrap().contains("Female Genital Mutilation Act 2003"));

    let out = run(data.path(), &["show", "no-such-page"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no page with id 'no-such-page'"));
    assert!(out.stdout.is_empty());
}

#[test]
fn topics_and_readable_output() {
    let data = tempfile::tempdir().unwrap();
    let v = json(&run(data.path(), &["topics", "--json"]));
    let topics = v.as_array().unwrap();
    assert!(topics.iter().any(|t| t["id"] == "fgm" && t["pages"].as_u64().unwrap() > 0));

    let out = run(data.path(), &["search", "dols"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Deprivation of Liberty Safeguards"), "{text}");
    let out = run(data.path(), &["show", "mca-dols"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Legal basis") && text.contains("Last reviewed"), "{text}");
}

#[test]
fn content_check_names_file_and_line_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("guidance/fgm")).unwrap();
    std::fs::write(dir.path().join("topics.toml"), "[[topic]]\nid = \"fgm\"\ntitle = \"FGM\"\ndescription = \"d\"\n")
        .unwrap();
    std::fs::write(
        dir.path().join("guidance/fgm/bad.md"),
        "+++\nid = \"bad\"\nlast_reviewed = \"2026-13-01\"\n+++\nbody\n",
    )
    .unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_safeguarding")).args(["content", "check"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("guidance/fgm/bad.md:3: error"), "{text}");
    assert!(text.contains("`title` is missing"), "{text}");

    let bundled = concat!(env!("CARGO_MANIFEST_DIR"), "/../content");
    let out = Command::new(env!("CARGO_BIN_EXE_safeguarding")).args(["content", "check", bundled]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn contacts_saturday_night_and_bad_input() {
    let data = tempfile::tempdir().unwrap();
    let v = json(&run(
        data.path(),
        &["contacts", "--postcode", "LS6 2AB", "--need", "children", "--at", "2026-11-28T23:30", "--json"],
    ));
    assert_eq!(v["area"]["id"], "sample-leeds");
    assert_eq!(v["area"]["sample"], true);
    assert_eq!(v["out_of_hours"], true);
    assert_eq!(v["contact"]["kind"], "emergency-duty-team");
    assert!(v["reason"].as_str().unwrap().contains("weekend"));
    assert!(v["phone"]["tel"].as_str().unwrap().starts_with("tel:+44"));

    let out =
        run(data.path(), &["contacts", "--postcode", "LS6 2AB", "--need", "children", "--at", "2026-11-28T23:30"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SAMPLE DATA") && text.contains("Out of hours") && text.contains("999"), "{text}");

    for (args, message) in [
        (vec!["contacts", "--postcode", "XX"], "postcode area"),
        (vec!["contacts", "--postcode", "ZZ99 9ZZ"], "ZZ99"),
        (vec!["contacts", "--near", "40.7,-74.0"], "not in the UK"),
        (vec!["contacts", "--near", "fifty,three"], "not a position"),
        (vec!["contacts", "--area", "Leeds", "--need", "unicorns"], "unknown need"),
        (vec!["contacts", "--area", "Leeds", "--at", "tomorrow"], "not a date"),
        (vec!["contacts"], "say where"),
    ] {
        let out = run(data.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn personal_contacts_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let out = run(
        data.path(),
        &[
            "contacts",
            "add",
            "--name",
            "Night coordinator",
            "--phone",
            "Mobile=07700 900555",
            "--in-area",
            "sample-leeds",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8_lossy(&out.stdout).trim().trim_start_matches("Added ").to_string();
    let v = json(&run(data.path(), &["contacts", "list-personal", "--json"]));
    assert_eq!(v[0]["id"], id.as_str());
    assert_eq!(v[0]["phones"][0]["display"], "07700 900555");
    assert!(run(data.path(), &["contacts", "edit", &id, "--name", "Night co-ordinator"]).status.success());
    let v = json(&run(data.path(), &["contacts", "search", "co-ordinator", "--json"]));
    assert_eq!(v[0]["personal"], true);
    let card = run(data.path(), &["contacts", "vcard", &id]);
    assert!(String::from_utf8_lossy(&card.stdout).contains("tel:+447700900555"));
    assert!(run(data.path(), &["contacts", "remove", &id]).status.success());
    assert_eq!(run(data.path(), &["contacts", "remove", &id]).status.code(), Some(1));
    let bad = run(data.path(), &["contacts", "add", "--name", "X", "--phone", "123"]);
    assert_eq!(bad.status.code(), Some(1));
}

fn run_with_content(data: &std::path::Path, content: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safeguarding"))
        .args(args)
        .env("SAFEGUARDING_DATA_DIR", data)
        .env("SAFEGUARDING_CONTENT_DIR", content)
        .output()
        .expect("run safeguarding")
}

fn bundled() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content")
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&p, to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn two_first_runs_into_one_empty_folder_both_succeed() {
    for _ in 0..5 {
        let data = tempfile::tempdir().unwrap();
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_safeguarding"))
                .args(["search", "dols", "--json"])
                .env("SAFEGUARDING_DATA_DIR", data.path())
                .env_remove("SAFEGUARDING_CONTENT_DIR")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            let v = json(&out);
            assert_eq!(v["results"][0]["id"], "mca-dols");
        }
    }
}

#[test]
fn a_broken_content_folder_never_stops_installed_content_serving() {
    let data = tempfile::tempdir().unwrap();
    let content = tempfile::tempdir().unwrap();
    copy_tree(&bundled(), content.path());
    assert!(run_with_content(data.path(), content.path(), &["topics"]).status.success());
    std::fs::write(content.path().join("guidance/fgm/fgm-what-it-is.md"), "+++\nid = \"broken\n").unwrap();
    for args in [&["search", "fgm"][..], &["show", "mca-dols"], &["contacts", "--postcode", "LS6 2AB"]] {
        let out = run_with_content(data.path(), content.path(), args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("warning: did not install") && err.contains("fgm-what-it-is.md"), "{err}");
    }
}

#[test]
fn an_explicit_content_folder_is_installed_even_when_another_was() {
    let data = tempfile::tempdir().unwrap();
    assert!(run(data.path(), &["topics"]).status.success());
    let content = tempfile::tempdir().unwrap();
    copy_tree(&bundled(), content.path());
    let page = content.path().join("guidance/mca/mca-dols.md");
    let text = std::fs::read_to_string(&page).unwrap().replacen("title = \"", "title = \"Zebracorn ", 1);
    std::fs::write(&page, text).unwrap();
    let v = json(&run_with_content(data.path(), content.path(), &["show", "mca-dols", "--json"]));
    assert!(v["title"].as_str().unwrap().starts_with("Zebracorn"), "{v}");
}

#[test]
fn a_release_with_no_pages_is_refused_by_check_and_install() {
    let data = tempfile::tempdir().unwrap();
    assert!(run(data.path(), &["topics"]).status.success());
    let content = tempfile::tempdir().unwrap();
    copy_tree(&bundled(), content.path());
    std::fs::remove_dir_all(content.path().join("guidance")).unwrap();
    let check = run(data.path(), &["content", "check", content.path().to_str().unwrap()]);
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stdout).contains("no guidance pages"));
    let out = run_with_content(data.path(), content.path(), &["topics", "--json"]);
    assert!(out.status.success());
    let topics = json(&out);
    let pages: u64 = topics.as_array().unwrap().iter().map(|t| t["pages"].as_u64().unwrap()).sum();
    assert!(pages > 50, "installed guidance kept: {pages} pages");
}

#[test]
fn escape_sequences_in_content_and_contacts_never_reach_the_terminal() {
    let data = tempfile::tempdir().unwrap();
    let content = tempfile::tempdir().unwrap();
    copy_tree(&bundled(), content.path());
    let page = content.path().join("guidance/mca/mca-dols.md");
    let text = std::fs::read_to_string(&page).unwrap().replacen("## ", "## \u{1b}]0;pwned\u{7} \u{1b}[2J", 1);
    std::fs::write(&page, text).unwrap();
    let out = run_with_content(data.path(), content.path(), &["show", "mca-dols"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07));

    let add = run_with_content(
        data.path(),
        content.path(),
        &["contacts", "add", "--name", "Evil\u{1b}[31m lead", "--phone", "07700 900123"],
    );
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let list = run_with_content(data.path(), content.path(), &["contacts", "list-personal"]);
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    assert!(!list.stdout.contains(&0x1b), "{}", String::from_utf8_lossy(&list.stdout));
    let long = "x".repeat(500);
    let add =
        run_with_content(data.path(), content.path(), &["contacts", "add", "--name", &long, "--phone", "07700 900123"]);
    assert!(!add.status.success());
    assert!(String::from_utf8_lossy(&add.stderr).contains("limit is 200"));
}

#[test]
fn affected_lists_pages_touched_by_a_register_entry() {
    let data = tempfile::tempdir().unwrap();
    let out =
        run(data.path(), &["content", "affected", "--by", "Cheshire West", bundled().to_str().unwrap(), "--json"]);
    let v = json(&out);
    assert_eq!(v["entry"]["id"], "cheshire-west-acid-test");
    let ids: Vec<&str> = v["pages"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"mca-dols"), "{ids:?}");
    assert!(v["pages"].as_array().unwrap().iter().all(|p| p["reviewed_since"] == true));
    let none = run(data.path(), &["content", "affected", "--by", "no such thing", bundled().to_str().unwrap()]);
    assert!(!none.status.success());
}

#[test]
fn explain_shows_what_each_word_adds_in_ranking_order() {
    let data = tempfile::tempdir().unwrap();
    let out = run(data.path(), &["search", "--explain", "--limit", "3", "fgm", "reporting"]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("the query, as searched: fgm"), "{text}");
    let first = text.lines().find(|l| l.starts_with(" 1. ")).expect("a first result");
    assert!(first.contains("fgm-mandatory-reporting"), "{text}");
    // Each result lists the words that matched it, with the field each matched best in.
    let fields = ["title", "keywords", "asked_as", "headings", "summary", "body", "concepts_head", "concepts_body"];
    let word_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("      ")).collect();
    assert!(word_lines.len() >= 3, "{text}");
    assert!(word_lines.iter().all(|l| fields.iter().any(|f| l.ends_with(&format!("(best in {f})")))), "{text}");
    let totals: Vec<f32> = text
        .lines()
        .filter(|l| l.len() > 4 && l.as_bytes()[2] == b'.')
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(totals.len(), 3, "{text}");
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "totals in ranking order: {totals:?}");

    // A place in the query is left out of the guidance search, and so out of the explanation.
    let out = run(data.path(), &["search", "--explain", "--limit", "3", "sheffield", "out", "of", "hours"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("sheffield") && text.lines().any(|l| l.starts_with(" 1. ")), "{text}");
}
