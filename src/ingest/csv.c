/* csv.c - streaming RFC 4180 reader (see csv.h for what it accepts).
 *
 * The reader keeps a window of the file in buf[0..len). A record is first
 * scanned without modifying the window, recording where each field starts and
 * ends; only when the whole record is in the window is it finalised in place
 * (quotes removed, NULs written). If the window ends mid-record, the partial
 * record is moved to the front, more is read, and the scan restarts: so a
 * record is never half-modified when it must be scanned again. */
#include "ingest/csv.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* The window's first size. Fuzz builds set a tiny one (-DSLDS_CSV_WINDOW=32,
 * see docs/fuzzing.md) so that nearly every record crosses a window end. */
#ifndef SLDS_CSV_WINDOW
#define SLDS_CSV_WINDOW (1u << 20)
#endif
#define WINDOW ((size_t)SLDS_CSV_WINDOW)

struct slds_csv {
    char name[512];
    int fd;                 /* -1 when reading memory or gzip */
    gzFile gz;              /* a .gz file, decompressed as it is read */
    const char *mem;        /* the memory source, if any */
    size_t mem_len, mem_pos;
    char *buf;
    size_t cap, len, pos;   /* window, its fill and the scan position */
    size_t consumed;        /* bytes of the source before buf[0] */
    size_t size;
    bool eof, started;
    long line;
    uint64_t digest;
    size_t digested;        /* bytes of the source already digested */
    /* per-record field table */
    int fcap;
    char **fields;
    size_t *lengths;
    size_t *starts, *ends;  /* offsets into buf */
    unsigned char *quoted;
};

static int reader_init(slds_csv **out, const char *name, slds_error *err)
{
    slds_csv *r = calloc(1, sizeof *r);
    if (!r)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory opening %s", name);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->fd = -1;
    r->cap = WINDOW;
    r->buf = malloc(r->cap + 1);
    r->line = 1;
    r->digest = 1469598103934665603ull;
    if (!r->buf) {
        free(r);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory opening %s", name);
    }
    *out = r;
    return SLDS_OK;
}

static bool ends_with_gz(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && !strcmp(path + n - 3, ".gz");
}

int slds_csv_open(slds_csv **out, const char *path, slds_error *err)
{
    *out = NULL;
    if (ends_with_gz(path)) {
        gzFile gz = gzopen(path, "rb");
        if (!gz)
            return slds_fail(err, SLDS_ERR_IO, "%s: cannot open: %s", path,
                             errno ? strerror(errno) : "not a gzip file");
        gzbuffer(gz, 1u << 17);
        slds_csv *r;
        if (reader_init(&r, path, err)) {
            gzclose(gz);
            return err ? err->code : SLDS_ERR_NOMEM;
        }
        r->gz = gz;
        *out = r;
        return SLDS_OK;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    slds_csv *r;
    if (reader_init(&r, path, err)) {
        close(fd);
        return err ? err->code : SLDS_ERR_NOMEM;
    }
    r->fd = fd;
    struct stat st;
    if (fstat(fd, &st) == 0)
        r->size = (size_t)st.st_size;
    *out = r;
    return SLDS_OK;
}

void slds_csv_set_first_line(slds_csv *r, long line)
{
    if (!r->started)
        r->line = line;
}

int slds_csv_open_mem(slds_csv **out, const char *name, const char *data, size_t len,
                      slds_error *err)
{
    *out = NULL;
    slds_csv *r;
    int rc = reader_init(&r, name, err);
    if (rc)
        return rc;
    r->mem = data;
    r->mem_len = len;
    r->size = len;
    *out = r;
    return SLDS_OK;
}

void slds_csv_close(slds_csv *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    if (r->gz)
        gzclose(r->gz);
    free(r->buf);
    free(r->fields);
    free(r->lengths);
    free(r->starts);
    free(r->ends);
    free(r->quoted);
    free(r);
}

size_t slds_csv_offset(const slds_csv *r)
{
    return r->consumed + r->pos;
}

size_t slds_csv_size(const slds_csv *r)
{
    return r->size;
}

uint64_t slds_csv_digest(const slds_csv *r)
{
    return r->digest;
}

static void digest_bytes(slds_csv *r, const char *p, size_t n)
{
    uint64_t h = r->digest;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    r->digest = h;
}

/* Moves the unscanned tail to the front and reads more. Returns bytes added,
 * 0 at end of input, -1 on a read error. */
static long refill(slds_csv *r, size_t keep_from, slds_error *err)
{
    if (r->eof)
        return 0;
    size_t keep = r->len - keep_from;
    if (keep_from > 0) {
        memmove(r->buf, r->buf + keep_from, keep);
        r->consumed += keep_from;
        r->len = keep;
        r->pos -= keep_from;
    }
    if (r->len == r->cap) {
        if (r->cap >= SLDS_CSV_MAX_RECORD)
            return -2;
        size_t cap = r->cap * 2;
        char *p = realloc(r->buf, cap + 1);
        if (!p) {
            slds_fail(err, SLDS_ERR_NOMEM, "%s: out of memory", r->name);
            return -1;
        }
        r->buf = p;
        r->cap = cap;
    }
    size_t room = r->cap - r->len;
    long got;
    if (r->gz) {
        int n = gzread(r->gz, r->buf + r->len, (unsigned)(room > (1u << 30) ? 1u << 30 : room));
        if (n < 0) {
            int code;
            slds_fail(err, SLDS_ERR_DATA, "%s: cannot decompress: %s", r->name, gzerror(r->gz, &code));
            return -1;
        }
        got = n;
    } else if (r->fd < 0) {
        size_t n = r->mem_len - r->mem_pos;
        if (n > room)
            n = room;
        memcpy(r->buf + r->len, r->mem + r->mem_pos, n);
        r->mem_pos += n;
        got = (long)n;
    } else {
        ssize_t n;
        do
            n = read(r->fd, r->buf + r->len, room);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            slds_fail(err, SLDS_ERR_IO, "%s: read error: %s", r->name, strerror(errno));
            return -1;
        }
        got = (long)n;
    }
    if (got == 0)
        r->eof = true;
    /* Digest new bytes once, in source order. */
    digest_bytes(r, r->buf + r->len, (size_t)got);
    r->len += (size_t)got;
    return got;
}

