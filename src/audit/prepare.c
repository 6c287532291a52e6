/* prepare.c - the TEMP tables the audit's checks share, built once per audit
 * so that every check joins on a primary key instead of re-deriving them:
 *
 *   audit_spell(student_id, school_year, entry_date, school_id, exit_date,
 *               grade_level, lea_id)  -- enrollments keyed by student-year,
 *               with the district of the school (NULL when the school is unknown);
 *   audit_student_year(student_id, school_year, lea_id, grade_level)
 *               -- the student's last spell of the year (latest entry_date,
 *               then largest school_id);
 *   audit_student_lea(student_id, lea_id)
 *               -- the district of the student's last enrolled year.
 *
 * Rows of files that carry no school (assessments, student_attributes,
 * postsecondary, ...) are placed in a district through these tables. */
#include "audit/audit_internal.h"

#include <stdio.h>

static const char *const temp_sql[] = {
    "CREATE TEMP TABLE audit_spell(student_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
    " entry_date TEXT NOT NULL, school_id TEXT NOT NULL, exit_date TEXT, grade_level TEXT,"
    " lea_id TEXT, PRIMARY KEY(student_id, school_year, entry_date, school_id)) WITHOUT ROWID",
    /* no ORDER BY: the rows of one student arrive together, so the B-tree
     * inserts stay local, which is cheaper than sorting first */
    "INSERT INTO audit_spell SELECT e.student_id, e.school_year, e.entry_date, e.school_id,"
    " e.exit_date, e.grade_level, sc.lea_id FROM enrollments e"
    " LEFT JOIN schools sc ON sc.school_id = e.school_id",
    "CREATE TEMP TABLE audit_student_year(student_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
    " lea_id TEXT, grade_level TEXT, PRIMARY KEY(student_id, school_year)) WITHOUT ROWID",
    /* spells in key order, each replacing the one before: the last spell of the
     * year stays (four times cheaper than GROUP BY with max(entry_date)) */
    "INSERT OR REPLACE INTO audit_student_year SELECT student_id, school_year, lea_id, grade_level"
    " FROM audit_spell ORDER BY student_id, school_year, entry_date, school_id",
    "CREATE TEMP TABLE audit_student_lea(student_id TEXT PRIMARY KEY, lea_id TEXT) WITHOUT ROWID",
    "INSERT OR REPLACE INTO audit_student_lea SELECT student_id, lea_id FROM audit_student_year"
    " ORDER BY student_id, school_year",
};

int audit_prepare_temp(audit_ctx *c)
{
    audit_drop_temp(c);
    for (size_t i = 0; i < sizeof temp_sql / sizeof temp_sql[0]; i++) {
        int rc = slds_store_exec(c->s, temp_sql[i], c->err);
        if (rc)
            return slds_error_prefix(c->err, "audit: preparing enrollment spells: ");
    }
    return SLDS_OK;
}

void audit_drop_temp(audit_ctx *c)
{
    static const char *const tables[] = {"audit_spell", "audit_student_year", "audit_student_lea"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", tables[i]);
        sqlite3_exec(c->s->db, sql, NULL, NULL, NULL);
    }
}

int audit_table_has_rows(audit_ctx *c, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT EXISTS(SELECT 1 FROM main.\"%s\")", table);
    sqlite3_stmt *st;
    if (slds_store_prepare(c->s, &st, sql, c->err))
        return -1;
    int has = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        has = sqlite3_column_int(st, 0) ? 1 : 0;
    else
        slds_fail(c->err, SLDS_ERR_DB, "audit: %s: %s", table, sqlite3_errmsg(c->s->db));
    sqlite3_finalize(st);
    return has;
}
