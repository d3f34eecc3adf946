import CZlib
import Foundation

/// Reads an input as a stream of byte chunks, whatever its size, decompressing gzip on the fly
/// (recognised by its magic bytes, not its name). Memory use is a couple of fixed buffers.
public final class ByteReader {
    /// A name for messages: the file's path, `stdin`, or a URL.
    public let name: String
    /// Size of the underlying input in bytes, when known (for progress).
    public let totalBytes: Int64?

    private let source: any ChunkSource
    private var gzip: GzipStream?
    private var pending: [UInt8] = []
    private var didSniff = false
    /// Bytes of the underlying (possibly compressed) input consumed so far.
    public private(set) var rawBytesRead: Int64 = 0

    static let chunkSize = 256 * 1024

    init(name: String, totalBytes: Int64?, source: any ChunkSource) {
        self.name = name
        self.totalBytes = totalBytes
        self.source = source
    }

    /// Opens a file, or standard input for `-`.
    public static func open(path: String) throws -> ByteReader {
        if path == "-" { return ByteReader(name: "stdin", totalBytes: nil, source: FileChunkSource(handle: fdopen(STDIN_FILENO, "rb"), owned: false)) }
        guard let file = fopen(path, "rb") else {
            throw ImportError.unreadable(input: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        if fstat(fileno(file), &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            fclose(file)
            throw ImportError.unreadable(input: path, reason: "is a directory")
        }
        return ByteReader(name: path, totalBytes: Int64(info.st_size), source: FileChunkSource(handle: file, owned: true))
    }

    /// Wraps bytes already in memory (an HTTP response body, a test's input).
    public static func bytes(_ data: [UInt8], name: String) -> ByteReader {
        ByteReader(name: name, totalBytes: Int64(data.count), source: MemoryChunkSource(data))
    }

    private var replay: [UInt8]?

    /// The first decompressed bytes of the input, without consuming them (for format detection).
    public func peekStart() throws -> [UInt8] {
        if let replay { return replay }
        let first = try nextChunk() ?? []
        replay = first
        return first
    }

    /// The next chunk of decompressed bytes, or nil at the end of the input.
    public func nextChunk() throws -> [UInt8]? {
        if let replay {
            self.replay = nil
            if !replay.isEmpty { return replay }
        }
        if !didSniff {
            didSniff = true
            guard let first = try readRaw() else { return nil }
            if first.count >= 2, first[0] == 0x1f, first[1] == 0x8b {
                gzip = try GzipStream(name: name)
            }
            pending = first
        }
        while true {
            let raw: [UInt8]
            if !pending.isEmpty {
                raw = pending
                pending = []
            } else if let next = try readRaw() {
                raw = next
            } else {
                if let gzip { try gzip.finish() }
                return nil
            }
            guard let gzip else { return raw }
            let out = try gzip.inflate(raw)
            if !out.isEmpty { return out }
        }
    }

    private func readRaw() throws -> [UInt8]? {
        guard let chunk = try source.read(maxCount: Self.chunkSize, name: name) else { return nil }
        rawBytesRead += Int64(chunk.count)
        return chunk
    }
}

protocol ChunkSource: AnyObject {
    func read(maxCount: Int, name: String) throws -> [UInt8]?
}

final class FileChunkSource: ChunkSource {
    private let handle: UnsafeMutablePointer<FILE>
    private let owned: Bool

    init(handle: UnsafeMutablePointer<FILE>, owned: Bool) {
        self.handle = handle
        self.owned = owned
    }

    deinit { if owned { fclose(handle) } }

    func read(maxCount: Int, name: String) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maxCount)
        let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, maxCount, handle) }
        if n == 0 {
            if ferror(handle) != 0 { throw ImportError.unreadable(input: name, reason: String(cString: strerror(errno))) }
            return nil
        }
        buffer.removeLast(maxCount - n)
        return buffer
    }
}

final class MemoryChunkSource: ChunkSource {
    private let data: [UInt8]
    private var offset = 0

    init(_ data: [UInt8]) { self.data = data }

    func read(maxCount: Int, name: String) throws -> [UInt8]? {
        guard offset < data.count else { return nil }
        let end = min(data.count, offset + maxCount)
        defer { offset = end }
        return Array(data[offset..<end])
    }
}

/// zlib's inflate in gzip mode, fed chunk by chunk. Handles concatenated gzip members.
final class GzipStream {
    private var stream = z_stream()
    private let name: String
    private var ended = false
    private var output = [UInt8](repeating: 0, count: 1 << 20)
    private var atMemberEnd = false

    init(name: String) throws {
        self.name = name
        // 15 + 32: any window size, gzip or zlib header detected automatically.
        let status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw ImportError.unreadable(input: name, reason: "cannot start gzip decoder (\(status))") }
    }

    deinit { inflateEnd(&stream) }

    func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        var input = input
        try input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            while stream.avail_in > 0 {
                if atMemberEnd {
                    // Another gzip member follows (as `cat a.gz b.gz` makes).
                    inflateReset(&stream)
                    atMemberEnd = false
                }
                let produced: Int = try output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    switch status {
                    case Z_OK, Z_BUF_ERROR: break
                    case Z_STREAM_END: atMemberEnd = true
                    default:
                        let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                        throw ImportError.unreadable(
                            input: name, reason: "corrupt gzip data after \(stream.total_in) compressed bytes: \(message)")
                    }
                    return outBuffer.count - Int(stream.avail_out)
                }
                result.append(contentsOf: output[0..<produced])
                if produced == 0 && !atMemberEnd && stream.avail_in > 0 && stream.avail_out != 0 { break }
            }
        }
        return result
    }

    /// Fails when the compressed input stopped in the middle of a member.
    func finish() throws {
        if !atMemberEnd {
            throw ImportError.unreadable(input: name, reason: "gzip data is truncated (\(stream.total_in) compressed bytes read)")
        }
    }
}
