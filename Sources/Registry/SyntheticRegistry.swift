import Analytics
import Foundation

/// A synthetic, realistic CAR-T cohort for demonstrations, sandboxes and benchmarks. No real patient
/// data is used: every record is drawn from published aggregate figures (docs/REGISTRY.md, "Synthetic cohort").
public enum SyntheticRegistry {
    /// The prefix of every synthetic identifier; real registries must not use it.
    public static let idPrefix = "SYN-"
    /// The default data cut-off: the day the cohort is observed, 2026-06-30.
    public static let defaultCutoff = CivilDate(dayNumber: 20_634)
    /// The earliest referral, 2019-01-01.
    public static let firstReferral = CivilDate(dayNumber: 17_897)

    /// A cohort of `patients` patients with one episode each, referred between `firstReferral` and 90 days
    /// before `cutoff`, observed on `cutoff` (nothing is dated after it).
    ///
    /// Deterministic: the same arguments give the same data on every platform (`RandomSource`).
    /// The result passes `validate(asOf: cutoff)`. Identifiers are `SYN-P000001`, `SYN-E000001`, `SYN-C0000001`.
    /// - Precondition: `patients ≥ 0` and `cutoff` at least 91 days after `firstReferral`.
    public static func generate(patients: Int, seed: UInt64, cutoff: CivilDate = defaultCutoff) -> RegistryData {
        precondition(patients >= 0, "patients must be ≥ 0")
        precondition(firstReferral.days(to: cutoff) > 90, "cutoff must be after 2019-04-01")
        var generator = CohortGenerator(seed: seed, cutoff: cutoff)
        for offset in 0..<patients {
            generator.addPatient(number: offset + 1)
        }
        return generator.data
    }
}

/// Draws one patient at a time into `data`.
struct CohortGenerator {
    private var rng: RandomSource
    private let cutoff: CivilDate
    private(set) var data = RegistryData()
    private var costNumber = 0

    /// Ward and ICU days, tocilizumab dose (8 mg/kg), IVIG dose (0.4 g/kg), apheresis slot (CAD, demo values).
    private static let wardDayCAD = 2_000, icuDayCAD = 6_500, tocilizumabDoseCAD = 1_100, ivigDoseCAD = 2_700
    private static let apheresisCAD = 5_000

    init(seed: UInt64, cutoff: CivilDate) {
        rng = RandomSource(seed: seed)
        self.cutoff = cutoff
    }

    mutating func addPatient(number: Int) {
        let profile = ProductProfile.all[pick(ProductProfile.all.map(\.share))]
        let patientId = SyntheticRegistry.idPrefix + "P" + padded(number, 6)
        let episodeId = SyntheticRegistry.idPrefix + "E" + padded(number, 6)
        let referral = SyntheticRegistry.firstReferral.adding(days: integer(0...(SyntheticRegistry.firstReferral.days(to: cutoff) - 90)))
        let age = min(max(profile.medianAge + profile.ageSD * rng.standardNormal(), profile.ageRange.lowerBound),
                      profile.ageRange.upperBound)
        let region = HealthRegion.all[pick(regionPopulationThousands)]
        let patient = Patient(id: patientId, birthYear: referral.year - Int(age.rounded()),
                              sex: rng.uniform() < profile.maleShare ? .male : .female, region: region)
        data.patients.append(patient)

        let approval = referral.adding(days: integer(3...14))
        let apheresis = approval.adding(days: integer(2...21))
        let veinToVein = max(10, Int((profile.veinToVeinDays * exp(0.3 * rng.standardNormal())).rounded()))
        let infusion = apheresis.adding(days: veinToVein)
        let infused = rng.uniform() >= profile.dropout && infusion <= cutoff
        let bridging = [BridgingTherapy.none, .chemotherapy, .radiotherapy, .chemoradiotherapy, .corticosteroids][
            pick([0.35, 0.35, 0.10, 0.05, 0.15])]
        var episode = TreatmentEpisode(id: episodeId, patientId: patientId, product: profile.product,
                                       indication: profile.indication, centre: centre(for: patient, age: age),
                                       referralDate: referral, approvalDate: approval, apheresisDate: apheresis,
                                       bridging: bridging)
        guard infused else {
            data.episodes.append(episode)
            addCost(episodeId, .other, Self.apheresisCAD, apheresis)
            if infusion <= cutoff, rng.uniform() < 0.6 {
                let death = apheresis.adding(days: integer(10...70))
                if death <= cutoff { data.deaths.append(DeathRecord(patientId: patientId, date: death, cause: .diseaseProgression)) }
            }
            return
        }
        episode.infusionDate = infusion
        episode.lymphodepletion = rng.uniform() < 0.95 ? .fludarabineCyclophosphamide : .bendamustine
        data.episodes.append(episode)
        addOutcomes(profile, patient, episodeId, infusion)
    }

