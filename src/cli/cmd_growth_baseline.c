/* cmd_growth_baseline.c - `slds growth baseline fit|list|export|import`:
 * baseline-referenced SGP matrices, fitted on the pooled cohorts of several
 * years and stored under a name, listed, written to a file and read back
 * (library: src/growthrun/growthrun.h, baseline.c; docs/growth.md). This
 * file only parses options and prints. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "growthrun/growthrun.h"

static const char usage_baseline[] =
    "usage: slds growth baseline COMMAND DB [OPTIONS]   (--help for each)\n"
    "\n"
    "Baseline-referenced SGPs: coefficient matrices fitted once on the cohorts of\n"
    "several years pooled (the SGP package's super-cohort), stored under a name and\n"
    "applied to later years with 'slds growth run DB --year Y --baseline NAME'.\n"
    "\n"
    "commands:\n"
    "  fit     fit and store a baseline from the scores of the years given\n"
    "  list    the stored baselines, one row per model\n"
    "  export  a baseline as a JSON file (so a state can publish the matrices it used)\n"
    "  import  store a baseline from such a file\n";

static const char usage_fit[] =
    "usage: slds growth baseline fit DB --name NAME --years Y1-Y2|Y1,Y2,...\n"
    "                               [--subject S] [--config FILE] [--max-order K]\n"
    "                               [--threads N] [--replace] [--format table|csv|json]\n"
    "\n"
    "Fits, for every subject, grade and prior progression (the tested grades below,\n"
    "each year lag the grade difference, and the configuration's sgp.config\n"
    "progressions) and every order k, one coefficient matrix on the students of all\n"
    "the years' cohorts pooled: every year Y of the list whose k prior years are\n"
    "listed too contributes its students with the grade in Y and every prior grade\n"
    "in its year. Stores them under NAME in one transaction.\n"
    "\n"
    "options:\n"
    "  --name NAME     the baseline's name; required\n"
    "  --years YEARS   the panel years, a range (2017-2019) or a list (2017,2018,2019);\n"
    "                  every score used, current or prior, is of one of them; required\n"
    "  --subject S     only this subject (default: every subject with STATE scores)\n"
    "  --config FILE   knots, boundaries, loss/hoss and explicit progressions (the\n"
    "                  SGP package's meta-data JSON or slds's layout); without it knots\n"
    "                  come from the scores of the years\n"
    "  --max-order K   priors at most (default: min(3, years - 2), at least 1, as the\n"
    "                  SGP package; at most years - 1)\n"
    "  --threads N     threads fitting models (default: one per CPU)\n"
    "  --replace       replace a stored baseline of the same name\n"
    "  --format FMT    the models fitted as table (default), csv or json\n"
    "  -h, --help      this help\n";

static const char usage_list[] =
    "usage: slds growth baseline list DB [--name NAME] [--format table|csv|json]\n"
    "\n"
    "The stored baselines (or one), one row per model: name, source (fit or the file\n"
    "imported), years, subject, grade, priors (prior grade/year lag, most recent\n"
    "first), order, students fitted, the cohorts (current years) pooled.\n";

static const char usage_export[] =
    "usage: slds growth baseline export DB --name NAME [--output FILE]\n"
    "\n"
    "Writes the baseline as one JSON document (every matrix with 17 significant\n"
    "digits: importing it gives the same bits, so the same SGPs).\n";

static const char usage_import[] =
    "usage: slds growth baseline import DB FILE [--name NAME] [--replace]\n"
    "\n"
    "Stores the baseline of FILE (written by 'slds growth baseline export') under its\n"
    "own name or NAME; a name in use is refused unless --replace.\n";

enum { OPT_NAME = 256, OPT_YEARS, OPT_SUBJECT, OPT_CONFIG, OPT_MAX_ORDER, OPT_THREADS,
       OPT_REPLACE, OPT_FORMAT, OPT_OUTPUT };
#define TAKES(o) (1u << ((o) - OPT_NAME))

typedef struct bopts {
    const char *db, *file, *name, *subject, *config, *output;
    int n_years, years[SLDS_BASELINE_MAX_YEARS];
    int max_order, threads, replace, fmt;
} bopts;

/* "2017-2019" or "2017,2018,2019" into increasing years. */
static int parse_years(const char *s, bopts *o)
{
    int a, b;
    char tail;
    o->n_years = 0;
    if (sscanf(s, "%d-%d%c", &a, &b, &tail) == 2) {
        if (a < 1900 || b > 2200 || b <= a || b - a >= SLDS_BASELINE_MAX_YEARS)
            return -1;
        for (int y = a; y <= b; y++)
            o->years[o->n_years++] = y;
        return 0;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->n_years == SLDS_BASELINE_MAX_YEARS ||
            cli_parse_int(t, 1900, 2200, &o->years[o->n_years]))
            return -1;
        if (o->n_years && o->years[o->n_years] <= o->years[o->n_years - 1])
            return -1;
        o->n_years++;
    }
    return o->n_years >= 2 ? 0 : -1;
}

