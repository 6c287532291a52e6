/* targets.c - growth targets ("adequate growth": catch up / keep up) from
 * stored coefficient matrices, by the percentile growth trajectories of the
 * SGP package's studentGrowthProjections():
 *   trajectory t (t = 1..T, T = 100) of a student grows at the t-th quantile
 *   every year: the projected score in year h is column t of the year-h
 *   model applied to the student's scores, the projections of the earlier
 *   years standing in for the years not yet tested (most recent first);
 *   the T projections of a year are clamped to the grade's loss/hoss and
 *   sorted (isotonized) before they feed the next year;
 *   target in year h = the first t whose projection reaches the cut
 *   (which.min(c(proj < cut, FALSE))), 101 -> 100, then 100 -> 99.
 * A student at or above the current grade's proficient cut is keeping up,
 * below it catching up; on track = current SGP >= target. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "growth/growth.h"

void slds_target_result_free(slds_target_result *res)
{
    if (!res)
        return;
    free(res->target);
    free(res->reachable);
    free(res->on_track);
    free(res->kind);
    memset(res, 0, sizeof *res);
}

static int problem_check(const slds_target_problem *pr, slds_error *err)
{
    if (pr->n_years < 1 || pr->n_years > SLDS_TARGET_MAX_YEARS)
        return slds_fail(err, SLDS_ERR_USAGE, "growth targets for 1..%d years, not %d",
                         SLDS_TARGET_MAX_YEARS, pr->n_years);
    if (pr->n_scores < 1)
        return slds_fail(err, SLDS_ERR_USAGE, "growth targets need the current score");
    for (int h = 0; h < pr->n_years; h++) {
        const slds_sgp_model *m = pr->models[h];
        if (!m)
            return slds_fail(err, SLDS_ERR_USAGE, "no model for projection year %d", h + 1);
        if (m->n_taus != pr->models[0]->n_taus)
            return slds_fail(err, SLDS_ERR_USAGE,
                             "projection year %d has %d taus, year 1 has %d", h + 1, m->n_taus,
                             pr->models[0]->n_taus);
        int any = 0;
        for (int k = 0; k < m->max_order; k++)
            any |= m->coef[k] != NULL;
        if (!any)
            return slds_fail(err, SLDS_ERR_USAGE,
                             "the model of projection year %d has no coefficient matrix", h + 1);
    }
    return SLDS_OK;
}

/* A projection clamped to the grade's loss/hoss (when the model has them). */
static double clamp(const slds_sgp_model *m, double v)
{
    if (m->has_loss_hoss) {
        if (v < m->loss_hoss[0])
            v = m->loss_hoss[0];
        if (v > m->loss_hoss[1])
            v = m->loss_hoss[1];
    }
    return v;
}

/* The highest fitted order of m that is at most want; 0 when none. */
static int usable_order(const slds_sgp_model *m, int want)
{
    if (want > m->max_order)
        want = m->max_order;
    while (want > 0 && !m->coef[want - 1])
        want--;
    return want;
}

/* The engine. It evaluates the B-spline basis of each prior once and reuses
 * it: an actual score is the same prior for all T trajectories, and the
 * projection of year b, once evaluated as the most recent prior of year b+1,
 * is an older prior in the years after, usually with the same spline (the
 * knots of a grade do not depend on the model; splines are compared by
 * value). The sums are formed in a fixed order (intercept, then each prior's
 * columns), so every projection and target is the same bit for bit whichever
 * caller asks: slds_sgp_trajectories for one student (the history pages),
 * slds_sgp_targets for a cohort (the array path and `slds growth run`). */
enum { NCOL_MAX = SLDS_BS_MAX_KNOTS + SLDS_BS_MAX_DEGREE + 1 };

typedef struct engine {
    int T;
    double *out;                                 /* n_years x T projections, rows sorted */
    double *basis;                               /* n_years x T x NCOL_MAX */
    const slds_bspline *spline[SLDS_TARGET_MAX_YEARS]; /* basis[b] evaluated with it */
} engine;

static int engine_init(engine *w, const slds_target_problem *pr, slds_error *err)
{
    memset(w, 0, sizeof *w);
    w->T = pr->models[0]->n_taus;
    w->out = malloc((size_t)w->T * (size_t)pr->n_years * sizeof *w->out);
    w->basis = malloc((size_t)w->T * (size_t)pr->n_years * NCOL_MAX * sizeof *w->basis);
    if (!w->out || !w->basis) {
        free(w->out);
        free(w->basis);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for growth targets");
    }
    return SLDS_OK;
}

static void engine_free(engine *w)
{
    free(w->out);
    free(w->basis);
}

static int same_spline(const slds_bspline *a, const slds_bspline *b)
{
    return a->degree == b->degree && a->n_knots == b->n_knots && a->intercept == b->intercept &&
           a->boundary[0] == b->boundary[0] && a->boundary[1] == b->boundary[1] &&
           !memcmp(a->knots, b->knots, (size_t)a->n_knots * sizeof a->knots[0]);
}

/* Evaluates the basis of every (sorted) projection of year b with spline sp. */
static int basis_of_year(engine *w, int b, const slds_bspline *sp, slds_error *err)
{
    double *rows = w->basis + (size_t)b * (size_t)w->T * NCOL_MAX;
    int rc = slds_bspline_eval(sp, w->out + (size_t)b * (size_t)w->T, (size_t)w->T, rows,
                               NCOL_MAX, err);
    if (!rc)
        w->spline[b] = sp;
    return rc;
}

