/* test_table.c - the typed result table and its renderers: a cell can only
 * be set in a column that exists and has its type (the old 64-cell addv
 * mismatch cannot happen), text output escapes control characters, CSV
 * neutralizes formulas but not numbers, JSON keeps types and the column's
 * precision, blank is null, streaming writes the same bytes as in memory,
 * HTML escapes. Expected outputs written by hand. The JSON written without a
 * tree (slds_table_json_append, slds_tables_write) equals, byte for byte,
 * jansson's dump of slds_table_json's tree on random tables of every kind
 * of cell, and refuses what the tree refuses (text that is not UTF-8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/table.h"

static const slds_column_spec cols[] = {
    {.name = "name", .type = SLDS_CELL_TEXT},
    {.name = "n", .type = SLDS_CELL_INTEGER},
    {.name = "mean", .type = SLDS_CELL_REAL, .decimals = 2},
    {.name = "ok", .type = SLDS_CELL_BOOLEAN},
    {.name = "ids", .type = SLDS_CELL_LIST}};

static slds_table *sample(void)
{
    slds_table *t;
    slds_error err = {0};
    assert_int_equal(slds_table_new(&t, "sample", "A sample", cols, 5, &err), SLDS_OK);
    slds_table_add_row(t, &err);
    slds_table_set_text(t, 0, "=SUM(A1)", &err);
    slds_table_set_integer(t, 1, -3, &err);
    slds_table_set_real(t, 2, 52.5, &err);
    slds_table_set_boolean(t, 3, true, &err);
    slds_table_list_add(t, 4, "a", &err);
    slds_table_list_add(t, 4, "b", &err);
    slds_table_add_row(t, &err);
    slds_table_set_text(t, 0, "x\033[2Jy", &err);
    slds_table_set_real(t, 2, 1.0 / 3.0, &err);
    assert_int_equal(slds_table_status(t), SLDS_OK);
    return t;
}

/* Renders t in fmt into a string (the caller frees). */
static char *render(const slds_table *t, slds_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    slds_error err = {0};
    assert_int_equal(slds_table_write(t, fmt, f, &err), SLDS_OK);
    fclose(f);
    return buf;
}

static void test_checked_cells(void **state)
{
    (void)state;
    slds_table *t;
    slds_error err = {0};
    assert_int_equal(slds_table_new(&t, "t", NULL, cols, 5, &err), SLDS_OK);
    assert_int_equal(slds_table_set_text(t, 0, "no row yet", &err), SLDS_ERR_USAGE);
    slds_table_free(t);
    assert_int_equal(slds_table_new(&t, "t", NULL, cols, 5, &err), SLDS_OK);
    slds_table_add_row(t, &err);
    /* past the last column: refused, and the failure sticks */
    assert_int_equal(slds_table_set_text(t, 5, "x", &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "no column 5"));
    assert_int_equal(slds_table_status(t), SLDS_ERR_USAGE);
    assert_int_equal(slds_table_add_row(t, &err), SLDS_ERR_USAGE);
    slds_table_free(t);
    assert_int_equal(slds_table_new(&t, "t", NULL, cols, 5, &err), SLDS_OK);
    slds_table_add_row(t, &err);
    assert_int_equal(slds_table_set_text(t, 1, "12", &err), SLDS_ERR_USAGE); /* n is an integer */
    slds_table_free(t);
    static const slds_column_spec twice[] = {{.name = "a", .type = SLDS_CELL_TEXT},
                                             {.name = "a", .type = SLDS_CELL_TEXT}};
    assert_int_equal(slds_table_new(&t, "t", NULL, twice, 2, &err), SLDS_ERR_USAGE);
    assert_null(t);
}

static void test_text(void **state)
{
    (void)state;
    slds_table *t = sample();
    char *s = render(t, SLDS_FORMAT_TABLE);
    /* widths: name 9 (the escape counts as shown), n 2, mean 5, ok 3, ids 3;
     * numbers right-aligned, the last column never padded */
    assert_string_equal(s, "name       n   mean   ok   ids\n"
                           "---------  --  -----  ---  ---\n"
                           "=SUM(A1)   -3  52.50  yes  a b\n"
                           "x\\x1B[2Jy       0.33       \n");
    assert_null(strchr(s, '\033'));
    free(s);
    slds_table_free(t);
    slds_buf b = {0};
    assert_int_equal(slds_text_escape(&b, "a\tb\nc\x7f\xc2\x9b" "d é"), SLDS_OK);
    assert_string_equal(b.data, "a\\tb\\nc\\x7F\\u009Bd é");
    slds_buf_free(&b);
}

