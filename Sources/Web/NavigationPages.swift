import Access
import Foundation
import Hummingbird
import Navigation
import Storage

/// The navigation service (the seeds' Onco+): anyone sends a help request; navigators see the queue, claim or
/// assign requests, move their status, add notes and send a referral e-mail to a site; the requester follows the
/// status through a secret link. Every read or change of a request is written to the audit log in the same
/// transaction as the read or change (``PeopleTables``).
struct NavigationDesk: Sendable {
    let people: PeopleTables
    let mailer: Mailer
    let serviceLevel = ServiceLevel()
    static let maximumSituationLength = 5_000

    /// Stores a checked request with its confirmation e-mail and audit line; returns the requester's status token.
    func submit(_ help: HelpRequest, account: AccountRecord?, actor: String, now: Date) async throws -> String {
        let token = Secrets.randomToken()
        let language = Language(rawValue: help.language) ?? .fr
        let strings = Strings.table(for: language)
        let statusURL = mailer.link("/help/status/\(token)?lang=\(help.language)")
        let confirmation = try mailer.message(
            key: "help-\(help.id)", to: help.email, language: language,
            content: Mailer.Content(subject: strings["mail_help_subject"] ?? "", heading: strings["mail_help_subject"] ?? "",
                                    paragraphs: [strings["mail_help_text"] ?? ""], action: (strings["help_follow"] ?? "", statusURL)),
            now: now)
        try await people.createHelpRequest(
            help, requesterAccountId: account?.id, statusToken: token, outbox: [confirmation],
            audit: AuditEvent(actor: actor, action: "help-request.create", subject: "help-request:\(help.id)"))
        return token
    }

    /// What became of a navigator's action.
    enum Outcome: Equatable {
        case done
        /// The action or one of its fields cannot be accepted: `action`, `assignee`, `status`, `note` or `referral`.
        case refused(String)
        /// Someone changed the request meanwhile; nothing was written.
        case conflict
    }

    /// Applies a navigator's action (`action` = claim, assign, status, note or refer, with its fields) to a request,
    /// with its note, its referral e-mail and its audit line, in one transaction.
    func act(on stored: StoredHelpRequest, form: FormQuery, visitor: Visitor, language: Language) async throws -> Outcome {
        let current = stored.request
        let id = current.id
        let now = Date()
        var status = current.status
        var assignee: String?? = nil
        var note: HelpRequestNote?
        var outbox: [OutboxMessage] = []
        var detail = ""
        switch form.first("action") ?? "" {
        case "claim":
            guard let account = visitor.account else { return .refused("assignee") }
            assignee = .some(account.id)
            if status == .new { status = .inProgress }
            note = HelpRequestNote(kind: .assignment, authorId: visitor.actor, text: "claimed", createdAt: now)
            detail = "claim"
        case "assign":
            guard let target = form.first("assignee"), let account = try await people.account(id: target),
                account.role == Role.navigator.rawValue || account.role == Role.admin.rawValue
            else { return .refused("assignee") }
            assignee = .some(account.id)
            note = HelpRequestNote(kind: .assignment, authorId: visitor.actor, text: account.displayName, createdAt: now)
            detail = "assign \(account.id)"
        case "status":
            guard let next = form.first("status").flatMap(HelpRequestStatus.init(rawValue:)), current.status.canMove(to: next) else {
                return .refused("status")
            }
            status = next
            note = HelpRequestNote(kind: .status, authorId: visitor.actor, text: "\(current.status.rawValue) → \(next.rawValue)", createdAt: now)
            detail = "\(current.status.rawValue) → \(next.rawValue)"
        case "note":
            guard let text = form.first("note"), text.count <= 5_000 else { return .refused("note") }
            note = HelpRequestNote(kind: .note, authorId: visitor.actor, text: text, createdAt: now)
            detail = "note"
        case "refer":
            guard let site = form.first("site_email").flatMap(EmailAddress.init), let message = form.first("referral"), message.count <= 5_000,
                current.status.canMove(to: .referred) || current.status == .referred
            else { return .refused("referral") }
            let strings = Strings.table(for: language)
            outbox.append(try mailer.message(
                key: "referral-\(id)-\(Secrets.randomToken(bytes: 6))", to: site.value, language: language,
                content: Mailer.Content(subject: strings["mail_referral_subject"] ?? "", heading: strings["mail_referral_subject"] ?? "",
                                        paragraphs: [message, "\(current.name) — \(current.email) \(current.phone)",
                                                     current.trials.joined(separator: ", ")]),
                now: now))
            status = .referred
            note = HelpRequestNote(kind: .referral, authorId: visitor.actor, text: "\(site.value): \(message)", createdAt: now)
            detail = "referral to \(site.value)"
        default:
            return .refused("action")
        }
        let due = status.isOpen ? serviceLevel.followUpDue(from: now) : current.dueAt
        let changed = try await people.updateHelpRequest(
            id: id, expectedStatus: current.status, status: status, assigneeId: assignee, dueAt: due, note: note, outbox: outbox,
            audit: AuditEvent(actor: visitor.actor, action: "help-request.update", subject: "help-request:\(id)", detail: detail), at: now)
        return changed ? .done : .conflict
    }

