/* load_history.c - what a load changes in rows already stored: the change
 * history (the old row of every replaced or deleted row, with the load id
 * and time; --replace itself is load_replace.c), the secondary indexes of a
 * table filled from empty, rules files, and reading the history.
 *
 * History is kept by TEMP triggers that exist only on the loading
 * connection and only during a load: BEFORE UPDATE and BEFORE DELETE on each
 * table a load writes that holds rows when the load starts copy the old row
 * (as JSON) into row_history (an empty table gets none: only this load's
 * inserts can reach it). The
 * loader's upsert updates a stored row only when a value differs, so a first
 * load into an empty database, or re-loading the same rows, fires nothing
 * and writes no history. student_identity is left out: names and birth
 * dates are kept nowhere else.
 *
 * The tables (findings, row_history, the rule and count columns) are
 * migration {"ingest", 2} of the store's schema registry (store/schema.c),
 * made by the writer open. */
#include "ingest/load_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>


/* ---- change history ---------------------------------------------------- */

/* The tables a load writes, with their columns (students: the two columns
 * of the pseudonymous table; the others: their file's columns). */
static int history_tables(const slds_file_def **defs)
{
    int n, k = 0;
    const slds_file_def *files = slds_contract_files(&n);
    for (int i = 0; i < n; i++)
        if (files[i].kind != SLDS_FILE_STUDENTS)
            defs[k++] = &files[i];
    return k;
}

static int trigger_sql(slds_buf *sql, const char *table, const char *const *cols, int ncols, bool has_student,
                       const char *event, const char *change)
{
    slds_buf_printf(sql,
                    "CREATE TEMP TRIGGER IF NOT EXISTS slds_history_%s_%s BEFORE %s ON main.%s BEGIN"
                    " INSERT INTO row_history(load_id, table_name, student_id, change, old_row)"
                    " VALUES('" PENDING "', '%s', %s, '%s', json_object(",
                    event, table, event, table, table, has_student ? "OLD.student_id" : "NULL", change);
    for (int i = 0; i < ncols; i++)
        slds_buf_printf(sql, "%s'%s', OLD.%s", i ? ", " : "", cols[i], cols[i]);
    return slds_buf_puts(sql, ")); END;");
}

/* 1 when table holds a row, 0 when empty, -1 on a database error. */
int table_has_rows(load_ctx *c, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT 1 FROM main.%s LIMIT 1", table);
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st, sql, c->err))
        return -1;
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        db_error(c, "reading a table");
        return -1;
    }
    return step == SQLITE_ROW;
}

static int history_triggers(load_ctx *c, bool create)
{
    const slds_file_def *defs[SLDS_MAX_FILES];
    int n = history_tables(defs);
    static const char *const student_cols[] = {"student_id", "sex"};
    for (int i = 0; i <= n; i++) {
        const char *table = i < n ? defs[i]->table : "students";
        const char *cols[16];
        int ncols = 2;
        if (i < n) {
            ncols = defs[i]->ncolumns;
            for (int k = 0; k < ncols; k++)
                cols[k] = defs[i]->columns[k].name;
        } else
            memcpy(cols, student_cols, sizeof student_cols);
        bool has_student = false;
        for (int k = 0; k < ncols; k++)
            has_student |= !strcmp(cols[k], "student_id");
        if (create) {
            /* A table empty when the load starts can only receive this
             * load's inserts: no stored row of it can change, so it gets no
             * trigger (a trigger makes every insert into the table keep a
             * statement journal: about a tenth of the writer's time). */
            int held = table_has_rows(c, table);
            if (held < 0)
                return c->err->code;
            if (!held)
                continue;
        }
        for (int e = 0; e < 2; e++) {
            slds_buf sql = {0};
            const char *event = e ? "DELETE" : "UPDATE";
            int rc;
            if (create)
                rc = trigger_sql(&sql, table, cols, ncols, has_student, event, e ? "deleted" : "replaced");
            else
                rc = slds_buf_printf(&sql, "DROP TRIGGER IF EXISTS temp.slds_history_%s_%s", event, table);
            if (rc) {
                slds_buf_free(&sql);
                return nomem(c);
            }
            rc = slds_store_exec(c->store, sql.data, c->err);
            slds_buf_free(&sql);
            if (rc)
                return rc;
        }
    }
    return SLDS_OK;
}

