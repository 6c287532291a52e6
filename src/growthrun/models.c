/* models.c - the stored form of fitted models and its way back: coefficient
 * matrices and taus as BLOBs of little-endian IEEE 754 doubles (R's layout:
 * p x n_taus, column-major), knots as JSON arrays printed with 17 significant
 * digits, so a model read back predicts exactly what the fitted one did
 * (tests/growthrun/test_growthrun.c checks every SGP is reproduced). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

int gr_blob_encode(const double *v, size_t n, unsigned char **out, slds_error *err)
{
    unsigned char *b = malloc(n ? n * 8 : 1);
    if (!b)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for a coefficient matrix");
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &v[i], 8);
        for (int k = 0; k < 8; k++)
            b[i * 8 + (size_t)k] = (unsigned char)(u >> (8 * k));
    }
    *out = b;
    return SLDS_OK;
}

int gr_blob_decode(const void *blob, int bytes, double *v, size_t n, slds_error *err)
{
    if (bytes < 0 || (size_t)bytes != n * 8)
        return slds_fail(err, SLDS_ERR_DATA, "a stored matrix has %d bytes, expected %zu", bytes,
                         n * 8);
    const unsigned char *b = blob;
    for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;
        for (int k = 0; k < 8; k++)
            u |= (uint64_t)b[i * 8 + (size_t)k] << (8 * k);
        memcpy(&v[i], &u, 8);
    }
    return SLDS_OK;
}

int gr_json_numbers(slds_buf *b, const double *v, int n)
{
    int rc = slds_buf_puts(b, "[");
    for (int i = 0; i < n && !rc; i++)
        rc = slds_buf_printf(b, "%s%.17g", i ? "," : "", v[i]);
    return rc || slds_buf_puts(b, "]");
}

int gr_parse_numbers(const char *s, double *v, int max)
{
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (*s++ != '[')
        return -1;
    int n = 0;
    for (;;) {
        while (*s == ' ')
            s++;
        if (*s == ']')
            return n;
        if (n == max)
            return -1;
        char *end;
        v[n] = strtod(s, &end);
        if (end == s)
            return -1;
        n++;
        s = end;
        while (*s == ' ')
            s++;
        if (*s == ',')
            s++;
        else if (*s != ']')
            return -1;
    }
}

/* The readers below step with the store's cursor, so a database error while
 * reading a model is an error (SLDS_ERR_DB naming the SQL), never taken for
 * "no model" (SLDS_ERR_NOTFOUND, which callers skip as an untested grade). */

/* A cursor over one (year, subject, grade) query, kept prepared on the
 * connection (a student page loads the models of several grades). */
static int open_grade_query(slds_cursor *c, slds_store *s, const char *sql, int year,
                            const char *subject, int grade, slds_error *err)
{
    int rc = slds_cursor_open_cached(c, s, sql, err);
    if (rc)
        return rc;
    slds_cursor_bind_int(c, 1, year);
    slds_cursor_bind_text(c, 2, subject);
    slds_cursor_bind_int(c, 3, grade);
    return SLDS_OK;
}

/* The splines of the priors of (year, subject, grade). */
static int load_splines(slds_store *s, int year, const char *subject, int grade,
                        slds_bspline *splines, int *prior_grades, int *prior_years, int *K,
                        slds_error *err)
{
    slds_cursor c;
    int rc = open_grade_query(&c, s,
                              "SELECT prior, prior_grade, prior_year, degree, knots, boundary_low,"
                              " boundary_high FROM growth_priors WHERE school_year = ?1 AND"
                              " subject = ?2 AND grade = ?3 ORDER BY prior",
                              year, subject, grade, err);
    if (rc)
        return rc;
    *K = 0;
    int step = 0;
    while (!rc && (step = slds_cursor_step(&c, err)) == 1) {
        int k = (int)slds_cursor_int(&c, 0) - 1;
        if (k != *K || k >= SLDS_SGP_MAX_ORDER) {
            rc = slds_fail(err, SLDS_ERR_DATA, "growth_priors of %d %s grade %d: prior %d out of order",
                           year, subject, grade, k + 1);
            break;
        }
        slds_bspline *b = &splines[k];
        memset(b, 0, sizeof *b);
        b->degree = (int)slds_cursor_int(&c, 3);
        b->n_knots = gr_parse_numbers(slds_cursor_text(&c, 4), b->knots, SLDS_BS_MAX_KNOTS);
        b->boundary[0] = slds_cursor_double(&c, 5);
        b->boundary[1] = slds_cursor_double(&c, 6);
        if (b->n_knots < 0)
            rc = slds_fail(err, SLDS_ERR_DATA, "growth_priors of %d %s grade %d: bad knots", year,
                           subject, grade);
        if (prior_grades)
            prior_grades[k] = (int)slds_cursor_int(&c, 1);
        if (prior_years)
            prior_years[k] = (int)slds_cursor_int(&c, 2);
        (*K)++;
    }
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = SLDS_ERR_DB;
    if (!rc && *K == 0)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no model of %d %s grade %d", year, subject, grade);
    return rc;
}

