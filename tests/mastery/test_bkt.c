/* test_bkt.c - Bayesian Knowledge Tracing on arrays (src/mastery/bkt.c,
 * auc.c): forward probabilities against values computed by hand for short
 * sequences (with and without forgetting); the online update equals the
 * batch forward pass; EM on data simulated from known parameters recovers
 * them; the corpus groups interleaved rows by skill and student and predicts
 * each row from that student's earlier rows only; fitting many skills on the
 * thread pool gives what fitting each alone gives; the pooled AUC of a hand
 * example with ties. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mastery/mastery.h"

#define CLOSE(a, b, tol) assert_true(fabs((a) - (b)) < (tol))

/* P(correct) and P(mastery) of 1, 0, 1 with p_init 0.3, learn 0.2, guess
 * 0.25, slip 0.1, worked by hand:
 *  t0: P(c) = .3 x .9 + .7 x .25 = .445; posterior .27/.445 = .606742;
 *      P(L1) = .606742 + .393258 x .2 = .685393
 *  t1: P(c) = .685393 x .9 + .314607 x .25 = .695506; wrong: posterior
 *      .0685393/(.0685393 + .314607 x .75) = .225092; P(L2) = .380074
 *  t2: P(c) = .380074 x .9 + .619926 x .25 = .497048; right: posterior
 *      .342066/.497048 = .688196; P(L3) = .750557 */
static void test_forward_by_hand(void **state)
{
    (void)state;
    slds_bkt_params p = {0.3, 0.2, 0.25, 0.1, 0.0};
    uint8_t obs[] = {1, 0, 1};
    double pred[3], m[4];
    slds_bkt_forward(&p, obs, 3, pred, m);
    CLOSE(pred[0], 0.445, 1e-12);
    CLOSE(pred[1], 0.695505617978, 1e-11);
    CLOSE(pred[2], 0.497047970480, 1e-11);
    CLOSE(m[0], 0.3, 1e-15);
    CLOSE(m[1], 0.685393258427, 1e-11);
    CLOSE(m[2], 0.380073800738, 1e-11);
    CLOSE(m[3], 0.750556792873, 1e-11);
    size_t start[] = {0, 3};
    CLOSE(slds_bkt_log_likelihood(&p, obs, start, 1), log(0.445) + log(1 - 0.695505617978) +
                                                         log(0.497047970480),
          1e-10);
    /* With forgetting (0.05): p_init .5, learn .1, guess .2, slip .15 on 0 1 1 0.
     *  t0: P(c) = .5 x .85 + .5 x .2 = .525; wrong: posterior .075/(.075 + .4) = .157895;
     *      P(L1) = .157895 x .95 + .842105 x .1 = .234211 */
    slds_bkt_params q = {0.5, 0.1, 0.2, 0.15, 0.05};
    uint8_t obs2[] = {0, 1, 1, 0};
    double pred2[4], m2[5];
    slds_bkt_forward(&q, obs2, 4, pred2, m2);
    CLOSE(pred2[0], 0.525, 1e-12);
    CLOSE(m2[1], 0.234210526316, 1e-11);
    CLOSE(pred2[1], 0.352236842105, 1e-11);
    CLOSE(m2[2], 0.580407172208, 1e-11);
    CLOSE(pred2[2], 0.577264661935, 1e-11);
    CLOSE(pred2[3], 0.737181542058, 1e-11);
    CLOSE(m2[4], 0.500923992868, 1e-11);
}

