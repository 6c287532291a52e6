/* test_panel.c - unit tests of the shared panel (src/panel) on a tiny
 * collection built by hand in a fresh database, whose every value is known:
 *
 *   student 1000000001  MATH 2023 g3 400, 2024 g4 450, 2025 g5 two tests
 *                       (04-01: 490, 04-15: 500 -> the later, 500);
 *                       READ 2024 g4 two tests the same day (280, 285 ->
 *                       the higher, 285), 2025 g5 300;
 *                       school A 2024-08-20..2025-02-01, then school C from
 *                       2025-02-01 (a transfer on the exit day);
 *                       rosters 2025 MATH: T1 0.5 + 0.25 (two sections),
 *                       T2 0.25; READ: T3 1.0; SCIENCE: T4 (no scores: left
 *                       out); attributes 2025 econ Y, disability N, EL blank.
 *   student 1000000002  MATH 2025 g5 520; school A 2024-08-20..2025-01-15,
 *                       school B from 2025-01-16 (a mid-year transfer);
 *                       rosters 2024 MATH T1 1.0; attributes 2024 econ N.
 *   student 1000000003  MATH 2023 g3 410 only: not kept (no score in 2025).
 *   student 1000000004  READ 2025 grade KG: not a scored grade. */
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

#include "panel/panel.h"

static const char *const rows[] = {
    "INSERT INTO leas(lea_id, lea_name) VALUES ('L1', 'One'), ('L2', 'Two')",
    "INSERT INTO schools(school_id, lea_id, school_name, school_level) VALUES"
    " ('A', 'L1', 'A', 'ES'), ('B', 'L2', 'B', 'ES'), ('C', 'L1', 'C', 'ES')",
    "INSERT INTO assessments(student_id, school_year, subject, grade_tested, test_type,"
    " test_name, test_date, scale_score) VALUES"
    " ('1000000001', 2023, 'MATH', '03', 'STATE', 'T', '2023-04-10', 400),"
    " ('1000000001', 2024, 'MATH', '04', 'STATE', 'T', '2024-04-10', 450),"
    " ('1000000001', 2025, 'MATH', '05', 'STATE', 'T', '2025-04-01', 490),"
    " ('1000000001', 2025, 'MATH', '05', 'STATE', 'T', '2025-04-15', 500),"
    " ('1000000001', 2024, 'READ', '04', 'STATE', 'T1', '2024-04-11', 280),"
    " ('1000000001', 2024, 'READ', '04', 'STATE', 'T2', '2024-04-11', 285),"
    " ('1000000001', 2025, 'READ', '05', 'STATE', 'T', '2025-04-11', 300),"
    " ('1000000001', 2025, 'READ', '05', 'INTERIM', 'T', '2025-01-11', 999),"
    " ('1000000002', 2025, 'MATH', '05', 'STATE', 'T', '2025-04-02', 520),"
    " ('1000000003', 2023, 'MATH', '03', 'STATE', 'T', '2023-04-10', 410),"
    " ('1000000004', 2025, 'READ', 'KG', 'STATE', 'T', '2025-04-10', 200)",
    "INSERT INTO enrollments(student_id, school_id, school_year, grade_level, entry_date,"
    " exit_date) VALUES"
    " ('1000000001', 'A', 2025, '05', '2024-08-20', '2025-02-01'),"
    " ('1000000001', 'C', 2025, '05', '2025-02-01', NULL),"
    " ('1000000001', 'A', 2024, '04', '2023-08-21', '2024-06-05'),"
    " ('1000000002', 'A', 2025, '05', '2024-08-20', '2025-01-15'),"
    " ('1000000002', 'B', 2025, '05', '2025-01-16', NULL),"
    " ('1000000003', 'B', 2025, '05', '2024-08-20', NULL)",
    "INSERT INTO rosters(staff_id, student_id, school_id, school_year, subject, section_id,"
    " dosage) VALUES"
    " ('T1', '1000000001', 'C', 2025, 'MATH', 'S1', 0.5),"
    " ('T1', '1000000001', 'C', 2025, 'MATH', 'S2', 0.25),"
    " ('T2', '1000000001', 'C', 2025, 'MATH', 'S3', 0.25),"
    " ('T3', '1000000001', 'C', 2025, 'READ', 'S4', 1.0),"
    " ('T4', '1000000001', 'C', 2025, 'SCIENCE', 'S5', 1.0),"
    " ('T1', '1000000002', 'A', 2024, 'MATH', 'S1', 1.0),"
    " ('T1', '1000000003', 'B', 2025, 'MATH', 'S1', 1.0)",
    "INSERT INTO student_attributes(student_id, school_year, econ_disadvantaged, disability,"
    " english_learner) VALUES"
    " ('1000000001', 2025, 'Y', 'N', NULL), ('1000000002', 2024, 'N', 'N', 'Y')",
};

