/* render.c - the renderers of result tables (rules in table.h): aligned
 * text, CSV, JSON, HTML; in memory, streamed, and documents of several
 * tables. Every command prints through here, so a cell looks the same
 * wherever it appears. */
#include "table/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"

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

/* A real number at the column's precision. */
static void format_real(char *buf, size_t size, double v, int decimals)
{
    if (decimals >= 0)
        snprintf(buf, size, "%.*f", decimals, v);
    else
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
    case SLDS_CELL_INTEGER: return slds_buf_printf(b, "%lld", c->v.i);
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
            rc = slds_buf_append(b, (const char *)p, 1);
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
    for (; *s && !rc; s++) {
        switch (*s) {
        case '<': rc = slds_buf_puts(b, "&lt;"); break;
        case '>': rc = slds_buf_puts(b, "&gt;"); break;
        case '&': rc = slds_buf_puts(b, "&amp;"); break;
        case '"': rc = slds_buf_puts(b, "&quot;"); break;
        default: rc = slds_buf_append(b, s, 1);
        }
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

static int html_row(const slds_table *t, size_t row, slds_buf *b)
{
    slds_buf v = {0};
    int rc = slds_buf_puts(b, "<tr>");
    for (int c = 0; c < t->ncols && !rc; c++) {
        slds_buf_clear(&v);
        rc = cell_format(t, slds_table_cell(t, row, c), c, &v);
        rc = rc || slds_buf_puts(b, is_number(t->cols[c].type) ? "<td class=\"num\">" : "<td>");
        rc = rc || (v.len ? slds_html_escape(b, v.data) : 0) || slds_buf_puts(b, "</td>");
    }
    slds_buf_free(&v);
    return rc || slds_buf_puts(b, "</tr>\n");
}

int slds_table_html(const slds_table *t, slds_buf *b)
{
    int rc = html_head(t, b);
    for (size_t r = 0; r < t->nrows && !rc; r++)
        rc = html_row(t, r, b);
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
    case SLDS_FORMAT_JSON: return slds_json_write(slds_table_json(t), out, err);
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
        slds_buf b = {0};
        rc = html_row(t, 0, &b);
        if (!rc)
            fwrite(b.data, 1, b.len, r->out);
        slds_buf_free(&b);
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

int slds_tables_write(slds_table *const *tables, size_t n, slds_format fmt, FILE *out,
                      slds_error *err)
{
    int rc = SLDS_OK;
    if (fmt == SLDS_FORMAT_JSON) {
        json_t *o = json_object();
        for (size_t i = 0; o && i < n; i++) {
            json_t *a = slds_table_json(tables[i]);
            if (!a || json_object_set_new(o, tables[i]->name, a)) {
                json_decref(o);
                o = NULL;
            }
        }
        return slds_json_write(o, out, err);
    }
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
