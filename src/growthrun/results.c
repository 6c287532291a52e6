/* results.c - growth results as result tables (src/table): the rows of
 * `growth show` and `growth aggregates`, the cohort summary of a run and a
 * student's history, with their columns' types, units, precision and
 * privacy roles declared once here for every output (CLI, report registry,
 * future pages). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "growthrun/internal.h"

static const slds_column_spec show_cols[] = {
    {.name = "student_id", .type = SLDS_CELL_TEXT},
    {.name = "subject", .type = SLDS_CELL_TEXT},
    {.name = "school_year", .type = SLDS_CELL_INTEGER},
    {.name = "grade", .type = SLDS_CELL_INTEGER},
    {.name = "scale_score", .type = SLDS_CELL_REAL, .unit = "score points", .decimals = SLDS_SIGNIFICANT(15)},
    {.name = "sgp", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
    {.name = "sgp_order", .type = SLDS_CELL_INTEGER, .unit = "prior scores"},
    {.name = "sgp_baseline", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
    {.name = "sgp_baseline_order", .type = SLDS_CELL_INTEGER, .unit = "prior scores"},
    {.name = "sgp_target", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
    {.name = "target_years", .type = SLDS_CELL_INTEGER, .unit = "years"},
    {.name = "catch_up_keep_up", .type = SLDS_CELL_TEXT},
    {.name = "on_track", .type = SLDS_CELL_TEXT},
    {.name = "prior_score", .type = SLDS_CELL_REAL, .unit = "score points", .decimals = SLDS_SIGNIFICANT(15)},
    {.name = "gain", .type = SLDS_CELL_REAL, .unit = "score points", .decimals = SLDS_SIGNIFICANT(15)},
    {.name = "grade_levels_gained", .type = SLDS_CELL_REAL, .unit = "grade levels", .decimals = 6},
    {.name = "school_id", .type = SLDS_CELL_TEXT},
    {.name = "lea_id", .type = SLDS_CELL_TEXT},
    {.name = "no_sgp_reason", .type = SLDS_CELL_TEXT}};

static const slds_column_spec aggregate_cols[] = {
    {.name = "subject", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "school_year", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_PARTITION},
    {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "group_id", .type = SLDS_CELL_TEXT},
    {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_SIZE},
    {.name = "n_sgp", .type = SLDS_CELL_REAL, .unit = "students", .decimals = SLDS_SIGNIFICANT(10), .role = SLDS_ROLE_COUNT},
    {.name = "median_sgp", .type = SLDS_CELL_REAL, .unit = "percentile", .decimals = SLDS_SIGNIFICANT(10), .role = SLDS_ROLE_STATISTIC, .derives_from = "n_sgp"},
    {.name = "mean_sgp", .type = SLDS_CELL_REAL, .unit = "percentile", .decimals = 4, .role = SLDS_ROLE_STATISTIC, .derives_from = "n_sgp"},
    {.name = "n_sgp_baseline", .type = SLDS_CELL_REAL, .unit = "students", .decimals = SLDS_SIGNIFICANT(10), .role = SLDS_ROLE_COUNT},
    {.name = "median_sgp_baseline", .type = SLDS_CELL_REAL, .unit = "percentile", .decimals = SLDS_SIGNIFICANT(10), .role = SLDS_ROLE_STATISTIC, .derives_from = "n_sgp_baseline"},
    {.name = "mean_sgp_baseline", .type = SLDS_CELL_REAL, .unit = "percentile", .decimals = 4, .role = SLDS_ROLE_STATISTIC, .derives_from = "n_sgp_baseline"},
    {.name = "n_gain", .type = SLDS_CELL_REAL, .unit = "students", .decimals = SLDS_SIGNIFICANT(10), .role = SLDS_ROLE_COUNT},
    {.name = "n_1_grade", .type = SLDS_CELL_REAL, .unit = "students", .decimals = SLDS_SIGNIFICANT(10), .role = SLDS_ROLE_COUNT},
    {.name = "share_1_grade", .type = SLDS_CELL_REAL, .unit = "share of n_gain", .decimals = 4, .role = SLDS_ROLE_STATISTIC, .derives_from = "n_1_grade"},
    {.name = "n_1_5_grade", .type = SLDS_CELL_REAL, .unit = "students", .decimals = SLDS_SIGNIFICANT(10), .role = SLDS_ROLE_COUNT},
    {.name = "share_1_5_grade", .type = SLDS_CELL_REAL, .unit = "share of n_gain", .decimals = 4, .role = SLDS_ROLE_STATISTIC, .derives_from = "n_1_5_grade"}};

#define NCOLS(a) ((int)(sizeof(a) / sizeof(a)[0]))

int slds_growthrun_show_table(slds_table **out, slds_error *err)
{
    return slds_table_new(out, "growth_students", "Growth by student and subject", show_cols,
                          NCOLS(show_cols), err);
}

/* 0 means "none" for the SGP fields. */
static void set_positive(slds_table *t, int col, int v, slds_error *err)
{
    if (v > 0)
        slds_table_set_integer(t, col, v, err);
}