typedef struct fixture {
    char path[64];
    slds_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->path, sizeof f->path, "/tmp/slds_test_panel_XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(f->path);
    slds_error err = {0};
    if (slds_store_open_writer(&f->s, f->path, SLDS_STORE_CREATE, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        if (slds_store_exec(f->s, rows[k], &err)) {
            fprintf(stderr, "%s\n", err.message);
            return -1;
        }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    slds_store_close(f->s);
    unlink(f->path);
    free(f);
    return 0;
}

static int count_rows(void *ctx, const char *subject, int year, int grade, double score,
                      slds_error *err)
{
    (void)subject;
    (void)year;
    (void)grade;
    (void)score;
    (void)err;
    (*(int *)ctx)++;
    return SLDS_OK;
}

static void read_panel(fixture *f, slds_panel *p, unsigned parts, int *rows_seen)
{
    slds_panel_options o;
    slds_panel_options_default(&o);
    o.year = 2025;
    o.year_lo = 2023;
    o.year_hi = 2025;
    o.keep_years[0] = 2025;
    o.parts = parts;
    o.on_score = count_rows;
    o.on_score_ctx = rows_seen;
    slds_error err = {0};
    if (slds_panel_read(f->s, &o, p, NULL, &err))
        fail_msg("%s", err.message);
}

static int32_t day(int y, int m, int d)
{
    return (int32_t)slds_days_from_civil(y, m, d);
}

static void test_scores_and_priors(void **state)
{
    fixture *f = *state;
    slds_panel p;
    int seen = 0;
    read_panel(f, &p, 0, &seen);
    assert_int_equal(seen, 9); /* every STATE row with a scored grade, student 3's too */
    assert_int_equal(p.rows_read, 10);
    assert_int_equal(p.rows_bad_grade, 1);
    assert_int_equal(slds_panel_students(&p), 2); /* 1 and 2; 3 has no 2025 score, 4 no grade */
    assert_string_equal(slds_panel_id(&p, 0), "1000000001");
    assert_string_equal(slds_panel_id(&p, 1), "1000000002");
    assert_int_equal(slds_panel_find(&p, "1000000003"), SLDS_NO_ID);
    assert_int_equal(p.n_subjects, 2);
    int math = slds_panel_subject_index(&p, "MATH"), read = slds_panel_subject_index(&p, "READ");
    assert_int_equal(math, 0); /* sorted by name */
    assert_int_equal(read, 1);
    assert_int_equal(slds_panel_subject_index(&p, "SCIENCE"), -1);

    assert_true(slds_panel_score(&p, math, 2025, 0) == 500.0); /* the later test */
    assert_int_equal(slds_panel_test_date(&p, math, 2025, 0), day(2025, 4, 15));
    assert_true(slds_panel_prior(&p, math, 2025, 1, 0) == 450.0);
    assert_true(slds_panel_prior(&p, math, 2025, 2, 0) == 400.0);
    assert_true(isnan(slds_panel_prior(&p, math, 2025, 3, 0))); /* outside the panel */
    assert_int_equal(slds_panel_grade(&p, math, 2024, 0), 4);
    assert_true(slds_panel_prior(&p, read, 2025, 1, 0) == 285.0); /* same day: the higher */
    assert_true(slds_panel_score(&p, read, 2025, 0) == 300.0);    /* not the INTERIM 999 */
    assert_true(slds_panel_score(&p, math, 2025, 1) == 520.0);
    assert_true(isnan(slds_panel_prior(&p, math, 2025, 1, 1)));
    assert_int_equal(slds_panel_grade(&p, read, 2025, 1), -1);
    /* test dates are kept for Y only unless asked */
    assert_int_equal(slds_panel_test_date(&p, math, 2024, 0), SLDS_PANEL_NO_DAY);

    assert_int_equal(slds_panel_count(&p, math, 2025, 5), 2);
    assert_int_equal(slds_panel_count(&p, math, 2023, 3), 1); /* student 3 is not kept */
    assert_int_equal(slds_panel_count_subject(&p, read), 1);
    /* parts not asked for are empty */
    size_t n = 9;
    assert_null(slds_panel_links(&p, 0, &n));
    assert_int_equal(n, 0);
    assert_int_equal(slds_panel_school_on(&p, 0, 2025, day(2025, 1, 1)), SLDS_NO_ID);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_ECON, 2025, 0), -1);
    slds_panel_free(&p);
}