/* Parses argv; positional arguments: DB (and FILE for import). Returns -1
 * when parsed, else the exit status. */
static int parse(int argc, char **argv, const char *cmd, const char *usage, unsigned takes,
                 int positional, bopts *o)
{
    static const struct option options[] = {
        {"name", required_argument, NULL, OPT_NAME},
        {"years", required_argument, NULL, OPT_YEARS},
        {"subject", required_argument, NULL, OPT_SUBJECT},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"max-order", required_argument, NULL, OPT_MAX_ORDER},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"replace", no_argument, NULL, OPT_REPLACE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char where[64];
    snprintf(where, sizeof where, "growth baseline %s", cmd);
    memset(o, 0, sizeof *o);
    o->fmt = SLDS_FORMAT_TABLE;
    optind = 1;
    opterr = 0;
    int opt, index = 0;
    while ((opt = getopt_long(argc, argv, ":h", options, &index)) != -1) {
        if (opt >= OPT_NAME && opt <= OPT_OUTPUT && !(takes & TAKES(opt)))
            return cli_usage_error(where, "option '--%s' is not an option of growth baseline %s",
                                   options[index].name, cmd);
        switch (opt) {
        case OPT_NAME: o->name = optarg; break;
        case OPT_SUBJECT: o->subject = optarg; break;
        case OPT_CONFIG: o->config = optarg; break;
        case OPT_OUTPUT: o->output = optarg; break;
        case OPT_REPLACE: o->replace = 1; break;
        case OPT_YEARS:
            if (parse_years(optarg, o))
                return cli_usage_error(where,
                                       "--years '%s': a range (2017-2019) or increasing years "
                                       "(2017,2018,2019), 2..%d of them",
                                       optarg, SLDS_BASELINE_MAX_YEARS);
            break;
        case OPT_MAX_ORDER:
            if (cli_parse_int(optarg, 1, SLDS_SGP_MAX_ORDER, &o->max_order))
                return cli_usage_error(where, "--max-order '%s' is not 1..%d", optarg,
                                       SLDS_SGP_MAX_ORDER);
            break;
        case OPT_THREADS:
            if (cli_parse_int(optarg, 1, 1024, &o->threads))
                return cli_usage_error(where, "--threads '%s' is not 1..1024", optarg);
            break;
        case OPT_FORMAT:
            if ((o->fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error(where, "unknown format '%s'", optarg);
            break;
        case 'h': fputs(usage, stdout); return 0;
        case ':': return cli_usage_error(where, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error(where, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != positional)
        return cli_usage_error(where, positional == 2 ? "expected DB and FILE" : "expected one DB");
    o->db = argv[optind];
    o->file = positional == 2 ? argv[optind + 1] : NULL;
    return -1;
}

/* --------------------------------------------------------------------- fit */

static int print_fit(const slds_baseline_result *r, const char *name, slds_format fmt)
{
    static const slds_column_spec cols[] = {
        {.name = "subject", .type = SLDS_CELL_TEXT},
        {.name = "grade", .type = SLDS_CELL_INTEGER},
        {.name = "priors", .type = SLDS_CELL_TEXT},
        {.name = "sgp_order", .type = SLDS_CELL_INTEGER, .unit = "prior scores"},
        {.name = "cohorts", .type = SLDS_CELL_TEXT},
        {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "seconds", .type = SLDS_CELL_REAL, .unit = "seconds", .decimals = 2},
        {.name = "note", .type = SLDS_CELL_TEXT}};
    slds_error err = {0};
    slds_table *t;
    int rc = slds_table_new(&t, "baseline_models", "Baseline models fitted", cols,
                            (int)(sizeof cols / sizeof cols[0]), &err);
    for (int k = 0; !rc && k < r->n_models; k++) {
        const slds_baseline_model_info *m = &r->models[k];
        char priors[128] = "", cohorts[128] = "";
        for (int q = 0; q < m->order; q++) {
            size_t len = strlen(priors);
            snprintf(priors + len, sizeof priors - len, "%s%d (lag %d)", q ? " " : "",
                     m->prior_grades[q], m->lags[q]);
        }
        for (int q = 0; q < m->n_cohorts; q++) {
            size_t len = strlen(cohorts);
            snprintf(cohorts + len, sizeof cohorts - len, "%s%d", q ? " " : "", m->cohort_years[q]);
        }
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, m->subject, &err);
        slds_table_set_integer(t, 1, m->grade, &err);
        slds_table_set_text(t, 2, priors, &err);
        slds_table_set_integer(t, 3, m->order, &err);
        slds_table_set_text(t, 4, cohorts, &err);
        slds_table_set_integer(t, 5, (long long)m->students, &err);
        slds_table_set_real(t, 6, m->seconds, &err);
        slds_table_set_text(t, 7, m->note, &err);
        rc = slds_table_status(t);
    }
    if (!rc)
        rc = slds_table_write(t, fmt, stdout, &err);
    slds_table_free(t);
    if (rc)
        return cli_error(&err);
    double peak = (double)slds_peak_rss() / (1024.0 * 1024.0);
    fprintf(fmt == SLDS_FORMAT_TABLE ? stdout : stderr,
            "%sbaseline %s: %d models fitted of %d (max order %d) on %zu student rows; %.2f s "
            "(read %.2f, fit %.2f, write %.2f) on %d threads, peak %.0f MiB\n",
            fmt == SLDS_FORMAT_TABLE ? "\n" : "slds: ", name, r->fitted, r->n_models, r->max_order,
            r->students, r->seconds, r->seconds_read, r->seconds_fit, r->seconds_write, r->threads,
            peak);
    return 0;
}

static int baseline_fit(int argc, char **argv)
{
    bopts o;
    int status = parse(argc, argv, "fit", usage_fit,
                       TAKES(OPT_NAME) | TAKES(OPT_YEARS) | TAKES(OPT_SUBJECT) | TAKES(OPT_CONFIG) |
                           TAKES(OPT_MAX_ORDER) | TAKES(OPT_THREADS) | TAKES(OPT_REPLACE) |
                           TAKES(OPT_FORMAT),
                       1, &o);
    if (status >= 0)
        return status;
    if (!o.name)
        return cli_usage_error("growth baseline fit", "--name is required");
    if (!o.n_years)
        return cli_usage_error("growth baseline fit", "--years is required");
    slds_error err = {0};
    slds_growth_config *cfg = NULL;
    if (o.config && slds_growth_config_load(o.config, &cfg, &err))
        return cli_error(&err);
    slds_store *s;
    if ((status = cli_open_store(o.db, &s, true))) {
        slds_growth_config_free(cfg);
        return status;
    }
    slds_baseline_options bo = {.name = o.name, .n_years = o.n_years, .subject = o.subject,
                                .config = cfg, .config_name = o.config, .max_order = o.max_order,
                                .n_threads = o.threads, .replace = o.replace};
    memcpy(bo.years, o.years, sizeof bo.years);
    slds_progress progress = cli_progress_stderr();
    slds_baseline_result res;
    int rc = slds_growthrun_baseline_fit(s, &bo, &progress, &res, &err);
    cli_progress_done();
    slds_store_close(s);
    slds_growth_config_free(cfg);
    if (rc)
        return cli_write_failed(&err, "baseline fit");
    status = print_fit(&res, o.name, (slds_format)o.fmt);
    slds_baseline_result_free(&res);
    return status;
}

/* -------------------------------------------------------------- list */

static int baseline_list(int argc, char **argv)
{
    bopts o;
    int status = parse(argc, argv, "list", usage_list, TAKES(OPT_NAME) | TAKES(OPT_FORMAT), 1, &o);
    if (status >= 0)
        return status;
    slds_store *s;
    if ((status = cli_open_store(o.db, &s, false)))
        return status;
    slds_error err = {0};
    slds_table *t = NULL;
    int rc = slds_growthrun_baseline_list(s, o.name, &t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, (slds_format)o.fmt);
}

/* ------------------------------------------------------------ export */

static int baseline_export(int argc, char **argv)
{
    bopts o;
    int status =
        parse(argc, argv, "export", usage_export, TAKES(OPT_NAME) | TAKES(OPT_OUTPUT), 1, &o);
    if (status >= 0)
        return status;
    if (!o.name)
        return cli_usage_error("growth baseline export", "--name is required");
    slds_store *s;
    if ((status = cli_open_store(o.db, &s, false)))
        return status;
    slds_error err = {0};
    char *json = NULL;
    int rc = slds_growthrun_baseline_export(s, o.name, &json, &err);
    slds_store_close(s);
    FILE *out = NULL;
    if (!rc) {
        out = o.output ? fopen(o.output, "w") : stdout;
        if (!out)
            rc = slds_fail(&err, SLDS_ERR_IO, "cannot write %s: %s", o.output, strerror(errno));
    }
    if (!rc && (fputs(json, out) < 0 || fputc('\n', out) < 0))
        rc = slds_fail(&err, SLDS_ERR_IO, "cannot write %s", o.output ? o.output : "stdout");
    if (out && out != stdout && fclose(out) != 0 && !rc)
        rc = slds_fail(&err, SLDS_ERR_IO, "cannot write %s", o.output);
    free(json);
    return rc ? cli_error(&err) : 0;
}

/* ------------------------------------------------------------ import */

static int read_file(const char *path, slds_buf *b, slds_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    char chunk[65536];
    size_t got;
    int rc = SLDS_OK;
    while (!rc && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (slds_buf_append(b, chunk, got))
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory reading %s", path);
    if (!rc && ferror(f))
        rc = slds_fail(err, SLDS_ERR_IO, "error reading %s", path);
    fclose(f);
    return rc;
}

static int baseline_import(int argc, char **argv)
{
    bopts o;
    int status =
        parse(argc, argv, "import", usage_import, TAKES(OPT_NAME) | TAKES(OPT_REPLACE), 2, &o);
    if (status >= 0)
        return status;
    slds_error err = {0};
    slds_buf text = {0};
    int rc = read_file(o.file, &text, &err);
    if (rc)
        return cli_error(&err);
    slds_store *s;
    if ((status = cli_open_store(o.db, &s, true))) {
        slds_buf_free(&text);
        return status;
    }
    char name[SLDS_GROWTH_NAME_MAX];
    int models = 0;
    rc = slds_growthrun_baseline_import(s, text.data ? text.data : "", text.len, o.file, o.name, o.replace, name,
                                        &models, &err);
    slds_store_close(s);
    slds_buf_free(&text);
    if (rc)
        return cli_write_failed(&err, "baseline import");
    printf("baseline %s: %d models imported from %s\n", name, models, o.file);
    return 0;
}

int cmd_growth_baseline(int argc, char **argv)
{
    static const cli_subcommand commands[] = {{"fit", baseline_fit},
                                         {"list", baseline_list},
                                         {"export", baseline_export},
                                         {"import", baseline_import}};
    return cli_run_subcommand("growth baseline", commands, sizeof commands / sizeof commands[0], usage_baseline, argc, argv);
}
