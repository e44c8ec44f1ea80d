/* Dot products and matrix × activation rows. The scalar code is the reference (ggml's vec_dot_*_generic, same
 * operation order as the Swift twins); the AVX2 and NEON paths compute each block's integer sum exactly and differ
 * only in the order the per-block float terms are added. */
#include "CEngineKernels.h"
#include "bk_blocks.h"

#pragma clang fp contract(off)

#if BK_HAVE_AVX2_PATH
#include <immintrin.h>
#endif
#if defined(__ARM_NEON)
#include <arm_neon.h>
#endif

/* Largest number of activation rows that share one pass over a weight row: 4 accumulators of 8 floats stay in
 * registers alongside the unpacked weight block. */
#define BK_TILE 4

/* ---------- scalar reference ---------- */

static float bk_dot_q4_0_q8_0_scalar(int n, const bk_block_q4_0 *x, const bk_block_q8_0 *y) {
    float sumf = 0.0f;
    for (int i = 0; i < n / BK_QK; i++) {
        int sumi0 = 0, sumi1 = 0;
        for (int j = 0; j < BK_QK / 2; j++) {
            const int v0 = (x[i].qs[j] & 0x0F) - 8;
            const int v1 = (x[i].qs[j] >> 4) - 8;
            sumi0 += v0 * y[i].qs[j];
            sumi1 += v1 * y[i].qs[j + BK_QK / 2];
        }
        sumf += (float)(sumi0 + sumi1) * bk_fp16_to_fp32(x[i].d) * bk_fp16_to_fp32(y[i].d);
    }
    return sumf;
}

static float bk_dot_q4_1_q8_1_scalar(int n, const bk_block_q4_1 *x, const bk_block_q8_1 *y) {
    float sumf = 0.0f;
    for (int i = 0; i < n / BK_QK; i++) {
        int sumi0 = 0, sumi1 = 0;
        for (int j = 0; j < BK_QK / 2; j++) {
            sumi0 += (x[i].qs[j] & 0x0F) * y[i].qs[j];
            sumi1 += (x[i].qs[j] >> 4) * y[i].qs[j + BK_QK / 2];
        }
        sumf += (bk_fp16_to_fp32(x[i].d) * bk_fp16_to_fp32(y[i].d)) * (float)(sumi0 + sumi1)
              + bk_fp16_to_fp32(x[i].m) * bk_fp16_to_fp32(y[i].s);
    }
    return sumf;
}

static float bk_dot_q8_0_q8_0_scalar(int n, const bk_block_q8_0 *x, const bk_block_q8_0 *y) {
    float sumf = 0.0f;
    for (int i = 0; i < n / BK_QK; i++) {
        int sumi = 0;
        for (int j = 0; j < BK_QK; j++) sumi += x[i].qs[j] * y[i].qs[j];
        sumf += (float)sumi * (bk_fp16_to_fp32(x[i].d) * bk_fp16_to_fp32(y[i].d));
    }
    return sumf;
}

/* Float sums accumulate in double, as ggml's ggml_vec_dot_f16 scalar path does. */
static float bk_dot_f16_f32_scalar(int n, const uint16_t *x, const float *y) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += (double)(bk_fp16_to_fp32(x[i]) * y[i]);
    return (float)sum;
}

static float bk_dot_f32_f32_scalar(int n, const float *x, const float *y) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += (double)(x[i] * y[i]);
    return (float)sum;
}

/* ---------- AVX2 + FMA + F16C ---------- */
#if BK_HAVE_AVX2_PATH

/* 16 bytes of nibbles to 32 bytes: lanes 0..15 the low nibbles (elements 0..15), 16..31 the high ones. */
BK_AVX2 static inline __m256i bk_unpack_nibbles(const uint8_t *qs) {
    const __m128i tmp = _mm_loadu_si128((const __m128i *)qs);
    const __m256i bytes = _mm256_insertf128_si256(_mm256_castsi128_si256(tmp), _mm_srli_epi16(tmp, 4), 1);
    return _mm256_and_si256(bytes, _mm256_set1_epi8(0x0F));
}

