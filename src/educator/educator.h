/* educator.h - educator effectiveness (issue 8, criterion (D)(2) of the RTT
 * notice): value-added of every teacher from the score panel (a weighted
 * random-intercept model fitted by REML, src/stats), growth percentiles and
 * grade-level gains of their students (dosage-weighted, from the growth run),
 * stored per educator, year and subject in educator_results.
 *
 * The model of the preset "lme4" is exactly
 *   lmer(score ~ factor(grade) + factor(grade):z + factor(grade):I(z^2)
 *        + frl + ell + iep + (1 | teacher), weights = dosage, REML = TRUE)
 * with z the prior same-subject score standardized within the current grade
 * and one row per student x teacher link (docs/educators.md). */
#ifndef SLDS_EDUCATOR_H
#define SLDS_EDUCATOR_H

#include <stddef.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

/* ------------------------------------------------------------------------ */
/* Ratings from multiple measures (docs/educators.md): a JSON configuration
 * of measures (each converted to points by bands or linearly, weighted in
 * percent), categories cut on the weighted sum of points, and decisions
 * ((D)(2)(iv)) drawn from consecutive years' ratings. Every band states the
 * inclusiveness of its bounds: "[)" includes from, excludes to; "[]", "(]",
 * "()" likewise. */

enum {
    SLDS_RATING_MAX_MEASURES = 8,
    SLDS_RATING_MAX_BANDS = 12,
    SLDS_RATING_MAX_DECISIONS = 8,
    SLDS_RATING_NAME = 64
};

/* Where a measure's value comes from. */
typedef enum slds_rating_source {
    SLDS_SOURCE_VAM_SD = 0,   /* value-added estimate / SD of the year's estimates (growth) */
    SLDS_SOURCE_MEAN_SGP,     /* dosage-weighted mean SGP (growth) */
    SLDS_SOURCE_MEDIAN_SGP,   /* dosage-weighted median SGP (growth) */
    SLDS_SOURCE_SHARE_1_GRADE,/* share grown >= 1 grade level, 0..1 (growth) */
    SLDS_SOURCE_ACHIEVEMENT,  /* mean within-grade percentile rank of current scores, 0..100 */
    SLDS_SOURCE_OBSERVATION   /* observations.csv score of `observation` */
} slds_rating_source;

typedef struct slds_rating_band {
    char label[SLDS_RATING_NAME]; /* categories: the rating's name */
    double from, to;
    int from_inclusive, to_inclusive;
    double points;                /* measure bands: points of a value in the band */
} slds_rating_band;

typedef struct slds_rating_measure {
    char name[SLDS_RATING_NAME];
    slds_rating_source source;
    char observation[SLDS_RATING_NAME]; /* SLDS_SOURCE_OBSERVATION: the measure's name */
    double weight;                      /* percent */
    int linear;                         /* 1: points = to[0] + (v - from[0]) * slope, clipped */
    double lin_from[2], lin_to[2];
    int n_bands;
    slds_rating_band bands[SLDS_RATING_MAX_BANDS];
} slds_rating_measure;

/* What a decision informs ((D)(2)(iv) of the notice): "develop" (a),
 * "compensate", "promote", "retain" (b), "tenure" (c), "remove" (d). */
enum { SLDS_USE_DEVELOP, SLDS_USE_COMPENSATE, SLDS_USE_PROMOTE, SLDS_USE_RETAIN,
       SLDS_USE_TENURE, SLDS_USE_REMOVE, SLDS_USE_COUNT };
/* The name of use u ("develop" ...), NULL when out of range. */
const char *slds_rating_use_name(int u);

typedef struct slds_rating_decision {
    char flag[SLDS_RATING_NAME];
    int use;                            /* SLDS_USE_*: "use", else inferred from the flag's name */
    int years;                          /* consecutive years ending in Y */
    int n_ratings;
    char ratings[SLDS_RATING_MAX_BANDS][SLDS_RATING_NAME]; /* any of these each year */
} slds_rating_decision;

typedef struct slds_rating_config {
    char name[SLDS_RATING_NAME];
    double min_students, min_fte;
    int full_model;                     /* "model": "full" (default "lme4") */
    double reliability;                 /* "reliability" of prior scores (default 0.9) */
    char csem[256];                     /* "csem": a CSEM table (CSV), "" none */
    int class_means, school_means;      /* "class_means", "school_means": true */
    int prior_required;                 /* "prior_required": true */
    int n_measures;
    slds_rating_measure measures[SLDS_RATING_MAX_MEASURES];
    int n_categories;                   /* >= 4, lowest first */
    slds_rating_band categories[SLDS_RATING_MAX_BANDS];
    /* The lowest category counted "effective or better" (index): "effective"
     * names it; default the category labelled "Effective", else the upper
     * half. The lowest category is "ineffective", the highest "highly
     * effective" (the (D)(2) and (D)(3) reports). */
    int effective_level;
    int n_decisions;
    slds_rating_decision decisions[SLDS_RATING_MAX_DECISIONS];
} slds_rating_config;

/* Growth measures must weigh at least this much (percent) to be a
 * "significant factor" (docs/educators.md). */
#define SLDS_RATING_GROWTH_MIN_WEIGHT 20.0

/* Parses and checks a configuration (origin names it in messages). Refused
 * with SLDS_ERR_DATA and the reason: weights not summing to 100%, growth
 * below SLDS_RATING_GROWTH_MIN_WEIGHT, fewer than 4 categories, bands that
 * overlap or leave a gap, a bound without its inclusiveness. */
