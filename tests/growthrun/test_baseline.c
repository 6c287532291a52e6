/* test_baseline.c - baseline-referenced SGPs (src/growthrun/baseline.c) on
 * small synthetic states built here, checked against properties that hold
 * exactly and against fits made by hand:
 *
 *  - a baseline fitted on one year's cohort (two panel years, order 1) is the
 *    cohort-referenced fit of that year: the same matrix to the last bit and
 *    every student's baseline SGP equal to the stored order-1 SGP;
 *  - the super-cohort: a baseline of order 2 over four years equals
 *    slds_sgp_fit_cohort run here on the two windows' students stacked (the
 *    package's createSuperCohortData), bit for bit, and says which cohorts
 *    it pooled;
 *  - ground truth: when half of a later year's students lose 40 points, the
 *    other students' baseline SGPs do not move (their reference is fixed)
 *    while their cohort SGPs do, and the losers' baseline SGPs show the loss
 *    that the cohort SGPs (centred at 50 by construction) hide;
 *  - export and import: the same bits back, the same SGPs; names in use are
 *    refused without replace; a damaged file names what is wrong;
 *  - a cohort whose progression the baseline has no model for (lagged priors
 *    after a year without scores) says so in its note, and a configured
 *    lagged progression gives it a model;
 *  - the aggregates of the baseline SGPs equal those computed here. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "growthrun/internal.h"
#include "../db.h"

/* ---------------------------------------------------------------- helpers */

/* MATH grades 3-6 in 2015..2022 (gap: a year without scores, 0 none); n
 * students per starting year (tests/db.h). */
static void make_state(slds_store *s, int n, int gap)
{
    insert_math_cohorts(s, 987654321, 2010, 2015, gap, n);
}

/* Knots and boundaries of every grade, so cohort and baseline fits share them. */
static slds_growth_config *config(const char *extra_options)
{
    char json[2048];
    int len = snprintf(json, sizeof json,
                       "{\"slds_growth_config\": 1, \"options\": {\"max_order\": 2%s%s},"
                       " \"subjects\": {\"MATH\": {",
                       extra_options ? ", " : "", extra_options ? extra_options : "");
    for (int g = 3; g <= 6; g++) {
        double b = 300.0 + 25.0 * g;
        len += snprintf(json + len, sizeof json - (size_t)len,
                        "%s\"%d\": {\"knots\": [%g, %g, %g, %g], \"boundaries\": [%g, %g],"
                        " \"loss_hoss\": [%g, %g]}",
                        g > 3 ? ", " : "", g, b + 18, b + 36, b + 54, b + 72, b - 60, b + 150,
                        b - 60, b + 150);
    }
    snprintf(json + len, sizeof json - (size_t)len, "}}}");
    slds_growth_config *cfg = NULL;
    slds_error err = {0};
    if (slds_growth_config_parse(json, strlen(json), "test.json", &cfg, &err))
        fail_msg("%s", err.message);
    return cfg;
}

static void fit_baseline(slds_store *s, const char *name, const int *years, int n_years,
                         int max_order, const slds_growth_config *cfg, slds_baseline_result *res)
{
    slds_baseline_options o = {.name = name, .n_years = n_years, .config = cfg,
                               .max_order = max_order, .n_threads = 2};
    memcpy(o.years, years, (size_t)n_years * sizeof *years);
    slds_error err = {0};
    if (slds_growthrun_baseline_fit(s, &o, NULL, res, &err))
        fail_msg("%s", err.message);
}

static void run_year(slds_store *s, int year, const char *baseline, const slds_growth_config *cfg,
                     slds_growthrun_result *res)
{
    slds_growthrun_options o;
    slds_growthrun_options_default(&o);
    o.school_year = year;
    o.config = cfg;
    o.baseline = baseline;
    o.n_threads = 2;
    slds_error err = {0};
    if (slds_growthrun_run(s, &o, NULL, res, &err))
        fail_msg("%s", err.message);
}

