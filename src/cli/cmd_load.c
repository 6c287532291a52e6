/* cmd_load.c - `slds load DB DIR`: validate a collection folder and load it
 * into the state database in one transaction, then print rows read / loaded /
 * rejected per file. */
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>

#include "cli/cli.h"
#include "ident/ident.h"
#include "ingest/load.h"

static const char usage[] =
    "usage: slds load DB DIR [--format table|csv|json] [--rejects FILE] [--findings FILE]\n"
    "                        [--report FILE] [--rules FILE] [--replace lea=ID[,year=YYYY]]\n"
    "\n"
    "Validates every collection file in DIR (docs/contract.md) and loads it into the\n"
    "SQLite database DB (created if missing), in one transaction: the load lands whole\n"
    "or not at all. Prints rows read, loaded, rejected and warned per file, and per rule.\n"
    "\n"
    "Every check is a rule with an id and a severity (slds contract --rules): a row that\n"
    "breaks a reject rule is not loaded; a row that breaks only warn rules is loaded and\n"
    "each finding kept. Rejects and findings are kept with file, line, column, value and\n"
    "rule in the tables rejects and findings and in two CSV files. A file that cannot be\n"
    "read as CSV at all (empty, binary, unterminated quote, missing required column) stops\n"
    "the load: nothing is written.\n"
    "\n"
    "options:\n"
    "  --format FMT       table (default), csv or json\n"
    "  --report FILE      also write the report to FILE; rejects.csv and findings.csv go next to it\n"
    "  --rejects FILE     where to write the rejected rows (default: DB with .rejects.csv)\n"
    "  --findings FILE    where to write the findings (default: beside the rejects, findings.csv)\n"
    "  --rules FILE       severities for this load: CSV `rule,severity` or JSON; a rule that\n"
    "                     protects storage cannot be lowered to warn\n"
    "  --replace SCOPE    lea=ID[,year=YYYY]: also delete the stored rows of that district (and\n"
    "                     year) that the files in DIR no longer contain (docs/load.md)\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 loaded (rows may have been rejected), 1 the load failed, 2 usage.\n";

static json_t *report_json(const slds_load_result *r)
{
    json_t *files = json_array();
    for (int i = 0; i < r->nfiles; i++) {
        const slds_file_result *f = &r->files[i];
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:f}", "file", f->file, "read",
                              (json_int_t)f->read, "loaded", (json_int_t)f->loaded, "rejected",
                              (json_int_t)f->rejected, "warned", (json_int_t)f->warned, "deleted",
                              (json_int_t)f->deleted, "seconds", f->seconds);
        if (f->extra_columns[0])
            json_object_set_new(o, "extra_columns_ignored", json_string(f->extra_columns));
        json_array_append_new(files, o);
    }
    json_t *missing = json_array();
    for (int i = 0; i < r->nmissing; i++)
        json_array_append_new(missing, json_string(r->missing[i]));
    json_t *rules = json_array();
    int n;
    const slds_rule_def *defs = slds_rules(&n);
    for (int i = 0; i < n; i++)
        if (r->rule_rejected[i] || r->rule_warned[i])
            json_array_append_new(rules, json_pack("{s:s, s:I, s:I}", "rule", defs[i].id, "rejected",
                                                   (json_int_t)r->rule_rejected[i], "warned",
                                                   (json_int_t)r->rule_warned[i]));
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:I, s:I, s:I, s:f}", "files", files,
                     "read", (json_int_t)r->read, "loaded", (json_int_t)r->loaded, "rejected",
                     (json_int_t)r->rejected, "warned", (json_int_t)r->warned, "deleted",
                     (json_int_t)r->deleted, "rules", rules, "missing_files", missing, "load_id",
                     r->load_id, "ids_assigned", (json_int_t)r->ids_assigned, "ids_matched",
                     (json_int_t)r->ids_matched, "history_rows", (json_int_t)r->history_rows, "seconds",
                     r->seconds);
}

