/* achievement.c - the `achievement` report (docs/reports/achievement.md):
 * proficiency and participation by subject, grade, state/district/school
 * and subgroup for one year, the students not tested by reason, the gaps
 * between subgroups each year and their trend over the loaded years (the
 * notice's (A)(3)(ii) question: is the gap closing?). Built on the
 * achievement cube (proficiency.c); the tables declare their totals so
 * public-reporting suppression protects every cell along them. */
#include "account/account.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The gaps reported: a focal subgroup against its comparison group. */
static const struct {
    slds_account_subgroup focal, comparison;
} gap_pairs[] = {
    {SLDS_SUBGROUP_ECON, SLDS_SUBGROUP_NOT_ECON},
    {SLDS_SUBGROUP_SWD, SLDS_SUBGROUP_NOT_SWD},
    {SLDS_SUBGROUP_EL, SLDS_SUBGROUP_NOT_EL},
    {SLDS_SUBGROUP_HISPANIC, SLDS_SUBGROUP_WHITE},
    {SLDS_SUBGROUP_AM_INDIAN, SLDS_SUBGROUP_WHITE},
    {SLDS_SUBGROUP_ASIAN, SLDS_SUBGROUP_WHITE},
    {SLDS_SUBGROUP_BLACK, SLDS_SUBGROUP_WHITE},
    {SLDS_SUBGROUP_PACIFIC_ISLANDER, SLDS_SUBGROUP_WHITE},
    {SLDS_SUBGROUP_TWO_OR_MORE, SLDS_SUBGROUP_WHITE},
};
#define NPAIRS (sizeof gap_pairs / sizeof gap_pairs[0])

/* The subgroup families that partition all students (declared totals). */
static const int families[][8] = {
    {SLDS_SUBGROUP_ECON, SLDS_SUBGROUP_NOT_ECON, -1},
    {SLDS_SUBGROUP_HISPANIC, SLDS_SUBGROUP_AM_INDIAN, SLDS_SUBGROUP_ASIAN, SLDS_SUBGROUP_BLACK,
     SLDS_SUBGROUP_PACIFIC_ISLANDER, SLDS_SUBGROUP_WHITE, SLDS_SUBGROUP_TWO_OR_MORE, -1},
    {SLDS_SUBGROUP_SWD, SLDS_SUBGROUP_NOT_SWD, -1},
    {SLDS_SUBGROUP_EL, SLDS_SUBGROUP_NOT_EL, -1},
};

#define NO_ROW ((size_t)-1)

/* What the run asked for. */
typedef struct ask {
    int year;
    const char *subject, *level, *subgroup, *grade;
    size_t year_index;
} ask;

static bool level_wanted(const ask *a, slds_account_level l)
{
    return !a->level || !strcmp(a->level, slds_account_level_name(l));
}

static bool subgroup_wanted(const ask *a, int g)
{
    return !a->subgroup || !strcmp(a->subgroup, slds_account_subgroup_name((slds_account_subgroup)g));
}

static bool grade_wanted(const ask *a, int grade)
{
    return !a->grade || !strcmp(a->grade, slds_account_grade_name(grade));
}

static double percent(int32_t part, int32_t whole)
{
    return whole ? 100.0 * part / whole : NAN;
}

/* ------------------------------------------------------- the main table */

enum {
    C_LEVEL, C_GROUP, C_SUBGROUP, C_PARENT, C_YEAR, C_SUBJECT, C_GRADE, C_STUDENTS, C_TESTED,
    C_PARTICIPATION, C_NOT_TESTED, C_REASONS, /* one per reason */
    C_PROFICIENT = C_REASONS + SLDS_ACCOUNT_NREASONS, C_RATE, C_NCOLS
};

