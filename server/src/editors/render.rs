//! The apps' `Block` model as HTML for previews and published pages. Every piece of text and
//! every attribute is escaped here; the templates receive this HTML as already safe. Link
//! targets come from the validator, which only admits `page:`, `tel:`, `mailto:` and
//! http(s) links, and are checked again here, so no `javascript:` URL can reach a page.

use std::fmt::Write;

use safeguarding_content::{Block, CalloutKind, LinkTarget, ListItem, Page, RichText, Style};

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page as the apps show it: title, summary, then the body.
pub fn page(page: &Page) -> String {
    let mut out = String::new();
    let _ = write!(out, "<article class=\"page-preview\"><h1>{}</h1>", escape(&page.title));
    let _ = write!(out, "<p class=\"summary\">{}</p>", escape(&page.summary));
    out.push_str(&blocks(&page.blocks));
    out.push_str("</article>");
    out
}

pub fn blocks(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading { level, text, anchor } => {
                // The page title is the h1; body headings start at h2.
                let level = (*level).clamp(2, 6);
                let _ = write!(out, "<h{level} id=\"{}\">{}</h{level}>", escape(anchor), escape(text));
            }
            Block::Paragraph { text } => {
                let _ = write!(out, "<p>{}</p>", rich(text));
            }
            Block::List { items } => list(&mut out, "ul", items),
            Block::Steps { items } => list(&mut out, "ol", items),
            Block::Callout { kind, paragraphs } => {
                let class = match kind {
                    CalloutKind::ActNow => "act-now",
                    CalloutKind::Warning => "warning",
                    CalloutKind::Note => "note",
                };
                let _ =
                    write!(out, "<aside class=\"callout {class}\"><strong class=\"label\">{}</strong>", kind.label());
                for p in paragraphs {
                    let _ = write!(out, "<p>{}</p>", rich(p));
                }
                out.push_str("</aside>");
            }
        }
    }
    out
}

/// Nested items as nested lists; depth comes from the model, so it is bounded by the source.
fn list(out: &mut String, tag: &str, items: &[ListItem]) {
    let mut depth: i32 = -1;
    for item in items {
        let d = i32::from(item.depth.min(8));
        while depth < d {
            let _ = write!(out, "<{tag}>");
            depth += 1;
        }
        while depth > d {
            let _ = write!(out, "</{tag}>");
            depth -= 1;
        }
        let _ = write!(out, "<li>{}</li>", rich(&item.text));
    }
    while depth >= 0 {
        let _ = write!(out, "</{tag}>");
        depth -= 1;
    }
}

/// Styled text: the marks are UTF-16 ranges that may overlap, so the text is cut at every
/// mark boundary and each piece wrapped in the marks that cover it (always well nested).
pub fn rich(text: &RichText) -> String {
    // Byte offset of each UTF-16 position that starts a character.
    let mut at_utf16 = Vec::with_capacity(text.text.len() + 1);
    let mut units = 0u32;
    for (byte, c) in text.text.char_indices() {
        at_utf16.push((units, byte));
        units += c.len_utf16() as u32;
    }
    at_utf16.push((units, text.text.len()));
    let byte_of = |u: u32| -> usize {
        match at_utf16.binary_search_by_key(&u, |(unit, _)| *unit) {
            Ok(i) => at_utf16[i].1,
            // Inside a surrogate pair: round down to the character's start.
            Err(i) => at_utf16[i.saturating_sub(1)].1,
        }
    };
    let mut cuts: Vec<u32> = vec![0, units];
    for m in &text.marks {
        cuts.push(m.start.min(units));
        cuts.push(m.end.min(units));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::new();
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let piece = &text.text[byte_of(from)..byte_of(to)];
        if piece.is_empty() {
            continue;
        }
        let covering: Vec<&Style> =
            text.marks.iter().filter(|m| m.start <= from && m.end >= to).map(|m| &m.style).collect();
        let mut open = String::new();
        let mut close = String::new();
        // Links outermost, then bold, then italic: one fixed order keeps the nesting valid.
        for style in covering.iter().filter(|s| matches!(s, Style::Link { .. })) {
            if let Style::Link { target } = style {
                open.push_str(&link_open(target));
                close.insert_str(0, "</a>");
            }
        }
        if covering.iter().any(|s| matches!(s, Style::Bold)) {
            open.push_str("<strong>");
            close.insert_str(0, "</strong>");
        }
        if covering.iter().any(|s| matches!(s, Style::Italic)) {
            open.push_str("<em>");
            close.insert_str(0, "</em>");
        }
        out.push_str(&open);
        out.push_str(&escape(piece));
        out.push_str(&close);
    }
    out
}

fn link_open(target: &LinkTarget) -> String {
    let (href, class) = match target {
        LinkTarget::Page { id, anchor } => {
            let mut href = format!("/pages/{}", escape(id));
            if let Some(a) = anchor {
                href.push('#');
                href.push_str(&escape(a));
            }
            (href, "page-link")
        }
        LinkTarget::Phone { tel, .. } => (escape(tel), "tel-link"),
        LinkTarget::Email { address } => (format!("mailto:{}", escape(address)), "email-link"),
        LinkTarget::Web { url } if url.starts_with("https://") || url.starts_with("http://") => {
            (escape(url), "web-link")
        }
        LinkTarget::Web { .. } => ("#".into(), "web-link"),
    };
    format!("<a class=\"{class}\" href=\"{href}\" rel=\"noopener noreferrer\">")
}

#[cfg(test)]
mod tests {
    use super::*;
    use safeguarding_content::Mark;

    #[test]
    fn text_is_escaped_and_marks_nest() {
        let t = RichText {
            text: "Call <b>101</b> now".into(),
            marks: vec![
                Mark { start: 0, end: 15, style: Style::Bold },
                Mark {
                    start: 5,
                    end: 15,
                    style: Style::Link { target: LinkTarget::Phone { tel: "tel:101".into(), display: "101".into() } },
                },
            ],
        };
        let html = rich(&t);
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;b&gt;101&lt;/b&gt;"), "{html}");
        assert!(html.contains("<a class=\"tel-link\" href=\"tel:101\""), "{html}");
        assert!(html.ends_with(" now"), "{html}");
    }

    #[test]
    fn surrogate_pairs_do_not_split() {
        let t = RichText { text: "a😀b".into(), marks: vec![Mark { start: 1, end: 3, style: Style::Italic }] };
        assert_eq!(rich(&t), "a<em>😀</em>b");
    }

    #[test]
    fn attributes_cannot_break_out() {
        let h = blocks(&[Block::Heading { level: 2, text: "<script>".into(), anchor: "\" onclick=\"x".into() }]);
        assert_eq!(h, "<h2 id=\"&quot; onclick=&quot;x\">&lt;script&gt;</h2>");
    }
}
