/* measures.c - the `performance-measures` report
 * (docs/reports/performance-measures.md): the performance measures of the
 * notice's Appendix A, in its wording, each with the data that answers it,
 * its baseline, the year's target (from a CSV the state keeps) and the
 * actual figure: the table a state attaches to its annual report. Measures
 * the data cannot answer yet are listed with the reason (most wait for
 * educator-effectiveness ratings, issue 8), so the table is complete. */
#include "account/internal_a.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"

/* How a measure is computed from the store. */
typedef enum {
    M_NONE,          /* not answerable yet */
    M_LEAS,          /* number of districts */
    M_STAFF,         /* distinct staff with role (and subject area) in the year */
    M_STAFF_QUART,   /* staff with role in schools of a poverty/minority quartile */
    M_SCHOOLS_QUART, /* schools in a poverty/minority quartile */
    M_PROGRAMS,      /* preparation programs */
    M_PROFICIENCY,   /* percent proficient, all students, a subject */
    M_GAP,           /* proficiency gap, not disadvantaged minus disadvantaged */
    M_EQUITY,        /* a cell of the equity report's state rows (ratings) */
    M_PREP,          /* teacher preparation programs with published figures */
    M_INTERVENTIONS  /* schools with an intervention model for the year */
} method;

/* The tables of the equity report a measure reads (M_EQUITY). */
enum { EQ_GROUPS, EQ_SUBJECTS };

typedef struct measure {
    const char *id, *criterion, *kind, *wording;
    method how;
    const char *arg1, *arg2; /* role / subject area / subject; quartile: "high" or "low" */
    const char *unit;        /* "number", "percent", "percentage points" */
    const char *source;      /* the data that answers it, or why it cannot be answered */
    bool lower_is_better;
    /* M_EQUITY: the equity table (EQ_*), its column, and prior 1 for "in the
     * prior academic year" (the ratings of the year before); arg1 is the
     * subgroup (school group or subject area), arg2 the role (NULL: teachers
     * and principals added). M_PREP: col "percent", "programs" or "teachers". */
    int table;
    const char *col;
    int prior;
} measure;

/* The equity report's state rows (docs/reports/equity.md) from the ratings
 * `slds educators run` stored; the preparation report's program rows
 * (docs/reports/preparation.md, window of 3 years ending in the year, at
 * least 25 teachers behind a figure). */
#define EQ_SRC(what) "educator_results (slds educators run) via the equity report: " what
#define PREP_SRC(what) "educator_results + prep_programs.csv via the preparation report: " what
#define NOT_IN_CONTRACT "not in the data contract (district evaluation-system policies are not collected)"

