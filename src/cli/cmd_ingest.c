/* cmd_ingest.c - `slds ingest DB FILE|-`: interim and formative results and
 * item responses loaded as they arrive, batch by batch, with the loader's
 * rules and accounting (src/ingest/stream.c, docs/ingest.md); a line per
 * committed batch on a terminal, a summary at the end. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ident/ident.h"
#include "ingest/load.h"
#include "mastery/mastery.h"

static const char usage[] =
    "usage: slds ingest DB FILE|- [--file assessments.csv|item_responses.csv] [--format table|csv|json]\n"
    "                             [--rejects FILE] [--findings FILE] [--rules FILE] [--source NAME]\n"
    "                             [--batch-rows N] [--batch-seconds S]\n"
    "\n"
    "Appends interim or formative results (assessments.csv rows) or item responses\n"
    "(item_responses.csv rows) to DB as they arrive, from FILE or from standard input (-):\n"
    "one CSV header, then rows. Rows are loaded in batches, each its own transaction,\n"
    "committed within about a second of arrival, with the rules, rejects, findings and\n"
    "history of `slds load` (docs/ingest.md). Readers keep answering meanwhile. A row the\n"
    "stream ends inside (no line break after it) is not loaded. Loading the same rows\n"
    "again changes nothing.\n"
    "\n"
    "options:\n"
    "  --file NAME        the kind of rows (default: recognised from the header)\n"
    "  --format FMT       the summary as table (default), csv or json\n"
    "  --rejects FILE     every batch's rejected rows (default: DB with .rejects.csv)\n"
    "  --findings FILE    every batch's findings (default: beside the rejects, findings.csv)\n"
    "  --rules FILE       severities, as for slds load\n"
    "  --source NAME      the stream's name in messages and the load history (default: stdin or FILE)\n"
    "  --batch-rows N     a batch closes at N rows (default 50000)\n"
    "  --batch-seconds S  ... or S seconds after its first row arrived (default 0.5)\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 every row read was loaded or rejected, 1 an error (the batches before it\n"
    "are committed; the message says from which line) or the stream ended inside a row, 2 usage.\n";

/* A line per committed batch, on a terminal only. */
static void batch_line(void *ctx, const slds_ingest_batch *b)
{
    (void)ctx;
    fprintf(stderr, "batch %lld: lines %ld-%ld, %lld read, %lld loaded, %lld rejected, %lld warned; committed %.3f s after its first row\n",
            (long long)b->number, b->first_line, b->last_line, (long long)b->read, (long long)b->loaded,
            (long long)b->rejected, (long long)b->warned, b->committed - b->first_arrival);
}

