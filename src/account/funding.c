/* funding.c - the `funding` report (docs/reports/funding.md), criterion
 * (F)(1)(ii) of the notice: whether "the State's policies lead to equitable
 * funding (a) between high-need LEAs ... and other LEAs, and (b) within
 * LEAs, between high-poverty schools ... and other schools", from
 * finance.csv (expenditure by district or school, year and source).
 *
 * Invariants (tests/account/test_funding.sh on tests/data/account/funding,
 * whose NOTES.md computes every figure):
 *  F1. High-need LEA (the notice): children_in_poverty >= 10,000, or
 *      children_in_poverty / children_served >= 20% (leas.csv); both
 *      configurable; unknown (blank) when leas.csv gives neither figure.
 *  F2. High-poverty school: the state's highest quartile of schools by
 *      poverty in the year (schools.c, Q1-Q2); "other" is every other school
 *      with finance rows, the lowest quartile is shown separately too.
 *  F3. A school's expenditure is the sum of its finance rows of the year
 *      (all sources); its pupils the largest `pupils` of those rows, or,
 *      when none is given, its distinct students enrolled in the year. Per
 *      pupil = expenditure / pupils.
 *  F4. A district's expenditure is every finance row with its lea_id (its
 *      schools' and its own, school_id blank); its pupils the largest
 *      `pupils` of its own rows, else its distinct students enrolled (Q3).
 *  F5. A comparison pools: per pupil of a set = the sum of the expenditure
 *      over the sum of the pupils (a weighted mean, not a mean of ratios);
 *      difference = focus - other; ratio = focus / other. Within a district
 *      only its school rows count (its own spending is attributed to no
 *      school), and the statewide within-district line pools the districts
 *      that have both kinds of school. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "account/internal_a.h"

void slds_account_funding_options_default(slds_account_funding_options *o)
{
    *o = (slds_account_funding_options){.high_need_count = 10000, .high_need_percent = 20};
}

enum { SRC_FEDERAL, SRC_STATE, SRC_LOCAL, SRC_OTHER, NSRC };
static const char *const source_codes[NSRC] = {"FEDERAL", "STATE", "LOCAL", "OTHER"};

typedef struct money {
    double exp[NSRC];
    double pupils_given; /* largest pupils of the rows; 0 when none */
    bool rows;
} money;

static double total(const money *m)
{
    double t = 0;
    for (int k = 0; k < NSRC; k++)
        t += m->exp[k];
    return t;
}

typedef struct funding_run {
    const slds_account_funding_options *o;
    acct_schools sc;
    money *school; /* by index in sc.v */
    money *lea;    /* every row of the district (F4) */
    money *lea_own; /* the district's own rows only (school_id blank) */
    size_t rows;
} funding_run;

static int read_finance(slds_store *s, funding_run *r, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT lea_id, school_id, source, expenditure, pupils FROM finance"
                         " WHERE school_year = ?1",
                         err)) {
        if (!strstr(err->message, "no such table"))
            return err->code;
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "report funding: no finance data in this database (load finance.csv)");
    }
    slds_cursor_bind_int(&c, 1, r->o->year);
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        const char *lea = slds_cursor_text(&c, 0), *school = slds_cursor_text(&c, 1),
                   *src = slds_cursor_text(&c, 2);
        double dollars = slds_cursor_double(&c, 3);
        double pupils = slds_cursor_is_null(&c, 4) ? 0 : slds_cursor_double(&c, 4);
        int k = SRC_OTHER;
        for (int i = 0; src && i < NSRC; i++)
            if (!strcmp(src, source_codes[i]))
                k = i;
        acct_lea *l = lea ? acct_leas_find(&r->sc, lea) : NULL;
        if (!l)
            continue; /* the loader refuses an unknown district */
        money *lm = &r->lea[l - r->sc.leas];
        lm->exp[k] += dollars;
        lm->rows = true;
        r->rows++;
        if (!school || !*school) {
            money *own = &r->lea_own[l - r->sc.leas];
            own->exp[k] += dollars;
            own->rows = true;
            if (pupils > own->pupils_given)
                own->pupils_given = pupils;
            continue;
        }
        acct_school *x = acct_schools_find(&r->sc, school);
        if (!x)
            continue;
        money *m = &r->school[x - r->sc.v];
        m->exp[k] += dollars;
        m->rows = true;
        if (pupils > m->pupils_given)
            m->pupils_given = pupils;
    }
    slds_cursor_close(&c);
    if (step < 0)
        return err->code;
    if (!r->rows)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "report funding: no finance rows for school year %d (load finance.csv)",
                         r->o->year);
    return SLDS_OK;
}

