/* load.c - validated loading of a collection folder (see load.h for the
 * invariants).
 *
 * Notes on the design:
 *  - Files are read in contract order, each streamed once: a row is parsed,
 *    checked against its columns and against what is already known (this
 *    load's earlier files and the database), then written with a prepared
 *    INSERT OR REPLACE keyed by the natural key, or recorded as rejected.
 *  - What the cross-file checks need is held in memory, and nothing else:
 *    the sets of known ids (interned strings), the (teacher, school, year)
 *    assignments, and every enrollment spell (24 bytes each) with the
 *    (student, year) and (student, school, year) sets built from them.
 *  - Two files need the whole file before a row can be judged: students.csv
 *    (a record without a statewide id may match a record further down) and
 *    enrollments.csv (overlaps and grade progression are properties of a
 *    student's spells taken together). Their rows are kept compactly in
 *    memory and written after the file has been read.
 *  - Rejects are written with load_id 'pending' and renamed at the end,
 *    when the digest of the whole collection (the load's id) is known. */
#include "ingest/load.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/hash.h"
#include "ident/ident.h"
#include "ingest/contract.h"
#include "ingest/csv.h"

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

static const char *const id_sources[] = {"DISTRICT", "MATCHED_LOCAL", "MATCHED_IDENTITY", "ASSIGNED"};
enum { SRC_DISTRICT, SRC_MATCHED_LOCAL, SRC_MATCHED_IDENTITY, SRC_ASSIGNED };

static uint64_t key3(uint32_t a, uint32_t b, int64_t year)
{
    return (uint64_t)a << 32 | (uint64_t)(b & 0xFFFFF) << 12 | (uint64_t)(year & 0xFFF);
}

static uint64_t key2(uint32_t a, int64_t year)
{
    return (uint64_t)a << 32 | (uint64_t)(year & 0xFFFF);
}

static int nomem(load_ctx *c)
{
    return slds_fail(c->err, SLDS_ERR_NOMEM, "out of memory while loading %s",
                     c->cur_file ? c->cur_file : "the collection");
}

static int db_error(load_ctx *c, const char *what)
{
    return slds_fail(c->err, SLDS_ERR_DB, "%s: %s: %s", c->store->path, what,
                     sqlite3_errmsg(c->store->db));
}

/* ---- rejects ---------------------------------------------------------- */

/* Copies value for a message: at most 200 bytes, bytes outside printable
 * ASCII/valid UTF-8 written as \xNN so a reject never carries broken text. */
static void printable_value(const char *v, size_t len, char *out, size_t size)
{
    size_t w = 0;
    bool utf8 = slds_utf8_valid(v, len);
    for (size_t i = 0; i < len && w + 5 < size && i < 200; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && !utf8))
            w += (size_t)snprintf(out + w, size - w, "\\x%02X", ch);
        else
            out[w++] = (char)ch;
    }
    out[w] = '\0';
}

static int reject_row(load_ctx *c, long line, const char *column, const char *value, size_t len,
                      const char *reason)
{
    char shown[1024];
    printable_value(value ? value : "", value ? len : 0, shown, sizeof shown);
    sqlite3_stmt *st = c->reject_stmt;
    sqlite3_bind_text(st, 1, c->cur_file, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, line);
    if (column)
        sqlite3_bind_text(st, 3, column, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, shown, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return db_error(c, "recording a rejected row");
    c->cur->rejected++;
    return SLDS_OK;
}

/* ---- what is already in the database ---------------------------------- */

static int read_ids(load_ctx *c, const char *sql, slds_intern *into)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st, sql, c->err))
        return c->err->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v && slds_intern_add(into, v, strlen(v)) == SLDS_NO_ID) {
            sqlite3_finalize(st);
            return nomem(c);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "reading existing ids");
}

/* "lea\x1flocal": ids are at most 64 bytes each (the contract), so 130 fit. */
static int crosswalk_key(const char *lea, const char *local, char key[160])
{
    size_t a = strnlen(lea, 64), b = strnlen(local, 64);
    memcpy(key, lea, a);
    key[a] = '\x1f';
    memcpy(key + a + 1, local, b);
    key[a + 1 + b] = '\0';
    return (int)(a + 1 + b);
}

static int crosswalk_set(load_ctx *c, const char *lea, const char *local, uint32_t student,
                         uint8_t source)
{
    char key[160];
    int n = crosswalk_key(lea, local, key);
    uint32_t e = slds_intern_add(&c->crosswalk, key, (size_t)n);
    size_t old_cap = c->crosswalk_cap;
    if (e == SLDS_NO_ID || slds_grow_u32(&c->crosswalk_student, &c->crosswalk_cap, e))
        return nomem(c);
    if (c->crosswalk_cap != old_cap) {
        uint8_t *p = realloc(c->crosswalk_source, c->crosswalk_cap);
        if (!p)
            return nomem(c);
        c->crosswalk_source = p;
    }
    c->crosswalk_student[e] = student;
    c->crosswalk_source[e] = source;
    return SLDS_OK;
}

static uint32_t crosswalk_find(load_ctx *c, const char *lea, const char *local, uint8_t *source)
{
    char key[160];
    int n = crosswalk_key(lea, local, key);
    uint32_t e = slds_intern_find(&c->crosswalk, key, (size_t)n);
    if (e == SLDS_NO_ID)
        return SLDS_NO_ID;
    *source = c->crosswalk_source[e];
    return c->crosswalk_student[e];
}

static int match_add(load_ctx *c, const char *key, size_t len, uint32_t student)
{
    uint32_t before = c->match_keys.count;
    uint32_t e = slds_intern_add(&c->match_keys, key, len);
    if (e == SLDS_NO_ID || slds_grow_u32(&c->match_student, &c->match_cap, e))
        return nomem(c);
    if (e >= before)
        c->match_student[e] = student;
    else if (c->match_student[e] != student)
        c->match_student[e] = AMBIGUOUS;
    return SLDS_OK;
}

static int read_identities(load_ctx *c)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st,
                           "SELECT lea_id, local_student_id, student_id, match_key, id_source"
                           " FROM student_identity",
                           c->err))
        return c->err->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *lea = (const char *)sqlite3_column_text(st, 0);
        const char *local = (const char *)sqlite3_column_text(st, 1);
        const char *sid = (const char *)sqlite3_column_text(st, 2);
        const char *mk = (const char *)sqlite3_column_text(st, 3);
        const char *src = (const char *)sqlite3_column_text(st, 4);
        uint32_t student = slds_intern_add(&c->students, sid, strlen(sid));
        uint8_t source = SRC_DISTRICT;
        for (uint8_t i = 0; i < 4; i++)
            if (!strcmp(src, id_sources[i]))
                source = i;
        if (student == SLDS_NO_ID || crosswalk_set(c, lea, local, student, source) ||
            (mk && match_add(c, mk, strlen(mk), student))) {
            sqlite3_finalize(st);
            return nomem(c);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "reading student identities");
}

static int push_spell(load_ctx *c, const spell *sp)
{
    if (c->nspells == c->capspells) {
        size_t cap = c->capspells ? c->capspells * 2 : 4096;
        spell *p = realloc(c->spells, cap * sizeof *p);
        if (!p)
            return nomem(c);
        c->spells = p;
        c->capspells = cap;
    }
    c->spells[c->nspells++] = *sp;
    return SLDS_OK;
}

