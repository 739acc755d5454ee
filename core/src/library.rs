//! The façade apps and the CLI use: one data folder holding the content database, the user
//! database and the search index, and every operation on them.
//!
//! Methods take `&self` and lock internally, so one `Library` can be shared between a UI thread
//! and background work: searches keep using the current index while an install builds the next.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use chrono::{NaiveDate, NaiveDateTime};
use safeguarding_content::{check, ContentFiles, Diagnostic, Helpline, Page, PhoneNumber};

use crate::contacts::{london_now, AreaMatch, AreaSummary, CallAdvice, ContactBook, ContactView};
use crate::error::{Error, Result};
use crate::lock::WriterLock;
use crate::progress::{Cancel, NoProgress, Stage, Work};
use crate::search::{IndexMeta, SearchIndex, SearchRequest, SearchResults, Suggester, Suggestion};
use crate::store::{ContentStore, InstalledContent, TopicSummary};
use crate::sync::{self, BlobStore, Fetched, SyncConfig, SyncReport, SyncState, SyncStatus, Verdict};
use crate::userdata::{Bookmark, Note, NoteTarget, PersonalContact, Salvaged, UserStore};

const CONTENT_DB: &str = "content.sqlite";
const USER_DB: &str = "user.sqlite";
const INDEX_DIR: &str = "index";

/// What an install did.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallReport {
    /// False when the same content was already installed and nothing was done.
    pub installed: bool,
    pub version: String,
    pub page_count: u32,
    /// Problems that did not stop the install (e.g. pages overdue for review).
    pub warnings: Vec<Diagnostic>,
}

/// A page as the reader shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageView {
    pub page: Page,
    /// `next_review` has passed: the app should say the page may be out of date.
    pub overdue: bool,
    pub bookmarked: bool,
    pub note: Option<Note>,
}

/// A bookmark with its page's title, or `None` if an update removed the page.
#[derive(Debug, Clone, PartialEq)]
pub struct BookmarkView {
    pub bookmark: Bookmark,
    pub title: Option<String>,
}

pub struct Library {
    dir: PathBuf,
    content: Mutex<ContentStore>,
    user: Mutex<UserStore>,
    index: RwLock<Option<Arc<SearchIndex>>>,
    /// Built on the first suggestion request rather than at start-up, which it would slow down
    /// on large libraries; dropped whenever content changes.
    suggester: Mutex<Option<Arc<Suggester>>>,
    /// The contacts directories in memory, built on first use and dropped when content changes.
    contacts: Mutex<Option<Arc<ContactBook>>>,
    /// Where an unreadable user database was moved at start-up, so the app can say so and
    /// offer to export what it still holds.
    user_data_moved_to: Option<PathBuf>,
}

