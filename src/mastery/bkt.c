/* bkt.c - Bayesian Knowledge Tracing on arrays: the model's forward pass and
 * online update, and its fit by EM (Baum-Welch) with restarts, one standard
 * or many at once on the core thread pool (mastery.h).
 *
 * Numerical care: the forward pass keeps normalized (filtered) probabilities
 * of both states, each computed on its own, and the backward pass works on
 * smoothed probabilities (never on betas, which overflow on long sequences),
 * so nothing underflows or overflows however long a sequence is; the log-likelihood
 * sum(log c_t) is accumulated as a running product folded into a logarithm
 * before it could underflow (a log per row would cost more than the rest of
 * the E step). Parameters are kept inside [1e-6, 1 - 1e-6] so no emission
 * probability is ever 0.
 *
 * Speed: EM runs over the distinct response sequences of a standard, each
 * weighted by how many students gave it (short sequences repeat a great
 * deal: a synthetic state's 6-10 item sequences have at most 2^10 patterns);
 * the E and M steps are those of a weighted sample, so the fit is the same
 * as over every student. Every (standard, restart) pair is a task of the
 * thread pool, largest standards first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "mastery/internal.h"

#define P_MIN 1e-6
#define P_MAX (1.0 - 1e-6)

static double clamp_p(double x)
{
    return x < P_MIN ? P_MIN : x > P_MAX ? P_MAX : x;
}

slds_bkt_state slds_bkt_start(const slds_bkt_params *p)
{
    return (slds_bkt_state){p->p_init, 1.0 - p->p_init};
}

slds_bkt_state slds_bkt_state_of(double p_mastery, double p_not_mastered)
{
    return (slds_bkt_state){p_mastery, p_not_mastered >= 0 ? p_not_mastered : 1.0 - p_mastery};
}

/* The same operations in the same order as e_step's forward loop, so that a
 * prediction replays the fit's filtered probabilities bit for bit. */
slds_bkt_state slds_bkt_step(const slds_bkt_params *p, slds_bkt_state s, int correct)
{
    double n1 = s.mastered * (correct ? 1.0 - p->p_slip : p->p_slip);
    double n0 = s.not_mastered * (correct ? p->p_guess : 1.0 - p->p_guess);
    double r = 1.0 / (n1 + n0);
    double f1 = n1 * r, f0 = n0 * r;
    return (slds_bkt_state){f1 * (1.0 - p->p_forget) + f0 * p->p_learn,
                            f0 * (1.0 - p->p_learn) + f1 * p->p_forget};
}

double slds_bkt_state_predict(const slds_bkt_params *p, slds_bkt_state s)
{
    return s.mastered * (1.0 - p->p_slip) + s.not_mastered * p->p_guess;
}

double slds_bkt_predict(const slds_bkt_params *p, double m)
{
    return slds_bkt_state_predict(p, slds_bkt_state_of(m, -1));
}

double slds_bkt_update(const slds_bkt_params *p, double m, int correct)
{
    return slds_bkt_step(p, slds_bkt_state_of(m, -1), correct).mastered;
}

void slds_bkt_forward(const slds_bkt_params *p, const uint8_t *obs, size_t n, double *pred,
                      double *mastery)
{
    slds_bkt_state s = slds_bkt_start(p);
    for (size_t t = 0; t < n; t++) {
        if (pred)
            pred[t] = slds_bkt_state_predict(p, s);
        if (mastery)
            mastery[t] = s.mastered;
        s = slds_bkt_step(p, s, obs[t]);
    }
    if (mastery)
        mastery[n] = s.mastered;
}

double slds_bkt_log_likelihood(const slds_bkt_params *p, const uint8_t *obs, const size_t *start,
                               size_t n_seq)
{
    double ll = 0;
    for (size_t k = 0; k < n_seq; k++) {
        slds_bkt_state s = slds_bkt_start(p);
        for (size_t t = start[k]; t < start[k + 1]; t++) {
            /* P(this answer) from both probabilities: 1 - P(correct) would
             * lose P(wrong)'s digits when it is tiny */
            double pr = obs[t] ? s.mastered * (1.0 - p->p_slip) + s.not_mastered * p->p_guess
                               : s.mastered * p->p_slip + s.not_mastered * (1.0 - p->p_guess);
            ll += log(pr);
            s = slds_bkt_step(p, s, obs[t]);
        }
    }
    return ll;
}