static int8_t exit_code_index(const char *code)
{
    const slds_column_def *col = &slds_contract_find("enrollments.csv")->columns[6];
    for (int8_t i = 0; code && col->codes[i]; i++)
        if (!strcmp(col->codes[i], code))
            return (int8_t)(i + 1);
    return 0;
}

static int read_existing_spells(load_ctx *c)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st,
                           "SELECT student_id, school_id, school_year, grade_level, entry_date,"
                           " exit_date, exit_code FROM enrollments",
                           c->err))
        return c->err->code;
    const slds_column_def *grade_col = &slds_contract_find("enrollments.csv")->columns[3];
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *sid = (const char *)sqlite3_column_text(st, 0);
        const char *school = (const char *)sqlite3_column_text(st, 1);
        const char *grade = (const char *)sqlite3_column_text(st, 3);
        const char *entry = (const char *)sqlite3_column_text(st, 4);
        const char *exit = (const char *)sqlite3_column_text(st, 5);
        spell sp = {0};
        sp.student = slds_intern_add(&c->students, sid, strlen(sid));
        sp.school = slds_intern_add(&c->schools, school, strlen(school));
        sp.year = (uint16_t)sqlite3_column_int(st, 2);
        slds_value v;
        char why[8];
        slds_field_parse(grade_col, grade, strlen(grade), &v, why, sizeof why);
        sp.grade = (int8_t)v.i;
        int64_t d;
        sp.entry = slds_date_parse(entry, strlen(entry), &d) ? (int32_t)d : 0;
        sp.exit = exit && slds_date_parse(exit, strlen(exit), &d) ? (int32_t)d : OPEN_END;
        sp.exit_code = (uint8_t)exit_code_index((const char *)sqlite3_column_text(st, 6));
        if (sp.student == SLDS_NO_ID || sp.school == SLDS_NO_ID || push_spell(c, &sp)) {
            sqlite3_finalize(st);
            return nomem(c);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "reading enrollments");
}

static int read_teacher_assignments(load_ctx *c)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st,
                           "SELECT staff_id, school_id, school_year FROM staff_assignments"
                           " WHERE role = 'TEACHER'",
                           c->err))
        return c->err->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *staff = (const char *)sqlite3_column_text(st, 0);
        const char *school = (const char *)sqlite3_column_text(st, 1);
        uint32_t a = slds_intern_add(&c->staff, staff, strlen(staff));
        uint32_t b = slds_intern_add(&c->schools, school, strlen(school));
        if (a == SLDS_NO_ID || b == SLDS_NO_ID ||
            !slds_map64_put(&c->teacher_assignments, key3(a, b, sqlite3_column_int(st, 2)), 1)) {
            sqlite3_finalize(st);
            return nomem(c);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "reading staff assignments");
}

static int read_existing(load_ctx *c)
{
    if (read_ids(c, "SELECT lea_id FROM leas", &c->leas) ||
        read_ids(c, "SELECT school_id FROM schools", &c->schools) ||
        read_ids(c, "SELECT staff_id FROM staff", &c->staff) ||
        read_ids(c, "SELECT prep_program_id FROM prep_programs", &c->programs) ||
        read_ids(c, "SELECT standard_id FROM standards", &c->standards) ||
        read_ids(c, "SELECT student_id FROM students", &c->students) || read_identities(c) ||
        read_teacher_assignments(c) || read_existing_spells(c))
        return c->err->code;
    return SLDS_OK;
}

/* ---- generic row handling --------------------------------------------- */

/* The parsed row, by contract column index. */
typedef struct row {
    slds_value v[16];
    const char *raw[16];
    size_t rawlen[16];
} row;

static bool known(const slds_intern *t, const slds_value *v, uint32_t *idx)
{
    uint32_t id = slds_intern_find(t, v->text, v->len);
    if (idx)
        *idx = id;
    return id != SLDS_NO_ID;
}

/* Checks that rows of each file make sense with the rest of the state.
 * Returns NULL when the row is fine, else the reason; *col is the column. */
static const char *cross_check(load_ctx *c, const slds_file_def *def, const row *r, int *col,
                               char *why, size_t whysize)
{
    uint32_t a, b;
#define REF(colno, set, what)                                                                     \
    do {                                                                                          \
        if (!r->v[colno].blank && !known(&c->set, &r->v[colno], NULL)) {                          \
            *col = colno;                                                                         \
            return "unknown " what " (not in this collection nor in the database)";              \
        }                                                                                         \
    } while (0)
    switch (def->kind) {
    case SLDS_FILE_SCHOOLS:
        REF(1, leas, "district");
        break;
    case SLDS_FILE_STAFF:
        REF(1, leas, "district");
        REF(4, programs, "preparation program");
        break;
    case SLDS_FILE_STAFF_ASSIGNMENTS:
        REF(0, staff, "staff member");
        REF(1, schools, "school");
        break;
    case SLDS_FILE_OBSERVATIONS:
        REF(0, staff, "staff member");
        break;
    case SLDS_FILE_STUDENT_ATTRIBUTES:
    case SLDS_FILE_POSTSECONDARY:
        REF(0, students, "student");
        break;
    case SLDS_FILE_COURSES:
    case SLDS_FILE_DISCIPLINE:
        REF(0, students, "student");
        REF(1, schools, "school");
        break;
    case SLDS_FILE_ATTENDANCE:
        REF(0, students, "student");
        REF(1, schools, "school");
        known(&c->students, &r->v[0], &a);
        known(&c->schools, &r->v[1], &b);
        if (!slds_map64_get(&c->enrolled_school_year, key3(a, b, r->v[2].i), NULL)) {
            *col = 0;
            return "student not enrolled at this school in this school year";
        }
        break;
    case SLDS_FILE_ROSTERS: {
        REF(0, staff, "staff member");
        REF(1, students, "student");
        REF(2, schools, "school");
        uint32_t t;
        known(&c->staff, &r->v[0], &t);
        known(&c->students, &r->v[1], &a);
        known(&c->schools, &r->v[2], &b);
        if (!slds_map64_get(&c->teacher_assignments, key3(t, b, r->v[3].i), NULL)) {
            *col = 0;
            return "staff member is not assigned as TEACHER to this school in this school year";
        }
        if (!slds_map64_get(&c->enrolled_school_year, key3(a, b, r->v[3].i), NULL)) {
            *col = 1;
            return "student not enrolled at this school in this school year";
        }
        break;
    }
    case SLDS_FILE_ASSESSMENTS: {
        REF(0, students, "student");
        known(&c->students, &r->v[0], &a);
        if (!slds_map64_get(&c->enrolled_year, key2(a, r->v[1].i), NULL)) {
            *col = 0;
            return "student not enrolled in this school year";
        }
        bool scored = !r->v[7].blank, reason = !r->v[9].blank;
        if (scored == reason) {
            *col = scored ? 9 : 7;
            return scored ? "a scored test must have a blank not_tested_reason"
                          : "scale_score is blank but no not_tested_reason is given";
        }
        int64_t lo = slds_days_from_civil((int)r->v[1].i - 1, 7, 1);
        int64_t hi = slds_days_from_civil((int)r->v[1].i, 9, 30);
        if (r->v[6].i < lo || r->v[6].i > hi) {
            *col = 6;
            snprintf(why, whysize, "test date outside school year %d (%d-07-01 to %d-09-30)",
                     (int)r->v[1].i, (int)r->v[1].i - 1, (int)r->v[1].i);
            return why;
        }
        break;
    }
    case SLDS_FILE_ITEM_RESPONSES:
        REF(0, students, "student");
        REF(3, standards, "standard");
        break;
    default:
        break;
    }
#undef REF
    return NULL;
}

