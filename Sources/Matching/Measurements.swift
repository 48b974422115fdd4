/// A laboratory or physiological measure that criteria put thresholds on, with its canonical unit.
public enum Analyte: String, Sendable, Codable, CaseIterable {
    case hemoglobin, platelets, neutrophils, leukocytes, lymphocytes, creatinine, creatinineClearance, bilirubin, alt,
        ast, albumin, inr, hba1c, lvef, potassium, sodium, glucose, ldl, bmi, cd4, viralLoad, weight

    /// The unit values are compared in.
    public var canonicalUnit: String {
        switch self {
        case .hemoglobin, .albumin: "g/dL"
        case .platelets, .neutrophils, .leukocytes, .lymphocytes: "×10⁹/L"
        case .creatinine, .bilirubin, .glucose, .ldl: "mg/dL"
        case .creatinineClearance: "mL/min"
        case .alt, .ast: "U/L"
        case .inr: ""
        case .hba1c, .lvef: "%"
        case .potassium, .sodium: "mmol/L"
        case .bmi: "kg/m²"
        case .cd4: "cells/µL"
        case .viralLoad: "copies/mL"
        case .weight: "kg"
        }
    }

    /// Names as folded word sequences, longest first within each analyte. "hemoglobin a1c" must win over
    /// "hemoglobin", so lookups try longer names first.
    static let names: [(words: [String], analyte: Analyte)] = {
        let table: [(Analyte, [String])] = [
            (.hba1c, ["hba1c", "hb a1c", "a1c", "hemoglobin a1c", "haemoglobin a1c", "glycated hemoglobin",
                "glycosylated hemoglobin", "glycated haemoglobin", "hemoglobine glyquee", "glycated hb"]),
            (.hemoglobin, ["hemoglobin", "haemoglobin", "hgb", "hb", "hemoglobine"]),
            (.platelets, ["platelets", "platelet", "platelet count", "plt", "plaquettes", "thrombocytes"]),
            (.neutrophils, ["absolute neutrophil count", "anc", "neutrophils", "neutrophil count", "neutrophil",
                "polynucleaires neutrophiles", "neutrophiles", "absolute granulocyte count", "agc"]),
            (.leukocytes, ["white blood cell count", "white blood cells", "wbc", "leukocytes", "leukocyte count",
                "white blood cell", "globules blancs"]),
            (.lymphocytes, ["absolute lymphocyte count", "alc", "lymphocytes", "lymphocyte count"]),
            (.creatinineClearance, ["creatinine clearance", "creatine clearance", "crcl", "egfr", "estimated glomerular filtration rate",
                "glomerular filtration rate", "gfr", "clairance de la creatinine", "dfg", "dfge"]),
            (.creatinine, ["serum creatinine", "creatinine", "creat", "creatininemie"]),
            (.bilirubin, ["total bilirubin", "serum bilirubin", "bilirubin", "tbili", "bilirubine", "bilirubine totale"]),
            (.alt, ["alt", "sgpt", "alanine aminotransferase", "alanine transaminase", "alat"]),
            (.ast, ["ast", "sgot", "aspartate aminotransferase", "aspartate transaminase", "asat"]),
            (.albumin, ["serum albumin", "albumin", "albumine"]),
            (.inr, ["inr", "international normalized ratio"]),
            (.lvef, ["left ventricular ejection fraction", "lvef", "ejection fraction", "ef", "fevg",
                "fraction d ejection"]),
            (.potassium, ["potassium", "serum potassium", "kaliemie"]),
            (.sodium, ["sodium", "serum sodium", "natremie"]),
            (.glucose, ["fasting plasma glucose", "fasting glucose", "blood glucose", "glucose", "fpg", "glycemie"]),
            (.ldl, ["ldl cholesterol", "ldl c", "ldl", "low density lipoprotein cholesterol"]),
            (.bmi, ["body mass index", "bmi", "imc", "indice de masse corporelle"]),
            (.cd4, ["cd4 count", "cd4 cell count", "cd4", "cd4 t cell count", "cd4+"]),
            (.viralLoad, ["viral load", "hiv rna", "hiv 1 rna", "charge virale"]),
            (.weight, ["body weight", "weight", "poids", "weighs", "weighing"]),
        ]
        var names: [(words: [String], analyte: Analyte)] = []
        for (analyte, spellings) in table {
            for spelling in spellings { names.append((spelling.split(separator: " ").map(String.init), analyte)) }
        }
        return names.sorted { $0.words.count > $1.words.count }
    }()

    /// ``names`` by their first word, longest first.
    static let namesByFirstWord: [String: [(words: [String], analyte: Analyte)]] = Dictionary(grouping: names, by: { $0.words[0] })

