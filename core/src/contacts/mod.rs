//! Local contacts: which area a postcode, position or place name is in; who to call there for
//! a given need at a given time (the day team, or the out-of-hours team and why); searching
//! published and personal contacts; vCards.
//!
//! Everything here is an in-memory view of the installed directories, built on first use.

mod fuzzy;
mod in_query;
pub mod london;
mod vcard;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime, Timelike};
use safeguarding_content::{
    day_name, format_time, holiday_region, service_kind_label, Area, BankHoliday, Calendar, Directory, Helpline,
    LatLon, Phone, PhoneNumber, Postcode, RegionCalendar, Service, NEEDS,
};

use crate::error::{Error, Result};
use crate::userdata::PersonalContact;

pub use fuzzy::words as fuzzy_words;
pub use in_query::{need_for_query, topic_for_need, PlaceInQuery};
pub use london::london_now;

/// Which area, and how it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaMatch {
    pub area: AreaSummary,
    pub method: LocateMethod,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LocateMethod {
    /// The postcode district is listed for the area.
    Postcode { district: String },
    /// The position is inside the area's boundary.
    Boundary,
    /// No boundary contains the position; this area's centre is the nearest.
    NearestCentre { distance_km: f64 },
    /// The area's name or an alias matched what was typed.
    Name,
}

impl LocateMethod {
    pub fn describe(&self) -> String {
        match self {
            LocateMethod::Postcode { district } => format!("postcode district {district}"),
            LocateMethod::Boundary => "position inside the area's boundary".to_string(),
            LocateMethod::NearestCentre { distance_km } => {
                format!("nearest area centre ({distance_km:.1} km away; no boundary contains this position)")
            }
            LocateMethod::Name => "name".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AreaSummary {
    pub id: String,
    pub name: String,
    pub region: String,
    pub directory: String,
    /// From a sample directory: its numbers are fictional.
    pub sample: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneView {
    pub label: String,
    /// As written in the UK, e.g. `01632 960123`.
    pub display: String,
    /// For the dialler, e.g. `tel:+441632960123` or `tel:999`.
    pub tel: String,
    pub e164: Option<String>,
}

impl PhoneView {
    fn new(label: &str, number: &PhoneNumber) -> PhoneView {
        PhoneView { label: label.to_string(), display: number.display(), tel: number.tel_uri(), e164: number.e164() }
    }
}

/// A contact as the app shows it: published, national or personal.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactView {
    /// `area/service` for published contacts, `national:<id>` for helplines, `personal:<id>`.
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub area_id: Option<String>,
    pub area_name: Option<String>,
    pub needs: Vec<String>,
    pub phones: Vec<PhoneView>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
    /// Opening hours, readable.
    pub hours: Vec<String>,
    pub out_of_hours: bool,
    /// Open at the time asked about; `None` when the hours are not known (personal contacts).
    pub open_now: Option<bool>,
    pub personal: bool,
    pub sample: bool,
    pub favourite: bool,
    pub note: Option<String>,
}

/// The number to call for a need, now.
#[derive(Debug, Clone, PartialEq)]
pub struct CallAdvice {
    pub area: AreaSummary,
    pub need: String,
    pub at: NaiveDateTime,
    /// The service to call, if a local one is open.
    pub contact: Option<ContactView>,
    /// Its first number, ready to dial.
    pub phone: Option<PhoneView>,
    /// Why this one: "in hours: ..." or "out of hours: after 17:00 on weekdays ...".
    pub reason: String,
    pub out_of_hours: bool,
    /// The day team, when out of hours: who to call once it reopens.
    pub day_team: Option<ContactView>,
    /// The out-of-hours service, when the day team is open: who takes over once it closes, so
    /// "sheffield out of hours" asked at 3 p.m. still gets the night number beside the day one.
    pub out_of_hours_team: Option<ContactView>,
    /// National lines for the same need.
    pub national: Vec<ContactView>,
}

struct AreaEntry {
    area: Area,
    directory: String,
    sample: bool,
    /// The name and aliases as word lists, for matching typed names.
    names: Vec<Vec<String>>,
}

impl AreaEntry {
    fn summary(&self) -> AreaSummary {
        AreaSummary {
            id: self.area.id.clone(),
            name: self.area.name.clone(),
            region: self.area.region.clone(),
            directory: self.directory.clone(),
            sample: self.sample,
        }
    }
}

/// Words that do not tell one council from another.
const NAME_NOISE: &[&str] =
    &["council", "city", "of", "the", "metropolitan", "borough", "district", "county", "sample", "mbc"];

/// All installed directories, ready for look-ups.
pub struct ContactBook {
    areas: Vec<AreaEntry>,
    districts: HashMap<String, usize>,
    holidays: Vec<BankHoliday>,
    helplines: Vec<Helpline>,
}

fn check_need(need: &str) -> Result<()> {
    if NEEDS.contains(&need) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!("unknown need '{need}' (one of: {})", NEEDS.join(", "))))
    }
}

