/* jumps.c - implausible score jumps: a student's year-over-year change in
 * STATE scale score (same subject, consecutive school years) that lies more
 * than jump_sd standard deviations from the mean change of that subject and
 * grade (the grade tested in the later year). A student-year-subject with
 * several STATE scores uses their mean. The count is flagged changes, the
 * total is changes, each placed in the district of the later year.
 *
 * Why it is done this way: assessments is the largest table (tens of millions
 * of rows), and building a TEMP table of scores and another of changes costs
 * more than every other check together. Rows arrive in primary-key order
 * (student, year, subject), so one student's scores come together and a small
 * buffer (the walker) turns them into changes. Two passes:
 *   1. during the assessments scan (scan.c calls audit_jumps_observe), sum the
 *      changes per subject and grade (for the mean and SD) and count them per
 *      district (the totals);
 *   2. audit_score_jumps re-reads the STATE scores alone (no join), recomputes
 *      the changes and flags those beyond the threshold; only the flagged ones
 *      look up their district. */
#include "audit/audit_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The mean of one student's STATE scores in one year and subject. */
typedef struct score_point {
    int year;
    int subject; /* index into the names table */
    int grade;   /* index into the names table */
    double sum;
    int n;
    long lea; /* district of the year (pass 1 only) */
} score_point;

/* Running sums of the changes of one subject and grade. */
typedef struct jump_group {
    int subject, grade;
    int64_t n;
    double sum, sumsq;
    double mean, sd;
} jump_group;

struct audit_jumps {
    audit_check *check;
    /* subject and grade codes, interned (a handful of each) */
    char **names;
    size_t n_names, cap_names;
    jump_group *groups;
    size_t n_groups, cap_groups;
    /* the walker: the current student's points */
    char student[128];
    score_point *points;
    size_t n_points, cap_points;
    int64_t state_scored; /* STATE rows with a scale score (element 6) */
    bool flagging;        /* pass 2 */
    sqlite3_stmt *lea_of; /* pass 2: the district of a flagged change */
};

static int nomem(audit_ctx *c)
{
    return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
}

/* Index of name in the names table (added if new); -1 when out of memory. */
static int intern(struct audit_jumps *j, const char *name)
{
    for (size_t i = 0; i < j->n_names; i++)
        if (!strcmp(j->names[i], name))
            return (int)i;
    if (j->n_names == j->cap_names) {
        size_t cap = j->cap_names ? j->cap_names * 2 : 32;
        char **p = realloc(j->names, cap * sizeof *p);
        if (!p)
            return -1;
        j->names = p;
        j->cap_names = cap;
    }
    if (!(j->names[j->n_names] = strdup(name)))
        return -1;
    return (int)j->n_names++;
}

static jump_group *group_of(struct audit_jumps *j, int subject, int grade, bool add)
{
    for (size_t i = 0; i < j->n_groups; i++)
        if (j->groups[i].subject == subject && j->groups[i].grade == grade)
            return &j->groups[i];
    if (!add)
        return NULL;
    if (j->n_groups == j->cap_groups) {
        size_t cap = j->cap_groups ? j->cap_groups * 2 : 32;
        jump_group *p = realloc(j->groups, cap * sizeof *p);
        if (!p)
            return NULL;
        j->groups = p;
        j->cap_groups = cap;
    }
    jump_group *g = &j->groups[j->n_groups++];
    memset(g, 0, sizeof *g);
    g->subject = subject;
    g->grade = grade;
    return g;
}

/* Pass 2: the district of the later year of a flagged change. */
static int flagged_lea(audit_ctx *c, struct audit_jumps *j, int year, long *d)
{
    sqlite3_reset(j->lea_of);
    sqlite3_bind_text(j->lea_of, 1, j->student, -1, SQLITE_STATIC);
    sqlite3_bind_int(j->lea_of, 2, year);
    *d = -1;
    if (sqlite3_step(j->lea_of) != SQLITE_ROW)
        return slds_fail(c->err, SLDS_ERR_DB, "audit: score changes: %s", sqlite3_errmsg(c->s->db));
    return audit_district(c, (const char *)sqlite3_column_text(j->lea_of, 0), d);
}

/* One change: pass 1 adds it to its group and district; pass 2 flags it. */
static int on_change(audit_ctx *c, struct audit_jumps *j, const score_point *p, double delta)
{
    if (!j->flagging) {
        jump_group *g = group_of(j, p->subject, p->grade, true);
        if (!g)
            return nomem(c);
        g->n++;
        g->sum += delta;
        g->sumsq += delta * delta;
        return audit_check_total(c, j->check, p->lea, 1);
    }
    const jump_group *g = group_of(j, p->subject, p->grade, false);
    if (!g || !(g->sd > 0) || fabs(delta - g->mean) <= c->opt.jump_sd * g->sd)
        return SLDS_OK;
    long d;
    int rc = flagged_lea(c, j, p->year, &d);
    if (rc)
        return rc;
    char key[256];
    snprintf(key, sizeof key, "%s|%s|%d", j->student, j->names[p->subject], p->year);
    return audit_check_hit(c, j->check, d, key);
}

