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
#include <string.h>

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
    uint8_t warns;     /* findings of the spell (load_enrollments.c) */
} spell;

enum { SPELL_ACTIVE, SPELL_SUPERSEDED, SPELL_REJECTED };

/* A students.csv row without a statewide id, resolved after the file. */
typedef struct pending_student {
    long line;
    char *fields[7];
} pending_student;

/* The natural keys of the file being loaded, as 64-bit digests: a set sized
 * from the file's bytes up front (8 bytes a slot, no rehash in the common
 * case), each key marked loaded or only seen on a rejected row. */
typedef struct key_set {
    uint64_t *slots; /* 0 empty; else digest with bit 1 set, bit 0 = loaded */
    size_t mask, count;
    size_t cap; /* slots allocated (mask + 1 may use fewer: the set is reused by the next file) */
} key_set;
enum { KEY_ABSENT = 0, KEY_REJECTED = 2, KEY_LOADED = 1 };

/* --replace: the stored rows of the scope of the file being loaded, read
 * before its rows are written (load_replace.c). Each has its natural key's
 * digest (as natural_key_hash computes it), a digest of all its values
 * (row_digest_*), and its key's text for the delete. A row of the file whose
 * key and values are stored as they are is not written at all (the upsert
 * would find it and change nothing); after the file, the rows whose key the
 * file did not give are deleted. */
typedef struct scope_row {
    uint64_t key, values;
    size_t off; /* key text in stored_scope.keys: 0x1f-terminated fields */
    uint32_t len;
} scope_row;

typedef struct stored_scope {
    bool active; /* rows below are the scope of the file being loaded */
    scope_row *rows;
    size_t n, cap;
    uint32_t *slots; /* open addressing by key digest: row index + 1, 0 empty */
    size_t mask;
    slds_buf keys;
} stored_scope;

/* A place (student, school, school year) named by a row of rosters, courses
 * or attendance that no enrollment spell covers (load_replace.c). */
typedef struct place {
    uint32_t student, school;
    int32_t year;
} place;

typedef struct plain_group plain_group; /* load_pipeline.c */

