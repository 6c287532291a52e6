/* parallel.c - a small pool of POSIX threads that runs numbered tasks (the
 * cohorts of a run) in the order given, the next task going to the first
 * free thread. When fewer tasks remain than threads, a task is told it may
 * use the idle threads itself (the quantile regression splits its taus). The
 * first error stops the pool: tasks not started are skipped, and that error
 * is returned. Progress is reported from the threads under the pool's lock. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "growthrun/internal.h"

typedef struct pool {
    pthread_mutex_t lock;
    int next, done, n, n_threads, failed;
    gr_task_fn task;
    void *ctx;
    const slds_progress *progress;
    const char *stage;
    slds_error err;
} pool;

int gr_cpu_count(void)
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

int gr_parallel(int n, int n_threads, gr_task_fn task, void *ctx, const slds_progress *progress,
                const char *stage, slds_error *err)
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
    int workers = n_threads < n ? n_threads : n;
    pthread_t *tid = calloc((size_t)workers, sizeof *tid);
    if (!tid) {
        pthread_mutex_destroy(&pl.lock);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    int started = 0;
    slds_progress_report(progress, stage, 0, (uint64_t)n);
    for (; started < workers; started++)
        if (pthread_create(&tid[started], NULL, worker, &pl) != 0)
            break;
    if (started == 0)
        worker(&pl); /* no thread could start: run the tasks here */
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
