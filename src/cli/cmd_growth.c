/* cmd_growth.c - `slds growth run|show|aggregates|report`: student growth
 * percentiles, growth targets and grade-level gains over the state database
 * (library: src/growthrun/growthrun.h; docs/growth.md). This file only parses
 * options and prints. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
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
    "\n"
    "The method, the tables and every definition: docs/growth.md.\n";

static const char usage_run[] =
    "usage: slds growth run DB --year Y [--subject S] [--config FILE] [--threads N]\n"
    "                      [--max-order K] [--reference-year R]\n"
    "                      [--gain-method typical|grade-gap] [--format table|csv|json]\n"
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
    "  --format FMT        the cohort summary as table (default), csv or json\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 0 stored, 1 failed (the database is unchanged), 2 usage.\n";

static const char usage_show[] =
    "usage: slds growth show DB --year Y [--subject S] [--format table|csv|json]\n"
    "\n"
    "One row per student and subject tested in Y: student_id, subject, school_year,\n"
    "grade, scale_score, sgp, sgp_order, sgp_target, target_years, catch_up_keep_up,\n"
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
    "Per group: students, n_sgp, median_sgp, mean_sgp, n_gain, n and share of students\n"
    "gaining >= 1 and >= 1.5 grade levels. Teachers' figures are weighted by dosage\n"
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
    "usage: slds growth report DB --student ID [--format table|json|html] [--output FILE]\n"
    "\n"
    "One student's growth history: scores, SGPs of every order, targets by year and\n"
    "subject. --format html writes a self-contained page with a growth chart per\n"
    "subject: past scores and the fan of projected percentile trajectories (10th, 25th,\n"
    "50th, 75th, 90th) against the achievement levels (the parent report).\n"
    "\n"
    "options:\n"
    "  --student ID   statewide student id; required\n"
    "  --format FMT   table (default), json or html\n"
    "  --output FILE  write there instead of stdout\n"
    "  -h, --help     this help\n";

/* ----------------------------------------------------------------- helpers */

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static void fmt_real(char *buf, size_t n, const char *fmt, double v)
{
    if (isfinite(v))
        snprintf(buf, n, fmt, v);
    else
        buf[0] = '\0';
}

static void fmt_int(char *buf, size_t n, int v)
{
    if (v > 0)
        snprintf(buf, n, "%d", v);
    else
        buf[0] = '\0';
}

/* Options shared by the subcommands that read a year. */
typedef struct common {
    const char *db, *subject, *level, *config, *student, *output;
    int year, threads, max_order, reference_year, gain_method, fmt;
} common;

enum { OPT_YEAR = 256, OPT_SUBJECT, OPT_CONFIG, OPT_THREADS, OPT_MAX_ORDER, OPT_REFERENCE,
       OPT_GAIN, OPT_LEVEL, OPT_STUDENT, OPT_OUTPUT, OPT_FORMAT };

/* Parses the options; returns -1 when parsed, else the exit status. */
static int parse(int argc, char **argv, const char *cmd, const char *usage, bool allow_html,
                 common *c)
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
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char where[64];
    snprintf(where, sizeof where, "growth %s", cmd);
    memset(c, 0, sizeof *c);
    c->fmt = CLI_TABLE;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_YEAR:
            if (parse_int(optarg, 1900, 2200, &c->year))
                return cli_usage_error(where, "--year '%s' is not a school year", optarg);
            break;
        case OPT_SUBJECT: c->subject = optarg; break;
        case OPT_CONFIG: c->config = optarg; break;
        case OPT_LEVEL: c->level = optarg; break;
        case OPT_STUDENT: c->student = optarg; break;
        case OPT_OUTPUT: c->output = optarg; break;
        case OPT_THREADS:
            if (parse_int(optarg, 1, 1024, &c->threads))
                return cli_usage_error(where, "--threads '%s' is not 1..1024", optarg);
            break;
        case OPT_MAX_ORDER:
            if (parse_int(optarg, 1, SLDS_SGP_MAX_ORDER, &c->max_order))
                return cli_usage_error(where, "--max-order '%s' is not 1..%d", optarg,
                                       SLDS_SGP_MAX_ORDER);
            break;
        case OPT_REFERENCE:
            if (parse_int(optarg, 1900, 2200, &c->reference_year))
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

