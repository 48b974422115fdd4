import Trials

/// The fields a trial is searched in, with their BM25F weights (see docs/SEARCH.md for the reasoning).
public enum SearchField: Int, Sendable, Codable, CaseIterable {
    /// Brief title, official title, acronym.
    case title
    /// Conditions, keywords, condition MeSH terms.
    case conditions
    /// Intervention names and other names, intervention MeSH terms.
    case interventions
    /// Brief summary and detailed description.
    case summary
    /// Eligibility criteria.
    case criteria

    /// Field weight: a word in the title or conditions says what the study is about; in the criteria it may be
    /// an exclusion ("no prior lymphoma").
    var weight: Float {
        switch self {
        case .title: 3.0
        case .conditions: 3.0
        case .interventions: 2.0
        case .summary: 1.0
        case .criteria: 0.3
        }
    }

    /// BM25 length normalisation per field: full for conditions (a record listing forty conditions is not about
    /// any one of them), summary and criteria; half for titles and intervention lists, whose length says little.
    var lengthNormalisation: Float {
        switch self {
        case .title, .interventions: 0.5
        case .conditions, .summary, .criteria: 0.75
        }
    }

    /// Fields whose adjacent word pairs are indexed for the phrase boost.
    var indexesPairs: Bool { self == .title || self == .conditions || self == .interventions }
}

/// A facet: a property trials can be filtered and counted by.
public enum Facet: String, Sendable, Codable, CaseIterable {
    /// ``OverallStatus`` raw value.
    case status
    /// ``Phase`` raw value (a phase 1/2 trial counts under both).
    case phase
    /// ``StudyType`` raw value.
    case studyType
    /// ``AgeGroup`` raw value.
    case ageGroup
    /// ``Sex`` raw value as the record states it ("ALL" trials are not counted under "FEMALE").
    case sex
    /// "true", "false" or "unknown".
    case healthyVolunteers
    /// ``CGTType`` raw value, every type of the classification (not only the primary one); not-CGT trials count
    /// under "not-cgt".
    case cgtType
    /// Canonical English country name (``Country/canonical(_:)``).
    case country
    /// ``Province`` code of a Canadian site.
    case province
    /// ``QuebecHealthRegion`` code "01" … "18" of a Québec site.
    case healthRegion
    /// "City, QC" for Canadian sites, "City, Country" elsewhere.
    case city
    /// ``SponsorCategory`` raw value of the lead sponsor.
    case sponsorCategory
}

/// What the user asks for.
public struct SearchQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, Codable, CaseIterable {
        /// BM25F score, then NCT id. Without text (or only stop words), as `recent`; the cursor then carries
        /// `recent`.
        case relevance
        /// Distance of the nearest matching site to ``SearchQuery/place``, then NCT id; trials without a located
        /// site come last. Requires a place.
        case distance
        /// Last update posted, newest first, then NCT id.
        case recent
    }

    /// Free text in French or English; empty means every trial.
    public var text: String
    /// The query language, or `nil` to analyse it as both French and English.
    public var language: Language?
    /// Facet selections: within a facet values are OR-ed, across facets AND-ed.
    public var filters: [Facet: Set<String>]
    /// Only trials whose age limits accept a person of this age (``Eligibility/accepts(ageInYears:)``).
    public var acceptsAge: Double?
    /// A postal code, city or "lat,lon" (see ``Geography/resolve(_:)``).
    public var place: String?
    /// Keep only trials with a matching site within this many kilometres of `place`.
    public var radiusKm: Double?
    public var sort: Sort
    /// Hits per page, clamped to 1…100.
    public var pageSize: Int
    /// The `nextCursor` of the previous page, or `nil` for the first page.
    public var cursor: String?
    /// The facets to count; by default all.
    public var facets: Set<Facet>

    public init(
        text: String = "", language: Language? = nil, filters: [Facet: Set<String>] = [:], acceptsAge: Double? = nil,
        place: String? = nil, radiusKm: Double? = nil, sort: Sort = .relevance, pageSize: Int = 20,
        cursor: String? = nil, facets: Set<Facet> = Set(Facet.allCases)
    ) {
        self.text = text
        self.language = language
        self.filters = filters
        self.acceptsAge = acceptsAge
        self.place = place
        self.radiusKm = radiusKm
        self.sort = sort
        self.pageSize = pageSize
        self.cursor = cursor
        self.facets = facets
    }
}

/// Why a query cannot be answered.
public enum SearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The place is not a postal code, known city or "lat,lon".
    case unknownPlace(String)
    /// A radius or distance sort was asked for without a place.
    case placeRequired
    /// The cursor was not made by this engine for this sort.
    case invalidCursor(String)

    public var description: String {
        switch self {
        case .unknownPlace(let place): "unknown place \"\(place)\": give a postal code, a city or \"lat,lon\""
        case .placeRequired: "a radius or a distance sort needs a place"
        case .invalidCursor(let cursor): "invalid cursor \"\(cursor)\""
        }
    }
}

/// One page of results.
public struct SearchResults: Sendable, Equatable {
    /// Number of trials matching the query and every filter.
    public var total: Int
    public var hits: [SearchHit]
    /// Counts per facet value; each facet's counts apply every active filter except the facet's own.
    public var facets: [Facet: [FacetCount]]
    /// Pass as ``SearchQuery/cursor`` for the next page; `nil` on the last page.
    public var nextCursor: String?
    /// Where distances are measured from, when a place was given.
    public var origin: GeoPoint?
    /// How the text was understood: one entry per concept, its alternatives joined by " | ".
    public var interpretation: [String]
    /// True when no trial (inside the age and radius filters) matched every required concept of the text, so the
    /// hits are the trials matching the most concepts (the "most concepts" fallback); false otherwise, and without
    /// text. Alerts use it: a saved search only ever alerts on trials matching every concept.
    public var isPartialTextMatch = false
}

/// One trial in the results.
public struct SearchHit: Sendable, Equatable {
    public var nctId: String
    /// BM25F score (0 when the query has no text).
    public var score: Double
    /// The nearest site that matches the location filters, when a place was given and the trial has a located site.
    public var nearestSite: NearestSite?
    /// Fields in which query terms were found, in ``SearchField`` order.
    public var matchedFields: [SearchField]
    /// The index terms found (``TextAnalyzer/indexTerms(_:)`` forms), for highlighting.
    public var matchedTerms: [String]
}

/// A site and its distance from the query's place.
public struct NearestSite: Sendable, Equatable {
    /// Index of the site in the trial's `locations`.
    public var locationIndex: Int
    public var city: String?
    public var distanceKm: Double
}

/// One facet value and how many trials have it.
public struct FacetCount: Sendable, Equatable {
    public var value: String
    public var count: Int
    /// Whether the query filters on this value.
    public var selected: Bool
}
