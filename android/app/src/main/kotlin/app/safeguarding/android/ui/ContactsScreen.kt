package app.safeguarding.android.ui

import android.Manifest
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.background
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import app.safeguarding.android.Platform
import app.safeguarding.core.CallAdvice
import app.safeguarding.core.Contact
import app.safeguarding.shared.ContactsViewModel
import app.safeguarding.shared.NEEDS

@Composable
fun ContactsScreen(vm: ContactsViewModel, platform: Platform) {
    val state by vm.state.collectAsState()
    var postcode by remember { mutableStateOf("") }
    val locate = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) platform.lastKnownPosition()?.let { (lat, lon) -> vm.findNear(lat, lon) }
    }
    Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp)) {
        Row {
            OutlinedTextField(postcode, { postcode = it }, label = { Text("Postcode") }, singleLine = true, modifier = Modifier.weight(1f))
            Button(onClick = { vm.findByPostcode(postcode) }, modifier = Modifier.padding(start = 8.dp)) { Text("Find") }
        }
        TextButton(onClick = { locate.launch(Manifest.permission.ACCESS_COARSE_LOCATION) }) { Text("Use my location") }
        Row(Modifier.horizontalScroll(rememberScrollState())) {
            NEEDS.forEach { need ->
                FilterChip(selected = state.need == need, onClick = { vm.chooseNeed(need) }, label = { Text(need) }, modifier = Modifier.padding(end = 4.dp))
            }
        }
        state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        state.sampleWarning?.let {
            Text(it, modifier = Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.errorContainer).padding(8.dp))
        }
        state.area?.let { area ->
            Text(area.area.name, style = MaterialTheme.typography.titleLarge, modifier = Modifier.padding(top = 12.dp))
            Text("Found by ${area.foundBy}", style = MaterialTheme.typography.labelMedium)
            if (state.home?.id != area.area.id) TextButton(onClick = { vm.makeHome() }) { Text("Make this my area") }
        }
        state.advice?.let { CallNowCard(it, platform) }
        state.services.forEach { ServiceRow(it, platform, onFavourite = { vm.toggleFavourite(it) }) }
    }
}

/** The number to ring at this hour and why, with the national lines: on Contacts and above search results. */
@Composable
fun CallNowCard(advice: CallAdvice, platform: Platform, title: String = "Call now", sampleNote: Boolean = false) {
    Column(Modifier.fillMaxWidth().padding(vertical = 12.dp).background(MaterialTheme.colorScheme.primaryContainer).padding(12.dp)) {
        Text(title, fontWeight = FontWeight.Bold)
        if (sampleNote && advice.area.sample) {
            Text("Sample data: these numbers are fictional and reach no one.", color = MaterialTheme.colorScheme.error)
        }
        advice.contact?.let { Text(it.name, style = MaterialTheme.typography.titleMedium) }
        advice.phone?.let { phone ->
            Button(onClick = { platform.dial(phone.tel) }, modifier = Modifier.fillMaxWidth()) { Text("Call ${phone.display}") }
        }
        Text(advice.reason)
        advice.outOfHoursTeam?.let { o ->
            o.phones.firstOrNull()?.let { p -> TextButton(onClick = { platform.dial(p.tel) }) { Text("Once it closes, ${o.name}: ${p.display}") } }
        }
        advice.national.forEach { n ->
            n.phones.firstOrNull()?.let { p -> TextButton(onClick = { platform.dial(p.tel) }) { Text("${n.name}: ${p.display}") } }
        }
        Text("If someone is in immediate danger, call 999.", fontWeight = FontWeight.Bold)
    }
}

@Composable
private fun ServiceRow(c: Contact, platform: Platform, onFavourite: () -> Unit) {
    Column(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Text(c.name + if (c.openNow == true) "  · open" else "  · closed", style = MaterialTheme.typography.titleSmall)
        c.phones.forEach { p -> TextButton(onClick = { platform.dial(p.tel) }) { Text("${p.label}: ${p.display}") } }
        if (c.hours.isNotEmpty()) Text(c.hours.joinToString("; "), style = MaterialTheme.typography.bodySmall)
        c.note?.let { Text("Your note: $it", style = MaterialTheme.typography.bodySmall) }
        TextButton(onClick = onFavourite) { Text(if (c.favourite) "Remove favourite" else "Favourite") }
    }
}