typedef struct load_ctx {
    slds_store *store;
    slds_error *err;
    const slds_progress *progress;
    uint64_t bytes_done, bytes_total;
    slds_load_result *res;
    slds_file_result *cur; /* result of the file being loaded */
    const char *cur_file;
    sqlite3_stmt *reject_stmt, *finding_stmt;
    slds_load_options opt;
    slds_severity sev[SLDS_RULE_COUNT]; /* this load's severities */
    key_set file_keys;                  /* natural keys of this file (load_verdict.c) */
    bool fresh_table;                   /* the file's table was empty when the file started */
    stored_scope scope;                 /* --replace: the file's stored scope */
    bool replace_pairs_ready;           /* --replace: temp.slds_replace_pairs is filled (load_replace.c) */
    /* The plain files after enrollments.csv, whose reading thread waits
     * until the spells' sets are built (finish_enrollments opens it). */
    plain_group *next_group;

    slds_intern leas, schools, staff, programs, standards, students;
    slds_intern crosswalk;           /* "lea\x1flocal" -> entry; value arrays below */
    uint32_t *crosswalk_student;     /* crosswalk entry -> student idx */
    uint8_t *crosswalk_source;       /* crosswalk entry -> id source */
    size_t crosswalk_cap;
    slds_intern match_keys;          /* normalized identity -> entry */
    uint32_t *match_student;         /* entry -> student idx or AMBIGUOUS */
    size_t match_cap;
    uint32_t *school_lea;            /* school idx -> lea idx (SLDS_NO_ID unknown) */
    size_t school_lea_cap;
    uint32_t *student_lea;           /* student idx -> lea idx of an identity record */
    size_t student_lea_cap;
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

int nomem(load_ctx *c);

int db_error(load_ctx *c, const char *what);

/* students.csv's writes: identity records are kept and written
 * STUDENTS_PER_STATEMENT to one statement of each table (identity_many,
 * student_many: NULL to write each at once). */
#define STUDENTS_PER_STATEMENT 64
typedef struct student_stmts {
    sqlite3_stmt *identity, *student;
    sqlite3_stmt *identity_many, *student_many;
    int n;               /* records kept */
    slds_buf text;       /* their values */
    int64_t off[STUDENTS_PER_STATEMENT][11]; /* 9 identity columns, then students' 2; -1 NULL */
    int len[STUDENTS_PER_STATEMENT][11];
} student_stmts;
/* Writes the identity records kept in ss. */
int flush_students(load_ctx *c, student_stmts *ss);

/* ---- verdicts: what a row broke ---- */
#define MAX_WARNINGS 8
typedef struct flagged {
    slds_rule rule;
    int col;            /* contract column, -1 for the row */
    const char *value;  /* borrowed (the row's raw text) */
    size_t vlen;
    char why[400];
} flagged;

typedef struct verdict {
    bool rejected;
    bool no_spell; /* rosters, courses, attendance: no spell covers the row's place */
    place place;
    flagged reject;
    int nwarn;
    flagged warn[MAX_WARNINGS];
} verdict;

static inline void verdict_clear(verdict *v)
{
    v->rejected = false;
    v->no_spell = false;
    v->nwarn = 0;
}
/* Notes that the row breaks rule (at contract column col, -1 for none): a
 * finding when the rule's severity is warn, else the row's reject. Returns
 * true when the row is now rejected, so the caller stops checking it. */
bool flag(const load_ctx *c, verdict *v, slds_rule rule, int col, const char *value, size_t vlen,
          const char *why);
/* The district a finding of this row belongs to (NULL when unknown). */
const char *row_district(const load_ctx *c, const slds_file_def *def, const row *r);
void printable_value(const char *v, size_t len, char *out, size_t size);
int reject_row(load_ctx *c, long line, const char *column, const char *value, size_t len,
               slds_rule rule, const char *reason);
int finding_row(load_ctx *c, long line, const char *column, const char *value, size_t len,
                slds_rule rule, const char *message, const char *lea);
/* Writes a verdict of a row of def (rejected, or loaded with its findings). */
int record_verdict(load_ctx *c, const slds_file_def *def, long line, const verdict *v,
                   const char *lea);
/* The district of school idx (NULL when unknown). */
const char *school_district(const load_ctx *c, uint32_t school);
/* The natural key digest of an enrollment, as natural_key_hash computes it. */
uint64_t spell_key_hash(const char *student, const char *school, const char *entry);
int set_school_lea(load_ctx *c, uint32_t school, uint32_t lea);
int set_student_lea(load_ctx *c, uint32_t student, uint32_t lea);
/* 64-bit digest of bytes (a natural key's canonical text). */
uint64_t key_digest(const char *data, size_t len);
/* 64-bit digest of a row's natural key, from its canonical text. */
uint64_t natural_key_hash(const slds_file_def *def, const int *key_columns, const row *r);
/* The natural key's column indexes, -1 terminated (at most 16). */
void natural_key_columns(const slds_file_def *def, int *out);
int crosswalk_set(load_ctx *c, const char *lea, const char *local, uint32_t student,
                         uint8_t source);
uint32_t crosswalk_find(load_ctx *c, const char *lea, const char *local, uint8_t *source);
int match_add(load_ctx *c, const char *key, size_t len, uint32_t student);
int push_spell(load_ctx *c, const spell *sp);
int8_t exit_code_index(const char *code);
int read_existing(load_ctx *c);
bool known(const slds_intern *t, const slds_value *v, uint32_t *idx);
void cross_check(load_ctx *c, const slds_file_def *def, const row *r, verdict *v);
int remember_row(load_ctx *c, const slds_file_def *def, const row *r, slds_error *err);
int prepare_insert(load_ctx *c, const char *table, const char *const *cols, int n, const char *key,
                   sqlite3_stmt **st);
int prepare_insert_rows(load_ctx *c, const char *table, const char *const *cols, int n, const char *key,
                        int nrows, sqlite3_stmt **st);
/* Reads the header into h (the names not in the contract go to
 * fr->extra_columns). Called by the reading thread too: uses no load_ctx. */
int read_header(slds_csv *csv, const char *path, const slds_file_def *def, header_map *h,
                slds_file_result *fr, slds_error *err);
/* Structure and per-column checks: false (and v->reject filled) when rejected. */
bool parse_row(const slds_file_def *def, const header_map *h, const slds_csv_record *rec, row *r,
               verdict *v);
int handle_student_row(load_ctx *c, student_stmts *ss, const row *r, long line,
                              pending_student **pending, size_t *npending, size_t *cappending);
int resolve_pending_student(load_ctx *c, student_stmts *ss, const pending_student *p);
int handle_enrollment_row(load_ctx *c, const row *r, long line, verdict *v);
/* insert_many (may be NULL): SPELLS_PER_STATEMENT rows to one statement */
#define SPELLS_PER_STATEMENT 64
int finish_enrollments(load_ctx *c, sqlite3_stmt *insert, sqlite3_stmt *insert_many);
/* Loads the consecutive plain files defs[0..n) (load_pipeline.c): their
 * rows are read by one thread, file after file, and written by the caller;
 * fills results[j] (seconds too) and digests[j]. With --replace, n is 1. */
int load_plain_files(load_ctx *c, const slds_file_def *const *defs, const char *const *paths,
                     slds_file_result *results, uint64_t *digests, int n);
/* The same in steps (load_pipeline.c): start (gated: the reading thread waits
 * for plain_group_open before reading a row), open, finish (abort: the load
 * failed before the group's turn; the thread is stopped, nothing written). */
plain_group *plain_group_start(load_ctx *c, const slds_file_def *const *defs, const char *const *paths,
                               slds_file_result *results, int n, bool gated, uint64_t bytes_base);
void plain_group_open(plain_group *g);
int plain_group_finish(load_ctx *c, plain_group *g, uint64_t *digests, bool abort);
/* key_set: expected_rows sizes the table (it grows if needed). */
int key_set_init(key_set *k, size_t expected_rows);
void key_set_free(key_set *k);
/* Empties k for a file of about expected_rows rows, keeping its memory when
 * it is large enough (one allocation serves every file of a load). */
int key_set_reset(key_set *k, size_t expected_rows);
/* Starts fetching h's slot (the table is larger than the caches: a lookup
 * is a memory access; asked for early, it overlaps the row's other checks). */
static inline void key_set_prefetch(const key_set *k, uint64_t h)
{
    if (k->slots)
        __builtin_prefetch(&k->slots[(size_t)(h >> 20) & k->mask]);
}
/* KEY_ABSENT, KEY_LOADED or KEY_REJECTED. */
int key_set_get(const key_set *k, uint64_t h);
/* Adds h as loaded (loaded true) or rejected; loaded wins. false: out of memory. */
bool key_set_put(key_set *k, uint64_t h, bool loaded);

/* load_history.c */
/* 1 when table holds a row, 0 when empty, -1 on a database error. */
int table_has_rows(load_ctx *c, const char *table);
/* The secondary indexes of table, dropped: their CREATE statements are
 * appended to saved, for indexes_restore once the table is filled (for a
 * table empty at the start of its file: one CREATE INDEX, a sort, costs far
 * less than an insert at a random place of the index for every row). Both
 * run inside the load's transaction: a failed load keeps its indexes. */
int indexes_defer(load_ctx *c, const char *table, slds_buf *saved);
int indexes_restore(load_ctx *c, slds_buf *saved);
int history_begin(load_ctx *c);
void history_end(load_ctx *c);

/* load_replace.c */
int replace_check_scope(load_ctx *c);
/* Reads the stored rows of def's scope into c->scope (before the file). */
int replace_scope_read(load_ctx *c, const slds_file_def *def);
/* Deletes the rows of c->scope whose key the file did not give, then
 * empties c->scope (after the file). */
int replace_scope_delete(load_ctx *c, const slds_file_def *def);
void stored_scope_free(stored_scope *s);
/* Starts fetching the slot of key (a lookup is a cache miss otherwise). */
static inline void stored_scope_prefetch(const stored_scope *s, uint64_t key)
{
    if (s->slots)
        __builtin_prefetch(&s->slots[(size_t)(key >> 17) & s->mask]);
}
/* true when the scope holds a row with this key digest and these values. */
bool stored_scope_same(const stored_scope *s, uint64_t key, uint64_t values);
/* Records places no spell covers (see place), for a later --replace. */
int places_record(load_ctx *c, const place *p, size_t n);
/* The temp triggers that record the place of a spell deleted or moved to
 * another year (made with the history triggers, on a filled enrollments). */
int places_triggers(load_ctx *c, bool create);

/* A digest of a row's values, column after column (type and value: stricter
 * than SQL's equality, so equal digests mean the upsert would change nothing). */
static inline uint64_t digest_mix(uint64_t h, uint64_t v)
{
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)(h ^ v ^ 0xe7037ed1a0b428dbull) * 0x8ebc6af09c88c6e3ull;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}
#define ROW_DIGEST_START 0xa0761d6478bd642full
static inline uint64_t row_digest_null(uint64_t h)
{
    return digest_mix(h, 0x10);
}
static inline uint64_t row_digest_int(uint64_t h, int64_t i)
{
    return digest_mix(digest_mix(h, 0x20), (uint64_t)i);
}
static inline uint64_t row_digest_real(uint64_t h, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return digest_mix(digest_mix(h, 0x30), bits);
}
static inline uint64_t row_digest_text(uint64_t h, const char *s, size_t len)
{
    return digest_mix(digest_mix(h, 0x40 | (uint64_t)len << 8), key_digest(s, len));
}

#endif
