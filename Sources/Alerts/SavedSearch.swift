import Foundation
import Search

/// The finder parameters a saved search keeps: the same fields as ``SearchQuery`` minus paging, sorting and facet
/// counting, which do not change which trials match.
public struct SearchParameters: Sendable, Hashable, Codable {
    /// Free text in French or English; empty means every trial.
    public var text: String
    /// The query language, or `nil` for both (what the finder's pages and API send).
    public var language: Language?
    /// Facet selections: OR within a facet, AND across facets (``SearchQuery/filters``).
    public var filters: [Facet: Set<String>]
    public var acceptsAge: Double?
    /// A postal code, city or "lat,lon" (``Geography/resolve(_:)``).
    public var place: String?
    public var radiusKm: Double?

    public init(
        text: String = "", language: Language? = nil, filters: [Facet: Set<String>] = [:], acceptsAge: Double? = nil,
        place: String? = nil, radiusKm: Double? = nil
    ) {
        self.text = text
        self.language = language
        self.filters = filters
        self.acceptsAge = acceptsAge
        self.place = place
        self.radiusKm = radiusKm
    }

    /// The parameters of a finder query (as `FinderParameters.searchQuery()` makes it in the web layer).
    public init(_ query: SearchQuery) {
        self.init(
            text: query.text, language: query.language, filters: query.filters, acceptsAge: query.acceptsAge,
            place: query.place, radiusKm: query.radiusKm)
    }

    /// The finder query for these parameters: relevance order, `pageSize` hits, no facet counts.
    public func searchQuery(pageSize: Int = 100, cursor: String? = nil) -> SearchQuery {
        SearchQuery(
            text: text, language: language, filters: filters, acceptsAge: acceptsAge, place: place, radiusKm: radiusKm,
            pageSize: pageSize, cursor: cursor, facets: [])
    }

    /// A canonical text of the parameters: two parameter sets with the same canonical form find the same trials.
    ///
    /// `q=…&lang=…&age=…&near=…&radius_km=…&<facet>=<v1>,<v2>…`, absent fields left out, facets in
    /// ``Facet`` declaration order, values sorted; every value percent-encoded (unreserved characters kept). Text and
    /// place are trimmed with inner white space collapsed to one space; case is kept (an acronym such as "ALL" is
    /// not the stop word "all"). Numbers are written without a trailing ".0".
    public var canonicalForm: String {
        var parts: [String] = []
        let text = Self.collapse(text)
        if !text.isEmpty { parts.append("q=\(Self.encode(text))") }
        if let language { parts.append("lang=\(language.rawValue)") }
        if let acceptsAge { parts.append("age=\(Self.number(acceptsAge))") }
        if let place = place.map(Self.collapse), !place.isEmpty { parts.append("near=\(Self.encode(place))") }
        if let radiusKm { parts.append("radius_km=\(Self.number(radiusKm))") }
        for facet in Facet.allCases {
            let values = (filters[facet] ?? []).map(Self.collapse).filter { !$0.isEmpty }
            guard !values.isEmpty else { continue }
            parts.append("\(facet.rawValue)=" + Set(values).sorted().map(Self.encode).joined(separator: ","))
        }
        return parts.joined(separator: "&")
    }

    /// FNV-1a 64-bit hash of ``canonicalForm``: stable across runs, processes and machines (unlike `hashValue`), so
    /// it can be stored to find identical saved searches.
    public var stableHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canonicalForm.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// ``stableHash`` as 16 lower-case hexadecimal digits.
    public var stableHashHex: String {
        let digits = String(stableHash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

/// A finder search someone asked to be alerted about.
public struct SavedSearch: Sendable, Hashable, Codable, Identifiable {
    /// Chosen by the store (a UUID's text, typically).
    public typealias ID = String

    /// How often alerts are sent.
    public enum Frequency: String, Sendable, Hashable, Codable, CaseIterable {
        /// One message per alert, as soon as the import that caused it has been percolated.
        case immediate
        /// One digest a day of the day's alerts.
        case daily
        /// One digest a week.
        case weekly
    }

    public var id: ID
    /// The account the search belongs to: digests group a subscriber's alerts.
    public var subscriberId: String
    public var email: String
    public var parameters: SearchParameters
    /// The language of the messages (French or English), not of the query.
    public var language: Language
    public var frequency: Frequency

    public init(
        id: ID, subscriberId: String, email: String, parameters: SearchParameters, language: Language = .french,
        frequency: Frequency = .daily
    ) {
        self.id = id
        self.subscriberId = subscriberId
        self.email = email
        self.parameters = parameters
        self.language = language
        self.frequency = frequency
    }
}
