/* cmd_audit.c - `slds audit DB`: the State data audit report (data quality by
 * file and district) and the America COMPETES element coverage with the
 * (C)(1) score, as readable sections, CSV or one JSON object. The checks live
 * in src/audit; this file parses options and prints (docs/audit.md). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: slds audit DB [--format table|csv|json] [--examples N] [--jump-sd X] [--max-days N]\n"
    "\n"
    "Audits the state database DB: rows the loads rejected (validity), blank values\n"
    "(completeness), rows that disagree across files (consistency), duplicate students\n"
    "and enrollments, implausible values (outliers) -- statewide, by table and by\n"
    "district, with example keys (statewide, staff and school ids; never names). Then\n"
    "lists which of the 12 America COMPETES Act elements the data supports and the\n"
    "resulting (C)(1) score (2 points per element, out of 24). See docs/audit.md.\n"
    "\n"
    "options:\n"
    "  --format FMT     table (default): sections for a person; csv: the findings, a\n"
    "                   blank line, then the elements; json: one object\n"
    "                   {\"findings\":[...], \"elements\":[...], \"c1_score\":N, \"c1_max\":24}\n"
    "  --examples N     example keys per finding (default 5; 0 for none)\n"
    "  --jump-sd X      flag a year-over-year STATE score change more than X SDs from\n"
    "                   the mean change of its subject and grade (default 4)\n"
    "  --max-days N     flag attendance with days_enrolled above N (default 200)\n"
    "  -h, --help       this help\n"
    "\n"
    "exit status: 0 the report was made (whatever it found), 1 error, 2 usage.\n";

static char *join_examples(const slds_audit_finding *f, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < f->n_examples && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? " " : "", f->examples[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return buf;
}

static double rate(const slds_audit_finding *f)
{
    return f->total > 0 ? (double)f->count / (double)f->total : 0.0;
}

static json_t *finding_json(const slds_audit_finding *f)
{
    json_t *examples = json_array();
    for (size_t i = 0; i < f->n_examples; i++)
        json_array_append_new(examples, json_string(f->examples[i]));
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:I, s:f, s:o}", "category",
                     slds_audit_category_name(f->category), "table", f->table, "scope",
                     slds_audit_scope_name(f->scope), "district",
                     f->lea_id ? json_string(f->lea_id) : json_null(), "check", f->check,
                     "description", f->description, "count", (json_int_t)f->count, "total",
                     (json_int_t)f->total, "rate", rate(f), "examples", examples);
}

static void print_json(const slds_audit_report *r, FILE *out)
{
    json_t *findings = json_array();
    for (size_t i = 0; i < r->n_findings; i++)
        json_array_append_new(findings, finding_json(&r->findings[i]));
    json_t *elements = json_array();
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++) {
        const slds_audit_element *e = &r->elements[i];
        json_array_append_new(elements, json_pack("{s:i, s:s, s:b, s:s}", "element", e->element,
                                                  "name", e->name, "supported", e->supported,
                                                  "evidence", e->evidence));
    }
    json_t *root = json_pack("{s:o, s:o, s:i, s:i}", "findings", findings, "elements", elements,
                             "c1_score", r->c1_score, "c1_max", r->c1_max);
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
}

static cli_table *elements_table(const slds_audit_report *r, bool with_total)
{
    static const char *const cols[] = {"element", "name", "supported", "evidence"};
    cli_table *t = cli_table_new(4, cols);
    if (!t)
        return NULL;
    cli_table_mark_numeric(t, 0);
    char num[16], score[64];
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++) {
        const slds_audit_element *e = &r->elements[i];
        snprintf(num, sizeof num, "%d", e->element);
        cli_table_addv(t, num, e->name, e->supported ? "yes" : "no", e->evidence);
    }
    if (with_total) {
        snprintf(score, sizeof score, "%d of %d points", r->c1_score, r->c1_max);
        cli_table_addv(t, "", "(C)(1) score", "", score);
    }
    return t;
}

static void print_csv(const slds_audit_report *r, FILE *out)
{
    static const char *const cols[] = {"category", "table", "scope",  "district", "check",
                                       "count",    "total", "rate",   "examples", "description"};
    cli_table *t = cli_table_new(10, cols);
    if (!t)
        return;
    char count[32], total[32], share[32], examples[2048];
    for (size_t i = 0; i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        snprintf(count, sizeof count, "%lld", (long long)f->count);
        snprintf(total, sizeof total, "%lld", (long long)f->total);
        snprintf(share, sizeof share, "%.6f", rate(f));
        cli_table_addv(t, slds_audit_category_name(f->category), f->table,
                       slds_audit_scope_name(f->scope), f->lea_id, f->check, count, total, share,
                       join_examples(f, examples, sizeof examples), f->description);
    }
    cli_table_print(t, CLI_CSV, out);
    cli_table_free(t);
    fputc('\n', out);
    cli_table *e = elements_table(r, true);
    if (e)
        cli_table_print(e, CLI_CSV, out);
    cli_table_free(e);
}

/* Statewide findings of one category, one row per check. */
static void print_category(const slds_audit_report *r, slds_audit_category cat, const char *title,
                           FILE *out)
{
    static const char *const cols[] = {"table", "check", "count", "total", "%", "examples"};
    cli_table *t = cli_table_new(6, cols);
    if (!t)
        return;
    for (int c = 2; c <= 4; c++)
        cli_table_mark_numeric(t, c);
    char count[32], total[32], pct[32], examples[2048];
    for (size_t i = 0; i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        if (f->category != cat || f->scope != SLDS_AUDIT_STATEWIDE)
            continue;
        snprintf(count, sizeof count, "%lld", (long long)f->count);
        snprintf(total, sizeof total, "%lld", (long long)f->total);
        /* completeness shows the share complete, the others the share failing */
        double p = cat == SLDS_AUDIT_COMPLETENESS ? 1.0 - rate(f) : rate(f);
        snprintf(pct, sizeof pct, "%.1f", 100.0 * p);
        cli_table_addv(t, f->table, f->check, count, total, pct,
                       join_examples(f, examples, sizeof examples));
    }
    fprintf(out, "\n%s\n\n", title);
    if (cli_table_rows(t))
        cli_table_print(t, CLI_TABLE, out);
    else
        fputs("(none)\n", out);
    cli_table_free(t);
}

