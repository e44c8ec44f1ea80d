/* Weight matrices repacked eight rows at a time, and the matmul over them with AVX-512 VNNI (256-bit encodings).
 *
 * In the row layout each weight block meets one activation block at a time, and every 32-element block product
 * ends in a horizontal sum and a scalar scale. Here one 32-byte register holds four consecutive weights of each
 * of eight rows, so one vpdpbusd with four activation bytes broadcast adds four products to each of eight row
 * lanes; eight of them complete a block for eight rows, and its scales apply as vectors. The eight outputs of a
 * block are stored side by side, so no horizontal sum is needed anywhere.
 *
 * Layout of one packed block (the same block index of eight consecutive rows k = 0..7):
 *   Q4_0: d[8] (f16) | qs[128]          144 bytes
 *   Q4_1: d[8] (f16) | m[8] (f16) | qs[128]   160 bytes
 *   Q8_0: d[8] (f16) | qs[256]          272 bytes
 * 4-bit qs: chunk c = 0..3 is 32 bytes, bytes 4k..4k+3 = row k's original qs[4c..4c+3]; so the low nibbles of a
 * chunk are elements 4c..4c+3 and the high nibbles elements 16+4c..16+4c+3 of each row.
 * 8-bit qs: chunk g = 0..7 is 32 bytes, bytes 4k..4k+3 = row k's qs[4g..4g+3] XOR 0x80 (so unsigned: q + 128).
 *
 * vpdpbusd multiplies unsigned by signed bytes. Q4_1 nibbles are unsigned already; Q4_0's are q + 8 and Q8_0's
 * q + 128 after packing, so their integer block sums are corrected by 8 or 128 times the activation block's sum,
 * computed once per call. Every block's integer sum is exact; only the order of the float terms differs from the
 * reference, and it is the same for every batch size, tile and thread. */
#include "CEngineKernels.h"
#include "bk_blocks.h"

#pragma clang fp contract(off)

static int bk_packed_block_bytes(bk_type type) {
    switch (type) {
    case BK_TYPE_Q4_0: return 144;
    case BK_TYPE_Q4_1: return 160;
    case BK_TYPE_Q8_0: return 272;
    default: return 0;
    }
}

long bk_packed_size(bk_type w_type, int rows, int n) {
    const int block = bk_packed_block_bytes(w_type);
    if (block == 0 || rows <= 0 || rows % 8 != 0 || n <= 0 || n % BK_QK != 0) return -1;
    return (long)(rows / 8) * (n / BK_QK) * block;
}

int bk_pack_rows(bk_type w_type, const void *w, long w_row_bytes, int rows, int n, void *out) {
    if (bk_packed_size(w_type, rows, n) < 0) return -1;
    const int nb = n / BK_QK;
    const int block = bk_packed_block_bytes(w_type);
    const char *src = (const char *)w;
    uint8_t *dst = (uint8_t *)out;
    for (int g = 0; g < rows / 8; g++) {
        for (int i = 0; i < nb; i++) {
            uint8_t *b = dst + ((long)g * nb + i) * block;
            for (int k = 0; k < 8; k++) {
                const char *row = src + (long)(g * 8 + k) * w_row_bytes;
                switch (w_type) {
                case BK_TYPE_Q4_0: {
                    const bk_block_q4_0 *x = (const bk_block_q4_0 *)row + i;
                    memcpy(b + 2 * k, &x->d, 2);
                    for (int c = 0; c < 4; c++) memcpy(b + 16 + 32 * c + 4 * k, x->qs + 4 * c, 4);
                    break;
                }
                case BK_TYPE_Q4_1: {
                    const bk_block_q4_1 *x = (const bk_block_q4_1 *)row + i;
                    memcpy(b + 2 * k, &x->d, 2);
                    memcpy(b + 16 + 2 * k, &x->m, 2);
                    for (int c = 0; c < 4; c++) memcpy(b + 32 + 32 * c + 4 * k, x->qs + 4 * c, 4);
                    break;
                }
                default: {
                    const bk_block_q8_0 *x = (const bk_block_q8_0 *)row + i;
                    memcpy(b + 2 * k, &x->d, 2);
                    for (int gi = 0; gi < 8; gi++)
                        for (int j = 0; j < 4; j++) b[16 + 32 * gi + 4 * k + j] = (uint8_t)x->qs[4 * gi + j] ^ 0x80;
                    break;
                }
                }
            }
        }
    }
    return 0;
}

