/* parallel.c - the library's one thread pool: a "parallel for" over numbered
 * tasks on POSIX threads, and the CPU count (see core.h).
 *
 * Tasks are taken in order of their number by the first free thread, the
 * caller's thread being one of them. When fewer tasks remain than threads, a
 * task is told it may use the idle threads itself (the quantile regression
 * splits its taus). The first error stops the pool: tasks not started are
 * skipped, and that error is returned. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"

typedef struct pool {
    pthread_mutex_t lock;
    int next, done, n, n_threads, failed;
    slds_task_fn task;
    void *ctx;
    const slds_progress *progress;
    const char *stage;
    slds_error err;
} pool;

int slds_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void *worker(void *arg)
{
    pool *pl = arg;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        if (pl->failed || pl->next >= pl->n) {
            pthread_mutex_unlock(&pl->lock);
            return NULL;
        }
        int i = pl->next++;
        int remaining = pl->n - i;
        pthread_mutex_unlock(&pl->lock);
        int share = remaining >= pl->n_threads ? 1 : pl->n_threads / remaining;
        slds_error e = {0};
        int rc = pl->task(pl->ctx, i, share, &e);
        pthread_mutex_lock(&pl->lock);
        if (rc && !pl->failed) {
            pl->failed = rc;
            pl->err = e;
            pl->err.code = rc;
        }
        pl->done++;
        slds_progress_report(pl->progress, pl->stage, (uint64_t)pl->done, (uint64_t)pl->n);
        pthread_mutex_unlock(&pl->lock);
    }
}

int slds_parallel_for(int n, int n_threads, slds_task_fn task, void *ctx,
                      const slds_progress *progress, const char *stage, slds_error *err)
{
    if (n <= 0)
        return SLDS_OK;
    if (n_threads < 1)
        n_threads = 1;
    pool pl;
    memset(&pl, 0, sizeof pl);
    pl.n = n;
    pl.n_threads = n_threads;
    pl.task = task;
    pl.ctx = ctx;
    pl.progress = progress;
    pl.stage = stage;
    if (pthread_mutex_init(&pl.lock, NULL) != 0)
        return slds_fail(err, SLDS_ERR_NOMEM, "cannot create a mutex");
    int helpers = (n_threads < n ? n_threads : n) - 1; /* the caller is the first worker */
    pthread_t *tid = helpers > 0 ? calloc((size_t)helpers, sizeof *tid) : NULL;
    if (helpers > 0 && !tid) {
        pthread_mutex_destroy(&pl.lock);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    int started = 0;
    if (stage)
        slds_progress_report(progress, stage, 0, (uint64_t)n);
    for (; started < helpers; started++)
        if (pthread_create(&tid[started], NULL, worker, &pl) != 0)
            break;
    worker(&pl);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&pl.lock);
    if (pl.failed) {
        if (err)
            *err = pl.err;
        return pl.failed;
    }
    return SLDS_OK;
}
