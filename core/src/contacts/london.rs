//! Local time in the UK (Europe/London), without a time-zone database.
//!
//! Since 1996 the UK's clocks go forward at 01:00 UTC on the last Sunday of March and back at
//! 01:00 UTC on the last Sunday of October. Out-of-hours routing only needs the present and the
//! near future, so this rule is all the app needs, and it keeps the tz database (and its
//! updates) out of a phone app.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) }
            .unwrap_or_default();
    let mut d = first_of_next - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// True when British Summer Time is in force at `utc`.
pub fn is_bst(utc: NaiveDateTime) -> bool {
    let year = utc.year();
    let starts = last_sunday(year, 3).and_hms_opt(1, 0, 0).unwrap_or_default();
    let ends = last_sunday(year, 10).and_hms_opt(1, 0, 0).unwrap_or_default();
    utc >= starts && utc < ends
}

/// UK local time for a UTC instant.
pub fn to_london(utc: DateTime<Utc>) -> NaiveDateTime {
    let naive = utc.naive_utc();
    if is_bst(naive) {
        naive + Duration::hours(1)
    } else {
        naive
    }
}

/// UK local time now.
pub fn london_now() -> NaiveDateTime {
    to_london(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap().and_utc()
    }

    #[test]
    fn clock_changes() {
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(to_london(utc("2026-03-29T00:59")).to_string(), "2026-03-29 00:59:00");
        assert_eq!(to_london(utc("2026-03-29T01:00")).to_string(), "2026-03-29 02:00:00");
        assert_eq!(to_london(utc("2026-10-25T00:59")).to_string(), "2026-10-25 01:59:00");
        assert_eq!(to_london(utc("2026-10-25T01:00")).to_string(), "2026-10-25 01:00:00");
        assert_eq!(to_london(utc("2026-11-23T03:00")).to_string(), "2026-11-23 03:00:00");
        assert_eq!(to_london(utc("2026-07-01T23:30")).to_string(), "2026-07-02 00:30:00");
    }
}
