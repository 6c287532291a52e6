/* test_csv.c - unit tests of the streaming CSV reader (src/ingest/csv.c):
 * RFC 4180 quoting, line endings and line numbers, the byte-order mark,
 * records that straddle the reader's 1 MiB window, record-level faults
 * (invalid UTF-8, stray quotes), file-level faults (NUL byte, unterminated
 * quote, over-long record), the content digest and the UTF-8 validator.
 * Every expected value below was worked out by hand from the input shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/csv.h"

#define WINDOW (1u << 20) /* the reader's initial window (csv.c) */

/* ---- helpers ------------------------------------------------------------ */

#define MAXF 8
typedef struct rec_copy {
    int n;
    char f[MAXF][96];
    size_t len[MAXF];
    long line, end_line;
    int bad_utf8, bad_quote;
} rec_copy;

/* Reads every record of data[0..len) into out (at most max). Returns the
 * number of records; *rc is the last slds_csv_next result (0 or -1). */
static int read_all(const char *data, size_t len, rec_copy *out, int max, int *rc, slds_error *err)
{
    slds_csv *r;
    assert_int_equal(slds_csv_open_mem(&r, "mem.csv", data, len, err), SLDS_OK);
    slds_csv_record rec;
    int count = 0;
    while ((*rc = slds_csv_next(r, &rec, err)) == 1) {
        assert_true(count < max);
        rec_copy *c = &out[count++];
        memset(c, 0, sizeof *c);
        c->n = rec.nfields;
        c->line = rec.line;
        c->end_line = rec.end_line;
        c->bad_utf8 = rec.bad_utf8_field;
        c->bad_quote = rec.bad_quote_field;
        for (int i = 0; i < rec.nfields && i < MAXF; i++) {
            assert_true(rec.lengths[i] < sizeof c->f[i]);
            memcpy(c->f[i], rec.fields[i], rec.lengths[i] + 1);
            c->len[i] = rec.lengths[i];
        }
    }
    slds_csv_close(r);
    return count;
}

/* Same for a NUL-terminated literal, expecting a clean end of file. */
static int read_str(const char *s, rec_copy *out, int max)
{
    slds_error err = {0};
    int rc;
    int n = read_all(s, strlen(s), out, max, &rc, &err);
    assert_int_equal(rc, 0);
    return n;
}

/* The digest as csv.h defines it: plain 64-bit FNV-1a over every byte. */
static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t digest_of(const char *data, size_t len)
{
    slds_csv *r;
    slds_error err = {0};
    assert_int_equal(slds_csv_open_mem(&r, "d.csv", data, len, &err), SLDS_OK);
    slds_csv_record rec;
    while (slds_csv_next(r, &rec, &err) == 1)
        ;
    uint64_t d = slds_csv_digest(r);
    slds_csv_close(r);
    return d;
}

/* Writes filler records "f,xxxx…\n" into buf from at up to exactly target;
 * returns the number of records written (each one line). */
static long fill_to(char *buf, size_t at, size_t target)
{
    long n = 0;
    while (at < target) {
        size_t left = target - at, len = left > 180 ? 100 : left;
        if (left > 100 && left <= 180)
            len = left / 2;
        assert_true(len >= 3);
        buf[at] = 'f';
        buf[at + 1] = ',';
        for (size_t k = 2; k + 1 < len; k++)
            buf[at + k] = (char)('a' + (at + k) % 26);
        buf[at + len - 1] = '\n';
        at += len;
        n++;
    }
    return n;
}

/* ---- quoting ------------------------------------------------------------ */

static void test_quoted_commas(void **state)
{
    (void)state;
    rec_copy r[4];
    assert_int_equal(read_str("a,\"b,c\",d\n\",\",\",,\"\n", r, 4), 2);
    assert_int_equal(r[0].n, 3);
    assert_string_equal(r[0].f[0], "a");
    assert_string_equal(r[0].f[1], "b,c");
    assert_int_equal(r[0].len[1], 3);
    assert_string_equal(r[0].f[2], "d");
    assert_int_equal(r[1].n, 2);
    assert_string_equal(r[1].f[0], ",");
    assert_string_equal(r[1].f[1], ",,");
    assert_int_equal(r[0].bad_quote, -1);
    assert_int_equal(r[0].bad_utf8, -1);
}

