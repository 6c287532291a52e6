/* graduation.c - the four-year and five-year adjusted cohort graduation
 * rates (ACGR) of 34 CFR 200.19(b)(1) as the Race to the Top notice defines
 * "graduation rate", computed from enrollment spells (docs/reports/graduation.md).
 *
 * Design notes: the cohort rules as numbered invariants, each with its test
 * (tests/account/test_graduation.sh on tests/data/account/grad, golden file
 * tests/data/account/grad/expected.csv with how each number was computed;
 * G7 also in tests/account/test_graduation_truth.sh against the generator):
 *  G1. A student's cohort is fixed by his or her first spell in grades 9-12:
 *      cohort_year = school_year - (grade - 9). A first-time 9th grader joins
 *      the cohort of that year; a student who transfers in later in grade g
 *      joins the cohort of the students in grade g that year (test: students
 *      A01 first-time, A09 arrives in grade 10, A10 retained in grade 9 stays
 *      in the first cohort).
 *  G2. A student is removed from the cohort only on a documented exit: the
 *      last spell by the end of the horizon ends TRANSFER_OUT_OF_STATE,
 *      TRANSFER_PRIVATE, TRANSFER_HOME_SCHOOL, EMIGRATED or DECEASED
 *      (students A04-A06; a TRANSFER_IN_STATE with no later spell is not
 *      documented as leaving: A11 stays).
 *  G3. Only GRADUATED_REGULAR in a school year up to grad_year counts for
 *      the four-year rate (up to grad_year + 1 for the five-year rate);
 *      DROPOUT, EXPELLED, COMPLETED_OTHER and students still enrolled stay in
 *      the denominator (A02 dropout, A03 other completer, A07 still enrolled,
 *      A08 graduates in year 5: not a four-year graduate, a five-year one).
 *  G4. Status is taken at the end of the horizon: the last spell (by entry
 *      date) whose school year is at most grad_year (five-year: grad_year+1).
 *  G5. Each student is counted at the school and district of that last spell:
 *      the last school and district where he or she was in the cohort (A12
 *      moves from district L1 to L2 in grade 11 and counts only in L2).
 *  G6. Subgroups are the student's attributes in the first school year he or
 *      she was in the cohort (the cohort year, or the year of transfer in);
 *      a student without attributes that year is counted only in "all".
 *  G7. adjusted_cohort = first-time 9th graders + transfers in - removed;
 *      rate = graduates / adjusted_cohort; every level's rows add up to the
 *      state's (schools to districts to state), and on a synthetic state the
 *      counts equal the generator's truth exactly.
 * The data cannot show whether a student in grade 9 in the first loaded year
 * had been in grade 9 before: cohorts that begin before the first loaded year
 * are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "account/internal_a.h"

/* ------------------------------------------------------------ spells */

/* What a student's status is at the end of a horizon (G2, G3). */
enum { ST_NONE, ST_REMOVED, ST_GRADUATE, ST_DROPOUT, ST_OTHER, ST_ENROLLED };

static int classify_exit(const char *code)
{
    if (!code || !*code)
        return ST_ENROLLED;
    if (!strcmp(code, "GRADUATED_REGULAR"))
        return ST_GRADUATE;
    if (!strcmp(code, "TRANSFER_OUT_OF_STATE") || !strcmp(code, "TRANSFER_PRIVATE") ||
        !strcmp(code, "TRANSFER_HOME_SCHOOL") || !strcmp(code, "EMIGRATED") ||
        !strcmp(code, "DECEASED"))
        return ST_REMOVED;
    if (!strcmp(code, "DROPOUT") || !strcmp(code, "EXPELLED"))
        return ST_DROPOUT;
    if (!strcmp(code, "COMPLETED_OTHER"))
        return ST_OTHER;
    return ST_ENROLLED; /* PROMOTED, TRANSFER_IN_STATE: still in the system, not documented out */
}

typedef struct spell {
    int year, grade, status;
    char entry[11];
    uint32_t school, lea;
} spell;

static int by_entry(const void *a, const void *b)
{
    const spell *x = a, *y = b;
    int c = strcmp(x->entry, y->entry);
    return c ? c : x->year - y->year;
}

/* A cohort student of the report's cohort. */
typedef struct member {
    uint32_t id;           /* interned student id */
    int entry_year;        /* first year in the cohort (G6) */
    int status[2];         /* 4-year, 5-year */
    uint32_t school[2], lea[2];
    uint16_t groups;       /* bit per subgroup */
} member;

