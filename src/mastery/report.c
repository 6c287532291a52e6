/* report.c - the mastery-progression report of the registry (src/report):
 * the summary of students eligible to move on, by state, district and school,
 * publishable (counts and rates only; public runs are suppressed by the
 * registry). The named list is `slds mastery progression`. */
#include <stdlib.h>

#include "mastery/mastery.h"

const slds_report_param slds_mastery_progression_params[] = {
    {"year", SLDS_PARAM_INTEGER, false, "school year of enrollment (default: the latest)"},
    {"subject", SLDS_PARAM_TEXT, false, "one subject (default: every subject)"},
    {"threshold", SLDS_PARAM_REAL, false, "P(mastery) at which a standard is mastered (default 0.95)"}};

int slds_mastery_progression_report(slds_store *s, const slds_report_args *args,
                                    slds_report_output *out, slds_error *err)
{
    double threshold = slds_report_arg_real(args, "threshold", SLDS_MASTERY_THRESHOLD);
    if (!(threshold > 0 && threshold < 1))
        return slds_fail(err, SLDS_ERR_USAGE, "report mastery-progression: --threshold is in (0, 1)");
    slds_table *t;
    int rc = slds_mastery_progression_summary(s, (int)slds_report_arg_integer(args, "year", 0),
                                              slds_report_arg(args, "subject"), threshold, &t, err);
    return rc ? rc : slds_report_output_add(out, t, err);
}
