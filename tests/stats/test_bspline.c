/* test_bspline.c - the bs() basis against values of the uniform cubic
 * B-spline computed by hand, partition of unity, symmetry, the boundary
 * cases of R's splines.c, the extrapolation rule, and the R helpers
 * (round, quantile type 7, median). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats/stats.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-13)

static void uniform(slds_bspline *b, int intercept)
{
    double knots[4] = {1, 2, 3, 4};
    slds_bspline_cubic(b, knots, 4, 0, 5);
    b->intercept = intercept;
}

static void test_columns(void **state)
{
    (void)state;
    slds_bspline b;
    uniform(&b, 0);
    assert_int_equal(slds_bspline_ncol(&b), 7);
    b.intercept = 1;
    assert_int_equal(slds_bspline_ncol(&b), 8);
}

static void test_uniform_values(void **state)
{
    (void)state;
    slds_bspline b;
    uniform(&b, 0);
    double x[4] = {1, 2, 0.5, 2.5}, out[4 * 7];
    assert_int_equal(slds_bspline_eval(&b, x, 4, out, 7, NULL), 0);
    /* column 2 is the B-spline on knots 0..4, column 3 on 1..5 */
    NEAR(out[0 * 7 + 2], 1.0 / 6);
    NEAR(out[1 * 7 + 2], 2.0 / 3);
    NEAR(out[1 * 7 + 3], 1.0 / 6);
    NEAR(out[2 * 7 + 2], 1.0 / 48);
    NEAR(out[3 * 7 + 3], 23.0 / 48);
    NEAR(out[3 * 7 + 2], 23.0 / 48);
    /* first (dropped) column would be (1-x)^3 on [0,1]: at 0.5 the rest sum to 7/8 */
    double s = 0;
    for (int c = 0; c < 7; c++)
        s += out[2 * 7 + c];
    NEAR(s, 1.0 - 0.125);
}

static void test_partition_of_unity(void **state)
{
    (void)state;
    slds_bspline b;
    double knots[4] = {392, 440, 481, 529};
    slds_bspline_cubic(&b, knots, 4, 150, 700);
    b.intercept = 1;
    for (double x = 100; x <= 760; x += 3.7) {
        double row[8], s = 0;
        slds_bspline_eval(&b, &x, 1, row, 8, NULL);
        for (int c = 0; c < 8; c++)
            s += row[c];
        assert_true(fabs(s - 1.0) < 1e-9);
        if (x >= 150 && x <= 700)
            for (int c = 0; c < 8; c++)
                assert_true(row[c] >= -1e-15);
    }
}

static void test_symmetry(void **state)
{
    (void)state;
    slds_bspline b;
    double knots[4] = {-3, -1, 1, 3};
    slds_bspline_cubic(&b, knots, 4, -5, 5);
    b.intercept = 1;
    for (double h = 0; h <= 6.5; h += 0.31) {
        double xs[2] = {h, -h}, out[16];
        slds_bspline_eval(&b, xs, 2, out, 8, NULL);
        for (int c = 0; c < 8; c++)
            assert_true(fabs(out[c] - out[8 + 7 - c]) < 1e-9);
    }
}

static void test_boundaries(void **state)
{
    (void)state;
    slds_bspline b;
    uniform(&b, 1);
    double x[2] = {5, 0}, out[16];
    slds_bspline_eval(&b, x, 2, out, 8, NULL);
    for (int c = 0; c < 7; c++)
        NEAR(out[c], 0.0);
    NEAR(out[7], 1.0); /* x at the upper boundary: last function is 1 */
    NEAR(out[8], 1.0); /* x at the lower boundary: first function is 1 */
}

/* Outside the boundary, R extends the cubic piece of the end interval: the
 * first function (1-x)^3 gives 8 at x = -1, and every column matches the
 * cubic interpolating four points inside [0, 1]. */
