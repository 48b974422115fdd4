import Foundation
import Registry
import Storage
import Testing

/// The registry store contract, run against SQLite and PostgreSQL alike.
@Suite("Registry store")
struct RegistryStoreTests {
    static let cutoff = SyntheticRegistry.defaultCutoff
    static let cohort = SyntheticRegistry.generate(patients: 150, seed: 7, cutoff: cutoff)

    @Test("a synthetic cohort round-trips through the store unchanged", arguments: TestDatabases.kinds)
    func roundTrip(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            #expect(try await store.registryCounts().isEmpty)
            let time = Date(timeIntervalSince1970: 1_780_000_000)
            // Optional values (no temperature, no screen, an "unable" screen) must come back as they were.
            var cohort = Self.cohort
            cohort.toxicities[0].temperatureCelsius = nil
            cohort.toxicities[0].encephalopathy = nil
            cohort.toxicities[1].encephalopathy = .unableToPerform
            try await store.replaceRegistry(with: cohort, source: "synthetic", at: time)
            let stored = try await store.registryData()
            #expect(Self.sorted(stored) == Self.sorted(cohort))
            #expect(try await store.registryCounts() == RegistryCounts(cohort))
            #expect(stored.episodes.contains { $0.infusionDate == nil })
            let log = try await store.registryImports(limit: 5)
            #expect(log.count == 1)
            #expect(log.first?.source == "synthetic")
            #expect(log.first?.counts == RegistryCounts(cohort))
            // A second import replaces everything.
            let smaller = SyntheticRegistry.generate(patients: 20, seed: 8, cutoff: Self.cutoff)
            try await store.replaceRegistry(with: smaller, source: "second", at: time)
            #expect(Self.sorted(try await store.registryData()) == Self.sorted(smaller))
            #expect(try await store.registryImports(limit: 5).map(\.source) == ["second", "synthetic"])
        }
    }

    @Test("exported CSV imports back to the same registry", arguments: TestDatabases.kinds)
    func exportImport(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try RegistryDirectory.write(Self.cohort, to: directory)
            let report = try await RegistryImporter(store: store).importDirectory(directory, asOf: Self.cutoff)
            #expect(report.issues.isEmpty)
            #expect(report.written)
            #expect(report.accepted == RegistryCounts(Self.cohort))
            #expect(Self.sorted(try await store.registryData()) == Self.sorted(Self.cohort))
        }
    }

    @Test("a directory with a bad row writes nothing and names the row", arguments: TestDatabases.kinds)
    func atomicImport(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let before = SyntheticRegistry.generate(patients: 10, seed: 3, cutoff: Self.cutoff)
            try await store.replaceRegistry(with: before, source: "before", at: Date())
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try RegistryDirectory.write(Self.cohort, to: directory)
            let visits = (directory as NSString).appendingPathComponent("visits.csv")
            let text = try String(contentsOfFile: visits, encoding: .utf8) + "SYN-E000001,2019-02-30\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: visits))
            let report = try await RegistryImporter(store: store).importDirectory(directory, asOf: Self.cutoff)
            #expect(!report.written)
            let issue = try #require(report.issues.first)
            #expect(report.issues.count == 1)
            #expect(issue.table == .visits)
            #expect(issue.field == "date")
            #expect(issue.line == Self.cohort.visits.count + 2)
            // Nothing changed.
            #expect(Self.sorted(try await store.registryData()) == Self.sorted(before))
            #expect(try await store.registryImports(limit: 5).count == 1)
            // With keepValid the good rows are written.
            let kept = try await RegistryImporter(store: store).importDirectory(directory, asOf: Self.cutoff, keepValid: true)
            #expect(kept.written)
            #expect(try await store.registryCounts() == RegistryCounts(Self.cohort))
        }
    }

    @Test("a write the database refuses leaves the registry as it was", arguments: TestDatabases.kinds)
    func failedWriteRollsBack(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let before = SyntheticRegistry.generate(patients: 10, seed: 3, cutoff: Self.cutoff)
            try await store.replaceRegistry(with: before, source: "before", at: Date())
            var broken = Self.cohort
            // A cost for an episode that does not exist (the validator would reject it; the foreign key does too),
            // written after every other table.
            broken.costs.append(CostRecord(id: "C-X", episodeId: "E-MISSING", category: .other, amountCents: 1,
                                           date: Self.cutoff))
            await #expect(throws: (any Error).self) {
                try await store.replaceRegistry(with: broken, source: "broken", at: Date())
            }
            #expect(Self.sorted(try await store.registryData()) == Self.sorted(before))
            #expect(try await store.registryImports(limit: 5).map(\.source) == ["before"])
        }
    }

    static func sorted(_ data: RegistryData) -> RegistryData {
        var data = data
        data.patients.sort { $0.id < $1.id }
        data.episodes.sort { $0.id < $1.id }
        data.toxicities.sort { ($0.episodeId, $0.date) < ($1.episodeId, $1.date) }
        data.responses.sort { ($0.episodeId, $0.date) < ($1.episodeId, $1.date) }
        data.visits.sort { ($0.episodeId, $0.date) < ($1.episodeId, $1.date) }
        data.deaths.sort { $0.patientId < $1.patientId }
        data.costs.sort { $0.id < $1.id }
        return data
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
