package app.safeguarding.shared

import app.safeguarding.core.CancelToken
import app.safeguarding.core.ChangedPage
import app.safeguarding.core.InstalledContent
import app.safeguarding.core.ProgressListener
import app.safeguarding.core.SafeguardingException
import app.safeguarding.core.SafeguardingLibrary
import app.safeguarding.core.Stage
import app.safeguarding.core.SyncConfig
import app.safeguarding.core.SyncReport
import app.safeguarding.core.SyncStatus
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.time.OffsetDateTime
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

/**
 * Where this build fetches signed updates from, or null when it has none (then the Updates
 * screen hides "Check now" and no background sync is scheduled). [rootKeys] are the contents of
 * the publisher's `root.pub` file(s), embedded at build time.
 */
fun syncConfigOf(server: String?, channel: String?, rootKeys: List<String>): SyncConfig? {
    if (server.isNullOrBlank() || channel.isNullOrBlank()) return null
    val keys = rootKeys.map { it.trim() }.filter { it.isNotEmpty() }
    if (keys.isEmpty()) return null
    return SyncConfig(server.trim(), channel.trim(), keys)
}

/** What the Updates screen and the background sync say, in plain words. */
object UpdateText {
    const val UP_TO_DATE = "Your guidance is up to date."
    const val NO_CONNECTION = "Couldn't check for updates: no connection; your guidance still works offline."
    const val SERVER_PROBLEM = "Couldn't check for updates: the update server is not answering properly; your guidance still works offline."
    const val REFUSED = "Update refused: it could not be verified as coming from the publisher, so your guidance is unchanged and still works."
    const val OTHER_PUBLISHER = "Update refused: it is signed by a different publisher from the one this app trusts. Your guidance is unchanged."
    const val NEEDS_NEWER_APP = "Update refused: it needs a newer version of the app. Your guidance is unchanged; update the app when you can."
    const val BAD_CONTENT = "Update refused: its content failed the app's checks, so your guidance is unchanged."
    const val STOPPED = "Stopped. Nothing was changed."
    const val STORAGE = "The phone's storage could not be read or written. Free some space and try again."
    const val INTERNAL = "Couldn't check for updates: something went wrong inside the app; your guidance still works offline."
    const val NOT_CONFIGURED = "This version of the app has no update server set up; guidance arrives with app updates."
    const val BUNDLED = "Guidance as bundled with the app"

    /** Failures worth retrying later by themselves (the background sync asks WorkManager to). */
    private val TRANSIENT = setOf("network", "server")

    fun outcome(report: SyncReport): String {
        val n = report.changed.size
        return when {
            !report.updated -> UP_TO_DATE
            n == 0 -> "Updated: contacts or other details changed; no pages changed."
            n == 1 -> "Updated: 1 page changed."
            else -> "Updated: $n pages changed."
        }
    }

    /** A sync failure by its stable kind (`SafeguardingException.Update.kind`, `SyncFailure.kind`). */
    fun failure(kind: String): String = when (kind) {
        "network" -> NO_CONNECTION
        "server", "not_found" -> SERVER_PROBLEM
        "cancelled" -> STOPPED
        "untrusted_root" -> OTHER_PUBLISHER
        "unsupported_schema" -> NEEDS_NEWER_APP
        "invalid_content" -> BAD_CONTENT
        "io" -> STORAGE
        "internal" -> INTERNAL
        // bad_signature, unknown_key, expired, rollback, replayed, wrong_channel, too_large,
        // blob_mismatch, malformed, bad_key and anything new: the release was not trusted.
        else -> REFUSED
    }

    fun isTransient(e: SafeguardingException): Boolean = e is SafeguardingException.Update && e.kind in TRANSIENT

    fun stale(expiresAt: String?, zone: ZoneId): String {
        val on = expiresAt?.let { " on ${readableTime(it, zone)}" } ?: ""
        return "Your guidance may be out of date: the update it came from expired$on. " +
            "It still works; check for updates when you have a connection."
    }
}

private val TIME = DateTimeFormatter.ofPattern("d MMMM yyyy 'at' HH:mm", Locale.UK)

/** "1 December 2026 at 22:50" in [zone] from the core's RFC 3339 UTC times. */
fun readableTime(rfc3339: String, zone: ZoneId = ZoneId.systemDefault()): String =
    runCatching { OffsetDateTime.parse(rfc3339).atZoneSameInstant(zone).format(TIME) }.getOrDefault(rfc3339)

data class UpdatesState(
    val installed: InstalledContent? = null,
    val status: SyncStatus? = null,
    /** [UpdateText.BUNDLED], or "Update 3 (production), published 1 December 2026 at 09:00". */
    val versionLine: String = "",
    /** "Last checked 1 December 2026 at 22:50"; null before the first check. */
    val lastChecked: String? = null,
    /** How the last check failed, in plain words; null when it succeeded or never ran. */
    val lastError: String? = null,
    /** Set when the installed update has expired: the guidance is kept but may be out of date. */
    val staleWarning: String? = null,
    /** "Updated since you last looked": pages changed by updates and not opened since. */
    val unread: List<ChangedPage> = emptyList(),
    /** False when this build has no update server: the screen hides "Check now". */
    val canCheck: Boolean = false,
    val stage: Stage? = null,
    val done: Long = 0,
    val total: Long = 0,
    val busy: Boolean = false,
    /** The outcome of the last action on this screen (install or check), in plain words. */
    val message: String? = null,
) {
    /** Under the progress bar while [busy]. Download totals are a cap, not a size, so only bytes show. */
    val progressLine: String?
        get() = if (!busy) null else when (stage) {
            null -> "Starting…"
            Stage.DOWNLOADING -> "Downloading… ${readableBytes(done)}"
            Stage.CHECKING -> "Checking the guidance…"
            Stage.INSTALLING -> "Installing pages ($done of $total)"
            Stage.INDEXING -> "Preparing search ($done of $total)"
        }

    /** 0..1 for a determinate bar, or null for an indeterminate one (downloads). */
    val progressFraction: Float?
        get() = if (stage == Stage.DOWNLOADING || total <= 0) null else (done.toFloat() / total).coerceIn(0f, 1f)
}

