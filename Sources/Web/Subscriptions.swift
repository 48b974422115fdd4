import Access
import Alerts
import Charts
import Foundation
import Hummingbird
import Mail
import Mustache
import Storage

/// Saving finder searches for alerts: double opt-in by e-mailed link unless a signed-in account saves it for its
/// own address; signed confirmation and unsubscribe links; an Atom feed per saved search at an unguessable URL.
struct Subscriptions: Sendable {
    let people: PeopleTables
    let secrets: Secrets
    let mailer: Mailer
    let finder: Finder

    /// The subscriptions of a server configured by `configuration`: its signing key (``Secrets/load``), and its
    /// mailer (sender, public address for links, the templates of `library`).
    static func configured(
        people: PeopleTables, finder: Finder, configuration: ServerConfiguration, library: MustacheLibrary
    ) async throws -> Subscriptions {
        let publicURL = configuration.publicURL.hasSuffix("/") ? String(configuration.publicURL.dropLast()) : configuration.publicURL
        return Subscriptions(
            people: people, secrets: try await Secrets.load(configured: configuration.secret, store: people),
            mailer: Mailer(library: library, from: MailAddress(configuration.mailFrom, displayName: "Passerelle"), publicURL: publicURL),
            finder: finder)
    }

    /// Checks and saves a search, queuing the opt-in e-mail in the same transaction when one is needed.
    /// Checks and saves a search; a bad field throws a ``ParameterError`` naming it (`query.radius_km`, `email`).
    func save(query: FormQuery, email: String, frequency: String, language: Language, account: AccountRecord?, now: Date)
        async throws -> SavedSearchRecord
    {
        let parameters: FinderParameters
        do {
            parameters = try FinderParameters.parse(query)
        } catch {
            throw ParameterError(parameter: "query.\(error.parameter)", reason: error.reason)
        }
        if let near = parameters.near, finder.geography.resolve(near) == nil {
            throw ParameterError(parameter: "query.near", reason: "unknown place \"\(near)\": give a postal code, a city or \"lat,lon\"")
        }
        guard let address = EmailAddress(email) else {
            throw ParameterError(parameter: "email", reason: "is not an e-mail address")
        }
        guard let frequency = SavedSearch.Frequency(rawValue: frequency) else {
            throw ParameterError(parameter: "frequency", reason: "must be immediate, daily or weekly, not \"\(frequency)\"")
        }
        var canonical = parameters
        canonical.sort = .relevance
        canonical.limit = 20
        canonical.cursor = nil
        let trusted = account.map { $0.email == address.value } ?? false
        let record = SavedSearchRecord(
            id: UUID().uuidString.lowercased(), accountId: account?.id, email: address.value, query: canonical.form.encoded,
            language: language.rawValue, frequency: frequency.rawValue, confirmed: trusted, feedToken: Secrets.randomToken(),
            createdAt: now, confirmedAt: trusted ? now : nil)
        var outbox: [OutboxMessage] = []
        if !trusted {
            let strings = Strings.table(for: language)
            let url = mailer.link("/alerts/confirm/\(secrets.sign(record.id, purpose: "confirm"))?lang=\(language.rawValue)")
            outbox.append(try mailer.message(
                key: "optin-\(record.id)", to: address.value, language: language,
                content: Mailer.Content(
                    subject: strings["mail_optin_subject"] ?? "", heading: strings["mail_optin_subject"] ?? "",
                    paragraphs: [strings["mail_optin_text"] ?? "", SavedSearchText.label(record.query, language: language)],
                    action: (strings["mail_optin_button"] ?? "", url)),
                now: now))
        }
        try await people.createSavedSearch(record, outbox: outbox)
        return record
    }

    /// The signed link that ends a saved search's alerts.
    func unsubscribeURL(_ search: SavedSearchRecord) -> String {
        mailer.link("/alerts/unsubscribe/\(secrets.sign(search.id, purpose: "unsubscribe"))?lang=\(search.language)")
    }
}

/// A saved search in words, for e-mails and the account page: "lymphome CAR-T · H2X · 50 km · RECRUITING".
enum SavedSearchText {
    static func label(_ query: String, language: Language) -> String {
        let form = FormQuery(query)
        var parts: [String] = []
        if let text = form.first("q") { parts.append("« \(text) »") }
        if let near = form.first("near") {
            parts.append(form.first("radius_km").map { "\(near), \($0) km" } ?? near)
        }
        if let age = form.first("age") { parts.append(language == .fr ? "\(age) ans" : "age \(age)") }
        let strings = Strings.table(for: language)
        for (name, _, _) in FinderParameters.facetParameters {
            for value in form.all(name) { parts.append(strings["status_\(value)"] ?? strings["cgt_\(value)"] ?? value) }
        }
        return parts.isEmpty ? (strings["saved_everything"] ?? "") : parts.joined(separator: " · ")
    }
}

