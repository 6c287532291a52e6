/* contract.h - the data contract of collection files as data: every file, its
 * columns, their types, codes and ranges, which may be blank, and each file's
 * natural key. The loader, the docs and the generator's tests all read this
 * one table (docs/contract.md is the same content for people).
 *
 * Parsing a field (slds_field_parse) turns the text of one cell into the
 * canonical value stored in the database, or a reason it is not valid. */
#ifndef SLDS_INGEST_CONTRACT_H
#define SLDS_INGEST_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef enum {
    SLDS_COL_ID,       /* identifier: 1-64 printable characters, no spaces at the ends */
    SLDS_COL_TEXT,     /* free text, up to 1000 bytes */
    SLDS_COL_CODE,     /* one of the listed codes */
    SLDS_COL_SUBJECT,  /* any upper-case code: [A-Z][A-Z0-9_]*, up to 32 characters */
    SLDS_COL_INT,      /* whole number in [min, max] */
    SLDS_COL_NUM,      /* decimal number in [min, max] */
    SLDS_COL_DATE,     /* YYYY-MM-DD, a real calendar date in [min, max] years */
    SLDS_COL_DATETIME, /* YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM] */
    SLDS_COL_YN,       /* Y or N */
    SLDS_COL_YEAR,     /* school year (the calendar year in which it ends), 1990-2100 */
    SLDS_COL_GRADE     /* PK, KG, 01-12 (1-12 accepted and written as 01-12) */
} slds_col_type;

typedef struct slds_column_def {
    const char *name;
    slds_col_type type;
    bool required;           /* false: may be blank */
    const char *const *codes;/* SLDS_COL_CODE: NULL-terminated list */
    double min, max;         /* INT/NUM ranges; DATE: year range */
    const char *doc;         /* one line for docs/contract.md */
} slds_column_def;

typedef enum {
    SLDS_FILE_PREP_PROGRAMS, SLDS_FILE_LEAS, SLDS_FILE_SCHOOLS, SLDS_FILE_STAFF,
    SLDS_FILE_STAFF_ASSIGNMENTS, SLDS_FILE_OBSERVATIONS, SLDS_FILE_STUDENTS, SLDS_FILE_ENROLLMENTS,
    SLDS_FILE_STUDENT_ATTRIBUTES, SLDS_FILE_ROSTERS, SLDS_FILE_ASSESSMENTS, SLDS_FILE_COURSES,
    SLDS_FILE_ATTENDANCE, SLDS_FILE_DISCIPLINE, SLDS_FILE_POSTSECONDARY, SLDS_FILE_STANDARDS,
    SLDS_FILE_ITEM_RESPONSES, SLDS_FILE_FINANCE
} slds_file_kind;

typedef struct slds_file_def {
    slds_file_kind kind;
    const char *file;        /* e.g. "enrollments.csv" */
    const char *table;       /* database table */
    const slds_column_def *columns;
    int ncolumns;
    const char *natural_key; /* comma-separated column names */
    const char *row_doc;     /* "one row per ..." */
} slds_file_def;

/* The files in load order (a file is loaded after every file it refers to). */
const slds_file_def *slds_contract_files(int *count);
const slds_file_def *slds_contract_find(const char *file);
/* Index of a column in def, or -1. */
int slds_contract_column(const slds_file_def *def, const char *name);

/* A parsed field. text is canonical (codes, dates); borrowed from the input or
 * from a static code table, or NULL when blank. */
typedef struct slds_value {
    bool blank;
    const char *text;
    size_t len;
    int64_t i;    /* INT, YEAR, DATE (days since 1970-01-01), GRADE (PK=-1, KG=0, 1..12) */
    double d;     /* NUM */
} slds_value;

/* Parses one cell. Returns NULL when valid (out filled), else a reason that
 * names what was expected (a static string or written into why[whysize]). */
const char *slds_field_parse(const slds_column_def *col, const char *s, size_t len,
                             slds_value *out, char *why, size_t whysize);

/* Named column indexes, generated from one list per file (X-macros): the enum
 * SLDS_<P>_<NAME> is the column's index in its file's contract, and
 * contract.c places each column at its named index (designated initializers),
 * so code that addresses a column by name (r->v[SLDS_ENR_EXIT_CODE]) reads
 * that column whatever the order of the contract. test_contract checks every
 * name against the column it indexes. */
