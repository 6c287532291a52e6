/* schema.c - the columns of every file the generator writes, in the data
 * contract's order (DESIGN.md section 3), each with the way a dirty row may
 * spoil it; and how ids are spelled in the files. */
#include "synth/model.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const synth_column leas_cols[] = {
    {"lea_id", SYNTH_COL_REQUIRED},          {"lea_name", SYNTH_COL_REQUIRED},
    {"children_in_poverty", SYNTH_COL_COUNT}, {"children_served", SYNTH_COL_COUNT},
    {"title1_allocation", SYNTH_COL_COUNT},
};
static const synth_column schools_cols[] = {
    {"school_id", SYNTH_COL_REQUIRED}, {"lea_id", SYNTH_COL_LEA},     {"school_name", SYNTH_COL_REQUIRED},
    {"school_level", SYNTH_COL_CODE},  {"title1", SYNTH_COL_YN},      {"title1_status", SYNTH_COL_CODE},
    {"charter", SYNTH_COL_YN},
};
static const synth_column students_cols[] = {
    {"lea_id", SYNTH_COL_LEA},          {"local_student_id", SYNTH_COL_REQUIRED},
    /* Names may be blank when the record has a statewide id: never spoiled. */
    {"first_name", SYNTH_COL_KEEP},     {"last_name", SYNTH_COL_KEEP},
    {"birth_date", SYNTH_COL_DATE},     {"sex", SYNTH_COL_CODE},
    {"student_id", SYNTH_COL_KEEP},
};
static const synth_column enrollments_cols[] = {
    {"student_id", SYNTH_COL_STUDENT}, {"school_id", SYNTH_COL_SCHOOL}, {"school_year", SYNTH_COL_YEAR},
    {"grade_level", SYNTH_COL_GRADE},  {"entry_date", SYNTH_COL_DATE},  {"exit_date", SYNTH_COL_DATE},
    {"exit_code", SYNTH_COL_CODE},
};
static const synth_column attributes_cols[] = {
    {"student_id", SYNTH_COL_STUDENT},     {"school_year", SYNTH_COL_YEAR},
    {"race_ethnicity", SYNTH_COL_CODE},    {"econ_disadvantaged", SYNTH_COL_YN},
    {"disability", SYNTH_COL_YN},          {"english_learner", SYNTH_COL_YN},
    {"homeless", SYNTH_COL_YN},            {"foster_care", SYNTH_COL_YN},
    {"migrant", SYNTH_COL_YN},
};
static const synth_column staff_cols[] = {
    {"staff_id", SYNTH_COL_REQUIRED},      {"lea_id", SYNTH_COL_LEA},
    {"first_name", SYNTH_COL_KEEP},        {"last_name", SYNTH_COL_KEEP},
    {"prep_program_id", SYNTH_COL_KEEP},   {"certification_route", SYNTH_COL_CODE},
    {"years_experience", SYNTH_COL_EXPERIENCE}, {"tenured", SYNTH_COL_YN},
};
static const synth_column assignments_cols[] = {
    {"staff_id", SYNTH_COL_STAFF}, {"school_id", SYNTH_COL_SCHOOL},   {"school_year", SYNTH_COL_YEAR},
    {"role", SYNTH_COL_CODE},      {"subject_area", SYNTH_COL_CODE},  {"fte", SYNTH_COL_SHARE},
};
static const synth_column rosters_cols[] = {
    {"staff_id", SYNTH_COL_STAFF},    {"student_id", SYNTH_COL_STUDENT}, {"school_id", SYNTH_COL_SCHOOL},
    {"school_year", SYNTH_COL_YEAR},  {"subject", SYNTH_COL_SUBJECT},    {"section_id", SYNTH_COL_REQUIRED},
    {"dosage", SYNTH_COL_SHARE},
};
static const synth_column assessments_cols[] = {
    {"student_id", SYNTH_COL_STUDENT},     {"school_year", SYNTH_COL_YEAR},
    {"subject", SYNTH_COL_SUBJECT},        {"grade_tested", SYNTH_COL_GRADE},
    {"test_type", SYNTH_COL_CODE},         {"test_name", SYNTH_COL_REQUIRED},
    {"test_date", SYNTH_COL_DATE},         {"scale_score", SYNTH_COL_SCORE},
    {"performance_level", SYNTH_COL_LEVEL}, {"not_tested_reason", SYNTH_COL_SUBJECT},
};
static const synth_column courses_cols[] = {
    {"student_id", SYNTH_COL_STUDENT},    {"school_id", SYNTH_COL_SCHOOL},
    {"school_year", SYNTH_COL_YEAR},      {"term", SYNTH_COL_REQUIRED},
    {"course_code", SYNTH_COL_REQUIRED},  {"subject", SYNTH_COL_SUBJECT},
    {"credits_attempted", SYNTH_COL_COUNT}, {"credits_earned", SYNTH_COL_COUNT},
    {"grade_mark", SYNTH_COL_KEEP},
};
static const synth_column attendance_cols[] = {
    {"student_id", SYNTH_COL_STUDENT}, {"school_id", SYNTH_COL_SCHOOL}, {"school_year", SYNTH_COL_YEAR},
    {"days_enrolled", SYNTH_COL_COUNT}, {"days_present", SYNTH_COL_COUNT},
};
static const synth_column discipline_cols[] = {
    {"student_id", SYNTH_COL_STUDENT}, {"school_id", SYNTH_COL_SCHOOL}, {"action_date", SYNTH_COL_DATE},
    {"action", SYNTH_COL_CODE},        {"days", SYNTH_COL_COUNT},
};
static const synth_column postsecondary_cols[] = {
    {"student_id", SYNTH_COL_STUDENT},       {"institution_id", SYNTH_COL_REQUIRED},
    {"institution_level", SYNTH_COL_CODE},   {"enrollment_date", SYNTH_COL_DATE},
    {"remedial", SYNTH_COL_YN},              {"credits_earned_first_two_years", SYNTH_COL_COUNT},
};
static const synth_column observations_cols[] = {
    {"staff_id", SYNTH_COL_STAFF}, {"school_year", SYNTH_COL_YEAR},
    {"measure", SYNTH_COL_SUBJECT}, {"score", SYNTH_COL_SCORE},
};
static const synth_column prep_programs_cols[] = {
    {"prep_program_id", SYNTH_COL_REQUIRED}, {"name", SYNTH_COL_KEEP},
    {"provider", SYNTH_COL_CODE},            {"route", SYNTH_COL_CODE},
};
static const synth_column standards_cols[] = {
    {"standard_id", SYNTH_COL_REQUIRED}, {"subject", SYNTH_COL_SUBJECT}, {"grade_level", SYNTH_COL_GRADE},
    {"description", SYNTH_COL_KEEP},     {"prerequisite_ids", SYNTH_COL_KEEP},
};
static const synth_column item_responses_cols[] = {
    {"student_id", SYNTH_COL_STUDENT}, {"response_time", SYNTH_COL_DATETIME},
    {"item_id", SYNTH_COL_REQUIRED},   {"standard_id", SYNTH_COL_STANDARD},
    {"correct", SYNTH_COL_BIT},
};
/* A blank school_id is a district row: never spoiled to blank. */
static const synth_column finance_cols[] = {
    {"lea_id", SYNTH_COL_LEA},        {"school_id", SYNTH_COL_KEEP},   {"school_year", SYNTH_COL_YEAR},
    {"source", SYNTH_COL_CODE},       {"expenditure", SYNTH_COL_COUNT}, {"pupils", SYNTH_COL_COUNT},
};

