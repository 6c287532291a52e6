/* render.c - the renderers of result tables (rules in table.h): aligned
 * text, CSV, JSON, HTML; in memory, streamed, and documents of several
 * tables. Every command prints through here, so a cell looks the same
 * wherever it appears. */
#include "table/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"

/* slds_buf_append without a call when the bytes fit: the renderers append
 * many short pieces (a student's page is thousands). */
static inline int put(slds_buf *b, const char *s, size_t n)
{
    if (b->data && b->len + n < b->cap) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return SLDS_OK;
    }
    return slds_buf_append(b, s, n);
}

int slds_format_parse(const char *name, slds_format *out)
{
    static const char *const names[] = {"table", "csv", "json", "html"};
    for (int i = 0; i < 4; i++)
        if (name && !strcmp(name, names[i])) {
            *out = (slds_format)i;
            return SLDS_OK;
        }
    return SLDS_ERR_USAGE;
}

const char *slds_format_name(slds_format f)
{
    static const char *const names[] = {"table", "csv", "json", "html"};
    return (unsigned)f < 4 ? names[f] : "?";
}

static bool is_number(slds_cell_type type)
{
    return type == SLDS_CELL_INTEGER || type == SLDS_CELL_REAL;
}

/* An integer in decimal into buf (at least 21 bytes); its length. */
static size_t format_integer(char *buf, long long v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
}

/* "%.15g" of v without printf when v has at most 6 decimals and is printed
 * without an exponent (most stored figures: 410.5, 0.4, 95.8): v * 10^k is
 * then a whole number N of at most 15 digits, within half a unit of the
 * last place of N, so the 15 significant digits of v are N's with the point
 * k places from the right, which %.15g prints (trailing zeros dropped).
 * false when v is not such a number (the caller prints it). */
static bool format_g15_short(char *buf, double v)
{
    static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e14))
        return false;
    for (int k = 0; k < 7; k++) {
        double x = a * scale[k];
        if (x >= 1e15)
            return false;
        if (x != floor(x))
            continue;
        long long whole = (long long)x;
        int places = k;
        for (; places && whole % 10 == 0; places--) /* %g drops trailing zeros */
            whole /= 10;
        char digits[24];
        size_t n = format_integer(digits, whole), o = 0;
        k = places;
        if (v < 0)
            buf[o++] = '-';
        if ((size_t)k >= n) { /* 0.000ddd */
            buf[o++] = '0';
            buf[o++] = '.';
            for (size_t z = n; z < (size_t)k; z++)
                buf[o++] = '0';
            memcpy(buf + o, digits, n);
            o += n;
        } else {
            memcpy(buf + o, digits, n - (size_t)k);
            o += n - (size_t)k;
            if (k) {
                buf[o++] = '.';
                memcpy(buf + o, digits + n - k, (size_t)k);
                o += (size_t)k;
            }
        }
        buf[o] = '\0';
        return true;
    }
    return false;
}

/* A real number at the column's precision. */
static void format_real(char *buf, size_t size, double v, int decimals)
{
    if (decimals >= 0)
        snprintf(buf, size, "%.*f", decimals, v);
    else if (decimals != SLDS_SIGNIFICANT(15) || size < 40 || !format_g15_short(buf, v))
        snprintf(buf, size, "%.*g", -decimals, v);
}

