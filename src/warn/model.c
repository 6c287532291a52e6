/* model.c - the two early-warning models: the probability of not graduating
 * on time (from the student's figures of the year) and of failing a course
 * this year (from last year's figures, so it is known when the year starts).
 * Both are L2-regularised logistic regressions on standardised features
 * (logit.c), Platt-calibrated on a split of the training students, with a
 * threshold chosen there (max F1) unless the configuration sets one.
 *
 * The features are the ABC figures and the student's history in the data
 * (credits behind, a repeated grade, the latest state test); demographic
 * group is deliberately not a feature (a student's risk must come from what
 * school can act on), and the evaluation reports every figure by group.
 * docs/warn.md says why logistic regression rather than boosted trees. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warn/internal.h"

/* Columns after the intercept; the grade columns are not named as factors. */
enum {
    F_ABSENCE = 1,
    F_SUSPENSIONS,
    F_FAIL_CORE,
    F_FAIL_OTHER,
    F_GPA,
    F_NO_GPA,
    F_CREDIT_DEFICIT,
    F_RETAINED,
    F_TEST,
    F_NO_TEST,
    F_NO_PRIOR, /* course-failure model only: no record last year */
    F_GRADE9,
    F_GRADE10,
    F_GRADE11,
    F_GRADE12,
    F_P
};

static const char *const feature_names[F_P] = {
    "intercept",      "absence_rate", "suspensions", "failed_ela_math", "failed_other", "gpa",
    "no_gpa",         "credits_behind", "repeated_grade", "state_test_z", "no_state_test",
    "no_prior_year",  "grade_9",      "grade_10",    "grade_11",         "grade_12"};

int warn_model_p(int kind)
{
    (void)kind;
    return F_P;
}

int warn_label(const warn_rec *r, int kind)
{
    return kind == WARN_MODEL_GRAD ? r->not_grad : r->any_f;
}

/* The student's figures of record r into x[F_ABSENCE..F_NO_TEST]. */
static void figures(const slds_warn_config *c, const warn_rec *r, double *x)
{
    const slds_warn_abc *a = &r->abc;
    x[F_ABSENCE] = a->days_enrolled > 0 ? a->days_absent / a->days_enrolled : 0.05;
    x[F_SUSPENSIONS] = log1p((double)a->suspensions);
    x[F_FAIL_CORE] = a->f_ela + a->f_math;
    x[F_FAIL_OTHER] = a->f_other;
    double gpa = slds_warn_gpa(a);
    x[F_GPA] = isnan(gpa) ? 2.5 : gpa;
    x[F_NO_GPA] = isnan(gpa);
    double expected = c->credits_per_year * r->hs_years;
    x[F_CREDIT_DEFICIT] = r->abc.grade >= 9 && expected > r->cum_credits ? expected - r->cum_credits : 0;
    x[F_RETAINED] = r->retained;
    x[F_TEST] = r->has_test ? r->test_z : 0;
    x[F_NO_TEST] = !r->has_test;
}

bool warn_features(const warn_data *d, const warn_rec *r, int kind, const slds_warn_config *c, double *x)
{
    memset(x, 0, sizeof(double) * F_P);
    x[0] = 1;
    if (kind == WARN_MODEL_GRAD) {
        figures(c, r, x);
    } else {
        const warn_rec *prior = warn_data_find(d, r->student, r->year - 1);
        if (prior)
            figures(c, prior, x);
        else {
            x[F_ABSENCE] = 0.05;
            x[F_GPA] = 2.5;
            x[F_NO_GPA] = 1;
            x[F_NO_TEST] = 1;
            x[F_NO_PRIOR] = 1;
        }
    }
    int g = r->abc.grade;
    x[F_GRADE9] = g == 9;
    x[F_GRADE10] = g == 10;
    x[F_GRADE11] = g == 11;
    x[F_GRADE12] = g == 12;
    return true;
}

/* Calibration split: by student, so one student's years never straddle it. */
static bool in_calibration(const warn_data *d, const warn_rec *r, const slds_warn_config *c)
{
    const char *id = slds_intern_str(&d->students, r->student);
    return slds_hash_bytes(id, strlen(id)) % 100 < (uint64_t)c->calibration_share_pct;
}

static void standardise(const warn_model *m, const double *raw, double *z)
{
    z[0] = 1;
    for (int j = 1; j < m->p; j++)
        z[j] = m->sd[j] > 0 ? (raw[j] - m->mean[j]) / m->sd[j] : 0;
}

