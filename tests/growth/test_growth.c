/* test_growth.c - growth configuration (both JSON layouts and their errors),
 * knots from data, growth targets on a toy model whose trajectories are
 * known in closed form, gains in grade levels, and SGP edge cases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "growth/growth.h"
#include "../skip.h"

/* ---------------------------------------------------------------- config */

static void test_config_sgp_layout(void **state)
{
    (void)state;
    const char *shared = getenv("SLDS_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/sgp/SGPstateData_DEMO.json",
             shared ? shared : "../shared");
    struct stat sb;
    if (stat(path, &sb) != 0)
        skip();
    slds_growth_config *cfg;
    slds_error err = {0};
    if (slds_growth_config_load(path, &cfg, &err))
        fail_msg("%s", err.message);
    assert_string_equal(cfg->format, "sgp");
    assert_int_equal(cfg->n_subjects, 2);
    const slds_growth_grade *g = slds_growth_config_grade(cfg, "READING", 5);
    assert_non_null(g);
    assert_int_equal(g->n_knots, 4);
    assert_true(g->knots[0] == 562 && g->knots[3] == 665);
    assert_true(g->boundary[0] == 220 && g->boundary[1] == 955);
    assert_true(g->has_loss_hoss && g->loss_hoss[1] == 955);
    assert_int_equal(g->n_cuts, 3);
    assert_true(g->cuts[1] == 588);
    assert_int_equal(slds_growth_level(g, 587), 1);
    assert_int_equal(slds_growth_level(g, 588), 2); /* equal to a cut: the higher level */
    assert_int_equal(slds_growth_level(g, 100), 0);
    assert_int_equal(slds_growth_level(g, 691), 3);
    assert_true(slds_growth_proficient_cut(cfg, g) == 588);
    assert_int_equal(cfg->n_levels, 5);
    assert_string_equal(cfg->level_labels[2], "Proficient");
    assert_int_equal(cfg->max_order, 4);
    assert_int_equal(cfg->n_taus, 100);
    g = slds_growth_config_grade(cfg, "MATHEMATICS", 10);
    assert_non_null(g);
    assert_true(g->knots[0] == 530);
    assert_null(slds_growth_config_grade(cfg, "SCIENCE", 5));
    slds_bspline b;
    assert_int_equal(slds_growth_grade_spline(g, &b, &err), 0);
    assert_int_equal(slds_bspline_ncol(&b), 7);
    slds_growth_config_free(cfg);
}

static const char *own_json =
    "{ \"slds_growth_config\": 1,\n"
    "  \"options\": {\"max_order\": 2, \"taus\": 20, \"knots\": \"data\", \"projection_years\": 2},\n"
    "  \"achievement_levels\": [ {\"label\": \"Below\", \"proficient\": false},\n"
    "                            {\"label\": \"Meets\", \"proficient\": true},\n"
    "                            {\"label\": \"Exceeds\", \"proficient\": true} ],\n"
    "  \"subjects\": { \"MATH\": {\n"
    "     \"3\": {\"knots\": [10, 20, 30, 40], \"boundaries\": [0, 50], \"loss_hoss\": [0, 50],\n"
    "            \"cuts\": [25, 35]},\n"
    "     \"4\": {\"cuts\": [30, 40]} } } }\n";

static void test_config_own_layout(void **state)
{
    (void)state;
    slds_growth_config *cfg;
    slds_error err = {0};
    if (slds_growth_config_parse(own_json, strlen(own_json), "own.json", &cfg, &err))
        fail_msg("%s", err.message);
    assert_string_equal(cfg->format, "slds");
    assert_int_equal(cfg->max_order, 2);
    assert_int_equal(cfg->n_taus, 20);
    assert_true(fabs(cfg->taus[0] - 0.025) < 1e-15 && fabs(cfg->taus[19] - 0.975) < 1e-15);
    assert_int_equal(cfg->knots_from_data, 1);
    assert_int_equal(cfg->projection_years, 2);
    const slds_growth_grade *g3 = slds_growth_config_grade(cfg, "MATH", 3);
    const slds_growth_grade *g4 = slds_growth_config_grade(cfg, "MATH", 4);
    assert_non_null(g3);
    assert_non_null(g4);
    assert_int_equal(g4->n_knots, 0);
    assert_true(slds_growth_proficient_cut(cfg, g3) == 25);
    assert_true(slds_growth_proficient_cut(cfg, g4) == 30);
    assert_int_equal(slds_growth_level(g4, 40), 2);
    slds_growth_config_free(cfg);
}