    /// The analyte named at `index` in `tokens` and how many tokens its name takes.
    static func named(in tokens: [ClinicalToken], at index: Int) -> (analyte: Analyte, length: Int)? {
        guard let first = tokens[index].word, let candidates = namesByFirstWord[first] else { return nil }
        for entry in candidates where index + entry.words.count <= tokens.count {
            var matches = true
            for (offset, word) in entry.words.enumerated() where tokens[index + offset].word != word {
                matches = false
                break
            }
            if matches { return (entry.analyte, entry.words.count) }
        }
        return nil
    }
}

/// A measured value in an analyte's canonical unit; `relativeToULN` when stated as a multiple of the upper
/// limit of normal (then it is compared only with thresholds stated the same way).
public struct Measurement: Sendable, Codable, Equatable {
    public var analyte: Analyte
    public var value: Double
    public var relativeToULN: Bool

    public init(analyte: Analyte, value: Double, relativeToULN: Bool = false) {
        self.analyte = analyte
        self.value = value
        self.relativeToULN = relativeToULN
    }
}

/// Unit conversion to the canonical units, from the tokens that follow a number.
enum Units {
    /// Reads the unit after a number (tokens from `index`) and returns the value in the analyte's canonical unit,
    /// whether it is a multiple of the upper limit of normal, and how many tokens the unit took.
    static func convert(
        _ value: Double, analyte: Analyte, tokens: [ClinicalToken], at index: Int
    ) -> (value: Double, relativeToULN: Bool, length: Int) {
        var words: [String] = []
        var look = index
        // Collect up to 7 unit tokens: words, "/", "^", "%", "×", numbers after "^" or "x 10".
        while look < tokens.count, look - index < 7 {
            switch tokens[look] {
            case .word(let word): words.append(word)
            case .symbol(let symbol) where ["/", "^", "%", "×"].contains(symbol): words.append(symbol)
            case .number(let number) where look > index && ["^", "x", "×"].contains(words.last ?? ""): words.append(String(Int(number)))
            case .number(let number) where number == 10 && look == index + 1 && ["x", "×"].contains(words.last ?? ""): words.append("10")
            default: look = tokens.count
            }
            look += 1
        }
        let unit = words.joined(separator: " ")
        func has(_ part: String) -> Bool { unit.hasPrefix(part) }
        let used = min(words.count, tokens.count - index)
        if has("x uln") || has("× uln") || has("times uln") || has("times the upper") || has("x the upper")
            || has("× the upper") || has("x upper") || has("uln") || has("fois la limite") || has("x lsn") || has("lsn")
            || has("times normal") || has("x normal") || has("× normal") || has("times the normal")
            || has("times upper") || has("fois la normale")
        {
            return (value, true, used)
        }
        switch analyte {
        case .hemoglobin, .albumin:
            if has("g / l") || has("g l") { return (value / 10, false, 3) }
            if has("mmol") && analyte == .hemoglobin { return (value * 1.611, false, 3) }
            if has("g / dl") || has("gm / dl") || has("g dl") { return (value, false, 3) }
            // A haemoglobin over 25 is in g/L.
            return (value > 25 ? value / 10 : value, false, 0)
        case .platelets, .neutrophils, .leukocytes, .lymphocytes:
            if has("x 10 ^ 9") || has("× 10 ^ 9") || has("x 10 9") || has("x10 ^ 9") || has("10 ^ 9") || has("g / l")
                || has("giga") || has("x 109")
            {
                return (value, false, min(used, 6))
            }
            if has("x 10 ^ 3") || has("× 10 ^ 3") || has("k /") || has("x 103") || has("10 ^ 3") { return (value, false, min(used, 6)) }
            if has("/ mm") || has("/ ul") || has("/ mul") || has("/ mcl") || has("cells /") || has("mm3") || has("/ microl") {
                return (value / 1000, false, min(used, 3))
            }
            // A count without unit: per microlitre when large ("platelets 150,000"), else ×10⁹/L.
            return (value >= 1000 ? value / 1000 : value, false, 0)
        case .creatinine:
            if has("umol") || has("mumol") || has("micromol") { return (value / 88.4, false, 3) }
            if has("mg / dl") || has("mg dl") { return (value, false, 3) }
            return (value > 20 ? value / 88.4 : value, false, 0)
        case .bilirubin:
            if has("umol") || has("mumol") || has("micromol") { return (value / 17.1, false, 3) }
            if has("mg / dl") || has("mg dl") { return (value, false, 3) }
            return (value, false, 0)
        case .glucose:
            if has("mmol") { return (value * 18.0, false, 3) }
            return (value, false, has("mg") ? 3 : 0)
        case .ldl:
            if has("mmol") { return (value * 38.67, false, 3) }
            return (value, false, has("mg") ? 3 : 0)
        case .hba1c:
            if has("mmol / mol") { return (value / 10.929 + 2.15, false, 3) }
            return (value, false, has("%") ? 1 : 0)
        case .lvef:
            return (value, false, has("%") ? 1 : 0)
        case .creatinineClearance:
            return (value, false, has("ml / min") ? min(used, 7) : 0)
        case .alt, .ast:
            return (value, false, has("u / l") || has("iu / l") ? 3 : 0)
        case .cd4:
            return (value, false, has("cells") || has("/ mm") || has("/ ul") ? min(used, 3) : 0)
        case .weight:
            if has("lb") || has("lbs") || has("pounds") { return (value * 0.4536, false, 1) }
            return (value, false, has("kg") ? 1 : 0)
        case .inr, .potassium, .sodium, .bmi, .viralLoad:
            return (value, false, 0)
        }
    }
}

