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
 * result.
 *
 * Files: this one holds the public API, the rank check and leverage, and the
 * segments and threads; rq_solver.c the simplex, rq_band.c the working set
 * (band) and one tau, rq_kernels.c the vector kernels; rq_internal.h what
 * they share. */
#include "stats/rq_internal.h"

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
            rq_axpy(A + r * p, wx, xi, r + 1);
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
__attribute__((target("avx2"))) static size_t leverage_rows_avx2(const rq_data *d, const double *L,
                                                                 const double *sc, double *inv_s)
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
    if (d->xt && rq_have_avx2())
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
        rc = rq_ws_solve_perturbed(ws, tau, dtau, sg->beta_ls, &sg->all_built[which]);
        if (rc == SLDS_OK)
            rc = rq_ws_finish(ws, tau, sg->coef + (size_t)k * (size_t)p, sg->objective + k,
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
    int rc = rq_ws_solve_perturbed(w0, tau, 0.0, sg->beta_ls, &sg->all_built[0]);
    if (rc == SLDS_OK)
        rc = rq_ws_finish(w0, tau, sg->coef + (size_t)ks * (size_t)p, sg->objective + ks,
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

int slds_rq_fit(const slds_rq_problem *prob, const slds_rq_params *prm_in, slds_rq_result *res,
                slds_error *err)
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
                             "taus must increase strictly inside (0, 1); tau[%d] = %g", k, taus[k]);
    double yscale = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(prob->y[i]))
            return slds_fail(err, SLDS_ERR_USAGE, "quantile regression: y[%zu] is not finite", i);
        if (prob->w && !(prob->w[i] > 0.0 && isfinite(prob->w[i])))
            return slds_fail(err, SLDS_ERR_USAGE, "quantile regression: weight %zu is not positive",
                             i);
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
    fprintf(stderr,
            "rq n=%zu p=%d pivots=%ld solves=%ld repairs=%ld extends=%ld meanband=%.0f exact=%ld\n",
            n, p, res->pivots, res->band_solves, res->band_repairs, ext,
            res->band_solves ? (double)res->band_rows / (double)res->band_solves : 0.0,
            res->exact_repairs);
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
