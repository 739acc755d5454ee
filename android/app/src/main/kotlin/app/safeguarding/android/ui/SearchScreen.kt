package app.safeguarding.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.unit.dp
import app.safeguarding.android.Platform
import app.safeguarding.core.Snippet
import app.safeguarding.shared.SearchViewModel

/** Highlight ranges are UTF-16 offsets, which is what Kotlin strings index by. */
fun Snippet.annotated(): AnnotatedString = buildAnnotatedString {
    append(text)
    for (h in highlights) addStyle(SpanStyle(fontWeight = FontWeight.Bold), h.start.toInt(), h.end.toInt())
}

@Composable
fun SearchScreen(vm: SearchViewModel, platform: Platform) {
    val state by vm.state.collectAsState()
    Column(Modifier.padding(16.dp)) {
        OutlinedTextField(
            value = state.query,
            onValueChange = vm::onQueryChanged,
            modifier = Modifier.fillMaxWidth(),
            placeholder = { Text("Search: FGM, DoLS, county lines…") },
            singleLine = true,
            keyboardOptions = KeyboardOptions(imeAction = ImeAction.Search),
            keyboardActions = KeyboardActions(onSearch = { vm.submit() }),
        )
        state.didYouMean?.let {
            Text(
                "Did you mean: $it",
                color = MaterialTheme.colorScheme.primary,
                modifier = Modifier.padding(vertical = 8.dp).clickable { vm.acceptDidYouMean() },
            )
        }
        state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        LazyColumn {
            // A query naming a place or postcode: that area's number for this hour comes first.
            state.contactCard?.let { card -> item { CallNowCard(card, platform, title = "Call now: ${card.area.name}", sampleNote = true) } }
            if (state.query.isBlank()) {
                items(state.recent) { q -> Text(q, Modifier.fillMaxWidth().clickable { vm.onQueryChanged(q) }.padding(12.dp)) }
            }
            items(state.suggestions) { s ->
                Text(s.text, Modifier.fillMaxWidth().clickable { vm.choose(s) }.padding(12.dp), style = MaterialTheme.typography.bodyLarge)
            }
            items(state.results) { r ->
                Column(Modifier.fillMaxWidth().clickable { vm.open(r) }.padding(vertical = 12.dp)) {
                    Text(r.title, style = MaterialTheme.typography.titleMedium)
                    Text(r.snippet.annotated(), style = MaterialTheme.typography.bodyMedium)
                }
            }
        }
    }
}
