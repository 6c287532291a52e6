/* summary.c - the reports on stored educator results (docs/reports/
 * educator-summary.md, docs/reports/d2-measures.md): the distribution of
 * ratings by district and for the state, and the Appendix A (D)(2)
 * performance measures of the notice in its own wording. Both read
 * educator_results and educator_runs (written by `educators run` with a
 * rating configuration) and return tables for the report registry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "educator/educator.h"

/* The year's configuration as `educators run` stored it. */
typedef struct run_info {
    char config[256];
    int n_categories;
    char categories[SLDS_RATING_MAX_BANDS][SLDS_RATING_NAME];
    int effective_level;        /* 1-based, 0 when unknown */
    char uses[512];             /* "use=flag,..." */
} run_info;

static int read_run(slds_store *s, int year, run_info *ri, slds_error *err)
{
    memset(ri, 0, sizeof *ri);
    slds_cursor c = {0};
    if (slds_cursor_open(&c, s,
                         "SELECT config, categories, effective_level, uses FROM educator_runs"
                         " WHERE school_year = ?",
                         err)) {
        slds_error_clear(err);
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "educators: no ratings stored for %d (run `slds educators run DB --year "
                         "%d --config colorado|tennessee|dc|FILE` with this version)",
                         year, year);
    }
    slds_cursor_bind_int(&c, 1, year);
    int r = slds_cursor_step(&c, err);
    if (r == 1) {
        snprintf(ri->config, sizeof ri->config, "%s", slds_cursor_text(&c, 0));
        const char *cats = slds_cursor_text(&c, 1);
        ri->effective_level = slds_cursor_is_null(&c, 2) ? 0 : (int)slds_cursor_int(&c, 2);
        snprintf(ri->uses, sizeof ri->uses, "%s", slds_cursor_text(&c, 3) ? slds_cursor_text(&c, 3) : "");
        while (cats && *cats && ri->n_categories < SLDS_RATING_MAX_BANDS) {
            const char *bar = strchr(cats, '|');
            size_t len = bar ? (size_t)(bar - cats) : strlen(cats);
            snprintf(ri->categories[ri->n_categories++], SLDS_RATING_NAME, "%.*s", (int)len, cats);
            cats += len + (bar != NULL);
        }
    }
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    if (r == 0 || ri->n_categories == 0)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "educators: no ratings stored for %d (%s; run `slds educators run DB "
                         "--year %d --config colorado|tennessee|dc|FILE`)",
                         year, r == 0 ? "no run of that year" : "the run had no rating configuration",
                         year);
    return SLDS_OK;
}

/* The flag of use u in ri->uses (the first), or NULL. */
static const char *use_flag(const run_info *ri, const char *use, char *buf, size_t size)
{
    size_t n = strlen(use);
    for (const char *p = ri->uses; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > n + 1 && !strncmp(p, use, n) && p[n] == '=') {
            snprintf(buf, size, "%.*s", (int)(len - n - 1), p + n + 1);
            return buf;
        }
        p = comma ? comma + 1 : NULL;
    }
    return NULL;
}

/* A category label as a column-name part: lower case, runs of anything
 * else than letters and digits as one '_'. */
static void slug(const char *label, char *out, size_t size)
{
    size_t k = 0;
    int under = 0;
    for (const char *p = label; *p && k + 1 < size; p++) {
        char ch = *p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            out[k++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
            under = 0;
        } else if (!under && k > 0) {
            out[k++] = '_';
            under = 1;
        }
    }
    while (k > 0 && out[k - 1] == '_')
        k--;
    out[k] = 0;
}

/* ------------------------------------------------------- educator-summary */

/* One row of the summary: a role in the state or in one district. */
typedef struct sum_row {
    char level[8], role[16], group[64];
    double educators, rated, not_rated, cat[SLDS_RATING_MAX_BANDS];
    double sgp_w, sgp_x, g_w, g_x; /* FTE-weighted mean SGP and share grown >= 1 grade level */
} sum_row;