/* splitmix64: a reproducible simulation. */
static uint64_t rng_state;
static double uniform01(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* n_seq students answer len items each, from the BKT model p. */
static void simulate(const slds_bkt_params *p, size_t n_seq, size_t len, uint8_t *obs, size_t *start)
{
    for (size_t k = 0; k < n_seq; k++) {
        start[k] = k * len;
        int mastered = uniform01() < p->p_init;
        for (size_t t = 0; t < len; t++) {
            double pc = mastered ? 1 - p->p_slip : p->p_guess;
            obs[k * len + t] = uniform01() < pc;
            if (!mastered)
                mastered = uniform01() < p->p_learn;
            else if (p->p_forget > 0)
                mastered = !(uniform01() < p->p_forget);
        }
    }
    start[n_seq] = n_seq * len;
}

static void test_online_update_equals_forward(void **state)
{
    (void)state;
    rng_state = 42;
    slds_bkt_params p = {0.35, 0.12, 0.22, 0.08, 0.03};
    uint8_t obs[60];
    size_t start[2];
    simulate(&p, 1, 60, obs, start);
    double pred[60], m[61];
    slds_bkt_forward(&p, obs, 60, pred, m);
    slds_bkt_state online = slds_bkt_start(&p);
    for (size_t t = 0; t < 60; t++) {
        /* the prediction made before the response is seen, then the update */
        assert_true(slds_bkt_state_predict(&p, online) == pred[t]);
        online = slds_bkt_step(&p, online, obs[t]);
        assert_true(online.mastered == m[t + 1]);
        assert_true(fabs(online.mastered + online.not_mastered - 1.0) < 1e-12);
    }
    /* the first step from a bare P(mastery) is the same step */
    assert_true(slds_bkt_update(&p, p.p_init, obs[0]) == m[1]);
    assert_true(slds_bkt_predict(&p, p.p_init) == pred[0]);
}

/* 60 correct answers, then 60 wrong ones (no forgetting). P(not mastered)
 * after the correct run is 2.2e-21 while P(mastery) is exactly 1 in double
 * precision: a state kept as P(mastery) alone has lost how far from 1 it is
 * (its complement is 0, or 1e-16 at best), so it falls back either never
 * or too soon as wrong answers arrive. Reference values computed with
 * 100-digit decimal arithmetic. */
static void test_long_run_keeps_both_probabilities(void **state)
{
    (void)state;
    const slds_bkt_params p = {0.6, 0.0125, 0.375, 0.1875, 0};
    uint8_t obs[120];
    for (int t = 0; t < 120; t++)
        obs[t] = t < 60;
    double pred[120], m[121];
    slds_bkt_forward(&p, obs, 120, pred, m);
    slds_bkt_state s = slds_bkt_start(&p);
    for (int t = 0; t < 60; t++)
        s = slds_bkt_step(&p, s, 1);
    assert_true(fabs(s.not_mastered / 2.21590153829570578e-21 - 1) < 1e-9);
    assert_true(s.mastered == 1.0);
    CLOSE(pred[60], 0.8125, 1e-12);
    CLOSE(pred[90], 0.81249677150037292, 1e-9);
    CLOSE(pred[100], 0.58530008110175114, 1e-9);
    CLOSE(pred[119], 0.38281250005652517, 1e-9);
    CLOSE(m[120], 0.017857142896393601, 1e-9);
    for (int t = 61; t < 120; t++)
        assert_true(pred[t] <= pred[t - 1] + 1e-15); /* falling (to rounding) */
    /* the log-likelihood sums the log of each answer's probability */
    size_t start[2] = {0, 120};
    double ll = 0;
    for (int t = 0; t < 120; t++)
        ll += log(obs[t] ? pred[t] : 1 - pred[t]);
    CLOSE(slds_bkt_log_likelihood(&p, obs, start, 1), ll, 1e-9);
}

static void test_em_recovers_parameters(void **state)
{
    (void)state;
    rng_state = 7;
    const size_t n_seq = 4000, len = 10;
    uint8_t *obs = malloc(n_seq * len);
    size_t *start = malloc((n_seq + 1) * sizeof *start);
    assert_non_null(obs);
    assert_non_null(start);
    slds_bkt_params truth = {0.30, 0.15, 0.20, 0.10, 0.0};
    simulate(&truth, n_seq, len, obs, start);
    slds_bkt_fit_options o;
    slds_bkt_fit_options_default(&o);
    slds_bkt_fit fit;
    slds_error err = {0};
    assert_int_equal(slds_bkt_fit_one(obs, start, n_seq, &o, 1, &fit, &err), SLDS_OK);
    CLOSE(fit.params.p_init, truth.p_init, 0.03);
    CLOSE(fit.params.p_learn, truth.p_learn, 0.02);
    CLOSE(fit.params.p_guess, truth.p_guess, 0.02);
    CLOSE(fit.params.p_slip, truth.p_slip, 0.015);
    assert_true(fit.params.p_forget == 0.0);
    assert_int_equal(fit.responses, n_seq * len);
    assert_int_equal(fit.sequences, n_seq);
    assert_true(fit.distinct < n_seq); /* 10-item sequences repeat: EM ran on fewer */
    /* The likelihood reported is the likelihood at the parameters reported
     * (computed over every student, not the merged sequences), and it beats
     * the truth's (EM maximizes it). */
    double ll = slds_bkt_log_likelihood(&fit.params, obs, start, n_seq);
    CLOSE(fit.log_likelihood, ll, 1e-6 * fabs(ll));
    assert_true(ll >= slds_bkt_log_likelihood(&truth, obs, start, n_seq) - 1e-6);

    /* With forgetting. */
    rng_state = 9;
    slds_bkt_params truth_f = {0.40, 0.20, 0.15, 0.10, 0.06};
    simulate(&truth_f, n_seq, len, obs, start);
    o.forget = true;
    assert_int_equal(slds_bkt_fit_one(obs, start, n_seq, &o, 1, &fit, &err), SLDS_OK);
    CLOSE(fit.params.p_init, truth_f.p_init, 0.04);
    CLOSE(fit.params.p_learn, truth_f.p_learn, 0.04);
    CLOSE(fit.params.p_guess, truth_f.p_guess, 0.03);
    CLOSE(fit.params.p_slip, truth_f.p_slip, 0.03);
    CLOSE(fit.params.p_forget, truth_f.p_forget, 0.03);
    free(obs);
    free(start);
}

/* Long sequences: 3,000 correct answers then 3,000 incorrect ones (and the
 * reverse). After the first run P(not mastered) is 0 in double precision;
 * a backward pass on scaled betas overflows there (0 x inf = NaN) and EM
 * stopped at its starting point. EM must move, stay finite and raise the
 * likelihood. */
static void test_em_long_sequences(void **state)
{
    (void)state;
    const size_t len = 6000;
    uint8_t *obs = malloc(2 * len);
    assert_non_null(obs);
    for (size_t t = 0; t < len; t++) {
        obs[t] = t < len / 2;
        obs[len + t] = t >= len / 2;
    }
    size_t start[] = {0, len, 2 * len};
    slds_bkt_fit_options o;
    slds_bkt_fit_options_default(&o);
    o.restarts = 1;
    for (int forget = 0; forget < 2; forget++) {
        o.forget = forget;
        slds_bkt_fit fit;
        slds_error err = {0};
        assert_int_equal(slds_bkt_fit_one(obs, start, 2, &o, 3, &fit, &err), SLDS_OK);
        slds_bkt_params p0 = {0.4, 0.15, 0.2, 0.1, forget ? 0.05 : 0.0};
        double ll0 = slds_bkt_log_likelihood(&p0, obs, start, 2);
        assert_true(isfinite(fit.log_likelihood));
        assert_true(fit.iterations > 1);
        assert_true(fit.log_likelihood > ll0 + 100);
        assert_true(isfinite(fit.params.p_init) && isfinite(fit.params.p_learn) &&
                    isfinite(fit.params.p_guess) && isfinite(fit.params.p_slip) &&
                    isfinite(fit.params.p_forget));
    }
    free(obs);
}

/* Rows of 3 students x 2 skills, interleaved in time; the corpus predicts
 * each row from the same student's earlier rows of the same skill. */
static void test_corpus_predicts_online(void **state)
{
    (void)state;
    const uint32_t skill[] = {0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0};
    const uint32_t student[] = {0, 0, 1, 0, 1, 0, 2, 2, 0, 1, 1};
    const uint8_t correct[] = {1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1};
    const size_t n = sizeof skill / sizeof skill[0];
    slds_bkt_corpus *c;
    slds_error err = {0};
    assert_int_equal(slds_bkt_corpus_new(&c, skill, student, correct, n, 3, 3, &err), SLDS_OK);
    assert_int_equal(slds_bkt_corpus_skill_rows(c, 0), 6);
    assert_int_equal(slds_bkt_corpus_skill_rows(c, 1), 5);
    assert_int_equal(slds_bkt_corpus_skill_rows(c, 2), 0);
    slds_bkt_params params[3] = {{0.3, 0.2, 0.25, 0.1, 0}, {0.6, 0.1, 0.3, 0.2, 0.02}, {0, 0, 0, 0, 0}};
    bool have[3] = {true, true, false};
    double pred[11];
    slds_bkt_corpus_predict(c, params, have, pred);
    /* by hand: each (skill, student) sequence through slds_bkt_step */
    slds_bkt_state m[3][3];
    for (int k = 0; k < 2; k++)
        for (int s = 0; s < 3; s++)
            m[k][s] = slds_bkt_start(&params[k]);
    for (size_t i = 0; i < n; i++) {
        assert_true(pred[i] == slds_bkt_state_predict(&params[skill[i]], m[skill[i]][student[i]]));
        m[skill[i]][student[i]] = slds_bkt_step(&params[skill[i]], m[skill[i]][student[i]], correct[i]);
    }
    /* A skill without parameters predicts nothing. */
    have[1] = false;
    slds_bkt_corpus_predict(c, params, have, pred);
    for (size_t i = 0; i < n; i++)
        assert_true(skill[i] == 1 ? isnan(pred[i]) : !isnan(pred[i]));
    slds_bkt_corpus_free(c);
}

/* fit_all on the thread pool equals fit_one per skill. */
static void test_fit_all_equals_fit_one(void **state)
{
    (void)state;
    rng_state = 11;
    const size_t per = 300, len = 8;
    slds_bkt_params truth[3] = {{0.2, 0.1, 0.2, 0.1, 0}, {0.5, 0.25, 0.15, 0.05, 0}, {0.4, 0.05, 0.3, 0.2, 0}};
    size_t n = 3 * per * len;
    uint32_t *skill = malloc(n * sizeof *skill), *student = malloc(n * sizeof *student);
    uint8_t *correct = malloc(n), *obs = malloc(per * len);
    size_t *start = malloc((per + 1) * sizeof *start);
    assert_true(skill && student && correct && obs && start);
    uint8_t *per_skill[3];
    for (int k = 0; k < 3; k++) {
        per_skill[k] = malloc(per * len);
        simulate(&truth[k], per, len, per_skill[k], start);
    }
    /* rows: student by student, the skills' items alternating */
    size_t r = 0;
    for (size_t s = 0; s < per; s++)
        for (size_t t = 0; t < len; t++)
            for (uint32_t k = 0; k < 3; k++) {
                skill[r] = 2 - k;
                student[r] = (uint32_t)s;
                correct[r] = per_skill[2 - k][s * len + t];
                r++;
            }
    slds_bkt_corpus *c;
    slds_error err = {0};
    assert_int_equal(slds_bkt_corpus_new(&c, skill, student, correct, n, 3, (uint32_t)per, &err), 0);
    slds_bkt_fit_options o;
    slds_bkt_fit_options_default(&o);
    o.threads = 2;
    slds_bkt_fit fits[3];
    assert_int_equal(slds_bkt_fit_all(c, &o, fits, NULL, &err), SLDS_OK);
    for (uint32_t k = 0; k < 3; k++) {
        slds_bkt_fit one;
        assert_int_equal(slds_bkt_fit_one(per_skill[k], start, per, &o, k, &one, &err), SLDS_OK);
        assert_true(one.params.p_init == fits[k].params.p_init);
        assert_true(one.params.p_learn == fits[k].params.p_learn);
        assert_true(one.params.p_guess == fits[k].params.p_guess);
        assert_true(one.params.p_slip == fits[k].params.p_slip);
        assert_int_equal(fits[k].responses, per * len);
        free(per_skill[k]);
    }
    slds_bkt_corpus_free(c);
    free(skill);
    free(student);
    free(correct);
    free(obs);
    free(start);
}

/* Positives score .35, .8, .4; negatives .1, .4. Pairs won: .35 > .1 (1),
 * .35 < .4 (0), .8 beats both (2), .4 > .1 (1), .4 = .4 (a tie: 1/2);
 * 4.5 of 6 pairs = 0.75. */
static void test_auc_with_ties(void **state)
{
    (void)state;
    double score[] = {0.1, 0.4, 0.35, 0.8, 0.4, NAN};
    uint8_t label[] = {0, 0, 1, 1, 1, 0};
    slds_error err = {0};
    CLOSE(slds_auc(score, label, 6, &err), 0.75, 1e-15);
    /* every score tied: 0.5; perfect ranking: 1; reversed: 0 */
    double same[] = {0.5, 0.5, 0.5, 0.5};
    uint8_t l4[] = {0, 1, 0, 1};
    CLOSE(slds_auc(same, l4, 4, &err), 0.5, 1e-15);
    double up[] = {0.1, 0.9, 0.2, 0.8};
    CLOSE(slds_auc(up, l4, 4, &err), 1.0, 1e-15);
    double down[] = {0.9, 0.1, 0.8, 0.2};
    CLOSE(slds_auc(down, l4, 4, &err), 0.0, 1e-15);
    /* one class only: undefined */
    uint8_t ones[] = {1, 1, 1, 1};
    assert_true(isnan(slds_auc(up, ones, 4, &err)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_by_hand),
        cmocka_unit_test(test_online_update_equals_forward),
        cmocka_unit_test(test_long_run_keeps_both_probabilities),
        cmocka_unit_test(test_em_recovers_parameters),
        cmocka_unit_test(test_em_long_sequences),
        cmocka_unit_test(test_corpus_predicts_online),
        cmocka_unit_test(test_fit_all_equals_fit_one),
        cmocka_unit_test(test_auc_with_ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
