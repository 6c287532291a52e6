/* write.c - writes a run's results into the growth tables, inside the
 * caller's transaction, after gr_delete_year has cleared the year: per
 * subject the run row, per grade the cohort with its prior grades (knots,
 * boundaries) and coefficient matrices, per student the result row with
 * every order's SGP and every target. Students are written in id order
 * (design note 1), so each table grows by appending to one key range. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "growthrun/internal.h"

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int step_done(slds_store *s, sqlite3_stmt *st, const char *what, slds_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return slds_fail(err, SLDS_ERR_DB, "writing %s: %s", what, sqlite3_errmsg(s->db));
    return SLDS_OK;
}

/* ------------------------------------------------------------ run rows */

static int levels_json(const slds_growth_config *cfg, slds_buf *b)
{
    int rc = slds_buf_puts(b, "[");
    for (int l = 0; cfg && l < cfg->n_levels && !rc; l++) {
        json_t *label = json_string(cfg->level_labels[l]);
        char *text = label ? json_dumps(label, JSON_ENCODE_ANY) : NULL;
        rc = !text || slds_buf_printf(b, "%s{\"label\":%s,\"proficient\":%s}", l ? "," : "", text,
                                      cfg->level_proficient[l] ? "true" : "false");
        free(text);
        json_decref(label);
    }
    return rc || slds_buf_puts(b, "]") ? SLDS_ERR_NOMEM : SLDS_OK;
}

static int write_run_row(slds_store *s, gr_run *r, int subj, double seconds, slds_error *err)
{
    size_t students = 0, with_sgp = 0, with_target = 0, with_gl = 0;
    for (int k = 0; k < r->n_groups; k++) {
        const gr_group *g = &r->groups[k];
        if (g->subject != subj)
            continue;
        students += g->n;
        for (size_t m = 0; m < g->n; m++) {
            with_sgp += g->fitted && g->fit.sgp[m] > 0;
            with_target += g->has_targets && g->targets.kind[m] != SLDS_TARGET_NONE;
            with_gl += isfinite(g->grade_levels[m]);
        }
    }
    sqlite3_stmt *st;
    int rc = slds_store_prepare(
        s, &st,
        "INSERT INTO growth_runs(school_year, subject, run_at, config, max_order, n_taus,"
        " projection_years, gain_method, reference_year, levels, students, with_sgp, with_target,"
        " with_grade_levels, seconds, baseline)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
        err);
    if (rc)
        return rc;
    char now[32];
    time_t t = time(NULL);
    struct tm tmv;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tmv));
    slds_buf levels = {0};
    if (levels_json(r->cfg, &levels)) {
        sqlite3_finalize(st);
        slds_buf_free(&levels);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    sqlite3_bind_int(st, 1, r->panel.year);
    bind_text(st, 2, r->panel.subjects[subj]->name);
    bind_text(st, 3, now);
    bind_text(st, 4, r->opt->config_name);
    sqlite3_bind_int(st, 5, r->max_order);
    sqlite3_bind_int(st, 6, r->n_taus);
    sqlite3_bind_int(st, 7, r->projection_years);
    bind_text(st, 8, r->opt->gain_method == SLDS_GAIN_GRADE_GAP ? "grade-gap" : "typical");
    sqlite3_bind_int(st, 9, r->reference_year);
    bind_text(st, 10, levels.data);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)students);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)with_sgp);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)with_target);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)with_gl);
    sqlite3_bind_double(st, 15, seconds);
    bind_text(st, 16, r->opt->baseline);
    rc = step_done(s, st, "growth_runs", err);
    sqlite3_finalize(st);
    slds_buf_free(&levels);
    return rc;
}

/* -------------------------------------------------------------- cohorts */

