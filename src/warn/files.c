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
 * that did not see it). */
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

/* Out-of-fold predictions of 10-fold cross-validation; pooled AUC. */
static int cross_validate(const design *d, const double *y, size_t n, double lambda, double *auc_out,
                          double *mean_fold_auc, slds_error *err)
{
    int p = d->p;
    size_t *perm = malloc(n * sizeof *perm);
    int *fold = malloc(n * sizeof *fold);
    double *tx = malloc(n * (size_t)p * sizeof(double)), *ty = malloc(n * sizeof(double));
    double *oof = malloc(n * sizeof(double));
    double *fp = malloc(n * sizeof(double)), *fy = malloc(n * sizeof(double));
    int rc = SLDS_OK;
    if (!perm || !fold || !tx || !ty || !oof || !fp || !fy) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* a fixed shuffle (64-bit LCG, Knuth's constants) */
    uint64_t state = 20080101u;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        size_t k = (size_t)((state >> 33) % i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }
    for (size_t i = 0; i < n; i++)
        fold[perm[i]] = (int)(i % FOLDS);
    double sum_auc = 0;
    int folds_with_auc = 0;
    for (int k = 0; k < FOLDS; k++) {
        double mean[SLDS_LOGIT_MAX_P] = {0}, sd[SLDS_LOGIT_MAX_P] = {0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] != k) {
                for (int j = 1; j < p; j++)
                    mean[j] += d->x[i * (size_t)p + (size_t)j];
                m++;
            }
        for (int j = 1; j < p; j++)
            mean[j] /= (double)m;
        for (size_t i = 0; i < n; i++)
            if (fold[i] != k)
                for (int j = 1; j < p; j++) {
                    double e = d->x[i * (size_t)p + (size_t)j] - mean[j];
                    sd[j] += e * e;
                }
        for (int j = 1; j < p; j++)
            sd[j] = sqrt(sd[j] / (double)m);
        size_t t = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == k)
                continue;
            double *row = tx + t * (size_t)p;
            row[0] = 1;
            for (int j = 1; j < p; j++)
                row[j] = sd[j] > 0 ? (d->x[i * (size_t)p + (size_t)j] - mean[j]) / sd[j] : 0;
            ty[t++] = y[i];
        }
        slds_logit_problem prob = {.n = t, .p = p, .x = tx, .y = ty};
        slds_logit_params prm;
        slds_logit_params_default(&prm);
        prm.lambda = lambda > 0 ? lambda : 1e-8;
        slds_logit_result res;
        if ((rc = slds_logit_fit(&prob, &prm, &res, err)))
            goto done;
        size_t nf = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] != k)
                continue;
            double z[SLDS_LOGIT_MAX_P];
            z[0] = 1;
            for (int j = 1; j < p; j++)
                z[j] = sd[j] > 0 ? (d->x[i * (size_t)p + (size_t)j] - mean[j]) / sd[j] : 0;
            oof[i] = slds_logit_predict(&res, z);
            fp[nf] = oof[i];
            fy[nf++] = y[i];
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
    free(fold);
    free(tx);
    free(ty);
    free(oof);
    free(fp);
    free(fy);
    return rc;
}

static int run_variant(const frame *f, const bool *keep, const double *y, const char *name, double lambda,
                       json_t *results, slds_error *err)
{
    design d = {0};
    int rc = build_design(f, keep, &d, err);
    double auc = NAN, mean_auc = NAN;
    if (!rc)
        rc = cross_validate(&d, y, f->n, lambda, &auc, &mean_auc, err);
    free(d.x);
    if (rc)
        return rc;
    json_t *e = json_object();
    json_object_set_new(e, "features", json_string(name));
    json_object_set_new(e, "columns", json_integer(d.p - 1));
    json_object_set_new(e, "auc", json_real(auc));
    json_object_set_new(e, "mean_fold_auc", isfinite(mean_auc) ? json_real(mean_auc) : json_null());
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
        rc = run_variant(&f, keep, y, "G1+G2", c->lambda, results, err);
        keep[g2] = false;
        rc = rc ? rc : run_variant(&f, keep, y, "G1", c->lambda, results, err);
        keep[g1] = false;
        rc = rc ? rc : run_variant(&f, keep, y, "no grades", c->lambda, results, err);
    } else {
        rc = run_variant(&f, keep, y, "module, presentation, demographics, prior attempts, credits", c->lambda,
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
        json_object_set_new(o, "lambda", json_real(c->lambda));
        json_object_set_new(o, "results", results);
        *out = o;
    } else {
        json_decref(results);
    }
    free(y);
    frame_free(&f);
    return rc;
}
