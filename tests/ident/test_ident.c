/* test_ident.c - unit tests of statewide ids and identity match keys
 * (src/ident/ident.c): the id format and its Luhn check digit, the keyed
 * permutation (distinct ids, key-dependent), the generator's encoding in the
 * meta table, the key kept in a database (made by ident, not by the store;
 * a rolled-back load leaves no key and no id handed out), and the
 * normalization of names into match keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ident/ident.h"
#include "../db.h"

static void key_sequence(slds_id_generator *g, unsigned char first)
{
    memset(g, 0, sizeof *g);
    for (int i = 0; i < SLDS_IDENT_KEY_BYTES; i++)
        g->key[i] = (unsigned char)(first + i);
}

static uint32_t payload(const char *id)
{
    uint32_t v = 0;
    for (int i = 0; i < 9; i++)
        v = v * 10 + (uint32_t)(id[i] - '0');
    return v;
}

/* ---- the check digit ------------------------------------------------------ */

static void test_check_digit_by_hand(void **state)
{
    (void)state;
    /* Luhn over 123456789, doubling from the right: 9->18->9, 8, 7->14->5, 6,
     * 5->10->1, 4, 3->6, 2, 1->2; sum 43, check digit (10 - 3) % 10 = 7. */
    assert_true(slds_id_check_digit_ok("1234567897", 10));
    assert_false(slds_id_check_digit_ok("1234567890", 10));
    assert_false(slds_id_check_digit_ok("1234567898", 10));
    assert_true(slds_id_check_digit_ok("0000000000", 10));
    /* 843806480: 0,8,4->8,6,0,8,3->6,4,8->16->7: sum 47, check digit 3. */
    assert_true(slds_id_check_digit_ok("8438064803", 10));
    /* Not 10 digits. */
    assert_false(slds_id_check_digit_ok("123456789", 9));
    assert_false(slds_id_check_digit_ok("12345678970", 11));
    assert_false(slds_id_check_digit_ok("12345678a7", 10));
    assert_false(slds_id_check_digit_ok("-234567897", 10));
    assert_false(slds_id_check_digit_ok("", 0));
}

static void test_id_format(void **state)
{
    (void)state;
    slds_id_generator g;
    key_sequence(&g, 0);
    char id[SLDS_STUDENT_ID_LEN + 1];
    for (uint64_t n = 0; n < 2000; n++) {
        memset(id, 'x', sizeof id);
        slds_id_for_counter(&g, n, id);
        assert_int_equal(strlen(id), 10);
        for (int i = 0; i < 10; i++)
            assert_true(id[i] >= '0' && id[i] <= '9');
        assert_true(slds_id_check_digit_ok(id, 10));
        /* Every single changed digit is detected (Luhn catches them all). */
        for (int pos = 0; pos < 10; pos++) {
            char orig = id[pos];
            for (char d = '0'; d <= '9'; d++) {
                if (d == orig)
                    continue;
                id[pos] = d;
                if (slds_id_check_digit_ok(id, 10))
                    fail_msg("counter %llu: digit %d changed to %c not detected",
                             (unsigned long long)n, pos, d);
            }
            id[pos] = orig;
        }
    }
}

/* The scheme is fixed: ids already handed out must never change meaning.
 * These values were produced by this implementation (key 00 01 .. 0f) and
 * pin it; their check digits were verified by hand above. */
