/* calendar.h - the generator's school calendar of a school year (first and
 * last day, holidays, the instructional days in between), on core's day
 * numbers (days since 1970-01-01, core/core.h). */
#ifndef SLDS_SYNTH_CALENDAR_H
#define SLDS_SYNTH_CALENDAR_H

#include <stdint.h>

#include "core/core.h"

/* The school calendar of one school year (which ends in `year`): it runs
 * from the first weekday on or after (year-1)-08-20 to the last weekday on or
 * before year-06-10, less Labor Day, Thanksgiving (Wed-Fri), a winter break
 * (Dec 23 - Jan 2), Martin Luther King Day, Presidents' Day, a spring break
 * (the last full week of March) and Memorial Day. */
typedef struct synth_calendar {
    int year;
    int32_t first_day, last_day;
    int n_days;             /* instructional days in the year */
    int32_t *day_at;        /* [n_days]: the i-th instructional day */
    uint16_t *count_before; /* [last_day - first_day + 2]: instructional days before each date */
} synth_calendar;

int synth_calendar_init(synth_calendar *cal, int year); /* 0 or -1 (no memory) */
void synth_calendar_free(synth_calendar *cal);

/* Instructional days in [from, to] (both clipped to the school year). */
int synth_school_days(const synth_calendar *cal, int32_t from, int32_t to);
/* Index of the first instructional day on or after `day` (n_days if none). */
int synth_day_index(const synth_calendar *cal, int32_t day);
/* True if `day` is an instructional day. */
int synth_is_school_day(const synth_calendar *cal, int32_t day);

#endif
