/* db.h - for cmocka test programs that build a small database by hand
 * (tests/audit, tests/growthrun, tests/ident, tests/mastery): a new store at
 * a temporary path, SQL written with printf-style arguments, a query's
 * first value, and synthetic MATH cohorts. Any store error fails the test
 * with its message. Include after <cmocka.h>. */
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

/* MATH state test scores, grades 3-6, 2022 the last year: n students a
 * cohort for the cohorts that start grade 3 in first_start..2022, their
 * scores kept for first_year..2022 except gap (0: none). Score = 300 + 25
 * grade + ability (0-60 a student) + noise (0-30 a score), one decimal, from
 * a generator seeded with seed. Student ids "y<start>_<i>" sort by
 * starting year. */
static inline void insert_math_cohorts(slds_store *s, unsigned long long seed, int first_start,
                                       int first_year, int gap, int n)
{
    unsigned long long state = seed;
    exec(s, "BEGIN");
    for (int start = first_start; start <= 2022; start++)
        for (int i = 0; i < n; i++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            double ability = (double)(state >> 40) / (double)(1ULL << 24) * 60.0;
            for (int grade = 3; grade <= 6; grade++) {
                int year = start + grade - 3;
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                double noise = (double)(state >> 40) / (double)(1ULL << 24) * 30.0;
                if (year < first_year || year > 2022 || year == gap)
                    continue;
                exec(s,
                     "INSERT INTO assessments VALUES('y%d_%03d',%d,'MATH','%02d','STATE',"
                     "'STATE_MATH','%d-04-15',%.1f,2,NULL)",
                     start, i, year, grade, year, 300.0 + 25.0 * grade + ability + noise);
            }
        }
    exec(s, "COMMIT");
}

#endif
