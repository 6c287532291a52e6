/* stats.h - numerical kernels of libslds: the B-spline basis of R's
 * splines::bs(), linear quantile regression at many quantiles (an exact
 * simplex solver, warm-started across quantiles, with Portnoy-Koenker
 * globbing for large n), and small helpers that must agree with R to the last
 * digit (round(), quantile(type = 7), median()).
 *
 * Every kernel follows one shape (as in liblinear): a problem struct that only
 * borrows the caller's arrays, a params struct with a *_default() initialiser,
 * and a result struct that the kernel fills and the caller releases with the
 * matching *_free(). Matrices are dense doubles; the layout is stated at each
 * field. Nothing here keeps hidden state: functions are reentrant and may run
 * in parallel on different inputs. */
#ifndef SLDS_STATS_H
#define SLDS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ------------------------------------------------------------------------ */
/* B-spline basis, identical to R's splines::bs(x, knots, degree,
 * intercept, Boundary.knots).                                               */

enum { SLDS_BS_MAX_KNOTS = 16, SLDS_BS_MAX_DEGREE = 5 };

typedef struct slds_bspline {
    int degree;                        /* polynomial degree; 3 = cubic (bs default) */
    int n_knots;                       /* interior knots, 0..SLDS_BS_MAX_KNOTS */
    double knots[SLDS_BS_MAX_KNOTS];   /* nondecreasing, strictly inside boundary */
    double boundary[2];                /* Boundary.knots, boundary[0] < boundary[1] */
    int intercept;                     /* 1 keeps the first basis function (bs default 0) */
} slds_bspline;

/* Fills b as bs(degree = 3, intercept = FALSE) with the given knots. */
void slds_bspline_cubic(slds_bspline *b, const double *knots, int n_knots,
                        double lower, double upper);
/* Number of columns bs() returns: n_knots + degree + intercept. */
int slds_bspline_ncol(const slds_bspline *b);
/* SLDS_ERR_USAGE with a message when the spline is not well formed. */
int slds_bspline_check(const slds_bspline *b, slds_error *err);
/* Evaluates the basis at x[0..n-1]: row i of out (out + i*ld, ld >= ncol)
 * receives the ncol basis values at x[i]. Values outside the boundary knots
 * are extrapolated exactly as R >= 3.3 does (cubic Taylor expansion at a pivot
 * a quarter of the way from the boundary to the nearest interior knot); a NaN
 * x gives a row of NaN, as bs() gives NA. */
int slds_bspline_eval(const slds_bspline *b, const double *x, size_t n, double *out,
                      size_t ld, slds_error *err);

/* ------------------------------------------------------------------------ */
/* R-compatible scalar helpers.                                              */

/* R's round(x, digits) for digits >= 0 (R >= 4.0 algorithm: the nearer of the
 * two decimal candidates, ties to the even last digit). */
double slds_round_r(double x, int digits);
/* R's quantile(x, probs, type = 7) of the n values (NaN ignored, like
 * na.rm = TRUE); x is not modified. SLDS_ERR_USAGE if no value is finite or
 * a prob is outside [0, 1]. */
int slds_quantile_type7(const double *x, size_t n, const double *probs, size_t n_probs,
                        double *out, slds_error *err);
/* R's median(x, na.rm = TRUE); NaN when there is no value. */
double slds_median(const double *x, size_t n);

/* ------------------------------------------------------------------------ */
/* Linear quantile regression: for each tau, beta(tau) minimising
 * sum_i w_i * rho_tau(y_i - x_i' beta), rho_tau(u) = u * (tau - [u < 0]).
 *
 * The solution is an exact vertex of the linear program (p observations fitted
 * exactly), the same solution as quantreg's rq(method = "br") whenever the
 * optimum is unique, computed by a simplex method that is warm-started from
 * one tau to the next; for large n each tau is solved on a band of
 * observations near the previous fit, with the others globbed into two
 * pseudo-observations and verified afterwards (Portnoy and Koenker 1997), so
 * the result is still exact. See docs/growth-method.md. */

enum { SLDS_RQ_MAX_P = 64 };

typedef struct slds_rq_problem {
    size_t n;            /* observations */
    int p;               /* columns of the design, including the intercept if any */
    const double *x;     /* n x p, row-major: x[i*p + j] */
    const double *y;     /* n responses */
    const double *w;     /* n positive weights, or NULL for weight 1 */
} slds_rq_problem;

typedef struct slds_rq_params {
    const double *taus;  /* strictly increasing in (0, 1); NULL: the 100 SGP taus */
    int n_taus;          /* number of taus (ignored when taus is NULL) */
    int n_threads;       /* worker threads over chunks of taus; 0 = number of CPUs */
    size_t band_min_n;   /* use the band (globbing) solver when n >= this */
    unsigned long seed;  /* seeds the tie-breaking perturbation and the subsample */
} slds_rq_params;

typedef struct slds_rq_result {
    int p;
    int n_taus;
    double *taus;        /* n_taus, a copy of the taus fitted */
    double *coef;        /* p x n_taus, column-major as R's coefficient matrix:
                            coef[k*p + j] = coefficient j at taus[k] */
    double *objective;   /* n_taus: sum of weighted check losses at the optimum */
    long pivots;         /* simplex pivots, all taus */
    long band_solves;    /* reduced problems solved (0 without the band solver) */
    long band_repairs;   /* reduced problems re-solved after a sign check failed */
    long band_rows;      /* rows of all reduced problems (mean band = rows / solves) */
    long exact_repairs;  /* taus re-optimised on the unperturbed y (rare) */
} slds_rq_result;

