package app.safeguarding.shared

import app.safeguarding.core.AreaMatch
import app.safeguarding.core.AreaSummary
import app.safeguarding.core.CallAdvice
import app.safeguarding.core.Contact
import app.safeguarding.core.Contacts
import app.safeguarding.core.SafeguardingException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

data class ContactsState(
    val home: AreaSummary? = null,
    val area: AreaMatch? = null,
    val need: String = "children",
    val advice: CallAdvice? = null,
    val services: List<Contact> = emptyList(),
    /** Shown whenever the area's numbers are sample data. */
    val sampleWarning: String? = null,
    val error: String? = null,
)

/** The needs offered as buttons, in the order crews use them. */
val NEEDS = listOf("children", "adults", "police", "mca", "domestic-abuse", "prevent", "lado", "sexual-assault", "modern-slavery", "fgm")

/**
 * "My area, find by postcode or current location, call now with the reason." Location comes from
 * the Android layer (fused location) as latitude/longitude; nothing here needs a network.
 */
class ContactsViewModel(
    private val contacts: Contacts,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher,
    /** UK local time to plan for; null means now. Tests and "plan ahead" set it. */
    private val at: () -> String? = { null },
) {
    private val _state = MutableStateFlow(ContactsState())
    val state: StateFlow<ContactsState> = _state.asStateFlow()

    fun start() = scope.launch {
        val home = withContext(io) { contacts.homeArea() }
        _state.value = _state.value.copy(home = home)
        if (home != null && _state.value.area == null) {
            show(withContext(io) { contacts.findByName(home.name).first() })
        }
    }

    fun findByPostcode(postcode: String) = locate { contacts.findByPostcode(postcode) }

    fun findNear(latitude: Double, longitude: Double) = locate { contacts.findNear(latitude, longitude) }

    fun chooseNeed(need: String) {
        _state.value = _state.value.copy(need = need)
        _state.value.area?.let { scope.launch { show(it) } }
    }

    fun makeHome() = scope.launch {
        val area = _state.value.area?.area ?: return@launch
        withContext(io) { contacts.setHomeArea(area.id) }
        _state.value = _state.value.copy(home = area)
    }

    fun toggleFavourite(contact: Contact) = scope.launch {
        withContext(io) { contacts.setFavourite(contact.id, !contact.favourite) }
        _state.value.area?.let { show(it) }
    }

    private fun locate(find: () -> AreaMatch) = scope.launch {
        try {
            show(withContext(io) { find() })
        } catch (e: SafeguardingException) {
            _state.value = _state.value.copy(error = userMessage(e), advice = null, services = emptyList())
        }
    }

    private suspend fun show(area: AreaMatch) {
        try {
            val need = _state.value.need
            val (advice, services) = withContext(io) {
                contacts.callNow(area.area.id, need, at()) to contacts.services(area.area.id, at())
            }
            _state.value = _state.value.copy(
                area = area,
                advice = advice,
                services = services,
                sampleWarning = if (area.area.sample) "Sample data: these numbers are fictional and reach no one." else null,
                error = null,
            )
        } catch (e: SafeguardingException) {
            _state.value = _state.value.copy(error = userMessage(e))
        }
    }
}
