/* test_growthrun.c - the growth run over the database, against values worked
 * out by hand and against the engine's own array path:
 *
 *  - a toy database built by hand: one-year gains and grade levels with both
 *    definitions of a grade level and another reference year, the school of
 *    the enrollment on the test day, no-SGP reasons, re-running replaces;
 *  - aggregates over hand-written growth_students rows: counts, medians,
 *    means, shares by state, district, subgroup, and teachers weighted by
 *    dosage (summed over sections), including a weighted median tie;
 *  - reading a stored model: a database error (a table that fails while
 *    read, a missing table) is an error, not "no model";
 *  - the demonstration data of the SGP package (skipped without shared/):
 *    every 2025 cohort through the database equals the engine fitted on
 *    arrays built here from the long file (every order of every student), the
 *    stored matrices reproduce every stored SGP of every order, and the stored
 *    targets equal
 *    the engine's slds_sgp_targets, whose cached trajectories equal, bit for
 *    bit, the package's formula evaluated point by point here. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "growthrun/internal.h"
#include "../skip.h"
#include "../db.h"

/* ---------------------------------------------------------------- helpers */

static void run_growth(slds_store *s, int year, int reference_year, slds_gain_method method,
                       const slds_growth_config *cfg, slds_growthrun_result *res)
{
    slds_growthrun_options o;
    slds_growthrun_options_default(&o);
    o.school_year = year;
    o.reference_year = reference_year;
    o.gain_method = method;
    o.config = cfg;
    slds_error err = {0};
    if (slds_growthrun_run(s, &o, NULL, res, &err))
        fail_msg("%s", err.message);
}

#define assert_near(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* --------------------------------------------------------------- toy data */

static void score(slds_store *s, const char *id, int year, int grade, double v)
{
    exec(s,
         "INSERT INTO assessments VALUES('%s',%d,'MATH','%02d','STATE','STATE_MATH','%d-04-15',"
         "%g,2,NULL)",
         id, year, grade, year, v);
}

/* s1..s5: grade 3 in 2023, 4 in 2024, 5 in 2025; z1..z3: 4 in 2023, 5 in
 * 2024; t1..t3: 3 in 2024, 4 in 2025. */
static void toy_scores(slds_store *s)
{
    const double s23[] = {400, 410, 420, 430, 440}, s24[] = {420, 440, 450, 470, 500},
                 s25[] = {460, 470, 490, 500, 520};
    for (int i = 0; i < 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "s%d", i + 1);
        score(s, id, 2023, 3, s23[i]);
        score(s, id, 2024, 4, s24[i]);
        score(s, id, 2025, 5, s25[i]);
    }
    const double z23[] = {450, 460, 470}, z24[] = {480, 500, 520};
    const double t24[] = {405, 415, 425}, t25[] = {445, 445, 470};
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "z%d", i + 1);
        score(s, id, 2023, 4, z23[i]);
        score(s, id, 2024, 5, z24[i]);
        snprintf(id, sizeof id, "t%d", i + 1);
        score(s, id, 2024, 3, t24[i]);
        score(s, id, 2025, 4, t25[i]);
    }
    /* an interim score and a retest: neither may count */
    exec(s, "INSERT INTO assessments VALUES('s1',2025,'MATH','05','INTERIM','FALL','2024-10-01',"
            "100,1,NULL)");
    exec(s, "INSERT INTO assessments VALUES('t3',2025,'MATH','04','STATE','STATE_MATH',"
            "'2025-03-01',300,1,NULL)");
    /* a repeater: grade 4 in 2024 and again in 2025 */
    score(s, "r1", 2024, 4, 430);
    score(s, "r1", 2025, 4, 450);
}

static void toy_places(slds_store *s)
{
    exec(s, "INSERT INTO leas VALUES('L1','North',NULL,NULL,NULL),('L2','South',NULL,NULL,NULL)");
    exec(s, "INSERT INTO schools VALUES('A','L1','A','ELEMENTARY','N','NONE','N'),"
            "('B','L2','B','ELEMENTARY','N','NONE','N')");
    /* s1 moved from A to B in January 2025: the test (April) was at B */
    exec(s, "INSERT INTO enrollments VALUES('s1','A',2025,'05','2024-08-20','2025-01-10',"
            "'TRANSFER_IN_STATE'),('s1','B',2025,'05','2025-01-11',NULL,NULL),"
            "('s2','A',2025,'05','2024-08-20','2025-06-05','PROMOTED')");
}

static double gl_of(slds_store *s, const char *id)
{
    return query1(s,
                  "SELECT grade_levels_gained FROM growth_students WHERE school_year = 2025"
                  " AND subject = 'MATH' AND student_id = '%s'",
                  id);
}

