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

typedef struct slds_educator_options {
    int year;
    const char *config;         /* preset name; NULL or "lme4" */
    double min_students;        /* below: no growth measure reported (default 10) */
    double min_fte;             /* below: likewise (default 5) */
    const char *model_frame;    /* when set: the model rows written to this CSV */
} slds_educator_options;

typedef struct slds_educator_summary {
    int subjects;
    size_t rows;                /* student x teacher links fitted */
    size_t students;
    size_t teachers;            /* educator results written */
    size_t over_claimed;        /* students whose dosages sum above 1 */
    double fit_seconds;         /* the mixed-model fits alone */
    double seconds;
} slds_educator_summary;

void slds_educator_options_default(slds_educator_options *o);
/* Computes and stores year's results (replacing them); s opened as writer. */
int slds_educator_run(slds_store *s, const slds_educator_options *o, slds_educator_summary *sum,
                      const slds_progress *progress, slds_error *err);

/* One stored row (NaN where not computed; flags "" when none). */
typedef struct slds_educator_row {
    const char *staff_id, *role, *subject, *rating, *flags, *note;
    int school_year;
    double n_students, fte_students, vam_estimate, vam_se, mean_sgp, median_sgp, sgp_lo,
        sgp_hi, share_1_grade, share_1_5_grade;
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

#endif
