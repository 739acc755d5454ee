//! One contacts area as form fields: what an editor changes most (names, postcode districts,
//! opening hours, phone numbers, notes, when each was last verified) without touching TOML.
//! The form is read from the area's file and written back into it, so every field the form
//! does not show (ids, kinds, needs, the boundary, the file's header comment) is kept. The
//! result is an ordinary edit of that file: same validator, same review.

use serde::Serialize;
use toml::value::{Datetime, Table};
use toml::Value;

use super::{Error, Result};

/// Most services one area form accepts (the form's field names carry the index).
const MAX_SERVICES: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AreaForm {
    pub id: String,
    pub name: String,
    /// One per line.
    pub aliases: String,
    /// Separated by spaces.
    pub postcode_districts: String,
    pub last_verified: String,
    pub services: Vec<ServiceForm>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceForm {
    /// Identifies the service; not editable here.
    pub id: String,
    pub name: String,
    /// One rule per line, e.g. `Mon-Fri 09:00-17:00`.
    pub hours: String,
    /// One per line: `label: number`.
    pub phones: String,
    pub out_of_hours: bool,
    pub email: String,
    pub website: String,
    pub notes: String,
    pub last_verified: String,
}

fn text(table: &Table, key: &str) -> String {
    match table.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Datetime(d)) => d.to_string(),
        _ => String::new(),
    }
}

fn lines(table: &Table, key: &str, separator: &str) -> String {
    match table.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(separator),
        _ => String::new(),
    }
}

fn parse(source: &str) -> Result<Table> {
    source
        .parse::<Table>()
        .map_err(|e| Error::Invalid(format!("the area file is not valid TOML ({e}): edit it as TOML")))
}

/// The form for an area file's text.
pub fn form_of(source: &str) -> Result<AreaForm> {
    let file = parse(source)?;
    let area =
        file.get("area").and_then(Value::as_table).ok_or_else(|| Error::Invalid("the file has no [area]".into()))?;
    let services = match file.get("service") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_table).map(service_form).collect(),
        _ => Vec::new(),
    };
    Ok(AreaForm {
        id: text(area, "id"),
        name: text(area, "name"),
        aliases: lines(area, "aliases", "\n"),
        postcode_districts: lines(area, "postcode_districts", " "),
        last_verified: text(area, "last_verified"),
        services,
    })
}

fn service_form(s: &Table) -> ServiceForm {
    let phones = match s.get("phones") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_table)
            .map(|p| format!("{}: {}", text(p, "label"), text(p, "number")))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    };
    ServiceForm {
        id: text(s, "id"),
        name: text(s, "name"),
        hours: lines(s, "hours", "\n"),
        phones,
        out_of_hours: s.get("out_of_hours").and_then(Value::as_bool).unwrap_or(false),
        email: text(s, "email"),
        website: text(s, "website"),
        notes: text(s, "notes"),
        last_verified: text(s, "last_verified"),
    }
}

/// Reads the form's fields as a browser posts them: `name`, `aliases`, ... for the area and
/// `service.<n>.<field>` for the n-th service. Unknown fields are ignored.
pub fn form_from_fields(fields: &[(String, String)]) -> Result<AreaForm> {
    let mut form = AreaForm::default();
    for (key, value) in fields {
        let value = value.replace("\r\n", "\n");
        if let Some(rest) = key.strip_prefix("service.") {
            let Some((index, field)) = rest.split_once('.') else { continue };
            let index: usize = index.parse().map_err(|_| Error::Invalid(format!("bad field name '{key}'")))?;
            if index >= MAX_SERVICES {
                return Err(Error::Invalid(format!("an area form has at most {MAX_SERVICES} services")));
            }
            if form.services.len() <= index {
                form.services.resize(index + 1, ServiceForm::default());
            }
            let s = &mut form.services[index];
            match field {
                "id" => s.id = value,
                "name" => s.name = value,
                "hours" => s.hours = value,
                "phones" => s.phones = value,
                "out_of_hours" => s.out_of_hours = value == "on" || value == "true",
                "email" => s.email = value,
                "website" => s.website = value,
                "notes" => s.notes = value,
                "last_verified" => s.last_verified = value,
                _ => {}
            }
        } else {
            match key.as_str() {
                "name" => form.name = value,
                "aliases" => form.aliases = value,
                "postcode_districts" => form.postcode_districts = value,
                "last_verified" => form.last_verified = value,
                _ => {}
            }
        }
    }
    Ok(form)
}

