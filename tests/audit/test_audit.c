/* test_audit.c - the audit over a small state database built by hand with
 * known defects planted: exact counts, totals and example keys of each
 * finding, the invariants of audit.c, the element coverage and the score.
 *
 * The clean base: districts L1 (schools SCH1, SCH2) and L2 (SCH3); students
 * S01-S12 at SCH1 and S13-S24 at SCH3 in 2023 (grade 04) and 2024 (grade 05),
 * each with identity, attributes, a STATE MATH score both years, a roster row
 * per year and 2024 attendance. The planted defects are listed in
 * plant_defects(), each with the finding it must produce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "../db.h"

static void insert_base(slds_store *s)
{
    exec(s, "INSERT INTO leas VALUES('L1','North',100,1000,5000.0),('L2','South',200,2000,9000.0)");
    exec(s, "INSERT INTO schools VALUES('SCH1','L1','One','ELEMENTARY','Y','NONE','N'),"
            "('SCH2','L1','Two','ELEMENTARY','N',NULL,'N'),"
            "('SCH3','L2','Three','ELEMENTARY','Y','NONE','N')");
    exec(s, "INSERT INTO prep_programs VALUES('P1','State U','IHE','TRADITIONAL')");
    exec(s, "INSERT INTO staff VALUES('T1','L1','Ann','Lee','P1','TRADITIONAL',5,'Y'),"
            "('T2','L2','Bob','Kim','P1','TRADITIONAL',3,'N')");
    exec(s, "INSERT INTO staff_assignments VALUES('T1','SCH1',2023,'TEACHER','MATH',1.0),"
            "('T1','SCH1',2024,'TEACHER','MATH',1.0),('T2','SCH3',2023,'TEACHER','MATH',1.0),"
            "('T2','SCH3',2024,'TEACHER','MATH',1.0)");
    for (int i = 1; i <= 24; i++) {
        const char *lea = i <= 12 ? "L1" : "L2", *school = i <= 12 ? "SCH1" : "SCH3",
                   *teacher = i <= 12 ? "T1" : "T2";
        exec(s, "INSERT INTO students VALUES('S%02d','%s')", i, i % 2 ? "F" : "M");
        exec(s,
             "INSERT INTO student_identity VALUES('%s','%s-%02d','S%02d','First%d','Last%d',"
             "'2014-01-%02d','F','MK%02d','STATE')",
             lea, lea, i, i, i, i, i, i);
        exec(s,
             "INSERT INTO enrollments VALUES('S%02d','%s',2023,'04','2022-08-20','2023-06-01','PROMOTED'),"
             "('S%02d','%s',2024,'05','2023-08-20','2024-06-01','PROMOTED')",
             i, school, i, school);
        for (int year = 2023; year <= 2024; year++) {
            exec(s, "INSERT INTO student_attributes VALUES('S%02d',%d,'WHITE','N','N','N','N','N','N')",
                 i, year);
            exec(s, "INSERT INTO rosters VALUES('%s','S%02d','%s',%d,'MATH','M%d',1.0)", teacher, i,
                 school, year, year);
        }
        int jump = i == 24 ? 200 : 0; /* planted: S24's implausible gain */
        exec(s,
             "INSERT INTO assessments VALUES('S%02d',2023,'MATH','04','STATE','SBA','2023-04-15',%d,2,NULL),"
             "('S%02d',2024,'MATH','05','STATE','SBA','2024-04-15',%d,3,NULL)",
             i, 400 + i, i, 420 + i + i % 5 + jump);
        int enrolled = 170, present = 160;
        if (i == 12)
            present = 175; /* planted: present > enrolled */
        if (i == 13)
            enrolled = 250, present = 200; /* planted: days_enrolled > 200 */
        exec(s, "INSERT INTO attendance VALUES('S%02d','%s',2024,%d,%d)", i, school, enrolled,
             present);
    }
    exec(s, "INSERT INTO postsecondary VALUES('S01','IHE1','4_YEAR','2030-09-01','N',30)");
    exec(s, "INSERT INTO courses VALUES('S15','SCH3',2024,'FALL','ALG1','MATH',1.0,1.0,'B')");
}

