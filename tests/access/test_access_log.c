/* test_access_log.c - the access log never makes a request wait and loses
 * nothing:
 * - entries land in access_log with their fields, and read back newest first;
 * - the log writes in WAL mode (a reader's open transaction does not stop a
 *   commit) and leaves the file in rollback-journal mode when it closes last;
 * - while another connection holds a write transaction (a load: WAL mode,
 *   through slds_store_open_writer; and a database at rest, rollback
 *   journal), record() returns at once, nothing lands, and every entry lands
 *   after the other transaction commits, in order;
 * - close() waits for entries recorded while the database is locked: none
 *   lost;
 * - a database without the access tables is refused at open. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../db.h"
#include "fixture.h"

static int64_t count_entries(const char *path)
{
    slds_store *r;
    slds_error err = {0};
    if (slds_store_open_readonly(&r, path, &err))
        fail_msg("%s", err.message);
    int64_t n = slds_store_count(r, "access_log", &err);
    slds_store_close(r);
    return n;
}

/* PRAGMA journal_mode as a reader sees it (a static buffer). */
static const char *journal_mode(const char *path)
{
    static char mode[16];
    slds_store *r;
    slds_error err = {0};
    if (slds_store_open_readonly(&r, path, &err))
        fail_msg("%s", err.message);
    slds_cursor c;
    if (slds_cursor_open(&c, r, "PRAGMA journal_mode", &err) || slds_cursor_step(&c, &err) != 1)
        fail_msg("%s", err.message);
    snprintf(mode, sizeof mode, "%s", slds_cursor_text(&c, 0));
    slds_cursor_close(&c);
    slds_store_close(r);
    return mode;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Waits up to 10 s for n entries; returns the count seen last. */
static int64_t wait_for(const char *path, int64_t n)
{
    int64_t got = 0;
    for (int i = 0; i < 1000 && (got = count_entries(path)) != n; i++)
        sleep_ms(10);
    return got;
}

static void test_entries_land(void **state)
{
    (void)state;
    char path[256];
    slds_store *w = fixture_db(path, sizeof path);
    slds_store_close(w);
    slds_access_log *log;
    slds_error err = {0};
    assert_int_equal(slds_access_log_open(&log, path, &err), SLDS_OK);
    const char *t1[] = {"T1"};
    slds_principal teacher = fixture_who(SLDS_ROLE_TEACHER, t1, 1);
    teacher.user_id = 7;
    slds_access_log_record(log, &teacher, "GET /api/v1/students/{id}", "1001", 1700000000);
    slds_access_log_record(log, &teacher, "GET /api/v1/students/{id}/growth", "1001", 1700000060);
    slds_access_log_record(log, NULL, "POST /api/v1/session", NULL, 1700000100);
    /* the log writes in WAL mode: a reader inside a read transaction (a
     * request) does not stop its commit */
    assert_string_equal(journal_mode(path), "wal");
    slds_store *reader;
    assert_int_equal(slds_store_open_readonly(&reader, path, &err), SLDS_OK);
    assert_int_equal(slds_store_exec(reader, "BEGIN", &err), SLDS_OK);
    assert_int_equal(slds_store_count(reader, "access_log", &err), 0);
    assert_int_equal(wait_for(path, 3), 3);
    assert_int_equal(slds_store_count(reader, "access_log", &err), 0); /* its snapshot */
    assert_int_equal(slds_store_exec(reader, "COMMIT", &err), SLDS_OK);
    slds_store_close(reader);
    assert_int_equal(slds_access_log_close(log, &err), SLDS_OK);
    assert_int_equal(count_entries(path), 3);
    /* closed last: the file is back to a rollback journal, no -wal beside it */
    assert_string_equal(journal_mode(path), "delete");
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_not_equal(access(wal, F_OK), 0);

    slds_store *r;
    assert_int_equal(slds_store_open_readonly(&r, path, &err), SLDS_OK);
    slds_table *t;
    assert_int_equal(slds_access_log_of_student(r, "1001", &t, &err), SLDS_OK);
    assert_int_equal(slds_table_nrows(t), 2);
    assert_string_equal(slds_table_text(t, 0, 0), "2023-11-14T22:14:20Z"); /* newest first */
    assert_string_equal(slds_table_text(t, 0, 1), "teacher");
    assert_string_equal(slds_table_text(t, 0, 2), "teacher");
    assert_string_equal(slds_table_text(t, 0, 3), "GET /api/v1/students/{id}/growth");
    assert_string_equal(slds_table_text(t, 1, 0), "2023-11-14T22:13:20Z");
    slds_table_free(t);
    slds_cursor c;
    assert_int_equal(slds_cursor_open(&c, r,
                                      "SELECT user_id, role, student_id FROM access_log"
                                      " ORDER BY entry_id",
                                      &err),
                     0);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_int_equal(slds_cursor_int(&c, 0), 7);
    for (int i = 0; i < 2; i++)
        assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_int_equal(slds_cursor_int(&c, 0), 0);
    assert_string_equal(slds_cursor_text(&c, 1), "public");
    assert_true(slds_cursor_is_null(&c, 2));
    slds_cursor_close(&c);
    slds_store_close(r);
    fixture_remove(path);
}

typedef struct {
    slds_access_log *log;
    int rc;
    double took;
} closer;

static void *close_in_thread(void *p)
{
    closer *c = p;
    slds_error err = {0};
    double t0 = slds_now();
    c->rc = slds_access_log_close(c->log, &err);
    c->took = slds_now() - t0;
    return NULL;
}

/* The other connection: a load's writer (WAL) when wal, else a plain
 * connection to the database at rest (rollback journal). */
static void hold_write_lock(const char *path, int wal, slds_store **w, sqlite3 **plain)
{
    slds_error err = {0};
    if (wal) {
        assert_int_equal(slds_store_open_writer(w, path, 0, &err), SLDS_OK);
        assert_int_equal(slds_store_begin(*w, &err), SLDS_OK);
        assert_int_equal(
            slds_store_exec(*w, "INSERT OR REPLACE INTO meta(key, value) VALUES ('x', '1')", &err),
            SLDS_OK);
    } else {
        assert_int_equal(sqlite3_open_v2(path, plain, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_exec(*plain,
                                      "BEGIN IMMEDIATE; INSERT OR REPLACE INTO meta(key, value)"
                                      " VALUES ('x', '1')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    }
}

/* Commits and closes the other connection. */
static void release_write_lock(slds_store **w, sqlite3 **plain)
{
    slds_error err = {0};
    if (*w) {
        assert_int_equal(slds_store_commit(*w, &err), SLDS_OK);
        slds_store_close(*w);
        *w = NULL;
    } else {
        assert_int_equal(sqlite3_exec(*plain, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(*plain);
        *plain = NULL;
    }
}

static void locked_writer_case(int wal)
{
    char path[256];
    slds_store *f = fixture_db(path, sizeof path);
    slds_store_close(f);
    slds_access_log *log;
    slds_error err = {0};
    assert_int_equal(slds_access_log_open(&log, path, &err), SLDS_OK);
    slds_principal admin = fixture_who(SLDS_ROLE_STATE_ADMIN, NULL, 0);

    slds_store *w = NULL;
    sqlite3 *plain = NULL;
    hold_write_lock(path, wal, &w, &plain);
    /* 200 requests while the lock is held: none waits */
    double t0 = slds_now();
    for (int i = 0; i < 200; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", 1000 + i);
        slds_access_log_record(log, &admin, "GET /api/v1/students/{id}", id, 1000 + i);
    }
    double took = slds_now() - t0;
    if (took > 0.05)
        fail_msg("recording 200 entries took %.3f s while the database was locked", took);
    sleep_ms(400); /* the thread tries, finds the lock, retries */
    assert_int_equal(count_entries(path), 0);
    release_write_lock(&w, &plain);
    assert_int_equal(wait_for(path, 200), 200);

    /* close while locked: it waits for the lock, then writes every entry */
    hold_write_lock(path, wal, &w, &plain);
    for (int i = 0; i < 50; i++)
        slds_access_log_record(log, &admin, "GET /api/v1/students/{id}", "2000", 5000 + i);
    closer c = {log, -1, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, close_in_thread, &c), 0);
    sleep_ms(300);
    assert_int_equal(count_entries(path), 200);
    release_write_lock(&w, &plain);
    pthread_join(th, NULL);
    assert_int_equal(c.rc, SLDS_OK);
    assert_true(c.took >= 0.25);
    assert_int_equal(count_entries(path), 250);

    /* in the order recorded, with the other connection's row kept too */
    slds_store *r;
    assert_int_equal(slds_store_open_readonly(&r, path, &err), SLDS_OK);
    assert_int_equal(query1(r, "SELECT count(*) FROM access_log a JOIN access_log b"
                               " ON b.entry_id = a.entry_id + 1 WHERE b.at < a.at"),
                     0);
    /* each row's values its own (the 200 were written 64 to a statement):
     * student 1000 + i viewed at 1000 + i, by the admin, on its route */
    assert_int_equal(query1(r, "SELECT count(DISTINCT student_id) FROM access_log"
                               " WHERE student_id = CAST(at AS TEXT) AND username = 'state-admin'"
                               " AND role = 'state-admin' AND user_id = 1"
                               " AND route = 'GET /api/v1/students/{id}'"),
                     200);
    char v[8];
    assert_int_equal(slds_store_meta_get(r, "x", v, sizeof v, &err), SLDS_OK);
    slds_store_close(r);
    fixture_remove(path);
}

static void test_locked_by_a_load_wal(void **state)
{
    (void)state;
    locked_writer_case(1);
}

static void test_locked_at_rest_rollback_journal(void **state)
{
    (void)state;
    locked_writer_case(0);
}

static void test_refuses_database_without_access_tables(void **state)
{
    (void)state;
    char path[256];
    slds_store *w = fixture_db(path, sizeof path);
    slds_error err = {0};
    /* a database from before the access module: its tables and version gone */
    assert_int_equal(slds_store_exec(w,
                                     "DROP TABLE access_log; DROP TABLE users;"
                                     " DROP TABLE user_scopes;"
                                     " DELETE FROM meta WHERE key = 'schema_version.access'",
                                     &err),
                     SLDS_OK);
    slds_store_close(w);
    slds_access_log *log = NULL;
    assert_int_equal(slds_access_log_open(&log, path, &err), SLDS_ERR_DB);
    assert_null(log);
    assert_non_null(strstr(err.message, "slds user add"));
    assert_int_equal(slds_access_log_open(&log, "/nonexistent/x.db", &err), SLDS_ERR_NOTFOUND);
    /* readers answer "nobody" rather than fail */
    slds_store *r;
    assert_int_equal(slds_store_open_readonly(&r, path, &err), SLDS_OK);
    slds_table *t;
    assert_int_equal(slds_user_list(r, &t, &err), SLDS_OK);
    assert_int_equal(slds_table_nrows(t), 0);
    slds_table_free(t);
    assert_int_equal(slds_access_log_of_student(r, "1001", &t, &err), SLDS_OK);
    assert_int_equal(slds_table_nrows(t), 0);
    slds_table_free(t);
    slds_store_close(r);
    slds_access_log_record(NULL, NULL, "x", NULL, 0); /* a NULL log: nothing */
    assert_int_equal(slds_access_log_close(NULL, &err), SLDS_OK);
    fixture_remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_land),
        cmocka_unit_test(test_locked_by_a_load_wal),
        cmocka_unit_test(test_locked_at_rest_rollback_journal),
        cmocka_unit_test(test_refuses_database_without_access_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
