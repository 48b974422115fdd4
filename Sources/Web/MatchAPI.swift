import API
import Foundation
import Matching
import OpenAPIRuntime
import Trials

/// `POST /api/v1/match`: the matching pages' answer as JSON. The body is checked field by field (a bad field gets a
/// problem naming it, `patient.age`); nothing of it is stored or logged.
struct MatchAPI: Sendable {
    let finder: Finder

    func matchPatient(_ input: Operations.MatchPatient.Input) async throws -> Operations.MatchPatient.Output {
        guard case let .json(body) = input.body else { return .badRequest(Self.problem(field: "patient", "a JSON body is required")) }
        let request: MatchRequest
        do {
            request = try Self.request(body)
        } catch {
            return .badRequest(Self.problem(field: error.parameter, error.reason))
        }
        guard let matcher = finder.matcher else {
            return .serviceUnavailable(
                .init(
                    headers: .init(retryAfter: 60),
                    body: .applicationProblemJson(
                        .init(
                            _type: "about:blank", title: "Matching unavailable", status: 503,
                            detail: finder.matchingMode == .off
                                ? "patient matching is turned off on this server"
                                : "the matching index is being built; try again in a minute"))))
        }
        let language: Language = body.lang == .en ? .en : .fr
        let strings = Strings.table(for: language)
        let labels = Labels(language)
        let outcome: (results: [MatchResult], patient: PatientProfile)
        do {
            outcome = try finder.match(request, with: matcher)
        } catch {
            return .badRequest(Self.problem(field: error.parameter, error.reason))
        }
        let matches = outcome.results.map { result -> Components.Schemas.TrialMatch in
            let report = result.match.report
            return .init(
                nctId: result.trial.nctId, title: result.trial.briefTitle, score: result.match.score,
                verdict: .init(code: report.verdict.rawValue, label: strings["verdict_\(report.verdict.rawValue)"] ?? ""),
                status: labels.label("status", result.trial.overallStatus.rawValue),
                reasons: report.reasons.compactMap { MatchPageModel.reasonText(report, $0, strings: strings) },
                nearestSite: result.nearest.map { .init(facility: $0.facility, city: $0.city, distanceKm: $0.distanceKm) },
                criteria: report.assessments.map { assessment in
                    .init(
                        section: .init(rawValue: assessment.criterion.section.rawValue) ?? .other,
                        kind: .init(rawValue: assessment.criterion.kind.rawValue) ?? .other,
                        text: assessment.criterion.text,
                        status: .init(rawValue: assessment.status.rawValue) ?? .unknown,
                        evidence: assessment.evidence)
                })
        }
        let patient = outcome.patient
        let understood = Components.Schemas.UnderstoodPatient(
            age: patient.age, sex: patient.sex.flatMap { .init(rawValue: $0.rawValue) }, ecog: patient.ecog,
            pregnant: patient.pregnant,
            labs: patient.labs.map {
                .init(analyte: .init(rawValue: $0.analyte.rawValue) ?? .weight, value: $0.value, relativeToULN: $0.relativeToULN)
            })
        return .ok(.init(body: .json(.init(understood: understood, matches: matches))))
    }

    /// The body as a ``MatchRequest``, with the same checks as the form; errors name the JSON field.
    static func request(_ body: Components.Schemas.MatchRequest) throws(ParameterError) -> MatchRequest {
        var request = MatchRequest()
        let patient = body.patient
        request.patient.text = patient.text ?? ""
        guard request.patient.text.count <= 20_000 else {
            throw ParameterError(parameter: "patient.text", reason: "longer than 20,000 characters")
        }
        if let age = patient.age {
            guard age.isFinite, (0...130).contains(age) else { throw ParameterError(parameter: "patient.age", reason: "must be between 0 and 130") }
            request.patient.age = age
        }
        request.patient.sex = patient.sex.flatMap { PatientProfile.Sex(rawValue: $0.rawValue) }
        if let ecog = patient.ecog {
            guard (0...5).contains(ecog) else { throw ParameterError(parameter: "patient.ecog", reason: "must be between 0 and 5") }
            request.patient.ecog = ecog
        }
        if let lines = patient.priorLines {
            guard (0...30).contains(lines) else { throw ParameterError(parameter: "patient.priorLines", reason: "must be between 0 and 30") }
            request.patient.priorLines = lines
        }
        for (name, list) in [("patient.diagnoses", patient.diagnoses ?? []), ("patient.priorTherapies", patient.priorTherapies ?? [])] {
            guard list.count <= 50, list.allSatisfy({ $0.count <= 500 }) else {
                throw ParameterError(parameter: name, reason: "at most 50 items of at most 500 characters")
            }
        }
        request.patient.diagnoses = (patient.diagnoses ?? []).filter { !$0.trimmed.isEmpty }
        request.patient.priorTherapies = (patient.priorTherapies ?? []).filter { !$0.trimmed.isEmpty }
        request.patient.pregnant = patient.pregnant
        for (index, lab) in (patient.labs ?? []).enumerated() {
            guard let analyte = Analyte(rawValue: lab.analyte.rawValue) else {
                throw ParameterError(parameter: "patient.labs[\(index)].analyte", reason: "unknown analyte")
            }
            guard lab.value.isFinite, lab.value >= 0 else {
                throw ParameterError(parameter: "patient.labs[\(index)].value", reason: "must be a number ≥ 0")
            }
            request.patient.labs.append(Measurement(analyte: analyte, value: lab.value, relativeToULN: lab.relativeToULN ?? false))
        }
        guard !request.patient.text.trimmed.isEmpty || !request.patient.diagnoses.isEmpty else {
            throw ParameterError(parameter: "patient.text", reason: "describe the situation or give a diagnosis")
        }
        request.near = body.near?.trimmed.isEmpty == false ? body.near : nil
        if let radius = body.radiusKm {
            guard radius.isFinite, radius > 0, radius <= 20_000 else {
                throw ParameterError(parameter: "radius_km", reason: "must be between 0 and 20000")
            }
            guard request.near != nil else { throw ParameterError(parameter: "radius_km", reason: "needs near (a postal code, city or lat,lon)") }
            request.radiusKm = radius
        }
        request.recruitingOnly = body.recruitingOnly ?? true
        if let limit = body.limit {
            guard (1...100).contains(limit) else { throw ParameterError(parameter: "limit", reason: "must be between 1 and 100") }
            request.limit = limit
        }
        return request
    }

    static func problem(field: String, _ reason: String) -> Components.Responses.BadRequest {
        .init(
            body: .applicationProblemJson(
                .init(_type: "about:blank", title: "Invalid request", status: 400, detail: "\(field): \(reason)", field: field)))
    }
}