/// The user setting that holds their home area.
const HOME_AREA: &str = "home_area";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves SQLite consistent (transactions roll
    // back on drop), so the data is still safe to use.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Library {
    /// Opens (creating if needed) the data folder. If content is installed, the search index is
    /// opened, or rebuilt if it is stale or damaged.
    pub fn open(dir: &Path) -> Result<Library> {
        Library::open_with(dir, &Work { progress: &NoProgress, cancel: &Cancel::new() })
    }

    ///
    /// A damaged content database is moved aside and starts empty (content is reinstalled from
    /// the bundled release); a damaged user database is moved aside under a dated name, never
    /// deleted, and the library starts with an empty one ([`Library::user_data_moved_to`]).
    pub fn open_with(dir: &Path, work: &Work<'_>) -> Result<Library> {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let content = open_content_store(dir, &dir.join(CONTENT_DB))?;
        let (user, user_data_moved_to) = open_user_store(dir, &dir.join(USER_DB))?;
        let index = match content.installed()? {
            Some(_) => Some(Arc::new(open_index(dir, &content, work)?)),
            None => None,
        };
        Ok(Library {
            dir: dir.to_path_buf(),
            content: Mutex::new(content),
            user: Mutex::new(user),
            index: RwLock::new(index),
            suggester: Mutex::new(None),
            contacts: Mutex::new(None),
            user_data_moved_to,
        })
    }

    /// Opens the data folder and, when nothing is installed (first run, or the content
    /// database was damaged and moved aside), installs the bundled release from `bundled`.
    pub fn open_or_install(dir: &Path, bundled: &Path, work: &Work<'_>) -> Result<Library> {
        let library = Library::open_with(dir, work)?;
        if library.installed()?.is_none() {
            library.install_dir(bundled, work)?;
        }
        Ok(library)
    }

    /// Where an unreadable user database was moved when this library was opened.
    pub fn user_data_moved_to(&self) -> Option<&Path> {
        self.user_data_moved_to.as_deref()
    }

    /// What can still be read from a user database that was moved aside.
    pub fn salvage_user_data(path: &Path) -> Result<Salvaged> {
        UserStore::salvage(path)
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    /// Installs content from a folder laid out like `content/` — the bundled content, for the
    /// CLI and for apps that ship the folder as assets.
    pub fn install_dir(&self, dir: &Path, work: &Work<'_>) -> Result<InstallReport> {
        work.step(Stage::Checking, 0, 1)?;
        let files = ContentFiles::from_dir(dir)?;
        self.install_files(&files, &format!("folder:{}", dir.display()), work)
    }

    /// Installs `files` unless that exact content is already installed. The content is checked
    /// first; any error leaves what was installed in place, as does cancelling.
    pub fn install_files(&self, files: &ContentFiles, source: &str, work: &Work<'_>) -> Result<InstallReport> {
        // Another process may be installing too: wait for it, then look again at what is there.
        let _writer = WriterLock::acquire(&self.dir)?;
        let report = self.install_locked(files, source, work)?;
        if report.installed {
            // Keep the release's files, so the first sync downloads only what differs.
            BlobStore::new(&self.dir).put_all(files)?;
        }
        Ok(report)
    }

    /// [`Library::install_files`] for a caller that already holds the writer lock.
    fn install_locked(&self, files: &ContentFiles, source: &str, work: &Work<'_>) -> Result<InstallReport> {
        let version = files.digest();
        let mut store = lock(&self.content);
        if let Some(current) = store.installed()? {
            if current.version == version && self.index_read().is_some() {
                return Ok(InstallReport {
                    installed: false,
                    version,
                    page_count: current.page_count,
                    warnings: Vec::new(),
                });
            }
        }
        work.step(Stage::Checking, 0, 1)?;
        let (content, diagnostics) = check(files, today()).into_result().map_err(Error::InvalidContent)?;
        let mut warnings: Vec<Diagnostic> = diagnostics.iter().cloned().collect();
        if let Some(removed) = removed_pages_warning(&store, &content.pages)? {
            warnings.push(removed);
        }
        let meta = IndexMeta::current(&version);
        let index_dir = self.dir.join(INDEX_DIR);
        let staged = store.stage(&content, &version, source, work)?;
        let built = SearchIndex::build(&index_dir, &content.pages, &content.synonyms, &meta, work)?;
        crate::crash::point("install:before-commit");
        staged.commit()?;
        crate::crash::point("install:after-commit");
        // From here the new content is installed. If the swap fails, the index no longer
        // matches the content and is rebuilt on the next open.
        SearchIndex::swap_in(&index_dir, &built)?;
        let index = SearchIndex::open(&index_dir, &store)?;
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(index));
        *lock(&self.suggester) = None;
        *lock(&self.contacts) = None;
        Ok(InstallReport { installed: true, version, page_count: content.pages.len() as u32, warnings })
    }

    /// Syncs the channel tree at `config.server`: verifies it, downloads only the blobs this
    /// device lacks, and installs the release atomically. On any failure the installed content
    /// stays, the failure is recorded for [`Library::sync_status`], and the error is returned.
    pub fn sync(&self, config: &SyncConfig, work: &Work<'_>) -> Result<SyncReport> {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Error::io(&self.dir))?;
        // A background sync and a foreground install never overlap.
        let _writer = WriterLock::acquire(&self.dir)?;
        let mut state = SyncState::load(&self.dir);
        let now = chrono::Utc::now();
        state.last_check = Some(now);
        let result = runtime.block_on(self.sync_locked(config, &mut state, work));
        match &result {
            Ok(report) => {
                state.last_success = Some(chrono::Utc::now());
                state.last_error = None;
                if report.updated {
                    let mut unread = report.changed.clone();
                    unread.extend(state.unread.drain(..).filter(|u| !report.changed.iter().any(|c| c.id == u.id)));
                    state.unread = unread;
                }
            }
            Err(e) => {
                state.last_error = Some(sync::SyncFailure {
                    kind: e.kind().to_string(),
                    message: e.to_string(),
                    at: chrono::Utc::now(),
                })
            }
        }
        state.save(&self.dir)?;
        result
    }

    async fn sync_locked(&self, config: &SyncConfig, state: &mut SyncState, work: &Work<'_>) -> Result<SyncReport> {
        let now = chrono::Utc::now();
        let mut fetch = sync::Fetcher::new(config, work.cancel)?;
        let progress = |n: u64| work.progress.report(Stage::Downloading, n, config.caps.max_total_bytes);
        let [keys_f, keys_sig_f, manifest_f, manifest_sig_f] = sync::tree_files(&config.caps);
        let body = |f: Fetched| match f {
            Fetched::Body { bytes, etag } => (bytes, etag),
            Fetched::NotModified => (Vec::new(), None),
        };
        // The manifest first, conditionally: "nothing changed" costs one small 304.
        let etag = state.manifest_etag.clone().filter(|_| state.channel.as_deref() == Some(&config.channel));
        let up_to_date = |version: u64, bytes: u64| SyncReport {
            updated: false,
            manifest_version: version,
            bytes_downloaded: bytes,
            changed: Vec::new(),
        };
        let manifest = fetch.get(manifest_f.0, manifest_f.1, etag.as_deref(), &progress).await?;
        let (manifest_bytes, manifest_etag) = match manifest {
            Fetched::NotModified => return Ok(up_to_date(state.manifest_version, fetch.downloaded)),
            f => body(f),
        };
        let (manifest_sig, _) = body(fetch.get(manifest_sig_f.0, manifest_sig_f.1, None, &progress).await?);
        let (keys, _) = body(fetch.get(keys_f.0, keys_f.1, None, &progress).await?);
        let (keys_sig, _) = body(fetch.get(keys_sig_f.0, keys_sig_f.1, None, &progress).await?);
        let (delegation, root_ids) = sync::check_keys(state, config, &keys, &keys_sig, now)?;
        let manifest = sync::verify_manifest_bytes(config, &delegation, &manifest_bytes, &manifest_sig)?;
        let manifest = match sync::judge(state, config, manifest, &manifest_bytes, now)? {
            Verdict::UpToDate => {
                state.manifest_etag = manifest_etag;
                return Ok(up_to_date(state.manifest_version, fetch.downloaded));
            }
            Verdict::Newer(m) => m,
        };
        if manifest.total_size() > config.caps.max_total_bytes {
            return Err(sync::refused(
                "too_large",
                format!("the release is {} bytes, over the limit", manifest.total_size()),
            ));
        }
        // Only the blobs this device lacks; each checked against the manifest before use.
        let blobs = BlobStore::new(&self.dir);
        let mut files = ContentFiles::new();
        let mut fetched = Vec::new();
        for doc in &manifest.documents {
            let bytes = match blobs.get(&doc.sha256, doc.size) {
                Some(b) => b,
                None => {
                    fetched.push(doc);
                    let name = format!("{}/{}", sync::BLOBS_DIR, doc.sha256);
                    let (b, _) =
                        body(fetch.get(&name, doc.size.min(config.caps.max_blob_bytes), None, &progress).await?);
                    doc.verify_blob(&b).map_err(|e| sync::format_error(&e))?;
                    blobs.put(&doc.sha256, &b)?;
                    b
                }
            };
            files.insert(doc.path.clone(), bytes);
        }
        let before: std::collections::BTreeMap<String, String> = {
            let store = lock(&self.content);
            store.titles_and_keywords()?.into_iter().map(|(id, title, _)| (id, title)).collect()
        };
        let source = format!("sync:{}:{}", manifest.channel, manifest.manifest_version);
        let report = self.install_locked(&files, &source, work)?;
        let changed = self.changed_pages(&fetched, &before)?;
        let keep: std::collections::BTreeSet<String> = manifest.documents.iter().map(|d| d.sha256.clone()).collect();
        blobs.keep_only(&keep);
        state.roots = root_ids;
        state.channel = Some(manifest.channel.clone());
        state.manifest_version = manifest.manifest_version;
        state.manifest_sha256 = Some(safeguarding_sync_format::sha256_hex(&manifest_bytes));
        state.published_at = Some(manifest.published_at);
        state.expires_at = Some(manifest.expires_at);
        state.keys_version = delegation.version();
        state.manifest_etag = manifest_etag;
        Ok(SyncReport {
            updated: report.installed,
            manifest_version: manifest.manifest_version,
            bytes_downloaded: fetch.downloaded,
            changed,
        })
    }

    /// Pages whose bytes this sync brought, with the editor's note.
    fn changed_pages(
        &self,
        fetched: &[&safeguarding_sync_format::Document],
        before: &std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<sync::ChangedPage>> {
        let store = lock(&self.content);
        let mut out = Vec::new();
        for doc in fetched {
            let Some(id) = doc
                .path
                .strip_prefix("guidance/")
                .and_then(|p| p.rsplit('/').next())
                .and_then(|f| f.strip_suffix(".md"))
            else {
                continue;
            };
            let title = store.page_title(id)?.or_else(|| before.get(id).cloned());
            if let Some(title) = title {
                out.push(sync::ChangedPage { id: id.to_string(), title, note: doc.note.clone() });
            }
        }
        Ok(out)
    }

    /// What the Updates screen shows: installed version, times, last error, staleness.
    pub fn sync_status(&self) -> SyncStatus {
        SyncState::load(&self.dir).status(chrono::Utc::now())
    }

    /// Marks a page as read in "Updated since you last looked".
    pub fn mark_update_seen(&self, page_id: &str) -> Result<()> {
        let _writer = WriterLock::acquire(&self.dir)?;
        let mut state = SyncState::load(&self.dir);
        let before = state.unread.len();
        state.unread.retain(|u| u.id != page_id);
        if state.unread.len() != before {
            state.save(&self.dir)?;
        }
        Ok(())
    }

    pub fn installed(&self) -> Result<Option<InstalledContent>> {
        lock(&self.content).installed()
    }

    fn index_read(&self) -> Option<Arc<SearchIndex>> {
        self.index.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn index(&self) -> Result<Arc<SearchIndex>> {
        self.index_read().ok_or(Error::NoContent)
    }

    /// Searches the guidance. If the index fails (an error, or a panic inside tantivy from a
    /// damaged file), it is rebuilt once from the content database and the search run again.
    ///
    /// A place name or postcode in the query (from the installed directories) puts that area's
    /// call-now card first, and is left out of the guidance search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let (place, guidance) = self.split_place(request);
        let Some(place) = place else { return self.search_guidance(request) };
        let mut results = if guidance.query.is_empty() {
            SearchResults { query: String::new(), suggestion: None, contact_card: None, results: Vec::new() }
        } else {
            self.search_guidance(&guidance)?
        };
        results.query = request.query.clone();
        let need = crate::contacts::need_for_query(&request.query);
        // The card answers for one need ("sheffield out of hours" is children's by default); the
        // guidance under it should be about the same, not adults' pages first.
        if let Some(topic) = crate::contacts::topic_for_need(need) {
            results.results.sort_by_key(|r| r.topic != topic);
        }
        results.contact_card = self.call_now(&place.area.area.id, need, None).ok();
        Ok(results)
    }

    /// The place named in the query, if any, and the request with its words left out.
    fn split_place(&self, request: &SearchRequest) -> (Option<crate::contacts::PlaceInQuery>, SearchRequest) {
        let Some(place) = self.book().ok().and_then(|b| b.place_in_query(&request.query)) else {
            return (None, request.clone());
        };
        let words = crate::contacts::fuzzy_words(&request.query);
        let rest: Vec<&str> =
            words.iter().enumerate().filter(|(i, _)| !place.words.contains(i)).map(|(_, w)| w.as_str()).collect();
        (Some(place), SearchRequest { query: rest.join(" "), ..request.clone() })
    }

    fn search_guidance(&self, request: &SearchRequest) -> Result<SearchResults> {
        let index = self.index()?;
        match index.search(request) {
            Err(e) if e.is_index_failure() => {
                drop(index);
                self.rebuild_index(&Work { progress: &NoProgress, cancel: &Cancel::new() })?;
                self.index()?.search(request)
            }
            other => other,
        }
    }

    /// The guidance search's top `candidates` with each score split by query concept and
    /// field, to see why a page ranks where it does.
    /// A place in the query is left out, as [`Library::search`] leaves it out of the guidance.
    pub fn explain_search(&self, request: &SearchRequest, candidates: usize) -> Result<crate::ScoreBreakdown> {
        self.index()?.breakdown(&self.split_place(request).1, candidates)
    }

    /// Rebuilds the search index from the content database.
    pub fn rebuild_index(&self, work: &Work<'_>) -> Result<()> {
        let _writer = WriterLock::acquire(&self.dir)?;
        let store = lock(&self.content);
        let index_dir = self.dir.join(INDEX_DIR);
        SearchIndex::rebuild(&index_dir, &store, work)?;
        let index = SearchIndex::open(&index_dir, &store)?;
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(index));
        Ok(())
    }

    /// Titles and keywords that complete what has been typed so far.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        self.index()?;
        let suggester = {
            let mut slot = lock(&self.suggester);
            match &*slot {
                Some(s) => s.clone(),
                None => {
                    let built = Arc::new(Suggester::from_pages(&lock(&self.content).titles_and_keywords()?));
                    *slot = Some(built.clone());
                    built
                }
            }
        };
        Ok(suggester.suggest(prefix, limit))
    }

    pub fn page(&self, id: &str) -> Result<PageView> {
        let page = lock(&self.content).page(id)?;
        let user = lock(&self.user);
        Ok(PageView {
            overdue: page.is_overdue(today()),
            bookmarked: user.is_bookmarked(id)?,
            note: user.note(&NoteTarget::Page(id.to_string()))?,
            page,
        })
    }

    pub fn topics(&self) -> Result<Vec<TopicSummary>> {
        lock(&self.content).topics()
    }

    pub fn pages_in_topic(&self, topic: &str) -> Result<Vec<Page>> {
        let store = lock(&self.content);
        if !store.topics()?.iter().any(|t| t.topic.id == topic) {
            return Err(Error::NotFound { what: "topic", id: topic.to_string() });
        }
        store.pages_in_topic(topic)
    }

    pub fn helplines(&self) -> Result<Vec<Helpline>> {
        lock(&self.content).helplines()
    }

    pub fn add_bookmark(&self, page_id: &str, anchor: Option<&str>) -> Result<()> {
        if !lock(&self.content).has_page(page_id)? {
            return Err(Error::PageNotFound(page_id.to_string()));
        }
        lock(&self.user).add_bookmark(page_id, anchor)
    }

    pub fn remove_bookmark(&self, page_id: &str) -> Result<bool> {
        lock(&self.user).remove_bookmark(page_id)
    }

    pub fn bookmarks(&self) -> Result<Vec<BookmarkView>> {
        let marks = lock(&self.user).bookmarks()?;
        let store = lock(&self.content);
        marks.into_iter().map(|b| Ok(BookmarkView { title: store.page_title(&b.page_id)?, bookmark: b })).collect()
    }

    pub fn set_note(&self, target: &NoteTarget, text: &str) -> Result<()> {
        lock(&self.user).set_note(target, text)
    }

    pub fn note(&self, target: &NoteTarget) -> Result<Option<Note>> {
        lock(&self.user).note(target)
    }

    pub fn notes(&self) -> Result<Vec<Note>> {
        lock(&self.user).notes()
    }

    pub fn record_search(&self, query: &str) -> Result<()> {
        lock(&self.user).record_search(query)
    }

    pub fn recent_searches(&self) -> Result<Vec<String>> {
        lock(&self.user).recent_searches()
    }

    pub fn clear_recent_searches(&self) -> Result<()> {
        lock(&self.user).clear_recent_searches()
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        lock(&self.user).setting(key)
    }

    pub fn set_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        lock(&self.user).set_setting(key, value)
    }
}