/* The model of (grade, priors key) of a stored baseline, read back. */
static void stored_model(slds_store *s, const char *name, int grade, const char *priors,
                         slds_sgp_model *m)
{
    sqlite3_stmt *st;
    slds_error err = {0};
    if (slds_store_prepare(s, &st,
                           "SELECT model FROM growth_baseline_models WHERE name = ?1 AND grade = ?2"
                           " AND priors = ?3",
                           &err))
        fail_msg("%s", err.message);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, grade);
    sqlite3_bind_text(st, 3, priors, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *json = (const char *)sqlite3_column_text(st, 0);
    if (slds_sgp_model_from_json(json, strlen(json), "stored", m, &err))
        fail_msg("%s", err.message);
    sqlite3_finalize(st);
}

static void assert_same_matrix(const slds_sgp_model *a, int order_a, const slds_sgp_model *b,
                               int order_b)
{
    assert_non_null(a->coef[order_a - 1]);
    assert_non_null(b->coef[order_b - 1]);
    assert_int_equal(a->p[order_a - 1], b->p[order_b - 1]);
    assert_int_equal(a->n_taus, b->n_taus);
    assert_memory_equal(a->coef[order_a - 1], b->coef[order_b - 1],
                        (size_t)a->p[order_a - 1] * (size_t)a->n_taus * sizeof(double));
}

/* ------------------------------------------------------------------ tests */

/* Two panel years and order 1: the super-cohort is the one cohort of the
 * later year, so the baseline is the cohort-referenced fit. */
static void test_one_cohort_is_the_cohort_fit(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    make_state(s, 120, 0);
    slds_growth_config *cfg = config(NULL);
    const int years[] = {2021, 2022};
    slds_baseline_result b;
    fit_baseline(s, "one", years, 2, 0, cfg, &b);
    assert_int_equal(b.max_order, 1); /* min(3, 2 - 2) raised to 1 */
    assert_int_equal(b.n_models, 3);  /* grades 4, 5, 6 after the grade below, lag 1 */
    assert_int_equal(b.fitted, 3);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(b.models[k].n_cohorts, 1);
        assert_int_equal(b.models[k].cohort_years[0], 2022);
        assert_int_equal(b.models[k].students, 120);
    }
    slds_baseline_result_free(&b);
    slds_growthrun_result r;
    run_year(s, 2022, "one", cfg, &r);
    assert_int_equal(r.with_sgp_baseline, 360);
    slds_growthrun_result_free(&r);
    /* every student's baseline SGP is the stored order-1 SGP */
    assert_int_equal(query1(s, "SELECT count(*) FROM growth_students g JOIN growth_sgp o"
                               " USING(school_year, subject, student_id) WHERE g.school_year = 2022"
                               " AND o.sgp_order = 1 AND g.sgp_baseline = o.sgp"
                               " AND g.sgp_baseline_order = 1"),
                     360);
    /* the same matrix to the last bit */
    for (int grade = 4; grade <= 6; grade++) {
        slds_sgp_model cohort, base;
        slds_error err = {0};
        if (slds_growthrun_load_model(s, 2022, "MATH", grade, &cohort, NULL, NULL, &err))
            fail_msg("%s", err.message);
        char key[16];
        snprintf(key, sizeof key, "%d/1", grade - 1);
        stored_model(s, "one", grade, key, &base);
        assert_same_matrix(&cohort, 1, &base, 1);
        slds_sgp_model_free(&cohort);
        slds_sgp_model_free(&base);
    }
    slds_growth_config_free(cfg);
    close_temp(s, path);
}

/* The scores of subject MATH, grade g, year y of every student, by id, as
 * a map id -> score read into parallel arrays. */
typedef struct scores {
    size_t n;
    char (*id)[16];
    double *v;
} scores;

static scores read_scores(slds_store *s, int year, int grade)
{
    scores r = {0};
    size_t cap = 1024;
    r.id = malloc(cap * sizeof *r.id);
    r.v = malloc(cap * sizeof *r.v);
    sqlite3_stmt *st;
    slds_error err = {0};
    if (slds_store_prepare(s, &st,
                           "SELECT student_id, scale_score FROM assessments WHERE school_year = ?1"
                           " AND grade_tested = printf('%02d', ?2) ORDER BY student_id",
                           &err))
        fail_msg("%s", err.message);
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_int(st, 2, grade);
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(r.n < cap);
        snprintf(r.id[r.n], sizeof r.id[r.n], "%s", (const char *)sqlite3_column_text(st, 0));
        r.v[r.n++] = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    return r;
}

