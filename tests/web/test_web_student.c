/* test_web_student.c - the answers of the student routes, byte for byte: a
 * state admin logged in (slds_web_handle, no sockets) asks for the record
 * of students built by hand as the API's JSON and CSV, the page's HTML, CSV
 * and JSON, and each answer (status, content type, body) must equal its
 * golden file in tests/data/web_student/. The goldens were written by the
 * server before the record's answer was made faster (issue 11), so they
 * prove that it changed no byte. The students carry what output code gets
 * wrong: texts to escape in JSON, HTML and CSV (quotes, backslashes,
 * control characters, markup, a formula, non-ASCII), reals and integers in
 * one column, numbers and texts in one column, blanks, rows whose order
 * comes from the ORDER BY and not from the key, a student known only by a
 * district's crosswalk, one with text that is not UTF-8 (the API cannot
 * write it: 500), and one that does not exist.
 * SLDS_UPDATE_GOLDEN=1 rewrites the goldens instead (review the diff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../db.h"
#include "web/internal.h"

static const char fixture_sql[] =
    "INSERT INTO leas VALUES('L1','North \"<b>Hills</b>\" & Co',1,1,1.0),('L2','Süd-Tal',1,1,1.0);"
    "INSERT INTO schools VALUES('SCH1','L1','One & Only','ELEMENTARY','Y','NONE','N'),"
    " ('SCH3','L2','Three\\Back','MIDDLE','N','NONE','N'),"
    " ('SCH9','L9','Nine (district not loaded)','HIGH','N','NONE','N');"
    "INSERT INTO students VALUES('S1','F'),('S2',NULL),('S4','M');"
    "INSERT INTO student_identity VALUES('L1','A1','S1','Maria','Lopez','2013-05-06','F','K1','STATE'),"
    " ('L2','B7','S1','Maria','Lopez','2013-05-06','F','K1','MATCHED'),"
    " ('L7','Z1','S1','Maria','Lopez','2013-05-06','F','K1','DISTRICT'),"
    " ('L1','A3','S3','Ana','Ruiz','2012-01-01','F','K3','DISTRICT');"
    /* S1: two schools in 2024, entered on the same day as another
     * enrollment: the key (school, entry date) orders them otherwise */
    "INSERT INTO enrollments VALUES('S1','SCH3',2024,'05','2024-01-11',NULL,NULL),"
    " ('S1','SCH1',2023,'04','2022-08-20','2023-06-01','PROMOTED'),"
    " ('S1','SCH1',2024,'05','2023-08-20','2024-01-10','TRANSFER_IN_STATE'),"
    " ('S1','SCH9',2024,'05','2023-08-20','2023-09-01','a\"b\\c\td\ne'),"
    " ('S1','SCH0',2022,'03','2021-08-20','2022-06-01','=1+2'),"
    " ('S2','SCH1',2024,'05','2023-08-20',NULL,NULL);"
    "INSERT INTO student_attributes VALUES('S1',2023,'HISPANIC','Y','N','Y','N','N','N'),"
    " ('S1',2024,'HISPANIC','Y','N','N',NULL,'N','N'),('S1',2022,'WHITE','N','N','N','N','N','N');"
    /* S1's tests: the key orders by subject first, the record by date */
    "INSERT INTO assessments VALUES"
    " ('S1',2023,'MATH','04','STATE','SBA','2023-04-15',410.5,2,NULL),"
    " ('S1',2023,'ELA','04','STATE','SBA','2023-04-16',0.30000000000000004,1,NULL),"
    " ('S1',2023,'ELA','04','INTERIM','MAP','2023-04-15',1e20,NULL,NULL),"
    " ('S1',2023,'ELA','04','FORMATIVE','CHECK','2023-04-15',-0.0001,NULL,NULL),"
    " ('S1',2024,'SCIENCE','05','STATE','SCI','2024-04-20',NULL,NULL,'ABSENT'),"
    " ('S1',2024,'MATH','05','INTERIM','MAP','2024-02-01',431,NULL,NULL),"
    " ('S1',2024,'MATH','05','INTERIM','MAP','2024-01-15',123456789012345678,NULL,'</td><script>'),"
    " ('S1',2024,'ELA','05','COLLEGE_READINESS','SAT','2024-02-01',1234.5678901234567,3,NULL),"
    " ('S2',2024,'MATH','05','STATE','SBA','2024-04-15',999,4,NULL);"
    "INSERT INTO courses VALUES('S1','SCH3',2024,'SPRING','ALG1','MATH',1.0,1.0,'B+'),"
    " ('S1','SCH3',2024,'FALL','ALG1','MATH',0.5,0,'F'),"
    " ('S1','SCH1',2024,'FALL','ALG1','MATH',1,1,'A'),"
    " ('S1','SCH1',2023,'YEAR','ENG4','ELA',NULL,NULL,'04');"
    "INSERT INTO attendance VALUES('S1','SCH1',2024,90,81),('S1','SCH3',2024,80,80),"
    " ('S1','SCH1',2023,0,0),('S1','SCH0',2022,177.5,170);"
    /* days: reals, an integer and a text in one column: a TEXT column */
    "INSERT INTO discipline VALUES('S1','SCH3','2024-03-05','IN_SCHOOL_SUSPENSION',1),"
    " ('S1','SCH3','2024-03-05','DETENTION',0.5),('S1','SCH1','2023-01-09','EXPULSION','n/a'),"
    " ('S1','SCH1','2023-01-10','OUT_OF_SCHOOL_SUSPENSION',NULL);"
    "INSERT INTO postsecondary VALUES('S1','IHE9','2_YEAR','2031-09-01','Y',24),"
    " ('S1','IHE2','4_YEAR','2031-09-01',NULL,30.25);"
    "INSERT INTO staff VALUES('T1','L1','Ann','Lee',NULL,'TRADITIONAL',5,'Y');"
    "INSERT INTO rosters VALUES('T1','S1','SCH1',2024,'MATH','M1',0.4),"
    " ('T9','S1','SCH3',2024,'MATH','M7',0.6),('T1','S1','SCH1',2024,'ELA','E1',1),"
    " ('T1','S2','SCH1',2024,'MATH','M1',1.0);"
    /* S4: a byte that is not UTF-8 in a stored text */
    "INSERT INTO enrollments VALUES('S4','SCH1',2024,'05','2023-08-20',NULL,CAST(X'41FF42' AS TEXT));";

