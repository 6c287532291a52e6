/* baseline.c - baseline-referenced SGPs (issue 12): coefficient matrices
 * fitted once on the cohorts of several years pooled, the SGP package's
 * "super-cohort" (baselineSGP / createSuperCohortData), stored under a name
 * and applied to later years, so that growth after a disruption is measured
 * against growth before it rather than against an equally affected cohort.
 *
 * Fit (slds_growthrun_baseline_fit), as the package builds its baseline
 * matrices:
 *   - the years given are the panel years: every score used, current or
 *     prior, is of one of them;
 *   - progressions: for each subject and grade G tested in those years, the
 *     tested grades below it, most recent first, each lag the grade
 *     difference (the package's sgp.baseline.grade.sequences with lags =
 *     diff(grades)), at most max_order; and the configuration's explicit
 *     progressions (sgp.config), with their lags;
 *   - one model per progression and order k, fitted on its own super-cohort
 *     ("exact grade progression": only order k): for every year Y of the
 *     list whose k prior years Y - lag_1, Y - lag_1 - lag_2, ... are all
 *     listed, the students with the current grade in Y and every one of the
 *     k prior grades in its year, stacked window after window (years in
 *     increasing order, students in id order);
 *   - each prior's knots and boundaries from the configuration, or computed
 *     from the scores of that grade in the listed years.
 * The default max order is the package's min(3, years - 2) (at least 1), so
 * that every order pools at least two cohorts.
 *
 * Run (gr_baseline_apply): a cohort of year Y with priors (grades and year
 * lags, possibly lagged across a year without scores) is scored with the
 * baseline's model of the same subject, grade and progression, the highest
 * order the student has priors for, as slds_sgp_score does for any model.
 *
 * Storage: growth_baselines (one row per name) and growth_baseline_models
 * (one per subject, grade and progression: `priors` "4/1,3/1" = grade/lag,
 * most recent first, and the model as the JSON of model_json.c, which reads
 * back to the same bits). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "growthrun/internal.h"

enum { PRIORS_KEY_MAX = 96 };

void slds_baseline_result_free(slds_baseline_result *res)
{
    if (!res)
        return;
    free(res->models);
    memset(res, 0, sizeof *res);
}

/* "4/1,3/1": prior grades and lags, most recent first. */
static void priors_key(const int *grades, const int *lags, int k, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int j = 0; j < k && len < size; j++)
        len += (size_t)snprintf(buf + len, size - len, "%s%d/%d", j ? "," : "", grades[j], lags[j]);
}

/* Parses such a key; returns the number of priors or -1. */
static int parse_priors_key(const char *s, int *grades, int *lags)
{
    int k = 0;
    while (s && *s) {
        if (k == SLDS_SGP_MAX_ORDER)
            return -1;
        char *end;
        long g = strtol(s, &end, 10);
        if (end == s || *end != '/')
            return -1;
        s = end + 1;
        long l = strtol(s, &end, 10);
        if (end == s || g < 0 || g >= GR_MAX_GRADE || l < 1 || l > 20)
            return -1;
        grades[k] = (int)g;
        lags[k] = (int)l;
        k++;
        s = end;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return k;
}

static void utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tmv;
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tmv));
}

static int name_ok(const char *name, slds_error *err)
{
    if (!name || !*name)
        return slds_fail(err, SLDS_ERR_USAGE, "a baseline needs a name");
    if (strlen(name) >= SLDS_GROWTH_NAME_MAX)
        return slds_fail(err, SLDS_ERR_USAGE, "baseline name '%.20s...' is longer than %d bytes",
                         name, SLDS_GROWTH_NAME_MAX - 1);
    return SLDS_OK;
}

/* 1 when a baseline of that name is stored, 0 when not, -1 on error. */
static int baseline_exists(slds_store *s, const char *name, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT count(*) FROM growth_baselines WHERE name = ?1", err))
        return -1;
    slds_cursor_bind_text(&c, 1, name);
    int r = slds_cursor_step(&c, err);
    int n = r == 1 ? slds_cursor_int(&c, 0) : 0;
    slds_cursor_close(&c);
    return r < 0 ? -1 : n > 0;
}

/* The growth tables of this build's baselines exist (growth v2). */
static int check_schema(slds_store *s, slds_error *err)
{
    int v = slds_store_schema_version(s, "growth", err);
    if (v < 0)
        return SLDS_ERR_DB;
    if (v < 2)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "%s has no baselines yet (its growth tables are older than this slds: "
                         "run 'slds growth baseline fit' or any command that writes to bring it "
                         "up to date)",
                         s->path);
    return SLDS_OK;
}

static int delete_baseline(slds_store *s, const char *name, slds_error *err)
{
    static const char *const sql[] = {"DELETE FROM growth_baseline_models WHERE name = ?1",
                                      "DELETE FROM growth_baselines WHERE name = ?1"};
    for (int k = 0; k < 2; k++) {
        slds_cursor c;
        if (slds_cursor_open(&c, s, sql[k], err))
            return err->code;
        slds_cursor_bind_text(&c, 1, name);
        int r = slds_cursor_step(&c, err);
        slds_cursor_close(&c);
        if (r < 0)
            return err->code;
    }
    return SLDS_OK;
}

static int taken(slds_store *s, const char *name, int replace, slds_error *err)
{
    int e = baseline_exists(s, name, err);
    if (e < 0)
        return err->code;
    if (e && !replace)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "a baseline named '%s' is already stored in %s (--replace replaces it)",
                         name, s->path);
    return e && replace ? delete_baseline(s, name, err) : SLDS_OK;
}

/* ------------------------------------------------------------------ fit */

