/* sgp.c - student growth percentiles of one cohort, as the SGP package
 * computes them (studentGrowthPercentiles with rq):
 *   for each order k = 1..K, on the students having the current score and
 *   the k most recent priors: design [1, bs(prior_1), ..., bs(prior_k)] with
 *   each prior's own knots and boundaries, quantile regression at the taus,
 *   predictions sorted per student (isotonized) and rounded to 5 decimals,
 *   SGP = number of predictions strictly below the score, 0 -> 1, 100 -> 99;
 *   the reported SGP is the one of the highest order the student has.
 * Both rules (strict <, rounding) change many SGPs when scores are integers,
 * see docs/growth-method.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "growth/growth.h"

void slds_sgp_params_default(slds_sgp_params *prm)
{
    memset(prm, 0, sizeof *prm);
    slds_rq_params_default(&prm->rq);
}

void slds_sgp_model_free(slds_sgp_model *m)
{
    if (!m)
        return;
    for (int k = 0; k < SLDS_SGP_MAX_ORDER; k++) {
        free(m->coef[k]);
        m->coef[k] = NULL;
    }
}

void slds_sgp_result_free(slds_sgp_result *res)
{
    if (!res)
        return;
    free(res->sgp_by_order);
    free(res->sgp);
    free(res->order);
    slds_sgp_model_free(&res->model);
    memset(res, 0, sizeof *res);
}

int slds_sgp_model_init(slds_sgp_model *m, const slds_bspline *splines, int n_splines,
                        const double *taus, int n_taus, slds_error *err)
{
    memset(m, 0, sizeof *m);
    if (n_splines < 1 || n_splines > SLDS_SGP_MAX_ORDER)
        return slds_fail(err, SLDS_ERR_USAGE, "an SGP model has 1..%d priors, not %d",
                         SLDS_SGP_MAX_ORDER, n_splines);
    if (!taus) {
        if (n_taus != 0 && n_taus != 100)
            return slds_fail(err, SLDS_ERR_USAGE, "taus missing for %d quantiles", n_taus);
        slds_rq_sgp_taus(m->taus);
        n_taus = 100;
    } else {
        if (n_taus < 2 || n_taus > SLDS_SGP_MAX_TAUS)
            return slds_fail(err, SLDS_ERR_USAGE, "an SGP model has 2..%d taus, not %d",
                             SLDS_SGP_MAX_TAUS, n_taus);
        memcpy(m->taus, taus, (size_t)n_taus * sizeof *taus);
    }
    m->n_taus = n_taus;
    m->max_order = n_splines;
    int p = 1;
    for (int k = 0; k < n_splines; k++) {
        int rc = slds_bspline_check(&splines[k], err);
        if (rc)
            return slds_error_prefix(err, "prior %d: ", k + 1);
        m->splines[k] = splines[k];
        p += slds_bspline_ncol(&splines[k]);
        m->p[k] = p;
    }
    m->loss_hoss[0] = -INFINITY;
    m->loss_hoss[1] = INFINITY;
    return SLDS_OK;
}

int slds_sgp_model_set_coef(slds_sgp_model *m, int order, const double *coef, int p,
                            slds_error *err)
{
    if (order < 1 || order > m->max_order)
        return slds_fail(err, SLDS_ERR_USAGE, "order %d is not in 1..%d", order, m->max_order);
    if (p != m->p[order - 1])
        return slds_fail(err, SLDS_ERR_USAGE,
                         "a coefficient matrix of order %d has %d rows, not %d", order,
                         m->p[order - 1], p);
    size_t sz = (size_t)p * (size_t)m->n_taus;
    double *c = malloc(sz * sizeof *c);
    if (!c)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for a coefficient matrix");
    memcpy(c, coef, sz * sizeof *c);
    free(m->coef[order - 1]);
    m->coef[order - 1] = c;
    return SLDS_OK;
}

/* Design rows [1, bs(prior_1), ..., bs(prior_k)] of n students. */
static int build_design(const slds_sgp_model *m, int order, const double *priors, size_t ld,
                        size_t n, double *x, double *scratch, slds_error *err)
{
    int p = m->p[order - 1], col = 1;
    for (size_t i = 0; i < n; i++)
        x[i * (size_t)p] = 1.0;
    for (int k = 0; k < order; k++) {
        for (size_t i = 0; i < n; i++)
            scratch[i] = priors[i * ld + (size_t)k];
        int rc = slds_bspline_eval(&m->splines[k], scratch, n, x + col, (size_t)p, err);
        if (rc)
            return rc;
        col += slds_bspline_ncol(&m->splines[k]);
    }
    return SLDS_OK;
}

