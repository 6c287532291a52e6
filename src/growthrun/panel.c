/* panel.c - what a growth run reads from the database: the STATE scale
 * scores of the run's window through the shared panel (src/panel), the
 * enrollments for the school on the test date, and, on the side, every
 * score of the grades whose knots, boundaries or loss/hoss the configuration
 * lacks (all rows of years up to Y, before one score per year is chosen and
 * for students not kept too: the distribution the SGP package computes them
 * from). */
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

/* Samples by subject in the order the panel met them (its subjects are
 * sorted by name only at the end of the read). */
typedef struct collector {
    const slds_growth_config *cfg;
    int Y;
    const int *only_years;  /* a baseline fit: samples of these years only */
    int n_only_years;
    int n;
    const char *last_name;  /* the panel's subject name pointer met last, and its index */
    int last;
    char names[SLDS_PANEL_MAX_SUBJECTS][SLDS_PANEL_NAME_MAX];
    gr_sample samples[SLDS_PANEL_MAX_SUBJECTS][GR_MAX_GRADE];
    signed char wanted[SLDS_PANEL_MAX_SUBJECTS][GR_MAX_GRADE]; /* 0 ?, 1 no, 2 yes */
} collector;

static int subject_of(collector *c, const char *name)
{
    if (name == c->last_name)
        return c->last;
    int s = 0;
    while (s < c->n && strcmp(c->names[s], name))
        s++;
    if (s == c->n) { /* the panel refuses more subjects than it holds first */
        snprintf(c->names[s], sizeof c->names[s], "%s", name);
        c->n++;
    }
    c->last_name = name;
    c->last = s;
    return s;
}

/* Whether scores of subject s and grade are kept for knots or loss/hoss. */
static int wanted(collector *c, int s, int grade)
{
    signed char *w = &c->wanted[s][grade];
    if (!*w) {
        const slds_growth_grade *g =
            c->cfg ? slds_growth_config_grade(c->cfg, c->names[s], grade) : NULL;
        int want = !g || c->cfg->knots_from_data || !g->n_knots || !g->has_loss_hoss;
        *w = (signed char)(want ? 2 : 1);
    }
    return *w == 2;
}

static int on_score(void *ctx, const char *subject, int year, int grade, double score,
                    slds_error *err)
{
    collector *c = ctx;
    int s = subject_of(c, subject);
    if (year > c->Y || !wanted(c, s, grade))
        return SLDS_OK;
    if (c->n_only_years) {
        int listed = 0;
        for (int k = 0; k < c->n_only_years; k++)
            listed |= c->only_years[k] == year;
        if (!listed)
            return SLDS_OK;
    }
    gr_sample *smp = &c->samples[s][grade];
    if (smp->n == smp->cap) {
        size_t cap = smp->cap ? smp->cap * 2 : 4096;
        double *nv = realloc(smp->v, cap * sizeof *nv);
        if (!nv)
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for score samples");
        smp->v = nv;
        smp->cap = cap;
    }
    smp->v[smp->n++] = score;
    return SLDS_OK;
}

int gr_panel_read(slds_store *s, gr_run *r, int year_lo, int year_hi,
                  const slds_progress *progress, slds_error *err)
{
    const slds_growthrun_options *o = r->opt;
    collector *c = calloc(1, sizeof *c);
    if (!c)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    c->cfg = r->cfg;
    c->Y = o->school_year;
    slds_panel_options po;
    slds_panel_options_default(&po);
    po.year = o->school_year;
    po.year_lo = year_lo;
    po.year_hi = year_hi;
    po.subject = o->subject;
    if (r->keep_all) { /* a baseline fit: every student of the years, scores only */
        c->only_years = r->fit_years;
        c->n_only_years = r->n_fit_years;
    } else {
        po.keep_years[0] = o->school_year;
        po.keep_years[1] = r->reference_year;
        /* the school on Y's test date; the subgroups of Y's aggregates */
        po.parts = SLDS_PANEL_ENROLLMENTS | SLDS_PANEL_ATTRIBUTES | SLDS_PANEL_DEMOGRAPHICS;
        po.parts_lo = po.parts_hi = o->school_year;
    }
    po.on_score = on_score;
    po.on_score_ctx = c;
    int rc = slds_panel_read(s, &po, &r->panel, progress, err);
    /* the samples move to the panel's (sorted) subject order */
    for (int k = 0; k < c->n; k++) {
        int to = slds_panel_subject_index(&r->panel, c->names[k]);
        for (int g = 0; g < GR_MAX_GRADE; g++) {
            if (to >= 0)
                r->samples[to][g] = c->samples[k][g];
            else
                free(c->samples[k][g].v);
        }
    }
    free(c);
    return rc;
}

void gr_panel_free(gr_run *r)
{
    for (int s = 0; s < SLDS_PANEL_MAX_SUBJECTS; s++)
        for (int g = 0; g < GR_MAX_GRADE; g++)
            free(r->samples[s][g].v);
    memset(r->samples, 0, sizeof r->samples);
    slds_panel_free(&r->panel);
}