fun readableBytes(n: Long): String = when {
    n < 1024 -> "$n bytes"
    n < 1024 * 1024 -> "${(n + 512) / 1024} KB"
    else -> String.format(Locale.UK, "%.1f MB", n / (1024.0 * 1024.0))
}

/** [state] with the lines drawn from [status]; a pure function so it is tested without a server. */
fun applyStatus(state: UpdatesState, status: SyncStatus, zone: ZoneId = ZoneId.systemDefault()): UpdatesState {
    val version = if (status.manifestVersion == 0uL) {
        UpdateText.BUNDLED
    } else {
        val channel = status.channel?.let { " ($it)" } ?: ""
        val published = status.publishedAt?.let { ", published ${readableTime(it, zone)}" } ?: ""
        "Update ${status.manifestVersion}$channel$published"
    }
    return state.copy(
        status = status,
        versionLine = version,
        lastChecked = status.lastCheck?.let { "Last checked ${readableTime(it, zone)}" },
        lastError = status.lastError?.let { UpdateText.failure(it.kind) },
        staleWarning = if (status.stale) UpdateText.stale(status.expiresAt, zone) else null,
        unread = status.unread,
    )
}

/**
 * The Updates screen: what guidance is installed and from which signed update, "Check now"
 * (sync with progress and cancel), the outcome in plain words, whether the guidance may be out
 * of date, and "Updated since you last looked". Also installs the content bundled with the app
 * (first run, or after an app upgrade; the core never replaces newer synced content with it).
 *
 * One long action at a time. Progress arrives on a Rust worker thread; [MutableStateFlow.update]
 * makes it safe, and the UI collects [state] on its own thread. [syncConfig] null means this build
 * has no update server.
 */
class UpdatesViewModel(
    private val library: SafeguardingLibrary,
    private val bundledContentDir: String,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher,
    private val syncConfig: SyncConfig? = null,
    private val zone: ZoneId = ZoneId.systemDefault(),
) {
    private val _state = MutableStateFlow(UpdatesState(canCheck = syncConfig != null))
    val state: StateFlow<UpdatesState> = _state.asStateFlow()
    private var cancel: CancelToken? = null
    private var running: Job? = null

    private val listener = object : ProgressListener {
        override fun onProgress(stage: Stage, done: ULong, total: ULong) {
            _state.update { it.copy(stage = stage, done = done.toLong(), total = total.toLong()) }
        }
    }

    fun load(): Job = scope.launch { refresh() }

    fun installBundled(): Job = start { token ->
        val report = library.installContentAsync(bundledContentDir, listener, token)
        if (report.installed) "Installed ${report.pageCount} pages." else "Already up to date."
    }

    /** "Check now": syncs from the update server. The guidance stays usable throughout. */
    fun checkNow(): Job {
        val config = syncConfig ?: return scope.launch { _state.update { it.copy(message = UpdateText.NOT_CONFIGURED) } }
        return start { token -> UpdateText.outcome(library.sync(config, listener, token)) }
    }

    /** Stops the running install or check at its next safe point; nothing is changed. */
    fun cancel() {
        cancel?.cancel()
    }

    /** Opens a page from "Updated since you last looked" and takes it off the list. */
    fun openUpdated(page: ChangedPage, navigator: Navigator): Job {
        navigator.push(Screen.Reader(page.id))
        _state.update { s -> s.copy(unread = s.unread.filterNot { it.id == page.id }) }
        return scope.launch {
            try {
                withContext(io) { library.markUpdateSeen(page.id) }
            } catch (e: SafeguardingException) {
                // Only the list is affected; the page opens regardless.
            }
            refresh()
        }
    }

    /**
     * Runs one long action with progress and a fresh cancel token, created here (before the
     * coroutine starts) so [cancel] always reaches it. If another is running, returns that one.
     */
    private fun start(action: suspend (CancelToken) -> String): Job {
        running?.takeIf { it.isActive }?.let { return it }
        val token = CancelToken()
        cancel = token
        _state.update { it.copy(busy = true, message = null, stage = null, done = 0, total = 0) }
        val job = scope.launch {
            var message: String? = null
            try {
                message = action(token)
            } catch (e: SafeguardingException) {
                message = userMessage(e)
            } finally {
                // Cancelling the coroutine (the screen went away) does not stop the Rust side by
                // itself; the token does.
                if (message == null) token.cancel()
                withContext(NonCancellable) {
                    _state.update { it.copy(busy = false, message = message ?: it.message) }
                    refresh()
                }
                if (cancel === token) cancel = null
            }
        }
        running = job
        return job
    }

    private suspend fun refresh() {
        try {
            val (status, installed) = withContext(io) { library.syncStatus() to library.installed() }
            _state.update { applyStatus(it.copy(installed = installed), status, zone) }
        } catch (e: SafeguardingException) {
            _state.update { it.copy(message = it.message ?: userMessage(e)) }
        }
    }
}
