import SafeguardingCore
import SwiftUI

/// Turns the core's rich text into an AttributedString with tappable links. Links become URLs:
/// `tel:` opens the dialler, `page:` is handled by the reader's openURL handler.
func attributed(_ rich: RichText) -> AttributedString {
    let ns = NSMutableAttributedString(string: rich.text)
    for m in rich.marks {
        let range = NSRange(location: Int(m.start), length: Int(m.end - m.start))
        switch m.style {
        case .bold: ns.addAttribute(.font, value: UIFont.preferredFont(forTextStyle: .body).bold(), range: range)
        case .italic: ns.addAttribute(.obliqueness, value: 0.2, range: range)
        case .link(let target):
            let url: String
            switch target {
            case .phone(let tel, _): url = tel
            case .page(let id, let anchor): url = "page:\(id)" + (anchor.map { "#\($0)" } ?? "")
            case .web(let u): url = u
            case .email(let address): url = "mailto:\(address)"
            }
            if let u = URL(string: url) { ns.addAttribute(.link, value: u, range: range) }
        }
    }
    return AttributedString(ns)
}

struct ReaderView: View {
    let library: SafeguardingLibrary
    let pageId: String
    let anchor: String?
    @State private var page: Page?
    @State private var error: String?
    @State private var linked: String?

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 8) {
                if let error { Text(error).foregroundStyle(.red) }
                if let page {
                    Text(page.title).font(.title2).bold()
                    if let updated = updatedLine(page) { Text(updated).font(.subheadline).bold() }
                    Text(page.summary)
                    Text("Last reviewed \(readableDate(page.lastReviewed))").font(.caption)
                    if page.overdue {
                        Text("This page was due for review on \(readableDate(page.nextReview)). Check it against current local procedures.")
                            .foregroundStyle(.red)
                    }
                    Button(page.bookmarked ? "Remove bookmark" : "Bookmark") { toggleBookmark(page) }
                    ForEach(Array(page.blocks.enumerated()), id: \.offset) { _, block in BlockView(block: block) }
                    Text("Legal basis").font(.headline).padding(.top)
                    ForEach(page.legalBasis, id: \.self) { Text("• \($0)") }
                    Text("Sources").font(.headline)
                    ForEach(sourceLinks(page), id: \.self) { SourceRow(source: $0) }
                }
            }
            .padding()
        }
        .environment(\.openURL, OpenURLAction { url in
            guard url.scheme == "page" else { return .systemAction } // tel:, https:, mailto:
            linked = url.absoluteString
            return .handled
        })
        .navigationDestination(item: $linked) { link in
            let parts = link.dropFirst("page:".count).split(separator: "#", maxSplits: 1).map(String.init)
            ReaderView(library: library, pageId: parts[0], anchor: parts.count > 1 ? parts[1] : nil)
        }
        .task {
            load()
            // Opening a page takes it off "Updated since you last looked". The write waits while
            // a sync holds the data folder, so it runs off the main thread.
            let library = library, id = pageId
            Task.detached { try? library.markUpdateSeen(pageId: id) }
        }
    }

    private func load() {
        do { page = try library.page(id: pageId) } catch { self.error = userMessage(error) }
    }

    private func toggleBookmark(_ page: Page) {
        do {
            if page.bookmarked { _ = try library.removeBookmark(pageId: page.id) } else { try library.addBookmark(pageId: page.id, anchor: anchor) }
            load()
        } catch { self.error = userMessage(error) }
    }
}

struct BlockView: View {
    let block: Block

    var body: some View {
        switch block {
        case .heading(let level, let text, _):
            Text(text).font(level == 2 ? .title3 : .headline).padding(.top, 8)
        case .paragraph(let text):
            Text(attributed(text))
        case .bullets(let items):
            ForEach(Array(items.enumerated()), id: \.offset) { _, item in
                Text("•  ").bold() + Text(attributed(item.text))
            }
        case .steps(let items):
            ForEach(Array(items.filter { $0.depth == 0 }.enumerated()), id: \.offset) { i, item in
                Text("\(i + 1).  ").bold() + Text(attributed(item.text))
            }
        case .callout(let kind, let paragraphs):
            VStack(alignment: .leading, spacing: 4) {
                Text(kind == .actNow ? "ACT NOW" : kind == .warning ? "Warning" : "Note").bold()
                ForEach(Array(paragraphs.enumerated()), id: \.offset) { _, p in Text(attributed(p)) }
            }
            .padding()
            .frame(maxWidth: .infinity, alignment: .leading)
            .background(kind == .actNow ? Color.red.opacity(0.15) : Color.blue.opacity(0.1))
        }
    }
}