static void plant_defects(slds_store *s)
{
    /* validity: two rejected students.csv lines, one assessments.csv line */
    exec(s, "INSERT INTO loads(load_id, source_dir, loaded_at, rows_read, rows_loaded, rows_rejected) VALUES('LOAD1','/data/x','2024-07-01T00:00:00Z',130,127,3)");
    exec(s, "INSERT INTO load_files(load_id, file, digest, rows_read, rows_loaded, rows_rejected) VALUES('LOAD1','students.csv','d1',30,28,2),"
            "('LOAD1','assessments.csv','d2',100,99,1)");
    exec(s, "INSERT INTO rejects(load_id, file, line, column_name, value, reason) VALUES('LOAD1','students.csv',9,'birth_date','x','invalid date'),"
            "('LOAD1','students.csv',5,'birth_date','x','invalid date'),"
            "('LOAD1','assessments.csv',7,'scale_score','x','not a number')");
    /* completeness: S05 still enrolled (blank exit_date and exit_code); SCH2 blank title1_status */
    exec(s, "UPDATE enrollments SET exit_date = NULL, exit_code = NULL WHERE student_id = 'S05'"
            " AND school_year = 2024");
    /* consistency */
    exec(s, "INSERT INTO assessments VALUES('S07',2022,'MATH','03','INTERIM','MAP','2022-01-10',380,2,NULL)");
    exec(s, "INSERT INTO enrollments VALUES('S10','SCH7',2025,'06','2024-08-20','2025-06-01','PROMOTED')");
    exec(s, "INSERT INTO rosters VALUES('T1','S02','SCH2',2024,'ELA','E1',0.5)");
    exec(s, "INSERT INTO students VALUES('S99','F')");
    exec(s, "INSERT INTO staff VALUES('T3','L1','Cy','Ray','P1','ALTERNATIVE',1,'N')");
    exec(s, "INSERT INTO assessments VALUES('S03',2024,'ELA','04','STATE','SBA','2024-04-16',500,3,NULL)");
    exec(s, "INSERT INTO schools VALUES('SCH9','L9','Nine','HIGH','N','NONE','N')");
    /* duplicates: S98 (unknown statewide id) shares S01's match key; S11 in two schools */
    exec(s, "INSERT INTO student_identity VALUES('L2','L2-98','S98','First1','Last1','2014-01-01','F',"
            "'MK01','LOCAL')");
    exec(s, "INSERT INTO enrollments VALUES('S11','SCH2',2024,'05','2024-01-15','2024-06-01','PROMOTED')");
    /* outliers and the not-tested element */
    exec(s, "INSERT INTO courses VALUES('S14','SCH3',2024,'FALL','ALG1','MATH',1.0,2.0,'A')");
    exec(s, "INSERT INTO assessments VALUES('S06',2024,'SCIENCE','05','STATE','SBA','2024-04-17',"
            "NULL,NULL,'ABSENT')");
}

static const slds_audit_finding *find(const slds_audit_report *r, const char *table,
                                      const char *check, slds_audit_scope scope, const char *lea)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        if (!strcmp(f->table, table) && !strcmp(f->check, check) && f->scope == scope &&
            (!lea || (f->lea_id && !strcmp(f->lea_id, lea))))
            return f;
    }
    return NULL;
}

