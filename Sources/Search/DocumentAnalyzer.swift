import Trials

/// What a run of trials contributes to the index, with analyzer-local term and facet value ids.
///
/// A posting is packed as `localTerm << 32 | field << 16 | tf` (tf saturated at 65,535); a pair as
/// `localTerm << 32 | localTerm`; a facet value as `facetIndex << 32 | localValue`. The `…Ends` arrays give each
/// document's end offset.
struct AnalyzedBatch {
    var postings: [UInt64] = []
    var postingEnds: [Int] = []
    var pairs: [UInt64] = []
    var pairEnds: [Int] = []
    /// Per document, the length of each ``SearchField`` in terms (saturated at 65,535).
    var lengths: [UInt16] = []
    var facetValues: [UInt64] = []
    var facetEnds: [Int] = []
    var sites: [SiteFacts] = []
    var siteEnds: [Int] = []
    /// Last update posted as yyyymmdd.
    var updated: [Int32] = []
    var minimumAges: [Float] = []
    var maximumAges: [Float] = []
}

/// One site as the index keeps it; facet value ids are analyzer-local until merged (`UInt32.max` when unknown).
struct SiteFacts {
    var latitude: Float
    var longitude: Float
    var location: UInt16
    var country: UInt32
    var province: UInt32
    var region: UInt32
    var city: UInt32
}

/// Facet values met by one analyzer: comparison key → local id, with the display names.
struct LocalValues {
    private var ids: [String: UInt32] = [:]
    private(set) var keys: [String] = []
    private(set) var names: [String] = []

    mutating func id(key: String, name: String) -> UInt32 {
        if let id = ids[key] { return id }
        let id = UInt32(keys.count)
        ids[key] = id
        keys.append(key)
        names.append(name)
        return id
    }
}

/// Analyses trial text with its own term dictionary, so several analyzers can run in parallel and be merged.
///
/// Each distinct surface form (word as typed, folded) is turned into its index term once and cached, so the hot
/// loop is one hash lookup per token; the result is the same as ``TextAnalyzer/forEachIndexTerm(_:_:)``.
struct DocumentAnalyzer {
    let geography: Geography
    private(set) var dictionary = TermDictionary()
    /// Per facet (``Facet/index``), the values met.
    private(set) var values = [LocalValues](repeating: LocalValues(), count: Facet.allCases.count)
    private var places: [PlaceKey: CachedPlace] = [:]

    init(geography: Geography) {
        self.geography = geography
    }
    private var counts: [UInt32] = []
    private var touched: [UInt32] = []
    /// Surface form + kind byte → index of its term in `surfaceTerms`.
    private var surfaces = TermDictionary()
    /// Term id of each surface, `UInt32.max` for a stop word.
    private var surfaceTerms: [UInt32] = []

