// Signed updates through the bindings and the Updates view model, against a real channel tree
// that scripts/test-kotlin publishes with safeguarding-server (one page edited) and serves on
// loopback. The Rust suites test every attack; these test that sync, its progress, its
// cancellation and its refusals reach Kotlin intact and are put in plain words.

import app.safeguarding.core.CancelToken
import app.safeguarding.core.ChangedPage
import app.safeguarding.core.ProgressListener
import app.safeguarding.core.SafeguardingException
import app.safeguarding.core.SafeguardingLibrary
import app.safeguarding.core.Stage
import app.safeguarding.core.SyncConfig
import app.safeguarding.core.SyncFailure
import app.safeguarding.core.SyncStatus
import app.safeguarding.shared.Navigator
import app.safeguarding.shared.ReaderViewModel
import app.safeguarding.shared.Screen
import app.safeguarding.shared.UpdateText
import app.safeguarding.shared.UpdatesViewModel
import app.safeguarding.shared.applyStatus
import app.safeguarding.shared.syncConfigOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import java.io.File
import java.time.ZoneOffset

/** What scripts/test-kotlin published and serves; read when a test runs, so a missing one fails that test. */
object Tree {
    private fun prop(name: String): String =
        System.getProperty("safeguarding.sync.$name") ?: throw Failure("run with -Dsafeguarding.sync.$name (scripts/test-kotlin sets it)")

    val server get() = prop("server")
    val channel get() = prop("channel")
    val rootKey get() = File(prop("rootKey")).readText()
    val wrongRootKey get() = File(prop("wrongRootKey")).readText()
    val editedPage get() = prop("editedPage")
    val editedWord get() = prop("editedWord")
    val editedNote get() = prop("editedNote")

    fun config(root: String = rootKey, server: String = this.server): SyncConfig =
        syncConfigOf(server, channel, listOf(root)) ?: throw Failure("no sync config")
}

/** A phone: a fresh data folder with the bundled guidance installed. */
fun bundledPhone(): SafeguardingLibrary =
    SafeguardingLibrary.open(freshDir()).also { it.installContent(contentDir, null, null) }

fun SafeguardingLibrary.finds(word: String, page: String): Boolean =
    search(word, null, null, 5u).results.firstOrNull()?.id == page

