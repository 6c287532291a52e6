/* evaluate.c - `slds warn evaluate`: the held-out cohort evaluation. The
 * latest cohort whose on-time graduation is known (expected to graduate in
 * the last loaded year) is held out; the model is trained on the cohorts
 * before it exactly as `run` would train it for that year. On the held-out
 * records: AUC, precision, recall and false-positive rate at the threshold,
 * calibration bins, and all of them by subgroup and by grade (the lesson of
 * Wisconsin's DEWS). The course-failure model is held out on the last year
 * with courses. Each ABC flag's sensitivity, specificity and precision for
 * not graduating on time are computed on every record with a known outcome
 * (flags learn nothing), and, given Bowers, Sprott & Taff's review data, set
 * next to the published figures of the same indicator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "warn/internal.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Subgroups: name and membership. */
typedef struct subgroup {
    char name[32];
    int kind; /* 0 all, 1 race, 2 econ, 3 disability, 4 el, 5 sex */
    int value;
} subgroup;

static bool in_group(const warn_rec *r, const subgroup *g)
{
    switch (g->kind) {
    case 0: return true;
    case 1: return r->race == g->value;
    case 2: return r->econ == g->value;
    case 3: return r->disability == g->value;
    case 4: return r->el == g->value;
    default: return r->sex == g->value;
    }
}

static size_t subgroups(subgroup *out)
{
    size_t n = 0;
    out[n++] = (subgroup){"all", 0, 0};
    for (int k = 0; k < WARN_RACE_N; k++) {
        out[n] = (subgroup){"", 1, k};
        snprintf(out[n++].name, sizeof out[0].name, "%s", warn_race_codes[k]);
    }
    out[n++] = (subgroup){"ECON_DISADVANTAGED", 2, 1};
    out[n++] = (subgroup){"NOT_ECON_DISADVANTAGED", 2, 0};
    out[n++] = (subgroup){"DISABILITY", 3, 1};
    out[n++] = (subgroup){"ENGLISH_LEARNER", 4, 1};
    out[n++] = (subgroup){"FEMALE", 5, 0};
    out[n++] = (subgroup){"MALE", 5, 1};
    return n;
}

/* Every figure of one set of predictions. */
static json_t *metrics(const double *p, const double *y, size_t n, double threshold, bool bins)
{
    json_t *o = json_object();
    slds_confusion cf;
    slds_confusion_at(p, NULL, y, n, threshold, &cf);
    double mean_p = 0;
    for (size_t i = 0; i < n; i++)
        mean_p += p[i];
    json_object_set_new(o, "n", json_integer((json_int_t)n));
    json_object_set_new(o, "positives", json_integer((json_int_t)cf.positives));
    json_object_set_new(o, "base_rate", num(n ? (double)cf.positives / (double)n : NAN));
    json_object_set_new(o, "auc", num(slds_warn_auc(p, y, n)));
    json_object_set_new(o, "threshold", num(threshold));
    json_object_set_new(o, "flagged", json_integer((json_int_t)cf.flagged));
    json_object_set_new(o, "precision", num(cf.precision));
    json_object_set_new(o, "recall", num(cf.recall));
    json_object_set_new(o, "specificity", num(cf.specificity));
    json_object_set_new(o, "false_positive_rate", num(cf.false_positive_rate));
    json_object_set_new(o, "mean_predicted", num(n ? mean_p / (double)n : NAN));
    slds_calibration cal;
    slds_calibration_bins(p, y, n, &cal);
    json_object_set_new(o, "brier", num(cal.brier));
    json_object_set_new(o, "ece", num(cal.ece));
    if (bins) {
        json_t *a = json_array();
        for (int k = 0; k < SLDS_CALIB_BINS; k++) {
            if (!cal.n[k])
                continue;
            json_t *b = json_object();
            json_object_set_new(b, "from", json_real(k / (double)SLDS_CALIB_BINS));
            json_object_set_new(b, "to", json_real((k + 1) / (double)SLDS_CALIB_BINS));
            json_object_set_new(b, "n", json_integer((json_int_t)cal.n[k]));
            json_object_set_new(b, "mean_predicted", num(cal.mean_predicted[k]));
            json_object_set_new(b, "observed", num(cal.observed[k]));
            json_array_append_new(a, b);
        }
        json_object_set_new(o, "calibration", a);
    }
    return o;
}

