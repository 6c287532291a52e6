/* dirty.h - realistic bad rows for --dirty. A chosen good row is followed by
 * a copy of itself with one field made bad (an impossible date, an unknown
 * code, an out-of-range number, a blank required field, a reference to a
 * school or student that does not exist). The good rows stay complete and
 * consistent, so a loader must load every good row and reject exactly the
 * bad ones; each bad row is listed in truth/dirty_rows.csv (file, line,
 * column, problem, value). */
#ifndef SLDS_SYNTH_DIRTY_H
#define SLDS_SYNTH_DIRTY_H

#include <stdbool.h>

#include "synth/csvout.h"

typedef struct synth_dirty {
    double p;      /* chance that a good row gets a bad copy: dirty / (1 - dirty) */
    int year_hint; /* school year being written (for dates made up from blanks) */
    synth_csv *log;
    /* --dirty-warnings */
    double warn_p;       /* chance of a planted warning per eligible row */
    uint64_t warn_key;   /* which student-years have broken enrollments */
    synth_csv *warn_log; /* truth/dirty_warnings.csv: file, line, column, rule */
} synth_dirty;

/* True when the enrollment rows of student in year are planted broken. */
bool synth_dirty_broken(const synth_dirty *d, uint32_t student, int year);
/* Logs a planted warning on the row being written in f (the next line). */
void synth_dirty_warn(synth_csv *f, const char *column, const char *rule);
/* Logs the row being written in f as bad (rejected) with its problem. */
void synth_dirty_bad_in_place(synth_csv *f, const char *column, const char *problem, const char *value);

/* The per-row chance for a wanted share of bad rows among all rows. */
double synth_dirty_chance(double share);

static inline bool synth_dirty_wanted(synth_csv *f)
{
    return synth_uniform(&f->dirty_rng) < f->dirty->p;
}

/* Appends a bad copy of the row just ended (the bytes from f->row_start). */
void synth_dirty_add_copy(synth_csv *f);

/* Makes a bad value for a column kind from the good value. Writes a
 * NUL-terminated value into bad (size >= 48) and returns the problem, or NULL
 * when the kind is never corrupted. Exposed for the unit tests. */
const char *synth_dirty_value(synth_col_kind kind, const char *good, int year_hint, synth_rng *r,
                              char *bad);

#endif
