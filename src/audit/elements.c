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
#include <stdlib.h>

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

/* The row counts every element is decided from. */
typedef struct element_counts {
    long long students, identity, enroll, attrs, exits, post, loads, scored, not_tested, staff,
        linked, rosters, transcript, courses, ccr, remedial, standards, items, subjects;
} element_counts;

static void decide_all(const element_counts *k, slds_audit_report *r)
{
    slds_audit_element *e = r->elements;
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++) {
        e[i].element = i + 1;
        e[i].name = element_names[i];
    }
    decide(&e[0], k->students > 0 && k->identity > 0,
           "%lld students with statewide ids; %lld identity (crosswalk) records", k->students,
           k->identity);
    decide(&e[1], k->enroll > 0 && k->attrs > 0, "%lld enrollments; %lld student-year attribute rows",
           k->enroll, k->attrs);
    decide(&e[2], k->exits > 0, "%lld enrollments with an exit code (of %lld)", k->exits, k->enroll);
    decide(&e[3], k->post > 0, "%lld postsecondary enrollment rows", k->post);
    decide(&e[4], k->loads > 0, "%lld loads recorded; this audit", k->loads);
    decide(&e[5], k->scored > 0, "%lld STATE assessment rows with a scale score", k->scored);
    decide(&e[6], k->not_tested > 0, "%lld assessment rows with a not-tested reason", k->not_tested);
    decide(&e[7], k->staff > 0 && k->linked > 0,
           "%lld staff; %lld roster rows linking a known teacher to a student (of %lld)", k->staff,
           k->linked, k->rosters);
    decide(&e[8], k->transcript > 0, "%lld course rows with credits earned and a grade mark (of %lld)",
           k->transcript, k->courses);
    decide(&e[9], k->ccr > 0, "%lld COLLEGE_READINESS assessment rows with a scale score", k->ccr);
    decide(&e[10], k->remedial > 0, "%lld postsecondary rows with the remedial flag (of %lld)",
           k->remedial, k->post);
    decide(&e[11], k->standards + k->items + k->subjects > 0,
           "%lld standards; %lld item responses; %lld course rows with a subject", k->standards,
           k->items, k->subjects);
    int supported = 0;
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++)
        supported += e[i].supported;
    r->c1_score = 2 * supported;
    r->c1_max = 2 * SLDS_COMPETES_ELEMENTS;
}

int audit_elements(audit_ctx *c, slds_audit_report *r)
{
    audit_progress(c, "audit element coverage");
    element_counts k = {0};
    k.loads = count_loads(c);
    if (k.loads < 0)
        return c->err->code;
    k.students = tally(c, "students.rows");
    k.identity = tally(c, "student_identity.rows");
    k.enroll = tally(c, "enrollments.rows");
    k.attrs = tally(c, "student_attributes.rows");
    if ((k.exits = count_valued(c, "enrollments", "exit_code")) < 0)
        return c->err->code;
    k.post = tally(c, "postsecondary.rows");
    k.scored = tally(c, "assessments.state_scored");
    if ((k.not_tested = count_valued(c, "assessments", "not_tested_reason")) < 0)
        return c->err->code;
    k.staff = tally(c, "staff.rows");
    k.linked = rosters_with_known_teacher(c);
    k.rosters = tally(c, "rosters.rows");
    k.transcript = tally(c, "courses.credits_and_marks");
    k.courses = tally(c, "courses.rows");
    k.ccr = tally(c, "assessments.college_readiness_scored");
    k.remedial = nonblank(c, "postsecondary", "remedial");
    k.standards = tally(c, "standards.rows");
    k.items = tally(c, "item_responses.rows");
    k.subjects = nonblank(c, "courses", "subject");
    decide_all(&k, r);
    return SLDS_OK;
}

/* ---- the elements alone (slds_audit_elements) ----------------------------
 * The same counts by one query per table, each a single pass that computes
 * every count of its table together, without the checks: what the elements
 * need and nothing else. */

/* Runs sql (one row of n integers) into out[0..n). */
static int query_counts(slds_store *s, const char *sql, long long *const *out, int n, slds_error *err)
{
    slds_cursor cur;
    int rc = slds_cursor_open(&cur, s, sql, err);
    if (rc)
        return rc;
    int r = slds_cursor_step(&cur, err);
    for (int i = 0; r == 1 && i < n; i++)
        *out[i] = slds_cursor_int(&cur, i);
    slds_cursor_close(&cur);
    return r < 0 ? err->code : SLDS_OK;
}

#define NB(x) "coalesce(" x ", '') <> ''"

int slds_audit_elements(slds_store *s, slds_audit_report **out, slds_error *err)
{
    *out = NULL;
    element_counts k = {0};
    long long staff_rows = 0;
    bool own_txn = sqlite3_get_autocommit(s->db);
    int rc = own_txn ? slds_store_exec(s, "BEGIN", err) : SLDS_OK; /* one snapshot */
    struct {
        const char *sql;
        long long *out[3];
        int n;
    } q[] = {
        {"SELECT count(*) FROM main.loads", {&k.loads}, 1},
        {"SELECT count(*) FROM main.students", {&k.students}, 1},
        {"SELECT count(*) FROM main.student_identity", {&k.identity}, 1},
        {"SELECT count(*), coalesce(sum(" NB("exit_code") "), 0) FROM main.enrollments",
         {&k.enroll, &k.exits}, 2},
        {"SELECT count(*) FROM main.student_attributes", {&k.attrs}, 1},
        {"SELECT count(*), coalesce(sum(" NB("remedial") "), 0) FROM main.postsecondary",
         {&k.post, &k.remedial}, 2},
        {"SELECT coalesce(sum(test_type = 'STATE' AND scale_score IS NOT NULL), 0),"
         " coalesce(sum(test_type = 'COLLEGE_READINESS' AND scale_score IS NOT NULL), 0),"
         " coalesce(sum(" NB("not_tested_reason") "), 0) FROM main.assessments",
         {&k.scored, &k.ccr, &k.not_tested}, 3},
        {"SELECT count(*) FROM main.staff", {&staff_rows}, 1},
        /* NOT IN: one in-memory set of the staff ids, not a lookup per row */
        {"SELECT count(*), count(*) - coalesce(sum(staff_id NOT IN (SELECT staff_id"
         " FROM main.staff)), 0) FROM main.rosters",
         {&k.rosters, &k.linked}, 2},
        {"SELECT count(*), coalesce(sum(credits_earned IS NOT NULL AND " NB("grade_mark") "), 0),"
         " coalesce(sum(" NB("subject") "), 0) FROM main.courses",
         {&k.courses, &k.transcript, &k.subjects}, 3},
        {"SELECT count(*) FROM main.standards", {&k.standards}, 1},
        {"SELECT count(*) FROM main.item_responses", {&k.items}, 1},
    };
    for (size_t i = 0; !rc && i < sizeof q / sizeof q[0]; i++)
        rc = query_counts(s, q[i].sql, q[i].out, q[i].n, err);
    if (own_txn && !rc)
        rc = slds_store_commit(s, err);
    else if (own_txn)
        slds_store_rollback(s);
    if (rc)
        return rc;
    k.staff = staff_rows;
    if (!staff_rows)
        k.linked = 0; /* as the full audit: no staff, no known teacher */
    slds_audit_report *r = calloc(1, sizeof *r);
    if (!r)
        return slds_fail(err, SLDS_ERR_NOMEM, "audit: out of memory");
    decide_all(&k, r);
    *out = r;
    return SLDS_OK;
}