/* Counters of one horizon, in this order in acct_cell.v (5-year: + NK). */
enum { K_COHORT, K_GRADUATES, K_REMOVED, K_DROPOUTS, K_OTHER, K_ENROLLED, NK };

static void count_status(long long *k, int status)
{
    if (status == ST_REMOVED) {
        k[K_REMOVED]++;
        return;
    }
    k[K_COHORT]++;
    k[K_GRADUATES] += status == ST_GRADUATE;
    k[K_DROPOUTS] += status == ST_DROPOUT;
    k[K_OTHER] += status == ST_OTHER;
    k[K_ENROLLED] += status == ST_ENROLLED;
}

typedef struct counts {
    long long k[NK];
} counts;

/* The status at the end of school year horizon (G4) and where (G5). */
static int status_at(const spell *sp, size_t n, int horizon, uint32_t *school, uint32_t *lea)
{
    const spell *last = NULL;
    for (size_t i = 0; i < n; i++)
        if (sp[i].year <= horizon)
            last = &sp[i];
    if (!last)
        return ST_NONE;
    *school = last->school;
    *lea = last->lea;
    return last->status;
}

/* ------------------------------------------------------------ the run */

typedef struct grad_run {
    slds_store *s;
    int grad_year, cohort_year, first_year, last_year;
    bool have5;
    slds_intern students;  /* student ids of the members */
    slds_intern own_places, *places; /* school and district ids (own_places or the caller's) */
    acct_cells *by_school; /* acct_graduation_by_school: classes class_from.. at each school */
    int class_from, class_to;
    member *m;
    size_t nm, capm;
    counts *trend4, *trend5; /* per cohort year first_year..last_year */
} grad_run;

static int year_range(grad_run *r, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, r->s, "SELECT MIN(school_year), MAX(school_year) FROM enrollments", err))
        return err->code;
    int rc = slds_cursor_step(&c, err);
    if (rc == 1 && !slds_cursor_is_null(&c, 0)) {
        r->first_year = (int)slds_cursor_int(&c, 0);
        r->last_year = (int)slds_cursor_int(&c, 1);
    }
    slds_cursor_close(&c);
    if (rc < 0)
        return err->code;
    if (!r->last_year || r->grad_year > r->last_year)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "graduation: school year %d is not loaded (enrollments %d-%d)", r->grad_year,
                         r->first_year, r->last_year);
    if (r->cohort_year < r->first_year)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "graduation: the class of %d entered grade 9 in %d, before the first loaded "
                         "year %d (first-time 9th graders cannot be told apart)",
                         r->grad_year, r->cohort_year, r->first_year);
    r->have5 = r->grad_year + 1 <= r->last_year;
    return SLDS_OK;
}

/* One student's spells in grades 9-12 (sorted here): cohort, trend, member. */
static int take_student(grad_run *r, const char *id, spell *sp, size_t n, slds_error *err)
{
    qsort(sp, n, sizeof *sp, by_entry);
    int cy = sp[0].year - (sp[0].grade - 9); /* G1 */
    if (cy < r->first_year)
        return SLDS_OK;
    uint32_t school = 0, lea = 0;
    if (cy + 3 <= r->last_year)
        count_status(r->trend4[cy - r->first_year].k, status_at(sp, n, cy + 3, &school, &lea));
    if (cy + 4 <= r->last_year)
        count_status(r->trend5[cy - r->first_year].k, status_at(sp, n, cy + 4, &school, &lea));
    if (r->by_school && cy + 3 >= r->class_from && cy + 3 <= r->class_to && cy + 3 <= r->last_year) {
        int st = status_at(sp, n, cy + 3, &school, &lea);
        acct_cell *c = acct_cell_get(r->by_school, 2, school, cy + 3 - r->class_from);
        if (!c)
            return slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
        count_status(c->v, st);
    }
    if (cy != r->cohort_year)
        return SLDS_OK;
    if (r->nm == r->capm) {
        size_t cap = r->capm ? 2 * r->capm : 1024;
        member *m = realloc(r->m, cap * sizeof *m);
        if (!m)
            return slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
        r->m = m;
        r->capm = cap;
    }
    member *m = &r->m[r->nm];
    *m = (member){.entry_year = sp[0].year};
    m->id = slds_intern_add(&r->students, id, strlen(id));
    if (m->id == SLDS_NO_ID)
        return slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
    m->status[0] = status_at(sp, n, cy + 3, &m->school[0], &m->lea[0]);
    m->status[1] = r->have5 ? status_at(sp, n, cy + 4, &m->school[1], &m->lea[1]) : ST_NONE;
    r->nm++;
    return SLDS_OK;
}