static void test_toy_gains(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    toy_scores(s);
    toy_places(s);
    slds_growthrun_result res;
    run_growth(s, 2025, 0, SLDS_GAIN_TYPICAL, NULL, &res);
    assert_int_equal(res.students, 9); /* s1..s5, t1..t3, r1 */
    assert_int_equal(res.with_sgp, 0); /* cohorts of 5 and 4: too small to fit */
    for (int k = 0; k < res.n_cohorts; k++) /* and each says so */
        assert_non_null(strstr(res.cohorts[k].note, "too few to fit"));
    slds_growthrun_result_free(&res);
    /* grade 5: gains 40 30 40 30 20, median 30 */
    assert_near(query1(s, "SELECT gain FROM growth_students WHERE student_id = 's1'"), 40);
    assert_near(gl_of(s, "s1"), 40.0 / 30.0);
    assert_near(gl_of(s, "s5"), 20.0 / 30.0);
    /* grade 4: t gains 40 30 45 (t3's earlier retest 300 does not count), median 40 */
    assert_near(gl_of(s, "t3"), 45.0 / 40.0);
    assert_near(query1(s, "SELECT points_per_grade FROM growth_cohorts WHERE grade = 5"), 30);
    assert_near(query1(s, "SELECT points_per_grade FROM growth_cohorts WHERE grade = 4"), 40);
    /* the repeater has no one-year gain from grade 3, and no SGP for its progression */
    assert_true(isnan(gl_of(s, "r1")));
    assert_near(query1(s, "SELECT count(*) FROM growth_students WHERE student_id = 'r1'"
                          " AND no_sgp_reason = 'PROGRESSION'"),
                1);
    assert_near(query1(s, "SELECT count(*) FROM growth_students WHERE student_id = 's1'"
                          " AND no_sgp_reason = 'NOT_FITTED' AND prior_score = 420"),
                1);
    /* school on the test day, its district; the latest spell otherwise */
    assert_near(query1(s, "SELECT count(*) FROM growth_students WHERE student_id = 's1'"
                          " AND school_id = 'B' AND lea_id = 'L2'"),
                1);
    assert_near(query1(s, "SELECT count(*) FROM growth_students WHERE student_id = 's2'"
                          " AND school_id = 'A' AND lea_id = 'L1'"),
                1);

    /* reference year 2024: grade 5 gains of z (30 40 50) -> 40; grade 4 of s -> 30 */
    run_growth(s, 2025, 2024, SLDS_GAIN_TYPICAL, NULL, &res);
    slds_growthrun_result_free(&res);
    assert_near(gl_of(s, "s1"), 1.0);
    assert_near(gl_of(s, "t1"), 40.0 / 30.0);

    /* grade gap in 2025: median of grade 5 (490) - median of grade 4 (445 445 450 470:
       447.5) = 42.5 */
    run_growth(s, 2025, 0, SLDS_GAIN_GRADE_GAP, NULL, &res);
    slds_growthrun_result_free(&res);
    assert_near(gl_of(s, "s1"), 40.0 / 42.5);
    assert_near(gl_of(s, "s2"), 30.0 / 42.5);
    assert_true(isnan(gl_of(s, "t2"))); /* no grade 3 scores in 2025: no gap */
    /* re-running replaced: one row per student */
    assert_near(query1(s, "SELECT count(*) FROM growth_students"), 9);
    assert_near(query1(s, "SELECT count(*) FROM growth_runs"), 1);
    assert_near(query1(s, "SELECT count(*) FROM growth_cohorts"), 2);
    close_temp(s, path);
}

/* ------------------------------------------------------ a missing year */

/* MATH, grades 3-6, 2016-2022 without 2020 (no test that year): cohorts of
 * 40 students (one per start year and grade), scores rising with the grade
 * plus a student effect and noise from a fixed generator. */
static void skip_year_scores(slds_store *s)
{
    unsigned long long state = 12345;
    exec(s, "BEGIN");
    for (int start = 2010; start <= 2022; start++)
        for (int i = 0; i < 40; i++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            double ability = (double)(state >> 40) / (double)(1ULL << 24) * 60.0;
            for (int grade = 3; grade <= 6; grade++) {
                int year = start + grade - 3;
                if (year < 2016 || year > 2022 || year == 2020)
                    continue;
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                double noise = (double)(state >> 40) / (double)(1ULL << 24) * 30.0;
                char id[16];
                snprintf(id, sizeof id, "y%d_%02d", start, i);
                exec(s,
                     "INSERT INTO assessments VALUES('%s',%d,'MATH','%02d','STATE','STATE_MATH',"
                     "'%d-04-15',%.1f,2,NULL)",
                     id, year, grade, year, 300.0 + 25.0 * grade + ability + noise);
            }
        }
    exec(s, "COMMIT");
}

static const slds_growthrun_cohort *cohort_of(const slds_growthrun_result *res, int grade)
{
    for (int k = 0; k < res->n_cohorts; k++)
        if (res->cohorts[k].grade == grade)
            return &res->cohorts[k];
    fail_msg("no cohort of grade %d", grade);
    return NULL;
}

/* Lagged priors across 2020, checked by hand against the layout above, and
 * a note on every cohort without SGPs. */
