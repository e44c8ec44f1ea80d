#include "CEngineKernels.h"
#include "bk_blocks.h"

/* What the CPU offers, probed once: the AVX2 set the kernels build on (with FMA and F16C), AVX-512F with 256-bit
 * (VL) encodings, and VNNI with BW on top of those. */
enum { BK_CPU_AVX2 = 1, BK_CPU_AVX512VL = 2, BK_CPU_AVX512_VNNI = 4 };

#if BK_HAVE_AVX2_PATH
/* -1 unknown, else the BK_CPU_ bits. A race only repeats the probe, which always gives the same answer. */
static int bk_cpu_cached = -1;
#endif

static int bk_cpu_features(void) {
#if BK_HAVE_AVX2_PATH
    int cached = __atomic_load_n(&bk_cpu_cached, __ATOMIC_RELAXED);
    if (cached < 0) {
        __builtin_cpu_init();
        cached = 0;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
            cached |= BK_CPU_AVX2;
            if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) {
                cached |= BK_CPU_AVX512VL;
                if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"))
                    cached |= BK_CPU_AVX512_VNNI;
            }
        }
        __atomic_store_n(&bk_cpu_cached, cached, __ATOMIC_RELAXED);
    }
    return cached;
#else
    return 0;
#endif
}

static int bk_cpu_has_avx2(void) { return (bk_cpu_features() & BK_CPU_AVX2) != 0; }

int bk_cpu_has_avx512vl(void) { return (bk_cpu_features() & BK_CPU_AVX512VL) != 0; }

int bk_cpu_has_avx512_vnni(void) { return (bk_cpu_features() & BK_CPU_AVX512_VNNI) != 0; }

int bk_isa_supported(bk_isa isa) {
    switch (isa) {
    case BK_ISA_AUTO:
    case BK_ISA_SCALAR:
        return 1;
    case BK_ISA_AVX2:
        return bk_cpu_has_avx2();
    case BK_ISA_NEON:
#if defined(__ARM_NEON)
        return 1;
#else
        return 0;
#endif
    }
    return 0;
}

bk_isa bk_isa_best(void) {
    if (bk_isa_supported(BK_ISA_AVX2)) return BK_ISA_AVX2;
    if (bk_isa_supported(BK_ISA_NEON)) return BK_ISA_NEON;
    return BK_ISA_SCALAR;
}

bk_isa bk_resolve_isa(bk_isa isa) {
    if (isa == BK_ISA_AUTO) return bk_isa_best();
    return bk_isa_supported(isa) ? isa : BK_ISA_SCALAR;
}

int bk_activation_type(bk_type weight_type) {
    switch (weight_type) {
    case BK_TYPE_Q4_0:
    case BK_TYPE_Q8_0:
        return BK_TYPE_Q8_0;
    case BK_TYPE_Q4_1:
        return BK_TYPE_Q8_1;
    case BK_TYPE_F16:
    case BK_TYPE_F32:
        return BK_TYPE_F32;
    default:
        return -1;
    }
}
