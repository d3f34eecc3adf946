// See include/matrix_kernels.h.
//
// The product is blocked the usual way for a register-tiled kernel:
// - The weights are packed once into panels of PB_NR output columns. Within a panel, each pair
//   of inputs (k, k+1) of each column is one 32-bit word (two bfloat16, k in the low half), the
//   PB_NR words of one pair side by side: that is the operand `vdpbf16ps` multiplies pairwise.
// - The input is converted per call, PB_MC rows at a time (a block that stays in L2), into
//   micro-panels of PB_MR rows: for each pair (k, k+1), the PB_MR rows' words side by side, so
//   the kernel reads them in order and broadcasts each to all lanes.
// - The micro-kernel keeps a PB_MR × PB_NR tile of float32 sums in zmm registers over all of k,
//   one `vdpbf16ps` (32 multiply-adds) per row and 16 columns per pair of k. For each panel
//   of weights (which then stays in L1), it runs over every micro-panel of the input block.
// Rows and columns beyond m and n are zero padding, computed and never stored; an odd k gets a
// zero pair partner, which adds nothing.
#include "matrix_kernels.h"

#include <string.h>

#ifndef PB_MR
#define PB_MR 12
#endif
#ifndef PB_NR
#define PB_NR 32
#endif
#define PB_NV (PB_NR / 16)
// Bytes of converted input per block: half of L2 on the CPUs that have AVX512-BF16 (1-2 MiB).
#define PB_BLOCK_BYTES (256 * 1024)

static size_t pairs_of(size_t k) { return (k + 1) / 2; }

static size_t block_rows(size_t k) {
    size_t pairs = pairs_of(k) > 0 ? pairs_of(k) : 1;
    size_t rows = PB_BLOCK_BYTES / (pairs * 4) / PB_MR * PB_MR;
    return rows < PB_MR ? PB_MR : rows;
}

size_t pb_bf16_packed_weights_count(size_t n, size_t k) {
    size_t panels = (n + PB_NR - 1) / PB_NR;
    return panels * pairs_of(k) * PB_NR * 2;
}

size_t pb_bf16_scratch_count(size_t k) {
    return block_rows(k) * pairs_of(k) * 2;
}

// Round to nearest, ties to even, as the hardware conversion does (NaNs do not occur here).
static uint16_t bf16_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    bits += 0x7FFF + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

void pb_bf16_pack_weights(const float *weights, size_t n, size_t k, uint16_t *packed) {
    size_t pairs = pairs_of(k);
    size_t panels = (n + PB_NR - 1) / PB_NR;
    for (size_t panel = 0; panel < panels; panel++) {
        uint16_t *out = packed + panel * pairs * PB_NR * 2;
        for (size_t p = 0; p < pairs; p++) {
            for (size_t c = 0; c < PB_NR; c++) {
                size_t column = panel * PB_NR + c;
                size_t i = 2 * p;
                float low = column < n ? weights[column * k + i] : 0;
                float high = column < n && i + 1 < k ? weights[column * k + i + 1] : 0;
                out[(p * PB_NR + c) * 2] = bf16_from_float(low);
                out[(p * PB_NR + c) * 2 + 1] = bf16_from_float(high);
            }
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <cpuid.h>
#include <immintrin.h>

#define PB_BF16 __attribute__((target("avx512f,avx512bf16,avx512bw,avx512vl")))

// Checked by hand rather than with __builtin_cpu_supports: that depends on the runtime library
// (libgcc or compiler-rt) knowing the feature, and on Linux clang links libgcc's.
static bool detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    bool osxsave = c & (1u << 27);
    if (!osxsave) return false;
    // The OS must save the SSE, AVX, opmask and both halves of the zmm state (XCR0 bits 1, 2, 5-7).
    unsigned xcr0_low, xcr0_high;
    __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xE6) != 0xE6) return false;
    if (__get_cpuid_max(0, 0) < 7) return false;
    __cpuid_count(7, 0, a, b, c, d);
    bool f = b & (1u << 16), bw = b & (1u << 30), vl = b & (1u << 31);
    __cpuid_count(7, 1, a, b, c, d);
    bool bf16 = a & (1u << 5);
    return f && bw && vl && bf16;
}

bool pb_bf16_available(void) {
    // Racing first calls compute the same answer; the int is written whole.
    static volatile int known = -1;
    if (known < 0) known = detect() ? 1 : 0;
    return known == 1;
}

// Converts rows [0, rows) of `input` (k wide) into micro-panels at `out`, padding rows up to a
// multiple of PB_MR with zeros.
PB_BF16 static void pack_input(const float *input, size_t rows, size_t k, size_t stride, uint32_t *out) {
    size_t pairs = pairs_of(k);
    size_t panels = (rows + PB_MR - 1) / PB_MR;
    uint32_t words[16];
    for (size_t r = 0; r < panels * PB_MR; r++) {
        uint32_t *panel = out + (r / PB_MR) * pairs * PB_MR + r % PB_MR;
        if (r >= rows) {
            for (size_t p = 0; p < pairs; p++) panel[p * PB_MR] = 0;
            continue;
        }
        const float *row = input + r * stride;
        // 32 floats at a time become 16 words of two bfloat16 each; the tail is loaded masked
        // (zeros beyond k, which also gives an odd k its zero partner).
        for (size_t i = 0; i < k; i += 32) {
            size_t left = k - i;
            __mmask16 low_mask = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
            __mmask16 high_mask = left >= 32 ? 0xFFFF : left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1);
            __m512 low = _mm512_maskz_loadu_ps(low_mask, row + i);
            __m512 high = _mm512_maskz_loadu_ps(high_mask, row + i + 16);
            __m512bh converted = _mm512_cvtne2ps_pbh(high, low);
            _mm512_storeu_si512((void *)words, (__m512i)converted);
            size_t count = left >= 32 ? 16 : (left + 1) / 2;
            uint32_t *to = panel + (i / 2) * PB_MR;
            for (size_t w = 0; w < count; w++) to[w * PB_MR] = words[w];
        }
    }
}

