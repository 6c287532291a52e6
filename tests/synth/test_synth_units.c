/* test_synth_units.c - unit tests of the synthetic state generator's pure
 * parts: the PRNG (reference value, determinism, ranges, distributions), the
 * keyed id permutation, civil dates and school calendars, the CSV writer's
 * number/date/text formatting, the bad values of --dirty, the model's
 * nominal means and cut scores, parameter checks, and a tiny end-to-end run
 * through the library API that must repeat itself exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "synth/calendar.h"
#include "synth/csvout.h"
#include "synth/dirty.h"
#include "synth/model.h"
#include "synth/rng.h"
#include "synth/synth.h"

/* ---- PRNG ---------------------------------------------------------------- */

static void test_splitmix_reference(void **state)
{
    (void)state;
    uint64_t s = 0;
    /* The published first output of splitmix64 from state 0. */
    assert_true(synth_splitmix64(&s) == 0xE220A8397B1DCDAFull);
}

static void test_rng_deterministic(void **state)
{
    (void)state;
    synth_rng a, b, other;
    synth_rng_seed(&a, 1, 1, 0);
    synth_rng_seed(&b, 1, 1, 0);
    synth_rng_seed(&other, 1, 2, 0);
    /* Pinned values: a change here changes every generated state. */
    static const uint64_t pinned[3] = {0xc2945f213431795dull, 0x0eb3fe3522889351ull, 0x649353c670164938ull};
    int same_as_other = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = synth_next(&a);
        if (i < 3)
            assert_true(x == pinned[i]);
        assert_true(x == synth_next(&b));
        same_as_other += x == synth_next(&other);
    }
    assert_int_equal(same_as_other, 0);
}

static void test_rng_ranges(void **state)
{
    (void)state;
    synth_rng r;
    synth_rng_seed(&r, 99, 3, 4);
    int counts[7] = {0};
    for (int i = 0; i < 70000; i++) {
        double u = synth_uniform(&r);
        assert_true(u >= 0 && u < 1);
        uint32_t k = synth_below(&r, 7);
        assert_true(k < 7);
        counts[k]++;
        int v = synth_range(&r, -3, 3);
        assert_true(v >= -3 && v <= 3);
    }
    for (int k = 0; k < 7; k++)
        assert_true(counts[k] > 9300 && counts[k] < 10700);
    assert_int_equal(synth_range(&r, 5, 5), 5);
}

static void test_rng_distributions(void **state)
{
    (void)state;
    synth_rng r;
    synth_rng_seed(&r, 5, 6, 7);
    double sum = 0, sq = 0, psum = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double z = synth_normal(&r);
        sum += z;
        sq += z * z;
        psum += synth_poisson(&r, 2.5);
    }
    double mean = sum / n, var = sq / n - mean * mean;
    assert_true(mean > -0.01 && mean < 0.01);
    assert_true(var > 0.98 && var < 1.02);
    assert_true(psum / n > 2.47 && psum / n < 2.53);
    double cum[3] = {1, 1, 4}; /* weights 1, 0, 3 */
    int picks[3] = {0};
    for (int i = 0; i < 40000; i++)
        picks[synth_pick_cumulative(&r, cum, 3)]++;
    assert_int_equal(picks[1], 0);
    assert_true(picks[2] > 2.8 * picks[0] && picks[2] < 3.2 * picks[0]);
}

static void test_permutation(void **state)
{
    (void)state;
    assert_int_equal(synth_permute_billion(42, 0), 392974463u);
    assert_int_equal(synth_permute_billion(42, 1), 273324571u);
    /* Distinct and in range over a block; another key gives other values. */
    enum { N = 200000 };
    uint32_t *seen = malloc(N * sizeof *seen);
    assert_non_null(seen);
    int moved = 0;
    for (uint32_t x = 0; x < N; x++) {
        seen[x] = synth_permute_billion(7, x);
        assert_true(seen[x] < 1000000000u);
        moved += seen[x] != synth_permute_billion(8, x);
    }
    assert_true(moved > N - 10);
    /* Sort and look for duplicates. */
    for (uint32_t gap = N / 2; gap > 0; gap /= 2) /* shell sort, no qsort callback needed */
        for (uint32_t i = gap; i < N; i++)
            for (uint32_t j = i; j >= gap && seen[j - gap] > seen[j]; j -= gap) {
                uint32_t t = seen[j];
                seen[j] = seen[j - gap];
                seen[j - gap] = t;
            }
    for (uint32_t i = 1; i < N; i++)
        assert_true(seen[i] != seen[i - 1]);
    free(seen);
}