typedef struct held_out {
    const warn_rec **rec;
    double *p, *y;
    size_t n;
} held_out;

static void held_out_free(held_out *h)
{
    free(h->rec);
    free(h->p);
    free(h->y);
}

/* Metrics of the records of h selected by keep, into a new object. */
static json_t *metrics_where(const held_out *h, double threshold, bool bins,
                             bool (*keep)(const warn_rec *, const void *), const void *ctx)
{
    double *p = malloc(sizeof(double) * (h->n ? h->n : 1)), *y = malloc(sizeof(double) * (h->n ? h->n : 1));
    if (!p || !y) {
        free(p);
        free(y);
        return NULL;
    }
    size_t m = 0;
    for (size_t i = 0; i < h->n; i++)
        if (keep(h->rec[i], ctx)) {
            p[m] = h->p[i];
            y[m++] = h->y[i];
        }
    json_t *o = metrics(p, y, m, threshold, bins);
    free(p);
    free(y);
    return o;
}

static bool keep_group(const warn_rec *r, const void *ctx)
{
    return in_group(r, ctx);
}
static bool keep_grade(const warn_rec *r, const void *ctx)
{
    return r->abc.grade == *(const int *)ctx;
}

typedef struct filter_ctx {
    int value;
} filter_ctx;

static bool cohort_before(const warn_rec *r, void *ctx)
{
    return r->cohort < ((filter_ctx *)ctx)->value;
}
static bool year_before(const warn_rec *r, void *ctx)
{
    return r->year < ((filter_ctx *)ctx)->value;
}

/* Trains kind on the filter, scores the held-out records (cohort == H for
 * graduation, year == H for course failure) and returns the evaluation. */
static int evaluate_model(const warn_data *d, const slds_warn_config *c, int kind, int held, json_t **out,
                          slds_error *err)
{
    filter_ctx fc = {held};
    warn_model m;
    int rc = warn_model_train(d, kind, c, kind == WARN_MODEL_GRAD ? cohort_before : year_before, &fc, &m, err);
    if (rc)
        return rc;
    held_out h = {0};
    h.rec = malloc(sizeof *h.rec * (d->n ? d->n : 1));
    h.p = malloc(sizeof(double) * (d->n ? d->n : 1));
    h.y = malloc(sizeof(double) * (d->n ? d->n : 1));
    if (!h.rec || !h.p || !h.y) {
        held_out_free(&h);
        return slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
    }
    for (size_t i = 0; i < d->n; i++) {
        const warn_rec *r = &d->recs[i];
        int label = warn_label(r, kind);
        if (label < 0 || (kind == WARN_MODEL_GRAD ? r->cohort : r->year) != held)
            continue;
        h.rec[h.n] = r;
        h.p[h.n] = warn_model_predict(d, &m, c, r);
        h.y[h.n++] = label;
    }
    if (h.n == 0) {
        held_out_free(&h);
        return slds_fail(err, SLDS_ERR_DATA, "early warning: no held-out record with a known outcome in %d", held);
    }
    json_t *o = metrics(h.p, h.y, h.n, m.threshold, true);
    json_object_set_new(o, "outcome", json_string(kind == WARN_MODEL_GRAD ? "not graduating on time (by the end of"
                                                                           " the expected graduation year)"
                                                                         : "failing at least one course this year"));
    json_object_set_new(o, kind == WARN_MODEL_GRAD ? "held_out_cohort" : "held_out_year", json_integer(held));
    json_object_set_new(o, "threshold_rule", json_string(c->risk_threshold > 0 ? "configured"
                                                                               : "max F1 on the calibration split"));
    subgroup g[20];
    size_t ng = subgroups(g);
    json_t *by = json_array();
    for (size_t k = 0; k < ng; k++) {
        json_t *e = metrics_where(&h, m.threshold, true, keep_group, &g[k]);
        if (!e)
            continue;
        if (json_integer_value(json_object_get(e, "n")) == 0) {
            json_decref(e);
            continue;
        }
        json_object_set_new(e, "subgroup", json_string(g[k].name));
        json_array_append_new(by, e);
    }
    json_object_set_new(o, "by_subgroup", by);
    json_t *bg = json_array();
    for (int grade = 6; grade <= 12; grade++) {
        json_t *e = metrics_where(&h, m.threshold, false, keep_grade, &grade);
        if (!e)
            continue;
        if (json_integer_value(json_object_get(e, "n")) == 0) {
            json_decref(e);
            continue;
        }
        json_object_set_new(e, "grade", json_integer(grade));
        json_array_append_new(bg, e);
    }
    json_object_set_new(o, "by_grade", bg);
    json_object_set_new(o, "model", warn_model_json(&m));
    held_out_free(&h);
    *out = o;
    return SLDS_OK;
}

