/* test_extract_spec.c - the parts of src/extract that need no database: the
 * catalogue (names and birth dates are never extractable), the
 * generalization hierarchies on hand-picked values, and the reading of specs
 * (every malformed one refused with the key or column named). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract/extract.h"

static void test_catalogue(void **state)
{
    (void)state;
    assert_int_equal(slds_extract_column_kind_of("assessments", "student_id"), SLDS_XCOL_STUDENT);
    assert_int_equal(slds_extract_column_kind_of("assessments", "scale_score"), SLDS_XCOL_VALUE);
    assert_int_equal(slds_extract_column_kind_of("enrollments", "school_id"), SLDS_XCOL_QI_SCHOOL);
    assert_int_equal(slds_extract_column_kind_of("rosters", "staff_id"), SLDS_XCOL_PSEUDONYM);
    /* identity: never */
    assert_int_equal(slds_extract_column_kind_of("student_identity", "first_name"), -1);
    assert_int_equal(slds_extract_column_kind_of("student_identity", "birth_date"), -1);
    assert_int_equal(slds_extract_column_kind_of("student_identity", "local_student_id"), -1);
    assert_int_equal(slds_extract_column_kind_of("staff", "last_name"), -1);
    assert_int_equal(slds_extract_column_kind_of("assessments", "no_such_column"), -1);
}

static void test_generalize(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_SCHOOL, 0, "S01", "L1", b, sizeof b), "S01");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_SCHOOL, 1, "S01", "L1", b, sizeof b), "L1");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_SCHOOL, 1, "S01", NULL, b, sizeof b), "*");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_SCHOOL, 2, "S01", "L1", b, sizeof b), "*");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_GRADE, 0, "KG", NULL, b, sizeof b), "KG");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_GRADE, 1, "KG", NULL, b, sizeof b), "PK-02");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_GRADE, 1, "05", NULL, b, sizeof b), "03-05");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_GRADE, 1, "06", NULL, b, sizeof b), "06-08");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_GRADE, 1, "12", NULL, b, sizeof b), "09-12");
    /* a day is never shown: the month at the finest level */
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_DATE, 0, "2024-03-17", NULL, b, sizeof b), "2024-03");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_DATE, 1, "2024-03-17", NULL, b, sizeof b), "2024");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_DATE, 2, "2024-03-17", NULL, b, sizeof b), "*");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_CODE, 1, "WHITE", NULL, b, sizeof b), "*");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_VALUE, 5, "512.0", NULL, b, sizeof b), "512.0");
    assert_string_equal(slds_extract_generalize(SLDS_XCOL_QI_CODE, 0, NULL, NULL, b, sizeof b), "");
    assert_int_equal(slds_extract_kind_levels(SLDS_XCOL_QI_SCHOOL), 3);
    assert_int_equal(slds_extract_kind_levels(SLDS_XCOL_VALUE), 1);
}

/* Writes text to a temporary file and reads it as a spec. */
static int read_text_spec(const char *text, slds_extract_spec *spec, slds_error *err)
{
    char path[] = "/tmp/slds_spec_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    int rc = slds_extract_spec_read(spec, path, err);
    unlink(path);
    return rc;
}

static void test_spec_good(void **state)
{
    (void)state;
    slds_extract_spec spec;
    slds_error err = {0};
    assert_int_equal(read_text_spec("{\"requester\": \"R\", \"purpose\": \"P\", \"years\": [2023, 2024],"
                                    " \"tables\": {\"assessments\": [\"student_id\", \"school_year\", \"scale_score\"]}}",
                                    &spec, &err),
                     SLDS_OK);
    assert_string_equal(spec.requester, "R");
    assert_int_equal(spec.k, SLDS_EXTRACT_DEFAULT_K);
    assert_int_equal(spec.nyears, 2);
    assert_int_equal(spec.years[1], 2024);
    assert_int_equal(spec.ntables, 1);
    /* the student id is always written as the pseudonym, not as a column */
    assert_int_equal(spec.tables[0].ncolumns, 2);
    assert_string_equal(spec.tables[0].columns[1], "scale_score");
    slds_extract_spec_free(&spec);
}

static void expect_refused(const char *text, const char *needle)
{
    slds_extract_spec spec;
    slds_error err = {0};
    assert_int_equal(read_text_spec(text, &spec, &err), SLDS_ERR_DATA);
    if (!strstr(err.message, needle))
        fail_msg("message \"%s\" does not name \"%s\"", err.message, needle);
}

static void test_spec_refused(void **state)
{
    (void)state;
    expect_refused("{\"purpose\": \"P\", \"tables\": {\"students\": [\"sex\"]}}", "requester");
    expect_refused("{\"requester\": \"R\", \"purpose\": \"P\"}", "tables");
    expect_refused("{\"requester\": \"R\", \"purpose\": \"P\", \"tables\": {\"student_identity\": [\"birth_date\"]}}",
                   "student_identity");
    expect_refused("{\"requester\": \"R\", \"purpose\": \"P\", \"tables\": {\"students\": [\"first_name\"]}}",
                   "students.first_name");
    expect_refused("{\"requester\": \"R\", \"purpose\": \"P\", \"tables\": {\"students\": [\"sex\", \"sex\"]}}",
                   "twice");
    expect_refused("{\"requester\": \"R\", \"purpose\": \"P\", \"k\": 1, \"tables\": {\"students\": [\"sex\"]}}",
                   "\"k\"");
    expect_refused("{\"requester\": \"R\", \"purpose\": \"P\", \"years\": [\"2024\"], \"tables\": {\"students\": [\"sex\"]}}",
                   "years");
    expect_refused("{\"requester\": \"R\", \"purpose\": \"P\", \"colour\": 1, \"tables\": {\"students\": [\"sex\"]}}",
                   "colour");
    expect_refused("{\"requester\": \"R\", ", "line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_generalize),
        cmocka_unit_test(test_spec_good),
        cmocka_unit_test(test_spec_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
