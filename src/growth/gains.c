/* gains.c - gains in grade levels on vertical scales: a student's one-year
 * gain divided by what a grade level is worth, either the typical (median)
 * one-year gain of the grade and subject in a reference year, or the gap
 * between the median scores of adjacent grades. Medians are R's median(). */
#include <math.h>

#include "growth/growth.h"

int slds_gain_typical(const double *gains, size_t n, double *typical, slds_error *err)
{
    double m = slds_median(gains, n);
    if (isnan(m))
        return slds_fail(err, SLDS_ERR_USAGE, "typical gain of no (non-missing) gain");
    *typical = m;
    return SLDS_OK;
}

int slds_gain_grade_gap(const double *lower, size_t n_lower, const double *upper, size_t n_upper,
                        double *gap, slds_error *err)
{
    double lo = slds_median(lower, n_lower), hi = slds_median(upper, n_upper);
    if (isnan(lo) || isnan(hi))
        return slds_fail(err, SLDS_ERR_USAGE, "grade gap needs scores in both grades");
    *gap = hi - lo;
    return SLDS_OK;
}

int slds_gain_in_grade_levels(const double *gain, size_t n, double per_grade, double *out,
                              slds_error *err)
{
    if (!(per_grade > 0.0) || !isfinite(per_grade))
        return slds_fail(err, SLDS_ERR_NUMERIC,
                         "a grade level is worth %g scale points; it must be positive (is the "
                         "scale vertical?)",
                         per_grade);
    for (size_t i = 0; i < n; i++)
        out[i] = gain[i] / per_grade;
    return SLDS_OK;
}