static void test_skip_year(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    skip_year_scores(s);
    slds_growthrun_result res;
    run_growth(s, 2021, 0, SLDS_GAIN_TYPICAL, NULL, &res);
    assert_int_equal(res.n_cohorts, 4);
    /* grade 5 in 2021 from grade 3 in 2019 (lag 2); grade 6 from grade 4 in
       2019 (lag 2) and grade 3 in 2018 (lag 1) */
    const slds_growthrun_cohort *c5 = cohort_of(&res, 5), *c6 = cohort_of(&res, 6);
    assert_int_equal(c5->n_priors, 1);
    assert_int_equal(c5->prior_grades[0], 3);
    assert_int_equal(c5->prior_years[0], 2019);
    assert_int_equal(c6->n_priors, 2);
    assert_int_equal(c6->prior_grades[0], 4);
    assert_int_equal(c6->prior_years[0], 2019);
    assert_int_equal(c6->prior_grades[1], 3);
    assert_int_equal(c6->prior_years[1], 2018);
    assert_string_equal(c5->note, "2020 has no MATH scores: priors from 2019");
    assert_non_null(strstr(c6->note, "2020 has no MATH scores: priors from 2019"));
    assert_int_equal(c5->with_sgp, 40);
    assert_int_equal(c6->with_sgp, 40);
    /* grades 3 and 4 have no prior (grades 1 and 2 are never tested) */
    assert_int_equal(cohort_of(&res, 3)->n_priors, 0);
    assert_int_equal(cohort_of(&res, 4)->n_priors, 0);
    for (int k = 0; k < res.n_cohorts; k++)
        if (res.cohorts[k].with_sgp == 0) {
            printf("# grade %d: %s\n", res.cohorts[k].grade, res.cohorts[k].note);
            assert_true(res.cohorts[k].note[0] != '\0');
        }
    assert_non_null(strstr(cohort_of(&res, 3)->note, "grade 3 is the lowest grade tested"));
    assert_non_null(strstr(cohort_of(&res, 4)->note, "2020 has no MATH scores"));
    /* the priors table says so, and a student's prior is its 2019 score */
    assert_near(query1(s, "SELECT prior_year FROM growth_priors WHERE school_year = 2021 AND"
                          " grade = 5 AND prior = 1"),
                2019);
    assert_near(query1(s, "SELECT count(*) FROM growth_students g JOIN assessments a ON"
                          " a.student_id = g.student_id AND a.school_year = 2019 WHERE"
                          " g.school_year = 2021 AND g.grade = 5 AND g.prior_score = a.scale_score"),
                40);
    /* the cohorts table shows the lags */
    slds_table *t = NULL;
    slds_error err = {0};
    assert_int_equal(slds_growthrun_cohorts_table(&res, &t, &err), 0);
    slds_table_free(t);
    slds_growthrun_result_free(&res);

    /* targets follow the lags: with cut scores, a grade 3 student of 2021 is
       projected through the grade 5 model (prior grade 3, lag 2) to 2023, and a
       grade 4 student through the grade 6 model to 2023 */
    slds_growth_config *cfg = NULL;
    const char *cuts = "{\"slds_growth_config\": 1, \"achievement_levels\": ["
                       "{\"label\": \"Low\", \"proficient\": false},"
                       " {\"label\": \"High\", \"proficient\": true}],"
                       " \"subjects\": {\"MATH\": {\"03\": {\"cuts\": [400]},"
                       " \"04\": {\"cuts\": [425]}, \"05\": {\"cuts\": [450]},"
                       " \"06\": {\"cuts\": [475]}}}}";
    if (slds_growth_config_parse(cuts, strlen(cuts), "cuts.json", &cfg, &err))
        fail_msg("%s", err.message);
    run_growth(s, 2021, 0, SLDS_GAIN_TYPICAL, cfg, &res);
    assert_int_equal(cohort_of(&res, 3)->with_target, 40);
    assert_int_equal(cohort_of(&res, 4)->with_target, 40);
    assert_near(query1(s, "SELECT count(*) FROM growth_targets WHERE school_year = 2021 AND"
                          " target_grade = 5 AND target_year = 2023 AND years_ahead = 2"),
                40);
    assert_near(query1(s, "SELECT count(*) FROM growth_targets WHERE school_year = 2021"), 80);
    slds_growthrun_result_free(&res);
    slds_growth_config_free(cfg);

    /* 2022: grade 6 from grade 5 in 2021 and grade 3 in 2019 (lags 1 and 2) */
    run_growth(s, 2022, 0, SLDS_GAIN_TYPICAL, NULL, &res);
    c6 = cohort_of(&res, 6);
    assert_int_equal(c6->n_priors, 2);
    assert_int_equal(c6->prior_grades[0], 5);
    assert_int_equal(c6->prior_years[0], 2021);
    assert_int_equal(c6->prior_grades[1], 3);
    assert_int_equal(c6->prior_years[1], 2019);
    assert_non_null(strstr(c6->note, "2020 has no MATH scores: priors from 2019"));
    assert_int_equal(cohort_of(&res, 5)->n_priors, 1); /* grade 3 in 2020: none */
    for (int k = 0; k < res.n_cohorts; k++)
        if (res.cohorts[k].with_sgp == 0)
            assert_true(res.cohorts[k].note[0] != '\0');
    slds_growthrun_result_free(&res);
    close_temp(s, path);
}

/* The configuration may skip a year that has scores (options.skip_years)
 * and state progressions explicitly in the SGP package's layout
 * (sgp.config: grade sequences, panel years, lags). */
static void test_skip_year_configured(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    skip_year_scores(s);
    slds_growth_config *cfg = NULL;
    slds_error err = {0};
    const char *own =
        "{\"slds_growth_config\": 1, \"options\": {\"skip_years\": [2018]}, \"subjects\": {}}";
    if (slds_growth_config_parse(own, strlen(own), "own.json", &cfg, &err))
        fail_msg("%s", err.message);
    slds_growthrun_result res;
    run_growth(s, 2019, 0, SLDS_GAIN_TYPICAL, cfg, &res);
    const slds_growthrun_cohort *c5 = cohort_of(&res, 5), *c6 = cohort_of(&res, 6);
    assert_int_equal(c5->n_priors, 1);
    assert_int_equal(c5->prior_grades[0], 3);
    assert_int_equal(c5->prior_years[0], 2017);
    assert_int_equal(c6->n_priors, 2);
    assert_int_equal(c6->prior_years[0], 2017);
    assert_int_equal(c6->prior_grades[1], 3);
    assert_int_equal(c6->prior_years[1], 2016);
    assert_string_equal(c5->note, "2018 is skipped by the configuration: priors from 2017");
    assert_int_equal(cohort_of(&res, 4)->n_priors, 0);
    assert_true(cohort_of(&res, 4)->note[0] != '\0');
    slds_growthrun_result_free(&res);
    slds_growth_config_free(cfg);

    const char *sgp = "{\"Knots_Boundaries\": {}, \"SGP_Configuration\": {\"sgp.config\": ["
                      "{\"sgp.content.areas\": [\"MATH\", \"MATH\", \"MATH\"],"
                      " \"sgp.panel.years\": [\"2018\", \"2019\", \"2021\"],"
                      " \"sgp.grade.sequences\": [[\"3\", \"4\", \"6\"]]},"
                      "{\"sgp.content.areas\": \"MATH\", \"sgp.grade.sequences\": [3, 5],"
                      " \"sgp.panel.years.lags\": [2]}]}}";
    if (slds_growth_config_parse(sgp, strlen(sgp), "sgp.json", &cfg, &err))
        fail_msg("%s", err.message);
    assert_int_equal(cfg->n_progressions, 2);
    assert_int_equal(cfg->progressions[0].year, 2021);
    assert_int_equal(cfg->progressions[0].lags[0], 1);
    assert_int_equal(cfg->progressions[0].lags[1], 2);
    run_growth(s, 2021, 0, SLDS_GAIN_TYPICAL, cfg, &res);
    c5 = cohort_of(&res, 5);
    c6 = cohort_of(&res, 6);
    assert_int_equal(c6->n_priors, 2);
    assert_int_equal(c6->prior_grades[0], 4);
    assert_int_equal(c6->prior_years[0], 2019);
    assert_int_equal(c6->prior_grades[1], 3);
    assert_int_equal(c6->prior_years[1], 2018);
    assert_int_equal(c5->n_priors, 1);
    assert_int_equal(c5->prior_years[0], 2019);
    assert_string_equal(c5->note, "configured progression 3 (2019, lag 2)");
    assert_int_equal(c5->with_sgp, 40);
    slds_growthrun_result_free(&res);
    slds_growth_config_free(cfg);
    close_temp(s, path);
}

