//! Query understanding: from what a worker typed to weighted alternatives to search for.
//!
//! Input is never parsed as query syntax, so quotes, brackets and `s.47` are just text. Each
//! query word (or phrase, when it matches the synonyms file) becomes a *concept*: the words as
//! typed plus their abbreviations, synonyms and, for words the index has never seen, the nearest
//! indexed words. Concepts are OR-ed and ranked by BM25.

use std::collections::{HashMap, HashSet};

use safeguarding_content::Synonyms;
use tantivy::tokenizer::TextAnalyzer;

use super::analyzer::{analyze, stemmed, words};
use super::english::is_english;

/// Longest query accepted, in words; the rest is ignored rather than slowing the search down.
pub const MAX_QUERY_WORDS: usize = 24;
/// Longest synonym phrase, in words.
const MAX_PHRASE_WORDS: usize = 6;

/// Common words that carry no meaning for ranking on their own. Pronouns are here because
/// a worker describing a woman writes "her" and a page about women's health uses it a hundred
/// times: left in, "her" outweighed the words that carried the situation. Age words are here
/// because "year old" is on every page about children and young people.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "dont",
    "for",
    "from",
    "get",
    "gets",
    "getting",
    "got",
    "had",
    "has",
    "have",
    "he",
    "her",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "im",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "keep",
    "keeps",
    "kept",
    "me",
    "mine",
    "my",
    "myself",
    "now",
    "of",
    "on",
    "one",
    "or",
    "our",
    "out",
    "really",
    "she",
    "should",
    "so",
    "some",
    "that",
    "the",
    "their",
    "them",
    "themselves",
    "then",
    "there",
    "they",
    "this",
    "to",
    "too",
    "up",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yr",
    "yrs",
    "year",
    "years",
    "old",
    "olds",
    "aged",
    "yo",
    // Words every situation uses; phrases that need them ("nothing to eat", "no further
    // action") are matched whole from the synonyms before stop words are dropped.
    "not",
    "no",
    "thing",
    "things",
    "something",
    "anything",
    "nothing",
    "say",
    "says",
    "said",
    // Contractions typed without the apostrophe, as on a phone. With it, "hasn't" splits into
    // "hasn" and "t" like any indexed text; without it "hasnt" is no word, and was corrected.
    "arent",
    "cant",
    "couldnt",
    "didnt",
    "doesnt",
    "hadnt",
    "hasnt",
    "havent",
    "hes",
    "isnt",
    "ive",
    "mustnt",
    "shes",
    "shouldnt",
    "thats",
    "theres",
    "theyre",
    "theyve",
    "wasnt",
    "werent",
    "weve",
    "whats",
    "wont",
    "wouldnt",
    "youre",
    "youve",
];

/// Words that say the number before them is an age ("15 yr old").
const AGE_WORDS: &[&str] = &["yr", "yrs", "year", "years", "yo", "aged", "month", "months", "week", "weeks"];

