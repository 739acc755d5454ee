//! Importing a contacts directory from CSV, one row per service: the form councils and ICBs
//! keep their lists in. Produces the directory's TOML files; every problem is reported with the
//! CSV line it is on.
//!
//! Columns (header names, any order, case-insensitive):
//! `area_id, area_name, region, nation, latitude, longitude, postcode_districts, service_id,
//! service_kind, service_name, needs, hours, phone, last_verified` are required;
//! `area_kind, aliases, boundary, out_of_hours, phone_label, phone2, phone2_label, email,
//! website, notes` are optional. Lists (`needs`, `hours`, `aliases`) are separated by `;`,
//! postcode districts by spaces, commas or `;`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::contacts::{AREA_KINDS, NATIONS, SERVICE_KINDS};
use crate::diagnostic::Diagnostics;
use crate::helplines::NEEDS;
use crate::hours::parse_rule;
use crate::page::is_slug;
use crate::phone::PhoneNumber;
use crate::postcode::is_district;

const REQUIRED: &[&str] = &[
    "area_id",
    "area_name",
    "region",
    "nation",
    "latitude",
    "longitude",
    "postcode_districts",
    "service_id",
    "service_kind",
    "service_name",
    "needs",
    "hours",
    "phone",
    "last_verified",
];
const AREA_FIELDS: &[&str] = &[
    "area_name",
    "area_kind",
    "region",
    "nation",
    "latitude",
    "longitude",
    "postcode_districts",
    "aliases",
    "boundary",
];

#[derive(Serialize)]
struct AreaFile {
    area: AreaOut,
    service: Vec<ServiceOut>,
}

#[derive(Serialize)]
struct AreaOut {
    id: String,
    name: String,
    kind: String,
    region: String,
    nation: String,
    aliases: Vec<String>,
    postcode_districts: Vec<String>,
    latitude: f64,
    longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    boundary: Option<String>,
    last_verified: toml::value::Datetime,
}

#[derive(Serialize)]
struct ServiceOut {
    id: String,
    kind: String,
    name: String,
    needs: Vec<String>,
    out_of_hours: bool,
    hours: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    last_verified: toml::value::Datetime,
    phones: Vec<PhoneOut>,
}

#[derive(Serialize)]
struct PhoneOut {
    label: String,
    number: String,
}

#[derive(Serialize)]
struct DirectoryOut {
    name: String,
    description: String,
    sample: bool,
}

