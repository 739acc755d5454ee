//! Opening hours as editors write them, and whether a service is open at a local time.
//!
//! A service's hours are a list of rules, each a set of days and a time range:
//! `"Mon-Thu 08:30-17:00"`, `"Fri 08:30-16:30"`, `"Sat,Sun 00:00-24:00"`, `"BH 10:00-14:00"`, or
//! `"24/7"`. `BH` means bank holidays: on a bank holiday only `BH` rules apply, so a weekday team
//! with no `BH` rule is closed. A range whose end is not after its start runs past midnight.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// One rule: on these days (and/or bank holidays), from `start` until `end` minutes past midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Monday = 0 .. Sunday = 6.
    pub days: Vec<u8>,
    pub bank_holidays: bool,
    pub start: u16,
    /// Up to 1440 (24:00). When not after `start`, the rule ends on the next day.
    pub end: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Hours {
    pub rules: Vec<Rule>,
}

/// Tells whether a date is a bank holiday, and which.
pub trait Calendar {
    fn bank_holiday(&self, date: NaiveDate) -> Option<&str>;
}

fn parse_time(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

pub fn format_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn day_index(s: &str) -> Option<u8> {
    DAYS.iter().position(|(name, _)| s.eq_ignore_ascii_case(name)).map(|i| i as u8)
}

/// Parses one rule. The error says what is wrong, for the validator.
pub fn parse_rule(text: &str) -> Result<Vec<Rule>, String> {
    let text = text.trim();
    if text == "24/7" {
        return Ok(vec![Rule { days: (0..7).collect(), bank_holidays: true, start: 0, end: 1440 }]);
    }
    let (days_part, times) = text
        .rsplit_once(' ')
        .ok_or_else(|| format!("'{text}' should be days then times, e.g. \"Mon-Fri 09:00-17:00\" or \"24/7\""))?;
    let (start, end) =
        times.split_once('-').ok_or_else(|| format!("'{times}' should be a time range like 09:00-17:00"))?;
    let start = parse_time(start).ok_or_else(|| format!("'{start}' is not a time (HH:MM)"))?;
    let end = parse_time(end).ok_or_else(|| format!("'{end}' is not a time (HH:MM, up to 24:00)"))?;
    if start == end && !(start == 0 && end == 0) {
        return Err(format!("'{times}' starts and ends at the same time"));
    }
    if start == 1440 {
        return Err("a range cannot start at 24:00".into());
    }
    let mut days = Vec::new();
    let mut bank_holidays = false;
    for part in days_part.split(',').map(str::trim) {
        if part.eq_ignore_ascii_case("bh") {
            bank_holidays = true;
        } else if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (
                day_index(a).ok_or_else(|| format!("'{a}' is not a day (Mon..Sun, or BH)"))?,
                day_index(b).ok_or_else(|| format!("'{b}' is not a day (Mon..Sun, or BH)"))?,
            );
            if b < a {
                return Err(format!("'{part}' runs backwards; write e.g. Sat,Sun"));
            }
            days.extend(a..=b);
        } else {
            days.push(day_index(part).ok_or_else(|| format!("'{part}' is not a day (Mon..Sun, or BH)"))?);
        }
    }
    days.sort_unstable();
    days.dedup();
    Ok(vec![Rule { days, bank_holidays, start, end: if end == 0 { 1440 } else { end } }])
}

impl Rule {
    fn overnight(&self) -> bool {
        self.end <= self.start
    }

    fn applies_on(&self, date: NaiveDate, calendar: &dyn Calendar) -> bool {
        if calendar.bank_holiday(date).is_some() {
            self.bank_holidays
        } else {
            self.days.contains(&(date.weekday().num_days_from_monday() as u8))
        }
    }
}

impl Hours {
    pub fn parse(rules: &[String]) -> Result<Hours, String> {
        let mut out = Vec::new();
        for r in rules {
            out.extend(parse_rule(r)?);
        }
        Ok(Hours { rules: out })
    }

    pub fn is_always_open(&self) -> bool {
        self.rules.iter().any(|r| r.days.len() == 7 && r.bank_holidays && r.start == 0 && r.end == 1440)
    }

    /// The rule that makes the service open at `at`, if any.
    pub fn open_rule(&self, at: NaiveDateTime, calendar: &dyn Calendar) -> Option<&Rule> {
        let date = at.date();
        let minute = (at.hour() * 60 + at.minute()) as u16;
        let yesterday = date - Duration::days(1);
        self.rules.iter().find(|r| {
            let today = r.applies_on(date, calendar);
            let same_day = today && minute >= r.start && (r.overnight() || minute < r.end);
            let from_yesterday = r.overnight() && minute < r.end && r.applies_on(yesterday, calendar);
            same_day || from_yesterday
        })
    }

