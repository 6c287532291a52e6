/* elements.c - which of the twelve America COMPETES Act elements (the notice's
 * definition, section 6401(e)(2)(D) of the Act) the loaded data supports, and
 * the (C)(1) score that earns: 2 points per element, 24 at most. Each element
 * is decided from row counts only (the rule and its evidence are listed in
 * docs/audit.md); the counts come from the tallies of the table scans, so
 * this step reads no table except loads, and counts two columns directly
 * (exit_code, not_tested_reason) whose blanks the completeness checks do not
 * count in every row. */
#include "audit/audit_internal.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const element_names[SLDS_COMPETES_ELEMENTS] = {
    "unique statewide student identifier",
    "student-level enrollment, demographic and program participation",
    "exit, transfer, dropout and completion information",
    "capacity to communicate with higher education data systems",
    "state data audit system",
    "yearly state assessment records",
    "students not tested, by grade and subject",
    "teacher identifier system matching teachers to students",
    "student-level transcripts: courses completed and grades earned",
    "student-level college readiness test scores",
    "transition to postsecondary education, including remedial coursework",
    "other information on alignment and preparation for postsecondary success",
};

static int64_t tally(const audit_ctx *c, const char *name)
{
    return audit_tally_get(c, name);
}

/* Roster rows whose teacher is in staff (rows minus the staff_unknown hits). */
static int64_t rosters_with_known_teacher(const audit_ctx *c)
{
    if (!tally(c, "staff.rows"))
        return 0;
    const audit_check *k = audit_check_find(c, "rosters", "staff_unknown");
    return tally(c, "rosters.rows") - (k ? k->state.count : 0);
}

/* Rows of table whose column is not blank (rows minus the completeness hits). */
static int64_t nonblank(const audit_ctx *c, const char *table, const char *column)
{
    char rows[96], check[96];
    snprintf(rows, sizeof rows, "%s.rows", table);
    snprintf(check, sizeof check, "blank_%s", column);
    const audit_check *k = audit_check_find(c, table, check);
    return tally(c, rows) - (k ? k->state.count : 0);
}

static void decide(slds_audit_element *e, bool supported, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void decide(slds_audit_element *e, bool supported, const char *fmt, ...)
{
    e->supported = supported;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->evidence, sizeof e->evidence, fmt, ap);
    va_end(ap);
}

/* Rows of table whose column holds a value, counted directly: for the columns
 * whose blanks the completeness checks skip or count only in some rows
 * (conditional_blanks in scan.c), rows minus blanks would count every row. */
static int64_t count_valued(audit_ctx *c, const char *table, const char *column)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM main.\"%s\" WHERE \"%s\" IS NOT NULL AND \"%s\" <> ''", table,
             column, column);
    slds_cursor cur;
    if (slds_cursor_open(&cur, c->s, sql, c->err))
        return -1;
    int r = slds_cursor_step(&cur, c->err);
    int64_t n = r == 1 ? slds_cursor_int(&cur, 0) : -1;
    slds_cursor_close(&cur);
    return n;
}

static int64_t count_loads(audit_ctx *c)
{
    int64_t n = slds_store_count(c->s, "loads", c->err);
    return n < 0 ? -1 : n;
}

int audit_elements(audit_ctx *c, slds_audit_report *r)
{
    audit_progress(c, "audit element coverage");
    int64_t loads = count_loads(c);
    if (loads < 0)
        return c->err->code;
    slds_audit_element *e = r->elements;
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++) {
        e[i].element = i + 1;
        e[i].name = element_names[i];
    }
    long long students = tally(c, "students.rows"), identity = tally(c, "student_identity.rows");
    decide(&e[0], students > 0 && identity > 0,
           "%lld students with statewide ids; %lld identity (crosswalk) records", students, identity);
    long long enroll = tally(c, "enrollments.rows"), attrs = tally(c, "student_attributes.rows");
    decide(&e[1], enroll > 0 && attrs > 0, "%lld enrollments; %lld student-year attribute rows",
           enroll, attrs);
    long long exits = count_valued(c, "enrollments", "exit_code");
    if (exits < 0)
        return c->err->code;
    decide(&e[2], exits > 0, "%lld enrollments with an exit code (of %lld)", exits, enroll);
    long long post = tally(c, "postsecondary.rows");
    decide(&e[3], post > 0, "%lld postsecondary enrollment rows", post);
    decide(&e[4], loads > 0, "%lld loads recorded; this audit", (long long)loads);
    long long scored = tally(c, "assessments.state_scored");
    decide(&e[5], scored > 0, "%lld STATE assessment rows with a scale score", scored);
    long long not_tested = count_valued(c, "assessments", "not_tested_reason");
    if (not_tested < 0)
        return c->err->code;
    decide(&e[6], not_tested > 0, "%lld assessment rows with a not-tested reason", not_tested);
    long long staff = tally(c, "staff.rows"), linked = rosters_with_known_teacher(c);
    decide(&e[7], staff > 0 && linked > 0,
           "%lld staff; %lld roster rows linking a known teacher to a student (of %lld)", staff,
           linked, (long long)tally(c, "rosters.rows"));
    long long transcript = tally(c, "courses.credits_and_marks");
    decide(&e[8], transcript > 0, "%lld course rows with credits earned and a grade mark (of %lld)",
           transcript, (long long)tally(c, "courses.rows"));
    long long ccr = tally(c, "assessments.college_readiness_scored");
    decide(&e[9], ccr > 0, "%lld COLLEGE_READINESS assessment rows with a scale score", ccr);
    long long remedial = nonblank(c, "postsecondary", "remedial");
    decide(&e[10], remedial > 0, "%lld postsecondary rows with the remedial flag (of %lld)",
           remedial, post);
    long long standards = tally(c, "standards.rows"), items = tally(c, "item_responses.rows"),
              subjects = nonblank(c, "courses", "subject");
    decide(&e[11], standards + items + subjects > 0,
           "%lld standards; %lld item responses; %lld course rows with a subject", standards, items,
           subjects);
    int supported = 0;
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++)
        supported += e[i].supported;
    r->c1_score = 2 * supported;
    r->c1_max = 2 * SLDS_COMPETES_ELEMENTS;
    return SLDS_OK;
}