/* Asserts a finding's count, total and examples (NULL-terminated list). */
static void expect(const slds_audit_report *r, const char *table, const char *check,
                   slds_audit_scope scope, const char *lea, int64_t count, int64_t total, ...)
{
    const slds_audit_finding *f = find(r, table, check, scope, lea);
    if (!f)
        fail_msg("no finding %s/%s scope %d %s", table, check, (int)scope, lea ? lea : "");
    if (f->count != count || f->total != total)
        fail_msg("%s/%s %s: count %lld total %lld, expected %lld/%lld", table, check,
                 lea ? lea : "", (long long)f->count, (long long)f->total, (long long)count,
                 (long long)total);
    va_list ap;
    va_start(ap, total);
    size_t n = 0;
    for (const char *ex; (ex = va_arg(ap, const char *)); n++) {
        if (n >= f->n_examples)
            fail_msg("%s/%s: missing example %s", table, check, ex);
        assert_string_equal(f->examples[n], ex);
    }
    va_end(ap);
    assert_int_equal(n, f->n_examples);
}

typedef struct fixture {
    char path[64];
    slds_store *s;
    slds_audit_report *r;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->s = open_temp(fx->path, sizeof fx->path);
    insert_base(fx->s);
    plant_defects(fx->s);
    slds_error err = {0};
    slds_audit_options opt;
    slds_audit_options_default(&opt);
    if (slds_audit_run(fx->s, &opt, &fx->r, &err))
        fail_msg("%s", err.message);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    slds_audit_report_free(fx->r);
    slds_store_close(fx->s);
    unlink(fx->path);
    free(fx);
    return 0;
}

static void test_validity(void **state)
{
    const slds_audit_report *r = ((fixture *)*state)->r;
    expect(r, "students.csv", "invalid date", SLDS_AUDIT_STATEWIDE, NULL, 2, 30,
           "line 5 (birth_date)", "line 9 (birth_date)", NULL);
    expect(r, "assessments.csv", "not a number", SLDS_AUDIT_STATEWIDE, NULL, 1, 100,
           "line 7 (scale_score)", NULL);
    const slds_audit_finding *f = find(r, "students.csv", "invalid date", SLDS_AUDIT_STATEWIDE, NULL);
    assert_int_equal(f->category, SLDS_AUDIT_VALIDITY);
    /* files have no district */
    for (size_t i = 0; i < r->n_findings; i++)
        if (r->findings[i].category == SLDS_AUDIT_VALIDITY)
            assert_int_equal(r->findings[i].scope, SLDS_AUDIT_STATEWIDE);
}

static void test_completeness(void **state)
{
    const slds_audit_report *r = ((fixture *)*state)->r;
    /* S05's spell is still open, but enrollments go on to a later year: missing */
    expect(r, "enrollments", "blank_exit_date", SLDS_AUDIT_STATEWIDE, NULL, 1, 50,
           "S05|SCH1|2023-08-20", NULL);
    expect(r, "enrollments", "blank_exit_code", SLDS_AUDIT_DISTRICT, "L1", 1, 25,
           "S05|SCH1|2023-08-20", NULL);
    expect(r, "schools", "blank_title1_status", SLDS_AUDIT_STATEWIDE, NULL, 1, 4, "SCH2", NULL);
    /* S06 was not tested (ABSENT): its blank score and level are not missing values,
     * and not_tested_reason is blank exactly when a score is there */
    expect(r, "assessments", "blank_scale_score", SLDS_AUDIT_STATEWIDE, NULL, 0, 51, NULL);
    expect(r, "assessments", "blank_performance_level", SLDS_AUDIT_STATEWIDE, NULL, 0, 51, NULL);
    assert_null(find(r, "assessments", "blank_not_tested_reason", SLDS_AUDIT_STATEWIDE, NULL));
    /* a complete column: reported statewide with count 0, not per district */
    expect(r, "students", "blank_sex", SLDS_AUDIT_STATEWIDE, NULL, 0, 25, NULL);
    assert_null(find(r, "students", "blank_sex", SLDS_AUDIT_DISTRICT, NULL));
    /* required (NOT NULL) and key columns are not completeness checks */
    assert_null(find(r, "enrollments", "blank_grade_level", SLDS_AUDIT_STATEWIDE, NULL));
    assert_null(find(r, "enrollments", "blank_student_id", SLDS_AUDIT_STATEWIDE, NULL));
    /* empty tables are not reported */
    assert_null(find(r, "discipline", "blank_days", SLDS_AUDIT_STATEWIDE, NULL));
}

