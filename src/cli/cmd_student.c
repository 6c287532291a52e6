/* cmd_student.c - the `slds student` subcommand (placeholder until its module lands). */
#include "cli/cli.h"

int cmd_student(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    slds_error err = {SLDS_ERR_USAGE, "'slds student' is not built yet"};
    return cli_error(&err);
}