#define SLDS_LEAS_COLUMNS(X) X(LEA, LEA_ID, lea_id) X(LEA, LEA_NAME, lea_name) \
    X(LEA, CHILDREN_IN_POVERTY, children_in_poverty) X(LEA, CHILDREN_SERVED, children_served) \
    X(LEA, TITLE1_ALLOCATION, title1_allocation)
#define SLDS_SCHOOLS_COLUMNS(X) X(SCH, SCHOOL_ID, school_id) X(SCH, LEA_ID, lea_id) \
    X(SCH, SCHOOL_NAME, school_name) X(SCH, SCHOOL_LEVEL, school_level) X(SCH, TITLE1, title1) \
    X(SCH, TITLE1_STATUS, title1_status) X(SCH, CHARTER, charter)
#define SLDS_STUDENTS_COLUMNS(X) X(STU, LEA_ID, lea_id) X(STU, LOCAL_STUDENT_ID, local_student_id) \
    X(STU, FIRST_NAME, first_name) X(STU, LAST_NAME, last_name) X(STU, BIRTH_DATE, birth_date) \
    X(STU, SEX, sex) X(STU, STUDENT_ID, student_id)
#define SLDS_ENROLLMENTS_COLUMNS(X) X(ENR, STUDENT_ID, student_id) X(ENR, SCHOOL_ID, school_id) \
    X(ENR, SCHOOL_YEAR, school_year) X(ENR, GRADE_LEVEL, grade_level) X(ENR, ENTRY_DATE, entry_date) \
    X(ENR, EXIT_DATE, exit_date) X(ENR, EXIT_CODE, exit_code)
#define SLDS_ATTRIBUTES_COLUMNS(X) X(ATR, STUDENT_ID, student_id) X(ATR, SCHOOL_YEAR, school_year) \
    X(ATR, RACE_ETHNICITY, race_ethnicity) X(ATR, ECON_DISADVANTAGED, econ_disadvantaged) \
    X(ATR, DISABILITY, disability) X(ATR, ENGLISH_LEARNER, english_learner) \
    X(ATR, HOMELESS, homeless) X(ATR, FOSTER_CARE, foster_care) X(ATR, MIGRANT, migrant)
#define SLDS_STAFF_COLUMNS(X) X(STF, STAFF_ID, staff_id) X(STF, LEA_ID, lea_id) \
    X(STF, FIRST_NAME, first_name) X(STF, LAST_NAME, last_name) \
    X(STF, PREP_PROGRAM_ID, prep_program_id) X(STF, CERTIFICATION_ROUTE, certification_route) \
    X(STF, YEARS_EXPERIENCE, years_experience) X(STF, TENURED, tenured)
#define SLDS_ASSIGNMENTS_COLUMNS(X) X(ASG, STAFF_ID, staff_id) X(ASG, SCHOOL_ID, school_id) \
    X(ASG, SCHOOL_YEAR, school_year) X(ASG, ROLE, role) X(ASG, SUBJECT_AREA, subject_area) \
    X(ASG, FTE, fte)
#define SLDS_ROSTERS_COLUMNS(X) X(ROS, STAFF_ID, staff_id) X(ROS, STUDENT_ID, student_id) \
    X(ROS, SCHOOL_ID, school_id) X(ROS, SCHOOL_YEAR, school_year) X(ROS, SUBJECT, subject) \
    X(ROS, SECTION_ID, section_id) X(ROS, DOSAGE, dosage)
#define SLDS_ASSESSMENTS_COLUMNS(X) X(ASM, STUDENT_ID, student_id) X(ASM, SCHOOL_YEAR, school_year) \
    X(ASM, SUBJECT, subject) X(ASM, GRADE_TESTED, grade_tested) X(ASM, TEST_TYPE, test_type) \
    X(ASM, TEST_NAME, test_name) X(ASM, TEST_DATE, test_date) X(ASM, SCALE_SCORE, scale_score) \
    X(ASM, PERFORMANCE_LEVEL, performance_level) X(ASM, NOT_TESTED_REASON, not_tested_reason)
