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
#include <stdint.h>

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

/* ===================================================================
 * Section: achievement, competes, performance-measures (account-b)
 * =================================================================== */

/* The subgroups the notice names ("high-need students", (A)(3)(ii)): every
 * student, economically disadvantaged, each race and ethnicity of the data
 * contract, students with disabilities, English learners, and the
 * complement of each Y/N group (the other side of a gap). */
typedef enum {
    SLDS_SUBGROUP_ALL,
    SLDS_SUBGROUP_ECON,
    SLDS_SUBGROUP_NOT_ECON,
    SLDS_SUBGROUP_HISPANIC,
    SLDS_SUBGROUP_AM_INDIAN,
    SLDS_SUBGROUP_ASIAN,
    SLDS_SUBGROUP_BLACK,
    SLDS_SUBGROUP_PACIFIC_ISLANDER,
    SLDS_SUBGROUP_WHITE,
    SLDS_SUBGROUP_TWO_OR_MORE,
    SLDS_SUBGROUP_SWD,
    SLDS_SUBGROUP_NOT_SWD,
    SLDS_SUBGROUP_EL,
    SLDS_SUBGROUP_NOT_EL,
    SLDS_ACCOUNT_NSUBGROUPS
} slds_account_subgroup;

/* "all", "econ_disadvantaged", "not_econ_disadvantaged", "HISPANIC", ...,
 * "disability", "no_disability", "english_learner", "not_english_learner". */
const char *slds_account_subgroup_name(slds_account_subgroup g);
/* The subgroup named name, or -1. */
int slds_account_subgroup_find(const char *name);

/* Reasons a student was not tested (assessments.not_tested_reason); any
 * other code counts as OTHER. */
enum { SLDS_NT_ABSENT, SLDS_NT_MEDICAL, SLDS_NT_PARENT_REFUSAL, SLDS_NT_EXEMPT_EL, SLDS_NT_OTHER,
       SLDS_ACCOUNT_NREASONS };
const char *slds_account_reason_name(int reason); /* "ABSENT" ... "OTHER" */

/* Grades of the cube: 0 is every grade together, 1..14 are PK, KG, 01..12. */
#define SLDS_ACCOUNT_NGRADES 15
const char *slds_account_grade_name(int grade); /* "all", "PK", "KG", "01" ... "12" */

typedef struct slds_account_options {
    int proficient_level;  /* performance_level at or above which a score is proficient (3) */
    const char *test_type; /* the assessments counted (test_type, default "STATE") */
} slds_account_options;

void slds_account_options_default(slds_account_options *o);

/* Counts of one group: students with a result of the test (scored or not
 * tested), tested (scored), proficient (scored at or above the level), and
 * the not tested by reason. One result per student, year and subject: a
 * scored result wins over a not-tested record, and the highest level over a
 * lower one. students = tested + sum(not_tested). */
typedef struct slds_account_counts {
    int32_t students, tested, proficient;
    int32_t not_tested[SLDS_ACCOUNT_NREASONS];
} slds_account_counts;

/* Levels of the cube. */
typedef enum { SLDS_LEVEL_STATE, SLDS_LEVEL_LEA, SLDS_LEVEL_SCHOOL } slds_account_level;
const char *slds_account_level_name(slds_account_level l); /* "state", "lea", "school" */

/* The achievement cube: counts by year x subject x unit (the state, each
 * district, each school) x grade x subgroup. A student's school for a test is
 * the enrollment spell of that school year open on the test date, else the
 * year's spell that began last; a student with no spell that year counts for
 * the state only. Districts are the schools' lea_id (schools.csv). */
typedef struct slds_account_cube slds_account_cube;

/* Computes the cube over the given years (nyears 0: every year with
 * results). Reads assessments, enrollments, student_attributes and schools
 * in one merge pass over the student id. */
int slds_account_cube_compute(slds_store *s, const int *years, size_t nyears,
                              const slds_account_options *o, slds_account_cube **out,
                              slds_error *err);
void slds_account_cube_free(slds_account_cube *c);

size_t slds_account_cube_nyears(const slds_account_cube *c);
int slds_account_cube_year(const slds_account_cube *c, size_t i); /* ascending */
size_t slds_account_cube_nsubjects(const slds_account_cube *c);
const char *slds_account_cube_subject(const slds_account_cube *c, size_t i); /* ascending */
/* Units of a level: 1 for the state, the districts, the schools (ascending ids). */
size_t slds_account_cube_nunits(const slds_account_cube *c, slds_account_level l);
const char *slds_account_cube_unit_id(const slds_account_cube *c, slds_account_level l, size_t i);
/* The district of a school unit (its lea_id) as a district unit index. */
size_t slds_account_cube_school_lea(const slds_account_cube *c, size_t school);
/* The counts of one cell (never NULL; zero counts when nobody). */
const slds_account_counts *slds_account_cube_cell(const slds_account_cube *c, size_t year,
                                                  size_t subject, slds_account_level l,
                                                  size_t unit, int grade,
                                                  slds_account_subgroup g);

/* A cube shared by the reports of one run (`slds report DB --all`): the
 * cube of every year with the default options (STATE tests, level 3 and
 * above), computed once by the first report that asks, on its own store;
 * the others wait for it. Thread-safe. A report whose options differ
 * computes its own. */
typedef struct slds_account_cube_cache slds_account_cube_cache;
int slds_account_cube_cache_new(slds_account_cube_cache **out, slds_error *err);
void slds_account_cube_cache_free(slds_account_cube_cache *c);
/* The shared cube (borrowed: valid until the cache is freed), or the error
 * its computation gave (every caller gets the same). */
int slds_account_cube_cache_get(slds_account_cube_cache *c, slds_store *s,
                                const slds_account_cube **out, slds_error *err);
