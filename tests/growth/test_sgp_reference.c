/* test_sgp_reference.c - SGPs of the SGP package's demonstration data against
 * the reference computed in R with quantreg (shared/data/sgp/sgp_ref_*.csv,
 * made by sgp_reference.R with the knots and boundaries of
 * SGPstateData_DEMO.json). Each cohort is built from the long file: valid
 * cases with a scale score, the exact grades G-1, G-2, ... in the years just
 * before. Every student's SGP and order must agree (at least 99% identical,
 * none off by more than 1). Skipped when shared/ is absent. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "growth/growth.h"
#include "../skip.h"

typedef struct rec {
    int subject; /* 0 READING, 1 MATHEMATICS */
    int year;    /* school year end: 2021..2025 */
    int grade;
    long id;
    double score;
} rec;

typedef struct fixture {
    char dir[1024];
    rec *recs;
    size_t n;
    slds_growth_config *cfg;
} fixture;

static int cmp_rec(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->subject != y->subject)
        return x->subject - y->subject;
    if (x->year != y->year)
        return x->year - y->year;
    if (x->grade != y->grade)
        return x->grade - y->grade;
    return (x->id > y->id) - (x->id < y->id);
}

static const char *subject_name(int s)
{
    return s ? "MATHEMATICS" : "READING";
}

/* Splits a CSV line without quotes (the file has none) into fields. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

static int load_long(fixture *fx)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s/sgpData_LONG.csv.gz'", fx->dir);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    size_t cap = 400000;
    fx->recs = malloc(cap * sizeof *fx->recs);
    char line[4096];
    char *fld[32];
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        int nf = split(line, fld, 32);
        if (header) {
            header = 0;
            assert_true(nf > 7 && strcmp(fld[0], "VALID_CASE") == 0 &&
                        strcmp(fld[7], "SCALE_SCORE") == 0);
            continue;
        }
        if (nf < 8 || strcmp(fld[0], "VALID_CASE") != 0 || !*fld[7])
            continue;
        if (fx->n == cap) {
            cap *= 2;
            fx->recs = realloc(fx->recs, cap * sizeof *fx->recs);
        }
        rec *r = &fx->recs[fx->n++];
        r->subject = strcmp(fld[1], "READING") == 0 ? 0 : 1;
        r->year = atoi(fld[2] + 5); /* "2024_2025" -> 2025 */
        r->id = atol(fld[3]);
        r->grade = atoi(fld[6]);
        r->score = atof(fld[7]);
    }
    int st = pclose(f);
    if (st != 0 || fx->n == 0)
        return -1;
    qsort(fx->recs, fx->n, sizeof *fx->recs, cmp_rec);
    return 0;
}

