/* load_replace.c - --replace lea=ID[,year=YYYY]: a district's resubmission
 * of its files. In the load's transaction, the stored rows of each present
 * file's table that belong to the scope and whose key the new file does not
 * give are deleted (docs/load.md says which rows belong to a scope).
 *
 * How it costs no more than the plain load of the same files:
 *  - Before a file's rows are written, the stored rows of its scope are
 *    read once (replace_scope_read; for a plain file by the writing thread
 *    while the reading thread parses the first batch), each kept as its
 *    key's digest, a digest of its values and its key's text. A row of the
 *    file whose key and values are stored as they are is then not written
 *    at all: the upsert would find it and change nothing (the reading
 *    thread drops it from its batch before sorting, load_pipeline.c; an
 *    enrollment, load_enrollments.c). In a resubmission most rows are
 *    unchanged, so replace writes less than the plain load, which upserts
 *    every row.
 *  - After the file, the scope's rows whose key the file did not give
 *    (loaded or rejected: a rejected row still protects its stored row) are
 *    deleted by key (replace_scope_delete).
 *  - The scope's rows are found through keys, never by reading a whole
 *    large table. The keys of rosters, courses, attendance, assessments and
 *    student_attributes begin with (student_id, school_year): their rows are
 *    read per (student, year) of the district's enrollment spells (the
 *    enrollments_school_year index), plus, for the three tables with a
 *    school, the places (student, school, year) in orphan_places: rows of
 *    those tables that no spell covered when they were stored, and the
 *    places of spells deleted or moved to another year since. Every stored
 *    row of the three has its place in enrollments or orphan_places (the
 *    loader records the place of each row no spell covers, and triggers on
 *    enrollments the place of each deleted or moved spell), so the rows
 *    read are all the rows of the scope; those at another district's school
 *    are left out by the scope's condition. Enrollments are found by their
 *    (school_id, school_year) index; the small tables (staff_assignments,
 *    discipline, observations, finance) are read whole. */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the scope's rows ------------------------------------------------------ */

/* The rows of a table that belong to district ?1 (and school year ?2 when
 * by_year: a year given, written in so that an index on it is used), as a
 * condition on alias t; NULL for files that --replace leaves as an upsert
 * (registries: districts, schools, staff, students, programs, standards; and
 * postsecondary, item_responses, which name no district). */
static const char *scope_condition(slds_file_kind kind, bool by_year)
{
    switch (kind) {
    case SLDS_FILE_ROSTERS:
    case SLDS_FILE_COURSES:
    case SLDS_FILE_ATTENDANCE:
        /* read per (student, year) of scope_pairs, then kept when the school
         * is the district's ('+': not a seek per school of the district) */
        return "+t.school_id IN (SELECT school_id FROM schools WHERE lea_id = ?1)";
    case SLDS_FILE_ENROLLMENTS:
    case SLDS_FILE_STAFF_ASSIGNMENTS:
        return by_year ? "t.school_year = ?2 AND t.school_id IN (SELECT school_id FROM schools WHERE lea_id = ?1)"
                       : "t.school_id IN (SELECT school_id FROM schools WHERE lea_id = ?1)";
    case SLDS_FILE_DISCIPLINE:
        return by_year ? "t.action_date BETWEEN printf('%04d-07-01', ?2 - 1) AND printf('%04d-06-30', ?2)"
                         " AND t.school_id IN (SELECT school_id FROM schools WHERE lea_id = ?1)"
                       : "t.school_id IN (SELECT school_id FROM schools WHERE lea_id = ?1)";
    case SLDS_FILE_ASSESSMENTS:
    case SLDS_FILE_STUDENT_ATTRIBUTES:
        return "d.spell"; /* (found from the district's spells: scope_source) */
    case SLDS_FILE_FINANCE:
        return by_year ? "t.lea_id = ?1 AND t.school_year = ?2" : "t.lea_id = ?1";
    case SLDS_FILE_OBSERVATIONS:
        return by_year ? "t.staff_id IN (SELECT staff_id FROM staff WHERE lea_id = ?1) AND t.school_year = ?2"
                       : "t.staff_id IN (SELECT staff_id FROM staff WHERE lea_id = ?1)";
    default:
        return NULL;
    }
}