static void test_doubled_quotes(void **state)
{
    (void)state;
    rec_copy r[2];
    /* "He said ""hi""" -> He said "hi" (12 bytes); """" -> "; "" -> empty */
    assert_int_equal(read_str("\"He said \"\"hi\"\"\",\"\"\"\",\"\",x\n", r, 2), 1);
    assert_int_equal(r[0].n, 4);
    assert_string_equal(r[0].f[0], "He said \"hi\"");
    assert_int_equal(r[0].len[0], 12);
    assert_string_equal(r[0].f[1], "\"");
    assert_int_equal(r[0].len[1], 1);
    assert_string_equal(r[0].f[2], "");
    assert_int_equal(r[0].len[2], 0);
    assert_string_equal(r[0].f[3], "x");
    assert_int_equal(r[0].bad_quote, -1);
}

static void test_embedded_line_breaks_and_line_numbers(void **state)
{
    (void)state;
    rec_copy r[6];
    const char *in = "id,note\n"                    /* line 1 */
                     "1,\"line one\nline two\"\n"   /* lines 2-3 */
                     "2,\"a\r\nb\r\nc\"\n"          /* lines 4-6, CRLF kept inside */
                     "3,\"x\ry\"\n"                 /* lines 7-8: a lone CR is a line break */
                     "4,plain\n";                   /* line 9 */
    assert_int_equal(read_str(in, r, 6), 5);
    assert_int_equal(r[0].line, 1);
    assert_int_equal(r[0].end_line, 1);
    assert_int_equal(r[1].line, 2);
    assert_int_equal(r[1].end_line, 3);
    assert_string_equal(r[1].f[1], "line one\nline two");
    assert_int_equal(r[2].line, 4);
    assert_int_equal(r[2].end_line, 6);
    assert_string_equal(r[2].f[1], "a\r\nb\r\nc");
    assert_int_equal(r[2].len[1], 7);
    assert_int_equal(r[3].line, 7);
    assert_int_equal(r[3].end_line, 8);
    assert_string_equal(r[3].f[1], "x\ry");
    assert_int_equal(r[4].line, 9);
    assert_int_equal(r[4].end_line, 9);
    assert_string_equal(r[4].f[1], "plain");
}

static void test_last_record_spanning_lines_without_newline(void **state)
{
    (void)state;
    rec_copy r[2];
    /* The last record has no line break after it: it still ends on line 4. */
    assert_int_equal(read_str("h\n\"a\nb\nc\"", r, 2), 2);
    assert_int_equal(r[1].line, 2);
    assert_int_equal(r[1].end_line, 4);
    assert_string_equal(r[1].f[0], "a\nb\nc");
}

/* ---- line endings, BOM, blank lines, last line ------------------------- */

static void test_line_endings(void **state)
{
    (void)state;
    rec_copy r[6];
    static const char *const inputs[] = {"a,1\nb,2\nc,3\n", "a,1\r\nb,2\r\nc,3\r\n", "a,1\rb,2\rc,3\r",
                                         "a,1\r\nb,2\nc,3\r"};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(read_str(inputs[k], r, 6), 3);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(r[i].n, 2);
            assert_int_equal(r[i].line, i + 1);
            assert_int_equal(r[i].end_line, i + 1);
            assert_int_equal(r[i].len[0], 1);
            assert_int_equal(r[i].f[0][0], 'a' + i);
            assert_int_equal(r[i].len[1], 1); /* no CR left on the last field */
            assert_int_equal(r[i].f[1][0], '1' + i);
        }
    }
    /* \r\r\n is a lone CR (an empty line) then a CRLF. */
    assert_int_equal(read_str("a\r\r\nb\n", r, 6), 3);
    assert_string_equal(r[0].f[0], "a");
    assert_int_equal(r[1].len[0], 0);
    assert_int_equal(r[1].line, 2);
    assert_string_equal(r[2].f[0], "b");
    assert_int_equal(r[2].line, 3);
}

