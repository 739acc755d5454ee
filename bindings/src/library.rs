//! The `Library` object: guidance, search, bookmarks and notes.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use safeguarding_core as core;
use safeguarding_core::{SearchRequest, Work};

use crate::contacts::Contacts;
use crate::error::{Result, SafeguardingError};
use crate::progress::{CancelToken, Listener, ProgressListener};
use crate::types::*;

/// The library's own runtime: async methods run their blocking work on its blocking pool, so
/// the app's coroutine or task is never blocked. (The core's `sync` builds its own
/// current-thread runtime for HTTP inside that blocking thread, which tokio allows.)
fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            // Async methods only hand work to the runtime's blocking pool, so a current-thread
            // runtime (smaller than the multi-threaded one) is enough.
            tokio::runtime::Builder::new_current_thread()
                .max_blocking_threads(2)
                .thread_name("safeguarding")
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| SafeguardingError::Storage { reason: format!("cannot start worker threads: {e}") })
}

/// One data folder: installed guidance, the user's own data and the search index.
/// (Not called `Library`: Kotlin bindings import JNA's `Library` interface.)
#[derive(uniffi::Object)]
pub struct SafeguardingLibrary {
    pub(crate) inner: Arc<core::Library>,
}

fn install(
    inner: &core::Library,
    content_dir: &str,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelToken>>,
) -> Result<InstallReport> {
    let progress = Listener(listener);
    let fallback = CancelToken::default();
    let cancel = cancel.as_deref().unwrap_or(&fallback);
    let work = Work { progress: &progress, cancel: &cancel.inner };
    Ok(inner.install_dir(&PathBuf::from(content_dir), &work)?.into())
}