/* Adds what later files will check against (ids, assignments). */
static int remember_row(load_ctx *c, const slds_file_def *def, const row *r)
{
    slds_intern *set = def->kind == SLDS_FILE_LEAS            ? &c->leas
                       : def->kind == SLDS_FILE_SCHOOLS       ? &c->schools
                       : def->kind == SLDS_FILE_STAFF         ? &c->staff
                       : def->kind == SLDS_FILE_PREP_PROGRAMS ? &c->programs
                       : def->kind == SLDS_FILE_STANDARDS     ? &c->standards
                                                              : NULL;
    if (set && slds_intern_add(set, r->v[0].text, r->v[0].len) == SLDS_NO_ID)
        return nomem(c);
    if (def->kind == SLDS_FILE_STAFF_ASSIGNMENTS && !strcmp(r->v[3].text, "TEACHER")) {
        uint32_t t, s;
        known(&c->staff, &r->v[0], &t);
        known(&c->schools, &r->v[1], &s);
        if (!slds_map64_put(&c->teacher_assignments, key3(t, s, r->v[2].i), 1))
            return nomem(c);
    }
    return SLDS_OK;
}

static int prepare_insert(load_ctx *c, const char *table, const char *const *cols, int n,
                          sqlite3_stmt **st)
{
    slds_buf sql = {0};
    slds_buf_printf(&sql, "INSERT OR REPLACE INTO %s(", table);
    for (int i = 0; i < n; i++)
        slds_buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
    slds_buf_puts(&sql, ") VALUES(");
    for (int i = 0; i < n; i++)
        slds_buf_puts(&sql, i ? ", ?" : "?");
    if (slds_buf_puts(&sql, ")"))
        return nomem(c);
    int rc = slds_store_prepare(c->store, st, sql.data, c->err);
    slds_buf_free(&sql);
    return rc;
}

/* The header: maps contract columns to positions in the file. */
typedef struct header_map {
    int pos[16];  /* contract column -> field index, -1 when absent */
    int nfields;
} header_map;

static int read_header(load_ctx *c, slds_csv *csv, const char *path, const slds_file_def *def,
                       header_map *h)
{
    slds_csv_record rec;
    int got = slds_csv_next(csv, &rec, c->err);
    if (got < 0)
        return c->err->code;
    if (got == 0)
        return slds_fail(c->err, SLDS_ERR_DATA,
                         "%s: line 1: the file is empty (expected a header row naming the columns)",
                         path);
    if (rec.bad_quote_field >= 0)
        return slds_fail(c->err, SLDS_ERR_DATA,
                         "%s: line 1, column %d: the header has a stray quote (a name quoted only in part)",
                         path, rec.bad_quote_field + 1);
    if (rec.bad_utf8_field >= 0)
        return slds_fail(c->err, SLDS_ERR_DATA,
                         "%s: line 1, column %d: the header is not valid UTF-8 (wrong encoding?)",
                         path, rec.bad_utf8_field + 1);
    for (int i = 0; i < def->ncolumns; i++)
        h->pos[i] = -1;
    h->nfields = rec.nfields;
    size_t extra_len = 0;
    for (int f = 0; f < rec.nfields; f++) {
        const char *name = rec.fields[f];
        int col = slds_contract_column(def, name);
        if (col < 0) {
            if (rec.lengths[f] == 0 && rec.nfields == 1)
                break;
            if (extra_len < sizeof c->cur->extra_columns - 1)
                extra_len += (size_t)snprintf(c->cur->extra_columns + extra_len,
                                              sizeof c->cur->extra_columns - extra_len, "%s%s",
                                              extra_len ? ", " : "", name);
            continue;
        }
        if (h->pos[col] >= 0)
            return slds_fail(c->err, SLDS_ERR_DATA, "%s: line 1, column %d: column '%s' appears twice",
                             path, f + 1, name);
        h->pos[col] = f;
    }
    for (int i = 0; i < def->ncolumns; i++)
        if (h->pos[i] < 0 && def->columns[i].required)
            return slds_fail(c->err, SLDS_ERR_DATA,
                             "%s: line 1: required column '%s' is missing from the header "
                             "(found: %d columns)",
                             path, def->columns[i].name, rec.nfields);
    return SLDS_OK;
}

/* Structural and per-column checks of one record. Returns NULL when the row
 * parsed, else the reason (and *col, *value, *vlen describe the culprit). */
static const char *parse_row(const slds_file_def *def, const header_map *h,
                             const slds_csv_record *rec, row *r, int *col, const char **value,
                             size_t *vlen, char *why, size_t whysize)
{
    *col = -1;
    *value = NULL;
    *vlen = 0;
    if (rec->nfields != h->nfields) {
        snprintf(why, whysize, "expected %d fields (as in the header), found %d", h->nfields,
                 rec->nfields);
        return why;
    }
    if (rec->bad_utf8_field >= 0 || rec->bad_quote_field >= 0) {
        int f = rec->bad_utf8_field >= 0 ? rec->bad_utf8_field : rec->bad_quote_field;
        for (int i = 0; i < def->ncolumns; i++)
            if (h->pos[i] == f)
                *col = i;
        *value = rec->fields[f];
        *vlen = rec->lengths[f];
        return rec->bad_utf8_field >= 0 ? "not valid UTF-8 (wrong encoding?)"
                                        : "stray quote: a field is quoted only in part";
    }
    for (int i = 0; i < def->ncolumns; i++) {
        int p = h->pos[i];
        const char *s = p >= 0 ? rec->fields[p] : "";
        size_t len = p >= 0 ? rec->lengths[p] : 0;
        r->raw[i] = s;
        r->rawlen[i] = len;
        const char *reason = slds_field_parse(&def->columns[i], s, len, &r->v[i], why, whysize);
        if (reason) {
            *col = i;
            *value = s;
            *vlen = len;
            return reason;
        }
    }
    return NULL;
}

/* ---- students.csv: identity and statewide ids ------------------------- */

static int ensure_id_generator(load_ctx *c)
{
    if (c->ids_ready)
        return SLDS_OK;
    int rc = slds_ident_generator_load(c->store, &c->ids, c->err);
    if (rc)
        return rc;
    c->ids_ready = true;
    return SLDS_OK;
}

static int new_student_id(load_ctx *c, char out[SLDS_STUDENT_ID_LEN + 1])
{
    if (ensure_id_generator(c))
        return c->err->code;
    do
        slds_id_for_counter(&c->ids, c->ids.next++, out);
    while (slds_intern_find(&c->students, out, SLDS_STUDENT_ID_LEN) != SLDS_NO_ID);
    c->ids_changed = true;
    return SLDS_OK;
}

typedef struct student_stmts {
    sqlite3_stmt *identity, *student;
} student_stmts;

/* Writes one resolved identity record. f: the 7 student columns ("" when
 * blank). A record with a statewide id may come without name and birth date:
 * it then has no match key and is never matched by identity. */