/* pred = x * coef, rows sorted and rounded (unless raw). */
static void predict_rows(const double *x, size_t n, int p, const double *coef, int n_taus,
                         double *pred, int raw)
{
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * (size_t)p;
        double *out = pred + i * (size_t)n_taus;
        int t = 0;
        /* four taus at a time: four independent sums in flight, each in the
           same order as the plain loop */
        for (; t + 4 <= n_taus; t += 4) {
            const double *c0 = coef + (size_t)t * (size_t)p, *c1 = c0 + p, *c2 = c1 + p,
                         *c3 = c2 + p;
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            for (int j = 0; j < p; j++) {
                double v = xi[j];
                s0 += v * c0[j];
                s1 += v * c1[j];
                s2 += v * c2[j];
                s3 += v * c3[j];
            }
            out[t] = s0;
            out[t + 1] = s1;
            out[t + 2] = s2;
            out[t + 3] = s3;
        }
        for (; t < n_taus; t++) {
            const double *c = coef + (size_t)t * (size_t)p;
            double s = 0.0;
            for (int j = 0; j < p; j++)
                s += xi[j] * c[j];
            out[t] = s;
        }
        if (raw)
            continue;
        slds_sort_small(out, (size_t)n_taus);
        for (t = 0; t < n_taus; t++)
            out[t] = slds_round_r(out[t], 5);
    }
}

static int clamp_percentile(int below, int n_taus)
{
    if (below == 0)
        below = 1;
    if (below >= n_taus)
        below = n_taus - 1;
    return below;
}

int slds_sgp_percentile(const double *pred_sorted, int n_taus, double score)
{
    int below = 0;
    for (int t = 0; t < n_taus; t++)
        below += pred_sorted[t] < score;
    return clamp_percentile(below, n_taus);
}

/* The SGP of one student from raw (unsorted, unrounded) predictions: the
 * count does not depend on the order, and rounding to 5 decimals moves a
 * value by at most 5e-6 (plus a few ulps), so it can only change the
 * comparison for a prediction within 2e-5 of the score: R's round() is
 * applied to those alone. */
static int percentile_raw(const double *pred, int n_taus, double score)
{
    int below = 0;
    for (int t = 0; t < n_taus; t++) {
        double v = pred[t];
        if (fabs(v - score) <= 2e-5 + 1e-12 * fabs(score))
            v = slds_round_r(v, 5);
        below += v < score;
    }
    return clamp_percentile(below, n_taus);
}

int slds_sgp_predict(const slds_sgp_model *m, int order, const double *priors, size_t ld,
                     size_t n, double *pred, slds_error *err)
{
    if (order < 1 || order > m->max_order || !m->coef[order - 1])
        return slds_fail(err, SLDS_ERR_NOTFOUND, "the model has no coefficient matrix of order %d",
                         order);
    if (ld < (size_t)order)
        return slds_fail(err, SLDS_ERR_USAGE, "prior stride %zu < order %d", ld, order);
    int p = m->p[order - 1];
    double *x = malloc((n ? n : 1) * (size_t)p * sizeof *x);
    double *scratch = malloc((n ? n : 1) * sizeof *scratch);
    int rc = SLDS_OK;
    if (!x || !scratch)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory predicting %zu students", n);
    if (!rc)
        rc = build_design(m, order, priors, ld, n, x, scratch, err);
    if (!rc)
        predict_rows(x, n, p, m->coef[order - 1], m->n_taus, pred, 0);
    free(x);
    free(scratch);
    return rc;
}

