/* rq.c - exact linear quantile regression at many quantiles.
 *
 * Notes on the design
 * -------------------
 * The problem min_b sum_i w_i rho_tau(y_i - x_i'b) is a linear program whose
 * vertices are the fits through p observations (a "basis" h with X_h
 * invertible, b = X_h^{-1} y_h). The solver is a primal simplex method on
 * those vertices, in the form of Barrodale and Roberts: from a vertex, each of
 * the 2p edges frees one basic observation upwards or downwards; the slope of
 * the objective along edge (j, s) is
 *     slope = w_j * (s > 0 ? 1 - tau : tau) - s * d_j,   d = X_h^{-T} G,
 * with G = sum over non-basic i of w_i psi_i x_i (psi = tau above the fit,
 * tau - 1 below) plus the gradient of the globbed observations. If no slope is
 * negative the vertex is optimal. Otherwise the step along the steepest edge
 * is a "long step": the objective is convex and piecewise linear along the
 * edge, each observation crossed adds w_i |z_i| to the slope, and the step
 * stops at the crossing where the slope becomes >= 0; that observation
 * enters the basis. X_h^{-1} is updated by a rank-one formula and recomputed
 * (Gauss-Jordan) every REFACTOR_EVERY pivots and before optimality is
 * declared, with the basis in increasing order of observation: the
 * coefficients returned, X_h^{-1} y_h from that inverse, depend on the optimal
 * basis only (not on the threads or the path), to the last bit.
 *
 * Invariants (asserted with assert(), cheap checks only, and checked in
 * tests; the build keeps asserts on: CMakeLists.txt drops NDEBUG):
 *  1. Every result is a vertex: b = X_h^{-1} y_h for the original y, so p
 *     observations are fitted exactly (asserted in ws_finish to a tolerance
 *     far above rounding; tests: test_rq exact-fit and median). The basis
 *     holds p distinct working rows, in increasing order of observation
 *     after a fresh factorisation, and exactly they have sign 0 (asserted
 *     at every optimum); a pivot's entering row moves along the step
 *     (sz > 0), the step is >= 0, and the pivot element is non-zero.
 *  1b. At an optimum the reduced costs are within the dual bounds,
 *     -tau w_j <= d_j <= (1 - tau) w_j up to the pricing tolerance, and
 *     every non-basic residual is on the side its sign says up to tol_r
 *     (primal feasibility; asserted when simplex stops).
 *  2. Ties are broken by solving with y perturbed by at most 1e-8 * scale
 *     (a fixed hash of the index); the final basis is then re-checked with the
 *     original y and the simplex continues on the original data if any sign
 *     disagrees beyond rounding. So the answer is the optimum of the problem as
 *     given, not of the perturbed one.
 *  3. With the band solver, observations far from the previous fit are
 *     replaced by their gradient (globbed); the solution of the reduced
 *     problem is accepted only when every globbed observation is on the side
 *     assumed, which makes it optimal for the full problem (Portnoy and
 *     Koenker 1997). Otherwise the offenders join the band and it is re-solved.
 *     A band whose reduced problem turns out unbounded along a step is
 *     extended along that step (ws_extend) rather than rebuilt.
 *  4. A design that is not of full column rank is refused before any pivot.
 *
 * Speed (see docs/growth-method.md): bands chosen on leverage-scaled
 * residuals with margins growing with n, globbed sums kept up to date as rows
 * change zone, the working rows and the design also stored by columns for
 * vectorised products (AVX2 chosen at run time, bit-identical to plain
 * loops), a ratio test that collects only the rows crossed before a guessed
 * step.
 *
 * Taus are split into ceil(threads / 2) contiguous segments; the middle tau
 * of a segment is solved from a cold start and two streams warm-start every
 * tau from the previous one's basis, downwards and upwards (on two threads).
 * Threads share only the read-only problem and write disjoint columns of the
 * result. */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef SLDS_RQ_TRACE
#include <stdio.h>
#endif

#include "stats/stats.h"


enum { REFACTOR_EVERY = 40, MAX_PIVOTS_PER_TAU = 200000, M_REFRESH = 8 };

/* Band width for a warm start from the previous tau: twice the expected
 * number of observations crossing the fit (n dtau) plus A standard
 * deviations of the fit's change, plus B rows per column; at least BAND_F
 * rows per column. A narrower band costs less per pivot but fails (a repair
 * or an extension, each a pass over all n rows) more often, so the margins
 * grow with n: A and B go from BAND_A0, BAND_B0 at n = BAND_N0 to BAND_A1,
 * BAND_B1 at BAND_N1, linearly in log n, and stay there outside. Tuned on the
 * SGP designs (p = 8..29, n = 3e3..1e5). */
#ifndef BAND_A0
#define BAND_A0 1.0
#endif
#ifndef BAND_B0
#define BAND_B0 1.0
#endif
#ifndef BAND_A1
#define BAND_A1 6.0
#endif
#ifndef BAND_B1
#define BAND_B1 8.0
#endif
#define BAND_N0 4000.0
#define BAND_N1 100000.0
#ifndef BAND_MIN_N
#define BAND_MIN_N 1000
#endif
#ifndef BAND_F
#define BAND_F 4.0
#endif
/* Residuals sampled to place the band's limits (all of them below this n). */
#ifndef BAND_SAMPLE
#define BAND_SAMPLE 8192
#endif

/* The full problem as the workers see it (read only). */
typedef struct rq_data {
    size_t n;
    int p;
    const double *x;  /* n x p row-major */
    const double *xt; /* the same by columns (xt[j*n + i]), for the band solver */
    const double *y0; /* original responses */
    const double *yp; /* perturbed responses */
    const double *w;  /* weights or NULL */
    double tol_r;     /* residuals smaller than this are zero */
    double eta;       /* largest perturbation of y */
    double xmax1;     /* largest sum_j |x_ij| over the rows */
    double sum_all[SLDS_RQ_MAX_P]; /* sum_i w_i x_i */
    double sum_y;                  /* sum_i w_i y0_i */
    double gram[SLDS_RQ_MAX_P * SLDS_RQ_MAX_P]; /* X'WX / sum w, full, row-major */
    size_t band_min_n;
    const double *inv_s; /* band solver: 1 / sqrt(x_i' gram^{-1} x_i / p), the
                            inverse of a row's relative leverage */
} rq_data;

typedef struct rq_bp {
    double t;  /* crossing step; before select_crossing computes it: the
                  distance to the fit, sign-adjusted (>= 0) */
    double sz; /* rate at which that distance shrinks (> 0) */
    double wt; /* slope added by the crossing */
    size_t i;
} rq_bp;

/* One worker's workspace: the working set (all observations, or a band),
 * the basis and its inverse, and scratch. */
typedef struct rq_ws {
    const rq_data *d;
    int p;
    const double *y; /* responses in use: d->yp, or d->y0 in the final repair */
    /* working set */
    size_t m, cap;
    size_t *idx;       /* working position -> full index */
    double *yw, *ww, *rw, *zw;
    double *xc;        /* the working rows by columns: xc[j*cap + k] */
    signed char *sg;   /* +1 above, -1 below, 0 basic */
    double *gd;        /* sg as doubles, for the vectorised ratio test */
    rq_bp *bp;
    size_t *sel;       /* rows collected as crossing candidates */
    double gfix[SLDS_RQ_MAX_P];
    /* sums of w x and w y0 over the rows globbed below (lo) and above (hi),
       kept up to date as rows change zone and recomputed every
       GLOB_REFRESH band builds (they drift by rounding) */
    double slo[SLDS_RQ_MAX_P], shi[SLDS_RQ_MAX_P], ylo, yhi;
    int globs_ok, globs_age;
    double lo_prev, hi_prev; /* the last band's limits (scaled residuals) */
    int lim_ok;
    /* basis */
    size_t basis[SLDS_RQ_MAX_P]; /* working positions */
    size_t bfull[SLDS_RQ_MAX_P]; /* full indices, carried from tau to tau */
    int have_basis;
    int binv_ok;       /* binv is the fresh inverse for bfull, in order */
    int m_ok, m_age;   /* M belongs to the basis; factorisations since computed */
    size_t last_width; /* band width the previous tau needed (decays) */
    double binv[SLDS_RQ_MAX_P * SLDS_RQ_MAX_P]; /* column-major X_h^{-1} */
    double M[SLDS_RQ_MAX_P * SLDS_RQ_MAX_P];    /* gram * binv, column-major */
    double beta[SLDS_RQ_MAX_P];
    double G[SLDS_RQ_MAX_P];
    /* full-data scratch */
    double *rfull;
    double *tmp, *tmp2;
    signed char *zone; /* -1 globbed below, +1 globbed above, 0 in the working set */
    double *zd;        /* zone as doubles, for the vectorised scans */
    size_t *wpos;      /* full index -> working position, or SIZE_MAX */
    rq_bp *ext;        /* n: crossings of globbed rows when a band runs out */
    /* statistics */
    long pivots, band_solves, band_repairs, band_rows, repairs_y0, extends, guess_misses;
    slds_error err;
} rq_ws;

/* ------------------------------------------------------------------ */

/* Vector types (GNU C vector extensions): two doubles (SSE2 on plain x86-64,
 * NEON on arm64), and on x86-64 four (AVX2), used only in functions compiled
 * for AVX2 and called when the CPU has it (have_avx2). Loads and stores at any
 * double-aligned address. */
#if defined(__GNUC__)
#define RQ_VEC 1
typedef double rq_v2 __attribute__((vector_size(16), aligned(8), may_alias));
#define v2_load(p)     (*(const rq_v2 *)(p))
#define v2_store(p, v) (*(rq_v2 *)(p) = (v))
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target)
#define RQ_AVX2 1
typedef double rq_v4 __attribute__((vector_size(32), aligned(8), may_alias));
#define v4_load(p)     (*(const rq_v4 *)(p))
#define v4_store(p, v) (*(rq_v4 *)(p) = (v))
typedef long long rq_v4l __attribute__((vector_size(32), aligned(8), may_alias));
#endif
#endif
#endif

static inline double wt_of(const rq_data *d, size_t i)
{
    return d->w ? d->w[i] : 1.0;
}

static inline double dotp(const double *a, const double *b, int p)
{
    double s = 0.0;
    for (int j = 0; j < p; j++)
        s += a[j] * b[j];
    return s;
}

#ifdef RQ_AVX2
static int have_avx2(void);
__attribute__((target("avx2"))) static void rows_dot_avx2(const double *restrict x, size_t m,
                                                          int p, const double *restrict u,
                                                          double *restrict out);
#endif

/* out[i] = x_i' u for m rows of x (row-major, p columns). Four rows at a
 * time so that four independent sums are in flight: the plain dot product is
 * bound by the latency of one chain of additions; with AVX2, four columns at
 * a time (the sums are then in another order). */
static void rows_dot(const double *restrict x, size_t m, int p, const double *restrict u,
                     double *restrict out)
{
#ifdef RQ_AVX2
    if (p >= 8 && have_avx2()) {
        rows_dot_avx2(x, m, p, u, out);
        return;
    }
#endif
    size_t i = 0, sp = (size_t)p;
    for (; i + 4 <= m; i += 4) {
        const double *a = x + i * sp, *b = a + sp, *c = b + sp, *d = c + sp;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int j = 0; j < p; j++) {
            double uj = u[j];
            s0 += a[j] * uj;
            s1 += b[j] * uj;
            s2 += c[j] * uj;
            s3 += d[j] * uj;
        }
        out[i] = s0;
        out[i + 1] = s1;
        out[i + 2] = s2;
        out[i + 3] = s3;
    }
    for (; i < m; i++)
        out[i] = dotp(x + i * sp, u, p);
}