static void test_bom(void **state)
{
    (void)state;
    rec_copy r[3];
    assert_int_equal(read_str("\xEF\xBB\xBFid,x\n1,2\n", r, 3), 2);
    assert_string_equal(r[0].f[0], "id");
    assert_int_equal(r[0].len[0], 2);
    assert_int_equal(r[0].line, 1);
    /* A BOM alone is an empty file. */
    assert_int_equal(read_str("\xEF\xBB\xBF", r, 3), 0);
    /* Only at the start: later it is the character U+FEFF, kept. */
    assert_int_equal(read_str("a\n\xEF\xBB\xBF" "b\n", r, 3), 2);
    assert_int_equal(r[1].len[0], 4);
    assert_memory_equal(r[1].f[0], "\xEF\xBB\xBF" "b", 4);
    assert_int_equal(r[1].bad_utf8, -1);
    /* Two bytes of a BOM are not a BOM: kept, and not valid UTF-8. */
    assert_int_equal(read_str("\xEF\xBB,x\n", r, 3), 1);
    assert_int_equal(r[0].len[0], 2);
    assert_int_equal(r[0].bad_utf8, 0);
}

static void test_last_line_without_newline(void **state)
{
    (void)state;
    rec_copy r[3];
    assert_int_equal(read_str("a,b\nc,d", r, 3), 2);
    assert_int_equal(r[1].n, 2);
    assert_string_equal(r[1].f[0], "c");
    assert_string_equal(r[1].f[1], "d");
    assert_int_equal(r[1].line, 2);
    assert_int_equal(r[1].end_line, 2);
    /* ...and a quoted last field without a newline. */
    assert_int_equal(read_str("a,\"q\"\"\"", r, 3), 1);
    assert_string_equal(r[0].f[1], "q\"");
}

static void test_trailing_empty_field(void **state)
{
    (void)state;
    rec_copy r[3];
    assert_int_equal(read_str("a,b,\n", r, 3), 1);
    assert_int_equal(r[0].n, 3);
    assert_int_equal(r[0].len[2], 0);
    assert_string_equal(r[0].f[2], "");
    /* The same at the end of the file, without a newline. */
    assert_int_equal(read_str("a,b,", r, 3), 1);
    assert_int_equal(r[0].n, 3);
    assert_int_equal(r[0].len[2], 0);
    /* A lone separator is two empty fields; "," then CRLF too. */
    assert_int_equal(read_str(",\r\n,", r, 3), 2);
    assert_int_equal(r[0].n, 2);
    assert_int_equal(r[1].n, 2);
    assert_int_equal(r[0].len[0] + r[0].len[1] + r[1].len[0] + r[1].len[1], 0);
}

static void test_empty_lines_and_empty_file(void **state)
{
    (void)state;
    rec_copy r[5];
    assert_int_equal(read_str("", r, 5), 0);
    assert_int_equal(read_str("a\n\nb\n\r\n", r, 5), 4);
    assert_int_equal(r[1].n, 1);
    assert_int_equal(r[1].len[0], 0);
    assert_int_equal(r[1].line, 2);
    assert_string_equal(r[2].f[0], "b");
    assert_int_equal(r[2].line, 3);
    assert_int_equal(r[3].n, 1);
    assert_int_equal(r[3].len[0], 0);
    assert_int_equal(r[3].line, 4);
    /* An empty quoted field is a record of one empty field too. */
    assert_int_equal(read_str("\"\"\n", r, 5), 1);
    assert_int_equal(r[0].n, 1);
    assert_int_equal(r[0].len[0], 0);
}

/* ---- the 1 MiB window ---------------------------------------------------- */

/* A quoted field of 300,000 bytes that starts 100,000 bytes before the end of
 * the first window: the partial record is moved and re-scanned, and its
 * doubled quotes, commas and line breaks must come out exactly once. */
