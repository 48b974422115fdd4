import Alerts
import Foundation
import Search
import Testing
import Trials

/// Saved searches as patients, families and clinicians type them, in French and English, with the finder's filters,
/// places and radii; built from a fixed seed.
enum Searches {
    static let texts = [
        "", "lymphome", "lymphoma", "CAR-T lymphome", "leucémie aiguë", "acute myeloid leukemia", "myélome multiple",
        "multiple myeloma", "cancer du sein", "breast cancer", "thérapie génique", "gene therapy",
        "diabète de type 2", "type 2 diabetes", "insuffisance cardiaque", "heart failure", "cancer du poumon",
        "lung cancer", "lymphomme", "leucemie", "greffe de cellules souches", "stem cell transplant",
        "sclérose en plaques", "multiple sclerosis", "Alzheimer", "immunothérapie mélanome", "pembrolizumab",
        "COVID-19", "prostate cancer", "AVC", "asthme enfant", "DLBCL", "CD19", "drépanocytose",
        "sickle cell disease", "hémophilie", "cancer colorectal", "essai lymphome recrutement", "xyzzyq lymphome",
        "dépression", "obésité", "VIH", "hepatitis C", "cellules CAR-T myélome", "ALL", "insuffisance rénale chronique",
        "cancer de l'ovaire", "glioblastome", "arthrite rhumatoïde", "fibrose kystique",
    ]
    static let places = ["H2X", "Montréal", "Québec", "Toronto", "Sherbrooke", "K1H", "45.5,-73.6", "V6B", "Gatineau"]
    static let radii: [Double] = [10, 25, 50, 100, 250, 500, 1000]

    /// `count` saved searches cycling through the texts, each with random filters, age, place and radius.
    static func generate(count: Int, seed: UInt64 = 2026) -> [SavedSearch] {
        var random = SeededGenerator(state: seed)
        let cities = (try? Demo.index.search(SearchQuery(facets: [.city])).facets[.city]?.prefix(30).map(\.value)) ?? []
        var searches: [SavedSearch] = []
        for number in 0..<count {
            var parameters = SearchParameters(text: texts[number % texts.count])
            if Int.random(in: 0..<4, using: &random) == 0 {
                parameters.language = Bool.random(using: &random) ? .french : .english
            }
            if Int.random(in: 0..<2, using: &random) == 0 {
                parameters.filters[.status] = Bool.random(using: &random) ? ["RECRUITING"] : ["RECRUITING", "NOT_YET_RECRUITING"]
            }
            if Int.random(in: 0..<5, using: &random) == 0 { parameters.filters[.country] = ["Canada"] }
            if Int.random(in: 0..<8, using: &random) == 0 { parameters.filters[.province] = ["QC"] }
            if Int.random(in: 0..<8, using: &random) == 0, let city = cities.randomElement(using: &random) {
                parameters.filters[.city] = [city]
            }
            if Int.random(in: 0..<6, using: &random) == 0 {
                parameters.filters[.phase] = Bool.random(using: &random) ? ["PHASE1"] : ["PHASE2", "PHASE3"]
            }
            if Int.random(in: 0..<8, using: &random) == 0 { parameters.filters[.cgtType] = ["car-t"] }
            if Int.random(in: 0..<4, using: &random) == 0 {
                parameters.acceptsAge = [8, 17, 18, 45, 70, 85].randomElement(using: &random)!
            }
            if Int.random(in: 0..<2, using: &random) == 0 {
                parameters.place = places.randomElement(using: &random)!
                if Int.random(in: 0..<6, using: &random) != 0 { parameters.radiusKm = radii.randomElement(using: &random)! }
            }
            searches.append(
                SavedSearch(
                    id: String(format: "s%04d", number), subscriberId: "u\(number % 97)", email: "u\(number % 97)@example.org",
                    parameters: parameters, language: number % 3 == 0 ? .english : .french,
                    frequency: SavedSearch.Frequency.allCases[number % 3]))
        }
        return searches
    }
}

@Suite struct PercolatorAgreementTests {
    /// The contract: over every demo trial and 400 saved searches, the percolator names exactly the searches whose
    /// finder results contain the trial without the partial-match fallback.
    @Test func agreesWithTheFinderOnEveryDemoTrial() throws {
        let searches = Searches.generate(count: 400)
        let percolator = Percolator(index: Demo.index, searches: searches)
        #expect(percolator.rejected.isEmpty)
        #expect(percolator.count == searches.count)

        var expected: [String: Set<SavedSearch.ID>] = [:]
        var partial = 0
        var searchesWithHits = 0
        for search in searches {
            let finder = try Demo.finderMatches(search.parameters)
            if finder.partial { partial += 1 }
            if !finder.ids.isEmpty { searchesWithHits += 1 }
            for nctId in finder.ids { expected[nctId, default: []].insert(search.id) }
        }
        // The property is not vacuous: most searches find trials, and some fall back to partial matching.
        #expect(searchesWithHits > searches.count / 2)
        #expect(partial > 0)

        var mismatches: [String] = []
        var total = 0
        for trial in Demo.trials {
            let analysed = PercolationTrial(trial, index: Demo.index)
            let found = percolator.matches(analysed)
            #expect(found.count == Set(found).count, "duplicates for \(trial.nctId)")
            total += found.count
            let want = expected[trial.nctId] ?? []
            if Set(found) != want {
                let extra = Set(found).subtracting(want).sorted().prefix(3)
                let missing = want.subtracting(found).sorted().prefix(3)
                mismatches.append("\(trial.nctId): extra \(Array(extra)), missing \(Array(missing))")
            }
            #expect(Set(percolator.matchesVerifyingEveryQuery(analysed)) == Set(found))
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) trials disagree: \(mismatches.prefix(10))")
        #expect(total == expected.values.reduce(0) { $0 + $1.count })
        #expect(total > 1000)
    }

