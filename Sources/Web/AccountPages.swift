import Access
import Foundation
import Hummingbird
import HummingbirdBcrypt
import NIOPosix
import Storage

/// Sign-up, sign-in and sign-out, password reset by e-mailed signed link, the account page, and the admin's
/// account and audit pages. Passwords are bcrypt hashes (hummingbird-auth), hashed off the event loops; sessions
/// are random tokens kept in the store as SHA-256 hashes.
struct Accounts: Sendable {
    let people: PeopleTables
    let secrets: Secrets
    let mailer: Mailer
    let bcryptCost: UInt8
    let secureCookies: Bool
    /// Session lifetime.
    static let sessionSeconds = 14 * 24 * 3600
    /// Reset links expire after this long, and once the password changes.
    static let resetSeconds: TimeInterval = 3600
    /// Sign-in rate limits over ``failureWindow``: per address and per client.
    static let failuresPerEmail = 5
    static let failuresPerClient = 20
    static let failureWindow: TimeInterval = 15 * 60

    func hash(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A bcrypt hash of nothing anyone knows, checked when the address has no account so that the answer takes as
    /// long either way.
    static let decoyHash = Bcrypt.hash(Secrets.randomToken(), cost: 4)

    /// Opens a session for `account`: the `Set-Cookie` value.
    func startSession(_ account: AccountRecord, now: Date) async throws -> String {
        let token = Secrets.randomToken()
        try await people.createSession(
            tokenHash: Secrets.sha256(token), accountId: account.id, csrfToken: Secrets.randomToken(), createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(Self.sessionSeconds)))
        return Cookies.make(Cookies.session, token, maxAge: Self.sessionSeconds, secure: secureCookies)
    }

    /// The reset token of `account`: its id, an expiry and the time its password last changed, signed. Using it
    /// changes the password, which invalidates it.
    func resetToken(_ account: AccountRecord, now: Date) -> String {
        let expires = Int(now.timeIntervalSince1970 + Self.resetSeconds)
        let changed = Int(account.passwordChangedAt.timeIntervalSince1970 * 1000)
        return secrets.sign("\(account.id)~\(expires)~\(changed)", purpose: "reset")
    }

    /// The account a reset token opens, if valid now.
    func account(resetToken token: String, now: Date) async throws -> AccountRecord? {
        guard let payload = secrets.verify(token, purpose: "reset") else { return nil }
        let parts = payload.split(separator: "~").map(String.init)
        guard parts.count == 3, let expires = Int(parts[1]), let changed = Int(parts[2]),
            Double(expires) > now.timeIntervalSince1970, let account = try await people.account(id: parts[0]),
            Int(account.passwordChangedAt.timeIntervalSince1970 * 1000) == changed
        else { return nil }
        return account
    }
}

struct SignInPage: PageModel {
    var next: String
    var failure: String?
    var email: String
    var notice: String? = nil
    var language: Language

    var switchHref: String { "/account/sign-in?lang=\(language.other.rawValue)&next=\(Self.escape(next))" }

    var context: [String: Any] {
        ["title": Strings.table(for: language)["sign_in_title"] ?? "", "next": next, "failure": failure ?? "",
         "email": email, "notice": notice ?? ""]
    }

    /// `next` only when it is a path on this site, so the form cannot send people elsewhere.
    static func safeNext(_ value: String?) -> String {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\"), !value.hasPrefix("/account/sign")
        else { return "/account" }
        return value
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? ""
    }
}

/// A page built from a title and a context (forms with few fields).
struct SimplePage: PageModel {
    var title: String
    var values: [String: Any]
    var switchHref: String

    var context: [String: Any] { values.merging(["title": title]) { first, _ in first } }
}

extension Pages {
    /// `template` filled with `values`, titled by the string `titleKey`; the language switch points to `path`.
    func render(_ template: String, _ titleKey: String, _ values: [String: Any], _ language: Language, path: String,
                status: HTTPResponse.Status = .ok) -> Response {
        render(template, SimplePage(title: Strings.table(for: language)[titleKey] ?? "", values: values,
                                    switchHref: "\(path)?lang=\(language.other.rawValue)"),
               language: language, status: status)
    }
}