static void test_record_straddling_window(void **state)
{
    (void)state;
    const size_t start = WINDOW - 100000, body = 300000;
    char *buf = malloc(WINDOW * 2);
    char *expect = malloc(body + 1);
    assert_non_null(buf);
    assert_non_null(expect);
    long filler = fill_to(buf, 0, start);
    size_t at = start;
    memcpy(buf + at, "big,\"", 5);
    at += 5;
    /* body: a cycle of 10 source bytes "ab,""cd\nef" -> 9 value bytes ab,"cd\nef */
    size_t e = 0, src = 0;
    long breaks = 0;
    while (src < body) {
        static const char cycle[] = "ab,\"\"cd\nef";
        memcpy(buf + at, cycle, 10);
        at += 10;
        src += 10;
        memcpy(expect + e, "ab,\"cd\nef", 9);
        e += 9;
        breaks++;
    }
    memcpy(buf + at, "\",end\nnext,1\n", 13);
    at += 13;
    slds_csv *r;
    slds_error err = {0};
    assert_int_equal(slds_csv_open_mem(&r, "big.csv", buf, at, &err), SLDS_OK);
    slds_csv_record rec;
    for (long i = 0; i < filler; i++) {
        assert_int_equal(slds_csv_next(r, &rec, &err), 1);
        assert_int_equal(rec.line, i + 1);
        assert_int_equal(rec.nfields, 2);
    }
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_int_equal(rec.nfields, 3);
    assert_string_equal(rec.fields[0], "big");
    assert_int_equal(rec.lengths[1], e);
    assert_memory_equal(rec.fields[1], expect, e);
    assert_int_equal(rec.fields[1][e], '\0');
    assert_string_equal(rec.fields[2], "end");
    assert_int_equal(rec.line, filler + 1);
    assert_int_equal(rec.end_line, filler + 1 + breaks);
    assert_int_equal(rec.bad_quote_field, -1);
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_string_equal(rec.fields[0], "next");
    assert_int_equal(rec.line, filler + 2 + breaks);
    assert_int_equal(slds_csv_next(r, &rec, &err), 0);
    assert_int_equal(slds_csv_offset(r), at);
    assert_int_equal(slds_csv_digest(r), fnv1a(buf, at));
    slds_csv_close(r);
    free(buf);
    free(expect);
}

/* A CRLF split by the window end (CR last byte of the window) is one line
 * break, and a doubled quote split the same way is one quote. */
static void test_split_crlf_and_doubled_quote_at_window_end(void **state)
{
    (void)state;
    char *buf = malloc(WINDOW + 64);
    assert_non_null(buf);
    long filler = fill_to(buf, 0, WINDOW - 4);
    memcpy(buf + WINDOW - 4, "x,y\r\nz\n", 7); /* \r is byte WINDOW-1 */
    size_t len = WINDOW + 3;
    slds_csv *rd;
    slds_error err = {0};
    slds_csv_record rec;
    assert_int_equal(slds_csv_open_mem(&rd, "crlf.csv", buf, len, &err), SLDS_OK);
    for (long i = 0; i < filler; i++)
        assert_int_equal(slds_csv_next(rd, &rec, &err), 1);
    assert_int_equal(slds_csv_next(rd, &rec, &err), 1);
    assert_string_equal(rec.fields[1], "y");
    assert_int_equal(rec.line, filler + 1);
    assert_int_equal(slds_csv_next(rd, &rec, &err), 1);
    assert_string_equal(rec.fields[0], "z"); /* no empty record in between */
    assert_int_equal(rec.line, filler + 2);
    assert_int_equal(slds_csv_next(rd, &rec, &err), 0);
    slds_csv_close(rd);

    /* "a""b": the first quote of the pair is byte WINDOW-1. */
    filler = fill_to(buf, 0, WINDOW - 3);
    memcpy(buf + WINDOW - 3, "\"a\"\"b\"\n", 7);
    assert_int_equal(slds_csv_open_mem(&rd, "dq.csv", buf, WINDOW + 4, &err), SLDS_OK);
    for (long i = 0; i < filler; i++)
        assert_int_equal(slds_csv_next(rd, &rec, &err), 1);
    assert_int_equal(slds_csv_next(rd, &rec, &err), 1);
    assert_int_equal(rec.nfields, 1);
    assert_string_equal(rec.fields[0], "a\"b");
    assert_int_equal(rec.bad_quote_field, -1);
    assert_int_equal(slds_csv_next(rd, &rec, &err), 0);
    slds_csv_close(rd);
    free(buf);
}

