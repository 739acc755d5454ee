//! UK telephone numbers: parsing what editors type, E.164 for `tel:` links, and display in the
//! grouping people in the UK expect.
//!
//! This is deliberately a small model of the UK numbering plan, not a general phone library: the
//! app only ever dials UK numbers, and a library such as libphonenumber would add megabytes to a
//! phone app for rules we do not need.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A parsed UK number. Holds the national digits (with the leading 0) or a short code such as 999.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber {
    digits: String,
}

/// Why a string is not a UK number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("'{0}' is empty")]
    Empty(String),
    #[error("'{0}' contains characters that are not part of a phone number")]
    BadCharacters(String),
    #[error("'{0}' is not a UK number (only +44 numbers can be dialled from the app)")]
    NotUk(String),
    #[error("'{0}' has {1} digits; UK numbers beginning {2} have {3}")]
    WrongLength(String, usize, String, String),
    #[error("'{0}' starts with a range that is not in use for UK numbers")]
    UnusedRange(String),
}

/// Short codes that are dialled as they are and have no E.164 form.
const SHORT_CODES: &[&str] = &["999", "112", "101", "111", "105", "119"];

/// Ofcom's number ranges reserved for drama and fiction: (prefix, total national length).
/// Sample data must use only these so that nobody's real line is ever shown as a service.
const DRAMA_PREFIXES: &[&str] = &[
    "01632960", "02079460", "01134960", "01144960", "01154960", "01164960", "01174960", "01184960", "01214960",
    "01314960", "01414960", "01514960", "01614960", "01914980", "02920180", "02896496", "07700900", "08081570",
    "03069990",
];

impl PhoneNumber {
    /// Parses a number as an editor or user might type it: spaces, hyphens, dots and brackets
    /// are ignored; `+44`, `0044` and `+44 (0)` prefixes are accepted.
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let raw = input.trim();
        if raw.is_empty() {
            return Err(PhoneError::Empty(input.to_string()));
        }
        let mut compact = String::with_capacity(raw.len());
        for c in raw.replace("(0)", "").chars() {
            match c {
                '0'..='9' | '+' => compact.push(c),
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(PhoneError::BadCharacters(input.to_string())),
            }
        }
        if compact.is_empty() {
            return Err(PhoneError::Empty(input.to_string()));
        }
        let digits = if let Some(rest) = compact.strip_prefix("+44").or_else(|| compact.strip_prefix("0044")) {
            format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
        } else if compact.starts_with('+') || compact.starts_with("00") {
            return Err(PhoneError::NotUk(input.to_string()));
        } else {
            compact
        };
        if digits.contains('+') {
            return Err(PhoneError::BadCharacters(input.to_string()));
        }
        check_plan(&digits, input)?;
        Ok(PhoneNumber { digits })
    }

    /// National digits, e.g. `01632960123`, or the short code, e.g. `999`.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// True for codes such as 999, 101 and 116 123 that are dialled as they are.
    pub fn is_short_code(&self) -> bool {
        !self.digits.starts_with('0')
    }

    /// The E.164 form (`+441632960123`), or `None` for short codes, which have none.
    pub fn e164(&self) -> Option<String> {
        if self.is_short_code() {
            None
        } else {
            Some(format!("+44{}", &self.digits[1..]))
        }
    }

    /// What a phone's dialler needs: `tel:+441632960123`, or `tel:999` for a short code.
    pub fn tel_uri(&self) -> String {
        match self.e164() {
            Some(e164) => format!("tel:{e164}"),
            None => format!("tel:{}", self.digits),
        }
    }

    /// True when the number is inside one of Ofcom's ranges reserved for drama.
    pub fn is_drama_range(&self) -> bool {
        self.digits.len() == 11 && DRAMA_PREFIXES.iter().any(|p| self.digits.starts_with(p))
    }

    /// The number grouped the way it is written in the UK, e.g. `01632 960123`, `020 7946 0123`,
    /// `0800 028 3550`, `116 123`.
    pub fn display(&self) -> String {
        let d = self.digits.as_str();
        let groups: &[usize] = match d.len() {
            3 => &[3],
            6 => &[3, 3],
            8 => &[4, 4],
            10 if d.starts_with("080") => &[4, 3, 3],
            10 => &[5, 5],
            11 if d.starts_with("02") => &[3, 4, 4],
            11 if d.starts_with("011") || (d.starts_with("01") && d.as_bytes()[3] == b'1') => &[4, 3, 4],
            11 if d.starts_with("01") || d.starts_with("07") || d.starts_with("05") => &[5, 6],
            11 => &[4, 3, 4],
            _ => &[d.len()],
        };
        let mut out = String::with_capacity(d.len() + groups.len());
        let mut at = 0;
        for g in groups {
            if at > 0 {
                out.push(' ');
            }
            out.push_str(&d[at..at + g]);
            at += g;
        }
        out
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&s)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.digits
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