impl ContactBook {
    pub fn new(directories: Vec<Directory>, holidays: Vec<BankHoliday>, helplines: Vec<Helpline>) -> ContactBook {
        let mut areas = Vec::new();
        let mut districts = HashMap::new();
        for d in directories {
            for area in d.areas {
                for pc in &area.postcode_districts {
                    districts.insert(pc.clone(), areas.len());
                }
                let mut names = vec![name_words(&area.name)];
                names.extend(area.aliases.iter().map(|a| name_words(a)));
                areas.push(AreaEntry { area, directory: d.id.clone(), sample: d.sample, names });
            }
        }
        ContactBook { areas, districts, holidays, helplines }
    }

    pub fn areas(&self) -> Vec<AreaSummary> {
        self.areas.iter().map(AreaEntry::summary).collect()
    }

    fn entry(&self, area_id: &str) -> Result<&AreaEntry> {
        self.areas
            .iter()
            .find(|a| a.area.id == area_id)
            .ok_or_else(|| Error::NotFound { what: "area", id: area_id.to_string() })
    }

    /// The area covering a full or partial postcode (`LS6 2AB`, `ls62ab`, `LS6`).
    pub fn find_by_postcode(&self, postcode: &str) -> Result<AreaMatch> {
        let pc = Postcode::parse(postcode).map_err(|e| Error::InvalidInput(e.to_string()))?;
        match self.districts.get(&pc.district) {
            Some(&i) => Ok(AreaMatch {
                area: self.areas[i].summary(),
                method: LocateMethod::Postcode { district: pc.district },
            }),
            None => Err(Error::NotFound { what: "area covering postcode district", id: pc.district }),
        }
    }

