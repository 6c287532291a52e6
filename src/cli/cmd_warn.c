/* cmd_warn.c - `slds warn run|show|evaluate|evaluate-file`: early warning
 * (library: src/warn/warn.h; docs/warn.md). This file only parses options
 * and prints. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "warn/warn.h"

static const char usage_warn[] =
    "usage: slds warn COMMAND ARGS [OPTIONS]\n"
    "\n"
    "Early warning for grades 6-12: the ABC indicators (attendance, behavior, course\n"
    "performance) with their reasons, and a calibrated risk of not graduating on time\n"
    "and of failing a course, from a model trained on earlier cohorts.\n"
    "\n"
    "commands:\n"
    "  run   DB --year Y [--config FILE] [--format table|csv|json]\n"
    "        compute and store year Y (replaces that year's rows)\n"
    "  show  DB --year Y [--school ID] [--format table|csv|json|html]\n"
    "        the warning list, most at risk first (html: the counselor's page)\n"
    "  evaluate DB [--config FILE] [--bowers FILE] [--format json|table|csv]\n"
    "        held-out cohort evaluation: AUC, precision, recall, calibration, by subgroup;\n"
    "        each ABC flag's sensitivity and specificity (next to Bowers et al. 2013's\n"
    "        published figures with --bowers BowersEWSReviewData.csv)\n"
    "  evaluate-file FILE [--kind uci|oulad] [--config FILE] [--format json|table|csv]\n"
    "        the same model by 10-fold cross-validation on the UCI student-performance\n"
    "        or OULAD studentInfo file\n"
    "\n"
    "Every definition and option: docs/warn.md.\n";

typedef struct opts {
    const char *arg, *config, *school, *bowers, *kind;
    int year;
    slds_format fmt;
    bool fmt_set;
} opts;

static int parse(int argc, char **argv, const char *cmd, opts *o)
{
    enum { O_YEAR = 256, O_CONFIG, O_SCHOOL, O_FORMAT, O_BOWERS, O_KIND };
    static const struct option options[] = {{"year", required_argument, NULL, O_YEAR},
                                            {"config", required_argument, NULL, O_CONFIG},
                                            {"school", required_argument, NULL, O_SCHOOL},
                                            {"format", required_argument, NULL, O_FORMAT},
                                            {"bowers", required_argument, NULL, O_BOWERS},
                                            {"kind", required_argument, NULL, O_KIND},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    char where[64];
    snprintf(where, sizeof where, "warn %s", cmd);
    memset(o, 0, sizeof *o);
    o->fmt = SLDS_FORMAT_TABLE;
    optind = 1;
    opterr = 0;
    int opt, index = 0;
    bool is_show = !strcmp(cmd, "show");
    while ((opt = getopt_long(argc, argv, ":h", options, &index)) != -1) {
        char *end;
        switch (opt) {
        case O_YEAR:
            o->year = (int)strtol(optarg, &end, 10);
            if (*end || o->year < 1900 || o->year > 2200)
                return cli_usage_error(where, "--year '%s' is not a school year", optarg);
            break;
        case O_CONFIG: o->config = optarg; break;
        case O_SCHOOL: o->school = optarg; break;
        case O_BOWERS: o->bowers = optarg; break;
        case O_KIND:
            if (strcmp(optarg, "uci") && strcmp(optarg, "oulad"))
                return cli_usage_error(where, "--kind '%s': expected uci or oulad", optarg);
            o->kind = optarg;
            break;
        case O_FORMAT:
            if ((int)(o->fmt = (slds_format)cli_parse_format(optarg, is_show)) < 0)
                return cli_usage_error(where, "unknown format '%s'", optarg);
            o->fmt_set = true;
            break;
        case 'h': fputs(usage_warn, stdout); return 0;
        case ':': return cli_usage_error(where, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error(where, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage_error(where, "expected one %s", strcmp(cmd, "evaluate-file") ? "DB" : "FILE");
    if (!o->year && (!strcmp(cmd, "run") || is_show))
        return cli_usage_error(where, "--year is required");
    o->arg = argv[optind];
    return -1;
}

static int load_config(const opts *o, slds_warn_config *c)
{
    slds_warn_config_default(c);
    slds_error err = {0};
    if (o->config && slds_warn_config_load(c, o->config, &err))
        return cli_error(&err);
    return 0;
}

static int do_run(const opts *o)
{
    slds_warn_config c;
    int rc = load_config(o, &c);
    if (rc)
        return rc;
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_writer(&s, o->arg, 0, &err))
        return cli_error(&err);
    slds_warn_summary sum;
    slds_progress progress = cli_progress_stderr();
    rc = slds_warn_run(s, o->year, &c, o->config, &sum, &progress, &err);
    cli_progress_done();
    slds_store_close(s);
    if (rc)
        return cli_error(&err);
    static const slds_column_spec cols[] = {
        {.name = "measure", .type = SLDS_CELL_TEXT},
        {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "percent", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1}};
    slds_table *t;
    if (slds_table_new(&t, "warn_run", "Early warning", cols, 3, &err))
        return cli_error(&err);
    struct {
        const char *name;
        size_t n;
    } rows[] = {{"enrolled, grades 6-12", sum.students},
                {"flag: attendance", sum.flagged[0]},
                {"flag: behavior", sum.flagged[1]},
                {"flag: course (ELA or math F)", sum.flagged[2]},
                {"flag: gpa", sum.flagged[3]},
                {"flag: off track (grade 9)", sum.flagged[4]},
                {"any flag", sum.any_flag},
                {"high risk of not graduating on time", sum.high_risk}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        if (k == 7 && !sum.model)
            break;
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, rows[k].name, &err);
        slds_table_set_integer(t, 1, (long long)rows[k].n, &err);
        if (sum.students)
            slds_table_set_real(t, 2, 100.0 * (double)rows[k].n / (double)sum.students, &err);
    }
    rc = cli_print_table(t, o->fmt);
    slds_table_free(t);
    if (sum.model)
        fprintf(stderr, "warn %d: graduation model trained on %zu records (calibrated on %zu), threshold %.3f;"
                        " course-failure model on %zu records; %.2f s\n",
                sum.year, sum.train_n, sum.calib_n, sum.threshold, sum.fail_train_n, sum.seconds);
    else
        fprintf(stderr, "warn %d: no earlier cohort with known outcomes: flags only, no risks; %.2f s\n", sum.year,
                sum.seconds);
    return rc;
}

static int do_show(const opts *o)
{
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, o->arg, &err))
        return cli_error(&err);
    int rc;
    if (o->fmt == SLDS_FORMAT_HTML) {
        slds_buf b = {0};
        rc = slds_warn_show_html(s, o->year, o->school, &b, &err);
        slds_store_close(s);
        return cli_print_page_free(&b, rc, &err);
    }
    slds_table *t = NULL;
    rc = slds_warn_show(s, o->year, o->school, &t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, o->fmt);
}

/* A JSON array of flat objects as a table (numbers real, the rest text;
 * nested values are left out), for the table and CSV forms of evaluate. */