int history_begin(load_ctx *c)
{
    if (slds_store_exec(c->store, "DELETE FROM row_history WHERE load_id = '" PENDING "'", c->err))
        return c->err->code;
    int rc = history_triggers(c, true);
    return rc ? rc : places_triggers(c, true);
}

void history_end(load_ctx *c)
{
    slds_error scratch = {0};
    slds_error *saved = c->err;
    c->err = &scratch; /* dropping temp triggers cannot lose data; a failure is moot */
    history_triggers(c, false);
    places_triggers(c, false);
    c->err = saved;
}

/* ---- secondary indexes of a table filled from empty --------------------- */

int indexes_defer(load_ctx *c, const char *table, slds_buf *saved)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st,
                           "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ?"
                           " AND sql IS NOT NULL ORDER BY rowid",
                           c->err))
        return c->err->code;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    slds_buf drops = {0};
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (slds_buf_printf(saved, "%s;\n", (const char *)sqlite3_column_text(st, 1)) ||
            slds_buf_printf(&drops, "DROP INDEX main.\"%s\";", (const char *)sqlite3_column_text(st, 0)))
            break;
    sqlite3_finalize(st);
    int rc = SLDS_OK;
    if (step == SQLITE_ROW || slds_buf_puts(saved, "") || slds_buf_puts(&drops, ""))
        rc = nomem(c);
    else if (step != SQLITE_DONE)
        rc = db_error(c, "reading the indexes of a table");
    else if (drops.len)
        rc = slds_store_exec(c->store, drops.data, c->err);
    slds_buf_free(&drops);
    return rc;
}

/* A connection's cache_size (negative: KiB), or 0 when it cannot be read. */
static int64_t cache_size(load_ctx *c)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st, "PRAGMA cache_size", c->err))
        return 0;
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
}

/* CREATE INDEX sorts the index's entries with SQLite's sorter, which holds
 * as many as the page cache would (128 MiB: one sort of a million entries,
 * on this thread). With 16 MiB it sorts runs of that size on a helper thread
 * while this one reads the table, then merges them: measured on the rosters
 * of 100,000 students (1.1 M entries), 1.2-1.8 s against 3.0-3.2 s, and
 * less CPU (the runs fit in the processor's caches). */
int indexes_restore(load_ctx *c, slds_buf *saved)
{
    if (!saved->len)
        return SLDS_OK;
    int64_t cache = cache_size(c);
    int rc = slds_store_exec(c->store, "PRAGMA threads = 1; PRAGMA cache_size = -16384;", c->err);
    if (!rc)
        rc = slds_store_exec(c->store, saved->data, c->err);
    char restore[96];
    snprintf(restore, sizeof restore, "PRAGMA threads = 0; PRAGMA cache_size = %lld;",
             (long long)(cache ? cache : -131072));
    slds_error ignored = {0}; /* after a failure, the first error stands */
    int rc2 = slds_store_exec(c->store, restore, rc ? &ignored : c->err);
    slds_buf_clear(saved);
    return rc ? rc : rc2;
}

/* ---- rules files ----------------------------------------------------------- */

void slds_load_default_rules(slds_severity sev[SLDS_RULE_COUNT])
{
    int n;
    const slds_rule_def *rules = slds_rules(&n);
    for (int i = 0; i < n; i++)
        sev[i] = rules[i].severity;
}

static int set_rule(const char *path, long line, const char *rule, const char *severity,
                    slds_severity sev[SLDS_RULE_COUNT], slds_error *err)
{
    const slds_rule_def *r = slds_rule_find(rule);
    if (!r)
        return slds_fail(err, SLDS_ERR_USAGE, "%s: line %ld: unknown rule '%s' (see slds contract --rules)",
                         path, line, rule);
    slds_severity s;
    if (!strcmp(severity, "reject"))
        s = SLDS_SEV_REJECT;
    else if (!strcmp(severity, "warn"))
        s = SLDS_SEV_WARN;
    else
        return slds_fail(err, SLDS_ERR_USAGE, "%s: line %ld: severity '%s' of %s is neither reject nor warn",
                         path, line, severity, rule);
    if (r->storage && s == SLDS_SEV_WARN)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "%s: line %ld: rule %s protects storage (a row breaking it cannot be stored "
                         "faithfully) and cannot be lowered to warn; nothing was loaded",
                         path, line, rule);
    sev[r->rule] = s;
    return SLDS_OK;
}

