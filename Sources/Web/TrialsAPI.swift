import API
import Analytics
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Search
import Storage
import Trials

/// The `/api/v1` trial finder, implementing its operations generated from `Sources/API/openapi.yaml` (served
/// through `PasserelleAPI`).
struct TrialsAPI: Sendable {
    let finder: Finder
    let store: any TrialStore
    /// The current date, for the portrait's "new this year".
    let today: @Sendable () -> Date

    /// Most rows a CSV export holds.
    static let exportLimit = 10_000

    func searchTrials(_ input: Operations.SearchTrials.Input) async throws -> Operations.SearchTrials.Output {
        let query = input.query
        var parameters = FinderParameters()
        parameters.text = query.q?.trimmed ?? ""
        parameters.near = query.near?.trimmedNonEmpty
        parameters.radiusKm = query.radiusKm
        parameters.age = query.age
        parameters.sex = query.sex.flatMap { Sex(rawValue: $0.rawValue) }
        parameters.healthyVolunteers = query.healthyVolunteers
        let selections: [String: [String]?] = [
            "status": query.status?.map(\.rawValue), "phase": query.phase?.map(\.rawValue),
            "study_type": query.studyType?.map(\.rawValue), "cgt": query.cgt?.map(\.rawValue),
            "age_group": query.ageGroup?.map(\.rawValue), "country": query.country, "province": query.province,
            "region": query.region, "city": query.city, "sponsor_class": query.sponsorClass?.map(\.rawValue),
        ]
        for case let (name, values?) in selections where !values.isEmpty { parameters.selections[name] = values }
        parameters.sort = query.sort.flatMap { SearchQuery.Sort(rawValue: $0.rawValue) } ?? .relevance
        parameters.limit = query.limit ?? 20
        parameters.cursor = query.cursor?.trimmedNonEmpty
        if parameters.radiusKm != nil, parameters.near == nil {
            return .badRequest(Problems.badRequest(ParameterError(parameter: "radius_km", reason: "needs near")))
        }
        do {
            try parameters.validate()
        } catch {
            return .badRequest(Problems.badRequest(error))
        }
        let labels = Labels(query.lang == .en ? .en : .fr)
        do {
            if query.format == .csv {
                return .ok(.init(body: .csv(HTTPBody(try export(parameters, labels: labels)))))
            }
            let (results, summaries) = try finder.search(parameters.searchQuery())
            return .ok(.init(body: .json(page(results, summaries, labels: labels))))
        } catch {
            return .badRequest(Problems.badRequest(Problems.parameterError(error)))
        }
    }

    func getTrial(_ input: Operations.GetTrial.Input) async throws -> Operations.GetTrial.Output {
        let nctId = input.path.nct.uppercased()
        guard nctId.wholeMatch(of: /NCT[0-9]{8}/) != nil else {
            return .badRequest(
                Problems.badRequest(ParameterError(parameter: "nct", reason: "must be NCT followed by 8 digits")))
        }
        guard let trial = try await store.trial(nctId) else {
            return .notFound(.init(body: .applicationProblemJson(Problems.notFound(nctId))))
        }
        let labels = Labels(input.query.lang == .en ? .en : .fr)
        if input.query.format == .fhir {
            return .ok(.init(body: .applicationFhirJson(FHIRResearchStudy.make(trial))))
        }
        return .ok(.init(body: .json(TrialRecordMapper.make(trial, geography: finder.geography, labels: labels))))
    }

    func getPortrait(_ input: Operations.GetPortrait.Input) async throws -> Operations.GetPortrait.Output {
        let scope = input.query.scope.flatMap { TrialPortrait.Scope(rawValue: $0.rawValue) } ?? .quebec
        let labels = Labels(input.query.lang == .en ? .en : .fr)
        let portrait = TrialPortrait(finder.snapshot.summaries.values, scope: scope, year: Self.year(of: today()))
        return .ok(.init(body: .json(Self.schema(portrait, labels: labels))))
    }

    static func year(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Montreal") ?? .gmt
        return calendar.component(.year, from: date)
    }

    // MARK: Mapping

    private func page(_ results: SearchResults, _ summaries: [TrialSummary], labels: Labels)
        -> Components.Schemas.SearchPage
    {
        let byId = Dictionary(summaries.map { ($0.nctId, $0) }, uniquingKeysWith: { first, _ in first })
        let hits = results.hits.compactMap { hit -> Components.Schemas.SearchHit? in
            guard let summary = byId[hit.nctId] else { return nil }
            return Components.Schemas.SearchHit(
                nctId: hit.nctId, title: summary.title, score: hit.score,
                status: labels.label("status", summary.status.rawValue),
                phases: summary.phases.map { labels.label("phase", $0.rawValue) },
                conditions: summary.conditions,
                cgtTypes: summary.cgtTypes.map { labels.label("cgt", $0.rawValue) },
                ages: labels.ages(summary.minimumAge, summary.maximumAge), sponsor: summary.sponsor,
                sites: summary.sites, sitesInCanada: summary.sitesInCanada,
                lastUpdate: summary.lastUpdate.description,
                nearestSite: hit.nearestSite.map {
                    .init(facility: nil, city: $0.city, distanceKm: ($0.distanceKm * 10).rounded() / 10)
                },
                matchedFields: hit.matchedFields.map { "\($0)" }, url: "/api/v1/trials/\(hit.nctId)")
        }
        let facets = Facet.allCases.compactMap { facet -> Components.Schemas.FacetCounts? in
            guard let counts = results.facets[facet],
                let name = Components.Schemas.FacetCounts.FacetPayload(rawValue: facet.rawValue)
            else { return nil }
            return .init(
                facet: name,
                values: counts.map {
                    .init(value: $0.value, label: labels.facetValue(facet, $0.value), count: $0.count, selected: $0.selected)
                })
        }
        return Components.Schemas.SearchPage(
            total: results.total, hits: hits, facets: facets, nextCursor: results.nextCursor,
            origin: results.origin.map { .init(latitude: $0.latitude, longitude: $0.longitude) },
            interpretation: results.interpretation)
    }

