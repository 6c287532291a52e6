/* bench_bkt.c - BKT fit time at the scale of a state: N students (default
 * 1,000,000) each practise 6 standards (three per subject, as `slds synth`
 * does in a year) with 6-10 items each, answers drawn from BKT with
 * parameters drawn from the generator's ranges (src/synth/model.h) for 108
 * standards; times grouping (slds_bkt_corpus_new) and EM over every standard
 * (slds_bkt_fit_all, 5 restarts) and prints how well the parameters are
 * recovered. Usage: bench_bkt [--students N] [--threads T] [--forget]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mastery/mastery.h"

static uint64_t rng = 20261205;
static double u01(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    size_t students = 1000000;
    slds_bkt_fit_options o;
    slds_bkt_fit_options_default(&o);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--students") && i + 1 < argc)
            students = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--forget"))
            o.forget = true;
        else {
            fprintf(stderr, "usage: %s [--students N] [--threads T] [--forget]\n", argv[0]);
            return 2;
        }
    }
    enum { N_STD = 108 };
    slds_bkt_params truth[N_STD];
    for (int k = 0; k < N_STD; k++)
        truth[k] = (slds_bkt_params){0.15 + 0.40 * u01(), 0.08 + 0.22 * u01(), 0.10 + 0.20 * u01(),
                                     0.05 + 0.10 * u01(), 0};
    size_t cap = students * 6 * 10;
    uint32_t *skill = malloc(cap * sizeof *skill), *student = malloc(cap * sizeof *student);
    uint8_t *correct = malloc(cap);
    if (!skill || !student || !correct) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    size_t n = 0;
    for (size_t s = 0; s < students; s++) {
        int grade = (int)(u01() * 6); /* grades 3-8: 8 ELA + 10 MATH standards each */
        for (int subj = 0; subj < 2; subj++) {
            int per = subj ? 10 : 8, first = grade * 18 + (subj ? 8 : 0);
            int start = (int)(u01() * per);
            for (int j = 0; j < 3; j++) {
                int k = first + (start + j * 3) % per;
                int items = 6 + (int)(u01() * 5);
                int mastered = u01() < truth[k].p_init;
                for (int t = 0; t < items; t++) {
                    skill[n] = (uint32_t)k;
                    student[n] = (uint32_t)s;
                    correct[n] = u01() < (mastered ? 1 - truth[k].p_slip : truth[k].p_guess);
                    n++;
                    if (!mastered)
                        mastered = u01() < truth[k].p_learn;
                }
            }
        }
    }
    slds_error err = {0};
    double w0 = slds_now(), c0 = cpu_now();
    slds_bkt_corpus *c;
    if (slds_bkt_corpus_new(&c, skill, student, correct, n, N_STD, (uint32_t)students, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double w1 = slds_now();
    slds_bkt_fit fits[N_STD];
    if (slds_bkt_fit_all(c, &o, fits, NULL, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double w2 = slds_now(), c2 = cpu_now();
    double mae[4] = {0};
    size_t distinct = 0;
    for (int k = 0; k < N_STD; k++) {
        mae[0] += fabs(fits[k].params.p_init - truth[k].p_init) / N_STD;
        mae[1] += fabs(fits[k].params.p_learn - truth[k].p_learn) / N_STD;
        mae[2] += fabs(fits[k].params.p_guess - truth[k].p_guess) / N_STD;
        mae[3] += fabs(fits[k].params.p_slip - truth[k].p_slip) / N_STD;
        distinct += fits[k].distinct;
    }
    printf("{\"students\": %zu, \"responses\": %zu, \"standards\": %d, \"distinct_sequences\": %zu,"
           " \"threads\": %d, \"restarts\": %d, \"group_seconds\": %.3f, \"fit_seconds\": %.3f,"
           " \"total_seconds\": %.3f, \"cpu_seconds\": %.3f,"
           " \"mae\": {\"p_init\": %.4f, \"p_learn\": %.4f, \"p_guess\": %.4f, \"p_slip\": %.4f}}\n",
           students, n, N_STD, distinct, o.threads, o.restarts, w1 - w0, w2 - w1, w2 - w0, c2 - c0,
           mae[0], mae[1], mae[2], mae[3]);
    slds_bkt_corpus_free(c);
    free(skill);
    free(student);
    free(correct);
    return 0;
}
