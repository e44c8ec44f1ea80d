/* Activation quantizers: one float row to Q8_0 or Q8_1 blocks. Every path gives the same bytes as the scalar
 * reference (ggml's quantize_row_q8_*_ref): the scale is computed with the same scalar float operations and the
 * rounding is C roundf (halves away from zero) in every path. */
#include "CEngineKernels.h"
#include "bk_blocks.h"
#include <math.h>

#pragma clang fp contract(off)

#if BK_HAVE_AVX2_PATH
#include <immintrin.h>
#endif
#if defined(__ARM_NEON)
#include <arm_neon.h>
#endif

static void bk_quantize_q8_0_scalar(const float *x, bk_block_q8_0 *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float amax = 0.0f;
        for (int j = 0; j < BK_QK; j++) {
            const float v = fabsf(x[i * BK_QK + j]);
            amax = amax > v ? amax : v;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = bk_fp32_to_fp16(d);
        for (int j = 0; j < BK_QK; j++) y[i].qs[j] = (int8_t)roundf(x[i * BK_QK + j] * id);
    }
}

static void bk_quantize_q8_1_scalar(const float *x, bk_block_q8_1 *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float amax = 0.0f;
        for (int j = 0; j < BK_QK; j++) {
            const float v = fabsf(x[i * BK_QK + j]);
            amax = amax > v ? amax : v;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < BK_QK; j++) {
            const int8_t q = (int8_t)roundf(x[i * BK_QK + j] * id);
            y[i].qs[j] = q;
            sum += q;
        }
        y[i].d = bk_fp32_to_fp16(d);
        y[i].s = bk_fp32_to_fp16((float)sum * d);
    }
}

/* C's (int8_t)v clamped to 15, defined for every input: the grids below produce v in [0.5, 16.5]; NaN (from
 * infinite weights) gives 0 instead of undefined behaviour. */
static inline uint8_t bk_nibble(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 15.0f) return 15;
    return (uint8_t)(int)v;
}

void bk_quantize_row_q4_0(const float *x, void *out, int n) {
    bk_block_q4_0 *y = (bk_block_q4_0 *)out;
    for (int i = 0; i < n / BK_QK; i++) {
        const float *b = x + i * BK_QK;
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < BK_QK; j++) {
            if (amax < fabsf(b[j])) {
                amax = fabsf(b[j]);
                max = b[j];
            }
        }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = bk_fp32_to_fp16(d);
        for (int j = 0; j < BK_QK / 2; j++) {
            const uint8_t lo = bk_nibble(b[j] * id + 8.5f);
            const uint8_t hi = bk_nibble(b[j + BK_QK / 2] * id + 8.5f);
            y[i].qs[j] = (uint8_t)(lo | (hi << 4));
        }
    }
}

void bk_quantize_row_q4_1(const float *x, void *out, int n) {
    bk_block_q4_1 *y = (bk_block_q4_1 *)out;
    for (int i = 0; i < n / BK_QK; i++) {
        const float *b = x + i * BK_QK;
        float min = 3.402823466e+38f, max = -3.402823466e+38f;
        for (int j = 0; j < BK_QK; j++) {
            if (b[j] < min) min = b[j];
            if (b[j] > max) max = b[j];
        }
        const float d = (max - min) / 15.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = bk_fp32_to_fp16(d);
        y[i].m = bk_fp32_to_fp16(min);
        for (int j = 0; j < BK_QK / 2; j++) {
            const uint8_t lo = bk_nibble((b[j] - min) * id + 0.5f);
            const uint8_t hi = bk_nibble((b[j + BK_QK / 2] - min) * id + 0.5f);
            y[i].qs[j] = (uint8_t)(lo | (hi << 4));
        }
    }
}

