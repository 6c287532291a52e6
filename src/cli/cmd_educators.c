/* cmd_educators.c - `slds educators run|show`: value-added, growth of each
 * educator's students and ratings (library: src/educator/educator.h;
 * docs/educators.md). This file only parses options and prints. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "educator/educator.h"

static const char usage_educators[] =
    "usage: slds educators COMMAND DB [OPTIONS]\n"
    "\n"
    "Educator effectiveness (criterion (D)(2)): value-added of every teacher (a\n"
    "random-intercept model fitted by REML, dosage-weighted), mean and median SGP and\n"
    "grade-level gains of their students.\n"
    "\n"
    "commands:\n"
    "  run   DB --year Y [--config lme4|full|colorado|tennessee|dc|FILE] [--min-students N]\n"
    "        [--min-fte F] [--model-frame FILE] [--no-outcomes]\n"
    "        [--csem FILE] [--class-means] [--school-means] [--no-pattern-weights]\n"
    "        [--prior-required]   (the last five: the full model)\n"
    "        compute and store year Y (replaces that year's results); a rating\n"
    "        configuration (a preset or a JSON file) adds ratings and decisions\n"
    "  show  DB --year Y [--staff ID] [--format table|csv|json]\n"
    "        the stored rows\n"
    "  report DB --staff ID --year Y [--format html]\n"
    "        the educator's feedback page (HTML with charts) on stdout\n"
    "\n"
    "Every definition: docs/educators.md.\n";

typedef struct opts {
    const char *db, *config, *staff, *frame, *csem;
    int year;
    double min_students, min_fte;
    int min_set, no_outcomes, class_means, school_means, no_pattern_weights, prior_required;
    slds_format fmt;
} opts;

static int parse(int argc, char **argv, const char *cmd, opts *o)
{
    enum { O_YEAR = 256, O_CONFIG, O_STAFF, O_FORMAT, O_MINS, O_MINF, O_FRAME, O_NO_OUTCOMES, O_CSEM,
           O_CLASS_MEANS, O_SCHOOL_MEANS, O_NO_PATTERN_WEIGHTS, O_PRIOR_REQUIRED };
    static const struct option options[] = {
        {"year", required_argument, NULL, O_YEAR},
        {"config", required_argument, NULL, O_CONFIG},
        {"staff", required_argument, NULL, O_STAFF},
        {"format", required_argument, NULL, O_FORMAT},
        {"min-students", required_argument, NULL, O_MINS},
        {"min-fte", required_argument, NULL, O_MINF},
        {"model-frame", required_argument, NULL, O_FRAME},
        {"no-outcomes", no_argument, NULL, O_NO_OUTCOMES},
        {"csem", required_argument, NULL, O_CSEM},
        {"class-means", no_argument, NULL, O_CLASS_MEANS},
        {"school-means", no_argument, NULL, O_SCHOOL_MEANS},
        {"no-pattern-weights", no_argument, NULL, O_NO_PATTERN_WEIGHTS},
        {"prior-required", no_argument, NULL, O_PRIOR_REQUIRED},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char where[64];
    snprintf(where, sizeof where, "educators %s", cmd);
    memset(o, 0, sizeof *o);
    o->fmt = SLDS_FORMAT_TABLE;
    o->min_students = 10;
    o->min_fte = 5;
    optind = 1;
    opterr = 0;
    int opt, index = 0;
    while ((opt = getopt_long(argc, argv, ":h", options, &index)) != -1) {
        char *end;
        switch (opt) {
        case O_YEAR:
            o->year = (int)strtol(optarg, &end, 10);
            if (*end || o->year < 1900 || o->year > 2200)
                return cli_usage_error(where, "--year '%s' is not a school year", optarg);
            break;
        case O_CONFIG: o->config = optarg; break;
        case O_STAFF: o->staff = optarg; break;
        case O_FRAME: o->frame = optarg; break;
        case O_NO_OUTCOMES: o->no_outcomes = 1; break;
        case O_CSEM: o->csem = optarg; break;
        case O_CLASS_MEANS: o->class_means = 1; break;
        case O_SCHOOL_MEANS: o->school_means = 1; break;
        case O_NO_PATTERN_WEIGHTS: o->no_pattern_weights = 1; break;
        case O_PRIOR_REQUIRED: o->prior_required = 1; break;
        case O_MINS:
        case O_MINF: {
            double v = strtod(optarg, &end);
            if (*end || !(v >= 0))
                return cli_usage_error(where, "--%s '%s' is not a number >= 0",
                                       options[index].name, optarg);
            *(opt == O_MINS ? &o->min_students : &o->min_fte) = v;
            o->min_set = 1;
            break;
        }
        case O_FORMAT:
            if ((int)(o->fmt = (slds_format)cli_parse_format(optarg, !strcmp(cmd, "report"))) < 0)
                return cli_usage_error(where, "unknown format '%s'", optarg);
            break;
        case 'h': fputs(usage_educators, stdout); return 0;
        case ':': return cli_usage_error(where, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error(where, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage_error(where, "expected one DB");
    if (!o->year)
        return cli_usage_error(where, "--year is required");
    o->db = argv[optind];
    return -1;
}

static int do_run(const opts *o)
{
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_writer(&s, o->db, 0, &err))
        return cli_error(&err);
    slds_educator_options eo;
    slds_educator_options_default(&eo);
    eo.year = o->year;
    eo.config = o->config;
    eo.min_students = o->min_students;
    eo.min_fte = o->min_fte;
    eo.min_set = o->min_set;
    eo.model_frame = o->frame;
    eo.no_outcomes = o->no_outcomes;
    eo.csem = o->csem;
    eo.class_means = o->class_means;
    eo.school_means = o->school_means;
    eo.no_pattern_weights = o->no_pattern_weights;
    eo.prior_required = o->prior_required;
    slds_educator_summary sum;
    slds_progress progress = cli_progress_stderr();
    int rc = slds_educator_run(s, &eo, &sum, &progress, &err);
    cli_progress_done();
    slds_store_close(s);
    if (rc)
        return cli_error(&err);
    printf("educators %d (%s): %d subjects, %zu student x teacher links fitted, %zu teacher rows,"
           " %zu principal rows (%zu students in the school models), %zu students with dosage"
           " above 100%%; mixed-model fits %.3f s, total %.2f s\n",
           o->year, o->config ? o->config : "lme4", sum.subjects, sum.rows, sum.teachers,
           sum.principals, sum.school_rows, sum.over_claimed, sum.fit_seconds, sum.seconds);
    printf("time: read panel %.2f s, growth results %.2f s, models %.2f s (fits %.2f s), principals'"
           " outcomes %.2f s, measures and write %.2f s\n",
           sum.read_seconds, sum.growth_seconds, sum.model_seconds, sum.fit_seconds,
           sum.outcome_seconds, sum.write_seconds);
    for (const char *line = sum.notes; *line;) {
        const char *end = strchr(line, '\n');
        printf("note: %.*s\n", (int)(end ? end - line : (long)strlen(line)), line);
        line = end ? end + 1 : line + strlen(line);
    }
    return 0;
}

static int add_row(void *ctx, const slds_educator_row *r)
{
    slds_error err = {0};
    return slds_educator_show_add(ctx, r, &err);
}

static int do_show(const opts *o)
{
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, o->db, &err))
        return cli_error(&err);
    slds_table *t = NULL;
    int rc = slds_educator_show_table(&t, &err);
    if (!rc)
        rc = slds_educator_show(s, o->year, o->staff, add_row, t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, o->fmt);
}

static int do_report(const opts *o)
{
    slds_error err = {0};
    if (!o->staff)
        return cli_usage_error("educators report", "--staff is required");
    if (o->fmt != SLDS_FORMAT_HTML && o->fmt != SLDS_FORMAT_TABLE)
        return cli_usage_error("educators report", "the report is HTML (--format html)");
    slds_store *s;
    if (slds_store_open_readonly(&s, o->db, &err))
        return cli_error(&err);
    slds_buf b = {0};
    int rc = slds_educator_report_html(s, o->year, o->staff, &b, &err);
    slds_store_close(s);
    return cli_print_page_free(&b, rc, &err);
}

/* Parses the options of the subcommand argv[0] and runs it. */
static int run_parsed(int argc, char **argv, int (*run)(const opts *))
{
    opts o;
    int rc = parse(argc, argv, argv[0], &o);
    return rc >= 0 ? rc : run(&o);
}

static int educators_run(int argc, char **argv)
{
    return run_parsed(argc, argv, do_run);
}
static int educators_show(int argc, char **argv)
{
    return run_parsed(argc, argv, do_show);
}
static int educators_report(int argc, char **argv)
{
    return run_parsed(argc, argv, do_report);
}

int cmd_educators(int argc, char **argv)
{
    static const cli_subcommand commands[] = {
        {"run", educators_run}, {"show", educators_show}, {"report", educators_report}};
    return cli_run_subcommand("educators", commands, sizeof commands / sizeof commands[0],
                              usage_educators, argc, argv);
}