/// Characters that change nothing a reader sees but split or hide words: zero-width spaces
/// and joiners, the byte-order mark, soft hyphens, bidirectional controls.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Combining accents typed after a letter (`ne\u{301}glect`): dropped, as accents are anyway.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// `A&E`, `a & e` → `ae`: initialisms joined by `&` that would otherwise vanish.
fn join_initialisms(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start_ok = i == 0 || !chars[i - 1].is_alphanumeric();
        if c.is_alphabetic() && start_ok {
            // letter, optional spaces, '&', optional spaces, letter, then a word boundary
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j] == '&' {
                let mut k = j + 1;
                while k < chars.len() && chars[k] == ' ' {
                    k += 1;
                }
                let end_ok = k + 1 >= chars.len() || !chars[k + 1].is_alphanumeric();
                if k < chars.len() && chars[k].is_alphabetic() && end_ok {
                    out.push(c);
                    out.push(chars[k]);
                    i = k + 1;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Words that take `'s`, `'re`, `'ve` or `'m` in everyday contractions.
const CONTRACTING: &[&str] = &["he", "she", "it", "i", "we", "you", "they", "that", "what", "there", "who"];

/// `won't`, `doesn't`, `she's` -> `wont`, `doesnt`, `shes`: the form typed without the
/// apostrophe, which the stop words and the synonyms' phrases ("wont let her leave") know.
/// Other apostrophes still split words as in indexed text (`children's` -> `children`).
fn join_contractions(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let word_before = |i: usize| {
        let start = chars[..i].iter().rposition(|c| !c.is_alphabetic()).map_or(0, |p| p + 1);
        chars[start..i].iter().collect::<String>().to_lowercase()
    };
    let word_after = |i: usize| {
        let end = chars[i + 1..].iter().position(|c| !c.is_alphabetic()).map_or(chars.len(), |p| i + 1 + p);
        chars[i + 1..end].iter().collect::<String>().to_lowercase()
    };
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            if c != '\'' && c != '\u{2019}' || i == 0 || i + 1 >= chars.len() {
                return true;
            }
            let (before, after) = (word_before(i), word_after(i));
            let negation = after == "t" && before.ends_with('n') && before.len() > 1;
            let pronoun = CONTRACTING.contains(&before.as_str()) && ["s", "re", "ve", "m"].contains(&after.as_str());
            !(negation || pronoun)
        })
        .map(|(_, &c)| c)
        .collect()
}

/// A child's age in a query ("15 yr old", "3 year old", "6 months") stands for "child": the
/// number itself would only match unrelated numbers. 16 and 17 stay as typed, because the law
/// draws lines there (mental capacity, deprivation of liberty).
fn ages_to_words(words: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let next = words.get(i + 1).map(String::as_str);
        let age: Option<u32> =
            if w.chars().all(|c| c.is_ascii_digit()) && w.len() <= 3 { w.parse().ok() } else { None };
        match (age, next) {
            (Some(n), Some(unit)) if AGE_WORDS.contains(&unit) => {
                if n == 16 || n == 17 {
                    out.push(w.clone());
                }
                if n < 18 || unit.starts_with("month") || unit.starts_with("week") {
                    out.push(if n < 2 || !unit.starts_with('y') { "baby".into() } else { "child".into() });
                }
                i += 2;
                if words.get(i).is_some_and(|w| w == "old" || w == "olds") {
                    i += 1;
                }
            }
            _ => {
                out.push(w.clone());
                i += 1;
            }
        }
    }
    out
}

pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.contains(&w)
}

/// Why an alternative is searched for: it sets the weight and is reported to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Typed,
    Synonym,
    Correction,
}

impl Origin {
    pub fn weight(self) -> f32 {
        match self {
            Origin::Typed => 1.0,
            Origin::Synonym => 0.8,
            Origin::Correction => 0.9,
        }
    }
}

/// One way of saying what was typed: a word or a phrase (as unstemmed words). Synonym
/// alternatives are searched through their concept token and listed here for highlighting.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub words: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub alternatives: Vec<Alternative>,
    /// Synonym concepts this part of the query stands for (see [`Thesaurus`]).
    pub synonyms: Vec<u32>,
}

/// The synonyms file, compiled.
///
/// Each group of equivalent terms is a *concept* with a number. At index time every phrase that
/// belongs to a concept is detected in the text and the concept's token is indexed beside the
/// words; at query time a phrase that matches the synonyms file searches for the concept's token.
/// So `fgm`, `female genital mutilation` and (one way) `cutting` all become one term lookup,
/// instead of phrase queries that slow down as the library grows.
#[derive(Debug, Default)]
pub struct Thesaurus {
    /// A phrase, stemmed, and the concepts it is a member of: what indexing detects. Stemmed so
    /// that a target written "family member" also tags a page that says "family members".
    members: HashMap<Vec<String>, Vec<u32>>,
    /// A query phrase and the concepts it searches for: its own, and one-way targets'.
    searches: HashMap<Vec<String>, Vec<u32>>,
    /// Each concept's member phrases, for highlighting.
    phrases: Vec<Vec<Vec<String>>>,
    known: HashSet<String>,
    longest: usize,
}