/* Readers open read-only; only `run` writes. */
static int open_db(const char *path, slds_store **s, bool writer)
{
    slds_error err = {0};
    if (writer ? slds_store_open_writer(s, path, 0, &err) : slds_store_open_readonly(s, path, &err))
        return cli_error(&err);
    return 0;
}

/* --------------------------------------------------------------------- run */

static cli_table *cohort_table(const slds_growthrun_result *r)
{
    static const char *const cols[] = {"subject", "grade", "priors", "students", "with_prior",
                                       "with_sgp", "orders", "with_target", "seconds", "note"};
    cli_table *t = cli_table_new(10, cols);
    if (!t)
        return NULL;
    for (int c = 1; c < 9; c++)
        if (c != 2)
            cli_table_mark_numeric(t, c);
    for (int k = 0; k < r->n_cohorts; k++) {
        const slds_growthrun_cohort *c = &r->cohorts[k];
        char grade[16], priors[128] = "", n[32], wp[32], ws[32], orders[16], wt[32], secs[32];
        snprintf(grade, sizeof grade, "%d", c->grade);
        for (int p = 0; p < c->n_priors; p++) {
            size_t len = strlen(priors);
            snprintf(priors + len, sizeof priors - len, "%s%d", p ? " " : "", c->prior_grades[p]);
        }
        snprintf(n, sizeof n, "%zu", c->students);
        snprintf(wp, sizeof wp, "%zu", c->with_prior);
        snprintf(ws, sizeof ws, "%zu", c->with_sgp);
        snprintf(orders, sizeof orders, "%d", c->orders_fitted);
        snprintf(wt, sizeof wt, "%zu", c->with_target);
        snprintf(secs, sizeof secs, "%.2f", c->seconds);
        cli_table_addv(t, c->subject, grade, priors, n, wp, ws, orders, wt, secs, c->note);
    }
    return t;
}

static void print_run(const slds_growthrun_result *r, int year, cli_format fmt)
{
    cli_table *t = cohort_table(r);
    if (!t)
        return;
    double peak = (double)slds_peak_rss() / (1024.0 * 1024.0);
    if (fmt == CLI_JSON) {
        json_t *o = json_pack("{s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:i, s:f, s:f, s:f, s:f, s:f, s:f}",
                              "school_year", year, "cohorts", cli_table_json(t), "students",
                              (json_int_t)r->students, "with_sgp", (json_int_t)r->with_sgp,
                              "with_target", (json_int_t)r->with_target, "with_grade_levels",
                              (json_int_t)r->with_grade_levels, "aggregate_rows",
                              (json_int_t)r->aggregate_rows, "threads", r->threads, "seconds",
                              r->seconds, "seconds_read", r->seconds_read, "seconds_fit",
                              r->seconds_fit, "seconds_targets", r->seconds_targets,
                              "seconds_write", r->seconds_write, "peak_mib", peak);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        cli_table_print(t, fmt, stdout);
    }
    cli_table_free(t);
    FILE *out = fmt == CLI_TABLE ? stdout : stderr;
    if (fmt != CLI_JSON)
        fprintf(out,
                "%sgrowth %d: %zu scores, %zu SGPs, %zu targets, %zu grade-level gains, "
                "%zu aggregate rows; %.2f s (read %.2f, fit %.2f, targets %.2f, write %.2f) on "
                "%d threads, %.0f students/s, peak %.0f MiB\n",
                fmt == CLI_TABLE ? "\n" : "slds: ", year, r->students, r->with_sgp,
                r->with_target, r->with_grade_levels, r->aggregate_rows, r->seconds,
                r->seconds_read, r->seconds_fit, r->seconds_targets, r->seconds_write, r->threads,
                r->seconds > 0 ? (double)r->students / r->seconds : 0.0, peak);
}