/* ---- Dates and calendars ---------------------------------------------------- */

static void test_school_calendar(void **state)
{
    (void)state;
    synth_calendar cal;
    assert_int_equal(synth_calendar_init(&cal, 2024), 0);
    assert_int_equal(cal.first_day, (int32_t)slds_days_from_civil(2023, 8, 21)); /* Aug 20 2023 was a Sunday */
    assert_int_equal(cal.last_day, (int32_t)slds_days_from_civil(2024, 6, 10));
    assert_true(cal.n_days >= 180 && cal.n_days <= 200);
    assert_int_equal(synth_school_days(&cal, cal.first_day, cal.last_day), cal.n_days);
    assert_int_equal(synth_school_days(&cal, cal.first_day - 100, cal.last_day + 100), cal.n_days);
    assert_int_equal(synth_school_days(&cal, cal.last_day, cal.first_day), 0);
    assert_false(synth_is_school_day(&cal, (int32_t)slds_days_from_civil(2023, 11, 23))); /* Thanksgiving */
    assert_false(synth_is_school_day(&cal, (int32_t)slds_days_from_civil(2023, 12, 27)));
    assert_false(synth_is_school_day(&cal, (int32_t)slds_days_from_civil(2024, 1, 13)));  /* Saturday */
    assert_true(synth_is_school_day(&cal, (int32_t)slds_days_from_civil(2024, 1, 10)));
    for (int i = 0; i < cal.n_days; i++) {
        assert_true(synth_is_school_day(&cal, cal.day_at[i]));
        assert_int_equal(synth_day_index(&cal, cal.day_at[i]), i);
        if (i)
            assert_true(cal.day_at[i] > cal.day_at[i - 1]);
    }
    assert_int_equal(synth_day_index(&cal, cal.last_day + 1), cal.n_days);
    synth_calendar_free(&cal);
}

/* ---- CSV writer ---------------------------------------------------------------- */

static const synth_column test_cols[] = {{"a", SYNTH_COL_KEEP}, {"b", SYNTH_COL_KEEP}};
static const synth_schema test_schema = {"test.csv", test_cols, 2};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_csv_formatting(void **state)
{
    (void)state;
    char path[] = "/tmp/synth_csv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    synth_csv f;
    assert_int_equal(synth_csv_open(&f, path, &test_schema), 0);
    synth_csv_fixed(&f, 1.0, 2);
    synth_csv_fixed(&f, -0.005, 2);
    synth_csv_end_row(&f);
    synth_csv_fixed(&f, 0.125, 2);
    synth_csv_fixed(&f, 3.14159, 0);
    synth_csv_end_row(&f);
    synth_csv_int(&f, -42);
    synth_csv_uint(&f, 18446744073709551615ull);
    synth_csv_end_row(&f);
    synth_csv_text(&f, "O'Brien, \"Jr\"");
    synth_csv_date(&f, (int32_t)slds_days_from_civil(2023, 2, 28));
    synth_csv_end_row(&f);
    synth_csv_code_id(&f, 'S', 42, 5);
    synth_csv_datetime(&f, (int32_t)slds_days_from_civil(2023, 10, 1), 9 * 3600 + 5 * 60 + 7);
    synth_csv_end_row(&f);
    synth_csv_blank(&f);
    synth_csv_text(&f, "Muñoz");
    synth_csv_end_row(&f);
    assert_int_equal(f.rows, 6);
    assert_int_equal(synth_csv_close(&f), 0);
    assert_string_equal(slurp(path), "a,b\n"
                                     "1.00,-0.01\n"
                                     "0.13,3\n"
                                     "-42,18446744073709551615\n"
                                     "\"O'Brien, \"\"Jr\"\"\",2023-02-28\n"
                                     "S00042,2023-10-01T09:05:07\n"
                                     ",Muñoz\n");
    unlink(path);
}