#define SLDS_COURSES_COLUMNS(X) X(CRS, STUDENT_ID, student_id) X(CRS, SCHOOL_ID, school_id) \
    X(CRS, SCHOOL_YEAR, school_year) X(CRS, TERM, term) X(CRS, COURSE_CODE, course_code) \
    X(CRS, SUBJECT, subject) X(CRS, CREDITS_ATTEMPTED, credits_attempted) \
    X(CRS, CREDITS_EARNED, credits_earned) X(CRS, GRADE_MARK, grade_mark)
#define SLDS_ATTENDANCE_COLUMNS(X) X(ATT, STUDENT_ID, student_id) X(ATT, SCHOOL_ID, school_id) \
    X(ATT, SCHOOL_YEAR, school_year) X(ATT, DAYS_ENROLLED, days_enrolled) \
    X(ATT, DAYS_PRESENT, days_present)
#define SLDS_DISCIPLINE_COLUMNS(X) X(DIS, STUDENT_ID, student_id) X(DIS, SCHOOL_ID, school_id) \
    X(DIS, ACTION_DATE, action_date) X(DIS, ACTION, action) X(DIS, DAYS, days)
#define SLDS_POSTSECONDARY_COLUMNS(X) X(PSE, STUDENT_ID, student_id) \
    X(PSE, INSTITUTION_ID, institution_id) X(PSE, INSTITUTION_LEVEL, institution_level) \
    X(PSE, ENROLLMENT_DATE, enrollment_date) X(PSE, REMEDIAL, remedial) \
    X(PSE, CREDITS_EARNED_FIRST_TWO_YEARS, credits_earned_first_two_years)
#define SLDS_OBSERVATIONS_COLUMNS(X) X(OBS, STAFF_ID, staff_id) X(OBS, SCHOOL_YEAR, school_year) \
    X(OBS, MEASURE, measure) X(OBS, SCORE, score)
#define SLDS_PREP_COLUMNS(X) X(PRG, PREP_PROGRAM_ID, prep_program_id) X(PRG, NAME, name) \
    X(PRG, PROVIDER, provider) X(PRG, ROUTE, route)
#define SLDS_STANDARDS_COLUMNS(X) X(STD, STANDARD_ID, standard_id) X(STD, SUBJECT, subject) \
    X(STD, GRADE_LEVEL, grade_level) X(STD, DESCRIPTION, description) \
    X(STD, PREREQUISITE_IDS, prerequisite_ids)
#define SLDS_RESPONSES_COLUMNS(X) X(ITM, STUDENT_ID, student_id) X(ITM, RESPONSE_TIME, response_time) \
    X(ITM, ITEM_ID, item_id) X(ITM, STANDARD_ID, standard_id) X(ITM, CORRECT, correct)

#define SLDS_FINANCE_COLUMNS(X) X(FIN, LEA_ID, lea_id) X(FIN, SCHOOL_ID, school_id) \
    X(FIN, SCHOOL_YEAR, school_year) X(FIN, SOURCE, source) X(FIN, EXPENDITURE, expenditure) \
    X(FIN, PUPILS, pupils)

#define SLDS_COLUMN_ENUM(prefix, NAME, name) SLDS_##prefix##_##NAME,
enum { SLDS_LEAS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_LEA_NCOLS };
enum { SLDS_SCHOOLS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_SCH_NCOLS };
enum { SLDS_STUDENTS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_STU_NCOLS };
enum { SLDS_ENROLLMENTS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_ENR_NCOLS };
enum { SLDS_ATTRIBUTES_COLUMNS(SLDS_COLUMN_ENUM) SLDS_ATR_NCOLS };
enum { SLDS_STAFF_COLUMNS(SLDS_COLUMN_ENUM) SLDS_STF_NCOLS };
enum { SLDS_ASSIGNMENTS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_ASG_NCOLS };
enum { SLDS_ROSTERS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_ROS_NCOLS };
enum { SLDS_ASSESSMENTS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_ASM_NCOLS };
enum { SLDS_COURSES_COLUMNS(SLDS_COLUMN_ENUM) SLDS_CRS_NCOLS };
enum { SLDS_ATTENDANCE_COLUMNS(SLDS_COLUMN_ENUM) SLDS_ATT_NCOLS };
enum { SLDS_DISCIPLINE_COLUMNS(SLDS_COLUMN_ENUM) SLDS_DIS_NCOLS };
enum { SLDS_POSTSECONDARY_COLUMNS(SLDS_COLUMN_ENUM) SLDS_PSE_NCOLS };
enum { SLDS_OBSERVATIONS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_OBS_NCOLS };
enum { SLDS_PREP_COLUMNS(SLDS_COLUMN_ENUM) SLDS_PRG_NCOLS };
enum { SLDS_STANDARDS_COLUMNS(SLDS_COLUMN_ENUM) SLDS_STD_NCOLS };
enum { SLDS_RESPONSES_COLUMNS(SLDS_COLUMN_ENUM) SLDS_ITM_NCOLS };
enum { SLDS_FINANCE_COLUMNS(SLDS_COLUMN_ENUM) SLDS_FIN_NCOLS };

