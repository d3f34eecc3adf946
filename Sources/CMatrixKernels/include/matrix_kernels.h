// Matrix products in bfloat16 for the embedder's linear layers (Sources/Embeddings).
//
// A linear layer computes output = input · weightᵀ with PyTorch's [out × in] weight layout. Here
// the inputs and the weights are rounded to bfloat16 (round to nearest even) and multiplied with
// AVX512-BF16's dot-product instruction, which accumulates in float32: twice the multiplies per
// instruction of float32 FMA, with the 8-bit mantissa of bfloat16 as the price. The weights are
// converted and laid out for the kernel once (`pb_bf16_pack_weights`); the input is converted on
// each call, into scratch memory the caller owns, so the calls are safe from several threads at
// once (each with its own scratch) and never allocate.
//
// Only x86-64 CPUs with AVX512-BF16 (AMD Zen 4 and later, Intel Cooper Lake and Sapphire Rapids
// and later) run these kernels; callers check `pb_bf16_available` and use float32 BLAS otherwise.
#ifndef PAPERBOY_MATRIX_KERNELS_H
#define PAPERBOY_MATRIX_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// Whether this CPU and operating system can run the kernels below (AVX-512 F, BW, VL and BF16,
/// with the AVX-512 register state enabled by the OS). Cheap after the first call.
bool pb_bf16_available(void);

/// How many uint16 elements `pb_bf16_pack_weights` writes for an [n × k] weight matrix.
size_t pb_bf16_packed_weights_count(size_t n, size_t k);

/// Converts an [n × k] row-major float32 weight matrix to bfloat16 in the kernel's layout, into
/// `packed` (`pb_bf16_packed_weights_count(n, k)` elements). Plain C: runs on any CPU.
void pb_bf16_pack_weights(const float *weights, size_t n, size_t k, uint16_t *packed);

/// How many uint16 elements of scratch memory `pb_bf16_linear` needs for inputs `k` wide (any
/// number of rows).
size_t pb_bf16_scratch_count(size_t k);

/// output = input · weightᵀ, or output += input · weightᵀ when `accumulate`: `input` is [m × k]
/// float32 with rows `input_stride` apart, `packed_weights` an [n × k] matrix from
/// `pb_bf16_pack_weights`, `output` [m × n] float32 with rows `output_stride` apart. `scratch`
/// holds `pb_bf16_scratch_count(k)` elements and is used by this call alone. Single-threaded.
/// Requires `pb_bf16_available()`.
void pb_bf16_linear(const float *input, size_t m, size_t k, size_t input_stride,
                    const uint16_t *packed_weights, size_t n,
                    float *output, size_t output_stride, bool accumulate, uint16_t *scratch);

#endif
