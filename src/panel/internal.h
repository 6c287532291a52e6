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
int panel_read_rosters(slds_store *s, const slds_panel_options *o, slds_panel *p,
                       slds_error *err);
int panel_read_enrollments(slds_store *s, const slds_panel_options *o, slds_panel *p,
                           slds_error *err);
int panel_read_attributes(slds_store *s, const slds_panel_options *o, slds_panel *p,
                          slds_error *err);

/* The day number of an ISO date column, SLDS_PANEL_NO_DAY when NULL or not a date. */
int32_t panel_day(sqlite3_stmt *st, int col);

/* Per-student offsets of items given in any order by owner: start[i] ..
 * start[i + 1] for i < n (start has n + 1 entries), and order[k] the
 * position of item k once grouped by owner (stable). Both malloc'ed. */
int panel_group_by_student(const uint32_t *owner, size_t n_items, size_t n, size_t **start,
                           size_t **order, slds_error *err);

#endif
