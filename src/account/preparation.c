/* preparation.c - the `preparation` report (docs/reports/preparation.md),
 * criterion (D)(4) of the notice: for each teacher and principal
 * preparation program and route, the growth and achievement of the students
 * of its graduates in their first years of teaching, next to the state's
 * other new teachers, with the number of teachers behind each figure.
 *
 * Invariants (tests/account/test_preparation.sh, NOTES.md of
 * tests/data/account/preparation computes every figure):
 *  P1. An educator's experience in year y is years_experience (staff.csv,
 *      as of the educator's last school year with an assignment, L) minus
 *      (L - y); a new educator in y has experience below --new-years
 *      (default 3: the first three years).
 *  P2. The rows pooled are the educator_results of the window (Y-N+1..Y,
 *      --years, default 3) of new educators: per educator and year the
 *      combined row (subject blank) when there is one, else its one subject
 *      row.
 *  P3. A group's figures pool its rows: mean SGP, share with a grade
 *      level's growth and achievement are weighted by fte_students; the
 *      value-added estimate likewise; the students are the sum of
 *      n_students (student-teacher links); effective or better is the share
 *      of its rated rows whose rating is in --effective.
 *  P4. A program (route) with fewer than --min-teachers distinct educators
 *      pooled (default 25) shows its counts and no figure.
 *  P5. "Other new" of a program is every new educator of the same role
 *      not prepared by it (in the state); differences are program minus
 *      other. Routes: certification_route of staff.csv, else the program's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account/internal_a.h"

void slds_account_preparation_options_default(slds_account_preparation_options *o)
{
    *o = (slds_account_preparation_options){
        .years = 3,
        .new_years = 3,
        .min_teachers = 25,
        .effective = ACCT_EFFECTIVE_LABELS};
}

typedef struct prow {
    char staff[72], role[16], program[72], route[16];
    double n_students, fte, mean_sgp, share_1, achievement, vam;
    int rated, effective;
} prow;

typedef struct pool {
    slds_intern staff; /* distinct educators */
    long long rows;
    double students;
    double w_sgp, sgp, w_share, share, w_ach, ach, w_vam, vam;
    long long rated, effective;
} pool;

static int pool_add(pool *p, const prow *r)
{
    if (slds_intern_add(&p->staff, r->staff, strlen(r->staff)) == SLDS_NO_ID)
        return SLDS_ERR_NOMEM;
    p->rows++;
    p->students += r->n_students;
    double w = r->fte > 0 ? r->fte : 0;
    if (!isnan(r->mean_sgp) && w > 0) {
        p->w_sgp += w;
        p->sgp += w * r->mean_sgp;
    }
    if (!isnan(r->share_1) && w > 0) {
        p->w_share += w;
        p->share += w * r->share_1;
    }
    if (!isnan(r->achievement) && w > 0) {
        p->w_ach += w;
        p->ach += w * r->achievement;
    }
    if (!isnan(r->vam) && w > 0) {
        p->w_vam += w;
        p->vam += w * r->vam;
    }
    p->rated += r->rated;
    p->effective += r->effective;
    return SLDS_OK;
}