int slds_sgp_score(const slds_sgp_model *m, int order, const double *priors, size_t ld,
                   const double *current, size_t n, int *sgp, slds_error *err)
{
    if (order < 1 || order > m->max_order || !m->coef[order - 1])
        return slds_fail(err, SLDS_ERR_NOTFOUND, "the model has no coefficient matrix of order %d",
                         order);
    if (ld < (size_t)order)
        return slds_fail(err, SLDS_ERR_USAGE, "prior stride %zu < order %d", ld, order);
    enum { CHUNK = 1024 };
    int p = m->p[order - 1], T = m->n_taus;
    double *x = malloc((size_t)CHUNK * (size_t)p * sizeof *x);
    double *pri = malloc((size_t)CHUNK * (size_t)order * sizeof *pri);
    double *scratch = malloc((size_t)CHUNK * sizeof *scratch);
    double *pred = malloc((size_t)CHUNK * (size_t)T * sizeof *pred);
    size_t *rows = malloc((size_t)CHUNK * sizeof *rows);
    int rc = SLDS_OK;
    if (!x || !pri || !scratch || !pred || !rows)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory scoring %zu students", n);
    size_t i = 0;
    while (!rc && i < n) {
        size_t m_rows = 0;
        for (; i < n && m_rows < CHUNK; i++) {
            int ok = isfinite(current[i]);
            for (int j = 0; j < order && ok; j++)
                ok = isfinite(priors[i * ld + (size_t)j]);
            sgp[i] = 0;
            if (!ok)
                continue;
            for (int j = 0; j < order; j++)
                pri[m_rows * (size_t)order + (size_t)j] = priors[i * ld + (size_t)j];
            rows[m_rows++] = i;
        }
        if (!m_rows)
            continue;
        if ((rc = build_design(m, order, pri, (size_t)order, m_rows, x, scratch, err)))
            break;
        predict_rows(x, m_rows, p, m->coef[order - 1], T, pred, 0);
        for (size_t r = 0; r < m_rows; r++)
            sgp[rows[r]] = slds_sgp_percentile(pred + r * (size_t)T, T, current[rows[r]]);
    }
    free(x);
    free(pri);
    free(scratch);
    free(pred);
    free(rows);
    return rc;
}

/* Predictions and SGPs of one order for rows [r0, r1): pred holds T values
 * per row of the range. */
typedef struct score_job {
    const double *x, *coef, *y;
    const size_t *rows;
    size_t r0, r1;
    int p, T, order;
    slds_sgp_result *res;
    double *pred;
} score_job;

static int score_task(void *arg, int job, int threads, slds_error *err)
{
    (void)threads;
    (void)err;
    score_job *j = (score_job *)arg + job;
    int maxo = j->res->max_order, T = j->T;
    for (size_t r0 = j->r0; r0 < j->r1; r0 += 256) {
        size_t r1 = j->r1 - r0 < 256 ? j->r1 : r0 + 256;
        predict_rows(j->x + r0 * (size_t)j->p, r1 - r0, j->p, j->coef, T, j->pred, 1);
        for (size_t r = r0; r < r1; r++) {
            size_t i = j->rows[r];
            int s = percentile_raw(j->pred + (r - r0) * (size_t)T, T, j->y[r]);
            j->res->sgp_by_order[i * (size_t)maxo + (size_t)(j->order - 1)] = s;
            j->res->sgp[i] = s;
            j->res->order[i] = j->order;
        }
    }
    return SLDS_OK;
}

/* Scores every student of an order, on two threads for large cohorts (each
 * thread writes its own students only). pred has room for 256 x T values
 * per thread. */
static void score_rows(const double *x, size_t m, int p, const double *coef, int T,
                       const double *y, const size_t *rows, int order, slds_sgp_result *res,
                       double *pred, int n_threads)
{
    score_job jobs[2] = {{x, coef, y, rows, 0, m, p, T, order, res, pred},
                         {x, coef, y, rows, m, m, p, T, order, res, pred + 256 * (size_t)T}};
    int two = n_threads != 1 && m >= 20000;
    if (two) {
        jobs[0].r1 = jobs[1].r0 = m / 2;
        jobs[1].r1 = m;
    }
    int n_jobs = two ? 2 : 1;
    if (slds_parallel_for(n_jobs, n_jobs, score_task, jobs, NULL, NULL, NULL) != SLDS_OK)
        for (int k = 0; k < n_jobs; k++) /* the pool could not start: here, in turn */
            score_task(jobs, k, 1, NULL);
}

