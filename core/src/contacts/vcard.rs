//! Contacts as vCard 4.0 (RFC 6350), for saving into the phone's address book.

use super::ContactView;

/// Escapes vCard's special characters and drops control characters, which an address book
/// might otherwise interpret or show as garbage.
fn escape(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control() || *c == '\n').collect();
    s.replace('\\', "\\\\").replace(',', "\\,").replace(';', "\\;").replace('\n', "\\n")
}

/// Folds lines longer than 75 octets, as the RFC requires, without splitting a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in line.chars() {
        if len + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += c.len_utf8();
    }
    out
}

pub fn to_vcard(c: &ContactView) -> String {
    let mut lines = vec!["BEGIN:VCARD".to_string(), "VERSION:4.0".to_string()];
    let name = if c.sample { format!("{} (SAMPLE – not a real number)", c.name) } else { c.name.clone() };
    lines.push(format!("FN:{}", escape(&name)));
    if let Some(area) = &c.area_name {
        lines.push(format!("ORG:{}", escape(area)));
    }
    if !c.kind_label.is_empty() {
        lines.push(format!("TITLE:{}", escape(&c.kind_label)));
    }
    for p in &c.phones {
        lines.push(format!(
            "TEL;TYPE=work,voice;VALUE=uri;LABEL=\"{}\":{}",
            p.label.chars().filter(|c| !c.is_control()).collect::<String>().replace('"', "'"),
            p.tel
        ));
    }
    if let Some(e) = &c.email {
        lines.push(format!("EMAIL;TYPE=work:{}", escape(e)));
    }
    if let Some(w) = &c.website {
        lines.push(format!("URL:{}", w));
    }
    let mut note = Vec::new();
    if c.sample {
        note.push("SAMPLE DATA: this number is fictional.".to_string());
    }
    if !c.hours.is_empty() {
        note.push(format!("Hours: {}", c.hours.join("; ")));
    }
    if let Some(n) = &c.notes {
        note.push(n.clone());
    }
    if !note.is_empty() {
        lines.push(format!("NOTE:{}", escape(&note.join("\n"))));
    }
    lines.push("END:VCARD".to_string());
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("\r\n") + "\r\n"
}
