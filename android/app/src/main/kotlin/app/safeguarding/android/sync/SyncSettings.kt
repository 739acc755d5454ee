package app.safeguarding.android.sync

import app.safeguarding.android.BuildConfig
import app.safeguarding.core.SyncConfig
import app.safeguarding.shared.syncConfigOf

/**
 * Where this build fetches signed updates, fixed at build time (see android/README.md: Gradle
 * properties `safeguarding.syncServer`, `safeguarding.syncChannel`, `safeguarding.rootKeyFiles`).
 * Null when the build has none: the app then works exactly as before, offline, with bundled
 * guidance only.
 */
object SyncSettings {
    val config: SyncConfig? by lazy {
        syncConfigOf(BuildConfig.SYNC_SERVER, BuildConfig.SYNC_CHANNEL, BuildConfig.SYNC_ROOT_KEYS.split(','))
    }
}
