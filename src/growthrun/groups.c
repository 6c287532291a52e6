/* groups.c - the grade groups of a run: for each subject and grade tested in
 * the year, the students, their current scores and priors, and what the
 * engine needs to fit and project them: the prior grades (design note 3 in
 * internal.h), one spline per prior grade (knots and boundaries from the
 * configuration, or from the scores as slds_growth_knots_from_scores does),
 * the grade's loss/hoss and cut scores. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

gr_group *gr_group_find(gr_run *r, int s, int grade)
{
    for (int k = 0; k < r->n_groups; k++)
        if (r->groups[k].subject == s && r->groups[k].grade == grade)
            return &r->groups[k];
    return NULL;
}

void gr_note(gr_group *g, const char *text)
{
    size_t len = strlen(g->note);
    snprintf(g->note + len, sizeof g->note - len, "%s%.200s", len ? "; " : "", text);
}

void gr_groups_free(gr_run *r)
{
    for (int k = 0; k < r->n_groups; k++) {
        gr_group *g = &r->groups[k];
        free(g->student);
        free(g->current);
        free(g->priors);
        free(g->gain);
        free(g->grade_levels);
        free(g->school);
        free(g->sgp_baseline);
        free(g->sgp_baseline_order);
        if (g->fitted)
            slds_sgp_result_free(&g->fit);
        if (g->has_targets)
            slds_target_result_free(&g->targets);
    }
    free(r->groups);
    r->groups = NULL;
    r->n_groups = 0;
}

/* Grades of subject s with STATE scores in some year up to Y. */
static void tested_grades(const slds_panel *p, int s, unsigned char tested[GR_MAX_GRADE])
{
    memset(tested, 0, GR_MAX_GRADE);
    for (int y = 0; y < p->n_years && p->year_lo + y <= p->year; y++)
        for (int g = 0; g < GR_MAX_GRADE; g++)
            if (p->subjects[s]->count[y][g])
                tested[g] = 1;
}

/* Whether subject s has any score in year y (a year without: no test that
 * year, as 2020 in many states). */
static int year_tested(const gr_run *r, int s, int y)
{
    const slds_panel *p = &r->panel;
    int k = slds_panel_year(p, y);
    if (k < 0 || slds_growth_config_skips(r->cfg, y))
        return 0;
    for (int g = 0; g < GR_MAX_GRADE; g++)
        if (p->subjects[s]->count[k][g])
            return 1;
    return 0;
}

/* The prior grades and years of grade G (design note 3), at most max_order:
 * each prior one grade and one year below the last, an untested grade bridged
 * (9 between 8 and 10) and a year without scores of the subject skipped
 * together with its grade (lagged priors: grade 5 in 2021 from grade 3 in
 * 2019, lag 2, when 2020 has none), as the SGP package's year lags do. The
 * note says which years were skipped, and why a grade has no priors. */
