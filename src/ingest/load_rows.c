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

/* A reference that must resolve: a storage rule (the row would point at
 * nothing). *idx (when not NULL): the id it resolves to. */
static bool ref(load_ctx *c, verdict *v, const row *r, int col, const slds_intern *set, slds_rule rule,
                const char *what, uint32_t *idx)
{
    if (idx)
        *idx = SLDS_NO_ID;
    if (r->v[col].blank || known(set, &r->v[col], idx))
        return false;
    char why[160];
    snprintf(why, sizeof why, "unknown %s (not in this collection nor in the database)", what);
    return flag(c, v, rule, col, r->raw[col], r->rawlen[col], why);
}

#define REF(col, set, rule, what)                                                                  \
    do {                                                                                           \
        if (ref(c, v, r, col, &c->set, SLDS_RULE_##rule, what, NULL))                              \
            return;                                                                                \
    } while (0)
/* REF, keeping the id the reference resolves to in *idx */
#define REF_ID(col, set, rule, what, idx)                                                          \
    do {                                                                                           \
        if (ref(c, v, r, col, &c->set, SLDS_RULE_##rule, what, idx))                               \
            return;                                                                                \
    } while (0)
#define FLAG(rule, col, why)                                                                       \
    do {                                                                                           \
        if (flag(c, v, SLDS_RULE_##rule, col, r->raw[col], r->rawlen[col], why))                   \
            return;                                                                                \
    } while (0)

/* Whether no enrollment spell covers the place (student, school, year) of a
 * row of rosters, courses or attendance; noted in v, so that the place of a
 * loaded row is recorded for --replace (load_replace.c). */
static bool note_place(const load_ctx *c, verdict *v, uint32_t student, uint32_t school, int64_t year)
{
    if (slds_map64_get(&c->enrolled_school_year, key3(student, school, year), NULL))
        return false;
    v->no_spell = true;
    v->place = (place){student, school, (int32_t)year};
    return true;
}

/* Checks that a row of a plain file makes sense with the rest of the state,
 * noting every rule it breaks in v (checking stops at the first reject). */
void cross_check(load_ctx *c, const slds_file_def *def, const row *r, verdict *v)
{
    uint32_t a, b;
    char why[200];
    switch (def->kind) {
    case SLDS_FILE_SCHOOLS:
        REF(SLDS_SCH_LEA_ID, leas, REF_UNKNOWN_DISTRICT, "district");
        break;
    case SLDS_FILE_STAFF:
        REF(SLDS_STF_LEA_ID, leas, REF_UNKNOWN_DISTRICT, "district");
        REF(SLDS_STF_PREP_PROGRAM_ID, programs, REF_UNKNOWN_PROGRAM, "preparation program");
        break;
    case SLDS_FILE_STAFF_ASSIGNMENTS:
        REF(SLDS_ASG_STAFF_ID, staff, REF_UNKNOWN_STAFF, "staff member");
        REF(SLDS_ASG_SCHOOL_ID, schools, REF_UNKNOWN_SCHOOL, "school");
        break;
    case SLDS_FILE_OBSERVATIONS:
        REF(SLDS_OBS_STAFF_ID, staff, REF_UNKNOWN_STAFF, "staff member");
        break;
    case SLDS_FILE_STUDENT_ATTRIBUTES:
        REF(SLDS_ATR_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student");
        break;
    case SLDS_FILE_POSTSECONDARY:
        REF(SLDS_PSE_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student");
        break;
    case SLDS_FILE_COURSES:
        REF_ID(SLDS_CRS_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student", &a);
        REF_ID(SLDS_CRS_SCHOOL_ID, schools, REF_UNKNOWN_SCHOOL, "school", &b);
        note_place(c, v, a, b, r->v[SLDS_CRS_SCHOOL_YEAR].i);
        break;
    case SLDS_FILE_DISCIPLINE:
        REF(SLDS_DIS_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student");
        REF(SLDS_DIS_SCHOOL_ID, schools, REF_UNKNOWN_SCHOOL, "school");
        break;
    case SLDS_FILE_ATTENDANCE:
        REF_ID(SLDS_ATT_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student", &a);
        REF_ID(SLDS_ATT_SCHOOL_ID, schools, REF_UNKNOWN_SCHOOL, "school", &b);
        if (note_place(c, v, a, b, r->v[SLDS_ATT_SCHOOL_YEAR].i))
            FLAG(ATT_NOT_ENROLLED, SLDS_ATT_STUDENT_ID, "student not enrolled at this school in this school year");
        if (r->v[SLDS_ATT_DAYS_PRESENT].d > r->v[SLDS_ATT_DAYS_ENROLLED].d)
            FLAG(ATT_PRESENT_OVER_ENROLLED, SLDS_ATT_DAYS_PRESENT, "more days present than days enrolled");
        break;
    case SLDS_FILE_ROSTERS: {
        uint32_t t;
        REF_ID(SLDS_ROS_STAFF_ID, staff, REF_UNKNOWN_STAFF, "staff member", &t);
        REF_ID(SLDS_ROS_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student", &a);
        REF_ID(SLDS_ROS_SCHOOL_ID, schools, REF_UNKNOWN_SCHOOL, "school", &b);
        int64_t year = r->v[SLDS_ROS_SCHOOL_YEAR].i;
        bool no_spell = note_place(c, v, a, b, year);
        if (!slds_map64_get(&c->teacher_assignments, key3(t, b, year), NULL))
            FLAG(ROS_TEACHER_NOT_ASSIGNED, SLDS_ROS_STAFF_ID,
                 "staff member is not assigned as TEACHER to this school in this school year");
        if (no_spell)
            FLAG(ROS_NOT_ENROLLED, SLDS_ROS_STUDENT_ID, "student not enrolled at this school in this school year");
        break;
    }
    case SLDS_FILE_ASSESSMENTS: {
        REF(SLDS_ASM_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student");
        bool scored = !r->v[SLDS_ASM_SCALE_SCORE].blank, reason = !r->v[SLDS_ASM_NOT_TESTED_REASON].blank;
        if (scored == reason)
            FLAG(ASM_SCORE_AND_REASON, scored ? SLDS_ASM_NOT_TESTED_REASON : SLDS_ASM_SCALE_SCORE,
                 scored ? "a scored test must have a blank not_tested_reason"
                        : "scale_score is blank but no not_tested_reason is given");
        int year = (int)r->v[SLDS_ASM_SCHOOL_YEAR].i;
        known(&c->students, &r->v[SLDS_ASM_STUDENT_ID], &a);
        if (!slds_map64_get(&c->enrolled_year, key2(a, year), NULL))
            FLAG(ASM_NOT_ENROLLED, SLDS_ASM_STUDENT_ID, "student not enrolled in this school year");
        int64_t lo = slds_days_from_civil(year - 1, 7, 1), hi = slds_days_from_civil(year, 9, 30);
        if (r->v[SLDS_ASM_TEST_DATE].i < lo || r->v[SLDS_ASM_TEST_DATE].i > hi) {
            snprintf(why, sizeof why, "test date outside school year %d (%d-07-01 to %d-09-30)", year,
                     year - 1, year);
            FLAG(ASM_TEST_DATE_OUTSIDE_YEAR, SLDS_ASM_TEST_DATE, why);
        }
        break;
    }
    case SLDS_FILE_FINANCE:
        REF(SLDS_FIN_LEA_ID, leas, REF_UNKNOWN_DISTRICT, "district");
        REF(SLDS_FIN_SCHOOL_ID, schools, REF_UNKNOWN_SCHOOL, "school");
        break;
    case SLDS_FILE_ITEM_RESPONSES:
        REF(SLDS_ITM_STUDENT_ID, students, REF_UNKNOWN_STUDENT, "student");
        REF(SLDS_ITM_STANDARD_ID, standards, REF_UNKNOWN_STANDARD, "standard");
        break;
    default:
        break;
    }
}
#undef REF
#undef FLAG

/* Adds what later files will check against (ids, assignments, districts of
 * schools). Fails only for lack of memory; err is the caller's (the reader
 * thread passes its own). */
int remember_row(load_ctx *c, const slds_file_def *def, const row *r, slds_error *err)
{
    slds_intern *set = def->kind == SLDS_FILE_LEAS            ? &c->leas
                       : def->kind == SLDS_FILE_SCHOOLS       ? &c->schools
                       : def->kind == SLDS_FILE_STAFF         ? &c->staff
                       : def->kind == SLDS_FILE_PREP_PROGRAMS ? &c->programs
                       : def->kind == SLDS_FILE_STANDARDS     ? &c->standards
                                                              : NULL;
    uint32_t id = SLDS_NO_ID;
    if (set && (id = slds_intern_add(set, r->v[0].text, r->v[0].len)) == SLDS_NO_ID)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
    if (def->kind == SLDS_FILE_SCHOOLS) {
        uint32_t lea;
        known(&c->leas, &r->v[SLDS_SCH_LEA_ID], &lea);
        size_t old = c->school_lea_cap;
        if (slds_grow_u32(&c->school_lea, &c->school_lea_cap, id))
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
        for (size_t i = old; i < c->school_lea_cap; i++)
            c->school_lea[i] = SLDS_NO_ID;
        c->school_lea[id] = lea;
    }
    if (def->kind == SLDS_FILE_STAFF_ASSIGNMENTS && !strcmp(r->v[SLDS_ASG_ROLE].text, "TEACHER")) {
        uint32_t t, s;
        known(&c->staff, &r->v[SLDS_ASG_STAFF_ID], &t);
        known(&c->schools, &r->v[SLDS_ASG_SCHOOL_ID], &s);
        if (!slds_map64_put(&c->teacher_assignments, key3(t, s, r->v[SLDS_ASG_SCHOOL_YEAR].i), 1))
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
    }
    return SLDS_OK;
}

/* An upsert keyed by the natural key: a new key is inserted; a stored row
 * with the same key is updated only when a value differs, so re-loading the
 * same row writes nothing, and a changed row fires the change history's
 * trigger (load_history.c) with the old values. */
int prepare_insert(load_ctx *c, const char *table, const char *const *cols, int n, const char *key,
                   sqlite3_stmt **st)
{
    return prepare_insert_rows(c, table, cols, n, key, 1, st);
}

/* The same upsert for nrows rows at once: row r's column i is parameter
 * r * n + i + 1. One statement for many rows pays SQLite's per-statement
 * work (start, halt, cursor opening) once: measured, about a third of
 * SQLite's cost per row for single-row statements. */
int prepare_insert_rows(load_ctx *c, const char *table, const char *const *cols, int n, const char *key,
                        int nrows, sqlite3_stmt **st)
{
    slds_buf sql = {0};
    slds_buf_printf(&sql, "INSERT INTO %s AS t(", table);
    for (int i = 0; i < n; i++)
        slds_buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
    slds_buf_puts(&sql, ") VALUES");
    for (int r = 0; r < nrows; r++) {
        slds_buf_puts(&sql, r ? ", (" : "(");
        for (int i = 0; i < n; i++)
            slds_buf_puts(&sql, i ? ", ?" : "?");
        slds_buf_puts(&sql, ")");
    }
    slds_buf_printf(&sql, " ON CONFLICT(%s) DO ", key);
    int nset = 0;
    char keys[256];
    snprintf(keys, sizeof keys, ",%s,", key);
    for (char *p = keys; *p; p++)
        if (*p == ' ')
            memmove(p, p + 1, strlen(p));
    for (int i = 0; i < n; i++) {
        char probe[80];
        snprintf(probe, sizeof probe, ",%s,", cols[i]);
        if (strstr(keys, probe))
            continue;
        slds_buf_printf(&sql, "%s%s = excluded.%s", nset ? ", " : "UPDATE SET ", cols[i], cols[i]);
        nset++;
    }
    if (!nset)
        slds_buf_puts(&sql, "NOTHING");
    else {
        nset = 0;
        for (int i = 0; i < n; i++) {
            char probe[80];
            snprintf(probe, sizeof probe, ",%s,", cols[i]);
            if (strstr(keys, probe))
                continue;
            slds_buf_printf(&sql, "%st.%s IS NOT excluded.%s", nset++ ? " OR " : " WHERE ", cols[i],
                            cols[i]);
        }
    }
    if (slds_buf_puts(&sql, ""))
        return nomem(c);
    int rc = slds_store_prepare(c->store, st, sql.data, c->err);
    slds_buf_free(&sql);
    return rc;
}

int read_header(slds_csv *csv, const char *path, const slds_file_def *def, header_map *h,
                slds_file_result *fr, slds_error *err)
{
    slds_csv_record rec;
    int got = slds_csv_next(csv, &rec, err);
    if (got < 0)
        return err->code;
    if (got == 0)
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: line 1: the file is empty (expected a header row naming the columns)",
                         path);
    if (rec.bad_quote_field >= 0)
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: line 1, column %d: the header has a stray quote (a name quoted only in part)",
                         path, rec.bad_quote_field + 1);
    if (rec.bad_utf8_field >= 0)
        return slds_fail(err, SLDS_ERR_DATA,
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
            if (extra_len < sizeof fr->extra_columns - 1)
                extra_len += (size_t)snprintf(fr->extra_columns + extra_len,
                                              sizeof fr->extra_columns - extra_len, "%s%s",
                                              extra_len ? ", " : "", name);
            continue;
        }
        if (h->pos[col] >= 0)
            return slds_fail(err, SLDS_ERR_DATA, "%s: line 1, column %d: column '%s' appears twice",
                             path, f + 1, name);
        h->pos[col] = f;
    }
    for (int i = 0; i < def->ncolumns; i++)
        if (h->pos[i] < 0 && def->columns[i].required)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: line 1: required column '%s' is missing from the header "
                             "(found: %d columns)",
                             path, def->columns[i].name, rec.nfields);
    return SLDS_OK;
}

/* Structural and per-column checks of one record: false when the row is
 * rejected (v->reject says why; the row is then not checked further). */
bool parse_row(const slds_file_def *def, const header_map *h, const slds_csv_record *rec, row *r,
               verdict *v)
{
    char why[400];
    flagged *f = &v->reject;
    if (rec->nfields != h->nfields) {
        snprintf(why, sizeof why, "expected %d fields (as in the header), found %d", h->nfields,
                 rec->nfields);
        v->rejected = true;
        *f = (flagged){.rule = SLDS_RULE_ROW_FIELD_COUNT, .col = -1};
        snprintf(f->why, sizeof f->why, "%s", why);
        return false;
    }
    if (rec->bad_utf8_field >= 0 || rec->bad_quote_field >= 0) {
        int fi = rec->bad_utf8_field >= 0 ? rec->bad_utf8_field : rec->bad_quote_field;
        v->rejected = true;
        *f = (flagged){.rule = rec->bad_utf8_field >= 0 ? SLDS_RULE_ROW_NOT_UTF8 : SLDS_RULE_ROW_STRAY_QUOTE,
                       .col = -1, .value = rec->fields[fi], .vlen = rec->lengths[fi]};
        for (int i = 0; i < def->ncolumns; i++)
            if (h->pos[i] == fi)
                f->col = i;
        snprintf(f->why, sizeof f->why, "%s",
                 rec->bad_utf8_field >= 0 ? "not valid UTF-8 (wrong encoding?)"
                                          : "stray quote: a field is quoted only in part");
        return false;
    }
    for (int i = 0; i < def->ncolumns; i++) {
        int p = h->pos[i];
        const char *s = p >= 0 ? rec->fields[p] : "";
        size_t len = p >= 0 ? rec->lengths[p] : 0;
        r->raw[i] = s;
        r->rawlen[i] = len;
        slds_rule rule;
        const char *reason = slds_field_check(&def->columns[i], s, len, &r->v[i], why, sizeof why, &rule);
        if (reason) {
            v->rejected = true;
            *f = (flagged){.rule = rule, .col = i, .value = s, .vlen = len};
            snprintf(f->why, sizeof f->why, "%s", reason);
            return false;
        }
    }
    return true;
}