static int print_summary(const slds_ingest_result *r, slds_format fmt, bool hook)
{
    slds_error err = {0};
    slds_column_spec cols[] = {
        {.name = "file", .type = SLDS_CELL_TEXT},
        {.name = "source", .type = SLDS_CELL_TEXT},
        {.name = "batches", .type = SLDS_CELL_INTEGER},
        {.name = "read", .type = SLDS_CELL_INTEGER},
        {.name = "loaded", .type = SLDS_CELL_INTEGER},
        {.name = "rejected", .type = SLDS_CELL_INTEGER},
        {.name = "warned", .type = SLDS_CELL_INTEGER},
        {.name = "cut", .type = SLDS_CELL_INTEGER},
        {.name = "seconds", .type = SLDS_CELL_REAL, .unit = "seconds", .decimals = 2},
        {.name = "rows_per_s", .type = SLDS_CELL_REAL, .unit = "rows per second", .decimals = 0},
        {.name = "latency_mean_s", .type = SLDS_CELL_REAL, .unit = "seconds", .decimals = 3},
        {.name = "latency_max_s", .type = SLDS_CELL_REAL, .unit = "seconds", .decimals = 3},
        {.name = "mastery_updates", .type = SLDS_CELL_INTEGER},
        {.name = "mastery_latency_mean_s", .type = SLDS_CELL_REAL, .unit = "seconds", .decimals = 3},
        {.name = "mastery_latency_max_s", .type = SLDS_CELL_REAL, .unit = "seconds", .decimals = 3},
    };
    int ncols = hook ? 15 : 12;
    slds_table *t = NULL, *rules = NULL;
    static const slds_column_spec rule_cols[] = {{.name = "rule", .type = SLDS_CELL_TEXT},
                                                 {.name = "rejected", .type = SLDS_CELL_INTEGER},
                                                 {.name = "warned", .type = SLDS_CELL_INTEGER}};
    if (slds_table_new(&t, "ingest", "ingest", cols, ncols, &err) ||
        slds_table_new(&rules, "rules", "by rule", rule_cols, 3, &err)) {
        slds_table_free(t);
        return cli_error(&err);
    }
    int c = 0;
    slds_table_add_row(t, &err);
    slds_table_set_text(t, c++, r->file, &err);
    slds_table_set_text(t, c++, r->label, &err);
    slds_table_set_integer(t, c++, (long long)r->batches, &err);
    slds_table_set_integer(t, c++, (long long)r->read, &err);
    slds_table_set_integer(t, c++, (long long)r->loaded, &err);
    slds_table_set_integer(t, c++, (long long)r->rejected, &err);
    slds_table_set_integer(t, c++, (long long)r->warned, &err);
    slds_table_set_integer(t, c++, (long long)r->cut, &err);
    slds_table_set_real(t, c++, r->seconds, &err);
    slds_table_set_real(t, c++, r->seconds > 0 ? (double)r->read / r->seconds : 0.0, &err);
    slds_table_set_real(t, c++, r->latency_mean, &err);
    slds_table_set_real(t, c++, r->latency_max, &err);
    if (hook) {
        slds_table_set_integer(t, c++, (long long)r->hook_rows, &err);
        slds_table_set_real(t, c++, r->hook_latency_mean, &err);
        slds_table_set_real(t, c++, r->hook_latency_max, &err);
    }
    int n;
    const slds_rule_def *defs = slds_rules(&n);
    for (int i = 0; i < n; i++) {
        if (!r->rule_rejected[i] && !r->rule_warned[i])
            continue;
        slds_table_add_row(rules, &err);
        slds_table_set_text(rules, 0, defs[i].id, &err);
        slds_table_set_integer(rules, 1, (long long)r->rule_rejected[i], &err);
        slds_table_set_integer(rules, 2, (long long)r->rule_warned[i], &err);
    }
    int rc = slds_table_status(t) ? slds_table_status(t) : slds_table_status(rules);
    if (!rc) {
        if (fmt == SLDS_FORMAT_CSV)
            rc = slds_table_write(t, fmt, stdout, &err);
        else {
            slds_table *both[2] = {t, rules};
            rc = slds_tables_write(both, 2, fmt, stdout, &err);
        }
    }
    slds_table_free(t);
    slds_table_free(rules);
    if (rc)
        return cli_error(&err);
    if (fmt == SLDS_FORMAT_TABLE && r->extra_columns[0])
        printf("\nignored columns: %s\n", r->extra_columns);
    return ferror(stdout) ? 1 : 0;
}

/* findings.csv beside the rejects: x.rejects.csv -> x.findings.csv, dir/r.csv -> dir/findings.csv */
static void findings_beside(const char *rejects, char *out, size_t size)
{
    size_t n = strlen(rejects);
    if (n >= 11 && !strcmp(rejects + n - 11, "rejects.csv")) {
        snprintf(out, size, "%.*sfindings.csv", (int)(n - 11), rejects);
        return;
    }
    const char *slash = strrchr(rejects, '/');
    if (slash)
        snprintf(out, size, "%.*s/findings.csv", (int)(slash - rejects), rejects);
    else
        snprintf(out, size, "findings.csv");
}

static bool parse_positive(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !(v > 0) || v > 1e9)
        return false;
    *out = v;
    return true;
}

/* The mastery hook: each committed batch of item responses updates the
 * students' P(mastery) online (slds_mastery_update), in one transaction; a
 * standard without fitted parameters is left alone by the update. */
static int update_mastery(void *ctx, slds_store *s, const slds_ingest_response *rows, size_t n,
                          slds_error *err)
{
    (void)ctx;
    int rc = slds_store_begin(s, err);
    for (size_t i = 0; i < n && !rc; i++) {
        slds_mastery_update_result r;
        rc = slds_mastery_update(s, rows[i].student_id, rows[i].standard_id, rows[i].response_time,
                                 rows[i].correct, SLDS_MASTERY_THRESHOLD, &r, err);
    }
    if (!rc)
        rc = slds_store_commit(s, err);
    if (rc)
        slds_store_rollback(s);
    return rc;
}

