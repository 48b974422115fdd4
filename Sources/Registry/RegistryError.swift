/// A validation failure in registry input, naming the offending field.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(field, reason): "\(field): \(reason)"
        }
    }
}
