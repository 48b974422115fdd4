import Foundation
import HummingbirdTesting
import NIOCore
import Testing

@testable import Web

@Suite("Matching pages and API on the demo data", .serialized)
struct MatchWebTests {
    static func post(_ client: any TestClientProtocol, _ uri: String, json: String, _ check: @escaping @Sendable (TestResponse) throws -> Void)
        async throws
    {
        try await client.execute(
            uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)
        ) { response in try check(response) }
    }

    @Test("POST /api/v1/match ranks lymphoma trials first, each with a checklist and the patient as understood")
    func matchesAPatient() async throws {
        try await DemoStore.withApp { client in
            let body = """
                {"patient": {"text": "Relapsed diffuse large B-cell lymphoma after R-CHOP, no HIV infection.", "age": 62,
                 "sex": "male", "ecog": 1, "labs": [{"analyte": "platelets", "value": 150}]},
                 "recruiting_only": false, "limit": 10, "lang": "en"}
                """
            try await Self.post(client, "/api/v1/match", json: body) { response in
                #expect(response.status == .ok)
                let answer = try DemoStore.json(response)
                let understood = try #require(answer["understood"] as? [String: Any])
                #expect(understood["age"] as? Double == 62)
                #expect(understood["ecog"] as? Int == 1)
                let matches = try #require(answer["matches"] as? [[String: Any]])
                #expect(matches.count == 10)
                let lymphoma = matches.filter { ($0["title"] as? String ?? "").lowercased().contains("lymphom") }
                #expect(lymphoma.count >= 6, "\(matches.map { $0["title"] ?? "" })")
                for match in matches {
                    let verdict = try #require(match["verdict"] as? [String: Any])
                    #expect(["likely", "possible", "excluded"].contains(verdict["code"] as? String ?? ""))
                    #expect(!(verdict["label"] as? String ?? "").isEmpty)
                    let criteria = try #require(match["criteria"] as? [[String: Any]])
                    for criterion in criteria {
                        #expect(["met", "notMet", "unknown"].contains(criterion["status"] as? String ?? ""))
                    }
                }
                let scores = matches.compactMap { $0["score"] as? Double }
                #expect(scores == scores.sorted(by: >))
            }
        }
    }

    @Test(
        "a bad field gets 400 with a problem naming it",
        arguments: [
            (#"{"patient": {"text": "asthma", "age": 400}}"#, "patient.age"),
            (#"{"patient": {"text": "asthma", "ecog": 9}}"#, "patient.ecog"),
            (#"{"patient": {"text": "  "}}"#, "patient.text"),
            (#"{"patient": {"text": "asthma"}, "radius_km": 50}"#, "radius_km"),
            (#"{"patient": {"text": "asthma"}, "near": "Atlantis", "radius_km": 50}"#, "near"),
            (#"{"patient": {"text": "asthma", "labs": [{"analyte": "platelets", "value": -3}]}}"#, "patient.labs[0].value"),
            (#"{"patient": {"text": "asthma"}, "limit": 0}"#, "limit"),
        ])
    func rejectsBadFields(body: String, field: String) async throws {
        try await DemoStore.withApp { client in
            try await Self.post(client, "/api/v1/match", json: body) { response in
                #expect(response.status == .badRequest)
                let problem = try DemoStore.json(response)
                #expect(problem["field"] as? String == field, "\(problem)")
            }
        }
    }

    @Test("malformed JSON is a 400, not a 500")
    func rejectsMalformedJSON() async throws {
        try await DemoStore.withApp { client in
            try await Self.post(client, "/api/v1/match", json: #"{"patient": {"text": "asthma", "age": "old"}}"#) { response in
                #expect(response.status == .badRequest)
            }
            try await Self.post(client, "/api/v1/match", json: "{not json") { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("the form page in French and English, results by POST, a bad field is a 400 page naming it")
    func formPages() async throws {
        try await DemoStore.withApp { client in
            try await client.execute(uri: "/match", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("Trouver des essais pour ma situation"))
                #expect(html.contains(#"method="post""#))
            }
            try await client.execute(uri: "/match?view=pro&lang=en", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Screen a patient"))
                #expect(html.contains(#"name="ecog""#))
            }
            // A form post carries the visitor's CSRF token (the cookie a first page view sets).
            let visitor = try await PeopleWebTests.anonymous(client)
            let form = "csrf=\(visitor.csrf)&situation=Femme+de+55+ans%2C+cancer+du+sein+m%C3%A9tastatique+HER2+positif&all_statuses=1"
            try await client.execute(
                uri: "/match", method: .post, headers: visitor.headers,
                body: ByteBuffer(string: form)
            ) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("55 ans"))
                #expect(html.contains(#"id="matches""#))
                #expect(html.contains("data-verdict="))
                #expect(html.lowercased().contains("breast"))
            }
            try await client.execute(
                uri: "/match", method: .post, headers: visitor.headers,
                body: ByteBuffer(string: "csrf=\(visitor.csrf)&situation=asthme&age=deux")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("âge"))
            }
        }
    }
}