static const measure measures[] = {
    {"D2-i", "(D)(2)(i)", "goal", "Percentage of participating LEAs that measure student growth (as defined in this notice).",
     M_NONE, NULL, NULL, "percent", "pending: the growth model runs statewide (slds growth run); which LEAs use it is not collected", false, 0, NULL, 0},
    {"D2-ii-t", "(D)(2)(ii)", "goal", "Percentage of participating LEAs with qualifying evaluation systems for teachers.",
     M_NONE, NULL, NULL, "percent", NOT_IN_CONTRACT, false, 0, NULL, 0},
    {"D2-ii-p", "(D)(2)(ii)", "goal", "Percentage of participating LEAs with qualifying evaluation systems for principals.",
     M_NONE, NULL, NULL, "percent", NOT_IN_CONTRACT, false, 0, NULL, 0},
    {"D2-iv", "(D)(2)(iv)", "goal", "Percentage of participating LEAs with qualifying evaluation systems that are used to inform developing, compensating, promoting, retaining, granting tenure and removing teachers and principals.",
     M_NONE, NULL, NULL, "percent", NOT_IN_CONTRACT, false, 0, NULL, 0},
    {"D2-leas", "(D)(2)", "general data", "Total number of participating LEAs.",
     M_LEAS, NULL, NULL, "number", "leas.csv (every district loaded counts as participating: participation is not collected)", false, 0, NULL, 0},
    {"D2-principals", "(D)(2)", "general data", "Total number of principals in participating LEAs.",
     M_STAFF, "PRINCIPAL", NULL, "number", "staff_assignments.csv: distinct staff_id with role PRINCIPAL in the year", false, 0, NULL, 0},
    {"D2-teachers", "(D)(2)", "general data", "Total number of teachers in participating LEAs.",
     M_STAFF, "TEACHER", NULL, "number", "staff_assignments.csv: distinct staff_id with role TEACHER in the year", false, 0, NULL, 0},
    {"D2-iii", "(D)(2)(iii)", "future data", "Number of teachers and principals in participating LEAs with qualifying evaluation systems who were evaluated as effective or better in the prior academic year.",
     M_EQUITY, "all_schools", NULL, "number", EQ_SRC("effective_or_better of TEACHER and PRINCIPAL, all_schools, ratings of the prior year"), false, EQ_GROUPS, "effective_or_better", 1},
    {"D2-iii-in", "(D)(2)(iii)", "future data", "Number of teachers and principals in participating LEAs with qualifying evaluation systems who were evaluated as ineffective in the prior academic year.",
     M_EQUITY, "all_schools", NULL, "number", EQ_SRC("ineffective of TEACHER and PRINCIPAL, all_schools, ratings of the prior year"), true, EQ_GROUPS, "ineffective", 1},
    {"D3-i-hp-t-he", "(D)(3)(i)", "goal", "Percentage of teachers in schools that are high-poverty, high-minority, or both (as defined in this notice) who are highly effective (as defined in this notice).",
     M_EQUITY, "high_poverty_or_minority", "TEACHER", "percent", EQ_SRC("highly_effective_pct of TEACHER, high_poverty_or_minority"), false, EQ_GROUPS, "highly_effective_pct", 0},
    {"D3-i-lp-t-he", "(D)(3)(i)", "goal", "Percentage of teachers in schools that are low-poverty, low-minority, or both (as defined in this notice) who are highly effective (as defined in this notice).",
     M_EQUITY, "low_poverty_or_minority", "TEACHER", "percent", EQ_SRC("highly_effective_pct of TEACHER, low_poverty_or_minority"), false, EQ_GROUPS, "highly_effective_pct", 0},
    {"D3-i-hp-t-in", "(D)(3)(i)", "goal", "Percentage of teachers in schools that are high-poverty, high-minority, or both (as defined in this notice) who are ineffective.",
     M_EQUITY, "high_poverty_or_minority", "TEACHER", "percent", EQ_SRC("ineffective_pct of TEACHER, high_poverty_or_minority"), true, EQ_GROUPS, "ineffective_pct", 0},
    {"D3-i-lp-t-in", "(D)(3)(i)", "goal", "Percentage of teachers in schools that are low-poverty, low-minority, or both (as defined in this notice) who are ineffective.",
     M_EQUITY, "low_poverty_or_minority", "TEACHER", "percent", EQ_SRC("ineffective_pct of TEACHER, low_poverty_or_minority"), true, EQ_GROUPS, "ineffective_pct", 0},
    {"D3-i-hp-p-he", "(D)(3)(i)", "goal", "Percentage of principals leading schools that are high-poverty, high-minority, or both (as defined in this notice) who are highly effective (as defined in this notice).",
     M_EQUITY, "high_poverty_or_minority", "PRINCIPAL", "percent", EQ_SRC("highly_effective_pct of PRINCIPAL, high_poverty_or_minority"), false, EQ_GROUPS, "highly_effective_pct", 0},
    {"D3-i-lp-p-he", "(D)(3)(i)", "goal", "Percentage of principals leading schools that are low-poverty, low-minority, or both (as defined in this notice) who are highly effective (as defined in this notice).",
     M_EQUITY, "low_poverty_or_minority", "PRINCIPAL", "percent", EQ_SRC("highly_effective_pct of PRINCIPAL, low_poverty_or_minority"), false, EQ_GROUPS, "highly_effective_pct", 0},
    {"D3-i-hp-p-in", "(D)(3)(i)", "goal", "Percentage of principals leading schools that are high-poverty, high-minority, or both (as defined in this notice) who are ineffective.",
     M_EQUITY, "high_poverty_or_minority", "PRINCIPAL", "percent", EQ_SRC("ineffective_pct of PRINCIPAL, high_poverty_or_minority"), true, EQ_GROUPS, "ineffective_pct", 0},
    {"D3-i-lp-p-in", "(D)(3)(i)", "goal", "Percentage of principals leading schools that are low-poverty, low-minority, or both (as defined in this notice) who are ineffective.",
     M_EQUITY, "low_poverty_or_minority", "PRINCIPAL", "percent", EQ_SRC("ineffective_pct of PRINCIPAL, low_poverty_or_minority"), true, EQ_GROUPS, "ineffective_pct", 0},
    {"D3-i-hp-schools", "(D)(3)(i)", "general data", "Total number of schools that are high-poverty, high-minority, or both (as defined in this notice).",
     M_SCHOOLS_QUART, "high", NULL, "number", "student_attributes.csv + enrollments.csv: schools in the state's highest quartile by share of economically disadvantaged or of minority (not WHITE) students", false, 0, NULL, 0},
    {"D3-i-lp-schools", "(D)(3)(i)", "general data", "Total number of schools that are low-poverty, low-minority, or both (as defined in this notice).",
     M_SCHOOLS_QUART, "low", NULL, "number", "as above, the lowest quartile", false, 0, NULL, 0},
    {"D3-i-hp-teachers", "(D)(3)(i)", "general data", "Total number of teachers in schools that are high-poverty, high-minority, or both (as defined in this notice).",
     M_STAFF_QUART, "TEACHER", "high", "number", "staff_assignments.csv (role TEACHER) in the schools counted above", false, 0, NULL, 0},
    {"D3-i-lp-teachers", "(D)(3)(i)", "general data", "Total number of teachers in schools that are low-poverty, low-minority, or both (as defined in this notice).",
     M_STAFF_QUART, "TEACHER", "low", "number", "staff_assignments.csv (role TEACHER) in the schools counted above", false, 0, NULL, 0},
    {"D3-i-hp-principals", "(D)(3)(i)", "general data", "Total number of principals leading schools that are high-poverty, high-minority, or both (as defined in this notice).",
     M_STAFF_QUART, "PRINCIPAL", "high", "number", "staff_assignments.csv (role PRINCIPAL) in the schools counted above", false, 0, NULL, 0},
    {"D3-i-lp-principals", "(D)(3)(i)", "general data", "Total number of principals leading schools that are low-poverty, low-minority, or both (as defined in this notice).",
     M_STAFF_QUART, "PRINCIPAL", "low", "number", "staff_assignments.csv (role PRINCIPAL) in the schools counted above", false, 0, NULL, 0},
    {"D3-i-hp-he-n", "(D)(3)(i)", "future data", "Number of teachers and principals in schools that are high-poverty, high-minority, or both (as defined in this notice) who were evaluated as highly effective (as defined in this notice) in the prior academic year.",
     M_EQUITY, "high_poverty_or_minority", NULL, "number", EQ_SRC("highly_effective of TEACHER and PRINCIPAL, high_poverty_or_minority, ratings of the prior year"), false, EQ_GROUPS, "highly_effective", 1},
    {"D3-i-hp-in-n", "(D)(3)(i)", "future data", "Number of teachers and principals in schools that are high-poverty, high-minority, or both (as defined in this notice) who were evaluated as ineffective in the prior academic year.",
     M_EQUITY, "high_poverty_or_minority", NULL, "number", EQ_SRC("ineffective of TEACHER and PRINCIPAL, high_poverty_or_minority, ratings of the prior year"), true, EQ_GROUPS, "ineffective", 1},
    {"D3-i-lp-he-n", "(D)(3)(i)", "future data", "Number of teachers and principals in schools that are low-poverty, low-minority, or both (as defined in this notice) who were evaluated as highly effective (as defined in this notice) in the prior academic year.",
     M_EQUITY, "low_poverty_or_minority", NULL, "number", EQ_SRC("highly_effective of TEACHER and PRINCIPAL, low_poverty_or_minority, ratings of the prior year"), false, EQ_GROUPS, "highly_effective", 1},
    {"D3-i-lp-in-n", "(D)(3)(i)", "future data", "Number of teachers and principals in schools that are low-poverty, low-minority, or both (as defined in this notice) who were evaluated as ineffective in the prior academic year.",
     M_EQUITY, "low_poverty_or_minority", NULL, "number", EQ_SRC("ineffective of TEACHER and PRINCIPAL, low_poverty_or_minority, ratings of the prior year"), true, EQ_GROUPS, "ineffective", 1},
    {"D3-ii-math", "(D)(3)(ii)", "goal", "Percentage of mathematics teachers who were evaluated as effective or better.",
     M_EQUITY, "MATH", "TEACHER", "percent", EQ_SRC("effective_or_better_pct of equity_subjects, MATH"), false, EQ_SUBJECTS, "effective_or_better_pct", 0},
    {"D3-ii-science", "(D)(3)(ii)", "goal", "Percentage of science teachers who were evaluated as effective or better.",
     M_EQUITY, "SCIENCE", "TEACHER", "percent", EQ_SRC("effective_or_better_pct of equity_subjects, SCIENCE"), false, EQ_SUBJECTS, "effective_or_better_pct", 0},
    {"D3-ii-sped", "(D)(3)(ii)", "goal", "Percentage of special education teachers who were evaluated as effective or better.",
     M_EQUITY, "SPECIAL_EDUCATION", "TEACHER", "percent", EQ_SRC("effective_or_better_pct of equity_subjects, SPECIAL_EDUCATION"), false, EQ_SUBJECTS, "effective_or_better_pct", 0},
    {"D3-ii-lie", "(D)(3)(ii)", "goal", "Percentage of teachers in language instruction educational programs who were evaluated as effective or better.",
     M_EQUITY, "ENGLISH_LEARNER", "TEACHER", "percent", EQ_SRC("effective_or_better_pct of equity_subjects, ENGLISH_LEARNER"), false, EQ_SUBJECTS, "effective_or_better_pct", 0},
    {"D3-ii-math-n", "(D)(3)(ii)", "general data", "Total number of mathematics teachers.",
     M_STAFF, "TEACHER", "MATH", "number", "staff_assignments.csv: role TEACHER, subject_area MATH", false, 0, NULL, 0},
    {"D3-ii-science-n", "(D)(3)(ii)", "general data", "Total number of science teachers.",
     M_STAFF, "TEACHER", "SCIENCE", "number", "staff_assignments.csv: role TEACHER, subject_area SCIENCE", false, 0, NULL, 0},
    {"D3-ii-sped-n", "(D)(3)(ii)", "general data", "Total number of special education teachers.",
     M_STAFF, "TEACHER", "SPECIAL_EDUCATION", "number", "staff_assignments.csv: role TEACHER, subject_area SPECIAL_EDUCATION", false, 0, NULL, 0},
    {"D3-ii-lie-n", "(D)(3)(ii)", "general data", "Total number of teachers in language instruction educational programs.",
     M_STAFF, "TEACHER", "ENGLISH_LEARNER", "number", "staff_assignments.csv: role TEACHER, subject_area ENGLISH_LEARNER", false, 0, NULL, 0},
    {"D3-ii-math-eff-n", "(D)(3)(ii)", "future data", "Number of mathematics teachers in participating LEAs who were evaluated as effective or better in the prior academic year.",
     M_EQUITY, "MATH", "TEACHER", "number", EQ_SRC("effective_or_better of equity_subjects, MATH, ratings of the prior year"), false, EQ_SUBJECTS, "effective_or_better", 1},
    {"D3-ii-science-eff-n", "(D)(3)(ii)", "future data", "Number of science teachers in participating LEAs who were evaluated as effective or better in the prior academic year.",
     M_EQUITY, "SCIENCE", "TEACHER", "number", EQ_SRC("effective_or_better of equity_subjects, SCIENCE, ratings of the prior year"), false, EQ_SUBJECTS, "effective_or_better", 1},
    {"D3-ii-sped-eff-n", "(D)(3)(ii)", "future data", "Number of special education teachers in participating LEAs who were evaluated as effective or better in the prior academic year.",
     M_EQUITY, "SPECIAL_EDUCATION", "TEACHER", "number", EQ_SRC("effective_or_better of equity_subjects, SPECIAL_EDUCATION, ratings of the prior year"), false, EQ_SUBJECTS, "effective_or_better", 1},
    {"D3-ii-lie-eff-n", "(D)(3)(ii)", "future data", "Number of teachers in language instruction educational programs in participating LEAs who were evaluated as effective or better in the prior academic year.",
     M_EQUITY, "ENGLISH_LEARNER", "TEACHER", "number", EQ_SRC("effective_or_better of equity_subjects, ENGLISH_LEARNER, ratings of the prior year"), false, EQ_SUBJECTS, "effective_or_better", 1},
    {"D4-teacher-programs", "(D)(4)", "goal", "Percentage of teacher preparation programs in the State for which the public can access data on the achievement and growth (as defined in this notice) of the graduates' students.",
     M_PREP, NULL, NULL, "percent", PREP_SRC("programs of prep_programs.csv whose teachers' students have an achievement and a growth figure (mean_sgp or value_added) published, of every program"), false, 0, "percent", 0},
    {"D4-principal-programs", "(D)(4)", "goal", "Percentage of principal preparation programs in the State for which the public can access data on the achievement and growth (as defined in this notice) of the graduates' students.",
     M_NONE, NULL, NULL, "percent", "not in the data contract (programs are not typed teacher/principal)", false, 0, NULL, 0},
    {"D4-teacher-programs-n", "(D)(4)", "general data", "Total number of teacher credentialing programs in the State.",
     M_PROGRAMS, NULL, NULL, "number", "prep_programs.csv: every program", false, 0, NULL, 0},
    {"D4-principal-programs-n", "(D)(4)", "general data", "Total number of principal credentialing programs in the State.",
     M_NONE, NULL, NULL, "number", "not in the data contract (programs are not typed teacher/principal)", false, 0, NULL, 0},
    {"D4-teachers", "(D)(4)", "general data", "Total number of teachers in the State.",
     M_STAFF, "TEACHER", NULL, "number", "staff_assignments.csv: distinct staff_id with role TEACHER in the year", false, 0, NULL, 0},
    {"D4-principals", "(D)(4)", "general data", "Total number of principals in the State.",
     M_STAFF, "PRINCIPAL", NULL, "number", "staff_assignments.csv: distinct staff_id with role PRINCIPAL in the year", false, 0, NULL, 0},
    {"D4-programs-reported", "(D)(4)", "future data", "Number of teacher credentialing programs in the State for which the information (as described in the criterion) is publicly reported.",
     M_PREP, NULL, NULL, "number", PREP_SRC("programs with an achievement and a growth figure published"), false, 0, "programs", 0},
    {"D4-teachers-reported", "(D)(4)", "future data", "Number of teachers in the State whose data are aggregated to produce publicly available reports on the State's credentialing programs.",
     M_PREP, NULL, NULL, "number", PREP_SRC("the new teachers (educators) of the programs counted above"), false, 0, "teachers", 0},
    {"E2", "(E)(2)", "goal", "The number of schools for which one of the four school intervention models (described in Appendix C) will be initiated each year.",
     M_INTERVENTIONS, NULL, NULL, "number", "interventions (slds interventions): schools with a TURNAROUND, RESTART, CLOSURE or TRANSFORMATION model for the year", false, 0, NULL, 0},
    {"A3-math", "(A)(3)(ii)", "state-proposed", "Percentage of students proficient in mathematics on the State assessment (all students).",
     M_PROFICIENCY, "MATH", NULL, "percent", "assessments.csv STATE tests: the achievement report's state row, all grades", false, 0, NULL, 0},
    {"A3-ela", "(A)(3)(ii)", "state-proposed", "Percentage of students proficient in reading/language arts on the State assessment (all students).",
     M_PROFICIENCY, "ELA", NULL, "percent", "assessments.csv STATE tests: the achievement report's state row, all grades", false, 0, NULL, 0},
    {"A3-math-gap", "(A)(3)(ii)", "state-proposed", "Achievement gap in mathematics: percentage proficient of students not economically disadvantaged minus that of economically disadvantaged students.",
     M_GAP, "MATH", NULL, "percentage points", "assessments.csv + student_attributes.csv: the achievement report's gap table", true, 0, NULL, 0},
    {"A3-ela-gap", "(A)(3)(ii)", "state-proposed", "Achievement gap in reading/language arts: percentage proficient of students not economically disadvantaged minus that of economically disadvantaged students.",
     M_GAP, "ELA", NULL, "percentage points", "assessments.csv + student_attributes.csv: the achievement report's gap table", true, 0, NULL, 0},
};
#define NMEASURES (sizeof measures / sizeof measures[0])

