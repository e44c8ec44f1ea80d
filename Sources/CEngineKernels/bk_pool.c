/* A fixed set of worker threads that run one task at a time with the calling thread.
 *
 * A forward step runs about five parallel sections per layer, each a few tens of microseconds long at batch 1.
 * Waking threads through a queue for every section costs as much as the section itself, so between sections the
 * workers spin on a generation counter, and only after BK_POOL_SPINS idle polls (well over a millisecond) do they
 * sleep on a condition variable. The caller always takes share 0 and then waits for the others. */
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

/* Idle polls before a worker sleeps; a pause is tens of cycles, so this is a few milliseconds of spinning. */
#define BK_POOL_SPINS 100000

/* Polls for the other threads' shares before the caller yields its core between polls. */
#define BK_POOL_WAIT_SPINS 20000

struct bk_pool {
    int threads;
    pthread_t *ids;
    struct bk_pool_worker *workers;
    bk_pool_task task;
    void *context;
    atomic_uint generation;
    atomic_int pending;
    atomic_int sleeping;
    atomic_int stopping;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
};

struct bk_pool_worker {
    bk_pool *pool;
    int index;
};

static void *bk_pool_main(void *argument) {
    struct bk_pool_worker *worker = argument;
    bk_pool *pool = worker->pool;
    unsigned seen = 0;
    for (;;) {
        unsigned generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
        for (int spins = 0; generation == seen && spins < BK_POOL_SPINS; spins++) {
            bk_cpu_relax();
            generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
        }
        if (generation == seen) {
            /* Announce the sleep before the last look at the generation; bk_pool_run publishes the generation
             * before it reads `sleeping`, so (both sequentially consistent) one of the two sees the other. */
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleeping, 1);
            while ((generation = atomic_load(&pool->generation)) == seen && !atomic_load(&pool->stopping))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleeping, 1);
            pthread_mutex_unlock(&pool->mutex);
        }
        if (atomic_load(&pool->stopping)) return NULL;
        seen = generation;
        pool->task(pool->context, worker->index, pool->threads);
        atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel);
    }
}

bk_pool *bk_pool_create(int threads) {
    if (threads < 1) return NULL;
    bk_pool *pool = calloc(1, sizeof(bk_pool));
    if (!pool) return NULL;
    pool->threads = threads;
    atomic_init(&pool->generation, 0);
    atomic_init(&pool->pending, 0);
    atomic_init(&pool->sleeping, 0);
    atomic_init(&pool->stopping, 0);
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    if (threads == 1) return pool;
    pool->ids = calloc((size_t)threads, sizeof(pthread_t));
    pool->workers = calloc((size_t)threads, sizeof(struct bk_pool_worker));
    if (!pool->ids || !pool->workers) {
        pool->threads = 1;
        bk_pool_destroy(pool);
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        pool->workers[i] = (struct bk_pool_worker){.pool = pool, .index = i};
        if (pthread_create(&pool->ids[i], NULL, bk_pool_main, &pool->workers[i]) != 0) {
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
    atomic_store_explicit(&pool->pending, pool->threads - 1, memory_order_relaxed);
    atomic_fetch_add(&pool->generation, 1);
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    task(context, 0, pool->threads);
    /* A worker that lost its core (more runnable threads than cores) finishes sooner when we give ours up. */
    for (int spins = 0; atomic_load_explicit(&pool->pending, memory_order_acquire) > 0; spins++) {
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
    free(pool->workers);
    free(pool);
}
