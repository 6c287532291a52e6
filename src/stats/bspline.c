/* bspline.c - the B-spline basis of R's splines::bs().
 *
 * bs() builds the augmented knot sequence (degree + 1 copies of each boundary
 * knot around the interior knots) and evaluates the non-zero basis functions
 * with the Cox-de Boor recursion of splines.c (basis_funcs); x equal to the
 * upper boundary knot belongs to the last interval. For x beyond a boundary
 * knot, R (>= 3.3) evaluates the basis and its derivatives 0..degree at a
 * pivot a quarter of the way from the boundary knot to the nearest interior
 * knot and extends them by Taylor's formula; this file does the same with the
 * same order of operations so that the values agree to rounding. */
#include <math.h>
#include <string.h>

#include "stats/stats.h"

enum { BS_MAX_AKNOTS = SLDS_BS_MAX_KNOTS + 2 * (SLDS_BS_MAX_DEGREE + 1) };

/* Augmented knots of a spline: ord copies of each boundary around the knots. */
typedef struct bs_knots {
    int ord;
    int n;                       /* number of augmented knots */
    double t[BS_MAX_AKNOTS];
} bs_knots;

void slds_bspline_cubic(slds_bspline *b, const double *knots, int n_knots, double lower,
                        double upper)
{
    memset(b, 0, sizeof *b);
    b->degree = 3;
    b->n_knots = n_knots;
    for (int i = 0; i < n_knots && i < SLDS_BS_MAX_KNOTS; i++)
        b->knots[i] = knots[i];
    b->boundary[0] = lower;
    b->boundary[1] = upper;
    b->intercept = 0;
}

int slds_bspline_ncol(const slds_bspline *b)
{
    return b->n_knots + b->degree + (b->intercept ? 1 : 0);
}

int slds_bspline_check(const slds_bspline *b, slds_error *err)
{
    if (b->degree < 1 || b->degree > SLDS_BS_MAX_DEGREE)
        return slds_fail(err, SLDS_ERR_USAGE, "B-spline degree %d is not in 1..%d", b->degree,
                         SLDS_BS_MAX_DEGREE);
    if (b->n_knots < 0 || b->n_knots > SLDS_BS_MAX_KNOTS)
        return slds_fail(err, SLDS_ERR_USAGE, "B-spline has %d interior knots (at most %d)",
                         b->n_knots, SLDS_BS_MAX_KNOTS);
    if (!isfinite(b->boundary[0]) || !isfinite(b->boundary[1]) ||
        !(b->boundary[0] < b->boundary[1]))
        return slds_fail(err, SLDS_ERR_USAGE,
                         "B-spline boundary knots [%g, %g] are not an increasing pair",
                         b->boundary[0], b->boundary[1]);
    for (int i = 0; i < b->n_knots; i++) {
        double k = b->knots[i];
        if (!isfinite(k) || !(k > b->boundary[0] && k < b->boundary[1]))
            return slds_fail(err, SLDS_ERR_USAGE,
                             "B-spline knot %g is not strictly inside the boundary [%g, %g]", k,
                             b->boundary[0], b->boundary[1]);
        if (i > 0 && k < b->knots[i - 1])
            return slds_fail(err, SLDS_ERR_USAGE, "B-spline knots are not sorted (%g after %g)",
                             k, b->knots[i - 1]);
        /* A knot repeated more than degree times would make the basis discontinuous
           in a way splines.c does not handle either. */
        if (i >= b->degree && k == b->knots[i - b->degree])
            return slds_fail(err, SLDS_ERR_USAGE,
                             "B-spline knot %g is repeated more than %d times", k, b->degree);
    }
    return SLDS_OK;
}

static void bs_make_knots(const slds_bspline *b, bs_knots *a)
{
    int ord = b->degree + 1, n = 0;
    for (int i = 0; i < ord; i++)
        a->t[n++] = b->boundary[0];
    for (int i = 0; i < b->n_knots; i++)
        a->t[n++] = b->knots[i];
    for (int i = 0; i < ord; i++)
        a->t[n++] = b->boundary[1];
    a->ord = ord;
    a->n = n;
}

/* splines.c set_cursor(): index of the first knot > x, with x equal to the
 * upper boundary mapped into the last interval. */
static int bs_cursor(const bs_knots *a, double x, int *boundary)
{
    int curs = 0;
    *boundary = 0;
    for (int i = 0; i < a->n; i++) {
        if (a->t[i] >= x)
            curs = i;
        if (a->t[i] > x)
            break;
    }
    int last_legit = a->n - a->ord;
    if (curs > last_legit && x == a->t[last_legit]) {
        *boundary = 1;
        curs = last_legit;
    }
    return curs;
}

/* splines.c basis_funcs(): the ord non-zero basis values at x, for the basis
 * functions curs-ord .. curs-1. */
static void bs_basis_values(const bs_knots *a, int curs, double x, double *b)
{
    double rdel[SLDS_BS_MAX_DEGREE + 1], ldel[SLDS_BS_MAX_DEGREE + 1];
    int ordm1 = a->ord - 1;
    for (int i = 0; i < ordm1; i++) {
        rdel[i] = a->t[curs + i] - x;
        ldel[i] = x - a->t[curs - (i + 1)];
    }
    b[0] = 1.0;
    for (int j = 1; j <= ordm1; j++) {
        double saved = 0.0;
        for (int r = 0; r < j; r++) {
            double term = b[r] / (rdel[r] + ldel[j - 1 - r]);
            b[r] = saved + rdel[r] * term;
            saved = ldel[j - 1 - r] * term;
        }
        b[j] = saved;
    }
}