#if BK_HAVE_AVX2_PATH
#include <immintrin.h>

#define BK_VNNI_PACKED __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

/* Activation rows per tile: eight accumulators, eight unpacked weight registers and the temporaries fit the 32
 * vector registers AVX-512 provides. */
#define BK_PACKED_TILE 8

/* Activation block scales (as floats) and the per-block correction: the Q8_1 sum s for Q4_1, else 8 or 128 times
 * the integer sum of the block's quants. At most BK_PACKED_CAP blocks over all rows of one group of rows. */
#define BK_PACKED_CAP 4096

/* Bytes ahead of the block in use that the first tile over a group prefetches. Weights stream from memory once
 * per call, and the hardware prefetcher alone leaves the matmul waiting on them: at batch 16 it ran at 60 % of
 * its speed over weights already in L2. About 25 blocks ahead covers the memory latency at the speed of a tile
 * of eight rows (measured: 2 KiB ahead gains less, 6 and 8 KiB no more). Prefetches past the matrix's end are
 * harmless hints. */
#define BK_PACKED_AHEAD 4096

static inline int32_t bk_load_i32(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The four activation bytes at p, broadcast to every lane. */
#define BK_BCAST(p) _mm256_set1_epi32(bk_load_i32(p))

/* One tile: T activation rows against the eight rows of packed group `wg`, all nb blocks, prefetching the weights
 * BK_PACKED_AHEAD bytes ahead when `prefetch` is set. KIND 0 = Q4_0, 1 = Q4_1, 2 = Q8_0. Constant T and KIND after inlining keep everything in registers. */
BK_VNNI_PACKED static inline __attribute__((always_inline)) void bk_packed_tile(
    const int KIND, const int T, const int prefetch, const uint8_t *wg, int nb, const char *xs, long x_row_bytes,
    int act_block_bytes, int act_qs_offset, const float *dy, const float *sy, const int32_t *cy, float *out, long out_stride) {
    __m256 acc[BK_PACKED_TILE];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    const int block = KIND == 0 ? 144 : KIND == 1 ? 160 : 272;
    const int qs_offset = KIND == 1 ? 32 : 16;
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    for (int i = 0; i < nb; i++) {
        const uint8_t *b = wg + (long)i * block;
        if (prefetch)
            for (int line = 0; line < block; line += 64)
                _mm_prefetch((const char *)b + BK_PACKED_AHEAD + line, _MM_HINT_T0);
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b));
        __m256 mw = _mm256_setzero_ps();
        if (KIND == 1) mw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + 16)));
        __m256i w[8];
        if (KIND == 2) {
            for (int g = 0; g < 8; g++) w[g] = _mm256_loadu_si256((const __m256i *)(b + qs_offset + 32 * g));
        } else {
            for (int c = 0; c < 4; c++) {
                const __m256i raw = _mm256_loadu_si256((const __m256i *)(b + qs_offset + 32 * c));
                w[c] = _mm256_and_si256(raw, nibble);
                w[c + 4] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), nibble);
            }
        }
        for (int t = 0; t < T; t++) {
            const int8_t *a = (const int8_t *)(xs + t * x_row_bytes + (long)i * act_block_bytes + act_qs_offset);
            __m256i sum = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w[0], BK_BCAST(a));
            if (KIND == 2) {
                for (int g = 1; g < 8; g++) sum = _mm256_dpbusd_epi32(sum, w[g], BK_BCAST(a + 4 * g));
            } else {
                sum = _mm256_dpbusd_epi32(sum, w[1], BK_BCAST(a + 4));
                sum = _mm256_dpbusd_epi32(sum, w[2], BK_BCAST(a + 8));
                sum = _mm256_dpbusd_epi32(sum, w[3], BK_BCAST(a + 12));
                sum = _mm256_dpbusd_epi32(sum, w[4], BK_BCAST(a + 16));
                sum = _mm256_dpbusd_epi32(sum, w[5], BK_BCAST(a + 20));
                sum = _mm256_dpbusd_epi32(sum, w[6], BK_BCAST(a + 24));
                sum = _mm256_dpbusd_epi32(sum, w[7], BK_BCAST(a + 28));
            }
            if (KIND != 1) sum = _mm256_sub_epi32(sum, _mm256_set1_epi32(cy[t * nb + i]));
            const __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(dy[t * nb + i]));
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), scale, acc[t]);
            if (KIND == 1) acc[t] = _mm256_fmadd_ps(mw, _mm256_set1_ps(sy[t * nb + i]), acc[t]);
        }
    }
    for (int t = 0; t < T; t++) _mm256_storeu_ps(out + t * out_stride, acc[t]);
}

