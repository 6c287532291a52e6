/* test_web.c - the web application without sockets (slds_web_handle) on a
 * database built by hand: routing (unknown paths, bad ids, methods, bad
 * year and format are 4xx before any query), anonymous requests for records,
 * classes and dashboards are 401 and name no student, the home page escapes
 * stored names, every answer carries the security headers; the class view's
 * figures (latest score, SGP, attendance and discipline flags) computed by
 * hand; the table filter keeps suppression marks and ranges; a kept
 * answer is sent by reference byte for byte as first rendered, and a load
 * (a new row in loads) makes the next request render again; a student's
 * record kept for one requester is checked again for every other (a parent
 * of another child gets 403 and no id) and every view is logged, kept or
 * not; the kept-answer store's limits and generations (kept.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "access/access.h"
#include "../db.h"
#include "web/internal.h"

static const char fixture_sql[] =
    "INSERT INTO leas VALUES('L1','North <b>District</b>',1,1,1.0);"
    "INSERT INTO schools VALUES('SCH1','L1','One & Only','ELEMENTARY','Y','NONE','N');"
    "INSERT INTO students VALUES('1000000001','F'),('1000000002','M');"
    "INSERT INTO enrollments VALUES('1000000001','SCH1',2024,'05','2023-08-20',NULL,NULL),"
    " ('1000000002','SCH1',2024,'05','2023-08-20',NULL,NULL);"
    "INSERT INTO assessments VALUES"
    " ('1000000001',2023,'MATH','04','STATE','SBA','2023-04-15',410.5,2,NULL),"
    " ('1000000001',2024,'MATH','05','STATE','SBA','2024-04-15',431,3,NULL),"
    " ('1000000001',2024,'MATH','05','INTERIM','MAP','2024-05-01',999,4,NULL),"
    " ('1000000002',2023,'MATH','04','STATE','SBA','2023-04-15',380,1,NULL);"
    "INSERT INTO attendance VALUES('1000000001','SCH1',2024,100,95),('1000000002','SCH1',2024,100,80);"
    "INSERT INTO discipline VALUES('1000000002','SCH1','2023-11-05','IN_SCHOOL_SUSPENSION',1),"
    " ('1000000002','SCH1','2024-03-05','OUT_OF_SCHOOL_SUSPENSION',2),"
    " ('1000000002','SCH1','2024-08-05','OUT_OF_SCHOOL_SUSPENSION',2);"
    "INSERT INTO rosters VALUES('T1','1000000001','SCH1',2024,'MATH','M1',1.0),"
    " ('T1','1000000002','SCH1',2024,'MATH','M1',1.0),('T9','1000000002','SCH1',2023,'MATH','M0',1.0);"
    "INSERT INTO growth_students(school_year, subject, student_id, grade, scale_score, sgp,"
    " sgp_order, sgp_target, on_track, catch_up_keep_up)"
    " VALUES(2024,'MATH','1000000001',5,431,62,1,40,'Y','KEEP_UP');";

typedef struct fixture {
    char path[64];
    slds_web *w;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    slds_error err = {0};
    slds_store *s = open_temp(fx->path, sizeof fx->path);
    if (slds_store_exec(s, fixture_sql, &err))
        fail_msg("%s", err.message);
    slds_store_close(s);
    slds_web_options o = {.db_path = fx->path, .threads = 1};
    if (slds_web_new(&fx->w, &o, &err))
        fail_msg("%s", err.message);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    slds_web_free(fx->w);
    unlink(fx->path);
    free(fx);
    return 0;
}

static int get(fixture *fx, const char *method, const char *path, const char *query_name,
               const char *query_value, slds_web_response *rs)
{
    const char *names[1] = {query_name}, *values[1] = {query_value};
    slds_web_request rq = {.method = method, .path = path, .nargs = query_name ? 1 : 0,
                           .arg_names = names, .arg_values = values, .client_addr = "127.0.0.1"};
    slds_web_handle(fx->w, &rq, rs);
    return rs->status;
}

static const char *header(const slds_web_response *rs, const char *name)
{
    for (size_t i = 0; i < rs->nheaders; i++)
        if (!strcmp(rs->header_names[i], name))
            return rs->header_values[i];
    return NULL;
}

static void test_routing(void **state)
{
    fixture *fx = *state;
    static const struct { const char *method, *path, *qn, *qv; int status; } cases[] = {
        {"GET", "/", NULL, NULL, 200},
        {"GET", "/nowhere", NULL, NULL, 404},
        {"GET", "/schools/NOPE", NULL, NULL, 404},
        {"GET", "/schools/a<b", NULL, NULL, 404},
        {"GET", "/schools/..", NULL, NULL, 404},
        {"GET", "/schools/SCH1/extra", NULL, NULL, 404},
        {"PUT", "/state", NULL, NULL, 405},
        {"POST", "/api/v1/students/1000000001", NULL, NULL, 405},
        {"GET", "/state", "year", "20x4", 400},
        {"GET", "/state", "format", "xml", 400},
        {"GET", "/students/1000000001", NULL, NULL, 401},
        {"GET", "/api/v1/students/1000000001", NULL, NULL, 401},
        {"GET", "/api/v1/students/1000000001/growth", NULL, NULL, 401},
        {"GET", "/teachers/T1/class", NULL, NULL, 401},
        {"GET", "/schools/SCH1/dashboard", NULL, NULL, 401},
        {"GET", "/api/v1/me", NULL, NULL, 401},
        {"DELETE", "/api/v1/session", NULL, NULL, 401},
        {"POST", "/logout", NULL, NULL, 401},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        slds_web_response rs;
        int status = get(fx, cases[i].method, cases[i].path, cases[i].qn, cases[i].qv, &rs);
        if (status != cases[i].status)
            fail_msg("%s %s: %d, expected %d", cases[i].method, cases[i].path, status, cases[i].status);
        assert_non_null(header(&rs, "Content-Security-Policy"));
        assert_string_equal(header(&rs, "X-Content-Type-Options"), "nosniff");
        assert_null(strstr(rs.body.data ? rs.body.data : "", "100000000")); /* no student id */
        if (!strncmp(cases[i].path, "/api/", 5))
            assert_string_equal(rs.content_type, "application/json; charset=utf-8");
        slds_web_response_free(&rs);
    }
}

