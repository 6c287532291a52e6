/* cmd_report.c - `slds report DB NAME [--PARAM VALUE ...] [--public]`: the
 * front of the report registry (src/report): runs a report by name with its
 * parameters and prints its tables; `slds report --list` lists the reports.
 * Public-reporting suppression is the registry's, not this file's
 * (docs/report.md). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"

static const char usage[] =
    "usage: slds report DB NAME [--PARAM VALUE ...] [--public [--min-n N] [--no-ranges]]\n"
    "                   [--format table|csv|json|html]\n"
    "       slds report --list [--format table|csv|json|html]\n"
    "\n"
    "Runs the report NAME of the registry on the state database DB and prints its\n"
    "tables. Each report has its own parameters (--list shows them; e.g. slds report\n"
    "DB growth-aggregates --year 2024 --level school).\n"
    "\n"
    "options:\n"
    "  --list         the reports and their parameters\n"
    "  --public       the form for publication: figures of groups smaller than the\n"
    "                 minimum size are suppressed (*), and so are the cells that would\n"
    "                 let them be recovered by subtraction (docs/report.md)\n"
    "  --min-n N      minimum group size for --public (default 10)\n"
    "  --no-ranges    with --public, show rates near 0 % and 100 % of small groups\n"
    "                 exactly (default: as ranges such as <=5%, docs/privacy.md)\n"
    "  --format FMT   table (default), csv, json or html\n"
    "  -h, --help     this help\n"
    "\n"
    "exit status: 0 printed, 1 error, 2 usage.\n";

/* Option value: "--name=value" or "--name value"; advances *i past it. */
static const char *option_value(int argc, char **argv, int *i, const char **name, char *buf,
                                size_t size)
{
    const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
    if (eq) {
        snprintf(buf, size, "%.*s", (int)(eq - arg), arg);
        *name = buf;
        return eq + 1;
    }
    *name = arg;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

static int list_reports(slds_format fmt)
{
    slds_error err = {0};
    slds_table *t;
    if (slds_report_list_table(&t, &err))
        return cli_error(&err);
    int status = cli_print_table(t, fmt);
    slds_table_free(t);
    return status;
}

int cmd_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    const char *positional[2] = {NULL, NULL};
    int npositional = 0, fmt = SLDS_FORMAT_TABLE;
    bool list = false, public = false;
    slds_privacy_rules rules;
    slds_privacy_rules_default(&rules);
    const char **names = calloc((size_t)argc, sizeof *names);
    const char **values = calloc((size_t)argc, sizeof *values);
    char (*bufs)[64] = calloc((size_t)argc, sizeof *bufs);
    int status = names && values && bufs ? -1 : cli_usage_error("report", "out of memory");
    size_t nargs = 0;
    for (int i = 1; status < 0 && i < argc; i++) {
        if (strncmp(argv[i], "--", 2) || !argv[i][2]) {
            if (npositional == 2)
                status = cli_usage_error("report", "unexpected argument '%s'", argv[i]);
            else
                positional[npositional++] = argv[i];
            continue;
        }
        if (!strcmp(argv[i], "--list")) {
            list = true;
            continue;
        }
        if (!strcmp(argv[i], "--public")) {
            public = true;
            continue;
        }
        if (!strcmp(argv[i], "--no-ranges")) {
            rules.nbands = 0;
            continue;
        }
        const char *name, *value = option_value(argc, argv, &i, &name, bufs[i], sizeof bufs[i]);
        if (!value)
            status = cli_usage_error("report", "option '--%s' needs a value", name);
        else if (!strcmp(name, "format")) {
            if ((fmt = cli_parse_format(value, true)) < 0)
                status = cli_usage_error("report", "unknown format '%s'", value);
        } else if (!strcmp(name, "min-n")) {
            char *end;
            long n = strtol(value, &end, 10);
            if (!*value || *end || n < 1 || n > 1000000)
                status = cli_usage_error("report", "--min-n '%s' is not a whole number >= 1", value);
            rules.min_n = (int)n;
        } else {
            names[nargs] = name;
            values[nargs++] = value;
        }
    }
    if (status < 0 && list)
        status = npositional || nargs ? cli_usage_error("report", "--list takes no DB, report or parameter")
                                      : list_reports((slds_format)fmt);
    if (status < 0 && npositional != 2)
        status = cli_usage_error("report", "expected DB and a report NAME (slds report --list)");
    if (status < 0) {
        slds_error err = {0};
        slds_store *store = NULL;
        slds_report_args args = {.n = nargs, .names = names, .values = values};
        slds_report_output out = {0};
        int rc = slds_report_find(positional[1])
                     ? slds_store_open_readonly(&store, positional[0], &err)
                     : slds_fail(&err, SLDS_ERR_USAGE, "no report named '%s' (slds report --list)",
                                 positional[1]);
        if (!rc)
            rc = slds_report_run(store, positional[1], &args, public ? &rules : NULL, &out, &err);
        slds_store_close(store);
        bool page = !rc && fmt == SLDS_FORMAT_HTML && out.figure.len;
        if (page) /* a page a school board can open: the charts, then the tables */
            printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n"
                   "<style>body{font-family:sans-serif;max-width:60em;margin:1em auto;color:#222}"
                   "table{border-collapse:collapse;font-size:80%%}td,th{border:1px solid #ccc;padding:2px 4px}"
                   "td{text-align:right}</style></head><body>\n<h1>%s</h1>\n%s",
                   positional[1], positional[1], out.figure.data);
        if (!rc && fmt == SLDS_FORMAT_HTML && out.html.len)
            fputs(out.html.data, stdout); /* the report's charts, then its tables */
        if (!rc)
            rc = slds_tables_write(out.tables, out.n, (slds_format)fmt, stdout, &err);
        if (page && !rc)
            puts("</body></html>");
        if (!rc && public)
            fprintf(stderr, "slds report: public form, groups under %d: %zu cells suppressed, %zu more so "
                            "they cannot be recovered, %zu rates shown as ranges\n",
                    rules.min_n, out.privacy.primary, out.privacy.secondary, out.privacy.ranges);
        slds_report_output_free(&out);
        status = rc ? cli_error(&err) : 0;
    }
    free(names);
    free(values);
    free(bufs);
    return status;
}
