/* cmd_growth.c - `slds growth run|show|aggregates|report`: student growth
 * percentiles, growth targets and grade-level gains over the state database
 * (library: src/growthrun/growthrun.h; docs/growth.md). This file only parses
 * options and prints. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "growthrun/growthrun.h"

static const char usage_growth[] =
    "usage: slds growth COMMAND DB [OPTIONS]   (slds growth COMMAND --help for each)\n"
    "\n"
    "Student growth percentiles (SGP), growth targets (catch up / keep up) and gains in\n"
    "grade levels for every student with a STATE score, stored in the database DB.\n"
    "\n"
    "commands:\n"
    "  run         compute and store a year's growth (replaces that year's results)\n"
    "  show        one row per student and subject of a year\n"
    "  aggregates  median / mean SGP and grade-level shares by school, district,\n"
    "              teacher (dosage-weighted), state and subgroup\n"
    "  report      one student's growth history; --format html for the parent report\n"
    "  baseline    fit, list, export and import baseline matrices (baseline-referenced\n"
    "              SGPs: 'slds growth baseline --help')\n"
    "\n"
    "The method, the tables and every definition: docs/growth.md.\n";

static const char usage_run[] =
    "usage: slds growth run DB --year Y [--subject S] [--config FILE] [--threads N]\n"
    "                      [--max-order K] [--reference-year R]\n"
    "                      [--gain-method typical|grade-gap] [--baseline NAME]\n"
    "                      [--format table|csv|json]\n"
    "\n"
    "Computes, for every student with a STATE scale score in school year Y, the SGP of\n"
    "every order (cohorts: subject x grade, priors from the grades below in the years\n"
    "before), growth targets 1-3 years ahead, one-year gains in grade levels, and the\n"
    "aggregates; stores them with the fitted coefficient matrices, in one transaction.\n"
    "Re-running a year replaces its results for the subjects run.\n"
    "\n"
    "options:\n"
    "  --year Y            school year (the year in which it ends); required\n"
    "  --subject S         only this subject (default: every subject tested in Y)\n"
    "  --config FILE       knots, boundaries, cut scores: the SGP package's state\n"
    "                      meta-data JSON or slds's own layout (docs/growth-method.md);\n"
    "                      without it knots come from the data and there are no targets\n"
    "  --threads N         threads fitting cohorts (default: one per CPU)\n"
    "  --max-order K       priors used at most (default: the config's, else 4)\n"
    "  --reference-year R  year whose gains define a grade level (default: Y)\n"
    "  --gain-method M     typical: the median one-year gain of the grade (default);\n"
    "                      grade-gap: median score of the grade minus the grade below\n"
    "  --baseline NAME     also score every student with the stored baseline NAME\n"
    "                      (sgp_baseline next to the cohort-referenced sgp; see\n"
    "                      'slds growth baseline')\n"
    "  --format FMT        the cohort summary as table (default), csv or json\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 0 stored, 1 failed (the database is unchanged), 2 usage.\n";

static const char usage_show[] =
    "usage: slds growth show DB --year Y [--subject S] [--format table|csv|json]\n"
    "\n"
    "One row per student and subject tested in Y: student_id, subject, school_year,\n"
    "grade, scale_score, sgp, sgp_order, sgp_baseline, sgp_baseline_order, sgp_target,\n"
    "target_years, catch_up_keep_up,\n"
    "on_track, prior_score, gain, grade_levels_gained, school_id, lea_id,\n"
    "no_sgp_reason; blank where not computable.\n"
    "\n"
    "options:\n"
    "  --year Y      school year; required\n"
    "  --subject S   only this subject\n"
    "  --format FMT  table (default), csv or json\n"
    "  -h, --help    this help\n";

static const char usage_aggregates[] =
    "usage: slds growth aggregates DB --year Y [--subject S] [--level L]\n"
    "                             [--format table|csv|json]\n"
    "\n"
    "Per group: students, n_sgp, median_sgp, mean_sgp, the same of the baseline-\n"
    "referenced SGPs when the run had --baseline (n_sgp_baseline, median_sgp_baseline,\n"
    "mean_sgp_baseline), n_gain, n and share of students gaining >= 1 and >= 1.5 grade\n"
    "levels. Teachers' figures are weighted by dosage\n"
    "(n_sgp and n_gain are then sums of dosage).\n"
    "\n"
    "options:\n"
    "  --year Y      school year; required\n"
    "  --subject S   only this subject\n"
    "  --level L     state, district, school, teacher, subgroup (race_ethnicity,\n"
    "                econ_disadvantaged, disability, english_learner, sex), or one of\n"
    "                those five (default: every level)\n"
    "  --format FMT  table (default), csv or json\n"
    "  -h, --help    this help\n";

static const char usage_report[] =
    "usage: slds growth report DB --student ID [--format table|csv|json|html] [--output FILE]\n"
    "\n"
    "One student's growth history: scores, SGPs of every order, targets by year and\n"
    "subject. --format html writes a self-contained page with a growth chart per\n"
    "subject: past scores and the fan of projected percentile trajectories (10th, 25th,\n"
    "50th, 75th, 90th) against the achievement levels (the parent report).\n"
    "\n"
    "options:\n"
    "  --student ID   statewide student id; required\n"
    "  --format FMT   table (default), csv (the history table), json or html\n"
    "  --output FILE  write there instead of stdout\n"
    "  -h, --help     this help\n";

/* ----------------------------------------------------------------- helpers */

