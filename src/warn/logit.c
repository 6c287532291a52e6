/* logit.c - the numerical kernels of early warning: L2-regularised logistic
 * regression by Newton's method (IRLS), Platt scaling, and the metrics the
 * evaluation reports (AUC with ties, confusion at a threshold, the F1-best
 * threshold, calibration bins).
 *
 * Why our own solver: the project links no LAPACK (src/stats solves its
 * small systems with its own Cholesky, lmm.c), and the early-warning model
 * has a dozen columns, so each Newton step is one p x p Cholesky after an
 * O(n p^2) pass; it converges in 5-8 steps on standardised features.
 *
 * Invariants (tests/warn/test_warn_logit.c):
 *  L1. At the optimum the penalised score is zero:
 *      X'(y - p) = lambda * beta (intercept excluded) to 1e-8 relative.
 *  L2. Without a penalty, one binary covariate gives the closed form
 *      beta0 = logit(rate | x=0), beta1 = logit(rate | x=1) - beta0.
 *  L3. AUC counts a tied positive-negative pair one half; it equals the
 *      share of positive-negative pairs ordered correctly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warn/warn.h"
#include "stats/stats.h"

double slds_logistic(double z)
{
    if (z >= 0) {
        double e = exp(-z);
        return 1.0 / (1.0 + e);
    }
    double e = exp(z);
    return e / (1.0 + e);
}

void slds_logit_params_default(slds_logit_params *prm)
{
    prm->lambda = 0;
    prm->intercept = true;
    prm->max_iter = 100;
    prm->tol = 1e-10;
    prm->start = NULL;
}

/* The penalised negative log-likelihood at beta. */
static double objective(const slds_logit_problem *prob, const slds_logit_params *prm,
                        const double *beta, double *deviance)
{
    double nll = 0;
    int p = prob->p;
    for (size_t i = 0; i < prob->n; i++) {
        const double *x = prob->x + i * (size_t)p;
        double z = 0;
        for (int j = 0; j < p; j++)
            z += x[j] * beta[j];
        double w = prob->w ? prob->w[i] : 1.0, y = prob->y[i];
        /* log(1 + e^z) - y z, computed without overflow */
        double l1p = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
        nll += w * (l1p - y * z);
    }
    double pen = 0;
    for (int j = prm->intercept ? 1 : 0; j < p; j++)
        pen += beta[j] * beta[j];
    if (deviance)
        *deviance = 2 * nll;
    return nll + 0.5 * prm->lambda * pen;
}

int slds_logit_fit(const slds_logit_problem *prob, const slds_logit_params *prm,
                   slds_logit_result *res, slds_error *err)
{
    int p = prob->p;
    memset(res, 0, sizeof *res);
    if (p < 1 || p > SLDS_LOGIT_MAX_P || prob->n == 0)
        return slds_fail(err, SLDS_ERR_USAGE, "logistic regression: %d columns, %zu rows", p, prob->n);
    res->p = p;
    double *h = malloc(sizeof(double) * (size_t)p * (size_t)p);
    if (!h)
        return slds_fail(err, SLDS_ERR_NOMEM, "logistic regression: out of memory");
    double g[SLDS_LOGIT_MAX_P], step[SLDS_LOGIT_MAX_P], trial[SLDS_LOGIT_MAX_P];
    double *beta = res->beta;
    if (prm->start)
        memcpy(beta, prm->start, sizeof(double) * (size_t)p);
    double obj = objective(prob, prm, beta, NULL);
    int rc = SLDS_OK;
    for (int it = 1; it <= prm->max_iter; it++) {
        memset(g, 0, sizeof g);
        memset(h, 0, sizeof(double) * (size_t)p * (size_t)p);
        for (size_t i = 0; i < prob->n; i++) {
            const double *x = prob->x + i * (size_t)p;
            double z = 0;
            for (int j = 0; j < p; j++)
                z += x[j] * beta[j];
            double pi = slds_logistic(z), w = prob->w ? prob->w[i] : 1.0;
            double r = w * (prob->y[i] - pi), v = w * pi * (1 - pi);
            for (int j = 0; j < p; j++) {
                g[j] += r * x[j];
                double vx = v * x[j];
                for (int k = 0; k <= j; k++)
                    h[j * p + k] += vx * x[k];
            }
        }
        for (int j = prm->intercept ? 1 : 0; j < p; j++) {
            g[j] -= prm->lambda * beta[j];
            h[j * p + j] += prm->lambda;
        }
        if (!slds_cholesky(h, p, 1e-12, 1)) {
            rc = slds_fail(err, SLDS_ERR_NUMERIC,
                           "logistic regression: the information matrix is singular (a constant or"
                           " duplicated column, or separable classes without a penalty)");
            break;
        }
        memcpy(step, g, sizeof(double) * (size_t)p);
        slds_cholesky_solve(h, p, step);
        /* step halving: Newton may overshoot far from the optimum */
        double t = 1, next = obj;
        for (int half = 0; half < 40; half++) {
            for (int j = 0; j < p; j++)
                trial[j] = beta[j] + t * step[j];
            next = objective(prob, prm, trial, NULL);
            if (next <= obj + 1e-12 * fabs(obj))
                break;
            t *= 0.5;
        }
        double maxstep = 0;
        for (int j = 0; j < p; j++) {
            maxstep = fmax(maxstep, fabs(trial[j] - beta[j]));
            beta[j] = trial[j];
        }
        obj = next;
        res->iterations = it;
        if (maxstep < prm->tol)
            break;
        if (it == prm->max_iter)
            rc = slds_fail(err, SLDS_ERR_NUMERIC, "logistic regression: no convergence in %d Newton steps",
                           prm->max_iter);
    }
    free(h);
    objective(prob, prm, beta, &res->deviance);
    return rc;
}

