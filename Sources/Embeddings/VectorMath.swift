/// The element-wise steps of the forward pass, on raw rows. Matrix multiplies go to BLAS; these
/// loops are the rest, and are written so the compiler vectorises them: pointers rather than arrays
/// (no bounds checks), no calls into libm inside loops (`erff` and `expf` cost a fifth of the whole
/// pass when called per element), SIMD accumulators for sums (Swift does not reorder a scalar
/// floating-point sum, so it would stay serial).
enum VectorMath {
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var total = lanes.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, from mean: Float, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        let center = SIMD16<Float>(repeating: mean)
        var i = 0
        while i + 16 <= count {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - center
            lanes += d * d
            i += 16
        }
        var total = lanes.sum()
        while i < count {
            let d = x[i] - mean
            total += d * d
            i += 1
        }
        return total
    }

    /// In place: row = LayerNorm(row) · gamma + beta, with the biased variance, as PyTorch.
    static func layerNorm(
        _ row: UnsafeMutablePointer<Float>, count: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        let mean = sum(row, count: count) / Float(count)
        let variance = sumOfSquaredDeviations(row, from: mean, count: count) / Float(count)
        let inverse = 1 / (variance + epsilon).squareRoot()
        for j in 0..<count { row[j] = (row[j] - mean) * inverse * gamma[j] + beta[j] }
    }

    /// Four running maxima side by side: a single one is a serial chain of compares, and
    /// Swift's SIMD `pointwiseMax` is not lowered to vector instructions.
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m0 = -Float.infinity, m1 = m0, m2 = m0, m3 = m0
        var i = 0
        while i + 4 <= count {
            m0 = x[i] > m0 ? x[i] : m0
            m1 = x[i + 1] > m1 ? x[i + 1] : m1
            m2 = x[i + 2] > m2 ? x[i + 2] : m2
            m3 = x[i + 3] > m3 ? x[i + 3] : m3
            i += 4
        }
        while i < count {
            m0 = x[i] > m0 ? x[i] : m0
            i += 1
        }
        return max(max(m0, m1), max(m2, m3))
    }

    /// y[i] *= factor
    @inline(__always)
    static func scale(_ y: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        for i in 0..<count { y[i] *= factor }
    }

    /// z[i] = x[i] + y[i]
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { z[i] = x[i] + y[i] }
    }

    /// In place: row = 2^(row - max(row)), returning the sum of the new row. With scores scaled
    /// by log2(e) beforehand, that is softmax without its last division, which the caller applies
    /// where it is cheaper.
    static func powersOfTwo(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
        let largest = maximum(row, count: count)
        for i in 0..<count { row[i] = exp2(row[i] - largest) }
        return sum(row, count: count)
    }

    /// In place: x = GELU(x + bias) with the exact (erf) GELU, row by row.
    static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * columns
            for j in 0..<columns {
                let v = row[j] + bias[j]
                row[j] = 0.5 * v * (1 + erf(v * 0.70710678118654752))
            }
        }
    }

    /// In place: x = GELU_tanh(x + bias), the approximation some BERT variants were trained with.
    static func biasGELUTanh(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * columns
            for j in 0..<columns {
                let v = row[j] + bias[j]
                // tanh(u) = 1 - 2 / (exp(2u) + 1), with u clamped where tanh is ±1 in Float anyway.
                let u = min(max(0.79788456080286536 * (v + 0.044715 * v * v * v), -9), 9)
                row[j] = 0.5 * v * (2 - 2 / (exp(2 * u) + 1))
            }
        }
    }

    static func biasReLU(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * columns
            for j in 0..<columns { row[j] = max(row[j] + bias[j], 0) }
        }
    }

    /// erf(x) as x·P(x²)/Q(x²), a rational fit on [0, 4] made for this code (least squares on the
    /// relative residual, refined by reweighting): error below 4e-7 in Float (erff's is about
    /// 1e-7); beyond ±4 erf is ±1 to within 2e-8. Far below what the embeddings can show: they
    /// still match sentence-transformers' to a cosine of 0.9999995 or better on the fixtures.
    @inline(__always)
    static func erf(_ value: Float) -> Float {
        let x = min(max(value, -4), 4)
        let z = x * x
        var p: Float = -1.36950233383387e-08
        p = p * z + 4.787317654768488e-06
        p = p * z + 0.00038289863263304237
        p = p * z + 0.0038375582693787186
        p = p * z + 0.05432957883738521
        p = p * z + 0.1846421808456652
        p = p * z + 1.1283791828706156
        var q: Float = 6.407477200340475e-05
        q = q * z + 0.0013094628387332352
        q = q * z + 0.015450254739081496
        q = q * z + 0.11380346548496263
        q = q * z + 0.4969684267014757
        q = q * z + 1
        return x * p / q
    }

    /// 2^x for x <= 0 (below -126 the result is taken as 2^-126, which is 0 next to a row's largest
    /// term, 1): x = n + f with |f| <= 1/2, 2^f by a polynomial fitted for this code (relative error
    /// under 2.3e-7 in Float), and 2^n through the exponent bits.
    @inline(__always)
    static func exp2(_ value: Float) -> Float {
        let x = max(value, -126)
        // Adding 1.5·2^23 rounds x to an integer and leaves it in the low mantissa bits (see exp).
        let shifter: Float = 12_582_912
        let shifted = x + shifter
        let f = x - (shifted - shifter)
        var p: Float = 0.0013274837133161021
        p = p * f + 0.009675528155394415
        p = p * f + 0.05550718329657595
        p = p * f + 0.2402212005747174
        p = p * f + 0.6931469639752539
        p = p * f + 1.000000071550201
        let exponent = (shifted.bitPattern &- shifter.bitPattern) &+ 127
        return p * Float(bitPattern: exponent &<< 23)
    }

    /// e^x for the arguments tanh gives it (x <= 18; below -87 the result is taken as e^-87,
    /// which makes no difference to tanh). x = n·ln2 + r with |r| <= ln2/2, then
    /// e^r by its Taylor series to r^7 (relative error under 1e-8) and 2^n through the exponent bits.
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = max(value, -87)
        // Adding 1.5·2^23 rounds x·log2(e) to an integer and leaves it in the low mantissa bits;
        // this stays vectorisable where `rounded()` and Int32(_:) (which traps) do not.
        let shifter: Float = 12_582_912
        let shifted = x * 1.4426950408889634 + shifter
        let n = shifted - shifter
        let r = x - n * 0.693145751953125 - n * 1.428606765330187e-06
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = (shifted.bitPattern &- shifter.bitPattern) &+ 127
        return p * Float(bitPattern: exponent &<< 23)
    }
}
