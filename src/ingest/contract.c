/* contract.c - the data contract's files and columns (contract.h), and the
 * parsers that check one cell against its column's type. */
#include "ingest/contract.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const school_levels[] = {"ELEMENTARY", "MIDDLE", "HIGH", "OTHER", NULL};
static const char *const title1_statuses[] = {"NONE", "IMPROVEMENT", "CORRECTIVE_ACTION",
                                              "RESTRUCTURING", NULL};
static const char *const sexes[] = {"F", "M", "X", NULL};
static const char *const exit_codes[] = {
    "PROMOTED",         "TRANSFER_IN_STATE", "TRANSFER_OUT_OF_STATE", "TRANSFER_PRIVATE",
    "TRANSFER_HOME_SCHOOL", "EMIGRATED",     "DECEASED",              "DROPOUT",
    "GRADUATED_REGULAR", "COMPLETED_OTHER",  "EXPELLED",              NULL};
static const char *const races[] = {"HISPANIC", "AM_INDIAN", "ASIAN", "BLACK", "PACIFIC_ISLANDER",
                                    "WHITE", "TWO_OR_MORE", NULL};
static const char *const routes[] = {"TRADITIONAL", "ALTERNATIVE", NULL};
static const char *const roles[] = {"TEACHER", "PRINCIPAL", NULL};
static const char *const subject_areas[] = {"ELA", "MATH", "SCIENCE", "SPECIAL_EDUCATION",
                                            "ENGLISH_LEARNER", "OTHER", NULL};
static const char *const test_types[] = {"STATE", "INTERIM", "FORMATIVE", "COLLEGE_READINESS", NULL};
static const char *const actions[] = {"IN_SCHOOL_SUSPENSION", "OUT_OF_SCHOOL_SUSPENSION",
                                      "EXPULSION", NULL};
static const char *const institution_levels[] = {"2_YEAR", "4_YEAR", NULL};
static const char *const providers[] = {"IHE", "NON_IHE", NULL};
static const char *const fund_sources[] = {"FEDERAL", "STATE", "LOCAL", "OTHER", NULL};

#define COL(n, t, req, doc) {n, t, req, NULL, 0, 0, doc}
#define CODE(n, req, list, doc) {n, SLDS_COL_CODE, req, list, 0, 0, doc}
#define RANGE(n, t, req, lo, hi, doc) {n, t, req, NULL, lo, hi, doc}
#define DATE(n, req, doc) {n, SLDS_COL_DATE, req, NULL, 1900, 2100, doc}

