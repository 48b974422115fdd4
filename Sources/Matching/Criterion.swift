import Trials

/// What a criterion is about, when it can be recognised.
public enum CriterionKind: String, Sendable, Codable, CaseIterable {
    case age, sex, diagnosis, stage, performance, priorTherapy, laboratory, pregnancy, organFunction, brainMetastases,
        infection, consent, other
}

/// One eligibility criterion, typed, with the numbers it states.
public struct Criterion: Sendable, Equatable {
    public var section: CriteriaText.Section
    /// The criterion as written (with its lead-in, if any).
    public var text: String
    /// The item's own words, without the lead-in: what is checked against the patient.
    public var statement: String
    /// Whether the item is stated in the negative ("Patients must not be HIV positive", "No prior therapy"), so
    /// its numbers and concepts say what the patient must not have.
    public var isNegated: Bool
    public var kind: CriterionKind
    /// Allowed ages in years (kind ``CriterionKind/age``).
    public var ageRange: NumericRange?
    /// Allowed ECOG grades (kind ``CriterionKind/performance``; Karnofsky and Lansky are converted).
    public var ecogRange: NumericRange?
    /// Thresholds on laboratory values (kind ``CriterionKind/laboratory`` or ``CriterionKind/organFunction``).
    public var thresholds: [Threshold]
    /// The sex the criterion admits (kind ``CriterionKind/sex``); `nil` when it admits both.
    public var sex: PatientProfile.Sex?

    /// A limit on one analyte: the allowed range, in canonical units or as multiples of the upper limit of normal.
    public struct Threshold: Sendable, Equatable {
        public var analyte: Analyte
        public var range: NumericRange
        public var relativeToULN: Bool
    }

    /// Maps a Karnofsky or Lansky score to the ECOG grade usually equated with it (Oken et al. 1982).
    public static func ecog(fromKarnofsky score: Double) -> Int {
        switch score {
        case 90...: 0
        case 70..<90: 1
        case 50..<70: 2
        case 30..<50: 3
        case 10..<30: 4
        default: 5
        }
    }
}

/// Turns a trial's criteria text into typed criteria (``CriteriaText`` splits; keyword rules type; small
/// readers take out ages, performance grades and lab thresholds).
public enum CriteriaParser {
    /// The typed criteria of `text`, in order. Items before any heading count as inclusion when the text has no
    /// exclusion heading, since such blocks list who can take part.
    public static func parse(_ text: String) -> [Criterion] {
        CriteriaText(text).items.map { parse(item: $0) }
    }