static int growth_run(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "run", usage_run, false, &c);
    if (status >= 0)
        return status;
    if (!c.year)
        return cli_usage_error("growth run", "--year is required");
    slds_error err = {0};
    slds_growth_config *cfg = NULL;
    if (c.config && slds_growth_config_load(c.config, &cfg, &err))
        return cli_error(&err);
    slds_store *s;
    if ((status = open_db(c.db, &s, true))) {
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
    slds_progress progress = cli_progress_stderr();
    slds_growthrun_result res;
    int rc = slds_growthrun_run(s, &o, &progress, &res, &err);
    cli_progress_done();
    slds_store_close(s);
    slds_growth_config_free(cfg);
    if (rc) {
        status = cli_error(&err);
        fprintf(stderr, "slds: growth run failed, the database is unchanged\n");
        return status;
    }
    print_run(&res, c.year, (cli_format)c.fmt);
    if (!c.config)
        fprintf(stderr, "slds: no --config: knots and boundaries from the data, no growth targets "
                        "(they need cut scores)\n");
    slds_growthrun_result_free(&res);
    return 0;
}

/* -------------------------------------------------------------------- show */

static const char *const show_cols[] = {
    "student_id", "subject", "school_year", "grade", "scale_score", "sgp", "sgp_order",
    "sgp_target", "target_years", "catch_up_keep_up", "on_track", "prior_score", "gain",
    "grade_levels_gained", "school_id", "lea_id", "no_sgp_reason"};
enum { SHOW_NCOLS = sizeof show_cols / sizeof show_cols[0] };
static const bool show_numeric[SHOW_NCOLS] = {false, false, true, true, true, true, true, true,
                                              true, false, false, true, true, true};

/* Rows are printed as they come in CSV and JSON (a year can have millions);
 * the aligned table needs them all first. */
typedef struct printer {
    cli_format fmt;
    cli_table *table;
    long rows;
} printer;

static void emit(printer *p, const char *const *cells, const char *const *names,
                 const bool *numeric, int ncols)
{
    if (p->fmt == CLI_TABLE) {
        cli_table_add(p->table, cells);
    } else if (p->fmt == CLI_CSV) {
        for (int i = 0; i < ncols; i++) {
            if (i)
                fputc(',', stdout);
            cli_csv_field(stdout, cells[i]);
        }
        fputc('\n', stdout);
    } else {
        json_t *o = json_object();
        for (int i = 0; i < ncols; i++) {
            json_t *v;
            if (!cells[i] || !*cells[i])
                v = json_null();
            else if (numeric[i])
                v = strpbrk(cells[i], ".e") ? json_real(strtod(cells[i], NULL))
                                            : json_integer(strtoll(cells[i], NULL, 10));
            else
                v = json_string(cells[i]);
            json_object_set_new(o, names[i], v);
        }
        fputs(p->rows ? ",\n  " : "[\n  ", stdout);
        json_dumpf(o, stdout, JSON_PRESERVE_ORDER | JSON_COMPACT);
        json_decref(o);
    }
    p->rows++;
}

static int printer_begin(printer *p, const char *const *names, const bool *numeric, int ncols)
{
    if (p->fmt == CLI_TABLE) {
        p->table = cli_table_new(ncols, names);
        if (!p->table)
            return -1;
        for (int i = 0; i < ncols; i++)
            if (numeric[i])
                cli_table_mark_numeric(p->table, i);
    } else if (p->fmt == CLI_CSV) {
        for (int i = 0; i < ncols; i++) {
            if (i)
                fputc(',', stdout);
            cli_csv_field(stdout, names[i]);
        }
        fputc('\n', stdout);
    }
    return 0;
}

static void printer_end(printer *p)
{
    if (p->fmt == CLI_TABLE) {
        cli_table_print(p->table, CLI_TABLE, stdout);
        cli_table_free(p->table);
    } else if (p->fmt == CLI_JSON) {
        fputs(p->rows ? "\n]\n" : "[]\n", stdout);
    }
}

static int show_row(void *ctx, const slds_growth_student_row *r)
{
    char year[16], grade[16], score[32], sgp[16], order[16], target[16], ty[16], prior[32],
        gain[32], gl[32];
    snprintf(year, sizeof year, "%d", r->school_year);
    snprintf(grade, sizeof grade, "%d", r->grade);
    fmt_real(score, sizeof score, "%.15g", r->scale_score);
    fmt_int(sgp, sizeof sgp, r->sgp);
    fmt_int(order, sizeof order, r->sgp_order);
    fmt_int(target, sizeof target, r->sgp_target);
    fmt_int(ty, sizeof ty, r->target_years);
    fmt_real(prior, sizeof prior, "%.15g", r->prior_score);
    fmt_real(gain, sizeof gain, "%.15g", r->gain);
    fmt_real(gl, sizeof gl, "%.6f", r->grade_levels_gained);
    const char *cells[SHOW_NCOLS] = {r->student_id, r->subject, year, grade, score, sgp, order,
                                     target, ty, r->catch_up_keep_up, r->on_track, prior, gain, gl,
                                     r->school_id, r->lea_id, r->no_sgp_reason};
    emit(ctx, cells, show_cols, show_numeric, SHOW_NCOLS);
    return 0;
}