    /// Checks a help request form; the error names the field.
    func request(from form: FormQuery, account: AccountRecord?, now: Date) throws(ParameterError) -> HelpRequest {
        let kind = HelpRequest.RequesterKind(rawValue: form.first("kind") ?? "patient")
        guard let kind else { throw ParameterError(parameter: "kind", reason: "must be patient, caregiver or professional") }
        let name = (form.first("name") ?? account?.displayName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw ParameterError(parameter: "name", reason: "is required (at most 100 characters)") }
        guard let email = EmailAddress(form.first("email") ?? account?.email ?? "") else {
            throw ParameterError(parameter: "email", reason: "is not an e-mail address")
        }
        let phone = form.first("phone") ?? ""
        guard phone.count <= 30, phone.allSatisfy({ $0.isNumber || " +-().".contains($0) }) else {
            throw ParameterError(parameter: "phone", reason: "is not a telephone number")
        }
        guard let preference = HelpRequest.ContactPreference(rawValue: form.first("contact") ?? "email") else {
            throw ParameterError(parameter: "contact", reason: "must be email or phone")
        }
        if preference == .phone, phone.isEmpty { throw ParameterError(parameter: "phone", reason: "is required to be called") }
        let situation = form.first("situation") ?? ""
        guard !situation.isEmpty, situation.count <= Self.maximumSituationLength else {
            throw ParameterError(parameter: "situation", reason: "is required (at most 5000 characters)")
        }
        let trials = (form.first("trials") ?? "").uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard trials.count <= 20, trials.allSatisfy({ $0.hasPrefix("NCT") && $0.count == 11 && $0.dropFirst(3).allSatisfy(\.isNumber) }) else {
            throw ParameterError(parameter: "trials", reason: "must be NCT numbers such as NCT01234567")
        }
        guard form.first("consent") == "yes" else {
            throw ParameterError(parameter: "consent", reason: "a navigator can only help if you agree to be contacted")
        }
        return HelpRequest(
            id: UUID().uuidString.lowercased(), requesterKind: kind, name: name, email: email.value, phone: phone,
            contactPreference: preference, language: form.first("lang") == "en" ? "en" : "fr", situation: situation,
            trials: trials, consent: true, status: .new, assigneeId: nil, createdAt: now, updatedAt: now,
            dueAt: serviceLevel.firstAnswerDue(from: now))
    }
}