static double score_of(const scores *sc, const char *id)
{
    for (size_t i = 0; i < sc->n; i++)
        if (!strcmp(sc->id[i], id))
            return sc->v[i];
    return NAN;
}

/* Order 2 of grade 5 over 2019-2022: the windows 2021 (priors 2020, 2019)
 * and 2022 (2021, 2020) stacked, fitted here, equal the stored model. */
static void test_super_cohort_by_hand(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    make_state(s, 60, 0);
    slds_growth_config *cfg = config(NULL);
    const int years[] = {2019, 2020, 2021, 2022};
    slds_baseline_result b;
    fit_baseline(s, "pool", years, 4, 0, cfg, &b);
    assert_int_equal(b.max_order, 2); /* min(3, 4 - 2) */
    int found = 0;
    for (int k = 0; k < b.n_models; k++) {
        const slds_baseline_model_info *m = &b.models[k];
        if (m->grade != 5)
            continue;
        if (m->order == 1) { /* 4 -> 5 in 2020, 2021, 2022 */
            assert_int_equal(m->n_cohorts, 3);
            assert_int_equal(m->students, 180);
        } else {
            assert_int_equal(m->order, 2);
            assert_int_equal(m->n_cohorts, 2);
            assert_int_equal(m->cohort_years[0], 2021);
            assert_int_equal(m->cohort_years[1], 2022);
            assert_int_equal(m->students, 120);
        }
        found++;
    }
    assert_int_equal(found, 2);
    slds_baseline_result_free(&b);

    double cur[120], pri[240];
    size_t n = 0;
    for (int Y = 2021; Y <= 2022; Y++) {
        scores c = read_scores(s, Y, 5), p1 = read_scores(s, Y - 1, 4), p2 = read_scores(s, Y - 2, 3);
        for (size_t i = 0; i < c.n; i++) {
            double a = score_of(&p1, c.id[i]), z = score_of(&p2, c.id[i]);
            if (isnan(a) || isnan(z))
                continue;
            assert_true(n < 120);
            cur[n] = c.v[i];
            pri[2 * n] = a;
            pri[2 * n + 1] = z;
            n++;
        }
        free(c.id), free(c.v), free(p1.id), free(p1.v), free(p2.id), free(p2.v);
    }
    assert_int_equal(n, 120);
    slds_bspline sp[2];
    slds_error err = {0};
    assert_int_equal(slds_growth_grade_spline(slds_growth_config_grade(cfg, "MATH", 4), &sp[0], &err), 0);
    assert_int_equal(slds_growth_grade_spline(slds_growth_config_grade(cfg, "MATH", 3), &sp[1], &err), 0);
    slds_sgp_cohort co = {.n = n, .n_priors = 2, .current = cur, .priors = pri, .splines = sp};
    slds_sgp_params prm;
    slds_sgp_params_default(&prm);
    prm.min_order = prm.max_order = 2;
    slds_sgp_result fit;
    if (slds_sgp_fit_cohort(&co, &prm, &fit, &err))
        fail_msg("%s", err.message);
    assert_null(fit.model.coef[0]); /* only the order of the progression */
    slds_sgp_model base;
    stored_model(s, "pool", 5, "4/1,3/1", &base);
    assert_null(base.coef[0]);
    assert_same_matrix(&fit.model, 2, &base, 2);
    slds_sgp_model_free(&base);
    slds_sgp_result_free(&fit);
    slds_growth_config_free(cfg);
    close_temp(s, path);
}

typedef struct student_sgps {
    size_t n;
    char (*id)[16];
    int *sgp, *base;
} student_sgps;

static student_sgps read_sgps(slds_store *s, int year)
{
    student_sgps r = {0};
    size_t cap = 4096;
    r.id = malloc(cap * sizeof *r.id);
    r.sgp = malloc(cap * sizeof *r.sgp);
    r.base = malloc(cap * sizeof *r.base);
    sqlite3_stmt *st;
    slds_error err = {0};
    if (slds_store_prepare(s, &st,
                           "SELECT student_id, sgp, sgp_baseline FROM growth_students"
                           " WHERE school_year = ?1 AND sgp IS NOT NULL ORDER BY student_id",
                           &err))
        fail_msg("%s", err.message);
    sqlite3_bind_int(st, 1, year);
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(r.n < cap);
        snprintf(r.id[r.n], sizeof r.id[r.n], "%s", (const char *)sqlite3_column_text(st, 0));
        r.sgp[r.n] = sqlite3_column_int(st, 1);
        r.base[r.n++] = sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
    return r;
}

