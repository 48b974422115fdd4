import Search
import Trials

/// Whether a criterion holds for the patient. For an exclusion criterion, `met` means the exclusion applies.
public enum CriterionStatus: String, Sendable, Codable {
    case met, notMet, unknown
}

/// One criterion judged for one patient, with what the judgement rests on.
public struct CriterionAssessment: Sendable, Equatable {
    public var criterion: Criterion
    public var status: CriterionStatus
    /// The patient's words or field the status rests on ("age 62", "ECOG 1", "“no history of HIV”"); empty when
    /// unknown.
    public var evidence: String

    /// Whether this criterion keeps the patient out: an inclusion not met or an exclusion met.
    public var excludes: Bool {
        switch criterion.section {
        case .exclusion: status == .met
        case .inclusion, .other: status == .notMet
        }
    }
}

/// The overall answer for a patient and a trial.
public enum EligibilityVerdict: String, Sendable, Codable, Comparable {
    /// No criterion excludes the patient and the main inclusion criteria (diagnosis or condition, age) are met.
    case likely
    /// Nothing found excludes the patient, but key criteria cannot be checked from what is known.
    case possible
    /// A criterion (or the registered age or sex limits) excludes the patient.
    case excluded

    private var order: Int {
        switch self {
        case .likely: 0
        case .possible: 1
        case .excluded: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.order < rhs.order }
}

/// The checklist for one trial: every criterion with its status, the structured limits, and the verdict.
public struct EligibilityReport: Sendable, Equatable {
    public var verdict: EligibilityVerdict
    public var assessments: [CriterionAssessment]
    /// Reasons the UI shows, most important first ("Âge 16 : l'essai accepte 18 ans et plus" is built from these).
    public var reasons: [Reason]

    /// A reason for the verdict, as data the pages translate.
    public enum Reason: Sendable, Equatable {
        case ageOutsideLimits(age: Double, limits: String)
        case sexNotAccepted
        case healthyVolunteersOnly
        case criterionExcludes(index: Int)
        case conditionMatched(String)
        case criteriaUnknown(count: Int)
    }
}

/// Judges criteria against a patient (rules per ``CriterionKind``; see docs/MATCHING.md).
///
/// A statement counts only when the patient's text or fields say it; silence is `unknown`, never `notMet`. Concepts
/// are compared through the medical lexicon (so "LDGCB" in a French note meets "diffuse large B-cell lymphoma"),
/// and through the criterion's own content words when the lexicon knows none of them.
public struct EligibilityEvaluator: Sendable {
    let lexicon: MedicalLexicon

    /// ``absenceImplications`` as group indexes.
    let impliedAbsences: [Int: [Int]]