/* One model to fit: a progression's first `order` priors. */
typedef struct bjob {
    int subject, grade, order;
    int prior_grade[SLDS_SGP_MAX_ORDER], lag[SLDS_SGP_MAX_ORDER];
    char key[PRIORS_KEY_MAX];
    size_t n;                          /* pooled rows */
    double *current, *priors;          /* n, n x order */
    int n_cohorts, cohort_years[SLDS_BASELINE_MAX_YEARS];
    slds_bspline splines[SLDS_SGP_MAX_ORDER];
    int has_loss_hoss;
    double loss_hoss[2];
    int fitted;
    slds_sgp_result fit;
    double seconds;
    char note[160];
} bjob;

typedef struct bfit {
    gr_run *r;
    const slds_baseline_options *o;
    int n_jobs, cap;
    bjob *jobs;
    int *order;                        /* job indices, costliest first */
} bfit;

static int listed(const gr_run *r, int year)
{
    for (int k = 0; k < r->n_fit_years; k++)
        if (r->fit_years[k] == year)
            return 1;
    return 0;
}

/* Adds the jobs of a progression (orders 1..k), skipping those already there. */
static int add_progression(bfit *b, int s, int grade, const int *pg, const int *lags, int k,
                           slds_error *err)
{
    for (int order = 1; order <= k; order++) {
        char key[PRIORS_KEY_MAX];
        priors_key(pg, lags, order, key, sizeof key);
        int dup = 0;
        for (int j = 0; j < b->n_jobs && !dup; j++)
            dup = b->jobs[j].subject == s && b->jobs[j].grade == grade &&
                  !strcmp(b->jobs[j].key, key);
        if (dup)
            continue;
        if (b->n_jobs == b->cap) {
            int cap = b->cap ? 2 * b->cap : 64;
            bjob *nj = realloc(b->jobs, (size_t)cap * sizeof *nj);
            if (!nj)
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            b->jobs = nj;
            b->cap = cap;
        }
        bjob *j = &b->jobs[b->n_jobs++];
        memset(j, 0, sizeof *j);
        j->subject = s;
        j->grade = grade;
        j->order = order;
        memcpy(j->prior_grade, pg, (size_t)order * sizeof *pg);
        memcpy(j->lag, lags, (size_t)order * sizeof *lags);
        snprintf(j->key, sizeof j->key, "%s", key);
    }
    return SLDS_OK;
}

/* The progressions of every subject: the tested grades below each grade
 * (lag = grade difference) and the configuration's explicit ones. */
static int plan(bfit *b, slds_error *err)
{
    gr_run *r = b->r;
    const slds_panel *p = &r->panel;
    for (int s = 0; s < p->n_subjects; s++) {
        unsigned char tested[GR_MAX_GRADE] = {0};
        for (int y = 0; y < r->n_fit_years; y++)
            for (int g = 0; g < GR_MAX_GRADE; g++)
                if (slds_panel_count(p, s, r->fit_years[y], g))
                    tested[g] = 1;
        for (int grade = 0; grade < GR_MAX_GRADE; grade++) {
            if (!tested[grade])
                continue;
            int pg[SLDS_SGP_MAX_ORDER], lags[SLDS_SGP_MAX_ORDER], k = 0, below = grade;
            for (int g = grade - 1; g >= 0 && k < r->max_order; g--)
                if (tested[g]) {
                    pg[k] = g;
                    lags[k] = below - g;
                    below = g;
                    k++;
                }
            int rc = k ? add_progression(b, s, grade, pg, lags, k, err) : SLDS_OK;
            if (rc)
                return rc;
        }
        for (int c = 0; r->cfg && c < r->cfg->n_progressions; c++) {
            const slds_growth_progression *q = &r->cfg->progressions[c];
            if (strcmp(q->subject, p->subjects[s]->name))
                continue;
            int pg[SLDS_SGP_MAX_ORDER], lags[SLDS_SGP_MAX_ORDER], k = 0;
            for (int i = q->n - 2; i >= 0 && k < r->max_order; i--, k++) {
                pg[k] = q->grades[i];
                lags[k] = q->lags[i];
            }
            int rc = k ? add_progression(b, s, q->grades[q->n - 1], pg, lags, k, err) : SLDS_OK;
            if (rc)
                return rc;
        }
    }
    return SLDS_OK;
}

/* The pooled rows of a job: window by window (current years ascending),
 * students in id order, those with the current score and all priors. */
static int pool(gr_run *r, bjob *j, slds_error *err)
{
    const slds_panel *p = &r->panel;
    size_t n = slds_panel_students(p), cap = 0;
    int k = j->order;
    for (int pass = 0; pass < 2; pass++) {
        size_t m = 0;
        j->n_cohorts = 0;
        for (int w = 0; w < r->n_fit_years; w++) {
            int Y = r->fit_years[w], years[SLDS_SGP_MAX_ORDER], ok = 1, y = Y;
            for (int q = 0; q < k && ok; q++) {
                y -= j->lag[q];
                years[q] = y;
                ok = listed(r, y);
            }
            if (!ok)
                continue;
            size_t before = m;
            for (size_t i = 0; i < n; i++) {
                if (slds_panel_grade(p, j->subject, Y, i) != j->grade)
                    continue;
                double cur = slds_panel_score(p, j->subject, Y, i);
                int have = isfinite(cur);
                for (int q = 0; q < k && have; q++)
                    have = slds_panel_grade(p, j->subject, years[q], i) == j->prior_grade[q] &&
                           isfinite(slds_panel_score(p, j->subject, years[q], i));
                if (!have)
                    continue;
                if (pass) {
                    j->current[m] = cur;
                    for (int q = 0; q < k; q++)
                        j->priors[m * (size_t)k + (size_t)q] =
                            slds_panel_score(p, j->subject, years[q], i);
                }
                m++;
            }
            if (m > before)
                j->cohort_years[j->n_cohorts++] = Y;
        }
        if (!pass) {
            cap = m;
            j->current = malloc((cap ? cap : 1) * sizeof *j->current);
            j->priors = malloc((cap ? cap : 1) * (size_t)k * sizeof *j->priors);
            if (!j->current || !j->priors)
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory pooling %zu students", cap);
        }
        j->n = m;
    }
    return SLDS_OK;
}

