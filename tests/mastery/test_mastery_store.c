/* test_mastery_store.c - mastery over the state database (src/mastery):
 * next steps on a hand-built prerequisite graph; the online update
 * (slds_mastery_update) equals the batch forward pass, and a late arrival
 * replays the student's responses in time order; the fit stores parameters
 * and states whose P(mastery) is the forward pass of each student's
 * responses; learning plans and their status as of a date; the progression
 * tables. */
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

#include "mastery/mastery.h"
#include "../db.h"

/* The graph (MATH grade 03):  A   B <- A   C <- B   D <- A, C   E <- A   F
 * and G (grade 04) <- F. Student 1000000001 in grade 03:
 * A mastered (0.97), B practised and never mastered (0.50, max 0.60),
 * F mastered once (max 0.98), now 0.80; C, D, E not practised. */
static void build_graph(slds_store *s)
{
    exec(s, "INSERT INTO standards VALUES"
            "('MATH.3.A','MATH','03','a',''),('MATH.3.B','MATH','03','b','MATH.3.A'),"
            "('MATH.3.C','MATH','03','c','MATH.3.B'),('MATH.3.D','MATH','03','d','MATH.3.A MATH.3.C'),"
            "('MATH.3.E','MATH','03','e','MATH.3.A'),('MATH.3.F','MATH','03','f',''),"
            "('MATH.4.G','MATH','04','g','MATH.3.F');"
            "INSERT INTO students VALUES('1000000001','F'),('1000000002','M');"
            "INSERT INTO schools VALUES('S00001','L0001','One','ELEMENTARY','N','NONE','N');"
            "INSERT INTO enrollments VALUES('1000000001','S00001',2024,'03','2023-08-21',NULL,NULL),"
            "('1000000002','S00001',2024,'03','2023-08-21',NULL,NULL);"
            "INSERT INTO mastery_state VALUES"
            "('1000000001','MATH.3.A',0.97,6,5,0.97,'2023-10-01T09:00:00','2023-10-02T09:00:00',0.03),"
            "('1000000001','MATH.3.B',0.50,5,2,0.60,NULL,'2023-10-03T09:00:00',NULL),"
            "('1000000001','MATH.3.F',0.80,9,6,0.98,'2023-10-04T09:00:00','2023-11-04T09:00:00',NULL);");
}

