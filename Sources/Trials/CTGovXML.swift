import Foundation


/// Reads one legacy ClinicalTrials.gov `clinical_study` XML document (the AllPublicXML format) into a ``Trial``.
///
/// Malformed XML, an unreadable date such as "February 30, 2004", an unknown status or phase, or a missing NCT id
/// throws a ``RecordError`` naming the element.
public enum CTGovXML {
    public static func trial(from data: Data) throws(RecordError) -> Trial {
        let root = try XMLTree.parse(data)
        guard root.name == "clinical_study" else {
            throw RecordError(field: root.name, reason: "expected a <clinical_study> document")
        }
        return try StudyReader(root).trial()
    }
}

/// A minimal element tree: enough for `clinical_study` documents, which have no mixed content.
final class XMLTree {
    let name: String
    var attributes: [String: String]
    var children: [XMLTree] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }
    func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The trimmed text of a child element, `nil` when absent or blank.
    func value(_ name: String) -> String? {
        child(name)?.text.trimmedNonEmpty
    }

    /// Parses a whole document. Throws for anything that is not well-formed: unclosed or mismatched elements,
    /// unknown entities, text outside the root, a second root.
    static func parse(_ data: Data) throws(RecordError) -> XMLTree {
        var reader = XMLReader(bytes: [UInt8](data))
        return try reader.document()
    }
}

/// A small non-validating XML reader, several times faster than `XMLParser` on ClinicalTrials.gov documents.
/// Handles the XML declaration, comments, processing instructions, a DOCTYPE without internal subset, CDATA,
/// the five predefined entities and numeric character references. Namespaces are not interpreted.
struct XMLReader {
    let bytes: [UInt8]
    var index = 0
    var line = 1

