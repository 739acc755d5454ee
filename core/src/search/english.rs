//! Is it an English word? A typo is a word that is not one: "kid", "boss" and "tracker" are
//! missing from the guidance's vocabulary but are not misspellings, so they are never
//! "corrected" into guidance words.
//!
//! The list is SCOWL's British and American lists (Debian's wbritish and wamerican, lower-cased
//! ASCII words), compiled to a finite-state set by `build.rs` and gzipped (unpacked once, on first use); see `core/data/README.md`.

use std::io::Read;
use std::sync::OnceLock;

use tantivy_fst::raw::Fst;
use tantivy_fst::Map;

static PACKED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/english-words.fst.gz"));
/// Well above the unpacked list (245 KB); only a broken build could reach it.
const MAX_UNPACKED: u64 = 4 << 20;

fn words() -> Option<&'static Map<Vec<u8>>> {
    static WORDS: OnceLock<Option<Map<Vec<u8>>>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(PACKED).take(MAX_UNPACKED).read_to_end(&mut bytes).ok()?;
            Fst::new(bytes).ok().map(Map::from)
        })
        .as_ref()
}

/// True when `word` (lower case, as the analyser leaves it) is an English word. British
/// spellings the analyser folds to are in the list as well as the American ones it folds from.
pub fn is_english(word: &str) -> bool {
    words().is_some_and(|w| w.contains_key(word))
}

/// Size of the compiled list as the library carries it (gzipped), for the size budget.
pub fn list_bytes() -> usize {
    PACKED.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_words_are_words_and_typos_are_not() {
        for w in ["kid", "kids", "boss", "tracker", "bruises", "son", "boy", "kill", "nan", "safeguarding"] {
            assert!(is_english(w), "{w}");
        }
        for w in ["safegaurding", "radicalisaton", "neglekt", "dols"] {
            assert!(!is_english(w), "{w}");
        }
        assert!(list_bytes() > 100_000);
    }
}
