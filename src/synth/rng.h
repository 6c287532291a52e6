/* rng.h - the generator's own pseudo-random numbers: xoshiro256** seeded
 * through splitmix64, with the few distributions the model needs. Never
 * rand() or the clock, so the same seed gives the same state everywhere.
 *
 * Streams: every part of the model draws from its own stream, derived from
 * (seed, purpose, index), so changing how one file is generated does not
 * shift the numbers another file sees. */
#ifndef SLDS_SYNTH_RNG_H
#define SLDS_SYNTH_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct synth_rng {
    uint64_t s[4];
} synth_rng;

/* One step of splitmix64 (advances *state). */
uint64_t synth_splitmix64(uint64_t *state);
/* A strong 64-bit mix of several words (for per-entity decisions). */
uint64_t synth_hash(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* Seeds a stream for (seed, purpose, index). */
void synth_rng_seed(synth_rng *r, uint64_t seed, uint64_t purpose, uint64_t index);

static inline uint64_t synth_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits (xoshiro256**). */
static inline uint64_t synth_next(synth_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = synth_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = synth_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double synth_uniform(synth_rng *r)
{
    return (double)(synth_next(r) >> 11) * 0x1.0p-53;
}

/* True with probability p. */
static inline bool synth_chance(synth_rng *r, double p)
{
    return synth_uniform(r) < p;
}

/* Uniform integer in [0, n) without modulo bias (Lemire); n > 0. */
uint32_t synth_below(synth_rng *r, uint32_t n);
/* Uniform integer in [lo, hi]. */
int synth_range(synth_rng *r, int lo, int hi);
/* Standard normal (Marsaglia's polar method; no cached spare, so every call
 * consumes its own draws and streams stay easy to reason about). */
double synth_normal(synth_rng *r);
/* Poisson with small mean (Knuth's product method; fine for mean < 30). */
int synth_poisson(synth_rng *r, double mean);
/* Index drawn from n cumulative weights (cum[n-1] is the total). */
uint32_t synth_pick_cumulative(synth_rng *r, const double *cum, uint32_t n);

/* A bijection of [0, 10^9) keyed by seed (Feistel network with cycle walking),
 * used to turn a sequence number into a scrambled statewide id. */
uint32_t synth_permute_billion(uint64_t key, uint32_t x);

#endif