/* ------------------------------------------------------------ the figures */

static int count_query(slds_store *s, const char *sql, int year, const char *a1, const char *a2,
                       double *out, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s, sql, err);
    if (rc)
        return rc;
    int nparams = sqlite3_bind_parameter_count(c.stmt);
    if (nparams >= 1)
        slds_cursor_bind_int(&c, 1, year);
    if (nparams >= 2)
        slds_cursor_bind_text(&c, 2, a1);
    if (nparams >= 3)
        slds_cursor_bind_text(&c, 3, a2);
    int r = slds_cursor_step(&c, err);
    *out = r == 1 ? slds_cursor_double(&c, 0) : NAN;
    slds_cursor_close(&c);
    return r < 0 ? err->code : SLDS_OK;
}

/* The quartile figures of one year: schools in the highest (lowest)
 * quartile by share of economically disadvantaged students or by share of
 * minority (not WHITE) students enrolled in the year -- the top (bottom)
 * quarter of schools, rounded up, ties at the cut included -- and the
 * distinct teachers and principals assigned to them. Computed once a year. */
typedef struct quartiles {
    int year;
    bool done;
    double schools[2], teachers[2], principals[2]; /* [0] high, [1] low */
} quartiles;

typedef struct school_share {
    char id[72];
    double poverty, minority;
    bool set[2];
} school_share;

