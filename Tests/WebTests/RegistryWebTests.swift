import Analytics
import Foundation
import Hummingbird
import HummingbirdTesting
import Registry
import Storage
import Testing

@testable import Web

/// The registry pages and API, the analytics API and the staff access check, on a real SQLite store holding a
/// synthetic cohort observed today.
@Suite("Registry web")
struct RegistryWebTests {
    static let token = "test-staff-token"
    static let today = CivilDate(utc: Date())
    static let cohort = SyntheticRegistry.generate(patients: 300, seed: 11, cutoff: today)

    static func withApp(token: String? = RegistryWebTests.token,
                        _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-registry-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTrialStore(path: directory.appendingPathComponent("web.sqlite").path)
        try await store.migrate()
        try await store.replaceRegistry(with: cohort, source: "test", at: Date())
        let app = try await buildApplication(configuration: ServerConfiguration(staffToken: token), store: store)
        try await app.test(.router, test)
        try await store.close()
    }

    static let staff: HTTPFields = [.authorization: "Bearer \(token)"]
    static let json: HTTPFields = [.contentType: "application/json"]

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    // MARK: Access

    @Test("registry pages and API are denied without a staff role, and the token opens nothing when none is configured")
    func accessDenied() async throws {
        try await Self.withApp(token: nil) { client in
            try await client.execute(uri: "/registry", method: .get, headers: Self.staff) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/registry/summary", method: .get, headers: Self.staff) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
        try await Self.withApp { client in
            for uri in ["/registry", "/registry/survival", "/registry/follow-up", "/registry/cost-effectiveness"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(String(buffer: response.body).contains("name=\"password\""), "\(uri) shows the sign-in form")
                }
            }
            for uri in ["/api/v1/registry/summary", "/api/v1/registry/survival", "/api/v1/registry/follow-up/overdue"] {
                try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer wrong"]) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    let problem = try Self.object(response)
                    #expect(problem["status"] as? Int == 401)
                }
            }
            // The public calculators need no role.
            try await client.execute(uri: "/api/v1/analytics/icer", method: .post, headers: Self.json,
                                     body: ByteBuffer(string: #"{"strategies":[{"strategy":"A","cost":1,"effect":1}]}"#)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    // MARK: Pages

    @Test("the registry pages render in French by default and in English")
    func pages() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/registry", method: .get, headers: Self.staff) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLanguage] == "fr")
                let html = String(buffer: response.body)
                #expect(html.contains("Registre des résultats des thérapies CAR-T"))
                #expect(html.contains("data-count=\"patients\">300<"))
                #expect(html.contains("Perfusions selon le pire grade de SRC (ASTCT)"))
                #expect(html.contains("Données synthétiques"))
                #expect(html.contains("axicabtagène ciloleucel (Yescarta)"))
            }
            try await client.execute(uri: "/registry?lang=en", method: .get, headers: Self.staff) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("CAR-T outcomes registry"))
                #expect(html.contains("Infusions by worst ICANS grade (ASTCT)"))
                #expect(!html.contains("Registre des résultats"))
            }
            for (uri, french, english) in [
                ("/registry/survival", "Nombre à risque", "Number at risk"),
                ("/registry/survival?endpoint=pfs&group=indication", "Survie sans progression", "Progression-free survival"),
                ("/registry/follow-up", "Visites de suivi en retard", "Overdue follow-up visits"),
                ("/registry/cost-effectiveness", "Soins usuels", "Standard care"),
            ] {
                try await client.execute(uri: uri, method: .get, headers: Self.staff) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(String(buffer: response.body).contains(french), "\(uri)")
                }
                let english_uri = uri + (uri.contains("?") ? "&" : "?") + "lang=en"
                try await client.execute(uri: english_uri, method: .get, headers: Self.staff) { response in
                    #expect(response.status == .ok, "\(english_uri)")
                    #expect(String(buffer: response.body).contains(english), "\(english_uri)")
                }
            }
            try await client.execute(uri: "/registry/survival", method: .get, headers: Self.staff) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("<svg"))
                #expect(html.contains("class=\"band\""))
                #expect(html.contains("id=\"log-rank\""))
                #expect(html.contains("<details><summary>Données du graphique</summary>"))
            }
            try await client.execute(uri: "/registry/cost-effectiveness?strategies=strategy%2Ccost%0AA%2C1", method: .get,
                                     headers: Self.staff) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("role=\"alert\""))
            }
        }
    }

    // MARK: Registry API

    @Test("the registry API answers the summary, survival and overdue list computed by the domain")
    func registryAPI() async throws {
        let summary = try Self.cohort.summary(asOf: Self.today)
        let overdue = try Self.cohort.overdueFollowUp(asOf: Self.today)
        try await Self.withApp { client in
            try await client.execute(uri: "/api/v1/registry/summary?lang=en", method: .get, headers: Self.staff) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect((body["patients"] as? [String: Any])?["value"] as? Int == 300)
                #expect(body["synthetic"] as? Bool == true)
                let products = try #require(body["byProduct"] as? [[String: Any]])
                #expect(products.map { $0["code"] as? String } == summary.byProduct.map(\.code))
                #expect(products.first { $0["code"] as? String == "axicabtagene-ciloleucel" }?["label"] as? String
                        == "axicabtagene ciloleucel (Yescarta)")
                let grades = try #require(body["crsGrades"] as? [[String: Any]])
                #expect(grades.count == 5)
                for (item, expected) in zip(grades, summary.crsGrades) {
                    let count = try #require(item["count"] as? [String: Any])
                    #expect(count["suppressed"] as? Bool == expected.count.isSuppressed)
                    #expect(count["value"] as? Int == expected.count.value)
                }
            }
            try await client.execute(uri: "/api/v1/registry/survival?endpoint=os&group=product&conf_type=log-log", method: .get,
                                     headers: Self.staff) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                let groups = try #require(body["groups"] as? [[String: Any]])
                #expect(!groups.isEmpty)
                #expect(groups.allSatisfy { ($0["n"] as? Int ?? 0) >= 5 })
                #expect(body["logRank"] is [String: Any])
                #expect(body["timeUnit"] as? String == "months")
            }
            try await client.execute(uri: "/api/v1/registry/follow-up/overdue", method: .get, headers: Self.staff) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect(body["total"] as? Int == overdue.count)
            }
            try await client.execute(uri: "/api/v1/registry/survival?endpoint=dfs", method: .get, headers: Self.staff) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.object(response)
                #expect(problem["parameter"] as? String == "endpoint")
            }
        }
    }

    // MARK: Analytics API

    @Test("Kaplan–Meier from JSON rows and from CSV give the domain's curves")
    func kaplanMeier() async throws {
        let rows = [(1.0, true, "a"), (2, false, "a"), (3, true, "a"), (4, true, "b"), (5, false, "b"), (6, true, "b")]
        let expected = try KaplanMeierReport(GroupedSurvival(times: rows.map(\.0), events: rows.map(\.1), groups: rows.map(\.2)))
        try await Self.withApp { client in
            let json = "{\"rows\":[" + rows.map { "{\"time\":\($0.0),\"event\":\($0.1),\"group\":\"\($0.2)\"}" }.joined(separator: ",") + "]}"
            try await client.execute(uri: "/api/v1/analytics/km", method: .post, headers: Self.json, body: ByteBuffer(string: json)) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(KaplanMeierReport.self, from: Data(buffer: response.body))
                #expect(report == expected)
            }
            let csv = "time,event,group\n" + rows.map { "\($0.0),\($0.1 ? 1 : 0),\($0.2)" }.joined(separator: "\n") + "\n"
            try await client.execute(uri: "/api/v1/analytics/km?times=1,3", method: .post, headers: [.contentType: "text/csv"],
                                     body: ByteBuffer(string: csv)) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(KaplanMeierReport.self, from: Data(buffer: response.body))
                #expect(report.groups.map(\.times) == [[1, 3], [1, 3]])
                #expect(report.logRank == expected.logRank)
            }
        }
    }

    @Test("invalid analytics input gets a 400 problem naming the field or parameter, never a 500")
    func problems() async throws {
        let cases: [(uri: String, contentType: String, body: String, key: String, name: String)] = [
            ("/api/v1/analytics/km", "text/csv", "time,event\n1,1\n2,2\n", "field", "line 3, column \"event\""),
            ("/api/v1/analytics/km", "application/json", #"{"rows":[{"time":1,"event":true},{"time":-1,"event":false}]}"#,
             "field", "rows[1].time"),
            ("/api/v1/analytics/km?conf_level=2", "application/json", #"{"rows":[{"time":1,"event":true}]}"#,
             "parameter", "conf_level"),
            ("/api/v1/analytics/km?times=1,x", "application/json", #"{"rows":[{"time":1,"event":true}]}"#, "parameter", "times"),
            ("/api/v1/analytics/markov", "application/json",
             #"{"states":["A","D"],"initial":[1,0],"phases":[{"cycles":2,"transitions":[[0.5,0.4],[0,1]],"costs":[1,0],"effects":[1,0]}]}"#,
             "field", "phases[0].transitions[0]"),
            ("/api/v1/analytics/markov", "application/json", #"{"states":["A"]}"#, "field", "initial"),
            ("/api/v1/analytics/psm", "application/json", "[1, 2]", "field", "(root)"),
            ("/api/v1/analytics/psm", "application/json", "nope", "field", "(root)"),
            ("/api/v1/analytics/budget", "application/json",
             #"{"years":2,"eligiblePatients":[1,2],"uptake":[0.1,1.5],"newTherapyCostPerPatient":1,"currentTherapyCostPerPatient":1}"#,
             "field", "uptake[1]"),
            ("/api/v1/analytics/psa", "application/json",
             #"{"iterations":10,"seed":1,"parameters":[],"strategies":[{"name":"A","model":{"fixed":{"cost":{"parameter":"c"},"effect":1}}}]}"#,
             "field", "strategies[0].model.fixed.cost"),
            ("/api/v1/analytics/psa", "application/json",
             #"{"iterations":50000,"seed":1,"parameters":[],"strategies":[{"name":"A","model":{"fixed":{"cost":1,"effect":1}}}]}"#,
             "field", "iterations"),
            ("/api/v1/analytics/payments", "application/json", #"{"agreement":{"upFront":{"price":-5}},"rate":0.03}"#,
             "field", "price"),
            ("/api/v1/analytics/icer", "application/json", #"{"strategies":[{"strategy":"A","cost":"x","effect":1}]}"#,
             "field", "strategies[0].cost"),
        ]
        try await Self.withApp { client in
            for item in cases {
                try await client.execute(uri: item.uri, method: .post, headers: [.contentType: item.contentType],
                                         body: ByteBuffer(string: item.body)) { response in
                    #expect(response.status == .badRequest, "\(item.uri) \(item.body)")
                    #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true, "\(item.uri)")
                    let problem = try Self.object(response)
                    #expect(problem["status"] as? Int == 400)
                    if !item.name.isEmpty {
                        #expect(problem[item.key] as? String == item.name, "\(item.uri): \(problem)")
                    }
                }
            }
        }
    }

    @Test("ICER, Markov, PSA, budget and payments answer as the domain computes")
    func calculators() async throws {
        try await Self.withApp { client in
            let icer = #"{"strategies":[{"strategy":"UC","cost":5000,"effect":1},{"strategy":"A","cost":12000,"effect":1.5},{"strategy":"B","cost":10000,"effect":2},{"strategy":"C","cost":25000,"effect":3},{"strategy":"D","cost":35000,"effect":4},{"strategy":"E","cost":55000,"effect":5}]}"#
            try await client.execute(uri: "/api/v1/analytics/icer", method: .post, headers: Self.json, body: ByteBuffer(string: icer)) { response in
                let rows = try #require(try Self.object(response)["rows"] as? [[String: Any]])
                #expect(rows.filter { $0["status"] as? String == "ND" }.map { $0["strategy"] as? String } == ["UC", "B", "D", "E"])
            }
            let budget = #"{"years":3,"eligiblePatients":[100,110,120],"uptake":[0.1,0.2,0.5],"newTherapyCostPerPatient":450000,"currentTherapyCostPerPatient":50000,"costOffsetPerPatient":[20000,20000,20000]}"#
            try await client.execute(uri: "/api/v1/analytics/budget", method: .post, headers: Self.json, body: ByteBuffer(string: budget)) { response in
                #expect(response.status == .ok)
                let input = try JSONDecoder().decode(BudgetImpactInput.self, from: Data(budget.utf8))
                let expected = try JSONSerialization.jsonObject(with: JSONEncoder().encode(BudgetImpact.analyse(input))) as? NSDictionary
                #expect(try Self.object(response) as NSDictionary == expected)
            }
            let psa = Data(PSAExample.json.utf8)
            try await client.execute(uri: "/api/v1/analytics/psa", method: .post, headers: Self.json, body: ByteBuffer(data: psa)) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(PSAReport.self, from: Data(buffer: response.body))
                #expect(report == (try JSONDecoder().decode(PSAInput.self, from: psa).run()))
            }
            try await client.execute(uri: "/api/v1/analytics/payments", method: .post, headers: Self.json,
                                     body: ByteBuffer(string: #"{"agreement":{"instalments":{"price":450000,"count":3,"timing":"due"}},"rate":0.05,"failureTimes":[null,1.5]}"#)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect((body["payments"] as? [Any])?.count == 3)
                #expect((body["ledger"] as? [Any])?.count == 2)
            }
        }
    }
}

/// A small PSA input: a fixed comparator and a Markov model whose costs and transition depend on parameters.
enum PSAExample {
    static let json = """
        {"iterations": 200, "seed": 42,
         "parameters": [
           {"name": "pDeath", "distribution": {"beta": {"alpha": 20, "beta": 80}}},
           {"name": "cAlive", "distribution": {"gamma": {"shape": 16, "scale": 625}}}
         ],
         "strategies": [
           {"name": "Standard care", "model": {"fixed": {"cost": 20000, "effect": 2}}},
           {"name": "CAR-T", "model": {"markov": {
              "states": ["Alive", "Dead"], "initial": [1, 0],
              "phases": [{"cycles": 10, "transitions": [[{"parameter": "pDeath", "scale": -1, "offset": 1}, {"parameter": "pDeath"}], [0, 1]], "costs": [{"parameter": "cAlive"}, 0], "effects": [0.8, 0]}],
              "upFrontCost": 450000}}}
         ],
         "willingnessToPay": [50000, 100000]}
        """
}