void slds_bkt_fit_options_default(slds_bkt_fit_options *o)
{
    o->forget = false;
    o->restarts = 5;
    o->max_iter = 200;
    o->tol = 1e-4;
    o->threads = slds_cpu_count();
    o->seed = 20260101;
}

/* ------------------------------------------------------------------ EM */

/* One standard's sequences, identical ones merged: sequence k is
 * obs[start[k]..start[k+1]) given by weight[k] students. */
typedef struct skill_data {
    uint8_t *obs;
    size_t *start;
    double *weight;
    size_t n_seq;        /* distinct */
    size_t rows;         /* distinct rows (sum of distinct lengths) */
    size_t responses;    /* all rows */
    size_t sequences;    /* all students */
    double total_weight; /* = sequences */
} skill_data;

static void skill_data_free(skill_data *d)
{
    free(d->obs);
    free(d->start);
    free(d->weight);
    memset(d, 0, sizeof *d);
}

typedef struct seq_key {
    uint64_t hash;
    size_t len, first;
} seq_key;

static int seq_key_cmp(const void *a, const void *b)
{
    const seq_key *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Merges identical sequences of obs/start (n_seq of them) into d. */
static int skill_data_build(skill_data *d, const uint8_t *obs, const size_t *start, size_t n_seq,
                            slds_error *err)
{
    memset(d, 0, sizeof *d);
    seq_key *keys = malloc((n_seq ? n_seq : 1) * sizeof *keys);
    size_t total = start[n_seq] - start[0];
    d->obs = malloc(total ? total : 1);
    d->start = malloc((n_seq + 1) * sizeof *d->start);
    d->weight = malloc((n_seq ? n_seq : 1) * sizeof *d->weight);
    if (!keys || !d->obs || !d->start || !d->weight) {
        free(keys);
        skill_data_free(d);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory (sequences)");
    }
    for (size_t k = 0; k < n_seq; k++) {
        keys[k].len = start[k + 1] - start[k];
        keys[k].first = start[k];
        keys[k].hash = slds_hash_bytes(obs + start[k], keys[k].len);
    }
    qsort(keys, n_seq, sizeof *keys, seq_key_cmp);
    size_t rows = 0, n = 0, run_start = 0;
    d->start[0] = 0;
    for (size_t i = 0; i < n_seq; i++) {
        /* Identical sequences are adjacent: same length and hash. A new
         * (length, hash) run starts a new set of distinct sequences; within
         * a run, a sequence joins an equal one (a hash collision gets its own). */
        if (i == 0 || keys[i - 1].len != keys[i].len || keys[i - 1].hash != keys[i].hash)
            run_start = n;
        size_t found = SIZE_MAX;
        for (size_t j = run_start; j < n && found == SIZE_MAX; j++)
            if (!memcmp(d->obs + d->start[j], obs + keys[i].first, keys[i].len))
                found = j;
        if (found != SIZE_MAX) {
            d->weight[found] += 1;
            continue;
        }
        memcpy(d->obs + rows, obs + keys[i].first, keys[i].len);
        rows += keys[i].len;
        d->weight[n] = 1;
        d->start[++n] = rows;
    }
    free(keys);
    d->n_seq = n;
    d->rows = rows;
    d->responses = total;
    d->sequences = n_seq;
    d->total_weight = (double)n_seq;
    return SLDS_OK;
}

typedef struct em_counts {
    double init1;          /* expected students mastered at the first response */
    double from0, to1;     /* expected unmastered steps (with a next one) and learnings */
    double from1, to0;     /* expected mastered steps and forgettings */
    double g0, g0_correct; /* expected unmastered responses, correct among them */
    double g1, g1_wrong;   /* expected mastered responses, incorrect among them */
} em_counts;

/* The E step over every distinct sequence: expected counts and the
 * log-likelihood. f[t] and fb[t] (workspace of d->rows doubles each) hold the
 * filtered P(mastered) and P(not mastered) after row t, each computed on its
 * own so that neither loses its digits when the other is near 1.
 *
 * The backward pass works on smoothed probabilities (gamma) directly: the
 * expected transition from state i at t to j at t+1 is
 *   xi_t(i, j) = filtered_t(i) A(i, j) gamma_{t+1}(j) / predicted_{t+1}(j),
 * and each xi is at most gamma_{t+1}(j), so nothing overflows. (Scaled betas
 * would: after a long run of correct answers P(not mastered) is 0 in double
 * precision while its beta grows past the largest double, and 0 x inf is NaN.) */
static double e_step(const skill_data *d, const slds_bkt_params *p, double *f, double *fb,
                     em_counts *out)
{
    const double L = p->p_learn, F = p->p_forget, G = p->p_guess, S = p->p_slip;
    /* emission probabilities by observation: e1[o] = P(o | mastered), e0[o] = P(o | not) */
    const double e1[2] = {S, 1.0 - S}, e0[2] = {1.0 - G, G};
    em_counts a = {0};
    double ll = 0;
    for (size_t k = 0; k < d->n_seq; k++) {
        const size_t first = d->start[k], end = d->start[k + 1];
        const uint8_t *o = d->obs;
        /* m, q: predicted P(mastered), P(not mastered) before row t */
        double m = p->p_init, q = 1.0 - p->p_init, prod = 1.0, llk = 0;
        for (size_t t = first; t < end; t++) {
            double n1 = m * e1[o[t]], n0 = q * e0[o[t]];
            double c = n1 + n0;
            double r = 1.0 / c;
            double ft = n1 * r, fbt = n0 * r;
            f[t] = ft;
            fb[t] = fbt;
            prod *= c;
            if (prod < 1e-250) {
                llk += log(prod);
                prod = 1.0;
            }
            m = ft * (1.0 - F) + fbt * L;
            q = fbt * (1.0 - L) + ft * F;
        }
        llk += log(prod);
        /* Backward: g0, g1 are the smoothed probabilities of row t + 1. */
        double g1 = f[end - 1], g0 = fb[end - 1];
        double from0 = 0, to1 = 0, from1 = 0, to0 = 0, s0 = g0, s0c = 0, s1 = g1, s1w = 0;
        if (o[end - 1])
            s0c += g0;
        else
            s1w += g1;
        for (size_t t = end - 1; t-- > first;) {
            const double ft = f[t], fbt = fb[t];
            const double m1 = ft * (1.0 - F) + fbt * L, q1 = fbt * (1.0 - L) + ft * F;
            const double r1 = m1 > 0 ? g1 / m1 : 0.0, r0 = q1 > 0 ? g0 / q1 : 0.0;
            const double x00 = fbt * (1.0 - L) * r0, x01 = fbt * L * r1;
            const double x10 = ft * F * r0, x11 = ft * (1.0 - F) * r1;
            g0 = x00 + x01;
            g1 = x10 + x11;
            from0 += g0;
            to1 += x01;
            from1 += g1;
            to0 += x10;
            s0 += g0;
            s1 += g1;
            if (o[t])
                s0c += g0;
            else
                s1w += g1;
        }
        const double w = d->weight[k];
        ll += w * llk;
        a.init1 += w * g1;
        a.from0 += w * from0;
        a.to1 += w * to1;
        a.from1 += w * from1;
        a.to0 += w * to0;
        a.g0 += w * s0;
        a.g0_correct += w * s0c;
        a.g1 += w * s1;
        a.g1_wrong += w * s1w;
    }
    *out = a;
    return ll;
}

static void m_step(const skill_data *d, const em_counts *a, bool forget, slds_bkt_params *p)
{
    p->p_init = clamp_p(a->init1 / d->total_weight);
    if (a->from0 > 0)
        p->p_learn = clamp_p(a->to1 / a->from0);
    if (forget && a->from1 > 0)
        p->p_forget = clamp_p(a->to0 / a->from1);
    if (a->g0 > 0)
        p->p_guess = clamp_p(a->g0_correct / a->g0);
    if (a->g1 > 0)
        p->p_slip = clamp_p(a->g1_wrong / a->g1);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state, double lo, double hi)
{
    return lo + (hi - lo) * (double)(splitmix64(state) >> 11) * 0x1.0p-53;
}

/* Starting point of run r: run 0 a fixed, typical one; the others drawn. */
static slds_bkt_params start_point(const slds_bkt_fit_options *o, uint64_t skill_key, int r)
{
    slds_bkt_params p = {0.4, 0.15, 0.2, 0.1, o->forget ? 0.05 : 0.0};
    if (r == 0)
        return p;
    uint64_t st = o->seed ^ (skill_key * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)r << 48);
    p.p_init = uniform(&st, 0.05, 0.95);
    p.p_learn = uniform(&st, 0.02, 0.5);
    p.p_guess = uniform(&st, 0.02, 0.45);
    p.p_slip = uniform(&st, 0.02, 0.45);
    p.p_forget = o->forget ? uniform(&st, 0.005, 0.2) : 0.0;
    return p;
}

