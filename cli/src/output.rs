//! What the command prints: the JSON contract other tools depend on, and readable text.

use safeguarding_core::content::{Block, CalloutKind, LinkTarget, RichText, Style};
use safeguarding_core::{
    InstalledContent, PageView, ScoreBreakdown, SearchResults, Snippet, SyncReport, SyncStatus, TopicSummary,
};
use serde_json::{json, Value};

/// `writeln!` into the output buffer; writing to a `String` cannot fail.
macro_rules! line {
    ($o:expr) => {{
        $o.push('\n');
    }};
    ($o:expr, $($arg:tt)*) => {{
        let _ = std::fmt::Write::write_fmt($o, format_args!($($arg)*));
        $o.push('\n');
    }};
}

pub fn json_text(v: &Value) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}

/// `{"query", "suggestion", "results": [{"id", "title", "topic", "summary", "snippet", "score",
/// "section"}]}`. `highlights` (UTF-16 ranges in `snippet`) and `section_heading` are extras.
pub fn search_json(r: &SearchResults) -> Value {
    json!({
        "query": r.query,
        "suggestion": r.suggestion,
        "contact_card": r.contact_card.as_ref().map(crate::contacts::card_json),
        "results": r.results.iter().map(|x| json!({
            "id": x.id,
            "title": x.title,
            "topic": x.topic,
            "summary": x.summary,
            "snippet": x.snippet.text,
            "highlights": x.snippet.highlights.iter().map(|h| [h.start, h.end]).collect::<Vec<_>>(),
            "score": x.score,
            "section": x.section.as_ref().map(|s| &s.anchor),
            "section_heading": x.section.as_ref().map(|s| &s.heading),
        })).collect::<Vec<_>>(),
    })
}

pub fn page_json(v: &PageView) -> Value {
    let p = &v.page;
    json!({
        "id": p.id,
        "title": p.title,
        "topic": p.topic,
        "audience": p.audience,
        "summary": p.summary,
        "keywords": p.keywords,
        "last_reviewed": p.last_reviewed.to_string(),
        "next_review": p.next_review.to_string(),
        "overdue": v.overdue,
        "version": p.version,
        "kind": p.kind,
        "asked_as": p.asked_as,
        "changes": p.changes,
        "legal_basis": p.legal_basis,
        "sources": p.sources,
        "text": p.plain_text(),
        "blocks": p.blocks,
    })
}

pub fn topics_json(topics: &[TopicSummary]) -> Value {
    Value::Array(
        topics
            .iter()
            .map(|t| json!({"id": t.topic.id, "title": t.topic.title, "description": t.topic.description, "pages": t.page_count}))
            .collect(),
    )
}

struct Styler {
    ansi: bool,
}

