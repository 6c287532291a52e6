/* lmm.c - the weighted random-intercept linear mixed model fitted by REML as
 * lme4 fits it (stats.h).
 *
 * With A = sigma^2 V^-1, block diagonal by group with blocks
 * W_g - c_g w_g w_g' (c_g = theta^2 / (1 + theta^2 s_g), s_g = sum of the
 * group's weights), every quantity of the profiled REML criterion is a
 * per-group correction of the plain weighted sums:
 *
 *   X'AX = X'WX - sum_g c_g u_g u_g'     (u_g = X_g' w_g)
 *   X'Ay = X'Wy - sum_g c_g u_g t_g      (t_g = w_g' y_g)
 *   y'Ay = y'Wy - sum_g c_g t_g^2
 *
 * so the n rows are read once and each evaluation of the criterion costs
 * O(G p^2). The criterion is lme4's REMLcrit():
 *
 *   log|L|^2 + log|R_X|^2 - sum log w + (n-p) (1 + log(2 pi pwrss / (n-p)))
 *
 * with log|L|^2 = sum_g log(1 + theta^2 s_g), log|R_X|^2 = log|X'AX| and
 * pwrss = y'Ay - beta'X'Ay. The conditional modes are
 * b_g = c_g (t_g - u_g' beta) with conditional variance sigma^2 c_g, which is
 * what ranef(condVar = TRUE) reports (beta taken as known). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

typedef struct lmm_sums {
    int p;
    uint32_t G;
    size_t n;
    double *xwx;   /* p x p */
    double *xwy;   /* p */
    double ywy;
    double sum_log_w;
    double *u;     /* G x p */
    double *t;     /* G */
    double *s;     /* G */
    size_t *cnt;   /* G */
    double *me2;   /* G x p: sum of w^2 me of the group, or NULL */
    /* scratch for one evaluation */
    double *m, *r, *beta;
} lmm_sums;

/* The REML criterion at theta; beta (sums->beta) and pwrss are left for the
 * caller. Returns HUGE_VAL when X'AX is singular. */
static double reml_at(lmm_sums *S, double theta, double *pwrss_out)
{
    int p = S->p;
    double th2 = theta * theta;
    memcpy(S->m, S->xwx, sizeof(double) * (size_t)p * (size_t)p);
    memcpy(S->r, S->xwy, sizeof(double) * (size_t)p);
    double yay = S->ywy, ldl = 0;
    if (th2 > 0) {
        for (uint32_t g = 0; g < S->G; g++) {
            if (S->cnt[g] == 0)
                continue;
            double c = th2 / (1 + th2 * S->s[g]);
            ldl += log1p(th2 * S->s[g]);
            const double *u = S->u + (size_t)g * (size_t)p;
            double tg = S->t[g];
            if (S->me2)
                for (int i = 0; i < p; i++)
                    S->m[(size_t)i * (size_t)p + (size_t)i] += c * S->me2[(size_t)g * (size_t)p + (size_t)i];
            for (int i = 0; i < p; i++) {
                if (u[i] == 0)
                    continue;
                double cu = c * u[i];
                S->r[i] -= cu * tg;
                double *row = S->m + (size_t)i * (size_t)p;
                for (int j = 0; j <= i; j++)
                    row[j] -= cu * u[j];
            }
            yay -= c * tg * tg;
        }
    }
    if (!slds_cholesky(S->m, p, 1e-10, -INFINITY))
        return HUGE_VAL;
    double ldrx = 0;
    for (int i = 0; i < p; i++)
        ldrx += 2 * log(S->m[i * p + i]);
    memcpy(S->beta, S->r, sizeof(double) * (size_t)p);
    slds_cholesky_solve(S->m, p, S->beta);
    double pwrss = yay;
    for (int i = 0; i < p; i++)
        pwrss -= S->beta[i] * S->r[i];
    if (pwrss_out)
        *pwrss_out = pwrss;
    double nmp = (double)S->n - p;
    if (!(pwrss > 0))
        return HUGE_VAL;
    return ldl + ldrx - S->sum_log_w + nmp * (1 + log(2 * M_PI * pwrss / nmp));
}

