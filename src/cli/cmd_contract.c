/* cmd_contract.c - `slds contract`: prints the data contract as implemented
 * (files, columns, types, codes, natural keys), from the same table the loader
 * validates with; docs/contract.md embeds its markdown output. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/contract.h"

static const char usage[] =
    "usage: slds contract [FILE] [--format table|csv|json|markdown]\n"
    "       slds contract --rules [--format table|csv|json|markdown]\n"
    "\n"
    "Prints the collection files the loader accepts: every column with its type,\n"
    "whether it may be blank, its codes or range, and each file's natural key.\n"
    "FILE (e.g. enrollments.csv) limits the output to one file.\n"
    "\n"
    "With --rules: every rule the loader checks, with its id, the files it applies\n"
    "to, its default severity (reject or warn) and whether it protects storage\n"
    "(such a rule cannot be lowered to warn by slds load --rules).\n";

static const char *type_name(const slds_column_def *c, char *buf, size_t size)
{
    switch (c->type) {
    case SLDS_COL_ID:
        return "id";
    case SLDS_COL_TEXT:
        return "text";
    case SLDS_COL_CODE: {
        size_t w = (size_t)snprintf(buf, size, "code:");
        for (int i = 0; c->codes[i] && w < size; i++)
            w += (size_t)snprintf(buf + w, size - w, "%s%s", i ? ", " : " ", c->codes[i]);
        return buf;
    }
    case SLDS_COL_SUBJECT:
        return "upper-case code";
    case SLDS_COL_INT:
        snprintf(buf, size, "integer %g..%g", c->min, c->max);
        return buf;
    case SLDS_COL_NUM:
        snprintf(buf, size, "number %g..%g", c->min, c->max);
        return buf;
    case SLDS_COL_DATE:
        return "date YYYY-MM-DD";
    case SLDS_COL_DATETIME:
        return "date-time (ISO 8601)";
    case SLDS_COL_YN:
        return "Y or N";
    case SLDS_COL_YEAR:
        return "school year";
    case SLDS_COL_GRADE:
        return "grade PK, KG, 01..12";
    }
    return "?";
}

static void print_markdown(const slds_file_def *files, int n, const char *only)
{
    char buf[512];
    for (int f = 0; f < n; f++) {
        const slds_file_def *d = &files[f];
        if (only && strcmp(only, d->file))
            continue;
        printf("### `%s`\n\nOne row per %s. Table `%s`; natural key: (%s).\n\n", d->file, d->row_doc,
               d->table, d->natural_key);
        printf("| column | type | blank allowed | meaning |\n|---|---|---|---|\n");
        for (int c = 0; c < d->ncolumns; c++) {
            const slds_column_def *col = &d->columns[c];
            printf("| `%s` | %s | %s | %s |\n", col->name, type_name(col, buf, sizeof buf),
                   col->required ? "no" : "yes", col->doc);
        }
        printf("\n");
    }
}

static int print_rules(slds_format fmt, bool markdown)
{
    int n;
    const slds_rule_def *rules = slds_rules(&n);
    if (markdown) {
        printf("| rule | files | default | protects storage | checks that |\n|---|---|---|---|---|\n");
        for (int i = 0; i < n; i++)
            printf("| `%s` | %s | %s | %s | %s |\n", rules[i].id, rules[i].files,
                   slds_severity_name(rules[i].severity), rules[i].storage ? "yes" : "no", rules[i].message);
        return 0;
    }
    static const slds_column_spec cols[] = {
        {.name = "rule", .type = SLDS_CELL_TEXT},     {.name = "files", .type = SLDS_CELL_TEXT},
        {.name = "severity", .type = SLDS_CELL_TEXT}, {.name = "storage", .type = SLDS_CELL_TEXT},
        {.name = "checks_that", .type = SLDS_CELL_TEXT}};
    slds_error err = {0};
    slds_table *t;
    if (slds_table_new(&t, "rules", NULL, cols, 5, &err))
        return cli_error(&err);
    for (int i = 0; i < n; i++) {
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, rules[i].id, &err);
        slds_table_set_text(t, 1, rules[i].files, &err);
        slds_table_set_text(t, 2, slds_severity_name(rules[i].severity), &err);
        slds_table_set_text(t, 3, rules[i].storage ? "yes" : "no", &err);
        slds_table_set_text(t, 4, rules[i].message, &err);
    }
    int status = cli_print_table(t, fmt);
    slds_table_free(t);
    return status;
}

int cmd_contract(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"rules", no_argument, NULL, 'r'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = SLDS_FORMAT_TABLE;
    bool markdown = false, rules = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:rh", options, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (opt == 'r') {
            rules = true;
            continue;
        }
        if (opt != 'f')
            return cli_usage_error("contract", "unknown option");
        markdown = !strcmp(optarg, "markdown");
        if (!markdown && (fmt = cli_parse_format(optarg, false)) < 0)
            return cli_usage_error("contract", "unknown format '%s'", optarg);
    }
    if (rules) {
        if (optind < argc)
            return cli_usage_error("contract", "--rules takes no FILE");
        return print_rules((slds_format)fmt, markdown);
    }
    const char *only = optind < argc ? argv[optind] : NULL;
    int n;
    const slds_file_def *files = slds_contract_files(&n);
    if (only && !slds_contract_find(only))
        return cli_usage_error("contract", "'%s' is not a collection file", only);
    if (markdown) {
        print_markdown(files, n, only);
        return 0;
    }
    static const slds_column_spec cols[] = {
        {.name = "file", .type = SLDS_CELL_TEXT},          {.name = "column", .type = SLDS_CELL_TEXT},
        {.name = "type", .type = SLDS_CELL_TEXT},          {.name = "blank_allowed", .type = SLDS_CELL_TEXT},
        {.name = "natural_key", .type = SLDS_CELL_TEXT},   {.name = "meaning", .type = SLDS_CELL_TEXT}};
    slds_error err = {0};
    slds_table *t;
    if (slds_table_new(&t, "contract", NULL, cols, 6, &err))
        return cli_error(&err);
    char buf[512];
    for (int f = 0; f < n; f++) {
        if (only && strcmp(only, files[f].file))
            continue;
        for (int c = 0; c < files[f].ncolumns; c++) {
            const slds_column_def *col = &files[f].columns[c];
            slds_table_add_row(t, &err);
            slds_table_set_text(t, 0, files[f].file, &err);
            slds_table_set_text(t, 1, col->name, &err);
            slds_table_set_text(t, 2, type_name(col, buf, sizeof buf), &err);
            slds_table_set_text(t, 3, col->required ? "no" : "yes", &err);
            slds_table_set_text(t, 4, files[f].natural_key, &err);
            slds_table_set_text(t, 5, col->doc, &err);
        }
    }
    int status = cli_print_table(t, (slds_format)fmt);
    slds_table_free(t);
    return status;
}