static void test_csv(void **state)
{
    (void)state;
    slds_table *t = sample();
    char *s = render(t, SLDS_FORMAT_CSV);
    assert_string_equal(s, "name,n,mean,ok,ids\n"
                           "\"'=SUM(A1)\",-3,52.50,yes,a b\n"
                           "\x78\033[2Jy,,0.33,,\n");
    free(s);
    slds_table_free(t);
}

static void test_json(void **state)
{
    (void)state;
    slds_table *t = sample();
    json_t *j = slds_table_json(t);
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    assert_string_equal(s, "[{\"name\":\"=SUM(A1)\",\"n\":-3,\"mean\":52.5,\"ok\":true,\"ids\":[\"a\",\"b\"]},"
                           "{\"name\":\"x\\u001B[2Jy\",\"n\":null,\"mean\":0.33,\"ok\":null,\"ids\":[]}]");
    free(s);
    json_decref(j);
    slds_table_free(t);
}

static void test_html(void **state)
{
    (void)state;
    static const slds_column_spec c2[] = {{.name = "a<b", .type = SLDS_CELL_TEXT},
                                          {.name = "v", .type = SLDS_CELL_INTEGER, .unit = "days"}};
    slds_table *t;
    slds_error err = {0};
    assert_int_equal(slds_table_new(&t, "h", NULL, c2, 2, &err), SLDS_OK);
    slds_table_add_row(t, &err);
    slds_table_set_text(t, 0, "<script>&\"", &err);
    slds_table_set_integer(t, 1, 7, &err);
    char *s = render(t, SLDS_FORMAT_HTML);
    assert_string_equal(s, "<table>\n<tr><th>a&lt;b</th><th title=\"days\">v</th></tr>\n"
                           "<tr><td>&lt;script&gt;&amp;&quot;</td><td class=\"num\">7</td></tr>\n"
                           "</table>\n");
    free(s);
    slds_table_free(t);
}

/* A streamed table writes what the same table in memory writes (CSV), and
 * holds at most one row at a time. */
static void test_stream(void **state)
{
    (void)state;
    slds_table *mem = sample(), *t;
    char *want = render(mem, SLDS_FORMAT_CSV);
    slds_table_free(mem);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    slds_error err = {0};
    assert_int_equal(slds_table_new(&t, "sample", NULL, cols, 5, &err), SLDS_OK);
    assert_int_equal(slds_table_stream(t, SLDS_FORMAT_CSV, f, &err), SLDS_OK);
    slds_table_add_row(t, &err);
    slds_table_set_text(t, 0, "=SUM(A1)", &err);
    slds_table_set_integer(t, 1, -3, &err);
    slds_table_set_real(t, 2, 52.5, &err);
    slds_table_set_boolean(t, 3, true, &err);
    slds_table_list_add(t, 4, "a", &err);
    slds_table_list_add(t, 4, "b", &err);
    for (int i = 0; i < 1000; i++) {
        slds_table_add_row(t, &err);
        assert_int_equal(slds_table_nrows(t), 1);
    }
    assert_int_equal(slds_table_end(t, &err), SLDS_OK);
    fclose(f);
    assert_memory_equal(buf, want, strlen("name,n,mean,ok,ids\n\"'=SUM(A1)\",-3,52.50,yes,a b\n"));
    size_t lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + 1001);
    free(buf);
    free(want);
    slds_table_free(t);
    /* an empty streamed JSON table is [] */
    buf = NULL;
    f = open_memstream(&buf, &len);
    assert_int_equal(slds_table_new(&t, "e", NULL, cols, 5, &err), SLDS_OK);
    assert_int_equal(slds_table_stream(t, SLDS_FORMAT_JSON, f, &err), SLDS_OK);
    assert_int_equal(slds_table_end(t, &err), SLDS_OK);
    fclose(f);
    assert_string_equal(buf, "[]\n");
    free(buf);
    slds_table_free(t);
}

static void test_formats(void **state)
{
    (void)state;
    slds_format f;
    assert_int_equal(slds_format_parse("csv", &f), SLDS_OK);
    assert_int_equal(f, SLDS_FORMAT_CSV);
    assert_int_equal(slds_format_parse("xml", &f), SLDS_ERR_USAGE);
    assert_string_equal(slds_format_name(SLDS_FORMAT_HTML), "html");
}


/* SVG coordinates are written as printf's "%.1f" would: compared on ties,
 * values next to ties, negatives, large and odd values and 200,000 random
 * ones. */
