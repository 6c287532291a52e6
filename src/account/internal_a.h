/* internal_a.h - what the account-a reports (graduation, college,
 * lowest-achieving, funding) share inside src/account: the subgroups and
 * levels, and a table of counters per (level, district or school, subgroup)
 * that every report aggregates into before it builds its result table. */
#ifndef SLDS_ACCOUNT_INTERNAL_A_H
#define SLDS_ACCOUNT_INTERNAL_A_H

#include <stdbool.h>
#include <stdint.h>

#include "account/account.h"
#include "core/hash.h"

/* The subgroups, in output order (the notice's (A)(1) subgroups: ESEA
 * 1111(b)(2)(C)(v)(II)). */
enum { SG_ALL, SG_ECON, SG_NOT_ECON, SG_DISABILITY, SG_EL, SG_RACE0, ACCT_NSUBGROUPS = SG_RACE0 + 7 };
extern const char *const acct_subgroup_names[ACCT_NSUBGROUPS];
extern const char *const acct_level_names[3]; /* state, lea, school */

/* The subgroup bits (1 << SG_*) of a student from his or her attributes
 * (NULL when unknown): always SG_ALL. */
uint16_t acct_groups(const char *race, const char *econ, const char *disability, const char *el);

bool acct_level_wanted(const slds_account_filter *f, int level);
bool acct_subgroup_wanted(const slds_account_filter *f, int g);

#define ACCT_NV 16
typedef struct acct_cell {
    int level, subgroup;
    uint32_t place;   /* interned district or school id; SLDS_NO_ID for the state */
    const char *name; /* its id, "STATE" for the state (borrowed from the intern;
                       * set by acct_cells_sort, when no more ids are added) */
    long long v[ACCT_NV];
} acct_cell;

typedef struct acct_cells {
    slds_map64 index;
    acct_cell *c;
    size_t n, cap;
    const slds_intern *places; /* where place ids come from */
} acct_cells;

/* The cell of (level, place, subgroup), created zeroed; NULL when out of memory. */
acct_cell *acct_cell_get(acct_cells *cs, int level, uint32_t place, int subgroup);
/* Adds v[0..nv) to the cells of the student's subgroups at every wanted
 * level (state, district lea, school school). SLDS_ERR_NOMEM. */
int acct_cells_add(acct_cells *cs, const slds_account_filter *f, uint16_t groups, uint32_t lea,
                   uint32_t school, const long long *v, int nv, slds_error *err);
/* Names the cells and orders them by level, then id, then subgroup; call it
 * once every id is interned; acct_cell_get may not be called after it. */
void acct_cells_sort(acct_cells *cs);
void acct_cells_free(acct_cells *cs);

/* The four-year graduation counts (graduation.c, invariants G1-G5) of every
 * class from class_from to class_to (on-time school years) at each school,
 * in one pass over the enrollments: cell (level 2, school, subgroup =
 * class - class_from), v[0] the adjusted cohort, v[1] the graduates. A class
 * whose cohort began before the first loaded year, or that ends after the
 * last, has no cells. School ids are interned in places. */
int acct_graduation_by_school(slds_store *s, int class_from, int class_to, acct_cells *cs,
                              slds_intern *places, slds_error *err);

/* 100 * part / whole, NaN when whole is 0 (a blank cell). */
double acct_pct(long long part, long long whole);

/* The ratings (educator_results.rating) counted as effective or better by
 * default, by the equity and the preparation reports alike. */
#define ACCT_EFFECTIVE_LABELS                                                                      \
    "Effective,Highly Effective,At Expectations,Above Expectations,"                               \
    "Significantly Above Expectations"

/* Whether label is one of the comma-separated list (case-insensitive,
 * blanks around each item ignored): a rating in a configured set. */
bool acct_label_in_list(const char *list, const char *label);

/* ---- schools.c: poverty and minority quartiles (funding, equity) ---- */

typedef struct acct_school {
    char id[72], lea[72], level[16];
    bool title1;
    long long enrolled, poor, with_race, minority_n; /* distinct students of the year */
    double poverty, minority;                        /* percent; NaN when nobody */
    bool high_poverty, low_poverty, high_minority, low_minority;
} acct_school;

typedef struct acct_lea {
    char id[72];
    long long children_in_poverty, children_served; /* leas.csv; -1 when blank */
    long long enrolled, poor;                        /* distinct students of the year */
} acct_lea;

typedef struct acct_schools {
    int year;
    acct_school *v; /* every school of the registry, by id */
    size_t n;
    acct_lea *leas; /* every district (leas.csv and those schools name), by id */
    size_t nleas;
    size_t ranked;  /* schools with students in the year (the quartiles' n) */
    double poverty_high_cut, poverty_low_cut, minority_high_cut, minority_low_cut;
} acct_schools;

/* Reads the schools and districts with their students, poverty and minority
 * shares in year and the quartile flags (schools.c, rules Q1-Q3). */
int acct_schools_read(slds_store *s, int year, acct_schools *v, slds_error *err);
acct_school *acct_schools_find(const acct_schools *v, const char *id);
acct_lea *acct_leas_find(const acct_schools *v, const char *id);
void acct_schools_free(acct_schools *v);

/* A horizontal bar chart of values of any size (dollars, counts): bars
 * scaled to the largest value; each labelled prefix + the value with decimals. */
int acct_bar_chart_scaled(slds_buf *b, const char *title, const char *const *labels,
                          const double *values, size_t n, const char *prefix, int decimals);

#endif