/* Runs one listing query of a year into the chosen output: the part that
 * `show` and `aggregates` share. query fills the printer row by row. */
typedef int (*listing_query)(slds_store *s, const common *c, printer *p, slds_error *err);

static int run_listing(const common *c, const char *cmd, const char *const *cols,
                       const bool *numeric, int ncols, listing_query query)
{
    if (!c->year)
        return cli_usage_error(cmd, "--year is required");
    slds_store *s;
    int status = open_db(c->db, &s, false);
    if (status)
        return status;
    printer p = {.fmt = (cli_format)c->fmt};
    slds_error err = {0};
    int rc = printer_begin(&p, cols, numeric, ncols)
                 ? slds_fail(&err, SLDS_ERR_NOMEM, "out of memory")
                 : query(s, c, &p, &err);
    if (!rc)
        printer_end(&p);
    else if (p.table)
        cli_table_free(p.table);
    slds_store_close(s);
    return rc ? cli_error(&err) : 0;
}

static int query_show(slds_store *s, const common *c, printer *p, slds_error *err)
{
    return slds_growthrun_show(s, c->year, c->subject, show_row, p, err);
}

static int growth_show(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "show", usage_show, false, &c);
    if (status >= 0)
        return status;
    return run_listing(&c, "growth show", show_cols, show_numeric, SHOW_NCOLS, query_show);
}

/* -------------------------------------------------------------- aggregates */

static const char *const agg_cols[] = {"subject", "school_year", "level", "group_id", "students",
                                       "n_sgp", "median_sgp", "mean_sgp", "n_gain", "n_1_grade",
                                       "share_1_grade", "n_1_5_grade", "share_1_5_grade"};
enum { AGG_NCOLS = sizeof agg_cols / sizeof agg_cols[0] };
static const bool agg_numeric[AGG_NCOLS] = {false, true, false, false, true, true, true,
                                            true,  true, true,  true,  true, true};

static int aggregate_row(void *ctx, const slds_growth_aggregate_row *r)
{
    char year[16], students[16], n_sgp[32], median[32], mean[32], n_gain[32], n1[32], s1[32],
        n15[32], s15[32];
    snprintf(year, sizeof year, "%d", r->school_year);
    snprintf(students, sizeof students, "%d", r->students);
    snprintf(n_sgp, sizeof n_sgp, "%.10g", r->n_sgp);
    fmt_real(median, sizeof median, "%.10g", r->median_sgp);
    fmt_real(mean, sizeof mean, "%.4f", r->mean_sgp);
    snprintf(n_gain, sizeof n_gain, "%.10g", r->n_gain);
    snprintf(n1, sizeof n1, "%.10g", r->n_1_grade);
    fmt_real(s1, sizeof s1, "%.4f", r->share_1_grade);
    snprintf(n15, sizeof n15, "%.10g", r->n_1_5_grade);
    fmt_real(s15, sizeof s15, "%.4f", r->share_1_5_grade);
    const char *cells[AGG_NCOLS] = {r->subject, year, r->level, r->group_id, students, n_sgp,
                                    median, mean, n_gain, n1, s1, n15, s15};
    emit(ctx, cells, agg_cols, agg_numeric, AGG_NCOLS);
    return 0;
}

static int query_aggregates(slds_store *s, const common *c, printer *p, slds_error *err)
{
    return slds_growthrun_aggregates(s, c->year, c->subject, c->level, aggregate_row, p, err);
}

static int growth_aggregates(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "aggregates", usage_aggregates, false, &c);
    if (status >= 0)
        return status;
    return run_listing(&c, "growth aggregates", agg_cols, agg_numeric, AGG_NCOLS,
                       query_aggregates);
}

