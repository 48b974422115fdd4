import Alerts
import DemoData
import Foundation
import Search
import Storage
import Trials

/// The bundled real demo studies (1,029 records), the shipped lexicon and geography, and the finder's index over
/// them, built once.
enum Demo {
    /// The trials as the index keeps them: a later record with the same NCT id replaces an earlier one.
    static let trials = try! SourceFile.trials(DemoData.studyFiles)

    static let lexicon = try! MedicalLexicon(tsv: String(contentsOf: DemoData.lexicon, encoding: .utf8))
    static let geography = Geography(
        postalAreasTSV: try! String(contentsOf: DemoData.postalAreas, encoding: .utf8),
        placesTSV: try! String(contentsOf: DemoData.places, encoding: .utf8))
    static let index = TrialIndex(trials: trials, lexicon: lexicon, geography: geography)
    static let byId = Dictionary(uniqueKeysWithValues: trials.map { ($0.nctId, $0) })

    /// Every trial the finder returns for `parameters` when it matches all of the text's concepts; empty when it
    /// falls back to partial matching. Pages through all hits.
    static func finderMatches(_ parameters: SearchParameters) throws -> (ids: Set<String>, partial: Bool) {
        var ids: Set<String> = []
        var cursor: String?
        repeat {
            let results = try index.search(parameters.searchQuery(pageSize: 100, cursor: cursor))
            if results.isPartialTextMatch { return ([], true) }
            ids.formUnion(results.hits.map(\.nctId))
            cursor = results.nextCursor
        } while cursor != nil
        return (ids, false)
    }
}

/// A small deterministic generator (SplitMix64), so generated searches are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