/* Splines of the priors (configuration or data) and the grade's loss/hoss. */
static int shape(gr_run *r, bjob *j, slds_error *err)
{
    for (int q = 0; q < j->order; q++) {
        slds_growth_grade g;
        int from_data;
        slds_error e = {0};
        int rc = gr_grade_shape(r, j->subject, j->prior_grade[q], 1, &g, &from_data, &e);
        if (!rc)
            rc = slds_growth_grade_spline(&g, &j->splines[q], &e);
        if (rc == SLDS_ERR_NOMEM)
            return slds_fail(err, rc, "%s", e.message);
        if (rc) {
            snprintf(j->note, sizeof j->note, "not fitted: grade %d: %.120s", j->prior_grade[q],
                     e.message);
            return SLDS_OK;
        }
    }
    slds_growth_grade own;
    int from_data;
    slds_error e = {0};
    if (!gr_grade_shape(r, j->subject, j->grade, 0, &own, &from_data, &e) && own.has_loss_hoss) {
        j->has_loss_hoss = 1;
        j->loss_hoss[0] = own.loss_hoss[0];
        j->loss_hoss[1] = own.loss_hoss[1];
    }
    return SLDS_OK;
}

static int fit_job(void *ctx, int i, int threads, slds_error *err)
{
    bfit *b = ctx;
    gr_run *r = b->r;
    bjob *j = &b->jobs[b->order[i]];
    double t0 = slds_now();
    if (j->note[0] || !j->n) {
        if (!j->note[0])
            snprintf(j->note, sizeof j->note, "not fitted: no student has these priors in the years");
        return SLDS_OK;
    }
    slds_sgp_params prm;
    slds_sgp_params_default(&prm);
    prm.n_taus = r->n_taus;
    prm.taus = r->taus;
    prm.rq.n_threads = threads;
    prm.max_order = prm.min_order = j->order;
    slds_sgp_cohort co = {.n = j->n, .n_priors = j->order, .current = j->current,
                          .priors = j->priors, .splines = j->splines};
    slds_error e = {0};
    int rc = slds_sgp_fit_cohort(&co, &prm, &j->fit, &e);
    if (rc == SLDS_ERR_NUMERIC) {
        snprintf(j->note, sizeof j->note, "not fitted: %.140s", e.message);
        rc = SLDS_OK;
    } else if (rc) {
        return slds_fail(err, rc, "%s grade %d after %s: %s", r->panel.subjects[j->subject]->name,
                         j->grade, j->key, e.message);
    } else if (!j->fit.model.coef[j->order - 1]) {
        slds_sgp_result_free(&j->fit);
        snprintf(j->note, sizeof j->note, "not fitted: %zu students, too few for %d parameters",
                 j->n, 1 + 7 * j->order);
    } else {
        j->fitted = 1;
        j->fit.model.has_loss_hoss = j->has_loss_hoss;
        if (j->has_loss_hoss) {
            j->fit.model.loss_hoss[0] = j->loss_hoss[0];
            j->fit.model.loss_hoss[1] = j->loss_hoss[1];
        }
        /* the rows' own SGPs are not needed: only the matrix is kept */
        free(j->fit.sgp_by_order);
        free(j->fit.sgp);
        free(j->fit.order);
        j->fit.sgp_by_order = j->fit.sgp = j->fit.order = NULL;
    }
    free(j->current);
    free(j->priors);
    j->current = j->priors = NULL;
    j->seconds = slds_now() - t0;
    return rc;
}

typedef struct costed {
    double cost;
    int job;
} costed;

static int by_cost(const void *a, const void *b)
{
    const costed *x = a, *y = b;
    if (x->cost != y->cost)
        return (x->cost < y->cost) - (x->cost > y->cost);
    return x->job - y->job;
}

static int fit_all(bfit *b, const slds_progress *progress, slds_error *err)
{
    costed *cs = malloc((size_t)(b->n_jobs ? b->n_jobs : 1) * sizeof *cs);
    b->order = malloc((size_t)(b->n_jobs ? b->n_jobs : 1) * sizeof *b->order);
    if (!cs || !b->order) {
        free(cs);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < b->n_jobs; k++) {
        double p = 1.0 + 7.0 * b->jobs[k].order;
        cs[k] = (costed){(double)b->jobs[k].n * p * p, k};
    }
    qsort(cs, (size_t)b->n_jobs, sizeof *cs, by_cost);
    for (int k = 0; k < b->n_jobs; k++)
        b->order[k] = cs[k].job;
    free(cs);
    return slds_parallel_for(b->n_jobs, b->r->n_threads, fit_job, b, progress,
                             "fitting baseline models", err);
}

static int years_json(const int *years, int n, slds_buf *out)
{
    int rc = slds_buf_puts(out, "[");
    for (int k = 0; k < n && !rc; k++)
        rc = slds_buf_printf(out, "%s%d", k ? "," : "", years[k]);
    return rc || slds_buf_puts(out, "]");
}