/* Column-major kernels: out[i] = x_i' u for m rows stored by columns
 * (x[j*ld + i]), many rows at a time in vector registers (GNU C vector
 * extensions: SSE2 on plain x86-64, NEON on arm64), and with 256-bit AVX
 * registers when the CPU has AVX2 (chosen at run time; no FMA). Each row's sum
 * runs over j in order with every product and sum rounded, as in dotp, so
 * every version gives the same result to the last bit. */

static void cols_dot_tail(const double *restrict x, size_t ld, size_t i, size_t m, int p,
                          const double *restrict u, double *restrict out)
{
    for (; i < m; i++) {
        double s = 0.0;
        for (int j = 0; j < p; j++)
            s += x[(size_t)j * ld + i] * u[j];
        out[i] = s;
    }
}

static void cols_dot2_tail(const double *restrict x, size_t ld, size_t i, size_t m, int p,
                           const double *restrict u1, const double *restrict u2,
                           double *restrict out1, double *restrict out2)
{
    for (; i < m; i++) {
        double s1 = 0.0, s2 = 0.0;
        for (int j = 0; j < p; j++) {
            s1 += x[(size_t)j * ld + i] * u1[j];
            s2 += x[(size_t)j * ld + i] * u2[j];
        }
        out1[i] = s1;
        out2[i] = s2;
    }
}

#ifdef RQ_AVX2
__attribute__((target("avx2"))) static void cols_dot_avx2(const double *restrict x, size_t ld,
                                                          size_t m, int p,
                                                          const double *restrict u,
                                                          double *restrict out)
{
    size_t i = 0;
    for (; i + 16 <= m; i += 16) {
        rq_v4 a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v4 b = {u[j], u[j], u[j], u[j]};
            a0 += v4_load(c) * b;
            a1 += v4_load(c + 4) * b;
            a2 += v4_load(c + 8) * b;
            a3 += v4_load(c + 12) * b;
        }
        v4_store(out + i, a0);
        v4_store(out + i + 4, a1);
        v4_store(out + i + 8, a2);
        v4_store(out + i + 12, a3);
    }
    for (; i + 4 <= m; i += 4) {
        rq_v4 a0 = {0.0, 0.0, 0.0, 0.0};
        for (int j = 0; j < p; j++) {
            rq_v4 b = {u[j], u[j], u[j], u[j]};
            a0 += v4_load(x + (size_t)j * ld + i) * b;
        }
        v4_store(out + i, a0);
    }
    cols_dot_tail(x, ld, i, m, p, u, out);
}

__attribute__((target("avx2"))) static void cols_dot2_avx2(const double *restrict x, size_t ld,
                                                           size_t m, int p,
                                                           const double *restrict u1,
                                                           const double *restrict u2,
                                                           double *restrict out1,
                                                           double *restrict out2)
{
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        rq_v4 a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, b0 = a0, b1 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v4 v1 = {u1[j], u1[j], u1[j], u1[j]}, v2 = {u2[j], u2[j], u2[j], u2[j]};
            rq_v4 c0 = v4_load(c), c1 = v4_load(c + 4);
            a0 += c0 * v1;
            a1 += c1 * v1;
            b0 += c0 * v2;
            b1 += c1 * v2;
        }
        v4_store(out1 + i, a0);
        v4_store(out1 + i + 4, a1);
        v4_store(out2 + i, b0);
        v4_store(out2 + i + 4, b1);
    }
    cols_dot2_tail(x, ld, i, m, p, u1, u2, out1, out2);
}

static int have_avx2(void)
{
    static int known = -1; /* benign race: every thread computes the same */
    if (known < 0)
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
    return known;
}

__attribute__((target("avx2"))) static void rows_dot_avx2(const double *restrict x, size_t m,
                                                          int p, const double *restrict u,
                                                          double *restrict out)
{
    for (size_t i = 0; i < m; i++) {
        const double *xi = x + i * (size_t)p;
        rq_v4 a = {0.0, 0.0, 0.0, 0.0};
        int j = 0;
        for (; j + 4 <= p; j += 4)
            a += v4_load(xi + j) * v4_load(u + j);
        double s = (a[0] + a[1]) + (a[2] + a[3]);
        for (; j < p; j++)
            s += xi[j] * u[j];
        out[i] = s;
    }
}
#endif

static void cols_dot(const double *restrict x, size_t ld, size_t m, int p,
                     const double *restrict u, double *restrict out)
{
    size_t i = 0;
#ifdef RQ_AVX2
    if (have_avx2()) {
        cols_dot_avx2(x, ld, m, p, u, out);
        return;
    }
#endif
#ifdef RQ_VEC
    for (; i + 8 <= m; i += 8) {
        rq_v2 a0 = {0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v2 b = {u[j], u[j]};
            a0 += v2_load(c) * b;
            a1 += v2_load(c + 2) * b;
            a2 += v2_load(c + 4) * b;
            a3 += v2_load(c + 6) * b;
        }
        v2_store(out + i, a0);
        v2_store(out + i + 2, a1);
        v2_store(out + i + 4, a2);
        v2_store(out + i + 6, a3);
    }
#endif
    cols_dot_tail(x, ld, i, m, p, u, out);
}

/* out1 = X u1 and out2 = X u2 in one pass over the columns of X. */
static void cols_dot2(const double *restrict x, size_t ld, size_t m, int p,
                      const double *restrict u1, const double *restrict u2,
                      double *restrict out1, double *restrict out2)
{
    size_t i = 0;
#ifdef RQ_AVX2
    if (have_avx2()) {
        cols_dot2_avx2(x, ld, m, p, u1, u2, out1, out2);
        return;
    }
#endif
#ifdef RQ_VEC
    for (; i + 4 <= m; i += 4) {
        rq_v2 a0 = {0.0, 0.0}, a1 = a0, b0 = a0, b1 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v2 v1 = {u1[j], u1[j]}, v2 = {u2[j], u2[j]};
            rq_v2 c0 = v2_load(c), c1 = v2_load(c + 2);
            a0 += c0 * v1;
            a1 += c1 * v1;
            b0 += c0 * v2;
            b1 += c1 * v2;
        }
        v2_store(out1 + i, a0);
        v2_store(out1 + i + 2, a1);
        v2_store(out2 + i, b0);
        v2_store(out2 + i + 2, b1);
    }
#endif
    cols_dot2_tail(x, ld, i, m, p, u1, u2, out1, out2);
}

/* y += f x and y -= f x, elementwise (in vector registers, four at a time
 * with AVX2; each element rounded as in the plain loop). */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static void axpy_avx2(double *restrict y, double f,
                                                      const double *restrict x, size_t p)
{
    size_t r = 0;
    rq_v4 fv = {f, f, f, f};
    for (; r + 4 <= p; r += 4)
        v4_store(y + r, v4_load(y + r) + fv * v4_load(x + r));
    for (; r < p; r++)
        y[r] += f * x[r];
}

__attribute__((target("avx2"))) static void axmy_avx2(double *restrict y, double f,
                                                      const double *restrict x, size_t p)
{
    size_t r = 0;
    rq_v4 fv = {f, f, f, f};
    for (; r + 4 <= p; r += 4)
        v4_store(y + r, v4_load(y + r) - v4_load(x + r) * fv);
    for (; r < p; r++)
        y[r] -= x[r] * f;
}
#endif

static void axpy(double *restrict y, double f, const double *restrict x, int p)
{
    int r = 0;
#ifdef RQ_AVX2
    if (have_avx2()) {
        axpy_avx2(y, f, x, (size_t)p);
        return;
    }
#endif
#ifdef RQ_VEC
    rq_v2 fv = {f, f};
    for (; r + 2 <= p; r += 2)
        v2_store(y + r, v2_load(y + r) + fv * v2_load(x + r));
#endif
    for (; r < p; r++)
        y[r] += f * x[r];
}

static void axmy(double *restrict y, double f, const double *restrict x, size_t p)
{
    size_t r = 0;
#ifdef RQ_AVX2
    if (have_avx2()) {
        axmy_avx2(y, f, x, p);
        return;
    }
#endif
#ifdef RQ_VEC
    rq_v2 fv = {f, f};
    for (; r + 2 <= p; r += 2)
        v2_store(y + r, v2_load(y + r) - v2_load(x + r) * fv);
#endif
    for (; r < p; r++)
        y[r] -= x[r] * f;
}

/* Columns l != j of the p x p column-major B: col_l -= f[l] col_j, with col_j
 * copied out first (cj); one call per matrix and pivot, vectorised. */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static void rank1_avx2(double *restrict B,
                                                       const double *restrict cj,
                                                       const double *restrict f, int j, int p)
{
    for (int l = 0; l < p; l++) {
        if (l == j)
            continue;
        double *cl = B + (size_t)l * (size_t)p;
        double fl = f[l];
        rq_v4 fv = {fl, fl, fl, fl};
        int r = 0;
        for (; r + 4 <= p; r += 4) {
            rq_v4 t = v4_load(cl + r) - v4_load(cj + r) * fv;
            v4_store(cl + r, t);
        }
        for (; r < p; r++)
            cl[r] -= cj[r] * fl;
    }
}
#endif

static void rank1(double *restrict B, const double *restrict cj, const double *restrict f, int j,
                  int p)
{
#ifdef RQ_AVX2
    if (have_avx2()) {
        rank1_avx2(B, cj, f, j, p);
        return;
    }
#endif
    for (int l = 0; l < p; l++)
        if (l != j)
            axmy(B + (size_t)l * (size_t)p, f[l], cj, (size_t)p);
}

/* q[j] = a_j' b_j for the p columns of two p x p column-major matrices, four
 * columns at a time (four independent sums, each in the order of dotp). */
static void col_dots(const double *restrict a, const double *restrict b, int p, double *q)
{
    int j = 0;
    size_t sp = (size_t)p;
    for (; j + 4 <= p; j += 4) {
        const double *a0 = a + (size_t)j * sp, *b0 = b + (size_t)j * sp;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int r = 0; r < p; r++) {
            s0 += a0[r] * b0[r];
            s1 += a0[sp + (size_t)r] * b0[sp + (size_t)r];
            s2 += a0[2 * sp + (size_t)r] * b0[2 * sp + (size_t)r];
            s3 += a0[3 * sp + (size_t)r] * b0[3 * sp + (size_t)r];
        }
        q[j] = s0;
        q[j + 1] = s1;
        q[j + 2] = s2;
        q[j + 3] = s3;
    }
    for (; j < p; j++)
        q[j] = dotp(a + (size_t)j * sp, b + (size_t)j * sp, p);
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void slds_rq_sgp_taus(double taus[100])
{
    for (int k = 0; k < 100; k++)
        taus[k] = (k + 1 - 0.5) / 100.0;
}

void slds_rq_params_default(slds_rq_params *prm)
{
    memset(prm, 0, sizeof *prm);
    prm->taus = NULL;
    prm->n_taus = 0;
    prm->n_threads = 0;
    prm->band_min_n = BAND_MIN_N;
    prm->seed = 20240531UL;
}

void slds_rq_result_free(slds_rq_result *res)
{
    if (!res)
        return;
    free(res->taus);
    free(res->coef);
    free(res->objective);
    memset(res, 0, sizeof *res);
}

double slds_rq_check_loss(const slds_rq_problem *prob, double tau, const double *beta)
{
    double s = 0.0;
    for (size_t i = 0; i < prob->n; i++) {
        double r = prob->y[i] - dotp(prob->x + i * (size_t)prob->p, beta, prob->p);
        double w = prob->w ? prob->w[i] : 1.0;
        s += w * (r >= 0 ? tau * r : (tau - 1.0) * r);
    }
    return s;
}

/* ------------------------------------------------------------------ */
/* Rank check and least-squares start.                                 */

/* Cholesky of the scaled Gram matrix; refuses a rank-deficient design,
 * returns the weighted least-squares fit in beta_ls and X'WX / sum(w) in
 * gram. */