int slds_growthrun_show_add(slds_table *t, const slds_growth_student_row *r, slds_error *err)
{
    slds_table_add_row(t, err);
    slds_table_set_text(t, 0, r->student_id, err);
    slds_table_set_text(t, 1, r->subject, err);
    slds_table_set_integer(t, 2, r->school_year, err);
    slds_table_set_integer(t, 3, r->grade, err);
    slds_table_set_real(t, 4, r->scale_score, err);
    set_positive(t, 5, r->sgp, err);
    set_positive(t, 6, r->sgp_order, err);
    set_positive(t, 7, r->sgp_baseline, err);
    set_positive(t, 8, r->sgp_baseline_order, err);
    set_positive(t, 9, r->sgp_target, err);
    set_positive(t, 10, r->target_years, err);
    slds_table_set_text(t, 11, r->catch_up_keep_up, err);
    slds_table_set_text(t, 12, r->on_track, err);
    slds_table_set_real(t, 13, r->prior_score, err);
    slds_table_set_real(t, 14, r->gain, err);
    slds_table_set_real(t, 15, r->grade_levels_gained, err);
    slds_table_set_text(t, 16, r->school_id, err);
    slds_table_set_text(t, 17, r->lea_id, err);
    slds_table_set_text(t, 18, r->no_sgp_reason, err);
    return slds_table_status(t);
}

int slds_growthrun_aggregates_table(slds_table **out, slds_error *err)
{
    return slds_table_new(out, "growth_aggregates", "Growth by group", aggregate_cols,
                          NCOLS(aggregate_cols), err);
}

int slds_growthrun_aggregate_add(slds_table *t, const slds_growth_aggregate_row *r,
                                 slds_error *err)
{
    slds_table_add_row(t, err);
    slds_table_set_text(t, 0, r->subject, err);
    slds_table_set_integer(t, 1, r->school_year, err);
    slds_table_set_text(t, 2, r->level, err);
    slds_table_set_text(t, 3, r->group_id, err);
    slds_table_set_integer(t, 4, r->students, err);
    slds_table_set_real(t, 5, r->n_sgp, err);
    slds_table_set_real(t, 6, r->median_sgp, err);
    slds_table_set_real(t, 7, r->mean_sgp, err);
    slds_table_set_real(t, 8, r->n_sgp_baseline, err);
    slds_table_set_real(t, 9, r->median_sgp_baseline, err);
    slds_table_set_real(t, 10, r->mean_sgp_baseline, err);
    slds_table_set_real(t, 11, r->n_gain, err);
    slds_table_set_real(t, 12, r->n_1_grade, err);
    slds_table_set_real(t, 13, r->share_1_grade, err);
    slds_table_set_real(t, 14, r->n_1_5_grade, err);
    slds_table_set_real(t, 15, r->share_1_5_grade, err);
    return slds_table_status(t);
}

static int add_aggregate(void *ctx, const slds_growth_aggregate_row *row)
{
    void **c = ctx;
    return slds_growthrun_aggregate_add(c[0], row, c[1]);
}

int slds_growthrun_aggregates_tables(slds_store *s, int year, const char *subject,
                                     const char *level, slds_table **out, slds_error *err)
{
    int rc = slds_growthrun_aggregates_table(out, err);
    void *ctx[2] = {rc ? NULL : *out, err};
    rc = rc ? rc : slds_growthrun_aggregates(s, year, subject, level, add_aggregate, ctx, err);
    if (rc) {
        slds_table_free(*out);
        *out = NULL;
    }
    return rc;
}

