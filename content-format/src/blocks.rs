//! The structured form of a page body that apps render natively: headings with anchors,
//! paragraphs, lists, steps and callouts, with inline styles and links as offset ranges.
//!
//! Offsets count UTF-16 code units: the unit of Kotlin and Java strings, JavaScript and
//! `NSString`, so an app can apply a range without converting it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Heading {
        level: u8,
        text: String,
        anchor: String,
    },
    Paragraph {
        text: RichText,
    },
    /// A bulleted list.
    List {
        items: Vec<ListItem>,
    },
    /// A numbered list: things to do, in order.
    Steps {
        items: Vec<ListItem>,
    },
    Callout {
        kind: CalloutKind,
        paragraphs: Vec<RichText>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalloutKind {
    /// Something that must happen now: call 999, report today.
    ActNow,
    Warning,
    Note,
}

impl CalloutKind {
    pub fn from_marker(marker: &str) -> Option<CalloutKind> {
        match marker.trim().to_ascii_uppercase().as_str() {
            "ACT NOW" | "ACT-NOW" => Some(CalloutKind::ActNow),
            "WARNING" => Some(CalloutKind::Warning),
            "NOTE" => Some(CalloutKind::Note),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CalloutKind::ActNow => "Act now",
            CalloutKind::Warning => "Warning",
            CalloutKind::Note => "Note",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    /// 0 for a top-level item, 1 for an item nested under it, and so on.
    pub depth: u8,
    pub text: RichText,
}

/// Text with styled ranges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RichText {
    pub text: String,
    pub marks: Vec<Mark>,
}

/// A styled range of a [`RichText`], in UTF-16 code units, end exclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub start: u32,
    pub end: u32,
    pub style: Style,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum Style {
    Bold,
    Italic,
    Link { target: LinkTarget },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkTarget {
    /// Another guidance page, optionally at a section.
    Page {
        id: String,
        anchor: Option<String>,
    },
    /// A number to dial: `tel` is the URI for the dialler, `display` the number as people write it.
    Phone {
        tel: String,
        display: String,
    },
    Web {
        url: String,
    },
    Email {
        address: String,
    },
}

impl RichText {
    pub fn plain(text: impl Into<String>) -> RichText {
        RichText { text: text.into(), marks: Vec::new() }
    }

    pub fn utf16_len(&self) -> u32 {
        utf16_len(&self.text)
    }

    /// Removes `n` bytes from the start, moving the marks with the text.
    pub(crate) fn trim_start_bytes(&mut self, n: usize) {
        let cut = utf16_len(&self.text[..n]);
        self.text.drain(..n);
        self.marks.retain_mut(|m| {
            m.start = m.start.saturating_sub(cut);
            m.end = m.end.saturating_sub(cut);
            m.end > m.start
        });
    }
}

pub(crate) fn utf16_len(s: &str) -> u32 {
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

impl Block {
    /// The block's words as plain text, for search and for `show --json`.
    pub fn plain_text(&self) -> String {
        match self {
            Block::Heading { text, .. } => text.clone(),
            Block::Paragraph { text } => text.text.clone(),
            Block::List { items } | Block::Steps { items } => {
                items.iter().map(|i| i.text.text.as_str()).collect::<Vec<_>>().join("\n")
            }
            Block::Callout { paragraphs, .. } => {
                paragraphs.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n")
            }
        }
    }
}

/// Makes an anchor from heading text: `Who must report?` -> `who-must-report`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '/') && !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Who must report?"), "who-must-report");
        assert_eq!(slugify("  Step 1 - call 999 "), "step-1-call-999");
        assert_eq!(slugify("Children's social care / MASH"), "childrens-social-care-mash");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn trimming_moves_marks() {
        let mut t = RichText {
            text: "[!NOTE] é bold".into(),
            marks: vec![
                Mark { start: 10, end: 14, style: Style::Bold },
                Mark { start: 0, end: 7, style: Style::Italic },
            ],
        };
        t.trim_start_bytes("[!NOTE] ".len());
        assert_eq!(t.text, "é bold");
        assert_eq!(t.marks, vec![Mark { start: 2, end: 6, style: Style::Bold }]);
    }
}
