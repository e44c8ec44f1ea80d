/*
 * Attention over a paged KV cache of IEEE halves. For each query head: scores q.k over the cached tokens, a
 * softmax, and the weighted sum of the values. The AVX2 path widens eight halves at a time (F16C) and vectorizes
 * the dot products and the value accumulation over the head dimension (fused multiply-add); the scalar path is
 * the reference and runs everywhere else. Attention reads every cached token of every sequence at every step, so
 * with many sequences of a few hundred tokens the cache, not the weights, is most of a step's memory traffic;
 * halves make that traffic half of what F32 would be. On CPUs with AVX-512 the heads of size 64 that share a KV
 * head are scored together, so each key and value is widened once per group, not once per query head.
 */
#include "CEngineKernels.h"
#include "bk_blocks.h"

#include <math.h>

/* Most query heads that share one pass over their KV head's keys and values (bk_attention_group64); it sizes the
 * score scratch on every CPU, so it is defined outside the AVX paths. */
#define BK_ATTENTION_GROUP 3

#if BK_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

static inline const uint16_t *bk_kv_row(const uint16_t *kv, long page_stride, const int *pages, int page_size,
                                        int t, long kv_dim) {
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
                                int head_end, const uint16_t *kv, long page_stride, long v_offset, const int *pages,
                                int page_size, int n_tokens, float scale, float *scores) {
    const int group = n_head / n_kv_head;
    const long kv_dim = (long)n_kv_head * head_dim;
    for (int h = head_begin; h < head_end; h++) {
        const long kv_head = (long)(h / group) * head_dim;
        const float *qh = q + (long)h * head_dim;
        float maximum = -INFINITY;
        for (int t = 0; t < n_tokens; t++) {
            const uint16_t *k = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + kv_head;
            float s = 0;
            for (int d = 0; d < head_dim; d++) s += qh[d] * bk_fp16_to_fp32(k[d]);
            s *= scale;
            scores[t] = s;
            if (s > maximum) maximum = s;
        }
        const float inverse = bk_softmax_unnormalized(scores, n_tokens, maximum);
        float *o = out + (long)h * head_dim;
        for (int d = 0; d < head_dim; d++) o[d] = 0;
        for (int t = 0; t < n_tokens; t++) {
            const float w = scores[t] * inverse;
            const uint16_t *v = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + v_offset + kv_head;
            for (int d = 0; d < head_dim; d++) o[d] += w * bk_fp16_to_fp32(v[d]);
        }
    }
}

#if BK_HAVE_AVX2_PATH
/* Eight halves widened to floats. */
BK_AVX2 static inline __m256 bk_load_halves8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

/* bk_softmax_unnormalized with the eight-lane e^x; the tail runs through a padded buffer. */
BK_AVX2 static float bk_softmax_unnormalized_avx2(float *scores, int n, float maximum) {
    const __m256 m = _mm256_set1_ps(maximum);
    __m256 sum8 = _mm256_setzero_ps();
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        const __m256 e = bk_exp8(_mm256_sub_ps(_mm256_loadu_ps(scores + t), m));
        _mm256_storeu_ps(scores + t, e);
        sum8 = _mm256_add_ps(sum8, e);
    }
    float sum = bk_hsum8(sum8);
    if (t < n) {
        float tail[8] = {0};
        for (int j = 0; j < n - t; j++) tail[j] = scores[t + j];
        _mm256_storeu_ps(tail, bk_exp8(_mm256_sub_ps(_mm256_loadu_ps(tail), m)));
        for (int j = 0; j < n - t; j++) {
            scores[t + j] = tail[j];
            sum += tail[j];
        }
    }
    return 1.0f / sum;
}

/* Head size 64 (SmolLM2, Llama-style small models): the query and the output stay in eight registers each, and
 * four keys are scored per pass, so the horizontal sums are shared four ways. */