/* ---- ABC flags against the outcome, and the published figures ------------ */

/* Flag k (0..4) or 5 = any flag, at grade (0 = grades 6-12). */
static json_t *flag_figures(const warn_data *d, const slds_warn_config *c, int k, int grade)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->recs[i].not_grad >= 0;
    unsigned char *f = malloc(n ? n : 1);
    double *y = malloc(sizeof(double) * (n ? n : 1));
    if (!f || !y) {
        free(f);
        free(y);
        return NULL;
    }
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++) {
        const warn_rec *r = &d->recs[i];
        if (r->not_grad < 0 || (grade && r->abc.grade != grade))
            continue;
        if (k == 4 && r->abc.grade != 9)
            continue; /* the on-track rule is a grade-9 indicator */
        unsigned flags = slds_warn_flags(&r->abc, c);
        f[m] = k == 5 ? flags != 0 : (flags >> k) & 1;
        y[m++] = r->not_grad;
    }
    slds_confusion cf;
    slds_confusion_at(NULL, f, y, m, 0, &cf);
    free(f);
    free(y);
    json_t *o = json_object();
    json_object_set_new(o, "flag", json_string(k == 5 ? "any" : slds_warn_flag_name(k)));
    json_object_set_new(o, "grade", grade ? json_integer(grade) : json_string("6-12"));
    json_object_set_new(o, "n", json_integer((json_int_t)m));
    json_object_set_new(o, "not_on_time", json_integer((json_int_t)cf.positives));
    json_object_set_new(o, "base_rate", num(m ? (double)cf.positives / (double)m : NAN));
    json_object_set_new(o, "flagged", json_integer((json_int_t)cf.flagged));
    json_object_set_new(o, "sensitivity", num(cf.recall));
    json_object_set_new(o, "specificity", num(cf.specificity));
    json_object_set_new(o, "precision", num(cf.precision));
    return o;
}

/* Which published rows of Bowers, Sprott & Taff (2013) measure the same
 * indicator as each of our flags (by the review's id). */
static const struct {
    int flag; /* 0..4, 5 any */
    int id;
} published_map[] = {
    {0, 4},   /* Balfanz et al. 2007, grade 6: attended <= 80% of the time */
    {0, 66},  /* Kupersmidt and Cole 1990: absences */
    {1, 7},   /* Balfanz et al. 2007, grade 6: suspended out of school */
    {1, 101}, /* Suh and Suh 2007: suspended */
    {2, 5},   /* Balfanz et al. 2007, grade 6: failed math */
    {2, 6},   /* Balfanz et al. 2007, grade 6: failed English */
    {3, 15},  /* Bowers 2010 (b): low non-cumulative GPA */
    {3, 99},  /* Suh and Suh 2007: low GPA */
    {4, 1},   /* Allensworth & Easton 2007, grade 9: on-track indicator */
    {5, 9},   /* Balfanz et al. 2007, grade 6: one or more flags */
};

