import DemoData
import Foundation
import GRDB
import Storage
import Testing
import Trials

/// The store contract, run against SQLite and PostgreSQL alike.
@Suite("Store")
struct StoreTests {
    @Test("PostgreSQL is part of the suite under CI")
    func postgresConfiguredUnderCI() {
        if TestDatabases.isCI {
            #expect(TestDatabases.postgresURL != nil, "CI must run the store suite on PostgreSQL too")
        }
    }

    @Test("migrations apply once and record their versions", arguments: TestDatabases.kinds)
    func migrations(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.appliedMigrations() == [1, 2, 3])
            #expect(try await store.count() == 0)
        }
    }

    @Test("a corrupted JSON-lines file imports its good records and names each bad one", arguments: TestDatabases.kinds)
    func corruptedJSONLines(kind: StoreKind) async throws {
        for file in ["corrupted-v2.jsonl", "corrupted-v2-gzip.jsonl.gz"] {
            try await TestDatabases.withStore(kind) { store in
                let path = Fixtures.path(file)
                let report = try await TrialImporter(store: store).importFiles([path])
                #expect(report.imported == 3)
                #expect(report.rejected == 4)
                let byLine = Dictionary(uniqueKeysWithValues: report.rejections.map { ($0.position.number, $0) })
                #expect(byLine[2]?.error == RecordError(field: "json", reason: "malformed JSON"))
                #expect(byLine[2]?.nctId == "NCT00203242")
                #expect(byLine[3]?.error.field == "protocolSection.identificationModule.nctId")
                #expect(byLine[5]?.error.field == "protocolSection.designModule.enrollmentInfo.count")
                #expect(byLine[5]?.nctId == "NCT00184587")
                #expect(byLine[6]?.error.field == "protocolSection.statusModule.startDateStruct.date")
                #expect(byLine[6]?.error.reason.contains("impossible date") == true)
                #expect(report.rejections.allSatisfy { $0.file == path && $0.position.kind == .line })
                // Nothing of a rejected record was written.
                #expect(try await store.count() == 3)
                for id in ["NCT00203242", "NCT00184587", "NCT00203190"] {
                    #expect(try await store.trial(id) == nil)
                }
                #expect(try await store.trial("NCT00069082")?.briefTitle.isEmpty == false)
            }
        }
    }

    @Test("a corrupted XML file imports its good records and names each bad one", arguments: TestDatabases.kinds)
    func corruptedXML(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let report = try await TrialImporter(store: store).importFiles([Fixtures.path("corrupted-xml.jsonl")])
            #expect(report.imported == 2)
            #expect(report.rejected == 2)
            let impossible = try #require(report.rejections.first { $0.position.number == 2 })
            #expect(impossible.nctId == "NCT00000105")
            #expect(impossible.error.field == "start_date")
            #expect(impossible.error.reason == "impossible date \"February 30, 2004\"")
            let malformed = try #require(report.rejections.first { $0.position.number == 3 })
            #expect(malformed.error.field == "xml")
            #expect(malformed.nctId == "NCT00000106")
            #expect(try await store.count() == 2)
            let trial = try #require(try await store.trial("NCT00000102"))
            #expect(trial.sourceFormat == .ctgovXML)
            #expect(trial.eligibility.minimumAge == AgeLimit(value: 14, unit: .years))
            #expect(trial.phases == [.phase1, .phase2])
            // The raw document kept is the XML itself.
            let raw = try #require(try await store.rawDocument("NCT00000102"))
            #expect(String(decoding: raw, as: UTF8.self).hasPrefix("<clinical_study>"))
        }
    }

    @Test("pages, arrays and single XML documents import", arguments: TestDatabases.kinds)
    func documentShapes(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let report = try await TrialImporter(store: store).importFiles(
                ["page.json", "array.json", "single-study.xml"].map(Fixtures.path))
            #expect(report.summary == "imported 6, updated 0, unchanged 0, rejected 0")
            for id in ["NCT00353704", "NCT00356603", "NCT00399243", "NCT00405041", "NCT00410098", "NCT00000114"] {
                #expect(try await store.trial(id) != nil, "\(id) missing")
            }
        }
    }

    @Test("a missing file is one rejection and the other files import", arguments: TestDatabases.kinds)
    func missingFile(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let report = try await TrialImporter(store: store).importFiles(["/nonexistent/studies.jsonl", Fixtures.path("array.json")])
            #expect(report.imported == 2)
            #expect(report.rejections.map(\.error) == [RecordError(field: "file", reason: "no such file")])
        }
    }

    @Test("a newer version replaces the old one and the history records status and site changes", arguments: TestDatabases.kinds)
    func historyOfChanges(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let importer = TrialImporter(store: store)
            let first = try await importer.importFiles([Fixtures.path("history-v1.json")])
            #expect(first.imported == 1)
            let second = try await importer.importFiles([Fixtures.path("history-v2.json")])
            #expect(second.updated == 1)
            // The older version does not come back.
            let third = try await importer.importFiles([Fixtures.path("history-v1.json")])
            #expect(third.unchanged == 1)
            let trial = try #require(try await store.trial("NCT03390920"))
            #expect(trial.overallStatus == .recruiting)
            #expect(trial.locations.count == 2)
            let history = try await store.history("NCT03390920")
            #expect(history.map(\.change.kind) == [.created, .statusChanged, .siteAdded])
            #expect(history[1].change.oldValue == "NOT_YET_RECRUITING")
            #expect(history[1].change.newValue == "RECRUITING")
            #expect(history[1].lastUpdatePosted == "2099-01-15")
            #expect(history[2].change.site?.contains("CHUM") == true)
            #expect(history.map(\.sequence) == history.map(\.sequence).sorted())
            let changes = try await store.changes(after: history[0].sequence, limit: 10)
            #expect(changes.map(\.change.kind) == [.statusChanged, .siteAdded])
            let stats = try await store.stats()
            #expect(stats.byCountry["Canada"] == 1)
        }
    }

    @Test("two versions of one trial in the same batch apply in order", arguments: TestDatabases.kinds)
    func versionsInOneBatch(kind: StoreKind) async throws {
        let v1 = try StudySources.jsonDocument(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("history-v1.json"))), file: "v1")[0].get()
        let v2 = try StudySources.jsonDocument(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("history-v2.json"))), file: "v2")[0].get()
        try await TestDatabases.withStore(kind) { store in
            let outcomes = try await store.upsert([v2, v1, v2], at: Date())
            #expect(outcomes == [.inserted, .unchanged, .unchanged])
        }
        try await TestDatabases.withStore(kind) { store in
            let outcomes = try await store.upsert([v1, v2], at: Date())
            #expect(outcomes == [.inserted, .updated])
            #expect(try await store.trial(v1.trial.nctId)?.overallStatus == .recruiting)
            #expect(try await store.history(v1.trial.nctId).count == 3)
            #expect(try await store.stats().sites == 2)
        }
    }

    @Test("a batch that fails in the database leaves nothing of itself behind")
    func failedBatchIsAtomic() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("atomic.sqlite").path
        let store = try SQLiteTrialStore(path: path)
        try await store.migrate()
        _ = try await TrialImporter(store: store).importFiles([Fixtures.path("array.json")])
        // Break the last table the batch writes to, so the failure comes after the trials and sites were written.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "DROP TABLE trial_history") }
        try queue.close()
        await #expect(throws: (any Error).self) {
            _ = try await TrialImporter(store: store).importFiles([Fixtures.path("page.json")])
        }
        #expect(try await store.count() == 2)
        #expect(try await store.stats().sites == RecordCounts.sites(in: Fixtures.path("array.json")))
        try await store.close()
    }

    @Test("the demo data imports without rejections, re-imports unchanged, and reads back equal", arguments: TestDatabases.kinds)
    func demoData(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let files = DemoData.studyFiles.map(\.path)
            let first = try await TrialImporter(store: store).importFiles(files)
            #expect(first.rejected == 0, "\(first.rejections)")
            #expect(first.imported == 569 + 460)
            let again = try await TrialImporter(store: store).importFiles(files)
            #expect(again.summary == "imported 0, updated 0, unchanged \(569 + 460), rejected 0")
            // What is stored reads back as what was parsed.
            let parsed = try StudySources.jsonDocument(
                Data(contentsOf: URL(fileURLWithPath: Fixtures.path("array.json"))), file: "array")
            for result in parsed {
                let record = try result.get()
                #expect(try await store.trial(record.trial.nctId) == record.trial)
            }
            let all = try await store.allTrials()
            #expect(all.count == 1029)
            #expect(all.map(\.nctId) == all.map(\.nctId).sorted())
        }
    }
}

