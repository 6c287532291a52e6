/* test_rq.c - the quantile regression solver against answers known in closed
 * form (medians, order statistics, exact fits) and against brute-force
 * enumeration of every vertex on small problems, in every solver mode. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats/stats.h"

static uint64_t rng_state = 88172645463325252ULL;
static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1.0p-53;
}

/* Minimum check loss over all vertices (p-subsets of observations). */
static double brute_force(const slds_rq_problem *pr, double tau)
{
    int p = pr->p;
    size_t n = pr->n;
    double best = INFINITY;
    int idx[8];
    for (int k = 0; k < p; k++)
        idx[k] = k;
    for (;;) {
        /* solve X_idx b = y_idx by Gaussian elimination */
        double a[8][9];
        for (int r = 0; r < p; r++) {
            for (int c = 0; c < p; c++)
                a[r][c] = pr->x[(size_t)idx[r] * (size_t)p + (size_t)c];
            a[r][p] = pr->y[idx[r]];
        }
        int ok = 1;
        for (int c = 0; c < p && ok; c++) {
            int piv = c;
            for (int r = c + 1; r < p; r++)
                if (fabs(a[r][c]) > fabs(a[piv][c]))
                    piv = r;
            if (fabs(a[piv][c]) < 1e-12) {
                ok = 0;
                break;
            }
            for (int k = 0; k <= p; k++) {
                double t = a[c][k];
                a[c][k] = a[piv][k];
                a[piv][k] = t;
            }
            for (int r = 0; r < p; r++) {
                if (r == c)
                    continue;
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= p; k++)
                    a[r][k] -= f * a[c][k];
            }
        }
        if (ok) {
            double b[8];
            for (int r = 0; r < p; r++)
                b[r] = a[r][p] / a[r][r];
            double v = slds_rq_check_loss(pr, tau, b);
            if (v < best)
                best = v;
        }
        int k = p - 1;
        while (k >= 0 && idx[k] == (int)n - p + k)
            k--;
        if (k < 0)
            break;
        idx[k]++;
        for (int j = k + 1; j < p; j++)
            idx[j] = idx[j - 1] + 1;
    }
    return best;
}

static void fit_ok(const slds_rq_problem *pr, const slds_rq_params *prm, slds_rq_result *res)
{
    slds_error err = {0};
    int rc = slds_rq_fit(pr, prm, res, &err);
    if (rc)
        fail_msg("slds_rq_fit: %s", err.message);
}

static void test_median_intercept(void **state)
{
    (void)state;
    double x[7] = {1, 1, 1, 1, 1, 1, 1}, y[7] = {5, 1, 9, 3, 7, 2, 8};
    slds_rq_problem pr = {.n = 7, .p = 1, .x = x, .y = y};
    double taus[3] = {0.25, 0.5, 0.9};
    slds_rq_params prm;
    slds_rq_params_default(&prm);
    prm.taus = taus;
    prm.n_taus = 3;
    slds_rq_result res;
    fit_ok(&pr, &prm, &res);
    /* sorted 1 2 3 5 7 8 9: tau n = 1.75 -> 2nd, 3.5 -> 4th, 6.3 -> 7th */
    assert_true(res.coef[0] == 2.0);
    assert_true(res.coef[1] == 5.0);
    assert_true(res.coef[2] == 9.0);
    slds_rq_result_free(&res);
}

static void test_weighted_quantile(void **state)
{
    (void)state;
    double x[4] = {1, 1, 1, 1}, y[4] = {10, 20, 30, 40}, w[4] = {1, 1, 5, 1};
    slds_rq_problem pr = {.n = 4, .p = 1, .x = x, .y = y, .w = w};
    double taus[2] = {0.2, 0.5};
    slds_rq_params prm;
    slds_rq_params_default(&prm);
    prm.taus = taus;
    prm.n_taus = 2;
    slds_rq_result res;
    fit_ok(&pr, &prm, &res);
    /* total weight 8: 0.2*8 = 1.6 -> 2nd obs (cum 2), 0.5*8 = 4 -> 30 */
    assert_true(res.coef[0] == 20.0);
    assert_true(res.coef[1] == 30.0);
    slds_rq_result_free(&res);
}