impl Library {
    fn book(&self) -> Result<Arc<ContactBook>> {
        let mut slot = lock(&self.contacts);
        if let Some(b) = &*slot {
            return Ok(b.clone());
        }
        let book = {
            let store = lock(&self.content);
            if store.installed()?.is_none() {
                return Err(Error::NoContent);
            }
            Arc::new(ContactBook::new(store.directories()?, store.bank_holidays()?, store.helplines()?))
        };
        *slot = Some(book.clone());
        Ok(book)
    }

    /// Adds what the user has said about a contact: favourite, note.
    fn decorate(&self, mut views: Vec<ContactView>) -> Result<Vec<ContactView>> {
        let user = lock(&self.user);
        let favourites = user.favourites()?;
        for v in &mut views {
            v.favourite = favourites.contains(&v.id);
            v.note = user.note(&NoteTarget::Contact(v.id.clone()))?.map(|n| n.text);
        }
        Ok(views)
    }

    fn decorate_one(&self, view: ContactView) -> Result<ContactView> {
        Ok(self.decorate(vec![view])?.remove(0))
    }

    /// The area covering a full or partial postcode.
    pub fn find_area_by_postcode(&self, postcode: &str) -> Result<AreaMatch> {
        self.book()?.find_by_postcode(postcode)
    }