double slds_logit_predict(const slds_logit_result *res, const double *x)
{
    double z = 0;
    for (int j = 0; j < res->p; j++)
        z += res->beta[j] * x[j];
    return slds_logistic(z);
}

/* ---- Platt scaling ------------------------------------------------------- */

static double clamp_logit(double p)
{
    double q = p < 1e-9 ? 1e-9 : p > 1 - 1e-9 ? 1 - 1e-9 : p;
    return log(q / (1 - q));
}

int slds_platt_fit(const double *p, const double *y, size_t n, slds_platt *out, slds_error *err)
{
    double *x = malloc(sizeof(double) * 2 * (n ? n : 1));
    if (!x)
        return slds_fail(err, SLDS_ERR_NOMEM, "Platt scaling: out of memory");
    for (size_t i = 0; i < n; i++) {
        x[2 * i] = 1;
        x[2 * i + 1] = clamp_logit(p[i]);
    }
    slds_logit_problem prob = {.n = n, .p = 2, .x = x, .y = y};
    slds_logit_params prm;
    slds_logit_params_default(&prm);
    prm.lambda = 1e-6; /* keeps a perfectly separating calibration split finite */
    slds_logit_result r;
    int rc = slds_logit_fit(&prob, &prm, &r, err);
    free(x);
    if (rc)
        return slds_error_prefix(err, "Platt scaling: ");
    out->a = r.beta[0];
    out->b = r.beta[1];
    return SLDS_OK;
}

double slds_platt_apply(const slds_platt *c, double p)
{
    return slds_logistic(c->a + c->b * clamp_logit(p));
}

/* ---- Metrics -------------------------------------------------------------- */

typedef struct scored {
    double s;
    double y;
} scored;

static int by_score(const void *a, const void *b)
{
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return x < y ? -1 : x > y;
}

double slds_warn_auc(const double *s, const double *y, size_t n)
{
    uint8_t *label = malloc(n ? n : 1);
    if (!label)
        return NAN;
    for (size_t i = 0; i < n; i++)
        label[i] = y[i] > 0.5;
    double auc = slds_auc(s, label, n, NULL);
    free(label);
    return auc;
}

void slds_confusion_at(const double *s, const unsigned char *flag, const double *y, size_t n,
                       double threshold, slds_confusion *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        bool f = s ? s[i] >= threshold : flag[i] != 0;
        bool pos = y[i] > 0.5;
        out->positives += pos;
        out->flagged += f;
        out->true_pos += f && pos;
        out->false_pos += f && !pos;
    }
    size_t neg = n - out->positives;
    out->precision = out->flagged ? (double)out->true_pos / (double)out->flagged : NAN;
    out->recall = out->positives ? (double)out->true_pos / (double)out->positives : NAN;
    out->false_positive_rate = neg ? (double)out->false_pos / (double)neg : NAN;
    out->specificity = neg ? 1 - out->false_positive_rate : NAN;
}

double slds_best_f1_threshold(const double *s, const double *y, size_t n)
{
    scored *v = malloc(sizeof *v * (n ? n : 1));
    if (!v || n == 0) {
        free(v);
        return 0.5;
    }
    double pos = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (scored){s[i], y[i]};
        pos += y[i] > 0.5;
    }
    qsort(v, n, sizeof *v, by_score);
    /* walk thresholds from the highest score down: flagged = those >= t */
    double best = 0.5, best_f1 = -1, tp = 0, flagged = 0;
    for (size_t i = n; i > 0;) {
        size_t j = i;
        while (j > 0 && v[j - 1].s == v[i - 1].s) {
            j--;
            tp += v[j].y > 0.5;
            flagged++;
        }
        double f1 = pos > 0 ? 2 * tp / (flagged + pos) : 0;
        if (f1 > best_f1) {
            best_f1 = f1;
            best = v[j].s;
        }
        i = j;
    }
    free(v);
    return best;
}

void slds_calibration_bins(const double *p, const double *y, size_t n, slds_calibration *out)
{
    double sp[SLDS_CALIB_BINS] = {0}, sy[SLDS_CALIB_BINS] = {0};
    memset(out, 0, sizeof *out);
    double brier = 0;
    for (size_t i = 0; i < n; i++) {
        int k = (int)(p[i] * SLDS_CALIB_BINS);
        k = k < 0 ? 0 : k >= SLDS_CALIB_BINS ? SLDS_CALIB_BINS - 1 : k;
        out->n[k]++;
        sp[k] += p[i];
        sy[k] += y[i];
        brier += (p[i] - y[i]) * (p[i] - y[i]);
    }
    double ece = 0;
    for (int k = 0; k < SLDS_CALIB_BINS; k++) {
        out->mean_predicted[k] = out->n[k] ? sp[k] / (double)out->n[k] : NAN;
        out->observed[k] = out->n[k] ? sy[k] / (double)out->n[k] : NAN;
        if (out->n[k])
            ece += (double)out->n[k] * fabs(out->observed[k] - out->mean_predicted[k]);
    }
    out->brier = n ? brier / (double)n : NAN;
    out->ece = n ? ece / (double)n : NAN;
}