static int write_identity(load_ctx *c, student_stmts *ss, const char *const *f, const char *sid,
                          uint8_t source)
{
    char mk[SLDS_MATCH_KEY_MAX];
    bool has_identity = f[2][0] && f[3][0] && f[4][0];
    size_t mklen = has_identity ? slds_ident_match_key(f[2], f[3], f[4], f[5], mk, sizeof mk) : 0;
    uint32_t student = slds_intern_add(&c->students, sid, strlen(sid));
    if (student == SLDS_NO_ID || crosswalk_set(c, f[0], f[1], student, source) ||
        (has_identity && match_add(c, mk, mklen, student)))
        return nomem(c);
    sqlite3_stmt *st = ss->identity;
    for (int i = 0; i < 2; i++)
        sqlite3_bind_text(st, i + 1, f[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sid, -1, SQLITE_STATIC);
    for (int i = 2; i < 6; i++) {
        if (f[i][0])
            sqlite3_bind_text(st, i + 2, f[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 2);
    }
    if (has_identity)
        sqlite3_bind_text(st, 8, mk, (int)mklen, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_text(st, 9, id_sources[source], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_error(c, "writing student_identity");
    sqlite3_bind_text(ss->student, 1, sid, -1, SQLITE_STATIC);
    sqlite3_bind_text(ss->student, 2, f[5], -1, SQLITE_STATIC);
    rc = sqlite3_step(ss->student);
    sqlite3_reset(ss->student);
    if (rc != SQLITE_DONE)
        return db_error(c, "writing students");
    c->cur->loaded++;
    return SLDS_OK;
}

static int resolve_pending_student(load_ctx *c, student_stmts *ss, const pending_student *p)
{
    const char *const *f = (const char *const *)p->fields;
    uint8_t source;
    uint32_t student = crosswalk_find(c, f[0], f[1], &source);
    if (student == SLDS_NO_ID) {
        char mk[SLDS_MATCH_KEY_MAX];
        size_t mklen = slds_ident_match_key(f[2], f[3], f[4], f[5], mk, sizeof mk);
        uint32_t e = slds_intern_find(&c->match_keys, mk, mklen);
        if (e != SLDS_NO_ID && c->match_student[e] == AMBIGUOUS)
            return reject_row(c, p->line, "student_id", "", 0,
                              "no statewide id, and name, birth date and sex match more than "
                              "one student: resolve by hand");
        if (e != SLDS_NO_ID) {
            student = c->match_student[e];
            source = SRC_MATCHED_IDENTITY;
            c->res->ids_matched++;
        }
    } else
        c->res->ids_matched++;
    if (student != SLDS_NO_ID)
        return write_identity(c, ss, f, slds_intern_str(&c->students, student), source);
    char sid[SLDS_STUDENT_ID_LEN + 1];
    if (new_student_id(c, sid))
        return c->err->code;
    c->res->ids_assigned++;
    return write_identity(c, ss, f, sid, SRC_ASSIGNED);
}

static int handle_student_row(load_ctx *c, student_stmts *ss, const row *r, long line,
                              pending_student **pending, size_t *npending, size_t *cappending)
{
    if (!known(&c->leas, &r->v[0], NULL))
        return reject_row(c, line, "lea_id", r->raw[0], r->rawlen[0],
                          "unknown district (not in this collection nor in the database)");
    if (r->v[6].blank) {
        for (int i = 2; i <= 4; i++)
            if (r->v[i].blank)
                return reject_row(c, line, slds_contract_find("students.csv")->columns[i].name, "", 0,
                                  "a record without a statewide id needs first_name, last_name "
                                  "and birth_date, to be matched to a student");
        if (*npending == *cappending) {
            size_t cap = *cappending ? *cappending * 2 : 256;
            pending_student *p = realloc(*pending, cap * sizeof *p);
            if (!p)
                return nomem(c);
            *pending = p;
            *cappending = cap;
        }
        pending_student *p = &(*pending)[(*npending)++];
        p->line = line;
        for (int i = 0; i < 7; i++)
            p->fields[i] = strndup(r->v[i].blank ? "" : r->v[i].text, r->v[i].blank ? 0 : r->v[i].len);
        for (int i = 0; i < 7; i++)
            if (!p->fields[i])
                return nomem(c);
        return SLDS_OK;
    }
    char f[7][SLDS_FIELD_MAX];
    const char *fp[7];
    for (int i = 0; i < 7; i++) {
        snprintf(f[i], sizeof f[i], "%.*s", (int)r->v[i].len, r->v[i].text ? r->v[i].text : "");
        fp[i] = f[i];
    }
    uint8_t source;
    uint32_t existing = crosswalk_find(c, f[0], f[1], &source);
    if (existing != SLDS_NO_ID) {
        const char *linked = slds_intern_str(&c->students, existing);
        if (strcmp(linked, f[6])) {
            char why[600];
            /* ids are at most 64 bytes (the contract) */
            snprintf(why, sizeof why, "district %.64s local id %.64s is already linked to statewide id %.64s",
                     f[0], f[1], linked);
            return reject_row(c, line, "student_id", r->raw[6], r->rawlen[6], why);
        }
    } else
        source = SRC_DISTRICT;
    return write_identity(c, ss, fp, f[6], source);
}

/* ---- enrollments.csv: spells, overlaps, grade progression -------------- */

static int cmp_spell_by_student_entry(const void *a, const void *b, void *ctx);

static int handle_enrollment_row(load_ctx *c, const row *r, long line)
{
    uint32_t student, school;
    if (!known(&c->students, &r->v[0], &student))
        return reject_row(c, line, "student_id", r->raw[0], r->rawlen[0],
                          "unknown student (not in this collection nor in the database)");
    if (!known(&c->schools, &r->v[1], &school))
        return reject_row(c, line, "school_id", r->raw[1], r->rawlen[1],
                          "unknown school (not in this collection nor in the database)");
    int year = (int)r->v[2].i;
    int64_t lo = slds_days_from_civil(year - 1, 7, 1), hi = slds_days_from_civil(year, 6, 30);
    if (r->v[4].i < lo || r->v[4].i > hi) {
        char why[160];
        snprintf(why, sizeof why, "entry date outside school year %d (%d-07-01 to %d-06-30)", year,
                 year - 1, year);
        return reject_row(c, line, "entry_date", r->raw[4], r->rawlen[4], why);
    }
    if (!r->v[5].blank && r->v[5].i < r->v[4].i)
        return reject_row(c, line, "exit_date", r->raw[5], r->rawlen[5], "exit date before entry date");
    if (!r->v[5].blank && r->v[5].i > hi + 92)
        return reject_row(c, line, "exit_date", r->raw[5], r->rawlen[5],
                          "exit date after the end of the school year (and its summer)");
    if (r->v[5].blank != r->v[6].blank)
        return reject_row(c, line, r->v[5].blank ? "exit_date" : "exit_code",
                          r->raw[r->v[5].blank ? 5 : 6], r->rawlen[r->v[5].blank ? 5 : 6],
                          r->v[5].blank ? "exit code given without an exit date"
                                        : "exit date given without an exit code");
    spell sp = {.student = student,
                .school = school,
                .line = (uint32_t)line,
                .entry = (int32_t)r->v[4].i,
                .exit = r->v[5].blank ? OPEN_END : (int32_t)r->v[5].i,
                .year = (uint16_t)year,
                .grade = (int8_t)r->v[3].i,
                .exit_code = (uint8_t)exit_code_index(r->v[6].text),
                .state = SPELL_ACTIVE};
    return push_spell(c, &sp);
}

static int cmp_spell_by_student_entry(const void *pa, const void *pb, void *ctx)
{
    const spell *sp = ctx;
    const spell *a = &sp[*(const uint32_t *)pa], *b = &sp[*(const uint32_t *)pb];
    if (a->student != b->student)
        return a->student < b->student ? -1 : 1;
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    if (a->school != b->school)
        return a->school < b->school ? -1 : 1;
    /* Existing (line 0) before new; new in file order: the later one wins. */
    return a->line < b->line ? -1 : a->line > b->line;
}

/* qsort has no context argument in C17; sort indices with a small merge sort. */
static void sort_spell_index(uint32_t *idx, uint32_t *tmp, size_t n, const spell *sp)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_spell_index(idx, tmp, h, sp);
    sort_spell_index(idx + h, tmp, n - h, sp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_spell_by_student_entry(&idx[j], &idx[i], (void *)sp) < 0 ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static int reject_spell(load_ctx *c, spell *s, const char *column, const char *value,
                        const char *reason)
{
    s->state = SPELL_REJECTED;
    return reject_row(c, s->line, column, value, strlen(value), reason);
}

/* Marks superseded and rejected spells among those of one student (idx[0..n)). */
static int check_student_spells(load_ctx *c, const uint32_t *idx, size_t n)
{
    spell *sp = c->spells;
    /* Same natural key: the later one replaces the earlier. */
    for (size_t i = 1; i < n; i++) {
        spell *a = &sp[idx[i - 1]], *b = &sp[idx[i]];
        if (a->entry == b->entry && a->school == b->school)
            a->state = SPELL_SUPERSEDED;
    }
    /* Overlaps: a spell must start on or after the previous one ends. */
    spell *prev = NULL;
    char d1[11], d2[11], why[200];
    for (size_t i = 0; i < n; i++) {
        spell *s = &sp[idx[i]];
        if (s->state != SPELL_ACTIVE)
            continue;
        if (prev && s->entry < prev->exit) {
            spell *bad = s->line ? s : prev->line ? prev : NULL;
            if (bad) {
                spell *other = bad == s ? prev : s;
                slds_date_format(other->entry, d1);
                if (other->exit == OPEN_END)
                    snprintf(d2, sizeof d2, "open");
                else
                    slds_date_format(other->exit, d2);
                char where[32] = "already loaded";
                if (other->line)
                    snprintf(where, sizeof where, "line %u", other->line);
                snprintf(why, sizeof why,
                         "enrollment overlaps another spell of this student (school %s, %s to %s, %s)",
                         slds_intern_str(&c->schools, other->school), d1, d2, where);
                char entry[11];
                slds_date_format(bad->entry, entry);
                if (reject_spell(c, bad, "entry_date", entry, why))
                    return c->err->code;
                if (bad == s)
                    continue;
            }
        }
        prev = s;
    }
    /* Grade progression: from one school year to a later one, a student stays
     * in grade, or moves up by at most one grade more than the years passed,
     * or down by one. Within a year, grades differ by at most one. Each spell
     * is compared with the one before it, rejected or not, so a single jump
     * rejects the year of the jump and not every ordinary year after it. */
    const spell *last = NULL;
    for (size_t i = 0; i < n; i++) {
        spell *s = &sp[idx[i]];
        if (s->state != SPELL_ACTIVE)
            continue;
        if (last) {
            int gap = (int)s->year - (int)last->year;
            int delta = s->grade - last->grade;
            bool ok = gap < 0 || (gap == 0 ? delta >= -1 && delta <= 1 : delta >= -1 && delta <= gap + 1);
            if (!ok && s->line) {
                snprintf(why, sizeof why, "implausible grade progression: grade %s in %d after grade %s in %d",
                         slds_grade_code(s->grade), s->year, slds_grade_code(last->grade), last->year);
                if (reject_spell(c, s, "grade_level", slds_grade_code(s->grade), why))
                    return c->err->code;
            }
        }
        last = s;
    }
    return SLDS_OK;
}

static int write_spell(load_ctx *c, sqlite3_stmt *st, const spell *s)
{
    char entry[11], exit[11];
    slds_date_format(s->entry, entry);
    sqlite3_bind_text(st, 1, slds_intern_str(&c->students, s->student), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, slds_intern_str(&c->schools, s->school), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, s->year);
    sqlite3_bind_text(st, 4, slds_grade_code(s->grade), 2, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, entry, 10, SQLITE_STATIC);
    if (s->exit == OPEN_END) {
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 7);
    } else {
        slds_date_format(s->exit, exit);
        sqlite3_bind_text(st, 6, exit, 10, SQLITE_STATIC);
        const slds_column_def *col = &slds_contract_find("enrollments.csv")->columns[6];
        if (s->exit_code)
            sqlite3_bind_text(st, 7, col->codes[s->exit_code - 1], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 7);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "writing enrollments");
}

/* After enrollments.csv (or at the start, for spells already loaded): judge
 * the new spells, write the accepted ones, and build the enrolled sets. */
static int finish_enrollments(load_ctx *c, sqlite3_stmt *insert)
{
    size_t n = c->nspells;
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        return nomem(c);
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    sort_spell_index(idx, tmp, n, c->spells);
    free(tmp);
    int rc = SLDS_OK;
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i;
        while (j < n && c->spells[idx[j]].student == c->spells[idx[i]].student)
            j++;
        rc = check_student_spells(c, idx + i, j - i);
        i = j;
    }
    for (size_t k = 0; k < n && !rc; k++) {
        const spell *s = &c->spells[idx[k]];
        if (insert && s->line && s->state != SPELL_REJECTED) {
            rc = write_spell(c, insert, s);
            c->cur->loaded++;
        }
        if (s->state == SPELL_ACTIVE &&
            (!slds_map64_put(&c->enrolled_year, key2(s->student, s->year), 1) ||
             !slds_map64_put(&c->enrolled_school_year, key3(s->student, s->school, s->year), 1)))
            rc = nomem(c);
    }
    free(idx);
    return rc;
}

/* ---- the two-thread pipeline for plain files -------------------------- */

/* Plain files (every file but students.csv and enrollments.csv) are loaded by
 * two threads: a reader that parses and checks rows and fills batches, and
 * the caller's thread, which writes them to SQLite. The reader alone touches
 * the in-memory sets; the writer alone touches the database. A batch carries
 * copies of the values, since the CSV window is reused. */
/* Rows in a batch: large enough that sorting a batch by the table's key makes
 * the writer's B-tree inserts mostly local (measured: 30% less writer time
 * than file order for 64Ki-row runs of assessments). */
#define BATCH_ROWS 65536
#define NBATCHES 3

typedef struct cell {
    uint8_t type; /* 0 NULL, 1 text, 2 integer, 3 real */
    uint32_t len;
    union {
        int64_t i;
        double d;
        size_t off; /* text: offset into the batch arena */
    } u;
} cell;

typedef struct batch {
    int nrows;
    long *line;
    uint8_t *rejected;
    const char **reject_column;
    size_t *reject_value, *reject_reason; /* arena offsets */
    cell *cells;                          /* BATCH_ROWS * ncols */
    int *order;                           /* rows in the order to write them */
    slds_buf arena;
} batch;

static void batch_free(batch *b)
{
    free(b->line);
    free(b->rejected);
    free(b->reject_column);
    free(b->reject_value);
    free(b->reject_reason);
    free(b->cells);
    free(b->order);
    slds_buf_free(&b->arena);
}

static bool batch_init(batch *b, int ncols)
{
    b->line = malloc(BATCH_ROWS * sizeof *b->line);
    b->rejected = malloc(BATCH_ROWS);
    b->reject_column = malloc(BATCH_ROWS * sizeof *b->reject_column);
    b->reject_value = malloc(BATCH_ROWS * sizeof *b->reject_value);
    b->reject_reason = malloc(BATCH_ROWS * sizeof *b->reject_reason);
    b->cells = malloc((size_t)BATCH_ROWS * (size_t)ncols * sizeof *b->cells);
    b->order = malloc(BATCH_ROWS * sizeof *b->order);
    return b->line && b->rejected && b->reject_column && b->reject_value && b->reject_reason &&
           b->cells && b->order;
}

/* Sorting a batch by key: qsort has no context argument in C17, so each item
 * carries what its comparison needs. */
typedef struct sort_item {
    const batch *b;
    const int *key_columns; /* -1 terminated */
    int ncols;
    int row;
} sort_item;

static int compare_cells(const batch *b, const cell *x, const cell *y)
{
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    switch (x->type) {
    case 1: {
        uint32_t n = x->len < y->len ? x->len : y->len;
        int c = n ? memcmp(b->arena.data + x->u.off, b->arena.data + y->u.off, n) : 0;
        return c ? c : (x->len > y->len) - (x->len < y->len);
    }
    case 2:
        return (x->u.i > y->u.i) - (x->u.i < y->u.i);
    case 3:
        return (x->u.d > y->u.d) - (x->u.d < y->u.d);
    default:
        return 0;
    }
}

static int compare_rows_by_key(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    /* Rejects first (their order does not matter), then rows by key, then file order. */
    int ra = a->b->rejected[a->row], rb = b->b->rejected[b->row];
    if (ra != rb)
        return ra ? -1 : 1;
    if (!ra) {
        const cell *ca = a->b->cells + (size_t)a->row * (size_t)a->ncols;
        const cell *cb = a->b->cells + (size_t)b->row * (size_t)a->ncols;
        for (const int *k = a->key_columns; *k >= 0; k++) {
            int c = compare_cells(a->b, &ca[*k], &cb[*k]);
            if (c)
                return c;
        }
    }
    return (a->row > b->row) - (a->row < b->row);
}

/* Fills b->order with the batch's rows sorted by the table's key. items has BATCH_ROWS. */
static void batch_sort(batch *b, const int *key_columns, int ncols, sort_item *items)
{
    for (int k = 0; k < b->nrows; k++)
        items[k] = (sort_item){b, key_columns, ncols, k};
    qsort(items, (size_t)b->nrows, sizeof *items, compare_rows_by_key);
    for (int k = 0; k < b->nrows; k++)
        b->order[k] = items[k].row;
}

typedef struct pipeline {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    batch *full[NBATCHES], *empty[NBATCHES];
    int nfull, nempty;
    bool reader_done, writer_failed;
    /* reader side */
    load_ctx *c;
    const slds_file_def *def;
    header_map h;
    slds_csv *csv;
    slds_error reader_err;
    int reader_rc;
    int64_t read;
    int key_columns[17]; /* the natural key's column indexes, -1 terminated */
    sort_item *sort_items;
} pipeline;

static size_t arena_put(batch *b, const char *s, size_t len)
{
    size_t off = b->arena.len;
    if (slds_buf_append(&b->arena, s, len))
        return SIZE_MAX;
    return off;
}

static batch *pipeline_take(pipeline *p, bool want_full)
{
    pthread_mutex_lock(&p->lock);
    batch *b = NULL;
    for (;;) {
        if (want_full && p->nfull) {
            b = p->full[0];
            memmove(p->full, p->full + 1, (size_t)--p->nfull * sizeof *p->full);
            break;
        }
        if (!want_full && p->nempty) {
            b = p->empty[--p->nempty];
            break;
        }
        if ((want_full && p->reader_done) || (!want_full && p->writer_failed))
            break;
        pthread_cond_wait(&p->changed, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return b;
}

static void pipeline_give(pipeline *p, batch *b, bool full)
{
    pthread_mutex_lock(&p->lock);
    if (full)
        p->full[p->nfull++] = b;
    else
        p->empty[p->nempty++] = b;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static bool add_reject(batch *b, long line, const char *column, const char *value, size_t vlen,
                       const char *reason)
{
    int k = b->nrows++;
    b->line[k] = line;
    b->rejected[k] = 1;
    b->reject_column[k] = column;
    char shown[1024];
    printable_value(value ? value : "", value ? vlen : 0, shown, sizeof shown);
    b->reject_value[k] = arena_put(b, shown, strlen(shown) + 1);
    b->reject_reason[k] = arena_put(b, reason, strlen(reason) + 1);
    return b->reject_value[k] != SIZE_MAX && b->reject_reason[k] != SIZE_MAX;
}

static bool add_row(batch *b, const slds_file_def *def, long line, const row *r)
{
    int k = b->nrows++;
    b->line[k] = line;
    b->rejected[k] = 0;
    cell *cells = b->cells + (size_t)k * (size_t)def->ncolumns;
    for (int i = 0; i < def->ncolumns; i++) {
        const slds_value *v = &r->v[i];
        const slds_column_def *col = &def->columns[i];
        cell *x = &cells[i];
        if (v->blank) {
            /* Part of a primary key that may be blank: stored as '' so the key stays unique. */
            x->type = strcmp(col->name, "subject_area") ? 0 : 1;
            x->len = 0;
            x->u.off = b->arena.len;
        } else if (col->type == SLDS_COL_INT || col->type == SLDS_COL_YEAR) {
            x->type = 2;
            x->u.i = v->i;
        } else if (col->type == SLDS_COL_NUM) {
            x->type = 3;
            x->u.d = v->d;
        } else {
            x->type = 1;
            x->len = (uint32_t)v->len;
            x->u.off = arena_put(b, v->text, v->len);
            if (x->u.off == SIZE_MAX)
                return false;
        }
    }
    return true;
}

static void *pipeline_reader(void *arg)
{
    pipeline *p = arg;
    load_ctx *c = p->c;
    const slds_file_def *def = p->def;
    slds_csv_record rec;
    row r;
    char why[512];
    batch *b = NULL;
    uint64_t bytes_base = c->bytes_done;
    int rc = SLDS_OK;
    for (;;) {
        if (!b) {
            b = pipeline_take(p, false);
            if (!b)
                break; /* the writer failed */
            b->nrows = 0;
            slds_buf_clear(&b->arena);
        }
        int got = slds_csv_next(p->csv, &rec, &p->reader_err);
        if (got <= 0) {
            rc = got < 0 ? p->reader_err.code : SLDS_OK;
            break;
        }
        if (rec.nfields == 1 && rec.lengths[0] == 0)
            continue; /* a blank line carries no row */
        p->read++;
        if ((p->read & 0xFFFF) == 0)
            slds_progress_report(c->progress, def->file, bytes_base + slds_csv_offset(p->csv),
                                 c->bytes_total);
        int col;
        const char *value;
        size_t vlen;
        const char *reason = parse_row(def, &p->h, &rec, &r, &col, &value, &vlen, why, sizeof why);
        if (!reason) {
            reason = cross_check(c, def, &r, &col, why, sizeof why);
            if (reason) {
                value = r.raw[col];
                vlen = r.rawlen[col];
            }
        }
        bool ok = reason ? add_reject(b, rec.line, col >= 0 ? def->columns[col].name : NULL, value,
                                      vlen, reason)
                         : add_row(b, def, rec.line, &r);
        if (!ok) {
            rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
            break;
        }
        if (!reason) {
            slds_error scratch = {0};
            slds_error *saved = c->err;
            c->err = &scratch; /* remember_row only fails for lack of memory */
            int mrc = remember_row(c, def, &r);
            c->err = saved;
            if (mrc) {
                rc = slds_fail(&p->reader_err, mrc, "%s", scratch.message);
                break;
            }
        }
        if (b->nrows == BATCH_ROWS || b->arena.len > (16u << 20)) {
            batch_sort(b, p->key_columns, def->ncolumns, p->sort_items);
            pipeline_give(p, b, true);
            b = NULL;
        }
    }
    if (b) {
        batch_sort(b, p->key_columns, def->ncolumns, p->sort_items);
        pipeline_give(p, b, true);
    }
    pthread_mutex_lock(&p->lock);
    p->reader_rc = rc;
    p->reader_done = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int write_batch(load_ctx *c, const slds_file_def *def, sqlite3_stmt *insert, const batch *b)
{
    for (int i = 0; i < b->nrows; i++) {
        int k = b->order[i];
        if (b->rejected[k]) {
            const char *value = b->arena.data + b->reject_value[k];
            int rc = reject_row(c, b->line[k], b->reject_column[k], value, strlen(value),
                                b->arena.data + b->reject_reason[k]);
            if (rc)
                return rc;
            continue;
        }
        const cell *cells = b->cells + (size_t)k * (size_t)def->ncolumns;
        for (int col = 0; col < def->ncolumns; col++) {
            const cell *x = &cells[col];
            switch (x->type) {
            case 0:
                sqlite3_bind_null(insert, col + 1);
                break;
            case 1:
                sqlite3_bind_text(insert, col + 1, b->arena.data ? b->arena.data + x->u.off : "",
                                  (int)x->len, SQLITE_STATIC);
                break;
            case 2:
                sqlite3_bind_int64(insert, col + 1, x->u.i);
                break;
            default:
                sqlite3_bind_double(insert, col + 1, x->u.d);
            }
        }
        int step = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (step != SQLITE_DONE)
            return db_error(c, def->table);
        c->cur->loaded++;
    }
    return SLDS_OK;
}

/* Loads a plain file with the reader thread; the calling thread writes. */
static int load_plain_file(load_ctx *c, const slds_file_def *def, slds_csv *csv, const header_map *h,
                           sqlite3_stmt *insert)
{
    pipeline p = {.c = c, .def = def, .h = *h, .csv = csv};
    batch batches[NBATCHES];
    memset(batches, 0, sizeof batches);
    int rc = SLDS_OK, nkey = 0;
    char key[256];
    snprintf(key, sizeof key, "%s", def->natural_key);
    for (char *save = NULL, *name = strtok_r(key, ", ", &save); name; name = strtok_r(NULL, ", ", &save))
        p.key_columns[nkey++] = slds_contract_column(def, name);
    p.key_columns[nkey] = -1;
    p.sort_items = malloc(BATCH_ROWS * sizeof *p.sort_items);
    if (!p.sort_items)
        rc = nomem(c);
    for (int i = 0; i < NBATCHES && !rc; i++) {
        if (!batch_init(&batches[i], def->ncolumns))
            rc = nomem(c);
        else
            p.empty[p.nempty++] = &batches[i];
    }
    pthread_t reader;
    if (!rc && (pthread_mutex_init(&p.lock, NULL) || pthread_cond_init(&p.changed, NULL)))
        rc = slds_fail(c->err, SLDS_ERR_NOMEM, "cannot create a lock");
    if (!rc && pthread_create(&reader, NULL, pipeline_reader, &p))
        rc = slds_fail(c->err, SLDS_ERR_NOMEM, "cannot start the reader thread");
    if (!rc) {
        batch *b;
        while ((b = pipeline_take(&p, true))) {
            if (!rc)
                rc = write_batch(c, def, insert, b);
            if (rc) {
                pthread_mutex_lock(&p.lock);
                p.writer_failed = true;
                pthread_cond_broadcast(&p.changed);
                pthread_mutex_unlock(&p.lock);
            } else
                pipeline_give(&p, b, false);
        }
        pthread_join(reader, NULL);
        if (!rc && p.reader_rc) {
            *c->err = p.reader_err;
            rc = p.reader_rc;
        }
        pthread_cond_destroy(&p.changed);
        pthread_mutex_destroy(&p.lock);
    }
    c->cur->read += p.read;
    for (int i = 0; i < NBATCHES; i++)
        batch_free(&batches[i]);
    free(p.sort_items);
    return rc;
}

/* ---- one file --------------------------------------------------------- */

static int load_file(load_ctx *c, const slds_file_def *def, const char *path, uint64_t *digest)
{
    slds_csv *csv;
    int rc = slds_csv_open(&csv, path, c->err);
    if (rc)
        return rc;
    header_map h = {0};
    rc = read_header(c, csv, path, def, &h);
    sqlite3_stmt *insert = NULL;
    student_stmts ss = {0};
    bool is_students = def->kind == SLDS_FILE_STUDENTS;
    bool is_enrollments = def->kind == SLDS_FILE_ENROLLMENTS;
    const char *names[16];
    for (int i = 0; i < def->ncolumns; i++)
        names[i] = def->columns[i].name;
    if (!rc && is_students) {
        static const char *const identity_cols[] = {"lea_id", "local_student_id", "student_id",
                                                    "first_name", "last_name", "birth_date",
                                                    "sex", "match_key", "id_source"};
        static const char *const student_cols[] = {"student_id", "sex"};
        rc = prepare_insert(c, "student_identity", identity_cols, 9, &ss.identity);
        if (!rc)
            rc = prepare_insert(c, "students", student_cols, 2, &ss.student);
    } else if (!rc)
        rc = prepare_insert(c, def->table, names, def->ncolumns, &insert);

    pending_student *pending = NULL;
    size_t npending = 0, cappending = 0;
    uint64_t bytes_base = c->bytes_done;
    if (!rc && !is_students && !is_enrollments) {
        rc = load_plain_file(c, def, csv, &h, insert);
        c->bytes_done = bytes_base + slds_csv_size(csv);
        *digest = slds_csv_digest(csv);
        sqlite3_finalize(insert);
        slds_csv_close(csv);
        return rc;
    }
    slds_csv_record rec;
    row r;
    char why[512];
    while (!rc) {
        int got = slds_csv_next(csv, &rec, c->err);
        if (got < 0) {
            rc = c->err->code;
            break;
        }
        if (got == 0)
            break;
        if (rec.nfields == 1 && rec.lengths[0] == 0)
            continue; /* a blank line carries no row */
        c->cur->read++;
        if ((c->cur->read & 0xFFFF) == 0) {
            c->bytes_done = bytes_base + slds_csv_offset(csv);
            slds_progress_report(c->progress, def->file, c->bytes_done, c->bytes_total);
        }
        int col;
        const char *value;
        size_t vlen;
        const char *reason = parse_row(def, &h, &rec, &r, &col, &value, &vlen, why, sizeof why);
        if (!reason) {
            reason = cross_check(c, def, &r, &col, why, sizeof why);
            if (reason) {
                value = r.raw[col];
                vlen = r.rawlen[col];
            }
        }
        if (reason) {
            rc = reject_row(c, rec.line, col >= 0 ? def->columns[col].name : NULL, value, vlen, reason);
            continue;
        }
        if (is_students) {
            rc = handle_student_row(c, &ss, &r, rec.line, &pending, &npending, &cappending);
            continue;
        }
        rc = handle_enrollment_row(c, &r, rec.line);
    }
    c->bytes_done = bytes_base + slds_csv_size(csv);
    for (size_t i = 0; i < npending && !rc; i++)
        rc = resolve_pending_student(c, &ss, &pending[i]);
    for (size_t i = 0; i < npending; i++)
        for (int k = 0; k < 7; k++)
            free(pending[i].fields[k]);
    free(pending);
    if (!rc && is_enrollments) {
        rc = finish_enrollments(c, insert);
    }
    *digest = slds_csv_digest(csv);
    sqlite3_finalize(insert);
    sqlite3_finalize(ss.identity);
    sqlite3_finalize(ss.student);
    slds_csv_close(csv);
    return rc;
}

/* ---- the whole collection --------------------------------------------- */

static void ctx_free(load_ctx *c)
{
    slds_intern_free(&c->leas);
    slds_intern_free(&c->schools);
    slds_intern_free(&c->staff);
    slds_intern_free(&c->programs);
    slds_intern_free(&c->standards);
    slds_intern_free(&c->students);
    slds_intern_free(&c->crosswalk);
    slds_intern_free(&c->match_keys);
    free(c->crosswalk_student);
    free(c->crosswalk_source);
    free(c->match_student);
    slds_map64_free(&c->teacher_assignments);
    slds_map64_free(&c->enrolled_year);
    slds_map64_free(&c->enrolled_school_year);
    free(c->spells);
    sqlite3_finalize(c->reject_stmt);
}

/* Records the load (its id is the digest of the files' digests). */
static int record_load(load_ctx *c, const char *dir, const uint64_t *digests)
{
    uint64_t id = 1469598103934665603ull;
    for (int i = 0; i < c->res->nfiles; i++) {
        for (const char *p = c->res->files[i].file; *p; p++)
            id = (id ^ (unsigned char)*p) * 1099511628211ull;
        for (int b = 0; b < 8; b++)
            id = (id ^ ((digests[i] >> (8 * b)) & 0xFF)) * 1099511628211ull;
    }
    snprintf(c->res->load_id, sizeof c->res->load_id, "%016llx", (unsigned long long)id);
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->store, &st,
                                "UPDATE OR REPLACE rejects SET load_id = ? WHERE load_id = '" PENDING "'",
                                c->err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, c->res->load_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SLDS_OK : db_error(c, "recording rejects");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    rc = slds_store_prepare(c->store, &st,
                            "INSERT OR IGNORE INTO loads(load_id, source_dir, loaded_at, rows_read,"
                            " rows_loaded, rows_rejected) VALUES(?, ?, ?, ?, ?, ?)",
                            c->err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, c->res->load_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dir, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, when, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->res->read);
    sqlite3_bind_int64(st, 5, c->res->loaded);
    sqlite3_bind_int64(st, 6, c->res->rejected);
    rc = sqlite3_step(st) == SQLITE_DONE ? SLDS_OK : db_error(c, "recording the load");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    rc = slds_store_prepare(c->store, &st,
                            "INSERT OR REPLACE INTO load_files(load_id, file, digest, rows_read,"
                            " rows_loaded, rows_rejected) VALUES(?, ?, ?, ?, ?, ?)",
                            c->err);
    for (int i = 0; i < c->res->nfiles && !rc; i++) {
        const slds_file_result *f = &c->res->files[i];
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)digests[i]);
        sqlite3_bind_text(st, 1, c->res->load_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, f->file, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, f->read);
        sqlite3_bind_int64(st, 5, f->loaded);
        sqlite3_bind_int64(st, 6, f->rejected);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(c, "recording the load");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (!rc && c->ids_changed)
        rc = slds_ident_generator_save(c->store, &c->ids, c->err);
    return rc;
}

static int write_rejects_csv(load_ctx *c, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return slds_fail(c->err, SLDS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->store, &st,
                                "SELECT file, line, column_name, value, reason FROM rejects"
                                " WHERE load_id = ? ORDER BY file, line",
                                c->err);
    if (rc) {
        fclose(out);
        return rc;
    }
    sqlite3_bind_text(st, 1, c->res->load_id, -1, SQLITE_STATIC);
    fputs("file,line,column,value,reason\n", out);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < 5; i++) {
            if (i)
                fputc(',', out);
            slds_csv_write_field(out, (const char *)sqlite3_column_text(st, i));
        }
        fputc('\n', out);
    }
    sqlite3_finalize(st);
    if (fclose(out) != 0)
        return slds_fail(c->err, SLDS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    return SLDS_OK;
}

int slds_load_collection(slds_store *s, const char *dir, const slds_load_options *opt,
                         const slds_progress *progress, slds_load_result *res, slds_error *err)
{
    double t0 = slds_now();
    memset(res, 0, sizeof *res);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return slds_fail(err, SLDS_ERR_IO, "%s: not a folder", dir);
    load_ctx c = {.store = s, .err = err, .progress = progress, .res = res};
    int nfiles;
    const slds_file_def *files = slds_contract_files(&nfiles);
    char paths[SLDS_MAX_FILES][4096];
    const slds_file_def *present[SLDS_MAX_FILES];
    for (int i = 0; i < nfiles; i++) {
        char path[4096];
        size_t dirlen = strlen(dir);
        while (dirlen > 1 && dir[dirlen - 1] == '/')
            dirlen--;
        snprintf(path, sizeof path, "%.*s/%s", (int)dirlen, dir, files[i].file);
        if (stat(path, &st) == 0) {
            present[res->nfiles] = &files[i];
            memcpy(paths[res->nfiles], path, sizeof path);
            snprintf(res->files[res->nfiles].file, sizeof res->files[0].file, "%s", files[i].file);
            res->nfiles++;
            c.bytes_total += (uint64_t)st.st_size;
        } else
            snprintf(res->missing[res->nmissing++], sizeof res->missing[0], "%s", files[i].file);
    }
    if (res->nfiles == 0)
        return slds_fail(err, SLDS_ERR_DATA, "%s: no collection files found (expected e.g. schools.csv, "
                                             "students.csv, enrollments.csv; see docs/contract.md)",
                         dir);
    int rc = slds_store_begin(s, err);
    if (rc)
        return rc;
    rc = slds_store_prepare(s, &c.reject_stmt,
                            "INSERT OR REPLACE INTO rejects(load_id, file, line, column_name, value,"
                            " reason) VALUES('" PENDING "', ?, ?, ?, ?, ?)",
                            err);
    if (!rc)
        rc = slds_store_exec(s, "DELETE FROM rejects WHERE load_id = '" PENDING "'", err);
    if (!rc)
        rc = read_existing(&c);
    /* Spells already in the database form the enrolled sets for this load's
     * later files even when it has no enrollments.csv. */
    bool has_enrollments = false;
    for (int i = 0; i < res->nfiles; i++)
        has_enrollments |= !strcmp(present[i]->file, "enrollments.csv");
    if (!rc && !has_enrollments) {
        slds_file_result scratch = {0};
        c.cur = &scratch;
        rc = finish_enrollments(&c, NULL);
    }
    uint64_t digests[SLDS_MAX_FILES] = {0};
    for (int i = 0; i < res->nfiles && !rc; i++) {
        c.cur = &res->files[i];
        c.cur_file = present[i]->file;
        double file_start = slds_now();
        rc = load_file(&c, present[i], paths[i], &digests[i]);
        c.cur->seconds = slds_now() - file_start;
        res->read += c.cur->read;
        res->loaded += c.cur->loaded;
        res->rejected += c.cur->rejected;
    }
    if (!rc)
        rc = record_load(&c, dir, digests);
    if (!rc)
        rc = slds_store_commit(s, err);
    if (rc)
        slds_store_rollback(s);
    if (!rc && opt && opt->rejects_path)
        rc = write_rejects_csv(&c, opt->rejects_path);
    ctx_free(&c);
    res->seconds = slds_now() - t0;
    return rc;
}
