/* rules.c - the loader's rules as data (contract.h): each check's stable id,
 * the files it applies to, its default severity, whether it protects storage,
 * and its message. The loader, `slds contract --rules` and docs/contract.md
 * all read this one table. */
#include "ingest/contract.h"

#include <string.h>

#define R(id, files, sev, storage, msg) {SLDS_RULE_##id, #id, files, SLDS_SEV_##sev, storage, msg}

static const slds_rule_def rules[SLDS_RULE_COUNT] = {
    R(ROW_FIELD_COUNT, "*", REJECT, true, "a row has as many fields as the header"),
    R(ROW_NOT_UTF8, "*", REJECT, true, "every field is valid UTF-8"),
    R(ROW_STRAY_QUOTE, "*", REJECT, true, "no field is quoted only in part"),
    R(VALUE_BLANK, "*", REJECT, true, "a column that may not be blank is not blank"),
    R(VALUE_TYPE, "*", REJECT, true,
      "a value has its column's type (number, date that exists, grade, Y/N, school year, id)"),
    R(VALUE_CODE, "*", REJECT, true, "a code is one of its column's codes"),
    R(VALUE_RANGE, "*", REJECT, true,
      "a value lies in its column's range (dosage 0-1, level 1-4, ids up to 64 characters)"),
    R(VALUE_CONTROL_CHAR, "*", REJECT, true,
      "text and ids hold no control characters (line breaks, tabs, terminal escapes)"),
    R(KEY_DUPLICATE_IN_FILE, "*", REJECT, true,
      "a natural key appears once in a file (the later row of a pair is rejected)"),
    R(REF_UNKNOWN_DISTRICT, "schools, staff, students, finance", REJECT, true,
      "the district is in this collection or the database"),
    R(REF_UNKNOWN_SCHOOL, "enrollments, staff_assignments, rosters, courses, attendance, discipline, finance",
      REJECT, true, "the school is in this collection or the database"),
    R(REF_UNKNOWN_STAFF, "staff_assignments, observations, rosters", REJECT, true,
      "the staff member is in this collection or the database"),
    R(REF_UNKNOWN_STUDENT, "every file with student_id", REJECT, true,
      "the student is in this collection or the database"),
    R(REF_UNKNOWN_PROGRAM, "staff", REJECT, true,
      "the preparation program is in this collection or the database"),
    R(REF_UNKNOWN_STANDARD, "item_responses", REJECT, true,
      "the standard is in this collection or the database"),
    R(STU_IDENTITY_MISSING, "students", REJECT, true,
      "a record without a statewide id has first name, last name and birth date"),
    R(STU_AMBIGUOUS_MATCH, "students", REJECT, true,
      "a record without a statewide id matches at most one known student"),
    R(STU_LINKED_TO_OTHER_ID, "students", REJECT, true,
      "a district's local id stays linked to the same statewide id"),
    R(ENR_EXIT_BEFORE_ENTRY, "enrollments", REJECT, true, "the exit date is not before the entry date"),
    R(ENR_EXIT_CODE_WITHOUT_DATE, "enrollments", REJECT, false,
      "an exit code comes with an exit date"),
    R(ENR_EXIT_CODE_MISSING, "enrollments", WARN, false,
      "an exit date comes with an exit code (when warned, the code is stored blank: unknown)"),
    R(ENR_ENTRY_OUTSIDE_YEAR, "enrollments", WARN, false,
      "the entry date lies in the school year (July 1 before it to June 30)"),
    R(ENR_EXIT_AFTER_YEAR, "enrollments", WARN, false,
      "the exit date is no later than September 30 after the school year"),
    R(ENR_OVERLAP, "enrollments", WARN, false,
      "a student's spells do not overlap (with this load's and the stored ones)"),
    R(ENR_GRADE_PROGRESSION, "enrollments", WARN, false,
      "grades progress plausibly (down at most one, up at most one more than the years passed)"),
    R(ROS_TEACHER_NOT_ASSIGNED, "rosters", WARN, false,
      "the teacher is assigned as TEACHER to the school that year"),
    R(ROS_NOT_ENROLLED, "rosters", WARN, false, "the student is enrolled at the school that year"),
    R(ASM_NOT_ENROLLED, "assessments", WARN, false, "the student is enrolled (anywhere) that year"),
    R(ASM_TEST_DATE_OUTSIDE_YEAR, "assessments", WARN, false,
      "the test date lies between July 1 before the school year and September 30 after it"),
    R(ASM_SCORE_AND_REASON, "assessments", REJECT, false,
      "a row has a scale_score or a not_tested_reason, never both, never neither"),
    R(ATT_NOT_ENROLLED, "attendance", WARN, false, "the student is enrolled at the school that year"),
    R(ATT_PRESENT_OVER_ENROLLED, "attendance", WARN, false,
      "days present are no more than days enrolled"),
};

const slds_rule_def *slds_rules(int *count)
{
    *count = SLDS_RULE_COUNT;
    return rules;
}

const slds_rule_def *slds_rule_find(const char *id)
{
    for (int i = 0; i < SLDS_RULE_COUNT; i++)
        if (!strcmp(rules[i].id, id))
            return &rules[i];
    return NULL;
}

const char *slds_severity_name(slds_severity s)
{
    return s == SLDS_SEV_WARN ? "warn" : "reject";
}