/* Sum of products of unsigned bytes ux (0..255) with signed bytes sy, as 8 float lanes of 4 products each.
 * maddubs cannot saturate here: |ux| <= 128 and |sy| <= 128 give pair sums within ±32 768 only at -128·-128,
 * which the quantizers never produce (they emit -127 … 127). */
BK_AVX2 static inline __m256 bk_mul_sum_us8(__m256i ux, __m256i sy) {
    const __m256i dot = _mm256_maddubs_epi16(ux, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(dot, _mm256_set1_epi16(1)));
}

/* One block of one weight row against T activation rows, added into acc[0..T). Inlined with constant T and a
 * constant accumulator array, so everything stays in registers. */
BK_AVX2 static inline __attribute__((always_inline)) void bk_step_q4_0(
    int T, const bk_block_q4_0 *x, int i, int nb, const char *ys, long y_row_bytes, const float *dy, __m256 *acc) {
    const __m256i qx = _mm256_sub_epi8(bk_unpack_nibbles(x[i].qs), _mm256_set1_epi8(8));
    const __m256i ax = _mm256_sign_epi8(qx, qx);
    const float dx = _cvtsh_ss(x[i].d);
    for (int t = 0; t < T; t++) {
        const bk_block_q8_0 *y = (const bk_block_q8_0 *)(ys + t * y_row_bytes) + i;
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y->qs);
        const __m256 q = bk_mul_sum_us8(ax, _mm256_sign_epi8(qy, qx));
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy[t * nb + i]), q, acc[t]);
    }
}

BK_AVX2 static inline __attribute__((always_inline)) void bk_step_q8_0(
    int T, const bk_block_q8_0 *x, int i, int nb, const char *ys, long y_row_bytes, const float *dy, __m256 *acc) {
    const __m256i qx = _mm256_loadu_si256((const __m256i *)x[i].qs);
    const __m256i ax = _mm256_sign_epi8(qx, qx);
    const float dx = _cvtsh_ss(x[i].d);
    for (int t = 0; t < T; t++) {
        const bk_block_q8_0 *y = (const bk_block_q8_0 *)(ys + t * y_row_bytes) + i;
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y->qs);
        const __m256 q = bk_mul_sum_us8(ax, _mm256_sign_epi8(qy, qx));
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy[t * nb + i]), q, acc[t]);
    }
}

BK_AVX2 static inline __attribute__((always_inline)) void bk_step_q4_1(
    int T, const bk_block_q4_1 *x, int i, int nb, const char *ys, long y_row_bytes, const float *dy,
    const float *sy, __m256 *acc, float *summs) {
    const __m256i qx = bk_unpack_nibbles(x[i].qs);
    const float dx = _cvtsh_ss(x[i].d);
    const float mx = _cvtsh_ss(x[i].m);
    for (int t = 0; t < T; t++) {
        const bk_block_q8_1 *y = (const bk_block_q8_1 *)(ys + t * y_row_bytes) + i;
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y->qs);
        summs[t] += mx * sy[t * nb + i];
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy[t * nb + i]), bk_mul_sum_us8(qx, qy), acc[t]);
    }
}

/* T activation rows against one weight row. Even and odd blocks go to separate accumulators (the loop is
 * unrolled by two so both stay in registers), so consecutive FMAs do not wait on each other's latency. */
#define BK_DEFINE_TILE_AVX2(NAME, STEP, WTYPE)                                                                   \
    BK_AVX2 static inline __attribute__((always_inline)) void NAME(                                             \
        int T, int nb, const WTYPE *x, const char *ys, long y_row_bytes, const float *dy, const float *sy,      \
        float *out, long out_stride) {                                                                          \
        (void)sy;                                                                                               \
        __m256 even[BK_TILE], odd[BK_TILE];                                                                     \
        for (int t = 0; t < T; t++) even[t] = odd[t] = _mm256_setzero_ps();                                     \
        int i = 0;                                                                                              \
        for (; i + 1 < nb; i += 2) {                                                                            \
            STEP(T, x, i, nb, ys, y_row_bytes, dy, even);                                                       \
            STEP(T, x, i + 1, nb, ys, y_row_bytes, dy, odd);                                                    \
        }                                                                                                       \
        if (i < nb) STEP(T, x, i, nb, ys, y_row_bytes, dy, even);                                               \
        for (int t = 0; t < T; t++) out[t * out_stride] = bk_hsum8(_mm256_add_ps(even[t], odd[t]));        \
    }

