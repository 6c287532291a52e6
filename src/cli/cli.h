/* cli.h - what the subcommands of the `slds` tool share: the dispatch
 * signature, output formats (table, CSV, JSON), tables of results, and the
 * progress bar. The library does the work; this layer parses and prints. */
#ifndef SLDS_CLI_H
#define SLDS_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/core.h"

typedef enum { CLI_TABLE, CLI_CSV, CLI_JSON, CLI_HTML } cli_format;

/* Parses "table" | "csv" | "json" (and "html" when allow_html); returns -1 if unknown. */
int cli_parse_format(const char *s, bool allow_html);

/* A table of results: named columns, rows of cells. Cells are copied.
 * A cell marked numeric is printed bare in JSON; NULL cells are blank / null. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(int ncols, const char *const *names);
void cli_table_free(cli_table *t);
void cli_table_mark_numeric(cli_table *t, int col);
/* Adds a row of ncols cells (NULL allowed). Returns SLDS_OK or SLDS_ERR_NOMEM. */
int cli_table_add(cli_table *t, const char *const *cells);
/* Convenience: adds a row from printf-free varargs of const char * (ncols of them). */
int cli_table_addv(cli_table *t, ...);
int cli_table_rows(const cli_table *t);
/* Prints as an aligned text table, RFC 4180 CSV, or a JSON array of objects. */
void cli_table_print(const cli_table *t, cli_format fmt, FILE *out);
/* The table as a JSON array of objects (new reference). */
json_t *cli_table_json(const cli_table *t);

/* Writes an RFC 4180 field (quoted when needed). */
void cli_csv_field(FILE *out, const char *s);

/* A progress bar on stderr when stderr is a terminal (and nothing otherwise). */
slds_progress cli_progress_stderr(void);
/* Ends a bar line if one was drawn. */
void cli_progress_done(void);

/* Prints "slds: message" to stderr and returns the exit status for it. */
int cli_error(const slds_error *err);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when argv[i] is -h or --help. */
bool cli_wants_help(int argc, char **argv);

/* Subcommands: each lives in src/cli/cmd_<name>.c. argv[0] is the subcommand name. */
int cmd_synth(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_student(int argc, char **argv);
int cmd_growth(int argc, char **argv);
int cmd_contract(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_history(int argc, char **argv);

#endif
