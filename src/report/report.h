/* report.h - the report registry: every report is a name, a description, its
 * parameters and a function that returns result tables (src/table). The
 * command line (`slds report`) and the future HTTP routes both run reports
 * through slds_report_run, which checks the parameters and, for a public
 * report, applies public-reporting suppression (src/privacy) to every table,
 * once, here: a report function never suppresses on its own.
 * docs/report.md lists the reports and says how to add one.
 *
 * Ownership: slds_report_run fills a slds_report_output the caller frees
 * with slds_report_output_free. Definitions are static. */
#ifndef SLDS_REPORT_H
#define SLDS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "table/table.h"

typedef enum { SLDS_PARAM_TEXT, SLDS_PARAM_INTEGER, SLDS_PARAM_REAL } slds_param_type;

typedef struct slds_report_param {
    const char *name; /* as given: --name value */
    slds_param_type type;
    bool required;
    const char *help; /* one line, with the default when there is one */
} slds_report_param;

/* The parameters of one run: name/value pairs (strings, checked against the
 * definition by slds_report_run before the function sees them). */
struct slds_account_cube_cache;
typedef struct slds_report_args {
    size_t n;
    const char *const *names;
    const char *const *values;
    /* NULL, or work shared by the reports of one batch (slds_report_run_all):
     * the achievement cube (src/account) */
    struct slds_account_cube_cache *cube_cache;
} slds_report_args;

/* The value of parameter name, or NULL when not given. */
const char *slds_report_arg(const slds_report_args *a, const char *name);
/* The parameter as a number, or dflt when not given (already checked). */
long long slds_report_arg_integer(const slds_report_args *a, const char *name, long long dflt);
double slds_report_arg_real(const slds_report_args *a, const char *name, double dflt);

/* What a report returns: tables in order (the caller's after the run). */
typedef struct slds_report_output {
    size_t n;
    slds_table **tables;
    slds_privacy_result privacy; /* totals over every table, when public */
    /* Charts (inline SVG) drawn from the tables after suppression (the
     * report's figure step), for the HTML form; empty when none. */
    slds_buf figure;
    slds_buf html; /* charts (SVG) shown before the tables in the HTML form; may be empty.
                    * Drawn from unsuppressed figures: a public run drops it. */
} slds_report_output;

/* Appends t to out (out owns it from then, also on failure). */
int slds_report_output_add(slds_report_output *out, slds_table *t, slds_error *err);
void slds_report_output_free(slds_report_output *out);
/* Writes a report's output as `slds report` prints it: in HTML with a
 * figure, a whole page (title NAME, the figure, the report's own HTML, the
 * tables); otherwise the report's HTML (html format only) and the tables. */
int slds_report_output_write(const char *name, const slds_report_output *out, slds_format fmt, FILE *f,
                             slds_error *err);

typedef int (*slds_report_fn)(slds_store *s, const slds_report_args *args,
                              slds_report_output *out, slds_error *err);

typedef struct slds_report_def {
    const char *name;
    const char *description;
    const slds_report_param *params;
    int nparams;
    bool publishable; /* false: the report names students (ids), never public */
    slds_report_fn run;
    /* Optional: draws out->figure from out->tables once suppression is done,
     * so a chart never shows what the tables hide. */
    int (*figure)(slds_report_output *out, slds_error *err);
} slds_report_def;

/* Every report, in a fixed order; *n is their count. */
const slds_report_def *slds_report_list(size_t *n);
/* The report named name, or NULL. */
const slds_report_def *slds_report_find(const char *name);

/* Runs report name on s with args. public_rules NULL: as is; else the
 * report must be publishable and every table is suppressed with the rules.
 * Errors: SLDS_ERR_USAGE for an unknown report, an unknown, missing or
 * malformed parameter (named in the message), or a public run of a report
 * that is not publishable; else the report's own errors. */
int slds_report_run(slds_store *s, const char *name, const slds_report_args *args,
                    const slds_privacy_rules *public_rules, slds_report_output *out,
                    slds_error *err);

/* A batch of reports run at once (`slds report DB --all`): each job is one
 * report with its parameters, written to out_path (NULL: not written) in
 * format; the batch fills in each job's status, error, wall and CPU seconds
 * and rows. */
typedef struct slds_report_job {
    const char *name;
    slds_report_args args;
    const char *out_path;
    slds_format format;
    int rc; /* the report's (or its writing's) status */
    slds_error err;
    double wall_seconds, cpu_seconds; /* cpu: the thread's user + system time */
    size_t rows;
    slds_privacy_result privacy;
} slds_report_job;

/* Runs the jobs on up to threads threads (each job opens db read-only on its
 * own connection), in order of the array as threads come free, sharing the
 * achievement cube among them. A job's failure is its own (rc, err); the
 * batch fails only when it cannot start (out of memory). *cube_seconds (may
 * be NULL): the CPU time of the shared cube, counted in the job that built it. */
int slds_report_run_all(const char *db, slds_report_job *jobs, size_t n,
                        const slds_privacy_rules *public_rules, int threads, double *cube_seconds,
                        slds_error *err);

/* The registry as a table (report, parameter, type, required, help), for
 * `slds report --list` and an index page. */
int slds_report_list_table(slds_table **out, slds_error *err);

#endif
