//! Turns a page body (CommonMark) into [`Block`]s, reporting what the app cannot render.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::blocks::{slugify, utf16_len, Block, CalloutKind, LinkTarget, ListItem, Mark, RichText, Style};
use crate::diagnostic::{Diagnostics, Lines};
use crate::fields::Located;
use crate::phone::PhoneNumber;

/// The body of a page after parsing.
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub blocks: Vec<Block>,
    /// Every link, with its line, for the checks that need the whole library (page links).
    pub links: Vec<Located<LinkTarget>>,
    /// The line each block starts on, in block order.
    pub block_lines: Vec<usize>,
}

/// Builds one piece of rich text while events stream past.
#[derive(Default)]
struct TextBuilder {
    text: RichText,
    len16: u32,
    /// Open styles: (style start offset, style kind, link target).
    open: Vec<(u32, Option<Style>)>,
}

impl TextBuilder {
    fn push_str(&mut self, s: &str) {
        self.text.text.push_str(s);
        self.len16 += utf16_len(s);
    }

    fn open(&mut self, style: Option<Style>) {
        self.open.push((self.len16, style));
    }

    fn close(&mut self) {
        if let Some((start, Some(style))) = self.open.pop() {
            if self.len16 > start {
                self.text.marks.push(Mark { start, end: self.len16, style });
            }
        }
    }

    fn finish(mut self) -> RichText {
        while !self.open.is_empty() {
            self.close();
        }
        // Whitespace at the ends comes from soft breaks and is never meaningful.
        let trimmed_start = self.text.text.len() - self.text.text.trim_start().len();
        if trimmed_start > 0 {
            self.text.trim_start_bytes(trimmed_start);
        }
        let keep = self.text.text.trim_end().len();
        self.text.text.truncate(keep);
        let len = self.text.utf16_len();
        for m in &mut self.text.marks {
            m.end = m.end.min(len);
        }
        self.text.marks.retain(|m| m.end > m.start);
        self.text.marks.sort_by_key(|m| (m.start, m.end));
        self.text
    }
}

struct ListFrame {
    ordered: bool,
    items: Vec<ListItem>,
}

struct QuoteFrame {
    paragraphs: Vec<RichText>,
    line: usize,
}

struct State<'a> {
    path: &'a str,
    diags: &'a mut Diagnostics,
    body: Body,
    text: Option<TextBuilder>,
    heading: Option<(u8, Option<String>, usize)>,
    lists: Vec<ListFrame>,
    quote: Option<QuoteFrame>,
    in_link: bool,
    /// Anchors used so far, and for each base slug the next suffix to try: both keep a page
    /// with thousands of identical headings linear.
    anchors: HashSet<String>,
    next_suffix: HashMap<String, usize>,
    skip_depth: usize,
    /// Line where the current top-level block began.
    block_line: usize,
}

/// Parses `body`, which starts at byte `base` of the file whose line table is `lines`.
pub(crate) fn parse_body(path: &str, body: &str, lines: &Lines, base: usize, diags: &mut Diagnostics) -> Body {
    let options = Options::ENABLE_HEADING_ATTRIBUTES;
    let mut st = State {
        path,
        diags,
        body: Body::default(),
        text: None,
        heading: None,
        lists: Vec::new(),
        quote: None,
        in_link: false,
        anchors: HashSet::new(),
        next_suffix: HashMap::new(),
        skip_depth: 0,
        block_line: 1,
    };
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let line = lines.line_of(base + range.start);
        st.event(event, line);
    }
    if st.body.blocks.is_empty() {
        let line = lines.line_of(base);
        st.diags.error(path, line, "the page has no body text");
    }
    st.body
}