    // MARK: - Outcomes of an infused episode

    private mutating func addOutcomes(_ profile: ProductProfile, _ patient: Patient, _ episodeId: String, _ infusion: CivilDate) {
        let crsGrade = pick(ProductProfile.gradeDistribution(any: profile.crsAny, severe: profile.crsSevere))
        let icansGrade = pick(ProductProfile.gradeDistribution(any: profile.icansAny, severe: profile.icansSevere))
        let crsDate = infusion.adding(days: min(max(profile.crsPeakDay + integer(-1...2), 1), 9))
        let icansDate = crsDate.adding(days: integer(1...4))
        let child = patient.approximateAge(at: crsDate) < 12
        var crsDay = crsSigns(grade: crsGrade, episodeId: episodeId, date: crsDate)
        crsDay.encephalopathy = child ? .capd(score: 0) : .ice(score: 10)
        data.toxicities.append(crsDay)
        if icansGrade > 0 { data.toxicities.append(icansSigns(grade: icansGrade, child: child, episodeId: episodeId, date: icansDate)) }

        let course = diseaseCourse(profile)
        let progression = course.progressionMonths.map { infusion.adding(days: Self.days($0)) }
        let death = infusion.adding(days: Self.days(course.deathMonths))
        let end = min(death, cutoff)
        addResponses(course.best, episodeId, infusion, progression: progression, end: end)
        if death <= cutoff {
            let progressed = progression.map { $0 <= death } ?? false
            let cause = progressed ? DeathCause.diseaseProgression
                : [.infection, .otherTreatmentRelated, .cytokineReleaseSyndrome, .neurotoxicity, .other][pick([0.55, 0.15, 0.1, 0.1, 0.1])]
            data.deaths.append(DeathRecord(patientId: patient.id, date: death, cause: cause))
        }
        addVisits(episodeId, infusion, end: end)
        addCosts(profile, episodeId, infusion, crs: (crsGrade, crsDate), icans: (icansGrade, icansDate), end: end)
    }

    /// Best response, months to progression (`nil`: never) and months to death (possibly after the cut-off).
    private mutating func diseaseCourse(_ p: ProductProfile) -> (best: ResponseCategory, progressionMonths: Double?, deathMonths: Double) {
        let best = [ResponseCategory.completeResponse, .partialResponse, .stableDisease, .progressiveDisease][
            pick([p.completeResponse, p.partialResponse, p.stableDisease,
                  max(0, 1 - p.completeResponse - p.partialResponse - p.stableDisease)])]
        var progression: Double? = switch best {
        case .completeResponse: rng.uniform() < p.plateau / p.completeResponse ? nil : 1 + exponential(mean: p.relapseMonthsAfterCR)
        case .partialResponse: 1 + exponential(mean: p.relapseMonthsAfterPR)
        case .stableDisease: 1 + exponential(mean: 2)
        case .progressiveDisease: 0.5 + 0.5 * rng.uniform()
        }
        var death = (progression ?? .infinity) + exponential(mean: p.postProgressionMedianMonths / log(2.0))
        if rng.uniform() < p.nonRelapseMortality {
            let nonRelapse = 0.5 + 11.5 * rng.uniform()
            if nonRelapse < progression ?? .infinity {
                progression = nil
                death = nonRelapse
            }
        }
        return (best, progression, min(death, 1_200))
    }

