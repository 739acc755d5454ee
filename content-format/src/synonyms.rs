//! The search vocabulary editors maintain (`search/synonyms.toml`): abbreviations, equivalent
//! terms, and one-way lay terms.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use toml::de::DeValue;

use crate::diagnostic::Diagnostics;
use crate::fields::{Fields, TomlSource};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synonyms {
    /// Terms that find each other, in both directions (abbreviations and their expansions,
    /// equivalent phrases).
    pub groups: Vec<Vec<String>>,
    /// A term that should also find others, but not the reverse (`cutting` -> `fgm`).
    pub one_way: Vec<(String, Vec<String>)>,
}

impl Synonyms {
    /// Number of entries as editors count them: one per abbreviation, group or one-way term.
    pub fn len(&self) -> usize {
        self.groups.len() + self.one_way.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub fn parse_synonyms(path: &str, text: &str, diags: &mut Diagnostics) -> Synonyms {
    let src = TomlSource::new(path, text, 0);
    let mut out = Synonyms::default();
    let Some(doc) = src.parse(text, diags) else {
        return out;
    };
    let mut top = Fields::new(&src, diags, doc.get_ref(), 1, "");
    let abbreviations = top.table("abbreviations", false);
    let equivalent = top.tables("equivalent", false);
    let also = top.table("also", false);
    top.finish();

    // A set, not a list: the lay vocabulary has thousands of keys, and a list made this check
    // quadratic (40 ms of every cold start at 7,600 entries).
    let mut seen: HashSet<String> = HashSet::new();
    if let Some((table, _)) = abbreviations {
        read_mapping(&src, table, true, &mut seen, &mut out, diags);
    }
    for (table, line) in equivalent {
        let mut f = Fields::new(&src, diags, table, line, "");
        let terms = f.string_list("terms", true, 2);
        f.finish();
        if let Some(terms) = terms {
            for t in &terms {
                warn_lost_letters(src.path, line, &t.value, diags);
            }
            out.groups.push(terms.into_iter().map(|t| t.value.to_lowercase()).collect());
        }
    }
    if let Some((table, _)) = also {
        read_mapping(&src, table, false, &mut seen, &mut out, diags);
    }
    out
}

fn read_mapping(
    src: &TomlSource<'_>,
    table: &toml::de::DeTable<'_>,
    two_way: bool,
    seen: &mut HashSet<String>,
    out: &mut Synonyms,
    diags: &mut Diagnostics,
) {
    for (key, value) in Fields::entries(table) {
        let line = src.line(&key.span());
        let key = key.get_ref().trim().to_lowercase();
        let targets = terms_of(value.get_ref());
        if key.is_empty() || targets.is_empty() {
            diags.error(src.path, line, format!("`{key}` needs a non-empty string or list of strings"));
            continue;
        }
        if !seen.insert(key.clone()) {
            diags.warning(src.path, line, format!("`{key}` is defined more than once"));
        }
        for term in std::iter::once(&key).chain(&targets) {
            warn_lost_letters(src.path, line, term, diags);
        }
        if two_way {
            let mut group = vec![key];
            group.extend(targets);
            out.groups.push(group);
        } else {
            out.one_way.push((key, targets));
        }
    }
}

/// Search drops single letters (what is left of `children's` and of initials) and `&`, so a
/// term written `b and b` is searched as `and` and `left a&e` as `left`: a term that means
/// something else once they are gone.
fn warn_lost_letters(path: &str, line: usize, term: &str, diags: &mut Diagnostics) {
    let chars: Vec<char> = term.chars().collect();
    let mut lost = chars.contains(&'&');
    let mut start = 0;
    while start < chars.len() {
        let end = chars[start..].iter().position(|c| !c.is_alphanumeric()).map_or(chars.len(), |p| start + p);
        let after_apostrophe = start > 0 && matches!(chars[start - 1], '\'' | '\u{2019}');
        if end == start + 1 && chars[start].is_alphabetic() && !matches!(chars[start], 'a' | 'i') && !after_apostrophe {
            lost = true;
        }
        start = end + 1;
    }
    if lost {
        diags.warning(
            path,
            line,
            format!("`{term}`: search drops single letters and `&`, so this is not searched as written; spell the words out (\"bed and breakfast\") or join initials (\"ae\" for A&E)"),
        );
    }
}

fn terms_of(value: &DeValue<'_>) -> Vec<String> {
    match value {
        DeValue::String(s) => vec![s.trim().to_lowercase()],
        DeValue::Array(items) => {
            items.iter().filter_map(|i| i.get_ref().as_str()).map(|s| s.trim().to_lowercase()).collect()
        }
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_three_kinds() {
        let text = "[abbreviations]\nFGM = \"female genital mutilation\"\ndols = [\"deprivation of liberty safeguards\", \"dol\"]\n\n[[equivalent]]\nterms = [\"domestic abuse\", \"domestic violence\"]\n\n[also]\ncutting = [\"fgm\"]\nbad = 3\n";
        let mut diags = Diagnostics::default();
        let s = parse_synonyms("synonyms.toml", text, &mut diags);
        assert_eq!(s.groups[0], vec!["fgm", "female genital mutilation"]);
        assert_eq!(s.groups[1].len(), 3);
        assert_eq!(s.groups[2], vec!["domestic abuse", "domestic violence"]);
        assert_eq!(s.one_way, vec![("cutting".to_string(), vec!["fgm".to_string()])]);
        assert_eq!(s.len(), 4);
        let msgs: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(msgs, vec!["synonyms.toml:10: error: `bad` needs a non-empty string or list of strings"]);
    }

    #[test]
    fn warns_on_terms_that_lose_letters() {
        let text = "[also]\n\"b and b\" = [\"homeless\"]\n\"left\" = [\"left a&e\"]\n\"kids home\" = [\"children's home\"]\n\"a home\" = [\"x\"]\n";
        let mut diags = Diagnostics::default();
        parse_synonyms("synonyms.toml", text, &mut diags);
        let mut lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        lines.sort();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("synonyms.toml:2: warning: `b and b`"), "{lines:?}");
        assert!(lines[1].starts_with("synonyms.toml:3: warning: `left a&e`"), "{lines:?}");
        assert!(lines[2].starts_with("synonyms.toml:5: warning: `x`"), "{lines:?}");
    }
}
