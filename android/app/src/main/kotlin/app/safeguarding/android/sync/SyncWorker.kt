package app.safeguarding.android.sync

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import app.safeguarding.android.SafeguardingApp
import app.safeguarding.core.CancelToken
import app.safeguarding.core.SafeguardingException
import app.safeguarding.shared.UpdateText
import java.util.concurrent.TimeUnit

/**
 * Periodic background sync: the same `sync` binding as "Check now", on the process's one
 * library, so the Updates screen, search and the reader see the result at once. The core takes
 * the data folder's writer lock, so this and a foreground check or install never collide, and
 * any failure keeps the installed guidance and is recorded for the Updates screen.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {

    override suspend fun doWork(): Result {
        val config = SyncSettings.config ?: return Result.success()
        val library = (applicationContext as SafeguardingApp).library.await()
        val token = CancelToken()
        var finished = false
        return try {
            library.sync(config, null, token)
            finished = true
            Result.success()
        } catch (e: SafeguardingException) {
            finished = true
            // Connection and server trouble are worth another try soon; a refused update is not
            // (it would be refused again) and waits for the next period.
            if (UpdateText.isTransient(e) && runAttemptCount < MAX_RETRIES) Result.retry() else Result.success()
        } finally {
            // WorkManager stopped the work (network or battery constraint lost, quota): cancelling
            // the coroutine does not stop the Rust download by itself; the token does.
            if (!finished) token.cancel()
        }
    }

    companion object {
        private const val NAME = "content-sync"
        private const val MAX_RETRIES = 3

        /** Called at process start; KEEP leaves an existing schedule (and its timing) alone. */
        fun schedule(context: Context) {
            if (SyncSettings.config == null) return
            val constraints = Constraints.Builder()
                .setRequiredNetworkType(NetworkType.CONNECTED)
                .setRequiresBatteryNotLow(true)
                .build()
            val request = PeriodicWorkRequestBuilder<SyncWorker>(6, TimeUnit.HOURS)
                .setConstraints(constraints)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 15, TimeUnit.MINUTES)
                .build()
            WorkManager.getInstance(context).enqueueUniquePeriodicWork(NAME, ExistingPeriodicWorkPolicy.KEEP, request)
        }
    }
}
