/// One name per country. ClinicalTrials.gov has spelled some countries differently over the years ("Korea, Republic
/// of" and "South Korea", "Russian Federation" and "Russia"), which would split facet counts and statistics.
public enum Country {
    static let aliases: [String: String] = [
        "Korea, Republic of": "South Korea",
        "Republic of Korea": "South Korea",
        "Korea, Democratic People's Republic of": "North Korea",
        "Russian Federation": "Russia",
        "Czech Republic": "Czechia",
        "Turkey (Türkiye)": "Turkey",
        "Türkiye": "Turkey",
        "Iran, Islamic Republic of": "Iran",
        "Taiwan, Province of China": "Taiwan",
        "Macedonia, The Former Yugoslav Republic of": "North Macedonia",
        "Former Yugoslav Republic of Macedonia": "North Macedonia",
        "Moldova, Republic of": "Moldova",
        "Viet Nam": "Vietnam",
        "Syrian Arab Republic": "Syria",
        "Tanzania, United Republic of": "Tanzania",
        "Libyan Arab Jamahiriya": "Libya",
        "Congo, The Democratic Republic of the": "Democratic Republic of the Congo",
        "Lao People's Democratic Republic": "Laos",
        "Hong Kong SAR": "Hong Kong",
        "United States of America": "United States",
        "USA": "United States",
        "UK": "United Kingdom",
    ]

    /// The canonical English short name for a country as ClinicalTrials.gov wrote it.
    public static func canonical(_ name: String) -> String {
        let trimmed = name.trimmed
        return aliases[trimmed] ?? trimmed
    }
}
