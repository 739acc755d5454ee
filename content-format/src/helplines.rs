//! National helplines (`contacts/national.toml`): real public numbers, each with the date it was
//! last checked.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostics;
use crate::fields::{for_each_table, Fields};
use crate::page::is_slug;
use crate::phone::PhoneNumber;

/// What a caller needs help with. Services and helplines say which needs they meet, and the
/// contacts search routes a need to the right number.
pub const NEEDS: &[&str] = &[
    "emergency",
    "police",
    "children",
    "adults",
    "fgm",
    "prevent",
    "domestic-abuse",
    "modern-slavery",
    "forced-marriage",
    "honour-based-abuse",
    "mental-health",
    "mca",
    "health",
    "lado",
    "sexual-assault",
    "safeguarding-advice",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Helpline {
    pub id: String,
    pub name: String,
    pub number: PhoneNumber,
    pub needs: Vec<String>,
    pub hours: String,
    pub description: String,
    pub checked: NaiveDate,
    #[serde(skip)]
    pub(crate) checked_line: usize,
}

pub fn parse_helplines(path: &str, text: &str, diags: &mut Diagnostics) -> Vec<Helpline> {
    let mut out: Vec<Helpline> = Vec::new();
    for_each_table(path, text, "helpline", diags, |f| {
        let id = f.string("id", true);
        let name = f.string("name", true);
        let number = f.string("number", true);
        let needs = f.string_list("needs", true, 1);
        let hours = f.string("hours", true);
        let description = f.string("description", true);
        let checked = f.date("checked", true);
        if let Some(id) = &id {
            if !is_slug(&id.value) {
                f.error(id.line, format!("helpline id '{}' must be lower-case letters, digits and hyphens", id.value));
            }
            if out.iter().any(|h| h.id == id.value) {
                f.error(id.line, format!("helpline '{}' is listed twice", id.value));
            }
        }
        let parsed = number.as_ref().and_then(|n| match PhoneNumber::parse(&n.value) {
            Ok(p) => {
                if p.is_drama_range() {
                    f.error(n.line, format!("'{}' is a drama-range number, not a real helpline", n.value));
                }
                Some(p)
            }
            Err(e) => {
                f.error(n.line, e.to_string());
                None
            }
        });
        check_needs(f, needs.as_deref().unwrap_or_default());
        if let (Some(id), Some(name), Some(number), Some(needs), Some(hours), Some(description), Some(checked)) =
            (id, name, parsed, needs, hours, description, checked)
        {
            out.push(Helpline {
                id: id.value,
                name: name.value,
                number,
                needs: needs.into_iter().map(|n| n.value).collect(),
                hours: hours.value,
                description: description.value,
                checked: checked.value,
                checked_line: checked.line,
            });
        }
    });
    out
}

pub(crate) fn check_needs(f: &mut Fields<'_, '_, '_, '_>, needs: &[crate::fields::Located<String>]) {
    for n in needs {
        if !NEEDS.contains(&n.value.as_str()) {
            f.error(n.line, format!("unknown need '{}' (expected one of: {})", n.value, NEEDS.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_helplines_and_rejects_bad_numbers() {
        let text = r#"
[[helpline]]
id = "nspcc-fgm"
name = "NSPCC FGM Helpline"
number = "0800 028 3550"
needs = ["fgm"]
hours = "24/7"
description = "Advice."
checked = 2026-11-23

[[helpline]]
id = "fake"
name = "Fake"
number = "01632 960000"
needs = ["kittens"]
hours = "24/7"
description = "x"
checked = 2026-11-23
"#;
        let mut diags = Diagnostics::default();
        let lines = parse_helplines("contacts/national.toml", text, &mut diags);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].number.display(), "0800 028 3550");
        let msgs: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert!(
            msgs.iter().any(|m| m.starts_with("contacts/national.toml:14: error: '01632 960000' is a drama-range")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("contacts/national.toml:15: error: unknown need 'kittens'")),
            "{msgs:?}"
        );
    }
}
