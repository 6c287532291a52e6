/* test_access_roles.c - the authorization matrix: every role against every
 * kind of resource (student, school, district, educator) inside and outside
 * its scope, for the current and the previous school year, on the small
 * hand-built state of fixture.h; the visible-students table of each role
 * (rows, names, paging); errors never grant; role names; and the checks of
 * slds_user_add (scopes must fit the role and exist). Each expected value is
 * read off the fixture's comment by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

enum { N_PRINCIPALS = 9 };
static const char *district_scope[] = {"L1"};
static const char *principal_scope[] = {"S1"};
static const char *teacher_scope[] = {"T1"};
static const char *parent_scope[] = {"1001", "1003"};
static const char *student_scope[] = {"1002"};

static slds_principal who_of(int k)
{
    switch (k) {
    case 0:
        return fixture_who(SLDS_ROLE_PUBLIC, NULL, 0);
    case 1:
        return fixture_who(SLDS_ROLE_STATE_ADMIN, NULL, 0);
    case 2:
        return fixture_who(SLDS_ROLE_STATE_ANALYST, NULL, 0);
    case 3:
        return fixture_who(SLDS_ROLE_DISTRICT, district_scope, 1);
    case 4:
        return fixture_who(SLDS_ROLE_PRINCIPAL, principal_scope, 1);
    case 5:
        return fixture_who(SLDS_ROLE_TEACHER, teacher_scope, 1);
    case 6:
        return fixture_who(SLDS_ROLE_PARENT, parent_scope, 2);
    case 7:
        return fixture_who(SLDS_ROLE_STUDENT, student_scope, 1);
    default:
        return fixture_who(SLDS_ROLE_RESEARCHER, NULL, 0);
    }
}

static const char *const students[5] = {"1001", "1002", "1003", "1004", "1005"};
/* [principal][student] for 2024 and 2023; order of who_of. */
static const int see_student_2024[N_PRINCIPALS][5] = {
    {0, 0, 0, 0, 0}, /* public */
    {1, 1, 1, 1, 1}, /* state-admin */
    {0, 0, 0, 0, 0}, /* state-analyst */
    {1, 1, 1, 0, 0}, /* district L1: E moved to L2 in 2024 */
    {1, 1, 0, 0, 0}, /* principal S1 */
    {1, 0, 0, 0, 0}, /* teacher T1: only A on the 2024 roster */
    {1, 0, 1, 0, 0}, /* parent of A and C */
    {0, 1, 0, 0, 0}, /* student B */
    {0, 0, 0, 0, 0}, /* researcher */
};
static const int see_student_2023[N_PRINCIPALS][5] = {
    {0, 0, 0, 0, 0}, {1, 1, 1, 1, 1},
    {0, 0, 0, 0, 0}, {0, 0, 0, 0, 1}, /* district L1: E was at S1 in 2023 */
    {0, 0, 0, 0, 1},                  /* principal S1: E */
    {0, 0, 0, 0, 1},                  /* teacher T1: E on the 2023 roster */
    {1, 0, 1, 0, 0},                  /* parent: any year */
    {0, 1, 0, 0, 0}, {0, 0, 0, 0, 0},
};
static const char *const schools[3] = {"S1", "S2", "S3"};
static const int see_school[N_PRINCIPALS][3] = {
    {0, 0, 0}, {1, 1, 1}, {0, 0, 0}, {1, 1, 0}, {1, 0, 0},
    {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
};
static const char *const leas[2] = {"L1", "L2"};
static const int see_lea[N_PRINCIPALS][2] = {
    {0, 0}, {1, 1}, {0, 0}, {1, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0},
};
static const char *const staff[4] = {"T1", "T2", "T3", "P1"};
static const int see_staff_2024[N_PRINCIPALS][4] = {
    {0, 0, 0, 0}, {1, 1, 1, 1}, {0, 0, 0, 0}, {1, 0, 1, 1}, /* district L1 */
    {1, 0, 0, 1},                                           /* principal S1 */
    {1, 0, 0, 0},                                           /* teacher T1: itself */
    {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0},
};
static const int see_staff_2023[N_PRINCIPALS][4] = {
    {0, 0, 0, 0}, {1, 1, 1, 1},
    {0, 0, 0, 0}, {1, 0, 1, 1}, /* district L1: staff.lea_id is L1 whatever the year */
    {1, 0, 0, 0},               /* principal S1: P1 was not assigned in 2023 */
    {1, 0, 0, 0}, {0, 0, 0, 0},
    {0, 0, 0, 0}, {0, 0, 0, 0},
};
static const int aggregates[N_PRINCIPALS] = {1, 1, 1, 1, 1, 1, 0, 0, 1};
static const int identifiable[N_PRINCIPALS] = {0, 1, 0, 1, 1, 1, 1, 1, 0};
static const int suppressed[N_PRINCIPALS] = {1, 0, 0, 0, 0, 0, 0, 0, 0};

static char db_path[256];
static slds_store *db;

static int setup(void **state)
{
    (void)state;
    slds_store *w = fixture_db(db_path, sizeof db_path);
    slds_store_close(w);
    slds_error err = {0};
    if (slds_store_open_readonly(&db, db_path, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    slds_store_close(db);
    fixture_remove(db_path);
    return 0;
}

static void test_student_matrix(void **state)
{
    (void)state;
    slds_error err = {0};
    for (int k = 0; k < N_PRINCIPALS; k++) {
        slds_principal who = who_of(k);
        for (int i = 0; i < 5; i++) {
            int got = slds_access_may_see_student(db, &who, students[i], 2024, &err);
            if (got != see_student_2024[k][i])
                fail_msg("%s, student %s, 2024: %d, expected %d", slds_role_name(who.role),
                         students[i], got, see_student_2024[k][i]);
            got = slds_access_may_see_student(db, &who, students[i], 2023, &err);
            if (got != see_student_2023[k][i])
                fail_msg("%s, student %s, 2023: %d, expected %d", slds_role_name(who.role),
                         students[i], got, see_student_2023[k][i]);
        }
        /* an id that is nobody's (admins may ask; no scope covers it) */
        int expect_unknown = who.role == SLDS_ROLE_STATE_ADMIN;
        assert_int_equal(slds_access_may_see_student(db, &who, "9999", 2024, &err), expect_unknown);
        assert_int_equal(slds_access_may_see_student(db, &who, NULL, 2024, &err), 0);
    }
}

static void test_school_lea_staff_matrix(void **state)
{
    (void)state;
    slds_error err = {0};
    for (int k = 0; k < N_PRINCIPALS; k++) {
        slds_principal who = who_of(k);
        const char *role = slds_role_name(who.role);
        for (int i = 0; i < 3; i++)
            if (slds_access_may_see_school(db, &who, schools[i], &err) != see_school[k][i])
                fail_msg("%s, school %s", role, schools[i]);
        for (int i = 0; i < 2; i++)
            if (slds_access_may_see_lea(db, &who, leas[i], &err) != see_lea[k][i])
                fail_msg("%s, lea %s", role, leas[i]);
        for (int i = 0; i < 4; i++) {
            if (slds_access_may_see_staff(db, &who, staff[i], 2024, &err) != see_staff_2024[k][i])
                fail_msg("%s, staff %s, 2024", role, staff[i]);
            if (slds_access_may_see_staff(db, &who, staff[i], 2023, &err) != see_staff_2023[k][i])
                fail_msg("%s, staff %s, 2023", role, staff[i]);
        }
        if (slds_access_may_see_aggregates(&who) != aggregates[k])
            fail_msg("%s, aggregates", role);
        if (slds_access_identifiable(&who) != identifiable[k])
            fail_msg("%s, identifiable", role);
        if (slds_access_needs_suppression(&who) != suppressed[k])
            fail_msg("%s, suppression", role);
    }
    /* nobody at all is the public */
    assert_int_equal(slds_access_needs_suppression(NULL), 1);
    assert_int_equal(slds_access_identifiable(NULL), 0);
    assert_int_equal(slds_access_may_see_student(db, NULL, "1001", 2024, &err), 0);
}

/* The student ids of a visible-students table, space-separated. */
static void ids_of(const slds_table *t, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t r = 0; r < slds_table_nrows(t); r++) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s", n ? " " : "", slds_table_text(t, r, 0));
    }
}

static void test_visible_students(void **state)
{
    (void)state;
    static const char *const expect_2024[N_PRINCIPALS] = {"",          "1001 1002 1003 1004 1005",
                                                          "",          "1001 1002 1003",
                                                          "1001 1002", "1001",
                                                          "1001 1003", "1002",
                                                          ""};
    static const char *const expect_2023[N_PRINCIPALS] = {
        "", "1005", "", "1005", "1005", "1005", "1001 1003", "1002", ""};
    slds_error err = {0};
    char ids[256];
    for (int k = 0; k < N_PRINCIPALS; k++) {
        slds_principal who = who_of(k);
        slds_table *t;
        if (slds_access_visible_students(db, &who, 2024, 0, 0, &t, &err))
            fail_msg("%s", err.message);
        ids_of(t, ids, sizeof ids);
        if (strcmp(ids, expect_2024[k]))
            fail_msg("%s 2024: '%s', expected '%s'", slds_role_name(who.role), ids, expect_2024[k]);
        /* every listed student passes may_see_student: one rule, two questions */
        for (size_t r = 0; r < slds_table_nrows(t); r++)
            assert_int_equal(
                slds_access_may_see_student(db, &who, slds_table_text(t, r, 0), 2024, &err), 1);
        slds_table_free(t);
        assert_int_equal(slds_access_visible_students(db, &who, 2023, 0, 0, &t, &err), SLDS_OK);
        ids_of(t, ids, sizeof ids);
        if (strcmp(ids, expect_2023[k]))
            fail_msg("%s 2023: '%s', expected '%s'", slds_role_name(who.role), ids, expect_2023[k]);
        slds_table_free(t);
    }

    /* columns: name, grade and school of the year's enrollment; E's name from
     * the identity of its 2024 district (L2: "New"), its 2023 one from L1 */
    slds_principal admin = who_of(1);
    slds_table *t;
    assert_int_equal(slds_access_visible_students(db, &admin, 2024, 0, 0, &t, &err), SLDS_OK);
    assert_int_equal(slds_table_ncols(t), 5);
    assert_string_equal(slds_table_text(t, 0, 1), "Ana");
    assert_string_equal(slds_table_text(t, 0, 2), "Alba");
    assert_string_equal(slds_table_text(t, 0, 3), "04");
    assert_string_equal(slds_table_text(t, 0, 4), "S1");
    assert_string_equal(slds_table_text(t, 4, 0), "1005");
    assert_string_equal(slds_table_text(t, 4, 2), "New");
    assert_string_equal(slds_table_text(t, 4, 4), "S3");
    slds_table_free(t);
    assert_int_equal(slds_access_visible_students(db, &admin, 2023, 0, 0, &t, &err), SLDS_OK);
    assert_string_equal(slds_table_text(t, 0, 2), "Old");
    assert_string_equal(slds_table_text(t, 0, 3), "03");
    slds_table_free(t);

    /* paging: rows 2 and 3 of 5 */
    assert_int_equal(slds_access_visible_students(db, &admin, 2024, 1, 2, &t, &err), SLDS_OK);
    ids_of(t, ids, sizeof ids);
    assert_string_equal(ids, "1002 1003");
    slds_table_free(t);

    /* a parent sees the child's grade in a year of enrollment, blanks otherwise */
    slds_principal parent = who_of(6);
    assert_int_equal(slds_access_visible_students(db, &parent, 2023, 0, 0, &t, &err), SLDS_OK);
    assert_string_equal(slds_table_text(t, 0, 1), "Ana");
    assert_true(slds_table_is_blank(t, 0, 3));
    slds_table_free(t);

    int year = 0;
    assert_int_equal(slds_access_current_year(db, &year, &err), SLDS_OK);
    assert_int_equal(year, 2024);
}

/* A database error answers -1 (and never 1): the caller refuses. */
static void test_errors_never_grant(void **state)
{
    (void)state;
    char path[256];
    slds_store *w = fixture_db(path, sizeof path);
    slds_error err = {0};
    assert_int_equal(slds_store_exec(w, "DROP TABLE rosters; DROP TABLE enrollments;", &err),
                     SLDS_OK);
    slds_principal teacher = who_of(5), principal = who_of(4), district = who_of(3);
    assert_int_equal(slds_access_may_see_student(w, &teacher, "1001", 2024, &err), -1);
    assert_int_equal(err.code, SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "rosters"));
    assert_int_equal(slds_access_may_see_student(w, &principal, "1001", 2024, &err), -1);
    assert_int_equal(slds_access_may_see_student(w, &district, "1001", 2024, &err), -1);
    slds_table *t = NULL;
    assert_int_equal(slds_access_visible_students(w, &teacher, 2024, 0, 0, &t, &err), SLDS_ERR_DB);
    assert_null(t);
    slds_store_close(w);
    fixture_remove(path);
}