/* ---- Dirty values ------------------------------------------------------------- */

static int valid_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3 || s[4] != '-')
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
}

static void test_dirty_values(void **state)
{
    (void)state;
    synth_rng r;
    synth_rng_seed(&r, 3, 3, 3);
    char bad[64];
    for (int i = 0; i < 200; i++) {
        assert_non_null(synth_dirty_value(SYNTH_COL_DATE, "2023-05-04", 2023, &r, bad));
        assert_false(valid_date(bad));
        assert_non_null(synth_dirty_value(SYNTH_COL_DATETIME, "2023-05-04T10:00:00", 2023, &r, bad));
        assert_false(valid_date(bad));
        assert_non_null(synth_dirty_value(SYNTH_COL_STUDENT, "1000000042", 2023, &r, bad));
        assert_true(bad[0] == '\0' || (bad[0] == '9' && strlen(bad) == 10));
        assert_non_null(synth_dirty_value(SYNTH_COL_SCHOOL, "S00001", 2023, &r, bad));
        assert_true(bad[0] == '\0' || strlen(bad) == 8);
        assert_non_null(synth_dirty_value(SYNTH_COL_YEAR, "2023", 2023, &r, bad));
        assert_string_not_equal(bad, "2023");
    }
    assert_non_null(synth_dirty_value(SYNTH_COL_CODE, "PROMOTED", 2023, &r, bad));
    assert_string_equal(bad, "PROMTED");
    assert_non_null(synth_dirty_value(SYNTH_COL_CODE, "", 2023, &r, bad));
    assert_string_equal(bad, "UNKNOWN");
    assert_non_null(synth_dirty_value(SYNTH_COL_SUBJECT, "MATH", 2023, &r, bad));
    assert_string_equal(bad, "math");
    assert_non_null(synth_dirty_value(SYNTH_COL_SCORE, "3.25", 2023, &r, bad));
    assert_string_equal(bad, "3,25");
    assert_non_null(synth_dirty_value(SYNTH_COL_SCORE, "410", 2023, &r, bad));
    assert_string_equal(bad, "41O");
    assert_non_null(synth_dirty_value(SYNTH_COL_LEVEL, "3", 2023, &r, bad));
    assert_true(!strcmp(bad, "5") || !strcmp(bad, "0"));
    assert_non_null(synth_dirty_value(SYNTH_COL_REQUIRED, "x", 2023, &r, bad));
    assert_string_equal(bad, "");
    assert_null(synth_dirty_value(SYNTH_COL_KEEP, "x", 2023, &r, bad));
    assert_true(synth_dirty_chance(0) == 0);
    assert_true(synth_dirty_chance(0.5) == 1.0);
    assert_true(synth_dirty_chance(0.2) > 0.2499 && synth_dirty_chance(0.2) < 0.2501);
}

/* ---- Model ------------------------------------------------------------------ */

