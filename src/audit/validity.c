/* validity.c - the validity part of the audit: the rows every load rejected
 * (table rejects), counted by file and reason, out of the rows read from that
 * file (table load_files), with the first rejected lines as examples. The
 * rejected values themselves are never shown: a rejected students.csv line
 * may hold a name or a birth date. Files have no district: these findings are
 * statewide. */
#include "audit/audit_internal.h"

#include <stdio.h>
#include <string.h>

/* Rows read per file over all loads, to serve as each finding's total. */
static int set_totals(audit_ctx *c)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->s, &st,
                                "SELECT file, sum(rows_read) FROM main.load_files GROUP BY file", c->err);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        int64_t read = sqlite3_column_int64(st, 1);
        for (size_t i = 0; !rc && i < c->n_checks; i++) {
            audit_check *k = c->checks[i];
            if (k->category == SLDS_AUDIT_VALIDITY && !strcmp(k->table, file) && k->state.total == 0)
                rc = audit_check_total(c, k, -1, read);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int audit_rejects(audit_ctx *c)
{
    audit_progress(c, "audit rejects");
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->s, &st,
                                "SELECT file, reason, line, column_name FROM main.rejects"
                                " ORDER BY file, reason, line, load_id",
                                c->err);
    audit_check *k = NULL;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        const char *reason = (const char *)sqlite3_column_text(st, 1);
        const char *column = (const char *)sqlite3_column_text(st, 3);
        if (!k || strcmp(k->table, file) || strcmp(k->name, reason)) {
            k = audit_check_add(c, SLDS_AUDIT_VALIDITY, file, reason, "rows rejected by the loader",
                                true);
            if (!k)
                rc = c->err->code;
        }
        if (!rc) {
            char key[192];
            if (column && *column)
                snprintf(key, sizeof key, "line %lld (%s)", (long long)sqlite3_column_int64(st, 2),
                         column);
            else
                snprintf(key, sizeof key, "line %lld", (long long)sqlite3_column_int64(st, 2));
            rc = audit_check_hit(c, k, -1, key);
        }
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = set_totals(c);
    return rc;
}

/* ---- loader findings (rows loaded with a warning), per district and rule ----
 * Kept separate from the rejects above: each finding of table findings
 * (written by slds load for rules of severity warn) is counted under its
 * file and rule id, in the district the loader placed the row in, so a state
 * can send each district its own list. */
int audit_load_findings(audit_ctx *c)
{
    audit_progress(c, "audit loader findings");
    int has = 0;
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->s, &st, "SELECT count(*) FROM main.sqlite_master WHERE name = 'findings'",
                                c->err);
    if (!rc && sqlite3_step(st) == SQLITE_ROW)
        has = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc || !has)
        return rc;
    rc = slds_store_prepare(c->s, &st,
                            "SELECT file, rule_id, line, column_name, lea_id FROM main.findings"
                            " ORDER BY file, rule_id, line, load_id",
                            c->err);
    audit_check *k = NULL;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        const char *rule = (const char *)sqlite3_column_text(st, 1);
        const char *column = (const char *)sqlite3_column_text(st, 3);
        if (!k || strcmp(k->table, file) || strcmp(k->name, rule)) {
            k = audit_check_add(c, SLDS_AUDIT_VALIDITY, file, rule,
                                "rows loaded with a warning (loader finding; slds contract --rules)", false);
            if (!k)
                rc = c->err->code;
        }
        long d = -1;
        if (!rc)
            rc = audit_district(c, (const char *)sqlite3_column_text(st, 4), &d);
        if (!rc) {
            char key[192];
            snprintf(key, sizeof key, "line %lld (%s)", (long long)sqlite3_column_int64(st, 2),
                     column && *column ? column : "row");
            rc = audit_check_hit(c, k, d, key);
        }
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = set_totals(c);
    return rc;
}
