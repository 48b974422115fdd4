import Foundation
import Search
import Testing

/// One line of Fixtures/relevance.tsv.
struct RelevanceCase: CustomTestStringConvertible, Sendable {
    var query: String
    var language: Language?
    /// `nil` for "top10" (every id in the first ten hits), else the least number of relevant hits in the first ten.
    var minimumRelevant: Int?
    var ids: [String]
    var reason: String

    var testDescription: String { "\"\(query)\"" }

    static let all: [RelevanceCase] = Fixture.text(Fixture.fixtures.appendingPathComponent("relevance.tsv"))
        .split(separator: "\n")
        .filter { !$0.hasPrefix("#") }
        .map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return RelevanceCase(
                query: columns[0], language: Language(rawValue: columns[1]),
                minimumRelevant: columns[2].hasPrefix("precision:") ? Int(columns[2].dropFirst(10)) : nil,
                ids: columns[3].split(separator: ",").map(String.init), reason: columns[4])
        }
}

@Suite struct RelevanceTests {
    @Test func thereAreAtLeastTwentyRealQueries() {
        #expect(RelevanceCase.all.count >= 20)
        #expect(RelevanceCase.all.allSatisfy { !$0.ids.isEmpty && !$0.reason.isEmpty })
    }

    @Test(arguments: RelevanceCase.all)
    func expectedTrialsRankInTheTopTen(_ check: RelevanceCase) throws {
        let results = try Fixture.index.search(SearchQuery(text: check.query, language: check.language, pageSize: 10))
        let top = results.hits.map(\.nctId)
        if let minimum = check.minimumRelevant {
            let relevant = top.filter(check.ids.contains).count
            #expect(relevant >= minimum, "\(check.reason); top 10: \(top)")
        } else {
            let missing = check.ids.filter { !top.contains($0) }
            #expect(missing.isEmpty, "\(check.reason); missing \(missing); top 10: \(top)")
        }
    }

    @Test func everyTrialIsFoundByItsOwnTitle() throws {
        var missed: [String] = []
        for trial in Fixture.trials {
            let hits = try Fixture.index.search(SearchQuery(text: trial.briefTitle, pageSize: 10)).hits
            if !hits.contains(where: { $0.nctId == trial.nctId && $0.matchedFields.contains(.title) }) {
                missed.append(trial.nctId)
            }
        }
        #expect(missed.isEmpty)
    }

    @Test func misspellingsAreCorrected() throws {
        let results = try Fixture.index.search(SearchQuery(text: "lymphomme"))
        #expect(results.total > 10)
        #expect(results.interpretation.first?.contains("lymphoma") == true)
        let english = try Fixture.index.search(SearchQuery(text: "leukaemai", language: .english))
        #expect(english.total > 10)
    }

    @Test func hitsSayWhereTheyMatched() throws {
        let results = try Fixture.index.search(SearchQuery(text: "myeloma", pageSize: 3))
        let first = try #require(results.hits.first)
        #expect(first.matchedFields.contains(.title) || first.matchedFields.contains(.conditions))
        #expect(first.matchedTerms.contains("myeloma"))
        #expect(first.score > 0)
    }
}
