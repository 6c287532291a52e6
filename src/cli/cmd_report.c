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
    "       slds report DB --all --year Y [--out DIR] [--threads N] [--public ...] [--format FMT]\n"
    "\n"
    "Runs the report NAME of the registry on the state database DB and prints its\n"
    "tables. Each report has its own parameters (--list shows them; e.g. slds report\n"
    "DB growth-aggregates --year 2024 --level school).\n"
    "\n"
    "options:\n"
    "  --list         the reports and their parameters\n"
    "  --all          every accountability report for --year Y at once (college for\n"
    "                 Y-1), in parallel, sharing work; prints each report's time;\n"
    "                 --out DIR writes each to DIR/NAME.FMT (docs/report.md)\n"
    "  --threads N    threads for --all (default: the processors)\n"
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

/* `slds report DB --all --year Y`: the accountability reports of issue 9
 * (bench/account/run_reports.sh runs the same list one process each). */
static int run_all(const char *db, const char *year_text, const char *out_dir, int threads, slds_format fmt,
                   const slds_privacy_rules *rules)
{
    char *end;
    long year = year_text ? strtol(year_text, &end, 10) : 0;
    if (!year_text || !*year_text || *end || year < 1900 || year > 2200)
        return cli_usage_error("report", "--all needs --year Y (a school year)");
    char this_year[16], last_year[16];
    snprintf(this_year, sizeof this_year, "%ld", year);
    snprintf(last_year, sizeof last_year, "%ld", year - 1);
    static const char *const year_name[] = {"year"};
    const char *const this_value[] = {this_year}, *const last_value[] = {last_year};
    /* the longest first, so two threads end together */
    static const char *const names[] = {"achievement", "competes", "lowest-achieving", "performance-measures",
                                        "equity", "graduation", "college", "funding", "preparation",
                                        "growth-aggregates"};
    enum { NJOBS = sizeof names / sizeof names[0] };
    slds_report_job jobs[NJOBS];
    char paths[NJOBS][4096];
    for (int i = 0; i < NJOBS; i++) {
        bool no_year = !strcmp(names[i], "competes"), last = !strcmp(names[i], "college");
        jobs[i] = (slds_report_job){.name = names[i], .format = fmt,
                                    .args = {.n = no_year ? 0 : 1, .names = year_name,
                                             .values = last ? last_value : this_value}};
        if (out_dir) {
            snprintf(paths[i], sizeof paths[i], "%s/%s.%s", out_dir, names[i], slds_format_name(fmt));
            jobs[i].out_path = paths[i];
        }
    }
    slds_error err = {0};
    double cube = 0, t0 = slds_now();
    if (slds_report_run_all(db, jobs, NJOBS, rules, threads, &cube, &err))
        return cli_error(&err);
    double wall = slds_now() - t0, cpu = 0;
    int status = 0;
    printf("%-22s %9s %9s %9s  %s\n", "report", "wall_s", "cpu_s", "rows", "status");
    for (int i = 0; i < NJOBS; i++) {
        const slds_report_job *j = &jobs[i];
        cpu += j->cpu_seconds;
        if (j->rc && j->rc != SLDS_ERR_NOTFOUND)
            status = 1;
        printf("%-22s %9.2f %9.2f %9zu  %s\n", j->name, j->wall_seconds, j->cpu_seconds, j->rows,
               j->rc ? j->err.message : "ok");
    }
    printf("%-22s %9.2f %9.2f\n", "total", wall, cpu);
    printf("(%d threads; the achievement cube, %.2f s CPU, built once and shared by achievement and "
           "performance-measures, is counted in the first of them to run)\n",
           threads, cube);
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
    bool list = false, public = false, all = false;
    const char *out_dir = NULL;
    int threads = slds_cpu_count();
    bool threads_given = false;
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
        if (!strcmp(argv[i], "--all")) {
            all = true;
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
        } else if (!strcmp(name, "out"))
            out_dir = value;
        else if (!strcmp(name, "threads")) {
            char *end;
            long n = strtol(value, &end, 10);
            if (!*value || *end || n < 1 || n > 64)
                status = cli_usage_error("report", "--threads '%s' is not 1-64", value);
            threads = (int)n;
            threads_given = true;
        } else {
            names[nargs] = name;
            values[nargs++] = value;
        }
    }
    if (status < 0 && list)
        status = npositional || nargs ? cli_usage_error("report", "--list takes no DB, report or parameter")
                                      : list_reports((slds_format)fmt);
    if (status < 0 && all)
        status = npositional != 1 || nargs != 1 || strcmp(names[0], "year")
                     ? cli_usage_error("report", "--all takes DB and --year Y only (and --out, --threads, "
                                                 "--public, --min-n, --no-ranges, --format)")
                     : run_all(positional[0], values[0], out_dir, threads, (slds_format)fmt,
                               public ? &rules : NULL);
    if (status < 0 && (out_dir || threads_given))
        status = cli_usage_error("report", "--out and --threads go with --all");
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
        if (!rc)
            rc = slds_report_output_write(positional[1], &out, (slds_format)fmt, stdout, &err);
        if (!rc && public)
            fprintf(stderr, "slds report: public form, groups under %d: %zu cells suppressed, %zu more so "
                            "they cannot be recovered, %zu rates shown as ranges, %zu as intervals\n",
                    rules.min_n, out.privacy.primary, out.privacy.secondary, out.privacy.ranges,
                    out.privacy.intervals);
        slds_report_output_free(&out);
        status = rc ? cli_error(&err) : 0;
    }
    free(names);
    free(values);
    free(bufs);
    return status;
}
