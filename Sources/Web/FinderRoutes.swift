import API
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime
import Search
import Storage
import Trials

/// The finder's pages: `/search`, `/trials/{nct}` (patient or professional view) and `/portrait`.
func addFinderPages(to router: Router<AppRequestContext>, pages: Pages, finder: Finder, store: any TrialStore) {
    router.get("/search") { request, _ -> Response in
        let language = Language.from(request)
        let form = FormQuery(request.uri.query)
        let parameters: FinderParameters
        do {
            parameters = try FinderParameters.parse(form)
        } catch {
            var fallback = FinderParameters()
            fallback.text = form.first("q") ?? ""
            let model = SearchPageModel(
                parameters: fallback, results: nil, summaries: [], error: "\(error)", language: language)
            return pages.render("search", model, language: language, status: .badRequest)
        }
        let hasQuery = !form.pairs.filter { $0.name != "lang" }.isEmpty
        guard hasQuery else {
            let model = SearchPageModel(parameters: parameters, results: nil, summaries: [], error: nil, language: language)
            return pages.render("search", model, language: language)
        }
        let effective = parameters
        do {
            let (results, summaries) = try finder.search(effective.searchQuery())
            var model = SearchPageModel(
                parameters: parameters, results: results, summaries: summaries, error: nil, language: language)
            if results.total == 0, effective.radiusKm != nil {
                var wider = effective
                wider.radiusKm = nil
                wider.cursor = nil
                wider.sort = .distance
                wider.limit = 1
                let (further, _) = try finder.search(wider.searchQuery(facets: []))
                if further.total > 0 { model.wider = (further.total, further.hits.first?.nearestSite, wider) }
            }
            return pages.render("search", model, language: language)
        } catch {
            let message: String
            if case .unknownPlace = error as? SearchError {
                message = Strings.table(for: language)["unknown_place"] ?? "\(error)"
            } else {
                message = "\(error)"
            }
            let model = SearchPageModel(parameters: parameters, results: nil, summaries: [], error: message, language: language)
            return pages.render("search", model, language: language, status: .badRequest)
        }
    }

    router.get("/trials/:nct") { request, context -> Response in
        let language = Language.from(request)
        let nctId = (context.parameters.get("nct") ?? "").uppercased()
        let strings = Strings.table(for: language)
        guard nctId.wholeMatch(of: /NCT[0-9]{8}/) != nil, let trial = try await store.trial(nctId) else {
            let model = MessagePage(
                heading: strings["not_found_title"] ?? "", message: strings["not_found_text"] ?? "", language: language,
                path: "/trials/\(nctId)")
            return pages.render("message", model, language: language, status: .notFound)
        }
        let professional = request.uri.queryParameters.get("view") == "pro"
        let model = TrialPageModel(trial: trial, professional: professional, geography: finder.geography, language: language)
        return pages.render("trial", model, language: language)
    }

    router.get("/portrait") { request, _ -> Response in
        let language = Language.from(request)
        let scope = request.uri.queryParameters.get("scope").flatMap(TrialPortrait.Scope.init(rawValue:)) ?? .quebec
        let portrait = TrialPortrait(finder.snapshot.summaries.values, scope: scope, year: TrialsAPI.year(of: Date()))
        return pages.render("portrait", PortraitPageModel(portrait: portrait, language: language), language: language)
    }
}

/// A page with a heading and one message (not found, errors).
struct MessagePage: PageModel {
    var heading: String
    var message: String
    var language: Language
    var path: String

    var switchHref: String { "\(path)?lang=\(language.other.rawValue)" }
    var context: [String: Any] { ["title": heading, "heading": heading, "message": message] }
}

/// The OpenAPI document, served as written.
enum OpenAPISpecification {
    static func load() throws -> [UInt8] {
        guard let url = API.specificationURL else {
            throw HTTPError(.internalServerError, message: "openapi.yaml is missing from the bundle")
        }
        return Array(try Data(contentsOf: url))
    }
}

/// Turns the OpenAPI layer's request errors (a query parameter that is not a number, an unknown enum value) into
/// `400` with an RFC 9457 problem body naming the parameter, instead of a `500`.
struct APIProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            let decoding = error.underlyingError as? DecodingError
            let status: HTTPResponse.Status = decoding != nil ? .badRequest : error.httpStatus
            guard (400..<500).contains(status.code) else { throw error }
            if request.method == .post, let decoding {
                return try Self.bodyProblem(decoding)
            }
            let named = Self.namedError(request.uri.query)
            let parameter = named?.parameter ?? Self.parameter(in: error.causeDescription)
            var problem: [String: Any] = [
                "type": "about:blank", "title": "Invalid parameter", "status": status.code,
                "detail": named?.description ?? parameter.map { "\($0): invalid value" } ?? error.causeDescription,
            ]
            if let parameter { problem["parameter"] = parameter }
            let data = try JSONSerialization.data(withJSONObject: problem, options: [.sortedKeys])
            return Response(
                status: status, headers: [.contentType: "application/problem+json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// `400` naming the request body field the generated layer could not decode, as a JSON path (`strategies[0].cost`).
    static func bodyProblem(_ error: DecodingError) throws -> Response {
        let context: DecodingError.Context? = switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context): context
        case let .keyNotFound(key, context): .init(codingPath: context.codingPath + [key], debugDescription: "missing")
        @unknown default: nil
        }
        let path = (context?.codingPath ?? []).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        let field = path.isEmpty ? "(root)" : path.hasPrefix(".") ? String(path.dropFirst()) : path
        let problem: [String: Any] = [
            "type": "about:blank", "title": "Invalid request body", "status": 400, "field": field,
            "detail": "\(field): \(context?.debugDescription ?? "cannot be read")",
        ]
        return Response(
            status: .badRequest, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: problem, options: [.sortedKeys]))))
    }

    /// The request's query read again by the finder's own checks, which name the parameter and the reason.
    static func namedError(_ query: String?) -> ParameterError? {
        let form = FormQuery(query)
        let choices: [String: Set<String>] = [
            "format": ["json", "csv", "fhir"], "scope": ["quebec", "canada", "all"], "lang": ["fr", "en"],
            "endpoint": ["os", "pfs"], "group": ["none", "product", "indication"], "conf_type": ["log", "log-log", "plain"],
        ]
        for (name, accepted) in choices.sorted(by: { $0.key < $1.key }) {
            if let value = form.first(name), !accepted.contains(value) {
                return ParameterError(parameter: name, reason: "unknown value \"\(value)\"")
            }
        }
        do {
            _ = try FinderParameters.parse(form)
            return nil
        } catch {
            return error
        }
    }

    /// A parameter named in the runtime's message, e.g. "… query item 'radius_km' …".
    static func parameter(in description: String) -> String? {
        guard let match = description.firstMatch(of: /'([a-z_]+)'/) else { return nil }
        return String(match.1)
    }
}
