import SafeguardingCore
import SwiftUI

struct TopicsView: View {
    let library: SafeguardingLibrary
    @State private var topics: [Topic] = []

    var body: some View {
        List(topics, id: \.id) { t in
            NavigationLink {
                List((try? library.pagesInTopic(topic: t.id)) ?? [], id: \.id) { p in
                    NavigationLink(p.title) { ReaderView(library: library, pageId: p.id, anchor: nil) }
                }
                .navigationTitle(t.title)
            } label: {
                VStack(alignment: .leading) {
                    Text("\(t.title) (\(t.pageCount))").font(.headline)
                    Text(t.description).font(.subheadline)
                }
            }
        }
        .navigationTitle("Topics")
        .task { topics = (try? library.topics()) ?? [] }
    }
}

struct BookmarksView: View {
    let library: SafeguardingLibrary
    @State private var bookmarks: [Bookmark] = []
    @State private var notes: [Note] = []

    var body: some View {
        List {
            Section("Bookmarks") {
                ForEach(bookmarks, id: \.pageId) { b in
                    if let title = b.title {
                        NavigationLink(title) { ReaderView(library: library, pageId: b.pageId, anchor: b.anchor) }
                    } else {
                        Text("No longer in the guide (removed in an update)").foregroundStyle(.secondary)
                    }
                }
            }
            Section("Notes") {
                ForEach(Array(notes.enumerated()), id: \.offset) { _, n in Text(n.text) }
            }
        }
        .navigationTitle("Saved")
        .task {
            bookmarks = (try? library.bookmarks()) ?? []
            notes = (try? library.notes()) ?? []
        }
    }
}
