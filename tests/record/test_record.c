/* test_record.c - one student's longitudinal record over a database built by
 * hand: student S1 moves from district L1 (SCH1) to L2 (SCH3) in 2024 and has
 * a row in every file; student S2 shares the schools and must not leak in.
 * Asserts each section's rows and cells, the order of sections, that no name
 * or birth date appears, and the errors for unknown and empty ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "record/record.h"

static void exec(slds_store *s, const char *sql)
{
    slds_error err = {0};
    if (slds_store_exec(s, sql, &err))
        fail_msg("%s", err.message);
}

static const char fixture_sql[] =
    "INSERT INTO leas VALUES('L1','North',1,1,1.0),('L2','South',1,1,1.0);"
    "INSERT INTO schools VALUES('SCH1','L1','One','ELEMENTARY','Y','NONE','N'),"
    " ('SCH3','L2','Three','MIDDLE','N','NONE','N');"
    "INSERT INTO students VALUES('S1','F'),('S2','M');"
    "INSERT INTO student_identity VALUES('L1','A1','S1','Maria','Lopez','2013-05-06','F','K1','STATE'),"
    " ('L2','B7','S1','Maria','Lopez','2013-05-06','F','K1','MATCHED'),"
    " ('L1','A2','S2','Jon','Ng','2013-02-02','M','K2','STATE');"
    "INSERT INTO enrollments VALUES('S1','SCH1',2023,'04','2022-08-20','2023-06-01','PROMOTED'),"
    " ('S1','SCH1',2024,'05','2023-08-20','2024-01-10','TRANSFER_IN_STATE'),"
    " ('S1','SCH3',2024,'05','2024-01-11',NULL,NULL),"
    " ('S2','SCH1',2024,'05','2023-08-20',NULL,NULL);"
    "INSERT INTO student_attributes VALUES('S1',2023,'HISPANIC','Y','N','Y','N','N','N'),"
    " ('S1',2024,'HISPANIC','Y','N','N','N','N','N');"
    "INSERT INTO assessments VALUES"
    " ('S1',2023,'MATH','04','STATE','SBA','2023-04-15',410.5,2,NULL),"
    " ('S1',2024,'SCIENCE','05','STATE','SCI','2024-04-20',NULL,NULL,'ABSENT'),"
    " ('S1',2024,'MATH','05','INTERIM','MAP','2024-02-01',431,NULL,NULL),"
    " ('S2',2024,'MATH','05','STATE','SBA','2024-04-15',999,4,NULL);"
    "INSERT INTO courses VALUES('S1','SCH3',2024,'SPRING','ALG1','MATH',1.0,1.0,'B+');"
    "INSERT INTO attendance VALUES('S1','SCH1',2024,90,81),('S1','SCH3',2024,80,80);"
    "INSERT INTO discipline VALUES('S1','SCH3','2024-03-05','IN_SCHOOL_SUSPENSION',1);"
    "INSERT INTO postsecondary VALUES('S1','IHE9','2_YEAR','2031-09-01','Y',24);"
    "INSERT INTO staff VALUES('T1','L1','Ann','Lee',NULL,'TRADITIONAL',5,'Y');"
    "INSERT INTO rosters VALUES('T1','S1','SCH1',2024,'MATH','M1',0.4),"
    " ('T9','S1','SCH3',2024,'MATH','M7',0.6),('T1','S2','SCH1',2024,'MATH','M1',1.0);";

typedef struct fixture {
    char path[64];
    slds_store *s;
    slds_record *rec;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->path, sizeof fx->path, "/tmp/slds_test_record_XXXXXX");
    int fd = mkstemp(fx->path);
    assert_true(fd >= 0);
    close(fd);
    unlink(fx->path);
    slds_error err = {0};
    if (slds_store_open_writer(&fx->s, fx->path, SLDS_STORE_CREATE, &err))
        fail_msg("%s", err.message);
    exec(fx->s, fixture_sql);
    if (slds_record_get(fx->s, "S1", &fx->rec, &err))
        fail_msg("%s", err.message);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    slds_record_free(fx->rec);
    slds_store_close(fx->s);
    unlink(fx->path);
    free(fx);
    return 0;
}

/* Asserts row `row` of section `name` has the given cells (NULL-terminated;
 * "" stands for a blank cell). */
