/* internal.h - what the files of the growthrun module share and nothing
 * outside it sees: the score panel read from the database (src/panel) with
 * the score samples knots are computed from, the grade groups
 * (one per subject and grade tested in the year; a cohort when it has
 * priors), the run that ties them together, and small helpers.
 *
 * Design notes (invariants; tests in tests/growthrun/):
 *  1. Students are numbered in student_id order (the order SQLite's primary
 *     key gives), so every per-student array is sorted by id and every table
 *     is written in key order.
 *  2. A student has at most one STATE score per subject and year: of several,
 *     the latest test date, then the higher score.
 *  3. The priors of grade G in year Y are the tested grades below G, most
 *     recent first, each in year Y - (G - prior grade): consecutive grades in
 *     consecutive years, an untested grade (9 between 8 and 10) bridged.
 *  4. A run writes in one transaction and first deletes what an earlier run
 *     of the same year and subjects wrote, so re-running replaces. */
#ifndef SLDS_GROWTHRUN_INTERNAL_H
#define SLDS_GROWTHRUN_INTERNAL_H

#include <stdint.h>

#include "core/hash.h"
#include "growthrun/growthrun.h"
#include "panel/panel.h"

enum {
    GR_MAX_GRADE = SLDS_PANEL_MAX_GRADE, /* grades 0..99 */
    GR_WINDOW_EXTRA = 3  /* years read beyond max_order (bridged grades) */
};

/* ------------------------------------------------------------------ panel */

/* Every score of one subject and grade (years <= Y), for knots, boundaries
 * and loss/hoss computed from the data. */
typedef struct gr_sample {
    double *v;
    size_t n, cap;
} gr_sample;

struct gr_run;
/* panel.c: reads the scores of years [year_lo, year_hi] (subject: NULL for
 * all) into r->panel (src/panel), keeping students with a score in Y or the
 * reference year, and the score samples of the grades r->cfg lacks knots or
 * loss/hoss of (every grade without a config) into r->samples, in the
 * panel's subject order. With_schools: also the enrollments, for the school
 * on the test date. The caller frees both (gr_panel_free), also on failure. */
int gr_panel_read(slds_store *s, struct gr_run *r, int year_lo, int year_hi,
                  const slds_progress *progress, slds_error *err);
void gr_panel_free(struct gr_run *r);

/* ----------------------------------------------------------------- groups */

typedef struct gr_group {
    int subject;                       /* panel subject index */
    int grade;
    int K;                             /* prior grades (0: no cohort) */
    int prior_grade[SLDS_SGP_MAX_ORDER], prior_year[SLDS_SGP_MAX_ORDER];
    slds_bspline splines[SLDS_SGP_MAX_ORDER];
    int knots_from_data[SLDS_SGP_MAX_ORDER];
    int has_loss_hoss;                 /* of this grade (projections clamp to it) */
    double loss_hoss[2];
    int n_cuts;
    double cuts[SLDS_GROWTH_MAX_CUTS];
    double proficient_cut;             /* NaN unknown */

    size_t n;                          /* students tested in the grade in Y */
    uint32_t *student;                 /* n panel indices, ascending */
    double *current;                   /* n */
    double *priors;                    /* n x K, NaN missing */
    size_t with_prior;

    int fitted;                        /* fit holds a result */
    slds_sgp_result fit;
    int orders_fitted;

    int n_ahead;                       /* projection horizons */
    int ahead_grade[SLDS_TARGET_MAX_YEARS], ahead_year[SLDS_TARGET_MAX_YEARS];
    double ahead_cut[SLDS_TARGET_MAX_YEARS];
    int ahead_order[SLDS_TARGET_MAX_YEARS]; /* orders of the model that fit the history; 0: all */
    int has_targets;
    slds_target_result targets;

    double *gain, *grade_levels;       /* n, NaN when not computable */
    double points_per_grade;           /* NaN when not computable */
    size_t points_n;                   /* students (or scores) it came from */

    int *sgp_baseline, *sgp_baseline_order; /* n each when the run has a baseline; 0 none */
    size_t with_sgp_baseline;

    uint32_t *school;                  /* n: the school on the test date (write.c), SLDS_NO_ID none */

    double seconds;
    char note[256];
} gr_group;

/* A model of a stored baseline: subject, grade, the progression it was fitted on. */
typedef struct gr_bmodel {
    int subject;                       /* panel subject index */
    int grade, order;
    int prior_grade[SLDS_SGP_MAX_ORDER], lag[SLDS_SGP_MAX_ORDER];
    slds_sgp_model model;
} gr_bmodel;

/* --------------------------------------------------------------------- run */

typedef struct gr_run {
    const slds_growthrun_options *opt;
    const slds_growth_config *cfg;     /* may be NULL */
    int max_order, n_taus, projection_years, n_threads, reference_year;
    double started;                    /* slds_now() at the start */
    double taus[SLDS_SGP_MAX_TAUS];
    slds_panel panel;                  /* scores (and enrollments) */
    gr_sample samples[SLDS_PANEL_MAX_SUBJECTS][GR_MAX_GRADE]; /* by panel subject */
    int n_groups;
    gr_group *groups;                  /* by subject (panel order), then grade */
    /* a baseline fit reads every student of the listed years, no enrollments */
    int keep_all;
    int n_fit_years, fit_years[SLDS_BASELINE_MAX_YEARS];
    /* the baseline applied by a run (baseline.c) */
    int n_bmodels;
    gr_bmodel *bmodels;
} gr_run;

/* run.c: memory-mapped reads for the run's connection (PRAGMA mmap_size). */
void gr_store_tune(slds_store *s);
/* run.c: the run's settings from the options (threads, taus, max order). */
void gr_configure(gr_run *r, const slds_growthrun_options *o);
/* groups.c: knots, boundaries and loss/hoss of a grade: the configuration's,
 * with what it lacks computed from r->samples (knots only when need_knots). */