static int write_cohort(slds_store *s, gr_run *r, const gr_group *g, sqlite3_stmt *st,
                        slds_error *err)
{
    size_t with_sgp = 0, with_target = 0;
    for (size_t m = 0; m < g->n; m++) {
        with_sgp += g->fitted && g->fit.sgp[m] > 0;
        with_target += g->has_targets && g->targets.kind[m] != SLDS_TARGET_NONE;
    }
    slds_buf cuts = {0};
    if (g->n_cuts && gr_json_numbers(&cuts, g->cuts, g->n_cuts))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    sqlite3_bind_int(st, 1, r->panel.year);
    bind_text(st, 2, r->panel.subjects[g->subject]->name);
    sqlite3_bind_int(st, 3, g->grade);
    sqlite3_bind_int(st, 4, g->K);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)g->n);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)g->with_prior);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)with_sgp);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)with_target);
    sqlite3_bind_int(st, 9, g->orders_fitted);
    bind_real(st, 10, g->has_loss_hoss ? g->loss_hoss[0] : NAN);
    bind_real(st, 11, g->has_loss_hoss ? g->loss_hoss[1] : NAN);
    bind_text(st, 12, cuts.data);
    bind_real(st, 13, g->proficient_cut);
    bind_real(st, 14, g->points_per_grade);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)g->points_n);
    sqlite3_bind_double(st, 16, g->seconds);
    bind_text(st, 17, g->note);
    if (g->sgp_baseline)
        sqlite3_bind_int64(st, 18, (sqlite3_int64)g->with_sgp_baseline);
    int rc = step_done(s, st, "growth_cohorts", err);
    slds_buf_free(&cuts);
    return rc;
}

