//! How text becomes search terms, the same way for pages and for queries.
//!
//! Words are split on anything that is not a letter or digit, lower-cased, stripped of accents,
//! folded from American to British spelling (the English stemmer leaves `radicalization` and
//! `radicalisation` apart), irregular plurals folded to their singular, and stemmed. A second
//! analyser stops before stemming and keeps plurals: its terms are real words, used for typo
//! correction, "did you mean" and synonym matching.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Stemmed terms, for ranking.
pub const STEM_ANALYZER: &str = "sg_en";
/// Folded but unstemmed words, for spelling.
pub const WORD_ANALYZER: &str = "sg_words";

const MAX_WORD_BYTES: usize = 40;

pub fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(SpellingFold { plurals: true })
        .filter(Stemmer::new(Language::English))
        .build()
}

pub fn words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(SpellingFold { plurals: false })
        .build()
}

/// A token with where it came from in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub position: usize,
    pub from: usize,
    pub to: usize,
}

/// Runs an analyser over `text`.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(Term { text: t.text.clone(), position: t.position, from: t.offset_from, to: t.offset_to });
    }
    out
}

/// Folds American spellings to British and drops single letters left over from possessives
/// and initials (`children's` -> `children`, `s`). With `plurals`, for ranking terms only, also
/// folds irregular plurals to their singular as the stemmer does for regular ones: it leaves
/// `women` apart from `woman`, so "woman with fgm" did not match the page on adult women. The
/// words analyser (spelling, synonym phrases) keeps what was typed.
#[derive(Clone)]
pub struct SpellingFold {
    pub plurals: bool,
}

impl TokenFilter for SpellingFold {
    type Tokenizer<T: Tokenizer> = SpellingFoldFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SpellingFoldFilter<T> {
        SpellingFoldFilter { inner: tokenizer, plurals: self.plurals }
    }
}

#[derive(Clone)]
pub struct SpellingFoldFilter<T> {
    inner: T,
    plurals: bool,
}

impl<T: Tokenizer> Tokenizer for SpellingFoldFilter<T> {
    type TokenStream<'a> = SpellingFoldStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SpellingFoldStream { tail: self.inner.token_stream(text), plurals: self.plurals }
    }
}

pub struct SpellingFoldStream<T> {
    tail: T,
    plurals: bool,
}

impl<T: TokenStream> TokenStream for SpellingFoldStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            let single_letter = token.text.len() == 1 && token.text.bytes().all(|b| b.is_ascii_alphabetic());
            if single_letter {
                continue;
            }
            if let Some(folded) = fold_spelling(&token.text) {
                token.text = folded;
            }
            if self.plurals {
                if let Some(singular) = fold_irregular(&token.text) {
                    token.text = singular.to_string();
                }
            }
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The singular of an irregular plural. Measured (docs/performance.md): folding `children` and
/// `people` too, or irregular past forms (`took`, `told`), cost tuning situations at the top, so
/// they stay as the stemmer leaves them; synonym phrases cover the past forms workers type.
pub fn fold_irregular(word: &str) -> Option<&'static str> {
    Some(match word {
        "women" => "woman",
        "men" => "man",
        "teeth" => "tooth",
        "feet" => "foot",
        "wives" => "wife",
        "knives" => "knife",
        "housewives" => "housewife",
        "midwives" => "midwife",
        _ => return None,
    })
}

/// American stems and the British stems they fold to. Matched at the start of a word, so
/// `behavioral` and `neighborhood` fold as well.
const PREFIXES: &[(&str, &str)] = &[
    ("behavior", "behaviour"),
    ("color", "colour"),
    ("favor", "favour"),
    ("honor", "honour"),
    ("harbor", "harbour"),
    ("humor", "humour"),
    ("labor", "labour"),
    ("neighbor", "neighbour"),
    ("rumor", "rumour"),
    ("vapor", "vapour"),
    ("endeavor", "endeavour"),
    ("odor", "odour"),
    ("rigor", "rigour"),
    ("tumor", "tumour"),
    ("counselor", "counsellor"),
    ("counseling", "counselling"),
    ("traveling", "travelling"),
    ("defense", "defence"),
    ("offense", "offence"),
    ("license", "licence"),
    ("pediatr", "paediatr"),
    ("anemi", "anaemi"),
    ("hemorrh", "haemorrh"),
    ("hematom", "haematom"),
    ("esophag", "oesophag"),
    ("orthoped", "orthopaed"),
    ("gynecolog", "gynaecolog"),
    ("estrogen", "oestrogen"),
    ("diarrhea", "diarrhoea"),
    ("edema", "oedema"),
    ("foetal", "fetal"),
    ("foetus", "fetus"),
    ("judgment", "judgement"),
    ("aging", "ageing"),
    ("skeptic", "sceptic"),
    ("practis", "practic"),
];

