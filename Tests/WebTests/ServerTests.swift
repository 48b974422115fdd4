import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@testable import Web

/// The server on a real SQLite store holding the bundled demo data.
@Suite("Server")
struct ServerTests {
    static func withApp(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTrialStore(path: directory.appendingPathComponent("web.sqlite").path)
        try await store.migrate()
        let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        let report = try await TrialImporter(store: store).importFiles([fixtures.appendingPathComponent("studies.jsonl").path])
        #expect(report.imported == 40)
        let app = try await buildApplication(configuration: ServerConfiguration(), store: store)
        try await app.test(.router, test)
        try await store.close()
    }

    @Test("/health reports the database, its migrations and the number of trials")
    func health() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let health = try JSONDecoder().decode(Health.self, from: Data(buffer: response.body))
                #expect(health.status == "ok")
                #expect(health.database == "sqlite")
                #expect(health.trials == 40)
                #expect(health.migrations == [1, 2, 3])
                #expect(health.matching == "ready", "the default configuration builds the matcher before serving")
            }
        }
    }

    @Test("/metrics speaks the Prometheus text format and counts requests")
    func metrics() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/health", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE passerelle_trials gauge"))
                #expect(text.contains("passerelle_trials 40"))
                #expect(text.contains("hb_requests"))
            }
        }
    }

    @Test("the home page is French by default, with live counts")
    func homeFrench() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains(#"<html lang="fr">"#))
                #expect(html.contains(#"<strong data-count="trials">40</strong> essais cliniques répertoriés"#))
                #expect(html.contains(#"href="/?lang=en""#))
                #expect(response.headers[.contentLanguage] == "fr")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test("?lang=en gives the English page and a link back to French")
    func homeEnglish() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/?lang=en", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(#"<html lang="en">"#))
                #expect(html.contains("clinical trials listed"))
                #expect(!html.contains("essais cliniques répertoriés"))
                #expect(html.contains(#"href="/?lang=fr""#))
            }
        }
    }

    @Test("an unknown page is a 404")
    func notFound() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/no-such-page", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("every string exists in French and English")
    func strings() {
        for (key, value) in Strings.entries {
            #expect(!value.fr.isEmpty && !value.en.isEmpty, "\(key)")
        }
        #expect(Set(Strings.table(for: .fr).keys) == Set(Strings.table(for: .en).keys))
    }

    @Test("numbers use each language's thousands separator")
    func numbers() {
        #expect(Language.fr.format(7354) == "7\u{202F}354")
        #expect(Language.en.format(7354) == "7,354")
        #expect(Language.en.format(1_234_567) == "1,234,567")
        #expect(Language.fr.format(12) == "12")
    }
}
