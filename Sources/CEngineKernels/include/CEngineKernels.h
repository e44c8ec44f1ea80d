#ifndef CENGINEKERNELS_H
#define CENGINEKERNELS_H
/*
 * Quantized CPU kernels of the Ballast inference engine. Every symbol is prefixed `bk_`.
 *
 * Block layouts are ggml's (see bk_blocks.h): Q4_0 (18 bytes / 32 weights), Q4_1 (20), Q8_0 (34), Q8_1 (36).
 * Integer dot products multiply 4-bit weights with activations quantized to 8 bits per row: Q4_0 and Q8_0
 * weights take Q8_0 activations, Q4_1 weights take Q8_1 activations (whose block sums absorb the minimum m).
 * F16 and F32 weights take F32 activations.
 *
 * Every kernel takes a bk_isa: BK_ISA_AUTO picks the best instruction set this CPU supports (AVX2 + FMA + F16C,
 * NEON, else scalar); asking for one the CPU lacks runs the scalar code instead, never an illegal instruction.
 * Counts are elements; strides are bytes (row_bytes) or floats (y_stride). Block data must be 2-byte aligned.
 * This header includes nothing, so no libc declarations leak into the importing module.
 */

/* Instruction set selector. */
typedef enum bk_isa {
    BK_ISA_AUTO = 0,
    BK_ISA_SCALAR = 1,
    BK_ISA_AVX2 = 2,
    BK_ISA_NEON = 3,
} bk_isa;

/* Tensor types, numbered as ggml's enum ggml_type. */
typedef enum bk_type {
    BK_TYPE_F32 = 0,
    BK_TYPE_F16 = 1,
    BK_TYPE_Q4_0 = 2,
    BK_TYPE_Q4_1 = 3,
    BK_TYPE_Q8_0 = 8,
    BK_TYPE_Q8_1 = 9,
} bk_type;

/* 1 when this CPU can run `isa` (BK_ISA_AUTO and BK_ISA_SCALAR always can), else 0. */
int bk_isa_supported(bk_isa isa);

/* The instruction set BK_ISA_AUTO resolves to on this CPU. */
bk_isa bk_isa_best(void);

/* The activation type a weight type is multiplied with: Q8_0 for Q4_0/Q8_0, Q8_1 for Q4_1, F32 for F16/F32;
 * -1 for a weight type the kernels cannot multiply. */
int bk_activation_type(bk_type weight_type);

/* Quantizes n floats (n a multiple of 32) to Q8_0 blocks, as ggml's quantize_row_q8_0_ref (roundf). */
void bk_quantize_row_q8_0(bk_isa isa, const float *x, void *y, int n);

/* Quantizes n floats (n a multiple of 32) to Q8_1 blocks, as ggml's quantize_row_q8_1_ref. */
void bk_quantize_row_q8_1(bk_isa isa, const float *x, void *y, int n);

/* Quantizes n weights (n a multiple of 32) to Q4_0 or Q4_1 blocks, as ggml's quantize_row_q4_0_ref and
 * quantize_row_q4_1_ref (scalar on every ISA: quantizing is done once per model, offline). Q8_0 weights use
 * bk_quantize_row_q8_0. */
void bk_quantize_row_q4_0(const float *x, void *y, int n);
void bk_quantize_row_q4_1(const float *x, void *y, int n);

/* Dot products of one weight row with one activation row of n elements (n a multiple of 32 for quantized
 * types). */
float bk_vec_dot_q4_0_q8_0(bk_isa isa, int n, const void *x, const void *y);
float bk_vec_dot_q4_1_q8_1(bk_isa isa, int n, const void *x, const void *y);
float bk_vec_dot_q8_0_q8_0(bk_isa isa, int n, const void *x, const void *y);
float bk_vec_dot_f16_f32(bk_isa isa, int n, const void *x, const float *y);
float bk_vec_dot_f32_f32(bk_isa isa, int n, const float *x, const float *y);

/*
 * Matrix times several activation rows: for every weight row r in [row_begin, row_end) and activation row b in
 * [0, batch), y[b * y_stride + r] = dot(weight row r, activation row b).
 *
 * w: weight rows of type w_type, row r at w + r * w_row_bytes. x: batch activation rows of the type
 * bk_activation_type(w_type), row b at x + b * x_row_bytes. n: elements per row.
 * Each weight block is read once for up to 4 activation rows at a time, so a batched decode step streams the
 * weights from memory once for the whole batch. Results equal bk_vec_dot_* exactly, whatever the batch.
 * Threads split the work by giving disjoint row ranges. Returns 0, or -1 when w_type is not supported.
 */
int bk_matmul(bk_isa isa, bk_type w_type, const void *w, long w_row_bytes, int row_begin, int row_end, int n,
              const void *x, long x_row_bytes, int batch, float *y, long y_stride);

/* y = x / sqrt(mean(x^2) + eps) * w (w may be null: no weight), n elements; y may equal x. */
void bk_rmsnorm(bk_isa isa, const float *x, const float *w, float *y, int n, float eps);

/* In-place softmax of n floats (scalar on every ISA: expf dominates and this is O(n) per token). */
void bk_softmax(float *x, int n);

/*
 * In-place rotary position embedding of n_heads heads of head_dim floats each, for token position pos.
 * The first n_rot dimensions of each head rotate by angle pos * freq_base^(-2i / n_rot) for pair i; the rest are
 * unchanged. neox = 0 pairs adjacent elements (2i, 2i+1) (llama); neox = 1 pairs i with i + n_rot/2 (Qwen2,
 * GPT-NeoX). Angles are computed as ggml does (repeated multiplication by the per-pair factor).
 */