fn set_text(table: &mut Table, key: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        table.remove(key);
    } else {
        table.insert(key.into(), Value::String(value.into()));
    }
}

fn set_list(table: &mut Table, key: &str, items: Vec<String>) {
    if items.is_empty() {
        table.remove(key);
    } else {
        table.insert(key.into(), Value::Array(items.into_iter().map(Value::String).collect()));
    }
}

fn set_date(table: &mut Table, key: &str, value: &str, what: &str) -> Result<()> {
    let date: Datetime = value
        .trim()
        .parse()
        .map_err(|_| Error::Invalid(format!("{what}: last verified '{}' is not a date (YYYY-MM-DD)", value.trim())))?;
    if date.date.is_none() || date.time.is_some() {
        return Err(Error::Invalid(format!("{what}: last verified '{}' is not a date (YYYY-MM-DD)", value.trim())));
    }
    table.insert(key.into(), Value::Datetime(date));
    Ok(())
}

fn non_empty_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// The area file's text with the form's values written in. Services are matched by id; a
/// service the form does not mention is left as it was.
pub fn apply_form(source: &str, form: &AreaForm) -> Result<String> {
    let mut file = parse(source)?;
    {
        let area = file
            .get_mut("area")
            .and_then(Value::as_table_mut)
            .ok_or_else(|| Error::Invalid("the file has no [area]".into()))?;
        set_text(area, "name", &form.name);
        set_list(area, "aliases", non_empty_lines(&form.aliases));
        let districts = form
            .postcode_districts
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|d| !d.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        set_list(area, "postcode_districts", districts);
        set_date(area, "last_verified", &form.last_verified, "Area")?;
    }
    if let Some(Value::Array(services)) = file.get_mut("service") {
        for service in services.iter_mut().filter_map(Value::as_table_mut) {
            let id = text(service, "id");
            let Some(f) = form.services.iter().find(|f| f.id == id) else { continue };
            let what = format!("Service '{id}'");
            set_text(service, "name", &f.name);
            set_list(service, "hours", non_empty_lines(&f.hours));
            let mut phones = Vec::new();
            for line in non_empty_lines(&f.phones) {
                // Numbers hold no colon, so the last one ends the label.
                let (label, number) = line.rsplit_once(':').ok_or_else(|| {
                    Error::Invalid(format!("{what}: write each phone as 'label: number', not '{line}'"))
                })?;
                let mut phone = Table::new();
                phone.insert("label".into(), Value::String(label.trim().into()));
                phone.insert("number".into(), Value::String(number.trim().into()));
                phones.push(Value::Table(phone));
            }
            service.insert("phones".into(), Value::Array(phones));
            if f.out_of_hours {
                service.insert("out_of_hours".into(), Value::Boolean(true));
            } else {
                service.remove("out_of_hours");
            }
            set_text(service, "email", &f.email);
            set_text(service, "website", &f.website);
            set_text(service, "notes", &f.notes);
            set_date(service, "last_verified", &f.last_verified, &what)?;
        }
    }
    let body = toml::to_string(&file).map_err(|e| Error::Internal(format!("writing the area: {e}")))?;
    // The header comment (who the data is from, whether it is sample data) stays on top.
    let header: String =
        source.lines().take_while(|l| l.starts_with('#') || l.trim().is_empty()).map(|l| format!("{l}\n")).collect();
    Ok(format!("{header}{body}"))
}

