/*
 * Attention over a paged KV cache. Plain C written so the compiler vectorizes the inner loops over head_dim;
 * at the sizes of small models (head_dim 64, a few hundred tokens) attention is a small share of a decode step
 * next to streaming the weights, so no hand-written SIMD path is kept here.
 */
#include "CEngineKernels.h"

#include <math.h>

static inline const float *bk_kv_row(const float *kv, long page_stride, const int *pages, int page_size, int t,
                                     long kv_dim) {
    return kv + (long)pages[t / page_size] * page_stride + (long)(t % page_size) * kv_dim;
}

void bk_attention(const float *q, float *out, int n_head, int n_kv_head, int head_dim, int head_begin, int head_end,
                  const float *kv, long page_stride, long v_offset, const int *pages, int page_size, int n_tokens,
                  float scale, float *scores) {
    if (n_kv_head <= 0 || n_head % n_kv_head != 0 || n_tokens <= 0) return;
    const int group = n_head / n_kv_head;
    const long kv_dim = (long)n_kv_head * head_dim;
    for (int h = head_begin; h < head_end; h++) {
        const long kv_head = (long)(h / group) * head_dim;
        const float *qh = q + (long)h * head_dim;
        float maximum = -INFINITY;
        for (int t = 0; t < n_tokens; t++) {
            const float *k = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + kv_head;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int d = 0;
            for (; d + 4 <= head_dim; d += 4) {
                s0 += qh[d] * k[d];
                s1 += qh[d + 1] * k[d + 1];
                s2 += qh[d + 2] * k[d + 2];
                s3 += qh[d + 3] * k[d + 3];
            }
            for (; d < head_dim; d++) s0 += qh[d] * k[d];
            const float s = ((s0 + s1) + (s2 + s3)) * scale;
            scores[t] = s;
            if (s > maximum) maximum = s;
        }
        float sum = 0;
        for (int t = 0; t < n_tokens; t++) {
            scores[t] = expf(scores[t] - maximum);
            sum += scores[t];
        }
        const float inverse = 1.0f / sum;
        float *o = out + (long)h * head_dim;
        for (int d = 0; d < head_dim; d++) o[d] = 0;
        for (int t = 0; t < n_tokens; t++) {
            const float w = scores[t] * inverse;
            const float *v = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + v_offset + kv_head;
            for (int d = 0; d < head_dim; d++) o[d] += w * v[d];
        }
    }
}
