//! Local contact directories (`contacts/<directory>/`) and bank holidays
//! (`contacts/bank-holidays.toml`).
//!
//! A directory is a folder with a `directory.toml` (its name, and whether it is sample data) and
//! one TOML file per area: the area (a local authority or NHS body), the postcode districts it
//! covers, a centroid and optionally a GeoJSON boundary, and its services with numbers and
//! opening hours.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostics;
use crate::fields::{for_each_table, Fields, Located, TomlSource};
use crate::files::ContentFiles;
use crate::geo::{parse_geojson, Boundary, LatLon};
use crate::helplines::check_needs;
use crate::hours::{day_name, format_time, Calendar, Hours};
use crate::page::is_slug;
use crate::phone::PhoneNumber;
use crate::postcode::is_district;

/// Kinds of service, with how the app names them.
pub const SERVICE_KINDS: &[(&str, &str)] = &[
    ("children-front-door", "Children's social care front door (MASH)"),
    ("adult-social-care", "Adult social care"),
    ("emergency-duty-team", "Emergency duty team (out of hours)"),
    ("police", "Police"),
    ("lado", "Local authority designated officer (LADO)"),
    ("prevent", "Prevent"),
    ("safeguarding-professionals", "Designated safeguarding professionals"),
    ("sarc", "Sexual assault referral centre"),
    ("domestic-abuse", "Domestic abuse service"),
    ("mental-health-crisis", "Mental health crisis line"),
    ("other", "Other"),
];

pub const AREA_KINDS: &[&str] = &["local-authority", "nhs-icb", "nhs-trust", "police-force", "other"];
pub const NATIONS: &[&str] = &["england", "wales", "scotland", "northern-ireland"];

/// Bank holidays differ by nation; England and Wales share a list.
pub fn holiday_region(nation: &str) -> &'static str {
    match nation {
        "scotland" => "scotland",
        "northern-ireland" => "northern-ireland",
        _ => "england-and-wales",
    }
}

pub fn service_kind_label(kind: &str) -> &'static str {
    SERVICE_KINDS.iter().find(|(k, _)| *k == kind).map_or("Other", |(_, l)| l)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Sample data: numbers are from Ofcom's drama ranges and must be labelled as such.
    pub sample: bool,
    pub areas: Vec<Area>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub nation: String,
    pub aliases: Vec<String>,
    pub postcode_districts: Vec<String>,
    pub centroid: LatLon,
    pub boundary: Option<Boundary>,
    pub services: Vec<Service>,
    pub last_verified: NaiveDate,
    /// The file it came from, for messages.
    #[serde(skip)]
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub needs: Vec<String>,
    /// The route when day teams are closed (an emergency duty team).
    pub out_of_hours: bool,
    pub hours: Hours,
    pub phones: Vec<Phone>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
    pub last_verified: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    pub label: String,
    pub number: PhoneNumber,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankHoliday {
    pub region: String,
    pub date: NaiveDate,
    pub name: String,
}

/// Bank holidays of one region, as a [`Calendar`].
pub struct RegionCalendar<'a> {
    pub region: &'a str,
    pub holidays: &'a [BankHoliday],
}

impl Calendar for RegionCalendar<'_> {
    fn bank_holiday(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.iter().find(|h| h.date == date && h.region == self.region).map(|h| h.name.as_str())
    }
}

pub fn parse_bank_holidays(path: &str, text: &str, diags: &mut Diagnostics) -> Vec<BankHoliday> {
    let mut out: Vec<BankHoliday> = Vec::new();
    for_each_table(path, text, "holiday", diags, |f| {
        let region = f.string("region", true);
        let date = f.date("date", true);
        let name = f.string("name", true);
        if let Some(r) = &region {
            if !["england-and-wales", "scotland", "northern-ireland"].contains(&r.value.as_str()) {
                f.error(
                    r.line,
                    format!("unknown region '{}' (england-and-wales, scotland or northern-ireland)", r.value),
                );
            }
        }
        if let (Some(region), Some(date), Some(name)) = (region, date, name) {
            if out.iter().any(|h| h.region == region.value && h.date == date.value) {
                f.warning(date.line, format!("{} is listed twice for {}", date.value, region.value));
            }
            out.push(BankHoliday { region: region.value, date: date.value, name: name.value });
        }
    });
    out
}