    @Test func rejectsWhatTheFinderRefuses() {
        let unknown = Cases.search("a", SearchParameters(text: "lymphome", place: "Nowhere-sur-Mer", radiusKm: 50))
        let noPlace = Cases.search("b", SearchParameters(text: "lymphome", radiusKm: 50))
        let percolator = Percolator(index: Demo.index, searches: [unknown, noPlace])
        #expect(percolator.rejected["a"] == .unknownPlace("Nowhere-sur-Mer"))
        #expect(percolator.rejected["b"] == .placeRequired)
        #expect(percolator.count == 0)
        #expect(throws: SearchError.placeRequired) { try Demo.index.search(noPlace.parameters.searchQuery()) }
    }

    @Test func identicalQueriesArePercolatedOnce() {
        let parameters = SearchParameters(
            text: "  lymphome   CAR-T ", filters: [.country: ["Canada", "United States"]], place: "H2X", radiusKm: 500)
        var reordered = SearchParameters(text: "lymphome CAR-T", place: "H2X", radiusKm: 500)
        reordered.filters[.country] = ["United States", "Canada"]
        #expect(parameters.canonicalForm == reordered.canonicalForm)
        #expect(parameters.stableHash == reordered.stableHash)
        // Case matters: "ALL" is a leukaemia, "all" a stop word.
        #expect(SearchParameters(text: "ALL").canonicalForm != SearchParameters(text: "all").canonicalForm)
        // FNV-1a 64 of the empty string (the published offset basis): no parameters, empty canonical form.
        #expect(SearchParameters().canonicalForm == "")
        #expect(SearchParameters().stableHash == 0xcbf2_9ce4_8422_2325)
        #expect(SearchParameters().stableHashHex == "cbf29ce484222325")

        let searches = [
            SavedSearch(id: "1", subscriberId: "u1", email: "u1@example.org", parameters: parameters),
            SavedSearch(id: "2", subscriberId: "u2", email: "u2@example.org", parameters: reordered),
        ]
        let percolator = Percolator(index: Demo.index, searches: searches)
        #expect(percolator.count == 2)
        #expect(percolator.distinctQueries == 1)
        let hits = (try? Demo.finderMatches(parameters).ids) ?? []
        #expect(!hits.isEmpty)
        for nctId in hits {
            #expect(Set(percolator.matches(trial: Demo.byId[nctId]!)) == ["1", "2"])
        }
    }

    /// Adding and removing searches one by one leaves the percolator answering as one built from the final set.
    @Test func incrementalAddAndRemoveMatchAFreshBuild() {
        let searches = Searches.generate(count: 160, seed: 7)
        var percolator = Percolator(index: Demo.index, searches: Array(searches.prefix(100)))
        for search in searches.dropFirst(100) { try! percolator.add(search) }
        var final: [SavedSearch.ID: SavedSearch] = Dictionary(uniqueKeysWithValues: searches.map { ($0.id, $0) })
        for search in searches where Int(search.id.dropFirst())! % 3 == 0 {
            let removed = percolator.remove(id: search.id)
            #expect(removed)
            final[search.id] = nil
        }
        let removedAbsent = percolator.remove(id: "absent")
        #expect(!removedAbsent)
        // Replacing a search by id: new parameters, same id.
        var replaced = searches[1]
        replaced.parameters = SearchParameters(text: "leucémie", place: "Québec", radiusKm: 300)
        try! percolator.add(replaced)
        final[replaced.id] = replaced
        // Removing then saving again the same parameters revives the dormant query.
        let revived = searches[3]
        try! percolator.add(revived)
        final[revived.id] = revived

        let fresh = Percolator(index: Demo.index, searches: Array(final.values))
        #expect(percolator.count == final.count)
        #expect(percolator.distinctQueries == fresh.distinctQueries)
        var matched = 0
        for trial in Demo.trials {
            let analysed = PercolationTrial(trial, index: Demo.index)
            let incremental = Set(percolator.matches(analysed))
            #expect(incremental == Set(fresh.matches(analysed)), "\(trial.nctId)")
            #expect(incremental.isSubset(of: Set(final.keys)))
            matched += incremental.count
        }
        #expect(matched > 0)
    }

    /// A word no indexed trial contains (a new product) still alerts when a new trial names it.
    @Test func aNewTrialCanMatchAWordTheIndexHasNeverSeen() {
        let search = Cases.search("new", SearchParameters(text: "zorblimab lymphome"))
        let percolator = Percolator(index: Demo.index, searches: [search])
        let lymphomas = (try? Demo.finderMatches(SearchParameters(text: "lymphome")).ids) ?? []
        let lymphoma = Demo.trials.first { lymphomas.contains($0.nctId) }!
        #expect(percolator.matches(trial: lymphoma).isEmpty)
        var named = lymphoma
        named.nctId = "NCT99999999"
        named.interventions.append(Intervention(type: .drug, name: "Zorblimab"))
        #expect(percolator.matches(trial: named) == ["new"])
    }
}
