/* test_date.c - unit tests of core's dates (src/core/date.c): day numbers
 * of known dates (computed independently with Python's datetime), leap
 * years (2000 and 2024 are, 1900 and 2100 are not), the round trip through
 * civil_from_days, weekdays, and the dates parse refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/core.h"

static void test_known_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(slds_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(slds_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(slds_days_from_civil(2000, 1, 1), 10957);
    assert_int_equal(slds_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(slds_days_from_civil(1900, 2, 28), -25509);
    assert_int_equal(slds_days_from_civil(1900, 3, 1), -25508); /* 1900 has no Feb 29 */
    assert_int_equal(slds_days_from_civil(1600, 3, 1), -135080);
    assert_int_equal(slds_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(slds_days_from_civil(9999, 12, 31), 2932896);
    assert_int_equal(slds_days_from_civil(1, 1, 1), -719162);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (int64_t z = slds_days_from_civil(1, 1, 1); z <= slds_days_from_civil(9999, 12, 31);
         z += 7) {
        int y, m, d;
        slds_civil_from_days(z, &y, &m, &d);
        assert_true(slds_date_valid(y, m, d));
        assert_int_equal(slds_days_from_civil(y, m, d), z);
    }
    int y, m, d;
    slds_civil_from_days(11016, &y, &m, &d); /* the day before 2000-03-01 */
    assert_int_equal(y, 2000);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_true(slds_date_valid(2000, 2, 29));
    assert_true(slds_date_valid(2024, 2, 29));
    assert_false(slds_date_valid(1900, 2, 29));
    assert_false(slds_date_valid(2100, 2, 29));
    assert_false(slds_date_valid(2023, 2, 29));
    assert_int_equal(slds_days_from_civil(2001, 1, 1) - slds_days_from_civil(2000, 1, 1), 366);
    assert_int_equal(slds_days_from_civil(1901, 1, 1) - slds_days_from_civil(1900, 1, 1), 365);
}

static void test_weekdays(void **state)
{
    (void)state;
    assert_int_equal(slds_weekday(0), 3);                                  /* Thursday */
    assert_int_equal(slds_weekday(slds_days_from_civil(2021, 5, 5)), 2);   /* Wednesday */
    assert_int_equal(slds_weekday(slds_days_from_civil(1900, 1, 1)), 0);   /* Monday */
    assert_int_equal(slds_weekday(slds_days_from_civil(1969, 12, 28)), 6); /* Sunday */
}

static void test_parse_and_format(void **state)
{
    (void)state;
    int64_t z = 12345;
    assert_true(slds_date_parse("2024-02-29", 10, &z));
    assert_int_equal(z, 19782);
    assert_true(slds_date_parse("1970-01-01", 10, &z));
    assert_int_equal(z, 0);
    char out[11];
    slds_date_format(19782, out);
    assert_string_equal(out, "2024-02-29");
    slds_date_format(-25508, out);
    assert_string_equal(out, "1900-03-01");
    slds_date_format(-1, out);
    assert_string_equal(out, "1969-12-31");
    static const char *const bad[] = {"1900-02-29", "2023-02-29", "2024-13-01", "2024-00-10",
                                      "2024-04-31", "2024-04-00", "2024-4-01",  "2024/04/01",
                                      "24-04-2024", "2024-04-1a", "",           "2024-04-011"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        z = 777;
        assert_false(slds_date_parse(bad[k], strlen(bad[k]), &z));
        assert_int_equal(z, 777); /* untouched */
    }
    assert_false(slds_date_parse("2024-04-01", 9, &z)); /* the length counts */
    assert_false(slds_date_parse(NULL, 10, &z));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_day_numbers), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_leap_years),        cmocka_unit_test(test_weekdays),
        cmocka_unit_test(test_parse_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
