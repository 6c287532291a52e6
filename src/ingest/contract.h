/* contract.h - the data contract of collection files as data: every file, its
 * columns, their types, codes and ranges, which may be blank, and each file's
 * natural key. The loader, the docs and the generator's tests all read this
 * one table (docs/contract.md is the same content for people).
 *
 * Parsing a field (slds_field_parse) turns the text of one cell into the
 * canonical value stored in the database, or a reason it is not valid. */
#ifndef SLDS_INGEST_CONTRACT_H
#define SLDS_INGEST_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef enum {
    SLDS_COL_ID,       /* identifier: 1-64 printable characters, no spaces at the ends */
    SLDS_COL_TEXT,     /* free text, up to 1000 bytes */
    SLDS_COL_CODE,     /* one of the listed codes */
    SLDS_COL_SUBJECT,  /* any upper-case code: [A-Z][A-Z0-9_]*, up to 32 characters */
    SLDS_COL_INT,      /* whole number in [min, max] */
    SLDS_COL_NUM,      /* decimal number in [min, max] */
    SLDS_COL_DATE,     /* YYYY-MM-DD, a real calendar date in [min, max] years */
    SLDS_COL_DATETIME, /* YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM] */
    SLDS_COL_YN,       /* Y or N */
    SLDS_COL_YEAR,     /* school year (the calendar year in which it ends), 1990-2100 */
    SLDS_COL_GRADE     /* PK, KG, 01-12 (1-12 accepted and written as 01-12) */
} slds_col_type;

typedef struct slds_column_def {
    const char *name;
    slds_col_type type;
    bool required;           /* false: may be blank */
    const char *const *codes;/* SLDS_COL_CODE: NULL-terminated list */
    double min, max;         /* INT/NUM ranges; DATE: year range */
    const char *doc;         /* one line for docs/contract.md */
} slds_column_def;

typedef enum {
    SLDS_FILE_PREP_PROGRAMS, SLDS_FILE_LEAS, SLDS_FILE_SCHOOLS, SLDS_FILE_STAFF,
    SLDS_FILE_STAFF_ASSIGNMENTS, SLDS_FILE_OBSERVATIONS, SLDS_FILE_STUDENTS, SLDS_FILE_ENROLLMENTS,
    SLDS_FILE_STUDENT_ATTRIBUTES, SLDS_FILE_ROSTERS, SLDS_FILE_ASSESSMENTS, SLDS_FILE_COURSES,
    SLDS_FILE_ATTENDANCE, SLDS_FILE_DISCIPLINE, SLDS_FILE_POSTSECONDARY, SLDS_FILE_STANDARDS,
    SLDS_FILE_ITEM_RESPONSES
} slds_file_kind;

typedef struct slds_file_def {
    slds_file_kind kind;
    const char *file;        /* e.g. "enrollments.csv" */
    const char *table;       /* database table */
    const slds_column_def *columns;
    int ncolumns;
    const char *natural_key; /* comma-separated column names */
    const char *row_doc;     /* "one row per ..." */
} slds_file_def;

/* The files in load order (a file is loaded after every file it refers to). */
const slds_file_def *slds_contract_files(int *count);
const slds_file_def *slds_contract_find(const char *file);
/* Index of a column in def, or -1. */
int slds_contract_column(const slds_file_def *def, const char *name);

/* A parsed field. text is canonical (codes, dates); borrowed from the input or
 * from a static code table, or NULL when blank. */
typedef struct slds_value {
    bool blank;
    const char *text;
    size_t len;
    int64_t i;    /* INT, YEAR, DATE (days since 1970-01-01), GRADE (PK=-1, KG=0, 1..12) */
    double d;     /* NUM */
} slds_value;

/* Parses one cell. Returns NULL when valid (out filled), else a reason that
 * names what was expected (a static string or written into why[whysize]). */
const char *slds_field_parse(const slds_column_def *col, const char *s, size_t len,
                             slds_value *out, char *why, size_t whysize);

/* Dates as day numbers (slds_date_parse, slds_date_format,
 * slds_days_from_civil) are in core/core.h. */
/* Grade code as stored: -1 -> "PK", 0 -> "KG", 1..12 -> "01".."12". */
const char *slds_grade_code(int grade);

#endif
