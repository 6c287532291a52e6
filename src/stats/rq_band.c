/* rq_band.c - the working set of the quantile regression solver (rq.c):
 * all observations, or a band around the previous tau's fit with the rest
 * globbed into sums; building, verifying, repairing and extending the band,
 * and one tau solved on the perturbed data then finished on the original
 * responses. Design notes and invariants: the comment at the top of rq.c. */
#include "stats/rq_internal.h"

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
#define GROW(field, count)                                                                         \
    do {                                                                                           \
        a = realloc(ws->field, (count) * sizeof *ws->field);                                       \
        if (!a)                                                                                    \
            return slds_fail(&ws->err, SLDS_ERR_NOMEM,                                             \
                             "out of memory for a working set of %zu rows", cap);                  \
        ws->field = a;                                                                             \
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
        rq_axmy(ws->slo, w, xi, (size_t)p);
        ws->ylo -= wy;
    } else if (from > 0) {
        rq_axmy(ws->shi, w, xi, (size_t)p);
        ws->yhi -= wy;
    }
    if (to < 0) {
        rq_axpy(ws->slo, w, xi, p);
        ws->ylo += wy;
    } else if (to > 0) {
        rq_axpy(ws->shi, w, xi, p);
        ws->yhi += wy;
    }
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

/* The step along the chosen edge crosses every band row before its slope
 * turns: in the full problem it would go on across globbed rows. Brings into
 * the band every globbed row already on the wrong side of the current fit
 * (the reduced problem counts them on their globbed side, which is what let
 * the step run away), and the globbed rows that the step would cross first,
 * until their weight covers twice the slope still missing (need). Rows keep
 * the side they were globbed on; the refactorisation that follows gives them
 * their true side. Returns the rows added, or -1 on error. */
long rq_ws_extend(rq_ws *ws, double tau, const double *u, double s, double need)
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
    rq_cols_dot2(d->xt, n, n, p, u, ws->beta, zx, fx);
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
    size_t k = rq_select_crossing(ws->ext, c, target, total);
    k = k >= c ? c : k + 1;
    for (size_t b = 0; b < k; b++) {
        size_t i = ws->ext[b].i;
        signed char g = ws->zone[i];
        rq_axmy(ws->gfix, wt_of(d, i) * (g > 0 ? tau : tau - 1.0), d->x + i * (size_t)p, (size_t)p);
        if (ws_push(ws, i))
            return -1;
    }
    return (long)k;
}

/* ------------------------------------------------------------------ */
/* One tau.                                                            */

static void full_residuals(const rq_data *d, const double *y, const double *beta, double *r)
{
    if (d->xt)
        rq_cols_dot(d->xt, d->n, d->n, d->p, beta, r);
    else
        rq_rows_dot(d->x, d->n, d->p, beta, r);
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
        rq_v4l below = r<vlo, above = r> vhi;
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
    if (rq_have_avx2())
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
            lo = rq_select_kth(v, nv, (size_t)klo - base);
            skip = (size_t)klo - base + 1;
        }
        if (khi < (double)(ns - 1)) {
            size_t kh = (size_t)khi - base;
            hi = kh < skip ? lo : rq_select_kth(v + skip, nv - skip, kh - skip);
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
            rq_axpy(sw, ws->ww[k], wrow(ws, k), p);
            yw += ws->ww[k] * d->y0[ws->idx[k]];
        }
        signed char side = nl <= nh ? -1 : 1;
        if ((side < 0 ? nl : nh) > 0)
            for (size_t i = 0; i < n; i++)
                if (ws->zone[i] == side) {
                    rq_axpy(ss, wt_of(d, i), d->x + i * (size_t)p, p);
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
                                                        size_t from, size_t n, double tol, int near)
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
    if (rq_have_avx2())
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
        rq_axmy(ws->gfix, wt_of(d, i) * (z > 0 ? tau : tau - 1.0), d->x + i * (size_t)p, (size_t)p);
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
        if ((rc = rq_ws_simplex(ws, tau, 0)))
            return rc;
    }
}

/* The simplex on the working set from a cold basis (the rows nearest the
 * shifted least-squares fit) when there is none yet, else from the previous
 * tau's basis, its signs reset when reset_signs_warm. */
static int simplex_from(rq_ws *ws, double tau, const double *beta_ls, int reset_signs_warm)
{
    if (!ws->have_basis) {
        int rc = rq_ws_cold_basis(ws, tau, beta_ls);
        return rc ? rc : rq_ws_simplex(ws, tau, 1);
    }
    ws_map_basis(ws);
    return rq_ws_simplex(ws, tau, reset_signs_warm);
}

/* Solves one tau on the perturbed data. Leaves beta (perturbed) and bfull. */
int rq_ws_solve_perturbed(rq_ws *ws, double tau, double dtau, const double *beta_ls, int *all_built)
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
        rc = simplex_from(ws, tau, beta_ls, 0);
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
        /* cold: the band rows nearest the shifted least-squares fit */
        rc = simplex_from(ws, tau, beta_ls, 1);
        if (rc == SLDS_OK)
            rc = ws_verify_band(ws, tau);
        if (rc >= 0)
            return rc;
        if (width == n)
            return slds_fail(&ws->err, SLDS_ERR_NUMERIC, "quantile regression unbounded at tau %g",
                             tau);
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
int rq_ws_finish(rq_ws *ws, double tau, double *beta0, double *objective, int *all_built)
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
    rc = rq_ws_simplex(ws, tau, 1);
    if (rc == SLDS_OK && ws->m < n)
        rc = ws_verify_band(ws, tau);
    if (rc < 0) {
        if ((rc = ws_build_all(ws)) == SLDS_OK) {
            ws_map_basis(ws);
            rc = rq_ws_simplex(ws, tau, 1);
        }
        if (rc < 0)
            rc = slds_fail(&ws->err, SLDS_ERR_NUMERIC, "quantile regression unbounded at tau %g",
                           tau);
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