    /// Types one criterion.
    public static func parse(item: CriteriaText.Item) -> Criterion {
        let text = item.display
        let tokens = ClinicalText.tokens(text)
        let words = tokens.compactMap(\.word)
        let joined = " " + words.joined(separator: " ") + " "
        let wordSet = Set(words)
        // A phrase is a word, a word prefix ("pregnan*") or words in a row; the set answers most without a scan.
        func has(_ phrases: String...) -> Bool {
            phrases.contains { phrase in
                if phrase.hasSuffix("*") {
                    let prefix = phrase.dropLast()
                    guard !prefix.contains(" ") else { return joined.contains(" \(prefix)") }
                    return words.contains { $0.hasPrefix(prefix) }
                }
                guard let space = phrase.firstIndex(of: " ") else { return wordSet.contains(phrase) }
                return wordSet.contains(String(phrase[..<space])) && joined.contains(" \(phrase) ")
            }
        }
        var criterion = Criterion(
            section: item.section, text: text, statement: item.text, isNegated: isNegated(item.text), kind: .other,
            thresholds: [])
        let exclusion = item.section == .exclusion
        let diseaseWords = Self.namesDisease(words[...])
        let negated = words.contains { ["no", "not", "negative", "without", "free"].contains($0) }

        // The first rule that applies decides (see docs/MATCHING.md for the order and why).
        let therapy = has("therapy", "therapies", "treatment", "treatments", "treated", "chemotherapy", "immunotherapy",
            "radiotherapy", "radiation", "drug", "drugs", "medication", "medications", "agent", "agents", "vaccine",
            "vaccines", "vaccination", "inhibitor", "inhibitors", "antibody", "antibodies", "transplant", "transplantation",
            "regimen", "art", "insulin", "metformin", "steroids", "corticosteroids", "traitement", "traitements", "chimiotherapie", "greffe", "trastuzumab", "rituximab")
        let past = has("prior", "previous*", "previously", "received", "receipt", "taken", "had", "completed", "recent",
            "recently", "last", "past", "pretreated", "naive", "failed", "lines", "line", "anterieur*", "recu", "recus")
        if let range = ageRange(tokens) {
            criterion.kind = .age
            criterion.ageRange = range
        } else if has("pregnan*", "breastfeed*", "breast feeding", "lactating", "nursing", "contracepti*", "childbearing",
            "child bearing", "enceinte", "grossesse", "allaitement", "allaitante", "birth control", "postmenopausal")
        {
            criterion.kind = .pregnancy
        } else if let statement = sexOnly(words) {
            criterion.kind = .sex
            if case .only(let sex) = statement { criterion.sex = sex }
        } else if let range = performanceRange(tokens) {
            criterion.kind = .performance
            criterion.ecogRange = range
        } else if case let thresholds = thresholds(tokens), !thresholds.isEmpty {
            criterion.thresholds = thresholds
            criterion.kind = thresholds.allSatisfy { $0.analyte == .lvef } ? .organFunction : .laboratory
        } else if (has("brain", "cns", "cerebral", "leptomeningeal", "intracranial", "cerebrales", "cerebrale", "meningeal")
            && has("metast*", "involvement", "disease", "leukemia", "leukaemia", "lymphoma", "tumor", "tumour", "lesions"))
        {
            criterion.kind = .brainMetastases
        } else if has("hiv", "human immunodeficiency", "hepatitis", "hbv", "hcv", "hbsag", "hepatite", "tuberculosis",
            "active infection", "uncontrolled infection", "systemic infection", "infection active", "vih", "pcr", "fever",
            "febrile", "temperature", "acute illness", "sars", "infection", "infections")
        {
            // In inclusion criteria an infection with no negation is what the trial is about ("HIV-1 infection").
            criterion.kind = !exclusion && !negated && !has("active infection", "uncontrolled infection") ? .diagnosis : .infection
        } else if has("tissue", "sample", "samples", "specimen", "specimens", "block", "blocks") {
            criterion.kind = .other
        } else if !exclusion && has("diagnosis", "diagnosed", "diagnostic", "histologically", "histological", "histology",
            "cytologically", "confirmed", "confirme", "confirmee", "documented", "proven", "relapsed", "refractory",
            "symptoms", "symptom", "atteint*", "suffering")
            || exclusion && has("diagnosis of") || !exclusion && Self.namesDisease(words.prefix(8))
        {
            criterion.kind = .diagnosis
        } else if therapy && past || has("treated with") {
            criterion.kind = .priorTherapy
        } else if has("consent", "consentement") {
            criterion.kind = .consent
        } else if has("renal", "kidney", "hepatic", "liver", "cardiac", "heart", "marrow", "organ", "hematologic",
            "haematological", "hematological", "renale", "hepatique", "cardiaque")
            && has("function", "dysfunction", "insufficiency", "failure", "disease", "impairment", "compensated",
                "decompensated", "fonction", "insuffisance", "nyha")
            || has("lung", "pulmonary", "respiratory") && has("function", "insufficiency", "failure")
        {
            criterion.kind = .organFunction
        } else if !exclusion && diseaseWords {
            criterion.kind = .diagnosis
        } else if has("stage", "stade", "metastatic", "locally advanced", "unresectable", "tnm", "high risk") && !has("end stage") {
            criterion.kind = .stage
        } else if has("willing", "willingness", "able to comply", "comply", "signed", "sign", "understand", "agree",
            "agrees", "available for", "volunteer", "volunteers", "accepte", "dispose*")
        {
            criterion.kind = .consent
        }
        return criterion
    }