BK_AVX2 static void bk_attention_head64(const float *qh, float *o, const uint16_t *kv, long page_stride, long v_offset,
                                        const int *pages, int page_size, int n_tokens, long kv_dim, long kv_head,
                                        float scale, float *scores) {
    __m256 q[8];
    for (int d = 0; d < 8; d++) q[d] = _mm256_loadu_ps(qh + 8 * d);
    float maximum = -INFINITY;
    int t = 0;
    for (; t + 4 <= n_tokens; t += 4) {
        __m256 acc[4];
        for (int j = 0; j < 4; j++) {
            const uint16_t *k = bk_kv_row(kv, page_stride, pages, page_size, t + j, kv_dim) + kv_head;
            __m256 a = _mm256_mul_ps(q[0], bk_load_halves8(k));
            for (int d = 1; d < 8; d++) a = _mm256_fmadd_ps(q[d], bk_load_halves8(k + 8 * d), a);
            acc[j] = a;
        }
        /* Lanes of h: (t0 t0 t1 t1 | t0 t0 t1 t1) pairs, then all four tokens per 128-bit half. */
        const __m256 h01 = _mm256_hadd_ps(acc[0], acc[1]);
        const __m256 h23 = _mm256_hadd_ps(acc[2], acc[3]);
        const __m256 h = _mm256_hadd_ps(h01, h23);
        const __m128 s4 = _mm_mul_ps(_mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)),
                                     _mm_set1_ps(scale));
        _mm_storeu_ps(scores + t, s4);
        for (int j = 0; j < 4; j++)
            if (scores[t + j] > maximum) maximum = scores[t + j];
    }
    for (; t < n_tokens; t++) {
        const uint16_t *k = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + kv_head;
        __m256 a = _mm256_mul_ps(q[0], bk_load_halves8(k));
        for (int d = 1; d < 8; d++) a = _mm256_fmadd_ps(q[d], bk_load_halves8(k + 8 * d), a);
        const float s = bk_hsum8(a) * scale;
        scores[t] = s;
        if (s > maximum) maximum = s;
    }
    const float inverse = bk_softmax_unnormalized_avx2(scores, n_tokens, maximum);
    __m256 out[8];
    for (int d = 0; d < 8; d++) out[d] = _mm256_setzero_ps();
    for (t = 0; t < n_tokens; t++) {
        const __m256 w = _mm256_set1_ps(scores[t] * inverse);
        const uint16_t *v = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + v_offset + kv_head;
        for (int d = 0; d < 8; d++) out[d] = _mm256_fmadd_ps(w, bk_load_halves8(v + 8 * d), out[d]);
    }
    for (int d = 0; d < 8; d++) _mm256_storeu_ps(o + 8 * d, out[d]);
}

#define BK_AVX512VL __attribute__((target("avx2,fma,f16c,avx512f,avx512vl")))

/* Head size 64 on CPUs with AVX-512 (32 vector registers): G <= 3 query heads of one KV head together, so each
 * key and value is widened from halves once for all of them, not once per head. Tokens are walked page by page
 * (no division per token). Scores: four keys per pass for every head, 4 * G accumulators and the eight widened
 * key registers; values: 8 * G output registers. Differs from the per-head path only in summation order. */
