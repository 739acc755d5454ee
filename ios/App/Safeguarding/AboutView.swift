import SwiftUI

/// What the app is and the licences of its code and guidance. Same text as android/shared About.kt.
struct AboutView: View {
    private struct Part: Identifiable {
        let heading: String
        let body: String
        let link: SourceLink?
        var id: String { heading }
    }

    private let sections: [Part] = [
        Part(
            heading: "Safeguarding guide",
            body: "Offline safeguarding guidance for UK health and care staff. It is guidance, not legal advice: "
                + "follow your organisation's procedures and ask your safeguarding lead when unsure.",
            link: nil),
        Part(
            heading: "App code",
            body: "The app's source code is licensed under the Mozilla Public License 2.0 (MPL-2.0).",
            link: SourceLink(title: "Mozilla Public License 2.0", url: URL(string: "https://www.mozilla.org/en-US/MPL/2.0/"))),
        Part(
            heading: "Guidance text",
            body: "The guidance text is licensed under the Creative Commons Attribution 4.0 International licence "
                + "(CC BY 4.0). NHS trusts and other organisations may copy and adapt it for their own staff, "
                + "provided they credit this guide and say what they changed.",
            link: SourceLink(title: "Creative Commons Attribution 4.0", url: URL(string: "https://creativecommons.org/licenses/by/4.0/"))),
        Part(
            heading: "Public-sector information",
            body: "The guidance draws on public-sector information, including material from GOV.UK and "
                + "legislation.gov.uk. Contains public sector information licensed under the Open Government "
                + "Licence v3.0.",
            link: SourceLink(title: "Open Government Licence v3.0",
                             url: URL(string: "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"))),
    ]

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 8) {
                ForEach(sections) { s in
                    Text(verbatim: s.heading).font(.headline).padding(.top, 8)
                    Text(verbatim: s.body)
                    if let link = s.link { SourceRow(source: link) }
                }
            }
            .padding()
        }
        .navigationTitle("About this app")
    }
}
