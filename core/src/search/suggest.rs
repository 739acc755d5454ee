//! Autocomplete for the search box: page titles and keywords that start with what was typed,
//! or have a word that does.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

use super::analyzer::{analyze, words};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuggestionKind {
    /// A page title: opening it goes straight to the page.
    Title,
    /// A keyword: choosing it runs a search.
    Keyword,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    /// The page, for titles.
    pub page_id: Option<String>,
}

struct Entry {
    /// Analysed words joined by single spaces, with a leading space so that " word" finds a
    /// word start anywhere.
    norm: String,
    suggestion: Suggestion,
}

pub struct Suggester {
    entries: Vec<Entry>,
    keywords: HashSet<String>,
    analyzer: TextAnalyzer,
}

impl Default for Suggester {
    fn default() -> Self {
        Suggester { entries: Vec::new(), keywords: HashSet::new(), analyzer: words() }
    }
}

fn normalized(analyzer: &mut TextAnalyzer, text: &str) -> String {
    let mut out = String::new();
    for t in analyze(analyzer, text) {
        out.push(' ');
        out.push_str(&t.text);
    }
    out
}

impl Suggester {
    /// Suggestions from every page's title and keywords.
    pub fn from_pages(pages: &[(String, String, Vec<String>)]) -> Suggester {
        let mut s = Suggester::default();
        for (id, title, keywords) in pages {
            s.add(title, SuggestionKind::Title, Some(id));
            for k in keywords {
                s.add(k, SuggestionKind::Keyword, None);
            }
        }
        s
    }

    pub fn add(&mut self, text: &str, kind: SuggestionKind, page_id: Option<&str>) {
        let norm = normalized(&mut self.analyzer, text);
        if norm.is_empty() {
            return;
        }
        if kind == SuggestionKind::Keyword && self.keywords.contains(&norm) {
            return;
        }
        if kind == SuggestionKind::Keyword {
            self.keywords.insert(norm.clone());
        }
        self.entries.push(Entry {
            norm,
            suggestion: Suggestion { text: text.to_string(), kind, page_id: page_id.map(str::to_string) },
        });
    }

    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        let limit = limit.min(super::MAX_LIMIT);
        let mut analyzer = self.analyzer.clone();
        let mut typed = normalized(&mut analyzer, prefix);
        // The last word may be unfinished, but earlier words are whole.
        if prefix.ends_with(char::is_whitespace) && !typed.is_empty() {
            typed.push(' ');
        }
        if typed.trim().is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<(u8, usize, &Entry)> = self
            .entries
            .iter()
            .filter_map(|e| {
                let rank = if e.norm.starts_with(&typed) {
                    0
                } else if e.norm.contains(&typed) {
                    2
                } else {
                    return None;
                };
                let kind = if e.suggestion.kind == SuggestionKind::Title { 0 } else { 1 };
                Some((rank + kind, e.norm.len(), e))
            })
            .collect();
        hits.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| a.2.suggestion.text.cmp(&b.2.suggestion.text)));
        hits.into_iter().take(limit).map(|(_, _, e)| e.suggestion.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_of_titles_and_words() {
        let mut s = Suggester::default();
        s.add("Female genital mutilation: what it is", SuggestionKind::Title, Some("fgm-what-it-is"));
        s.add("FGM", SuggestionKind::Keyword, None);
        s.add("fgm", SuggestionKind::Keyword, None);
        s.add("Deprivation of liberty safeguards", SuggestionKind::Title, Some("mca-dols"));
        let texts = |p: &str| s.suggest(p, 5).into_iter().map(|x| x.text).collect::<Vec<_>>();
        assert_eq!(texts("fgm"), vec!["FGM"]);
        assert_eq!(texts("mutil"), vec!["Female genital mutilation: what it is"]);
        assert_eq!(texts("Female gen"), vec!["Female genital mutilation: what it is"]);
        assert_eq!(texts("liberty saf"), vec!["Deprivation of liberty safeguards"]);
        assert!(texts("").is_empty());
        assert!(texts("\"(").is_empty());
    }
}
