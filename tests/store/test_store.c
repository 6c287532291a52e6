/* test_store.c - the store's open modes, schema registry and cursor:
 * - a new database gets every module at its latest version and every table;
 * - a database made by the code before the registry (tests/data/store/
 *   v1_7f7484e.sql, dumped from a database `slds load` + `slds growth run`
 *   made at commit 7f7484e) is read as it is by a reader (not a byte changed)
 *   and upgraded by a writer, keeping every row;
 * - a test-only v2 step upgrades it in one transaction, and a step that fails
 *   midway leaves the file byte-for-byte as it was;
 * - foreign, newer, empty and non-SQLite files are refused unchanged;
 * - a reader does not wait for a writer holding an open write transaction;
 * - a closed writer leaves one ordinary file (no -wal/-shm, rollback mode);
 * - the cursor reports errors with the SQL and SQLite's message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

static const char *const collection_tables[] = {
    "meta",
    "loads",
    "load_files",
    "rejects",
    "prep_programs",
    "leas",
    "schools",
    "students",
    "student_identity",
    "enrollments",
    "student_attributes",
    "staff",
    "staff_assignments",
    "rosters",
    "assessments",
    "courses",
    "attendance",
    "discipline",
    "postsecondary",
    "observations",
    "standards",
    "item_responses",
    "growth_runs",
    "growth_cohorts",
    "growth_priors",
    "growth_models",
    "growth_students",
    "growth_sgp",
    "growth_targets",
    "growth_aggregates",
};
#define N_TABLES (sizeof collection_tables / sizeof collection_tables[0])

static void temp_path(char *path, size_t size)
{
    snprintf(path, size, "/tmp/slds_test_store_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
}

static void remove_db(const char *path)
{
    char side[512];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-journal", path);
    unlink(side);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The whole file, for byte-for-byte comparisons (caller frees). */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void assert_same_file(const char *path, const unsigned char *before, size_t len)
{
    size_t n;
    unsigned char *now = slurp(path, &n);
    assert_int_equal(n, len);
    assert_memory_equal(now, before, len);
    free(now);
}

/* Runs SQL on a plain SQLite connection (no store involved). */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
    sqlite3_close(db);
}

/* Builds the pre-registry database from the checked-in dump. */
static void make_legacy(const char *path)
{
    const char *src = getenv("SLDS_SOURCE_DIR");
    char dump[1024];
    snprintf(dump, sizeof dump, "%s/tests/data/store/v1_7f7484e.sql", src ? src : ".");
    FILE *f = fopen(dump, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *sql = malloc((size_t)n + 1);
    assert_non_null(sql);
    assert_int_equal(fread(sql, 1, (size_t)n, f), (size_t)n);
    sql[n] = '\0';
    fclose(f);
    raw_exec(path, sql);
    free(sql);
}

static int64_t count(slds_store *s, const char *table)
{
    slds_error err = {0};
    int64_t n = slds_store_count(s, table, &err);
    if (n < 0)
        fail_msg("%s", err.message);
    return n;
}

static void meta(slds_store *s, const char *key, const char *expected)
{
    char buf[128];
    slds_error err = {0};
    if (slds_store_meta_get(s, key, buf, sizeof buf, &err))
        fail_msg("meta %s: %s", key, err.message ? err.message : "");
    assert_string_equal(buf, expected);
}

/* Rows per table of the legacy dump (its INSERT statements, counted). */
static const struct {
    const char *table;
    int64_t rows;
} legacy_rows[] = {
    {"meta", 2},
    {"loads", 1},
    {"load_files", 5},
    {"rejects", 8},
    {"leas", 2},
    {"schools", 3},
    {"students", 5},
    {"student_identity", 6},
    {"enrollments", 3},
    {"assessments", 2},
    {"growth_runs", 1},
    {"growth_cohorts", 1},
    {"growth_students", 1},
};

/* Distinct modules of the registry: meta holds one version row per module
 * (counted, not written down, so a new module's migration keeps this test). */
static int64_t registry_module_count(void)
{
    size_t n;
    const slds_migration *reg = slds_store_registry(&n);
    int64_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < i && strcmp(reg[k].module, reg[i].module))
            k++;
        m += k == i;
    }
    return m;
}