/* Options shared by the subcommands that read a year. */
typedef struct common {
    const char *db, *subject, *level, *config, *student, *output, *baseline;
    int year, threads, max_order, reference_year, gain_method, fmt;
} common;

enum { OPT_YEAR = 256, OPT_SUBJECT, OPT_CONFIG, OPT_THREADS, OPT_MAX_ORDER, OPT_REFERENCE,
       OPT_GAIN, OPT_LEVEL, OPT_STUDENT, OPT_OUTPUT, OPT_BASELINE, OPT_FORMAT };

/* The options each subcommand takes (bit OPT_x - OPT_YEAR): the option table
 * is shared, but an option a subcommand would ignore is a usage error. */
#define TAKES(o) (1u << ((o) - OPT_YEAR))
enum {
    RUN_OPTIONS = TAKES(OPT_YEAR) | TAKES(OPT_SUBJECT) | TAKES(OPT_CONFIG) | TAKES(OPT_THREADS) |
                  TAKES(OPT_MAX_ORDER) | TAKES(OPT_REFERENCE) | TAKES(OPT_GAIN) |
                  TAKES(OPT_BASELINE) | TAKES(OPT_FORMAT),
    SHOW_OPTIONS = TAKES(OPT_YEAR) | TAKES(OPT_SUBJECT) | TAKES(OPT_FORMAT),
    AGGREGATES_OPTIONS = TAKES(OPT_YEAR) | TAKES(OPT_SUBJECT) | TAKES(OPT_LEVEL) | TAKES(OPT_FORMAT),
    REPORT_OPTIONS = TAKES(OPT_STUDENT) | TAKES(OPT_FORMAT) | TAKES(OPT_OUTPUT)
};

