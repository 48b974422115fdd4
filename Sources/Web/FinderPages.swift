import Charts
import Foundation
import Search
import Trials

/// The search page: the form, the results with their nearest site, facets as toggle links, cursor pages.
struct SearchPageModel: PageModel {
    var parameters: FinderParameters
    var results: SearchResults?
    var summaries: [TrialSummary]
    var error: String?
    var language: Language
    /// When a radius leaves nothing: how many trials match further away, the nearest site, and that search.
    var wider: (total: Int, nearest: NearestSite?, parameters: FinderParameters)?

    var switchHref: String { Self.href("/search", parameters.form, language: language.other) }

    static func href(_ path: String, _ form: FormQuery, language: Language) -> String {
        var pairs = form.pairs.filter { $0.name != "lang" }
        pairs.append(("lang", language.rawValue))
        return path + "?" + FormQuery(pairs: pairs).encoded
    }

    var context: [String: Any] {
        let labels = Labels(language)
        let strings = Strings.table(for: language)
        var context: [String: Any] = [
            "title": (parameters.text.isEmpty ? "" : "\(parameters.text) — ") + (strings["search_title"] ?? ""),
            "q": parameters.text, "near": parameters.near ?? "",
            "age": parameters.age.map(NumberFormat.plain) ?? "",
            "radiusOptions": radiusOptions(strings),
            "sortOptions": SearchQuery.Sort.allCases.map { sort -> [String: Any] in
                ["value": sort.rawValue, "label": strings["sort_\(sort.rawValue)"] ?? sort.rawValue, "selected": sort == parameters.sort]
            },
            "hidden": parameters.form.pairs.filter { pair in
                FinderParameters.facetParameters.contains { $0.name == pair.name } || pair.name == "sex"
                    || pair.name == "healthy_volunteers"
            }.map { ["name": $0.name, "value": $0.value] },
        ]
        if let error { context["error"] = error }
        guard let results else { return context }
        context["hasResults"] = true
        context["total"] = results.total
        context["totalText"] =
            results.total == 1
            ? strings["results_count_one"] ?? ""
            : (strings["results_count"] ?? "").replacingOccurrences(of: "{n}", with: language.format(results.total))
        context["none"] = results.total == 0
        if let wider {
            var widerForm = wider.parameters
            widerForm.limit = parameters.limit
            var text = (strings["wider_results"] ?? "").replacingOccurrences(of: "{n}", with: language.format(wider.total))
            if let nearest = wider.nearest {
                text += " " + (strings["wider_nearest"] ?? "")
                    .replacingOccurrences(of: "{city}", with: nearest.city ?? "?")
                    .replacingOccurrences(of: "{km}", with: language.format(Int(nearest.distanceKm.rounded())))
            }
            context["wider"] = ["text": text, "href": Self.href("/search", widerForm.form, language: language)]
        }
        if !results.interpretation.isEmpty && !parameters.text.isEmpty {
            context["interpretation"] = results.interpretation.joined(separator: " · ")
        }
        let byId = Dictionary(summaries.map { ($0.nctId, $0) }, uniquingKeysWith: { first, _ in first })
        context["hits"] = results.hits.compactMap { hit -> [String: Any]? in
            guard let summary = byId[hit.nctId] else { return nil }
            var item: [String: Any] = [
                "nctId": hit.nctId, "title": summary.title,
                "href": "/trials/\(hit.nctId)?lang=\(language.rawValue)",
                "proHref": "/trials/\(hit.nctId)?view=pro&lang=\(language.rawValue)",
                "status": labels.text("status_\(summary.status.rawValue)"),
                "open": summary.status.isOpen,
                "phases": summary.phases.map { labels.text("phase_\($0.rawValue)") }.joined(separator: ", "),
                "conditions": summary.conditions.joined(separator: " · "),
                "cgt": summary.cgtTypes.map { labels.text("cgt_\($0.rawValue)") }.joined(separator: ", "),
                "ages": labels.ages(summary.minimumAge, summary.maximumAge),
                "sponsor": summary.sponsor,
                "sites": language.format(summary.sites),
                "sitesWord": strings[summary.sites == 1 ? "site_count_one" : "sites_count"] ?? "",
                "sitesInCanada": language.format(summary.sitesInCanada),
                "updated": summary.lastUpdate.description,
                "matched": hit.matchedFields.map { strings["field_\($0)"] ?? "\($0)" }.joined(separator: ", "),
            ]
            if let nearest = hit.nearestSite {
                item["nearest"] = [
                    nearest.city ?? "",
                    (strings["km_away"] ?? "{n} km").replacingOccurrences(
                        of: "{n}", with: nearest.distanceKm < 10 ? String(format: "%.1f", nearest.distanceKm).replacingOccurrences(of: ".", with: language == .fr ? "," : ".") : language.format(Int(nearest.distanceKm.rounded()))),
                ].filter { !$0.isEmpty }.joined(separator: " — ")
            }
            return item
        }
        context["facets"] = facetGroups(results, labels: labels, strings: strings)
        var withoutCursor = parameters
        withoutCursor.cursor = nil
        if let next = results.nextCursor {
            var nextPage = parameters
            nextPage.cursor = next
            context["nextHref"] = Self.href("/search", nextPage.form, language: language)
        }
        if parameters.cursor != nil { context["firstHref"] = Self.href("/search", withoutCursor.form, language: language) }
        context["savedQuery"] = withoutCursor.form.encoded
        if results.total > 0 {
            var export = withoutCursor.form
            export.pairs.append(("format", "csv"))
            context["exportHref"] = Self.href("/api/v1/trials", export, language: language)
        }
        var cleared = FinderParameters()
        cleared.text = parameters.text
        cleared.near = parameters.near
        cleared.radiusKm = parameters.radiusKm
        cleared.sort = parameters.sort
        if cleared != withoutCursor { context["clearHref"] = Self.href("/search", cleared.form, language: language) }
        return context
    }

