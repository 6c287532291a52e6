/* test_lmm.c - the REML random-intercept model against closed forms: the
 * balanced one-way ANOVA (sigma^2 = MSW, tau^2 = (MSB - MSW) / m, BLUPs
 * shrunk by m tau^2 / (sigma^2 + m tau^2), condVar sigma^2 tau^2 / (sigma^2 +
 * m tau^2)), the boundary (MSB < MSW: tau^2 = 0), constant weights
 * (sigma^2 scales with the weights, tau^2 and the BLUPs do not), a slope recovered by GLS, and the
 * measurement-error correction undoing the attenuation of a noisy slope,
 * and aliased columns dropped (as lme4 drops them) with the same fit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats/stats.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) < (tol))
/* The criterion is flat at its minimum, so theta is found to about
   sqrt(DBL_EPSILON) relative (as by any minimiser of function values, lme4's
   included): variances and BLUPs are compared to 1e-6 relative. */
#define CLOSE(a, b) assert_true(fabs((a) - (b)) <= 1e-6 * (fabs(b) + 1e-3))

static const double Y[12] = {1, 2, 3, 4, 5, 6, 8, 9, 2, 4, 4, 6};
static const uint32_t G[12] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};

static void fit_anova(const double *y, const double *w, slds_lmm_result *r)
{
    double x[12];
    for (int i = 0; i < 12; i++)
        x[i] = 1;
    slds_lmm_problem pr = {.n = 12, .p = 1, .x = x, .y = y, .w = w, .g = G, .n_groups = 3};
    slds_error err = {0};
    assert_int_equal(slds_lmm_fit(&pr, NULL, r, &err), 0);
}

static void test_balanced_anova(void **state)
{
    (void)state;
    slds_lmm_result r;
    fit_anova(Y, NULL, &r);
    /* group means 2.5, 7, 4; grand mean 4.5; SSW 23 (9 df), SSB 42 (2 df) */
    double msw = 23.0 / 9, msb = 21.0, tau2 = (msb - msw) / 4;
    CLOSE(r.sigma2, msw);
    CLOSE(r.tau2, tau2);
    NEAR(r.beta[0], 4.5, 1e-9);
    double k = 4 * tau2 / (msw + 4 * tau2);
    double means[3] = {2.5, 7, 4};
    for (int g = 0; g < 3; g++) {
        CLOSE(r.blup[g], k * (means[g] - 4.5));
        NEAR(r.raw[g], means[g] - 4.5, 1e-9); /* unshrunken: the mean residual */
        CLOSE(r.blup_se[g], sqrt(msw * tau2 / (msw + 4 * tau2)));
        NEAR(r.group_w[g], 4, 1e-12);
        assert_int_equal(r.group_n[g], 4);
    }
    /* beta's variance in the balanced case: (sigma^2 + m tau^2) / (k m) */
    CLOSE(r.beta_se[0], sqrt((msw + 4 * tau2) / 12));
    slds_lmm_result_free(&r);
}

static void test_boundary(void **state)
{
    (void)state;
    /* group means equal (2.5 each): MSB = 0 < MSW, so tau^2 = 0 and the
       model is ordinary least squares */
    double y[12] = {1, 2, 3, 4, 4, 3, 2, 1, 2, 3, 1, 4};
    slds_lmm_result r;
    fit_anova(y, NULL, &r);
    NEAR(r.tau2, 0, 1e-9);
    NEAR(r.sigma2, 15.0 / 11, 1e-9); /* total SS 15, n - 1 = 11 */
    for (int g = 0; g < 3; g++)
        NEAR(r.blup[g], 0, 1e-7);
    slds_lmm_result_free(&r);
}

static void test_constant_weights(void **state)
{
    (void)state;
    double w[12];
    for (int i = 0; i < 12; i++)
        w[i] = 2;
    slds_lmm_result a, b;
    fit_anova(Y, NULL, &a);
    fit_anova(Y, w, &b);
    CLOSE(b.sigma2, 2 * a.sigma2); /* e_i ~ sigma^2 / w_i: the same MSW is sigma^2 / 2 */
    CLOSE(b.tau2, a.tau2);
    for (int g = 0; g < 3; g++)
        CLOSE(b.blup[g], a.blup[g]);
    slds_lmm_result_free(&a);
    slds_lmm_result_free(&b);
}

static void test_slope(void **state)
{
    (void)state;
    /* y = 2 + 3 x + b_g exactly with b = (-1, 0, 1) plus a small balanced
       residual: the slope is 3 (the residuals are orthogonal to x) */
    double x[24], y[12], e[4] = {0.1, -0.1, -0.1, 0.1};
    for (int i = 0; i < 12; i++) {
        double xi = (double)(i % 4);
        x[2 * i] = 1;
        x[2 * i + 1] = xi;
        y[i] = 2 + 3 * xi + ((double)G[i] - 1) + e[i % 4];
    }
    slds_lmm_problem pr = {.n = 12, .p = 2, .x = x, .y = y, .g = G, .n_groups = 3};
    slds_lmm_result r;
    slds_error err = {0};
    assert_int_equal(slds_lmm_fit(&pr, NULL, &r, &err), 0);
    NEAR(r.beta[1], 3, 1e-9);
    assert_true(r.blup[0] < -0.9 && r.blup[2] > 0.9 && fabs(r.blup[1]) < 1e-6);
    slds_lmm_result_free(&r);
}

