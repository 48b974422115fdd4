import Access
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Registry
import Storage
import Testing

@testable import Web

/// Accounts, the role × route table, saved searches with double opt-in, and the navigation queue, through the
/// router on a real SQLite store (the shared demo trials' finder).
@Suite("Accounts, alerts and navigation on the web")
struct PeopleWebTests {
    /// A fresh empty store (people tables only matter here) with the shared finder; bcrypt at its minimum cost.
    static func withApp(_ test: @Sendable (any TestClientProtocol, PeopleTables) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-people-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTrialStore(path: directory.appendingPathComponent("people.sqlite").path)
        try await store.migrate()
        let app = try await buildApplication(
            configuration: ServerConfiguration(bcryptCost: 4), store: store, finder: try await DemoStore.finder.value)
        try await app.test(.router) { client in try await test(client, store.people) }
        try await store.close()
    }

    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A signed-in visitor: the cookie header and the session's CSRF token.
    struct Session {
        var cookie: String
        var csrf: String
        var headers: HTTPFields { [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"] }
    }

    /// An account of `role` with a session made directly in the store (the sign-up flow is tested on its own).
    static func session(_ role: Role, _ people: PeopleTables, email: String? = nil) async throws -> Session {
        let now = Date()
        let id = UUID().uuidString.lowercased()
        let account = AccountRecord(id: id, email: email ?? "\(role.rawValue)-\(id.prefix(8))@example.org", passwordHash: "-",
                                    role: role.rawValue, displayName: "Test \(role.rawValue)", language: "fr",
                                    createdAt: now, passwordChangedAt: now)
        #expect(try await people.createAccount(account))
        let token = Secrets.randomToken()
        let csrf = Secrets.randomToken()
        try await people.createSession(tokenHash: Secrets.sha256(token), accountId: id, csrfToken: csrf, createdAt: now,
                                       expiresAt: now.addingTimeInterval(3600))
        return Session(cookie: "\(Cookies.session)=\(token)", csrf: csrf)
    }

    /// The anonymous CSRF cookie a first page view sets, and its value.
    static func anonymous(_ client: any TestClientProtocol) async throws -> Session {
        try await client.execute(uri: "/help", method: .get) { response in
            let setCookie = try #require(response.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
            let pair = String(setCookie.split(separator: ";")[0])
            return Session(cookie: pair, csrf: String(pair.split(separator: "=", maxSplits: 1)[1]))
        }
    }

    static func body(_ pairs: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: FormQuery(pairs: pairs.map { (name: $0.0, value: $0.1) }).encoded)
    }

    static func link(in message: String, path: String) throws -> String {
        let text = message.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
        let range = try #require(text.range(of: path))
        return String(text[range.lowerBound...].prefix { !$0.isWhitespace && $0 != "\"" && $0 != "<" && $0 != ">" })
    }

    @Test("every route has a line in the role × route table, and every line is enforced for every role")
    func roleRouteTable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTrialStore(path: directory.appendingPathComponent("routes.sqlite").path)
        try await store.migrate()
        let (router, _) = try await buildRouter(
            configuration: ServerConfiguration(bcryptCost: 4), store: store, finder: try await DemoStore.finder.value,
            logger: Logger(label: "test"), registryToday: { CivilDateNow.today })
        let policy = AccessRoutes.policy
        func normalised(_ path: String) -> String {
            path.split(separator: "/").map { $0.hasPrefix("{") ? ":" + $0.dropFirst().dropLast() : String($0) }
                .reduce("") { $0 + "/" + $1 }
        }
        let routes = Set(router.routes.map { "\($0.method.rawValue) \(normalised($0.path.description))" })
        let rules = Set(policy.rules.map { "\($0.method) \(normalised($0.pattern))" })
        #expect(routes.subtracting(rules).isEmpty, "routes without a line: \(routes.subtracting(rules).sorted())")
        #expect(rules.subtracting(routes).isEmpty, "lines without a route: \(rules.subtracting(routes).sorted())")
        #expect(routes.count >= 50)

