/* record.c - slds_record_get: one student's longitudinal record, one query per
 * section, each a primary-key (or index) range on student_id, all inside one
 * read transaction so the sections agree with each other.
 *
 * The sections and their columns are data (section_specs below): a section is
 * its SQL, whose result columns become the section's columns. No query here
 * selects a name or a birth date. Cells are text; real numbers are written
 * with up to 15 significant digits and no trailing ".0". */
#include "record/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct section_spec {
    const char *name;
    const char *title;
    const char *sql; /* ?1 is the statewide id */
} section_spec;

static const section_spec section_specs[] = {
    {"districts", "District records (identity crosswalk)",
     "SELECT i.lea_id, l.lea_name, i.local_student_id, i.id_source FROM student_identity i"
     " LEFT JOIN leas l ON l.lea_id = i.lea_id WHERE i.student_id = ?1"
     " ORDER BY i.lea_id, i.local_student_id"},
    {"enrollments", "Enrollments",
     "SELECT e.school_year, e.school_id, s.school_name, s.lea_id, l.lea_name, e.grade_level,"
     " e.entry_date, e.exit_date, e.exit_code FROM enrollments e"
     " LEFT JOIN schools s ON s.school_id = e.school_id LEFT JOIN leas l ON l.lea_id = s.lea_id"
     " WHERE e.student_id = ?1 ORDER BY e.school_year, e.entry_date, e.school_id"},
    {"attributes", "Attributes by year",
     "SELECT school_year, race_ethnicity, econ_disadvantaged, disability, english_learner,"
     " homeless, foster_care, migrant FROM student_attributes WHERE student_id = ?1"
     " ORDER BY school_year"},
    {"tests", "Tests (state, interim, formative, college readiness; not-tested reasons)",
     "SELECT school_year, test_type, subject, grade_tested, test_name, test_date, scale_score,"
     " performance_level, not_tested_reason FROM assessments WHERE student_id = ?1"
     " ORDER BY school_year, test_date, test_type, subject, test_name"},
    {"courses", "Courses",
     "SELECT school_year, term, school_id, course_code, subject, credits_attempted, credits_earned,"
     " grade_mark FROM courses WHERE student_id = ?1 ORDER BY school_year, term, course_code, school_id"},
    {"attendance", "Attendance",
     "SELECT school_year, school_id, days_enrolled, days_present,"
     " CASE WHEN days_enrolled > 0 THEN round(100.0 * days_present / days_enrolled, 1) END"
     " AS percent_present FROM attendance WHERE student_id = ?1 ORDER BY school_year, school_id"},
    {"discipline", "Discipline",
     "SELECT action_date, school_id, action, days FROM discipline WHERE student_id = ?1"
     " ORDER BY action_date, action, school_id"},
    {"postsecondary", "Postsecondary",
     "SELECT enrollment_date, institution_id, institution_level, remedial,"
     " credits_earned_first_two_years FROM postsecondary WHERE student_id = ?1"
     " ORDER BY enrollment_date, institution_id"},
    {"teachers", "Teachers (rosters; dosage = share of instruction)",
     "SELECT school_year, subject, staff_id, section_id, school_id, dosage FROM rosters"
     " WHERE student_id = ?1 ORDER BY school_year, subject, staff_id, section_id"},
};

#define NSECTIONS (sizeof section_specs / sizeof section_specs[0])

static void section_release(slds_record_section *sec)
{
    for (int c = 0; sec->columns && c < sec->ncols; c++)
        free(sec->columns[c]);
    for (size_t i = 0; sec->cells && i < sec->nrows * (size_t)sec->ncols; i++)
        free(sec->cells[i]);
    free(sec->columns);
    free(sec->numeric);
    free(sec->cells);
}

void slds_record_free(slds_record *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_sections; i++)
        section_release(&r->sections[i]);
    free(r->sections);
    free(r->student_id);
    free(r->sex);
    free(r);
}

/* Names the section's columns after the statement's result columns. */
static int section_columns(slds_record_section *sec, sqlite3_stmt *st)
{
    sec->ncols = sqlite3_column_count(st);
    sec->columns = calloc((size_t)sec->ncols, sizeof *sec->columns);
    sec->numeric = calloc((size_t)sec->ncols, sizeof *sec->numeric);
    if (!sec->columns || !sec->numeric)
        return SLDS_ERR_NOMEM;
    for (int c = 0; c < sec->ncols; c++) {
        sec->columns[c] = strdup(sqlite3_column_name(st, c));
        if (!sec->columns[c])
            return SLDS_ERR_NOMEM;
        sec->numeric[c] = true; /* until a text value shows otherwise */
    }
    return SLDS_OK;
}

