/* test_loader.c - a loader kept across loads (slds_loader, what slds ingest
 * keeps for a whole stream) keeps its sets of known ids and spells right:
 *  - a student stored by one load is known to the next load of the same
 *    loader (an assessment of hers loads, with no ASM_NOT_ENROLLED finding:
 *    her spell is known too);
 *  - a student stored by another connection between two loads (a `slds load`
 *    while a stream is ingested) is known to the next load (PRAGMA
 *    data_version tells the loader to read its sets again);
 *  - a load that fails leaves the sets to be read again, so an id it had
 *    added in memory but never stored is unknown to the next load;
 *  - a spell superseded by a load (same key, another school year) no longer
 *    counts as an enrollment for the next load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/load.h"

static char root[256], dbpath[300];

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A fresh folder root/name (emptied if it exists). */
static const char *folder(const char *name)
{
    static char path[400];
    snprintf(path, sizeof path, "%s/%s", root, name);
    mkdir(path, 0700);
    return path;
}

#define ASM_HEADER                                                                                 \
    "student_id,school_year,subject,grade_tested,test_type,test_name,test_date,scale_score,"     \
    "performance_level,not_tested_reason\n"

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/slds_test_loader_%d", (int)getpid());
    mkdir(root, 0700);
    snprintf(dbpath, sizeof dbpath, "%s/state.db", root);
    const char *d = folder("base");
    write_file(d, "leas.csv",
               "lea_id,lea_name,children_in_poverty,children_served,title1_allocation\nL1,North,1,10,\n");
    write_file(d, "schools.csv",
               "school_id,lea_id,school_name,school_level,title1,title1_status,charter\n"
               "S1,L1,North Elementary,ELEMENTARY,Y,NONE,N\nS2,L1,South Elementary,ELEMENTARY,Y,NONE,N\n");
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_writer(&s, dbpath, SLDS_STORE_CREATE, &err))
        return -1;
    slds_load_result res;
    int rc = slds_load_collection(s, d, NULL, NULL, &res, &err);
    slds_store_close(s);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static int64_t warned(const slds_load_result *r, const char *rule_id)
{
    const slds_rule_def *def = slds_rule_find(rule_id);
    assert_non_null(def);
    return r->rule_warned[def->rule];
}

static int64_t rejected(const slds_load_result *r, const char *rule_id)
{
    const slds_rule_def *def = slds_rule_find(rule_id);
    assert_non_null(def);
    return r->rule_rejected[def->rule];
}

static void test_sets_follow_loads(void **state)
{
    (void)state;
    slds_error err = {0};
    slds_store *s;
    assert_int_equal(slds_store_open_writer(&s, dbpath, 0, &err), SLDS_OK);
    slds_loader *l;
    assert_int_equal(slds_loader_open(&l, s, &err), SLDS_OK);
    slds_load_result res;

    /* load 1: student A and her spell at S1 in 2023 */
    const char *d = folder("one");
    write_file(d, "students.csv",
               "lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id\n"
               "L1,1,Ada,Test,2014-02-11,F,2000000001\n");
    write_file(d, "enrollments.csv",
               "student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code\n"
               "2000000001,S1,2023,03,2022-08-22,2023-06-09,PROMOTED\n");
    assert_int_equal(slds_loader_load(l, d, NULL, NULL, &res, &err), SLDS_OK);
    assert_int_equal(res.loaded, 2);

    /* load 2, same loader: A is known, and enrolled in 2023 */
    d = folder("two");
    write_file(d, "assessments.csv",
               ASM_HEADER "2000000001,2023,MATH,03,STATE,STATE_SUMMATIVE,2023-04-18,430,3,\n");
    assert_int_equal(slds_loader_load(l, d, NULL, NULL, &res, &err), SLDS_OK);
    assert_int_equal(res.loaded, 1);
    assert_int_equal(res.rejected, 0);
    assert_int_equal(warned(&res, "ASM_NOT_ENROLLED"), 0);

    /* another connection stores student B (a `slds load` beside a stream) */
    d = folder("other");
    write_file(d, "students.csv",
               "lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id\n"
               "L1,2,Bo,Test,2014-03-12,M,2000000002\n");
    write_file(d, "enrollments.csv",
               "student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code\n"
               "2000000002,S2,2023,03,2022-08-22,2023-06-09,PROMOTED\n");
    {
        slds_store *other;
        slds_load_result r2;
        assert_int_equal(slds_store_open_writer(&other, dbpath, 0, &err), SLDS_OK);
        assert_int_equal(slds_load_collection(other, d, NULL, NULL, &r2, &err), SLDS_OK);
        assert_int_equal(r2.loaded, 2);
        slds_store_close(other);
    }
    d = folder("three");
    write_file(d, "assessments.csv",
               ASM_HEADER "2000000002,2023,MATH,03,STATE,STATE_SUMMATIVE,2023-04-18,431,3,\n");
    assert_int_equal(slds_loader_load(l, d, NULL, NULL, &res, &err), SLDS_OK);
    assert_int_equal(res.loaded, 1);
    assert_int_equal(rejected(&res, "REF_UNKNOWN_STUDENT"), 0);
    assert_int_equal(warned(&res, "ASM_NOT_ENROLLED"), 0);

    /* a load that fails (a file that is not CSV) after adding student C in
     * memory: C was never stored and must stay unknown */
    d = folder("failed");
    write_file(d, "students.csv",
               "lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id\n"
               "L1,3,Cy,Test,2014-04-13,M,2000000003\n");
    {
        char path[600];
        snprintf(path, sizeof path, "%s/enrollments.csv", d);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs("student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code\n", f);
        fputc('\0', f); /* binary data: the whole load stops */
        fputs("x\n", f);
        fclose(f);
    }
    assert_int_not_equal(slds_loader_load(l, d, NULL, NULL, &res, &err), SLDS_OK);
    assert_false(res.committed);
    d = folder("four");
    write_file(d, "assessments.csv",
               ASM_HEADER "2000000003,2023,MATH,03,STATE,STATE_SUMMATIVE,2023-04-18,432,3,\n");
    assert_int_equal(slds_loader_load(l, d, NULL, NULL, &res, &err), SLDS_OK);
    assert_int_equal(res.loaded, 0);
    assert_int_equal(rejected(&res, "REF_UNKNOWN_STUDENT"), 1);

    /* A's spell replaced by one with the same key in school year 2024: she
     * is no longer enrolled in 2023 for the next load */
    d = folder("five");
    write_file(d, "enrollments.csv",
               "student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code\n"
               "2000000001,S1,2024,04,2022-08-22,2023-06-09,PROMOTED\n");
    assert_int_equal(slds_loader_load(l, d, NULL, NULL, &res, &err), SLDS_OK);
    assert_int_equal(res.loaded, 1);
    d = folder("six");
    write_file(d, "assessments.csv",
               ASM_HEADER "2000000001,2023,ELA,03,STATE,STATE_SUMMATIVE,2023-04-18,433,3,\n");
    assert_int_equal(slds_loader_load(l, d, NULL, NULL, &res, &err), SLDS_OK);
    assert_int_equal(res.loaded, 1);
    assert_int_equal(warned(&res, "ASM_NOT_ENROLLED"), 1);

    slds_loader_close(l);
    slds_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sets_follow_loads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
