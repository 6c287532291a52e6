/* test_rating.c - the rating configurations: every preset parses; points and
 * categories of each preset on and either side of its bounds; bad
 * configurations refused with their reason (weights not summing to 100%,
 * growth not significant, overlapping cuts, a gap, a bound without its
 * inclusiveness, fewer than 4 categories, a decision naming no category). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "educator/educator.h"

static void load(const char *name, slds_rating_config *c)
{
    slds_error err = {0};
    int rc = slds_rating_config_load(name, c, &err);
    if (rc)
        fail_msg("%s: %s", name, err.message);
}

static const char *category(const slds_rating_config *c, double v)
{
    int k = slds_rating_category(c, v);
    return k < 0 ? "(none)" : c->categories[k].label;
}

static double points(const slds_rating_measure *m, double v)
{
    double p = NAN;
    return slds_rating_points(m, v, &p) ? NAN : p;
}

static void test_colorado(void **state)
{
    (void)state;
    slds_rating_config c;
    load("colorado", &c);
    assert_int_equal(c.n_categories, 4);
    assert_int_equal(c.n_measures, 2);
    assert_true(c.measures[0].weight == 50); /* growth is half */
    /* median SGP bands [1,35) [35,50) [50,65) [65,99] */
    assert_true(points(&c.measures[0], 34.999) == 1);
    assert_true(points(&c.measures[0], 35) == 2);
    assert_true(points(&c.measures[0], 50) == 3);
    assert_true(points(&c.measures[0], 65) == 4);
    assert_true(points(&c.measures[0], 99) == 4);
    assert_true(isnan(points(&c.measures[0], 0.5)));
    /* observation linear 1..4, clipped */
    assert_true(points(&c.measures[1], 2.5) == 2.5);
    assert_true(points(&c.measures[1], 5) == 4);
    assert_string_equal(category(&c, 1.75), "Partially Effective");
    assert_string_equal(category(&c, 1.7499), "Ineffective");
    assert_string_equal(category(&c, 2.5), "Effective");
    assert_string_equal(category(&c, 3.25), "Highly Effective");
    assert_string_equal(category(&c, 4), "Highly Effective");
    assert_string_equal(category(&c, 4.01), "(none)");
}

static void test_tennessee(void **state)
{
    (void)state;
    slds_rating_config c;
    load("tennessee", &c);
    assert_int_equal(c.n_categories, 5);
    assert_true(c.measures[0].weight == 35 && c.measures[1].weight == 15 &&
                c.measures[2].weight == 50);
    assert_true(points(&c.measures[0], -2) == 200);
    assert_true(points(&c.measures[0], -2.0001) == 100);
    assert_true(points(&c.measures[0], 1) == 400);
    assert_true(points(&c.measures[0], 0.999) == 300);
    assert_true(points(&c.measures[1], 80) == 500);
    assert_true(points(&c.measures[2], 2.5) == 300);
    /* a teacher at 300 growth, 300 achievement, 300 observation: 300 */
    assert_string_equal(category(&c, 275), "At Expectations");
    assert_string_equal(category(&c, 274.99), "Below Expectations");
    assert_string_equal(category(&c, 425), "Significantly Above Expectations");
    assert_string_equal(category(&c, 500), "Significantly Above Expectations");
    assert_string_equal(category(&c, 100), "Significantly Below Expectations");
}

static void test_dc(void **state)
{
    (void)state;
    slds_rating_config c;
    load("dc", &c);
    assert_int_equal(c.n_categories, 5);
    assert_true(points(&c.measures[0], 0) == 250);
    assert_true(points(&c.measures[0], -3) == 100);
    assert_true(points(&c.measures[1], 4) == 400);
    assert_string_equal(category(&c, 199.999), "Ineffective");
    assert_string_equal(category(&c, 200), "Minimally Effective");
    assert_string_equal(category(&c, 250), "Developing");
    assert_string_equal(category(&c, 300), "Effective");
    assert_string_equal(category(&c, 350), "Highly Effective");
    assert_string_equal(category(&c, 400), "Highly Effective");
    assert_int_equal(c.n_decisions, 5);
}