/* One EM run from p (updated in place); returns the log-likelihood at the
 * final p. f, fb: workspace of d->rows doubles each. */
static double em_run(const skill_data *d, const slds_bkt_fit_options *o, slds_bkt_params *p,
                     double *f, double *fb, int *iterations)
{
    em_counts a;
    double ll = e_step(d, p, f, fb, &a), prev = -INFINITY;
    int it = 0;
    /* tol is per standard, scaled to its size so that a large standard does
     * not iterate for digits that do not matter (gain below tol per 1000 rows). */
    double tol = o->tol * ((double)d->responses / 1000.0 > 1.0 ? (double)d->responses / 1000.0 : 1.0);
    while (it < o->max_iter && ll - prev > tol) {
        slds_bkt_params q = *p;
        m_step(d, &a, o->forget, &q);
        em_counts b;
        double next = e_step(d, &q, f, fb, &b);
        it++;
        if (!(next >= ll - 1e-9 * fabs(ll))) /* EM never goes down; a drop is rounding */
            break;
        prev = ll;
        ll = next;
        *p = q;
        a = b;
    }
    *iterations = it;
    return ll;
}

static int fit_skill_runs(const skill_data *d, const slds_bkt_fit_options *o, uint64_t skill_key,
                          int r, slds_bkt_fit *out, slds_error *err)
{
    double *f = malloc((d->rows ? d->rows : 1) * sizeof *f);
    double *fb = malloc((d->rows ? d->rows : 1) * sizeof *fb);
    if (!f || !fb) {
        free(f);
        free(fb);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory (EM workspace)");
    }
    slds_bkt_params p = start_point(o, skill_key, r);
    int it = 0;
    double ll = em_run(d, o, &p, f, fb, &it);
    free(f);
    free(fb);
    out->params = p;
    out->log_likelihood = ll;
    out->iterations = it;
    out->restart = r;
    out->responses = d->responses;
    out->sequences = d->sequences;
    out->distinct = d->n_seq;
    return SLDS_OK;
}