static int read_spells(grad_run *r, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, r->s,
                         "SELECT e.student_id, e.school_year, e.grade_level, e.entry_date, e.exit_code,"
                         " e.school_id, s.lea_id FROM enrollments e JOIN schools s ON s.school_id = "
                         "e.school_id WHERE e.grade_level IN ('09','10','11','12') ORDER BY e.student_id",
                         err))
        return err->code;
    spell *sp = NULL;
    size_t n = 0, cap = 0;
    char current[72] = "";
    int rc = 0, step;
    while (!rc && (step = slds_cursor_step(&c, err)) == 1) {
        const char *id = slds_cursor_text(&c, 0);
        if (!id)
            continue;
        if (strcmp(id, current)) {
            if (n)
                rc = take_student(r, current, sp, n, err);
            n = 0;
            snprintf(current, sizeof current, "%s", id);
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            spell *g = realloc(sp, nc * sizeof *g);
            if (!g) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
                break;
            }
            sp = g;
            cap = nc;
        }
        spell *x = &sp[n++];
        const char *grade = slds_cursor_text(&c, 2), *entry = slds_cursor_text(&c, 3);
        const char *school = slds_cursor_text(&c, 5), *lea = slds_cursor_text(&c, 6);
        x->year = (int)slds_cursor_int(&c, 1);
        x->grade = grade ? atoi(grade) : 9;
        snprintf(x->entry, sizeof x->entry, "%s", entry ? entry : "");
        x->status = classify_exit(slds_cursor_text(&c, 4));
        x->school = slds_intern_add(r->places, school ? school : "", school ? strlen(school) : 0);
        x->lea = slds_intern_add(r->places, lea ? lea : "", lea ? strlen(lea) : 0);
        if (x->school == SLDS_NO_ID || x->lea == SLDS_NO_ID)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
    }
    if (!rc && step < 0)
        rc = err->code;
    if (!rc && n)
        rc = take_student(r, current, sp, n, err);
    free(sp);
    slds_cursor_close(&c);
    return rc;
}

/* G6: the subgroups of each member from the attributes of the entry year. */
static int read_groups(grad_run *r, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, r->s,
                         "SELECT race_ethnicity, econ_disadvantaged, disability, english_learner FROM "
                         "student_attributes WHERE student_id = ?1 AND school_year = ?2",
                         err))
        return err->code;
    int rc = 0;
    for (size_t i = 0; !rc && i < r->nm; i++) {
        member *m = &r->m[i];
        m->groups = 1u << SG_ALL;
        slds_cursor_reset(&c);
        slds_cursor_bind_text(&c, 1, slds_intern_str(&r->students, m->id));
        slds_cursor_bind_int(&c, 2, m->entry_year);
        int step = slds_cursor_step(&c, err);
        if (step < 0)
            rc = err->code;
        if (step != 1)
            continue;
        m->groups = acct_groups(slds_cursor_text(&c, 0), slds_cursor_text(&c, 1),
                                slds_cursor_text(&c, 2), slds_cursor_text(&c, 3));
    }
    slds_cursor_close(&c);
    return rc;
}

/* ------------------------------------------------------------ aggregation */

static int aggregate(grad_run *r, const slds_account_filter *f, acct_cells *cs, slds_error *err)
{
    for (size_t i = 0; i < r->nm; i++) {
        const member *m = &r->m[i];
        for (int h = 0; h < 2; h++) {
            if (m->status[h] == ST_NONE)
                continue;
            long long v[2 * NK] = {0};
            count_status(v + h * NK, m->status[h]);
            if (acct_cells_add(cs, f, m->groups, m->lea[h], m->school[h], v, 2 * NK, err))
                return err->code;
        }
    }
    acct_cells_sort(cs);
    return SLDS_OK;
}

/* ------------------------------------------------------------ tables */