static void sum_add(sum_row *r, int level, double fte, double mean_sgp, double share1)
{
    r->educators += 1;
    if (level >= 1 && level <= SLDS_RATING_MAX_BANDS) {
        r->rated += 1;
        r->cat[level - 1] += 1;
    } else {
        r->not_rated += 1;
    }
    if (isfinite(mean_sgp) && fte > 0) {
        r->sgp_w += fte;
        r->sgp_x += fte * mean_sgp;
    }
    if (isfinite(share1) && fte > 0) {
        r->g_w += fte;
        r->g_x += fte * share1;
    }
}

int slds_educator_summary_table(slds_store *s, int year, const char *role, const char *level,
                                slds_table **out, slds_error *err)
{
    *out = NULL;
    if (role && strcmp(role, "TEACHER") && strcmp(role, "PRINCIPAL"))
        return slds_fail(err, SLDS_ERR_USAGE, "educator-summary: --role is TEACHER or PRINCIPAL, not '%s'",
                         role);
    if (level && strcmp(level, "state") && strcmp(level, "lea"))
        return slds_fail(err, SLDS_ERR_USAGE, "educator-summary: --level is state or lea, not '%s'",
                         level);
    run_info ri;
    int rc = read_run(s, year, &ri, err);
    if (rc)
        return rc;
    /* columns: labels, size, rated / not rated, then a count and a percent per category */
    enum { FIXED = 6, MAXC = FIXED + 2 * SLDS_RATING_MAX_BANDS + 3 };
    slds_column_spec cols[MAXC];
    char names[2 * SLDS_RATING_MAX_BANDS][SLDS_RATING_NAME + 8];
    int nc = 0;
    cols[nc++] = (slds_column_spec){"level", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL};
    cols[nc++] = (slds_column_spec){"role", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL};
    cols[nc++] = (slds_column_spec){"group_id", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL};
    cols[nc++] = (slds_column_spec){"educators", SLDS_CELL_INTEGER, "educators", 0, SLDS_ROLE_SIZE, NULL, NULL, NULL};
    cols[nc++] = (slds_column_spec){"rated", SLDS_CELL_INTEGER, "educators", 0, SLDS_ROLE_COUNT, "educators", NULL, NULL};
    cols[nc++] = (slds_column_spec){"not_rated", SLDS_CELL_INTEGER, "educators", 0, SLDS_ROLE_COUNT, "educators", NULL, NULL};
    for (int k = 0; k < ri.n_categories; k++) {
        char sl[SLDS_RATING_NAME];
        slug(ri.categories[k], sl, sizeof sl);
        snprintf(names[2 * k], sizeof names[0], "n_%s", sl);
        snprintf(names[2 * k + 1], sizeof names[0], "pct_%s", sl);
        cols[nc++] = (slds_column_spec){names[2 * k], SLDS_CELL_INTEGER, "educators", 0,
                                        SLDS_ROLE_COUNT, "rated", NULL, NULL};
        cols[nc++] = (slds_column_spec){names[2 * k + 1], SLDS_CELL_REAL, "percent", 1,
                                        SLDS_ROLE_STATISTIC, NULL, names[2 * k], "rated"};
    }
    int first_extra = nc;
    cols[nc++] = (slds_column_spec){"pct_effective_or_better", SLDS_CELL_REAL, "percent", 1,
                                    SLDS_ROLE_STATISTIC, NULL, "rated", NULL};
    cols[nc++] = (slds_column_spec){"mean_sgp", SLDS_CELL_REAL, "percentile", 1, SLDS_ROLE_STATISTIC, NULL, NULL, NULL};
    cols[nc++] = (slds_column_spec){"share_1_grade", SLDS_CELL_REAL, "proportion", 3, SLDS_ROLE_STATISTIC, NULL, NULL, NULL};
    char title[128];
    snprintf(title, sizeof title, "Ratings of educators by district and for the state, %d (%.60s)", year,
             ri.config);
    slds_table *t = NULL;
    if ((rc = slds_table_new(&t, "educator_summary", title, cols, nc, err)))
        return rc;

    slds_cursor c = {0};
    if ((rc = slds_cursor_open(&c, s,
                               "SELECT role, COALESCE(lea_id, ''), rating_level, fte_students, mean_sgp,"
                               " share_1_grade FROM educator_results WHERE school_year = ?1 AND"
                               " subject = '' AND (?2 IS NULL OR role = ?2) ORDER BY role, lea_id",
                               err))) {
        slds_table_free(t);
        return rc;
    }
    slds_cursor_bind_int(&c, 1, year);
    if (role)
        slds_cursor_bind_text(&c, 2, role);
    else
        slds_cursor_bind_null(&c, 2);
    sum_row *rows = NULL; /* per role: the state row, then its districts */
    size_t n = 0, cap = 0, state = 0;
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        const char *rl = slds_cursor_text(&c, 0), *lea = slds_cursor_text(&c, 1);
        if (n + 2 > cap) {
            size_t nc2 = cap ? 2 * cap : 64;
            sum_row *nr = realloc(rows, nc2 * sizeof *nr);
            if (!nr) {
                r = -1;
                rc = slds_fail(err, SLDS_ERR_NOMEM, "educator-summary: out of memory");
                break;
            }
            rows = nr;
            cap = nc2;
        }
        if (n == 0 || strcmp(rows[state].role, rl)) { /* a new role: its state row */
            state = n++;
            memset(&rows[state], 0, sizeof rows[state]);
            snprintf(rows[state].level, sizeof rows[state].level, "state");
            snprintf(rows[state].role, sizeof rows[state].role, "%s", rl);
            snprintf(rows[state].group, sizeof rows[state].group, "STATE");
        }
        if (lea[0] && (n - 1 == state || strcmp(rows[n - 1].group, lea))) {
            memset(&rows[n], 0, sizeof rows[n]);
            snprintf(rows[n].level, sizeof rows[n].level, "lea");
            snprintf(rows[n].role, sizeof rows[n].role, "%s", rl);
            snprintf(rows[n].group, sizeof rows[n].group, "%s", lea);
            n++;
        }
        int lv = slds_cursor_is_null(&c, 2) ? 0 : (int)slds_cursor_int(&c, 2);
        double fte = slds_cursor_double(&c, 3);
        double msgp = slds_cursor_is_null(&c, 4) ? NAN : slds_cursor_double(&c, 4);
        double sh = slds_cursor_is_null(&c, 5) ? NAN : slds_cursor_double(&c, 5);
        if (lv > ri.n_categories)
            lv = 0;
        sum_add(&rows[state], lv, fte, msgp, sh);
        if (lea[0])
            sum_add(&rows[n - 1], lv, fte, msgp, sh);
    }
    slds_cursor_close(&c);
    if (r < 0 && !rc)
        rc = err->code;
    for (size_t i = 0; !rc && i < n; i++) {
        const sum_row *w = &rows[i];
        if (level && strcmp(level, w->level))
            continue;
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, w->level, err);
        slds_table_set_text(t, 1, w->role, err);
        slds_table_set_text(t, 2, w->group, err);
        slds_table_set_integer(t, 3, (long long)w->educators, err);
        slds_table_set_integer(t, 4, (long long)w->rated, err);
        slds_table_set_integer(t, 5, (long long)w->not_rated, err);
        double eff = 0;
        for (int k = 0; k < ri.n_categories; k++) {
            slds_table_set_integer(t, FIXED + 2 * k, (long long)w->cat[k], err);
            slds_table_set_real(t, FIXED + 2 * k + 1, w->rated > 0 ? 100 * w->cat[k] / w->rated : NAN, err);
            if (ri.effective_level > 0 && k + 1 >= ri.effective_level)
                eff += w->cat[k];
        }
        slds_table_set_real(t, first_extra, w->rated > 0 && ri.effective_level > 0 ? 100 * eff / w->rated : NAN, err);
        slds_table_set_real(t, first_extra + 1, w->sgp_w > 0 ? w->sgp_x / w->sgp_w : NAN, err);
        slds_table_set_real(t, first_extra + 2, w->g_w > 0 ? w->g_x / w->g_w : NAN, err);
        rc = slds_table_status(t);
    }
    free(rows);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