/* Turns the buffered student's points into changes between consecutive years. */
static int walker_flush(audit_ctx *c, struct audit_jumps *j)
{
    int rc = SLDS_OK;
    for (size_t i = 0; !rc && i < j->n_points; i++) {
        const score_point *p = &j->points[i];
        /* points are in (year, subject) order: the year before is further back */
        for (size_t k = i; k-- > 0;) {
            const score_point *q = &j->points[k];
            if (q->year < p->year - 1)
                break;
            if (q->year == p->year - 1 && q->subject == p->subject) {
                rc = on_change(c, j, p, p->sum / p->n - q->sum / q->n);
                break;
            }
        }
    }
    j->n_points = 0;
    return rc;
}

/* Adds one STATE score (rows in primary-key order). */
static int walker_add(audit_ctx *c, struct audit_jumps *j, const char *student, int year,
                      const char *subject, const char *grade, double score, long lea)
{
    int rc = SLDS_OK;
    if (strcmp(student, j->student)) {
        rc = walker_flush(c, j);
        snprintf(j->student, sizeof j->student, "%s", student);
    }
    int s = intern(j, subject), g = intern(j, grade);
    if (rc || s < 0 || g < 0)
        return rc ? rc : nomem(c);
    score_point *last = j->n_points ? &j->points[j->n_points - 1] : NULL;
    if (last && last->year == year && last->subject == s) {
        last->sum += score;
        last->n++;
        return SLDS_OK;
    }
    if (j->n_points == j->cap_points) {
        size_t cap = j->cap_points ? j->cap_points * 2 : 32;
        score_point *p = realloc(j->points, cap * sizeof *p);
        if (!p)
            return nomem(c);
        j->points = p;
        j->cap_points = cap;
    }
    j->points[j->n_points++] = (score_point){year, s, g, score, 1, lea};
    return SLDS_OK;
}

int audit_jumps_begin(audit_ctx *c)
{
    c->jumps = calloc(1, sizeof *c->jumps);
    if (!c->jumps)
        return nomem(c);
    char description[192];
    snprintf(description, sizeof description,
             "a year-over-year STATE scale score change more than %g SD from the mean change"
             " of its subject and grade",
             c->opt.jump_sd);
    c->jumps->check = audit_check_add(c, SLDS_AUDIT_OUTLIERS, "assessments", "score_jump",
                                      description, false);
    return c->jumps->check ? SLDS_OK : c->err->code;
}

int audit_jumps_observe(audit_ctx *c, sqlite3_stmt *st, int col, long d)
{
    if (!sqlite3_column_int(st, col))
        return SLDS_OK;
    c->jumps->state_scored++;
    return walker_add(c, c->jumps, (const char *)sqlite3_column_text(st, 1),
                      sqlite3_column_int(st, 2), (const char *)sqlite3_column_text(st, 3),
                      (const char *)sqlite3_column_text(st, col + 1),
                      sqlite3_column_double(st, col + 2), d);
}

static void finish_groups(struct audit_jumps *j)
{
    for (size_t i = 0; i < j->n_groups; i++) {
        jump_group *g = &j->groups[i];
        g->mean = g->n ? g->sum / (double)g->n : 0;
        double var = g->n > 1 ? (g->sumsq - g->sum * g->mean) / (double)(g->n - 1) : 0;
        g->sd = var > 0 ? sqrt(var) : 0;
    }
}

static int flag_pass(audit_ctx *c, struct audit_jumps *j)
{
    int rc = slds_store_prepare(
        c->s, &j->lea_of,
        "SELECT coalesce((SELECT lea_id FROM audit_student_year WHERE student_id = ?1 AND school_year = ?2),"
        " (SELECT lea_id FROM audit_student_lea WHERE student_id = ?1))",
        c->err);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = slds_store_prepare(c->s, &st,
                                "SELECT student_id, school_year, subject, grade_tested, scale_score"
                                " FROM main.assessments WHERE test_type = 'STATE' AND scale_score IS NOT NULL"
                                " ORDER BY student_id, school_year, subject",
                                c->err);
    j->flagging = true;
    j->n_points = 0;
    j->student[0] = '\0';
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = walker_add(c, j, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
                        (const char *)sqlite3_column_text(st, 2),
                        (const char *)sqlite3_column_text(st, 3), sqlite3_column_double(st, 4), -1);
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(c->err, SLDS_ERR_DB, "audit: score changes: %s", sqlite3_errmsg(c->s->db));
    if (!rc)
        rc = walker_flush(c, j);
    sqlite3_finalize(st);
    return rc;
}

int audit_score_jumps(audit_ctx *c)
{
    audit_progress(c, "audit score changes");
    struct audit_jumps *j = c->jumps;
    int rc = walker_flush(c, j); /* the last student of pass 1 */
    if (!rc)
        rc = audit_tally_set(c, "assessments.state_scored", j->state_scored);
    if (rc)
        return rc;
    finish_groups(j);
    bool any = false;
    for (size_t i = 0; i < j->n_groups; i++)
        any = any || j->groups[i].sd > 0;
    return any ? flag_pass(c, j) : SLDS_OK;
}

void audit_jumps_release(audit_ctx *c)
{
    struct audit_jumps *j = c->jumps;
    if (!j)
        return;
    for (size_t i = 0; i < j->n_names; i++)
        free(j->names[i]);
    free(j->names);
    free(j->groups);
    free(j->points);
    sqlite3_finalize(j->lea_of);
    free(j);
    c->jumps = NULL;
}
