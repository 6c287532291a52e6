/* record.c - slds_record_get: one student's longitudinal record, one query per
 * section, each a primary-key (or index) range on student_id (two sections
 * sorted here rather than by SQLite: section_spec.sort), all inside one
 * read transaction so the sections agree with each other. The queries are
 * kept prepared on the connection (slds_cursor_open_cached): the web server
 * reads a record at every request, and parsing and planning ten queries cost
 * more than running them.
 *
 * The sections and their columns are data (section_specs below): a section is
 * its SQL, whose result columns become the section's columns. No query here
 * selects a name or a birth date. Each section becomes a result table
 * (src/table) once all its rows are read, since a column's type depends on
 * every value in it. */
#include "record/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SORT_MAX = 6 };

typedef struct section_spec {
    const char *name;
    const char *title;
    const char *sql; /* ?1 is the statewide id */
    /* When the section's order does not follow the key its query reads
     * (SQLite would sort in a temporary B-tree at every record): the result
     * columns of its order, sorted here as SQLite's ORDER BY would (values
     * by storage class, NULL < numbers < text < blob; numbers by value;
     * text and blobs bytewise, the BINARY collation). Each such order
     * holds every column of the table's primary key after student_id, so
     * no two rows of a student tie and the order is the same whatever
     * order the rows come in. */
    int sort[SORT_MAX];
    int nsort;
} section_spec;

static const section_spec section_specs[] = {
    {"districts", "District records (identity crosswalk)",
     "SELECT i.lea_id, l.lea_name, i.local_student_id, i.id_source FROM student_identity i"
     " LEFT JOIN leas l ON l.lea_id = i.lea_id WHERE i.student_id = ?1"
     " ORDER BY i.lea_id, i.local_student_id", .nsort = 0},
    {"enrollments", "Enrollments",
     "SELECT e.school_year, e.school_id, s.school_name, s.lea_id, l.lea_name, e.grade_level,"
     " e.entry_date, e.exit_date, e.exit_code FROM enrollments e"
     " LEFT JOIN schools s ON s.school_id = e.school_id LEFT JOIN leas l ON l.lea_id = s.lea_id"
     " WHERE e.student_id = ?1",
     /* ORDER BY school_year, entry_date, school_id (key: school_id, entry_date) */
     .sort = {0, 6, 1},
     .nsort = 3},
    {"attributes", "Attributes by year",
     "SELECT school_year, race_ethnicity, econ_disadvantaged, disability, english_learner,"
     " homeless, foster_care, migrant FROM student_attributes WHERE student_id = ?1"
     " ORDER BY school_year", .nsort = 0},
    {"tests", "Tests (state, interim, formative, college readiness; not-tested reasons)",
     "SELECT school_year, test_type, subject, grade_tested, test_name, test_date, scale_score,"
     " performance_level, not_tested_reason FROM assessments WHERE student_id = ?1",
     /* ORDER BY school_year, test_date, test_type, subject, test_name (key:
      * school_year, subject, test_type, test_name, test_date) */
     .sort = {0, 5, 1, 2, 4},
     .nsort = 5},
    {"courses", "Courses",
     "SELECT school_year, term, school_id, course_code, subject, credits_attempted, credits_earned,"
     " grade_mark FROM courses WHERE student_id = ?1 ORDER BY school_year, term, course_code, school_id", .nsort = 0},
    {"attendance", "Attendance",
     "SELECT school_year, school_id, days_enrolled, days_present,"
     " CASE WHEN days_enrolled > 0 THEN round(100.0 * days_present / days_enrolled, 1) END"
     " AS percent_present FROM attendance WHERE student_id = ?1 ORDER BY school_year, school_id", .nsort = 0},
    {"discipline", "Discipline",
     "SELECT action_date, school_id, action, days FROM discipline WHERE student_id = ?1"
     " ORDER BY action_date, action, school_id", .nsort = 0},
    {"postsecondary", "Postsecondary",
     "SELECT enrollment_date, institution_id, institution_level, remedial,"
     " credits_earned_first_two_years FROM postsecondary WHERE student_id = ?1"
     " ORDER BY enrollment_date, institution_id", .nsort = 0},
    {"teachers", "Teachers (rosters; dosage = share of instruction)",
     "SELECT school_year, subject, staff_id, section_id, school_id, dosage FROM rosters"
     " WHERE student_id = ?1 ORDER BY school_year, subject, staff_id, section_id", .nsort = 0},
};

