/* report_ews.c - the table of the registry's `early-warning` report
 * (src/report/report.c runs it; no dependency on the registry): of a year's stored
 * early-warning rows, the share of students with each ABC flag and at high
 * predicted risk, by school (or district) and subgroup, with the state. Every
 * column carries its privacy role, and the rows declare which add up to which
 * (the state to its schools, all students to the race groups and to the two
 * sides of economic disadvantage), so `--public` suppression protects them
 * (docs/report.md, docs/privacy.md). */
#include <stdlib.h>
#include <string.h>

#include "warn/internal.h"

#define RATE(COUNT_, RATE_)                                                                                   \
    {.name = COUNT_, .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},                \
    {.name = RATE_, .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1, .role = SLDS_ROLE_STATISTIC,   \
     .derives_from = COUNT_, .denominator = "students"}

static const slds_column_spec cols[] = {
    {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "group_id", .type = SLDS_CELL_TEXT},
    {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_SIZE},
    RATE("attendance", "attendance_rate"),
    RATE("behavior", "behavior_rate"),
    RATE("course", "course_rate"),
    RATE("gpa", "gpa_rate"),
    {.name = "grade9", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "off_track", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT,
     .sums_to = "grade9"},
    {.name = "off_track_rate", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1,
     .role = SLDS_ROLE_STATISTIC, .derives_from = "off_track", .denominator = "grade9"},
    RATE("any_flag", "any_flag_rate"),
    RATE("high_risk", "high_risk_rate"),
};
enum { NCOLS = sizeof cols / sizeof cols[0], NCOUNTS = 7 };

static const char *const subgroup_order[] = {"all", "HISPANIC", "AM_INDIAN", "ASIAN", "BLACK", "PACIFIC_ISLANDER",
                                             "WHITE", "TWO_OR_MORE", "ECON_DISADVANTAGED",
                                             "NOT_ECON_DISADVANTAGED", "DISABILITY", "ENGLISH_LEARNER"};
enum { NSUB = sizeof subgroup_order / sizeof subgroup_order[0] };

static const char query[] =
    "WITH w AS (SELECT w.*, a.race_ethnicity AS race, a.econ_disadvantaged AS econ, a.disability AS dis,"
    "  a.english_learner AS el FROM warn_students w LEFT JOIN student_attributes a"
    "  ON a.student_id = w.student_id AND a.school_year = w.school_year WHERE w.school_year = ?1),"
    " g AS (SELECT *, 'all' AS sg FROM w"
    "  UNION ALL SELECT *, race FROM w WHERE race IS NOT NULL"
    "  UNION ALL SELECT *, CASE econ WHEN 'Y' THEN 'ECON_DISADVANTAGED' ELSE 'NOT_ECON_DISADVANTAGED' END"
    "   FROM w WHERE econ IN ('Y', 'N')"
    "  UNION ALL SELECT *, 'DISABILITY' FROM w WHERE dis = 'Y'"
    "  UNION ALL SELECT *, 'ENGLISH_LEARNER' FROM w WHERE el = 'Y')"
    " SELECT CASE ?2 WHEN 'school' THEN COALESCE(school_id, '') WHEN 'district' THEN COALESCE(lea_id, '')"
    "  ELSE 'STATE' END AS grp, sg, COUNT(*), SUM(flag_attendance), SUM(flag_behavior), SUM(flag_course),"
    "  SUM(flag_gpa), SUM(grade = 9), SUM(COALESCE(flag_off_track, 0)),"
    "  SUM(flag_attendance + flag_behavior + flag_course + flag_gpa + COALESCE(flag_off_track, 0) > 0),"
    "  SUM(risk_level = 'high') FROM g GROUP BY grp, sg ORDER BY grp";

typedef struct agg_row {
    char group[64];
    int sub;
    long long n, c[NCOUNTS + 1];
} agg_row;

static int sub_index(const char *sg)
{
    for (int k = 0; k < NSUB; k++)
        if (!strcmp(subgroup_order[k], sg))
            return k;
    return -1;
}

static int by_group_sub(const void *a, const void *b)
{
    const agg_row *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    return c ? c : x->sub - y->sub;
}