static int compute_quartiles(slds_store *s, quartiles *q, slds_error *err)
{
    /* the schools' shares and quartiles of the year: the definition equity
     * and funding use (schools.c), read in one merge pass */
    acct_schools sc;
    int rc = acct_schools_read(s, q->year, &sc, err);
    if (rc)
        return rc;
    *q = (quartiles){.year = q->year, .done = true};
    school_share *v = malloc((sc.n ? sc.n : 1) * sizeof *v);
    if (!v) {
        acct_schools_free(&sc);
        return slds_fail(err, SLDS_ERR_NOMEM, "performance-measures: out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < sc.n; i++) {
        const acct_school *x = &sc.v[i];
        if (!x->enrolled)
            continue;
        school_share *w = &v[n++];
        snprintf(w->id, sizeof w->id, "%s", x->id);
        w->poverty = x->poverty;
        w->minority = x->minority;
        w->set[0] = x->high_poverty || x->high_minority;
        w->set[1] = x->low_poverty || x->low_minority;
        q->schools[0] += w->set[0];
        q->schools[1] += w->set[1];
    }
    acct_schools_free(&sc);
    slds_cursor c;
    int r;
    /* distinct staff of each role in the schools of each set (schools in id order) */
    rc = slds_cursor_open(&c, s,
                          "SELECT staff_id, role, school_id FROM staff_assignments WHERE school_year = ?1"
                          " AND role IN ('TEACHER', 'PRINCIPAL') ORDER BY staff_id, role",
                          err);
    if (rc) {
        free(v);
        return rc;
    }
    slds_cursor_bind_int(&c, 1, q->year);
    char prev[128] = "", prev_role[32] = "";
    bool in[2] = {false, false};
    for (;;) {
        r = slds_cursor_step(&c, err);
        const char *id = r == 1 ? slds_cursor_text(&c, 0) : NULL, *role = r == 1 ? slds_cursor_text(&c, 1) : NULL;
        if (r != 1 || strcmp(id, prev) || strcmp(role, prev_role)) {
            double *to = !strcmp(prev_role, "TEACHER") ? q->teachers : q->principals;
            if (*prev)
                for (int k = 0; k < 2; k++)
                    to[k] += in[k];
            if (r != 1)
                break;
            snprintf(prev, sizeof prev, "%s", id);
            snprintf(prev_role, sizeof prev_role, "%s", role);
            in[0] = in[1] = false;
        }
        const char *school = slds_cursor_text(&c, 2);
        size_t lo = 0, hi = n; /* binary search: v is in school id order */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int cmp = strcmp(v[mid].id, school);
            if (!cmp) {
                lo = mid;
                break;
            }
            if (cmp < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && !strcmp(v[lo].id, school))
            for (int k = 0; k < 2; k++)
                in[k] = in[k] || v[lo].set[k];
    }
    slds_cursor_close(&c);
    free(v);
    return r < 0 ? err->code : SLDS_OK;
}

static int quartile_figure(slds_store *s, quartiles *cache, int year, const measure *m, double *out,
                           slds_error *err)
{
    quartiles *q = &cache[0];
    if (cache[0].done && cache[0].year != year)
        q = &cache[1];
    if (!q->done || q->year != year) {
        q->year = year;
        int rc = compute_quartiles(s, q, err);
        if (rc)
            return rc;
    }
    if (m->how == M_SCHOOLS_QUART)
        *out = q->schools[strcmp(m->arg1, "high") != 0];
    else
        *out = (!strcmp(m->arg1, "TEACHER") ? q->teachers : q->principals)[strcmp(m->arg2, "high") != 0];
    return SLDS_OK;
}

static int subject_index(const slds_account_cube *c, const char *subject)
{
    for (size_t i = 0; i < slds_account_cube_nsubjects(c); i++)
        if (!strcmp(slds_account_cube_subject(c, i), subject))
            return (int)i;
    return -1;
}

static int year_index(const slds_account_cube *c, int year)
{
    for (size_t i = 0; i < slds_account_cube_nyears(c); i++)
        if (slds_account_cube_year(c, i) == year)
            return (int)i;
    return -1;
}


/* The equity and preparation tables of one year, computed once a year and
 * kept for every measure that reads them (a year without ratings: none). */
#define EDU_CACHE 4
typedef struct educator_figures {
    int year;
    bool done, have_equity, have_prep;
    slds_account_tables equity, prep;
} educator_figures;

typedef struct figures_cache {
    quartiles quart[2];
    educator_figures edu[EDU_CACHE];
    size_t nedu;
} figures_cache;

static void figures_cache_free(figures_cache *c)
{
    for (size_t i = 0; i < c->nedu; i++) {
        slds_account_tables_free(&c->edu[i].equity);
        slds_account_tables_free(&c->edu[i].prep);
    }
}

/* Whether any educator of year has a stored rating (one keyed look-up, so a
 * year without ratings costs no equity run). */
static int ratings_exist(slds_store *s, int year, bool *yes, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s, "SELECT 1 FROM educator_results WHERE school_year = ?1 LIMIT 1", err);
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, year);
    int r = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    *yes = r == 1;
    return r < 0 ? err->code : SLDS_OK;
}

