/* rosters.c - the panel's teacher links: for every student of the panel,
 * year of the panel and subject with scores, each teacher's dosage summed
 * over the teacher's sections (and schools). Links of subjects the panel
 * has no scores of are left out: no model reads them. */
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

static int take_link(void *ctx, slds_panel *p, const slds_cursor *c, uint32_t i, slds_error *err)
{
    const char *subject = slds_cursor_text(c, 2);
    const char *staff = slds_cursor_text(c, 3);
    int subj = subject ? slds_panel_subject_index(p, subject) : -1;
    if (subj < 0 || !staff)
        return SLDS_OK;
    slds_panel_link *l = panel_rows_push(ctx, i, err);
    if (!l)
        return SLDS_ERR_NOMEM;
    l->year_offset = (int16_t)((int)slds_cursor_int(c, 1) - p->year_lo);
    l->subject = (int16_t)subj;
    l->staff = slds_intern_add(&p->staff_ids, staff, strlen(staff));
    l->dosage = slds_cursor_double(c, 4);
    if (l->staff == SLDS_NO_ID)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for staff ids");
    return SLDS_OK;
}

int panel_read_rosters(slds_store *s, const slds_panel_options *o, slds_panel *p, slds_error *err)
{
    (void)o;
    panel_rows rows = {.size = sizeof(slds_panel_link)};
    int rc =
        panel_walk(s, p,
                   "SELECT student_id, school_year, subject, staff_id, sum(dosage) FROM rosters"
                   " WHERE school_year BETWEEN ?1 AND ?2"
                   " GROUP BY student_id, school_year, subject, staff_id"
                   " ORDER BY student_id, school_year, subject, staff_id",
                   take_link, &rows, err);
    void *links = NULL;
    rc = panel_rows_group(&rows, rc, slds_panel_students(p), &p->link_start, &links, &p->n_links,
                          err);
    p->links = links;
    return rc;
}
