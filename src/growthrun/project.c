/* project.c - growth targets computed as slds_sgp_targets computes them
 * (percentile growth trajectories; growth/targets.c), with the same result
 * bit for bit, but about five times faster, which a state-sized year needs
 * (a million students, three years, 100 trajectories each).
 *
 * The engine evaluates the B-spline basis of every prior of every trajectory
 * in every year. Most of those are repeats: an actual score is the same prior
 * for all 100 trajectories, and the projection of year b, once evaluated as
 * the most recent prior of year b+1, is evaluated again as an older prior in
 * the years after, usually with the same spline (the knots of a grade do not
 * depend on the model). Here each basis row is evaluated once and reused
 * whenever the spline is the same (compared by value); the sums are formed in
 * the engine's order, so every projection, and so every target, is identical
 * (tests/growthrun/test_growthrun.c compares the two on real cohorts). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

enum { NCOL_MAX = SLDS_BS_MAX_KNOTS + SLDS_BS_MAX_DEGREE + 1 };

/* Basis rows of the projections of each year: proj_basis[b][t] evaluated
 * with spline proj_spline[b]. */
typedef struct scratch {
    int T;
    double *out;                                 /* n_years x T projections, rows sorted */
    double *basis;                               /* n_years x T x NCOL_MAX */
    const slds_bspline *spline[SLDS_TARGET_MAX_YEARS];
} scratch;

static int same_spline(const slds_bspline *a, const slds_bspline *b)
{
    return a->degree == b->degree && a->n_knots == b->n_knots && a->intercept == b->intercept &&
           a->boundary[0] == b->boundary[0] && a->boundary[1] == b->boundary[1] &&
           !memcmp(a->knots, b->knots, (size_t)a->n_knots * sizeof a->knots[0]);
}

/* Evaluates the basis of every (sorted) projection of year b with spline sp. */
static int basis_of_year(scratch *w, int b, const slds_bspline *sp, slds_error *err)
{
    double *rows = w->basis + (size_t)b * (size_t)w->T * NCOL_MAX;
    int rc = slds_bspline_eval(sp, w->out + (size_t)b * (size_t)w->T, (size_t)w->T, rows,
                               NCOL_MAX, err);
    if (!rc)
        w->spline[b] = sp;
    return rc;
}

/* The projections of year h for every trajectory (the engine's loop). */
static int project_year(const slds_target_problem *pr, const double *s, int hist, int h,
                        scratch *w, slds_error *err)
{
    const slds_sgp_model *m = pr->models[h];
    int order = slds_sgp_usable_order(m, hist + h), T = w->T;
    if (order == 0)
        return SLDS_ERR_NOTFOUND;
    int p = m->p[order - 1];
    const double *coef = m->coef[order - 1];
    /* basis of each prior: actual scores once; projections from the cache */
    double actual[SLDS_SGP_MAX_ORDER][NCOL_MAX];
    const double *proj[SLDS_SGP_MAX_ORDER] = {0};
    for (int k = 0; k < order; k++) {
        int back = h - 1 - k;
        if (back < 0) {
            int rc = slds_bspline_eval(&m->splines[k], &s[-back - 1], 1, actual[k], NCOL_MAX, err);
            if (rc)
                return rc;
        } else {
            if (!w->spline[back] || !same_spline(w->spline[back], &m->splines[k])) {
                int rc = basis_of_year(w, back, &m->splines[k], err);
                if (rc)
                    return rc;
            }
            proj[k] = w->basis + (size_t)back * (size_t)T * NCOL_MAX;
        }
    }
    double *row = w->out + (size_t)h * (size_t)T;
    for (int t = 0; t < T; t++) {
        const double *c = coef + (size_t)t * (size_t)p;
        double v = c[0];
        int col = 1;
        for (int k = 0; k < order; k++) {
            int nc = slds_bspline_ncol(&m->splines[k]);
            const double *basis = proj[k] ? proj[k] + (size_t)t * NCOL_MAX : actual[k];
            for (int j = 0; j < nc; j++)
                v += basis[j] * c[col + j];
            col += nc;
        }
        row[t] = slds_sgp_clamp(m, v);
    }
    slds_sort_small(row, (size_t)T);
    w->spline[h] = NULL; /* year h's basis rows are not evaluated yet */
    return SLDS_OK;
}

static int student_targets(const slds_target_problem *pr, size_t i, scratch *w,
                           slds_target_result *res, slds_error *err)
{
    const double *s = pr->scores + i * (size_t)pr->n_scores;
    int hist = 0;
    while (hist < pr->n_scores && isfinite(s[hist]))
        hist++;
    if (hist == 0)
        return SLDS_OK;
    for (int h = 0; h < pr->n_years; h++) {
        int rc = project_year(pr, s, hist, h, w, err);
        if (rc == SLDS_ERR_NOTFOUND)
            return SLDS_OK; /* no usable model order: no targets, as the engine */
        if (rc)
            return rc;
    }
    slds_target_from_trajectories(pr, i, w->out, w->T, res);
    return SLDS_OK;
}

int gr_project_targets(const slds_target_problem *pr, slds_target_result *res, slds_error *err)
{
    memset(res, 0, sizeof *res);
    int rc = slds_target_problem_check(pr, err);
    if (!rc)
        rc = slds_target_result_init(res, pr, err);
    if (rc)
        return rc;
    scratch w = {.T = pr->models[0]->n_taus};
    w.out = malloc((size_t)w.T * (size_t)pr->n_years * sizeof *w.out);
    w.basis = malloc((size_t)w.T * (size_t)pr->n_years * NCOL_MAX * sizeof *w.basis);
    if (!w.out || !w.basis)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory for growth targets");
    for (size_t i = 0; i < pr->n && !rc; i++) {
        memset(w.spline, 0, sizeof w.spline);
        rc = student_targets(pr, i, &w, res, err);
    }
    free(w.out);
    free(w.basis);
    if (rc)
        slds_target_result_free(res);
    return rc;
}
