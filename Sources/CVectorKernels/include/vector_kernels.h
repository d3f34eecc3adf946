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

#endif
