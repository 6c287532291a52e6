/* test_keys_match_contract.c - the store's primary keys are the contract's
 * natural keys: for every file of the contract (src/ingest/contract.h), the
 * PRIMARY KEY columns of its table in a freshly created database (PRAGMA
 * table_info, by pk position) are the file's natural key, the same columns
 * in the same order. A re-load of a row with the same natural key replaces
 * it only if this holds. The test only reads the two APIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/contract.h"
#include "store/store.h"
#include "../db.h"

enum { MAX_KEY = 16 };

/* The natural key "a, b, c" as the list a,b,c (no spaces). */
static void key_list(const char *natural, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = natural; *c && n + 1 < size; c++)
        if (*c != ' ')
            out[n++] = *c;
    out[n] = '\0';
}

/* The primary key of table as a,b,c (by pk position), "" when none. */
static void primary_key(slds_store *s, const char *table, char *out, size_t size)
{
    char sql[256];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    sqlite3_stmt *st;
    slds_error err = {0};
    if (slds_store_prepare(s, &st, sql, &err))
        fail_msg("%s", err.message);
    char cols[MAX_KEY][64] = {{0}};
    int n = 0, rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        int pk = sqlite3_column_int(st, 5);
        if (pk < 1)
            continue;
        assert_true(pk <= MAX_KEY);
        snprintf(cols[pk - 1], sizeof cols[0], "%s", (const char *)sqlite3_column_text(st, 1));
        if (pk > n)
            n = pk;
    }
    sqlite3_finalize(st);
    if (!rows)
        fail_msg("table %s does not exist in a fresh database", table);
    out[0] = '\0';
    for (int k = 0; k < n; k++) {
        assert_true(cols[k][0] != '\0'); /* pk positions 1..n, no gaps */
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", k ? "," : "", cols[k]);
    }
}

static void test_keys_match(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    int count = 0;
    const slds_file_def *defs = slds_contract_files(&count);
    assert_true(count >= 17);
    int mismatches = 0;
    for (int k = 0; k < count; k++) {
        char want[1200], got[1200];
        key_list(defs[k].natural_key, want, sizeof want);
        primary_key(s, defs[k].table, got, sizeof got);
        if (strcmp(want, got)) {
            printf("%s: natural key (%s), table %s primary key (%s)\n", defs[k].file, want,
                   defs[k].table, got);
            mismatches++;
        }
        /* every key column is a column of the file */
        char cols[1200];
        snprintf(cols, sizeof cols, "%s", want);
        for (char *c = strtok(cols, ","); c; c = strtok(NULL, ","))
            if (slds_contract_column(&defs[k], c) < 0) {
                printf("%s: key column %s is not in the file\n", defs[k].file, c);
                mismatches++;
            }
    }
    close_temp(s, path);
    assert_int_equal(mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