static int section_add_row(slds_record_section *sec, sqlite3_stmt *st, size_t *cap)
{
    if (sec->nrows == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        char **cells = realloc(sec->cells, ncap * (size_t)sec->ncols * sizeof *cells);
        if (!cells)
            return SLDS_ERR_NOMEM;
        sec->cells = cells;
        *cap = ncap;
    }
    char **row = sec->cells + sec->nrows * (size_t)sec->ncols;
    memset(row, 0, (size_t)sec->ncols * sizeof *row);
    sec->nrows++; /* counted now so a failure below frees what was copied */
    for (int c = 0; c < sec->ncols; c++) {
        int type = sqlite3_column_type(st, c);
        if (type == SQLITE_NULL)
            continue;
        if (type != SQLITE_INTEGER && type != SQLITE_FLOAT)
            sec->numeric[c] = false;
        char number[32];
        if (type == SQLITE_FLOAT) /* 431 rather than SQLite's 431.0 */
            snprintf(number, sizeof number, "%.15g", sqlite3_column_double(st, c));
        row[c] = strdup(type == SQLITE_FLOAT ? number : (const char *)sqlite3_column_text(st, c));
        if (!row[c])
            return SLDS_ERR_NOMEM;
    }
    return SLDS_OK;
}

static int read_section(slds_store *s, const section_spec *spec, const char *student_id,
                        slds_record_section *sec, slds_error *err)
{
    sec->name = spec->name;
    sec->title = spec->title;
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st, spec->sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, student_id, -1, SQLITE_STATIC);
    rc = section_columns(sec, st);
    size_t cap = 0;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = section_add_row(sec, st, &cap);
    if (rc == SLDS_ERR_NOMEM)
        slds_fail(err, rc, "student record: out of memory");
    else if (!rc && step != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "student record: %s: %s", spec->name, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

/* Whether the statewide id is known, and the student's sex (copied, may be NULL). */
static int read_student(slds_store *s, slds_record *r, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(
        s, &st,
        "SELECT (SELECT sex FROM students WHERE student_id = ?1),"
        " EXISTS(SELECT 1 FROM students WHERE student_id = ?1)"
        " OR EXISTS(SELECT 1 FROM student_identity WHERE student_id = ?1)"
        " OR EXISTS(SELECT 1 FROM enrollments WHERE student_id = ?1)",
        err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, r->student_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = slds_fail(err, SLDS_ERR_DB, "student record: %s", sqlite3_errmsg(s->db));
    else if (!sqlite3_column_int(st, 1))
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no student with statewide id '%s' in %s",
                       r->student_id, s->path);
    else if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        r->sex = strdup((const char *)sqlite3_column_text(st, 0));
        if (!r->sex)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "student record: out of memory");
    }
    sqlite3_finalize(st);
    return rc;
}

static int read_record(slds_store *s, slds_record *r, slds_error *err)
{
    int rc = read_student(s, r, err);
    if (rc)
        return rc;
    r->sections = calloc(NSECTIONS, sizeof *r->sections);
    if (!r->sections)
        return slds_fail(err, SLDS_ERR_NOMEM, "student record: out of memory");
    r->n_sections = NSECTIONS;
    for (size_t i = 0; !rc && i < NSECTIONS; i++)
        rc = read_section(s, &section_specs[i], r->student_id, &r->sections[i], err);
    return rc;
}

int slds_record_get(slds_store *s, const char *student_id, slds_record **out, slds_error *err)
{
    *out = NULL;
    if (!student_id || !*student_id)
        return slds_fail(err, SLDS_ERR_USAGE, "student record: no statewide id given");
    slds_record *r = calloc(1, sizeof *r);
    if (!r || !(r->student_id = strdup(student_id))) {
        free(r);
        return slds_fail(err, SLDS_ERR_NOMEM, "student record: out of memory");
    }
    bool own_txn = sqlite3_get_autocommit(s->db);
    int rc = own_txn ? slds_store_exec(s, "BEGIN", err) : SLDS_OK;
    if (!rc)
        rc = read_record(s, r, err);
    if (own_txn)
        slds_store_rollback(s); /* read only: ending the transaction is all */
    if (rc) {
        slds_record_free(r);
        return rc;
    }
    *out = r;
    return SLDS_OK;
}

const slds_record_section *slds_record_find_section(const slds_record *r, const char *name)
{
    for (size_t i = 0; i < r->n_sections; i++)
        if (!strcmp(r->sections[i].name, name))
            return &r->sections[i];
    return NULL;
}

const char *slds_record_cell(const slds_record_section *sec, size_t row, int col)
{
    if (row >= sec->nrows || col < 0 || col >= sec->ncols)
        return NULL;
    return sec->cells[row * (size_t)sec->ncols + (size_t)col];
}
