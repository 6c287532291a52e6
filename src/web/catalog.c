/* catalog.c - the few reads the pages need that no other module offers: a
 * school's or district's name (headings), the directory of districts and
 * schools (the home page), the years with state tests (trend charts), and a
 * teacher's class view. Every query is parameterized; none reads a name or
 * birth date of a student (those stay in student_identity). The caller has
 * asked access before calling web_class_table. */
#include <stdio.h>
#include <string.h>

#include "web/internal.h"

static void copy(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "%s", s ? s : "");
}

int web_catalog_school(slds_store *s, const char *id, web_place *out, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT s.school_id, s.school_name, s.lea_id, l.lea_name, s.school_level"
                         " FROM schools s LEFT JOIN leas l ON l.lea_id = s.lea_id WHERE s.school_id = ?1",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, id);
    int r = slds_cursor_step(&c, err), rc = r < 0 ? err->code : SLDS_OK;
    if (r == 1) {
        memset(out, 0, sizeof *out);
        copy(out->id, sizeof out->id, slds_cursor_text(&c, 0));
        copy(out->name, sizeof out->name, slds_cursor_text(&c, 1));
        copy(out->lea_id, sizeof out->lea_id, slds_cursor_text(&c, 2));
        copy(out->lea_name, sizeof out->lea_name, slds_cursor_text(&c, 3));
        copy(out->level, sizeof out->level, slds_cursor_text(&c, 4));
    } else if (r == 0)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no school %s", id);
    slds_cursor_close(&c);
    return rc;
}

int web_catalog_lea(slds_store *s, const char *id, web_place *out, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT lea_id, lea_name FROM leas WHERE lea_id = ?1", err))
        return err->code;
    slds_cursor_bind_text(&c, 1, id);
    int r = slds_cursor_step(&c, err), rc = r < 0 ? err->code : SLDS_OK;
    if (r == 1) {
        memset(out, 0, sizeof *out);
        copy(out->id, sizeof out->id, slds_cursor_text(&c, 0));
        copy(out->name, sizeof out->name, slds_cursor_text(&c, 1));
        copy(out->lea_id, sizeof out->lea_id, slds_cursor_text(&c, 0));
        copy(out->lea_name, sizeof out->lea_name, slds_cursor_text(&c, 1));
    } else if (r == 0)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no district %s", id);
    slds_cursor_close(&c);
    return rc;
}

int web_catalog_directory(slds_store *s, slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "lea_id", .type = SLDS_CELL_TEXT}, {.name = "lea_name", .type = SLDS_CELL_TEXT},
        {.name = "school_id", .type = SLDS_CELL_TEXT}, {.name = "school_name", .type = SLDS_CELL_TEXT},
        {.name = "school_level", .type = SLDS_CELL_TEXT}};
    slds_table *t;
    int rc = slds_table_new(&t, "schools", "Districts and schools", cols, 5, err);
    if (rc)
        return rc;
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT l.lea_id, l.lea_name, s.school_id, s.school_name, s.school_level"
                         " FROM leas l LEFT JOIN schools s ON s.lea_id = l.lea_id"
                         " ORDER BY l.lea_id, s.school_id",
                         err)) {
        slds_table_free(t);
        return err->code;
    }
    int r;
    while (!rc && (r = slds_cursor_step(&c, err)) == 1) {
        rc = slds_table_add_row(t, err);
        for (int k = 0; k < 5 && !rc; k++)
            rc = slds_table_set_text(t, k, slds_cursor_text(&c, k), err);
    }
    if (!rc && r < 0)
        rc = err->code;
    slds_cursor_close(&c);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

int web_catalog_years(slds_store *s, int *years, int max, int *n, slds_error *err)
{
    slds_cursor c;
    *n = 0;
    if (slds_cursor_open(&c, s,
                         "SELECT DISTINCT school_year FROM growth_aggregates UNION "
                         "SELECT DISTINCT school_year FROM enrollments ORDER BY 1",
                         err))
        return err->code;
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1)
        if (*n < max)
            years[(*n)++] = (int)slds_cursor_int(&c, 0);
    slds_cursor_close(&c);
    return r < 0 ? err->code : SLDS_OK;
}

