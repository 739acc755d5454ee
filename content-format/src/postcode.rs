//! UK postcodes: full (`LS6 2AB`, `ls62ab`) or just the outward code, the district (`LS6`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A postcode as typed, understood: its district and, if given, the full code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Postcode {
    /// The outward code, e.g. `LS6`: what the directory maps to an area.
    pub district: String,
    /// The inward code, e.g. `2AB`, when a full postcode was given.
    pub inward: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("no postcode given")]
    Empty,
    #[error("'{0}' is only a postcode area; give at least the district, e.g. LS6")]
    AreaOnly(String),
    #[error("'{0}' is not a UK postcode (expected something like LS6 2AB or LS6)")]
    Invalid(String),
}

fn is_letter(b: u8) -> bool {
    b.is_ascii_uppercase()
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// True for the shapes an outward code can take: A9, A99, AA9, AA99, A9A, AA9A.
pub fn is_district(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        2 => is_letter(b[0]) && is_digit(b[1]),
        3 => {
            is_letter(b[0])
                && ((is_digit(b[1]) && (is_digit(b[2]) || is_letter(b[2]))) || (is_letter(b[1]) && is_digit(b[2])))
        }
        4 => is_letter(b[0]) && is_letter(b[1]) && is_digit(b[2]) && (is_digit(b[3]) || is_letter(b[3])),
        _ => false,
    }
}

fn is_inward(b: &[u8]) -> bool {
    b.len() == 3 && is_digit(b[0]) && is_letter(b[1]) && is_letter(b[2])
}

impl Postcode {
    pub fn parse(input: &str) -> Result<Postcode, PostcodeError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        if !compact.is_ascii() {
            return Err(PostcodeError::Invalid(input.trim().to_string()));
        }
        let b = compact.as_bytes();
        if b.len() >= 5 && is_inward(&b[b.len() - 3..]) && is_district(&compact[..b.len() - 3]) {
            return Ok(Postcode {
                district: compact[..b.len() - 3].to_string(),
                inward: Some(compact[b.len() - 3..].to_string()),
            });
        }
        if is_district(&compact) {
            return Ok(Postcode { district: compact, inward: None });
        }
        if b.len() <= 2 && b.iter().all(|c| is_letter(*c)) {
            return Err(PostcodeError::AreaOnly(compact));
        }
        Err(PostcodeError::Invalid(input.trim().to_string()))
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inward {
            Some(i) => write!(f, "{} {i}", self.district),
            None => f.write_str(&self.district),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_partial_and_sloppy_postcodes() {
        let p = Postcode::parse("ls62ab").unwrap();
        assert_eq!((p.district.as_str(), p.inward.as_deref()), ("LS6", Some("2AB")));
        assert_eq!(Postcode::parse(" LS6  2AB ").unwrap().to_string(), "LS6 2AB");
        assert_eq!(Postcode::parse("LS6").unwrap().inward, None);
        assert_eq!(Postcode::parse("SW1A 1AA").unwrap().district, "SW1A");
        assert_eq!(Postcode::parse("W1A0AX").unwrap().district, "W1A");
        assert_eq!(Postcode::parse("M1 1AE").unwrap().district, "M1");
        assert_eq!(Postcode::parse("S10").unwrap().district, "S10");
    }

    #[test]
    fn rejects_what_is_not_a_postcode() {
        assert_eq!(Postcode::parse("  "), Err(PostcodeError::Empty));
        assert_eq!(Postcode::parse("LS"), Err(PostcodeError::AreaOnly("LS".into())));
        assert!(matches!(Postcode::parse("12345"), Err(PostcodeError::Invalid(_))));
        assert!(matches!(Postcode::parse("LS6 2A"), Err(PostcodeError::Invalid(_))));
        assert!(matches!(Postcode::parse("ÅS6"), Err(PostcodeError::Invalid(_))));
    }
}
