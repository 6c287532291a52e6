/* cmd_extract.c - `slds extract DB --spec FILE OUT`: a de-identified,
 * k-anonymous extract for a researcher, with its data-use record kept in the
 * database; `slds extract DB --list`: those records. The work is the
 * library's (src/extract). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "extract/extract.h"

static const char usage[] =
    "usage: slds extract DB --spec FILE OUT [--format table|csv|json]\n"
    "       slds extract DB --list [--format table|csv|json]\n"
    "\n"
    "Writes into the new folder OUT one CSV file per table the spec names, with the\n"
    "columns and school years it names, de-identified (docs/extract.md):\n"
    "  - each student id replaced by a pseudonym drawn for this extract alone (two\n"
    "    extracts can't be joined on them); staff and section ids likewise;\n"
    "  - names and birth dates never extractable;\n"
    "  - quasi-identifiers (sex, race, program flags, school, district, grade, dates)\n"
    "    coarsened until every student's combination of them is shared by at least k\n"
    "    students (default 10), and the students still alone suppressed;\n"
    "and keeps the data-use record (who, why, when, what) in DB. OUT/extract.json\n"
    "describes the extract. --list prints the data-use records.\n"
    "\n"
    "options:\n"
    "  --spec FILE    the request: requester, purpose, k, years, tables and columns (JSON)\n"
    "  --list         the data-use records of the extracts made from DB\n"
    "  --format FMT   table (default), csv or json, for the summary or the list\n"
    "  -h, --help     this help\n"
    "\n"
    "exit status: 0 written, 1 error (nothing recorded, OUT removed), 2 usage.\n";

static int list_records(const char *db, slds_format fmt)
{
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, db, &err))
        return cli_error(&err);
    slds_table *t = NULL;
    int rc = slds_extract_records(s, &t, &err);
    slds_store_close(s);
    return cli_print_table_free(t, rc, &err, fmt);
}

static int print_summary(const slds_extract_result *r, const char *out_dir, slds_format fmt)
{
    slds_error err = {0};
    if (fmt == SLDS_FORMAT_JSON) {
        json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "extract_id",
                              r->extract_id, "out", out_dir, "students_selected",
                              (json_int_t)r->students_selected, "students_written",
                              (json_int_t)r->students_written, "students_suppressed",
                              (json_int_t)r->students_suppressed, "rows_selected",
                              (json_int_t)r->rows_selected, "rows_written",
                              (json_int_t)r->rows_written, "files", slds_table_json(r->files),
                              "generalizations", slds_table_json(r->generalizations));
        return slds_json_write(j, stdout, &err) ? cli_error(&err) : 0;
    }
    if (fmt == SLDS_FORMAT_TABLE)
        printf("extract %s written to %s: %zu students (%zu suppressed of %zu), %zu rows\n",
               r->extract_id, out_dir, r->students_written, r->students_suppressed,
               r->students_selected, r->rows_written);
    slds_table *const tables[] = {r->files, r->generalizations};
    return slds_tables_write(tables, 2, fmt, stdout, &err) ? cli_error(&err) : 0;
}

int cmd_extract(int argc, char **argv)
{
    static const struct option options[] = {{"spec", required_argument, NULL, 's'},
                                            {"list", no_argument, NULL, 'l'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = SLDS_FORMAT_TABLE, opt;
    const char *spec_path = NULL;
    bool list = false;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "s:lf:h", options, NULL)) != -1) {
        switch (opt) {
        case 's':
            spec_path = optarg;
            break;
        case 'l':
            list = true;
            break;
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("extract", "unknown format '%s'", optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_usage_error("extract", "unknown option");
        }
    }
    if (list) {
        if (argc - optind != 1 || spec_path)
            return cli_usage_error("extract", "--list takes DB only");
        return list_records(argv[optind], (slds_format)fmt);
    }
    if (argc - optind != 2 || !spec_path)
        return cli_usage_error("extract", "expected DB, --spec FILE and OUT");
    const char *db = argv[optind], *out_dir = argv[optind + 1];
    slds_error err = {0};
    slds_extract_spec spec;
    if (slds_extract_spec_read(&spec, spec_path, &err))
        return cli_error(&err);
    slds_store *s = NULL;
    slds_extract_result result = {0};
    slds_progress progress = cli_progress_stderr();
    int rc = slds_store_open_writer(&s, db, 0, &err);
    if (!rc)
        rc = slds_extract_run(s, &spec, out_dir, &result, &progress, &err);
    cli_progress_done();
    slds_store_close(s);
    slds_extract_spec_free(&spec);
    int status = rc ? cli_error(&err) : print_summary(&result, out_dir, (slds_format)fmt);
    slds_extract_result_free(&result);
    return status;
}
