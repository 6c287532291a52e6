/* test_privacy.c - public-reporting suppression on small tables computed by
 * hand: primary suppression of small groups and small counts, complementary
 * suppression across sibling rows and across the parts of a total, a case
 * that needs two rounds, the fixed point, and rule 7's intervals
 * (invariants I1-I6, I9 of src/privacy/privacy.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "privacy/privacy.h"

static slds_privacy_rules rules10(void)
{
    slds_privacy_rules r;
    slds_privacy_rules_default(&r);
    assert_int_equal(r.min_n, 10);
    return r;
}

/* A table of groups: level (partition), group (plain), then the columns given. */
static slds_table *groups(const slds_column_spec *extra, int nextra)
{
    slds_column_spec cols[8] = {{.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
                                {.name = "group", .type = SLDS_CELL_TEXT}};
    memcpy(cols + 2, extra, (size_t)nextra * sizeof *extra);
    slds_table *t;
    slds_error err = {0};
    assert_int_equal(slds_table_new(&t, "g", NULL, cols, 2 + nextra, &err), SLDS_OK);
    return t;
}

/* Adds a row: level, group, then integers for the extra columns. */
static void row(slds_table *t, const char *level, const char *group, int n, ...)
{
    slds_error err = {0};
    assert_int_equal(slds_table_add_row(t, &err), SLDS_OK);
    slds_table_set_text(t, 0, level, &err);
    slds_table_set_text(t, 1, group, &err);
    va_list ap;
    va_start(ap, n);
    for (int c = 0; c < n; c++) {
        int v = va_arg(ap, int);
        if (slds_table_column(t, 2 + c)->type == SLDS_CELL_REAL)
            slds_table_set_real(t, 2 + c, v, &err);
        else
            slds_table_set_integer(t, 2 + c, v, &err);
    }
    va_end(ap);
    assert_int_equal(slds_table_status(t), SLDS_OK);
}

/* The suppression marks of row r as a string of 0/1 over all columns. */
static void expect_marks(const slds_table *t, size_t r, const char *want)
{
    char got[16] = {0};
    for (int c = 0; c < slds_table_ncols(t); c++)
        got[c] = slds_table_is_suppressed(t, r, c) ? '1' : '0';
    if (strcmp(got, want))
        fail_msg("row %zu: suppressed %s, expected %s", r, got, want);
}

static void test_primary_rows(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "count", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
        {.name = "mean", .type = SLDS_CELL_REAL, .decimals = 1, .role = SLDS_ROLE_STATISTIC}};
    slds_table *t = groups(cols, 3);
    row(t, "school", "A", 3, 5, 3, 40);   /* n 5 < 10: every figure hidden (I1) */
    row(t, "district", "B", 3, 20, 12, 50);
    row(t, "state", "C", 3, 10, 10, 60);  /* n 10 is not below 10 */
    slds_privacy_rules r = rules10();
    slds_privacy_result res;
    slds_error err = {0};
    assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK);
    expect_marks(t, 0, "00111");
    expect_marks(t, 1, "00000");
    expect_marks(t, 2, "00000");
    assert_int_equal(res.primary, 3);
    assert_int_equal(res.secondary, 0);
    /* rendered: "*" in CSV, null in JSON; the group label stays */
    char cell[32];
    assert_string_equal(slds_table_cell_text(t, 0, 2, cell, sizeof cell), "*");
    assert_string_equal(slds_table_cell_text(t, 0, 1, cell, sizeof cell), "A");
    json_t *j = slds_table_json(t);
    assert_true(json_is_null(json_object_get(json_array_get(j, 0), "mean")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 1), "n")), 20);
    json_decref(j);
    slds_table_free(t);
}

static void test_primary_small_counts(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "passed", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
        {.name = "failed", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
        {.name = "pass_rate", .type = SLDS_CELL_REAL, .decimals = 2, .role = SLDS_ROLE_STATISTIC,
         .derives_from = "passed"},
        {.name = "mean", .type = SLDS_CELL_REAL, .decimals = 1, .role = SLDS_ROLE_STATISTIC}};
    slds_table *t = groups(cols, 5);
    row(t, "state", "S", 5, 30, 4, 0, 0, 55); /* passed 4: hidden (I2), its rate too (I5); 0 shown */
    slds_privacy_rules r = rules10();
    slds_privacy_result res;
    slds_error err = {0};
    assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK);
    expect_marks(t, 0, "0001010");
    assert_int_equal(res.primary, 1);
    assert_int_equal(res.secondary, 1);
    slds_table_free(t);
}