/* splines.c evaluate(): derivative nder at x of the spline with local
 * coefficients coef[0..ord-1] (those of basis functions curs-ord..curs-1). */
static double bs_evaluate(const bs_knots *a, int curs, int boundary, double x,
                          const double *coef, int nder)
{
    double c[SLDS_BS_MAX_DEGREE + 2];
    double rdel[SLDS_BS_MAX_DEGREE + 1], ldel[SLDS_BS_MAX_DEGREE + 1];
    const double *ti = a->t + curs;
    int ordm1 = a->ord - 1, outer = ordm1;

    if (boundary && nder == ordm1)
        return 0.0;
    memcpy(c, coef, (size_t)a->ord * sizeof *c);
    while (nder-- > 0) {
        const double *lpt = ti - outer;
        for (int k = 0; k < outer; k++)
            c[k] = outer * (c[k + 1] - c[k]) / (lpt[k + outer] - lpt[k]);
        outer--;
    }
    for (int i = 0; i < outer; i++) {
        rdel[i] = a->t[curs + i] - x;
        ldel[i] = x - a->t[curs - (i + 1)];
    }
    while (outer-- > 0) {
        /* apt walks c forward, lpt walks ldel backward from ldel[outer], rpt rdel forward */
        for (int k = 0; k <= outer; k++) {
            double l = ldel[outer - k], r = rdel[k];
            c[k] = (c[k + 1] * l + c[k] * r) / (r + l);
        }
    }
    return c[0];
}

/* R's x ^ d for a double d that is a small integer: x*x for 2, powl()
 * otherwise (R uses powl on x86-64). */
static double r_pow(double x, int d)
{
    if (d == 2)
        return x * x;
    return (double)powl(x, d);
}

/* Derivatives 0..degree of every basis function at the pivot, divided by
 * the factorials: tt[d*ncol_full + col]. */
static void bs_pivot_table(const bs_knots *a, double pivot, double *tt, int ncol_full)
{
    int boundary, curs = bs_cursor(a, pivot, &boundary);
    int ord = a->ord, off = curs - ord;
    double fact = 1.0;
    memset(tt, 0, (size_t)ord * (size_t)ncol_full * sizeof *tt);
    for (int d = 0; d < ord; d++) {
        if (d > 0)
            fact *= d;
        for (int ii = 0; ii < ord; ii++) {
            double unit[SLDS_BS_MAX_DEGREE + 1] = {0};
            unit[ii] = 1.0;
            double v = bs_evaluate(a, curs, boundary, pivot, unit, d);
            tt[d * ncol_full + off + ii] = v / fact;
        }
    }
}

int slds_bspline_eval(const slds_bspline *b, const double *x, size_t n, double *out, size_t ld,
                      slds_error *err)
{
    int rc = slds_bspline_check(b, err);
    if (rc)
        return rc;
    int ncol = slds_bspline_ncol(b);
    if (ld < (size_t)ncol)
        return slds_fail(err, SLDS_ERR_USAGE, "B-spline output stride %zu < %d columns", ld, ncol);

    bs_knots a;
    bs_make_knots(b, &a);
    int ord = a.ord, degree = b->degree;
    int ncol_full = a.n - ord; /* = n_knots + ord */
    int skip = b->intercept ? 0 : 1;

    /* Taylor tables at the two pivots, computed once. */
    double e = 0.25;
    double tt_lo[(SLDS_BS_MAX_DEGREE + 1) * (SLDS_BS_MAX_KNOTS + SLDS_BS_MAX_DEGREE + 1)];
    double tt_hi[(SLDS_BS_MAX_DEGREE + 1) * (SLDS_BS_MAX_KNOTS + SLDS_BS_MAX_DEGREE + 1)];
    double piv_lo = (1 - e) * b->boundary[0] + e * a.t[ord];
    double piv_hi = (1 - e) * b->boundary[1] + e * a.t[a.n - ord - 1];
    int have_tables = 0;

    double full[SLDS_BS_MAX_KNOTS + SLDS_BS_MAX_DEGREE + 1];
    for (size_t i = 0; i < n; i++) {
        double xi = x[i];
        double *row = out + i * ld;
        if (isnan(xi)) {
            for (int c = 0; c < ncol; c++)
                row[c] = NAN;
            continue;
        }
        for (int c = 0; c < ncol_full; c++)
            full[c] = 0.0;
        if (xi < b->boundary[0] || xi > b->boundary[1]) {
            if (!have_tables) {
                bs_pivot_table(&a, piv_lo, tt_lo, ncol_full);
                bs_pivot_table(&a, piv_hi, tt_hi, ncol_full);
                have_tables = 1;
            }
            const double *tt = xi < b->boundary[0] ? tt_lo : tt_hi;
            double h = xi - (xi < b->boundary[0] ? piv_lo : piv_hi);
            double pw[SLDS_BS_MAX_DEGREE + 1];
            pw[0] = 1.0;
            for (int d = 1; d <= degree; d++)
                pw[d] = r_pow(h, d);
            for (int c = 0; c < ncol_full; c++) {
                double s = 0.0;
                for (int d = 0; d < ord; d++)
                    s += pw[d] * tt[d * ncol_full + c];
                full[c] = s;
            }
        } else {
            int boundary, curs = bs_cursor(&a, xi, &boundary);
            double v[SLDS_BS_MAX_DEGREE + 1];
            bs_basis_values(&a, curs, xi, v);
            for (int k = 0; k < ord; k++)
                full[curs - ord + k] = v[k];
        }
        for (int c = 0; c < ncol; c++)
            row[c] = full[c + skip];
    }
    return SLDS_OK;
}
