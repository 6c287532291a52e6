/* equity.c - the `equity` report (docs/reports/equity.md), criterion (D)(3)
 * of the notice: the distribution of highly effective, effective and
 * ineffective teachers and principals between high- and low-poverty and
 * high- and low-minority schools ((D)(3)(i)), effective teachers in
 * mathematics, science, special education and language instruction
 * ((D)(3)(ii)), and the same seen from students: the share of economically
 * disadvantaged (minority) students taught by an ineffective teacher against
 * the others. Ratings are those `slds educators run` stored in
 * educator_results (the combined row, subject blank, of each educator).
 *
 * Invariants (tests/account/test_equity.sh, NOTES.md of
 * tests/data/account/equity computes every figure):
 *  E1. School groups of year Y: the quartiles of schools.c (Q1-Q2) by
 *      poverty and by minority share; "high-poverty, high-minority, or
 *      both" (the notice's wording) is the union of the two highest
 *      quartiles, "low-poverty, low-minority, or both" the union of the two
 *      lowest.
 *  E2. An educator counts once in a group when assigned (staff_assignments
 *      of Y, role TEACHER or PRINCIPAL) to at least one of its schools; a
 *      district's rows count its schools only.
 *  E3. Categories come from the rating's label: highly effective, effective
 *      or better, ineffective (configurable lists); an educator with no
 *      rating, or NOT RATED, counts in `educators` but not in `rated`, the
 *      denominator of every percentage.
 *  E4. (D)(3)(ii): teachers by subject_area of their TEACHER assignments of
 *      Y (a teacher of two areas counts in both).
 *  E5. Students: the students with a roster link in Y to a rated teacher;
 *      taught by an ineffective (highly effective) teacher when at least one
 *      of those teachers is; subgroups from student_attributes of Y
 *      (minority: a race other than WHITE).
 *  E6. Gaps (state): focus group's percentage minus the comparison group's,
 *      with the smaller group's size floored to its band (10, 20, 40, 100,
 *      300) so the gap table cannot undo a suppression of the main table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account/internal_a.h"

void slds_account_equity_options_default(slds_account_equity_options *o)
{
    *o = (slds_account_equity_options){
        .highly_effective = "Highly Effective,Significantly Above Expectations",
        .effective = ACCT_EFFECTIVE_LABELS,
        .ineffective = "Ineffective,Significantly Below Expectations"};
}

enum { CAT_RATED = 1, CAT_HE = 2, CAT_EFF = 4, CAT_INEFF = 8 };
enum { ROLE_TEACHER, ROLE_PRINCIPAL, NROLES };
static const char *const role_codes[NROLES] = {"TEACHER", "PRINCIPAL"};

/* School groups (E1). */
enum { G_ALL, G_HP, G_LP, G_HM, G_LM, G_HPM, G_LPM, NGROUPS };
static const char *const group_names[NGROUPS] = {
    "all_schools", "high_poverty", "low_poverty", "high_minority", "low_minority",
    "high_poverty_or_minority", "low_poverty_or_minority"};

static unsigned school_groups(const acct_school *x)
{
    unsigned g = 1u << G_ALL;
    g |= (unsigned)x->high_poverty << G_HP | (unsigned)x->low_poverty << G_LP |
         (unsigned)x->high_minority << G_HM | (unsigned)x->low_minority << G_LM;
    g |= (unsigned)(x->high_poverty || x->high_minority) << G_HPM;
    g |= (unsigned)(x->low_poverty || x->low_minority) << G_LPM;
    return g;
}

/* Subject areas (E4). */
static const char *const areas[] = {"MATH", "SCIENCE", "SPECIAL_EDUCATION", "ENGLISH_LEARNER", "ELA",
                                    "OTHER"};
#define NAREAS 6

typedef struct educator {
    uint32_t staff;  /* intern id */
    int role;
    unsigned cat;    /* CAT_* */
    unsigned groups; /* statewide groups of its schools (E2) */
    unsigned areas;  /* subject areas (E4) */
    uint32_t *leas;  /* districts (index into sc.leas) and their groups */
    unsigned *lea_groups;
    size_t nleas;
} educator;

typedef struct equity_run {
    const slds_account_equity_options *o;
    acct_schools sc;
    slds_intern staff;
    slds_map64 index; /* (staff << 1 | role) -> educator index + 1 */
    educator *e;
    size_t n, cap;
} equity_run;

