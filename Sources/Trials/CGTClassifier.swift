/// Classifies a trial among cell and gene therapies from its interventions, titles, conditions and keywords.
///
/// Deterministic and rule based (``rules``); the rules and their precedence are documented in docs/CGT.md.
/// Eligibility criteria and summaries are never read, so a study that only excludes "prior CAR-T therapy" is not
/// a CAR-T study. Phrases preceded by words such as "after", "following" or "recipients" (a supportive-care study
/// for CAR-T or transplant recipients) or followed by words such as "lymphoma", "mobilization" or "patients" do not
/// count.
public enum CGTClassifier {
    /// Classifies one trial. Pure and thread-safe; about 15 µs per trial in a release build.
    public static func classify(_ trial: Trial) -> CGTClassification {
        var scan = Scan()
        for intervention in trial.interventions {
            let before = scan.categoryHits
            scan.read(intervention.name, as: .interventionName)
            for name in intervention.otherNames { scan.read(name, as: .interventionName) }
            if let description = intervention.description {
                let cellular = !nonCellularTypes.contains(intervention.type)
                scan.read(description, as: cellular ? .interventionDescription : .drugDescription)
            }
            if scan.categoryHits == before, intervention.type != .behavioral, intervention.type != .procedure,
                intervention.type != .radiation, intervention.type != .device, isProductCode(intervention.name)
            {
                scan.hasUncharacterisedProduct = true
            }
        }
        for term in trial.interventionMeshTerms { scan.read(term, as: .interventionMesh) }
        scan.read(trial.briefTitle, as: .title)
        if let title = trial.officialTitle { scan.read(title, as: .title) }
        if let acronym = trial.acronym { scan.read(acronym, as: .title) }
        for condition in trial.conditions { scan.read(condition, as: .condition) }
        for keyword in trial.keywords { scan.read(keyword, as: .keyword) }
        for term in trial.conditionMeshTerms { scan.read(term, as: .conditionMesh) }
        return scan.result()
    }

    /// Whether a name looks like a development code ("CT1182", "KLN-1010", "SAR445419"), not a drug name, a dose
    /// or "IL-3": a token of five or more characters mixing letters and digits, or a token of two to five letters
    /// followed by one of three or more digits.
    static func isProductCode(_ name: String) -> Bool {
        let tokens = CGTTokens(name)
        var previousWasLetters = false
        for range in tokens.ranges {
            let token = tokens.bytes[range]
            let digits = token.count { $0 >= 0x30 && $0 <= 0x39 }
            if digits > 0 && digits < token.count && token.count >= 5 { return true }
            if digits == token.count && digits >= 3 && previousWasLetters { return true }
            previousWasLetters = digits == 0 && (2...5).contains(token.count)
        }
        return false
    }

    /// Most specific first: the order of ``CGTClassification/types`` and the choice of its `primary`.
    public static let precedence: [CGTType] = [
        .carT, .geneEditing, .otherTCell, .nkOrOtherImmuneCell, .exVivoGeneModifiedCells, .oncolyticVirus,
        .inVivoGeneTherapy, .rnaOrAntisense, .stemCell,
    ]

    private static let index = CGTPhraseIndex(rules.map(\.phrase))
    private static let nonCellularTypes: Set<InterventionType> = [
        .drug, .dietarySupplement, .radiation, .behavioral, .device, .diagnosticTest,
    ]

    private static func hashes(_ words: [String]) -> Set<UInt64> { Set(words.map(CGTTokens.hash)) }
    private static let prior = CGTTokens.hash("prior")
    private static let to = CGTTokens.hash("to")

    /// Where a phrase was found; decides its weight and which context words cancel it.
    enum Field: String {
        case interventionName = "intervention"
        case interventionDescription = "intervention description"
        /// The description of a drug, device or other non-cellular intervention: a transplant it mentions is the
        /// setting of the protocol, not the intervention, so stem-cell phrases are not read there.
        case drugDescription = "drug description"
        case interventionMesh = "intervention MeSH"
        case title
        case condition
        case keyword
        /// Read only for the infectious-disease marker.
        case conditionMesh = "condition MeSH"