/* ---------------------------------------------------------- aggregates */

static void test_weighted_median(void **state)
{
    (void)state;
    double v1[] = {3, 1, 2}, w1[] = {1, 1, 1};
    assert_near(slds_growthrun_weighted_median(v1, w1, 3), 2);
    double v2[] = {4, 1, 3, 2}, w2[] = {1, 1, 1, 1};
    assert_near(slds_growthrun_weighted_median(v2, w2, 4), 2.5);
    double v3[] = {10, 20, 30, 40}, w3[] = {1, 0.5, 0.5, 0.25};
    assert_near(slds_growthrun_weighted_median(v3, w3, 4), 20);
    double v4[] = {10, 90}, w4[] = {0.25, 2};
    assert_near(slds_growthrun_weighted_median(v4, w4, 2), 90);
    double v5[] = {5}, w5[] = {0};
    assert_true(isnan(slds_growthrun_weighted_median(v5, w5, 1)));
}

static void agg_student(slds_store *s, const char *id, const char *sgp, const char *gl,
                        const char *school, const char *lea)
{
    exec(s,
         "INSERT INTO growth_students(school_year, subject, student_id, grade, scale_score,"
         " school_id, lea_id, sgp, grade_levels_gained) VALUES(2030,'MATH','%s',5,500,'%s','%s',"
         "%s,%s)",
         id, school, lea, sgp, gl);
}

typedef struct agg {
    double students, n_sgp, median, mean, n_gain, n1, n15, s1, s15;
} agg;

