import Foundation
import Search
import Testing
import Trials

@Suite struct FacetTests {
    let index = Fixture.index
    let trials = Fixture.trials

    func counts(_ facet: Facet, _ results: SearchResults) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: (results.facets[facet] ?? []).map { ($0.value, $0.count) })
    }

    @Test func everyTrialIsIndexed() {
        #expect(trials.count >= 400)
        #expect(index.count == trials.count)
    }

    @Test func facetCountsApplyEveryFilterButTheirOwn() throws {
        let recruiting: Set<String> = ["RECRUITING", "NOT_YET_RECRUITING"]
        let query = SearchQuery(filters: [.status: recruiting, .country: ["Canada"]])
        let results = try index.search(query)

        let open = trials.filter { recruiting.contains($0.overallStatus.rawValue) }
        let canadian = trials.filter { $0.countries.contains("Canada") }
        let both = open.filter { $0.countries.contains("Canada") }
        #expect(results.total == both.count)
        #expect(both.count > 0)

        let statusCounts = Dictionary(grouping: canadian, by: \.overallStatus.rawValue).mapValues(\.count)
        #expect(counts(.status, results) == statusCounts)
        var countryCounts: [String: Int] = [:]
        for trial in open { for country in Set(trial.locations.compactMap(\.country).map(Country.canonical)) { countryCounts[country, default: 0] += 1 } }
        #expect(counts(.country, results) == countryCounts)
        var phaseCounts: [String: Int] = [:]
        for trial in both { for phase in Set(trial.phases) { phaseCounts[phase.rawValue, default: 0] += 1 } }
        #expect(counts(.phase, results) == phaseCounts)
        #expect(results.facets[.status]?.filter(\.selected).map(\.value).sorted() == recruiting.sorted())
    }

    @Test func facetsFollowTheTextQuery() throws {
        let results = try index.search(SearchQuery(text: "CAR-T", filters: [.cgtType: ["car-t"]]))
        let cgt = counts(.cgtType, results)
        #expect(cgt["car-t"] == results.total)
        #expect(results.total >= 9)
        #expect((cgt["not-cgt"] ?? 0) < results.total)
    }

    @Test func ageFilterUsesEligibilityLimits() throws {
        let results = try index.search(SearchQuery(acceptsAge: 8))
        #expect(results.total == trials.filter { $0.eligibility.accepts(ageInYears: 8) }.count)
        let children = try index.search(SearchQuery(filters: [.ageGroup: ["CHILD"]]))
        #expect(children.total == trials.filter { $0.eligibility.ageGroups.contains(.child) }.count)
    }

    @Test func canadianSitesGetProvincesAndQuebecRegions() throws {
        let results = try index.search(SearchQuery(filters: [.country: ["Canada"]]))
        let provinces = counts(.province, results)
        #expect((provinces["QC"] ?? 0) > 0)
        #expect((provinces["ON"] ?? 0) > 0)
        let regions = counts(.healthRegion, results)
        #expect((regions["06"] ?? 0) > 0)
        let montreal = try index.search(SearchQuery(filters: [.healthRegion: ["06"]]))
        #expect(montreal.total == regions["06"])
        #expect(counts(.city, montreal).keys.contains { $0.hasPrefix("Montr") })
    }
}

@Suite struct DistanceTests {
    let index = Fixture.index
    let geography = Fixture.geography

    /// Whether a trial has a site within `radius` km of `origin`, computed from the records.
    func hasSite(_ trial: Trial, within radius: Double, of origin: GeoPoint) -> Bool {
        trial.locations.contains { location in
            geography.place(of: location).point.map { Geography.kilometres($0, origin) <= radius } ?? false
        }
    }

    @Test func radiusAroundH2XKeepsMontrealAndDropsToronto() throws {
        let origin = try #require(geography.resolve("H2X"))
        let results = try index.search(SearchQuery(place: "H2X", radiusKm: 50, pageSize: 100))
        let expected = Fixture.trials.filter { hasSite($0, within: 50, of: origin) }
        #expect(results.total == expected.count)
        #expect(results.total > 10)
        #expect(results.hits.allSatisfy { ($0.nearestSite?.distanceKm ?? .infinity) <= 50 })
        let torontoOnly = Fixture.trials.filter { trial in
            trial.locations.contains { $0.city == "Toronto" } && !hasSite(trial, within: 50, of: origin)
        }
        #expect(!torontoOnly.isEmpty)
        let found = Set(results.hits.map(\.nctId))
        #expect(torontoOnly.allSatisfy { !found.contains($0.nctId) })
        #expect(results.hits.contains { $0.nearestSite?.city?.hasPrefix("Montr") == true })
    }

    @Test func distanceSortIsAscendingAndNamesTheSite() throws {
        let results = try index.search(SearchQuery(text: "leucémie", place: "Montréal", sort: .distance, pageSize: 30))
        let distances = results.hits.compactMap { $0.nearestSite?.distanceKm }
        #expect(distances.count > 5)
        #expect(distances == distances.sorted())
        let first = try #require(results.hits.first)
        let trial = try #require(Fixture.trial(first.nctId))
        let site = try #require(first.nearestSite)
        #expect(trial.locations[site.locationIndex].city != nil)
    }