/* The equity (state level) and preparation tables of year; NOTFOUND from
 * either (no ratings, no new educators) leaves that one absent. */
static int educator_figures_of(slds_store *s, figures_cache *c, int year, educator_figures **out,
                               slds_error *err)
{
    for (size_t i = 0; i < c->nedu; i++)
        if (c->edu[i].year == year) {
            *out = &c->edu[i];
            return SLDS_OK;
        }
    if (c->nedu == EDU_CACHE) { /* never: at most the year, the baseline and the years before */
        figures_cache_free(c);
        c->nedu = 0;
    }
    educator_figures *f = &c->edu[c->nedu++];
    *f = (educator_figures){.year = year, .done = true};
    *out = f;
    bool rated;
    int rc = ratings_exist(s, year, &rated, err);
    if (rc || !rated)
        return rc;
    slds_account_equity_options eo;
    slds_account_equity_options_default(&eo);
    eo.year = year;
    eo.level = "state";
    eo.educators_only = true; /* the students' table is not a measure */
    rc = slds_account_equity(s, &eo, &f->equity, err);
    if (rc == SLDS_ERR_NOTFOUND)
        rc = SLDS_OK;
    else if (!rc)
        f->have_equity = true;
    if (rc)
        return rc;
    slds_account_preparation_options po;
    slds_account_preparation_options_default(&po);
    po.year = year;
    rc = slds_account_preparation(s, &po, &f->prep, err);
    if (rc == SLDS_ERR_NOTFOUND)
        return SLDS_OK;
    f->have_prep = !rc;
    return rc;
}

