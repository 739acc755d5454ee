package app.safeguarding.shared

import app.safeguarding.core.CallAdvice
import app.safeguarding.core.SafeguardingException
import app.safeguarding.core.SafeguardingLibrary
import app.safeguarding.core.SearchResult
import app.safeguarding.core.Suggestion
import app.safeguarding.core.SuggestionKind
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

data class SearchState(
    val query: String = "",
    val suggestions: List<Suggestion> = emptyList(),
    val results: List<SearchResult> = emptyList(),
    /** The call-now card when the query names a place or postcode district; shown first. */
    val contactCard: CallAdvice? = null,
    /** "Did you mean ...?" when the query had misspelt words. */
    val didYouMean: String? = null,
    val recent: List<String> = emptyList(),
    val topic: String? = null,
    val error: String? = null,
)

/**
 * Search as the user types: suggestions and results update on each keystroke (after [debounceMs]),
 * and a submitted search is remembered in recent searches.
 */
class SearchViewModel(
    private val library: SafeguardingLibrary,
    private val navigator: Navigator,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher,
    private val debounceMs: Long = 120,
) {
    private val _state = MutableStateFlow(SearchState())
    val state: StateFlow<SearchState> = _state.asStateFlow()
    private var pending: Job? = null

    fun start() {
        scope.launch {
            val recent = withContext(io) { library.recentSearches() }
            _state.update { it.copy(recent = recent) }
        }
    }

    fun onQueryChanged(query: String) {
        _state.value = _state.value.copy(query = query)
        pending?.cancel()
        pending = scope.launch {
            if (debounceMs > 0) delay(debounceMs)
            run(query)
        }
    }

    fun onTopicFilter(topic: String?) {
        _state.value = _state.value.copy(topic = topic)
        onQueryChanged(_state.value.query)
    }

    private suspend fun run(query: String) {
        if (query.isBlank()) {
            _state.value = _state.value.copy(suggestions = emptyList(), results = emptyList(), contactCard = null, didYouMean = null, error = null)
            return
        }
        try {
            val topic = _state.value.topic
            val (suggestions, results) = withContext(io) {
                library.suggest(query, 5u) to library.search(query, topic, null, 20u)
            }
            if (_state.value.query == query) {
                _state.value = _state.value.copy(
                    suggestions = suggestions,
                    results = results.results,
                    contactCard = results.contactCard,
                    didYouMean = results.suggestion,
                    error = null,
                )
            }
        } catch (e: SafeguardingException) {
            _state.value = _state.value.copy(error = userMessage(e))
        }
    }

    /** The user pressed search: remember the query. */
    fun submit() {
        val query = _state.value.query.trim()
        if (query.isEmpty()) return
        scope.launch {
            // Read first, then update: `_state.value.copy(recent = withContext(...))` would take
            // the state before suspending and write it back afterwards, losing any results that
            // arrived meanwhile.
            val recent = withContext(io) {
                library.recordSearch(query)
                library.recentSearches()
            }
            _state.update { it.copy(recent = recent) }
        }
    }

    /** Tapping "Did you mean" searches for the corrected words. */
    fun acceptDidYouMean() {
        _state.value.didYouMean?.let { onQueryChanged(it) }
    }

    /** A title suggestion opens its page; a keyword suggestion becomes the query. */
    fun choose(suggestion: Suggestion) {
        val pageId = suggestion.pageId
        if (suggestion.kind == SuggestionKind.TITLE && pageId != null) {
            navigator.push(Screen.Reader(pageId))
        } else {
            onQueryChanged(suggestion.text)
        }
    }

    fun open(result: SearchResult) {
        submit()
        navigator.push(Screen.Reader(result.id, result.section?.anchor))
    }
}

/** What to show a user for an error: what happened and what they can do. */
fun userMessage(e: SafeguardingException): String = when (e) {
    is SafeguardingException.NotFound -> "That is no longer in the guide. It may have been removed in an update."
    is SafeguardingException.InvalidInput -> e.reason
    is SafeguardingException.InvalidContent -> "An update could not be used, so the guide you have is unchanged."
    is SafeguardingException.NoContent -> "The guide is still being set up. Try again in a moment."
    is SafeguardingException.Cancelled -> "Stopped. Nothing was changed."
    is SafeguardingException.Update -> UpdateText.failure(e.kind)
    is SafeguardingException.Storage -> "The phone's storage could not be read or written. Free some space and try again."
}