static void test_svg_coordinates(void **state)
{
    (void)state;
    static const double fixed[] = {0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 1.45, 2.5, 0.95, 9.95,
                                   99.95, 123.45, 0.04999999999999999, 0.05000000000000001,
                                   -0.04, -1.25, -3.3, 999999.95, 1e6, 1e7 + 0.05, 1e15, 1e300,
                                   5e-324, NAN, INFINITY, -INFINITY, 431.0, 410.5, 0.5, 1.5, 2.5,
                                   -0.5, -2.5, -0.4, 4503599627370495.5, 999999999999999.5, 1e15 + 1};
    uint64_t r = 20261206;
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed + 200000; i++) {
        double v;
        if (i < sizeof fixed / sizeof *fixed)
            v = fixed[i];
        else {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(r >> 11) * 0x1.0p-53;
            switch (i % 4) {
            case 0: v = u * 1000.0; break;                      /* chart coordinates */
            case 1: v = floor(u * 20000.0) / 20.0; break;      /* ties x.x5 and exact tenths */
            case 2: v = (u - 0.5) * 2000.0; break;             /* negatives */
            default: v = nextafter(floor(u * 20000.0) / 20.0, (i & 8) ? 0.0 : 1e9); break;
            }
        }
        /* slds_svg_fixed at 0 places (labels): the tie to even, negatives, -0 */
        for (int scale = 0; scale < 2; scale++) {
            double w = scale ? v * 7.5 : v;
            char want0[512], got0[512];
            snprintf(want0, sizeof want0, "%.0f", w);
            assert_int_equal(slds_svg_fixed(got0, sizeof got0, w, 0), strlen(want0));
            if (strcmp(got0, want0))
                fail_msg("%.17g: slds_svg_fixed gives %s, %%.0f %s", w, got0, want0);
        }
        char small[6], want_small[6]; /* truncated as snprintf truncates */
        snprintf(want_small, sizeof want_small, "%.0f", v * 1000);
        slds_svg_fixed(small, sizeof small, v * 1000, 0);
        assert_string_equal(small, want_small);
        double xy[2] = {v, v};
        slds_buf got = {0};
        assert_int_equal(slds_svg_polyline(&got, xy, 1, NULL), SLDS_OK);
        char want[1024];
        snprintf(want, sizeof want, "<polyline fill=\"none\" points=\"%.1f,%.1f\"/>\n", v, v);
        if (strcmp(got.data, want))
            fail_msg("%.17g: got %s, printf writes %s", v, got.data, want);
        slds_buf_free(&got);
    }
    slds_buf b = {0};
    assert_int_equal(slds_svg_rect(&b, 1.25, 2.35, 10.05, 0.0, "#fff", "#000"), SLDS_OK);
    assert_int_equal(slds_svg_text(&b, 12.25, 7.75, "class=\"t\"", "a<b"), SLDS_OK);
    char want[300];
    snprintf(want, sizeof want,
             "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\""
             " stroke=\"#000\"/>\n<text x=\"%.1f\" y=\"%.1f\" class=\"t\">a&lt;b</text>\n",
             1.25, 2.35, 10.05, 0.0, 12.25, 7.75);
    assert_string_equal(b.data, want);
    slds_buf_free(&b);
}


/* A random text: ASCII, escapes, control characters, multi-byte UTF-8, and
 * sometimes a byte sequence that is not UTF-8 (when bad is allowed). */
static void random_text(char *out, size_t size, unsigned *seed, bool bad)
{
    static const char *const pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\r", "\b",
                                         "\f", "\x01", "\x1f", "\x7f", "<", "&", "\xc3\xa9",
                                         "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe2\x80\xa8", "=1+2"};
    static const char *const broken[] = {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80",
                                         "\x80"};
    size_t len = 0, n = (size_t)(rand_r(seed) % 8);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *p = bad && rand_r(seed) % 40 == 0 ? broken[rand_r(seed) % 6]
                                                      : pieces[rand_r(seed) % (sizeof pieces / sizeof *pieces)];
        size_t k = strlen(p);
        if (len + k + 1 > size)
            break;
        memcpy(out + len, p, k + 1);
        len += k;
    }
}

static double random_real(unsigned *seed)
{
    static const double special[] = {0.0, -0.0, 1e15, 1.5e15, 999999999999999.0, 1e16, 1e-4, 1e-5,
                                     0.1 + 0.2, -1e300, 5e-324, 123456789012345678.0, 2.5, 431,
                                     1234.5678901234567, NAN, INFINITY};
    if (rand_r(seed) % 3 == 0)
        return special[rand_r(seed) % (sizeof special / sizeof *special)];
    double m = (double)rand_r(seed) / RAND_MAX - 0.5;
    return m * pow(10.0, (int)(rand_r(seed) % 40) - 20);
}

