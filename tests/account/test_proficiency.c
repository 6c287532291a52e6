/* test_proficiency.c - the achievement cube and the per-school proficiency
 * of src/account on the hand-built collection tests/data/achievement (its
 * README.md says how every number below was computed): a student at exactly
 * level 3 is proficient, the best of two sittings counts, an interim test is
 * not counted, a student who moved before the test counts at the new school,
 * each not-tested reason, subgroups, and the roll-up to districts and state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account/account.h"
#include "ingest/load.h"

static char dbpath[256];

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("SLDS_SOURCE_DIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/data/achievement", src ? src : ".");
    snprintf(dbpath, sizeof dbpath, "/tmp/slds_test_proficiency_%d.db", (int)getpid());
    unlink(dbpath);
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_writer(&s, dbpath, SLDS_STORE_CREATE, &err))
        return -1;
    slds_load_result res;
    int rc = slds_load_collection(s, dir, NULL, NULL, &res, &err);
    slds_store_close(s);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(dbpath);
    return 0;
}

static slds_store *open_db(void)
{
    slds_store *s;
    slds_error err = {0};
    assert_int_equal(slds_store_open_readonly(&s, dbpath, &err), SLDS_OK);
    return s;
}

static void test_school_rates(void **state)
{
    (void)state;
    slds_store *s = open_db();
    slds_error err = {0};
    slds_account_school_rate *rows;
    size_t n;
    int year = 2024;
    assert_int_equal(slds_account_proficiency(s, &year, 1, NULL, &rows, &n, &err), SLDS_OK);
    assert_int_equal(n, 3);
    /* S1: 10 with a result, 9 scored (P10 absent), proficient P01 (best 4),
     * P02, P03, P06 (exactly 3), P05 moved in from S2 before the test. */
    assert_string_equal(rows[0].school_id, "S1");
    assert_string_equal(rows[0].lea_id, "L1");
    assert_int_equal(rows[0].school_year, 2024);
    assert_string_equal(rows[0].subject, "MATH");
    assert_int_equal(rows[0].students, 10);
    assert_int_equal(rows[0].tested, 9);
    assert_int_equal(rows[0].proficient, 4);
    assert_true(fabs(rows[0].rate - 4.0 / 9) < 1e-12);
    /* S2: 9, 8 scored (P19 medical), all 8 at level 3. */
    assert_string_equal(rows[1].school_id, "S2");
    assert_int_equal(rows[1].students, 9);
    assert_int_equal(rows[1].tested, 8);
    assert_int_equal(rows[1].proficient, 8);
    /* S3: 12, 10 scored (refusal, EL exemption), none proficient. */
    assert_string_equal(rows[2].school_id, "S3");
    assert_string_equal(rows[2].lea_id, "L2");
    assert_int_equal(rows[2].students, 12);
    assert_int_equal(rows[2].tested, 10);
    assert_int_equal(rows[2].proficient, 0);
    assert_true(rows[2].rate == 0.0);
    free(rows);

    /* Every year: 2023 then 2024 per school. */
    assert_int_equal(slds_account_proficiency(s, NULL, 0, NULL, &rows, &n, &err), SLDS_OK);
    assert_int_equal(n, 6);
    assert_int_equal(rows[0].school_year, 2023);
    assert_int_equal(rows[0].students, 10);
    assert_int_equal(rows[0].proficient, 8); /* S1 2023: P01-P04, P06-P09 at 3; P05, P10 at 2 */
    free(rows);
    slds_store_close(s);
}

static void test_cube(void **state)
{
    (void)state;
    slds_store *s = open_db();
    slds_error err = {0};
    slds_account_cube *c;
    assert_int_equal(slds_account_cube_compute(s, NULL, 0, NULL, &c, &err), SLDS_OK);
    assert_int_equal(slds_account_cube_nyears(c), 2);
    assert_int_equal(slds_account_cube_year(c, 1), 2024);
    assert_int_equal(slds_account_cube_nsubjects(c), 1);
    assert_int_equal(slds_account_cube_nunits(c, SLDS_LEVEL_LEA), 2);
    const slds_account_counts *k =
        slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_STATE, 0, 0, SLDS_SUBGROUP_ALL);
    assert_int_equal(k->students, 31);
    assert_int_equal(k->tested, 27);
    assert_int_equal(k->proficient, 12);
    for (int r = 0; r < SLDS_NT_OTHER; r++)
        assert_int_equal(k->not_tested[r], 1); /* one of each reason */
    assert_int_equal(k->not_tested[SLDS_NT_OTHER], 0);
    /* grade 04 is the same students; grade 03 has nobody in 2024 */
    assert_int_equal(slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_STATE, 0, 6, SLDS_SUBGROUP_ALL)->students, 31);
    assert_int_equal(slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_STATE, 0, 5, SLDS_SUBGROUP_ALL)->students, 0);
    /* L1 = S1 + S2 */
    k = slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_LEA, 0, 0, SLDS_SUBGROUP_ALL);
    assert_string_equal(slds_account_cube_unit_id(c, SLDS_LEVEL_LEA, 0), "L1");
    assert_int_equal(k->students, 19);
    assert_int_equal(k->tested, 17);
    assert_int_equal(k->proficient, 12);
    /* economically disadvantaged, state 2024: 20 students, 18 scored, 6 proficient */
    k = slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_STATE, 0, 0, SLDS_SUBGROUP_ECON);
    assert_int_equal(k->students, 20);
    assert_int_equal(k->tested, 18);
    assert_int_equal(k->proficient, 6);
    k = slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_STATE, 0, 0, SLDS_SUBGROUP_NOT_ECON);
    assert_int_equal(k->students, 11);
    assert_int_equal(k->tested, 9);
    assert_int_equal(k->proficient, 6);
    /* disability: P04 (2), P05 (1) */
    k = slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_SCHOOL, 0, 0, SLDS_SUBGROUP_SWD);
    assert_int_equal(k->students, 2);
    assert_int_equal(k->proficient, 0);
    /* English learners: P30 refusal, P31 exempt */
    k = slds_account_cube_cell(c, 1, 0, SLDS_LEVEL_STATE, 0, 0, SLDS_SUBGROUP_EL);
    assert_int_equal(k->students, 2);
    assert_int_equal(k->tested, 0);
    /* 2023: econ 4 of 20, not econ 9 of 11 */
    assert_int_equal(slds_account_cube_cell(c, 0, 0, SLDS_LEVEL_STATE, 0, 0, SLDS_SUBGROUP_ECON)->proficient, 4);
    assert_int_equal(slds_account_cube_cell(c, 0, 0, SLDS_LEVEL_STATE, 0, 0, SLDS_SUBGROUP_NOT_ECON)->proficient, 9);
    slds_account_cube_free(c);

    /* level 4 and above: only P01 in 2024 */
    slds_account_options o;
    slds_account_options_default(&o);
    o.proficient_level = 4;
    int year = 2024;
    assert_int_equal(slds_account_cube_compute(s, &year, 1, &o, &c, &err), SLDS_OK);
    assert_int_equal(slds_account_cube_nyears(c), 1);
    assert_int_equal(slds_account_cube_cell(c, 0, 0, SLDS_LEVEL_STATE, 0, 0, SLDS_SUBGROUP_ALL)->proficient, 1);
    slds_account_cube_free(c);
    slds_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_school_rates), cmocka_unit_test(test_cube)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