static void test_complementary_rows(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "mean", .type = SLDS_CELL_REAL, .decimals = 1, .role = SLDS_ROLE_STATISTIC}};
    slds_table *t = groups(cols, 2);
    row(t, "school", "s1", 2, 50, 51);
    row(t, "school", "s2", 2, 8, 52);  /* primary */
    row(t, "school", "s3", 2, 30, 53); /* smallest shown sibling: complementary (I3) */
    row(t, "school", "s4", 2, 40, 54);
    row(t, "state", "all", 2, 128, 55); /* 128 - 50 - 40 = 38 = s2 + s3, not s2 alone */
    slds_privacy_rules r = rules10();
    slds_privacy_result res;
    slds_error err = {0};
    assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK);
    expect_marks(t, 0, "0000");
    expect_marks(t, 1, "0011");
    expect_marks(t, 2, "0011");
    expect_marks(t, 3, "0000");
    expect_marks(t, 4, "0000");
    assert_int_equal(res.primary, 2);
    assert_int_equal(res.secondary, 2); /* s3's n, then its mean */
    assert_int_equal(res.rounds, 2);    /* n in round 1, its mean (derived) in round 2 */
    slds_table_free(t);
}

static void test_complementary_columns(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "boys", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"},
        {.name = "girls", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"},
        {.name = "other", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"}};
    slds_table *t = groups(cols, 4);
    row(t, "state", "S", 4, 40, 25, 12, 3); /* other 3 hidden; girls 12 = smallest shown part (I4) */
    slds_privacy_rules r = rules10();
    slds_privacy_result res;
    slds_error err = {0};
    assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK);
    expect_marks(t, 0, "000011");
    assert_int_equal(res.primary, 1);
    assert_int_equal(res.secondary, 1);
    assert_int_equal(res.rounds, 1);
    slds_table_free(t);
}

/* By hand (min 10): primary hides s1.a (5).
 * Round 1, rows: column a has only s1 hidden -> smallest shown a: s2 (15).
 *          columns: s1 has a hidden -> smallest of b 20, c 35: s1.b;
 *                   s2 has a hidden -> smallest of b 30, c 25: s2.c.
 * Round 2, rows: column b has only s1 hidden -> smallest shown b: s3 (22);
 *                column c has only s2 hidden -> smallest shown c: s3 (18).
 *          columns: every row has two parts hidden.
 * Round 3 changes nothing: two rounds suppressed something. */
static void test_two_rounds(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "a", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"},
        {.name = "b", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"},
        {.name = "c", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"}};
    slds_table *t = groups(cols, 4);
    row(t, "school", "s1", 4, 60, 5, 20, 35);
    row(t, "school", "s2", 4, 70, 15, 30, 25);
    row(t, "school", "s3", 4, 80, 40, 22, 18);
    slds_privacy_rules r = rules10();
    slds_privacy_result res;
    slds_error err = {0};
    assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK);
    expect_marks(t, 0, "000110");
    expect_marks(t, 1, "000101");
    expect_marks(t, 2, "000011");
    assert_int_equal(res.primary, 1);
    assert_int_equal(res.secondary, 5);
    assert_int_equal(res.rounds, 2);
    slds_table_free(t);
}

static void test_fixed_point(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "a", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"},
        {.name = "b", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"}};
    slds_table *t = groups(cols, 3);
    row(t, "school", "s1", 3, 9, 4, 5);
    row(t, "school", "s2", 3, 30, 12, 18);
    row(t, "school", "s3", 3, 31, 20, 11);
    slds_privacy_rules r = rules10();
    slds_privacy_result res;
    slds_error err = {0};
    assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK);
    assert_true(res.primary + res.secondary > 0);
    assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK); /* I6 */
    assert_int_equal(res.primary + res.secondary, 0);
    assert_int_equal(res.rounds, 0);
    /* values and labels unchanged */
    assert_int_equal(slds_table_integer(t, 1, 3), 12);
    assert_string_equal(slds_table_text(t, 2, 1), "s3");
    for (size_t i = 0; i < 3; i++)
        for (int c = 0; c < 2; c++)
            assert_false(slds_table_is_suppressed(t, i, c));
    slds_table_free(t);
}

static void test_errors(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "m", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE}};
    slds_table *t = groups(cols, 2);
    slds_privacy_rules r = {.min_n = 0};
    slds_error err = {0};
    assert_int_equal(slds_privacy_suppress(t, &r, NULL, &err), SLDS_ERR_USAGE);
    r.min_n = 10;
    assert_int_equal(slds_privacy_suppress(t, &r, NULL, &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "two group sizes"));
    slds_table_free(t);
    /* a statistic must derive from a count of the table */
    static const slds_column_spec bad[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "rate", .type = SLDS_CELL_REAL, .role = SLDS_ROLE_STATISTIC, .derives_from = "x"}};
    assert_int_equal(slds_table_new(&t, "bad", NULL, bad, 2, &err), SLDS_ERR_USAGE);
    assert_null(t);
}

