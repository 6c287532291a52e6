/* test_parallel.c - unit tests of core's thread pool (slds_parallel_for)
 * and small sort: a parallel for on 1..4 threads gives what the serial loop
 * gives, every task runs exactly once, the share of idle threads a task is
 * told, the first error stops the pool and is returned with its message,
 * and the insertion sort orders like a reference sort and is stable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

enum { N_TASKS = 257 };

typedef struct work {
    double out[N_TASKS];
    int runs[N_TASKS];
    int threads[N_TASKS];
    int fail_at;
} work;

/* Some arithmetic whose result depends on i only. */
static double value_of(int i)
{
    double v = 0.0;
    for (int k = 1; k <= 1000; k++)
        v += sin((double)i * k) / k;
    return v;
}

static int task(void *ctx, int i, int threads, slds_error *err)
{
    work *w = ctx;
    w->runs[i]++;
    w->threads[i] = threads;
    w->out[i] = value_of(i);
    if (i == w->fail_at)
        return slds_fail(err, SLDS_ERR_NUMERIC, "task %d failed", i);
    /* Tasks after a failing one take a millisecond: otherwise, while the
     * failing thread is descheduled on a busy machine, the other threads
     * could take all the remaining tasks before the failure is noted (the
     * pool skips only tasks not started), and "the rest stopped" below
     * would fail by timing, not by a fault of the pool. */
    if (w->fail_at > 0 && i > w->fail_at)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    return SLDS_OK;
}

static void test_equals_serial_loop(void **state)
{
    (void)state;
    double serial[N_TASKS];
    for (int i = 0; i < N_TASKS; i++)
        serial[i] = value_of(i);
    for (int t = 1; t <= 4; t++) {
        work *w = calloc(1, sizeof *w);
        assert_non_null(w);
        w->fail_at = -1;
        slds_error err = {0};
        assert_int_equal(slds_parallel_for(N_TASKS, t, task, w, NULL, NULL, &err), SLDS_OK);
        for (int i = 0; i < N_TASKS; i++) {
            assert_int_equal(w->runs[i], 1);
            assert_memory_equal(&w->out[i], &serial[i], sizeof serial[i]); /* to the bit */
        }
        free(w);
    }
}

static void test_share_of_idle_threads(void **state)
{
    (void)state;
    work *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->fail_at = -1;
    /* 2 tasks on 4 threads: the first may use 4 / 2 = 2, the last 4 / 1 = 4 */
    assert_int_equal(slds_parallel_for(2, 4, task, w, NULL, NULL, NULL), SLDS_OK);
    assert_int_equal(w->threads[0], 2);
    assert_int_equal(w->threads[1], 4);
    /* more tasks than threads: one each until fewer remain */
    memset(w, 0, sizeof *w);
    w->fail_at = -1;
    assert_int_equal(slds_parallel_for(10, 3, task, w, NULL, NULL, NULL), SLDS_OK);
    assert_int_equal(w->threads[0], 1);
    assert_int_equal(w->threads[7], 1);
    assert_int_equal(w->threads[8], 1); /* 2 remain of 3 threads: 3 / 2 */
    assert_int_equal(w->threads[9], 3);
    free(w);
}

static void test_first_error_stops(void **state)
{
    (void)state;
    for (int t = 1; t <= 4; t++) {
        work *w = calloc(1, sizeof *w);
        assert_non_null(w);
        w->fail_at = 5;
        slds_error err = {0};
        assert_int_equal(slds_parallel_for(N_TASKS, t, task, w, NULL, NULL, &err),
                         SLDS_ERR_NUMERIC);
        assert_int_equal(err.code, SLDS_ERR_NUMERIC);
        assert_string_equal(err.message, "task 5 failed");
        int ran = 0;
        for (int i = 0; i < N_TASKS; i++) {
            assert_true(w->runs[i] <= 1);
            ran += w->runs[i];
        }
        assert_true(ran >= 6 && ran < N_TASKS); /* 0..5 ran, the rest stopped */
        if (t == 1)
            assert_int_equal(ran, 6);
        free(w);
    }
    assert_int_equal(slds_parallel_for(0, 4, task, NULL, NULL, NULL, NULL), SLDS_OK);
}

static void test_cpu_count(void **state)
{
    (void)state;
    assert_true(slds_cpu_count() >= 1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct keyed {
    int key, order;
} keyed;

#define KEY_LESS(a, b) ((a).key < (b).key)

static void test_small_sort(void **state)
{
    (void)state;
    uint64_t h = 42;
    for (size_t n = 0; n <= 40; n++) {
        double v[40], ref[40];
        for (size_t k = 0; k < n; k++) {
            h = h * 6364136223846793005ull + 1442695040888963407ull;
            v[k] = ref[k] = (double)(h >> 40) / 1000.0 - (double)(k % 3);
        }
        slds_sort_small(v, n);
        qsort(ref, n, sizeof *ref, cmp_double);
        if (n)
            assert_memory_equal(v, ref, n * sizeof *v);
    }
    keyed k[8] = {{3, 0}, {1, 1}, {3, 2}, {2, 3}, {1, 4}, {3, 5}, {0, 6}, {2, 7}};
    SLDS_INSERTION_SORT(keyed, k, 8, KEY_LESS);
    static const keyed want[8] = {{0, 6}, {1, 1}, {1, 4}, {2, 3}, {2, 7}, {3, 0}, {3, 2}, {3, 5}};
    for (int i = 0; i < 8; i++) { /* equal keys keep their order */
        assert_int_equal(k[i].key, want[i].key);
        assert_int_equal(k[i].order, want[i].order);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equals_serial_loop), cmocka_unit_test(test_share_of_idle_threads),
        cmocka_unit_test(test_first_error_stops),  cmocka_unit_test(test_cpu_count),
        cmocka_unit_test(test_small_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