/* Brent's minimiser on [a, b] (the algorithm of R's optimize()). */
static double brent_min(lmm_sums *S, double a, double b, double tol, int *evals)
{
    const double c = 0.5 * (3.0 - sqrt(5.0)), eps = sqrt(2.220446e-16);
    double v = a + c * (b - a), w = v, x = v, d = 0, e = 0;
    double fx = reml_at(S, x, NULL), fv = fx, fw = fx;
    (*evals)++;
    for (int it = 0; it < 500; it++) {
        double xm = 0.5 * (a + b), tol1 = eps * fabs(x) + tol / 3, t2 = 2 * tol1;
        if (fabs(x - xm) <= t2 - 0.5 * (b - a))
            break;
        double pq = 0, q = 0, r = 0;
        if (fabs(e) > tol1) {
            r = (x - w) * (fx - fv);
            q = (x - v) * (fx - fw);
            pq = (x - v) * q - (x - w) * r;
            q = 2 * (q - r);
            if (q > 0)
                pq = -pq;
            else
                q = -q;
            r = e;
            e = d;
        }
        double u;
        if (fabs(pq) >= fabs(0.5 * q * r) || pq <= q * (a - x) || pq >= q * (b - x)) {
            e = (x < xm) ? b - x : a - x;
            d = c * e;
        } else {
            d = pq / q;
            u = x + d;
            if (u - a < t2 || b - u < t2)
                d = (x < xm) ? tol1 : -tol1;
        }
        u = (fabs(d) >= tol1) ? x + d : (d > 0 ? x + tol1 : x - tol1);
        double fu = reml_at(S, u, NULL);
        (*evals)++;
        if (fu <= fx) {
            if (u < x)
                b = x;
            else
                a = x;
            v = w; fv = fw; w = x; fw = fx; x = u; fx = fu;
        } else {
            if (u < x)
                a = u;
            else
                b = u;
            if (fu <= fw || w == x) {
                v = w; fv = fw; w = u; fw = fu;
            } else if (fu <= fv || v == x || v == w) {
                v = u; fv = fu;
            }
        }
    }
    return x;
}

void slds_lmm_params_default(slds_lmm_params *prm)
{
    prm->tol = 1e-10;
    prm->theta_max = 1e3;
}

void slds_lmm_result_free(slds_lmm_result *res)
{
    if (!res)
        return;
    free(res->beta);
    free(res->beta_se);
    free(res->aliased);
    free(res->blup);
    free(res->blup_se);
    free(res->raw);
    free(res->group_w);
    free(res->group_n);
    memset(res, 0, sizeof *res);
}

static void sums_free(lmm_sums *S)
{
    free(S->xwx); free(S->xwy); free(S->u); free(S->t); free(S->s); free(S->me2);
    free(S->cnt); free(S->m); free(S->r); free(S->beta);
}

/* Marks the columns of the p x p matrix a (lower triangle) that are (nearly)
 * linear combinations of the columns before them: a Cholesky factorization
 * that skips a column whose pivot falls below 1e-9 of its diagonal (or is
 * zero). Returns the number of columns kept. a is left unchanged. */
static int find_aliased(const double *a, int p, unsigned char *aliased)
{
    enum { P = SLDS_RQ_MAX_P };
    static const double tol = 1e-9;
    double l[P * P];
    int kept = 0;
    for (int j = 0; j < p; j++) {
        double d0 = a[j * p + j], d = d0;
        for (int k = 0; k < j; k++)
            if (!aliased[k])
                d -= l[j * P + k] * l[j * P + k];
        if (!(d0 > 0) || !(d > tol * d0)) {
            aliased[j] = 1;
            continue;
        }
        d = sqrt(d);
        l[j * P + j] = d;
        kept++;
        for (int i = j + 1; i < p; i++) {
            double v = a[i * p + j];
            for (int k = 0; k < j; k++)
                if (!aliased[k])
                    v -= l[i * P + k] * l[j * P + k];
            l[i * P + j] = v / d;
        }
    }
    return kept;
}

