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

/* Deletes what earlier runs of (year, subject) wrote, in every growth table. */
int gr_delete_year(slds_store *s, int year, const char *subject, slds_error *err)
{
    for (size_t t = 0; t < sizeof growth_tables / sizeof growth_tables[0]; t++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE school_year = ?1 AND subject = ?2",
                 growth_tables[t]);
        sqlite3_stmt *st;
        int rc = slds_store_prepare(s, &st, sql, err);
        if (rc)
            return rc;
        sqlite3_bind_int(st, 1, year);
        sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
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
    if (slds_cursor_open(&c, s, "SELECT 1 FROM growth_runs LIMIT 1", err))
        return -1;
    int r = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    return r;
}