#define NSECTIONS (sizeof section_specs / sizeof section_specs[0])

void slds_record_free(slds_record *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->sections && i < r->n_sections; i++)
        slds_table_free(r->sections[i]);
    free(r->sections);
    free(r->student_id);
    free(r->sex);
    free(r);
}

/* One value of a section, copied out of SQLite before the column types are
 * known (they depend on every value of the column). Texts go to one buffer
 * per section: no allocation per value. */
typedef struct section_value {
    int type; /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_NULL */
    int stored; /* the storage class read (SQLITE_BLOB too), for sorting */
    int64_t i;
    double d;
    size_t text, len; /* offset of the text (NUL-terminated) in section_rows.texts, its bytes */
} section_value;

typedef struct section_rows {
    int ncols;
    size_t nrows, cap; /* cap: values room */
    section_value *values; /* nrows * ncols, row-major */
    slds_buf texts;
} section_rows;

static void rows_release(section_rows *rows)
{
    free(rows->values);
    slds_buf_free(&rows->texts);
}

static int rows_add(section_rows *rows, sqlite3_stmt *st)
{
    size_t need = (rows->nrows + 1) * (size_t)rows->ncols;
    if (need > rows->cap) {
        size_t ncap = rows->cap ? rows->cap * 2 : 256;
        while (ncap < need)
            ncap *= 2;
        section_value *v = realloc(rows->values, ncap * sizeof *v);
        if (!v)
            return SLDS_ERR_NOMEM;
        rows->values = v;
        rows->cap = ncap;
    }
    section_value *row = rows->values + rows->nrows * (size_t)rows->ncols;
    for (int c = 0; c < rows->ncols; c++) {
        section_value *v = &row[c];
        v->type = v->stored = sqlite3_column_type(st, c);
        if (v->type == SQLITE_INTEGER)
            v->i = sqlite3_column_int64(st, c);
        else if (v->type == SQLITE_FLOAT)
            v->d = sqlite3_column_double(st, c);
        else if (v->type != SQLITE_NULL) { /* text (a blob as its bytes, as before) */
            const char *text = (const char *)sqlite3_column_text(st, c);
            size_t n = (size_t)sqlite3_column_bytes(st, c);
            if (!text)
                return SLDS_ERR_NOMEM;
            v->type = SQLITE_TEXT;
            v->text = rows->texts.len;
            v->len = n;
            if (slds_buf_append(&rows->texts, text, n) || slds_buf_append(&rows->texts, "", 1))
                return SLDS_ERR_NOMEM;
        }
    }
    rows->nrows++;
    return SLDS_OK;
}

