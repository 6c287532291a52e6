/* cmd_synth.c - the `slds synth` subcommand: parses its options, runs the
 * synthetic state generator (src/synth) and prints the files and rows
 * written as a table, CSV or JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synth/synth.h"

static const char usage_text[] =
    "usage: slds synth OUT_DIR --students N --years Y --seed S [--first-year YEAR]\n"
    "                  [--dirty FRACTION] [--format table|csv|json]\n"
    "\n"
    "Writes a synthetic state's collection (every file of the data contract) into\n"
    "OUT_DIR, and the ground truth it was generated from into OUT_DIR/truth/.\n"
    "The same options always give byte-identical files.\n"
    "\n"
    "  --students N        about N students enrolled in each school year (>= 100)\n"
    "  --years Y           number of school years (1-30)\n"
    "  --seed S            random seed (0 - 2^64-1)\n"
    "  --first-year YEAR   school year of the first year, the year it ends (default 2021)\n"
    "  --dirty FRACTION    share of bad rows added to each file, 0-0.5 (default 0);\n"
    "                      each is listed in truth/dirty_rows.csv\n"
    "  --dirty-warnings FRACTION\n"
    "                      share of rows planted in place to break a loader warning rule\n"
    "                      (blank exit code, entry date before the year) and of student-years\n"
    "                      whose enrollments are broken (rejected) while their tests stay good;\n"
    "                      listed in truth/dirty_warnings.csv (default 0)\n"
    "  --behavior-dropout-factor F\n"
    "                      multiplies the dropout hazard of a student suspended that year\n"
    "                      (0-20; default 0 = 1 = none, the same bytes as without it)\n"
    "  --format FORMAT     summary as table (default), csv or json\n"
    "\n"
    "See docs/synth.md for the model and the truth files.\n";

typedef struct synth_options {
    const char *out_dir;
    slds_synth_params params;
    bool have_students, have_years, have_seed;
    slds_format format;
} synth_options;

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool parse_int(const char *s, int *out)
{
    uint64_t v;
    if (!parse_u64(s, &v) || v > 100000)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_fraction(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= 0 && v <= 0.5))
        return false;
    *out = v;
    return true;
}

/* Returns 0, or the exit status for a usage error (already reported). */
static int parse_options(int argc, char **argv, synth_options *o)
{
    memset(o, 0, sizeof *o);
    slds_synth_params_default(&o->params);
    o->format = SLDS_FORMAT_TABLE;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !arg[1]) {
            if (o->out_dir)
                return cli_usage_error("synth", "more than one output folder ('%s' and '%s')", o->out_dir, arg);
            o->out_dir = arg;
            continue;
        }
        /* --name=value or --name value */
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
        bool consumed_next = !eq;
#define IS(name) (name_len == strlen(name) && !strncmp(arg, name, name_len))
        if (IS("--students")) {
            if (!parse_u64(value, &o->params.students))
                return cli_usage_error("synth", "--students needs a whole number, got '%s'", value ? value : "");
            o->have_students = true;
        } else if (IS("--years")) {
            if (!parse_int(value, &o->params.years))
                return cli_usage_error("synth", "--years needs a whole number, got '%s'", value ? value : "");
            o->have_years = true;
        } else if (IS("--seed")) {
            if (!parse_u64(value, &o->params.seed))
                return cli_usage_error("synth", "--seed needs a whole number, got '%s'", value ? value : "");
            o->have_seed = true;
        } else if (IS("--first-year")) {
            if (!parse_int(value, &o->params.first_year))
                return cli_usage_error("synth", "--first-year needs a year, got '%s'", value ? value : "");
        } else if (IS("--dirty-warnings")) {
            if (!parse_fraction(value, &o->params.dirty_warnings))
                return cli_usage_error("synth", "--dirty-warnings needs a fraction between 0 and 0.5, got '%s'",
                                       value ? value : "");
        } else if (IS("--behavior-dropout-factor")) {
            char *end = NULL;
            o->params.behavior_dropout_factor = value ? strtod(value, &end) : -1;
            if (!value || !*value || *end || !(o->params.behavior_dropout_factor >= 0) ||
                o->params.behavior_dropout_factor > 20)
                return cli_usage_error("synth", "--behavior-dropout-factor needs a number between 0 and 20, got '%s'",
                                       value ? value : "");
        } else if (IS("--dirty")) {
            if (!parse_fraction(value, &o->params.dirty))
                return cli_usage_error("synth", "--dirty needs a fraction between 0 and 0.5, got '%s'",
                                       value ? value : "");
        } else if (IS("--format")) {
            int f = value ? cli_parse_format(value, false) : -1;
            if (f < 0)
                return cli_usage_error("synth", "--format must be table, csv or json, got '%s'", value ? value : "");
            o->format = (slds_format)f;
        } else
            return cli_usage_error("synth", "unknown option '%s'", arg);
#undef IS
        if (consumed_next)
            i++;
    }
    if (!o->out_dir)
        return cli_usage_error("synth", "no output folder given");
    if (!o->have_students || !o->have_years || !o->have_seed)
        return cli_usage_error("synth", "--students, --years and --seed are required");
    return 0;
}

static int print_summary(const slds_synth_result *res, slds_format format)
{
    static const slds_column_spec cols[] = {{.name = "file", .type = SLDS_CELL_TEXT},
                                            {.name = "rows", .type = SLDS_CELL_INTEGER},
                                            {.name = "dirty_rows", .type = SLDS_CELL_INTEGER}};
    slds_error err = {0};
    slds_table *t;
    if (slds_table_new(&t, "files", NULL, cols, 3, &err))
        return cli_error(&err);
    uint64_t rows = 0, dirty = 0;
    for (int k = 0; k < SLDS_SYNTH_NFILES; k++) {
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, slds_synth_file_name(k), &err);
        slds_table_set_integer(t, 1, (long long)res->rows[k], &err);
        slds_table_set_integer(t, 2, (long long)res->dirty_rows[k], &err);
        rows += res->rows[k];
        dirty += res->dirty_rows[k];
    }
    if (format == SLDS_FORMAT_TABLE) {
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, "total", &err);
        slds_table_set_integer(t, 1, (long long)rows, &err);
        slds_table_set_integer(t, 2, (long long)dirty, &err);
    }
    int status = cli_print_table(t, format);
    slds_table_free(t);
    return status;
}

int cmd_synth(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return 0;
    }
    synth_options o;
    int status = parse_options(argc, argv, &o);
    if (status)
        return status;
    slds_error err = {0};
    if (slds_synth_params_check(&o.params, &err))
        return cli_usage_error("synth", "%s", err.message);
    slds_progress progress = cli_progress_stderr();
    slds_synth_result res;
    int rc = slds_synth_run(&o.params, o.out_dir, &progress, &res, &err);
    cli_progress_done();
    if (rc)
        return cli_error(&err);
    if ((status = print_summary(&res, o.format)))
        return status;
    fprintf(stderr, "slds synth: %" PRIu64 " students, %" PRIu64 " enrolled in %d; %.1f s, peak RSS %.0f MiB\n",
            res.distinct_students, res.enrolled_final_year, o.params.first_year + o.params.years - 1,
            res.seconds, (double)slds_peak_rss() / (1024.0 * 1024.0));
    return 0;
}
