import SwiftUI
import SafeguardingCore

// The reader's wording and date format, mirroring android/shared ReaderViewModel (tested there on the
// JVM) so both apps say the same thing.

/// A publication to list under "Sources"; `url` is set only for an https address.
struct SourceLink: Hashable {
    let title: String
    let url: URL?
}

private let isoDay: DateFormatter = {
    let f = DateFormatter()
    f.calendar = Calendar(identifier: .gregorian)
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    return f
}()

private let readableDay: DateFormatter = {
    let f = DateFormatter()
    f.calendar = Calendar(identifier: .gregorian)
    f.locale = Locale(identifier: "en_GB")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "d MMMM yyyy"
    return f
}()

/// "2026-12-01" → "1 December 2026"; anything unparseable is returned as it is.
func readableDate(_ iso: String) -> String {
    guard let date = isoDay.date(from: iso) else { return iso }
    return readableDay.string(from: date)
}

/// "Updated 3 June 2026: <summary>" from the first (newest) change, or nil when the page lists none.
func updatedLine(_ page: Page) -> String? {
    guard let change = page.changes.first else { return nil }
    return "Updated \(readableDate(change.date)): \(change.summary)"
}

/// Sources as the reader lists them; a url that is not https is dropped, leaving the title as text.
func sourceLinks(_ page: Page) -> [SourceLink] {
    page.sources.map { s in
        SourceLink(title: s.title, url: s.url.flatMap { $0.hasPrefix("https://") ? URL(string: $0) : nil })
    }
}

/// A source row: a Link (opened by the system browser) when it has a url, plain text otherwise.
struct SourceRow: View {
    let source: SourceLink

    var body: some View {
        if let url = source.url {
            Link(destination: url) { Text(verbatim: "• \(source.title)").multilineTextAlignment(.leading) }
                .accessibilityHint("Opens in the browser")
        } else {
            Text(verbatim: "• \(source.title)")
        }
    }
}