static void test_home_escapes(void **state)
{
    fixture *fx = *state;
    slds_web_response rs;
    assert_int_equal(get(fx, "GET", "/", NULL, NULL, &rs), 200);
    assert_non_null(strstr(rs.body.data, "North &lt;b&gt;District&lt;/b&gt;"));
    assert_non_null(strstr(rs.body.data, "One &amp; Only"));
    assert_null(strstr(rs.body.data, "<b>District"));
    assert_null(strstr(rs.body.data, "<script"));
    slds_web_response_free(&rs);
    assert_int_equal(get(fx, "GET", "/", "format", "csv", &rs), 200);
    assert_string_equal(rs.content_type, "text/csv; charset=utf-8");
    assert_non_null(strstr(rs.body.data, "lea_id,lea_name,school_id,school_name,school_level\n"
                                         "L1,North <b>District</b>,SCH1,One & Only,ELEMENTARY\n"));
    assert_string_equal(header(&rs, "Content-Disposition"), "attachment; filename=\"tables.csv\"");
    slds_web_response_free(&rs);
}

static int get_shared(fixture *fx, const char *path, const char *query_name, const char *query_value,
                      bool share, slds_web_response *rs)
{
    const char *names[1] = {query_name}, *values[1] = {query_value};
    slds_web_request rq = {.method = "GET", .path = path, .nargs = query_name ? 1 : 0,
                           .arg_names = names, .arg_values = values, .client_addr = "127.0.0.1",
                           .share = share};
    slds_web_handle(fx->w, &rq, rs);
    return rs->status;
}