static double ratio(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

enum {
    P_LEVEL, P_GROUP, P_SUBGROUP, P_ROLE, P_NAME, P_PROVIDER, P_ROUTE, P_TEACHERS, P_ROWS,
    P_STUDENTS, P_SGP, P_SHARE, P_ACH, P_VAM, P_RATED, P_EFF_PCT, P_OTHER_SGP, P_OTHER_VAM,
    P_DIFF_SGP, P_DIFF_VAM, P_NOTE, P_NCOLS
};

static const slds_column_spec cols[P_NCOLS] = {
    [P_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    [P_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT},
    [P_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT},
    [P_ROLE] = {.name = "role", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    [P_NAME] = {.name = "program_name", .type = SLDS_CELL_TEXT},
    [P_PROVIDER] = {.name = "provider", .type = SLDS_CELL_TEXT},
    [P_ROUTE] = {.name = "route", .type = SLDS_CELL_TEXT},
    [P_TEACHERS] = {.name = "educators", .type = SLDS_CELL_INTEGER, .unit = "distinct new educators pooled"},
    [P_ROWS] = {.name = "educator_years", .type = SLDS_CELL_INTEGER},
    [P_STUDENTS] = {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "student-teacher links",
                    .role = SLDS_ROLE_SIZE},
    [P_SGP] = {.name = "mean_sgp", .type = SLDS_CELL_REAL, .unit = "SGP, FTE-weighted", .decimals = 1,
               .role = SLDS_ROLE_STATISTIC},
    [P_SHARE] = {.name = "share_1_grade", .type = SLDS_CELL_REAL, .unit = "share grown a grade level or more",
                 .decimals = 3, .role = SLDS_ROLE_STATISTIC},
    [P_ACH] = {.name = "achievement", .type = SLDS_CELL_REAL, .unit = "mean within-grade percentile",
               .decimals = 1, .role = SLDS_ROLE_STATISTIC},
    [P_VAM] = {.name = "value_added", .type = SLDS_CELL_REAL, .unit = "scale-score points", .decimals = 2,
               .role = SLDS_ROLE_STATISTIC},
    [P_RATED] = {.name = "rated", .type = SLDS_CELL_INTEGER, .unit = "educator-years with a rating"},
    [P_EFF_PCT] = {.name = "effective_or_better_pct", .type = SLDS_CELL_REAL, .unit = "percent of rated",
                   .decimals = 1, .role = SLDS_ROLE_STATISTIC},
    [P_OTHER_SGP] = {.name = "other_new_mean_sgp", .type = SLDS_CELL_REAL, .decimals = 1,
                     .role = SLDS_ROLE_STATISTIC},
    [P_OTHER_VAM] = {.name = "other_new_value_added", .type = SLDS_CELL_REAL, .decimals = 2,
                     .role = SLDS_ROLE_STATISTIC},
    [P_DIFF_SGP] = {.name = "mean_sgp_difference", .type = SLDS_CELL_REAL, .decimals = 1,
                    .role = SLDS_ROLE_STATISTIC},
    [P_DIFF_VAM] = {.name = "value_added_difference", .type = SLDS_CELL_REAL, .decimals = 2,
                    .role = SLDS_ROLE_STATISTIC},
    [P_NOTE] = {.name = "note", .type = SLDS_CELL_TEXT},
};

typedef struct prog_def {
    char id[72], name[128], provider[16], route[16];
} prog_def;

static int add_row(slds_table *t, const slds_account_preparation_options *o, const char *level,
                   const char *group, const char *role, const prog_def *pg, const pool *p,
                   const pool *other, slds_error *err)
{
    slds_table_add_row(t, err);
    slds_table_set_text(t, P_LEVEL, level, err);
    slds_table_set_text(t, P_GROUP, group, err);
    slds_table_set_text(t, P_SUBGROUP, "new_educators", err);
    slds_table_set_text(t, P_ROLE, role, err);
    if (pg) {
        slds_table_set_text(t, P_NAME, pg->name, err);
        slds_table_set_text(t, P_PROVIDER, pg->provider, err);
        slds_table_set_text(t, P_ROUTE, pg->route, err);
    }
    long long n = p->staff.count;
    slds_table_set_integer(t, P_TEACHERS, n, err);
    slds_table_set_integer(t, P_ROWS, p->rows, err);
    slds_table_set_integer(t, P_STUDENTS, llround(p->students), err);
    slds_table_set_integer(t, P_RATED, p->rated, err);
    if (n < o->min_teachers) {
        char note[96];
        snprintf(note, sizeof note, "fewer than %d educators: not reported", o->min_teachers);
        slds_table_set_text(t, P_NOTE, note, err);
        return slds_table_status(t);
    }
    double sgp = ratio(p->sgp, p->w_sgp), vam = ratio(p->vam, p->w_vam);
    slds_table_set_real(t, P_SGP, sgp, err);
    slds_table_set_real(t, P_SHARE, ratio(p->share, p->w_share), err);
    slds_table_set_real(t, P_ACH, ratio(p->ach, p->w_ach), err);
    slds_table_set_real(t, P_VAM, vam, err);
    slds_table_set_real(t, P_EFF_PCT, acct_pct(p->effective, p->rated), err);
    if (other) {
        double osgp = ratio(other->sgp, other->w_sgp), ovam = ratio(other->vam, other->w_vam);
        slds_table_set_real(t, P_OTHER_SGP, osgp, err);
        slds_table_set_real(t, P_OTHER_VAM, ovam, err);
        slds_table_set_real(t, P_DIFF_SGP, sgp - osgp, err);
        slds_table_set_real(t, P_DIFF_VAM, vam - ovam, err);
    }
    return slds_table_status(t);
}

static void pool_free(pool *p)
{
    slds_intern_free(&p->staff);
}

/* Pools the rows of role matching (program / route / every) into p. */
static int pool_rows(const prow *rows, size_t n, const char *role, const char *program,
                     const char *route, bool invert, pool *p)
{
    *p = (pool){0};
    for (size_t i = 0; i < n; i++) {
        const prow *r = &rows[i];
        if (strcmp(r->role, role))
            continue;
        bool match = (!program || !strcmp(r->program, program)) && (!route || !strcmp(r->route, route));
        if (match == invert)
            continue;
        if (pool_add(p, r))
            return SLDS_ERR_NOMEM;
    }
    return SLDS_OK;
}

static int read_rows(slds_store *s, const slds_account_preparation_options *o, prow **out, size_t *n,
                     slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(
            &c, s,
            "SELECT r.staff_id, r.role, coalesce(st.prep_program_id, ''),"
            " coalesce(nullif(st.certification_route, ''), p.route, ''),"
            " r.n_students, r.fte_students, r.mean_sgp, r.share_1_grade, r.achievement, r.vam_estimate,"
            " r.rating"
            " FROM educator_results r JOIN staff st ON st.staff_id = r.staff_id"
            " LEFT JOIN prep_programs p ON p.prep_program_id = st.prep_program_id"
            " WHERE r.school_year BETWEEN ?1 AND ?2"
            " AND st.years_experience IS NOT NULL"
            " AND st.years_experience - ((SELECT max(a.school_year) FROM staff_assignments a"
            " WHERE a.staff_id = r.staff_id) - r.school_year) BETWEEN 0 AND ?3 - 1"
            " AND (r.subject = '' OR NOT EXISTS (SELECT 1 FROM educator_results q"
            " WHERE q.school_year = r.school_year AND q.staff_id = r.staff_id AND q.role = r.role"
            " AND q.subject = ''))",
            err)) {
        if (!strstr(err->message, "no such table"))
            return err->code;
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "report preparation: no educator results in this database (slds educators run)");
    }
    slds_cursor_bind_int(&c, 1, o->year - o->years + 1);
    slds_cursor_bind_int(&c, 2, o->year);
    slds_cursor_bind_int(&c, 3, o->new_years);
    size_t cap = 0;
    int step;
    *out = NULL;
    *n = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            prow *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                slds_cursor_close(&c);
                return slds_fail(err, SLDS_ERR_NOMEM, "report preparation: out of memory");
            }
            *out = p;
        }
        prow *r = &(*out)[(*n)++];
        const char *t;
        snprintf(r->staff, sizeof r->staff, "%s", (t = slds_cursor_text(&c, 0)) ? t : "");
        snprintf(r->role, sizeof r->role, "%s", (t = slds_cursor_text(&c, 1)) ? t : "");
        snprintf(r->program, sizeof r->program, "%s", (t = slds_cursor_text(&c, 2)) ? t : "");
        snprintf(r->route, sizeof r->route, "%s", (t = slds_cursor_text(&c, 3)) ? t : "");
        r->n_students = slds_cursor_double(&c, 4);
        r->fte = slds_cursor_double(&c, 5);
        r->mean_sgp = slds_cursor_is_null(&c, 6) ? NAN : slds_cursor_double(&c, 6);
        r->share_1 = slds_cursor_is_null(&c, 7) ? NAN : slds_cursor_double(&c, 7);
        r->achievement = slds_cursor_is_null(&c, 8) ? NAN : slds_cursor_double(&c, 8);
        r->vam = slds_cursor_is_null(&c, 9) ? NAN : slds_cursor_double(&c, 9);
        const char *rating = slds_cursor_text(&c, 10);
        r->rated = rating && *rating && strcasecmp(rating, "NOT RATED");
        r->effective = r->rated && acct_label_in_list(o->effective, rating);
    }
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