    /// Whether the criterion's main clause is negative: it opens with "No", "Not", "Without", "Absence of", "Never",
    /// "Non-", or its subject "must not", "should not", "may not", "cannot", "do not" be or have something.
    static func isNegated(_ text: String) -> Bool {
        let words = ClinicalText.folded(text).prefix(8)
        guard let first = words.first else { return false }
        if ["no", "not", "without", "absence", "never", "non", "pas", "aucun", "aucune", "sans", "absent"].contains(first) {
            return true
        }
        let modals: Set = ["must", "should", "may", "can", "do", "does", "did", "will", "cannot", "doit", "doivent"]
        for (offset, word) in words.enumerated() where ["not", "never", "pas"].contains(word) && offset > 0 {
            if modals.contains(words[words.startIndex + offset - 1]) { return true }
        }
        return words.contains("cannot")
    }

    /// Words naming a disease, for telling a diagnosis criterion from the rest.
    static let diseaseWords: Set<String> = [
        "cancer", "cancers", "carcinoma", "lymphoma", "lymphomas", "leukemia", "leukemias", "leukaemia", "myeloma",
        "tumor", "tumors", "tumour", "tumours", "neoplasm", "neoplasms", "malignancy", "disease", "syndrome", "diabetes",
        "mellitus", "infarction", "stroke", "covid", "asthma", "copd", "mds", "sclerosis", "arthritis", "hypertension",
        "glaucoma", "dementia", "depression", "anxiety", "obesity", "heart failure", "epilepsy", "psoriasis", "anemia",
        "anaemia", "maladie", "diabete", "cancer", "lymphome", "leucemie", "myelome", "tumeur",
    ]

    /// Whether one of `words` names a disease.
    static func namesDisease(_ words: ArraySlice<String>) -> Bool {
        words.contains { word in
            diseaseWords.contains(word) || (word.count > 5 && diseaseSuffixes.contains { word.hasSuffix($0) })
        }
    }

    /// Endings of disease names ("-oma", "-emia", "-itis", "-osis").
    static let diseaseSuffixes = ["oma", "omas", "emia", "aemia", "itis", "osis"]

    /// Age words: a range is read only near one of these.
    private static let ageWords: Set<String> = ["age", "aged", "ages", "years", "year", "yrs", "old", "ans", "agee", "agees", "ages"]

    /// The allowed ages when the criterion is about age ("≥ 18 years", "aged 18-75", "18 years or older",
    /// "between 18 and 65 years of age", "younger than 18"). Months are converted to years.
    static func ageRange(_ tokens: [ClinicalToken]) -> NumericRange? {
        let words = tokens.compactMap(\.word)
        guard words.contains(where: { ["age", "aged", "ages", "old", "ans", "agee", "agees", "adult", "adults"].contains($0) })
            || words.contains("years") && tokens.count <= 12
        else { return nil }
        // Only numbers next to an age word count: "18 years", "age ≥ 18".
        for index in tokens.indices where tokens[index].number != nil {
            let near = tokens[max(0, index - 4)..<min(tokens.count, index + 4)].compactMap(\.word)
            guard near.contains(where: { ageWords.contains($0) || ["months", "mois"].contains($0) }) else { continue }
            if near.contains(where: { ["weeks", "days", "hours", "semaines", "jours", "kg", "mg", "cycles", "doses"].contains($0) }),
                !near.contains(where: { ageWords.contains($0) && $0 != "years" })
            {
                continue
            }
            guard var found = Comparisons.range(in: tokens, from: max(0, index - 6), to: min(tokens.count, index + 8)),
                found.numberIndex == index
            else { continue }
            let unit = tokens[(index + 1)..<min(tokens.count, index + 3)].compactMap(\.word).first
            if unit == "months" || unit == "mois" {
                found.range.minimum = found.range.minimum.map { $0 / 12 }
                found.range.maximum = found.range.maximum.map { $0 / 12 }
            }
            if let low = found.range.minimum, low > 120 { continue }
            if let high = found.range.maximum, high > 120 { continue }
            return found.range
        }
        return nil
    }

