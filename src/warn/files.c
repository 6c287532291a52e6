/* files.c - `slds warn evaluate-file`: the early-warning model (L2 logistic
 * regression on standardised features, logit.c) on the shared public data
 * sets, by 10-fold cross-validation, so its AUC can be set next to the
 * published baselines (../shared/data/ews/README.md):
 *  - UCI student performance (Cortez & Silva 2008): fail = G3 < 10, with the
 *    period grades G1 and G2, with G1 only, and with no grades;
 *  - OULAD studentInfo (Kuzilek et al. 2017): not completing = Withdrawn or
 *    Fail, from module, presentation, demographics, prior attempts, credits.
 * Every other column enters as it is when all its values are numbers, else
 * one-hot (the first level, in sorted order, is the reference). The folds
 * are a fixed shuffle (seeded), so the figures repeat exactly. The AUC is
 * pooled over the out-of-fold predictions (each row scored once, by the model
 * that did not see it). The penalty is chosen inside each outer fold by an
 * inner 5-fold cross-validation on that fold's training rows (nested
 * cross-validation), unless the configuration fixes it (lambda_search false). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "warn/warn.h"

enum { MAX_COLS = 64, MAX_LEVELS = 32, FOLDS = 10 };

typedef struct frame {
    int ncols;
    char *names[MAX_COLS];
    size_t n, cap;
    char **cells; /* n x ncols */
} frame;

static void frame_free(frame *f)
{
    for (int j = 0; j < f->ncols; j++)
        free(f->names[j]);
    for (size_t i = 0; i < f->n * (size_t)f->ncols; i++)
        free(f->cells[i]);
    free(f->cells);
    memset(f, 0, sizeof *f);
}

static char *unquote(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = 0;
        return s + 1;
    }
    return s;
}

/* Splits line on sep into at most max fields (in place). */
static int split(char *line, char sep, char **out, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *q = strchr(p, sep);
        if (q)
            *q = 0;
        out[n++] = unquote(p);
        if (!q)
            break;
        p = q + 1;
    }
    return n;
}

static int read_frame(const char *path, frame *f, slds_error *err)
{
    memset(f, 0, sizeof *f);
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return slds_fail(err, SLDS_ERR_IO, "cannot open %s", path);
    char line[8192];
    char *fields[MAX_COLS + 1];
    char sep = ',';
    long lineno = 0;
    int rc = SLDS_OK;
    while (gzgets(gz, line, sizeof line)) {
        lineno++;
        if (lineno == 1) {
            if (strchr(line, ';'))
                sep = ';';
            int n = split(line, sep, fields, MAX_COLS + 1);
            if (n > MAX_COLS) {
                rc = slds_fail(err, SLDS_ERR_DATA, "%s:1: more than %d columns", path, MAX_COLS);
                break;
            }
            f->ncols = n;
            for (int j = 0; j < n; j++)
                f->names[j] = strdup(fields[j]);
            continue;
        }
        if (line[0] == '\n' || line[0] == '\r' || !line[0])
            continue;
        int n = split(line, sep, fields, MAX_COLS + 1);
        if (n != f->ncols) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s:%ld: %d fields, the header has %d", path, lineno, n, f->ncols);
            break;
        }
        if (f->n == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 1024;
            char **v = realloc(f->cells, f->cap * (size_t)f->ncols * sizeof *v);
            if (!v) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            f->cells = v;
        }
        for (int j = 0; j < n; j++)
            f->cells[f->n * (size_t)f->ncols + (size_t)j] = strdup(fields[j]);
        f->n++;
    }
    gzclose(gz);
    if (!rc && f->n == 0)
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: no rows", path);
    if (rc)
        frame_free(f);
    return rc;
}

static int col_of(const frame *f, const char *name)
{
    for (int j = 0; j < f->ncols; j++)
        if (!strcmp(f->names[j], name))
            return j;
    return -1;
}

static const char *cell(const frame *f, size_t i, int j)
{
    return f->cells[i * (size_t)f->ncols + (size_t)j];
}

static bool is_number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The design matrix: intercept, then each kept column numeric or one-hot. */
typedef struct design {
    int p;
    double *x; /* n x p */
} design;

