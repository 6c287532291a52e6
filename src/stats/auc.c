/* auc.c - the pooled area under the ROC curve, exactly: the Mann-Whitney
 * statistic from ranks, tied scores sharing their mean rank (so a tie between
 * a positive and a negative counts one half, as in scikit-learn's
 * roc_auc_score). */
#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

typedef struct scored {
    double score;
    uint8_t label;
} scored;

static int by_score(const void *a, const void *b)
{
    double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return x < y ? -1 : x > y;
}

double slds_auc(const double *score, const uint8_t *label, size_t n, slds_error *err)
{
    scored *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        slds_fail(err, SLDS_ERR_NOMEM, "auc: out of memory (%zu rows)", n);
        return NAN;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(score[i]))
            v[m++] = (scored){score[i], label[i] ? 1 : 0};
    qsort(v, m, sizeof *v, by_score);
    /* Sum of the (mid)ranks of the positives, ranks 1..m. */
    double rank_sum = 0, pos = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        double p_in_tie = 0;
        while (j < m && v[j].score == v[i].score)
            p_in_tie += v[j++].label;
        double mid = ((double)(i + 1) + (double)j) / 2.0; /* mean of ranks i+1..j */
        rank_sum += p_in_tie * mid;
        pos += p_in_tie;
        i = j;
    }
    free(v);
    double neg = (double)m - pos;
    if (pos == 0 || neg == 0)
        return NAN;
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}