static educator *educator_get(equity_run *r, const char *staff, int role, slds_error *err)
{
    uint32_t id = slds_intern_add(&r->staff, staff, strlen(staff));
    if (id == SLDS_NO_ID)
        goto nomem;
    uint64_t key = (uint64_t)id << 1 | (uint64_t)role;
    uint32_t v;
    if (slds_map64_get(&r->index, key, &v))
        return &r->e[v - 1];
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        educator *p = realloc(r->e, cap * sizeof *p);
        if (!p)
            goto nomem;
        r->e = p;
        r->cap = cap;
    }
    if (!slds_map64_put(&r->index, key, (uint32_t)r->n + 1))
        goto nomem;
    educator *x = &r->e[r->n++];
    *x = (educator){.staff = id, .role = role};
    return x;
nomem:
    slds_fail(err, SLDS_ERR_NOMEM, "report equity: out of memory");
    return NULL;
}

static int role_of(const char *code)
{
    return code && !strcmp(code, "PRINCIPAL") ? ROLE_PRINCIPAL
           : code && !strcmp(code, "TEACHER") ? ROLE_TEACHER
                                              : -1;
}

static unsigned category(const slds_account_equity_options *o, const char *rating)
{
    if (!rating || !*rating || !strcasecmp(rating, "NOT RATED"))
        return 0;
    unsigned c = CAT_RATED;
    if (acct_label_in_list(o->highly_effective, rating))
        c |= CAT_HE;
    if (acct_label_in_list(o->effective, rating))
        c |= CAT_EFF;
    if (acct_label_in_list(o->ineffective, rating))
        c |= CAT_INEFF;
    return c;
}

static int read_assignments(slds_store *s, equity_run *r, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s,
                              "SELECT staff_id, role, school_id, subject_area FROM staff_assignments"
                              " WHERE school_year = ?1 AND role IN ('TEACHER', 'PRINCIPAL')",
                              err);
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, r->o->year);
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        const char *staff = slds_cursor_text(&c, 0), *school = slds_cursor_text(&c, 2),
                   *area = slds_cursor_text(&c, 3);
        int role = role_of(slds_cursor_text(&c, 1));
        const acct_school *x = school ? acct_schools_find(&r->sc, school) : NULL;
        if (!staff || role < 0 || !x)
            continue;
        educator *e = educator_get(r, staff, role, err);
        if (!e) {
            slds_cursor_close(&c);
            return err->code;
        }
        unsigned g = school_groups(x);
        e->groups |= g;
        for (int k = 0; role == ROLE_TEACHER && area && k < NAREAS; k++)
            if (!strcmp(area, areas[k]))
                e->areas |= 1u << k;
        acct_lea *l = acct_leas_find(&r->sc, x->lea);
        if (l) {
            uint32_t li = (uint32_t)(l - r->sc.leas);
            size_t k = 0;
            while (k < e->nleas && e->leas[k] != li)
                k++;
            if (k == e->nleas) {
                uint32_t *pl = realloc(e->leas, (e->nleas + 1) * sizeof *pl);
                unsigned *pg = pl ? realloc(e->lea_groups, (e->nleas + 1) * sizeof *pg) : NULL;
                if (pl)
                    e->leas = pl;
                if (!pg) {
                    slds_cursor_close(&c);
                    return slds_fail(err, SLDS_ERR_NOMEM, "report equity: out of memory");
                }
                e->lea_groups = pg;
                e->leas[k] = li;
                e->lea_groups[k] = 0;
                e->nleas++;
            }
            e->lea_groups[k] |= g;
        }
    }
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

/* E3: the rating of each educator's combined row (subject blank). */
static int read_ratings(slds_store *s, equity_run *r, size_t *rated, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT staff_id, role, rating FROM educator_results"
                         " WHERE school_year = ?1 AND subject = ''",
                         err)) {
        if (!strstr(err->message, "no such table"))
            return err->code;
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "report equity: no educator ratings in this database (slds educators run)");
    }
    slds_cursor_bind_int(&c, 1, r->o->year);
    int step;
    *rated = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        const char *staff = slds_cursor_text(&c, 0);
        int role = role_of(slds_cursor_text(&c, 1));
        if (!staff || role < 0)
            continue;
        uint32_t id = slds_intern_find(&r->staff, staff, strlen(staff));
        uint32_t v;
        if (id == SLDS_NO_ID || !slds_map64_get(&r->index, (uint64_t)id << 1 | (uint64_t)role, &v))
            continue; /* rated but not assigned to a school in Y */
        r->e[v - 1].cat = category(r->o, slds_cursor_text(&c, 2));
        *rated += (r->e[v - 1].cat & CAT_RATED) != 0;
    }
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

