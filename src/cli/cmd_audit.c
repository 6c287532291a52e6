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

static double rate(const slds_audit_finding *f)
{
    return f->total > 0 ? (double)f->count / (double)f->total : 0.0;
}

/* JSON: {"findings": [...], "elements": [...], "c1_score": N, "c1_max": 24}. */
static int print_json(const slds_audit_report *r, slds_table *findings, slds_table *elements,
                      FILE *out, slds_error *err)
{
    json_t *f = slds_table_json(findings), *e = slds_table_json(elements);
    json_t *root = f && e ? json_pack("{s:o, s:o, s:i, s:i}", "findings", f, "elements", e,
                                      "c1_score", r->c1_score, "c1_max", r->c1_max)
                          : NULL;
    if (!root) {
        json_decref(f);
        json_decref(e);
        return slds_fail(err, SLDS_ERR_NOMEM, "audit: out of memory");
    }
    return slds_json_write(root, out, err);
}

/* CSV: the findings, a blank line, the elements with the (C)(1) score last. */
static int print_csv(const slds_audit_report *r, slds_table *findings, slds_table *elements,
                     FILE *out, slds_error *err)
{
    char score[64];
    snprintf(score, sizeof score, "%d of %d points", r->c1_score, r->c1_max);
    slds_table_add_row(elements, err);
    slds_table_set_text(elements, 1, "(C)(1) score", err);
    slds_table_set_text(elements, 3, score, err);
    slds_table *both[] = {findings, elements};
    return slds_tables_write(both, 2, SLDS_FORMAT_CSV, out, err);
}

/* The columns of the readable sections: a finding and its share. */
enum { V_DISTRICT, V_CATEGORY, V_TABLE, V_CHECK, V_COUNT, V_TOTAL, V_PCT, V_EXAMPLES, V_NCOLS };
static const slds_column_spec view_cols[V_NCOLS] = {
    {.name = "district", .type = SLDS_CELL_TEXT},
    {.name = "category", .type = SLDS_CELL_TEXT},
    {.name = "table", .type = SLDS_CELL_TEXT},
    {.name = "check", .type = SLDS_CELL_TEXT},
    {.name = "count", .type = SLDS_CELL_INTEGER, .unit = "rows"},
    {.name = "total", .type = SLDS_CELL_INTEGER, .unit = "rows"},
    {.name = "%", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1},
    {.name = "examples", .type = SLDS_CELL_LIST}};

/* A section table with columns view_cols[first..V_NCOLS). */
static int view_table(slds_table **t, const char *name, const char *title, int first,
                      slds_error *err)
{
    return slds_table_new(t, name, title, view_cols + first, V_NCOLS - first, err);
}

static void view_row(slds_table *t, int first, const slds_audit_finding *f, double share,
                     slds_error *err)
{
    slds_table_add_row(t, err);
    if (first == V_DISTRICT) {
        slds_table_set_text(t, V_DISTRICT, f->scope == SLDS_AUDIT_DISTRICT ? f->lea_id : "(none)",
                            err);
        slds_table_set_text(t, V_CATEGORY, slds_audit_category_name(f->category), err);
    }
    slds_table_set_text(t, V_TABLE - first, f->table, err);
    slds_table_set_text(t, V_CHECK - first, f->check, err);
    slds_table_set_integer(t, V_COUNT - first, f->count, err);
    slds_table_set_integer(t, V_TOTAL - first, f->total, err);
    slds_table_set_real(t, V_PCT - first, 100.0 * share, err);
    for (size_t i = 0; i < f->n_examples; i++)
        slds_table_list_add(t, V_EXAMPLES - first, f->examples[i], err);
}

/* Statewide findings of one category, one row per check. */
static int category_table(const slds_audit_report *r, slds_audit_category cat, const char *title,
                          slds_table **t, slds_error *err)
{
    int rc = view_table(t, slds_audit_category_name(cat), title, V_TABLE, err);
    for (size_t i = 0; !rc && i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        if (f->category != cat || f->scope != SLDS_AUDIT_STATEWIDE)
            continue;
        /* completeness shows the share complete, the others the share failing */
        view_row(*t, V_TABLE, f, cat == SLDS_AUDIT_COMPLETENESS ? 1.0 - rate(f) : rate(f), err);
        rc = slds_table_status(*t);
    }
    return rc;
}

/* Failing district findings, except completeness (see --format csv or json). */
static int district_table(const slds_audit_report *r, slds_table **t, slds_error *err)
{
    int rc = view_table(t, "districts",
                        "By district: checks with failing rows (completeness by district: "
                        "--format csv or json)",
                        V_DISTRICT, err);
    for (size_t i = 0; !rc && i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        if (f->scope == SLDS_AUDIT_STATEWIDE || f->category == SLDS_AUDIT_COMPLETENESS)
            continue;
        view_row(*t, V_DISTRICT, f, rate(f), err);
        rc = slds_table_status(*t);
    }
    return rc;
}

static int print_table(const slds_audit_report *r, slds_table *elements, const char *db,
                       FILE *out, slds_error *err)
{
    static const struct {
        slds_audit_category cat;
        const char *title;
    } sections[] = {
        {SLDS_AUDIT_VALIDITY, "Validity: rows rejected by the loads (table = file, check = reason)"},
        {SLDS_AUDIT_COMPLETENESS,
         "Completeness: blank values of columns that may be blank (% = share complete)"},
        {SLDS_AUDIT_CONSISTENCY, "Consistency across files (% = share failing)"},
        {SLDS_AUDIT_DUPLICATES, "Duplicates"},
        {SLDS_AUDIT_OUTLIERS, "Outliers: implausible values"}};
    enum { NSECTIONS = sizeof sections / sizeof sections[0] };
    slds_table *tables[NSECTIONS + 2] = {0};
    int rc = SLDS_OK;
    for (int i = 0; !rc && i < NSECTIONS; i++)
        rc = category_table(r, sections[i].cat, sections[i].title, &tables[i], err);
    rc = rc ? rc : district_table(r, &tables[NSECTIONS], err);
    tables[NSECTIONS + 1] = elements;
    if (!rc) {
        fputs("State data audit of ", out);
        slds_text_fputs(out, db);
        fputc('\n', out);
        rc = slds_tables_write(tables, NSECTIONS + 2, SLDS_FORMAT_TABLE, out, err);
    }
    if (!rc)
        fprintf(out, "\n(C)(1) score: %d of %d points (2 per element)\n", r->c1_score, r->c1_max);
    for (int i = 0; i < NSECTIONS + 1; i++)
        slds_table_free(tables[i]);
    return rc;
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
    int fmt = SLDS_FORMAT_TABLE;
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
            if (cli_parse_int(optarg, 0, 1000, &ao.max_examples))
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
    slds_table *findings, *elements;
    rc = slds_audit_tables(r, &findings, &elements, &err);
    if (!rc && fmt == SLDS_FORMAT_JSON)
        rc = print_json(r, findings, elements, stdout, &err);
    else if (!rc && fmt == SLDS_FORMAT_CSV)
        rc = print_csv(r, findings, elements, stdout, &err);
    else if (!rc)
        rc = print_table(r, elements, db, stdout, &err);
    if (!rc) {
        slds_table_free(findings);
        slds_table_free(elements);
    }
    slds_audit_report_free(r);
    return rc ? cli_error(&err) : 0;
}