/* ------------------------------------------------------------------ report */

static json_t *entry_json(const slds_growth_history_entry *e)
{
    json_t *orders = json_array(), *targets = json_array();
    for (int k = 0; k < e->n_orders; k++)
        json_array_append_new(orders, e->sgp_by_order[k] ? json_integer(e->sgp_by_order[k])
                                                         : json_null());
    for (int k = 0; k < e->n_targets; k++) {
        const slds_growth_target_row *t = &e->targets[k];
        json_array_append_new(
            targets, json_pack("{s:i, s:i, s:i, s:f, s:i, s:b, s:o}", "years_ahead",
                               t->years_ahead, "target_grade", t->target_grade, "target_year",
                               t->target_year, "proficient_cut", t->proficient_cut, "sgp_target",
                               t->sgp_target, "reachable", t->reachable, "on_track",
                               t->on_track < 0 ? json_null() : json_boolean(t->on_track)));
    }
    json_t *o = json_pack("{s:i, s:s, s:i, s:f}", "school_year", e->school_year, "subject",
                          e->subject, "grade", e->grade, "scale_score", e->scale_score);
    json_object_set_new(o, "level", e->level ? json_integer(e->level) : json_null());
    json_object_set_new(o, "sgp", e->sgp ? json_integer(e->sgp) : json_null());
    json_object_set_new(o, "sgp_order", e->sgp_order ? json_integer(e->sgp_order) : json_null());
    json_object_set_new(o, "sgp_by_order", orders);
    json_object_set_new(o, "no_sgp_reason",
                        e->no_sgp_reason[0] ? json_string(e->no_sgp_reason) : json_null());
    json_object_set_new(o, "sgp_target", e->sgp_target ? json_integer(e->sgp_target) : json_null());
    json_object_set_new(o, "target_years",
                        e->target_years ? json_integer(e->target_years) : json_null());
    json_object_set_new(o, "catch_up_keep_up",
                        e->catch_up_keep_up[0] ? json_string(e->catch_up_keep_up) : json_null());
    json_object_set_new(o, "on_track", e->on_track[0] ? json_boolean(e->on_track[0] == 'Y')
                                                      : json_null());
    json_object_set_new(o, "gain", isfinite(e->gain) ? json_real(e->gain) : json_null());
    json_object_set_new(o, "grade_levels_gained", isfinite(e->grade_levels_gained)
                                                      ? json_real(e->grade_levels_gained)
                                                      : json_null());
    json_object_set_new(o, "targets", targets);
    return o;
}

static json_t *fan_json(const slds_growth_fan *f)
{
    json_t *past = json_array(), *ahead = json_array();
    for (int k = 0; k < f->n_past; k++)
        json_array_append_new(past, json_pack("{s:i, s:i, s:f}", "school_year", f->past_year[k],
                                              "grade", f->past_grade[k], "scale_score",
                                              f->past_score[k]));
    for (int h = 0; h < f->n_ahead; h++) {
        json_t *pct = json_object();
        for (int p = 0; p < SLDS_FAN_PERCENTILES; p++) {
            char key[16];
            snprintf(key, sizeof key, "p%d", f->percentiles[p]);
            json_object_set_new(pct, key, json_real(f->projection[p][h]));
        }
        json_array_append_new(ahead, json_pack("{s:i, s:i, s:o}", "school_year", f->ahead_year[h],
                                               "grade", f->ahead_grade[h], "projection", pct));
    }
    return json_pack("{s:s, s:i, s:i, s:o, s:o}", "subject", f->subject, "from_year", f->from_year,
                     "from_grade", f->from_grade, "past", past, "projections", ahead);
}