    /// The area containing a position, or the one whose centre is nearest if none does.
    pub fn find_near(&self, lat: f64, lon: f64) -> Result<AreaMatch> {
        let p = LatLon { lat, lon };
        if !p.in_uk() {
            return Err(Error::InvalidInput(format!("{lat}, {lon} is not in the UK (latitude first, then longitude)")));
        }
        if let Some(a) = self.areas.iter().find(|a| a.area.boundary.as_ref().is_some_and(|b| b.contains(&p))) {
            return Ok(AreaMatch { area: a.summary(), method: LocateMethod::Boundary });
        }
        self.areas
            .iter()
            .map(|a| (a, a.area.centroid.distance_km(&p)))
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(a, d)| AreaMatch { area: a.summary(), method: LocateMethod::NearestCentre { distance_km: d } })
            .ok_or_else(|| Error::NotFound { what: "area near", id: format!("{lat}, {lon}") })
    }

    /// Areas whose name or alias matches what was typed, best first; forgives typos.
    pub fn find_by_name(&self, name: &str) -> Result<Vec<AreaMatch>> {
        let typed = name_words(name);
        if typed.is_empty() {
            return Err(Error::InvalidInput("type a place or council name".into()));
        }
        let mut scored: Vec<(u32, &AreaEntry)> = self
            .areas
            .iter()
            .filter_map(|a| {
                let best = a
                    .names
                    .iter()
                    .map(|words| {
                        let per_word: Vec<u8> = typed
                            .iter()
                            .map(|t| words.iter().map(|w| fuzzy::word_match(t, w)).max().unwrap_or(0))
                            .collect();
                        if per_word.contains(&0) {
                            0
                        } else {
                            per_word.iter().map(|s| u32::from(*s)).sum::<u32>() * 10
                                + u32::from(words.len() == typed.len())
                        }
                    })
                    .max()
                    .unwrap_or(0);
                (best > 0).then_some((best, a))
            })
            .collect();
        if scored.is_empty() {
            return Err(Error::NotFound { what: "area named", id: name.trim().to_string() });
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.area.name.cmp(&b.1.area.name)));
        Ok(scored.into_iter().map(|(_, a)| AreaMatch { area: a.summary(), method: LocateMethod::Name }).collect())
    }

    fn calendar(&self, entry: &AreaEntry) -> RegionCalendar<'_> {
        RegionCalendar { region: holiday_region(&entry.area.nation), holidays: &self.holidays }
    }

    fn service_view(&self, entry: &AreaEntry, s: &Service, at: Option<NaiveDateTime>) -> ContactView {
        ContactView {
            id: format!("{}/{}", entry.area.id, s.id),
            name: s.name.clone(),
            kind: s.kind.clone(),
            kind_label: service_kind_label(&s.kind).to_string(),
            area_id: Some(entry.area.id.clone()),
            area_name: Some(entry.area.name.clone()),
            needs: s.needs.clone(),
            phones: s.phones.iter().map(|p: &Phone| PhoneView::new(&p.label, &p.number)).collect(),
            email: s.email.clone(),
            website: s.website.clone(),
            notes: s.notes.clone(),
            hours: s.hours.describe(),
            out_of_hours: s.out_of_hours,
            open_now: at.map(|t| s.hours.is_open(t, &self.calendar(entry))),
            personal: false,
            sample: entry.sample,
            favourite: false,
            note: None,
        }
    }

    fn helpline_view(h: &Helpline) -> ContactView {
        ContactView {
            id: format!("national:{}", h.id),
            name: h.name.clone(),
            kind: "national".into(),
            kind_label: "National helpline".into(),
            area_id: None,
            area_name: None,
            needs: h.needs.clone(),
            phones: vec![PhoneView::new(&h.name, &h.number)],
            email: None,
            website: None,
            notes: Some(h.description.clone()),
            hours: vec![h.hours.clone()],
            out_of_hours: false,
            open_now: None,
            personal: false,
            sample: false,
            favourite: false,
            note: None,
        }
    }

    /// A personal contact as a view, with its area's name if it names one.
    pub fn personal_view(&self, c: &PersonalContact) -> ContactView {
        let area = c.area_id.as_deref().and_then(|id| self.entry(id).ok());
        ContactView {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: "personal".into(),
            kind_label: c.role.clone().unwrap_or_else(|| "Personal contact".into()),
            area_id: c.area_id.clone(),
            area_name: area.map(|a| a.area.name.clone()),
            needs: c.needs.clone(),
            phones: c
                .phones
                .iter()
                .filter_map(|p| PhoneNumber::parse(&p.number).ok().map(|n| PhoneView::new(&p.label, &n)))
                .collect(),
            email: c.email.clone(),
            website: None,
            notes: c.notes.clone(),
            hours: Vec::new(),
            out_of_hours: false,
            open_now: None,
            personal: true,
            sample: false,
            favourite: false,
            note: None,
        }
    }

    /// A published or national contact by id.
    pub fn contact(&self, id: &str, at: Option<NaiveDateTime>) -> Result<ContactView> {
        let not_found = || Error::NotFound { what: "contact", id: id.to_string() };
        if let Some(h) = id.strip_prefix("national:") {
            return self.helplines.iter().find(|x| x.id == h).map(Self::helpline_view).ok_or_else(not_found);
        }
        let (area_id, service_id) = id.split_once('/').ok_or_else(not_found)?;
        let entry = self.entry(area_id).map_err(|_| not_found())?;
        let s = entry.area.services.iter().find(|s| s.id == service_id).ok_or_else(not_found)?;
        Ok(self.service_view(entry, s, at))
    }

    /// Every service of an area, with whether it is open at `at`.
    pub fn services(&self, area_id: &str, at: NaiveDateTime) -> Result<Vec<ContactView>> {
        let entry = self.entry(area_id)?;
        Ok(entry.area.services.iter().map(|s| self.service_view(entry, s, Some(at))).collect())
    }

    pub fn helplines(&self) -> Vec<ContactView> {
        self.helplines.iter().map(Self::helpline_view).collect()
    }

    /// Who to call in `area_id` for `need` at local time `at`, and why.
    pub fn call_now(&self, area_id: &str, need: &str, at: NaiveDateTime) -> Result<CallAdvice> {
        check_need(need)?;
        let entry = self.entry(area_id)?;
        let cal = self.calendar(entry);
        let serving: Vec<&Service> = entry.area.services.iter().filter(|s| s.needs.iter().any(|n| n == need)).collect();
        let national: Vec<ContactView> =
            self.helplines.iter().filter(|h| h.needs.iter().any(|n| n == need)).map(Self::helpline_view).collect();
        let day: Vec<&&Service> = serving.iter().filter(|s| !s.out_of_hours).collect();
        let mut advice = CallAdvice {
            area: entry.summary(),
            need: need.to_string(),
            at,
            contact: None,
            phone: None,
            reason: String::new(),
            out_of_hours: false,
            day_team: None,
            out_of_hours_team: None,
            national,
        };
        if serving.is_empty() {
            advice.reason = format!("{} lists no local service for '{need}': use the national line.", entry.area.name);
            return Ok(advice);
        }
        if let Some(open) = day.iter().find(|s| s.hours.is_open(at, &cal)) {
            let until = open.hours.open_rule(at, &cal).map(|r| format_time(r.end)).unwrap_or_default();
            advice.reason = format!("In hours: {} is open until {until}.", open.name);
            advice.contact = Some(self.service_view(entry, open, Some(at)));
            advice.out_of_hours_team =
                serving.iter().find(|s| s.out_of_hours).map(|s| self.service_view(entry, s, Some(at)));
        } else {
            let why =
                day.first().map_or_else(|| "no day-time team is listed".to_string(), |d| closed_reason(d, at, &cal));
            advice.out_of_hours = true;
            advice.day_team = day.first().map(|d| self.service_view(entry, d, Some(at)));
            match serving.iter().find(|s| s.out_of_hours && s.hours.is_open(at, &cal)) {
                Some(ooh) => {
                    advice.reason = format!("Out of hours: {why}. Call the {}.", ooh.name.to_lowercase());
                    advice.contact = Some(self.service_view(entry, ooh, Some(at)));
                }
                None => {
                    advice.reason = format!("Out of hours: {why}, and no local out-of-hours service is listed as open: use the national line.");
                }
            }
        }
        advice.phone = advice.contact.as_ref().and_then(|c| c.phones.first().cloned());
        Ok(advice)
    }

    /// Published, national and personal contacts matching a query: every typed word must match
    /// a word of the contact's name, area, kind, needs or notes (prefixes and small typos count).
    pub fn search(
        &self,
        query: &str,
        personal: &[PersonalContact],
        at: Option<NaiveDateTime>,
        limit: usize,
    ) -> Vec<ContactView> {
        let typed = fuzzy::words(query);
        if typed.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u32, ContactView)> = Vec::new();
        let mut consider = |fields: [(u32, String); 4], view: &dyn Fn() -> ContactView| {
            let fields: Vec<(u32, Vec<String>)> = fields.into_iter().map(|(w, t)| (w, fuzzy::words(&t))).collect();
            let mut total = 0;
            for t in &typed {
                let best = fields
                    .iter()
                    .flat_map(|(weight, words)| words.iter().map(move |w| u32::from(fuzzy::word_match(t, w)) * weight))
                    .max()
                    .unwrap_or(0);
                if best == 0 {
                    return;
                }
                total += best;
            }
            hits.push((total, view()));
        };
        for entry in &self.areas {
            let area_words = format!("{} {} {}", entry.area.name, entry.area.aliases.join(" "), entry.area.region);
            for s in &entry.area.services {
                consider(
                    [
                        (3, s.name.clone()),
                        (2, area_words.clone()),
                        (2, format!("{} {}", service_kind_label(&s.kind), s.needs.join(" "))),
                        (1, s.notes.clone().unwrap_or_default()),
                    ],
                    &|| self.service_view(entry, s, at),
                );
            }
        }
        for h in &self.helplines {
            consider(
                [(3, h.name.clone()), (1, "national".into()), (2, h.needs.join(" ")), (1, h.description.clone())],
                &|| Self::helpline_view(h),
            );
        }
        for c in personal {
            let area = c
                .area_id
                .as_deref()
                .and_then(|id| self.entry(id).ok())
                .map(|a| a.area.name.clone())
                .unwrap_or_default();
            consider(
                [
                    (3, c.name.clone()),
                    (2, area),
                    (2, format!("{} {} personal", c.role.clone().unwrap_or_default(), c.needs.join(" "))),
                    (1, c.notes.clone().unwrap_or_default()),
                ],
                &|| self.personal_view(c),
            );
        }
        hits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        hits.into_iter().take(limit).map(|(_, v)| v).collect()
    }

    pub fn vcard(contact: &ContactView) -> String {
        vcard::to_vcard(contact)
    }
}