/* The cell as shown in text and CSV (unescaped), appended to b. */
static int cell_format(const slds_table *t, const slds_cell *c, int col, slds_buf *b)
{
    char num[64];
    if (c->suppressed)
        return slds_buf_puts(b, "*");
    if (!c->set)
        return SLDS_OK;
    if (c->range) {
        const char *unit = t->cols[col].unit, *pct = unit && !strcmp(unit, "percent") ? "%" : "";
        if (c->range == 2)
            return slds_buf_printf(b, "%g-%g%s", c->range_bound, c->range_bound + c->range_width, pct);
        return slds_buf_printf(b, "%s%g%s", c->range < 0 ? "\u2264" : "\u2265", c->range_bound, pct);
    }
    switch (c->type) {
    case SLDS_CELL_TEXT:
    case SLDS_CELL_DATE: return slds_buf_puts(b, c->v.s);
    case SLDS_CELL_INTEGER: return put(b, num, format_integer(num, c->v.i));
    case SLDS_CELL_REAL:
        format_real(num, sizeof num, c->v.r, t->cols[col].decimals);
        return slds_buf_puts(b, num);
    case SLDS_CELL_BOOLEAN: return slds_buf_puts(b, c->v.b ? "yes" : "no");
    case SLDS_CELL_LIST:
        for (size_t i = 0; i < c->v.list.n; i++)
            if (slds_buf_printf(b, "%s%s", i ? " " : "", c->v.list.items[i]))
                return SLDS_ERR_NOMEM;
        return SLDS_OK;
    }
    return SLDS_OK;
}

const char *slds_table_cell_text(const slds_table *t, size_t row, int col, char *buf, size_t size)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    slds_buf b = {0};
    if (size)
        buf[0] = '\0';
    if (c && !cell_format(t, c, col, &b) && b.len && size)
        snprintf(buf, size, "%s", b.data);
    slds_buf_free(&b);
    return buf;
}

/* ------------------------------------------------------------ escaping */

int slds_text_escape(slds_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = SLDS_OK;
    for (; *p && !rc; p++) {
        if (*p == '\n')
            rc = slds_buf_puts(b, "\\n");
        else if (*p == '\t')
            rc = slds_buf_puts(b, "\\t");
        else if (*p == '\r')
            rc = slds_buf_puts(b, "\\r");
        else if (*p < 0x20 || *p == 0x7F)
            rc = slds_buf_printf(b, "\\x%02X", *p);
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) /* C1 controls, UTF-8 encoded */
            rc = slds_buf_printf(b, "\\u%04X", *++p);
        else
            rc = put(b, (const char *)p, 1);
    }
    return rc;
}

void slds_text_fputs(FILE *out, const char *s)
{
    slds_buf b = {0};
    if (!slds_text_escape(&b, s ? s : "") && b.len)
        fwrite(b.data, 1, b.len, out);
    slds_buf_free(&b);
}

int slds_html_escape(slds_buf *b, const char *s)
{
    int rc = SLDS_OK;
    while (*s && !rc) {
        size_t run = strcspn(s, "<>&\""); /* copied as they are, at once */
        if (run)
            rc = put(b, s, run);
        s += run;
        switch (rc ? '\0' : *s) {
        case '<': rc = put(b, "&lt;", 4); break;
        case '>': rc = put(b, "&gt;", 4); break;
        case '&': rc = put(b, "&amp;", 5); break;
        case '"': rc = put(b, "&quot;", 6); break;
        default: continue; /* the end */
        }
        s++;
    }
    return rc;
}

/* Display width of UTF-8 text: one column per code point. */
static size_t display_width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* ---------------------------------------------------------------- text */

/* The cell escaped for a terminal, into b (cleared first). */
static int cell_display(const slds_table *t, size_t row, int col, slds_buf *b)
{
    slds_buf raw = {0};
    slds_buf_clear(b);
    int rc = cell_format(t, slds_table_cell(t, row, col), col, &raw);
    if (!rc && raw.len)
        rc = slds_text_escape(b, raw.data);
    slds_buf_free(&raw);
    return rc;
}