/* A single record of 3 MiB: the window grows, and the value is exact. */
static void test_record_longer_than_window(void **state)
{
    (void)state;
    const size_t big = 3u << 20;
    char *buf = malloc(big + 32);
    assert_non_null(buf);
    memcpy(buf, "h\n\"", 3);
    for (size_t i = 0; i < big; i++)
        buf[3 + i] = (char)('A' + i % 23);
    memcpy(buf + 3 + big, "\",t\n", 4);
    slds_csv *r;
    slds_error err = {0};
    slds_csv_record rec;
    assert_int_equal(slds_csv_open_mem(&r, "long.csv", buf, big + 7, &err), SLDS_OK);
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_int_equal(rec.nfields, 2);
    assert_int_equal(rec.lengths[0], big);
    assert_memory_equal(rec.fields[0], buf + 3, big);
    assert_string_equal(rec.fields[1], "t");
    assert_int_equal(slds_csv_next(r, &rec, &err), 0);
    slds_csv_close(r);
    free(buf);
}

/* A record longer than SLDS_CSV_MAX_RECORD is a file-level error naming its line. */
static void test_record_too_long(void **state)
{
    (void)state;
    const size_t big = SLDS_CSV_MAX_RECORD + 10;
    char *buf = malloc(big + 16);
    assert_non_null(buf);
    memcpy(buf, "h\nh\n", 4);
    memset(buf + 4, 'x', big);
    buf[4 + big] = '\n';
    slds_csv *r;
    slds_error err = {0};
    slds_csv_record rec;
    assert_int_equal(slds_csv_open_mem(&r, "huge.csv", buf, big + 5, &err), SLDS_OK);
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_int_equal(slds_csv_next(r, &rec, &err), -1);
    assert_int_equal(err.code, SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "huge.csv: line 3:"));
    assert_non_null(strstr(err.message, "longer than 16 MiB"));
    slds_csv_close(r);
    free(buf);
}

/* 400,000 small records (about 9 MB, so about nine windows): every field and
 * line number comes back, from memory and from a file, with the digest of
 * every byte. */
static void test_many_records_across_windows(void **state)
{
    (void)state;
    const long n = 400000;
    size_t cap = (size_t)n * 32 + 64, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    len += (size_t)sprintf(buf, "id,name,note\r\n");
    for (long i = 0; i < n; i++) {
        if (i % 3 == 0)
            len += (size_t)sprintf(buf + len, "%ld,n%ld,\"q,%ld\"\"\"\r\n", i, i * 7, i % 1000);
        else
            len += (size_t)sprintf(buf + len, "%ld,n%ld,plain\n", i, i * 7);
    }
    char path[] = "/tmp/slds_test_csv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
    for (int source = 0; source < 2; source++) {
        slds_csv *r;
        slds_error err = {0};
        if (source == 0)
            assert_int_equal(slds_csv_open_mem(&r, "many.csv", buf, len, &err), SLDS_OK);
        else
            assert_int_equal(slds_csv_open(&r, path, &err), SLDS_OK);
        assert_int_equal(slds_csv_size(r), len);
        slds_csv_record rec;
        assert_int_equal(slds_csv_next(r, &rec, &err), 1);
        assert_string_equal(rec.fields[2], "note");
        char want[64];
        for (long i = 0; i < n; i++) {
            assert_int_equal(slds_csv_next(r, &rec, &err), 1);
            assert_int_equal(rec.nfields, 3);
            assert_int_equal(rec.line, i + 2);
            assert_int_equal(rec.end_line, i + 2);
            snprintf(want, sizeof want, "%ld", i);
            if (strcmp(rec.fields[0], want))
                fail_msg("record %ld: field 0 is '%s'", i, rec.fields[0]);
            snprintf(want, sizeof want, "n%ld", i * 7);
            if (strcmp(rec.fields[1], want))
                fail_msg("record %ld: field 1 is '%s'", i, rec.fields[1]);
            if (i % 3 == 0)
                snprintf(want, sizeof want, "q,%ld\"", i % 1000);
            else
                snprintf(want, sizeof want, "plain");
            if (strcmp(rec.fields[2], want) || rec.lengths[2] != strlen(want))
                fail_msg("record %ld: field 2 is '%s'", i, rec.fields[2]);
        }
        assert_int_equal(slds_csv_next(r, &rec, &err), 0);
        assert_int_equal(slds_csv_offset(r), len);
        assert_int_equal(slds_csv_digest(r), fnv1a(buf, len));
        slds_csv_close(r);
    }
    unlink(path);
    free(buf);
}

