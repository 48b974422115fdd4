import Foundation
import Trials

/// What an import did, as the CLI's final line and exit code report it.
public struct ImportReport: Sendable, Codable, Equatable {
    public var files = 0
    public var imported = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    /// Every rejected record with its file, position and reason.
    public var rejections: [Rejection] = []

    public init() {}

    /// Records read, accepted or not.
    public var total: Int { imported + updated + unchanged + rejected }

    mutating func count(_ outcome: UpsertOutcome) {
        switch outcome {
        case .inserted: imported += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
    }

    mutating func reject(_ rejection: Rejection) {
        rejected += 1
        rejections.append(rejection)
    }

    /// "imported 12, updated 3, unchanged 40, rejected 1".
    public var summary: String {
        "imported \(imported), updated \(updated), unchanged \(unchanged), rejected \(rejected)"
    }
}

extension Rejection: Codable {
    enum CodingKeys: String, CodingKey { case file, position, nctId, field, reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let position = try container.decode(String.self, forKey: .position)
        let parts = position.split(separator: " ")
        let kind = RecordPosition.Kind(rawValue: String(parts.first ?? "document")) ?? .document
        self.init(
            file: try container.decode(String.self, forKey: .file),
            position: RecordPosition(kind, parts.count > 1 ? Int(parts[1]) ?? 0 : 0),
            nctId: try container.decodeIfPresent(String.self, forKey: .nctId),
            error: RecordError(
                field: try container.decode(String.self, forKey: .field),
                reason: try container.decode(String.self, forKey: .reason)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(position.description, forKey: .position)
        try container.encodeIfPresent(nctId, forKey: .nctId)
        try container.encode(error.field, forKey: .field)
        try container.encode(error.reason, forKey: .reason)
    }
}

/// Progress of an import, for a terminal progress bar.
public struct ImportProgress: Sendable {
    public var file: String
    public var fileIndex: Int
    public var fileCount: Int
    /// Bytes of the current file read so far (compressed bytes for gzip files) and its size.
    public var bytesRead: Int
    public var bytesTotal: Int
    public var records: Int
}

/// Reads study files and upserts them into a store in batches.
///
/// Each file may be gzip-compressed (detected from its magic bytes) and may hold one API v2 study, an array, a
/// `{"studies": […]}` page, JSON-lines of API v2 studies or of `{"nct_id","xml"}` objects, or one XML
/// `clinical_study`. JSON-lines files are streamed, so a file larger than memory imports. A record that cannot be
/// read is rejected with its position and reason and the rest goes on; a file that cannot be opened is one
/// rejection. Batches are atomic in the store, and records are parsed on all cores.
public struct TrialImporter: Sendable {
    /// The store to write to; `nil` checks the files without writing (accepted records count as imported).
    public let store: (any TrialStore)?
    public var batchSize: Int

    public init(store: (any TrialStore)?, batchSize: Int = 1000) {
        self.store = store
        self.batchSize = batchSize
    }

    /// Imports the files in order. `progress` is called after each batch.
    public func importFiles(
        _ paths: [String], progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> ImportReport {
        var report = ImportReport()
        for (index, path) in paths.enumerated() {
            report.files += 1
            try await importFile(path, index: index, of: paths.count, into: &report, progress: progress)
        }
        return report
    }

    private func importFile(
        _ path: String, index: Int, of count: Int, into report: inout ImportReport,
        progress: (@Sendable (ImportProgress) -> Void)?
    ) async throws {
        let name = path
        let reader: ChunkReader
        do {
            reader = try ChunkReader(path: path)
        } catch {
            report.reject(Rejection(file: name, position: RecordPosition(.document, 0), error: RecordError(field: "file", reason: "\(error)")))
            return
        }
        var records = 0
        let writer = BatchWriter(store: store)
        func flush(_ lines: [(Int, Data)]) async throws {
            let parsed = try Parallel.map(lines) { line in StudySources.line(line.1, number: line.0, file: name) }
            try await writer.submit(parsed.compactMap { $0 }, into: &report)
            records += lines.count
            progress?(ImportProgress(file: name, fileIndex: index, fileCount: count, bytesRead: reader.bytesRead, bytesTotal: reader.size, records: records))
        }

        var splitter = LineSplitter()
        var shape: StudySources.Shape?
        var whole = Data()
        var pending: [(Int, Data)] = []
        do {
            while let chunk = try reader.next() {
                if shape == .xml || shape == .jsonDocument {
                    whole.append(chunk)
                    continue
                }
                splitter.feed(chunk)
                while let line = splitter.nextLine() {
                    if shape == nil {
                        if !line.1.contains(where: { !StudySources.isSpace($0) }) { continue }
                        shape = StudySources.shape(firstLine: line.1)
                        if shape != .jsonLines {
                            whole = line.1 + Data("\n".utf8) + splitter.remainder()
                            break
                        }
                    }
                    pending.append(line)
                    if pending.count >= batchSize {
                        try await flush(pending)
                        pending.removeAll(keepingCapacity: true)
                    }
                }
            }
            if shape == nil || shape == .jsonLines {
                if let last = splitter.finish() {
                    if shape == nil { shape = StudySources.shape(firstLine: last.1) }
                    if shape == .jsonLines { pending.append(last) } else { whole = last.1 }
                }
                if !pending.isEmpty { try await flush(pending) }
            }
        } catch let error as CompressionError {
            if !pending.isEmpty { try await flush(pending) }
            try await writer.drain(into: &report)
            report.reject(Rejection(file: name, position: RecordPosition(.line, splitter.lineNumber + 1), error: RecordError(field: "file", reason: error.description)))
            return
        }
        switch shape {
        case .xml:
            try await writer.submit([StudySources.xmlDocument(whole, file: name)], into: &report)
        case .jsonDocument:
            let results = StudySources.jsonDocument(whole, file: name)
            for start in stride(from: 0, to: results.count, by: batchSize) {
                try await writer.submit(Array(results[start..<min(start + batchSize, results.count)]), into: &report)
            }
        case .jsonLines, nil:
            break
        }
        try await writer.drain(into: &report)
        progress?(ImportProgress(file: name, fileIndex: index, fileCount: count, bytesRead: reader.size, bytesTotal: reader.size, records: records))
    }
}

/// Writes batches to the store one after another while the caller parses the next batch, so reading (on all cores)
/// and writing overlap. Batches reach the store in submission order; each is still one transaction.
private final class BatchWriter {
    private let store: (any TrialStore)?
    private var inFlight: Task<[UpsertOutcome], any Error>?