static const slds_table *find_table(const slds_account_tables *tabs, const char *name)
{
    for (size_t i = 0; i < tabs->n; i++)
        if (!strcmp(slds_table_name(tabs->t[i]), name))
            return tabs->t[i];
    return NULL;
}

static bool text_is(const slds_table *t, size_t row, int col, const char *want)
{
    const char *v = col >= 0 ? slds_table_text(t, row, col) : NULL;
    return v && !strcmp(v, want);
}

/* The state row's value of col for subgroup (and role; NULL: the sum over
 * the roles). NaN when no such row or the cell is blank. */
static double equity_value(const slds_table *t, const char *subgroup, const char *role, const char *col)
{
    if (!t)
        return NAN;
    int level = slds_table_find_column(t, "level"), sub = slds_table_find_column(t, "subgroup"),
        rl = slds_table_find_column(t, "role"), c = slds_table_find_column(t, col);
    if (c < 0)
        return NAN;
    double sum = NAN;
    for (size_t r = 0; r < slds_table_nrows(t); r++) {
        if (!text_is(t, r, level, "state") || !text_is(t, r, sub, subgroup) ||
            (role && !text_is(t, r, rl, role)))
            continue;
        double v = slds_table_real(t, r, c);
        if (isnan(v))
            continue;
        sum = isnan(sum) ? v : sum + v;
        if (role)
            break;
    }
    return sum;
}

/* (D)(4): the teacher programs whose graduates' students have an achievement
 * and a growth figure published (the preparation report shows figures only
 * for programs with at least its minimum of teachers); what: "programs",
 * "teachers" (their new teachers) or "percent" (of every program). */
static int prep_value(slds_store *s, const slds_table *t, const char *what, double *out, slds_error *err)
{
    *out = NAN;
    if (!t)
        return SLDS_OK;
    int level = slds_table_find_column(t, "level"), role = slds_table_find_column(t, "role"),
        ach = slds_table_find_column(t, "achievement"), sgp = slds_table_find_column(t, "mean_sgp"),
        vam = slds_table_find_column(t, "value_added"), n = slds_table_find_column(t, "educators");
    double programs = 0, teachers = 0;
    for (size_t r = 0; r < slds_table_nrows(t); r++) {
        if (!text_is(t, r, level, "program") || !text_is(t, r, role, "TEACHER") ||
            slds_table_is_blank(t, r, ach) || (slds_table_is_blank(t, r, sgp) && slds_table_is_blank(t, r, vam)))
            continue;
        programs++;
        teachers += slds_table_real(t, r, n);
    }
    if (!strcmp(what, "programs"))
        *out = programs;
    else if (!strcmp(what, "teachers"))
        *out = teachers;
    else {
        double all;
        int rc = count_query(s, "SELECT count(*) FROM prep_programs", 0, NULL, NULL, &all, err);
        if (rc)
            return rc;
        *out = all > 0 ? 100.0 * programs / all : NAN;
    }
    return SLDS_OK;
}