static void expect_row(const slds_record *rec, const char *name, size_t row, ...)
{
    const slds_table *sec = slds_record_find_section(rec, name);
    assert_non_null(sec);
    assert_true(row < slds_table_nrows(sec));
    char got[256];
    va_list ap;
    va_start(ap, row);
    int col = 0;
    for (const char *want; (want = va_arg(ap, const char *)); col++) {
        slds_table_cell_text(sec, row, col, got, sizeof got);
        if (strcmp(got, want))
            fail_msg("%s row %zu col %s: got '%s', expected '%s'", name, row,
                     slds_table_column(sec, col)->name, got, want);
    }
    va_end(ap);
    assert_int_equal(col, slds_table_ncols(sec));
}

static size_t rows(const slds_record *rec, const char *name)
{
    const slds_table *sec = slds_record_find_section(rec, name);
    assert_non_null(sec);
    return slds_table_nrows(sec);
}

static void test_sections(void **state)
{
    const slds_record *rec = ((fixture *)*state)->rec;
    static const char *const order[] = {"districts",  "enrollments", "attributes",
                                        "tests",      "courses",     "attendance",
                                        "discipline", "postsecondary", "teachers"};
    assert_int_equal(rec->n_sections, sizeof order / sizeof order[0]);
    for (size_t i = 0; i < rec->n_sections; i++)
        assert_string_equal(slds_table_name(rec->sections[i]), order[i]);
    assert_string_equal(rec->student_id, "S1");
    assert_string_equal(rec->sex, "F");
}

static void test_enrollments_across_districts(void **state)
{
    const slds_record *rec = ((fixture *)*state)->rec;
    assert_int_equal(rows(rec, "enrollments"), 3);
    expect_row(rec, "enrollments", 0, "2023", "SCH1", "One", "L1", "North", "04", "2022-08-20",
               "2023-06-01", "PROMOTED", NULL);
    expect_row(rec, "enrollments", 1, "2024", "SCH1", "One", "L1", "North", "05", "2023-08-20",
               "2024-01-10", "TRANSFER_IN_STATE", NULL);
    expect_row(rec, "enrollments", 2, "2024", "SCH3", "Three", "L2", "South", "05", "2024-01-11",
               "", "", NULL);
    assert_int_equal(rows(rec, "districts"), 2);
    expect_row(rec, "districts", 0, "L1", "North", "A1", "STATE", NULL);
    expect_row(rec, "districts", 1, "L2", "South", "B7", "MATCHED", NULL);
}

static void test_other_sections(void **state)
{
    const slds_record *rec = ((fixture *)*state)->rec;
    assert_int_equal(rows(rec, "attributes"), 2);
    expect_row(rec, "attributes", 0, "2023", "HISPANIC", "Y", "N", "Y", "N", "N", "N", NULL);
    assert_int_equal(rows(rec, "tests"), 3);
    expect_row(rec, "tests", 0, "2023", "STATE", "MATH", "04", "SBA", "2023-04-15", "410.5", "2", "",
               NULL);
    expect_row(rec, "tests", 1, "2024", "INTERIM", "MATH", "05", "MAP", "2024-02-01", "431", "", "",
               NULL);
    expect_row(rec, "tests", 2, "2024", "STATE", "SCIENCE", "05", "SCI", "2024-04-20", "", "",
               "ABSENT", NULL);
    expect_row(rec, "courses", 0, "2024", "SPRING", "SCH3", "ALG1", "MATH", "1", "1", "B+", NULL);
    assert_int_equal(rows(rec, "attendance"), 2);
    expect_row(rec, "attendance", 0, "2024", "SCH1", "90", "81", "90", NULL);
    expect_row(rec, "attendance", 1, "2024", "SCH3", "80", "80", "100", NULL);
    expect_row(rec, "discipline", 0, "2024-03-05", "SCH3", "IN_SCHOOL_SUSPENSION", "1", NULL);
    expect_row(rec, "postsecondary", 0, "2031-09-01", "IHE9", "2_YEAR", "Y", "24", NULL);
    assert_int_equal(rows(rec, "teachers"), 2);
    expect_row(rec, "teachers", 0, "2024", "MATH", "T1", "M1", "SCH1", "0.4", NULL);
    expect_row(rec, "teachers", 1, "2024", "MATH", "T9", "M7", "SCH3", "0.6", NULL);
}

