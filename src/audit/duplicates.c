/* duplicates.c - possible duplicate students: identity records with the same
 * match_key (the identity matcher's blocking key, derived from name, birth
 * date and sex) but different statewide ids. Each such match_key is one group
 * to review; the count is groups, the total is distinct match keys. A group
 * that spans districts counts once statewide and once in every district it
 * touches. Examples list the statewide ids of a group, never the match_key
 * (it is derived from the name). The other duplicate check, one student
 * enrolled in two schools on one day, is a row rule of enrollments (scan.c). */
#include "audit/audit_internal.h"

#include <stdlib.h>
#include <string.h>

#define GROUP_MAX_LEAS 16

typedef struct dup_group {
    char key[512]; /* the group's statewide ids, joined by '+' */
    size_t key_len;
    long leas[GROUP_MAX_LEAS];
    size_t n_leas; /* districts past GROUP_MAX_LEAS are not counted */
} dup_group;

static void group_add_student(dup_group *g, const char *student_id)
{
    if (g->key_len && g->key_len + 1 < sizeof g->key) {
        g->key[g->key_len++] = '+';
        g->key[g->key_len] = '\0';
    }
    size_t n = strlen(student_id);
    if (g->key_len + n + 1 >= sizeof g->key)
        return;
    memcpy(g->key + g->key_len, student_id, n + 1);
    g->key_len += n;
}

static void group_add_lea(dup_group *g, long d)
{
    for (size_t i = 0; i < g->n_leas; i++)
        if (g->leas[i] == d)
            return;
    if (g->n_leas < GROUP_MAX_LEAS)
        g->leas[g->n_leas++] = d;
}

/* Counts a finished group statewide and in each of its districts. */
static int group_flush(audit_ctx *c, audit_check *k, dup_group *g)
{
    if (!g->key_len)
        return SLDS_OK;
    int rc = audit_check_hit_state(c, k, g->key);
    for (size_t i = 0; !rc && i < g->n_leas; i++)
        rc = audit_check_hit_district(c, k, g->leas[i], g->key);
    if (!rc && !g->n_leas)
        rc = audit_check_hit_district(c, k, -1, g->key);
    memset(g, 0, sizeof *g);
    return rc;
}

static int count_groups(audit_ctx *c, audit_check *k)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(
        c->s, &st,
        "SELECT i.match_key, i.student_id, i.lea_id FROM main.student_identity i"
        " WHERE i.match_key IN (SELECT match_key FROM main.student_identity"
        "                       WHERE match_key IS NOT NULL GROUP BY match_key"
        "                       HAVING min(student_id) <> max(student_id))"
        " ORDER BY i.match_key, i.student_id, i.lea_id",
        c->err);
    if (rc)
        return rc;
    dup_group g = {0};
    char match_key[512] = "", last_student[256] = "";
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *mk = (const char *)sqlite3_column_text(st, 0);
        const char *student = (const char *)sqlite3_column_text(st, 1);
        if (strcmp(mk, match_key)) {
            rc = group_flush(c, k, &g);
            snprintf(match_key, sizeof match_key, "%s", mk);
            last_student[0] = '\0';
        }
        if (!rc && strcmp(student, last_student)) {
            group_add_student(&g, student);
            snprintf(last_student, sizeof last_student, "%s", student);
        }
        long d = -1;
        if (!rc)
            rc = audit_district(c, (const char *)sqlite3_column_text(st, 2), &d);
        if (!rc && d >= 0)
            group_add_lea(&g, d);
    }
    if (!rc)
        rc = group_flush(c, k, &g);
    sqlite3_finalize(st);
    return rc;
}

/* Distinct match keys statewide and per district, the totals of the check. */
static int count_keys(audit_ctx *c, audit_check *k)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->s, &st,
                                "SELECT lea_id, count(DISTINCT match_key) FROM main.student_identity"
                                " GROUP BY lea_id",
                                c->err);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        long d = -1;
        rc = audit_district(c, (const char *)sqlite3_column_text(st, 0), &d);
        if (!rc)
            rc = audit_check_total(c, k, d, sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    if (rc)
        return rc;
    /* A key shared by two districts is one key statewide. */
    rc = slds_store_prepare(c->s, &st, "SELECT count(DISTINCT match_key) FROM main.student_identity",
                            c->err);
    if (!rc && sqlite3_step(st) == SQLITE_ROW)
        k->state.total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

int audit_identity_dups(audit_ctx *c)
{
    audit_progress(c, "audit duplicate students");
    audit_check *k = audit_check_add(c, SLDS_AUDIT_DUPLICATES, "student_identity",
                                     "possible_duplicate_student",
                                     "identity records with the same match key have different statewide ids",
                                     false);
    if (!k)
        return c->err->code;
    int rc = count_groups(c, k);
    if (!rc)
        rc = count_keys(c, k);
    return rc;
}