    /// ECOG/WHO/Zubrod grades allowed, or Karnofsky/Lansky scores converted to ECOG.
    static func performanceRange(_ tokens: [ClinicalToken]) -> NumericRange? {
        for (index, token) in tokens.enumerated() {
            guard let word = token.word else { continue }
            let isECOG = ["ecog", "zubrod"].contains(word)
                || word == "who" && index + 1 < tokens.count && tokens[index + 1].word == "performance"
                || word == "performance" && index > 0 && !["karnofsky", "lansky", "ecog", "who", "zubrod"].contains(tokens[index - 1].word ?? "")
                    && tokens[min(index + 1, tokens.count - 1)].word == "status"
            let isKarnofsky = ["karnofsky", "kps", "lansky"].contains(word)
            guard isECOG || isKarnofsky else { continue }
            guard let found = Comparisons.range(in: tokens, from: index + 1, to: min(tokens.count, index + 14)) else { continue }
            var range = found.range
            if isKarnofsky {
                // A Karnofsky minimum becomes an ECOG maximum.
                let low = range.minimum.map { Double(Criterion.ecog(fromKarnofsky: range.minimumInclusive ? $0 : $0 + 10)) }
                let high = range.maximum.map { Double(Criterion.ecog(fromKarnofsky: $0)) }
                range = NumericRange(minimum: high, maximum: low)
                if range.minimum == nil, range.maximum == nil { continue }
                return range
            }
            if let high = range.maximum, high > 5 { continue }
            if let low = range.minimum, low > 5 { continue }
            return range
        }
        return nil
    }

    /// What a short criterion says about sex.
    enum SexStatement { case only(PatientProfile.Sex), both }

    /// A criterion that only states a sex ("Female", "Men only", "Men and women").
    static func sexOnly(_ words: [String]) -> SexStatement? {
        let female: Set = ["female", "females", "women", "woman", "femmes", "femme", "girls"]
        let male: Set = ["male", "males", "men", "man", "hommes", "homme", "boys"]
        let hasFemale = words.contains { female.contains($0) }
        let hasMale = words.contains { male.contains($0) }
        guard hasFemale || hasMale, words.count <= 6 else { return nil }
        if hasFemale && hasMale { return .both }
        return .only(hasFemale ? .female : .male)
    }

    /// Thresholds on laboratory analytes: "ANC ≥ 1.5 x 10^9/L", "platelets > 100,000/mm3", "creatinine ≤ 1.5 x ULN",
    /// "LVEF ≥ 45%", "hemoglobin 9.0 g/dL or higher".
    static func thresholds(_ tokens: [ClinicalToken]) -> [Criterion.Threshold] {
        var result: [Criterion.Threshold] = []
        var index = 0
        while index < tokens.count {
            guard let (analyte, length) = Analyte.named(in: tokens, at: index) else { index += 1; continue }
            // The window runs to the next analyte name (or 14 tokens).
            var end = index + length
            while end < tokens.count, end < index + length + 14, Analyte.named(in: tokens, at: end) == nil { end += 1 }
            if let found = Comparisons.range(in: tokens, from: index + length, to: end),
                found.range.minimum != found.range.maximum || found.range.minimum == nil
            {
                let unit = Units.convert(1, analyte: analyte, tokens: tokens, at: found.numberIndex + 1)
                func scaled(_ value: Double?) -> Double? {
                    guard let value else { return nil }
                    if unit.relativeToULN { return value }
                    return Units.convert(value, analyte: analyte, tokens: tokens, at: found.numberIndex + 1).value
                }
                var range = found.range
                range.minimum = scaled(range.minimum)
                range.maximum = scaled(range.maximum)
                if !result.contains(where: { $0.analyte == analyte }) {
                    result.append(.init(analyte: analyte, range: range, relativeToULN: unit.relativeToULN))
                }
            }
            index = end
        }
        return result
    }
}
