//! Forgiving word matching for place and contact names typed in a hurry.

/// Edit distance with adjacent transpositions (optimal string alignment), or `None` once it
/// exceeds `max`.
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// How many typos a word of this length may carry.
pub fn allowed_typos(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

/// Lower-case words, letters and digits only.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// How well a typed word matches a word: 3 exact, 2 prefix, 1 within typo distance.
pub fn word_match(typed: &str, word: &str) -> u8 {
    if typed == word {
        3
    } else if typed.len() >= 2 && word.starts_with(typed) {
        2
    } else if distance_within(typed, word, allowed_typos(typed)).is_some() {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance_within("leeds", "leeds", 1), Some(0));
        assert_eq!(distance_within("lees", "leeds", 1), Some(1));
        assert_eq!(distance_within("kirkless", "kirklees", 2), Some(1));
        assert_eq!(distance_within("sheffeild", "sheffield", 1), Some(1));
        assert_eq!(distance_within("york", "leeds", 2), None);
    }

    #[test]
    fn matching_words() {
        assert_eq!(word_match("hud", "huddersfield"), 2);
        assert_eq!(word_match("doncster", "doncaster"), 1);
        assert_eq!(word_match("edt", "mash"), 0);
        assert_eq!(words("Children's front-door (MASH)"), vec!["children", "s", "front", "door", "mash"]);
    }
}
