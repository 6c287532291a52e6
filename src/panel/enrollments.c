/* enrollments.c - the panel's enrollment spells (school, entry and exit
 * day) of its students in its years, and every school's district, so the
 * school a student was enrolled in on a date costs no query
 * (slds_panel_school_on). */
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

static uint32_t place(slds_panel *p, const slds_cursor *c, int col)
{
    const char *id = slds_cursor_text(c, col);
    return id ? slds_intern_add(&p->places, id, strlen(id)) : SLDS_NO_ID;
}

/* Every school's district, once. */
static int read_schools(slds_store *s, slds_panel *p, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s, "SELECT school_id, lea_id FROM schools", err), r = 0;
    while (!rc && (r = slds_cursor_step(&c, err)) == 1) {
        uint32_t school = place(p, &c, 0);
        uint32_t lea = place(p, &c, 1);
        if (school == SLDS_NO_ID || (!slds_cursor_is_null(&c, 1) && lea == SLDS_NO_ID)) {
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
    slds_cursor_close(&c);
    return rc ? rc : r < 0 ? SLDS_ERR_DB : SLDS_OK;
}

static int take_spell(void *ctx, slds_panel *p, const slds_cursor *c, uint32_t i, slds_error *err)
{
    if (slds_cursor_is_null(c, 1))
        return SLDS_OK;
    slds_panel_spell *sp = panel_rows_push(ctx, i, err);
    if (!sp)
        return SLDS_ERR_NOMEM;
    sp->year_offset = (int16_t)((int)slds_cursor_int(c, 2) - p->year_lo);
    sp->school = place(p, c, 1);
    sp->entry = panel_day(c, 3);
    sp->exit = panel_day(c, 4);
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
                    take_spell, &rows, err);
    void *spells = NULL;
    rc = panel_rows_group(&rows, rc, slds_panel_students(p), &p->spell_start, &spells, &p->n_spells,
                          err);
    p->spells = spells;
    return rc;
}