    /// The whole result set as CSV (up to ``exportLimit`` rows), one trial per line.
    private func export(_ parameters: FinderParameters, labels: Labels) throws(SearchError) -> String {
        var parameters = parameters
        parameters.limit = 100
        parameters.cursor = nil
        var lines = [
            [
                "nct_id", "title", "status", "phases", "conditions", "cgt_types", "ages", "sex", "sponsor", "sites",
                "sites_in_canada", "nearest_site_city", "distance_km", "last_update", "url",
            ].joined(separator: ",")
        ]
        var rows = 0
        while rows < Self.exportLimit {
            let (results, summaries) = try finder.search(parameters.searchQuery(facets: []))
            let byId = Dictionary(summaries.map { ($0.nctId, $0) }, uniquingKeysWith: { first, _ in first })
            for hit in results.hits {
                guard let summary = byId[hit.nctId], rows < Self.exportLimit else { continue }
                rows += 1
                let fields = [
                    hit.nctId, Self.spreadsheetSafe(summary.title), labels.text("status_\(summary.status.rawValue)"),
                    summary.phases.map { labels.text("phase_\($0.rawValue)") }.joined(separator: "; "),
                    Self.spreadsheetSafe(summary.conditions.joined(separator: "; ")),
                    summary.cgtTypes.map { labels.text("cgt_\($0.rawValue)") }.joined(separator: "; "),
                    labels.ages(summary.minimumAge, summary.maximumAge), labels.text("sex_\(summary.sex.rawValue)"),
                    Self.spreadsheetSafe(summary.sponsor), String(summary.sites), String(summary.sitesInCanada),
                    hit.nearestSite?.city ?? "",
                    hit.nearestSite.map { String(format: "%.1f", $0.distanceKm) } ?? "",
                    summary.lastUpdate.description, "https://clinicaltrials.gov/study/\(hit.nctId)",
                ]
                lines.append(fields.map(CSVTable.quoted).joined(separator: ","))
            }
            guard let next = results.nextCursor else { break }
            parameters.cursor = next
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Text that a spreadsheet would read as a formula gets a leading apostrophe (CSV injection).
    static func spreadsheetSafe(_ text: String) -> String {
        guard let first = text.first, "=+-@".contains(first) else { return text }
        return "'" + text
    }

    static func schema(_ portrait: TrialPortrait, labels: Labels) -> Components.Schemas.Portrait {
        Components.Schemas.Portrait(
            scope: portrait.scope.rawValue, trials: portrait.trials, recruiting: portrait.recruiting,
            newThisYear: portrait.newThisYear, year: portrait.year, sites: portrait.sites,
            areas: portrait.areas.map { .init(code: $0.area.rawValue, label: labels.text("area_\($0.area.rawValue)"), count: $0.count) },
            paediatric: .init(trials: portrait.paediatric, share: (portrait.paediatricShare * 1000).rounded() / 1000),
            cgt: portrait.cgt.map { .init(code: $0.type.rawValue, label: labels.text("cgt_\($0.type.rawValue)"), count: $0.count) },
            byYear: portrait.byYear.map { .init(code: String($0.year), label: String($0.year), count: $0.count) })
    }
}

/// RFC 9457 problem bodies.
enum Problems {
    static func badRequest(_ error: ParameterError) -> Components.Responses.BadRequest {
        .init(
            body: .applicationProblemJson(
                .init(
                    _type: "about:blank", title: "Invalid parameter", status: 400, detail: error.description,
                    parameter: error.parameter)))
    }

    static func notFound(_ nctId: String) -> Components.Schemas.Problem {
        .init(_type: "about:blank", title: "Not found", status: 404, detail: "no trial \(nctId) in Passerelle")
    }

    /// The parameter a search error is about.
    static func parameterError(_ error: SearchError) -> ParameterError {
        switch error {
        case .unknownPlace: ParameterError(parameter: "near", reason: error.description)
        case .placeRequired: ParameterError(parameter: "near", reason: error.description)
        case .invalidCursor: ParameterError(parameter: "cursor", reason: error.description)
        }
    }
}

/// Labels of codes in one language, from the string table.
struct Labels: Sendable {
    let language: Language
    private let table: [String: String]

    init(_ language: Language) {
        self.language = language
        table = Strings.table(for: language)
    }

    func text(_ key: String) -> String { table[key] ?? key }

    func label(_ prefix: String, _ code: String) -> Components.Schemas.Label {
        .init(code: code, label: text("\(prefix)_\(code)"))
    }

    /// The label of a facet value: translated for coded facets, as is for places.
    func facetValue(_ facet: Facet, _ value: String) -> String {
        switch facet {
        case .status: text("status_\(value)")
        case .phase: text("phase_\(value)")
        case .studyType: text("studyType_\(value)")
        case .ageGroup: text("ageGroup_\(value)")
        case .sex: text("sex_\(value)")
        case .healthyVolunteers: text("healthyVolunteers_\(value)")
        case .cgtType: text("cgt_\(value)")
        case .sponsorCategory: text("sponsorCategory_\(value)")
        case .province: Province(rawValue: value).map { Labels.provinceName($0, language) } ?? value
        case .healthRegion: Int(value).flatMap(QuebecHealthRegion.init(rawValue:)).map { "\($0.code) \($0.name)" } ?? value
        case .country: language == .fr ? Labels.frenchCountry[value] ?? value : value
        case .city: value
        }
    }

    /// "18 years – 75 years", "18 years and over", "Any age", in this language.
    func ages(_ minimum: AgeLimit?, _ maximum: AgeLimit?) -> String {
        switch (minimum, maximum) {
        case (nil, nil): text("any_age")
        case (let minimum?, nil): text("age_from").replacingOccurrences(of: "{n}", with: age(minimum))
        case (nil, let maximum?): text("age_to").replacingOccurrences(of: "{n}", with: age(maximum))
        case (let minimum?, let maximum?): "\(age(minimum)) – \(age(maximum))"
        }
    }

    func age(_ limit: AgeLimit) -> String {
        let value = limit.value == limit.value.rounded() ? String(Int(limit.value)) : String(limit.value)
        let one = limit.value == 1
        let units: [AgeLimit.Unit: (fr: String, en: String)] = [
            .years: (one ? "an" : "ans", one ? "year" : "years"), .months: ("mois", one ? "month" : "months"),
            .weeks: (one ? "semaine" : "semaines", one ? "week" : "weeks"), .days: (one ? "jour" : "jours", one ? "day" : "days"),
            .hours: (one ? "heure" : "heures", one ? "hour" : "hours"), .minutes: (one ? "minute" : "minutes", one ? "minute" : "minutes"),
        ]
        let unit = units[limit.unit].map { language == .fr ? $0.fr : $0.en } ?? limit.unit.rawValue
        return "\(value) \(unit)"
    }

    static func provinceName(_ province: Province, _ language: Language) -> String {
        let names: [Province: (fr: String, en: String)] = [
            .quebec: ("Québec", "Quebec"), .ontario: ("Ontario", "Ontario"),
            .britishColumbia: ("Colombie-Britannique", "British Columbia"), .alberta: ("Alberta", "Alberta"),
            .manitoba: ("Manitoba", "Manitoba"), .saskatchewan: ("Saskatchewan", "Saskatchewan"),
            .novaScotia: ("Nouvelle-Écosse", "Nova Scotia"), .newBrunswick: ("Nouveau-Brunswick", "New Brunswick"),
            .newfoundlandAndLabrador: ("Terre-Neuve-et-Labrador", "Newfoundland and Labrador"),
            .princeEdwardIsland: ("Île-du-Prince-Édouard", "Prince Edward Island"), .yukon: ("Yukon", "Yukon"),
            .northwestTerritories: ("Territoires du Nord-Ouest", "Northwest Territories"), .nunavut: ("Nunavut", "Nunavut"),
        ]
        return names[province].map { language == .fr ? $0.fr : $0.en } ?? province.rawValue
    }

    /// French names of the countries most often listed.
    static let frenchCountry: [String: String] = [
        "United States": "États-Unis", "Canada": "Canada", "France": "France", "Germany": "Allemagne",
        "United Kingdom": "Royaume-Uni", "Spain": "Espagne", "Italy": "Italie", "China": "Chine",
        "Belgium": "Belgique", "Netherlands": "Pays-Bas", "Australia": "Australie", "Japan": "Japon",
        "South Korea": "Corée du Sud", "Switzerland": "Suisse", "Sweden": "Suède", "Denmark": "Danemark",
        "Norway": "Norvège", "Poland": "Pologne", "Brazil": "Brésil", "Mexico": "Mexique", "Israel": "Israël",
        "Austria": "Autriche", "Ireland": "Irlande", "Finland": "Finlande", "Czechia": "Tchéquie",
        "Hungary": "Hongrie", "Greece": "Grèce", "Russia": "Russie", "India": "Inde", "Taiwan": "Taïwan",
        "Egypt": "Égypte", "Turkey": "Turquie", "Argentina": "Argentine", "Portugal": "Portugal",
        "New Zealand": "Nouvelle-Zélande", "Singapore": "Singapour", "Hong Kong": "Hong Kong",
    ]
}
