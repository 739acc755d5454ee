//! Times in the tree: RFC 3339 in UTC with a `Z` suffix (`2026-12-01T09:30:00Z`), so every file
//! spells an instant one way and a reader never has to think about offsets.

use chrono::{DateTime, SecondsFormat, Utc};

/// How the tree writes a time.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if !s.ends_with('Z') {
        return Err(format!("{s:?} is not a UTC time ending in 'Z'"));
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time: {e}"))
}

/// `#[serde(with = "crate::time::rfc3339")]`
pub(crate) mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_time(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_only() {
        let t = parse_time("2026-12-01T09:30:00Z").expect("valid");
        assert_eq!(format_time(&t), "2026-12-01T09:30:00Z");
        assert!(parse_time("2026-12-01T09:30:00+01:00").is_err());
        assert!(parse_time("2026-12-01T09:30:00z").is_err());
        assert!(parse_time("yesterday").is_err());
    }
}
