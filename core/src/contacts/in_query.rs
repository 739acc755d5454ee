//! Recognising a place or postcode in a search query, and the need the query implies, so a
//! search for "sheffield out of hours social worker" can open with Sheffield's call-now card.
//!
//! Offline and strict: a postcode district must be one a directory lists; a place name must
//! match an area's name or alias word for word, forgiving typos only in words that are not
//! themselves English ("sheffeild" is Sheffield; "leads" is not Leeds).

use super::{fuzzy, AreaMatch, ContactBook, LocateMethod, NAME_NOISE};
use crate::search::is_english;

/// A place found in a query, and which of the query's words named it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceInQuery {
    pub area: AreaMatch,
    /// Indexes into the query's words (as [`fuzzy::words`] splits them).
    pub words: Vec<usize>,
}

impl ContactBook {
    /// The area a query names, by postcode district first (most specific), then by name.
    pub fn place_in_query(&self, query: &str) -> Option<PlaceInQuery> {
        let words = fuzzy::words(query);
        for (i, w) in words.iter().enumerate() {
            if safeguarding_content::is_district(&w.to_ascii_uppercase()) {
                if let Ok(area) = self.find_by_postcode(w) {
                    // "LS6 2AB": the inward code belongs to the postcode too.
                    let mut used = vec![i];
                    if words.get(i + 1).is_some_and(|n| is_inward_code(n)) {
                        used.push(i + 1);
                    }
                    return Some(PlaceInQuery { area, words: used });
                }
            }
        }
        let mut best: Option<(u32, PlaceInQuery)> = None;
        for entry in &self.areas {
            for name in &entry.names {
                let name: Vec<&String> = name.iter().filter(|w| !NAME_NOISE.contains(&w.as_str())).collect();
                if name.is_empty() || name.len() > words.len() {
                    continue;
                }
                for start in 0..=words.len() - name.len() {
                    let score: Option<u32> =
                        name.iter().enumerate().map(|(k, n)| place_word_score(&words[start + k], n)).sum();
                    if let Some(score) = score {
                        let score = score * 10 + name.len() as u32;
                        if best.as_ref().is_none_or(|(s, _)| score > *s) {
                            let area = AreaMatch { area: entry.summary(), method: LocateMethod::Name };
                            best = Some((score, PlaceInQuery { area, words: (start..start + name.len()).collect() }));
                        }
                    }
                }
            }
        }
        best.map(|(_, p)| p)
    }
}

/// 2 for an exact word, 1 for a typo of a word that is not English, `None` otherwise.
fn place_word_score(typed: &str, name: &str) -> Option<u32> {
    if typed == name {
        return Some(2);
    }
    let forgiving = typed.chars().count() >= 5 && !is_english(typed);
    (forgiving && fuzzy::distance_within(typed, name, fuzzy::allowed_typos(typed).min(2)).is_some()).then_some(1)
}

fn is_inward_code(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
}

/// The contacts need a query implies, from its words; `children` when it says nothing either way,
/// because most calls a crew makes from the road are about a child.
pub fn need_for_query(query: &str) -> &'static str {
    let words = fuzzy::words(query);
    let has = |list: &[&str]| words.iter().any(|w| list.iter().any(|l| w == l || (l.len() > 4 && w.starts_with(l))));
    const RULES: &[(&[&str], &str)] = &[
        (&["prevent", "radicalis", "radicaliz", "extremis", "terroris", "bomb", "bombs", "channel"], "prevent"),
        (&["fgm", "mutilation", "cutting"], "fgm"),
        (
            &["domestic", "partner", "husband", "wife", "boyfriend", "girlfriend", "marac", "coercive", "idva"],
            "domestic-abuse",
        ),
        (&["forced", "marriage"], "forced-marriage"),
        (&["honour"], "honour-based-abuse"),
        (&["slavery", "trafficking", "trafficked", "nrm", "passport"], "modern-slavery"),
        (&["lado", "allegation", "allegations"], "lado"),
        (&["rape", "raped", "sarc", "assaulted"], "sexual-assault"),
        (&["suicid", "crisis", "psychosis", "sectioned", "mental"], "mental-health"),
        (&["capacity", "mca", "dols", "imca", "liberty"], "mca"),
        (
            &[
                "child", "children", "kid", "kids", "baby", "babies", "son", "daughter", "pupil", "school", "teen",
                "teenager", "boy", "girl", "infant", "toddler", "newborn", "foster",
            ],
            "children",
        ),
        (
            &[
                "adult",
                "adults",
                "elderly",
                "older",
                "nan",
                "gran",
                "grandad",
                "grandmother",
                "grandfather",
                "care",
                "carer",
                "resident",
                "residents",
                "dementia",
                "vulnerable",
                "pensioner",
                "s42",
            ],
            "adults",
        ),
    ];
    RULES.iter().find(|(list, _)| has(list)).map_or("children", |(_, need)| need)
}

/// The guidance topic whose pages answer a need, when one does.
pub fn topic_for_need(need: &str) -> Option<&'static str> {
    Some(match need {
        "children" | "lado" => "children",
        "adults" => "adults",
        "domestic-abuse" | "forced-marriage" | "honour-based-abuse" => "domestic-abuse",
        "modern-slavery" => "exploitation",
        "prevent" => "prevent",
        "fgm" => "fgm",
        "mental-health" => "mental-health",
        "mca" => "mca",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_from_words() {
        assert_eq!(need_for_query("sheffield out of hours social worker"), "children");
        assert_eq!(need_for_query("LS6 adult safeguarding"), "adults");
        assert_eq!(need_for_query("leeds prevent referral"), "prevent");
        assert_eq!(need_for_query("bradford domestic abuse"), "domestic-abuse");
        assert_eq!(need_for_query("york child in care"), "children");
        assert_eq!(need_for_query("york care home resident"), "adults");
    }

    #[test]
    fn inward_codes() {
        assert!(is_inward_code("2ab"));
        assert!(!is_inward_code("ls6"));
    }
}
