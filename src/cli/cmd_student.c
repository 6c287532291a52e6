/* cmd_student.c - `slds student DB STUDENT_ID`: one student's longitudinal
 * record across years, schools and districts, by statewide id: its sections
 * (result tables, src/table) as text, CSV or one JSON object. Never prints a name or a birth date: the record
 * (src/record) does not carry them. See docs/student.md. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "record/record.h"

static const char usage[] =
    "usage: slds student DB STUDENT_ID [--format table|csv|json] [--section NAME]\n"
    "\n"
    "Prints the longitudinal record of one student, by statewide id: district records\n"
    "(local ids), enrollments (year, school, district, grade, entry/exit dates and\n"
    "codes), attributes by year, tests (state, interim, college readiness, not-tested\n"
    "reasons), courses (credits, marks), attendance, discipline, postsecondary, and\n"
    "teachers (rosters with dosage). Names and birth dates are never shown.\n"
    "\n"
    "options:\n"
    "  --format FMT     table (default): one section per kind of record;\n"
    "                   csv: each section's header and rows, a blank line between;\n"
    "                   json: one object {\"student_id\", \"sex\", \"<section>\": [rows]...}\n"
    "  --section NAME   only this section: districts, enrollments, attributes, tests,\n"
    "                   courses, attendance, discipline, postsecondary, teachers\n"
    "  -h, --help       this help\n"
    "\n"
    "exit status: 0 printed, 1 unknown student or other error, 2 usage.\n";

static int print_record(const slds_record *rec, slds_table *const *sections, size_t n,
                        slds_format fmt, FILE *out, slds_error *err)
{
    if (fmt == SLDS_FORMAT_JSON) {
        json_t *root = json_object();
        json_object_set_new(root, "student_id", json_string(rec->student_id));
        json_object_set_new(root, "sex", rec->sex ? json_string(rec->sex) : json_null());
        for (size_t i = 0; i < n; i++) {
            json_t *rows = slds_table_json(sections[i]);
            if (!rows) {
                json_decref(root);
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            }
            json_object_set_new(root, slds_table_name(sections[i]), rows);
        }
        return slds_json_write(root, out, err);
    }
    if (fmt == SLDS_FORMAT_TABLE) {
        fputs("Student ", out);
        slds_text_fputs(out, rec->student_id);
        fputs(" (sex ", out);
        slds_text_fputs(out, rec->sex ? rec->sex : "unknown");
        fputs(")\n", out);
    }
    return slds_tables_write(sections, n, fmt, out, err);
}

int cmd_student(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"section", required_argument, NULL, 's'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = SLDS_FORMAT_TABLE;
    const char *section = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:s:h", options, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                return cli_usage_error("student", "unknown format '%s' (table, csv or json)", optarg);
            break;
        case 's': section = optarg; break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_usage_error("student", "unknown option");
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("student", "expected DB and STUDENT_ID");
    const char *db = argv[optind], *student_id = argv[optind + 1];
    slds_error err = {0};
    slds_store *store;
    if (slds_store_open_readonly(&store, db, &err))
        return cli_error(&err);
    slds_record *rec = NULL;
    int rc = slds_record_get(store, student_id, &rec, &err);
    slds_store_close(store);
    if (rc)
        return cli_error(&err);
    slds_table *const *sections = rec->sections;
    size_t n = rec->n_sections;
    if (section) {
        const slds_table *one = slds_record_find_section(rec, section);
        if (!one) {
            slds_record_free(rec);
            return cli_usage_error("student", "no section '%s'", section);
        }
        for (size_t i = 0; i < rec->n_sections; i++)
            if (rec->sections[i] == one)
                sections = &rec->sections[i];
        n = 1;
    }
    rc = print_record(rec, sections, n, (slds_format)fmt, stdout, &err);
    slds_record_free(rec);
    return rc ? cli_error(&err) : 0;
}