/// The token a concept is indexed as.
pub fn concept_token(id: u32) -> String {
    format!("syn{id}")
}

impl Thesaurus {
    pub fn new(synonyms: &Synonyms) -> Thesaurus {
        let mut analyzer = words();
        let mut split = |s: &str| analyze(&mut analyzer, s).into_iter().map(|t| t.text).collect::<Vec<_>>();
        let mut stemmer = stemmed();
        let mut stem =
            |p: &[String]| analyze(&mut stemmer, &p.join(" ")).into_iter().map(|t| t.text).collect::<Vec<_>>();
        let mut t = Thesaurus::default();
        for group in &synonyms.groups {
            let phrases: Vec<Vec<String>> = group.iter().map(|s| split(s)).filter(|p| valid(p)).collect();
            if phrases.len() < 2 {
                continue;
            }
            let id = t.new_concept();
            for p in phrases {
                t.add_member(p.clone(), stem(&p), id);
                t.add_search(p, id);
            }
        }
        // A lay word searches for its targets' concepts (`cutting` -> the FGM concept) but is
        // not itself a member, so pages that say "cutting" are not tagged as FGM pages.
        // Thousands of lay words share a few hundred targets: each target is analysed once.
        let mut target_ids: HashMap<&str, Vec<u32>> = HashMap::new();
        for (from, targets) in &synonyms.one_way {
            // Only searched for, never detected in pages: read as a query is.
            let from = split(&join_contractions(from));
            if !valid(&from) {
                continue;
            }
            for to in targets {
                let ids = match target_ids.get(to.as_str()) {
                    Some(ids) => ids.clone(),
                    None => {
                        let words = split(to);
                        let ids = if !valid(&words) {
                            Vec::new()
                        } else {
                            let key = stem(&words);
                            match t.members.get(&key) {
                                Some(ids) => ids.clone(),
                                None => {
                                    let id = t.new_concept();
                                    t.add_member(words, key, id);
                                    vec![id]
                                }
                            }
                        };
                        target_ids.insert(to, ids.clone());
                        ids
                    }
                };
                for id in ids {
                    t.add_search(from.clone(), id);
                }
            }
        }
        t
    }

    fn new_concept(&mut self) -> u32 {
        self.phrases.push(Vec::new());
        (self.phrases.len() - 1) as u32
    }

    fn add_member(&mut self, phrase: Vec<String>, stemmed: Vec<String>, id: u32) {
        self.longest = self.longest.max(phrase.len());
        self.known.extend(phrase.iter().cloned());
        if let Some(p) = self.phrases.get_mut(id as usize) {
            if !p.contains(&phrase) {
                p.push(phrase);
            }
        }
        let ids = self.members.entry(stemmed).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    fn add_search(&mut self, phrase: Vec<String>, id: u32) {
        self.longest = self.longest.max(phrase.len());
        self.known.extend(phrase.iter().cloned());
        let ids = self.searches.entry(phrase).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    /// True when the word is part of some synonym entry, so it is not a typo even if no page
    /// uses it.
    pub fn knows(&self, word: &str) -> bool {
        self.known.contains(word)
    }

    /// Every concept mentioned in `words` (text through the `stemmed` analyser), once per
    /// mention.
    pub fn concepts_in(&self, words: &[String]) -> Vec<u32> {
        let mut found = Vec::new();
        for i in 0..words.len() {
            for n in 1..=self.longest.min(words.len() - i) {
                if let Some(ids) = self.members.get(&words[i..i + n]) {
                    found.extend_from_slice(ids);
                }
            }
        }
        found
    }

    /// The member phrases of a concept.
    pub fn phrases(&self, id: u32) -> &[Vec<String>] {
        self.phrases.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// Longest phrase starting at `words[0]` that searches for concepts, with its length.
    fn longest_match(&self, words: &[String]) -> Option<(usize, &Vec<u32>)> {
        (1..=words.len().min(self.longest)).rev().find_map(|n| self.searches.get(&words[..n]).map(|ids| (n, ids)))
    }
}

fn valid(phrase: &[String]) -> bool {
    !phrase.is_empty() && phrase.len() <= MAX_PHRASE_WORDS
}

/// Turns raw input into the words the analyser sees. Apostrophes split words exactly as they
/// do in indexed text (`children's` -> `children`); `s.47` becomes `s47`.
pub fn normalize(raw: &str, analyzer: &mut TextAnalyzer) -> Vec<String> {
    // "A&E" would leave two single letters, which the analyser drops: read it as one word.
    let raw = join_initialisms(raw);
    let chars: Vec<char> = raw.chars().filter(|c| !is_invisible(*c) && !is_combining_mark(*c)).collect();
    let cleaned: String = chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            // A dot between a letter and a digit is an abbreviation, not a word break.
            !(c == '.' && i > 0 && chars[i - 1].is_alphabetic() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()))
        })
        .map(|(_, &c)| c)
        .collect();
    let cleaned = join_contractions(&cleaned);
    let out: Vec<String> = analyze(analyzer, &cleaned).into_iter().map(|t| t.text).collect();
    let mut out = ages_to_words(out);
    out.truncate(MAX_QUERY_WORDS);
    out
}

