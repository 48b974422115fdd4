import Foundation

/// One study as read from a source file: the record, the exact source document it came from, and a hash of that
/// document so a re-import of identical data can be recognised without comparing whole records.
public struct SourcedTrial: Sendable {
    public var trial: Trial
    /// The source document: the API v2 JSON object or the `clinical_study` XML, byte for byte.
    public var raw: Data
    /// ``ContentHash/fnv1a(_:)`` of `raw`: change detection only, not a security hash.
    public var contentHash: String

    public init(trial: Trial, raw: Data) {
        self.trial = trial
        self.raw = raw
        self.contentHash = ContentHash.fnv1a(raw)
    }
}

/// Where a record sits in its file: "line 12" for JSON-lines, "index 3" for arrays and pages.
public struct RecordPosition: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case line, index, document }
    public var kind: Kind
    public var number: Int

    public init(_ kind: Kind, _ number: Int) {
        self.kind = kind
        self.number = number
    }

    public var description: String { kind == .document ? "document" : "\(kind.rawValue) \(number)" }
}

/// A record that could not be imported, with where it was and why.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var position: RecordPosition
    public var nctId: String?
    public var error: RecordError

    public init(file: String, position: RecordPosition, nctId: String? = nil, error: RecordError) {
        self.file = file
        self.position = position
        self.nctId = nctId
        self.error = error
    }

    public var description: String {
        "\(file): \(position)\(nctId.map { " (\($0))" } ?? ""): \(error)"
    }
}

/// Reads ClinicalTrials.gov documents in any of the shapes Passerelle accepts, without doing I/O itself:
/// one API v2 study, an array of them, a `{"studies": […]}` page, JSON-lines (API v2 objects or
/// `{"nct_id","xml"}` objects), or one `clinical_study` XML document.
public enum StudySources {
    /// The shape of a whole file, decided from its first bytes.
    public enum Shape: Sendable, Equatable {
        case xml
        /// One JSON object per line; read line by line.
        case jsonLines
        /// A single JSON value (a study, an array or a page); read whole.
        case jsonDocument
    }

    /// Decides the shape from the beginning of the (decompressed) file. `firstLine` is the first non-blank line.
    public static func shape(firstLine: Data) -> Shape {
        guard let first = firstLine.first(where: { !isSpace($0) }) else { return .jsonDocument }
        if first == UInt8(ascii: "<") { return .xml }
        if first == UInt8(ascii: "{"), let object = (try? JSONSerialization.jsonObject(with: firstLine)) as? [String: Any] {
            // A one-line `{"studies": [...]}` page (as the API sends it) is a document, not JSON-lines.
            return object["studies"] != nil && object["protocolSection"] == nil ? .jsonDocument : .jsonLines
        }
        return .jsonDocument
    }

    /// Reads one JSON-lines line. Blank lines give `nil`.
    public static func line(_ bytes: Data, number: Int, file: String) -> Result<SourcedTrial, Rejection>? {
        guard bytes.contains(where: { !isSpace($0) }) else { return nil }
        return read(json: bytes, position: RecordPosition(.line, number), file: file)
    }

    /// Reads a whole JSON document: one study, an array of studies, or a `{"studies": […]}` page.
    public static func jsonDocument(_ data: Data, file: String) -> [Result<SourcedTrial, Rejection>] {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data)
        } catch {
            return [.failure(Rejection(file: file, position: RecordPosition(.document, 0), error: RecordError(field: "json", reason: "malformed JSON")))]
        }
        let elements: [Any]
        if let array = value as? [Any] {
            elements = array
        } else if let page = value as? [String: Any], let studies = page["studies"] as? [Any] {
            elements = studies
        } else if value is [String: Any] {
            return [read(json: data, position: RecordPosition(.document, 0), file: file)]
        } else {
            return [.failure(Rejection(file: file, position: RecordPosition(.document, 0), error: RecordError(field: "json", reason: "expected a study, an array of studies or a {\"studies\": [...]} page")))]
        }
        return elements.enumerated().map { index, element in
            let position = RecordPosition(.index, index)
            guard JSONSerialization.isValidJSONObject(element),
                let bytes = try? JSONSerialization.data(withJSONObject: element, options: [.sortedKeys])
            else {
                return .failure(Rejection(file: file, position: position, error: RecordError(field: "study", reason: "expected a JSON object")))
            }
            return read(json: bytes, position: position, file: file)
        }
    }

    /// Reads one `clinical_study` XML document.
    public static func xmlDocument(_ data: Data, file: String) -> Result<SourcedTrial, Rejection> {
        do {
            return .success(SourcedTrial(trial: try CTGovXML.trial(from: data), raw: data))
        } catch {
            return .failure(Rejection(file: file, position: RecordPosition(.document, 0), error: error))
        }
    }

    private static func read(json bytes: Data, position: RecordPosition, file: String) -> Result<SourcedTrial, Rejection> {
        do {
            let (trial, xml) = try CTGovJSON.read(bytes)
            return .success(SourcedTrial(trial: trial, raw: xml ?? bytes))
        } catch {
            return .failure(Rejection(file: file, position: position, nctId: guessNCTId(bytes), error: error))
        }
    }

    /// Finds an NCT id in a broken record so the rejection can name it.
    static func guessNCTId(_ bytes: Data) -> String? {
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        guard let range = text.range(of: #"NCT[0-9]{8}"#, options: .regularExpression) else { return nil }
        return String(text[range])
    }

    /// ASCII white space (space, tab, CR, LF).
    public static func isSpace(_ byte: UInt8) -> Bool { ASCII.isSpace(byte) }
}

/// Content hashing for change detection.
public enum ContentHash {
    /// FNV-1a over 64-bit little-endian words (the tail byte by byte), as 16 lowercase hex digits. Eight times fewer
    /// steps than byte-wise FNV-1a; for recognising an identical document, not for security.
    public static func fnv1a(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x0000_0100_0000_01b3
        data.withUnsafeBytes { buffer in
            let words = buffer.count / 8
            for index in 0..<words {
                hash ^= UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                hash &*= prime
                hash ^= hash >> 29
            }
            for byte in buffer[(words * 8)...] {
                hash ^= UInt64(byte)
                hash &*= prime
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