BK_AVX512VL static inline __attribute__((always_inline)) void bk_attention_group64(
    const int G, const float *q, float *o, const uint16_t *kv, long page_stride, long v_offset, const int *pages,
    int page_size, int n_tokens, long kv_dim, long kv_head, float scale, float *scores) {
    float maximum[BK_ATTENTION_GROUP];
    for (int g = 0; g < G; g++) maximum[g] = -INFINITY;
    const __m128 scale4 = _mm_set1_ps(scale);
    for (int t = 0, p = 0; t < n_tokens; p++) {
        const uint16_t *base = kv + (long)pages[p] * page_stride + kv_head;
        const int count = n_tokens - t < page_size ? n_tokens - t : page_size;
        int i = 0;
        for (; i + 4 <= count; i += 4) {
            __m256 acc[BK_ATTENTION_GROUP][4];
            for (int j = 0; j < 4; j++) {
                const uint16_t *k = base + (long)(i + j) * kv_dim;
                __m256 kd[8];
                for (int d = 0; d < 8; d++) kd[d] = bk_load_halves8(k + 8 * d);
                for (int g = 0; g < G; g++) {
                    const float *qg = q + 64 * g;
                    __m256 a = _mm256_mul_ps(_mm256_loadu_ps(qg), kd[0]);
                    __m256 b = _mm256_mul_ps(_mm256_loadu_ps(qg + 8), kd[1]);
                    for (int d = 2; d < 8; d += 2) {
                        a = _mm256_fmadd_ps(_mm256_loadu_ps(qg + 8 * d), kd[d], a);
                        b = _mm256_fmadd_ps(_mm256_loadu_ps(qg + 8 * d + 8), kd[d + 1], b);
                    }
                    acc[g][j] = _mm256_add_ps(a, b);
                }
            }
            for (int g = 0; g < G; g++) {
                const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(acc[g][0], acc[g][1]), _mm256_hadd_ps(acc[g][2], acc[g][3]));
                const __m128 s4 = _mm_mul_ps(_mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)), scale4);
                float *sg = scores + (long)g * n_tokens + t + i;
                _mm_storeu_ps(sg, s4);
                for (int j = 0; j < 4; j++)
                    if (sg[j] > maximum[g]) maximum[g] = sg[j];
            }
        }
        for (; i < count; i++) {
            const uint16_t *k = base + (long)i * kv_dim;
            for (int g = 0; g < G; g++) {
                const float *qg = q + 64 * g;
                __m256 a = _mm256_mul_ps(_mm256_loadu_ps(qg), bk_load_halves8(k));
                for (int d = 1; d < 8; d++) a = _mm256_fmadd_ps(_mm256_loadu_ps(qg + 8 * d), bk_load_halves8(k + 8 * d), a);
                const float s = bk_hsum8(a) * scale;
                scores[(long)g * n_tokens + t + i] = s;
                if (s > maximum[g]) maximum[g] = s;
            }
        }
        t += count;
    }
    /* Normalized weights in place, so the value pass is one multiply-add per element. */
    for (int g = 0; g < G; g++) {
        float *sg = scores + (long)g * n_tokens;
        const __m256 inverse = _mm256_set1_ps(bk_softmax_unnormalized_avx2(sg, n_tokens, maximum[g]));
        int t = 0;
        for (; t + 8 <= n_tokens; t += 8) _mm256_storeu_ps(sg + t, _mm256_mul_ps(_mm256_loadu_ps(sg + t), inverse));
        for (; t < n_tokens; t++) sg[t] *= _mm256_cvtss_f32(inverse);
    }
    __m256 out[BK_ATTENTION_GROUP][8];
    for (int g = 0; g < G; g++)
        for (int d = 0; d < 8; d++) out[g][d] = _mm256_setzero_ps();
    for (int t = 0, p = 0; t < n_tokens; p++) {
        const uint16_t *base = kv + (long)pages[p] * page_stride + v_offset + kv_head;
        const int count = n_tokens - t < page_size ? n_tokens - t : page_size;
        for (int i = 0; i < count; i++) {
            const uint16_t *v = base + (long)i * kv_dim;
            __m256 w[BK_ATTENTION_GROUP];
            for (int g = 0; g < G; g++) w[g] = _mm256_broadcast_ss(scores + (long)g * n_tokens + t + i);
            for (int d = 0; d < 8; d++) {
                const __m256 vd = bk_load_halves8(v + 8 * d);
                for (int g = 0; g < G; g++) out[g][d] = _mm256_fmadd_ps(w[g], vd, out[g][d]);
            }
        }
        t += count;
    }
    for (int g = 0; g < G; g++)
        for (int d = 0; d < 8; d++) _mm256_storeu_ps(o + 64 * g + 8 * d, out[g][d]);
}

/* Heads [head_begin, head_end) of size 64, in runs of at most BK_ATTENTION_GROUP heads of one KV head. */
BK_AVX512VL static void bk_attention_grouped64(const float *q, float *out, int n_head, int n_kv_head, int head_begin,
                                               int head_end, const uint16_t *kv, long page_stride, long v_offset,
                                               const int *pages, int page_size, int n_tokens, float scale,
                                               float *scores) {
    const int group = n_head / n_kv_head;
    const long kv_dim = (long)n_kv_head * 64;
    for (int h = head_begin; h < head_end;) {
        const int group_end = (h / group + 1) * group < head_end ? (h / group + 1) * group : head_end;
        const int run = group_end - h < BK_ATTENTION_GROUP ? group_end - h : BK_ATTENTION_GROUP;
        const long kv_head = (long)(h / group) * 64;
        const float *qh = q + (long)h * 64;
        float *oh = out + (long)h * 64;
        switch (run) {
        case 3: bk_attention_group64(3, qh, oh, kv, page_stride, v_offset, pages, page_size, n_tokens, kv_dim, kv_head, scale, scores); break;
        case 2: bk_attention_group64(2, qh, oh, kv, page_stride, v_offset, pages, page_size, n_tokens, kv_dim, kv_head, scale, scores); break;
        default: bk_attention_group64(1, qh, oh, kv, page_stride, v_offset, pages, page_size, n_tokens, kv_dim, kv_head, scale, scores); break;
        }
        h += run;
    }
}

