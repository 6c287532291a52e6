/* cmd_load.c - `slds load DB DIR`: validate a collection folder and load it
 * into the state database in one transaction, then print rows read / loaded /
 * rejected per file. */
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ident/ident.h"
#include "ingest/load.h"

static const char usage[] =
    "usage: slds load DB DIR [--format table|csv|json] [--rejects FILE] [--report FILE]\n"
    "\n"
    "Validates every collection file in DIR (docs/contract.md) and loads it into the\n"
    "SQLite database DB (created if missing), in one transaction: the load lands whole\n"
    "or not at all. Prints rows read, loaded and rejected per file.\n"
    "\n"
    "Rejected rows are kept, with file, line, column, value and reason, in the table\n"
    "rejects and in a CSV file. A file that cannot be read as CSV at all (empty, binary,\n"
    "unterminated quote, missing required column) stops the load: nothing is written.\n"
    "\n"
    "options:\n"
    "  --format FMT     table (default), csv or json\n"
    "  --report FILE    also write the report to FILE; rejects.csv goes next to it\n"
    "  --rejects FILE   where to write the rejected rows (default: DB with .rejects.csv)\n"
    "  -h, --help       this help\n"
    "\n"
    "exit status: 0 loaded (rows may have been rejected), 1 the load failed, 2 usage.\n";

static json_t *report_json(const slds_load_result *r)
{
    json_t *files = json_array();
    for (int i = 0; i < r->nfiles; i++) {
        const slds_file_result *f = &r->files[i];
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:f}", "file", f->file, "read", (json_int_t)f->read,
                              "loaded", (json_int_t)f->loaded, "rejected", (json_int_t)f->rejected,
                              "seconds", f->seconds);
        if (f->extra_columns[0])
            json_object_set_new(o, "extra_columns_ignored", json_string(f->extra_columns));
        json_array_append_new(files, o);
    }
    json_t *missing = json_array();
    for (int i = 0; i < r->nmissing; i++)
        json_array_append_new(missing, json_string(r->missing[i]));
    return json_pack("{s:o, s:I, s:I, s:I, s:o, s:s, s:I, s:I, s:f}", "files", files, "read",
                     (json_int_t)r->read, "loaded", (json_int_t)r->loaded, "rejected",
                     (json_int_t)r->rejected, "missing_files", missing, "load_id", r->load_id,
                     "ids_assigned", (json_int_t)r->ids_assigned, "ids_matched",
                     (json_int_t)r->ids_matched, "seconds", r->seconds);
}

static int print_report(const slds_load_result *r, slds_format fmt, FILE *out)
{
    if (fmt == SLDS_FORMAT_JSON) {
        json_t *j = report_json(r);
        slds_json_write(j, out, NULL);
        return 0;
    }
    static const slds_column_spec cols[] = {{.name = "file", .type = SLDS_CELL_TEXT},
                                            {.name = "read", .type = SLDS_CELL_INTEGER},
                                            {.name = "loaded", .type = SLDS_CELL_INTEGER},
                                            {.name = "rejected", .type = SLDS_CELL_INTEGER},
                                            {.name = "note", .type = SLDS_CELL_TEXT}};
    slds_error err = {0};
    slds_table *t;
    if (slds_table_new(&t, "files", NULL, cols, 5, &err))
        return cli_error(&err);
    char note[600];
    for (int i = 0; i < r->nfiles; i++) {
        const slds_file_result *f = &r->files[i];
        note[0] = '\0';
        if (f->extra_columns[0])
            snprintf(note, sizeof note, "ignored columns: %s", f->extra_columns);
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, f->file, &err);
        slds_table_set_integer(t, 1, (long long)f->read, &err);
        slds_table_set_integer(t, 2, (long long)f->loaded, &err);
        slds_table_set_integer(t, 3, (long long)f->rejected, &err);
        slds_table_set_text(t, 4, note, &err);
    }
    if (fmt == SLDS_FORMAT_TABLE) {
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, "total", &err);
        slds_table_set_integer(t, 1, (long long)r->read, &err);
        slds_table_set_integer(t, 2, (long long)r->loaded, &err);
        slds_table_set_integer(t, 3, (long long)r->rejected, &err);
    }
    int status = slds_table_write(t, fmt, out, &err) ? cli_error(&err) : 0;
    slds_table_free(t);
    if (status)
        return status;
    if (fmt == SLDS_FORMAT_TABLE) {
        if (r->nmissing) {
            fprintf(out, "\nnot in the collection:");
            for (int i = 0; i < r->nmissing; i++)
                fprintf(out, " %s", r->missing[i]);
            fputc('\n', out);
        }
        fprintf(out, "\nstatewide ids: %lld assigned, %lld matched; load %s in %.2f s (%.0f rows/s)\n",
                (long long)r->ids_assigned, (long long)r->ids_matched, r->load_id, r->seconds,
                r->seconds > 0 ? (double)r->read / r->seconds : 0.0);
    }
    return 0;
}

int cmd_load(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"rejects", required_argument, NULL, 'r'},
                                            {"report", required_argument, NULL, 'o'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = SLDS_FORMAT_TABLE;
    const char *rejects = NULL, *report = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:r:o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("load", "unknown format '%s'", optarg);
            break;
        case 'r':
            rejects = optarg;
            break;
        case 'o':
            report = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_usage_error("load", "unknown option");
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("load", "expected DB and DIR");
    const char *db = argv[optind], *dir = argv[optind + 1];
    char rejects_default[4096];
    if (!rejects && report) {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", report);
        snprintf(rejects_default, sizeof rejects_default, "%s/rejects.csv", dirname(copy));
        rejects = rejects_default;
    } else if (!rejects) {
        size_t n = strlen(db);
        int stem = (int)(n > 3 && !strcmp(db + n - 3, ".db") ? n - 3 : n);
        snprintf(rejects_default, sizeof rejects_default, "%.*s.rejects.csv", stem, db);
        rejects = rejects_default;
    }
    slds_error err = {0};
    slds_store *store;
    /* The statewide-id key is made with the database (ident.h). */
    if (slds_store_open_writer(&store, db, SLDS_STORE_CREATE, &err) ||
        slds_ident_key_ensure(store, &err)) {
        slds_store_close(store);
        return cli_error(&err);
    }
    slds_progress progress = cli_progress_stderr();
    slds_load_options lo = {.rejects_path = rejects};
    slds_load_result *res = calloc(1, sizeof *res);
    int rc = res ? slds_load_collection(store, dir, &lo, &progress, res, &err)
                 : slds_fail(&err, SLDS_ERR_NOMEM, "out of memory");
    cli_progress_done();
    slds_store_close(store);
    if (rc) {
        free(res);
        int status = cli_error(&err);
        fprintf(stderr, "slds: load failed, the database is unchanged\n");
        return status;
    }
    int printed = print_report(res, (slds_format)fmt, stdout);
    if (!printed && report) {
        FILE *out = fopen(report, "w");
        if (!out) {
            free(res);
            slds_fail(&err, SLDS_ERR_IO, "%s: cannot write the report", report);
            return cli_error(&err);
        }
        printed = print_report(res, (slds_format)fmt, out);
        fclose(out);
    }
    if (res->rejected)
        fprintf(stderr, "slds: %lld rows rejected, listed in %s\n", (long long)res->rejected, rejects);
    free(res);
    return printed;
}
