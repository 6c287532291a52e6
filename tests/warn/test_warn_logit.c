/* test_warn_logit.c - the early-warning kernels (src/warn/logit.c):
 * the logistic fit against its closed form (one binary covariate, no
 * penalty), the penalised score equation at the optimum (L1), recovery of
 * known coefficients on simulated data, Platt calibration on simulated
 * miscalibrated scores, AUC with ties on a hand example (L3), the confusion
 * figures and the F1-best threshold by hand, and calibration bins. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "warn/warn.h"

/* splitmix64 and Box-Muller: the simulations repeat exactly. */
static uint64_t rng_state;
static double uniform01(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double normal01(void)
{
    return sqrt(-2 * log(uniform01())) * cos(6.283185307179586 * uniform01());
}

static void test_closed_form(void **state)
{
    (void)state;
    /* x = 0: 30 of 100 positive; x = 1: 60 of 80 positive. MLE: beta0 =
     * logit(0.3), beta1 = logit(0.75) - logit(0.3). */
    enum { N = 180 };
    static double x[N * 2], y[N];
    for (int i = 0; i < N; i++) {
        int group = i >= 100;
        x[2 * i] = 1;
        x[2 * i + 1] = group;
        y[i] = group ? (i - 100 < 60) : (i < 30);
    }
    slds_logit_problem prob = {.n = N, .p = 2, .x = x, .y = y};
    slds_logit_params prm;
    slds_logit_params_default(&prm);
    slds_logit_result r;
    slds_error err = {0};
    assert_int_equal(slds_logit_fit(&prob, &prm, &r, &err), 0);
    double b0 = log(0.3 / 0.7), b1 = log(0.75 / 0.25) - b0;
    assert_true(fabs(r.beta[0] - b0) < 1e-9);
    assert_true(fabs(r.beta[1] - b1) < 1e-9);
    /* deviance by hand: -2 sum n_k [p_k log p_k + (1-p_k) log(1-p_k)] */
    double dev = -2 * (30 * log(0.3) + 70 * log(0.7) + 60 * log(0.75) + 20 * log(0.25));
    assert_true(fabs(r.deviance - dev) < 1e-8);
    /* with weights: the same data as 4 weighted rows */
    double xw[8] = {1, 0, 1, 0, 1, 1, 1, 1}, yw[4] = {1, 0, 1, 0}, w[4] = {30, 70, 60, 20};
    slds_logit_problem pw = {.n = 4, .p = 2, .x = xw, .y = yw, .w = w};
    assert_int_equal(slds_logit_fit(&pw, &prm, &r, &err), 0);
    assert_true(fabs(r.beta[0] - b0) < 1e-9 && fabs(r.beta[1] - b1) < 1e-9);
    /* a warm start (as along a path of penalties) reaches the same optimum */
    double start[2] = {2.0, -3.0};
    prm.start = start;
    slds_logit_result rs;
    assert_int_equal(slds_logit_fit(&prob, &prm, &rs, &err), 0);
    assert_true(fabs(rs.beta[0] - b0) < 1e-9 && fabs(rs.beta[1] - b1) < 1e-9);
    start[0] = b0;
    start[1] = b1; /* from the optimum: one step, no move */
    assert_int_equal(slds_logit_fit(&prob, &prm, &rs, &err), 0);
    assert_int_equal(rs.iterations, 1);
    prm.start = NULL;
    /* separable without a penalty: refused, not a silent infinity */
    double xs[8] = {1, -1, 1, -2, 1, 1, 1, 2}, ys[4] = {0, 0, 1, 1};
    slds_logit_problem ps = {.n = 4, .p = 2, .x = xs, .y = ys};
    assert_int_equal(slds_logit_fit(&ps, &prm, &r, &err), SLDS_ERR_NUMERIC);
    prm.lambda = 0.5; /* a penalty makes it finite */
    assert_int_equal(slds_logit_fit(&ps, &prm, &r, &err), 0);
    assert_true(isfinite(r.beta[1]) && r.beta[1] > 0);
}

static void test_penalised_score_is_zero(void **state)
{
    (void)state;
    enum { N = 500, P = 4 };
    static double x[N * P], y[N];
    rng_state = 11;
    for (int i = 0; i < N; i++) {
        x[i * P] = 1;
        for (int j = 1; j < P; j++)
            x[i * P + j] = normal01();
        double z = 0.3 + x[i * P + 1] - 0.7 * x[i * P + 2];
        y[i] = uniform01() < slds_logistic(z);
    }
    slds_logit_problem prob = {.n = N, .p = P, .x = x, .y = y};
    slds_logit_params prm;
    slds_logit_params_default(&prm);
    prm.lambda = 7.5;
    slds_logit_result r;
    slds_error err = {0};
    assert_int_equal(slds_logit_fit(&prob, &prm, &r, &err), 0);
    for (int j = 0; j < P; j++) {
        double score = 0;
        for (int i = 0; i < N; i++)
            score += x[i * P + j] * (y[i] - slds_logit_predict(&r, x + i * P));
        double expect = j == 0 ? 0 : prm.lambda * r.beta[j]; /* the intercept is not penalised */
        assert_true(fabs(score - expect) < 1e-8 * (1 + fabs(expect)));
    }
    /* the penalty shrinks: every slope smaller than without it */
    slds_logit_result plain;
    prm.lambda = 0;
    assert_int_equal(slds_logit_fit(&prob, &prm, &plain, &err), 0);
    for (int j = 1; j < P; j++)
        assert_true(fabs(r.beta[j]) < fabs(plain.beta[j]));
}

static void test_recovers_known_coefficients(void **state)
{
    (void)state;
    enum { N = 40000, P = 4 };
    const double truth[P] = {-1.0, 0.8, -0.5, 0.3};
    double *x = malloc(sizeof(double) * N * P), *y = malloc(sizeof(double) * N);
    assert_non_null(x);
    assert_non_null(y);
    rng_state = 2026;
    for (int i = 0; i < N; i++) {
        x[i * P] = 1;
        x[i * P + 1] = normal01();
        x[i * P + 2] = normal01();
        x[i * P + 3] = uniform01() < 0.3; /* a binary covariate */
        double z = 0;
        for (int j = 0; j < P; j++)
            z += truth[j] * x[i * P + j];
        y[i] = uniform01() < slds_logistic(z);
    }
    slds_logit_problem prob = {.n = N, .p = P, .x = x, .y = y};
    slds_logit_params prm;
    slds_logit_params_default(&prm);
    prm.lambda = 1; /* negligible against 40,000 rows */
    slds_logit_result r;
    slds_error err = {0};
    assert_int_equal(slds_logit_fit(&prob, &prm, &r, &err), 0);
    /* standard errors are about 0.015-0.03 here: 0.08 is more than 3 of them */
    for (int j = 0; j < P; j++)
        assert_true(fabs(r.beta[j] - truth[j]) < 0.08);
    assert_true(r.iterations >= 3 && r.iterations < 30);
    free(x);
    free(y);
}

static void test_platt_calibration(void **state)
{
    (void)state;
    /* Outcomes follow p = logistic(-1 + 2 s); the scores we are given are
     * logistic(s), badly calibrated. Platt must find a = -1, b = 2, and the
     * calibrated bins must match the observed rates. */
    enum { N = 30000 };
    double *raw = malloc(sizeof(double) * N), *y = malloc(sizeof(double) * N), *cal = malloc(sizeof(double) * N);
    assert_true(raw && y && cal);
    rng_state = 7;
    for (int i = 0; i < N; i++) {
        double s = normal01();
        raw[i] = slds_logistic(s);
        y[i] = uniform01() < slds_logistic(-1 + 2 * s);
    }
    slds_platt pl;
    slds_error err = {0};
    assert_int_equal(slds_platt_fit(raw, y, N, &pl, &err), 0);
    assert_true(fabs(pl.a + 1) < 0.06);
    assert_true(fabs(pl.b - 2) < 0.08);
    slds_calibration before, after;
    slds_calibration_bins(raw, y, N, &before);
    for (int i = 0; i < N; i++)
        cal[i] = slds_platt_apply(&pl, raw[i]);
    slds_calibration_bins(cal, y, N, &after);
    assert_true(before.ece > 0.08);
    assert_true(after.ece < 0.02);
    assert_true(after.brier < before.brier);
    for (int k = 0; k < SLDS_CALIB_BINS; k++)
        if (after.n[k] >= 500)
            assert_true(fabs(after.observed[k] - after.mean_predicted[k]) < 0.04);
    /* the AUC does not change: Platt is monotone */
    assert_true(fabs(slds_warn_auc(raw, y, N) - slds_warn_auc(cal, y, N)) < 1e-12);
    free(raw);
    free(y);
    free(cal);
}

static void test_auc_with_ties(void **state)
{
    (void)state;
    /* positives 0.4, 0.8; negatives 0.1, 0.4. Pairs: (0.4,0.1) 1, (0.4,0.4)
     * a tie 1/2, (0.8,0.1) 1, (0.8,0.4) 1: 3.5 / 4. */
    double s[4] = {0.1, 0.4, 0.4, 0.8}, y[4] = {0, 0, 1, 1};
    assert_true(fabs(slds_warn_auc(s, y, 4) - 0.875) < 1e-15);
    double same[4] = {0.5, 0.5, 0.5, 0.5};
    assert_true(fabs(slds_warn_auc(same, y, 4) - 0.5) < 1e-15);
    double reversed[4] = {0.9, 0.8, 0.2, 0.1};
    assert_true(slds_warn_auc(reversed, y, 4) == 0);
    double one_class[3] = {0, 0, 0};
    assert_true(isnan(slds_warn_auc(s, one_class, 3)));
    /* a larger hand example: 3 positives, 3 negatives, two ties across classes */
    double s6[6] = {1, 2, 2, 3, 3, 4}, y6[6] = {0, 0, 1, 0, 1, 1};
    /* pos {2,3,4} vs neg {1,2,3}: 2:(1,.5,0)=1.5  3:(1,1,.5)=2.5  4:3 -> 7/9 */
    assert_true(fabs(slds_warn_auc(s6, y6, 6) - 7.0 / 9.0) < 1e-15);
}

static void test_confusion_and_threshold(void **state)
{
    (void)state;
    double s[6] = {0.9, 0.8, 0.6, 0.4, 0.3, 0.1}, y[6] = {1, 0, 1, 1, 0, 0};
    slds_confusion c;
    slds_confusion_at(s, NULL, y, 6, 0.5, &c); /* flags 0.9, 0.8, 0.6 */
    assert_int_equal(c.flagged, 3);
    assert_int_equal(c.true_pos, 2);
    assert_true(fabs(c.precision - 2.0 / 3) < 1e-15);
    assert_true(fabs(c.recall - 2.0 / 3) < 1e-15);
    assert_true(fabs(c.false_positive_rate - 1.0 / 3) < 1e-15);
    assert_true(fabs(c.specificity - 2.0 / 3) < 1e-15);
    /* F1 by threshold: 0.9 -> 0.5, 0.8 -> 0.4, 0.6 -> 0.667, 0.4 -> 0.857, 0.3 -> 0.75 */
    assert_true(slds_best_f1_threshold(s, y, 6) == 0.4);
    unsigned char flag[6] = {1, 0, 0, 1, 1, 0};
    slds_confusion_at(NULL, flag, y, 6, 0, &c);
    assert_int_equal(c.flagged, 3);
    assert_int_equal(c.true_pos, 2);
    assert_int_equal(c.positives, 3);
}

static void test_calibration_bins(void **state)
{
    (void)state;
    double p[5] = {0.05, 0.05, 0.15, 0.95, 1.0}, y[5] = {0, 1, 0, 1, 1};
    slds_calibration c;
    slds_calibration_bins(p, y, 5, &c);
    assert_int_equal(c.n[0], 2);
    assert_int_equal(c.n[1], 1);
    assert_int_equal(c.n[9], 2); /* 1.0 falls in the last bin */
    assert_true(fabs(c.observed[0] - 0.5) < 1e-15 && fabs(c.mean_predicted[0] - 0.05) < 1e-15);
    assert_true(isnan(c.observed[5]));
    double brier = (0.0025 + 0.9025 + 0.0225 + 0.0025 + 0) / 5;
    assert_true(fabs(c.brier - brier) < 1e-15);
    double ece = (2 * 0.45 + 1 * 0.15 + 2 * 0.025) / 5;
    assert_true(fabs(c.ece - ece) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form),          cmocka_unit_test(test_penalised_score_is_zero),
        cmocka_unit_test(test_recovers_known_coefficients), cmocka_unit_test(test_platt_calibration),
        cmocka_unit_test(test_auc_with_ties),        cmocka_unit_test(test_confusion_and_threshold),
        cmocka_unit_test(test_calibration_bins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
