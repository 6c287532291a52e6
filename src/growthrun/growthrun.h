/* growthrun.h - student growth over the state database: `slds growth`.
 *
 * Reads the STATE scale scores of a school year and the years before it from
 * table assessments, builds one cohort per subject and grade progression,
 * fits them with the SGP engine (growth/growth.h) in parallel threads, and
 * writes in one transaction, for every student tested in that year: the SGP
 * of every order, growth targets (catch up / keep up), gains in grade levels;
 * the fitted coefficient matrices with their knots and boundaries; and the
 * aggregates by state, district, school, teacher (dosage-weighted) and
 * subgroup. Re-running a year replaces that year's results for the subjects
 * run. The tables and the definitions are in docs/growth.md.
 *
 * Ownership: every *_result, *_history filled or returned here belongs to the
 * caller and is released with its *_free; options only borrow. */
#ifndef SLDS_GROWTHRUN_H
#define SLDS_GROWTHRUN_H

#include <stddef.h>

#include "core/core.h"
#include "growth/growth.h"
#include "store/store.h"
#include "table/table.h"

/* ------------------------------------------------------------------------ */
/* Running growth for a year                                                 */

/* What a grade level is worth in scale points (docs/growth.md). */
typedef enum slds_gain_method {
    SLDS_GAIN_TYPICAL = 0,  /* median one-year gain of the grade in the reference year */
    SLDS_GAIN_GRADE_GAP = 1 /* median score of the grade minus that of the grade below */
} slds_gain_method;

typedef struct slds_growthrun_options {
    int school_year;                  /* the year Y whose growth is computed */
    const char *subject;              /* NULL: every subject with STATE scores in Y */
    const slds_growth_config *config; /* NULL: knots from the data, no growth targets */
    const char *config_name;          /* recorded with the run (a path), may be NULL */
    int n_threads;                    /* 0: one per CPU */
    int max_order;                    /* 0: the config's max_order (4 by default) */
    int reference_year;               /* 0: Y; the year whose gains define a grade level */
    slds_gain_method gain_method;
    const char *baseline;             /* NULL, or the stored baseline whose matrices give
                                         each student an SGP next to the cohort's
                                         (sgp_baseline; growth baseline fit|import) */
} slds_growthrun_options;

/* One grade of one subject in the year: a cohort when it has priors. */
typedef struct slds_growthrun_cohort {
    char subject[SLDS_GROWTH_NAME_MAX];
    int grade;
    int n_priors;                          /* K: prior grades used (0: no cohort) */
    int prior_grades[SLDS_SGP_MAX_ORDER];  /* most recent first */
    int prior_years[SLDS_SGP_MAX_ORDER];
    int orders_fitted;                     /* highest order with a coefficient matrix */
    size_t students;                       /* tested in the grade in Y */
    size_t with_prior;                     /* ... with the most recent prior */
    size_t with_sgp;
    size_t with_target;
    size_t with_sgp_baseline;              /* students with a baseline-referenced SGP */
    double seconds;                        /* fitting time (the cohort's thread) */
    char note[256];                        /* orders dropped, knots computed, ... */
    int school_year;                       /* Y: lag of prior k = year before it - prior_years[k] */
} slds_growthrun_cohort;

typedef struct slds_growthrun_result {
    int n_cohorts;
    slds_growthrun_cohort *cohorts;        /* by subject, then grade */
    size_t students;                       /* student x subject scores in Y */
    size_t with_sgp;
    size_t with_target;
    size_t with_grade_levels;
    size_t with_sgp_baseline;
    size_t aggregate_rows;
    int threads;
    double seconds_read, seconds_fit, seconds_targets, seconds_write, seconds;
    double seconds_baseline;               /* applying the baseline matrices (in read..targets) */
    double seconds_aggregates;             /* part of seconds_write */
    char baseline[SLDS_GROWTH_NAME_MAX];   /* the baseline applied, "" none */
} slds_growthrun_result;

void slds_growthrun_options_default(slds_growthrun_options *o);
/* Computes and stores the year's growth (one transaction: all or nothing). */
int slds_growthrun_run(slds_store *s, const slds_growthrun_options *o,
                       const slds_progress *progress, slds_growthrun_result *res,
                       slds_error *err);
void slds_growthrun_result_free(slds_growthrun_result *res);