static void sgps_free(student_sgps *r)
{
    free(r->id);
    free(r->sgp);
    free(r->base);
}

/* Half of 2022's students (odd index) lose 40 points. */
static void test_shift_ground_truth(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    make_state(s, 150, 0);
    slds_growth_config *cfg = config(NULL);
    const int years[] = {2017, 2018, 2019, 2020, 2021};
    slds_baseline_result b;
    fit_baseline(s, "pre", years, 5, 2, cfg, &b);
    slds_baseline_result_free(&b);
    slds_growthrun_result r;
    run_year(s, 2022, "pre", cfg, &r);
    slds_growthrun_result_free(&r);
    student_sgps before = read_sgps(s, 2022);
    /* before the shift, both references agree on average */
    double mean_b = query1(s, "SELECT avg(sgp_baseline) FROM growth_students WHERE school_year = 2022");
    assert_true(fabs(mean_b - 50.0) < 6.0);
    exec(s, "UPDATE assessments SET scale_score = scale_score - 40 WHERE school_year = 2022"
            " AND CAST(substr(student_id, 7) AS INTEGER) %% 2 = 1");
    run_year(s, 2022, "pre", cfg, &r);
    slds_growthrun_result_free(&r);
    student_sgps after = read_sgps(s, 2022);
    assert_int_equal(before.n, after.n);
    assert_true(before.n >= 400);
    size_t kept = 0, base_same = 0, cohort_moved = 0, lost = 0;
    double cohort_gain = 0.0, lost_base = 0.0, lost_cohort = 0.0, all_cohort = 0.0;
    for (size_t i = 0; i < after.n; i++) {
        assert_string_equal(before.id[i], after.id[i]);
        assert_true(after.base[i] > 0);
        all_cohort += after.sgp[i];
        if (atoi(after.id[i] + 6) % 2 == 1) {
            lost++;
            lost_base += after.base[i];
            lost_cohort += after.sgp[i];
            continue;
        }
        kept++;
        base_same += after.base[i] == before.base[i];
        cohort_moved += after.sgp[i] != before.sgp[i];
        cohort_gain += after.sgp[i] - before.sgp[i];
    }
    printf("# %zu unaffected: baseline SGP unchanged %zu, cohort SGP changed %zu (mean +%.1f);"
           " %zu lost 40 points: mean baseline SGP %.1f, mean cohort SGP %.1f; all: cohort %.1f\n",
           kept, base_same, cohort_moved, cohort_gain / (double)kept, lost,
           lost_base / (double)lost, lost_cohort / (double)lost, all_cohort / (double)after.n);
    assert_int_equal(base_same, kept);            /* a fixed reference */
    assert_true(cohort_moved > kept / 2);         /* the cohort's reference moved */
    assert_true(cohort_gain / (double)kept > 10.0);
    assert_true(lost_base / (double)lost < 15.0); /* the loss, measured */
    /* the cohort reference hides most of it: centred on the year's own students */
    assert_true(lost_cohort / (double)lost - lost_base / (double)lost > 15.0);
    assert_true(fabs(all_cohort / (double)after.n - 50.0) < 6.0);
    sgps_free(&before);
    sgps_free(&after);
    /* the aggregates of the baseline SGPs, recomputed here */
    assert_int_equal(query1(s, "SELECT n_sgp_baseline FROM growth_aggregates WHERE school_year = 2022"
                               " AND level = 'state'"),
                     query1(s, "SELECT count(sgp_baseline) FROM growth_students WHERE school_year = 2022"));
    assert_true(fabs(query1(s, "SELECT mean_sgp_baseline FROM growth_aggregates WHERE school_year ="
                               " 2022 AND level = 'state'") -
                     query1(s, "SELECT avg(sgp_baseline) FROM growth_students WHERE school_year = 2022")) <
                1e-9);
    slds_growth_config_free(cfg);
    close_temp(s, path);
}

