/* run.c - slds_growthrun_run: one growth run, start to end.
 *
 *   1. read the STATE scores of Y and the years before and the enrollments
 *      of the run's students (panel.c, through src/panel);
 *   2. build the grade groups and their priors and splines (groups.c);
 *   3. fit every cohort, in parallel (fit.c); with a baseline, score every
 *      cohort with the stored baseline matrices too (baseline.c);
 *   4. growth targets through the next grades' models (targets.c);
 *   5. gains in grade levels (gains.c);
 *   6. in one transaction: delete the year's earlier results for the
 *      subjects run, write the new ones (write.c) and their aggregates
 *      (aggregate.c), commit. A failure anywhere leaves the database as it
 *      was. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

void slds_growthrun_options_default(slds_growthrun_options *o)
{
    memset(o, 0, sizeof *o);
}

void slds_growthrun_result_free(slds_growthrun_result *res)
{
    if (!res)
        return;
    free(res->cohorts);
    memset(res, 0, sizeof *res);
}

static int check_options(const slds_growthrun_options *o, slds_error *err)
{
    if (o->school_year < 1900 || o->school_year > 2200)
        return slds_fail(err, SLDS_ERR_USAGE, "school year %d is not a year", o->school_year);
    if (o->reference_year && (o->reference_year < 1900 || o->reference_year > 2200))
        return slds_fail(err, SLDS_ERR_USAGE, "reference year %d is not a year",
                         o->reference_year);
    if (o->max_order < 0 || o->max_order > SLDS_SGP_MAX_ORDER)
        return slds_fail(err, SLDS_ERR_USAGE, "max order %d is not in 1..%d", o->max_order,
                         SLDS_SGP_MAX_ORDER);
    if (o->n_threads < 0)
        return slds_fail(err, SLDS_ERR_USAGE, "threads must be positive");
    if (o->subject && !*o->subject)
        return slds_fail(err, SLDS_ERR_USAGE, "the subject is empty");
    if (o->baseline && !*o->baseline)
        return slds_fail(err, SLDS_ERR_USAGE, "the baseline name is empty");
    if (o->gain_method != SLDS_GAIN_TYPICAL && o->gain_method != SLDS_GAIN_GRADE_GAP)
        return slds_fail(err, SLDS_ERR_USAGE, "unknown gain method");
    return SLDS_OK;
}

/* Reads of a run go through memory-mapped pages where SQLite can (the main
 * file; the log is read as before): no copy and no page-cache allocation per
 * page of assessments, enrollments and rosters read. Up to 4 GiB of address
 * space, not of memory; harmless where mmap is not available. */
void gr_store_tune(slds_store *s)
{
    slds_error e = {0};
    (void)slds_store_exec(s, "PRAGMA mmap_size=4294967296", &e);
}

void gr_configure(gr_run *r, const slds_growthrun_options *o)
{
    const slds_growth_config *cfg = o->config;
    r->opt = o;
    r->cfg = cfg;
    r->max_order = o->max_order ? o->max_order : cfg ? cfg->max_order : 4;
    if (r->max_order > SLDS_SGP_MAX_ORDER)
        r->max_order = SLDS_SGP_MAX_ORDER;
    if (cfg) {
        r->n_taus = cfg->n_taus;
        memcpy(r->taus, cfg->taus, (size_t)cfg->n_taus * sizeof *r->taus);
    } else {
        r->n_taus = 100;
        slds_rq_sgp_taus(r->taus);
    }
    r->projection_years = cfg ? cfg->projection_years : 3;
    r->n_threads = o->n_threads ? o->n_threads : slds_cpu_count();
    r->reference_year = o->reference_year ? o->reference_year : o->school_year;
    r->started = slds_now();
}

