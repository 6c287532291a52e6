/* test_privacy_properties.c - public-reporting suppression as properties over
 * random tables shaped like a report (a state, its districts, their schools;
 * all students and two subgroups that partition them; counts that add up
 * along every declared total; a rate with its numerator and denominator):
 * for many random tables and minimum sizes,
 *   - no size or count of a group under N, and no count in (0, N), is shown;
 *   - along every declared total, every size or count column has 0 or at
 *     least 2 unknown cells (none derivable by subtraction), and no unknown
 *     cell is determined by the declared totals taken together (linear
 *     algebra over the unknowns);
 *   - a rate is a range exactly when rule 6 says (its denominator in a band,
 *     its value within the band's bottom or top), its numerator is then
 *     hidden, and no exact rate is shown with its numerator or denominator
 *     hidden;
 *   - a second pass changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/privacy.h"

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

enum { COL_LEVEL, COL_GROUP, COL_SUB, COL_N, COL_TESTED, COL_NOT_TESTED, COL_PROF, COL_RATE, NCOLS };
static const int additive[] = {COL_N, COL_TESTED, COL_NOT_TESTED, COL_PROF};

typedef struct counts {
    int n, tested, not_tested, prof;
} counts;

static counts add(counts a, counts b)
{
    return (counts){a.n + b.n, a.tested + b.tested, a.not_tested + b.not_tested, a.prof + b.prof};
}

static counts random_counts(int max)
{
    counts c;
    c.n = (int)rnd((uint32_t)max + 1);
    c.tested = c.n ? c.n - (int)rnd((uint32_t)(c.n / 4 + 1)) : 0;
    c.not_tested = c.n - c.tested;
    /* skew some groups towards 0 % or 100 % so ranges happen */
    int mode = (int)rnd(4);
    c.prof = mode == 0 ? 0 : mode == 1 ? c.tested : (int)rnd((uint32_t)c.tested + 1);
    return c;
}

static size_t add_row(slds_table *t, const char *level, const char *group, const char *sub, counts c)
{
    slds_error err = {0};
    assert_int_equal(slds_table_add_row(t, &err), SLDS_OK);
    slds_table_set_text(t, COL_LEVEL, level, &err);
    slds_table_set_text(t, COL_GROUP, group, &err);
    slds_table_set_text(t, COL_SUB, sub, &err);
    slds_table_set_integer(t, COL_N, c.n, &err);
    slds_table_set_integer(t, COL_TESTED, c.tested, &err);
    slds_table_set_integer(t, COL_NOT_TESTED, c.not_tested, &err);
    slds_table_set_integer(t, COL_PROF, c.prof, &err);
    slds_table_set_real(t, COL_RATE, c.tested ? 100.0 * c.prof / c.tested : NAN, &err);
    assert_int_equal(slds_table_status(t), SLDS_OK);
    return slds_table_nrows(t) - 1;
}

static void declare(slds_table *t, size_t total, const size_t *parts, size_t n)
{
    slds_error err = {0};
    assert_int_equal(slds_table_declare_total(t, total, parts, n, &err), SLDS_OK);
}

