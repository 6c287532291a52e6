/* scan.c - one pass over each table of the state database that checks every
 * row at once: completeness of each column that may be blank (found from the
 * schema, so a new column is audited without a change here) and the row-level
 * checks of the table (consistency with other tables, duplicate enrollment
 * spells, implausible values), plus the tallies the element coverage needs.
 *
 * Why one pass per table: the largest tables (assessments: tens of millions
 * of rows) are read once, in primary-key order, and every lookup a rule makes
 * is a primary-key (or index) probe on a small key range. SQLite computes a
 * 0/1 flag per rule; C adds the flags up per district and keeps the first few
 * failing keys, so nothing is sorted and no GROUP BY spills to disk. */
#include "audit/audit_internal.h"

#include <stdlib.h>
#include <string.h>

typedef enum { RULE_CHECK, RULE_TALLY } rule_kind;

typedef struct scan_rule {
    rule_kind kind;
    slds_audit_category category;
    const char *name;
    const char *needs; /* the rule runs only when this table has rows (NULL: always) */
    const char *sql;   /* 0/1 expression over t (the table) and the scan's joins */
    const char *description;
} scan_rule;

#define MAX_RULES 10

typedef struct table_scan {
    const char *table;
    const char *joins;    /* after "FROM main.<table> t" */
    const char *lea;      /* the row's district ("NULL" for statewide-only tables) */
    const char *key;      /* key expressions, comma separated */
    int nkey;
    bool statewide_only;
    const char *extra; /* more columns for observe (NULL: none) */
    int (*observe)(audit_ctx *c, sqlite3_stmt *st, int col, long d); /* sees every row */
    scan_rule rules[MAX_RULES];
} table_scan;

/* How rows without a school find their district (see prepare.c). */
#define SCHOOL_JOIN "LEFT JOIN main.schools sc ON sc.school_id = t.school_id"
#define YEAR_JOIN                                                                                  \
    "LEFT JOIN audit_student_year y ON y.student_id = t.student_id AND y.school_year = t.school_year"
#define STUDENT_LEA "(SELECT l.lea_id FROM audit_student_lea l WHERE l.student_id = t.student_id)"
#define YEAR_LEA "coalesce(y.lea_id, " STUDENT_LEA ")"
#define NONBLANK(x) "coalesce(" x ", '') <> ''"

#define SCHOOL_UNKNOWN                                                                             \
    {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "school_unknown", "schools", "sc.school_id IS NULL",      \
     "school_id is not in schools"}
#define STUDENT_UNKNOWN                                                                            \
    {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "student_unknown", "students",                           \
     "NOT EXISTS (SELECT 1 FROM main.students s WHERE s.student_id = t.student_id)",              \
     "student_id is not in students"}
#define STAFF_UNKNOWN                                                                              \
    {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "staff_unknown", "staff",                                \
     "NOT EXISTS (SELECT 1 FROM main.staff s WHERE s.staff_id = t.staff_id)",                     \
     "staff_id is not in staff"}
#define NOT_ENROLLED_AT_SCHOOL                                                                     \
    {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "student_not_enrolled_at_school", "enrollments",         \
     "NOT EXISTS (SELECT 1 FROM audit_spell b WHERE b.student_id = t.student_id"                  \
     " AND b.school_year = t.school_year AND b.school_id = t.school_id)",                         \
     "the student has no enrollment at this school in this school year"}

