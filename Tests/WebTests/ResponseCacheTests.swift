import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Registry
import Search
import ServiceLifecycle
import Storage
import Testing
import Trials

@testable import Web

/// A scratch SQLite store holding the fixture studies but the last, which a test imports when it wants the index to
/// change.
struct ChangingStore {
    let store: SQLiteTrialStore
    let directory: URL
    let lines: [String]
    /// The study held back.
    let last: Trial

    static func make() async throws -> ChangingStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-changing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteTrialStore(path: directory.appendingPathComponent("store.sqlite").path)
        try await store.migrate()
        let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        let lines = try String(contentsOf: fixtures.appendingPathComponent("studies.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let first = directory.appendingPathComponent("first.jsonl")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(to: first, atomically: true, encoding: .utf8)
        _ = try await TrialImporter(store: store).importFiles([first.path])
        return ChangingStore(
            store: store, directory: directory, lines: lines, last: try CTGovJSON.trial(from: Data(lines.last!.utf8)))
    }

    /// Imports the held-back study.
    func importLast() async throws {
        let file = directory.appendingPathComponent("last.jsonl")
        try (lines.last! + "\n").write(to: file, atomically: true, encoding: .utf8)
        _ = try await TrialImporter(store: store).importFiles([file.path])
    }

    func finder(matching: MatchingMode = .eager) async throws -> Finder {
        let (lexicon, geography) = try SearchSetup.resources()
        return try await Finder.build(store: store, lexicon: lexicon, geography: geography, matching: matching)
    }

    /// The application's router without its background services: the index refreshes when a test says, never in
    /// between (a refresh service racing the test's own refresh would make the test's expectations timing-dependent).
    func application(finder: Finder, configuration: ServerConfiguration = ServerConfiguration()) async throws
        -> some ApplicationProtocol
    {
        let (router, _) = try await buildRouter(
            configuration: configuration, store: store, finder: finder, logger: Logger(label: "test"),
            registryToday: { CivilDate(utc: Date()) })
        return Application(router: router)
    }

    func close() async throws {
        try await store.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("Response cache of public search answers")
struct ResponseCacheTests {
    static let cacheHeader = HTTPField.Name("X-Passerelle-Cache")!

    @Test("a repeated search is answered from the cache with the same bytes, until an import changes the index")
    func repeatedSearchUntilImport() async throws {
        let changing = try await ChangingStore.make()
        let finder = try await changing.finder(matching: .off)
        let app = try await changing.application(finder: finder)
        let words = changing.last.briefTitle.split(separator: " ").prefix(4).joined(separator: " ")
        let uri = "/api/v1/trials?q=\(words.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&limit=50"
        try await app.test(.router) { client in
            let first = try await client.execute(uri: uri, method: .get)
            #expect(first.status == .ok)
            #expect(first.headers[Self.cacheHeader] == "miss")
            #expect(!String(buffer: first.body).contains(changing.last.nctId))
            let second = try await client.execute(uri: uri, method: .get)
            #expect(second.headers[Self.cacheHeader] == "hit")
            #expect(second.body == first.body)
            #expect(second.headers[.contentType] == first.headers[.contentType])
            #expect(second.headers[.xContentTypeOptions] == "nosniff", "security headers are added to cached answers too")

            let otherAccept = try await client.execute(uri: uri, method: .get, headers: [.accept: "application/json"])
            #expect(otherAccept.headers[Self.cacheHeader] == "miss", "the Accept header is part of the key")
            let otherPage = try await client.execute(uri: uri + "&lang=en", method: .get)
            #expect(otherPage.headers[Self.cacheHeader] == "miss")

            try await changing.importLast()
            #expect(try await finder.refresh() == 1)
            let after = try await client.execute(uri: uri, method: .get)
            #expect(after.headers[Self.cacheHeader] == "miss", "the index changed")
            #expect(String(buffer: after.body).contains(changing.last.nctId))
            let again = try await client.execute(uri: uri, method: .get)
            #expect(again.headers[Self.cacheHeader] == "hit")
            #expect(again.body == after.body)
        }
        try await changing.close()
    }

    @Test("errors, pages and other routes are never kept; a zero budget turns the cache off")
    func onlySuccessfulPublicAnswers() async throws {
        let changing = try await ChangingStore.make()
        let finder = try await changing.finder(matching: .off)
        let app = try await changing.application(finder: finder)
        try await app.test(.router) { client in
            for _ in 0..<2 {
                let bad = try await client.execute(uri: "/api/v1/trials?q=cancer&near=Atlantis", method: .get)
                #expect(bad.status == .badRequest)
                #expect(bad.headers[Self.cacheHeader] == nil)
                let page = try await client.execute(uri: "/search?q=cancer", method: .get)
                #expect(page.status == .ok)
                #expect(page.headers[Self.cacheHeader] == nil, "pages carry the visitor's form token")
                let trial = try await client.execute(uri: "/api/v1/trials/\(changing.last.nctId)", method: .get)
                #expect(trial.headers[Self.cacheHeader] == nil)
            }
            let portrait = try await client.execute(uri: "/api/v1/portrait", method: .get)
            #expect(portrait.headers[Self.cacheHeader] == "miss")
            let cachedPortrait = try await client.execute(uri: "/api/v1/portrait", method: .get)
            #expect(cachedPortrait.headers[Self.cacheHeader] == "hit")
        }
        var off = ServerConfiguration()
        off.responseCacheBytes = 0
        let uncached = try await changing.application(finder: finder, configuration: off)
        try await uncached.test(.router) { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/api/v1/trials?q=cancer", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[Self.cacheHeader] == nil)
            }
        }
        try await changing.close()
    }

    @Test("the budget evicts the least recently used entries; stale and expired entries are not used")
    func evictionAndExpiry() {
        let cache = ResponseCache(capacityBytes: 10_000)
        let body = ByteBuffer(repeating: 0x61, count: 2_000)
        let now = ContinuousClock.now
        for name in ["a", "b", "c", "d"] { cache.keep(name, sequence: 7, headers: [:], body: body, now: now) }
        #expect(cache.answer("a", sequence: 7, now: now) != nil, "a is now the most recently used")
        cache.keep("e", sequence: 7, headers: [:], body: body, now: now)
        #expect(cache.heldBytes <= 10_000)
        #expect(cache.answer("b", sequence: 7, now: now) == nil, "b was the least recently used")
        #expect(cache.answer("a", sequence: 7, now: now) != nil)
        #expect(cache.answer("e", sequence: 7, now: now) != nil)
        #expect(cache.answer("a", sequence: 8, now: now) == nil, "another index")
        #expect(cache.answer("a", sequence: 7, now: now) == nil, "a stale entry is dropped when met")
        #expect(cache.answer("e", sequence: 7, now: now + ResponseCache.timeToLive) == nil, "expired")
        cache.keep("huge", sequence: 7, headers: [:], body: ByteBuffer(repeating: 0, count: ResponseCache.largestEntryBytes + 1), now: now)
        #expect(cache.answer("huge", sequence: 7, now: now) == nil)
        let off = ResponseCache(capacityBytes: 0)
        off.keep("a", sequence: 7, headers: [:], body: body, now: now)
        #expect(off.answer("a", sequence: 7, now: now) == nil)
    }
}

@Suite("Patient matching built after the server starts")
struct BackgroundMatchingTests {
    static let body = #"{"patient": {"text": "Relapsed diffuse large B-cell lymphoma, 62 years old."}, "recruiting_only": false, "limit": 5}"#

    @Test("search answers at once; matching answers 503 until its index is built, then catches up with imports")
    func matchingWaitsForItsIndex() async throws {
        let changing = try await ChangingStore.make()
        let finder = try await changing.finder(matching: .background)
        #expect(finder.awaitsMatcher)
        #expect(finder.matcher == nil)
        let (_, services) = try await buildRouter(
            configuration: ServerConfiguration(), store: changing.store, finder: finder, logger: Logger(label: "test"),
            registryToday: { CivilDate(utc: Date()) })
        #expect(services.contains { $0 is MatcherBuildService })
        // Without the services, so the matcher is built when this test says.
        try await changing.application(finder: finder).test(.router) { client in
            let search = try await client.execute(uri: "/api/v1/trials?q=lymphoma", method: .get)
            #expect(search.status == .ok)
            let building = try await client.execute(uri: "/health", method: .get)
            #expect(try DemoStore.json(building)["matching"] as? String == "building")
            let waiting = try await client.execute(
                uri: "/api/v1/match", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Self.body))
            #expect(waiting.status == .serviceUnavailable)
            #expect(waiting.headers[.retryAfter] == "60")
            let problem = try DemoStore.json(waiting)
            #expect((problem["detail"] as? String ?? "").contains("being built"))

            let visitor = try await PeopleWebTests.anonymous(client)
            let page = try await client.execute(
                uri: "/match", method: .post, headers: visitor.headers,
                body: ByteBuffer(string: "csrf=\(visitor.csrf)&situation=lymphome"))
            #expect(page.status == .serviceUnavailable)
            #expect(String(buffer: page.body).contains("se prépare"))

            try await changing.importLast()
            #expect(try await finder.refresh() == 1, "search first")
            try await finder.buildMatcherInBackground()
            let matcher = try #require(finder.matcher)
            #expect(matcher.index.count == changing.lines.count, "built from the store as it is now")
            #expect(!finder.awaitsMatcher)

            let ready = try await client.execute(
                uri: "/api/v1/match", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Self.body))
            #expect(ready.status == .ok)
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(try DemoStore.json(health)["matching"] as? String == "ready")
        }
        try await changing.close()
    }