        var isIntervention: Bool {
            self == .interventionName || self == .interventionDescription || self == .drugDescription
                || self == .interventionMesh
        }

        var isDescription: Bool { self == .interventionDescription || self == .drugDescription }

        /// Conditions and keywords count only for an otherwise uncharacterised coded product (e.g. "CT1182").
        var isWeak: Bool { self == .condition || self == .keyword || self == .conditionMesh }
    }

    /// Words that, up to ten tokens before a phrase in a title, condition or keyword (titles list several
    /// procedures: "Patients Undergoing Peripheral Blood Stem Cell or Bone Marrow Transplantation"), mean the
    /// study is about people before, after or instead of the therapy, or about collecting cells, rather than
    /// about the therapy itself.
    private static let freeTextNegators: Set<UInt64> = hashes([
        "after", "following", "post", "prior", "previous", "previously", "received", "receiving", "undergoing",
        "underwent", "undergone", "recipients", "recipient", "candidates", "candidate", "eligible", "ineligible",
        "failed", "failing", "failure", "history", "excluded", "excluding", "awaiting", "before", "bridge",
        "bridging", "ahead", "prehab", "prehabilitation", "collection", "apheresis", "mobilization", "mobilizing",
        "mobilisation", "mobilize", "mobilise", "harvest", "harvesting",
    ])
    private static let freeTextWindow = 10
    /// Words that end the reach of a negator when scanning back from a phrase ("After ASCT … Followed by
    /// Adoptive Transfer of T Cells").
    private static let negationBreakers: Set<UInt64> = hashes([
        "followed", "then", "plus", "versus", "vs", "compared", "study", "trial",
    ])
    /// The narrower set used up to three tokens before a phrase in intervention text, where "patients receiving X"
    /// describes the arm itself; there "prior" counts unless followed by "to".
    private static let interventionNegators: Set<UInt64> = hashes([
        "after", "following", "post", "prior", "previous", "previously", "failed", "failure", "history",
        "excluded", "excluding", "ineligible", "recipients", "recipient",
    ])
    /// Verbs of mechanism in intervention descriptions ("binds CD3 on T cells", "activates dendritic cells").
    private static let mechanismWords: Set<UInt64> = hashes([
        "activates", "activate", "activating", "activation", "stimulates", "stimulate", "stimulating",
        "stimulation", "binds", "binding", "engages", "engaging", "redirects", "redirecting", "recruits",
        "recruiting", "depletes", "depleting", "depletion", "inhibits", "inhibiting", "enhances", "enhancing",
        "modulates", "mobilizes", "mobilize", "mobilizing", "mobilization", "boosts", "increases",
    ])
    /// Words right after a phrase (past "cell", "transplant" and the like) that make it a disease, a measurement,
    /// a setting or the cause of an adverse event ("CAR T cell related"), not a therapy.
    private static let stopNext: Set<UInt64> = hashes([
        "lymphoma", "lymphomas", "leukemia", "leukemias", "leukaemia", "neoplasm", "neoplasms", "neoplasia",
        "activity", "activities", "function", "functions", "count", "counts", "subset", "subsets", "depletion",
        "depleted", "deficiency", "deficient", "exhaustion", "reconstitution", "recovery", "response", "responses",
        "engager", "engagers", "line", "lines", "phenotype", "phenotyping", "level", "levels", "number", "numbers",
        "infection", "infections", "infected", "disease", "diseases", "syndrome", "expression", "profiling",
        "profile", "signature", "signatures", "monitoring", "dysfunction", "conjunctivitis", "keratoconjunctivitis",
        "pneumonia", "hepatitis", "opacities", "epidemiology", "stimulatory", "naive", "donor", "donors", "bank",
        "banking", "registry", "clinic", "center", "centre", "unit", "units", "ward", "program", "programme",
        "survivors", "survivorship", "patients", "patient", "population", "setting", "team", "complications",
        "complication", "candidates", "eligible", "ineligible", "related", "associated", "induced",
    ])
    /// Tokens skipped before applying ``stopNext`` ("stem cell transplant unit", "NK cell lymphoma").
    private static let stopNextFiller: Set<UInt64> = hashes([
        "cell", "cells", "transplant", "transplants", "transplantation", "therapy", "therapies", "t", "infusion",
        "infusions",
    ])
    /// Words up to four tokens after a phrase that make it the cause of an adverse event, a measurement, a
    /// collection procedure or a population.
    private static let stopNear: Set<UInt64> = hashes([
        "toxicity", "toxicities", "crs", "icans", "neurotoxicity", "biomarker", "biomarkers", "marker", "markers",
        "predictive", "prognostic", "cytometry", "assay", "assays", "analysis", "measurement", "quantification",
        "staining", "recipients", "recipient", "mobilization", "mobilisation", "mobilizing", "collection", "harvest",
        "harvesting", "apheresis",
    ])

