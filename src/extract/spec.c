/* spec.c - what may be extracted and how each column is treated (the
 * catalogue), the generalization hierarchies of quasi-identifiers, and the
 * reading of an extract spec (JSON). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"
#include "extract/internal.h"

#define K(t, c, kind) {t, c, SLDS_XCOL_##kind}

/* Every extractable column. A table or column that is not here can't be
 * extracted: student_identity (names, birth dates, local ids), staff (names),
 * and everything computed for operations rather than research. */
static const struct catalogue_entry {
    const char *table, *column;
    slds_extract_column_kind kind;
} catalogue[] = {
    K("students", "student_id", STUDENT),
    K("students", "sex", QI_CODE),
    K("student_attributes", "student_id", STUDENT),
    K("student_attributes", "school_year", YEAR),
    K("student_attributes", "race_ethnicity", QI_CODE),
    K("student_attributes", "econ_disadvantaged", QI_CODE),
    K("student_attributes", "disability", QI_CODE),
    K("student_attributes", "english_learner", QI_CODE),
    K("student_attributes", "homeless", QI_CODE),
    K("student_attributes", "foster_care", QI_CODE),
    K("student_attributes", "migrant", QI_CODE),
    K("enrollments", "student_id", STUDENT),
    K("enrollments", "school_id", QI_SCHOOL),
    K("enrollments", "school_year", YEAR),
    K("enrollments", "grade_level", QI_GRADE),
    K("enrollments", "entry_date", QI_DATE),
    K("enrollments", "exit_date", QI_DATE),
    K("enrollments", "exit_code", VALUE),
    K("assessments", "student_id", STUDENT),
    K("assessments", "school_year", YEAR),
    K("assessments", "subject", VALUE),
    K("assessments", "grade_tested", QI_GRADE),
    K("assessments", "test_type", VALUE),
    K("assessments", "test_name", VALUE),
    K("assessments", "test_date", QI_DATE),
    K("assessments", "scale_score", VALUE),
    K("assessments", "performance_level", VALUE),
    K("assessments", "not_tested_reason", VALUE),
    K("courses", "student_id", STUDENT),
    K("courses", "school_id", QI_SCHOOL),
    K("courses", "school_year", YEAR),
    K("courses", "term", VALUE),
    K("courses", "course_code", VALUE),
    K("courses", "subject", VALUE),
    K("courses", "credits_attempted", VALUE),
    K("courses", "credits_earned", VALUE),
    K("courses", "grade_mark", VALUE),
    K("attendance", "student_id", STUDENT),
    K("attendance", "school_id", QI_SCHOOL),
    K("attendance", "school_year", YEAR),
    K("attendance", "days_enrolled", VALUE),
    K("attendance", "days_present", VALUE),
    K("discipline", "student_id", STUDENT),
    K("discipline", "school_id", QI_SCHOOL),
    K("discipline", "action_date", QI_DATE),
    K("discipline", "action", VALUE),
    K("discipline", "days", VALUE),
    K("postsecondary", "student_id", STUDENT),
    K("postsecondary", "institution_id", VALUE),
    K("postsecondary", "institution_level", VALUE),
    K("postsecondary", "enrollment_date", QI_DATE),
    K("postsecondary", "remedial", VALUE),
    K("postsecondary", "credits_earned_first_two_years", VALUE),
    K("rosters", "student_id", STUDENT),
    K("rosters", "staff_id", PSEUDONYM),
    K("rosters", "school_id", QI_SCHOOL),
    K("rosters", "school_year", YEAR),
    K("rosters", "subject", VALUE),
    K("rosters", "section_id", PSEUDONYM),
    K("rosters", "dosage", VALUE),
    K("growth_students", "student_id", STUDENT),
    K("growth_students", "school_year", YEAR),
    K("growth_students", "subject", VALUE),
    K("growth_students", "grade", QI_GRADE),
    K("growth_students", "scale_score", VALUE),
    K("growth_students", "school_id", QI_SCHOOL),
    K("growth_students", "lea_id", QI_LEA),
    K("growth_students", "prior_score", VALUE),
    K("growth_students", "sgp", VALUE),
    K("growth_students", "gain", VALUE),
    K("growth_students", "grade_levels_gained", VALUE),
    K("growth_students", "catch_up_keep_up", VALUE),
};

/* How a table's rows are placed in a school year: by its school_year column,
 * or by a date (July to June is one school year, named by its end). */
static const struct table_year {
    const char *table, *year_column, *date_column;
} table_years[] = {
    {"student_attributes", "school_year", NULL}, {"enrollments", "school_year", NULL},
    {"assessments", "school_year", NULL},        {"courses", "school_year", NULL},
    {"attendance", "school_year", NULL},         {"discipline", NULL, "action_date"},
    {"postsecondary", NULL, "enrollment_date"},  {"rosters", "school_year", NULL},
    {"growth_students", "school_year", NULL},
};

