import Foundation
import Trials

extension TrialIndex {
    /// BM25 term-frequency saturation.
    static let k1: Float = 1.5
    /// Weight of a multi-word alternative whose words are all in the trial but never adjacent in a title,
    /// condition or intervention; it rises linearly to 1 as more of its word pairs are found adjacent there.
    static let scatteredPhraseWeight: Float = 0.5
    /// Fields that say what a study is about. A multi-word alternative with no adjacent pair matches only when all
    /// its words occur together in one of these fields: "breast" in an exclusion criterion and "cancer" in another
    /// do not make a breast cancer trial.
    static let topicalFields: UInt8 = {
        var mask: UInt8 = 0
        for field in [SearchField.title, .conditions, .interventions, .summary] { mask |= 1 << UInt8(field.rawValue) }
        return mask
    }()
    /// Most values returned for the city facet (the other facets return every value with trials).
    static let cityFacetLimit = 100

    /// Answers `query` (see ``SearchQuery`` and ``SearchResults`` for the contracts).
    ///
    /// Text matching: every concept of the query must match (AND); if no trial matches them all, trials matching
    /// the most concepts are returned. Generic trial words ("essai", "patients") only add to the score. A text of
    /// stop words only counts as no text. Ordering is total — ties are broken by NCT id — so cursors are stable while
    /// the index does not change.
    public func search(_ query: SearchQuery) throws(SearchError) -> SearchResults {
        let documentCount = nctIds.count
        var origin: GeoPoint?
        if let place = query.place, !place.trimmed.isEmpty {
            guard let point = geography.resolve(place) else { throw SearchError.unknownPlace(place) }
            origin = point
        }
        if origin == nil, query.radiusKm != nil || query.sort == .distance { throw SearchError.placeRequired }
        let concepts = plan(query.text, language: query.language)
        let sort: SearchQuery.Sort = query.sort == .relevance && concepts.isEmpty ? .recent : query.sort
        let cursor = try query.cursor.map { text throws(SearchError) in try Cursor(text, sort: sort) }

        var scratch = scratchPool.take(count: documentCount)
        defer { scratchPool.give(&scratch) }
        var base = live
        if !concepts.isEmpty {
            base.formIntersection(match(concepts, scratch: &scratch))
        }
        if let age = query.acceptsAge {
            base.formIntersection(documents(acceptingAge: Float(age)))
        }
        var distances: [Float] = []
        if let origin, let radius = query.radiusKm {
            let near = sitesWithin(radius, of: origin)
            distances = near.distances
            base.formIntersection(near.documents)
        }

        var selections: [Facet: Bitset] = [:]
        var selectedSites: [Facet: Set<UInt32>] = [:]
        for (facet, values) in query.filters where !values.isEmpty {
            let ids = values.compactMap { columns[facet.index].valueId($0) }
            selections[facet] = columns[facet.index].documents(having: ids, count: documentCount)
            selectedSites[facet] = Set(ids)
        }
        var matching = base
        for set in selections.values { matching.formIntersection(set) }

        var facets: [Facet: [FacetCount]] = [:]
        for facet in query.facets {
            var set = matching
            if selections[facet] != nil {
                set = base
                for (other, selection) in selections where other != facet { set.formIntersection(selection) }
            }
            facets[facet] = facetCounts(facet, in: set, selected: query.filters[facet] ?? [])
        }

        let siteFilter = SiteFilter(selected: selectedSites)
        if sort == .distance, query.radiusKm == nil, let origin {
            distances = [Float](repeating: .infinity, count: documentCount)
            matching.forEach { doc in
                if let nearest = nearestSite(of: doc, to: origin, filter: siteFilter) {
                    distances[Int(doc)] = Float(nearest.distanceKm)
                }
            }
        }
        func key(_ doc: UInt32) -> Cursor {
            switch sort {
            case .relevance: Cursor(primary: -Double(scratch.scores[Int(doc)]), nct: nctNumbers[Int(doc)])
            case .distance: Cursor(primary: Double(distances[Int(doc)]), nct: nctNumbers[Int(doc)])
            case .recent: Cursor(primary: -Double(updated[Int(doc)]), nct: nctNumbers[Int(doc)])
            }
        }
        let pageSize = min(100, max(1, query.pageSize))
        var page: [(key: Cursor, doc: UInt32)] = []
        matching.forEach { doc in
            let candidate = key(doc)
            if let cursor, !(cursor < candidate) { return }
            if page.count > pageSize, !(candidate < page[page.count - 1].key) { return }
            let position = page.partitioningIndex { candidate < $0.key }
            page.insert((candidate, doc), at: position)
            if page.count > pageSize + 1 { page.removeLast() }
        }
        let hasMore = page.count > pageSize
        if hasMore { page.removeLast() }

        let termIds = Array(Set(concepts.flatMap { $0.alternatives.flatMap(\.terms) })).sorted()
        let hits = page.map { entry in
            let doc = entry.doc
            let matches = matchedFields(of: doc, terms: termIds)
            return SearchHit(
                nctId: nctIds[Int(doc)], score: Double(scratch.scores[Int(doc)]),
                nearestSite: origin.flatMap { nearestSite(of: doc, to: $0, filter: siteFilter) },
                matchedFields: matches.fields, matchedTerms: matches.terms)
        }
        return SearchResults(
            total: matching.count, hits: hits, facets: facets,
            nextCursor: hasMore ? page.last.map { $0.key.text(sort: sort) } : nil, origin: origin,
            interpretation: concepts.map(\.label))
    }