/* Every packed group in [g_begin, g_end) against `rows` activation rows, in tiles of BK_PACKED_TILE rows and a
 * remainder; the group stays in L1 while all tiles pass over it, so only the first tile prefetches. */
#define BK_DEFINE_PACKED_GROUPS(NAME, KIND)                                                                       \
    BK_VNNI_PACKED static void NAME(const uint8_t *w, int g_begin, int g_end, int nb, const char *xs,             \
                                    long x_row_bytes, int act_block_bytes, int act_qs_offset, int rows,           \
                                    const float *dy, const float *sy, const int32_t *cy, float *y,                \
                                    long y_stride) {                                                              \
        const int block = KIND == 0 ? 144 : KIND == 1 ? 160 : 272;                                                 \
        for (int g = g_begin; g < g_end; g++) {                                                                   \
            const uint8_t *wg = w + (long)g * nb * block;                                                         \
            float *out = y + (long)g * 8;                                                                         \
            int b = 0;                                                                                            \
            for (; b + BK_PACKED_TILE <= rows; b += BK_PACKED_TILE)                                               \
                bk_packed_tile(KIND, BK_PACKED_TILE, b == 0, wg, nb, xs + b * x_row_bytes, x_row_bytes, act_block_bytes,  \
                               act_qs_offset, dy + b * nb, sy + b * nb, cy + b * nb, out + b * y_stride,          \
                               y_stride);                                                                         \
            const char *xr = xs + b * x_row_bytes;                                                                \
            const float *dr = dy + b * nb, *sr = sy + b * nb;                                                     \
            const int32_t *cr = cy + b * nb;                                                                      \
            float *o = out + b * y_stride;                                                                        \
            switch (rows - b) {                                                                                   \
            case 7: bk_packed_tile(KIND, 7, b == 0, wg, nb, xr, x_row_bytes, act_block_bytes, act_qs_offset, dr, sr, cr, o, y_stride); break; \
            case 6: bk_packed_tile(KIND, 6, b == 0, wg, nb, xr, x_row_bytes, act_block_bytes, act_qs_offset, dr, sr, cr, o, y_stride); break; \
            case 5: bk_packed_tile(KIND, 5, b == 0, wg, nb, xr, x_row_bytes, act_block_bytes, act_qs_offset, dr, sr, cr, o, y_stride); break; \
            case 4: bk_packed_tile(KIND, 4, b == 0, wg, nb, xr, x_row_bytes, act_block_bytes, act_qs_offset, dr, sr, cr, o, y_stride); break; \
            case 3: bk_packed_tile(KIND, 3, b == 0, wg, nb, xr, x_row_bytes, act_block_bytes, act_qs_offset, dr, sr, cr, o, y_stride); break; \
            case 2: bk_packed_tile(KIND, 2, b == 0, wg, nb, xr, x_row_bytes, act_block_bytes, act_qs_offset, dr, sr, cr, o, y_stride); break; \
            case 1: bk_packed_tile(KIND, 1, b == 0, wg, nb, xr, x_row_bytes, act_block_bytes, act_qs_offset, dr, sr, cr, o, y_stride); break; \
            default: break;                                                                                       \
            }                                                                                                     \
        }                                                                                                         \
    }

BK_DEFINE_PACKED_GROUPS(bk_packed_groups_q4_0, 0)
BK_DEFINE_PACKED_GROUPS(bk_packed_groups_q4_1, 1)
BK_DEFINE_PACKED_GROUPS(bk_packed_groups_q8_0, 2)

