/* csvout.h - streaming RFC 4180 writer for the generator's files: a large
 * buffer per file, hand-written integer/decimal/date formatting (no printf in
 * the inner loops), a row counter, and the hook that adds dirty rows.
 *
 * A row is written field by field (synth_csv_* calls put the separators) and
 * closed with synth_csv_end_row(). The buffer always has room for one more
 * row: rows are far smaller than SYNTH_CSV_ROOM. */
#ifndef SLDS_SYNTH_CSVOUT_H
#define SLDS_SYNTH_CSVOUT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "synth/rng.h"

#define SYNTH_CSV_BUFFER (1u << 20)
#define SYNTH_CSV_ROOM (1u << 14)

/* How a column may be made bad when a dirty row is derived from a good one. */
typedef enum synth_col_kind {
    SYNTH_COL_KEEP,          /* never corrupted (optional free text) */
    SYNTH_COL_STUDENT,       /* reference to a student: unknown id or blank */
    SYNTH_COL_SCHOOL,        /* reference to a school */
    SYNTH_COL_LEA,           /* reference to a district */
    SYNTH_COL_STAFF,         /* reference to an educator */
    SYNTH_COL_STANDARD,      /* reference to a standard */
    SYNTH_COL_REQUIRED,      /* required identifier or text: blank */
    SYNTH_COL_DATE,          /* impossible calendar date */
    SYNTH_COL_DATETIME,      /* impossible date-time */
    SYNTH_COL_YEAR,          /* school year with a typo */
    SYNTH_COL_GRADE,         /* grade level that does not exist */
    SYNTH_COL_CODE,          /* code not in the contract's list */
    SYNTH_COL_SUBJECT,       /* upper-case code written in lower case */
    SYNTH_COL_YN,            /* neither Y nor N */
    SYNTH_COL_LEVEL,         /* performance level outside 1-4 */
    SYNTH_COL_SCORE,         /* score that is not a number */
    SYNTH_COL_SHARE,         /* share outside 0-1 */
    SYNTH_COL_COUNT,         /* negative count */
    SYNTH_COL_BIT,           /* neither 0 nor 1 */
    SYNTH_COL_EXPERIENCE     /* years outside 0-60 */
} synth_col_kind;

typedef struct synth_column {
    const char *name;
    synth_col_kind kind;
} synth_column;

typedef struct synth_schema {
    const char *file; /* e.g. "enrollments.csv" or "truth/school_effects.csv" */
    const synth_column *cols;
    int ncols;
} synth_schema;

struct synth_dirty;

typedef struct synth_csv {
    FILE *fp;
    char *buf;
    size_t len;
    size_t row_start; /* where the row being written began */
    int col;          /* fields written in the current row */
    int io_errno;     /* first write error (0 if none) */
    uint64_t rows;    /* data rows written (dirty included) */
    uint64_t dirty_rows;
    const synth_schema *schema;
    struct synth_dirty *dirty; /* NULL: this file gets no dirty rows */
    synth_rng dirty_rng;
} synth_csv;

/* Opens path for writing and writes the header. Returns 0 or an errno. */
int synth_csv_open(synth_csv *f, const char *path, const synth_schema *schema);
/* Flushes and closes; returns 0 or the first errno met while writing. */
int synth_csv_close(synth_csv *f);
/* Writes the buffer out (called by synth_csv_end_row when it is nearly full). */
void synth_csv_flush(synth_csv *f);

static inline void synth_csv_sep(synth_csv *f)
{
    if (f->col++)
        f->buf[f->len++] = ',';
}

/* A field known to need no quoting (codes, ids, numbers). */
static inline void synth_csv_strn(synth_csv *f, const char *s, size_t n)
{
    synth_csv_sep(f);
    memcpy(f->buf + f->len, s, n);
    f->len += n;
}

static inline void synth_csv_str(synth_csv *f, const char *s)
{
    synth_csv_strn(f, s, strlen(s));
}

static inline void synth_csv_blank(synth_csv *f)
{
    synth_csv_sep(f);
}

/* Appends the decimal digits of v to the buffer (no separator). */
static inline void synth_csv_digits(synth_csv *f, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        f->buf[f->len++] = tmp[--n];
}

static inline void synth_csv_uint(synth_csv *f, uint64_t v)
{
    synth_csv_sep(f);
    synth_csv_digits(f, v);
}

static inline void synth_csv_int(synth_csv *f, int64_t v)
{
    synth_csv_sep(f);
    if (v < 0) {
        f->buf[f->len++] = '-';
        synth_csv_digits(f, (uint64_t)(-v));
    } else
        synth_csv_digits(f, (uint64_t)v);
}

/* Free text, quoted when it holds a comma, quote or line break. */
void synth_csv_text(synth_csv *f, const char *s);
/* A decimal with a fixed number of places (0-6), rounded half away from zero. */
void synth_csv_fixed(synth_csv *f, double v, int places);
/* An ISO date YYYY-MM-DD. */
void synth_csv_date(synth_csv *f, int32_t day);
/* An ISO date-time YYYY-MM-DDTHH:MM:SS from a day and seconds after midnight. */
void synth_csv_datetime(synth_csv *f, int32_t day, int seconds);
/* An id written as a prefix letter and a zero-padded number ("S00042"). */
void synth_csv_code_id(synth_csv *f, char prefix, uint64_t number, int width);
/* Ends the row; may add a dirty copy of it; flushes when the buffer is full. */
void synth_csv_end_row(synth_csv *f);

#endif