    init(store: (any TrialStore)?) { self.store = store }

    /// Counts the rejections, waits for the previous batch, and starts writing this one.
    func submit(_ results: [Result<SourcedTrial, Rejection>], into report: inout ImportReport) async throws {
        var accepted: [SourcedTrial] = []
        for result in results {
            switch result {
            case .success(let record): accepted.append(record)
            case .failure(let rejection): report.reject(rejection)
            }
        }
        try await drain(into: &report)
        guard let store else {
            report.imported += accepted.count
            return
        }
        inFlight = Task { try await store.upsert(accepted, at: Date()) }
    }

    /// Waits for the batch being written and counts its outcomes.
    func drain(into report: inout ImportReport) async throws {
        guard let task = inFlight else { return }
        inFlight = nil
        for outcome in try await task.value { report.count(outcome) }
    }
}

/// Whole-file reading for small inputs (demo donors, fixtures), gzip or plain.
public enum SourceFile {
    /// The file's bytes, decompressed when it is gzip.
    public static func read(_ path: String) throws -> Data {
        let reader = try ChunkReader(path: path)
        var data = Data()
        while let chunk = try reader.next() { data.append(chunk) }
        return data
    }

    /// The trials of whole study files (JSON-lines, gzip or plain), as an import would leave them: a later record
    /// with the same NCT id replaces an earlier one; lines that are not studies are skipped.
    public static func trials(_ files: [URL]) throws -> [Trial] {
        var trials: [Trial] = []
        var positions: [String: Int] = [:]
        for file in files {
            let data = try read(file.path)
            for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
                guard case .success(let sourced)? = StudySources.line(Data(line), number: number + 1, file: file.lastPathComponent)
                else { continue }
                if let position = positions[sourced.trial.nctId] {
                    trials[position] = sourced.trial
                } else {
                    positions[sourced.trial.nctId] = trials.count
                    trials.append(sourced.trial)
                }
            }
        }
        return trials
    }
}

/// Reads a file in chunks, inflating it on the fly when it starts with the gzip magic bytes.
final class ChunkReader {
    private let handle: FileHandle
    private var inflater: Inflater?
    private var buffered: [Data] = []
    let size: Int
    private(set) var bytesRead = 0
    private var ended = false

    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReaderError("no such file")
        }
        guard !isDirectory.boolValue else { throw ReaderError("is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ReaderError("cannot be opened") }
        self.handle = handle
        size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    deinit { try? handle.close() }

    /// The next decompressed chunk, or `nil` at the end of the file.
    func next() throws -> Data? {
        while buffered.isEmpty {
            if ended { return nil }
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else {
                ended = true
                if let inflater, !inflater.finished { throw CompressionError.truncated }
                return nil
            }
            if bytesRead == 0, chunk.count >= 2, chunk[chunk.startIndex] == 0x1f, chunk[chunk.startIndex + 1] == 0x8b {
                inflater = try Inflater()
            }
            bytesRead += chunk.count
            if let inflater {
                var output: [Data] = []
                try inflater.feed(chunk) { output.append($0) }
                buffered.append(contentsOf: output)
            } else {
                buffered.append(chunk)
            }
        }
        return buffered.removeFirst()
    }

    struct ReaderError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Splits a byte stream into numbered lines (1-based), keeping at most one partial line in memory.
struct LineSplitter {
    private var buffer: [UInt8] = []
    private var start = 0
    private(set) var lineNumber = 0

    mutating func feed(_ chunk: Data) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: chunk)
    }

    mutating func nextLine() -> (Int, Data)? {
        let count = buffer.count - start
        guard count > 0 else { return nil }
        let found: Int? = buffer.withUnsafeBufferPointer { pointer in
            guard let hit = memchr(pointer.baseAddress! + start, 0x0A, count) else { return nil }
            return pointer.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        guard let newline = found else { return nil }
        let line = Data(buffer[start..<newline])
        start = newline + 1
        lineNumber += 1
        return (lineNumber, line)
    }

    /// What is left after the lines taken so far.
    func remainder() -> Data { Data(buffer[start...]) }

    /// The last line when the stream does not end with a newline.
    mutating func finish() -> (Int, Data)? {
        let rest = remainder()
        buffer = []
        start = 0
        guard rest.contains(where: { !StudySources.isSpace($0) }) else { return nil }
        lineNumber += 1
        return (lineNumber, rest)
    }
}