static void prior_chain(const gr_run *r, int s, const unsigned char tested[GR_MAX_GRADE],
                        gr_group *g)
{
    const slds_panel *p = &r->panel;
    const char *subject = p->subjects[s]->name;
    int below = g->grade, below_year = p->year;
    int skip_first = 0, skip_last = 0; /* the first years skipped, for the note */
    g->K = 0;
    const slds_growth_progression *conf =
        slds_growth_config_progression(r->cfg, subject, g->grade, p->year);
    if (conf) {
        char text[200];
        int len = snprintf(text, sizeof text, "configured progression");
        for (int k = conf->n - 2; k >= 0 && g->K < r->max_order; k--) {
            below_year -= conf->lags[k];
            if (!slds_panel_count(p, s, below_year, conf->grades[k]))
                break;
            g->prior_grade[g->K] = conf->grades[k];
            g->prior_year[g->K] = below_year;
            g->K++;
            if (len < (int)sizeof text)
                len += snprintf(text + len, sizeof text - (size_t)len, " %d (%d, lag %d)",
                                conf->grades[k], below_year, conf->lags[k]);
        }
        if (!g->K)
            snprintf(text, sizeof text,
                     "no SGPs: no %s scores of grade %d in %d (the configured progression)",
                     subject, conf->grades[conf->n - 2], p->year - conf->lags[conf->n - 2]);
        gr_note(g, text);
        return;
    }
    while (g->K < r->max_order) {
        int pg = below - 1, py = below_year - 1, last = py;
        while (py >= p->year_lo && !year_tested(r, s, py))
            py--, pg--;
        if (py != last && !skip_last) {
            skip_first = py + 1;
            skip_last = last;
        }
        while (pg >= 0 && !tested[pg])
            pg--, py--;
        if (pg < 0 || py < p->year_lo || !slds_panel_count(p, s, py, pg))
            break;
        if (py != last && skip_last == last) {
            char text[160];
            if (skip_first == skip_last && slds_growth_config_skips(r->cfg, skip_last))
                snprintf(text, sizeof text, "%d is skipped by the configuration: priors from %d",
                         skip_last, py);
            else if (skip_first == skip_last)
                snprintf(text, sizeof text, "%d has no %s scores: priors from %d", skip_last,
                         subject, py);
            else
                snprintf(text, sizeof text, "%d-%d have no %s scores: priors from %d",
                         skip_first, skip_last, subject, py);
            gr_note(g, text);
        }
        g->prior_grade[g->K] = pg;
        g->prior_year[g->K] = py;
        g->K++;
        below = pg;
        below_year = py;
    }
    if (g->K)
        return;
    char text[200];
    int any_earlier = 0;
    for (int y = p->year_lo; y < p->year; y++)
        any_earlier |= year_tested(r, s, y);
    int lowest = 1;
    for (int q = 0; q < g->grade; q++)
        lowest &= !tested[q];
    if (!any_earlier)
        snprintf(text, sizeof text, "no SGPs: no prior year with %s scores", subject);
    else if (lowest)
        snprintf(text, sizeof text, "no SGPs: grade %d is the lowest grade tested in %s",
                 g->grade, subject);
    else if (skip_last == p->year - 1)
        snprintf(text, sizeof text,
                 "no SGPs: %d has no %s scores and %d none of grade %d or below", skip_last,
                 subject, skip_first - 1, g->grade - 1 - (p->year - skip_first));
    else
        snprintf(text, sizeof text, "no SGPs: no %s scores of the grade below %d in %d",
                 subject, g->grade, p->year - 1);
    gr_note(g, text);
}

/* Knots, boundaries and loss/hoss of a grade: the configuration's, with what
 * it lacks computed from the scores (knots only when need_knots). *from_data
 * says whether the knots were computed. */
int gr_grade_shape(const gr_run *r, int s, int grade, int need_knots, slds_growth_grade *out,
                   int *from_data, slds_error *err)
{
    const char *subject = r->panel.subjects[s]->name;
    const slds_growth_grade *c = r->cfg ? slds_growth_config_grade(r->cfg, subject, grade) : NULL;
    memset(out, 0, sizeof *out);
    if (c)
        *out = *c;
    out->grade = grade;
    int want_knots = need_knots && (!c || !c->n_knots || r->cfg->knots_from_data);
    int want_lh = !c || !c->has_loss_hoss;
    *from_data = want_knots;
    if (!want_knots && !want_lh)
        return SLDS_OK;
    const gr_sample *smp = &r->samples[s][grade];
    slds_growth_grade data = *out;
    int rc = slds_growth_knots_from_scores(smp->v, smp->n, &data, err);
    if (rc)
        return rc;
    if (want_knots) {
        out->n_knots = data.n_knots;
        memcpy(out->knots, data.knots, sizeof out->knots);
        out->boundary[0] = data.boundary[0];
        out->boundary[1] = data.boundary[1];
    }
    if (want_lh) {
        out->has_loss_hoss = 1;
        out->loss_hoss[0] = data.loss_hoss[0];
        out->loss_hoss[1] = data.loss_hoss[1];
    }
    return SLDS_OK;
}

/* Splines of the priors, loss/hoss and cuts of the grade itself. A prior
 * whose spline cannot be made (too few distinct scores) ends the chain there,
 * with a note; only running out of memory fails. */
