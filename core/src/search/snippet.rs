//! Snippets: the stretch of a section that best shows why it matched, with the matching words
//! marked as ranges (UTF-16 code units, for Kotlin, Swift and JavaScript strings).

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::analyzer::{stemmed, words};

/// Roughly how long a snippet is, in bytes of source text: two lines on a phone.
pub const SNIPPET_LEN: usize = 180;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<Highlight>,
}

/// `start..end` in UTF-16 code units of [`Snippet::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    pub start: u32,
    pub end: u32,
}

fn utf16(s: &str) -> u32 {
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Finds where stemmed terms occur in text.
///
/// Stemming every word of every result's section is most of a search's cost, so words are
/// first read unstemmed and only those that could stem to a wanted term are stemmed: a stem
/// is the word with its ending removed, so it starts with the word's first letters.
pub struct Highlighter {
    terms: Vec<String>,
    words: TextAnalyzer,
    stem: TextAnalyzer,
}

impl Highlighter {
    pub fn new(mut terms: Vec<String>) -> Highlighter {
        terms.sort();
        terms.dedup();
        Highlighter { terms, words: words(), stem: stemmed() }
    }

    /// (start, end, term) in bytes of every word of `text` that stems to a wanted term.
    fn hits(&mut self, text: &str) -> Vec<(usize, usize, String)> {
        let terms = &self.terms;
        let could_match = |word: &str| {
            let head = &word.as_bytes()[..word.len().min(3)];
            terms.iter().any(|t| t.as_bytes().starts_with(head) || head.starts_with(t.as_bytes()))
        };
        let mut candidates = Vec::new();
        let mut stream = self.words.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            if could_match(&t.text) {
                candidates.push((t.offset_from, t.offset_to, t.text.clone()));
            }
        }
        drop(stream);
        let mut hits = Vec::new();
        for (from, to, word) in candidates {
            let mut stream = self.stem.token_stream(&word);
            if let Some(stem) = stream.next() {
                if self.terms.binary_search(&stem.text).is_ok() {
                    hits.push((from, to, stem.text.clone()));
                }
            }
        }
        hits
    }
}

/// The snippet of `text` around the densest run of wanted terms, or `None` if none occurs in it.
pub fn best_snippet(text: &str, highlighter: &mut Highlighter) -> Option<Snippet> {
    let hits = highlighter.hits(text);
    if hits.is_empty() {
        return None;
    }
    // Best window: most distinct terms, then most hits, then earliest.
    let mut best = (0usize, 0usize, 0usize, 0usize);
    for i in 0..hits.len() {
        let mut distinct: Vec<&str> = Vec::new();
        let mut last = i;
        for (j, hit) in hits.iter().enumerate().skip(i) {
            if hit.1 - hits[i].0 > SNIPPET_LEN {
                break;
            }
            if !distinct.contains(&hit.2.as_str()) {
                distinct.push(&hit.2);
            }
            last = j;
        }
        let score = (distinct.len(), last - i + 1);
        if score > (best.0, best.1) {
            best = (distinct.len(), last - i + 1, i, last);
        }
    }
    let (first, last) = (hits[best.2].0, hits[best.3].1);
    let spare = SNIPPET_LEN.saturating_sub(last - first);

    // Start at the sentence the first hit is in, if it is close; otherwise a little before.
    let lookback = floor_boundary(text, first.saturating_sub(spare / 2));
    let start = text[lookback..first]
        .rfind(['.', '\n', ':', ';', '?', '!'])
        .map(|i| lookback + i + 1)
        .or_else(|| if lookback == 0 { Some(0) } else { text[lookback..first].find(' ').map(|i| lookback + i + 1) })
        .unwrap_or(first);
    let start = start + (text[start..].len() - text[start..].trim_start().len());
    let want_end = floor_boundary(text, start.max(first) + SNIPPET_LEN.max(last - first));
    let end = if want_end >= text.len() {
        text.len()
    } else {
        text[last..want_end].rfind(char::is_whitespace).map_or(last, |i| last + i)
    };
    let end = start + text[start..end].trim_end().len();

    let prefix = if start > 0 { "… " } else { "" };
    let suffix = if end < text.len() { " …" } else { "" };
    let body = text[start..end].replace('\n', " ");
    let base = utf16(prefix);
    let highlights = hits
        .iter()
        .filter(|(from, to, _)| *from >= start && *to <= end)
        .map(|(from, to, _)| Highlight {
            start: base + utf16(&text[start..*from]),
            end: base + utf16(&text[start..*to]),
        })
        .collect();
    Some(Snippet { text: format!("{prefix}{body}{suffix}"), highlights })
}

/// The opening of `text`, for results that matched on the title alone.
pub fn lead(text: &str) -> Snippet {
    let text = text.trim();
    if text.len() <= SNIPPET_LEN {
        return Snippet { text: text.replace('\n', " "), highlights: Vec::new() };
    }
    let cut = floor_boundary(text, SNIPPET_LEN);
    let end = text[..cut].rfind(char::is_whitespace).unwrap_or(cut);
    Snippet { text: format!("{} …", text[..end].trim_end().replace('\n', " ")), highlights: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Highlighter {
        Highlighter::new(words.iter().map(|s| s.to_string()).collect())
    }

    fn marked(s: &Snippet) -> Vec<String> {
        let units: Vec<u16> = s.text.encode_utf16().collect();
        s.highlights.iter().map(|h| String::from_utf16_lossy(&units[h.start as usize..h.end as usize])).collect()
    }

    #[test]
    fn highlights_stemmed_matches_with_utf16_offsets() {
        let text = "Café staff: report it. You must report known cases of FGM to the police by calling 101. Reporting is personal.";
        let s = best_snippet(text, &mut terms(&["report", "fgm"])).unwrap();
        assert_eq!(marked(&s), vec!["report", "report", "FGM", "Reporting"]);
    }

    #[test]
    fn long_text_is_cut_around_the_hits() {
        let filler = "Nothing to see in this sentence at all. ".repeat(20);
        let text = format!("{filler}The mandatory reporting duty applies to FGM in girls. {filler}");
        let s = best_snippet(&text, &mut terms(&["fgm", "mandatori"])).unwrap();
        assert!(s.text.starts_with("… The mandatory"), "{}", s.text);
        assert!(s.text.ends_with(" …"));
        assert!(s.text.len() < SNIPPET_LEN + 20);
        assert_eq!(marked(&s), vec!["mandatory", "FGM"]);
    }

    #[test]
    fn no_hits_no_snippet() {
        assert_eq!(best_snippet("nothing here", &mut terms(&["fgm"])), None);
        assert!(lead(&"word ".repeat(100)).text.ends_with(" …"));
    }
}