/* Parses the options; returns -1 when parsed, else the exit status. */
static int parse(int argc, char **argv, const char *cmd, const char *usage, unsigned takes,
                 bool allow_html, common *c)
{
    static const struct option options[] = {
        {"year", required_argument, NULL, OPT_YEAR},
        {"subject", required_argument, NULL, OPT_SUBJECT},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"max-order", required_argument, NULL, OPT_MAX_ORDER},
        {"reference-year", required_argument, NULL, OPT_REFERENCE},
        {"gain-method", required_argument, NULL, OPT_GAIN},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"student", required_argument, NULL, OPT_STUDENT},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char where[64];
    snprintf(where, sizeof where, "growth %s", cmd);
    memset(c, 0, sizeof *c);
    c->fmt = SLDS_FORMAT_TABLE;
    int opt;
    optind = 1;
    opterr = 0;
    int index = 0;
    while ((opt = getopt_long(argc, argv, ":h", options, &index)) != -1) {
        if (opt >= OPT_YEAR && opt <= OPT_FORMAT && !(takes & TAKES(opt)))
            return cli_usage_error(where, "option '--%s' is not an option of growth %s",
                                   options[index].name, cmd);
        switch (opt) {
        case OPT_YEAR:
            if (cli_parse_int(optarg, 1900, 2200, &c->year))
                return cli_usage_error(where, "--year '%s' is not a school year", optarg);
            break;
        case OPT_SUBJECT: c->subject = optarg; break;
        case OPT_CONFIG: c->config = optarg; break;
        case OPT_LEVEL: c->level = optarg; break;
        case OPT_STUDENT: c->student = optarg; break;
        case OPT_OUTPUT: c->output = optarg; break;
        case OPT_BASELINE: c->baseline = optarg; break;
        case OPT_THREADS:
            if (cli_parse_int(optarg, 1, 1024, &c->threads))
                return cli_usage_error(where, "--threads '%s' is not 1..1024", optarg);
            break;
        case OPT_MAX_ORDER:
            if (cli_parse_int(optarg, 1, SLDS_SGP_MAX_ORDER, &c->max_order))
                return cli_usage_error(where, "--max-order '%s' is not 1..%d", optarg,
                                       SLDS_SGP_MAX_ORDER);
            break;
        case OPT_REFERENCE:
            if (cli_parse_int(optarg, 1900, 2200, &c->reference_year))
                return cli_usage_error(where, "--reference-year '%s' is not a school year",
                                       optarg);
            break;
        case OPT_GAIN:
            if (!strcmp(optarg, "typical"))
                c->gain_method = SLDS_GAIN_TYPICAL;
            else if (!strcmp(optarg, "grade-gap"))
                c->gain_method = SLDS_GAIN_GRADE_GAP;
            else
                return cli_usage_error(where, "--gain-method '%s': typical or grade-gap", optarg);
            break;
        case OPT_FORMAT:
            if ((c->fmt = cli_parse_format(optarg, allow_html)) < 0)
                return cli_usage_error(where, "unknown format '%s'", optarg);
            break;
        case 'h': fputs(usage, stdout); return 0;
        case ':': return cli_usage_error(where, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(where, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage_error(where, "expected one DB");
    c->db = argv[optind];
    return -1;
}

/* --------------------------------------------------------------------- run */

static int print_run(const slds_growthrun_result *r, int year, slds_format fmt)
{
    slds_error err = {0};
    slds_table *t;
    if (slds_growthrun_cohorts_table(r, &t, &err))
        return cli_error(&err);
    double peak = (double)slds_peak_rss() / (1024.0 * 1024.0);
    int rc = SLDS_OK;
    if (fmt == SLDS_FORMAT_JSON) {
        json_t *cohorts = slds_table_json(t);
        json_t *o = cohorts ? json_pack("{s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:i, s:f, s:f, s:f, s:f, s:f, s:f}",
                              "school_year", year, "cohorts", cohorts, "students",
                              (json_int_t)r->students, "with_sgp", (json_int_t)r->with_sgp,
                              "with_target", (json_int_t)r->with_target, "with_grade_levels",
                              (json_int_t)r->with_grade_levels, "aggregate_rows",
                              (json_int_t)r->aggregate_rows, "threads", r->threads, "seconds",
                              r->seconds, "seconds_read", r->seconds_read, "seconds_fit",
                              r->seconds_fit, "seconds_targets", r->seconds_targets,
                              "seconds_write", r->seconds_write, "peak_mib", peak) : NULL;
        if (o && r->baseline[0]) {
            json_object_set_new(o, "baseline", json_string(r->baseline));
            json_object_set_new(o, "with_sgp_baseline", json_integer((json_int_t)r->with_sgp_baseline));
        }
        if (o) {
            json_object_set_new(o, "seconds_baseline", json_real(r->seconds_baseline));
            json_object_set_new(o, "seconds_aggregates", json_real(r->seconds_aggregates));
        }
        if (!o)
            rc = slds_fail(&err, SLDS_ERR_NOMEM, "out of memory");
        else {
            slds_json_write(o, stdout, NULL);
        }
    } else {
        rc = slds_table_write(t, fmt, stdout, &err);
    }
    slds_table_free(t);
    if (rc)
        return cli_error(&err);
    FILE *out = fmt == SLDS_FORMAT_TABLE ? stdout : stderr;
    char bl[128] = "";
    if (r->baseline[0])
        snprintf(bl, sizeof bl, ", %zu baseline SGPs (%s)", r->with_sgp_baseline, r->baseline);
    if (fmt != SLDS_FORMAT_JSON)
        fprintf(out,
                "%sgrowth %d: %zu scores, %zu SGPs, %zu targets, %zu grade-level gains, "
                "%zu aggregate rows%s; %.2f s (read %.2f, fit %.2f, baseline %.2f, targets %.2f, "
                "write %.2f of which aggregates %.2f) on "
                "%d threads, %.0f students/s, peak %.0f MiB\n",
                fmt == SLDS_FORMAT_TABLE ? "\n" : "slds: ", year, r->students, r->with_sgp,
                r->with_target, r->with_grade_levels, r->aggregate_rows, bl, r->seconds,
                r->seconds_read, r->seconds_fit, r->seconds_baseline, r->seconds_targets,
                r->seconds_write, r->seconds_aggregates, r->threads,
                r->seconds > 0 ? (double)r->students / r->seconds : 0.0, peak);
    return 0;
}

static int growth_run(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "run", usage_run, RUN_OPTIONS, false, &c);
    if (status >= 0)
        return status;
    if (!c.year)
        return cli_usage_error("growth run", "--year is required");
    slds_error err = {0};
    slds_growth_config *cfg = NULL;
    if (c.config && slds_growth_config_load(c.config, &cfg, &err))
        return cli_error(&err);
    slds_store *s;
    if ((status = cli_open_store(c.db, &s, true))) {
        slds_growth_config_free(cfg);
        return status;
    }
    slds_growthrun_options o;
    slds_growthrun_options_default(&o);
    o.school_year = c.year;
    o.subject = c.subject;
    o.config = cfg;
    o.config_name = c.config;
    o.n_threads = c.threads;
    o.max_order = c.max_order;
    o.reference_year = c.reference_year;
    o.gain_method = (slds_gain_method)c.gain_method;
    o.baseline = c.baseline;
    slds_progress progress = cli_progress_stderr();
    slds_growthrun_result res;
    int rc = slds_growthrun_run(s, &o, &progress, &res, &err);
    cli_progress_done();
    slds_store_close(s);
    slds_growth_config_free(cfg);
    if (rc)
        return cli_write_failed(&err, "growth run");
    status = print_run(&res, c.year, (slds_format)c.fmt);
    if (!status && !c.config)
        fprintf(stderr, "slds: no --config: knots and boundaries from the data, no growth targets "
                        "(they need cut scores)\n");
    slds_growthrun_result_free(&res);
    return status;
}

/* -------------------------------------------------------------------- show */

/* `show` and `aggregates` stream their rows into the chosen format as the
 * query yields them (a year can have millions): the library's table layer
 * keeps one row at a time, except for the aligned text table. */
typedef int (*listing_table)(slds_table **out, slds_error *err);
typedef int (*listing_query)(slds_store *s, const common *c, slds_table *t, slds_error *err);

static int run_listing(const common *c, const char *cmd, listing_table make, listing_query query)
{
    if (!c->year)
        return cli_usage_error(cmd, "--year is required");
    slds_store *s;
    int status = cli_open_store(c->db, &s, false);
    if (status)
        return status;
    slds_error err = {0};
    slds_table *t = NULL;
    int rc = make(&t, &err);
    rc = rc ? rc : slds_table_stream(t, (slds_format)c->fmt, stdout, &err);
    rc = rc ? rc : query(s, c, t, &err);
    rc = rc ? rc : slds_table_end(t, &err);
    slds_table_free(t);
    slds_store_close(s);
    return rc ? cli_error(&err) : 0;
}

typedef struct row_sink {
    slds_table *t;
    slds_error *err;
} row_sink;

static int show_row(void *ctx, const slds_growth_student_row *r)
{
    row_sink *k = ctx;
    return slds_growthrun_show_add(k->t, r, k->err);
}

static int query_show(slds_store *s, const common *c, slds_table *t, slds_error *err)
{
    row_sink k = {t, err};
    return slds_growthrun_show(s, c->year, c->subject, show_row, &k, err);
}

static int growth_show(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "show", usage_show, SHOW_OPTIONS, false, &c);
    if (status >= 0)
        return status;
    return run_listing(&c, "growth show", slds_growthrun_show_table, query_show);
}

/* -------------------------------------------------------------- aggregates */

static int aggregate_row(void *ctx, const slds_growth_aggregate_row *r)
{
    row_sink *k = ctx;
    return slds_growthrun_aggregate_add(k->t, r, k->err);
}

static int query_aggregates(slds_store *s, const common *c, slds_table *t, slds_error *err)
{
    row_sink k = {t, err};
    return slds_growthrun_aggregates(s, c->year, c->subject, c->level, aggregate_row, &k, err);
}

static int growth_aggregates(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "aggregates", usage_aggregates, AGGREGATES_OPTIONS, false, &c);
    if (status >= 0)
        return status;
    return run_listing(&c, "growth aggregates", slds_growthrun_aggregates_table,
                       query_aggregates);
}

