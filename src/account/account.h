/* account.h - accountability figures of issue 9 (the notice's definitions,
 * ../shared/spec/rtt-notice-2010.txt): each report is one file of this folder
 * and one line of the report registry (src/report). This header holds the
 * public computations other modules and reports reuse.
 *
 * The header has one labelled section per author so parallel work merges by
 * appending: keep your edits inside your section.
 *
 * Ownership: every *_compute / function returning an array gives it to the
 * caller, who frees it with the matching *_free. */
#ifndef SLDS_ACCOUNT_H
#define SLDS_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "report/report.h"
#include "store/store.h"
#include "table/table.h"

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

/* Reports of this section (registered in src/report/report.c). */
extern const slds_report_param slds_account_achievement_params[];
extern const int slds_account_achievement_nparams;
int slds_account_achievement_report(slds_store *s, const slds_report_args *args,
                                    slds_report_output *out, slds_error *err);
/* The report's charts (state proficiency by subgroup, gaps over the years),
 * drawn from its tables after suppression. */
int slds_account_achievement_figure(slds_report_output *out, slds_error *err);

/* competes: the audit's America COMPETES elements and (C)(1) score. */
int slds_account_competes_report(slds_store *s, const slds_report_args *args,
                                 slds_report_output *out, slds_error *err);

/* performance-measures: Appendix A measures, baseline, targets (CSV), actuals. */
extern const slds_report_param slds_account_measures_params[];
extern const int slds_account_measures_nparams;
int slds_account_measures_report(slds_store *s, const slds_report_args *args,
                                 slds_report_output *out, slds_error *err);

/* ===================================================================
 * End of section account-b
 * =================================================================== */

#endif