    init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ reason: String) -> RecordError {
        RecordError(field: "xml", reason: "malformed XML near line \(line): \(reason)")
    }

    private func peek(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard index + utf8.count <= bytes.count else { return false }
        return bytes[index..<index + utf8.count].elementsEqual(utf8)
    }

    private mutating func advance(_ count: Int) {
        for offset in 0..<count where bytes[index + offset] == 0x0A { line += 1 }
        index += count
    }

    /// Skips to just after `terminator`.
    private mutating func skip(past terminator: String) throws(RecordError) {
        let utf8 = Array(terminator.utf8)
        while index + utf8.count <= bytes.count {
            if bytes[index] == utf8[0] && bytes[index..<index + utf8.count].elementsEqual(utf8) {
                advance(utf8.count)
                return
            }
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        throw fail("missing \"\(terminator)\"")
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        !ASCII.isSpace(byte) && byte != UInt8(ascii: ">") && byte != UInt8(ascii: "/") && byte != UInt8(ascii: "=")
            && byte != UInt8(ascii: "<")
    }

    private mutating func skipSpace() {
        while index < bytes.count, ASCII.isSpace(bytes[index]) { advance(1) }
    }

    /// Skips declarations, comments and white space outside the root element.
    private mutating func skipMisc() throws(RecordError) {
        while true {
            skipSpace()
            if peek("<?") { try skip(past: "?>") } else if peek("<!--") { try skip(past: "-->") } else if peek("<!DOCTYPE") {
                try skip(past: ">")
            } else { return }
        }
    }

    mutating func document() throws(RecordError) -> XMLTree {
        if peek("\u{FEFF}") { index += 3 }
        try skipMisc()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw fail("no root element") }
        let root = try element()
        try skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    private mutating func name() throws(RecordError) -> String {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Reads one element starting at its `<`, with everything inside it.
    private mutating func element() throws(RecordError) -> XMLTree {
        index += 1
        let tag = try name()
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard index < bytes.count else { throw fail("<\(tag)> is not closed (truncated document?)") }
            if bytes[index] == UInt8(ascii: "/") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { throw fail("bad tag <\(tag)>") }
                index += 2
                return XMLTree(name: tag, attributes: attributes)
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            let key = try name()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("attribute \(key) has no value") }
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fail("attribute \(key) is not quoted")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote { advance(1) }
            guard index < bytes.count else { throw fail("<\(tag)> is not closed (truncated document?)") }
            attributes[key] = try decodeText(bytes[start..<index])
            index += 1
        }
        let node = XMLTree(name: tag, attributes: attributes)
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("<\(tag)> is not closed (truncated document?)") }
            if bytes[index] != UInt8(ascii: "<") {
                // Copy the text up to the next tag in one go.
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
                    if bytes[index] == 0x0A { line += 1 }
                    index += 1
                }
                text.append(contentsOf: bytes[start..<index])
                continue
            }
            if peek("</") {
                index += 2
                let closing = try name()
                guard closing == tag else { throw fail("</\(closing)> closes <\(tag)>") }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("bad end tag </\(tag)") }
                index += 1
                if !text.isEmpty { node.text = try decodeText(text[...]) }
                return node
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<![CDATA[") {
                advance(9)
                let start = index
                try skip(past: "]]>")
                text.append(contentsOf: Self.escapeForText(bytes[start..<index - 3]))
            } else if peek("<?") {
                try skip(past: "?>")
            } else {
                node.children.append(try element())
            }
        }
    }

    /// CDATA content is literal: escape `&` so the entity decoder leaves it as written.
    private static func escapeForText(_ slice: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        for byte in slice {
            if byte == UInt8(ascii: "&") { out.append(contentsOf: Array("&amp;".utf8)) } else { out.append(byte) }
        }
        return out
    }

    /// Text with entities and character references replaced.
    private func decodeText(_ slice: ArraySlice<UInt8>) throws(RecordError) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = slice.startIndex
        while i < slice.endIndex {
            let byte = slice[i]
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                i += 1
                continue
            }
            guard let semicolon = slice[i...].firstIndex(of: UInt8(ascii: ";")), semicolon - i <= 10 else {
                throw fail("unterminated entity")
            }
            let entity = String(decoding: slice[(i + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "amp": out.append(UInt8(ascii: "&"))
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let scalarValue: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalarValue = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    scalarValue = UInt32(entity.dropFirst())
                } else {
                    scalarValue = nil
                }
                guard let scalarValue, let scalar = Unicode.Scalar(scalarValue) else {
                    throw fail("unknown entity &\(entity);")
                }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Maps a `clinical_study` element tree to a ``Trial``.
private struct StudyReader {
    let root: XMLTree

    init(_ root: XMLTree) { self.root = root }

    /// A `<textblock>` child, with the XML export's hard line wrapping and indentation undone.
    func textblock(_ element: String) -> String? {
        guard let block = root.child(element)?.child("textblock")?.text else { return nil }
        return TextBlock.unwrap(block)
    }

    func date(_ element: String) throws(RecordError) -> PartialDate? {
        guard let text = root.value(element) else { return nil }
        do {
            return try PartialDate(parsing: text)
        } catch {
            throw RecordError(field: element, reason: error.reason)
        }
    }

    func trial() throws(RecordError) -> Trial {
        guard let nctId = root.child("id_info")?.value("nct_id") else {
            throw RecordError(field: "id_info/nct_id", reason: "required field is missing")
        }
        try NCTId.validate(nctId, field: "id_info/nct_id")
        guard let title = root.value("brief_title") ?? root.value("official_title") else {
            throw RecordError(field: "brief_title", reason: "required field is missing")
        }
        guard let statusText = root.value("overall_status") else {
            throw RecordError(field: "overall_status", reason: "required field is missing")
        }
        guard let status = OverallStatus(legacy: statusText) else {
            throw RecordError(field: "overall_status", reason: "unknown value \"\(statusText)\"")
        }
        var phases: [Phase] = []
        if let phaseText = root.value("phase") {
            guard let parsed = Phase.legacy(phaseText) else {
                throw RecordError(field: "phase", reason: "unknown value \"\(phaseText)\"")
            }
            phases = parsed == [.notApplicable] ? [.notApplicable] : parsed
        }
        let studyTypeText = root.value("study_type") ?? "Interventional"
        guard let studyType = StudyType(legacy: studyTypeText) else {
            throw RecordError(field: "study_type", reason: "unknown value \"\(studyTypeText)\"")
        }
        let lastPosted = try date("last_update_posted")
        let lastChanged = try date("lastchanged_date")
        guard let lastUpdate = lastPosted ?? lastChanged else {
            throw RecordError(field: "last_update_posted", reason: "required field is missing")
        }
        let sponsors = root.child("sponsors")
        func sponsor(_ node: XMLTree) throws(RecordError) -> Sponsor {
            let name = node.value("agency") ?? "Unknown"
            guard let classText = node.value("agency_class") else { return Sponsor(name: name, agencyClass: .unknown) }
            guard let agencyClass = AgencyClass(legacy: classText) else {
                throw RecordError(field: "sponsors/agency_class", reason: "unknown value \"\(classText)\"")
            }
            return Sponsor(name: name, agencyClass: agencyClass)
        }
        let lead = try sponsors?.child("lead_sponsor").map { node throws(RecordError) in try sponsor(node) }
        var collaborators: [Sponsor] = []
        for node in sponsors?.all("collaborator") ?? [] { collaborators.append(try sponsor(node)) }

        var interventions: [Intervention] = []
        for node in root.all("intervention") {
            let typeText = node.value("intervention_type") ?? "Other"
            guard let type = InterventionType(legacy: typeText) else {
                throw RecordError(field: "intervention/intervention_type", reason: "unknown value \"\(typeText)\"")
            }
            interventions.append(
                Intervention(
                    type: type, name: node.value("intervention_name") ?? "", description: node.value("description"),
                    otherNames: node.all("other_name").compactMap { $0.text.nonEmpty?.trimmed }))
        }

        let eligibilityNode = root.child("eligibility")
        let eligibility = try readEligibility(eligibilityNode)

        var locations: [Location] = []
        for node in root.all("location") {
            let facility = node.child("facility")
            let address = facility?.child("address")
            var siteStatus: SiteStatus?
            if let text = node.value("status") {
                guard let parsed = SiteStatus(legacy: text) else {
                    throw RecordError(field: "location/status", reason: "unknown value \"\(text)\"")
                }
                siteStatus = parsed
            }
            let contacts = ["contact", "contact_backup"].compactMap { node.child($0) }.map(contact)
                + node.all("investigator").map(contact)
            locations.append(
                Location(
                    facility: facility?.value("name"), status: siteStatus, city: address?.value("city"),
                    state: address?.value("state"), postalCode: address?.value("zip"),
                    country: address?.value("country").map(Country.canonical), geo: nil, contacts: contacts))
        }

        let idInfo = root.child("id_info")
        let firstPosted = try date("study_first_posted")
        let firstReceived = try date("firstreceived_date")
        return Trial(
            nctId: nctId,
            orgStudyId: idInfo?.value("org_study_id"),
            secondaryIds: (idInfo?.all("secondary_id") ?? []).compactMap { $0.text.nonEmpty?.trimmed }
                + (idInfo?.all("nct_alias") ?? []).compactMap { $0.text.nonEmpty?.trimmed },
            briefTitle: title,
            officialTitle: root.value("official_title"),
            acronym: root.value("acronym"),
            briefSummary: textblock("brief_summary"),
            detailedDescription: textblock("detailed_description"),
            conditions: root.all("condition").compactMap { $0.text.nonEmpty?.trimmed },
            keywords: root.all("keyword").compactMap { $0.text.nonEmpty?.trimmed },
            conditionMeshTerms: root.child("condition_browse")?.all("mesh_term").compactMap { $0.text.nonEmpty?.trimmed }
                ?? [],
            interventionMeshTerms: root.child("intervention_browse")?.all("mesh_term").compactMap {
                $0.text.nonEmpty?.trimmed
            } ?? [],
            interventions: interventions,
            phases: phases,
            studyType: studyType,
            overallStatus: status,
            whyStopped: root.value("why_stopped"),
            dates: KeyDates(
                start: try date("start_date"),
                primaryCompletion: try date("primary_completion_date"),
                completion: try date("completion_date"),
                firstPosted: firstPosted ?? firstReceived,
                lastUpdatePosted: lastUpdate),
            leadSponsor: lead ?? Sponsor(name: "Unknown", agencyClass: .unknown),
            collaborators: collaborators,
            enrollment: root.value("enrollment").flatMap { Int($0) },
            eligibility: eligibility,
            centralContacts: ["overall_contact", "overall_contact_backup"].compactMap { root.child($0) }.map(contact),
            locations: locations,
            sourceFormat: .ctgovXML
        )
    }

    func readEligibility(_ node: XMLTree?) throws(RecordError) -> Eligibility {
        guard let node else { return Eligibility() }
        var sex = Sex.all
        if let text = node.value("gender") {
            guard let parsed = Sex(legacy: text) else {
                throw RecordError(field: "eligibility/gender", reason: "unknown value \"\(text)\"")
            }
            sex = parsed
        }
        func age(_ element: String) throws(RecordError) -> AgeLimit? {
            guard let text = node.value(element) else { return nil }
            do {
                return try AgeLimit.parse(text)
            } catch {
                throw RecordError(field: "eligibility/\(element)", reason: error.reason)
            }
        }
        let healthy = node.value("healthy_volunteers").map { $0.lowercased().hasPrefix("accepts") }
        return Eligibility(
            criteria: node.child("criteria")?.child("textblock").map { TextBlock.unwrap($0.text) }.flatMap(\.nonEmpty),
            sex: sex,
            minimumAge: try age("minimum_age"),
            maximumAge: try age("maximum_age"),
            healthyVolunteers: healthy)
    }

    func contact(_ node: XMLTree) -> Contact {
        let name = node.value("last_name") ?? [node.value("first_name"), node.value("last_name")].compactMap { $0 }
            .joined(separator: " ").nonEmpty
        let phone = node.value("phone").map { number in node.value("phone_ext").map { "\(number) ext. \($0)" } ?? number }
        return Contact(name: name, role: node.value("role"), phone: phone, email: node.value("email"))
    }
}

/// Undoes the legacy XML export's text layout: CR characters, indentation and hard-wrapped lines.
///
/// Paragraphs and bullets stay on their own lines; a line that continues the previous one (no blank line before
/// it, no bullet or number at its start, and the previous line not ending with ":") is joined to it with a space.
enum TextBlock {
    static func unwrap(_ raw: String) -> String {
        let bytes = Array(raw.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var previousBlank = true
        var blankPending = false
        var previousEndsWithColon = false
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var first = start
            var last = end
            while first < last, ASCII.isBlank(bytes[first]) { first += 1 }
            while last > first, ASCII.isBlank(bytes[last - 1]) { last -= 1 }
            if first == last {
                if !previousBlank { blankPending = true }
                previousBlank = true
            } else {
                let line = bytes[first..<last]
                if !previousBlank, !previousEndsWithColon, !startsItem(line) {
                    output.append(0x20)
                } else if !output.isEmpty {
                    output.append(0x0A)
                    if blankPending { output.append(0x0A) }
                }
                blankPending = false
                output.append(contentsOf: line)
                previousEndsWithColon = line.last == UInt8(ascii: ":")
                previousBlank = false
            }
            start = end + 1
        }
        return String(decoding: output, as: UTF8.self).trimmed
    }

    /// A bullet ("-", "*", "•", "·", "o ") or a number or letter ("1.", "2)", "a.") starting a list item.
    static func startsItem(_ line: ArraySlice<UInt8>) -> Bool {
        guard let first = line.first else { return false }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") { return true }
        if line.starts(with: [0xE2, 0x80, 0xA2]) || line.starts(with: [0xC2, 0xB7]) { return true }
        if line.starts(with: [UInt8(ascii: "o"), 0x20]) { return true }
        let head = line.prefix {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || (line.count > 2 && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0))
        }
        guard !head.isEmpty, head.count <= 3 else { return false }
        let rest = line.dropFirst(head.count)
        guard let mark = rest.first, mark == UInt8(ascii: ".") || mark == UInt8(ascii: ")") else { return false }
        return rest.count == 1 || rest.dropFirst().first == 0x20
    }
}

