/* output.c - what every subcommand prints besides its tables (those go
 * through src/table): the format option, the progress bar, error and usage
 * messages. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_parse_format(const char *s, bool allow_html)
{
    slds_format f;
    if (slds_format_parse(s, &f) || (f == SLDS_FORMAT_HTML && !allow_html))
        return -1;
    return (int)f;
}

int cli_print_table(const slds_table *t, slds_format fmt)
{
    slds_error err = {0};
    if (slds_table_write(t, fmt, stdout, &err))
        return cli_error(&err);
    return 0;
}

int cli_print_table_free(slds_table *t, int rc, const slds_error *err, slds_format fmt)
{
    rc = rc ? cli_error(err) : cli_print_table(t, fmt);
    slds_table_free(t);
    return rc;
}

int cli_print_page_free(slds_buf *b, int rc, const slds_error *err)
{
    if (!rc)
        fwrite(b->data, 1, b->len, stdout);
    slds_buf_free(b);
    return rc ? cli_error(err) : 0;
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
    /* messages quote input values: shown escaped, like every text output */
    fputs("slds: ", stderr);
    slds_text_fputs(stderr, err->message[0] ? err->message : "unknown error");
    fputc('\n', stderr);
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

int cli_parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int cli_open_store(const char *path, slds_store **s, bool writer)
{
    slds_error err = {0};
    if (writer ? slds_store_open_writer(s, path, 0, &err) : slds_store_open_readonly(s, path, &err))
        return cli_error(&err);
    return 0;
}

int cli_write_failed(const slds_error *err, const char *what)
{
    int status = cli_error(err);
    fprintf(stderr, "slds: %s failed, the database is unchanged\n", what);
    return status;
}

int cli_run_subcommand(const char *cmd, const cli_subcommand *subs, size_t n, const char *usage,
                       int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(argv[1], subs[i].name))
            return subs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "slds %s: unknown command '%s'\n", cmd, argv[1]);
    fputs(usage, stderr);
    return 2;
}