func addSubscriptionRoutes(to router: Router<AppRequestContext>, pages: Pages, subscriptions: Subscriptions) {
    let people = subscriptions.people
    let secrets = subscriptions.secrets

    @Sendable func message(_ headingKey: String, _ textKey: String, _ language: Language, path: String, status: HTTPResponse.Status = .ok)
        -> Response
    {
        let strings = Strings.table(for: language)
        return pages.render("message", MessagePage(heading: strings[headingKey] ?? "", message: strings[textKey] ?? "",
                                                   language: language, path: path),
                            language: language, status: status)
    }

    router.post("/alerts") { request, _ -> Response in
        var request = request
        let form = try await FormQuery.posted(&request)
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let account = Visitor.current.account
        do {
            let saved = try await subscriptions.save(
                query: FormQuery(form.first("query") ?? ""), email: form.first("email") ?? account?.email ?? "",
                frequency: form.first("frequency") ?? "daily", language: language, account: account, now: Date())
            return saved.confirmed
                ? message("saved_title", "saved_active_text", language, path: "/account")
                : message("saved_title", "saved_check_inbox", language, path: "/search")
        } catch let error as ParameterError {
            let strings = Strings.table(for: language)
            let key = error.parameter == "email" ? "error_email" : error.parameter == "frequency" ? "error_frequency" : "error_saved_query"
            return pages.render("message", MessagePage(heading: strings["error_title"] ?? "", message: strings[key] ?? error.reason,
                                                       language: language, path: "/search"),
                                language: language, status: .badRequest)
        }
    }

    router.get("/alerts/confirm/:token") { request, context -> Response in
        let language = Language.from(request)
        guard let id = secrets.verify(context.parameters.get("token") ?? "", purpose: "confirm"),
            try await people.confirmSavedSearch(id: id, at: Date())
        else { return message("error_title", "link_invalid", language, path: "/search", status: .notFound) }
        return message("confirmed_title", "confirmed_text", language, path: "/search")
    }

    // GET shows a button (mail scanners follow links; they must not unsubscribe anyone); POST unsubscribes —
    // from that button or from a mail client's RFC 8058 one-click request.
    router.get("/alerts/unsubscribe/:token") { request, context -> Response in
        let language = Language.from(request)
        let token = context.parameters.get("token") ?? ""
        guard secrets.verify(token, purpose: "unsubscribe") != nil else {
            return message("error_title", "link_invalid", language, path: "/search", status: .notFound)
        }
        let strings = Strings.table(for: language)
        return pages.render("unsubscribe", SimplePage(title: strings["unsubscribe_title"] ?? "", values: ["token": token],
                                                      switchHref: "/alerts/unsubscribe/\(token)?lang=\(language.other.rawValue)"),
                            language: language)
    }

    router.post("/alerts/unsubscribe/:token") { request, context -> Response in
        let language = Language.from(request)
        guard let id = secrets.verify(context.parameters.get("token") ?? "", purpose: "unsubscribe"),
            try await people.unsubscribe(savedSearchId: id, at: Date())
        else { return message("error_title", "link_invalid", language, path: "/search", status: .notFound) }
        return message("unsubscribed_title", "unsubscribed_text", language, path: "/search")
    }

    router.get("/alerts/feed/:token") { request, context -> Response in
        guard let search = try await people.savedSearch(feedToken: context.parameters.get("token") ?? ""), search.confirmed else {
            throw HTTPError(.notFound)
        }
        let language = Language(rawValue: search.language) ?? .fr
        let alerts = try await people.alerts(savedSearchId: search.id, limit: 50)
        let summaries = subscriptions.finder.snapshot.summaries
        let feed = AtomFeed(
            id: "urn:passerelle:saved-search:\(search.id)",
            title: "Passerelle — " + SavedSearchText.label(search.query, language: language),
            link: subscriptions.mailer.link("/search?\(search.query)&lang=\(language.rawValue)"),
            updated: alerts.first?.createdAt ?? search.createdAt,
            entries: alerts.map { alert in
                AtomFeed.Entry(
                    id: "urn:passerelle:alert:\(alert.key)", title: summaries[alert.nctId]?.title ?? alert.nctId,
                    link: subscriptions.mailer.link("/trials/\(alert.nctId)?lang=\(language.rawValue)"), updated: alert.createdAt,
                    summary: AlertWording.line(AlertWorker.reason(alert), language: language))
            })
        return Response(status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: feed.xml)))
    }
}

/// An Atom 1.0 feed (RFC 4287).
struct AtomFeed {
    struct Entry {
        var id: String
        var title: String
        var link: String
        var updated: Date
        var summary: String
    }

    var id: String
    var title: String
    var link: String
    var updated: Date
    var entries: [Entry]

    var xml: String {
        var lines = [
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
            "  <id>\(XMLText.escape(id))</id>", "  <title>\(XMLText.escape(title))</title>",
            "  <link rel=\"alternate\" href=\"\(XMLText.escape(link))\"/>", "  <updated>\(Self.time(updated))</updated>",
            "  <author><name>Passerelle</name></author>",
        ]
        for entry in entries {
            lines += [
                "  <entry>", "    <id>\(XMLText.escape(entry.id))</id>", "    <title>\(XMLText.escape(entry.title))</title>",
                "    <link rel=\"alternate\" href=\"\(XMLText.escape(entry.link))\"/>", "    <updated>\(Self.time(entry.updated))</updated>",
                "    <summary>\(XMLText.escape(entry.summary))</summary>", "  </entry>",
            ]
        }
        lines.append("</feed>")
        return lines.joined(separator: "\n") + "\n"
    }


    static func time(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// An alert's reason in words, in the reader's language.
enum AlertWording {
    static func line(_ reason: AlertReason, language: Language) -> String {
        let strings = Strings.table(for: language)
        switch reason {
        case .newTrial:
            return strings["alert_new-trial"] ?? ""
        case .statusChanged(let from, let to):
            let before = from.map { strings["status_\($0.rawValue)"] ?? $0.rawValue } ?? "?"
            return "\(strings["alert_status-changed"] ?? "") — \(before) → \(strings["status_\(to.rawValue)"] ?? to.rawValue)"
        case .newSiteNearby(_, _, let city, let distance):
            return "\(strings["alert_new-site"] ?? "") — \(city ?? "?"), \(Int(distance.rounded())) km"
        case .nowMatches:
            return strings["alert_now-matches"] ?? ""
        }
    }
}