/* ------------------------------------------------------------------------ */
/* Baseline-referenced SGPs (baseline.c): matrices fitted once on the pooled
 * cohorts of several years (the SGP package's "super-cohort"), stored under
 * a name, applied to later years by slds_growthrun_run (options.baseline). */

enum { SLDS_BASELINE_MAX_YEARS = 16 };

typedef struct slds_baseline_options {
    const char *name;                 /* required; at most SLDS_GROWTH_NAME_MAX - 1 bytes */
    int n_years;                      /* the panel years: every score used (current and
                                         prior) is of one of them */
    int years[SLDS_BASELINE_MAX_YEARS];
    const char *subject;              /* NULL: every subject with STATE scores in the years */
    const slds_growth_config *config; /* knots, boundaries, loss/hoss, explicit progressions */
    const char *config_name;          /* recorded, may be NULL */
    int max_order;                    /* 0: min(3, n_years - 2), at least 1 (the package's
                                         getSGPBaselineConfig); at most n_years - 1 */
    int n_threads;                    /* 0: one per CPU */
    int replace;                      /* replace a stored baseline of the same name */
} slds_baseline_options;

/* One fitted (or not fittable) model: subject, grade, its priors. */
typedef struct slds_baseline_model_info {
    char subject[SLDS_GROWTH_NAME_MAX];
    int grade, order;
    int prior_grades[SLDS_SGP_MAX_ORDER], lags[SLDS_SGP_MAX_ORDER]; /* most recent first */
    int n_cohorts;                    /* current years pooled */
    int cohort_years[SLDS_BASELINE_MAX_YEARS];
    size_t students;                  /* rows of the pooled fit */
    int fitted;
    double seconds;
    char note[160];
} slds_baseline_model_info;

typedef struct slds_baseline_result {
    int n_models;
    slds_baseline_model_info *models; /* by subject, grade, order */
    int fitted, max_order, threads;
    size_t students;                  /* rows of every fit, summed */
    double seconds_read, seconds_fit, seconds_write, seconds;
} slds_baseline_result;

/* Fits and stores the baseline (one transaction; a failure stores nothing).
 * SLDS_ERR_USAGE when the name is taken and replace is not set. */
int slds_growthrun_baseline_fit(slds_store *s, const slds_baseline_options *o,
                                const slds_progress *progress, slds_baseline_result *res,
                                slds_error *err);
void slds_baseline_result_free(slds_baseline_result *res);
/* The stored baselines (name NULL) or one, one row per model. */
int slds_growthrun_baseline_list(slds_store *s, const char *name, slds_table **out,
                                 slds_error *err);
/* A stored baseline as one JSON document (*out: the caller's to free()):
 * {"slds_growth_baseline": 1, name, years, max_order, models: [{subject,
 * grade, order, priors: [{grade, lag}], students, cohorts, model}]}, each
 * model an slds_sgp_model JSON (17 digits: the same bits back). */
int slds_growthrun_baseline_export(slds_store *s, const char *name, char **out,
                                   slds_error *err);
/* Stores such a document (under as_name when not NULL); refuses a name in
 * use unless replace. *name_out (optional, SLDS_GROWTH_NAME_MAX) gets the name stored. */
int slds_growthrun_baseline_import(slds_store *s, const char *json, size_t len,
                                   const char *origin, const char *as_name, int replace,
                                   char *name_out, int *models_out, slds_error *err);

/* Recomputes the aggregates of year (and subject, NULL: every subject run)
 * from growth_students, rosters, student_attributes and students; the caller
 * owns the transaction. *rows receives the number of aggregate rows written. */
int slds_growthrun_aggregate(slds_store *s, int year, const char *subject, size_t *rows,
                             slds_error *err);

/* Dosage-weighted median: sort by value, the smallest value whose cumulative
 * weight reaches half the total; the mean of it and the next value when the
 * cumulative weight equals half exactly (so equal weights give median()).
 * values and weights are reordered. NaN when n == 0 or the weights sum to 0. */
double slds_growthrun_weighted_median(double *values, double *weights, size_t n);

/* ------------------------------------------------------------------------ */
/* Reading stored results                                                    */

