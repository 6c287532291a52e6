/* growth.h - student growth percentiles (SGP, the "Colorado growth model" of
 * the R package SGP by Betebenner) on plain arrays, growth targets (catch
 * up / keep up) from the fitted coefficient matrices, gains in grade levels,
 * and the growth configuration (knots, boundaries, cut scores) read from the
 * SGP package's state meta-data JSON or from this project's own JSON.
 *
 * The store integration (reading scores, `slds growth`) builds cohorts and
 * calls these functions; nothing here touches the database.
 *
 * Ownership: the *_parse and *_load functions return a config the caller frees with
 * slds_growth_config_free; every *_result and slds_sgp_model filled by a
 * function is owned by the caller and released with its *_free; problem
 * structs only borrow the caller's arrays. The method is documented in
 * docs/growth-method.md. */
#ifndef SLDS_GROWTH_H
#define SLDS_GROWTH_H

#include <stddef.h>

#include "core/core.h"
#include "stats/stats.h"

enum {
    SLDS_SGP_MAX_ORDER = 8,      /* priors used at most */
    SLDS_SGP_MAX_TAUS = 100,     /* quantiles per model */
    SLDS_GROWTH_MAX_CUTS = 8,    /* cut scores per grade */
    SLDS_GROWTH_MAX_LEVELS = 10, /* achievement level labels */
    SLDS_GROWTH_MAX_SUBJECTS = 32,
    SLDS_GROWTH_MAX_GRADES = 24,
    SLDS_GROWTH_NAME_MAX = 64,
    SLDS_TARGET_MAX_YEARS = 4
};

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */

/* What is known about one subject and grade. */
typedef struct slds_growth_grade {
    int grade;
    int n_knots;                 /* 0 when the configuration gives no spline */
    double knots[SLDS_BS_MAX_KNOTS];
    double boundary[2];
    int has_loss_hoss;
    double loss_hoss[2];         /* lowest and highest obtainable scale score */
    int n_cuts;                  /* 0 when no cut scores; levels = n_cuts + 1 */
    double cuts[SLDS_GROWTH_MAX_CUTS];
} slds_growth_grade;

typedef struct slds_growth_subject {
    char name[SLDS_GROWTH_NAME_MAX];
    int n_grades;
    slds_growth_grade grades[SLDS_GROWTH_MAX_GRADES];
} slds_growth_subject;

/* An explicit grade progression of the SGP package's configuration
 * (`sgp.config`: sgp.content.areas, sgp.panel.years, sgp.grade.sequences,
 * sgp.panel.years.lags): the priors of grades[n-1] are grades[n-2], ...,
 * grades[0], lags[k] years between grades[k] and grades[k+1]. */
typedef struct slds_growth_progression {
    char subject[SLDS_GROWTH_NAME_MAX];
    int year;                    /* of the current grade; 0: any year */
    int n;                       /* grades, the current one last: 2..MAX_ORDER + 1 */
    int grades[SLDS_SGP_MAX_ORDER + 1];
    int lags[SLDS_SGP_MAX_ORDER];
} slds_growth_progression;

enum { SLDS_GROWTH_MAX_PROGRESSIONS = 128, SLDS_GROWTH_MAX_SKIP_YEARS = 8 };

typedef struct slds_growth_config {
    int n_subjects;
    slds_growth_subject subjects[SLDS_GROWTH_MAX_SUBJECTS];
    int n_levels;                                      /* labels given */
    char level_labels[SLDS_GROWTH_MAX_LEVELS][SLDS_GROWTH_NAME_MAX];
    int level_proficient[SLDS_GROWTH_MAX_LEVELS];      /* 1 for a proficient level */
    /* options (defaults when the file is the SGP package's) */
    int max_order;               /* priors used at most; 4 */
    int n_taus;                  /* 100 */
    double taus[SLDS_SGP_MAX_TAUS];
    int knots_from_data;         /* 1: compute knots/boundaries from the scores */
    int projection_years;        /* years of growth targets; 3 */
    char format[8];              /* "sgp" or "slds": which layout was read */
    /* skip-year priors: years whose scores are not used as priors (options.skip_years
       or the SGP layout's SGP_Configuration.skip_years), and explicit progressions */
    int n_skip_years;
    int skip_years[SLDS_GROWTH_MAX_SKIP_YEARS];
    int n_progressions;
    slds_growth_progression progressions[SLDS_GROWTH_MAX_PROGRESSIONS];
} slds_growth_config;

/* Reads either layout (told apart by their keys); errors name the file and
 * the JSON path of the offending value. */
int slds_growth_config_load(const char *path, slds_growth_config **out, slds_error *err);
int slds_growth_config_parse(const char *json, size_t len, const char *origin,
                             slds_growth_config **out, slds_error *err);
