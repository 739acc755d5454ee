package app.safeguarding.shared

import app.safeguarding.core.LinkTarget
import app.safeguarding.core.NoteTarget
import app.safeguarding.core.Page
import app.safeguarding.core.SafeguardingException
import app.safeguarding.core.SafeguardingLibrary
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.time.LocalDate
import java.time.format.DateTimeFormatter
import java.util.Locale

data class ReaderState(
    val page: Page? = null,
    /** Section to scroll to once drawn. */
    val anchor: String? = null,
    /** "Last reviewed 23 November 2026". */
    val reviewed: String = "",
    /** Shown in a banner when the page is past its review date. */
    val overdueWarning: String? = null,
    /** Under the title: "Updated 1 December 2026: <summary>" from the newest change; null when none. */
    val updatedLine: String? = null,
    /** The page's sources, in order; those with a [SourceLink.url] are drawn as tappable links. */
    val sources: List<SourceLink> = emptyList(),
    val error: String? = null,
)

/** A publication to list under "Sources". [url] is set only for an https address the phone can open. */
data class SourceLink(val title: String, val url: String?)

/** What tapping a link should do. The Android layer turns [Dial] into `ACTION_DIAL`. */
sealed class LinkAction {
    data class Dial(val tel: String, val display: String) : LinkAction()
    data class OpenPage(val id: String, val anchor: String?) : LinkAction()
    data class OpenWeb(val url: String) : LinkAction()
    data class Email(val address: String) : LinkAction()
}

private val DATE = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.UK)

fun readableDate(iso: String): String = runCatching { LocalDate.parse(iso).format(DATE) }.getOrDefault(iso)

/** "Updated 3 June 2026: <summary>" from the first (newest) change, or null when the page lists none. */
fun updatedLine(page: Page): String? =
    page.changes.firstOrNull()?.let { "Updated ${readableDate(it.date)}: ${it.summary}" }

/** Sources as the reader lists them; a url that is not https is dropped, leaving the title as plain text. */
fun sourceLinks(page: Page): List<SourceLink> =
    page.sources.map { s -> SourceLink(s.title, s.url?.takeIf { it.startsWith("https://") }) }

class ReaderViewModel(
    private val library: SafeguardingLibrary,
    private val navigator: Navigator,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher,
) {
    private val _state = MutableStateFlow(ReaderState())
    val state: StateFlow<ReaderState> = _state.asStateFlow()

    fun load(id: String, anchor: String? = null) {
        // Opening a page takes it off "Updated since you last looked". A small write that waits
        // while a sync holds the data folder, so it runs on its own and never delays the page.
        scope.launch(io) {
            try {
                library.markUpdateSeen(id)
            } catch (e: SafeguardingException) {
                // Only the Updates list is affected.
            }
        }
        scope.launch {
            try {
                val page = withContext(io) { library.page(id) }
                _state.value = ReaderState(
                    page = page,
                    anchor = anchor,
                    reviewed = "Last reviewed ${readableDate(page.lastReviewed)}",
                    overdueWarning = if (page.overdue) {
                        "This page was due for review on ${readableDate(page.nextReview)}. Check it against current local procedures."
                    } else null,
                    updatedLine = updatedLine(page),
                    sources = sourceLinks(page),
                )
            } catch (e: SafeguardingException) {
                _state.value = ReaderState(error = userMessage(e))
            }
        }
    }

    fun toggleBookmark() {
        val page = _state.value.page ?: return
        scope.launch {
            withContext(io) {
                if (page.bookmarked) library.removeBookmark(page.id) else library.addBookmark(page.id, _state.value.anchor)
            }
            _state.value = _state.value.copy(page = page.copy(bookmarked = !page.bookmarked))
        }
    }

    fun saveNote(text: String) {
        val page = _state.value.page ?: return
        scope.launch {
            withContext(io) { library.setNote(NoteTarget.Page(page.id), text) }
            _state.value = _state.value.copy(page = page.copy(note = text.ifBlank { null }))
        }
    }

    /** What tapping a source does: open its official text in the browser, or nothing when it has no url. */
    fun onSource(source: SourceLink): LinkAction? = source.url?.let { LinkAction.OpenWeb(it) }

    /** Decides what a tapped link does; links to other pages navigate straight away. */
    fun onLink(target: LinkTarget): LinkAction {
        val action = when (target) {
            is LinkTarget.Phone -> LinkAction.Dial(target.tel, target.display)
            is LinkTarget.Page -> LinkAction.OpenPage(target.id, target.anchor)
            is LinkTarget.Web -> LinkAction.OpenWeb(target.url)
            is LinkTarget.Email -> LinkAction.Email(target.address)
        }
        if (action is LinkAction.OpenPage) navigator.push(Screen.Reader(action.id, action.anchor))
        return action
    }
}
