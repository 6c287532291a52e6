/* test_hash.c - unit tests of the loader's hash tables (src/core/hash.c):
 * slds_intern (strings -> dense ids) and slds_map64 (64-bit keys -> values),
 * each across many rounds of growth, with edge keys and hash collisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/hash.h"

/* ---- slds_hash_bytes ------------------------------------------------------ */

static void test_hash_bytes(void **state)
{
    (void)state;
    /* FNV-1a then the 64-bit finisher, computed independently (Python). */
    assert_true(slds_hash_bytes("", 0) == 0xe36f5519ee926a53ull);
    assert_true(slds_hash_bytes("a", 1) == 0x6cd53dd3a3028c95ull);
    assert_true(slds_hash_bytes("ab", 1) == slds_hash_bytes("a", 1)); /* only len bytes */
    assert_true(slds_hash_bytes("ab", 2) != slds_hash_bytes("ba", 2));
}

/* ---- slds_intern ------------------------------------------------------------ */

static void test_intern_basics(void **state)
{
    (void)state;
    slds_intern t = {0};
    assert_int_equal(slds_intern_find(&t, "a", 1), SLDS_NO_ID); /* empty table */
    assert_int_equal(slds_intern_add(&t, "a", 1), 0);
    assert_int_equal(slds_intern_add(&t, "ab", 2), 1);
    assert_int_equal(slds_intern_add(&t, "abc", 3), 2);
    assert_int_equal(slds_intern_add(&t, "", 0), 3); /* the empty string is a string */
    assert_int_equal(slds_intern_add(&t, "a", 1), 0);
    assert_int_equal(slds_intern_add(&t, "abc", 3), 2);
    assert_int_equal(t.count, 4);
    assert_int_equal(slds_intern_find(&t, "ab", 2), 1);
    assert_int_equal(slds_intern_find(&t, "", 0), 3);
    assert_int_equal(slds_intern_find(&t, "abcd", 4), SLDS_NO_ID);
    assert_int_equal(slds_intern_find(&t, "b", 1), SLDS_NO_ID);
    /* Input need not be NUL-terminated: len bytes are taken. */
    assert_int_equal(slds_intern_add(&t, "hello world", 5), 4);
    assert_int_equal(slds_intern_find(&t, "hello", 5), 4);
    assert_int_equal(slds_intern_find(&t, "hello world", 11), SLDS_NO_ID);
    assert_string_equal(slds_intern_str(&t, 0), "a");
    assert_string_equal(slds_intern_str(&t, 2), "abc");
    assert_string_equal(slds_intern_str(&t, 3), "");
    assert_string_equal(slds_intern_str(&t, 4), "hello");
    slds_intern_free(&t);
    assert_int_equal(t.count, 0);
    assert_null(t.pool);
    /* Usable again after free. */
    assert_int_equal(slds_intern_add(&t, "z", 1), 0);
    slds_intern_free(&t);
}

/* A million strings: the slot table doubles from 1024 to 2^21, the id arrays
 * from 1024 to 2^20 and the pool from 16 KiB to 16 MiB; every id stays. */
static void test_intern_growth(void **state)
{
    (void)state;
    const uint32_t n = 1000000;
    slds_intern t = {0};
    char s[32];
    for (uint32_t i = 0; i < n; i++) {
        int len = snprintf(s, sizeof s, "student-%u", i * 7919u);
        uint32_t id = slds_intern_add(&t, s, (size_t)len);
        if (id != i)
            fail_msg("string %u got id %u", i, id);
    }
    assert_int_equal(t.count, n);
    assert_int_equal(t.nslots, 1u << 21); /* kept at most half full */
    for (uint32_t i = 0; i < n; i++) {
        int len = snprintf(s, sizeof s, "student-%u", i * 7919u);
        if (slds_intern_find(&t, s, (size_t)len) != i)
            fail_msg("string %u not found", i);
        if (strcmp(slds_intern_str(&t, i), s))
            fail_msg("id %u is '%s', expected '%s'", i, slds_intern_str(&t, i), s);
        if (i % 10 == 0 && slds_intern_add(&t, s, (size_t)len) != i)
            fail_msg("re-adding string %u gave a new id", i);
    }
    assert_int_equal(t.count, n);
    /* Near misses are absent: a multiple of 7919 plus one, a prefix, a suffix. */
    assert_int_equal(slds_intern_find(&t, "student-1", 9), SLDS_NO_ID);
    assert_int_equal(slds_intern_find(&t, "student-", 8), SLDS_NO_ID);
    assert_int_equal(slds_intern_find(&t, "student-79191", 13), SLDS_NO_ID);
    assert_int_equal(slds_intern_find(&t, "student-7919", 12), 1);
    slds_intern_free(&t);
}

/* "a167933" and the 47-byte string below have the same 32-bit hash (found by
 * a birthday search). The short one is placed last in the pool, ending
 * exactly at the pool's 16384-byte allocation; looking up the long one must
 * compare lengths first, not read 47 bytes from the short one (which went
 * past the pool: AddressSanitizer reports it). */