func addAccountRoutes(to router: Router<AppRequestContext>, pages: Pages, accounts: Accounts) {
    let people = accounts.people


    @Sendable func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    router.get("/account/sign-up") { request, _ -> Response in
        pages.render("sign-up", "sign_up_title", [:], Language.from(request), path: "/account/sign-up")
    }

    router.post("/account/sign-up") { request, _ -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let strings = Strings.table(for: language)
        let name = (form.first("name") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let password = form.first("password") ?? ""
        let role = form.first("role").flatMap(Role.init(rawValue:)) ?? .patient
        var values: [String: Any] = ["name": name, "email": form.first("email") ?? "", "professional": role == .professional]
        func failed(_ key: String, _ status: HTTPResponse.Status = .badRequest) -> Response {
            values["failure"] = strings[key] ?? key
            return pages.render("sign-up", "sign_up_title", values, language, path: "/account/sign-up", status: status)
        }
        guard let email = EmailAddress(form.first("email") ?? "") else { return failed("error_email") }
        guard !name.isEmpty, name.count <= 100 else { return failed("error_name") }
        guard Role.selfServe.contains(role) else { return failed("error_role") }
        if let rule = PasswordRule.check(password, email: email.value) { return failed("password_\(rule.rawValue)") }
        let now = Date()
        let account = AccountRecord(
            id: UUID().uuidString.lowercased(), email: email.value, passwordHash: try await accounts.hash(password),
            role: role.rawValue, displayName: name, language: language.rawValue, createdAt: now, passwordChangedAt: now)
        guard try await people.createAccount(
            account, audit: AuditEvent(actor: account.id, action: "account.create", subject: "account:\(account.id)", detail: role.rawValue))
        else { return failed("error_email_taken", .conflict) }
        return redirect("/account?lang=\(language.rawValue)", cookie: try await accounts.startSession(account, now: now))
    }

    router.get("/account/sign-in") { request, _ -> Response in
        let language = Language.from(request)
        let next = SignInPage.safeNext(request.uri.queryParameters.get("next"))
        let notice = request.uri.queryParameters.get("reset") == "done" ? Strings.table(for: language)["reset_done"] : nil
        return pages.render("sign-in", SignInPage(next: next, failure: nil, email: "", notice: notice, language: language),
                            language: language)
    }

    router.post("/account/sign-in") { request, context -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let strings = Strings.table(for: language)
        let next = SignInPage.safeNext(form.first("next"))
        let typed = form.first("email") ?? ""
        let email = EmailAddress(typed)?.value ?? typed.lowercased()
        let now = Date()
        let since = now.addingTimeInterval(-Accounts.failureWindow)
        let emailKey = "email:\(email)", clientKey = "client:\(context.clientAddress)"
        let emailFailures = try await people.signInFailures(key: emailKey, since: since)
        let clientFailures = try await people.signInFailures(key: clientKey, since: since)
        if emailFailures >= Accounts.failuresPerEmail || clientFailures >= Accounts.failuresPerClient {
            var response = pages.render("sign-in", SignInPage(next: next, failure: strings["sign_in_limited"], email: typed, language: language),
                                        language: language, status: .tooManyRequests)
            response.headers[.retryAfter] = String(Int(Accounts.failureWindow))
            return response
        }
        let account = try await people.account(email: email)
        let valid = try await accounts.verify(form.first("password") ?? "", hash: account?.passwordHash ?? Accounts.decoyHash)
        guard let account, valid else {
            try await people.recordSignInFailure(keys: [emailKey, clientKey], at: now)
            return pages.render("sign-in", SignInPage(next: next, failure: strings["sign_in_failed"], email: typed, language: language),
                                language: language, status: .unauthorized)
        }
        try await people.clearSignInFailures(key: emailKey)
        let target = next + (next.contains("?") ? "&" : "?") + "lang=\(language.rawValue)"
        return redirect(target, cookie: try await accounts.startSession(account, now: now))
    }

    router.post("/account/sign-out") { request, _ -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        if let hash = Visitor.current.sessionHash { try await people.deleteSession(tokenHash: hash) }
        return redirect("/?lang=\(language.rawValue)",
                        cookie: Cookies.make(Cookies.session, "", maxAge: 0, secure: accounts.secureCookies))
    }

    router.get("/account/reset") { request, _ -> Response in
        pages.render("account-reset", "reset_title", [:], Language.from(request), path: "/account/reset")
    }

    router.post("/account/reset") { request, _ -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let strings = Strings.table(for: language)
        // The same answer whether or not the address has an account, so the form does not reveal who has one.
        if let email = EmailAddress(form.first("email") ?? ""), let account = try await people.account(email: email.value) {
            let now = Date()
            let accountLanguage = Language(rawValue: account.language) ?? language
            let mailStrings = Strings.table(for: accountLanguage)
            let url = accounts.mailer.link("/account/reset/\(accounts.resetToken(account, now: now))?lang=\(accountLanguage.rawValue)")
            let message = try accounts.mailer.message(
                key: "reset-\(Secrets.randomToken(bytes: 12))", to: account.email, language: accountLanguage,
                content: Mailer.Content(subject: mailStrings["mail_reset_subject"] ?? "", heading: mailStrings["mail_reset_subject"] ?? "",
                                        paragraphs: [mailStrings["mail_reset_text"] ?? ""],
                                        action: (mailStrings["reset_save"] ?? "", url)),
                now: now)
            try await people.enqueue([message])
        }
        return pages.render("account-reset", "reset_title", ["notice": strings["reset_sent"] ?? ""], language, path: "/account/reset")
    }

    router.get("/account/reset/:token") { request, context -> Response in
        let language = Language.from(request)
        let token = context.parameters.get("token") ?? ""
        guard try await accounts.account(resetToken: token, now: Date()) != nil else {
            return pages.render("account-reset", "reset_title", ["failure": Strings.table(for: language)["reset_invalid"] ?? ""], language,
                          path: "/account/reset", status: .notFound)
        }
        return pages.render("account-reset", "reset_title", ["token": token], language, path: "/account/reset/\(token)")
    }

    router.post("/account/reset/:token") { request, context -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let strings = Strings.table(for: language)
        let token = context.parameters.get("token") ?? ""
        let now = Date()
        guard let account = try await accounts.account(resetToken: token, now: now) else {
            return pages.render("account-reset", "reset_title", ["failure": strings["reset_invalid"] ?? ""], language,
                          path: "/account/reset", status: .notFound)
        }
        let password = form.first("password") ?? ""
        if let rule = PasswordRule.check(password, email: account.email) {
            return pages.render("account-reset", "reset_title", ["token": token, "failure": strings["password_\(rule.rawValue)"] ?? ""],
                          language, path: "/account/reset/\(token)", status: .badRequest)
        }
        try await people.setPassword(accountId: account.id, hash: try await accounts.hash(password), at: now)
        return redirect("/account/sign-in?reset=done&lang=\(language.rawValue)")
    }

    router.get("/account") { request, _ -> Response in
        let language = Language.from(request)
        let strings = Strings.table(for: language)
        guard let account = Visitor.current.account else {
            return pages.render("message", "forbidden_title", ["heading": strings["forbidden_title"] ?? ""], language, path: "/account",
                          status: .forbidden)
        }
        let searches = try await people.savedSearches(accountId: account.id, email: account.email)
        let requests = try await people.helpRequests(requesterAccountId: account.id)
        let role = Role(rawValue: account.role)
        return pages.render("account", "account_title", [
            "name": account.displayName, "email": account.email, "roleName": strings["role_\(account.role)"] ?? account.role,
            "hasSearches": !searches.isEmpty,
            "searches": searches.map { search -> [String: Any] in
                var row: [String: Any] = [
                    "query": search.query, "label": SavedSearchText.label(search.query, language: language),
                    "frequency": strings["frequency_\(search.frequency)"] ?? search.frequency,
                    "state": strings[search.unsubscribedAt != nil ? "saved_unsubscribed" : search.confirmed ? "saved_active" : "saved_pending"] ?? "",
                    "feed": "/alerts/feed/\(search.feedToken)",
                ]
                if search.unsubscribedAt == nil { row["unsubscribe"] = "/alerts/unsubscribe/\(accounts.secrets.sign(search.id, purpose: "unsubscribe"))?lang=\(language.rawValue)" }
                return row
            },
            "hasRequests": !requests.isEmpty,
            "requests": requests.map { stored -> [String: Any] in
                ["url": "/help/status/\(stored.statusToken)?lang=\(language.rawValue)",
                 "created": QuebecTime.format(stored.request.createdAt, language),
                 "status": strings["help_status_\(stored.request.status.rawValue)"] ?? stored.request.status.rawValue]
            },
            "isNavigator": role == .navigator || role == .admin, "isAdmin": role == .admin,
        ], language, path: "/account")
    }

    router.get("/admin/accounts") { request, _ -> Response in
        let language = Language.from(request)
        let strings = Strings.table(for: language)
        let all = try await people.accounts()
        try await people.audit(AuditEvent(actor: Visitor.current.actor, action: "account.list", subject: "accounts"))
        return pages.render("admin-accounts", "admin_accounts_title", [
            "accounts": all.map { account -> [String: Any] in
                ["id": account.id, "email": account.email, "name": account.displayName,
                 "roles": Role.allCases.map { ["value": $0.rawValue, "name": strings["role_\($0.rawValue)"] ?? $0.rawValue,
                                               "selected": $0.rawValue == account.role] }]
            },
        ], language, path: "/admin/accounts")
    }

    router.post("/admin/accounts/:id/role") { request, context -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let id = context.parameters.get("id") ?? ""
        guard let role = form.first("role").flatMap(Role.init(rawValue:)), let account = try await people.account(id: id) else {
            return pages.render("message", "error_title", ["heading": Strings.table(for: language)["error_role"] ?? ""], language,
                          path: "/admin/accounts", status: .badRequest)
        }
        try await people.setRole(accountId: account.id, role: role.rawValue, audit: AuditEvent(
            actor: Visitor.current.actor, action: "account.role", subject: "account:\(account.id)", detail: "\(account.role) → \(role.rawValue)"))
        return redirect("/admin/accounts?lang=\(language.rawValue)")
    }

    router.get("/admin/audit") { request, _ -> Response in
        let language = Language.from(request)
        let strings = Strings.table(for: language)
        let entries = try await people.auditEntries(subject: request.uri.queryParameters.get("subject"), limit: 500)
        return pages.render("admin-list", "admin_audit_title", [
            "heading": strings["admin_audit_title"] ?? "",
            "columns": ["#", strings["audit_at"] ?? "", strings["audit_actor"] ?? "", strings["audit_action"] ?? "", strings["audit_subject"] ?? "", strings["audit_detail"] ?? ""],
            "rows": entries.map { ["cells": [String($0.sequence), QuebecTime.format($0.at, language), $0.actor, $0.action, $0.subject, $0.detail]] },
        ], language, path: "/admin/audit")
    }

    router.get("/admin/outbox") { request, _ -> Response in
        let language = Language.from(request)
        let strings = Strings.table(for: language)
        let counts = try await people.outboxCounts()
        let messages = try await people.outboxMessages(limit: 500)
        return pages.render("admin-list", "admin_outbox_title", [
            "heading": strings["admin_outbox_title"] ?? "",
            "summary": OutboxMessage.State.allCases.map { "\($0.rawValue): \(counts[$0] ?? 0)" }.joined(separator: " · "),
            "columns": [strings["outbox_key"] ?? "", strings["outbox_recipient"] ?? "", strings["outbox_state"] ?? "",
                        strings["outbox_attempts"] ?? "", strings["outbox_error"] ?? ""],
            "rows": messages.map { ["cells": [$0.key, $0.recipient, $0.state.rawValue, String($0.attempts), $0.lastError ?? ""]] },
        ], language, path: "/admin/outbox")
    }
}

/// Québec's clock: times as people read them, calendar days (digest keys), working hours (digest times).
enum QuebecTime {
    static let zone = TimeZone(identifier: "America/Toronto") ?? .gmt
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }()

    /// A date and time for reading ("30 nov. 2026, 09 h 15").
    static func format(_ date: Date, _ language: Language) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened)
        style.timeZone = zone
        style.locale = Locale(identifier: language == .fr ? "fr_CA" : "en_CA")
        return date.formatted(style)
    }

    /// The calendar day, "2026-11-30".
    static func day(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
