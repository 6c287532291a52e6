/* rq_internal.h - what the files of the quantile regression solver share
 * and nothing outside src/stats sees: the problem as the workers see it
 * (rq_data), a crossing of the ratio test (rq_bp), a worker's workspace
 * (rq_ws), the tuning constants, and the functions one file calls in
 * another. The solver is split along its seams:
 *
 *   rq.c          the public API (stats.h), the design's rank check and
 *                 leverage, the tau segments and their threads, and the
 *                 design notes and invariants of the whole solver;
 *   rq_solver.c   the simplex on a working set;
 *   rq_band.c     the working set (all rows or a band) and one tau;
 *   rq_kernels.c  the vector kernels. */
#ifndef SLDS_STATS_RQ_INTERNAL_H
#define SLDS_STATS_RQ_INTERNAL_H

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
    const double *x;               /* n x p row-major */
    const double *xt;              /* the same by columns (xt[j*n + i]), for the band solver */
    const double *y0;              /* original responses */
    const double *yp;              /* perturbed responses */
    const double *w;               /* weights or NULL */
    double tol_r;                  /* residuals smaller than this are zero */
    double eta;                    /* largest perturbation of y */
    double xmax1;                  /* largest sum_j |x_ij| over the rows */
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
    size_t *idx; /* working position -> full index */
    double *yw, *ww, *rw, *zw;
    double *xc;      /* the working rows by columns: xc[j*cap + k] */
    signed char *sg; /* +1 above, -1 below, 0 basic */
    double *gd;      /* sg as doubles, for the vectorised ratio test */
    rq_bp *bp;
    size_t *sel; /* rows collected as crossing candidates */
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

/* Row k of the working set (a row of the caller's design). */
static inline const double *wrow(const rq_ws *ws, size_t k)
{
    return ws->d->x + ws->idx[k] * (size_t)ws->p;
}

/* rq_kernels.c: vector kernels */
void rq_axmy(double *restrict y, double f, const double *restrict x, size_t p);
void rq_axpy(double *restrict y, double f, const double *restrict x, int p);
void rq_col_dots(const double *restrict a, const double *restrict b, int p, double *q);
void rq_cols_dot(const double *restrict x, size_t ld, size_t m, int p, const double *restrict u,
                 double *restrict out);
void rq_cols_dot2(const double *restrict x, size_t ld, size_t m, int p, const double *restrict u1,
                  const double *restrict u2, double *restrict out1, double *restrict out2);
int rq_have_avx2(void);
void rq_rank1(double *restrict B, const double *restrict cj, const double *restrict f, int j,
              int p);
void rq_rows_dot(const double *restrict x, size_t m, int p, const double *restrict u,
                 double *restrict out);

/* rq_solver.c: selection and the simplex */
size_t rq_select_crossing(rq_bp *bp, size_t c, double need, double total);
double rq_select_kth(double *a, size_t n, size_t k);
int rq_ws_cold_basis(rq_ws *ws, double tau, const double *beta0);
int rq_ws_simplex(rq_ws *ws, double tau, int reset_signs);

/* rq_band.c: the working set and one tau */
long rq_ws_extend(rq_ws *ws, double tau, const double *u, double s, double need);
int rq_ws_finish(rq_ws *ws, double tau, double *beta0, double *objective, int *all_built);
int rq_ws_solve_perturbed(rq_ws *ws, double tau, double dtau, const double *beta_ls,
                          int *all_built);

#endif