        let app = Application(router: router)
        try await app.test(.router) { client in
            var sessions: [Role?: Session] = [nil: try await Self.anonymous(client)]
            for role in Role.allCases { sessions[role] = try await Self.session(role, store.people) }
            var checked = 0
            for rule in policy.rules {
                let path = rule.pattern.split(separator: "/").map { $0.hasPrefix(":") ? "x1" : String($0) }.reduce("") { $0 + "/" + $1 }
                for role in [nil] + Role.allCases.map(Optional.some) {
                    let session = try #require(sessions[role])
                    // Sign-out would end the session the next checks use: it gets its own.
                    let current = rule.pattern == "/account/sign-out" && role != nil ? try await Self.session(role!, store.people) : session
                    var headers = current.headers
                    if rule.pattern.hasPrefix("/api/") { headers[.contentType] = "application/json" }
                    let body = rule.method == "POST" ? Self.body([("csrf", current.csrf)]) : nil
                    let status = try await client.execute(
                        uri: path, method: HTTPRequest.Method(rule.method)!, headers: headers, body: body) { $0.status }
                    if rule.pattern == "/account/sign-in" && rule.method == "POST" {
                        // The handler's own answer to an empty form: wrong e-mail or password, then rate limited.
                        #expect(status == .unauthorized || status == .tooManyRequests, "sign-in without credentials: \(status)")
                    } else if rule.audience.admits(role) {
                        #expect(status != .unauthorized && status != .forbidden,
                                "\(rule.method) \(rule.pattern) as \(role?.rawValue ?? "anonymous"): \(status)")
                    } else {
                        #expect(status == (role == nil ? .unauthorized : .forbidden),
                                "\(rule.method) \(rule.pattern) as \(role?.rawValue ?? "anonymous"): \(status)")
                    }
                    checked += 1
                }
            }
            #expect(checked == policy.rules.count * (Role.allCases.count + 1))
            // A path no line covers is refused to everyone, admins included.
            let admin = try #require(sessions[.admin])
            try await client.execute(uri: "/admin/unknown", method: .get, headers: admin.headers) { response in
                #expect(response.status == .notFound)
            }
        }
        try await store.close()
    }

    @Test("sign-up opens a session; sign-out ends it; a wrong password is refused and repeated failures are limited")
    func signUpAndIn() async throws {
        try await Self.withApp { client, people in
            let anonymous = try await Self.anonymous(client)
            // Without the CSRF token the form is refused before anything is written.
            try await client.execute(uri: "/account/sign-up", method: .post, headers: anonymous.headers,
                                     body: Self.body([("email", "a@example.org"), ("password", "correct horse battery"), ("name", "A")])) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try await people.account(email: "a@example.org") == nil)
            // A weak password is refused, naming the rule.
            try await client.execute(uri: "/account/sign-up", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "a@example.org"), ("password", "short"),
                                                      ("name", "Anne"), ("lang", "en")])) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("at least 10 characters"))
            }
            // A self-chosen staff role is refused.
            try await client.execute(uri: "/account/sign-up", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "a@example.org"), ("password", "correct horse battery"),
                                                      ("name", "Anne"), ("role", "admin")])) { response in
                #expect(response.status == .badRequest)
            }
            var cookie = ""
            try await client.execute(uri: "/account/sign-up", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", " Anne@Example.org "),
                                                      ("password", "correct horse battery"), ("name", "Anne Tremblay"), ("role", "professional")])) { response in
                #expect(response.status == .seeOther)
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && !setCookie.contains("Secure"))
                cookie = String(setCookie.split(separator: ";")[0])
            }
            let account = try #require(try await people.account(email: "anne@example.org"))
            #expect(account.role == "professional" && account.passwordHash.hasPrefix("$2"))
            #expect(!account.passwordHash.contains("correct horse"))
            var csrf = ""
            try await client.execute(uri: "/account?lang=en", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("Anne Tremblay") && html.contains("Health professional"))
                #expect(response.headers[.cacheControl] == "no-store")
                let marker = try #require(html.range(of: "name=\"csrf\" value=\""))
                csrf = String(html[marker.upperBound...].prefix { $0 != "\"" })
            }
            // The same address cannot sign up twice.
            try await client.execute(uri: "/account/sign-up", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "anne@example.org"),
                                                      ("password", "another long password"), ("name", "X")])) { response in
                #expect(response.status == .conflict)
            }
            // Sign-out ends the session in the store.
            try await client.execute(uri: "/account/sign-out", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                     body: Self.body([("csrf", csrf)])) { response in
                #expect(response.status == .seeOther)
            }
            try await client.execute(uri: "/account", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .unauthorized)
            }
            // Sign in again; then five wrong passwords lock the address out even for the right one.
            try await client.execute(uri: "/account/sign-in", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "anne@example.org"), ("password", "correct horse battery"),
                                                      ("next", "https://evil.example/")])) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/account?lang=fr")
            }
            for _ in 0..<Accounts.failuresPerEmail {
                try await client.execute(uri: "/account/sign-in", method: .post, headers: anonymous.headers,
                                         body: Self.body([("csrf", anonymous.csrf), ("email", "anne@example.org"), ("password", "wrong password!")])) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            try await client.execute(uri: "/account/sign-in", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "anne@example.org"), ("password", "correct horse battery")])) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "900")
            }
        }
    }

    @Test("a password reset link from the outbox sets a new password once and ends the old sessions")
    func passwordReset() async throws {
        try await Self.withApp { client, people in
            let anonymous = try await Self.anonymous(client)
            try await client.execute(uri: "/account/sign-up", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "reset@example.org"),
                                                      ("password", "first long password"), ("name", "R")])) { _ in }
            for email in ["reset@example.org", "nobody@example.org"] {
                try await client.execute(uri: "/account/reset", method: .post, headers: anonymous.headers,
                                         body: Self.body([("csrf", anonymous.csrf), ("email", email)])) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("Si un compte existe"))
                }
            }
            let messages = try await people.outboxMessages()
            #expect(messages.count == 1, "only the existing account gets a message")
            let message = try #require(messages.first)
            #expect(message.recipient == "reset@example.org")
            let link = try Self.link(in: message.message, path: "/account/reset/")
            let path = String(link[link.range(of: "/account/reset/")!.lowerBound...])
            try await client.execute(uri: path, method: .get) { response in #expect(response.status == .ok) }
            let resetPath = String(path.split(separator: "?")[0])
            try await client.execute(uri: resetPath, method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("password", "second long password")])) { response in
                #expect(response.status == .seeOther)
            }
            // Used once: the password changed, so the token no longer matches.
            try await client.execute(uri: resetPath, method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("password", "third long password")])) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/account/sign-in", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "reset@example.org"), ("password", "second long password")])) { response in
                #expect(response.status == .seeOther)
            }
            // A tampered token is refused.
            try await client.execute(uri: resetPath + "x", method: .get) { response in #expect(response.status == .notFound) }
        }
    }

    @Test("saving a search sends a double opt-in; the link confirms it, opens the feed, and the signed unsubscribe ends it")
    func savedSearchOptIn() async throws {
        try await Self.withApp { client, people in
            let anonymous = try await Self.anonymous(client)
            // A bad query is refused with nothing written.
            try await client.execute(uri: "/alerts", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "sub@example.org"), ("query", "q=lymphome&radius_km=-3")])) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await people.outboxMessages().isEmpty)
            try await client.execute(uri: "/alerts", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("email", "sub@example.org"), ("frequency", "immediate"),
                                                      ("query", "q=lymphome CAR-T&near=H2X&radius_km=50&status=RECRUITING&cursor=abc")])) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Vérifiez vos courriels"))
            }
            let message = try #require(try await people.outboxMessages(recipient: "sub@example.org").first)
            #expect(message.message.contains("Subject: Confirmez votre alerte Passerelle"))
            #expect(message.message.contains("List-Unsubscribe") == false, "an opt-in request is not an alert")
            let search = try #require(try await people.savedSearches(accountId: "-", email: "sub@example.org").first)
            #expect(!search.confirmed && search.frequency == "immediate")
            #expect(!search.query.contains("cursor"), "the page cursor is not part of a saved search")
            try await client.execute(uri: "/alerts/feed/\(search.feedToken)", method: .get) { response in
                #expect(response.status == .notFound, "no feed before confirmation")
            }
            let link = try Self.link(in: message.message, path: "/alerts/confirm/")
            let confirm = String(link[link.range(of: "/alerts/confirm/")!.lowerBound...])
            try await client.execute(uri: confirm, method: .get) { response in #expect(response.status == .ok) }
            #expect(try await people.savedSearch(id: search.id)?.isActive == true)
            try await client.execute(uri: "/alerts/feed/\(search.feedToken)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/atom+xml; charset=utf-8")
                #expect(String(buffer: response.body).contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"))
            }
            // A confirmation token is not an unsubscribe token.
            let token = String(confirm.dropFirst("/alerts/confirm/".count).split(separator: "?")[0])
            try await client.execute(uri: "/alerts/unsubscribe/\(token)", method: .post) { response in
                #expect(response.status == .notFound)
            }
            // RFC 8058 one-click: a POST without cookies or CSRF token, as a mail client sends it.
            let signed = try await Secrets.load(configured: nil, store: people).sign(search.id, purpose: "unsubscribe")
            try await client.execute(uri: "/alerts/unsubscribe/\(signed)", method: .get) { response in
                #expect(response.status == .ok, "the GET only shows a button")
            }
            #expect(try await people.savedSearch(id: search.id)?.isActive == true)
            try await client.execute(uri: "/alerts/unsubscribe/\(signed)", method: .post, headers: Self.form,
                                     body: ByteBuffer(string: "List-Unsubscribe=One-Click")) { response in
                #expect(response.status == .ok)
            }
            #expect(try await people.savedSearch(id: search.id)?.unsubscribedAt != nil)
            #expect(try await people.activeSavedSearches().isEmpty)
        }
    }

    @Test("a help request reaches the navigator queue; claims, status moves and notes are audited; the requester sees the status")
    func navigation() async throws {
        try await Self.withApp { client, people in
            let anonymous = try await Self.anonymous(client)
            try await client.execute(uri: "/help", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("name", "Marie"), ("email", "marie@example.org"),
                                                      ("situation", "Lymphome réfractaire après deux lignes."), ("trials", "NCT01234567")])) { response in
                #expect(response.status == .badRequest, "consent is required")
                #expect(String(buffer: response.body).contains("cochez la case"))
            }
            var statusPath = ""
            try await client.execute(uri: "/help", method: .post, headers: anonymous.headers,
                                     body: Self.body([("csrf", anonymous.csrf), ("name", "Marie"), ("email", "marie@example.org"),
                                                      ("situation", "Lymphome réfractaire après deux lignes."), ("trials", "nct01234567"),
                                                      ("consent", "yes"), ("kind", "caregiver")])) { response in
                #expect(response.status == .seeOther)
                statusPath = String(try #require(response.headers[.location]).split(separator: "?")[0])
            }
            #expect(try await people.outboxMessages(recipient: "marie@example.org").count == 1)
            let navigator = try await Self.session(.navigator, people)
            let patient = try await Self.session(.patient, people)
            try await client.execute(uri: "/navigator", method: .get, headers: patient.headers) { response in
                #expect(response.status == .forbidden)
            }
            var requestId = ""
            try await client.execute(uri: "/navigator?lang=en", method: .get, headers: navigator.headers) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("Marie"))
                let marker = try #require(html.range(of: "/navigator/requests/"))
                requestId = String(html[marker.upperBound...].prefix { $0 != "?" })
            }
            try await client.execute(uri: "/navigator/requests/\(requestId)", method: .get, headers: navigator.headers) { response in
                #expect(String(buffer: response.body).contains("NCT01234567"))
            }
            for (action, extra) in [("claim", [(String, String)]()), ("note", [("note", "Appelée, rappel jeudi")]),
                                    ("status", [("status", "new")])] {
                try await client.execute(uri: "/navigator/requests/\(requestId)", method: .post, headers: navigator.headers,
                                         body: Self.body([("csrf", navigator.csrf), ("action", action)] + extra)) { response in
                    #expect(response.status == .seeOther)
                    let location = response.headers[.location] ?? ""
                    #expect(location.contains("error=") == (action == "status"), "\(action): \(location)")
                }
            }
            try await client.execute(uri: "/navigator/requests/\(requestId)", method: .post, headers: navigator.headers,
                                     body: Self.body([("csrf", navigator.csrf), ("action", "refer"), ("site_email", "site@hopital.example"),
                                                      ("referral", "Patiente intéressée par votre essai.")])) { response in
                #expect(response.headers[.location]?.contains("error=") == false)
            }
            #expect(try await people.outboxMessages(recipient: "site@hopital.example").count == 1)
            try await client.execute(uri: statusPath + "?lang=en", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Referred to a trial site"))
            }
            let audit = try await people.auditEntries(subject: "help-request:\(requestId)")
            let actions = audit.map(\.action)
            #expect(actions.contains("help-request.create") && actions.contains("help-request.read")
                    && actions.contains("help-request.update") && actions.contains("help-request.read-by-requester"))
            #expect(audit.filter { $0.action == "help-request.update" }.count == 3, "claim, note, referral; the refused move wrote nothing")
            try await client.execute(uri: "/navigator/requests/unknown-id", method: .get, headers: navigator.headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("the API saves searches and takes help requests with the pages' checks; the queue is for navigators")
    func api() async throws {
        try await Self.withApp { client, people in
            let json: HTTPFields = [.contentType: "application/json"]
            try await client.execute(uri: "/api/v1/saved-searches", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"email":"api@example.org","query":{"q":"myélome","radius_km":50,"near":"Nowhere-sur-Mer"}}"#)) { response in
                #expect(response.status == .badRequest)
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(problem["field"] as? String == "query.near")
            }
            try await client.execute(uri: "/api/v1/saved-searches", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"email":"api@example.org","lang":"en","frequency":"weekly","query":{"q":"myeloma","near":"H3T","radius_km":25,"status":["RECRUITING"]}}"#)) { response in
                #expect(response.status == .created)
                let saved = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(saved["confirmed"] as? Bool == false && saved["frequency"] as? String == "weekly")
                #expect((saved["query"] as? String)?.contains("status=RECRUITING") == true)
            }
            let optIn = try #require(try await people.outboxMessages(recipient: "api@example.org").first)
            #expect(optIn.message.contains("Confirm your Passerelle alert"))
            try await client.execute(uri: "/api/v1/help-requests", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"name":"Paul","email":"paul@example.org","situation":"LLC","consent":false}"#)) { response in
                #expect(response.status == .badRequest)
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(problem["field"] as? String == "consent")
            }
            try await client.execute(uri: "/api/v1/help-requests", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"name":"Paul","email":"paul@example.org","situation":"LLC en rechute","consent":true,"trials":["NCT01234567"]}"#)) { response in
                #expect(response.status == .created)
                let receipt = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(receipt["status"] as? String == "new")
                #expect((receipt["statusUrl"] as? String)?.contains("/help/status/") == true)
            }
            try await client.execute(uri: "/api/v1/help-requests", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            let navigator = try await Self.session(.navigator, people)
            try await client.execute(uri: "/api/v1/help-requests", method: .get, headers: [.cookie: navigator.cookie]) { response in
                #expect(response.status == .ok)
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(list.count == 1 && list.first?["name"] as? String == "Paul" && list.first?["overdue"] as? Bool == false)
            }
            #expect(try await people.auditEntries(subject: "help-requests").first?.detail == "open (api)")
            // A navigator works the request through the API: claim, a refused move, then a referral.
            let id = try #require(try await people.helpRequests(statuses: [], audit: AuditEvent(actor: "test", action: "list", subject: "x")).first?.request.id)
            let navigatorJSON: HTTPFields = [.cookie: navigator.cookie, .contentType: "application/json"]
            try await client.execute(uri: "/api/v1/help-requests/\(id)", method: .patch, headers: navigatorJSON,
                                     body: ByteBuffer(string: #"{"action":"claim"}"#)) { response in
                #expect(response.status == .ok)
                let summary = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(summary["status"] as? String == "in-progress" && summary["assignee"] != nil)
            }
            try await client.execute(uri: "/api/v1/help-requests/\(id)", method: .patch, headers: navigatorJSON,
                                     body: ByteBuffer(string: #"{"action":"status","status":"new"}"#)) { response in
                #expect(response.status == .badRequest)
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(problem["field"] as? String == "status")
            }
            try await client.execute(uri: "/api/v1/help-requests/\(id)", method: .patch, headers: navigatorJSON,
                                     body: ByteBuffer(string: #"{"action":"refer","siteEmail":"essais@chum.example","referral":"Patient intéressé."}"#)) { response in
                #expect(response.status == .ok)
            }
            #expect(try await people.outboxMessages(recipient: "essais@chum.example").count == 1)
            try await client.execute(uri: "/api/v1/help-requests/nope", method: .patch, headers: navigatorJSON,
                                     body: ByteBuffer(string: #"{"action":"claim"}"#)) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

/// Today's date for the registry (the route test builds the router directly).
enum CivilDateNow {
    static var today: CivilDate { CivilDate(utc: Date()) }
}