/* The better of two runs: higher likelihood; on a tie, the earlier run. */
static bool better(const slds_bkt_fit *a, const slds_bkt_fit *b)
{
    if (isnan(b->log_likelihood))
        return true;
    return a->log_likelihood > b->log_likelihood ||
           (a->log_likelihood == b->log_likelihood && a->restart < b->restart);
}

int slds_bkt_fit_one(const uint8_t *obs, const size_t *start, size_t n_seq,
                     const slds_bkt_fit_options *o, uint64_t skill_key, slds_bkt_fit *out,
                     slds_error *err)
{
    if (!n_seq)
        return slds_fail(err, SLDS_ERR_USAGE, "mastery: no response sequence to fit");
    skill_data d;
    int rc = skill_data_build(&d, obs, start, n_seq, err);
    if (rc)
        return rc;
    slds_bkt_fit best = {.log_likelihood = NAN};
    for (int r = 0; r < (o->restarts > 0 ? o->restarts : 1) && !rc; r++) {
        slds_bkt_fit run;
        rc = fit_skill_runs(&d, o, skill_key, r, &run, err);
        if (!rc && better(&run, &best))
            best = run;
    }
    skill_data_free(&d);
    if (!rc)
        *out = best;
    return rc;
}

/* --------------------------------------------------------------- corpus */