int cmd_ingest(int argc, char **argv)
{
    static const struct option options[] = {{"file", required_argument, NULL, 'F'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"rejects", required_argument, NULL, 'r'},
                                            {"findings", required_argument, NULL, 'w'},
                                            {"rules", required_argument, NULL, 'R'},
                                            {"source", required_argument, NULL, 's'},
                                            {"batch-rows", required_argument, NULL, 'n'},
                                            {"batch-seconds", required_argument, NULL, 't'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = SLDS_FORMAT_TABLE;
    const char *file = NULL, *rejects = NULL, *findings = NULL, *rules = NULL, *source = NULL;
    double batch_rows = 0, batch_seconds = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "F:f:r:w:R:s:n:t:h", options, NULL)) != -1) {
        switch (opt) {
        case 'F':
            file = optarg;
            break;
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("ingest", "unknown format '%s'", optarg);
            break;
        case 'r':
            rejects = optarg;
            break;
        case 'w':
            findings = optarg;
            break;
        case 'R':
            rules = optarg;
            break;
        case 's':
            source = optarg;
            break;
        case 'n':
            if (!parse_positive(optarg, &batch_rows) || batch_rows != (double)(int64_t)batch_rows)
                return cli_usage_error("ingest", "--batch-rows expects a whole number above 0, not '%s'", optarg);
            break;
        case 't':
            if (!parse_positive(optarg, &batch_seconds))
                return cli_usage_error("ingest", "--batch-seconds expects a number of seconds above 0, not '%s'",
                                       optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_usage_error("ingest", "unknown option");
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("ingest", "expected DB and FILE (or - for standard input)");
    const char *db = argv[optind], *input = argv[optind + 1];
    if (file && strcmp(file, "assessments.csv") && strcmp(file, "item_responses.csv"))
        return cli_usage_error("ingest", "--file expects assessments.csv or item_responses.csv, not '%s'", file);
    char rejects_default[4096], findings_default[4096];
    if (!rejects) {
        size_t n = strlen(db);
        int stem = (int)(n > 3 && !strcmp(db + n - 3, ".db") ? n - 3 : n);
        snprintf(rejects_default, sizeof rejects_default, "%.*s.rejects.csv", stem, db);
        rejects = rejects_default;
    }
    if (!findings) {
        findings_beside(rejects, findings_default, sizeof findings_default);
        findings = findings_default;
    }
    slds_error err = {0};
    slds_severity sev[SLDS_RULE_COUNT];
    slds_load_default_rules(sev);
    if (rules && slds_load_read_rules(rules, sev, &err))
        return cli_error(&err);
    bool from_stdin = !strcmp(input, "-");
    int fd = from_stdin ? STDIN_FILENO : open(input, O_RDONLY);
    if (fd < 0) {
        slds_fail(&err, SLDS_ERR_IO, "%s: cannot open: %s", input, strerror(errno));
        return cli_error(&err);
    }
    bool progress = isatty(STDERR_FILENO) && !getenv("SLDS_NO_PROGRESS");
    slds_ingest_options io = {.file = file,
                              .label = source ? source : from_stdin ? "stdin" : input,
                              .batch_rows = (int64_t)batch_rows,
                              .batch_seconds = batch_seconds,
                              .severity = sev,
                              .rejects_path = rejects,
                              .findings_path = findings,
                              .on_batch = progress ? batch_line : NULL};
    /* Item responses move the students' mastery as they land (docs/ingest.md, "Mastery"). */
    io.on_responses = update_mastery;
    bool hook = io.on_responses != NULL;
    /* The header is read and checked before the database is opened (and so
     * perhaps created). */
    slds_ingest *g = NULL;
    if (slds_ingest_open(&g, fd, &io, &err)) {
        slds_ingest_close(g);
        if (!from_stdin)
            close(fd);
        return cli_error(&err);
    }
    slds_store *store = NULL;
    if (slds_store_open_writer(&store, db, SLDS_STORE_CREATE, &err) || slds_ident_key_ensure(store, &err)) {
        slds_store_close(store);
        slds_ingest_close(g);
        if (!from_stdin)
            close(fd);
        return cli_error(&err);
    }
    slds_ingest_result *res = calloc(1, sizeof *res);
    int rc = res ? slds_ingest_run(g, store, res, &err) : slds_fail(&err, SLDS_ERR_NOMEM, "out of memory");
    slds_ingest_close(g);
    slds_store_close(store);
    if (!from_stdin)
        close(fd);
    if (rc) {
        int status = cli_error(&err);
        if (res)
            fprintf(stderr, "slds: %lld batches (%lld rows) were committed before the failure\n",
                    (long long)res->batches, (long long)res->read);
        free(res);
        return status;
    }
    int status = print_summary(res, (slds_format)fmt, hook);
    if (res->rejected)
        fprintf(stderr, "slds: %lld rows rejected, listed in %s\n", (long long)res->rejected, rejects);
    if (res->warned)
        fprintf(stderr, "slds: %lld rows loaded with findings, listed in %s\n", (long long)res->warned, findings);
    if (res->cut) {
        fprintf(stderr,
                "slds: %s: line %ld: the stream ended inside a row (no line break after it): that row was not "
                "loaded; every row before it was. Send it again.\n",
                res->label, res->cut_line);
        status = status ? status : 1;
    }
    free(res);
    return status;
}