static int read_programs(slds_store *s, prog_def **out, size_t *n, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s,
                              "SELECT prep_program_id, name, provider, route FROM prep_programs"
                              " ORDER BY prep_program_id",
                              err);
    if (rc)
        return rc;
    size_t cap = 0;
    int step;
    *out = NULL;
    *n = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            prog_def *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                slds_cursor_close(&c);
                return slds_fail(err, SLDS_ERR_NOMEM, "report preparation: out of memory");
            }
            *out = p;
        }
        prog_def *p = &(*out)[(*n)++];
        const char *t;
        snprintf(p->id, sizeof p->id, "%s", (t = slds_cursor_text(&c, 0)) ? t : "");
        snprintf(p->name, sizeof p->name, "%s", (t = slds_cursor_text(&c, 1)) ? t : "");
        snprintf(p->provider, sizeof p->provider, "%s", (t = slds_cursor_text(&c, 2)) ? t : "");
        snprintf(p->route, sizeof p->route, "%s", (t = slds_cursor_text(&c, 3)) ? t : "");
    }
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

int slds_account_preparation(slds_store *s, const slds_account_preparation_options *o,
                             slds_account_tables *out, slds_error *err)
{
    if (o->years < 1 || o->years > 20 || o->new_years < 1 || o->new_years > 40 || o->min_teachers < 1)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "report preparation: --years is 1-20, --new-years 1-40, --min-teachers at least 1");
    prow *rows = NULL;
    size_t n = 0, np = 0;
    prog_def *pg = NULL;
    int rc = read_rows(s, o, &rows, &n, err);
    rc = rc ? rc : read_programs(s, &pg, &np, err);
    if (!rc && !n)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND,
                       "report preparation: no results of new educators in %d-%d (slds educators run)",
                       o->year - o->years + 1, o->year);
    slds_table *t = NULL;
    char title[160];
    snprintf(title, sizeof title,
             "(D)(4): the students of new educators (first %d years) by preparation program and route, "
             "%d-%d",
             o->new_years, o->year - o->years + 1, o->year);
    rc = rc ? rc : slds_table_new(&t, "preparation", title, cols, P_NCOLS, err);
    static const char *const roles[] = {"TEACHER", "PRINCIPAL"};
    static const char *const routes[] = {"TRADITIONAL", "ALTERNATIVE"};
    for (int ro = 0; !rc && ro < 2; ro++) {
        pool all;
        if (pool_rows(rows, n, roles[ro], NULL, NULL, false, &all)) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "report preparation: out of memory");
            break;
        }
        if (!all.rows) {
            pool_free(&all);
            continue;
        }
        rc = add_row(t, o, "state", "state", roles[ro], NULL, &all, NULL, err);
        pool_free(&all);
        for (int k = 0; !rc && k < 2; k++) {
            pool p, other;
            if (pool_rows(rows, n, roles[ro], NULL, routes[k], false, &p) ||
                pool_rows(rows, n, roles[ro], NULL, routes[k], true, &other)) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "report preparation: out of memory");
            } else if (p.rows)
                rc = add_row(t, o, "route", routes[k], roles[ro], NULL, &p, &other, err);
            pool_free(&p);
            pool_free(&other);
        }
        for (size_t k = 0; !rc && k < np; k++) {
            pool p, other;
            if (pool_rows(rows, n, roles[ro], pg[k].id, NULL, false, &p) ||
                pool_rows(rows, n, roles[ro], pg[k].id, NULL, true, &other)) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "report preparation: out of memory");
            } else if (p.rows)
                rc = add_row(t, o, "program", pg[k].id, roles[ro], &pg[k], &p, &other, err);
            pool_free(&p);
            pool_free(&other);
        }
    }
    free(rows);
    free(pg);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    return slds_account_tables_add(out, t, err);
}