static int grow_fields(slds_csv *r, slds_error *err)
{
    int cap = r->fcap ? r->fcap * 2 : 32;
    char **f = realloc(r->fields, (size_t)cap * sizeof *f);
    if (f)
        r->fields = f;
    size_t *l = realloc(r->lengths, (size_t)cap * sizeof *l);
    if (l)
        r->lengths = l;
    size_t *s = realloc(r->starts, (size_t)cap * sizeof *s);
    if (s)
        r->starts = s;
    size_t *e = realloc(r->ends, (size_t)cap * sizeof *e);
    if (e)
        r->ends = e;
    unsigned char *q = realloc(r->quoted, (size_t)cap);
    if (q)
        r->quoted = q;
    if (!f || !l || !s || !e || !q)
        return slds_fail(err, SLDS_ERR_NOMEM, "%s: out of memory", r->name);
    r->fcap = cap;
    return SLDS_OK;
}

bool slds_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned min;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            min = 0x80;
            c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            min = 0x800;
            c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            min = 0x10000;
            c &= 0x07;
        } else
            return false;
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

/* Scans one record starting at r->pos without modifying the window.
 * Returns 1 when complete (r->pos moved past it), 0 when more input is needed,
 * -1 on a file-level error. *lines counts every line break consumed, *inner
 * only those inside quoted fields (so the record ends on line + *inner, also
 * when the last record of the file has no line break after it). Inside quotes
 * a line break is \n, \r\n or a lone \r, as between records. */
static int scan_record(slds_csv *r, int *nfields, long *lines, long *inner, int *bad_quote,
                       slds_error *err)
{
    size_t p = r->pos, len = r->len;
    const char *b = r->buf;
    int n = 0;
    long nl = 0;
    *bad_quote = -1;
    for (;;) {
        if (n == SLDS_CSV_MAX_FIELDS) {
            /* Bounds memory: a 16 MiB line of commas would otherwise need
             * 16 M field slots (hundreds of MB). */
            slds_fail(err, SLDS_ERR_DATA, "%s: line %ld: a record with more than %d fields", r->name,
                      r->line, SLDS_CSV_MAX_FIELDS);
            return -1;
        }
        if (n == r->fcap && grow_fields(r, err))
            return -1;
        if (p >= len) {
            if (!r->eof)
                return 0;
            /* Input ends right after a separator: a last, empty field. */
            r->starts[n] = r->ends[n] = p;
            r->quoted[n] = 0;
            n++;
            break;
        }
        if (b[p] == '"') {
            size_t q = p + 1;
            long open_line = r->line + nl; /* named if the quote is never closed */
            for (;;) {
                const char *hit = memchr(b + q, '"', len - q);
                /* Count line breaks inside the quoted text for line numbers. */
                size_t stop = hit ? (size_t)(hit - b) : len;
                for (size_t k = q; k < stop; k++) {
                    /* k + 1 < len here unless the quote is still open at the end of
                     * the window, when this count is discarded (rescan or error). */
                    if (b[k] == '\n' || (b[k] == '\r' && k + 1 < len && b[k + 1] != '\n'))
                        nl++;
                    else if (b[k] == '\0') {
                        slds_fail(err, SLDS_ERR_DATA,
                                  "%s: line %ld: binary data (NUL byte) in the file", r->name,
                                  r->line + nl);
                        return -1;
                    }
                }
                if (!hit) {
                    if (!r->eof)
                        return 0;
                    slds_fail(err, SLDS_ERR_DATA,
                              "%s: line %ld: a quoted field is never closed (unterminated quote "
                              "runs to the end of the file)",
                              r->name, open_line);
                    return -1;
                }
                q = stop + 1;
                if (q >= len && !r->eof)
                    return 0;
                if (q < len && b[q] == '"') {
                    q++;
                    continue;
                }
                break;
            }
            r->starts[n] = p + 1;
            r->ends[n] = q - 1;
            r->quoted[n] = 1;
            p = q;
            /* Text after the closing quote: keep scanning to the separator, mark the field. */
            while (p < len && b[p] != ',' && b[p] != '\n' && b[p] != '\r') {
                if (b[p] == '\0') {
                    slds_fail(err, SLDS_ERR_DATA, "%s: line %ld: binary data (NUL byte) in the file",
                              r->name, r->line + nl);
                    return -1;
                }
                if (*bad_quote < 0)
                    *bad_quote = n;
                p++;
            }
            if (p >= len && !r->eof)
                return 0;
        } else {
            size_t q = p;
            while (q < len && b[q] != ',' && b[q] != '\n' && b[q] != '\r') {
                if (b[q] == '\0') {
                    slds_fail(err, SLDS_ERR_DATA, "%s: line %ld: binary data (NUL byte) in the file",
                              r->name, r->line + nl);
                    return -1;
                }
                if (b[q] == '"' && *bad_quote < 0)
                    *bad_quote = n; /* a quote inside an unquoted field */
                q++;
            }
            if (q >= len && !r->eof)
                return 0;
            r->starts[n] = p;
            r->ends[n] = q;
            r->quoted[n] = 0;
            p = q;
        }
        n++;
        *inner = nl;
        if (p >= len) /* end of input ends the record */
            break;
        if (b[p] == ',') {
            p++;
            continue;
        }
        /* A line break ends the record: \n, \r\n or a lone \r. */
        if (b[p] == '\r') {
            if (p + 1 >= len && !r->eof)
                return 0;
            p += (p + 1 < len && b[p + 1] == '\n') ? 2 : 1;
        } else
            p++;
        nl++;
        break;
    }
    *nfields = n;
    *lines = nl;
    r->pos = p;
    return 1;
}