static int insert_baseline(slds_store *s, const char *name, const char *source, const int *years,
                           int n_years, int max_order, int n_taus, const char *config,
                           int models, size_t students, double seconds, slds_error *err)
{
    slds_buf y = {0};
    if (years_json(years, n_years, &y))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    char now[32];
    utc_now(now, sizeof now);
    slds_cursor c;
    int rc = slds_cursor_open(&c, s,
                              "INSERT INTO growth_baselines(name, created_at, source, years,"
                              " max_order, n_taus, config, models, students, seconds)"
                              " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                              err);
    if (!rc) {
        slds_cursor_bind_text(&c, 1, name);
        slds_cursor_bind_text(&c, 2, now);
        slds_cursor_bind_text(&c, 3, source);
        slds_cursor_bind_text(&c, 4, y.data);
        slds_cursor_bind_int(&c, 5, max_order);
        slds_cursor_bind_int(&c, 6, n_taus);
        slds_cursor_bind_text(&c, 7, config); /* NULL binds NULL */
        slds_cursor_bind_int(&c, 8, models);
        slds_cursor_bind_int(&c, 9, (long long)students);
        slds_cursor_bind_double(&c, 10, seconds);
        if (slds_cursor_step(&c, err) < 0)
            rc = err->code;
        slds_cursor_close(&c);
    }
    slds_buf_free(&y);
    return rc;
}

static int insert_model(slds_store *s, const char *name, const char *subject, int grade,
                        const char *key, int order, size_t students, const char *cohorts,
                        const char *model, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s,
                              "INSERT INTO growth_baseline_models(name, subject, grade, priors,"
                              " sgp_order, students, cohorts, model) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
                              err);
    if (rc)
        return rc;
    slds_cursor_bind_text(&c, 1, name);
    slds_cursor_bind_text(&c, 2, subject);
    slds_cursor_bind_int(&c, 3, grade);
    slds_cursor_bind_text(&c, 4, key);
    slds_cursor_bind_int(&c, 5, order);
    slds_cursor_bind_int(&c, 6, (long long)students);
    slds_cursor_bind_text(&c, 7, cohorts);
    slds_cursor_bind_text(&c, 8, model);
    if (slds_cursor_step(&c, err) < 0)
        rc = err->code;
    slds_cursor_close(&c);
    return rc;
}

static int store_fit(slds_store *s, bfit *b, slds_baseline_result *res, slds_error *err)
{
    const slds_baseline_options *o = b->o;
    gr_run *r = b->r;
    int rc = slds_store_begin(s, err);
    if (rc)
        return rc;
    rc = taken(s, o->name, o->replace, err);
    if (!rc)
        rc = insert_baseline(s, o->name, "fit", r->fit_years, r->n_fit_years, r->max_order,
                             r->n_taus, o->config_name, res->fitted, res->students,
                             slds_now() - r->started, err);
    for (int k = 0; k < b->n_jobs && !rc; k++) {
        bjob *j = &b->jobs[k];
        if (!j->fitted)
            continue;
        char *model = NULL;
        slds_buf cohorts = {0};
        rc = slds_sgp_model_to_json(&j->fit.model, &model, err);
        if (!rc && years_json(j->cohort_years, j->n_cohorts, &cohorts))
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        if (!rc)
            rc = insert_model(s, o->name, r->panel.subjects[j->subject]->name, j->grade, j->key,
                              j->order, j->n, cohorts.data, model, err);
        free(model);
        slds_buf_free(&cohorts);
    }
    if (!rc)
        rc = slds_store_commit(s, err);
    if (rc)
        slds_store_rollback(s);
    return rc;
}

static int by_job(const void *a, const void *b)
{
    const slds_baseline_model_info *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    if (c)
        return c;
    if (x->grade != y->grade)
        return x->grade - y->grade;
    if (x->order != y->order)
        return x->order - y->order;
    for (int k = 0; k < x->order; k++)
        if (x->lags[k] != y->lags[k])
            return x->lags[k] - y->lags[k];
    return 0;
}

static int fill_fit_result(bfit *b, slds_baseline_result *res, slds_error *err)
{
    res->models = calloc((size_t)(b->n_jobs ? b->n_jobs : 1), sizeof *res->models);
    if (!res->models)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    res->n_models = b->n_jobs;
    for (int k = 0; k < b->n_jobs; k++) {
        const bjob *j = &b->jobs[k];
        slds_baseline_model_info *m = &res->models[k];
        snprintf(m->subject, sizeof m->subject, "%s", b->r->panel.subjects[j->subject]->name);
        m->grade = j->grade;
        m->order = j->order;
        memcpy(m->prior_grades, j->prior_grade, sizeof m->prior_grades);
        memcpy(m->lags, j->lag, sizeof m->lags);
        m->n_cohorts = j->n_cohorts;
        memcpy(m->cohort_years, j->cohort_years, sizeof m->cohort_years);
        m->students = j->n;
        m->fitted = j->fitted;
        m->seconds = j->seconds;
        snprintf(m->note, sizeof m->note, "%s", j->note);
    }
    qsort(res->models, (size_t)res->n_models, sizeof *res->models, by_job);
    return SLDS_OK;
}

