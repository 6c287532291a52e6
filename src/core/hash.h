/* hash.h - the two hash tables the loader's cross-file checks are built on:
 *
 *  slds_intern  strings -> dense ids 0, 1, 2 … (ids, codes), strings kept in
 *               one growing pool, so a million student ids cost about their
 *               bytes plus 12 bytes each;
 *  slds_map64   64-bit keys -> 32-bit values (composite keys such as
 *               (student, school, year) packed into one integer).
 *
 * Both are open-addressing tables with linear probing; neither deletes. */
#ifndef SLDS_CORE_HASH_H
#define SLDS_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLDS_NO_ID UINT32_MAX

typedef struct slds_intern {
    uint32_t *slots;      /* id + 1 per slot, 0 = empty */
    uint32_t nslots;      /* power of two */
    uint32_t count;
    uint64_t *offsets;    /* start of string id in pool */
    uint32_t *hashes;     /* hash of string id (for rehash) */
    uint32_t cap;
    char *pool;
    size_t pool_len, pool_cap;
} slds_intern;

/* Returns the id of s (len bytes), adding it if new (SLDS_NO_ID when out of memory). */
uint32_t slds_intern_add(slds_intern *t, const char *s, size_t len);
/* Returns the id of s or SLDS_NO_ID when absent. */
uint32_t slds_intern_find(const slds_intern *t, const char *s, size_t len);
/* The NUL-terminated string of id (borrowed; valid until the next add). */
const char *slds_intern_str(const slds_intern *t, uint32_t id);
void slds_intern_free(slds_intern *t);

typedef struct slds_map64 {
    uint64_t *keys;
    uint32_t *values;
    uint8_t *used;
    uint64_t nslots;
    uint64_t count;
} slds_map64;

/* Sets key to value (replacing). Returns false when out of memory. */
bool slds_map64_put(slds_map64 *m, uint64_t key, uint32_t value);
/* Looks key up: true and *value when present. value may be NULL. */
bool slds_map64_get(const slds_map64 *m, uint64_t key, uint32_t *value);
void slds_map64_free(slds_map64 *m);

uint64_t slds_hash_bytes(const void *data, size_t len);

#endif