static void test_next_steps_on_graph(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    build_graph(s);
    slds_table *t;
    slds_error err = {0};
    if (slds_mastery_next_steps_table(s, "1000000001", 0.95, &t, &err))
        fail_msg("%s", err.message);
    /* revisit: F (fallen) first, then B (never mastered); ready: E (A mastered);
     * not C (B not mastered), not D (C not mastered), not G (grade 4, F not mastered now) */
    assert_int_equal(slds_table_nrows(t), 3);
    const char *want[3][3] = {{"MATH.3.F", "revisit", "was mastered (0.98), now 0.80"},
                              {"MATH.3.B", "revisit", "not yet mastered after 5 responses"},
                              {"MATH.3.E", "ready", "every prerequisite mastered"}};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(slds_table_text(t, i, 1), want[i][0]);
        assert_string_equal(slds_table_text(t, i, 7), want[i][1]);
        assert_string_equal(slds_table_text(t, i, 8), want[i][2]);
    }
    slds_table_free(t);
    /* The map: every grade-3 standard with its status; C and D not ready,
     * with their missing prerequisites. */
    if (slds_mastery_student_table(s, "1000000001", 0.95, &t, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_table_nrows(t), 6);
    for (size_t i = 0; i < 6; i++) {
        const char *id = slds_table_text(t, i, 1), *st = slds_table_text(t, i, 7);
        if (!strcmp(id, "MATH.3.A"))
            assert_string_equal(st, "mastered");
        if (!strcmp(id, "MATH.3.C")) {
            assert_string_equal(st, "not ready");
            assert_int_equal(slds_table_list_size(t, i, 10), 1);
            assert_string_equal(slds_table_list_item(t, i, 10, 0), "MATH.3.B");
        }
        if (!strcmp(id, "MATH.3.D")) {
            assert_string_equal(st, "not ready");
            assert_int_equal(slds_table_list_size(t, i, 10), 1);
            assert_string_equal(slds_table_list_item(t, i, 10, 0), "MATH.3.C");
        }
    }
    slds_table_free(t);
    /* A lower threshold makes F mastered again and G ready... but G is grade 4:
     * off the grade-3 student's map. B at 0.5 is still revisit. */
    if (slds_mastery_next_steps_table(s, "1000000001", 0.75, &t, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_table_nrows(t), 2);
    assert_string_equal(slds_table_text(t, 0, 1), "MATH.3.B");
    assert_string_equal(slds_table_text(t, 1, 1), "MATH.3.E");
    slds_table_free(t);
    /* An unknown student */
    assert_int_equal(slds_mastery_next_steps_table(s, "1999999999", 0.95, &t, &err),
                     SLDS_ERR_NOTFOUND);
    close_temp(s, path);
}

static void test_online_update_and_replay(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    build_graph(s);
    exec(s, "INSERT INTO mastery_params VALUES('MATH.3.C',0.3,0.2,0.25,0.1,NULL,0,0,NULL,NULL,'x');");
    slds_bkt_params p = {0.3, 0.2, 0.25, 0.1, 0.0};
    const char *times[] = {"2024-01-10T09:00:00", "2024-01-10T09:01:00", "2024-01-11T10:00:00",
                           "2024-01-12T10:00:00"};
    const uint8_t obs[] = {1, 0, 1, 1};
    slds_error err = {0};
    slds_mastery_update_result res;
    for (int i = 0; i < 4; i++) {
        if (slds_mastery_update(s, "1000000002", "MATH.3.C", times[i], obs[i], 0.95, &res, &err))
            fail_msg("%s", err.message);
        assert_int_equal(res, SLDS_MASTERY_UPDATED);
    }
    double m[5];
    slds_bkt_forward(&p, obs, 4, NULL, m);
    slds_cursor c;
    assert_int_equal(slds_cursor_open(&c, s,
                                      "SELECT p_mastery, responses, correct, last_response FROM"
                                      " mastery_state WHERE student_id='1000000002'",
                                      &err),
                     0);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_true(fabs(slds_cursor_double(&c, 0) - m[4]) < 1e-15);
    assert_int_equal(slds_cursor_int(&c, 1), 4);
    assert_int_equal(slds_cursor_int(&c, 2), 3);
    assert_string_equal(slds_cursor_text(&c, 3), "2024-01-12T10:00:00");
    slds_cursor_close(&c);
    /* A standard without parameters: nothing stored. */
    assert_int_equal(slds_mastery_update(s, "1000000002", "MATH.3.D", times[0], 1, 0.95, &res, &err), 0);
    assert_int_equal(res, SLDS_MASTERY_NO_MODEL);
    /* A late arrival: the responses are replayed in time order from
     * item_responses (which holds the new row). */
    exec(s, "INSERT INTO item_responses VALUES"
            "('1000000002','2024-01-10T09:00:00','i1','MATH.3.C',1),"
            "('1000000002','2024-01-10T09:01:00','i2','MATH.3.C',0),"
            "('1000000002','2024-01-11T10:00:00','i3','MATH.3.C',1),"
            "('1000000002','2024-01-12T10:00:00','i4','MATH.3.C',1),"
            "('1000000002','2024-01-09T08:00:00','i0','MATH.3.C',0);");
    if (slds_mastery_update(s, "1000000002", "MATH.3.C", "2024-01-09T08:00:00", 0, 0.95, &res, &err))
        fail_msg("%s", err.message);
    assert_int_equal(res, SLDS_MASTERY_REPLAYED);
    const uint8_t sorted[] = {0, 1, 0, 1, 1};
    double m2[6];
    slds_bkt_forward(&p, sorted, 5, NULL, m2);
    assert_int_equal(slds_cursor_open(&c, s,
                                      "SELECT p_mastery, responses FROM mastery_state"
                                      " WHERE student_id='1000000002'",
                                      &err),
                     0);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_true(fabs(slds_cursor_double(&c, 0) - m2[5]) < 1e-15);
    assert_int_equal(slds_cursor_int(&c, 1), 5);
    slds_cursor_close(&c);
    /* A long run: 60 correct answers, then 60 wrong ones, one update each.
     * The stored P(not mastered) carries the state on when P(mastery) is 1
     * to the last digit, so the stored values follow the forward pass. */
    exec(s, "INSERT INTO mastery_params VALUES('MATH.3.E',0.6,0.0125,0.375,0.1875,NULL,0,0,NULL,NULL,'x');");
    slds_bkt_params pe = {0.6, 0.0125, 0.375, 0.1875, 0.0};
    uint8_t run[120];
    for (int t = 0; t < 120; t++) {
        char at[32];
        run[t] = t < 60;
        snprintf(at, sizeof at, "2024-03-01T%02d:%02d:00", t / 60, t % 60);
        if (slds_mastery_update(s, "1000000002", "MATH.3.E", at, run[t], 0.95, &res, &err))
            fail_msg("%s", err.message);
    }
    double m3[121];
    slds_bkt_forward(&pe, run, 120, NULL, m3);
    assert_int_equal(slds_cursor_open(&c, s,
                                      "SELECT p_mastery, max_p_mastery, mastered_at FROM mastery_state"
                                      " WHERE student_id='1000000002' AND standard_id='MATH.3.E'",
                                      &err),
                     0);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_true(fabs(slds_cursor_double(&c, 0) - m3[120]) < 1e-12);
    assert_true(slds_cursor_double(&c, 0) < 0.02); /* fallen (by 100-digit arithmetic: 0.017857) */
    assert_true(slds_cursor_double(&c, 1) == 1.0);
    slds_cursor_close(&c);
    close_temp(s, path);
}

/* The fit from item_responses stores, for each student, the forward pass of
 * his or her responses with the fitted parameters. */
static void test_fit_store_states(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    build_graph(s);
    exec(s, "DELETE FROM mastery_state;");
    /* 40 students x 6 items of MATH.3.A, a deterministic pattern */
    for (int st = 0; st < 40; st++)
        for (int t = 0; t < 6; t++)
            exec(s, "INSERT INTO item_responses VALUES('%d','2024-02-%02dT09:00:00','i%d','MATH.3.A',%d);",
                 2000000000 + st, t + 1, t, (st * 7 + t * 3) % 5 < 2 + t / 2);
    slds_bkt_fit_options o;
    slds_bkt_fit_options_default(&o);
    slds_mastery_fit_summary sum;
    slds_error err = {0};
    if (slds_mastery_fit_store(s, &o, 0.95, &sum, NULL, &err))
        fail_msg("%s", err.message);
    assert_int_equal(sum.standards, 1);
    assert_int_equal(sum.responses, 240);
    assert_int_equal(sum.students, 40);
    assert_int_equal(sum.states, 40);
    slds_table *t;
    if (slds_mastery_standards_table(s, &t, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_table_nrows(t), 1);
    assert_string_equal(slds_table_column(t, 4)->name, "p_slip");
    assert_string_equal(slds_table_column(t, 5)->name, "subject"); /* no p_forget column */
    slds_bkt_params p = {slds_table_real(t, 0, 1), slds_table_real(t, 0, 2), slds_table_real(t, 0, 3),
                         slds_table_real(t, 0, 4), 0};
    slds_table_free(t);
    /* student 2000000003's stored state = forward pass (params shown at 4
     * decimals, so compare loosely) */
    uint8_t obs[6];
    for (int k = 0; k < 6; k++)
        obs[k] = (3 * 7 + k * 3) % 5 < 2 + k / 2;
    double m[7];
    slds_bkt_forward(&p, obs, 6, NULL, m);
    slds_cursor c;
    assert_int_equal(slds_cursor_open(&c, s,
                                      "SELECT p_mastery, responses FROM mastery_state"
                                      " WHERE student_id='2000000003'",
                                      &err),
                     0);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_true(fabs(slds_cursor_double(&c, 0) - m[6]) < 2e-3);
    assert_int_equal(slds_cursor_int(&c, 1), 6);
    slds_cursor_close(&c);
    close_temp(s, path);
}

static void test_plans(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    build_graph(s);
    exec(s, "INSERT INTO mastery_params VALUES('MATH.3.B',0.3,0.2,0.25,0.1,NULL,0,0,NULL,NULL,'x');");
    slds_error err = {0};
    slds_plan_goal goals[] = {
        {"1000000001", "MATH.3.A", "2023-12-01", "E0000001", NULL, "2023-09-01"}, /* met */
        {"1000000001", "MATH.3.F", "2023-09-30", "E0000001", NULL, "2023-09-01"}, /* met late */
        {"1000000001", "MATH.3.B", "2024-03-01", "E0000001", "fractions", "2023-09-01"},
        {"1000000001", "MATH.3.E", "2023-11-01", NULL, NULL, "2023-09-01"}, /* overdue */
        {"1000000001", "MATH.3.C", "2024-05-01", NULL, NULL, "2023-09-01"}, /* not started */
    };
    for (size_t i = 0; i < 5; i++)
        if (slds_mastery_plan_set(s, &goals[i], &err))
            fail_msg("%s", err.message);
    slds_plan_goal bad = {"1000000001", "MATH.9.Z", "2024-01-01", NULL, NULL, NULL};
    assert_int_equal(slds_mastery_plan_set(s, &bad, &err), SLDS_ERR_NOTFOUND);
    bad.standard_id = "MATH.3.A";
    bad.target_date = "2024-02-30";
    assert_int_equal(slds_mastery_plan_set(s, &bad, &err), SLDS_ERR_USAGE);
    slds_table *t;
    if (slds_mastery_plan_table(s, "1000000001", "2023-12-15", 0.95, &t, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_table_nrows(t), 5);
    /* ordered by target date: F, E, A, B, C */
    const char *want[5][2] = {{"MATH.3.F", "met late"}, {"MATH.3.E", "overdue"}, {"MATH.3.A", "met"},
                              {"MATH.3.B", "behind"}, {"MATH.3.C", "not started"}};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(slds_table_text(t, i, 1), want[i][0]);
        assert_string_equal(slds_table_text(t, i, 11), want[i][1]);
    }
    /* B: p 0.50 on 2023-12-15; the straight line from 0.3 (2023-09-01) to 0.95
     * (2024-03-01) is at 0.3 + 0.65 x 105/182 = 0.675 there: behind; progress
     * 0.50/0.95 = 53%; 77 days left */
    assert_true(fabs(slds_table_real(t, 3, 7) - 100 * 0.5 / 0.95) < 1e-9);
    assert_int_equal(slds_table_integer(t, 3, 10), 77);
    slds_table_free(t);
    /* Early in the plan, 0.50 is on track (line at 0.3 + 0.65 x 14/182 = 0.35). */
    if (slds_mastery_plan_table(s, "1000000001", "2023-09-15", 0.95, &t, &err))
        fail_msg("%s", err.message);
    assert_string_equal(slds_table_text(t, 3, 11), "on track");
    slds_table_free(t);
    assert_int_equal(slds_mastery_plan_remove(s, "1000000001", "MATH.3.C", &err), 0);
    assert_int_equal(slds_mastery_plan_remove(s, "1000000001", "MATH.3.C", &err), SLDS_ERR_NOTFOUND);
    /* The student's page has the plan, the map and the next steps. */
    slds_buf b = {0};
    if (slds_mastery_student_html(s, "1000000001", "2023-12-15", 0.95, &b, &err))
        fail_msg("%s", err.message);
    assert_non_null(strstr(b.data, "<svg"));
    assert_non_null(strstr(b.data, "met late"));
    assert_non_null(strstr(b.data, "MATH.3.E"));
    slds_buf_free(&b);
    close_temp(s, path);
}

/* Both students in grade 3; 1000000002 masters every grade-3 MATH standard. */
static void test_progression(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    build_graph(s);
    exec(s, "INSERT INTO mastery_state SELECT '1000000002', standard_id, 0.99, 5, 5, 0.99, NULL, 'x', NULL"
            " FROM standards WHERE grade_level = '03';");
    slds_table *t;
    slds_error err = {0};
    if (slds_mastery_progression_students(s, 0, NULL, NULL, 0.95, &t, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_table_nrows(t), 1);
    assert_string_equal(slds_table_text(t, 0, 0), "1000000002");
    assert_int_equal(slds_table_integer(t, 0, 2), 2024);
    assert_int_equal(slds_table_integer(t, 0, 5), 6);
    assert_int_equal(slds_table_integer(t, 0, 6), 6);
    slds_table_free(t);
    if (slds_mastery_progression_summary(s, 2024, NULL, 0.95, &t, &err))
        fail_msg("%s", err.message);
    /* state, lea, school rows of MATH grade 03: 2 practising, 1 eligible */
    assert_int_equal(slds_table_nrows(t), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(slds_table_integer(t, i, 6), 2);
        assert_int_equal(slds_table_integer(t, i, 7), 1);
        assert_true(fabs(slds_table_real(t, i, 8) - 50.0) < 1e-12);
    }
    assert_string_equal(slds_table_text(t, 0, 3), "state");
    assert_string_equal(slds_table_text(t, 2, 3), "school");
    slds_table_free(t);
    close_temp(s, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_steps_on_graph),
        cmocka_unit_test(test_online_update_and_replay),
        cmocka_unit_test(test_fit_store_states),
        cmocka_unit_test(test_plans),
        cmocka_unit_test(test_progression),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