static int build_design(const frame *f, const bool *keep, design *d, slds_error *err)
{
    const char *levels[MAX_COLS][MAX_LEVELS];
    int nlev[MAX_COLS] = {0};
    bool numeric[MAX_COLS];
    int p = 1;
    for (int j = 0; j < f->ncols; j++) {
        if (!keep[j])
            continue;
        numeric[j] = true;
        double v;
        for (size_t i = 0; i < f->n && numeric[j]; i++)
            numeric[j] = is_number(cell(f, i, j), &v);
        if (numeric[j]) {
            p++;
            continue;
        }
        for (size_t i = 0; i < f->n; i++) {
            const char *s = cell(f, i, j);
            int k = 0;
            while (k < nlev[j] && strcmp(levels[j][k], s))
                k++;
            if (k == nlev[j]) {
                if (nlev[j] == MAX_LEVELS)
                    return slds_fail(err, SLDS_ERR_DATA, "column %s has more than %d values", f->names[j],
                                     MAX_LEVELS);
                levels[j][nlev[j]++] = s;
            }
        }
        qsort(levels[j], (size_t)nlev[j], sizeof(char *), by_str);
        p += nlev[j] - 1;
    }
    if (p > SLDS_LOGIT_MAX_P)
        return slds_fail(err, SLDS_ERR_DATA, "%d columns after one-hot encoding (at most %d)", p, SLDS_LOGIT_MAX_P);
    d->p = p;
    d->x = calloc(f->n * (size_t)p, sizeof(double));
    if (!d->x)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->n; i++) {
        double *row = d->x + i * (size_t)p;
        int c = 0;
        row[c++] = 1;
        for (int j = 0; j < f->ncols; j++) {
            if (!keep[j])
                continue;
            const char *s = cell(f, i, j);
            if (numeric[j]) {
                is_number(s, &row[c++]);
                continue;
            }
            for (int k = 1; k < nlev[j]; k++)
                row[c + k - 1] = !strcmp(levels[j][k], s);
            c += nlev[j] - 1;
        }
    }
    return SLDS_OK;
}

/* The penalties the inner cross-validation chooses among: 10^3 down to
 * 10^-2 in half decades. Fitted largest first, each from the coefficients of
 * the one before (a warm start: Newton then needs two or three steps). */
static const double LAMBDAS[] = {1000, 316.22776601683796, 100, 31.622776601683793, 10,
                                 3.1622776601683795, 1, 0.31622776601683794, 0.1,
                                 0.031622776601683791, 0.01};
enum { N_LAMBDAS = sizeof LAMBDAS / sizeof LAMBDAS[0], INNER_FOLDS = 5 };

/* A fixed shuffle of 0..n-1 (64-bit LCG, Knuth's constants) from seed. */
static void shuffle(size_t *perm, size_t n, uint64_t state)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        size_t k = (size_t)((state >> 33) % i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }
}

/* Work space of one fit: n x p standardised rows and their outcomes. */
typedef struct fit_space {
    double *x, *y;
} fit_space;

/* Standardises d's rows tr[0..m) on their own mean and sd, fits the L2
 * logistic regression with lambda (from start, or 0 when NULL) into res, and
 * writes the probability of each row te[0..q) (standardised the same way)
 * into out[0..q). */
static int fit_predict(const design *d, const double *y, const size_t *tr, size_t m, const size_t *te,
                       size_t q, double lambda, const double *start, fit_space *ws, double *out,
                       slds_logit_result *res, slds_error *err)
{
    int p = d->p;
    double mean[SLDS_LOGIT_MAX_P] = {0}, sd[SLDS_LOGIT_MAX_P] = {0};
    for (size_t a = 0; a < m; a++)
        for (int j = 1; j < p; j++)
            mean[j] += d->x[tr[a] * (size_t)p + (size_t)j];
    for (int j = 1; j < p; j++)
        mean[j] /= (double)m;
    for (size_t a = 0; a < m; a++)
        for (int j = 1; j < p; j++) {
            double e = d->x[tr[a] * (size_t)p + (size_t)j] - mean[j];
            sd[j] += e * e;
        }
    for (int j = 1; j < p; j++)
        sd[j] = sqrt(sd[j] / (double)m);
    for (size_t a = 0; a < m; a++) {
        double *row = ws->x + a * (size_t)p;
        const double *src = d->x + tr[a] * (size_t)p;
        row[0] = 1;
        for (int j = 1; j < p; j++)
            row[j] = sd[j] > 0 ? (src[j] - mean[j]) / sd[j] : 0;
        ws->y[a] = y[tr[a]];
    }
    slds_logit_problem prob = {.n = m, .p = p, .x = ws->x, .y = ws->y};
    slds_logit_params prm;
    slds_logit_params_default(&prm);
    prm.lambda = lambda > 0 ? lambda : 1e-8;
    prm.start = start;
    int rc = slds_logit_fit(&prob, &prm, res, err);
    if (rc)
        return rc;
    for (size_t a = 0; a < q; a++) {
        const double *src = d->x + te[a] * (size_t)p;
        double z[SLDS_LOGIT_MAX_P];
        z[0] = 1;
        for (int j = 1; j < p; j++)
            z[j] = sd[j] > 0 ? (src[j] - mean[j]) / sd[j] : 0;
        out[a] = slds_logit_predict(res, z);
    }
    return SLDS_OK;
}

