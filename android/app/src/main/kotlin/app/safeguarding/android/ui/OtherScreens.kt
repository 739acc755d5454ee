package app.safeguarding.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.safeguarding.android.Platform
import app.safeguarding.core.NoteTarget
import app.safeguarding.shared.About
import app.safeguarding.shared.LinkAction
import app.safeguarding.shared.BookmarksViewModel
import app.safeguarding.shared.TopicsViewModel

@Composable
fun TopicsScreen(vm: TopicsViewModel, onTopic: ((String) -> Unit)?, onPage: ((String) -> Unit)?, topicId: String? = null) {
    LaunchedEffect(topicId) { topicId?.let { vm.open(it) } }
    val state by vm.state.collectAsState()
    LazyColumn(Modifier.padding(16.dp)) {
        if (topicId == null && onTopic != null) {
            items(state.topics) { t ->
                Column(Modifier.fillMaxWidth().clickable { onTopic(t.id) }.padding(vertical = 12.dp)) {
                    Text("${t.title} (${t.pageCount})", style = MaterialTheme.typography.titleMedium)
                    Text(t.description, style = MaterialTheme.typography.bodyMedium)
                }
            }
        } else if (onPage != null) {
            items(state.pages) { p ->
                Column(Modifier.fillMaxWidth().clickable { onPage(p.id) }.padding(vertical = 12.dp)) {
                    Text(p.title, style = MaterialTheme.typography.titleMedium)
                    Text(p.summary, style = MaterialTheme.typography.bodyMedium)
                }
            }
        }
    }
}

@Composable
fun BookmarksScreen(vm: BookmarksViewModel, onOpen: (String, String?) -> Unit) {
    LaunchedEffect(Unit) { vm.load() }
    val state by vm.state.collectAsState()
    LazyColumn(Modifier.padding(16.dp)) {
        item { Text("Bookmarks", style = MaterialTheme.typography.titleLarge) }
        items(state.bookmarks) { b ->
            val title = b.title ?: "No longer in the guide (removed in an update)"
            Text(title, Modifier.fillMaxWidth().clickable(enabled = b.title != null) { onOpen(b.pageId, b.anchor) }.padding(vertical = 12.dp))
        }
        item { Text("Notes", style = MaterialTheme.typography.titleLarge, modifier = Modifier.padding(top = 16.dp)) }
        items(state.notes) { n ->
            val on = when (val t = n.target) {
                is NoteTarget.Page -> t.id
                is NoteTarget.Contact -> t.id
            }
            Column(Modifier.padding(vertical = 8.dp)) {
                Text(on, style = MaterialTheme.typography.labelMedium)
                Text(n.text)
            }
        }
    }
}

@Composable
fun AboutScreen(platform: Platform) {
    Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp)) {
        Text(About.TITLE, style = MaterialTheme.typography.headlineSmall)
        for (section in About.sections) {
            Text(section.heading, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp, bottom = 4.dp))
            Text(section.body, style = MaterialTheme.typography.bodyLarge)
            section.link?.let { link -> SourceRow(link) { link.url?.let { platform.perform(LinkAction.OpenWeb(it)) } } }
        }
    }
}
