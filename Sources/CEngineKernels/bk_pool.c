/* A fixed set of worker threads that run one task at a time with the calling thread.
 *
 * A forward step runs about five parallel sections per layer, each a few tens of microseconds long at batch 1.
 * Waking threads through a queue for every section costs as much as the section itself, so between sections the
 * workers spin on a generation counter, and only after BK_POOL_SPINS idle polls (about a millisecond) do they
 * sleep on a condition variable. The caller works on the task too, then waits for the shares others took. */
#include "CEngineKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define bk_cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define bk_cpu_relax() __asm__ __volatile__("yield")
#else
#define bk_cpu_relax() ((void)0)
#endif

/* Idle polls before a worker sleeps: about a millisecond, longer than the serial work between two sections. */
#define BK_POOL_SPINS 30000

/* Polls for the other threads' shares before the caller yields its core between polls. */
#define BK_POOL_WAIT_SPINS 20000

/* Shares of the current task are claimed, not assigned: `claim` holds the task's generation in its high 32 bits
 * and the next unclaimed share in its low 32 bits. The caller claims shares too, so when a worker has lost its
 * core to another process (more runnable threads than cores) the caller runs that share itself instead of
 * waiting for the worker to be scheduled again. A worker claims with a compare-and-swap that also checks the
 * generation, so a late worker never takes a share of a newer task with an older task's function. */
struct bk_pool {
    int threads;
    pthread_t *ids;
    bk_pool_task task;
    void *context;
    _Atomic unsigned long long claim;
    atomic_int completed;
    atomic_int sleeping;
    atomic_int stopping;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
};

static inline unsigned bk_generation(unsigned long long claim) { return (unsigned)(claim >> 32); }

/* Runs shares of generation `generation` until none is left; returns when the generation has moved on too. */
static void bk_pool_work(bk_pool *pool, unsigned generation) {
    unsigned long long claim = atomic_load_explicit(&pool->claim, memory_order_acquire);
    for (;;) {
        if (bk_generation(claim) != generation) return;
        const int share = (int)(claim & 0xFFFFFFFFu);
        if (share >= pool->threads) return;
        if (!atomic_compare_exchange_weak_explicit(&pool->claim, &claim, claim + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        /* The task and context stay fixed until every share of this generation has completed. */
        pool->task(pool->context, share, pool->threads);
        atomic_fetch_add_explicit(&pool->completed, 1, memory_order_acq_rel);
        claim = atomic_load_explicit(&pool->claim, memory_order_acquire);
    }
}

static void *bk_pool_main(void *argument) {
    bk_pool *pool = argument;
    unsigned seen = 0;
    for (;;) {
        unsigned generation = bk_generation(atomic_load_explicit(&pool->claim, memory_order_acquire));
        for (int spins = 0; generation == seen && spins < BK_POOL_SPINS; spins++) {
            bk_cpu_relax();
            generation = bk_generation(atomic_load_explicit(&pool->claim, memory_order_acquire));
        }
        if (generation == seen) {
            /* Announce the sleep before the last look at the generation; bk_pool_run publishes the generation
             * before it reads `sleeping`, so (both sequentially consistent) one of the two sees the other. */
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleeping, 1);
            while ((generation = bk_generation(atomic_load(&pool->claim))) == seen && !atomic_load(&pool->stopping))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleeping, 1);
            pthread_mutex_unlock(&pool->mutex);
        }
        if (atomic_load(&pool->stopping)) return NULL;
        seen = generation;
        bk_pool_work(pool, generation);
    }
}

bk_pool *bk_pool_create(int threads) {
    if (threads < 1) return NULL;
    bk_pool *pool = calloc(1, sizeof(bk_pool));
    if (!pool) return NULL;
    pool->threads = threads;
    atomic_init(&pool->claim, 0);
    atomic_init(&pool->completed, 0);
    atomic_init(&pool->sleeping, 0);
    atomic_init(&pool->stopping, 0);
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    if (threads == 1) return pool;
    pool->ids = calloc((size_t)threads, sizeof(pthread_t));
    if (!pool->ids) {
        pool->threads = 1;
        bk_pool_destroy(pool);
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&pool->ids[i], NULL, bk_pool_main, pool) != 0) {
            /* Run with the threads that did start. */
            pool->threads = i;
            break;
        }
    }
    return pool;
}

int bk_pool_threads(const bk_pool *pool) { return pool ? pool->threads : 1; }

int bk_pool_sleeping(bk_pool *pool) { return pool ? atomic_load(&pool->sleeping) : 0; }

void bk_pool_run(bk_pool *pool, bk_pool_task task, void *context) {
    if (!pool || pool->threads == 1) {
        task(context, 0, 1);
        return;
    }
    pool->task = task;
    pool->context = context;
    atomic_store_explicit(&pool->completed, 0, memory_order_relaxed);
    const unsigned generation = bk_generation(atomic_load_explicit(&pool->claim, memory_order_relaxed)) + 1;
    atomic_store(&pool->claim, (unsigned long long)generation << 32);
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    bk_pool_work(pool, generation);
    /* What is left are shares other threads claimed and are running now. */
    for (int spins = 0; atomic_load_explicit(&pool->completed, memory_order_acquire) < pool->threads; spins++) {
        if (spins < BK_POOL_WAIT_SPINS) bk_cpu_relax();
        else sched_yield();
    }
}

void bk_pool_destroy(bk_pool *pool) {
    if (!pool) return;
    if (pool->threads > 1) {
        pthread_mutex_lock(&pool->mutex);
        atomic_store(&pool->stopping, 1);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
        for (int i = 1; i < pool->threads; i++) pthread_join(pool->ids[i], NULL);
    }
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->ids);
    free(pool);
}