static const rec *find(const fixture *fx, int subject, int year, int grade, long id)
{
    rec key = {subject, year, grade, id, 0};
    return bsearch(&key, fx->recs, fx->n, sizeof key, cmp_rec);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    const char *shared = getenv("SLDS_SHARED_DIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/data/sgp", shared ? shared : "../shared");
    *state = fx;
    char path[1200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/sgpData_LONG.csv.gz", fx->dir);
    if (stat(path, &sb) != 0) {
        printf("# skipped: %s is absent (shared/ not beside the work tree)\n", path);
        return 0; /* every test calls skip() */
    }
    if (load_long(fx) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/SGPstateData_DEMO.json", fx->dir);
    slds_error err = {0};
    if (slds_growth_config_load(path, &fx->cfg, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    free(fx->recs);
    slds_growth_config_free(fx->cfg);
    free(fx);
    return 0;
}

typedef struct ref_row {
    long id;
    int sgp, order;
} ref_row;

static int cmp_ref(const void *a, const void *b)
{
    long x = ((const ref_row *)a)->id, y = ((const ref_row *)b)->id;
    return (x > y) - (x < y);
}

static void run_cohort(fixture *fx, int subject, int grade, int n_priors)
{
    if (!fx->recs)
        skip();
    int year = 2025;
    /* current students */
    rec lo = {subject, year, grade, -1, 0};
    size_t first = 0;
    while (first < fx->n && cmp_rec(&fx->recs[first], &lo) < 0)
        first++;
    size_t n = 0;
    while (first + n < fx->n && fx->recs[first + n].subject == subject &&
           fx->recs[first + n].year == year && fx->recs[first + n].grade == grade)
        n++;
    assert_true(n > 1000);
    double *cur = malloc(n * sizeof *cur), *pri = malloc(n * (size_t)n_priors * sizeof *pri);
    long *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        const rec *r = &fx->recs[first + i];
        ids[i] = r->id;
        cur[i] = r->score;
        for (int k = 0; k < n_priors; k++) {
            const rec *q = find(fx, subject, year - 1 - k, grade - 1 - k, r->id);
            pri[i * (size_t)n_priors + (size_t)k] = q ? q->score : NAN;
        }
    }
    slds_bspline splines[SLDS_SGP_MAX_ORDER];
    slds_error err = {0};
    for (int k = 0; k < n_priors; k++) {
        const slds_growth_grade *g =
            slds_growth_config_grade(fx->cfg, subject_name(subject), grade - 1 - k);
        assert_non_null(g);
        assert_int_equal(slds_growth_grade_spline(g, &splines[k], &err), 0);
    }
    slds_sgp_cohort c = {.n = n, .n_priors = n_priors, .current = cur, .priors = pri,
                         .splines = splines};
    slds_sgp_params prm;
    slds_sgp_params_default(&prm);
    slds_sgp_result res;
    double t0 = slds_now();
    int rc = slds_sgp_fit_cohort(&c, &prm, &res, &err);
    double secs = slds_now() - t0;
    if (rc)
        fail_msg("fit: %s", err.message);

    /* reference */
    char path[1200];
    snprintf(path, sizeof path, "%s/sgp_ref_%s_2024_2025_g%d.csv", fx->dir,
             subject_name(subject), grade);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t nref = 0, cap = 8192;
    ref_row *ref = malloc(cap * sizeof *ref);
    char line[1024];
    char *fld[16];
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (split(line, fld, 16) < 8)
            continue;
        if (nref == cap)
            ref = realloc(ref, (cap *= 2) * sizeof *ref);
        ref[nref].id = atol(fld[0]);
        ref[nref].sgp = atoi(fld[6]);   /* SGP_fn */
        ref[nref].order = atoi(fld[7]); /* ORDER_fn */
        nref++;
    }
    fclose(f);
    qsort(ref, nref, sizeof *ref, cmp_ref);

    size_t with_sgp = 0, same = 0, off1 = 0, worse = 0, order_diff = 0, missing = 0;
    for (size_t i = 0; i < n; i++) {
        if (!res.order[i])
            continue;
        with_sgp++;
        ref_row key = {ids[i], 0, 0};
        ref_row *r = bsearch(&key, ref, nref, sizeof key, cmp_ref);
        if (!r) {
            missing++;
            continue;
        }
        int d = abs(r->sgp - res.sgp[i]);
        same += d == 0;
        off1 += d == 1;
        worse += d > 1;
        order_diff += r->order != res.order[i];
    }
    double agree = nref ? (double)same / (double)nref : 0;
    printf("# %s grade %d (priors %d): %zu students with SGP, reference %zu; identical %zu "
           "(%.2f%%), off by 1: %zu, off by more: %zu, order differs: %zu; "
           "fit %.3f s (%ld pivots, orders:",
           subject_name(subject), grade, n_priors, with_sgp, nref, same, 100 * agree, off1,
           worse, order_diff, secs, res.pivots);
    for (int k = 0; k < res.max_order; k++)
        printf(" %zu", res.model.n_fit[k]);
    printf(")\n");
    assert_int_equal(with_sgp, nref);
    assert_int_equal(missing, 0);
    assert_int_equal(worse, 0);
    assert_int_equal(order_diff, 0);
    assert_true(agree >= 0.99);

    /* the stored model reproduces every SGP */
    for (int k = 1; k <= res.max_order; k++) {
        size_t m = 0;
        double *pred = malloc(n * 100 * sizeof *pred);
        double *pk = malloc(n * (size_t)k * sizeof *pk);
        size_t *rows = malloc(n * sizeof *rows);
        for (size_t i = 0; i < n; i++) {
            if (!res.sgp_by_order[i * (size_t)res.max_order + (size_t)(k - 1)])
                continue;
            for (int j = 0; j < k; j++)
                pk[m * (size_t)k + (size_t)j] = pri[i * (size_t)n_priors + (size_t)j];
            rows[m++] = i;
        }
        assert_int_equal(slds_sgp_predict(&res.model, k, pk, (size_t)k, m, pred, &err), 0);
        for (size_t r = 0; r < m; r++)
            assert_int_equal(
                slds_sgp_percentile(pred + r * 100, 100, cur[rows[r]]),
                res.sgp_by_order[rows[r] * (size_t)res.max_order + (size_t)(k - 1)]);
        free(pred);
        free(pk);
        free(rows);
    }
    slds_sgp_result_free(&res);
    free(ref);
    free(cur);
    free(pri);
    free(ids);
}

static void test_reading_g5(void **state)
{
    run_cohort(*state, 0, 5, 2);
}
static void test_mathematics_g5(void **state)
{
    run_cohort(*state, 1, 5, 2);
}
static void test_reading_g8(void **state)
{
    run_cohort(*state, 0, 8, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reading_g5),
        cmocka_unit_test(test_mathematics_g5),
        cmocka_unit_test(test_reading_g8),
    };
    char path[1024];
    if (!slds_test_shared(path, sizeof path, "data/sgp/sgpData_LONG.csv.gz"))
        return slds_test_exit(0, "shared/data/sgp is absent: no reference to compare with");
    return cmocka_run_group_tests(tests, setup, teardown);
}
