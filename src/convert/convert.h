/* convert.h - converters from other layouts into a collection folder (the
 * data contract of docs/contract.md), so existing data can be loaded with
 * `slds load`.
 *
 * The SGP package's LONG layout (one row per student x subject x year, as in
 * the R package SGPdata's sgpData_LONG, with optional instructor links as in
 * sgpData_INSTRUCTOR_NUMBER) becomes leas, schools, students (with the
 * package's ID as statewide id), enrollments, student_attributes, assessments
 * (STATE tests, subject codes kept as they are: READING, MATHEMATICS), and
 * with instructors staff, staff_assignments and rosters. What the LONG layout
 * does not say is filled with documented defaults (docs/convert.md). */
#ifndef SLDS_CONVERT_H
#define SLDS_CONVERT_H

#include <stdint.h>

#include "core/core.h"

typedef struct slds_sgp_convert_options {
    const char *long_path;        /* LONG file (.csv or .csv.gz) */
    const char *instructors_path; /* instructor links (.csv or .csv.gz), or NULL */
    const char *out_dir;          /* created if missing */
} slds_sgp_convert_options;

#define SLDS_CONVERT_MAX_FILES 12

typedef struct slds_convert_result {
    int nfiles;
    char file[SLDS_CONVERT_MAX_FILES][48];
    int64_t rows[SLDS_CONVERT_MAX_FILES];
    int64_t input_rows, skipped_rows; /* skipped: not VALID_CASE, or unusable */
} slds_convert_result;

int slds_convert_sgp_long(const slds_sgp_convert_options *opt, const slds_progress *progress,
                          slds_convert_result *res, slds_error *err);

#endif