#define SCHEMA(file, cols) {file, cols, N(cols)}
const synth_schema synth_contract_schemas[SLDS_SYNTH_NFILES] = {
    [SLDS_SYNTH_LEAS] = SCHEMA("leas.csv", leas_cols),
    [SLDS_SYNTH_SCHOOLS] = SCHEMA("schools.csv", schools_cols),
    [SLDS_SYNTH_STUDENTS] = SCHEMA("students.csv", students_cols),
    [SLDS_SYNTH_ENROLLMENTS] = SCHEMA("enrollments.csv", enrollments_cols),
    [SLDS_SYNTH_STUDENT_ATTRIBUTES] = SCHEMA("student_attributes.csv", attributes_cols),
    [SLDS_SYNTH_STAFF] = SCHEMA("staff.csv", staff_cols),
    [SLDS_SYNTH_STAFF_ASSIGNMENTS] = SCHEMA("staff_assignments.csv", assignments_cols),
    [SLDS_SYNTH_ROSTERS] = SCHEMA("rosters.csv", rosters_cols),
    [SLDS_SYNTH_ASSESSMENTS] = SCHEMA("assessments.csv", assessments_cols),
    [SLDS_SYNTH_COURSES] = SCHEMA("courses.csv", courses_cols),
    [SLDS_SYNTH_ATTENDANCE] = SCHEMA("attendance.csv", attendance_cols),
    [SLDS_SYNTH_DISCIPLINE] = SCHEMA("discipline.csv", discipline_cols),
    [SLDS_SYNTH_POSTSECONDARY] = SCHEMA("postsecondary.csv", postsecondary_cols),
    [SLDS_SYNTH_OBSERVATIONS] = SCHEMA("observations.csv", observations_cols),
    [SLDS_SYNTH_PREP_PROGRAMS] = SCHEMA("prep_programs.csv", prep_programs_cols),
    [SLDS_SYNTH_STANDARDS] = SCHEMA("standards.csv", standards_cols),
    [SLDS_SYNTH_ITEM_RESPONSES] = SCHEMA("item_responses.csv", item_responses_cols),
    [SLDS_SYNTH_FINANCE] = SCHEMA("finance.csv", finance_cols),
};

