//! `safeguarding contacts`: the right number for where you are, now.

use chrono::NaiveDateTime;
use clap::{Args, Subcommand};
use safeguarding_core::contacts::london_now;
use safeguarding_core::{
    AreaMatch, CallAdvice, ContactView, Error, Library, PersonalContact, PersonalPhone, PhoneView,
};
use serde_json::{json, Value};

use crate::output::json_text;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ContactsArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// A full or partial postcode: "LS6 2AB", "ls62ab" or "LS6".
    #[arg(long, conflicts_with_all = ["near", "area"])]
    postcode: Option<String>,
    /// A position, latitude then longitude: "53.80,-1.55".
    #[arg(long, conflicts_with = "area", allow_hyphen_values = true)]
    near: Option<String>,
    /// A place or council name (typos are fine).
    #[arg(long)]
    area: Option<String>,
    /// What the call is about: children, adults, police, prevent, lado, domestic-abuse, ...
    #[arg(long)]
    need: Option<String>,
    /// UK local time to plan for, e.g. "2026-11-28T23:30" (default: now).
    #[arg(long)]
    at: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Action {
    /// Search published, national and personal contacts.
    Search {
        query: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add a personal contact.
    Add(PersonalArgs),
    /// Edit a personal contact (fields given replace the old ones).
    Edit {
        id: String,
        #[command(flatten)]
        fields: PersonalArgs,
    },
    /// Remove a personal contact.
    Remove { id: String },
    /// List personal contacts.
    ListPersonal {
        #[arg(long)]
        json: bool,
    },
    /// Print a contact as a vCard.
    Vcard { id: String },
    /// Set (or with no area, clear) your home area, used when no location is given.
    Home { area: Option<String> },
}

#[derive(Args)]
struct PersonalArgs {
    #[arg(long)]
    name: Option<String>,
    /// A number, optionally labelled: "Mobile=07700 900123". Repeat for more.
    #[arg(long = "phone")]
    phones: Vec<String>,
    #[arg(long)]
    role: Option<String>,
    /// Area id, e.g. sample-leeds.
    #[arg(long = "in-area")]
    area: Option<String>,
    #[arg(long = "for")]
    needs: Vec<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    notes: Option<String>,
}

fn parse_at(at: Option<&str>) -> Result<NaiveDateTime, Error> {
    let Some(text) = at else { return Ok(london_now()) };
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text.trim(), format) {
            return Ok(t);
        }
    }
    Err(Error::InvalidInput(format!("'{text}' is not a date and time like 2026-11-28T23:30")))
}

fn parse_near(text: &str) -> Result<(f64, f64), Error> {
    let bad = || Error::InvalidInput(format!("'{text}' is not a position like 53.80,-1.55 (latitude,longitude)"));
    let (lat, lon) = text.split_once(',').ok_or_else(bad)?;
    Ok((lat.trim().parse().map_err(|_| bad())?, lon.trim().parse().map_err(|_| bad())?))
}

fn phone_json(p: &PhoneView) -> Value {
    json!({"label": p.label, "display": p.display, "tel": p.tel, "e164": p.e164})
}

fn contact_json(c: &ContactView) -> Value {
    json!({
        "id": c.id, "name": c.name, "kind": c.kind, "kind_label": c.kind_label,
        "area_id": c.area_id, "area_name": c.area_name, "needs": c.needs,
        "phones": c.phones.iter().map(phone_json).collect::<Vec<_>>(),
        "email": c.email, "website": c.website, "notes": c.notes, "hours": c.hours,
        "out_of_hours": c.out_of_hours, "open_now": c.open_now, "personal": c.personal,
        "sample": c.sample, "favourite": c.favourite, "note": c.note,
    })
}

fn area_json(m: &AreaMatch) -> Value {
    json!({"id": m.area.id, "name": m.area.name, "region": m.area.region, "sample": m.area.sample, "found_by": m.method.describe()})
}

const SAMPLE_WARNING: &str = "SAMPLE DATA: these numbers are fictional (Ofcom's drama range) and reach no one.";

fn contact_lines(out: &mut String, c: &ContactView, indent: &str) {
    let open = match c.open_now {
        Some(true) => "  [open]",
        Some(false) => "  [closed]",
        None => "",
    };
    let personal = if c.personal { "  (personal)" } else { "" };
    out.push_str(&format!("{indent}{}{open}{personal}\n", c.name));
    for p in &c.phones {
        out.push_str(&format!("{indent}  ☎ {:<15} {}  {}\n", p.display, p.label, p.tel));
    }
    if !c.hours.is_empty() {
        out.push_str(&format!("{indent}  Hours: {}\n", c.hours.join("; ")));
    }
    if let Some(n) = &c.note {
        out.push_str(&format!("{indent}  Your note: {n}\n"));
    }
}