static void expect_error(const char *json, const char *needle)
{
    slds_growth_config *cfg = NULL;
    slds_error err = {0};
    int rc = slds_growth_config_parse(json, strlen(json), "bad.json", &cfg, &err);
    assert_int_equal(rc, SLDS_ERR_DATA);
    assert_null(cfg);
    if (!strstr(err.message, needle))
        fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_error("{\"Knots_Boundaries\": ", "bad.json:1:");
    expect_error("[1, 2]", "top level is not an object");
    expect_error("{\"x\": 1}", "neither");
    expect_error("{\"Knots_Boundaries\": {\"READING\": {\"knots_3\": [1, \"a\"]}}}",
                 "Knots_Boundaries.READING.knots_3[1] is not a number");
    expect_error("{\"Knots_Boundaries\": {\"READING\": {\"knots_3\": [10, 20, 30, 400], "
                 "\"boundaries_3\": [0, 100]}}}",
                 "READING grade 3");
    expect_error("{\"Cutscores\": {\"READING\": {\"GRADE_3\": [5, 4]}}}", "must increase");
    expect_error("{\"slds_growth_config\": 2, \"subjects\": {}}", "must be 1");
    expect_error("{\"slds_growth_config\": 1, \"options\": {\"max_order\": 99}, \"subjects\": {}}",
                 "options.max_order");
    expect_error("{\"slds_growth_config\": 1, \"subjects\": {\"M\": {\"x\": {}}}}",
                 "subjects.M.x");
    expect_error("{\"slds_growth_config\": 1, \"options\": {\"taus\": [0.5, 0.2]}, "
                 "\"subjects\": {}}",
                 "options.taus[1]");
    slds_growth_config *cfg = NULL;
    slds_error err = {0};
    assert_int_equal(slds_growth_config_load("/nonexistent/x.json", &cfg, &err), SLDS_ERR_IO);
}

static void test_knots_from_scores(void **state)
{
    (void)state;
    double s[11] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, NAN};
    slds_growth_grade g = {.grade = 3};
    assert_int_equal(slds_growth_knots_from_scores(s, 11, &g, NULL), 0);
    assert_int_equal(g.n_knots, 4);
    assert_true(fabs(g.knots[0] - 2.8) < 1e-12 && fabs(g.knots[3] - 8.2) < 1e-12);
    assert_true(fabs(g.boundary[0] - 0.1) < 1e-12 && fabs(g.boundary[1] - 10.9) < 1e-12);
    assert_true(g.loss_hoss[0] == 1 && g.loss_hoss[1] == 10);
    double t[3] = {501.23456, 502, 610};
    assert_int_equal(slds_growth_knots_from_scores(t, 3, &g, NULL), 0);
    assert_true(g.knots[0] == 501.541); /* 501.23456 + 0.4 * 0.76544 = 501.540736 */
}

/* --------------------------------------------------------------- targets */

/* A toy model on the spline [300, 900] with knots 450..750 whose prediction
 * at quantile t (1-based) is prior_1 + gain + (t - 50): the spline
 * coefficients are the Greville abscissae (B-splines reproduce x). */
static void toy_model(slds_sgp_model *m, double gain, int orders)
{
    double knots[4] = {450, 550, 650, 750};
    slds_bspline sp[2];
    slds_bspline_cubic(&sp[0], knots, 4, 300, 900);
    sp[1] = sp[0];
    assert_int_equal(slds_sgp_model_init(m, sp, orders, NULL, 100, NULL), 0);
    double a[12] = {300, 300, 300, 300, 450, 550, 650, 750, 900, 900, 900, 900};
    double xi[8];
    for (int j = 0; j < 8; j++)
        xi[j] = (a[j + 1] + a[j + 2] + a[j + 3]) / 3.0;
    for (int k = 1; k <= orders; k++) {
        int p = m->p[k - 1];
        double *coef = calloc((size_t)p * 100, sizeof *coef);
        for (int t = 0; t < 100; t++) {
            double *c = coef + (size_t)t * (size_t)p;
            c[0] = xi[0] + gain + (t + 1 - 50);
            for (int j = 1; j < 8; j++)
                c[j] = xi[j] - xi[0];
            /* second prior (order 2): zero weight */
        }
        assert_int_equal(slds_sgp_model_set_coef(m, k, coef, p, NULL), 0);
        free(coef);
    }
}