static void test_numeric_columns(void **state)
{
    const slds_record *rec = ((fixture *)*state)->rec;
    const slds_table *tests = slds_record_find_section(rec, "tests");
    assert_int_equal(slds_table_column(tests, 0)->type, SLDS_CELL_INTEGER); /* school_year */
    assert_int_equal(slds_table_column(tests, 3)->type, SLDS_CELL_TEXT);    /* grade_tested "04" */
    assert_int_equal(slds_table_column(tests, 6)->type, SLDS_CELL_REAL);    /* scale_score 410.5 */
    assert_true(slds_table_real(tests, 0, 6) == 410.5);
    assert_int_equal(slds_table_integer(tests, 1, 6), 431);
}

static void test_no_name_or_birth_date(void **state)
{
    const slds_record *rec = ((fixture *)*state)->rec;
    for (size_t i = 0; i < rec->n_sections; i++) {
        const slds_table *sec = rec->sections[i];
        for (int c = 0; c < slds_table_ncols(sec); c++) {
            assert_string_not_equal(slds_table_column(sec, c)->name, "first_name");
            assert_string_not_equal(slds_table_column(sec, c)->name, "last_name");
            assert_string_not_equal(slds_table_column(sec, c)->name, "birth_date");
        }
        char cell[256];
        for (size_t r = 0; r < slds_table_nrows(sec); r++)
            for (int c = 0; c < slds_table_ncols(sec); c++) {
                slds_table_cell_text(sec, r, c, cell, sizeof cell);
                assert_null(strstr(cell, "Maria"));
                assert_null(strstr(cell, "Lopez"));
                assert_null(strstr(cell, "2013-05-06"));
            }
    }
}

static void test_errors(void **state)
{
    fixture *fx = *state;
    slds_record *rec = NULL;
    slds_error err = {0};
    assert_int_equal(slds_record_get(fx->s, "S404", &rec, &err), SLDS_ERR_NOTFOUND);
    assert_null(rec);
    assert_non_null(strstr(err.message, "S404"));
    assert_int_equal(slds_record_get(fx->s, "", &rec, &err), SLDS_ERR_USAGE);
    assert_null(rec);
    /* a student without rows in most files still has every section, empty */
    assert_int_equal(slds_record_get(fx->s, "S2", &rec, &err), SLDS_OK);
    assert_int_equal(rows(rec, "postsecondary"), 0);
    assert_int_equal(rows(rec, "tests"), 1);
    assert_int_equal(sqlite3_get_autocommit(fx->s->db), 1);
    slds_record_free(rec);
}


/* The id is known from students, student_identity or enrollments alone; the
 * kept statements give the same record at every read on one connection. */
static void test_known_ids_and_rereads(void **state)
{
    fixture *fx = *state;
    exec(fx->s, "INSERT INTO student_identity VALUES('L2','B9','S7',NULL,NULL,NULL,'M',NULL,'STATE');"
                "INSERT INTO enrollments VALUES('S8','SCH3',2024,'06','2023-08-21',NULL,NULL)");
    slds_record *rec = NULL;
    slds_error err = {0};
    assert_int_equal(slds_record_get(fx->s, "S7", &rec, &err), SLDS_OK);
    assert_null(rec->sex); /* not in students */
    assert_int_equal(rows(rec, "districts"), 1);
    assert_int_equal(rows(rec, "enrollments"), 0);
    slds_record_free(rec);
    assert_int_equal(slds_record_get(fx->s, "S8", &rec, &err), SLDS_OK);
    assert_int_equal(rows(rec, "districts"), 0);
    expect_row(rec, "enrollments", 0, "2024", "SCH3", "Three", "L2", "South", "06", "2023-08-21", "",
               "", NULL);
    slds_record_free(rec);
    /* S1 again after others, and after an unknown id: the same record */
    assert_int_equal(slds_record_get(fx->s, "S404", &rec, &err), SLDS_ERR_NOTFOUND);
    for (int again = 0; again < 2; again++) {
        assert_int_equal(slds_record_get(fx->s, "S1", &rec, &err), SLDS_OK);
        assert_string_equal(rec->sex, "F");
        assert_int_equal(rows(rec, "enrollments"), 3);
        assert_int_equal(rows(rec, "tests"), 3);
        assert_int_equal(rows(rec, "teachers"), 2);
        expect_row(rec, "teachers", 1, "2024", "MATH", "T9", "M7", "SCH3", "0.6", NULL);
        slds_record_free(rec);
    }
    exec(fx->s, "DELETE FROM student_identity WHERE student_id = 'S7';"
                "DELETE FROM enrollments WHERE student_id = 'S8'");
    assert_int_equal(slds_record_get(fx->s, "S7", &rec, &err), SLDS_ERR_NOTFOUND);
    assert_int_equal(slds_record_get(fx->s, "S8", &rec, &err), SLDS_ERR_NOTFOUND);
}

