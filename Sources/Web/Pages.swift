import Charts
import Foundation
import Hummingbird
import Mustache
import Trials

/// The server-rendered pages: Mustache templates from the bundle, filled with a view model and the string table of
/// the page's language.
struct Pages: Sendable {
    let library: MustacheLibrary

    static func load() async throws -> Pages {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil)?.path else {
            throw HTTPError(.internalServerError, message: "templates are missing from the bundle")
        }
        return Pages(library: try await MustacheLibrary(directory: directory))
    }

    /// Renders `template` with `model` as an HTML response.
    func render(_ template: String, _ model: some PageModel, language: Language, status: HTTPResponse.Status = .ok)
        -> Response
    {
        var context = Self.withoutEmptyText(model.context)
        context["t"] = Strings.table(for: language)
        context["lang"] = language.rawValue
        context["otherLang"] = language.other.rawValue
        context["otherLangName"] = language.other.displayName
        context["switchHref"] = model.switchHref
        let visitor = Visitor.current
        context["csrf"] = visitor.csrfToken
        if let account = visitor.account { context["signedIn"] = ["name": account.displayName] }
        let html = library.render(context, withTemplate: template) ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .contentLanguage: language.rawValue],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension Pages {
    /// The context without empty strings, recursively: Mustache treats "" as true, so `{{#field}}…{{/field}}`
    /// sections would show around nothing.
    static func withoutEmptyText(_ context: [String: Any]) -> [String: Any] {
        context.compactMapValues(withoutEmptyText)
    }

    private static func withoutEmptyText(_ value: Any) -> Any? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        case let dictionary as [String: Any]: withoutEmptyText(dictionary)
        case let list as [[String: Any]]: list.map(withoutEmptyText)
        default: value
        }
    }
}

/// A page's view model.
protocol PageModel {
    var context: [String: Any] { get }
    /// The link that shows this same page in the other language.
    var switchHref: String { get }
}

/// The two languages of the interface. French is the default.
enum Language: String, Sendable, CaseIterable {
    case fr, en

    var other: Language { self == .fr ? .en : .fr }
    var displayName: String { self == .fr ? "Français" : "English" }

    /// `?lang=en` or `?lang=fr`; anything else is French.
    static func from(_ request: Request) -> Language {
        request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) ?? .fr
    }

    /// A whole number with this language's thousands separator ("7 354" in French, "7,354" in English).
    func format(_ value: Int) -> String {
        (self == .fr ? NumberFormat.french : NumberFormat.english).string(Double(value), decimals: 0)
    }
}

/// The home page: what Passerelle is and the live counts.
struct HomePage: PageModel {
    var summary: CatalogSummary
    var language: Language
    var path: String

    var switchHref: String { "\(path)?lang=\(language.other.rawValue)" }

    var context: [String: Any] {
        let strings = Strings.table(for: language)
        return [
            "title": strings["home_title"] ?? "Passerelle",
            "trials": language.format(summary.trials),
            "recruiting": language.format(summary.recruiting),
            "openSoon": language.format(summary.openSoon),
            "cgt": language.format(summary.cgt),
            "sites": language.format(summary.sites),
            "countries": language.format(summary.countries),
            "inCanada": language.format(summary.inCanada),
            "cgtTypes": summary.cgtByType.map { entry in
                ["name": strings["cgt_\(entry.type.rawValue)"] ?? entry.type.rawValue, "count": language.format(entry.count)]
            },
            "hasCgtTypes": !summary.cgtByType.isEmpty,
        ]
    }
}
