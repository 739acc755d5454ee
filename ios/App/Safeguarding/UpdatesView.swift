import SafeguardingCore
import SwiftUI

/// What the Updates screen says, in plain words. Mirrors `UpdateText` in
/// android/shared (UpdatesViewModel.kt), which the JVM tests check against a real server.
enum UpdateText {
    static let upToDate = "Your guidance is up to date."
    static let noConnection = "Couldn't check for updates: no connection; your guidance still works offline."
    static let serverProblem = "Couldn't check for updates: the update server is not answering properly; your guidance still works offline."
    static let refused = "Update refused: it could not be verified as coming from the publisher, so your guidance is unchanged and still works."
    static let otherPublisher = "Update refused: it is signed by a different publisher from the one this app trusts. Your guidance is unchanged."
    static let needsNewerApp = "Update refused: it needs a newer version of the app. Your guidance is unchanged; update the app when you can."
    static let badContent = "Update refused: its content failed the app's checks, so your guidance is unchanged."
    static let stopped = "Stopped. Nothing was changed."
    static let storage = "The phone's storage could not be read or written. Free some space and try again."
    static let internalFault = "Couldn't check for updates: something went wrong inside the app; your guidance still works offline."
    static let notConfigured = "This version of the app has no update server set up; guidance arrives with app updates."
    static let bundled = "Guidance as bundled with the app"

    static func outcome(_ report: SyncReport) -> String {
        let n = report.changed.count
        if !report.updated { return upToDate }
        switch n {
        case 0: return "Updated: contacts or other details changed; no pages changed."
        case 1: return "Updated: 1 page changed."
        default: return "Updated: \(n) pages changed."
        }
    }

    /// A sync failure by its stable kind (`SafeguardingError.Update(kind:)`, `SyncFailure.kind`).
    static func failure(_ kind: String) -> String {
        switch kind {
        case "network": return noConnection
        case "server", "not_found": return serverProblem
        case "cancelled": return stopped
        case "untrusted_root": return otherPublisher
        case "unsupported_schema": return needsNewerApp
        case "invalid_content": return badContent
        case "io": return storage
        case "internal": return internalFault
        // bad_signature, unknown_key, expired, rollback, replayed, wrong_channel, too_large,
        // blob_mismatch, malformed, bad_key and anything new: the release was not trusted.
        default: return refused
        }
    }

    /// Connection and server trouble are worth retrying soon; a refused update is not.
    static func isTransient(_ error: Error) -> Bool {
        if case .Update(let kind, _)? = error as? SafeguardingError { return kind == "network" || kind == "server" }
        return false
    }

    static func stale(expiresAt: String?) -> String {
        let on = expiresAt.map { " on \(readableTime($0))" } ?? ""
        return "Your guidance may be out of date: the update it came from expired\(on). It still works; check for updates when you have a connection."
    }
}

private let rfc3339: ISO8601DateFormatter = {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f
}()

private let localTime: DateFormatter = {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_GB")
    f.dateFormat = "d MMMM yyyy 'at' HH:mm"
    return f
}()

/// "1 December 2026 at 22:50" in the phone's time zone, from the core's RFC 3339 UTC times.
func readableTime(_ text: String) -> String {
    guard let date = rfc3339.date(from: text) else { return text }
    return localTime.string(from: date)
}

/// The Updates screen's state: the SwiftUI mirror of the Android `UpdatesViewModel`.
@MainActor
final class UpdatesModel: ObservableObject {
    @Published private(set) var status: SyncStatus?
    @Published private(set) var installed: InstalledContent?
    @Published private(set) var busy = false
    @Published private(set) var stage: Stage?
    @Published private(set) var done: UInt64 = 0
    /// The outcome of the last "Check now" on this screen, in plain words.
    @Published private(set) var message: String?

    let library: SafeguardingLibrary
    private let config: SyncConfig?
    private var token: CancelToken?

    init(library: SafeguardingLibrary, config: SyncConfig?) {
        self.library = library
        self.config = config
    }

    var canCheck: Bool { config != nil }