int gr_grade_shape(const gr_run *r, int s, int grade, int need_knots, slds_growth_grade *out,
                   int *from_data, slds_error *err);
/* baseline.c: reads the models of options.baseline for the panel's subjects
 * (SLDS_ERR_NOTFOUND naming it when there is no such baseline), and gives
 * every group's students their baseline SGPs; gr_baseline_free releases them. */
int gr_baseline_load(slds_store *s, gr_run *r, slds_error *err);
int gr_baseline_apply(gr_run *r, slds_error *err);
void gr_baseline_free(gr_run *r);

/* groups.c: the grade groups of year Y with priors, knots and members. */
int gr_groups_build(gr_run *r, slds_error *err);
void gr_groups_free(gr_run *r);
/* Appends a note ("; " between notes, truncated to fit). */
void gr_note(gr_group *g, const char *text);
/* The group of subject s and grade g, or NULL. */
gr_group *gr_group_find(gr_run *r, int s, int grade);

/* fit.c: every cohort, in parallel. */
int gr_fit_all(gr_run *r, const slds_progress *progress, slds_error *err);
/* targets.c: growth targets of every group that has projection models. */
int gr_targets_all(gr_run *r, const slds_progress *progress, slds_error *err);
/* gains.c: one-year gains and grade levels of every group. */
int gr_gains_all(gr_run *r, slds_error *err);
/* tables.c: deletes what earlier runs of (year, subject) wrote; whether the
 * growth tables exist at all. */
int gr_delete_year(slds_store *s, int year, const char *subject, slds_error *err);
int gr_growth_ran(slds_store *s, slds_error *err);
/* models.c: slds_growthrun_load_model without its check that growth ran
 * (for a caller that checked once). */
int gr_load_model(slds_store *s, int year, const char *subject, int grade, slds_sgp_model *m,
                  int *prior_grades, int *prior_years, slds_error *err);
/* history.c: the cut scores of (year, subject, grade) as stored with the run:
 * how many (0 none), -1 on a database error (err set). */
int gr_stored_cuts(slds_store *s, int year, const char *subject, int grade, double *cuts,
                   slds_error *err);

/* modelcache.c: the stored models and cut scores of a run's grades, kept
 * parsed with the connection while the run is the same (stamp: what
 * gr_run_stamp wrote for its growth_runs row). *model points into the cache
 * until the next lookup of another stamp of that year and subject (never
 * free it). Model: SLDS_OK, SLDS_ERR_NOTFOUND (no model of that grade), or
 * another error; cuts: their count (0 none) or -1 with err set. */
enum { GR_RUN_STAMP_MAX = 160 };
int gr_cached_model(slds_store *s, int year, const char *subject, const char *stamp, int grade,
                    const slds_sgp_model **model, const int **prior_grades,
                    const int **prior_years, slds_error *err);
int gr_cached_cuts(slds_store *s, int year, const char *subject, const char *stamp, int grade,
                   double *cuts, slds_error *err);

/* write.c: every table of the run (inside the caller's transaction). */
int gr_write(slds_store *s, gr_run *r, const slds_progress *progress, slds_error *err);
/* aggregate.c: the aggregates of subject subj after gr_write, the plain
 * levels from memory (what slds_growthrun_aggregate computes from the
 * tables, to the last bit). */
int gr_aggregate_run(slds_store *s, const gr_run *r, int subj, size_t *rows, slds_error *err);

/* batch.c: rows inserted GR_BATCH_ROWS per statement. gr_batch_row gives the
 * next row's ncols values (all NULL); set them with gr_value_*, then
 * gr_batch_flush(b, 0, err) writes the batch when it is full, and
 * gr_batch_flush(b, 1, err) writes what is left at the end. Text given to
 * gr_value_text must outlive the flush; gr_value_inline copies (< 16 bytes). */
enum { GR_BATCH_ROWS = 64 };
typedef struct gr_value {
    int type;
    char text[16];
    union {
        int64_t i;
        double d;
        const char *t;
    } u;
} gr_value;
typedef struct gr_batch {
    slds_store *s;
    const char *table;
    int ncols, rows;
    gr_value *values;
    sqlite3_stmt *many, *one;
} gr_batch;
int gr_batch_open(gr_batch *b, slds_store *s, const char *table, int ncols, slds_error *err);
gr_value *gr_batch_row(gr_batch *b);
void gr_value_int(gr_value *v, int64_t x);
void gr_value_real(gr_value *v, double x); /* not finite: NULL */
void gr_value_text(gr_value *v, const char *x); /* NULL or "": NULL */
void gr_value_inline(gr_value *v, const char *x);
int gr_batch_flush(gr_batch *b, int all, slds_error *err);
void gr_batch_close(gr_batch *b);

/* models.c: coefficient matrices as BLOBs (little-endian IEEE 754 doubles). */
int gr_blob_encode(const double *v, size_t n, unsigned char **out, slds_error *err);
int gr_blob_decode(const void *blob, int bytes, double *v, size_t n, slds_error *err);
/* A JSON array of numbers ("[510,550,580,615]"), printed exactly (%.17g). */
int gr_json_numbers(slds_buf *b, const double *v, int n);
/* Parses such an array; returns the count or -1. */
int gr_parse_numbers(const char *s, double *v, int max);

/* The SGP of each order of e joined by sep, missing where an order has none
 * ("45/-/52"), into buf (results.c; the CLI table and the parent page). */
void gr_orders_text(const slds_growth_history_entry *e, const char *sep, const char *missing,
                    char *buf, size_t size);

#endif
