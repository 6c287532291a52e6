/* account.h - accountability reports of Race to the Top (issue 9): each
 * report reads the store and returns typed result tables (src/table) that the
 * report registry (src/report) runs, suppresses for publication and renders.
 * Definitions follow the notice (../shared/spec/rtt-notice-2010.txt) and
 * docs/reports/NAME.md gives each report's exact definition and sources.
 *
 * Two helpers add to this header in parallel: each keeps to its own labelled
 * section below (append only), so merges are trivial.
 *
 * Ownership: every function that returns tables appends them to a caller's
 * slds_account_tables (free with slds_account_tables_free); an HTML fragment
 * (charts) is appended to a caller's slds_buf. */
#ifndef SLDS_ACCOUNT_H
#define SLDS_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

/* =====================================================================
 * Section account-a: graduation, college, lowest-achieving, funding
 * ===================================================================== */

/* Tables a report function returns, in order (the caller owns them). */
typedef struct slds_account_tables {
    size_t n;
    slds_table **t;
} slds_account_tables;

/* Appends t (owned by tabs from then on, also on failure). */
int slds_account_tables_add(slds_account_tables *tabs, slds_table *t, slds_error *err);
void slds_account_tables_free(slds_account_tables *tabs);

/* Which rows a report returns: level NULL = state, lea and school; subgroup
 * NULL = every subgroup ("all", "econ_disadvantaged", "race:HISPANIC", ...). */
typedef struct slds_account_filter {
    const char *level;    /* "state", "lea", "school" or NULL */
    const char *subgroup; /* one subgroup name or NULL */
} slds_account_filter;

/* Checks a filter's values (SLDS_ERR_USAGE naming the bad one). */
int slds_account_filter_check(const slds_account_filter *f, slds_error *err);

/* Graduation (docs/reports/graduation.md): the four-year and five-year
 * adjusted cohort graduation rates, 34 CFR 200.19(b)(1), of the cohort that
 * graduates on time in school year grad_year (it entered grade 9 in
 * grad_year - 3), by level and subgroup (table "graduation"), and the state
 * rates of every complete cohort in the data (table "graduation_trend").
 * chart (may be NULL) receives an SVG chart of the trend and the subgroups.
 * Errors: SLDS_ERR_NOTFOUND when grad_year is not loaded or the cohort began
 * before the first loaded year; SLDS_ERR_DB. */
int slds_account_graduation(slds_store *s, int grad_year, const slds_account_filter *f,
                            slds_account_tables *out, slds_buf *chart, slds_error *err);

/* College enrollment (docs/reports/college.md): of the regular graduates of
 * school year grad_year, the share enrolled in college within 16 months of
 * graduation, by 2- and 4-year institution, the remedial share and the share
 * of enrollees with at least credits_needed credits in their first two years
 * (table "college"). SLDS_ERR_NOTFOUND when the year has no graduates. */
int slds_account_college(slds_store *s, int grad_year, double credits_needed,
                         const slds_account_filter *f, slds_account_tables *out, slds_buf *chart,
                         slds_error *err);

/* Persistently lowest-achieving schools (docs/reports/lowest-achieving.md). */
typedef struct slds_account_lowest_options {
    int years;               /* window: years - 1 before the report year to it (default 3) */
    double progress_weight;  /* score = rate + weight x progress (default 0.5; 0: rate only) */
    double grad_threshold;   /* graduation rate below this in every class of the window (60) */
    double eligible_poverty; /* Title I eligibility: poverty share at least this (35), or the district's */
    int proficient_level;    /* performance level counted proficient (3) */
    double lowest_percent;   /* the lowest this percent ... (5) */
    int lowest_count;        /* ... or this many schools, whichever is more (5) */
    const char *subjects;    /* reading and mathematics subject codes, comma-separated */
} slds_account_lowest_options;

void slds_account_lowest_options_default(slds_account_lowest_options *o);

/* Tables "lowest_achieving" (one row per school of the two groups: rank,
 * rate, progress, identified, intervention, reason) and
 * "lowest_achieving_districts" (the transformation rule per district). */
int slds_account_lowest(slds_store *s, int year, const slds_account_lowest_options *o,
                        slds_account_tables *out, slds_buf *chart, slds_error *err);

/* Loads a CSV (school_id, school_year, model: TURNAROUND, RESTART, CLOSURE or
 * TRANSFORMATION) into table interventions of a database opened for writing,
 * all rows or none; a row for the same school and year replaces the stored
 * one. SLDS_ERR_DATA names the file, line, column and value at fault. */
int slds_account_interventions_load(slds_store *s, const char *path, size_t *loaded,
                                    slds_error *err);

/* A horizontal bar chart (SVG) for report pages: n bars labelled labels[i]
 * with values[i] in 0..100 (NaN: no bar, "n/a"); title above. */
int slds_account_bar_chart(slds_buf *b, const char *title, const char *const *labels,
                           const double *values, size_t n, const char *unit);
/* A line chart of one series: years[i], values[i] (0..100, NaN skipped). */
int slds_account_line_chart(slds_buf *b, const char *title, const int *years,
                            const double *values, size_t n, const char *unit);

/* ===================================================================== */

#endif
