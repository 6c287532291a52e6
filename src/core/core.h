/* core.h - building blocks shared by every module of libslds: the error value
 * every fallible function fills, a growable string buffer, a progress
 * reporter for long work, dates as day numbers, the one thread pool (a
 * parallel for) and CPU count, and the one small sort.
 *
 * Ownership rule for the whole library: a function that returns a pointer
 * named *_new or *_open gives the caller ownership and has a matching *_free
 * or *_close; every other pointer returned is borrowed from its argument. */
#ifndef SLDS_CORE_H
#define SLDS_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Status codes. 0 is success; every failure is a positive value. */
enum slds_status {
    SLDS_OK = 0,
    SLDS_ERR_USAGE,    /* the caller asked for something meaningless */
    SLDS_ERR_IO,       /* a file could not be opened, read or written */
    SLDS_ERR_DATA,     /* input data is malformed (message names file/line/column) */
    SLDS_ERR_DB,       /* SQLite reported an error */
    SLDS_ERR_NOMEM,    /* an allocation failed */
    SLDS_ERR_NUMERIC,  /* a numerical method failed (singular design, no convergence) */
    SLDS_ERR_NOTFOUND  /* a requested record does not exist */
};

/* The error value: a status code and a message fit for a person. */
typedef struct slds_error {
    int code;
    char message[1024];
} slds_error;

/* Sets err (if not NULL) and returns code, so callers can `return slds_fail(...)`. */
int slds_fail(slds_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prepends context ("loading x.csv: ") to an existing message; returns err->code. */
int slds_error_prefix(slds_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void slds_error_clear(slds_error *err);

/* A growable NUL-terminated byte buffer. Zero-initialise ({0}) to start. */
typedef struct slds_buf {
    char *data;
    size_t len;
    size_t cap;
} slds_buf;

int slds_buf_reserve(slds_buf *b, size_t extra);
int slds_buf_append(slds_buf *b, const char *s, size_t n);
int slds_buf_puts(slds_buf *b, const char *s);
int slds_buf_printf(slds_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void slds_buf_clear(slds_buf *b);
void slds_buf_free(slds_buf *b);

/* Grows *arr (capacity *cap elements) so that index `need` fits, doubling.
 * Returns SLDS_OK or SLDS_ERR_NOMEM (then *arr is unchanged). */
int slds_grow_u32(uint32_t **arr, size_t *cap, size_t need);

/* Progress of long work. The library calls report(); the tool decides how to
 * show it (a bar on a terminal, nothing otherwise). A NULL progress is fine. */
typedef struct slds_progress {
    void (*report)(void *ctx, const char *stage, uint64_t done, uint64_t total);
    void *ctx;
} slds_progress;

static inline void slds_progress_report(const slds_progress *p, const char *stage,
                                        uint64_t done, uint64_t total)
{
    if (p && p->report)
        p->report(p->ctx, stage, done, total);
}

/* Monotonic wall-clock seconds, for timings printed by the tool and benches. */
double slds_now(void);
/* Peak resident set size of this process in bytes (0 if unknown). */
uint64_t slds_peak_rss(void);

/* ------------------------------------------------------------------------ */
/* Dates (date.c): day numbers are days since 1970-01-01 in the proleptic
 * Gregorian calendar, so dates compare and subtract as integers. */

/* Day number of a calendar date (month 1-12; no validation). */
int64_t slds_days_from_civil(int year, int month, int day);
/* The calendar date of a day number. */
void slds_civil_from_days(int64_t days, int *year, int *month, int *day);
/* 0 = Monday ... 6 = Sunday. */
int slds_weekday(int64_t days);
/* True when year-month-day is a date (month 1-12, day within the month). */
bool slds_date_valid(int year, int month, int day);
/* "YYYY-MM-DD" (len must be 10) -> day number; false when not a valid date. */
bool slds_date_parse(const char *s, size_t len, int64_t *days);
/* Writes "YYYY-MM-DD" and a terminator (years clamped to 0000..9999). */
void slds_date_format(int64_t days, char out[11]);

/* ------------------------------------------------------------------------ */
/* Threads (parallel.c) */

/* Processors online (at least 1). */
int slds_cpu_count(void);

/* One numbered task of slds_parallel_for: threads is how many threads the
 * task may use itself (more than 1 when fewer tasks remain than threads). */
typedef int (*slds_task_fn)(void *ctx, int i, int threads, slds_error *err);
/* Runs task(ctx, i, ...) for i = 0..n-1 on up to n_threads threads (the
 * caller's among them), taken in order of i by the first free thread. The
 * first failure stops it: tasks not started are skipped and that failure is
 * returned. Progress (done of n) is reported under the pool's lock. When no
 * thread can be started, the tasks run on the caller's thread. */
int slds_parallel_for(int n, int n_threads, slds_task_fn task, void *ctx,
                      const slds_progress *progress, const char *stage, slds_error *err);

/* ------------------------------------------------------------------------ */
/* Sorting small arrays */

/* Stable insertion sort of v[0..n) (element type T) by LESS(a, b), for the
 * small arrays (a few dozen) where it beats qsort; one definition for every
 * element type. */
#define SLDS_INSERTION_SORT(T, v, n, LESS)                                     \
    do {                                                                       \
        T *slds_is_v_ = (v);                                                   \
        size_t slds_is_n_ = (n);                                               \
        for (size_t slds_is_k_ = 1; slds_is_k_ < slds_is_n_; slds_is_k_++) {   \
            T slds_is_t_ = slds_is_v_[slds_is_k_];                             \
            size_t slds_is_j_ = slds_is_k_;                                    \
            while (slds_is_j_ > 0 && LESS(slds_is_t_, slds_is_v_[slds_is_j_ - 1])) { \
                slds_is_v_[slds_is_j_] = slds_is_v_[slds_is_j_ - 1];           \
                slds_is_j_--;                                                  \
            }                                                                  \
            slds_is_v_[slds_is_j_] = slds_is_t_;                               \
        }                                                                      \
    } while (0)

/* Ascending insertion sort of a few doubles (NaN-free). */
void slds_sort_small(double *v, size_t n);

#endif