static int check_fit_options(const slds_baseline_options *o, slds_error *err)
{
    int rc = name_ok(o->name, err);
    if (rc)
        return rc;
    if (o->n_years < 2 || o->n_years > SLDS_BASELINE_MAX_YEARS)
        return slds_fail(err, SLDS_ERR_USAGE, "a baseline needs 2..%d years, not %d",
                         SLDS_BASELINE_MAX_YEARS, o->n_years);
    for (int k = 0; k < o->n_years; k++) {
        if (o->years[k] < 1900 || o->years[k] > 2200)
            return slds_fail(err, SLDS_ERR_USAGE, "%d is not a school year", o->years[k]);
        if (k && o->years[k] <= o->years[k - 1])
            return slds_fail(err, SLDS_ERR_USAGE,
                             "baseline years must be increasing and distinct (%d after %d)",
                             o->years[k], o->years[k - 1]);
    }
    if (o->years[o->n_years - 1] - o->years[0] >= SLDS_PANEL_MAX_YEARS)
        return slds_fail(err, SLDS_ERR_USAGE, "baseline years span more than %d years",
                         SLDS_PANEL_MAX_YEARS);
    if (o->max_order < 0 || o->max_order > SLDS_SGP_MAX_ORDER || o->max_order >= o->n_years)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "max order %d: %d years give at most order %d", o->max_order, o->n_years,
                         o->n_years - 1);
    if (o->subject && !*o->subject)
        return slds_fail(err, SLDS_ERR_USAGE, "the subject is empty");
    return SLDS_OK;
}

static void bfit_free(bfit *b)
{
    for (int k = 0; k < b->n_jobs; k++) {
        free(b->jobs[k].current);
        free(b->jobs[k].priors);
        if (b->jobs[k].fitted)
            slds_sgp_result_free(&b->jobs[k].fit);
    }
    free(b->jobs);
    free(b->order);
}

int slds_growthrun_baseline_fit(slds_store *s, const slds_baseline_options *o,
                                const slds_progress *progress, slds_baseline_result *res,
                                slds_error *err)
{
    memset(res, 0, sizeof *res);
    int rc = check_fit_options(o, err);
    if (!rc)
        rc = check_schema(s, err);
    if (!rc) { /* say so before reading anything */
        int e = baseline_exists(s, o->name, err);
        if (e < 0)
            rc = err->code;
        else if (e && !o->replace)
            rc = taken(s, o->name, 0, err);
    }
    if (rc)
        return rc;
    slds_growthrun_options ro;
    slds_growthrun_options_default(&ro);
    ro.school_year = o->years[o->n_years - 1];
    ro.subject = o->subject;
    ro.config = o->config;
    ro.n_threads = o->n_threads;
    gr_run *r = calloc(1, sizeof *r);
    bfit b = {.r = r, .o = o};
    if (!r)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    gr_configure(r, &ro);
    gr_store_tune(s);
    int dflt = o->n_years - 2 < 3 ? o->n_years - 2 : 3;
    r->max_order = o->max_order ? o->max_order : dflt < 1 ? 1 : dflt;
    r->keep_all = 1;
    r->n_fit_years = o->n_years;
    memcpy(r->fit_years, o->years, (size_t)o->n_years * sizeof *o->years);
    double t = slds_now();
    rc = gr_panel_read(s, r, o->years[0], o->years[o->n_years - 1], progress, err);
    if (!rc && !r->panel.n_subjects)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no STATE scale scores in %d-%d%s%s", o->years[0],
                       o->years[o->n_years - 1], o->subject ? " for " : "",
                       o->subject ? o->subject : "");
    if (!rc)
        rc = plan(&b, err);
    for (int k = 0; k < b.n_jobs && !rc; k++) {
        rc = pool(r, &b.jobs[k], err);
        if (!rc)
            rc = shape(r, &b.jobs[k], err);
    }
    res->seconds_read = slds_now() - t;
    t = slds_now();
    if (!rc)
        rc = fit_all(&b, progress, err);
    res->seconds_fit = slds_now() - t;
    for (int k = 0; k < b.n_jobs; k++) {
        res->fitted += b.jobs[k].fitted;
        res->students += b.jobs[k].fitted ? b.jobs[k].n : 0;
    }
    res->max_order = r->max_order;
    res->threads = r->n_threads;
    if (!rc && !res->fitted)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND,
                       "no baseline model could be fitted: no student has a score in two of the "
                       "years with the grades of a progression");
    t = slds_now();
    if (!rc)
        rc = store_fit(s, &b, res, err);
    res->seconds_write = slds_now() - t;
    if (!rc)
        rc = fill_fit_result(&b, res, err);
    res->seconds = slds_now() - r->started;
    bfit_free(&b);
    gr_panel_free(r);
    free(r);
    if (rc)
        slds_baseline_result_free(res);
    return rc;
}

/* ------------------------------------------------------------------ run */

void gr_baseline_free(gr_run *r)
{
    for (int k = 0; k < r->n_bmodels; k++)
        slds_sgp_model_free(&r->bmodels[k].model);
    free(r->bmodels);
    r->bmodels = NULL;
    r->n_bmodels = 0;
}

