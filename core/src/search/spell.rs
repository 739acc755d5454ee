//! Typo correction against the words the index actually holds.
//!
//! A fuzzy *query* would give every fuzzy hit the same score and highlight nothing. Instead, a
//! word the index does not know is looked up in the term dictionary with a Levenshtein
//! automaton; the nearest real words are then searched for as ordinary terms, so they rank by
//! BM25 and appear in snippets.

use std::sync::{Arc, OnceLock};

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::InvertedIndexReader;

/// How many corrections to search for at most.
const MAX_CANDIDATES: usize = 3;

/// The automaton builders are costly to make (tables for every distance), so they are made on
/// the first typo rather than at start-up.
#[derive(Default)]
pub struct Speller {
    one: OnceLock<LevenshteinAutomatonBuilder>,
    two: OnceLock<LevenshteinAutomatonBuilder>,
}

struct Dfa<'a>(&'a DFA);

impl tantivy_fst::Automaton for Dfa<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// Longest edit distance allowed for a word of this many characters.
pub fn max_distance(chars: usize) -> u8 {
    match chars {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

impl Speller {
    fn builder(&self, distance: u8) -> &LevenshteinAutomatonBuilder {
        if distance <= 1 {
            self.one.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
        } else {
            self.two.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true))
        }
    }

    /// The indexed words nearest to `word`: the smallest edit distance found, most common first.
    pub fn nearest(&self, dictionaries: &[Arc<InvertedIndexReader>], word: &str) -> Vec<String> {
        let max = max_distance(word.chars().count());
        if max == 0 {
            return Vec::new();
        }
        let dfa = self.builder(max).build_dfa(word);
        let mut found: Vec<(u8, u32, String)> = Vec::new();
        for dict in dictionaries {
            let Ok(mut stream) = dict.terms().search(Dfa(&dfa)).into_stream() else {
                continue;
            };
            while stream.advance() {
                let Ok(candidate) = std::str::from_utf8(stream.key()) else { continue };
                if candidate.len() < 3 || candidate.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let distance = match dfa.eval(candidate) {
                    Distance::Exact(d) => d,
                    Distance::AtLeast(_) => continue,
                };
                let df = stream.value().doc_freq;
                match found.iter_mut().find(|(_, _, w)| w == candidate) {
                    Some(entry) => entry.1 += df,
                    None => found.push((distance, df, candidate.to_string())),
                }
            }
        }
        let Some(best) = found.iter().map(|(d, _, _)| *d).min() else {
            return Vec::new();
        };
        found.retain(|(d, _, _)| *d == best);
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.2.cmp(&b.2)));
        found.into_iter().take(MAX_CANDIDATES).map(|(_, _, w)| w).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_grows_with_length() {
        assert_eq!(max_distance(2), 0);
        assert_eq!(max_distance(4), 1);
        assert_eq!(max_distance(12), 2);
    }
}
