import Foundation
import Logging

/// Where the data lives, from `--database` or `PASSERELLE_DATABASE`: a file path means SQLite, a
/// `postgres://` or `postgresql://` URL means PostgreSQL.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// The default when nothing is configured: `./passerelle.sqlite`.
    public static let defaultPath = "passerelle.sqlite"

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            _ = try PostgresTrialStore.configuration(trimmed)
            self = .postgres(url: trimmed)
        } else if trimmed.isEmpty || trimmed.contains("://") {
            throw StoreError.badDatabaseURL(text)
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// `--database` if given, else `PASSERELLE_DATABASE`, else ``defaultPath``.
    public static func resolve(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> StoreLocation
    {
        try StoreLocation(option ?? environment["PASSERELLE_DATABASE"] ?? defaultPath)
    }

    /// Opens the store. Does not migrate.
    public func open(logger: Logger = Logger(label: "passerelle.store")) throws -> any PasserelleStore {
        switch self {
        case .sqlite(let path): try SQLiteTrialStore(path: path)
        case .postgres(let url): try PostgresTrialStore(url: url, logger: logger)
        }
    }

    /// The location with any password hidden, for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres"
        }
    }
}