static void test_consistency(void **state)
{
    const slds_audit_report *r = ((fixture *)*state)->r;
    expect(r, "assessments", "not_enrolled_that_year", SLDS_AUDIT_STATEWIDE, NULL, 1, 51,
           "S07|2022|MATH|INTERIM", NULL);
    /* placed in the district of the student's last enrolled year */
    expect(r, "assessments", "not_enrolled_that_year", SLDS_AUDIT_DISTRICT, "L1", 1, 27,
           "S07|2022|MATH|INTERIM", NULL);
    expect(r, "assessments", "grade_mismatch", SLDS_AUDIT_STATEWIDE, NULL, 1, 51,
           "S03|2024|ELA|STATE", NULL);
    expect(r, "enrollments", "school_unknown", SLDS_AUDIT_STATEWIDE, NULL, 1, 50,
           "S10|SCH7|2024-08-20", NULL);
    expect(r, "enrollments", "school_unknown", SLDS_AUDIT_NO_DISTRICT, NULL, 1, 1,
           "S10|SCH7|2024-08-20", NULL);
    expect(r, "rosters", "teacher_without_assignment", SLDS_AUDIT_DISTRICT, "L1", 1, 25,
           "S02|2024|ELA|T1", NULL);
    expect(r, "rosters", "student_not_enrolled_at_school", SLDS_AUDIT_STATEWIDE, NULL, 1, 49,
           "S02|2024|ELA|T1", NULL);
    expect(r, "rosters", "staff_unknown", SLDS_AUDIT_STATEWIDE, NULL, 0, 49, NULL);
    expect(r, "students", "no_identity", SLDS_AUDIT_STATEWIDE, NULL, 1, 25, "S99", NULL);
    expect(r, "students", "no_identity", SLDS_AUDIT_NO_DISTRICT, NULL, 1, 2, "S99", NULL);
    expect(r, "students", "never_enrolled", SLDS_AUDIT_STATEWIDE, NULL, 1, 25, "S99", NULL);
    expect(r, "staff", "no_assignment", SLDS_AUDIT_DISTRICT, "L1", 1, 2, "T3", NULL);
    expect(r, "student_identity", "student_unknown", SLDS_AUDIT_DISTRICT, "L2", 1, 13,
           "L2|L2-98|S98", NULL);
    expect(r, "schools", "lea_unknown", SLDS_AUDIT_DISTRICT, "L9", 1, 1, "SCH9", NULL);
    expect(r, "attendance", "student_not_enrolled_at_school", SLDS_AUDIT_STATEWIDE, NULL, 0, 24,
           NULL);
}

static void test_duplicates(void **state)
{
    const slds_audit_report *r = ((fixture *)*state)->r;
    expect(r, "student_identity", "possible_duplicate_student", SLDS_AUDIT_STATEWIDE, NULL, 1, 24,
           "S01+S98", NULL);
    expect(r, "student_identity", "possible_duplicate_student", SLDS_AUDIT_DISTRICT, "L1", 1, 12,
           "S01+S98", NULL);
    expect(r, "student_identity", "possible_duplicate_student", SLDS_AUDIT_DISTRICT, "L2", 1, 13,
           "S01+S98", NULL);
    expect(r, "enrollments", "overlapping_enrollment", SLDS_AUDIT_STATEWIDE, NULL, 1, 50,
           "S11|SCH1|2023-08-20", NULL);
    expect(r, "enrollments", "overlapping_enrollment", SLDS_AUDIT_DISTRICT, "L1", 1, 25,
           "S11|SCH1|2023-08-20", NULL);
}