/* The penalty of LAMBDAS with the lowest out-of-fold deviance of an
 * INNER_FOLDS-fold cross-validation on the rows tr[0..m) alone (a tie goes
 * to the larger penalty). */
static int choose_lambda(const design *d, const double *y, const size_t *tr, size_t m, fit_space *ws,
                         double *lambda, slds_error *err)
{
    size_t *perm = malloc(m * sizeof *perm), *itr = malloc(m * sizeof *itr), *ite = malloc(m * sizeof *ite);
    double *oof = malloc((size_t)N_LAMBDAS * m * sizeof *oof), *iy = malloc(m * sizeof *iy);
    double *pred = malloc(m * sizeof *pred);
    int rc = SLDS_OK;
    if (!perm || !itr || !ite || !oof || !iy || !pred) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        goto done;
    }
    shuffle(perm, m, 20080102u);
    for (int f = 0; f < INNER_FOLDS && !rc; f++) {
        size_t mt = 0, me = 0;
        for (size_t a = 0; a < m; a++) {
            if ((int)(perm[a] % INNER_FOLDS) == f)
                ite[me++] = tr[a];
            else
                itr[mt++] = tr[a];
        }
        slds_logit_result res = {0};
        double start[SLDS_LOGIT_MAX_P] = {0};
        for (int l = 0; l < N_LAMBDAS && !rc; l++) {
            rc = fit_predict(d, y, itr, mt, ite, me, LAMBDAS[l], l ? start : NULL, ws, pred, &res, err);
            memcpy(start, res.beta, sizeof start);
            for (size_t a = 0, b = 0; a < m && !rc; a++)
                if ((int)(perm[a] % INNER_FOLDS) == f)
                    oof[(size_t)l * m + a] = pred[b++];
        }
    }
    for (size_t a = 0; a < m; a++)
        iy[a] = y[tr[a]];
    /* the out-of-fold deviance (log-loss): the proper score of the
     * probabilities the penalty shapes; the AUC, which sees only their order,
     * is flat and noisy over the grid on a hundred positives */
    double best = INFINITY;
    for (int l = 0; l < N_LAMBDAS && !rc; l++) {
        double dev = 0;
        for (size_t a = 0; a < m; a++) {
            double q = oof[(size_t)l * m + a];
            q = q < 1e-15 ? 1e-15 : q > 1 - 1e-15 ? 1 - 1e-15 : q;
            dev -= iy[a] > 0.5 ? log(q) : log1p(-q);
        }
        if (dev < best) {
            best = dev;
            *lambda = LAMBDAS[l];
        }
    }
done:
    free(perm);
    free(itr);
    free(ite);
    free(oof);
    free(iy);
    free(pred);
    return rc;
}

/* Out-of-fold predictions of 10-fold cross-validation; pooled AUC. With
 * search, each outer fold's penalty is chosen by choose_lambda on that
 * fold's training rows only (nested cross-validation: the held-out fold
 * plays no part in the choice); chosen[k] is fold k's. Else lambda. */
static int cross_validate(const design *d, const double *y, size_t n, double lambda, bool search,
                          double *auc_out, double *mean_fold_auc, double chosen[FOLDS], slds_error *err)
{
    int p = d->p;
    size_t *perm = malloc(n * sizeof *perm), *tr = malloc(n * sizeof *tr), *te = malloc(n * sizeof *te);
    int *fold = malloc(n * sizeof *fold);
    fit_space ws = {malloc(n * (size_t)p * sizeof(double)), malloc(n * sizeof(double))};
    double *oof = malloc(n * sizeof(double));
    double *fp = malloc(n * sizeof(double)), *fy = malloc(n * sizeof(double));
    int rc = SLDS_OK;
    if (!perm || !tr || !te || !fold || !ws.x || !ws.y || !oof || !fp || !fy) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        goto done;
    }
    shuffle(perm, n, 20080101u);
    for (size_t i = 0; i < n; i++)
        fold[perm[i]] = (int)(i % FOLDS);
    double sum_auc = 0;
    int folds_with_auc = 0;
    for (int k = 0; k < FOLDS; k++) {
        size_t m = 0, nf = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == k)
                te[nf++] = i;
            else
                tr[m++] = i;
        }
        double lam = lambda;
        if (search && (rc = choose_lambda(d, y, tr, m, &ws, &lam, err)))
            goto done;
        chosen[k] = lam;
        slds_logit_result res;
        if ((rc = fit_predict(d, y, tr, m, te, nf, lam, NULL, &ws, fp, &res, err)))
            goto done;
        for (size_t a = 0; a < nf; a++) {
            oof[te[a]] = fp[a];
            fy[a] = y[te[a]];
        }
        double a = slds_warn_auc(fp, fy, nf);
        if (isfinite(a)) {
            sum_auc += a;
            folds_with_auc++;
        }
    }
    *auc_out = slds_warn_auc(oof, y, n);
    *mean_fold_auc = folds_with_auc ? sum_auc / folds_with_auc : NAN;
