/* batch.c - a batch of reports run at once (report.h, slds_report_run_all;
 * `slds report DB --all`): the jobs run on the project's thread pool, each on
 * its own read-only connection (SQLite connections are not shared between
 * threads), and share the work two of them would each redo -- the
 * achievement cube, read by `achievement` and `performance-measures`. Each
 * job is timed on its own thread (wall and thread CPU time), so a batch
 * prints every report's time as separate runs would. */
#include "report/report.h"

#include <stdio.h>
#include <time.h>

#include "account/account.h"

typedef struct batch {
    const char *db;
    slds_report_job *jobs;
    const slds_privacy_rules *rules;
    slds_account_cube_cache *cube;
} batch;

static double seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static size_t total_rows(const slds_report_output *out)
{
    size_t n = 0;
    for (size_t i = 0; i < out->n; i++)
        n += slds_table_nrows(out->tables[i]);
    return n;
}

static int write_output(const slds_report_job *j, const slds_report_output *out, slds_error *err)
{
    if (!j->out_path)
        return SLDS_OK;
    FILE *f = fopen(j->out_path, "w");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write", j->out_path);
    int rc = slds_report_output_write(j->name, out, j->format, f, err);
    if (fclose(f) && !rc)
        rc = slds_fail(err, SLDS_ERR_IO, "%s: write failed", j->out_path);
    return rc;
}

/* One job; its failure stays in the job (the batch goes on). */
static int run_job(void *ctx, int i, int threads, slds_error *unused)
{
    (void)threads;
    (void)unused;
    batch *b = ctx;
    slds_report_job *j = &b->jobs[i];
    double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    j->err = (slds_error){0};
    j->args.cube_cache = b->cube;
    slds_store *s = NULL;
    slds_report_output out = {0};
    j->rc = slds_store_open_readonly(&s, b->db, &j->err);
    if (!j->rc)
        j->rc = slds_report_run(s, j->name, &j->args, b->rules, &out, &j->err);
    slds_store_close(s);
    if (!j->rc) {
        j->rows = total_rows(&out);
        j->privacy = out.privacy;
        j->rc = write_output(j, &out, &j->err);
    }
    slds_report_output_free(&out);
    j->wall_seconds = seconds(CLOCK_MONOTONIC) - w0;
    j->cpu_seconds = seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
    return SLDS_OK;
}

int slds_report_run_all(const char *db, slds_report_job *jobs, size_t n,
                        const slds_privacy_rules *public_rules, int threads, double *cube_seconds,
                        slds_error *err)
{
    batch b = {.db = db, .jobs = jobs, .rules = public_rules};
    int rc = slds_account_cube_cache_new(&b.cube, err);
    if (rc)
        return rc;
    rc = slds_parallel_for((int)n, threads < 1 ? 1 : threads, run_job, &b, NULL, NULL, err);
    if (cube_seconds)
        *cube_seconds = slds_account_cube_cache_seconds(b.cube);
    for (size_t i = 0; i < n; i++)
        jobs[i].args.cube_cache = NULL;
    slds_account_cube_cache_free(b.cube);
    return rc;
}