static int fill_result(const gr_run *r, slds_growthrun_result *res, slds_error *err)
{
    res->cohorts = calloc((size_t)(r->n_groups ? r->n_groups : 1), sizeof *res->cohorts);
    if (!res->cohorts)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    res->n_cohorts = r->n_groups;
    res->threads = r->n_threads;
    for (int k = 0; k < r->n_groups; k++) {
        const gr_group *g = &r->groups[k];
        slds_growthrun_cohort *c = &res->cohorts[k];
        snprintf(c->subject, sizeof c->subject, "%s", r->panel.subjects[g->subject]->name);
        c->grade = g->grade;
        c->school_year = r->panel.year;
        c->n_priors = g->K;
        memcpy(c->prior_grades, g->prior_grade, sizeof c->prior_grades);
        memcpy(c->prior_years, g->prior_year, sizeof c->prior_years);
        c->orders_fitted = g->orders_fitted;
        c->students = g->n;
        c->with_prior = g->with_prior;
        c->seconds = g->seconds;
        snprintf(c->note, sizeof c->note, "%s", g->note);
        for (size_t m = 0; m < g->n; m++) {
            c->with_sgp += g->fitted && g->fit.sgp[m] > 0;
            c->with_target += g->has_targets && g->targets.kind[m] != SLDS_TARGET_NONE;
            res->with_grade_levels += isfinite(g->grade_levels[m]);
        }
        c->with_sgp_baseline = g->with_sgp_baseline;
        res->with_sgp_baseline += g->with_sgp_baseline;
        res->students += c->students;
        res->with_sgp += c->with_sgp;
        res->with_target += c->with_target;
    }
    return SLDS_OK;
}

/* Steps 1-5: everything computed in memory. */
static int compute(slds_store *s, gr_run *r, const slds_progress *progress,
                   slds_growthrun_result *res, slds_error *err)
{
    const slds_growthrun_options *o = r->opt;
    int Y = o->school_year, R = r->reference_year;
    int lo = Y - r->max_order - GR_WINDOW_EXTRA, hi = Y;
    if (R - 1 < lo)
        lo = R - 1;
    if (R > hi)
        hi = R;
    double t = slds_now();
    int rc = gr_panel_read(s, r, lo, hi, progress, err);
    if (rc)
        return rc;
    size_t tested = 0;
    for (int k = 0; k < r->panel.n_subjects; k++)
        tested += slds_panel_count_subject(&r->panel, k);
    if (!tested)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no STATE scale scores in %d%s%s", Y,
                         o->subject ? " for " : "", o->subject ? o->subject : "");
    if ((rc = gr_groups_build(r, err)))
        return rc;
    if (o->baseline && (rc = gr_baseline_load(s, r, err)))
        return rc;
    res->seconds_read = slds_now() - t;
    t = slds_now();
    if ((rc = gr_fit_all(r, progress, err)))
        return rc;
    res->seconds_fit = slds_now() - t;
    t = slds_now();
    if (o->baseline) {
        if ((rc = gr_baseline_apply(r, err)))
            return rc;
        res->seconds_baseline = slds_now() - t;
        snprintf(res->baseline, sizeof res->baseline, "%s", o->baseline);
        t = slds_now();
    }
    if ((rc = gr_targets_all(r, progress, err)))
        return rc;
    rc = gr_gains_all(r, err);
    res->seconds_targets = slds_now() - t;
    return rc;
}

/* Step 6: the transaction. */
static int store_results(slds_store *s, gr_run *r, const slds_progress *progress,
                         slds_growthrun_result *res, slds_error *err)
{
    double t = slds_now();
    int rc = slds_store_begin(s, err);
    if (rc)
        return rc;
    rc = gr_write(s, r, progress, err);
    for (int k = 0; k < r->panel.n_subjects && !rc; k++) {
        if (!slds_panel_count_subject(&r->panel, k))
            continue;
        size_t rows = 0;
        slds_progress_report(progress, "aggregates", (uint64_t)k, (uint64_t)r->panel.n_subjects);
        double ta = slds_now();
        rc = gr_aggregate_run(s, r, k, &rows, err);
        res->seconds_aggregates += slds_now() - ta;
        res->aggregate_rows += rows;
    }
    if (!rc)
        rc = slds_store_commit(s, err);
    if (rc)
        slds_store_rollback(s);
    res->seconds_write = slds_now() - t;
    return rc;
}

int slds_growthrun_run(slds_store *s, const slds_growthrun_options *o,
                       const slds_progress *progress, slds_growthrun_result *res,
                       slds_error *err)
{
    memset(res, 0, sizeof *res);
    int rc = check_options(o, err);
    if (rc)
        return rc;
    gr_run *r = calloc(1, sizeof *r);
    if (!r)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    gr_configure(r, o);
    gr_store_tune(s);
    rc = compute(s, r, progress, res, err);
    if (!rc)
        rc = store_results(s, r, progress, res, err);
    if (!rc)
        rc = fill_result(r, res, err);
    res->seconds = slds_now() - r->started;
    gr_groups_free(r);
    gr_baseline_free(r);
    gr_panel_free(r);
    free(r);
    if (rc)
        slds_growthrun_result_free(res);
    return rc;
}
