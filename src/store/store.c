/* store.c - opening the state database, transactions, meta values (store.h).
 *
 * Durability settings: rollback journal (DELETE mode) with synchronous=FULL at
 * commit, so a load killed at any moment (kill -9, power loss) leaves the
 * database exactly as before it: SQLite's hot-journal rollback restores it the
 * next time the file is opened. A large page cache keeps a big load's B-trees
 * in memory until commit. */
#include "store/store.h"

#include "ident/ident.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef SLDS_PAGE_SIZE
#define SLDS_PAGE_SIZE "4096"
#endif
#ifndef SLDS_CACHE_KIB
#define SLDS_CACHE_KIB "-131072" /* 128 MiB: larger only adds page faults */
#endif

/* Memory statistics take a global mutex on every allocation; nothing here reads
 * them. Must run before SQLite initialises, so every open tries (it fails
 * harmlessly once SQLite is initialised). */
static void configure_sqlite_once(void)
{
    static int configured;
    if (!configured) {
        configured = 1;
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
}

/* Writes a meta value: replacing the stored one, or only when there is none. */
static int meta_write(slds_store *s, const char *key, const char *value, bool replace,
                      slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                replace ? "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"
                                        : "INSERT OR IGNORE INTO meta(key, value) VALUES(?, ?)",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

/* A new database gets its schema version and the secret key of its statewide
 * id generator (ident.h) once, when it is created; copies of a database then
 * hand out the same ids. */
static int init_meta(slds_store *s, slds_error *err)
{
    char version[32], generator[128];
    snprintf(version, sizeof version, "%d", SLDS_SCHEMA_VERSION);
    slds_id_generator ids;
    int rc = slds_id_generator_init_random(&ids, err);
    if (rc)
        return rc;
    slds_id_generator_encode(&ids, generator, sizeof generator);
    rc = slds_store_exec(s, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = meta_write(s, "schema_version", version, false, err);
    if (!rc)
        rc = meta_write(s, "id_generator", generator, false, err);
    if (!rc)
        rc = slds_store_commit(s, err);
    else
        slds_store_rollback(s);
    return rc;
}

static int store_open(slds_store **out, const char *path, int flags, slds_error *err)
{
    *out = NULL;
    configure_sqlite_once();
    flags |= SQLITE_OPEN_NOMUTEX;
    slds_store *s = calloc(1, sizeof *s);
    if (!s)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        slds_fail(err, SLDS_ERR_DB, "%s: cannot open database: %s", path,
                  s->db ? sqlite3_errmsg(s->db) : "out of memory");
        slds_store_close(s);
        return SLDS_ERR_DB;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 1);
    int rc = slds_store_exec(s,
                             "PRAGMA page_size=" SLDS_PAGE_SIZE "; PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;"
                             " PRAGMA foreign_keys=OFF; PRAGMA cache_size=" SLDS_CACHE_KIB ";"
                             " PRAGMA temp_store=MEMORY;",
                             err);
    if (!rc)
        rc = slds_store_create_schema(s, err);
    if (!rc)
        rc = init_meta(s, err);
    if (!rc) {
        char v[32];
        if (slds_store_meta_get(s, "schema_version", v, sizeof v, err) == SLDS_OK &&
            atoi(v) != SLDS_SCHEMA_VERSION)
            rc = slds_fail(err, SLDS_ERR_DB, "%s: schema version %s, this slds needs %d", path, v,
                           SLDS_SCHEMA_VERSION);
    }
    if (rc) {
        slds_store_close(s);
        return rc;
    }
    *out = s;
    return SLDS_OK;
}

int slds_store_open(slds_store **out, const char *path, slds_error *err)
{
    return store_open(out, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
}

int slds_store_open_existing(slds_store **out, const char *path, slds_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *out = NULL;
        return slds_fail(err, SLDS_ERR_NOTFOUND, "%s: no such database (create one with 'slds load')",
                         path);
    }
    return store_open(out, path, SQLITE_OPEN_READWRITE, err);
}

void slds_store_close(slds_store *s)
{
    if (!s)
        return;
    if (s->db)
        sqlite3_close_v2(s->db);
    free(s);
}

int slds_store_exec(slds_store *s, const char *sql, slds_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        slds_fail(err, SLDS_ERR_DB, "%s: %s (while running: %.80s)", s->path,
                  msg ? msg : sqlite3_errmsg(s->db), sql);
        sqlite3_free(msg);
        return SLDS_ERR_DB;
    }
    return SLDS_OK;
}

int slds_store_begin(slds_store *s, slds_error *err)
{
    return slds_store_exec(s, "BEGIN IMMEDIATE", err);
}

int slds_store_commit(slds_store *s, slds_error *err)
{
    return slds_store_exec(s, "COMMIT", err);
}

void slds_store_rollback(slds_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int slds_store_prepare(slds_store *s, sqlite3_stmt **stmt, const char *sql, slds_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL) != SQLITE_OK) {
        *stmt = NULL;
        return slds_fail(err, SLDS_ERR_DB, "%s: %s (preparing: %.120s)", s->path,
                         sqlite3_errmsg(s->db), sql);
    }
    return SLDS_OK;
}

int slds_store_meta_get(slds_store *s, const char *key, char *buf, size_t size, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st, "SELECT value FROM meta WHERE key = ?", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = SLDS_OK;
    } else if (step == SQLITE_DONE)
        rc = SLDS_ERR_NOTFOUND;
    else
        rc = slds_fail(err, SLDS_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

int slds_store_meta_set(slds_store *s, const char *key, const char *value, slds_error *err)
{
    return meta_write(s, key, value, true, err);
}

int64_t slds_store_count(slds_store *s, const char *table, slds_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    sqlite3_stmt *st;
    if (slds_store_prepare(s, &st, sql, err))
        return -1;
    int64_t n = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        slds_fail(err, SLDS_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return n;
}
