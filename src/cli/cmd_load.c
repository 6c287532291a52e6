/* cmd_load.c - the `slds load` subcommand (placeholder until its module lands). */
#include "cli/cli.h"

int cmd_load(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    slds_error err = {SLDS_ERR_USAGE, "'slds load' is not built yet"};
    return cli_error(&err);
}
