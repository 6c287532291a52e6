/* log.c - the access log: who viewed which student's record, when, by
 * which route (FERPA asks a state to account for the disclosures of a
 * record; 34 CFR 99.32).
 *
 * A request must never wait for the database here: `slds load` may hold the
 * write lock for minutes. So slds_access_log_record only appends the entry to
 * an in-memory queue (a mutex held for a pointer swap), and one background
 * thread writes queued entries in batches, one transaction each, through its
 * own read-write connection, in WAL mode (see slds_access_log_open). When the database is locked the batch is
 * retried with a growing pause (up to a second) and stays queued meanwhile, in
 * order. close() waits until the queue is empty, so no entry recorded before
 * it is lost unless the database fails for good (read-only file, disk full):
 * then close says how many entries were lost.
 *
 * The queue is unbounded: while a load holds the lock for minutes the
 * entries of every request wait in memory (about 100 bytes each). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "access/internal.h"

#define BATCH_MAX           65536
#define ROWS_PER_INSERT     64
/* OR FAIL, not the default ABORT: a statement of many rows that may abort
 * half-way makes SQLite copy every page it touches into a statement journal
 * first (a temporary file: two writes per page), two thirds of the thread's
 * time at 30,000 views a second. FAIL leaves the rows before a failing one
 * in place, and a failing batch is rolled back whole anyway (write_batch). */
#define INSERT_SQL                                                                                     \
    "INSERT OR FAIL INTO access_log(at, user_id, username, role, route, student_id)"                 \
    " VALUES (?, ?, ?, ?, ?, ?)"
#define BUSY_TIMEOUT_MS     100
#define PAUSE_MIN_MS        20
#define PAUSE_MAX_MS        1000
#define HARD_ERROR_PAUSE_MS 5000
/* Entries are gathered this long (or up to BATCH_MAX of them) before a
 * batch is written: one commit per batch instead of one per request. Every
 * commit makes each reader of the database (the server's own connections)
 * take a new snapshot, drop its page cache and, under load, wait for a slot
 * of the write-ahead log's index: at one commit per record view the server
 * spent most of its time asleep there. And each commit writes every page it
 * changed to the log again: the index on student_id has a hot page per
 * student viewed, rewritten at every commit while he or she is. */
#define GATHER_MS           1000

/* One view; its texts live in the same allocation, after it (one malloc
 * and one free per view: at 30,000 views a second five of each were a
 * good part of what the log's thread did). */
typedef struct entry {
    int64_t at;
    int64_t user_id;
    const char *username, *role, *route, *student_id; /* student_id may be NULL */
    struct entry *next;
    char text[];
} entry;

struct slds_access_log {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    entry *head, *tail; /* the queue, oldest first */
    size_t queued;
    int stopping;
    pthread_t thread;
    slds_store *conn; /* used by the thread only */
    size_t dropped;   /* entries that could not even be queued (out of memory) */
    int failing;      /* the last write failed with an error other than "locked" */
    slds_error last_error;
};

static void entry_free(entry *e) { free(e); }

/* Writes the n entries from first on in one transaction. 0 written; 1 the
 * database was locked (retry); -1 another error (err set). */
static int write_batch(slds_access_log *log, entry *first, size_t n, slds_error *err)
{
    slds_store *s = log->conn;
    int code = SQLITE_OK;
    if (slds_store_exec(s, "BEGIN IMMEDIATE", err)) {
        code = sqlite3_errcode(s->db) & 0xff;
        return code == SQLITE_BUSY || code == SQLITE_LOCKED ? 1 : -1;
    }
    /* ROWS_PER_INSERT rows a statement, the rest one by one: a statement
     * per row cost the thread twice the CPU, and under a full load of the
     * server's cores its share of them could not keep up with the views. */
    char sql[128 + ROWS_PER_INSERT * 24];
    int len = snprintf(sql, sizeof sql, "%s", INSERT_SQL);
    for (int r = 1; r < ROWS_PER_INSERT; r++)
        len += snprintf(sql + len, sizeof sql - (size_t)len, ", (?, ?, ?, ?, ?, ?)");
    slds_cursor many = {0}, one;
    int failed = slds_cursor_open(&one, s, INSERT_SQL, err);
    bool many_open = !failed && n >= ROWS_PER_INSERT && !(failed = slds_cursor_open(&many, s, sql, err));
    entry *e = first;
    for (size_t i = 0; !failed && i < n;) {
        size_t k = n - i >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
        slds_cursor *c = k > 1 ? &many : &one;
        slds_cursor_reset(c);
        for (size_t j = 0; j < k; j++, i++) {
            if (i > 0) /* never read the n-th entry's next: record() may be writing it */
                e = e->next;
            int b = (int)j * 6;
            slds_cursor_bind_int(c, b + 1, e->at);
            slds_cursor_bind_int(c, b + 2, e->user_id);
            slds_cursor_bind_text(c, b + 3, e->username);
            slds_cursor_bind_text(c, b + 4, e->role);
            slds_cursor_bind_text(c, b + 5, e->route);
            slds_cursor_bind_text(c, b + 6, e->student_id);
        }
        failed = slds_cursor_step(c, err) < 0;
    }
    if (failed)
        code = sqlite3_errcode(s->db) & 0xff;
    if (many_open)
        slds_cursor_close(&many);
    slds_cursor_close(&one);
    if (!failed && slds_store_exec(s, "COMMIT", err)) {
        failed = 1;
        code = sqlite3_errcode(s->db) & 0xff;
    }
    if (failed) {
        slds_store_rollback(s);
        return code == SQLITE_BUSY || code == SQLITE_LOCKED ? 1 : -1;
    }
    return 0;
}