int gr_baseline_load(slds_store *s, gr_run *r, slds_error *err)
{
    const char *name = r->opt->baseline;
    int rc = check_schema(s, err);
    if (rc)
        return rc;
    int e = baseline_exists(s, name, err);
    if (e < 0)
        return err->code;
    if (!e)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "no baseline named '%s' in %s (slds growth baseline list %s)", name,
                         s->path, s->path);
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT subject, grade, priors, sgp_order, model FROM growth_baseline_models"
                         " WHERE name = ?1 ORDER BY subject, grade, priors",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, name);
    int step, cap = 0;
    while (!rc && (step = slds_cursor_step(&c, err)) == 1) {
        int subj = slds_panel_subject_index(&r->panel, slds_cursor_text(&c, 0));
        if (subj < 0)
            continue; /* a subject this run does not compute */
        if (r->n_bmodels == cap) {
            cap = cap ? 2 * cap : 64;
            gr_bmodel *nm = realloc(r->bmodels, (size_t)cap * sizeof *nm);
            if (!nm) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
                break;
            }
            r->bmodels = nm;
        }
        gr_bmodel *m = &r->bmodels[r->n_bmodels];
        memset(m, 0, sizeof *m);
        m->subject = subj;
        m->grade = slds_cursor_int(&c, 1);
        m->order = slds_cursor_int(&c, 3);
        const char *key = slds_cursor_text(&c, 2), *json = slds_cursor_text(&c, 4);
        char origin[160];
        snprintf(origin, sizeof origin, "baseline %s, %s grade %d priors %s", name,
                 slds_cursor_text(&c, 0), m->grade, key ? key : "");
        if (parse_priors_key(key, m->prior_grade, m->lag) != m->order || !json) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: the stored progression is not %d grade/lag pairs",
                           origin, m->order);
            break;
        }
        rc = slds_sgp_model_from_json(json, strlen(json), origin, &m->model, err);
        if (!rc && (m->model.max_order != m->order || !m->model.coef[m->order - 1])) {
            slds_sgp_model_free(&m->model);
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: no matrix of order %d", origin, m->order);
        }
        if (!rc)
            r->n_bmodels++;
    }
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = err->code;
    return rc;
}

/* The model of group g's first k priors, or NULL. */
static const gr_bmodel *find_model(const gr_run *r, const gr_group *g, int k)
{
    int lags[SLDS_SGP_MAX_ORDER];
    for (int q = 0; q < k; q++)
        lags[q] = (q ? g->prior_year[q - 1] : r->panel.year) - g->prior_year[q];
    for (int i = 0; i < r->n_bmodels; i++) {
        const gr_bmodel *m = &r->bmodels[i];
        if (m->subject != g->subject || m->grade != g->grade || m->order != k)
            continue;
        int same = 1;
        for (int q = 0; q < k && same; q++)
            same = m->prior_grade[q] == g->prior_grade[q] && m->lag[q] == lags[q];
        if (same)
            return m;
    }
    return NULL;
}

int gr_baseline_apply(gr_run *r, slds_error *err)
{
    const char *name = r->opt->baseline;
    for (int gi = 0; gi < r->n_groups; gi++) {
        gr_group *g = &r->groups[gi];
        size_t n = g->n ? g->n : 1;
        g->sgp_baseline = calloc(n, sizeof *g->sgp_baseline);
        g->sgp_baseline_order = calloc(n, sizeof *g->sgp_baseline_order);
        int *tmp = malloc(n * sizeof *tmp);
        if (!g->sgp_baseline || !g->sgp_baseline_order || !tmp) {
            free(tmp);
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        }
        int lo = 0, hi = 0;
        for (int k = g->K; k >= 1; k--) {
            const gr_bmodel *m = find_model(r, g, k);
            if (!m)
                continue;
            int rc = slds_sgp_score(&m->model, k, g->priors, (size_t)g->K, g->current, g->n, tmp,
                                    err);
            if (rc) {
                free(tmp);
                return slds_error_prefix(err, "baseline %s, %s grade %d order %d: ", name,
                                         r->panel.subjects[g->subject]->name, g->grade, k);
            }
            for (size_t i = 0; i < g->n; i++)
                if (tmp[i] > 0 && !g->sgp_baseline[i]) {
                    g->sgp_baseline[i] = tmp[i];
                    g->sgp_baseline_order[i] = k;
                    g->with_sgp_baseline++;
                }
            hi = hi ? hi : k;
            lo = k;
        }
        free(tmp);
        if (!g->K)
            continue;
        char text[200];
        if (hi) {
            if (lo == hi)
                snprintf(text, sizeof text, "baseline %s: order %d", name, hi);
            else
                snprintf(text, sizeof text, "baseline %s: orders %d-%d", name, lo, hi);
        } else {
            char key[PRIORS_KEY_MAX];
            int lags[SLDS_SGP_MAX_ORDER];
            for (int q = 0; q < g->K; q++)
                lags[q] = (q ? g->prior_year[q - 1] : r->panel.year) - g->prior_year[q];
            priors_key(g->prior_grade, lags, 1, key, sizeof key);
            snprintf(text, sizeof text,
                     "no baseline SGPs: baseline %s has no model of grade %d after grade/lag %s",
                     name, g->grade, key);
        }
        gr_note(g, text);
    }
    return SLDS_OK;
}

/* ----------------------------------------------------------------- list */