static int rq_rank_check(const rq_data *d, double *gram, double *beta_ls, slds_error *err)
{
    int p = d->p;
    double A[SLDS_RQ_MAX_P * SLDS_RQ_MAX_P] = {0}, b[SLDS_RQ_MAX_P] = {0}, wsum = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        const double *xi = d->x + i * (size_t)p;
        double w = wt_of(d, i);
        wsum += w;
        for (int r = 0; r < p; r++) {
            double wx = w * xi[r];
            b[r] += wx * d->y0[i];
            axpy(A + r * p, wx, xi, r + 1);
        }
    }
    /* X'WX / sum w, full, for the steepest-edge norms */
    for (int r = 0; r < p; r++)
        for (int c = 0; c <= r; c++)
            gram[r * p + c] = gram[c * p + r] = A[r * p + c] / wsum;
    double scale[SLDS_RQ_MAX_P];
    for (int r = 0; r < p; r++) {
        if (!(A[r * p + r] > 0.0))
            return slds_fail(err, SLDS_ERR_NUMERIC,
                             "quantile regression design is rank deficient: column %d is zero "
                             "for every observation",
                             r + 1);
        scale[r] = 1.0 / sqrt(A[r * p + r]);
    }
    for (int r = 0; r < p; r++)
        for (int c = 0; c <= r; c++)
            A[r * p + c] *= scale[r] * scale[c];
    /* In-place lower Cholesky. */
    for (int j = 0; j < p; j++) {
        double s = A[j * p + j];
        for (int k = 0; k < j; k++)
            s -= A[j * p + k] * A[j * p + k];
        if (!(s > 1e-11))
            return slds_fail(err, SLDS_ERR_NUMERIC,
                             "quantile regression design is rank deficient: column %d is a "
                             "linear combination of columns 1..%d (pivot %.3g)",
                             j + 1, j, s);
        double l = sqrt(s);
        A[j * p + j] = l;
        for (int i = j + 1; i < p; i++) {
            double t = A[i * p + j];
            for (int k = 0; k < j; k++)
                t -= A[i * p + k] * A[j * p + k];
            A[i * p + j] = t / l;
        }
    }
    /* Solve (S A S) z = S b, beta = S z. */
    double z[SLDS_RQ_MAX_P];
    for (int i = 0; i < p; i++) {
        double t = b[i] * scale[i];
        for (int k = 0; k < i; k++)
            t -= A[i * p + k] * z[k];
        z[i] = t / A[i * p + i];
    }
    for (int i = p - 1; i >= 0; i--) {
        double t = z[i];
        for (int k = i + 1; k < p; k++)
            t -= A[k * p + i] * z[k];
        z[i] = t / A[i * p + i];
    }
    for (int i = 0; i < p; i++)
        beta_ls[i] = z[i] * scale[i];
    return SLDS_OK;
}

#ifdef RQ_AVX2
/* The triangular solves of leverage_scale for four rows at a time (the rows
 * in the lanes, read by columns from xt; each lane computes as the plain
 * loop). Returns the rows done. */
__attribute__((target("avx2"))) static size_t leverage_rows_avx2(const rq_data *d,
                                                                 const double *L,
                                                                 const double *sc,
                                                                 double *inv_s)
{
    int p = d->p;
    size_t n = d->n, i = 0;
    for (; i + 4 <= n; i += 4) {
        rq_v4 v[SLDS_RQ_MAX_P], h = {0.0, 0.0, 0.0, 0.0};
        for (int r = 0; r < p; r++) {
            rq_v4 s = {sc[r], sc[r], sc[r], sc[r]};
            rq_v4 t = v4_load(d->xt + (size_t)r * n + i) * s;
            for (int k = 0; k < r; k++) {
                rq_v4 l = {L[r * p + k], L[r * p + k], L[r * p + k], L[r * p + k]};
                t -= l * v[k];
            }
            rq_v4 dg = {L[r * p + r], L[r * p + r], L[r * p + r], L[r * p + r]};
            v[r] = t / dg;
            h += v[r] * v[r];
        }
        for (int t = 0; t < 4; t++) {
            double hh = h[t] / p;
            inv_s[i + (size_t)t] = hh > 1e-12 ? 1.0 / sqrt(hh) : 1e6;
        }
    }
    return i;
}
#endif

/* inv_s[i] = 1 / sqrt(x_i' gram^{-1} x_i / p) for the band solver: the
 * band is chosen on residuals divided by the square root of each row's
 * relative leverage (its mean is 1), so that where observations are sparse
 * and the fit moves most from one tau to the next the band reaches further
 * from the fit. Only a heuristic: the band is verified anyway. */
static void leverage_scale(const rq_data *d, double *inv_s)
{
    int p = d->p;
    double L[SLDS_RQ_MAX_P * SLDS_RQ_MAX_P], sc[SLDS_RQ_MAX_P];
    for (int r = 0; r < p; r++)
        sc[r] = 1.0 / sqrt(d->gram[r * p + r]);
    for (int j = 0; j < p; j++) {
        double s = d->gram[j * p + j] * sc[j] * sc[j];
        for (int k = 0; k < j; k++)
            s -= L[j * p + k] * L[j * p + k];
        double l = sqrt(s > 1e-300 ? s : 1e-300);
        L[j * p + j] = l;
        for (int i = j + 1; i < p; i++) {
            double t = d->gram[i * p + j] * sc[i] * sc[j];
            for (int k = 0; k < j; k++)
                t -= L[i * p + k] * L[j * p + k];
            L[i * p + j] = t / l;
        }
    }
    size_t i = 0;
#ifdef RQ_AVX2
    if (d->xt && have_avx2())
        i = leverage_rows_avx2(d, L, sc, inv_s);
#endif
    for (; i < d->n; i++) {
        const double *xi = d->x + i * (size_t)p;
        double v[SLDS_RQ_MAX_P], h = 0.0;
        for (int r = 0; r < p; r++) {
            double t = xi[r] * sc[r];
            for (int k = 0; k < r; k++)
                t -= L[r * p + k] * v[k];
            v[r] = t / L[r * p + r];
            h += v[r] * v[r];
        }
        h /= p;
        inv_s[i] = h > 1e-12 ? 1.0 / sqrt(h) : 1e6;
    }
}

/* ------------------------------------------------------------------ */
/* Selection helpers.                                                  */

/* k-th smallest (0-based) of a[0..n-1]; reorders a (Hoare quickselect). */
static double select_kth(double *a, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (hi > lo) {
        double pv = a[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pv)
                i++;
            while (a[j] > pv)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            return a[kk];
    }
    return a[kk];
}

/* Weighted selection: the position k in bp[0..c-1] (after reordering) at which
 * the cumulative weight in increasing t first reaches need; bp[0..k-1] are the
 * crossings passed before it. Returns c when the total weight is short.
 * On entry t holds the distance and sz its rate: steps t/sz are computed
 * only for the rows that can matter (a division per row was the most
 * expensive line of the solver). */
#define BP_LESS(a, b) ((a).t < (b).t)

static size_t select_crossing(rq_bp *bp, size_t c, double need, double total)
{
    size_t lo = 0, hi = c;
    if (total < need)
        return c;
    if (c <= 96) {
        for (size_t i = 0; i < c; i++)
            bp[i].t /= bp[i].sz;
    } else {
        /* The crossing is usually among the first few percent: guess a
           threshold from a sorted sample at about the weight fraction needed,
           and move the rows below it to the front in one mostly predictable
           pass; the general selection then works on a short range. */
        double sample[32];
        for (int k = 0; k < 32; k++) {
            const rq_bp *e = &bp[(size_t)k * c / 32];
            sample[k] = e->t / e->sz;
        }
        for (int k = 1; k < 32; k++) {
            double t = sample[k];
            int j = k - 1;
            while (j >= 0 && sample[j] > t) {
                sample[j + 1] = sample[j];
                j--;
            }
            sample[j + 1] = t;
        }
        double f = 1.5 * need / total + 0.08;
        int q = f >= 1.0 ? 31 : (int)(f * 32.0);
        double thr = sample[q];
        size_t lt = 0;
        double wl = 0.0;
        for (size_t i = 0; i < c; i++)
            if (bp[i].t <= thr * bp[i].sz) {
                wl += bp[i].wt;
                rq_bp t = bp[lt];
                bp[lt] = bp[i];
                bp[i] = t;
                lt++;
            }
        if (wl >= need)
            hi = lt;
        else {
            need -= wl;
            lo = lt;
        }
        for (size_t i = lo; i < hi; i++)
            bp[i].t /= bp[i].sz;
    }
    while (hi - lo > 24) {
        /* median of three pivot */
        double a = bp[lo].t, b = bp[lo + (hi - lo) / 2].t, e = bp[hi - 1].t;
        double pv = a < b ? (b < e ? b : (a < e ? e : a)) : (a < e ? a : (b < e ? e : b));
        /* three-way partition: [lo, lt) < pv, [lt, gt) == pv, [gt, hi) > pv */
        size_t lt = lo, i = lo, gt = hi;
        double wl = 0.0, we = 0.0;
        while (i < gt) {
            if (bp[i].t < pv) {
                wl += bp[i].wt;
                rq_bp t = bp[lt];
                bp[lt] = bp[i];
                bp[i] = t;
                lt++;
                i++;
            } else if (bp[i].t > pv) {
                gt--;
                rq_bp t = bp[gt];
                bp[gt] = bp[i];
                bp[i] = t;
            } else {
                we += bp[i].wt;
                i++;
            }
        }
        if (wl >= need) {
            hi = lt;
        } else if (wl + we >= need) {
            need -= wl;
            for (size_t k = lt; k < gt; k++) {
                need -= bp[k].wt;
                if (need <= 0)
                    return k;
            }
            return gt - 1;
        } else {
            need -= wl + we;
            lo = gt;
        }
    }
    SLDS_INSERTION_SORT(rq_bp, bp + lo, hi - lo, BP_LESS); /* at most 24 */
    for (size_t k = lo; k < hi; k++) {
        need -= bp[k].wt;
        if (need <= 0)
            return k;
    }
    return c;
}

/* ------------------------------------------------------------------ */
/* Working set management.                                             */

static int ws_reserve(rq_ws *ws, size_t m)
{
    if (m <= ws->cap)
        return SLDS_OK;
    size_t cap = ws->cap ? ws->cap : 256;
    while (cap < m)
        cap *= 2;
    if (cap > ws->d->n)
        cap = ws->d->n > m ? ws->d->n : m;
    size_t p = (size_t)ws->p;
    void *a;
#define GROW(field, count)                                                    \
    do {                                                                      \
        a = realloc(ws->field, (count) * sizeof *ws->field);                  \
        if (!a)                                                               \
            return slds_fail(&ws->err, SLDS_ERR_NOMEM,                        \
                             "out of memory for a working set of %zu rows", cap); \
        ws->field = a;                                                        \
    } while (0)
    GROW(idx, cap);
    GROW(yw, cap);
    GROW(ww, cap);
    GROW(rw, cap);
    GROW(zw, cap);
    GROW(sg, cap);
    GROW(gd, cap);
    GROW(bp, cap);
    GROW(sel, cap);
#undef GROW
    double *xc = malloc(cap * p * sizeof *xc);
    if (!xc)
        return slds_fail(&ws->err, SLDS_ERR_NOMEM, "out of memory for a working set of %zu rows",
                         cap);
    for (size_t j = 0; ws->xc && j < p; j++)
        memcpy(xc + j * cap, ws->xc + j * ws->cap, ws->m * sizeof *xc);
    free(ws->xc);
    ws->xc = xc;
    ws->cap = cap;
    return SLDS_OK;
}

enum { GLOB_REFRESH = 10 };

/* Row i changes zone (-1 globbed below, +1 above, 0 working set): the globbed
 * sums follow. */