/* ---- record-level faults -------------------------------------------------- */

static void test_bad_utf8_field_index(void **state)
{
    (void)state;
    rec_copy r[4];
    /* field 1 is \xC3\x28 (a lead byte without its continuation) */
    assert_int_equal(read_str("ok,\xC3\x28,\xFF\n"
                              "Zo\xC3\xAB,\xE6\x97\xA5\xE6\x9C\xAC,\xF0\x9F\x98\x80\n"
                              "a,b,Garc\xED" "a\n"
                              "\"\xED\xA0\x80\",b,c\n",
                              r, 4),
                     4);
    assert_int_equal(r[0].bad_utf8, 1);
    assert_int_equal(r[1].bad_utf8, -1); /* Zoë, 日本, 😀 */
    assert_int_equal(r[2].bad_utf8, 2);  /* Latin-1 í */
    assert_string_equal(r[2].f[2], "Garc\xED" "a");
    assert_int_equal(r[3].bad_utf8, 0); /* a surrogate, quoted */
    assert_int_equal(r[0].bad_quote, -1);
}

static void test_utf8_valid(void **state)
{
    (void)state;
#define OK(s) assert_true(slds_utf8_valid(s, sizeof(s) - 1))
#define BAD(s) assert_false(slds_utf8_valid(s, sizeof(s) - 1))
    OK("");
    OK("plain ASCII \x7F");
    OK("\xC2\x80");             /* U+0080, smallest 2-byte */
    OK("\xDF\xBF");             /* U+07FF */
    OK("\xE0\xA0\x80");         /* U+0800, smallest 3-byte */
    OK("\xED\x9F\xBF");         /* U+D7FF, just below the surrogates */
    OK("\xEE\x80\x80");         /* U+E000, just above */
    OK("\xEF\xBF\xBF");         /* U+FFFF */
    OK("\xF0\x90\x80\x80");     /* U+10000, smallest 4-byte */
    OK("\xF4\x8F\xBF\xBF");     /* U+10FFFF, the largest */
    OK("Garc\xC3\xAD" "a");
    BAD("\xC0\xAF");            /* overlong '/' */
    BAD("\xC1\xBF");            /* overlong U+007F */
    BAD("\xE0\x80\xAF");        /* overlong '/' in 3 bytes */
    BAD("\xE0\x9F\xBF");        /* overlong U+07FF */
    BAD("\xF0\x80\x80\xAF");    /* overlong '/' in 4 bytes */
    BAD("\xF0\x8F\xBF\xBF");    /* overlong U+FFFF */
    BAD("\xED\xA0\x80");        /* U+D800, a surrogate */
    BAD("\xED\xBF\xBF");        /* U+DFFF */
    BAD("\xF4\x90\x80\x80");    /* U+110000, beyond Unicode */
    BAD("\xF8\x88\x80\x80\x80"); /* a 5-byte form */
    BAD("\x80");                /* a continuation byte alone */
    BAD("a\xE2\x82");           /* truncated at the end */
    BAD("\xE2\x82z");           /* truncated before ASCII */
    BAD("\xC3");
    BAD("\xFF");
    /* The length is respected: a valid prefix of an invalid buffer is valid. */
    assert_true(slds_utf8_valid("ab\xFF", 2));
    assert_false(slds_utf8_valid("\xC3\xA9", 1));
#undef OK
#undef BAD
}