/* What slds_json_write writes for j (j's reference is taken). */
static char *jansson_text(json_t *j, int *rc)
{
    char *data = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&data, &size);
    slds_error err = {0};
    *rc = slds_json_write(j, f, &err);
    fclose(f);
    return data;
}

static void test_json_without_tree(void **state)
{
    (void)state;
    static const int decimals[] = {0, 1, 2, 4, SLDS_SIGNIFICANT(3), SLDS_SIGNIFICANT(6), SLDS_SIGNIFICANT(15)};
    unsigned seed = 11;
    int refused = 0;
    for (int round = 0; round < 400; round++) {
        bool bad = round % 4 == 3;
        slds_column_spec spec[7] = {
            {.name = "text\t\"x\"", .type = SLDS_CELL_TEXT},
            {.name = "n", .type = SLDS_CELL_INTEGER},
            {.name = "r", .type = SLDS_CELL_REAL, .unit = round % 2 ? "percent" : NULL,
             .decimals = decimals[rand_r(&seed) % 7]},
            {.name = "ok", .type = SLDS_CELL_BOOLEAN},
            {.name = "ids", .type = SLDS_CELL_LIST},
            {.name = "day", .type = SLDS_CELL_DATE},
            {.name = "\xc3\xa9t\xc3\xa9", .type = SLDS_CELL_REAL, .decimals = SLDS_SIGNIFICANT(15)}};
        slds_table *t;
        slds_error err = {0};
        char name[16];
        snprintf(name, sizeof name, "T#%d#", round);
        assert_int_equal(slds_table_new(&t, name, NULL, spec, 7, &err), SLDS_OK);
        size_t rows = (size_t)(rand_r(&seed) % 5);
        for (size_t r = 0; r < rows; r++) {
            assert_int_equal(slds_table_add_row(t, &err), SLDS_OK);
            char text[64];
            for (int c = 0; c < 7; c++) {
                if (rand_r(&seed) % 5 == 0)
                    continue; /* blank */
                switch (spec[c].type) {
                case SLDS_CELL_TEXT:
                case SLDS_CELL_DATE:
                    random_text(text, sizeof text, &seed, bad);
                    if (spec[c].type == SLDS_CELL_TEXT)
                        slds_table_set_text(t, c, text, &err);
                    else
                        slds_table_set_date(t, c, text, &err);
                    break;
                case SLDS_CELL_INTEGER: {
                    static const long long ints[] = {0, -1, 7, 1234567890123LL, INT64_MIN, INT64_MAX};
                    slds_table_set_integer(t, c, ints[rand_r(&seed) % 6], &err);
                    break;
                }
                case SLDS_CELL_REAL: slds_table_set_real(t, c, random_real(&seed), &err); break;
                case SLDS_CELL_BOOLEAN: slds_table_set_boolean(t, c, rand_r(&seed) % 2, &err); break;
                case SLDS_CELL_LIST:
                    for (int k = (int)(rand_r(&seed) % 3); k > 0; k--) {
                        random_text(text, sizeof text, &seed, bad);
                        slds_table_list_add(t, c, text, &err);
                    }
                    break;
                }
                int mark = (int)(rand_r(&seed) % 12);
                if (mark == 0)
                    slds_table_suppress(t, r, c);
                else if (mark == 1)
                    slds_table_code_range(t, r, c, rand_r(&seed) % 2, 5 * (rand_r(&seed) % 21));
                else if (mark == 2)
                    slds_table_code_interval(t, r, c, 5 * (rand_r(&seed) % 20), 5);
            }
        }
        int want_rc;
        char *want = jansson_text(slds_table_json(t), &want_rc);
        slds_buf got = {0};
        int got_rc = slds_table_json_append(t, &got, 0);
        if (want_rc) { /* the tree could not be built: not UTF-8 */
            assert_int_equal(got_rc, SLDS_ERR_DATA);
            refused++;
            /* nor a document with it, even replaced by a table of its name */
            slds_table *same;
            assert_int_equal(slds_table_new(&same, name, NULL, spec, 2, &err), SLDS_OK);
            slds_table *doc2[2] = {t, same};
            FILE *f = fopen("/dev/null", "w");
            assert_int_equal(slds_tables_write(doc2, 2, SLDS_FORMAT_JSON, f, &err), SLDS_ERR_NOMEM);
            fclose(f);
            slds_table_free(same);
        } else {
            assert_int_equal(got_rc, SLDS_OK);
            slds_buf_puts(&got, "\n");
            if (strcmp(got.data, want))
                fail_msg("round %d:\n got: %s\nwant: %s", round, got.data, want);
            /* in a document, as slds_tables_write wrote it through jansson's
             * object: another table, and one of t's name (one key: t's
             * place, the last one's rows) */
            slds_table *other, *same;
            assert_int_equal(slds_table_new(&other, "other", NULL, spec, 2, &err), SLDS_OK);
            assert_int_equal(slds_table_new(&same, name, NULL, spec, 2, &err), SLDS_OK);
            slds_table_add_row(same, &err);
            slds_table_set_integer(same, 1, round, &err);
            slds_table *docs[3][3] = {{t, other, NULL}, {t, other, same}, {same, t, t}};
            size_t ndocs[3] = {2, 3, 3};
            for (int d = 0; d < 3; d++) {
                json_t *o = json_object();
                for (size_t i = 0; i < ndocs[d]; i++)
                    json_object_set_new(o, slds_table_name(docs[d][i]), slds_table_json(docs[d][i]));
                char *want_doc = jansson_text(o, &want_rc);
                assert_int_equal(want_rc, SLDS_OK);
                char *doc = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&doc, &size);
                assert_int_equal(slds_tables_write(docs[d], ndocs[d], SLDS_FORMAT_JSON, f, &err), SLDS_OK);
                fclose(f);
                if (strcmp(doc, want_doc))
                    fail_msg("round %d, document %d:\n got: %s\nwant: %s", round, d, doc, want_doc);
                free(doc);
                free(want_doc);
            }
            slds_table_free(other);
            slds_table_free(same);
        }
        free(want);
        slds_buf_free(&got);
        slds_table_free(t);
    }
    assert_true(refused > 5);
    slds_buf b = {0}; /* and an empty document */
    char *doc = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&doc, &size);
    slds_error err = {0};
    assert_int_equal(slds_tables_write(NULL, 0, SLDS_FORMAT_JSON, f, &err), SLDS_OK);
    fclose(f);
    assert_string_equal(doc, "{}\n");
    free(doc);
    slds_buf_free(&b);
}

