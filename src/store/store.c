/* store.c - opening the state database (read-only or as the writer),
 * transactions, meta values and the cursor (store.h).
 *
 * Journal and durability. A writer runs in WAL mode with synchronous=FULL:
 * - a load or growth run is one transaction; its pages go to the -wal file and
 *   only a commit record that has been fsynced makes them part of the database.
 *   A writer killed at any moment (kill -9) or a power loss leaves the database
 *   as it was before the transaction (the uncommitted tail of the log is
 *   ignored by the next open), or, once COMMIT returned, with the whole
 *   transaction: FULL fsyncs the log at every commit, so a commit that
 *   returned survives a power loss too (NORMAL would only keep the database
 *   consistent, possibly losing the last commit; one extra fsync per load is
 *   nothing next to the load). tests/ingest/test_crash.sh kills loads at random.
 * - readers never wait for it: they read the last committed state while the
 *   writer appends to the log (SQLite's WAL; a rollback journal would make
 *   readers wait as soon as the writer's cache spills into the file).
 * - at a clean close the writer checkpoints the log into the file and turns the
 *   journal mode back to DELETE, so a database at rest is one ordinary SQLite
 *   file with no -wal/-shm beside it. That is what lets a reader open it from
 *   a read-only file or directory: a WAL-mode file needs its -wal/-shm files,
 *   which a reader could not create there (and in a writable directory would
 *   leave behind). If a reader was still open at the writer's close, the file
 *   stays in WAL mode with its -wal/-shm present, which readers can use.
 *
 * Who writes. slds_store_open_readonly opens with SQLITE_OPEN_READONLY, runs
 * no migration and no pragma that writes. The writer first
 * inspects the file with reads only and refuses a foreign or newer database
 * before any pragma or migration could change it.
 *
 * A new database (SLDS_STORE_STAGE_NEW, `slds load` into a missing file) is
 * built differently: in a staging file beside it, PATH.slds-new-XXXXXX, with
 * journal_mode=OFF and synchronous=OFF, so each page is written once, straight
 * into the file (no log to append to, no checkpoint copying the log back, no
 * fsync per commit). That is safe because no one else can see the file: a
 * reader finds no database at PATH until slds_store_publish fsyncs the
 * staging file and links it into place (link(2) refuses to replace a
 * database another process created meanwhile), then fsyncs the folder. A
 * load that fails or is killed leaves no database: its staging file is
 * removed at close, or, after a kill, by the next staged open, which removes
 * every PATH.slds-new-* whose owner is gone (the owner holds flock(2) on it).
 *
 * A large page cache keeps a big load's B-trees in memory until commit. */
#include "store/internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SLDS_PAGE_SIZE
#define SLDS_PAGE_SIZE "4096"
#endif
/* Readers map the file (up to 64 GiB of address space, not memory): a page is
 * read in place instead of copied into the page cache, which halves the CPU
 * of a full-table scan (the reports read whole tables). */
#ifndef SLDS_READER_MMAP
#define SLDS_READER_MMAP "68719476736"
#endif
#ifndef SLDS_CACHE_KIB
#define SLDS_CACHE_KIB "-131072" /* 128 MiB: larger only adds page faults */
#endif
#define BUSY_TIMEOUT_MS 10000

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