    pub fn is_open(&self, at: NaiveDateTime, calendar: &dyn Calendar) -> bool {
        self.open_rule(at, calendar).is_some()
    }

    /// The ranges that apply on `date`, for saying why a service is closed.
    pub fn rules_on(&self, date: NaiveDate, calendar: &dyn Calendar) -> Vec<&Rule> {
        self.rules.iter().filter(|r| r.applies_on(date, calendar)).collect()
    }

    /// Written back in the editors' form, one rule per entry.
    pub fn describe(&self) -> Vec<String> {
        if self.is_always_open() {
            return vec!["24 hours, every day".into()];
        }
        self.rules
            .iter()
            .map(|r| {
                let mut days: Vec<String> = Vec::new();
                let mut i = 0;
                while i < r.days.len() {
                    let mut j = i;
                    while j + 1 < r.days.len() && r.days[j + 1] == r.days[j] + 1 {
                        j += 1;
                    }
                    let name = |d: u8| title(DAYS[d as usize].0);
                    days.push(if j > i { format!("{}-{}", name(r.days[i]), name(r.days[j])) } else { name(r.days[i]) });
                    i = j + 1;
                }
                if r.bank_holidays {
                    days.push("bank holidays".into());
                }
                format!("{} {}-{}", days.join(", "), format_time(r.start), format_time(r.end))
            })
            .collect()
    }
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

pub fn day_name(d: u8) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][(d % 7) as usize]
}

/// Any date in a list of bank holidays.
pub struct HolidayList<'a>(pub &'a [(NaiveDate, String)]);

impl Calendar for HolidayList<'_> {
    fn bank_holiday(&self, date: NaiveDate) -> Option<&str> {
        self.0.iter().find(|(d, _)| *d == date).map(|(_, n)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn hours(rules: &[&str]) -> Hours {
        Hours::parse(&rules.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    const NONE: HolidayList<'static> = HolidayList(&[]);

    #[test]
    fn weekday_team() {
        let h = hours(&["Mon-Thu 08:30-17:00", "Fri 08:30-16:30"]);
        assert!(h.is_open(at("2026-11-23T08:30"), &NONE)); // Monday
        assert!(!h.is_open(at("2026-11-23T17:00"), &NONE));
        assert!(h.is_open(at("2026-11-27T16:29"), &NONE)); // Friday
        assert!(!h.is_open(at("2026-11-27T16:30"), &NONE));
        assert!(!h.is_open(at("2026-11-28T12:00"), &NONE)); // Saturday
    }

    #[test]
    fn overnight_ranges_and_bank_holidays() {
        let h = hours(&["Mon-Fri 17:00-08:30", "Sat,Sun 00:00-24:00", "BH 00:00-24:00"]);
        assert!(h.is_open(at("2026-11-24T03:00"), &NONE)); // Tuesday small hours, from Monday
        assert!(!h.is_open(at("2026-11-24T12:00"), &NONE));
        let boxing = [(NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(), "Boxing Day (substitute day)".to_string())];
        let cal = HolidayList(&boxing);
        assert!(h.is_open(at("2026-12-28T12:00"), &cal));
        let day = hours(&["Mon-Fri 09:00-17:00"]);
        assert!(!day.is_open(at("2026-12-28T12:00"), &cal));
        assert!(day.is_open(at("2026-12-29T12:00"), &cal));
    }

    #[test]
    fn always_open_and_descriptions() {
        let h = hours(&["24/7"]);
        assert!(h.is_always_open());
        assert!(h.is_open(at("2026-12-25T03:00"), &NONE));
        assert_eq!(
            hours(&["Mon-Thu 08:30-17:00", "Sat,Sun,BH 10:00-14:00"]).describe(),
            vec!["Mon-Thu 08:30-17:00", "Sat-Sun, bank holidays 10:00-14:00"]
        );
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "Mon-Fri",
            "Mon-Fri 9-5",
            "Moon 09:00-17:00",
            "Fri-Mon 09:00-17:00",
            "Mon 09:00-09:00",
            "Mon 25:00-26:00",
            "Mon 24:00-02:00",
        ] {
            assert!(parse_rule(bad).is_err(), "{bad}");
        }
    }
}