impl Styler {
    fn bold(&self, s: &str) -> String {
        if self.ansi {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn mark(&self, s: &str) -> String {
        if self.ansi {
            format!("\x1b[1;33m{s}\x1b[0m")
        } else {
            format!("[{s}]")
        }
    }

    fn dim(&self, s: &str) -> String {
        if self.ansi {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Applies highlight ranges (UTF-16) to a snippet.
fn highlighted(snippet: &Snippet, st: &Styler) -> String {
    let units: Vec<u16> = snippet.text.encode_utf16().collect();
    let mut out = String::new();
    let mut at = 0usize;
    for h in &snippet.highlights {
        let (s, e) = (h.start as usize, (h.end as usize).min(units.len()));
        if s < at || s >= e {
            continue;
        }
        out.push_str(&clean(&String::from_utf16_lossy(&units[at..s])));
        out.push_str(&st.mark(&clean(&String::from_utf16_lossy(&units[s..e]))));
        at = e;
    }
    out.push_str(&clean(&String::from_utf16_lossy(&units[at..])));
    out
}

pub fn print_search(o: &mut String, r: &SearchResults, ansi: bool) {
    let st = Styler { ansi };
    if let Some(card) = &r.contact_card {
        let mut text = String::new();
        crate::contacts::print_card(&mut text, card);
        o.push_str(&clean(&text));
    }
    if let Some(s) = &r.suggestion {
        line!(o, "Did you mean: {}\n", st.bold(&clean(s)));
    }
    if r.results.is_empty() && r.contact_card.is_some() {
        return;
    }
    if r.results.is_empty() {
        line!(o, "No pages match \"{}\". Try fewer or different words, or `safeguarding topics`.", clean(&r.query));
        return;
    }
    for (i, x) in r.results.iter().enumerate() {
        line!(o, "{}. {}  {}", i + 1, st.bold(&clean(&x.title)), st.dim(&format!("[{}]", clean(&x.topic))));
        for line in wrap(&highlighted(&x.snippet, &st), 76) {
            line!(o, "   {line}");
        }
        let target = match &x.section {
            Some(s) => format!("{}#{}", x.id, s.anchor),
            None => x.id.clone(),
        };
        line!(o, "   {}\n", st.dim(&format!("safeguarding show {target}")));
    }
}

pub fn print_topics(o: &mut String, topics: &[TopicSummary]) {
    for t in topics {
        line!(o, "{:<22} {:>3} pages  {}", t.topic.id, t.page_count, t.topic.title);
    }
}

/// Each result with what every part of the query added to its score, and where it matched.
pub fn print_explanation(o: &mut String, r: &SearchResults, b: &ScoreBreakdown) {
    if let Some(s) = &r.suggestion {
        line!(o, "did you mean: {}", clean(s));
    }
    line!(o, "the query, as searched: {}", clean(&b.concepts.join("  +  ")));
    for (i, result) in r.results.iter().enumerate() {
        let Some(page) = b.pages.iter().find(|p| p.id == result.id) else { continue };
        line!(o, "{:>2}. {}  {:.2}", i + 1, clean(&page.id), page.total());
        for (c, concept) in b.concepts.iter().enumerate() {
            let (score, field) = page.concept(c);
            if let Some(field) = field {
                let first = concept.split(" | ").next().unwrap_or(concept);
                line!(o, "      {score:>6.2}  {}  (best in {field})", clean(first));
            }
        }
    }
}

/// Rich text for a terminal, with each link's target after its text. Marks come from stored
/// content, so out-of-range or reversed ones are skipped rather than trusted.
fn rich(t: &RichText) -> String {
    let units: Vec<u16> = t.text.encode_utf16().collect();
    let mut out = String::from_utf16_lossy(&units);
    // Links are shown after their text, working from the end so offsets stay valid.
    let mut links: Vec<(usize, String)> = t
        .marks
        .iter()
        .filter_map(|m| match &m.style {
            Style::Link { .. } if m.start > m.end || m.end as usize > units.len() => None,
            Style::Link { target } => Some((
                m.end as usize,
                match target {
                    LinkTarget::Phone { display, .. } => {
                        let text = String::from_utf16_lossy(&units[m.start as usize..m.end as usize]);
                        if text.replace(' ', "") == display.replace(' ', "") {
                            "☎".to_string()
                        } else {
                            format!("☎ {display}")
                        }
                    }
                    LinkTarget::Page { id, anchor } => match anchor {
                        Some(a) => format!("→ {id}#{a}"),
                        None => format!("→ {id}"),
                    },
                    LinkTarget::Web { url } => url.clone(),
                    LinkTarget::Email { address } => address.clone(),
                },
            )),
            _ => None,
        })
        .collect();
    links.sort_by_key(|(end, _)| std::cmp::Reverse(*end));
    for (end, note) in links {
        // A mark that ends inside a surrogate pair has no byte position: put the note after the pair.
        let mut byte = String::from_utf16_lossy(&units[..end]).len().min(out.len());
        while !out.is_char_boundary(byte) {
            byte += 1;
        }
        out.insert_str(byte, &format!(" ({note})"));
    }
    clean(&out).into_owned()
}

pub fn print_page(o: &mut String, v: &PageView, ansi: bool) {
    let st = Styler { ansi };
    let p = &v.page;
    line!(o, "{}\n", st.bold(&clean(&p.title).to_uppercase()));
    for line in wrap(&clean(&p.summary), 78) {
        line!(o, "{line}");
    }
    line!(o);
    let mut reviewed = format!("Last reviewed {} · next review {}", p.last_reviewed, p.next_review);
    if v.overdue {
        reviewed.push_str(" · OVERDUE FOR REVIEW: check against current guidance");
    }
    line!(o, "{}\n", st.dim(&reviewed));
    if let Some(change) = p.changes.first() {
        for line in wrap(&format!("Updated {}: {}", long_date(change.date), clean(&change.summary)), 78) {
            line!(o, "{}", st.bold(&line));
        }
        line!(o);
    }
    for block in &p.blocks {
        match block {
            Block::Heading { level, text, .. } => {
                let text = if *level == 2 { clean(text).to_uppercase() } else { clean(text).into_owned() };
                line!(o, "{}\n", st.bold(&text));
            }
            Block::Paragraph { text } => {
                for line in wrap(&rich(text), 78) {
                    line!(o, "{line}");
                }
                line!(o);
            }
            Block::List { items } | Block::Steps { items } => {
                let numbered = matches!(block, Block::Steps { .. });
                let mut n = 0;
                for item in items {
                    let indent = "   ".repeat(item.depth as usize);
                    let bullet = if numbered && item.depth == 0 {
                        n += 1;
                        format!("{n}.")
                    } else {
                        "•".to_string()
                    };
                    for (i, line) in wrap(&rich(&item.text), 74 - indent.len()).into_iter().enumerate() {
                        if i == 0 {
                            line!(o, "{indent}{bullet:<3}{line}");
                        } else {
                            line!(o, "{indent}   {line}");
                        }
                    }
                }
                line!(o);
            }
            Block::Callout { kind, paragraphs } => {
                let label = kind.label().to_uppercase();
                let label = if *kind == CalloutKind::ActNow { format!("!! {label}") } else { label };
                line!(o, "┃ {}", st.bold(&label));
                for para in paragraphs {
                    for line in wrap(&rich(para), 74) {
                        line!(o, "┃ {line}");
                    }
                }
                line!(o);
            }
        }
    }
    line!(o, "{}", st.bold("Legal basis"));
    for l in &p.legal_basis {
        line!(o, "• {}", clean(l));
    }
    line!(o, "\n{}", st.bold("Sources"));
    for s in &p.sources {
        match &s.url {
            Some(url) => line!(o, "• {} ({})", clean(&s.title), clean(url)),
            None => line!(o, "• {}", clean(&s.title)),
        }
    }
}

/// "3 June 2026", as readers write dates.
pub fn long_date(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Removes control characters (escape sequences among them) from text that came from content
/// or user data, so nothing but this program's own styling reaches the terminal.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_unsafe_char) {
        s.chars().filter(|c| !is_unsafe_char(*c)).collect::<String>().into()
    } else {
        s.into()
    }
}

fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Greedy word wrap that counts characters, not bytes, and ignores ANSI escapes.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let visible = |s: &str| {
        let mut n = 0;
        let mut esc = false;
        for c in s.chars() {
            match (esc, c) {
                (false, '\x1b') => esc = true,
                (true, 'm') => esc = false,
                (false, _) => n += 1,
                _ => {}
            }
        }
        n
    };
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && visible(&line) + 1 + visible(word) > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// `{"updated","manifest_version","bytes_downloaded","changed":[{"id","title","note"}]}`.
pub fn sync_json(r: &SyncReport) -> Value {
    json!({
        "updated": r.updated,
        "manifest_version": r.manifest_version,
        "bytes_downloaded": r.bytes_downloaded,
        "changed": r.changed.iter().map(|c| json!({"id": c.id, "title": c.title, "note": c.note})).collect::<Vec<_>>(),
    })
}

pub fn print_sync(o: &mut String, r: &SyncReport) {
    if !r.updated {
        line!(o, "Up to date (manifest version {}); {} bytes checked.", r.manifest_version, r.bytes_downloaded);
        return;
    }
    line!(o, "Updated to manifest version {}: {} bytes downloaded.", r.manifest_version, r.bytes_downloaded);
    if !r.changed.is_empty() {
        line!(o, "\nUpdated since you last looked:");
        for c in &r.changed {
            match &c.note {
                Some(n) => line!(o, "  • {} — {}", clean(&c.title), clean(n)),
                None => line!(o, "  • {}", clean(&c.title)),
            }
            line!(o, "    safeguarding show {}", c.id);
        }
    }
}

/// The Updates screen's fields, with the names `safeguarding status --json` promises.
pub fn status_json(s: &SyncStatus, installed: Option<&InstalledContent>) -> Value {
    let t = |t: &Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339());
    json!({
        "manifest_version": s.manifest_version,
        "channel": s.channel,
        "published_at": t(&s.published_at),
        "expires_at": t(&s.expires_at),
        "last_check": t(&s.last_check),
        "last_success": t(&s.last_success),
        "last_error": s.last_error.as_ref().map(|e| json!({"kind": e.kind, "message": e.message, "at": e.at.to_rfc3339()})),
        "stale": s.stale,
        "source": installed.map(|i| &i.source),
        "pages": installed.map(|i| i.page_count),
        "unread": s.unread.iter().map(|c| json!({"id": c.id, "title": c.title, "note": c.note})).collect::<Vec<_>>(),
    })
}

pub fn print_status(o: &mut String, s: &SyncStatus, installed: Option<&InstalledContent>) {
    match installed {
        Some(i) => line!(
            o,
            "Installed: {} pages from {} (manifest version {})",
            i.page_count,
            clean(&i.source),
            s.manifest_version
        ),
        None => line!(o, "Nothing installed yet."),
    }
    if let Some(c) = &s.channel {
        line!(o, "Channel: {c}");
    }
    if let Some(p) = s.published_at {
        line!(o, "Published: {}", p.to_rfc3339());
    }
    if let Some(e) = s.expires_at {
        line!(o, "Expires: {}{}", e.to_rfc3339(), if s.stale { "  (EXPIRED: content may be out of date)" } else { "" });
    }
    if let Some(t) = s.last_check {
        line!(o, "Last check: {}", t.to_rfc3339());
    }
    if let Some(t) = s.last_success {
        line!(o, "Last success: {}", t.to_rfc3339());
    }
    if let Some(e) = &s.last_error {
        line!(o, "Last error ({}): {} at {}", e.kind, clean(&e.message), e.at.to_rfc3339());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safeguarding_core::content::Mark;

    fn link(start: u32, end: u32) -> Mark {
        Mark { start, end, style: Style::Link { target: LinkTarget::Web { url: "https://example.org".into() } } }
    }

    #[test]
    fn tampered_link_marks_never_panic() {
        // Stored content is read back from the database: marks past the end, reversed, or
        // ending inside a surrogate pair must be skipped or placed safely.
        let text = "call 😀 now".to_string();
        for mark in [link(0, 400), link(9, 3), link(0, 6), link(6, 6), link(u32::MAX, u32::MAX)] {
            let out = rich(&RichText { text: text.clone(), marks: vec![mark] });
            assert!(out.starts_with("call"), "{out}");
        }
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(clean("a\u{1b}[2Jb\u{7}c\u{200b}d\nnext"), "a[2Jbcd\nnext");
        assert_eq!(clean("plain"), "plain");
    }
}
