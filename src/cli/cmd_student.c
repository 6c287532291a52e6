/* cmd_student.c - `slds student DB STUDENT_ID`: one student's longitudinal
 * record across years, schools and districts, by statewide id, as sections
 * (table) or one JSON object. Never prints a name or a birth date: the record
 * (src/record) does not carry them. See docs/student.md. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "record/record.h"

static const char usage[] =
    "usage: slds student DB STUDENT_ID [--format table|json]\n"
    "\n"
    "Prints the longitudinal record of one student, by statewide id: district records\n"
    "(local ids), enrollments (year, school, district, grade, entry/exit dates and\n"
    "codes), attributes by year, tests (state, interim, college readiness, not-tested\n"
    "reasons), courses (credits, marks), attendance, discipline, postsecondary, and\n"
    "teachers (rosters with dosage). Names and birth dates are never shown.\n"
    "\n"
    "options:\n"
    "  --format FMT     table (default): one section per kind of record;\n"
    "                   json: one object {\"student_id\", \"sex\", \"<section>\": [rows]...}\n"
    "  -h, --help       this help\n"
    "\n"
    "exit status: 0 printed, 1 unknown student or other error, 2 usage.\n";

/* The section as a result table (NULL when out of memory). */
static cli_table *section_table(const slds_record_section *sec)
{
    cli_table *t = cli_table_new(sec->ncols, (const char *const *)sec->columns);
    if (!t)
        return NULL;
    for (int c = 0; c < sec->ncols; c++)
        if (sec->numeric[c])
            cli_table_mark_numeric(t, c);
    for (size_t r = 0; r < sec->nrows; r++)
        if (cli_table_add(t, (const char *const *)(sec->cells + r * (size_t)sec->ncols))) {
            cli_table_free(t);
            return NULL;
        }
    return t;
}

static int print_json(const slds_record *rec, FILE *out)
{
    json_t *root = json_object();
    json_object_set_new(root, "student_id", json_string(rec->student_id));
    json_object_set_new(root, "sex", rec->sex ? json_string(rec->sex) : json_null());
    for (size_t i = 0; i < rec->n_sections; i++) {
        cli_table *t = section_table(&rec->sections[i]);
        if (!t) {
            json_decref(root);
            return SLDS_ERR_NOMEM;
        }
        json_object_set_new(root, rec->sections[i].name, cli_table_json(t));
        cli_table_free(t);
    }
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
    return SLDS_OK;
}

static int print_sections(const slds_record *rec, FILE *out)
{
    fprintf(out, "Student %s (sex %s)\n", rec->student_id, rec->sex ? rec->sex : "unknown");
    for (size_t i = 0; i < rec->n_sections; i++) {
        const slds_record_section *sec = &rec->sections[i];
        fprintf(out, "\n%s\n\n", sec->title);
        if (!sec->nrows) {
            fputs("(none)\n", out);
            continue;
        }
        cli_table *t = section_table(sec);
        if (!t)
            return SLDS_ERR_NOMEM;
        cli_table_print(t, CLI_TABLE, out);
        cli_table_free(t);
    }
    return SLDS_OK;
}

int cmd_student(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int fmt = CLI_TABLE;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:h", options, NULL)) != -1) {
        switch (opt) {
        case 'f':
            fmt = cli_parse_format(optarg, false);
            if (fmt != CLI_TABLE && fmt != CLI_JSON)
                return cli_usage_error("student", "unknown format '%s' (table or json)", optarg);
            break;
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
    rc = fmt == CLI_JSON ? print_json(rec, stdout) : print_sections(rec, stdout);
    slds_record_free(rec);
    if (rc) {
        slds_fail(&err, rc, "out of memory");
        return cli_error(&err);
    }
    return 0;
}