static void pause_ms(slds_access_log *log, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    /* mutex held; a record() or close() may wake it early: harmless */
    pthread_cond_timedwait(&log->wake, &log->mu, &until);
}

static void *writer_thread(void *arg)
{
    slds_access_log *log = arg;
    int pause = PAUSE_MIN_MS;
    pthread_mutex_lock(&log->mu);
    for (;;) {
        while (!log->head && !log->stopping)
            pthread_cond_wait(&log->wake, &log->mu);
        if (!log->head)
            break; /* stopping with nothing left */
        if (!log->stopping && log->queued < BATCH_MAX) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += GATHER_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (!log->stopping && log->queued < BATCH_MAX &&
                   pthread_cond_timedwait(&log->wake, &log->mu, &until) == 0)
                ; /* woken early (a full batch, close): look again */
        }
        /* Only this thread removes entries and record() only appends after
         * the tail, so the first n entries can be read without the mutex. */
        entry *first = log->head;
        size_t n = log->queued < BATCH_MAX ? log->queued : BATCH_MAX;
        pthread_mutex_unlock(&log->mu);
        slds_error err = {0};
        int r = write_batch(log, first, n, &err);
        entry *last = first; /* the n-th entry (its next is read under the mutex) */
        for (size_t i = 1; r == 0 && i < n; i++)
            last = last->next;
        pthread_mutex_lock(&log->mu);
        if (r == 0) {
            pause = PAUSE_MIN_MS;
            log->failing = 0;
            /* the n written entries leave the queue here; they are freed
             * after the mutex, which every request takes to record a view */
            log->head = last->next;
            if (!log->head)
                log->tail = NULL;
            last->next = NULL;
            log->queued -= n;
            pthread_mutex_unlock(&log->mu);
            for (entry *e = first, *next; e; e = next) {
                next = e->next;
                entry_free(e);
            }
            pthread_mutex_lock(&log->mu);
        } else if (r > 0) { /* locked (a load): wait and retry, also when stopping */
            pause_ms(log, pause);
            pause = pause * 2 > PAUSE_MAX_MS ? PAUSE_MAX_MS : pause * 2;
        } else {
            log->failing = 1;
            log->last_error = err;
            if (log->stopping)
                break; /* failed for good: close() counts what is left */
            pause_ms(log, HARD_ERROR_PAUSE_MS);
        }
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

int slds_access_log_open(slds_access_log **out, const char *db_path, slds_error *err)
{
    *out = NULL;
    struct stat st;
    if (stat(db_path, &st) != 0)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "%s: no such database (create one with 'slds load')", db_path);
    slds_access_log *log = calloc(1, sizeof *log);
    slds_store *s = calloc(1, sizeof *s);
    if (!log || !s) {
        free(log);
        free(s);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    snprintf(s->path, sizeof s->path, "%s", db_path);
    log->conn = s;
    int rc = SLDS_OK;
    /* Its own connection: not a store writer (no migration, no journal mode
     * change, no checkpoint at close), just inserts into access_log. */
    if (sqlite3_open_v2(db_path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        rc = slds_fail(err, SLDS_ERR_DB, "%s: cannot open the access log for writing: %s", db_path,
                       s->db ? sqlite3_errmsg(s->db) : "out of memory");
    if (!rc) {
        sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
        sqlite3_extended_result_codes(s->db, 1);
        rc = access_require_schema(s, err);
    }
    /* The log's commits must not stop the server's readers: in a rollback
     * journal each commit takes the file's exclusive lock (new read
     * transactions wait, under load every 200 ms), and every read
     * transaction costs a lock, two stat()s of the journal and an fstat.
     * In WAL mode (the mode a load or a growth run writes in anyway) readers
     * go on reading their snapshot. Failing to switch (another process holds
     * a lock for a while) is harmless: the log works in either mode.
     * slds_access_log_close turns the file back to a rollback journal when
     * it is the last connection (as a store writer's close does), so a
     * database at rest stays one ordinary file. */
    if (!rc)
        sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    /* A cache that holds the pages a batch changes (the index's leaves of
     * every student viewed: with SQLite's 2 MiB it read them back at every
     * batch), and a checkpoint every 32 MiB of log rather than 4: a page
     * changed by many commits is copied into the database once per
     * checkpoint. Neither is stored in the file. */
    if (!rc)
        sqlite3_exec(s->db, "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=8192", NULL, NULL, NULL);
    if (!rc && (pthread_mutex_init(&log->mu, NULL) || pthread_cond_init(&log->wake, NULL)))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "cannot make the access log's lock");
    if (!rc && pthread_create(&log->thread, NULL, writer_thread, log)) {
        pthread_cond_destroy(&log->wake);
        pthread_mutex_destroy(&log->mu);
        rc = slds_fail(err, SLDS_ERR_NOMEM, "cannot start the access log's thread");
    }
    if (rc) {
        if (s->db)
            sqlite3_close_v2(s->db);
        free(s);
        free(log);
        return rc;
    }
    *out = log;
    return SLDS_OK;
}

void slds_access_log_record(slds_access_log *log, const slds_principal *who, const char *route,
                            const char *student_id, int64_t now)
{
    if (!log)
        return;
    const char *texts[4] = {who ? who->username : "", slds_role_name(who ? who->role : SLDS_ROLE_PUBLIC),
                            route ? route : "", student_id ? student_id : ""};
    size_t lens[4], total = 0;
    for (int i = 0; i < 4; i++)
        total += (lens[i] = strlen(texts[i])) + 1;
    entry *e = malloc(sizeof *e + total);
    int ok = e != NULL;
    if (ok) {
        e->at = now;
        e->user_id = who ? who->user_id : 0;
        e->next = NULL;
        const char **fields[4] = {&e->username, &e->role, &e->route, &e->student_id};
        char *at = e->text;
        for (int i = 0; i < 4; i++) {
            memcpy(at, texts[i], lens[i] + 1);
            *fields[i] = at;
            at += lens[i] + 1;
        }
        if (!student_id)
            e->student_id = NULL;
    }
    pthread_mutex_lock(&log->mu);
    if (ok) {
        if (log->tail)
            log->tail->next = e;
        else
            log->head = e;
        log->tail = e;
        log->queued++;
        /* Wake the thread only for the first entry (it waits for one) or a
         * full batch: while it gathers, a wake-up per entry cost two
         * context switches per record view and changed nothing. */
        if (log->queued == 1 || log->queued == BATCH_MAX)
            pthread_cond_signal(&log->wake);
    } else {
        log->dropped++;
    }
    pthread_mutex_unlock(&log->mu);
    if (!ok && e)
        entry_free(e);
}

int slds_access_log_close(slds_access_log *log, slds_error *err)
{
    if (!log)
        return SLDS_OK;
    pthread_mutex_lock(&log->mu);
    log->stopping = 1;
    pthread_cond_signal(&log->wake);
    pthread_mutex_unlock(&log->mu);
    pthread_join(log->thread, NULL);

    size_t lost = log->dropped;
    for (entry *e = log->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
        lost++;
    }
    int rc = SLDS_OK;
    if (lost)
        rc = slds_fail(err, log->failing ? SLDS_ERR_DB : SLDS_ERR_NOMEM,
                       "%s: %zu access log entries could not be written%s%s", log->conn->path, lost,
                       log->failing ? ": " : " (out of memory)",
                       log->failing ? log->last_error.message : "");
    /* back to a rollback journal when no other connection is open (else the
     * file stays in WAL mode with its -wal/-shm, which readers handle) */
    sqlite3_busy_timeout(log->conn->db, 0);
    sqlite3_exec(log->conn->db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;", NULL, NULL,
                 NULL);
    sqlite3_close_v2(log->conn->db);
    free(log->conn);
    pthread_cond_destroy(&log->wake);
    pthread_mutex_destroy(&log->mu);
    free(log);
    return rc;
}

int slds_access_log_of_student(slds_store *s, const char *student_id, slds_table **out,
                               slds_error *err)
{
    static const slds_column_spec cols[] = {{.name = "at", .type = SLDS_CELL_TEXT},
                                            {.name = "username", .type = SLDS_CELL_TEXT},
                                            {.name = "role", .type = SLDS_CELL_TEXT},
                                            {.name = "route", .type = SLDS_CELL_TEXT}};
    *out = NULL;
    int v = slds_store_schema_version(s, "access", err);
    if (v < 0)
        return err->code;
    slds_table *t;
    int rc = slds_table_new(&t, "access_log", "Who viewed the record", cols, 4, err);
    if (rc || v == 0) {
        *out = t;
        return rc;
    }
    slds_cursor c;
    rc = slds_cursor_open(&c, s,
                          "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch'), username, role,"
                          " route FROM access_log WHERE student_id = ?1 ORDER BY at DESC,"
                          " entry_id DESC",
                          err);
    int r = 0;
    if (!rc) {
        slds_cursor_bind_text(&c, 1, student_id);
        while ((r = slds_cursor_step(&c, err)) == 1) {
            slds_table_add_row(t, err);
            for (int k = 0; k < 4; k++)
                slds_table_set_text(t, k, slds_cursor_text(&c, k), err);
        }
        slds_cursor_close(&c);
        rc = r < 0 ? SLDS_ERR_DB : slds_table_status(t);
    }
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}