    private func radiusOptions(_ strings: [String: String]) -> [[String: Any]] {
        let current = parameters.radiusKm
        var options: [[String: Any]] = [["value": "", "label": strings["radius_any"] ?? "", "selected": current == nil]]
        for value in [10.0, 25, 50, 100, 250, 500] {
            let text = NumberFormat.plain(value)
            options.append(["value": text, "label": "\(text) km", "selected": value == current])
        }
        return options
    }

    /// One group per facet with values; each value links to the same search with the value toggled.
    private func facetGroups(_ results: SearchResults, labels: Labels, strings: [String: String]) -> [[String: Any]] {
        let shown: [(facet: Facet, parameter: String)] =
            [(.status, "status"), (.cgtType, "cgt"), (.phase, "phase"), (.ageGroup, "age_group"),
             (.healthRegion, "region"), (.province, "province"), (.city, "city"), (.country, "country"),
             (.studyType, "study_type"), (.sponsorCategory, "sponsor_class"), (.sex, "sex"),
             (.healthyVolunteers, "healthy_volunteers")]
        return shown.compactMap { facet, parameter -> [String: Any]? in
            guard let counts = results.facets[facet], !counts.isEmpty else { return nil }
            var values = counts.filter { $0.count > 0 || $0.selected }
            if facet == .cgtType { values.removeAll { $0.value == CGTType.notCGT.rawValue && !$0.selected } }
            if facet == .sex { values.removeAll { $0.value == Sex.all.rawValue } }
            if facet == .healthyVolunteers { values.removeAll { $0.value != "true" } }
            values = Array(values.prefix(facet == .city || facet == .country ? 12 : 20))
            guard !values.isEmpty else { return nil }
            return [
                "id": "facet-\(facet.rawValue)",
                "label": strings["facet_\(facet.rawValue)"] ?? facet.rawValue,
                "values": values.map { value -> [String: Any] in
                    var toggled = parameters
                    toggled.cursor = nil
                    switch facet {
                    case .sex:
                        toggled.sex = value.selected || parameters.sex?.rawValue == value.value ? nil : Sex(rawValue: value.value)
                    case .healthyVolunteers:
                        toggled.healthyVolunteers = parameters.healthyVolunteers == true ? nil : true
                    default:
                        var list = toggled.selections[parameter] ?? []
                        if let index = list.firstIndex(of: value.value) { list.remove(at: index) } else { list.append(value.value) }
                        toggled.selections[parameter] = list.isEmpty ? nil : list
                    }
                    let selected = value.selected || (facet == .sex && parameters.sex?.rawValue == value.value)
                        || (facet == .healthyVolunteers && parameters.healthyVolunteers == true)
                    return [
                        "label": labels.facetValue(facet, value.value), "count": language.format(value.count),
                        "href": Self.href("/search", toggled.form, language: language), "selected": selected,
                    ]
                },
            ]
        }
    }
}