/* A configuration built from parts, to break one thing at a time. */
static int parse_with(const char *measures, const char *categories, slds_error *err)
{
    char text[4096];
    snprintf(text, sizeof text, "{\"measures\": [%s], \"categories\": [%s]}", measures,
             categories);
    slds_rating_config c;
    return slds_rating_config_parse(text, strlen(text), "bad.json", &c, err);
}

#define GROWTH(w) "{\"name\": \"g\", \"source\": \"mean_sgp\", \"weight\": " #w ", \"linear\": {\"from\": [1, 99], \"to\": [1, 4]}}"
#define OBS(w) "{\"name\": \"o\", \"source\": \"observation\", \"observation\": \"OBSERVATION\", \"weight\": " #w ", \"linear\": {\"from\": [1, 4], \"to\": [1, 4]}}"
#define CATS4 "{\"label\": \"A\", \"from\": 1, \"to\": 2, \"bounds\": \"[)\"}, {\"label\": \"B\", \"from\": 2, \"to\": 3, \"bounds\": \"[)\"}, {\"label\": \"C\", \"from\": 3, \"to\": 3.5, \"bounds\": \"[)\"}, {\"label\": \"D\", \"from\": 3.5, \"to\": 4, \"bounds\": \"[]\"}"

static void test_bad_configs(void **state)
{
    (void)state;
    slds_error err = {0};
    assert_int_equal(parse_with(GROWTH(50) "," OBS(50), CATS4, &err), 0);
    assert_int_equal(parse_with(GROWTH(50) "," OBS(40), CATS4, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "weights sum to 90%, not 100%"));
    assert_int_equal(parse_with(GROWTH(10) "," OBS(90), CATS4, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "growth must be a significant factor"));
    assert_non_null(strstr(err.message, "weighs 10%"));
    assert_int_equal(parse_with(OBS(100), CATS4, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "growth weighs 0%"));
    /* overlapping cuts: B ends at 3 inclusive, C starts at 3 inclusive */
    assert_int_equal(parse_with(GROWTH(50) "," OBS(50),
                                "{\"label\": \"A\", \"from\": 1, \"to\": 2, \"bounds\": \"[)\"},"
                                "{\"label\": \"B\", \"from\": 2, \"to\": 3, \"bounds\": \"[]\"},"
                                "{\"label\": \"C\", \"from\": 3, \"to\": 3.5, \"bounds\": \"[)\"},"
                                "{\"label\": \"D\", \"from\": 3.5, \"to\": 4, \"bounds\": \"[]\"}",
                                &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "category 2 (B) and category 3 (C) overlap (3 is in both)"));
    assert_int_equal(parse_with(GROWTH(50) "," OBS(50),
                                "{\"label\": \"A\", \"from\": 1, \"to\": 2.5, \"bounds\": \"[)\"},"
                                "{\"label\": \"B\", \"from\": 2, \"to\": 3, \"bounds\": \"[)\"},"
                                "{\"label\": \"C\", \"from\": 3, \"to\": 3.5, \"bounds\": \"[)\"},"
                                "{\"label\": \"D\", \"from\": 3.5, \"to\": 4, \"bounds\": \"[]\"}",
                                &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "overlap"));
    /* a gap: both exclude 2 */
    assert_int_equal(parse_with(GROWTH(50) "," OBS(50),
                                "{\"label\": \"A\", \"from\": 1, \"to\": 2, \"bounds\": \"[)\"},"
                                "{\"label\": \"B\", \"from\": 2, \"to\": 3, \"bounds\": \"()\"},"
                                "{\"label\": \"C\", \"from\": 3, \"to\": 3.5, \"bounds\": \"[)\"},"
                                "{\"label\": \"D\", \"from\": 3.5, \"to\": 4, \"bounds\": \"[]\"}",
                                &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "a value of 2 belongs to neither"));
    /* bounds not stated */
    assert_int_equal(parse_with(GROWTH(50) "," OBS(50),
                                "{\"label\": \"A\", \"from\": 1, \"to\": 2},"
                                "{\"label\": \"B\", \"from\": 2, \"to\": 3, \"bounds\": \"[)\"},"
                                "{\"label\": \"C\", \"from\": 3, \"to\": 3.5, \"bounds\": \"[)\"},"
                                "{\"label\": \"D\", \"from\": 3.5, \"to\": 4, \"bounds\": \"[]\"}",
                                &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "must state its bounds' inclusiveness"));
    /* three categories */
    assert_int_equal(parse_with(GROWTH(50) "," OBS(50),
                                "{\"label\": \"A\", \"from\": 1, \"to\": 2, \"bounds\": \"[)\"},"
                                "{\"label\": \"B\", \"from\": 2, \"to\": 3, \"bounds\": \"[)\"},"
                                "{\"label\": \"C\", \"from\": 3, \"to\": 4, \"bounds\": \"[]\"}",
                                &err),
                     SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "at least 4 rating categories"));
    /* not JSON */
    slds_rating_config c;
    assert_int_equal(slds_rating_config_parse("{", 1, "x.json", &c, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "x.json: line 1"));
    assert_int_equal(slds_rating_config_load("/nonexistent/nonesuch", &c, &err), SLDS_ERR_USAGE);
    assert_non_null(strstr(err.message, "unknown configuration"));
}

