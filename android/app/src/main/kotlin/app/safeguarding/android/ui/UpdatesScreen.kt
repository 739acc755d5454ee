package app.safeguarding.android.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.safeguarding.core.ChangedPage
import app.safeguarding.shared.UpdateText
import app.safeguarding.shared.UpdatesViewModel
import app.safeguarding.shared.readableDate

/**
 * What guidance is installed and from which signed update, "Check now" with progress and
 * cancel, the outcome in plain words, a warning when the guidance may be out of date, and
 * "Updated since you last looked". Everything shown comes from [UpdatesViewModel]'s state.
 */
@Composable
fun UpdatesScreen(vm: UpdatesViewModel, onOpenPage: (ChangedPage) -> Unit, onAbout: () -> Unit) {
    LaunchedEffect(Unit) { vm.load() }
    val state by vm.state.collectAsState()
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item {
            Text("Updates", style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
            if (state.versionLine.isNotEmpty()) Text(state.versionLine, style = MaterialTheme.typography.bodyLarge)
            val installed = state.installed
            if (installed == null) {
                Text("No guidance installed yet.", style = MaterialTheme.typography.bodyMedium)
            } else {
                Text(
                    "${installed.pageCount} pages, installed ${readableDate(installed.installedAt.take(10))}",
                    style = MaterialTheme.typography.bodyMedium,
                )
            }
            state.lastChecked?.let { Text(it, style = MaterialTheme.typography.labelMedium) }
        }
        state.staleWarning?.let { warning ->
            item {
                Text(
                    warning,
                    style = MaterialTheme.typography.bodyMedium,
                    modifier = Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.errorContainer).padding(12.dp),
                )
            }
        }
        item {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                if (state.busy) {
                    val fraction = state.progressFraction
                    if (fraction == null) {
                        LinearProgressIndicator(Modifier.fillMaxWidth())
                    } else {
                        LinearProgressIndicator(progress = { fraction }, modifier = Modifier.fillMaxWidth())
                    }
                    state.progressLine?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
                    TextButton(onClick = vm::cancel) { Text("Cancel") }
                } else if (state.canCheck) {
                    Button(onClick = { vm.checkNow() }) { Text("Check now") }
                } else {
                    Text(UpdateText.NOT_CONFIGURED, style = MaterialTheme.typography.bodySmall)
                }
                // The outcome of this visit's action, else how the last (background) check failed.
                (state.message ?: state.lastError)?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            }
        }
        if (state.unread.isNotEmpty()) {
            item {
                HorizontalDivider(Modifier.padding(vertical = 8.dp))
                Text(
                    "Updated since you last looked",
                    style = MaterialTheme.typography.titleMedium,
                    modifier = Modifier.semantics { heading() },
                )
            }
            items(state.unread, key = { it.id }) { page ->
                Column(Modifier.fillMaxWidth().clickable { onOpenPage(page) }.padding(vertical = 12.dp)) {
                    Text(page.title, style = MaterialTheme.typography.titleMedium)
                    page.note?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
                }
            }
        }
        item {
            TextButton(onClick = onAbout, modifier = Modifier.padding(top = 16.dp)) { Text("About and licences") }
        }
    }
}