static const table_scan scans[] = {
    {"leas", "", "t.lea_id", "t.lea_id", 1, false, NULL, NULL, {{0}}},
    {"schools", "", "t.lea_id", "t.school_id", 1, false, NULL, NULL,
     {{RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "lea_unknown", "leas",
       "NOT EXISTS (SELECT 1 FROM main.leas l WHERE l.lea_id = t.lea_id)",
       "the school's lea_id is not in leas"}}},
    {"students", "", STUDENT_LEA, "t.student_id", 1, false, NULL, NULL,
     {{RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "no_identity", "student_identity",
       "NOT EXISTS (SELECT 1 FROM main.student_identity i WHERE i.student_id = t.student_id)",
       "the statewide id is in no district's identity records"},
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "never_enrolled", "enrollments",
       "NOT EXISTS (SELECT 1 FROM main.enrollments e WHERE e.student_id = t.student_id)",
       "the student has no enrollment in any year"}}},
    {"student_identity", "", "t.lea_id", "t.lea_id, t.local_student_id, t.student_id", 3, false, NULL, NULL,
     {STUDENT_UNKNOWN,
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "lea_unknown", "leas",
       "NOT EXISTS (SELECT 1 FROM main.leas l WHERE l.lea_id = t.lea_id)",
       "the identity record's lea_id is not in leas"}}},
    {"enrollments", SCHOOL_JOIN, "sc.lea_id", "t.student_id, t.school_id, t.entry_date", 3, false, NULL, NULL,
     {SCHOOL_UNKNOWN,
      STUDENT_UNKNOWN,
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "exit_before_entry", NULL,
       NONBLANK("t.exit_date") " AND t.exit_date < t.entry_date",
       "exit_date is before entry_date"},
      {RULE_CHECK, SLDS_AUDIT_DUPLICATES, "overlapping_enrollment", NULL,
       "EXISTS (SELECT 1 FROM audit_spell b WHERE b.student_id = t.student_id"
       " AND b.school_year = t.school_year AND b.entry_date >= t.entry_date"
       " AND b.school_id <> t.school_id AND (b.entry_date > t.entry_date OR b.school_id > t.school_id)"
       " AND b.entry_date < coalesce(nullif(t.exit_date, ''), '9999-12-31'))",
       "the student is enrolled in another school on a day of this spell"}}},
    {"student_attributes", YEAR_JOIN, YEAR_LEA, "t.student_id, t.school_year", 2, false, NULL, NULL,
     {STUDENT_UNKNOWN,
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "not_enrolled_that_year", "enrollments",
       "y.student_id IS NULL", "the student has no enrollment in this school year"}}},
    {"staff", "", "t.lea_id", "t.staff_id", 1, false, NULL, NULL,
     {{RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "no_assignment", "staff_assignments",
       "NOT EXISTS (SELECT 1 FROM main.staff_assignments a WHERE a.staff_id = t.staff_id)",
       "the educator has no school assignment in any year"},
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "lea_unknown", "leas",
       NONBLANK("t.lea_id") " AND NOT EXISTS (SELECT 1 FROM main.leas l WHERE l.lea_id = t.lea_id)",
       "the educator's lea_id is not in leas"},
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "prep_program_unknown", "prep_programs",
       NONBLANK("t.prep_program_id") " AND NOT EXISTS (SELECT 1 FROM main.prep_programs p"
                                     " WHERE p.prep_program_id = t.prep_program_id)",
       "prep_program_id is not in prep_programs"}}},
    {"staff_assignments", SCHOOL_JOIN, "sc.lea_id", "t.staff_id, t.school_id, t.school_year, t.role",
     4, false, NULL, NULL,
     {SCHOOL_UNKNOWN,
      STAFF_UNKNOWN,
      {RULE_CHECK, SLDS_AUDIT_OUTLIERS, "fte_out_of_range", NULL, "t.fte < 0 OR t.fte > 1",
       "fte is outside 0-1"}}},
    {"rosters", SCHOOL_JOIN, "sc.lea_id", "t.student_id, t.school_year, t.subject, t.staff_id", 4,
     false, NULL, NULL,
     {SCHOOL_UNKNOWN,
      STAFF_UNKNOWN,
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "teacher_without_assignment", "staff_assignments",
       "NOT EXISTS (SELECT 1 FROM main.staff_assignments a WHERE a.staff_id = t.staff_id"
       " AND a.school_id = t.school_id AND a.school_year = t.school_year)",
       "the teacher has no assignment at this school in this school year"},
      NOT_ENROLLED_AT_SCHOOL,
      {RULE_CHECK, SLDS_AUDIT_OUTLIERS, "dosage_out_of_range", NULL, "t.dosage < 0 OR t.dosage > 1",
       "dosage is outside 0-1"}}},
    /* Ranges of single values (performance_level 1-4) and "a score or a
     * not-tested reason, not both" are enforced row by row at load (see
     * validity); on this largest table the audit checks only what needs
     * other rows. The STATE scores feed the score-jump check (jumps.c). */
    {"assessments", YEAR_JOIN, YEAR_LEA, "t.student_id, t.school_year, t.subject, t.test_type", 4,
     false, "t.test_type = 'STATE' AND t.scale_score IS NOT NULL, t.grade_tested, t.scale_score",
     audit_jumps_observe,
     {{RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "not_enrolled_that_year", "enrollments",
       "y.student_id IS NULL", "the student has no enrollment in this school year"},
      /* grade codes are canonical (PK, KG, 01-12) once loaded: compared as text */
      {RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "grade_mismatch", "enrollments",
       "t.test_type = 'STATE' AND t.grade_tested <> y.grade_level",
       "a STATE test's grade_tested differs from the grade enrolled that year"},
      {RULE_TALLY, 0, "college_readiness_scored", NULL,
       "t.test_type = 'COLLEGE_READINESS' AND t.scale_score IS NOT NULL", ""}}},
    {"courses", SCHOOL_JOIN, "sc.lea_id", "t.student_id, t.school_year, t.term, t.course_code", 4,
     false, NULL, NULL,
     {SCHOOL_UNKNOWN,
      {RULE_CHECK, SLDS_AUDIT_OUTLIERS, "earned_exceeds_attempted", NULL,
       "t.credits_earned > t.credits_attempted", "credits_earned is greater than credits_attempted"},
      {RULE_TALLY, 0, "credits_and_marks", NULL,
       "t.credits_earned IS NOT NULL AND " NONBLANK("t.grade_mark"), ""}}},
    {"attendance", SCHOOL_JOIN, "sc.lea_id", "t.student_id, t.school_year, t.school_id", 3, false, NULL, NULL,
     {SCHOOL_UNKNOWN,
      NOT_ENROLLED_AT_SCHOOL,
      {RULE_CHECK, SLDS_AUDIT_OUTLIERS, "present_exceeds_enrolled", NULL,
       "t.days_present > t.days_enrolled", "days_present is greater than days_enrolled"},
      {RULE_CHECK, SLDS_AUDIT_OUTLIERS, "days_enrolled_over_max", NULL,
       "t.days_enrolled > :max_days", "days_enrolled is above the plausible maximum"}}},
    {"discipline", SCHOOL_JOIN, "sc.lea_id", "t.student_id, t.action_date, t.action", 3, false, NULL, NULL,
     {SCHOOL_UNKNOWN,
      {RULE_CHECK, SLDS_AUDIT_OUTLIERS, "negative_days", NULL, "t.days < 0", "days is negative"}}},
    {"postsecondary", "", STUDENT_LEA, "t.student_id, t.enrollment_date, t.institution_id", 3, false, NULL, NULL,
     {STUDENT_UNKNOWN}},
    {"observations", "", "(SELECT s.lea_id FROM main.staff s WHERE s.staff_id = t.staff_id)",
     "t.staff_id, t.school_year, t.measure", 3, false, NULL, NULL, {STAFF_UNKNOWN}},
    {"prep_programs", "", "NULL", "t.prep_program_id", 1, true, NULL, NULL, {{0}}},
    {"standards", "", "NULL", "t.standard_id", 1, true, NULL, NULL, {{0}}},
    {"item_responses", "", STUDENT_LEA, "t.student_id, t.response_time, t.item_id", 3, false, NULL, NULL,
     {{RULE_CHECK, SLDS_AUDIT_CONSISTENCY, "standard_unknown", "standards",
       "NOT EXISTS (SELECT 1 FROM main.standards d WHERE d.standard_id = t.standard_id)",
       "standard_id is not in standards"}}},
};