/* The (D)(2) reports' reading of a configuration: the lowest category that
 * is "effective or better" and what each decision informs. */
static void test_effective_and_uses(void **state)
{
    (void)state;
    slds_rating_config c;
    load("colorado", &c);
    assert_string_equal(c.categories[c.effective_level].label, "Effective");
    load("tennessee", &c); /* stated: "effective": "At Expectations" */
    assert_string_equal(c.categories[c.effective_level].label, "At Expectations");
    load("dc", &c);
    assert_string_equal(c.categories[c.effective_level].label, "Effective");
    /* inferred from the flags' names */
    int want[] = {SLDS_USE_COMPENSATE, SLDS_USE_DEVELOP, SLDS_USE_TENURE, SLDS_USE_REMOVE, SLDS_USE_REMOVE};
    for (int d = 0; d < c.n_decisions; d++)
        assert_int_equal(c.decisions[d].use, want[d]);
    slds_error err = {0};
    char text[4096];
    /* no "Effective" label and none stated: the upper half (C of A-D) */
    snprintf(text, sizeof text,
             "{\"measures\": [%s, %s], \"categories\": [%s],"
             " \"decisions\": [{\"flag\": \"lead_teacher\", \"use\": \"promote\", \"years\": 1, \"ratings\": [\"D\"]},"
             " {\"flag\": \"mystery\", \"years\": 1, \"ratings\": [\"A\"]}]}",
             GROWTH(50), OBS(50), CATS4);
    assert_int_equal(slds_rating_config_parse(text, strlen(text), "u.json", &c, &err), 0);
    assert_int_equal(c.effective_level, 2);
    assert_int_equal(c.decisions[0].use, SLDS_USE_PROMOTE); /* stated */
    assert_int_equal(c.decisions[1].use, -1);               /* informs nothing named */
    assert_string_equal(slds_rating_use_name(SLDS_USE_RETAIN), "retain");
    /* a use that is none of the six, an "effective" that is no category or the lowest */
    snprintf(text, sizeof text,
             "{\"measures\": [%s, %s], \"categories\": [%s],"
             " \"decisions\": [{\"flag\": \"x\", \"use\": \"fire\", \"years\": 1, \"ratings\": [\"A\"]}]}",
             GROWTH(50), OBS(50), CATS4);
    assert_int_equal(slds_rating_config_parse(text, strlen(text), "u.json", &c, &err), SLDS_ERR_DATA);
    assert_non_null(strstr(err.message, "\"use\" is one of develop, compensate, promote, retain, tenure, remove"));
    const char *effs[] = {"\"Z\"", "\"A\""};
    for (int k = 0; k < 2; k++) {
        snprintf(text, sizeof text, "{\"measures\": [%s, %s], \"categories\": [%s], \"effective\": %s}",
                 GROWTH(50), OBS(50), CATS4, effs[k]);
        assert_int_equal(slds_rating_config_parse(text, strlen(text), "e.json", &c, &err), SLDS_ERR_DATA);
        assert_non_null(strstr(err.message, "\"effective\" must name a category above the lowest"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colorado),
        cmocka_unit_test(test_tennessee),
        cmocka_unit_test(test_dc),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_effective_and_uses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
