package app.safeguarding.android

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.OnBackPressedCallback
import androidx.activity.compose.setContent
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.lifecycleScope
import app.safeguarding.android.ui.AppScreen
import app.safeguarding.android.sync.SyncSettings
import app.safeguarding.android.ui.SafeguardingTheme
import app.safeguarding.shared.BookmarksViewModel
import app.safeguarding.shared.ContactsViewModel
import app.safeguarding.shared.Navigator
import app.safeguarding.shared.ReaderViewModel
import app.safeguarding.shared.SearchViewModel
import app.safeguarding.shared.TopicsViewModel
import app.safeguarding.shared.UpdatesViewModel
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch

/** Wires the shared view models to Compose. All state and rules live below this file. */
class MainActivity : ComponentActivity() {
    private val navigator = Navigator()
    private var models by mutableStateOf<Models?>(null)

    class Models(
        val search: SearchViewModel,
        val topics: TopicsViewModel,
        val reader: ReaderViewModel,
        val contacts: ContactsViewModel,
        val bookmarks: BookmarksViewModel,
        val updates: UpdatesViewModel,
    )

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as SafeguardingApp
        val platform = Platform(this)
        lifecycleScope.launch {
            val library = app.library.await()
            val io = Dispatchers.IO
            // The application's scope: an install or a check keeps going through rotation.
            val updates = UpdatesViewModel(library, app.bundledContent.absolutePath, app.scope, io, SyncSettings.config)
            models = Models(
                search = SearchViewModel(library, navigator, lifecycleScope, io).also { it.start() },
                topics = TopicsViewModel(library, lifecycleScope, io).also { it.load() },
                reader = ReaderViewModel(library, navigator, lifecycleScope, io),
                contacts = ContactsViewModel(library.contacts(), lifecycleScope, io).also { it.start() },
                bookmarks = BookmarksViewModel(library, lifecycleScope, io),
                updates = updates,
            )
            // First run, or a new app version with newer bundled content.
            updates.installBundled()
        }
        onBackPressedDispatcher.addCallback(this, object : OnBackPressedCallback(true) {
            override fun handleOnBackPressed() {
                if (!navigator.back()) finish()
            }
        })
        setContent {
            SafeguardingTheme(dark = isSystemInDarkTheme()) {
                AppScreen(navigator, models, platform)
            }
        }
    }
}
