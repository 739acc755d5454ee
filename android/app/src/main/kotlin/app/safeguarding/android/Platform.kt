package app.safeguarding.android

import android.annotation.SuppressLint
import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.location.LocationManager
import android.net.Uri
import android.widget.Toast
import app.safeguarding.shared.LinkAction

/** What the shared view models ask of the phone: dialling, browsing, email, position. */
class Platform(private val context: Context) {

    fun perform(action: LinkAction) {
        val intent = when (action) {
            // ACTION_DIAL opens the dialler with the number filled in; the user presses call.
            is LinkAction.Dial -> Intent(Intent.ACTION_DIAL, Uri.parse(action.tel))
            is LinkAction.OpenWeb -> Intent(Intent.ACTION_VIEW, Uri.parse(action.url))
            is LinkAction.Email -> Intent(Intent.ACTION_SENDTO, Uri.parse("mailto:${action.address}"))
            is LinkAction.OpenPage -> return // the view model already navigated
        }
        try {
            context.startActivity(intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
        } catch (e: ActivityNotFoundException) {
            // No dialler, browser or mail app (e.g. a locked-down work profile): say so rather than do nothing.
            val message = when (action) {
                is LinkAction.Dial -> "No phone app found. Call ${action.display} from another phone."
                is LinkAction.OpenWeb -> "No browser found to open ${action.url}"
                is LinkAction.Email -> "No email app found. Write to ${action.address}"
                is LinkAction.OpenPage -> return
            }
            Toast.makeText(context, message, Toast.LENGTH_LONG).show()
        }
    }

    fun dial(tel: String) = perform(LinkAction.Dial(tel, tel))

    /** The last known position from any provider, without waiting for a fix or a network. */
    @SuppressLint("MissingPermission") // checked by the caller through the permission launcher
    fun lastKnownPosition(): Pair<Double, Double>? {
        val manager = context.getSystemService(Context.LOCATION_SERVICE) as LocationManager
        return manager.getProviders(true)
            .mapNotNull { runCatching { manager.getLastKnownLocation(it) }.getOrNull() }
            .maxByOrNull { it.time }
            ?.let { it.latitude to it.longitude }
    }
}