/* Copies every stored order into m (initialised from the first row's taus). */
static int load_orders(slds_store *s, int year, const char *subject, int grade,
                       const slds_bspline *splines, int K, slds_sgp_model *m, slds_error *err)
{
    slds_cursor c;
    int rc = open_grade_query(&c, s,
                              "SELECT sgp_order, students, p, n_taus, taus, coef FROM growth_models"
                              " WHERE school_year = ?1 AND subject = ?2 AND grade = ?3"
                              " ORDER BY sgp_order",
                              year, subject, grade, err);
    if (rc)
        return rc;
    int rows = 0, step = 0;
    double *coef = NULL;
    sqlite3_stmt *st = c.stmt; /* for the BLOB columns */
    while (!rc && (step = slds_cursor_step(&c, err)) == 1) {
        int order = (int)slds_cursor_int(&c, 0), p = (int)slds_cursor_int(&c, 2);
        int T = (int)slds_cursor_int(&c, 3);
        if (T < 2 || T > SLDS_SGP_MAX_TAUS || p < 1 || p > SLDS_RQ_MAX_P) {
            rc = slds_fail(err, SLDS_ERR_DATA, "growth_models of %d %s grade %d: bad shape", year,
                           subject, grade);
            break;
        }
        if (rows++ == 0) {
            double taus[SLDS_SGP_MAX_TAUS];
            rc = gr_blob_decode(sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4), taus,
                                (size_t)T, err);
            if (!rc)
                rc = slds_sgp_model_init(m, splines, K, taus, T, err);
            if (rc)
                break;
        }
        free(coef);
        coef = malloc((size_t)p * (size_t)T * sizeof *coef);
        if (!coef) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            break;
        }
        rc = gr_blob_decode(sqlite3_column_blob(st, 5), sqlite3_column_bytes(st, 5), coef,
                            (size_t)p * (size_t)T, err);
        if (!rc)
            rc = slds_sgp_model_set_coef(m, order, coef, p, err);
        if (!rc)
            m->n_fit[order - 1] = (size_t)slds_cursor_int(&c, 1);
    }
    free(coef);
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = SLDS_ERR_DB;
    if (!rc && rows == 0)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no fitted model of %d %s grade %d", year, subject,
                       grade);
    return rc;
}

static int load_loss_hoss(slds_store *s, int year, const char *subject, int grade,
                          slds_sgp_model *m, slds_error *err)
{
    slds_cursor c;
    int rc = open_grade_query(&c, s,
                              "SELECT loss, hoss FROM growth_cohorts WHERE school_year = ?1 AND"
                              " subject = ?2 AND grade = ?3",
                              year, subject, grade, err);
    if (rc)
        return rc;
    int step = slds_cursor_step(&c, err);
    if (step == 1 && !slds_cursor_is_null(&c, 0) && !slds_cursor_is_null(&c, 1)) {
        m->has_loss_hoss = 1;
        m->loss_hoss[0] = slds_cursor_double(&c, 0);
        m->loss_hoss[1] = slds_cursor_double(&c, 1);
    }
    slds_cursor_close(&c);
    return step < 0 ? SLDS_ERR_DB : SLDS_OK;
}

int slds_growthrun_load_model(slds_store *s, int year, const char *subject, int grade,
                              slds_sgp_model *m, int *prior_grades, int *prior_years,
                              slds_error *err)
{
    memset(m, 0, sizeof *m);
    int ran = gr_growth_ran(s, err);
    if (ran <= 0)
        return ran < 0 ? SLDS_ERR_DB
                       : slds_fail(err, SLDS_ERR_NOTFOUND, "growth has not been run on %s", s->path);
    return gr_load_model(s, year, subject, grade, m, prior_grades, prior_years, err);
}

int gr_load_model(slds_store *s, int year, const char *subject, int grade, slds_sgp_model *m,
                  int *prior_grades, int *prior_years, slds_error *err)
{
    memset(m, 0, sizeof *m);
    slds_bspline splines[SLDS_SGP_MAX_ORDER];
    int K;
    int rc = load_splines(s, year, subject, grade, splines, prior_grades, prior_years, &K, err);
    if (!rc)
        rc = load_orders(s, year, subject, grade, splines, K, m, err);
    if (!rc)
        rc = load_loss_hoss(s, year, subject, grade, m, err);
    if (rc)
        slds_sgp_model_free(m);
    return rc;
}