int slds_rating_config_parse(const char *json, size_t len, const char *origin,
                             slds_rating_config *c, slds_error *err);
/* A preset by name (colorado, tennessee, dc; lme4 and full are models
 * without a rating, handled by the run) or a file path. */
int slds_rating_config_load(const char *name_or_path, slds_rating_config *c, slds_error *err);
/* The JSON text of a preset, NULL when there is none of that name. */
const char *slds_rating_preset(const char *name);
/* Points of value v for measure m; 0 and *points set, or -1 when v is in no band. */
int slds_rating_points(const slds_rating_measure *m, double v, double *points);
/* The category index of a composite, -1 when it is in none. */
int slds_rating_category(const slds_rating_config *c, double composite);
int slds_rating_source_is_growth(slds_rating_source s);

typedef struct slds_educator_options {
    int year;
    const char *config;         /* preset name or file; NULL or "lme4": value-added, no rating */
    double min_students;        /* below: no growth measure reported (default 10) */
    double min_fte;             /* below: likewise (default 5) */
    int min_set;                /* 1: the two above override the configuration's */
    int full_model;             /* the fuller model (config "full" or "model": "full") */
    double reliability;         /* of prior scores, for the full model (default 0.9) */
    const char *csem;           /* full model: the scores' CSEM table (CSV), else reliability */
    int class_means;            /* full model: the class's mean prior (dosage-weighted) */
    int school_means;           /* full model: the school's mean prior */
    int no_pattern_weights;     /* full model: 1 = every row the same residual variance */
    int prior_required;         /* full model: only rows with the same-subject prior */
    const char *model_frame;    /* when set: the model rows written to this CSV */
    int no_outcomes;            /* 1: no graduation and college figures for principals */
} slds_educator_options;

typedef struct slds_educator_summary {
    int subjects;
    size_t rows;                /* student x teacher links fitted */
    size_t school_rows;         /* students fitted in the school (principal) models */
    size_t principals;          /* principal rows written */
    size_t students;
    size_t teachers;            /* educator results written */
    size_t over_claimed;        /* students whose dosages sum above 1 */
    double fit_seconds;         /* the mixed-model fits alone */
    double read_seconds;        /* reading the score panel */
    double growth_seconds;      /* reading the growth results (SGPs, grade levels) */
    double model_seconds;       /* building the models' rows and fitting them */
    double outcome_seconds;     /* principals' schools' graduation and college figures */
    double write_seconds;       /* measures, ratings, decisions and writing the rows */
    char notes[2048];           /* lines ("\n"-ended) about the fits: aliased columns dropped */
    double seconds;
} slds_educator_summary;

void slds_educator_options_default(slds_educator_options *o);
/* Computes and stores year's results (replacing them); s opened as writer. */
int slds_educator_run(slds_store *s, const slds_educator_options *o, slds_educator_summary *sum,
                      const slds_progress *progress, slds_error *err);

/* One stored row (NaN where not computed; flags "" when none). */
typedef struct slds_educator_row {
    const char *staff_id, *role, *subject, *rating, *flags, *note, *rating_detail;
    int school_year;
    double n_students, fte_students, vam_estimate, vam_se, mean_sgp, median_sgp, sgp_lo,
        sgp_hi, share_1_grade, share_1_5_grade, composite;
} slds_educator_row;

typedef int (*slds_educator_fn)(void *ctx, const slds_educator_row *row);
/* Calls fn per stored row of year (staff NULL: every educator), by staff id,
 * role, subject. SLDS_ERR_NOTFOUND when nothing is stored. */
int slds_educator_show(slds_store *s, int year, const char *staff, slds_educator_fn fn,
                       void *ctx, slds_error *err);

/* An empty table of `educators show` rows (the columns of issue 8 first), and
 * one row added to it. */
int slds_educator_show_table(slds_table **out, slds_error *err);
int slds_educator_show_add(slds_table *t, const slds_educator_row *r, slds_error *err);

/* The feedback page of one educator and year: a self-contained HTML document
 * (rating and what drove it, decisions, measures, SVG charts of the
 * value-added among all teachers and of the students' SGPs, growth by class
 * and subgroup) appended to b. SLDS_ERR_NOTFOUND when nothing is stored. */
int slds_educator_report_html(slds_store *s, int year, const char *staff, slds_buf *b,
                              slds_error *err);

/* Reports on stored results (src/educator/summary.c; registered in
 * src/report/report.c). Both need a run of year with a rating configuration
 * (SLDS_ERR_NOTFOUND otherwise). */

/* "educator_summary": per role (TEACHER, PRINCIPAL; role NULL both), the
 * state and each district (level "state", "lea" or NULL both): educators,
 * rated, not rated, the count and percent of each category, the percent
 * effective or better, the FTE-weighted mean SGP and share grown >= 1 grade
 * level (docs/reports/educator-summary.md). */
int slds_educator_summary_table(slds_store *s, int year, const char *role, const char *level,
                                slds_table **out, slds_error *err);
/* The notice's Appendix A (D)(2) measures in its wording: out[0]
 * "d2_measures" (participating LEAs: never suppressed), out[1]
 * "d2_educators" (numbers of teachers and principals: counts of people)
 * (docs/reports/d2-measures.md). */
int slds_educator_d2_tables(slds_store *s, int year, slds_table *out[2], slds_error *err);

#endif