static int write_text(const slds_table *t, FILE *out, slds_error *err)
{
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    slds_buf b = {0};
    int rc = w ? SLDS_OK : SLDS_ERR_NOMEM;
    for (int c = 0; !rc && c < t->ncols; c++) {
        rc = slds_text_escape(&b, t->cols[c].name);
        w[c] = display_width(b.data ? b.data : "", b.len);
        slds_buf_clear(&b);
    }
    for (size_t r = 0; !rc && r < t->nrows; r++)
        for (int c = 0; !rc && c < t->ncols; c++) {
            rc = cell_display(t, r, c, &b);
            size_t len = display_width(b.data ? b.data : "", b.len);
            if (len > w[c])
                w[c] = len;
        }
    /* row -1 is the header */
    for (long r = -1; !rc && r < (long)t->nrows; r++) {
        for (int c = 0; !rc && c < t->ncols; c++) {
            if (r < 0) {
                slds_buf_clear(&b);
                rc = slds_text_escape(&b, t->cols[c].name);
            } else
                rc = cell_display(t, (size_t)r, c, &b);
            if (rc)
                break;
            size_t pad = w[c] - display_width(b.data ? b.data : "", b.len);
            bool right = r >= 0 && is_number(t->cols[c].type);
            if (right)
                fprintf(out, "%*s", (int)pad, "");
            if (b.len)
                fwrite(b.data, 1, b.len, out);
            if (!right && c + 1 < t->ncols)
                fprintf(out, "%*s", (int)pad, "");
            if (c + 1 < t->ncols)
                fputs("  ", out);
        }
        fputc('\n', out);
        if (r < 0) {
            for (int c = 0; c < t->ncols; c++) {
                for (size_t i = 0; i < w[c]; i++)
                    fputc('-', out);
                if (c + 1 < t->ncols)
                    fputs("  ", out);
            }
            fputc('\n', out);
        }
    }
    slds_buf_free(&b);
    free(w);
    if (rc)
        return slds_fail(err, rc, "table %s: out of memory", t->name);
    return SLDS_OK;
}

/* ----------------------------------------------------------------- CSV */

static void csv_header(const slds_table *t, FILE *out)
{
    for (int c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', out);
        slds_csv_write_text_field(out, t->cols[c].name);
    }
    fputc('\n', out);
}

static int csv_row(const slds_table *t, size_t row, FILE *out)
{
    slds_buf b = {0};
    int rc = SLDS_OK;
    for (int c = 0; c < t->ncols && !rc; c++) {
        if (c)
            fputc(',', out);
        const slds_cell *cell = slds_table_cell(t, row, c);
        slds_buf_clear(&b);
        rc = cell_format(t, cell, c, &b);
        if (rc || !b.len)
            continue;
        if (is_number(t->cols[c].type) || cell->suppressed)
            fputs(b.data, out);
        else
            slds_csv_write_text_field(out, b.data);
    }
    fputc('\n', out);
    slds_buf_free(&b);
    return rc;
}

/* ---------------------------------------------------------------- JSON */

static json_t *cell_json(const slds_table *t, const slds_cell *c, int col)
{
    if (t->cols[col].type == SLDS_CELL_LIST && !c->set && !c->suppressed)
        return json_array(); /* a list with no items, not an unknown one */
    if (!c->set || c->suppressed)
        return json_null();
    if (c->range) {
        slds_buf b = {0};
        json_t *j = cell_format(t, c, col, &b) ? NULL : json_string(b.data);
        slds_buf_free(&b);
        return j;
    }
    switch (c->type) {
    case SLDS_CELL_TEXT:
    case SLDS_CELL_DATE: return json_string(c->v.s);
    case SLDS_CELL_INTEGER: return json_integer((json_int_t)c->v.i);
    case SLDS_CELL_REAL: {
        /* At the column's precision: 52.5 for a mean shown as 52.5000, and
         * an integer when the precision shows no point (a count of 12). */
        char num[64];
        format_real(num, sizeof num, c->v.r, t->cols[col].decimals);
        if (strpbrk(num, ".e"))
            return json_real(strtod(num, NULL));
        return json_integer((json_int_t)strtoll(num, NULL, 10));
    }
    case SLDS_CELL_BOOLEAN: return json_boolean(c->v.b);
    case SLDS_CELL_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < c->v.list.n; i++)
            if (json_array_append_new(a, json_string(c->v.list.items[i]))) {
                json_decref(a);
                return NULL;
            }
        return a;
    }
    }
    return json_null();
}

