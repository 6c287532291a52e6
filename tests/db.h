/* db.h - for cmocka test programs that build a small database by hand
 * (tests/audit, tests/growthrun, tests/ident, tests/mastery): a new store at
 * a temporary path, SQL written with printf-style arguments, and a query's
 * first value. Any store error fails the test with its message. Include
 * after <cmocka.h>. */
#ifndef SLDS_TESTS_DB_H
#define SLDS_TESTS_DB_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

/* Runs the SQL fmt (one or more statements) formats. */
static inline void exec(slds_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void exec(slds_store *s, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    slds_error err = {0};
    if (slds_store_exec(s, sql, &err))
        fail_msg("%s", err.message);
}

/* The first column of the first row of a query, as a double (NaN if NULL
 * or no row). */
static inline double query1(slds_store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline double query1(slds_store *s, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    sqlite3_stmt *st;
    slds_error err = {0};
    if (slds_store_prepare(s, &st, sql, &err))
        fail_msg("%s", err.message);
    double v = NAN;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A new, empty database (the schema created) at a fresh temporary path,
 * written into path; the writer store, open. */
static inline slds_store *open_temp(char *path, size_t size)
{
    snprintf(path, size, "/tmp/slds_test_db_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    slds_store *s = NULL;
    slds_error err = {0};
    if (slds_store_open_writer(&s, path, SLDS_STORE_CREATE, &err))
        fail_msg("%s", err.message);
    return s;
}

/* Closes a store of open_temp and removes its file. */
static inline void close_temp(slds_store *s, const char *path)
{
    slds_store_close(s);
    unlink(path);
}

#endif
