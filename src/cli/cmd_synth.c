/* cmd_synth.c - the `slds synth` subcommand (placeholder until its module lands). */
#include "cli/cli.h"

int cmd_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    slds_error err = {SLDS_ERR_USAGE, "'slds synth' is not built yet"};
    return cli_error(&err);
}