fn name_words(name: &str) -> Vec<String> {
    fuzzy::words(name).into_iter().filter(|w| !NAME_NOISE.contains(&w.as_str())).collect()
}

/// Why a day team is closed at `at`, in the words a crew would use.
fn closed_reason(day: &Service, at: NaiveDateTime, cal: &dyn Calendar) -> String {
    let date = at.date();
    if let Some(name) = cal.bank_holiday(date) {
        return format!("{} is a bank holiday ({name})", date.format("%A %-d %B"));
    }
    let weekday = date.weekday().num_days_from_monday() as u8;
    let rules = day.hours.rules_on(date, cal);
    if rules.is_empty() {
        return if weekday >= 5 {
            "it is the weekend".to_string()
        } else {
            format!("the day team does not work on {}s", day_name(weekday))
        };
    }
    let minute = (at.hour() * 60 + at.minute()) as u16;
    let opens = rules.iter().map(|r| r.start).min().unwrap_or(0);
    let when = |r: &safeguarding_content::Rule| days_phrase(&r.days, weekday);
    if minute < opens {
        let r = rules.iter().min_by_key(|r| r.start).map(|r| when(r)).unwrap_or_default();
        format!("before {} on {r}", format_time(opens))
    } else {
        let last = rules.iter().max_by_key(|r| r.end).copied();
        let closes = last.map(|r| r.end).unwrap_or(1440);
        format!("after {} on {}", format_time(closes), last.map(when).unwrap_or_default())
    }
}

/// "weekdays", "Monday to Thursday", "Fridays": the days a rule covers, for a reason string.
fn days_phrase(days: &[u8], today: u8) -> String {
    let contiguous = days.windows(2).all(|w| w[1] == w[0] + 1);
    match (days.first(), days.last()) {
        (Some(0), Some(4)) if contiguous => "weekdays".to_string(),
        (Some(a), Some(b)) if contiguous && a != b => format!("{} to {}", day_name(*a), day_name(*b)),
        _ => format!("{}s", day_name(today)),
    }
}

#[cfg(test)]
mod tests;