/* An integer against a real, exactly (as SQLite compares them). */
static int int_real_cmp(int64_t i, double r)
{
    if (r < -9223372036854775808.0)
        return 1;
    if (r >= 9223372036854775808.0)
        return -1;
    int64_t whole = (int64_t)r; /* toward zero, exact in this range */
    if (i != whole)
        return i < whole ? -1 : 1;
    double frac = r - (double)whole;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

/* Two values as SQLite's ORDER BY compares them (BINARY collation). */
static int value_cmp(const section_value *a, const section_value *b, const char *texts)
{
    static const int rank[] = {[SQLITE_NULL] = 0, [SQLITE_INTEGER] = 1, [SQLITE_FLOAT] = 1,
                               [SQLITE_TEXT] = 2, [SQLITE_BLOB] = 3};
    int ra = rank[a->stored], rb = rank[b->stored];
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 0)
        return 0;
    if (ra == 1) {
        if (a->stored == SQLITE_INTEGER && b->stored == SQLITE_INTEGER)
            return a->i < b->i ? -1 : a->i > b->i;
        if (a->stored == SQLITE_FLOAT && b->stored == SQLITE_FLOAT)
            return a->d < b->d ? -1 : a->d > b->d;
        return a->stored == SQLITE_INTEGER ? int_real_cmp(a->i, b->d) : -int_real_cmp(b->i, a->d);
    }
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(texts + a->text, texts + b->text, n) : 0;
    return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

static int row_cmp(const section_spec *spec, const section_rows *rows, size_t x, size_t y)
{
    const section_value *a = rows->values + x * (size_t)rows->ncols, *b = rows->values + y * (size_t)rows->ncols;
    for (int k = 0; k < spec->nsort; k++) {
        int c = value_cmp(&a[spec->sort[k]], &b[spec->sort[k]], rows->texts.data);
        if (c)
            return c;
    }
    return 0;
}

/* The rows' order: the query's, or spec's sort (a merge sort of row
 * indices: stable, and no worse than n log n for a student with many rows). */
static int rows_order(const section_spec *spec, const section_rows *rows, size_t *order)
{
    size_t n = rows->nrows;
    for (size_t r = 0; r < n; r++)
        order[r] = r;
    if (!spec->nsort || n < 2)
        return SLDS_OK;
    size_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return SLDS_ERR_NOMEM;
    size_t *from = order, *to = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                to[o++] = row_cmp(spec, rows, from[j], from[i]) < 0 ? from[j++] : from[i++];
            while (i < mid)
                to[o++] = from[i++];
            while (j < hi)
                to[o++] = from[j++];
        }
        size_t *t = from;
        from = to;
        to = t;
    }
    if (from != order)
        memcpy(order, from, n * sizeof *order);
    free(tmp);
    return SLDS_OK;
}

/* INTEGER when every value is one, REAL when every value is a number, else TEXT. */
static slds_cell_type column_type(const section_rows *rows, int c)
{
    slds_cell_type type = SLDS_CELL_INTEGER;
    for (size_t r = 0; r < rows->nrows; r++) {
        int t = rows->values[r * (size_t)rows->ncols + (size_t)c].type;
        if (t == SQLITE_FLOAT)
            type = SLDS_CELL_REAL;
        else if (t != SQLITE_NULL && t != SQLITE_INTEGER)
            return SLDS_CELL_TEXT;
    }
    return type;
}

/* A number shown as text in a TEXT column: as SQLite would print it. */
static int set_number_text(slds_table *t, int c, const section_value *v, slds_error *err)
{
    char buf[64];
    if (v->type == SQLITE_INTEGER)
        snprintf(buf, sizeof buf, "%lld", (long long)v->i);
    else
        sqlite3_snprintf((int)sizeof buf, buf, "%!.15g", v->d);
    return slds_table_set_text(t, c, buf, err);
}

static int section_table(const section_spec *spec, sqlite3_stmt *st, const section_rows *rows,
                         slds_table **out, slds_error *err)
{
    slds_column_spec cols[32];
    if (rows->ncols > 32)
        return slds_fail(err, SLDS_ERR_USAGE, "student record: %s has too many columns", spec->name);
    for (int c = 0; c < rows->ncols; c++) {
        slds_cell_type type = column_type(rows, c);
        cols[c] = (slds_column_spec){.name = sqlite3_column_name(st, c),
                                     .type = type,
                                     .decimals = type == SLDS_CELL_REAL ? SLDS_SIGNIFICANT(15) : 0};
    }
    size_t stack_order[64], *order = rows->nrows <= 64 ? stack_order : malloc(rows->nrows * sizeof *order);
    if (!order || rows_order(spec, rows, order)) {
        if (order != stack_order)
            free(order);
        return slds_fail(err, SLDS_ERR_NOMEM, "student record: out of memory");
    }
    int rc = slds_table_new(out, spec->name, spec->title, cols, rows->ncols, err);
    for (size_t r = 0; !rc && r < rows->nrows; r++) {
        rc = slds_table_add_row(*out, err);
        for (int c = 0; !rc && c < rows->ncols; c++) {
            const section_value *v = &rows->values[order[r] * (size_t)rows->ncols + (size_t)c];
            if (v->type == SQLITE_NULL)
                continue;
            if (cols[c].type == SLDS_CELL_INTEGER)
                rc = slds_table_set_integer(*out, c, v->i, err);
            else if (cols[c].type == SLDS_CELL_REAL)
                rc = slds_table_set_real(*out, c, v->type == SQLITE_FLOAT ? v->d : (double)v->i, err);
            else if (v->type == SQLITE_TEXT)
                rc = slds_table_set_text(*out, c, rows->texts.data + v->text, err);
            else
                rc = set_number_text(*out, c, v, err);
        }
    }
    if (order != stack_order)
        free(order);
    return rc;
}

