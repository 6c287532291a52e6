/* authz.c - the authorization questions: may this principal see this
 * student, school, district, educator, and which students may it see. The
 * only place a role's scopes are interpreted (docs/access.md, "Roles").
 *
 * Every answer comes from the collection tables for one school year: a
 * teacher's students are those on his or her rosters that year, a
 * principal's those enrolled in the school that year, a district's those
 * enrolled that year in one of its schools. Parents and students see the
 * listed ids whatever the year. Every query is parameterized; a list of
 * scopes is passed as one JSON array parameter (json_each). Errors answer -1
 * (the caller must refuse: an error never grants). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "access/internal.h"

static int in_scopes(const slds_principal *who, const char *id)
{
    for (size_t i = 0; id && i < who->n_scopes; i++)
        if (who->scopes[i] && !strcmp(who->scopes[i], id))
            return 1;
    return 0;
}

/* 1 when sql (?1 = id, ?2 = one scope, ?3 = school_year if it uses one) has a row for some
 * scope of who; 0 when none; -1 on error. */
static int any_scope_row(slds_store *s, const slds_principal *who, const char *sql, const char *id,
                         int school_year, slds_error *err)
{
    if (!id)
        return 0;
    slds_cursor c;
    if (slds_cursor_open_cached(&c, s, sql, err)) /* asked at every request of the server */
        return -1;
    int found = 0;
    for (size_t i = 0; !found && i < who->n_scopes; i++) {
        slds_cursor_reset(&c);
        slds_cursor_bind_text(&c, 1, id);
        slds_cursor_bind_text(&c, 2, who->scopes[i]);
        if (sqlite3_bind_parameter_count(c.stmt) >= 3)
            slds_cursor_bind_int(&c, 3, school_year);
        found = slds_cursor_step(&c, err);
    }
    slds_cursor_close(&c);
    return found;
}

int slds_access_may_see_student(slds_store *s, const slds_principal *who, const char *student_id,
                                int school_year, slds_error *err)
{
    if (!who || !student_id)
        return 0;
    switch (who->role) {
    case SLDS_ROLE_STATE_ADMIN:
        return 1;
    case SLDS_ROLE_PARENT:
    case SLDS_ROLE_STUDENT:
        return in_scopes(who, student_id);
    case SLDS_ROLE_TEACHER:
        return any_scope_row(s, who,
                             "SELECT 1 FROM rosters WHERE student_id = ?1 AND school_year = ?3"
                             " AND staff_id = ?2 LIMIT 1",
                             student_id, school_year, err);
    case SLDS_ROLE_PRINCIPAL:
        return any_scope_row(s, who,
                             "SELECT 1 FROM enrollments WHERE student_id = ?1 AND school_id = ?2"
                             " AND school_year = ?3 LIMIT 1",
                             student_id, school_year, err);
    case SLDS_ROLE_DISTRICT:
        return any_scope_row(
            s, who,
            "SELECT 1 FROM enrollments e JOIN schools k ON k.school_id = e.school_id"
            " WHERE e.student_id = ?1 AND e.school_year = ?3 AND k.lea_id = ?2 LIMIT 1",
            student_id, school_year, err);
    default: /* public, state-analyst, researcher: no identifiable record */
        return 0;
    }
}

int slds_access_may_see_school(slds_store *s, const slds_principal *who, const char *school_id,
                               slds_error *err)
{
    if (!who || !school_id)
        return 0;
    switch (who->role) {
    case SLDS_ROLE_STATE_ADMIN:
        return 1;
    case SLDS_ROLE_PRINCIPAL:
        return in_scopes(who, school_id);
    case SLDS_ROLE_DISTRICT:
        return any_scope_row(s, who, "SELECT 1 FROM schools WHERE school_id = ?1 AND lea_id = ?2",
                             school_id, 0, err);
    default:
        return 0;
    }
}

int slds_access_may_see_lea(slds_store *s, const slds_principal *who, const char *lea_id,
                            slds_error *err)
{
    (void)s;
    (void)err;
    if (!who || !lea_id)
        return 0;
    switch (who->role) {
    case SLDS_ROLE_STATE_ADMIN:
        return 1;
    case SLDS_ROLE_DISTRICT:
        return in_scopes(who, lea_id);
    default:
        return 0;
    }
}

