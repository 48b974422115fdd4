import DemoData
import Foundation
import Search
import Storage
import Trials

/// Builds the in-memory search index from the store, with the bundled medical lexicon and Canadian geography.
/// Both databases give the same trials, so both give the same ranking.
public enum SearchSetup {
    /// The bundled lexicon and geography, read once.
    public static func resources() throws -> (lexicon: MedicalLexicon, geography: Geography) {
        let lexicon = try MedicalLexicon(tsv: String(contentsOf: DemoData.lexicon, encoding: .utf8))
        let geography = Geography(
            postalAreasTSV: try String(contentsOf: DemoData.postalAreas, encoding: .utf8),
            placesTSV: try String(contentsOf: DemoData.places, encoding: .utf8))
        return (lexicon, geography)
    }

    /// An index of every trial in the store.
    public static func index(from store: any TrialStore) async throws -> TrialIndex {
        let (lexicon, geography) = try resources()
        return TrialIndex(trials: try await store.allTrials(), lexicon: lexicon, geography: geography)
    }
}
