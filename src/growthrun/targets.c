/* targets.c - growth targets of every grade group: the cohort-referenced
 * projections of the SGP package. A student in grade G is projected through
 * the models of the next tested grades fitted in the same year (the cohort of
 * grade G+1 has G as its most recent prior, G+2 has G+1, ...), up to the
 * configured number of years ahead, and the target of each year is the lowest
 * percentile of growth that reaches that grade's proficient cut
 * (slds_sgp_targets, computed by project.c). Needs cut scores: without them there are no targets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

/* The projection horizons of group g: the chain of next grades whose model
 * has g's grade as its most recent prior. */
static void horizons(gr_run *r, gr_group *g)
{
    g->n_ahead = 0;
    if (!isfinite(g->proficient_cut))
        return;
    int from = g->grade;
    for (int next = from + 1; next < GR_MAX_GRADE && g->n_ahead < SLDS_TARGET_MAX_YEARS; next++) {
        if (next - g->grade > r->projection_years)
            break;
        gr_group *h = gr_group_find(r, g->subject, next);
        if (!h)
            continue; /* an untested grade: the chain may bridge it */
        if (!h->orders_fitted || h->K < 1 || h->prior_grade[0] != from || !isfinite(h->proficient_cut))
            break;
        g->ahead_grade[g->n_ahead] = next;
        g->ahead_year[g->n_ahead] = r->panel.year + (next - g->grade);
        g->ahead_cut[g->n_ahead] = h->proficient_cut;
        g->n_ahead++;
        from = next;
    }
}

static int target_task(void *ctx, int i, int threads, slds_error *err)
{
    (void)threads;
    gr_run *r = ctx;
    gr_group *g = &r->groups[i];
    horizons(r, g);
    if (!g->n_ahead || !g->n)
        return SLDS_OK;
    int cols = 1 + g->K;
    double *scores = malloc(g->n * (size_t)cols * sizeof *scores);
    if (!scores)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for growth targets");
    for (size_t m = 0; m < g->n; m++) {
        scores[m * (size_t)cols] = g->current[m];
        for (int k = 0; k < g->K; k++)
            scores[m * (size_t)cols + 1 + (size_t)k] = g->priors[m * (size_t)g->K + (size_t)k];
    }
    slds_target_problem pr = {.n = g->n, .n_scores = cols, .scores = scores,
                              .sgp = g->fitted ? g->fit.sgp : NULL,
                              .current_cut = g->proficient_cut, .n_years = g->n_ahead};
    for (int h = 0; h < g->n_ahead; h++) {
        pr.models[h] = &gr_group_find(r, g->subject, g->ahead_grade[h])->fit.model;
        pr.cuts[h] = g->ahead_cut[h];
    }
    int rc = gr_project_targets(&pr, &g->targets, err);
    free(scores);
    if (rc)
        return slds_error_prefix(err, "%s grade %d targets: ", r->panel.subjects[g->subject]->name,
                                 g->grade);
    g->has_targets = 1;
    return SLDS_OK;
}

int gr_targets_all(gr_run *r, const slds_progress *progress, slds_error *err)
{
    return slds_parallel_for(r->n_groups, r->n_threads, target_task, r, progress, "growth targets",
                       err);
}
