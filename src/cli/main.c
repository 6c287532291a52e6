/* main.c - entry point of the `slds` tool: finds the subcommand and hands it
 * the rest of the arguments (git style: one file per subcommand). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"synth", cmd_synth, "write a synthetic state's collection (with its ground truth)"},
    {"load", cmd_load, "validate a collection folder and load it into a state database"},
    {"ingest", cmd_ingest, "append results and item responses as they arrive, committed batch by batch"},
    {"audit", cmd_audit, "data-quality report and America COMPETES element coverage"},
    {"student", cmd_student, "one student's longitudinal record"},
    {"growth", cmd_growth, "student growth percentiles, growth targets, grade-level gains"},
    {"educators", cmd_educators, "educator value-added, growth of their students, ratings"},
    {"mastery", cmd_mastery, "mastery of standards (BKT), next steps, learning plans"},
    {"report", cmd_report, "run a report of the registry (--list), optionally in public form"},
    {"interventions", cmd_interventions, "store the intervention models of lowest-achieving schools"},
    {"convert", cmd_convert, "convert other layouts (the SGP package's LONG data) into a collection"},
    {"contract", cmd_contract, "the collection files, columns and codes the loader accepts"},
    {"extract", cmd_extract, "a de-identified, k-anonymous extract for a researcher, with its data-use record"},
    {"history", cmd_history, "what loads changed in a student's stored record, when, by which load"},
    {"user", cmd_user, "accounts of the web server: add, passwd, disable, list, log"},
    {"serve", cmd_serve, "HTTP server: JSON API and pages for every role (docs/web.md)"},
    {"warn", cmd_warn, "early warning: ABC flags with reasons, calibrated risks, held-out evaluation"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: slds COMMAND [ARGS]   (slds COMMAND --help for each)\n\n"
                 "A statewide longitudinal education data system.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("slds 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "slds: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