static void test_export_import(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    make_state(s, 60, 0);
    slds_growth_config *cfg = config(NULL);
    const int years[] = {2018, 2019, 2020, 2021};
    slds_baseline_result b;
    fit_baseline(s, "orig", years, 4, 0, cfg, &b);
    slds_baseline_result_free(&b);
    slds_error err = {0};
    /* a name in use is refused, and nothing changes */
    slds_baseline_options o = {.name = "orig", .n_years = 2, .years = {2020, 2021}};
    assert_int_equal(slds_growthrun_baseline_fit(s, &o, NULL, &b, &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "--replace"));
    char *json = NULL;
    if (slds_growthrun_baseline_export(s, "orig", &json, &err))
        fail_msg("%s", err.message);
    char name[SLDS_GROWTH_NAME_MAX];
    int models = 0;
    assert_int_equal(slds_growthrun_baseline_import(s, json, strlen(json), "orig.json", NULL, 0,
                                                    name, &models, &err),
                     SLDS_ERR_USAGE);
    if (slds_growthrun_baseline_import(s, json, strlen(json), "orig.json", "copy", 0, name,
                                       &models, &err))
        fail_msg("%s", err.message);
    assert_string_equal(name, "copy");
    assert_int_equal(models, (int)query1(s, "SELECT models FROM growth_baselines WHERE name = 'orig'"));
    /* the same bits: every stored model text is the same */
    assert_int_equal(query1(s, "SELECT count(*) FROM growth_baseline_models a JOIN"
                               " growth_baseline_models b USING(subject, grade, priors)"
                               " WHERE a.name = 'orig' AND b.name = 'copy' AND a.model = b.model"),
                     models);
    /* ... and the same SGPs */
    slds_growthrun_result r;
    run_year(s, 2022, "orig", cfg, &r);
    slds_growthrun_result_free(&r);
    exec(s, "CREATE TEMP TABLE first AS SELECT student_id, sgp_baseline, sgp_baseline_order"
            " FROM growth_students WHERE school_year = 2022");
    run_year(s, 2022, "copy", cfg, &r);
    slds_growthrun_result_free(&r);
    assert_true(query1(s, "SELECT count(*) FROM first WHERE sgp_baseline IS NOT NULL") > 100);
    assert_int_equal(query1(s, "SELECT count(*) FROM first f JOIN growth_students g USING(student_id)"
                               " WHERE g.school_year = 2022 AND g.sgp_baseline IS f.sgp_baseline"
                               " AND g.sgp_baseline_order IS f.sgp_baseline_order"),
                     query1(s, "SELECT count(*) FROM first"));
    /* replace */
    if (slds_growthrun_baseline_import(s, json, strlen(json), "orig.json", "copy", 1, name,
                                       &models, &err))
        fail_msg("%s", err.message);
    /* a damaged document names what is wrong and stores nothing */
    char *bad = strdup(json);
    char *coef = strstr(bad, "\"coef\"");
    assert_non_null(coef);
    memcpy(coef, "\"cöf\"", 6);
    assert_int_equal(slds_growthrun_baseline_import(s, bad, strlen(bad), "bad.json", "bad", 0, name,
                                                    &models, &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "bad.json: models[0]"));
    assert_int_equal(query1(s, "SELECT count(*) FROM growth_baselines WHERE name = 'bad'"), 0);
    assert_int_equal(query1(s, "SELECT count(*) FROM growth_baseline_models WHERE name = 'bad'"), 0);
    assert_int_equal(slds_growthrun_baseline_import(s, "{", 1, "trunc.json", NULL, 0, name, &models,
                                                    &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "trunc.json:"));
    /* an unknown baseline is an error that names it */
    slds_growthrun_options ro;
    slds_growthrun_options_default(&ro);
    ro.school_year = 2022;
    ro.baseline = "nope";
    assert_int_equal(slds_growthrun_run(s, &ro, NULL, &r, &err), SLDS_ERR_NOTFOUND);
    assert_non_null(strstr(err.message, "no baseline named 'nope'"));
    free(bad);
    free(json);
    slds_growth_config_free(cfg);
    close_temp(s, path);
}

/* 2020 without scores: 2021's cohorts have lagged priors (grade 5 after 3,
 * lag 2), which a baseline of one-year progressions has no model for. */
