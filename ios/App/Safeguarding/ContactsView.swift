import CoreLocation
import SafeguardingCore
import SwiftUI

struct ContactsView: View {
    let contacts: Contacts
    @State private var postcode = ""
    @State private var need = "children"
    @State private var area: AreaMatch?
    @State private var advice: CallAdvice?
    @State private var error: String?
    @StateObject private var location = LocationFinder()

    private let needs = ["children", "adults", "police", "mca", "domestic-abuse", "prevent", "lado", "sexual-assault", "modern-slavery", "fgm"]

    var body: some View {
        Form {
            Section {
                HStack {
                    TextField("Postcode", text: $postcode).textInputAutocapitalization(.characters)
                    Button("Find") { locate { try contacts.findByPostcode(postcode: postcode) } }
                }
                Button("Use my location") { location.request() }
                Picker("Need", selection: $need) { ForEach(needs, id: \.self) { Text($0) } }
            }
            if let error { Text(error).foregroundStyle(.red) }
            if let area {
                Section(area.area.name) {
                    Text("Found by \(area.foundBy)").font(.caption)
                    if area.area.sample {
                        Text("Sample data: these numbers are fictional and reach no one.").foregroundStyle(.red)
                    }
                    Button("Make this my area") { try? contacts.setHomeArea(areaId: area.area.id) }
                }
            }
            if let advice { CallNowSection(advice: advice) }
        }
        .navigationTitle("Contacts")
        .onChange(of: need) { _ in refresh() }
        .onReceive(location.$position.compactMap { $0 }) { p in
            locate { try contacts.findNear(latitude: p.latitude, longitude: p.longitude) }
        }
        .task {
            if let home = try? contacts.homeArea() {
                locate { try contacts.findByName(name: home.name)[0] }
            }
        }
    }

    private func locate(_ find: () throws -> AreaMatch) {
        do {
            area = try find()
            error = nil
            refresh()
        } catch {
            self.error = userMessage(error)
        }
    }

    private func refresh() {
        guard let area else { return }
        do { advice = try contacts.callNow(areaId: area.area.id, need: need, at: nil) } catch { self.error = userMessage(error) }
    }
}

/// The number to ring at this hour and why, with the national lines: on Contacts and above
/// search results.
struct CallNowSection: View {
    let advice: CallAdvice
    var title = "Call now"
    var sampleNote = false

    var body: some View {
        Section(title) {
            if sampleNote && advice.area.sample {
                Text("Sample data: these numbers are fictional and reach no one.").foregroundStyle(.red)
            }
            if let c = advice.contact { Text(c.name).bold() }
            if let phone = advice.phone, let url = URL(string: phone.tel) {
                Link("Call \(phone.display)", destination: url).font(.title3)
            }
            Text(advice.reason)
            if let o = advice.outOfHoursTeam, let p = o.phones.first, let url = URL(string: p.tel) {
                Link("Once it closes, \(o.name): \(p.display)", destination: url)
            }
            ForEach(advice.national, id: \.id) { n in
                if let p = n.phones.first, let url = URL(string: p.tel) { Link("\(n.name): \(p.display)", destination: url) }
            }
            Text("If someone is in immediate danger, call 999.").bold()
        }
    }
}

/// One-shot position for "use my location"; the core needs no network to use it.
final class LocationFinder: NSObject, ObservableObject, CLLocationManagerDelegate {
    @Published var position: CLLocationCoordinate2D?
    private let manager = CLLocationManager()

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyKilometer
    }

    func request() {
        manager.requestWhenInUseAuthorization()
        manager.requestLocation()
    }

    func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        position = locations.last?.coordinate
    }

    func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {}
}
