/* sort.c - the small sort of doubles built on SLDS_INSERTION_SORT (core.h). */
#include "core/core.h"

#define DOUBLE_LESS(a, b) ((a) < (b))

void slds_sort_small(double *v, size_t n)
{
    SLDS_INSERTION_SORT(double, v, n, DOUBLE_LESS);
}