/* Scales and corrections of `rows` activation rows (Q8_1 for Q4_1 weights, Q8_0 otherwise). */
BK_VNNI_PACKED static void bk_packed_activation_terms(bk_type w_type, const char *x, long x_row_bytes, int rows,
                                                      int nb, float *dy, float *sy, int32_t *cy) {
    const int multiplier = w_type == BK_TYPE_Q4_0 ? 8 : 128;
    for (int b = 0; b < rows; b++) {
        const char *row = x + (long)b * x_row_bytes;
        for (int i = 0; i < nb; i++) {
            if (w_type == BK_TYPE_Q4_1) {
                const bk_block_q8_1 *a = (const bk_block_q8_1 *)row + i;
                dy[b * nb + i] = _cvtsh_ss(a->d);
                sy[b * nb + i] = _cvtsh_ss(a->s);
            } else {
                const bk_block_q8_0 *a = (const bk_block_q8_0 *)row + i;
                dy[b * nb + i] = _cvtsh_ss(a->d);
                /* Sum of 32 signed bytes: flip to unsigned, sum against zero, remove the 32 * 128 offset. */
                const __m256i q = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)a->qs),
                                                   _mm256_set1_epi8((char)0x80));
                const __m256i s = _mm256_sad_epu8(q, _mm256_setzero_si256());
                const long total = _mm256_extract_epi64(s, 0) + _mm256_extract_epi64(s, 1) +
                                   _mm256_extract_epi64(s, 2) + _mm256_extract_epi64(s, 3) - 32 * 128;
                cy[b * nb + i] = (int32_t)(multiplier * total);
            }
        }
    }
}

BK_VNNI_PACKED static void bk_matmul_packed_vnni(bk_type w_type, const uint8_t *w, int g_begin, int g_end, int n,
                                                 const char *x, long x_row_bytes, int batch, float *y,
                                                 long y_stride) {
    float dy[BK_PACKED_CAP];
    float sy[BK_PACKED_CAP];
    int32_t cy[BK_PACKED_CAP];
    const int nb = n / BK_QK;
    const int q41 = w_type == BK_TYPE_Q4_1;
    const int act_block_bytes = q41 ? (int)sizeof(bk_block_q8_1) : (int)sizeof(bk_block_q8_0);
    const int act_qs_offset = q41 ? 4 : 2;
    const int group = BK_PACKED_CAP / nb;
    for (int b0 = 0; b0 < batch; b0 += group) {
        const int rows = batch - b0 < group ? batch - b0 : group;
        const char *xs = x + (long)b0 * x_row_bytes;
        bk_packed_activation_terms(w_type, xs, x_row_bytes, rows, nb, dy, sy, cy);
        float *yb = y + (long)b0 * y_stride;
        switch (w_type) {
        case BK_TYPE_Q4_0:
            bk_packed_groups_q4_0(w, g_begin, g_end, nb, xs, x_row_bytes, act_block_bytes, act_qs_offset, rows, dy,
                                  sy, cy, yb, y_stride);
            break;
        case BK_TYPE_Q4_1:
            bk_packed_groups_q4_1(w, g_begin, g_end, nb, xs, x_row_bytes, act_block_bytes, act_qs_offset, rows, dy,
                                  sy, cy, yb, y_stride);
            break;
        default:
            bk_packed_groups_q8_0(w, g_begin, g_end, nb, xs, x_row_bytes, act_block_bytes, act_qs_offset, rows, dy,
                                  sy, cy, yb, y_stride);
            break;
        }
    }
}
#endif

int bk_packed_supported(bk_isa isa, bk_type w_type) {
#if BK_HAVE_AVX2_PATH
    return bk_resolve_isa(isa) == BK_ISA_AVX2 && bk_packed_block_bytes(w_type) > 0 && bk_cpu_has_avx512_vnni();
#else
    (void)isa;
    (void)w_type;
    return 0;
#endif
}

int bk_matmul_packed(bk_isa isa, bk_type w_type, const void *packed, int group_begin, int group_end, int n,
                     const void *x, long x_row_bytes, int batch, float *y, long y_stride) {
    if (!bk_packed_supported(isa, w_type) || n <= 0 || n % BK_QK != 0 || n / BK_QK > BK_PACKED_CAP) return -1;
#if BK_HAVE_AVX2_PATH
    bk_matmul_packed_vnni(w_type, (const uint8_t *)packed, group_begin, group_end, n, (const char *)x, x_row_bytes,
                          batch, y, y_stride);
    return 0;
#else
    (void)packed; (void)group_begin; (void)group_end; (void)x; (void)x_row_bytes; (void)batch; (void)y;
    (void)y_stride;
    return -1;
#endif
}
