/* modelcache.c - what a student's growth chart reads that is not the
 * student's: the stored models and cut scores of a run's grades, kept parsed
 * with the connection (slds_store_attach) for as long as the run is the same
 * one. The web server draws a chart at every student page, and reading and
 * decoding the models of the grades ahead was most of its cost.
 *
 * A run is known by its stamp (gr_run_stamp: when it ran, how long it took,
 * how many students it scored): a new run of the year and subject stores new
 * models and a new stamp, and the next lookup drops what was kept of the old
 * one. Nothing here is student data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

#define CACHE_KEY "growthrun.models"
#define CACHE_MAX_RUNS 32

typedef struct grade_entry {
    int grade;
    int model_rc; /* -1 not read yet; SLDS_OK or SLDS_ERR_NOTFOUND once read */
    slds_sgp_model model;
    int prior_grades[SLDS_SGP_MAX_ORDER], prior_years[SLDS_SGP_MAX_ORDER];
    int cuts_read, n_cuts;
    double cuts[SLDS_GROWTH_MAX_CUTS];
} grade_entry;

typedef struct run_entry {
    int year;
    char subject[SLDS_GROWTH_NAME_MAX];
    char stamp[GR_RUN_STAMP_MAX];
    int n_grades, cap;
    grade_entry **grades;
    uint64_t used;
} run_entry;

typedef struct model_cache {
    run_entry *runs[CACHE_MAX_RUNS];
    int n_runs;
    uint64_t clock;
} model_cache;

static void run_clear(run_entry *r)
{
    for (int g = 0; g < r->n_grades; g++) {
        if (r->grades[g]->model_rc == SLDS_OK)
            slds_sgp_model_free(&r->grades[g]->model);
        free(r->grades[g]);
    }
    free(r->grades);
    r->grades = NULL;
    r->n_grades = r->cap = 0;
}

static void cache_free(void *data)
{
    model_cache *c = data;
    for (int i = 0; c && i < c->n_runs; i++) {
        run_clear(c->runs[i]);
        free(c->runs[i]);
    }
    free(c);
}

/* The entry of (year, subject) at stamp: what was kept of another stamp is
 * dropped; the least recently used run goes when the cache is full. */
static run_entry *run_of(slds_store *s, int year, const char *subject, const char *stamp,
                         slds_error *err)
{
    model_cache *c = slds_store_attached(s, CACHE_KEY);
    if (!c) {
        if (!(c = calloc(1, sizeof *c))) {
            slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            return NULL;
        }
        if (slds_store_attach(s, CACHE_KEY, c, cache_free, err)) {
            free(c);
            return NULL;
        }
    }
    run_entry *r = NULL;
    for (int i = 0; i < c->n_runs && !r; i++)
        if (c->runs[i]->year == year && !strcmp(c->runs[i]->subject, subject))
            r = c->runs[i];
    if (!r) {
        if (c->n_runs < CACHE_MAX_RUNS) {
            if (!(r = calloc(1, sizeof *r))) {
                slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
                return NULL;
            }
            c->runs[c->n_runs++] = r;
        } else {
            r = c->runs[0];
            for (int i = 1; i < c->n_runs; i++)
                if (c->runs[i]->used < r->used)
                    r = c->runs[i];
            run_clear(r);
        }
        r->year = year;
        snprintf(r->subject, sizeof r->subject, "%s", subject);
        r->stamp[0] = '\0';
    }
    if (strcmp(r->stamp, stamp)) { /* another run of the year and subject */
        run_clear(r);
        snprintf(r->stamp, sizeof r->stamp, "%s", stamp);
    }
    r->used = ++c->clock;
    return r;
}

static grade_entry *grade_of(run_entry *r, int grade, slds_error *err)
{
    for (int g = 0; g < r->n_grades; g++)
        if (r->grades[g]->grade == grade)
            return r->grades[g];
    if (r->n_grades == r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        grade_entry **p = realloc(r->grades, (size_t)cap * sizeof *p);
        if (!p) {
            slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            return NULL;
        }
        r->grades = p;
        r->cap = cap;
    }
    grade_entry *e = calloc(1, sizeof *e);
    if (!e) {
        slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    e->grade = grade;
    e->model_rc = -1;
    r->grades[r->n_grades++] = e;
    return e;
}

int gr_cached_model(slds_store *s, int year, const char *subject, const char *stamp, int grade,
                    const slds_sgp_model **model, const int **prior_grades,
                    const int **prior_years, slds_error *err)
{
    *model = NULL;
    run_entry *r = run_of(s, year, subject, stamp, err);
    grade_entry *e = r ? grade_of(r, grade, err) : NULL;
    if (!e)
        return SLDS_ERR_NOMEM;
    if (e->model_rc < 0) {
        slds_error e_load = {0};
        int rc = gr_load_model(s, year, subject, grade, &e->model, e->prior_grades,
                               e->prior_years, &e_load);
        if (rc && rc != SLDS_ERR_NOTFOUND) /* an error is not kept: the next page tries again */
            return slds_fail(err, rc, "%s", e_load.message);
        e->model_rc = rc;
    }
    if (e->model_rc)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no model of %d %s grade %d", year, subject, grade);
    *model = &e->model;
    if (prior_grades)
        *prior_grades = e->prior_grades;
    if (prior_years)
        *prior_years = e->prior_years;
    return SLDS_OK;
}

int gr_cached_cuts(slds_store *s, int year, const char *subject, const char *stamp, int grade,
                   double *cuts, slds_error *err)
{
    run_entry *r = run_of(s, year, subject, stamp, err);
    grade_entry *e = r ? grade_of(r, grade, err) : NULL;
    if (!e)
        return -1;
    if (!e->cuts_read) {
        int n = gr_stored_cuts(s, year, subject, grade, e->cuts, err);
        if (n < 0)
            return -1;
        e->n_cuts = n;
        e->cuts_read = 1;
    }
    memcpy(cuts, e->cuts, (size_t)e->n_cuts * sizeof *cuts);
    return e->n_cuts;
}