    /// Day 28, 90, 180, 365, 730 and 1095 assessments before progression, death and the cut-off, then a
    /// `PD` assessment on the progression date.
    private mutating func addResponses(_ best: ResponseCategory, _ episodeId: String, _ infusion: CivilDate,
                                       progression: CivilDate?, end: CivilDate) {
        let convertsLate = rng.uniform() < 0.3
        for day in [28, 90, 180, 365, 730, 1095] where best != .progressiveDisease {
            let date = infusion.adding(days: day)
            guard date < (progression ?? end), date <= end else { break }
            let category = best == .completeResponse && day == 28 && convertsLate ? .partialResponse : best
            data.responses.append(ResponseAssessment(episodeId: episodeId, date: date, category: category))
        }
        if let progression, progression <= end {
            data.responses.append(ResponseAssessment(episodeId: episodeId, date: progression, category: .progressiveDisease))
        }
    }

    /// The follow-up visits attended (93 % each; 5 % of patients stop attending after a few visits), dated
    /// within each window around the due date, up to the death or the cut-off.
    private mutating func addVisits(_ episodeId: String, _ infusion: CivilDate, end: CivilDate) {
        let lostAfter = rng.uniform() < 0.05 ? integer(1...4) : Int.max
        // The default schedule always validates.
        for (index, visit) in try! FollowUpSchedule().visits(infusion: infusion).enumerated() where index < lostAfter {
            let window = visit.dueDate.days(to: visit.windowCloses)
            let shift = Int((Double(window) / 3 * rng.standardNormal()).rounded())
            let date = visit.dueDate.adding(days: min(max(shift, -window), window))
            guard date <= end else { break }
            if rng.uniform() < 0.93 { data.visits.append(VisitRecord(episodeId: episodeId, date: date)) }
        }
    }

    private mutating func addCosts(_ p: ProductProfile, _ episodeId: String, _ infusion: CivilDate,
                                   crs: (grade: Int, date: CivilDate), icans: (grade: Int, date: CivilDate), end: CivilDate) {
        addCost(episodeId, .acquisition, p.priceCAD, infusion)
        let wardDays = max(5, Int((11 * exp(0.3 * rng.standardNormal())).rounded()))
            + (crs.grade >= 2 ? 4 : 0) + (icans.grade >= 2 ? 5 : 0)
        addCost(episodeId, .hospitalisation, wardDays * Self.wardDayCAD, infusion)
        if crs.grade >= 3 || icans.grade >= 3 {
            addCost(episodeId, .intensiveCare, integer(2...8) * Self.icuDayCAD, crs.grade >= 3 ? crs.date : icans.date)
        }
        if crs.grade >= 2 {
            addCost(episodeId, .tocilizumab, integer(1...(crs.grade == 2 ? 2 : 4)) * Self.tocilizumabDoseCAD, crs.date)
        }
        let needsIVIG = p.indication == .multipleMyeloma || p.indication == .bCellAcuteLymphoblasticLeukaemia
            || rng.uniform() < 0.25
        guard needsIVIG else { return }
        for month in 1...6 {
            let date = infusion.adding(days: 30 * month)
            guard date <= end else { break }
            addCost(episodeId, .immunoglobulin, Self.ivigDoseCAD, date)
        }
    }

    private mutating func addCost(_ episodeId: String, _ category: CostCategory, _ dollars: Int, _ date: CivilDate) {
        costNumber += 1
        data.costs.append(CostRecord(id: SyntheticRegistry.idPrefix + "C" + padded(costNumber, 7), episodeId: episodeId, category: category,
                                     amountCents: dollars * 100, date: date))
    }

    // MARK: - Raw toxicity signs giving a chosen ASTCT grade