static int new_main_table(slds_table **t, slds_error *err)
{
    slds_column_spec cols[C_NCOLS] = {
        [C_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [C_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [C_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [C_PARENT] = {.name = "parent_id", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [C_YEAR] = {.name = "school_year", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_PARTITION},
        [C_SUBJECT] = {.name = "subject", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [C_GRADE] = {.name = "grade", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [C_STUDENTS] = {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students",
                        .role = SLDS_ROLE_SIZE},
        [C_TESTED] = {.name = "tested", .type = SLDS_CELL_INTEGER, .unit = "students",
                      .role = SLDS_ROLE_COUNT, .sums_to = "students"},
        [C_PARTICIPATION] = {.name = "participation_rate", .type = SLDS_CELL_REAL,
                             .unit = "percent", .decimals = 1, .role = SLDS_ROLE_STATISTIC,
                             .derives_from = "tested", .denominator = "students"},
        [C_NOT_TESTED] = {.name = "not_tested", .type = SLDS_CELL_INTEGER, .unit = "students",
                          .role = SLDS_ROLE_COUNT, .sums_to = "students"},
        [C_PROFICIENT] = {.name = "proficient", .type = SLDS_CELL_INTEGER, .unit = "students",
                          .role = SLDS_ROLE_COUNT},
        [C_RATE] = {.name = "proficiency_rate", .type = SLDS_CELL_REAL, .unit = "percent",
                    .decimals = 1, .role = SLDS_ROLE_STATISTIC, .derives_from = "proficient",
                    .denominator = "tested"},
    };
    static const char *const reason_cols[SLDS_ACCOUNT_NREASONS] = {
        "not_tested_absent", "not_tested_medical", "not_tested_parent_refusal",
        "not_tested_exempt_el", "not_tested_other"};
    for (int r = 0; r < SLDS_ACCOUNT_NREASONS; r++)
        cols[C_REASONS + r] = (slds_column_spec){.name = reason_cols[r], .type = SLDS_CELL_INTEGER,
                                                 .unit = "students", .role = SLDS_ROLE_COUNT,
                                                 .sums_to = "not_tested"};
    return slds_table_new(t, "achievement", "Proficiency and participation", cols, C_NCOLS, err);
}

typedef struct rows_index {
    size_t nunits, nsubjects;
    size_t *row; /* [subject][unit][grade][subgroup] -> table row or NO_ROW */
} rows_index;

static size_t *row_at(rows_index *x, size_t subj, size_t unit, int grade, int g)
{
    return &x->row[((subj * x->nunits + unit) * SLDS_ACCOUNT_NGRADES + (size_t)grade) *
                       SLDS_ACCOUNT_NSUBGROUPS +
                   (size_t)g];
}

/* Units in report order: state, districts, schools. */
static void unit_level(const slds_account_cube *c, size_t u, slds_account_level *l, size_t *i)
{
    size_t nleas = slds_account_cube_nunits(c, SLDS_LEVEL_LEA);
    if (u == 0) {
        *l = SLDS_LEVEL_STATE;
        *i = 0;
    } else if (u <= nleas) {
        *l = SLDS_LEVEL_LEA;
        *i = u - 1;
    } else {
        *l = SLDS_LEVEL_SCHOOL;
        *i = u - 1 - nleas;
    }
}

static int add_main_row(slds_table *t, const slds_account_cube *c, const ask *a, size_t subj,
                        slds_account_level l, size_t i, int grade, int g,
                        const slds_account_counts *k, slds_error *err)
{
    const char *parent = l == SLDS_LEVEL_STATE  ? ""
                         : l == SLDS_LEVEL_LEA ? "state"
                                               : slds_account_cube_unit_id(
                                                     c, SLDS_LEVEL_LEA,
                                                     slds_account_cube_school_lea(c, i));
    slds_table_add_row(t, err);
    slds_table_set_text(t, C_LEVEL, slds_account_level_name(l), err);
    slds_table_set_text(t, C_GROUP, slds_account_cube_unit_id(c, l, i), err);
    slds_table_set_text(t, C_SUBGROUP, slds_account_subgroup_name((slds_account_subgroup)g), err);
    slds_table_set_text(t, C_PARENT, parent, err);
    slds_table_set_integer(t, C_YEAR, a->year, err);
    slds_table_set_text(t, C_SUBJECT, slds_account_cube_subject(c, subj), err);
    slds_table_set_text(t, C_GRADE, slds_account_grade_name(grade), err);
    slds_table_set_integer(t, C_STUDENTS, k->students, err);
    slds_table_set_integer(t, C_TESTED, k->tested, err);
    slds_table_set_real(t, C_PARTICIPATION, percent(k->tested, k->students), err);
    int32_t nt = 0;
    for (int r = 0; r < SLDS_ACCOUNT_NREASONS; r++) {
        nt += k->not_tested[r];
        slds_table_set_integer(t, C_REASONS + r, k->not_tested[r], err);
    }
    slds_table_set_integer(t, C_NOT_TESTED, nt, err);
    slds_table_set_integer(t, C_PROFICIENT, k->proficient, err);
    slds_table_set_real(t, C_RATE, percent(k->proficient, k->tested), err);
    return slds_table_status(t);
}

/* Declares total = sum(parts) over the parts in the table (NO_ROW entries
 * are groups with nobody, or not asked for). parts is compacted in place. */
static int declare(slds_table *t, size_t total, size_t *parts, size_t n, slds_error *err)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (parts[i] != NO_ROW)
            parts[m++] = parts[i];
    if (!m)
        return SLDS_OK;
    return slds_table_declare_total(t, total == NO_ROW ? SLDS_TOTAL_ELSEWHERE : total, parts, m, err);
}

static int main_table(const slds_account_cube *c, const ask *a, slds_table **out, slds_error *err)
{
    size_t nleas = slds_account_cube_nunits(c, SLDS_LEVEL_LEA);
    size_t nschools = slds_account_cube_nunits(c, SLDS_LEVEL_SCHOOL);
    rows_index x = {.nunits = 1 + nleas + nschools, .nsubjects = slds_account_cube_nsubjects(c)};
    size_t ncells = x.nsubjects * x.nunits * SLDS_ACCOUNT_NGRADES * SLDS_ACCOUNT_NSUBGROUPS;
    x.row = malloc((ncells ? ncells : 1) * sizeof *x.row);
    slds_table *t = NULL;
    int rc = x.row ? new_main_table(&t, err) : slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
    for (size_t i = 0; !rc && i < ncells; i++)
        x.row[i] = NO_ROW;
    for (size_t s = 0; !rc && s < x.nsubjects; s++) {
        if (a->subject && strcmp(a->subject, slds_account_cube_subject(c, s)))
            continue;
        for (size_t u = 0; !rc && u < x.nunits; u++) {
            slds_account_level l;
            size_t i;
            unit_level(c, u, &l, &i);
            if (!level_wanted(a, l))
                continue;
            for (int grade = 0; !rc && grade < SLDS_ACCOUNT_NGRADES; grade++) {
                if (!grade_wanted(a, grade))
                    continue;
                for (int g = 0; !rc && g < SLDS_ACCOUNT_NSUBGROUPS; g++) {
                    const slds_account_counts *k = slds_account_cube_cell(
                        c, a->year_index, s, l, i, grade, (slds_account_subgroup)g);
                    if (!k->students || !subgroup_wanted(a, g))
                        continue;
                    *row_at(&x, s, u, grade, g) = slds_table_nrows(t);
                    rc = add_main_row(t, c, a, s, l, i, grade, g, k, err);
                }
            }
        }
    }
    /* Declared totals: subgroup families, grades, and the levels. */
    size_t parts[64];
    for (size_t s = 0; !rc && s < x.nsubjects; s++)
        for (size_t u = 0; !rc && u < x.nunits; u++)
            for (int grade = 0; !rc && grade < SLDS_ACCOUNT_NGRADES; grade++) {
                for (size_t f = 0; !rc && f < sizeof families / sizeof families[0]; f++) {
                    size_t n = 0;
                    for (int k = 0; families[f][k] >= 0; k++)
                        parts[n++] = *row_at(&x, s, u, grade, families[f][k]);
                    rc = declare(t, *row_at(&x, s, u, grade, SLDS_SUBGROUP_ALL), parts, n, err);
                }
                if (grade == 0)
                    for (int g = 0; !rc && g < SLDS_ACCOUNT_NSUBGROUPS; g++) {
                        size_t n = 0;
                        for (int gr = 1; gr < SLDS_ACCOUNT_NGRADES; gr++)
                            parts[n++] = *row_at(&x, s, u, gr, g);
                        rc = declare(t, *row_at(&x, s, u, 0, g), parts, n, err);
                    }
            }
    /* the schools of each district, grouped (first[l] .. first[l + 1]) */
    size_t *first = calloc(nleas + 2, sizeof *first), *by_lea = malloc((nschools + 1) * sizeof *by_lea);
    size_t *sp = malloc((nschools + nleas + 1) * sizeof *sp);
    if (!rc && (!first || !by_lea || !sp))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
    if (!rc) {
        for (size_t sc = 0; sc < nschools; sc++)
            first[slds_account_cube_school_lea(c, sc) + 2]++;
        for (size_t li = 0; li < nleas; li++)
            first[li + 2] += first[li + 1];
        for (size_t sc = 0; sc < nschools; sc++)
            by_lea[first[slds_account_cube_school_lea(c, sc) + 1]++] = sc;
    }
    for (size_t s = 0; !rc && s < x.nsubjects; s++)
        for (int grade = 0; !rc && grade < SLDS_ACCOUNT_NGRADES; grade++)
            for (int g = 0; !rc && g < SLDS_ACCOUNT_NSUBGROUPS; g++) {
                /* the state and its districts */
                size_t m = 0;
                for (size_t li = 0; li < nleas; li++)
                    sp[m++] = *row_at(&x, s, 1 + li, grade, g);
                rc = declare(t, *row_at(&x, s, 0, grade, g), sp, m, err);
                /* each district and its schools */
                for (size_t li = 0; !rc && li < nleas; li++) {
                    m = 0;
                    for (size_t k = first[li]; k < first[li + 1]; k++)
                        sp[m++] = *row_at(&x, s, 1 + nleas + by_lea[k], grade, g);
                    rc = declare(t, *row_at(&x, s, 1 + li, grade, g), sp, m, err);
                }
            }
    free(first);
    free(by_lea);
    free(sp);
    free(x.row);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

/* ------------------------------------------------------ gaps and trends */

enum {
    G_LEVEL, G_GROUP, G_SUBGROUP, G_COMPARISON, G_SUBJECT, G_YEAR, G_STUDENTS, G_RATE, G_CRATE,
    G_GAP, G_NCOLS
};

static int new_gap_table(slds_table **t, slds_error *err)
{
    static const slds_column_spec cols[G_NCOLS] = {
        [G_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [G_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [G_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [G_COMPARISON] = {.name = "comparison", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [G_SUBJECT] = {.name = "subject", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [G_YEAR] = {.name = "school_year", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_PARTITION},
        [G_STUDENTS] = {.name = "smaller_group_at_least", .type = SLDS_CELL_INTEGER,
                        .unit = "students", .role = SLDS_ROLE_SIZE},
        [G_RATE] = {.name = "proficiency_rate", .type = SLDS_CELL_REAL, .unit = "percent",
                    .decimals = 1, .role = SLDS_ROLE_STATISTIC,
                    .denominator = "smaller_group_at_least"},
        [G_CRATE] = {.name = "comparison_rate", .type = SLDS_CELL_REAL, .unit = "percent",
                     .decimals = 1, .role = SLDS_ROLE_STATISTIC,
                     .denominator = "smaller_group_at_least"},
        [G_GAP] = {.name = "gap", .type = SLDS_CELL_REAL, .unit = "percentage points",
                   .decimals = 1, .role = SLDS_ROLE_STATISTIC},
    };
    return slds_table_new(t, "achievement_gaps",
                          "Gaps: comparison group's proficiency rate minus the subgroup's", cols,
                          G_NCOLS, err);
}

enum {
    T_LEVEL, T_GROUP, T_SUBGROUP, T_COMPARISON, T_SUBJECT, T_FIRST, T_LAST, T_YEARS, T_STUDENTS,
    T_FIRST_GAP, T_LAST_GAP, T_CHANGE, T_SLOPE, T_VERDICT, T_NCOLS
};

static int new_trend_table(slds_table **t, slds_error *err)
{
    static const slds_column_spec cols[T_NCOLS] = {
        [T_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [T_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [T_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [T_COMPARISON] = {.name = "comparison", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [T_SUBJECT] = {.name = "subject", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        [T_FIRST] = {.name = "first_year", .type = SLDS_CELL_INTEGER},
        [T_LAST] = {.name = "last_year", .type = SLDS_CELL_INTEGER},
        [T_YEARS] = {.name = "years", .type = SLDS_CELL_INTEGER},
        [T_STUDENTS] = {.name = "smallest_group_at_least", .type = SLDS_CELL_INTEGER, .unit = "students",
                        .role = SLDS_ROLE_SIZE},
        [T_FIRST_GAP] = {.name = "first_gap", .type = SLDS_CELL_REAL, .unit = "percentage points",
                         .decimals = 1, .role = SLDS_ROLE_STATISTIC},
        [T_LAST_GAP] = {.name = "last_gap", .type = SLDS_CELL_REAL, .unit = "percentage points",
                        .decimals = 1, .role = SLDS_ROLE_STATISTIC},
        [T_CHANGE] = {.name = "change", .type = SLDS_CELL_REAL, .unit = "percentage points",
                      .decimals = 1, .role = SLDS_ROLE_STATISTIC},
        [T_SLOPE] = {.name = "slope_per_year", .type = SLDS_CELL_REAL,
                     .unit = "percentage points per year", .decimals = 2,
                     .role = SLDS_ROLE_STATISTIC},
        [T_VERDICT] = {.name = "trend", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_STATISTIC},
    };
    return slds_table_new(t, "achievement_gap_trends",
                          "Is the gap closing? Gap trend over the loaded years", cols, T_NCOLS, err);
}

static void set_labels(slds_table *t, const slds_account_cube *c, slds_account_level l, size_t i,
                       size_t pair, size_t subj, slds_error *err)
{
    slds_table_set_text(t, 0, slds_account_level_name(l), err);
    slds_table_set_text(t, 1, slds_account_cube_unit_id(c, l, i), err);
    slds_table_set_text(t, 2, slds_account_subgroup_name(gap_pairs[pair].focal), err);
    slds_table_set_text(t, 3, slds_account_subgroup_name(gap_pairs[pair].comparison), err);
    slds_table_set_text(t, 4, slds_account_cube_subject(c, subj), err);
}

/* A group size as published in the gap tables: below 10 as it is (it is
 * suppressed), else the floor of its band (10, 20, 40, 100, 300: the bands of
 * the range rule, docs/privacy.md). The exact tested counts are in the
 * achievement table, where the totals protect them; here they would let a
 * reader undo a complementary suppression made there. */
static int32_t at_least(int32_t n)
{
    static const int32_t floors[] = {300, 100, 40, 20, 10};
    for (size_t i = 0; i < sizeof floors / sizeof floors[0]; i++)
        if (n >= floors[i])
            return floors[i];
    return n;
}

static int gap_tables(const slds_account_cube *c, const ask *a, slds_table **gaps,
                      slds_table **trends, slds_error *err)
{
    int rc = new_gap_table(gaps, err);
    rc = rc ? rc : new_trend_table(trends, err);
    size_t nunits = 1 + slds_account_cube_nunits(c, SLDS_LEVEL_LEA) +
                    slds_account_cube_nunits(c, SLDS_LEVEL_SCHOOL);
    size_t ny = a->year_index + 1, nsubj = slds_account_cube_nsubjects(c);
    for (size_t s = 0; !rc && s < nsubj; s++) {
        if (a->subject && strcmp(a->subject, slds_account_cube_subject(c, s)))
            continue;
        for (size_t u = 0; !rc && u < nunits; u++) {
            slds_account_level l;
            size_t i;
            unit_level(c, u, &l, &i);
            if (!level_wanted(a, l))
                continue;
            for (size_t p = 0; !rc && p < NPAIRS; p++) {
                if (a->subgroup && !subgroup_wanted(a, gap_pairs[p].focal) &&
                    !subgroup_wanted(a, gap_pairs[p].comparison))
                    continue;
                /* least squares of gap on year over the years with both groups tested */
                double sx = 0, sy = 0, sxx = 0, sxy = 0, first_gap = NAN, last_gap = NAN;
                int n = 0, first = 0, last = 0;
                int32_t smallest = INT32_MAX;
                for (size_t y = 0; !rc && y < ny; y++) {
                    const slds_account_counts *f =
                        slds_account_cube_cell(c, y, s, l, i, 0, gap_pairs[p].focal);
                    const slds_account_counts *k =
                        slds_account_cube_cell(c, y, s, l, i, 0, gap_pairs[p].comparison);
                    if (!f->tested || !k->tested)
                        continue;
                    double rf = percent(f->proficient, f->tested),
                           rk = percent(k->proficient, k->tested), gap = rk - rf;
                    int32_t small = f->tested < k->tested ? f->tested : k->tested;
                    int year = slds_account_cube_year(c, y);
                    slds_table_add_row(*gaps, err);
                    set_labels(*gaps, c, l, i, p, s, err);
                    slds_table_set_integer(*gaps, G_YEAR, year, err);
                    slds_table_set_integer(*gaps, G_STUDENTS, at_least(small), err);
                    slds_table_set_real(*gaps, G_RATE, rf, err);
                    slds_table_set_real(*gaps, G_CRATE, rk, err);
                    slds_table_set_real(*gaps, G_GAP, gap, err);
                    rc = slds_table_status(*gaps);
                    if (!n) {
                        first = year;
                        first_gap = gap;
                    }
                    last = year;
                    last_gap = gap;
                    n++;
                    sx += year;
                    sy += gap;
                    sxx += (double)year * year;
                    sxy += year * gap;
                    if (small < smallest)
                        smallest = small;
                }
                if (rc || n < 2)
                    continue;
                double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx), change = last_gap - first_gap;
                const char *verdict = slope < 0 && change < 0   ? "closing"
                                      : slope > 0 && change > 0 ? "widening"
                                                                : "no clear change";
                slds_table_add_row(*trends, err);
                set_labels(*trends, c, l, i, p, s, err);
                slds_table_set_integer(*trends, T_FIRST, first, err);
                slds_table_set_integer(*trends, T_LAST, last, err);
                slds_table_set_integer(*trends, T_YEARS, n, err);
                slds_table_set_integer(*trends, T_STUDENTS, at_least(smallest), err);
                slds_table_set_real(*trends, T_FIRST_GAP, first_gap, err);
                slds_table_set_real(*trends, T_LAST_GAP, last_gap, err);
                slds_table_set_real(*trends, T_CHANGE, change, err);
                slds_table_set_real(*trends, T_SLOPE, slope, err);
                slds_table_set_text(*trends, T_VERDICT, verdict, err);
                rc = slds_table_status(*trends);
            }
        }
    }
    if (rc) {
        slds_table_free(*gaps);
        slds_table_free(*trends);
        *gaps = *trends = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- report */

int slds_account_achievement(slds_store *s, const slds_account_achievement_request *q,
                             slds_account_tables *out, slds_error *err)
{
    ask a = {.year = q->year, .subject = q->subject, .level = q->level, .subgroup = q->subgroup,
             .grade = q->grade};
    slds_account_options o = q->options;
    if (!o.test_type)
        o.test_type = "STATE";
    if (a.level && strcmp(a.level, "state") && strcmp(a.level, "lea") && strcmp(a.level, "school"))
        return slds_fail(err, SLDS_ERR_USAGE, "report achievement: --level is state, lea or school, not '%s'",
                         a.level);
    if (a.subgroup && slds_account_subgroup_find(a.subgroup) < 0)
        return slds_fail(err, SLDS_ERR_USAGE, "report achievement: no subgroup '%s'", a.subgroup);
    bool grade_ok = !a.grade;
    for (int g = 0; !grade_ok && g < SLDS_ACCOUNT_NGRADES; g++)
        grade_ok = !strcmp(a.grade, slds_account_grade_name(g));
    if (!grade_ok)
        return slds_fail(err, SLDS_ERR_USAGE, "report achievement: --grade is all, PK, KG or 01-12, not '%s'",
                         a.grade);
    if (o.proficient_level < 1 || o.proficient_level > 9)
        return slds_fail(err, SLDS_ERR_USAGE, "report achievement: --proficient-level is 1-9");
    slds_account_options dflt;
    slds_account_options_default(&dflt);
    bool shared = q->cache && o.proficient_level == dflt.proficient_level &&
                  !strcmp(o.test_type, dflt.test_type);
    slds_account_cube *own = NULL;
    const slds_account_cube *c;
    int rc = shared ? slds_account_cube_cache_get(q->cache, s, &c, err)
                    : slds_account_cube_compute(s, NULL, 0, &o, &own, err);
    if (rc)
        return rc;
    if (own)
        c = own;
    size_t ny = slds_account_cube_nyears(c);
    a.year_index = ny;
    for (size_t y = 0; y < ny; y++)
        if (slds_account_cube_year(c, y) == a.year)
            a.year_index = y;
    if (a.year_index == ny) {
        slds_account_cube_free(own);
        return slds_fail(err, SLDS_ERR_NOTFOUND, "report achievement: no %s test results for %d",
                         o.test_type, a.year);
    }
    slds_table *main = NULL, *gaps = NULL, *trends = NULL;
    rc = main_table(c, &a, &main, err);
    rc = rc ? rc : gap_tables(c, &a, &gaps, &trends, err);
    slds_account_cube_free(own);
    if (rc) {
        slds_table_free(main);
        return rc;
    }
    rc = slds_account_tables_add(out, main, err);
    if (rc) {
        slds_table_free(gaps);
        slds_table_free(trends);
        return rc;
    }
    rc = slds_account_tables_add(out, gaps, err);
    if (rc) {
        slds_table_free(trends);
        return rc;
    }
    return slds_account_tables_add(out, trends, err);
}