/* ------------------------------------------------------------------ report */

static int report_table(const slds_growth_history *h, FILE *out, slds_error *err)
{
    slds_table *t;
    int rc = slds_growthrun_history_table(h, &t, err);
    rc = rc ? rc : slds_table_write(t, SLDS_FORMAT_TABLE, out, err);
    slds_table_free(t);
    for (int k = 0; !rc && k < h->n_fans; k++) {
        const slds_growth_fan *f = &h->fans[k];
        if (!f->n_ahead)
            continue;
        fputc('\n', out);
        slds_text_fputs(out, f->subject);
        fprintf(out, " projected from %d (grade %d):", f->from_year, f->from_grade);
        for (int hh = 0; hh < f->n_ahead; hh++) {
            fprintf(out, "  %d grade %d:", f->ahead_year[hh], f->ahead_grade[hh]);
            for (int p = 0; p < SLDS_FAN_PERCENTILES; p++)
                fprintf(out, " p%d %.0f", f->percentiles[p], f->projection[p][hh]);
        }
        fputc('\n', out);
    }
    return rc;
}

static int write_report(const slds_growth_history *h, slds_format fmt, FILE *out, slds_error *err)
{
    if (fmt == SLDS_FORMAT_HTML) {
        slds_buf b = {0};
        int rc = slds_growthrun_history_html(h, &b, err);
        if (!rc)
            fwrite(b.data, 1, b.len, out);
        slds_buf_free(&b);
        return rc;
    }
    if (fmt == SLDS_FORMAT_JSON) {
        return slds_json_write(slds_growthrun_history_json(h), out, err);
    }
    if (fmt == SLDS_FORMAT_CSV) {
        slds_table *t;
        int rc = slds_growthrun_history_table(h, &t, err);
        rc = rc ? rc : slds_table_write(t, SLDS_FORMAT_CSV, out, err);
        slds_table_free(t);
        return rc;
    }
    return report_table(h, out, err);
}

