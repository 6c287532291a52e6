/* attributes.c - the panel's student characteristics by year from
 * student_attributes: economically disadvantaged, disability and English
 * learner, each 1 ('Y'), 0 ('N') or -1 (not recorded). */
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

static signed char flag_value(sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    if (!v)
        return -1;
    return v[0] == 'Y' ? 1 : v[0] == 'N' ? 0 : -1;
}

int panel_read_attributes(slds_store *s, const slds_panel_options *o, slds_panel *p,
                          slds_error *err)
{
    (void)o;
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                "SELECT student_id, school_year, econ_disadvantaged, disability,"
                                " english_learner FROM student_attributes"
                                " WHERE school_year BETWEEN ?1 AND ?2",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, p->year_lo);
    sqlite3_bind_int(st, 2, p->year_lo + p->n_years - 1);
    size_t n = slds_panel_students(p);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        uint32_t i = id ? slds_intern_find(&p->ids, id, (size_t)sqlite3_column_bytes(st, 0))
                        : SLDS_NO_ID;
        int y = slds_panel_year(p, sqlite3_column_int(st, 1));
        if (i == SLDS_NO_ID || y < 0)
            continue;
        for (int f = 0; f < SLDS_PANEL_N_FLAGS && !rc; f++) {
            if (!p->flags[f][y]) {
                if (!(p->flags[f][y] = malloc(n ? n : 1))) {
                    rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory for attributes");
                    break;
                }
                memset(p->flags[f][y], -1, n ? n : 1);
            }
            p->flags[f][y][i] = flag_value(st, 2 + f);
        }
        if (rc)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "reading student_attributes: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}