void bk_rope(float *x, int n_heads, int head_dim, int n_rot, int pos, float freq_base, int neox);

/* bk_rope of one token's query heads and key heads (either may be NULL) with the angles computed once for both. */
void bk_rope_qk(float *q, int q_heads, float *k, int k_heads, int head_dim, int n_rot, int pos, float freq_base,
                int neox);

/* In-place SiLU: x = x / (1 + exp(-x)). */
void bk_silu(float *x, int n);

/* SwiGLU gate: g = silu(g) * u, n elements. */
void bk_silu_mul(float *g, const float *u, int n);

/* bk_silu_mul with the instruction set's exponential: the scalar path is bk_silu_mul itself; AVX2 uses an
 * eight-lane e^x within 2 ulp of expf, and every element is computed alike wherever the range starts or ends. */
void bk_swiglu(bk_isa isa, float *g, const float *u, int n);

/* ---------------------------------------------------------------------------------------------------------------
 * Attention over a paged KV cache of IEEE halves (bk_attention.c).
 * ------------------------------------------------------------------------------------------------------------- */

/*
 * Grouped-query attention of one query row over n_tokens cached tokens, for query heads [head_begin, head_end).
 *
 * q: n_head * head_dim floats (already rotated). out: n_head * head_dim floats; only the heads in range are written.
 * Query head h reads KV head h / (n_head / n_kv_head). The cache holds IEEE half bits. Keys of token t lie at
 * kv + pages[t / page_size] * page_stride + (t % page_size) * n_kv_head * head_dim, values at the same place plus
 * v_offset (all in halves, each an unsigned short of IEEE half bits). scores: scratch of at least
 * bk_attention_scratch_floats(n_head, n_kv_head, n_tokens) floats: query heads of one KV head may be scored together.
 * Weights are softmax(q . k * scale) over the tokens; causal masking is the caller's choice of n_tokens (a row at position p passes p + 1).
 * isa selects the scalar or AVX2 path as for the other kernels; they differ only in summation order.
 */
void bk_attention(bk_isa isa, const float *q, float *out, int n_head, int n_kv_head, int head_dim, int head_begin, int head_end,
                  const unsigned short *kv, long page_stride, long v_offset, const int *pages, int page_size, int n_tokens,
                  float scale, float *scores);

/* Floats of scratch bk_attention needs for n_tokens tokens: n_tokens times up to three heads of one KV group. */
long bk_attention_scratch_floats(int n_head, int n_kv_head, int n_tokens);

/* n floats stored as IEEE halves, rounded to nearest even; the scalar and AVX2 (F16C) paths give the same bits. */
void bk_store_halves(bk_isa isa, unsigned short *dst, const float *src, int n);

/* ---------------------------------------------------------------------------------------------------------------
 * Packed weights (bk_packed.c): Q4_0, Q4_1 and Q8_0 matrices repacked eight rows at a time for AVX-512 VNNI.
 * ------------------------------------------------------------------------------------------------------------- */

/* 1 when this CPU runs bk_matmul_packed for w_type with `isa` (AVX2 selected, AVX-512 VNNI present). */
int bk_packed_supported(bk_isa isa, bk_type w_type);

/* Bytes of `rows` rows of n elements of w_type once packed; -1 when the type cannot be packed, rows is not a
 * positive multiple of 8 or n not a positive multiple of 32. */
long bk_packed_size(bk_type w_type, int rows, int n);

/* Packs `rows` rows (row r at w + r * w_row_bytes) into out (bk_packed_size bytes). Returns 0, or -1 as above. */
int bk_pack_rows(bk_type w_type, const void *w, long w_row_bytes, int rows, int n, void *out);

/*
 * bk_matmul over packed weights, for the weight rows of groups [group_begin, group_end) (group g holds rows
 * 8g..8g+7): y[b * y_stride + r] = dot(row r, activation row b). Activations as for bk_matmul. Results agree with
 * bk_matmul within float reordering, and are identical for every batch size and row range. Returns 0, or -1 when
 * bk_packed_supported is 0 or n is out of range.
 */
int bk_matmul_packed(bk_isa isa, bk_type w_type, const void *packed, int group_begin, int group_end, int n,
                     const void *x, long x_row_bytes, int batch, float *y, long y_stride);

/* ---------------------------------------------------------------------------------------------------------------
 * Worker threads (bk_pool.c).
 * ------------------------------------------------------------------------------------------------------------- */

/* A fixed set of threads that run one task at a time together with the caller. */
typedef struct bk_pool bk_pool;

/* One share of a task: called once for each share in [0, threads), each share on one thread (whichever claims it
 * first, the caller included), so per-share scratch needs no locks. */
typedef void (*bk_pool_task)(void *context, int thread, int threads);

/* A pool of `threads` threads in all (threads - 1 are started; the caller of bk_pool_run is the last one).
 * Between tasks the workers spin briefly, then sleep. Returns NULL when threads < 1 or memory is short; when
 * a thread cannot be started the pool runs with those that did (bk_pool_threads). */
bk_pool *bk_pool_create(int threads);

/* The threads a task is split over. */
int bk_pool_threads(const bk_pool *pool);

/* Workers asleep now (they sleep after a few milliseconds without a task). */
int bk_pool_sleeping(bk_pool *pool);

/* Runs task(context, share, threads) for every share and returns when all have returned. One caller at a time.
 * A NULL pool runs the task on the caller alone. */
void bk_pool_run(bk_pool *pool, bk_pool_task task, void *context);

/* Stops and joins the workers and frees the pool (NULL is ignored). */
void bk_pool_destroy(bk_pool *pool);

#endif