static int add_published(const warn_data *d, const slds_warn_config *c, const char *path, json_t *out,
                         slds_error *err)
{
    slds_csv *rd;
    int rc = slds_csv_open(&rd, path, err);
    if (rc)
        return rc;
    slds_csv_record row;
    int col_id = -1, col_study = -1, col_year = -1, col_grade = -1, col_ind = -1, col_n = -1, col_rate = -1,
        col_prec = -1, col_sens = -1, col_spec = -1;
    json_t *rows = json_array();
    bool header = true;
    while ((rc = slds_csv_next(rd, &row, err)) == 1) {
        if (header) {
            for (int k = 0; k < row.nfields; k++) {
                const char *h = row.fields[k];
                int ki = k;
                if (!strcmp(h, "id")) col_id = ki;
                else if (!strcmp(h, "study")) col_study = ki;
                else if (!strcmp(h, "year")) col_year = ki;
                else if (!strcmp(h, "grade") && col_grade < 0) col_grade = ki; /* the grade measured */
                else if (!strcmp(h, "dropout_indicator")) col_ind = ki;
                else if (!strcmp(h, "sample_size")) col_n = ki;
                else if (!strcmp(h, "dropout_rate")) col_rate = ki;
                else if (!strcmp(h, "prediction")) col_prec = ki;
                else if (!strcmp(h, "sensitivity")) col_sens = ki;
                else if (!strcmp(h, "specificity")) col_spec = ki;
            }
            header = false;
            if (col_id < 0 || col_sens < 0 || col_spec < 0 || col_ind < 0) {
                rc = slds_fail(err, SLDS_ERR_DATA, "%s: expected the columns id, dropout_indicator, sensitivity,"
                                                   " specificity (Bowers, Sprott & Taff 2013)", path);
                break;
            }
            continue;
        }
        if (col_spec >= row.nfields || col_ind >= row.nfields || col_id >= row.nfields)
            continue;
        int id = atoi(row.fields[col_id]);
        for (size_t m = 0; m < sizeof published_map / sizeof published_map[0]; m++) {
            if (published_map[m].id != id)
                continue;
            int flag = published_map[m].flag;
            int grade = col_grade >= 0 ? atoi(row.fields[col_grade]) : 0;
            if (flag == 4)
                grade = 9;
            if (grade < 6 || grade > 12)
                grade = 0;
            json_t *ours = flag_figures(d, c, flag, grade);
            json_t *e = json_object();
            json_object_set_new(e, "flag", json_string(flag == 5 ? "any" : slds_warn_flag_name(flag)));
            json_object_set_new(e, "ours", ours);
            json_t *pub = json_object();
            json_object_set_new(pub, "id", json_integer(id));
            char study[160];
            snprintf(study, sizeof study, "%s %s", col_study >= 0 ? row.fields[col_study] : "",
                     col_year >= 0 ? row.fields[col_year] : "");
            json_object_set_new(pub, "study", json_string(study));
            json_object_set_new(pub, "grade", json_string(col_grade >= 0 ? row.fields[col_grade] : ""));
            json_object_set_new(pub, "indicator", json_string(row.fields[col_ind]));
            if (col_n >= 0)
                json_object_set_new(pub, "n", json_integer(atoll(row.fields[col_n])));
            if (col_rate >= 0)
                json_object_set_new(pub, "dropout_rate", json_real(atof(row.fields[col_rate])));
            if (col_prec >= 0)
                json_object_set_new(pub, "precision", json_real(atof(row.fields[col_prec])));
            json_object_set_new(pub, "sensitivity", json_real(atof(row.fields[col_sens])));
            json_object_set_new(pub, "specificity", json_real(atof(row.fields[col_spec])));
            json_object_set_new(e, "published", pub);
            json_array_append_new(rows, e);
        }
    }
    slds_csv_close(rd);
    if (rc < 0 || rc > 1) {
        json_decref(rows);
        return err->code ? err->code : SLDS_ERR_DATA;
    }
    json_object_set_new(out, "published", rows);
    return SLDS_OK;
}

int slds_warn_evaluate(slds_store *s, const slds_warn_config *config, const char *bowers_csv, json_t **out,
                       slds_error *err)
{
    *out = NULL;
    slds_warn_config defaults;
    slds_warn_config_default(&defaults);
    const slds_warn_config *c = config ? config : &defaults;
    warn_data d;
    int rc = warn_data_load(s, c, &d, NULL, err);
    if (rc)
        return rc;
    json_t *o = NULL;
    rc = evaluate_model(&d, c, WARN_MODEL_GRAD, d.last_year, &o, err);
    if (!rc) {
        json_t *fail = NULL;
        slds_error ferr = {0};
        if (d.last_course_year && !evaluate_model(&d, c, WARN_MODEL_FAIL, d.last_course_year, &fail, &ferr))
            json_object_set_new(o, "course_failure", fail);
        else
            json_object_set_new(o, "course_failure", json_string(ferr.message));
        json_t *flags = json_array();
        for (int k = 0; k <= 5; k++)
            json_array_append_new(flags, flag_figures(&d, c, k, k == 4 ? 9 : 0));
        json_object_set_new(o, "flags", flags);
        json_object_set_new(o, "config", slds_warn_config_json(c));
        if (bowers_csv)
            rc = add_published(&d, c, bowers_csv, o, err);
    }
    warn_data_free(&d);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return SLDS_OK;
}