/// A trial page: the patient view (plain words, where, whom to contact, questions) or the professional view
/// (criteria split, every site, design, dates, sponsor).
struct TrialPageModel: PageModel {
    var trial: Trial
    var professional: Bool
    var geography: Geography
    var language: Language

    var switchHref: String {
        "/trials/\(trial.nctId)?\(professional ? "view=pro&" : "")lang=\(language.other.rawValue)"
    }

    var context: [String: Any] {
        let labels = Labels(language)
        let strings = Strings.table(for: language)
        let eligibility = trial.eligibility
        let criteria = CriteriaText(eligibility.criteria ?? "")
        var quebec: [[String: Any]] = []
        var canada: [[String: Any]] = []
        var elsewhere: [[String: Any]] = []
        for location in trial.locations {
            let place = geography.place(of: location)
            let contacts = location.contacts.map(Self.contactLine).filter { !$0.isEmpty }
            let row: [String: Any] = [
                "facility": location.facility ?? "", "city": [location.city, place.province?.rawValue ?? location.country]
                    .compactMap { $0 }.joined(separator: ", "),
                "status": location.status.map { labels.text("status_\($0.rawValue)") } ?? (strings["not_stated"] ?? ""),
                "contacts": contacts.joined(separator: " · "),
                "region": place.healthRegion.map { "\($0.code) \($0.name)" } ?? "",
            ]
            if place.province == .quebec {
                quebec.append(row)
            } else if location.country.map({ Country.canonical($0) == "Canada" }) == true {
                canada.append(row)
            } else {
                elsewhere.append(row)
            }
        }
        let contacts = trial.centralContacts.map(Self.contactLine).filter { !$0.isEmpty }
        let dates: [(String, PartialDate?)] = [
            ("date_start", trial.dates.start), ("date_primary_completion", trial.dates.primaryCompletion),
            ("date_completion", trial.dates.completion), ("date_first_posted", trial.dates.firstPosted),
            ("date_last_update", trial.dates.lastUpdatePosted),
        ]
        var context: [String: Any] = [
            "title": trial.briefTitle, "nctId": trial.nctId, "professional": professional,
            "patientHref": "/trials/\(trial.nctId)?lang=\(language.rawValue)",
            "proHref": "/trials/\(trial.nctId)?view=pro&lang=\(language.rawValue)",
            "searchHref": "/search?lang=\(language.rawValue)",
            "status": labels.text("status_\(trial.overallStatus.rawValue)"), "open": trial.overallStatus.isOpen,
            "phases": trial.phases.map { labels.text("phase_\($0.rawValue)") }.joined(separator: ", "),
            "studyType": labels.text("studyType_\(trial.studyType.rawValue)"),
            "summary": trial.briefSummary ?? "", "description": trial.detailedDescription ?? "",
            "conditions": trial.conditions.joined(separator: " · "),
            "ages": labels.ages(eligibility.minimumAge, eligibility.maximumAge),
            "sex": labels.text("sex_\(eligibility.sex.rawValue)"),
            "healthyVolunteers": eligibility.healthyVolunteers.map { labels.text($0 ? "yes" : "no") } ?? labels.text("not_stated"),
            "quebecSites": quebec, "canadaSites": canada, "otherSites": elsewhere,
            "hasQuebecSites": !quebec.isEmpty, "hasCanadaSites": !canada.isEmpty, "hasOtherSites": !elsewhere.isEmpty,
            "noCanadianSite": quebec.isEmpty && canada.isEmpty,
            "contacts": contacts, "hasContacts": !contacts.isEmpty,
            "questions": (1...6).map { strings["question_\($0)"] ?? "" },
            "inclusion": criteria.inclusion, "exclusion": criteria.exclusion, "otherCriteria": criteria.other,
            "hasInclusion": !criteria.inclusion.isEmpty, "hasExclusion": !criteria.exclusion.isEmpty,
            "hasOtherCriteria": !criteria.other.isEmpty,
            "interventions": trial.interventions.map { intervention in
                [
                    "name": intervention.name, "type": intervention.type.rawValue.capitalized,
                    "otherNames": intervention.otherNames.joined(separator: ", "),
                ]
            },
            "sponsor": trial.leadSponsor.name,
            "sponsorCategory": labels.text("sponsorCategory_\(trial.leadSponsor.agencyClass.category.rawValue)"),
            "collaborators": trial.collaborators.map(\.name).joined(separator: " · "),
            "enrollment": trial.enrollment.map(language.format) ?? "",
            "dates": dates.compactMap { key, date in date.map { ["label": strings[key] ?? key, "value": $0.description] } },
            "identifiers": ([trial.nctId] + [trial.orgStudyId].compactMap { $0 } + trial.secondaryIds).joined(separator: " · "),
            "ctgovHref": "https://clinicaltrials.gov/study/\(trial.nctId)",
            "fhirHref": "/api/v1/trials/\(trial.nctId)?format=fhir",
            "whyStopped": trial.whyStopped ?? "",
        ]
        let cgtTypes = trial.cgt.types.filter { $0 != .notCGT }
        if !cgtTypes.isEmpty {
            context["cgt"] = cgtTypes.map { labels.text("cgt_\($0.rawValue)") }.joined(separator: ", ")
            context["vector"] = trial.cgt.vector?.rawValue ?? ""
            context["containment"] = trial.cgt.containmentLevel.map { "CL\($0.rawValue)" } ?? ""
        }
        return context
    }