static int shape_group(const gr_run *r, gr_group *g, slds_error *err)
{
    for (int k = 0; k < g->K; k++) {
        slds_growth_grade shape;
        slds_error e = {0};
        int rc = gr_grade_shape(r, g->subject, g->prior_grade[k], 1, &shape, &g->knots_from_data[k],
                             &e);
        if (!rc)
            rc = slds_growth_grade_spline(&shape, &g->splines[k], &e);
        if (rc == SLDS_ERR_NOMEM)
            return slds_fail(err, rc, "%s", e.message);
        if (rc) {
            char text[200];
            snprintf(text, sizeof text, "priors from grade %d on not used: %.160s",
                     g->prior_grade[k], e.message);
            gr_note(g, text);
            g->K = k;
            break;
        }
    }
    slds_growth_grade own;
    int from_data;
    slds_error e = {0};
    int rc = gr_grade_shape(r, g->subject, g->grade, 0, &own, &from_data, &e);
    if (rc == SLDS_ERR_NOMEM)
        return slds_fail(err, rc, "%s", e.message);
    g->has_loss_hoss = !rc && own.has_loss_hoss;
    g->loss_hoss[0] = own.loss_hoss[0];
    g->loss_hoss[1] = own.loss_hoss[1];
    g->n_cuts = own.n_cuts;
    memcpy(g->cuts, own.cuts, sizeof g->cuts);
    g->proficient_cut = r->cfg && own.n_cuts ? slds_growth_proficient_cut(r->cfg, &own) : NAN;
    return SLDS_OK;
}

static int alloc_members(gr_group *g, slds_error *err)
{
    size_t n = g->n ? g->n : 1, K = g->K ? (size_t)g->K : 1;
    g->student = malloc(n * sizeof *g->student);
    g->current = malloc(n * sizeof *g->current);
    g->priors = malloc(n * K * sizeof *g->priors);
    g->gain = malloc(n * sizeof *g->gain);
    g->grade_levels = malloc(n * sizeof *g->grade_levels);
    g->school = malloc(n * sizeof *g->school);
    if (!g->student || !g->current || !g->priors || !g->gain || !g->grade_levels || !g->school)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for a cohort of %zu students", g->n);
    for (size_t i = 0; i < n; i++)
        g->gain[i] = g->grade_levels[i] = NAN;
    return SLDS_OK;
}

/* Students of every group of subject s, in id order, with their priors. */
static void fill_members(gr_run *r, int s, gr_group **by_grade)
{
    const slds_panel *p = &r->panel;
    int y = slds_panel_year(p, p->year);
    const double *score = p->subjects[s]->score[y];
    const signed char *grade = p->subjects[s]->grade[y];
    size_t n = slds_panel_students(p);
    for (size_t i = 0; i < n; i++) {
        if (grade[i] < 0)
            continue;
        gr_group *g = by_grade[grade[i]];
        size_t m = g->n++;
        g->student[m] = (uint32_t)i;
        g->current[m] = score[i];
        for (int k = 0; k < g->K; k++) {
            double v = NAN;
            if (slds_panel_grade(p, s, g->prior_year[k], i) == g->prior_grade[k])
                v = slds_panel_score(p, s, g->prior_year[k], i);
            g->priors[m * (size_t)g->K + (size_t)k] = v;
        }
        if (g->K && isfinite(g->priors[m * (size_t)g->K]))
            g->with_prior++;
    }
}

int gr_groups_build(gr_run *r, slds_error *err)
{
    const slds_panel *p = &r->panel;
    int y = slds_panel_year(p, p->year);
    int total = 0;
    for (int s = 0; s < p->n_subjects; s++)
        for (int g = 0; g < GR_MAX_GRADE; g++)
            total += p->subjects[s]->count[y][g] > 0;
    r->groups = calloc(total ? (size_t)total : 1, sizeof *r->groups);
    if (!r->groups)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    for (int s = 0; s < p->n_subjects; s++) {
        unsigned char tested[GR_MAX_GRADE];
        tested_grades(p, s, tested);
        gr_group *by_grade[GR_MAX_GRADE] = {0};
        for (int grade = 0; grade < GR_MAX_GRADE; grade++) {
            size_t n = p->subjects[s]->count[y][grade];
            if (!n)
                continue;
            gr_group *g = &r->groups[r->n_groups++];
            g->subject = s;
            g->grade = grade;
            g->n = n;
            g->points_per_grade = NAN;
            prior_chain(r, s, tested, g);
            int rc = alloc_members(g, err);
            if (!rc)
                rc = shape_group(r, g, err);
            if (rc)
                return rc;
            g->n = 0; /* counted again while filling */
            by_grade[grade] = g;
        }
        fill_members(r, s, by_grade);
    }
    return SLDS_OK;
}