    /// One phrase that counted.
    private struct Hit {
        var rule: Int
        var field: Field
        var evidence: String
    }

    private struct Scan {
        var hits: [Hit] = []
        /// Number of category-bearing hits so far (to spot interventions that matched nothing).
        var categoryHits = 0
        var hasUncharacterisedProduct = false
        var hasVaccine = false
        var hasInfection = false

        mutating func read(_ text: String, as field: Field) {
            let tokens = CGTTokens(text)
            guard tokens.count > 0 else { return }
            var matches = index.matches(in: tokens)
            guard !matches.isEmpty else { return }
            // Longest match wins where phrases overlap, so a block phrase masks what it contains; between equal
            // spans a block wins, then a whole word over an INN stem ("sipuleucel" over "*leucel").
            matches.sort { a, b in
                if a.range.lowerBound != b.range.lowerBound { return a.range.lowerBound < b.range.lowerBound }
                if a.range.count != b.range.count { return a.range.count > b.range.count }
                let aBlocks = rules[a.phrase].signals == [.block]
                if aBlocks != (rules[b.phrase].signals == [.block]) { return aBlocks }
                let aIsStem = rules[a.phrase].phrase.hasPrefix("*")
                if aIsStem != rules[b.phrase].phrase.hasPrefix("*") { return !aIsStem }
                return a.phrase < b.phrase
            }
            var end = 0
            for match in matches where match.range.lowerBound >= end {
                end = match.range.upperBound
                let rule = rules[match.phrase]
                if rule.signals == [.block] { continue }
                if rule.signals.contains(.vaccine) {
                    if field == .title || field.isIntervention { hasVaccine = true }
                    continue
                }
                if rule.signals.contains(.infectiousDisease) {
                    hasInfection = true
                    continue
                }
                if field == .conditionMesh { continue }
                if field == .drugDescription && rule.signals == [.type(.stemCell)] { continue }
                if rule.interventionsOnly && field != .interventionName && field != .interventionMesh { continue }
                if field != .interventionMesh && isCancelled(match.range, in: tokens, field: field) { continue }
                let phrase = tokens.text(match.range)
                hits.append(Hit(rule: match.phrase, field: field, evidence: "\(field.rawValue): \(phrase)"))
                if rule.signals != [.vectorOnly] && rule.signals != [.exVivoHint] { categoryHits += 1 }
            }
        }

        private func isCancelled(_ range: Range<Int>, in tokens: CGTTokens, field: Field) -> Bool {
            let negators = field.isIntervention ? interventionNegators : freeTextNegators
            let window = field.isIntervention ? 3 : freeTextWindow
            let words = tokens.hashes
            for position in (max(0, range.lowerBound - window)..<range.lowerBound).reversed() {
                let word = words[position]
                if negationBreakers.contains(word) { break }
                if negators.contains(word) {
                    if field.isIntervention, word == prior, position + 1 < tokens.count, words[position + 1] == to {
                        continue
                    }
                    return true
                }
                if field.isDescription && mechanismWords.contains(word) { return true }
            }
            var next = range.upperBound
            while next < min(tokens.count, range.upperBound + 2) && stopNextFiller.contains(words[next]) {
                next += 1
            }
            if next < tokens.count && stopNext.contains(words[next]) { return true }
            for position in range.upperBound..<min(tokens.count, range.upperBound + 4)
            where stopNear.contains(words[position]) {
                return true
            }
            return false
        }