/* Keeps the q columns not aliased in every per-column sum of S. */
static void compact_sums(lmm_sums *S, const unsigned char *aliased, int q)
{
    int p = S->p, map[SLDS_RQ_MAX_P];
    for (int j = 0, k = 0; j < p; j++)
        map[j] = aliased[j] ? -1 : k++;
    for (int i = 0; i < p; i++) /* front to back: a kept entry never moves later */
        for (int j = 0; j <= i; j++)
            if (map[i] >= 0 && map[j] >= 0)
                S->xwx[map[i] * q + map[j]] = S->xwx[i * p + j];
    for (int j = 0; j < p; j++)
        if (map[j] >= 0)
            S->xwy[map[j]] = S->xwy[j];
    for (uint32_t g = 0; g < S->G; g++) {
        double *u = S->u + (size_t)g * (size_t)p, *nu = S->u + (size_t)g * (size_t)q;
        double *e = S->me2 ? S->me2 + (size_t)g * (size_t)p : NULL;
        double *ne = S->me2 ? S->me2 + (size_t)g * (size_t)q : NULL;
        for (int j = 0; j < p; j++)
            if (map[j] >= 0) {
                nu[map[j]] = u[j];
                if (e)
                    ne[map[j]] = e[j];
            }
    }
    S->p = q;
}