    @Test func legacyRecordsWithoutGeoPointsAreLocatedByCity() throws {
        let legacy = Fixture.trials.filter {
            $0.sourceFormat == .ctgovXML && $0.locations.contains { $0.city == "Montreal" && $0.geo == nil }
        }
        #expect(!legacy.isEmpty)
        let results = try index.search(SearchQuery(place: "H2X", radiusKm: 25, pageSize: 100))
        let found = Set(results.hits.map(\.nctId))
        #expect(legacy.allSatisfy { found.contains($0.nctId) || results.total > 100 })
    }

    @Test func placeErrors() {
        #expect(throws: SearchError.unknownPlace("Atlantis")) { try index.search(SearchQuery(place: "Atlantis")) }
        #expect(throws: SearchError.placeRequired) { try index.search(SearchQuery(radiusKm: 10)) }
        #expect(throws: SearchError.placeRequired) { try index.search(SearchQuery(sort: .distance)) }
    }
}

@Suite struct PagingAndUpdateTests {
    @Test func cursorPagesAreStableAndComplete() throws {
        let index = Fixture.index
        for sort in [SearchQuery.Sort.relevance, .recent] {
            let all = try index.search(SearchQuery(text: "leucemie", sort: sort, pageSize: 100)).hits.map(\.nctId)
            var paged: [String] = []
            var cursor: String?
            repeat {
                let page = try index.search(SearchQuery(text: "leucemie", sort: sort, pageSize: 7, cursor: cursor))
                paged += page.hits.map(\.nctId)
                cursor = page.nextCursor
            } while cursor != nil && paged.count < 100
            #expect(Array(paged.prefix(all.count)) == all)
            #expect(Set(paged).count == paged.count)
        }
        #expect(throws: SearchError.invalidCursor("nonsense")) {
            try index.search(SearchQuery(text: "leucemie", cursor: "nonsense"))
        }
    }

    @Test func stopWordsAloneMeanNoTextAndUnknownWordsMatchNothing() throws {
        let index = Fixture.index
        let all = try index.search(SearchQuery(text: "le la les of the", pageSize: 5))
        #expect(all.total == index.count)
        let next = try index.search(SearchQuery(text: "le la les of the", pageSize: 5, cursor: all.nextCursor))
        #expect(next.hits.count == 5)
        #expect(Set(next.hits.map(\.nctId)).isDisjoint(with: all.hits.map(\.nctId)))
        #expect(try index.search(SearchQuery(text: "qwxzvbnm")).total == 0)
        let partly = try index.search(SearchQuery(text: "qwxzvbnm myeloma"))
        #expect(partly.total == (try index.search(SearchQuery(text: "myeloma"))).total)
    }

    @Test func genericTrialWordsDoNotRestrict() throws {
        let index = Fixture.index
        let plain = try index.search(SearchQuery(text: "lymphome", pageSize: 5))
        let wordy = try index.search(SearchQuery(text: "essai clinique en recrutement pour patients lymphome", pageSize: 5))
        #expect(wordy.total == plain.total)
        #expect(try index.search(SearchQuery(text: "essai clinique")).total > 0)
    }

    @Test func tiesAreBrokenByNCTId() throws {
        let hits = try Fixture.index.search(SearchQuery(text: "leucemie", pageSize: 100)).hits
        for (a, b) in zip(hits, hits.dropFirst()) where a.score == b.score {
            #expect(a.nctId < b.nctId)
        }
    }

    @Test func addReplacesAndRemoveForgets() throws {
        var index = Fixture.index
        var trial = try #require(Fixture.trial("NCT00002678"))
        trial.briefTitle = "Zorblaxine for myeloma"
        index.add(trial)
        #expect(index.count == Fixture.trials.count)
        #expect(try index.search(SearchQuery(text: "zorblaxine")).hits.map(\.nctId) == ["NCT00002678"])
        #expect(try Fixture.index.search(SearchQuery(text: "zorblaxine")).total == 0)

        trial.briefTitle = "Quixotamab for myeloma"
        index.add(trial)
        #expect(try index.search(SearchQuery(text: "zorblaxine")).total == 0)
        #expect(try index.search(SearchQuery(text: "quixotamab")).total == 1)

        let removed = index.remove(nctId: "NCT00002678")
        #expect(removed)
        #expect(try index.search(SearchQuery(text: "quixotamab")).total == 0)
        #expect(index.count == Fixture.trials.count - 1)
        #expect(!index.contains(nctId: "NCT00002678"))
    }

    @Test func benchmarkReportsLatencies() {
        let report = SearchBenchmark.run(
            trials: Array(Fixture.trials.prefix(100)), lexicon: Fixture.lexicon, geography: Fixture.geography,
            rounds: 1)
        #expect(report.trials == 100)
        #expect(report.queries == SearchBenchmark.standardQueries.count)
        #expect(report.p50Milliseconds <= report.p99Milliseconds)
        #expect(SearchBenchmark.replicate(Array(Fixture.trials.prefix(3)), to: 7).map(\.nctId).count == 7)
        #expect(Set(SearchBenchmark.replicate(Array(Fixture.trials.prefix(3)), to: 7).map(\.nctId)).count == 7)
    }
}