static int print_report(const slds_load_result *r, slds_format fmt, bool replace, FILE *out)
{
    slds_error err = {0};
    if (fmt == SLDS_FORMAT_JSON) {
        json_t *j = report_json(r);
        int rc = slds_json_write(j, out, &err);
        return rc ? cli_error(&err) : 0;
    }
    static const slds_column_spec all[] = {{.name = "file", .type = SLDS_CELL_TEXT},
                                           {.name = "read", .type = SLDS_CELL_INTEGER},
                                           {.name = "loaded", .type = SLDS_CELL_INTEGER},
                                           {.name = "rejected", .type = SLDS_CELL_INTEGER},
                                           {.name = "warned", .type = SLDS_CELL_INTEGER},
                                           {.name = "deleted", .type = SLDS_CELL_INTEGER},
                                           {.name = "note", .type = SLDS_CELL_TEXT}};
    slds_column_spec cols[7];
    int ncols = 0;
    for (int i = 0; i < 7; i++)
        if (replace || i != 5)
            cols[ncols++] = all[i];
    slds_table *t;
    if (slds_table_new(&t, "files", NULL, cols, ncols, &err))
        return cli_error(&err);
    char note[600];
    for (int i = 0; i <= r->nfiles; i++) {
        bool total = i == r->nfiles;
        if (total && fmt != SLDS_FORMAT_TABLE)
            break;
        const slds_file_result *f = total ? NULL : &r->files[i];
        note[0] = '\0';
        if (!total && f->extra_columns[0])
            snprintf(note, sizeof note, "ignored columns: %s", f->extra_columns);
        int c = 0;
        slds_table_add_row(t, &err);
        slds_table_set_text(t, c++, total ? "total" : f->file, &err);
        slds_table_set_integer(t, c++, (long long)(total ? r->read : f->read), &err);
        slds_table_set_integer(t, c++, (long long)(total ? r->loaded : f->loaded), &err);
        slds_table_set_integer(t, c++, (long long)(total ? r->rejected : f->rejected), &err);
        slds_table_set_integer(t, c++, (long long)(total ? r->warned : f->warned), &err);
        if (replace)
            slds_table_set_integer(t, c++, (long long)(total ? r->deleted : f->deleted), &err);
        slds_table_set_text(t, c, note, &err);
    }
    int status = slds_table_write(t, fmt, out, &err) ? cli_error(&err) : 0;
    slds_table_free(t);
    if (status)
        return status;
    if (fmt == SLDS_FORMAT_TABLE) {
        int n;
        const slds_rule_def *defs = slds_rules(&n);
        bool any = false;
        for (int i = 0; i < n; i++) {
            if (!r->rule_rejected[i] && !r->rule_warned[i])
                continue;
            if (!any)
                fprintf(out, "\nby rule:\n");
            any = true;
            fprintf(out, "  %-28s %10lld rejected %10lld warned\n", defs[i].id, (long long)r->rule_rejected[i],
                    (long long)r->rule_warned[i]);
        }
        if (r->nmissing) {
            fprintf(out, "\nnot in the collection:");
            for (int i = 0; i < r->nmissing; i++)
                fprintf(out, " %s", r->missing[i]);
            fputc('\n', out);
        }
        fprintf(out, "\nstatewide ids: %lld assigned, %lld matched; load %s in %.2f s (%.0f rows/s)\n",
                (long long)r->ids_assigned, (long long)r->ids_matched, r->load_id, r->seconds,
                r->seconds > 0 ? (double)r->read / r->seconds : 0.0);
        if (r->history_rows)
            fprintf(out, "change history: %lld stored rows replaced or deleted (slds history)\n",
                    (long long)r->history_rows);
    }
    return ferror(out) ? 1 : 0;
}

/* lea=ID[,year=YYYY] */
static int parse_replace(const char *arg, char *lea, size_t size, int *year)
{
    *year = 0;
    if (strncmp(arg, "lea=", 4))
        return -1;
    const char *comma = strchr(arg, ',');
    size_t n = comma ? (size_t)(comma - arg - 4) : strlen(arg + 4);
    if (n == 0 || n >= size)
        return -1;
    memcpy(lea, arg + 4, n);
    lea[n] = '\0';
    if (comma) {
        char *end;
        if (strncmp(comma + 1, "year=", 5))
            return -1;
        long y = strtol(comma + 6, &end, 10);
        if (*end || y < 1990 || y > 2100)
            return -1;
        *year = (int)y;
    }
    return 0;
}

