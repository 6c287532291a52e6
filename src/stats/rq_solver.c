/* rq_solver.c - the simplex of the quantile regression solver (rq.c): the
 * ratio test's selections, the basis inverse (Gauss-Jordan and rank-one
 * updates), the guessed crossing threshold, the pivots on a working set
 * until optimal, and the starting bases (cold and warm). Design notes and
 * invariants: the comment at the top of rq.c. */
#include "stats/rq_internal.h"

/* ------------------------------------------------------------------ */
/* Selection helpers.                                                  */

/* k-th smallest (0-based) of a[0..n-1]; reorders a (Hoare quickselect). */
double rq_select_kth(double *a, size_t n, size_t k)
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

size_t rq_select_crossing(rq_bp *bp, size_t c, double need, double total)
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
            rq_axmy(w[i], g, w[k], (size_t)p);
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
                rq_rows_dot(ws->d->gram, (size_t)p, p, a + (size_t)l * (size_t)p,
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
    rq_cols_dot(ws->xc, ws->cap, ws->m, p, ws->beta, ws->rw);
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
        rq_axpy(ws->G, ws->ww[i] * (ws->sg[i] > 0 ? tau : tau - 1.0), wrow(ws, i), p);
    }
    return SLDS_OK;
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
    size_t at = rq_select_crossing(smp, k, 2.0 * need / (double)step, total);
    return at < k ? smp[at].t : INFINITY;
}

/* Candidates (sz = g z > 0) crossed at t = max(sr, 0) / sz <= T, with
 * sr = g r: their positions go to sel, in order; wsum gets their weight
 * w |z| and wall that of every candidate. Four rows at a time with AVX2. */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static size_t
crossings_before_avx2(const rq_ws *ws, size_t m, double T, double *wsum, double *wall)
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
    if (rq_have_avx2())
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

/* Simplex pivots on the working set until optimal. Returns SLDS_OK, -1 when
 * the reduced problem is unbounded (the band is too narrow), or an error. */
int rq_ws_simplex(rq_ws *ws, double tau, int reset_signs)
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
        rq_rows_dot(ws->binv, (size_t)p, p, ws->G, d);
        int jbest = -1, sbest = 0;
        double best = 0.0, bestn = 0.0;
        double q[SLDS_RQ_MAX_P];
        /* steepest edge: q_j = |X delta_j| per unit weight, delta_j' A delta_j
           with M = A X_h^{-1} kept up to date */
        rq_col_dots(ws->binv, ws->M, p, q);
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
        rq_cols_dot(ws->xc, ws->cap, m, p, us, ws->zw);
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
        size_t kpos = rq_select_crossing(ws->bp, c, -best, wsum);
        if (kpos >= c) {
            /* unbounded on the band: extend it along the step */
            if (m == ws->d->n)
                return -1;
            long added = rq_ws_extend(ws, tau, u, s, -best - wall);
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
        rq_axmy(ws->rw, tstar, ws->zw, m); /* zw is 0 on basic rows */
        /* crossings flip sign */
        for (size_t b = 0; b < kpos; b++) {
            size_t i = ws->bp[b].i;
            ws->sg[i] = (signed char)-ws->sg[i];
            ws->gd[i] = -ws->gd[i];
            rq_axpy(ws->G, ws->sg[i] * ws->ww[i], wrow(ws, i), p);
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
            rq_axpy(ws->G, ws->ww[lj] * (nsg > 0 ? tau : tau - 1.0), wrow(ws, lj), p);
        }
        /* rank-one update of the inverse */
        {
            const double *xk = wrow(ws, k);
            double v[SLDS_RQ_MAX_P];
            rq_rows_dot(ws->binv, (size_t)p, p, xk, v);
            double a = v[jbest], f[SLDS_RQ_MAX_P], col[SLDS_RQ_MAX_P];
            assert(a != 0.0 && isfinite(a)); /* the entering row crosses: z_k = s a != 0 */
            for (int l = 0; l < p; l++)
                f[l] = v[l] / a;
            double *cj = ws->binv + (size_t)jbest * (size_t)p;
            memcpy(col, cj, (size_t)p * sizeof *col);
            rq_rank1(ws->binv, col, f, jbest, p);
            for (int r = 0; r < p; r++)
                cj[r] /= a;
            double *mj = ws->M + (size_t)jbest * (size_t)p;
            memcpy(col, mj, (size_t)p * sizeof *col);
            rq_rank1(ws->M, col, f, jbest, p);
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
int rq_ws_cold_basis(rq_ws *ws, double tau, const double *beta0)
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
    double qv = rq_select_kth(ws->rw, m, kq);
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