static void bind_scope(load_ctx *c, sqlite3_stmt *st)
{
    sqlite3_bind_text(st, 1, c->opt.replace_lea, -1, SQLITE_STATIC);
    if (c->opt.replace_year && sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int(st, 2, c->opt.replace_year);
}

/* The (student, year) pairs through which the rows of the student-keyed
 * tables are read, once per load (after its enrollments): those of the
 * district's spells (spell = 1; the scope of assessments and attributes),
 * then the places no spell covers at the district's schools (spell = 0),
 * in a temporary table in key order. */
static int scope_pairs(load_ctx *c)
{
    if (c->replace_pairs_ready)
        return SLDS_OK;
    bool by_year = c->opt.replace_year != 0;
    const char *sql[2] = {
        by_year ? "INSERT OR IGNORE INTO temp.slds_replace_pairs SELECT e.student_id, e.school_year, 1"
                  " FROM schools s JOIN enrollments e ON e.school_id = s.school_id AND e.school_year = ?2"
                  " WHERE s.lea_id = ?1"
                : "INSERT OR IGNORE INTO temp.slds_replace_pairs SELECT e.student_id, e.school_year, 1"
                  " FROM schools s JOIN enrollments e ON e.school_id = s.school_id WHERE s.lea_id = ?1",
        by_year ? "INSERT OR IGNORE INTO temp.slds_replace_pairs SELECT p.student_id, p.school_year, 0"
                  " FROM schools s JOIN orphan_places p ON p.school_id = s.school_id AND p.school_year = ?2"
                  " WHERE s.lea_id = ?1"
                : "INSERT OR IGNORE INTO temp.slds_replace_pairs SELECT p.student_id, p.school_year, 0"
                  " FROM schools s JOIN orphan_places p ON p.school_id = s.school_id WHERE s.lea_id = ?1"};
    if (slds_store_exec(c->store,
                        "CREATE TEMP TABLE IF NOT EXISTS slds_replace_pairs(sid TEXT NOT NULL,"
                        " yr INTEGER NOT NULL, spell INTEGER NOT NULL, PRIMARY KEY(sid, yr)) WITHOUT ROWID;"
                        "DELETE FROM temp.slds_replace_pairs;",
                        c->err))
        return c->err->code;
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st;
        if (slds_store_prepare(c->store, &st, sql[i], c->err))
            return c->err->code;
        bind_scope(c, st);
        int rc = sqlite3_step(st) == SQLITE_DONE ? SLDS_OK : db_error(c, "finding the district's students");
        sqlite3_finalize(st);
        if (rc)
            return rc;
    }
    c->replace_pairs_ready = true;
    return SLDS_OK;
}

/* Where the rows of a table's scope are read from (alias t). Tables whose
 * key begins with (student_id, school_year) are looked up by that prefix
 * for each pair of scope_pairs: a B-tree descent per student of the
 * district, in key order, instead of a scan of the whole table. */
static void scope_source(slds_buf *sql, const slds_file_def *def)
{
    switch (def->kind) {
    case SLDS_FILE_ASSESSMENTS:
    case SLDS_FILE_STUDENT_ATTRIBUTES:
    case SLDS_FILE_ROSTERS:
    case SLDS_FILE_COURSES:
    case SLDS_FILE_ATTENDANCE:
        slds_buf_printf(sql, " FROM temp.slds_replace_pairs d CROSS JOIN %s t"
                             " ON t.student_id = d.sid AND t.school_year = d.yr",
                        def->table);
        break;
    default:
        slds_buf_printf(sql, " FROM %s t", def->table);
    }
}