/* The projections of year h for every trajectory: priors most recent first,
 * the projections of the earlier years, then the actual scores s[0..hist). */
static int project_year(const slds_target_problem *pr, const double *s, int hist, int h,
                        engine *w, slds_error *err)
{
    const slds_sgp_model *m = pr->models[h];
    int want = hist + h;
    if (pr->max_order[h] > 0 && want > pr->max_order[h])
        want = pr->max_order[h];
    int order = usable_order(m, want), T = w->T;
    if (order == 0)
        return SLDS_ERR_NOTFOUND;
    int p = m->p[order - 1];
    const double *coef = m->coef[order - 1];
    double actual[SLDS_SGP_MAX_ORDER][NCOL_MAX];
    const double *proj[SLDS_SGP_MAX_ORDER] = {0};
    for (int k = 0; k < order; k++) {
        int back = h - 1 - k; /* projection year index, or actual score -back-1 */
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
        row[t] = clamp(m, v);
    }
    slds_sort_small(row, (size_t)T);
    w->spline[h] = NULL; /* year h's basis rows are not evaluated yet */
    return SLDS_OK;
}

/* Trajectories of student i into w->out; SLDS_ERR_NOTFOUND (err untouched)
 * when the student has no current score or no usable model order. */
static int trajectories(const slds_target_problem *pr, size_t i, engine *w, slds_error *err)
{
    const double *s = pr->scores + i * (size_t)pr->n_scores;
    int hist = 0;
    while (hist < pr->n_scores && isfinite(s[hist]))
        hist++;
    if (hist == 0)
        return SLDS_ERR_NOTFOUND;
    memset(w->spline, 0, sizeof w->spline);
    for (int h = 0; h < pr->n_years; h++) {
        int rc = project_year(pr, s, hist, h, w, err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

int slds_sgp_trajectories(const slds_target_problem *pr, size_t student, double *out,
                          slds_error *err)
{
    int rc = problem_check(pr, err);
    if (rc)
        return rc;
    if (student >= pr->n)
        return slds_fail(err, SLDS_ERR_USAGE, "student %zu of %zu", student, pr->n);
    engine w;
    if ((rc = engine_init(&w, pr, err)))
        return rc;
    rc = trajectories(pr, student, &w, err);
    if (rc == SLDS_ERR_NOTFOUND)
        rc = slds_fail(err, rc, "student %zu has no current score or no usable model", student);
    if (!rc)
        memcpy(out, w.out, (size_t)w.T * (size_t)pr->n_years * sizeof *out);
    engine_free(&w);
    return rc;
}

static int result_init(slds_target_result *res, const slds_target_problem *pr, slds_error *err)
{
    memset(res, 0, sizeof *res);
    size_t n = pr->n, cells = (n ? n : 1) * (size_t)pr->n_years;
    res->n = n;
    res->n_years = pr->n_years;
    res->target = calloc(cells, sizeof *res->target);
    res->reachable = calloc(cells, 1);
    res->on_track = calloc(cells, 1);
    res->kind = calloc(n ? n : 1, 1);
    if (!res->target || !res->reachable || !res->on_track || !res->kind) {
        slds_target_result_free(res);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for growth targets");
    }
    return SLDS_OK;
}

/* Student i's kind and every year's target, reachable and on track from its
 * trajectories (n_years x T, each year's row sorted). */
static void from_trajectories(const slds_target_problem *pr, size_t i, const double *traj, int T,
                              slds_target_result *res)
{
    double cur = pr->scores[i * (size_t)pr->n_scores];
    res->kind[i] = cur >= pr->current_cut ? SLDS_TARGET_KEEP_UP : SLDS_TARGET_CATCH_UP;
    for (int h = 0; h < pr->n_years; h++) {
        const double *row = traj + (size_t)h * (size_t)T;
        int first = 0;
        while (first < T && row[first] < pr->cuts[h])
            first++;
        size_t cell = i * (size_t)pr->n_years + (size_t)h;
        res->reachable[cell] = first < T;
        int target = first + 1; /* 1-based; T + 1 when out of reach */
        if (target > T)
            target = T;
        if (target == T)
            target = T - 1;
        res->target[cell] = target;
        if (pr->sgp && pr->sgp[i] > 0)
            res->on_track[cell] = pr->sgp[i] >= target;
    }
}

int slds_sgp_targets(const slds_target_problem *pr, slds_target_result *res, slds_error *err)
{
    memset(res, 0, sizeof *res);
    int rc = problem_check(pr, err);
    if (rc)
        return rc;
    if ((rc = result_init(res, pr, err)))
        return rc;
    engine w;
    if ((rc = engine_init(&w, pr, err))) {
        slds_target_result_free(res);
        return rc;
    }
    for (size_t i = 0; i < pr->n; i++) {
        rc = trajectories(pr, i, &w, err);
        if (rc == SLDS_ERR_NOTFOUND) {
            rc = SLDS_OK;
            continue; /* no target: kind stays NONE */
        }
        if (rc)
            break;
        from_trajectories(pr, i, w.out, w.T, res);
    }
    engine_free(&w);
    if (rc)
        slds_target_result_free(res);
    return rc;
}