fn list(s: &str) -> Vec<String> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// Converts CSV text into a directory's files (`directory.toml` and one `<area>.toml` per area).
pub fn import_csv(
    csv_path: &str,
    text: &str,
    name: &str,
    description: &str,
    sample: bool,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|x| x.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            diags.error(csv_path, 1, format!("cannot read the header row: {e}"));
            return out;
        }
    };
    let missing: Vec<&str> = REQUIRED.iter().filter(|r| !headers.iter().any(|h| h == *r)).copied().collect();
    if !missing.is_empty() {
        diags.error(csv_path, 1, format!("missing columns: {}", missing.join(", ")));
        return out;
    }
    let mut areas: Vec<(String, usize, BTreeMap<String, String>, AreaFile)> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                diags.error(csv_path, line, format!("unreadable row: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| p.line() as usize);
        let row: BTreeMap<String, String> =
            headers.iter().zip(record.iter()).map(|(h, v)| (h.clone(), v.to_string())).collect();
        let get = |k: &str| row.get(k).map(String::as_str).unwrap_or("");
        let mut bad = |m: String| diags.error(csv_path, line, m);
        for r in REQUIRED {
            if get(r).is_empty() {
                bad(format!("`{r}` is empty"));
            }
        }
        let area_id = get("area_id").to_string();
        if !is_slug(&area_id) {
            bad(format!("area_id '{area_id}' must be lower-case letters, digits and hyphens"));
        }
        let date = match get("last_verified").parse::<toml::value::Datetime>() {
            Ok(d) if d.date.is_some() && d.time.is_none() => Some(d),
            _ => {
                bad(format!("last_verified '{}' must be a date written YYYY-MM-DD", get("last_verified")));
                None
            }
        };
        let (kind, nation) = (get("service_kind"), get("nation"));
        if !SERVICE_KINDS.iter().any(|(k, _)| *k == kind) {
            bad(format!("unknown service_kind '{kind}'"));
        }
        if !NATIONS.contains(&nation) {
            bad(format!("unknown nation '{nation}' (expected one of: {})", NATIONS.join(", ")));
        }
        let area_kind = if get("area_kind").is_empty() { "local-authority" } else { get("area_kind") };
        if !AREA_KINDS.contains(&area_kind) {
            bad(format!("unknown area_kind '{area_kind}'"));
        }
        let needs = list(get("needs"));
        for n in &needs {
            if !NEEDS.contains(&n.as_str()) {
                bad(format!("unknown need '{n}'"));
            }
        }
        let hours = list(get("hours"));
        for h in &hours {
            if let Err(e) = parse_rule(h) {
                bad(format!("hours: {e}"));
            }
        }
        let districts: Vec<String> = get("postcode_districts")
            .split([' ', ',', ';'])
            .filter(|d| !d.is_empty())
            .map(|d| d.to_ascii_uppercase())
            .collect();
        for d in &districts {
            if !is_district(d) {
                bad(format!("'{d}' is not a postcode district"));
            }
        }
        let (lat, lon) = (get("latitude").parse::<f64>(), get("longitude").parse::<f64>());
        if lat.is_err() || lon.is_err() {
            bad(format!("latitude/longitude '{}', '{}' are not numbers", get("latitude"), get("longitude")));
        }
        let mut phones = Vec::new();
        for (label_col, number_col) in [("phone_label", "phone"), ("phone2_label", "phone2")] {
            let number = get(number_col);
            if number.is_empty() {
                continue;
            }
            match PhoneNumber::parse(number) {
                Ok(p) => {
                    if sample && !p.is_drama_range() {
                        bad(format!("{number}: sample data may only use Ofcom's drama-range numbers"));
                    }
                    let label = if get(label_col).is_empty() { "Phone" } else { get(label_col) };
                    phones.push(PhoneOut { label: label.to_string(), number: p.display() });
                }
                Err(e) => bad(format!("{number_col}: {e}")),
            }
        }
        let out_of_hours = match get("out_of_hours").to_ascii_lowercase().as_str() {
            "" | "no" | "false" | "n" => false,
            "yes" | "true" | "y" => true,
            other => {
                bad(format!("out_of_hours '{other}' should be yes or no"));
                false
            }
        };
        let opt = |k: &str| (!get(k).is_empty()).then(|| get(k).to_string());
        let Some(date) = date else { continue };
        let service = ServiceOut {
            id: get("service_id").to_string(),
            kind: kind.to_string(),
            name: get("service_name").to_string(),
            needs,
            out_of_hours,
            hours,
            email: opt("email"),
            website: opt("website"),
            notes: opt("notes"),
            last_verified: date,
            phones,
        };
        let area_values: BTreeMap<String, String> =
            AREA_FIELDS.iter().map(|k| (k.to_string(), get(k).to_string())).collect();
        if let Some((_, first_line, first, file)) = areas.iter_mut().find(|(id, ..)| *id == area_id) {
            for (k, v) in &area_values {
                if first.get(k) != Some(v) {
                    diags.error(csv_path, line, format!("{k} for area '{area_id}' differs from line {first_line}"));
                }
            }
            if file.service.iter().any(|s| s.id == service.id) {
                diags.error(csv_path, line, format!("service_id '{}' appears twice in area '{area_id}'", service.id));
            }
            file.service.push(service);
            continue;
        }
        let area = AreaOut {
            id: area_id.clone(),
            name: get("area_name").to_string(),
            kind: area_kind.to_string(),
            region: get("region").to_string(),
            nation: nation.to_string(),
            aliases: list(get("aliases")),
            postcode_districts: districts,
            latitude: lat.unwrap_or(0.0),
            longitude: lon.unwrap_or(0.0),
            boundary: opt("boundary"),
            last_verified: date,
        };
        areas.push((area_id, line, area_values, AreaFile { area, service: vec![service] }));
    }
    if areas.is_empty() && !diags.has_errors() {
        diags.error(csv_path, 1, "no rows");
    }
    let header = if sample {
        "# SAMPLE DATA imported from CSV: numbers are fictional.\n\n"
    } else {
        "# Imported from CSV. Check it with: safeguarding content check\n\n"
    };
    let directory = DirectoryOut { name: name.to_string(), description: description.to_string(), sample };
    if let Ok(t) = toml::to_string_pretty(&directory) {
        out.insert("directory.toml".to_string(), format!("{header}{t}"));
    }
    for (id, _, _, file) in areas {
        match toml::to_string_pretty(&file) {
            Ok(t) => {
                out.insert(format!("{id}.toml"), format!("{header}{t}"));
            }
            Err(e) => diags.error(csv_path, 1, format!("cannot write area '{id}': {e}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::parse_directories;
    use crate::files::ContentFiles;

    const CSV: &str = "area_id,area_name,region,nation,latitude,longitude,postcode_districts,service_id,service_kind,service_name,needs,hours,phone_label,phone,out_of_hours,last_verified,notes
sample-a,Alpha Council,Test,england,53.8,-1.5,AL1 AL2,front-door,children-front-door,\"Front door, children\",children,Mon-Fri 09:00-17:00,Referrals,01632 960100,no,2026-11-23,
sample-a,Alpha Council,Test,england,53.8,-1.5,AL1 AL2,edt,emergency-duty-team,Duty team,children;adults,Mon-Fri 17:00-09:00;Sat-Sun 00:00-24:00;BH 00:00-24:00,Duty,01632960101,yes,2026-11-23,\"Night line; ask for the senior\"
sample-b,Beta Council,Test,england,53.6,-1.5,BE1,front-door,children-front-door,Front door,children,Mon-Fri 09:00-17:00,,01632 960102,,2026-11-23,
";

    #[test]
    fn imports_rows_into_areas_that_validate() {
        let mut diags = Diagnostics::default();
        let files = import_csv("in.csv", CSV, "Test", "Imported", true, &mut diags);
        assert!(diags.is_empty(), "{diags}");
        assert_eq!(files.len(), 3);
        let mut set = ContentFiles::new();
        for (name, text) in &files {
            set.insert(format!("contacts/test/{name}"), text.as_bytes().to_vec());
        }
        let mut check = Diagnostics::default();
        let dirs = parse_directories(&set, &mut check);
        assert!(!check.has_errors(), "{check}\n{}", files["sample-a.toml"]);
        assert_eq!(dirs[0].areas.len(), 2);
        let a = dirs[0].areas.iter().find(|a| a.id == "sample-a").unwrap();
        assert_eq!(a.services.len(), 2);
        assert!(a.services[1].out_of_hours);
        assert_eq!(a.services[0].name, "Front door, children");
        assert_eq!(a.services[1].notes.as_deref(), Some("Night line; ask for the senior"));
        assert_eq!(a.services[1].phones[0].number.display(), "01632 960101");
    }

    #[test]
    fn reports_problems_by_csv_line() {
        let bad = CSV
            .replace("01632 960100", "0113 000 0000")
            .replace("Sat-Sun 00:00-24:00", "Weekends")
            .replace("53.6,-1.5,BE1", "53.6,-1.5,B£1");
        let mut diags = Diagnostics::default();
        import_csv("in.csv", &bad, "Test", "Imported", true, &mut diags);
        let text = diags.to_string();
        assert!(text.contains("in.csv:2: error: 0113 000 0000: sample data may only use"), "{text}");
        assert!(text.contains("in.csv:3: error: hours:"), "{text}");
        assert!(text.contains("in.csv:4: error: 'B£1' is not a postcode district"), "{text}");
        let mut diags = Diagnostics::default();
        import_csv("in.csv", "area_id,area_name\nx,y\n", "T", "d", true, &mut diags);
        assert!(diags.to_string().contains("in.csv:1: error: missing columns: region"), "{diags}");
    }
}
