/* enrollments.c - the panel's enrollment spells (school, entry and exit
 * day) of its students in its years, and every school's district, so the
 * school a student was enrolled in on a date costs no query
 * (slds_panel_school_on). */
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

static uint32_t place(slds_panel *p, sqlite3_stmt *st, int col)
{
    const char *id = (const char *)sqlite3_column_text(st, col);
    return id ? slds_intern_add(&p->places, id, (size_t)sqlite3_column_bytes(st, col)) : SLDS_NO_ID;
}

/* Every school's district, once. */
static int read_schools(slds_store *s, slds_panel *p, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st, "SELECT school_id, lea_id FROM schools", err);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        uint32_t school = place(p, st, 0);
        uint32_t lea = place(p, st, 1);
        if (school == SLDS_NO_ID ||
            (sqlite3_column_type(st, 1) != SQLITE_NULL && lea == SLDS_NO_ID)) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            break;
        }
        if (school >= p->n_lea_of) {
            uint32_t n = (school + 1) * 2;
            uint32_t *l = realloc(p->lea_of, n * sizeof *l);
            if (!l) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
                break;
            }
            for (uint32_t k = p->n_lea_of; k < n; k++)
                l[k] = SLDS_NO_ID;
            p->lea_of = l;
            p->n_lea_of = n;
        }
        p->lea_of[school] = lea;
    }
    sqlite3_finalize(st);
    return rc;
}

static int take_spell(void *ctx, slds_panel *p, sqlite3_stmt *st, uint32_t i, slds_error *err)
{
    if (sqlite3_column_type(st, 1) == SQLITE_NULL)
        return SLDS_OK;
    slds_panel_spell *sp = panel_rows_push(ctx, i, err);
    if (!sp)
        return SLDS_ERR_NOMEM;
    sp->year_offset = (int16_t)(sqlite3_column_int(st, 2) - p->year_lo);
    sp->school = place(p, st, 1);
    sp->entry = panel_day(st, 3);
    sp->exit = panel_day(st, 4);
    if (sp->school == SLDS_NO_ID)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for school ids");
    return SLDS_OK;
}

int panel_read_enrollments(slds_store *s, const slds_panel_options *o, slds_panel *p,
                           slds_error *err)
{
    (void)o;
    int rc = read_schools(s, p, err);
    if (rc)
        return rc;
    panel_rows rows = {.size = sizeof(slds_panel_spell)};
    rc = panel_walk(s, p,
                    "SELECT student_id, school_id, school_year, entry_date, exit_date"
                    " FROM enrollments WHERE school_year BETWEEN ?1 AND ?2"
                    " ORDER BY student_id, school_id, entry_date",
                    "enrollments", take_spell, &rows, err);
    p->n_spells = rows.n;
    if (rc) {
        panel_rows_free(&rows);
        return rc;
    }
    void *spells = NULL;
    rc = panel_rows_group(&rows, slds_panel_students(p), &p->spell_start, &spells, err);
    p->spells = spells;
    return rc;
}
