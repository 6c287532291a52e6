/* test_warn_abc.c - the ABC flags on their boundary values (exactly 10% of
 * enrolled days missed, exactly 5 credits, exactly one semester F, GPA
 * exactly 2.0), the reasons in words, and the configuration file (JSON and
 * CSV, unknown keys and out-of-range values named). Invariants A1-A4 of
 * src/warn/abc.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "warn/warn.h"

static slds_warn_abc student(int grade)
{
    slds_warn_abc a;
    memset(&a, 0, sizeof a);
    a.grade = grade;
    a.days_enrolled = 190;
    a.days_absent = 0;
    a.gpa_points = 3.0 * 7;
    a.gpa_credits = 7;
    a.credits_earned = 7;
    return a;
}

static void test_attendance_boundary(void **state)
{
    (void)state;
    slds_warn_config c;
    slds_warn_config_default(&c);
    slds_warn_abc a = student(7);
    a.days_absent = 19; /* 19 / 190 = exactly 10% */
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_ATTENDANCE);
    a.days_absent = 18; /* 9.47% */
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_ATTENDANCE);
    a.days_enrolled = 100;
    a.days_absent = 10; /* exactly 10% again, other denominator */
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_ATTENDANCE);
    a.days_absent = 9.5;
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_ATTENDANCE);
    a.days_enrolled = 30; /* 3 of 30 = 10%: 0.1 is not exact in binary */
    a.days_absent = 3;
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_ATTENDANCE);
    a.days_enrolled = NAN; /* no attendance row: no flag */
    a.days_absent = NAN;
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_ATTENDANCE);
    c.chronic_absence = 0.2;
    a.days_enrolled = 100;
    a.days_absent = 19;
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_ATTENDANCE);
}

static void test_behavior_and_course(void **state)
{
    (void)state;
    slds_warn_config c;
    slds_warn_config_default(&c);
    slds_warn_abc a = student(8);
    assert_int_equal(slds_warn_flags(&a, &c), 0);
    a.suspensions = 1;
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_BEHAVIOR);
    c.suspensions = 2;
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_BEHAVIOR);
    a.f_other = 3; /* an F in art or science is not the course flag */
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_COURSE);
    a.f_math = 1;
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_COURSE);
    a.f_math = 0;
    a.f_ela = 1;
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_COURSE);
    c.course_failures = 2;
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_COURSE);
}

static void test_gpa_boundary(void **state)
{
    (void)state;
    slds_warn_config c;
    slds_warn_config_default(&c);
    slds_warn_abc a = student(10);
    a.gpa_points = 2.0 * 7; /* exactly 2.0: not below */
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_GPA);
    a.gpa_points = 13.9; /* 1.986 */
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_GPA);
    a.gpa_credits = 0; /* no graded course: no GPA, no flag */
    assert_true(isnan(slds_warn_gpa(&a)));
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_GPA);
}

static void test_on_track_boundary(void **state)
{
    (void)state;
    slds_warn_config c;
    slds_warn_config_default(&c);
    slds_warn_abc a = student(9);
    a.credits_earned = 5; /* exactly 5 full credits and one semester F: on track */
    a.core_f_semesters = 1;
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_OFF_TRACK);
    a.core_f_semesters = 2; /* two semester Fs (or a year-long F): off track */
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_OFF_TRACK);
    a.core_f_semesters = 0;
    a.credits_earned = 4.5; /* half a credit short */
    assert_true(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_OFF_TRACK);
    a.grade = 10; /* the rule is for grade 9 only */
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_OFF_TRACK);
    a.grade = 9;
    c.on_track_credits = 4.5;
    assert_false(slds_warn_flags(&a, &c) & SLDS_WARN_FLAG_OFF_TRACK);
}

static void test_reasons(void **state)
{
    (void)state;
    slds_warn_config c;
    slds_warn_config_default(&c);
    slds_warn_abc a = student(9);
    a.days_absent = 19;
    a.suspensions = 2;
    a.out_of_school = 1;
    a.suspension_days = 4;
    a.f_math = 1;
    a.credits_earned = 4;
    a.core_f_semesters = 2;
    a.gpa_points = 1.5 * 7;
    unsigned f = slds_warn_flags(&a, &c);
    assert_int_equal(f, SLDS_WARN_FLAG_ATTENDANCE | SLDS_WARN_FLAG_BEHAVIOR | SLDS_WARN_FLAG_COURSE |
                            SLDS_WARN_FLAG_GPA | SLDS_WARN_FLAG_OFF_TRACK);
    slds_buf b = {0};
    assert_int_equal(slds_warn_reasons(&a, f, &c, &b), 0);
    assert_string_equal(b.data,
                        "missed 10.0% of enrolled days (19 of 190, chronic absence from 10%); "
                        "2 suspensions (1 out of school, 4 days); failed mathematics; GPA 1.50 (below 2.0); "
                        "off track in grade 9: 4 full credits earned (on track needs 5) and 2 semester Fs in core "
                        "courses (at most 1)");
    slds_buf_free(&b);
    assert_string_equal(slds_warn_flag_name(4), "off_track");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_config_files(void **state)
{
    (void)state;
    char json[] = "/tmp/warn_cfg_XXXXXX";
    int fd = mkstemp(json);
    assert_true(fd >= 0);
    close(fd);
    slds_warn_config c;
    slds_error err = {0};
    slds_warn_config_default(&c);
    write_file(json, "{\"chronic_absence\": 0.15, \"suspensions\": 2, \"count_in_school\": false, \"lambda\": 3}");
    assert_int_equal(slds_warn_config_load(&c, json, &err), 0);
    assert_true(c.chronic_absence == 0.15 && c.suspensions == 2 && !c.count_in_school && c.lambda == 3);
    assert_true(c.gpa_below == 2.0); /* untouched keys keep their defaults */

    write_file(json, "key,value\ngpa_below,1.5\non_track_credits,6\ncount_in_school,Y\n");
    assert_int_equal(slds_warn_config_load(&c, json, &err), 0);
    assert_true(c.gpa_below == 1.5 && c.on_track_credits == 6 && c.count_in_school);

    write_file(json, "{\"chronic_absences\": 0.1}");
    assert_int_equal(slds_warn_config_load(&c, json, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "unknown key 'chronic_absences'"));

    write_file(json, "gpa_below,1.5\nsuspensions,1.5\n");
    assert_int_equal(slds_warn_config_load(&c, json, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, ":2: suspensions = 1.5"));

    write_file(json, "chronic_absence,abc\n");
    assert_int_equal(slds_warn_config_load(&c, json, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "'abc' is not a number"));
    unlink(json);
    assert_int_equal(slds_warn_config_load(&c, "/nonexistent/cfg.json", &err), SLDS_ERR_IO);

    json_t *j = slds_warn_config_json(&c);
    assert_non_null(json_object_get(j, "on_track_max_core_f"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attendance_boundary), cmocka_unit_test(test_behavior_and_course),
        cmocka_unit_test(test_gpa_boundary),        cmocka_unit_test(test_on_track_boundary),
        cmocka_unit_test(test_reasons),             cmocka_unit_test(test_config_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