int slds_growthrun_baseline_list(slds_store *s, const char *name, slds_table **out,
                                 slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "name", .type = SLDS_CELL_TEXT},
        {.name = "source", .type = SLDS_CELL_TEXT},
        {.name = "years", .type = SLDS_CELL_TEXT},
        {.name = "subject", .type = SLDS_CELL_TEXT},
        {.name = "grade", .type = SLDS_CELL_INTEGER},
        {.name = "priors", .type = SLDS_CELL_TEXT},
        {.name = "sgp_order", .type = SLDS_CELL_INTEGER, .unit = "prior scores"},
        {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "cohorts", .type = SLDS_CELL_TEXT}};
    *out = NULL;
    int rc = check_schema(s, err);
    if (rc)
        return rc;
    if (name) {
        int e = baseline_exists(s, name, err);
        if (e < 0)
            return err->code;
        if (!e)
            return slds_fail(err, SLDS_ERR_NOTFOUND, "no baseline named '%s' in %s", name,
                             s->path);
    }
    rc = slds_table_new(out, "baselines", "Stored baseline models", cols,
                        (int)(sizeof cols / sizeof cols[0]), err);
    slds_cursor c;
    if (!rc && slds_cursor_open(&c, s,
                                "SELECT b.name, b.source, b.years, m.subject, m.grade, m.priors,"
                                " m.sgp_order, m.students, m.cohorts FROM growth_baselines b"
                                " JOIN growth_baseline_models m ON m.name = b.name"
                                " WHERE ?1 IS NULL OR b.name = ?1"
                                " ORDER BY b.name, m.subject, m.grade, m.sgp_order, m.priors",
                                err))
        rc = err->code;
    if (rc) {
        slds_table_free(*out);
        *out = NULL;
        return rc;
    }
    slds_cursor_bind_text(&c, 1, name);
    int step;
    while (!rc && (step = slds_cursor_step(&c, err)) == 1) {
        slds_table *t = *out;
        slds_table_add_row(t, err);
        for (int col = 0; col < 9; col++) {
            if (col == 4 || col == 6 || col == 7)
                slds_table_set_integer(t, col, slds_cursor_int(&c, col), err);
            else
                slds_table_set_text(t, col, slds_cursor_text(&c, col), err);
        }
        rc = slds_table_status(t);
    }
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = err->code;
    if (rc) {
        slds_table_free(*out);
        *out = NULL;
    }
    return rc;
}

/* --------------------------------------------------------------- export */

int slds_growthrun_baseline_export(slds_store *s, const char *name, char **out, slds_error *err)
{
    *out = NULL;
    int rc = name_ok(name, err);
    if (!rc)
        rc = check_schema(s, err);
    if (rc)
        return rc;
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT created_at, source, years, max_order, n_taus, config"
                         " FROM growth_baselines WHERE name = ?1",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, name);
    int step = slds_cursor_step(&c, err);
    if (step <= 0) {
        slds_cursor_close(&c);
        return step < 0 ? err->code
                        : slds_fail(err, SLDS_ERR_NOTFOUND, "no baseline named '%s' in %s", name,
                                    s->path);
    }
    json_error_t je;
    json_t *root = json_object(), *models = json_array();
    json_t *years = json_loads(slds_cursor_text(&c, 2), 0, &je);
    const char *config = slds_cursor_text(&c, 5);
    int bad = !root || !models || !years ||
              json_object_set_new(root, "slds_growth_baseline", json_integer(1)) ||
              json_object_set_new(root, "name", json_string(name)) ||
              json_object_set_new(root, "created_at", json_string(slds_cursor_text(&c, 0))) ||
              json_object_set_new(root, "source", json_string(slds_cursor_text(&c, 1))) ||
              json_object_set_new(root, "years", years) ||
              json_object_set_new(root, "max_order", json_integer(slds_cursor_int(&c, 3))) ||
              json_object_set_new(root, "n_taus", json_integer(slds_cursor_int(&c, 4))) ||
              json_object_set_new(root, "config", config ? json_string(config) : json_null());
    slds_cursor_close(&c);
    if (!bad && slds_cursor_open(&c, s,
                                 "SELECT subject, grade, priors, sgp_order, students, cohorts, model"
                                 " FROM growth_baseline_models WHERE name = ?1"
                                 " ORDER BY subject, grade, sgp_order, priors",
                                 err))
        rc = err->code;
    else if (!bad) {
        slds_cursor_bind_text(&c, 1, name);
        while (!rc && !bad && (step = slds_cursor_step(&c, err)) == 1) {
            int pg[SLDS_SGP_MAX_ORDER], lags[SLDS_SGP_MAX_ORDER];
            int k = parse_priors_key(slds_cursor_text(&c, 2), pg, lags);
            json_t *model = json_loads(slds_cursor_text(&c, 6), 0, &je);
            json_t *cohorts = json_loads(slds_cursor_text(&c, 5), 0, &je);
            json_t *priors = json_array();
            if (k != (int)slds_cursor_int(&c, 3) || !model || !cohorts || !priors) {
                json_decref(model);
                json_decref(cohorts);
                json_decref(priors);
                rc = slds_fail(err, SLDS_ERR_DATA, "baseline %s: a stored model is damaged (%s grade %d)",
                               name, slds_cursor_text(&c, 0), (int)slds_cursor_int(&c, 1));
                break;
            }
            for (int q = 0; q < k; q++)
                json_array_append_new(priors, json_pack("{s:i, s:i}", "grade", pg[q], "lag", lags[q]));
            json_t *m = json_pack("{s:s, s:i, s:i, s:o, s:I, s:o, s:o}", "subject",
                                  slds_cursor_text(&c, 0), "grade", (int)slds_cursor_int(&c, 1), "order",
                                  k, "priors", priors, "students",
                                  (json_int_t)slds_cursor_int(&c, 4), "cohorts", cohorts,
                                  "model", model);
            bad = !m || json_array_append_new(models, m);
        }
        slds_cursor_close(&c);
        if (!rc && step < 0)
            rc = err->code;
    }
    if (!rc && !bad)
        bad = json_object_set(root, "models", models);
    if (!rc && !bad)
        *out = json_dumps(root, JSON_REAL_PRECISION(17) | JSON_INDENT(1));
    json_decref(models);
    json_decref(root);
    if (!rc && !*out)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory writing baseline %s", name);
    return rc;
}

/* --------------------------------------------------------------- import */

static int bad_doc(slds_error *err, const char *origin, const char *what, size_t i)
{
    if (i == (size_t)-1)
        return slds_fail(err, SLDS_ERR_DATA, "%s: %s", origin, what);
    return slds_fail(err, SLDS_ERR_DATA, "%s: models[%zu]: %s", origin, i, what);
}

