import BackgroundTasks
import Foundation
import SafeguardingCore

/// Where this build fetches signed updates, from Info.plist (set through build settings; see
/// ios/README.md). Nil when the build has none: bundled guidance only, no background refresh.
enum SyncSettings {
    static let config: SyncConfig? = {
        let info = Bundle.main.infoDictionary ?? [:]
        let server = (info["SafeguardingSyncServer"] as? String)?.trimmingCharacters(in: .whitespaces) ?? ""
        let channel = (info["SafeguardingSyncChannel"] as? String)?.trimmingCharacters(in: .whitespaces) ?? ""
        let keys = ((info["SafeguardingRootKeys"] as? [String]) ?? [])
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        guard !server.isEmpty, !channel.isEmpty, !keys.isEmpty else { return nil }
        return SyncConfig(server: server, channel: channel, rootKeys: keys)
    }()
}

/// Background refresh with BGTaskScheduler: the same `sync` call as "Check now", on the
/// process's one library. The core takes the data folder's writer lock, so this never collides
/// with a foreground check or install; any failure keeps the guidance and is recorded for the
/// Updates screen. Blobs fetched before the system ends the task are kept, so a long first
/// download finishes over several refreshes.
enum BackgroundSync {
    /// Also listed under BGTaskSchedulerPermittedIdentifiers in Info.plist (project.yml).
    static let identifier = "app.safeguarding.sync"

    /// Call from `App.init`, before launch finishes (BGTaskScheduler requires it).
    static func register() {
        guard SyncSettings.config != nil else { return }
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let task = task as? BGAppRefreshTask else { return task.setTaskCompleted(success: false) }
            handle(task)
        }
    }

    /// Asks for a refresh in about six hours; iOS decides when (and whether) it runs.
    static func schedule() {
        guard SyncSettings.config != nil else { return }
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 6 * 60 * 60)
        // Fails in the simulator and when the user has turned Background App Refresh off; the
        // Updates screen's "Check now" still works then.
        try? BGTaskScheduler.shared.submit(request)
    }

    private static func handle(_ task: BGAppRefreshTask) {
        schedule() // a task runs once: ask for the next one first
        guard let config = SyncSettings.config else { return task.setTaskCompleted(success: true) }
        let token = CancelToken()
        let work = Task {
            do {
                let library = try await LibraryStore.shared.library()
                _ = try await library.sync(config: config, listener: nil, cancel: token)
                task.setTaskCompleted(success: true)
            } catch {
                // A refused update is a completed check (it would be refused again); only
                // connection trouble counts as a failure.
                task.setTaskCompleted(success: !UpdateText.isTransient(error))
            }
        }
        task.expirationHandler = {
            // Cancelling the Swift task does not stop the Rust download by itself; the token does.
            token.cancel()
            work.cancel()
        }
    }
}
