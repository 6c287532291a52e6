/* fit.c - fits every cohort of a run with the SGP engine, cohorts in
 * parallel (largest first, so the long fits start early and the threads
 * finish together). A cohort whose highest order cannot be fitted (a design
 * not of full rank: too few distinct prior scores) is fitted again without
 * that order, and the note says so; other errors stop the run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

typedef struct fit_ctx {
    gr_run *r;
    int *order; /* group indices, costliest first */
} fit_ctx;

/* Work of a cohort, roughly: students times the squared parameters, per order. */
static double cohort_cost(const gr_group *g)
{
    double cost = 0.0;
    for (int k = 1; k <= g->K; k++) {
        double p = 1.0 + 7.0 * k;
        cost += (double)g->with_prior * p * p;
    }
    return cost;
}

typedef struct costed {
    double cost;
    int group;
} costed;

static int by_cost(const void *a, const void *b)
{
    const costed *x = a, *y = b;
    if (x->cost != y->cost)
        return (x->cost < y->cost) - (x->cost > y->cost);
    return x->group - y->group;
}

static int fit_task(void *ctx, int i, int threads, slds_error *err)
{
    fit_ctx *c = ctx;
    gr_run *r = c->r;
    gr_group *g = &r->groups[c->order[i]];
    double t0 = slds_now();
    slds_sgp_params prm;
    slds_sgp_params_default(&prm);
    prm.n_taus = r->n_taus;
    prm.taus = r->taus;
    prm.rq.n_threads = threads;
    slds_sgp_cohort co = {.n = g->n, .n_priors = g->K, .current = g->current,
                          .priors = g->priors, .splines = g->splines};
    int rc = SLDS_OK;
    for (int K = g->K; K > 0; K--) {
        prm.max_order = K;
        slds_error e = {0};
        rc = slds_sgp_fit_cohort(&co, &prm, &g->fit, &e);
        if (!rc) {
            g->fitted = 1;
            break;
        }
        if (rc != SLDS_ERR_NUMERIC) {
            slds_fail(err, rc, "%s grade %d: %s", r->panel.subjects[g->subject]->name, g->grade,
                      e.message);
            return rc;
        }
        char text[sizeof e.message + 32];
        snprintf(text, sizeof text, "order %d not fitted (%s)", K, e.message);
        gr_note(g, text);
        rc = SLDS_OK;
    }
    if (g->fitted) {
        for (int k = 0; k < g->fit.model.max_order; k++)
            if (g->fit.model.coef[k])
                g->orders_fitted = k + 1;
        g->fit.model.has_loss_hoss = g->has_loss_hoss;
        if (g->has_loss_hoss) {
            g->fit.model.loss_hoss[0] = g->loss_hoss[0];
            g->fit.model.loss_hoss[1] = g->loss_hoss[1];
        }
    }
    g->seconds = slds_now() - t0;
    return rc;
}

/* The note of a cohort that has priors but no SGP says why (a cohort
 * without priors got its note from the prior chain, groups.c). */
static void explain_empty(const gr_run *r, gr_group *g)
{
    if (!g->K)
        return;
    for (size_t m = 0; m < g->n; m++)
        if (g->fitted && g->fit.sgp[m] > 0)
            return;
    char text[200];
    if (!g->n)
        snprintf(text, sizeof text, "no SGPs: no student tested");
    else if (!g->with_prior)
        snprintf(text, sizeof text, "no SGPs: none of the %zu students has a grade %d score in %d",
                 g->n, g->prior_grade[0], g->prior_year[0]);
    else if (g->fitted)
        snprintf(text, sizeof text,
                 "no SGPs: %zu students with a prior score, too few to fit (order 1 needs %d)",
                 g->with_prior, 1 + slds_bspline_ncol(&g->splines[0]) + 1);
    else
        snprintf(text, sizeof text, "no SGPs: no order could be fitted");
    (void)r;
    gr_note(g, text);
}

int gr_fit_all(gr_run *r, const slds_progress *progress, slds_error *err)
{
    size_t cap = (size_t)(r->n_groups ? r->n_groups : 1);
    int *order = malloc(cap * sizeof *order);
    costed *cs = malloc(cap * sizeof *cs);
    if (!order || !cs) {
        free(order);
        free(cs);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    int n = 0;
    for (int k = 0; k < r->n_groups; k++)
        if (r->groups[k].K > 0 && r->groups[k].with_prior > 0)
            cs[n++] = (costed){cohort_cost(&r->groups[k]), k};
    qsort(cs, (size_t)n, sizeof *cs, by_cost);
    for (int k = 0; k < n; k++)
        order[k] = cs[k].group;
    free(cs);
    fit_ctx c = {.r = r, .order = order};
    int rc = slds_parallel_for(n, r->n_threads, fit_task, &c, progress, "fitting cohorts", err);
    free(order);
    for (int k = 0; k < r->n_groups && !rc; k++)
        explain_empty(r, &r->groups[k]);
    return rc;
}
