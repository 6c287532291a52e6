/* internal.h - what the files of the growthrun module share and nothing
 * outside it sees: the score panel read from the database, the grade groups
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

enum {
    GR_MAX_YEARS = 24,   /* years of scores read around the run year */
    GR_MAX_GRADE = 100,  /* grades 0..99 */
    GR_WINDOW_EXTRA = 3  /* years read beyond max_order (bridged grades) */
};

/* ------------------------------------------------------------------ panel */

typedef struct gr_subject {
    char name[SLDS_GROWTH_NAME_MAX];
    double *score[GR_MAX_YEARS];      /* [year offset][student], NaN missing */
    signed char *grade[GR_MAX_YEARS]; /* -1 missing */
    int *test_date[GR_MAX_YEARS];     /* yyyymmdd of the score kept (in Y only) */
    size_t count[GR_MAX_YEARS][GR_MAX_GRADE]; /* scores per year and grade */
} gr_subject;

/* Every score of one subject and grade (years <= Y), for knots, boundaries
 * and loss/hoss computed from the data. */
typedef struct gr_sample {
    double *v;
    size_t n, cap;
} gr_sample;

typedef struct gr_panel {
    int year;                 /* Y */
    int year_lo, n_years;     /* years year_lo .. year_lo + n_years - 1 */
    size_t cap;               /* capacity of every per-student array */
    slds_intern ids;          /* student ids, dense 0..n-1 in id order */
    int n_subjects;
    gr_subject *subjects[SLDS_GROWTH_MAX_SUBJECTS];
    size_t rows_read, rows_bad_grade;
    const slds_growth_config *cfg; /* samples are kept for grades it lacks knots or
                                      loss/hoss of (every grade when NULL) */
    gr_sample samples[SLDS_GROWTH_MAX_SUBJECTS][GR_MAX_GRADE];
    signed char sample_wanted[SLDS_GROWTH_MAX_SUBJECTS][GR_MAX_GRADE]; /* 0 ?, 1 no, 2 yes */
} gr_panel;

/* Reads STATE scores of years [year_lo, year_hi] (subject: NULL for all),
 * keeping students with a score in one of the years keep_a, keep_b; subjects
 * end up sorted by name. p is reset first (the caller frees it, also on
 * failure: gr_panel_free). */
int gr_panel_read(slds_store *s, gr_panel *p, int year, int year_lo, int year_hi,
                  const char *subject, int keep_a, int keep_b, const slds_growth_config *cfg,
                  const slds_progress *progress, slds_error *err);
void gr_panel_free(gr_panel *p);
size_t gr_panel_students(const gr_panel *p);
const char *gr_panel_id(const gr_panel *p, uint32_t i);
/* Offset of a year in the panel, -1 outside. */
int gr_panel_year(const gr_panel *p, int year);
/* Score / grade of student i in subject s and year (NaN / -1 when none). */
double gr_score(const gr_panel *p, int s, int year, size_t i);
int gr_grade(const gr_panel *p, int s, int year, size_t i);
/* Number of scores of subject s in Y. */
size_t gr_count_subject(const gr_panel *p, int s);
/* Number of scores of subject s in a year and grade. */
size_t gr_count(const gr_panel *p, int s, int year, int grade);

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
    int has_targets;
    slds_target_result targets;

    double *gain, *grade_levels;       /* n, NaN when not computable */
    double points_per_grade;           /* NaN when not computable */
    size_t points_n;                   /* students (or scores) it came from */

    double seconds;
    char note[256];
} gr_group;

/* --------------------------------------------------------------------- run */

typedef struct gr_run {
    const slds_growthrun_options *opt;
    const slds_growth_config *cfg;     /* may be NULL */
    int max_order, n_taus, projection_years, n_threads, reference_year;
    double started;                    /* slds_now() at the start */
    double taus[SLDS_SGP_MAX_TAUS];
    gr_panel panel;
    int n_groups;
    gr_group *groups;                  /* by subject (panel order), then grade */
} gr_run;

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
/* project.c: slds_sgp_targets, the same result computed faster. */
int gr_project_targets(const slds_target_problem *pr, slds_target_result *res, slds_error *err);
/* gains.c: one-year gains and grade levels of every group. */
int gr_gains_all(gr_run *r, slds_error *err);
/* tables.c: deletes what earlier runs of (year, subject) wrote; whether the
 * growth tables exist at all. */
int gr_delete_year(slds_store *s, int year, const char *subject, slds_error *err);
int gr_growth_ran(slds_store *s, slds_error *err);

/* write.c: every table of the run (inside the caller's transaction). */
int gr_write(slds_store *s, gr_run *r, const slds_progress *progress, slds_error *err);

/* parallel.c: runs task(ctx, i, threads_for_it, err) for i = 0..n-1 on up to
 * n_threads threads, in order of i; stops at the first error. */
typedef int (*gr_task_fn)(void *ctx, int i, int threads, slds_error *err);
int gr_parallel(int n, int n_threads, gr_task_fn task, void *ctx, const slds_progress *progress,
                const char *stage, slds_error *err);
int gr_cpu_count(void);

/* models.c: coefficient matrices as BLOBs (little-endian IEEE 754 doubles). */
int gr_blob_encode(const double *v, size_t n, unsigned char **out, slds_error *err);
int gr_blob_decode(const void *blob, int bytes, double *v, size_t n, slds_error *err);
/* A JSON array of numbers ("[510,550,580,615]"), printed exactly (%.17g). */
int gr_json_numbers(slds_buf *b, const double *v, int n);
/* Parses such an array; returns the count or -1. */
int gr_parse_numbers(const char *s, double *v, int max);

/* ISO date 'YYYY-MM-DD' -> yyyymmdd (0 when not a date) and back. */
int gr_date_int(const char *s);
void gr_date_text(int d, char out[11]);

/* The SGP of each order of e joined by sep, missing where an order has none
 * ("45/-/52"), into buf (results.c; the CLI table and the parent page). */
void gr_orders_text(const slds_growth_history_entry *e, const char *sep, const char *missing,
                    char *buf, size_t size);

#endif