static int read_level(slds_store *s, int year, const char *level, agg_row **rows, size_t *n, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s, query, err))
        return err->code;
    slds_cursor_bind_int(&c, 1, year);
    slds_cursor_bind_text(&c, 2, level);
    size_t cap = *n;
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        int sub = sub_index(slds_cursor_text(&c, 1));
        if (sub < 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            agg_row *v = realloc(*rows, cap * sizeof *v);
            if (!v) {
                slds_cursor_close(&c);
                return slds_fail(err, SLDS_ERR_NOMEM, "early-warning report: out of memory");
            }
            *rows = v;
        }
        agg_row *a = &(*rows)[(*n)++];
        memset(a, 0, sizeof *a);
        snprintf(a->group, sizeof a->group, "%s", slds_cursor_text(&c, 0));
        a->sub = sub;
        a->n = slds_cursor_int(&c, 2);
        for (int k = 0; k < 8; k++)
            a->c[k] = slds_cursor_int(&c, 3 + k);
    }
    slds_cursor_close(&c);
    return r < 0 ? err->code : SLDS_OK;
}

static void add_row(slds_table *t, const char *level, const agg_row *a, slds_error *err)
{
    slds_table_add_row(t, err);
    slds_table_set_text(t, 0, level, err);
    slds_table_set_text(t, 1, a->group, err);
    slds_table_set_text(t, 2, subgroup_order[a->sub], err);
    slds_table_set_integer(t, 3, a->n, err);
    /* c: attendance, behavior, course, gpa, grade9, off_track, any, high */
    static const int count_col[8] = {4, 6, 8, 10, 12, 13, 15, 17};
    for (int k = 0; k < 8; k++) {
        slds_table_set_integer(t, count_col[k], a->c[k], err);
        if (k == 4)
            continue;
        long long denom = k == 5 ? a->c[4] : a->n;
        if (denom > 0)
            slds_table_set_real(t, count_col[k] + 1, 100.0 * (double)a->c[k] / (double)denom, err);
    }
}

/* Declares totals over rows [first, last) of one level: all = sum of race
 * rows, all = sum of the two econ rows, within each group; state = sum of the
 * groups per subgroup. */
static int declare(slds_table *t, const agg_row *rows, size_t first, size_t last, size_t state_first,
                   size_t state_last, slds_error *err)
{
    int rc = SLDS_OK;
    size_t parts[4096];
    for (size_t i = first; i < last && !rc;) {
        size_t j = i;
        while (j < last && !strcmp(rows[j].group, rows[i].group))
            j++;
        size_t all = (size_t)-1, np = 0, ne = 0, econ[2];
        for (size_t k = i; k < j; k++) {
            if (rows[k].sub == 0)
                all = k;
            else if (rows[k].sub <= 7 && np < 4096)
                parts[np++] = k;
            else if (rows[k].sub <= 9)
                econ[ne++] = k;
        }
        if (all != (size_t)-1 && np)
            rc = slds_table_declare_total(t, all, parts, np, err);
        if (!rc && all != (size_t)-1 && ne == 2)
            rc = slds_table_declare_total(t, all, econ, 2, err);
        i = j;
    }
    for (int sub = 0; sub < NSUB && !rc && state_last > state_first; sub++) {
        size_t total = (size_t)-1, np = 0;
        for (size_t k = state_first; k < state_last; k++)
            if (rows[k].sub == sub)
                total = k;
        for (size_t k = first; k < last && np < 4096; k++)
            if (rows[k].sub == sub)
                parts[np++] = k;
        if (total != (size_t)-1 && np)
            rc = slds_table_declare_total(t, total, parts, np, err);
    }
    return rc;
}

int slds_warn_flag_rates(slds_store *s, int year, const char *level, slds_table **out, slds_error *err)
{
    *out = NULL;
    level = level ? level : "school";
    if (strcmp(level, "school") && strcmp(level, "district") && strcmp(level, "state"))
        return slds_fail(err, SLDS_ERR_USAGE, "--level '%s': expected school, district or state", level);
    slds_table *t = NULL;
    int rc = slds_warn_show(s, year, "", &t, err); /* checks that the year was run */
    slds_table_free(t);
    if (rc)
        return rc;
    agg_row *rows = NULL;
    size_t n = 0;
    rc = read_level(s, year, "state", &rows, &n, err);
    size_t n_state = n;
    if (!rc && strcmp(level, "state"))
        rc = read_level(s, year, level, &rows, &n, err);
    if (!rc) {
        qsort(rows, n_state, sizeof *rows, by_group_sub);
        qsort(rows + n_state, n - n_state, sizeof *rows, by_group_sub);
        rc = slds_table_new(&t, "early_warning", "Early-warning flags by group", cols, NCOLS, err);
    }
    for (size_t i = 0; !rc && i < n; i++)
        add_row(t, i < n_state ? "state" : level, &rows[i], err);
    rc = rc ? rc : slds_table_status(t);
    if (!rc)
        rc = declare(t, rows, 0, n_state, 0, 0, err);
    if (!rc && n > n_state)
        rc = declare(t, rows, n_state, n, 0, n_state, err);
    free(rows);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}