static const slds_column_spec grad_cols[] = {
    {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "group_id", .type = SLDS_CELL_TEXT},
    {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "cohort_year", .type = SLDS_CELL_INTEGER, .unit = "school year of entering grade 9", .role = SLDS_ROLE_PARTITION},
    {.name = "adjusted_cohort", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_SIZE},
    {.name = "graduates", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "rate", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "graduates"},
    {.name = "adjusted_cohort_5yr", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "graduates_5yr", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "rate_5yr", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "graduates_5yr"},
    {.name = "removed", .type = SLDS_CELL_INTEGER, .unit = "students (transferred out, emigrated, died)", .role = SLDS_ROLE_COUNT},
    {.name = "dropouts", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "other_completers", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "still_enrolled", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT}};

static const slds_column_spec trend_cols[] = {
    {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "group_id", .type = SLDS_CELL_TEXT},
    {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "cohort_year", .type = SLDS_CELL_INTEGER, .unit = "school year of entering grade 9", .role = SLDS_ROLE_PARTITION},
    {.name = "graduation_year", .type = SLDS_CELL_INTEGER, .unit = "on-time school year"},
    {.name = "adjusted_cohort", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_SIZE},
    {.name = "graduates", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "rate", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "graduates"},
    {.name = "adjusted_cohort_5yr", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "graduates_5yr", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "rate_5yr", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "graduates_5yr"}};

#define NCOLS(a) ((int)(sizeof(a) / sizeof(a)[0]))

static int grad_table(grad_run *r, const acct_cells *cs, slds_table **out, slds_error *err)
{
    char title[96];
    snprintf(title, sizeof title, "Adjusted cohort graduation rate, class of %d", r->grad_year);
    int rc = slds_table_new(out, "graduation", title, grad_cols, NCOLS(grad_cols), err);
    for (size_t i = 0; !rc && i < cs->n; i++) {
        const acct_cell *c = &cs->c[i];
        const long long *k4 = c->v, *k5 = c->v + NK;
        slds_table *t = *out;
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, acct_level_names[c->level], err);
        slds_table_set_text(t, 1, c->name, err);
        slds_table_set_text(t, 2, acct_subgroup_names[c->subgroup], err);
        slds_table_set_integer(t, 3, r->cohort_year, err);
        slds_table_set_integer(t, 4, k4[K_COHORT], err);
        slds_table_set_integer(t, 5, k4[K_GRADUATES], err);
        slds_table_set_real(t, 6, acct_pct(k4[K_GRADUATES], k4[K_COHORT]), err);
        if (r->have5) {
            slds_table_set_integer(t, 7, k5[K_COHORT], err);
            slds_table_set_integer(t, 8, k5[K_GRADUATES], err);
            slds_table_set_real(t, 9, acct_pct(k5[K_GRADUATES], k5[K_COHORT]), err);
        }
        slds_table_set_integer(t, 10, k4[K_REMOVED], err);
        slds_table_set_integer(t, 11, k4[K_DROPOUTS], err);
        slds_table_set_integer(t, 12, k4[K_OTHER], err);
        slds_table_set_integer(t, 13, k4[K_ENROLLED], err);
        rc = slds_table_status(t);
    }
    return rc;
}

static int trend_table(grad_run *r, slds_table **out, slds_error *err)
{
    int rc = slds_table_new(out, "graduation_trend", "State graduation rate by cohort", trend_cols,
                            NCOLS(trend_cols), err);
    for (int cy = r->first_year; !rc && cy + 3 <= r->last_year; cy++) {
        const long long *k4 = r->trend4[cy - r->first_year].k, *k5 = r->trend5[cy - r->first_year].k;
        slds_table *t = *out;
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, "state", err);
        slds_table_set_text(t, 1, "STATE", err);
        slds_table_set_text(t, 2, "all", err);
        slds_table_set_integer(t, 3, cy, err);
        slds_table_set_integer(t, 4, cy + 3, err);
        slds_table_set_integer(t, 5, k4[K_COHORT], err);
        slds_table_set_integer(t, 6, k4[K_GRADUATES], err);
        slds_table_set_real(t, 7, acct_pct(k4[K_GRADUATES], k4[K_COHORT]), err);
        if (cy + 4 <= r->last_year) {
            slds_table_set_integer(t, 8, k5[K_COHORT], err);
            slds_table_set_integer(t, 9, k5[K_GRADUATES], err);
            slds_table_set_real(t, 10, acct_pct(k5[K_GRADUATES], k5[K_COHORT]), err);
        }
        rc = slds_table_status(t);
    }
    return rc;
}

