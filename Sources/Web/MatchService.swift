import Charts
import Foundation
import Matching
import Search
import Trials

/// A request to match a patient, from the web form or the API: the patient and where and how to look, every value
/// checked (a bad value names its field). Nothing of it is stored or logged.
struct MatchRequest: Sendable, Equatable {
    var patient = PatientProfile()
    /// Keep trials with a site within `radiusKm` of this place.
    var near: String?
    var radiusKm: Double?
    /// Keep trials that are recruiting or about to (default) or every trial.
    var recruitingOnly = true
    var limit = 20

    /// Lab fields of the professional form and the API, with their canonical units.
    static let labFields: [(name: String, analyte: Analyte)] = [
        ("anc", .neutrophils), ("platelets", .platelets), ("hemoglobin", .hemoglobin), ("creatinine", .creatinine),
        ("bilirubin", .bilirubin), ("lvef", .lvef), ("hba1c", .hba1c), ("creatinine_clearance", .creatinineClearance),
    ]

    /// Reads the form fields (`situation`, `age`, `sex`, `ecog`, `diagnoses`, `prior_therapies`, `prior_lines`,
    /// lab fields, `pregnant`, `near`, `radius_km`, `all_statuses`, `limit`).
    static func parse(_ form: FormQuery) throws(ParameterError) -> MatchRequest {
        var request = MatchRequest()
        let situation = form.first("situation") ?? ""
        guard situation.count <= 20_000 else { throw ParameterError(parameter: "situation", reason: "longer than 20,000 characters") }
        request.patient.text = situation
        request.patient.age = try number(form, "age", in: 0...130)
        if let sex = form.first("sex") {
            guard let value = PatientProfile.Sex(rawValue: sex) else {
                throw ParameterError(parameter: "sex", reason: "must be female or male, not \"\(sex)\"")
            }
            request.patient.sex = value
        }
        request.patient.ecog = try number(form, "ecog", in: 0...5, whole: true).map { Int($0) }
        request.patient.diagnoses = list(form.first("diagnoses"))
        request.patient.priorTherapies = list(form.first("prior_therapies"))
        request.patient.priorLines = try number(form, "prior_lines", in: 0...30, whole: true).map { Int($0) }
        for field in labFields {
            if let value = try number(form, field.name, in: 0...100_000) {
                request.patient.labs.append(Measurement(analyte: field.analyte, value: value))
            }
        }
        if let pregnant = form.first("pregnant") {
            guard ["yes", "no"].contains(pregnant) else {
                throw ParameterError(parameter: "pregnant", reason: "must be yes or no, not \"\(pregnant)\"")
            }
            request.patient.pregnant = pregnant == "yes"
        }
        request.near = form.first("near")
        request.radiusKm = try number(form, "radius_km", in: 1...20_000)
        if request.radiusKm != nil, request.near == nil {
            throw ParameterError(parameter: "radius_km", reason: "needs near (a postal code, city or lat,lon)")
        }
        request.recruitingOnly = form.first("all_statuses") == nil
        request.limit = Int(try number(form, "limit", in: 1...100, whole: true) ?? 20)
        let hasSomething = !situation.trimmed.isEmpty || !request.patient.diagnoses.isEmpty
        guard hasSomething else {
            throw ParameterError(parameter: "situation", reason: "describe the situation or give a diagnosis")
        }
        return request
    }

    private static func number(_ form: FormQuery, _ name: String, in range: ClosedRange<Double>, whole: Bool = false)
        throws(ParameterError) -> Double?
    {
        guard let text = form.first(name) else { return nil }
        guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value.isFinite else {
            throw ParameterError(parameter: name, reason: "must be a number, not \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ParameterError(parameter: name, reason: "must be between \(NumberFormat.plain(range.lowerBound)) and \(NumberFormat.plain(range.upperBound))")
        }
        if whole, value != value.rounded() { throw ParameterError(parameter: name, reason: "must be a whole number") }
        return value
    }

    private static func list(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" }).map { String($0).trimmed }.filter { !$0.isEmpty }
    }
}

/// One matched trial with what the pages and API show: the trial, its checklist and its nearest site.
struct MatchResult: Sendable {
    var match: TrialMatch
    var trial: Trial
    var nearest: NearSite?
}

/// A trial's site closest to the patient.
struct NearSite: Sendable, Equatable {
    var facility: String?
    var city: String?
    var distanceKm: Double
}

extension Finder {
    /// Matches the patient with `matcher` (the finder's ``Finder/matcher``), then keeps trials that pass the status
    /// and distance filters.
    func match(_ request: MatchRequest, with matcher: TrialMatcher) throws(ParameterError)
        -> (results: [MatchResult], patient: PatientProfile)
    {
        var origin: GeoPoint?
        if let near = request.near {
            guard let point = geography.resolve(near) else {
                throw ParameterError(parameter: "near", reason: "unknown place \"\(near)\"")
            }
            origin = point
        }
        let facts = matcher.evaluator.facts(for: request.patient)
        let open: Set<OverallStatus> = [.recruiting, .notYetRecruiting, .enrollingByInvitation]
        var results: [MatchResult] = []
        for match in matcher.match(facts, limit: 1000) {
            guard let trial = matcher.index.trial(nctId: match.nctId) else { continue }
            if request.recruitingOnly, !open.contains(trial.overallStatus) { continue }
            var nearest: NearSite?
            if let origin {
                nearest = nearestSite(trial, to: origin)
                if let radius = request.radiusKm, (nearest?.distanceKm ?? .infinity) > radius { continue }
            }
            results.append(MatchResult(match: match, trial: trial, nearest: nearest))
            if results.count == request.limit { break }
        }
        return (results, facts.profile)
    }

    /// The trial's site closest to `origin`, placed by the geography tables.
    func nearestSite(_ trial: Trial, to origin: GeoPoint) -> NearSite? {
        var best: NearSite?
        for location in trial.locations {
            guard let point = geography.place(of: location).point else { continue }
            let distance = Geography.kilometres(origin, point)
            if distance < (best?.distanceKm ?? .infinity) {
                best = NearSite(facility: location.facility, city: location.city, distanceKm: distance)
            }
        }
        return best
    }
}
