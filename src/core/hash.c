/* hash.c - string interning and 64-bit maps for the loader (see hash.h). */
#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

uint64_t slds_hash_bytes(const void *data, size_t len)
{
    /* FNV-1a, finished with a 64-bit mixer so low bits are well spread. */
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static bool intern_grow_slots(slds_intern *t)
{
    uint32_t n = t->nslots ? t->nslots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return false;
    for (uint32_t id = 0; id < t->count; id++) {
        uint32_t i = t->hashes[id] & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return true;
}

const char *slds_intern_str(const slds_intern *t, uint32_t id)
{
    return t->pool + t->offsets[id];
}

/* Byte length of string id: the pool holds the strings back to back, each
 * followed by its NUL. */
static size_t intern_len(const slds_intern *t, uint32_t id)
{
    uint64_t end = id + 1 < t->count ? t->offsets[id + 1] : t->pool_len;
    return (size_t)(end - t->offsets[id] - 1);
}

uint32_t slds_intern_find(const slds_intern *t, const char *s, size_t len)
{
    if (!t->nslots)
        return SLDS_NO_ID;
    uint32_t h = (uint32_t)slds_hash_bytes(s, len);
    for (uint32_t i = h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
        uint32_t slot = t->slots[i];
        if (!slot)
            return SLDS_NO_ID;
        uint32_t id = slot - 1;
        /* Lengths first: memcmp over len bytes of a shorter stored string
         * would read past it (and past the pool when it is the last one). */
        if (t->hashes[id] == h && intern_len(t, id) == len &&
            !memcmp(t->pool + t->offsets[id], s, len))
            return id;
    }
}

uint32_t slds_intern_add(slds_intern *t, const char *s, size_t len)
{
    uint32_t found = slds_intern_find(t, s, len);
    if (found != SLDS_NO_ID)
        return found;
    if ((uint64_t)(t->count + 1) * 2 > t->nslots && !intern_grow_slots(t))
        return SLDS_NO_ID;
    if (t->count == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 1024;
        uint64_t *o = realloc(t->offsets, cap * sizeof *o);
        if (!o)
            return SLDS_NO_ID;
        t->offsets = o;
        uint32_t *h = realloc(t->hashes, cap * sizeof *h);
        if (!h)
            return SLDS_NO_ID;
        t->hashes = h;
        t->cap = cap;
    }
    if (t->pool_len + len + 1 > t->pool_cap) {
        size_t cap = t->pool_cap ? t->pool_cap : 16384;
        while (cap < t->pool_len + len + 1)
            cap *= 2;
        char *p = realloc(t->pool, cap);
        if (!p)
            return SLDS_NO_ID;
        t->pool = p;
        t->pool_cap = cap;
    }
    uint32_t id = t->count++;
    t->offsets[id] = t->pool_len;
    memcpy(t->pool + t->pool_len, s, len);
    t->pool[t->pool_len + len] = '\0';
    t->pool_len += len + 1;
    uint32_t h = (uint32_t)slds_hash_bytes(s, len);
    t->hashes[id] = h;
    uint32_t i = h & (t->nslots - 1);
    while (t->slots[i])
        i = (i + 1) & (t->nslots - 1);
    t->slots[i] = id + 1;
    return id;
}

void slds_intern_free(slds_intern *t)
{
    free(t->slots);
    free(t->offsets);
    free(t->hashes);
    free(t->pool);
    memset(t, 0, sizeof *t);
}

static bool map_grow(slds_map64 *m)
{
    uint64_t n = m->nslots ? m->nslots * 2 : 1024;
    uint64_t *keys = malloc(n * sizeof *keys);
    uint32_t *values = malloc(n * sizeof *values);
    uint8_t *used = calloc(n, 1);
    if (!keys || !values || !used) {
        free(keys);
        free(values);
        free(used);
        return false;
    }
    for (uint64_t i = 0; i < m->nslots; i++) {
        if (!m->used[i])
            continue;
        uint64_t j = mix64(m->keys[i]) & (n - 1);
        while (used[j])
            j = (j + 1) & (n - 1);
        used[j] = 1;
        keys[j] = m->keys[i];
        values[j] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    free(m->used);
    m->keys = keys;
    m->values = values;
    m->used = used;
    m->nslots = n;
    return true;
}

bool slds_map64_put(slds_map64 *m, uint64_t key, uint32_t value)
{
    if ((m->count + 1) * 2 > m->nslots && !map_grow(m))
        return false;
    uint64_t i = mix64(key) & (m->nslots - 1);
    while (m->used[i]) {
        if (m->keys[i] == key) {
            m->values[i] = value;
            return true;
        }
        i = (i + 1) & (m->nslots - 1);
    }
    m->used[i] = 1;
    m->keys[i] = key;
    m->values[i] = value;
    m->count++;
    return true;
}

bool slds_map64_get(const slds_map64 *m, uint64_t key, uint32_t *value)
{
    if (!m->nslots)
        return false;
    for (uint64_t i = mix64(key) & (m->nslots - 1); m->used[i]; i = (i + 1) & (m->nslots - 1))
        if (m->keys[i] == key) {
            if (value)
                *value = m->values[i];
            return true;
        }
    return false;
}

void slds_map64_free(slds_map64 *m)
{
    free(m->keys);
    free(m->values);
    free(m->used);
    memset(m, 0, sizeof *m);
}