/* Turns the scanned field table into NUL-terminated, unquoted strings. */
static void finalise_record(slds_csv *r, int n, slds_csv_record *rec)
{
    rec->bad_utf8_field = -1;
    for (int i = 0; i < n; i++) {
        char *s = r->buf + r->starts[i];
        size_t len = r->ends[i] - r->starts[i];
        if (r->quoted[i]) {
            size_t w = 0;
            for (size_t k = 0; k < len; k++) {
                s[w++] = s[k];
                if (s[k] == '"')
                    k++; /* "" -> " */
            }
            len = w;
        }
        s[len] = '\0';
        r->fields[i] = s;
        r->lengths[i] = len;
        if (rec->bad_utf8_field < 0 && !slds_utf8_valid(s, len))
            rec->bad_utf8_field = i;
    }
}

int slds_csv_next(slds_csv *r, slds_csv_record *rec, slds_error *err)
{
    if (!r->started) {
        r->started = true;
        if (refill(r, 0, err) < 0)
            return -1;
        while (r->len < 3 && !r->eof)
            if (refill(r, 0, err) < 0)
                return -1;
        if (r->len >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3))
            r->pos = 3;
    }
    for (;;) {
        if (r->pos >= r->len) {
            if (r->eof)
                return 0;
            long got = refill(r, r->pos, err);
            if (got < 0)
                return -1;
            continue;
        }
        size_t start = r->pos;
        int n, bad_quote;
        long lines, inner = 0;
        int rc = scan_record(r, &n, &lines, &inner, &bad_quote, err);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            r->pos = start;
            long got = refill(r, start, err);
            if (got == -2)
                return slds_fail(err, SLDS_ERR_DATA, "%s: line %ld: a record longer than %u MiB",
                                 r->name, r->line, SLDS_CSV_MAX_RECORD >> 20),
                       -1;
            if (got < 0)
                return -1;
            continue;
        }
        rec->line = r->line;
        rec->end_line = r->line + inner;
        r->line += lines;
        finalise_record(r, n, rec);
        rec->nfields = n;
        rec->fields = r->fields;
        rec->lengths = r->lengths;
        rec->bad_quote_field = bad_quote;
        return 1;
    }
}

/* A number as a spreadsheet reads one: optional sign, digits with at most one
 * point, an optional exponent. Such a field is data, never a formula. */
static bool looks_numeric(const char *s)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return false;
    errno = 0;
    (void)strtod(s, &end);
    return *end == '\0' && strpbrk(s, "xXnNiI") == NULL; /* no hex, nan, inf */
}

bool slds_csv_is_formula(const char *s)
{
    if (!s)
        return false;
    switch (s[0]) {
    case '=': case '@': case '\t': case '\r':
        return true;
    case '+': case '-':
        return !looks_numeric(s);
    default:
        return false;
    }
}

void slds_csv_write_text_field(FILE *out, const char *s)
{
    if (!slds_csv_is_formula(s)) {
        slds_csv_write_field(out, s);
        return;
    }
    /* The apostrophe makes spreadsheets read the cell as text; the field is
     * quoted so the prefix and the value travel as one. */
    fputs("\"'", out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void slds_csv_write_field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}