#[uniffi::export]
impl SafeguardingLibrary {
    /// Opens (creating if needed) the data folder, e.g. `context.filesDir/safeguarding`. If the
    /// search index is missing, stale or damaged it is rebuilt here.
    /// I/O: yes (databases, index). Not on the UI thread.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>> {
        Ok(Arc::new(SafeguardingLibrary { inner: Arc::new(core::Library::open(&PathBuf::from(data_dir))?) }))
    }

    /// Installs content from a folder laid out like the repository's `content/` (the app copies
    /// its bundled content there). Does nothing if that exact content is installed. Checked
    /// first; an error or a cancel leaves what was installed in place.
    /// I/O: yes, and CPU for the index. Not on the UI thread; see `install_content_async`.
    pub fn install_content(
        &self,
        content_dir: String,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<InstallReport> {
        install(&self.inner, &content_dir, listener, cancel)
    }

    /// `install_content` as a suspend function (Kotlin) / async function (Swift), run on the
    /// library's own worker thread. Safe to call from the UI thread's coroutine scope.
    pub async fn install_content_async(
        &self,
        content_dir: String,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<InstallReport> {
        let inner = self.inner.clone();
        runtime()?
            .spawn_blocking(move || install(&inner, &content_dir, listener, cancel))
            .await
            .map_err(|e| SafeguardingError::Storage { reason: format!("install stopped: {e}") })?
    }

    /// Where a damaged user database (bookmarks, notes, personal contacts) was moved when this
    /// library opened, or `None`. The app then starts with empty user data and should say so,
    /// offering `salvage_user_data` on that file.
    pub fn user_data_moved_to(&self) -> Option<String> {
        self.inner.user_data_moved_to().map(|p| p.display().to_string())
    }

    /// Reads what it still can from a user database that was moved aside: the app can show it,
    /// export it, or add it back. Never changes the file.
    /// I/O: yes (a small read). Not on the UI thread.
    pub fn salvage_user_data(&self, path: String) -> Result<SalvagedUserData> {
        Ok(core::Library::salvage_user_data(&PathBuf::from(path))?.into())
    }

    /// What is installed, or `None` before the first install.
    /// I/O: yes (a small read). Avoid the UI thread.
    pub fn installed(&self) -> Result<Option<InstalledContent>> {
        Ok(self.inner.installed()?.map(InstalledContent::from))
    }

    /// Rebuilds the search index from the installed content.
    /// I/O: yes, and CPU. Not on the UI thread.
    pub fn rebuild_index(
        &self,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<()> {
        let progress = Listener(listener);
        let fallback = CancelToken::default();
        let cancel = cancel.as_deref().unwrap_or(&fallback);
        Ok(self.inner.rebuild_index(&Work { progress: &progress, cancel: &cancel.inner })?)
    }

    /// Searches the guidance: typos, abbreviations and US spellings are forgiven. `limit` is
    /// capped at 100; `topic` and `audience` filter.
    /// I/O: reads the memory-mapped index; well under a millisecond. May be called as the user
    /// types, on the UI thread.
    pub fn search(
        &self,
        query: String,
        topic: Option<String>,
        audience: Option<String>,
        limit: u32,
    ) -> Result<SearchResults> {
        let request = SearchRequest { query, topic, audience, limit: limit as usize };
        Ok(self.inner.search(&request)?.into())
    }

    /// Titles and keywords completing what has been typed.
    /// I/O: the first call reads titles from the database; later calls are in memory. UI thread
    /// is fine after the first call.
    pub fn suggest(&self, prefix: String, limit: u32) -> Result<Vec<Suggestion>> {
        Ok(self.inner.suggest(&prefix, limit as usize)?.into_iter().map(Suggestion::from).collect())
    }

    /// A page with its blocks, review state, bookmark and note.
    /// I/O: yes (small reads). UI thread is acceptable; background preferred.
    pub fn page(&self, id: String) -> Result<Page> {
        Ok(self.inner.page(&id)?.into())
    }

    /// Topics in display order, with page counts. I/O: small read.
    pub fn topics(&self) -> Result<Vec<Topic>> {
        Ok(self.inner.topics()?.into_iter().map(Topic::from).collect())
    }

    /// Pages of a topic, by title. I/O: small read.
    pub fn pages_in_topic(&self, topic: String) -> Result<Vec<PageSummary>> {
        Ok(self.inner.pages_in_topic(&topic)?.into_iter().map(PageSummary::from).collect())
    }

    /// I/O: small write.
    pub fn add_bookmark(&self, page_id: String, anchor: Option<String>) -> Result<()> {
        Ok(self.inner.add_bookmark(&page_id, anchor.as_deref())?)
    }

    /// Returns whether there was one. I/O: small write.
    pub fn remove_bookmark(&self, page_id: String) -> Result<bool> {
        Ok(self.inner.remove_bookmark(&page_id)?)
    }

    /// Newest first; bookmarks of pages an update removed have no title. I/O: small read.
    pub fn bookmarks(&self) -> Result<Vec<Bookmark>> {
        Ok(self.inner.bookmarks()?.into_iter().map(Bookmark::from).collect())
    }

    /// Saves a private note on a page or contact; an empty text deletes it. I/O: small write.
    pub fn set_note(&self, target: NoteTarget, text: String) -> Result<()> {
        Ok(self.inner.set_note(&target.into(), &text)?)
    }

    /// I/O: small read.
    pub fn note(&self, target: NoteTarget) -> Result<Option<Note>> {
        Ok(self.inner.note(&target.into())?.map(Note::from))
    }

    /// Every note, most recently edited first. I/O: small read.
    pub fn notes(&self) -> Result<Vec<Note>> {
        Ok(self.inner.notes()?.into_iter().map(Note::from).collect())
    }

    /// Call when the user submits a search (not on every keystroke). I/O: small write.
    pub fn record_search(&self, query: String) -> Result<()> {
        Ok(self.inner.record_search(&query)?)
    }

    /// Newest first. I/O: small read.
    pub fn recent_searches(&self) -> Result<Vec<String>> {
        Ok(self.inner.recent_searches()?)
    }

    /// I/O: small write.
    pub fn clear_recent_searches(&self) -> Result<()> {
        Ok(self.inner.clear_recent_searches()?)
    }

    /// Checks the update server and, if it offers a newer signed release, downloads only the
    /// files this device lacks, verifies them and switches over atomically. Runs on the library's
    /// own worker thread: a suspend function (Kotlin) / async function (Swift), safe to call from
    /// the UI's coroutine scope or a background task. Progress: `Downloading` with bytes so far
    /// (`total` is the most an update may need, not its size), then `Checking`, `Installing` and
    /// `Indexing` as for an install. `cancel` stops it at the next safe point with nothing
    /// changed; cancelling the coroutine or task alone does not stop the download, so pass a
    /// token. Any failure keeps the installed guidance, is recorded for `sync_status`, and
    /// surfaces as `SafeguardingError.Update { kind }` (or `Cancelled`, `InvalidInput` for a bad
    /// address or root key).
    /// I/O: network, disk and CPU for the index.
    pub async fn sync(
        &self,
        config: SyncConfig,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<SyncReport> {
        let config = config.to_core()?;
        let inner = self.inner.clone();
        runtime()?
            .spawn_blocking(move || {
                let progress = Listener(listener);
                let fallback = CancelToken::default();
                let cancel = cancel.as_deref().unwrap_or(&fallback);
                Ok(inner.sync(&config, &Work { progress: &progress, cancel: &cancel.inner })?.into())
            })
            .await
            // A panic below (e.g. the TLS verifier not initialised on Android) is not a storage
            // fault: report it as a failed update, which keeps the guidance in use.
            .map_err(|e| SafeguardingError::Update { kind: "internal".into(), reason: format!("sync stopped: {e}") })?
    }

    /// What the Updates screen shows: installed update, times, last error, whether it is stale,
    /// and the pages changed since the user last looked.
    /// I/O: yes (one small file). UI thread is acceptable; background preferred.
    pub fn sync_status(&self) -> SyncStatus {
        self.inner.sync_status().into()
    }

    /// Removes a page from "Updated since you last looked" (call when the user opens it).
    /// I/O: a small write; waits while an install or sync holds the data folder. Not on the UI thread.
    pub fn mark_update_seen(&self, page_id: String) -> Result<()> {
        Ok(self.inner.mark_update_seen(&page_id)?)
    }

    /// The contacts directory of this data folder. No I/O until used.
    pub fn contacts(&self) -> Arc<Contacts> {
        Arc::new(Contacts { inner: self.inner.clone() })
    }
}