/* ---- rules -------------------------------------------------------------
 * Every check the loader makes is a rule with a stable id, a message, a
 * default severity and whether it protects storage. A row that fails a
 * `reject` rule is not loaded (kept in rejects); a row that fails a `warn`
 * rule is loaded and the failure kept as a finding. A storage rule (keys,
 * types, codes, unknown references, identity) can never be lowered to warn:
 * the row could not be stored faithfully. docs/contract.md lists this table
 * (`slds contract --rules --format markdown`). */
typedef enum { SLDS_SEV_REJECT, SLDS_SEV_WARN } slds_severity;

#define SLDS_RULES(X)                                                                              \
    X(ROW_FIELD_COUNT)  X(ROW_NOT_UTF8) X(ROW_STRAY_QUOTE) X(VALUE_BLANK) X(VALUE_TYPE)            \
    X(VALUE_CODE) X(VALUE_RANGE) X(VALUE_CONTROL_CHAR) X(KEY_DUPLICATE_IN_FILE)                    \
    X(REF_UNKNOWN_DISTRICT) X(REF_UNKNOWN_SCHOOL) X(REF_UNKNOWN_STAFF) X(REF_UNKNOWN_STUDENT)      \
    X(REF_UNKNOWN_PROGRAM) X(REF_UNKNOWN_STANDARD) X(STU_IDENTITY_MISSING)                         \
    X(STU_AMBIGUOUS_MATCH) X(STU_LINKED_TO_OTHER_ID) X(ENR_EXIT_BEFORE_ENTRY)                      \
    X(ENR_EXIT_CODE_WITHOUT_DATE) X(ENR_EXIT_CODE_MISSING) X(ENR_ENTRY_OUTSIDE_YEAR)               \
    X(ENR_EXIT_AFTER_YEAR) X(ENR_OVERLAP) X(ENR_GRADE_PROGRESSION) X(ROS_TEACHER_NOT_ASSIGNED)     \
    X(ROS_NOT_ENROLLED) X(ASM_NOT_ENROLLED) X(ASM_TEST_DATE_OUTSIDE_YEAR) X(ASM_SCORE_AND_REASON)  \
    X(ATT_NOT_ENROLLED) X(ATT_PRESENT_OVER_ENROLLED)

#define SLDS_RULE_ENUM(id) SLDS_RULE_##id,
typedef enum { SLDS_RULES(SLDS_RULE_ENUM) SLDS_RULE_COUNT } slds_rule;

typedef struct slds_rule_def {
    slds_rule rule;
    const char *id;            /* e.g. "ENR_EXIT_CODE_MISSING" */
    const char *files;         /* the files it applies to ("*": every file) */
    slds_severity severity;    /* the default */
    bool storage;              /* protects storage: can never be lowered to warn */
    const char *message;       /* what it checks, one line */
} slds_rule_def;

/* The rules, in the order of the enum (slds_rules()[r].rule == r). */
const slds_rule_def *slds_rules(int *count);
/* The rule with this id, or NULL. */
const slds_rule_def *slds_rule_find(const char *id);
const char *slds_severity_name(slds_severity s);

/* Like slds_field_parse, and *rule says which rule a failure breaks
 * (VALUE_BLANK, VALUE_TYPE, VALUE_CODE, VALUE_RANGE or VALUE_CONTROL_CHAR). */
const char *slds_field_check(const slds_column_def *col, const char *s, size_t len,
                             slds_value *out, char *why, size_t whysize, slds_rule *rule);

/* Dates as day numbers (slds_date_parse, slds_date_format,
 * slds_days_from_civil) are in core/core.h. */
/* Grade code as stored: -1 -> "PK", 0 -> "KG", 1..12 -> "01".."12". */
const char *slds_grade_code(int grade);

#endif