static agg agg_of(slds_store *s, const char *level, const char *group)
{
    agg a;
    const char *w = "FROM growth_aggregates WHERE school_year = 2030 AND subject = 'MATH'";
    a.students = query1(s, "SELECT students %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.n_sgp = query1(s, "SELECT n_sgp %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.median = query1(s, "SELECT median_sgp %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.mean = query1(s, "SELECT mean_sgp %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.n_gain = query1(s, "SELECT n_gain %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.n1 = query1(s, "SELECT n_1_grade %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.n15 = query1(s, "SELECT n_1_5_grade %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.s1 = query1(s, "SELECT share_1_grade %s AND level = '%s' AND group_id = '%s'", w, level, group);
    a.s15 = query1(s, "SELECT share_1_5_grade %s AND level = '%s' AND group_id = '%s'", w, level,
                   group);
    return a;
}

/* Six students by hand (sgp, grade levels):
 *   A 10 0.5  S1 L1 WHITE    F       T1 1.0          T3 0.5
 *   B 20 1.0  S1 L1 BLACK    M       T1 0.5  T2 0.5  T3 0.5
 *   C 30 1.6  S2 L1 WHITE    F       T1 0.25+0.25 (two sections)
 *   D 40 -    S2 L1 HISPANIC M       T1 0.25
 *   E 90 2.0  S3 L2 (no attributes, no students row) T2 1.0
 *   F -  1.2  S3 L2 WHITE    F
 *   G -  -    (no result: not counted anywhere)     T1 1.0 */
static void test_aggregates_by_hand(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    slds_error err = {0};
    /* The registry made the growth tables with the database. */
    assert_int_equal(slds_store_schema_version(s, "growth", &err), 2);
    exec(s, "INSERT INTO growth_runs(school_year, subject, run_at, max_order, n_taus,"
            " projection_years, gain_method, reference_year, students, with_sgp, with_target,"
            " with_grade_levels) VALUES(2030,'MATH','now',4,100,3,'typical',2030,7,5,0,5)");
    agg_student(s, "A", "10", "0.5", "S1", "L1");
    agg_student(s, "B", "20", "1.0", "S1", "L1");
    agg_student(s, "C", "30", "1.6", "S2", "L1");
    agg_student(s, "D", "40", "NULL", "S2", "L1");
    agg_student(s, "E", "90", "2.0", "S3", "L2");
    agg_student(s, "F", "NULL", "1.2", "S3", "L2");
    agg_student(s, "G", "NULL", "NULL", "S3", "L2");
    exec(s, "INSERT INTO students VALUES('A','F'),('B','M'),('C','F'),('D','M'),('F','F'),"
            "('G','M')");
    exec(s, "INSERT INTO student_attributes(student_id, school_year, race_ethnicity,"
            " econ_disadvantaged, disability, english_learner) VALUES"
            "('A',2030,'WHITE','Y','N','N'),('B',2030,'BLACK','N','N','N'),"
            "('C',2030,'WHITE','N','Y','N'),('D',2030,'HISPANIC','Y','N','Y'),"
            "('F',2030,'WHITE','N','N','N'),('G',2030,'WHITE','N','N','N'),"
            "('E',2029,'ASIAN','N','N','N')");
    exec(s, "INSERT INTO rosters VALUES('T1','A','S1',2030,'MATH','a',1.0),"
            "('T1','B','S1',2030,'MATH','a',0.5),('T1','C','S2',2030,'MATH','b',0.25),"
            "('T1','C','S2',2030,'MATH','c',0.25),('T1','D','S2',2030,'MATH','b',0.25),"
            "('T1','G','S3',2030,'MATH','d',1.0),('T2','B','S1',2030,'MATH','e',0.5),"
            "('T2','E','S3',2030,'MATH','f',1.0),('T3','A','S1',2030,'MATH','g',0.5),"
            "('T3','B','S1',2030,'MATH','g',0.5),('T1','E','S3',2030,'ELA','h',1.0),"
            "('T1','E','S3',2029,'MATH','h',1.0)");
    size_t rows = 0;
    assert_int_equal(slds_growthrun_aggregate(s, 2030, NULL, &rows, &err), 0);

    agg a = agg_of(s, "state", "ALL");
    assert_near(a.students, 6);
    assert_near(a.n_sgp, 5);
    assert_near(a.median, 30);
    assert_near(a.mean, 38);
    assert_near(a.n_gain, 5);
    assert_near(a.n1, 4);
    assert_near(a.n15, 2);
    assert_near(a.s1, 0.8);
    assert_near(a.s15, 0.4);

    a = agg_of(s, "district", "L1");
    assert_near(a.n_sgp, 4);
    assert_near(a.median, 25);
    assert_near(a.mean, 25);
    assert_near(a.n_gain, 3);
    assert_near(a.n1, 2);
    assert_near(a.n15, 1);
    a = agg_of(s, "district", "L2");
    assert_near(a.n_sgp, 1);
    assert_near(a.median, 90);
    assert_near(a.n_gain, 2);
    assert_near(a.s15, 0.5); /* E 2.0 of E 2.0, F 1.2 */
    a = agg_of(s, "school", "S2");
    assert_near(a.median, 35);
    assert_near(a.n_gain, 1);

    /* T1: A (10, w 1), B (20, w .5), C (30, w .25 + .25), D (40, w .25): W = 2.25,
       mean 45 / 2.25 = 20, median 20 (cumulative 1, 1.5 passes 1.125); grade levels
       A .5 (1), B 1.0 (.5), C 1.6 (.5): n_gain 2, >= 1: 1.0, >= 1.5: 0.5 */
    a = agg_of(s, "teacher", "T1");
    assert_near(a.students, 4);
    assert_near(a.n_sgp, 2.25);
    assert_near(a.mean, 20);
    assert_near(a.median, 20);
    assert_near(a.n_gain, 2);
    assert_near(a.n1, 1.0);
    assert_near(a.n15, 0.5);
    assert_near(a.s1, 0.5);
    assert_near(a.s15, 0.25);
    /* T2: B (20, .5), E (90, 1): mean (10 + 90) / 1.5, median 90 */
    a = agg_of(s, "teacher", "T2");
    assert_near(a.n_sgp, 1.5);
    assert_near(a.mean, 100.0 / 1.5);
    assert_near(a.median, 90);
    /* T3: A (10, .5), B (20, .5): the cumulative weight is exactly half at A */
    a = agg_of(s, "teacher", "T3");
    assert_near(a.median, 15);

    /* subgroups: missing values are UNKNOWN, every level adds up to the state */
    a = agg_of(s, "sex", "F");
    assert_near(a.students, 3);
    assert_near(a.n_sgp, 2);
    assert_near(a.median, 20);
    a = agg_of(s, "sex", "UNKNOWN");
    assert_near(a.students, 1);
    assert_near(a.median, 90);
    a = agg_of(s, "race_ethnicity", "WHITE");
    assert_near(a.students, 3);
    assert_near(a.mean, 20);
    assert_near(agg_of(s, "race_ethnicity", "UNKNOWN").students, 1); /* E's row is 2029 */
    assert_near(agg_of(s, "english_learner", "Y").mean, 40);
    static const char *const levels[] = {"district", "school", "race_ethnicity",
                                         "econ_disadvantaged", "disability", "english_learner",
                                         "sex"};
    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        assert_near(query1(s, "SELECT sum(students) FROM growth_aggregates WHERE level = '%s'",
                           levels[l]),
                    6);
        assert_near(query1(s, "SELECT sum(n_sgp) FROM growth_aggregates WHERE level = '%s'",
                           levels[l]),
                    5);
    }
    assert_int_equal(rows, (size_t)query1(s, "SELECT count(*) FROM growth_aggregates"));
    close_temp(s, path);
}

/* ------------------------------------------------- the SGP package's data */

typedef struct rec {
    int subject; /* 0 MATHEMATICS, 1 READING: sorted as the run sorts them */
    int year, grade;
    long id;
    double score;
} rec;

/* One 2025 cohort built from the long file as the engine's own tests build
 * them: students of grade G, priors G-1.. in the years just before, fitted
 * by the engine on these arrays. */
typedef struct cohort {
    int built;
    size_t n;
    int K;
    long *ids;
    double *cur, *pri;
    slds_bspline splines[SLDS_SGP_MAX_ORDER];
    slds_sgp_result res;
} cohort;

typedef struct demo {
    rec *recs;
    size_t n;
    slds_growth_config *cfg;
    char db[64];
    slds_store *store;
    cohort cohorts[2][11]; /* [subject][grade], built when first needed */
} demo;

static void cohort_free(cohort *c);

static const char *const demo_subjects[2] = {"MATHEMATICS", "READING"};

static int cmp_rec(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->subject != y->subject)
        return x->subject - y->subject;
    if (x->year != y->year)
        return x->year - y->year;
    if (x->grade != y->grade)
        return x->grade - y->grade;
    return (x->id > y->id) - (x->id < y->id);
}

static const rec *find(const demo *d, int subject, int year, int grade, long id)
{
    rec key = {subject, year, grade, id, 0};
    return bsearch(&key, d->recs, d->n, sizeof key, cmp_rec);
}

/* The long file's valid cases with a score; every one also into assessments. */
static int load_demo(demo *d, const char *path)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 400000;
    d->recs = malloc(cap * sizeof *d->recs);
    char line[4096];
    int header = 1;
    slds_error err = {0};
    sqlite3_stmt *st;
    if (slds_store_prepare(d->store, &st,
                           "INSERT INTO assessments VALUES(?1,?2,?3,?4,'STATE','STATE_ASSESSMENT',"
                           "?5,?6,NULL,NULL)",
                           &err))
        fail_msg("%s", err.message);
    exec(d->store, "BEGIN");
    while (gzgets(f, line, sizeof line)) {
        line[strcspn(line, "\r\n")] = 0;
        char *fld[32];
        int nf = 0;
        fld[nf++] = line;
        for (char *p = line; *p && nf < 32; p++)
            if (*p == ',') {
                *p = 0;
                fld[nf++] = p + 1;
            }
        if (header || nf < 8 || strcmp(fld[0], "VALID_CASE") || !*fld[7]) {
            header = 0;
            continue;
        }
        if (d->n == cap)
            d->recs = realloc(d->recs, (cap *= 2) * sizeof *d->recs);
        rec *r = &d->recs[d->n++];
        r->subject = strcmp(fld[1], "MATHEMATICS") ? 1 : 0;
        r->year = atoi(fld[2] + 5);
        r->id = atol(fld[3]);
        r->grade = atoi(fld[6]);
        r->score = atof(fld[7]);
        char grade[8], date[16];
        snprintf(grade, sizeof grade, "%02d", r->grade);
        snprintf(date, sizeof date, "%d-04-15", r->year);
        sqlite3_bind_text(st, 1, fld[3], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, r->year);
        sqlite3_bind_text(st, 3, demo_subjects[r->subject], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, grade, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 6, r->score);
        if (sqlite3_step(st) != SQLITE_DONE)
            fail_msg("insert: %s", sqlite3_errmsg(d->store->db));
        sqlite3_reset(st);
    }
    exec(d->store, "COMMIT");
    sqlite3_finalize(st);
    gzclose(f);
    qsort(d->recs, d->n, sizeof *d->recs, cmp_rec);
    return d->n ? 0 : -1;
}

static int demo_setup(void **state)
{
    demo *d = calloc(1, sizeof *d);
    *state = d;
    const char *shared = getenv("SLDS_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/sgp/sgpData_LONG.csv.gz", shared ? shared : "../shared");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        printf("# skipped: %s is absent\n", path);
        return 0;
    }
    d->store = open_temp(d->db, sizeof d->db);
    if (load_demo(d, path))
        return -1;
    snprintf(path, sizeof path, "%s/data/sgp/SGPstateData_DEMO.json", shared ? shared : "../shared");
    slds_error err = {0};
    if (slds_growth_config_load(path, &d->cfg, &err))
        return -1;
    slds_growthrun_result res;
    double t0 = slds_now();
    run_growth(d->store, 2025, 0, SLDS_GAIN_TYPICAL, d->cfg, &res);
    printf("# growth run 2025 through the database: %zu scores, %zu SGPs in %.1f s\n", res.students,
           res.with_sgp, slds_now() - t0);
    slds_growthrun_result_free(&res);
    return 0;
}