BK_DEFINE_TILE_AVX2(bk_tile_q4_0, bk_step_q4_0, bk_block_q4_0)
BK_DEFINE_TILE_AVX2(bk_tile_q8_0, bk_step_q8_0, bk_block_q8_0)

BK_AVX2 static inline __attribute__((always_inline)) void bk_tile_q4_1(
    int T, int nb, const bk_block_q4_1 *x, const char *ys, long y_row_bytes, const float *dy, const float *sy,
    float *out, long out_stride) {
    __m256 even[BK_TILE], odd[BK_TILE];
    float summs[BK_TILE];
    for (int t = 0; t < T; t++) {
        even[t] = odd[t] = _mm256_setzero_ps();
        summs[t] = 0.0f;
    }
    int i = 0;
    for (; i + 1 < nb; i += 2) {
        bk_step_q4_1(T, x, i, nb, ys, y_row_bytes, dy, sy, even, summs);
        bk_step_q4_1(T, x, i + 1, nb, ys, y_row_bytes, dy, sy, odd, summs);
    }
    if (i < nb) bk_step_q4_1(T, x, i, nb, ys, y_row_bytes, dy, sy, even, summs);
    for (int t = 0; t < T; t++) out[t * out_stride] = bk_hsum8(_mm256_add_ps(even[t], odd[t])) + summs[t];
}

BK_AVX2 static inline __attribute__((always_inline)) void bk_tile_f16(
    int T, int n, const uint16_t *x, const char *ys, long y_row_bytes, const float *dy, const float *sy, float *out, long out_stride) {
    (void)dy;
    (void)sy;
    __m256 acc[BK_TILE];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 wx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i)));
        for (int t = 0; t < T; t++) {
            const float *y = (const float *)(ys + t * y_row_bytes);
            acc[t] = _mm256_fmadd_ps(wx, _mm256_loadu_ps(y + i), acc[t]);
        }
    }
    for (int t = 0; t < T; t++) {
        const float *y = (const float *)(ys + t * y_row_bytes);
        float sum = bk_hsum8(acc[t]);
        for (int j = i; j < n; j++) sum += _cvtsh_ss(x[j]) * y[j];
        out[t * out_stride] = sum;
    }
}

BK_AVX2 static inline __attribute__((always_inline)) void bk_tile_f32(
    int T, int n, const float *x, const char *ys, long y_row_bytes, const float *dy, const float *sy, float *out, long out_stride) {
    (void)dy;
    (void)sy;
    __m256 acc[BK_TILE];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 wx = _mm256_loadu_ps(x + i);
        for (int t = 0; t < T; t++) {
            const float *y = (const float *)(ys + t * y_row_bytes);
            acc[t] = _mm256_fmadd_ps(wx, _mm256_loadu_ps(y + i), acc[t]);
        }
    }
    for (int t = 0; t < T; t++) {
        const float *y = (const float *)(ys + t * y_row_bytes);
        float sum = bk_hsum8(acc[t]);
        for (int j = i; j < n; j++) sum += x[j] * y[j];
        out[t * out_stride] = sum;
    }
}

/* One weight row against `batch` activation rows, tiles of 4 then the remainder, each tile with a constant T.
 * dy and sy hold the activation rows' block scales and sums as floats (nb per row), converted once per call. */
