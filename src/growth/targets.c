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

int slds_target_problem_check(const slds_target_problem *pr, slds_error *err)
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

double slds_sgp_clamp(const slds_sgp_model *m, double v)
{
    if (m->has_loss_hoss) {
        if (v < m->loss_hoss[0])
            v = m->loss_hoss[0];
        if (v > m->loss_hoss[1])
            v = m->loss_hoss[1];
    }
    return v;
}

int slds_sgp_usable_order(const slds_sgp_model *m, int want)
{
    if (want > m->max_order)
        want = m->max_order;
    while (want > 0 && !m->coef[want - 1])
        want--;
    return want;
}

/* Trajectories of one student; returns SLDS_ERR_NOTFOUND (without touching
 * err) when the student has no current score or no usable model order. */
static int trajectories(const slds_target_problem *pr, size_t i, double *out, slds_error *err)
{
    const double *s = pr->scores + i * (size_t)pr->n_scores;
    int hist = 0;
    while (hist < pr->n_scores && isfinite(s[hist]))
        hist++;
    if (hist == 0)
        return SLDS_ERR_NOTFOUND;
    int T = pr->models[0]->n_taus;
    double priors[SLDS_SGP_MAX_ORDER];
    double basis[SLDS_BS_MAX_KNOTS + SLDS_BS_MAX_DEGREE + 2];
    for (int h = 0; h < pr->n_years; h++) {
        const slds_sgp_model *m = pr->models[h];
        int order = slds_sgp_usable_order(m, hist + h);
        if (order == 0)
            return SLDS_ERR_NOTFOUND;
        int p = m->p[order - 1];
        const double *coef = m->coef[order - 1];
        double *row = out + (size_t)h * (size_t)T;
        for (int t = 0; t < T; t++) {
            /* priors of trajectory t, most recent first: projections of the
               earlier years, then the actual scores */
            for (int k = 0; k < order; k++) {
                int back = h - 1 - k; /* projection year index, or actual */
                priors[k] = back >= 0 ? out[(size_t)back * (size_t)T + (size_t)t]
                                      : s[-back - 1];
            }
            const double *c = coef + (size_t)t * (size_t)p;
            double v = c[0];
            int col = 1;
            for (int k = 0; k < order; k++) {
                int nc = slds_bspline_ncol(&m->splines[k]);
                int rc = slds_bspline_eval(&m->splines[k], &priors[k], 1, basis, (size_t)nc, err);
                if (rc)
                    return rc;
                for (int j = 0; j < nc; j++)
                    v += basis[j] * c[col + j];
                col += nc;
            }
            row[t] = slds_sgp_clamp(m, v);
        }
        slds_sort_small(row, (size_t)T);
    }
    return SLDS_OK;
}

int slds_sgp_trajectories(const slds_target_problem *pr, size_t student, double *out,
                          slds_error *err)
{
    int rc = slds_target_problem_check(pr, err);
    if (rc)
        return rc;
    if (student >= pr->n)
        return slds_fail(err, SLDS_ERR_USAGE, "student %zu of %zu", student, pr->n);
    rc = trajectories(pr, student, out, err);
    if (rc == SLDS_ERR_NOTFOUND)
        return slds_fail(err, rc, "student %zu has no current score or no usable model",
                         student);
    return rc;
}

int slds_target_result_init(slds_target_result *res, const slds_target_problem *pr,
                            slds_error *err)
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

void slds_target_from_trajectories(const slds_target_problem *pr, size_t i, const double *traj,
                                   int T, slds_target_result *res)
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
    int rc = slds_target_problem_check(pr, err);
    if (rc)
        return rc;
    int T = pr->models[0]->n_taus;
    if ((rc = slds_target_result_init(res, pr, err)))
        return rc;
    double *traj = malloc((size_t)T * (size_t)pr->n_years * sizeof *traj);
    if (!traj) {
        slds_target_result_free(res);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for growth targets");
    }
    for (size_t i = 0; i < pr->n; i++) {
        rc = trajectories(pr, i, traj, err);
        if (rc == SLDS_ERR_NOTFOUND) {
            rc = SLDS_OK;
            continue; /* no target: kind stays NONE */
        }
        if (rc)
            break;
        slds_target_from_trajectories(pr, i, traj, T, res);
    }
    free(traj);
    if (rc)
        slds_target_result_free(res);
    return rc;
}
