/* jumps.c - implausible score jumps: a student's year-over-year change in
 * STATE scale score (same subject, consecutive school years) that lies more
 * than jump_sd standard deviations from the mean change of that subject and
 * grade (the grade tested in the later year). A student-year-subject with
 * several STATE scores uses their mean. The count is flagged changes, the
 * total is changes, each placed in the district of the later year.
 *
 * All in SQL without a sort: audit_state is keyed like assessments (so it is
 * filled in key order), audit_jump is keyed by subject, grade, district (so
 * the per-group sums are one ordered scan), and the flagged changes come
 * from one join with the per-group mean and SD. */
#include "audit/audit_internal.h"

#include <math.h>
#include <string.h>

static const char *const jump_sql[] = {
    "CREATE TEMP TABLE audit_state(student_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
    " subject TEXT NOT NULL, grade TEXT NOT NULL, score REAL NOT NULL,"
    " PRIMARY KEY(student_id, school_year, subject)) WITHOUT ROWID",
    "INSERT INTO audit_state SELECT student_id, school_year, subject, max(grade_tested),"
    " avg(scale_score) FROM main.assessments WHERE test_type = 'STATE' AND scale_score IS NOT NULL"
    " GROUP BY student_id, school_year, subject",
    "CREATE TEMP TABLE audit_jump(subject TEXT NOT NULL, grade TEXT NOT NULL, lea_id TEXT NOT NULL,"
    " student_id TEXT NOT NULL, school_year INTEGER NOT NULL, delta REAL NOT NULL,"
    " PRIMARY KEY(subject, grade, lea_id, student_id, school_year)) WITHOUT ROWID",
    "INSERT INTO audit_jump SELECT b.subject, b.grade,"
    " coalesce(y.lea_id, (SELECT l.lea_id FROM audit_student_lea l WHERE l.student_id = b.student_id), ''),"
    " b.student_id, b.school_year, b.score - a.score"
    " FROM audit_state b JOIN audit_state a ON a.student_id = b.student_id"
    "  AND a.school_year = b.school_year - 1 AND a.subject = b.subject"
    " LEFT JOIN audit_student_year y ON y.student_id = b.student_id AND y.school_year = b.school_year",
    "CREATE TEMP TABLE audit_jump_stats(subject TEXT NOT NULL, grade TEXT NOT NULL, mean REAL NOT NULL,"
    " sd REAL NOT NULL, PRIMARY KEY(subject, grade)) WITHOUT ROWID",
};

/* Running sums of one subject and grade. */
typedef struct jump_group {
    char subject[64];
    char grade[16];
    int64_t n;
    double sum, sumsq;
} jump_group;

static int save_group(audit_ctx *c, sqlite3_stmt *ins, const jump_group *g)
{
    if (g->n < 2)
        return SLDS_OK;
    double mean = g->sum / (double)g->n;
    double var = (g->sumsq - g->sum * mean) / (double)(g->n - 1);
    double sd = var > 0 ? sqrt(var) : 0;
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, g->subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, g->grade, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(ins, 3, mean);
    sqlite3_bind_double(ins, 4, sd);
    if (sqlite3_step(ins) != SQLITE_DONE)
        return slds_fail(c->err, SLDS_ERR_DB, "audit: score changes: %s", sqlite3_errmsg(c->s->db));
    return SLDS_OK;
}

/* Mean and SD of the change per subject and grade into audit_jump_stats, and
 * the number of changes per district as the check's totals. */
static int group_stats(audit_ctx *c, audit_check *k)
{
    sqlite3_stmt *st, *ins;
    int rc = slds_store_prepare(c->s, &st,
                                "SELECT subject, grade, lea_id, count(*), sum(delta), sum(delta * delta)"
                                " FROM audit_jump GROUP BY subject, grade, lea_id",
                                c->err);
    if (rc)
        return rc;
    rc = slds_store_prepare(c->s, &ins, "INSERT INTO audit_jump_stats VALUES(?, ?, ?, ?)", c->err);
    if (rc) {
        sqlite3_finalize(st);
        return rc;
    }
    jump_group g = {0};
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *subject = (const char *)sqlite3_column_text(st, 0);
        const char *grade = (const char *)sqlite3_column_text(st, 1);
        if (strcmp(subject, g.subject) || strcmp(grade, g.grade)) {
            rc = save_group(c, ins, &g);
            memset(&g, 0, sizeof g);
            snprintf(g.subject, sizeof g.subject, "%s", subject);
            snprintf(g.grade, sizeof g.grade, "%s", grade);
        }
        int64_t n = sqlite3_column_int64(st, 3);
        g.n += n;
        g.sum += sqlite3_column_double(st, 4);
        g.sumsq += sqlite3_column_double(st, 5);
        long d = -1;
        if (!rc)
            rc = audit_district(c, (const char *)sqlite3_column_text(st, 2), &d);
        if (!rc)
            rc = audit_check_total(c, k, d, n);
    }
    if (!rc)
        rc = save_group(c, ins, &g);
    sqlite3_finalize(ins);
    sqlite3_finalize(st);
    return rc;
}

static int flag_jumps(audit_ctx *c, audit_check *k)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->s, &st,
                                "SELECT j.lea_id, j.student_id, j.subject, j.school_year FROM audit_jump j"
                                " JOIN audit_jump_stats s ON s.subject = j.subject AND s.grade = j.grade"
                                " WHERE s.sd > 0 AND abs(j.delta - s.mean) > ?1 * s.sd"
                                " ORDER BY j.student_id, j.subject, j.school_year",
                                c->err);
    if (rc)
        return rc;
    sqlite3_bind_double(st, 1, c->opt.jump_sd);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        long d = -1;
        rc = audit_district(c, (const char *)sqlite3_column_text(st, 0), &d);
        char key[256];
        audit_key_from_row(st, 1, 3, key, sizeof key);
        if (!rc)
            rc = audit_check_hit(c, k, d, key);
    }
    sqlite3_finalize(st);
    return rc;
}

int audit_score_jumps(audit_ctx *c)
{
    audit_progress(c, "audit score changes");
    for (size_t i = 0; i < sizeof jump_sql / sizeof jump_sql[0]; i++)
        if (slds_store_exec(c->s, jump_sql[i], c->err))
            return slds_error_prefix(c->err, "audit: score changes: ");
    char description[160];
    snprintf(description, sizeof description,
             "a year-over-year STATE scale score change more than %g SD from the mean change"
             " of its subject and grade",
             c->opt.jump_sd);
    audit_check *k = audit_check_add(c, SLDS_AUDIT_OUTLIERS, "assessments", "score_jump",
                                     description, false);
    if (!k)
        return c->err->code;
    int rc = group_stats(c, k);
    if (!rc)
        rc = flag_jumps(c, k);
    return rc;
}
