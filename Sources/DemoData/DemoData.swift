import Foundation

/// The real public data Passerelle ships, so a new installation shows real trials at once and can place sites
/// on a map without reading anything outside the product.
///
/// - `ctgov-studies-v2.jsonl.gz`: 569 ClinicalTrials.gov API v2 studies (see docs/DATA.md for provenance).
/// - `ctgov-xml-canada.jsonl.gz`: the 460 legacy AllPublicXML studies with a Canadian site.
/// - `canada_fsa_centroids.tsv`, `canada_places_pop1000.tsv`, `canada_sites_from_ctgov.tsv`: geography tables.
/// - `medical-lexicon.tsv`: French/English synonym groups for search.
public enum DemoData {
    /// The demo study files, in import order.
    public static var studyFiles: [URL] {
        ["ctgov-studies-v2.jsonl.gz", "ctgov-xml-canada.jsonl.gz"].map(resource)
    }

    /// Forward sortation areas (first three characters of a postal code) with centroids.
    public static var postalAreas: URL { resource("canada_fsa_centroids.tsv") }

    /// Canadian places with more than 1,000 inhabitants (GeoNames).
    public static var places: URL { resource("canada_places_pop1000.tsv") }

    /// The bilingual medical synonym lexicon used by the search engine (docs/SEARCH.md).
    public static var lexicon: URL { resource("medical-lexicon.tsv") }

    /// Canadian trial sites with ClinicalTrials.gov geo points.
    public static var sites: URL { resource("canada_sites_from_ctgov.tsv") }

    static func resource(_ name: String) -> URL {
        Bundle.module.url(forResource: "Files", withExtension: nil)!.appendingPathComponent(name)
    }
}