/// Builds concepts from query words. `correct` is asked about each word the index does not
/// know and returns its nearest indexed words, best first.
pub fn concepts(
    words: &[String],
    thesaurus: &Thesaurus,
    is_known: &dyn Fn(&str) -> bool,
    correct: &dyn Fn(&str) -> Vec<String>,
) -> (Vec<Concept>, Vec<String>) {
    // First correct typos, so a misspelt abbreviation still expands.
    let mut corrected: Vec<String> = Vec::with_capacity(words.len());
    let mut candidates: Vec<Vec<String>> = Vec::with_capacity(words.len());
    for w in words {
        // Only a word that is no word at all is a typo: "kid" or "tracker" missing from the
        // guidance is not a reason to turn it into "did" or "teacher".
        let needs_correction = w.chars().count() >= 3
            && !w.chars().all(|c| c.is_ascii_digit())
            && !is_stop_word(w)
            && !thesaurus.knows(w)
            && !is_known(w)
            && !is_english(w);
        let found = if needs_correction { correct(w) } else { Vec::new() };
        corrected.push(found.first().cloned().unwrap_or_else(|| w.clone()));
        candidates.push(found);
    }

    let mut concepts = Vec::new();
    let mut i = 0;
    while i < corrected.len() {
        if let Some((n, ids)) = thesaurus.longest_match(&corrected[i..]) {
            let typo = candidates[i..i + n].iter().any(|c| !c.is_empty());
            let mut alternatives = vec![Alternative {
                words: corrected[i..i + n].to_vec(),
                origin: if typo { Origin::Correction } else { Origin::Typed },
            }];
            for id in ids {
                for phrase in thesaurus.phrases(*id) {
                    if !alternatives.iter().any(|a| &a.words == phrase) {
                        alternatives.push(Alternative { words: phrase.clone(), origin: Origin::Synonym });
                    }
                }
            }
            concepts.push(Concept { alternatives, synonyms: ids.clone() });
            i += n;
            continue;
        }
        let w = &corrected[i];
        let alternatives = if candidates[i].is_empty() {
            vec![Alternative { words: vec![w.clone()], origin: Origin::Typed }]
        } else {
            candidates[i].iter().map(|c| Alternative { words: vec![c.clone()], origin: Origin::Correction }).collect()
        };
        concepts.push(Concept { alternatives, synonyms: Vec::new() });
        i += 1;
    }

    // Stop words only count when nothing else was typed ("what to do").
    let meaningful = |c: &Concept| {
        !(c.synonyms.is_empty() && c.alternatives.len() == 1 && c.alternatives[0].words.iter().all(|w| is_stop_word(w)))
    };
    if concepts.iter().any(meaningful) {
        concepts.retain(meaningful);
    }
    (concepts, corrected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thesaurus() -> Thesaurus {
        Thesaurus::new(&Synonyms {
            groups: vec![
                vec!["fgm".into(), "female genital mutilation".into()],
                vec!["dols".into(), "deprivation of liberty safeguards".into()],
                vec!["s47".into(), "section 47".into()],
            ],
            one_way: vec![("cutting".into(), vec!["fgm".into()])],
        })
    }

    fn norm(s: &str) -> Vec<String> {
        normalize(s, &mut words())
    }

    #[test]
    fn normalizes_awkward_input() {
        assert_eq!(norm("children's \"services\" (s.47)"), vec!["children", "services", "s47"]);
        assert_eq!(norm("  \"  ( )"), Vec::<String>::new());
        assert_eq!(norm("Radicalization"), vec!["radicalisation"]);
        assert_eq!(norm("took him to A&E twice"), vec!["took", "him", "to", "ae", "twice"]);
        assert_eq!(norm("a & e"), vec!["ae"]);
        assert_eq!(norm("he won't let her leave"), vec!["he", "wont", "let", "her", "leave"]);
        assert_eq!(norm("She\u{2019}s scared, doesn't eat"), vec!["shes", "scared", "doesnt", "eat"]);
        assert_eq!(norm("the children's nan's flat"), vec!["the", "children", "nan", "flat"]);
        assert_eq!(norm("ne\u{301}glect f\u{200b}gm"), vec!["neglect", "fgm"]);
        assert_eq!(norm("15 yr old"), vec!["child"]);
        assert_eq!(norm("16 year old"), vec!["16", "child"]);
        assert_eq!(norm(&"word ".repeat(100)).len(), MAX_QUERY_WORDS);
    }

    #[test]
    fn expands_abbreviations_and_phrases() {
        let t = thesaurus();
        let known = |w: &str| ["female", "genital", "mutilation", "reporting", "fgm"].contains(&w);
        let (c, _) = concepts(&norm("female genital mutilation reporting"), &t, &known, &|_| Vec::new());
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].synonyms, vec![0]);
        assert_eq!(c[0].alternatives[1].words, vec!["fgm"]);
        let (c, _) = concepts(&norm("DoLS"), &t, &known, &|_| Vec::new());
        assert_eq!(c[0].synonyms, vec![1]);
        assert_eq!(c[0].alternatives[1].words, vec!["deprivation", "of", "liberty", "safeguards"]);
        let (c, _) = concepts(&norm("cutting"), &t, &known, &|_| Vec::new());
        assert_eq!(c[0].synonyms, vec![0]);
        let words: Vec<String> = c[0].alternatives.iter().map(|a| a.words.join(" ")).collect();
        assert_eq!(words, vec!["cutting", "fgm", "female genital mutilation"]);
    }

    #[test]
    fn indexing_tags_members_not_one_way_sources() {
        let t = thesaurus();
        let text = "Cutting is one word for female genital mutilations (FGM); see s.47 and DoLS.";
        let text: Vec<String> =
            analyze(&mut stemmed(), &normalize(text, &mut words()).join(" ")).into_iter().map(|t| t.text).collect();
        // The plural "mutilations" still tags the concept: members are matched by stem.
        assert_eq!(t.concepts_in(&text), vec![0, 0, 2, 1]);
    }

    #[test]
    fn corrects_unknown_words_only() {
        let t = thesaurus();
        let known = |w: &str| w == "adult";
        let correct = |w: &str| if w == "safegaurding" { vec!["safeguarding".to_string()] } else { Vec::new() };
        let (c, corrected) = concepts(&norm("safegaurding adult"), &t, &known, &correct);
        assert_eq!(corrected, vec!["safeguarding", "adult"]);
        assert_eq!(c[0].alternatives[0].origin, Origin::Correction);
        assert_eq!(c[1].alternatives[0].origin, Origin::Typed);
    }

    #[test]
    fn drops_stop_words_unless_alone() {
        let t = thesaurus();
        let yes = |_: &str| true;
        let (c, _) = concepts(&norm("what to do if worried"), &t, &yes, &|_| Vec::new());
        assert_eq!(c.len(), 1);
        let (c, _) = concepts(&norm("what to do"), &t, &yes, &|_| Vec::new());
        assert_eq!(c.len(), 3);
    }
}
