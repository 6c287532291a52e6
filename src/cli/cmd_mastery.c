/* cmd_mastery.c - `slds mastery fit|show|steps|plan|progression|grid|page|
 * evaluate`: Bayesian Knowledge Tracing of standards, next steps, learning
 * plans (library: src/mastery/mastery.h; docs/mastery.md). This file only
 * parses options and prints. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mastery/mastery.h"

static const char usage_mastery[] =
    "usage: slds mastery COMMAND [ARGS] [OPTIONS]\n"
    "\n"
    "Mastery of learning standards: Bayesian Knowledge Tracing (BKT) per standard,\n"
    "fitted by EM from item_responses; each student's probability of mastery; next\n"
    "steps; learning plans.\n"
    "\n"
    "commands:\n"
    "  fit DB [--forget] [--restarts N] [--threads N] [--seed S]\n"
    "        fit every standard, store its parameters and every student's P(mastery)\n"
    "  show DB --standards | --student ID [--format table|csv|json]\n"
    "        fitted parameters; a student's mastery map\n"
    "  steps DB --student ID [--format ...]\n"
    "        the standards a student is ready for and those to revisit\n"
    "  plan set DB --student ID --standard S --target-date YYYY-MM-DD [--by WHO] [--note TEXT]\n"
    "  plan remove DB --student ID --standard S\n"
    "  plan show DB --student ID [--as-of YYYY-MM-DD] [--format table|csv|json|html]\n"
    "        a student's learning plan (html: the student's and parent's page)\n"
    "  progression DB [--year Y] [--school ID] [--subject S] [--format ...]\n"
    "        students who mastered every standard of their grade in a subject\n"
    "  grid DB (--section ID | --school ID --grade G) [--subject S]\n"
    "        a teacher's class mastery grid (HTML) on stdout\n"
    "  evaluate --train FILE --test FILE [--forget] [--restarts N] [--threads N] [--params CSV]\n"
    "        fit on one file, predict the other online; pooled AUC (JSON);\n"
    "        --params writes each skill's fitted parameters\n"
    "\n"
    "common options: --threshold P (mastered at P(mastery) >= P; default 0.95)\n"
    "Every definition: docs/mastery.md.\n";

typedef struct opts {
    const char *db, *student, *standard, *target, *by, *note, *as_of, *school, *subject, *grade,
        *section, *train, *test, *params_out;
    bool standards, forget;
    int year;
    double threshold;
    slds_bkt_fit_options fit;
    slds_format fmt;
} opts;

static int parse(int argc, char **argv, const char *where, bool want_db, bool allow_html, opts *o)
{
    enum {
        O_STUDENT = 256, O_STANDARD, O_STANDARDS, O_TARGET, O_BY, O_NOTE, O_ASOF, O_SCHOOL,
        O_SUBJECT, O_GRADE, O_SECTION, O_TRAIN, O_TEST, O_FORGET, O_YEAR, O_THRESHOLD,
        O_RESTARTS, O_THREADS, O_SEED, O_FORMAT, O_MAXITER, O_PARAMS
    };
    static const struct option options[] = {
        {"student", required_argument, NULL, O_STUDENT},
        {"standard", required_argument, NULL, O_STANDARD},
        {"standards", no_argument, NULL, O_STANDARDS},
        {"target-date", required_argument, NULL, O_TARGET},
        {"by", required_argument, NULL, O_BY},
        {"note", required_argument, NULL, O_NOTE},
        {"as-of", required_argument, NULL, O_ASOF},
        {"school", required_argument, NULL, O_SCHOOL},
        {"subject", required_argument, NULL, O_SUBJECT},
        {"grade", required_argument, NULL, O_GRADE},
        {"section", required_argument, NULL, O_SECTION},
        {"train", required_argument, NULL, O_TRAIN},
        {"test", required_argument, NULL, O_TEST},
        {"forget", no_argument, NULL, O_FORGET},
        {"year", required_argument, NULL, O_YEAR},
        {"threshold", required_argument, NULL, O_THRESHOLD},
        {"restarts", required_argument, NULL, O_RESTARTS},
        {"threads", required_argument, NULL, O_THREADS},
        {"seed", required_argument, NULL, O_SEED},
        {"max-iter", required_argument, NULL, O_MAXITER},
        {"params", required_argument, NULL, O_PARAMS},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->fmt = SLDS_FORMAT_TABLE;
    o->threshold = SLDS_MASTERY_THRESHOLD;
    slds_bkt_fit_options_default(&o->fit);
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        char *end;
        switch (opt) {
        case O_STUDENT: o->student = optarg; break;
        case O_STANDARD: o->standard = optarg; break;
        case O_STANDARDS: o->standards = true; break;
        case O_TARGET: o->target = optarg; break;
        case O_BY: o->by = optarg; break;
        case O_NOTE: o->note = optarg; break;
        case O_ASOF: o->as_of = optarg; break;
        case O_SCHOOL: o->school = optarg; break;
        case O_SUBJECT: o->subject = optarg; break;
        case O_GRADE: o->grade = optarg; break;
        case O_SECTION: o->section = optarg; break;
        case O_TRAIN: o->train = optarg; break;
        case O_TEST: o->test = optarg; break;
        case O_PARAMS: o->params_out = optarg; break;
        case O_FORGET: o->fit.forget = true; break;
        case O_YEAR:
            o->year = (int)strtol(optarg, &end, 10);
            if (*end || o->year < 1900 || o->year > 2200)
                return cli_usage_error(where, "--year '%s' is not a school year", optarg);
            break;
        case O_THRESHOLD:
            o->threshold = strtod(optarg, &end);
            if (*end || !(o->threshold > 0 && o->threshold < 1))
                return cli_usage_error(where, "--threshold '%s' is not a probability in (0, 1)",
                                       optarg);
            break;
        case O_RESTARTS:
        case O_THREADS:
        case O_MAXITER: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000)
                return cli_usage_error(where, "'%s' is not a whole number from 1 to 1000", optarg);
            if (opt == O_RESTARTS)
                o->fit.restarts = (int)v;
            else if (opt == O_THREADS)
                o->fit.threads = (int)v;
            else
                o->fit.max_iter = (int)v;
            break;
        }
        case O_SEED:
            o->fit.seed = strtoull(optarg, &end, 10);
            if (*end)
                return cli_usage_error(where, "--seed '%s' is not a whole number", optarg);
            break;
        case O_FORMAT:
            if ((int)(o->fmt = (slds_format)cli_parse_format(optarg, allow_html)) < 0)
                return cli_usage_error(where, "unknown format '%s'", optarg);
            break;
        case 'h': fputs(usage_mastery, stdout); return 0;
        case ':': return cli_usage_error(where, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error(where, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (want_db) {
        if (argc - optind != 1)
            return cli_usage_error(where, "expected one DB");
        o->db = argv[optind];
    } else if (argc != optind)
        return cli_usage_error(where, "unexpected argument '%s'", argv[optind]);
    return -1;
}

static int do_evaluate(const opts *o)
{
    if (!o->train || !o->test)
        return cli_usage_error("mastery evaluate", "--train and --test are required");
    slds_error err = {0};
    slds_mastery_eval_options eo = {
        .train = o->train, .test = o->test, .params_out = o->params_out, .fit = o->fit};
    slds_mastery_eval ev;
    slds_progress progress = cli_progress_stderr();
    int rc = slds_mastery_evaluate(&eo, &ev, &progress, &err);
    cli_progress_done();
    if (rc)
        return cli_error(&err);
    if (o->fmt == SLDS_FORMAT_JSON) {
        json_t *j = json_pack("{s:f, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, "
                              "s:I, s:b, s:i, s:i, s:s}",
                              "auc", ev.auc, "auc_kind", "pooled", "train_log_likelihood", ev.train_log_likelihood, "fit_seconds", ev.fit_seconds, "fit_cpu_seconds", ev.fit_cpu_seconds,
                              "read_seconds", ev.read_seconds, "predict_seconds",
                              ev.predict_seconds, "rmse", ev.rmse, "accuracy", ev.accuracy,
                              "rows", (json_int_t)ev.rows, "unseen_skill_rows",
                              (json_int_t)ev.unseen_rows, "train_rows", (json_int_t)ev.train_rows,
                              "skills", (json_int_t)ev.skills, "train_students",
                              (json_int_t)ev.train_students, "test_students",
                              (json_int_t)ev.test_students, "restarts_per_skill",
                              (json_int_t)o->fit.restarts, "forget", o->fit.forget, "threads",
                              ev.threads, "max_iter", o->fit.max_iter, "layout", ev.layout);
        if (slds_json_write(j, stdout, &err))
            return cli_error(&err);
        return 0;
    }
    static const slds_column_spec cols[] = {
        {.name = "measure", .type = SLDS_CELL_TEXT},
        {.name = "value", .type = SLDS_CELL_REAL, .decimals = SLDS_SIGNIFICANT(6)}};
    slds_table *t;
    rc = slds_table_new(&t, "evaluation", "BKT evaluation (online predictions, pooled AUC)", cols,
                        2, &err);
    const struct {
        const char *name;
        double v;
    } rows[] = {{"auc (pooled)", ev.auc},
                {"rmse", ev.rmse},
                {"accuracy", ev.accuracy},
                {"fit_seconds", ev.fit_seconds},
                {"fit_cpu_seconds", ev.fit_cpu_seconds},
                {"read_seconds", ev.read_seconds},
                {"rows", (double)ev.rows},
                {"unseen_skill_rows", (double)ev.unseen_rows},
                {"train_rows", (double)ev.train_rows},
                {"skills", (double)ev.skills}};
    for (size_t i = 0; !rc && i < sizeof rows / sizeof rows[0]; i++) {
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, rows[i].name, &err);
        slds_table_set_real(t, 1, rows[i].v, &err);
        rc = slds_table_status(t);
    }
    return cli_print_table_free(t, rc, &err, o->fmt);
}

static int do_fit(const opts *o)
{
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_writer(&s, o->db, 0, &err))
        return cli_error(&err);
    slds_mastery_fit_summary sum;
    slds_progress progress = cli_progress_stderr();
    int rc = slds_mastery_fit_store(s, &o->fit, o->threshold, &sum, &progress, &err);
    cli_progress_done();
    slds_store_close(s);
    if (rc)
        return cli_error(&err);
    printf("mastery: %zu standards fitted (BKT%s, %d restarts) from %zu responses of %zu students;"
           " %zu student x standard states stored; read %.2f s, fit %.2f s, write %.2f s,"
           " total %.2f s\n",
           sum.standards, o->fit.forget ? " with forgetting" : "", o->fit.restarts, sum.responses,
           sum.students, sum.states, sum.read_seconds, sum.fit_seconds, sum.write_seconds,
           sum.seconds);
    return 0;
}

static int do_show(const opts *o)
{
    if (o->standards == (o->student != NULL))
        return cli_usage_error("mastery show", "give --standards or --student ID");
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, o->db, &err))
        return cli_error(&err);
    slds_table *t = NULL;
    int rc = o->standards ? slds_mastery_standards_table(s, &t, &err)
                          : slds_mastery_student_table(s, o->student, o->threshold, &t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, o->fmt);
}

static int do_steps(const opts *o)
{
    if (!o->student)
        return cli_usage_error("mastery steps", "--student is required");
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, o->db, &err))
        return cli_error(&err);
    slds_table *t = NULL;
    int rc = slds_mastery_next_steps_table(s, o->student, o->threshold, &t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, o->fmt);
}

static int do_plan(const char *sub, const opts *o)
{
    slds_error err = {0};
    slds_store *s;
    int rc;
    if (!o->student)
        return cli_usage_error("mastery plan", "--student is required");
    if (!strcmp(sub, "set") || !strcmp(sub, "remove")) {
        if (!o->standard)
            return cli_usage_error("mastery plan", "--standard is required");
        if (!strcmp(sub, "set") && !o->target)
            return cli_usage_error("mastery plan set", "--target-date is required");
        if (slds_store_open_writer(&s, o->db, 0, &err))
            return cli_error(&err);
        if (!strcmp(sub, "set")) {
            slds_plan_goal g = {o->student, o->standard, o->target, o->by, o->note, NULL};
            rc = slds_mastery_plan_set(s, &g, &err);
        } else
            rc = slds_mastery_plan_remove(s, o->student, o->standard, &err);
        slds_store_close(s);
        if (rc)
            return cli_error(&err);
        if (!strcmp(sub, "set"))
            printf("goal set: student %s, standard %s by %s\n", o->student, o->standard, o->target);
        else
            printf("goal removed: student %s, standard %s\n", o->student, o->standard);
        return 0;
    }
    if (strcmp(sub, "show"))
        return cli_usage_error("mastery plan", "unknown command '%s' (set, remove, show)", sub);
    if (slds_store_open_readonly(&s, o->db, &err))
        return cli_error(&err);
    if (o->fmt == SLDS_FORMAT_HTML) {
        slds_buf b = {0};
        rc = slds_mastery_student_html(s, o->student, o->as_of, o->threshold, &b, &err);
        slds_store_close(s);
        return cli_print_page_free(&b, rc, &err);
    }
    slds_table *t = NULL;
    rc = slds_mastery_plan_table(s, o->student, o->as_of, o->threshold, &t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, o->fmt);
}

static int do_progression(const opts *o)
{
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, o->db, &err))
        return cli_error(&err);
    slds_table *t = NULL;
    int rc = slds_mastery_progression_students(s, o->year, o->school, o->subject, o->threshold,
                                               &t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, o->fmt);
}

static int do_grid(const opts *o)
{
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, o->db, &err))
        return cli_error(&err);
    slds_buf b = {0};
    int rc = slds_mastery_grid_html(s, o->section, o->school, o->grade, o->subject, o->threshold,
                                    &b, &err);
    slds_store_close(s);
    return cli_print_page_free(&b, rc, &err);
}

/* Parses the options of the subcommand argv[0] and runs it. */
static int run_parsed(int argc, char **argv, bool want_db, bool allow_html,
                      int (*run)(const opts *))
{
    char where[32];
    snprintf(where, sizeof where, "mastery %s", argv[0]);
    opts o;
    int rc = parse(argc, argv, where, want_db, allow_html, &o);
    return rc >= 0 ? rc : run(&o);
}