/* Failing district findings, except completeness (see --format csv or json). */
static void print_districts(const slds_audit_report *r, FILE *out)
{
    static const char *const cols[] = {"district", "category", "table", "check",
                                       "count",    "total",    "%",     "examples"};
    cli_table *t = cli_table_new(8, cols);
    if (!t)
        return;
    for (int c = 4; c <= 6; c++)
        cli_table_mark_numeric(t, c);
    char count[32], total[32], pct[32], examples[2048];
    for (size_t i = 0; i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        if (f->scope == SLDS_AUDIT_STATEWIDE || f->category == SLDS_AUDIT_COMPLETENESS)
            continue;
        snprintf(count, sizeof count, "%lld", (long long)f->count);
        snprintf(total, sizeof total, "%lld", (long long)f->total);
        snprintf(pct, sizeof pct, "%.1f", 100.0 * rate(f));
        cli_table_addv(t, f->scope == SLDS_AUDIT_DISTRICT ? f->lea_id : "(none)",
                       slds_audit_category_name(f->category), f->table, f->check, count, total, pct,
                       join_examples(f, examples, sizeof examples));
    }
    fputs("\nBy district: checks with failing rows (completeness by district: --format csv or json)\n\n",
          out);
    if (cli_table_rows(t))
        cli_table_print(t, CLI_TABLE, out);
    else
        fputs("(none)\n", out);
    cli_table_free(t);
}

static void print_table(const slds_audit_report *r, const char *db, FILE *out)
{
    fprintf(out, "State data audit of %s\n", db);
    print_category(r, SLDS_AUDIT_VALIDITY,
                   "Validity: rows rejected by the loads (table = file, check = reason)", out);
    print_category(r, SLDS_AUDIT_COMPLETENESS,
                   "Completeness: blank values of columns that may be blank (% = share complete)",
                   out);
    print_category(r, SLDS_AUDIT_CONSISTENCY, "Consistency across files (% = share failing)", out);
    print_category(r, SLDS_AUDIT_DUPLICATES, "Duplicates", out);
    print_category(r, SLDS_AUDIT_OUTLIERS, "Outliers: implausible values", out);
    print_districts(r, out);
    fputs("\nAmerica COMPETES Act elements supported by the data\n\n", out);
    cli_table *e = elements_table(r, false);
    if (e)
        cli_table_print(e, CLI_TABLE, out);
    cli_table_free(e);
    fprintf(out, "\n(C)(1) score: %d of %d points (2 per element)\n", r->c1_score, r->c1_max);
}

/* Parses a whole number in [lo, hi]; -1 when s is not one. */
static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Parses a number above 0; -1 when s is not one. */
static int parse_positive(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v > 0))
        return -1;
    *out = v;
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"examples", required_argument, NULL, 'e'},
                                            {"jump-sd", required_argument, NULL, 'j'},
                                            {"max-days", required_argument, NULL, 'm'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = CLI_TABLE;
    slds_audit_options ao;
    slds_audit_options_default(&ao);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:e:j:m:h", options, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("audit", "unknown format '%s'", optarg);
            break;
        case 'e':
            if (parse_int(optarg, 0, 1000, &ao.max_examples))
                return cli_usage_error("audit", "--examples expects a whole number 0-1000, not '%s'",
                                       optarg);
            break;
        case 'j':
            if (parse_positive(optarg, &ao.jump_sd))
                return cli_usage_error("audit", "--jump-sd expects a positive number, not '%s'",
                                       optarg);
            break;
        case 'm':
            if (parse_positive(optarg, &ao.max_days_enrolled))
                return cli_usage_error("audit", "--max-days expects a positive number, not '%s'",
                                       optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_usage_error("audit", "unknown option");
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("audit", "expected one DB");
    const char *db = argv[optind];
    slds_error err = {0};
    slds_store *store;
    if (slds_store_open_readonly(&store, db, &err))
        return cli_error(&err);
    slds_progress progress = cli_progress_stderr();
    ao.progress = &progress;
    slds_audit_report *r = NULL;
    int rc = slds_audit_run(store, &ao, &r, &err);
    cli_progress_done();
    slds_store_close(store);
    if (rc)
        return cli_error(&err);
    if (fmt == CLI_JSON)
        print_json(r, stdout);
    else if (fmt == CLI_CSV)
        print_csv(r, stdout);
    else
        print_table(r, db, stdout);
    slds_audit_report_free(r);
    return 0;
}