int slds_lmm_fit(const slds_lmm_problem *prob, const slds_lmm_params *prm_in,
                 slds_lmm_result *res, slds_error *err)
{
    memset(res, 0, sizeof *res);
    slds_lmm_params prm;
    if (prm_in)
        prm = *prm_in;
    else
        slds_lmm_params_default(&prm);
    int p = prob->p;
    if (p < 1 || p > SLDS_RQ_MAX_P || prob->n_groups == 0 || prob->n <= (size_t)p)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "mixed model: %zu observations, %d columns, %u groups: nothing to fit",
                         prob->n, p, prob->n_groups);
    lmm_sums S = {.p = p, .G = prob->n_groups, .n = prob->n};
    size_t pp = (size_t)p * (size_t)p, G = prob->n_groups;
    S.xwx = calloc(pp, sizeof(double));
    S.xwy = calloc((size_t)p, sizeof(double));
    S.u = calloc(G * (size_t)p, sizeof(double));
    S.t = calloc(G, sizeof(double));
    S.s = calloc(G, sizeof(double));
    S.cnt = calloc(G, sizeof(size_t));
    S.m = calloc(pp, sizeof(double));
    S.r = calloc((size_t)p, sizeof(double));
    S.beta = calloc((size_t)p, sizeof(double));
    if (prob->me)
        S.me2 = calloc(G * (size_t)p, sizeof(double));
    if (!S.xwx || !S.xwy || !S.u || !S.t || !S.s || !S.cnt || !S.m || !S.r || !S.beta ||
        (prob->me && !S.me2)) {
        sums_free(&S);
        return slds_fail(err, SLDS_ERR_NOMEM, "mixed model: out of memory");
    }
    for (size_t i = 0; i < prob->n; i++) {
        double w = prob->w ? prob->w[i] : 1.0, y = prob->y[i];
        uint32_t g = prob->g[i];
        const double *x = prob->x + i * (size_t)p;
        if (!(w > 0) || !isfinite(w) || !isfinite(y) || g >= G) {
            sums_free(&S);
            return slds_fail(err, SLDS_ERR_USAGE,
                             "mixed model: observation %zu has weight %g, response %g, group %u "
                             "(weights must be positive, responses finite, groups < %u)",
                             i + 1, w, y, g, prob->n_groups);
        }
        S.sum_log_w += log(w);
        S.ywy += w * y * y;
        S.t[g] += w * y;
        S.s[g] += w;
        S.cnt[g]++;
        double *u = S.u + (size_t)g * (size_t)p;
        if (prob->me) {
            const double *me = prob->me + i * (size_t)p;
            for (int a = 0; a < p; a++) {
                S.xwx[(size_t)a * (size_t)p + (size_t)a] -= w * me[a];
                S.me2[(size_t)g * (size_t)p + (size_t)a] += w * w * me[a];
            }
        }
        for (int a = 0; a < p; a++) {
            double wx = w * x[a];
            if (wx == 0)
                continue;
            u[a] += wx;
            S.xwy[a] += wx * y;
            double *row = S.xwx + (size_t)a * (size_t)p;
            for (int b = 0; b <= a; b++)
                row[b] += wx * x[b];
        }
    }
    /* aliased columns (a grade with too few students for its z and z^2, a
       flag that only one grade's students have, ...) are dropped as lme4 does
       (check.rankX = "message+drop.cols"): a column (nearly) in the span of
       the columns before it is left out of the fit and its beta is NaN */
    unsigned char aliased[SLDS_RQ_MAX_P] = {0};
    int q = find_aliased(S.xwx, p, aliased);
    if (q == 0) {
        sums_free(&S);
        return slds_fail(err, SLDS_ERR_NUMERIC,
                         "mixed model: the fixed-effects design (%d columns) is not of full rank:"
                         " every column is zero",
                         p);
    }
    if (q < p) {
        compact_sums(&S, aliased, q);
        p = q;
    }
    /* a log grid brackets the minimum, Brent's method polishes it */
    enum { GRID = 61 };
    double grid[GRID], fgrid[GRID];
    int evals = 0, best = 0;
    grid[0] = 0;
    for (int k = 1; k < GRID; k++)
        grid[k] = prm.theta_max * pow(10.0, -8.0 * (GRID - 1 - k) / (GRID - 2));
    for (int k = 0; k < GRID; k++) {
        fgrid[k] = reml_at(&S, grid[k], NULL);
        evals++;
        if (fgrid[k] < fgrid[best])
            best = k;
    }
    if (!isfinite(fgrid[best])) {
        sums_free(&S);
        return slds_fail(err, SLDS_ERR_NUMERIC,
                         "mixed model: the fixed-effects design (%d columns) is not of full rank",
                         p);
    }
    double lo = grid[best > 0 ? best - 1 : 0], hi = grid[best < GRID - 1 ? best + 1 : best];
    double theta = brent_min(&S, lo, hi, prm.tol * (hi > 0 ? hi : 1), &evals);
    double f = reml_at(&S, theta, NULL);
    evals++;
    if (fgrid[best] < f) { /* Brent never does worse than the grid point it started near */
        theta = grid[best];
    }
    if (theta < 1e-8 * (hi > 0 ? hi : 1) && reml_at(&S, 0, NULL) <= f)
        theta = 0;
    double pwrss = 0;
    res->reml = reml_at(&S, theta, &pwrss);
    evals++;
    res->p = prob->p;
    res->n_aliased = prob->p - p;
    res->n_groups = prob->n_groups;
    res->theta = theta;
    res->sigma2 = pwrss / ((double)prob->n - p);
    res->tau2 = res->sigma2 * theta * theta;
    res->evaluations = evals;
    res->beta = malloc(sizeof(double) * (size_t)prob->p);
    res->beta_se = malloc(sizeof(double) * (size_t)prob->p);
    res->aliased = calloc((size_t)prob->p, 1);
    res->blup = malloc(sizeof(double) * G);
    res->blup_se = malloc(sizeof(double) * G);
    res->raw = malloc(sizeof(double) * G);
    res->group_w = malloc(sizeof(double) * G);
    res->group_n = malloc(sizeof(size_t) * G);
    if (!res->beta || !res->beta_se || !res->aliased || !res->blup || !res->blup_se || !res->raw ||
        !res->group_w || !res->group_n) {
        sums_free(&S);
        slds_lmm_result_free(res);
        return slds_fail(err, SLDS_ERR_NOMEM, "mixed model: out of memory");
    }
    /* diag of (X'AX)^-1 from the Cholesky factor left in S.m; an aliased
       column's beta and SE are NaN (R's NA) */
    for (int j = 0, k = 0; j < prob->p; j++) {
        res->aliased[j] = aliased[j];
        if (aliased[j]) {
            res->beta[j] = res->beta_se[j] = NAN;
            continue;
        }
        res->beta[j] = S.beta[k];
        memset(S.r, 0, sizeof(double) * (size_t)p);
        S.r[k] = 1;
        slds_cholesky_solve(S.m, p, S.r);
        res->beta_se[j] = sqrt(res->sigma2 * S.r[k]);
        k++;
    }
    double th2 = theta * theta;
    for (uint32_t g = 0; g < G; g++) {
        double c = th2 / (1 + th2 * S.s[g]);
        const double *u = S.u + (size_t)g * (size_t)p;
        double fit = 0;
        for (int j = 0; j < p; j++)
            fit += u[j] * S.beta[j];
        res->blup[g] = c * (S.t[g] - fit);
        res->blup_se[g] = sqrt(res->sigma2 * c);
        res->raw[g] = S.s[g] > 0 ? (S.t[g] - fit) / S.s[g] : NAN;
        res->group_w[g] = S.s[g];
        res->group_n[g] = S.cnt[g];
    }
    sums_free(&S);
    return SLDS_OK;
}
