/* ident.c - opaque statewide ids, identity match keys, and the id generator
 * kept in the database's meta table (see ident.h). */
#include "ident/ident.h"

#include <errno.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOMAIN 1000000000ull /* 9 digits */
#define HALF_BITS 15         /* Feistel over 2^30 >= 10^9, cycle-walking into the domain */
#define HALF_MASK ((1u << HALF_BITS) - 1)
#define ROUNDS 6

int slds_id_generator_init_random(slds_id_generator *g, slds_error *err)
{
    if (sodium_init() < 0)
        return slds_fail(err, SLDS_ERR_IO, "cannot initialise libsodium's random generator");
    randombytes_buf(g->key, sizeof g->key);
    g->next = 0;
    return SLDS_OK;
}

static uint32_t round_function(const slds_id_generator *g, int round, uint32_t half)
{
    unsigned char msg[8] = {(unsigned char)round, (unsigned char)(half >> 24),
                            (unsigned char)(half >> 16), (unsigned char)(half >> 8),
                            (unsigned char)half, 'S', 'L', 'D'};
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, msg, sizeof msg, g->key);
    return ((uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16) & HALF_MASK;
}

static uint64_t feistel(const slds_id_generator *g, uint64_t x)
{
    uint32_t left = (uint32_t)(x >> HALF_BITS) & HALF_MASK, right = (uint32_t)x & HALF_MASK;
    for (int r = 0; r < ROUNDS; r++) {
        uint32_t next = left ^ round_function(g, r, right);
        left = right;
        right = next;
    }
    return (uint64_t)left << HALF_BITS | right;
}

/* Damm-free, simple Luhn check digit over the 9 digits. */
static int luhn_digit(const char *digits, int n)
{
    int sum = 0;
    for (int i = n - 1, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int d = digits[i] - '0';
        if (dbl) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (10 - sum % 10) % 10;
}

void slds_id_for_counter(const slds_id_generator *g, uint64_t n, char out[SLDS_STUDENT_ID_LEN + 1])
{
    uint64_t x = n % DOMAIN;
    do /* cycle-walking: a permutation of 2^30 restricted to [0, 10^9) stays a permutation */
        x = feistel(g, x);
    while (x >= DOMAIN);
    char digits[16];
    snprintf(digits, sizeof digits, "%09llu", (unsigned long long)x);
    memcpy(out, digits, 9);
    out[9] = (char)('0' + luhn_digit(digits, 9));
    out[10] = '\0';
}

int slds_id_check_digit_ok(const char *s, size_t len)
{
    if (len != SLDS_STUDENT_ID_LEN)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[9] - '0' == luhn_digit(s, 9);
}

static size_t append_normalized(const char *s, char *out, size_t w, size_t size)
{
    int pending_space = 0;
    for (; *s; s++) {
        char c = *s;
        /* '|' separates the key's parts, so in a name it folds like a space:
         * else last "A|B" + first "C" and last "A" + first "B|C" had one key. */
        if (c == ' ' || c == '-' || c == '.' || c == '\'' || c == '\t' || c == '|') {
            pending_space = 1;
            continue;
        }
        if (pending_space && w > 0 && out[w - 1] != '|' && w + 1 < size)
            out[w++] = ' ';
        pending_space = 0;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (w + 1 < size)
            out[w++] = c;
    }
    return w;
}

size_t slds_ident_match_key(const char *first, const char *last, const char *birth_date,
                            const char *sex, char *out, size_t size)
{
    size_t w = 0;
    if (size == 0)
        return 0;
    w = append_normalized(last, out, w, size);
    if (w + 1 < size)
        out[w++] = '|';
    w = append_normalized(first, out, w, size);
    int n = snprintf(out + w, size - w, "|%s|%s", birth_date, sex);
    if (n > 0)
        w += (size_t)n < size - w ? (size_t)n : size - w - 1;
    out[w] = '\0';
    return w;
}

void slds_id_generator_encode(const slds_id_generator *g, char *out, size_t size)
{
    char hex[SLDS_IDENT_KEY_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, g->key, sizeof g->key);
    snprintf(out, size, "%s:%llu", hex, (unsigned long long)g->next);
}

int slds_id_generator_decode(slds_id_generator *g, const char *s, slds_error *err)
{
    const char *colon = strchr(s, ':');
    size_t bin_len = 0;
    if (!colon || (size_t)(colon - s) != SLDS_IDENT_KEY_BYTES * 2 ||
        sodium_hex2bin(g->key, sizeof g->key, s, (size_t)(colon - s), NULL, &bin_len, NULL) != 0 ||
        bin_len != SLDS_IDENT_KEY_BYTES)
        return slds_fail(err, SLDS_ERR_DB, "the database's id generator setting is corrupt");
    /* The counter must be a whole decimal number: a corrupt one read as 0
     * would hand out the first ids again. */
    const char *digits = colon + 1;
    char *end;
    errno = 0;
    unsigned long long next = strtoull(digits, &end, 10);
    if (*digits < '0' || *digits > '9' || *end != '\0' || errno == ERANGE)
        return slds_fail(err, SLDS_ERR_DB, "the database's id generator setting is corrupt");
    g->next = next;
    return SLDS_OK;
}

/* ---- the generator kept in the database (meta "id_generator") ---------- */

#define GENERATOR_KEY "id_generator"

/* Writes a fresh key unless the database has one; the stored one wins. */
static int write_new_key(slds_store *store, slds_error *err)
{
    slds_id_generator g;
    int rc = slds_id_generator_init_random(&g, err);
    if (rc)
        return rc;
    char enc[128];
    slds_id_generator_encode(&g, enc, sizeof enc);
    return slds_store_meta_set_once(store, GENERATOR_KEY, enc, err);
}

int slds_ident_key_ensure(slds_store *store, slds_error *err)
{
    char buf[128];
    int rc = slds_store_meta_get(store, GENERATOR_KEY, buf, sizeof buf, err);
    if (rc != SLDS_ERR_NOTFOUND)
        return rc; /* has one (or a database error) */
    bool own = sqlite3_get_autocommit(store->db);
    if (own && (rc = slds_store_begin(store, err)))
        return rc;
    rc = write_new_key(store, err);
    if (own) {
        if (!rc)
            rc = slds_store_commit(store, err);
        if (rc)
            slds_store_rollback(store);
    }
    return rc;
}

int slds_ident_generator_load(slds_store *store, slds_id_generator *g, slds_error *err)
{
    char buf[128];
    int rc = slds_store_meta_get(store, GENERATOR_KEY, buf, sizeof buf, err);
    if (rc == SLDS_ERR_NOTFOUND) {
        rc = write_new_key(store, err);
        if (!rc)
            rc = slds_store_meta_get(store, GENERATOR_KEY, buf, sizeof buf, err);
    }
    return rc ? rc : slds_id_generator_decode(g, buf, err);
}

int slds_ident_generator_save(slds_store *store, const slds_id_generator *g, slds_error *err)
{
    char enc[128];
    slds_id_generator_encode(g, enc, sizeof enc);
    return slds_store_meta_set(store, GENERATOR_KEY, enc, err);
}