static void test_stray_quote(void **state)
{
    (void)state;
    rec_copy r[5];
    assert_int_equal(read_str("a,b\"c,d\n"     /* quote inside an unquoted field */
                              "\"ab\"cd,e\n"   /* text after the closing quote */
                              "x,\"a\" ,y\n"   /* a space after the closing quote */
                              "\"a\",\"b\"\n"  /* clean */
                              "p,q\"\n",       /* quote at the end of the last field */
                              r, 5),
                     5);
    assert_int_equal(r[0].bad_quote, 1);
    assert_int_equal(r[0].n, 3);
    assert_string_equal(r[0].f[1], "b\"c");
    assert_string_equal(r[0].f[2], "d");
    assert_int_equal(r[1].bad_quote, 0);
    assert_int_equal(r[1].n, 2);
    assert_string_equal(r[1].f[1], "e");
    assert_int_equal(r[2].bad_quote, 1);
    assert_int_equal(r[2].n, 3);
    assert_string_equal(r[2].f[2], "y");
    assert_int_equal(r[3].bad_quote, -1);
    assert_int_equal(r[4].bad_quote, 1);
    assert_int_equal(r[4].line, 5);
}

/* ---- file-level faults ------------------------------------------------------ */

static void expect_file_error(const char *data, size_t len, int records_before, const char *needle)
{
    rec_copy r[8];
    slds_error err = {0};
    int rc;
    int n = read_all(data, len, r, 8, &rc, &err);
    assert_int_equal(rc, -1);
    assert_int_equal(n, records_before);
    assert_int_equal(err.code, SLDS_ERR_DATA);
    if (!strstr(err.message, needle))
        fail_msg("message '%s' does not contain '%s'", err.message, needle);
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char a[] = "a,b\nc,\0d\n";
    expect_file_error(a, sizeof a - 1, 1, "mem.csv: line 2: binary data (NUL byte)");
    /* inside a quoted field, on the third line of a record that starts on line 2 */
    static const char b[] = "h\n\"x\ny\nz\0\"\n";
    expect_file_error(b, sizeof b - 1, 1, "mem.csv: line 4: binary data");
    /* after a closing quote */
    static const char c[] = "h\nk\n\"x\"\0\n";
    expect_file_error(c, sizeof c - 1, 2, "line 3: binary data");
    /* as the first byte */
    static const char d[] = "\0";
    expect_file_error(d, 1, 0, "line 1: binary data");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    static const char a[] = "h\nL1,\"Ben,Okafor\nL2,x\n";
    expect_file_error(a, sizeof a - 1, 1, "mem.csv: line 2: a quoted field is never closed");
    /* The record starts on line 2, but the open quote is on line 3 (after a
     * field spanning lines 2-3). */
    static const char b[] = "h\n\"a\nb\",\"open\nmore\n";
    expect_file_error(b, sizeof b - 1, 1, "mem.csv: line 3: a quoted field is never closed");
    /* A single quote at the end of the file. */
    static const char c[] = "h\n\"";
    expect_file_error(c, sizeof c - 1, 1, "line 2: a quoted field is never closed");
}

/* ---- digest, offsets, opening ------------------------------------------- */

static void test_digest(void **state)
{
    (void)state;
    char a[] = "id,name\n1,Ana\n2,Ben\n";
    char b[] = "id,name\n1,Ana\n2,Ben\n";
    size_t n = sizeof a - 1;
    uint64_t da = digest_of(a, n);
    assert_int_equal(da, digest_of(b, n));
    assert_int_equal(da, fnv1a(a, n));
    b[10] = 'n'; /* "Ana" -> "Ann" */
    uint64_t db = digest_of(b, n);
    assert_int_not_equal(da, db);
    assert_int_equal(db, fnv1a(b, n));
    /* Every byte counts, the BOM and the last newline included. */
    assert_int_not_equal(digest_of(a, n), digest_of(a, n - 1));
    assert_int_not_equal(digest_of("\xEF\xBB\xBF" "a\n", 5), digest_of("a\n", 2));
    /* Nothing read yet: the FNV offset basis; an empty input stays there. */
    assert_int_equal(digest_of("", 0), 1469598103934665603ull);
}

static void test_open_missing_file(void **state)
{
    (void)state;
    slds_csv *r = (slds_csv *)1;
    slds_error err = {0};
    const char *path = "/nonexistent-slds-dir/none.csv";
    assert_int_equal(slds_csv_open(&r, path, &err), SLDS_ERR_IO);
    assert_null(r);
    assert_int_equal(err.code, SLDS_ERR_IO);
    assert_non_null(strstr(err.message, path));
    slds_csv_close(NULL); /* closing nothing is fine */
}

