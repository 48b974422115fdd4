import Charts
import Foundation
import Hummingbird
import Matching
import Search
import Trials

/// The matching pages: `/match` ("Trouver des essais pour ma situation", plain words) and `/match?view=pro`
/// ("screen a patient": structured fields and the full checklist). The form is sent with POST so the patient's
/// situation never appears in a URL, a log line or the browser history; nothing is stored.
func addMatchPages(to router: Router<AppRequestContext>, pages: Pages, finder: Finder) {
    router.get("/match") { request, _ -> Response in
        let language = Language.from(request)
        let professional = request.uri.queryParameters.get("view") == "pro"
        let model = MatchPageModel(professional: professional, language: language, form: FormQuery(nil))
        return pages.render("match", model, language: language)
    }
    router.post("/match") { request, context -> Response in
        var request = request
        let language = Language.from(request)
        let professional = request.uri.queryParameters.get("view") == "pro"
        let form = try await FormQuery.posted(&request)
        var model = MatchPageModel(professional: professional, language: language, form: form)
        guard let matcher = finder.matcher else {
            model.unavailable = true
            var response = pages.render("match", model, language: language, status: .serviceUnavailable)
            response.headers[.retryAfter] = "60"
            return response
        }
        do throws(ParameterError) {
            let parsed = try MatchRequest.parse(form)
            let (results, patient) = try finder.match(parsed, with: matcher)
            model.results = results
            model.patient = patient
            return pages.render("match", model, language: language)
        } catch {
            model.error = error
            return pages.render("match", model, language: language, status: .badRequest)
        }
    }
}

/// The form (refilled with what was sent), the patient as understood, and the ranked trials with their checklist.
struct MatchPageModel: PageModel {
    var professional: Bool
    var language: Language
    var form: FormQuery
    var results: [MatchResult]?
    var patient: PatientProfile?
    var error: ParameterError?
    /// The server's matcher is not built (yet): the page says so instead of answering.
    var unavailable = false

    var switchHref: String { "/match?\(professional ? "view=pro&" : "")lang=\(language.other.rawValue)" }

    var context: [String: Any] {
        let strings = Strings.table(for: language)
        let labels = Labels(language)
        func option(_ value: String, _ label: String, _ field: String) -> [String: Any] {
            ["value": value, "label": label, "selected": form.first(field) == value]
        }
        var context: [String: Any] = [
            "title": strings[professional ? "match_pro_title" : "match_title"] ?? "",
            "professional": professional,
            "action": "/match?\(professional ? "view=pro&" : "")lang=\(language.rawValue)",
            "patientHref": "/match?lang=\(language.rawValue)", "proHref": "/match?view=pro&lang=\(language.rawValue)",
            "situation": form.first("situation") ?? "", "age": form.first("age") ?? "", "near": form.first("near") ?? "",
            "diagnoses": form.first("diagnoses") ?? "", "priorTherapies": form.first("prior_therapies") ?? "",
            "priorLines": form.first("prior_lines") ?? "",
            "allStatuses": form.first("all_statuses") != nil,
            "sexOptions": [option("", strings["not_stated"] ?? "", "sex"), option("female", strings["match_sex_female"] ?? "", "sex"),
                option("male", strings["match_sex_male"] ?? "", "sex")],
            "ecogOptions": [option("", strings["not_stated"] ?? "", "ecog")] + (0...4).map { option(String($0), strings["ecog_\($0)"] ?? String($0), "ecog") },
            "pregnantOptions": [option("", strings["not_stated"] ?? "", "pregnant"), option("yes", labels.text("yes"), "pregnant"),
                option("no", labels.text("no"), "pregnant")],
            "radiusOptions": [["value": "", "label": strings["radius_any"] ?? "", "selected": form.first("radius_km") == nil]]
                + [25.0, 50, 100, 250, 500].map { value -> [String: Any] in
                    let text = NumberFormat.plain(value)
                    return ["value": text, "label": "\(text) km", "selected": form.first("radius_km") == text]
                },
            "labs": MatchRequest.labFields.map { field -> [String: Any] in
                [
                    "name": field.name, "label": strings["lab_\(field.analyte.rawValue)"] ?? field.name,
                    "unit": field.analyte.canonicalUnit, "value": form.first(field.name) ?? "",
                ]
            },
        ]
        if unavailable { context["error"] = strings["match_unavailable"] ?? "" }
        if let error {
            context["error"] = (strings["match_field_error"] ?? "{field}: {reason}")
                .replacingOccurrences(of: "{field}", with: strings["field_name_\(error.parameter)"] ?? error.parameter)
                .replacingOccurrences(of: "{reason}", with: error.reason)
        }
        guard let results, let patient else { return context }
        context["hasResults"] = true
        context["understood"] = understood(patient, strings: strings)
        context["resultsText"] =
            results.isEmpty
            ? strings["match_none"] ?? ""
            : (strings["match_count"] ?? "{n}").replacingOccurrences(of: "{n}", with: language.format(results.count))
        context["matches"] = results.enumerated().map { rank, result in item(rank: rank, result, strings: strings, labels: labels) }
        return context
    }

