import Search

/// A patient's situation as matching reads it: structured fields and/or a free-text note.
///
/// Structured fields win over what the note says. ``extracted(lexicon:)`` fills the gaps from the note: age, sex,
/// ECOG / Karnofsky, laboratory values, pregnancy, and the note's spans with their assertion (present, absent,
/// family), from which conditions and treatments are recognised. Nothing here leaves the process: profiles are
/// not stored.
public struct PatientProfile: Sendable, Codable, Equatable {
    public enum Sex: String, Sendable, Codable { case female, male }

    /// Age in years.
    public var age: Double?
    public var sex: Sex?
    /// Diagnoses, in the patient's or clinician's words ("DLBCL", "cancer du sein").
    public var diagnoses: [String]
    /// Stage as written ("IV", "3B", "limited").
    public var stage: String?
    /// ECOG performance status 0–5.
    public var ecog: Int?
    /// Treatments received ("R-CHOP", "autologous stem cell transplant").
    public var priorTherapies: [String]
    /// Number of prior lines of systemic therapy.
    public var priorLines: Int?
    /// Laboratory values in canonical units.
    public var labs: [Measurement]
    /// Conditions the patient is known not to have ("HIV", "brain metastases").
    public var absentConditions: [String]
    public var pregnant: Bool?
    /// Where the patient lives: a Canadian postal code, a city or "lat,lon".
    public var location: String?
    /// Free text: a clinical note or the patient's own words, in French or English.
    public var text: String

    public init(
        age: Double? = nil, sex: Sex? = nil, diagnoses: [String] = [], stage: String? = nil, ecog: Int? = nil,
        priorTherapies: [String] = [], priorLines: Int? = nil, labs: [Measurement] = [], absentConditions: [String] = [],
        pregnant: Bool? = nil, location: String? = nil, text: String = ""
    ) {
        self.age = age
        self.sex = sex
        self.diagnoses = diagnoses
        self.stage = stage
        self.ecog = ecog
        self.priorTherapies = priorTherapies
        self.priorLines = priorLines
        self.labs = labs
        self.absentConditions = absentConditions
        self.pregnant = pregnant
        self.location = location
        self.text = text
    }

    /// The profile with every field it leaves empty read from ``text``.
    public func extracted() -> PatientProfile {
        var profile = self
        let tokens = ClinicalText.tokens(text)
        if profile.age == nil { profile.age = Self.age(in: tokens) }
        if profile.sex == nil { profile.sex = Self.sex(in: tokens) }
        if profile.ecog == nil { profile.ecog = Self.performance(in: tokens) }
        var known = Set(profile.labs.map(\.analyte))
        for measurement in Self.measurements(in: tokens) where !known.contains(measurement.analyte) {
            profile.labs.append(measurement)
            known.insert(measurement.analyte)
        }
        if profile.pregnant == nil, tokens.contains(where: { $0.word == "postmenopausal" || $0.word == "menopausee" }) {
            profile.pregnant = false
        }
        if profile.pregnant == nil, profile.sex != .male {
            for span in ClinicalText.spans(text) {
                let words = ClinicalText.folded(span.text)
                if words.contains(where: { $0.hasPrefix("pregnan") || $0 == "enceinte" || $0 == "grossesse" }) {
                    profile.pregnant = span.assertion == .present
                    break
                }
            }
        }
        return profile
    }

    /// Every statement about the patient: structured fields as present or absent spans, then the note's spans.
    var statements: [ClinicalSpan] {
        var spans: [ClinicalSpan] = []
        for diagnosis in diagnoses { spans.append(ClinicalSpan(text: diagnosis, assertion: .present)) }
        if let stage { spans.append(ClinicalSpan(text: "stage \(stage)", assertion: .present)) }
        for therapy in priorTherapies { spans.append(ClinicalSpan(text: therapy, assertion: .present)) }
        for condition in absentConditions { spans.append(ClinicalSpan(text: condition, assertion: .absent)) }
        return spans + ClinicalText.spans(text)
    }

    // MARK: Reading the note

