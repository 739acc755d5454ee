//! Contacts as a crew uses them, on the bundled sample directory: find the area, get the
//! number for now, keep personal contacts through content updates.

use chrono::NaiveDateTime;
use safeguarding_core::content::ContentFiles;
use safeguarding_core::{Cancel, Error, NoProgress, NoteTarget, PersonalContact, PersonalPhone, Work};
use safeguarding_flow_tests::{bundled_library, content_dir};

fn at(s: &str) -> Option<NaiveDateTime> {
    Some(NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap())
}

fn work() -> Work<'static> {
    static CANCEL: std::sync::OnceLock<Cancel> = std::sync::OnceLock::new();
    Work { progress: &NoProgress, cancel: CANCEL.get_or_init(Cancel::new) }
}

#[test]
fn saturday_night_in_leeds() {
    let (_d, lib) = bundled_library();
    let area = lib.find_area_by_postcode("LS6 2AB").unwrap().area;
    assert_eq!(area.id, "sample-leeds");
    assert!(area.sample);
    let advice = lib.call_now(&area.id, "children", at("2026-11-28T23:30")).unwrap();
    assert!(advice.out_of_hours);
    assert_eq!(advice.contact.as_ref().unwrap().kind, "emergency-duty-team");
    assert!(advice.reason.contains("weekend"), "{}", advice.reason);
    let phone = advice.phone.unwrap();
    assert!(phone.display.starts_with("0113 496 0"), "{}", phone.display);
    assert!(phone.tel.starts_with("tel:+44113496"));

    let weekday = lib.call_now(&area.id, "children", at("2026-11-25T11:00")).unwrap();
    assert_eq!(weekday.contact.unwrap().kind, "children-front-door");
    let christmas = lib.call_now(&area.id, "adults", at("2026-12-25T11:00")).unwrap();
    assert!(christmas.reason.contains("bank holiday (Christmas Day)"), "{}", christmas.reason);
}

#[test]
fn every_sample_area_is_reachable_by_postcode_position_and_name() {
    let (_d, lib) = bundled_library();
    let areas = lib.areas().unwrap();
    assert!(areas.len() >= 8);
    for a in &areas {
        let services = lib.area_services(&a.id, at("2026-11-23T12:00")).unwrap();
        assert!(services.iter().all(|s| s.sample && s.phones.iter().all(|p| !p.display.is_empty())));
        let named = lib.find_areas_by_name(&a.name.replace(" (sample)", "")).unwrap();
        assert_eq!(named[0].area.id, a.id, "{}", a.name);
    }
    assert_eq!(lib.find_area_near(53.8008, -1.5491).unwrap().area.id, "sample-leeds");
    assert_eq!(lib.find_area_near(53.3811, -1.4701).unwrap().area.id, "sample-sheffield");
    assert_eq!(lib.find_areas_by_name("sheffeild").unwrap()[0].area.id, "sample-sheffield");
    assert!(matches!(lib.find_area_near(48.85, 2.35), Err(Error::InvalidInput(_))));
}

#[test]
fn personal_contacts_favourites_and_notes_survive_updates() {
    let (dir, lib) = bundled_library();
    let id = lib
        .save_personal_contact(&PersonalContact {
            id: String::new(),
            name: "Night coordinator".into(),
            role: Some("Ambulance control".into()),
            area_id: Some("sample-leeds".into()),
            needs: vec![],
            phones: vec![PersonalPhone { label: "Direct".into(), number: "07700 900555".into() }],
            email: None,
            notes: None,
        })
        .unwrap();
    lib.set_favourite("sample-leeds/emergency-duty-team", true).unwrap();
    lib.set_note(&NoteTarget::Contact("sample-leeds/emergency-duty-team".into()), "Ask for the duty senior").unwrap();
    lib.set_home_area(Some("sample-leeds")).unwrap();
    let hits = lib.search_contacts("night coordinator", 5).unwrap();
    assert!(hits[0].personal && hits[0].id == id);

    // Edit, then reject a bad number without losing the saved one.
    let mut c = PersonalContact {
        id: id.clone(),
        name: "Night co-ordinator".into(),
        role: None,
        area_id: None,
        needs: vec![],
        phones: vec![PersonalPhone { label: "Direct".into(), number: "07700 900556".into() }],
        email: None,
        notes: None,
    };
    lib.save_personal_contact(&c).unwrap();
    c.phones[0].number = "12345".into();
    assert!(matches!(lib.save_personal_contact(&c), Err(Error::InvalidInput(_))));
    assert_eq!(lib.contact(&id).unwrap().phones[0].display, "07700 900556");

    // A content update (one page edited) leaves all of it alone.
    let mut files = ContentFiles::from_dir(&content_dir()).unwrap();
    let page = "guidance/fgm/fgm-what-it-is.md";
    let mut text = String::from_utf8(files.get(page).unwrap().to_vec()).unwrap();
    text.push_str("\nAn extra line from an update.\n");
    files.insert(page, text.into_bytes());
    assert!(lib.install_files(&files, "update", &work()).unwrap().installed);
    drop(lib);
    let lib = safeguarding_core::Library::open(dir.path()).unwrap();
    assert_eq!(lib.personal_contacts().unwrap().len(), 1);
    let fav = lib.favourites().unwrap();
    assert_eq!(fav[0].id, "sample-leeds/emergency-duty-team");
    assert_eq!(fav[0].note.as_deref(), Some("Ask for the duty senior"));
    assert_eq!(lib.home_area().unwrap().unwrap().id, "sample-leeds");
    assert!(lib.delete_personal_contact(&id).unwrap());
}