static int write_priors(slds_store *s, gr_run *r, const gr_group *g, sqlite3_stmt *st,
                        slds_error *err)
{
    for (int k = 0; k < g->K; k++) {
        const slds_bspline *b = &g->splines[k];
        slds_buf knots = {0};
        if (gr_json_numbers(&knots, b->knots, b->n_knots))
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        sqlite3_bind_int(st, 1, r->panel.year);
        bind_text(st, 2, r->panel.subjects[g->subject]->name);
        sqlite3_bind_int(st, 3, g->grade);
        sqlite3_bind_int(st, 4, k + 1);
        sqlite3_bind_int(st, 5, g->prior_grade[k]);
        sqlite3_bind_int(st, 6, g->prior_year[k]);
        sqlite3_bind_int(st, 7, b->degree);
        bind_text(st, 8, knots.data);
        sqlite3_bind_double(st, 9, b->boundary[0]);
        sqlite3_bind_double(st, 10, b->boundary[1]);
        bind_text(st, 11, g->knots_from_data[k] ? "data" : "config");
        int rc = step_done(s, st, "growth_priors", err);
        slds_buf_free(&knots);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

static int write_models(slds_store *s, gr_run *r, const gr_group *g, sqlite3_stmt *st,
                        slds_error *err)
{
    if (!g->fitted)
        return SLDS_OK;
    const slds_sgp_model *m = &g->fit.model;
    for (int k = 0; k < m->max_order; k++) {
        if (!m->coef[k])
            continue;
        unsigned char *taus = NULL, *coef = NULL;
        size_t nc = (size_t)m->p[k] * (size_t)m->n_taus;
        int rc = gr_blob_encode(m->taus, (size_t)m->n_taus, &taus, err);
        if (!rc)
            rc = gr_blob_encode(m->coef[k], nc, &coef, err);
        if (!rc) {
            sqlite3_bind_int(st, 1, r->panel.year);
            bind_text(st, 2, r->panel.subjects[g->subject]->name);
            sqlite3_bind_int(st, 3, g->grade);
            sqlite3_bind_int(st, 4, k + 1);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)m->n_fit[k]);
            sqlite3_bind_int(st, 6, m->p[k]);
            sqlite3_bind_int(st, 7, m->n_taus);
            sqlite3_bind_blob(st, 8, taus, (int)((size_t)m->n_taus * 8), SQLITE_STATIC);
            sqlite3_bind_blob(st, 9, coef, (int)(nc * 8), SQLITE_STATIC);
            rc = step_done(s, st, "growth_models", err);
        }
        free(taus);
        free(coef);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

static int write_cohorts(slds_store *s, gr_run *r, int subj, slds_error *err)
{
    sqlite3_stmt *c = NULL, *p = NULL, *m = NULL;
    int rc = slds_store_prepare(s, &c,
                                "INSERT INTO growth_cohorts VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                                "?11,?12,?13,?14,?15,?16,?17,?18)",
                                err);
    if (!rc)
        rc = slds_store_prepare(s, &p,
                                "INSERT INTO growth_priors VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                                err);
    if (!rc)
        rc = slds_store_prepare(s, &m, "INSERT INTO growth_models VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                                err);
    for (int k = 0; k < r->n_groups && !rc; k++) {
        const gr_group *g = &r->groups[k];
        if (g->subject != subj)
            continue;
        rc = write_cohort(s, r, g, c, err);
        if (!rc)
            rc = write_priors(s, r, g, p, err);
        if (!rc)
            rc = write_models(s, r, g, m, err);
    }
    sqlite3_finalize(c);
    sqlite3_finalize(p);
    sqlite3_finalize(m);
    return rc;
}

/* ------------------------------------------------------------- students */

typedef struct student_writer {
    gr_run *r;
    gr_batch row, sgp, target;
} student_writer;

static const char *no_sgp_reason(const gr_run *r, const gr_group *g, size_t m)
{
    if (g->fitted && g->fit.sgp[m] > 0)
        return NULL;
    if (g->K == 0)
        return "NO_PRIOR_GRADE";
    if (isfinite(g->priors[m * (size_t)g->K]))
        return "NOT_FITTED";
    int y = g->prior_year[0];
    if (slds_panel_grade(&r->panel, g->subject, y, g->student[m]) >= 0)
        return "PROGRESSION";
    return "NO_PRIOR";
}

static void value_positive(gr_value *v, int x)
{
    if (x > 0)
        gr_value_int(v, x);
}

static int write_targets(student_writer *w, const gr_group *g, size_t m, const char *id,
                         const char *subject, slds_error *err)
{
    if (!g->has_targets || g->targets.kind[m] == SLDS_TARGET_NONE)
        return SLDS_OK;
    int has_sgp = g->fitted && g->fit.sgp[m] > 0;
    for (int h = 0; h < g->n_ahead; h++) {
        size_t cell = m * (size_t)g->targets.n_years + (size_t)h;
        if (!g->targets.target[cell])
            continue;
        gr_value *v = gr_batch_row(&w->target);
        gr_value_int(&v[0], w->r->panel.year);
        gr_value_text(&v[1], subject);
        gr_value_text(&v[2], id);
        gr_value_int(&v[3], g->ahead_year[h] - w->r->panel.year);
        gr_value_int(&v[4], g->ahead_grade[h]);
        gr_value_int(&v[5], g->ahead_year[h]);
        gr_value_real(&v[6], g->ahead_cut[h]);
        gr_value_int(&v[7], g->targets.target[cell]);
        gr_value_text(&v[8], g->targets.reachable[cell] ? "Y" : "N");
        gr_value_text(&v[9], has_sgp ? (g->targets.on_track[cell] ? "Y" : "N") : NULL);
        int rc = gr_batch_flush(&w->target, 0, err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

static int write_orders(student_writer *w, const gr_group *g, size_t m, const char *id,
                        const char *subject, slds_error *err)
{
    if (!g->fitted)
        return SLDS_OK;
    for (int k = 0; k < g->fit.max_order; k++) {
        int sgp = g->fit.sgp_by_order[m * (size_t)g->fit.max_order + (size_t)k];
        if (sgp <= 0)
            continue;
        gr_value *v = gr_batch_row(&w->sgp);
        gr_value_int(&v[0], w->r->panel.year);
        gr_value_text(&v[1], subject);
        gr_value_text(&v[2], id);
        gr_value_int(&v[3], k + 1);
        gr_value_int(&v[4], sgp);
        int rc = gr_batch_flush(&w->sgp, 0, err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

/* Writes student m of g, and keeps the school of the enrollment on the test
 * date (src/panel) in g->school[m] for the aggregates. */
static int write_student(student_writer *w, gr_group *g, size_t m, slds_error *err)
{
    gr_run *r = w->r;
    uint32_t i = g->student[m];
    const char *id = slds_panel_id(&r->panel, i);
    const char *subject = r->panel.subjects[g->subject]->name;
    int32_t date = slds_panel_test_date(&r->panel, g->subject, r->panel.year, i);
    uint32_t school = slds_panel_school_on(&r->panel, i, r->panel.year, date);
    uint32_t lea = slds_panel_lea_of(&r->panel, school);
    g->school[m] = school;
    char d[11] = "";
    if (date != SLDS_PANEL_NO_DAY)
        slds_date_format(date, d);
    int sgp = g->fitted ? g->fit.sgp[m] : 0;
    int order = g->fitted ? g->fit.order[m] : 0;
    int target = 0, target_years = 0;
    const char *kind = NULL, *on_track = NULL;
    if (g->has_targets && g->targets.kind[m] != SLDS_TARGET_NONE) {
        int h = g->n_ahead - 1;
        size_t cell = m * (size_t)g->targets.n_years + (size_t)h;
        target = g->targets.target[cell];
        target_years = g->ahead_year[h] - r->panel.year;
        kind = g->targets.kind[m] == SLDS_TARGET_KEEP_UP ? "KEEP_UP" : "CATCH_UP";
        if (sgp > 0)
            on_track = g->targets.on_track[cell] ? "Y" : "N";
    }
    gr_value *v = gr_batch_row(&w->row);
    gr_value_int(&v[0], r->panel.year);
    gr_value_text(&v[1], subject);
    gr_value_text(&v[2], id);
    gr_value_int(&v[3], g->grade);
    gr_value_real(&v[4], g->current[m]);
    gr_value_inline(&v[5], d);
    gr_value_text(&v[6], slds_panel_place_id(&r->panel, school));
    gr_value_text(&v[7], slds_panel_place_id(&r->panel, lea));
    gr_value_real(&v[8], g->K ? g->priors[m * (size_t)g->K] : NAN);
    value_positive(&v[9], sgp);
    value_positive(&v[10], order);
    gr_value_text(&v[11], no_sgp_reason(r, g, m));
    gr_value_real(&v[12], g->gain[m]);
    gr_value_real(&v[13], g->grade_levels[m]);
    value_positive(&v[14], target);
    value_positive(&v[15], target_years);
    gr_value_text(&v[16], kind);
    gr_value_text(&v[17], on_track);
    if (g->sgp_baseline) {
        value_positive(&v[18], g->sgp_baseline[m]);
        value_positive(&v[19], g->sgp_baseline_order[m]);
    }
    int rc = gr_batch_flush(&w->row, 0, err);
    if (!rc)
        rc = write_orders(w, g, m, id, subject, err);
    if (!rc)
        rc = write_targets(w, g, m, id, subject, err);
    return rc;
}

static int write_students(slds_store *s, gr_run *r, int subj, size_t *written,
                          const slds_progress *progress, size_t total, slds_error *err)
{
    student_writer w = {.r = r};
    int rc = gr_batch_open(&w.row, s, "growth_students", 20, err);
    if (!rc)
        rc = gr_batch_open(&w.sgp, s, "growth_sgp", 5, err);
    if (!rc)
        rc = gr_batch_open(&w.target, s, "growth_targets", 10, err);
    gr_group *by_grade[GR_MAX_GRADE] = {0};
    size_t cursor[GR_MAX_GRADE] = {0};
    for (int k = 0; k < r->n_groups; k++)
        if (r->groups[k].subject == subj)
            by_grade[r->groups[k].grade] = &r->groups[k];
    const signed char *grade = r->panel.subjects[subj]->grade[slds_panel_year(&r->panel, r->panel.year)];
    size_t n = slds_panel_students(&r->panel);
    for (size_t i = 0; i < n && !rc; i++) {
        if (grade[i] < 0)
            continue;
        gr_group *g = by_grade[grade[i]];
        rc = write_student(&w, g, cursor[grade[i]]++, err);
        if (++*written % 16384 == 0)
            slds_progress_report(progress, "writing results", *written, total);
    }
    if (!rc)
        rc = gr_batch_flush(&w.row, 1, err);
    if (!rc)
        rc = gr_batch_flush(&w.sgp, 1, err);
    if (!rc)
        rc = gr_batch_flush(&w.target, 1, err);
    gr_batch_close(&w.row);
    gr_batch_close(&w.sgp);
    gr_batch_close(&w.target);
    return rc;
}

int gr_write(slds_store *s, gr_run *r, const slds_progress *progress, slds_error *err)
{
    size_t total = 0, written = 0;
    for (int k = 0; k < r->n_groups; k++)
        total += r->groups[k].n;
    for (int subj = 0; subj < r->panel.n_subjects; subj++) {
        if (!slds_panel_count_subject(&r->panel, subj))
            continue;
        int rc = gr_delete_year(s, r->panel.year, r->panel.subjects[subj]->name, err);
        if (!rc)
            rc = write_run_row(s, r, subj, slds_now() - r->started, err);
        if (!rc)
            rc = write_cohorts(s, r, subj, err);
        if (!rc)
            rc = write_students(s, r, subj, &written, progress, total, err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}