int slds_bkt_corpus_new(slds_bkt_corpus **out, const uint32_t *skill, const uint32_t *student,
                        const uint8_t *correct, size_t n, uint32_t n_skills, uint32_t n_students,
                        slds_error *err)
{
    *out = NULL;
    if (n > UINT32_MAX)
        return slds_fail(err, SLDS_ERR_USAGE, "mastery: more than 2^32 responses");
    slds_bkt_corpus *c = calloc(1, sizeof *c);
    size_t *count = calloc((size_t)(n_students > n_skills ? n_students : n_skills) + 1,
                           sizeof *count);
    uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (c) {
        c->row = malloc((n ? n : 1) * sizeof *c->row);
        c->obs = malloc(n ? n : 1);
        c->skill_seq = calloc((size_t)n_skills + 1, sizeof *c->skill_seq);
    }
    if (!c || !count || !tmp || !c->row || !c->obs || !c->skill_seq) {
        free(count);
        free(tmp);
        slds_bkt_corpus_free(c);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory (%zu responses)", n);
    }
    c->n_skills = n_skills;
    c->n = n;
    /* Two stable counting sorts: by student, then by skill, so rows end up
     * by skill, then student, in their given order within each. */
    bool by_student = true; /* rows read in student order need no first pass */
    for (size_t i = 1; i < n && by_student; i++)
        by_student = student[i - 1] <= student[i];
    if (by_student) {
        for (size_t i = 0; i < n; i++)
            tmp[i] = (uint32_t)i;
    } else {
        for (size_t i = 0; i < n; i++)
            count[student[i] + 1]++;
        for (uint32_t s = 0; s < n_students; s++)
            count[s + 1] += count[s];
        for (size_t i = 0; i < n; i++)
            tmp[count[student[i]]++] = (uint32_t)i;
    }
    memset(count, 0, ((size_t)(n_students > n_skills ? n_students : n_skills) + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[skill[i] + 1]++;
    for (uint32_t k = 0; k < n_skills; k++)
        count[k + 1] += count[k];
    for (size_t j = 0; j < n; j++) {
        uint32_t i = tmp[j];
        c->row[count[skill[i]]++] = i;
    }
    free(tmp);
    free(count);
    /* Sequences: a new one where the skill or the student changes. */
    size_t n_seq = 0;
    for (size_t j = 0; j < n; j++) {
        uint32_t i = c->row[j];
        c->obs[j] = correct[i] ? 1 : 0;
        if (j == 0 || skill[i] != skill[c->row[j - 1]] || student[i] != student[c->row[j - 1]])
            n_seq++;
    }
    c->seq_start = malloc((n_seq + 1) * sizeof *c->seq_start);
    if (!c->seq_start) {
        slds_bkt_corpus_free(c);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory (%zu sequences)", n_seq);
    }
    size_t q = 0;
    for (size_t j = 0; j < n; j++) {
        uint32_t i = c->row[j];
        if (j == 0 || skill[i] != skill[c->row[j - 1]] || student[i] != student[c->row[j - 1]]) {
            c->skill_seq[skill[i] + 1]++;
            c->seq_start[q++] = j;
        }
    }
    for (uint32_t k = 0; k < n_skills; k++)
        c->skill_seq[k + 1] += c->skill_seq[k];
    c->seq_start[q] = n;
    c->n_seq = q;
    *out = c;
    return SLDS_OK;
}

void slds_bkt_corpus_free(slds_bkt_corpus *c)
{
    if (!c)
        return;
    free(c->row);
    free(c->obs);
    free(c->seq_start);
    free(c->skill_seq);
    free(c);
}

uint32_t slds_bkt_corpus_skills(const slds_bkt_corpus *c)
{
    return c->n_skills;
}

size_t slds_bkt_corpus_skill_rows(const slds_bkt_corpus *c, uint32_t k)
{
    return c->seq_start[c->skill_seq[k + 1]] - c->seq_start[c->skill_seq[k]];
}

void slds_bkt_corpus_predict(const slds_bkt_corpus *c, const slds_bkt_params *params,
                             const bool *have, double *pred)
{
    for (uint32_t k = 0; k < c->n_skills; k++) {
        for (size_t q = c->skill_seq[k]; q < c->skill_seq[k + 1]; q++) {
            if (!have[k]) {
                for (size_t j = c->seq_start[q]; j < c->seq_start[q + 1]; j++)
                    pred[c->row[j]] = NAN;
                continue;
            }
            slds_bkt_state s = slds_bkt_start(&params[k]);
            for (size_t j = c->seq_start[q]; j < c->seq_start[q + 1]; j++) {
                pred[c->row[j]] = slds_bkt_state_predict(&params[k], s);
                s = slds_bkt_step(&params[k], s, c->obs[j]);
            }
        }
    }
}

/* ------------------------------------------------ fitting every skill */

typedef struct fit_all_ctx {
    const slds_bkt_corpus *c;
    const slds_bkt_fit_options *o;
    uint32_t *order;     /* skills with rows, largest first */
    uint32_t n_order;
    skill_data *data;    /* per skill */
    slds_bkt_fit *runs;  /* per (order index, restart) */
    int restarts;
} fit_all_ctx;

static int build_task(void *vctx, int i, int threads, slds_error *err)
{
    (void)threads;
    fit_all_ctx *x = vctx;
    uint32_t k = x->order[i];
    const slds_bkt_corpus *c = x->c;
    size_t q0 = c->skill_seq[k], q1 = c->skill_seq[k + 1];
    return skill_data_build(&x->data[k], c->obs, c->seq_start + q0, q1 - q0, err);
}

static int run_task(void *vctx, int i, int threads, slds_error *err)
{
    (void)threads;
    fit_all_ctx *x = vctx;
    int oi = i / x->restarts, r = i % x->restarts;
    uint32_t k = x->order[oi];
    return fit_skill_runs(&x->data[k], x->o, k, r, &x->runs[i], err);
}

int slds_bkt_fit_all(const slds_bkt_corpus *c, const slds_bkt_fit_options *o, slds_bkt_fit *fits,
                     const slds_progress *progress, slds_error *err)
{
    fit_all_ctx x = {.c = c, .o = o, .restarts = o->restarts > 0 ? o->restarts : 1};
    memset(fits, 0, c->n_skills * sizeof *fits);
    x.order = malloc((c->n_skills ? c->n_skills : 1) * sizeof *x.order);
    x.data = calloc(c->n_skills ? c->n_skills : 1, sizeof *x.data);
    if (!x.order || !x.data) {
        free(x.order);
        free(x.data);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    }
    for (uint32_t k = 0; k < c->n_skills; k++)
        if (slds_bkt_corpus_skill_rows(c, k))
            x.order[x.n_order++] = k;
    {
        size_t *key = malloc((x.n_order ? x.n_order : 1) * sizeof *key);
        if (!key) {
            free(x.order);
            free(x.data);
            return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
        }
        for (uint32_t i = 0; i < x.n_order; i++)
            key[i] = slds_bkt_corpus_skill_rows(c, x.order[i]);
        /* shell sort by rows descending, skill ascending (few hundred skills) */
        for (uint32_t gap = x.n_order / 2; gap > 0; gap /= 2)
            for (uint32_t i = gap; i < x.n_order; i++)
                for (uint32_t j = i; j >= gap; j -= gap) {
                    bool swap = key[j - gap] < key[j] ||
                                (key[j - gap] == key[j] && x.order[j - gap] > x.order[j]);
                    if (!swap)
                        break;
                    size_t tk = key[j];
                    key[j] = key[j - gap];
                    key[j - gap] = tk;
                    uint32_t to = x.order[j];
                    x.order[j] = x.order[j - gap];
                    x.order[j - gap] = to;
                }
        free(key);
    }
    int threads = o->threads > 0 ? o->threads : slds_cpu_count();
    int rc = slds_parallel_for((int)x.n_order, threads, build_task, &x, NULL, NULL, err);
    size_t n_runs = (size_t)x.n_order * (size_t)x.restarts;
    x.runs = calloc(n_runs ? n_runs : 1, sizeof *x.runs);
    if (!rc && !x.runs)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    if (!rc)
        rc = slds_parallel_for((int)n_runs, threads, run_task, &x, progress, "fitting standards", err);
    for (uint32_t oi = 0; !rc && oi < x.n_order; oi++) {
        slds_bkt_fit best = {.log_likelihood = NAN};
        for (int r = 0; r < x.restarts; r++)
            if (better(&x.runs[(size_t)oi * (size_t)x.restarts + (size_t)r], &best))
                best = x.runs[(size_t)oi * (size_t)x.restarts + (size_t)r];
        fits[x.order[oi]] = best;
    }
    for (uint32_t k = 0; k < c->n_skills; k++)
        skill_data_free(&x.data[k]);
    free(x.data);
    free(x.runs);
    free(x.order);
    return rc;
}