#[test]
fn a_corrupt_contacts_file_is_refused_and_the_old_directory_kept() {
    let (_d, lib) = bundled_library();
    let mut files = ContentFiles::from_dir(&content_dir()).unwrap();
    files.insert("contacts/sample-yorkshire/leeds.toml", b"[area]\nid = \"sample-leeds\"\nname = \n".to_vec());
    match lib.install_files(&files, "update", &work()) {
        Err(Error::InvalidContent(d)) => {
            assert!(d.to_string().contains("contacts/sample-yorkshire/leeds.toml:3: error"), "{d}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(lib.find_area_by_postcode("LS6").unwrap().area.id, "sample-leeds");
}

#[test]
fn vcard_export() {
    let (_d, lib) = bundled_library();
    let card = lib.vcard("sample-leeds/children-front-door").unwrap();
    assert!(card.contains("FN:Children's social care front door (MASH) (SAMPLE"));
    assert!(card.contains("tel:+44113496"));
    assert!(lib.vcard("national:nspcc-helpline").unwrap().contains("tel:+448088005000"));
}

/// A place, postcode district or misspelt town in the search box opens the results with that
/// area's call-now card for the need the words imply, and the guidance under it is about the
/// same need; a place the directory does not cover gives no card and no error.
#[test]
fn search_that_names_a_place_opens_with_its_call_now_card() {
    use safeguarding_core::SearchRequest;
    let (_d, lib) = bundled_library();
    let search = |q: &str| lib.search(&SearchRequest::new(q)).expect("search");

    for (q, area, need) in [
        ("sheffield out of hours", "sample-sheffield", "children"),
        ("sheffeild out of hours social worker", "sample-sheffield", "children"),
        ("LS6 adult safeguarding", "sample-leeds", "adults"),
        ("ls6 4ab elderly neighbour bruises", "sample-leeds", "adults"),
        ("leeds domestic abuse", "sample-leeds", "domestic-abuse"),
    ] {
        let r = search(q);
        let card = r.contact_card.as_ref().unwrap_or_else(|| panic!("{q:?}: no card"));
        assert_eq!((card.area.id.as_str(), card.need.as_str()), (area, need), "{q:?}");
        assert!(card.phone.is_some() || !card.national.is_empty(), "{q:?}: nothing to ring");
        assert_eq!(r.query, q, "the query is reported as typed");
        let topic = safeguarding_core::contacts::topic_for_need(need).expect("topic");
        assert_eq!(r.results.first().map(|p| p.topic.as_str()), Some(topic), "{q:?}: {:?}", r.results);
    }

    // Only the place was typed: the card alone is the answer.
    let r = search("Sheffield");
    assert!(r.contact_card.is_some() && r.results.is_empty(), "{:?}", r.results);

    // No place, a place outside the directory, or an English word that only looks like a town.
    for q in ["fgm reporting", "glasgow duty social worker", "leads on safeguarding"] {
        let r = search(q);
        assert!(r.contact_card.is_none(), "{q:?}: {:?}", r.contact_card.map(|c| c.area.id));
        assert!(!r.results.is_empty(), "{q:?}: no guidance");
    }
}
