import DemoData
import Foundation
import Search

/// The bundled resources the in-memory search index is built with. The index is built from the store's trials, so
/// both databases give the same ranking.
public enum SearchSetup {
    /// The bundled lexicon and geography, read once.
    public static func resources() throws -> (lexicon: MedicalLexicon, geography: Geography) {
        let lexicon = try MedicalLexicon(tsv: String(contentsOf: DemoData.lexicon, encoding: .utf8))
        let geography = Geography(
            postalAreasTSV: try String(contentsOf: DemoData.postalAreas, encoding: .utf8),
            placesTSV: try String(contentsOf: DemoData.places, encoding: .utf8))
        return (lexicon, geography)
    }
}
