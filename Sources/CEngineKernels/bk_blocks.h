#ifndef BK_BLOCKS_H
#define BK_BLOCKS_H
/* Block layouts (ggml's) and half-float conversions shared by the kernel files; not part of the public header. */
#include "CEngineKernels.h"
#include <stdint.h>
#include <string.h>

#define BK_QK 32

/* Q4_0: 32 weights in 18 bytes. value = (q - 8) * d; qs[j] low nibble = element j, high nibble = element j+16. */
typedef struct { uint16_t d; uint8_t qs[BK_QK / 2]; } bk_block_q4_0;
/* Q4_1: 32 weights in 20 bytes. value = q * d + m; nibbles as Q4_0. */
typedef struct { uint16_t d; uint16_t m; uint8_t qs[BK_QK / 2]; } bk_block_q4_1;
/* Q8_0: 32 values in 34 bytes. value = qs[j] * d. */
typedef struct { uint16_t d; int8_t qs[BK_QK]; } bk_block_q8_0;
/* Q8_1: 32 values in 36 bytes. value = qs[j] * d; s = d * sum(qs). */
typedef struct { uint16_t d; uint16_t s; int8_t qs[BK_QK]; } bk_block_q8_1;

_Static_assert(sizeof(bk_block_q4_0) == 18, "Q4_0 block is 18 bytes");
_Static_assert(sizeof(bk_block_q4_1) == 20, "Q4_1 block is 20 bytes");
_Static_assert(sizeof(bk_block_q8_0) == 34, "Q8_0 block is 34 bytes");
_Static_assert(sizeof(bk_block_q8_1) == 36, "Q8_1 block is 36 bytes");

static inline uint32_t bk_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float bk_f32_from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* IEEE half to float, exact, including subnormals (branch-free method used by ggml and FP16 by Maratyszcza). */
static inline float bk_fp16_to_fp32(uint16_t h) {
    const uint32_t w = (uint32_t)h << 16;
    const uint32_t sign = w & 0x80000000u;
    const uint32_t two_w = w + w;
    const float normalized = bk_f32_from_bits((two_w >> 4) + (0xE0u << 23)) * 0x1.0p-112f;
    const float denormalized = bk_f32_from_bits((two_w >> 17) | 0x3F000000u) - 0.5f;
    const uint32_t result = sign | (two_w < (1u << 27) ? bk_f32_bits(denormalized) : bk_f32_bits(normalized));
    return bk_f32_from_bits(result);
}

/* Float to IEEE half, rounding to nearest even (as F16C's vcvtps2ph with mode 0 and Swift's Float16(x)). */
static inline uint16_t bk_fp32_to_fp16(float f) {
    float base = (__builtin_fabsf(f) * 0x1.0p+112f) * 0x1.0p-110f;
    const uint32_t w = bk_f32_bits(f);
    const uint32_t shl1_w = w + w;
    const uint32_t sign = w & 0x80000000u;
    uint32_t bias = shl1_w & 0xFF000000u;
    if (bias < 0x71000000u) bias = 0x71000000u;
    base = bk_f32_from_bits((bias >> 1) + 0x07800000u) + base;
    const uint32_t bits = bk_f32_bits(base);
    const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
    const uint32_t mantissa_bits = bits & 0x00000FFFu;
    const uint32_t nonsign = exp_bits + mantissa_bits;
    return (uint16_t)((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

/* Resolves BK_ISA_AUTO and unsupported requests to what will actually run. */
__attribute__((visibility("hidden"))) bk_isa bk_resolve_isa(bk_isa isa);

/* 1 when this CPU has AVX-512F with 256-bit (VL) encodings, so 32 vector registers, and the AVX2 set; cached. */
__attribute__((visibility("hidden"))) int bk_cpu_has_avx512vl(void);

/* 1 when this CPU has AVX-512 VNNI with 256-bit (VL) encodings and the AVX2 set the kernels build on; cached. */
__attribute__((visibility("hidden"))) int bk_cpu_has_avx512_vnni(void);

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__clang__) || defined(__GNUC__))
#define BK_HAVE_AVX2_PATH 1
#define BK_AVX2 __attribute__((target("avx2,fma,f16c")))
#else
#define BK_HAVE_AVX2_PATH 0
#endif

#if BK_HAVE_AVX2_PATH
#include <immintrin.h>

/* Sum of the eight lanes. */
BK_AVX2 static inline float bk_hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/* e^x in eight lanes (Cephes expf: x = n ln 2 + r, e^r = 1 + r + r^2 P(r), times 2^n), within 2 ulp of expf for
 * x in [-87.3, 88.3]; inputs outside are clamped there, so tiny results come out near 1e-38 instead of 0 and huge
 * ones near 2.4e38 instead of infinity. Each lane depends only on its own input. */
BK_AVX2 static inline __m256 bk_exp8(__m256 x) {
    x = _mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f));
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3365478515625f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    const __m256 e = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    const __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(e, _mm256_castsi256_ps(scale));
}
#endif

#endif
