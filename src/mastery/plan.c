/* plan.c - individual learning plans (mastery.h): goals (a standard to
 * master by a target date) that teachers set, kept in learning_plans, and
 * the plan with its progress that students and parents see.
 *
 * Status of a goal as of a date D (docs/mastery.md):
 *  - met: mastered on or before the target date (the day P(mastery) first
 *    reached the threshold; a goal mastered before it was set is met; a
 *    standard mastered and since fallen stays met, and shows in the next
 *    steps as one to revisit);
 *  - met late: mastered after the target date;
 *  - overdue: not mastered and D is after the target date;
 *  - not started: no response yet;
 *  - on track: P(mastery) at least the straight line from p_init on the day
 *    the goal was set to the threshold on the target date;
 *  - behind: below that line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mastery/internal.h"

static bool valid_date(const char *s, int64_t *days)
{
    return s && strlen(s) == 10 && slds_date_parse(s, 10, days);
}

static int exists(slds_store *s, const char *sql, const char *id, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s, sql, err))
        return -1;
    slds_cursor_bind_text(&c, 1, id);
    int r = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    return r;
}

int slds_mastery_plan_set(slds_store *s, const slds_plan_goal *g, slds_error *err)
{
    if (!s->writer)
        return slds_fail(err, SLDS_ERR_USAGE, "%s: opened read-only, cannot set a goal", s->path);
    int64_t target, set_on;
    char today[11];
    mastery_today(today);
    const char *on = g->set_on ? g->set_on : today;
    if (!valid_date(g->target_date, &target))
        return slds_fail(err, SLDS_ERR_USAGE, "target date '%s' is not a date YYYY-MM-DD",
                         g->target_date ? g->target_date : "");
    if (!valid_date(on, &set_on))
        return slds_fail(err, SLDS_ERR_USAGE, "date '%s' is not a date YYYY-MM-DD", on);
    int r = exists(s, "SELECT 1 FROM students WHERE student_id = ?1", g->student_id, err);
    if (r < 0)
        return err->code;
    if (!r)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no student with id '%s'",
                         g->student_id ? g->student_id : "");
    if ((r = exists(s, "SELECT 1 FROM standards WHERE standard_id = ?1", g->standard_id, err)) < 0)
        return err->code;
    if (!r)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no standard with id '%s' (standards.csv)",
                         g->standard_id ? g->standard_id : "");
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "INSERT OR REPLACE INTO learning_plans(student_id, standard_id, target_date,"
                         " set_on, set_by, note) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, g->student_id);
    slds_cursor_bind_text(&c, 2, g->standard_id);
    slds_cursor_bind_text(&c, 3, g->target_date);
    slds_cursor_bind_text(&c, 4, on);
    slds_cursor_bind_text(&c, 5, g->set_by);
    slds_cursor_bind_text(&c, 6, g->note);
    int step = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

int slds_mastery_plan_remove(slds_store *s, const char *student_id, const char *standard_id,
                             slds_error *err)
{
    if (!s->writer)
        return slds_fail(err, SLDS_ERR_USAGE, "%s: opened read-only, cannot remove a goal",
                         s->path);
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "DELETE FROM learning_plans WHERE student_id = ?1 AND standard_id = ?2", err))
        return err->code;
    slds_cursor_bind_text(&c, 1, student_id);
    slds_cursor_bind_text(&c, 2, standard_id);
    int step = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    if (step < 0)
        return err->code;
    if (!sqlite3_changes(s->db))
        return slds_fail(err, SLDS_ERR_NOTFOUND, "student %s has no goal for %s", student_id,
                         standard_id);
    return SLDS_OK;
}

const char *mastery_goal_status(double p, double p_init, bool has, const char *mastered_at,
                                int64_t set_on, int64_t target, int64_t as_of, double threshold)
{
    int64_t when;
    bool reached = mastered_at && strlen(mastered_at) >= 10 && slds_date_parse(mastered_at, 10, &when);
    if (reached)
        return when > target ? "met late" : "met";
    if (has && p >= threshold)
        return "met";
    if (as_of > target)
        return "overdue";
    if (!has)
        return "not started";
    double span = (double)(target - set_on);
    double frac = span > 0 ? (double)(as_of - set_on) / span : 1.0;
    if (frac < 0)
        frac = 0;
    double expected = p_init + (threshold - p_init) * frac;
    return p >= expected ? "on track" : "behind";
}

int slds_mastery_plan_table(slds_store *s, const char *student_id, const char *as_of,
                            double threshold, slds_table **out, slds_error *err)
{
    *out = NULL;
    int rc = mastery_require_schema(s, err);
    if (rc)
        return rc;
    char today[11];
    mastery_today(today);
    int64_t asof;
    if (!valid_date(as_of ? as_of : today, &asof))
        return slds_fail(err, SLDS_ERR_USAGE, "date '%s' is not a date YYYY-MM-DD", as_of);
    int r = exists(s, "SELECT 1 FROM students WHERE student_id = ?1", student_id, err);
    if (r < 0)
        return err->code;
    if (!r)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no student with id '%s'", student_id);
    static const slds_column_spec cols[] = {
        {.name = "student_id", .type = SLDS_CELL_TEXT},
        {.name = "standard_id", .type = SLDS_CELL_TEXT},
        {.name = "description", .type = SLDS_CELL_TEXT},
        {.name = "target_date", .type = SLDS_CELL_DATE},
        {.name = "set_on", .type = SLDS_CELL_DATE},
        {.name = "set_by", .type = SLDS_CELL_TEXT},
        {.name = "p_mastery", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 3},
        {.name = "progress", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 0},
        {.name = "responses", .type = SLDS_CELL_INTEGER, .unit = "responses"},
        {.name = "mastered_at", .type = SLDS_CELL_TEXT},
        {.name = "days_left", .type = SLDS_CELL_INTEGER, .unit = "days"},
        {.name = "status", .type = SLDS_CELL_TEXT},
        {.name = "note", .type = SLDS_CELL_TEXT}};
    slds_table *t;
    if ((rc = slds_table_new(&t, "learning_plan", "Learning plan", cols, 13, err)))
        return rc;
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT lp.standard_id, sd.description, lp.target_date, lp.set_on, lp.set_by,"
                         " ms.p_mastery, ms.responses, ms.mastered_at, mp.p_init, lp.note"
                         " FROM learning_plans lp"
                         " LEFT JOIN standards sd ON sd.standard_id = lp.standard_id"
                         " LEFT JOIN mastery_state ms ON ms.student_id = lp.student_id"
                         "  AND ms.standard_id = lp.standard_id"
                         " LEFT JOIN mastery_params mp ON mp.standard_id = lp.standard_id"
                         " WHERE lp.student_id = ?1 ORDER BY lp.target_date, lp.standard_id",
                         err)) {
        slds_table_free(t);
        return err->code;
    }
    slds_cursor_bind_text(&c, 1, student_id);
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        int64_t target = 0, set_on = 0;
        const char *td = slds_cursor_text(&c, 2), *so = slds_cursor_text(&c, 3);
        valid_date(td, &target);
        if (!valid_date(so, &set_on))
            set_on = target;
        bool has = !slds_cursor_is_null(&c, 5);
        double p = has ? slds_cursor_double(&c, 5) : NAN;
        double p_init = slds_cursor_is_null(&c, 8) ? 0 : slds_cursor_double(&c, 8);
        const char *mastered_at = slds_cursor_text(&c, 7);
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, student_id, err);
        slds_table_set_text(t, 1, slds_cursor_text(&c, 0), err);
        slds_table_set_text(t, 2, slds_cursor_text(&c, 1), err);
        slds_table_set_date(t, 3, td, err);
        slds_table_set_date(t, 4, so, err);
        slds_table_set_text(t, 5, slds_cursor_text(&c, 4), err);
        slds_table_set_real(t, 6, p, err);
        slds_table_set_real(t, 7, has ? fmin(100.0, 100.0 * p / threshold) : 0.0, err);
        slds_table_set_integer(t, 8, has ? slds_cursor_int(&c, 6) : 0, err);
        slds_table_set_text(t, 9, mastered_at, err);
        slds_table_set_integer(t, 10, target - asof, err);
        slds_table_set_text(t, 11,
                            mastery_goal_status(p, p_init, has, mastered_at, set_on, target, asof,
                                                threshold),
                            err);
        slds_table_set_text(t, 12, slds_cursor_text(&c, 9), err);
        if ((rc = slds_table_status(t)))
            break;
    }
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = err->code;
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}
