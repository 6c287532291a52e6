/* tables.c - the delete that makes a re-run replace a year's results (design
 * note 4 in internal.h), and whether growth has run at all. The growth tables
 * themselves are created by the store's schema registry (module "growth" in
 * src/store/schema.c; docs/growth.md describes every column).
 *
 * Every table's key starts with (school_year, subject), so a run writes each
 * table as one appended key range and a re-run deletes one range. */
#include <stdio.h>
#include <string.h>

#include "growthrun/internal.h"

static const char *const growth_tables[] = {
    "growth_runs", "growth_cohorts", "growth_priors", "growth_models",
    "growth_students", "growth_sgp", "growth_targets", "growth_aggregates",
};

/* Whether table t holds rows of (year, subject) only (or none): its first
 * and last keys, two seeks of the primary key. */
static int only_this_run(slds_store *s, const char *t, int year, const char *subject,
                         slds_error *err)
{
    int only = 1;
    for (int last = 0; last < 2 && only; last++) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT school_year, subject FROM %s ORDER BY school_year%s,"
                 " subject%s LIMIT 1", t, last ? " DESC" : "", last ? " DESC" : "");
        slds_cursor c;
        if (slds_cursor_open(&c, s, sql, err))
            return -1;
        int r = slds_cursor_step(&c, err);
        if (r == 1) {
            const char *sub = slds_cursor_text(&c, 1);
            only = slds_cursor_int(&c, 0) == year && sub && !strcmp(sub, subject);
        }
        slds_cursor_close(&c);
        if (r < 0)
            return -1;
    }
    return only;
}

/* Deletes what earlier runs of (year, subject) wrote, in every growth table.
 * A table holding nothing else is emptied whole (SQLite then frees its pages
 * at once rather than deleting row by row: the common re-run of one year). */
int gr_delete_year(slds_store *s, int year, const char *subject, slds_error *err)
{
    for (size_t t = 0; t < sizeof growth_tables / sizeof growth_tables[0]; t++) {
        int only = only_this_run(s, growth_tables[t], year, subject, err);
        if (only < 0)
            return SLDS_ERR_DB;
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM %s%s", growth_tables[t],
                 only ? "" : " WHERE school_year = ?1 AND subject = ?2");
        sqlite3_stmt *st;
        int rc = slds_store_prepare(s, &st, sql, err);
        if (rc)
            return rc;
        if (!only) {
            sqlite3_bind_int(st, 1, year);
            sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
        }
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step != SQLITE_DONE)
            return slds_fail(err, SLDS_ERR_DB, "deleting %s of %d %s: %s", growth_tables[t], year,
                             subject, sqlite3_errmsg(s->db));
    }
    return SLDS_OK;
}

/* 1 when growth has run on this database (its tables exist and hold a run),
 * 0 when not, -1 on a database error (err set). A database at growth schema
 * v0 (made before the registry, never run) has no growth tables at all. */
int gr_growth_ran(slds_store *s, slds_error *err)
{
    int version = slds_store_schema_version(s, "growth", err);
    if (version <= 0)
        return version;
    slds_cursor c;
    if (slds_cursor_open_cached(&c, s, "SELECT 1 FROM growth_runs LIMIT 1", err))
        return -1;
    int r = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    return r;
}
