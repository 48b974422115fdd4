import Foundation

/// A parsed CSV document (RFC 4180: comma separator, `"` quoting with `""` escapes,
/// quoted fields may contain commas and line breaks; CRLF or LF line ends).
///
/// The first record is the header. Parsing is pure: callers read the text themselves.
public struct CSVTable: Sendable, Equatable {
    /// Column names from the header record.
    public let header: [String]
    /// Data records; each has exactly `header.count` fields.
    public let rows: [[String]]
    /// Source line of each row (the header is line 1), for error messages.
    public let lines: [Int]

    /// A CSV syntax or shape error, with the 1-based line of the record (the header is line 1).
    public enum ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        case unterminatedQuote(line: Int)
        case unexpectedQuote(line: Int, column: Int)
        case fieldCount(line: Int, expected: Int, actual: Int)
        case emptyDocument
        case missingColumn(String)
        case invalidNumber(line: Int, column: String, value: String)

        public var description: String {
            switch self {
            case let .unterminatedQuote(line): "line \(line): unterminated quoted field"
            case let .unexpectedQuote(line, column): "line \(line), column \(column): stray quote inside an unquoted field"
            case let .fieldCount(line, expected, actual): "line \(line): expected \(expected) fields, found \(actual)"
            case .emptyDocument: "the CSV document has no header"
            case let .missingColumn(name): "column \"\(name)\" not found in the header"
            case let .invalidNumber(line, column, value): "line \(line), column \"\(column)\": \"\(value)\" is not a number"
            }
        }
    }

    /// Parses `text`; blank lines between records are skipped.
    /// - Throws: `ParseError` locating the first malformed record.
    public init(parsing text: String) throws {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = iterator.next()

        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted) {
                records.append((recordLine, fields))
            }
            fields = []
            field = ""
            fieldWasQuoted = false
        }

        while let scalar = pending {
            pending = iterator.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard field.isEmpty, !fieldWasQuoted else {
                    throw ParseError.unexpectedQuote(line: line, column: fields.count + 1)
                }
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r" where pending == "\n":
                continue
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ParseError.unterminatedQuote(line: recordLine) }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }

        guard let first = records.first else { throw ParseError.emptyDocument }
        let width = first.fields.count
        for record in records.dropFirst() where record.fields.count != width {
            throw ParseError.fieldCount(line: record.line, expected: width, actual: record.fields.count)
        }
        self.header = first.fields
        self.rows = records.dropFirst().map(\.fields)
        self.lines = records.dropFirst().map(\.line)
    }

    /// Index of the column named `name`.
    /// - Throws: `ParseError.missingColumn`.
    /// The field quoted as RFC 4180 requires: within quotes, with `"` doubled, when it holds a comma, a quote,
    /// a line break or surrounding spaces (which a reader would otherwise trim).
    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        return needsQuotes ? "\"\(field.replacingOccurrences(of: "\"", with: "\"\""))\"" : field
    }

    public func columnIndex(_ name: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else { throw ParseError.missingColumn(name) }
        return index
    }

    /// The text values of column `name`.
    public func strings(_ name: String) throws -> [String] {
        let index = try columnIndex(name)
        return rows.map { $0[index] }
    }

    /// The numeric values of column `name` (surrounding spaces ignored).
    /// - Throws: `ParseError.invalidNumber` naming the line and column of the first non-number.
    public func numbers(_ name: String) throws -> [Double] {
        let index = try columnIndex(name)
        return try rows.enumerated().map { offset, row in
            let text = row[index].trimmingCharacters(in: .whitespaces)
            guard let value = Double(text) else {
                throw ParseError.invalidNumber(line: lines[offset], column: name, value: row[index])
            }
            return value
        }
    }
}