void slds_growth_config_free(slds_growth_config *cfg);
/* NULL when the subject or grade is not configured. */
const slds_growth_grade *slds_growth_config_grade(const slds_growth_config *cfg,
                                                  const char *subject, int grade);
/* The configured progression of subject's grade in year, or NULL (an entry
 * for that year before one for any year). */
const slds_growth_progression *slds_growth_config_progression(const slds_growth_config *cfg,
                                                              const char *subject, int grade,
                                                              int year);
/* Whether the configuration says year's scores are not to be used as priors. */
int slds_growth_config_skips(const slds_growth_config *cfg, int year);
/* The cubic bs() spline of a grade's prior scores. */
int slds_growth_grade_spline(const slds_growth_grade *g, slds_bspline *out, slds_error *err);
/* Achievement level (0-based) of a score: the number of cuts <= score, so a
 * score equal to a cut gets the higher level; -1 without cuts or for NaN. */
int slds_growth_level(const slds_growth_grade *g, double score);
/* The lowest score of the first proficient level; NaN when unknown. */
double slds_growth_proficient_cut(const slds_growth_config *cfg, const slds_growth_grade *g);
/* Knots, boundaries and loss/hoss from the scores of a grade as the SGP
 * package's createKnotsBoundaries(): knots = round(quantile(type 7) at
 * 0.2/0.4/0.6/0.8, 3), boundaries = round(range widened by 10% per side, 3),
 * loss/hoss = round(range, 3). Leaves g->grade and the cuts alone. */
int slds_growth_knots_from_scores(const double *scores, size_t n, slds_growth_grade *g,
                                  slds_error *err);

/* ------------------------------------------------------------------------ */
/* Student growth percentiles                                                */

/* One cohort: students of one subject and current grade with their scores in
 * the consecutive prior grades and years. */
typedef struct slds_sgp_cohort {
    size_t n;                    /* students */
    int n_priors;                /* prior columns, 1..SLDS_SGP_MAX_ORDER */
    const double *current;       /* n current scores (NaN: no SGP) */
    const double *priors;        /* n x n_priors row-major; column 0 the most recent
                                    prior; NaN when missing */
    const slds_bspline *splines; /* n_priors: the spline of each prior's grade */
} slds_sgp_cohort;

typedef struct slds_sgp_params {
    int max_order;               /* 0: every prior column */
    int min_order;               /* 0 or 1: every order; k: orders below k are not fitted
                                    (a baseline super-cohort fits one order at a time) */
    int n_taus;                  /* 0: the 100 SGP taus; else taus below */
    const double *taus;
    size_t min_students;         /* orders with fewer students are not fitted; 0: p + 1 */
    slds_rq_params rq;           /* solver settings (threads, band); taus ignored */
} slds_sgp_params;

/* The coefficient matrices of a cohort: enough to reproduce every SGP and to
 * project without refitting. */
typedef struct slds_sgp_model {
    int n_taus;
    double taus[SLDS_SGP_MAX_TAUS];
    int max_order;                                /* orders 1..max_order */
    slds_bspline splines[SLDS_SGP_MAX_ORDER];     /* prior k (0 = most recent) */
    int p[SLDS_SGP_MAX_ORDER];                    /* rows of coef[k]: 1 + spline columns */
    size_t n_fit[SLDS_SGP_MAX_ORDER];             /* students in the fit of order k+1 */
    double *coef[SLDS_SGP_MAX_ORDER];             /* order k+1: p[k] x n_taus column-major
                                                     (R's layout), NULL if not fitted */
    int has_loss_hoss;                            /* projections clamp to it */
    double loss_hoss[2];                          /* of the grade the model predicts */
} slds_sgp_model;

typedef struct slds_sgp_result {
    size_t n;
    int max_order;
    int *sgp_by_order;           /* n x max_order: [i*max_order + k] from order k+1, 0 = none */
    int *sgp;                    /* n: reported SGP (highest order), 0 = none */
    int *order;                  /* n: the order reported, 0 = none */
    slds_sgp_model model;
    long pivots;                 /* solver work, for benchmarks */
} slds_sgp_result;

void slds_sgp_params_default(slds_sgp_params *prm);
/* Fits every order and computes every student's SGPs. */
int slds_sgp_fit_cohort(const slds_sgp_cohort *cohort, const slds_sgp_params *prm,
                        slds_sgp_result *res, slds_error *err);
void slds_sgp_result_free(slds_sgp_result *res);

/* A model built from stored coefficient matrices: init with the splines of
 * the priors, then copy in each order's p x n_taus matrix. */
int slds_sgp_model_init(slds_sgp_model *m, const slds_bspline *splines, int n_splines,
                        const double *taus, int n_taus, slds_error *err);
