/* cmd_history.c - `slds history DB --student ID`: what the loads changed in a
 * student's record (each replaced or deleted row, with its old values, when
 * and by which load), from the change history the loader keeps. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/load.h"

static const char usage[] =
    "usage: slds history DB --student ID [--format table|csv|json]\n"
    "\n"
    "Lists every change that loads made to the stored rows of one student: a row\n"
    "replaced by a corrected one, or deleted by `slds load --replace`. Each line gives\n"
    "when, which load (its id and folder), the table, the change and the old row's\n"
    "values. A first load into an empty database changes nothing and is not listed.\n"
    "\n"
    "options:\n"
    "  --student ID   the statewide student id\n"
    "  --format FMT   table (default), csv or json\n"
    "  -h, --help     this help\n";

int cmd_history(int argc, char **argv)
{
    static const struct option options[] = {{"student", required_argument, NULL, 's'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = SLDS_FORMAT_TABLE, opt;
    const char *student = NULL;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "s:f:h", options, NULL)) != -1) {
        switch (opt) {
        case 's':
            student = optarg;
            break;
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("history", "unknown format '%s'", optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_usage_error("history", "unknown option");
        }
    }
    if (argc - optind != 1 || !student)
        return cli_usage_error("history", "expected DB and --student ID");
    slds_error err = {0};
    slds_store *store;
    if (slds_store_open_readonly(&store, argv[optind], &err))
        return cli_error(&err);
    slds_history_entry *e;
    size_t n;
    int rc = slds_history_student(store, student, &e, &n, &err);
    slds_store_close(store);
    if (rc)
        return cli_error(&err);
    static const slds_column_spec cols[] = {
        {.name = "changed_at", .type = SLDS_CELL_TEXT}, {.name = "load_id", .type = SLDS_CELL_TEXT},
        {.name = "source_dir", .type = SLDS_CELL_TEXT}, {.name = "table", .type = SLDS_CELL_TEXT},
        {.name = "change", .type = SLDS_CELL_TEXT},     {.name = "old_row", .type = SLDS_CELL_TEXT}};
    slds_table *t;
    if (slds_table_new(&t, "history", NULL, cols, 6, &err)) {
        slds_history_free(e, n);
        return cli_error(&err);
    }
    for (size_t i = 0; i < n; i++) {
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, e[i].changed_at, &err);
        slds_table_set_text(t, 1, e[i].load_id, &err);
        slds_table_set_text(t, 2, e[i].source_dir, &err);
        slds_table_set_text(t, 3, e[i].table, &err);
        slds_table_set_text(t, 4, e[i].change, &err);
        slds_table_set_text(t, 5, e[i].old_row, &err);
    }
    int status = cli_print_table(t, (slds_format)fmt);
    slds_table_free(t);
    if (!status && fmt == SLDS_FORMAT_TABLE && n == 0)
        printf("no stored row of student %s was changed by a load\n", student);
    slds_history_free(e, n);
    return status;
}