        func result() -> CGTClassification {
            let infectiousVaccine = hasVaccine && hasInfection
            var types: Set<CGTType> = []
            var genericCAR = false
            var genericTCell = false
            var geneTransfer = false
            var exVivoTransfer = false
            var exVivoHint = false
            var donorLymphocytes = false
            var otherTCells = false
            var counted: [Hit] = []
            for hit in hits {
                let rule = rules[hit.rule]
                if rule.signals == [.exVivoHint] {
                    exVivoHint = true
                    continue
                }
                if hit.field.isWeak && !hasUncharacterisedProduct { continue }
                if infectiousVaccine && rule.signals.contains(where: isDroppedForVaccines) { continue }
                counted.append(hit)
                if rule.signals.contains(.type(.otherTCell)) || rule.signals.contains(.genericTCell) {
                    if rule.signals.contains(.transplantAdjunct) { donorLymphocytes = true } else { otherTCells = true }
                }
                for signal in rule.signals {
                    switch signal {
                    case .type(let type): types.insert(type)
                    case .genericCAR: genericCAR = true
                    case .genericTCell: genericTCell = true
                    case .geneTransfer: geneTransfer = true
                    case .exVivoTransfer: exVivoTransfer = true
                    case .vectorOnly, .block, .vaccine, .infectiousDisease, .exVivoHint, .transplantAdjunct: break
                    }
                }
            }
            if genericCAR && !types.contains(.nkOrOtherImmuneCell) { types.insert(.carT) }
            if genericTCell && !types.contains(.carT) { types.insert(.otherTCell) }
            let engineeredElsewhere = !types.isDisjoint(with: [.carT, .geneEditing])
            if exVivoTransfer && !engineeredElsewhere { types.insert(.exVivoGeneModifiedCells) }
            let placed = !types.isDisjoint(with: [.exVivoGeneModifiedCells, .oncolyticVirus, .inVivoGeneTherapy])
            if geneTransfer && !engineeredElsewhere && !placed {
                let intoCells = exVivoHint || !types.isDisjoint(with: [.otherTCell, .nkOrOtherImmuneCell, .stemCell])
                types.insert(intoCells ? .exVivoGeneModifiedCells : .inVivoGeneTherapy)
            }
            guard !types.isEmpty else { return .notCGT }
            var ordered = precedence.filter(types.contains)
            if ordered[0] == .otherTCell && donorLymphocytes && !otherTCells && types.contains(.stemCell) {
                ordered.removeAll { $0 == .stemCell }
                ordered.insert(.stemCell, at: 0)
            }
            let vector = chooseVector(counted)
            var evidence: [String] = []
            for hit in counted where !evidence.contains(hit.evidence) {
                if types.contains(.carT) && rules[hit.rule].signals.contains(.genericTCell) { continue }
                evidence.append(hit.evidence)
            }
            return CGTClassification(
                primary: ordered[0], types: ordered, vector: vector, containmentLevel: vector?.containmentLevel,
                evidence: evidence)
        }

        /// RNA and in-vivo gene-transfer signals of a vaccine against an infection (see docs/CGT.md).
        private func isDroppedForVaccines(_ signal: CGTSignal) -> Bool {
            switch signal {
            case .type(.rnaOrAntisense), .type(.inVivoGeneTherapy), .geneTransfer, .vectorOnly: true
            default: false
            }
        }

        /// The vector named in intervention text if any, else in titles; the highest containment level wins,
        /// then the first named.
        private func chooseVector(_ counted: [Hit]) -> VectorType? {
            var best: (vector: VectorType, rank: Int)?
            for hit in counted {
                guard let vector = rules[hit.rule].vector else { continue }
                let rank = (hit.field.isIntervention ? 100 : 0) + vector.containmentLevel.rawValue
                if let current = best, current.rank >= rank { continue }
                best = (vector, rank)
            }
            return best?.vector
        }
    }
}