/* Truth files: never dirty. */
static const synth_column dirty_log_cols[] = {
    {"file", SYNTH_COL_KEEP}, {"line", SYNTH_COL_KEEP},  {"column", SYNTH_COL_KEEP},
    {"problem", SYNTH_COL_KEEP}, {"value", SYNTH_COL_KEEP},
};
static const synth_column dirty_warn_cols[] = {
    {"file", SYNTH_COL_KEEP}, {"line", SYNTH_COL_KEEP}, {"column", SYNTH_COL_KEEP}, {"rule", SYNTH_COL_KEEP},
};
static const synth_column identity_cols[] = {
    {"lea_id", SYNTH_COL_KEEP}, {"local_student_id", SYNTH_COL_KEEP},
    {"student_id", SYNTH_COL_KEEP}, {"kind", SYNTH_COL_KEEP},
};
static const synth_column teacher_year_cols[] = {
    {"staff_id", SYNTH_COL_KEEP},          {"school_year", SYNTH_COL_KEEP},
    {"subject", SYNTH_COL_KEEP},           {"true_effect", SYNTH_COL_KEEP},
    {"program_effect", SYNTH_COL_KEEP},    {"experience_effect", SYNTH_COL_KEEP},
    {"individual_effect", SYNTH_COL_KEEP}, {"years_experience", SYNTH_COL_KEEP},
};
static const synth_column teacher_effects_cols[] = {
    {"staff_id", SYNTH_COL_KEEP},          {"subject", SYNTH_COL_KEEP},
    {"true_effect", SYNTH_COL_KEEP},       {"program_effect", SYNTH_COL_KEEP},
    {"experience_effect", SYNTH_COL_KEEP}, {"individual_effect", SYNTH_COL_KEEP},
    {"years_rostered", SYNTH_COL_KEEP},    {"prep_program_id", SYNTH_COL_KEEP},
};
static const synth_column program_effects_cols[] = {
    {"prep_program_id", SYNTH_COL_KEEP}, {"subject", SYNTH_COL_KEEP}, {"true_effect", SYNTH_COL_KEEP},
    {"teachers_rostered", SYNTH_COL_KEEP}, {"mean_teacher_effect", SYNTH_COL_KEEP},
};
static const synth_column school_effects_cols[] = {
    {"school_id", SYNTH_COL_KEEP},      {"subject", SYNTH_COL_KEEP},
    {"true_effect", SYNTH_COL_KEEP},    {"poverty_share", SYNTH_COL_KEEP},
    {"minority_share", SYNTH_COL_KEEP},
};
static const synth_column standard_params_cols[] = {
    {"standard_id", SYNTH_COL_KEEP}, {"p_init", SYNTH_COL_KEEP}, {"p_learn", SYNTH_COL_KEEP},
    {"p_guess", SYNTH_COL_KEEP},     {"p_slip", SYNTH_COL_KEEP},
};

const synth_schema synth_dirty_log_schema = SCHEMA("truth/dirty_rows.csv", dirty_log_cols);
const synth_schema synth_dirty_warn_schema = SCHEMA("truth/dirty_warnings.csv", dirty_warn_cols);
const synth_schema synth_identity_schema = SCHEMA("truth/identity.csv", identity_cols);
const synth_schema synth_teacher_year_schema = SCHEMA("truth/teacher_year_effects.csv", teacher_year_cols);
const synth_schema synth_teacher_effects_schema = SCHEMA("truth/teacher_effects.csv", teacher_effects_cols);
const synth_schema synth_program_effects_schema = SCHEMA("truth/prep_program_effects.csv", program_effects_cols);
const synth_schema synth_school_effects_schema = SCHEMA("truth/school_effects.csv", school_effects_cols);
const synth_schema synth_standard_params_schema = SCHEMA("truth/standard_params.csv", standard_params_cols);

const char *slds_synth_file_name(int file)
{
    if (file < 0 || file >= SLDS_SYNTH_NFILES)
        return NULL;
    return synth_contract_schemas[file].file;
}

void synth_put_student_id(synth_csv *f, const synth_ctx *c, uint32_t student)
{
    /* Ten digits, the first a 1: 10^9 plus a scrambled sequence number. */
    synth_csv_uint(f, 1000000000ull + c->st.state_id[student]);
}

void synth_put_school_id(synth_csv *f, uint32_t school)
{
    synth_csv_code_id(f, 'S', school + 1u, 5);
}

void synth_put_lea_id(synth_csv *f, uint32_t lea)
{
    synth_csv_code_id(f, 'L', lea + 1u, 4);
}

void synth_put_staff_id(synth_csv *f, uint32_t staff)
{
    synth_csv_code_id(f, 'E', staff + 1u, 7);
}

void synth_put_program_id(synth_csv *f, uint32_t program)
{
    synth_csv_code_id(f, 'P', program + 1u, 3);
}

const char *synth_grade_code(int grade)
{
    static const char *const codes[N_GRADES] = {"PK", "KG", "01", "02", "03", "04", "05",
                                                "06", "07", "08", "09", "10", "11", "12"};
    return grade >= GRADE_PK && grade <= 12 ? codes[GI(grade)] : "??";
}