#define BK_DEFINE_ROW_AVX2(NAME, TILE, WTYPE, COUNT)                                                            \
    BK_AVX2 static void NAME(int n, const WTYPE *x, const char *ys, long y_row_bytes, const float *dy,          \
                             const float *sy, int batch, float *out, long out_stride) {                         \
        const int count = (COUNT);                                                                               \
        const int nb = n / BK_QK;                                                                                \
        int b = 0;                                                                                               \
        for (; b + BK_TILE <= batch; b += BK_TILE)                                                               \
            TILE(BK_TILE, count, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,                 \
                 out + b * out_stride, out_stride);                                                              \
        switch (batch - b) {                                                                                     \
        case 3: TILE(3, count, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,                   \
                     out + b * out_stride, out_stride); break;                                                   \
        case 2: TILE(2, count, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,                   \
                     out + b * out_stride, out_stride); break;                                                   \
        case 1: TILE(1, count, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,                   \
                     out + b * out_stride, out_stride); break;                                                   \
        default: break;                                                                                          \
        }                                                                                                        \
    }

BK_DEFINE_ROW_AVX2(bk_row_q4_0_avx2, bk_tile_q4_0, bk_block_q4_0, n / BK_QK)
BK_DEFINE_ROW_AVX2(bk_row_q4_1_avx2, bk_tile_q4_1, bk_block_q4_1, n / BK_QK)
BK_DEFINE_ROW_AVX2(bk_row_q8_0_avx2, bk_tile_q8_0, bk_block_q8_0, n / BK_QK)
BK_DEFINE_ROW_AVX2(bk_row_f16_avx2, bk_tile_f16, uint16_t, n)
BK_DEFINE_ROW_AVX2(bk_row_f32_avx2, bk_tile_f32, float, n)

/* AVX-512 VNNI (VL) for Q4_1 x Q8_1: one dpbusd (u8 nibbles x s8 activations -> s32) replaces the maddubs +
 * madd pair of the AVX2 step, and the nibbles are unpacked once per weight block for all rows of the tile. The
 * Q4_1 nibbles are already unsigned 0..15, so no offset correction is needed; the minimum m enters through the
 * precomputed Q8_1 sums exactly as on the AVX2 path. */
#define BK_VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

/* One Q4_1 block against T activation rows with dpbusd, added into acc[0..T) and summs[0..T). */
BK_VNNI static inline __attribute__((always_inline)) void bk_step_q4_1_vnni(
    int T, const bk_block_q4_1 *x, int i, int nb, const char *ys, long y_row_bytes, const float *dy,
    const float *sy, __m256 *acc, float *summs) {
    const __m256i qx = bk_unpack_nibbles(x[i].qs);
    const float dx = _cvtsh_ss(x[i].d);
    const float mx = _cvtsh_ss(x[i].m);
    for (int t = 0; t < T; t++) {
        const bk_block_q8_1 *y = (const bk_block_q8_1 *)(ys + t * y_row_bytes) + i;
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y->qs);
        const __m256 q = _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(_mm256_setzero_si256(), qx, qy));
        summs[t] += mx * sy[t * nb + i];
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy[t * nb + i]), q, acc[t]);
    }
}

/* Even and odd blocks into separate accumulators, as on the AVX2 path, so a single row's FMAs overlap. */
BK_VNNI static inline __attribute__((always_inline)) void bk_tile_q4_1_vnni(
    int T, int nb, const bk_block_q4_1 *x, const char *ys, long y_row_bytes, const float *dy, const float *sy,
    float *out, long out_stride) {
    __m256 even[BK_TILE], odd[BK_TILE];
    float summs[BK_TILE];
    for (int t = 0; t < T; t++) {
        even[t] = odd[t] = _mm256_setzero_ps();
        summs[t] = 0.0f;
    }
    int i = 0;
    for (; i + 1 < nb; i += 2) {
        bk_step_q4_1_vnni(T, x, i, nb, ys, y_row_bytes, dy, sy, even, summs);
        bk_step_q4_1_vnni(T, x, i + 1, nb, ys, y_row_bytes, dy, sy, odd, summs);
    }
    if (i < nb) bk_step_q4_1_vnni(T, x, i, nb, ys, y_row_bytes, dy, sy, even, summs);
    for (int t = 0; t < T; t++) out[t * out_stride] = bk_hsum8(_mm256_add_ps(even[t], odd[t])) + summs[t];
}