static void test_id_scheme_pinned(void **state)
{
    (void)state;
    slds_id_generator g;
    key_sequence(&g, 0);
    char id[SLDS_STUDENT_ID_LEN + 1];
    slds_id_for_counter(&g, 0, id);
    assert_string_equal(id, "8438064803");
    slds_id_for_counter(&g, 1, id);
    assert_string_equal(id, "5277503727");
    slds_id_for_counter(&g, 999999999, id);
    assert_string_equal(id, "3150129157");
    /* The counter is taken modulo 10^9 (the 9-digit domain). */
    slds_id_for_counter(&g, 1000000000, id);
    assert_string_equal(id, "8438064803");
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Counters 0..200000 give 200001 distinct ids, in no visible order. */
static void test_ids_distinct(void **state)
{
    (void)state;
    const uint32_t n = 200001;
    uint32_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    slds_id_generator g;
    key_sequence(&g, 7);
    char id[SLDS_STUDENT_ID_LEN + 1];
    uint32_t rising = 0;
    for (uint32_t i = 0; i < n; i++) {
        slds_id_for_counter(&g, i, id);
        v[i] = payload(id);
        assert_true(v[i] < 1000000000u);
        if (i && v[i] > v[i - 1])
            rising++;
    }
    /* Order of arrival is hidden: about half the steps go up (a counter
     * written out would go up every time). */
    assert_in_range(rising, n / 2 - n / 50, n / 2 + n / 50);
    qsort(v, n, sizeof *v, cmp_u32);
    for (uint32_t i = 1; i < n; i++)
        if (v[i] == v[i - 1])
            fail_msg("payload %09u handed out twice", v[i]);
    /* Spread over the whole domain, not a corner of it. */
    assert_true(v[0] < 100000u);
    assert_true(v[n - 1] > 999900000u);
    free(v);
}

static void test_keys_give_different_sequences(void **state)
{
    (void)state;
    slds_id_generator a, b, a2;
    key_sequence(&a, 0);
    key_sequence(&b, 0);
    b.key[15] ^= 1; /* one bit of the key */
    key_sequence(&a2, 0);
    a2.next = 999; /* the counter in the struct plays no part in the mapping */
    char ia[11], ib[11], ia2[11];
    int same = 0;
    for (uint64_t n = 0; n < 5000; n++) {
        slds_id_for_counter(&a, n, ia);
        slds_id_for_counter(&b, n, ib);
        slds_id_for_counter(&a2, n, ia2);
        same += !strcmp(ia, ib);
        assert_string_equal(ia, ia2); /* same key, same id */
    }
    assert_int_equal(same, 0);
}

/* ---- the generator in the meta table ------------------------------------- */

static void test_generator_encode_decode(void **state)
{
    (void)state;
    slds_id_generator g, back;
    key_sequence(&g, 0xf0); /* f0 f1 .. ff */
    g.next = 123456789012ull;
    char enc[128];
    slds_id_generator_encode(&g, enc, sizeof enc);
    assert_string_equal(enc, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff:123456789012");
    slds_error err = {0};
    memset(&back, 0x55, sizeof back);
    assert_int_equal(slds_id_generator_decode(&back, enc, &err), SLDS_OK);
    assert_memory_equal(back.key, g.key, SLDS_IDENT_KEY_BYTES);
    assert_int_equal(back.next, 123456789012ull);
    char x[11], y[11];
    slds_id_for_counter(&g, 42, x);
    slds_id_for_counter(&back, 42, y);
    assert_string_equal(x, y);
    /* Counter 0 and the largest counter survive too. */
    g.next = 0;
    slds_id_generator_encode(&g, enc, sizeof enc);
    assert_int_equal(slds_id_generator_decode(&back, enc, &err), SLDS_OK);
    assert_int_equal(back.next, 0);
    g.next = UINT64_MAX;
    slds_id_generator_encode(&g, enc, sizeof enc);
    assert_int_equal(slds_id_generator_decode(&back, enc, &err), SLDS_OK);
    assert_true(back.next == UINT64_MAX);
    /* A random generator round-trips as well. */
    slds_id_generator r;
    assert_int_equal(slds_id_generator_init_random(&r, &err), SLDS_OK);
    assert_int_equal(r.next, 0);
    slds_id_generator_encode(&r, enc, sizeof enc);
    assert_int_equal(slds_id_generator_decode(&back, enc, &err), SLDS_OK);
    assert_memory_equal(back.key, r.key, SLDS_IDENT_KEY_BYTES);
}

static void test_generator_decode_rejects_corrupt(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",       /* no counter */
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfe:12",       /* key too short */
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00:12",   /* key too long */
        "g0f1f2f3f4f5f6f7f8f9fafbfcfdfeff:12",     /* not hex */
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff:",       /* empty counter */
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff:x12",    /* counter not a number */
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff:12x",
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff:-1",
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff: 12",
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff:99999999999999999999999", /* > 2^64 */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        slds_id_generator g;
        slds_error err = {0};
        if (slds_id_generator_decode(&g, bad[k], &err) != SLDS_ERR_DB)
            fail_msg("'%s' should be rejected as corrupt", bad[k]);
        assert_int_equal(err.code, SLDS_ERR_DB);
        assert_non_null(strstr(err.message, "corrupt"));
    }
}

/* ---- match keys ------------------------------------------------------------- */

static const char *key(const char *first, const char *last, const char *dob, const char *sex)
{
    static char out[4][256];
    static int k;
    k = (k + 1) % 4;
    size_t n = slds_ident_match_key(first, last, dob, sex, out[k], sizeof out[k]);
    assert_int_equal(n, strlen(out[k]));
    return out[k];
}

static void test_match_key_format(void **state)
{
    (void)state;
    assert_string_equal(key("Ana", "Lopez", "2013-04-02", "F"), "LOPEZ|ANA|2013-04-02|F");
    /* Only ASCII letters change case; the accent's bytes are kept as they are. */
    assert_string_equal(key("Ana", "Garc\xC3\xAD" "a", "2013-04-02", "F"),
                        "GARC\xC3\xAD" "A|ANA|2013-04-02|F");
}

static void test_match_key_folding(void **state)
{
    (void)state;
    const char *d = "2013-04-02";
    /* case */
    assert_string_equal(key("ana", "lopez", d, "F"), key("ANA", "LOPEZ", d, "F"));
    assert_string_equal(key("aNa", "LoPeZ", d, "F"), "LOPEZ|ANA|2013-04-02|F");
    /* spaces: trimmed at the ends, inner runs folded to one */
    assert_string_equal(key("  Mary   Ann ", " Lopez  ", d, "F"), "LOPEZ|MARY ANN|2013-04-02|F");
    assert_string_equal(key("Mary\tAnn", "Lopez", d, "F"), "LOPEZ|MARY ANN|2013-04-02|F");
    /* hyphens, apostrophes, periods: each a separator like a space */
    assert_string_equal(key("Ana", "Smith-Jones", d, "F"), "SMITH JONES|ANA|2013-04-02|F");
    assert_string_equal(key("Ana", "Smith - Jones", d, "F"), key("Ana", "Smith Jones", d, "F"));
    assert_string_equal(key("Ana", "Smith--Jones", d, "F"), key("Ana", "smith jones", d, "F"));
    assert_string_equal(key("Sean", "O'Brien", d, "M"), "O BRIEN|SEAN|2013-04-02|M");
    assert_string_equal(key("Sean", "O'Brien", d, "M"), key("sean", "O Brien", d, "M"));
    assert_string_equal(key("J.R.", "St. John", d, "M"), "ST JOHN|J R|2013-04-02|M");
    assert_string_equal(key("-Ana-", "'Lopez.", d, "F"), "LOPEZ|ANA|2013-04-02|F");
    /* but letters are never dropped: these differ */
    assert_string_not_equal(key("Ana", "OBrien", d, "F"), key("Ana", "O'Brien", d, "F"));
    assert_string_not_equal(key("Ana", "SmithJones", d, "F"), key("Ana", "Smith-Jones", d, "F"));
    /* first and last are not interchangeable */
    assert_string_not_equal(key("Lee", "Kim", d, "F"), key("Kim", "Lee", d, "F"));
    /* a '|' in a name cannot shift the boundary between last and first */
    assert_string_not_equal(key("C", "A|B", d, "F"), key("B|C", "A", d, "F"));
    assert_string_equal(key("C", "A|B", d, "F"), "A B|C|2013-04-02|F");
}

static void test_match_key_accents_date_sex(void **state)
{
    (void)state;
    const char *d = "2013-04-02";
    /* Accents are not folded: matching is exact (tests/data/tiny relies on it). */
    assert_string_not_equal(key("Ana", "Garc\xC3\xAD" "a", d, "F"), key("Ana", "Garcia", d, "F"));
    assert_string_not_equal(key("Zo\xC3\xAB", "Lopez", d, "F"), key("Zoe", "Lopez", d, "F"));
    /* Upper- and lower-case accented letters are different bytes: not folded either. */
    assert_string_not_equal(key("Ana", "GARC\xC3\x8D" "A", d, "F"), key("Ana", "garc\xC3\xAD" "a", d, "F"));
    /* Birth date and sex are part of the key. */
    assert_string_not_equal(key("Ana", "Lopez", "2013-04-02", "F"), key("Ana", "Lopez", "2013-04-03", "F"));
    assert_string_not_equal(key("Ana", "Lopez", "2013-04-02", "F"), key("Ana", "Lopez", "2013-04-02", "X"));
    assert_string_equal(key("Ana", "Lopez", "2013-04-03", "X"), "LOPEZ|ANA|2013-04-03|X");
}

static void test_match_key_truncation(void **state)
{
    (void)state;
    char out[10];
    memset(out, '#', sizeof out);
    size_t n = slds_ident_match_key("Ana", "Lopez", "2013-04-02", "F", out, sizeof out);
    assert_int_equal(n, 9);
    assert_string_equal(out, "LOPEZ|ANA");
    char tiny[1] = {'#'};
    assert_int_equal(slds_ident_match_key("Ana", "Lopez", "2013-04-02", "F", tiny, 1), 0);
    assert_int_equal(tiny[0], '\0');
    char none = '#';
    assert_int_equal(slds_ident_match_key("Ana", "Lopez", "2013-04-02", "F", &none, 0), 0);
    assert_int_equal(none, '#');
    /* Cut inside the birth date. */
    char mid[16];
    n = slds_ident_match_key("Ana", "Lopez", "2013-04-02", "F", mid, sizeof mid);
    assert_int_equal(n, 15);
    assert_string_equal(mid, "LOPEZ|ANA|2013-");
}

static void meta_value(slds_store *s, char *buf, size_t size)
{
    slds_error err = {0};
    if (slds_store_meta_get(s, "id_generator", buf, size, &err))
        fail_msg("id_generator: %s", err.message);
}

static void test_key_in_database(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    slds_error err = {0};
    char buf[128], again[128];
    /* the store makes no key; a load rolled back leaves none and hands out no id */
    assert_int_equal(slds_store_meta_get(s, "id_generator", buf, sizeof buf, &err),
                     SLDS_ERR_NOTFOUND);
    slds_id_generator g;
    assert_int_equal(slds_store_begin(s, &err), SLDS_OK);
    assert_int_equal(slds_ident_generator_load(s, &g, &err), SLDS_OK);
    assert_int_equal(g.next, 0);
    g.next = 5;
    assert_int_equal(slds_ident_generator_save(s, &g, &err), SLDS_OK);
    slds_store_rollback(s);
    assert_int_equal(slds_store_meta_get(s, "id_generator", buf, sizeof buf, &err),
                     SLDS_ERR_NOTFOUND);

    /* ensure makes it once (counter 0) and never replaces it */
    assert_int_equal(slds_ident_key_ensure(s, &err), SLDS_OK);
    meta_value(s, buf, sizeof buf);
    assert_int_equal(strlen(buf), SLDS_IDENT_KEY_BYTES * 2 + 2);
    assert_string_equal(buf + SLDS_IDENT_KEY_BYTES * 2, ":0");
    assert_int_equal(slds_ident_key_ensure(s, &err), SLDS_OK);
    meta_value(s, again, sizeof again);
    assert_string_equal(again, buf);

    /* load reads that key; a committed save moves the counter only */
    slds_id_generator back;
    assert_int_equal(slds_ident_generator_load(s, &g, &err), SLDS_OK);
    assert_int_equal(slds_id_generator_decode(&back, buf, &err), SLDS_OK);
    assert_memory_equal(g.key, back.key, SLDS_IDENT_KEY_BYTES);
    g.next = 3;
    assert_int_equal(slds_ident_generator_save(s, &g, &err), SLDS_OK);
    meta_value(s, again, sizeof again);
    assert_memory_equal(again, buf, SLDS_IDENT_KEY_BYTES * 2);
    assert_string_equal(again + SLDS_IDENT_KEY_BYTES * 2, ":3");
    close_temp(s, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digit_by_hand),
        cmocka_unit_test(test_id_format),
        cmocka_unit_test(test_id_scheme_pinned),
        cmocka_unit_test(test_ids_distinct),
        cmocka_unit_test(test_keys_give_different_sequences),
        cmocka_unit_test(test_generator_encode_decode),
        cmocka_unit_test(test_generator_decode_rejects_corrupt),
        cmocka_unit_test(test_key_in_database),
        cmocka_unit_test(test_match_key_format),
        cmocka_unit_test(test_match_key_folding),
        cmocka_unit_test(test_match_key_accents_date_sex),
        cmocka_unit_test(test_match_key_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
