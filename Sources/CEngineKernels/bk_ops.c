/* Row operations of the transformer forward pass: RMSNorm, softmax, rotary embedding, SiLU. They follow ggml's
 * CPU operations step for step (double sums, float elsewhere) so results can be compared with llama.cpp. */
#include "CEngineKernels.h"
#include "bk_blocks.h"
#include <math.h>

#pragma clang fp contract(off)

#if BK_HAVE_AVX2_PATH
#include <immintrin.h>

/* Sum of squares in double, 4 lanes at a time; the scalar path below is the reference. */
BK_AVX2 static double bk_sum_squares_avx2(const float *x, int n) {
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 sq = _mm256_mul_ps(v, v);
        acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(sq)));
        acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(sq, 1)));
    }
    const __m256d acc = _mm256_add_pd(acc0, acc1);
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(acc), _mm256_extractf128_pd(acc, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
    for (; i < n; i++) sum += (double)(x[i] * x[i]);
    return sum;
}

BK_AVX2 static void bk_scale_mul_avx2(const float *x, const float *w, float *y, int n, float scale) {
    const __m256 vs = _mm256_set1_ps(scale);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vs);
        if (w) v = _mm256_mul_ps(v, _mm256_loadu_ps(w + i));
        _mm256_storeu_ps(y + i, v);
    }
    for (; i < n; i++) y[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}
#endif

void bk_rmsnorm(bk_isa isa, const float *x, const float *w, float *y, int n, float eps) {
#if BK_HAVE_AVX2_PATH
    if (bk_resolve_isa(isa) == BK_ISA_AVX2) {
        const float mean = (float)(bk_sum_squares_avx2(x, n) / n);
        bk_scale_mul_avx2(x, w, y, n, 1.0f / sqrtf(mean + eps));
        return;
    }
#else
    (void)isa;
#endif
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / n);
    const float scale = 1.0f / sqrtf(mean + eps);
    for (int i = 0; i < n; i++) y[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}

void bk_softmax(float *x, int n) {
    if (n <= 0) return;
    float max = -INFINITY;
    for (int i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += (double)x[i];
    }
    const float scale = (float)(1.0 / sum);
    for (int i = 0; i < n; i++) x[i] *= scale;
}

/* Pairs whose angles are computed once per call and shared by every head; longer rotations compute them per head. */
#define BK_ROPE_PAIRS 256

/* Rotates n_heads heads at x by the angles of pos; cs/sn hold the first `half` pairs' cosines and sines when
 * `shared`, else every pair's angle is computed per head. */
static void bk_rope_heads(float *x, int n_heads, int head_dim, int half, int pos, float theta_scale, int neox,
                          const float *cs, const float *sn, int shared) {
    for (int h = 0; h < n_heads; h++) {
        float *v = x + (long)h * head_dim;
        float theta = (float)pos;
        for (int i = 0; i < half; i++) {
            const float c = shared ? cs[i] : cosf(theta);
            const float s = shared ? sn[i] : sinf(theta);
            const int a = neox ? i : 2 * i;
            const int b = neox ? i + half : 2 * i + 1;
            const float x0 = v[a];
            const float x1 = v[b];
            v[a] = x0 * c - x1 * s;
            v[b] = x0 * s + x1 * c;
            theta *= theta_scale;
        }
    }
}

void bk_rope_qk(float *q, int q_heads, float *k, int k_heads, int head_dim, int n_rot, int pos, float freq_base,
                int neox) {
    const float theta_scale = powf(freq_base, -2.0f / (float)n_rot);
    const int half = n_rot / 2;
    float cs[BK_ROPE_PAIRS], sn[BK_ROPE_PAIRS];
    const int shared = half <= BK_ROPE_PAIRS;
    if (shared) {
        float theta = (float)pos;
        for (int i = 0; i < half; i++) {
            cs[i] = cosf(theta);
            sn[i] = sinf(theta);
            theta *= theta_scale;
        }
    }
    if (q) bk_rope_heads(q, q_heads, head_dim, half, pos, theta_scale, neox, cs, sn, shared);
    if (k) bk_rope_heads(k, k_heads, head_dim, half, pos, theta_scale, neox, cs, sn, shared);
}

void bk_rope(float *x, int n_heads, int head_dim, int n_rot, int pos, float freq_base, int neox) {
    bk_rope_qk(x, n_heads, NULL, 0, head_dim, n_rot, pos, freq_base, neox);
}

void bk_silu(float *x, int n) {
    for (int i = 0; i < n; i++) x[i] = x[i] / (1.0f + expf(-x[i]));
}

void bk_silu_mul(float *g, const float *u, int n) {
    for (int i = 0; i < n; i++) g[i] = (g[i] / (1.0f + expf(-g[i]))) * u[i];
}

#if BK_HAVE_AVX2_PATH
BK_AVX2 static inline __m256 bk_swiglu8(__m256 g, __m256 u) {
    const __m256 e = bk_exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
    return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

/* The tail goes through the same eight-lane code in a padded buffer, so an element's result never depends on
 * where a thread's share of the columns begins or ends. */
BK_AVX2 static void bk_swiglu_avx2(float *g, const float *u, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(g + i, bk_swiglu8(_mm256_loadu_ps(g + i), _mm256_loadu_ps(u + i)));
    if (i < n) {
        float gt[8] = {0}, ut[8] = {0};
        for (int j = 0; j < n - i; j++) {
            gt[j] = g[i + j];
            ut[j] = u[i + j];
        }
        _mm256_storeu_ps(gt, bk_swiglu8(_mm256_loadu_ps(gt), _mm256_loadu_ps(ut)));
        for (int j = 0; j < n - i; j++) g[i + j] = gt[j];
    }
}
#endif

void bk_swiglu(bk_isa isa, float *g, const float *u, int n) {
#if BK_HAVE_AVX2_PATH
    if (bk_resolve_isa(isa) == BK_ISA_AVX2) {
        bk_swiglu_avx2(g, u, n);
        return;
    }
#else
    (void)isa;
#endif
    bk_silu_mul(g, u, n);
}
