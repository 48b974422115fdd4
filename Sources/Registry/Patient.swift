/// Sex as recorded in the registry.
public enum Sex: String, Codable, Sendable, CaseIterable {
    case female
    case male
    case other
    case unknown
}

/// A Québec health and social services region (région sociosanitaire, RSS), codes 01–18.
///
/// Encoded as its two-digit code, e.g. `"06"` for Montréal.
public struct HealthRegion: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1…18.
    public let code: Int

    /// - Throws: `RegistryError` on field `region` if `code` is not in 1…18.
    public init(code: Int) throws {
        guard (1...18).contains(code) else {
            throw RegistryError.invalid(field: "region", reason: "RSS code must be 01–18, got \(code)")
        }
        self.code = code
    }

    /// Parses a code written with one or two digits ("6" or "06").
    /// - Throws: `RegistryError` on field `region`.
    public init(text: String) throws {
        guard (1...2).contains(text.count), text.allSatisfy(\.isASCII), let code = Int(text) else {
            throw RegistryError.invalid(field: "region", reason: "\"\(text)\" is not an RSS code 01–18")
        }
        try self.init(code: code)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(text: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The two-digit code.
    public var description: String { code < 10 ? "0\(code)" : "\(code)" }

    /// The official French name of the region.
    public var name: String { Self.names[code - 1] }

    public static func < (lhs: HealthRegion, rhs: HealthRegion) -> Bool { lhs.code < rhs.code }

    /// The 18 regions in code order.
    public static let all: [HealthRegion] = (1...18).map { try! HealthRegion(code: $0) }

    private static let names = [
        "Bas-Saint-Laurent", "Saguenay–Lac-Saint-Jean", "Capitale-Nationale", "Mauricie et Centre-du-Québec",
        "Estrie", "Montréal", "Outaouais", "Abitibi-Témiscamingue", "Côte-Nord", "Nord-du-Québec",
        "Gaspésie–Îles-de-la-Madeleine", "Chaudière-Appalaches", "Laval", "Lanaudière", "Laurentides",
        "Montérégie", "Nunavik", "Terres-Cries-de-la-Baie-James",
    ]
}

/// A registry patient. The registry never holds a real identifier: `id` is a pseudonym assigned by
/// the contributing centre (see `Pseudonym`), and only the birth year is kept.
public struct Patient: Codable, Sendable, Hashable {
    /// Pseudonymous identifier, unique in the registry.
    public var id: String
    public var birthYear: Int
    public var sex: Sex
    /// Region of residence.
    public var region: HealthRegion

    public init(id: String, birthYear: Int, sex: Sex, region: HealthRegion) {
        self.id = id
        self.birthYear = birthYear
        self.sex = sex
        self.region = region
    }

    /// Age in completed years at `date`, approximated from the birth year alone (year difference).
    public func approximateAge(at date: CivilDate) -> Int { date.year - birthYear }

    /// Problems with this record on its own: a non-pseudonymous `id`, a birth year after `today`'s year
    /// or before 1900.
    func problems(asOf today: CivilDate) -> [RegistryError] {
        var problems = Pseudonym.problems(id, field: "id")
        if birthYear > today.year {
            problems.append(.invalid(field: "birthYear", reason: "\(birthYear) is in the future"))
        } else if birthYear < 1900 {
            problems.append(.invalid(field: "birthYear", reason: "\(birthYear) is before 1900"))
        }
        return problems
    }
}

/// The rule for registry identifiers (patients, episodes, costs): 1–40 characters among ASCII letters,
/// digits, `-`, `_` and `.`, and not shaped like a real identifier — a RAMQ health insurance number
/// (4 letters and 8 digits) or a social insurance number (9 digits) is rejected.
public enum Pseudonym {
    /// The problems with `id` used as `field`; empty when it is an acceptable pseudonym.
    public static func problems(_ id: String, field: String) -> [RegistryError] {
        guard (1...40).contains(id.count) else {
            return [.invalid(field: field, reason: "must be 1–40 characters, got \(id.count)")]
        }
        guard id.unicodeScalars.allSatisfy({ $0.isASCII && (isLetter($0) || isDigit($0) || "-_.".unicodeScalars.contains($0)) }) else {
            return [.invalid(field: field, reason: "\"\(id)\" may only contain letters, digits, '-', '_' and '.'")]
        }
        let scalars = Array(id.unicodeScalars)
        if scalars.count == 12, scalars.prefix(4).allSatisfy(isLetter), scalars.suffix(8).allSatisfy(isDigit) {
            return [.invalid(field: field, reason: "looks like a RAMQ health insurance number; use a pseudonym")]
        }
        if scalars.count == 9, scalars.allSatisfy(isDigit) {
            return [.invalid(field: field, reason: "looks like a social insurance number; use a pseudonym")]
        }
        return []
    }

    private static func isLetter(_ s: Unicode.Scalar) -> Bool { ("A"..."Z").contains(s) || ("a"..."z").contains(s) }
    private static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
}
