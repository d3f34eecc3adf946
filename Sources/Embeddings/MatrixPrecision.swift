import CMatrixKernels
import Foundation

/// The number format of the encoder's linear layers (query/key/value, attention output and the
/// two feed-forward matrices), which hold nearly all of its arithmetic. Attention, LayerNorm,
/// GELU and pooling stay in Float32 either way.
public enum MatrixPrecision: String, Sendable, CaseIterable {
    /// Float32 products on OpenBLAS: the reference, within a cosine of 1 - 1e-6 of
    /// sentence-transformers.
    case float32
    /// Inputs and weights rounded to bfloat16, sums in Float32, on the AVX512-BF16 kernel of
    /// `CMatrixKernels`: about twice the speed of Float32 products, and the embedding moves by a
    /// cosine of a few 1e-5 (at least 0.9999 with sentence-transformers on the test fixtures).
    case bfloat16

    /// Whether this CPU runs the bfloat16 kernel (AVX512-BF16: AMD Zen 4 and later, recent Intel
    /// Xeons).
    public static var bfloat16Available: Bool { pb_bf16_available() }

    /// What an embedder uses unless told otherwise: bfloat16 where the CPU has it, Float32 where
    /// it has not, or where the environment sets `PAPERBOY_EMBED_FP32` (to anything but "0"), to
    /// compare the two or to get the reference numbers back.
    public static var preferred: MatrixPrecision {
        preferred(environment: ProcessInfo.processInfo.environment)
    }

    static func preferred(environment: [String: String]) -> MatrixPrecision {
        if let value = environment["PAPERBOY_EMBED_FP32"], !value.isEmpty, value != "0" { return .float32 }
        return bfloat16Available ? .bfloat16 : .float32
    }

    /// `self` where the CPU runs it, else Float32, the path every CPU has.
    var supported: MatrixPrecision {
        self == .bfloat16 && !Self.bfloat16Available ? .float32 : self
    }
}
