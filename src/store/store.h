/* store.h - the state database: one SQLite file per state, its schema, and
 * the few operations every module needs (open, transactions, meta values).
 *
 * Tables mirror the collection files of the data contract (docs/contract.md),
 * with typed columns and each file's natural key as the table's primary key,
 * so a re-load of a row with the same key replaces it. Student names and birth
 * dates live only in student_identity.
 *
 * Two ways to open (docs/store.md):
 * - slds_store_open_readonly, for every command that only reads: the file is
 *   opened read-only, nothing is created, migrated or written, and a reader
 *   never waits for a load in progress (the writer runs in WAL mode).
 * - slds_store_open_writer, for `slds load` and computations that write
 *   (`slds growth run`): creates a database when asked, brings an older one up
 *   to date (slds_store_migrate), and refuses a foreign or newer one without
 *   changing a byte of it. */
#ifndef SLDS_STORE_H
#define SLDS_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/core.h"

/* Statements kept prepared on a connection (slds_cursor_open_cached). */
typedef struct slds_store_cached {
    const char *sql;    /* the caller's SQL text (pointer of the last lookup) */
    sqlite3_stmt *stmt; /* prepared from that text; sqlite3_sql(stmt) is the key */
    uint64_t used;      /* lookup counter at the last use: the least recent goes first */
    int busy;           /* held by an open cursor */
} slds_store_cached;

#define SLDS_STORE_CACHED_MAX 48

/* Data a module keeps with a connection (slds_store_attach). */
typedef struct slds_store_attachment {
    const char *key;
    void *data;
    void (*free_data)(void *data);
} slds_store_attachment;

#define SLDS_STORE_ATTACH_MAX 4

typedef struct slds_store {
    sqlite3 *db;
    char path[1024];
    int writer; /* opened with slds_store_open_writer */
    /* A new database being built (SLDS_STORE_STAGE_NEW): the staging file's
     * name ("" otherwise), a descriptor holding its lock, and whether it has
     * been published at path. */
    char staging[1100];
    int staging_fd;
    int published;
    /* The statement cache of this connection (slds_cursor_open_cached). */
    slds_store_cached cached[SLDS_STORE_CACHED_MAX];
    int n_cached;
    uint64_t cached_clock;
    /* What modules keep with this connection (slds_store_attach). */
    slds_store_attachment attached[SLDS_STORE_ATTACH_MAX];
    int n_attached;
} slds_store;

/* Flags of slds_store_open_writer. */
enum {
    /* Create the database when the file does not exist (or is empty). Without
     * it a missing file is SLDS_ERR_NOTFOUND. */
    SLDS_STORE_CREATE = 1,
    /* With SLDS_STORE_CREATE, when the file does not exist: build the new
     * database in a staging file beside it (PATH.slds-new-XXXXXX), with no
     * journal and no fsync until slds_store_publish makes it appear at PATH,
     * whole and durable. Until then readers find no database; closing
     * without publishing (a failed or killed load) leaves no database.
     * Used by `slds load`: a first load writes each page once (no log, no
     * checkpoint). An existing file is opened as without the flag. */
    SLDS_STORE_STAGE_NEW = 2,
};

/* Opens an existing state database for reading only. Errors: SLDS_ERR_NOTFOUND
 * for a missing file; SLDS_ERR_DB for a file that is not a state database
 * ("X is not an slds database") or was written by a newer slds. A database
 * whose modules are at older versions opens as it is (nothing is migrated):
 * see slds_store_schema_version. *out is owned by the caller: slds_store_close. */
int slds_store_open_readonly(slds_store **out, const char *path, slds_error *err);

/* Opens a state database for writing: creates it when missing and flags has
 * SLDS_STORE_CREATE, applies every pending migration of the schema registry
 * (one transaction), refuses a foreign or newer database unchanged. */
int slds_store_open_writer(slds_store **out, const char *path, unsigned flags, slds_error *err);

/* Makes a database built in a staging file (SLDS_STORE_STAGE_NEW) appear at
 * its path: fsyncs it, links it into place (refusing to replace a file that
 * another process created there meanwhile), fsyncs the folder. No
 * transaction may be open. From then on the connection only reads (close
 * and open again to write). A no-op for a store that is not staging. */
int slds_store_publish(slds_store *s, slds_error *err);

/* True when s is a new database still in its staging file (not published). */
int slds_store_is_staging(const slds_store *s);

/* Closes; a writer first folds its write-ahead log back into the file, so a
 * closed database is one ordinary SQLite file with no -wal/-shm beside it. */
void slds_store_close(slds_store *s);

/* Runs SQL with no results; the message names what was being done. */
int slds_store_exec(slds_store *s, const char *sql, slds_error *err);
int slds_store_begin(slds_store *s, slds_error *err);
int slds_store_commit(slds_store *s, slds_error *err);
void slds_store_rollback(slds_store *s);

/* Prepares a statement; on failure err names the SQL. */
int slds_store_prepare(slds_store *s, sqlite3_stmt **stmt, const char *sql, slds_error *err);

/* What a module keeps with one connection, found again by key (a string
 * that lives as long as the store: the module's literal), freed by
 * free_data at slds_store_close: e.g. growthrun's parsed models, read once
 * per connection and run instead of at every student page. Never student
 * data (the web server must read each record from the database). attach
 * fails with SLDS_ERR_NOMEM when SLDS_STORE_ATTACH_MAX keys are taken; a key
 * attached again replaces (and frees) the old data. */