static int growth_report(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "report", usage_report, REPORT_OPTIONS, true, &c);
    if (status >= 0)
        return status;
    if (!c.student)
        return cli_usage_error("growth report", "--student is required");
    slds_store *s;
    if ((status = cli_open_store(c.db, &s, false)))
        return status;
    slds_error err = {0};
    slds_growth_history *h;
    int rc = slds_growthrun_history(s, c.student, &h, &err);
    slds_store_close(s);
    if (rc)
        return cli_error(&err);
    FILE *out = c.output ? fopen(c.output, "w") : stdout;
    if (!out)
        rc = slds_fail(&err, SLDS_ERR_IO, "cannot write %s: %s", c.output, strerror(errno));
    if (!rc)
        rc = write_report(h, (slds_format)c.fmt, out, &err);
    if (out && out != stdout && fclose(out) != 0 && !rc)
        rc = slds_fail(&err, SLDS_ERR_IO, "cannot write %s", c.output);
    slds_growthrun_history_free(h);
    return rc ? cli_error(&err) : 0;
}

/* -------------------------------------------------------------------- main */

int cmd_growth(int argc, char **argv)
{
    static const cli_subcommand commands[] = {{"run", growth_run},
                                         {"show", growth_show},
                                         {"aggregates", growth_aggregates},
                                         {"report", growth_report},
                                         {"baseline", cmd_growth_baseline}};
    return cli_run_subcommand("growth", commands, sizeof commands / sizeof commands[0], usage_growth, argc, argv);
}