static void assert_legacy_rows(slds_store *s, int64_t meta_rows)
{
    for (size_t i = 0; i < sizeof legacy_rows / sizeof legacy_rows[0]; i++) {
        int64_t want = strcmp(legacy_rows[i].table, "meta") ? legacy_rows[i].rows : meta_rows;
        if (count(s, legacy_rows[i].table) != want)
            fail_msg("%s: %lld rows, expected %lld", legacy_rows[i].table,
                     (long long)count(s, legacy_rows[i].table), (long long)want);
    }
}

static void test_new_database(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    slds_store *s;
    slds_error err = {0};
    assert_int_equal(slds_store_open_writer(&s, path, 0, &err), SLDS_ERR_NOTFOUND);
    assert_false(exists(path));
    assert_int_equal(slds_store_open_readonly(&s, path, &err), SLDS_ERR_NOTFOUND);
    assert_non_null(strstr(err.message, "no such database"));
    assert_false(exists(path));

    if (slds_store_open_writer(&s, path, SLDS_STORE_CREATE, &err))
        fail_msg("%s", err.message);
    for (size_t t = 0; t < N_TABLES; t++)
        assert_int_equal(count(s, collection_tables[t]), t == 0 ? 1 + registry_module_count() : 0);
    meta(s, "schema_version", "2");
    meta(s, "schema_version.store", "1");
    meta(s, "schema_version.ingest", "3"); /* 2: rules, findings, history; 3: orphan_places (issue 7) */
    meta(s, "schema_version.collection", "1");
    meta(s, "schema_version.growth", "2"); /* 2: baselines (issue 12) */
    meta(s, "schema_version.account", "1"); /* interventions (src/account) */
    assert_int_equal(slds_store_schema_version(s, "growth", &err), 2);
    assert_int_equal(slds_store_schema_version(s, "no_such_module", &err), 0);
    /* The store no longer makes the statewide-id key: the identity module does. */
    char buf[64];
    assert_int_equal(slds_store_meta_get(s, "id_generator", buf, sizeof buf, &err),
                     SLDS_ERR_NOTFOUND);
    slds_store_close(s);

    /* A closed writer leaves one ordinary rollback-mode file. */
    char side[128];
    snprintf(side, sizeof side, "%s-wal", path);
    assert_false(exists(side));
    snprintf(side, sizeof side, "%s-shm", path);
    assert_false(exists(side));
    size_t len;
    unsigned char *b = slurp(path, &len);
    assert_true(len >= 100);
    assert_int_equal(b[18], 1); /* file format write version 1: not WAL */
    assert_int_equal(b[19], 1);

    /* Re-opening an up-to-date database as writer writes nothing but the
     * journal-mode switch; as reader, nothing at all. */
    if (slds_store_open_readonly(&s, path, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_store_exec(s, "INSERT INTO students VALUES('X', 'F')", &err),
                     SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "readonly"));
    assert_int_equal(slds_store_migrate(s, &err), SLDS_ERR_USAGE);
    /* temporary tables are allowed (audit builds some) */
    if (slds_store_exec(s, "CREATE TEMP TABLE scratch(x); INSERT INTO scratch VALUES(1)", &err))
        fail_msg("%s", err.message);
    slds_store_close(s);
    assert_same_file(path, b, len);
    free(b);
    remove_db(path);
}

