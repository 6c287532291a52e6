/* cholesky.c - the small dense Cholesky factorization and solve that the
 * mixed model (lmm.c) and early warning's logistic regression (src/warn)
 * both need: p is at most a few dozen there, so a plain triple loop is as
 * fast as a library call and needs no LAPACK. */
#include "stats/stats.h"

#include <math.h>

int slds_cholesky(double *a, int p, double rel_tol, double floor)
{
    for (int j = 0; j < p; j++) {
        double d = a[j * p + j], d0 = d;
        for (int k = 0; k < j; k++)
            d -= a[j * p + k] * a[j * p + k];
        /* a column (nearly) in the span of the earlier ones */
        if (!(d > rel_tol * (d0 > floor ? d0 : floor)))
            return 0;
        d = sqrt(d);
        a[j * p + j] = d;
        for (int i = j + 1; i < p; i++) {
            double v = a[i * p + j];
            for (int k = 0; k < j; k++)
                v -= a[i * p + k] * a[j * p + k];
            a[i * p + j] = v / d;
        }
    }
    return 1;
}

void slds_cholesky_solve(const double *l, int p, double *b)
{
    for (int i = 0; i < p; i++) {
        double v = b[i];
        for (int k = 0; k < i; k++)
            v -= l[i * p + k] * b[k];
        b[i] = v / l[i * p + i];
    }
    for (int i = p - 1; i >= 0; i--) {
        double v = b[i];
        for (int k = i + 1; k < p; k++)
            v -= l[k * p + i] * b[k];
        b[i] = v / l[i * p + i];
    }
}