done:
    free(perm);
    free(tr);
    free(te);
    free(fold);
    free(ws.x);
    free(ws.y);
    free(oof);
    free(fp);
    free(fy);
    return rc;
}

static int run_variant(const frame *f, const bool *keep, const double *y, const char *name,
                       const slds_warn_config *c, json_t *results, slds_error *err)
{
    design d = {0};
    int rc = build_design(f, keep, &d, err);
    double auc = NAN, mean_auc = NAN, chosen[FOLDS];
    if (!rc)
        rc = cross_validate(&d, y, f->n, c->lambda, c->lambda_search, &auc, &mean_auc, chosen, err);
    free(d.x);
    if (rc)
        return rc;
    json_t *e = json_object();
    json_object_set_new(e, "features", json_string(name));
    json_object_set_new(e, "columns", json_integer(d.p - 1));
    json_object_set_new(e, "auc", json_real(auc));
    json_object_set_new(e, "mean_fold_auc", isfinite(mean_auc) ? json_real(mean_auc) : json_null());
    json_t *lams = json_array();
    for (int k = 0; k < FOLDS; k++)
        json_array_append_new(lams, json_real(chosen[k]));
    json_object_set_new(e, "fold_lambdas", lams);
    json_array_append_new(results, e);
    return SLDS_OK;
}

int slds_warn_evaluate_file(const char *path, const char *kind, const slds_warn_config *config, json_t **out,
                            slds_error *err)
{
    *out = NULL;
    slds_warn_config defaults;
    slds_warn_config_default(&defaults);
    const slds_warn_config *c = config ? config : &defaults;
    frame f;
    int rc = read_frame(path, &f, err);
    if (rc)
        return rc;
    int g1 = col_of(&f, "G1"), g2 = col_of(&f, "G2"), g3 = col_of(&f, "G3");
    int result = col_of(&f, "final_result"), id = col_of(&f, "id_student");
    if (!kind)
        kind = g3 >= 0 ? "uci" : result >= 0 ? "oulad" : "";
    bool uci = !strcmp(kind, "uci"), oulad = !strcmp(kind, "oulad");
    if ((uci && (g1 < 0 || g2 < 0 || g3 < 0)) || (oulad && result < 0) || (!uci && !oulad)) {
        frame_free(&f);
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: not a UCI student-performance file (G1, G2, G3) or an OULAD studentInfo file"
                         " (final_result)",
                         path);
    }
    double *y = malloc(f.n * sizeof(double));
    if (!y) {
        frame_free(&f);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    size_t pos = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (uci)
            y[i] = atof(cell(&f, i, g3)) < 10;
        else {
            const char *r = cell(&f, i, result);
            y[i] = !strcmp(r, "Withdrawn") || !strcmp(r, "Fail");
        }
        pos += y[i] > 0.5;
    }
    json_t *results = json_array();
    bool keep[MAX_COLS];
    for (int j = 0; j < f.ncols; j++)
        keep[j] = j != g3 && j != result && j != id;
    if (uci) {
        rc = run_variant(&f, keep, y, "G1+G2", c, results, err);
        keep[g2] = false;
        rc = rc ? rc : run_variant(&f, keep, y, "G1", c, results, err);
        keep[g1] = false;
        rc = rc ? rc : run_variant(&f, keep, y, "no grades", c, results, err);
    } else {
        rc = run_variant(&f, keep, y, "module, presentation, demographics, prior attempts, credits", c,
                         results, err);
    }
    if (!rc) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(path));
        json_object_set_new(o, "kind", json_string(kind));
        json_object_set_new(o, "outcome", json_string(uci ? "fail: G3 < 10" : "Withdrawn or Fail"));
        json_object_set_new(o, "n", json_integer((json_int_t)f.n));
        json_object_set_new(o, "positives", json_integer((json_int_t)pos));
        json_object_set_new(o, "folds", json_integer(FOLDS));
        json_object_set_new(o, "model", json_string("L2 logistic regression, standardised one-hot features"));
        json_object_set_new(o, "lambda", c->lambda_search ? json_null() : json_real(c->lambda));
        json_object_set_new(o, "lambda_choice",
                            json_string(c->lambda_search
                                            ? "per outer fold, by 5-fold cross-validation on its training rows"
                                              " (least out-of-fold deviance; 0.01-1000 in half decades)"
                                            : "fixed (configuration lambda_search false)"));
        json_object_set_new(o, "results", results);
        *out = o;
    } else {
        json_decref(results);
    }
    free(y);
    frame_free(&f);
    return rc;
}