static void test_legacy_reader_does_not_migrate(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    make_legacy(path);
    size_t len;
    unsigned char *before = slurp(path, &len);
    slds_store *s;
    slds_error err = {0};
    if (slds_store_open_readonly(&s, path, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_store_schema_version(s, "collection", &err), 1);
    assert_int_equal(slds_store_schema_version(s, "growth", &err), 1);
    assert_legacy_rows(s, 2);
    meta(s, "schema_version", "1");
    slds_store_close(s);
    assert_same_file(path, before, len);

    /* Without growth tables (never run before the registry): growth v0. */
    raw_exec(path, "DROP TABLE growth_runs");
    if (slds_store_open_readonly(&s, path, &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_store_schema_version(s, "growth", &err), 0);
    assert_int_equal(slds_store_schema_version(s, "ingest", &err), 1);
    slds_store_close(s);
    free(before);
    remove_db(path);
}

static void test_legacy_writer_upgrades(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    make_legacy(path);
    slds_store *s;
    slds_error err = {0};
    if (slds_store_open_writer(&s, path, 0, &err))
        fail_msg("%s", err.message);
    /* every row kept; meta gains the module versions */
    assert_legacy_rows(s, 2 + registry_module_count());
    meta(s, "id_generator", "46724146dc8cb2377890dcdd2772bf85:2");
    meta(s, "schema_version", "2");
    meta(s, "schema_version.collection", "1");
    meta(s, "schema_version.growth", "2");
    /* growth 2 added the baseline tables and columns; the old rows read NULL there */
    assert_int_equal(count(s, "growth_baselines"), 0);
    {
        sqlite3_stmt *st;
        if (slds_store_prepare(s, &st, "SELECT count(*), count(sgp_baseline) FROM growth_students",
                               &err))
            fail_msg("%s", err.message);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_true(sqlite3_column_int(st, 0) > 0);
        assert_int_equal(sqlite3_column_int(st, 1), 0);
        sqlite3_finalize(st);
    }
    slds_store_close(s);
    remove_db(path);

    /* A legacy database that never ran growth gets the growth tables. */
    make_legacy(path);
    raw_exec(path, "DROP TABLE growth_runs; DROP TABLE growth_cohorts; DROP TABLE growth_students;"
                   " DROP TABLE growth_priors; DROP TABLE growth_models; DROP TABLE growth_sgp;"
                   " DROP TABLE growth_targets; DROP TABLE growth_aggregates;");
    if (slds_store_open_writer(&s, path, 0, &err))
        fail_msg("%s", err.message);
    assert_int_equal(count(s, "growth_runs"), 0);
    assert_int_equal(slds_store_schema_version(s, "growth", &err), 2);
    assert_int_equal(count(s, "students"), 5);
    slds_store_close(s);
    remove_db(path);
}

/* A store on a plain connection (rollback journal, as the legacy file is), so
 * that the file's bytes can be compared after a failed migration. */
static slds_store *raw_writer(const char *path)
{
    slds_store *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(sqlite3_open(path, &s->db), SQLITE_OK);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->writer = 1;
    return s;
}

static slds_migration *registry_plus(const slds_migration *extra, size_t n_extra, size_t *n)
{
    size_t base;
    const slds_migration *reg = slds_store_registry(&base);
    slds_migration *r = malloc((base + n_extra) * sizeof *r);
    assert_non_null(r);
    memcpy(r, reg, base * sizeof *r);
    memcpy(r + base, extra, n_extra * sizeof *r);
    *n = base + n_extra;
    return r;
}

static void test_v2_migration(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    make_legacy(path);
    static const slds_migration v2[] = {
        {"collection", 2, "ALTER TABLE students ADD COLUMN note TEXT;"},
        {"collection", 2,
         "CREATE TABLE notes(student_id TEXT PRIMARY KEY, note TEXT) WITHOUT ROWID;"},
        {"growth", 2, "CREATE INDEX growth_students_by_id ON growth_students(student_id);"},
    };
    size_t n;
    slds_migration *reg = registry_plus(v2, 3, &n);
    slds_store *s = raw_writer(path);
    slds_error err = {0};
    if (slds_store_migrate_with(s, reg, n, &err))
        fail_msg("%s", err.message);
    assert_legacy_rows(s, 2 + registry_module_count());
    assert_int_equal(count(s, "notes"), 0);
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT count(*) FROM students WHERE note IS NULL", &err))
        fail_msg("%s", err.message);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_int_equal(slds_cursor_int(&c, 0), 5);
    slds_cursor_close(&c);
    meta(s, "schema_version", "2");
    meta(s, "schema_version.store", "1");
    meta(s, "schema_version.ingest", "3"); /* 2: rules, findings, history; 3: orphan_places (issue 7) */
    meta(s, "schema_version.collection", "2");
    meta(s, "schema_version.growth", "2");
    meta(s, "schema_version.account", "1");
    /* Applying again is a no-op. */
    if (slds_store_migrate_with(s, reg, n, &err))
        fail_msg("%s", err.message);
    assert_int_equal(count(s, "meta"), 2 + registry_module_count());
    slds_store_close(s);

    /* This build's registry knows collection v1 only: the v2 file is newer. */
    size_t len;
    unsigned char *before = slurp(path, &len);
    assert_int_equal(slds_store_open_readonly(&s, path, &err), SLDS_ERR_DB);
    assert_non_null(
        strstr(err.message, "newer slds (collection schema v2; this slds knows up to v1)"));
    assert_int_equal(slds_store_open_writer(&s, path, 0, &err), SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "newer slds"));
    assert_same_file(path, before, len);
    free(before);
    free(reg);
    remove_db(path);
}

static void test_failed_migration_changes_nothing(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    make_legacy(path);
    size_t len;
    unsigned char *before = slurp(path, &len);
    static const slds_migration broken[] = {
        {"collection", 2, "ALTER TABLE students ADD COLUMN note TEXT; CREATE TABLE notes(x);"},
        {"growth", 2, "DELETE FROM growth_students; INSERT INTO no_such_table VALUES(1);"},
    };
    size_t n;
    slds_migration *reg = registry_plus(broken, 2, &n);
    slds_store *s = raw_writer(path);
    slds_error err = {0};
    assert_int_equal(slds_store_migrate_with(s, reg, n, &err), SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "migrating growth to v2"));
    assert_non_null(strstr(err.message, "no_such_table"));
    slds_store_close(s);
    assert_same_file(path, before, len);

    /* A gap in a registry is refused before anything is applied. */
    static const slds_migration gap[] = {{"collection", 3, "CREATE TABLE t3(x);"}};
    free(reg);
    reg = registry_plus(gap, 1, &n);
    s = raw_writer(path);
    assert_int_equal(slds_store_migrate_with(s, reg, n, &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "collection v3 follows v1"));
    slds_store_close(s);
    assert_same_file(path, before, len);
    free(reg);
    free(before);
    remove_db(path);
}