static void test_model(void **state)
{
    (void)state;
    synth_model m;
    synth_model_default(&m);
    for (int s = 0; s < N_SUBJ; s++) {
        assert_true(synth_mu(&m, s, 3) > 399.99 && synth_mu(&m, s, 3) < 400.01);
        double prev = 1e9;
        for (int g = 4; g <= 8; g++) {
            double step = synth_mu(&m, s, g) - synth_mu(&m, s, g - 1);
            assert_true(step >= 25 && step <= 40 && step <= prev); /* decelerating */
            prev = step;
        }
        for (int g = 3; g <= 10; g++) {
            assert_true(synth_sd(&m, s, g) >= 30 && synth_sd(&m, s, g) <= 55);
            const int *cuts = m.cuts[s][GI(g)];
            assert_true(cuts[0] < cuts[1] && cuts[1] < cuts[2]);
            assert_int_equal(synth_level(cuts, cuts[0] - 1), 1);
            assert_int_equal(synth_level(cuts, cuts[0]), 2);
            assert_int_equal(synth_level(cuts, cuts[1]), 3);
            assert_int_equal(synth_level(cuts, cuts[2] + 100), 4);
        }
    }
    assert_true(synth_experience_effect(&m, 0) < synth_experience_effect(&m, 3));
    assert_true(synth_experience_effect(&m, 30) > -0.01);
}

static void test_params_check(void **state)
{
    (void)state;
    slds_synth_params p;
    slds_error err = {0};
    slds_synth_params_default(&p);
    assert_int_equal(p.first_year, 2021);
    assert_true(p.dirty == 0);
    assert_int_equal(slds_synth_params_check(&p, &err), SLDS_OK);
    p.students = 10;
    assert_int_equal(slds_synth_params_check(&p, &err), SLDS_ERR_USAGE);
    slds_synth_params_default(&p);
    p.years = 0;
    assert_int_equal(slds_synth_params_check(&p, &err), SLDS_ERR_USAGE);
    slds_synth_params_default(&p);
    p.dirty = 0.7;
    assert_int_equal(slds_synth_params_check(&p, &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "dirty"));
    assert_string_equal(slds_synth_file_name(SLDS_SYNTH_LEAS), "leas.csv");
    assert_string_equal(slds_synth_file_name(SLDS_SYNTH_ITEM_RESPONSES), "item_responses.csv");
    assert_string_equal(slds_synth_file_name(SLDS_SYNTH_FINANCE), "finance.csv");
    assert_null(slds_synth_file_name(SLDS_SYNTH_NFILES));
}

/* ---- End to end through the library -------------------------------------------- */

static void run_small(const char *dir, uint64_t seed, slds_synth_result *res)
{
    slds_synth_params p;
    slds_synth_params_default(&p);
    p.students = 400;
    p.years = 3;
    p.seed = seed;
    slds_error err = {0};
    int rc = slds_synth_run(&p, dir, NULL, res, &err);
    if (rc)
        fail_msg("slds_synth_run: %s", err.message);
}

static void test_end_to_end(void **state)
{
    (void)state;
    char dir[] = "/tmp/synth_units_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[64], b[64], c[64];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(c, sizeof c, "%s/c", dir);
    slds_synth_result ra, rb, rc;
    run_small(a, 11, &ra);
    run_small(b, 11, &rb);
    run_small(c, 12, &rc);
    int differs = 0;
    for (int k = 0; k < SLDS_SYNTH_NFILES; k++) {
        assert_true(ra.rows[k] > 0);
        assert_true(ra.rows[k] == rb.rows[k]);
        assert_int_equal(ra.dirty_rows[k], 0);
        differs += ra.rows[k] != rc.rows[k];
    }
    assert_true(differs > 0);
    assert_true(ra.enrolled_final_year > 300 && ra.enrolled_final_year < 500);
    /* An unwritable folder is an I/O error, not a crash. */
    slds_synth_params p;
    slds_synth_params_default(&p);
    p.students = 200;
    p.years = 1;
    slds_error err = {0};
    assert_int_equal(slds_synth_write(&p, "/proc/synth_cannot_write_here", NULL, &err), SLDS_ERR_IO);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix_reference), cmocka_unit_test(test_rng_deterministic),
        cmocka_unit_test(test_rng_ranges),         cmocka_unit_test(test_rng_distributions),
        cmocka_unit_test(test_permutation),
        cmocka_unit_test(test_school_calendar),    cmocka_unit_test(test_csv_formatting),
        cmocka_unit_test(test_dirty_values),       cmocka_unit_test(test_model),
        cmocka_unit_test(test_params_check),       cmocka_unit_test(test_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