static bool by_pairs(slds_file_kind kind)
{
    return kind == SLDS_FILE_ASSESSMENTS || kind == SLDS_FILE_STUDENT_ATTRIBUTES || kind == SLDS_FILE_ROSTERS ||
           kind == SLDS_FILE_COURSES || kind == SLDS_FILE_ATTENDANCE;
}

/* A scope that matches nothing stored is a mistake (a typo in the district
 * or the year): stop before loading anything. */
int replace_check_scope(load_ctx *c)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->store, &st,
                                "SELECT (SELECT count(*) FROM leas WHERE lea_id = ?1),"
                                " (SELECT count(*) FROM enrollments t WHERE t.school_id IN"
                                " (SELECT school_id FROM schools WHERE lea_id = ?1)"
                                " AND (?2 IS NULL OR t.school_year = ?2))",
                                c->err);
    if (rc)
        return rc;
    bind_scope(c, st);
    int64_t leas = 0, spells = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        leas = sqlite3_column_int64(st, 0);
        spells = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (!leas)
        return slds_fail(c->err, SLDS_ERR_USAGE,
                         "--replace lea=%s: no such district in the database (nothing to replace)",
                         c->opt.replace_lea);
    if (!spells && c->opt.replace_year)
        return slds_fail(c->err, SLDS_ERR_USAGE,
                         "--replace lea=%s,year=%d: the database holds no enrollment of that district "
                         "that year (nothing to replace)",
                         c->opt.replace_lea, c->opt.replace_year);
    return SLDS_OK;
}

void stored_scope_free(stored_scope *s)
{
    free(s->rows);
    free(s->slots);
    slds_buf_free(&s->keys);
    memset(s, 0, sizeof *s);
}

static inline size_t scope_slot(const stored_scope *s, uint64_t key)
{
    return (size_t)(key >> 17) & s->mask;
}

bool stored_scope_same(const stored_scope *s, uint64_t key, uint64_t values)
{
    if (!s->active || !s->slots)
        return false;
    for (size_t i = scope_slot(s, key);; i = (i + 1) & s->mask) {
        uint32_t r = s->slots[i];
        if (!r)
            return false;
        if (s->rows[r - 1].key == key)
            return s->rows[r - 1].values == values;
    }
}

/* Adds the current row of st (the table's columns in contract order). Each
 * column is read once, by its type (asking a number for its text would
 * convert it). */
static int scope_add(load_ctx *c, sqlite3_stmt *st, const slds_file_def *def, const int *keys)
{
    stored_scope *s = &c->scope;
    uint64_t values = ROW_DIGEST_START;
    const char *text[16];
    size_t len[16];
    int64_t num[16];
    int type[16] = {0};
    for (int i = 0; i < def->ncolumns; i++)
        switch (type[i] = sqlite3_column_type(st, i)) {
        case SQLITE_NULL:
            values = row_digest_null(values);
            break;
        case SQLITE_INTEGER:
            num[i] = sqlite3_column_int64(st, i);
            values = row_digest_int(values, num[i]);
            break;
        case SQLITE_FLOAT:
            values = row_digest_real(values, sqlite3_column_double(st, i));
            break;
        case SQLITE_TEXT:
            text[i] = (const char *)sqlite3_column_text(st, i);
            len[i] = (size_t)sqlite3_column_bytes(st, i);
            values = row_digest_text(values, text[i], len[i]);
            break;
        default:
            values = digest_mix(values, 0x50); /* a blob: no row of a file */
        }
    /* The key's canonical text, fields ended by 0x1f, as natural_key_hash
     * hashes a row of a file (a year as its digits, a blank as nothing). */
    char buf[2048];
    size_t w = 0;
    for (int k = 0; keys[k] >= 0; k++) {
        int i = keys[k];
        const char *v = NULL;
        size_t n = 0;
        char digits[32];
        if (type[i] == SQLITE_TEXT) {
            v = text[i];
            n = len[i];
        } else if (type[i] == SQLITE_INTEGER) {
            /* decimal digits by hand, as natural_key_hash writes them */
            uint64_t x = num[i] < 0 ? (uint64_t)(-(num[i] + 1)) + 1 : (uint64_t)num[i];
            char *e = digits + sizeof digits, *d = e;
            do
                *--d = (char)('0' + x % 10);
            while (x /= 10);
            if (num[i] < 0)
                *--d = '-';
            v = d;
            n = (size_t)(e - d);
        } else if (type[i] != SQLITE_NULL) {
            v = (const char *)sqlite3_column_text(st, i);
            n = v ? strlen(v) : 0;
        }
        if (n > sizeof buf - w - 2)
            n = sizeof buf - w - 2;
        if (n)
            memcpy(buf + w, v, n);
        w += n;
        buf[w++] = '\x1f';
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        scope_row *p = realloc(s->rows, cap * sizeof *p);
        if (!p)
            return nomem(c);
        s->rows = p;
        s->cap = cap;
    }
    size_t off = s->keys.len;
    if (slds_buf_append(&s->keys, buf, w))
        return nomem(c);
    s->rows[s->n++] = (scope_row){key_digest(buf, w), values, off, (uint32_t)w};
    return SLDS_OK;
}