static void ws_glob_move(rq_ws *ws, size_t i, signed char from, signed char to)
{
    const rq_data *d = ws->d;
    int p = ws->p;
    double w = wt_of(d, i), wy = w * d->y0[i];
    const double *xi = d->x + i * (size_t)p;
    if (from < 0) {
        axmy(ws->slo, w, xi, (size_t)p);
        ws->ylo -= wy;
    } else if (from > 0) {
        axmy(ws->shi, w, xi, (size_t)p);
        ws->yhi -= wy;
    }
    if (to < 0) {
        axpy(ws->slo, w, xi, p);
        ws->ylo += wy;
    } else if (to > 0) {
        axpy(ws->shi, w, xi, p);
        ws->yhi += wy;
    }
}

/* Row k of the working set (a row of the caller's design). */
static inline const double *wrow(const rq_ws *ws, size_t k)
{
    return ws->d->x + ws->idx[k] * (size_t)ws->p;
}

static int ws_push(rq_ws *ws, size_t i)
{
    int rc = ws_reserve(ws, ws->m + 1);
    if (rc)
        return rc;
    size_t k = ws->m++;
    int p = ws->p;
    ws->idx[k] = i;
    const double *xi = ws->d->x + i * (size_t)p;
    for (int j = 0; j < p; j++)
        ws->xc[(size_t)j * ws->cap + k] = xi[j];
    ws->yw[k] = ws->y[i];
    ws->ww[k] = wt_of(ws->d, i);
    ws->sg[k] = 0;
    ws->gd[k] = 0.0;
    ws->wpos[i] = k;
    if (ws->zone[i] && ws->globs_ok)
        ws_glob_move(ws, i, ws->zone[i], 0);
    ws->zone[i] = 0;
    ws->zd[i] = 0.0;
    return SLDS_OK;
}

static void ws_clear(rq_ws *ws)
{
    for (size_t k = 0; k < ws->m; k++)
        ws->wpos[ws->idx[k]] = SIZE_MAX;
    ws->m = 0;
}

/* inv (column-major) = the inverse of the p x p matrix whose row l is
 * rows[l], by Gauss-Jordan elimination in place with partial pivoting
 * (vectorised row operations). Returns -1, or the step whose pivot is
 * exactly zero (the matrix is singular). */
static int invert_rows(const double *const *rows, int p, double *inv)
{
    double w[SLDS_RQ_MAX_P][SLDS_RQ_MAX_P];
    int perm[SLDS_RQ_MAX_P];
    for (int i = 0; i < p; i++)
        memcpy(w[i], rows[i], (size_t)p * sizeof(double));
    for (int k = 0; k < p; k++) {
        int piv = k;
        double best = fabs(w[k][k]);
        for (int i = k + 1; i < p; i++)
            if (fabs(w[i][k]) > best) {
                best = fabs(w[i][k]);
                piv = i;
            }
        if (!(best > 0.0))
            return k;
        perm[k] = piv;
        if (piv != k) {
            double t[SLDS_RQ_MAX_P];
            memcpy(t, w[k], (size_t)p * sizeof(double));
            memcpy(w[k], w[piv], (size_t)p * sizeof(double));
            memcpy(w[piv], t, (size_t)p * sizeof(double));
        }
        double f = 1.0 / w[k][k];
        w[k][k] = 1.0;
        for (int c = 0; c < p; c++)
            w[k][c] *= f;
        for (int i = 0; i < p; i++) {
            if (i == k || w[i][k] == 0.0)
                continue;
            double g = w[i][k];
            w[i][k] = 0.0;
            axmy(w[i], g, w[k], (size_t)p);
        }
    }
    /* the row swaps of the matrix are column swaps of its inverse */
    for (int k = p - 1; k >= 0; k--)
        if (perm[k] != k)
            for (int i = 0; i < p; i++) {
                double t = w[i][k];
                w[i][k] = w[i][perm[k]];
                w[i][perm[k]] = t;
            }
    for (int r = 0; r < p; r++)
        for (int c = 0; c < p; c++)
            inv[r + c * p] = w[r][c];
    return -1;
}

/* Beta, residuals, signs and G of the working set from the inverse of the
 * basis matrix; with fresh, that inverse (and M) is first recomputed from
 * scratch, else the one at hand is used. */
static int ws_refactor(rq_ws *ws, double tau, int reset_signs, int fresh)
{
    int p = ws->p;
    double *a = ws->binv;
    if (fresh) {
        /* basis slots in increasing order of observation (the columns of M
           follow), so that a fresh inverse, and the coefficients computed
           from it, depend on the basis only, not on the path to it */
        int ord[SLDS_RQ_MAX_P];
        for (int l = 0; l < p; l++) {
            int j = l;
            while (j > 0 && ws->idx[ws->basis[ord[j - 1]]] > ws->idx[ws->basis[l]]) {
                ord[j] = ord[j - 1];
                j--;
            }
            ord[j] = l;
        }
        size_t nb[SLDS_RQ_MAX_P] = {0};
        double nm[SLDS_RQ_MAX_P * SLDS_RQ_MAX_P];
        for (int l = 0; l < p; l++) {
            nb[l] = ws->basis[ord[l]];
            memcpy(nm + (size_t)l * (size_t)p, ws->M + (size_t)ord[l] * (size_t)p,
                   (size_t)p * sizeof(double));
        }
        memcpy(ws->basis, nb, (size_t)p * sizeof *nb);
        memcpy(ws->M, nm, (size_t)p * (size_t)p * sizeof *nm);
        for (int l = 1; l < p; l++) /* distinct rows, in increasing order */
            assert(ws->idx[ws->basis[l - 1]] < ws->idx[ws->basis[l]]);
        const double *rows[SLDS_RQ_MAX_P];
        for (int l = 0; l < p; l++)
            rows[l] = wrow(ws, ws->basis[l]);
        int k = invert_rows(rows, p, a);
        if (k >= 0)
            return slds_fail(&ws->err, SLDS_ERR_NUMERIC,
                             "quantile regression: singular basis matrix (pivot %d is zero); the "
                             "design is numerically rank deficient",
                             k + 1);
        /* M = A X_h^{-1} only weighs the pricing: kept up to date with the
           inverse, and recomputed for a new basis and every M_REFRESH
           factorisations against drift */
        if (!ws->m_ok || ++ws->m_age >= M_REFRESH) {
            for (int l = 0; l < p; l++)
                rows_dot(ws->d->gram, (size_t)p, p, a + (size_t)l * (size_t)p,
                         ws->M + (size_t)l * (size_t)p);
            ws->m_ok = 1;
            ws->m_age = 0;
        }
    }
    for (int r = 0; r < p; r++) {
        double s = 0.0;
        for (int l = 0; l < p; l++)
            s += a[r + l * p] * ws->yw[ws->basis[l]];
        ws->beta[r] = s;
    }
    cols_dot(ws->xc, ws->cap, ws->m, p, ws->beta, ws->rw);
    for (size_t i = 0; i < ws->m; i++) {
        double r = ws->yw[i] - ws->rw[i];
        ws->rw[i] = r;
        if (reset_signs || ws->sg[i] == 0)
            ws->sg[i] = r >= 0 ? 1 : -1;
        else if (fabs(r) > ws->d->tol_r)
            ws->sg[i] = r > 0 ? 1 : -1;
    }
    for (int l = 0; l < p; l++) {
        ws->sg[ws->basis[l]] = 0;
        ws->rw[ws->basis[l]] = 0.0;
    }
    for (size_t i = 0; i < ws->m; i++)
        ws->gd[i] = ws->sg[i];
    for (int c = 0; c < p; c++)
        ws->G[c] = ws->gfix[c];
    for (size_t i = 0; i < ws->m; i++) {
        if (!ws->sg[i])
            continue;
        axpy(ws->G, ws->ww[i] * (ws->sg[i] > 0 ? tau : tau - 1.0), wrow(ws, i), p);
    }
    return SLDS_OK;
}

/* The step along the chosen edge crosses every band row before its slope
 * turns: in the full problem it would go on across globbed rows. Brings into
 * the band every globbed row already on the wrong side of the current fit
 * (the reduced problem counts them on their globbed side, which is what let
 * the step run away), and the globbed rows that the step would cross first,
 * until their weight covers twice the slope still missing (need). Rows keep
 * the side they were globbed on; the refactorisation that follows gives them
 * their true side. Returns the rows added, or -1 on error. */
static long ws_extend(rq_ws *ws, double tau, const double *u, double s, double need)
{
    const rq_data *d = ws->d;
    size_t n = d->n, c = 0;
    int p = ws->p;
    if (!ws->tmp2 && !(ws->tmp2 = malloc(n * sizeof *ws->tmp2))) {
        slds_fail(&ws->err, SLDS_ERR_NOMEM, "out of memory extending a band");
        return -1;
    }
    if (!ws->ext && !(ws->ext = malloc(n * sizeof *ws->ext))) {
        slds_fail(&ws->err, SLDS_ERR_NOMEM, "out of memory extending a band");
        return -1;
    }
    /* z and the fit of every row, in one vectorised pass (band rows too) */
    double *zx = ws->tmp, *fx = ws->tmp2;
    cols_dot2(d->xt, n, n, p, u, ws->beta, zx, fx);
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        signed char g = ws->zone[i];
        if (!g)
            continue;
        double sz = g * s * zx[i];
        double sr = g * (ws->y[i] - fx[i]);
        if (sr < -d->tol_r) {
            ws->ext[c].t = -1.0;
            ws->ext[c].sz = 1.0;
            ws->ext[c].wt = 0.0;
            ws->ext[c].i = i;
            c++;
            continue;
        }
        if (!(sz > 0.0))
            continue;
        ws->ext[c].t = sr > 0.0 ? sr : 0.0;
        ws->ext[c].sz = sz;
        ws->ext[c].wt = wt_of(d, i) * sz;
        ws->ext[c].i = i;
        total += ws->ext[c].wt;
        c++;
    }
    double target = 2.0 * need;
    size_t k = select_crossing(ws->ext, c, target, total);
    k = k >= c ? c : k + 1;
    for (size_t b = 0; b < k; b++) {
        size_t i = ws->ext[b].i;
        signed char g = ws->zone[i];
        axmy(ws->gfix, wt_of(d, i) * (g > 0 ? tau : tau - 1.0), d->x + i * (size_t)p, (size_t)p);
        if (ws_push(ws, i))
            return -1;
    }
    return (long)k;
}

/* A step length by which the crossings along the direction zw probably
 * weigh twice need: from 64 rows spread over the working set (each standing
 * for m / 64), their crossings sorted. INFINITY when the sample does not
 * reach it. */
static double crossing_guess(const rq_ws *ws, size_t m, double need)
{
    rq_bp smp[64];
    size_t k = 0, step = m / 64;
    double total = 0.0;
    for (size_t s = 0, i = step / 2; s < 64; s++, i += step) {
        double z = ws->zw[i], g = ws->gd[i], sz = g * z;
        if (sz > 0.0) {
            double sr = g * ws->rw[i];
            smp[k].t = sr > 0.0 ? sr : 0.0;
            smp[k].sz = sz;
            smp[k].wt = ws->ww[i] * fabs(z);
            smp[k].i = i;
            total += smp[k].wt;
            k++;
        }
    }
    size_t at = select_crossing(smp, k, 2.0 * need / (double)step, total);
    return at < k ? smp[at].t : INFINITY;
}