// One PB_MR × PB_NR tile of the output over all `pairs`; only `rows` × `columns` of it are stored.
PB_BF16 static inline __attribute__((always_inline)) void tile(
    const uint32_t *a, const uint32_t *b, size_t pairs,
    float *c, size_t ldc, size_t rows, size_t columns, bool accumulate
) {
    // Fully unrolled (the pragmas), so that `sum` lives in registers rather than on the stack.
    __m512 sum[PB_MR][PB_NV];
#pragma GCC unroll 16
    for (int r = 0; r < PB_MR; r++)
#pragma GCC unroll 4
        for (int v = 0; v < PB_NV; v++) sum[r][v] = _mm512_setzero_ps();
    for (size_t p = 0; p < pairs; p++) {
        __m512bh w[PB_NV];
#pragma GCC unroll 4
        for (int v = 0; v < PB_NV; v++) w[v] = (__m512bh)_mm512_loadu_si512((const void *)(b + v * 16));
#pragma GCC unroll 16
        for (int r = 0; r < PB_MR; r++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[r]);
#pragma GCC unroll 4
            for (int v = 0; v < PB_NV; v++) sum[r][v] = _mm512_dpbf16_ps(sum[r][v], x, w[v]);
        }
        a += PB_MR;
        b += PB_NR;
    }
    if (rows == PB_MR && columns == PB_NR) {
#pragma GCC unroll 16
        for (int r = 0; r < PB_MR; r++) {
#pragma GCC unroll 4
            for (int v = 0; v < PB_NV; v++) {
                float *to = c + r * ldc + v * 16;
                __m512 value = accumulate ? _mm512_add_ps(sum[r][v], _mm512_loadu_ps(to)) : sum[r][v];
                _mm512_storeu_ps(to, value);
            }
        }
        return;
    }
#pragma GCC unroll 16
    for (int r = 0; r < PB_MR; r++) {
        if ((size_t)r >= rows) break;
#pragma GCC unroll 4
        for (int v = 0; v < PB_NV; v++) {
            size_t first = (size_t)v * 16;
            if (first >= columns) break;
            size_t left = columns - first;
            __mmask16 mask = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
            float *to = c + r * ldc + first;
            __m512 value = accumulate ? _mm512_add_ps(sum[r][v], _mm512_maskz_loadu_ps(mask, to)) : sum[r][v];
            _mm512_mask_storeu_ps(to, mask, value);
        }
    }
}

PB_BF16 static void linear(const float *input, size_t m, size_t k, size_t input_stride,
                           const uint16_t *packed_weights, size_t n,
                           float *output, size_t output_stride, bool accumulate, uint16_t *scratch) {
    size_t pairs = pairs_of(k);
    size_t block = block_rows(k);
    size_t panels = (n + PB_NR - 1) / PB_NR;
    const uint32_t *weights = (const uint32_t *)packed_weights;
    uint32_t *packed = (uint32_t *)scratch;
    for (size_t first = 0; first < m; first += block) {
        size_t rows = m - first < block ? m - first : block;
        pack_input(input + first * input_stride, rows, k, input_stride, packed);
        for (size_t panel = 0; panel < panels; panel++) {
            size_t column = panel * PB_NR;
            size_t columns = n - column < PB_NR ? n - column : PB_NR;
            const uint32_t *b = weights + panel * pairs * PB_NR;
            for (size_t r = 0; r < rows; r += PB_MR) {
                size_t tile_rows = rows - r < PB_MR ? rows - r : PB_MR;
                tile(packed + (r / PB_MR) * pairs * PB_MR, b, pairs,
                     output + (first + r) * output_stride + column, output_stride, tile_rows, columns, accumulate);
            }
        }
    }
}

void pb_bf16_linear(const float *input, size_t m, size_t k, size_t input_stride,
                    const uint16_t *packed_weights, size_t n,
                    float *output, size_t output_stride, bool accumulate, uint16_t *scratch) {
    if (m == 0 || n == 0) return;
    linear(input, m, k, input_stride, packed_weights, n, output, output_stride, accumulate, scratch);
}

#else

bool pb_bf16_available(void) { return false; }

void pb_bf16_linear(const float *input, size_t m, size_t k, size_t input_stride,
                    const uint16_t *packed_weights, size_t n,
                    float *output, size_t output_stride, bool accumulate, uint16_t *scratch) {
    (void)input; (void)m; (void)k; (void)input_stride; (void)packed_weights; (void)n;
    (void)output; (void)output_stride; (void)accumulate; (void)scratch;
}

#endif