static void test_exact_fit_line(void **state)
{
    (void)state;
    enum { N = 50 };
    double x[2 * N], y[N];
    for (int i = 0; i < N; i++) {
        x[2 * i] = 1.0;
        x[2 * i + 1] = i * 0.37 - 4.0;
        y[i] = 2.0 + 3.0 * x[2 * i + 1];
    }
    slds_rq_problem pr = {.n = N, .p = 2, .x = x, .y = y};
    slds_rq_params prm;
    slds_rq_params_default(&prm);
    slds_rq_result res;
    fit_ok(&pr, &prm, &res);
    for (int k = 0; k < 100; k++) {
        assert_true(fabs(res.coef[2 * k] - 2.0) < 1e-9);
        assert_true(fabs(res.coef[2 * k + 1] - 3.0) < 1e-9);
        assert_true(res.objective[k] < 1e-8);
    }
    slds_rq_result_free(&res);
}

/* The column rank of the n x p design, by Gaussian elimination with partial
 * pivoting on a copy (independent of the solver's own rank check). The
 * designs drawn here hold small integers or values of order 1, so a pivot
 * below 1e-9 is a zero. */
static int design_rank(const double *x, int n, int p)
{
    double *a = malloc((size_t)n * (size_t)p * sizeof *a);
    assert_non_null(a);
    memcpy(a, x, (size_t)n * (size_t)p * sizeof *a);
    int rank = 0;
    for (int j = 0; j < p && rank < n; j++) {
        int piv = rank;
        for (int i = rank + 1; i < n; i++)
            if (fabs(a[i * p + j]) > fabs(a[piv * p + j]))
                piv = i;
        if (fabs(a[piv * p + j]) < 1e-9)
            continue;
        for (int c = 0; c < p; c++) {
            double t = a[rank * p + c];
            a[rank * p + c] = a[piv * p + c];
            a[piv * p + c] = t;
        }
        for (int i = rank + 1; i < n; i++) {
            double f = a[i * p + j] / a[rank * p + j];
            for (int c = j; c < p; c++)
                a[i * p + c] -= f * a[rank * p + c];
        }
        rank++;
    }
    free(a);
    return rank;
}

/* Random small problems, continuous and heavily tied, against enumeration.
 * A tied random design can be singular: such a draw is replaced (the solver
 * refusing singular designs is test_rank_deficient), so every call compares
 * a fit, and a full-rank design the solver refuses fails the test. */