static void refused_unchanged(const char *path, const char *expect)
{
    size_t len;
    unsigned char *before = slurp(path, &len);
    slds_store *s;
    slds_error err = {0};
    assert_int_equal(slds_store_open_writer(&s, path, SLDS_STORE_CREATE, &err), SLDS_ERR_DB);
    if (!strstr(err.message, expect))
        fail_msg("writer: '%s' lacks '%s'", err.message, expect);
    assert_same_file(path, before, len);
    char side[128];
    snprintf(side, sizeof side, "%s-wal", path);
    assert_false(exists(side));
    /* (a reader of a WAL-mode file in a writable directory lets SQLite make an
     * empty -wal/-shm pair: docs/store.md; the file itself is untouched) */
    assert_int_equal(slds_store_open_readonly(&s, path, &err), SLDS_ERR_DB);
    if (!strstr(err.message, expect))
        fail_msg("reader: '%s' lacks '%s'", err.message, expect);
    assert_same_file(path, before, len);
    free(before);
    remove_db(path);
}

static void test_foreign_and_newer_refused(void **state)
{
    (void)state;
    char path[64], msg[128];
    temp_path(path, sizeof path);
    raw_exec(path, "CREATE TABLE t(a); INSERT INTO t VALUES(1);");
    snprintf(msg, sizeof msg, "%s is not an slds database (it has no meta table)", path);
    refused_unchanged(path, msg);

    raw_exec(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);");
    refused_unchanged(path, "is not an slds database (its meta table has no schema_version)");

    /* A foreign file in WAL mode keeps its log out of the file too. */
    raw_exec(path, "PRAGMA journal_mode=WAL; CREATE TABLE t(a);");
    refused_unchanged(path, "is not an slds database");

    raw_exec(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                   " INSERT INTO meta VALUES('schema_version', '3');");
    refused_unchanged(path, "newer slds (schema layout 3");

    raw_exec(path,
             "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
             " INSERT INTO meta VALUES('schema_version', '2'), ('schema_version.findings', '1');");
    refused_unchanged(path, "newer slds (it has tables of a module 'findings'");

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("student_id,sex\n1,F\n", f);
    fclose(f);
    refused_unchanged(path, "is not an slds database (not an SQLite file)");

    /* An empty file: a new database for a writer asked to create, else refused. */
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    slds_store *s;
    slds_error err = {0};
    assert_int_equal(slds_store_open_readonly(&s, path, &err), SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "is not an slds database (it is empty)"));
    assert_int_equal(slds_store_open_writer(&s, path, 0, &err), SLDS_ERR_DB);
    if (slds_store_open_writer(&s, path, SLDS_STORE_CREATE, &err))
        fail_msg("%s", err.message);
    assert_int_equal(count(s, "students"), 0);
    slds_store_close(s);
    remove_db(path);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_reader_does_not_wait_for_writer(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    slds_store *w, *r;
    slds_error err = {0};
    if (slds_store_open_writer(&w, path, SLDS_STORE_CREATE, &err))
        fail_msg("%s", err.message);
    if (slds_store_exec(w, "INSERT INTO students VALUES('OLD', 'F')", &err))
        fail_msg("%s", err.message);
    /* A write transaction whose pages spill out of a tiny cache, as a big load's do. */
    if (slds_store_exec(
            w,
            "PRAGMA cache_size=8; BEGIN IMMEDIATE;"
            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
            " INSERT INTO students SELECT 'S' || i, 'M' FROM n;",
            &err))
        fail_msg("%s", err.message);
    double t0 = now();
    if (slds_store_open_readonly(&r, path, &err))
        fail_msg("%s", err.message);
    assert_int_equal(count(r, "students"), 1); /* the last committed state */
    double waited = now() - t0;
    slds_store_close(r);
    /* the busy timeout is 10 s: a reader that waited for the lock takes that */
    assert_true(waited < 5.0);
    if (slds_store_commit(w, &err))
        fail_msg("%s", err.message);
    if (slds_store_open_readonly(&r, path, &err))
        fail_msg("%s", err.message);
    assert_int_equal(count(r, "students"), 20001);
    /* The writer closes while a reader is open: the file may stay in WAL mode
     * (with its log) and is read the same. */
    slds_store_close(w);
    assert_int_equal(count(r, "students"), 20001);
    slds_store_close(r);
    if (slds_store_open_readonly(&r, path, &err))
        fail_msg("%s", err.message);
    assert_int_equal(count(r, "students"), 20001);
    slds_store_close(r);
    remove_db(path);
}