/* Candidates (sz = g z > 0) crossed at t = max(sr, 0) / sz <= T, with
 * sr = g r: their positions go to sel, in order; wsum gets their weight
 * w |z| and wall that of every candidate. Four rows at a time with AVX2. */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static size_t crossings_before_avx2(const rq_ws *ws, size_t m,
                                                                    double T, double *wsum,
                                                                    double *wall)
{
    const double *zw = ws->zw, *gd = ws->gd, *rw = ws->rw, *ww = ws->ww;
    size_t *sel = ws->sel, c = 0, i = 0;
    rq_v4 vT = {T, T, T, T}, zero = {0.0, 0.0, 0.0, 0.0}, sk = zero, sa = zero;
    rq_v4l absmask = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                      0x7fffffffffffffffLL};
    for (; i + 4 <= m; i += 4) {
        rq_v4 z = v4_load(zw + i), g = v4_load(gd + i);
        rq_v4 sz = g * z, sr = g * v4_load(rw + i);
        rq_v4 wt = v4_load(ww + i) * (rq_v4)((rq_v4l)z & absmask);
        rq_v4l cand = sz > zero, keep = cand & (sr <= vT * sz);
        sa += (rq_v4)((rq_v4l)wt & cand);
        sk += (rq_v4)((rq_v4l)wt & keep);
        if (keep[0] | keep[1] | keep[2] | keep[3])
            for (int t = 0; t < 4; t++)
                if (keep[t])
                    sel[c++] = i + (size_t)t;
    }
    double a = (sa[0] + sa[1]) + (sa[2] + sa[3]), k = (sk[0] + sk[1]) + (sk[2] + sk[3]);
    for (; i < m; i++) {
        double z = zw[i], g = gd[i];
        double sz = g * z, sr = g * rw[i], wt = ww[i] * fabs(z);
        int cand = sz > 0.0, keep = cand & (sr <= T * sz);
        a += cand ? wt : 0.0;
        k += keep ? wt : 0.0;
        sel[c] = i;
        c += (size_t)keep;
    }
    *wsum = k;
    *wall = a;
    return c;
}
#endif

static size_t crossings_before(const rq_ws *ws, size_t m, double T, double *wsum, double *wall)
{
#ifdef RQ_AVX2
    if (have_avx2())
        return crossings_before_avx2(ws, m, T, wsum, wall);
#endif
    size_t c = 0;
    double k = 0.0, a = 0.0;
    for (size_t i = 0; i < m; i++) {
        double z = ws->zw[i], g = ws->gd[i];
        double sz = g * z, sr = g * ws->rw[i], wt = ws->ww[i] * fabs(z);
        int cand = sz > 0.0, keep = cand & (sr <= T * sz);
        a += cand ? wt : 0.0;
        k += keep ? wt : 0.0;
        ws->sel[c] = i; /* branch-free append */
        c += (size_t)keep;
    }
    *wsum = k;
    *wall = a;
    return c;
}

/* Simplex pivots on the working set until optimal. Returns SLDS_OK, -1 when
 * the reduced problem is unbounded (the band is too narrow), or an error. */
#ifndef NDEBUG
/* Invariants 1 and 1b at an optimum: p distinct basic rows, exactly they
 * have sign 0, and every other residual is on its sign's side (tol_r). */
static void assert_optimum(const rq_ws *ws)
{
    size_t zeros = 0;
    for (size_t i = 0; i < ws->m; i++) {
        zeros += ws->sg[i] == 0;
        assert(ws->sg[i] == 0 || ws->sg[i] * ws->rw[i] >= -ws->d->tol_r);
    }
    assert(zeros == (size_t)ws->p);
    for (int l = 0; l < ws->p; l++)
        assert(ws->basis[l] < ws->m && ws->sg[ws->basis[l]] == 0);
}
#endif

static int ws_simplex(rq_ws *ws, double tau, int reset_signs)
{
    int p = ws->p, rc;
    size_t m = ws->m;
    /* the inverse left by the last simplex is still that of bfull, in the
       same order, and was fresh */
    if ((rc = ws_refactor(ws, tau, reset_signs, !ws->binv_ok)))
        return rc;
    ws->binv_ok = 0;
    int since = 0;
    long local = 0;
    for (;;) {
        /* reduced costs */
        double d[SLDS_RQ_MAX_P];
        rows_dot(ws->binv, (size_t)p, p, ws->G, d);
        int jbest = -1, sbest = 0;
        double best = 0.0, bestn = 0.0;
        double q[SLDS_RQ_MAX_P];
        /* steepest edge: q_j = |X delta_j| per unit weight, delta_j' A delta_j
           with M = A X_h^{-1} kept up to date */
        col_dots(ws->binv, ws->M, p, q);
        for (int j = 0; j < p; j++)
            q[j] = sqrt(q[j] > 1e-300 ? q[j] : 1e-300);
        for (int j = 0; j < p; j++) {
            double wj = ws->ww[ws->basis[j]];
            double tol = 1e-10 * (wj + fabs(d[j]));
            double up = (1.0 - tau) * wj - d[j], dn = tau * wj + d[j];
            if (up < -tol && up / q[j] < bestn) {
                best = up;
                bestn = up / q[j];
                jbest = j;
                sbest = 1;
            }
            if (dn < -tol && dn / q[j] < bestn) {
                best = dn;
                bestn = dn / q[j];
                jbest = j;
                sbest = -1;
            }
        }
        if (jbest < 0) {
            if (since == 0) { /* optimal with a fresh factorisation */
#ifndef NDEBUG
                for (int j = 0; j < p; j++) { /* dual bounds */
                    double wj = ws->ww[ws->basis[j]], tol = 1e-10 * (wj + fabs(d[j]));
                    assert(d[j] <= (1.0 - tau) * wj + tol && d[j] >= -tau * wj - tol);
                }
                assert_optimum(ws);
#endif
                break;
            }
            if ((rc = ws_refactor(ws, tau, 0, 1)))
                return rc;
            since = 0;
            continue;
        }
        if (++local > MAX_PIVOTS_PER_TAU)
            return slds_fail(&ws->err, SLDS_ERR_NUMERIC,
                             "quantile regression did not converge at tau %g (%ld pivots)", tau,
                             local);
        const double *u = ws->binv + (size_t)jbest * (size_t)p;
        double s = sbest;
        /* direction values z = s X u (s = +-1: exact) and crossings */
        double us[SLDS_RQ_MAX_P];
        for (int r = 0; r < p; r++)
            us[r] = s * u[r];
        cols_dot(ws->xc, ws->cap, m, p, us, ws->zw);
        for (int l = 0; l < p; l++)
            ws->zw[ws->basis[l]] = 0.0;
        /* Candidates: rows whose side the step moves towards (sz > 0),
           crossed at t = max(sr, 0) / sz. Only those crossed before a
           threshold guessed from a sample are collected; if they weigh less
           than needed, all are. wall: the weight of every candidate. */
        double T = m >= 128 ? crossing_guess(ws, m, -best) : INFINITY, wsum_, wall_;
        size_t c = crossings_before(ws, m, T, &wsum_, &wall_);
        if (wsum_ < -best && T < INFINITY) {
            ws->guess_misses++;
            c = crossings_before(ws, m, INFINITY, &wsum_, &wall_);
        }
        double wsum = wsum_, wall = wall_;
        for (size_t b = 0; b < c; b++) {
            size_t i = ws->sel[b];
            double z = ws->zw[i], g = ws->gd[i], sr = g * ws->rw[i];
            ws->bp[b].t = sr > 0.0 ? sr : 0.0;
            ws->bp[b].sz = g * z;
            assert(ws->bp[b].sz > 0.0); /* a candidate moves towards its side */
            ws->bp[b].wt = ws->ww[i] * fabs(z);
            ws->bp[b].i = i;
        }
        size_t kpos = select_crossing(ws->bp, c, -best, wsum);
        if (kpos >= c) {
            /* unbounded on the band: extend it along the step */
            if (m == ws->d->n)
                return -1;
            long added = ws_extend(ws, tau, u, s, -best - wall);
            if (added < 0)
                return ws->err.code ? ws->err.code : SLDS_ERR_NOMEM;
            if (added == 0)
                return -1;
            ws->extends++;
            m = ws->m;
            if ((rc = ws_refactor(ws, tau, 0, 0)))
                return rc;
            continue;
        }
        size_t k = ws->bp[kpos].i;
        double tstar = ws->bp[kpos].t;
        assert(tstar >= 0.0 && ws->sg[k] != 0);
        size_t lj = ws->basis[jbest];
        /* move */
        for (int r = 0; r < p; r++)
            ws->beta[r] += tstar * s * u[r];
        axmy(ws->rw, tstar, ws->zw, m); /* zw is 0 on basic rows */
        /* crossings flip sign */
        for (size_t b = 0; b < kpos; b++) {
            size_t i = ws->bp[b].i;
            ws->sg[i] = (signed char)-ws->sg[i];
            ws->gd[i] = -ws->gd[i];
            axpy(ws->G, ws->sg[i] * ws->ww[i], wrow(ws, i), p);
        }
        /* k enters */
        {
            double f = ws->ww[k] * (ws->sg[k] > 0 ? tau : tau - 1.0);
            const double *xk = wrow(ws, k);
            for (int r = 0; r < p; r++)
                ws->G[r] -= f * xk[r];
            ws->sg[k] = 0;
            ws->gd[k] = 0.0;
            ws->rw[k] = 0.0;
        }
        /* lj leaves on the side s moved it to */
        {
            signed char nsg = (signed char)(s > 0 ? -1 : 1);
            ws->sg[lj] = nsg;
            ws->gd[lj] = nsg;
            ws->rw[lj] = -s * tstar;
            axpy(ws->G, ws->ww[lj] * (nsg > 0 ? tau : tau - 1.0), wrow(ws, lj), p);
        }
        /* rank-one update of the inverse */
        {
            const double *xk = wrow(ws, k);
            double v[SLDS_RQ_MAX_P];
            rows_dot(ws->binv, (size_t)p, p, xk, v);
            double a = v[jbest], f[SLDS_RQ_MAX_P], col[SLDS_RQ_MAX_P];
            assert(a != 0.0 && isfinite(a)); /* the entering row crosses: z_k = s a != 0 */
            for (int l = 0; l < p; l++)
                f[l] = v[l] / a;
            double *cj = ws->binv + (size_t)jbest * (size_t)p;
            memcpy(col, cj, (size_t)p * sizeof *col);
            rank1(ws->binv, col, f, jbest, p);
            for (int r = 0; r < p; r++)
                cj[r] /= a;
            double *mj = ws->M + (size_t)jbest * (size_t)p;
            memcpy(col, mj, (size_t)p * sizeof *col);
            rank1(ws->M, col, f, jbest, p);
            for (int r = 0; r < p; r++)
                mj[r] /= a;
            ws->basis[jbest] = k;
            double unorm = 0.0;
            for (int r = 0; r < p; r++)
                unorm = fmax(unorm, fabs(u[r]));
            if (!(fabs(a) > 1e-13 * unorm))
                since = REFACTOR_EVERY; /* ill-conditioned pivot: refactor now */
        }
        ws->pivots++;
        if (++since >= REFACTOR_EVERY) {
            if ((rc = ws_refactor(ws, tau, 0, 1)))
                return rc;
            since = 0;
        }
    }
    for (int l = 0; l < p; l++)
        ws->bfull[l] = ws->idx[ws->basis[l]];
    ws->have_basis = 1;
    ws->binv_ok = 1;
    return SLDS_OK;
}

/* ------------------------------------------------------------------ */
/* Starting basis.                                                     */

/* Greedy choice of p linearly independent working rows, in the order given. */
static int ws_pick_basis(rq_ws *ws, const size_t *order, size_t n_order)
{
    int p = ws->p, got = 0;
    ws->binv_ok = 0;
    ws->m_ok = 0;
    double q[SLDS_RQ_MAX_P * SLDS_RQ_MAX_P];
    for (size_t t = 0; t < n_order && got < p; t++) {
        const double *x = wrow(ws, order[t]);
        double v[SLDS_RQ_MAX_P], nx = sqrt(dotp(x, x, p));
        if (!(nx > 0.0))
            continue;
        memcpy(v, x, (size_t)p * sizeof *v);
        for (int pass = 0; pass < 2; pass++)
            for (int k = 0; k < got; k++) {
                double c = dotp(q + k * p, v, p);
                for (int r = 0; r < p; r++)
                    v[r] -= c * q[k * p + r];
            }
        double nv = sqrt(dotp(v, v, p));
        if (nv > 1e-8 * nx) {
            for (int r = 0; r < p; r++)
                q[got * p + r] = v[r] / nv;
            ws->basis[got++] = order[t];
        }
    }
    if (got < p)
        return slds_fail(&ws->err, SLDS_ERR_NUMERIC,
                         "quantile regression design is rank deficient: only %d of %d "
                         "columns are independent",
                         got, p);
    return SLDS_OK;
}