static void check_brute(int n, int p, int tied, size_t band_min_n, int threads)
{
    double *x = malloc((size_t)n * (size_t)p * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int draws = 0;
    do {
        assert_true(++draws <= 100);
        for (int i = 0; i < n; i++) {
            x[i * p] = 1.0;
            for (int j = 1; j < p; j++)
                x[i * p + j] = tied ? floor(urand() * 4) : urand() * 10 - 5;
            y[i] = tied ? floor(urand() * 5) : x[i * p + (p > 1)] * 2 + urand() * 3;
        }
    } while (design_rank(x, n, p) < p);
    slds_rq_problem pr = {.n = (size_t)n, .p = p, .x = x, .y = y};
    slds_rq_params prm;
    slds_rq_params_default(&prm);
    prm.band_min_n = band_min_n;
    prm.n_threads = threads;
    slds_rq_result res;
    slds_error err = {0};
    int rc = slds_rq_fit(&pr, &prm, &res, &err);
    if (rc)
        fail_msg("n=%d p=%d tied=%d: a full-rank design refused: %s", n, p, tied, err.message);
    for (int k = 0; k < 100; k += 7) {
        double tau = res.taus[k];
        double bf = brute_force(&pr, tau);
        double got = slds_rq_check_loss(&pr, tau, res.coef + (size_t)k * (size_t)p);
        if (fabs(got - bf) > 1e-9 * (1 + bf))
            fail_msg("n=%d p=%d tied=%d tau=%g: loss %.12g, optimum %.12g", n, p, tied, tau,
                     got, bf);
        assert_true(fabs(res.objective[k] - got) < 1e-8 * (1 + got));
    }
    slds_rq_result_free(&res);
    free(x);
    free(y);
}

static void test_brute_force(void **state)
{
    (void)state;
    for (int rep = 0; rep < 6; rep++) {
        check_brute(14, 2, 0, 3000, 1);
        check_brute(14, 3, 0, 3000, 2);
        check_brute(16, 3, 1, 3000, 1);
        check_brute(12, 4, 0, 3000, 2);
        check_brute(16, 2, 1, 1, 2);   /* band solver on a tiny problem */
        check_brute(13, 3, 0, 1, 1);
    }
}

/* Band solver and whole-data solver agree on a medium problem with ties. */
static void test_band_equals_full(void **state)
{
    (void)state;
    int n = 6000, p = 6;
    double *x = malloc((size_t)n * (size_t)p * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    slds_bspline b;
    double knots[3] = {-1, 0, 1};
    slds_bspline_cubic(&b, knots, 3, -4, 4);
    for (int i = 0; i < n; i++) {
        double t = floor((urand() * 6 - 3) * 10) / 10;
        double row[6];
        slds_bspline_eval(&b, &t, 1, row, 6, NULL);
        x[i * p] = 1.0;
        for (int j = 1; j < p; j++)
            x[i * p + j] = row[j - 1];
        y[i] = floor(10 * t + 5 * (1 + fabs(t)) * (urand() + urand() - 1));
    }
    slds_rq_problem pr = {.n = (size_t)n, .p = p, .x = x, .y = y};
    slds_rq_params a, c;
    slds_rq_params_default(&a);
    slds_rq_params_default(&c);
    a.band_min_n = 1;
    c.band_min_n = (size_t)n + 1;
    slds_rq_result ra, rc;
    fit_ok(&pr, &a, &ra);
    fit_ok(&pr, &c, &rc);
    assert_true(ra.band_solves > 0);
    for (int k = 0; k < 100; k++) {
        double la = ra.objective[k], lc = rc.objective[k];
        if (fabs(la - lc) > 1e-9 * (1 + lc))
            fail_msg("tau %g: band %.12g vs full %.12g", ra.taus[k], la, lc);
    }
    slds_rq_result_free(&ra);
    slds_rq_result_free(&rc);
    free(x);
    free(y);
}

static void test_rank_deficient(void **state)
{
    (void)state;
    enum { N = 30 };
    double x[3 * N], y[N];
    for (int i = 0; i < N; i++) {
        x[3 * i] = 1.0;
        x[3 * i + 1] = i;
        x[3 * i + 2] = 2.0 * i + 1.0; /* = 2*col2 + col1 */
        y[i] = i % 7;
    }
    slds_rq_problem pr = {.n = N, .p = 3, .x = x, .y = y};
    slds_rq_result res;
    slds_error err = {0};
    assert_int_equal(slds_rq_fit(&pr, NULL, &res, &err), SLDS_ERR_NUMERIC);
    assert_non_null(strstr(err.message, "rank deficient"));
    assert_null(res.coef);

    for (int i = 0; i < N; i++)
        x[3 * i + 2] = 0.0;
    assert_int_equal(slds_rq_fit(&pr, NULL, &res, &err), SLDS_ERR_NUMERIC);
    assert_non_null(strstr(err.message, "column 3 is zero"));
}

static void test_bad_input(void **state)
{
    (void)state;
    double x[2] = {1, 1}, y[2] = {1, NAN};
    slds_rq_problem pr = {.n = 2, .p = 1, .x = x, .y = y};
    slds_rq_result res;
    slds_error err = {0};
    assert_int_equal(slds_rq_fit(&pr, NULL, &res, &err), SLDS_ERR_USAGE);
    y[1] = 2;
    double taus[2] = {0.5, 0.4};
    slds_rq_params prm;
    slds_rq_params_default(&prm);
    prm.taus = taus;
    prm.n_taus = 2;
    assert_int_equal(slds_rq_fit(&pr, &prm, &res, &err), SLDS_ERR_USAGE);
    pr.p = 3;
    assert_int_equal(slds_rq_fit(&pr, NULL, &res, &err), SLDS_ERR_NUMERIC);
}

/* Threads split the taus; results must not depend on how. */
static void test_threads_identical(void **state)
{
    (void)state;
    int n = 800, p = 4;
    double *x = malloc((size_t)n * (size_t)p * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    for (int i = 0; i < n; i++) {
        x[i * p] = 1;
        for (int j = 1; j < p; j++)
            x[i * p + j] = urand();
        y[i] = floor(100 * (x[i * p + 1] + x[i * p + 2] * urand()));
    }
    slds_rq_problem pr = {.n = (size_t)n, .p = p, .x = x, .y = y};
    slds_rq_params a, b;
    slds_rq_params_default(&a);
    slds_rq_params_default(&b);
    a.n_threads = 1;
    b.n_threads = 3;
    slds_rq_result ra, rb;
    fit_ok(&pr, &a, &ra);
    fit_ok(&pr, &b, &rb);
    for (int k = 0; k < 100; k++)
        assert_true(fabs(ra.objective[k] - rb.objective[k]) <= 1e-9 * (1 + ra.objective[k]));
    slds_rq_result_free(&ra);
    slds_rq_result_free(&rb);
    free(x);
    free(y);
}

/* A design like the SGP ones on data like the state-sized benchmark: a
 * cubic B-spline of one prior (7 columns) with a sparse tail, students
 * resampled with jitter (clusters of near-identical rows), optional weights.
 * The band solver (which here needs its extensions and repairs) must find the
 * optimum of the whole-data solver at every tau. */
static void make_clustered(int n, int weighted, double **xo, double **yo, double **wo)
{
    int p = 8, base = 400;
    double *x = malloc((size_t)n * (size_t)p * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    double *w = weighted ? malloc((size_t)n * sizeof *w) : NULL;
    double bx[400], by[400];
    for (int k = 0; k < base; k++) {
        /* priors skewed towards the top, a thin low tail */
        double u = urand();
        bx[k] = 180.0 + 600.0 * sqrt(u);
        by[k] = 50.0 + 0.9 * bx[k] + 40.0 * (urand() + urand() + urand() - 1.5);
    }
    slds_bspline b;
    double knots[4] = {542, 580, 606, 635};
    slds_bspline_cubic(&b, knots, 4, 180, 940);
    for (int i = 0; i < n; i++) {
        int k = (int)(urand() * base);
        double t = bx[k] + urand() - 0.5, row[7];
        slds_bspline_eval(&b, &t, 1, row, 7, NULL);
        x[i * p] = 1.0;
        for (int j = 1; j < p; j++)
            x[i * p + j] = row[j - 1];
        y[i] = by[k] + urand() - 0.5;
        if (w)
            w[i] = 0.5 + urand();
    }
    *xo = x;
    *yo = y;
    *wo = w;
}

static void check_band_vs_full(int weighted)
{
    int n = 20000, p = 8;
    double *x, *y, *w;
    make_clustered(n, weighted, &x, &y, &w);
    slds_rq_problem pr = {.n = (size_t)n, .p = p, .x = x, .y = y, .w = w};
    slds_rq_params a, c;
    slds_rq_params_default(&a);
    slds_rq_params_default(&c);
    a.band_min_n = 1;
    c.band_min_n = (size_t)n + 1;
    slds_rq_result ra, rc;
    fit_ok(&pr, &a, &ra);
    fit_ok(&pr, &c, &rc);
    assert_true(ra.band_solves > 0);
    for (int k = 0; k < 100; k++) {
        double la = ra.objective[k], lc = rc.objective[k];
        double check = slds_rq_check_loss(&pr, ra.taus[k], ra.coef + (size_t)k * (size_t)p);
        if (fabs(la - lc) > 1e-9 * (1 + lc) || fabs(check - la) > 1e-8 * (1 + la))
            fail_msg("tau %g: band %.12g (check %.12g) vs full %.12g", ra.taus[k], la, check, lc);
        for (int j = 0; j < p; j++) {
            double u = ra.coef[(size_t)k * (size_t)p + (size_t)j];
            double v = rc.coef[(size_t)k * (size_t)p + (size_t)j];
            if (fabs(u - v) > 1e-7 * (1 + fabs(v)))
                fail_msg("tau %g coefficient %d: band %.12g vs full %.12g", ra.taus[k], j, u, v);
        }
    }
    slds_rq_result_free(&ra);
    slds_rq_result_free(&rc);
    free(x);
    free(y);
    free(w);
}

static void test_band_clustered(void **state)
{
    (void)state;
    check_band_vs_full(0);
}

static void test_band_clustered_weighted(void **state)
{
    (void)state;
    check_band_vs_full(1);
}

/* The coefficients come from a fresh inverse of the optimal basis taken in
 * increasing order of observation: the same to the last bit whatever the
 * number of threads (and so the path that reached the basis). */
static void test_threads_bit_identical(void **state)
{
    (void)state;
    int n = 8000, p = 8;
    double *x, *y, *w;
    make_clustered(n, 0, &x, &y, &w);
    slds_rq_problem pr = {.n = (size_t)n, .p = p, .x = x, .y = y, .w = NULL};
    for (int band = 0; band < 2; band++) {
        slds_rq_result r[4];
        for (int t = 0; t < 4; t++) {
            slds_rq_params prm;
            slds_rq_params_default(&prm);
            prm.n_threads = t + 1;
            prm.band_min_n = band ? 1 : (size_t)n + 1;
            fit_ok(&pr, &prm, &r[t]);
        }
        for (int t = 1; t < 4; t++)
            assert_memory_equal(r[0].coef, r[t].coef, 100 * (size_t)p * sizeof(double));
        for (int t = 0; t < 4; t++)
            slds_rq_result_free(&r[t]);
    }
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_intercept),  cmocka_unit_test(test_weighted_quantile),
        cmocka_unit_test(test_exact_fit_line),    cmocka_unit_test(test_brute_force),
        cmocka_unit_test(test_band_equals_full),  cmocka_unit_test(test_rank_deficient),
        cmocka_unit_test(test_bad_input),         cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_band_clustered),    cmocka_unit_test(test_band_clustered_weighted),
        cmocka_unit_test(test_threads_bit_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