/* The 100 taus of the SGP method, (k - 0.5) / 100 for k = 1..100. */
void slds_rq_sgp_taus(double taus[100]);
void slds_rq_params_default(slds_rq_params *prm);
/* Fits every tau. On success res is filled and owned by the caller (free it
 * with slds_rq_result_free); on failure res is left empty. A design that is
 * not of full column rank fails with SLDS_ERR_NUMERIC and a message. */
int slds_rq_fit(const slds_rq_problem *prob, const slds_rq_params *prm,
                slds_rq_result *res, slds_error *err);
void slds_rq_result_free(slds_rq_result *res);
/* sum_i w_i rho_tau(y_i - x_i' beta): to compare solutions. */
double slds_rq_check_loss(const slds_rq_problem *prob, double tau, const double *beta);

/* ------------------------------------------------------------------------ */
/* Weighted linear mixed model with one random intercept, fitted by REML
 * exactly as lme4 fits lmer(y ~ X + (1 | g), weights = w, REML = TRUE):
 *
 *   y = X beta + b[g] + e,  b ~ N(0, sigma^2 theta^2),  e_i ~ N(0, sigma^2 / w_i).
 *
 * sigma^2 and beta are profiled out, the 1-D REML criterion in theta >= 0 is
 * minimised (a log grid, then Brent's method to a tight tolerance), beta by
 * generalised least squares, and the conditional modes (BLUPs, empirical-Bayes
 * shrunken group effects) with their conditional standard errors as lme4's
 * ranef(condVar = TRUE) gives them. Per theta the work is O(G p^2) over
 * per-group sums (accumulated once, O(n p^2)). See docs/educators.md. */

typedef struct slds_lmm_problem {
    size_t n;            /* observations */
    int p;               /* columns of X (including the intercept), 1..SLDS_RQ_MAX_P */
    const double *x;     /* n x p, row-major */
    const double *y;     /* n responses */
    const double *w;     /* n positive weights, or NULL for 1 */
    const uint32_t *g;   /* n group numbers, 0..n_groups-1 */
    uint32_t n_groups;
    /* Measurement error (errors-in-variables), or NULL: n x p row-major, the
       error variance of each x_ij (0 for a column measured exactly; errors
       independent of each other and of y). The moment matrices are corrected
       by their expectation: X'WX by sum_i w_i diag(me_i) and each group's
       u_g u_g' by sum_i w_i^2 diag(me_i), so beta is consistent for the true
       covariates (a method-of-moments correction, as Fuller 1987, ch. 2). */
    const double *me;
} slds_lmm_problem;

typedef struct slds_lmm_params {
    double tol;          /* Brent tolerance on theta (relative); default 1e-10 */
    double theta_max;    /* upper end of the search; default 1e3 */
} slds_lmm_params;

typedef struct slds_lmm_result {
    int p;               /* columns of X given (beta, beta_se and aliased have p entries) */
    int n_aliased;       /* columns dropped as aliased (in the span of earlier ones) */
    unsigned char *aliased; /* p: 1 for a dropped column, whose beta and beta_se are NaN */
    uint32_t n_groups;
    double theta;        /* tau / sigma */
    double sigma2;       /* residual variance (for weight 1) */
    double tau2;         /* random-intercept variance */
    double reml;         /* REML criterion at the optimum, as lme4's REMLcrit() */
    double *beta;        /* p fixed effects */
    double *beta_se;     /* p standard errors of beta (from sigma2 (X'V^-1X)^-1) */
    double *blup;        /* n_groups conditional modes */
    double *blup_se;     /* n_groups conditional standard errors (condVar) */
    double *raw;         /* n_groups unshrunken effects: the group's weighted mean
                            residual y - X beta (the fixed-effects-style estimate) */
    double *group_w;     /* n_groups: sum of the weights of the group */
    size_t *group_n;     /* n_groups: observations of the group */
    int evaluations;     /* REML criterion evaluations */
} slds_lmm_result;

void slds_lmm_params_default(slds_lmm_params *prm);
/* Fits the model; res is owned by the caller (slds_lmm_result_free), left
 * empty on failure. A column of X that is (nearly: pivot below 1e-9 of its
 * weighted sum of squares) a combination of the columns before it, or zero,
 * is dropped as lme4 drops it (res->aliased; its beta NaN) and the model is
 * fitted without it. SLDS_ERR_NUMERIC when no theta gives a nonsingular
 * X'V^-1X even so. */
int slds_lmm_fit(const slds_lmm_problem *prob, const slds_lmm_params *prm,
                 slds_lmm_result *res, slds_error *err);
void slds_lmm_result_free(slds_lmm_result *res);

/* ---- dense Cholesky (cholesky.c) */

/* In-place Cholesky factor L of the p x p symmetric matrix a (lower triangle
 * used, row-major); returns 0 when a pivot falls to rel_tol x max(its
 * diagonal, floor) or below (not positive definite, or a column nearly in
 * the span of the earlier ones). floor -INFINITY: relative to the diagonal. */
int slds_cholesky(double *a, int p, double rel_tol, double floor);
/* Solves L L' x = b in place (b becomes x). */
void slds_cholesky_solve(const double *l, int p, double *b);

/* ---- classification */

/* Pooled area under the ROC curve of scores for labels (0/1), computed
 * exactly from ranks (the Mann-Whitney statistic, tied scores given their
 * mean rank). NaN when one class is absent. Rows with a NaN score are left
 * out. */
double slds_auc(const double *score, const uint8_t *label, size_t n, slds_error *err);

#endif