    /// The term id of a surface form, or `nil` for a stop word.
    private mutating func term(_ surface: UnsafeBufferPointer<UInt8>, kind: TextAnalyzer.SurfaceKind) -> UInt32? {
        let id = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: surface.count + 1) { key in
            _ = key.initialize(from: surface)
            key[surface.count] = kind.rawValue
            return Int(surfaces.intern(UnsafeBufferPointer(key)))
        }
        if id == surfaceTerms.count {
            surfaceTerms.append(TextAnalyzer.indexTerm(surface, kind: kind).map { dictionary.intern($0) } ?? .max)
        }
        let term = surfaceTerms[id]
        return term == .max ? nil : term
    }

    /// The texts of `field` in `trial`.
    static func texts(_ field: SearchField, of trial: Trial) -> [String] { field.texts(of: trial) }

    /// Appends the analysis of `trial` to `batch`.
    mutating func analyze(_ trial: Trial, into batch: inout AnalyzedBatch) {
        var pairs: [UInt64] = []
        for field in SearchField.allCases {
            var length = 0
            for text in Self.texts(field, of: trial) {
                var previous: UInt32?
                TextAnalyzer.forEachSurface(text) { surface, kind in
                    guard let id = term(surface, kind: kind) else { return }
                    if Int(id) >= counts.count { counts.append(contentsOf: repeatElement(0, count: Int(id) + 1024 - counts.count)) }
                    if counts[Int(id)] == 0 { touched.append(id) }
                    counts[Int(id)] += 1
                    guard kind != .joined, kind != .plus else { return }
                    length += 1
                    if field.indexesPairs {
                        if let previous { pairs.append(UInt64(previous) << 32 | UInt64(id)) }
                        previous = id
                    }
                }
            }
            for id in touched {
                let tf = UInt64(min(counts[Int(id)], 65_535))
                batch.postings.append(UInt64(id) << 32 | UInt64(field.rawValue) << 16 | tf)
                counts[Int(id)] = 0
            }
            touched.removeAll(keepingCapacity: true)
            batch.lengths.append(UInt16(min(length, 65_535)))
        }
        pairs.sort()
        var last: UInt64?
        for pair in pairs where pair != last {
            batch.pairs.append(pair)
            last = pair
        }
        batch.postingEnds.append(batch.postings.count)
        batch.pairEnds.append(batch.pairs.count)
        recordFacts(trial, into: &batch)
    }

    private mutating func recordFacts(_ trial: Trial, into batch: inout AnalyzedBatch) {
        let last = trial.dates.lastUpdatePosted
        batch.updated.append(Int32(last.year * 10_000 + last.month * 100 + (last.day ?? 0)))
        batch.minimumAges.append(Float(trial.eligibility.minimumAge?.years ?? 0))
        batch.maximumAges.append(Float(trial.eligibility.maximumAge?.years ?? .infinity))

        func add(_ facet: Facet, _ name: String) {
            add(facet, values[facet.index].id(key: name, name: name))
        }
        func add(_ facet: Facet, _ id: UInt32) {
            if id != .max { batch.facetValues.append(UInt64(facet.index) << 32 | UInt64(id)) }
        }
        add(.status, trial.overallStatus.rawValue)
        for phase in trial.phases { add(.phase, phase.rawValue) }
        add(.studyType, trial.studyType.rawValue)
        for group in trial.eligibility.ageGroups { add(.ageGroup, group.rawValue) }
        add(.sex, trial.eligibility.sex.rawValue)
        add(.healthyVolunteers, trial.eligibility.healthyVolunteers.map { "\($0)" } ?? "unknown")
        for type in trial.cgt.types.isEmpty ? [CGTType.notCGT] : trial.cgt.types { add(.cgtType, type.rawValue) }
        add(.sponsorCategory, trial.leadSponsor.agencyClass.category.rawValue)
        for (index, location) in trial.locations.enumerated() {
            let site = place(of: location)
            batch.sites.append(
                SiteFacts(
                    latitude: site.point.map { Float($0.latitude) } ?? .nan,
                    longitude: site.point.map { Float($0.longitude) } ?? .nan,
                    location: UInt16(min(index, Int(UInt16.max))), country: site.country, province: site.province,
                    region: site.region, city: site.city))
            add(.country, site.country)
            add(.province, site.province)
            add(.healthRegion, site.region)
            add(.city, site.city)
        }
        batch.facetEnds.append(batch.facetValues.count)
        batch.siteEnds.append(batch.sites.count)
    }

    private struct PlaceKey: Hashable {
        var city: String?
        var state: String?
        var country: String?
        var postalCode: String?
        var latitude: Double?
        var longitude: Double?
    }

    private struct CachedPlace {
        var point: GeoPoint?
        var country: UInt32
        var province: UInt32
        var region: UInt32
        var city: UInt32
    }

    /// Geography and facet values of a site, cached by city, state, country, postal code and point (sites repeat).
    private mutating func place(of location: Location) -> CachedPlace {
        let key = PlaceKey(
            city: location.city, state: location.state, country: location.country, postalCode: location.postalCode,
            latitude: location.geo?.latitude, longitude: location.geo?.longitude)
        if let cached = places[key] { return cached }
        let place = geography.place(of: location)
        func id(_ facet: Facet, _ name: String?) -> UInt32 {
            name.map { values[facet.index].id(key: $0, name: $0) } ?? .max
        }
        let country = location.country.map(Country.canonical)
        var city = UInt32.max
        if let name = location.city?.trimmed, !name.isEmpty {
            let area = place.province?.rawValue ?? country ?? "?"
            city = values[Facet.city.index].id(key: Geography.placeKey(name) + "|" + area, name: "\(name), \(area)")
        }
        let cached = CachedPlace(
            point: place.point, country: id(.country, country), province: id(.province, place.province?.rawValue),
            region: id(.healthRegion, place.healthRegion?.code), city: city)
        places[key] = cached
        return cached
    }
}

extension SearchField {
    /// The texts of this field in `trial`, as the index reads them (benchmarks feed the same texts to other engines).
    public func texts(of trial: Trial) -> [String] {
        switch self {
        case .title: [trial.briefTitle] + [trial.officialTitle, trial.acronym].compactMap { $0 }
        case .conditions: trial.conditions + trial.keywords + trial.conditionMeshTerms
        case .interventions:
            trial.interventions.flatMap { [$0.name] + $0.otherNames } + trial.interventionMeshTerms
                + trial.cgt.types.map(Self.cgtWords)
        case .summary: [trial.briefSummary, trial.detailedDescription].compactMap { $0 }
        case .criteria: [trial.eligibility.criteria].compactMap { $0 }
        }
    }

    /// Plain words for a CGT category, indexed with the interventions so that a patient's "gene therapy" or
    /// "thérapie cellulaire" finds classified trials whose record never uses those words.
    static func cgtWords(_ type: CGTType) -> String {
        switch type {
        case .carT: "CAR-T cell therapy, gene therapy, genetically modified cells"
        case .otherTCell, .nkOrOtherImmuneCell: "cell therapy"
        case .stemCell: "stem cell therapy"
        case .inVivoGeneTherapy: "gene therapy"
        case .exVivoGeneModifiedCells: "gene therapy, cell therapy, genetically modified cells"
        case .geneEditing: "gene editing, gene therapy"
        case .oncolyticVirus: "oncolytic virus"
        case .rnaOrAntisense: "RNA therapy"
        case .notCGT: ""
        }
    }
}