typedef struct tally {
    long long schools, educators, rated, he, eff, ineff;
} tally;

static void tally_add(tally *t, unsigned cat)
{
    t->educators++;
    if (!(cat & CAT_RATED))
        return;
    t->rated++;
    t->he += (cat & CAT_HE) != 0;
    t->eff += (cat & CAT_EFF) != 0;
    t->ineff += (cat & CAT_INEFF) != 0;
}

/* ---------------------------------------------------------------- tables */

enum {
    Q_LEVEL, Q_GROUP, Q_SUBGROUP, Q_ROLE, Q_SCHOOLS, Q_EDUCATORS, Q_RATED, Q_HE, Q_HE_PCT, Q_EFF,
    Q_EFF_PCT, Q_INEFF, Q_INEFF_PCT, Q_NCOLS
};

static const slds_column_spec q_cols[Q_NCOLS] = {
    [Q_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    [Q_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT},
    [Q_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    [Q_ROLE] = {.name = "role", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    [Q_SCHOOLS] = {.name = "schools", .type = SLDS_CELL_INTEGER, .unit = "schools"},
    [Q_EDUCATORS] = {.name = "educators", .type = SLDS_CELL_INTEGER, .unit = "teachers or principals assigned"},
    [Q_RATED] = {.name = "rated", .type = SLDS_CELL_INTEGER, .unit = "with a rating", .role = SLDS_ROLE_SIZE},
    [Q_HE] = {.name = "highly_effective", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
    [Q_HE_PCT] = {.name = "highly_effective_pct", .type = SLDS_CELL_REAL, .unit = "percent of rated",
                  .decimals = 1, .role = SLDS_ROLE_STATISTIC, .derives_from = "highly_effective",
                  .denominator = "rated"},
    [Q_EFF] = {.name = "effective_or_better", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
    [Q_EFF_PCT] = {.name = "effective_or_better_pct", .type = SLDS_CELL_REAL, .unit = "percent of rated",
                   .decimals = 1, .role = SLDS_ROLE_STATISTIC, .derives_from = "effective_or_better",
                   .denominator = "rated"},
    [Q_INEFF] = {.name = "ineffective", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
    [Q_INEFF_PCT] = {.name = "ineffective_pct", .type = SLDS_CELL_REAL, .unit = "percent of rated",
                     .decimals = 1, .role = SLDS_ROLE_STATISTIC, .derives_from = "ineffective",
                     .denominator = "rated"},
};

static void q_row(slds_table *t, const char *level, const char *group, const char *subgroup,
                  const char *role, long long schools, const tally *k, slds_error *err)
{
    slds_table_add_row(t, err);
    slds_table_set_text(t, Q_LEVEL, level, err);
    slds_table_set_text(t, Q_GROUP, group, err);
    slds_table_set_text(t, Q_SUBGROUP, subgroup, err);
    slds_table_set_text(t, Q_ROLE, role, err);
    if (schools >= 0)
        slds_table_set_integer(t, Q_SCHOOLS, schools, err);
    slds_table_set_integer(t, Q_EDUCATORS, k->educators, err);
    slds_table_set_integer(t, Q_RATED, k->rated, err);
    slds_table_set_integer(t, Q_HE, k->he, err);
    slds_table_set_real(t, Q_HE_PCT, acct_pct(k->he, k->rated), err);
    slds_table_set_integer(t, Q_EFF, k->eff, err);
    slds_table_set_real(t, Q_EFF_PCT, acct_pct(k->eff, k->rated), err);
    slds_table_set_integer(t, Q_INEFF, k->ineff, err);
    slds_table_set_real(t, Q_INEFF_PCT, acct_pct(k->ineff, k->rated), err);
}

static bool level_wanted(const equity_run *r, const char *level)
{
    return !r->o->level || !strcmp(r->o->level, level);
}

/* (D)(3)(i): by school group and role, the state and each district. */
static int groups_table(equity_run *r, tally state[NROLES][NGROUPS], slds_table **out,
                        slds_error *err)
{
    char title[128];
    snprintf(title, sizeof title, "(D)(3)(i): effective teachers and principals by school poverty and minority, %d",
             r->o->year);
    int rc = slds_table_new(out, "equity", title, q_cols, Q_NCOLS, err);
    slds_table *t = *out;
    long long schools[NGROUPS] = {0};
    for (size_t i = 0; i < r->sc.n; i++)
        if (r->sc.v[i].enrolled)
            for (int g = 0; g < NGROUPS; g++)
                schools[g] += (school_groups(&r->sc.v[i]) >> g) & 1;
    for (size_t i = 0; i < r->n; i++)
        for (int g = 0; g < NGROUPS; g++)
            if ((r->e[i].groups >> g) & 1)
                tally_add(&state[r->e[i].role][g], r->e[i].cat);
    for (int role = 0; !rc && level_wanted(r, "state") && role < NROLES; role++)
        for (int g = 0; !rc && g < NGROUPS; g++) {
            q_row(t, "state", "state", group_names[g], role_codes[role], schools[g], &state[role][g], err);
            rc = slds_table_status(t);
        }
    if (rc || !level_wanted(r, "lea"))
        return rc;
    /* districts: tallies [lea][role][group] */
    size_t nl = r->sc.nleas;
    tally *lt = calloc(nl ? nl * NROLES * NGROUPS : 1, sizeof *lt);
    long long *ls = calloc(nl ? nl * NGROUPS : 1, sizeof *ls);
    if (!lt || !ls) {
        free(lt);
        free(ls);
        return slds_fail(err, SLDS_ERR_NOMEM, "report equity: out of memory");
    }
    for (size_t i = 0; i < r->sc.n; i++) {
        const acct_school *x = &r->sc.v[i];
        acct_lea *l = acct_leas_find(&r->sc, x->lea);
        if (!l || !x->enrolled)
            continue;
        for (int g = 0; g < NGROUPS; g++)
            ls[(size_t)(l - r->sc.leas) * NGROUPS + (size_t)g] += (school_groups(x) >> g) & 1;
    }
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->e[i].nleas; k++)
            for (int g = 0; g < NGROUPS; g++)
                if ((r->e[i].lea_groups[k] >> g) & 1)
                    tally_add(&lt[((size_t)r->e[i].leas[k] * NROLES + (size_t)r->e[i].role) * NGROUPS + (size_t)g],
                              r->e[i].cat);
    for (size_t l = 0; !rc && l < nl; l++)
        for (int role = 0; !rc && role < NROLES; role++)
            for (int g = 0; !rc && g < NGROUPS; g++) {
                const tally *k = &lt[(l * NROLES + (size_t)role) * NGROUPS + (size_t)g];
                if (!lt[(l * NROLES + (size_t)role) * NGROUPS + G_ALL].educators)
                    continue;
                q_row(t, "lea", r->sc.leas[l].id, group_names[g], role_codes[role],
                      ls[l * NGROUPS + (size_t)g], k, err);
                rc = slds_table_status(t);
            }
    free(lt);
    free(ls);
    return rc;
}

/* (D)(3)(ii): teachers by subject area. */
static int areas_table(equity_run *r, slds_table **out, slds_error *err)
{
    char title[128];
    snprintf(title, sizeof title, "(D)(3)(ii): teachers rated effective or better by subject area, %d",
             r->o->year);
    int rc = slds_table_new(out, "equity_subjects", title, q_cols, Q_NCOLS, err);
    tally k[NAREAS + 1] = {{0}};
    for (size_t i = 0; i < r->n; i++) {
        if (r->e[i].role != ROLE_TEACHER)
            continue;
        tally_add(&k[NAREAS], r->e[i].cat);
        for (int a = 0; a < NAREAS; a++)
            if ((r->e[i].areas >> a) & 1)
                tally_add(&k[a], r->e[i].cat);
    }
    for (int a = 0; !rc && a <= NAREAS; a++) {
        q_row(*out, "state", "state", a < NAREAS ? areas[a] : "all_teachers", "TEACHER", -1, &k[a], err);
        rc = slds_table_status(*out);
    }
    return rc;
}

/* E5: students taught by ineffective / highly effective teachers. */
enum { S_ALL, S_ECON, S_NOT_ECON, S_MINORITY, S_WHITE, NSTUDENT_GROUPS };
static const char *const student_groups[NSTUDENT_GROUPS] = {
    "all", "econ_disadvantaged", "not_econ_disadvantaged", "minority", "race:WHITE"};

typedef struct stally {
    long long students, ineff, he;
} stally;

static int students_table(slds_store *s, equity_run *r, stally k[NSTUDENT_GROUPS], slds_table **out,
                          slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "group_id", .type = SLDS_CELL_TEXT},
        {.name = "subgroup", .type = SLDS_CELL_TEXT},
        {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "taught by a rated teacher", .role = SLDS_ROLE_SIZE},
        {.name = "taught_by_ineffective", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
        {.name = "taught_by_ineffective_pct", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1,
         .role = SLDS_ROLE_STATISTIC, .derives_from = "taught_by_ineffective", .denominator = "students"},
        {.name = "taught_by_highly_effective", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
        {.name = "taught_by_highly_effective_pct", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1,
         .role = SLDS_ROLE_STATISTIC, .derives_from = "taught_by_highly_effective", .denominator = "students"},
    };
    slds_cursor ro, at;
    int rc = slds_cursor_open(&ro, s,
                              "SELECT student_id, staff_id FROM rosters WHERE school_year = ?1"
                              " ORDER BY student_id",
                              err);
    if (!rc && (rc = slds_cursor_open(&at, s,
                                      "SELECT student_id, econ_disadvantaged, race_ethnicity"
                                      " FROM student_attributes WHERE school_year = ?1 ORDER BY student_id",
                                      err)))
        slds_cursor_close(&ro);
    if (rc)
        return rc;
    slds_cursor_bind_int(&ro, 1, r->o->year);
    slds_cursor_bind_int(&at, 1, r->o->year);
    int sr = slds_cursor_step(&ro, err), sa = sr < 0 ? -1 : slds_cursor_step(&at, err);
    char student[128];
    while (sr == 1 && sa >= 0) {
        snprintf(student, sizeof student, "%s", slds_cursor_text(&ro, 0));
        unsigned cats = 0;
        bool any = false;
        while (sr == 1 && !strcmp(slds_cursor_text(&ro, 0), student)) {
            const char *staff = slds_cursor_text(&ro, 1);
            uint32_t id = staff ? slds_intern_find(&r->staff, staff, strlen(staff)) : SLDS_NO_ID;
            uint32_t v;
            if (id != SLDS_NO_ID && slds_map64_get(&r->index, (uint64_t)id << 1 | ROLE_TEACHER, &v) &&
                (r->e[v - 1].cat & CAT_RATED)) {
                any = true;
                cats |= r->e[v - 1].cat;
            }
            sr = slds_cursor_step(&ro, err);
        }
        int cmp = -1;
        while (sa == 1 && (cmp = strcmp(slds_cursor_text(&at, 0), student)) < 0)
            sa = slds_cursor_step(&at, err);
        if (!any)
            continue;
        unsigned groups = 1u << S_ALL;
        if (sa == 1 && cmp == 0) {
            const char *econ = slds_cursor_text(&at, 1), *race = slds_cursor_text(&at, 2);
            if (econ && (!strcmp(econ, "Y") || !strcmp(econ, "N")))
                groups |= 1u << (!strcmp(econ, "Y") ? S_ECON : S_NOT_ECON);
            if (race && *race)
                groups |= 1u << (strcmp(race, "WHITE") ? S_MINORITY : S_WHITE);
        }
        for (int g = 0; g < NSTUDENT_GROUPS; g++)
            if ((groups >> g) & 1) {
                k[g].students++;
                k[g].ineff += (cats & CAT_INEFF) != 0;
                k[g].he += (cats & CAT_HE) != 0;
            }
    }
    slds_cursor_close(&ro);
    slds_cursor_close(&at);
    if (sr < 0 || sa < 0)
        return err->code;
    char title[128];
    snprintf(title, sizeof title, "Students taught by ineffective and highly effective teachers, %d",
             r->o->year);
    rc = slds_table_new(out, "equity_students", title, cols, (int)(sizeof cols / sizeof cols[0]), err);
    for (int g = 0; !rc && g < NSTUDENT_GROUPS; g++) {
        slds_table *t = *out;
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, "state", err);
        slds_table_set_text(t, 1, "state", err);
        slds_table_set_text(t, 2, student_groups[g], err);
        slds_table_set_integer(t, 3, k[g].students, err);
        slds_table_set_integer(t, 4, k[g].ineff, err);
        slds_table_set_real(t, 5, acct_pct(k[g].ineff, k[g].students), err);
        slds_table_set_integer(t, 6, k[g].he, err);
        slds_table_set_real(t, 7, acct_pct(k[g].he, k[g].students), err);
        rc = slds_table_status(t);
    }
    return rc;
}

static long long at_least(long long n)
{
    static const long long floors[] = {300, 100, 40, 20, 10};
    for (size_t i = 0; i < sizeof floors / sizeof floors[0]; i++)
        if (n >= floors[i])
            return floors[i];
    return n;
}

/* E6: the state's gaps. */
static int gaps_table(equity_run *r, tally state[NROLES][NGROUPS], const stally *st,
                      slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "group_id", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "comparison", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "role", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "smaller_group_at_least", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "highly_effective_gap", .type = SLDS_CELL_REAL, .unit = "percentage points, focus - comparison",
         .decimals = 1, .role = SLDS_ROLE_STATISTIC},
        {.name = "ineffective_gap", .type = SLDS_CELL_REAL, .unit = "percentage points, focus - comparison",
         .decimals = 1, .role = SLDS_ROLE_STATISTIC},
    };
    static const struct {
        int focus, other;
        const char *name;
    } pairs[] = {{G_HP, G_LP, "high_poverty_vs_low_poverty"},
                 {G_HM, G_LM, "high_minority_vs_low_minority"},
                 {G_HPM, G_LPM, "high_poverty_or_minority_vs_low_poverty_or_minority"}};
    char title[128];
    snprintf(title, sizeof title, "(D)(3)(i) gaps: the focus group's percentage minus the comparison's, %d",
             r->o->year);
    int rc = slds_table_new(out, "equity_gaps", title, cols, (int)(sizeof cols / sizeof cols[0]), err);
    for (int role = 0; !rc && role < NROLES; role++)
        for (size_t p = 0; !rc && p < sizeof pairs / sizeof pairs[0]; p++) {
            const tally *f = &state[role][pairs[p].focus], *o = &state[role][pairs[p].other];
            slds_table *t = *out;
            slds_table_add_row(t, err);
            slds_table_set_text(t, 0, "state", err);
            slds_table_set_text(t, 1, "state", err);
            slds_table_set_text(t, 2, group_names[pairs[p].focus], err);
            slds_table_set_text(t, 3, pairs[p].name, err);
            slds_table_set_text(t, 4, role_codes[role], err);
            slds_table_set_integer(t, 5, at_least(f->rated < o->rated ? f->rated : o->rated), err);
            slds_table_set_real(t, 6, acct_pct(f->he, f->rated) - acct_pct(o->he, o->rated), err);
            slds_table_set_real(t, 7, acct_pct(f->ineff, f->rated) - acct_pct(o->ineff, o->rated), err);
            rc = slds_table_status(t);
        }
    static const struct {
        int focus, other;
        const char *name;
    } spairs[] = {{S_ECON, S_NOT_ECON, "econ_disadvantaged_vs_not"}, {S_MINORITY, S_WHITE, "minority_vs_white"}};
    for (size_t p = 0; !rc && st && p < sizeof spairs / sizeof spairs[0]; p++) {
        const stally *f = &st[spairs[p].focus], *o = &st[spairs[p].other];
        slds_table *t = *out;
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, "state", err);
        slds_table_set_text(t, 1, "state", err);
        slds_table_set_text(t, 2, student_groups[spairs[p].focus], err);
        slds_table_set_text(t, 3, spairs[p].name, err);
        slds_table_set_text(t, 4, "students", err);
        slds_table_set_integer(t, 5, at_least(f->students < o->students ? f->students : o->students), err);
        slds_table_set_real(t, 6, acct_pct(f->he, f->students) - acct_pct(o->he, o->students), err);
        slds_table_set_real(t, 7, acct_pct(f->ineff, f->students) - acct_pct(o->ineff, o->students), err);
        rc = slds_table_status(t);
    }
    return rc;
}

int slds_account_equity(slds_store *s, const slds_account_equity_options *o,
                        slds_account_tables *out, slds_error *err)
{
    if (o->level && strcmp(o->level, "state") && strcmp(o->level, "lea"))
        return slds_fail(err, SLDS_ERR_USAGE, "report equity: --level is state or lea, not '%s'", o->level);
    equity_run r = {.o = o};
    size_t rated = 0;
    int rc = acct_schools_read(s, o->year, &r.sc, err);
    rc = rc ? rc : read_assignments(s, &r, err);
    rc = rc ? rc : read_ratings(s, &r, &rated, err);
    if (!rc && !rated)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND,
                       "report equity: no educator of %d has a rating (slds educators run --year %d "
                       "--config colorado|tennessee|dc|FILE)",
                       o->year, o->year);
    tally state[NROLES][NGROUPS];
    memset(state, 0, sizeof state);
    stally st[NSTUDENT_GROUPS];
    memset(st, 0, sizeof st);
    slds_table *t[4] = {NULL};
    rc = rc ? rc : groups_table(&r, state, &t[0], err);
    rc = rc ? rc : areas_table(&r, &t[1], err);
    if (!o->educators_only) /* else no students' table: the gaps' student rows stay blank */
        rc = rc ? rc : students_table(s, &r, st, &t[2], err);
    rc = rc ? rc : gaps_table(&r, state, st, &t[3], err);
    for (size_t i = 0; i < r.n; i++) {
        free(r.e[i].leas);
        free(r.e[i].lea_groups);
    }
    free(r.e);
    slds_map64_free(&r.index);
    slds_intern_free(&r.staff);
    acct_schools_free(&r.sc);
    for (int i = 0; i < 4; i++) {
        if (!t[i])
            continue;
        if (!rc)
            rc = slds_account_tables_add(out, t[i], err);
        else
            slds_table_free(t[i]);
    }
    return rc;
}