static double rate(const slds_account_counts *k)
{
    return k->tested ? 100.0 * k->proficient / k->tested : NAN;
}

/* The actual figure of measure m in year (NaN when the data has none). */
static int actual(slds_store *s, const slds_account_cube *cube, figures_cache *cache,
                  const measure *m, int year, double *out, slds_error *err)
{
    *out = NAN;
    switch (m->how) {
    case M_NONE: return SLDS_OK;
    case M_LEAS: return count_query(s, "SELECT count(*) FROM leas", year, NULL, NULL, out, err);
    case M_PROGRAMS: return count_query(s, "SELECT count(*) FROM prep_programs", year, NULL, NULL, out, err);
    case M_STAFF:
        return count_query(s,
                           "SELECT count(DISTINCT staff_id) FROM staff_assignments WHERE school_year = ?1"
                           " AND role = ?2 AND (?3 IS NULL OR subject_area = ?3)",
                           year, m->arg1, m->arg2, out, err);
    case M_SCHOOLS_QUART:
    case M_STAFF_QUART: return quartile_figure(s, cache->quart, year, m, out, err);
    case M_INTERVENTIONS:
        return count_query(s,
                           "SELECT count(*) FROM interventions WHERE school_year = ?1 AND upper(model) IN"
                           " ('TURNAROUND', 'RESTART', 'CLOSURE', 'TRANSFORMATION')",
                           year, NULL, NULL, out, err);
    case M_EQUITY:
    case M_PREP: {
        educator_figures *f;
        int rc = educator_figures_of(s, cache, year - m->prior, &f, err);
        if (rc)
            return rc;
        if (m->how == M_PREP)
            return prep_value(s, f->have_prep ? find_table(&f->prep, "preparation") : NULL, m->col, out, err);
        const slds_table *t = f->have_equity ? find_table(&f->equity, m->table == EQ_GROUPS ? "equity"
                                                                                   : "equity_subjects")
                                             : NULL;
        *out = equity_value(t, m->arg1, m->arg2, m->col);
        return SLDS_OK;
    }
    case M_PROFICIENCY:
    case M_GAP: {
        int sj = subject_index(cube, m->arg1), y = year_index(cube, year);
        if (sj < 0 || y < 0)
            return SLDS_OK;
        if (m->how == M_PROFICIENCY)
            *out = rate(slds_account_cube_cell(cube, (size_t)y, (size_t)sj, SLDS_LEVEL_STATE, 0, 0,
                                               SLDS_SUBGROUP_ALL));
        else
            *out = rate(slds_account_cube_cell(cube, (size_t)y, (size_t)sj, SLDS_LEVEL_STATE, 0, 0,
                                               SLDS_SUBGROUP_NOT_ECON)) -
                   rate(slds_account_cube_cell(cube, (size_t)y, (size_t)sj, SLDS_LEVEL_STATE, 0, 0,
                                               SLDS_SUBGROUP_ECON));
        return SLDS_OK;
    }
    }
    return SLDS_OK;
}

/* ---------------------------------------------------------------- targets */

typedef struct target {
    char id[64];
    int year;
    double value;
} target;

static int read_targets(const char *path, target **out, size_t *n, slds_error *err)
{
    *out = NULL;
    *n = 0;
    if (!path)
        return SLDS_OK;
    slds_csv *r;
    int rc = slds_csv_open(&r, path, err);
    if (rc)
        return rc;
    slds_csv_record rec;
    int got, col_id = -1, col_year = -1, col_target = -1;
    size_t cap = 0;
    bool header = true;
    while ((got = slds_csv_next(r, &rec, err)) == 1) {
        if (header) {
            for (int i = 0; i < rec.nfields; i++) {
                if (!strcmp(rec.fields[i], "measure_id"))
                    col_id = i;
                else if (!strcmp(rec.fields[i], "school_year"))
                    col_year = i;
                else if (!strcmp(rec.fields[i], "target"))
                    col_target = i;
            }
            header = false;
            if (col_id < 0 || col_year < 0 || col_target < 0) {
                rc = slds_fail(err, SLDS_ERR_DATA, "%s: line 1: the header needs measure_id, school_year and target",
                               path);
                break;
            }
            continue;
        }
        int maxcol = col_id > col_year ? col_id : col_year;
        maxcol = maxcol > col_target ? maxcol : col_target;
        if (rec.nfields <= maxcol) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld: %d fields, expected at least %d", path,
                           rec.line, rec.nfields, maxcol + 1);
            break;
        }
        char *end;
        const char *id = rec.fields[col_id];
        bool known = false;
        for (size_t k = 0; k < NMEASURES; k++)
            known = known || !strcmp(measures[k].id, id);
        if (!known) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld, column measure_id: no measure '%s' (see docs/reports/performance-measures.md)",
                           path, rec.line, id);
            break;
        }
        long year = strtol(rec.fields[col_year], &end, 10);
        if (!*rec.fields[col_year] || *end || year < 1900 || year > 2200) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld, column school_year: '%s' is not a year", path,
                           rec.line, rec.fields[col_year]);
            break;
        }
        double v = strtod(rec.fields[col_target], &end);
        if (!*rec.fields[col_target] || *end || !isfinite(v)) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld, column target: '%s' is not a number", path,
                           rec.line, rec.fields[col_target]);
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            target *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "performance-measures: out of memory");
                break;
            }
            *out = p;
        }
        target *t = &(*out)[(*n)++];
        snprintf(t->id, sizeof t->id, "%s", id);
        t->year = (int)year;
        t->value = v;
    }
    if (got < 0)
        rc = err->code;
    slds_csv_close(r);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static double find_target(const target *t, size_t n, const char *id, int year)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].year == year && !strcmp(t[i].id, id))
            return t[i].value;
    return NAN;
}