#define NSCANS (sizeof scans / sizeof scans[0])

int audit_scan_steps(void)
{
    return (int)NSCANS;
}

/* A rule of one pass, with the check it feeds (NULL for tallies). */
typedef struct pass_rule {
    rule_kind kind;
    char *name;
    audit_check *check;
    int64_t tally;
} pass_rule;

typedef struct pass {
    const table_scan *spec;
    slds_buf sql;
    pass_rule *rules;
    size_t n_rules, cap_rules;
    int64_t *rows; /* rows per district number; rows_none for no district */
    size_t cap_rows;
    int64_t rows_none, rows_all;
} pass;

static void pass_release(pass *p)
{
    for (size_t i = 0; i < p->n_rules; i++)
        free(p->rules[i].name);
    free(p->rules);
    free(p->rows);
    slds_buf_free(&p->sql);
}

/* Adds rule sql (named name) to the pass's SELECT list and its check to the context. */
static int pass_add(audit_ctx *c, pass *p, rule_kind kind, slds_audit_category cat,
                    const char *name, const char *sql, const char *description)
{
    if (p->n_rules == p->cap_rules) {
        size_t cap = p->cap_rules ? p->cap_rules * 2 : 16;
        pass_rule *r = realloc(p->rules, cap * sizeof *r);
        if (!r)
            return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
        p->rules = r;
        p->cap_rules = cap;
    }
    pass_rule *r = &p->rules[p->n_rules];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->name = strdup(name);
    if (!r->name)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    p->n_rules++;
    if (kind == RULE_CHECK) {
        r->check = audit_check_add(c, cat, p->spec->table, name, description, p->spec->statewide_only);
        if (!r->check)
            return c->err->code;
    }
    if (slds_buf_printf(&p->sql, ", (%s)", sql))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    return SLDS_OK;
}

