package app.safeguarding.android.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import app.safeguarding.android.MainActivity
import app.safeguarding.android.Platform
import app.safeguarding.shared.Navigator
import app.safeguarding.shared.Screen

private val tabs = listOf(
    Screen.Search to "Search",
    Screen.Topics to "Topics",
    Screen.Contacts to "Contacts",
    Screen.Bookmarks to "Saved",
    Screen.Updates to "Updates",
)

@Composable
fun AppScreen(navigator: Navigator, models: MainActivity.Models?, platform: Platform) {
    val stack by navigator.stack.collectAsState()
    val current = stack.last()
    Scaffold(
        bottomBar = {
            NavigationBar {
                for ((screen, label) in tabs) {
                    NavigationBarItem(
                        selected = stack.first() == screen,
                        onClick = { navigator.tab(screen) },
                        icon = {},
                        label = { Text(label) },
                    )
                }
            }
        },
    ) { padding ->
        Box(Modifier.padding(padding).fillMaxSize()) {
            if (models == null) {
                CircularProgressIndicator(Modifier.align(Alignment.Center))
                return@Box
            }
            when (current) {
                Screen.Search -> SearchScreen(models.search, platform)
                Screen.Topics -> TopicsScreen(models.topics, onTopic = { navigator.push(Screen.TopicPages(it)) }, onPage = null)
                is Screen.TopicPages -> TopicsScreen(models.topics, onTopic = null, onPage = { navigator.push(Screen.Reader(it)) }, topicId = current.topicId)
                is Screen.Reader -> ReaderScreen(models.reader, current.pageId, current.anchor, platform)
                Screen.Contacts -> ContactsScreen(models.contacts, platform)
                Screen.Bookmarks -> BookmarksScreen(models.bookmarks, onOpen = { id, anchor -> navigator.push(Screen.Reader(id, anchor)) })
                Screen.Updates -> UpdatesScreen(
                    models.updates,
                    onOpenPage = { models.updates.openUpdated(it, navigator) },
                    onAbout = { navigator.push(Screen.About) },
                )
                Screen.About -> AboutScreen(platform)
            }
        }
    }
}