pub fn run(library: &Library, args: ContactsArgs) -> Result<String, Error> {
    match args.action {
        Some(action) => run_action(library, action),
        None => lookup(library, args),
    }
}

fn locate(library: &Library, args: &ContactsArgs) -> Result<(AreaMatch, Vec<AreaMatch>), Error> {
    if let Some(pc) = &args.postcode {
        return Ok((library.find_area_by_postcode(pc)?, Vec::new()));
    }
    if let Some(near) = &args.near {
        let (lat, lon) = parse_near(near)?;
        return Ok((library.find_area_near(lat, lon)?, Vec::new()));
    }
    if let Some(name) = &args.area {
        let mut found = library.find_areas_by_name(name)?;
        let best = found.remove(0);
        return Ok((best, found));
    }
    match library.home_area()? {
        Some(area) => Ok((AreaMatch { area, method: safeguarding_core::LocateMethod::Name }, Vec::new())),
        None => Err(Error::InvalidInput(
            "say where: --postcode, --near LAT,LON or --area NAME (or set a home area: safeguarding contacts home AREA-ID)".into(),
        )),
    }
}

fn lookup(library: &Library, args: ContactsArgs) -> Result<String, Error> {
    let at = parse_at(args.at.as_deref())?;
    let (found, others) = locate(library, &args)?;
    let mut out = String::new();
    if let Some(need) = &args.need {
        let advice = library.call_now(&found.area.id, need, Some(at))?;
        if args.json {
            return Ok(json_text(&advice_json(&found, &advice)));
        }
        print_advice(&mut out, &found, &others, &advice);
        return Ok(out);
    }
    let services = library.area_services(&found.area.id, Some(at))?;
    if args.json {
        let v = json!({"area": area_json(&found), "at": at.format("%Y-%m-%dT%H:%M").to_string(),
            "services": services.iter().map(contact_json).collect::<Vec<_>>()});
        return Ok(json_text(&v));
    }
    print_area_header(&mut out, &found, &others);
    out.push_str(&format!("Services ({}):\n", at.format("%A %-d %B %Y, %H:%M")));
    for s in &services {
        contact_lines(&mut out, s, "  ");
    }
    out.push_str("\nAdd --need children|adults|... for the number to call now.\n");
    Ok(out)
}

fn print_area_header(out: &mut String, found: &AreaMatch, others: &[AreaMatch]) {
    print_area_line(out, &found.area, &format!("found by {}", found.method.describe()), others);
}

fn print_area_line(out: &mut String, area: &safeguarding_core::AreaSummary, how: &str, others: &[AreaMatch]) {
    out.push_str(&format!("{}, {} — {how}\n", area.name, area.region));
    if !others.is_empty() {
        let names: Vec<&str> = others.iter().take(3).map(|m| m.area.name.as_str()).collect();
        out.push_str(&format!("(also matched: {})\n", names.join(", ")));
    }
    if area.sample {
        out.push_str(SAMPLE_WARNING);
        out.push('\n');
    }
    out.push('\n');
}

/// The call-now card a search opens with when its query names a place.
pub fn print_card(out: &mut String, a: &CallAdvice) {
    print_area_line(out, &a.area, "named in your search", &[]);
    print_advice_body(out, a);
    out.push_str("\n— Guidance —\n\n");
}

pub fn card_json(a: &CallAdvice) -> Value {
    advice_json(&AreaMatch { area: a.area.clone(), method: safeguarding_core::LocateMethod::Name }, a)
}

fn print_advice(out: &mut String, found: &AreaMatch, others: &[AreaMatch], a: &CallAdvice) {
    print_area_header(out, found, others);
    print_advice_body(out, a);
}

fn print_advice_body(out: &mut String, a: &CallAdvice) {
    out.push_str(&format!("CALL NOW for {} ({}):\n", a.need, a.at.format("%A %-d %B %Y, %H:%M")));
    match &a.contact {
        Some(c) => contact_lines(out, c, "  "),
        None => out.push_str("  No local service is open.\n"),
    }
    out.push_str(&format!("  {}\n", a.reason));
    if let Some(d) = &a.day_team {
        out.push_str(&format!("\n  Day team (when open): {} — {}\n", d.name, d.hours.join("; ")));
    }
    if let Some(o) = &a.out_of_hours_team {
        let phone = o.phones.first().map_or(String::new(), |p| format!(" ☎ {}", p.display));
        out.push_str(&format!("\n  Once it closes: {}{phone} — {}\n", o.name, o.hours.join("; ")));
    }
    if !a.national.is_empty() {
        out.push_str("\nNational:\n");
        for n in &a.national {
            out.push_str(&format!(
                "  {} ☎ {}  ({})\n",
                n.name,
                n.phones.first().map_or("", |p| p.display.as_str()),
                n.hours.join("; ")
            ));
        }
    }
    out.push_str("\nIf someone is in immediate danger, call 999.\n");
}