int slds_store_attach(slds_store *s, const char *key, void *data, void (*free_data)(void *data),
                      slds_error *err);
/* The data attached under key, or NULL. */
void *slds_store_attached(const slds_store *s, const char *key);

/* Key/value settings kept in table meta. get returns SLDS_ERR_NOTFOUND when absent;
 * value is copied into buf (size bytes). */
int slds_store_meta_get(slds_store *s, const char *key, char *buf, size_t size, slds_error *err);
int slds_store_meta_set(slds_store *s, const char *key, const char *value, slds_error *err);
/* Writes key only when it has no value yet (the stored one wins). */
int slds_store_meta_set_once(slds_store *s, const char *key, const char *value, slds_error *err);

/* Number of rows in a table (or -1 with err set). */
int64_t slds_store_count(slds_store *s, const char *table, slds_error *err);

/* ---- the schema registry (schema.c) ------------------------------------
 *
 * Every table of the database is created by one entry of one registry: per
 * module, migrations numbered 1, 2, ... applied in the registry's order. meta
 * keeps each module's version under "schema_version.<module>". To add a table
 * or a column, append an entry {module, next version, sql} (docs/store.md). */
typedef struct slds_migration {
    const char *module;
    int version;
    const char *sql;
} slds_migration;

/* The registry this build knows; *n receives its length. */
const slds_migration *slds_store_registry(size_t *n);

/* Applies every migration of the built-in registry that the database has not
 * had yet, all in one transaction (all or nothing), and records the new
 * versions. Writers only (slds_store_open_writer calls it). */
int slds_store_migrate(slds_store *s, slds_error *err);
/* The same with a given registry (tests use it to add a step). */
int slds_store_migrate_with(slds_store *s, const slds_migration *registry, size_t n,
                            slds_error *err);

/* The version of module's tables in this database (0: not created yet, -1 with
 * err set on a database error). */
int slds_store_schema_version(slds_store *s, const char *module, slds_error *err);

/* ---- cursor: every query prepared, bound, stepped and reported one way ----
 *
 *   slds_cursor c;
 *   if (slds_cursor_open(&c, s, "SELECT a FROM t WHERE k = ?1", err)) return err->code;
 *   slds_cursor_bind_text(&c, 1, key);
 *   int r;
 *   while ((r = slds_cursor_step(&c, err)) == 1) use(slds_cursor_int(&c, 0));
 *   slds_cursor_close(&c);
 *   if (r < 0) return err->code;      (err names the database, SQLite's message and the SQL)
 *
 * A failed bind is kept in the cursor and reported by the next step, so call
 * sites bind without checking each call. Closing a zeroed or failed cursor is
 * harmless. */
typedef struct slds_cursor {
    slds_store *store;
    sqlite3_stmt *stmt;
    int bind_rc;  /* first failed bind (SQLITE_OK when none) */
    int bind_idx; /* its parameter */
    slds_store_cached *cached; /* the cache entry it holds (slds_cursor_open_cached), or NULL */
} slds_cursor;

int slds_cursor_open(slds_cursor *c, slds_store *s, const char *sql, slds_error *err);

/* The same with a statement kept prepared on the connection, for a query that
 * runs again and again on one connection (a record read at every request of
 * the web server): the first open prepares it, a later open of the same SQL
 * text takes the prepared statement back instead of parsing and planning it
 * again (a tenth of a small query's cost). Close it as any cursor:
 * slds_cursor_close then resets the statement and clears every binding (the
 * next open starts with every parameter NULL, as a fresh statement) and
 * keeps it; slds_store_close finalizes the cache. The key is the SQL text
 * (the pointer first, then the text compared: a buffer reused for another
 * query is another entry). A statement already held by an open cursor (the
 * same query nested) is prepared afresh for the second cursor and finalized
 * at its close; past SLDS_STORE_CACHED_MAX statements the least recently
 * used free one is finalized. A connection is used by one thread at a time
 * (as every store); a cached statement survives schema changes (SQLite
 * prepares it again when the schema changed). */
int slds_cursor_open_cached(slds_cursor *c, slds_store *s, const char *sql, slds_error *err);
void slds_cursor_bind_int(slds_cursor *c, int idx, int64_t v);
void slds_cursor_bind_double(slds_cursor *c, int idx, double v);
/* v is copied (SQLITE_TRANSIENT); NULL binds SQL NULL. */
void slds_cursor_bind_text(slds_cursor *c, int idx, const char *v);
void slds_cursor_bind_null(slds_cursor *c, int idx);
/* 1: a row is ready; 0: done; -1: error (err set, SLDS_ERR_DB). */
int slds_cursor_step(slds_cursor *c, slds_error *err);
/* Makes the statement ready to run again (bindings kept until rebound). */
void slds_cursor_reset(slds_cursor *c);
/* Finalizes the statement, or for a cached one resets it, clears its bindings
 * and gives it back to the connection's cache. */
void slds_cursor_close(slds_cursor *c);

/* Column values of the current row. text returns NULL for SQL NULL. */
int64_t slds_cursor_int(const slds_cursor *c, int col);
double slds_cursor_double(const slds_cursor *c, int col);
const char *slds_cursor_text(const slds_cursor *c, int col);
int slds_cursor_is_null(const slds_cursor *c, int col);

#endif
