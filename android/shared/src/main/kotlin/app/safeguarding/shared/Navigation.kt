package app.safeguarding.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** Every screen of the app. The Compose layer draws the top of [Navigator.stack]. */
sealed class Screen {
    object Search : Screen()
    object Topics : Screen()
    data class TopicPages(val topicId: String) : Screen()
    data class Reader(val pageId: String, val anchor: String? = null) : Screen()
    object Contacts : Screen()
    object Bookmarks : Screen()
    object Updates : Screen()
    /** What the app is and the licences of its code and guidance; opened from Updates. */
    object About : Screen()
}

/** A back stack of screens. Tabs replace the stack; links push onto it. */
class Navigator(start: Screen = Screen.Search) {
    private val _stack = MutableStateFlow(listOf(start))
    val stack: StateFlow<List<Screen>> = _stack.asStateFlow()
    val current: Screen get() = _stack.value.last()

    fun push(screen: Screen) {
        _stack.value = _stack.value + screen
    }

    /** Switches tab: the tab's screen becomes the only one on the stack. */
    fun tab(screen: Screen) {
        _stack.value = listOf(screen)
    }

    /** Returns false when there is nothing to go back to (the app should close). */
    fun back(): Boolean {
        if (_stack.value.size <= 1) return false
        _stack.value = _stack.value.dropLast(1)
        return true
    }
}