/* Columns whose blank is expected in some rows: a blank counts as missing
 * only when the condition holds (NULL condition: never, the column is skipped). */
static const struct {
    const char *table, *column, *missing_when;
} conditional_blanks[] = {
    {"assessments", "not_tested_reason", NULL},             /* blank exactly when scored (loader rule) */
    {"assessments", "scale_score", "t.not_tested_reason IS NULL"},
    {"assessments", "performance_level", "t.scale_score IS NOT NULL"},
    /* an open spell is expected in the latest year only */
    {"enrollments", "exit_date", "t.school_year < (SELECT max(school_year) FROM main.enrollments)"},
    {"enrollments", "exit_code", "t.school_year < (SELECT max(school_year) FROM main.enrollments)"},
};

/* One completeness rule per column that the schema lets be blank (not NOT
 * NULL and not part of the primary key). */
static int add_completeness(audit_ctx *c, pass *p)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT name, upper(type) = 'TEXT' FROM pragma_table_info('%s')"
             " WHERE \"notnull\" = 0 AND pk = 0 ORDER BY cid",
             p->spec->table);
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->s, &st, sql, c->err);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        const char *condition = "1";
        bool skip = false;
        for (size_t i = 0; i < sizeof conditional_blanks / sizeof conditional_blanks[0]; i++)
            if (!strcmp(conditional_blanks[i].table, p->spec->table) &&
                !strcmp(conditional_blanks[i].column, col)) {
                condition = conditional_blanks[i].missing_when;
                skip = !condition;
            }
        if (skip)
            continue;
        char name[96], expr[512], description[160];
        snprintf(name, sizeof name, "blank_%s", col);
        /* '' only counts as blank in a text column (numbers are typed at load) */
        if (sqlite3_column_int(st, 1))
            snprintf(expr, sizeof expr, "(t.\"%s\" IS NULL OR t.\"%s\" = '') AND (%s)", col, col,
                     condition);
        else
            snprintf(expr, sizeof expr, "t.\"%s\" IS NULL AND (%s)", col, condition);
        snprintf(description, sizeof description, "%s is blank", col);
        rc = pass_add(c, p, RULE_CHECK, SLDS_AUDIT_COMPLETENESS, name, expr, description);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Builds the pass's SELECT: district, key columns, then one 0/1 column per rule. */
