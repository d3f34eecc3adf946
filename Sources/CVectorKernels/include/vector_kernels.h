// Scoring kernels for Paperboy's in-memory vector index (Sources/SemanticSearch).
//
// Vectors are stored quantised: one signed byte per dimension plus one float scale per vector,
// so that vector ~= scale * codes. The score of a stored vector against a query (also
// quantised) is scale * dot(codes, query codes); the query's own scale is the same for every
// vector and is left out, since only the order matters.
#ifndef PAPERBOY_VECTOR_KERNELS_H
#define PAPERBOY_VECTOR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The exact dot product of two int8 vectors of length `dim`.
int32_t pb_dot_i8(const int8_t *a, const int8_t *b, size_t dim);

/// Scans `count` vectors (row-major, `dim` codes each, with one scale each) and keeps the `k`
/// best scores against `query`. Rows whose index equals `skip` are left out (pass SIZE_MAX to
/// keep every row). Writes the winners, best first, to `best_rows` (indexes into the scanned
/// range) and `best_scores`, and returns how many it wrote: min(k, count, rows not skipped).
size_t pb_top_k_i8(const int8_t *codes, const float *scales, size_t count, size_t dim,
                   const int8_t *query, size_t skip, size_t k,
                   int64_t *best_rows, float *best_scores);

/// The sign bits of vectors (one bit per dimension, `words` 64-bit words per vector) serve as a
/// prefilter at scale: the Hamming distance between sign codes follows the angle between the
/// vectors, and costs an eighth of the int8 scan's memory traffic.
///
/// Of the `count` sign codes, picks the `wanted` nearest to `query` by Hamming distance (ties at
/// the cut-off distance: the earlier rows) and writes their indexes, in row order, to
/// `candidates`; returns how many it wrote (min(wanted, count)). `distances` is scratch memory
/// for `count` values.
size_t pb_hamming_candidates(const uint64_t *signs, size_t count, size_t words, const uint64_t *query,
                             size_t wanted, uint16_t *distances, int64_t *candidates);

/// Like pb_top_k_i8, over the listed rows only (`rows`, `row_count` of them, indexes into
/// `codes`): the exact int8 scores of the prefilter's candidates. Rows equal to `skip` are left
/// out. The winners' rows are written as given (indexes into `codes`).
size_t pb_top_k_i8_rows(const int8_t *codes, const float *scales, size_t dim, const int64_t *rows, size_t row_count,
                        const int8_t *query, size_t skip, size_t k, int64_t *best_rows, float *best_scores);

#endif
