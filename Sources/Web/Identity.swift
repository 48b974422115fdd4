import Access
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// The request context every route gets: Hummingbird's core storage and the client's address (for sign-in rate
/// limiting). Who the visitor is travels in ``Visitor/current``, set by ``AccessMiddleware`` before any handler.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, or "local" when there is none (in-process tests).
    let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "local"
    }
}

/// Who is making the request: an account (through its session cookie), the staff token, or nobody.
struct Visitor: Sendable {
    /// The signed-in account.
    var account: AccountRecord?
    /// The visitor's role: the account's, `dataSteward` for the staff token, `nil` when not signed in.
    var role: Role?
    /// The token every form of this visitor must carry: the session's, or the anonymous `passerelle_csrf` cookie's.
    var csrfToken: String
    /// SHA-256 of the session token, when signed in by cookie.
    var sessionHash: String?

    /// Who the audit log names.
    var actor: String { account?.id ?? (role == nil ? "anonymous" : "staff-token") }

    @TaskLocal static var current = Visitor(account: nil, role: nil, csrfToken: "", sessionHash: nil)
}

/// Random tokens, hashes and signed links. The HMAC key is `PASSERELLE_SECRET` when set, else a random key kept in
/// the store's settings, so links in e-mails keep working across restarts.
struct Secrets: Sendable {
    let key: SymmetricKey

    init(secret: String) { key = SymmetricKey(data: SHA256.hash(data: Data(secret.utf8))) }

    /// The configured secret, or the store's (created on first use).
    static func load(configured: String?, store: PeopleTables) async throws -> Secrets {
        if let configured, !configured.isEmpty { return Secrets(secret: configured) }
        return Secrets(secret: try await store.setting("server_secret") { Secrets.randomToken(bytes: 32) })
    }

    /// `bytes` random bytes from the system's CSPRNG, base64url without padding.
    static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `payload` signed for `purpose` (a token for one purpose is refused for another): `payload.signature`.
    func sign(_ payload: String, purpose: String) -> String {
        payload + "." + Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data((purpose + "\n" + payload).utf8), using: key)))
    }

    /// The payload of a token signed by ``sign(_:purpose:)`` for `purpose`, or `nil`.
    func verify(_ token: String, purpose: String) -> String? {
        guard let dot = token.lastIndex(of: ".") else { return nil }
        let payload = String(token[..<dot])
        return Self.constantTimeEqual(sign(payload, purpose: purpose), token) ? payload : nil
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares without stopping at the first difference, so timing reveals nothing.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

/// Cookies of a request, by name.
enum Cookies {
    static let session = "passerelle_session"
    static let csrf = "passerelle_csrf"

    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == name { return parts[1] }
            }
        }
        return nil
    }

    /// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure when the site is served over TLS.
    static func make(_ name: String, _ value: String, maxAge: Int?, secure: Bool) -> String {
        var cookie = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        if secure { cookie += "; Secure" }
        return cookie
    }
}

