/* record.h - one student's longitudinal record: everything the state database
 * holds about a statewide id, across years, schools and districts, as
 * sections of rows (enrollments, attributes by year, tests, courses,
 * attendance, discipline, postsecondary, teachers, district records).
 *
 * The record is keyed by the pseudonymous statewide id and never carries the
 * student's name or birth date (those stay in student_identity, which this
 * view reads only for the district crosswalk: lea and local id).
 *
 * Ownership: slds_record_get gives the caller the record; free it with
 * slds_record_free. Every string inside belongs to the record. */
#ifndef SLDS_RECORD_H
#define SLDS_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "store/store.h"

/* One section: a small table. Cells are text as stored (NULL when blank). */
typedef struct slds_record_section {
    const char *name;  /* stable name: "enrollments", "tests", ... (static) */
    const char *title; /* heading for a person (static) */
    int ncols;
    char **columns; /* column names */
    bool *numeric;  /* per column: every non-blank value is a number */
    size_t nrows;
    char **cells; /* nrows * ncols, row-major */
} slds_record_section;

typedef struct slds_record {
    char *student_id;
    char *sex; /* from students; NULL when unknown */
    size_t n_sections;
    slds_record_section *sections; /* always every section, in a fixed order; some may be empty */
} slds_record;

/* Reads the record of student_id. SLDS_ERR_NOTFOUND when the id appears in
 * neither students, student_identity nor enrollments. */
int slds_record_get(slds_store *s, const char *student_id, slds_record **out, slds_error *err);
void slds_record_free(slds_record *r);

/* The section named name, or NULL. */
const slds_record_section *slds_record_find_section(const slds_record *r, const char *name);
/* The cell at row, col (NULL when blank). */
const char *slds_record_cell(const slds_record_section *sec, size_t row, int col);

#endif
