/* synth.h - the synthetic state generator: writes a complete collection
 * folder (every file of the data contract, DESIGN.md section 3) for a made-up
 * state, together with the ground truth it was generated from (truth/), so
 * that every later analysis can be checked against known answers.
 *
 * Usage: fill a slds_synth_params with slds_synth_params_default(), set
 * students, years and seed, then call slds_synth_write(). The same parameters
 * always give byte-identical output. Memory grows with the number of
 * students, not with the number of rows written: each file is streamed. */
#ifndef SLDS_SYNTH_H
#define SLDS_SYNTH_H

#include <stdint.h>

#include "core/core.h"

/* The contract's files, in the order the generator documents them. */
enum slds_synth_file {
    SLDS_SYNTH_LEAS,
    SLDS_SYNTH_SCHOOLS,
    SLDS_SYNTH_STUDENTS,
    SLDS_SYNTH_ENROLLMENTS,
    SLDS_SYNTH_STUDENT_ATTRIBUTES,
    SLDS_SYNTH_STAFF,
    SLDS_SYNTH_STAFF_ASSIGNMENTS,
    SLDS_SYNTH_ROSTERS,
    SLDS_SYNTH_ASSESSMENTS,
    SLDS_SYNTH_COURSES,
    SLDS_SYNTH_ATTENDANCE,
    SLDS_SYNTH_DISCIPLINE,
    SLDS_SYNTH_POSTSECONDARY,
    SLDS_SYNTH_OBSERVATIONS,
    SLDS_SYNTH_PREP_PROGRAMS,
    SLDS_SYNTH_STANDARDS,
    SLDS_SYNTH_ITEM_RESPONSES,
    SLDS_SYNTH_FINANCE,
    SLDS_SYNTH_NFILES
};

/* What to generate. */
typedef struct slds_synth_params {
    uint64_t students; /* about this many students enrolled in each school year (>= 100) */
    int years;         /* number of school years (1-30) */
    uint64_t seed;     /* same seed, same bytes */
    int first_year;    /* school_year of the first year (the year it ends); default 2021 */
    double dirty;      /* share of bad rows added to each file, 0 <= dirty <= 0.5; default 0 */
    /* Share of rows planted in place to break a loader rule of severity warn
     * (a blank exit code, an entry date before the school year) and of
     * student-years whose enrollment rows are broken (an unknown school:
     * rejected) while their tests stay good (loaded, with a finding). Listed
     * in truth/dirty_warnings.csv (and the broken spells in dirty_rows.csv);
     * 0 <= share <= 0.5, default 0. */
    double dirty_warnings;
} slds_synth_params;

/* What was written. rows[] counts data rows (header excluded), dirty rows
 * included; dirty_rows[] counts the bad rows among them. */
typedef struct slds_synth_result {
    uint64_t rows[SLDS_SYNTH_NFILES];
    uint64_t dirty_rows[SLDS_SYNTH_NFILES];
    uint64_t distinct_students; /* students with at least one enrollment */
    uint64_t enrolled_final_year;
    double seconds;
} slds_synth_result;

/* Sets the defaults: 10000 students, 5 years, seed 1, first_year 2021, dirty 0. */
void slds_synth_params_default(slds_synth_params *p);

/* Checks params; on a problem returns SLDS_ERR_USAGE with a message. */
int slds_synth_params_check(const slds_synth_params *p, slds_error *err);

/* The file name of one of the contract's files ("leas.csv", ...). */
const char *slds_synth_file_name(int file);

/* Writes the collection and its truth/ folder into out_dir (created if
 * missing; existing files of the same names are replaced). progress may be
 * NULL. Returns SLDS_OK or an error (err says which file failed and why). */
int slds_synth_write(const slds_synth_params *p, const char *out_dir, const slds_progress *progress,
                     slds_error *err);

/* The same, also filling *result (which may be NULL). */
int slds_synth_run(const slds_synth_params *p, const char *out_dir, const slds_progress *progress,
                   slds_synth_result *result, slds_error *err);

#endif