/* One section: its query, kept prepared on the connection (every request of
 * the web server reads a record), and its table. rows is the record's
 * space for values, emptied here (one for every section: no allocation per
 * section). */
static int read_section(slds_store *s, const section_spec *spec, const char *student_id,
                        section_rows *rows, slds_table **out, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open_cached(&c, s, spec->sql, err);
    if (rc)
        return rc;
    slds_cursor_bind_text(&c, 1, student_id);
    rows->ncols = sqlite3_column_count(c.stmt);
    rows->nrows = 0;
    slds_buf_clear(&rows->texts);
    int step = 0;
    while (!rc && (step = slds_cursor_step(&c, err)) == 1)
        rc = rows_add(rows, c.stmt);
    if (rc == SLDS_ERR_NOMEM)
        slds_fail(err, rc, "student record: out of memory");
    else if (!rc && step < 0)
        rc = SLDS_ERR_DB;
    if (!rc)
        rc = section_table(spec, c.stmt, rows, out, err);
    slds_cursor_close(&c);
    return rc;
}

/* The student's sex (copied, may stay NULL) and whether students has the id. */
static int read_student(slds_store *s, slds_record *r, bool *in_students, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open_cached(&c, s, "SELECT sex FROM students WHERE student_id = ?1", err);
    if (rc)
        return rc;
    slds_cursor_bind_text(&c, 1, r->student_id);
    int step = slds_cursor_step(&c, err);
    *in_students = step == 1;
    if (step < 0)
        rc = SLDS_ERR_DB;
    else if (step == 1 && slds_cursor_text(&c, 0) && !(r->sex = strdup(slds_cursor_text(&c, 0))))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "student record: out of memory");
    slds_cursor_close(&c);
    return rc;
}

static size_t section_rows_named(const slds_record *r, const char *name)
{
    const slds_table *t = slds_record_find_section(r, name);
    return t ? slds_table_nrows(t) : 0;
}

/* The id is known when it is in students, student_identity (the districts
 * section) or enrollments (the enrollments section): the sections answer
 * that, with no query of its own. */
static int read_record(slds_store *s, slds_record *r, slds_error *err)
{
    bool in_students = false;
    int rc = read_student(s, r, &in_students, err);
    if (rc)
        return rc;
    r->sections = calloc(NSECTIONS, sizeof *r->sections);
    if (!r->sections)
        return slds_fail(err, SLDS_ERR_NOMEM, "student record: out of memory");
    r->n_sections = NSECTIONS;
    section_rows rows = {0};
    for (size_t i = 0; !rc && i < NSECTIONS; i++)
        rc = read_section(s, &section_specs[i], r->student_id, &rows, &r->sections[i], err);
    rows_release(&rows);
    if (!rc && !in_students && !section_rows_named(r, "districts") &&
        !section_rows_named(r, "enrollments"))
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "no student with statewide id '%s' in %s",
                       r->student_id, s->path);
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

const slds_table *slds_record_find_section(const slds_record *r, const char *name)
{
    for (size_t i = 0; i < r->n_sections; i++)
        if (!strcmp(slds_table_name(r->sections[i]), name))
            return r->sections[i];
    return NULL;
}
