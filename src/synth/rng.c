/* rng.c - seeding, distributions and the keyed permutation of rng.h. */
#include "synth/rng.h"

#include <math.h>

uint64_t synth_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t synth_hash(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t state = a;
    uint64_t h = synth_splitmix64(&state);
    state = h ^ b;
    h = synth_splitmix64(&state);
    state = h ^ c;
    h = synth_splitmix64(&state);
    state = h ^ d;
    return synth_splitmix64(&state);
}

void synth_rng_seed(synth_rng *r, uint64_t seed, uint64_t purpose, uint64_t index)
{
    uint64_t state = synth_hash(seed, purpose, index, 0x5EED5EED5EED5EEDull);
    for (int i = 0; i < 4; i++)
        r->s[i] = synth_splitmix64(&state);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* xoshiro must not start from all zeros */
}

uint32_t synth_below(synth_rng *r, uint32_t n)
{
    uint64_t m = (uint64_t)(uint32_t)(synth_next(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(synth_next(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

int synth_range(synth_rng *r, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int)synth_below(r, (uint32_t)(hi - lo + 1));
}

double synth_normal(synth_rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * synth_uniform(r) - 1.0;
        v = 2.0 * synth_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

int synth_poisson(synth_rng *r, double mean)
{
    if (mean <= 0)
        return 0;
    double limit = exp(-mean), product = synth_uniform(r);
    int k = 0;
    while (product > limit && k < 1000) {
        product *= synth_uniform(r);
        k++;
    }
    return k;
}

uint32_t synth_pick_cumulative(synth_rng *r, const double *cum, uint32_t n)
{
    double x = synth_uniform(r) * cum[n - 1];
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Four Feistel rounds over 30 bits (two 15-bit halves). */
static uint32_t feistel30(uint64_t key, uint32_t x)
{
    uint32_t left = x >> 15, right = x & 0x7FFF;
    for (uint64_t round = 0; round < 4; round++) {
        uint32_t f = (uint32_t)(synth_hash(key, round, right, 0) & 0x7FFF);
        uint32_t next = left ^ f;
        left = right;
        right = next;
    }
    return (left << 15) | right;
}

uint32_t synth_permute_billion(uint64_t key, uint32_t x)
{
    /* Cycle walking: 2^30 > 10^9, so re-apply until the value is in range;
     * the result is a permutation of [0, 10^9) because feistel30 is one of
     * [0, 2^30). */
    do
        x = feistel30(key, x);
    while (x >= 1000000000u);
    return x;
}