static void test_extrapolation(void **state)
{
    (void)state;
    slds_bspline b;
    uniform(&b, 1);
    double xo = -1.0, row[8];
    slds_bspline_eval(&b, &xo, 1, row, 8, NULL);
    assert_true(fabs(row[0] - 8.0) < 1e-12);
    assert_true(fabs(row[1] - (3 * xo - 4.5 * xo * xo + 1.75 * xo * xo * xo)) < 1e-12);

    double pts[4] = {0.1, 0.4, 0.7, 0.95}, in[4 * 8];
    slds_bspline_eval(&b, pts, 4, in, 8, NULL);
    for (int c = 0; c < 8; c++) {
        double lag = 0;
        for (int a = 0; a < 4; a++) {
            double l = 1;
            for (int k = 0; k < 4; k++)
                if (k != a)
                    l *= (xo - pts[k]) / (pts[a] - pts[k]);
            lag += l * in[a * 8 + c];
        }
        assert_true(fabs(lag - row[c]) < 1e-10);
    }
    /* right side: the piece on [4, 5]; the last function is (x-4)^3 */
    double xr = 6.0;
    slds_bspline_eval(&b, &xr, 1, row, 8, NULL);
    assert_true(fabs(row[7] - 8.0) < 1e-12);
}

static void test_nan_and_errors(void **state)
{
    (void)state;
    slds_bspline b;
    uniform(&b, 0);
    double x = NAN, row[7];
    assert_int_equal(slds_bspline_eval(&b, &x, 1, row, 7, NULL), 0);
    assert_true(isnan(row[0]) && isnan(row[6]));
    slds_error err = {0};
    b.knots[3] = 5.5;
    assert_int_equal(slds_bspline_eval(&b, &x, 1, row, 7, &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "inside the boundary"));
    uniform(&b, 0);
    b.knots[2] = 1.5;
    assert_int_equal(slds_bspline_check(&b, &err), SLDS_ERR_USAGE);
    uniform(&b, 0);
    assert_int_equal(slds_bspline_eval(&b, &x, 1, row, 6, &err), SLDS_ERR_USAGE);
}

static void test_round_r(void **state)
{
    (void)state;
    assert_true(slds_round_r(2.675, 2) == 2.67);   /* 2.67499999... in binary */
    assert_true(slds_round_r(0.125, 2) == 0.12);   /* exact tie: even digit */
    assert_true(slds_round_r(0.375, 2) == 0.38);
    assert_true(slds_round_r(-0.125, 2) == -0.12);
    assert_true(slds_round_r(2.5, 0) == 2.0);
    assert_true(slds_round_r(3.5, 0) == 4.0);
    assert_true(slds_round_r(523.0000000001, 5) == 523.0);
    assert_true(slds_round_r(522.9999999999, 5) == 523.0);
    assert_true(slds_round_r(522.999994, 5) == 522.99999);
    assert_true(slds_round_r(612.123456789, 3) == 612.123);
}

static void test_quantile_median(void **state)
{
    (void)state;
    double x[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, probs[4] = {0.2, 0.4, 0.6, 0.8}, q[4];
    assert_int_equal(slds_quantile_type7(x, 10, probs, 4, q, NULL), 0);
    NEAR(q[0], 2.8);
    NEAR(q[1], 4.6);
    NEAR(q[2], 6.4);
    NEAR(q[3], 8.2);
    double y[5] = {5, NAN, 1, 3, 2};
    assert_true(slds_median(y, 5) == 2.5);
    assert_true(slds_median(y, 4) == 3.0);
    assert_true(isnan(slds_median(y + 1, 1)));
    slds_error err = {0};
    assert_int_equal(slds_quantile_type7(y + 1, 1, probs, 1, q, &err), SLDS_ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),          cmocka_unit_test(test_uniform_values),
        cmocka_unit_test(test_partition_of_unity), cmocka_unit_test(test_symmetry),
        cmocka_unit_test(test_boundaries),       cmocka_unit_test(test_extrapolation),
        cmocka_unit_test(test_nan_and_errors),   cmocka_unit_test(test_round_r),
        cmocka_unit_test(test_quantile_median),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