    // MARK: Text

    /// The documents matching the most required concepts (all of them when any document does); their BM25F scores
    /// (optional concepts included) are left in `scratch.scores`. `scratch.candidates` lists every scored document.
    func match(_ concepts: [QueryConcept], scratch: inout ScoringScratch) -> Bitset {
        for concept in concepts {
            for alternative in concept.alternatives {
                score(alternative, scratch: &scratch)
            }
            for doc in scratch.conceptTouched {
                if scratch.matched[Int(doc)] == 0, scratch.scores[Int(doc)] == 0 { scratch.candidates.append(doc) }
                scratch.scores[Int(doc)] += scratch.conceptBest[Int(doc)]
                if !concept.isOptional { scratch.matched[Int(doc)] &+= 1 }
                scratch.conceptBest[Int(doc)] = 0
            }
            scratch.conceptTouched.removeAll(keepingCapacity: true)
        }
        var required: UInt8 = 0
        for doc in scratch.candidates { required = max(required, scratch.matched[Int(doc)]) }
        var documents = Bitset(count: nctIds.count)
        if required == 0 { return documents }
        for doc in scratch.candidates where scratch.matched[Int(doc)] == required { documents.insert(doc) }
        return documents
    }

    /// The BM25F score of one term in every document containing it (fields combined before saturation).
    private func termScores(
        _ term: UInt32, normalisers: [(constant: Float, perTerm: Float)], documents: Float,
        scratch: inout ScoringScratch
    ) -> (documents: [UInt32], scores: [Float], fields: [UInt8]) {
        let frequency = Float(documentFrequency[Int(term)])
        let idf = log(1 + max(0, documents - frequency + 0.5) / (frequency + 0.5))
        for field in SearchField.allCases {
            let list = postings[Int(term) * Self.fieldCount + field.rawValue]
            let weight = field.weight
            let (constant, perTerm) = normalisers[field.rawValue]
            for (index, doc) in list.documents.enumerated() {
                let length = Float(fieldLengths[Int(doc) * Self.fieldCount + field.rawValue])
                let tf = Float(list.frequencies[index])
                if scratch.termFrequency[Int(doc)] == 0 { scratch.termTouched.append(doc) }
                scratch.termFrequency[Int(doc)] += weight * tf / (constant + perTerm * length)
                scratch.termFields[Int(doc)] |= 1 << UInt8(field.rawValue)
            }
        }
        var scores: [Float] = []
        var fields: [UInt8] = []
        scores.reserveCapacity(scratch.termTouched.count)
        fields.reserveCapacity(scratch.termTouched.count)
        for doc in scratch.termTouched {
            let tf = scratch.termFrequency[Int(doc)]
            scratch.termFrequency[Int(doc)] = 0
            scores.append(idf * tf * (Self.k1 + 1) / (Self.k1 + tf))
            fields.append(scratch.termFields[Int(doc)])
            scratch.termFields[Int(doc)] = 0
        }
        let touched = scratch.termTouched
        scratch.termTouched.removeAll(keepingCapacity: true)
        return (touched, scores, fields)
    }