/* The whole answer: body, shared bytes, tail (malloc'd, NUL-terminated). */
static char *whole(const slds_web_response *rs)
{
    size_t n = rs->body.len + rs->shared_len + rs->tail.len;
    char *t = malloc(n + 1);
    assert_non_null(t);
    memcpy(t, rs->body.data ? rs->body.data : "", rs->body.len);
    memcpy(t + rs->body.len, rs->shared ? rs->shared : "", rs->shared_len);
    memcpy(t + rs->body.len + rs->shared_len, rs->tail.data ? rs->tail.data : "", rs->tail.len);
    t[n] = '\0';
    return t;
}

/* A kept answer goes out by reference (no copy) when the request allows
 * it, byte for byte the answer first rendered, and a change of what the
 * reports read (a load: a row in loads) makes a new generation: the next
 * request renders again and shows the change. No time limit is involved. */
static void test_kept_answers_shared_and_renewed(void **state)
{
    fixture *fx = *state;
    slds_web_response rs;
    for (int csv = 0; csv < 2; csv++) {
        const char *qn = csv ? "format" : NULL, *qv = csv ? "csv" : NULL;
        assert_int_equal(get_shared(fx, "/", qn, qv, true, &rs), 200); /* rendered */
        assert_null(rs.shared);
        char *first = whole(&rs);
        slds_web_response_free(&rs);
        assert_int_equal(get_shared(fx, "/", qn, qv, true, &rs), 200); /* kept, shared */
        assert_non_null(rs.shared);
        assert_true(rs.shared_len > 0);
        char *second = whole(&rs);
        assert_string_equal(second, first);
        if (csv)
            assert_int_equal(rs.body.len + rs.tail.len, 0);
        else
            assert_true(rs.body.len > 0 && rs.tail.len > 0); /* the frame */
        slds_web_response_free(&rs);
        assert_int_equal(get_shared(fx, "/", qn, qv, false, &rs), 200); /* kept, copied */
        assert_null(rs.shared);
        assert_string_equal(rs.body.data, first);
        slds_web_response_free(&rs);
        free(first);
        free(second);
    }
    /* another process loads a school: a new generation, rendered again */
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_writer(&s, fx->path, 0, &err) ||
        slds_store_exec(s,
                        "INSERT INTO schools VALUES('SCH2','L1','Second Street','ELEMENTARY','Y','NONE','N');"
                        "INSERT INTO loads(load_id, source_dir, loaded_at, rows_read, rows_loaded, rows_rejected)"
                        " VALUES('L-test', '/x', '2026-01-01', 1, 1, 0);",
                        &err))
        fail_msg("%s", err.message);
    slds_store_close(s);
    assert_int_equal(get_shared(fx, "/", NULL, NULL, true, &rs), 200);
    assert_null(rs.shared);
    assert_non_null(strstr(rs.body.data, "Second Street"));
    slds_web_response_free(&rs);
}

/* Logs username in (password "pw-" username "-123456"), the cookie into
 * token. */
static void login(fixture *fx, const char *username, char token[65])
{
    char body[200];
    snprintf(body, sizeof body, "{\"username\": \"%s\", \"password\": \"pw-%s-123456\"}", username, username);
    slds_web_request rq = {.method = "POST", .path = "/api/v1/session", .content_type = "application/json",
                           .body = body, .body_len = strlen(body), .client_addr = "127.0.0.1"};
    slds_web_response rs;
    slds_web_handle(fx->w, &rq, &rs);
    assert_int_equal(rs.status, 200);
    const char *cookie = header(&rs, "Set-Cookie");
    assert_non_null(cookie);
    assert_int_equal(strncmp(cookie, "slds_session=", 13), 0);
    memcpy(token, cookie + 13, 64);
    token[64] = '\0';
    slds_web_response_free(&rs);
}