typedef struct key_pos {
    double key;
    size_t pos;
} key_pos;

static int cmp_key(const void *a, const void *b)
{
    double x = ((const key_pos *)a)->key, y = ((const key_pos *)b)->key;
    return (x > y) - (x < y);
}

/* Cold start on the current working set: the rows nearest the tau-quantile
 * shift of the guess beta0, made independent. */
static int ws_cold_basis(rq_ws *ws, double tau, const double *beta0)
{
    size_t m = ws->m;
    int p = ws->p;
    key_pos *kp = malloc(m * sizeof *kp);
    size_t *order = malloc(m * sizeof *order);
    if (!kp || !order) {
        free(kp);
        free(order);
        return slds_fail(&ws->err, SLDS_ERR_NOMEM, "out of memory choosing a starting basis");
    }
    double *e = ws->zw;
    for (size_t i = 0; i < m; i++)
        e[i] = ws->yw[i] - dotp(wrow(ws, i), beta0, p);
    memcpy(ws->rw, e, m * sizeof *e);
    size_t kq = (size_t)floor(tau * (double)(m - 1));
    double qv = select_kth(ws->rw, m, kq);
    for (size_t i = 0; i < m; i++) {
        kp[i].key = fabs(e[i] - qv);
        kp[i].pos = i;
    }
    qsort(kp, m, sizeof *kp, cmp_key);
    for (size_t i = 0; i < m; i++)
        order[i] = kp[i].pos;
    int rc = ws_pick_basis(ws, order, m);
    free(kp);
    free(order);
    return rc;
}

/* ------------------------------------------------------------------ */
/* One tau.                                                            */

static void full_residuals(const rq_data *d, const double *y, const double *beta, double *r)
{
    if (d->xt)
        cols_dot(d->xt, d->n, d->n, d->p, beta, r);
    else
        rows_dot(d->x, d->n, d->p, beta, r);
    size_t i = 0;
#ifdef RQ_VEC
    for (; i + 2 <= d->n; i += 2) {
        rq_v2 t = v2_load(y + i) - v2_load(r + i);
        v2_store(r + i, t);
    }
#endif
    for (; i < d->n; i++)
        r[i] = y[i] - r[i];
}

/* Row i goes to zone z (its scaled residual against the band's limits):
 * into the working set, or globbed on a side (the sums follow unless they
 * are to be recomputed). */
static int ws_zone_row(rq_ws *ws, size_t i, signed char z, int fresh)
{
    if (!z)
        return ws_push(ws, i);
    if (z != ws->zone[i]) {
        if (!fresh)
            ws_glob_move(ws, i, ws->zone[i], z);
        ws->zone[i] = z;
        ws->zd[i] = z;
    }
    return SLDS_OK;
}

/* Zones of every row from the scaled residuals rfull * inv_s against
 * [lo, hi]; nl, nh: rows globbed below and above. With AVX2, four rows at a
 * time, the rows that stay globbed on their side skipped. */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static int ws_classify_avx2(rq_ws *ws, double lo, double hi,
                                                            int fresh, size_t *nl, size_t *nh)
{
    const double *rf = ws->rfull, *is = ws->d->inv_s;
    size_t n = ws->d->n, i = 0;
    int rc;
    rq_v4 vlo = {lo, lo, lo, lo}, vhi = {hi, hi, hi, hi}, zero = {0.0, 0.0, 0.0, 0.0};
    rq_v4 one = {1.0, 1.0, 1.0, 1.0}, mone = -one;
    rq_v4l cl = {0, 0, 0, 0}, ch = cl;
    for (; i + 4 <= n; i += 4) {
        rq_v4 r = v4_load(rf + i) * v4_load(is + i);
        rq_v4l below = r < vlo, above = r > vhi;
        cl -= below;
        ch -= above;
        rq_v4 z = (rq_v4)((rq_v4l)mone & below) + (rq_v4)((rq_v4l)one & above);
        rq_v4l keep = (z == v4_load(ws->zd + i)) & (z != zero);
        if (keep[0] & keep[1] & keep[2] & keep[3])
            continue;
        for (int t = 0; t < 4; t++)
            if (!keep[t] && (rc = ws_zone_row(ws, i + (size_t)t, (signed char)z[t], fresh)))
                return rc;
    }
    *nl = (size_t)(cl[0] + cl[1] + cl[2] + cl[3]);
    *nh = (size_t)(ch[0] + ch[1] + ch[2] + ch[3]);
    for (; i < n; i++) {
        double r = rf[i] * is[i];
        signed char z = r < lo ? -1 : r > hi ? 1 : 0;
        *nl += z < 0;
        *nh += z > 0;
        if ((rc = ws_zone_row(ws, i, z, fresh)))
            return rc;
    }
    return SLDS_OK;
}
#endif

static int ws_classify(rq_ws *ws, double lo, double hi, int fresh, size_t *nl, size_t *nh)
{
#ifdef RQ_AVX2
    if (have_avx2())
        return ws_classify_avx2(ws, lo, hi, fresh, nl, nh);
#endif
    int rc;
    *nl = *nh = 0;
    for (size_t i = 0; i < ws->d->n; i++) {
        double r = ws->rfull[i] * ws->d->inv_s[i];
        signed char z = r < lo ? -1 : r > hi ? 1 : 0;
        *nl += z < 0;
        *nh += z > 0;
        if ((rc = ws_zone_row(ws, i, z, fresh)))
            return rc;
    }
    return SLDS_OK;
}

/* Builds the band working set around rank n*tau of the residuals rfull
 * (which must be those of the current guess), globbing the rest. The rank
 * thresholds come from a regular sample of the residuals: the band only has
 * to be about the right size. */
static int ws_build_band(rq_ws *ws, double tau, size_t width)
{
    const rq_data *d = ws->d;
    size_t n = d->n;
    int p = ws->p, rc;
    ws_clear(ws);
    double lo = -INFINITY, hi = INFINITY;
    if (width < n) {
        size_t ns = n < BAND_SAMPLE ? n : BAND_SAMPLE;
        if (ns == n)
            for (size_t k = 0; k < n; k++)
                ws->tmp[k] = ws->rfull[k] * d->inv_s[k];
        else
            for (size_t k = 0; k < ns; k++)
                ws->tmp[k] = ws->rfull[k * n / ns] * d->inv_s[k * n / ns];
        double scale = (double)ns / (double)n;
        double center = tau * (double)n;
        double klo = (center - (double)width / 2.0) * scale;
        double khi = (center + (double)width / 2.0) * scale;
        /* the exact ranks klo and khi, selected among the values within a
           band's width of the previous band's limits when both fall there
           (they move little from one tau to the next), else among all */
        double *v = ws->tmp;
        size_t nv = ns, base = 0;
        if (klo > 0 && khi < (double)(ns - 1) && ws->lim_ok) {
            double wd = ws->hi_prev - ws->lo_prev;
            double a = ws->lo_prev - wd, b = ws->hi_prev + wd;
            size_t below = 0, m = 0;
            for (size_t k = 0; k < ns; k++) {
                double x = ws->tmp[k];
                below += x < a;
                ws->tmp2[m] = x;
                m += (x >= a) & (x <= b);
            }
            if (below <= (size_t)klo && (size_t)khi < below + m) {
                v = ws->tmp2;
                nv = m;
                base = below;
            }
        }
        /* after the first selection the k-th smallest is in place with the
           smaller ones before it: the second looks only above it */
        size_t skip = 0;
        if (klo > 0) {
            lo = select_kth(v, nv, (size_t)klo - base);
            skip = (size_t)klo - base + 1;
        }
        if (khi < (double)(ns - 1)) {
            size_t kh = (size_t)khi - base;
            hi = kh < skip ? lo : select_kth(v + skip, nv - skip, kh - skip);
        }
    }
    ws->lim_ok = isfinite(lo) && isfinite(hi) && hi >= lo;
    ws->lo_prev = lo;
    ws->hi_prev = hi;
    /* zones: the globbed sums follow the rows that change zone, or are
       recomputed below */
    int fresh = !ws->globs_ok || ws->globs_age >= GLOB_REFRESH;
    if (fresh)
        ws->globs_ok = 0;
    ws->globs_age++;
    size_t nl = 0, nh = 0;
    if ((rc = ws_classify(ws, lo, hi, fresh, &nl, &nh)))
        return rc;
    /* the previous basis always belongs to the band */
    if (ws->have_basis)
        for (int l = 0; l < p; l++) {
            size_t i = ws->bfull[l];
            if (ws->zone[i]) {
                nl -= ws->zone[i] < 0;
                nh -= ws->zone[i] > 0;
                if ((rc = ws_push(ws, i)))
                    return rc;
            }
        }
    if (fresh) {
        /* sum over the smaller side, the other side from the totals */
        double sw[SLDS_RQ_MAX_P] = {0}, ss[SLDS_RQ_MAX_P] = {0}, yw = 0.0, ys = 0.0;
        for (size_t k = 0; k < ws->m; k++) {
            axpy(sw, ws->ww[k], wrow(ws, k), p);
            yw += ws->ww[k] * d->y0[ws->idx[k]];
        }
        signed char side = nl <= nh ? -1 : 1;
        if ((side < 0 ? nl : nh) > 0)
            for (size_t i = 0; i < n; i++)
                if (ws->zone[i] == side) {
                    axpy(ss, wt_of(d, i), d->x + i * (size_t)p, p);
                    ys += wt_of(d, i) * d->y0[i];
                }
        double *sside = side < 0 ? ws->slo : ws->shi, *sother = side < 0 ? ws->shi : ws->slo;
        for (int c = 0; c < p; c++) {
            sside[c] = ss[c];
            sother[c] = d->sum_all[c] - sw[c] - ss[c];
        }
        *(side < 0 ? &ws->ylo : &ws->yhi) = ys;
        *(side < 0 ? &ws->yhi : &ws->ylo) = d->sum_y - yw - ys;
        ws->globs_ok = 1;
        ws->globs_age = 0;
    }
    for (int c = 0; c < p; c++)
        ws->gfix[c] = tau * ws->shi[c] + (tau - 1.0) * ws->slo[c];
    return SLDS_OK;
}

/* Basis (full indices) -> working positions. */
static void ws_map_basis(rq_ws *ws)
{
    for (int l = 0; l < ws->p; l++)
        ws->basis[l] = ws->wpos[ws->bfull[l]];
}

/* The first i >= from with zd[i] r[i] < -tol (a globbed row on the other
 * side), or with zd[i] != 0 and |r[i]| <= tol when near; n if none. Four
 * rows at a time with AVX2. */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static size_t scan_avx2(const double *zd, const double *r,
                                                        size_t from, size_t n, double tol,
                                                        int near)
{
    size_t i = from;
    rq_v4 vt = {tol, tol, tol, tol}, mt = -vt, zero = {0.0, 0.0, 0.0, 0.0};
    rq_v4l absmask = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                      0x7fffffffffffffffLL};
    for (; i + 4 <= n; i += 4) {
        rq_v4 z = v4_load(zd + i), x = v4_load(r + i);
        rq_v4l hit = near ? (z != zero) & ((rq_v4)((rq_v4l)x & absmask) <= vt) : z * x < mt;
        if (hit[0] | hit[1] | hit[2] | hit[3])
            break;
    }
    for (; i < n; i++)
        if (near ? zd[i] != 0.0 && fabs(r[i]) <= tol : zd[i] * r[i] < -tol)
            return i;
    return n;
}
#endif