    static func contactLine(_ contact: Contact) -> String {
        [contact.name, contact.phone, contact.email].compactMap { $0?.trimmedNonEmpty }.joined(separator: ", ")
    }
}

/// The portrait page: headline numbers and three charts, each with its data table.
struct PortraitPageModel: PageModel {
    var portrait: TrialPortrait
    var language: Language

    var switchHref: String { "/portrait?scope=\(portrait.scope.rawValue)&lang=\(language.other.rawValue)" }

    var context: [String: Any] {
        let strings = Strings.table(for: language)
        let labels = Labels(language)
        let format = language == .fr ? NumberFormat.french : NumberFormat.english
        func chart(_ id: String, _ title: String, _ column: String, _ bars: [BarChart.Bar]) -> [String: Any]? {
            guard bars.contains(where: { $0.value > 0 }),
                let rendered = try? BarChart(
                    bars: bars, chart: ChartText(id: id, title: title, description: title), categoryColumn: column,
                    valueColumn: strings["column_trials"] ?? "", format: format
                ).render()
            else { return nil }
            return [
                "id": id, "title": title, "svg": rendered.svg, "caption": rendered.table.caption,
                "columns": rendered.table.columns, "rows": rendered.table.rows.map { ["cells": $0] },
            ]
        }
        let charts = [
            chart(
                "chart-areas", strings["portrait_areas"] ?? "", strings["column_area"] ?? "",
                portrait.areas.map { .init(label: labels.text("area_\($0.area.rawValue)"), value: Double($0.count)) }),
            chart(
                "chart-cgt", strings["portrait_cgt"] ?? "", strings["column_type"] ?? "",
                portrait.cgt.map { .init(label: labels.text("cgt_\($0.type.rawValue)"), value: Double($0.count)) }),
            chart(
                "chart-years", strings["portrait_years"] ?? "", strings["column_year"] ?? "",
                portrait.byYear.map { .init(label: String($0.year), value: Double($0.count)) }),
        ].compactMap { $0 }
        let share = format.string(portrait.paediatricShare * 100, decimals: 0) + (language == .fr ? "\u{202F}%" : "%")
        return [
            "title": strings["portrait_title"] ?? "",
            "scopes": TrialPortrait.Scope.allCases.map { scope -> [String: Any] in
                ["value": scope.rawValue, "label": strings["scope_\(scope.rawValue)"] ?? "", "selected": scope == portrait.scope]
            },
            "trials": language.format(portrait.trials), "recruiting": language.format(portrait.recruiting),
            "newThisYear": language.format(portrait.newThisYear),
            "newLabel": (strings["portrait_new"] ?? "").replacingOccurrences(of: "{year}", with: String(portrait.year)),
            "sites": language.format(portrait.sites), "paediatricShare": share,
            "charts": charts,
        ]
    }
}
