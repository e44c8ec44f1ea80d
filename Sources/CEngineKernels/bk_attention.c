/*
 * Attention over a paged KV cache. For each query head: scores q.k over the cached tokens, a softmax, and the
 * weighted sum of the values. The AVX2 path vectorizes the dot products and the value accumulation over the head
 * dimension (8 floats at a time, fused multiply-add); the scalar path is the reference and runs everywhere else.
 * Prefill attention grows with the square of the prompt length, so on a 512-token prompt this matters next to
 * the matmuls.
 */
#include "CEngineKernels.h"
#include "bk_blocks.h"

#include <math.h>

#if BK_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

static inline const float *bk_kv_row(const float *kv, long page_stride, const int *pages, int page_size, int t,
                                     long kv_dim) {
    return kv + (long)pages[t / page_size] * page_stride + (long)(t % page_size) * kv_dim;
}

/* Softmax of scores[0..n) in place, returning nothing; the caller scales by the returned inverse sum. */
static float bk_softmax_unnormalized(float *scores, int n, float maximum) {
    float sum = 0;
    for (int t = 0; t < n; t++) {
        scores[t] = expf(scores[t] - maximum);
        sum += scores[t];
    }
    return 1.0f / sum;
}

static void bk_attention_scalar(const float *q, float *out, int n_head, int n_kv_head, int head_dim, int head_begin,
                                int head_end, const float *kv, long page_stride, long v_offset, const int *pages,
                                int page_size, int n_tokens, float scale, float *scores) {
    const int group = n_head / n_kv_head;
    const long kv_dim = (long)n_kv_head * head_dim;
    for (int h = head_begin; h < head_end; h++) {
        const long kv_head = (long)(h / group) * head_dim;
        const float *qh = q + (long)h * head_dim;
        float maximum = -INFINITY;
        for (int t = 0; t < n_tokens; t++) {
            const float *k = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + kv_head;
            float s = 0;
            for (int d = 0; d < head_dim; d++) s += qh[d] * k[d];
            s *= scale;
            scores[t] = s;
            if (s > maximum) maximum = s;
        }
        const float inverse = bk_softmax_unnormalized(scores, n_tokens, maximum);
        float *o = out + (long)h * head_dim;
        for (int d = 0; d < head_dim; d++) o[d] = 0;
        for (int t = 0; t < n_tokens; t++) {
            const float w = scores[t] * inverse;
            const float *v = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + v_offset + kv_head;
            for (int d = 0; d < head_dim; d++) o[d] += w * v[d];
        }
    }
}

#if BK_HAVE_AVX2_PATH
BK_AVX2 static void bk_attention_avx2(const float *q, float *out, int n_head, int n_kv_head, int head_dim,
                                      int head_begin, int head_end, const float *kv, long page_stride, long v_offset,
                                      const int *pages, int page_size, int n_tokens, float scale, float *scores) {
    const int group = n_head / n_kv_head;
    const long kv_dim = (long)n_kv_head * head_dim;
    const int vector_end = head_dim / 8 * 8;
    for (int h = head_begin; h < head_end; h++) {
        const long kv_head = (long)(h / group) * head_dim;
        const float *qh = q + (long)h * head_dim;
        float maximum = -INFINITY;
        for (int t = 0; t < n_tokens; t++) {
            const float *k = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + kv_head;
            __m256 acc = _mm256_setzero_ps();
            for (int d = 0; d < vector_end; d += 8) {
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(qh + d), _mm256_loadu_ps(k + d), acc);
            }
            __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
            sum4 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
            sum4 = _mm_add_ss(sum4, _mm_movehdup_ps(sum4));
            float s = _mm_cvtss_f32(sum4);
            for (int d = vector_end; d < head_dim; d++) s += qh[d] * k[d];
            s *= scale;
            scores[t] = s;
            if (s > maximum) maximum = s;
        }
        const float inverse = bk_softmax_unnormalized(scores, n_tokens, maximum);
        float *o = out + (long)h * head_dim;
        for (int d = 0; d < head_dim; d++) o[d] = 0;
        for (int t = 0; t < n_tokens; t++) {
            const float w = scores[t] * inverse;
            const __m256 wv = _mm256_set1_ps(w);
            const float *v = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + v_offset + kv_head;
            for (int d = 0; d < vector_end; d += 8) {
                _mm256_storeu_ps(o + d, _mm256_fmadd_ps(wv, _mm256_loadu_ps(v + d), _mm256_loadu_ps(o + d)));
            }
            for (int d = vector_end; d < head_dim; d++) o[d] += w * v[d];
        }
    }
}
#endif

void bk_attention(bk_isa isa, const float *q, float *out, int n_head, int n_kv_head, int head_dim, int head_begin,
                  int head_end, const float *kv, long page_stride, long v_offset, const int *pages, int page_size,
                  int n_tokens, float scale, float *scores) {
    if (n_kv_head <= 0 || n_head % n_kv_head != 0 || n_tokens <= 0) return;
#if BK_HAVE_AVX2_PATH
    if (bk_resolve_isa(isa) == BK_ISA_AVX2) {
        bk_attention_avx2(q, out, n_head, n_kv_head, head_dim, head_begin, head_end, kv, page_stride, v_offset, pages,
                          page_size, n_tokens, scale, scores);
        return;
    }
#endif
    bk_attention_scalar(q, out, n_head, n_kv_head, head_dim, head_begin, head_end, kv, page_stride, v_offset, pages,
                        page_size, n_tokens, scale, scores);
}