static void test_rosters_and_dosage(void **state)
{
    fixture *f = *state;
    slds_panel p;
    int seen = 0;
    read_panel(f, &p, SLDS_PANEL_ROSTERS, &seen);
    int math = slds_panel_subject_index(&p, "MATH"), read = slds_panel_subject_index(&p, "READ");
    size_t n;
    const slds_panel_link *l = slds_panel_links(&p, 0, &n);
    assert_int_equal(n, 3); /* SCIENCE left out; T1's two sections are one link */
    assert_string_equal(slds_panel_staff_id(&p, l[0].staff), "T1");
    assert_int_equal(l[0].subject, math);
    assert_int_equal(l[0].year_offset, 2);
    assert_true(l[0].dosage == 0.75);
    assert_string_equal(slds_panel_staff_id(&p, l[1].staff), "T2");
    assert_true(l[1].dosage == 0.25);
    assert_string_equal(slds_panel_staff_id(&p, l[2].staff), "T3");
    assert_int_equal(l[2].subject, read);
    assert_true(slds_panel_dosage(&p, 0, math, 2025) == 1.0);
    assert_true(slds_panel_dosage(&p, 0, read, 2025) == 1.0);
    assert_true(slds_panel_dosage(&p, 0, math, 2024) == 0.0);
    assert_true(slds_panel_dosage(&p, 1, math, 2024) == 1.0);
    assert_true(slds_panel_dosage(&p, 1, math, 2025) == 0.0);
    assert_int_equal(p.n_links, 4);
    slds_panel_free(&p);
}

static void test_school_on_date(void **state)
{
    fixture *f = *state;
    slds_panel p;
    int seen = 0;
    read_panel(f, &p, SLDS_PANEL_ENROLLMENTS, &seen);
#define SCHOOL(i, y, d) slds_panel_place_id(&p, slds_panel_school_on(&p, i, y, d))
    /* student 2: A until its exit date 2025-01-15 (still enrolled that day), B from the 16th */
    assert_string_equal(SCHOOL(1, 2025, day(2024, 8, 20)), "A");
    assert_string_equal(SCHOOL(1, 2025, day(2025, 1, 15)), "A");
    assert_string_equal(SCHOOL(1, 2025, day(2025, 1, 16)), "B");
    assert_string_equal(SCHOOL(1, 2025, day(2025, 6, 30)), "B");
    /* before any spell, or no date: the latest entered spell of the year */
    assert_string_equal(SCHOOL(1, 2025, day(2024, 7, 1)), "B");
    assert_string_equal(SCHOOL(1, 2025, SLDS_PANEL_NO_DAY), "B");
    /* student 1: on the transfer day both spells hold it: the later entry, C */
    assert_string_equal(SCHOOL(0, 2025, day(2025, 1, 31)), "A");
    assert_string_equal(SCHOOL(0, 2025, day(2025, 2, 1)), "C");
    assert_string_equal(SCHOOL(0, 2024, day(2024, 4, 10)), "A");
    assert_int_equal(slds_panel_school_on(&p, 0, 2023, day(2023, 4, 10)), SLDS_NO_ID);
    /* districts */
    assert_string_equal(slds_panel_place_id(&p, slds_panel_lea_of(
                                                    &p, slds_panel_school_on(&p, 1, 2025, day(2025, 3, 1)))),
                        "L2");
    assert_string_equal(slds_panel_place_id(&p, slds_panel_lea_of(
                                                    &p, slds_panel_school_on(&p, 0, 2025, day(2025, 3, 1)))),
                        "L1");
    assert_int_equal(slds_panel_lea_of(&p, SLDS_NO_ID), SLDS_NO_ID);
    assert_int_equal(p.n_spells, 5); /* student 3's spell is not read */
#undef SCHOOL
    slds_panel_free(&p);
}

static void test_attributes_and_dates(void **state)
{
    fixture *f = *state;
    slds_panel p;
    slds_panel_options o;
    slds_panel_options_default(&o);
    o.year = 2025;
    o.year_lo = 2023;
    o.year_hi = 2025;
    o.parts = SLDS_PANEL_ATTRIBUTES;
    o.all_test_dates = 1;
    o.subject = "MATH";
    slds_error err = {0};
    if (slds_panel_read(f->s, &o, &p, NULL, &err))
        fail_msg("%s", err.message);
    /* no keep years: every student with a MATH score in the window, 3 too */
    assert_int_equal(slds_panel_students(&p), 3);
    assert_int_equal(p.n_subjects, 1);
    assert_int_equal(slds_panel_test_date(&p, 0, 2024, 0), day(2024, 4, 10));
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_ECON, 2025, 0), 1);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_DISABILITY, 2025, 0), 0);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_EL, 2025, 0), -1);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_ECON, 2024, 0), -1);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_ECON, 2024, 1), 0);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_EL, 2024, 1), 1);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_ECON, 2025, 2), -1);
    slds_panel_free(&p);
    /* the parts of one year only */
    o.parts_lo = o.parts_hi = 2025;
    if (slds_panel_read(f->s, &o, &p, NULL, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_ECON, 2025, 0), 1);
    assert_int_equal(slds_panel_flag_of(&p, SLDS_PANEL_ECON, 2024, 1), -1); /* not read */
    slds_panel_free(&p);
    /* an empty window is refused */
    o.year_lo = 2026;
    assert_int_equal(slds_panel_read(f->s, &o, &p, NULL, &err), SLDS_ERR_USAGE);
    slds_panel_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scores_and_priors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rosters_and_dosage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_school_on_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attributes_and_dates, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
