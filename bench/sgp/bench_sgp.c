/* bench_sgp.c - timings of the SGP engine (not a test):
 *  (a) one whole year (2024_2025) of the SGP package's demonstration data:
 *      both subjects, every grade progression (priors up to 4 consecutive
 *      grades and years), every order, with the DEMO knots and boundaries;
 *  (b) a state-sized cohort: READING 3 -> 4 -> 5 resampled with replacement
 *      to N students (default 100,000) with every score jittered by
 *      U(-0.5, 0.5), orders 1 and 2.
 * Prints one line per figure: seconds, students/s, pivots and peak memory;
 * with --r-times FILE (written by r_baseline.R) also the ratio to R.
 * With --coef-out FILE every coefficient matrix and SGP is written in hex
 * floats, to check that a change of the solver leaves every result as it was
 * (compare two such files with cmp).
 * Usage: bench_sgp [--shared DIR] [--threads N] [--n N] [--only a|b]
 *                  [--r-times FILE] [--dump-b FILE] [--coef-out FILE] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "growth/growth.h"

typedef struct rec {
    int subject, year, grade;
    long id;
    double score;
} rec;

static rec *recs;
static size_t nrecs;

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

static int load_long(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s/sgpData_LONG.csv.gz'", dir);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    size_t cap = 400000;
    recs = malloc(cap * sizeof *recs);
    char line[4096];
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = 0;
            continue;
        }
        char *fld[9];
        int nf = 0;
        fld[nf++] = line;
        for (char *p = line; *p && nf < 9; p++)
            if (*p == ',') {
                *p = 0;
                fld[nf++] = p + 1;
            }
        if (nf < 9 || strcmp(fld[0], "VALID_CASE") != 0 || !*fld[7])
            continue;
        if (nrecs == cap)
            recs = realloc(recs, (cap *= 2) * sizeof *recs);
        rec *r = &recs[nrecs++];
        r->subject = strcmp(fld[1], "READING") == 0 ? 0 : 1;
        r->year = atoi(fld[2] + 5);
        r->id = atol(fld[3]);
        r->grade = atoi(fld[6]);
        r->score = atof(fld[7]);
    }
    if (pclose(f) != 0 || !nrecs)
        return -1;
    qsort(recs, nrecs, sizeof *recs, cmp_rec);
    return 0;
}

static const rec *find(int subject, int year, int grade, long id)
{
    rec key = {subject, year, grade, id, 0};
    return bsearch(&key, recs, nrecs, sizeof key, cmp_rec);
}

/* Students of (subject, year, grade) with their priors (NaN when missing). */
static size_t build_cohort(int subject, int year, int grade, int K, double **cur, double **pri)
{
    rec lo = {subject, year, grade, -1, 0};
    size_t first = 0, n = 0;
    while (first < nrecs && cmp_rec(&recs[first], &lo) < 0)
        first++;
    while (first + n < nrecs && recs[first + n].subject == subject &&
           recs[first + n].year == year && recs[first + n].grade == grade)
        n++;
    *cur = malloc((n ? n : 1) * sizeof **cur);
    *pri = malloc((n ? n : 1) * (size_t)K * sizeof **pri);
    for (size_t i = 0; i < n; i++) {
        const rec *r = &recs[first + i];
        (*cur)[i] = r->score;
        for (int k = 0; k < K; k++) {
            const rec *q = find(subject, year - 1 - k, grade - 1 - k, r->id);
            (*pri)[i * (size_t)K + (size_t)k] = q ? q->score : NAN;
        }
    }
    return n;
}

static uint64_t rs = 314159265358979ULL;
static double urand(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) * 0x1.0p-53;
}

/* R baseline seconds by label, from r_baseline.R's output (label,seconds). */
static double r_time(const char *file, const char *label)
{
    if (!file)
        return NAN;
    FILE *f = fopen(file, "r");
    if (!f)
        return NAN;
    char line[512];
    double v = NAN;
    while (fgets(line, sizeof line, f)) {
        char *c = strchr(line, ',');
        if (!c)
            continue;
        *c = 0;
        if (strcmp(line, label) == 0)
            v = atof(c + 1);
    }
    fclose(f);
    return v;
}