static int demo_teardown(void **state)
{
    demo *d = *state;
    if (d->store)
        close_temp(d->store, d->db);
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < 11; g++)
            cohort_free(&d->cohorts[s][g]);
    free(d->recs);
    slds_growth_config_free(d->cfg);
    free(d);
    return 0;
}

static void cohort_build(const demo *d, int subject, int grade, cohort *c)
{
    memset(c, 0, sizeof *c);
    c->built = 1;
    c->K = grade - 3 < 4 ? grade - 3 : 4;
    rec lo = {subject, 2025, grade, -1, 0};
    size_t first = 0;
    while (first < d->n && cmp_rec(&d->recs[first], &lo) < 0)
        first++;
    while (first + c->n < d->n && d->recs[first + c->n].subject == subject &&
           d->recs[first + c->n].year == 2025 && d->recs[first + c->n].grade == grade)
        c->n++;
    c->ids = malloc(c->n * sizeof *c->ids);
    c->cur = malloc(c->n * sizeof *c->cur);
    c->pri = malloc(c->n * (size_t)c->K * sizeof *c->pri);
    for (size_t i = 0; i < c->n; i++) {
        const rec *r = &d->recs[first + i];
        c->ids[i] = r->id;
        c->cur[i] = r->score;
        for (int k = 0; k < c->K; k++) {
            const rec *q = find(d, subject, 2024 - k, grade - 1 - k, r->id);
            c->pri[i * (size_t)c->K + (size_t)k] = q ? q->score : NAN;
        }
    }
    slds_error err = {0};
    for (int k = 0; k < c->K; k++) {
        const slds_growth_grade *g =
            slds_growth_config_grade(d->cfg, demo_subjects[subject], grade - 1 - k);
        assert_non_null(g);
        assert_int_equal(slds_growth_grade_spline(g, &c->splines[k], &err), 0);
    }
    slds_sgp_cohort co = {.n = c->n, .n_priors = c->K, .current = c->cur, .priors = c->pri,
                          .splines = c->splines};
    if (slds_sgp_fit_cohort(&co, NULL, &c->res, &err))
        fail_msg("%s", err.message);
    const slds_growth_grade *own = slds_growth_config_grade(d->cfg, demo_subjects[subject], grade);
    c->res.model.has_loss_hoss = own->has_loss_hoss;
    c->res.model.loss_hoss[0] = own->loss_hoss[0];
    c->res.model.loss_hoss[1] = own->loss_hoss[1];
}

static void cohort_free(cohort *c)
{
    if (!c->built)
        return;
    free(c->ids);
    free(c->cur);
    free(c->pri);
    slds_sgp_result_free(&c->res);
    memset(c, 0, sizeof *c);
}

static cohort *cohort_get(demo *d, int subject, int grade)
{
    cohort *c = &d->cohorts[subject][grade];
    if (!c->built)
        cohort_build(d, subject, grade, c);
    return c;
}

static int stored_int(slds_store *s, const char *sql, const char *subject, long id, int k)
{
    sqlite3_stmt *st;
    slds_error err = {0};
    if (slds_store_prepare(s, &st, sql, &err))
        fail_msg("%s", err.message);
    char idt[32];
    snprintf(idt, sizeof idt, "%ld", id);
    sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, idt, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, k);
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
}