/// A numeric constraint: lower and upper bounds, each inclusive or not.
public struct NumericRange: Sendable, Codable, Equatable, CustomStringConvertible {
    public var minimum: Double?
    public var minimumInclusive: Bool
    public var maximum: Double?
    public var maximumInclusive: Bool

    public init(minimum: Double? = nil, minimumInclusive: Bool = true, maximum: Double? = nil, maximumInclusive: Bool = true) {
        self.minimum = minimum
        self.minimumInclusive = minimumInclusive
        self.maximum = maximum
        self.maximumInclusive = maximumInclusive
    }

    public func contains(_ value: Double) -> Bool {
        if let minimum, minimumInclusive ? value < minimum : value <= minimum { return false }
        if let maximum, maximumInclusive ? value > maximum : value >= maximum { return false }
        return true
    }

    public var description: String {
        func format(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
        switch (minimum, maximum) {
        case (let low?, let high?): return "\(format(low))–\(format(high))"
        case (let low?, nil): return (minimumInclusive ? "≥ " : "> ") + format(low)
        case (nil, let high?): return (maximumInclusive ? "≤ " : "< ") + format(high)
        case (nil, nil): return "any"
        }
    }
}

/// Reading comparisons ("≥ 18", "at least 1.5", "between 18 and 75", "0-2", "18 years or older") from tokens.
enum Comparisons {
    enum Direction { case atLeast, moreThan, atMost, lessThan }

    /// Comparison words before a number, folded, longest first.
    static let before: [([String], Direction)] = [
        (["greater", "than", "or", "equal", "to"], .atLeast), (["more", "than", "or", "equal", "to"], .atLeast),
        (["less", "than", "or", "equal", "to"], .atMost), (["superieur", "ou", "egal", "a"], .atLeast),
        (["inferieur", "ou", "egal", "a"], .atMost), (["no", "greater", "than"], .atMost),
        (["not", "greater", "than"], .atMost), (["no", "higher", "than"], .atMost), (["not", "higher", "than"], .atMost),
        (["no", "older", "than"], .atMost), (["not", "older", "than"], .atMost), (["not", "less", "than"], .atLeast),
        (["no", "lower", "than"], .atLeast), (["no", "younger", "than"], .atLeast), (["birth", "to"], .atMost),
        (["at", "least"], .atLeast), (["no", "less", "than"], .atLeast),
        (["no", "more", "than"], .atMost), (["not", "more", "than"], .atMost), (["not", "exceeding"], .atMost),
        (["greater", "than"], .moreThan), (["more", "than"], .moreThan), (["higher", "than"], .moreThan),
        (["older", "than"], .moreThan), (["less", "than"], .lessThan), (["lower", "than"], .lessThan),
        (["younger", "than"], .lessThan), (["less", "then"], .lessThan), (["more", "then"], .moreThan), (["up", "to"], .atMost), (["au", "moins"], .atLeast),
        (["plus", "de"], .moreThan), (["moins", "de"], .lessThan), (["superieur", "a"], .moreThan),
        (["inferieur", "a"], .lessThan), (["minimum"], .atLeast), (["maximum"], .atMost), (["over"], .moreThan),
        (["above"], .moreThan), (["under"], .lessThan), (["below"], .lessThan), (["exceeding"], .moreThan),
        (["exceeds"], .moreThan), (["min"], .atLeast), (["max"], .atMost), (["within"], .atMost), (["from"], .atLeast), (["des"], .atLeast), (["starting", "at"], .atLeast),
    ]

