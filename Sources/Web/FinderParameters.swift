import Charts
import Foundation
import Hummingbird
import Search
import Trials

/// A query string as HTML forms send it: `+` is a space, values are percent-decoded, a name may repeat.
struct FormQuery: Sendable, Equatable {
    var pairs: [(name: String, value: String)]

    init(_ query: String?) {
        pairs = (query ?? "").split(separator: "&").compactMap { part in
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = halves.first, !rawName.isEmpty else { return nil }
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(rawName), halves.count > 1 ? decode(halves[1]) : "")
        }
    }

    init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    /// The largest form body accepted.
    static let maximumBodyBytes = 64 * 1024

    /// The form a request posts (`application/x-www-form-urlencoded`), read once and kept on the request.
    static func posted(_ request: inout Request) async throws -> FormQuery {
        FormQuery(String(buffer: try await request.collectBody(upTo: maximumBodyBytes)))
    }

    /// The first non-empty value of `name`.
    func first(_ name: String) -> String? {
        pairs.first { $0.name == name && !$0.value.trimmed.isEmpty }?.value.trimmed
    }

    /// Every non-empty value of `name`, in order.
    func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name && !$0.value.trimmed.isEmpty }.map { $0.value.trimmed }
    }

    /// The query string, percent-encoded.
    var encoded: String {
        pairs.map { "\(Self.encode($0.name))=\(Self.encode($0.value))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    private static let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~,"))
        .subtracting(CharacterSet(charactersIn: "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"))
        .intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))

    static func == (lhs: FormQuery, rhs: FormQuery) -> Bool {
        lhs.pairs.map(\.name) == rhs.pairs.map(\.name) && lhs.pairs.map(\.value) == rhs.pairs.map(\.value)
    }
}

/// A parameter the finder cannot accept, named as the user or client sent it.
struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    var parameter: String
    var reason: String

    var description: String { "\(parameter): \(reason)" }
}

/// What a finder search asks for, in the vocabulary of the web form and the API (the same parameter names), with
/// every value checked. Pages and API both turn their input into this, then into a ``SearchQuery``.
struct FinderParameters: Sendable, Equatable {
    /// Free text, always read as both French and English: a patient's words do not follow the interface language
    /// ("lymphome" typed on the English page still means lymphoma).
    var text = ""
    var near: String?
    var radiusKm: Double?
    var age: Double?
    /// Trials open to this sex (trials open to all are kept).
    var sex: Sex?
    var healthyVolunteers: Bool?
    /// Facet selections by form parameter name (`status`, `phase`, …), values as the facets name them.
    var selections: [String: [String]] = [:]
    var sort: SearchQuery.Sort = .relevance
    var limit = 20
    var cursor: String?

    /// Form parameter name of each filterable facet, and the values it accepts (`nil`: any text).
    static let facetParameters: [(name: String, facet: Facet, values: Set<String>?)] = [
        ("status", .status, Set(OverallStatus.allCases.map(\.rawValue))),
        ("phase", .phase, Set(Phase.allCases.map(\.rawValue) + ["NONE"])),
        ("study_type", .studyType, Set(StudyType.allCases.map(\.rawValue))),
        ("cgt", .cgtType, Set(CGTType.allCases.map(\.rawValue))),
        ("age_group", .ageGroup, Set(AgeGroup.allCases.map(\.rawValue))),
        ("country", .country, nil),
        ("province", .province, Set(Province.allCases.map(\.rawValue))),
        ("region", .healthRegion, Set(QuebecHealthRegion.allCases.map(\.code))),
        ("city", .city, nil),
        ("sponsor_class", .sponsorCategory, Set(SponsorCategory.allCases.map(\.rawValue))),
    ]

    static let maximumTextLength = 500
    static let maximumRadiusKm = 20_000.0