static FILE *coef_out;

/* Every order's coefficients (hex floats) and every SGP of a figure. */
static void dump_result(const char *label, const slds_sgp_result *res)
{
    if (!coef_out)
        return;
    const slds_sgp_model *m = &res->model;
    for (int k = 0; k < m->max_order; k++) {
        if (!m->coef[k])
            continue;
        fprintf(coef_out, "%s order %d p %d n %zu\n", label, k + 1, m->p[k], m->n_fit[k]);
        for (int t = 0; t < m->n_taus; t++) {
            for (int j = 0; j < m->p[k]; j++)
                fprintf(coef_out, "%s%a", j ? " " : "", m->coef[k][(size_t)t * (size_t)m->p[k] + (size_t)j]);
            fprintf(coef_out, "\n");
        }
    }
    fprintf(coef_out, "%s sgp", label);
    for (size_t i = 0; i < res->n; i++)
        fprintf(coef_out, "%s%d/%d", i % 20 ? " " : "\n", res->sgp[i], res->order[i]);
    fprintf(coef_out, "\n");
}

static double cpu_now(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* One line per figure: wall and CPU seconds (all threads), students/s, and
 * with R times the ratios (R's elapsed / ours, R's CPU / our CPU). */
static void report(const char *label, size_t students, double secs, double cpu, long pivots,
                   const char *rfile)
{
    char cl[80];
    snprintf(cl, sizeof cl, "%s:cpu", label);
    double r = r_time(rfile, label), rc = r_time(rfile, cl);
    printf("%-32s n=%-7zu %7.3f s (cpu %7.3f s) %8.0f students/s  pivots %-7ld peak %.0f MB",
           label, students, secs, cpu, students / secs, pivots, slds_peak_rss() / 1048576.0);
    if (!isnan(r))
        printf("  R %.2f s ratio %.1fx", r, r / secs);
    if (!isnan(rc))
        printf("  R cpu %.2f s cpu ratio %.1fx", rc, rc / cpu);
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *shared = getenv("SLDS_SHARED_DIR");
    const char *rfile = NULL, *dump_b = NULL, *only = NULL;
    int threads = 0;
    size_t big_n = 100000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--shared") && i + 1 < argc)
            shared = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--n") && i + 1 < argc)
            big_n = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--r-times") && i + 1 < argc)
            rfile = argv[++i];
        else if (!strcmp(argv[i], "--dump-b") && i + 1 < argc)
            dump_b = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--coef-out") && i + 1 < argc) {
            if (!(coef_out = fopen(argv[++i], "w"))) {
                fprintf(stderr, "cannot write %s\n", argv[i]);
                return 1;
            }
        }
        else {
            fprintf(stderr, "usage: %s [--shared DIR] [--threads N] [--n N] [--only a|b] "
                            "[--r-times FILE] [--dump-b FILE] [--coef-out FILE]\n", argv[0]);
            return 2;
        }
    }
    char dir[1024], path[1200];
    snprintf(dir, sizeof dir, "%s/data/sgp", shared ? shared : "../shared");
    if (load_long(dir)) {
        fprintf(stderr, "cannot read %s/sgpData_LONG.csv.gz\n", dir);
        return 1;
    }
    snprintf(path, sizeof path, "%s/SGPstateData_DEMO.json", dir);
    slds_growth_config *cfg;
    slds_error err = {0};
    if (slds_growth_config_load(path, &cfg, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    slds_sgp_params prm;
    slds_sgp_params_default(&prm);
    prm.rq.n_threads = threads;
    printf("# SGP engine benchmark (threads %d; 0 = one per CPU)\n", threads);

    if (!only || !strcmp(only, "a")) {
        /* (a) the whole year */
        double total = 0, total_cpu = 0;
        size_t students = 0;
        long pivots = 0;
        for (int s = 0; s < 2; s++)
            for (int g = 4; g <= 10; g++) {
                int K = g - 3 < 4 ? g - 3 : 4;
                double *cur, *pri;
                size_t n = build_cohort(s, 2025, g, K, &cur, &pri);
                slds_bspline sp[4];
                for (int k = 0; k < K; k++)
                    slds_growth_grade_spline(slds_growth_config_grade(cfg, subject_name(s), g - 1 - k),
                                             &sp[k], &err);
                slds_sgp_cohort c = {.n = n, .n_priors = K, .current = cur, .priors = pri,
                                     .splines = sp};
                slds_sgp_result res;
                double t0 = slds_now(), c0 = cpu_now();
                if (slds_sgp_fit_cohort(&c, &prm, &res, &err)) {
                    fprintf(stderr, "%s grade %d: %s\n", subject_name(s), g, err.message);
                    return 1;
                }
                double dt = slds_now() - t0, dc = cpu_now() - c0;
                char label[64];
                snprintf(label, sizeof label, "a:%s_g%d", subject_name(s), g);
                size_t with = 0;
                for (size_t i = 0; i < n; i++)
                    with += res.order[i] > 0;
                report(label, with, dt, dc, res.pivots, rfile);
                dump_result(label, &res);
                total += dt;
                total_cpu += dc;
                students += with;
                pivots += res.pivots;
                slds_sgp_result_free(&res);
                free(cur);
                free(pri);
            }
        report("a:year_2024_2025_total", students, total, total_cpu, pivots, rfile);
    }

    if (!only || !strcmp(only, "b")) {
        /* (b) state-sized cohort */
        double *cur, *pri;
        size_t n = build_cohort(0, 2025, 5, 2, &cur, &pri);
        size_t full = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(pri[2 * i]) && isfinite(pri[2 * i + 1])) {
                cur[full] = cur[i];
                pri[2 * full] = pri[2 * i];
                pri[2 * full + 1] = pri[2 * i + 1];
                full++;
            }
        double *bc = malloc(big_n * sizeof *bc), *bp = malloc(2 * big_n * sizeof *bp);
        for (size_t i = 0; i < big_n; i++) {
            size_t k = (size_t)(urand() * (double)full);
            bc[i] = cur[k] + urand() - 0.5;
            bp[2 * i] = pri[2 * k] + urand() - 0.5;
            bp[2 * i + 1] = pri[2 * k + 1] + urand() - 0.5;
        }
        if (dump_b) {
            FILE *f = fopen(dump_b, "w");
            fprintf(f, "SS5,SS4,SS3\n");
            for (size_t i = 0; i < big_n; i++)
                fprintf(f, "%.17g,%.17g,%.17g\n", bc[i], bp[2 * i], bp[2 * i + 1]);
            fclose(f);
        }
        slds_bspline sp[2];
        slds_growth_grade_spline(slds_growth_config_grade(cfg, "READING", 4), &sp[0], &err);
        slds_growth_grade_spline(slds_growth_config_grade(cfg, "READING", 3), &sp[1], &err);
        slds_sgp_cohort c = {.n = big_n, .n_priors = 2, .current = bc, .priors = bp,
                             .splines = sp};
        slds_sgp_result res;
        double t0 = slds_now(), c0 = cpu_now();
        if (slds_sgp_fit_cohort(&c, &prm, &res, &err)) {
            fprintf(stderr, "state-sized cohort: %s\n", err.message);
            return 1;
        }
        double dt = slds_now() - t0, dc = cpu_now() - c0;
        char label[64];
        snprintf(label, sizeof label, "b:READING_g5_resampled_%zu", big_n);
        report(label, big_n, dt, dc, res.pivots, rfile);
        dump_result(label, &res);
        slds_sgp_result_free(&res);
        free(bc);
        free(bp);
        free(cur);
        free(pri);
    }
    slds_growth_config_free(cfg);
    free(recs);
    if (coef_out)
        fclose(coef_out);
    return 0;
}