int slds_extract_column_kind_of(const char *table, const char *column)
{
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (!strcmp(catalogue[i].table, table) && !strcmp(catalogue[i].column, column))
            return (int)catalogue[i].kind;
    return -1;
}

bool extract_table_known(const char *table)
{
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (!strcmp(catalogue[i].table, table))
            return true;
    return false;
}

void extract_table_year(const char *table, const char **year_column, const char **date_column)
{
    *year_column = *date_column = NULL;
    for (size_t i = 0; i < sizeof table_years / sizeof table_years[0]; i++)
        if (!strcmp(table_years[i].table, table)) {
            *year_column = table_years[i].year_column;
            *date_column = table_years[i].date_column;
        }
}

int slds_extract_kind_levels(slds_extract_column_kind kind)
{
    switch (kind) {
    case SLDS_XCOL_QI_CODE:
    case SLDS_XCOL_QI_LEA:
        return 2;
    case SLDS_XCOL_QI_SCHOOL:
    case SLDS_XCOL_QI_GRADE:
    case SLDS_XCOL_QI_DATE:
        return 3;
    default:
        return 1;
    }
}

bool extract_kind_is_qi(slds_extract_column_kind kind)
{
    return kind >= SLDS_XCOL_QI_CODE;
}

static const char *grade_band(const char *grade)
{
    static const struct {
        const char *grade, *band;
    } bands[] = {{"PK", "PK-02"}, {"KG", "PK-02"}, {"01", "PK-02"}, {"02", "PK-02"},
                 {"03", "03-05"}, {"04", "03-05"}, {"05", "03-05"}, {"06", "06-08"},
                 {"07", "06-08"}, {"08", "06-08"}, {"09", "09-12"}, {"10", "09-12"},
                 {"11", "09-12"}, {"12", "09-12"}};
    for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
        if (!strcmp(grade, bands[i].grade))
            return bands[i].band;
    return "*";
}

const char *slds_extract_generalize(slds_extract_column_kind kind, int level, const char *value,
                                    const char *school_lea, char *buf, size_t size)
{
    const char *shown = value ? value : "";
    if (!value || !*value || !extract_kind_is_qi(kind)) {
        snprintf(buf, size, "%s", shown);
        return buf;
    }
    if (level >= slds_extract_kind_levels(kind) - 1) {
        snprintf(buf, size, "*");
        return buf;
    }
    switch (kind) {
    case SLDS_XCOL_QI_SCHOOL:
        shown = level == 0 ? value : (school_lea ? school_lea : "*");
        break;
    case SLDS_XCOL_QI_GRADE:
        shown = level == 0 ? value : grade_band(value);
        break;
    case SLDS_XCOL_QI_DATE: /* YYYY-MM-DD: the month at level 0, the year at 1 */
        snprintf(buf, size, "%.*s", level == 0 ? 7 : 4, value);
        return buf;
    default:
        break;
    }
    snprintf(buf, size, "%s", shown);
    return buf;
}

/* ------------------------------------------------------------ the spec */

static char *dup_string(const json_t *j)
{
    const char *s = json_string_value(j);
    return s ? strdup(s) : NULL;
}

void slds_extract_spec_free(slds_extract_spec *spec)
{
    if (!spec)
        return;
    free(spec->requester);
    free(spec->purpose);
    free(spec->approved_by);
    free(spec->researcher);
    free(spec->years);
    for (size_t i = 0; i < spec->ntables; i++) {
        free(spec->tables[i].table);
        for (size_t c = 0; c < spec->tables[i].ncolumns; c++)
            free(spec->tables[i].columns[c]);
        free(spec->tables[i].columns);
    }
    free(spec->tables);
    memset(spec, 0, sizeof *spec);
}

static int read_text(const json_t *root, const char *key, bool required, char **out,
                     const char *path, slds_error *err)
{
    const json_t *j = json_object_get(root, key);
    if (!j && !required)
        return SLDS_OK;
    if (!json_is_string(j) || !*json_string_value(j))
        return slds_fail(err, SLDS_ERR_DATA, "%s: \"%s\" must be a non-empty text", path, key);
    *out = dup_string(j);
    return *out ? SLDS_OK : slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
}

