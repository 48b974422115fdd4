import Trials

// What the alerts percolator (Sources/Alerts) needs from the engine to decide, one trial at a time, exactly what
// `search` decides over the index: the query's concepts as the planner makes them, and one trial analysed as the
// index analyses it. `package` access: not part of the public API.

/// One required concept of a query's text: a trial matches it when it matches one of its alternatives, a phrase of
/// index terms (see ``AnalyzedTrial/matches(_:)``).
package struct TextConcept: Sendable, Hashable {
    package var alternatives: [[String]]

    package init(alternatives: [[String]]) {
        self.alternatives = alternatives
    }
}

extension TrialIndex {
    /// The concepts every trial found by `text` must match, exactly as ``search(_:)`` plans them (stop words, typo
    /// corrections against this index, lexicon expansion), without the optional generic ones ("essai", "patients").
    ///
    /// Alternatives are index-term phrases. Unlike the planner's, they keep phrases with words no indexed trial
    /// contains yet, and, when a correction replaced a word that no indexed trial contains, the word as typed: a new
    /// trial naming a new product matches a search for it. Neither changes which indexed trial matches.
    package func requiredConcepts(_ text: String, language: Language?) -> [TextConcept] {
        planPhrases(text, language: language).filter { !$0.isOptional }.map { planned in
            var alternatives: [[String]] = []
            for phrase in planned.phrases + planned.corrections.map({ [$0] }) + [planned.typed]
            where !phrase.isEmpty && !alternatives.contains(phrase) {
                alternatives.append(phrase)
            }
            return TextConcept(alternatives: alternatives)
        }
    }

    /// Number of indexed trials (live or replaced) containing the index term `term` in any field; 0 when unknown.
    package func documentFrequency(of term: String) -> Int {
        terms.id(of: Array(term.utf8)).map { Int(documentFrequency[Int($0)]) } ?? 0
    }

    /// Number of trials recorded with this facet value (by display name or comparison key); 0 when unknown.
    package func documentCount(facet: Facet, value: String) -> Int {
        let column = columns[facet.index]
        guard let id = column.valueId(value) else { return 0 }
        return column.isDense ? column.bits[Int(id)].count : column.documents[Int(id)].count
    }

    /// Located sites per one-degree grid cell (``TrialIndex/cellKey(latitude:longitude:)``).
    package func sitesPerCell() -> [Int32: Int] {
        grid.mapValues { points in points.reduce(0) { $0 + pointSites[Int($1)].count } }
    }

    /// The geography the index places sites and resolves places with.
    package var placeResolver: Geography { geography }

    /// The one-degree grid cell of a point, as the index files sites.
    package static func gridCell(latitude: Double, longitude: Double) -> Int32 {
        cellKey(latitude: latitude, longitude: longitude)
    }

    /// The grid cells a radius search around `origin` visits: every located site within `radiusKm` is in one.
    package static func gridCells(around origin: GeoPoint, radiusKm: Double) -> [Int32] {
        let area = SearchArea(origin: origin, radius: radiusKm)
        return area.rows.flatMap { row in area.columns.map { Int32(row * 400 + $0) } }
    }
}

extension Facet {
    /// The key a filter value compares by: a city "Name, AREA" as its folded name + "|" + area (the index's key,
    /// so "Montreal, QC" and "Montréal, QC" are one city); other facets as given.
    package func comparisonKey(_ value: String) -> String {
        guard self == .city, !value.contains("|"), let comma = value.range(of: ", ", options: .backwards) else {
            return value
        }
        return Geography.placeKey(String(value[..<comma.lowerBound])) + "|" + value[comma.upperBound...]
    }
}