int web_class_table(slds_store *s, const char *staff_id, int year, slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "student_id", .type = SLDS_CELL_TEXT},
        {.name = "subject", .type = SLDS_CELL_TEXT},
        {.name = "test_year", .type = SLDS_CELL_INTEGER},
        {.name = "grade_tested", .type = SLDS_CELL_TEXT},
        {.name = "scale_score", .type = SLDS_CELL_REAL, .unit = "score points", .decimals = SLDS_SIGNIFICANT(15)},
        {.name = "performance_level", .type = SLDS_CELL_INTEGER},
        {.name = "sgp", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
        {.name = "sgp_target", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
        {.name = "catch_up_keep_up", .type = SLDS_CELL_TEXT},
        {.name = "on_track", .type = SLDS_CELL_TEXT},
        {.name = "percent_present", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1},
        {.name = "chronic_absence", .type = SLDS_CELL_BOOLEAN},
        {.name = "discipline_actions", .type = SLDS_CELL_INTEGER, .unit = "actions"}};
    enum { NC = sizeof cols / sizeof *cols };
    slds_table *t;
    char title[160];
    snprintf(title, sizeof title, "Class of %s, %d", staff_id, year);
    int rc = slds_table_new(&t, "class", title, cols, NC, err);
    if (rc)
        return rc;
    /* The school year Y runs from July of Y-1 to June of Y (discipline has dates only). */
    char from[24], to[24];
    snprintf(from, sizeof from, "%04d-07-01", year - 1);
    snprintf(to, sizeof to, "%04d-06-30", year);
    static const char latest[] =
        " FROM assessments a WHERE a.student_id = r.student_id AND a.subject = r.subject"
        " AND a.test_type = 'STATE' AND a.scale_score IS NOT NULL AND a.school_year <= ?2"
        " ORDER BY a.school_year DESC, a.test_date DESC LIMIT 1)";
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT r.student_id, r.subject, (SELECT a.school_year%s, (SELECT a.grade_tested%s,"
             " (SELECT a.scale_score%s, (SELECT a.performance_level%s,"
             " g.sgp, g.sgp_target, g.catch_up_keep_up, g.on_track,"
             " (SELECT 100.0 * SUM(days_present) / NULLIF(SUM(days_enrolled), 0) FROM attendance t"
             "  WHERE t.student_id = r.student_id AND t.school_year = ?2),"
             " (SELECT COUNT(*) FROM discipline d WHERE d.student_id = r.student_id"
             "  AND d.action_date BETWEEN ?3 AND ?4)"
             " FROM (SELECT DISTINCT student_id, subject FROM rosters WHERE staff_id = ?1"
             "       AND school_year = ?2) r"
             " LEFT JOIN growth_students g ON g.school_year = ?2 AND g.subject = r.subject"
             "  AND g.student_id = r.student_id"
             " ORDER BY r.student_id, r.subject",
             latest, latest, latest, latest);
    slds_cursor c;
    if (slds_cursor_open(&c, s, sql, err)) {
        slds_table_free(t);
        return err->code;
    }
    slds_cursor_bind_text(&c, 1, staff_id);
    slds_cursor_bind_int(&c, 2, year);
    slds_cursor_bind_text(&c, 3, from);
    slds_cursor_bind_text(&c, 4, to);
    int r = 0;
    while (!rc && (r = slds_cursor_step(&c, err)) == 1) {
        rc = slds_table_add_row(t, err);
        slds_table_set_text(t, 0, slds_cursor_text(&c, 0), err);
        slds_table_set_text(t, 1, slds_cursor_text(&c, 1), err);
        if (!slds_cursor_is_null(&c, 2))
            slds_table_set_integer(t, 2, slds_cursor_int(&c, 2), err);
        slds_table_set_text(t, 3, slds_cursor_text(&c, 3), err);
        if (!slds_cursor_is_null(&c, 4))
            slds_table_set_real(t, 4, slds_cursor_double(&c, 4), err);
        for (int k = 5; k <= 7; k++)
            if (!slds_cursor_is_null(&c, k))
                slds_table_set_integer(t, k, slds_cursor_int(&c, k), err);
        slds_table_set_text(t, 8, slds_cursor_text(&c, 8), err);
        slds_table_set_text(t, 9, slds_cursor_text(&c, 9), err);
        if (!slds_cursor_is_null(&c, 10)) {
            double p = slds_cursor_double(&c, 10);
            slds_table_set_real(t, 10, p, err);
            slds_table_set_boolean(t, 11, p < 90.0, err); /* missing 10 % or more of the days */
        }
        slds_table_set_integer(t, 12, slds_cursor_int(&c, 11), err);
        rc = slds_table_status(t);
    }
    if (!rc && r < 0)
        rc = err->code;
    slds_cursor_close(&c);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}