fn check_plan(d: &str, input: &str) -> Result<(), PhoneError> {
    let wrong = |prefix: &str, expected: &str| {
        Err(PhoneError::WrongLength(input.to_string(), d.len(), prefix.to_string(), expected.to_string()))
    };
    if SHORT_CODES.contains(&d) || (d.len() == 6 && d.starts_with("116")) {
        return Ok(());
    }
    if !d.starts_with('0') {
        return Err(PhoneError::NotUk(input.to_string()));
    }
    // Childline's 0800 1111 is the one eight-digit 0800 number in national use.
    if d == "08001111" {
        return Ok(());
    }
    match d.get(..2) {
        // A few small exchanges keep 9-digit national numbers; the big-city codes
        // (011x and 01x1) never do.
        Some("01") => match d.len() {
            11 => Ok(()),
            10 if !(d.starts_with("011") || d.as_bytes()[3] == b'1') => Ok(()),
            _ => wrong(d.get(..4).unwrap_or(d), "11"),
        },
        Some("02") | Some("03") | Some("05") | Some("07") | Some("09") => match d.len() {
            11 => Ok(()),
            _ => wrong(&d[..2], "11"),
        },
        Some("08") => match (d.get(..4), d.len()) {
            (Some("0800"), 10 | 11) => Ok(()),
            (_, 11) => Ok(()),
            (Some("0800"), _) => wrong("0800", "10 or 11"),
            _ => wrong("08", "11"),
        },
        _ => Err(PhoneError::UnusedRange(input.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(s: &str) -> String {
        PhoneNumber::parse(s).map(|p| p.display()).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn formats_national_numbers_by_range() {
        assert_eq!(shown("01632960123"), "01632 960123");
        assert_eq!(shown("+44 20 7946 0123"), "020 7946 0123");
        assert_eq!(shown("0113-496-0000"), "0113 496 0000");
        assert_eq!(shown("01614960999"), "0161 496 0999");
        assert_eq!(shown("08000283550"), "0800 028 3550");
        assert_eq!(shown("0300 456 0300"), "0300 456 0300");
        assert_eq!(shown("07700900123"), "07700 900123");
        assert_eq!(shown("116123"), "116 123");
        assert_eq!(shown("0800 1111"), "0800 1111");
        assert_eq!(shown("+44 (0)20 7946 0000"), "020 7946 0000");
    }

    #[test]
    fn e164_and_tel_links() {
        let p = PhoneNumber::parse("01632 960 123").unwrap();
        assert_eq!(p.e164().as_deref(), Some("+441632960123"));
        assert_eq!(p.tel_uri(), "tel:+441632960123");
        let short = PhoneNumber::parse("999").unwrap();
        assert_eq!(short.e164(), None);
        assert_eq!(short.tel_uri(), "tel:999");
    }

    #[test]
    fn rejects_what_is_not_a_uk_number() {
        assert!(matches!(PhoneNumber::parse(""), Err(PhoneError::Empty(_))));
        assert!(matches!(PhoneNumber::parse("0113 496 000"), Err(PhoneError::WrongLength(..))));
        assert!(matches!(PhoneNumber::parse("+1 555 0100"), Err(PhoneError::NotUk(_))));
        assert!(matches!(PhoneNumber::parse("0800 CALL ME"), Err(PhoneError::BadCharacters(_))));
        assert!(matches!(PhoneNumber::parse("0412345678"), Err(PhoneError::UnusedRange(_))));
        assert!(matches!(PhoneNumber::parse("12345"), Err(PhoneError::NotUk(_))));
    }

    #[test]
    fn knows_the_drama_ranges() {
        for ok in ["01632 960000", "01632 960999", "020 7946 0500", "0161 496 0123", "07700 900999"] {
            assert!(PhoneNumber::parse(ok).unwrap().is_drama_range(), "{ok}");
        }
        for real in ["01632 961000", "020 7946 1000", "0161 497 0123", "0800 028 3550", "101"] {
            assert!(!PhoneNumber::parse(real).unwrap().is_drama_range(), "{real}");
        }
    }
}
