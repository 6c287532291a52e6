/* cmd_convert.c - `slds convert sgp-long`: turns the SGP package's LONG layout
 * (and its instructor links) into a collection folder for `slds load`. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "convert/convert.h"

static const char usage[] =
    "usage: slds convert sgp-long LONG.csv[.gz] OUT_DIR [--instructors FILE.csv[.gz]]\n"
    "                            [--format table|csv|json]\n"
    "\n"
    "Converts data in the layout of the SGP package's sgpData_LONG (one row per\n"
    "student x subject x year: VALID_CASE, CONTENT_AREA, YEAR, ID, GRADE, SCALE_SCORE, ...)\n"
    "into a collection folder (docs/contract.md): districts, schools, students (the ID\n"
    "becomes the statewide id), enrollments, attributes and STATE assessments, keeping\n"
    "the subject codes as they are (READING, MATHEMATICS). With --instructors (the layout\n"
    "of sgpData_INSTRUCTOR_NUMBER), also staff, assignments and rosters (the\n"
    "INSTRUCTOR_WEIGHT is the dosage). Defaults for what LONG does not say: docs/convert.md.\n";

int cmd_convert(int argc, char **argv)
{
    static const struct option options[] = {{"instructors", required_argument, NULL, 'i'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *instructors = NULL;
    int fmt = SLDS_FORMAT_TABLE, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "i:f:h", options, NULL)) != -1) {
        switch (opt) {
        case 'i':
            instructors = optarg;
            break;
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("convert", "unknown format '%s'", optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_usage_error("convert", "unknown option");
        }
    }
    if (argc - optind != 3 || strcmp(argv[optind], "sgp-long"))
        return cli_usage_error("convert", "expected: sgp-long LONG.csv OUT_DIR");
    slds_sgp_convert_options co = {.long_path = argv[optind + 1],
                                   .out_dir = argv[optind + 2],
                                   .instructors_path = instructors};
    slds_convert_result res;
    slds_error err = {0};
    slds_progress progress = cli_progress_stderr();
    int rc = slds_convert_sgp_long(&co, &progress, &res, &err);
    cli_progress_done();
    if (rc)
        return cli_error(&err);
    static const slds_column_spec cols[] = {{.name = "file", .type = SLDS_CELL_TEXT},
                                            {.name = "rows", .type = SLDS_CELL_INTEGER}};
    slds_table *t;
    if (slds_table_new(&t, "files", NULL, cols, 2, &err))
        return cli_error(&err);
    for (int i = 0; i < res.nfiles; i++) {
        slds_table_add_row(t, &err);
        slds_table_set_text(t, 0, res.file[i], &err);
        slds_table_set_integer(t, 1, (long long)res.rows[i], &err);
    }
    int status = cli_print_table(t, (slds_format)fmt);
    slds_table_free(t);
    if (status)
        return status;
    fprintf(stderr, "slds convert: %lld input rows, %lld skipped (not VALID_CASE or unusable)\n",
            (long long)res.input_rows, (long long)res.skipped_rows);
    return 0;
}