    /// Adds the alternative's score to `scratch.conceptBest` (keeping the best alternative per document).
    private func score(_ alternative: QueryAlternative, scratch: inout ScoringScratch) {
        let liveCount = Float(max(1, count))
        let documents = Float(nctIds.count)
        var normalisers: [(constant: Float, perTerm: Float)] = []
        for field in SearchField.allCases {
            let average = max(1, Float(lengthTotals[field.rawValue]) / liveCount)
            let b = field.lengthNormalisation
            normalisers.append((1 - b, b / average))
        }
        let termCount = alternative.terms.count
        for term in alternative.terms {
            if scratch.termScores[term] == nil {
                scratch.termScores[term] = termScores(term, normalisers: normalisers, documents: documents, scratch: &scratch)
            }
            let cached = scratch.termScores[term]!
            for (index, doc) in cached.documents.enumerated() {
                if scratch.phraseHits[Int(doc)] == 0 {
                    scratch.phraseTouched.append(doc)
                    scratch.phraseFields[Int(doc)] = cached.fields[index]
                } else {
                    scratch.phraseFields[Int(doc)] &= cached.fields[index]
                }
                scratch.phraseHits[Int(doc)] += 1
                scratch.phraseScore[Int(doc)] += cached.scores[index]
            }
        }
        let pairCount = termCount - 1
        if pairCount > 0 {
            for (first, second) in zip(alternative.terms, alternative.terms.dropFirst()) {
                guard let list = pairIds[UInt64(first) << 32 | UInt64(second)] else { continue }
                for doc in pairDocuments[Int(list)] where Int(scratch.phraseHits[Int(doc)]) == termCount {
                    scratch.pairHits[Int(doc)] &+= 1
                }
            }
        }
        for doc in scratch.phraseTouched {
            let sharesTopicalField = scratch.phraseFields[Int(doc)] & Self.topicalFields != 0
            scratch.phraseFields[Int(doc)] = 0
            if Int(scratch.phraseHits[Int(doc)]) == termCount,
                pairCount == 0 || scratch.pairHits[Int(doc)] > 0 || sharesTopicalField
            {
                var weight = alternative.weight
                if pairCount > 0 {
                    let adjacent = Float(min(Int(scratch.pairHits[Int(doc)]), pairCount)) / Float(pairCount)
                    weight *= Self.scatteredPhraseWeight + (1 - Self.scatteredPhraseWeight) * adjacent
                }
                let value = scratch.phraseScore[Int(doc)] * weight
                if scratch.conceptBest[Int(doc)] == 0 { scratch.conceptTouched.append(doc) }
                scratch.conceptBest[Int(doc)] = max(scratch.conceptBest[Int(doc)], value)
            }
            scratch.pairHits[Int(doc)] = 0
            scratch.phraseHits[Int(doc)] = 0
            scratch.phraseScore[Int(doc)] = 0
        }
        scratch.phraseTouched.removeAll(keepingCapacity: true)
    }

    /// The fields where `terms` occur in `doc` and the terms found.
    private func matchedFields(of doc: UInt32, terms termIds: [UInt32]) -> (fields: [SearchField], terms: [String]) {
        var fields = Set<SearchField>()
        var found: [String] = []
        for term in termIds {
            var present = false
            for field in SearchField.allCases where postings[Int(term) * Self.fieldCount + field.rawValue].contains(doc) {
                fields.insert(field)
                present = true
            }
            if present { found.append(terms.string(term)) }
        }
        return (SearchField.allCases.filter(fields.contains), found.sorted())
    }