/// Reads every directory under `contacts/`.
pub fn parse_directories(files: &ContentFiles, diags: &mut Diagnostics) -> Vec<Directory> {
    let mut by_dir: HashMap<String, Vec<(&str, &[u8])>> = HashMap::new();
    for (path, bytes) in files.iter() {
        if let Some(rest) = path.strip_prefix("contacts/") {
            if let Some((dir, _)) = rest.split_once('/') {
                by_dir.entry(dir.to_string()).or_default().push((path, bytes));
            }
        }
    }
    let mut names: Vec<String> = by_dir.keys().cloned().collect();
    names.sort();
    let mut out = Vec::new();
    for dir in names {
        let entries = &by_dir[&dir];
        let head_path = format!("contacts/{dir}/directory.toml");
        let Some(head) = files.get(&head_path).and_then(|b| std::str::from_utf8(b).ok()) else {
            let first = entries.first().map_or(head_path.as_str(), |(p, _)| *p);
            diags.error(first, 1, format!("directory '{dir}' has no directory.toml saying what it is"));
            continue;
        };
        let src = TomlSource::new(&head_path, head, 0);
        let Some(doc) = src.parse(head, diags) else { continue };
        let mut f = Fields::new(&src, diags, doc.get_ref(), 1, "");
        let name = f.string("name", true);
        let description = f.string("description", true);
        let sample = f.boolean("sample", true);
        f.finish();
        if !is_slug(&dir) {
            diags.error(
                &head_path,
                1,
                format!("directory folder '{dir}' must be lower-case letters, digits and hyphens"),
            );
        }
        let (Some(name), Some(description), Some(sample)) = (name, description, sample) else { continue };
        let mut areas = Vec::new();
        for (path, bytes) in entries {
            if !path.ends_with(".toml") || path.ends_with("/directory.toml") {
                continue;
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                diags.error(path, 1, "file is not valid UTF-8 text");
                continue;
            };
            if let Some(area) = parse_area(path, text, &dir, sample.value, files, diags) {
                areas.push(area);
            }
        }
        out.push(Directory { id: dir, name: name.value, description: description.value, sample: sample.value, areas });
    }
    out
}

fn parse_area(
    path: &str,
    text: &str,
    dir: &str,
    sample: bool,
    files: &ContentFiles,
    diags: &mut Diagnostics,
) -> Option<Area> {
    let src = TomlSource::new(path, text, 0);
    let doc = src.parse(text, diags)?;
    let mut top = Fields::new(&src, diags, doc.get_ref(), 1, "");
    let area_table = top.table("area", true);
    let services = top.tables("service", true);
    top.finish();
    let (table, line) = area_table?;
    let mut f = Fields::new(&src, diags, table, line, "");
    let id = f.string("id", true);
    let name = f.string("name", true);
    let kind = f.string("kind", true);
    let region = f.string("region", true);
    let nation = f.string("nation", true);
    let aliases = f.string_list("aliases", false, 0).unwrap_or_default();
    let districts = f.string_list("postcode_districts", true, 1);
    let lat = f.float("latitude", true);
    let lon = f.float("longitude", true);
    let boundary_file = f.string("boundary", false);
    let last_verified = f.date("last_verified", true);
    if let Some(id) = &id {
        if !is_slug(&id.value) {
            f.error(id.line, format!("area id '{}' must be lower-case letters, digits and hyphens", id.value));
        }
    }
    if let Some(k) = &kind {
        if !AREA_KINDS.contains(&k.value.as_str()) {
            f.error(k.line, format!("unknown area kind '{}' (expected one of: {})", k.value, AREA_KINDS.join(", ")));
        }
    }
    if let Some(n) = &nation {
        if !NATIONS.contains(&n.value.as_str()) {
            f.error(n.line, format!("unknown nation '{}' (expected one of: {})", n.value, NATIONS.join(", ")));
        }
    }
    let mut postcode_districts = Vec::new();
    for d in districts.iter().flatten() {
        let upper = d.value.trim().to_ascii_uppercase();
        if !is_district(&upper) {
            f.error(d.line, format!("'{}' is not a postcode district (an outward code like LS6 or SW1A)", d.value));
        } else if postcode_districts.contains(&upper) {
            f.warning(d.line, format!("postcode district {upper} is listed twice"));
        } else {
            postcode_districts.push(upper);
        }
    }
    let centroid = match (&lat, &lon) {
        (Some(lat), Some(lon)) => {
            let c = LatLon { lat: lat.value, lon: lon.value };
            if !c.in_uk() {
                f.error(lat.line, format!("{}, {} is not in the UK", lat.value, lon.value));
            }
            Some(c)
        }
        _ => None,
    };
    let boundary = boundary_file.and_then(|b| read_boundary(path, dir, &b, files, f.diags()));
    if let (Some(b), Some(c)) = (&boundary, centroid) {
        if !b.contains(&c) {
            f.warning(line, "the centroid is outside the area's boundary");
        }
    }
    f.finish();

    let mut parsed_services: Vec<Service> = Vec::new();
    for (table, line) in services {
        if let Some(s) = parse_service(&src, table, line, sample, diags) {
            if parsed_services.iter().any(|x| x.id == s.id) {
                diags.error(path, line, format!("service id '{}' is used twice in this area", s.id));
            }
            parsed_services.push(s);
        }
    }
    let area = Area {
        id: id?.value,
        name: name?.value,
        kind: kind?.value,
        region: region?.value,
        nation: nation?.value,
        aliases: aliases.into_iter().map(|a| a.value).collect(),
        postcode_districts,
        centroid: centroid?,
        boundary,
        services: parsed_services,
        last_verified: last_verified?.value,
        path: path.to_string(),
    };
    Some(area)
}