/* Two sections (enrollments, tests) are sorted in C, not by SQLite: on rows
 * of every storage class in the sort columns (integers, reals, texts,
 * blobs; numbers that tie across int and real), their order is the order
 * of the SQL ORDER BY the record's documentation gives. */
static void test_sorted_as_sqlite(void **state)
{
    fixture *fx = *state;
    static const char *const years[] = {"2023", "2024", "2023.5", "2022.999", "'2023'", "'x'", "X'07E7'",
                                        "-1", "9e18", "'2024a'", "2024.0"};
    static const char *const texts[] = {"'2023-08-20'", "'2023-08-2'", "''", "'abc'", "'ABC'", "'\xc3\xa9'",
                                        "X'41'", "X'4142'", "'A'", "'2023-08-20 '", "1", "2.5"};
    static const char *const names[] = {"'SBA'", "'MAP'", "'sba'", "X'53'", "'S'", "''"};
    unsigned seed = 3;
    for (int round = 0; round < 6; round++) {
        char id[16];
        snprintf(id, sizeof id, "SX%d", round);
        for (int i = 0; i < 60; i++) {
            char sql[512];
            snprintf(sql, sizeof sql,
                     "INSERT OR IGNORE INTO enrollments VALUES('%s', %s, %s, '05', %s, NULL, NULL);"
                     "INSERT OR IGNORE INTO assessments VALUES('%s', %s, %s, '05', %s, %s, %s, 1, 1, NULL)",
                     id, names[rand_r(&seed) % 6], years[rand_r(&seed) % 11], texts[rand_r(&seed) % 12], id,
                     years[rand_r(&seed) % 11], names[rand_r(&seed) % 6], names[rand_r(&seed) % 6],
                     names[rand_r(&seed) % 6], texts[rand_r(&seed) % 12]);
            exec(fx->s, sql);
        }
        slds_record *rec = NULL;
        slds_error err = {0};
        assert_int_equal(slds_record_get(fx->s, id, &rec, &err), SLDS_OK);
        static const struct { const char *section, *sql; int c1, c2, c3; } checks[] = {
            {"enrollments",
             "SELECT CAST(school_id AS TEXT), CAST(entry_date AS TEXT), CAST(school_year AS TEXT)"
             " FROM enrollments WHERE student_id = ?1 ORDER BY school_year, entry_date, school_id",
             1, 6, 0},
            {"tests",
             "SELECT CAST(subject AS TEXT), CAST(test_date AS TEXT), CAST(test_type AS TEXT)"
             " FROM assessments WHERE student_id = ?1"
             " ORDER BY school_year, test_date, test_type, subject, test_name",
             2, 5, 1}};
        for (int k = 0; k < 2; k++) {
            const slds_table *t = slds_record_find_section(rec, checks[k].section);
            sqlite3_stmt *st;
            assert_int_equal(sqlite3_prepare_v2(fx->s->db, checks[k].sql, -1, &st, NULL), SQLITE_OK);
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            size_t r = 0;
            for (; sqlite3_step(st) == SQLITE_ROW; r++) {
                assert_true(r < slds_table_nrows(t));
                const int cols[2] = {checks[k].c1, checks[k].c2};
                for (int j = 0; j < 2; j++) {
                    const char *want = (const char *)sqlite3_column_text(st, j);
                    const char *got = slds_table_text(t, r, cols[j]);
                    if (strcmp(got ? got : "", want ? want : ""))
                        fail_msg("%s %s row %zu: '%s', SQLite's ORDER BY gives '%s'", id, checks[k].section,
                                 r, got ? got : "", want ? want : "");
                }
            }
            sqlite3_finalize(st);
            assert_int_equal(r, slds_table_nrows(t));
            assert_true(r > 20);
        }
        slds_record_free(rec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections),        cmocka_unit_test(test_enrollments_across_districts),
        cmocka_unit_test(test_other_sections),  cmocka_unit_test(test_numeric_columns),
        cmocka_unit_test(test_no_name_or_birth_date), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_known_ids_and_rereads), cmocka_unit_test(test_sorted_as_sqlite),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