/* ----------------------------------------------------------- d2-measures */

/* One number of the query q (?1 the year, ?2 a text or NULL), or NaN on no row. */
static int scalar(slds_store *s, const char *q, int year, const char *text, double *v,
                  slds_error *err)
{
    slds_cursor c = {0};
    int rc = slds_cursor_open(&c, s, q, err);
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, year);
    if (text)
        slds_cursor_bind_text(&c, 2, text);
    else
        slds_cursor_bind_null(&c, 2);
    int r = slds_cursor_step(&c, err);
    *v = r == 1 && !slds_cursor_is_null(&c, 0) ? slds_cursor_double(&c, 0) : NAN;
    slds_cursor_close(&c);
    return r < 0 ? err->code : SLDS_OK;
}

/* The LEA measures describe no group of people (no SIZE column: never
 * suppressed); the numbers of educators are counts of people (small counts
 * suppressed in public form, each row its own group). */
static const slds_column_spec d2_lea_columns[] = {
    {"measure", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"criterion", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"wording", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"count", SLDS_CELL_INTEGER, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"of", SLDS_CELL_INTEGER, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"percent", SLDS_CELL_REAL, "percent", 1, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"definition", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
};
static const slds_column_spec d2_people_columns[] = {
    {"measure", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL},
    {"criterion", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"wording", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"count", SLDS_CELL_INTEGER, "educators", 0, SLDS_ROLE_COUNT, NULL, NULL, NULL},
    {"of", SLDS_CELL_INTEGER, "educators", 0, SLDS_ROLE_SIZE, NULL, NULL, NULL},
    {"percent", SLDS_CELL_REAL, "percent", 1, SLDS_ROLE_STATISTIC, NULL, "count", "of"},
    {"definition", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
};

static int d2_row(slds_table *t, const char *id, const char *crit, const char *wording, double count,
                  double of, const char *definition, slds_error *err)
{
    slds_table_add_row(t, err);
    slds_table_set_text(t, 0, id, err);
    slds_table_set_text(t, 1, crit, err);
    slds_table_set_text(t, 2, wording, err);
    if (isfinite(count))
        slds_table_set_integer(t, 3, (long long)llround(count), err);
    if (isfinite(of))
        slds_table_set_integer(t, 4, (long long)llround(of), err);
    slds_table_set_real(t, 5, isfinite(count) && of > 0 ? 100 * count / of : NAN, err);
    slds_table_set_text(t, 6, definition, err);
    return slds_table_status(t);
}

/* Educators (combined rows) of year Y in LEAs with a qualifying system. */
#define RATED " FROM educator_results WHERE school_year = ?1 AND subject = '' AND rating_level IS NOT NULL"

int slds_educator_d2_tables(slds_store *s, int year, slds_table *out[2], slds_error *err)
{
    out[0] = out[1] = NULL;
    run_info ri;
    int rc = read_run(s, year, &ri, err);
    if (rc)
        return rc;
    int have_next;
    double leas, teachers, principals, growth_leas, q_teach, q_princ, q_any, staff_in_q, rated,
        effective, ineffective, next_year, retained, removed, untenured_rated, tenure_flagged,
        comp_flagged;
    char fl_comp[SLDS_RATING_NAME + 1], fl_ten[SLDS_RATING_NAME + 1], fl_rem[SLDS_RATING_NAME + 1],
        fl_dev[SLDS_RATING_NAME + 1], fl_pro[SLDS_RATING_NAME + 1], fl_ret[SLDS_RATING_NAME + 1];
    const char *comp = use_flag(&ri, "compensate", fl_comp, sizeof fl_comp);
    const char *ten = use_flag(&ri, "tenure", fl_ten, sizeof fl_ten);
    const char *rem = use_flag(&ri, "remove", fl_rem, sizeof fl_rem);
    const char *dev = use_flag(&ri, "develop", fl_dev, sizeof fl_dev);
    const char *pro = use_flag(&ri, "promote", fl_pro, sizeof fl_pro);
    const char *ret = use_flag(&ri, "retain", fl_ret, sizeof fl_ret);
    char like[SLDS_RATING_NAME + 8];
    struct {
        double *v;
        const char *q;
        const char *text;
    } qs[] = {
        {&leas, "SELECT count(*) FROM leas WHERE ?1 IS NOT NULL AND ?2 IS NULL", NULL},
        {&teachers, "SELECT count(DISTINCT staff_id) FROM staff_assignments WHERE school_year = ?1"
                    " AND role = 'TEACHER' AND ?2 IS NULL", NULL},
        {&principals, "SELECT count(DISTINCT staff_id) FROM staff_assignments WHERE school_year = ?1"
                      " AND role = 'PRINCIPAL' AND ?2 IS NULL", NULL},
        {&growth_leas, "SELECT count(DISTINCT lea_id) FROM growth_students WHERE school_year = ?1"
                       " AND sgp IS NOT NULL AND lea_id IN (SELECT lea_id FROM leas) AND ?2 IS NULL", NULL},
        {&q_teach, "SELECT count(DISTINCT lea_id)" RATED " AND role = 'TEACHER' AND lea_id IN"
                   " (SELECT lea_id FROM leas) AND ?2 IS NULL", NULL},
        {&q_princ, "SELECT count(DISTINCT lea_id)" RATED " AND role = 'PRINCIPAL' AND lea_id IN"
                   " (SELECT lea_id FROM leas) AND ?2 IS NULL", NULL},
        {&q_any, "SELECT count(DISTINCT lea_id)" RATED " AND lea_id IN (SELECT lea_id FROM leas)"
                 " AND ?2 IS NULL", NULL},
        {&staff_in_q, "SELECT count(*) FROM (SELECT DISTINCT a.staff_id, a.role FROM staff_assignments a"
                      " JOIN schools sc USING(school_id) WHERE a.school_year = ?1 AND a.role IN"
                      " ('TEACHER', 'PRINCIPAL') AND sc.lea_id IN (SELECT lea_id" RATED ")"
                      " AND ?2 IS NULL)", NULL},
        {&rated, "SELECT count(*)" RATED " AND ?2 IS NULL", NULL},
        {&effective, "SELECT count(*)" RATED " AND effective = 1 AND ?2 IS NULL", NULL},
        {&ineffective, "SELECT count(*)" RATED " AND rating_level = 1 AND ?2 IS NULL", NULL},
        {&next_year, "SELECT count(*) FROM staff_assignments WHERE school_year = ?1 + 1 AND ?2 IS NULL", NULL},
        {&retained, "SELECT count(*)" RATED " AND effective = 1 AND staff_id IN (SELECT staff_id FROM"
                    " staff_assignments WHERE school_year = ?1 + 1) AND ?2 IS NULL", NULL},
        {&removed, "SELECT count(*)" RATED " AND flags LIKE ?2 AND staff_id NOT IN (SELECT staff_id"
                   " FROM staff_assignments WHERE school_year = ?1 + 1)", "rem"},
        {&untenured_rated, "SELECT count(*)" RATED " AND role = 'TEACHER' AND staff_id NOT IN (SELECT"
                           " staff_id FROM staff WHERE tenured = 'Y') AND ?2 IS NULL", NULL},
        {&tenure_flagged, "SELECT count(*)" RATED " AND role = 'TEACHER' AND flags LIKE ?2 AND staff_id"
                          " NOT IN (SELECT staff_id FROM staff WHERE tenured = 'Y')", "ten"},
        {&comp_flagged, "SELECT count(*)" RATED " AND flags LIKE ?2", "comp"},
    };
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        const char *flag = !qs[k].text                   ? NULL
                           : !strcmp(qs[k].text, "rem")  ? rem
                           : !strcmp(qs[k].text, "ten")  ? ten
                                                         : comp;
        if (qs[k].text && !flag) {
            *qs[k].v = 0;
            continue;
        }
        if (flag)
            snprintf(like, sizeof like, "%%%s(%%", flag);
        if ((rc = scalar(s, qs[k].q, year, flag ? like : NULL, qs[k].v, err)))
            return rc;
        if (!isfinite(*qs[k].v))
            *qs[k].v = 0;
    }
    have_next = next_year > 0;
    enum { NDEF = 24, DEFLEN = 400 };
    char defs[NDEF][DEFLEN];
    int nd = 0;
    /* the definition of an LEA "used to inform" row */
    const char *use_words[6] = {"develop", "compensate", "promote", "retain", "tenure", "remove"};
    const char *use_flags[6] = {dev, comp, pro, ret, ten, rem};
    for (int u = 0; u < 6; u++, nd++) {
        if (use_flags[u])
            snprintf(defs[nd], DEFLEN,
                     "LEAs with a qualifying system (teachers or principals rated): the "
                     "configuration's decision %s informs it", use_flags[u]);
        else
            snprintf(defs[nd], DEFLEN,
                     "0: the configuration (%s) has no decision that informs it (a decision's "
                     "\"use\": %s)", ri.config, use_words[u]);
    }
    int d_eff = nd++, d_ineff = nd++, d_comp = nd++, d_ret = nd++, d_elig = nd++, d_used = nd++,
        d_rem = nd++;
    snprintf(defs[d_eff], DEFLEN,
             "educators rated in the categories from %s up; percent of the rated",
             ri.effective_level > 0 && ri.effective_level <= ri.n_categories
                 ? ri.categories[ri.effective_level - 1] : "?");
    snprintf(defs[d_ineff], DEFLEN, "educators rated %s (the lowest category); percent of the rated",
             ri.categories[0]);
    if (comp)
        snprintf(defs[d_comp], DEFLEN,
                 "every rated educator: the decision %s is drawn from every rating (%.0f flagged)",
                 comp, comp_flagged);
    else
        snprintf(defs[d_comp], DEFLEN, "0: the configuration has no compensation decision");
    if (have_next)
        snprintf(defs[d_ret], DEFLEN,
                 "effective or better in %d and with an assignment in %d; percent of the effective or better",
                 year, year + 1);
    else
        snprintf(defs[d_ret], DEFLEN, "unknown: no staff assignments of %d loaded", year + 1);
    if (ten) {
        snprintf(defs[d_elig], DEFLEN,
                 "rated teachers not tenured (staff.csv) flagged %s; percent of the rated teachers not tenured", ten);
        snprintf(defs[d_used], DEFLEN,
                 "rated teachers not tenured (staff.csv): the decision %s is drawn from their ratings", ten);
    } else {
        snprintf(defs[d_elig], DEFLEN, "0: the configuration has no tenure decision");
        snprintf(defs[d_used], DEFLEN, "0: the configuration has no tenure decision");
    }
    if (!have_next)
        snprintf(defs[d_rem], DEFLEN, "unknown: no staff assignments of %d loaded", year + 1);
    else if (rem)
        snprintf(defs[d_rem], DEFLEN,
                 "flagged %s in %d and without an assignment in %d (the data do not record why "
                 "staff leave); percent of the rated", rem, year, year + 1);
    else
        snprintf(defs[d_rem], DEFLEN, "0: the configuration has no removal decision");
    const double NA = NAN;
    struct {
        int people;
        const char *id, *crit, *wording;
        double count, of;
        const char *def;
    } rows[] = {
        {0, "leas", "general", "Total number of participating LEAs.", leas, NA,
         "every LEA of leas.csv (the data do not mark participation: every LEA counts)"},
        {0, "d2i", "(D)(2)(i)", "Percentage of participating LEAs that measure student growth (as defined in this notice).",
         growth_leas, leas, "LEAs with at least one student growth percentile of the year (slds growth run)"},
        {0, "d2ii_teachers", "(D)(2)(ii)", "Percentage of participating LEAs with qualifying evaluation systems for teachers.",
         q_teach, leas,
         "LEAs with at least one teacher rated by the year's configuration; every configuration the run "
         "accepts qualifies: at least four categories, student growth a significant factor (at least 20%)"},
        {0, "d2ii_principals", "(D)(2)(ii)", "Percentage of participating LEAs with qualifying evaluation systems for principals.",
         q_princ, leas, "LEAs with at least one principal rated by the year's configuration"},
        {0, "d2iv_a", "(D)(2)(iv)(a)", "Percentage of participating LEAs with qualifying evaluation systems that are used to inform: Developing teachers and principals.",
         dev ? q_any : 0, leas, defs[0]},
        {0, "d2iv_b_compensate", "(D)(2)(iv)(b)", "Percentage of participating LEAs with qualifying evaluation systems that are used to inform: Compensating teachers and principals.",
         comp ? q_any : 0, leas, defs[1]},
        {0, "d2iv_b_promote", "(D)(2)(iv)(b)", "Percentage of participating LEAs with qualifying evaluation systems that are used to inform: Promoting teachers and principals.",
         pro ? q_any : 0, leas, defs[2]},
        {0, "d2iv_b_retain", "(D)(2)(iv)(b)", "Percentage of participating LEAs with qualifying evaluation systems that are used to inform: Retaining effective teachers and principals.",
         ret ? q_any : 0, leas, defs[3]},
        {0, "d2iv_c", "(D)(2)(iv)(c)", "Percentage of participating LEAs with qualifying evaluation systems that are used to inform: Granting tenure and/or full certification (where applicable) to teachers and principals.",
         ten ? q_any : 0, leas, defs[4]},
        {0, "d2iv_d", "(D)(2)(iv)(d)", "Percentage of participating LEAs with qualifying evaluation systems that are used to inform: Removing ineffective tenured and untenured teachers and principals.",
         rem ? q_any : 0, leas, defs[5]},
        {1, "principals", "general", "Total number of principals in participating LEAs.", principals, NA,
         "staff with a PRINCIPAL assignment in the year"},
        {1, "teachers", "general", "Total number of teachers in participating LEAs.", teachers, NA,
         "staff with a TEACHER assignment in the year"},
        {1, "d2ii_number", "(D)(2)(ii)", "Number of teachers and principals in participating LEAs with qualifying evaluation systems.",
         staff_in_q, teachers + principals,
         "teachers and principals (assignments of the year) of the LEAs with a qualifying system; percent of all teachers and principals"},
        {1, "d2iii_effective", "(D)(2)(iii)", "Number of teachers and principals in participating LEAs with qualifying evaluation systems who were evaluated as effective or better in the prior academic year.",
         effective, rated, defs[d_eff]},
        {1, "d2iii_ineffective", "(D)(2)(iii)", "Number of teachers and principals in participating LEAs with qualifying evaluation systems who were evaluated as ineffective in the prior academic year.",
         ineffective, rated, defs[d_ineff]},
        {1, "d2iv_b_compensation", "(D)(2)(iv)(b)", "Number of teachers and principals in participating LEAs with qualifying evaluation systems whose evaluations were used to inform compensation decisions in the prior academic year.",
         comp ? rated : 0, rated, defs[d_comp]},
        {1, "d2iv_b_retained", "(D)(2)(iv)(b)", "Number of teachers and principals in participating LEAs with qualifying evaluation systems who were evaluated as effective or better and were retained in the prior academic year.",
         have_next ? retained : NA, effective, defs[d_ret]},
        {1, "d2iv_c_eligible", "(D)(2)(iv)(c)", "Number of teachers in participating LEAs with qualifying evaluation systems who were eligible for tenure in the prior academic year.",
         tenure_flagged, untenured_rated, defs[d_elig]},
        {1, "d2iv_c_used", "(D)(2)(iv)(c)", "Number of teachers in participating LEAs with qualifying evaluation systems whose evaluations were used to inform tenure decisions in the prior academic year.",
         ten ? untenured_rated : 0, untenured_rated, defs[d_used]},
        {1, "d2iv_d_removed", "(D)(2)(iv)(d)", "Number of teachers and principals in participating LEAs who were removed for being ineffective in the prior academic year.",
         have_next ? removed : NA, rated, defs[d_rem]},
    };
    slds_table *t[2] = {NULL, NULL};
    char title[2][200];
    snprintf(title[0], sizeof title[0],
             "Appendix A (D)(2) performance measures: participating LEAs, %d (%.60s)", year, ri.config);
    snprintf(title[1], sizeof title[1],
             "Appendix A (D)(2): teachers and principals, evaluations of %d (%.60s)", year, ri.config);
    rc = slds_table_new(&t[0], "d2_measures", title[0], d2_lea_columns,
                        (int)(sizeof d2_lea_columns / sizeof d2_lea_columns[0]), err);
    if (!rc)
        rc = slds_table_new(&t[1], "d2_educators", title[1], d2_people_columns,
                            (int)(sizeof d2_people_columns / sizeof d2_people_columns[0]), err);
    for (size_t k = 0; !rc && k < sizeof rows / sizeof rows[0]; k++)
        rc = d2_row(t[rows[k].people], rows[k].id, rows[k].crit, rows[k].wording, rows[k].count,
                    rows[k].of, rows[k].def, err);
    if (rc) {
        slds_table_free(t[0]);
        slds_table_free(t[1]);
        return rc;
    }
    out[0] = t[0];
    out[1] = t[1];
    return SLDS_OK;
}
