/* cli.h - what the subcommands of the `slds` tool share: the dispatch
 * signature, output formats, and the progress bar. Tables of results and their
 * rendering are the library's (src/table/table.h). The library does the work; this layer parses and prints. */
#ifndef SLDS_CLI_H
#define SLDS_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

/* Parses "table" | "csv" | "json" (and "html" when allow_html) into an
 * slds_format; returns -1 if unknown. */
int cli_parse_format(const char *s, bool allow_html);

/* Writes one table to stdout in fmt; on failure prints the error and returns
 * the exit status for it (0 when written). */
int cli_print_table(const slds_table *t, slds_format fmt);
/* Ends a command whose library call (status rc) made the table t: when rc
 * prints err, else writes t to stdout in fmt; frees t either way (NULL is
 * fine). Returns the exit status. */
int cli_print_table_free(slds_table *t, int rc, const slds_error *err, slds_format fmt);
/* The same for a page (HTML) the call wrote into b: written to stdout as it
 * is, b freed either way. */
int cli_print_page_free(slds_buf *b, int rc, const slds_error *err);

/* A progress bar on stderr when stderr is a terminal (and nothing otherwise). */
slds_progress cli_progress_stderr(void);
/* Ends a bar line if one was drawn. */
void cli_progress_done(void);

/* Prints "slds: message" to stderr and returns the exit status for it. */
int cli_error(const slds_error *err);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A subcommand of a command with several (growth run|show|..., growth baseline fit|...). */
typedef struct cli_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} cli_subcommand;
/* Runs the subcommand argv[1] of cmd with argv shifted by one; prints usage
 * (stdout for -h, --help or help, exit 0; stderr and exit 2 when argv[1] is
 * missing or unknown). */
int cli_run_subcommand(const char *cmd, const cli_subcommand *subs, size_t n, const char *usage,
                       int argc, char **argv);

/* True when argv[i] is -h or --help. */
bool cli_wants_help(int argc, char **argv);

/* Parses a whole number in [lo, hi] into out; -1 when s is not one. */
int cli_parse_int(const char *s, int lo, int hi, int *out);
/* Opens the database at path: as the writer (which migrates it) when writer,
 * else read-only (readers never write); on failure prints the error and
 * returns the exit status for it (0 when open). */
int cli_open_store(const char *path, slds_store **s, bool writer);
/* A computation that writes (growth run, baseline fit, ...) failed: prints
 * the error and "slds: WHAT failed, the database is unchanged"; returns the
 * exit status. */
int cli_write_failed(const slds_error *err, const char *what);

/* Subcommands: each lives in src/cli/cmd_<name>.c. argv[0] is the subcommand name. */
int cmd_synth(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_student(int argc, char **argv);
int cmd_growth(int argc, char **argv);
int cmd_growth_baseline(int argc, char **argv); /* slds growth baseline ... */
int cmd_contract(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_interventions(int argc, char **argv);
int cmd_educators(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_mastery(int argc, char **argv);
int cmd_warn(int argc, char **argv);
int cmd_ingest(int argc, char **argv);

#endif