/* Builds the lookup by key digest over the rows read. */
static int scope_index(load_ctx *c)
{
    stored_scope *s = &c->scope;
    size_t n = 16;
    while (n < s->n * 2)
        n *= 2;
    if (n > s->mask + 1 || !s->slots) {
        free(s->slots);
        s->slots = malloc(n * sizeof *s->slots);
        if (!s->slots) {
            s->mask = 0;
            return nomem(c);
        }
    }
    s->mask = n - 1;
    memset(s->slots, 0, n * sizeof *s->slots);
    for (size_t r = 0; r < s->n; r++) {
        size_t i = scope_slot(s, s->rows[r].key);
        while (s->slots[i])
            i = (i + 1) & s->mask;
        s->slots[i] = (uint32_t)(r + 1);
    }
    return SLDS_OK;
}

int replace_scope_read(load_ctx *c, const slds_file_def *def)
{
    stored_scope *s = &c->scope;
    s->active = false;
    s->n = 0;
    slds_buf_clear(&s->keys);
    const char *cond = c->opt.replace_lea ? scope_condition(def->kind, c->opt.replace_year != 0) : NULL;
    if (!cond)
        return SLDS_OK;
    if (by_pairs(def->kind) && scope_pairs(c))
        return c->err->code;
    int keys[17];
    natural_key_columns(def, keys);
    slds_buf sql = {0};
    slds_buf_puts(&sql, "SELECT ");
    for (int i = 0; i < def->ncolumns; i++)
        slds_buf_printf(&sql, "%st.%s", i ? ", " : "", def->columns[i].name);
    scope_source(&sql, def);
    slds_buf_printf(&sql, " WHERE %s", cond);
    if (slds_buf_puts(&sql, "")) {
        slds_buf_free(&sql);
        return nomem(c);
    }
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->store, &st, sql.data, c->err);
    slds_buf_free(&sql);
    if (rc)
        return rc;
    bind_scope(c, st);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && !rc)
        rc = scope_add(c, st, def, keys);
    if (!rc && step != SQLITE_DONE)
        rc = db_error(c, "finding the rows to replace");
    sqlite3_finalize(st);
    if (!rc)
        rc = scope_index(c);
    s->active = !rc;
    return rc;
}