static int db_fail(slds_store *s, const char *what, slds_error *err)
{
    return slds_fail(err, SLDS_ERR_DB, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* ---- cursor ------------------------------------------------------------- */

int slds_cursor_open(slds_cursor *c, slds_store *s, const char *sql, slds_error *err)
{
    memset(c, 0, sizeof *c);
    c->store = s;
    if (sqlite3_prepare_v2(s->db, sql, -1, &c->stmt, NULL) != SQLITE_OK) {
        c->stmt = NULL;
        return slds_fail(err, SLDS_ERR_DB, "%s: %s (preparing: %.160s)", s->path,
                         sqlite3_errmsg(s->db), sql);
    }
    return SLDS_OK;
}

/* The cache entry holding sql's statement, or NULL. */
static slds_store_cached *cached_find(slds_store *s, const char *sql)
{
    for (int i = 0; i < s->n_cached; i++)
        if (s->cached[i].sql == sql && !strcmp(sqlite3_sql(s->cached[i].stmt), sql))
            return &s->cached[i];
    for (int i = 0; i < s->n_cached; i++)
        if (!strcmp(sqlite3_sql(s->cached[i].stmt), sql))
            return &s->cached[i];
    return NULL;
}

/* A free entry for a new statement: an unused one, else the least recently
 * used entry no cursor holds (finalized), else NULL (every entry held). */
static slds_store_cached *cached_slot(slds_store *s)
{
    if (s->n_cached < SLDS_STORE_CACHED_MAX)
        return &s->cached[s->n_cached++];
    slds_store_cached *lru = NULL;
    for (int i = 0; i < s->n_cached; i++)
        if (!s->cached[i].busy && (!lru || s->cached[i].used < lru->used))
            lru = &s->cached[i];
    if (lru) {
        sqlite3_finalize(lru->stmt);
        memset(lru, 0, sizeof *lru);
    }
    return lru;
}

int slds_cursor_open_cached(slds_cursor *c, slds_store *s, const char *sql, slds_error *err)
{
    slds_store_cached *e = cached_find(s, sql);
    if (e && e->busy) /* nested use of the same query: a statement of its own */
        return slds_cursor_open(c, s, sql, err);
    if (!e) {
        int rc = slds_cursor_open(c, s, sql, err);
        if (rc || !(e = cached_slot(s)))
            return rc;
        e->stmt = c->stmt;
    } else {
        memset(c, 0, sizeof *c);
        c->store = s;
        c->stmt = e->stmt;
    }
    e->sql = sql;
    e->busy = 1;
    e->used = ++s->cached_clock;
    c->cached = e;
    return SLDS_OK;
}

/* ---- attachments -------------------------------------------------------- */

int slds_store_attach(slds_store *s, const char *key, void *data, void (*free_data)(void *data),
                      slds_error *err)
{
    for (int i = 0; i < s->n_attached; i++)
        if (!strcmp(s->attached[i].key, key)) {
            if (s->attached[i].free_data && s->attached[i].data != data)
                s->attached[i].free_data(s->attached[i].data);
            s->attached[i] = (slds_store_attachment){key, data, free_data};
            return SLDS_OK;
        }
    if (s->n_attached == SLDS_STORE_ATTACH_MAX)
        return slds_fail(err, SLDS_ERR_NOMEM, "%s: no room to keep %s with the connection", s->path,
                         key);
    s->attached[s->n_attached++] = (slds_store_attachment){key, data, free_data};
    return SLDS_OK;
}

void *slds_store_attached(const slds_store *s, const char *key)
{
    for (int i = 0; i < s->n_attached; i++)
        if (!strcmp(s->attached[i].key, key))
            return s->attached[i].data;
    return NULL;
}

static void attached_free_all(slds_store *s)
{
    for (int i = 0; i < s->n_attached; i++)
        if (s->attached[i].free_data)
            s->attached[i].free_data(s->attached[i].data);
    s->n_attached = 0;
}

static void cached_finalize_all(slds_store *s)
{
    for (int i = 0; i < s->n_cached; i++)
        sqlite3_finalize(s->cached[i].stmt);
    s->n_cached = 0;
}

static void bind_result(slds_cursor *c, int idx, int rc)
{
    if (rc != SQLITE_OK && c->bind_rc == SQLITE_OK) {
        c->bind_rc = rc;
        c->bind_idx = idx;
    }
}

void slds_cursor_bind_int(slds_cursor *c, int idx, int64_t v)
{
    bind_result(c, idx, c->stmt ? sqlite3_bind_int64(c->stmt, idx, v) : SQLITE_MISUSE);
}

void slds_cursor_bind_double(slds_cursor *c, int idx, double v)
{
    bind_result(c, idx, c->stmt ? sqlite3_bind_double(c->stmt, idx, v) : SQLITE_MISUSE);
}

void slds_cursor_bind_text(slds_cursor *c, int idx, const char *v)
{
    int rc = !c->stmt ? SQLITE_MISUSE
             : v      ? sqlite3_bind_text(c->stmt, idx, v, -1, SQLITE_TRANSIENT)
                      : sqlite3_bind_null(c->stmt, idx);
    bind_result(c, idx, rc);
}

void slds_cursor_bind_null(slds_cursor *c, int idx)
{
    bind_result(c, idx, c->stmt ? sqlite3_bind_null(c->stmt, idx) : SQLITE_MISUSE);
}

int slds_cursor_step(slds_cursor *c, slds_error *err)
{
    if (!c->stmt) {
        slds_fail(err, SLDS_ERR_DB, "%s: stepping a statement that failed to prepare",
                  c->store ? c->store->path : "database");
        return -1;
    }
    const char *sql = sqlite3_sql(c->stmt);
    if (c->bind_rc != SQLITE_OK) {
        slds_fail(err, SLDS_ERR_DB, "%s: binding parameter %d: %s (in: %.160s)", c->store->path,
                  c->bind_idx, sqlite3_errstr(c->bind_rc), sql);
        return -1;
    }
    int rc = sqlite3_step(c->stmt);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    slds_fail(err, SLDS_ERR_DB, "%s: %s (running: %.160s)", c->store->path,
              sqlite3_errmsg(c->store->db), sql);
    return -1;
}

void slds_cursor_reset(slds_cursor *c)
{
    if (c->stmt)
        sqlite3_reset(c->stmt);
}

void slds_cursor_close(slds_cursor *c)
{
    if (c->cached) {
        /* back to the cache as a fresh statement: not running (its read
         * ends), no binding left for the next user */
        sqlite3_reset(c->stmt);
        sqlite3_clear_bindings(c->stmt);
        c->cached->busy = 0;
        c->cached = NULL;
    } else if (c->stmt)
        sqlite3_finalize(c->stmt);
    c->stmt = NULL;
}

int64_t slds_cursor_int(const slds_cursor *c, int col)
{
    return sqlite3_column_int64(c->stmt, col);
}

double slds_cursor_double(const slds_cursor *c, int col)
{
    return sqlite3_column_double(c->stmt, col);
}

const char *slds_cursor_text(const slds_cursor *c, int col)
{
    return (const char *)sqlite3_column_text(c->stmt, col);
}

int slds_cursor_is_null(const slds_cursor *c, int col)
{
    return sqlite3_column_type(c->stmt, col) == SQLITE_NULL;
}

/* ---- meta --------------------------------------------------------------- */

/* Writes a meta value: replacing the stored one, or only when there is none. */
static int meta_write(slds_store *s, const char *key, const char *value, bool replace,
                      slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s,
                              replace ? "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"
                                      : "INSERT OR IGNORE INTO meta(key, value) VALUES(?1, ?2)",
                              err);
    if (rc)
        return rc;
    slds_cursor_bind_text(&c, 1, key);
    slds_cursor_bind_text(&c, 2, value);
    if (slds_cursor_step(&c, err) < 0)
        rc = SLDS_ERR_DB;
    slds_cursor_close(&c);
    return rc;
}

int slds_store_meta_get(slds_store *s, const char *key, char *buf, size_t size, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s, "SELECT value FROM meta WHERE key = ?1", err);
    if (rc)
        return rc;
    slds_cursor_bind_text(&c, 1, key);
    int step = slds_cursor_step(&c, err);
    if (step == 1) {
        const char *v = slds_cursor_text(&c, 0);
        snprintf(buf, size, "%s", v ? v : "");
        rc = SLDS_OK;
    } else
        rc = step == 0 ? SLDS_ERR_NOTFOUND : SLDS_ERR_DB;
    slds_cursor_close(&c);
    return rc;
}

