/* schema.c - the SQL schema of the state database.
 *
 * One table per collection file, named after it, with the contract's columns
 * typed and the natural key as PRIMARY KEY (WITHOUT ROWID, so the key is the
 * table's only B-tree and a load is one B-tree insert per row). Codes, dates
 * and Y/N flags are stored as the canonical text the contract uses, so the
 * database reads the same as the files in any SQLite tool. */
#include "store/store.h"

static const char *const schema_statements[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
    /* Load history: one row per distinct collection content (digest of its files),
     * so re-loading identical files leaves this table as it was. */
    "CREATE TABLE IF NOT EXISTS loads(load_id TEXT PRIMARY KEY, source_dir TEXT NOT NULL,"
    " loaded_at TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL,"
    " rows_rejected INTEGER NOT NULL) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS load_files(load_id TEXT NOT NULL, file TEXT NOT NULL,"
    " digest TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL,"
    " rows_rejected INTEGER NOT NULL, PRIMARY KEY(load_id, file)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS rejects(load_id TEXT NOT NULL, file TEXT NOT NULL,"
    " line INTEGER NOT NULL, column_name TEXT, value TEXT, reason TEXT NOT NULL,"
    " PRIMARY KEY(load_id, file, line)) WITHOUT ROWID;",

    "CREATE TABLE IF NOT EXISTS prep_programs(prep_program_id TEXT PRIMARY KEY, name TEXT,"
    " provider TEXT, route TEXT) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS leas(lea_id TEXT PRIMARY KEY, lea_name TEXT NOT NULL,"
    " children_in_poverty INTEGER, children_served INTEGER, title1_allocation REAL) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS schools(school_id TEXT PRIMARY KEY, lea_id TEXT NOT NULL,"
    " school_name TEXT NOT NULL, school_level TEXT NOT NULL, title1 TEXT, title1_status TEXT,"
    " charter TEXT) WITHOUT ROWID;",
    /* The pseudonymous statewide student: no name, no birth date. */
    "CREATE TABLE IF NOT EXISTS students(student_id TEXT PRIMARY KEY, sex TEXT) WITHOUT ROWID;",
    /* Identity and crosswalk: the only table with student names and birth dates. */
    "CREATE TABLE IF NOT EXISTS student_identity(lea_id TEXT NOT NULL, local_student_id TEXT NOT NULL,"
    " student_id TEXT NOT NULL, first_name TEXT, last_name TEXT,"
    " birth_date TEXT, sex TEXT NOT NULL, match_key TEXT,"
    " id_source TEXT NOT NULL, PRIMARY KEY(lea_id, local_student_id)) WITHOUT ROWID;",
    "CREATE INDEX IF NOT EXISTS student_identity_match ON student_identity(match_key);",
    "CREATE INDEX IF NOT EXISTS student_identity_student ON student_identity(student_id);",
    "CREATE TABLE IF NOT EXISTS enrollments(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
    " school_year INTEGER NOT NULL, grade_level TEXT NOT NULL, entry_date TEXT NOT NULL,"
    " exit_date TEXT, exit_code TEXT, PRIMARY KEY(student_id, school_id, entry_date)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS student_attributes(student_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
    " race_ethnicity TEXT, econ_disadvantaged TEXT, disability TEXT, english_learner TEXT,"
    " homeless TEXT, foster_care TEXT, migrant TEXT, PRIMARY KEY(student_id, school_year)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS staff(staff_id TEXT PRIMARY KEY, lea_id TEXT, first_name TEXT,"
    " last_name TEXT, prep_program_id TEXT, certification_route TEXT, years_experience INTEGER,"
    " tenured TEXT) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS staff_assignments(staff_id TEXT NOT NULL, school_id TEXT NOT NULL,"
    " school_year INTEGER NOT NULL, role TEXT NOT NULL, subject_area TEXT NOT NULL DEFAULT '', fte REAL,"
    " PRIMARY KEY(staff_id, school_id, school_year, role, subject_area)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS rosters(staff_id TEXT NOT NULL, student_id TEXT NOT NULL,"
    " school_id TEXT NOT NULL, school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
    " section_id TEXT NOT NULL, dosage REAL NOT NULL,"
    " PRIMARY KEY(student_id, school_year, subject, staff_id, section_id, school_id)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS assessments(student_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
    " subject TEXT NOT NULL, grade_tested TEXT NOT NULL, test_type TEXT NOT NULL, test_name TEXT NOT NULL,"
    " test_date TEXT NOT NULL, scale_score REAL, performance_level INTEGER, not_tested_reason TEXT,"
    " PRIMARY KEY(student_id, school_year, subject, test_type, test_name, test_date)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS courses(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
    " school_year INTEGER NOT NULL, term TEXT NOT NULL, course_code TEXT NOT NULL, subject TEXT,"
    " credits_attempted REAL, credits_earned REAL, grade_mark TEXT,"
    " PRIMARY KEY(student_id, school_year, term, course_code, school_id)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS attendance(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
    " school_year INTEGER NOT NULL, days_enrolled REAL NOT NULL, days_present REAL NOT NULL,"
    " PRIMARY KEY(student_id, school_year, school_id)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS discipline(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
    " action_date TEXT NOT NULL, action TEXT NOT NULL, days REAL,"
    " PRIMARY KEY(student_id, action_date, action, school_id)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS postsecondary(student_id TEXT NOT NULL, institution_id TEXT NOT NULL,"
    " institution_level TEXT NOT NULL, enrollment_date TEXT NOT NULL, remedial TEXT,"
    " credits_earned_first_two_years REAL,"
    " PRIMARY KEY(student_id, enrollment_date, institution_id)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS observations(staff_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
    " measure TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY(staff_id, school_year, measure)) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS standards(standard_id TEXT PRIMARY KEY, subject TEXT NOT NULL,"
    " grade_level TEXT, description TEXT, prerequisite_ids TEXT) WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS item_responses(student_id TEXT NOT NULL, response_time TEXT NOT NULL,"
    " item_id TEXT NOT NULL, standard_id TEXT NOT NULL, correct INTEGER NOT NULL,"
    " PRIMARY KEY(student_id, response_time, item_id)) WITHOUT ROWID;\n",
};

int slds_store_create_schema(slds_store *s, slds_error *err)
{
    for (size_t i = 0; i < sizeof schema_statements / sizeof schema_statements[0]; i++) {
        int rc = slds_store_exec(s, schema_statements[i], err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}