    /// Comparison words after a number ("18 years or older"), folded.
    static let after: [([String], Direction)] = [
        (["or", "older"], .atLeast), (["or", "over"], .atLeast), (["and", "older"], .atLeast), (["and", "over"], .atLeast),
        (["or", "more"], .atLeast), (["or", "greater"], .atLeast), (["or", "higher"], .atLeast), (["or", "above"], .atLeast),
        (["and", "above"], .atLeast), (["or", "younger"], .atMost), (["or", "less"], .atMost), (["or", "lower"], .atMost),
        (["or", "below"], .atMost), (["and", "under"], .atMost), (["and", "younger"], .atMost), (["ou", "plus"], .atLeast),
        (["et", "plus"], .atLeast), (["ou", "moins"], .atMost), (["and", "below"], .atMost), (["or", "fewer"], .atMost),
    ]

    /// The range stated around the first number of `tokens[start..<end]`, and that number's index; `nil` when
    /// there is no number. A number with no comparison is an exact value (minimum = maximum).
    static func range(in tokens: [ClinicalToken], from start: Int, to end: Int) -> (range: NumericRange, numberIndex: Int)? {
        var index = start
        while index < end {
            guard let value = tokens[index].number else { index += 1; continue }
            // Sign before the number.
            var direction: Direction?
            if index > start, case .symbol(let symbol) = tokens[index - 1] {
                direction = switch symbol {
                case "≥": .atLeast
                case ">": .moreThan
                case "≤": .atMost
                case "<": .lessThan
                default: nil
                }
            }
            // A second number: "18 - 75", "18 to 75", "between 18 and 75", "0, 1 or 2", "0 ou 1".
            var look = index + 1
            while look < end, let word = tokens[look].word, unitWords.contains(word) { look += 1 }
            if direction == nil, look < end {
                // The first token of a second number: after a joiner, or the next item of a list ("0, 1 or 2").
                var other: Int?
                switch tokens[look] {
                case .symbol("-"): other = look + 1
                case .word(let word) where ["to", "and", "or", "a", "et", "ou", "through"].contains(word): other = look + 1
                case .number: other = look
                default: other = nil
                }
                if var other, other < end, tokens[other].number != nil {
                    while other + 1 < end {
                        if tokens[other + 1].number != nil {
                            other += 1
                        } else if other + 2 < end, ["or", "and", "ou", "et"].contains(tokens[other + 1].word ?? ""),
                            tokens[other + 2].number != nil
                        {
                            other += 2
                        } else {
                            break
                        }
                    }
                    if let high = tokens[other].number, high >= value {
                        return (NumericRange(minimum: value, maximum: high), index)
                    }
                }
            }
            if direction == nil {
                direction = phrase(before, endingAt: index, in: tokens, from: start)
            }
            // "18 years or older", "4.9 mEq/L or higher": the phrase after the number and its unit.
            var probe = look
            while direction == nil, probe < end, probe < look + 6 {
                direction = phrase(after, startingAt: probe, in: tokens, end: end)
                switch tokens[probe] {
                case .word(let word) where !["or", "and", "ou", "et"].contains(word): probe += 1
                case .symbol(let symbol) where ["/", "^", "%", "×"].contains(symbol): probe += 1
                case .number where probe > index + 1: probe += 1
                default: probe = end
                }
            }
            guard let direction else { return (NumericRange(minimum: value, maximum: value), index) }
            switch direction {
            case .atLeast: return (NumericRange(minimum: value), index)
            case .moreThan: return (NumericRange(minimum: value, minimumInclusive: false), index)
            case .atMost: return (NumericRange(maximum: value), index)
            case .lessThan: return (NumericRange(maximum: value, maximumInclusive: false), index)
            }
        }
        return nil
    }

    /// Words that may sit between a number and a comparison phrase or a second number.
    static let unitWords: Set<String> = [
        "years", "year", "yrs", "yr", "y", "ans", "an", "old", "of", "age", "months", "mois", "weeks", "days", "kg", "m2",
    ]

    private static func phrase(_ phrases: [([String], Direction)], endingAt index: Int, in tokens: [ClinicalToken], from start: Int) -> Direction? {
        // Allow "of", "is", "was", ":" and "=" between the phrase and the number.
        var end = index
        while end > start, let word = tokens[end - 1].word, ["of", "is", "was", "be", "de", "a"].contains(word) { end -= 1 }
        if end > start, tokens[end - 1] == .symbol("=") { end -= 1 }
        // One other word may stand between: "less than physiologic 65".
        for gap in 0...1 {
            for (words, direction) in phrases where end - gap - words.count >= start {
                let slice = tokens[(end - gap - words.count)..<(end - gap)]
                if zip(words, slice).allSatisfy({ $0 == $1.word }) { return direction }
            }
        }
        return nil
    }

    private static func phrase(_ phrases: [([String], Direction)], startingAt index: Int, in tokens: [ClinicalToken], end: Int) -> Direction? {
        for (words, direction) in phrases where index + words.count <= end {
            if zip(words, tokens[index..<(index + words.count)]).allSatisfy({ $0 == $1.word }) { return direction }
        }
        return nil
    }
}
