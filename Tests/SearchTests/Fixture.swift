import Foundation
import Search
import Trials

/// The real data the tests run on: 428 ClinicalTrials.gov studies (Fixtures/studies.jsonl), the shipped lexicon
/// and geography tables (Sources/DemoData/Files), and an index of them all, built once.
enum Fixture {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// Sources/DemoData/Files, found from this file's real location (the test directory may be a symlink).
    static let dataFiles = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/DemoData/Files")

    static func text(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    static let trials: [Trial] = text(fixtures.appendingPathComponent("studies.jsonl"))
        .split(separator: "\n")
        .compactMap { try? CTGovJSON.trial(from: Data($0.utf8)) }

    static let lexiconText = text(dataFiles.appendingPathComponent("medical-lexicon.tsv"))
    static let lexicon: MedicalLexicon = (try? MedicalLexicon(tsv: lexiconText)) ?? MedicalLexicon()

    static let geography = Geography(
        postalAreasTSV: text(dataFiles.appendingPathComponent("canada_fsa_centroids.tsv")),
        placesTSV: text(dataFiles.appendingPathComponent("canada_places_pop1000.tsv")))

    static let index = TrialIndex(trials: trials, lexicon: lexicon, geography: geography)

    static func trial(_ nctId: String) -> Trial? { trials.first { $0.nctId == nctId } }
}
