/* warn.h - early warning (issue 10 item 2): the ABC indicators (attendance,
 * behaviour, course performance) of every enrolled student of grades 6-12,
 * each flag with its reason in words; a calibrated probability of not
 * graduating on time and of failing a course this year from an L2-regularised
 * logistic regression trained on earlier cohorts whose outcomes are known,
 * with each student's main contributing factors in words; the held-out
 * evaluation (AUC, precision, recall, calibration, all by subgroup); the
 * counselor's warning list; the public `early-warning` report; and the same
 * model on the shared UCI and OULAD files. docs/warn.md has every definition.
 *
 * Numerical kernels (logit.c) follow the project's liblinear shape: a problem
 * that borrows the caller's arrays, params with a *_default(), a result the
 * caller frees. Ownership: every *_free releases what its *_new or fit filled;
 * json_t values returned are new references. */
#ifndef SLDS_WARN_H
#define SLDS_WARN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

/* ------------------------------------------------------------------------ */
/* Configuration: the ABC thresholds and the model's settings.              */

typedef struct slds_warn_config {
    double chronic_absence;      /* flag when days missed / days enrolled >= this (0.10) */
    int suspensions;             /* flag when suspensions + expulsions in the year >= this (1) */
    bool count_in_school;        /* in-school suspensions count too (true) */
    int course_failures;         /* flag when F marks in ELA or MATH courses >= this (1) */
    double gpa_below;            /* flag when the year's GPA (A=4 .. F=0, credit-weighted) < this (2.0) */
    double on_track_credits;     /* grade 9 on track needs full credits earned >= this (5) */
    int on_track_max_core_f;     /* ... and at most this many semester Fs in core courses (1) */
    double credits_per_year;     /* expected credits a high-school year (6), for the credit-deficit factor */
    double lambda;               /* L2 penalty on standardised coefficients (1.0) */
    bool lambda_search;          /* evaluate-file: choose lambda by inner cross-validation (true) */
    double risk_threshold;       /* 0: chosen on the calibration split (max F1); else this probability */
    double factor_min;           /* a factor is named when it adds >= this to the log-odds (0.15) */
    int calibration_share_pct;   /* share of training students kept for calibration (20) */
} slds_warn_config;

void slds_warn_config_default(slds_warn_config *c);
/* Reads a configuration file over the defaults: a JSON object {"key": value}
 * or a CSV "key,value" (header optional). Unknown keys and bad values are
 * SLDS_ERR_DATA naming the file, key (line) and value. */
int slds_warn_config_load(slds_warn_config *c, const char *path, slds_error *err);
/* The configuration as JSON (stored with each run). */
json_t *slds_warn_config_json(const slds_warn_config *c);

/* ------------------------------------------------------------------------ */
/* The ABC indicators of one student-year, and the flags they raise.        */

enum {
    SLDS_WARN_FLAG_ATTENDANCE = 1 << 0,
    SLDS_WARN_FLAG_BEHAVIOR = 1 << 1,
    SLDS_WARN_FLAG_COURSE = 1 << 2,   /* F in ELA or mathematics */
    SLDS_WARN_FLAG_GPA = 1 << 3,
    SLDS_WARN_FLAG_OFF_TRACK = 1 << 4 /* grade 9 only */
};
enum { SLDS_WARN_NFLAGS = 5 };
/* "attendance", "behavior", "course", "gpa", "off_track" for flag bit k. */
const char *slds_warn_flag_name(int k);

typedef struct slds_warn_abc {
    int grade;                    /* 6..12 */
    double days_enrolled, days_absent; /* NaN when no attendance row */
    int suspensions;              /* in-school + out-of-school + expulsions (per config) */
    int out_of_school;            /* out-of-school suspensions and expulsions */
    double suspension_days;
    int f_ela, f_math, f_other;   /* F marks by subject */
    int core_f_semesters;         /* semester Fs in ELA, MATH, SCIENCE, SOCIAL_STUDIES (a YEAR course F = 2) */
    double credits_earned;        /* this year */
    double gpa_points, gpa_credits; /* sum of mark points x credits attempted, and the credits */
} slds_warn_abc;

/* Flags raised by a's indicators under c (bits above). */
unsigned slds_warn_flags(const slds_warn_abc *a, const slds_warn_config *c);
/* The year's GPA, NaN without graded courses. */
double slds_warn_gpa(const slds_warn_abc *a);
/* Appends the reason of every raised flag to b, in words, separated by "; ". */
int slds_warn_reasons(const slds_warn_abc *a, unsigned flags, const slds_warn_config *c, slds_buf *b);

/* ------------------------------------------------------------------------ */
/* L2-regularised logistic regression (logit.c): minimises
 *   -sum_i w_i [y_i log p_i + (1-y_i) log(1-p_i)] + lambda/2 sum_{j>=first} beta_j^2,
 * p_i = 1 / (1 + exp(-x_i' beta)), by Newton's method (IRLS) with a Cholesky
 * solve of the p x p Hessian and step halving; column 0 is the intercept and
 * is not penalised when intercept is set. */

enum { SLDS_LOGIT_MAX_P = 64 };

typedef struct slds_logit_problem {
    size_t n;
    int p;
    const double *x;   /* n x p row-major */
    const double *y;   /* n values in [0, 1] */
    const double *w;   /* n weights or NULL */
} slds_logit_problem;

typedef struct slds_logit_params {
    double lambda;     /* 0: plain maximum likelihood */
    bool intercept;    /* column 0 unpenalised (true) */
    int max_iter;      /* 100 */
    double tol;        /* stop when max |step| < tol (1e-10) */
    const double *start; /* p starting coefficients (a warm start along a path of lambdas); NULL: 0 */
} slds_logit_params;