static int pass_build(audit_ctx *c, pass *p)
{
    const table_scan *spec = p->spec;
    if (slds_buf_printf(&p->sql, "SELECT %s, %s", spec->lea, spec->key))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    int rc = add_completeness(c, p);
    for (int i = 0; !rc && i < MAX_RULES && spec->rules[i].name; i++) {
        const scan_rule *r = &spec->rules[i];
        if (r->needs) {
            int has = audit_table_has_rows(c, r->needs);
            if (has < 0)
                return c->err->code;
            if (!has)
                continue;
        }
        rc = pass_add(c, p, r->kind, r->category, r->name, r->sql, r->description);
    }
    if (!rc && spec->extra && slds_buf_printf(&p->sql, ", %s", spec->extra))
        rc = slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    if (!rc && slds_buf_printf(&p->sql, " FROM main.\"%s\" t %s", spec->table, spec->joins))
        rc = slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    return rc;
}

static int count_row(audit_ctx *c, pass *p, long d)
{
    p->rows_all++;
    if (d < 0 || p->spec->statewide_only) {
        p->rows_none++;
        return SLDS_OK;
    }
    if ((size_t)d >= p->cap_rows) {
        size_t cap = (size_t)d + 64;
        int64_t *rows = realloc(p->rows, cap * sizeof *rows);
        if (!rows)
            return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
        memset(rows + p->cap_rows, 0, (cap - p->cap_rows) * sizeof *rows);
        p->rows = rows;
        p->cap_rows = cap;
    }
    p->rows[d]++;
    return SLDS_OK;
}

/* Steps through the pass's rows, counting flags per district. */
static int pass_run(audit_ctx *c, pass *p)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->s, &st, p->sql.data, c->err);
    if (rc)
        return rc;
    int param = sqlite3_bind_parameter_index(st, ":max_days");
    if (param)
        sqlite3_bind_double(st, param, c->opt.max_days_enrolled);
    const int first_rule = 1 + p->spec->nkey;
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        long d = -1;
        rc = audit_district(c, (const char *)sqlite3_column_text(st, 0), &d);
        if (!rc)
            rc = count_row(c, p, d);
        if (!rc && p->spec->observe)
            rc = p->spec->observe(c, st, first_rule + (int)p->n_rules, d);
        char key[512];
        key[0] = '\0';
        for (size_t i = 0; !rc && i < p->n_rules; i++) {
            if (!sqlite3_column_int(st, first_rule + (int)i))
                continue;
            pass_rule *r = &p->rules[i];
            if (r->kind == RULE_TALLY) {
                r->tally++;
                continue;
            }
            bool want = audit_check_wants_example(c, r->check, d);
            if (want && !key[0])
                audit_key_from_row(st, 1, p->spec->nkey, key, sizeof key);
            rc = audit_check_hit(c, r->check, d, want ? key : NULL);
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(c->err, SLDS_ERR_DB, "audit: scanning %s: %s", p->spec->table,
                       sqlite3_errmsg(c->s->db));
    sqlite3_finalize(st);
    return rc;
}

/* Gives every check of the pass its totals and records the tallies. */
static int pass_finish(audit_ctx *c, pass *p)
{
    char name[128];
    snprintf(name, sizeof name, "%s.rows", p->spec->table);
    int rc = audit_tally_set(c, name, p->rows_all);
    for (size_t i = 0; !rc && i < p->n_rules; i++) {
        pass_rule *r = &p->rules[i];
        if (r->kind == RULE_TALLY) {
            snprintf(name, sizeof name, "%s.%s", p->spec->table, r->name);
            rc = audit_tally_set(c, name, r->tally);
            continue;
        }
        if (p->rows_none)
            rc = audit_check_total(c, r->check, -1, p->rows_none);
        for (size_t d = 0; !rc && d < p->cap_rows; d++)
            if (p->rows[d])
                rc = audit_check_total(c, r->check, (long)d, p->rows[d]);
    }
    return rc;
}

static int scan_table(audit_ctx *c, const table_scan *spec)
{
    pass p = {0};
    p.spec = spec;
    int rc = pass_build(c, &p);
    if (!rc)
        rc = pass_run(c, &p);
    if (!rc)
        rc = pass_finish(c, &p);
    pass_release(&p);
    return rc;
}

int audit_scan_tables(audit_ctx *c)
{
    for (size_t i = 0; i < NSCANS; i++) {
        char stage[64];
        snprintf(stage, sizeof stage, "audit %s", scans[i].table);
        audit_progress(c, stage);
        int rc = scan_table(c, &scans[i]);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}