static int read_rules_json(const char *path, slds_severity sev[SLDS_RULE_COUNT], slds_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return slds_fail(err, SLDS_ERR_DATA, "%s: line %d: not valid JSON: %s", path, je.line, je.text);
    int rc = SLDS_OK;
    if (json_is_object(root)) {
        const char *key;
        json_t *val;
        json_object_foreach(root, key, val) {
            if (rc)
                break;
            rc = json_is_string(val) ? set_rule(path, 0, key, json_string_value(val), sev, err)
                                     : slds_fail(err, SLDS_ERR_DATA, "%s: the severity of %s is not a string",
                                                 path, key);
        }
    } else if (json_is_array(root)) {
        size_t i;
        json_t *val;
        json_array_foreach(root, i, val) {
            if (rc)
                break;
            const char *rule = json_string_value(json_object_get(val, "rule"));
            const char *severity = json_string_value(json_object_get(val, "severity"));
            rc = rule && severity ? set_rule(path, (long)i + 1, rule, severity, sev, err)
                                  : slds_fail(err, SLDS_ERR_DATA,
                                              "%s: element %zu needs \"rule\" and \"severity\"", path, i + 1);
        }
    } else
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: expected an object or an array of rules", path);
    json_decref(root);
    return rc;
}

int slds_load_read_rules(const char *path, slds_severity sev[SLDS_RULE_COUNT], slds_error *err)
{
    size_t n = strlen(path);
    if (n > 5 && !strcmp(path + n - 5, ".json"))
        return read_rules_json(path, sev, err);
    slds_csv *csv;
    int rc = slds_csv_open(&csv, path, err);
    if (rc)
        return rc;
    slds_csv_record rec;
    int got = slds_csv_next(csv, &rec, err);
    int rule_col = -1, sev_col = -1;
    for (int i = 0; got > 0 && i < rec.nfields; i++) {
        if (!strcmp(rec.fields[i], "rule"))
            rule_col = i;
        if (!strcmp(rec.fields[i], "severity"))
            sev_col = i;
    }
    if (got >= 0 && (rule_col < 0 || sev_col < 0))
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: line 1: expected a header with columns rule and severity", path);
    else if (got < 0)
        rc = err->code;
    while (!rc && (got = slds_csv_next(csv, &rec, err)) > 0) {
        if (rec.nfields == 1 && rec.lengths[0] == 0)
            continue;
        if (rec.nfields <= rule_col || rec.nfields <= sev_col)
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld: expected rule,severity", path, rec.line);
        else
            rc = set_rule(path, rec.line, rec.fields[rule_col], rec.fields[sev_col], sev, err);
    }
    if (!rc && got < 0)
        rc = err->code;
    slds_csv_close(csv);
    return rc;
}

/* ---- reading the history ------------------------------------------------- */

int slds_history_student(slds_store *s, const char *student_id, slds_history_entry **out, size_t *count,
                         slds_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    /* A database no load of this version has written to has no history yet. */
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE name = 'row_history'", -1, &st, NULL) !=
        SQLITE_OK)
        return slds_fail(err, SLDS_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    bool exists = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!exists)
        return SLDS_OK;
    int rc = slds_store_prepare(s, &st,
                                "SELECT h.changed_at, h.load_id, coalesce(l.source_dir, ''), h.table_name,"
                                " h.change, h.old_row FROM row_history h LEFT JOIN loads l USING(load_id)"
                                " WHERE h.student_id = ? ORDER BY h.history_id",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, student_id, -1, SQLITE_STATIC);
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            slds_history_entry *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory reading the history");
                break;
            }
            *out = p;
        }
        slds_history_entry *e = &(*out)[*count];
        memset(e, 0, sizeof *e);
        snprintf(e->changed_at, sizeof e->changed_at, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(e->load_id, sizeof e->load_id, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(e->source_dir, sizeof e->source_dir, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(e->table, sizeof e->table, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(e->change, sizeof e->change, "%s", (const char *)sqlite3_column_text(st, 4));
        e->old_row = strdup((const char *)sqlite3_column_text(st, 5));
        (*count)++;
        if (!e->old_row) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory reading the history");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "%s: reading the history: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    if (rc) {
        slds_history_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return rc;
}

void slds_history_free(slds_history_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].old_row);
    free(e);
}
