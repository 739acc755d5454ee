package app.safeguarding.android.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.ClickableText
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.font.FontStyle
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextDecoration
import androidx.compose.ui.unit.dp
import app.safeguarding.android.Platform
import app.safeguarding.core.Block
import app.safeguarding.core.CalloutKind
import app.safeguarding.core.LinkTarget
import app.safeguarding.core.RichText
import app.safeguarding.core.Style
import app.safeguarding.shared.ReaderViewModel
import app.safeguarding.shared.SourceLink

private const val LINK = "link"

/** Marks are UTF-16 ranges: applied as they are. Links carry their index as an annotation. */
@Composable
private fun RichText.annotated(): AnnotatedString {
    val linkColor = MaterialTheme.colorScheme.primary
    return buildAnnotatedString {
        append(text)
        marks.forEachIndexed { i, m ->
            val (start, end) = m.start.toInt() to m.end.toInt()
            when (m.style) {
                is Style.Bold -> addStyle(SpanStyle(fontWeight = FontWeight.Bold), start, end)
                is Style.Italic -> addStyle(SpanStyle(fontStyle = FontStyle.Italic), start, end)
                is Style.Link -> {
                    addStyle(SpanStyle(color = linkColor, textDecoration = TextDecoration.Underline), start, end)
                    addStringAnnotation(LINK, i.toString(), start, end)
                }
            }
        }
    }
}

@Composable
private fun Rich(text: RichText, onLink: (LinkTarget) -> Unit, modifier: Modifier = Modifier) {
    val annotated = text.annotated()
    ClickableText(annotated, modifier, style = MaterialTheme.typography.bodyLarge.copy(color = MaterialTheme.colorScheme.onSurface)) { offset ->
        annotated.getStringAnnotations(LINK, offset, offset).firstOrNull()?.let { a ->
            (text.marks[a.item.toInt()].style as? Style.Link)?.let { onLink(it.target) }
        }
    }
}

@Composable
fun ReaderScreen(vm: ReaderViewModel, pageId: String, anchor: String?, platform: Platform) {
    LaunchedEffect(pageId) { vm.load(pageId, anchor) }
    val state by vm.state.collectAsState()
    val page = state.page
    val onLink: (LinkTarget) -> Unit = { platform.perform(vm.onLink(it)) }
    Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp)) {
        state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        if (page == null) return@Column
        Text(page.title, style = MaterialTheme.typography.headlineSmall)
        state.updatedLine?.let {
            Text(it, style = MaterialTheme.typography.bodyMedium, fontWeight = FontWeight.Bold, modifier = Modifier.padding(top = 4.dp))
        }
        Text(page.summary, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(vertical = 8.dp))
        Text(state.reviewed, style = MaterialTheme.typography.labelMedium)
        state.overdueWarning?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(vertical = 8.dp)) }
        Row {
            TextButton(onClick = vm::toggleBookmark) { Text(if (page.bookmarked) "Remove bookmark" else "Bookmark") }
        }
        for (block in page.blocks) {
            when (block) {
                is Block.Heading -> Text(
                    block.text,
                    style = if (block.level.toInt() == 2) MaterialTheme.typography.titleLarge else MaterialTheme.typography.titleMedium,
                    modifier = Modifier.padding(top = 16.dp, bottom = 4.dp),
                )
                is Block.Paragraph -> Rich(block.text, onLink, Modifier.padding(vertical = 4.dp))
                is Block.Bullets -> block.items.forEach { item ->
                    Row(Modifier.padding(start = (16 * item.depth.toInt()).dp, top = 2.dp)) {
                        Text("•  ")
                        Rich(item.text, onLink)
                    }
                }
                is Block.Steps -> block.items.filter { it.depth.toInt() == 0 }.forEachIndexed { i, item ->
                    Row(Modifier.padding(top = 4.dp)) {
                        Text("${i + 1}.  ", fontWeight = FontWeight.Bold)
                        Rich(item.text, onLink)
                    }
                }
                is Block.Callout -> {
                    val actNow = block.kind == CalloutKind.ACT_NOW
                    val colour = if (actNow) MaterialTheme.colorScheme.errorContainer else MaterialTheme.colorScheme.secondaryContainer
                    Column(Modifier.fillMaxWidth().padding(vertical = 8.dp).background(colour).padding(12.dp)) {
                        Text(
                            when (block.kind) {
                                CalloutKind.ACT_NOW -> "ACT NOW"
                                CalloutKind.WARNING -> "Warning"
                                CalloutKind.NOTE -> "Note"
                            },
                            fontWeight = FontWeight.Bold,
                        )
                        block.paragraphs.forEach { Rich(it, onLink) }
                    }
                }
            }
        }
        Text("Legal basis", style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 24.dp))
        page.legalBasis.forEach { Text("• $it") }
        Text("Sources", style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp))
        state.sources.forEach { SourceRow(it) { vm.onSource(it)?.let(platform::perform) } }
    }
}

/** A source; with a url it is a link that opens the official text in the browser (ACTION_VIEW). */
@Composable
fun SourceRow(source: SourceLink, onOpen: () -> Unit) {
    if (source.url == null) {
        Text("• ${source.title}", modifier = Modifier.padding(vertical = 4.dp))
    } else {
        Text(
            "• ${source.title}",
            color = MaterialTheme.colorScheme.primary,
            textDecoration = TextDecoration.Underline,
            modifier = Modifier
                .fillMaxWidth()
                .clickable(onClickLabel = "Open in browser", role = Role.Button, onClick = onOpen)
                .padding(vertical = 8.dp),
        )
    }
}