    /// The area containing a position (or nearest to it, saying so).
    pub fn find_area_near(&self, lat: f64, lon: f64) -> Result<AreaMatch> {
        self.book()?.find_near(lat, lon)
    }

    /// Areas matching a place or council name, best first.
    pub fn find_areas_by_name(&self, name: &str) -> Result<Vec<AreaMatch>> {
        self.book()?.find_by_name(name)
    }

    pub fn areas(&self) -> Result<Vec<AreaSummary>> {
        Ok(self.book()?.areas())
    }

    /// Who to call in an area for a need at a UK local time (now, if `at` is `None`).
    pub fn call_now(&self, area_id: &str, need: &str, at: Option<NaiveDateTime>) -> Result<CallAdvice> {
        let mut advice = self.book()?.call_now(area_id, need, at.unwrap_or_else(london_now))?;
        if let Some(c) = advice.contact.take() {
            advice.contact = Some(self.decorate_one(c)?);
        }
        Ok(advice)
    }

    /// Every service of an area, open or not at `at` (now, if `None`).
    pub fn area_services(&self, area_id: &str, at: Option<NaiveDateTime>) -> Result<Vec<ContactView>> {
        let views = self.book()?.services(area_id, at.unwrap_or_else(london_now))?;
        self.decorate(views)
    }