int slds_sgp_model_set_coef(slds_sgp_model *m, int order, const double *coef, int p,
                            slds_error *err);
void slds_sgp_model_free(slds_sgp_model *m);

/* A model as JSON (taus, each prior's spline, each fitted order's matrix
 * with its students, loss/hoss), doubles with 17 significant digits: reading
 * it back gives the same bits, so the same SGPs (model_json.c). *out is the
 * caller's to free(). */
int slds_sgp_model_to_json(const slds_sgp_model *m, char **out, slds_error *err);
/* Fills m (the caller frees it with slds_sgp_model_free) from that JSON;
 * errors name origin. */
int slds_sgp_model_from_json(const char *json, size_t len, const char *origin, slds_sgp_model *m,
                             slds_error *err);

/* The n_taus predicted quantiles of each of n students from their priors
 * (n x ld row-major, column 0 most recent; the first `order` are used),
 * each row sorted and rounded to 5 decimals as the package does. */
int slds_sgp_predict(const slds_sgp_model *m, int order, const double *priors, size_t ld,
                     size_t n, double *pred, slds_error *err);
/* The SGP of order `order` of each of n students: the count of the model's
 * predicted quantiles (sorted and rounded as slds_sgp_predict) strictly below
 * current[i], moved into 1..n_taus-1; 0 where the score or one of the first
 * `order` priors is missing. How baseline matrices are applied to a later
 * year (docs/growth-method.md). */
int slds_sgp_score(const slds_sgp_model *m, int order, const double *priors, size_t ld,
                   const double *current, size_t n, int *sgp, slds_error *err);
/* Percentile of a score among sorted predictions: the number strictly below,
 * moved into 1..n_taus-1 (0 -> 1 and 100 -> 99). */
int slds_sgp_percentile(const double *pred_sorted, int n_taus, double score);

/* ------------------------------------------------------------------------ */
/* Growth targets: catch up / keep up                                        */

enum slds_target_kind { SLDS_TARGET_NONE = 0, SLDS_TARGET_CATCH_UP = 1, SLDS_TARGET_KEEP_UP = 2 };

typedef struct slds_target_problem {
    size_t n;
    int n_scores;                /* score columns */
    const double *scores;        /* n x n_scores: current score first, then the
                                    consecutive earlier years; NaN missing */
    const int *sgp;              /* n current SGPs, or NULL: no on-track flags */
    double current_cut;          /* proficient cut of the current grade */
    int n_years;                 /* 1..SLDS_TARGET_MAX_YEARS */
    const slds_sgp_model *models[SLDS_TARGET_MAX_YEARS]; /* year h: the model of grade
                                                            current + h + 1 */
    double cuts[SLDS_TARGET_MAX_YEARS];                  /* proficient cut in year h */
    int max_order[SLDS_TARGET_MAX_YEARS];                /* year h uses at most this order;
                                                            0: any (a lagged model whose older
                                                            priors are not the student's) */
} slds_target_problem;

typedef struct slds_target_result {
    size_t n;
    int n_years;
    int *target;                 /* n x n_years: lowest percentile whose trajectory reaches
                                    the cut in year h, 1..99 (99 also when out of reach),
                                    0 = not computable */
    unsigned char *reachable;    /* n x n_years: some trajectory reaches the cut */
    unsigned char *on_track;     /* n x n_years: sgp >= target */
    unsigned char *kind;         /* n: enum slds_target_kind */
} slds_target_result;

/* The one projection engine (growth/targets.c), used by the array path and
 * by `slds growth run` alike. Percentile growth trajectories of one student:
 * out[h*n_taus + t] is the projected score in year h+1 when growing at the
 * t-th quantile every year (each year's row sorted). */
int slds_sgp_trajectories(const slds_target_problem *pr, size_t student, double *out,
                          slds_error *err);
int slds_sgp_targets(const slds_target_problem *pr, slds_target_result *res, slds_error *err);
void slds_target_result_free(slds_target_result *res);

/* ------------------------------------------------------------------------ */
/* Gains in grade levels (vertical scales)                                   */

/* The typical one-year gain: median of the gains of a reference year. */
int slds_gain_typical(const double *gains, size_t n, double *typical, slds_error *err);
/* The alternative: median score of the upper grade minus that of the lower. */
int slds_gain_grade_gap(const double *lower, size_t n_lower, const double *upper, size_t n_upper,
                        double *gap, slds_error *err);
/* out[i] = gain[i] / per_grade (NaN stays NaN); per_grade must be > 0. */
int slds_gain_in_grade_levels(const double *gain, size_t n, double per_grade, double *out,
                              slds_error *err);

#endif