static void test_role_names(void **state)
{
    (void)state;
    for (int r = 0; r < SLDS_USER_ROLE_COUNT; r++) {
        slds_role back = SLDS_ROLE_PUBLIC;
        assert_int_equal(slds_role_parse(slds_role_name((slds_role)r), &back), SLDS_OK);
        assert_int_equal(back, r);
    }
    assert_string_equal(slds_role_name(SLDS_ROLE_STATE_ADMIN), "state-admin");
    assert_string_equal(slds_role_name(SLDS_ROLE_STATE_ANALYST), "state-analyst");
    slds_role r = SLDS_ROLE_TEACHER;
    assert_int_equal(slds_role_parse("admin", &r), SLDS_ERR_USAGE);
    assert_int_equal(slds_role_parse(NULL, &r), SLDS_ERR_USAGE);
    assert_int_equal(r, SLDS_ROLE_TEACHER);
    assert_string_equal(slds_role_name((slds_role)42), "?");
}

static void test_user_add_checks(void **state)
{
    (void)state;
    char path[256];
    slds_store *w = fixture_db(path, sizeof path);
    slds_password_cost fast = slds_password_cost_min();
    slds_error err = {0};
    const char *pw = "a long enough password";
    const char *t1[] = {"T1"}, *nope[] = {"T9"}, *two[] = {"1001", "1002"}, *dup[] = {"L1", "L1"};
    const char *l1[] = {"L1"}, *s1[] = {"S1"};

    assert_int_equal(slds_user_add(w, "teach", SLDS_ROLE_TEACHER, t1, 1, pw, &fast, &err), SLDS_OK);
    assert_int_equal(slds_user_add(w, "teach", SLDS_ROLE_TEACHER, t1, 1, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "exists"));
    assert_int_equal(slds_user_add(w, "t2", SLDS_ROLE_TEACHER, nope, 1, pw, &fast, &err),
                     SLDS_ERR_NOTFOUND);
    assert_non_null(strstr(err.message, "T9"));
    assert_int_equal(slds_user_add(w, "t3", SLDS_ROLE_TEACHER, NULL, 0, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_int_equal(slds_user_add(w, "kid", SLDS_ROLE_STUDENT, two, 2, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_int_equal(slds_user_add(w, "adm", SLDS_ROLE_STATE_ADMIN, l1, 1, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_int_equal(slds_user_add(w, "pub", SLDS_ROLE_PUBLIC, NULL, 0, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_int_equal(slds_user_add(w, "d", SLDS_ROLE_DISTRICT, dup, 2, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_int_equal(slds_user_add(w, "d", SLDS_ROLE_DISTRICT, s1, 1, pw, &fast, &err),
                     SLDS_ERR_NOTFOUND); /* a school id is not an lea id */
    assert_int_equal(slds_user_add(w, "bad name", SLDS_ROLE_STATE_ADMIN, NULL, 0, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_int_equal(slds_user_add(w, "", SLDS_ROLE_STATE_ADMIN, NULL, 0, pw, &fast, &err),
                     SLDS_ERR_USAGE);
    assert_int_equal(
        slds_user_add(w, "short", SLDS_ROLE_STATE_ADMIN, NULL, 0, "eleven char", &fast, &err),
        SLDS_ERR_USAGE);
    assert_null(strstr(err.message, "eleven char")); /* never the password in a message */
    assert_int_equal(slds_user_add(w, "par", SLDS_ROLE_PARENT, two, 2, pw, &fast, &err), SLDS_OK);
    assert_int_equal(slds_user_add(w, "dist", SLDS_ROLE_DISTRICT, l1, 1, pw, &fast, &err), SLDS_OK);
    assert_int_equal(slds_user_passwd(w, "nobody", pw, &fast, &err), SLDS_ERR_NOTFOUND);
    assert_int_equal(slds_user_disable(w, "nobody", &err), SLDS_ERR_NOTFOUND);
    assert_int_equal(slds_user_disable(w, "dist", &err), SLDS_OK);

    /* only the valid ones were stored; the list shows no hash */
    slds_table *t;
    assert_int_equal(slds_user_list(w, &t, &err), SLDS_OK);
    assert_int_equal(slds_table_nrows(t), 3);
    assert_int_equal(slds_table_ncols(t), 6);
    assert_string_equal(slds_table_text(t, 0, 0), "dist");
    assert_string_equal(slds_table_text(t, 0, 1), "district");
    assert_true(slds_table_boolean(t, 0, 3));
    assert_string_equal(slds_table_text(t, 1, 0), "par");
    assert_int_equal(slds_table_list_size(t, 1, 2), 2);
    assert_string_equal(slds_table_list_item(t, 1, 2, 1), "1002");
    assert_false(slds_table_boolean(t, 2, 3));
    for (size_t r = 0; r < slds_table_nrows(t); r++)
        for (int c = 0; c < slds_table_ncols(t); c++) {
            char buf[512];
            assert_null(strstr(slds_table_cell_text(t, r, c, buf, sizeof buf), "argon2"));
        }
    slds_table_free(t);
    slds_store_close(w);
    fixture_remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_student_matrix),   cmocka_unit_test(test_school_lea_staff_matrix),
        cmocka_unit_test(test_visible_students), cmocka_unit_test(test_errors_never_grant),
        cmocka_unit_test(test_role_names),       cmocka_unit_test(test_user_add_checks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