static const slds_column_def leas_cols[SLDS_LEA_NCOLS] = {
    [SLDS_LEA_LEA_ID] = COL("lea_id", SLDS_COL_ID, true, "district identifier"),
    [SLDS_LEA_LEA_NAME] = COL("lea_name", SLDS_COL_TEXT, true, "district name"),
    [SLDS_LEA_CHILDREN_IN_POVERTY] = RANGE("children_in_poverty", SLDS_COL_INT, false, 0, 1e8, "children aged 5-17 in poverty (Title I count)"),
    [SLDS_LEA_CHILDREN_SERVED] = RANGE("children_served", SLDS_COL_INT, false, 0, 1e8, "children served"),
    [SLDS_LEA_TITLE1_ALLOCATION] = RANGE("title1_allocation", SLDS_COL_NUM, false, 0, 1e12, "Title I allocation in dollars"),
};
static const slds_column_def schools_cols[SLDS_SCH_NCOLS] = {
    [SLDS_SCH_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, true, "school identifier, unique in the state"),
    [SLDS_SCH_LEA_ID] = COL("lea_id", SLDS_COL_ID, true, "its district (must be in leas.csv or already loaded)"),
    [SLDS_SCH_SCHOOL_NAME] = COL("school_name", SLDS_COL_TEXT, true, "school name"),
    [SLDS_SCH_SCHOOL_LEVEL] = CODE("school_level", true, school_levels, "ELEMENTARY, MIDDLE, HIGH or OTHER"),
    [SLDS_SCH_TITLE1] = COL("title1", SLDS_COL_YN, false, "receives Title I funds"),
    [SLDS_SCH_TITLE1_STATUS] = CODE("title1_status", false, title1_statuses, "NONE, IMPROVEMENT, CORRECTIVE_ACTION or RESTRUCTURING"),
    [SLDS_SCH_CHARTER] = COL("charter", SLDS_COL_YN, false, "charter school"),
};
static const slds_column_def students_cols[SLDS_STU_NCOLS] = {
    [SLDS_STU_LEA_ID] = COL("lea_id", SLDS_COL_ID, true, "district that keeps this record"),
    [SLDS_STU_LOCAL_STUDENT_ID] = COL("local_student_id", SLDS_COL_ID, true, "the district's own student id"),
    [SLDS_STU_FIRST_NAME] = COL("first_name", SLDS_COL_TEXT, false, "needed (with last_name, birth_date) when student_id is blank; kept only in the identity table"),
    [SLDS_STU_LAST_NAME] = COL("last_name", SLDS_COL_TEXT, false, "needed when student_id is blank; kept only in the identity table"),
    [SLDS_STU_BIRTH_DATE] = DATE("birth_date", false, "needed when student_id is blank; kept only in the identity table"),
    [SLDS_STU_SEX] = CODE("sex", true, sexes, "F, M or X"),
    [SLDS_STU_STUDENT_ID] = COL("student_id", SLDS_COL_ID, false, "statewide id; blank: the loader matches or assigns one"),
};
static const slds_column_def enrollments_cols[SLDS_ENR_NCOLS] = {
    [SLDS_ENR_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "statewide student id (known to the state)"),
    [SLDS_ENR_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, true, "school (known to the state)"),
    [SLDS_ENR_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "year in which the school year ends"),
    [SLDS_ENR_GRADE_LEVEL] = COL("grade_level", SLDS_COL_GRADE, true, "PK, KG, 01-12"),
    [SLDS_ENR_ENTRY_DATE] = DATE("entry_date", true, "first day of the spell, within the school year"),
    [SLDS_ENR_EXIT_DATE] = DATE("exit_date", false, "last day; blank while still enrolled"),
    [SLDS_ENR_EXIT_CODE] = CODE("exit_code", false, exit_codes, "why the spell ended; blank while still enrolled"),
};
static const slds_column_def attributes_cols[SLDS_ATR_NCOLS] = {
    [SLDS_ATR_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "statewide student id"),
    [SLDS_ATR_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school year"),
    [SLDS_ATR_RACE_ETHNICITY] = CODE("race_ethnicity", false, races, "federal race/ethnicity category"),
    [SLDS_ATR_ECON_DISADVANTAGED] = COL("econ_disadvantaged", SLDS_COL_YN, false, "economically disadvantaged"),
    [SLDS_ATR_DISABILITY] = COL("disability", SLDS_COL_YN, false, "student with a disability (IEP)"),
    [SLDS_ATR_ENGLISH_LEARNER] = COL("english_learner", SLDS_COL_YN, false, "English learner"),
    [SLDS_ATR_HOMELESS] = COL("homeless", SLDS_COL_YN, false, "homeless"),
    [SLDS_ATR_FOSTER_CARE] = COL("foster_care", SLDS_COL_YN, false, "in foster care"),
    [SLDS_ATR_MIGRANT] = COL("migrant", SLDS_COL_YN, false, "migrant"),
};
static const slds_column_def staff_cols[SLDS_STF_NCOLS] = {
    [SLDS_STF_STAFF_ID] = COL("staff_id", SLDS_COL_ID, true, "statewide educator id"),
    [SLDS_STF_LEA_ID] = COL("lea_id", SLDS_COL_ID, false, "employing district"),
    [SLDS_STF_FIRST_NAME] = COL("first_name", SLDS_COL_TEXT, false, "educator's first name"),
    [SLDS_STF_LAST_NAME] = COL("last_name", SLDS_COL_TEXT, false, "educator's last name"),
    [SLDS_STF_PREP_PROGRAM_ID] = COL("prep_program_id", SLDS_COL_ID, false, "preparation program (prep_programs.csv)"),
    [SLDS_STF_CERTIFICATION_ROUTE] = CODE("certification_route", false, routes, "TRADITIONAL or ALTERNATIVE"),
    [SLDS_STF_YEARS_EXPERIENCE] = RANGE("years_experience", SLDS_COL_INT, false, 0, 60, "years of experience"),
    [SLDS_STF_TENURED] = COL("tenured", SLDS_COL_YN, false, "tenured"),
};
static const slds_column_def assignments_cols[SLDS_ASG_NCOLS] = {
    [SLDS_ASG_STAFF_ID] = COL("staff_id", SLDS_COL_ID, true, "educator (staff.csv)"),
    [SLDS_ASG_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, true, "school"),
    [SLDS_ASG_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school year"),
    [SLDS_ASG_ROLE] = CODE("role", true, roles, "TEACHER or PRINCIPAL"),
    [SLDS_ASG_SUBJECT_AREA] = CODE("subject_area", false, subject_areas, "ELA, MATH, SCIENCE, SPECIAL_EDUCATION, ENGLISH_LEARNER, OTHER"),
    [SLDS_ASG_FTE] = RANGE("fte", SLDS_COL_NUM, false, 0, 1, "full-time equivalent, 0-1"),
};
static const slds_column_def rosters_cols[SLDS_ROS_NCOLS] = {
    [SLDS_ROS_STAFF_ID] = COL("staff_id", SLDS_COL_ID, true, "teacher, assigned as TEACHER to school_id that year"),
    [SLDS_ROS_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "student, enrolled at school_id that year"),
    [SLDS_ROS_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, true, "school"),
    [SLDS_ROS_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school year"),
    [SLDS_ROS_SUBJECT] = COL("subject", SLDS_COL_SUBJECT, true, "upper-case subject code (ELA, MATH, ...)"),
    [SLDS_ROS_SECTION_ID] = COL("section_id", SLDS_COL_ID, true, "class section"),
    [SLDS_ROS_DOSAGE] = RANGE("dosage", SLDS_COL_NUM, true, 0, 1, "share of the student's instruction in the subject, 0-1"),
};
static const slds_column_def assessments_cols[SLDS_ASM_NCOLS] = {
    [SLDS_ASM_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "student, enrolled that school year"),
    [SLDS_ASM_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school year"),
    [SLDS_ASM_SUBJECT] = COL("subject", SLDS_COL_SUBJECT, true, "upper-case subject code"),
    [SLDS_ASM_GRADE_TESTED] = COL("grade_tested", SLDS_COL_GRADE, true, "grade of the test"),
    [SLDS_ASM_TEST_TYPE] = CODE("test_type", true, test_types, "STATE, INTERIM, FORMATIVE or COLLEGE_READINESS"),
    [SLDS_ASM_TEST_NAME] = COL("test_name", SLDS_COL_TEXT, true, "name of the test"),
    [SLDS_ASM_TEST_DATE] = DATE("test_date", true, "date taken (or scheduled, when not tested)"),
    [SLDS_ASM_SCALE_SCORE] = RANGE("scale_score", SLDS_COL_NUM, false, -1e6, 1e6, "score; blank exactly when not tested"),
    [SLDS_ASM_PERFORMANCE_LEVEL] = RANGE("performance_level", SLDS_COL_INT, false, 1, 4, "1-4"),
    [SLDS_ASM_NOT_TESTED_REASON] = COL("not_tested_reason", SLDS_COL_SUBJECT, false, "upper-case reason code; blank when tested"),
};
static const slds_column_def courses_cols[SLDS_CRS_NCOLS] = {
    [SLDS_CRS_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "student"),
    [SLDS_CRS_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, true, "school"),
    [SLDS_CRS_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school year"),
    [SLDS_CRS_TERM] = COL("term", SLDS_COL_ID, true, "term (e.g. FALL, SPRING, YEAR)"),
    [SLDS_CRS_COURSE_CODE] = COL("course_code", SLDS_COL_ID, true, "course code"),
    [SLDS_CRS_SUBJECT] = COL("subject", SLDS_COL_SUBJECT, false, "upper-case subject code"),
    [SLDS_CRS_CREDITS_ATTEMPTED] = RANGE("credits_attempted", SLDS_COL_NUM, false, 0, 100, "credits attempted"),
    [SLDS_CRS_CREDITS_EARNED] = RANGE("credits_earned", SLDS_COL_NUM, false, 0, 100, "credits earned"),
    [SLDS_CRS_GRADE_MARK] = COL("grade_mark", SLDS_COL_TEXT, false, "mark (A, B+, P, ...)"),
};
static const slds_column_def attendance_cols[SLDS_ATT_NCOLS] = {
    [SLDS_ATT_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "student, enrolled at school_id that year"),
    [SLDS_ATT_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, true, "school"),
    [SLDS_ATT_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school year"),
    [SLDS_ATT_DAYS_ENROLLED] = RANGE("days_enrolled", SLDS_COL_NUM, true, 0, 366, "days enrolled"),
    [SLDS_ATT_DAYS_PRESENT] = RANGE("days_present", SLDS_COL_NUM, true, 0, 366, "days present"),
};
static const slds_column_def discipline_cols[SLDS_DIS_NCOLS] = {
    [SLDS_DIS_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "student"),
    [SLDS_DIS_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, true, "school"),
    [SLDS_DIS_ACTION_DATE] = DATE("action_date", true, "date of the action"),
    [SLDS_DIS_ACTION] = CODE("action", true, actions, "IN_SCHOOL_SUSPENSION, OUT_OF_SCHOOL_SUSPENSION or EXPULSION"),
    [SLDS_DIS_DAYS] = RANGE("days", SLDS_COL_NUM, false, 0, 366, "days removed"),
};
static const slds_column_def postsecondary_cols[SLDS_PSE_NCOLS] = {
    [SLDS_PSE_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "student"),
    [SLDS_PSE_INSTITUTION_ID] = COL("institution_id", SLDS_COL_ID, true, "college (e.g. IPEDS unit id)"),
    [SLDS_PSE_INSTITUTION_LEVEL] = CODE("institution_level", true, institution_levels, "2_YEAR or 4_YEAR"),
    [SLDS_PSE_ENROLLMENT_DATE] = DATE("enrollment_date", true, "first enrollment date"),
    [SLDS_PSE_REMEDIAL] = COL("remedial", SLDS_COL_YN, false, "took remedial coursework"),
    [SLDS_PSE_CREDITS_EARNED_FIRST_TWO_YEARS] = RANGE("credits_earned_first_two_years", SLDS_COL_NUM, false, 0, 300, "credits earned in the first two years"),
};
static const slds_column_def observations_cols[SLDS_OBS_NCOLS] = {
    [SLDS_OBS_STAFF_ID] = COL("staff_id", SLDS_COL_ID, true, "educator"),
    [SLDS_OBS_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school year"),
    [SLDS_OBS_MEASURE] = COL("measure", SLDS_COL_SUBJECT, true, "upper-case measure code (OBSERVATION, SURVEY, ...)"),
    [SLDS_OBS_SCORE] = RANGE("score", SLDS_COL_NUM, true, -1e6, 1e6, "score on the measure's scale"),
};
static const slds_column_def prep_cols[SLDS_PRG_NCOLS] = {
    [SLDS_PRG_PREP_PROGRAM_ID] = COL("prep_program_id", SLDS_COL_ID, true, "program identifier"),
    [SLDS_PRG_NAME] = COL("name", SLDS_COL_TEXT, false, "program name"),
    [SLDS_PRG_PROVIDER] = CODE("provider", false, providers, "IHE or NON_IHE"),
    [SLDS_PRG_ROUTE] = CODE("route", false, routes, "TRADITIONAL or ALTERNATIVE"),
};
static const slds_column_def standards_cols[SLDS_STD_NCOLS] = {
    [SLDS_STD_STANDARD_ID] = COL("standard_id", SLDS_COL_ID, true, "standard identifier"),
    [SLDS_STD_SUBJECT] = COL("subject", SLDS_COL_SUBJECT, true, "upper-case subject code"),
    [SLDS_STD_GRADE_LEVEL] = COL("grade_level", SLDS_COL_GRADE, false, "grade"),
    [SLDS_STD_DESCRIPTION] = COL("description", SLDS_COL_TEXT, false, "text of the standard"),
    [SLDS_STD_PREREQUISITE_IDS] = COL("prerequisite_ids", SLDS_COL_TEXT, false, "space-separated standard ids"),
};
static const slds_column_def responses_cols[SLDS_ITM_NCOLS] = {
    [SLDS_ITM_STUDENT_ID] = COL("student_id", SLDS_COL_ID, true, "student"),
    [SLDS_ITM_RESPONSE_TIME] = COL("response_time", SLDS_COL_DATETIME, true, "ISO 8601 date-time"),
    [SLDS_ITM_ITEM_ID] = COL("item_id", SLDS_COL_ID, true, "item"),
    [SLDS_ITM_STANDARD_ID] = COL("standard_id", SLDS_COL_ID, true, "standard the item measures (standards.csv)"),
    [SLDS_ITM_CORRECT] = RANGE("correct", SLDS_COL_INT, true, 0, 1, "1 correct, 0 not"),
};

/* finance.csv (issue 9, (F)(1)(ii)): what a district spent, on one of its
 * schools or (school_id blank) on the district as a whole, from one source of
 * funds in a year, and the pupils it served; per-pupil expenditure is
 * expenditure / pupils. A blank school_id is stored as '' (the table's
 * column is NOT NULL ON CONFLICT REPLACE DEFAULT ''), so it can be part of
 * the key. */
static const slds_column_def finance_cols[SLDS_FIN_NCOLS] = {
    [SLDS_FIN_LEA_ID] = COL("lea_id", SLDS_COL_ID, true, "district"),
    [SLDS_FIN_SCHOOL_ID] = COL("school_id", SLDS_COL_ID, false, "school; blank: spending of the district as a whole (central office, services to every school)"),
    [SLDS_FIN_SCHOOL_YEAR] = COL("school_year", SLDS_COL_YEAR, true, "school (fiscal) year"),
    [SLDS_FIN_SOURCE] = CODE("source", true, fund_sources, "FEDERAL, STATE, LOCAL or OTHER"),
    [SLDS_FIN_EXPENDITURE] = RANGE("expenditure", SLDS_COL_NUM, true, 0, 1e12, "current expenditure in dollars from this source"),
    [SLDS_FIN_PUPILS] = RANGE("pupils", SLDS_COL_NUM, false, 0, 1e8, "pupils served (e.g. average daily membership); blank: the students enrolled that year"),
};

#define FILE_DEF(k, f, t, cols, key, doc) {k, f, t, cols, ARRAY_LEN(cols), key, doc}
static const slds_file_def files[] = {
    FILE_DEF(SLDS_FILE_PREP_PROGRAMS, "prep_programs.csv", "prep_programs", prep_cols, "prep_program_id", "preparation program"),
    FILE_DEF(SLDS_FILE_LEAS, "leas.csv", "leas", leas_cols, "lea_id", "district (LEA)"),
    FILE_DEF(SLDS_FILE_SCHOOLS, "schools.csv", "schools", schools_cols, "school_id", "school"),
    FILE_DEF(SLDS_FILE_STAFF, "staff.csv", "staff", staff_cols, "staff_id", "educator"),
    FILE_DEF(SLDS_FILE_STAFF_ASSIGNMENTS, "staff_assignments.csv", "staff_assignments", assignments_cols,
             "staff_id, school_id, school_year, role, subject_area", "educator x school x year"),
    FILE_DEF(SLDS_FILE_OBSERVATIONS, "observations.csv", "observations", observations_cols, "staff_id, school_year, measure",
             "non-test measure of an educator"),
    FILE_DEF(SLDS_FILE_STUDENTS, "students.csv", "student_identity", students_cols, "lea_id, local_student_id",
             "district record of a student"),
    FILE_DEF(SLDS_FILE_ENROLLMENTS, "enrollments.csv", "enrollments", enrollments_cols, "student_id, school_id, entry_date",
             "enrollment spell"),
    FILE_DEF(SLDS_FILE_STUDENT_ATTRIBUTES, "student_attributes.csv", "student_attributes", attributes_cols, "student_id, school_year",
             "student x year"),
    FILE_DEF(SLDS_FILE_ROSTERS, "rosters.csv", "rosters", rosters_cols,
             "student_id, school_year, subject, staff_id, section_id, school_id", "teacher-student link"),
    FILE_DEF(SLDS_FILE_ASSESSMENTS, "assessments.csv", "assessments", assessments_cols,
             "student_id, school_year, subject, test_type, test_name, test_date", "test result"),
    FILE_DEF(SLDS_FILE_COURSES, "courses.csv", "courses", courses_cols, "student_id, school_year, term, course_code, school_id",
             "transcript line"),
    FILE_DEF(SLDS_FILE_ATTENDANCE, "attendance.csv", "attendance", attendance_cols, "student_id, school_year, school_id",
             "student x school x year"),
    FILE_DEF(SLDS_FILE_DISCIPLINE, "discipline.csv", "discipline", discipline_cols, "student_id, action_date, action, school_id",
             "disciplinary action"),
    FILE_DEF(SLDS_FILE_POSTSECONDARY, "postsecondary.csv", "postsecondary", postsecondary_cols,
             "student_id, enrollment_date, institution_id", "college enrollment"),
    FILE_DEF(SLDS_FILE_STANDARDS, "standards.csv", "standards", standards_cols, "standard_id", "learning standard"),
    FILE_DEF(SLDS_FILE_ITEM_RESPONSES, "item_responses.csv", "item_responses", responses_cols, "student_id, response_time, item_id",
             "answer to a practice or formative item"),
    FILE_DEF(SLDS_FILE_FINANCE, "finance.csv", "finance", finance_cols, "lea_id, school_id, school_year, source",
             "expenditure of a district or school x year x source"),
};

const slds_file_def *slds_contract_files(int *count)
{
    *count = ARRAY_LEN(files);
    return files;
}

const slds_file_def *slds_contract_find(const char *file)
{
    for (int i = 0; i < ARRAY_LEN(files); i++)
        if (!strcmp(files[i].file, file))
            return &files[i];
    return NULL;
}

int slds_contract_column(const slds_file_def *def, const char *name)
{
    for (int i = 0; i < def->ncolumns; i++)
        if (!strcmp(def->columns[i].name, name))
            return i;
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool datetime_valid(const char *s, size_t len)
{
    int64_t days;
    int hh, mm, ss;
    if (len < 16 || !slds_date_parse(s, 10, &days) || (s[10] != 'T' && s[10] != ' ') ||
        !parse_digits(s + 11, 2, &hh) || s[13] != ':' || !parse_digits(s + 14, 2, &mm) || hh > 23 ||
        mm > 59)
        return false;
    size_t p = 16;
    if (p < len && s[p] == ':') {
        if (p + 3 > len || !parse_digits(s + p + 1, 2, &ss) || ss > 60)
            return false;
        p += 3;
        if (p < len && s[p] == '.') {
            p++;
            size_t start = p;
            while (p < len && is_digit(s[p]))
                p++;
            if (p == start)
                return false;
        }
    }
    if (p == len)
        return true;
    if (s[p] == 'Z')
        return p + 1 == len;
    if ((s[p] == '+' || s[p] == '-') && p + 6 == len) {
        int oh, om;
        return parse_digits(s + p + 1, 2, &oh) && s[p + 3] == ':' &&
               parse_digits(s + p + 4, 2, &om) && oh <= 14 && om <= 59;
    }
    return false;
}

static const char *const grade_codes[] = {"PK", "KG", "01", "02", "03", "04", "05",
                                          "06", "07", "08", "09", "10", "11", "12"};

const char *slds_grade_code(int grade)
{
    if (grade < -1 || grade > 12)
        return "?";
    return grade_codes[grade + 1];
}

static bool parse_grade(const char *s, size_t len, int64_t *grade)
{
    if (len == 2 && !memcmp(s, "PK", 2)) {
        *grade = -1;
        return true;
    }
    if (len == 2 && !memcmp(s, "KG", 2)) {
        *grade = 0;
        return true;
    }
    int g;
    if ((len == 1 || len == 2) && parse_digits(s, (int)len, &g) && g >= 1 && g <= 12) {
        *grade = g;
        return true;
    }
    return false;
}

static bool parse_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == len || len - i > 15)
        return false;
    int64_t v = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

static bool parse_num(const char *s, size_t len, double *out)
{
    /* Plain decimal notation only: optional sign, digits, optional point and digits. */
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < len && is_digit(s[i]); i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && is_digit(s[i]); i++)
            digits++;
    if (i != len || digits == 0 || len > 40)
        return false;
    char buf[48];
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
    return isfinite(*out);
}

/* A control character (C0, DEL, or C1 in UTF-8) in text: rejected, since a
 * value shown on a terminal must not carry escape sequences and a name or a
 * mark has no use for them (rule VALUE_CONTROL_CHAR). */
static bool has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return true;
        if (ch == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f)
            return true;
    }
    return false;
}

static const char *field_parse(const slds_column_def *col, const char *s, size_t len,
                               slds_value *out, char *why, size_t whysize, slds_rule *rule);

const char *slds_field_parse(const slds_column_def *col, const char *s, size_t len,
                             slds_value *out, char *why, size_t whysize)
{
    slds_rule rule;
    return field_parse(col, s, len, out, why, whysize, &rule);
}

const char *slds_field_check(const slds_column_def *col, const char *s, size_t len,
                             slds_value *out, char *why, size_t whysize, slds_rule *rule)
{
    return field_parse(col, s, len, out, why, whysize, rule);
}

static const char *field_parse(const slds_column_def *col, const char *s, size_t len,
                               slds_value *out, char *why, size_t whysize, slds_rule *rule)
{
    *rule = SLDS_RULE_VALUE_TYPE;
    memset(out, 0, sizeof *out);
    out->text = s;
    out->len = len;
    if (len == 0) {
        out->blank = true;
        out->text = NULL;
        *rule = SLDS_RULE_VALUE_BLANK;
        return col->required ? "required value is blank" : NULL;
    }
    switch (col->type) {
    case SLDS_COL_ID:
        if (len > 64) {
            *rule = SLDS_RULE_VALUE_RANGE;
            return "identifier longer than 64 characters";
        }
        if (s[0] == ' ' || s[len - 1] == ' ')
            return "identifier with leading or trailing spaces";
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
                *rule = SLDS_RULE_VALUE_CONTROL_CHAR;
                return "identifier with a control character";
            }
        return NULL;
    case SLDS_COL_TEXT:
        if (len > 1000) {
            *rule = SLDS_RULE_VALUE_RANGE;
            return "text longer than 1000 bytes";
        }
        if (has_control(s, len)) {
            *rule = SLDS_RULE_VALUE_CONTROL_CHAR;
            return "text with a control character (line break, tab, escape ...)";
        }
        return NULL;
    case SLDS_COL_CODE:
        for (int i = 0; col->codes[i]; i++)
            if (strlen(col->codes[i]) == len && !memcmp(col->codes[i], s, len)) {
                out->text = col->codes[i];
                return NULL;
            }
        {
            *rule = SLDS_RULE_VALUE_CODE;
            size_t w = (size_t)snprintf(why, whysize, "unknown code; expected one of");
            for (int i = 0; col->codes[i] && w < whysize; i++)
                w += (size_t)snprintf(why + w, whysize - w, "%s %s", i ? "," : "", col->codes[i]);
        }
        return why;
    case SLDS_COL_SUBJECT:
        if (len > 32 || s[0] < 'A' || s[0] > 'Z')
            return "expected an upper-case code (A-Z, 0-9, _; up to 32 characters)";
        for (size_t i = 1; i < len; i++)
            if (!((s[i] >= 'A' && s[i] <= 'Z') || is_digit(s[i]) || s[i] == '_'))
                return "expected an upper-case code (A-Z, 0-9, _; up to 32 characters)";
        return NULL;
    case SLDS_COL_INT:
        if (!parse_int(s, len, &out->i))
            return "expected a whole number";
        if ((double)out->i < col->min || (double)out->i > col->max) {
            *rule = SLDS_RULE_VALUE_RANGE;
            snprintf(why, whysize, "out of range [%g, %g]", col->min, col->max);
            return why;
        }
        return NULL;
    case SLDS_COL_NUM:
        if (!parse_num(s, len, &out->d))
            return "expected a number (e.g. 12 or 12.5)";
        if (out->d < col->min || out->d > col->max) {
            *rule = SLDS_RULE_VALUE_RANGE;
            snprintf(why, whysize, "out of range [%g, %g]", col->min, col->max);
            return why;
        }
        return NULL;
    case SLDS_COL_DATE:
        if (!slds_date_parse(s, len, &out->i))
            return "expected a calendar date YYYY-MM-DD";
        {
            int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
            if (year < col->min || year > col->max) {
                *rule = SLDS_RULE_VALUE_RANGE;
                snprintf(why, whysize, "year out of range [%g, %g]", col->min, col->max);
                return why;
            }
        }
        return NULL;
    case SLDS_COL_DATETIME:
        if (!datetime_valid(s, len))
            return "expected an ISO 8601 date-time YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]";
        return NULL;
    case SLDS_COL_YN:
        if (len == 1 && (s[0] == 'Y' || s[0] == 'N')) {
            out->i = s[0] == 'Y';
            return NULL;
        }
        return "expected Y or N";
    case SLDS_COL_YEAR:
        if (!parse_int(s, len, &out->i) || out->i < 1990 || out->i > 2100)
            return "expected a school year 1990-2100 (the year in which it ends)";
        return NULL;
    case SLDS_COL_GRADE:
        if (!parse_grade(s, len, &out->i))
            return "expected a grade level PK, KG or 01-12";
        out->text = grade_codes[out->i + 1];
        out->len = 2;
        return NULL;
    }
    return "unknown column type";
}