/* Every order's SGP of every student of every 2025 cohort, both ways. */
static void test_demo_array_path(void **state)
{
    demo *d = *state;
    if (!d->store)
        skip();
    for (int subject = 0; subject < 2; subject++)
        for (int grade = 4; grade <= 10; grade++) {
            cohort c = *cohort_get(d, subject, grade); /* borrowed: not freed here */
            size_t same = 0, with = 0, orders_same = 0, orders = 0;
            for (size_t i = 0; i < c.n; i++) {
                int db_sgp = stored_int(d->store,
                                        "SELECT coalesce(sgp, 0) FROM growth_students WHERE"
                                        " school_year = 2025 AND subject = ?1 AND student_id = ?2"
                                        " AND ?3 = ?3",
                                        demo_subjects[subject], c.ids[i], 0);
                int db_order = stored_int(d->store,
                                          "SELECT coalesce(sgp_order, 0) FROM growth_students"
                                          " WHERE school_year = 2025 AND subject = ?1 AND"
                                          " student_id = ?2 AND ?3 = ?3",
                                          demo_subjects[subject], c.ids[i], 0);
                with += c.res.sgp[i] > 0;
                same += db_sgp == c.res.sgp[i] && db_order == c.res.order[i];
                for (int k = 0; k < c.res.max_order; k++) {
                    int v = c.res.sgp_by_order[i * (size_t)c.res.max_order + (size_t)k];
                    int dbv = stored_int(d->store,
                                         "SELECT sgp FROM growth_sgp WHERE school_year = 2025"
                                         " AND subject = ?1 AND student_id = ?2 AND sgp_order = ?3",
                                         demo_subjects[subject], c.ids[i], k + 1);
                    orders += v > 0 || dbv > 0;
                    orders_same += (v > 0 || dbv > 0) && v == dbv;
                }
            }
            printf("# %-11s grade %2d: %5zu students, %5zu SGPs; database = array path: %zu/%zu "
                   "(%.1f%%), every order %zu/%zu\n",
                   demo_subjects[subject], grade, c.n, with, same, c.n,
                   100.0 * (double)same / (double)c.n, orders_same, orders);
            assert_int_equal(same, c.n);
            assert_int_equal(orders_same, orders);
        }
}

/* The stored matrices reproduce every stored SGP without refitting. */
static void test_demo_stored_models(void **state)
{
    demo *d = *state;
    if (!d->store)
        skip();
    for (int subject = 0; subject < 2; subject++)
        for (int grade = 4; grade <= 10; grade++) {
            slds_sgp_model m;
            int pg[SLDS_SGP_MAX_ORDER], py[SLDS_SGP_MAX_ORDER];
            slds_error err = {0};
            if (slds_growthrun_load_model(d->store, 2025, demo_subjects[subject], grade, &m, pg,
                                          py, &err))
                fail_msg("%s", err.message);
            assert_int_equal(pg[0], grade - 1);
            assert_int_equal(py[0], 2024);
            cohort c = *cohort_get(d, subject, grade); /* borrowed: not freed here */
            /* every order of every student: the stored matrix of that order, applied to
               the student's priors, gives the stored SGP (the matrices themselves may be
               another optimal vertex than the array path's, as the split of the taus over
               threads differs; the SGPs cannot) */
            double pred[SLDS_SGP_MAX_TAUS];
            size_t checked = 0;
            for (size_t i = 0; i < c.n; i++)
                for (int k = 1; k <= c.K; k++) {
                    int stored = stored_int(d->store,
                                            "SELECT sgp FROM growth_sgp WHERE school_year = 2025"
                                            " AND subject = ?1 AND student_id = ?2 AND"
                                            " sgp_order = ?3",
                                            demo_subjects[subject], c.ids[i], k);
                    if (!stored)
                        continue;
                    if (slds_sgp_predict(&m, k, c.pri + i * (size_t)c.K, (size_t)c.K, 1, pred,
                                         &err))
                        fail_msg("%s", err.message);
                    assert_int_equal(slds_sgp_percentile(pred, m.n_taus, c.cur[i]), stored);
                    checked++;
                }
            assert_true(checked > 4000);
            assert_int_equal(m.n_taus, 100);
            assert_true(m.has_loss_hoss);
            slds_sgp_model_free(&m);
        }
}

/* The package's trajectories written out plainly, one basis row per prior
 * per trajectory (what the engine caches): out is n_years x T, rows sorted.
 * Returns 0 when the student has no current score or no usable order. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int plain_trajectories(const slds_target_problem *pr, size_t i, double *out)
{
    const double *s = pr->scores + i * (size_t)pr->n_scores;
    int hist = 0;
    while (hist < pr->n_scores && isfinite(s[hist]))
        hist++;
    if (!hist)
        return 0;
    int T = pr->models[0]->n_taus;
    for (int h = 0; h < pr->n_years; h++) {
        const slds_sgp_model *m = pr->models[h];
        int order = hist + h < m->max_order ? hist + h : m->max_order;
        while (order > 0 && !m->coef[order - 1])
            order--;
        if (!order)
            return 0;
        for (int t = 0; t < T; t++) {
            const double *c = m->coef[order - 1] + (size_t)t * (size_t)m->p[order - 1];
            double v = c[0];
            int col = 1;
            for (int k = 0; k < order; k++) {
                int back = h - 1 - k;
                double prior = back >= 0 ? out[(size_t)back * (size_t)T + (size_t)t] : s[-back - 1];
                double basis[SLDS_BS_MAX_KNOTS + SLDS_BS_MAX_DEGREE + 2];
                int nc = slds_bspline_ncol(&m->splines[k]);
                assert_int_equal(slds_bspline_eval(&m->splines[k], &prior, 1, basis, (size_t)nc,
                                                   NULL), 0);
                for (int j = 0; j < nc; j++)
                    v += basis[j] * c[col + j];
                col += nc;
            }
            if (m->has_loss_hoss)
                v = v < m->loss_hoss[0] ? m->loss_hoss[0] : v > m->loss_hoss[1] ? m->loss_hoss[1] : v;
            out[(size_t)h * (size_t)T + (size_t)t] = v;
        }
        qsort(out + (size_t)h * (size_t)T, (size_t)T, sizeof *out, cmp_double);
    }
    return 1;
}

/* Targets: the engine's slds_sgp_targets on the array-path models equals the
 * trajectories written out plainly and what the run stored. */
