/* calendar.c - school calendars (see calendar.h); the civil dates are
 * core's (core/core.h). */
#include "synth/calendar.h"

#include <stdlib.h>

/* The n-th (1-based) given weekday of a month; n = -1 means the last one. */
static int32_t nth_weekday(int year, int month, int weekday, int n)
{
    if (n > 0) {
        int32_t first = (int32_t)slds_days_from_civil(year, month, 1);
        int shift = (weekday - slds_weekday(first) + 7) % 7;
        return first + shift + 7 * (n - 1);
    }
    int32_t last = (int32_t)slds_days_from_civil(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) - 1;
    int shift = (slds_weekday(last) - weekday + 7) % 7;
    return last - shift;
}

static int is_holiday(int year, int32_t day)
{
    int32_t labor = nth_weekday(year - 1, 9, 0, 1);
    int32_t thanksgiving = nth_weekday(year - 1, 11, 3, 4);
    int32_t mlk = nth_weekday(year, 1, 0, 3);
    int32_t presidents = nth_weekday(year, 2, 0, 3);
    int32_t memorial = nth_weekday(year, 5, 0, -1);
    /* Spring break: the week starting on the last Monday of March that has a
     * full week left in the month. */
    int32_t spring = nth_weekday(year, 3, 0, -1);
    if (spring + 4 > (int32_t)slds_days_from_civil(year, 3, 31))
        spring -= 7;
    if (day == labor || day == mlk || day == presidents || day == memorial)
        return 1;
    if (day >= thanksgiving - 1 && day <= thanksgiving + 1)
        return 1;
    if (day >= (int32_t)slds_days_from_civil(year - 1, 12, 23) && day <= (int32_t)slds_days_from_civil(year, 1, 2))
        return 1;
    if (day >= spring && day <= spring + 4)
        return 1;
    return 0;
}

int synth_calendar_init(synth_calendar *cal, int year)
{
    cal->year = year;
    cal->first_day = (int32_t)slds_days_from_civil(year - 1, 8, 20);
    while (slds_weekday(cal->first_day) >= 5)
        cal->first_day++;
    cal->last_day = (int32_t)slds_days_from_civil(year, 6, 10);
    while (slds_weekday(cal->last_day) >= 5)
        cal->last_day--;
    int span = cal->last_day - cal->first_day + 1;
    cal->day_at = malloc((size_t)span * sizeof *cal->day_at);
    cal->count_before = malloc((size_t)(span + 1) * sizeof *cal->count_before);
    if (!cal->day_at || !cal->count_before) {
        synth_calendar_free(cal);
        return -1;
    }
    int n = 0;
    for (int i = 0; i < span; i++) {
        int32_t day = cal->first_day + i;
        cal->count_before[i] = (uint16_t)n;
        if (slds_weekday(day) < 5 && !is_holiday(year, day))
            cal->day_at[n++] = day;
    }
    cal->count_before[span] = (uint16_t)n;
    cal->n_days = n;
    return 0;
}

void synth_calendar_free(synth_calendar *cal)
{
    free(cal->day_at);
    free(cal->count_before);
    cal->day_at = NULL;
    cal->count_before = NULL;
}

static int clip_offset(const synth_calendar *cal, int32_t day)
{
    if (day < cal->first_day)
        return 0;
    if (day > cal->last_day)
        return cal->last_day - cal->first_day + 1;
    return day - cal->first_day;
}

int synth_school_days(const synth_calendar *cal, int32_t from, int32_t to)
{
    if (from < cal->first_day)
        from = cal->first_day;
    if (to > cal->last_day)
        to = cal->last_day;
    if (to < from)
        return 0;
    return cal->count_before[to - cal->first_day + 1] - cal->count_before[from - cal->first_day];
}

int synth_day_index(const synth_calendar *cal, int32_t day)
{
    return cal->count_before[clip_offset(cal, day)];
}

int synth_is_school_day(const synth_calendar *cal, int32_t day)
{
    if (day < cal->first_day || day > cal->last_day)
        return 0;
    int off = day - cal->first_day;
    return cal->count_before[off + 1] != cal->count_before[off];
}