/* F1: 1 high need, 0 not, -1 unknown. */
static int high_need(const funding_run *r, const acct_lea *l)
{
    if (l->children_in_poverty < 0)
        return -1;
    if ((double)l->children_in_poverty >= r->o->high_need_count)
        return 1;
    if (l->children_served <= 0)
        return -1;
    return 100.0 * (double)l->children_in_poverty / (double)l->children_served >=
           r->o->high_need_percent - 1e-9;
}

static double school_pupils(const funding_run *r, size_t i)
{
    const money *m = &r->school[i];
    return m->pupils_given > 0 ? m->pupils_given : (double)r->sc.v[i].enrolled;
}

static double lea_pupils(const funding_run *r, size_t i)
{
    const money *own = &r->lea_own[i];
    return own->pupils_given > 0 ? own->pupils_given : (double)r->sc.leas[i].enrolled;
}

static double per(double dollars, double pupils)
{
    return pupils > 0 ? dollars / pupils : NAN;
}

/* ---------------------------------------------------------------- tables */

enum {
    U_LEVEL, U_GROUP, U_SUBGROUP, U_LEA, U_HIGH_NEED, U_HIGH_POVERTY, U_POVERTY, U_ENROLLED,
    U_PUPILS, U_EXPENDITURE, U_PER_PUPIL, U_PP_FEDERAL, U_PP_STATE, U_PP_LOCAL, U_PP_OTHER, U_NCOLS
};