    /// What was read from the patient ("62 ans · homme · ECOG 1"), so people can correct the form.
    private func understood(_ patient: PatientProfile, strings: [String: String]) -> String {
        var parts: [String] = []
        if let age = patient.age {
            parts.append((strings["understood_age"] ?? "{n}").replacingOccurrences(of: "{n}", with: EligibilityEvaluator.format(age)))
        }
        if let sex = patient.sex { parts.append(strings[sex == .female ? "match_sex_female" : "match_sex_male"] ?? "") }
        if let ecog = patient.ecog { parts.append("ECOG \(ecog)") }
        for lab in patient.labs {
            parts.append("\(strings["lab_\(lab.analyte.rawValue)"] ?? lab.analyte.rawValue) \(EligibilityEvaluator.format(lab.value))\(lab.relativeToULN ? (language == .fr ? " × LSN" : " × ULN") : " " + lab.analyte.canonicalUnit)")
        }
        return parts.isEmpty ? strings["understood_nothing"] ?? "" : parts.joined(separator: " · ")
    }

    private func item(rank: Int, _ result: MatchResult, strings: [String: String], labels: Labels) -> [String: Any] {
        let report = result.match.report
        let trial = result.trial
        let criteria = report.assessments.enumerated().compactMap { offset, assessment -> [String: Any]? in
            // The patient view lists what was decided; the professional view lists every criterion.
            if !professional, assessment.status == .unknown { return nil }
            let mark: String
            let state: String
            switch (assessment.criterion.section, assessment.status) {
            case (_, .unknown): (mark, state) = ("?", "unknown")
            case (.exclusion, .met), (.inclusion, .notMet), (.other, .notMet): (mark, state) = ("✗", "fails")
            default: (mark, state) = ("✓", "passes")
            }
            let statusKey = assessment.criterion.section == .exclusion ? "exclusion_\(assessment.status.rawValue)" : "inclusion_\(assessment.status.rawValue)"
            return [
                "mark": mark, "state": state, "text": assessment.criterion.text,
                "section": strings["section_\(assessment.criterion.section.rawValue)"] ?? "",
                "kind": strings["kind_\(assessment.criterion.kind.rawValue)"] ?? assessment.criterion.kind.rawValue,
                "status": strings[statusKey] ?? "", "evidence": assessment.evidence, "id": "c\(rank)-\(offset)",
            ]
        }
        let unknown = report.assessments.filter { $0.status == .unknown }.count
        let reasons = report.reasons.compactMap { Self.reasonText(report, $0, strings: strings) }
        var item: [String: Any] = [
            "rank": rank + 1, "nctId": trial.nctId, "title": trial.briefTitle,
            "href": "/trials/\(trial.nctId)?\(professional ? "view=pro&" : "")lang=\(language.rawValue)",
            "verdict": report.verdict.rawValue, "verdictText": strings["verdict_\(report.verdict.rawValue)"] ?? "",
            "status": labels.text("status_\(trial.overallStatus.rawValue)"), "open": trial.overallStatus.isOpen,
            "phases": trial.phases.map { labels.text("phase_\($0.rawValue)") }.joined(separator: ", "),
            "conditions": trial.conditions.prefix(4).joined(separator: " · "),
            "ages": labels.ages(trial.eligibility.minimumAge, trial.eligibility.maximumAge),
            "reasons": reasons, "hasReasons": !reasons.isEmpty,
            "criteria": criteria, "hasCriteria": !criteria.isEmpty,
            "unknownText": unknown == 0 || professional ? "" : (strings["match_unknown_count"] ?? "{n}").replacingOccurrences(of: "{n}", with: language.format(unknown)),
        ]
        if let nearest = result.nearest {
            item["nearest"] = [nearest.facility, nearest.city].compactMap { $0 }.joined(separator: ", ") + " — "
                + (strings["km_away"] ?? "{n} km").replacingOccurrences(of: "{n}", with: language.format(Int(nearest.distanceKm.rounded())))
        }
        return item
    }

    /// A reason for the verdict in the page's language (`nil` for the count of unknown criteria, shown apart).
    static func reasonText(_ report: EligibilityReport, _ reason: EligibilityReport.Reason, strings: [String: String]) -> String? {
        switch reason {
        case .ageOutsideLimits(let age, let limits):
            return (strings["reason_age"] ?? "").replacingOccurrences(of: "{age}", with: EligibilityEvaluator.format(age))
                .replacingOccurrences(of: "{limits}", with: limits)
        case .sexNotAccepted:
            return strings["reason_sex"]
        case .healthyVolunteersOnly:
            return strings["reason_healthy"]
        case .criterionExcludes(let index):
            let text = report.assessments[index].criterion.text
            return (strings["reason_criterion"] ?? "").replacingOccurrences(of: "{text}", with: text.count > 160 ? String(text.prefix(159)) + "…" : text)
        case .conditionMatched(let condition):
            return (strings["reason_condition"] ?? "").replacingOccurrences(of: "{condition}", with: condition)
        case .criteriaUnknown:
            return nil
        }
    }
}