/* A state of nd districts with 1-4 schools each, subgroups all = A + B. */
static slds_table *random_table(void)
{
    static const slds_column_spec cols[NCOLS] = {
        {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "group_id", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "students", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "tested", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "students"},
        {.name = "not_tested", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "students"},
        {.name = "proficient", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
        {.name = "rate", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1,
         .role = SLDS_ROLE_STATISTIC, .derives_from = "proficient", .denominator = "tested"},
    };
    slds_table *t;
    slds_error err = {0};
    assert_int_equal(slds_table_new(&t, "random", NULL, cols, NCOLS, &err), SLDS_OK);
    int nd = 1 + (int)rnd(4);
    counts school[4][4][2], lea[4][2] = {{{0}}}, state[2] = {{0}};
    int nschools[4];
    for (int d = 0; d < nd; d++) {
        nschools[d] = 1 + (int)rnd(4);
        for (int s = 0; s < nschools[d]; s++)
            for (int g = 0; g < 2; g++) {
                school[d][s][g] = random_counts(rnd(3) ? 30 : 400);
                lea[d][g] = add(lea[d][g], school[d][s][g]);
            }
        for (int g = 0; g < 2; g++)
            state[g] = add(state[g], lea[d][g]);
    }
    /* rows: [unit][sub] with sub 0 all, 1 A, 2 B */
    size_t srow[3], lrow[4][3], scrow[4][4][3];
    char id[32];
    srow[0] = add_row(t, "state", "state", "all", add(state[0], state[1]));
    srow[1] = add_row(t, "state", "state", "A", state[0]);
    srow[2] = add_row(t, "state", "state", "B", state[1]);
    for (int d = 0; d < nd; d++) {
        snprintf(id, sizeof id, "L%d", d);
        lrow[d][0] = add_row(t, "lea", id, "all", add(lea[d][0], lea[d][1]));
        lrow[d][1] = add_row(t, "lea", id, "A", lea[d][0]);
        lrow[d][2] = add_row(t, "lea", id, "B", lea[d][1]);
        for (int s = 0; s < nschools[d]; s++) {
            snprintf(id, sizeof id, "S%d.%d", d, s);
            scrow[d][s][0] = add_row(t, "school", id, "all", add(school[d][s][0], school[d][s][1]));
            scrow[d][s][1] = add_row(t, "school", id, "A", school[d][s][0]);
            scrow[d][s][2] = add_row(t, "school", id, "B", school[d][s][1]);
        }
    }
    size_t parts[8];
    declare(t, srow[0], (size_t[]){srow[1], srow[2]}, 2);
    for (int sub = 0; sub < 3; sub++) {
        for (int d = 0; d < nd; d++)
            parts[d] = lrow[d][sub];
        declare(t, srow[sub], parts, (size_t)nd);
    }
    for (int d = 0; d < nd; d++) {
        declare(t, lrow[d][0], (size_t[]){lrow[d][1], lrow[d][2]}, 2);
        for (int sub = 0; sub < 3; sub++) {
            for (int s = 0; s < nschools[d]; s++)
                parts[s] = scrow[d][s][sub];
            declare(t, lrow[d][sub], parts, (size_t)nschools[d]);
        }
        for (int s = 0; s < nschools[d]; s++)
            declare(t, scrow[d][s][0], (size_t[]){scrow[d][s][1], scrow[d][s][2]}, 2);
    }
    return t;
}

/* Is unknown k determined by the declared totals of column col, given the
 * shown cells? Gaussian elimination over the unknowns: k is determined when
 * the unit vector e_k lies in the row space of the equations. */
static bool determined(const slds_table *t, int col, size_t k_row)
{
    size_t nrows = slds_table_nrows(t), nt = slds_table_ntotals(t);
    size_t *var = malloc(nrows * sizeof *var); /* row -> unknown index or -1 */
    size_t nv = 0, k = 0;
    for (size_t r = 0; r < nrows; r++) {
        var[r] = slds_table_is_suppressed(t, r, col) ? nv++ : (size_t)-1;
        if (r == k_row)
            k = var[r];
    }
    double *m = calloc((nt + 1) * nv, sizeof *m);
    size_t neq = 0;
    for (size_t i = 0; i < nt; i++) {
        const size_t *parts;
        size_t np;
        size_t total = slds_table_total(t, i, &parts, &np);
        double *row = &m[neq * nv];
        bool any = false;
        if (total != SLDS_TOTAL_ELSEWHERE && var[total] != (size_t)-1) {
            row[var[total]] -= 1;
            any = true;
        }
        for (size_t p = 0; p < np; p++)
            if (var[parts[p]] != (size_t)-1) {
                row[var[parts[p]]] += 1;
                any = true;
            }
        if (any)
            neq++;
    }
    /* rank of the equations, then of the equations plus e_k */
    int rank[2];
    for (int pass = 0; pass < 2; pass++) {
        size_t n = neq + (size_t)pass;
        double *a = malloc((n ? n : 1) * nv * sizeof *a);
        memcpy(a, m, neq * nv * sizeof *a);
        if (pass) {
            memset(&a[neq * nv], 0, nv * sizeof *a);
            a[neq * nv + k] = 1;
        }
        int r = 0;
        for (size_t c = 0; c < nv && (size_t)r < n; c++) {
            size_t piv = (size_t)r;
            for (size_t i = (size_t)r; i < n; i++)
                if (fabs(a[i * nv + c]) > fabs(a[piv * nv + c]))
                    piv = i;
            if (fabs(a[piv * nv + c]) < 1e-9)
                continue;
            for (size_t j = 0; j < nv; j++) {
                double tmp = a[piv * nv + j];
                a[piv * nv + j] = a[(size_t)r * nv + j];
                a[(size_t)r * nv + j] = tmp;
            }
            for (size_t i = 0; i < n; i++) {
                if (i == (size_t)r)
                    continue;
                double f = a[i * nv + c] / a[(size_t)r * nv + c];
                for (size_t j = 0; j < nv; j++)
                    a[i * nv + j] -= f * a[(size_t)r * nv + j];
            }
            r++;
        }
        rank[pass] = r;
        free(a);
    }
    free(m);
    free(var);
    return rank[0] == rank[1];
}

static double band_bottom(const slds_privacy_rules *r, double d)
{
    for (int b = 0; b < r->nbands; b++)
        if (d >= r->bands[b].min_n)
            return r->bands[b].bottom;
    return -1;
}

static size_t intervals; /* rates coded by rule 7, over every table checked */

static void check_properties(slds_table *t, const slds_privacy_rules *rules, size_t *linear_failures)
{
    size_t nrows = slds_table_nrows(t);
    for (size_t r = 0; r < nrows; r++) {
        double n = slds_table_real(t, r, COL_N);
        for (size_t i = 0; i < sizeof additive / sizeof additive[0]; i++) {
            int c = additive[i];
            if (slds_table_is_suppressed(t, r, c))
                continue;
            double v = slds_table_real(t, r, c);
            assert_false(n < rules->min_n);              /* I1 */
            assert_false(v > 0 && v < rules->min_n);     /* I2 */
        }
        if (!slds_table_is_suppressed(t, r, COL_RATE) && !slds_table_is_blank(t, r, COL_RATE)) {
            double v = slds_table_real(t, r, COL_RATE), bound, lo, hi;
            int coded = slds_table_range(t, r, COL_RATE, &bound);
            double d = slds_table_real(t, r, COL_TESTED), x = slds_table_real(t, r, COL_PROF);
            double b = band_bottom(rules, d);
            bool zone = b >= 0 && (v <= b || v >= 100 - b);
            bool tested_shown = !slds_table_is_suppressed(t, r, COL_TESTED);
            assert_false(slds_table_is_suppressed(t, r, COL_N)); /* I1 */
            if (!coded) {
                /* I8: an exact rate has both its counts shown, outside the zone */
                assert_true(tested_shown && !slds_table_is_suppressed(t, r, COL_PROF));
                assert_false(zone);
                continue;
            }
            /* I8, I9: coded, its numerator hidden, over at least the minimum */
            assert_true(slds_table_is_suppressed(t, r, COL_PROF));
            assert_true(d >= rules->min_n || (tested_shown && zone));
            if (tested_shown && zone) /* rule 6 where it applies */
                assert_true(coded < 0 ? (v <= bound && bound == b) : (v >= bound && bound == 100 - b));
            else if (slds_table_interval(t, r, COL_RATE, &lo, &hi)) {
                assert_true(lo <= v && v <= hi && hi - lo == b && lo > 0 && hi < 100);
                /* I9: at least two numerators fit the interval */
                assert_true(floor(hi * d / 100) - ceil(lo * d / 100) + 1 >= 2);
            } else if (coded < 0) {
                /* rule 7 at the bottom: at least 2 numerators (0 and 1) fit, x among them */
                assert_true(v <= bound && bound * d / 100 >= 1 && x <= bound * d / 100 + 1e-9);
            } else
                assert_true(v >= bound && (100 - bound) * d / 100 >= 1);
            intervals += !(tested_shown && zone);
        }
    }
    /* I7: along every declared total, 0 or >= 2 unknown cells per column */
    for (size_t i = 0; i < slds_table_ntotals(t); i++) {
        const size_t *parts;
        size_t np;
        size_t total = slds_table_total(t, i, &parts, &np);
        for (size_t a = 0; a < sizeof additive / sizeof additive[0]; a++) {
            int c = additive[a];
            size_t hidden = total != SLDS_TOTAL_ELSEWHERE && slds_table_is_suppressed(t, total, c);
            for (size_t p = 0; p < np; p++)
                hidden += slds_table_is_suppressed(t, parts[p], c);
            assert_true(hidden == 0 || hidden >= 2);
        }
    }
    /* stronger: no unknown determined by all the totals together */
    for (size_t a = 0; a < sizeof additive / sizeof additive[0]; a++)
        for (size_t r = 0; r < nrows; r++)
            if (slds_table_is_suppressed(t, r, additive[a]) && determined(t, additive[a], r))
                (*linear_failures)++;
}

static void test_random_tables(void **state)
{
    (void)state;
    rng_state = 20261205;
    size_t linear_failures = 0, ranges = 0, suppressed = 0;
    for (int iter = 0; iter < 400; iter++) {
        slds_table *t = random_table();
        slds_privacy_rules rules;
        slds_privacy_rules_default(&rules);
        rules.min_n = 5 + (int)rnd(11);
        slds_privacy_result res;
        slds_error err = {0};
        assert_int_equal(slds_privacy_suppress(t, &rules, &res, &err), SLDS_OK);
        ranges += res.ranges;
        suppressed += res.primary + res.secondary;
        check_properties(t, &rules, &linear_failures);
        /* a second pass adds nothing */
        slds_privacy_result again;
        assert_int_equal(slds_privacy_suppress(t, &rules, &again, &err), SLDS_OK);
        assert_int_equal(again.primary + again.secondary + again.ranges, 0);
        slds_table_free(t);
    }
    /* the generator exercises every rule */
    fprintf(stderr, "ranges %zu, rule-7 intervals %zu, suppressed %zu\n", ranges, intervals, suppressed);
    assert_true(ranges > 100);
    assert_true(intervals > 100);
    assert_true(suppressed > 1000);
    if (linear_failures)
        fprintf(stderr, "cells determined by the totals together: %zu\n", linear_failures);
    assert_int_equal(linear_failures, 0);
}

/* With the ranges off (nbands 0), no rate is ever coded. */
static void test_ranges_off(void **state)
{
    (void)state;
    rng_state = 7;
    for (int iter = 0; iter < 50; iter++) {
        slds_table *t = random_table();
        slds_privacy_rules rules;
        slds_privacy_rules_default(&rules);
        rules.nbands = 0;
        slds_privacy_result res;
        slds_error err = {0};
        assert_int_equal(slds_privacy_suppress(t, &rules, &res, &err), SLDS_OK);
        assert_int_equal(res.ranges, 0);
        for (size_t r = 0; r < slds_table_nrows(t); r++)
            assert_int_equal(slds_table_range(t, r, COL_RATE, NULL), 0);
        slds_table_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_tables),
                                       cmocka_unit_test(test_ranges_off)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