    /// Signs whose CRS grade (`ASTCTGrader.crsGrade`) is `grade`: grade 1 fever alone; 2 fever with hypotension
    /// without vasopressors and/or low-flow oxygen; 3 one vasopressor or high-flow oxygen; 4 several vasopressors
    /// or positive pressure. For grades 3–4, fever is masked by treatment in 30 % of cases.
    private mutating func crsSigns(grade: Int, episodeId: String, date: CivilDate) -> ToxicityAssessment {
        var t = ToxicityAssessment(episodeId: episodeId, date: date)
        t.temperatureCelsius = grade == 0 ? Double(integer(365...379)) / 10 : Double(integer(380...401)) / 10
        switch grade {
        case 2:
            let kind = integer(0...2)
            t.hypotension = kind != 1 ? .notRequiringVasopressors : .none
            t.hypoxia = kind != 0 ? .lowFlow : .none
        case 3:
            if rng.uniform() < 0.5 {
                t.hypotension = .oneVasopressor
                t.hypoxia = rng.uniform() < 0.5 ? .lowFlow : .none
            } else {
                t.hypoxia = .highFlow
                t.hypotension = rng.uniform() < 0.5 ? .notRequiringVasopressors : .none
            }
        case 4:
            if rng.uniform() < 0.5 { t.hypotension = .multipleVasopressors } else { t.hypoxia = .positivePressure }
        default:
            break
        }
        if grade >= 3, rng.uniform() < 0.3 {
            t.temperatureCelsius = Double(integer(366...378)) / 10
            t.feverMaskedByTreatment = true
        }
        t.tocilizumab = grade >= 2
        t.corticosteroids = grade >= 3
        return t
    }

    /// Signs whose ICANS grade (`ASTCTGrader.icansGrade`) is `grade` (1–4), with the ICE screen for adults and
    /// the CAPD for children under 12; the patient is afebrile that day.
    private mutating func icansSigns(grade: Int, child: Bool, episodeId: String, date: CivilDate) -> ToxicityAssessment {
        var t = ToxicityAssessment(episodeId: episodeId, date: date, temperatureCelsius: Double(integer(365...375)) / 10)
        switch (grade, child) {
        case (1, true): t.encephalopathy = .capd(score: integer(1...8))
        case (2, true):
            t.encephalopathy = .capd(score: integer(1...8))
            t.consciousness = .awakensToVoice
        case (3, true): t.encephalopathy = .capd(score: integer(9...20))
        case (1, false): t.encephalopathy = .ice(score: integer(7...9))
        case (2, false): t.encephalopathy = .ice(score: integer(3...6))
        case (3, false):
            if rng.uniform() < 0.25 {
                t.encephalopathy = .ice(score: integer(3...6))
                t.seizure = .resolvesRapidly
            } else {
                t.encephalopathy = .ice(score: integer(0...2))
            }
        default:
            if !child, rng.uniform() < 0.2 {
                t.encephalopathy = .ice(score: integer(0...2))
                t.intracranialPressure = .diffuseOedema
            } else {
                t.encephalopathy = .unableToPerform
                t.consciousness = .unarousable
            }
        }
        t.corticosteroids = grade >= 2
        return t
    }

    // MARK: - Helpers

    /// Paediatric patients go to CHU Sainte-Justine, eastern regions to CHU de Québec, others to Montréal.
    private mutating func centre(for patient: Patient, age: Double) -> String {
        if age < 18 { return "CHUSJ" }
        if [1, 2, 3, 9, 11, 12].contains(patient.region.code) { return "CHUQ" }
        return rng.uniform() < 0.5 ? "HMR" : "CUSM"
    }

    /// An index drawn with probability proportional to `weights`.
    private mutating func pick(_ weights: [Double]) -> Int {
        var u = rng.uniform() * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            if u < weight { return index }
            u -= weight
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    private mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.uniform() * Double(range.count))
    }

    private mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - rng.uniform())
    }

    private static func days(_ months: Double) -> Int { Int((months * 365.25 / 12).rounded()) }

    private func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