typedef struct fixture {
    char path[64];
    slds_web *w;
    char token[65];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    slds_error err = {0};
    slds_store *s = open_temp(fx->path, sizeof fx->path);
    if (slds_store_exec(s, fixture_sql, &err))
        fail_msg("%s", err.message);
    slds_password_cost cost = slds_password_cost_min();
    if (slds_user_add(s, "admin", SLDS_ROLE_STATE_ADMIN, NULL, 0, "admin-password-1", &cost, &err))
        fail_msg("%s", err.message);
    slds_store_close(s);
    slds_web_options o = {.db_path = fx->path, .threads = 1, .min_password_cost = true};
    if (slds_web_new(&fx->w, &o, &err))
        fail_msg("%s", err.message);
    /* log in: the session cookie's token */
    static const char body[] = "{\"username\": \"admin\", \"password\": \"admin-password-1\"}";
    slds_web_request rq = {.method = "POST", .path = "/api/v1/session", .content_type = "application/json",
                           .body = body, .body_len = sizeof body - 1, .client_addr = "127.0.0.1"};
    slds_web_response rs;
    slds_web_handle(fx->w, &rq, &rs);
    assert_int_equal(rs.status, 200);
    for (size_t i = 0; i < rs.nheaders; i++)
        if (!strcmp(rs.header_names[i], "Set-Cookie") &&
            !strncmp(rs.header_values[i], "slds_session=", 13))
            snprintf(fx->token, sizeof fx->token, "%.64s", rs.header_values[i] + 13);
    slds_web_response_free(&rs);
    assert_int_equal(strlen(fx->token), 64);
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

/* The answer as a golden holds it: status, content type, a blank line, the
 * body with the session's CSRF token (random) masked. */
static char *answer(fixture *fx, const char *path, const char *query)
{
    const char *names[4], *values[4];
    char q[256] = "";
    size_t n = 0;
    snprintf(q, sizeof q, "%s", query ? query : "");
    for (char *save = NULL, *kv = strtok_r(q, "&", &save); kv && n < 4; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        assert_non_null(eq);
        *eq = '\0';
        names[n] = kv;
        values[n++] = eq + 1;
    }
    slds_web_request rq = {.method = "GET", .path = path, .nargs = n, .arg_names = names,
                           .arg_values = values, .cookie_session = fx->token,
                           .client_addr = "127.0.0.1"};
    slds_web_response rs;
    slds_web_handle(fx->w, &rq, &rs);
    slds_buf out = {0};
    slds_buf_printf(&out, "%d %s\n\n", rs.status, rs.content_type ? rs.content_type : "-");
    slds_buf_append(&out, rs.body.data ? rs.body.data : "", rs.body.len);
    slds_buf_append(&out, rs.shared ? rs.shared : "", rs.shared_len);
    slds_buf_append(&out, rs.tail.data ? rs.tail.data : "", rs.tail.len);
    slds_web_response_free(&rs);
    char *csrf = out.data ? strstr(out.data, "name=\"csrf\" value=\"") : NULL;
    if (csrf) {
        csrf += strlen("name=\"csrf\" value=\"");
        for (; *csrf && *csrf != '"'; csrf++)
            *csrf = '-';
    }
    return out.data ? out.data : strdup("");
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    slds_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        slds_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.data ? b.data : strdup("");
}

static void check_golden(fixture *fx, const char *path, const char *query, const char *golden)
{
    const char *src = getenv("SLDS_SOURCE_DIR");
    char file[1024];
    snprintf(file, sizeof file, "%s/tests/data/web_student/%s", src ? src : ".", golden);
    char *got = answer(fx, path, query);
    if (getenv("SLDS_UPDATE_GOLDEN")) {
        FILE *f = fopen(file, "wb");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
        free(got);
        return;
    }
    size_t len = 0;
    char *want = read_file(file, &len);
    if (!want)
        fail_msg("no golden file %s", file);
    if (strlen(got) != len || memcmp(got, want, len)) {
        size_t i = 0;
        while (i < len && got[i] == want[i])
            i++;
        fail_msg("%s?%s differs from %s at byte %zu:\n got: %.80s\nwant: %.80s", path,
                 query ? query : "", golden, i, got + i, want + i);
    }
    free(want);
    free(got);
}

static void test_student_answers(void **state)
{
    fixture *fx = *state;
    static const struct { const char *path, *query, *golden; } cases[] = {
        {"/api/v1/students/S1", NULL, "S1.api.json"},
        {"/api/v1/students/S1", "format=csv", "S1.api.csv"},
        {"/api/v1/students/S1", "format=csv&table=tests", "S1.api.tests.csv"},
        {"/api/v1/students/S1", "format=html", "S1.api.html"},
        {"/students/S1", NULL, "S1.page.html"},
        {"/students/S1", "year=2023", "S1.page.2023.html"},
        {"/students/S1", "format=csv", "S1.page.csv"},
        {"/students/S1", "format=csv&table=discipline", "S1.page.discipline.csv"},
        {"/students/S1", "format=csv&table=nope", "S1.page.nope.csv"},
        {"/students/S1", "format=json", "S1.page.json"},
        {"/api/v1/students/S2", NULL, "S2.api.json"},
        {"/students/S2", NULL, "S2.page.html"},
        {"/api/v1/students/S3", NULL, "S3.api.json"},
        {"/students/S3", NULL, "S3.page.html"},
        {"/api/v1/students/S4", NULL, "S4.api.json"},
        {"/students/S4", NULL, "S4.page.html"},
        {"/api/v1/students/S4", "format=csv", "S4.api.csv"},
        {"/api/v1/students/S404", NULL, "S404.api.json"},
        {"/students/S404", NULL, "S404.page.html"},
        {"/api/v1/students/S1/growth", NULL, "S1.growth.json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_golden(fx, cases[i].path, cases[i].query, cases[i].golden);
}

/* The same answers again on the same connection (its statements and
 * buffers reused): nothing of one request shows in the next. */
static void test_student_answers_twice(void **state)
{
    test_student_answers(state);
    test_student_answers(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_student_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_student_answers_twice, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