static void report_table(const slds_growth_history *h, FILE *out)
{
    static const char *const cols[] = {"school_year", "subject", "grade", "scale_score", "level",
                                       "sgp", "sgp_order", "sgp_by_order", "sgp_target",
                                       "target_years", "catch_up_keep_up", "on_track",
                                       "grade_levels_gained"};
    cli_table *t = cli_table_new(13, cols);
    if (!t)
        return;
    for (int c = 0; c < 13; c++)
        if (c != 1 && c != 7 && c != 10 && c != 11)
            cli_table_mark_numeric(t, c);
    for (size_t k = 0; k < h->n_entries; k++) {
        const slds_growth_history_entry *e = &h->entries[k];
        char year[16], grade[16], score[32], level[16], sgp[16], order[16], by[64] = "", tgt[16],
            ty[16], gl[32];
        snprintf(year, sizeof year, "%d", e->school_year);
        snprintf(grade, sizeof grade, "%d", e->grade);
        snprintf(score, sizeof score, "%g", e->scale_score);
        fmt_int(level, sizeof level, e->level);
        fmt_int(sgp, sizeof sgp, e->sgp);
        fmt_int(order, sizeof order, e->sgp_order);
        for (int o = 0; o < e->n_orders; o++) {
            size_t len = strlen(by);
            if (e->sgp_by_order[o])
                snprintf(by + len, sizeof by - len, "%s%d", o ? "/" : "", e->sgp_by_order[o]);
            else
                snprintf(by + len, sizeof by - len, "%s-", o ? "/" : "");
        }
        fmt_int(tgt, sizeof tgt, e->sgp_target);
        fmt_int(ty, sizeof ty, e->target_years);
        fmt_real(gl, sizeof gl, "%.3f", e->grade_levels_gained);
        cli_table_addv(t, year, e->subject, grade, score, level, sgp, order, by, tgt, ty,
                       e->catch_up_keep_up, e->on_track, gl);
    }
    cli_table_print(t, CLI_TABLE, out);
    cli_table_free(t);
    for (int k = 0; k < h->n_fans; k++) {
        const slds_growth_fan *f = &h->fans[k];
        if (!f->n_ahead)
            continue;
        fprintf(out, "\n%s projected from %d (grade %d):", f->subject, f->from_year, f->from_grade);
        for (int hh = 0; hh < f->n_ahead; hh++) {
            fprintf(out, "  %d grade %d:", f->ahead_year[hh], f->ahead_grade[hh]);
            for (int p = 0; p < SLDS_FAN_PERCENTILES; p++)
                fprintf(out, " p%d %.0f", f->percentiles[p], f->projection[p][hh]);
        }
        fputc('\n', out);
    }
}

static int write_report(const slds_growth_history *h, cli_format fmt, FILE *out, slds_error *err)
{
    if (fmt == CLI_HTML) {
        slds_buf b = {0};
        int rc = slds_growthrun_history_html(h, &b, err);
        if (!rc)
            fwrite(b.data, 1, b.len, out);
        slds_buf_free(&b);
        return rc;
    }
    if (fmt == CLI_JSON) {
        json_t *entries = json_array(), *fans = json_array();
        for (size_t k = 0; k < h->n_entries; k++)
            json_array_append_new(entries, entry_json(&h->entries[k]));
        for (int k = 0; k < h->n_fans; k++)
            json_array_append_new(fans, fan_json(&h->fans[k]));
        json_t *o = json_pack("{s:s, s:o, s:o}", "student_id", h->student_id, "history", entries,
                              "charts", fans);
        json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', out);
        json_decref(o);
        return SLDS_OK;
    }
    report_table(h, out);
    return SLDS_OK;
}

static int growth_report(int argc, char **argv)
{
    common c;
    int status = parse(argc, argv, "report", usage_report, true, &c);
    if (status >= 0)
        return status;
    if (!c.student)
        return cli_usage_error("growth report", "--student is required");
    if (c.fmt == CLI_CSV)
        return cli_usage_error("growth report", "--format csv is not offered: table, json, html");
    slds_store *s;
    if ((status = open_db(c.db, &s, false)))
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
        rc = write_report(h, (cli_format)c.fmt, out, &err);
    if (out && out != stdout && fclose(out) != 0 && !rc)
        rc = slds_fail(&err, SLDS_ERR_IO, "cannot write %s", c.output);
    slds_growthrun_history_free(h);
    return rc ? cli_error(&err) : 0;
}

/* -------------------------------------------------------------------- main */

int cmd_growth(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {{"run", growth_run},
                    {"show", growth_show},
                    {"aggregates", growth_aggregates},
                    {"report", growth_report}};
    if (argc < 2) {
        fputs(usage_growth, stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        fputs(usage_growth, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "slds growth: unknown command '%s'\n", argv[1]);
    fputs(usage_growth, stderr);
    return 2;
}
