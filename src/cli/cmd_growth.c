/* cmd_growth.c - the `slds growth` subcommand (placeholder until its module lands). */
#include "cli/cli.h"

int cmd_growth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    slds_error err = {SLDS_ERR_USAGE, "'slds growth' is not built yet"};
    return cli_error(&err);
}