int replace_scope_delete(load_ctx *c, const slds_file_def *def)
{
    stored_scope *s = &c->scope;
    if (!s->active)
        return SLDS_OK;
    s->active = false;
    int keys[17];
    natural_key_columns(def, keys);
    slds_buf del = {0};
    slds_buf_printf(&del, "DELETE FROM %s WHERE ", def->table);
    for (int k = 0; keys[k] >= 0; k++)
        slds_buf_printf(&del, "%s%s IS ?%d", k ? " AND " : "", def->columns[keys[k]].name, k + 1);
    if (slds_buf_puts(&del, "")) {
        slds_buf_free(&del);
        return nomem(c);
    }
    sqlite3_stmt *rm;
    int rc = slds_store_prepare(c->store, &rm, del.data, c->err);
    slds_buf_free(&del);
    for (size_t r = 0; !rc && r < s->n; r++) {
        const scope_row *x = &s->rows[r];
        if (key_set_get(&c->file_keys, x->key) != KEY_ABSENT)
            continue;
        const char *p = s->keys.data + x->off;
        for (int k = 0; keys[k] >= 0; k++) {
            const char *q = memchr(p, '\x1f', (size_t)(s->keys.data + x->off + x->len - p));
            /* a year is an integer column; a blank subject_area is stored as '' */
            if (def->columns[keys[k]].type == SLDS_COL_YEAR) {
                char digits[24];
                size_t n = (size_t)(q - p) < sizeof digits - 1 ? (size_t)(q - p) : sizeof digits - 1;
                memcpy(digits, p, n);
                digits[n] = '\0';
                sqlite3_bind_int64(rm, k + 1, strtoll(digits, NULL, 10));
            } else
                sqlite3_bind_text(rm, k + 1, p, (int)(q - p), SQLITE_STATIC);
            p = q + 1;
        }
        if (sqlite3_step(rm) != SQLITE_DONE)
            rc = db_error(c, "deleting a replaced row");
        else
            c->cur->deleted += sqlite3_changes(c->store->db);
        sqlite3_reset(rm);
    }
    sqlite3_finalize(rm);
    s->n = 0;
    return rc;
}

/* ---- places no spell covers ------------------------------------------------- */

int places_record(load_ctx *c, const place *p, size_t n)
{
    if (!n)
        return SLDS_OK;
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->store, &st,
                                "INSERT OR IGNORE INTO orphan_places(school_id, school_year, student_id)"
                                " VALUES(?, ?, ?)",
                                c->err);
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_bind_text(st, 1, slds_intern_str(&c->schools, p[i].school), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, p[i].year);
        sqlite3_bind_text(st, 3, slds_intern_str(&c->students, p[i].student), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(c, "recording the places no spell covers");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* A spell deleted, or moved to another year, leaves the rows that named its
 * place without a spell: its place is recorded so a later --replace of that
 * district still finds them. (Only on a filled enrollments table: rows of
 * an empty one can only be inserted during this load.) */
int places_triggers(load_ctx *c, bool create)
{
    static const char *const make[] = {
        "CREATE TEMP TRIGGER IF NOT EXISTS slds_places_enrollments_delete AFTER DELETE ON main.enrollments"
        " BEGIN INSERT OR IGNORE INTO orphan_places(school_id, school_year, student_id)"
        " VALUES(OLD.school_id, OLD.school_year, OLD.student_id); END;",
        "CREATE TEMP TRIGGER IF NOT EXISTS slds_places_enrollments_update AFTER UPDATE ON main.enrollments"
        " WHEN OLD.school_year IS NOT NEW.school_year"
        " BEGIN INSERT OR IGNORE INTO orphan_places(school_id, school_year, student_id)"
        " VALUES(OLD.school_id, OLD.school_year, OLD.student_id); END;"};
    if (!create)
        return slds_store_exec(c->store,
                               "DROP TRIGGER IF EXISTS temp.slds_places_enrollments_delete;"
                               "DROP TRIGGER IF EXISTS temp.slds_places_enrollments_update;"
                               "DROP TABLE IF EXISTS temp.slds_replace_pairs;",
                               c->err);
    int held = table_has_rows(c, "enrollments");
    if (held < 0)
        return c->err->code;
    for (int i = 0; held && i < 2; i++)
        if (slds_store_exec(c->store, make[i], c->err))
            return c->err->code;
    return SLDS_OK;
}