func addNavigationRoutes(to router: Router<AppRequestContext>, pages: Pages, desk: NavigationDesk) {
    let people = desk.people


    @Sendable func requestValues(_ stored: StoredHelpRequest, _ language: Language, now: Date, names: [String: String]) -> [String: Any] {
        let strings = Strings.table(for: language)
        let request = stored.request
        return [
            "id": request.id, "name": request.name, "email": request.email, "phone": request.phone,
            "kind": strings["help_kind_\(request.requesterKind.rawValue)"] ?? "",
            "contact": strings["help_contact_\(request.contactPreference.rawValue)"] ?? "",
            "requestLanguage": request.language == "en" ? "English" : "Français",
            "situation": request.situation, "trials": request.trials, "hasTrials": !request.trials.isEmpty,
            "status": strings["help_status_\(request.status.rawValue)"] ?? "", "statusCode": request.status.rawValue,
            "created": QuebecTime.format(request.createdAt, language), "due": QuebecTime.format(request.dueAt, language),
            "overdue": request.isOverdue(at: now),
            "assignee": request.assigneeId.map { names[$0] ?? $0 } ?? "",
            "notes": stored.notes.map { note -> [String: Any] in
                ["at": QuebecTime.format(note.createdAt, language), "author": names[note.authorId] ?? note.authorId,
                 "kind": strings["help_note_\(note.kind.rawValue)"] ?? "", "text": note.text]
            },
            "moves": HelpRequestStatus.allCases.filter { request.status.canMove(to: $0) }.map {
                ["value": $0.rawValue, "name": strings["help_status_\($0.rawValue)"] ?? $0.rawValue]
            },
        ]
    }

    @Sendable func navigatorNames() async throws -> [String: String] {
        Dictionary(try await people.accounts().map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
    }

    router.get("/help") { request, _ -> Response in
        let language = Language.from(request)
        let account = Visitor.current.account
        return pages.render("help", "help_title", [
            "name": account?.displayName ?? "", "email": account?.email ?? "",
            "trials": request.uri.queryParameters.get("trial") ?? "",
        ], language, path: "/help")
    }

    router.post("/help") { request, _ -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let strings = Strings.table(for: language)
        let visitor = Visitor.current
        let now = Date()
        let help: HelpRequest
        do throws(ParameterError) {
            help = try desk.request(from: form, account: visitor.account, now: now)
        } catch {
            let failure: String = strings["help_error_\(error.parameter)"] ?? error.description
            var values: [String: Any] = ["failure": failure]
            for name in ["name", "email", "phone", "situation", "trials"] { values[name] = form.first(name) ?? "" }
            return pages.render("help", "help_title", values, language, path: "/help", status: .badRequest)
        }
        let token = try await desk.submit(help, account: visitor.account, actor: visitor.actor, now: now)
        return Response(status: .seeOther, headers: [.location: "/help/status/\(token)?lang=\(language.rawValue)&sent=1"])
    }

    router.get("/help/status/:token") { request, context -> Response in
        let language = Language.from(request)
        let actor = Visitor.current.actor
        guard let stored = try await people.helpRequest(
            statusToken: context.parameters.get("token") ?? "",
            audit: { AuditEvent(actor: actor, action: "help-request.read-by-requester", subject: "help-request:\($0)") })
        else { throw HTTPError(.notFound) }
        var values = requestValues(stored, language, now: Date(), names: [:])
        values["sent"] = request.uri.queryParameters.get("sent") == "1"
        values["notes"] = nil
        return pages.render("help-status", "help_status_title", values, language, path: request.uri.path)
    }

    router.get("/navigator") { request, _ -> Response in
        let language = Language.from(request)
        let strings = Strings.table(for: language)
        let all = request.uri.queryParameters.get("all") == "1"
        let requests = try await people.helpRequests(
            statuses: all ? [] : [.new, .inProgress],
            audit: AuditEvent(actor: Visitor.current.actor, action: "help-request.list", subject: "help-requests", detail: all ? "all" : "open"))
        let names = try await navigatorNames()
        let now = Date()
        return pages.render("navigator", "navigator_title", [
            "all": all, "hasRequests": !requests.isEmpty,
            "overdueCount": requests.filter { $0.request.isOverdue(at: now) }.count,
            "requests": requests.map { stored -> [String: Any] in
                var values = requestValues(stored, language, now: now, names: names)
                values["situation"] = String(stored.request.situation.prefix(140))
                values["notes"] = nil
                return values
            },
            "overdueLabel": strings["navigator_overdue"] ?? "",
        ], language, path: "/navigator")
    }

    router.get("/navigator/requests/:id") { request, context -> Response in
        let language = Language.from(request)
        let id = context.parameters.get("id") ?? ""
        guard let stored = try await people.helpRequest(
            id: id, audit: AuditEvent(actor: Visitor.current.actor, action: "help-request.read", subject: "help-request:\(id)"))
        else { throw HTTPError(.notFound) }
        let names = try await navigatorNames()
        var values = requestValues(stored, language, now: Date(), names: names)
        values["navigators"] = try await people.accounts().filter { $0.role == Role.navigator.rawValue || $0.role == Role.admin.rawValue }
            .map { ["id": $0.id, "name": $0.displayName, "selected": $0.id == stored.request.assigneeId] }
        values["failure"] = request.uri.queryParameters.get("error").map { Strings.table(for: language)["navigator_error_\($0)"] ?? $0 } ?? ""
        return pages.render("navigator-request", "navigator_request_title", values, language, path: "/navigator/requests/\(id)")
    }

    router.post("/navigator/requests/:id") { request, context -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let id = context.parameters.get("id") ?? ""
        let visitor = Visitor.current
        let back = "/navigator/requests/\(id)?lang=\(language.rawValue)"
        guard let stored = try await people.helpRequest(
            id: id, audit: AuditEvent(actor: visitor.actor, action: "help-request.read", subject: "help-request:\(id)"))
        else { throw HTTPError(.notFound) }
        switch try await desk.act(on: stored, form: form, visitor: visitor, language: language) {
        case .done: return Response(status: .seeOther, headers: [.location: back])
        case .refused(let field): return Response(status: .seeOther, headers: [.location: back + "&error=\(field)"])
        case .conflict: return Response(status: .seeOther, headers: [.location: back + "&error=conflict"])
        }
    }
}