    pub fn national_helplines(&self) -> Result<Vec<ContactView>> {
        self.decorate(self.book()?.helplines())
    }

    /// Any contact by id: published (`area/service`), national (`national:id`) or personal.
    pub fn contact(&self, id: &str) -> Result<ContactView> {
        let book = self.book()?;
        let view = if id.starts_with("personal:") {
            let c = lock(&self.user)
                .personal_contact(id)?
                .ok_or_else(|| Error::NotFound { what: "contact", id: id.to_string() })?;
            book.personal_view(&c)
        } else {
            book.contact(id, Some(london_now()))?
        };
        self.decorate_one(view)
    }

    /// Published, national and personal contacts matching what was typed.
    pub fn search_contacts(&self, query: &str, limit: usize) -> Result<Vec<ContactView>> {
        let personal = lock(&self.user).personal_contacts()?;
        let views = self.book()?.search(query, &personal, Some(london_now()), limit.clamp(1, 200));
        self.decorate(views)
    }

    /// Saves a personal contact (new when its id is empty) after checking it; returns its id.
    pub fn save_personal_contact(&self, contact: &PersonalContact) -> Result<String> {
        if contact.name.trim().is_empty() {
            return Err(Error::InvalidInput("a contact needs a name".into()));
        }
        if contact.phones.is_empty() {
            return Err(Error::InvalidInput("a contact needs at least one phone number".into()));
        }
        for p in &contact.phones {
            PhoneNumber::parse(&p.number).map_err(|e| Error::InvalidInput(e.to_string()))?;
        }
        for n in &contact.needs {
            if !safeguarding_content::NEEDS.contains(&n.as_str()) {
                return Err(Error::InvalidInput(format!("unknown need '{n}'")));
            }
        }
        if let Some(area) = &contact.area_id {
            if !self.book()?.areas().iter().any(|a| &a.id == area) {
                return Err(Error::NotFound { what: "area", id: area.clone() });
            }
        }
        if !contact.id.is_empty() && !contact.id.starts_with("personal:") {
            return Err(Error::InvalidInput("only personal contacts can be edited".into()));
        }
        lock(&self.user).save_personal_contact(contact)
    }