static int add_array_table(json_t *arr, const char *name, const char *title, const char *prefix_key,
                           json_t *prefix, slds_table **tables, size_t *n, slds_error *err)
{
    if (!json_is_array(arr) || !json_array_size(arr))
        return 0;
    json_t *first = json_array_get(arr, 0);
    slds_column_spec cols[40];
    int nc = 0;
    if (prefix_key)
        cols[nc++] = (slds_column_spec){.name = prefix_key, .type = SLDS_CELL_TEXT};
    /* the row's label first (subgroup, grade, flag), then the figures in order */
    static const char *const labels[] = {"subgroup", "grade", "flag", "features"};
    const char *order[40];
    int no = 0;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
        if (json_object_get(first, labels[k]))
            order[no++] = labels[k];
    const char *key;
    json_t *v;
    json_object_foreach(first, key, v)
    {
        bool label = false;
        for (int k = 0; k < no; k++)
            label |= !strcmp(order[k], key);
        if (!label && no < 40)
            order[no++] = key;
    }
    for (int o = 0; o < no; o++) {
        key = order[o];
        v = json_object_get(first, key);
        if (nc == 40 || json_is_object(v) || json_is_array(v))
            continue;
        /* a number column when every row's value is a number (or null) */
        bool numbers = true;
        size_t r;
        json_t *row;
        json_array_foreach(arr, r, row)
        {
            json_t *cell = json_object_get(row, key);
            numbers &= !cell || json_is_null(cell) || json_is_number(cell);
        }
        cols[nc++] = (slds_column_spec){.name = key,
                                        .type = numbers ? SLDS_CELL_REAL : SLDS_CELL_TEXT,
                                        .decimals = SLDS_SIGNIFICANT(4)};
    }
    slds_table *t;
    if (slds_table_new(&t, name, title, cols, nc, err))
        return err->code;
    size_t i;
    json_t *row;
    json_array_foreach(arr, i, row)
    {
        slds_table_add_row(t, err);
        for (int c = 0; c < nc; c++) {
            json_t *cell = prefix_key && c == 0 ? prefix : json_object_get(row, cols[c].name);
            if (json_is_number(cell) && cols[c].type == SLDS_CELL_REAL) {
                slds_table_set_real(t, c, json_number_value(cell), err);
            } else if (json_is_number(cell)) {
                char num[32];
                snprintf(num, sizeof num, "%.4g", json_number_value(cell));
                slds_table_set_text(t, c, num, err);
            } else if (json_is_string(cell)) {
                slds_table_set_text(t, c, json_string_value(cell), err);
            }
        }
    }
    tables[(*n)++] = t;
    return slds_table_status(t);
}

