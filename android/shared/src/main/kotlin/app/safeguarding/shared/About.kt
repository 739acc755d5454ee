package app.safeguarding.shared

/** One part of the About screen; [link] opens the licence text in the browser. */
data class AboutSection(val heading: String, val body: String, val link: SourceLink? = null)

/** What the About screen says: what the app is and the licences of its code and its guidance. iOS mirrors this text. */
object About {
    const val TITLE = "About this app"

    val sections: List<AboutSection> = listOf(
        AboutSection(
            "Safeguarding guide",
            "Offline safeguarding guidance for UK health and care staff. It is guidance, not legal advice: " +
                "follow your organisation's procedures and ask your safeguarding lead when unsure.",
        ),
        AboutSection(
            "App code",
            "The app's source code is licensed under the Mozilla Public License 2.0 (MPL-2.0).",
            SourceLink("Mozilla Public License 2.0", "https://www.mozilla.org/en-US/MPL/2.0/"),
        ),
        AboutSection(
            "Guidance text",
            "The guidance text is licensed under the Creative Commons Attribution 4.0 International licence " +
                "(CC BY 4.0). NHS trusts and other organisations may copy and adapt it for their own staff, " +
                "provided they credit this guide and say what they changed.",
            SourceLink("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        ),
        AboutSection(
            "Public-sector information",
            "The guidance draws on public-sector information, including material from GOV.UK and " +
                "legislation.gov.uk. Contains public sector information licensed under the Open Government " +
                "Licence v3.0.",
            SourceLink(
                "Open Government Licence v3.0",
                "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            ),
        ),
    )
}
