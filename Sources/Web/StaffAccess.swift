import Foundation
import HTTPTypes
import Hummingbird

/// Who may see registry data. **Placeholder until the accounts issue lands**: one staff token configured on the
/// server (`PASSERELLE_STAFF_TOKEN`); a request carrying it — `Authorization: Bearer <token>`, or the
/// `passerelle_staff` cookie that `/staff/sign-in` sets — has the staff role. Deny by default: with no token
/// configured nobody has the role.
///
/// This is the one place the check is made: `StaffAccessMiddleware` guards every path under ``protectedPrefixes``
/// (registry pages and registry API) before any handler runs.
struct StaffAccess: Sendable {
    /// The configured token; `nil` or empty denies everyone.
    let token: String?

    static let cookieName = "passerelle_staff"
    /// Paths that need the staff role.
    static let protectedPrefixes = ["/registry", "/api/v1/registry"]

    enum Decision: Equatable {
        case allowed
        /// No (or a wrong) token was presented.
        case unauthenticated
        /// The server has no staff token: registry access is off.
        case notConfigured
    }

    static func isProtected(_ path: String) -> Bool {
        protectedPrefixes.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    func decide(_ request: Request) -> Decision {
        guard let token, !token.isEmpty else { return .notConfigured }
        return presentedTokens(request).contains { Self.constantTimeEqual($0, token) } ? .allowed : .unauthenticated
    }

    /// Whether `candidate` is the configured token (sign-in form).
    func accepts(_ candidate: String) -> Bool {
        guard let token, !token.isEmpty else { return false }
        return Self.constantTimeEqual(candidate, token)
    }

    private func presentedTokens(_ request: Request) -> [String] {
        var tokens: [String] = []
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            tokens.append(String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces))
        }
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == Self.cookieName { tokens.append(parts[1].removingPercentEncoding ?? parts[1]) }
            }
        }
        return tokens
    }

    /// Compares without stopping at the first difference, so timing does not reveal the token.
    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

/// Applies `StaffAccess` to the protected paths: the API answers `401`/`403` with a problem body, pages show the
/// sign-in form (`401`) or a "not available" page (`403`).
struct StaffAccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: StaffAccess
    let pages: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard StaffAccess.isProtected(path) else { return try await next(request, context) }
        let decision = access.decide(request)
        if decision == .allowed { return try await next(request, context) }
        let status: HTTPResponse.Status = decision == .notConfigured ? .forbidden : .unauthorized
        if path.hasPrefix("/api/") {
            let detail = decision == .notConfigured
                ? "registry access is not configured on this server" : "the staff role is needed: send the staff token"
            let problem: [String: Any] = ["type": "about:blank", "title": status.reasonPhrase, "status": status.code, "detail": detail]
            var headers: HTTPFields = [.contentType: "application/problem+json"]
            if decision == .unauthenticated { headers[.wwwAuthenticate] = "Bearer realm=\"passerelle-registry\"" }
            return Response(status: status, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: problem, options: [.sortedKeys]))))
        }
        let language = Language.from(request)
        if decision == .notConfigured {
            let strings = Strings.table(for: language)
            return pages.render("message", MessagePage(heading: strings["staff_unavailable_title"] ?? "",
                                                       message: strings["staff_unavailable_text"] ?? "",
                                                       language: language, path: path),
                                language: language, status: status)
        }
        return pages.render("sign-in", SignInPage(next: request.uri.description, failed: false, language: language),
                            language: language, status: status)
    }
}

/// The staff sign-in form (placeholder: one shared token, see `StaffAccess`).
struct SignInPage: PageModel {
    /// Where to go after signing in (a registry path).
    var next: String
    var failed: Bool
    var language: Language

    var switchHref: String { "/staff/sign-in?lang=\(language.other.rawValue)&next=\(Self.escape(next))" }

    var context: [String: Any] {
        let strings = Strings.table(for: language)
        return ["title": strings["sign_in_title"] ?? "", "next": next, "failed": failed]
    }

    /// `next` only when it is a registry page, so the form cannot send people elsewhere.
    static func safeNext(_ value: String?) -> String {
        guard let value, value.hasPrefix("/registry"), !value.contains("//"), !value.contains("\\") else { return "/registry" }
        return value
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? ""
    }
}

/// `/staff/sign-in` (form and post) and `/staff/sign-out`.
func addStaffRoutes(to router: Router<AppRequestContext>, pages: Pages, access: StaffAccess) {
    router.get("/staff/sign-in") { request, _ -> Response in
        let language = Language.from(request)
        let next = SignInPage.safeNext(request.uri.queryParameters.get("next"))
        return pages.render("sign-in", SignInPage(next: next, failed: false, language: language), language: language)
    }
    router.post("/staff/sign-in") { request, _ -> Response in
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        let form = FormQuery(String(buffer: buffer))
        let language = form.first("lang").flatMap(Language.init(rawValue:)) ?? .fr
        let next = SignInPage.safeNext(form.first("next"))
        let token = form.first("token") ?? ""
        guard access.accepts(token) else {
            return pages.render("sign-in", SignInPage(next: next, failed: true, language: language), language: language,
                                status: .unauthorized)
        }
        let target = next + (next.contains("?") ? "&" : "?") + "lang=\(language.rawValue)"
        return Response(status: .seeOther, headers: [
            .location: target,
            .setCookie: "\(StaffAccess.cookieName)=\(SignInPage.escape(token)); Path=/; HttpOnly; SameSite=Strict",
        ])
    }
    router.post("/staff/sign-out") { request, _ -> Response in
        let language = Language.from(request)
        return Response(status: .seeOther, headers: [
            .location: "/?lang=\(language.rawValue)",
            .setCookie: "\(StaffAccess.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ])
    }
}
