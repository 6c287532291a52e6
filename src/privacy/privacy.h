/* privacy.h - public-reporting suppression of result tables: no figure about
 * a group smaller than a minimum size is published, and no suppressed figure
 * can be recovered by subtraction from a published total and its siblings.
 * The report registry (src/report) applies it, once, to every table of a
 * report asked for in public form; a report never suppresses on its own.
 *
 * The table's columns say what they are (table.h, slds_column_role): the
 * group's size n (SIZE), counts of the group (COUNT, optionally part of a
 * total column of the same row: sums_to), rates/means/medians (STATISTIC,
 * derived from a count: derives_from, else from n), and the columns whose
 * values make rows siblings (PARTITION: rows equal in every partition column
 * are parts of one whole, e.g. the schools of a subject and year).
 *
 * Rules (docs/report.md):
 *  1. primary: a row whose n is below the minimum has every SIZE, COUNT and
 *     STATISTIC cell suppressed; a COUNT cell above 0 and below the minimum
 *     is suppressed;
 *  2. derived: a STATISTIC is suppressed when the count it derives from is;
 *     a row's counts and statistics are suppressed when its n is;
 *  3. complementary across rows: in each set of siblings, for each SIZE or
 *     COUNT column, when exactly one cell is suppressed the smallest shown
 *     cell of that column is suppressed too;
 *  4. complementary across columns: in each row, among the parts of a total
 *     (sums_to), when exactly one is suppressed the smallest shown part is
 *     suppressed too (the total when no other part is shown);
 *  5. complementary across declared totals (slds_table_declare_total: a
 *     district and its schools, all students and a set of subgroups that
 *     partition them, all grades and each grade): in each SIZE or COUNT
 *     column, when exactly one cell of {total} + parts is suppressed, the
 *     smallest shown part is suppressed too (the total when no part is
 *     shown; a total published elsewhere counts as shown);
 *  6. ranges: a shown rate (a STATISTIC with a denominator, in percent)
 *     whose denominator d is shown and falls in a band of rules.bands is
 *     shown as "≤b%" when at or below the band's bottom b and "≥(100-b)%"
 *     when at or above 100 - b; its numerator count is then suppressed in
 *     that row (with it the rate would be exact again), and so are the
 *     row's statistics derived from n alone (a gap between two rates would
 *     give the coded one away). A rate is also
 *     suppressed when its denominator is (rule 2: with the numerator the
 *     denominator would be exact);
 *  7. intervals (NCES 2011-603's recommendation: groups of at least the
 *     minimum show their rates, coarsened where exact figures would give a
 *     hidden cell away): a rate (a STATISTIC with a numerator and a
 *     denominator) that rule 2 would suppress because its numerator or
 *     denominator is hidden, in a row whose n is shown and whose denominator
 *     is at least the minimum, is shown instead as the interval of width b
 *     (the band's bottom code of its denominator) that holds it -- "40-45%",
 *     "≤b%" at the bottom, "≥(100-b)%" at the top -- or, when its hidden
 *     numerator is a small count, "≤B%" with B (on the same step) the rate
 *     of min - 1 students; its numerator is then hidden (with the interval
 *     it would give the hidden denominator back) and so are the row's
 *     statistics of the whole row, as in rule 6. Off with the bands
 *     (nbands 0) or rules.intervals false;
 *  rules 2-7 repeat until a round changes nothing (a fixed point).
 *
 * Design notes (invariants, each with its test in tests/privacy/test_privacy.c):
 *  I1. No SIZE, COUNT or STATISTIC cell of a row with n < min is shown
 *      (test_primary_rows).
 *  I2. No shown COUNT cell is above 0 and below min (test_primary_small_counts).
 *  I3. In every sibling set, every SIZE or COUNT column has 0 or at least 2
 *      suppressed cells (test_complementary_rows, test_two_rounds).
 *  I4. In every row, the parts of a shown total have 0 or at least 2
 *      suppressed (test_complementary_columns, test_two_rounds).
 *  I5. A STATISTIC is never shown exactly when its base count or its
 *      denominator is suppressed: it is suppressed, or coded by rule 6 or
 *      rule 7 (test_primary_small_counts, test_intervals). Changed with rule
 *      7 (before: never shown at all), so that a public report card shows
 *      the proficiency rate of a school whose few untested students hide
 *      its count tested.
 *  I6. Suppression only adds marks: PLAIN and PARTITION cells and values are
 *      never changed, and a second pass suppresses nothing more
 *      (test_fixed_point).
 *  I7. Along every declared total, each SIZE or COUNT column has 0 or at
 *      least 2 unknown cells among {total} + parts (tests/privacy/
 *      test_privacy_properties.c, random tables).
 *  I8. A rate whose denominator is shown is shown as a range by rule 6
 *      exactly when rule 6 says so, its numerator is then hidden, and no
 *      exact rate is shown whose numerator or denominator is hidden
 *      (test_privacy_properties.c).
 *  I9. A rate coded by rule 7 belongs to a row whose n is shown, has a
 *      denominator of at least the minimum and a hidden numerator, and its
 *      interval has the width of its denominator's band, so that at least
 *      two numerators fit it: the hidden counts are never pinned by it
 *      (test_privacy_properties.c, test_intervals).
 */
#ifndef SLDS_PRIVACY_H
#define SLDS_PRIVACY_H

#include <stddef.h>

#include "core/core.h"
#include "table/table.h"

/* One band of the range rule: for a rate over a denominator of at least
 * min_n, values at or below bottom percent are shown "≤bottom%" and values at
 * or above 100 - bottom "≥(100-bottom)%". */
typedef struct slds_privacy_band {
    int min_n;
    double bottom;
} slds_privacy_band;

#define SLDS_PRIVACY_MAX_BANDS 8

typedef struct slds_privacy_rules {
    int min_n; /* minimum group size published (default 10) */
    /* Rule 6, ranges near 0 % and 100 % (default on, the bands of NCES
     * 2011-603 as docs/privacy.md states): bands by descending min_n; a
     * denominator below every band's min_n is not coded. nbands 0: off. */
    int nbands;
    slds_privacy_band bands[SLDS_PRIVACY_MAX_BANDS];
    /* Rule 7 (default on; needs the bands): a rate of a shown group whose
     * numerator or denominator is hidden is shown as an interval of its
     * band's width instead of being suppressed. */
    bool intervals;
} slds_privacy_rules;

void slds_privacy_rules_default(slds_privacy_rules *r);

typedef struct slds_privacy_result {
    size_t primary;       /* cells suppressed by rule 1 */
    size_t secondary;     /* cells suppressed by rules 2-6 */
    size_t ranges;        /* rates shown as ranges by rule 6 */
    size_t intervals;     /* rates shown coarsened by rule 7 instead of suppressed */
    int rounds;           /* rounds of rules 2-4 that suppressed something */
} slds_privacy_result;

/* Suppresses cells of t in place (marks: renderers show "*" / null). A table
 * without a SIZE column is left as it is (it describes no group of people).
 * SLDS_ERR_USAGE when min_n < 1 or the table has more than one SIZE column;
 * SLDS_ERR_NOMEM. res may be NULL. */
int slds_privacy_suppress(slds_table *t, const slds_privacy_rules *rules,
                          slds_privacy_result *res, slds_error *err);

#endif