static int get_as(fixture *fx, const char *token, const char *path, slds_web_response *rs)
{
    slds_web_request rq = {.method = "GET", .path = path, .cookie_session = token,
                           .client_addr = "127.0.0.1", .share = true};
    slds_web_handle(fx->w, &rq, rs);
    return rs->status;
}

/* The student routes keep one answer for every requester allowed to see
 * it: the access check and the view log still run at every request. T1
 * (teacher of both students in 2024) opens 1000000001's record: rendered,
 * then kept (by reference, the same bytes). The parent of 1000000002 then
 * asks for the same record and page: 403 and no id, although the answer is
 * kept. A load that adds a score renders the record again. The access log
 * holds exactly T1's four views (two of them kept answers) and no refused one. */
static void test_student_answers_kept_per_request(void **state)
{
    fixture *fx = *state;
    slds_web_free(fx->w);
    fx->w = NULL;
    slds_error err = {0};
    slds_store *s;
    slds_password_cost fast = slds_password_cost_min();
    const char *t1[] = {"T1"}, *child[] = {"1000000002"};
    if (slds_store_open_writer(&s, fx->path, 0, &err) ||
        slds_store_exec(s, "INSERT INTO staff(staff_id, lea_id) VALUES('T1','L1')", &err) ||
        slds_user_add(s, "t1", SLDS_ROLE_TEACHER, t1, 1, "pw-t1-123456", &fast, &err) ||
        slds_user_add(s, "mom", SLDS_ROLE_PARENT, child, 1, "pw-mom-123456", &fast, &err))
        fail_msg("%s", err.message);
    slds_store_close(s);
    slds_web_options o = {.db_path = fx->path, .threads = 1, .access_log = true, .min_password_cost = true};
    if (slds_web_new(&fx->w, &o, &err))
        fail_msg("%s", err.message);
    char teacher[65], parent[65];
    login(fx, "t1", teacher);
    login(fx, "mom", parent);

    slds_web_response rs;
    assert_int_equal(get_as(fx, teacher, "/api/v1/students/1000000001", &rs), 200);
    assert_null(rs.shared); /* rendered */
    char *first = whole(&rs);
    assert_non_null(strstr(first, "\"student_id\""));
    assert_non_null(strstr(first, "\"1000000001\""));
    slds_web_response_free(&rs);
    assert_int_equal(get_as(fx, teacher, "/api/v1/students/1000000001", &rs), 200);
    assert_non_null(rs.shared); /* kept */
    char *second = whole(&rs);
    assert_string_equal(second, first);
    slds_web_response_free(&rs);
    free(second);
    assert_int_equal(get_as(fx, teacher, "/students/1000000001", &rs), 200);
    slds_web_response_free(&rs);
    for (int i = 0; i < 2; i++) {
        const char *path = i ? "/students/1000000001" : "/api/v1/students/1000000001";
        assert_int_equal(get_as(fx, parent, path, &rs), 403);
        char *body = whole(&rs);
        assert_null(strstr(body, "1000000001"));
        free(body);
        slds_web_response_free(&rs);
    }
    /* the parent's own child: allowed */
    assert_int_equal(get_as(fx, parent, "/api/v1/students/1000000002/growth", &rs) / 100, 4); /* no growth: 404 */
    slds_web_response_free(&rs);

    if (slds_store_open_writer(&s, fx->path, 0, &err) ||
        slds_store_exec(s,
                        "INSERT INTO assessments VALUES('1000000001',2024,'READ','05','STATE','SBA',"
                        " '2024-04-16',777.25,3,NULL);"
                        "INSERT INTO loads(load_id, source_dir, loaded_at, rows_read, rows_loaded, rows_rejected)"
                        " VALUES('L-test2', '/x', '2026-01-02', 1, 1, 0);",
                        &err))
        fail_msg("%s", err.message);
    slds_store_close(s);
    assert_int_equal(get_as(fx, teacher, "/api/v1/students/1000000001", &rs), 200);
    assert_null(rs.shared); /* a new generation: rendered again */
    assert_non_null(strstr(rs.body.data, "777.25"));
    assert_null(strstr(first, "777.25"));
    slds_web_response_free(&rs);
    free(first);

    slds_web_free(fx->w); /* writes the access log out */
    fx->w = NULL;
    slds_table *log;
    if (slds_store_open_readonly(&s, fx->path, &err) || slds_access_log_of_student(s, "1000000001", &log, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_table_nrows(log), 4);
    for (size_t r = 0; r < slds_table_nrows(log); r++)
        assert_string_equal(web_cell(log, r, "username"), "t1");
    slds_table_free(log);
    slds_store_close(s);
}

/* The kept-answer store alone: a key is found only in its generation; the
 * first answer of a newer generation drops the older ones, and an answer
 * made from an older snapshot is not kept; the count and byte limits push
 * out the least recently used first (a lookup makes an answer recent). */
static web_page *answer(const char *key, uint64_t gen, size_t len)
{
    web_page *p = calloc(1, sizeof *p + strlen(key) + 1);
    web_blob *b = malloc(sizeof *b + len + 1);
    assert_true(p && b);
    atomic_init(&b->refs, 1);
    b->len = len;
    memset(b->data, 'x', len);
    b->data[len] = '\0';
    p->body = b;
    p->generation = gen;
    p->content_type = "text/plain";
    strcpy(p->key, key);
    return p;
}

static bool kept_has(web_kept *k, const char *key, uint64_t gen)
{
    web_page meta;
    web_blob *b = web_kept_find(k, key, gen, &meta);
    slds_web_shared_release(b);
    return b != NULL;
}

static void test_kept_store(void **state)
{
    (void)state;
    web_kept k;
    assert_int_equal(web_kept_init(&k, 3, 1 << 20), 0);
    web_kept_put(&k, answer("a", 5, 10));
    web_kept_put(&k, answer("b", 5, 10));
    assert_true(kept_has(&k, "a", 5));
    assert_false(kept_has(&k, "a", 4));
    assert_false(kept_has(&k, "c", 5));
    web_kept_put(&k, answer("c", 5, 10));
    assert_true(kept_has(&k, "a", 5)); /* a is now more recent than b */
    web_kept_put(&k, answer("d", 5, 10)); /* a fourth: b, the least recently used, goes */
    assert_int_equal(k.n, 3);
    assert_false(kept_has(&k, "b", 5));
    assert_true(kept_has(&k, "a", 5) && kept_has(&k, "c", 5) && kept_has(&k, "d", 5));
    web_kept_put(&k, answer("a", 5, 20)); /* the same key again: replaced */
    assert_int_equal(k.n, 3);
    /* bytes (a store of at most 100 answers): one that does not fit pushes
     * out the least recently used until it does; one larger than the whole
     * store is not kept */
    web_kept kb;
    size_t cost = sizeof(web_page) + 2 + 10, max = 10 * cost;
    assert_int_equal(web_kept_init(&kb, 100, max), 0);
    web_kept_put(&kb, answer("x", 1, 10));
    web_kept_put(&kb, answer("y", 1, 10));
    web_kept_put(&kb, answer("z", 1, 10));
    assert_int_equal(kb.bytes, 3 * cost);
    web_kept_put(&kb, answer("w", 1, max - 2 * cost - sizeof(web_page) - 2)); /* fits without x only */
    assert_int_equal(kb.bytes, max);
    assert_false(kept_has(&kb, "x", 1));
    assert_true(kept_has(&kb, "y", 1) && kept_has(&kb, "z", 1) && kept_has(&kb, "w", 1));
    web_kept_put(&kb, answer("huge", 1, max));
    assert_false(kept_has(&kb, "huge", 1));
    assert_true(kept_has(&kb, "w", 1));
    web_kept_free(&kb);
    /* generations */
    web_kept_put(&k, answer("f", 6, 10));
    assert_int_equal(k.n, 1);
    assert_false(kept_has(&k, "e", 5));
    web_kept_put(&k, answer("g", 5, 10)); /* from an older snapshot */
    assert_false(kept_has(&k, "g", 5));
    assert_int_equal(k.n, 1);
    assert_true(kept_has(&k, "f", 6));
    web_kept_free(&k);
}

/* Student 1000000001: latest STATE MATH 431 (2024, level 3; the interim 999
 * is not a state test), SGP 62, target 40, on track; 95/100 days present,
 * no action. Student 1000000002: latest STATE MATH 380 (2023), no SGP; 80 %
 * present (chronic absence); 2 actions in July 2023 - June 2024 (the one of
 * August 2024 is the next year). T9's roster of 2023 is not T1's class. */
static void test_class_table(void **state)
{
    fixture *fx = *state;
    slds_error err = {0};
    slds_store *s;
    assert_int_equal(slds_store_open_readonly(&s, fx->path, &err), SLDS_OK);
    slds_table *t;
    if (web_class_table(s, "T1", 2024, &t, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_table_nrows(t), 2);
    char buf[64];
    static const char *const want[2][13] = {
        {"1000000001", "MATH", "2024", "05", "431", "3", "62", "40", "KEEP_UP", "Y", "95.0", "no", "0"},
        {"1000000002", "MATH", "2023", "04", "380", "1", "", "", "", "", "80.0", "yes", "2"}};
    for (size_t r = 0; r < 2; r++)
        for (int c = 0; c < 13; c++)
            if (strcmp(slds_table_cell_text(t, r, c, buf, sizeof buf), want[r][c]))
                fail_msg("row %zu column %s: '%s', expected '%s'", r, slds_table_column(t, c)->name, buf,
                         want[r][c]);
    slds_table_free(t);
    slds_store_close(s);
}

static bool keep_odd(const slds_table *t, size_t row, void *ctx)
{
    (void)t, (void)ctx;
    return row % 2 == 1;
}

static void test_filter_keeps_marks(void **state)
{
    (void)state;
    static const slds_column_spec cols[] = {
        {.name = "group_id", .type = SLDS_CELL_TEXT},
        {.name = "n", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_SIZE},
        {.name = "rate", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1, .role = SLDS_ROLE_STATISTIC}};
    slds_error err = {0};
    slds_table *t, *f;
    assert_int_equal(slds_table_new(&t, "t", "T", cols, 3, &err), SLDS_OK);
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "G%d", i);
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, id, &err);
        slds_table_set_integer(t, 1, 5 + 10 * i, &err);
        slds_table_set_real(t, 2, 97.5, &err);
    }
    slds_table_suppress(t, 1, 1);
    slds_table_suppress(t, 1, 2);
    slds_table_code_range(t, 3, 2, false, 95);
    assert_int_equal(web_table_filter(t, "f", NULL, keep_odd, NULL, &f, &err), SLDS_OK);
    assert_int_equal(slds_table_nrows(f), 2);
    char buf[32];
    assert_string_equal(slds_table_cell_text(f, 0, 0, buf, sizeof buf), "G1");
    assert_true(slds_table_is_suppressed(f, 0, 1) && slds_table_is_suppressed(f, 0, 2));
    assert_string_equal(slds_table_cell_text(f, 1, 1, buf, sizeof buf), "35");
    double bound;
    assert_int_equal(slds_table_range(f, 1, 2, &bound), 1);
    assert_true(bound == 95);
    assert_string_equal(slds_table_name(f), "f");
    assert_string_equal(slds_table_title(f), "T");
    slds_table_free(t);
    slds_table_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_home_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept_answers_shared_and_renewed, setup, teardown),
        cmocka_unit_test(test_filter_keeps_marks),
        cmocka_unit_test_setup_teardown(test_student_answers_kept_per_request, setup, teardown),
        cmocka_unit_test(test_kept_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
