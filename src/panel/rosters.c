/* rosters.c - the panel's teacher links: for every student of the panel,
 * year of the panel and subject with scores, each teacher's dosage summed
 * over the teacher's sections (and schools). Links of subjects the panel
 * has no scores of are left out: no model reads them. */
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

static int take_link(void *ctx, slds_panel *p, sqlite3_stmt *st, uint32_t i, slds_error *err)
{
    const char *subject = (const char *)sqlite3_column_text(st, 2);
    const char *staff = (const char *)sqlite3_column_text(st, 3);
    int subj = subject ? slds_panel_subject_index(p, subject) : -1;
    if (subj < 0 || !staff)
        return SLDS_OK;
    slds_panel_link *l = panel_rows_push(ctx, i, err);
    if (!l)
        return SLDS_ERR_NOMEM;
    l->year_offset = (int16_t)(sqlite3_column_int(st, 1) - p->year_lo);
    l->subject = (int16_t)subj;
    l->staff = slds_intern_add(&p->staff_ids, staff, (size_t)sqlite3_column_bytes(st, 3));
    l->dosage = sqlite3_column_double(st, 4);
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
                   "rosters", take_link, &rows, err);
    p->n_links = rows.n;
    if (rc) {
        panel_rows_free(&rows);
        return rc;
    }
    void *links = NULL;
    rc = panel_rows_group(&rows, slds_panel_students(p), &p->link_start, &links, err);
    p->links = links;
    return rc;
}