static size_t scan_rows(const double *zd, const double *r, size_t from, size_t n, double tol,
                        int near)
{
#ifdef RQ_AVX2
    if (have_avx2())
        return scan_avx2(zd, r, from, n, tol, near);
#endif
    for (size_t i = from; i < n; i++)
        if (near ? zd[i] != 0.0 && fabs(r[i]) <= tol : zd[i] * r[i] < -tol)
            return i;
    return n;
}

/* Moves globbed observations whose residual sign disagrees into the band.
 * Returns how many moved, or -1 on error. */
static long ws_repair(rq_ws *ws, double tau, long limit)
{
    const rq_data *d = ws->d;
    int p = ws->p;
    long moved = 0;
    double tol = d->tol_r;
    for (size_t i = 0; (i = scan_rows(ws->zd, ws->rfull, i, d->n, tol, 0)) < d->n; i++) {
        signed char z = ws->zone[i]; /* globbed on the other side */
        if (moved >= limit)
            return moved + 1;
        axmy(ws->gfix, wt_of(d, i) * (z > 0 ? tau : tau - 1.0), d->x + i * (size_t)p, (size_t)p);
        if (ws_push(ws, i))
            return -1;
        moved++;
    }
    return moved;
}

/* Whole working set = all observations (small n, or the final repair). */
static int ws_build_all(rq_ws *ws)
{
    int rc;
    ws_clear(ws);
    for (size_t i = 0; i < ws->d->n; i++)
        if ((rc = ws_push(ws, i)))
            return rc;
    memset(ws->gfix, 0, sizeof ws->gfix);
    memset(ws->slo, 0, sizeof ws->slo);
    memset(ws->shi, 0, sizeof ws->shi);
    ws->ylo = ws->yhi = 0.0;
    ws->globs_ok = 1;
    ws->globs_age = 0;
    return SLDS_OK;
}

/* After a band solve: checks every globbed observation against the full
 * residuals (left in rfull) and re-solves with the offenders in the band until
 * none is left. Returns SLDS_OK, -1 when the band must be widened (too many
 * offenders, or an unbounded reduced problem), or an error. */
static int ws_verify_band(rq_ws *ws, double tau)
{
    const rq_data *d = ws->d;
    int p = ws->p, rc = SLDS_OK;
    for (;;) {
        full_residuals(d, ws->y, ws->beta, ws->rfull);
        long limit = (long)ws->m + 4 * p; /* more offenders: widen instead */
        long moved = ws_repair(ws, tau, limit);
        if (moved < 0)
            return ws->err.code ? ws->err.code : SLDS_ERR_NOMEM;
        if (moved == 0)
            return SLDS_OK;
        if (moved > limit)
            return -1;
        ws->band_repairs++;
        ws_map_basis(ws);
        if ((rc = ws_simplex(ws, tau, 0)))
            return rc;
    }
}

/* Solves one tau on the perturbed data. Leaves beta (perturbed) and bfull. */
static int ws_solve_perturbed(rq_ws *ws, double tau, double dtau, const double *beta_ls,
                              int *all_built)
{
    const rq_data *d = ws->d;
    size_t n = d->n;
    int p = ws->p, rc;
    if (n < d->band_min_n) {
        if (!*all_built) {
            if ((rc = ws_build_all(ws)))
                return rc;
            *all_built = 1;
        }
        if (!ws->have_basis) {
            if ((rc = ws_cold_basis(ws, tau, beta_ls)))
                return rc;
            rc = ws_simplex(ws, tau, 1);
        } else {
            ws_map_basis(ws);
            rc = ws_simplex(ws, tau, 0);
        }
        return rc < 0 ? slds_fail(&ws->err, SLDS_ERR_NUMERIC,
                                  "quantile regression unbounded at tau %g", tau)
                      : rc;
    }
    /* band solver */
    double dn = (double)n, pp = (double)p;
    size_t width;
    if (!ws->have_basis) {
        full_residuals(d, ws->y, beta_ls, ws->rfull);
        width = (size_t)(2.0 * sqrt(pp) * pow(dn, 2.0 / 3.0));
    } else {
        /* rfull holds the residuals of the previous tau's fit */
        double f = log(dn / BAND_N0) / log(BAND_N1 / BAND_N0);
        f = f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
        double A = BAND_A0 + f * (BAND_A1 - BAND_A0), B = BAND_B0 + f * (BAND_B1 - BAND_B0);
        width = (size_t)(2.0 * (dn * dtau + A * sqrt(dn * pp * dtau)) + B * pp);
    }
    if (width < (size_t)(BAND_F * p))
        width = (size_t)(BAND_F * p);
    /* data whose fit moves more than the formula expects (clustered or
       heteroscedastic scores) needed a wider band at the previous tau: start
       from what it ended with */
    if (ws->have_basis && width < ws->last_width)
        width = ws->last_width;
    for (int attempt = 0;; attempt++) {
        if (width >= n)
            width = n;
        ws->last_width = attempt > 0 ? width : width * 3 / 4;
        if ((rc = ws_build_band(ws, tau, width)))
            return rc;
        ws->band_solves++;
        ws->band_rows += (long)ws->m;
        if (!ws->have_basis) {
            /* cold: the band rows nearest the shifted least-squares fit */
            if ((rc = ws_cold_basis(ws, tau, beta_ls)))
                return rc;
            rc = ws_simplex(ws, tau, 1);
        } else {
            ws_map_basis(ws);
            rc = ws_simplex(ws, tau, 1);
        }
        if (rc == SLDS_OK)
            rc = ws_verify_band(ws, tau);
        if (rc >= 0)
            return rc;
        if (width == n)
            return slds_fail(&ws->err, SLDS_ERR_NUMERIC,
                             "quantile regression unbounded at tau %g", tau);
        /* unbounded or too many sign failures: rebuild a wider band around
           the current fit */
        if (ws->have_basis)
            full_residuals(d, ws->y, ws->beta, ws->rfull);
        width *= 2;
        (void)attempt;
    }
}

/* Final step of a tau: the vertex for the original y, checked and if needed
 * re-optimised on the original data. Writes beta0 and the objective.
 *
 * r0_i = y0_i - x_i'beta0 differs from the perturbed residual by at most
 * eta + xmax1 * max|beta0 - beta|, so only observations that close to the
 * fit can have changed side; those are recomputed exactly. With every side
 * unchanged the basis is optimal for y0 (its reduced costs do not involve y)
 * and the objective is sum psi_i w_i y0_i - G'beta0. */
static int ws_finish(rq_ws *ws, double tau, double *beta0, double *objective, int *all_built)
{
    const rq_data *d = ws->d;
    int p = ws->p, rc;
    size_t n = d->n;
    /* binv is fresh, for the basis in increasing order of observation */
    double dmax = 0.0;
    for (int r = 0; r < p; r++) {
        double s = 0.0;
        for (int l = 0; l < p; l++)
            s += ws->binv[r + l * p] * d->y0[ws->bfull[l]];
        beta0[r] = s;
        dmax = fmax(dmax, fabs(s - ws->beta[r]));
    }
    double bound = 2.0 * (d->eta + d->xmax1 * dmax) + d->tol_r;
#ifndef NDEBUG
    for (int l = 0; l < p; l++) { /* a vertex: the basis rows are fitted (invariant 1) */
        size_t i = ws->bfull[l];
        assert(fabs(d->y0[i] - dotp(d->x + i * (size_t)p, beta0, p)) <= 1e4 * d->tol_r);
    }
#endif
    int consistent = 1;
    /* globbed rows: their part of the objective from the sums; only those
       near the fit can have changed side */
    double sy = tau * ws->yhi + (tau - 1.0) * ws->ylo;
    for (size_t i = 0; (i = scan_rows(ws->zd, ws->rfull, i, n, bound, 1)) < n; i++) {
        signed char sgn = ws->zone[i];
        double r0 = d->y0[i] - dotp(d->x + i * (size_t)p, beta0, p);
        if ((sgn > 0 && r0 < -d->tol_r) || (sgn < 0 && r0 > d->tol_r))
            consistent = 0;
    }
    for (size_t k = 0; k < ws->m; k++) {
        signed char sgn = ws->sg[k];
        if (!sgn)
            continue;
        size_t i = ws->idx[k];
        sy += (sgn > 0 ? tau : tau - 1.0) * ws->ww[k] * d->y0[i];
        if (fabs(ws->rw[k]) <= bound) {
            double r0 = d->y0[i] - dotp(d->x + i * (size_t)p, beta0, p);
            if ((sgn > 0 && r0 < -d->tol_r) || (sgn < 0 && r0 > d->tol_r))
                consistent = 0;
        }
    }
    if (consistent) {
        *objective = sy - dotp(ws->G, beta0, p);
        return SLDS_OK;
    }
    /* Re-optimise on the original responses from the current basis, on the
       same working set (verified again when it is a band; all observations
       if that fails). Rare: needs an observation within the perturbation of
       the fit. */
    const double *ysave = ws->y;
    ws->y = d->y0;
    for (size_t k = 0; k < ws->m; k++)
        ws->yw[k] = d->y0[ws->idx[k]];
    ws_map_basis(ws);
    rc = ws_simplex(ws, tau, 1);
    if (rc == SLDS_OK && ws->m < n)
        rc = ws_verify_band(ws, tau);
    if (rc < 0) {
        if ((rc = ws_build_all(ws)) == SLDS_OK) {
            ws_map_basis(ws);
            rc = ws_simplex(ws, tau, 1);
        }
        if (rc < 0)
            rc = slds_fail(&ws->err, SLDS_ERR_NUMERIC,
                           "quantile regression unbounded at tau %g", tau);
    }
    ws->y = ysave;
    for (size_t k = 0; k < ws->m; k++)
        ws->yw[k] = ysave[ws->idx[k]];
    if (rc)
        return rc;
    (void)all_built;
    memcpy(beta0, ws->beta, (size_t)p * sizeof *beta0);
    double *r0 = ws->tmp, obj = 0.0;
    full_residuals(d, d->y0, beta0, r0);
    for (size_t i = 0; i < n; i++)
        obj += wt_of(d, i) * (r0[i] >= 0 ? tau * r0[i] : (tau - 1.0) * r0[i]);
    *objective = obj;
    /* the perturbed state for the next tau */
    full_residuals(d, d->yp, ws->beta, ws->rfull);
    ws->repairs_y0++;
    return SLDS_OK;
}

/* ------------------------------------------------------------------ */
/* Chunks of taus and threads.                                         */

/* A segment of taus [k0, k1): its seed tau ks is solved from a cold start,
 * then two streams warm-start outwards from it, down to k0 and up to k1 - 1,
 * the upward one on a thread of its own when the segment has a helper. */
typedef struct rq_seg {
    const rq_data *d;
    const double *taus;
    int k0, k1, ks;
    int helper;
    const double *beta_ls;
    double *coef;      /* p x n_taus, whole result */
    double *objective; /* n_taus */
    rq_ws ws[2];       /* downward (and the seed), upward */
    int rc[2];
    int all_built[2];
} rq_seg;

static void ws_free(rq_ws *ws)
{
    free(ws->idx);
    free(ws->xc);
    free(ws->yw);
    free(ws->ww);
    free(ws->rw);
    free(ws->zw);
    free(ws->sg);
    free(ws->gd);
    free(ws->bp);
    free(ws->sel);
    free(ws->rfull);
    free(ws->tmp);
    free(ws->zone);
    free(ws->zd);
    free(ws->wpos);
    free(ws->ext);
    free(ws->tmp2);
}