typedef struct slds_logit_result {
    int p;
    double beta[SLDS_LOGIT_MAX_P];
    double deviance;   /* -2 log-likelihood at beta */
    int iterations;
} slds_logit_result;

void slds_logit_params_default(slds_logit_params *prm);
/* SLDS_ERR_NUMERIC when the Hessian is singular (separable data without a
 * penalty, a constant column) or Newton does not converge. */
int slds_logit_fit(const slds_logit_problem *prob, const slds_logit_params *prm,
                   slds_logit_result *res, slds_error *err);
double slds_logit_predict(const slds_logit_result *res, const double *x);
double slds_logistic(double z);

/* Platt scaling: p' = logistic(a + b logit(p)), fitted by the same solver on
 * a calibration split. */
typedef struct slds_platt {
    double a, b;
} slds_platt;
int slds_platt_fit(const double *p, const double *y, size_t n, slds_platt *out, slds_error *err);
double slds_platt_apply(const slds_platt *c, double p);

/* ------------------------------------------------------------------------ */
/* Metrics (logit.c).                                                        */

/* slds_auc (src/stats) for labels held as 0.0/1.0: the Mann-Whitney
 * statistic with ties counted one half. NaN when a class is empty. */
double slds_warn_auc(const double *s, const double *y, size_t n);

typedef struct slds_confusion {
    size_t n, positives, flagged, true_pos, false_pos;
    double precision, recall, specificity, false_positive_rate; /* NaN when undefined */
} slds_confusion;
/* Flags s >= threshold (or the flags given: flag[i] != 0 when s is NULL). */
void slds_confusion_at(const double *s, const unsigned char *flag, const double *y, size_t n,
                       double threshold, slds_confusion *out);
/* The threshold (one of the scores) maximising F1 on s, y. */
double slds_best_f1_threshold(const double *s, const double *y, size_t n);

enum { SLDS_CALIB_BINS = 10 };
typedef struct slds_calibration {
    size_t n[SLDS_CALIB_BINS];
    double mean_predicted[SLDS_CALIB_BINS]; /* NaN in an empty bin */
    double observed[SLDS_CALIB_BINS];
    double brier;                           /* mean (p - y)^2 */
    double ece;                             /* sum_k n_k/n |observed_k - predicted_k| */
} slds_calibration;
/* Bins [k/10, (k+1)/10) of the predicted probability. */
void slds_calibration_bins(const double *p, const double *y, size_t n, slds_calibration *out);

/* ------------------------------------------------------------------------ */
/* Over the state database.                                                 */

typedef struct slds_warn_summary {
    int year;
    size_t students;           /* enrolled in grades 6-12 and stored */
    size_t flagged[SLDS_WARN_NFLAGS];
    size_t any_flag;
    size_t high_risk;          /* predicted probability >= threshold */
    size_t train_n, calib_n;   /* records the graduation model was trained / calibrated on */
    size_t fail_train_n;       /* records of the course-failure model */
    bool model;                /* false: too few earlier cohorts with known outcomes (flags only) */
    double threshold;
    double seconds;
} slds_warn_summary;

/* Computes year's indicators and predictions and stores them (replacing the
 * year's rows) in warn_students and warn_runs. config NULL: defaults;
 * config_name names it in warn_runs. */
int slds_warn_run(slds_store *s, int year, const slds_warn_config *config, const char *config_name,
                  slds_warn_summary *sum, const slds_progress *progress, slds_error *err);

/* The held-out evaluation: the latest cohort whose on-time graduation is
 * known (and the latest year of courses for the course-failure model) is
 * held out; the model is trained on the earlier ones exactly as `run` trains
 * it. Returns a JSON object (docs/warn.md): auc, n, positives, threshold,
 * precision, recall, calibration, by_subgroup, by_grade, flags (each ABC
 * flag's sensitivity, specificity, precision), course_failure {...}.
 * bowers_csv (or NULL) adds "published": each flag next to the published
 * figures of Bowers, Sprott & Taff (2013). */
int slds_warn_evaluate(slds_store *s, const slds_warn_config *config, const char *bowers_csv,
                       json_t **out, slds_error *err);

/* The stored warning list of year (school_id NULL: every school), most at
 * risk first, as a table: student_id, school_id, grade, risk_not_graduating,
 * risk_failing_course, risk_level, flags, reasons, factors. */
int slds_warn_show(slds_store *s, int year, const char *school_id, slds_table **out, slds_error *err);
/* The counselor's page: the same list as one HTML document with reasons. */
int slds_warn_show_html(slds_store *s, int year, const char *school_id, slds_buf *out, slds_error *err);

/* The table of the registry's `early-warning` report (src/report runs it):
 * flag rates of year's stored rows by level ("school", "district" or
 * "state"; the state's rows come first) and subgroup, with privacy roles and
 * declared totals. *out is the caller's (slds_table_free). */
int slds_warn_flag_rates(slds_store *s, int year, const char *level, slds_table **out, slds_error *err);

/* ------------------------------------------------------------------------ */
/* The shared data sets (files.c): the same model (L2 logistic regression,
 * standardised one-hot features) by 10-fold cross-validation.              */

/* UCI student performance (student-mat.csv / student-por.csv, ';'):
 * fail = G3 < 10; AUC with G1 and G2, with G1 only, without grades.
 * OULAD studentInfo (.csv or .csv.gz): not completing = Withdrawn or Fail.
 * kind "uci" or "oulad" (NULL: from the file's header). Returns a JSON
 * object {file, kind, n, positives, folds, results: [{features, auc}]}. */
int slds_warn_evaluate_file(const char *path, const char *kind, const slds_warn_config *config,
                            json_t **out, slds_error *err);

#endif