static int print_evaluation(json_t *o, slds_format fmt)
{
    slds_error err = {0};
    if (fmt == SLDS_FORMAT_JSON)
        return slds_json_write(o, stdout, &err) ? cli_error(&err) : 0;
    slds_table *tables[8];
    size_t n = 0;
    int rc = 0;
    json_t *course = json_object_get(o, "course_failure");
    rc |= add_array_table(json_object_get(o, "by_subgroup"), "by_subgroup",
                          "Not graduating on time: held-out cohort by subgroup", NULL, NULL, tables, &n, &err);
    rc |= add_array_table(json_object_get(o, "by_grade"), "by_grade", "Not graduating on time: by grade", NULL, NULL,
                          tables, &n, &err);
    rc |= add_array_table(json_object_get(o, "calibration"), "calibration", "Calibration (held-out cohort)", NULL,
                          NULL, tables, &n, &err);
    if (json_is_object(course))
        rc |= add_array_table(json_object_get(course, "by_subgroup"), "course_failure",
                              "Failing a course this year: held-out year by subgroup", NULL, NULL, tables, &n, &err);
    rc |= add_array_table(json_object_get(o, "flags"), "flags", "ABC flags against not graduating on time", NULL,
                          NULL, tables, &n, &err);
    json_t *pub = json_object_get(o, "published");
    if (json_is_array(pub)) {
        json_t *flat = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(pub, i, e)
        {
            json_t *ours = json_object_get(e, "ours"), *p = json_object_get(e, "published");
            json_t *r = json_object();
            json_object_set(r, "flag", json_object_get(e, "flag"));
            json_object_set(r, "grade", json_object_get(ours, "grade"));
            json_object_set(r, "n", json_object_get(ours, "n"));
            json_object_set(r, "sensitivity", json_object_get(ours, "sensitivity"));
            json_object_set(r, "specificity", json_object_get(ours, "specificity"));
            json_object_set(r, "precision", json_object_get(ours, "precision"));
            json_object_set(r, "study", json_object_get(p, "study"));
            json_object_set(r, "published_indicator", json_object_get(p, "indicator"));
            json_object_set(r, "published_sensitivity", json_object_get(p, "sensitivity"));
            json_object_set(r, "published_specificity", json_object_get(p, "specificity"));
            json_object_set(r, "published_precision", json_object_get(p, "precision"));
            json_array_append_new(flat, r);
        }
        rc |= add_array_table(flat, "published", "Flags next to Bowers, Sprott & Taff (2013)", NULL, NULL, tables, &n,
                              &err);
        json_decref(flat);
    }
    if (!rc && slds_tables_write(tables, n, fmt, stdout, &err))
        rc = 1;
    for (size_t k = 0; k < n; k++)
        slds_table_free(tables[k]);
    json_decref(o);
    return rc ? cli_error(&err) : 0;
}