int slds_growthrun_baseline_import(slds_store *s, const char *json, size_t len,
                                   const char *origin, const char *as_name, int replace,
                                   char *name_out, int *models_out, slds_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root)
        return slds_fail(err, SLDS_ERR_DATA, "%s:%d:%d: %s", origin, je.line, je.column, je.text);
    int rc = SLDS_OK;
    const json_t *models = json_object_get(root, "models"), *years = json_object_get(root, "years");
    const char *name = as_name ? as_name : json_string_value(json_object_get(root, "name"));
    int y[SLDS_BASELINE_MAX_YEARS], ny = 0, max_order = 0, n_taus = 0;
    if (!json_is_integer(json_object_get(root, "slds_growth_baseline")) || !json_is_array(models) ||
        !json_is_array(years))
        rc = bad_doc(err, origin, "not a baseline (slds_growth_baseline, years, models)", (size_t)-1);
    if (!rc)
        rc = name_ok(name, err);
    for (size_t i = 0; !rc && i < json_array_size(years); i++) {
        const json_t *v = json_array_get(years, i);
        if (!json_is_integer(v) || ny == SLDS_BASELINE_MAX_YEARS)
            rc = bad_doc(err, origin, "years: not a list of at most 16 years", (size_t)-1);
        else
            y[ny++] = (int)json_integer_value(v);
    }
    if (!rc)
        rc = check_schema(s, err);
    size_t students = 0;
    int stored = 0;
    if (!rc)
        rc = slds_store_begin(s, err);
    if (rc) {
        json_decref(root);
        return rc;
    }
    rc = taken(s, name, replace, err);
    for (size_t i = 0; !rc && i < json_array_size(models); i++) {
        const json_t *m = json_array_get(models, i);
        const char *subject = json_string_value(json_object_get(m, "subject"));
        const json_t *grade = json_object_get(m, "grade"), *priors = json_object_get(m, "priors");
        const json_t *model = json_object_get(m, "model"), *cohorts = json_object_get(m, "cohorts");
        if (!subject || !*subject || !json_is_integer(grade) || !json_is_array(priors) ||
            !json_array_size(priors) || json_array_size(priors) > SLDS_SGP_MAX_ORDER ||
            !json_is_object(model)) {
            rc = bad_doc(err, origin, "needs subject, grade, priors [{grade, lag}] and model", i);
            break;
        }
        int k = (int)json_array_size(priors), pg[SLDS_SGP_MAX_ORDER], lags[SLDS_SGP_MAX_ORDER];
        for (int q = 0; q < k && !rc; q++) {
            const json_t *p = json_array_get(priors, (size_t)q);
            const json_t *g = json_object_get(p, "grade"), *l = json_object_get(p, "lag");
            if (!json_is_integer(g) || !json_is_integer(l) || json_integer_value(g) < 0 ||
                json_integer_value(g) >= GR_MAX_GRADE || json_integer_value(l) < 1 ||
                json_integer_value(l) > 20)
                rc = bad_doc(err, origin, "priors: a grade 0..99 and a lag 1..20 each", i);
            else {
                pg[q] = (int)json_integer_value(g);
                lags[q] = (int)json_integer_value(l);
            }
        }
        char *text = rc ? NULL : json_dumps(model, JSON_REAL_PRECISION(17) | JSON_COMPACT);
        if (!rc && !text)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        char where[200];
        snprintf(where, sizeof where, "%s: models[%zu]", origin, i);
        slds_sgp_model check;
        if (!rc && !(rc = slds_sgp_model_from_json(text, strlen(text), where, &check, err))) {
            if (check.max_order != k || !check.coef[k - 1])
                rc = slds_fail(err, SLDS_ERR_DATA,
                               "%s: the model has %d priors and must have a matrix of order %d",
                               where, check.max_order, k);
            if (check.n_taus > n_taus)
                n_taus = check.n_taus;
            slds_sgp_model_free(&check);
        }
        char key[PRIORS_KEY_MAX];
        if (!rc)
            priors_key(pg, lags, k, key, sizeof key);
        char *cohort_text = NULL;
        if (!rc) {
            json_t *c = cohorts && json_is_array(cohorts) ? json_incref((json_t *)cohorts)
                                                          : json_array();
            cohort_text = json_dumps(c, JSON_COMPACT);
            json_decref(c);
            if (!cohort_text)
                rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        }
        json_int_t n = json_integer_value(json_object_get(m, "students"));
        if (!rc)
            rc = insert_model(s, name, subject, (int)json_integer_value(grade), key, k,
                              n > 0 ? (size_t)n : 0, cohort_text, text, err);
        if (rc == SLDS_ERR_DB)
            slds_error_prefix(err, "%s: ", where);
        free(text);
        free(cohort_text);
        if (!rc) {
            stored++;
            students += n > 0 ? (size_t)n : 0;
            if (k > max_order)
                max_order = k;
        }
    }
    if (!rc && !stored)
        rc = bad_doc(err, origin, "no models", (size_t)-1);
    if (!rc) {
        char source[256];
        snprintf(source, sizeof source, "import: %.200s", origin);
        const char *config = json_string_value(json_object_get(root, "config"));
        rc = insert_baseline(s, name, source, y, ny, max_order, n_taus, config, stored, students,
                             0.0, err);
    }
    if (!rc)
        rc = slds_store_commit(s, err);
    if (rc)
        slds_store_rollback(s);
    if (!rc && name_out)
        snprintf(name_out, SLDS_GROWTH_NAME_MAX, "%s", name);
    if (!rc && models_out)
        *models_out = stored;
    json_decref(root);
    return rc;
}
