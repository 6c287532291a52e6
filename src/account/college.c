/* college.c - college enrollment of a graduating class, as the Race to the
 * Top notice defines it ("College enrollment": students who graduate
 * consistent with 34 CFR 200.19(b)(1) and enroll in an institution of higher
 * education within 16 months of graduation), by 2- and 4-year institution;
 * the share of enrollees who took remedial courses; and the share of
 * enrollees who earned a year's worth of credit (30 by default) within two
 * years ((A)(1)(iii)(d) of the notice). docs/reports/college.md.
 *
 * Design notes (invariants; tests/account/test_college.sh on
 * tests/data/account/college, truth in test_college_truth.sh):
 *  C1. The graduating class of school year Y is every student with a spell
 *      of school year Y ending GRADUATED_REGULAR (other completers are not
 *      graduates); the graduation date is that spell's exit date; the
 *      student counts at that spell's school and district, in the subgroups
 *      of his or her attributes of year Y.
 *  C2. A graduate is enrolled when a postsecondary row has an
 *      enrollment_date after the graduation date and no later than the same
 *      day 16 months on (the last day of the month when that day does not
 *      exist); rows before graduation (dual enrollment) do not count.
 *  C3. The institution level of an enrollee is that of his or her first
 *      enrollment in the window: enrolled_2yr + enrolled_4yr = enrolled.
 *  C4. remedial: an enrollee with remedial = Y on any row in the window.
 *  C5. credits: the credits_earned_first_two_years of the enrollee's rows in
 *      the window, summed; an enrollee with no credits reported on any row is
 *      left out of credits_known and of the credit share. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/internal_a.h"

enum { V_GRADUATES, V_ENROLLED, V_2YR, V_4YR, V_REMEDIAL, V_CREDITS_KNOWN, V_CREDITS_MET, NV };

/* iso + months (YYYY-MM-DD), clamped to the month's last day. */
static void add_months(const char *iso, int months, char out[11])
{
    int y = 0, m = 0, d = 0;
    if (sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3) {
        snprintf(out, 11, "%s", iso);
        return;
    }
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > last)
        d = last;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

static const slds_column_spec college_cols[] = {
    {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "group_id", .type = SLDS_CELL_TEXT},
    {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "graduation_year", .type = SLDS_CELL_INTEGER, .unit = "school year", .role = SLDS_ROLE_PARTITION},
    {.name = "graduates", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_SIZE},
    {.name = "enrolled", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "rate", .type = SLDS_CELL_REAL, .unit = "percent of graduates", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "enrolled"},
    {.name = "enrolled_2yr", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT, .sums_to = "enrolled"},
    {.name = "rate_2yr", .type = SLDS_CELL_REAL, .unit = "percent of graduates", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "enrolled_2yr"},
    {.name = "enrolled_4yr", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT, .sums_to = "enrolled"},
    {.name = "rate_4yr", .type = SLDS_CELL_REAL, .unit = "percent of graduates", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "enrolled_4yr"},
    {.name = "remedial", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "remedial_share", .type = SLDS_CELL_REAL, .unit = "percent of enrolled", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "remedial"},
    {.name = "credits_known", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "earned_year_of_credit", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
    {.name = "credit_share", .type = SLDS_CELL_REAL, .unit = "percent of credits_known", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "earned_year_of_credit"}};

#define NCOLS(a) ((int)(sizeof(a) / sizeof(a)[0]))

/* One graduate's college figures (C2-C5) into v. */
static int college_of(slds_cursor *post, const char *student, const char *grad_date,
                      double credits_needed, long long *v, slds_error *err)
{
    char until[11];
    add_months(grad_date, 16, until);
    slds_cursor_reset(post);
    slds_cursor_bind_text(post, 1, student);
    slds_cursor_bind_text(post, 2, grad_date);
    slds_cursor_bind_text(post, 3, until);
    bool first = true, remedial = false, known = false;
    double credits = 0;
    int step;
    while ((step = slds_cursor_step(post, err)) == 1) {
        const char *level = slds_cursor_text(post, 0), *rem = slds_cursor_text(post, 1);
        if (first) {
            v[V_ENROLLED] = 1;
            v[level && !strcmp(level, "4_YEAR") ? V_4YR : V_2YR] = 1;
            first = false;
        }
        remedial |= rem && !strcmp(rem, "Y");
        if (!slds_cursor_is_null(post, 2)) {
            known = true;
            credits += slds_cursor_double(post, 2);
        }
    }
    if (step < 0)
        return err->code;
    v[V_REMEDIAL] = remedial;
    v[V_CREDITS_KNOWN] = known;
    v[V_CREDITS_MET] = known && credits >= credits_needed;
    return SLDS_OK;
}

static int college_table(int year, const acct_cells *cs, slds_table **out, slds_error *err)
{
    char title[96];
    snprintf(title, sizeof title, "College enrollment within 16 months, class of %d", year);
    int rc = slds_table_new(out, "college", title, college_cols, NCOLS(college_cols), err);
    for (size_t i = 0; !rc && i < cs->n; i++) {
        const acct_cell *c = &cs->c[i];
        const long long *v = c->v;
        slds_table *t = *out;
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, acct_level_names[c->level], err);
        slds_table_set_text(t, 1, c->name, err);
        slds_table_set_text(t, 2, acct_subgroup_names[c->subgroup], err);
        slds_table_set_integer(t, 3, year, err);
        slds_table_set_integer(t, 4, v[V_GRADUATES], err);
        slds_table_set_integer(t, 5, v[V_ENROLLED], err);
        slds_table_set_real(t, 6, acct_pct(v[V_ENROLLED], v[V_GRADUATES]), err);
        slds_table_set_integer(t, 7, v[V_2YR], err);
        slds_table_set_real(t, 8, acct_pct(v[V_2YR], v[V_GRADUATES]), err);
        slds_table_set_integer(t, 9, v[V_4YR], err);
        slds_table_set_real(t, 10, acct_pct(v[V_4YR], v[V_GRADUATES]), err);
        slds_table_set_integer(t, 11, v[V_REMEDIAL], err);
        slds_table_set_real(t, 12, acct_pct(v[V_REMEDIAL], v[V_ENROLLED]), err);
        slds_table_set_integer(t, 13, v[V_CREDITS_KNOWN], err);
        slds_table_set_integer(t, 14, v[V_CREDITS_MET], err);
        slds_table_set_real(t, 15, acct_pct(v[V_CREDITS_MET], v[V_CREDITS_KNOWN]), err);
        rc = slds_table_status(t);
    }
    return rc;
}