static int ws_init(rq_ws *ws, const rq_data *d)
{
    memset(ws, 0, sizeof *ws);
    ws->d = d;
    ws->p = d->p;
    ws->y = d->yp;
    size_t n = d->n;
    ws->rfull = malloc(n * sizeof *ws->rfull);
    ws->tmp = malloc(n * sizeof *ws->tmp);
    ws->tmp2 = malloc(n * sizeof *ws->tmp2);
    ws->zone = calloc(n, sizeof *ws->zone);
    ws->zd = calloc(n, sizeof *ws->zd);
    ws->wpos = malloc(n * sizeof *ws->wpos);
    if (!ws->rfull || !ws->tmp || !ws->tmp2 || !ws->zone || !ws->zd || !ws->wpos)
        return slds_fail(&ws->err, SLDS_ERR_NOMEM,
                         "out of memory for quantile regression on %zu observations", n);
    for (size_t i = 0; i < n; i++)
        ws->wpos[i] = SIZE_MAX;
    return SLDS_OK;
}

/* Solves taus from, from + step, ... up to (not including) to, each warm
 * started from the one before. */
static int run_stream(rq_seg *sg, int which, int from, int to, int step)
{
    rq_ws *ws = &sg->ws[which];
    int p = sg->d->p, rc = SLDS_OK;
    for (int k = from; k != to && rc == SLDS_OK; k += step) {
        double tau = sg->taus[k];
        double dtau = fabs(tau - sg->taus[k - step]);
        rc = ws_solve_perturbed(ws, tau, dtau, sg->beta_ls, &sg->all_built[which]);
        if (rc == SLDS_OK)
            rc = ws_finish(ws, tau, sg->coef + (size_t)k * (size_t)p, sg->objective + k,
                           &sg->all_built[which]);
    }
    return rc;
}

/* Stream 0 solves downwards from the seed, stream 1 upwards. */
static int stream_task(void *arg, int which, int threads, slds_error *err)
{
    (void)threads;
    (void)err;
    rq_seg *sg = arg;
    if (which == 0)
        sg->rc[0] = run_stream(sg, 0, sg->ks - 1, sg->k0 - 1, -1);
    else
        sg->rc[1] = run_stream(sg, 1, sg->ks + 1, sg->k1, 1);
    return SLDS_OK; /* the streams keep their own errors */
}

static void seg_main(rq_seg *sg)
{
    const rq_data *d = sg->d;
    int p = d->p, ks = sg->ks;
    if ((sg->rc[0] = ws_init(&sg->ws[0], d)) || (sg->rc[1] = ws_init(&sg->ws[1], d)))
        return;
    rq_ws *w0 = &sg->ws[0], *w1 = &sg->ws[1];
    double tau = sg->taus[ks];
    int rc = ws_solve_perturbed(w0, tau, 0.0, sg->beta_ls, &sg->all_built[0]);
    if (rc == SLDS_OK)
        rc = ws_finish(w0, tau, sg->coef + (size_t)ks * (size_t)p, sg->objective + ks,
                       &sg->all_built[0]);
    if ((sg->rc[0] = rc))
        return;
    /* the upward stream starts from the seed's fit */
    memcpy(w1->bfull, w0->bfull, sizeof w1->bfull);
    memcpy(w1->rfull, w0->rfull, d->n * sizeof *w1->rfull);
    w1->have_basis = 1;
    w1->binv_ok = w0->binv_ok;
    w1->m_ok = w0->m_ok;
    w1->m_age = w0->m_age;
    memcpy(w1->binv, w0->binv, sizeof w1->binv);
    memcpy(w1->M, w0->M, sizeof w1->M);
    w1->last_width = w0->last_width;
    int threads = sg->helper && ks + 1 < sg->k1 ? 2 : 1;
    if (slds_parallel_for(2, threads, stream_task, sg, NULL, NULL, NULL) != SLDS_OK)
        for (int which = 0; which < 2; which++) /* the pool could not start */
            stream_task(sg, which, 1, NULL);
}

static int seg_task(void *arg, int c, int threads, slds_error *err)
{
    (void)threads;
    (void)err;
    seg_main((rq_seg *)arg + c);
    return SLDS_OK; /* the segments keep their own errors */
}

int slds_rq_fit(const slds_rq_problem *prob, const slds_rq_params *prm_in,
                slds_rq_result *res, slds_error *err)
{
    memset(res, 0, sizeof *res);
    slds_rq_params prm;
    if (prm_in)
        prm = *prm_in;
    else
        slds_rq_params_default(&prm);
    int p = prob->p;
    size_t n = prob->n;
    if (p < 1 || p > SLDS_RQ_MAX_P)
        return slds_fail(err, SLDS_ERR_USAGE, "quantile regression with %d columns (1..%d)", p,
                         SLDS_RQ_MAX_P);
    if (n < (size_t)p)
        return slds_fail(err, SLDS_ERR_NUMERIC,
                         "quantile regression needs at least %d observations, got %zu", p, n);
    double sgp_taus[100];
    const double *taus = prm.taus;
    int n_taus = prm.n_taus;
    if (!taus) {
        slds_rq_sgp_taus(sgp_taus);
        taus = sgp_taus;
        n_taus = 100;
    }
    if (n_taus < 1)
        return slds_fail(err, SLDS_ERR_USAGE, "quantile regression needs at least one tau");
    for (int k = 0; k < n_taus; k++)
        if (!(taus[k] > 0.0 && taus[k] < 1.0) || (k > 0 && !(taus[k] > taus[k - 1])))
            return slds_fail(err, SLDS_ERR_USAGE,
                             "taus must increase strictly inside (0, 1); tau[%d] = %g", k,
                             taus[k]);
    double yscale = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(prob->y[i]))
            return slds_fail(err, SLDS_ERR_USAGE, "quantile regression: y[%zu] is not finite", i);
        if (prob->w && !(prob->w[i] > 0.0 && isfinite(prob->w[i])))
            return slds_fail(err, SLDS_ERR_USAGE,
                             "quantile regression: weight %zu is not positive", i);
        for (int j = 0; j < p; j++)
            if (!isfinite(prob->x[i * (size_t)p + (size_t)j]))
                return slds_fail(err, SLDS_ERR_USAGE,
                                 "quantile regression: x[%zu][%d] is not finite", i, j);
        yscale = fmax(yscale, fabs(prob->y[i]));
    }

    res->p = p;
    res->n_taus = n_taus;
    res->taus = malloc((size_t)n_taus * sizeof *res->taus);
    res->coef = calloc((size_t)n_taus * (size_t)p, sizeof *res->coef);
    res->objective = calloc((size_t)n_taus, sizeof *res->objective);
    double *yp = malloc(n * sizeof *yp);
    if (!res->taus || !res->coef || !res->objective || !yp) {
        free(yp);
        slds_rq_result_free(res);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for quantile regression");
    }
    memcpy(res->taus, taus, (size_t)n_taus * sizeof *taus);
    double eta = 1e-8 * (1.0 + yscale);
    for (size_t i = 0; i < n; i++) {
        uint64_t h = splitmix64((uint64_t)prm.seed * 0x100000001b3ULL + (uint64_t)i);
        double u = ((double)(h >> 11) * 0x1.0p-53) * 2.0 - 1.0;
        yp[i] = prob->y[i] + eta * u;
    }
    rq_data d = {.n = n,
                 .p = p,
                 .x = prob->x,
                 .y0 = prob->y,
                 .yp = yp,
                 .w = prob->w,
                 .tol_r = 1e-10 * (1.0 + yscale),
                 .eta = eta,
                 .band_min_n = prm.band_min_n ? prm.band_min_n : SIZE_MAX};

    for (size_t i = 0; i < n; i++) {
        const double *xi = prob->x + i * (size_t)p;
        double w = prob->w ? prob->w[i] : 1.0, a = 0.0;
        for (int j = 0; j < p; j++) {
            a += fabs(xi[j]);
            d.sum_all[j] += w * xi[j];
        }
        d.sum_y += w * prob->y[i];
        d.xmax1 = fmax(d.xmax1, a);
    }
    double beta_ls[SLDS_RQ_MAX_P];
    int rc = rq_rank_check(&d, d.gram, beta_ls, err);
    if (rc) {
        free(yp);
        slds_rq_result_free(res);
        return rc;
    }
    double *inv_s = NULL, *xt = NULL;
    if (n >= d.band_min_n) {
        if (!(inv_s = malloc(n * sizeof *inv_s))) {
            free(yp);
            slds_rq_result_free(res);
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for quantile regression");
        }
        if (!(xt = malloc(n * (size_t)p * sizeof *xt))) {
            free(yp);
            free(inv_s);
            slds_rq_result_free(res);
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for quantile regression");
        }
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < p; j++)
                xt[(size_t)j * n + i] = prob->x[i * (size_t)p + (size_t)j];
        d.xt = xt;
        leverage_scale(&d, inv_s);
        d.inv_s = inv_s;
    }

    /* Threads: ceil(nt / 2) segments of taus, each with a cold start at its
       middle tau and two streams outwards; with nt = 2 the two streams of
       one segment share the only cold start. */
    int nt = prm.n_threads > 0 ? prm.n_threads : slds_cpu_count();
    if (nt > 64)
        nt = 64;
    int nseg = (nt + 1) / 2;
    if (nseg > n_taus)
        nseg = n_taus;
    rq_seg *segs = calloc((size_t)nseg, sizeof *segs);
    if (!segs) {
        free(yp);
        free(inv_s);
        free(xt);
        slds_rq_result_free(res);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for quantile regression threads");
    }
    for (int c = 0; c < nseg; c++) {
        rq_seg *sg = &segs[c];
        sg->d = &d;
        sg->taus = taus;
        sg->k0 = (int)((long)n_taus * c / nseg);
        sg->k1 = (int)((long)n_taus * (c + 1) / nseg);
        sg->ks = sg->k0 + (sg->k1 - sg->k0) / 2;
        sg->helper = c < nt - nseg;
        sg->beta_ls = beta_ls;
        sg->coef = res->coef;
        sg->objective = res->objective;
    }
    if (slds_parallel_for(nseg, nseg, seg_task, segs, NULL, NULL, NULL) != SLDS_OK)
        for (int c = 0; c < nseg; c++) /* the pool could not start: here, in turn */
            seg_main(&segs[c]);
    rc = SLDS_OK;
    for (int c = 0; c < nseg; c++)
        for (int w = 0; w < 2; w++) {
            rq_ws *ws = &segs[c].ws[w];
            if (segs[c].rc[w] && rc == SLDS_OK) {
                rc = segs[c].rc[w];
                if (err) {
                    *err = ws->err;
                    if (!err->code)
                        err->code = rc;
                }
            }
            res->pivots += ws->pivots;
            res->band_solves += ws->band_solves;
            res->band_repairs += ws->band_repairs;
            res->band_rows += ws->band_rows;
            res->exact_repairs += ws->repairs_y0;
        }
#ifdef SLDS_RQ_TRACE
    long ext = 0, gm = 0;
    for (int c = 0; c < nseg; c++) {
        ext += segs[c].ws[0].extends + segs[c].ws[1].extends;
        gm += segs[c].ws[0].guess_misses + segs[c].ws[1].guess_misses;
    }
    fprintf(stderr, "rq guess misses %ld\n", gm);
    fprintf(stderr, "rq n=%zu p=%d pivots=%ld solves=%ld repairs=%ld extends=%ld meanband=%.0f exact=%ld\n", n, p, res->pivots, res->band_solves, res->band_repairs, ext, res->band_solves ? (double)res->band_rows / (double)res->band_solves : 0.0, res->exact_repairs);
#endif
    for (int c = 0; c < nseg; c++) {
        ws_free(&segs[c].ws[0]);
        ws_free(&segs[c].ws[1]);
    }
    free(segs);
    free(yp);
    free(inv_s);
    free(xt);
    if (rc)
        slds_rq_result_free(res);
    return rc;
}
