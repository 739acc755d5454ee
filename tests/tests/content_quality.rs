//! Checks on the bundled guidance that a reviewer would otherwise have to do by eye: the
//! validator passes, every page carries its summary, legal basis, sources and a review date that
//! has not passed, and every phone number is either a known national number or (for sample
//! local data) inside Ofcom's drama ranges.

use chrono::Local;
use safeguarding_core::content::{check, Block, ContentFiles, LinkTarget, PhoneNumber, RichText, Style};
use safeguarding_flow_tests::content_dir;

/// The national numbers the facts sheet lists (real public numbers). A number in guidance or in
/// `contacts/national.toml` that is not here fails the test until someone checks it and adds it.
const KNOWN_NATIONAL: &[&str] = &[
    "999",
    "101",
    "111",
    "0808 800 5000",
    "0800 028 3550",
    "0800 1111",
    "0808 2000 247",
    "08000 121 700",
    "0800 789 321",
    "020 7008 0151",
    "0800 5999 247",
    "0808 802 4040",
    "116 123",
    "0300 456 0300",
    "0808 801 0327",
    "0800 999 5428",
    "0808 1000 900",
    "116 000",
    "0300 123 2040",
    "0800 011 3764",
    // Checked on 2026-12-01 against each service's own site by the content review.
    "0800 068 4141",
    "0808 808 8141",
    "0808 800 6019",
    "0808 802 0300",
    "0345 6000 459",
];

fn known_national() -> Vec<String> {
    KNOWN_NATIONAL.iter().map(|n| PhoneNumber::parse(n).expect("known number parses").digits().to_string()).collect()
}

fn load() -> safeguarding_core::content::Checked {
    let files = ContentFiles::from_dir(&content_dir()).expect("read content");
    check(&files, Local::now().date_naive())
}

#[test]
fn the_validator_passes_with_no_errors() {
    let checked = load();
    let errors: Vec<String> = checked.diagnostics.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "content check errors:\n{}", errors.join("\n"));
    assert!(checked.content.pages.len() >= 45, "only {} pages", checked.content.pages.len());
}

