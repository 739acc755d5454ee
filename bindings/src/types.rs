//! Records and enums the apps see, converted one-to-one from core types.

use safeguarding_core as core;
use safeguarding_core::content as c;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Stage {
    Checking,
    Installing,
    Indexing,
    Downloading,
}

impl From<core::Stage> for Stage {
    fn from(s: core::Stage) -> Self {
        match s {
            core::Stage::Checking => Stage::Checking,
            core::Stage::Installing => Stage::Installing,
            core::Stage::Indexing => Stage::Indexing,
            core::Stage::Downloading => Stage::Downloading,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct InstallReport {
    /// False when that exact content was already installed.
    pub installed: bool,
    pub version: String,
    pub page_count: u32,
    /// Problems that did not stop the install, e.g. pages overdue for review.
    pub warnings: Vec<String>,
}

impl From<core::InstallReport> for InstallReport {
    fn from(r: core::InstallReport) -> Self {
        InstallReport {
            installed: r.installed,
            version: r.version,
            page_count: r.page_count,
            warnings: r.warnings.iter().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct InstalledContent {
    pub version: String,
    pub source: String,
    pub installed_at: String,
    pub page_count: u32,
}

impl From<core::InstalledContent> for InstalledContent {
    fn from(i: core::InstalledContent) -> Self {
        InstalledContent {
            version: i.version,
            source: i.source,
            installed_at: i.installed_at,
            page_count: i.page_count,
        }
    }
}

/// A range of a string in UTF-16 code units (Kotlin and Swift `NSString` indices).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Highlight {
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<Highlight>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SectionRef {
    pub anchor: String,
    pub heading: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SearchResult {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub summary: String,
    pub score: f32,
    pub section: Option<SectionRef>,
    pub snippet: Snippet,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SearchResults {
    pub query: String,
    /// "Did you mean": the query with misspelt words corrected.
    pub suggestion: Option<String>,
    /// When the query names a place or postcode district: that area's number to call now, for
    /// the need the query implies. Shown above the results.
    pub contact_card: Option<CallAdvice>,
    pub results: Vec<SearchResult>,
}

impl From<core::SearchResults> for SearchResults {
    fn from(r: core::SearchResults) -> Self {
        SearchResults {
            query: r.query,
            suggestion: r.suggestion,
            contact_card: r.contact_card.map(CallAdvice::from),
            results: r
                .results
                .into_iter()
                .map(|x| SearchResult {
                    id: x.id,
                    title: x.title,
                    topic: x.topic,
                    summary: x.summary,
                    score: x.score,
                    section: x.section.map(|s| SectionRef { anchor: s.anchor, heading: s.heading }),
                    snippet: Snippet {
                        text: x.snippet.text,
                        highlights: x
                            .snippet
                            .highlights
                            .into_iter()
                            .map(|h| Highlight { start: h.start, end: h.end })
                            .collect(),
                    },
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SuggestionKind {
    /// Opens the page directly.
    Title,
    /// Runs a search for the text.
    Keyword,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    pub page_id: Option<String>,
}

impl From<core::Suggestion> for Suggestion {
    fn from(s: core::Suggestion) -> Self {
        Suggestion {
            text: s.text,
            kind: match s.kind {
                core::SuggestionKind::Title => SuggestionKind::Title,
                core::SuggestionKind::Keyword => SuggestionKind::Keyword,
            },
            page_id: s.page_id,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Topic {
    pub id: String,
    pub title: String,
    pub description: String,
    pub page_count: u32,
}

impl From<core::TopicSummary> for Topic {
    fn from(t: core::TopicSummary) -> Self {
        Topic { id: t.topic.id, title: t.topic.title, description: t.topic.description, page_count: t.page_count }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PageSummary {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub summary: String,
    pub next_review: String,
}

impl From<c::Page> for PageSummary {
    fn from(p: c::Page) -> Self {
        PageSummary {
            id: p.id,
            title: p.title,
            topic: p.topic,
            summary: p.summary,
            next_review: p.next_review.to_string(),
        }
    }
}

/// A publication a page rests on; `url` (https) opens the official text.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Source {
    pub title: String,
    pub url: Option<String>,
}

/// One dated change to a page, for readers.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PageChange {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub summary: String,
}

/// A page ready to render: its blocks, legal basis, sources and review state.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Page {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub audience: Vec<String>,
    pub summary: String,
    pub keywords: Vec<String>,
    pub legal_basis: Vec<String>,
    pub sources: Vec<Source>,
    /// Dated changes, newest first: show the first under the title as "Updated <date>: <summary>".
    pub changes: Vec<PageChange>,
    /// True for pages a worker may have to act on (they open with an act-now box).
    pub is_action: bool,
    /// `YYYY-MM-DD`.
    pub last_reviewed: String,
    /// `YYYY-MM-DD`.
    pub next_review: String,
    pub version: u32,
    /// The review date has passed: show that the page may be out of date.
    pub overdue: bool,
    pub bookmarked: bool,
    pub note: Option<String>,
    pub blocks: Vec<Block>,
    /// The whole page as plain text, for sharing or reading aloud.
    pub text: String,
}

impl From<core::PageView> for Page {
    fn from(v: core::PageView) -> Self {
        let text = v.page.plain_text();
        let p = v.page;
        Page {
            id: p.id,
            title: p.title,
            topic: p.topic,
            audience: p.audience,
            summary: p.summary,
            keywords: p.keywords,
            legal_basis: p.legal_basis,
            sources: p.sources.into_iter().map(|s| Source { title: s.title, url: s.url }).collect(),
            changes: p
                .changes
                .into_iter()
                .map(|c| PageChange { date: c.date.to_string(), summary: c.summary })
                .collect(),
            is_action: p.kind == core::content::PageKind::Action,
            last_reviewed: p.last_reviewed.to_string(),
            next_review: p.next_review.to_string(),
            version: p.version,
            overdue: v.overdue,
            bookmarked: v.bookmarked,
            note: v.note.map(|n| n.text),
            blocks: p.blocks.into_iter().map(Block::from).collect(),
            text,
        }
    }
}

#[derive(Debug, Clone, uniffi::Enum)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
        anchor: String,
    },
    Paragraph {
        text: RichText,
    },
    /// A bulleted list. (Not `List`, which would shadow Kotlin's own.)
    Bullets {
        items: Vec<ListItem>,
    },
    /// A numbered list of things to do in order.
    Steps {
        items: Vec<ListItem>,
    },
    Callout {
        kind: CalloutKind,
        paragraphs: Vec<RichText>,
    },
}

impl From<c::Block> for Block {
    fn from(b: c::Block) -> Self {
        let items = |items: Vec<c::ListItem>| {
            items.into_iter().map(|i| ListItem { depth: i.depth, text: i.text.into() }).collect()
        };
        match b {
            c::Block::Heading { level, text, anchor } => Block::Heading { level, text, anchor },
            c::Block::Paragraph { text } => Block::Paragraph { text: text.into() },
            c::Block::List { items: i } => Block::Bullets { items: items(i) },
            c::Block::Steps { items: i } => Block::Steps { items: items(i) },
            c::Block::Callout { kind, paragraphs } => Block::Callout {
                kind: match kind {
                    c::CalloutKind::ActNow => CalloutKind::ActNow,
                    c::CalloutKind::Warning => CalloutKind::Warning,
                    c::CalloutKind::Note => CalloutKind::Note,
                },
                paragraphs: paragraphs.into_iter().map(RichText::from).collect(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CalloutKind {
    ActNow,
    Warning,
    Note,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ListItem {
    pub depth: u8,
    pub text: RichText,
}

/// Text with styled ranges in UTF-16 code units.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RichText {
    pub text: String,
    pub marks: Vec<Mark>,
}

impl From<c::RichText> for RichText {
    fn from(t: c::RichText) -> Self {
        RichText {
            text: t.text,
            marks: t
                .marks
                .into_iter()
                .map(|m| Mark {
                    start: m.start,
                    end: m.end,
                    style: match m.style {
                        c::Style::Bold => Style::Bold,
                        c::Style::Italic => Style::Italic,
                        c::Style::Link { target } => Style::Link { target: target.into() },
                    },
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Mark {
    pub start: u32,
    pub end: u32,
    pub style: Style,
}

#[derive(Debug, Clone, uniffi::Enum)]
pub enum Style {
    Bold,
    Italic,
    Link { target: LinkTarget },
}

#[derive(Debug, Clone, uniffi::Enum)]
pub enum LinkTarget {
    Page {
        id: String,
        anchor: Option<String>,
    },
    /// `tel` goes to the dialler (`ACTION_DIAL` on Android); `display` is what to show.
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

impl From<c::LinkTarget> for LinkTarget {
    fn from(t: c::LinkTarget) -> Self {
        match t {
            c::LinkTarget::Page { id, anchor } => LinkTarget::Page { id, anchor },
            c::LinkTarget::Phone { tel, display } => LinkTarget::Phone { tel, display },
            c::LinkTarget::Web { url } => LinkTarget::Web { url },
            c::LinkTarget::Email { address } => LinkTarget::Email { address },
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Bookmark {
    pub page_id: String,
    pub anchor: Option<String>,
    /// `None` when an update removed the page; the bookmark is kept.
    pub title: Option<String>,
    pub created_at: String,
}

impl From<core::BookmarkView> for Bookmark {
    fn from(b: core::BookmarkView) -> Self {
        Bookmark {
            page_id: b.bookmark.page_id,
            anchor: b.bookmark.anchor,
            title: b.title,
            created_at: b.bookmark.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum NoteTarget {
    Page { id: String },
    Contact { id: String },
}

impl From<NoteTarget> for core::NoteTarget {
    fn from(t: NoteTarget) -> Self {
        match t {
            NoteTarget::Page { id } => core::NoteTarget::Page(id),
            NoteTarget::Contact { id } => core::NoteTarget::Contact(id),
        }
    }
}

impl From<core::NoteTarget> for NoteTarget {
    fn from(t: core::NoteTarget) -> Self {
        match t {
            core::NoteTarget::Page(id) => NoteTarget::Page { id },
            core::NoteTarget::Contact(id) => NoteTarget::Contact { id },
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Note {
    pub target: NoteTarget,
    pub text: String,
    pub updated_at: String,
}

impl From<core::Note> for Note {
    fn from(n: core::Note) -> Self {
        Note { target: n.target.into(), text: n.text, updated_at: n.updated_at }
    }
}

// ---- contacts ----

#[derive(Debug, Clone, uniffi::Record)]
pub struct AreaSummary {
    pub id: String,
    pub name: String,
    pub region: String,
    /// From sample data: the numbers are fictional and must be labelled so.
    pub sample: bool,
}

impl From<core::AreaSummary> for AreaSummary {
    fn from(a: core::AreaSummary) -> Self {
        AreaSummary { id: a.id, name: a.name, region: a.region, sample: a.sample }
    }
}

#[derive(Debug, Clone, uniffi::Enum)]
pub enum LocateMethod {
    Postcode {
        district: String,
    },
    Boundary,
    /// No boundary contains the position: the nearest area centre was used.
    NearestCentre {
        distance_km: f64,
    },
    Name,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct AreaMatch {
    pub area: AreaSummary,
    pub method: LocateMethod,
    /// How it was found, in words to show the user.
    pub found_by: String,
}

impl From<core::AreaMatch> for AreaMatch {
    fn from(m: core::AreaMatch) -> Self {
        let found_by = m.method.describe();
        AreaMatch {
            area: m.area.into(),
            method: match m.method {
                core::LocateMethod::Postcode { district } => LocateMethod::Postcode { district },
                core::LocateMethod::Boundary => LocateMethod::Boundary,
                core::LocateMethod::NearestCentre { distance_km } => LocateMethod::NearestCentre { distance_km },
                core::LocateMethod::Name => LocateMethod::Name,
            },
            found_by,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Phone {
    pub label: String,
    pub display: String,
    /// For `ACTION_DIAL` / `openURL`: `tel:+441632960123` or `tel:999`.
    pub tel: String,
    pub e164: Option<String>,
}

impl From<core::PhoneView> for Phone {
    fn from(p: core::PhoneView) -> Self {
        Phone { label: p.label, display: p.display, tel: p.tel, e164: p.e164 }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub area_id: Option<String>,
    pub area_name: Option<String>,
    pub needs: Vec<String>,
    pub phones: Vec<Phone>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
    pub hours: Vec<String>,
    pub out_of_hours: bool,
    pub open_now: Option<bool>,
    pub personal: bool,
    pub sample: bool,
    pub favourite: bool,
    pub note: Option<String>,
}

impl From<core::ContactView> for Contact {
    fn from(c: core::ContactView) -> Self {
        Contact {
            id: c.id,
            name: c.name,
            kind: c.kind,
            kind_label: c.kind_label,
            area_id: c.area_id,
            area_name: c.area_name,
            needs: c.needs,
            phones: c.phones.into_iter().map(Phone::from).collect(),
            email: c.email,
            website: c.website,
            notes: c.notes,
            hours: c.hours,
            out_of_hours: c.out_of_hours,
            open_now: c.open_now,
            personal: c.personal,
            sample: c.sample,
            favourite: c.favourite,
            note: c.note,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct CallAdvice {
    pub area: AreaSummary,
    pub need: String,
    /// The UK local time the advice is for, `YYYY-MM-DDTHH:MM`.
    pub at: String,
    pub contact: Option<Contact>,
    pub phone: Option<Phone>,
    pub reason: String,
    pub out_of_hours: bool,
    pub day_team: Option<Contact>,
    /// While the day team is open: the out-of-hours service that takes over when it closes.
    pub out_of_hours_team: Option<Contact>,
    pub national: Vec<Contact>,
}

impl From<core::CallAdvice> for CallAdvice {
    fn from(a: core::CallAdvice) -> Self {
        CallAdvice {
            area: a.area.into(),
            need: a.need,
            at: a.at.format("%Y-%m-%dT%H:%M").to_string(),
            contact: a.contact.map(Contact::from),
            phone: a.phone.map(Phone::from),
            reason: a.reason,
            out_of_hours: a.out_of_hours,
            day_team: a.day_team.map(Contact::from),
            out_of_hours_team: a.out_of_hours_team.map(Contact::from),
            national: a.national.into_iter().map(Contact::from).collect(),
        }
    }
}

/// A contact the user adds or edits. Leave `id` empty for a new one.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PersonalContact {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub area_id: Option<String>,
    pub needs: Vec<String>,
    pub phones: Vec<PersonalPhone>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

impl From<core::PersonalContact> for PersonalContact {
    fn from(c: core::PersonalContact) -> Self {
        PersonalContact {
            id: c.id,
            name: c.name,
            role: c.role,
            area_id: c.area_id,
            needs: c.needs,
            phones: c.phones.into_iter().map(|p| PersonalPhone { label: p.label, number: p.number }).collect(),
            email: c.email,
            notes: c.notes,
        }
    }
}

/// What could still be read from a damaged user database that was moved aside.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SalvagedUserData {
    pub bookmarks: Vec<SalvagedBookmark>,
    pub notes: Vec<SalvagedNote>,
    pub personal_contacts: Vec<PersonalContact>,
    /// What could not be read, table by table.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SalvagedBookmark {
    pub page_id: String,
    pub anchor: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SalvagedNote {
    /// `page:<id>` or `contact:<id>`.
    pub target: String,
    pub text: String,
}

impl From<core::Salvaged> for SalvagedUserData {
    fn from(s: core::Salvaged) -> Self {
        SalvagedUserData {
            bookmarks: s
                .bookmarks
                .into_iter()
                .map(|b| SalvagedBookmark { page_id: b.page_id, anchor: b.anchor })
                .collect(),
            notes: s.notes.into_iter().map(|n| SalvagedNote { target: n.target, text: n.text }).collect(),
            personal_contacts: s.personal_contacts.into_iter().map(PersonalContact::from).collect(),
            problems: s.problems,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PersonalPhone {
    pub label: String,
    pub number: String,
}

impl From<PersonalContact> for core::PersonalContact {
    fn from(c: PersonalContact) -> Self {
        core::PersonalContact {
            id: c.id,
            name: c.name,
            role: c.role,
            area_id: c.area_id,
            needs: c.needs,
            phones: c.phones.into_iter().map(|p| core::PersonalPhone { label: p.label, number: p.number }).collect(),
            email: c.email,
            notes: c.notes,
        }
    }
}

/// Where to fetch signed updates from, and which root keys to trust.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncConfig {
    /// Base URL of the channel tree (the folder holding `manifest.json`), `https://` in production.
    pub server: String,
    /// e.g. `production`; a manifest for another channel is refused.
    pub channel: String,
    /// Contents of the publisher's `root.pub` file(s), as text. At least one.
    pub root_keys: Vec<String>,
}

impl SyncConfig {
    pub(crate) fn to_core(&self) -> crate::error::Result<core::SyncConfig> {
        if self.root_keys.is_empty() {
            return Err(crate::SafeguardingError::InvalidInput { reason: "no root key to trust was given".into() });
        }
        let roots = self
            .root_keys
            .iter()
            .enumerate()
            .map(|(i, text)| {
                core::sync::parse_root_public_key(text).map_err(|e| crate::SafeguardingError::InvalidInput {
                    reason: format!("root key {} is not a root public key: {e}", i + 1),
                })
            })
            .collect::<crate::error::Result<Vec<_>>>()?;
        Ok(core::SyncConfig::new(self.server.clone(), self.channel.clone(), roots))
    }
}

/// A page an update changed, for "Updated since you last looked".
#[derive(Debug, Clone, uniffi::Record)]
pub struct ChangedPage {
    pub id: String,
    pub title: String,
    /// The editor's one-line note on the change, if they wrote one.
    pub note: Option<String>,
}

impl From<core::ChangedPage> for ChangedPage {
    fn from(c: core::ChangedPage) -> Self {
        ChangedPage { id: c.id, title: c.title, note: c.note }
    }
}

/// What a sync did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncReport {
    /// False when the installed guidance was already the newest.
    pub updated: bool,
    pub manifest_version: u64,
    pub bytes_downloaded: u64,
    /// Pages this sync changed (empty when nothing was updated).
    pub changed: Vec<ChangedPage>,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        SyncReport {
            updated: r.updated,
            manifest_version: r.manifest_version,
            bytes_downloaded: r.bytes_downloaded,
            changed: r.changed.into_iter().map(ChangedPage::from).collect(),
        }
    }
}

/// Why the last sync failed. `kind` is the same stable word as `SafeguardingError.Update.kind`
/// (or `cancelled`, `invalid_content`, `io`); `at` is RFC 3339 in UTC.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncFailure {
    pub kind: String,
    pub message: String,
    pub at: String,
}

/// What the Updates screen shows. Times are RFC 3339 in UTC (`2026-12-01T22:50:49Z`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncStatus {
    /// 0 for the guidance bundled with the app.
    pub manifest_version: u64,
    pub channel: Option<String>,
    pub published_at: Option<String>,
    pub expires_at: Option<String>,
    pub last_check: Option<String>,
    pub last_success: Option<String>,
    pub last_error: Option<SyncFailure>,
    /// The installed update has expired: the guidance is kept but may be out of date.
    pub stale: bool,
    /// Pages changed by updates and not opened since, newest update first.
    pub unread: Vec<ChangedPage>,
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(s: core::SyncStatus) -> Self {
        SyncStatus {
            manifest_version: s.manifest_version,
            channel: s.channel,
            published_at: s.published_at.map(rfc3339),
            expires_at: s.expires_at.map(rfc3339),
            last_check: s.last_check.map(rfc3339),
            last_success: s.last_success.map(rfc3339),
            last_error: s.last_error.map(|f| SyncFailure { kind: f.kind, message: f.message, at: rfc3339(f.at) }),
            stale: s.stale,
            unread: s.unread.into_iter().map(ChangedPage::from).collect(),
        }
    }
}
