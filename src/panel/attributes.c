/* attributes.c - the panel's student characteristics by year from
 * student_attributes: economically disadvantaged, disability and English
 * learner, each 1 ('Y'), 0 ('N') or -1 (not recorded). */
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

static signed char flag_value(const slds_cursor *c, int col)
{
    const char *v = slds_cursor_text(c, col);
    if (!v)
        return -1;
    return v[0] == 'Y' ? 1 : v[0] == 'N' ? 0 : -1;
}

static int take_flags(void *ctx, slds_panel *p, const slds_cursor *c, uint32_t i, slds_error *err)
{
    (void)ctx;
    int y = slds_panel_year(p, (int)slds_cursor_int(c, 1));
    if (y < 0)
        return SLDS_OK;
    size_t n = slds_panel_students(p);
    for (int f = 0; f < SLDS_PANEL_N_FLAGS; f++) {
        if (!p->flags[f][y]) {
            if (!(p->flags[f][y] = malloc(n)))
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for attributes");
            memset(p->flags[f][y], -1, n);
        }
        p->flags[f][y][i] = flag_value(c, 2 + f); /* the columns in slds_panel_flag order */
    }
    return SLDS_OK;
}

int panel_read_attributes(slds_store *s, const slds_panel_options *o, slds_panel *p,
                          slds_error *err)
{
    (void)o;
    return panel_walk(
        s, p,
        "SELECT student_id, school_year, econ_disadvantaged, disability,"
        " english_learner FROM student_attributes WHERE school_year BETWEEN ?1 AND ?2",
        take_flags, NULL, err);
}
