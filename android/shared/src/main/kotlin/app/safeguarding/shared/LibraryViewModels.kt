package app.safeguarding.shared

import app.safeguarding.core.Bookmark
import app.safeguarding.core.Note
import app.safeguarding.core.PageSummary
import app.safeguarding.core.SafeguardingException
import app.safeguarding.core.SafeguardingLibrary
import app.safeguarding.core.Topic
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
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
        // Read, then update: the state is taken after the suspension, not before it.
        val topics = withContext(io) { library.topics() }
        _state.update { it.copy(topics = topics) }
    }

    fun open(topicId: String) = scope.launch {
        try {
            val pages = withContext(io) { library.pagesInTopic(topicId) }
            _state.update { it.copy(pages = pages, error = null) }
        } catch (e: SafeguardingException) {
            _state.update { it.copy(error = userMessage(e)) }
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