int slds_store_meta_set(slds_store *s, const char *key, const char *value, slds_error *err)
{
    return meta_write(s, key, value, true, err);
}

int slds_store_meta_set_once(slds_store *s, const char *key, const char *value, slds_error *err)
{
    return meta_write(s, key, value, false, err);
}

/* ---- opening ------------------------------------------------------------ */

static int store_new(slds_store **out, const char *path, slds_error *err)
{
    *out = NULL;
    configure_sqlite_once();
    slds_store *s = calloc(1, sizeof *s);
    if (!s)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    s->staging_fd = -1;
    *out = s;
    return SLDS_OK;
}

static int connect(slds_store *s, const char *filename, int flags, slds_error *err)
{
    if (sqlite3_open_v2(filename, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        slds_fail(err, SLDS_ERR_DB, "%s: cannot open database: %s", s->path,
                  s->db ? sqlite3_errmsg(s->db) : "out of memory");
        return SLDS_ERR_DB;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    return SLDS_OK;
}

static int missing(const char *path, slds_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return SLDS_OK;
    return slds_fail(err, SLDS_ERR_NOTFOUND, "%s: no such database (create one with 'slds load')",
                     path);
}

/* The journal and cache settings of a writer (after the inspection). */
static int writer_pragmas(slds_store *s, slds_error *err)
{
    int rc = slds_store_exec(s,
                             "PRAGMA page_size=" SLDS_PAGE_SIZE "; PRAGMA synchronous=FULL;"
                             " PRAGMA foreign_keys=OFF; PRAGMA cache_size=" SLDS_CACHE_KIB ";"
                             " PRAGMA temp_store=MEMORY;"
                             /* stored pages read in place, as readers do: a load that reads
                              * what is stored (its sets, --replace's scopes) copies no page
                              * into the cache (measured: half the system time of a
                              * resubmission); writes still go through the journal */
                             " PRAGMA mmap_size=" SLDS_READER_MMAP ";",
                             err);
    if (rc)
        return rc;
    if (s->staging[0])
        /* No one else can see a staging file: no journal, no fsync until
         * slds_store_publish (see the top of this file). */
        return slds_store_exec(s, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;", err);
    /* journal_mode answers with the mode in force: when another connection
     * holds the file (a reader of a database at rest), the change waits for it
     * like any write (busy timeout) and then reports the old mode. */
    slds_cursor c;
    rc = slds_cursor_open(&c, s, "PRAGMA journal_mode=WAL", err);
    if (rc)
        return rc;
    int step = slds_cursor_step(&c, err);
    const char *mode = step == 1 && slds_cursor_text(&c, 0) ? slds_cursor_text(&c, 0) : "";
    /* (an in-memory database, used by tests, answers "memory") */
    if (step == 1 && sqlite3_stricmp(mode, "wal") && sqlite3_stricmp(mode, "memory"))
        rc = slds_fail(err, SLDS_ERR_DB,
                       "%s: cannot switch to WAL mode (journal mode stays %s): another process "
                       "holds the database; try again",
                       s->path, mode);
    else if (step < 0)
        rc = SLDS_ERR_DB;
    slds_cursor_close(&c);
    return rc;
}

static bool has_log(const char *path)
{
    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", path);
    return access(wal, F_OK) == 0;
}

/* A WAL-mode file without its -wal file cannot be read from a directory the
 * reader may not create files in (SQLite needs the -wal/-shm pair). No -wal
 * means no writer has the file open, so it is read as immutable. */
static bool wal_without_log(const char *path)
{
    if (has_log(path))
        return false;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char h[20];
    bool walmode = fread(h, 1, sizeof h, f) == sizeof h && h[18] == 2 && h[19] == 2;
    fclose(f);
    return walmode;
}

/* ---- staging a new database ---------------------------------------------- */

/* Splits path into its folder ("." when none) and file name. */
static void split_path(const char *path, char *dir, size_t dirsize, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(dir, dirsize, ".");
    else if (slash == path)
        snprintf(dir, dirsize, "/");
    else
        snprintf(dir, dirsize, "%.*s", (int)(slash - path), path);
}

/* Removes the staging files of path left by loads that were killed: a
 * staging file whose lock can be taken has no owner any more. (Removing only
 * a name: a staging file killed between its link into place and its unlink
 * is a second name of the database, which stays.) */
static void remove_stale_staging(const char *path)
{
    char dir[1100];
    const char *base;
    split_path(path, dir, sizeof dir, &base);
    char prefix[1100];
    int plen = snprintf(prefix, sizeof prefix, "%s.slds-new-", base);
    DIR *d = opendir(dir);
    if (!d || plen <= 0 || (size_t)plen >= sizeof prefix) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, (size_t)plen) || strlen(e->d_name) != (size_t)plen + 6)
            continue;
        char stale[2300];
        snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
        int fd = open(stale, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlink(stale);
        close(fd);
    }
    closedir(d);
}

/* Creates the staging file of path and takes its lock (kept until close). */
static int stage_new(slds_store *s, const char *path, slds_error *err)
{
    remove_stale_staging(path);
    int n = snprintf(s->staging, sizeof s->staging, "%s.slds-new-XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof s->staging) {
        s->staging[0] = '\0';
        return slds_fail(err, SLDS_ERR_IO, "%s: path too long", path);
    }
    s->staging_fd = mkstemp(s->staging);
    if (s->staging_fd < 0 || flock(s->staging_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (s->staging_fd >= 0) {
            unlink(s->staging);
            close(s->staging_fd);
            s->staging_fd = -1;
        }
        s->staging[0] = '\0';
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot create the new database beside it: %s", path,
                         strerror(e));
    }
    return SLDS_OK;
}

static int fsync_folder(const char *path)
{
    char dir[1100];
    const char *base;
    split_path(path, dir, sizeof dir, &base);
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int slds_store_is_staging(const slds_store *s)
{
    return s && s->staging[0] && !s->published;
}

int slds_store_publish(slds_store *s, slds_error *err)
{
    if (!slds_store_is_staging(s))
        return SLDS_OK;
    if (!sqlite3_get_autocommit(s->db))
        return slds_fail(err, SLDS_ERR_USAGE, "%s: cannot publish with a transaction open", s->path);
    if (fsync(s->staging_fd) != 0)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write the new database: fsync: %s", s->staging,
                         strerror(errno));
    /* link(2) never replaces: a database that appeared at path while this
     * one was built (another load) is kept, and this one is dropped. */
    if (link(s->staging, s->path) != 0) {
        int e = errno;
        struct stat st;
        if (e == EEXIST || stat(s->path, &st) == 0)
            return slds_fail(err, SLDS_ERR_IO,
                             "%s: another process created this database while the load ran; this load "
                             "was not stored (run it again)",
                             s->path);
        /* a file system without hard links: rename (path is still free) */
        if (rename(s->staging, s->path) != 0)
            return slds_fail(err, SLDS_ERR_IO, "%s: cannot put the new database in place: %s", s->path,
                             strerror(errno));
    } else
        unlink(s->staging);
    s->published = 1;
    fsync_folder(s->path);
    /* The connection still names the staging file (its journal would be
     * beside that name): from here on it only reads. */
    sqlite3_exec(s->db, "PRAGMA query_only=1", NULL, NULL, NULL);
    return SLDS_OK;
}

int slds_store_open_writer(slds_store **out, const char *path, unsigned flags, slds_error *err)
{
    *out = NULL;
    if (!(flags & SLDS_STORE_CREATE) && missing(path, err))
        return SLDS_ERR_NOTFOUND;
    slds_store *s;
    int rc = store_new(&s, path, err);
    if (rc)
        return rc;
    bool had_log = has_log(path);
    struct stat st;
    if ((flags & SLDS_STORE_CREATE) && (flags & SLDS_STORE_STAGE_NEW) && strcmp(path, ":memory:") &&
        strncmp(path, "file:", 5) && stat(path, &st) != 0 && errno == ENOENT)
        rc = stage_new(s, path, err);
    if (!rc)
        rc = connect(s, s->staging[0] ? s->staging : path,
                     SQLITE_OPEN_READWRITE | (flags & SLDS_STORE_CREATE ? SQLITE_OPEN_CREATE : 0), err);
    /* Until the file is known to be ours, closing must not even checkpoint a
     * log a foreign WAL-mode file might have. */
    if (!rc)
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    size_t n;
    const slds_migration *reg = slds_store_registry(&n);
    store_kind kind = STORE_EMPTY;
    int versions[SLDS_STORE_MAX_MODULES];
    if (!rc)
        rc = store_inspect(s, reg, n, &kind, versions, err);
    if (!rc && kind == STORE_EMPTY && !(flags & SLDS_STORE_CREATE))
        rc = slds_fail(err, SLDS_ERR_DB, "%s is not an slds database (it is empty)", path);
    if (!rc) {
        /* Ours: from here on the close folds the log back (not before: a
         * refused file is closed untouched). */
        s->writer = 1;
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, (int *)NULL);
        rc = writer_pragmas(s, err);
    }
    if (!rc)
        rc = slds_store_migrate(s, err);
    if (rc && !s->writer && !had_log && s->db)
        /* Refused: the log SQLite created for reading a WAL-mode file is
         * empty, so the close may remove it without touching the file. */
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, (int *)NULL);
    if (rc) {
        slds_store_close(s);
        return rc;
    }
    *out = s;
    return SLDS_OK;
}

