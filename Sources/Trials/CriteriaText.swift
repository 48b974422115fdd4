/// Eligibility criteria text split into inclusion and exclusion items, for display. Registrations write criteria
/// as free text with headings ("Inclusion Criteria:", "Key Exclusion Criteria", "Critères d'inclusion") and bullets
/// (`*`, `-`, `•`, `1.`, `a)`); this reads those conventions and keeps everything else as it is.
public struct CriteriaText: Sendable, Equatable {
    /// Items under an inclusion heading.
    public var inclusion: [String]
    /// Items under an exclusion heading.
    public var exclusion: [String]
    /// Items before any heading, or all items when the text has no heading.
    public var other: [String]

    public init(_ text: String) {
        var inclusion: [String] = []
        var exclusion: [String] = []
        var other: [String] = []
        enum Section { case none, inclusion, exclusion }
        var section = Section.none
        var previousBlank = true
        func append(_ item: String, continuing: Bool) {
            switch section {
            case .none: Self.add(item, to: &other, continuing: continuing)
            case .inclusion: Self.add(item, to: &inclusion, continuing: continuing)
            case .exclusion: Self.add(item, to: &exclusion, continuing: continuing)
            }
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmed
            if line.isEmpty {
                previousBlank = true
                continue
            }
            defer { previousBlank = false }
            if let heading = Self.heading(line) {
                section = heading.isInclusion ? .inclusion : .exclusion
                if !heading.rest.isEmpty { append(heading.rest, continuing: false) }
                continue
            }
            if let item = Self.bulletItem(line) {
                append(item, continuing: false)
            } else {
                let continuing = !previousBlank && (line.first?.isLowercase ?? false)
                append(line, continuing: continuing)
            }
        }
        self.inclusion = inclusion
        self.exclusion = exclusion
        self.other = other
    }

    private static func add(_ item: String, to list: inout [String], continuing: Bool) {
        if continuing, let last = list.popLast() {
            list.append(last + " " + item)
        } else {
            list.append(item)
        }
    }

    /// A heading line: whether it opens inclusion or exclusion, and any text after its colon.
    private static func heading(_ line: String) -> (isInclusion: Bool, rest: String)? {
        let folded = line.lowercased()
            .replacingOccurrences(of: "è", with: "e").replacingOccurrences(of: "é", with: "e")
            .replacingOccurrences(of: "’", with: "'")
        let colon = folded.firstIndex(of: ":")
        let head = colon.map { String(folded[..<$0]) } ?? folded
        guard head.count <= 60 else { return nil }
        let isInclusion = head.contains("inclusion criteria") || head.contains("criteres d'inclusion")
            || head.contains("inclusion criterion") || head == "inclusion" || head == "key inclusion"
        let isExclusion = head.contains("exclusion criteria") || head.contains("criteres d'exclusion")
            || head.contains("exclusion criterion") || head == "exclusion" || head == "key exclusion"
        guard isInclusion != isExclusion else { return nil }
        var rest = ""
        if let colon = line.firstIndex(of: ":") {
            rest = String(line[line.index(after: colon)...]).trimmed
        } else if colon == nil, head.count < line.count {
            rest = ""
        }
        return (isInclusion, rest)
    }

    /// The text of a bulleted or numbered line without its marker, or `nil` when the line has none.
    static func bulletItem(_ line: String) -> String? {
        let characters = Array(line)
        guard let first = characters.first else { return nil }
        if "*-•·–▪◦".contains(first) {
            return String(characters.dropFirst()).trimmed
        }
        var index = 0
        while index < characters.count, index < 3, characters[index].isNumber { index += 1 }
        if index == 0, characters.count > 2, characters[0].isLetter, characters[0].isLowercase,
            characters[1] == ")" || characters[1] == "."
        {
            index = 1
        }
        guard index > 0, index + 1 < characters.count, characters[index] == "." || characters[index] == ")",
            characters[index + 1] == " "
        else { return nil }
        return String(characters[(index + 1)...]).trimmed
    }
}
