import Foundation

/// Eligibility criteria text split into single criteria, for display and for matching.
///
/// Registrations write criteria as free text with headings ("Inclusion Criteria:", "Key Exclusion Criteria",
/// "Critères d'inclusion") and bullets. The rules, in order:
/// 1. **Sections** come from headings (case and accents ignored; "Key", "Main", "Major" allowed; colon optional).
///    Text before any heading is in ``Section/other``.
/// 2. **Items**: every bulleted (`*`, `-`, `•`, `·`, `–`, `o `) or numbered (`1.`, `1)`, `(1)`, `a.`, `a)`, `(a)`,
///    `i.`, `ii)`) line starts one criterion; a following line without a marker that starts with a lower-case
///    letter, with no blank line between, continues it.
/// 3. **Lead-ins**: an item ending with ":" directly followed by deeper items (more indented, or marked
///    differently) is not a criterion itself; each deeper item becomes a criterion with the lead-in as its
///    ``Item/context`` ("Adequate organ function defined as:" + "ANC ≥ 1.5 × 10⁹/L").
/// 4. In a section without markers, each line or paragraph is one criterion.
/// 5. ClinicalTrials.gov's Markdown escapes (`\<`, `\>`, `\*`, …) are removed.
/// 6. An item that opens with a heading of the NCI (PDQ) template and runs several together ("PATIENT
///    CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-2") is split, one item per heading.
public struct CriteriaText: Sendable, Equatable {
    /// Where a criterion sits.
    public enum Section: String, Sendable, Codable, CaseIterable {
        case inclusion, exclusion, other
    }

    /// One criterion as written.
    public struct Item: Sendable, Equatable {
        public var section: Section
        /// The criterion without its bullet or number.
        public var text: String
        /// The lead-in the item completes, when it is one of a list under such a sentence.
        public var context: String?

        public init(section: Section, text: String, context: String? = nil) {
            self.section = section
            self.text = text
            self.context = context
        }

        /// The text to show on its own: the lead-in (if any) followed by the item.
        public var display: String { context.map { "\($0) \(text)" } ?? text }
    }

    /// Every criterion, in the order written.
    public var items: [Item]

    /// Criteria under an inclusion heading, as shown.
    public var inclusion: [String] { items.filter { $0.section == .inclusion }.map(\.display) }
    /// Criteria under an exclusion heading, as shown.
    public var exclusion: [String] { items.filter { $0.section == .exclusion }.map(\.display) }
    /// Criteria before any heading (all of them when the text has no heading), as shown.
    public var other: [String] { items.filter { $0.section == .other }.map(\.display) }

    /// How a line is marked, to tell sub-lists from their parent list.
    enum Marker: Equatable {
        case none
        case bullet(Character)
        case number
        case letter
        case roman
    }

    /// An item being built, with where and how it was marked.
    private struct Open {
        var item: Item
        var indent: Int
        var marker: Marker
    }

    /// A lead-in whose sub-list is still open.
    private struct LeadIn {
        var text: String
        var indent: Int
        var marker: Marker
    }