/* A small deterministic normal generator (LCG + Box-Muller): the test's data
   are the same on every machine. */
static double normal(uint64_t *st)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
        u[k] = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

static void test_measurement_error(void **state)
{
    (void)state;
    /* y = 2 + x + b_g + e with x observed with error of variance 1 (the
       reliability of the observed x is 1/2): the naive slope is attenuated to
       about 1/2; with the error variance given it is about 1 again */
    enum { NG = 40, M = 100, N = NG * M };
    static double x[2 * N], y[N], me[2 * N];
    static uint32_t g[N];
    uint64_t st = 42;
    double b[NG];
    for (int k = 0; k < NG; k++)
        b[k] = 0.5 * normal(&st);
    for (int i = 0; i < N; i++) {
        double xt = normal(&st);
        g[i] = (uint32_t)(i / M);
        x[2 * i] = 1;
        x[2 * i + 1] = xt + normal(&st);
        y[i] = 2 + xt + b[g[i]] + 0.5 * normal(&st);
        me[2 * i] = 0;
        me[2 * i + 1] = 1;
    }
    slds_lmm_problem pr = {.n = N, .p = 2, .x = x, .y = y, .g = g, .n_groups = NG};
    slds_lmm_result naive, fixed;
    slds_error err = {0};
    assert_int_equal(slds_lmm_fit(&pr, NULL, &naive, &err), 0);
    pr.me = me;
    assert_int_equal(slds_lmm_fit(&pr, NULL, &fixed, &err), 0);
    assert_true(fabs(naive.beta[1] - 0.5) < 0.05);
    assert_true(fabs(fixed.beta[1] - 1.0) < 0.06);
    /* the group effects are recovered either way (x is independent of b) */
    double c = 0;
    for (int k = 0; k < NG; k++)
        c += (fixed.blup[k] - b[k]) * (fixed.blup[k] - b[k]);
    assert_true(sqrt(c / NG) < 0.2);
    slds_lmm_result_free(&naive);
    slds_lmm_result_free(&fixed);
}

static void test_rank_deficient(void **state)
{
    (void)state;
    /* columns: intercept, 2 x the intercept (aliased), x, a zero column
       (aliased): the fit drops the two as lme4 does and equals the fit of
       (intercept, x) alone; the dropped betas are NaN */
    double x4[48], x2[24], y[12];
    for (int i = 0; i < 12; i++) {
        double xi = (double)(i % 4);
        x4[4 * i] = 1;
        x4[4 * i + 1] = 2;
        x4[4 * i + 2] = xi;
        x4[4 * i + 3] = 0;
        x2[2 * i] = 1;
        x2[2 * i + 1] = xi;
        y[i] = Y[i] + 0.5 * xi;
    }
    slds_lmm_problem pr = {.n = 12, .p = 4, .x = x4, .y = y, .g = G, .n_groups = 3};
    slds_lmm_result r, ref;
    slds_error err = {0};
    assert_int_equal(slds_lmm_fit(&pr, NULL, &r, &err), 0);
    pr.p = 2;
    pr.x = x2;
    assert_int_equal(slds_lmm_fit(&pr, NULL, &ref, &err), 0);
    assert_int_equal(r.p, 4);
    assert_int_equal(r.n_aliased, 2);
    assert_int_equal(ref.n_aliased, 0);
    assert_true(!r.aliased[0] && r.aliased[1] && !r.aliased[2] && r.aliased[3]);
    assert_true(isnan(r.beta[1]) && isnan(r.beta_se[1]) && isnan(r.beta[3]));
    NEAR(r.beta[0], ref.beta[0], 1e-9);
    NEAR(r.beta[2], ref.beta[1], 1e-9);
    NEAR(r.beta_se[2], ref.beta_se[1], 1e-9);
    NEAR(r.reml, ref.reml, 1e-9);
    for (int g = 0; g < 3; g++) {
        NEAR(r.blup[g], ref.blup[g], 1e-9);
        NEAR(r.blup_se[g], ref.blup_se[g], 1e-9);
    }
    slds_lmm_result_free(&r);
    slds_lmm_result_free(&ref);
    /* only zero columns: nothing left to fit, refused with the reason */
    double z[12] = {0};
    pr.p = 1;
    pr.x = z;
    assert_int_equal(slds_lmm_fit(&pr, NULL, &r, &err), SLDS_ERR_NUMERIC);
    assert_non_null(strstr(err.message, "full rank"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balanced_anova),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_constant_weights),
        cmocka_unit_test(test_slope),
        cmocka_unit_test(test_measurement_error),
        cmocka_unit_test(test_rank_deficient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