/* findings.csv beside the rejects: x.rejects.csv -> x.findings.csv, dir/r.csv -> dir/findings.csv */
static void findings_beside(const char *rejects, char *out, size_t size)
{
    size_t n = strlen(rejects);
    if (n >= 11 && !strcmp(rejects + n - 11, "rejects.csv")) {
        snprintf(out, size, "%.*sfindings.csv", (int)(n - 11), rejects);
        return;
    }
    const char *slash = strrchr(rejects, '/');
    if (slash)
        snprintf(out, size, "%.*s/findings.csv", (int)(slash - rejects), rejects);
    else
        snprintf(out, size, "findings.csv");
}

int cmd_load(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"rejects", required_argument, NULL, 'r'},
                                            {"findings", required_argument, NULL, 'w'},
                                            {"report", required_argument, NULL, 'o'},
                                            {"rules", required_argument, NULL, 'R'},
                                            {"replace", required_argument, NULL, 'X'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = SLDS_FORMAT_TABLE;
    const char *rejects = NULL, *report = NULL, *findings = NULL, *rules = NULL, *replace = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:r:w:o:R:X:h", options, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("load", "unknown format '%s'", optarg);
            break;
        case 'r':
            rejects = optarg;
            break;
        case 'w':
            findings = optarg;
            break;
        case 'o':
            report = optarg;
            break;
        case 'R':
            rules = optarg;
            break;
        case 'X':
            replace = optarg;
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
    char lea[128];
    int year = 0;
    if (replace && parse_replace(replace, lea, sizeof lea, &year))
        return cli_usage_error("load", "--replace expects lea=ID or lea=ID,year=YYYY, not '%s'", replace);
    char rejects_default[4096], findings_default[4096];
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
    if (!findings) {
        findings_beside(rejects, findings_default, sizeof findings_default);
        findings = findings_default;
    }
    slds_error err = {0};
    /* Everything that can be checked is checked before the database is
     * opened (and so perhaps created): the folder, the rules, every output. */
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        slds_fail(&err, SLDS_ERR_IO, "%s: not a folder", dir);
        return cli_error(&err);
    }
    slds_severity sev[SLDS_RULE_COUNT];
    slds_load_default_rules(sev);
    if (rules && slds_load_read_rules(rules, sev, &err))
        return cli_error(&err);
    if (slds_load_check_output(rejects, &err) || slds_load_check_output(findings, &err) ||
        (report && slds_load_check_output(report, &err)))
        return cli_error(&err);
    slds_store *store;
    /* The statewide-id key is made with the database (ident.h). */
    if (slds_store_open_writer(&store, db, SLDS_STORE_CREATE | SLDS_STORE_STAGE_NEW, &err) ||
        slds_ident_key_ensure(store, &err)) {
        slds_store_close(store);
        return cli_error(&err);
    }
    slds_progress progress = cli_progress_stderr();
    slds_load_options lo = {.rejects_path = rejects,
                            .findings_path = findings,
                            .severity = sev,
                            .replace_lea = replace ? lea : NULL,
                            .replace_year = year};
    slds_load_result *res = calloc(1, sizeof *res);
    int rc = res ? slds_load_collection(store, dir, &lo, &progress, res, &err)
                 : slds_fail(&err, SLDS_ERR_NOMEM, "out of memory");
    cli_progress_done();
    slds_store_close(store);
    if (rc) {
        bool committed = res && res->committed;
        free(res);
        if (!committed)
            return cli_write_failed(&err, "load");
        int status = cli_error(&err);
        fprintf(stderr, "slds: the load was committed to the database; only writing this file failed\n");
        return status;
    }
    int status = print_report(res, (slds_format)fmt, replace != NULL, stdout);
    if (!status && report) {
        FILE *out = fopen(report, "w");
        bool ok = out && print_report(res, (slds_format)fmt, replace != NULL, out) == 0;
        if (out && fclose(out) != 0)
            ok = false;
        if (!ok) {
            slds_fail(&err, SLDS_ERR_IO, "%s: cannot write the report: %s (the load was committed)", report,
                      strerror(errno));
            status = cli_error(&err);
        }
    }
    if (res->rejected)
        fprintf(stderr, "slds: %lld rows rejected, listed in %s\n", (long long)res->rejected, rejects);
    if (res->warned)
        fprintf(stderr, "slds: %lld rows loaded with findings, listed in %s\n", (long long)res->warned, findings);
    free(res);
    return status;
}
