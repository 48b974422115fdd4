import API
import Charts
import Foundation
import Navigation
import Storage

/// `POST /api/v1/saved-searches`, `POST /api/v1/help-requests` and `GET /api/v1/help-requests`: the same checks and
/// the same stored effects as the pages (`Subscriptions`, `NavigationDesk`). Who may call them is decided by the
/// role × route table before these run; they read the caller from ``Visitor/current``.
struct PeopleAPI: Sendable {
    let subscriptions: Subscriptions
    let desk: NavigationDesk

    func createSavedSearch(_ input: Operations.CreateSavedSearch.Input) async throws -> Operations.CreateSavedSearch.Output {
        guard case let .json(body) = input.body else { return .badRequest(MatchAPI.problem(field: "query", "a JSON body is required")) }
        var pairs: [(name: String, value: String)] = []
        let query = body.query
        if let q = query.q { pairs.append(("q", q)) }
        if let near = query.near { pairs.append(("near", near)) }
        if let radius = query.radiusKm { pairs.append(("radius_km", NumberFormat.plain(radius))) }
        if let age = query.age { pairs.append(("age", NumberFormat.plain(age))) }
        if let sex = query.sex { pairs.append(("sex", sex.rawValue)) }
        for (name, values) in [("status", query.status), ("phase", query.phase), ("cgt", query.cgt), ("province", query.province),
                               ("region", query.region)] {
            for value in values ?? [] { pairs.append((name, value)) }
        }
        let language: Language = body.lang == .en ? .en : .fr
        do {
            let saved = try await subscriptions.save(
                query: FormQuery(pairs: pairs), email: body.email, frequency: body.frequency?.rawValue ?? "daily", language: language,
                account: Visitor.current.account, now: Date())
            return .created(.init(body: .json(.init(
                id: saved.id, confirmed: saved.confirmed, frequency: saved.frequency, lang: saved.language, query: saved.query))))
        } catch let error as ParameterError {
            return .badRequest(MatchAPI.problem(field: error.parameter, error.reason))
        }
    }

    func createHelpRequest(_ input: Operations.CreateHelpRequest.Input) async throws -> Operations.CreateHelpRequest.Output {
        guard case let .json(body) = input.body else { return .badRequest(MatchAPI.problem(field: "situation", "a JSON body is required")) }
        var pairs: [(name: String, value: String)] = [
            ("kind", body.kind?.rawValue ?? "patient"), ("name", body.name), ("email", body.email), ("phone", body.phone ?? ""),
            ("contact", body.contact?.rawValue ?? "email"), ("lang", body.lang?.rawValue ?? "fr"), ("situation", body.situation),
            ("trials", (body.trials ?? []).joined(separator: " ")),
        ]
        if body.consent { pairs.append(("consent", "yes")) }
        let visitor = Visitor.current
        let now = Date()
        do {
            let help = try desk.request(from: FormQuery(pairs: pairs), account: visitor.account, now: now)
            let token = try await desk.submit(help, account: visitor.account, actor: visitor.actor, now: now)
            return .created(.init(body: .json(.init(
                status: help.status.rawValue, dueAt: help.dueAt, statusUrl: desk.mailer.link("/help/status/\(token)?lang=\(help.language)")))))
        } catch let error as ParameterError {
            return .badRequest(MatchAPI.problem(field: error.parameter, error.reason))
        }
    }

    func listHelpRequests(_ input: Operations.ListHelpRequests.Input) async throws -> Operations.ListHelpRequests.Output {
        let all = input.query.all ?? false
        let requests = try await desk.people.helpRequests(
            statuses: all ? [] : [.new, .inProgress],
            audit: AuditEvent(actor: Visitor.current.actor, action: "help-request.list", subject: "help-requests", detail: all ? "all (api)" : "open (api)"))
        let now = Date()
        return .ok(.init(body: .json(requests.map { Self.summary($0.request, now: now) })))
    }

    func updateHelpRequest(_ input: Operations.UpdateHelpRequest.Input) async throws -> Operations.UpdateHelpRequest.Output {
        guard case let .json(body) = input.body else { return .badRequest(MatchAPI.problem(field: "action", "a JSON body is required")) }
        let id = input.path.id
        let visitor = Visitor.current
        guard let stored = try await desk.people.helpRequest(
            id: id, audit: AuditEvent(actor: visitor.actor, action: "help-request.read", subject: "help-request:\(id)"))
        else {
            return .notFound(.init(body: .applicationProblemJson(
                .init(_type: "about:blank", title: "Not found", status: 404, detail: "no help request \(id)"))))
        }
        var pairs: [(name: String, value: String)] = [("action", body.action.rawValue)]
        for (name, value) in [("assignee", body.assignee), ("status", body.status?.rawValue), ("note", body.note),
                              ("site_email", body.siteEmail), ("referral", body.referral)] {
            if let value { pairs.append((name, value)) }
        }
        let language: Language = body.lang == .en ? .en : .fr
        switch try await desk.act(on: stored, form: FormQuery(pairs: pairs), visitor: visitor, language: language) {
        case .done:
            guard let after = try await desk.people.helpRequest(
                id: id, audit: AuditEvent(actor: visitor.actor, action: "help-request.read", subject: "help-request:\(id)"))
            else { return .conflict(.init(body: .applicationProblemJson(Self.conflict(id)))) }
            return .ok(.init(body: .json(Self.summary(after.request, now: Date()))))
        case .refused(let field):
            let name = ["site_email": "siteEmail", "referral": "referral"][field] ?? field
            return .badRequest(MatchAPI.problem(field: name, "cannot be accepted for this action and request"))
        case .conflict:
            return .conflict(.init(body: .applicationProblemJson(Self.conflict(id))))
        }
    }

    static func conflict(_ id: String) -> Components.Schemas.Problem {
        .init(_type: "about:blank", title: "Conflict", status: 409, detail: "help request \(id) was changed meanwhile; nothing was written")
    }

    static func summary(_ request: HelpRequest, now: Date) -> Components.Schemas.HelpRequestSummary {
        .init(
            id: request.id, status: request.status.rawValue, kind: request.requesterKind.rawValue, name: request.name,
            email: request.email, phone: request.phone.isEmpty ? nil : request.phone, contact: request.contactPreference.rawValue,
            createdAt: request.createdAt, dueAt: request.dueAt, overdue: request.isOverdue(at: now), assignee: request.assigneeId,
            trials: request.trials)
    }
}
