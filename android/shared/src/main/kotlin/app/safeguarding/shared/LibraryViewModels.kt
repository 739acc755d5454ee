package app.safeguarding.shared

import app.safeguarding.core.Bookmark
import app.safeguarding.core.CancelToken
import app.safeguarding.core.InstalledContent
import app.safeguarding.core.Note
import app.safeguarding.core.PageSummary
import app.safeguarding.core.ProgressListener
import app.safeguarding.core.SafeguardingException
import app.safeguarding.core.SafeguardingLibrary
import app.safeguarding.core.Stage
import app.safeguarding.core.Topic
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

data class TopicsState(val topics: List<Topic> = emptyList(), val pages: List<PageSummary> = emptyList(), val error: String? = null)

class TopicsViewModel(
    private val library: SafeguardingLibrary,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher,
) {
    private val _state = MutableStateFlow(TopicsState())
    val state: StateFlow<TopicsState> = _state.asStateFlow()

    fun load() = scope.launch {
        _state.value = _state.value.copy(topics = withContext(io) { library.topics() })
    }

    fun open(topicId: String) = scope.launch {
        try {
            _state.value = _state.value.copy(pages = withContext(io) { library.pagesInTopic(topicId) }, error = null)
        } catch (e: SafeguardingException) {
            _state.value = _state.value.copy(error = userMessage(e))
        }
    }
}

data class BookmarksState(val bookmarks: List<Bookmark> = emptyList(), val notes: List<Note> = emptyList())

class BookmarksViewModel(
    private val library: SafeguardingLibrary,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher,
) {
    private val _state = MutableStateFlow(BookmarksState())
    val state: StateFlow<BookmarksState> = _state.asStateFlow()

    fun load() = scope.launch {
        val (bookmarks, notes) = withContext(io) { library.bookmarks() to library.notes() }
        _state.value = BookmarksState(bookmarks, notes)
    }

    fun remove(pageId: String) = scope.launch {
        withContext(io) { library.removeBookmark(pageId) }
        load()
    }
}

data class UpdatesState(
    val installed: InstalledContent? = null,
    val stage: Stage? = null,
    val done: Long = 0,
    val total: Long = 0,
    val busy: Boolean = false,
    val message: String? = null,
)

/**
 * The Updates screen: what content is installed, and installing the content bundled with the app
 * (first run, or after an app upgrade). Progress arrives on a worker thread; StateFlow makes it
 * safe to collect on the UI thread.
 */
class UpdatesViewModel(
    private val library: SafeguardingLibrary,
    private val bundledContentDir: String,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher,
) {
    private val _state = MutableStateFlow(UpdatesState())
    val state: StateFlow<UpdatesState> = _state.asStateFlow()
    private var cancel: CancelToken? = null

    fun load() = scope.launch {
        _state.value = _state.value.copy(installed = withContext(io) { library.installed() })
    }

    fun installBundled() = scope.launch {
        val token = CancelToken()
        cancel = token
        _state.value = _state.value.copy(busy = true, message = null)
        val listener = object : ProgressListener {
            override fun onProgress(stage: Stage, done: ULong, total: ULong) {
                _state.value = _state.value.copy(stage = stage, done = done.toLong(), total = total.toLong())
            }
        }
        try {
            val report = library.installContentAsync(bundledContentDir, listener, token)
            _state.value = _state.value.copy(
                message = if (report.installed) "Installed ${report.pageCount} pages." else "Already up to date.",
            )
        } catch (e: SafeguardingException) {
            _state.value = _state.value.copy(message = userMessage(e))
        } finally {
            _state.value = _state.value.copy(busy = false, installed = withContext(io) { library.installed() })
            cancel = null
        }
    }

    fun cancel() {
        cancel?.cancel()
    }
}
