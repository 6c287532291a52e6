/* fuzz_csv.c - libFuzzer target for the streaming CSV reader (src/ingest/csv.c).
 *
 * Arbitrary bytes are read with slds_csv_open_mem + slds_csv_next until the end
 * or an error, and every record is compared with a second, deliberately naive
 * reader written here from csv.h's description (a byte-at-a-time state machine
 * over the whole input, with its own UTF-8 check from the Unicode standard's
 * table of well-formed sequences). Besides agreeing field by field, line by
 * line and on the error, the reader must keep these invariants:
 *   - nfields >= 1; each field is NUL-terminated at its stated length and has
 *     no NUL inside; bad_utf8_field / bad_quote_field are -1 or a field index;
 *   - a record starts on the line after the previous one ended, and ends on
 *     its start line plus the line breaks inside its values;
 *   - at a clean end, offset == size and the digest is FNV-1a of all bytes;
 *   - an error is SLDS_ERR_DATA and its message names the file and a line
 *     after the last good record.
 * Build and run: docs/fuzzing.md. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ingest/csv.h"

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "fuzz_csv: %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fputc('\n', stderr);                                                                  \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

/* ---- the reference reader ------------------------------------------------- */

/* Well-formed UTF-8 per Unicode Table 3-7. */
static int ref_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        unsigned lo = 0x80, hi = 0xBF;
        size_t more;
        if (c <= 0x7F) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF)
            more = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else
            return 0;
        if (n - i <= more)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= more; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += more + 1;
    }
    return 1;
}

typedef struct ref_field {
    size_t start, len; /* into ref_state.values */
} ref_field;

typedef struct ref_record {
    long line, end_line;
    int nfields, first_field;
    int bad_utf8, bad_quote;
} ref_record;

typedef struct ref_state {
    unsigned char *values; /* every field's value, back to back */
    size_t nvalues;
    ref_field *fields;
    int nfields_total;
    ref_record *records;
    int nrecords;
    int error;       /* 0 none, 1 NUL byte, 2 unterminated quote */
    long error_line;
} ref_state;

/* Parses the whole input. The arrays are sized for the worst case: every
 * byte a field, every byte a record. */
static void ref_parse(const unsigned char *d, size_t n, ref_state *st)
{
    size_t pos = 0;
    long line = 1;
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        pos = 3;
    while (pos < n) {
        ref_record *rec = &st->records[st->nrecords];
        rec->line = line;
        rec->first_field = st->nfields_total;
        rec->nfields = 0;
        rec->bad_quote = -1;
        rec->bad_utf8 = -1;
        for (;;) {
            ref_field *f = &st->fields[st->nfields_total];
            f->start = st->nvalues;
            if (d[pos] == '"') {
                long open_line = line;
                pos++;
                for (;;) {
                    if (pos >= n) {
                        st->error = 2;
                        st->error_line = open_line;
                        return;
                    }
                    unsigned char c = d[pos];
                    if (c == '"') {
                        if (pos + 1 < n && d[pos + 1] == '"') {
                            st->values[st->nvalues++] = '"';
                            pos += 2;
                            continue;
                        }
                        pos++;
                        break;
                    }
                    if (c == '\0') {
                        st->error = 1;
                        st->error_line = line;
                        return;
                    }
                    if (c == '\n' || (c == '\r' && pos + 1 < n && d[pos + 1] != '\n'))
                        line++;
                    st->values[st->nvalues++] = c;
                    pos++;
                }
                /* Text after the closing quote is dropped and marks the field. */
                while (pos < n && d[pos] != ',' && d[pos] != '\r' && d[pos] != '\n') {
                    if (d[pos] == '\0') {
                        st->error = 1;
                        st->error_line = line;
                        return;
                    }
                    if (rec->bad_quote < 0)
                        rec->bad_quote = rec->nfields;
                    pos++;
                }
            } else {
                while (pos < n && d[pos] != ',' && d[pos] != '\r' && d[pos] != '\n') {
                    if (d[pos] == '\0') {
                        st->error = 1;
                        st->error_line = line;
                        return;
                    }
                    if (d[pos] == '"' && rec->bad_quote < 0)
                        rec->bad_quote = rec->nfields;
                    st->values[st->nvalues++] = d[pos++];
                }
            }
            f->len = st->nvalues - f->start;
            st->values[st->nvalues++] = '\0'; /* keeps values printable while debugging */
            if (rec->bad_utf8 < 0 && !ref_utf8_valid(st->values + f->start, f->len))
                rec->bad_utf8 = rec->nfields;
            rec->nfields++;
            st->nfields_total++;
            if (pos >= n)
                break;
            if (d[pos] == ',') {
                pos++;
                if (pos >= n) { /* a separator at the very end: one more, empty field */
                    ref_field *e = &st->fields[st->nfields_total++];
                    e->start = st->nvalues;
                    e->len = 0;
                    st->values[st->nvalues++] = '\0';
                    rec->nfields++;
                    break;
                }
                continue;
            }
            rec->end_line = line;
            pos += d[pos] == '\r' && pos + 1 < n && d[pos + 1] == '\n' ? 2 : 1;
            line++;
            goto next_record;
        }
        rec->end_line = line;
    next_record:
        st->nrecords++;
    }
}

/* ---- helpers ------------------------------------------------------------ */

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Line breaks inside a value, counted as the reader counts them. */
static long breaks_in(const char *s, size_t n)
{
    long b = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
            b++;
    return b;
}