/* The HTML charts, drawn from the tables after suppression: for teachers and
 * principals, the percent highly effective and ineffective in each school
 * group of the state (a hidden or range-coded figure draws no bar). */
int slds_account_equity_figure(slds_table *const *tables, size_t n, slds_buf *figure,
                               slds_error *err)
{
    if (n < 1 || strcmp(slds_table_name(tables[0]), "equity"))
        return SLDS_OK;
    const slds_table *t = tables[0];
    int level = slds_table_find_column(t, "level"), sub = slds_table_find_column(t, "subgroup"),
        role = slds_table_find_column(t, "role"), he = slds_table_find_column(t, "highly_effective_pct"),
        in = slds_table_find_column(t, "ineffective_pct");
    int rc = SLDS_OK;
    for (int ro = 0; !rc && ro < NROLES; ro++) {
        const char *labels[NGROUPS];
        double vhe[NGROUPS], vin[NGROUPS];
        size_t k = 0;
        for (size_t r = 0; r < slds_table_nrows(t) && k < NGROUPS; r++) {
            const char *lv = slds_table_text(t, r, level), *rl = slds_table_text(t, r, role);
            if (!lv || strcmp(lv, "state") || !rl || strcmp(rl, role_codes[ro]))
                continue;
            labels[k] = slds_table_text(t, r, sub);
            double bound;
            vhe[k] = slds_table_is_suppressed(t, r, he) || slds_table_range(t, r, he, &bound)
                         ? NAN
                         : slds_table_real(t, r, he);
            vin[k] = slds_table_is_suppressed(t, r, in) || slds_table_range(t, r, in, &bound)
                         ? NAN
                         : slds_table_real(t, r, in);
            k++;
        }
        if (!k)
            continue;
        char title[96];
        snprintf(title, sizeof title, "%s rated highly effective, percent", ro ? "Principals" : "Teachers");
        rc = slds_account_bar_chart(figure, title, labels, vhe, k, "%");
        snprintf(title, sizeof title, "%s rated ineffective, percent", ro ? "Principals" : "Teachers");
        rc = rc || slds_account_bar_chart(figure, title, labels, vin, k, "%");
    }
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "equity: out of memory drawing charts") : SLDS_OK;
}