    @Test("the build service stays up once the matcher is built (a service that returns would stop the server)")
    func buildServiceKeepsRunning() async throws {
        let changing = try await ChangingStore.make()
        let finder = try await changing.finder(matching: .background)
        let group = ServiceGroup(services: [MatcherBuildService(finder: finder, logger: Logger(label: "test"))])
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            // Throws ServiceGroupError.serviceFinishedUnexpectedly if the service returns on its own.
            tasks.addTask { try await group.run() }
            // No time limit that a loaded test run could miss: the build ends when it ends.
            while finder.matcher == nil { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(finder.matcher?.index.count == changing.lines.count - 1)
        try await changing.close()
    }

    @Test("a refresh updates the search index and the matcher together")
    func refreshUpdatesBoth() async throws {
        let changing = try await ChangingStore.make()
        let finder = try await changing.finder(matching: .background)
        try await finder.buildMatcherInBackground()
        #expect(finder.matcher?.index.count == changing.lines.count - 1)
        #expect(finder.matcher?.index.trial(nctId: changing.last.nctId) == nil)
        try await changing.importLast()
        #expect(try await finder.refresh() == 1)
        #expect(finder.snapshot.index.count == changing.lines.count)
        #expect(finder.matcher?.index.trial(nctId: changing.last.nctId)?.briefTitle == changing.last.briefTitle)
        #expect(try await finder.refresh() == 0)
        try await changing.close()
    }

    @Test("with matching off, the API says so")
    func matchingOff() async throws {
        let changing = try await ChangingStore.make()
        let finder = try await changing.finder(matching: .off)
        #expect(!finder.awaitsMatcher)
        try await finder.buildMatcherInBackground()
        #expect(finder.matcher == nil, "off means never")
        try await changing.application(finder: finder).test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/match", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Self.body))
            #expect(response.status == .serviceUnavailable)
            #expect((try DemoStore.json(response)["detail"] as? String ?? "").contains("turned off"))
        }
        try await changing.close()
    }
}
