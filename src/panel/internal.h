/* internal.h - what the files of the panel module share: the readers of the
 * parts (one per table) and the per-student offsets they build. Nothing
 * outside src/panel includes it. */
#ifndef SLDS_PANEL_INTERNAL_H
#define SLDS_PANEL_INTERNAL_H

#include "panel/panel.h"

/* scores.c: the scores, which decide the students (always read first). */
int panel_read_scores(slds_store *s, const slds_panel_options *o, slds_panel *p,
                      const slds_progress *progress, slds_error *err);
/* rosters.c, enrollments.c, attributes.c: the other parts, for the panel's
 * students and years. */
int panel_read_rosters(slds_store *s, const slds_panel_options *o, slds_panel *p, slds_error *err);
int panel_read_enrollments(slds_store *s, const slds_panel_options *o, slds_panel *p,
                           slds_error *err);
int panel_read_demographics(slds_store *s, const slds_panel_options *o, slds_panel *p,
                            slds_error *err);
int panel_read_attributes(slds_store *s, const slds_panel_options *o, slds_panel *p,
                          slds_error *err);

/* The day number of an ISO date column, SLDS_PANEL_NO_DAY when NULL or not a date. */
int32_t panel_day(const slds_cursor *c, int col);

/* Runs sql (through the store's cursor) with ?1, ?2 bound to the first and
 * last year of the parts (parts_lo, parts_hi) and calls fn for every row whose column 0 is the id
 * of one of the panel's students (i its index); stops at fn's first non-zero return. */
typedef int (*panel_row_fn)(void *ctx, slds_panel *p, const slds_cursor *c, uint32_t i,
                            slds_error *err);
int panel_walk(slds_store *s, slds_panel *p, const char *sql, panel_row_fn fn, void *ctx,
               slds_error *err);

/* Rows of one part as read (any student order), each with the student it
 * belongs to; grouped by student at the end. Zero-initialise with the
 * element size set. */
typedef struct panel_rows {
    size_t size; /* bytes per row */
    unsigned char *v;
    uint32_t *owner;
    size_t n, cap;
} panel_rows;

/* A new row of student i (NULL when out of memory, err set). */
void *panel_rows_push(panel_rows *r, uint32_t i, slds_error *err);
/* When rc is SLDS_OK, moves the rows, grouped by student (stable), into
 * *out (malloc'ed) with *start[i] .. *start[i + 1] the rows of student i
 * (n + 1 entries) and their number in *count; frees r in any case. Returns
 * rc, or the grouping's failure. */
int panel_rows_group(panel_rows *r, int rc, size_t n, size_t **start, void **out, size_t *count,
                     slds_error *err);
void panel_rows_free(panel_rows *r);

#endif