static int read_tables(slds_extract_spec *spec, const json_t *tables, const char *path,
                       slds_error *err)
{
    if (!json_is_object(tables) || !json_object_size(tables))
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: \"tables\" must be an object of table: [columns]", path);
    spec->tables = calloc(json_object_size(tables), sizeof *spec->tables);
    if (!spec->tables)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    const char *name;
    const json_t *cols;
    json_object_foreach((json_t *)tables, name, cols) {
        if (!extract_table_known(name))
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: table \"%s\" can't be extracted (see docs/extract.md for "
                             "the tables and columns an extract may hold)",
                             path, name);
        if (!json_is_array(cols) || !json_array_size(cols))
            return slds_fail(err, SLDS_ERR_DATA, "%s: \"%s\" must list its columns", path, name);
        slds_extract_table_spec *t = &spec->tables[spec->ntables++];
        t->table = strdup(name);
        t->columns = calloc(json_array_size(cols), sizeof *t->columns);
        if (!t->table || !t->columns)
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        size_t i;
        const json_t *c;
        json_array_foreach(cols, i, c) {
            const char *col = json_string_value(c);
            if (!col)
                return slds_fail(err, SLDS_ERR_DATA, "%s: \"%s\"[%zu] is not a column name",
                                 path, name, i);
            if (slds_extract_column_kind_of(name, col) < 0)
                return slds_fail(err, SLDS_ERR_DATA, "%s: column \"%s.%s\" can't be extracted",
                                 path, name, col);
            if (slds_extract_column_kind_of(name, col) == SLDS_XCOL_STUDENT)
                continue; /* always written, as the pseudonym */
            for (size_t d = 0; d < t->ncolumns; d++)
                if (!strcmp(t->columns[d], col))
                    return slds_fail(err, SLDS_ERR_DATA, "%s: column \"%s.%s\" listed twice",
                                     path, name, col);
            if (!(t->columns[t->ncolumns++] = strdup(col)))
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        }
    }
    return SLDS_OK;
}

static int read_years(slds_extract_spec *spec, const json_t *years, const char *path,
                      slds_error *err)
{
    if (!years)
        return SLDS_OK;
    if (!json_is_array(years))
        return slds_fail(err, SLDS_ERR_DATA, "%s: \"years\" must be a list of school years", path);
    spec->years = calloc(json_array_size(years) + 1, sizeof *spec->years);
    if (!spec->years)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    size_t i;
    const json_t *y;
    json_array_foreach(years, i, y) {
        json_int_t v = json_integer_value(y);
        if (!json_is_integer(y) || v < 1900 || v > 2200)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: \"years\"[%zu] is not a school year (e.g. 2024 for 2023-24)",
                             path, i);
        spec->years[spec->nyears++] = (int)v;
    }
    return SLDS_OK;
}

static int read_spec(slds_extract_spec *spec, const json_t *root, const char *path,
                     slds_error *err)
{
    if (!json_is_object(root))
        return slds_fail(err, SLDS_ERR_DATA, "%s: a spec is a JSON object", path);
    static const char *const keys[] = {"requester", "purpose", "approved_by", "researcher", "k",
                                       "max_suppressed", "years", "tables"};
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)root, key, v) {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known |= !strcmp(key, keys[i]);
        if (!known)
            return slds_fail(err, SLDS_ERR_DATA, "%s: unknown key \"%s\"", path, key);
    }
    int rc;
    if ((rc = read_text(root, "requester", true, &spec->requester, path, err)) ||
        (rc = read_text(root, "purpose", true, &spec->purpose, path, err)) ||
        (rc = read_text(root, "approved_by", false, &spec->approved_by, path, err)) ||
        (rc = read_text(root, "researcher", false, &spec->researcher, path, err)))
        return rc;
    spec->k = SLDS_EXTRACT_DEFAULT_K;
    const json_t *k = json_object_get(root, "k");
    if (k) {
        if (!json_is_integer(k) || json_integer_value(k) < 2 || json_integer_value(k) > 100000)
            return slds_fail(err, SLDS_ERR_DATA, "%s: \"k\" must be an integer from 2 to 100000",
                             path);
        spec->k = (int)json_integer_value(k);
    }
    spec->max_suppressed = SLDS_EXTRACT_DEFAULT_MAX_SUPPRESSED;
    const json_t *ms = json_object_get(root, "max_suppressed");
    if (ms) {
        double share = json_number_value(ms);
        if (!json_is_number(ms) || share < 0 || share > 1)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: \"max_suppressed\" must be a share from 0 to 1", path);
        spec->max_suppressed = share;
    }
    if ((rc = read_years(spec, json_object_get(root, "years"), path, err)))
        return rc;
    return read_tables(spec, json_object_get(root, "tables"), path, err);
}

int slds_extract_spec_read(slds_extract_spec *spec, const char *path, slds_error *err)
{
    memset(spec, 0, sizeof *spec);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return slds_fail(err, SLDS_ERR_DATA, "%s: line %d, column %d: %s", path, jerr.line,
                         jerr.column, jerr.text);
    int rc = read_spec(spec, root, path, err);
    json_decref(root);
    if (rc)
        slds_extract_spec_free(spec);
    return rc;
}
