import SafeguardingCore
import SwiftUI

@main
struct SafeguardingApp: App {
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var scenePhase

    init() {
        // BGTaskScheduler handlers must be registered before the app finishes launching.
        BackgroundSync.register()
    }

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(model)
                .task { await model.start() }
        }
        .onChange(of: scenePhase) { _, phase in
            // Ask for the next background refresh each time the app leaves the screen.
            if phase == .background { BackgroundSync.schedule() }
        }
    }
}

/// One library per process, opened off the main thread on first use: by the UI, or by a
/// background refresh that launched the app without a window.
actor LibraryStore {
    static let shared = LibraryStore()
    private var opening: Task<SafeguardingLibrary, Error>?

    func library() async throws -> SafeguardingLibrary {
        if let opening { return try await opening.value }
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        let dataDir = support.appendingPathComponent("safeguarding").path
        let task = Task.detached { try SafeguardingLibrary.open(dataDir: dataDir) }
        opening = task
        do {
            return try await task.value
        } catch {
            opening = nil // try again next time
            throw error
        }
    }
}

/// Opens the core off the main thread and installs the bundled content (first run, or an app
/// update with newer content; the core never replaces newer synced guidance with it). Screens
/// read the library from here.
@MainActor
final class AppModel: ObservableObject {
    @Published var library: SafeguardingLibrary?
    @Published var installMessage: String?
    @Published var progress: (stage: Stage, done: UInt64, total: UInt64)?

    func start() async {
        // The bundled content is a folder reference ("content") in the app bundle: readable in place.
        guard let content = Bundle.main.url(forResource: "content", withExtension: nil)?.path else {
            installMessage = "The app bundle has no content folder."
            return
        }
        do {
            let library = try await LibraryStore.shared.library()
            self.library = library
            let report = try await library.installContentAsync(contentDir: content, listener: Listener(model: self), cancel: nil)
            installMessage = report.installed ? "Installed \(report.pageCount) pages." : nil
        } catch {
            installMessage = userMessage(error)
        }
        progress = nil
    }
}

/// Progress arrives on a Rust worker thread; hop to the main actor to publish it.
final class Listener: ProgressListener, @unchecked Sendable {
    weak var model: AppModel?
    init(model: AppModel) { self.model = model }
    func onProgress(stage: Stage, done: UInt64, total: UInt64) {
        Task { @MainActor [weak model] in model?.progress = (stage, done, total) }
    }
}

func userMessage(_ error: Error) -> String {
    switch error as? SafeguardingError {
    case .NotFound: return "That is no longer in the guide. It may have been removed in an update."
    case .InvalidInput(let reason): return reason
    case .InvalidContent: return "An update could not be used, so the guide you have is unchanged."
    case .NoContent: return "The guide is still being set up. Try again in a moment."
    case .Cancelled: return "Stopped. Nothing was changed."
    case .Update(let kind, _): return UpdateText.failure(kind)
    case .Storage: return "The phone's storage could not be read or written. Free some space and try again."
    case nil: return error.localizedDescription
    }
}

struct RootView: View {
    @EnvironmentObject var model: AppModel

    var body: some View {
        if let library = model.library {
            TabView {
                NavigationStack { SearchView(library: library) }.tabItem { Label("Search", systemImage: "magnifyingglass") }
                NavigationStack { TopicsView(library: library) }.tabItem { Label("Topics", systemImage: "list.bullet") }
                NavigationStack { ContactsView(contacts: library.contacts()) }.tabItem { Label("Contacts", systemImage: "phone") }
                NavigationStack { BookmarksView(library: library) }.tabItem { Label("Saved", systemImage: "bookmark") }
                NavigationStack { UpdatesView(library: library) }.tabItem { Label("Updates", systemImage: "arrow.down.circle") }
            }
        } else {
            VStack {
                ProgressView()
                if let p = model.progress { Text("\(String(describing: p.stage)) \(p.done)/\(p.total)") }
                if let m = model.installMessage { Text(m) }
            }
        }
    }
}