static void test_intern_hash_collision(void **state)
{
    (void)state;
    static const char a[] = "a167933";
    static const char b[] = "long-string-that-collides-with-a-short-one-5610";
    assert_int_equal((uint32_t)slds_hash_bytes(a, sizeof a - 1), (uint32_t)slds_hash_bytes(b, sizeof b - 1));
    assert_int_equal((uint32_t)slds_hash_bytes(a, sizeof a - 1), 0x30350dae);
    slds_intern t = {0};
    /* Fill the pool to 16384 - 8 bytes with 9-byte strings "f0000000\0"... */
    const size_t room = 16384 - sizeof a;
    size_t used = 0;
    uint32_t k = 0;
    char s[32];
    while (room - used >= 18) {
        snprintf(s, sizeof s, "f%07u", k++);
        assert_int_not_equal(slds_intern_add(&t, s, 8), SLDS_NO_ID);
        used += 9;
    }
    /* ...and one last filler of the exact remaining length. */
    size_t last = room - used - 1;
    memset(s, 'g', last);
    assert_int_not_equal(slds_intern_add(&t, s, last), SLDS_NO_ID);
    uint32_t ida = slds_intern_add(&t, a, sizeof a - 1);
    assert_int_equal(t.pool_len, 16384);
    assert_int_equal(t.pool_cap, 16384);
    assert_int_equal(slds_intern_find(&t, b, sizeof b - 1), SLDS_NO_ID);
    uint32_t idb = slds_intern_add(&t, b, sizeof b - 1);
    assert_int_not_equal(idb, ida);
    assert_int_equal(slds_intern_find(&t, a, sizeof a - 1), ida);
    assert_int_equal(slds_intern_find(&t, b, sizeof b - 1), idb);
    assert_string_equal(slds_intern_str(&t, ida), a);
    assert_string_equal(slds_intern_str(&t, idb), b);
    /* A stored string followed by the next one is not a longer string. */
    slds_intern u = {0};
    assert_int_equal(slds_intern_add(&u, "ab", 2), 0);
    assert_int_equal(slds_intern_add(&u, "cd", 2), 1);
    assert_int_equal(slds_intern_find(&u, "ab\0cd", 5), SLDS_NO_ID);
    slds_intern_free(&u);
    slds_intern_free(&t);
}

/* ---- slds_map64 -------------------------------------------------------------- */

static void test_map64_basics(void **state)
{
    (void)state;
    slds_map64 m = {0};
    uint32_t v = 77;
    assert_false(slds_map64_get(&m, 0, &v)); /* empty map */
    assert_int_equal(v, 77);
    assert_true(slds_map64_put(&m, 0, 10));
    assert_true(slds_map64_put(&m, UINT64_MAX, 20));
    assert_true(slds_map64_put(&m, 1, 30));
    assert_int_equal(m.count, 3);
    assert_true(slds_map64_get(&m, 0, &v));
    assert_int_equal(v, 10);
    assert_true(slds_map64_get(&m, UINT64_MAX, &v));
    assert_int_equal(v, 20);
    assert_true(slds_map64_get(&m, 1, NULL)); /* value may be NULL */
    assert_false(slds_map64_get(&m, 2, &v));
    assert_false(slds_map64_get(&m, UINT64_MAX - 1, &v));
    /* Replacing keeps one entry. */
    assert_true(slds_map64_put(&m, 0, 11));
    assert_true(slds_map64_put(&m, UINT64_MAX, UINT32_MAX));
    assert_int_equal(m.count, 3);
    assert_true(slds_map64_get(&m, 0, &v));
    assert_int_equal(v, 11);
    assert_true(slds_map64_get(&m, UINT64_MAX, &v));
    assert_int_equal(v, UINT32_MAX);
    slds_map64_free(&m);
    assert_int_equal(m.count, 0);
    assert_false(slds_map64_get(&m, 0, &v));
}

static uint64_t spread_key(uint64_t i)
{
    return i * 0x9E3779B97F4A7C15ull;
}

/* A million keys of three shapes (sequential, spread, and equal in their low
 * 32 bits, like the loader's packed (student, year) keys), then half of them
 * replaced: every value is where it should be. */
static void test_map64_growth(void **state)
{
    (void)state;
    const uint64_t n = 1000000;
    slds_map64 m = {0};
    for (uint64_t i = 0; i < n; i++) {
        uint64_t key = i % 3 == 0 ? i : i % 3 == 1 ? spread_key(i) : i << 32 | 2023;
        assert_true(slds_map64_put(&m, key, (uint32_t)i));
    }
    assert_int_equal(m.count, n);
    assert_int_equal(m.nslots, 1u << 21);
    for (uint64_t i = 0; i < n; i += 2) {
        uint64_t key = i % 3 == 0 ? i : i % 3 == 1 ? spread_key(i) : i << 32 | 2023;
        assert_true(slds_map64_put(&m, key, (uint32_t)(i + 1000000)));
    }
    assert_int_equal(m.count, n);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t key = i % 3 == 0 ? i : i % 3 == 1 ? spread_key(i) : i << 32 | 2023;
        uint32_t v;
        if (!slds_map64_get(&m, key, &v))
            fail_msg("key %llu (item %llu) missing", (unsigned long long)key, (unsigned long long)i);
        uint32_t want = (uint32_t)(i % 2 == 0 ? i + 1000000 : i);
        if (v != want)
            fail_msg("item %llu: value %u, expected %u", (unsigned long long)i, v, want);
    }
    /* Absent keys of the same shapes. */
    assert_false(slds_map64_get(&m, n + 3, NULL));        /* a plain key beyond n */
    assert_false(slds_map64_get(&m, (uint64_t)5 << 32 | 2024, NULL));
    assert_false(slds_map64_get(&m, spread_key(3), NULL)); /* 3 % 3 == 0: stored as plain 3 */
    assert_false(slds_map64_get(&m, UINT64_MAX, NULL));
    assert_true(slds_map64_put(&m, UINT64_MAX, 5));
    assert_true(slds_map64_get(&m, UINT64_MAX, NULL));
    assert_int_equal(m.count, n + 1);
    slds_map64_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_bytes),
        cmocka_unit_test(test_intern_basics),
        cmocka_unit_test(test_intern_growth),
        cmocka_unit_test(test_intern_hash_collision),
        cmocka_unit_test(test_map64_basics),
        cmocka_unit_test(test_map64_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
