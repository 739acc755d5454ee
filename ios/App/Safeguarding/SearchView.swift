import SafeguardingCore
import SwiftUI

/// Highlight ranges are UTF-16 offsets: the units NSString and NSRange use.
func highlighted(_ snippet: Snippet) -> AttributedString {
    let ns = NSMutableAttributedString(string: snippet.text)
    for h in snippet.highlights {
        ns.addAttribute(.font, value: UIFont.preferredFont(forTextStyle: .body).bold(), range: NSRange(location: Int(h.start), length: Int(h.end - h.start)))
    }
    return AttributedString(ns)
}

extension UIFont {
    func bold() -> UIFont {
        UIFont(descriptor: fontDescriptor.withSymbolicTraits(.traitBold) ?? fontDescriptor, size: 0)
    }
}

struct SearchView: View {
    let library: SafeguardingLibrary
    @State private var query = ""
    @State private var results: SearchResults?
    @State private var suggestions: [Suggestion] = []
    @State private var error: String?

    var body: some View {
        List {
            // A query naming a place or postcode: that area's number for this hour comes first.
            if let card = results?.contactCard {
                CallNowSection(advice: card, title: "Call now: \(card.area.name)", sampleNote: true)
            }
            if let dym = results?.suggestion {
                Button("Did you mean: \(dym)") { query = dym }
            }
            if let error { Text(error).foregroundStyle(.red) }
            ForEach(suggestions, id: \.text) { s in
                if s.kind == .title, let id = s.pageId {
                    NavigationLink(s.text) { ReaderView(library: library, pageId: id, anchor: nil) }
                } else {
                    Button(s.text) { query = s.text }
                }
            }
            ForEach(results?.results ?? [], id: \.id) { r in
                NavigationLink {
                    ReaderView(library: library, pageId: r.id, anchor: r.section?.anchor)
                } label: {
                    VStack(alignment: .leading) {
                        Text(r.title).font(.headline)
                        Text(highlighted(r.snippet)).font(.body)
                    }
                }
            }
        }
        .searchable(text: $query, prompt: "FGM, DoLS, county lines…")
        .onSubmit(of: .search) { try? library.recordSearch(query: query) }
        .task(id: query) { await run(query) }
        .navigationTitle("Search")
    }

    private func run(_ q: String) async {
        guard !q.trimmingCharacters(in: .whitespaces).isEmpty else {
            results = nil
            suggestions = []
            return
        }
        do {
            // Well under a millisecond on the bundled library: fine to run as the user types.
            suggestions = try library.suggest(prefix: q, limit: 5)
            results = try library.search(query: q, topic: nil, audience: nil, limit: 20)
            error = nil
        } catch {
            self.error = userMessage(error)
        }
    }
}