/// Which part of the form a line of the area file belongs to ("the area", or a service by its
/// name), so the validator's findings can be read beside the form rather than the TOML.
pub fn part_at_line(source: &str, line: usize) -> String {
    let mut part = "the area".to_string();
    let mut in_service = false;
    for text in source.lines().take(line) {
        let text = text.trim();
        if text == "[[service]]" {
            in_service = true;
            part = "a service".into();
        } else if text.starts_with('[') {
            // `[[service.phones]]` stays in its service; `[area]` is the area.
            if text == "[area]" {
                in_service = false;
                part = "the area".into();
            }
        } else if in_service && text.starts_with("name") {
            if let Some(name) = text.split_once('=').map(|(_, v)| v.trim().trim_matches('"')) {
                part = format!("service '{name}'");
            }
        }
    }
    part
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: &str =
        "# SAMPLE DATA header\n\n[area]\nid = \"sample-x\"\nname = \"X (sample)\"\nkind = \"local-authority\"\n\
        aliases = [\"Ex\"]\npostcode_districts = [\"XX1\"]\nlast_verified = 2026-11-23\n\n\
        [[service]]\nid = \"edt\"\nkind = \"emergency-duty-team\"\nname = \"EDT\"\nneeds = [\"children\"]\n\
        out_of_hours = true\nhours = [\"24/7\"]\nlast_verified = 2026-11-23\n\n\
        [[service.phones]]\nlabel = \"Duty\"\nnumber = \"0113 496 0003\"\n";

    #[test]
    fn a_form_round_trip_changes_only_what_was_edited() {
        let mut form = form_of(AREA).expect("form");
        assert_eq!(form.services[0].phones, "Duty: 0113 496 0003");
        assert!(form.services[0].out_of_hours);
        form.services[0].phones = "Duty: 0113 496 0009\nManager (mobile): 07700 900107".into();
        form.postcode_districts = "xx1, xx2".into();
        let out = apply_form(AREA, &form).expect("apply");
        assert!(out.starts_with("# SAMPLE DATA header\n"), "{out}");
        let again = form_of(&out).expect("reparse");
        assert_eq!(again.services[0].phones, "Duty: 0113 496 0009\nManager (mobile): 07700 900107");
        assert_eq!(again.postcode_districts, "XX1 XX2");
        assert_eq!(again.name, "X (sample)");
        // Fields the form does not show are kept.
        assert!(out.contains("kind = \"emergency-duty-team\"") && out.contains("needs = [\"children\"]"), "{out}");
        assert!(out.find("id = \"sample-x\"") < out.find("name = "), "key order kept: {out}");
    }

    #[test]
    fn bad_dates_and_phone_lines_are_named() {
        let mut form = form_of(AREA).expect("form");
        form.services[0].last_verified = "23/11/2026".into();
        let e = apply_form(AREA, &form).expect_err("bad date").to_string();
        assert!(e.contains("Service 'edt'") && e.contains("23/11/2026"), "{e}");
        let mut form = form_of(AREA).expect("form");
        form.services[0].phones = "0113 496 0009".into();
        assert!(apply_form(AREA, &form).expect_err("no label").to_string().contains("label: number"));
    }

    #[test]
    fn a_line_is_placed_in_its_service() {
        let line_of = |needle: &str| AREA.lines().position(|l| l.contains(needle)).expect("line") + 1;
        assert_eq!(part_at_line(AREA, line_of("0113 496 0003")), "service 'EDT'");
        assert_eq!(part_at_line(AREA, line_of("postcode_districts")), "the area");
    }

    #[test]
    fn posted_fields_become_a_form() {
        let fields: Vec<(String, String)> = [
            ("name", "Y"),
            ("service.1.id", "b"),
            ("service.0.id", "a"),
            ("service.0.out_of_hours", "on"),
            ("service.1.hours", "Mon-Fri 09:00-17:00\r\nSat 10:00-12:00"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = form_from_fields(&fields).expect("fields");
        assert_eq!(form.services.len(), 2);
        assert!(form.services[0].out_of_hours && !form.services[1].out_of_hours);
        assert_eq!(form.services[1].hours, "Mon-Fri 09:00-17:00\nSat 10:00-12:00");
        assert!(form_from_fields(&[("service.999.id".into(), "x".into())]).is_err());
    }
}