    public init(lexicon: MedicalLexicon) {
        self.lexicon = lexicon
        let ids = Dictionary(lexicon.groups.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var implied: [Int: [Int]] = [:]
        for (id, others) in Self.absenceImplications {
            if let group = ids[id] { implied[group] = others.compactMap { ids[$0] } }
        }
        impliedAbsences = implied
    }

    /// Words that put a statement or criterion in the past ("no prior myocardial infarction").
    static let pastWords: Set<String> = ["prior", "previous", "previously", "history"]

    /// What is known about the patient, prepared once and reused for every trial.
    public struct PatientFacts: Sendable {
        public let profile: PatientProfile
        /// Lexicon groups stated present / absent.
        let presentGroups: Set<Int>
        let absentGroups: Set<Int>
        /// Index terms of present / absent statements, per statement.
        let presentStatements: [Set<String>]
        let absentStatements: [Set<String>]
        let labs: [Analyte: Measurement]
        /// What the patient's fields and text state, span by span (read once, used by eligibility and ranking).
        let statements: [ClinicalSpan]
        /// Groups stated absent in the past ("no prior myocardial infarction"), which a criterion about the past
        /// reads even when the same concept is present now.
        let absentBeforeGroups: Set<Int>
        /// Broader groups of the present ones (lexicon hierarchy, modifiers left out) → the present group they come
        /// from: DLBCL stated present makes "B-cell lymphoma" present too, never the reverse.
        let broaderPresent: [Int: Int]
    }

    /// Concepts implied absent by another stated absent: HIV negative means no AIDS.
    static let absenceImplications: [String: [String]] = ["hiv": ["aids"], "hepatitis": ["hepatitis-b", "hepatitis-c"]]

    /// Reads the patient once (extraction of the note included).
    public func facts(for patient: PatientProfile) -> PatientFacts {
        let profile = patient.extracted()
        var presentGroups: Set<Int> = []
        var absentGroups: Set<Int> = []
        var absentBeforeGroups: Set<Int> = []
        var presentStatements: [Set<String>] = []
        var absentStatements: [Set<String>] = []
        let statements = profile.statements
        for span in statements where span.assertion != .family {
            let spotted = lexicon.spot(span.text)
            let groups = spotted.mentions.flatMap(\.groups).filter { !lexicon.groups[$0].isGeneric }
            var terms = Set(spotted.otherTerms)
            for mention in spotted.mentions { terms.formUnion(mention.terms) }
            if span.assertion == .present {
                presentGroups.formUnion(groups)
                presentStatements.append(terms)
            } else {
                absentGroups.formUnion(groups)
                absentStatements.append(terms)
                if !terms.isDisjoint(with: Self.pastWords) {
                    absentBeforeGroups.formUnion(groups)
                }
            }
        }
        for group in absentGroups { absentGroups.formUnion(impliedAbsences[group] ?? []) }
        var broaderPresent: [Int: Int] = [:]
        for group in presentGroups.sorted() {
            let ancestors = lexicon.ancestors(of: group)
            // A stated condition is not undone by a negation elsewhere in the note: "breast carcinoma … ER/PR
            // negative" leaves the patient with a cancer, so broader groups of what is present (modifiers too) are
            // never absent.
            absentGroups.subtract(ancestors)
            for broader in ancestors where !presentGroups.contains(broader)
                && !Self.modifierGroupIds.contains(lexicon.groups[broader].id)
            {
                broaderPresent[broader] = broaderPresent[broader] ?? group
            }
        }
        var labs: [Analyte: Measurement] = [:]
        for measurement in profile.labs where labs[measurement.analyte] == nil { labs[measurement.analyte] = measurement }
        return PatientFacts(
            profile: profile, presentGroups: presentGroups, absentGroups: absentGroups.subtracting(presentGroups),
            presentStatements: presentStatements, absentStatements: absentStatements,
            labs: labs, statements: statements, absentBeforeGroups: absentBeforeGroups, broaderPresent: broaderPresent)
    }

    /// The checklist of `trial` for the patient (its criteria parsed here).
    public func report(_ trial: Trial, facts: PatientFacts) -> EligibilityReport {
        let topic = topicGroups(trial, lexicon: lexicon)
        let criteria = CriteriaParser.parse(trial.eligibility.criteria ?? "").map {
            PreparedCriterion($0, lexicon: lexicon, topic: topic)
        }
        return report(trial, criteria: criteria, facts: facts)
    }

    /// The checklist of `trial` for the patient, from criteria prepared at index time.
    func report(_ trial: Trial, criteria: [PreparedCriterion], facts: PatientFacts) -> EligibilityReport {
        let assessments = criteria.map { assess($0, facts: facts) }
        var reasons: [EligibilityReport.Reason] = []
        let profile = facts.profile
        if let age = profile.age, !trial.eligibility.accepts(ageInYears: age) {
            reasons.append(.ageOutsideLimits(age: age, limits: Self.limits(trial.eligibility)))
        }
        if let sex = profile.sex {
            switch (trial.eligibility.sex, sex) {
            case (.female, .male), (.male, .female): reasons.append(.sexNotAccepted)
            default: break
            }
        }
        if trial.eligibility.healthyVolunteers == true, Self.isHealthyVolunteerStudy(trial), !facts.presentGroups.isEmpty {
            reasons.append(.healthyVolunteersOnly)
        }
        for (index, assessment) in assessments.enumerated() where assessment.excludes {
            reasons.append(.criterionExcludes(index: index))
        }
        let excluded = !reasons.isEmpty
        let conditionMatch = trial.conditions.first { condition in
            conditionMatches(condition, facts: facts)
        }
        if let conditionMatch { reasons.append(.conditionMatched(conditionMatch)) }
        let unknown = assessments.filter { $0.status == .unknown && $0.criterion.kind != .consent }.count
        if unknown > 0 { reasons.append(.criteriaUnknown(count: unknown)) }
        // Likely: the diagnosis criteria are all met (or, when there are none, the patient states a condition of the
        // trial) and the age is known to fit.
        let diagnoses = assessments.filter { $0.criterion.section != .exclusion && $0.criterion.kind == .diagnosis }
        let diagnosisMet = diagnoses.isEmpty ? conditionMatch != nil : diagnoses.allSatisfy { $0.status == .met }
        let verdict: EligibilityVerdict
        if excluded {
            verdict = .excluded
        } else if diagnosisMet && profile.age != nil {
            verdict = .likely
        } else {
            verdict = .possible
        }
        return EligibilityReport(verdict: verdict, assessments: assessments, reasons: reasons)
    }

    /// Whether the patient states a condition of the trial: a lexicon group in common (or a narrower one stated:
    /// DLBCL for a trial of B-cell lymphoma), or every content word of the condition in one present statement.
    func conditionMatches(_ condition: String, facts: PatientFacts) -> Bool {
        let spotted = lexicon.spot(condition)
        let groups = spotted.mentions.flatMap(\.groups).filter { !lexicon.groups[$0].isGeneric }
        if groups.contains(where: { facts.presentGroups.contains($0) || facts.broaderPresent[$0] != nil }) { return true }
        let terms = Set(spotted.otherTerms + spotted.mentions.flatMap(\.terms)).subtracting(Self.criterionWords)
        guard !terms.isEmpty, terms.count <= 5 else { return false }
        return facts.presentStatements.contains { terms.isSubset(of: $0) }
    }

    /// Judges one criterion.
    public func assess(_ criterion: Criterion, facts: PatientFacts) -> CriterionAssessment {
        assess(PreparedCriterion(criterion, lexicon: lexicon), facts: facts)
    }

    func assess(_ prepared: PreparedCriterion, facts: PatientFacts) -> CriterionAssessment {
        var assessment = assessRule(prepared, facts: facts)
        // "Patients must not have an ECOG greater than 2": the numbers say what is refused.
        if prepared.criterion.isNegated, [.age, .performance, .laboratory, .organFunction].contains(prepared.criterion.kind),
            !prepared.criterion.thresholds.isEmpty || prepared.criterion.ageRange != nil || prepared.criterion.ecogRange != nil
        {
            switch assessment.status {
            case .met: assessment.status = .notMet
            case .notMet: assessment.status = .met
            case .unknown: break
            }
        }
        return assessment
    }

    private func assessRule(_ prepared: PreparedCriterion, facts: PatientFacts) -> CriterionAssessment {
        let criterion = prepared.criterion
        let profile = facts.profile
        func result(_ status: CriterionStatus, _ evidence: String = "") -> CriterionAssessment {
            CriterionAssessment(criterion: criterion, status: status, evidence: evidence)
        }
        switch criterion.kind {
        case .age:
            guard let range = criterion.ageRange, let age = profile.age, prepared.aboutPatientAge else {
                return result(.unknown)
            }
            return result(range.contains(age) ? .met : .notMet, "age \(Self.format(age))")
        case .sex:
            guard let wanted = criterion.sex else { return result(.met, "") }
            guard let sex = profile.sex else { return result(.unknown) }
            return result(wanted == sex ? .met : .notMet, "sex \(sex.rawValue)")
        case .performance:
            guard let range = criterion.ecogRange, let ecog = profile.ecog else { return result(.unknown) }
            return result(range.contains(Double(ecog)) ? .met : .notMet, "ECOG \(ecog)")
        case .laboratory, .organFunction where !criterion.thresholds.isEmpty:
            var statuses: [CriterionStatus] = []
            var evidence: [String] = []
            for threshold in criterion.thresholds {
                guard let value = facts.labs[threshold.analyte] else {
                    statuses.append(.unknown)
                    continue
                }
                if value.relativeToULN != threshold.relativeToULN {
                    // A value "within normal limits" meets an absolute maximum at or above the usual upper limit.
                    if value.relativeToULN, value.value <= 1, threshold.range.minimum == nil,
                        let maximum = threshold.range.maximum, let upper = Self.typicalUpperLimits[threshold.analyte],
                        maximum >= upper
                    {
                        statuses.append(.met)
                        evidence.append("\(threshold.analyte.rawValue) normal")
                    } else {
                        statuses.append(.unknown)
                    }
                    continue
                }
                statuses.append(threshold.range.contains(value.value) ? .met : .notMet)
                evidence.append("\(threshold.analyte.rawValue) \(Self.format(value.value))\(value.relativeToULN ? " × ULN" : " \(threshold.analyte.canonicalUnit)")")
            }
            // An inclusion needs every threshold; an exclusion usually lists alternatives ("any of").
            let status: CriterionStatus
            if criterion.section == .exclusion {
                status = statuses.contains(.met) ? .met : statuses.allSatisfy { $0 == .notMet } ? .notMet : .unknown
            } else {
                status = statuses.contains(.notMet) ? .notMet : statuses.allSatisfy { $0 == .met } ? .met : .unknown
            }
            return result(status, evidence.joined(separator: ", "))
        case .pregnancy:
            return assessPregnancy(criterion, profile: profile)
        default:
            return assessConcepts(prepared, facts: facts)
        }
    }

    private func assessPregnancy(_ criterion: Criterion, profile: PatientProfile) -> CriterionAssessment {
        let words = Set(ClinicalText.folded(criterion.text))
        let aboutPregnancy = words.contains { $0.hasPrefix("pregnan") || $0.hasPrefix("breastfe") || $0 == "lactating"
            || $0 == "nursing" || $0 == "enceinte" || $0 == "grossesse" || $0 == "allaitement" || $0 == "allaitante" }
        let onlyWomen = words.contains { ["childbearing", "women", "woman", "female", "females", "femmes", "wocbp"].contains($0) }
        if profile.sex == .male, aboutPregnancy || onlyWomen {
            // Pregnancy and contraception rules for women do not apply to a man.
            return CriterionAssessment(
                criterion: criterion, status: criterion.section == .exclusion ? .notMet : .met, evidence: "sex male")
        }
        if aboutPregnancy, criterion.section == .exclusion, let pregnant = profile.pregnant {
            return CriterionAssessment(criterion: criterion, status: pregnant ? .met : .notMet,
                evidence: pregnant ? "pregnant" : "not pregnant")
        }
        return CriterionAssessment(criterion: criterion, status: .unknown, evidence: "")
    }

    /// Words of criteria that name no condition: left out when comparing a criterion's words with the patient's.
    static let criterionWords: Set<String> = [
        "patient", "participant", "subject", "history", "known", "diagnosis", "diagnosed", "confirmed", "documented",
        "histologically", "cytologically", "active", "prior", "previous", "current", "currently", "clinically",
        "significant", "evidence", "disease", "condition", "presence", "any", "other", "must", "have", "ha", "has",
        "study", "trial", "treatment", "therapy", "year", "month", "week", "day", "age", "aged", "within", "least",
        "le", "la", "les", "un", "une", "de", "del", "del", "des", "en", "requiring", "require", "uncontrolled",
        "severe", "moderate", "mild", "chronic", "acute", "new", "onset", "following", "defined", "including",
        "eligible", "inclusion", "exclusion", "criteria", "positive", "negative", "test", "result", "ability",
        "able", "will", "would", "sign", "symptom", "patients", "participants", "subjects", "antecedent", "maladie",
        "had", "have", "been", "being", "received", "receive", "receiving", "taking", "take", "taken", "use", "used",
        "using", "undergone", "given", "treated", "who", "which", "also", "other", "than",
    ]

    /// Lexicon concepts of the criterion against the patient's statements: present → met, stated absent → not met;
    /// without lexicon concepts, the criterion's distinctive words (at most four) all in one statement.
    /// Concepts of the criterion against the patient's statements. A concept the criterion asks for that the
    /// patient states present meets it, one stated absent fails it (when every such concept is absent); a concept
    /// the criterion forbids fails it when present and meets it when stated absent. Without lexicon concepts, the
    /// criterion's distinctive words (at most four) are looked for together in one statement of the patient.
    private func assessConcepts(_ prepared: PreparedCriterion, facts: PatientFacts) -> CriterionAssessment {
        let criterion = prepared.criterion
        func result(_ status: CriterionStatus, _ evidence: String) -> CriterionAssessment {
            CriterionAssessment(criterion: criterion, status: status, evidence: evidence)
        }
        func name(_ group: Int) -> String { lexicon.groups[group].english.first ?? lexicon.groups[group].id }
        /// Whether the patient has the concept, stated or through a narrower one.
        func present(_ group: Int) -> Bool { facts.presentGroups.contains(group) || facts.broaderPresent[group] != nil }
        /// The evidence that the patient has it: its name, or "diffuse large B-cell lymphoma is a B-cell lymphoma".
        func presence(_ group: Int) -> String {
            guard !facts.presentGroups.contains(group), let narrower = facts.broaderPresent[group] else { return name(group) }
            return "\(name(narrower)) is a \(name(group))"
        }
        let required = prepared.required
        let forbidden = prepared.forbidden
        // "No uncontrolled hypertension": a patient with hypertension is excluded only when the qualifier is stated.
        let qualified = prepared.qualifiers.isEmpty
            || facts.presentStatements.contains { !$0.isDisjoint(with: prepared.qualifiers) }
        /// `status`, or unknown when it would exclude the patient on a qualifier they do not state.
        func unlessUnqualified(_ status: CriterionStatus) -> CriterionStatus {
            !qualified && CriterionAssessment(criterion: criterion, status: status, evidence: "").excludes ? .unknown : status
        }
        if !required.isEmpty || !forbidden.isEmpty {
            if let hit = forbidden.first(where: facts.presentGroups.contains) ?? forbidden.first(where: present) {
                return result(unlessUnqualified(.notMet), presence(hit))
            }
            if prepared.aboutPast, let before = required.first(where: facts.absentBeforeGroups.contains),
                required.allSatisfy({ facts.absentBeforeGroups.contains($0) || !facts.presentGroups.contains($0) })
            {
                return result(.notMet, "no prior " + name(before))
            }
            if !required.isEmpty, required.allSatisfy(facts.absentGroups.contains) { return result(.notMet, "no " + name(required[0])) }
            let requiredMet = required.first(where: facts.presentGroups.contains) ?? required.first(where: present)
            let forbiddenAbsent = !forbidden.isEmpty && forbidden.allSatisfy(facts.absentGroups.contains)
            let wordsStated = !prepared.modifiersOnly || prepared.requiredTerms.isEmpty
                || facts.presentStatements.contains { prepared.requiredTerms.isSubset(of: $0) }
            if required.isEmpty ? forbiddenAbsent : requiredMet != nil && wordsStated && (forbidden.isEmpty || forbiddenAbsent) {
                return result(requiredMet == nil ? .met : unlessUnqualified(.met),
                    requiredMet.map(presence) ?? "no " + name(forbidden[0]))
            }
            return result(.unknown, "")
        }
        let asked = prepared.requiredTerms
        let refused = prepared.forbiddenTerms
        if prepared.namesTopic, asked.isEmpty, refused.isEmpty { return result(.unknown, "") }
        func stated(_ terms: Set<String>, in statements: [Set<String>]) -> Bool {
            !terms.isEmpty && terms.count <= 6 && statements.contains { terms.isSubset(of: $0) }
        }
        if stated(refused, in: facts.presentStatements) {
            return result(unlessUnqualified(.notMet), refused.sorted().joined(separator: " "))
        }
        if stated(asked, in: facts.absentStatements) { return result(.notMet, "no " + asked.sorted().joined(separator: " ")) }
        if stated(asked, in: facts.presentStatements), refused.isEmpty || stated(refused, in: facts.absentStatements) {
            return result(unlessUnqualified(.met), asked.sorted().joined(separator: " "))
        }
        if asked.isEmpty, stated(refused, in: facts.absentStatements) {
            return result(.met, "no " + refused.sorted().joined(separator: " "))
        }
        return result(.unknown, "")
    }

    /// Whether an age criterion states the patient's own age now. Long run-on text (old registrations run several
    /// headings together: "Age: Not specified Sex: Female Menopausal status: … at least 1 of the following"),
    /// a heading ("Age 65-70 years:"), a condition on a subgroup ("if", "for patients") or another age ("onset of
    /// hypertension by age 60", "siblings 55 years of age and younger", "explained to subjects age 8-17") say
    /// nothing reliable about whether this patient's age fits, so such criteria stay unknown.
    static func isAboutPatientAge(_ statement: String) -> Bool {
        let words = ClinicalText.folded(statement)
        guard words.count <= 20, !statement.trimmingCharacters(in: .whitespaces).hasSuffix(":") else { return false }
        return Set(words).isDisjoint(with: otherAgeWords)
    }

    static let otherAgeWords: Set<String> = [
        "if", "when", "onset", "diagnosed", "diagnosis", "donor", "donors", "sibling", "siblings", "parent", "parents",
        "explained", "following", "relapses", "since", "child's", "mother", "father", "si", "lorsque", "diagnostic",
        "donneur", "donneurs", "enfant",
    ]

    /// Usual upper limits of normal for adults (canonical units), to read "bilirubin normal" against an absolute
    /// maximum; analytes not listed stay unknown.
    static let typicalUpperLimits: [Analyte: Double] = [.bilirubin: 1.2, .creatinine: 1.3, .alt: 40, .ast: 40]

    /// Lexicon groups that qualify a disease rather than name one: alone they never meet a criterion that also
    /// names something more specific.
    static let modifierGroupIds: Set<String> = [
        "relapsed-refractory", "relapse", "refractory", "minimal-residual", "remission", "cancer", "solid-tumor",
        "metastatic", "adenocarcinoma", "squamous", "allogeneic", "autologous", "pediatric", "infant", "neonate",
        "adolescent", "young-adult", "adult", "older-adults", "women", "men", "childhood-cancer", "aya", "infection",
        "pain", "fatigue", "rare-disease", "genetic-disease", "autoimmune", "healthy-volunteers", "caregivers",
    ]

    /// A study that takes healthy volunteers and whose conditions say so.
    static func isHealthyVolunteerStudy(_ trial: Trial) -> Bool {
        trial.conditions.contains { condition in
            let folded = condition.lowercased()
            return folded.contains("healthy") || folded.contains("volunteer") || folded.contains("sain")
        }
    }

    /// The registered age limits, as "18–75", "≥ 18" or "≤ 17" (years).
    static func limits(_ eligibility: Trials.Eligibility) -> String {
        NumericRange(minimum: eligibility.minimumAge?.years, maximum: eligibility.maximumAge?.years).description
    }

    /// A number as people write it: whole numbers without decimals, others to two decimals.
    public static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 100).rounded() / 100)
    }
}
