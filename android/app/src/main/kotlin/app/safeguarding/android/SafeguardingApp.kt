package app.safeguarding.android

import android.app.Application
import app.safeguarding.android.sync.SyncWorker
import app.safeguarding.core.SafeguardingLibrary
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import java.io.File

/**
 * Opens the core once per process, off the main thread, and copies the bundled content out of
 * the APK (the core reads a folder; assets are not files). The copy is cheap and the core
 * installs only content it does not already have. Schedules the periodic background sync when
 * the build has an update server.
 *
 * Before the first HTTPS sync the Rust TLS verifier (rustls-platform-verifier) must be given the
 * JVM and this context through JNI; see android/README.md ("Trusting the phone's certificates").
 * That entry point is not in the library yet.
 */
class SafeguardingApp : Application() {
    /** Lives as long as the process: a check started on the Updates screen survives rotation. */
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)

    override fun onCreate() {
        super.onCreate()
        SyncWorker.schedule(this)
    }

    val library by lazy {
        scope.async(Dispatchers.IO) {
            SafeguardingLibrary.open(File(filesDir, "safeguarding").absolutePath)
        }
    }

    /** The bundled content, as a folder the core can read. */
    val bundledContent: File by lazy {
        val target = File(noBackupFilesDir, "bundled-content")
        copyAssets("content", target)
        target
    }

    private fun copyAssets(path: String, target: File) {
        val children = assets.list(path).orEmpty()
        if (children.isEmpty()) {
            target.parentFile?.mkdirs()
            assets.open(path).use { input -> target.outputStream().use { input.copyTo(it) } }
            return
        }
        target.mkdirs()
        for (child in children) copyAssets("$path/$child", File(target, child))
    }
}