static void test_targets_toy(void **state)
{
    (void)state;
    slds_sgp_model m1, m2, m3;
    toy_model(&m1, 10, 1);
    toy_model(&m2, 10, 2); /* order 2 is used in year 2 (prior = projection, current) */
    toy_model(&m3, 10, 1);
    double scores[3 * 2] = {500, 480, 620, 610, NAN, NAN};
    int sgp[3] = {75, 70, 50};
    slds_target_problem pr = {.n = 3, .n_scores = 2, .scores = scores, .sgp = sgp,
                              .current_cut = 600, .n_years = 3,
                              .models = {&m1, &m2, &m3}, .cuts = {539.5, 559.5, 700}};
    /* trajectories of student 0: 510 + (t - 50), 520 + 2 (t - 50), 530 + 3 (t - 50) */
    double traj[300];
    assert_int_equal(slds_sgp_trajectories(&pr, 0, traj, NULL), 0);
    for (int t = 1; t <= 100; t++) {
        assert_true(fabs(traj[t - 1] - (510 + (t - 50))) < 1e-9);
        assert_true(fabs(traj[100 + t - 1] - (520 + 2 * (t - 50))) < 1e-9);
        assert_true(fabs(traj[200 + t - 1] - (530 + 3 * (t - 50))) < 1e-9);
    }
    slds_target_result res;
    slds_error err = {0};
    if (slds_sgp_targets(&pr, &res, &err))
        fail_msg("%s", err.message);
    /* student 0 (500 < 600: catch up): 510 + t - 50 >= 539.5 -> t = 80;
       520 + 2(t - 50) >= 559.5 -> t = 70; 530 + 3(t - 50) >= 700 never -> 99 */
    assert_int_equal(res.kind[0], SLDS_TARGET_CATCH_UP);
    assert_int_equal(res.target[0], 80);
    assert_int_equal(res.target[1], 70);
    assert_int_equal(res.target[2], 99);
    assert_int_equal(res.reachable[2], 0);
    assert_int_equal(res.on_track[0], 0); /* 75 < 80 */
    assert_int_equal(res.on_track[1], 1);
    assert_int_equal(res.on_track[2], 0);
    /* student 1 (620: keep up): year 1 reached at t = 1; 640 + 2(t-50) >= 559.5
       -> t = 10; 650 + 3(t - 50) >= 700 -> t = 67 */
    assert_int_equal(res.kind[1], SLDS_TARGET_KEEP_UP);
    assert_int_equal(res.target[3], 1);
    assert_int_equal(res.target[4], 10);
    assert_int_equal(res.target[5], 67);
    assert_int_equal(res.on_track[5], 1);
    /* student 2 has no score */
    assert_int_equal(res.kind[2], SLDS_TARGET_NONE);
    assert_int_equal(res.target[6], 0);
    slds_target_result_free(&res);

    /* loss/hoss clamps the projections */
    m1.has_loss_hoss = 1;
    m1.loss_hoss[0] = 300;
    m1.loss_hoss[1] = 530;
    assert_int_equal(slds_sgp_trajectories(&pr, 0, traj, NULL), 0);
    assert_true(traj[99] == 530 && fabs(traj[0] - 461) < 1e-9);
    assert_int_equal(slds_sgp_targets(&pr, &res, &err), 0);
    assert_int_equal(res.target[0], 99); /* 539.5 is above the hoss */
    assert_int_equal(res.reachable[0], 0);
    slds_target_result_free(&res);

    pr.n_years = 0;
    assert_int_equal(slds_sgp_targets(&pr, &res, &err), SLDS_ERR_USAGE);
    slds_sgp_model_free(&m1);
    slds_sgp_model_free(&m2);
    slds_sgp_model_free(&m3);
}

/* ----------------------------------------------------------------- gains */

static void test_gains(void **state)
{
    (void)state;
    double g[6] = {10, 30, 20, NAN, 25, 15}, typical = 0;
    assert_int_equal(slds_gain_typical(g, 6, &typical, NULL), 0);
    assert_true(typical == 20);
    double lo[4] = {400, 410, 420, 430}, hi[3] = {440, 450, 470}, gap = 0;
    assert_int_equal(slds_gain_grade_gap(lo, 4, hi, 3, &gap, NULL), 0);
    assert_true(gap == 450 - 415);
    double out[6];
    assert_int_equal(slds_gain_in_grade_levels(g, 6, typical, out, NULL), 0);
    assert_true(out[0] == 0.5 && out[1] == 1.5 && isnan(out[3]));
    slds_error err = {0};
    assert_int_equal(slds_gain_in_grade_levels(g, 6, 0, out, &err), SLDS_ERR_NUMERIC);
    assert_int_equal(slds_gain_typical(g + 3, 1, &typical, &err), SLDS_ERR_USAGE);
}

/* ------------------------------------------------------------------- sgp */

/* A small synthetic cohort: order 2 only for students with both priors, the
 * stored model reproduces the SGPs, percentiles stay in 1..99, and a cohort
 * whose prior has a single value is refused as rank deficient. */