#[test]
fn every_page_is_dated_sourced_and_summarised() {
    let checked = load();
    let today = Local::now().date_naive();
    let mut problems = Vec::new();
    for p in &checked.content.pages {
        if p.summary.trim().is_empty() {
            problems.push(format!("{}: no summary", p.id));
        }
        if p.legal_basis.is_empty() {
            problems.push(format!("{}: no legal basis", p.id));
        }
        if p.sources.is_empty() {
            problems.push(format!("{}: no sources", p.id));
        }
        if p.next_review < today {
            problems.push(format!("{}: review overdue since {}", p.id, p.next_review));
        }
        if p.last_reviewed > today {
            problems.push(format!("{}: reviewed in the future ({})", p.id, p.last_reviewed));
        }
        let text = p.plain_text().to_lowercase();
        if text.contains("at the time of writing") {
            problems.push(format!("{}: says 'at the time of writing'", p.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn phone_links(text: &RichText, out: &mut Vec<String>) {
    for m in &text.marks {
        if let Style::Link { target: LinkTarget::Phone { tel, .. } } = &m.style {
            out.push(tel.trim_start_matches("tel:").replacen("+44", "0", 1));
        }
    }
}

#[test]
fn phone_numbers_in_guidance_and_national_data_are_known_national_numbers() {
    let checked = load();
    let known = known_national();
    let mut problems = Vec::new();
    for p in &checked.content.pages {
        let mut numbers = Vec::new();
        for b in &p.blocks {
            match b {
                Block::Paragraph { text } => phone_links(text, &mut numbers),
                Block::List { items } | Block::Steps { items } => {
                    items.iter().for_each(|i| phone_links(&i.text, &mut numbers))
                }
                Block::Callout { paragraphs, .. } => paragraphs.iter().for_each(|t| phone_links(t, &mut numbers)),
                Block::Heading { .. } => {}
            }
        }
        for n in numbers {
            if !known.contains(&n) {
                problems.push(format!("{}: {n} is not a known national number", p.id));
            }
        }
    }
    for h in &checked.content.helplines {
        if !known.contains(&h.number.digits().to_string()) {
            problems.push(format!("national helpline {}: {} is not a known national number", h.id, h.number));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        checked.content.helplines.len(),
        KNOWN_NATIONAL.len(),
        "every national helpline is in contacts/national.toml"
    );
}

#[test]
fn the_police_non_emergency_number_is_never_given_as_111() {
    // The leading app once told readers to call the police on 111.
    let checked = load();
    for p in &checked.content.pages {
        let text = p.plain_text().to_lowercase();
        for sentence in text.split(['.', '\n']) {
            assert!(
                !(sentence.contains("police") && sentence.contains(" 111") && !sentence.contains("101")),
                "{}: '{sentence}'",
                p.id
            );
        }
    }
}

#[test]
fn sample_directories_use_only_drama_range_numbers() {
    let checked = load();
    assert!(!checked.content.directories.is_empty(), "a sample directory is bundled");
    let mut problems = Vec::new();
    for d in &checked.content.directories {
        for a in &d.areas {
            for s in &a.services {
                for p in &s.phones {
                    if d.sample && !p.number.is_drama_range() {
                        problems.push(format!("{} / {}: {} is not in Ofcom's drama ranges", a.name, s.name, p.number));
                    }
                    if !d.sample && p.number.is_drama_range() {
                        problems.push(format!("{} / {}: {} is a drama number in real data", a.name, s.name, p.number));
                    }
                }
            }
        }
        if d.sample {
            assert!(
                d.name.to_lowercase().contains("sample") && d.description.to_lowercase().contains("sample"),
                "{} is labelled as sample",
                d.id
            );
            assert!(d.areas.iter().all(|a| a.name.contains("(sample)")), "every sample area says so in its name");
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_page_relies_on_superseded_law_without_a_later_review() {
    let checked = load();
    assert!(checked.content.superseded.len() >= 10, "the register of superseded law is seeded");
    let mut problems = Vec::new();
    for entry in &checked.content.superseded {
        for page in &checked.content.pages {
            for r in entry.reliance_in(page) {
                if !r.reviewed_since {
                    problems.push(format!("{}:{}: {} (reviewed {})", r.path, r.line, entry.id, r.last_reviewed));
                }
                if r.field == "legal_basis" || r.field == "sources" {
                    problems.push(format!("{}:{}: still cites {} in {}", r.path, r.line, entry.id, r.field));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_helpline_says_when_it_answers() {
    let checked = load();
    for h in &checked.content.helplines {
        assert!(h.hours.trim().len() >= 4, "{} has no hours", h.id);
    }
}

#[test]
fn action_pages_open_with_act_now_and_short_steps() {
    let checked = load();
    let layout: Vec<String> = checked
        .diagnostics
        .warnings()
        .filter(|d| {
            d.message.contains("[!ACT NOW]") || d.message.contains("numbered steps") || d.message.contains("a step has")
        })
        .map(ToString::to_string)
        .collect();
    assert!(layout.is_empty(), "act-now layout:\n{}", layout.join("\n"));
}

#[test]
fn every_page_has_a_dated_change_and_situations_it_answers() {
    let checked = load();
    let mut problems = Vec::new();
    for p in &checked.content.pages {
        match p.changes.first() {
            None => problems.push(format!("{}: no dated change line", p.id)),
            Some(c) if c.date > p.last_reviewed => problems.push(format!("{}: change after review date", p.id)),
            Some(_) => {}
        }
        if p.asked_as.len() < 3 {
            problems.push(format!("{}: only {} asked-as phrases", p.id, p.asked_as.len()));
        }
        if !p.sources.iter().any(|s| s.url.is_some()) {
            problems.push(format!("{}: no source with a link to the official text", p.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The warnings whose message contains `needle`.
fn warnings_about(c: &safeguarding_core::content::Checked, needle: &str) -> Vec<String> {
    c.diagnostics.warnings().filter(|d| d.message.contains(needle)).map(ToString::to_string).collect()
}

/// The bundled content checked with one page's text replaced by `edit` of it.
fn check_with_page_edited(path: &str, edit: impl FnOnce(&str) -> String) -> safeguarding_core::content::Checked {
    let files = ContentFiles::from_dir(&content_dir()).expect("read content");
    let text = String::from_utf8(files.get(path).expect("page").to_vec()).expect("utf8");
    let mut edited = ContentFiles::new();
    for (p, bytes) in files.iter() {
        edited.insert(p, bytes.to_vec());
    }
    edited.insert(path, edit(&text).into_bytes());
    check(&edited, Local::now().date_naive())
}

#[test]
fn a_page_with_too_few_asked_as_phrases_is_warned_about_at_its_line() {
    const FEW: &str = "asked_as phrase";
    assert!(warnings_about(&load(), FEW).is_empty(), "bundled pages: {:?}", warnings_about(&load(), FEW));

    let path = "guidance/fgm/fgm-mandatory-reporting.md";
    let mut line = 0;
    let checked = check_with_page_edited(path, |text| {
        let start = text.find("asked_as = [").expect("asked_as");
        let end = start + text[start..].find("\n]").expect("end of asked_as") + 2;
        line = text[..start].lines().count() + 1;
        format!("{}asked_as = [\"my niece is going away to be cut\"]{}", &text[..start], &text[end..])
    });
    let warned = warnings_about(&checked, FEW);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains(&format!("{path}:{line}")) && warned[0].contains("has 1 asked_as"), "{}", warned[0]);
}

#[test]
fn the_same_asked_as_phrase_on_two_pages_is_warned_about() {
    const TWICE: &str = "is also on";
    assert!(warnings_about(&load(), TWICE).is_empty(), "bundled pages: {:?}", warnings_about(&load(), TWICE));

    let path = "guidance/fgm/fgm-mandatory-reporting.md";
    // A phrase from the radicalisation page, typed again with other spacing and capitals.
    let checked = check_with_page_edited(path, |text| {
        text.replacen("asked_as = [", "asked_as = [\n  \"Pupil keeps drawing  swastikas in his books\",", 1)
    });
    let warned = warnings_about(&checked, TWICE);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains(path) && warned[0].contains("prevent-radicalisation-of-children.md"), "{}", warned[0]);
}
