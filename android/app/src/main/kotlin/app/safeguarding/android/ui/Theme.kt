package app.safeguarding.android.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

/** NHS-style blue, with an "act now" red that keeps its contrast in both themes. */
val ActNowLight = Color(0xFFB00020)
val ActNowDark = Color(0xFFFF8A80)

@Composable
fun SafeguardingTheme(dark: Boolean, content: @Composable () -> Unit) {
    // Text sizes come from the Material type scale in sp, so the system font size setting
    // (large text) applies everywhere.
    MaterialTheme(
        colorScheme = if (dark) {
            darkColorScheme(primary = Color(0xFF8AB4F8), error = ActNowDark)
        } else {
            lightColorScheme(primary = Color(0xFF005EB8), error = ActNowLight)
        },
        content = content,
    )
}