int slds_access_may_see_staff(slds_store *s, const slds_principal *who, const char *staff_id,
                              int school_year, slds_error *err)
{
    if (!who || !staff_id)
        return 0;
    switch (who->role) {
    case SLDS_ROLE_STATE_ADMIN:
        return 1;
    case SLDS_ROLE_TEACHER:
        return in_scopes(who, staff_id);
    case SLDS_ROLE_PRINCIPAL:
        return any_scope_row(
            s, who,
            "SELECT 1 FROM staff_assignments WHERE staff_id = ?1 AND school_id = ?2"
            " AND school_year = ?3 LIMIT 1",
            staff_id, school_year, err);
    case SLDS_ROLE_DISTRICT:
        return any_scope_row(s, who,
                             "SELECT 1 FROM staff_assignments a JOIN schools k"
                             " ON k.school_id = a.school_id WHERE a.staff_id = ?1"
                             " AND a.school_year = ?3 AND k.lea_id = ?2"
                             " UNION ALL SELECT 1 FROM staff WHERE staff_id = ?1 AND lea_id = ?2"
                             " LIMIT 1",
                             staff_id, school_year, err);
    default:
        return 0;
    }
}

int slds_access_may_see_aggregates(const slds_principal *who)
{
    slds_role r = who ? who->role : SLDS_ROLE_PUBLIC;
    return r != SLDS_ROLE_PARENT && r != SLDS_ROLE_STUDENT && (unsigned)r < SLDS_USER_ROLE_COUNT;
}

int slds_access_identifiable(const slds_principal *who)
{
    slds_role r = who ? who->role : SLDS_ROLE_PUBLIC;
    return r == SLDS_ROLE_STATE_ADMIN || r == SLDS_ROLE_DISTRICT || r == SLDS_ROLE_PRINCIPAL ||
           r == SLDS_ROLE_TEACHER || r == SLDS_ROLE_PARENT || r == SLDS_ROLE_STUDENT;
}

int slds_access_needs_suppression(const slds_principal *who)
{
    slds_role r = who ? who->role : SLDS_ROLE_PUBLIC;
    /* anything out of range is treated as the public */
    return r == SLDS_ROLE_PUBLIC || (unsigned)r >= SLDS_USER_ROLE_COUNT;
}

/* The candidate students of each role, as SQL selecting student_id from
 * scopes sc(id) (?1 is the scopes' JSON array, ?2 the school year). */
static const char *candidates_sql(slds_role role)
{
    switch (role) {
    case SLDS_ROLE_STATE_ADMIN:
        return "SELECT DISTINCT student_id FROM enrollments WHERE school_year = ?2";
    case SLDS_ROLE_DISTRICT:
        return "SELECT DISTINCT e.student_id FROM sc JOIN schools k ON k.lea_id = sc.id"
               " JOIN enrollments e ON e.school_id = k.school_id AND e.school_year = ?2";
    case SLDS_ROLE_PRINCIPAL:
        return "SELECT DISTINCT e.student_id FROM sc JOIN enrollments e"
               " ON e.school_id = sc.id AND e.school_year = ?2";
    case SLDS_ROLE_TEACHER:
        return "SELECT DISTINCT r.student_id FROM sc JOIN rosters r"
               " ON r.staff_id = sc.id AND r.school_year = ?2";
    case SLDS_ROLE_PARENT:
    case SLDS_ROLE_STUDENT:
        return "SELECT DISTINCT id FROM sc";
    default:
        return NULL;
    }
}