/* The stored model of (year, subject, grade): the splines of its priors, the
 * matrix of every fitted order, the grade's loss/hoss; the prior grades and
 * years into prior_grades / prior_years (SLDS_SGP_MAX_ORDER each) when not
 * NULL. m belongs to the caller (slds_sgp_model_free). SLDS_ERR_NOTFOUND when
 * the grade has no fitted model. */
int slds_growthrun_load_model(slds_store *s, int year, const char *subject, int grade,
                              slds_sgp_model *m, int *prior_grades, int *prior_years,
                              slds_error *err);

/* One row of growth_students (NaN / 0 / "" where not computable). */
typedef struct slds_growth_student_row {
    const char *student_id, *subject, *school_id, *lea_id;
    const char *catch_up_keep_up;   /* "CATCH_UP", "KEEP_UP" or "" */
    const char *on_track;           /* "Y", "N" or "" */
    const char *no_sgp_reason;      /* "" when the student has an SGP */
    int school_year, grade;
    double scale_score, prior_score, gain, grade_levels_gained;
    int sgp, sgp_order;             /* 0: none */
    int sgp_target, target_years;   /* 0: none */
    int sgp_baseline, sgp_baseline_order; /* 0: none (no baseline run, or no model) */
} slds_growth_student_row;

typedef int (*slds_growth_student_fn)(void *ctx, const slds_growth_student_row *row);
/* Calls fn for each row of year (and subject), by subject then student id.
 * SLDS_ERR_NOTFOUND when growth has not been run for that year (and subject).
 * A non-zero return of fn stops the walk and is returned. */
int slds_growthrun_show(slds_store *s, int year, const char *subject, slds_growth_student_fn fn,
                        void *ctx, slds_error *err);

typedef struct slds_growth_aggregate_row {
    const char *subject, *level, *group_id;
    int school_year;
    int students;               /* distinct students */
    double n_sgp;               /* students with an SGP (teacher: sum of their dosage) */
    double median_sgp, mean_sgp; /* NaN when n_sgp = 0 */
    double n_gain;              /* students with grade levels gained (teacher: dosage) */
    double n_1_grade, n_1_5_grade;   /* ... gaining >= 1, >= 1.5 grade levels */
    double share_1_grade, share_1_5_grade; /* NaN when n_gain = 0 */
    double n_sgp_baseline;          /* students with a baseline SGP (teacher: dosage) */
    double median_sgp_baseline, mean_sgp_baseline; /* NaN when n_sgp_baseline = 0 */
} slds_growth_aggregate_row;

typedef int (*slds_growth_aggregate_fn)(void *ctx, const slds_growth_aggregate_row *row);
/* level: NULL for every level, "subgroup" for the five subgroup levels, or one
 * of state, district, school, teacher, race_ethnicity, econ_disadvantaged,
 * disability, english_learner, sex. */
int slds_growthrun_aggregates(slds_store *s, int year, const char *subject, const char *level,
                              slds_growth_aggregate_fn fn, void *ctx, slds_error *err);

/* ------------------------------------------------------------------------ */
/* One student's growth history and projections (parent report)              */

enum { SLDS_FAN_PERCENTILES = 5, SLDS_FAN_MAX_POINTS = 16 };

typedef struct slds_growth_target_row {
    int years_ahead, target_grade, target_year, sgp_target, reachable, on_track;
    double proficient_cut;
} slds_growth_target_row;

typedef struct slds_growth_history_entry {
    int school_year, grade;
    char subject[SLDS_GROWTH_NAME_MAX];
    double scale_score, gain, grade_levels_gained;
    int level;                                  /* 1-based achievement level, 0 unknown */
    int sgp, sgp_order;
    int n_orders;
    int sgp_by_order[SLDS_SGP_MAX_ORDER];       /* 0: none */
    char catch_up_keep_up[16], on_track[4], no_sgp_reason[32];
    int sgp_target, target_years;
    int n_targets;
    slds_growth_target_row targets[SLDS_TARGET_MAX_YEARS];
    /* when the year's run applied a baseline (growth run --baseline): its
       name and the years it was fit on ("2017,2018,2019"), and the student's
       baseline-referenced SGP (0: none) */
    char baseline[SLDS_GROWTH_NAME_MAX], baseline_years[64];
    int sgp_baseline, sgp_baseline_order;
} slds_growth_history_entry;