BK_AVX2 static void bk_attention_avx2(const float *q, float *out, int n_head, int n_kv_head, int head_dim,
                                      int head_begin, int head_end, const uint16_t *kv, long page_stride, long v_offset,
                                      const int *pages, int page_size, int n_tokens, float scale, float *scores) {
    if (head_dim == 64 && bk_cpu_has_avx512vl()) {
        bk_attention_grouped64(q, out, n_head, n_kv_head, head_begin, head_end, kv, page_stride, v_offset, pages,
                               page_size, n_tokens, scale, scores);
        return;
    }
    const int group = n_head / n_kv_head;
    const long kv_dim = (long)n_kv_head * head_dim;
    const int vector_end = head_dim / 8 * 8;
    for (int h = head_begin; h < head_end; h++) {
        const long kv_head = (long)(h / group) * head_dim;
        const float *qh = q + (long)h * head_dim;
        if (head_dim == 64) {
            bk_attention_head64(qh, out + (long)h * head_dim, kv, page_stride, v_offset, pages, page_size, n_tokens,
                                kv_dim, kv_head, scale, scores);
            continue;
        }
        float maximum = -INFINITY;
        for (int t = 0; t < n_tokens; t++) {
            const uint16_t *k = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + kv_head;
            __m256 acc = _mm256_setzero_ps();
            for (int d = 0; d < vector_end; d += 8) {
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(qh + d), bk_load_halves8(k + d), acc);
            }
            float s = bk_hsum8(acc);
            for (int d = vector_end; d < head_dim; d++) s += qh[d] * bk_fp16_to_fp32(k[d]);
            s *= scale;
            scores[t] = s;
            if (s > maximum) maximum = s;
        }
        const float inverse = bk_softmax_unnormalized_avx2(scores, n_tokens, maximum);
        float *o = out + (long)h * head_dim;
        for (int d = 0; d < head_dim; d++) o[d] = 0;
        for (int t = 0; t < n_tokens; t++) {
            const float w = scores[t] * inverse;
            const __m256 wv = _mm256_set1_ps(w);
            const uint16_t *v = bk_kv_row(kv, page_stride, pages, page_size, t, kv_dim) + v_offset + kv_head;
            for (int d = 0; d < vector_end; d += 8) {
                _mm256_storeu_ps(o + d, _mm256_fmadd_ps(wv, bk_load_halves8(v + d), _mm256_loadu_ps(o + d)));
            }
            for (int d = vector_end; d < head_dim; d++) o[d] += w * bk_fp16_to_fp32(v[d]);
        }
    }
}
#endif

long bk_attention_scratch_floats(int n_head, int n_kv_head, int n_tokens) {
    if (n_kv_head <= 0 || n_head % n_kv_head != 0 || n_tokens <= 0) return n_tokens > 0 ? n_tokens : 0;
    const int group = n_head / n_kv_head;
    return (long)(group < BK_ATTENTION_GROUP ? group : BK_ATTENTION_GROUP) * n_tokens;
}

void bk_attention(bk_isa isa, const float *q, float *out, int n_head, int n_kv_head, int head_dim, int head_begin,
                  int head_end, const uint16_t *kv, long page_stride, long v_offset, const int *pages, int page_size,
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

#if BK_HAVE_AVX2_PATH
BK_AVX2 static void bk_store_halves_avx2(uint16_t *dst, const float *src, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    for (; i < n; i++) dst[i] = bk_fp32_to_fp16(src[i]);
}
#endif

void bk_store_halves(bk_isa isa, uint16_t *dst, const float *src, int n) {
#if BK_HAVE_AVX2_PATH
    if (bk_resolve_isa(isa) == BK_ISA_AVX2) {
        bk_store_halves_avx2(dst, src, n);
        return;
    }
#endif
    for (int i = 0; i < n; i++) dst[i] = bk_fp32_to_fp16(src[i]);
}