/* A real of 15 significant digits is printed without printf when it has at
 * most 6 decimals: always what "%.15g" prints (values near the edges of that
 * shortcut, trailing zeros, negative values, numbers a decimal fraction
 * cannot hold exactly). */
static void test_real_shortcut(void **state)
{
    (void)state;
    static const slds_column_spec spec[] = {{.name = "v", .type = SLDS_CELL_REAL, .decimals = SLDS_SIGNIFICANT(15)}};
    static const double edges[] = {1e-4, 0.99999e-4, 1e14, 99999999999999.5, 99999999999999.0, 1e14 - 0.25,
                                   0.3, 0.1 + 0.2, 2.675, 1.005, 100, 4100, 410.5, 0.000123, 0.0001234567,
                                   123456.000001, 12345678.123456, -0.5, -431, 1.1e-3, 7e-4, 5e-5, 0.000012, -0.00005, 0};
    slds_table *t;
    slds_error err = {0};
    assert_int_equal(slds_table_new(&t, "t", NULL, spec, 1, &err), SLDS_OK);
    assert_int_equal(slds_table_add_row(t, &err), SLDS_OK);
    unsigned seed = 5;
    for (int i = 0; i < 300000; i++) {
        double v;
        if (i < (int)(sizeof edges / sizeof *edges))
            v = edges[i];
        else if (i % 3 == 0) /* a decimal fraction: n / 10^k */
            v = (double)((long long)rand_r(&seed) * rand_r(&seed) % 100000000000000LL) / pow(10, rand_r(&seed) % 9);
        else if (i % 3 == 1)
            v = ((double)rand_r(&seed) / RAND_MAX - 0.5) * pow(10, (int)(rand_r(&seed) % 24) - 8);
        else /* a stored figure: a few decimals, read back from text */
            v = round(((double)rand_r(&seed) / RAND_MAX) * 1e6) / 100;
        char want[64], got[64];
        snprintf(want, sizeof want, "%.15g", v);
        slds_table_set_real(t, 0, v, &err);
        slds_table_cell_text(t, 0, 0, got, sizeof got);
        if (strcmp(got, want))
            fail_msg("%.17g: got %s, want %s", v, got, want);
    }
    slds_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checked_cells), cmocka_unit_test(test_text),
        cmocka_unit_test(test_json_without_tree), cmocka_unit_test(test_real_shortcut),
        cmocka_unit_test(test_csv),           cmocka_unit_test(test_json),
        cmocka_unit_test(test_html),          cmocka_unit_test(test_stream),
        cmocka_unit_test(test_formats),       cmocka_unit_test(test_svg_coordinates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