static int grad_chart(grad_run *r, const acct_cells *cs, slds_buf *b)
{
    int years[64];
    double rates[64];
    size_t n = 0;
    for (int cy = r->first_year; cy + 3 <= r->last_year && n < 64; cy++, n++) {
        years[n] = cy + 3;
        const long long *k = r->trend4[cy - r->first_year].k;
        rates[n] = acct_pct(k[K_GRADUATES], k[K_COHORT]);
    }
    int rc = slds_account_line_chart(b, "State four-year graduation rate by class (percent)", years,
                                     rates, n, "%");
    const char *labels[ACCT_NSUBGROUPS];
    double values[ACCT_NSUBGROUPS];
    size_t nb = 0;
    for (size_t i = 0; i < cs->n && nb < ACCT_NSUBGROUPS; i++)
        if (cs->c[i].level == 0) {
            labels[nb] = acct_subgroup_names[cs->c[i].subgroup];
            values[nb++] = acct_pct(cs->c[i].v[K_GRADUATES], cs->c[i].v[K_COHORT]);
        }
    char title[96];
    snprintf(title, sizeof title, "Four-year graduation rate by subgroup, class of %d (percent)",
             r->grad_year);
    return rc ? rc : slds_account_bar_chart(b, title, labels, values, nb, "%");
}

int slds_account_graduation(slds_store *s, int grad_year, const slds_account_filter *f,
                            slds_account_tables *out, slds_buf *chart, slds_error *err)
{
    if (f && slds_account_filter_check(f, err))
        return err->code;
    grad_run r = {.s = s, .grad_year = grad_year, .cohort_year = grad_year - 3};
    r.places = &r.own_places;
    acct_cells cs = {.places = r.places};
    slds_table *t = NULL;
    int rc = year_range(&r, err);
    if (!rc) {
        size_t ny = (size_t)(r.last_year - r.first_year + 1);
        r.trend4 = calloc(ny, sizeof *r.trend4);
        r.trend5 = calloc(ny, sizeof *r.trend5);
        if (!r.trend4 || !r.trend5)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
    }
    rc = rc ? rc : read_spells(&r, err);
    rc = rc ? rc : read_groups(&r, err);
    rc = rc ? rc : aggregate(&r, f, &cs, err);
    rc = rc ? rc : grad_table(&r, &cs, &t, err);
    if (!rc) {
        rc = slds_account_tables_add(out, t, err);
        t = NULL;
    }
    rc = rc ? rc : trend_table(&r, &t, err);
    if (!rc) {
        rc = slds_account_tables_add(out, t, err);
        t = NULL;
    }
    if (!rc && chart && grad_chart(&r, &cs, chart))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
    slds_table_free(t);
    acct_cells_free(&cs);
    free(r.m);
    free(r.trend4);
    free(r.trend5);
    slds_intern_free(&r.students);
    slds_intern_free(&r.own_places);
    return rc;
}

int acct_graduation_by_school(slds_store *s, int class_from, int class_to, acct_cells *cs,
                              slds_intern *places, slds_error *err)
{
    grad_run r = {.s = s, .cohort_year = -1, .places = places, .by_school = cs,
                  .class_from = class_from, .class_to = class_to};
    cs->places = places;
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT MIN(school_year), MAX(school_year) FROM enrollments", err))
        return err->code;
    int rc = slds_cursor_step(&c, err);
    if (rc == 1 && !slds_cursor_is_null(&c, 0)) {
        r.first_year = (int)slds_cursor_int(&c, 0);
        r.last_year = (int)slds_cursor_int(&c, 1);
    }
    slds_cursor_close(&c);
    if (rc < 0)
        return err->code;
    if (!r.last_year)
        return SLDS_OK; /* no enrollments: no classes */
    size_t ny = (size_t)(r.last_year - r.first_year + 1);
    r.trend4 = calloc(ny, sizeof *r.trend4);
    r.trend5 = calloc(ny, sizeof *r.trend5);
    rc = r.trend4 && r.trend5 ? read_spells(&r, err) : slds_fail(err, SLDS_ERR_NOMEM, "graduation: out of memory");
    free(r.trend4);
    free(r.trend5);
    return rc;
}