fun registerSyncTests() {
    test("updates view model: first check brings the edited page and lists it; the second is up to date") {
        runBlocking {
            val lib = bundledPhone()
            check(!lib.finds(Tree.editedWord, Tree.editedPage)) { "the bundled page should not have the edit yet" }
            val vm = UpdatesViewModel(lib, contentDir, this, Dispatchers.IO, Tree.config())
            vm.load().join()
            assertEquals(UpdateText.BUNDLED, vm.state.value.versionLine, "before any update")
            check(vm.state.value.canCheck && vm.state.value.lastChecked == null) { "${vm.state.value}" }

            vm.checkNow().join()
            val s = vm.state.value
            assertEquals("Updated: 1 page changed.", s.message, "outcome")
            assertEquals(false, s.busy, "busy after the check")
            val changed = s.unread.single { it.id == Tree.editedPage }
            assertEquals(Tree.editedNote, changed.note, "the editor's note")
            check(changed.title.isNotBlank()) { "title" }
            check(s.versionLine.startsWith("Update 1 (${Tree.channel}), published ")) { s.versionLine }
            check(s.lastChecked!!.startsWith("Last checked ")) { "${s.lastChecked}" }
            check(s.lastError == null && s.staleWarning == null) { "$s" }
            check(lib.finds(Tree.editedWord, Tree.editedPage)) { "search finds the edit after the update" }
            check(lib.finds("dols", "mca-dols")) { "the rest of the guidance is still there" }

            vm.checkNow().join()
            assertEquals(UpdateText.UP_TO_DATE, vm.state.value.message, "second check")
            check(vm.state.value.unread.any { it.id == Tree.editedPage }) { "still unread until opened" }

            val nav = Navigator()
            vm.openUpdated(changed, nav).join()
            assertEquals(Screen.Reader(Tree.editedPage), nav.current, "opens the page")
            check(vm.state.value.unread.none { it.id == Tree.editedPage }) { "taken off the list" }
            check(lib.syncStatus().unread.none { it.id == Tree.editedPage }) { "and remembered by the core" }
        }
    }

    test("sync as a suspend function: download progress in bytes, then install stages; only the edit is fetched") {
        val lib = bundledPhone()
        val recorder = Recorder()
        val report = runBlocking { lib.sync(Tree.config(), recorder, CancelToken()) }
        check(report.updated && report.manifestVersion == 1uL) { "$report" }
        assertEquals(listOf(Tree.editedPage), report.changed.map { it.id }, "changed pages")
        val stages = recorder.events.map { it.first }.distinct()
        assertEquals(Stage.DOWNLOADING, stages.first(), "first stage")
        check(Stage.INDEXING in stages) { "stages $stages" }
        val downloaded = recorder.events.filter { it.first == Stage.DOWNLOADING }.map { it.second }
        assertEquals(downloaded.sorted(), downloaded, "bytes only grow")
        assertEquals(report.bytesDownloaded.toLong(), downloaded.last(), "last progress equals the report")
        // The device already holds every other page's blob from the bundled install.
        val bundledBytes = File(contentDir).walkTopDown().filter { it.isFile }.sumOf { it.length() }
        check(report.bytesDownloaded.toLong() < bundledBytes / 4) { "downloaded ${report.bytesDownloaded} of $bundledBytes" }
        val status = lib.syncStatus()
        assertEquals(1uL, status.manifestVersion, "status version")
        assertEquals(Tree.channel, status.channel, "status channel")
        check(status.publishedAt!!.endsWith("Z") && status.expiresAt != null && status.lastSuccess != null) { "$status" }

        // Reading the page takes it off the list, wherever it was opened from.
        runBlocking {
            ReaderViewModel(lib, Navigator(), this, Dispatchers.IO).load(Tree.editedPage)
            waitFor { lib.syncStatus().unread.isEmpty() }
        }
    }

    test("a wrong root key: update refused in plain words, guidance unchanged and searchable") {
        runBlocking {
            val lib = bundledPhone()
            val vm = UpdatesViewModel(lib, contentDir, this, Dispatchers.IO, Tree.config(root = Tree.wrongRootKey))
            vm.checkNow().join()
            val s = vm.state.value
            check(s.message!!.startsWith("Update refused")) { "message: ${s.message}" }
            assertEquals(s.message, s.lastError, "the recorded failure reads the same")
            assertEquals(UpdateText.BUNDLED, s.versionLine, "still the bundled guidance")
            check(lib.finds("dols", "mca-dols")) { "still searchable" }
            check(!lib.finds(Tree.editedWord, Tree.editedPage)) { "nothing from the refused tree" }
            val e = assertThrows<SafeguardingException.Update> { runBlocking { lib.sync(Tree.config(root = Tree.wrongRootKey), null, null) } }
            check(e.kind in setOf("bad_signature", "unknown_key")) { "kind ${e.kind}" }
        }
    }

    test("cancel: before the check starts, and from the progress callback mid-download; nothing changes") {
        runBlocking {
            val lib = bundledPhone()
            val vm = UpdatesViewModel(lib, contentDir, this, Dispatchers.IO, Tree.config())
            val job = vm.checkNow()
            check(vm.state.value.busy) { "busy as soon as Check now is pressed" }
            vm.cancel()
            job.join()
            assertEquals(UpdateText.STOPPED, vm.state.value.message, "message")
            assertEquals(0uL, lib.syncStatus().manifestVersion, "version after cancel")
            assertEquals("cancelled", lib.syncStatus().lastError?.kind, "recorded")

            val token = CancelToken()
            val canceller = object : ProgressListener {
                override fun onProgress(stage: Stage, done: ULong, total: ULong) {
                    if (stage == Stage.DOWNLOADING) token.cancel()
                }
            }
            assertThrows<SafeguardingException.Cancelled> { runBlocking { lib.sync(Tree.config(), canceller, token) } }
            assertEquals(0uL, lib.syncStatus().manifestVersion, "version after a cancelled download")
            check(!lib.finds(Tree.editedWord, Tree.editedPage) && lib.finds("dols", "mca-dols")) { "old guidance intact" }

            // Nothing half-done is left behind: the next check completes normally.
            vm.checkNow().join()
            assertEquals("Updated: 1 page changed.", vm.state.value.message, "after cancelling")
        }
    }

    test("no connection: said plainly, guidance still works offline") {
        runBlocking {
            val lib = bundledPhone()
            // Port 1 on loopback: nothing listens, the connection is refused at once.
            val vm = UpdatesViewModel(lib, contentDir, this, Dispatchers.IO, Tree.config(server = "http://127.0.0.1:1"))
            vm.checkNow().join()
            assertEquals(UpdateText.NO_CONNECTION, vm.state.value.message, "message")
            check(vm.state.value.message!!.contains("still works offline")) { "offline reassurance" }
            check(lib.finds("dols", "mca-dols")) { "still searchable" }
        }
    }

    test("status in plain words: stale means may be out of date; times in local words; no server configured") {
        val status = SyncStatus(
            manifestVersion = 7uL,
            channel = "production",
            publishedAt = "2026-12-01T09:30:00Z",
            expiresAt = "2027-01-01T00:00:00Z",
            lastCheck = "2027-01-02T08:15:00Z",
            lastSuccess = "2026-12-20T08:00:00Z",
            lastError = SyncFailure("network", "manifest.json: connection refused", "2027-01-02T08:15:00Z"),
            stale = true,
            unread = listOf(ChangedPage("mca-dols", "Deprivation of liberty", "The acid test has changed")),
        )
        val s = applyStatus(app.safeguarding.shared.UpdatesState(), status, ZoneOffset.UTC)
        assertEquals("Update 7 (production), published 1 December 2026 at 09:30", s.versionLine, "version line")
        assertEquals("Last checked 2 January 2027 at 08:15", s.lastChecked, "last checked")
        assertEquals(UpdateText.NO_CONNECTION, s.lastError, "last error")
        check(s.staleWarning!!.contains("may be out of date") && s.staleWarning!!.contains("1 January 2027")) { "${s.staleWarning}" }
        assertEquals(listOf("mca-dols"), s.unread.map { it.id }, "unread")
        assertEquals(null, applyStatus(s, status.copy(stale = false)).staleWarning, "not stale")
        assertEquals(UpdateText.REFUSED, UpdateText.failure("replayed"), "replay")
        assertEquals(UpdateText.OTHER_PUBLISHER, UpdateText.failure("untrusted_root"), "other root")
        check(UpdateText.isTransient(SafeguardingException.Update("network", "x"))) { "network is retried" }
        check(!UpdateText.isTransient(SafeguardingException.Update("bad_signature", "x"))) { "refusals are not" }

        assertEquals(null, syncConfigOf("https://example.org/production", "production", emptyList()), "no root key, no sync")
        runBlocking {
            val vm = UpdatesViewModel(shared, contentDir, this, Dispatchers.IO)
            check(!vm.state.value.canCheck) { "no Check now without a server" }
            vm.checkNow().join()
            assertEquals(UpdateText.NOT_CONFIGURED, vm.state.value.message, "unconfigured")
        }
    }
}
