// The Kotlin side of the bindings, tested through the crossing the app uses: generated Kotlin,
// JNA, the host-built library. The Rust suites test the rules; these test that they arrive intact.

import app.safeguarding.core.Block
import app.safeguarding.core.CalloutKind
import app.safeguarding.core.CancelToken
import app.safeguarding.core.LinkTarget
import app.safeguarding.core.LocateMethod
import app.safeguarding.core.NoteTarget
import app.safeguarding.core.PersonalContact
import app.safeguarding.core.PersonalPhone
import app.safeguarding.core.ProgressListener
import app.safeguarding.core.SafeguardingException
import app.safeguarding.core.SafeguardingLibrary
import app.safeguarding.core.Source
import app.safeguarding.core.Stage
import app.safeguarding.core.Style
import app.safeguarding.shared.About
import app.safeguarding.shared.ContactsViewModel
import app.safeguarding.shared.LinkAction
import app.safeguarding.shared.Navigator
import app.safeguarding.shared.ReaderViewModel
import app.safeguarding.shared.Screen
import app.safeguarding.shared.SearchViewModel
import app.safeguarding.shared.SourceLink
import app.safeguarding.shared.sourceLinks
import app.safeguarding.shared.updatedLine
import app.safeguarding.shared.UpdatesViewModel
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import java.io.File
import java.io.RandomAccessFile
import java.nio.file.Files
import java.util.Collections
import kotlin.system.exitProcess

val contentDir: String = System.getProperty("safeguarding.content") ?: error("run with -Dsafeguarding.content=<content dir>")

fun freshDir(): String = Files.createTempDirectory("sg-kotlin").toFile().also { it.deleteOnExit() }.absolutePath

/** One installed library shared by the read-only tests. */
val shared: SafeguardingLibrary by lazy {
    SafeguardingLibrary.open(freshDir()).also { it.installContent(contentDir, null, null) }
}

class Recorder : ProgressListener {
    val events: MutableList<Triple<Stage, Long, Long>> = Collections.synchronizedList(mutableListOf())
    override fun onProgress(stage: Stage, done: ULong, total: ULong) {
        events += Triple(stage, done.toLong(), total.toLong())
    }
}

