//! A small, made-up content release for the core's tests.

use safeguarding_core::content::ContentFiles;
use safeguarding_core::{Cancel, NoProgress, Work};

pub fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

pub fn page(id: &str, topic: &str, title: &str, keywords: &[&str], body: &str) -> Vec<u8> {
    let keywords: Vec<String> = keywords.iter().map(|k| format!("{k:?}")).collect();
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\ntopic = \"{topic}\"\naudience = [\"health\"]\n\
         summary = \"About {title}.\"\nkeywords = [{}]\nlegal_basis = [\"An Act\"]\nsources = [\"A source (2020)\"]\n\
         last_reviewed = 2026-01-01\nnext_review = 2099-01-01\nversion = 1\n+++\n\n{body}\n",
        keywords.join(", ")
    )
    .into_bytes()
}

pub fn release() -> ContentFiles {
    let mut f = ContentFiles::new();
    f.insert(
        "topics.toml",
        b"[[topic]]\nid = \"fgm\"\ntitle = \"FGM\"\ndescription = \"d\"\n\n[[topic]]\nid = \"mca\"\ntitle = \"MCA\"\ndescription = \"d\"\n\n[[topic]]\nid = \"prevent\"\ntitle = \"Prevent\"\ndescription = \"d\"\n".to_vec(),
    );
    f.insert(
        "search/synonyms.toml",
        b"[abbreviations]\nfgm = \"female genital mutilation\"\ndols = \"deprivation of liberty safeguards\"\n\n[also]\ncutting = [\"fgm\"]\n".to_vec(),
    );
    f.insert(
        "guidance/fgm/fgm-reporting.md",
        page(
            "fgm-reporting",
            "fgm",
            "Female genital mutilation: the reporting duty",
            &["report"],
            "## Who must report {#who}\n\nRegulated professionals must report known cases in girls under 18.\n\n## How to report {#how}\n\n1. Call the police on [101](tel:101).\n2. Record the reference number.\n",
        ),
    );
    f.insert(
        "guidance/mca/mca-liberty.md",
        page(
            "mca-liberty",
            "mca",
            "Deprivation of liberty safeguards",
            &["care home"],
            "## The acid test {#acid-test}\n\nContinuous supervision and control, and not free to leave.\n",
        ),
    );
    f.insert(
        "guidance/prevent/prevent-signs.md",
        page(
            "prevent-signs",
            "prevent",
            "Recognising radicalisation",
            &["extremism"],
            "## Signs\n\nA person being drawn into terrorism may change their behaviour and friends.\n",
        ),
    );
    f
}