static int do_evaluate(const opts *o)
{
    slds_warn_config c;
    int rc = load_config(o, &c);
    if (rc)
        return rc;
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, o->arg, &err))
        return cli_error(&err);
    json_t *out;
    rc = slds_warn_evaluate(s, &c, o->bowers, &out, &err);
    slds_store_close(s);
    if (rc)
        return cli_error(&err);
    if (o->fmt != SLDS_FORMAT_JSON)
        fprintf(stderr, "held-out cohort %lld: n %lld, AUC %.3f, threshold %.3f, precision %.3f, recall %.3f\n",
                (long long)json_integer_value(json_object_get(out, "held_out_cohort")),
                (long long)json_integer_value(json_object_get(out, "n")),
                json_number_value(json_object_get(out, "auc")), json_number_value(json_object_get(out, "threshold")),
                json_number_value(json_object_get(out, "precision")),
                json_number_value(json_object_get(out, "recall")));
    return print_evaluation(out, o->fmt);
}

static int do_evaluate_file(const opts *o)
{
    slds_warn_config c;
    int rc = load_config(o, &c);
    if (rc)
        return rc;
    slds_error err = {0};
    json_t *out;
    if (slds_warn_evaluate_file(o->arg, o->kind, &c, &out, &err))
        return cli_error(&err);
    if (o->fmt == SLDS_FORMAT_JSON)
        return slds_json_write(out, stdout, &err) ? cli_error(&err) : 0;
    slds_table *tables[1];
    size_t n = 0;
    json_t *kind = json_object_get(out, "kind");
    rc = add_array_table(json_object_get(out, "results"), "evaluate_file", json_string_value(json_object_get(out, "file")),
                         "kind", kind, tables, &n, &err);
    if (!rc && n && slds_tables_write(tables, n, o->fmt, stdout, &err))
        rc = 1;
    for (size_t k = 0; k < n; k++)
        slds_table_free(tables[k]);
    json_decref(out);
    return rc ? cli_error(&err) : 0;
}

/* Parses the options of the subcommand argv[0] and runs it. */
static int run_parsed(int argc, char **argv, int (*run)(const opts *))
{
    opts o;
    int rc = parse(argc, argv, argv[0], &o);
    return rc >= 0 ? rc : run(&o);
}

static int warn_run(int argc, char **argv)
{
    return run_parsed(argc, argv, do_run);
}
static int warn_show(int argc, char **argv)
{
    return run_parsed(argc, argv, do_show);
}
static int warn_evaluate(int argc, char **argv)
{
    return run_parsed(argc, argv, do_evaluate);
}
static int warn_evaluate_file(int argc, char **argv)
{
    return run_parsed(argc, argv, do_evaluate_file);
}

int cmd_warn(int argc, char **argv)
{
    static const cli_subcommand commands[] = {{"run", warn_run},
                                              {"show", warn_show},
                                              {"evaluate", warn_evaluate},
                                              {"evaluate-file", warn_evaluate_file}};
    return cli_run_subcommand("warn", commands, sizeof commands / sizeof commands[0], usage_warn,
                              argc, argv);
}
