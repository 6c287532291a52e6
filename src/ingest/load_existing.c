/* load_existing.c - what the database already holds, read once at the start
 * of a load into the in-memory sets the cross-file checks use. */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

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

int crosswalk_set(load_ctx *c, const char *lea, const char *local, uint32_t student,
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

uint32_t crosswalk_find(load_ctx *c, const char *lea, const char *local, uint8_t *source)
{
    char key[160];
    int n = crosswalk_key(lea, local, key);
    uint32_t e = slds_intern_find(&c->crosswalk, key, (size_t)n);
    if (e == SLDS_NO_ID)
        return SLDS_NO_ID;
    *source = c->crosswalk_source[e];
    return c->crosswalk_student[e];
}

int match_add(load_ctx *c, const char *key, size_t len, uint32_t student)
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
            if (!strcmp(src, slds_load_id_sources[i]))
                source = i;
        uint32_t lea_idx = slds_intern_find(&c->leas, lea, strlen(lea));
        if (student == SLDS_NO_ID || crosswalk_set(c, lea, local, student, source) ||
            (mk && match_add(c, mk, strlen(mk), student)) ||
            (lea_idx != SLDS_NO_ID && set_student_lea(c, student, lea_idx))) {
            sqlite3_finalize(st);
            return nomem(c);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "reading student identities");
}

int push_spell(load_ctx *c, const spell *sp)
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

int8_t exit_code_index(const char *code)
{
    const slds_column_def *col = &slds_contract_find("enrollments.csv")->columns[SLDS_ENR_EXIT_CODE];
    for (int8_t i = 0; code && col->codes[i]; i++)
        if (!strcmp(col->codes[i], code))
            return (int8_t)(i + 1);
    return 0;
}

/* Schools and the district of each (for findings by district). */
static int read_schools(load_ctx *c)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st, "SELECT school_id, lea_id FROM schools", c->err))
        return c->err->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *school = (const char *)sqlite3_column_text(st, 0);
        const char *lea = (const char *)sqlite3_column_text(st, 1);
        uint32_t s = slds_intern_add(&c->schools, school, strlen(school));
        uint32_t l = slds_intern_find(&c->leas, lea, strlen(lea));
        if (s == SLDS_NO_ID || set_school_lea(c, s, l)) {
            sqlite3_finalize(st);
            return nomem(c);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "reading schools");
}

static int read_existing_spells(load_ctx *c)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st,
                           "SELECT student_id, school_id, school_year, grade_level, entry_date,"
                           " exit_date, exit_code FROM enrollments",
                           c->err))
        return c->err->code;
    const slds_column_def *grade_col = &slds_contract_find("enrollments.csv")->columns[SLDS_ENR_GRADE_LEVEL];
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

int read_existing(load_ctx *c)
{
    if (read_ids(c, "SELECT lea_id FROM leas", &c->leas) ||
        read_schools(c) ||
        read_ids(c, "SELECT staff_id FROM staff", &c->staff) ||
        read_ids(c, "SELECT prep_program_id FROM prep_programs", &c->programs) ||
        read_ids(c, "SELECT standard_id FROM standards", &c->standards) ||
        read_ids(c, "SELECT student_id FROM students", &c->students) || read_identities(c) ||
        read_teacher_assignments(c) || read_existing_spells(c))
        return c->err->code;
    return SLDS_OK;
}

