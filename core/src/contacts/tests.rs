use chrono::{NaiveDate, NaiveDateTime};
use safeguarding_content::{check, ContentFiles};

use super::*;
use crate::userdata::PersonalPhone;

const DIRECTORY: &str = "name = \"Test\"\ndescription = \"Test data\"\nsample = true\n";

fn area(id: &str, name: &str, districts: &str, lat: f64, lon: f64, extra: &str) -> String {
    format!(
        "[area]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"local-authority\"\nregion = \"Test\"\nnation = \"england\"\n\
         aliases = [\"{name} Town\"]\npostcode_districts = [{districts}]\nlatitude = {lat}\nlongitude = {lon}\n{extra}last_verified = 2026-11-23\n\n\
         [[service]]\nid = \"front-door\"\nkind = \"children-front-door\"\nname = \"Children's front door\"\nneeds = [\"children\"]\n\
         hours = [\"Mon-Thu 08:30-17:00\", \"Fri 08:30-16:30\"]\nlast_verified = 2026-11-23\n\n[[service.phones]]\nlabel = \"Referrals\"\nnumber = \"01632 960001\"\n\n\
         [[service]]\nid = \"edt\"\nkind = \"emergency-duty-team\"\nname = \"Emergency duty team\"\nneeds = [\"children\", \"adults\"]\nout_of_hours = true\n\
         hours = [\"Mon-Thu 17:00-08:30\", \"Fri 16:30-08:30\", \"Sat,Sun 00:00-24:00\", \"BH 00:00-24:00\"]\nlast_verified = 2026-11-23\n\n\
         [[service.phones]]\nlabel = \"Duty social worker\"\nnumber = \"01632 960002\"\n\n\
         [[service]]\nid = \"lado\"\nkind = \"lado\"\nname = \"LADO\"\nneeds = [\"lado\"]\nhours = [\"Mon-Fri 09:00-17:00\"]\nlast_verified = 2026-11-23\n\n\
         [[service.phones]]\nlabel = \"LADO\"\nnumber = \"07700 900001\"\n"
    )
}