    /// Reads and checks a form or API query string. An empty value counts as absent (forms send empty fields).
    static func parse(_ form: FormQuery) throws(ParameterError) -> FinderParameters {
        var parameters = FinderParameters()
        parameters.text = form.first("q") ?? ""
        if let lang = form.first("lang"), Language(rawValue: lang) == nil {
            throw ParameterError(parameter: "lang", reason: "must be fr or en, not \"\(lang)\"")
        }
        parameters.near = form.first("near")
        parameters.radiusKm = try number(form, "radius_km")
        parameters.age = try number(form, "age")
        if let sex = form.first("sex") {
            guard let value = Sex(rawValue: sex.uppercased()), value != .all else {
                throw ParameterError(parameter: "sex", reason: "must be FEMALE or MALE, not \"\(sex)\"")
            }
            parameters.sex = value
        }
        if let volunteers = form.first("healthy_volunteers") {
            guard let value = Bool(volunteers.lowercased()) else {
                throw ParameterError(parameter: "healthy_volunteers", reason: "must be true or false, not \"\(volunteers)\"")
            }
            parameters.healthyVolunteers = value
        }
        for (name, _, _) in facetParameters {
            let values = form.all(name)
            if !values.isEmpty { parameters.selections[name] = values }
        }
        if let sort = form.first("sort") {
            guard let value = SearchQuery.Sort(rawValue: sort) else {
                throw ParameterError(parameter: "sort", reason: "must be relevance, distance or recent, not \"\(sort)\"")
            }
            parameters.sort = value
        }
        if let limit = form.first("limit") {
            guard let value = Int(limit) else {
                throw ParameterError(parameter: "limit", reason: "must be a whole number from 1 to 100, not \"\(limit)\"")
            }
            parameters.limit = value
        }
        parameters.cursor = form.first("cursor")
        try parameters.validate()
        return parameters
    }

    private static func number(_ form: FormQuery, _ name: String) throws(ParameterError) -> Double? {
        guard let text = form.first(name) else { return nil }
        guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value.isFinite else {
            throw ParameterError(parameter: name, reason: "must be a number, not \"\(text)\"")
        }
        return value
    }

    /// Checks ranges and facet values; called by ``parse(_:)`` and by the API after it fills the fields.
    func validate() throws(ParameterError) {
        if text.count > Self.maximumTextLength {
            throw ParameterError(parameter: "q", reason: "is longer than \(Self.maximumTextLength) characters")
        }
        if let radiusKm, !(radiusKm > 0 && radiusKm <= Self.maximumRadiusKm) {
            throw ParameterError(parameter: "radius_km", reason: "must be more than 0 and at most 20000 km")
        }
        if let age, !(0...130).contains(age) {
            throw ParameterError(parameter: "age", reason: "must be from 0 to 130 years")
        }
        if !(1...100).contains(limit) {
            throw ParameterError(parameter: "limit", reason: "must be a whole number from 1 to 100")
        }
        for (name, _, accepted) in Self.facetParameters {
            for value in selections[name] ?? [] {
                if let accepted, !accepted.contains(value) {
                    throw ParameterError(parameter: name, reason: "unknown value \"\(value)\"")
                }
                if value.count > 200 { throw ParameterError(parameter: name, reason: "value longer than 200 characters") }
            }
        }
    }

    /// The engine's query. `facets` are the facets to count.
    func searchQuery(facets: Set<Facet> = Set(Facet.allCases)) -> SearchQuery {
        var filters: [Facet: Set<String>] = [:]
        for (name, facet, _) in Self.facetParameters {
            if let values = selections[name], !values.isEmpty { filters[facet] = Set(values) }
        }
        if let sex { filters[.sex] = [Sex.all.rawValue, sex.rawValue] }
        if let healthyVolunteers { filters[.healthyVolunteers] = [String(healthyVolunteers)] }
        return SearchQuery(
            text: text, language: nil, filters: filters, acceptsAge: age, place: near,
            radiusKm: near == nil ? nil : radiusKm, sort: sort, pageSize: limit, cursor: cursor, facets: facets)
    }

    /// The parameters as a form query (for links: pages, facet toggles, language switch, export).
    var form: FormQuery {
        var pairs: [(name: String, value: String)] = []
        if !text.isEmpty { pairs.append(("q", text)) }
        if let near { pairs.append(("near", near)) }
        if let radiusKm { pairs.append(("radius_km", NumberFormat.plain(radiusKm))) }
        if let age { pairs.append(("age", NumberFormat.plain(age))) }
        if let sex { pairs.append(("sex", sex.rawValue)) }
        if let healthyVolunteers { pairs.append(("healthy_volunteers", String(healthyVolunteers))) }
        for (name, _, _) in Self.facetParameters {
            for value in selections[name] ?? [] { pairs.append((name, value)) }
        }
        if sort != .relevance { pairs.append(("sort", sort.rawValue)) }
        if limit != 20 { pairs.append(("limit", String(limit))) }
        if let cursor { pairs.append(("cursor", cursor)) }
        return FormQuery(pairs: pairs)
    }
}

extension NumberFormat {
    /// A number as a query string writes it: no grouping, no trailing ".0".
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