static void test_outliers(void **state)
{
    const slds_audit_report *r = ((fixture *)*state)->r;
    expect(r, "assessments", "score_jump", SLDS_AUDIT_STATEWIDE, NULL, 1, 24, "S24|MATH|2024", NULL);
    expect(r, "assessments", "score_jump", SLDS_AUDIT_DISTRICT, "L2", 1, 12, "S24|MATH|2024", NULL);
    assert_null(find(r, "assessments", "score_jump", SLDS_AUDIT_DISTRICT, "L1"));
    expect(r, "attendance", "present_exceeds_enrolled", SLDS_AUDIT_DISTRICT, "L1", 1, 12,
           "S12|2024|SCH1", NULL);
    expect(r, "attendance", "days_enrolled_over_max", SLDS_AUDIT_DISTRICT, "L2", 1, 12,
           "S13|2024|SCH3", NULL);
    expect(r, "courses", "earned_exceeds_attempted", SLDS_AUDIT_STATEWIDE, NULL, 1, 2,
           "S14|2024|FALL|ALG1", NULL);
    expect(r, "rosters", "dosage_out_of_range", SLDS_AUDIT_STATEWIDE, NULL, 0, 49, NULL);
}

/* Invariant 3 of audit.c: count <= total; statewide = districts + no district. */
static void test_invariants(void **state)
{
    const slds_audit_report *r = ((fixture *)*state)->r;
    for (size_t i = 0; i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        assert_true(f->count <= f->total);
        assert_true(f->n_examples <= 5);
        if (f->scope != SLDS_AUDIT_STATEWIDE || !strcmp(f->check, "possible_duplicate_student"))
            continue;
        int64_t sum = 0;
        for (size_t j = 0; j < r->n_findings; j++) {
            const slds_audit_finding *g = &r->findings[j];
            if (g->scope != SLDS_AUDIT_STATEWIDE && !strcmp(g->table, f->table) &&
                !strcmp(g->check, f->check))
                sum += g->count;
        }
        if (f->category != SLDS_AUDIT_VALIDITY)
            assert_int_equal(sum, f->count);
    }
    /* no example ever carries a name or a birth date */
    for (size_t i = 0; i < r->n_findings; i++)
        for (size_t j = 0; j < r->findings[i].n_examples; j++) {
            assert_null(strstr(r->findings[i].examples[j], "First"));
            assert_null(strstr(r->findings[i].examples[j], "2014-01-"));
        }
}

static void test_elements(void **state)
{
    const slds_audit_report *r = ((fixture *)*state)->r;
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++) {
        assert_int_equal(r->elements[i].element, i + 1);
        assert_int_equal(r->elements[i].supported, i + 1 != 10);
    }
    assert_string_equal(r->elements[0].evidence,
                        "25 students with statewide ids; 25 identity (crosswalk) records");
    assert_string_equal(r->elements[7].evidence,
                        "3 staff; 49 roster rows linking a known teacher to a student (of 49)");
    assert_string_equal(r->elements[9].evidence,
                        "0 COLLEGE_READINESS assessment rows with a scale score");
    assert_int_equal(r->c1_score, 22);
    assert_int_equal(r->c1_max, 24);
}

/* The audit leaves the database as it found it: no TEMP table, no open transaction. */
static void test_leaves_no_trace(void **state)
{
    fixture *fx = *state;
    assert_int_equal(sqlite3_get_autocommit(fx->s->db), 1);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(fx->s->db, "SELECT count(*) FROM sqlite_temp_master", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    slds_error err = {0};
    slds_audit_report *again = NULL;
    assert_int_equal(slds_audit_run(fx->s, NULL, &again, &err), SLDS_OK);
    assert_int_equal(again->n_findings, fx->r->n_findings);
    slds_audit_report_free(again);
}

static void test_empty_database(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    slds_audit_report *r = NULL;
    slds_error err = {0};
    assert_int_equal(slds_audit_run(s, NULL, &r, &err), SLDS_OK);
    assert_int_equal(r->n_findings, 0);
    assert_int_equal(r->c1_score, 0);
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++)
        assert_false(r->elements[i].supported);
    slds_audit_report_free(r);
    slds_store_close(s);
    unlink(path);
}