/// SQLite and PostgreSQL hold the same data and answer identically.
@Suite("Store parity", .enabled(if: TestDatabases.postgresURL != nil))
struct StoreParityTests {
    @Test("the bundled demo data gives identical stats and records on both databases")
    func demoParity() async throws {
        try await compareStores(DemoData.studyFiles.map(\.path), expectedTrials: 1029)
    }

    @Test(
        "all shared real studies: 7,354 trials, 0 rejected, re-import unchanged, identical stats",
        .enabled(if: Fixtures.sharedData != nil))
    func sharedDataParity() async throws {
        let shared = try #require(Fixtures.sharedData)
        let files = [
            shared.appendingPathComponent("ctgov/studies_v2.jsonl.gz").path,
            shared.appendingPathComponent("ctgov-xml/reesewang25_allpublicxml_subset.jsonl.gz").path,
        ]
        try await compareStores(files, expectedTrials: 7354)
    }

    func compareStores(_ files: [String], expectedTrials: Int) async throws {
        let sqlite = try await TestDatabases.withStore(.sqlite) { try await Self.load(files, into: $0) }
        let postgres = try await TestDatabases.withStore(.postgres) { try await Self.load(files, into: $0) }
        #expect(sqlite.stats.trials == expectedTrials)
        #expect(sqlite.report.rejected == 0)
        #expect(sqlite.again.unchanged == sqlite.report.total)
        #expect(postgres.again.unchanged == postgres.report.total)
        #expect(sqlite.stats == postgres.stats)
        #expect(sqlite.report == postgres.report)
        #expect(sqlite.trials == postgres.trials)
        #expect(sqlite.history == postgres.history)
    }

    struct Loaded {
        var report: ImportReport
        var again: ImportReport
        var stats: TrialStats
        var trials: [Trial]
        var history: [TrialChange]
    }

    static func load(_ files: [String], into store: any TrialStore) async throws -> Loaded {
        let report = try await TrialImporter(store: store).importFiles(files)
        let again = try await TrialImporter(store: store).importFiles(files)
        return Loaded(
            report: report, again: again, stats: try await store.stats(), trials: try await store.allTrials(),
            history: try await store.changes(after: 0, limit: 100_000).map(\.change))
    }
}

/// Independent counts from a fixture, to check what the store holds.
enum RecordCounts {
    static func sites(in path: String) throws -> Int {
        try StudySources.jsonDocument(Data(contentsOf: URL(fileURLWithPath: path)), file: path)
            .map { try $0.get().trial.locations.count }.reduce(0, +)
    }
}