fun main() {
    test("nothing installed surfaces as NoContent") {
        val lib = SafeguardingLibrary.open(freshDir())
        assertThrows<SafeguardingException.NoContent> { lib.search("fgm", null, null, 10u) }
        check(lib.installed() == null) { "installed() should be null" }
    }

    test("install reports progress through the callback, in stage order") {
        val lib = SafeguardingLibrary.open(freshDir())
        val recorder = Recorder()
        val report = lib.installContent(contentDir, recorder, null)
        check(report.installed && report.pageCount >= 45u) { "report $report" }
        val stages = recorder.events.map { it.first }.distinct()
        assertEquals(listOf(Stage.CHECKING, Stage.INSTALLING, Stage.INDEXING), stages, "stages")
        val last = recorder.events.last()
        assertEquals(last.second, last.third, "finished indexing")
        assertEquals(false, lib.installContent(contentDir, null, null).installed, "second install of the same content")
    }

    test("a cancelled install changes nothing and raises Cancelled") {
        val lib = SafeguardingLibrary.open(freshDir())
        val token = CancelToken()
        token.cancel()
        check(token.isCancelled()) { "token" }
        assertThrows<SafeguardingException.Cancelled> { lib.installContent(contentDir, null, token) }
        check(lib.installed() == null) { "nothing should be installed" }
    }

    test("cancelling from the progress callback stops the install midway") {
        val lib = SafeguardingLibrary.open(freshDir())
        val token = CancelToken()
        val listener = object : ProgressListener {
            override fun onProgress(stage: Stage, done: ULong, total: ULong) {
                if (stage == Stage.INSTALLING && done >= 10uL) token.cancel()
            }
        }
        assertThrows<SafeguardingException.Cancelled> { lib.installContent(contentDir, listener, token) }
        check(lib.installed() == null) { "a half install must not be visible" }
    }

    test("install as a suspend function") {
        val lib = SafeguardingLibrary.open(freshDir())
        val report = runBlocking { lib.installContentAsync(contentDir, null, null) }
        check(report.installed) { "installed" }
        assertEquals("mca-dols", lib.search("dols", null, null, 5u).results.first().id, "dols")
    }

    test("a bad content folder surfaces as a Kotlin exception with a reason") {
        val lib = SafeguardingLibrary.open(freshDir())
        val e = assertThrows<SafeguardingException.Storage> { lib.installContent("/nonexistent/content", null, null) }
        check(e.reason.isNotEmpty()) { "reason" }
    }

    test("search forgives typos and knows abbreviations; highlights index Kotlin strings") {
        val typo = shared.search("safegaurding adult", null, null, 10u)
        assertEquals("safeguarding adult", typo.suggestion, "did you mean")
        val r = shared.search("female genital mutilation reporting", null, null, 10u)
        assertEquals("fgm-mandatory-reporting", r.results.first().id, "top result")
        for (hit in r.results) {
            for (h in hit.snippet.highlights) {
                val marked = hit.snippet.text.substring(h.start.toInt(), h.end.toInt())
                check(marked.isNotBlank() && marked.trim() == marked) { "highlight '$marked' in '${hit.snippet.text}'" }
            }
        }
        val filtered = shared.search("fgm", "mca", null, 10u)
        check(filtered.results.all { it.topic == "mca" }) { "topic filter" }
        check(shared.suggest("depriv", 5u).any { it.pageId == "mca-dols" }) { "suggest" }
    }

    test("a query naming a place or postcode district brings that area's call-now card") {
        val card = shared.search("sheffield out of hours social worker", null, null, 10u).contactCard
        checkNotNull(card) { "a card for sheffield" }
        check(card.area.name.contains("Sheffield")) { card.area.name }
        check(card.area.sample) { "the bundled directory is sample data and says so" }
        check(card.reason.isNotBlank()) { "a reason" }
        val byDistrict = checkNotNull(shared.search("LS6 adult safeguarding", null, null, 10u).contactCard) { "LS6" }
        check(byDistrict.area.name.contains("Leeds")) { byDistrict.area.name }
        assertEquals("adults", byDistrict.need, "need from the query")
        check(shared.search("fgm reporting", null, null, 10u).contactCard == null) { "no place, no card" }
        check(shared.search("glasgow duty social worker", null, null, 10u).contactCard == null) { "a place not in the directory" }
    }

    test("a page arrives as native blocks with act-now callouts, steps and tel links") {
        val page = shared.page("fgm-mandatory-reporting")
        check(page.legalBasis.first().contains("Female Genital Mutilation Act 2003")) { "legal basis" }
        check(Regex("""\d{4}-\d{2}-\d{2}""").matches(page.lastReviewed)) { "date ${page.lastReviewed}" }
        val callout = page.blocks.first() as Block.Callout
        assertEquals(CalloutKind.ACT_NOW, callout.kind, "first block")
        check(page.blocks.any { it is Block.Steps }) { "steps" }
        val phones = page.blocks.filterIsInstance<Block.Callout>().flatMap { it.paragraphs }.flatMap { p ->
            p.marks.mapNotNull { m -> ((m.style as? Style.Link)?.target as? LinkTarget.Phone)?.let { p.text.substring(m.start.toInt(), m.end.toInt()) to it } }
        }
        check(phones.any { (text, link) -> text == "101" && link.tel == "tel:101" }) { "tel link to 101 in $phones" }
        assertThrows<SafeguardingException.NotFound> { shared.page("no-such-page") }
    }

    test("topics, bookmarks, notes and recent searches") {
        val lib = SafeguardingLibrary.open(freshDir())
        lib.installContent(contentDir, null, null)
        check(lib.topics().map { it.id }.containsAll(listOf("children", "fgm", "prevent", "mca"))) { "topics" }
        check(lib.pagesInTopic("fgm").size >= 5) { "fgm pages" }
        lib.addBookmark("mca-dols", "what")
        assertEquals(listOf("mca-dols"), lib.bookmarks().map { it.pageId }, "bookmarks")
        assertEquals(true, lib.page("mca-dols").bookmarked, "bookmarked flag")
        assertThrows<SafeguardingException.NotFound> { lib.addBookmark("gone", null) }
        lib.setNote(NoteTarget.Page("mca-dols"), "Ask the MCA lead, ext 4321")
        assertEquals("Ask the MCA lead, ext 4321", lib.page("mca-dols").note, "note")
        lib.recordSearch("dols")
        assertEquals(listOf("dols"), lib.recentSearches(), "recent")
    }

    test("a damaged user database is moved aside, reported, and what is left can be read") {
        val dir = freshDir()
        SafeguardingLibrary.open(dir).use { lib ->
            lib.installContent(contentDir, null, null)
            lib.addBookmark("mca-dols", null)
        }
        // Overwrite the header: SQLite no longer recognises the file as a database.
        RandomAccessFile(File(dir, "user.sqlite"), "rw").use { it.seek(0); it.write(ByteArray(100) { 0x5A }) }
        SafeguardingLibrary.open(dir).use { lib ->
            val moved = checkNotNull(lib.userDataMovedTo()) { "reported as moved aside" }
            check(File(moved).exists() && File(moved).length() > 0) { "kept, not deleted: $moved" }
            check(lib.bookmarks().isEmpty()) { "starts with empty user data" }
            assertEquals("mca-dols", lib.search("dols", null, null, 5u).results.first().id, "guidance unaffected")
            val salvaged = lib.salvageUserData(moved)
            check(salvaged.problems.isNotEmpty()) { "says what it could not read: $salvaged" }
        }
        check(SafeguardingLibrary.open(dir).use { it.userDataMovedTo() } == null) { "only reported on the open that moved it" }
    }

    test("contacts: postcode, out-of-hours advice with its reason, and input errors") {
        val contacts = shared.contacts()
        val area = contacts.findByPostcode("ls62ab")
        assertEquals("sample-leeds", area.area.id, "area")
        check(area.method is LocateMethod.Postcode && area.area.sample) { "method ${area.method}" }
        val advice = contacts.callNow(area.area.id, "children", "2026-11-28T23:30")
        check(advice.outOfHours && advice.reason.contains("weekend")) { advice.reason }
        check(advice.phone!!.tel.startsWith("tel:+44")) { "tel" }
        assertThrows<SafeguardingException.InvalidInput> { contacts.findByPostcode("XX") }
        assertThrows<SafeguardingException.InvalidInput> { contacts.findNear(40.7, -74.0) }
        assertThrows<SafeguardingException.InvalidInput> { contacts.callNow(area.area.id, "children", "Saturday night") }
        assertThrows<SafeguardingException.NotFound> { contacts.callNow("nowhere", "children", null) }
    }

    test("personal contacts round-trip and appear in search, marked personal") {
        val lib = SafeguardingLibrary.open(freshDir())
        lib.installContent(contentDir, null, null)
        val contacts = lib.contacts()
        val id = contacts.savePersonal(PersonalContact("", "Night coordinator", "Control room", "sample-leeds", emptyList(), listOf(PersonalPhone("Direct", "07700 900555")), null, null))
        check(id.startsWith("personal:")) { id }
        val hit = contacts.search("coordinator", 5u).first()
        check(hit.personal && hit.phones.first().display == "07700 900555") { "$hit" }
        assertThrows<SafeguardingException.InvalidInput> {
            contacts.savePersonal(PersonalContact("", "Bad", null, null, emptyList(), listOf(PersonalPhone("x", "12")), null, null))
        }
        contacts.setFavourite(id, true)
        assertEquals(listOf(id), contacts.favourites().map { it.id }, "favourites")
        check(contacts.vcard(id).contains("tel:+447700900555")) { "vcard" }
        check(contacts.deletePersonal(id)) { "deleted" }
    }

    test("search view model: as-you-type results, did you mean, open a result") {
        runBlocking {
            val nav = Navigator()
            val vm = SearchViewModel(shared, nav, this, Dispatchers.IO, debounceMs = 0)
            vm.onQueryChanged("radicalization")
            waitFor { vm.state.value.results.isNotEmpty() }
            check(vm.state.value.results.first().topic == "prevent") { "${vm.state.value.results.first()}" }
            vm.onQueryChanged("capasity assesment")
            waitFor { vm.state.value.didYouMean != null }
            vm.acceptDidYouMean()
            waitFor { vm.state.value.query == "capacity assessment" && vm.state.value.results.isNotEmpty() }
            vm.open(vm.state.value.results.first())
            check(nav.current is Screen.Reader) { "navigated to ${nav.current}" }
            check(vm.state.value.contactCard == null) { "no place named, no card" }
            vm.onQueryChanged("doncaster child at risk tonight")
            waitFor { vm.state.value.contactCard != null }
            check(vm.state.value.contactCard!!.area.name.contains("Doncaster")) { "${vm.state.value.contactCard}" }
        }
    }

    test("reader view model: review date, tel links become dial actions, page links navigate") {
        runBlocking {
            val nav = Navigator()
            val vm = ReaderViewModel(shared, nav, this, Dispatchers.IO)
            vm.load("fgm-mandatory-reporting")
            waitFor { vm.state.value.page != null }
            check(vm.state.value.reviewed.startsWith("Last reviewed ")) { vm.state.value.reviewed }
            assertEquals(LinkAction.Dial("tel:101", "101"), vm.onLink(LinkTarget.Phone("tel:101", "101")), "dial")
            vm.onLink(LinkTarget.Page("fgm-girls-at-risk", null))
            assertEquals(Screen.Reader("fgm-girls-at-risk", null), nav.current, "navigation")
        }
    }

    test("a page carries sources with urls, dated changes newest first and whether it is an action page") {
        val page = shared.page("mca-dols")
        check(page.isAction) { "mca-dols is an action page" }
        check(page.sources.any { it.url == "https://www.legislation.gov.uk/ukpga/2005/9/schedule/A1" }) { "sources ${page.sources}" }
        check(page.sources.any { it.url == null && it.title.isNotBlank() }) { "a source without a url" }
        assertEquals("2026-12-01", page.changes.first().date, "newest change")
        val dates = page.changes.map { it.date }
        assertEquals(dates.sortedDescending(), dates, "changes newest first")
    }

    test("reader view model: updated line from the newest change, sources as links") {
        runBlocking {
            val vm = ReaderViewModel(shared, Navigator(), this, Dispatchers.IO)
            vm.load("mca-dols")
            waitFor { vm.state.value.page != null }
            val s = vm.state.value
            val page = s.page!!
            assertEquals("Updated 1 December 2026: ${page.changes.first().summary}", s.updatedLine, "updated line")
            assertEquals(page.sources.map { it.title }, s.sources.map { it.title }, "source titles in order")
            val schedule = SourceLink("Mental Capacity Act 2005, Schedule A1", "https://www.legislation.gov.uk/ukpga/2005/9/schedule/A1")
            check(schedule in s.sources) { "linked source in ${s.sources}" }
            assertEquals(LinkAction.OpenWeb(schedule.url!!), vm.onSource(schedule), "tapping a linked source")
            val plain = s.sources.first { it.url == null }
            assertEquals(null, vm.onSource(plain), "a source without a url does nothing")
            // A page with no recorded changes shows no updated line; a non-https url is not offered as a link.
            assertEquals(null, updatedLine(page.copy(changes = emptyList())), "no changes")
            val http = page.copy(sources = listOf(Source("Old address", "http://example.org")))
            assertEquals(listOf(SourceLink("Old address", null)), sourceLinks(http), "http url dropped")
        }
    }

    test("about text names the code, guidance and public-sector licences") {
        val text = About.sections.joinToString("\n") { it.heading + " " + it.body }
        for (needle in listOf("Mozilla Public License 2.0 (MPL-2.0)", "CC BY 4.0", "adapt", "Open Government Licence v3.0", "GOV.UK", "legislation.gov.uk")) {
            check(needle in text) { "About should mention '$needle'" }
        }
        check(About.sections.mapNotNull { it.link?.url }.all { it.startsWith("https://") }) { "licence links" }
    }

    test("contacts view model: postcode to call-now advice with the sample warning") {
        runBlocking {
            val lib = SafeguardingLibrary.open(freshDir())
            lib.installContent(contentDir, null, null)
            val vm = ContactsViewModel(lib.contacts(), this, Dispatchers.IO) { "2026-11-23T10:00" }
            vm.findByPostcode("S10 2TN").join()
            val s = vm.state.value
            assertEquals("sample-sheffield", s.area?.area?.id, "area")
            check(s.advice?.outOfHours == false && s.advice?.contact?.kind == "children-front-door") { "${s.advice}" }
            check(s.advice?.outOfHoursTeam?.phones?.isNotEmpty() == true) { "the number for after the day team closes: ${s.advice}" }
            check(s.sampleWarning != null) { "sample warning" }
            vm.makeHome().join()
            assertEquals("sample-sheffield", lib.contacts().homeArea()?.id, "home")
            vm.findByPostcode("nonsense!").join()
            check(vm.state.value.error != null) { "error shown" }
        }
    }

    test("updates view model: installs bundled content with progress") {
        runBlocking {
            val lib = SafeguardingLibrary.open(freshDir())
            val vm = UpdatesViewModel(lib, contentDir, this, Dispatchers.IO)
            vm.installBundled().join()
            val s = vm.state.value
            check(!s.busy && s.installed != null && s.message!!.startsWith("Installed")) { "$s" }
            assertEquals(Stage.INDEXING, s.stage, "last stage seen")
        }
    }

    registerSyncTests()

    exitProcess(if (runAll() == 0) 0 else 1)
}

suspend fun waitFor(timeoutMs: Long = 5_000, condition: () -> Boolean) {
    val end = System.currentTimeMillis() + timeoutMs
    while (!condition()) {
        if (System.currentTimeMillis() > end) throw Failure("timed out waiting")
        kotlinx.coroutines.delay(10)
    }
}