fn read_boundary(
    path: &str,
    dir: &str,
    file: &Located<String>,
    files: &ContentFiles,
    diags: &mut Diagnostics,
) -> Option<Boundary> {
    let geo_path = format!("contacts/{dir}/{}", file.value);
    let Some(bytes) = files.get(&geo_path) else {
        diags.error(path, file.line, format!("boundary file {geo_path} does not exist"));
        return None;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        diags.error(&geo_path, 1, "file is not valid UTF-8 text");
        return None;
    };
    match parse_geojson(text) {
        Ok(b) => Some(b),
        Err(problems) => {
            for (line, message) in problems {
                diags.error(&geo_path, line, message);
            }
            None
        }
    }
}

fn parse_service(
    src: &TomlSource<'_>,
    table: &toml::de::DeTable<'_>,
    line: usize,
    sample: bool,
    diags: &mut Diagnostics,
) -> Option<Service> {
    let mut f = Fields::new(src, diags, table, line, "service");
    let id = f.string("id", true);
    let kind = f.string("kind", true);
    let name = f.string("name", true);
    let needs = f.string_list("needs", true, 1);
    let out_of_hours = f.boolean("out_of_hours", false);
    let hours_text = f.string_list("hours", true, 1);
    let email = f.string("email", false);
    let website = f.string("website", false);
    let notes = f.string("notes", false);
    let last_verified = f.date("last_verified", true);
    let phone_tables = f.tables("phones", true);
    if let Some(id) = &id {
        if !is_slug(&id.value) {
            f.error(id.line, format!("service id '{}' must be lower-case letters, digits and hyphens", id.value));
        }
    }
    if let Some(k) = &kind {
        if !SERVICE_KINDS.iter().any(|(kind, _)| *kind == k.value) {
            let kinds: Vec<&str> = SERVICE_KINDS.iter().map(|(k, _)| *k).collect();
            f.error(k.line, format!("unknown service kind '{}' (expected one of: {})", k.value, kinds.join(", ")));
        }
    }
    check_needs(&mut f, needs.as_deref().unwrap_or_default());
    let hours = hours_text.as_ref().and_then(|rules| {
        let mut ok = true;
        for r in rules {
            if let Err(e) = crate::hours::parse_rule(&r.value) {
                f.error(r.line, format!("hours: {e}"));
                ok = false;
            }
        }
        ok.then(|| Hours::parse(&rules.iter().map(|r| r.value.clone()).collect::<Vec<_>>()).ok()).flatten()
    });
    if let Some(e) = &email {
        if !e.value.contains('@') || e.value.contains(' ') {
            f.error(e.line, format!("'{}' is not an email address", e.value));
        }
    }
    if let Some(w) = &website {
        if !w.value.starts_with("https://") {
            f.error(w.line, format!("website '{}' must start with https://", w.value));
        }
    }
    f.finish();
    let mut phones = Vec::new();
    for (pt, pline) in phone_tables {
        let mut pf = Fields::new(src, diags, pt, pline, "phone");
        let label = pf.string("label", true);
        let number = pf.string("number", true);
        pf.finish();
        let (Some(label), Some(number)) = (label, number) else { continue };
        match PhoneNumber::parse(&number.value) {
            Ok(p) => {
                if sample && !p.is_drama_range() {
                    diags.error(
                        src.path,
                        number.line,
                        format!(
                            "{}: sample data may only use Ofcom's drama-range numbers (e.g. 01632 960000-960999)",
                            number.value
                        ),
                    );
                } else if !sample && p.is_drama_range() {
                    diags.error(
                        src.path,
                        number.line,
                        format!("{} is a drama-range number in a real directory", number.value),
                    );
                }
                phones.push(Phone { label: label.value, number: p });
            }
            Err(e) => diags.error(src.path, number.line, e.to_string()),
        }
    }
    if phones.is_empty() {
        return None;
    }
    Some(Service {
        id: id?.value,
        kind: kind?.value,
        name: name?.value,
        needs: needs?.into_iter().map(|n| n.value).collect(),
        out_of_hours: out_of_hours.is_some_and(|o| o.value),
        hours: hours?,
        phones,
        email: email.map(|e| e.value),
        website: website.map(|w| w.value),
        notes: notes.map(|n| n.value),
        last_verified: last_verified?.value,
    })
}