int warn_model_train(const warn_data *d, int kind, const slds_warn_config *c, warn_rec_filter use, void *ctx,
                     warn_model *m, slds_error *err)
{
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->p = F_P;
    for (int j = 0; j < F_P; j++)
        m->names[j] = feature_names[j];
    size_t n = 0, nc = 0;
    for (size_t i = 0; i < d->n; i++) {
        const warn_rec *r = &d->recs[i];
        if (warn_label(r, kind) < 0 || !use(r, ctx))
            continue;
        if (in_calibration(d, r, c))
            nc++;
        else
            n++;
    }
    if (n < 50 || nc < 20)
        return slds_fail(err, SLDS_ERR_DATA,
                         "early warning: %zu training and %zu calibration records with a known outcome"
                         " (at least 50 and 20 needed: load earlier cohorts)",
                         n, nc);
    double *x = malloc(sizeof(double) * F_P * n), *y = malloc(sizeof(double) * n);
    double *cx = malloc(sizeof(double) * F_P * nc), *cy = malloc(sizeof(double) * nc);
    double *cp = malloc(sizeof(double) * nc);
    int rc = SLDS_OK;
    if (!x || !y || !cx || !cy || !cp) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
        goto done;
    }
    size_t a = 0, b = 0;
    for (size_t i = 0; i < d->n; i++) {
        const warn_rec *r = &d->recs[i];
        int label = warn_label(r, kind);
        if (label < 0 || !use(r, ctx))
            continue;
        if (in_calibration(d, r, c)) {
            warn_features(d, r, kind, c, cx + b * F_P);
            cy[b++] = label;
        } else {
            warn_features(d, r, kind, c, x + a * F_P);
            y[a++] = label;
        }
    }
    m->train_n = n;
    m->calib_n = nc;
    for (size_t i = 0; i < n; i++)
        m->train_pos += y[i] > 0.5;
    for (size_t i = 0; i < nc; i++)
        m->calib_pos += cy[i] > 0.5;
    /* standardise on the training rows */
    for (int j = 1; j < F_P; j++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < n; i++)
            s += x[i * F_P + j];
        double mean = s / (double)n;
        for (size_t i = 0; i < n; i++)
            ss += (x[i * F_P + j] - mean) * (x[i * F_P + j] - mean);
        m->mean[j] = mean;
        m->sd[j] = sqrt(ss / (double)n);
    }
    for (size_t i = 0; i < n; i++) {
        double z[F_P];
        standardise(m, x + i * F_P, z);
        memcpy(x + i * F_P, z, sizeof z);
    }
    slds_logit_problem prob = {.n = n, .p = F_P, .x = x, .y = y};
    slds_logit_params prm;
    slds_logit_params_default(&prm);
    prm.lambda = c->lambda > 0 ? c->lambda : 1e-8; /* a constant column stays solvable */
    if ((rc = slds_logit_fit(&prob, &prm, &m->fit, err)))
        goto done;
    for (size_t i = 0; i < nc; i++) {
        double z[F_P];
        standardise(m, cx + i * F_P, z);
        cp[i] = slds_logit_predict(&m->fit, z);
    }
    if ((rc = slds_platt_fit(cp, cy, nc, &m->platt, err)))
        goto done;
    for (size_t i = 0; i < nc; i++)
        cp[i] = slds_platt_apply(&m->platt, cp[i]);
    m->threshold = c->risk_threshold > 0 ? c->risk_threshold : slds_best_f1_threshold(cp, cy, nc);
done:
    free(x);
    free(y);
    free(cx);
    free(cy);
    free(cp);
    return rc;
}

double warn_model_predict(const warn_data *d, const warn_model *m, const slds_warn_config *c, const warn_rec *r)
{
    double raw[F_P], z[F_P];
    if (!warn_features(d, r, m->kind, c, raw))
        return NAN;
    standardise(m, raw, z);
    double p = slds_platt_apply(&m->platt, slds_logit_predict(&m->fit, z));
    /* no certainty either way: a calibration split of a few hundred cannot show it */
    return p < 0.001 ? 0.001 : p > 0.999 ? 0.999 : p;
}

typedef struct contribution {
    int j;
    double v;
} contribution;

