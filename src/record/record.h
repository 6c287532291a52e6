/* record.h - one student's longitudinal record: everything the state database
 * holds about a statewide id, across years, schools and districts, as
 * sections, each a result table (enrollments, attributes by year, tests, courses,
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
#include "table/table.h"

typedef struct slds_record {
    char *student_id;
    char *sex; /* from students; NULL when unknown */
    size_t n_sections;
    /* Every section, in a fixed order, as a result table (some may have no
     * rows): its name is stable ("enrollments", "tests", ...), its title is
     * a heading for a person. A column is INTEGER when every value is an
     * integer, REAL (15 significant digits) when every value is a number and
     * some are not integers, TEXT otherwise ("04" stays text). */
    slds_table **sections;
} slds_record;

/* Reads the record of student_id. SLDS_ERR_NOTFOUND when the id appears in
 * neither students, student_identity nor enrollments. */
int slds_record_get(slds_store *s, const char *student_id, slds_record **out, slds_error *err);
void slds_record_free(slds_record *r);

/* The section named name, or NULL. */
const slds_table *slds_record_find_section(const slds_record *r, const char *name);

#endif
