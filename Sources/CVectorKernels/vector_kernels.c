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
        float score = scales[row] * (float)dot;
        if (n < k) {
            best_scores[n] = score;
            best_rows[n] = (int64_t)row;
            sift_up(best_scores, best_rows, n);
            n++;
        } else if (score > best_scores[0]) {
            best_scores[0] = score;
            best_rows[0] = (int64_t)row;
            sift_down(best_scores, best_rows, n, 0);
        }
    }
    // Heap sort in place: repeatedly move the weakest to the end, which leaves the best first.
    for (size_t end = n; end > 1; end--) {
        float s = best_scores[0]; best_scores[0] = best_scores[end - 1]; best_scores[end - 1] = s;
        int64_t t = best_rows[0]; best_rows[0] = best_rows[end - 1]; best_rows[end - 1] = t;
        sift_down(best_scores, best_rows, end - 1, 0);
    }
    return n;
}