    var versionLine: String {
        guard let status, status.manifestVersion > 0 else { return UpdateText.bundled }
        let channel = status.channel.map { " (\($0))" } ?? ""
        let published = status.publishedAt.map { ", published \(readableTime($0))" } ?? ""
        return "Update \(status.manifestVersion)\(channel)\(published)"
    }

    var lastChecked: String? { status?.lastCheck.map { "Last checked \(readableTime($0))" } }
    /// How the last check (this screen's or the background one) failed; nil when it succeeded.
    var lastError: String? { status?.lastError.map { UpdateText.failure($0.kind) } }
    var staleWarning: String? { status?.stale == true ? UpdateText.stale(expiresAt: status?.expiresAt) : nil }
    var unread: [ChangedPage] { status?.unread ?? [] }

    var progressLine: String? {
        guard busy else { return nil }
        switch stage {
        case nil: return "Starting…"
        case .downloading?: return "Downloading… \(ByteCountFormatter.string(fromByteCount: Int64(done), countStyle: .file))"
        case .checking?: return "Checking the guidance…"
        case .installing?: return "Installing pages…"
        case .indexing?: return "Preparing search…"
        }
    }

    func load() async {
        let library = library
        let (status, installed) = await Task.detached { (library.syncStatus(), try? library.installed()) }.value
        self.status = status
        self.installed = installed
    }

    func checkNow() {
        guard let config else {
            message = UpdateText.notConfigured
            return
        }
        guard !busy else { return }
        // Created before the task starts, so Cancel always reaches it.
        let token = CancelToken()
        self.token = token
        busy = true
        message = nil
        stage = nil
        done = 0
        Task {
            do {
                let report = try await library.sync(config: config, listener: UpdatesProgress(model: self), cancel: token)
                message = UpdateText.outcome(report)
            } catch {
                message = userMessage(error)
            }
            busy = false
            self.token = nil
            await load()
        }
    }

    func cancel() {
        token?.cancel()
    }

    fileprivate func progress(stage: Stage, done: UInt64) {
        self.stage = stage
        self.done = done
    }
}

/// Progress arrives on a Rust worker thread; hop to the main actor to publish it.
final class UpdatesProgress: ProgressListener, @unchecked Sendable {
    weak var model: UpdatesModel?
    init(model: UpdatesModel) { self.model = model }
    func onProgress(stage: Stage, done: UInt64, total: UInt64) {
        Task { @MainActor [weak model] in model?.progress(stage: stage, done: done) }
    }
}

struct UpdatesView: View {
    @StateObject private var model: UpdatesModel

    init(library: SafeguardingLibrary) {
        _model = StateObject(wrappedValue: UpdatesModel(library: library, config: SyncSettings.config))
    }

    var body: some View {
        Form {
            Section {
                Text(model.versionLine)
                if let installed = model.installed {
                    Text("\(installed.pageCount) pages, installed \(readableDate(String(installed.installedAt.prefix(10))))")
                        .font(.subheadline)
                } else {
                    Text("No guidance installed yet.")
                }
                if let checked = model.lastChecked { Text(checked).font(.caption) }
            }
            if let stale = model.staleWarning {
                Section { Label(stale, systemImage: "exclamationmark.triangle").foregroundStyle(.orange) }
            }
            Section {
                if model.busy {
                    ProgressView()
                    if let line = model.progressLine { Text(line) }
                    Button("Cancel", role: .cancel) { model.cancel() }
                } else if model.canCheck {
                    Button("Check now") { model.checkNow() }
                } else {
                    Text(UpdateText.notConfigured).font(.footnote)
                }
                // This visit's outcome, else how the last (background) check failed.
                if let text = model.message ?? model.lastError { Text(text) }
            }
            if !model.unread.isEmpty {
                Section("Updated since you last looked") {
                    ForEach(model.unread, id: \.id) { page in
                        NavigationLink {
                            ReaderView(library: model.library, pageId: page.id, anchor: nil)
                        } label: {
                            VStack(alignment: .leading) {
                                Text(page.title).font(.headline)
                                if let note = page.note { Text(note).font(.subheadline) }
                            }
                        }
                    }
                }
            }
            NavigationLink("About and licences") { AboutView() }
        }
        .navigationTitle("Updates")
        // Runs on every appearance, so a page opened from the list is gone from it on return.
        .task { await model.load() }
    }
}
