/* cmd_interventions.c - `slds interventions DB FILE`: stores the intervention
 * model (turnaround, restart, closure, transformation) assigned to each
 * persistently lowest-achieving school, from a CSV, for the lowest-achieving
 * report (docs/reports/lowest-achieving.md). The work is the library's
 * (slds_account_interventions_load). */
#include <string.h>

#include "account/account.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: slds interventions DB FILE\n"
    "\n"
    "Stores the intervention models of FILE (CSV with columns school_id, school_year,\n"
    "model: TURNAROUND, RESTART, CLOSURE or TRANSFORMATION) in the state database DB;\n"
    "a row for a school and year already stored replaces it. All rows or none.\n"
    "\n"
    "exit status: 0 stored, 1 error (a bad row: file, line, column and value), 2 usage.\n";

int cmd_interventions(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
        return cli_usage_error("interventions", "expected DB and FILE");
    slds_error err = {0};
    slds_store *s = NULL;
    size_t n = 0;
    int rc = slds_store_open_writer(&s, argv[1], 0, &err);
    if (!rc)
        rc = slds_account_interventions_load(s, argv[2], &n, &err);
    slds_store_close(s);
    if (rc)
        return cli_error(&err);
    printf("interventions: %zu rows stored\n", n);
    return 0;
}
