/* targets.c - growth targets of every grade group: the cohort-referenced
 * projections of the SGP package. A student in grade G is projected through
 * the models of the next tested grades fitted in the same year (the cohort of
 * grade G+1 has G as its most recent prior, G+2 has G+1, ...), up to the
 * configured number of years ahead, and the target of each year is the lowest
 * percentile of growth that reaches that grade's proficient cut
 * (slds_sgp_targets, the one projection engine of growth/targets.c). Needs cut scores: without them there are no targets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

/* The projection horizons of group g: the chain of next grades whose model
 * has g's grade as its most recent prior, each horizon as many years ahead
 * as that model's lag (1; 2 across a year without scores, whose cohorts
 * have lagged priors). A grade whose model does not start from the chain's
 * grade (untested, not fitted, or a lagged model from further below) is
 * passed over. */
/* How many of the priors of h's model are, grade for grade and lag for lag,
 * the history a student of g has when projected through h as g's next
 * horizon: the earlier horizons' grades, g's grade, then g's priors (the
 * engine feeds them to the model in that order). All of them (h->K) in years
 * without gaps; across a skipped year a lagged model may expect other grades
 * beyond its first priors, and the projection uses only the orders that fit. */
static int same_history(const gr_run *r, const gr_group *g, const gr_group *h)
{
    int n = 0, grade[2 * SLDS_SGP_MAX_ORDER + SLDS_TARGET_MAX_YEARS];
    int when[2 * SLDS_SGP_MAX_ORDER + SLDS_TARGET_MAX_YEARS];
    for (int k = g->n_ahead - 1; k >= 0; k--) {
        grade[n] = g->ahead_grade[k];
        when[n++] = g->ahead_year[k];
    }
    grade[n] = g->grade;
    when[n++] = r->panel.year;
    for (int k = 0; k < g->K; k++) {
        grade[n] = g->prior_grade[k];
        when[n++] = g->prior_year[k];
    }
    /* years measured from h's own year (Y) and from the horizon's year */
    int horizon = when[0] + (r->panel.year - h->prior_year[0]);
    for (int k = 0; k < h->K && k < n; k++) {
        int lag_h = (k ? h->prior_year[k - 1] : r->panel.year) - h->prior_year[k];
        int lag_s = (k ? when[k - 1] : horizon) - when[k];
        if (h->prior_grade[k] != grade[k] || lag_h != lag_s)
            return k;
    }
    return h->K;
}

static void horizons(gr_run *r, gr_group *g)
{
    g->n_ahead = 0;
    if (!isfinite(g->proficient_cut))
        return;
    int from = g->grade, year = r->panel.year;
    for (int next = from + 1; next < GR_MAX_GRADE && g->n_ahead < SLDS_TARGET_MAX_YEARS; next++) {
        if (next - g->grade > r->projection_years)
            break;
        gr_group *h = gr_group_find(r, g->subject, next);
        if (!h || !h->orders_fitted || h->K < 1 || h->prior_grade[0] != from)
            continue;
        int fits = same_history(r, g, h);
        if (!isfinite(h->proficient_cut) || fits < 1)
            break;
        g->ahead_order[g->n_ahead] = fits < h->K ? fits : 0;
        year += r->panel.year - h->prior_year[0];
        g->ahead_grade[g->n_ahead] = next;
        g->ahead_year[g->n_ahead] = year;
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
        pr.max_order[h] = g->ahead_order[h];
    }
    int rc = slds_sgp_targets(&pr, &g->targets, err);
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