static int mastery_fit(int argc, char **argv)
{
    return run_parsed(argc, argv, true, false, do_fit);
}
static int mastery_show(int argc, char **argv)
{
    return run_parsed(argc, argv, true, false, do_show);
}
static int mastery_steps(int argc, char **argv)
{
    return run_parsed(argc, argv, true, false, do_steps);
}
static int mastery_grid(int argc, char **argv)
{
    return run_parsed(argc, argv, true, true, do_grid);
}
static int mastery_progression(int argc, char **argv)
{
    return run_parsed(argc, argv, true, false, do_progression);
}
static int mastery_evaluate(int argc, char **argv)
{
    return run_parsed(argc, argv, false, false, do_evaluate);
}

/* `mastery plan set|remove|show DB ...`: argv[1] is the plan command. */
static int mastery_plan(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("mastery plan", "expected set, remove or show");
    opts o;
    int rc = parse(argc - 1, argv + 1, "mastery plan", true, true, &o);
    return rc >= 0 ? rc : do_plan(argv[1], &o);
}

int cmd_mastery(int argc, char **argv)
{
    static const cli_subcommand commands[] = {{"fit", mastery_fit},
                                              {"show", mastery_show},
                                              {"steps", mastery_steps},
                                              {"plan", mastery_plan},
                                              {"progression", mastery_progression},
                                              {"grid", mastery_grid},
                                              {"evaluate", mastery_evaluate}};
    return cli_run_subcommand("mastery", commands, sizeof commands / sizeof commands[0],
                              usage_mastery, argc, argv);
}