static int college_chart(int year, const acct_cells *cs, slds_buf *b)
{
    const char *labels[ACCT_NSUBGROUPS];
    double values[ACCT_NSUBGROUPS];
    size_t n = 0;
    for (size_t i = 0; i < cs->n && n < ACCT_NSUBGROUPS; i++)
        if (cs->c[i].level == 0) {
            labels[n] = acct_subgroup_names[cs->c[i].subgroup];
            values[n++] = acct_pct(cs->c[i].v[V_ENROLLED], cs->c[i].v[V_GRADUATES]);
        }
    char title[120];
    snprintf(title, sizeof title,
             "Graduates of %d enrolled in college within 16 months, by subgroup (percent)", year);
    return slds_account_bar_chart(b, title, labels, values, n, "%");
}

int slds_account_college(slds_store *s, int grad_year, double credits_needed,
                         const slds_account_filter *f, slds_account_tables *out, slds_buf *chart,
                         slds_error *err)
{
    if (f && slds_account_filter_check(f, err))
        return err->code;
    if (!(credits_needed > 0))
        return slds_fail(err, SLDS_ERR_USAGE, "college: --credits must be above 0");
    slds_intern places = {0};
    acct_cells cs = {.places = &places};
    slds_cursor grads = {0}, post = {0};
    int rc = slds_cursor_open(&grads, s,
                              "SELECT e.student_id, e.exit_date, e.school_id, s.lea_id, a.race_ethnicity,"
                              " a.econ_disadvantaged, a.disability, a.english_learner FROM enrollments e"
                              " JOIN schools s ON s.school_id = e.school_id LEFT JOIN student_attributes a"
                              " ON a.student_id = e.student_id AND a.school_year = e.school_year"
                              " WHERE e.school_year = ?1 AND e.exit_code = 'GRADUATED_REGULAR'",
                              err);
    rc = rc ? rc
            : slds_cursor_open(&post, s,
                               "SELECT institution_level, remedial, credits_earned_first_two_years FROM"
                               " postsecondary WHERE student_id = ?1 AND enrollment_date > ?2 AND"
                               " enrollment_date <= ?3 ORDER BY enrollment_date, institution_id",
                               err);
    if (!rc)
        slds_cursor_bind_int(&grads, 1, grad_year);
    int step = 0;
    long long total = 0;
    while (!rc && (step = slds_cursor_step(&grads, err)) == 1) {
        const char *student = slds_cursor_text(&grads, 0), *date = slds_cursor_text(&grads, 1);
        const char *school = slds_cursor_text(&grads, 2), *lea = slds_cursor_text(&grads, 3);
        long long v[NV] = {[V_GRADUATES] = 1};
        if ((rc = college_of(&post, student ? student : "", date ? date : "", credits_needed, v, err)))
            break;
        uint32_t sid = slds_intern_add(&places, school ? school : "", school ? strlen(school) : 0);
        uint32_t lid = slds_intern_add(&places, lea ? lea : "", lea ? strlen(lea) : 0);
        if (sid == SLDS_NO_ID || lid == SLDS_NO_ID) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "college: out of memory");
            break;
        }
        uint16_t g = acct_groups(slds_cursor_text(&grads, 4), slds_cursor_text(&grads, 5),
                                 slds_cursor_text(&grads, 6), slds_cursor_text(&grads, 7));
        rc = acct_cells_add(&cs, f, g, lid, sid, v, NV, err);
        total++;
    }
    if (!rc && step < 0)
        rc = err->code;
    slds_cursor_close(&grads);
    slds_cursor_close(&post);
    if (!rc && !total)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "college: no regular graduates in school year %d",
                       grad_year);
    slds_table *t = NULL;
    if (!rc) {
        acct_cells_sort(&cs);
        rc = college_table(grad_year, &cs, &t, err);
        if (!rc) {
            rc = slds_account_tables_add(out, t, err);
            t = NULL;
        }
    }
    if (!rc && chart && college_chart(grad_year, &cs, chart))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "college: out of memory");
    slds_table_free(t);
    acct_cells_free(&cs);
    slds_intern_free(&places);
    return rc;
}
