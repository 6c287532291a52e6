/* gains.c - one-year gains and gains in grade levels on a vertical scale.
 *
 * A student's gain is the current score minus the score of the grade below a
 * year earlier (one grade in one year; students whose prior is two years back
 * have no one-year gain). A grade level of grade G is worth, in scale points:
 *   typical   (default)  the median one-year gain of the students of grade G
 *                        in the reference year (slds_gain_typical);
 *   grade-gap            the median score of grade G minus the median score
 *                        of grade G-1, both in the reference year
 *                        (slds_gain_grade_gap).
 * grade levels gained = gain / points per grade level; left blank when the
 * points are not positive (the scale is not vertical) or not computable. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

/* Gains (typical) or scores of grade G and G-1 (grade gap) in year R. */
static int points_per_grade(gr_run *r, gr_group *g, slds_error *err)
{
    const slds_panel *p = &r->panel;
    int R = r->reference_year, s = g->subject;
    size_t n = slds_panel_students(p);
    double *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for grade-level gains");
    }
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        int here = slds_panel_grade(p, s, R, i) == g->grade;
        if (r->opt->gain_method == SLDS_GAIN_TYPICAL) {
            if (here && slds_panel_grade(p, s, R - 1, i) == g->grade - 1)
                a[na++] = slds_panel_score(p, s, R, i) - slds_panel_score(p, s, R - 1, i);
        } else if (here) {
            a[na++] = slds_panel_score(p, s, R, i);
        } else if (slds_panel_grade(p, s, R, i) == g->grade - 1) {
            b[nb++] = slds_panel_score(p, s, R, i);
        }
    }
    slds_error e = {0};
    int rc;
    double points = NAN;
    if (r->opt->gain_method == SLDS_GAIN_TYPICAL)
        rc = na ? slds_gain_typical(a, na, &points, &e) : SLDS_ERR_NOTFOUND;
    else
        rc = na && nb ? slds_gain_grade_gap(b, nb, a, na, &points, &e) : SLDS_ERR_NOTFOUND;
    free(a);
    free(b);
    g->points_n = na;
    g->points_per_grade = rc ? NAN : points;
    return SLDS_OK;
}

static int group_gains(gr_run *r, gr_group *g, slds_error *err)
{
    if (g->grade < 1)
        return SLDS_OK;
    const slds_panel *p = &r->panel;
    int Y = p->year, s = g->subject;
    size_t with_gain = 0;
    for (size_t m = 0; m < g->n; m++) {
        size_t i = g->student[m];
        if (slds_panel_grade(p, s, Y - 1, i) == g->grade - 1) {
            g->gain[m] = g->current[m] - slds_panel_score(p, s, Y - 1, i);
            with_gain++;
        }
    }
    if (!with_gain)
        return SLDS_OK;
    int rc = points_per_grade(r, g, err);
    if (rc)
        return rc;
    if (!(g->points_per_grade > 0)) {
        char text[160];
        if (isnan(g->points_per_grade))
            snprintf(text, sizeof text, "no grade levels: no %s in %d",
                     r->opt->gain_method == SLDS_GAIN_TYPICAL ? "one-year gains"
                                                              : "scores of both grades",
                     r->reference_year);
        else
            snprintf(text, sizeof text,
                     "no grade levels: a grade level would be worth %g points (not a vertical "
                     "scale?)",
                     g->points_per_grade);
        gr_note(g, text);
        return SLDS_OK;
    }
    slds_error e = {0};
    return slds_gain_in_grade_levels(g->gain, g->n, g->points_per_grade, g->grade_levels, &e)
               ? slds_fail(err, e.code, "%s", e.message)
               : SLDS_OK;
}

int gr_gains_all(gr_run *r, slds_error *err)
{
    for (int k = 0; k < r->n_groups; k++) {
        int rc = group_gains(r, &r->groups[k], err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}