static void test_cursor_errors(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    slds_store *s;
    slds_error err = {0};
    if (slds_store_open_writer(&s, path, SLDS_STORE_CREATE, &err))
        fail_msg("%s", err.message);
    slds_cursor c;
    assert_int_equal(slds_cursor_open(&c, s, "SELECT nope FROM students", &err), SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "no such column: nope"));
    assert_non_null(strstr(err.message, "SELECT nope FROM students"));
    assert_int_equal(slds_cursor_step(&c, &err), -1); /* stepping a failed cursor is an error */
    slds_cursor_close(&c);

    /* a bind out of range is reported by the next step, naming the parameter */
    if (slds_cursor_open(&c, s, "SELECT sex FROM students WHERE student_id = ?1", &err))
        fail_msg("%s", err.message);
    slds_cursor_bind_text(&c, 1, "A");
    slds_cursor_bind_int(&c, 7, 3);
    assert_int_equal(slds_cursor_step(&c, &err), -1);
    assert_non_null(strstr(err.message, "binding parameter 7"));
    slds_cursor_close(&c);

    /* rows, then done; text NULL for SQL NULL */
    if (slds_store_exec(s, "INSERT INTO students VALUES('A', 'F'), ('B', NULL)", &err))
        fail_msg("%s", err.message);
    if (slds_cursor_open(
            &c, s, "SELECT student_id, sex FROM students WHERE student_id >= ?1 ORDER BY 1", &err))
        fail_msg("%s", err.message);
    slds_cursor_bind_text(&c, 1, "A");
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_string_equal(slds_cursor_text(&c, 0), "A");
    assert_string_equal(slds_cursor_text(&c, 1), "F");
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_true(slds_cursor_is_null(&c, 1));
    assert_null(slds_cursor_text(&c, 1));
    assert_int_equal(slds_cursor_step(&c, &err), 0);
    slds_cursor_reset(&c);
    slds_cursor_bind_text(&c, 1, "B");
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_string_equal(slds_cursor_text(&c, 0), "B");
    slds_cursor_close(&c);
    slds_cursor_close(&c); /* twice is harmless */

    /* a constraint failure at step names the SQL */
    if (slds_cursor_open(&c, s, "INSERT INTO students VALUES(?1, 'F')", &err))
        fail_msg("%s", err.message);
    slds_cursor_bind_text(&c, 1, "A");
    assert_int_equal(slds_cursor_step(&c, &err), -1);
    assert_non_null(strstr(err.message, "UNIQUE constraint failed"));
    assert_non_null(strstr(err.message, "running: INSERT INTO students"));
    slds_cursor_close(&c);
    slds_store_close(s);
    remove_db(path);
}