fn advice_json(found: &AreaMatch, a: &CallAdvice) -> Value {
    json!({
        "area": area_json(found),
        "need": a.need,
        "at": a.at.format("%Y-%m-%dT%H:%M").to_string(),
        "out_of_hours": a.out_of_hours,
        "reason": a.reason,
        "contact": a.contact.as_ref().map(contact_json),
        "phone": a.phone.as_ref().map(phone_json),
        "day_team": a.day_team.as_ref().map(contact_json),
        "out_of_hours_team": a.out_of_hours_team.as_ref().map(contact_json),
        "national": a.national.iter().map(contact_json).collect::<Vec<_>>(),
    })
}

fn personal_from(args: PersonalArgs, base: Option<PersonalContact>) -> Result<PersonalContact, Error> {
    let mut c = base.unwrap_or(PersonalContact {
        id: String::new(),
        name: String::new(),
        role: None,
        area_id: None,
        needs: Vec::new(),
        phones: Vec::new(),
        email: None,
        notes: None,
    });
    if let Some(n) = args.name {
        c.name = n;
    }
    if !args.phones.is_empty() {
        c.phones = args
            .phones
            .iter()
            .map(|p| match p.split_once('=') {
                Some((label, number)) => {
                    PersonalPhone { label: label.trim().to_string(), number: number.trim().to_string() }
                }
                None => PersonalPhone { label: "Phone".into(), number: p.trim().to_string() },
            })
            .collect();
    }
    if args.role.is_some() {
        c.role = args.role;
    }
    if args.area.is_some() {
        c.area_id = args.area;
    }
    if !args.needs.is_empty() {
        c.needs = args.needs;
    }
    if args.email.is_some() {
        c.email = args.email;
    }
    if args.notes.is_some() {
        c.notes = args.notes;
    }
    Ok(c)
}

fn run_action(library: &Library, action: Action) -> Result<String, Error> {
    let mut out = String::new();
    match action {
        Action::Search { query, json } => {
            let hits = library.search_contacts(&query.join(" "), 20)?;
            if json {
                return Ok(json_text(&Value::Array(hits.iter().map(contact_json).collect())));
            }
            if hits.is_empty() {
                out.push_str("No contacts match.\n");
            }
            for h in &hits {
                let area = h.area_name.as_deref().unwrap_or(if h.personal { "personal" } else { "national" });
                out.push_str(&format!(
                    "{}  [{}]  {}{}\n",
                    h.id,
                    area,
                    h.kind_label,
                    if h.sample { "  SAMPLE" } else { "" }
                ));
                contact_lines(&mut out, h, "  ");
            }
        }
        Action::Add(args) => {
            let id = library.save_personal_contact(&personal_from(args, None)?)?;
            out.push_str(&format!("Added {id}\n"));
        }
        Action::Edit { id, fields } => {
            let existing = library
                .personal_contacts()?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or_else(|| Error::NotFound { what: "personal contact", id: id.clone() })?;
            let base = PersonalContact {
                id: existing.id,
                name: existing.name,
                role: (existing.kind_label != "Personal contact").then_some(existing.kind_label),
                area_id: existing.area_id,
                needs: existing.needs,
                phones: existing
                    .phones
                    .iter()
                    .map(|p| PersonalPhone { label: p.label.clone(), number: p.display.clone() })
                    .collect(),
                email: existing.email,
                notes: existing.notes,
            };
            library.save_personal_contact(&personal_from(fields, Some(base))?)?;
            out.push_str(&format!("Saved {id}\n"));
        }
        Action::Remove { id } => {
            if !library.delete_personal_contact(&id)? {
                return Err(Error::NotFound { what: "personal contact", id });
            }
            out.push_str(&format!("Removed {id}\n"));
        }
        Action::ListPersonal { json } => {
            let all = library.personal_contacts()?;
            if json {
                return Ok(json_text(&Value::Array(all.iter().map(contact_json).collect())));
            }
            if all.is_empty() {
                out.push_str("No personal contacts yet: safeguarding contacts add --name NAME --phone NUMBER\n");
            }
            for c in &all {
                out.push_str(&format!("{}\n", c.id));
                contact_lines(&mut out, c, "  ");
            }
        }
        Action::Vcard { id } => out = library.vcard(&id)?,
        Action::Home { area } => {
            library.set_home_area(area.as_deref())?;
            out = match area {
                Some(a) => format!("Home area set to {a}\n"),
                None => "Home area cleared\n".to_string(),
            };
        }
    }
    Ok(out)
}
