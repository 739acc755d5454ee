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
