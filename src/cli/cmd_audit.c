/* cmd_audit.c - the `slds audit` subcommand (placeholder until its module lands). */
#include "cli/cli.h"

int cmd_audit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    slds_error err = {SLDS_ERR_USAGE, "'slds audit' is not built yet"};
    return cli_error(&err);
}
