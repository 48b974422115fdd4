import CZlib
import CZstd
import Foundation

/// Compression of the raw source documents the store keeps: Zstandard level 1, a good ratio on JSON and XML at
/// several hundred MB/s, so compressing is not what limits an import.
enum Compression {
    /// Compresses `data` into one Zstandard frame (with its content size, so ``decompress(_:)`` sizes its buffer).
    static func compress(_ data: Data, level: Int32 = 1) -> Data {
        let bound = ZSTD_compressBound(data.count)
        var output = Data(count: bound)
        let written = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                ZSTD_compress(out.baseAddress, bound, input.baseAddress, data.count, level)
            }
        }
        precondition(ZSTD_isError(written) == 0, "ZSTD_compress cannot fail with a ZSTD_compressBound-sized buffer")
        output.count = written
        return output
    }

    /// Decompresses a frame written by ``compress(_:level:)``.
    static func decompress(_ data: Data) throws -> Data {
        let size = data.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, data.count) }
        guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN, size < 1 << 31 else {
            throw CompressionError.corrupt("not a Zstandard frame with a known size")
        }
        var output = Data(count: Int(size))
        let written = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in ZSTD_decompress(out.baseAddress, Int(size), input.baseAddress, data.count) }
        }
        guard ZSTD_isError(written) == 0, written == Int(size) else {
            throw CompressionError.corrupt(String(cString: ZSTD_getErrorName(written)))
        }
        return output
    }
}

enum CompressionError: Error, CustomStringConvertible {
    case corrupt(String)
    case truncated

    var description: String {
        switch self {
        case .corrupt(let message): "corrupt compressed data: \(message)"
        case .truncated: "compressed data ends early (truncated file?)"
        }
    }
}

/// Streaming gzip decompression: feed compressed chunks, receive decompressed chunks.
/// Concatenated gzip members (as `cat a.gz b.gz` makes) are read one after the other.
final class Inflater {
    private var stream = z_stream()
    private(set) var finished = false

    init() throws {
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw CompressionError.corrupt("inflateInit2 failed (\(status))") }
    }

    deinit { inflateEnd(&stream) }

    /// Decompresses `input`, calling `output` with each decompressed chunk.
    func feed(_ input: Data, _ output: (Data) throws -> Void) throws {
        guard !input.isEmpty else { return }
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: raw.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(raw.count)
            while stream.avail_in > 0 {
                if finished {
                    // Another gzip member follows the one that ended.
                    inflateReset(&stream)
                    finished = false
                }
                var status: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return buffer.count - Int(stream.avail_out)
                }
                switch status {
                case Z_OK, Z_BUF_ERROR: break
                case Z_STREAM_END: finished = true
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw CompressionError.corrupt(message)
                }
                if produced > 0 { try output(Data(chunk[0..<produced])) }
                if status == Z_BUF_ERROR && produced == 0 { break }
            }
        }
    }
}

/// Writes a gzip file in one stream, chunk by chunk.
public final class GzipFileWriter {
    private var stream = z_stream()
    private let handle: FileHandle
    private var closed = false

    /// Creates (or truncates) the file at `path`.
    public init(path: String, level: Int32 = 6) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CompressionError.corrupt("cannot create \(path)") }
        self.handle = handle
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw CompressionError.corrupt("deflateInit2 failed (\(status))") }
    }

    deinit {
        if !closed { deflateEnd(&stream) }
    }

    public func write(_ data: Data) throws {
        try run(data, flush: Z_NO_FLUSH)
    }

    /// Finishes the gzip stream and closes the file.
    public func close() throws {
        try run(Data(), flush: Z_FINISH)
        deflateEnd(&stream)
        closed = true
        try handle.close()
    }

    private func run(_ data: Data, flush: Int32) throws {
        var output = [UInt8](repeating: 0, count: 1 << 18)
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            repeat {
                let produced = output.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    _ = deflate(&stream, flush)
                    return buffer.count - Int(stream.avail_out)
                }
                if produced > 0 { try handle.write(contentsOf: output[0..<produced]) }
            } while stream.avail_out == 0
        }
    }
}