static void test_options(void **state)
{
    fixture *fx = *state;
    slds_audit_options opt;
    slds_audit_options_default(&opt);
    opt.max_examples = 0;
    opt.max_days_enrolled = 300;
    slds_audit_report *r = NULL;
    slds_error err = {0};
    assert_int_equal(slds_audit_run(fx->s, &opt, &r, &err), SLDS_OK);
    expect(r, "attendance", "days_enrolled_over_max", SLDS_AUDIT_STATEWIDE, NULL, 0, 24, NULL);
    expect(r, "enrollments", "school_unknown", SLDS_AUDIT_STATEWIDE, NULL, 1, 50, NULL);
    slds_audit_report_free(r);
    opt.max_examples = -1;
    assert_int_equal(slds_audit_run(fx->s, &opt, &r, &err), SLDS_ERR_USAGE);
    assert_null(r);
}

/* Score jumps in detail: 30 students in MATH 2022-2024; J05 took the 2023
 * test twice (scores averaged: one change, not two), J07 has no 2023 score
 * (no change across the gap), J30 gains 150 points in 2024 (flagged), and
 * J01's ELA group has a single change (no SD: nothing flagged). */
static void test_score_jumps(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    exec(s, "INSERT INTO leas VALUES('L1','North',1,1,1.0)");
    exec(s, "INSERT INTO schools VALUES('SCH1','L1','One','ELEMENTARY','Y','NONE','N')");
    for (int i = 1; i <= 30; i++) {
        exec(s, "INSERT INTO students VALUES('J%02d','F')", i);
        for (int year = 2022; year <= 2024; year++) {
            exec(s, "INSERT INTO enrollments VALUES('J%02d','SCH1',%d,'%02d','%d-08-20','%d-06-01','PROMOTED')",
                 i, year, year - 2019, year - 1, year);
            int score = 300 + (year - 2022) * (10 + i % 3) + (year == 2024 && i == 30 ? 150 : 0);
            if (year == 2023 && i == 7)
                continue;
            if (year == 2023 && i == 5) {
                exec(s, "INSERT INTO assessments VALUES('J05',2023,'MATH','04','STATE','SBA','2023-04-15',%d,2,NULL),"
                        "('J05',2023,'MATH','04','STATE','SBA_RETAKE','2023-05-20',%d,2,NULL)",
                     score - 5, score + 5);
                continue;
            }
            exec(s, "INSERT INTO assessments VALUES('J%02d',%d,'MATH','%02d','STATE','SBA','%d-04-15',%d,2,NULL)",
                 i, year, year - 2019, year, score);
        }
    }
    exec(s, "INSERT INTO assessments VALUES('J01',2023,'ELA','04','STATE','SBA','2023-04-16',300,2,NULL),"
            "('J01',2024,'ELA','05','STATE','SBA','2024-04-16',900,4,NULL)");
    slds_audit_report *r = NULL;
    slds_error err = {0};
    if (slds_audit_run(s, NULL, &r, &err))
        fail_msg("%s", err.message);
    expect(r, "assessments", "score_jump", SLDS_AUDIT_STATEWIDE, NULL, 1, 59, "J30|MATH|2024", NULL);
    expect(r, "assessments", "score_jump", SLDS_AUDIT_DISTRICT, "L1", 1, 59, "J30|MATH|2024", NULL);
    slds_audit_report_free(r);
    slds_audit_options opt;
    slds_audit_options_default(&opt);
    opt.jump_sd = 100; /* nothing is that far */
    assert_int_equal(slds_audit_run(s, &opt, &r, &err), SLDS_OK);
    expect(r, "assessments", "score_jump", SLDS_AUDIT_STATEWIDE, NULL, 0, 59, NULL);
    slds_audit_report_free(r);
    slds_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validity),     cmocka_unit_test(test_completeness),
        cmocka_unit_test(test_consistency),  cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_outliers),     cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_elements),     cmocka_unit_test(test_leaves_no_trace),
        cmocka_unit_test(test_options),      cmocka_unit_test(test_empty_database),
        cmocka_unit_test(test_score_jumps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