static void test_sgp_small_cohort(void **state)
{
    (void)state;
    enum { N = 600 };
    double cur[N], pri[2 * N];
    uint64_t r = 12345;
    for (int i = 0; i < N; i++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        double a = 400 + (double)((r >> 33) % 200), b = a - 20 + (double)((r >> 20) % 40);
        pri[2 * i] = a;
        pri[2 * i + 1] = i % 5 == 0 ? NAN : b;
        cur[i] = floor(a + 15 + (double)((r >> 40) % 50) - 25);
    }
    double knots[4] = {450, 490, 530, 570};
    slds_bspline sp[2];
    slds_bspline_cubic(&sp[0], knots, 4, 350, 650);
    slds_bspline_cubic(&sp[1], knots, 4, 330, 630);
    slds_sgp_cohort c = {.n = N, .n_priors = 2, .current = cur, .priors = pri, .splines = sp};
    slds_sgp_result res;
    slds_error err = {0};
    if (slds_sgp_fit_cohort(&c, NULL, &res, &err))
        fail_msg("%s", err.message);
    assert_int_equal(res.model.n_fit[0], N);
    assert_int_equal(res.model.n_fit[1], N - N / 5);
    for (int i = 0; i < N; i++) {
        assert_int_equal(res.order[i], i % 5 == 0 ? 1 : 2);
        assert_true(res.sgp[i] >= 1 && res.sgp[i] <= 99);
        assert_int_equal(res.sgp[i], res.sgp_by_order[2 * i + res.order[i] - 1]);
    }
    double pred[100];
    assert_int_equal(slds_sgp_predict(&res.model, 2, pri + 2, 2, 1, pred, &err), 0);
    for (int t = 1; t < 100; t++)
        assert_true(pred[t] >= pred[t - 1]);
    assert_int_equal(slds_sgp_percentile(pred, 100, cur[1]), res.sgp[1]);
    assert_int_equal(slds_sgp_percentile(pred, 100, -1e9), 1);
    assert_int_equal(slds_sgp_percentile(pred, 100, 1e9), 99);

    /* export and import (published matrices): the same bits, so the same
       SGP of every order for every student */
    res.model.has_loss_hoss = 1;
    res.model.loss_hoss[0] = 300.5;
    res.model.loss_hoss[1] = 700.25;
    char *json = NULL;
    assert_int_equal(slds_sgp_model_to_json(&res.model, &json, &err), 0);
    slds_sgp_model back;
    if (slds_sgp_model_from_json(json, strlen(json), "model.json", &back, &err))
        fail_msg("%s", err.message);
    assert_int_equal(back.max_order, 2);
    assert_int_equal(back.n_taus, 100);
    assert_memory_equal(back.taus, res.model.taus, sizeof back.taus);
    assert_memory_equal(back.splines, res.model.splines, 2 * sizeof back.splines[0]);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(back.p[k], res.model.p[k]);
        assert_int_equal(back.n_fit[k], res.model.n_fit[k]);
        assert_memory_equal(back.coef[k], res.model.coef[k],
                            (size_t)back.p[k] * 100 * sizeof(double));
    }
    assert_true(back.has_loss_hoss && back.loss_hoss[0] == 300.5 && back.loss_hoss[1] == 700.25);
    for (int i = 0; i < N; i++)
        for (int k = 1; k <= res.order[i]; k++) {
            double p2[100];
            assert_int_equal(slds_sgp_predict(&back, k, pri + 2 * i, 2, 1, p2, &err), 0);
            assert_int_equal(slds_sgp_percentile(p2, 100, cur[i]), res.sgp_by_order[2 * i + k - 1]);
        }
    slds_sgp_model_free(&back);
    /* a damaged file is refused, naming it */
    json[strlen(json) / 2] = '\0';
    assert_int_equal(slds_sgp_model_from_json(json, strlen(json), "cut.json", &back, &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "cut.json"));
    free(json);
    slds_sgp_result_free(&res);

    for (int i = 0; i < N; i++)
        pri[2 * i] = 500; /* one value: its spline columns are collinear */
    c.n_priors = 1;
    double p1[N];
    for (int i = 0; i < N; i++)
        p1[i] = 500;
    c.priors = p1;
    assert_int_equal(slds_sgp_fit_cohort(&c, NULL, &res, &err), SLDS_ERR_NUMERIC);
    assert_non_null(strstr(err.message, "SGP order 1"));
    assert_non_null(strstr(err.message, "rank deficient"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_sgp_layout), cmocka_unit_test(test_config_own_layout),
        cmocka_unit_test(test_config_errors),     cmocka_unit_test(test_knots_from_scores),
        cmocka_unit_test(test_targets_toy),       cmocka_unit_test(test_gains),
        cmocka_unit_test(test_sgp_small_cohort),
    };
    char path[1024];
    int have = slds_test_shared(path, sizeof path, "data/sgp/SGPstateData_DEMO.json");
    return slds_test_exit(cmocka_run_group_tests(tests, NULL, NULL),
                          have ? NULL : "shared/data/sgp is absent: the SGP layout test did not run");
}