static int by_value_desc(const void *a, const void *b)
{
    double x = ((const contribution *)a)->v, y = ((const contribution *)b)->v;
    return x > y ? -1 : x < y;
}

/* One feature of raw row x in words a counselor understands. */
static int describe(slds_buf *b, int j, const double *x, const warn_rec *r, const slds_warn_config *c)
{
    (void)r;
    switch (j) {
    case F_ABSENCE: return slds_buf_printf(b, "missed %.0f%% of school days", 100 * x[j]);
    case F_SUSPENSIONS: {
        int n = (int)lround(expm1(x[j]));
        return slds_buf_printf(b, "%d %s", n, n == 1 ? "suspension" : "suspensions");
    }
    case F_FAIL_CORE:
        return slds_buf_printf(b, "failed %.0f English or mathematics %s", x[j], x[j] == 1 ? "course" : "courses");
    case F_FAIL_OTHER: return slds_buf_printf(b, "failed %.0f other %s", x[j], x[j] == 1 ? "course" : "courses");
    case F_GPA: return slds_buf_printf(b, "low grades (GPA %.1f)", x[j]);
    case F_NO_GPA: return slds_buf_puts(b, "no course grades on record");
    case F_CREDIT_DEFICIT:
        return slds_buf_printf(b, "%.1f credits behind (%.0f a year expected)", x[j], c->credits_per_year);
    case F_RETAINED: return slds_buf_puts(b, "has repeated a grade");
    case F_TEST:
        return slds_buf_printf(b, "state test scores %.1f standard deviations %s the average", fabs(x[j]),
                               x[j] < 0 ? "below" : "above");
    case F_NO_TEST: return slds_buf_puts(b, "no state test score on record");
    case F_NO_PRIOR: return slds_buf_puts(b, "no record (new to the state's schools)");
    default: return SLDS_OK;
    }
}

int warn_model_factors(const warn_data *d, const warn_model *m, const slds_warn_config *c, const warn_rec *r,
                       slds_buf *b)
{
    double raw[F_P], z[F_P];
    warn_features(d, r, m->kind, c, raw);
    standardise(m, raw, z);
    contribution v[F_P];
    int n = 0;
    for (int j = 1; j < F_GRADE9; j++) {
        double cj = m->fit.beta[j] * z[j];
        if (cj >= c->factor_min)
            v[n++] = (contribution){j, cj};
    }
    qsort(v, (size_t)n, sizeof *v, by_value_desc);
    int rc = SLDS_OK;
    /* graduation: one part per factor ("; "); course failure: one part,
     * "risk of failing a course, from last year: a, b, c" */
    for (int k = 0; k < n && k < 3; k++) {
        if (m->kind == WARN_MODEL_FAIL)
            rc |= slds_buf_puts(b, k ? ", " : "risk of failing a course, from last year: ");
        else if (k)
            rc |= slds_buf_puts(b, "; ");
        rc |= describe(b, v[k].j, raw, r, c);
    }
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}

json_t *warn_model_json(const warn_model *m)
{
    json_t *o = json_object(), *coef = json_array();
    for (int j = 0; j < m->p; j++) {
        json_t *e = json_object();
        json_object_set_new(e, "feature", json_string(m->names[j]));
        json_object_set_new(e, "beta", json_real(m->fit.beta[j]));
        if (j > 0) {
            json_object_set_new(e, "mean", json_real(m->mean[j]));
            json_object_set_new(e, "sd", json_real(m->sd[j]));
        }
        json_array_append_new(coef, e);
    }
    json_object_set_new(o, "outcome",
                        json_string(m->kind == WARN_MODEL_GRAD ? "not graduating on time" : "failing a course"));
    json_object_set_new(o, "coefficients", coef);
    json_object_set_new(o, "platt_a", json_real(m->platt.a));
    json_object_set_new(o, "platt_b", json_real(m->platt.b));
    json_object_set_new(o, "threshold", json_real(m->threshold));
    json_object_set_new(o, "train_n", json_integer((json_int_t)m->train_n));
    json_object_set_new(o, "train_positives", json_integer((json_int_t)m->train_pos));
    json_object_set_new(o, "calibration_n", json_integer((json_int_t)m->calib_n));
    json_object_set_new(o, "calibration_positives", json_integer((json_int_t)m->calib_pos));
    json_object_set_new(o, "newton_iterations", json_integer(m->fit.iterations));
    return o;
}