int slds_sgp_fit_cohort(const slds_sgp_cohort *c, const slds_sgp_params *prm_in,
                        slds_sgp_result *res, slds_error *err)
{
    memset(res, 0, sizeof *res);
    slds_sgp_params prm;
    if (prm_in)
        prm = *prm_in;
    else
        slds_sgp_params_default(&prm);
    int K = c->n_priors;
    if (K < 1 || K > SLDS_SGP_MAX_ORDER)
        return slds_fail(err, SLDS_ERR_USAGE, "a cohort has 1..%d prior columns, not %d",
                         SLDS_SGP_MAX_ORDER, K);
    int maxo = prm.max_order > 0 && prm.max_order < K ? prm.max_order : K;
    int rc = slds_sgp_model_init(&res->model, c->splines, maxo, prm.n_taus ? prm.taus : NULL,
                                 prm.n_taus, err);
    if (rc)
        return rc;
    size_t n = c->n;
    int T = res->model.n_taus;
    res->n = n;
    res->max_order = maxo;
    res->sgp_by_order = calloc((n ? n : 1) * (size_t)maxo, sizeof *res->sgp_by_order);
    res->sgp = calloc(n ? n : 1, sizeof *res->sgp);
    res->order = calloc(n ? n : 1, sizeof *res->order);
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    double *y = malloc((n ? n : 1) * sizeof *y);
    double *pri = malloc((n ? n : 1) * (size_t)maxo * sizeof *pri);
    double *scratch = malloc((n ? n : 1) * sizeof *scratch);
    double *x = NULL, *pred = NULL;
    if (!res->sgp_by_order || !res->sgp || !res->order || !rows || !y || !pri || !scratch) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory for a cohort of %zu students", n);
        goto done;
    }
    for (int k = prm.min_order > 1 ? prm.min_order : 1; k <= maxo && !rc; k++) {
        int p = res->model.p[k - 1];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            int ok = isfinite(c->current[i]);
            for (int j = 0; j < k && ok; j++)
                ok = isfinite(c->priors[i * (size_t)K + (size_t)j]);
            if (!ok)
                continue;
            rows[m] = i;
            y[m] = c->current[i];
            for (int j = 0; j < k; j++)
                pri[m * (size_t)k + (size_t)j] = c->priors[i * (size_t)K + (size_t)j];
            m++;
        }
        size_t min_n = prm.min_students ? prm.min_students : (size_t)p + 1;
        res->model.n_fit[k - 1] = m;
        if (m < min_n)
            continue; /* too few students for this order: none get it */
        free(x);
        x = malloc(m * (size_t)p * sizeof *x);
        free(pred);
        pred = malloc(2 * 256 * (size_t)T * sizeof *pred);
        if (!x || !pred) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory for order %d (%zu students)", k,
                           m);
            break;
        }
        if ((rc = build_design(&res->model, k, pri, (size_t)k, m, x, scratch, err)))
            break;
        slds_rq_problem pr = {.n = m, .p = p, .x = x, .y = y, .w = NULL};
        slds_rq_params rqp = prm.rq;
        rqp.taus = res->model.taus;
        rqp.n_taus = T;
        slds_rq_result fit;
        if ((rc = slds_rq_fit(&pr, &rqp, &fit, err))) {
            slds_error_prefix(err, "SGP order %d (%zu students, %d parameters): ", k, m, p);
            break;
        }
        res->pivots += fit.pivots;
        res->model.coef[k - 1] = fit.coef; /* ownership moves to the model */
        fit.coef = NULL;
        slds_rq_result_free(&fit);
        score_rows(x, m, p, res->model.coef[k - 1], T, y, rows, k, res, pred,
                   prm.rq.n_threads);
    }
done:
    free(rows);
    free(y);
    free(pri);
    free(scratch);
    free(x);
    free(pred);
    if (rc)
        slds_sgp_result_free(res);
    return rc;
}
