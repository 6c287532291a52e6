/* test_modelcache.c - the models and cut scores a growth chart reads are
 * kept with the connection (src/growthrun/modelcache.c): a history read
 * again on the same connection is the same as on a new one, and a new run of
 * the year (a new stamp in growth_runs) is seen by a connection that kept
 * the old run's models. A small state made here: MATH grades 3-6 over
 * 2019-2022, growth run for 2022. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "growthrun/growthrun.h"
#include "../db.h"

/* n students per starting year, MATH grades 3-6 in 2019-2022 (tests/db.h). */
static void make_state(slds_store *s, int n)
{
    insert_math_cohorts(s, 12345, 2016, 2019, 0, n);
}

static slds_growth_config *config(void)
{
    char json[2048];
    int len = snprintf(json, sizeof json,
                       "{\"slds_growth_config\": 1, \"options\": {\"max_order\": 2},"
                       " \"subjects\": {\"MATH\": {");
    for (int g = 3; g <= 6; g++) {
        double b = 300.0 + 25.0 * g;
        len += snprintf(json + len, sizeof json - (size_t)len,
                        "%s\"%d\": {\"knots\": [%g, %g, %g, %g], \"boundaries\": [%g, %g],"
                        " \"loss_hoss\": [%g, %g], \"cuts\": [%g, %g]}",
                        g > 3 ? ", " : "", g, b + 18, b + 36, b + 54, b + 72, b - 60, b + 150,
                        b - 60, b + 150, b + 30, b + 50);
    }
    snprintf(json + len, sizeof json - (size_t)len, "}}}");
    slds_growth_config *cfg = NULL;
    slds_error err = {0};
    if (slds_growth_config_parse(json, strlen(json), "test.json", &cfg, &err))
        fail_msg("%s", err.message);
    return cfg;
}

static slds_growth_history *history(slds_store *s, const char *id)
{
    slds_growth_history *h = NULL;
    slds_error err = {0};
    if (slds_growthrun_history(s, id, &h, &err))
        fail_msg("%s", err.message);
    assert_int_equal(h->n_fans, 1);
    return h;
}

/* The same chart data: entries and fans, to the bit. */
static void assert_same(const slds_growth_history *a, const slds_growth_history *b)
{
    assert_int_equal(a->n_entries, b->n_entries);
    assert_int_equal(a->n_fans, b->n_fans);
    assert_memory_equal(a->entries, b->entries, a->n_entries * sizeof *a->entries);
    assert_memory_equal(a->fans, b->fans, (size_t)a->n_fans * sizeof *a->fans);
}

static slds_store *reader(const char *path)
{
    slds_store *s = NULL;
    slds_error err = {0};
    if (slds_store_open_readonly(&s, path, &err))
        fail_msg("%s", err.message);
    return s;
}

static void test_kept_models(void **state)
{
    (void)state;
    char path[64];
    slds_store *w = open_temp(path, sizeof path);
    slds_error err = {0};
    make_state(w, 120);
    slds_growth_config *cfg = config();
    slds_growthrun_options o;
    slds_growthrun_options_default(&o);
    o.school_year = 2022;
    o.config = cfg;
    o.n_threads = 2;
    slds_growthrun_result res;
    if (slds_growthrun_run(w, &o, NULL, &res, &err))
        fail_msg("%s", err.message);
    slds_growthrun_result_free(&res);

    /* a grade-4 student of 2022: the fan runs through the models of grades 5 and 6 */
    const char *id = "y2021_007";
    slds_store *r = reader(path);
    slds_growth_history *first = history(r, id);
    assert_int_equal(first->fans[0].from_grade, 4);
    assert_int_equal(first->fans[0].n_ahead, 2);
    assert_int_equal(first->fans[0].n_cut_grades, 4); /* 3 (2021), 4 (2022), 5, 6 */
    slds_growth_history *again = history(r, id); /* from the kept models */
    assert_same(first, again);
    slds_store *fresh = reader(path);
    slds_growth_history *other = history(fresh, id);
    assert_same(first, other);
    slds_growthrun_history_free(again);
    slds_growthrun_history_free(other);
    slds_store_close(fresh);

    /* another run of 2022 (here: its grade-6 model gone, a new stamp): the
     * connection that kept the old models sees the new run */
    exec(w, "DELETE FROM growth_models WHERE school_year = 2022 AND grade = 6;"
            " DELETE FROM growth_priors WHERE school_year = 2022 AND grade = 6;"
            " UPDATE growth_runs SET run_at = run_at || '.2' WHERE school_year = 2022");
    slds_growth_history *after = history(r, id);
    assert_int_equal(after->fans[0].n_ahead, 1);
    fresh = reader(path);
    other = history(fresh, id);
    assert_same(after, other);
    assert_true(first->fans[0].projection[2][0] == after->fans[0].projection[2][0]);
    slds_growthrun_history_free(other);
    slds_growthrun_history_free(after);
    slds_growthrun_history_free(first);
    slds_store_close(fresh);
    slds_store_close(r);
    slds_growth_config_free(cfg);
    close_temp(w, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