    pub fn delete_personal_contact(&self, id: &str) -> Result<bool> {
        lock(&self.user).delete_personal_contact(id)
    }

    pub fn personal_contacts(&self) -> Result<Vec<ContactView>> {
        let book = self.book()?;
        let views = lock(&self.user).personal_contacts()?.iter().map(|c| book.personal_view(c)).collect();
        self.decorate(views)
    }

    /// Marks a contact as a favourite (or not). The contact must exist now; a favourite whose
    /// contact a later update removes is kept, like bookmarks.
    pub fn set_favourite(&self, contact_id: &str, favourite: bool) -> Result<()> {
        if favourite {
            self.contact(contact_id)?;
        }
        lock(&self.user).set_favourite(contact_id, favourite)
    }

    /// Favourite contacts that still exist, most recently added first.
    pub fn favourites(&self) -> Result<Vec<ContactView>> {
        let ids = lock(&self.user).favourites()?;
        let mut out = Vec::new();
        for id in ids {
            match self.contact(&id) {
                Ok(v) => out.push(v),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    pub fn set_home_area(&self, area_id: Option<&str>) -> Result<()> {
        if let Some(id) = area_id {
            if !self.book()?.areas().iter().any(|a| a.id == id) {
                return Err(Error::NotFound { what: "area", id: id.to_string() });
            }
        }
        lock(&self.user).set_setting(HOME_AREA, area_id)
    }

    /// The user's home area, if set and still in the directories.
    pub fn home_area(&self) -> Result<Option<AreaSummary>> {
        let Some(id) = lock(&self.user).setting(HOME_AREA)? else { return Ok(None) };
        Ok(self.book()?.areas().into_iter().find(|a| a.id == id))
    }

    /// A contact as a vCard 4.0 file.
    pub fn vcard(&self, contact_id: &str) -> Result<String> {
        Ok(ContactBook::vcard(&self.contact(contact_id)?))
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A warning when a release would remove more than half of the installed pages: usually a
/// publishing mistake rather than an editorial decision.
fn removed_pages_warning(store: &ContentStore, new_pages: &[Page]) -> Result<Option<Diagnostic>> {
    let installed: Vec<String> = store.titles_and_keywords()?.into_iter().map(|(id, _, _)| id).collect();
    let kept = installed.iter().filter(|id| new_pages.iter().any(|p| &p.id == *id)).count();
    let removed = installed.len() - kept;
    if installed.is_empty() || removed * 2 <= installed.len() {
        return Ok(None);
    }
    let mut diags = safeguarding_content::Diagnostics::default();
    diags.warning(
        "guidance",
        1,
        format!(
            "this release removes {removed} of the {} installed pages: check it is the right release",
            installed.len()
        ),
    );
    let warning = diags.iter().next().cloned();
    Ok(warning)
}

/// Opens the index if it is current and sound. Otherwise one process rebuilds it under the
/// writer lock; a process that finds the lock taken (another is installing or rebuilding)
/// keeps using the last complete index rather than building beside it.
fn open_index(dir: &Path, store: &ContentStore, work: &Work<'_>) -> Result<SearchIndex> {
    let index_dir = dir.join(INDEX_DIR);
    if let Some(index) = SearchIndex::open_if_current(&index_dir, store)? {
        return Ok(index);
    }
    let writer = match WriterLock::try_acquire(dir)? {
        Some(w) => w,
        None => {
            if let Some(index) = SearchIndex::open_any(&index_dir, store) {
                return Ok(index);
            }
            WriterLock::acquire(dir)?
        }
    };
    let (index, _) = SearchIndex::open_or_build(&index_dir, store, work)?;
    drop(writer);
    Ok(index)
}

/// The content database can always be reinstalled, so a file that SQLite cannot read, or whose
/// rows differ from what was installed, is moved aside (kept for diagnosis) and replaced by an
/// empty one.
fn open_content_store(dir: &Path, path: &Path) -> Result<ContentStore> {
    let damaged = match ContentStore::open(path) {
        Ok(store) => match store.verify() {
            Ok(()) => return Ok(store),
            Err(Error::Corrupt(_)) | Err(Error::Sqlite(_)) => true,
            Err(e) => return Err(e),
        },
        Err(Error::Sqlite(e)) => is_corruption(&e),
        Err(Error::Corrupt(_)) => true,
        Err(e) => return Err(e),
    };
    if !damaged {
        return ContentStore::open(path);
    }
    let _writer = WriterLock::acquire(dir)?;
    // Another process may have replaced it while we waited.
    if let Ok(store) = ContentStore::open(path) {
        if store.verify().is_ok() {
            return Ok(store);
        }
    }
    move_aside(path, "damaged")?;
    ContentStore::open(path)
}

/// The user database is the one thing that cannot be rebuilt: a damaged file is moved aside
/// under a dated name and never deleted; the app starts with an empty one and says so.
fn open_user_store(dir: &Path, path: &Path) -> Result<(UserStore, Option<PathBuf>)> {
    match UserStore::open(path) {
        Ok(store) => return Ok((store, None)),
        Err(Error::Sqlite(e)) if !is_corruption(&e) => return Err(Error::Sqlite(e)),
        Err(Error::Sqlite(_)) | Err(Error::Corrupt(_)) => {}
        Err(e) => return Err(e),
    }
    let _writer = WriterLock::acquire(dir)?;
    if let Ok(store) = UserStore::open(path) {
        return Ok((store, None));
    }
    let aside = move_aside(path, "unreadable")?;
    Ok((UserStore::open(path)?, Some(aside)))
}

/// Renames a database and its WAL files to `<name>.<why>-<UTC time>`; returns the new path.
fn move_aside(path: &Path, why: &str) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    let with_suffix = |p: &Path, suffix: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    let aside = with_suffix(path, &format!(".{why}-{stamp}"));
    std::fs::rename(path, &aside).map_err(Error::io(path))?;
    for suffix in ["-wal", "-shm"] {
        let from = with_suffix(path, suffix);
        if from.exists() {
            let _ = std::fs::rename(&from, with_suffix(&aside, suffix));
        }
    }
    Ok(aside)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt)
    )
}