/* Rule 7 (I5, I9): a school of 60 whose 2 untested students hide its count
 * tested (rule 1, then rule 4) still shows its rates, coarsened: the
 * participation 96.7 % "≥95%" (rule 6, 60 students shown: band 40-99, b 5)
 * and the proficiency 25 / 58 = 43.1 % "40-45%" (rule 7: 58 tested, b 5),
 * its numerator 25 hidden (with 40-45 % it would pin 58: 25 / 0.45 = 55.6 to
 * 25 / 0.40 = 62.5, with "≥95%" of 60 = 57-60, leaves 57-60: not one).
 * A second school of 60 with 4 untested and 8 proficient of 56 (14.3 %):
 * "≤20%" ("≤" the rate of 9 of 56 = 16.1 %, on the step 5) and its
 * participation 93.3 % "90-95%". Without the bands (--no-ranges) nothing is
 * coded and the rates are suppressed as before. */
static void test_intervals(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "tested", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"},
        {.name = "participation", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1,
         .role = SLDS_ROLE_STATISTIC, .derives_from = "tested", .denominator = "n"},
        {.name = "not_tested", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT, .sums_to = "n"},
        {.name = "proficient", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_COUNT},
        {.name = "rate", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1,
         .role = SLDS_ROLE_STATISTIC, .derives_from = "proficient", .denominator = "tested"}};
    for (int ranges = 1; ranges >= 0; ranges--) {
        slds_table *t = groups(cols, 6);
        slds_error err = {0};
        row(t, "school", "A", 6, 60, 58, 0, 2, 25, 0);
        slds_table_set_real(t, 4, 100.0 * 58 / 60, &err);
        slds_table_set_real(t, 7, 100.0 * 25 / 58, &err);
        row(t, "school", "B", 6, 60, 56, 0, 4, 8, 0);
        slds_table_set_real(t, 4, 100.0 * 56 / 60, &err);
        slds_table_set_real(t, 7, 100.0 * 8 / 56, &err);
        slds_privacy_rules r = rules10();
        if (!ranges)
            r.nbands = 0;
        slds_privacy_result res;
        assert_int_equal(slds_privacy_suppress(t, &r, &res, &err), SLDS_OK);
        char buf[32];
        if (ranges) {
            /* A: n shown; tested, not_tested, proficient hidden; both rates coded */
            expect_marks(t, 0, "00010110");
            assert_string_equal(slds_table_cell_text(t, 0, 4, buf, sizeof buf), "\u226595%");
            assert_string_equal(slds_table_cell_text(t, 0, 7, buf, sizeof buf), "40-45%");
            double lo, hi;
            assert_true(slds_table_interval(t, 0, 7, &lo, &hi));
            assert_true(lo == 40 && hi == 45);
            assert_int_equal(slds_table_range(t, 0, 7, NULL), 2);
            /* B: 93.3 % participation, tested hidden: the interval 90-95 of its band
             * (60: b 5); 8 proficient (a small count) of 56: "≤20%" */
            expect_marks(t, 1, "00010110");
            assert_string_equal(slds_table_cell_text(t, 1, 4, buf, sizeof buf), "90-95%");
            assert_string_equal(slds_table_cell_text(t, 1, 7, buf, sizeof buf), "\u226420%");
            assert_int_equal(res.intervals, 3);
            assert_int_equal(res.ranges, 1);
        } else {
            /* the rules before rule 7: the rates follow their hidden counts */
            expect_marks(t, 0, "00011111");
            expect_marks(t, 1, "00011111");
            assert_int_equal(res.intervals, 0);
        }
        /* a second pass adds nothing (I6) */
        slds_privacy_result again;
        assert_int_equal(slds_privacy_suppress(t, &r, &again, &err), SLDS_OK);
        assert_int_equal(again.primary + again.secondary + again.ranges + again.intervals, 0);
        slds_table_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primary_rows),          cmocka_unit_test(test_primary_small_counts),
        cmocka_unit_test(test_complementary_rows),    cmocka_unit_test(test_complementary_columns),
        cmocka_unit_test(test_two_rounds),            cmocka_unit_test(test_fixed_point),
        cmocka_unit_test(test_errors),                cmocka_unit_test(test_intervals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
