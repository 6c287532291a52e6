/* load_rows.c - one row of a file: the header map, the per-column checks and
 * the cross-file checks against what is known. */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- generic row handling --------------------------------------------- */


bool known(const slds_intern *t, const slds_value *v, uint32_t *idx)
{
    uint32_t id = slds_intern_find(t, v->text, v->len);
    if (idx)
        *idx = id;
    return id != SLDS_NO_ID;
}

/* Checks that rows of each file make sense with the rest of the state.
 * Returns NULL when the row is fine, else the reason; *col is the column. */
const char *cross_check(load_ctx *c, const slds_file_def *def, const row *r, int *col,
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
int remember_row(load_ctx *c, const slds_file_def *def, const row *r)
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

int prepare_insert(load_ctx *c, const char *table, const char *const *cols, int n,
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


int read_header(load_ctx *c, slds_csv *csv, const char *path, const slds_file_def *def,
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
const char *parse_row(const slds_file_def *def, const header_map *h,
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

