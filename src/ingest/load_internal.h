/* load_internal.h - what the parts of the loader share (not a public header:
 * src/ingest/load_*.c only). The loader is split by stage: load.c (a whole
 * collection, one file), load_verdict.c (rejects and findings),
 * load_existing.c (what the database already holds), load_rows.c (header,
 * columns, cross-file checks), load_students.c (identity, statewide ids),
 * load_enrollments.c (spells), load_pipeline.c (the two-thread writer for
 * plain files). */
#ifndef SLDS_INGEST_LOAD_INTERNAL_H
#define SLDS_INGEST_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/hash.h"
#include "ident/ident.h"
#include "ingest/contract.h"
#include "ingest/csv.h"
#include "ingest/load.h"

#define PENDING "pending"
#define AMBIGUOUS (SLDS_NO_ID - 1)
#define OPEN_END INT32_MAX
/* A text cell is at most 1000 bytes (the contract), so a match key of two names,
 * a date and a sex fits in 2100. */
#define SLDS_FIELD_MAX 1001
#define SLDS_MATCH_KEY_MAX 2100

/* One enrollment spell, existing or from this load. */
typedef struct spell {
    uint32_t student, school, line; /* line 0: already in the database */
    int32_t entry, exit;            /* day numbers; exit OPEN_END when still enrolled */
    uint16_t year;
    int8_t grade;
    uint8_t exit_code; /* index + 1 into the exit code list, 0 = blank */
    uint8_t state;     /* SPELL_* */
} spell;

enum { SPELL_ACTIVE, SPELL_SUPERSEDED, SPELL_REJECTED };

/* A students.csv row without a statewide id, resolved after the file. */
typedef struct pending_student {
    long line;
    char *fields[7];
} pending_student;

typedef struct load_ctx {
    slds_store *store;
    slds_error *err;
    const slds_progress *progress;
    uint64_t bytes_done, bytes_total;
    slds_load_result *res;
    slds_file_result *cur; /* result of the file being loaded */
    const char *cur_file;
    sqlite3_stmt *reject_stmt;

    slds_intern leas, schools, staff, programs, standards, students;
    slds_intern crosswalk;           /* "lea\x1flocal" -> entry; value arrays below */
    uint32_t *crosswalk_student;     /* crosswalk entry -> student idx */
    uint8_t *crosswalk_source;       /* crosswalk entry -> id source */
    size_t crosswalk_cap;
    slds_intern match_keys;          /* normalized identity -> entry */
    uint32_t *match_student;         /* entry -> student idx or AMBIGUOUS */
    size_t match_cap;
    slds_map64 teacher_assignments;  /* (staff, school, year) */
    slds_map64 enrolled_year;        /* (student, year) */
    slds_map64 enrolled_school_year; /* (student, school, year) */
    spell *spells;
    size_t nspells, capspells;
    slds_id_generator ids;
    bool ids_ready, ids_changed;
} load_ctx;

extern const char *const slds_load_id_sources[4];
enum { SRC_DISTRICT, SRC_MATCHED_LOCAL, SRC_MATCHED_IDENTITY, SRC_ASSIGNED };

static inline uint64_t key3(uint32_t a, uint32_t b, int64_t year)
{
    return (uint64_t)a << 32 | (uint64_t)(b & 0xFFFFF) << 12 | (uint64_t)(year & 0xFFF);
}

static inline uint64_t key2(uint32_t a, int64_t year)
{
    return (uint64_t)a << 32 | (uint64_t)(year & 0xFFFF);
}

int nomem(load_ctx *c);

int db_error(load_ctx *c, const char *what);

/* The parsed row, by contract column index. */
typedef struct row {
    slds_value v[16];
    const char *raw[16];
    size_t rawlen[16];
} row;

/* The header: maps contract columns to positions in the file. */
typedef struct header_map {
    int pos[16];  /* contract column -> field index, -1 when absent */
    int nfields;
} header_map;

typedef struct student_stmts {
    sqlite3_stmt *identity, *student;
} student_stmts;

void printable_value(const char *v, size_t len, char *out, size_t size);
int reject_row(load_ctx *c, long line, const char *column, const char *value, size_t len,
                      const char *reason);
int crosswalk_set(load_ctx *c, const char *lea, const char *local, uint32_t student,
                         uint8_t source);
uint32_t crosswalk_find(load_ctx *c, const char *lea, const char *local, uint8_t *source);
int match_add(load_ctx *c, const char *key, size_t len, uint32_t student);
int push_spell(load_ctx *c, const spell *sp);
int8_t exit_code_index(const char *code);
int read_existing(load_ctx *c);
bool known(const slds_intern *t, const slds_value *v, uint32_t *idx);
const char *cross_check(load_ctx *c, const slds_file_def *def, const row *r, int *col,
                               char *why, size_t whysize);
int remember_row(load_ctx *c, const slds_file_def *def, const row *r);
int prepare_insert(load_ctx *c, const char *table, const char *const *cols, int n,
                          sqlite3_stmt **st);
int read_header(load_ctx *c, slds_csv *csv, const char *path, const slds_file_def *def,
                       header_map *h);
const char *parse_row(const slds_file_def *def, const header_map *h,
                             const slds_csv_record *rec, row *r, int *col, const char **value,
                             size_t *vlen, char *why, size_t whysize);
int handle_student_row(load_ctx *c, student_stmts *ss, const row *r, long line,
                              pending_student **pending, size_t *npending, size_t *cappending);
int resolve_pending_student(load_ctx *c, student_stmts *ss, const pending_student *p);
int handle_enrollment_row(load_ctx *c, const row *r, long line);
int finish_enrollments(load_ctx *c, sqlite3_stmt *insert);
int load_plain_file(load_ctx *c, const slds_file_def *def, slds_csv *csv, const header_map *h,
                           sqlite3_stmt *insert);

#endif