impl State<'_> {
    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.diags.error(self.path, line, message);
    }

    fn warning(&mut self, line: usize, message: impl Into<String>) {
        self.diags.warning(self.path, line, message);
    }

    fn text_mut(&mut self) -> &mut TextBuilder {
        self.text.get_or_insert_with(TextBuilder::default)
    }

    fn event(&mut self, event: Event<'_>, line: usize) {
        // Content inside an image is its alt text; the image itself is already reported.
        if self.skip_depth > 0 {
            match event {
                Event::Start(_) => self.skip_depth += 1,
                Event::End(_) => self.skip_depth -= 1,
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, line),
            Event::End(tag) => self.end(tag, line),
            Event::Text(t) | Event::Code(t) => {
                if !self.in_link {
                    self.check_bare_number(&t, line);
                }
                self.text_mut().push_str(&t);
            }
            Event::SoftBreak => self.text_mut().push_str(" "),
            Event::HardBreak => self.text_mut().push_str("\n"),
            Event::Html(_) | Event::InlineHtml(_) => {
                self.error(line, "raw HTML is not supported: the app renders Markdown natively");
            }
            Event::Rule => {}
            _ => self.warning(line, "this Markdown feature is not supported and will be shown as plain text"),
        }
    }

    fn start(&mut self, tag: Tag<'_>, line: usize) {
        if self.lists.is_empty() && self.quote.is_none() && self.heading.is_none() && self.text.is_none() {
            self.block_line = line;
        }
        match tag {
            Tag::Paragraph => {
                if self.lists.is_empty() {
                    self.text = Some(TextBuilder::default());
                } else if let Some(t) = &mut self.text {
                    // A second paragraph inside one list item.
                    if !t.text.text.is_empty() {
                        t.push_str("\n");
                    }
                }
            }
            Tag::Heading { level, id, .. } => {
                let level = match level {
                    HeadingLevel::H1 => {
                        self.error(line, "do not use `#` headings in the body: the page title is the top heading");
                        1
                    }
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => {
                        self.warning(line, "headings deeper than `###` are shown as `###`");
                        3
                    }
                };
                self.heading = Some((level, id.map(|s| s.to_string()), line));
                self.text = Some(TextBuilder::default());
            }
            Tag::BlockQuote(_) => {
                if self.quote.is_some() {
                    self.warning(line, "nested block quotes are flattened into the callout");
                } else {
                    self.flush_list_item();
                    self.quote = Some(QuoteFrame { paragraphs: Vec::new(), line });
                }
            }
            Tag::List(start) => {
                self.flush_list_item();
                self.lists.push(ListFrame { ordered: start.is_some(), items: Vec::new() });
            }
            Tag::Item => self.text = Some(TextBuilder::default()),
            Tag::Emphasis => self.text_mut().open(Some(Style::Italic)),
            Tag::Strong => self.text_mut().open(Some(Style::Bold)),
            Tag::Link { dest_url, .. } => {
                let target = self.link_target(&dest_url, line);
                if let Some(t) = &target {
                    self.body.links.push(Located { value: t.clone(), line });
                }
                self.in_link = true;
                self.text_mut().open(target.map(|target| Style::Link { target }));
            }
            Tag::Image { .. } => {
                self.error(line, "images are not supported");
                self.skip_depth = 1;
            }
            Tag::CodeBlock(_) => {
                self.warning(line, "code blocks are shown as plain paragraphs");
                self.text = Some(TextBuilder::default());
            }
            Tag::HtmlBlock => self.error(line, "raw HTML is not supported: the app renders Markdown natively"),
            _ => {
                self.text_mut().open(None);
            }
        }
    }

    fn end(&mut self, tag: TagEnd, line: usize) {
        match tag {
            TagEnd::Paragraph | TagEnd::CodeBlock => {
                if self.lists.is_empty() {
                    if let Some(t) = self.text.take() {
                        let rich = t.finish();
                        if rich.text.is_empty() {
                            return;
                        }
                        match &mut self.quote {
                            Some(q) => q.paragraphs.push(rich),
                            None => self.push_block(Block::Paragraph { text: rich }),
                        }
                    }
                }
            }
            TagEnd::Heading(_) => {
                let text = self.text.take().map(TextBuilder::finish).unwrap_or_default().text;
                if let Some((level, explicit, hline)) = self.heading.take() {
                    let anchor = self.anchor_for(&text, explicit, hline);
                    self.push_block(Block::Heading { level, text, anchor });
                }
            }
            TagEnd::BlockQuote(_) => {
                if let Some(q) = self.quote.take() {
                    self.finish_callout(q);
                }
            }
            TagEnd::Item => self.flush_list_item(),
            TagEnd::List(_) => {
                self.flush_list_item();
                if let Some(frame) = self.lists.pop() {
                    match self.lists.last_mut() {
                        // A nested list: its items are already in the outer frame.
                        Some(outer) => outer.items.extend(frame.items),
                        None => self.finish_list(frame),
                    }
                }
            }
            TagEnd::Link => {
                self.in_link = false;
                self.text_mut().close();
            }
            TagEnd::Emphasis | TagEnd::Strong => self.text_mut().close(),
            TagEnd::Image | TagEnd::HtmlBlock => {}
            _ => {
                let _ = line;
                self.text_mut().close();
            }
        }
    }

    fn push_block(&mut self, block: Block) {
        self.body.blocks.push(block);
        self.body.block_lines.push(self.block_line);
    }

    fn flush_list_item(&mut self) {
        let depth = self.lists.len().saturating_sub(1) as u8;
        if let (Some(frame), Some(t)) = (self.lists.last_mut(), self.text.take()) {
            let text = t.finish();
            if !text.text.is_empty() {
                frame.items.push(ListItem { depth, text });
            }
        }
    }

    fn finish_list(&mut self, frame: ListFrame) {
        if frame.items.is_empty() {
            return;
        }
        if let Some(q) = &mut self.quote {
            // Callouts hold paragraphs only, so list items become their own lines.
            for (i, item) in frame.items.into_iter().enumerate() {
                let prefix = if frame.ordered { format!("{}. ", i + 1) } else { "• ".to_string() };
                let shift = utf16_len(&prefix);
                let mut text = item.text;
                text.text.insert_str(0, &prefix);
                for m in &mut text.marks {
                    m.start += shift;
                    m.end += shift;
                }
                q.paragraphs.push(text);
            }
            return;
        }
        self.push_block(if frame.ordered {
            Block::Steps { items: frame.items }
        } else {
            Block::List { items: frame.items }
        });
    }

    fn finish_callout(&mut self, mut q: QuoteFrame) {
        let Some(first) = q.paragraphs.first_mut() else {
            self.warning(q.line, "empty block quote");
            return;
        };
        let marker = first.text.strip_prefix("[!").and_then(|rest| rest.find(']').map(|end| rest[..end].to_string()));
        let kind = match &marker {
            Some(m) => match CalloutKind::from_marker(m) {
                Some(kind) => kind,
                None => {
                    let line = q.line;
                    self.error(line, format!("unknown callout `[!{m}]`: use [!ACT NOW], [!WARNING] or [!NOTE]"));
                    CalloutKind::Note
                }
            },
            None => {
                let line = q.line;
                self.warning(line, "a block quote without a marker is shown as a note; start it with [!ACT NOW], [!WARNING] or [!NOTE]");
                CalloutKind::Note
            }
        };
        if let Some(m) = marker {
            let cut = m.len() + 3;
            let rest = &first.text[cut..];
            let ws = rest.len() - rest.trim_start().len();
            first.trim_start_bytes(cut + ws);
            if first.text.is_empty() {
                q.paragraphs.remove(0);
            }
        }
        if q.paragraphs.is_empty() {
            let line = q.line;
            self.error(line, "the callout has no text");
            return;
        }
        self.push_block(Block::Callout { kind, paragraphs: q.paragraphs });
    }

    fn anchor_for(&mut self, text: &str, explicit: Option<String>, line: usize) -> String {
        let base = match explicit {
            Some(id) => {
                if slugify(&id) != id {
                    self.error(line, format!("anchor `{{#{id}}}` must be lower-case letters, digits and hyphens"));
                }
                if self.anchors.contains(&id) {
                    self.error(line, format!("anchor `{id}` is used twice on this page"));
                }
                id
            }
            None => {
                let slug = slugify(text);
                if slug.is_empty() {
                    self.error(line, "a heading needs some text");
                    "section".to_string()
                } else {
                    slug
                }
            }
        };
        let mut anchor = base.clone();
        if self.anchors.contains(&anchor) {
            let n = self.next_suffix.entry(base.clone()).or_insert(2);
            loop {
                anchor = format!("{base}-{n}");
                *n += 1;
                if !self.anchors.contains(&anchor) {
                    break;
                }
            }
        }
        self.anchors.insert(anchor.clone());
        anchor
    }

    fn link_target(&mut self, dest: &str, line: usize) -> Option<LinkTarget> {
        if let Some(rest) = dest.strip_prefix("page:") {
            let (id, anchor) = match rest.split_once('#') {
                Some((id, anchor)) => (id, Some(anchor.to_string())),
                None => (rest, None),
            };
            if id.is_empty() {
                self.error(line, format!("link `{dest}` names no page"));
                return None;
            }
            return Some(LinkTarget::Page { id: id.to_string(), anchor });
        }
        if let Some(number) = dest.strip_prefix("tel:") {
            return match PhoneNumber::parse(number) {
                Ok(p) => Some(LinkTarget::Phone { tel: p.tel_uri(), display: p.display() }),
                Err(e) => {
                    self.error(line, format!("phone link: {e}"));
                    None
                }
            };
        }
        if let Some(address) = dest.strip_prefix("mailto:") {
            if !address.contains('@') {
                self.error(line, format!("`{dest}` is not an email address"));
                return None;
            }
            return Some(LinkTarget::Email { address: address.to_string() });
        }
        if dest.starts_with("https://") || dest.starts_with("http://") {
            if dest.starts_with("http://") {
                self.warning(line, format!("`{dest}` is not https"));
            }
            return Some(LinkTarget::Web { url: dest.to_string() });
        }
        self.error(line, format!("link `{dest}` is not understood: use page:<id>, tel:<number>, mailto: or https://"));
        None
    }

    /// Numbers written out but not linked cannot be tapped, which is the point of the app.
    fn check_bare_number(&mut self, text: &str, line: usize) {
        let mut digits = 0;
        let mut started = false;
        for c in text.chars().chain(std::iter::once('.')) {
            match c {
                '0' if !started => {
                    started = true;
                    digits = 1;
                }
                '0'..='9' if started => digits += 1,
                ' ' if started => {}
                _ => {
                    if started && digits >= 10 {
                        self.warning(line, "a phone number in the text is not a tel: link, so it cannot be tapped");
                        return;
                    }
                    started = false;
                    digits = 0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(md: &str) -> (Body, Diagnostics) {
        let mut diags = Diagnostics::default();
        let lines = Lines::new(md);
        let body = parse_body("p.md", md, &lines, 0, &mut diags);
        (body, diags)
    }

    #[test]
    fn blocks_from_markdown() {
        let md = "> [!ACT NOW]\n> Call [999](tel:999) **now**.\n\n## Who must report {#who}\n\nText *here* and [more](page:other#sec).\n\n1. First\n2. Second\n   - nested\n\n- a\n- b\n\n## Who must report\n";
        let (body, diags) = parse(md);
        assert!(diags.is_empty(), "{diags}");
        let b = &body.blocks;
        assert_eq!(b.len(), 6);
        match &b[0] {
            Block::Callout { kind, paragraphs } => {
                assert_eq!(*kind, CalloutKind::ActNow);
                assert_eq!(paragraphs[0].text, "Call 999 now.");
                assert_eq!(paragraphs[0].marks.len(), 2);
                assert_eq!(paragraphs[0].marks[0].start, 5);
                assert_eq!(paragraphs[0].marks[0].end, 8);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(b[1], Block::Heading { level: 2, text: "Who must report".into(), anchor: "who".into() });
        match &b[3] {
            Block::Steps { items } => {
                assert_eq!(items.len(), 3);
                assert_eq!(items[2].depth, 1);
                assert_eq!(items[2].text.text, "nested");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&b[4], Block::List { items } if items.len() == 2));
        assert!(matches!(&b[5], Block::Heading { anchor, .. } if anchor == "who-must-report"));
        assert_eq!(body.links.len(), 2);
        assert_eq!(body.links[1].value, LinkTarget::Page { id: "other".into(), anchor: Some("sec".into()) });
    }

    #[test]
    fn reports_what_cannot_be_rendered_with_lines() {
        let md = "# Title\n\n<b>x</b>\n\n![img](a.png)\n\n[x](tel:12)\n\n> [!SHOUT]\n> hi\n\nCall 0800 028 3550 now.\n";
        let (_, diags) = parse(md);
        let lines: Vec<(usize, &str)> = diags.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert!(lines.iter().any(|(l, m)| *l == 1 && m.contains("`#`")), "{diags}");
        assert!(lines.iter().any(|(l, m)| *l == 3 && m.contains("HTML")), "{diags}");
        assert!(lines.iter().any(|(l, m)| *l == 5 && m.contains("images")), "{diags}");
        assert!(lines.iter().any(|(l, m)| *l == 7 && m.contains("phone link")), "{diags}");
        assert!(lines.iter().any(|(l, m)| *l == 9 && m.contains("[!SHOUT]")), "{diags}");
        assert!(lines.iter().any(|(l, m)| *l == 12 && m.contains("tel: link")), "{diags}");
    }

    #[test]
    fn lists_in_callouts_become_lines() {
        let (body, _) = parse("> [!WARNING]\n> Do not:\n>\n> 1. promise secrecy\n> 2. *lead*\n");
        match &body.blocks[0] {
            Block::Callout { paragraphs, .. } => {
                assert_eq!(paragraphs.len(), 3);
                assert_eq!(paragraphs[2].text, "2. lead");
                assert_eq!(paragraphs[2].marks[0].start, 3);
            }
            other => panic!("{other:?}"),
        }
    }
}