static void test_open_file_reads_same_as_memory(void **state)
{
    (void)state;
    const char *data = "\xEF\xBB\xBFh1,h2\r\n\"a\nb\",c\n,\n";
    char path[] = "/tmp/slds_test_csv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
    close(fd);
    slds_csv *r;
    slds_error err = {0};
    slds_csv_record rec;
    assert_int_equal(slds_csv_open(&r, path, &err), SLDS_OK);
    assert_int_equal(slds_csv_size(r), strlen(data));
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_string_equal(rec.fields[0], "h1");
    assert_string_equal(rec.fields[1], "h2");
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_string_equal(rec.fields[0], "a\nb");
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.end_line, 3);
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_int_equal(rec.nfields, 2);
    assert_int_equal(rec.line, 4);
    assert_int_equal(slds_csv_next(r, &rec, &err), 0);
    assert_int_equal(slds_csv_offset(r), strlen(data));
    assert_int_equal(slds_csv_digest(r), fnv1a(data, strlen(data)));
    slds_csv_close(r);
    unlink(path);
}

/* Many fields in one record: the field table grows past its first 32. */
static void test_many_fields(void **state)
{
    (void)state;
    char buf[4096];
    size_t len = 0;
    for (int i = 0; i < 300; i++)
        len += (size_t)sprintf(buf + len, i ? ",%d" : "%d", i);
    buf[len++] = '\n';
    slds_csv *r;
    slds_error err = {0};
    slds_csv_record rec;
    assert_int_equal(slds_csv_open_mem(&r, "wide.csv", buf, len, &err), SLDS_OK);
    assert_int_equal(slds_csv_next(r, &rec, &err), 1);
    assert_int_equal(rec.nfields, 300);
    assert_string_equal(rec.fields[0], "0");
    assert_string_equal(rec.fields[31], "31");
    assert_string_equal(rec.fields[32], "32");
    assert_string_equal(rec.fields[299], "299");
    assert_int_equal(rec.lengths[299], 3);
    slds_csv_close(r);
}

/* Writes one report field to memory and returns it (static buffer). */
static const char *text_field(const char *value)
{
    static char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    slds_csv_write_text_field(f, value);
    fputc('\0', f);
    fclose(f);
    return buf;
}

static void test_text_field_neutralizes_formulas(void **state)
{
    (void)state;
    assert_string_equal(text_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    assert_string_equal(text_field("@SUM(A1)"), "\"'@SUM(A1)\"");
    assert_string_equal(text_field("+cmd"), "\"'+cmd\"");
    assert_string_equal(text_field("-2+3"), "\"'-2+3\"");
    assert_string_equal(text_field("\tx"), "\"'\tx\"");
    /* numbers and ordinary text are written as they are */
    assert_string_equal(text_field("-3.5"), "-3.5");
    assert_string_equal(text_field("+12"), "+12");
    assert_string_equal(text_field("-1e-3"), "-1e-3");
    assert_string_equal(text_field("Smith, Ann"), "\"Smith, Ann\"");
    assert_string_equal(text_field("a=b"), "a=b");
    assert_true(slds_csv_is_formula("-inf"));
    assert_false(slds_csv_is_formula(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoted_commas),
        cmocka_unit_test(test_doubled_quotes),
        cmocka_unit_test(test_embedded_line_breaks_and_line_numbers),
        cmocka_unit_test(test_last_record_spanning_lines_without_newline),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_last_line_without_newline),
        cmocka_unit_test(test_trailing_empty_field),
        cmocka_unit_test(test_empty_lines_and_empty_file),
        cmocka_unit_test(test_record_straddling_window),
        cmocka_unit_test(test_split_crlf_and_doubled_quote_at_window_end),
        cmocka_unit_test(test_record_longer_than_window),
        cmocka_unit_test(test_record_too_long),
        cmocka_unit_test(test_many_records_across_windows),
        cmocka_unit_test(test_bad_utf8_field_index),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_stray_quote),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_open_missing_file),
        cmocka_unit_test(test_open_file_reads_same_as_memory),
        cmocka_unit_test(test_many_fields),
        cmocka_unit_test(test_text_field_neutralizes_formulas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
