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

/* The splines of the priors of (year, subject, grade). */
static int load_splines(slds_store *s, int year, const char *subject, int grade,
                        slds_bspline *splines, int *prior_grades, int *prior_years, int *K,
                        slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                "SELECT prior, prior_grade, prior_year, degree, knots, boundary_low,"
                                " boundary_high FROM growth_priors WHERE school_year = ?1 AND"
                                " subject = ?2 AND grade = ?3 ORDER BY prior",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, grade);
    *K = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int k = sqlite3_column_int(st, 0) - 1;
        if (k != *K || k >= SLDS_SGP_MAX_ORDER) {
            rc = slds_fail(err, SLDS_ERR_DATA, "growth_priors of %d %s grade %d: prior %d out of order",
                           year, subject, grade, k + 1);
            break;
        }
        slds_bspline *b = &splines[k];
        memset(b, 0, sizeof *b);
        b->degree = sqlite3_column_int(st, 3);
        b->n_knots = gr_parse_numbers((const char *)sqlite3_column_text(st, 4), b->knots,
                                      SLDS_BS_MAX_KNOTS);
        b->boundary[0] = sqlite3_column_double(st, 5);
        b->boundary[1] = sqlite3_column_double(st, 6);
        if (b->n_knots < 0)
            rc = slds_fail(err, SLDS_ERR_DATA, "growth_priors of %d %s grade %d: bad knots", year,
                           subject, grade);
        if (prior_grades)
            prior_grades[k] = sqlite3_column_int(st, 1);
        if (prior_years)
            prior_years[k] = sqlite3_column_int(st, 2);
        (*K)++;
    }
    sqlite3_finalize(st);
    if (!rc && *K == 0)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no model of %d %s grade %d", year, subject, grade);
    return rc;
}

/* Copies every stored order into m (initialised from the first row's taus). */
static int load_orders(slds_store *s, int year, const char *subject, int grade,
                       const slds_bspline *splines, int K, slds_sgp_model *m, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                "SELECT sgp_order, students, p, n_taus, taus, coef FROM growth_models"
                                " WHERE school_year = ?1 AND subject = ?2 AND grade = ?3"
                                " ORDER BY sgp_order",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, grade);
    int rows = 0;
    double *coef = NULL;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int order = sqlite3_column_int(st, 0), p = sqlite3_column_int(st, 2);
        int T = sqlite3_column_int(st, 3);
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
            m->n_fit[order - 1] = (size_t)sqlite3_column_int64(st, 1);
    }
    free(coef);
    sqlite3_finalize(st);
    if (!rc && rows == 0)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no fitted model of %d %s grade %d", year, subject,
                       grade);
    return rc;
}

static int load_loss_hoss(slds_store *s, int year, const char *subject, int grade,
                          slds_sgp_model *m, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                "SELECT loss, hoss FROM growth_cohorts WHERE school_year = ?1 AND"
                                " subject = ?2 AND grade = ?3",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, grade);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        sqlite3_column_type(st, 1) != SQLITE_NULL) {
        m->has_loss_hoss = 1;
        m->loss_hoss[0] = sqlite3_column_double(st, 0);
        m->loss_hoss[1] = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    return SLDS_OK;
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