/// One trial analysed exactly as ``TrialIndex`` analyses it: its index terms with the fields they occur in, the
/// adjacent pairs of its titles, conditions and interventions, its facet values, located sites and age limits.
package struct AnalyzedTrial: Sendable {
    /// A located site: its point as the index stores it (single precision) and its index in `locations`.
    package struct Site: Sendable {
        package var point: GeoPoint
        package var locationIndex: Int
    }

    /// Distinct index terms.
    package private(set) var terms: [String] = []
    /// Per term, the ``SearchField``s it occurs in (bit `rawValue`).
    package private(set) var fields: [UInt8] = []
    /// Adjacent pairs of the fields that index pairs, as `first << 32 | second` positions in ``terms``.
    package private(set) var pairs: Set<UInt64> = []
    /// Position of each term in ``terms``.
    package private(set) var positions: [String: Int] = [:]
    /// Facet values: comparison key and display name (equal except for cities).
    package private(set) var facetValues: [Facet: [(key: String, name: String)]] = [:]
    /// Located sites, in `locations` order.
    package private(set) var sites: [Site] = []
    package private(set) var minimumAge: Float = 0
    package private(set) var maximumAge: Float = .infinity

    /// Fields that say what a study is about (bits, as ``fields``): a multi-word phrase none of whose pairs is
    /// adjacent matches only when all its words share one of them.
    package static let topicalFields = TrialIndex.topicalFields

    package init(_ trial: Trial, geography: Geography) {
        var analyzer = DocumentAnalyzer(geography: geography)
        var batch = AnalyzedBatch()
        analyzer.analyze(trial, into: &batch)
        var localPosition: [Int: Int] = [:]
        for packed in batch.postings {
            let local = Int(packed >> 32)
            let field = UInt8(packed >> 16 & 0xFFFF)
            if let position = localPosition[local] {
                fields[position] |= 1 << field
            } else {
                let term = String(decoding: analyzer.dictionary.bytes(UInt32(local)), as: UTF8.self)
                localPosition[local] = terms.count
                positions[term] = terms.count
                terms.append(term)
                fields.append(1 << field)
            }
        }
        for packed in batch.pairs {
            guard let first = localPosition[Int(packed >> 32)], let second = localPosition[Int(packed & 0xFFFF_FFFF)]
            else { continue }
            pairs.insert(UInt64(first) << 32 | UInt64(second))
        }
        for packed in batch.facetValues {
            let facet = Facet.allCases[Int(packed >> 32)]
            let values = analyzer.values[facet.index]
            let local = Int(packed & 0xFFFF_FFFF)
            facetValues[facet, default: []].append((values.keys[local], values.names[local]))
        }
        for site in batch.sites where !site.latitude.isNaN {
            sites.append(
                Site(
                    point: GeoPoint(latitude: Double(site.latitude), longitude: Double(site.longitude)),
                    locationIndex: Int(site.location)))
        }
        minimumAge = batch.minimumAges[0]
        maximumAge = batch.maximumAges[0]
    }

    /// Whether the trial contains the phrase as ``TrialIndex/search(_:)`` requires: every term, and for several
    /// terms, at least one adjacent pair in a title, condition or intervention or all terms in one topical field.
    package func matches(_ phrase: [String]) -> Bool {
        var shared: UInt8 = 0xFF
        var previous: Int?
        var adjacent = false
        for term in phrase {
            guard let position = positions[term] else { return false }
            shared &= fields[position]
            if let previous, pairs.contains(UInt64(previous) << 32 | UInt64(position)) { adjacent = true }
            previous = position
        }
        return phrase.count < 2 || adjacent || shared & Self.topicalFields != 0
    }

    /// Whether the trial matches the concept (one of its alternatives).
    package func matches(_ concept: TextConcept) -> Bool {
        concept.alternatives.contains(where: matches)
    }

    /// Whether the index's age filter accepts a person of `age` for this trial.
    package func accepts(age: Double) -> Bool {
        let age = Float(age)
        return minimumAge <= age && age <= maximumAge
    }

    /// Whether the trial has one of the filter's values for `facet`.
    package func has(_ facet: Facet, anyOf values: Set<String>) -> Bool {
        let keys = Set(values.map(facet.comparisonKey))
        return (facetValues[facet] ?? []).contains { values.contains($0.name) || keys.contains($0.key) }
    }

    /// The nearest located site within `radiusKm` of `origin`, with its distance, as the radius filter measures it.
    package func nearestSite(to origin: GeoPoint, within radiusKm: Double) -> (site: Site, distanceKm: Double)? {
        var best: (site: Site, distanceKm: Double)?
        for site in sites {
            let distance = Geography.kilometres(origin, site.point)
            if distance <= radiusKm, best == nil || distance < best!.distanceKm { best = (site, distance) }
        }
        return best
    }
}