/// Checks across directories: ids and postcode districts used once, and round-the-clock cover
/// wherever an area has an out-of-hours route.
pub(crate) fn check_directories(
    dirs: &[Directory],
    holidays: &[BankHoliday],
    today: NaiveDate,
    diags: &mut Diagnostics,
) {
    let mut area_ids: HashMap<&str, &Area> = HashMap::new();
    let mut districts: HashMap<&str, &Area> = HashMap::new();
    for a in dirs.iter().flat_map(|d| d.areas.iter()) {
        if let Some(other) = area_ids.insert(&a.id, a) {
            diags.error(&a.path, 1, format!("area id '{}' is also used in {}", a.id, other.path));
        }
        for pc in &a.postcode_districts {
            if let Some(other) = districts.insert(pc, a) {
                diags.error(
                    &a.path,
                    1,
                    format!("postcode district {pc} is claimed by both {} ({}) and {}", other.name, other.path, a.name),
                );
            }
        }
        for s in &a.services {
            if (today - s.last_verified).num_days() > 365 {
                diags.warning(
                    &a.path,
                    1,
                    format!("{}: last verified {}, check its numbers again", s.name, s.last_verified),
                );
            }
        }
        check_cover(a, diags);
    }
    for year in [today.year(), today.year() + 1] {
        if !holidays.is_empty() && !holidays.iter().any(|h| h.region == "england-and-wales" && h.date.year() == year) {
            diags.warning(
                "contacts/bank-holidays.toml",
                1,
                format!("no bank holidays listed for {year}: out-of-hours routing will treat them as ordinary days"),
            );
        }
    }
}

/// For needs an area has an out-of-hours service for, every half hour of a week and of a bank
/// holiday should have some service open.
fn check_cover(area: &Area, diags: &mut Diagnostics) {
    // A reference week starting on a Monday, and the Monday as a bank holiday.
    let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let as_holiday = [BankHoliday { region: "england-and-wales".into(), date: monday, name: "test".into() }];
    let mut needs: Vec<&str> =
        area.services.iter().filter(|s| s.out_of_hours).flat_map(|s| s.needs.iter().map(String::as_str)).collect();
    needs.sort_unstable();
    needs.dedup();
    for need in needs {
        let serving: Vec<&Service> = area.services.iter().filter(|s| s.needs.iter().any(|n| n == need)).collect();
        for (calendar, label_holiday) in [(&[][..], false), (&as_holiday[..], true)] {
            let cal = RegionCalendar { region: "england-and-wales", holidays: calendar };
            let days = if label_holiday { 1 } else { 7 };
            let mut gap: Option<(u8, u16)> = None;
            for slot in 0..days * 48 {
                let day = (slot / 48) as u8;
                let minute = ((slot % 48) * 30) as u16;
                let at = (monday + Duration::days(i64::from(day))).and_time(NaiveTime::MIN)
                    + Duration::minutes(i64::from(minute));
                let open = serving.iter().any(|s| s.hours.is_open(at, &cal));
                match (open, gap) {
                    (false, None) => gap = Some((day, minute)),
                    (true, Some((gd, gm))) => {
                        report_gap(area, need, label_holiday, gd, gm, day, minute, diags);
                        gap = None;
                    }
                    _ => {}
                }
            }
            if let Some((gd, gm)) = gap {
                report_gap(area, need, label_holiday, gd, gm, days as u8, 0, diags);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn report_gap(
    area: &Area,
    need: &str,
    holiday: bool,
    from_day: u8,
    from: u16,
    to_day: u8,
    to: u16,
    diags: &mut Diagnostics,
) {
    let when = if holiday {
        format!(
            "on bank holidays {}-{}",
            format_time(from),
            if to_day > from_day { "24:00".into() } else { format_time(to) }
        )
    } else if to_day == from_day {
        format!("{} {}-{}", day_name(from_day), format_time(from), format_time(to))
    } else {
        format!("{} {} to {} {}", day_name(from_day), format_time(from), day_name(to_day), format_time(to))
    };
    diags.warning(
        &area.path,
        1,
        format!("{}: nobody answers for '{need}' {when}, although the area has an out-of-hours route", area.name),
    );
}