static json_t *row_json(const slds_table *t, size_t row)
{
    json_t *o = json_object();
    for (int c = 0; o && c < t->ncols; c++) {
        json_t *v = cell_json(t, slds_table_cell(t, row, c), c);
        if (!v || json_object_set_new(o, t->cols[c].name, v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *slds_table_json(const slds_table *t)
{
    json_t *a = json_array();
    for (size_t r = 0; a && r < t->nrows; r++) {
        json_t *o = row_json(t, r);
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* ------------------------------------------------ JSON without a tree */

/* What slds_json_write writes for slds_table_json's array, written straight
 * into a buffer: the same bytes (tests/table/test_table.c compares the two
 * on every kind of cell), without a jansson value per cell (the student
 * record's JSON cost more in building and dumping that tree than in reading
 * the record). The rules copied from jansson 2.14's dump: two spaces per
 * level, "key": value, texts escaped as below and refused when they are not
 * UTF-8 (json_string gives NULL for them), reals at 15 significant digits. */

/* The length of the strict UTF-8 sequence at p (avail bytes there; no
 * overlong form, no surrogate, nothing past U+10FFFF: the check json_string
 * makes), 0 when there is none. */
static size_t utf8_sequence(const unsigned char *p, size_t avail)
{
    unsigned char u = p[0];
    if (u < 0x80)
        return 1;
    size_t len = u >= 0xC2 && u <= 0xDF ? 2 : u >= 0xE0 && u <= 0xEF ? 3 : u >= 0xF0 && u <= 0xF4 ? 4 : 0;
    if (!len || len > avail)
        return 0;
    unsigned long v = u & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; k++) {
        if (p[k] < 0x80 || p[k] > 0xBF)
            return 0;
        v = (v << 6) | (p[k] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (len == 2 && v < 0x80) || (len == 3 && v < 0x800) ||
        (len == 4 && v < 0x10000))
        return 0;
    return len;
}

int slds_json_string_append(slds_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (slds_buf_reserve(b, 6 * n + 2)) /* every byte escaped as \u00XX at most */
        return SLDS_ERR_NOMEM;
    char *o = b->data + b->len;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    *o++ = '"';
    while (p < end) {
        unsigned char ch = *p;
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
            *o++ = (char)ch;
            p++;
            continue;
        }
        if (ch >= 0x80) {
            size_t len = utf8_sequence(p, (size_t)(end - p));
            if (!len) {
                b->data[b->len] = '\0'; /* nothing of it kept */
                return SLDS_ERR_DATA;
            }
            memcpy(o, p, len);
            o += len;
            p += len;
            continue;
        }
        *o++ = '\\';
        switch (ch) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            memcpy(o, "u00", 3);
            o[3] = "0123456789ABCDEF"[ch >> 4];
            o[4] = "0123456789ABCDEF"[ch & 15];
            o += 5;
        }
        p++;
    }
    *o++ = '"';
    *o = '\0';
    b->len = (size_t)(o - b->data);
    return SLDS_OK;
}

/* A newline and the indent of depth (two spaces a level). */
static int json_indent(slds_buf *b, int depth)
{
    static const char spaces[] = "                                ";
    size_t n = 2 * (size_t)(depth > 0 ? depth : 0);
    int rc = put(b, "\n", 1);
    while (!rc && n) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        rc = put(b, spaces, k);
        n -= k;
    }
    return rc;
}

/* An integer as jansson prints it. */
static int json_integer_append(slds_buf *b, long long v)
{
    char num[24];
    return put(b, num, format_integer(num, v));
}

/* A real as json_real(v) is dumped at JSON_REAL_PRECISION(15): "%.15g"
 * with ".0" added to a whole number. A form with an exponent is left to
 * jansson itself (versions differ on where the exponent starts and how it
 * is written). */
static int json_real_append(slds_buf *b, double v)
{
    char num[64];
    int n = format_g15_short(num, v) ? (int)strlen(num) : snprintf(num, sizeof num, "%.15g", v);
    if (n <= 0 || (size_t)n >= sizeof num - 2)
        return SLDS_ERR_NOMEM;
    if (strchr(num, 'e') || !isfinite(v)) {
        json_t *j = json_real(v);
        char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;
        int rc = s ? slds_buf_puts(b, s) : SLDS_ERR_NOMEM;
        free(s);
        json_decref(j);
        return rc;
    }
    if (!strchr(num, '.'))
        memcpy(num + n, ".0", 3), n += 2;
    return put(b, num, (size_t)n);
}

/* One cell as cell_json makes it, dumped at depth. */
static int cell_json_append(const slds_table *t, const slds_cell *c, int col, slds_buf *b, int depth)
{
    if (t->cols[col].type == SLDS_CELL_LIST && !c->set && !c->suppressed)
        return put(b, "[]", 2);
    if (!c->set || c->suppressed)
        return put(b, "null", 4);
    if (c->range) {
        slds_buf f = {0};
        int rc = cell_format(t, c, col, &f) ? SLDS_ERR_NOMEM : slds_json_string_append(b, f.data ? f.data : "");
        slds_buf_free(&f);
        return rc;
    }
    switch (c->type) {
    case SLDS_CELL_TEXT:
    case SLDS_CELL_DATE: return slds_json_string_append(b, c->v.s);
    case SLDS_CELL_INTEGER: return json_integer_append(b, c->v.i);
    case SLDS_CELL_REAL: {
        char num[64];
        int decimals = t->cols[col].decimals;
        format_real(num, sizeof num, c->v.r, decimals);
        if (strpbrk(num, ".e")) /* 15 digits read back print as themselves: no strtod */
            return json_real_append(b, decimals == SLDS_SIGNIFICANT(15) ? c->v.r : strtod(num, NULL));
        return json_integer_append(b, strtoll(num, NULL, 10));
    }
    case SLDS_CELL_BOOLEAN: return c->v.b ? put(b, "true", 4) : put(b, "false", 5);
    case SLDS_CELL_LIST: {
        if (!c->v.list.n)
            return put(b, "[]", 2);
        int rc = put(b, "[", 1);
        for (size_t i = 0; i < c->v.list.n && !rc; i++) {
            if ((i && put(b, ",", 1)) || json_indent(b, depth + 1))
                return SLDS_ERR_NOMEM;
            rc = slds_json_string_append(b, c->v.list.items[i]);
        }
        if (rc)
            return rc;
        return json_indent(b, depth) || put(b, "]", 1) ? SLDS_ERR_NOMEM : SLDS_OK;
    }
    }
    return put(b, "null", 4);
}

int slds_table_json_append(const slds_table *t, slds_buf *b, int depth)
{
    if (!t->nrows)
        return put(b, "[]", 2) ? SLDS_ERR_NOMEM : SLDS_OK;
    /* Each column's key with the newline and indent before it, once:
     * keys[c] is at key_at[c] in keys (every row writes them). */
    slds_buf keys = {0}, row_open = {0}, row_close = {0};
    size_t stack_at[16], *key_at = t->ncols < 16 ? stack_at : malloc(((size_t)t->ncols + 1) * sizeof *key_at);
    int rc = key_at ? SLDS_OK : SLDS_ERR_NOMEM;
    for (int c = 0; c < t->ncols && !rc; c++) {
        key_at[c] = keys.len;
        rc = json_indent(&keys, depth + 2) ? SLDS_ERR_NOMEM : slds_json_string_append(&keys, t->cols[c].name);
        rc = rc ? rc : put(&keys, ": ", 2);
    }
    if (!rc) {
        key_at[t->ncols] = keys.len;
        rc = json_indent(&row_open, depth + 1) || put(&row_open, "{", 1) ||
             json_indent(&row_close, depth + 1) || put(&row_close, "}", 1) ||
             put(b, "[", 1) ? SLDS_ERR_NOMEM : SLDS_OK;
    }
    for (size_t r = 0; r < t->nrows && !rc; r++) {
        if ((r && put(b, ",", 1)) || put(b, row_open.data, row_open.len)) {
            rc = SLDS_ERR_NOMEM;
            break;
        }
        const slds_cell *row = &t->cells[r * (size_t)t->ncols];
        for (int c = 0; c < t->ncols && !rc; c++) {
            if ((c && put(b, ",", 1)) ||
                put(b, keys.data + key_at[c], key_at[c + 1] - key_at[c]))
                rc = SLDS_ERR_NOMEM;
            else
                rc = cell_json_append(t, &row[c], c, b, depth + 2);
        }
        if (!rc && put(b, row_close.data, row_close.len))
            rc = SLDS_ERR_NOMEM;
    }
    if (!rc && (json_indent(b, depth) || put(b, "]", 1)))
        rc = SLDS_ERR_NOMEM;
    if (key_at != stack_at)
        free(key_at);
    slds_buf_free(&keys);
    slds_buf_free(&row_open);
    slds_buf_free(&row_close);
    return rc == SLDS_OK || rc == SLDS_ERR_DATA ? rc : SLDS_ERR_NOMEM;
}

/* jansson hands its output over token by token; json_dumpf wrote each with
 * its own fwrite (and stream lock): most of the cost of a student record's
 * JSON in the web server. Gathered here and written 64 KiB at a time. */
typedef struct json_out {
    FILE *out;
    size_t len;
    int failed;
    char buf[65536];
} json_out;

static int json_out_flush(json_out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->out) != o->len)
        o->failed = 1;
    o->len = 0;
    return o->failed ? -1 : 0;
}

static int json_out_add(const char *buffer, size_t size, void *data)
{
    json_out *o = data;
    if (o->len + size > sizeof o->buf && json_out_flush(o))
        return -1;
    if (size > sizeof o->buf)
        return fwrite(buffer, 1, size, o->out) == size ? 0 : (o->failed = 1, -1);
    memcpy(o->buf + o->len, buffer, size);
    o->len += size;
    return 0;
}

int slds_json_write(json_t *j, FILE *out, slds_error *err)
{
    if (!j)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory writing JSON");
    json_out *o = malloc(sizeof *o);
    if (!o) {
        json_decref(j);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory writing JSON");
    }
    o->out = out;
    o->len = 0;
    o->failed = 0;
    int rc = json_dump_callback(j, json_out_add, o,
                                JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    rc = json_out_add("\n", 1, o) || json_out_flush(o) || rc;
    free(o);
    json_decref(j);
    return rc ? slds_fail(err, SLDS_ERR_IO, "cannot write JSON") : SLDS_OK;
}

/* ---------------------------------------------------------------- HTML */

static int html_head(const slds_table *t, slds_buf *b)
{
    int rc = slds_buf_puts(b, "<table>\n<tr>");
    for (int c = 0; c < t->ncols && !rc; c++) {
        const slds_column_spec *col = &t->cols[c];
        rc = slds_buf_puts(b, col->unit ? "<th title=\"" : "<th>");
        if (col->unit)
            rc = rc || slds_html_escape(b, col->unit) || slds_buf_puts(b, "\">");
        rc = rc || slds_html_escape(b, col->name) || slds_buf_puts(b, "</th>");
    }
    return rc || slds_buf_puts(b, "</tr>\n");
}

/* A row; v is scratch space kept across rows (no allocation per row). */
static int html_row(const slds_table *t, size_t row, slds_buf *b, slds_buf *v)
{
    int rc = put(b, "<tr>", 4);
    for (int c = 0; c < t->ncols && !rc; c++) {
        const slds_cell *cell = slds_table_cell(t, row, c);
        rc = is_number(t->cols[c].type) ? put(b, "<td class=\"num\">", 16) : put(b, "<td>", 4);
        bool plain = cell->set && !cell->suppressed && !cell->range;
        char num[64];
        if (!rc && plain && (cell->type == SLDS_CELL_TEXT || cell->type == SLDS_CELL_DATE))
            rc = slds_html_escape(b, cell->v.s); /* a text as it is: no copy first */
        else if (!rc && plain && cell->type == SLDS_CELL_INTEGER) /* digits need no escaping */
            rc = put(b, num, format_integer(num, cell->v.i));
        else if (!rc && plain && cell->type == SLDS_CELL_REAL) {
            format_real(num, sizeof num, cell->v.r, t->cols[c].decimals); /* digits, '.', '-', 'e', "nan" */
            rc = put(b, num, strlen(num));
        } else if (!rc) {
            slds_buf_clear(v);
            rc = cell_format(t, cell, c, v) || (v->len ? slds_html_escape(b, v->data) : 0);
        }
        rc = rc || put(b, "</td>", 5);
    }
    return rc || put(b, "</tr>\n", 6);
}

int slds_table_html(const slds_table *t, slds_buf *b)
{
    slds_buf v = {0};
    int rc = html_head(t, b);
    for (size_t r = 0; r < t->nrows && !rc; r++)
        rc = html_row(t, r, b, &v);
    slds_buf_free(&v);
    return rc || slds_buf_puts(b, "</table>\n");
}

static int write_buf(slds_buf *b, FILE *out, int rc, slds_error *err)
{
    if (!rc && b->len)
        fwrite(b->data, 1, b->len, out);
    slds_buf_free(b);
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "table: out of memory writing HTML") : SLDS_OK;
}

/* ------------------------------------------------------- entry points */

static int write_json_doc(const slds_table *const *tables, size_t n, bool one, FILE *out,
                          slds_error *err);

int slds_table_write(const slds_table *t, slds_format fmt, FILE *out, slds_error *err)
{
    if (t->status)
        return slds_fail(err, t->status, "table %s: a row could not be filled", t->name);
    switch (fmt) {
    case SLDS_FORMAT_TABLE: return write_text(t, out, err);
    case SLDS_FORMAT_CSV:
        csv_header(t, out);
        for (size_t r = 0; r < t->nrows; r++)
            if (csv_row(t, r, out))
                return slds_fail(err, SLDS_ERR_NOMEM, "table %s: out of memory", t->name);
        return SLDS_OK;
    case SLDS_FORMAT_JSON: return write_json_doc(&t, 1, true, out, err);
    case SLDS_FORMAT_HTML: {
        slds_buf b = {0};
        return write_buf(&b, out, slds_table_html(t, &b), err);
    }
    }
    return slds_fail(err, SLDS_ERR_USAGE, "table: unknown format");
}

int slds_table_stream(slds_table *t, slds_format fmt, FILE *out, slds_error *err)
{
    if (t->render || t->nrows)
        return slds_fail(err, SLDS_ERR_USAGE, "table %s: streamed after rows were added", t->name);
    t->render = calloc(1, sizeof *t->render);
    if (!t->render)
        return slds_fail(err, SLDS_ERR_NOMEM, "table %s: out of memory", t->name);
    *t->render = (slds_render_state){.fmt = fmt, .out = out, .streaming = fmt != SLDS_FORMAT_TABLE};
    if (fmt == SLDS_FORMAT_CSV)
        csv_header(t, out);
    else if (fmt == SLDS_FORMAT_HTML) {
        slds_buf b = {0};
        int rc = html_head(t, &b);
        return write_buf(&b, out, rc, err);
    }
    return SLDS_OK;
}

/* A streamed JSON table is an array with one compact object per line. */
int slds_render_stream_row(slds_table *t, slds_error *err)
{
    slds_render_state *r = t->render;
    int rc = SLDS_OK;
    if (r->fmt == SLDS_FORMAT_CSV)
        rc = csv_row(t, 0, r->out);
    else if (r->fmt == SLDS_FORMAT_JSON) {
        json_t *o = row_json(t, 0);
        if (!o)
            rc = SLDS_ERR_NOMEM;
        else {
            fputs(r->rows_written ? ",\n  " : "[\n  ", r->out);
            json_dumpf(o, r->out, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(15));
            json_decref(o);
        }
    } else if (r->fmt == SLDS_FORMAT_HTML) {
        slds_buf b = {0}, v = {0};
        rc = html_row(t, 0, &b, &v);
        if (!rc)
            fwrite(b.data, 1, b.len, r->out);
        slds_buf_free(&b);
        slds_buf_free(&v);
    }
    r->rows_written++;
    return rc ? slds_fail(err, rc, "table %s: out of memory", t->name) : SLDS_OK;
}

int slds_table_end(slds_table *t, slds_error *err)
{
    if (t->status)
        return slds_fail(err, t->status, "table %s: a row could not be filled", t->name);
    slds_render_state *r = t->render;
    if (!r)
        return SLDS_OK;
    if (!r->streaming)
        return slds_table_write(t, r->fmt, r->out, err);
    if (t->nrows) {
        int rc = slds_render_stream_row(t, err);
        if (rc)
            return rc;
    }
    if (r->fmt == SLDS_FORMAT_JSON)
        fputs(r->rows_written ? "\n]\n" : "[]\n", r->out);
    else if (r->fmt == SLDS_FORMAT_HTML)
        fputs("</table>\n", r->out);
    return SLDS_OK;
}

/* JSON of one table (an array) or of several (an object of arrays by name)
 * as slds_json_write writes the tree slds_table_json builds; a text that
 * is not UTF-8 fails as the tree's build does (out of memory). */
static int write_json_doc(const slds_table *const *tables, size_t n, bool one, FILE *out,
                          slds_error *err)
{
    slds_buf b = {0};
    int rc = SLDS_OK;
    if (one)
        rc = slds_table_json_append(tables[0], &b, 0);
    else if (!n)
        rc = slds_buf_puts(&b, "{}");
    else {
        /* Two tables of one name were one key of the object: where the
         * first was, with the last one's rows (each still had to be made). */
        rc = slds_buf_puts(&b, "{");
        size_t keys = 0;
        for (size_t i = 0; i < n && !rc; i++) {
            size_t first = 0, last = i;
            while (strcmp(tables[first]->name, tables[i]->name))
                first++;
            for (size_t k = i + 1; k < n; k++)
                if (!strcmp(tables[k]->name, tables[i]->name))
                    last = k;
            if (first != i || last != i) { /* a table replaced, or replacing: made aside */
                slds_buf aside = {0};
                rc = slds_table_json_append(tables[i], &aside, 1);
                slds_buf_free(&aside);
                if (rc || first != i)
                    continue;
            }
            rc = slds_buf_puts(&b, keys++ ? ",\n  " : "\n  ");
            rc = rc ? rc : slds_json_string_append(&b, tables[i]->name);
            rc = rc ? rc : slds_buf_puts(&b, ": ");
            rc = rc ? rc : slds_table_json_append(tables[last], &b, 1);
        }
        rc = rc ? rc : slds_buf_puts(&b, "\n}");
    }
    rc = rc ? rc : slds_buf_puts(&b, "\n");
    if (rc) {
        slds_buf_free(&b);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory writing JSON");
    }
    rc = fwrite(b.data, 1, b.len, out) == b.len ? SLDS_OK : slds_fail(err, SLDS_ERR_IO, "cannot write JSON");
    slds_buf_free(&b);
    return rc;
}

int slds_tables_write(slds_table *const *tables, size_t n, slds_format fmt, FILE *out,
                      slds_error *err)
{
    int rc = SLDS_OK;
    if (fmt == SLDS_FORMAT_JSON) /* what slds_json_write writes for the tree, without the tree */
        return write_json_doc((const slds_table *const *)tables, n, false, out, err);
    for (size_t i = 0; i < n && !rc; i++) {
        const slds_table *t = tables[i];
        if (fmt == SLDS_FORMAT_TABLE) {
            fputc('\n', out);
            slds_text_fputs(out, t->title ? t->title : t->name);
            fputs("\n\n", out);
            if (!t->nrows) {
                fputs("(none)\n", out);
                continue;
            }
        } else if (fmt == SLDS_FORMAT_CSV && i)
            fputc('\n', out);
        else if (fmt == SLDS_FORMAT_HTML) {
            slds_buf b = {0};
            int hr = slds_buf_puts(&b, "<h2>") || slds_html_escape(&b, t->title ? t->title : t->name) ||
                     slds_buf_puts(&b, "</h2>\n");
            if ((rc = write_buf(&b, out, hr, err)))
                break;
        }
        rc = slds_table_write(t, fmt, out, err);
    }
    return rc;
}
