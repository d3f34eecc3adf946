import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header that maps each
/// tensor name to its dtype, shape and byte range, then the raw little-endian tensor bytes.
///
/// The file is memory-mapped, so opening it costs only the header; `floats(_:)` copies one tensor
/// out as `[Float]`, converting F16 and BF16. Every problem is thrown as an `EmbeddingModelError`
/// that names the file and the tensor; nothing here traps on bad input.
public struct SafetensorsFile: Sendable {
    /// One tensor's entry in the header.
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        /// The dtype as the header spells it: "F32", "F16", "BF16", "I64", ...
        public let dtype: String
        public let shape: [Int]
        /// Byte range within the data section (which starts right after the header).
        public let dataRange: Range<Int>

        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]

    private let bytes: Data
    private let dataStart: Int

    /// Bytes per element of the dtypes the format defines; an unknown dtype is an error, since its
    /// byte range could not be checked.
    private static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2,
        "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
        "F8_E4M3": 1, "F8_E5M2": 1,
    ]

    /// The format allows a header up to 100 MB; a larger length means a corrupt or foreign file.
    private static let maxHeaderLength = 100_000_000

    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw EmbeddingModelError.missingFile(path: path) }
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw EmbeddingModelError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        func malformed(_ reason: String) -> EmbeddingModelError { .malformedFile(path: path, reason: reason) }

        guard bytes.count >= 8 else {
            throw malformed("\(bytes.count) bytes is too short for a safetensors file (8-byte header length first)")
        }
        let headerLength = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(Self.maxHeaderLength), Int(headerLength) <= bytes.count - 8 else {
            throw malformed("header length \(headerLength) exceeds the file's \(bytes.count - 8) bytes after the length (truncated or not a safetensors file)")
        }
        dataStart = 8 + Int(headerLength)
        let dataLength = bytes.count - dataStart

        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<dataStart))
        } catch {
            throw malformed("header is not valid JSON (\(error.localizedDescription))")
        }
        guard let header = json as? [String: Any] else { throw malformed("header is not a JSON object") }

        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                for (key, item) in value as? [String: Any] ?? [:] {
                    if let text = item as? String { metadata[key] = text }
                }
                continue
            }
            func bad(_ reason: String) -> EmbeddingModelError { .malformedTensor(path: path, tensor: name, reason: reason) }
            guard let entry = value as? [String: Any] else { throw bad("header entry is not an object") }
            guard let dtype = entry["dtype"] as? String else { throw bad("no \"dtype\" string") }
            guard let elementSize = Self.elementSizes[dtype] else { throw bad("unknown dtype \"\(dtype)\"") }
            guard let shape = Self.integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw bad("\"shape\" is not a list of non-negative integers")
            }
            guard let offsets = Self.integers(entry["data_offsets"]), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1]
            else { throw bad("\"data_offsets\" is not a pair [begin, end] with begin <= end") }
            guard offsets[1] <= dataLength else {
                throw bad("data ends at byte \(offsets[1]) but the file holds only \(dataLength) data bytes (truncated file)")
            }
            // Overflow-checked: a hostile shape must give an error, not a trap.
            var byteCount: Int? = elementSize
            for dim in shape {
                guard let soFar = byteCount else { break }
                let (product, overflow) = soFar.multipliedReportingOverflow(by: dim)
                byteCount = overflow ? nil : product
            }
            guard byteCount == offsets[1] - offsets[0] else {
                throw bad("shape \(shape) of \(dtype) does not match its \(offsets[1] - offsets[0]) data bytes")
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: shape, dataRange: offsets[0]..<offsets[1])
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// JSONSerialization gives numbers as NSNumber; accept only whole numbers.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in list {
            guard let number = item as? NSNumber, let int = Int(exactly: number.doubleValue) else { return nil }
            result.append(int)
        }
        return result
    }

    /// The tensor's values as Float, converted from F32, F16 or BF16. With `shape`, also checks the
    /// shape, so a model whose configuration and weights disagree fails here with both named.
    public func floats(_ name: String, shape expected: [Int]? = nil) throws -> [Float] {
        guard let info = tensors[name] else { throw EmbeddingModelError.missingTensor(path: path, tensor: name) }
        if let expected, expected != info.shape {
            throw EmbeddingModelError.malformedTensor(
                path: path, tensor: name, reason: "shape is \(info.shape), the configuration needs \(expected)")
        }
        let count = info.elementCount
        let start = dataStart + info.dataRange.lowerBound
        // The data section need not be aligned for Float, so values are read byte-wise (memcpy or
        // loadUnaligned), never through a rebound pointer. Safetensors is little-endian, as are the
        // machines Swift runs this on; `littleEndian` conversions keep that explicit.
        return try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Float] in
            let base = raw.baseAddress! + start
            switch info.dtype {
            case "F32":
                return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for i in 0..<count {
                        buffer[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                    initialized = count
                }
            case "F16":
                return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for i in 0..<count {
                        buffer[i] = Self.halfToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    }
                    initialized = count
                }
            case "BF16":
                // bfloat16 is the top half of a float32.
                return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for i in 0..<count {
                        let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        buffer[i] = Float(bitPattern: UInt32(bits) << 16)
                    }
                    initialized = count
                }
            default:
                throw EmbeddingModelError.malformedTensor(
                    path: path, tensor: name, reason: "dtype \(info.dtype) is not a float type (F32, F16 or BF16 expected)")
            }
        }
    }

    /// IEEE 754 half precision to single, by bits: Swift's `Float16` is unavailable on Intel Macs.
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = Int(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
        }
    }
}
