import CMatrixKernels
@testable import Embeddings
import Testing

/// The bfloat16 linear-layer kernel against a plain product of the same bfloat16-rounded inputs,
/// on shapes that are not multiples of its tiles (rows, columns, or the pairs of k it works in).
@Suite(.enabled(if: MatrixPrecision.bfloat16Available, "the CPU has no AVX512-BF16"))
struct BFloat16KernelTests {
    /// (rows m, out features n, in features k)
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 1, 2), (5, 3, 7), (13, 45, 19), (37, 50, 385), (100, 33, 64), (301, 70, 3), (25, 97, 1537), (64, 96, 384),
    ]

    @Test(arguments: 0..<shapes.count, [false, true])
    func matchesAPlainProductOfRoundedInputs(shape index: Int, accumulate: Bool) throws {
        let (m, n, k) = Self.shapes[index]
        var random = SplitMix64(seed: UInt64(index * 2 + (accumulate ? 1 : 0)))
        // Rows wider than the matrices, so strides are honoured and the columns beyond n kept.
        let inputStride = k + 5, outputStride = n + 3
        let input = (0..<(m * inputStride)).map { _ in Float.random(in: -2...2, using: &random) }
        let weights = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &random) }
        let initial = (0..<(m * outputStride)).map { _ in Float.random(in: -1...1, using: &random) }

        var packed = [UInt16](repeating: 0, count: pb_bf16_packed_weights_count(n, k))
        pb_bf16_pack_weights(weights, n, k, &packed)
        var scratch = [UInt16](repeating: 0, count: pb_bf16_scratch_count(k))
        var output = initial
        pb_bf16_linear(input, m, k, inputStride, packed, n, &output, outputStride, accumulate, &scratch)

        for row in 0..<m {
            for column in 0..<outputStride {
                let at = row * outputStride + column
                guard column < n else {
                    #expect(output[at] == initial[at], "wrote past column \(n) at row \(row)")
                    continue
                }
                var exact = accumulate ? Double(initial[at]) : 0
                var magnitude = abs(exact)
                for i in 0..<k {
                    let product = Double(roundedToBFloat16(input[row * inputStride + i])) * Double(roundedToBFloat16(weights[column * k + i]))
                    exact += product
                    magnitude += abs(product)
                }
                // Float32 sums over k terms; rounding the inputs differently (truncating, say)
                // would be off by about 1e-3 of the magnitude.
                let error = abs(Double(output[at]) - exact)
                #expect(error <= 1e-6 * magnitude + 1e-6, "m \(m) n \(n) k \(k): \(output[at]) against \(exact) at [\(row), \(column)]")
            }
        }
    }

    @Test func roundsInputsAndWeightsToNearestEven() {
        // 1 + 2^-8 lies halfway between the bfloat16 values 1 and 1 + 2^-7: ties go to the even
        // one, 1; 1 + 3·2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6, and goes to 1 + 2^-6.
        let tie: Float = 1 + 0x1p-8
        let oddTie: Float = 1 + 3 * 0x1p-8
        // Rows [tie, oddTie] and [1, 1] against weight rows [1, 0], [0, 1] and [tie, oddTie].
        let weights: [Float] = [1, 0, 0, 1, tie, oddTie]
        var packed = [UInt16](repeating: 0, count: pb_bf16_packed_weights_count(3, 2))
        pb_bf16_pack_weights(weights, 3, 2, &packed)
        var scratch = [UInt16](repeating: 0, count: pb_bf16_scratch_count(2))
        var output = [Float](repeating: 0, count: 6)
        pb_bf16_linear([tie, oddTie, 1, 1], 2, 2, 2, packed, 3, &output, 3, false, &scratch)
        let up: Float = 1 + 0x1p-6  // oddTie, rounded
        let expected: [Float] = [1, up, 1 + up * up, 1, 1, 1 + up]
        #expect(output == expected)
        #expect(roundedToBFloat16(tie) == 1)
        #expect(roundedToBFloat16(oddTie) == up)
    }

    @Test func packsUnusedColumnsAndTheOddPartnerAsZeros() {
        // A single weight 3 with k = 1 and n = 1: the packed panel must multiply to exactly 3.
        var packed = [UInt16](repeating: 0xFFFF, count: pb_bf16_packed_weights_count(1, 1))
        pb_bf16_pack_weights([3], 1, 1, &packed)
        var scratch = [UInt16](repeating: 0, count: pb_bf16_scratch_count(1))
        var output: [Float] = [0]
        pb_bf16_linear([2], 1, 1, 1, packed, 1, &output, 1, false, &scratch)
        #expect(output == [6])
        #expect(packed.filter { $0 != 0 }.count == 1)
    }
}

@Suite struct MatrixPrecisionTests {
    @Test func theEnvironmentCanForceFloat32() {
        #expect(MatrixPrecision.preferred(environment: ["PAPERBOY_EMBED_FP32": "1"]) == .float32)
        let automatic: MatrixPrecision = MatrixPrecision.bfloat16Available ? .bfloat16 : .float32
        #expect(MatrixPrecision.preferred(environment: [:]) == automatic)
        #expect(MatrixPrecision.preferred(environment: ["PAPERBOY_EMBED_FP32": "0"]) == automatic)
    }

    @Test func bfloat16IsUsedWhereTheCPUHasItAndFloat32Elsewhere() throws {
        let embedder = try TestModel.embedder(precision: .bfloat16)
        #expect(embedder.precision == (MatrixPrecision.bfloat16Available ? .bfloat16 : .float32))
        #expect(try TestModel.embedder(precision: .float32).precision == .float32)
    }
}

/// Round to nearest, ties to even: what the kernel does to its inputs and weights.
func roundedToBFloat16(_ value: Float) -> Float {
    let bits = value.bitPattern
    let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
    return Float(bitPattern: rounded)
}

/// A small seeded generator, so failures can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