/* ---- the target ------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ref_state ref = {0};
    ref.values = malloc(2 * size + 2);
    ref.fields = malloc((size + 2) * sizeof *ref.fields);
    ref.records = malloc((size + 1) * sizeof *ref.records);
    if (!ref.values || !ref.fields || !ref.records)
        abort();
    ref_parse(data, size, &ref);

    slds_csv *r;
    slds_error err = {0};
    CHECK(slds_csv_open_mem(&r, "fuzz.csv", (const char *)data, size, &err) == SLDS_OK, "open: %s",
          err.message);
    CHECK(slds_csv_size(r) == size, "size %zu", slds_csv_size(r));
    slds_csv_record rec;
    int rc, n = 0;
    long prev_end = 0;
    while ((rc = slds_csv_next(r, &rec, &err)) == 1) {
        CHECK(rec.nfields >= 1, "record %d: %d fields", n, rec.nfields);
        CHECK(rec.line == prev_end + 1, "record %d starts on line %ld after a record ending on %ld", n,
              rec.line, prev_end);
        long inside = 0;
        for (int i = 0; i < rec.nfields; i++) {
            CHECK(rec.fields[i][rec.lengths[i]] == '\0', "record %d field %d not NUL-terminated", n, i);
            CHECK(memchr(rec.fields[i], '\0', rec.lengths[i]) == NULL, "record %d field %d has a NUL", n,
                  i);
            inside += breaks_in(rec.fields[i], rec.lengths[i]);
        }
        CHECK(rec.end_line == rec.line + inside, "record %d: lines %ld-%ld with %ld breaks inside", n,
              rec.line, rec.end_line, inside);
        CHECK(rec.bad_utf8_field >= -1 && rec.bad_utf8_field < rec.nfields, "bad_utf8_field %d",
              rec.bad_utf8_field);
        CHECK(rec.bad_quote_field >= -1 && rec.bad_quote_field < rec.nfields, "bad_quote_field %d",
              rec.bad_quote_field);
        for (int i = 0; i < rec.nfields; i++) {
            bool valid = slds_utf8_valid(rec.fields[i], rec.lengths[i]);
            CHECK(valid == (bool)ref_utf8_valid((const unsigned char *)rec.fields[i], rec.lengths[i]),
                  "record %d field %d: slds_utf8_valid says %d", n, i, valid);
            if (i < rec.bad_utf8_field || rec.bad_utf8_field < 0)
                CHECK(valid, "record %d field %d invalid but bad_utf8_field %d", n, i, rec.bad_utf8_field);
            if (i == rec.bad_utf8_field)
                CHECK(!valid, "record %d field %d valid but marked", n, i);
        }
        /* The reference agrees on everything. */
        CHECK(n < ref.nrecords, "reader has record %d, reference only %d", n, ref.nrecords);
        const ref_record *e = &ref.records[n];
        CHECK(rec.nfields == e->nfields, "record %d: %d fields, reference %d", n, rec.nfields, e->nfields);
        CHECK(rec.line == e->line && rec.end_line == e->end_line, "record %d: lines %ld-%ld, reference %ld-%ld",
              n, rec.line, rec.end_line, e->line, e->end_line);
        CHECK(rec.bad_quote_field == e->bad_quote, "record %d: bad_quote %d, reference %d", n,
              rec.bad_quote_field, e->bad_quote);
        CHECK(rec.bad_utf8_field == e->bad_utf8, "record %d: bad_utf8 %d, reference %d", n, rec.bad_utf8_field,
              e->bad_utf8);
        for (int i = 0; i < rec.nfields; i++) {
            const ref_field *f = &ref.fields[e->first_field + i];
            CHECK(rec.lengths[i] == f->len && !memcmp(rec.fields[i], ref.values + f->start, f->len),
                  "record %d field %d: '%s' (%zu bytes), reference '%s' (%zu)", n, i, rec.fields[i],
                  rec.lengths[i], (const char *)ref.values + f->start, f->len);
        }
        prev_end = rec.end_line;
        n++;
    }
    CHECK(n == ref.nrecords, "reader read %d records, reference %d", n, ref.nrecords);
    if (rc == 0) {
        CHECK(ref.error == 0, "reader ended cleanly, reference error %d at line %ld", ref.error,
              ref.error_line);
        CHECK(slds_csv_offset(r) == size, "offset %zu of %zu", slds_csv_offset(r), size);
        CHECK(slds_csv_digest(r) == fnv1a(data, size), "digest differs");
        /* Reading past the end stays at the end. */
        CHECK(slds_csv_next(r, &rec, &err) == 0, "a second end");
    } else {
        CHECK(rc == -1, "rc %d", rc);
        CHECK(err.code == SLDS_ERR_DATA, "error code %d: %s", err.code, err.message);
        CHECK(!strncmp(err.message, "fuzz.csv: line ", 15), "message '%s'", err.message);
        long line = strtol(err.message + 15, NULL, 10);
        CHECK(line > prev_end, "error on line %ld, last record ended on %ld", line, prev_end);
        CHECK(ref.error != 0, "reader failed (%s), reference did not", err.message);
        CHECK(line == ref.error_line, "error line %ld, reference %ld (%s)", line, ref.error_line,
              err.message);
        CHECK(strstr(err.message, ref.error == 1 ? "NUL byte" : "never closed") != NULL,
              "message '%s', reference error %d", err.message, ref.error);
    }
    slds_csv_close(r);
    free(ref.values);
    free(ref.fields);
    free(ref.records);
    return 0;
}