/* CPU seconds the cube took (0 until computed). */
double slds_account_cube_cache_seconds(const slds_account_cube_cache *c);

/* Per-school proficiency of all students (every grade), the figure
 * lowest-achieving ranks schools by: one row per school, year and subject
 * with results. */
typedef struct slds_account_school_rate {
    char school_id[64];
    char lea_id[64];
    int school_year;
    char subject[32];
    int32_t students, tested, proficient;
    double rate; /* proficient / tested (NaN when nobody was tested) */
} slds_account_school_rate;

/* The rows for the given years (nyears 0: every year), ordered by school,
 * year and subject. *rows is the caller's: free(). */
int slds_account_proficiency(slds_store *s, const int *years, size_t nyears,
                             const slds_account_options *o, slds_account_school_rate **rows,
                             size_t *nrows, slds_error *err);

/* Reports of this section (their registry adapters are in src/report/report.c). */

/* achievement: one year's proficiency, participation and not tested by
 * reason (table "achievement"), the gaps between subgroups each year
 * ("achievement_gaps") and their trend ("achievement_gap_trends"). NULL
 * filters: every subject, level, subgroup, grade. SLDS_ERR_USAGE names a bad
 * filter; SLDS_ERR_NOTFOUND when the year has no results of the test type. */
typedef struct slds_account_achievement_request {
    int year;
    const char *subject, *level, *subgroup, *grade;
    slds_account_options options; /* test_type NULL: STATE */
    slds_account_cube_cache *cache; /* NULL, or a cube shared with other reports */
} slds_account_achievement_request;
int slds_account_achievement(slds_store *s, const slds_account_achievement_request *q,
                             slds_account_tables *out, slds_error *err);
/* The report's charts (state proficiency by subgroup, gaps over the years),
 * drawn from its tables (the n tables the function returned, after
 * suppression) into figure. */
int slds_account_achievement_figure(slds_table *const *tables, size_t n, slds_buf *figure,
                                    slds_error *err);

/* competes: the audit's America COMPETES elements and (C)(1) score (tables
 * "competes" and "c1_score"). */
int slds_account_competes(slds_store *s, slds_account_tables *out, slds_error *err);

/* performance-measures: Appendix A measures, baseline, targets (CSV, NULL:
 * none), actuals (table "performance_measures"). baseline_year 0: the first
 * year with results. */
int slds_account_measures(slds_store *s, int year, int baseline_year, const char *targets_csv,
                          slds_account_cube_cache *cache, slds_account_tables *out, slds_error *err);

/* ===================================================================
 * End of section account-b
 * =================================================================== */

/* ===================================================================
 * Section account9: funding, equity, preparation
 * =================================================================== */

/* funding (docs/reports/funding.md), (F)(1)(ii): expenditure per pupil of
 * every district and school of a year from finance.csv (table "funding"),
 * high-need districts against the others and, within each district,
 * high-poverty schools against the others ("funding_comparison"). html (may
 * be NULL) receives bar charts. SLDS_ERR_NOTFOUND when no finance rows are
 * loaded for the year. */
typedef struct slds_account_funding_options {
    int year;
    const char *level;        /* "state", "lea", "school" or NULL: every level */
    double high_need_count;   /* children in poverty at least this: high-need (10000) */
    double high_need_percent; /* ... or at least this percent of those served (20) */
} slds_account_funding_options;
void slds_account_funding_options_default(slds_account_funding_options *o);
int slds_account_funding(slds_store *s, const slds_account_funding_options *o,
                         slds_account_tables *out, slds_buf *html, slds_error *err);

/* equity (docs/reports/equity.md), (D)(3): highly effective, effective and
 * ineffective teachers and principals (the ratings `slds educators run`
 * stored for the year) in the state's highest and lowest quartiles of
 * schools by poverty and by minority share ("equity"), teachers rated
 * effective or better by subject area ("equity_subjects"), students taught
 * by ineffective and highly effective teachers ("equity_students") and the
 * gaps ("equity_gaps"). SLDS_ERR_NOTFOUND when no educator of the year has a
 * rating. */
typedef struct slds_account_equity_options {
    int year;
    const char *level;            /* "state", "lea" or NULL: both */
    const char *highly_effective; /* rating labels, comma-separated (case-insensitive) */
    const char *effective;        /* labels that are effective or better */
    const char *ineffective;
    bool educators_only; /* skip the students' table (rosters; performance-measures) */
} slds_account_equity_options;
void slds_account_equity_options_default(slds_account_equity_options *o);
int slds_account_equity(slds_store *s, const slds_account_equity_options *o,
                        slds_account_tables *out, slds_error *err);
/* Its charts (percent highly effective and ineffective by school group, for
 * teachers and principals), drawn from its tables after suppression. */
int slds_account_equity_figure(slds_table *const *tables, size_t n, slds_buf *figure,
                               slds_error *err);

/* preparation (docs/reports/preparation.md), (D)(4): for each preparation
 * program and route, the students' growth and achievement of its new
 * teachers (principals) pooled over a window of years, next to the state's
 * other new educators (table "preparation"). SLDS_ERR_NOTFOUND when no
 * results of new educators are stored for the window. */
typedef struct slds_account_preparation_options {
    int year;
    int years;         /* window Y-years+1..Y (3) */
    int new_years;     /* new: experience below this in the year (3: first three years) */
    int min_teachers;  /* fewer distinct educators pooled: no figure (25) */
    const char *effective; /* rating labels effective or better */
} slds_account_preparation_options;
void slds_account_preparation_options_default(slds_account_preparation_options *o);
int slds_account_preparation(slds_store *s, const slds_account_preparation_options *o,
                             slds_account_tables *out, slds_error *err);

/* ===================================================================
 * End of section account9
 * =================================================================== */

#endif