static const slds_column_spec unit_cols[U_NCOLS] = {
    [U_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    [U_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT},
    [U_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    [U_LEA] = {.name = "lea_id", .type = SLDS_CELL_TEXT},
    [U_HIGH_NEED] = {.name = "high_need_lea", .type = SLDS_CELL_BOOLEAN},
    [U_HIGH_POVERTY] = {.name = "high_poverty_school", .type = SLDS_CELL_BOOLEAN},
    [U_POVERTY] = {.name = "poverty", .type = SLDS_CELL_REAL, .unit = "percent econ. disadvantaged",
                   .decimals = 1, .role = SLDS_ROLE_STATISTIC},
    [U_ENROLLED] = {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students enrolled",
                    .role = SLDS_ROLE_SIZE},
    [U_PUPILS] = {.name = "pupils", .type = SLDS_CELL_REAL, .unit = "pupils (finance.csv, else students)",
                  .decimals = SLDS_SIGNIFICANT(9)},
    [U_EXPENDITURE] = {.name = "expenditure", .type = SLDS_CELL_REAL, .unit = "dollars", .decimals = 0},
    [U_PER_PUPIL] = {.name = "per_pupil", .type = SLDS_CELL_REAL, .unit = "dollars per pupil", .decimals = 0},
    [U_PP_FEDERAL] = {.name = "per_pupil_federal", .type = SLDS_CELL_REAL, .unit = "dollars per pupil", .decimals = 0},
    [U_PP_STATE] = {.name = "per_pupil_state", .type = SLDS_CELL_REAL, .unit = "dollars per pupil", .decimals = 0},
    [U_PP_LOCAL] = {.name = "per_pupil_local", .type = SLDS_CELL_REAL, .unit = "dollars per pupil", .decimals = 0},
    [U_PP_OTHER] = {.name = "per_pupil_other", .type = SLDS_CELL_REAL, .unit = "dollars per pupil", .decimals = 0},
};

static void unit_money(slds_table *t, const money *m, double pupils, slds_error *err)
{
    double all = total(m);
    slds_table_set_real(t, U_PUPILS, pupils, err);
    slds_table_set_real(t, U_EXPENDITURE, all, err);
    slds_table_set_real(t, U_PER_PUPIL, per(all, pupils), err);
    for (int k = 0; k < NSRC; k++)
        slds_table_set_real(t, U_PP_FEDERAL + k, per(m->exp[k], pupils), err);
}

static bool level_wanted(const funding_run *r, const char *level)
{
    return !r->o->level || !strcmp(r->o->level, level);
}

static int units_table(funding_run *r, slds_table **out, slds_error *err)
{
    char title[96];
    snprintf(title, sizeof title, "Expenditure per pupil, %d", r->o->year);
    int rc = slds_table_new(out, "funding", title, unit_cols, U_NCOLS, err);
    slds_table *t = *out;
    if (!rc && level_wanted(r, "state")) {
        money st = {0};
        double pupils = 0;
        for (size_t i = 0; i < r->sc.nleas; i++)
            if (r->lea[i].rows) {
                for (int k = 0; k < NSRC; k++)
                    st.exp[k] += r->lea[i].exp[k];
                pupils += lea_pupils(r, i);
            }
        slds_table_add_row(t, err);
        slds_table_set_text(t, U_LEVEL, "state", err);
        slds_table_set_text(t, U_GROUP, "state", err);
        slds_table_set_text(t, U_SUBGROUP, "all", err);
        unit_money(t, &st, pupils, err);
        rc = slds_table_status(t);
    }
    for (size_t i = 0; !rc && level_wanted(r, "lea") && i < r->sc.nleas; i++) {
        const acct_lea *l = &r->sc.leas[i];
        if (!r->lea[i].rows)
            continue;
        int hn = high_need(r, l);
        slds_table_add_row(t, err);
        slds_table_set_text(t, U_LEVEL, "lea", err);
        slds_table_set_text(t, U_GROUP, l->id, err);
        slds_table_set_text(t, U_SUBGROUP, "all", err);
        slds_table_set_text(t, U_LEA, l->id, err);
        if (hn >= 0)
            slds_table_set_boolean(t, U_HIGH_NEED, hn == 1, err);
        slds_table_set_real(t, U_POVERTY, acct_pct(l->poor, l->enrolled), err);
        slds_table_set_integer(t, U_ENROLLED, l->enrolled, err);
        unit_money(t, &r->lea[i], lea_pupils(r, i), err);
        rc = slds_table_status(t);
    }
    for (size_t i = 0; !rc && level_wanted(r, "school") && i < r->sc.n; i++) {
        const acct_school *x = &r->sc.v[i];
        if (!r->school[i].rows)
            continue;
        slds_table_add_row(t, err);
        slds_table_set_text(t, U_LEVEL, "school", err);
        slds_table_set_text(t, U_GROUP, x->id, err);
        slds_table_set_text(t, U_SUBGROUP, "all", err);
        slds_table_set_text(t, U_LEA, x->lea, err);
        if (!isnan(x->poverty))
            slds_table_set_boolean(t, U_HIGH_POVERTY, x->high_poverty, err);
        slds_table_set_real(t, U_POVERTY, x->poverty, err);
        slds_table_set_integer(t, U_ENROLLED, x->enrolled, err);
        unit_money(t, &r->school[i], school_pupils(r, i), err);
        rc = slds_table_status(t);
    }
    return rc;
}

enum {
    C_LEVEL, C_GROUP, C_SUBGROUP, C_COMPARISON, C_FOCUS_UNITS, C_FOCUS_PUPILS, C_FOCUS_PP,
    C_OTHER_UNITS, C_OTHER_PUPILS, C_OTHER_PP, C_DIFF, C_RATIO, C_NOTE, C_NCOLS
};

static const slds_column_spec cmp_cols[C_NCOLS] = {
    [C_LEVEL] = {.name = "level", .type = SLDS_CELL_TEXT},
    [C_GROUP] = {.name = "group_id", .type = SLDS_CELL_TEXT},
    [C_SUBGROUP] = {.name = "subgroup", .type = SLDS_CELL_TEXT},
    [C_COMPARISON] = {.name = "comparison", .type = SLDS_CELL_TEXT},
    [C_FOCUS_UNITS] = {.name = "focus_units", .type = SLDS_CELL_INTEGER, .unit = "districts or schools"},
    [C_FOCUS_PUPILS] = {.name = "focus_pupils", .type = SLDS_CELL_REAL, .unit = "pupils", .decimals = SLDS_SIGNIFICANT(9)},
    [C_FOCUS_PP] = {.name = "focus_per_pupil", .type = SLDS_CELL_REAL, .unit = "dollars per pupil", .decimals = 0},
    [C_OTHER_UNITS] = {.name = "other_units", .type = SLDS_CELL_INTEGER, .unit = "districts or schools"},
    [C_OTHER_PUPILS] = {.name = "other_pupils", .type = SLDS_CELL_REAL, .unit = "pupils", .decimals = SLDS_SIGNIFICANT(9)},
    [C_OTHER_PP] = {.name = "other_per_pupil", .type = SLDS_CELL_REAL, .unit = "dollars per pupil", .decimals = 0},
    [C_DIFF] = {.name = "difference", .type = SLDS_CELL_REAL, .unit = "dollars per pupil, focus - other", .decimals = 0},
    [C_RATIO] = {.name = "ratio", .type = SLDS_CELL_REAL, .unit = "focus / other", .decimals = 3},
    [C_NOTE] = {.name = "note", .type = SLDS_CELL_TEXT},
};

typedef struct pool {
    long long units;
    double dollars, pupils;
} pool;

static void pool_add(pool *p, double dollars, double pupils)
{
    p->units++;
    p->dollars += dollars;
    p->pupils += pupils;
}

static int cmp_row(slds_table *t, const char *level, const char *group, const char *comparison,
                   const pool *focus, const pool *other, const char *note, slds_error *err)
{
    double f = per(focus->dollars, focus->pupils), o = per(other->dollars, other->pupils);
    slds_table_add_row(t, err);
    slds_table_set_text(t, C_LEVEL, level, err);
    slds_table_set_text(t, C_GROUP, group, err);
    slds_table_set_text(t, C_SUBGROUP, "all", err);
    slds_table_set_text(t, C_COMPARISON, comparison, err);
    slds_table_set_integer(t, C_FOCUS_UNITS, focus->units, err);
    slds_table_set_real(t, C_FOCUS_PUPILS, focus->pupils, err);
    slds_table_set_real(t, C_FOCUS_PP, f, err);
    slds_table_set_integer(t, C_OTHER_UNITS, other->units, err);
    slds_table_set_real(t, C_OTHER_PUPILS, other->pupils, err);
    slds_table_set_real(t, C_OTHER_PP, o, err);
    slds_table_set_real(t, C_DIFF, f - o, err);
    slds_table_set_real(t, C_RATIO, o > 0 ? f / o : NAN, err);
    slds_table_set_text(t, C_NOTE, note, err);
    return slds_table_status(t);
}

/* The within-district pools of district lea (index into sc.leas). */
static void within(const funding_run *r, size_t lea, pool *hp, pool *other)
{
    *hp = *other = (pool){0};
    const char *id = r->sc.leas[lea].id;
    for (size_t i = 0; i < r->sc.n; i++) {
        const acct_school *x = &r->sc.v[i];
        if (!r->school[i].rows || strcmp(x->lea, id))
            continue;
        pool_add(x->high_poverty ? hp : other, total(&r->school[i]), school_pupils(r, i));
    }
}

static int comparison_table(funding_run *r, slds_table **out, double chart[5], slds_error *err)
{
    char title[128];
    snprintf(title, sizeof title, "(F)(1)(ii): high-need against other districts, high-poverty against "
                                  "other schools, %d", r->o->year);
    int rc = slds_table_new(out, "funding_comparison", title, cmp_cols, C_NCOLS, err);
    slds_table *t = *out;
    /* (a) high-need LEAs against the others */
    pool need = {0}, rest = {0};
    long long unknown = 0;
    for (size_t i = 0; i < r->sc.nleas; i++) {
        if (!r->lea[i].rows)
            continue;
        int hn = high_need(r, &r->sc.leas[i]);
        if (hn < 0) {
            unknown++;
            continue;
        }
        pool_add(hn ? &need : &rest, total(&r->lea[i]), lea_pupils(r, i));
    }
    chart[0] = per(need.dollars, need.pupils);
    chart[1] = per(rest.dollars, rest.pupils);
    char note[256];
    snprintf(note, sizeof note,
             "high-need: at least %.0f children in poverty or at least %g%% of the children served"
             "%s",
             r->o->high_need_count, r->o->high_need_percent,
             unknown ? "; districts without poverty counts in leas.csv left out" : "");
    if (!rc && level_wanted(r, "state"))
        rc = cmp_row(t, "state", "state", "high_need_leas_vs_other_leas", &need, &rest, note, err);
    /* (b) within districts: high-poverty schools against the others */
    pool all_hp = {0}, all_other = {0};
    long long compared = 0, at_least = 0;
    for (size_t i = 0; i < r->sc.nleas; i++) {
        pool hp, other;
        within(r, i, &hp, &other);
        if (!hp.units && !other.units)
            continue;
        bool both = hp.units && other.units && hp.pupils > 0 && other.pupils > 0;
        if (both) {
            compared++;
            at_least += per(hp.dollars, hp.pupils) >= per(other.dollars, other.pupils) - 1e-9;
            all_hp.units += hp.units;
            all_hp.dollars += hp.dollars;
            all_hp.pupils += hp.pupils;
            all_other.units += other.units;
            all_other.dollars += other.dollars;
            all_other.pupils += other.pupils;
        }
        if (!rc && level_wanted(r, "lea"))
            rc = cmp_row(t, "lea", r->sc.leas[i].id, "high_poverty_schools_vs_other_schools", &hp,
                         &other,
                         both ? ""
                         : hp.units ? "every school of the district with finance rows is high-poverty"
                                    : "no high-poverty school in the district",
                         err);
    }
    snprintf(note, sizeof note,
             "%lld of %lld districts with both kinds of school spend at least as much per pupil in "
             "their high-poverty schools; pooled over those districts",
             at_least, compared);
    if (!rc && level_wanted(r, "state"))
        rc = cmp_row(t, "state", "state", "high_poverty_schools_vs_other_schools_within_leas", &all_hp,
                     &all_other, note, err);
    /* the quartiles statewide, for the chart and the quartile rows */
    pool q[3] = {{0}};
    for (size_t i = 0; i < r->sc.n; i++) {
        const acct_school *x = &r->sc.v[i];
        if (!r->school[i].rows || isnan(x->poverty))
            continue;
        pool_add(&q[x->high_poverty ? 2 : x->low_poverty ? 0 : 1], total(&r->school[i]),
                 school_pupils(r, i));
    }
    for (int k = 0; k < 3; k++)
        chart[2 + k] = per(q[k].dollars, q[k].pupils);
    if (!rc && level_wanted(r, "state"))
        rc = cmp_row(t, "state", "state", "highest_vs_lowest_poverty_quartile_schools", &q[2], &q[0],
                     "the state's highest and lowest quartiles of schools by poverty", err);
    return rc;
}

static int chart(funding_run *r, const double v[5], slds_buf *b)
{
    static const char *const labels[] = {"high-need districts", "other districts",
                                         "lowest-poverty quartile schools", "middle half of schools",
                                         "highest-poverty quartile schools"};
    char title[96];
    snprintf(title, sizeof title, "Expenditure per pupil, %d", r->o->year);
    double d[2] = {v[0], v[1]}, s[3] = {v[2], v[3], v[4]};
    return acct_bar_chart_scaled(b, title, labels, d, 2, "$", 0) ||
           acct_bar_chart_scaled(b, "Schools by poverty (statewide quartiles)", labels + 2, s, 3, "$",
                                 0) ||
           slds_buf_puts(b, "<p>Per pupil = expenditure / pupils, pooled over the districts or "
                            "schools of each group (docs/reports/funding.md).</p>\n");
}

int slds_account_funding(slds_store *s, const slds_account_funding_options *o,
                         slds_account_tables *out, slds_buf *html, slds_error *err)
{
    if (o->level && strcmp(o->level, "state") && strcmp(o->level, "lea") && strcmp(o->level, "school"))
        return slds_fail(err, SLDS_ERR_USAGE, "report funding: --level is state, lea or school, not '%s'",
                         o->level);
    if (!(o->high_need_count >= 0) || !(o->high_need_percent >= 0) || o->high_need_percent > 100)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "report funding: --high-need-count is at least 0, --high-need-percent 0-100");
    funding_run r = {.o = o};
    int rc = acct_schools_read(s, o->year, &r.sc, err);
    if (rc)
        return rc;
    r.school = calloc(r.sc.n ? r.sc.n : 1, sizeof *r.school);
    r.lea = calloc(r.sc.nleas ? r.sc.nleas : 1, sizeof *r.lea);
    r.lea_own = calloc(r.sc.nleas ? r.sc.nleas : 1, sizeof *r.lea_own);
    if (!r.school || !r.lea || !r.lea_own)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "report funding: out of memory");
    rc = rc ? rc : read_finance(s, &r, err);
    slds_table *units = NULL, *cmp = NULL;
    double v[5];
    rc = rc ? rc : units_table(&r, &units, err);
    rc = rc ? rc : comparison_table(&r, &cmp, v, err);
    if (!rc && html && chart(&r, v, html))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "report funding: out of memory drawing charts");
    free(r.school);
    free(r.lea);
    free(r.lea_own);
    acct_schools_free(&r.sc);
    if (rc) {
        slds_table_free(units);
        slds_table_free(cmp);
        return rc;
    }
    if ((rc = slds_account_tables_add(out, units, err))) {
        slds_table_free(cmp);
        return rc;
    }
    return slds_account_tables_add(out, cmp, err);
}