/* ----------------------------------------------------------------- report */

enum {
    P_LEVEL, P_GROUP, P_SUBGROUP, P_ID, P_CRITERION, P_KIND, P_MEASURE, P_UNIT, P_STATUS,
    P_SOURCE, P_BASE_YEAR, P_BASELINE, P_YEAR, P_TARGET, P_ACTUAL, P_MET, P_NCOLS
};

int slds_account_measures(slds_store *s, int year, int baseline_year, const char *targets_csv,
                          slds_account_cube_cache *cache, slds_account_tables *out, slds_error *err)
{
    target *targets;
    size_t ntargets;
    int rc = read_targets(targets_csv, &targets, &ntargets, err);
    if (rc)
        return rc;
    slds_account_cube *own = NULL;
    const slds_account_cube *cube;
    rc = cache ? slds_account_cube_cache_get(cache, s, &cube, err)
               : slds_account_cube_compute(s, NULL, 0, NULL, &own, err);
    if (own)
        cube = own;
    if (rc) {
        free(targets);
        return rc;
    }
    int base_year = baseline_year ? baseline_year
                    : slds_account_cube_nyears(cube) ? slds_account_cube_year(cube, 0)
                                                     : year;
    static const slds_column_spec cols[P_NCOLS] = {
        [P_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT},
        [P_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT},
        [P_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT},
        [P_ID] = {.name = "measure_id", .type = SLDS_CELL_TEXT},
        [P_CRITERION] = {.name = "criterion", .type = SLDS_CELL_TEXT},
        [P_KIND] = {.name = "kind", .type = SLDS_CELL_TEXT},
        [P_MEASURE] = {.name = "measure", .type = SLDS_CELL_TEXT},
        [P_UNIT] = {.name = "unit", .type = SLDS_CELL_TEXT},
        [P_STATUS] = {.name = "status", .type = SLDS_CELL_TEXT},
        [P_SOURCE] = {.name = "data", .type = SLDS_CELL_TEXT},
        [P_BASE_YEAR] = {.name = "baseline_year", .type = SLDS_CELL_INTEGER},
        [P_BASELINE] = {.name = "baseline", .type = SLDS_CELL_REAL, .decimals = SLDS_SIGNIFICANT(6)},
        [P_YEAR] = {.name = "school_year", .type = SLDS_CELL_INTEGER},
        [P_TARGET] = {.name = "target", .type = SLDS_CELL_REAL, .decimals = SLDS_SIGNIFICANT(6)},
        [P_ACTUAL] = {.name = "actual", .type = SLDS_CELL_REAL, .decimals = SLDS_SIGNIFICANT(6)},
        [P_MET] = {.name = "target_met", .type = SLDS_CELL_BOOLEAN},
    };
    figures_cache figures = {0};
    slds_table *t;
    rc = slds_table_new(&t, "performance_measures",
                        "Appendix A performance measures: baseline, target and actual", cols, P_NCOLS, err);
    for (size_t k = 0; !rc && k < NMEASURES; k++) {
        const measure *m = &measures[k];
        double base, act;
        rc = actual(s, cube, &figures, m, base_year, &base, err);
        rc = rc ? rc : actual(s, cube, &figures, m, year, &act, err);
        if (rc)
            break;
        double tgt = find_target(targets, ntargets, m->id, year);
        slds_table_add_row(t, err);
        slds_table_set_text(t, P_LEVEL, "state", err);
        slds_table_set_text(t, P_GROUP, "state", err);
        slds_table_set_text(t, P_SUBGROUP, "all", err);
        slds_table_set_text(t, P_ID, m->id, err);
        slds_table_set_text(t, P_CRITERION, m->criterion, err);
        slds_table_set_text(t, P_KIND, m->kind, err);
        slds_table_set_text(t, P_MEASURE, m->wording, err);
        slds_table_set_text(t, P_UNIT, m->unit, err);
        bool no_data = (m->how == M_EQUITY || m->how == M_PREP) && isnan(act);
        slds_table_set_text(t, P_STATUS,
                            m->how == M_NONE ? "cannot answer yet"
                            : no_data        ? "no figure: no rated educators in the group and year (slds educators run)"
                                             : "answered",
                            err);
        slds_table_set_text(t, P_SOURCE, m->source, err);
        if (m->how != M_NONE) {
            slds_table_set_integer(t, P_BASE_YEAR, base_year, err);
            slds_table_set_real(t, P_BASELINE, base, err);
            slds_table_set_integer(t, P_YEAR, year, err);
            slds_table_set_real(t, P_ACTUAL, act, err);
        }
        slds_table_set_real(t, P_TARGET, tgt, err);
        if (!isnan(tgt) && !isnan(act))
            slds_table_set_boolean(t, P_MET, m->lower_is_better ? act <= tgt : act >= tgt, err);
        rc = slds_table_status(t);
    }
    slds_account_cube_free(own);
    figures_cache_free(&figures);
    free(targets);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    return slds_account_tables_add(out, t, err);
}