static void test_lagged_progressions(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    make_state(s, 60, 2020);
    slds_growth_config *cfg = config(NULL);
    const int years[] = {2016, 2017, 2018, 2019};
    slds_baseline_result b;
    fit_baseline(s, "plain", years, 4, 0, cfg, &b);
    slds_baseline_result_free(&b);
    slds_growthrun_result r;
    run_year(s, 2021, "plain", cfg, &r);
    for (int k = 0; k < r.n_cohorts; k++) {
        const slds_growthrun_cohort *c = &r.cohorts[k];
        if (c->grade < 5)
            continue; /* grades 3, 4 have no prior at all */
        assert_int_equal(c->with_sgp_baseline, 0);
        assert_non_null(strstr(c->note, "no baseline SGPs: baseline plain has no model of grade"));
        printf("# grade %d: %s\n", c->grade, c->note);
    }
    slds_growthrun_result_free(&r);
    slds_growth_config_free(cfg);
    /* the package's lagged baseline progressions, from the configuration */
    cfg = config("\"sgp.config\": [{\"sgp.content.areas\": \"MATH\", \"sgp.grade.sequences\": [3, 5],"
                 " \"sgp.panel.years.lags\": [2]}, {\"sgp.content.areas\": \"MATH\","
                 " \"sgp.grade.sequences\": [3, 4, 6], \"sgp.panel.years.lags\": [1, 2]}]");
    fit_baseline(s, "lagged", years, 4, 0, cfg, &b);
    int lag2 = 0;
    for (int k = 0; k < b.n_models; k++)
        lag2 += b.models[k].fitted && b.models[k].lags[0] == 2;
    assert_int_equal(lag2, 3); /* 3 -> 5; 4 -> 6 and 3, 4 -> 6 */
    slds_baseline_result_free(&b);
    run_year(s, 2021, "lagged", cfg, &r);
    for (int k = 0; k < r.n_cohorts; k++) {
        const slds_growthrun_cohort *c = &r.cohorts[k];
        if (c->grade >= 5) {
            assert_int_equal(c->with_sgp_baseline, c->with_sgp);
            assert_true(c->with_sgp > 0);
        }
    }
    slds_growthrun_result_free(&r);
    slds_growth_config_free(cfg);
    close_temp(s, path);
}

static void test_fit_errors(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    make_state(s, 6, 0);
    slds_baseline_result b;
    slds_error err = {0};
    slds_baseline_options o = {.name = "x", .n_years = 1, .years = {2020}};
    assert_int_equal(slds_growthrun_baseline_fit(s, &o, NULL, &b, &err), SLDS_ERR_USAGE);
    o = (slds_baseline_options){.name = "x", .n_years = 2, .years = {2021, 2020}};
    assert_int_equal(slds_growthrun_baseline_fit(s, &o, NULL, &b, &err), SLDS_ERR_USAGE);
    o = (slds_baseline_options){.name = "x", .n_years = 2, .years = {2020, 2021}, .max_order = 2};
    assert_int_equal(slds_growthrun_baseline_fit(s, &o, NULL, &b, &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "at most order 1"));
    o = (slds_baseline_options){.name = "", .n_years = 2, .years = {2020, 2021}};
    assert_int_equal(slds_growthrun_baseline_fit(s, &o, NULL, &b, &err), SLDS_ERR_USAGE);
    o = (slds_baseline_options){.name = "x", .n_years = 2, .years = {1990, 1991}};
    assert_int_equal(slds_growthrun_baseline_fit(s, &o, NULL, &b, &err), SLDS_ERR_NOTFOUND);
    /* 6 students per cohort are too few for any model: said per model, and
       nothing is stored */
    o = (slds_baseline_options){.name = "x", .n_years = 2, .years = {2021, 2022}};
    assert_int_equal(slds_growthrun_baseline_fit(s, &o, NULL, &b, &err), SLDS_ERR_NOTFOUND);
    assert_int_equal(query1(s, "SELECT count(*) FROM growth_baselines"), 0);
    close_temp(s, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_cohort_is_the_cohort_fit),
        cmocka_unit_test(test_super_cohort_by_hand),
        cmocka_unit_test(test_shift_ground_truth),
        cmocka_unit_test(test_export_import),
        cmocka_unit_test(test_lagged_progressions),
        cmocka_unit_test(test_fit_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
