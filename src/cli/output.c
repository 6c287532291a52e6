/* output.c - result tables printed as text, CSV or JSON; the progress bar;
 * error printing. Shared by every subcommand so they all look alike. */
#include "cli/cli.h"

#include "ingest/csv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_table {
    int ncols;
    char **names;
    bool *numeric;
    char **cells; /* nrows * ncols, row-major */
    int nrows, caprows;
};

int cli_parse_format(const char *s, bool allow_html)
{
    if (!strcmp(s, "table"))
        return CLI_TABLE;
    if (!strcmp(s, "csv"))
        return CLI_CSV;
    if (!strcmp(s, "json"))
        return CLI_JSON;
    if (allow_html && !strcmp(s, "html"))
        return CLI_HTML;
    return -1;
}

cli_table *cli_table_new(int ncols, const char *const *names)
{
    cli_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->names = calloc((size_t)ncols, sizeof *t->names);
    t->numeric = calloc((size_t)ncols, sizeof *t->numeric);
    if (!t->names || !t->numeric) {
        cli_table_free(t);
        return NULL;
    }
    for (int i = 0; i < ncols; i++)
        t->names[i] = strdup(names[i]);
    return t;
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->ncols && t->names; i++)
        free(t->names[i]);
    for (size_t i = 0; i < (size_t)t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->names);
    free(t->numeric);
    free(t->cells);
    free(t);
}

void cli_table_mark_numeric(cli_table *t, int col)
{
    if (col >= 0 && col < t->ncols)
        t->numeric[col] = true;
}

int cli_table_add(cli_table *t, const char *const *cells)
{
    if (t->nrows == t->caprows) {
        int cap = t->caprows ? t->caprows * 2 : 16;
        char **p = realloc(t->cells, (size_t)cap * (size_t)t->ncols * sizeof *p);
        if (!p)
            return SLDS_ERR_NOMEM;
        t->cells = p;
        t->caprows = cap;
    }
    char **row = t->cells + (size_t)t->nrows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++)
        row[i] = cells[i] ? strdup(cells[i]) : NULL;
    t->nrows++;
    return SLDS_OK;
}

int cli_table_addv(cli_table *t, ...)
{
    const char *cells[64];
    va_list ap;
    va_start(ap, t);
    for (int i = 0; i < t->ncols && i < 64; i++)
        cells[i] = va_arg(ap, const char *);
    va_end(ap);
    return cli_table_add(t, cells);
}

int cli_table_rows(const cli_table *t)
{
    return t->nrows;
}

void cli_csv_field(FILE *out, const char *s)
{
    slds_csv_write_field(out, s);
}

/* Display width of a UTF-8 string: one column per code point. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

json_t *cli_table_json(const cli_table *t)
{
    json_t *arr = json_array();
    for (int r = 0; r < t->nrows; r++) {
        json_t *obj = json_object();
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            json_t *jv;
            if (!v || !*v)
                jv = json_null();
            else if (t->numeric[c]) {
                char *end;
                double d = strtod(v, &end);
                if (*end)
                    jv = json_string(v);
                else if (strchr(v, '.') || strchr(v, 'e'))
                    jv = json_real(d);
                else
                    jv = json_integer(strtoll(v, NULL, 10));
            } else
                jv = json_string(v);
            json_object_set_new(obj, t->names[c], jv);
        }
        json_array_append_new(arr, obj);
    }
    return arr;
}

void cli_table_print(const cli_table *t, cli_format fmt, FILE *out)
{
    if (fmt == CLI_JSON) {
        json_t *arr = cli_table_json(t);
        json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', out);
        json_decref(arr);
        return;
    }
    if (fmt == CLI_CSV) {
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', out);
            cli_csv_field(out, t->names[c]);
        }
        fputc('\n', out);
        for (int r = 0; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                if (c)
                    fputc(',', out);
                cli_csv_field(out, t->cells[(size_t)r * (size_t)t->ncols + (size_t)c]);
            }
            fputc('\n', out);
        }
        return;
    }
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    if (!w)
        return;
    for (int c = 0; c < t->ncols; c++)
        w[c] = display_width(t->names[c]);
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            size_t len = v ? display_width(v) : 0;
            if (len > w[c])
                w[c] = len;
        }
    for (int r = -1; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *v = r < 0 ? t->names[c] : t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            if (!v)
                v = "";
            size_t pad = w[c] - display_width(v);
            bool right = r >= 0 && t->numeric[c];
            if (right)
                fprintf(out, "%*s", (int)pad, "");
            fputs(v, out);
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
    free(w);
}

/* The progress bar keeps its state here: it belongs to the tool's one
 * terminal, not to the library. */
static struct {
    bool drawn;
    double last;
    char stage[64];
} bar;

static void progress_draw(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
    (void)ctx;
    double now = slds_now();
    bool finished = total && done >= total;
    if (!finished && now - bar.last < 0.1 && !strcmp(stage, bar.stage))
        return;
    bar.last = now;
    snprintf(bar.stage, sizeof bar.stage, "%s", stage);
    const int width = 30;
    if (total) {
        int filled = (int)((double)width * (double)(done > total ? total : done) / (double)total);
        fprintf(stderr, "\r%-24.24s [", stage);
        for (int i = 0; i < width; i++)
            fputc(i < filled ? '#' : '.', stderr);
        fprintf(stderr, "] %3d%%", (int)(100.0 * (double)done / (double)total));
    } else {
        fprintf(stderr, "\r%-24.24s %llu", stage, (unsigned long long)done);
    }
    fputs("\033[K", stderr);
    bar.drawn = true;
}

slds_progress cli_progress_stderr(void)
{
    slds_progress p = {0};
    if (isatty(STDERR_FILENO) && !getenv("SLDS_NO_PROGRESS"))
        p.report = progress_draw;
    return p;
}

void cli_progress_done(void)
{
    if (bar.drawn) {
        fputs("\r\033[K", stderr);
        bar.drawn = false;
    }
}

int cli_error(const slds_error *err)
{
    cli_progress_done();
    fprintf(stderr, "slds: %s\n", err->message[0] ? err->message : "unknown error");
    return err->code == SLDS_ERR_USAGE ? 2 : 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "slds %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'slds %s --help'.\n", cmd);
    return 2;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return true;
    return false;
}