/// Identifies the visitor, applies the role × route table (deny by default) and checks the CSRF token of every
/// form post, before any handler runs. The one place access is decided: handlers only read ``Visitor/current``.
///
/// - Pages: no account → 401 with the sign-in form; wrong role → 403 page; a route the table does not know → 404
///   for everyone. API: the same codes with an RFC 9457 problem body.
/// - Every `POST` outside `/api/` must carry the visitor's CSRF token in a `csrf` form field (the session's when
///   signed in; the `passerelle_csrf` cookie's otherwise), or it is refused with 403 before the handler reads it.
///   The API takes JSON only, which a cross-site form cannot send without a CORS preflight Passerelle never grants.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let policy: AccessPolicy
    let people: PeopleTables
    let staffToken: String?
    let pages: Pages
    let secureCookies: Bool
    /// Form posts that carry their own signed token instead of a CSRF token (RFC 8058 one-click unsubscribe).
    static let csrfExempt = ["/alerts/unsubscribe/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var request = request
        let path = request.uri.path
        var visitor = try await identify(request)
        var newCSRFCookie: String?
        if visitor.account == nil {
            if let cookie = Cookies.value(Cookies.csrf, in: request), cookie.count >= 32 {
                visitor.csrfToken = cookie
            } else {
                visitor.csrfToken = Secrets.randomToken()
                newCSRFCookie = visitor.csrfToken
            }
        }
        let method = request.method == .head ? "GET" : request.method.rawValue
        let isAPI = path.hasPrefix("/api/")
        let language = Language.from(request)

        switch policy.decide(method: method, path: path, role: visitor.role) {
        case .allowed:
            break
        case .signInRequired:
            return deny(.unauthorized, isAPI: isAPI, path: path, request: request, language: language, visitor: visitor)
        case .forbidden:
            return deny(.forbidden, isAPI: isAPI, path: path, request: request, language: language, visitor: visitor)
        case .unknownRoute:
            return deny(.notFound, isAPI: isAPI, path: path, request: request, language: language, visitor: visitor)
        }

        if request.method == .post, !isAPI, !Self.csrfExempt.contains(where: path.hasPrefix) {
            let presented = try await FormQuery.posted(&request).first("csrf") ?? ""
            guard !visitor.csrfToken.isEmpty, Secrets.constantTimeEqual(presented, visitor.csrfToken) else {
                let strings = Strings.table(for: language)
                return Visitor.$current.withValue(visitor) {
                    pages.render("message", MessagePage(heading: strings["csrf_title"] ?? "", message: strings["csrf_text"] ?? "",
                                                        language: language, path: path),
                                 language: language, status: .forbidden)
                }
            }
        }

        var response = try await Visitor.$current.withValue(visitor) { try await next(request, context) }
        if let newCSRFCookie {
            response.headers.append(HTTPField(name: .setCookie, value: Cookies.make(Cookies.csrf, newCSRFCookie, maxAge: nil, secure: secureCookies)))
        }
        if visitor.account != nil || path.hasPrefix("/account") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }

    private func identify(_ request: Request) async throws -> Visitor {
        if let staffToken, !staffToken.isEmpty, let authorization = request.headers[.authorization],
            authorization.hasPrefix("Bearer "),
            Secrets.constantTimeEqual(String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces), staffToken)
        {
            return Visitor(account: nil, role: .dataSteward, csrfToken: "", sessionHash: nil)
        }
        if let token = Cookies.value(Cookies.session, in: request) {
            let hash = Secrets.sha256(token)
            if let session = try await people.session(tokenHash: hash, now: Date()), let role = Role(rawValue: session.account.role) {
                return Visitor(account: session.account, role: role, csrfToken: session.csrfToken, sessionHash: hash)
            }
        }
        return Visitor(account: nil, role: nil, csrfToken: "", sessionHash: nil)
    }

    private func deny(
        _ status: HTTPResponse.Status, isAPI: Bool, path: String, request: Request, language: Language, visitor: Visitor
    ) -> Response {
        if isAPI {
            let detail = switch status {
            case .unauthorized: "sign in, or send the staff token, to use this operation"
            case .notFound: "no such operation"
            default: "your role does not give access to this operation"
            }
            var headers: HTTPFields = [.contentType: "application/problem+json"]
            if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"passerelle\"" }
            let body = "{\"detail\":\"\(detail)\",\"status\":\(status.code),\"title\":\"\(status.reasonPhrase)\",\"type\":\"about:blank\"}"
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return Visitor.$current.withValue(visitor) {
            if status == .unauthorized {
                return pages.render("sign-in", SignInPage(next: SignInPage.safeNext(request.uri.description), failure: nil,
                                                          email: "", language: language),
                                    language: language, status: .unauthorized)
            }
            let strings = Strings.table(for: language)
            let prefix = status == .notFound ? "page_not_found" : "forbidden"
            return pages.render("message", MessagePage(heading: strings["\(prefix)_title"] ?? "", message: strings["\(prefix)_text"] ?? "",
                                                       language: language, path: path),
                                language: language, status: status)
        }
    }
}