    public init(_ text: String) {
        var items: [Item] = []
        var section = Section.other
        var previousBlank = true
        var open: Open?
        var leadIns: [LeadIn] = []

        func close() {
            if let current = open { items.append(current.item) }
            open = nil
        }
        func start(_ body: String, indent: Int, marker: Marker) {
            var marker = marker
            // "i." after "h." is a letter, not a roman numeral.
            if marker == .roman, body.count > 0, let current = open, current.marker == .letter, current.indent == indent {
                marker = .letter
            }
            // The open item becomes a lead-in when it ends with ":" and this item is deeper than it.
            if let current = open, current.item.text.hasSuffix(":"),
                Self.isDeeper(indent: indent, marker: marker, than: current.indent, current.marker)
            {
                leadIns.append(LeadIn(text: current.item.display, indent: current.indent, marker: current.marker))
                open = nil
            } else {
                close()
            }
            while let last = leadIns.last, !Self.isDeeper(indent: indent, marker: marker, than: last.indent, last.marker) {
                leadIns.removeLast()
            }
            open = Open(
                item: Item(section: section, text: body, context: leadIns.last?.text), indent: indent, marker: marker)
        }

        for rawLine in Self.unescaped(text).split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = rawLine.prefix { $0 == " " || $0 == "\t" }.count
            let line = rawLine.trimmed
            if line.isEmpty {
                previousBlank = true
                continue
            }
            defer { previousBlank = false }
            let marked = Self.marked(line)
            if let heading = Self.heading(marked?.text ?? line) {
                close()
                leadIns.removeAll()
                section = heading.isInclusion ? .inclusion : .exclusion
                if !heading.rest.isEmpty { start(heading.rest, indent: indent, marker: .none) }
                continue
            }
            if let marked {
                start(marked.text, indent: indent, marker: marked.marker)
            } else if !previousBlank, open != nil, line.first?.isLowercase ?? false {
                open!.item.text += " " + line
            } else {
                start(line, indent: indent, marker: .none)
            }
        }
        close()
        self.items = items.flatMap(Self.splitRunOnHeadings).filter { !Self.isFiller($0.text) }
    }

    /// Headings of the NCI (PDQ) template used by many older registrations: "DISEASE CHARACTERISTICS:",
    /// "PATIENT CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-2 Hepatic: …".
    static let runOnSections = ["DISEASE CHARACTERISTICS:", "PATIENT CHARACTERISTICS:", "PRIOR CONCURRENT THERAPY:",
        "PROTOCOL ENTRY CRITERIA:"]
    static let runOnLabels = runOnSections + ["Age:", "Sex:", "Menopausal status:", "Performance status:",
        "Life expectancy:", "Hematopoietic:", "Hepatic:", "Renal:", "Cardiovascular:", "Pulmonary:", "Neurologic:",
        "Gastrointestinal:", "Immunologic:", "Other:", "Biologic therapy:", "Chemotherapy:", "Endocrine therapy:",
        "Radiotherapy:", "Surgery:", "Other therapy:"]

    /// An item that opens with a PDQ heading and runs two or more of them together ("PATIENT CHARACTERISTICS:
    /// Age: 18 and over Performance status: ECOG 0-2") becomes one item per heading, each heading kept as the
    /// item's context ("PATIENT CHARACTERISTICS: Age:" + "18 and over"). Any other item is returned as it is.
    static func splitRunOnHeadings(_ item: Item) -> [Item] {
        let text = item.text
        var starts: [(range: Range<String.Index>, label: String)] = []
        for label in runOnLabels {
            var from = text.startIndex
            while let range = text.range(of: label, range: from..<text.endIndex) {
                if range.lowerBound == text.startIndex || text[text.index(before: range.lowerBound)] == " " {
                    starts.append((range, label))
                }
                from = range.upperBound
            }
        }
        starts.sort { $0.range.lowerBound < $1.range.lowerBound }
        // "Other therapy:" also contains no "Other:"; "Endocrine therapy:" no "Age:": labels never overlap.
        guard starts.count >= 2, starts[0].range.lowerBound == text.startIndex else { return [item] }
        var result: [Item] = []
        var section = item.context
        for (offset, start) in starts.enumerated() {
            let end = offset + 1 < starts.count ? starts[offset + 1].range.lowerBound : text.endIndex
            let body = String(text[start.range.upperBound..<end]).trimmed
            if runOnSections.contains(start.label) {
                section = [item.context, start.label].compactMap { $0 }.joined(separator: " ")
                if !body.isEmpty { result.append(Item(section: item.section, text: body, context: section)) }
            } else if !body.isEmpty {
                let context = [section, start.label].compactMap { $0 }.joined(separator: " ")
                result.append(Item(section: item.section, text: body, context: context))
            }
        }
        return result.isEmpty ? [item] : result
    }

    /// Whether an item at (`indent`, `marker`) belongs under a lead-in at (`parentIndent`, `parentMarker`).
    private static func isDeeper(indent: Int, marker: Marker, than parentIndent: Int, _ parentMarker: Marker) -> Bool {
        indent > parentIndent || (indent == parentIndent && marker != parentMarker)
    }

    /// Lines that hold no criterion ("Not applicable", "N/A", "None").
    private static func isFiller(_ text: String) -> Bool {
        let folded = text.lowercased().trimmingCharacters(in: .init(charactersIn: ".: "))
        return folded.isEmpty || ["n/a", "na", "none", "not applicable", "sans objet", "aucun"].contains(folded)
    }

    /// Drops ClinicalTrials.gov's Markdown escapes: a backslash before punctuation.
    static func unescaped(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        result.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        var pending: Character?
        while let character = pending ?? iterator.next() {
            pending = nil
            if character == "\\", let next = iterator.next() {
                if next.isPunctuation || next.isSymbol {
                    result.append(next)
                } else {
                    result.append(character)
                    pending = next
                }
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// A heading line: whether it opens inclusion or exclusion, and any text after its colon.
    private static func heading(_ line: String) -> (isInclusion: Bool, rest: String)? {
        let folded = line.lowercased()
            .replacingOccurrences(of: "è", with: "e").replacingOccurrences(of: "é", with: "e")
            .replacingOccurrences(of: "’", with: "'")
        let colon = folded.firstIndex(of: ":")
        var head = (colon.map { String(folded[..<$0]) } ?? folded).trimmed
        guard head.count <= 60 else { return nil }
        for prefix in ["key ", "main ", "major ", "general ", "principal "] where head.hasPrefix(prefix) {
            head.removeFirst(prefix.count)
        }
        func opens(_ word: String) -> Bool {
            head.hasPrefix("\(word) criteri") || head == word || head.hasPrefix("criteres d'\(word)")
                || head.hasPrefix("critere d'\(word)") || head.hasPrefix("\(word)s criteri")
                || head.hasPrefix("criteria for \(word)") || head == "\(word)s"
        }
        let isInclusion = opens("inclusion")
        let isExclusion = opens("exclusion")
        guard isInclusion != isExclusion else { return nil }
        var rest = ""
        if let colon = line.firstIndex(of: ":") {
            rest = String(line[line.index(after: colon)...]).trimmed
        }
        return (isInclusion, rest)
    }

    /// The marker of a line and its text without it.
    static func marked(_ line: String) -> (marker: Marker, text: String)? {
        let characters = Array(line)
        guard let first = characters.first else { return nil }
        if "*-•·–▪◦●○".contains(first) {
            let text = String(characters.dropFirst()).trimmed
            return text.isEmpty ? nil : (.bullet(first), text)
        }
        if first == "o", characters.count > 2, characters[1] == " " {
            return (.bullet("o"), String(characters.dropFirst(2)).trimmed)
        }
        // "(1)", "(a)", "(iv)"
        var index = 0
        let parenthesised = first == "("
        if parenthesised { index = 1 }
        var end = index
        while end < characters.count, end - index < 4, characters[end].isLetter || characters[end].isNumber { end += 1 }
        guard end > index, end < characters.count else { return nil }
        let label = String(characters[index..<end])
        let closing = characters[end]
        let closes = parenthesised ? closing == ")" : (closing == "." || closing == ")")
        guard closes, end + 1 < characters.count, characters[end + 1] == " " else { return nil }
        let marker: Marker
        if label.allSatisfy(\.isNumber) {
            marker = .number
        } else if label.count <= 4, label.allSatisfy({ "ivx".contains($0) }) {
            marker = .roman
        } else if label.count == 1, let letter = label.first, letter.isLetter, letter.isLowercase || parenthesised {
            marker = .letter
        } else {
            return nil
        }
        let text = String(characters[(end + 1)...]).trimmed
        return text.isEmpty ? nil : (marker, text)
    }
}