static void test_demo_targets(void **state)
{
    demo *d = *state;
    if (!d->store)
        skip();
    for (int subject = 0; subject < 2; subject++)
        for (int grade = 5; grade <= 7; grade += 2) {
            cohort c[4];
            for (int h = 0; h < 4; h++)
                c[h] = *cohort_get(d, subject, grade + h); /* borrowed: not freed here */
            double *scores = malloc(c[0].n * (size_t)(1 + c[0].K) * sizeof *scores);
            for (size_t i = 0; i < c[0].n; i++) {
                scores[i * (size_t)(1 + c[0].K)] = c[0].cur[i];
                for (int k = 0; k < c[0].K; k++)
                    scores[i * (size_t)(1 + c[0].K) + 1 + (size_t)k] =
                        c[0].pri[i * (size_t)c[0].K + (size_t)k];
            }
            const slds_growth_grade *own =
                slds_growth_config_grade(d->cfg, demo_subjects[subject], grade);
            slds_target_problem pr = {.n = c[0].n, .n_scores = 1 + c[0].K, .scores = scores,
                                      .sgp = c[0].res.sgp,
                                      .current_cut = slds_growth_proficient_cut(d->cfg, own),
                                      .n_years = 3};
            for (int h = 0; h < 3; h++) {
                pr.models[h] = &c[h + 1].res.model;
                pr.cuts[h] = slds_growth_proficient_cut(
                    d->cfg, slds_growth_config_grade(d->cfg, demo_subjects[subject], grade + h + 1));
            }
            slds_target_result engine;
            slds_error err = {0};
            if (slds_sgp_targets(&pr, &engine, &err))
                fail_msg("%s", err.message);
            size_t same_db = 0, same_plain = 0;
            double fast[300], plain[300];
            for (size_t i = 0; i < c[0].n; i++) {
                int has = plain_trajectories(&pr, i, plain);
                slds_error e = {0};
                int rc = slds_sgp_trajectories(&pr, i, fast, &e);
                assert_int_equal(rc == SLDS_OK, has);
                assert_int_equal(engine.kind[i] != SLDS_TARGET_NONE, has);
                if (has) {
                    assert_memory_equal(fast, plain, sizeof fast);
                    same_plain++;
                }
            }
            assert_true(same_plain > c[0].n / 2);
            for (size_t i = 0; i < c[0].n; i++) {
                int stored = stored_int(d->store,
                                        "SELECT coalesce(sgp_target, 0) FROM growth_students"
                                        " WHERE school_year = 2025 AND subject = ?1 AND"
                                        " student_id = ?2 AND ?3 = ?3",
                                        demo_subjects[subject], c[0].ids[i], 0);
                same_db += stored == engine.target[i * 3 + 2];
            }
            printf("# %-11s grade %d targets (3 years): engine = plain trajectories for %zu of %zu"
                   " students (the others have none); stored = engine for %zu\n",
                   demo_subjects[subject], grade, same_plain, c[0].n, same_db);
            assert_int_equal(same_db, c[0].n);
            slds_target_result_free(&engine);
            free(scores);
        }
}

/* A database error while reading a model must not read as "no model"
 * (SLDS_ERR_NOTFOUND, which the projections skip as an untested grade). */
static void test_model_read_errors(void **state)
{
    (void)state;
    char path[64];
    slds_store *s = open_temp(path, sizeof path);
    slds_error err = {0};
    exec(s, "INSERT INTO growth_runs(school_year, subject, run_at, max_order, n_taus,"
            " projection_years, gain_method, reference_year, students, with_sgp, with_target,"
            " with_grade_levels) VALUES(2030,'MATH','now',4,100,3,'typical',2030,7,5,0,5)");
    slds_sgp_model m;
    int pg[SLDS_SGP_MAX_ORDER], py[SLDS_SGP_MAX_ORDER];
    /* nothing stored for grade 5: that is "no model" */
    assert_int_equal(slds_growthrun_load_model(s, 2030, "MATH", 5, &m, pg, py, &err),
                     SLDS_ERR_NOTFOUND);
    assert_non_null(strstr(err.message, "no model of 2030 MATH grade 5"));

    /* priors stored, growth_models gone: an error naming the table */
    exec(s, "INSERT INTO growth_priors VALUES(2030,'MATH',5,1,4,2029,3,'[]',0,1,'data')");
    exec(s, "DROP TABLE growth_models");
    slds_error_clear(&err);
    assert_int_equal(slds_growthrun_load_model(s, 2030, "MATH", 5, &m, pg, py, &err), SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "no such table: growth_models"));

    /* a table that fails while it is read (here a view whose row raises an
     * error when stepped, as a damaged page would) */
    exec(s, "DROP TABLE growth_priors;"
            " CREATE VIEW growth_priors(school_year, subject, grade, prior, prior_grade,"
            " prior_year, degree, knots, boundary_low, boundary_high) AS"
            " SELECT 2030, 'MATH', 5, 1, 4, 2029, 3, json_extract('{broken', '$'), 0, 1");
    slds_error_clear(&err);
    assert_int_equal(slds_growthrun_load_model(s, 2030, "MATH", 5, &m, pg, py, &err), SLDS_ERR_DB);
    assert_non_null(strstr(err.message, "malformed JSON"));
    assert_non_null(strstr(err.message, "FROM growth_priors"));
    close_temp(s, path);
}

int main(void)
{
    const struct CMUnitTest toy[] = {
        cmocka_unit_test(test_toy_gains),
        cmocka_unit_test(test_skip_year),
        cmocka_unit_test(test_skip_year_configured),
        cmocka_unit_test(test_weighted_median),
        cmocka_unit_test(test_aggregates_by_hand),
        cmocka_unit_test(test_model_read_errors),
    };
    const struct CMUnitTest reference[] = {
        cmocka_unit_test(test_demo_array_path),
        cmocka_unit_test(test_demo_stored_models),
        cmocka_unit_test(test_demo_targets),
    };
    int failed = cmocka_run_group_tests_name("growthrun toy database", toy, NULL, NULL);
    failed += cmocka_run_group_tests_name("growthrun demonstration data", reference, demo_setup,
                                          demo_teardown);
    char path[1024];
    int have = slds_test_shared(path, sizeof path, "data/sgp/sgpData_LONG.csv.gz");
    return slds_test_exit(failed, have ? NULL
                                       : "shared/data/sgp is absent: the demonstration-data "
                                         "tests did not run (the toy ones did)");
}
