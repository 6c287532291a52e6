/* tables.c - the growth tables of the state database (created by the first
 * run; docs/growth.md describes every column) and the delete that makes a
 * re-run replace a year's results (design note 4 in internal.h).
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

static const char *const growth_schema[] = {
    "CREATE TABLE IF NOT EXISTS growth_runs(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " run_at TEXT NOT NULL, config TEXT, max_order INTEGER NOT NULL, n_taus INTEGER NOT NULL,"
    " projection_years INTEGER NOT NULL, gain_method TEXT NOT NULL,"
    " reference_year INTEGER NOT NULL, levels TEXT, students INTEGER NOT NULL,"
    " with_sgp INTEGER NOT NULL, with_target INTEGER NOT NULL,"
    " with_grade_levels INTEGER NOT NULL, seconds REAL,"
    " PRIMARY KEY(school_year, subject)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS growth_cohorts(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " grade INTEGER NOT NULL, n_priors INTEGER NOT NULL, students INTEGER NOT NULL,"
    " with_prior INTEGER NOT NULL, with_sgp INTEGER NOT NULL, with_target INTEGER NOT NULL,"
    " orders_fitted INTEGER NOT NULL, loss REAL, hoss REAL, cuts TEXT, proficient_cut REAL,"
    " points_per_grade REAL, points_students INTEGER, seconds REAL, note TEXT,"
    " PRIMARY KEY(school_year, subject, grade)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS growth_priors(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " grade INTEGER NOT NULL, prior INTEGER NOT NULL, prior_grade INTEGER NOT NULL,"
    " prior_year INTEGER NOT NULL, degree INTEGER NOT NULL, knots TEXT NOT NULL,"
    " boundary_low REAL NOT NULL, boundary_high REAL NOT NULL, knots_source TEXT NOT NULL,"
    " PRIMARY KEY(school_year, subject, grade, prior)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS growth_models(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " grade INTEGER NOT NULL, sgp_order INTEGER NOT NULL, students INTEGER NOT NULL,"
    " p INTEGER NOT NULL, n_taus INTEGER NOT NULL, taus BLOB NOT NULL, coef BLOB NOT NULL,"
    " PRIMARY KEY(school_year, subject, grade, sgp_order)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS growth_students(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " student_id TEXT NOT NULL, grade INTEGER NOT NULL, scale_score REAL NOT NULL, test_date TEXT,"
    " school_id TEXT, lea_id TEXT, prior_score REAL, sgp INTEGER, sgp_order INTEGER,"
    " no_sgp_reason TEXT, gain REAL, grade_levels_gained REAL, sgp_target INTEGER,"
    " target_years INTEGER, catch_up_keep_up TEXT, on_track TEXT,"
    " PRIMARY KEY(school_year, subject, student_id)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS growth_sgp(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " student_id TEXT NOT NULL, sgp_order INTEGER NOT NULL, sgp INTEGER NOT NULL,"
    " PRIMARY KEY(school_year, subject, student_id, sgp_order)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS growth_targets(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " student_id TEXT NOT NULL, years_ahead INTEGER NOT NULL, target_grade INTEGER NOT NULL,"
    " target_year INTEGER NOT NULL, proficient_cut REAL NOT NULL, sgp_target INTEGER NOT NULL,"
    " reachable TEXT NOT NULL, on_track TEXT,"
    " PRIMARY KEY(school_year, subject, student_id, years_ahead)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS growth_aggregates(school_year INTEGER NOT NULL,"
    " subject TEXT NOT NULL, level TEXT NOT NULL, group_id TEXT NOT NULL,"
    " students INTEGER NOT NULL, n_sgp REAL NOT NULL, median_sgp REAL, mean_sgp REAL,"
    " n_gain REAL NOT NULL, n_1_grade REAL NOT NULL, n_1_5_grade REAL NOT NULL,"
    " share_1_grade REAL, share_1_5_grade REAL,"
    " PRIMARY KEY(school_year, subject, level, group_id)) WITHOUT ROWID;",
};

int slds_growthrun_schema(slds_store *s, slds_error *err)
{
    for (size_t i = 0; i < sizeof growth_schema / sizeof growth_schema[0]; i++) {
        int rc = slds_store_exec(s, growth_schema[i], err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

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

/* 1 when the growth tables exist (growth has been run on this database). */
int gr_tables_exist(slds_store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'growth_runs'",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}