BK_VNNI static void bk_row_q4_1_vnni(int n, const bk_block_q4_1 *x, const char *ys, long y_row_bytes,
                                     const float *dy, const float *sy, int batch, float *out, long out_stride) {
    const int nb = n / BK_QK;
    int b = 0;
    for (; b + BK_TILE <= batch; b += BK_TILE)
        bk_tile_q4_1_vnni(BK_TILE, nb, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,
                          out + b * out_stride, out_stride);
    switch (batch - b) {
    case 3: bk_tile_q4_1_vnni(3, nb, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,
                              out + b * out_stride, out_stride); break;
    case 2: bk_tile_q4_1_vnni(2, nb, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,
                              out + b * out_stride, out_stride); break;
    case 1: bk_tile_q4_1_vnni(1, nb, x, ys + b * y_row_bytes, y_row_bytes, dy + b * nb, sy + b * nb,
                              out + b * out_stride, out_stride); break;
    default: break;
    }
}

/* Activation block scales (and Q8_1 sums) converted to float once per call, for at most this many blocks over
 * all activation rows; larger calls are split into groups of activation rows. 2 x 32 KiB of stack. */
#define BK_SCALE_CAP 8192

BK_AVX2 static void bk_activation_scales(bk_type w_type, const char *x, long x_row_bytes, int rows, int nb,
                                         float *dy, float *sy) {
    for (int b = 0; b < rows; b++) {
        const char *row = x + (long)b * x_row_bytes;
        for (int i = 0; i < nb; i++) {
            if (w_type == BK_TYPE_Q4_1) {
                const bk_block_q8_1 *y = (const bk_block_q8_1 *)row + i;
                dy[b * nb + i] = _cvtsh_ss(y->d);
                sy[b * nb + i] = _cvtsh_ss(y->s);
            } else {
                dy[b * nb + i] = _cvtsh_ss(((const bk_block_q8_0 *)row + i)->d);
            }
        }
    }
}

BK_AVX2 static void bk_matmul_avx2(bk_type w_type, const char *w, long w_row_bytes, int row_begin, int row_end,
                                   int n, const char *x, long x_row_bytes, int batch, float *y, long y_stride) {
    float dy[BK_SCALE_CAP];
    float sy[BK_SCALE_CAP];
    const int quantized = w_type == BK_TYPE_Q4_0 || w_type == BK_TYPE_Q4_1 || w_type == BK_TYPE_Q8_0;
    const int nb = n / BK_QK;
    const int group = quantized ? (nb > 0 ? BK_SCALE_CAP / nb : batch) : batch;
    for (int b0 = 0; b0 < batch; b0 += group) {
        const int rows = batch - b0 < group ? batch - b0 : group;
        const char *xs = x + (long)b0 * x_row_bytes;
        if (quantized) bk_activation_scales(w_type, xs, x_row_bytes, rows, nb, dy, sy);
        for (int r = row_begin; r < row_end; r++) {
            const void *row = w + (long)r * w_row_bytes;
            float *out = y + (long)b0 * y_stride + r;
            switch (w_type) {
            case BK_TYPE_Q4_0: bk_row_q4_0_avx2(n, row, xs, x_row_bytes, dy, sy, rows, out, y_stride); break;
            case BK_TYPE_Q4_1: bk_row_q4_1_avx2(n, row, xs, x_row_bytes, dy, sy, rows, out, y_stride); break;
            case BK_TYPE_Q8_0: bk_row_q8_0_avx2(n, row, xs, x_row_bytes, dy, sy, rows, out, y_stride); break;
            case BK_TYPE_F16: bk_row_f16_avx2(n, row, xs, x_row_bytes, dy, sy, rows, out, y_stride); break;
            default: bk_row_f32_avx2(n, row, xs, x_row_bytes, dy, sy, rows, out, y_stride); break;
            }
        }
    }
}

/* Q4_1 weights against two or more Q8_1 activation rows with VNNI tiles; the same grouping of activation scales
 * as bk_matmul_avx2. A separate function keeps the AVX2 loop's code, and its batch-1 speed, unchanged. */
