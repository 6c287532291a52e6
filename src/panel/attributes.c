/* attributes.c - the panel's student characteristics: by year from
 * student_attributes economically disadvantaged, disability and English
 * learner, each 1 ('Y'), 0 ('N') or -1 (not recorded); and the
 * demographics, race/ethnicity by year and sex from students, as codes. */
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

/* A code (NULL or "" is none) as an id in p->codes; SLDS_NO_ID for none, and
 * on a failure (err set, *rc non-zero). */
static uint32_t code_of(slds_panel *p, const char *v, int *rc, slds_error *err)
{
    if (!v || !*v)
        return SLDS_NO_ID;
    uint32_t id = slds_intern_add(&p->codes, v, strlen(v));
    if (id == SLDS_NO_ID)
        *rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory for demographics");
    return id;
}

static uint32_t *no_codes(size_t n)
{
    uint32_t *a = malloc((n ? n : 1) * sizeof *a);
    for (size_t i = 0; a && i < n; i++)
        a[i] = SLDS_NO_ID;
    return a;
}

static int take_race(void *ctx, slds_panel *p, const slds_cursor *c, uint32_t i, slds_error *err);

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
    /* with the demographics, race/ethnicity is column 2 of take_race's rows, 5 here */
    return p->parts & SLDS_PANEL_DEMOGRAPHICS ? take_race(ctx, p, c, i, err) : SLDS_OK;
}

int panel_read_attributes(slds_store *s, const slds_panel_options *o, slds_panel *p,
                          slds_error *err)
{
    (void)o;
    return panel_walk(
        s, p,
        "SELECT student_id, school_year, econ_disadvantaged, disability,"
        " english_learner, race_ethnicity FROM student_attributes"
        " WHERE school_year BETWEEN ?1 AND ?2",
        take_flags, NULL, err);
}

static int take_race(void *ctx, slds_panel *p, const slds_cursor *c, uint32_t i, slds_error *err)
{
    (void)ctx;
    int y = slds_panel_year(p, (int)slds_cursor_int(c, 1));
    if (y < 0)
        return SLDS_OK;
    if (!p->race[y] && !(p->race[y] = no_codes(slds_panel_students(p))))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for demographics");
    int rc = SLDS_OK;
    int col = p->parts & SLDS_PANEL_ATTRIBUTES ? 5 : 2; /* read with the flags, or alone */
    p->race[y][i] = code_of(p, slds_cursor_text(c, col), &rc, err);
    return rc;
}

static int take_sex(void *ctx, slds_panel *p, const slds_cursor *c, uint32_t i, slds_error *err)
{
    (void)ctx;
    int rc = SLDS_OK;
    p->sex[i] = code_of(p, slds_cursor_text(c, 1), &rc, err);
    return rc;
}

int panel_read_demographics(slds_store *s, const slds_panel_options *o, slds_panel *p,
                            slds_error *err)
{
    (void)o;
    if (!(p->sex = no_codes(slds_panel_students(p))))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for demographics");
    int rc = SLDS_OK;
    if (!(p->parts & SLDS_PANEL_ATTRIBUTES)) /* otherwise read with the flags */
        rc = panel_walk(s, p,
                        "SELECT student_id, school_year, race_ethnicity FROM student_attributes"
                        " WHERE school_year BETWEEN ?1 AND ?2",
                        take_race, NULL, err);
    /* students has no years: ?1 and ?2 (bound by panel_walk) are only selected */
    if (!rc)
        rc = panel_walk(s, p, "SELECT student_id, sex, ?1, ?2 FROM students", take_sex, NULL, err);
    return rc;
}