int slds_growthrun_cohorts_table(const slds_growthrun_result *r, slds_table **out,
                                 slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "subject", .type = SLDS_CELL_TEXT},
        {.name = "grade", .type = SLDS_CELL_INTEGER},
        {.name = "priors", .type = SLDS_CELL_TEXT},
        {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "with_prior", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "with_sgp", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "orders", .type = SLDS_CELL_INTEGER},
        {.name = "with_target", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "with_baseline", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "seconds", .type = SLDS_CELL_REAL, .unit = "seconds", .decimals = 2},
        {.name = "note", .type = SLDS_CELL_TEXT}};
    int rc = slds_table_new(out, "cohorts", "Cohorts fitted", cols, NCOLS(cols), err);
    for (int k = 0; !rc && k < r->n_cohorts; k++) {
        const slds_growthrun_cohort *c = &r->cohorts[k];
        char priors[128] = "";
        for (int p = 0; p < c->n_priors; p++) {
            size_t len = strlen(priors);
            int after = p ? c->prior_years[p - 1] : c->school_year;
            int lag = after - c->prior_years[p];
            if (c->school_year && lag != 1) /* a year without scores skipped */
                snprintf(priors + len, sizeof priors - len, "%s%d (%d, lag %d)", p ? " " : "",
                         c->prior_grades[p], c->prior_years[p], lag);
            else
                snprintf(priors + len, sizeof priors - len, "%s%d", p ? " " : "",
                         c->prior_grades[p]);
        }
        slds_table_add_row(*out, err);
        slds_table_set_text(*out, 0, c->subject, err);
        slds_table_set_integer(*out, 1, c->grade, err);
        slds_table_set_text(*out, 2, priors, err);
        slds_table_set_integer(*out, 3, (long long)c->students, err);
        slds_table_set_integer(*out, 4, (long long)c->with_prior, err);
        slds_table_set_integer(*out, 5, (long long)c->with_sgp, err);
        slds_table_set_integer(*out, 6, c->orders_fitted, err);
        slds_table_set_integer(*out, 7, (long long)c->with_target, err);
        if (r->baseline[0])
            slds_table_set_integer(*out, 8, (long long)c->with_sgp_baseline, err);
        slds_table_set_real(*out, 9, c->seconds, err);
        slds_table_set_text(*out, 10, c->note, err);
        rc = slds_table_status(*out);
    }
    if (rc) {
        slds_table_free(*out);
        *out = NULL;
    }
    return rc;
}

