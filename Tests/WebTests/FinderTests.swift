import Analytics
import DemoData
import Foundation
import Hummingbird
import HummingbirdTesting
import Search
import Storage
import Testing
import Trials

@testable import Web

/// One SQLite store holding the bundled demo data (1,029 real studies), imported once for the finder tests.
enum DemoStore {
    static let shared = Task<SQLiteTrialStore, any Error> {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-demo-\(UUID().uuidString).sqlite").path
        let store = try SQLiteTrialStore(path: path)
        try await store.migrate()
        _ = try await TrialImporter(store: store).importFiles(DemoData.studyFiles.map(\.path))
        return store
    }

    /// The index of the demo store, built once.
    static let finder = Task<Finder, any Error> {
        let (lexicon, geography) = try SearchSetup.resources()
        return try await Finder.build(store: try await shared.value, lexicon: lexicon, geography: geography)
    }

    static func withApp(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await shared.value
        let app = try await buildApplication(configuration: ServerConfiguration(), store: store, finder: try await finder.value)
        try await app.test(.router, test)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }
}

@Suite("Finder API and pages on the demo data", .serialized)
struct FinderTests {
    @Test("a French query finds English records, counts facets and names the nearest site")
    func frenchSearchNearMontreal() async throws {
        try await DemoStore.withApp { client in
            try await client.execute(uri: "/api/v1/trials?q=lymphome&near=H2X&radius_km=50&limit=10", method: .get) { response in
                #expect(response.status == .ok)
                let page = try DemoStore.json(response)
                let total = try #require(page["total"] as? Int)
                #expect(total >= 5)
                let hits = try #require(page["hits"] as? [[String: Any]])
                #expect(!hits.isEmpty)
                for hit in hits {
                    let nearest = try #require(hit["nearestSite"] as? [String: Any])
                    #expect(try #require(nearest["distanceKm"] as? Double) <= 50)
                    let text = ((hit["title"] as? String ?? "") + " " + ((hit["conditions"] as? [String]) ?? []).joined(separator: " ")).lowercased()
                    #expect(text.contains("lymphom") || text.contains("hodgkin") || text.contains("leuk"), "\(text)")
                }
                let facets = try #require(page["facets"] as? [[String: Any]])
                let status = try #require(facets.first { $0["facet"] as? String == "status" }?["values"] as? [[String: Any]])
                #expect(status.compactMap { $0["count"] as? Int }.reduce(0, +) == total, "each trial has one status")
                #expect(status.allSatisfy { ($0["label"] as? String)?.isEmpty == false })
            }
        }
    }

    @Test("a facet filter keeps the trials its count announced, and the other facets follow")
    func facetCountsMatchFilters() async throws {
        try await DemoStore.withApp { client in
            var announced = 0
            try await client.execute(uri: "/api/v1/trials?q=cancer&limit=1", method: .get) { response in
                let page = try DemoStore.json(response)
                let facets = try #require(page["facets"] as? [[String: Any]])
                let status = try #require(facets.first { $0["facet"] as? String == "status" }?["values"] as? [[String: Any]])
                let recruiting = try #require(status.first { $0["value"] as? String == "RECRUITING" })
                announced = try #require(recruiting["count"] as? Int)
            }
            #expect(announced > 0)
            try await client.execute(uri: "/api/v1/trials?q=cancer&status=RECRUITING&limit=1", method: .get) { response in
                let page = try DemoStore.json(response)
                #expect(page["total"] as? Int == announced)
            }
        }
    }