int slds_access_visible_students(slds_store *s, const slds_principal *who, int school_year,
                                 size_t offset, size_t limit, slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {{.name = "student_id", .type = SLDS_CELL_TEXT},
                                            {.name = "first_name", .type = SLDS_CELL_TEXT},
                                            {.name = "last_name", .type = SLDS_CELL_TEXT},
                                            {.name = "grade_level", .type = SLDS_CELL_TEXT},
                                            {.name = "school_id", .type = SLDS_CELL_TEXT}};
    *out = NULL;
    slds_table *t;
    int rc = slds_table_new(&t, "students", "Students", cols, 5, err);
    if (rc)
        return rc;
    const char *cand = who ? candidates_sql(who->role) : NULL;
    if (!cand) {
        *out = t; /* no identifiable access: nobody */
        return SLDS_OK;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < who->n_scopes; i++)
        if (json_array_append_new(arr, json_string(who->scopes[i] ? who->scopes[i] : "")))
            break;
    char *scopes = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (!scopes) {
        slds_table_free(t);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    /* The year's last enrollment gives grade and school; the name comes from
     * the identity row of that school's district when there is one. Each is a
     * correlated subquery on an index, per student of the page (a window
     * function over the join made SQLite scan whole tables). */
    slds_buf sql = {0};
    rc = slds_buf_printf(
        &sql,
        "WITH sc(id) AS (SELECT value FROM json_each(?1)),"
        " cand(student_id) AS (%s),"
        " page(student_id) AS (SELECT student_id FROM cand ORDER BY student_id LIMIT ?3 OFFSET ?4),"
        " cur AS (SELECT p.student_id, (SELECT e.school_id FROM enrollments e"
        "  WHERE e.student_id = p.student_id AND e.school_year = ?2"
        "  ORDER BY e.entry_date DESC, e.school_id LIMIT 1) AS school_id FROM page p),"
        /* the identity row: of the district attended, else the first */
        " pick AS (SELECT c.student_id, c.school_id, coalesce("
        "  (SELECT i.lea_id FROM student_identity i WHERE i.student_id = c.student_id"
        "   AND i.lea_id = k.lea_id LIMIT 1),"
        "  (SELECT min(i.lea_id) FROM student_identity i WHERE i.student_id = c.student_id))"
        "  AS ilea FROM cur c LEFT JOIN schools k ON k.school_id = c.school_id),"
        " pick2 AS (SELECT q.*, (SELECT min(i.local_student_id) FROM student_identity i"
        "  WHERE i.student_id = q.student_id AND i.lea_id = q.ilea) AS ilocal FROM pick q)"
        " SELECT q.student_id, i.first_name, i.last_name,"
        "  (SELECT e.grade_level FROM enrollments e WHERE e.student_id = q.student_id"
        "   AND e.school_year = ?2 ORDER BY e.entry_date DESC, e.school_id LIMIT 1),"
        "  q.school_id"
        " FROM pick2 q LEFT JOIN student_identity i"
        "  ON i.lea_id = q.ilea AND i.local_student_id = q.ilocal"
        " ORDER BY q.student_id",
        cand);
    slds_cursor c;
    if (rc)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    else
        rc = slds_cursor_open(&c, s, sql.data, err);
    slds_buf_free(&sql);
    if (!rc) {
        slds_cursor_bind_text(&c, 1, scopes);
        slds_cursor_bind_int(&c, 2, school_year);
        slds_cursor_bind_int(&c, 3, limit ? (int64_t)limit : -1);
        slds_cursor_bind_int(&c, 4, (int64_t)offset);
        int r;
        while ((r = slds_cursor_step(&c, err)) == 1) {
            slds_table_add_row(t, err);
            for (int k = 0; k < 5; k++)
                slds_table_set_text(t, k, slds_cursor_text(&c, k), err);
        }
        slds_cursor_close(&c);
        rc = r < 0 ? SLDS_ERR_DB : slds_table_status(t);
        if (rc && r >= 0)
            slds_fail(err, rc, "building the table of students failed");
    }
    free(scopes);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

int slds_access_current_year(slds_store *s, int *school_year, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT max(school_year) FROM enrollments", err))
        return err->code;
    int r = slds_cursor_step(&c, err);
    int found = r == 1 && !slds_cursor_is_null(&c, 0);
    if (found)
        *school_year = (int)slds_cursor_int(&c, 0);
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    if (!found)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "%s has no enrollments", s->path);
    return SLDS_OK;
}