/* Connects read-only and inspects the file (before any pragma, which would
 * read the schema of a file that may not be SQLite). Temporary tables, which
 * some readers build (audit), live in memory, not in the database. */
static int reader_connect(slds_store *s, const char *filename, store_kind *kind, slds_error *err)
{
    size_t n;
    const slds_migration *reg = slds_store_registry(&n);
    int versions[SLDS_STORE_MAX_MODULES];
    int rc = connect(s, filename, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, err);
    if (!rc)
        rc = store_inspect(s, reg, n, kind, versions, err);
    if (!rc)
        rc = slds_store_exec(s, "PRAGMA cache_size=" SLDS_CACHE_KIB "; PRAGMA temp_store=MEMORY;"
                                " PRAGMA mmap_size=" SLDS_READER_MMAP ";", /* pages read in place */
                             err);
    return rc;
}

int slds_store_open_readonly(slds_store **out, const char *path, slds_error *err)
{
    *out = NULL;
    if (missing(path, err))
        return SLDS_ERR_NOTFOUND;
    slds_store *s;
    int rc = store_new(&s, path, err);
    if (rc)
        return rc;
    /* Opened as a URI so that the immutable fallback below can be asked for;
     * the path is escaped for it. */
    char uri[3300];
    size_t u = (size_t)snprintf(uri, sizeof uri, "file:");
    for (const char *p = path; *p && u + 4 < sizeof uri; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            u += (size_t)snprintf(uri + u, sizeof uri - u, "%%%02X", (unsigned char)*p);
        else
            uri[u++] = *p;
    }
    uri[u] = '\0';
    store_kind kind = STORE_EMPTY;
    rc = reader_connect(s, uri, &kind, err);
    if (rc && s->db && wal_without_log(path)) {
        sqlite3_close_v2(s->db);
        s->db = NULL;
        snprintf(uri + u, sizeof uri - u, "?immutable=1");
        slds_error_clear(err);
        rc = reader_connect(s, uri, &kind, err);
    }
    if (!rc && kind == STORE_EMPTY)
        rc = slds_fail(err, SLDS_ERR_DB, "%s is not an slds database (it is empty)", path);
    if (rc) {
        slds_store_close(s);
        return rc;
    }
    *out = s;
    return SLDS_OK;
}

void slds_store_close(slds_store *s)
{
    if (!s)
        return;
    cached_finalize_all(s); /* (cursors are closed before their store) */
    attached_free_all(s);
    if (s->db && s->writer && !s->staging[0]) {
        /* A transaction still open is abandoned. Then fold the log into the
         * file and return to a rollback journal (see the top of this file).
         * Neither waits: a reader still open keeps the file in WAL mode,
         * which readers handle. */
        slds_store_rollback(s);
        sqlite3_busy_timeout(s->db, 0);
        sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;", NULL,
                     NULL, NULL);
    }
    if (s->db)
        sqlite3_close_v2(s->db);
    if (s->staging[0] && !s->published)
        unlink(s->staging); /* a new database that was not published is dropped */
    if (s->staging_fd >= 0)
        close(s->staging_fd);
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

int64_t slds_store_count(slds_store *s, const char *table, slds_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    slds_cursor c;
    if (slds_cursor_open(&c, s, sql, err))
        return -1;
    int64_t n = slds_cursor_step(&c, err) == 1 ? slds_cursor_int(&c, 0) : -1;
    if (n < 0 && err && !err->code)
        db_fail(s, "counting rows", err);
    slds_cursor_close(&c);
    return n;
}