    /// "58-year-old", "58 yo", "58 y/o", "aged 58", "58 ans", "âgée de 58 ans", "48 M", "8-month-old".
    static func age(in tokens: [ClinicalToken]) -> Double? {
        for (index, token) in tokens.enumerated() {
            guard let value = token.number, value < 130 else { continue }
            var look = index + 1
            if look < tokens.count, tokens[look] == .symbol("-") { look += 1 }
            let next = look < tokens.count ? tokens[look].word : nil
            let after = look + 1 < tokens.count ? tokens[look + 1] : nil
            if let next {
                if ["year", "years", "yr", "yrs"].contains(next) {
                    var old = look + 1
                    if old < tokens.count, tokens[old] == .symbol("-") { old += 1 }
                    if old < tokens.count, tokens[old].word == "old" || tokens[old].word == "of" { return value }
                }
                if ["yo", "yoa", "ans", "an", "y"].contains(next) {
                    if next == "y", after != .symbol("/") { continue }
                    return value
                }
                if ["month", "months", "mois"].contains(next), after?.word == "old" || next == "mois" { return value / 12 }
                // "48 M with", "62 F presents": a sex letter right after the first number.
                if ["m", "f"].contains(next), index == 0 || index == 1 { return value }
            }
            if index > 0, let before = tokens[index - 1].word, ["aged", "age", "agee", "agé", "age:"].contains(before) {
                return value
            }
        }
        return nil
    }

    /// Sex from nouns first ("woman", "homme"), then a sex letter after the age ("48 M"), then pronouns.
    static func sex(in tokens: [ClinicalToken]) -> Sex? {
        let female: Set = ["woman", "female", "lady", "girl", "mrs", "femme", "fille", "patiente", "madame", "mother",
            "postmenopausal", "premenopausal"]
        let male: Set = ["man", "male", "gentleman", "boy", "mr", "homme", "garcon", "monsieur"]
        for token in tokens {
            guard let word = token.word else { continue }
            if female.contains(word) { return .female }
            if male.contains(word) { return .male }
        }
        for index in tokens.indices.prefix(4) where tokens[index].number != nil && index + 1 < tokens.count {
            if tokens[index + 1].word == "f" { return .female }
            if tokens[index + 1].word == "m" { return .male }
        }
        var she = 0
        var he = 0
        for token in tokens {
            switch token.word {
            case "she", "her", "hers", "elle": she += 1
            case "he", "his", "him", "il": he += 1
            default: break
            }
        }
        if she > he { return .female }
        if he > she { return .male }
        return nil
    }

    /// "ECOG 1", "ECOG PS 2", "ECOG performance status of 0", "Karnofsky 80%" (mapped to ECOG).
    static func performance(in tokens: [ClinicalToken]) -> Int? {
        for (index, token) in tokens.enumerated() {
            guard let word = token.word else { continue }
            let isECOG = ["ecog", "zubrod", "who"].contains(word)
            let isKarnofsky = ["karnofsky", "kps"].contains(word)
            guard isECOG || isKarnofsky else { continue }
            var look = index + 1
            while look < min(tokens.count, index + 6), tokens[look].number == nil { look += 1 }
            guard look < tokens.count, let value = tokens[look].number else { continue }
            if isECOG, value <= 5, word != "who" || tokens[index + 1].word == "performance" { return Int(value) }
            if isKarnofsky, value <= 100 { return Criterion.ecog(fromKarnofsky: value) }
        }
        return nil
    }

    /// Laboratory values: an analyte name, optional "of", "was", "is", ":" or "=", then a number and its unit.
    static func measurements(in tokens: [ClinicalToken]) -> [Measurement] {
        var result: [Measurement] = []
        var index = 0
        while index < tokens.count {
            guard let (analyte, length) = Analyte.named(in: tokens, at: index) else { index += 1; continue }
            var look = index + length
            while look < tokens.count, look < index + length + 3 {
                if let word = tokens[look].word, ["of", "was", "is", "at", "de", "level", "count", "were", "a"].contains(word) {
                    look += 1
                } else if case .symbol(let symbol) = tokens[look], ["=", ":"].contains(symbol) {
                    look += 1
                } else {
                    break
                }
            }
            if look < tokens.count, ["normal", "wnl", "normale", "normaux"].contains(tokens[look].word ?? "") {
                // "bilirubin normal": within normal limits, at most the upper limit of normal.
                result.append(Measurement(analyte: analyte, value: 1, relativeToULN: true))
                index = look + 1
            } else if look < tokens.count, let value = tokens[look].number {
                let converted = Units.convert(value, analyte: analyte, tokens: tokens, at: look + 1)
                result.append(Measurement(analyte: analyte, value: converted.value, relativeToULN: converted.relativeToULN))
                index = look + 1
            } else {
                index += length
            }
        }
        return result
    }
}