/// Whole words whose British form is not a simple change of stem.
const WORDS: &[(&str, &str)] = &[
    ("center", "centre"),
    ("centers", "centres"),
    ("centered", "centred"),
    ("mom", "mum"),
    ("moms", "mums"),
    ("gray", "grey"),
    ("program", "programme"),
    ("programs", "programmes"),
];

/// Returns the British form of an American spelling, or `None` if the word needs no change.
pub fn fold_spelling(word: &str) -> Option<String> {
    let first = *word.as_bytes().first()?;
    // Comparing first bytes before whole strings keeps this cheap: it runs on every word indexed.
    if let Some((_, uk)) = WORDS.iter().find(|(us, _)| us.as_bytes()[0] == first && *us == word) {
        return Some(uk.to_string());
    }
    for (us, uk) in PREFIXES.iter().filter(|(us, _)| us.as_bytes()[0] == first) {
        if let Some(rest) = word.strip_prefix(us) {
            // `foetus` -> `fetus` style pairs: the British form may start with the American.
            if word.starts_with(uk) {
                return None;
            }
            return Some(format!("{uk}{rest}"));
        }
    }
    // -ize, -ization, -yze and friends. Short words (`size`, `seize`) keep their z.
    if word.len() > 6 && word.contains('z') {
        for (us, uk) in [
            ("ization", "isation"),
            ("izations", "isations"),
            ("ize", "ise"),
            ("izes", "ises"),
            ("ized", "ised"),
            ("izing", "ising"),
            ("izer", "iser"),
            ("izers", "isers"),
            ("yze", "yse"),
            ("yzes", "yses"),
            ("yzed", "ysed"),
            ("yzing", "ysing"),
        ] {
            if let Some(stem) = word.strip_suffix(us) {
                return Some(format!("{stem}{uk}"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(analyzer: &mut TextAnalyzer, s: &str) -> Vec<String> {
        analyze(analyzer, s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn folds_american_spellings() {
        assert_eq!(fold_spelling("radicalization").as_deref(), Some("radicalisation"));
        assert_eq!(fold_spelling("recognize").as_deref(), Some("recognise"));
        assert_eq!(fold_spelling("behavioral").as_deref(), Some("behavioural"));
        assert_eq!(fold_spelling("neighborhood").as_deref(), Some("neighbourhood"));
        assert_eq!(fold_spelling("pediatrician").as_deref(), Some("paediatrician"));
        assert_eq!(fold_spelling("analyzed").as_deref(), Some("analysed"));
        assert_eq!(fold_spelling("mom").as_deref(), Some("mum"));
        assert_eq!(fold_spelling("moment"), None);
        assert_eq!(fold_spelling("programme"), None);
        assert_eq!(fold_spelling("size"), None);
        assert_eq!(fold_spelling("behaviour"), None);
    }

    #[test]
    fn both_spellings_give_the_same_terms() {
        let mut a = stemmed();
        assert_eq!(texts(&mut a, "Radicalization"), texts(&mut a, "radicalisation"));
        assert_eq!(texts(&mut a, "behavior"), texts(&mut a, "Behaviour"));
        assert_eq!(texts(&mut a, "safeguarding"), texts(&mut a, "safeguard"));
    }

    #[test]
    fn irregular_plurals_rank_as_their_singular() {
        let mut a = stemmed();
        assert_eq!(texts(&mut a, "Women"), texts(&mut a, "woman"));
        assert_eq!(texts(&mut a, "midwives"), texts(&mut a, "midwife"));
        assert_eq!(texts(&mut a, "knives"), texts(&mut a, "knife"));
        // The words analyser keeps what was typed: spelling and synonym phrases see "women".
        assert_eq!(texts(&mut words(), "women"), vec!["women"]);
    }

    #[test]
    fn possessives_and_punctuation_do_not_leave_junk() {
        let mut w = words();
        assert_eq!(
            texts(&mut w, "children's (social) care: \"s47\" \u{e9}t\u{e9}"),
            vec!["children", "social", "care", "s47", "ete"]
        );
        assert_eq!(texts(&mut w, "Type 4"), vec!["type", "4"]);
    }
}