    // MARK: Filters and facets

    private func documents(acceptingAge age: Float) -> Bitset {
        var set = Bitset(count: nctIds.count)
        for doc in 0..<nctIds.count where minimumAges[doc] <= age && age <= maximumAges[doc] {
            set.insert(UInt32(doc))
        }
        return set
    }

    private func facetCounts(_ facet: Facet, in set: Bitset, selected: Set<String>) -> [FacetCount] {
        let column = columns[facet.index]
        let counts = column.counts(in: set)
        var result: [FacetCount] = []
        for (id, name) in column.names.enumerated() where counts[id] > 0 || selected.contains(name) {
            result.append(FacetCount(value: name, count: counts[id], selected: selected.contains(name)))
        }
        result.sort { ($1.count, $0.value) < ($0.count, $1.value) }
        if facet == .city, result.count > Self.cityFacetLimit {
            result = result.prefix(Self.cityFacetLimit) + result.dropFirst(Self.cityFacetLimit).filter(\.selected)
        }
        return result
    }

    // MARK: Distance

    /// The documents with a located site within `radius` km of `origin`, and per document the distance of its
    /// nearest such site (infinity for the others). One distance is computed per distinct point.
    private func sitesWithin(_ radius: Double, of origin: GeoPoint) -> (documents: Bitset, distances: [Float]) {
        var documents = Bitset(count: nctIds.count)
        var distances = [Float](repeating: .infinity, count: nctIds.count)
        let latitudeSpan = radius / 111.0
        let longitudeSpan = radius / max(1, 111.0 * cos(min(89, abs(origin.latitude) + latitudeSpan) * .pi / 180))
        let rows = Int((origin.latitude - latitudeSpan + 90).rounded(.down))...Int((origin.latitude + latitudeSpan + 90).rounded(.down))
        let columnRange = Int((origin.longitude - longitudeSpan + 180).rounded(.down))...Int((origin.longitude + longitudeSpan + 180).rounded(.down))
        for row in rows {
            for column in columnRange {
                guard let points = grid[Int32(row * 400 + column)] else { continue }
                for point in points {
                    let location = GeoPoint(
                        latitude: Double(pointLatitudes[Int(point)]), longitude: Double(pointLongitudes[Int(point)]))
                    let distance = Geography.kilometres(origin, location)
                    guard distance <= radius else { continue }
                    for site in pointSites[Int(point)] {
                        let doc = siteDocuments[Int(site)]
                        documents.insert(doc)
                        distances[Int(doc)] = min(distances[Int(doc)], Float(distance))
                    }
                }
            }
        }
        return (documents, distances)
    }

    /// The nearest located site of `doc` that passes `filter`; when none passes, the nearest located site.
    private func nearestSite(of doc: UInt32, to origin: GeoPoint, filter: SiteFilter) -> NearestSite? {
        var best: (site: Int, distance: Double, passes: Bool)?
        for site in Int(siteStarts[Int(doc)])..<Int(siteStarts[Int(doc) + 1]) where !siteLatitudes[site].isNaN {
            let point = GeoPoint(latitude: Double(siteLatitudes[site]), longitude: Double(siteLongitudes[site]))
            let distance = Geography.kilometres(origin, point)
            let passes = filter.accepts(
                country: siteCountries[site], province: siteProvinces[site], region: siteRegions[site],
                city: siteCities[site])
            if let current = best, (current.passes && !passes) || (current.passes == passes && current.distance <= distance) {
                continue
            }
            best = (site, distance, passes)
        }
        guard let best else { return nil }
        let cityId = siteCities[best.site]
        let city = cityId == .max ? nil : columns[Facet.city.index].names[Int(cityId)]
        return NearestSite(locationIndex: Int(siteLocations[best.site]), city: city, distanceKm: best.distance)
    }
}

/// Which sites the location filters (country, province, health region, city) accept.
private struct SiteFilter {
    var selected: [Facet: Set<UInt32>]