/* One step of a one-row query on a cached cursor: its first column as text. */
static void cached_value(slds_store *s, const char *sql, const char *bind, char *out, size_t size)
{
    slds_cursor c;
    slds_error err = {0};
    if (slds_cursor_open_cached(&c, s, sql, &err))
        fail_msg("%s", err.message);
    if (bind)
        slds_cursor_bind_text(&c, 1, bind);
    if (slds_cursor_step(&c, &err) != 1)
        fail_msg("no row: %s", err.message);
    snprintf(out, size, "%s", slds_cursor_text(&c, 0) ? slds_cursor_text(&c, 0) : "NULL");
    slds_cursor_close(&c);
}

static void test_cached_statements(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof path);
    slds_store *s;
    slds_error err = {0};
    if (slds_store_open_writer(&s, path, SLDS_STORE_CREATE, &err))
        fail_msg("%s", err.message);
    if (slds_store_exec(s, "INSERT INTO students VALUES('A', 'F'), ('B', 'M'), ('C', NULL)", &err))
        fail_msg("%s", err.message);
    static const char by_id[] = "SELECT sex, ?1 IS NULL FROM students WHERE student_id >= ?1"
                                " OR ?1 IS NULL ORDER BY student_id";

    /* the second open takes the statement prepared by the first */
    slds_cursor c;
    if (slds_cursor_open_cached(&c, s, by_id, &err))
        fail_msg("%s", err.message);
    sqlite3_stmt *first = c.stmt;
    slds_cursor_bind_text(&c, 1, "B");
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_string_equal(slds_cursor_text(&c, 0), "M");
    slds_cursor_close(&c); /* closed with a row still to read */
    assert_null(c.stmt);
    assert_int_equal(sqlite3_stmt_busy(first), 0); /* reset: no read left open */
    if (slds_cursor_open_cached(&c, s, by_id, &err))
        fail_msg("%s", err.message);
    assert_ptr_equal(c.stmt, first);
    /* no binding left over from the last use: ?1 is NULL, every row, from the first */
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_string_equal(slds_cursor_text(&c, 0), "F");
    assert_int_equal(slds_cursor_int(&c, 1), 1);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_true(slds_cursor_is_null(&c, 0));
    assert_int_equal(slds_cursor_step(&c, &err), 0);

    /* the same query nested: a statement of its own, finalized at its close */
    slds_cursor inner;
    if (slds_cursor_open_cached(&inner, s, by_id, &err))
        fail_msg("%s", err.message);
    assert_ptr_not_equal(inner.stmt, first);
    slds_cursor_bind_text(&inner, 1, "C");
    assert_int_equal(slds_cursor_step(&inner, &err), 1);
    assert_int_equal(slds_cursor_int(&inner, 1), 0);
    slds_cursor_close(&inner);
    slds_cursor_close(&c);
    slds_cursor_close(&c); /* twice is harmless */
    if (slds_cursor_open_cached(&c, s, by_id, &err))
        fail_msg("%s", err.message);
    assert_ptr_equal(c.stmt, first);
    slds_cursor_close(&c);

    /* the key is the text: a buffer reused for another query is another entry */
    char sql[64], value[32];
    snprintf(sql, sizeof sql, "SELECT 'one'");
    cached_value(s, sql, NULL, value, sizeof value);
    assert_string_equal(value, "one");
    snprintf(sql, sizeof sql, "SELECT 'two'");
    cached_value(s, sql, NULL, value, sizeof value);
    assert_string_equal(value, "two");
    /* and the same text at another address finds the kept statement */
    char copy[sizeof by_id];
    memcpy(copy, by_id, sizeof by_id);
    if (slds_cursor_open_cached(&c, s, copy, &err))
        fail_msg("%s", err.message);
    assert_ptr_equal(c.stmt, first);
    slds_cursor_close(&c);

    /* more queries than the cache holds: the least recently used go, every
     * answer stays right */
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < SLDS_STORE_CACHED_MAX + 8; i++) {
            snprintf(sql, sizeof sql, "SELECT %d + length(?1)", i);
            cached_value(s, sql, "abc", value, sizeof value);
            char want[16];
            snprintf(want, sizeof want, "%d", i + 3);
            assert_string_equal(value, want);
        }
    assert_true(s->n_cached <= SLDS_STORE_CACHED_MAX);

    /* a kept statement follows a change of the schema */
    cached_value(s, by_id, "C", value, sizeof value);
    assert_string_equal(value, "NULL");
    if (slds_store_exec(s, "UPDATE students SET sex = 'X' WHERE student_id = 'C';"
                           " CREATE TABLE extra(a); DROP TABLE extra",
                        &err))
        fail_msg("%s", err.message);
    cached_value(s, by_id, "C", value, sizeof value);
    assert_string_equal(value, "X");
    slds_store_close(s); /* finalizes what is kept (the ASan suite sees a leak otherwise) */
    remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_database),
        cmocka_unit_test(test_legacy_reader_does_not_migrate),
        cmocka_unit_test(test_legacy_writer_upgrades),
        cmocka_unit_test(test_v2_migration),
        cmocka_unit_test(test_failed_migration_changes_nothing),
        cmocka_unit_test(test_foreign_and_newer_refused),
        cmocka_unit_test(test_reader_does_not_wait_for_writer),
        cmocka_unit_test(test_cursor_errors),
        cmocka_unit_test(test_cached_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
