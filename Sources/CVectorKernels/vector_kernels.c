// See include/vector_kernels.h. Plain C loops that the compiler vectorises; `target_clones`
// builds each hot function for AVX-512, AVX2 and baseline x86-64 and picks one at load time,
// so one binary runs everywhere and uses the widest instructions the machine has.
#include "vector_kernels.h"

#if defined(__x86_64__) && defined(__linux__)
#define PB_CLONES __attribute__((target_clones("avx512bw", "avx2", "default")))
#else
#define PB_CLONES
#endif

PB_CLONES
int32_t pb_dot_i8(const int8_t *a, const int8_t *b, size_t dim) {
    int32_t sum = 0;
    for (size_t i = 0; i < dim; i++) sum += (int16_t)a[i] * (int16_t)b[i];
    return sum;
}

// A min-heap of the k best (score, row) pairs seen so far: the root is the weakest winner, the
// one a new row must beat. Ties keep the earlier row, so results are deterministic.
static void sift_down(float *scores, int64_t *rows, size_t n, size_t i) {
    for (;;) {
        size_t smallest = i, l = 2 * i + 1, r = l + 1;
        if (l < n && (scores[l] < scores[smallest] || (scores[l] == scores[smallest] && rows[l] > rows[smallest]))) smallest = l;
        if (r < n && (scores[r] < scores[smallest] || (scores[r] == scores[smallest] && rows[r] > rows[smallest]))) smallest = r;
        if (smallest == i) return;
        float s = scores[i]; scores[i] = scores[smallest]; scores[smallest] = s;
        int64_t t = rows[i]; rows[i] = rows[smallest]; rows[smallest] = t;
        i = smallest;
    }
}

static void sift_up(float *scores, int64_t *rows, size_t i) {
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (scores[parent] < scores[i] || (scores[parent] == scores[i] && rows[parent] > rows[i])) return;
        float s = scores[i]; scores[i] = scores[parent]; scores[parent] = s;
        int64_t t = rows[i]; rows[i] = rows[parent]; rows[parent] = t;
        i = parent;
    }
}

// Offers (score, row) to the heap of the `k` best so far, `*n` of them.
static inline void offer(float score, int64_t row, size_t k, size_t *n, float *best_scores, int64_t *best_rows) {
    if (*n < k) {
        best_scores[*n] = score;
        best_rows[*n] = row;
        sift_up(best_scores, best_rows, *n);
        (*n)++;
    } else if (score > best_scores[0]) {
        best_scores[0] = score;
        best_rows[0] = row;
        sift_down(best_scores, best_rows, *n, 0);
    }
}

// Heap sort in place: repeatedly move the weakest to the end, which leaves the best first.
static void sort_best_first(float *best_scores, int64_t *best_rows, size_t n) {
    for (size_t end = n; end > 1; end--) {
        float s = best_scores[0]; best_scores[0] = best_scores[end - 1]; best_scores[end - 1] = s;
        int64_t t = best_rows[0]; best_rows[0] = best_rows[end - 1]; best_rows[end - 1] = t;
        sift_down(best_scores, best_rows, end - 1, 0);
    }
}

PB_CLONES
size_t pb_top_k_i8(const int8_t *codes, const float *scales, size_t count, size_t dim,
                   const int8_t *query, size_t skip, size_t k,
                   int64_t *best_rows, float *best_scores) {
    if (k == 0) return 0;
    size_t n = 0;
    for (size_t row = 0; row < count; row++) {
        if (row == skip) continue;
        const int8_t *v = codes + row * dim;
        int32_t dot = 0;
        for (size_t i = 0; i < dim; i++) dot += (int16_t)v[i] * (int16_t)query[i];
        offer(scales[row] * (float)dot, (int64_t)row, k, &n, best_scores, best_rows);
    }
    sort_best_first(best_scores, best_rows, n);
    return n;
}

PB_CLONES
size_t pb_top_k_i8_rows(const int8_t *codes, const float *scales, size_t dim, const int64_t *rows, size_t row_count,
                        const int8_t *query, size_t skip, size_t k, int64_t *best_rows, float *best_scores) {
    if (k == 0) return 0;
    size_t n = 0;
    for (size_t c = 0; c < row_count; c++) {
        size_t row = (size_t)rows[c];
        if (row == skip) continue;
        const int8_t *v = codes + row * dim;
        int32_t dot = 0;
        for (size_t i = 0; i < dim; i++) dot += (int16_t)v[i] * (int16_t)query[i];
        offer(scales[row] * (float)dot, (int64_t)row, k, &n, best_scores, best_rows);
    }
    sort_best_first(best_scores, best_rows, n);
    return n;
}

#if defined(__x86_64__) && defined(__linux__)
#define PB_POPCOUNT_CLONES __attribute__((target_clones("avx512vpopcntdq,avx512f", "popcnt", "default")))
#else
#define PB_POPCOUNT_CLONES
#endif

// Distances only: the loop the popcount instructions speed up.
PB_POPCOUNT_CLONES
static void hamming_distances(const uint64_t *signs, size_t count, size_t words, const uint64_t *query, uint16_t *distances) {
    for (size_t row = 0; row < count; row++) {
        const uint64_t *v = signs + row * words;
        unsigned d = 0;
        for (size_t w = 0; w < words; w++) d += (unsigned)__builtin_popcountll(v[w] ^ query[w]);
        distances[row] = (uint16_t)d;
    }
}

size_t pb_hamming_candidates(const uint64_t *signs, size_t count, size_t words, const uint64_t *query,
                             size_t wanted, uint16_t *distances, int64_t *candidates) {
    if (wanted > count) wanted = count;
    if (wanted == 0) return 0;
    hamming_distances(signs, count, words, query, distances);
    // A histogram of the distances (at most 64 * words, which callers keep small) gives the
    // cut-off without sorting: every row below it, then rows at it until `wanted` are taken.
    size_t bins = 64 * words + 1;
    size_t histogram[bins];
    for (size_t b = 0; b < bins; b++) histogram[b] = 0;
    for (size_t row = 0; row < count; row++) histogram[distances[row]]++;
    size_t cutoff = 0, below = 0;
    while (below + histogram[cutoff] < wanted) below += histogram[cutoff++];
    size_t at_cutoff = wanted - below, n = 0;
    for (size_t row = 0; row < count; row++) {
        uint16_t d = distances[row];
        if (d < cutoff || (d == cutoff && at_cutoff > 0)) {
            if (d == cutoff) at_cutoff--;
            candidates[n++] = (int64_t)row;
        }
    }
    return n;
}