    @Test("cursor pages cover the result set once, in order")
    func cursorPaging() async throws {
        try await DemoStore.withApp { client in
            var seen: [String] = []
            var cursor: String?
            var total = 0
            repeat {
                let uri = "/api/v1/trials?q=leukemia&limit=7" + (cursor.map { "&cursor=\(FormQuery.encode($0))" } ?? "")
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    let page = try DemoStore.json(response)
                    total = page["total"] as? Int ?? 0
                    seen += (page["hits"] as? [[String: Any]] ?? []).compactMap { $0["nctId"] as? String }
                    cursor = page["nextCursor"] as? String
                }
            } while cursor != nil && seen.count < 2_000
            #expect(total > 7)
            #expect(seen.count == total)
            #expect(Set(seen).count == seen.count)
        }
    }

    @Test(
        "invalid parameters get 400 with an RFC 9457 problem naming the parameter",
        arguments: [
            ("/api/v1/trials?radius_km=abc&near=H2X", "radius_km"), ("/api/v1/trials?status=FOO", "status"),
            ("/api/v1/trials?limit=0", "limit"), ("/api/v1/trials?limit=1000", "limit"),
            ("/api/v1/trials?near=Atlantis%20City", "near"), ("/api/v1/trials?radius_km=20", "radius_km"),
            ("/api/v1/trials?age=-3", "age"), ("/api/v1/trials?age=old", "age"), ("/api/v1/trials?cursor=zzz", "cursor"),
            ("/api/v1/trials?sort=best", "sort"), ("/api/v1/trials?region=19", "region"),
            ("/api/v1/trials?format=pdf", "format"), ("/api/v1/trials/NCT123", "nct"),
            ("/api/v1/trials/NCT00004228?format=xml", "format"), ("/api/v1/portrait?scope=mars", "scope"),
            ("/api/v1/trials?healthy_volunteers=maybe", "healthy_volunteers"),
        ])
    func problems(uri: String, parameter: String) async throws {
        try await DemoStore.withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                let problem = try DemoStore.json(response)
                #expect(problem["status"] as? Int == 400)
                #expect(problem["parameter"] as? String == parameter, "\(problem)")
                #expect((problem["detail"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test("a trial as JSON and as a FHIR R4 ResearchStudy; an unknown trial is 404")
    func trialRecord() async throws {
        let store = try await DemoStore.shared.value
        let trial = try #require(try await store.trial("NCT04728893"))
        try await DemoStore.withApp { client in
            try await client.execute(uri: "/api/v1/trials/NCT04728893?lang=en", method: .get) { response in
                #expect(response.status == .ok)
                let record = try DemoStore.json(response)
                #expect(record["title"] as? String == trial.briefTitle)
                #expect((record["sites"] as? [[String: Any]])?.count == trial.locations.count)
                let montreal = (record["sites"] as? [[String: Any]] ?? []).filter { $0["healthRegion"] as? String == "06" }
                #expect(!montreal.isEmpty, "a Montréal site is placed in RSS 06")
                let eligibility = try #require(record["eligibility"] as? [String: Any])
                #expect((eligibility["inclusion"] as? [String])?.isEmpty == false)
                #expect((eligibility["exclusion"] as? [String])?.isEmpty == false)
            }
            try await client.execute(uri: "/api/v1/trials/NCT04728893?format=fhir", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/fhir+json") == true)
                let study = try DemoStore.json(response)
                #expect(study["resourceType"] as? String == "ResearchStudy")
                #expect(study["id"] as? String == "NCT04728893")
                #expect(study["status"] as? String == FHIRResearchStudy.status(trial.overallStatus))
                let identifier = try #require((study["identifier"] as? [[String: Any]])?.first)
                #expect(identifier["value"] as? String == "NCT04728893")
                #expect((study["site"] as? [[String: Any]])?.count == trial.locations.count)
            }
            try await client.execute(uri: "/api/v1/trials/NCT99999999", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            }
        }
    }

    @Test("CSV export holds the whole result set, one parseable row per trial")
    func csvExport() async throws {
        try await DemoStore.withApp { client in
            var total = 0
            try await client.execute(uri: "/api/v1/trials?q=leukemia&limit=3", method: .get) { response in
                total = try DemoStore.json(response)["total"] as? Int ?? 0
            }
            try await client.execute(uri: "/api/v1/trials?q=leukemia&format=csv&lang=en", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                let table = try CSVTable(parsing: String(buffer: response.body))
                #expect(table.header.first == "nct_id")
                #expect(table.rows.count == total)
                #expect(try Set(table.strings("nct_id")).count == total)
            }
        }
    }

    @Test("the portrait counts the trials of its scope")
    func portrait() async throws {
        let store = try await DemoStore.shared.value
        let trials = try await store.allTrials()
        let (_, geography) = try SearchSetup.resources()
        let inQuebec = trials.filter { trial in trial.locations.contains { geography.place(of: $0).province == .quebec } }
        try await DemoStore.withApp { client in
            try await client.execute(uri: "/api/v1/portrait", method: .get) { response in
                let portrait = try DemoStore.json(response)
                #expect(portrait["trials"] as? Int == inQuebec.count)
                #expect(portrait["recruiting"] as? Int == inQuebec.filter { $0.overallStatus.isOpen }.count)
            }
            try await client.execute(uri: "/api/v1/portrait?scope=all", method: .get) { response in
                let portrait = try DemoStore.json(response)
                #expect(portrait["trials"] as? Int == trials.count)
            }
            try await client.execute(uri: "/portrait?lang=en", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(html.contains("<html lang=\"en\">"))
                #expect(html.components(separatedBy: "<svg").count - 1 >= 2)
                #expect(html.contains("<table><caption>"))
            }
        }
    }

    @Test("the OpenAPI document is served as written, and the generated code was made from it")
    func openAPIDocument() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let specification = try Data(contentsOf: root.appendingPathComponent("Sources/API/openapi.yaml"))
        let recorded = try String(contentsOf: root.appendingPathComponent("Sources/API/Generated/openapi.sha256"), encoding: .utf8)
        let sha = Process()
        sha.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha.arguments = [root.appendingPathComponent("Sources/API/openapi.yaml").path]
        let output = Pipe()
        sha.standardOutput = output
        try sha.run()
        sha.waitUntilExit()
        let digest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(recorded.trimmed == String(digest), "run scripts/generate-api after editing openapi.yaml")
        try await DemoStore.withApp { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Data(buffer: response.body) == specification)
            }
        }
    }

    @Test("the search page: French by default, results, facets as links, EN switch keeps the query, bad input is 400")
    func searchPage() async throws {
        try await DemoStore.withApp { client in
            try await client.execute(uri: "/search?q=lymphome&near=H2X&radius_km=50", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("<html lang=\"fr\">"))
                #expect(html.contains("data-nct=\"NCT"))
                #expect(html.contains("id=\"facet-status\""))
                #expect(html.contains("href=\"/search?q=lymphome&amp;near=H2X&amp;radius_km=50&amp;lang=en\""))
                #expect(html.contains("km</strong>"))
                #expect(!html.contains("<p class=\"meta\">🧬 </p>"), "no empty CGT line")
            }
            var french = ""
            try await client.execute(uri: "/search?q=lymphome+CAR-T&near=H2X", method: .get) { response in
                french = String(buffer: response.body).firstMatch(of: /data-total="([0-9]+)"/).map { String($0.1) } ?? ""
            }
            try await client.execute(uri: "/search?q=lymphome+CAR-T&near=H2X&lang=en", method: .get) { response in
                let english = String(buffer: response.body).firstMatch(of: /data-total="([0-9]+)"/).map { String($0.1) } ?? "?"
                #expect(english == french, "the interface language does not change how the query is read")
            }
            try await client.execute(uri: "/search?q=lymphome&age=deux", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("id=\"search-error\""))
            }
            try await client.execute(uri: "/search?q=lymphome+CAR-T&near=H2X&radius_km=100", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("data-total=\"0\""))
                #expect(html.contains("id=\"wider-link\""), "nothing within 100 km: offer the trials further away")
            }
        }
    }

    @Test("trial pages: patient view in plain words, professional view with criteria and every site")
    func trialPages() async throws {
        try await DemoStore.withApp { client in
            try await client.execute(uri: "/trials/NCT04728893", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(html.contains("id=\"patient-view\""))
                #expect(html.contains("Questions à poser à votre médecin"))
            }
            try await client.execute(uri: "/trials/NCT04728893?view=pro&lang=en", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("id=\"professional-view\""))
                #expect(html.contains("id=\"inclusion\""))
                #expect(html.contains("id=\"exclusion\""))
                #expect(html.contains("Montreal") || html.contains("Montréal"))
            }
            try await client.execute(uri: "/trials/NCT00000000", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

@Suite("Finder index follows the store")
struct FinderRefreshTests {
    @Test("trials imported after the index was built become searchable at the next refresh; replaced ones change")
    func refreshPicksUpImports() async throws {
        let changing = try await ChangingStore.make()
        let finder = try await changing.finder()
        let last = changing.last
        #expect(try !finder.search(SearchQuery(text: last.briefTitle, pageSize: 10)).results.hits.contains { $0.nctId == last.nctId })
        #expect(finder.snapshot.index.count == changing.lines.count - 1)

        try await changing.importLast()
        #expect(try await finder.refresh() == 1)
        #expect(finder.snapshot.index.count == changing.lines.count)
        let found = try finder.search(SearchQuery(text: last.briefTitle, pageSize: 10))
        #expect(found.results.hits.contains { $0.nctId == last.nctId })
        #expect(found.summaries.contains { $0.nctId == last.nctId && $0.title == last.briefTitle })
        #expect(try await finder.refresh() == 0, "nothing new")
        try await changing.close()
    }
}

@Suite("Relevance on the bundled demo data")
struct DemoRelevanceTests {
    /// Fixtures/demo-relevance.tsv: real queries (French, English, misspelt) with a relevance rule written by hand
    /// and applied to the records themselves, so the judgement covers every bundled study, not a sample.
    @Test func relevantTrialsFillTheTopTen() async throws {
        let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        let lines = try String(contentsOf: fixtures.appendingPathComponent("demo-relevance.tsv"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count >= 20)
        let store = try await DemoStore.shared.value
        let trials = try await store.allTrials()
        let texts = Dictionary(uniqueKeysWithValues: trials.map { trial in
            (trial.nctId, ([trial.briefTitle, trial.officialTitle ?? ""] + trial.conditions + trial.interventions.map(\.name))
                .joined(separator: " | "))
        })
        let finder = try await DemoStore.finder.value
        for line in lines {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let rule = try NSRegularExpression(pattern: columns[3], options: [.caseInsensitive])
            let relevant = Set(texts.filter { _, text in
                rule.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }.keys)
            let minimum = columns[2] == "all" ? min(10, relevant.count) : Int(columns[2]) ?? 10
            #expect(relevant.count >= minimum, "\(columns[0]): the rule finds only \(relevant.count) trials")
            let top = try finder.search(SearchQuery(text: columns[0], language: Search.Language(rawValue: columns[1]), pageSize: 10))
                .results.hits.map(\.nctId)
            let found = top.filter(relevant.contains)
            #expect(found.count >= minimum, "\(columns[0]) — \(columns[4]): \(found.count) relevant of \(top)")
        }
    }
}