/// Two square areas side by side (north: Alpha; south: Beta, with a hole), and a third with no
/// boundary far away.
fn book() -> ContactBook {
    let mut f = ContentFiles::new();
    f.insert("topics.toml", b"[[topic]]\nid = \"t\"\ntitle = \"T\"\ndescription = \"d\"\n".to_vec());
    // A release needs a page; these tests are about the contacts beside it.
    f.insert(
        "guidance/t/p.md",
        b"+++\nid = \"p\"\ntitle = \"P\"\ntopic = \"t\"\nkind = \"background\"\naudience = [\"health\"]\nsummary = \"S.\"\nkeywords = [\"k\"]\nlegal_basis = [\"An Act\"]\nsources = [\"A source\"]\nlast_reviewed = 2026-01-01\nnext_review = 2099-01-01\nversion = 1\n+++\n\nText.\n".to_vec(),
    );
    f.insert("contacts/test/directory.toml", DIRECTORY.as_bytes().to_vec());
    f.insert(
        "contacts/test/alpha.toml",
        area("alpha", "Alphaton", "\"AL1\", \"AL2\"", 53.75, -1.5, "boundary = \"alpha.geojson\"\n").into_bytes(),
    );
    f.insert(
        "contacts/test/beta.toml",
        area("beta", "Betaford", "\"BE1\"", 53.6, -1.5, "boundary = \"beta.geojson\"\n").into_bytes(),
    );
    f.insert("contacts/test/gamma.toml", area("gamma", "Gammaby", "\"GA1\"", 51.5, -0.1, "").into_bytes());
    f.insert(
        "contacts/test/alpha.geojson",
        br#"{"type":"Polygon","coordinates":[[[-1.6,53.7],[-1.4,53.7],[-1.4,53.8],[-1.6,53.8],[-1.6,53.7]]]}"#.to_vec(),
    );
    f.insert(
        "contacts/test/beta.geojson",
        br#"{"type":"Polygon","coordinates":[[[-1.6,53.55],[-1.4,53.55],[-1.4,53.7],[-1.6,53.7],[-1.6,53.55]],[[-1.52,53.6],[-1.48,53.6],[-1.48,53.62],[-1.52,53.62],[-1.52,53.6]]]}"#.to_vec(),
    );
    f.insert(
        "contacts/bank-holidays.toml",
        b"[[holiday]]\nregion = \"england-and-wales\"\ndate = 2026-12-28\nname = \"Boxing Day (substitute day)\"\n"
            .to_vec(),
    );
    f.insert(
        "contacts/national.toml",
        b"[[helpline]]\nid = \"nspcc\"\nname = \"NSPCC Helpline\"\nnumber = \"0808 800 5000\"\nneeds = [\"children\"]\nhours = \"see website\"\ndescription = \"Advice.\"\nchecked = 2026-11-23\n".to_vec(),
    );
    let checked = check(&f, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    assert!(!checked.diagnostics.has_errors(), "{}", checked.diagnostics);
    let c = checked.content;
    ContactBook::new(c.directories, c.bank_holidays, c.helplines)
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

#[test]
fn postcodes_full_partial_and_sloppy() {
    let b = book();
    for pc in ["AL1 2AB", "al12ab", "AL1", " al2 ", "AL2 9ZZ"] {
        assert_eq!(b.find_by_postcode(pc).unwrap().area.id, "alpha", "{pc}");
    }
    assert!(
        matches!(b.find_by_postcode("BE1").unwrap().method, LocateMethod::Postcode { ref district } if district == "BE1")
    );
    assert!(matches!(b.find_by_postcode("ZZ9 9ZZ"), Err(Error::NotFound { .. })));
    assert!(matches!(b.find_by_postcode("AL"), Err(Error::InvalidInput(m)) if m.contains("district")));
    assert!(matches!(b.find_by_postcode("not a postcode"), Err(Error::InvalidInput(_))));
    assert!(matches!(b.find_by_postcode(""), Err(Error::InvalidInput(_))));
}

#[test]
fn positions_boundaries_holes_and_fallback() {
    let b = book();
    let m = b.find_near(53.75, -1.5).unwrap();
    assert_eq!((m.area.id.as_str(), &m.method), ("alpha", &LocateMethod::Boundary));
    assert_eq!(b.find_near(53.58, -1.55).unwrap().area.id, "beta");
    // Just either side of the shared edge at 53.7.
    assert_eq!(b.find_near(53.7001, -1.5).unwrap().area.id, "alpha");
    assert_eq!(b.find_near(53.6999, -1.5).unwrap().area.id, "beta");
    // In Beta's hole: no boundary contains it, so the nearest centre (Beta's) is used, and said.
    let hole = b.find_near(53.61, -1.5).unwrap();
    assert_eq!(hole.area.id, "beta");
    assert!(matches!(hole.method, LocateMethod::NearestCentre { distance_km } if distance_km < 2.0));
    // Near an area with no boundary at all.
    assert_eq!(b.find_near(51.51, -0.12).unwrap().area.id, "gamma");
    assert!(matches!(b.find_near(40.7, -74.0), Err(Error::InvalidInput(_))));
    assert!(matches!(b.find_near(-1.5, 53.75), Err(Error::InvalidInput(_))), "swapped latitude and longitude");
    assert!(matches!(b.find_near(f64::NAN, 0.0), Err(Error::InvalidInput(_))));
}

#[test]
fn names_with_typos() {
    let b = book();
    assert_eq!(b.find_by_name("Alphaton").unwrap()[0].area.id, "alpha");
    assert_eq!(b.find_by_name("alfaton").unwrap()[0].area.id, "alpha");
    assert_eq!(b.find_by_name("Betaford Council").unwrap()[0].area.id, "beta");
    assert_eq!(b.find_by_name("gamma").unwrap()[0].area.id, "gamma");
    assert!(matches!(b.find_by_name("Zzyzx"), Err(Error::NotFound { .. })));
    assert!(matches!(b.find_by_name("  council "), Err(Error::InvalidInput(_))));
}

#[test]
fn the_day_team_in_hours() {
    let a = book().call_now("alpha", "children", at("2026-11-23T10:00")).unwrap(); // Monday
    assert!(!a.out_of_hours);
    assert_eq!(a.contact.as_ref().unwrap().id, "alpha/front-door");
    assert_eq!(a.phone.as_ref().unwrap().tel, "tel:+441632960001");
    assert_eq!(a.reason, "In hours: Children's front door is open until 17:00.");
    assert_eq!(a.out_of_hours_team.as_ref().map(|c| c.id.as_str()), Some("alpha/edt"));
    assert!(a.day_team.is_none());
}

#[test]
fn out_of_hours_with_reasons() {
    let b = book();
    let cases = [
        ("2026-11-23T17:00", "after 17:00 on Monday to Thursday"),
        ("2026-11-27T16:45", "after 16:30 on Fridays"),
        ("2026-11-24T03:00", "before 08:30 on Monday to Thursday"),
        ("2026-11-28T23:00", "it is the weekend"),
        ("2026-12-28T11:00", "Monday 28 December is a bank holiday (Boxing Day (substitute day))"),
    ];
    for (when, why) in cases {
        let a = b.call_now("alpha", "children", at(when)).unwrap();
        assert!(a.out_of_hours, "{when}");
        assert_eq!(a.contact.as_ref().map(|c| c.id.as_str()), Some("alpha/edt"), "{when}");
        assert!(a.reason.contains(why), "{when}: {}", a.reason);
        assert_eq!(a.day_team.as_ref().map(|c| c.id.as_str()), Some("alpha/front-door"));
        assert!(a.out_of_hours_team.is_none(), "{when}: the out-of-hours team is the contact");
        assert_eq!(a.national[0].phones[0].display, "0808 800 5000");
    }
    // The day after the bank holiday is an ordinary day again.
    assert!(!b.call_now("alpha", "children", at("2026-12-29T11:00")).unwrap().out_of_hours);
}

#[test]
fn no_local_service_open_or_listed() {
    let b = book();
    let a = b.call_now("alpha", "lado", at("2026-11-28T12:00")).unwrap();
    assert!(a.contact.is_none() && a.out_of_hours);
    assert!(a.reason.contains("no local out-of-hours service"), "{}", a.reason);
    let a = b.call_now("alpha", "prevent", at("2026-11-23T12:00")).unwrap();
    assert!(a.contact.is_none());
    assert!(a.reason.contains("lists no local service"), "{}", a.reason);
    assert!(matches!(b.call_now("alpha", "kittens", at("2026-11-23T12:00")), Err(Error::InvalidInput(_))));
    assert!(matches!(b.call_now("nowhere", "children", at("2026-11-23T12:00")), Err(Error::NotFound { .. })));
}

#[test]
fn search_covers_published_national_and_personal() {
    let b = book();
    let mine = PersonalContact {
        id: "personal:1".into(),
        name: "Dr Patel".into(),
        role: Some("GP safeguarding lead".into()),
        area_id: Some("alpha".into()),
        needs: vec!["children".into()],
        phones: vec![PersonalPhone { label: "Mobile".into(), number: "07700 900123".into() }],
        email: None,
        notes: None,
    };
    let hits = b.search("duty alphaton", std::slice::from_ref(&mine), None, 10);
    assert_eq!(hits[0].id, "alpha/edt");
    let hits = b.search("patel", std::slice::from_ref(&mine), None, 10);
    assert!(hits[0].personal && hits[0].area_name.as_deref() == Some("Alphaton"));
    let hits = b.search("nspcc", &[], None, 10);
    assert_eq!(hits[0].id, "national:nspcc");
    assert!(b.search("emergancy duty", &[], None, 10).iter().all(|h| h.kind == "emergency-duty-team"));
    assert!(b.search("", &[], None, 10).is_empty());
}

#[test]
fn vcards() {
    let b = book();
    let c = b.contact("alpha/edt", None).unwrap();
    let card = ContactBook::vcard(&c);
    assert!(
        card.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Emergency duty team (SAMPLE – not a real number)\r\n"),
        "{card}"
    );
    assert!(card.contains("TEL;TYPE=work,voice;VALUE=uri;LABEL=\"Duty social worker\":tel:+441632960002\r\n"));
    assert!(card.contains("SAMPLE DATA"));
    assert!(card.lines().all(|l| l.len() <= 77));
    assert!(card.ends_with("END:VCARD\r\n"));
    assert!(matches!(b.contact("alpha/nope", None), Err(Error::NotFound { .. })));
    assert!(matches!(b.contact("garbage", None), Err(Error::NotFound { .. })));
}