void gr_orders_text(const slds_growth_history_entry *e, const char *sep, const char *missing,
                    char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int o = 0; o < e->n_orders && len + 1 < size; o++) {
        int w = e->sgp_by_order[o]
                    ? snprintf(buf + len, size - len, "%s%d", o ? sep : "", e->sgp_by_order[o])
                    : snprintf(buf + len, size - len, "%s%s", o ? sep : "", missing);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

int slds_growthrun_history_table(const slds_growth_history *h, slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "school_year", .type = SLDS_CELL_INTEGER},
        {.name = "subject", .type = SLDS_CELL_TEXT},
        {.name = "grade", .type = SLDS_CELL_INTEGER},
        {.name = "scale_score", .type = SLDS_CELL_REAL, .unit = "score points", .decimals = SLDS_SIGNIFICANT(6)},
        {.name = "level", .type = SLDS_CELL_INTEGER},
        {.name = "sgp", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
        {.name = "sgp_order", .type = SLDS_CELL_INTEGER},
        {.name = "sgp_by_order", .type = SLDS_CELL_TEXT},
        {.name = "sgp_target", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
        {.name = "target_years", .type = SLDS_CELL_INTEGER, .unit = "years"},
        {.name = "catch_up_keep_up", .type = SLDS_CELL_TEXT},
        {.name = "on_track", .type = SLDS_CELL_TEXT},
        {.name = "grade_levels_gained", .type = SLDS_CELL_REAL, .unit = "grade levels", .decimals = 3}};
    int rc = slds_table_new(out, "history", "Growth history", cols, NCOLS(cols), err);
    for (size_t k = 0; !rc && k < h->n_entries; k++) {
        const slds_growth_history_entry *e = &h->entries[k];
        char by[128];
        gr_orders_text(e, "/", "-", by, sizeof by);
        slds_table *t = *out;
        slds_table_add_row(t, err);
        slds_table_set_integer(t, 0, e->school_year, err);
        slds_table_set_text(t, 1, e->subject, err);
        slds_table_set_integer(t, 2, e->grade, err);
        slds_table_set_real(t, 3, e->scale_score, err);
        set_positive(t, 4, e->level, err);
        set_positive(t, 5, e->sgp, err);
        set_positive(t, 6, e->sgp_order, err);
        slds_table_set_text(t, 7, by, err);
        set_positive(t, 8, e->sgp_target, err);
        set_positive(t, 9, e->target_years, err);
        slds_table_set_text(t, 10, e->catch_up_keep_up, err);
        slds_table_set_text(t, 11, e->on_track, err);
        slds_table_set_real(t, 12, e->grade_levels_gained, err);
        rc = slds_table_status(t);
    }
    if (rc) {
        slds_table_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ------------------------------------------------------------------ JSON */

static json_t *entry_json(const slds_growth_history_entry *e)
{
    json_t *orders = json_array(), *targets = json_array();
    for (int k = 0; k < e->n_orders; k++)
        json_array_append_new(orders, e->sgp_by_order[k] ? json_integer(e->sgp_by_order[k])
                                                         : json_null());
    for (int k = 0; k < e->n_targets; k++) {
        const slds_growth_target_row *t = &e->targets[k];
        json_array_append_new(
            targets, json_pack("{s:i, s:i, s:i, s:f, s:i, s:b, s:o}", "years_ahead",
                               t->years_ahead, "target_grade", t->target_grade, "target_year",
                               t->target_year, "proficient_cut", t->proficient_cut, "sgp_target",
                               t->sgp_target, "reachable", t->reachable, "on_track",
                               t->on_track < 0 ? json_null() : json_boolean(t->on_track)));
    }
    json_t *o = json_pack("{s:i, s:s, s:i, s:f}", "school_year", e->school_year, "subject",
                          e->subject, "grade", e->grade, "scale_score", e->scale_score);
    json_object_set_new(o, "level", e->level ? json_integer(e->level) : json_null());
    json_object_set_new(o, "sgp", e->sgp ? json_integer(e->sgp) : json_null());
    json_object_set_new(o, "sgp_order", e->sgp_order ? json_integer(e->sgp_order) : json_null());
    json_object_set_new(o, "sgp_by_order", orders);
    json_object_set_new(o, "no_sgp_reason",
                        e->no_sgp_reason[0] ? json_string(e->no_sgp_reason) : json_null());
    json_object_set_new(o, "sgp_target", e->sgp_target ? json_integer(e->sgp_target) : json_null());
    json_object_set_new(o, "target_years",
                        e->target_years ? json_integer(e->target_years) : json_null());
    json_object_set_new(o, "catch_up_keep_up",
                        e->catch_up_keep_up[0] ? json_string(e->catch_up_keep_up) : json_null());
    json_object_set_new(o, "on_track", e->on_track[0] ? json_boolean(e->on_track[0] == 'Y')
                                                      : json_null());
    json_object_set_new(o, "gain", isfinite(e->gain) ? json_real(e->gain) : json_null());
    json_object_set_new(o, "grade_levels_gained", isfinite(e->grade_levels_gained)
                                                      ? json_real(e->grade_levels_gained)
                                                      : json_null());
    json_object_set_new(o, "targets", targets);
    json_object_set_new(o, "baseline", e->baseline[0] ? json_string(e->baseline) : json_null());
    json_object_set_new(o, "sgp_baseline",
                        e->sgp_baseline ? json_integer(e->sgp_baseline) : json_null());
    return o;
}

static json_t *fan_json(const slds_growth_fan *f)
{
    json_t *past = json_array(), *ahead = json_array();
    for (int k = 0; k < f->n_past; k++)
        json_array_append_new(past, json_pack("{s:i, s:i, s:f}", "school_year", f->past_year[k],
                                              "grade", f->past_grade[k], "scale_score",
                                              f->past_score[k]));
    for (int h = 0; h < f->n_ahead; h++) {
        json_t *pct = json_object();
        for (int p = 0; p < SLDS_FAN_PERCENTILES; p++) {
            char key[16];
            snprintf(key, sizeof key, "p%d", f->percentiles[p]);
            json_object_set_new(pct, key, json_real(f->projection[p][h]));
        }
        json_array_append_new(ahead, json_pack("{s:i, s:i, s:o}", "school_year", f->ahead_year[h],
                                               "grade", f->ahead_grade[h], "projection", pct));
    }
    return json_pack("{s:s, s:i, s:i, s:o, s:o}", "subject", f->subject, "from_year", f->from_year,
                     "from_grade", f->from_grade, "past", past, "projections", ahead);
}

json_t *slds_growthrun_history_json(const slds_growth_history *h)
{
    json_t *entries = json_array(), *fans = json_array();
    for (size_t k = 0; entries && k < h->n_entries; k++)
        json_array_append_new(entries, entry_json(&h->entries[k]));
    for (int k = 0; fans && k < h->n_fans; k++)
        json_array_append_new(fans, fan_json(&h->fans[k]));
    if (!entries || !fans) {
        json_decref(entries);
        json_decref(fans);
        return NULL;
    }
    return json_pack("{s:s, s:o, s:o}", "student_id", h->student_id, "history", entries, "charts",
                     fans);
}