BK_VNNI static void bk_matmul_q4_1_vnni(const char *w, long w_row_bytes, int row_begin, int row_end, int n,
                                        const char *x, long x_row_bytes, int batch, float *y, long y_stride) {
    float dy[BK_SCALE_CAP];
    float sy[BK_SCALE_CAP];
    const int nb = n / BK_QK;
    const int group = nb > 0 ? BK_SCALE_CAP / nb : batch;
    for (int b0 = 0; b0 < batch; b0 += group) {
        const int rows = batch - b0 < group ? batch - b0 : group;
        const char *xs = x + (long)b0 * x_row_bytes;
        bk_activation_scales(BK_TYPE_Q4_1, xs, x_row_bytes, rows, nb, dy, sy);
        for (int r = row_begin; r < row_end; r++)
            bk_row_q4_1_vnni(n, (const bk_block_q4_1 *)(w + (long)r * w_row_bytes), xs, x_row_bytes, dy, sy, rows,
                             y + (long)b0 * y_stride + r, y_stride);
    }
}

#endif

/* ---------- NEON ---------- */
#if defined(__ARM_NEON)
/* Sum of 32 products of signed bytes, exact in 32 bits. */
static inline int32_t bk_neon_dot32(int8x16_t a0, int8x16_t a1, int8x16_t b0, int8x16_t b1) {
    int16x8_t p0 = vmull_s8(vget_low_s8(a0), vget_low_s8(b0));
    p0 = vmlal_s8(p0, vget_high_s8(a0), vget_high_s8(b0));
    int16x8_t p1 = vmull_s8(vget_low_s8(a1), vget_low_s8(b1));
    p1 = vmlal_s8(p1, vget_high_s8(a1), vget_high_s8(b1));
    return vaddvq_s32(vaddq_s32(vpaddlq_s16(p0), vpaddlq_s16(p1)));
}

static float bk_dot_q4_0_q8_0_neon(int n, const bk_block_q4_0 *x, const bk_block_q8_0 *y) {
    float sum = 0.0f;
    for (int i = 0; i < n / BK_QK; i++) {
        const uint8x16_t q = vld1q_u8(x[i].qs);
        const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F))), vdupq_n_s8(8));
        const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), vdupq_n_s8(8));
        const int32_t s = bk_neon_dot32(lo, hi, vld1q_s8(y[i].qs), vld1q_s8(y[i].qs + 16));
        sum += (float)s * (bk_fp16_to_fp32(x[i].d) * bk_fp16_to_fp32(y[i].d));
    }
    return sum;
}

static float bk_dot_q4_1_q8_1_neon(int n, const bk_block_q4_1 *x, const bk_block_q8_1 *y) {
    float sum = 0.0f, summs = 0.0f;
    for (int i = 0; i < n / BK_QK; i++) {
        const uint8x16_t q = vld1q_u8(x[i].qs);
        const int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F)));
        const int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
        const int32_t s = bk_neon_dot32(lo, hi, vld1q_s8(y[i].qs), vld1q_s8(y[i].qs + 16));
        sum += (float)s * (bk_fp16_to_fp32(x[i].d) * bk_fp16_to_fp32(y[i].d));
        summs += bk_fp16_to_fp32(x[i].m) * bk_fp16_to_fp32(y[i].s);
    }
    return sum + summs;
}

static float bk_dot_q8_0_q8_0_neon(int n, const bk_block_q8_0 *x, const bk_block_q8_0 *y) {
    float sum = 0.0f;
    for (int i = 0; i < n / BK_QK; i++) {
        const int32_t s = bk_neon_dot32(vld1q_s8(x[i].qs), vld1q_s8(x[i].qs + 16), vld1q_s8(y[i].qs), vld1q_s8(y[i].qs + 16));
        sum += (float)s * (bk_fp16_to_fp32(x[i].d) * bk_fp16_to_fp32(y[i].d));
    }
    return sum;
}
#endif

/* ---------- dispatch ---------- */

float bk_vec_dot_q4_0_q8_0(bk_isa isa, int n, const void *x, const void *y) {
    float out = 0.0f;
    bk_matmul(isa, BK_TYPE_Q4_0, x, 0, 0, 1, n, y, 0, 1, &out, 0);
    return out;
}