#if BK_HAVE_AVX2_PATH
/* roundf for 8 lanes: truncate, then add 1 away from zero when the dropped fraction is at least one half. */
BK_AVX2 static inline __m256 bk_round_away(__m256 v) {
    const __m256 sign = _mm256_and_ps(v, _mm256_set1_ps(-0.0f));
    const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
    const __m256 t = _mm256_round_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 up = _mm256_and_ps(_mm256_cmp_ps(_mm256_sub_ps(a, t), _mm256_set1_ps(0.5f), _CMP_GE_OQ),
                                    _mm256_set1_ps(1.0f));
    return _mm256_or_ps(_mm256_add_ps(t, up), sign);
}

/* Quantizes one block to 32 int8 values in [-127, 127]; returns the scale d and the 8 lane sums of q. */
BK_AVX2 static inline __m256i bk_quantize_block_avx2(const float *x, float *d_out, __m256i *sums) {
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 v0 = _mm256_loadu_ps(x);
    __m256 v1 = _mm256_loadu_ps(x + 8);
    __m256 v2 = _mm256_loadu_ps(x + 16);
    __m256 v3 = _mm256_loadu_ps(x + 24);
    __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_and_ps(v0, abs_mask), _mm256_and_ps(v1, abs_mask)),
                             _mm256_max_ps(_mm256_and_ps(v2, abs_mask), _mm256_and_ps(v3, abs_mask)));
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    *d_out = d;
    const __m256 mul = _mm256_set1_ps(id);
    __m256i i0 = _mm256_cvtps_epi32(bk_round_away(_mm256_mul_ps(v0, mul)));
    __m256i i1 = _mm256_cvtps_epi32(bk_round_away(_mm256_mul_ps(v1, mul)));
    __m256i i2 = _mm256_cvtps_epi32(bk_round_away(_mm256_mul_ps(v2, mul)));
    __m256i i3 = _mm256_cvtps_epi32(bk_round_away(_mm256_mul_ps(v3, mul)));
    *sums = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
    /* packs work within 128-bit lanes; the permutation restores element order. */
    i0 = _mm256_packs_epi32(i0, i1);
    i2 = _mm256_packs_epi32(i2, i3);
    i0 = _mm256_packs_epi16(i0, i2);
    return _mm256_permutevar8x32_epi32(i0, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

BK_AVX2 static inline int bk_hsum_i32_8(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

BK_AVX2 static void bk_quantize_q8_0_avx2(const float *x, bk_block_q8_0 *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float d;
        __m256i sums;
        const __m256i q = bk_quantize_block_avx2(x + i * BK_QK, &d, &sums);
        y[i].d = (uint16_t)_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        _mm256_storeu_si256((__m256i *)y[i].qs, q);
    }
}

BK_AVX2 static void bk_quantize_q8_1_avx2(const float *x, bk_block_q8_1 *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float d;
        __m256i sums;
        const __m256i q = bk_quantize_block_avx2(x + i * BK_QK, &d, &sums);
        y[i].d = (uint16_t)_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        y[i].s = (uint16_t)_cvtss_sh((float)bk_hsum_i32_8(sums) * d, _MM_FROUND_TO_NEAREST_INT);
        _mm256_storeu_si256((__m256i *)y[i].qs, q);
    }
}
#endif

void bk_quantize_row_q8_0(bk_isa isa, const float *x, void *y, int n) {
    const int nb = n / BK_QK;
#if BK_HAVE_AVX2_PATH
    if (bk_resolve_isa(isa) == BK_ISA_AVX2) {
        bk_quantize_q8_0_avx2(x, (bk_block_q8_0 *)y, nb);
        return;
    }
#else
    (void)isa;
#endif
    bk_quantize_q8_0_scalar(x, (bk_block_q8_0 *)y, nb);
}

void bk_quantize_row_q8_1(bk_isa isa, const float *x, void *y, int n) {
    const int nb = n / BK_QK;
#if BK_HAVE_AVX2_PATH
    if (bk_resolve_isa(isa) == BK_ISA_AVX2) {
        bk_quantize_q8_1_avx2(x, (bk_block_q8_1 *)y, nb);
        return;
    }
#else
    (void)isa;
#endif
    bk_quantize_q8_1_scalar(x, (bk_block_q8_1 *)y, nb);
}
