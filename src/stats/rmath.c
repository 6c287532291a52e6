/* rmath.c - scalar helpers that must give R's answers bit for bit, because
 * SGPs count predictions strictly below a score after R's rounding and knots
 * come from R's quantile(): round() (R >= 4.0), quantile(type = 7), median(). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

/* R >= 4.0 fround(): of the two candidates floor(x*10^d)/10^d and
 * ceil(x*10^d)/10^d take the one nearer to x as a double; on a tie take the
 * one whose last digit is even. Digits beyond double precision leave x. */
double slds_round_r(double x, int digits)
{
    if (isnan(x) || !isfinite(x) || x == 0.0)
        return x;
    double sgn = 1.0;
    if (x < 0.0) {
        sgn = -1.0;
        x = -x;
    }
    if (digits <= 0)
        return sgn * nearbyint(x); /* digits 0 only in this project: ties to even */
    static const double pow10s[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    /* R: if log10(x) + digits > DBL_DIG no rounding is needed; the logb()
       estimate is only evaluated when x is large enough to matter */
    if (digits > 15 || x >= 1e15 / pow10s[digits] * 1e-1) {
        double l10x = M_LN2 / M_LN10 * (0.5 + logb(x));
        if (l10x + digits > DBL_DIG)
            return sgn * x;
    }
    double pow10 = pow10s[digits > 15 ? 15 : digits];
    for (int i = 15; i < digits; i++)
        pow10 *= 10.0;
    double x10 = pow10 * x, i10 = floor(x10);
    double xd = i10 / pow10, xu = ceil(x10) / pow10;
    double du = xu - x, dd = x - xd;
    return sgn * ((du < dd || (du == dd && fmod(i10, 2.0) == 1.0)) ? xu : xd);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Copies the non-NaN values and sorts them; returns the count or -1. */
static long sorted_finite(const double *x, size_t n, double **out)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            s[m++] = x[i];
    qsort(s, m, sizeof *s, cmp_double);
    *out = s;
    return (long)m;
}

int slds_quantile_type7(const double *x, size_t n, const double *probs, size_t n_probs,
                        double *out, slds_error *err)
{
    for (size_t k = 0; k < n_probs; k++)
        if (!(probs[k] >= 0.0 && probs[k] <= 1.0))
            return slds_fail(err, SLDS_ERR_USAGE, "quantile probability %g is outside [0, 1]",
                             probs[k]);
    double *s = NULL;
    long m = sorted_finite(x, n, &s);
    if (m < 0)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory computing quantiles of %zu values", n);
    if (m == 0) {
        free(s);
        return slds_fail(err, SLDS_ERR_USAGE, "quantile of no (non-missing) value");
    }
    /* R: index <- 1 + (n - 1) * probs; lo <- floor(index); hi <- ceiling(index);
       qs <- x[lo]; h <- index - lo; qs <- (1 - h) * qs + h * x[hi] where index > lo
       and x[hi] != qs. */
    for (size_t k = 0; k < n_probs; k++) {
        double index = 1.0 + (double)(m - 1) * probs[k];
        double lo = floor(index), hi = ceil(index);
        double qs = s[(long)lo - 1], xhi = s[(long)hi - 1];
        if (index > lo && xhi != qs) {
            double h = index - lo;
            qs = (1.0 - h) * qs + h * xhi;
        }
        out[k] = qs;
    }
    free(s);
    return SLDS_OK;
}

double slds_median(const double *x, size_t n)
{
    double *s = NULL;
    long m = sorted_finite(x, n, &s);
    if (m <= 0) {
        free(s);
        return NAN;
    }
    long half = (m + 1) / 2;
    double med;
    if (m % 2 == 1)
        med = s[half - 1];
    else
        med = (double)(((long double)s[half - 1] + (long double)s[half]) / 2.0L);
    free(s);
    return med;
}