float bk_vec_dot_q4_1_q8_1(bk_isa isa, int n, const void *x, const void *y) {
    float out = 0.0f;
    bk_matmul(isa, BK_TYPE_Q4_1, x, 0, 0, 1, n, y, 0, 1, &out, 0);
    return out;
}

float bk_vec_dot_q8_0_q8_0(bk_isa isa, int n, const void *x, const void *y) {
    float out = 0.0f;
    bk_matmul(isa, BK_TYPE_Q8_0, x, 0, 0, 1, n, y, 0, 1, &out, 0);
    return out;
}

float bk_vec_dot_f16_f32(bk_isa isa, int n, const void *x, const float *y) {
    float out = 0.0f;
    bk_matmul(isa, BK_TYPE_F16, x, 0, 0, 1, n, y, 0, 1, &out, 0);
    return out;
}

float bk_vec_dot_f32_f32(bk_isa isa, int n, const float *x, const float *y) {
    float out = 0.0f;
    bk_matmul(isa, BK_TYPE_F32, x, 0, 0, 1, n, y, 0, 1, &out, 0);
    return out;
}

static float bk_dot_scalar(bk_type type, int n, const void *x, const void *y) {
    switch (type) {
    case BK_TYPE_Q4_0: return bk_dot_q4_0_q8_0_scalar(n, x, y);
    case BK_TYPE_Q4_1: return bk_dot_q4_1_q8_1_scalar(n, x, y);
    case BK_TYPE_Q8_0: return bk_dot_q8_0_q8_0_scalar(n, x, y);
    case BK_TYPE_F16: return bk_dot_f16_f32_scalar(n, x, y);
    default: return bk_dot_f32_f32_scalar(n, x, y);
    }
}

int bk_matmul(bk_isa isa, bk_type w_type, const void *w, long w_row_bytes, int row_begin, int row_end, int n,
              const void *x, long x_row_bytes, int batch, float *y, long y_stride) {
    if (bk_activation_type(w_type) < 0 || w_type == BK_TYPE_Q8_1) return -1;
    const bk_isa resolved = bk_resolve_isa(isa);
    const char *wb = (const char *)w;
    const char *xb = (const char *)x;
#if BK_HAVE_AVX2_PATH
    /* Rows longer than BK_SCALE_CAP blocks (over 262 144 elements) take the scalar path. */
    /* At one activation row the AVX2 maddubs chain is as fast (44 us for a 1536 x 576 matrix); VNNI pays off
     * once the unpacked nibbles are shared by several rows. */
    if (resolved == BK_ISA_AVX2 && n / BK_QK <= BK_SCALE_CAP && w_type == BK_TYPE_Q4_1 && batch >= 2 &&
        bk_cpu_has_avx512_vnni()) {
        bk_matmul_q4_1_vnni(wb, w_row_bytes, row_begin, row_end, n, xb, x_row_bytes, batch, y, y_stride);
        return 0;
    }
    if (resolved == BK_ISA_AVX2 && n / BK_QK <= BK_SCALE_CAP) {
        bk_matmul_avx2(w_type, wb, w_row_bytes, row_begin, row_end, n, xb, x_row_bytes, batch, y, y_stride);
        return 0;
    }
#endif
    for (int r = row_begin; r < row_end; r++) {
        const void *row = wb + (long)r * w_row_bytes;
        for (int b = 0; b < batch; b++) {
            const void *act = xb + (long)b * x_row_bytes;
            float v;
#if defined(__ARM_NEON)
            if (resolved == BK_ISA_NEON && w_type == BK_TYPE_Q4_0) v = bk_dot_q4_0_q8_0_neon(n, row, act);
            else if (resolved == BK_ISA_NEON && w_type == BK_TYPE_Q4_1) v = bk_dot_q4_1_q8_1_neon(n, row, act);
            else if (resolved == BK_ISA_NEON && w_type == BK_TYPE_Q8_0) v = bk_dot_q8_0_q8_0_neon(n, row, act);
            else v = bk_dot_scalar(w_type, n, row, act);
#else
            v = bk_dot_scalar(w_type, n, row, act);
#endif
            y[(long)b * y_stride + r] = v;
        }
    }
    return 0;
}