    func accepts(country: UInt32, province: UInt32, region: UInt32, city: UInt32) -> Bool {
        for (facet, value) in [(Facet.country, country), (.province, province), (.healthRegion, region), (.city, city)] {
            if let values = selected[facet], !values.contains(value) { return false }
        }
        return true
    }
}

/// Dense per-document accumulators for one query. Between queries every array is all zeros and every list empty.
struct ScoringScratch {
    var termFrequency: [Float]
    var termTouched: [UInt32] = []
    /// Per term of the query, its documents and scores, computed once.
    var termScores: [UInt32: (documents: [UInt32], scores: [Float], fields: [UInt8])] = [:]
    /// Bit mask of the fields (``SearchField`` raw values) where the current term occurs, per document.
    var termFields: [UInt8]
    /// Fields where every word of the current phrase occurs so far, per document.
    var phraseFields: [UInt8]
    var phraseScore: [Float]
    var phraseHits: [UInt8]
    /// Adjacent word pairs of the current phrase found in the document.
    var pairHits: [UInt8]
    var phraseTouched: [UInt32] = []
    var conceptBest: [Float]
    var conceptTouched: [UInt32] = []
    /// The query's score of each document, and how many concepts it matched.
    var scores: [Float]
    var matched: [UInt8]
    /// Documents with a non-zero `matched` or `scores`.
    var candidates: [UInt32] = []

    init(count: Int) {
        termFrequency = [Float](repeating: 0, count: count)
        phraseScore = [Float](repeating: 0, count: count)
        phraseHits = [UInt8](repeating: 0, count: count)
        pairHits = [UInt8](repeating: 0, count: count)
        termFields = [UInt8](repeating: 0, count: count)
        phraseFields = [UInt8](repeating: 0, count: count)
        conceptBest = [Float](repeating: 0, count: count)
        scores = [Float](repeating: 0, count: count)
        matched = [UInt8](repeating: 0, count: count)
    }

    var capacity: Int { scores.count }

    /// Zeroes what the last query touched.
    mutating func clear() {
        for doc in candidates {
            scores[Int(doc)] = 0
            matched[Int(doc)] = 0
        }
        candidates.removeAll(keepingCapacity: true)
        termScores.removeAll(keepingCapacity: true)
    }
}

/// Scratch buffers kept between queries, so a query does not allocate and zero megabytes; shared by copies of an
/// index (a buffer too small for a grown index is replaced).
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [ScoringScratch] = []

    func take(count: Int) -> ScoringScratch {
        lock.lock()
        defer { lock.unlock() }
        while let scratch = free.popLast() {
            if scratch.capacity >= count { return scratch }
        }
        return ScoringScratch(count: count)
    }

    func give(_ scratch: inout ScoringScratch) {
        scratch.clear()
        lock.lock()
        defer { lock.unlock() }
        if free.count < 4 { free.append(scratch) }
    }
}

/// A position in a result ordering: the sort value (ascending; descending sorts negate it), then the NCT number.
struct Cursor: Comparable {
    var primary: Double
    var nct: UInt32

    init(primary: Double, nct: UInt32) {
        self.primary = primary
        self.nct = nct
    }

    /// Reads "sort.hexbits.nctnumber".
    init(_ text: String, sort: SearchQuery.Sort) throws(SearchError) {
        let parts = text.split(separator: ".")
        guard parts.count == 3, parts[0] == sort.rawValue, let bits = UInt64(parts[1], radix: 16),
            let nct = UInt32(parts[2])
        else { throw SearchError.invalidCursor(text) }
        self.init(primary: Double(bitPattern: bits), nct: nct)
    }

    func text(sort: SearchQuery.Sort) -> String {
        "\(sort.rawValue).\(String(primary.bitPattern, radix: 16)).\(nct)"
    }

    static func < (lhs: Cursor, rhs: Cursor) -> Bool {
        (lhs.primary, lhs.nct) < (rhs.primary, rhs.nct)
    }
}

extension Array {
    /// The first index whose element satisfies `belongsAfter`, which must be false then true along the array.
    func partitioningIndex(where belongsAfter: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
