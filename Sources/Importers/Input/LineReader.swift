/// Splits a byte stream into lines (JSON Lines inputs), keeping memory flat: a line longer than
/// `maxLineBytes` is not buffered but skipped to its end and reported, so a 50 MB line costs
/// no more memory than a short one.
public final class LineReader {
    public enum Line {
        /// A line's bytes, without the line break.
        case text(ArraySlice<UInt8>)
        /// A line that exceeded the limit; `length` is its full size in bytes.
        case tooLong(length: Int)
    }

    private let reader: ByteReader
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    /// 1-based number of the line last returned.
    public private(set) var lineNumber = 0
    /// Decompressed bytes consumed up to the end of the line last returned.
    public private(set) var byteOffset: Int64 = 0

    public init(reader: ByteReader, maxLineBytes: Int = 16 << 20) {
        self.reader = reader
        self.maxLineBytes = maxLineBytes
    }

    public func next() throws -> Line? {
        var skipping = 0  // bytes of an over-long line dropped so far
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let lineStart = start
                start = newline + 1
                lineNumber += 1
                byteOffset += Int64(newline + 1 - lineStart)
                if skipping > 0 { return .tooLong(length: skipping + newline - lineStart) }
                var end = newline
                if end > lineStart, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                return .text(buffer[lineStart..<end])
            }
            if buffer.count - start > maxLineBytes {
                // Drop what we hold of this line and keep counting until it ends.
                skipping += buffer.count - start
                byteOffset += Int64(buffer.count - start)
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            guard !finished, let chunk = try reader.nextChunk() else {
                finished = true
                guard start < buffer.count || skipping > 0 else { return nil }
                // A last line without a line break.
                let lineStart = start
                start = buffer.count
                lineNumber += 1
                byteOffset += Int64(buffer.count - lineStart)
                if skipping > 0 { return .tooLong(length: skipping + buffer.count - lineStart) }
                return .text(buffer[lineStart..<buffer.count])
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: chunk)
        }
    }

    /// Skips whole lines until `byteOffset` reaches `offset` (resuming an interrupted import).
    public func skip(toByteOffset offset: Int64, lines: Int) throws {
        while lineNumber < lines, byteOffset < offset, try next() != nil {}
    }
}