/* The growth chart of one subject: past STATE scores, and the percentile
 * trajectories projected from the latest year with results through the
 * stored models of the next grades. */
typedef struct slds_growth_fan {
    char subject[SLDS_GROWTH_NAME_MAX];
    int from_year, from_grade;                  /* the year projected from */
    int n_past;
    int past_year[SLDS_FAN_MAX_POINTS], past_grade[SLDS_FAN_MAX_POINTS];
    double past_score[SLDS_FAN_MAX_POINTS];
    int n_ahead;                                /* projected years (0: none) */
    int ahead_year[SLDS_TARGET_MAX_YEARS], ahead_grade[SLDS_TARGET_MAX_YEARS];
    int percentiles[SLDS_FAN_PERCENTILES];      /* 10, 25, 50, 75, 90 */
    double projection[SLDS_FAN_PERCENTILES][SLDS_TARGET_MAX_YEARS];
    /* cut scores of every grade drawn: grade g's cuts at cut_grade[i] */
    int n_cut_grades;
    int cut_grade[SLDS_FAN_MAX_POINTS];
    int n_cuts[SLDS_FAN_MAX_POINTS];
    double cuts[SLDS_FAN_MAX_POINTS][SLDS_GROWTH_MAX_CUTS];
    int proficient_level;                       /* 0-based index of the proficient cut, -1 */
    char level_labels[SLDS_GROWTH_MAX_LEVELS][SLDS_GROWTH_NAME_MAX];
    int n_levels;
} slds_growth_fan;

typedef struct slds_growth_history {
    char student_id[64];
    size_t n_entries;
    slds_growth_history_entry *entries;         /* by subject, then year */
    int n_fans;
    slds_growth_fan *fans;                      /* one per subject */
} slds_growth_history;

/* SLDS_ERR_NOTFOUND when the student has no growth results. */
int slds_growthrun_history(slds_store *s, const char *student_id, slds_growth_history **out,
                           slds_error *err);
void slds_growthrun_history_free(slds_growth_history *h);
/* A self-contained HTML page: tables of the history and, per subject, an
 * inline SVG chart of past scores, the fan of projected trajectories and the
 * cut scores. */
int slds_growthrun_history_html(const slds_growth_history *h, slds_buf *out, slds_error *err);

/* ------------------------------------------------------------------------ */
/* Results as result tables (src/table; results.c): columns, units, display
 * precision and privacy roles declared once for every output.               */

/* An empty table of `growth show` rows, and one row added to it. */
int slds_growthrun_show_table(slds_table **out, slds_error *err);
int slds_growthrun_show_add(slds_table *t, const slds_growth_student_row *r, slds_error *err);
/* An empty table of aggregates (subject, school_year and level partition the
 * rows; students is the group's size), and one row added to it. */
int slds_growthrun_aggregates_table(slds_table **out, slds_error *err);
int slds_growthrun_aggregate_add(slds_table *t, const slds_growth_aggregate_row *r,
                                 slds_error *err);
/* The aggregates of year (subject, level as slds_growthrun_aggregates) in a
 * new table held in memory (the caller's). */
int slds_growthrun_aggregates_tables(slds_store *s, int year, const char *subject,
                                     const char *level, slds_table **out, slds_error *err);
/* Growth by subgroup within one place (place_level "school" or "district",
 * place_id its id): the rows of the five subgroup levels of
 * slds_growthrun_aggregates (race_ethnicity, econ_disadvantaged, disability,
 * english_learner, sex) computed from the place's students of year in
 * growth_students, every subject, in a new table (the caller's). */
int slds_growthrun_place_subgroups(slds_store *s, int year, const char *place_level,
                                   const char *place_id, slds_table **out, slds_error *err);
/* The cohort summary of a run, one row per cohort. */
int slds_growthrun_cohorts_table(const slds_growthrun_result *r, slds_table **out,
                                 slds_error *err);
/* A student's history, one row per year and subject. */
int slds_growthrun_history_table(const slds_growth_history *h, slds_table **out, slds_error *err);
/* A student's history and projections as one JSON object {student_id,
 * history: [...], charts: [...]} (the parent page's data; NULL when out of
 * memory). The HTML page is slds_growthrun_history_html. */
json_t *slds_growthrun_history_json(const slds_growth_history *h);

#endif
