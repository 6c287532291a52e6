/* load_students.c - students.csv: identity, the crosswalk and statewide ids. */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

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
    uint32_t lea = slds_intern_find(&c->leas, f[0], strlen(f[0]));
    if (student == SLDS_NO_ID || crosswalk_set(c, f[0], f[1], student, source) ||
        (has_identity && match_add(c, mk, mklen, student)) ||
        (lea != SLDS_NO_ID && set_student_lea(c, student, lea)))
        return nomem(c);
    /* values of the two rows: identity's 9 columns, then students' 2 */
    const char *v[11] = {f[0], f[1], sid, f[2][0] ? f[2] : NULL, f[3][0] ? f[3] : NULL, f[4][0] ? f[4] : NULL,
                         f[5][0] ? f[5] : NULL, NULL, slds_load_id_sources[source], sid, f[5]};
    int vlen[11];
    for (int i = 0; i < 11; i++)
        vlen[i] = v[i] ? (int)strlen(v[i]) : -1;
    if (has_identity) {
        v[7] = mk;
        vlen[7] = (int)mklen;
    }
    if (ss->n == STUDENTS_PER_STATEMENT && flush_students(c, ss))
        return c->err->code;
    int k = ss->n++;
    for (int i = 0; i < 11; i++) {
        ss->off[k][i] = -1;
        ss->len[k][i] = vlen[i];
        if (vlen[i] >= 0) {
            ss->off[k][i] = (int64_t)ss->text.len;
            if (slds_buf_append(&ss->text, v[i], (size_t)vlen[i]))
                return nomem(c);
        }
    }
    c->cur->loaded++;
    return SLDS_OK;
}

static void bind_kept(sqlite3_stmt *st, int param, const student_stmts *ss, int k, int i)
{
    if (ss->off[k][i] < 0)
        sqlite3_bind_null(st, param);
    else
        sqlite3_bind_text(st, param, ss->text.data + ss->off[k][i], ss->len[k][i], SQLITE_STATIC);
}

int flush_students(load_ctx *c, student_stmts *ss)
{
    int rc = SLDS_OK;
    for (int k = 0; k < ss->n && !rc;) {
        bool many = ss->identity_many && ss->student_many && ss->n - k == STUDENTS_PER_STATEMENT;
        int rows = many ? STUDENTS_PER_STATEMENT : 1;
        sqlite3_stmt *st = many ? ss->identity_many : ss->identity;
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < 9; i++)
                bind_kept(st, r * 9 + i + 1, ss, k + r, i);
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = db_error(c, "writing student_identity");
            break;
        }
        st = many ? ss->student_many : ss->student;
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < 2; i++)
                bind_kept(st, r * 2 + i + 1, ss, k + r, 9 + i);
        step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE)
            rc = db_error(c, "writing students");
        k += rows;
    }
    ss->n = 0;
    slds_buf_clear(&ss->text);
    return rc;
}

int resolve_pending_student(load_ctx *c, student_stmts *ss, const pending_student *p)
{
    const char *const *f = (const char *const *)p->fields;
    uint8_t source;
    uint32_t student = crosswalk_find(c, f[0], f[1], &source);
    if (student == SLDS_NO_ID) {
        char mk[SLDS_MATCH_KEY_MAX];
        size_t mklen = slds_ident_match_key(f[2], f[3], f[4], f[5], mk, sizeof mk);
        uint32_t e = slds_intern_find(&c->match_keys, mk, mklen);
        if (e != SLDS_NO_ID && c->match_student[e] == AMBIGUOUS)
            return reject_row(c, p->line, "student_id", "", 0, SLDS_RULE_STU_AMBIGUOUS_MATCH,
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

int handle_student_row(load_ctx *c, student_stmts *ss, const row *r, long line,
                              pending_student **pending, size_t *npending, size_t *cappending)
{
    if (!known(&c->leas, &r->v[SLDS_STU_LEA_ID], NULL))
        return reject_row(c, line, "lea_id", r->raw[SLDS_STU_LEA_ID], r->rawlen[SLDS_STU_LEA_ID],
                          SLDS_RULE_REF_UNKNOWN_DISTRICT,
                          "unknown district (not in this collection nor in the database)");
    /* The same district and local id twice in the file: the later is rejected. */
    static const int key[] = {SLDS_STU_LEA_ID, SLDS_STU_LOCAL_STUDENT_ID, -1};
    uint64_t h = natural_key_hash(slds_contract_find("students.csv"), key, r);
    if (key_set_get(&c->file_keys, h) != KEY_ABSENT)
        return reject_row(c, line, "local_student_id", r->raw[SLDS_STU_LOCAL_STUDENT_ID],
                          r->rawlen[SLDS_STU_LOCAL_STUDENT_ID], SLDS_RULE_KEY_DUPLICATE_IN_FILE,
                          "district and local id already given on an earlier line of this file");
    if (!key_set_put(&c->file_keys, h, true))
        return nomem(c);
    if (r->v[SLDS_STU_STUDENT_ID].blank) {
        for (int i = SLDS_STU_FIRST_NAME; i <= SLDS_STU_BIRTH_DATE; i++)
            if (r->v[i].blank)
                return reject_row(c, line, slds_contract_find("students.csv")->columns[i].name, "", 0,
                                  SLDS_RULE_STU_IDENTITY_MISSING,
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
            return reject_row(c, line, "student_id", r->raw[SLDS_STU_STUDENT_ID],
                              r->rawlen[SLDS_STU_STUDENT_ID], SLDS_RULE_STU_LINKED_TO_OTHER_ID, why);
        }
    } else
        source = SRC_DISTRICT;
    return write_identity(c, ss, fp, f[6], source);
}

