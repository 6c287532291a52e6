/* schema.c - the schema registry: every table of the state database, as
 * ordered migrations per module, and the code that applies them.
 *
 * A module's tables are created and changed only by its entries here:
 * {module, version, sql}, versions 1, 2, ... in order (a long version may take
 * several consecutive entries: C compilers need only take 4095-character
 * strings). meta keeps each module's
 * version as "schema_version.<module>" and "schema_version" = "2" says the
 * versions are kept per module. A database made before the registry (commit
 * 7f7484e and earlier) has "schema_version" = "1" and is the v1 of every module
 * (of growth only when a growth run created its tables); its first writer open
 * records the per-module versions. docs/store.md says how to add a migration.
 *
 * Collection tables: one per collection file, named after it, with the
 * contract's columns typed and the natural key as PRIMARY KEY (WITHOUT ROWID,
 * so the key is the table's only B-tree and a load is one B-tree insert per
 * row). Codes, dates and Y/N flags are stored as the canonical text the
 * contract uses, so the database reads the same as the files in any SQLite tool.
 *
 * Growth tables (docs/growth.md describes every column): every key starts with
 * (school_year, subject), so a run writes each table as one appended key range
 * and a re-run deletes one range.
 *
 * The v1 statements say IF NOT EXISTS because a database from before the
 * registry may already hold them (growth's in particular). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define LAYOUT_LEGACY "1"      /* one schema_version for everything (before the registry) */
#define LAYOUT_PER_MODULE "2" /* schema_version.<module> */

static const slds_migration registry[] = {
    {"store", 1, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"},
    /* Load history: one row per distinct collection content (digest of its files),
     * so re-loading identical files leaves this table as it was. */
    {"ingest", 1,
     "CREATE TABLE IF NOT EXISTS loads(load_id TEXT PRIMARY KEY, source_dir TEXT NOT NULL,"
     " loaded_at TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL,"
     " rows_rejected INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS load_files(load_id TEXT NOT NULL, file TEXT NOT NULL,"
     " digest TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL,"
     " rows_rejected INTEGER NOT NULL, PRIMARY KEY(load_id, file)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS rejects(load_id TEXT NOT NULL, file TEXT NOT NULL,"
     " line INTEGER NOT NULL, column_name TEXT, value TEXT, reason TEXT NOT NULL,"
     " PRIMARY KEY(load_id, file, line)) WITHOUT ROWID;"},
    {"collection", 1,
     "CREATE TABLE IF NOT EXISTS prep_programs(prep_program_id TEXT PRIMARY KEY, name TEXT,"
     " provider TEXT, route TEXT) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS leas(lea_id TEXT PRIMARY KEY, lea_name TEXT NOT NULL,"
     " children_in_poverty INTEGER, children_served INTEGER, title1_allocation REAL) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS schools(school_id TEXT PRIMARY KEY, lea_id TEXT NOT NULL,"
     " school_name TEXT NOT NULL, school_level TEXT NOT NULL, title1 TEXT, title1_status TEXT,"
     " charter TEXT) WITHOUT ROWID;"
     /* The pseudonymous statewide student: no name, no birth date. */
     "CREATE TABLE IF NOT EXISTS students(student_id TEXT PRIMARY KEY, sex TEXT) WITHOUT ROWID;"
     /* Identity and crosswalk: the only table with student names and birth dates. */
     "CREATE TABLE IF NOT EXISTS student_identity(lea_id TEXT NOT NULL, local_student_id TEXT NOT NULL,"
     " student_id TEXT NOT NULL, first_name TEXT, last_name TEXT,"
     " birth_date TEXT, sex TEXT NOT NULL, match_key TEXT,"
     " id_source TEXT NOT NULL, PRIMARY KEY(lea_id, local_student_id)) WITHOUT ROWID;"
     "CREATE INDEX IF NOT EXISTS student_identity_match ON student_identity(match_key);"
     "CREATE INDEX IF NOT EXISTS student_identity_student ON student_identity(student_id);"
     "CREATE TABLE IF NOT EXISTS enrollments(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
     " school_year INTEGER NOT NULL, grade_level TEXT NOT NULL, entry_date TEXT NOT NULL,"
     " exit_date TEXT, exit_code TEXT, PRIMARY KEY(student_id, school_id, entry_date)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS student_attributes(student_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
     " race_ethnicity TEXT, econ_disadvantaged TEXT, disability TEXT, english_learner TEXT,"
     " homeless TEXT, foster_care TEXT, migrant TEXT, PRIMARY KEY(student_id, school_year)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS staff(staff_id TEXT PRIMARY KEY, lea_id TEXT, first_name TEXT,"
     " last_name TEXT, prep_program_id TEXT, certification_route TEXT, years_experience INTEGER,"
     " tenured TEXT) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS staff_assignments(staff_id TEXT NOT NULL, school_id TEXT NOT NULL,"
     " school_year INTEGER NOT NULL, role TEXT NOT NULL, subject_area TEXT NOT NULL DEFAULT '', fte REAL,"
     " PRIMARY KEY(staff_id, school_id, school_year, role, subject_area)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS rosters(staff_id TEXT NOT NULL, student_id TEXT NOT NULL,"
     " school_id TEXT NOT NULL, school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " section_id TEXT NOT NULL, dosage REAL NOT NULL,"
     " PRIMARY KEY(student_id, school_year, subject, staff_id, section_id, school_id)) WITHOUT ROWID;"},
    {"collection", 1,
     "CREATE TABLE IF NOT EXISTS assessments(student_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
     " subject TEXT NOT NULL, grade_tested TEXT NOT NULL, test_type TEXT NOT NULL, test_name TEXT NOT NULL,"
     " test_date TEXT NOT NULL, scale_score REAL, performance_level INTEGER, not_tested_reason TEXT,"
     " PRIMARY KEY(student_id, school_year, subject, test_type, test_name, test_date)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS courses(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
     " school_year INTEGER NOT NULL, term TEXT NOT NULL, course_code TEXT NOT NULL, subject TEXT,"
     " credits_attempted REAL, credits_earned REAL, grade_mark TEXT,"
     " PRIMARY KEY(student_id, school_year, term, course_code, school_id)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS attendance(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
     " school_year INTEGER NOT NULL, days_enrolled REAL NOT NULL, days_present REAL NOT NULL,"
     " PRIMARY KEY(student_id, school_year, school_id)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS discipline(student_id TEXT NOT NULL, school_id TEXT NOT NULL,"
     " action_date TEXT NOT NULL, action TEXT NOT NULL, days REAL,"
     " PRIMARY KEY(student_id, action_date, action, school_id)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS postsecondary(student_id TEXT NOT NULL, institution_id TEXT NOT NULL,"
     " institution_level TEXT NOT NULL, enrollment_date TEXT NOT NULL, remedial TEXT,"
     " credits_earned_first_two_years REAL,"
     " PRIMARY KEY(student_id, enrollment_date, institution_id)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS observations(staff_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
     " measure TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY(staff_id, school_year, measure)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS standards(standard_id TEXT PRIMARY KEY, subject TEXT NOT NULL,"
     " grade_level TEXT, description TEXT, prerequisite_ids TEXT) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS item_responses(student_id TEXT NOT NULL, response_time TEXT NOT NULL,"
     " item_id TEXT NOT NULL, standard_id TEXT NOT NULL, correct INTEGER NOT NULL,"
     " PRIMARY KEY(student_id, response_time, item_id)) WITHOUT ROWID;"},
    {"growth", 1,
     "CREATE TABLE IF NOT EXISTS growth_runs(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " run_at TEXT NOT NULL, config TEXT, max_order INTEGER NOT NULL, n_taus INTEGER NOT NULL,"
     " projection_years INTEGER NOT NULL, gain_method TEXT NOT NULL,"
     " reference_year INTEGER NOT NULL, levels TEXT, students INTEGER NOT NULL,"
     " with_sgp INTEGER NOT NULL, with_target INTEGER NOT NULL,"
     " with_grade_levels INTEGER NOT NULL, seconds REAL,"
     " PRIMARY KEY(school_year, subject)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS growth_cohorts(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " grade INTEGER NOT NULL, n_priors INTEGER NOT NULL, students INTEGER NOT NULL,"
     " with_prior INTEGER NOT NULL, with_sgp INTEGER NOT NULL, with_target INTEGER NOT NULL,"
     " orders_fitted INTEGER NOT NULL, loss REAL, hoss REAL, cuts TEXT, proficient_cut REAL,"
     " points_per_grade REAL, points_students INTEGER, seconds REAL, note TEXT,"
     " PRIMARY KEY(school_year, subject, grade)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS growth_priors(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " grade INTEGER NOT NULL, prior INTEGER NOT NULL, prior_grade INTEGER NOT NULL,"
     " prior_year INTEGER NOT NULL, degree INTEGER NOT NULL, knots TEXT NOT NULL,"
     " boundary_low REAL NOT NULL, boundary_high REAL NOT NULL, knots_source TEXT NOT NULL,"
     " PRIMARY KEY(school_year, subject, grade, prior)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS growth_models(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " grade INTEGER NOT NULL, sgp_order INTEGER NOT NULL, students INTEGER NOT NULL,"
     " p INTEGER NOT NULL, n_taus INTEGER NOT NULL, taus BLOB NOT NULL, coef BLOB NOT NULL,"
     " PRIMARY KEY(school_year, subject, grade, sgp_order)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS growth_students(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " student_id TEXT NOT NULL, grade INTEGER NOT NULL, scale_score REAL NOT NULL, test_date TEXT,"
     " school_id TEXT, lea_id TEXT, prior_score REAL, sgp INTEGER, sgp_order INTEGER,"
     " no_sgp_reason TEXT, gain REAL, grade_levels_gained REAL, sgp_target INTEGER,"
     " target_years INTEGER, catch_up_keep_up TEXT, on_track TEXT,"
     " PRIMARY KEY(school_year, subject, student_id)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS growth_sgp(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " student_id TEXT NOT NULL, sgp_order INTEGER NOT NULL, sgp INTEGER NOT NULL,"
     " PRIMARY KEY(school_year, subject, student_id, sgp_order)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS growth_targets(school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
     " student_id TEXT NOT NULL, years_ahead INTEGER NOT NULL, target_grade INTEGER NOT NULL,"
     " target_year INTEGER NOT NULL, proficient_cut REAL NOT NULL, sgp_target INTEGER NOT NULL,"
     " reachable TEXT NOT NULL, on_track TEXT,"
     " PRIMARY KEY(school_year, subject, student_id, years_ahead)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS growth_aggregates(school_year INTEGER NOT NULL,"
     " subject TEXT NOT NULL, level TEXT NOT NULL, group_id TEXT NOT NULL,"
     " students INTEGER NOT NULL, n_sgp REAL NOT NULL, median_sgp REAL, mean_sgp REAL,"
     " n_gain REAL NOT NULL, n_1_grade REAL NOT NULL, n_1_5_grade REAL NOT NULL,"
     " share_1_grade REAL, share_1_5_grade REAL,"
     " PRIMARY KEY(school_year, subject, level, group_id)) WITHOUT ROWID;"},
    /* ingest 2 (issue 7): every reject names its rule; findings (rows loaded
     * with a warning); warned and deleted counts; the change history (the
     * old row of every stored row a load replaced or deleted). */
    {"ingest", 2,
     "ALTER TABLE rejects ADD COLUMN rule_id TEXT;"
     "ALTER TABLE loads ADD COLUMN rows_warned INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE loads ADD COLUMN rows_deleted INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE load_files ADD COLUMN rows_warned INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE load_files ADD COLUMN rows_deleted INTEGER NOT NULL DEFAULT 0;"
     "CREATE TABLE findings(load_id TEXT NOT NULL, file TEXT NOT NULL,"
     " line INTEGER NOT NULL, column_name TEXT, value TEXT, rule_id TEXT NOT NULL,"
     " message TEXT NOT NULL, lea_id TEXT, PRIMARY KEY(load_id, file, line, rule_id)) WITHOUT ROWID;"
     "CREATE INDEX findings_lea ON findings(lea_id, rule_id);"
     "CREATE TABLE row_history(history_id INTEGER PRIMARY KEY, load_id TEXT NOT NULL,"
     " changed_at TEXT, table_name TEXT NOT NULL, student_id TEXT, change TEXT NOT NULL,"
     " old_row TEXT NOT NULL);"
     "CREATE INDEX row_history_student ON row_history(student_id);"
     "CREATE INDEX row_history_load ON row_history(load_id);"},
    /* Accountability (src/account): the intervention model assigned to each
     * persistently lowest-achieving school, loaded by `slds interventions`. */
    {"account", 1,
     "CREATE TABLE IF NOT EXISTS interventions(school_id TEXT NOT NULL, school_year INTEGER NOT NULL,"
     " model TEXT NOT NULL, PRIMARY KEY(school_id, school_year)) WITHOUT ROWID;"},
    {"educator", 1,
     "CREATE TABLE IF NOT EXISTS educator_results(school_year INTEGER NOT NULL,"
     " staff_id TEXT NOT NULL, role TEXT NOT NULL, subject TEXT NOT NULL,"
     " n_students REAL NOT NULL, fte_students REAL NOT NULL, vam_estimate REAL, vam_se REAL,"
     " vam_raw REAL, vam_sd REAL, achievement REAL, composite REAL, rating_detail TEXT,"
     " mean_sgp REAL, median_sgp REAL, sgp_lo REAL, sgp_hi REAL, share_1_grade REAL,"
     " share_1_5_grade REAL, rating TEXT, flags TEXT NOT NULL DEFAULT '', note TEXT,"
     " config TEXT NOT NULL,"
     " PRIMARY KEY(school_year, staff_id, role, subject)) WITHOUT ROWID;"},
    /* Researcher extracts (src/extract): the data-use record of each one,
     * who asked, why, when, what it holds and how it was de-identified. */
    {"extract", 1,
     "CREATE TABLE IF NOT EXISTS extracts(extract_id TEXT PRIMARY KEY, created_at TEXT NOT NULL,"
     " requester TEXT NOT NULL, purpose TEXT NOT NULL, approved_by TEXT, k INTEGER NOT NULL,"
     " max_suppressed REAL NOT NULL, spec TEXT NOT NULL, students_selected INTEGER NOT NULL,"
     " students_written INTEGER NOT NULL, students_suppressed INTEGER NOT NULL,"
     " rows_selected INTEGER NOT NULL, rows_written INTEGER NOT NULL,"
     " generalizations TEXT NOT NULL, out_dir TEXT NOT NULL) WITHOUT ROWID;"},
    /* Access control (src/access, docs/access.md): users with Argon2id hashes
     * (never the password), their scopes, the log of who viewed which
     * student. credential_version changes with a new password or a disable,
     * which ends the sessions made before. The two indexes answer "a teacher's
     * students this year" and "a school's students this year" without a scan. */
    {"access", 1,
     "CREATE TABLE users(user_id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
     " role TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
     " credential_version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, changed_at TEXT);"
     "CREATE TABLE user_scopes(user_id INTEGER NOT NULL, scope_id TEXT NOT NULL,"
     " PRIMARY KEY(user_id, scope_id)) WITHOUT ROWID;"
     "CREATE TABLE access_log(entry_id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
     " user_id INTEGER NOT NULL, username TEXT NOT NULL, role TEXT NOT NULL, route TEXT NOT NULL,"
     " student_id TEXT);"
     "CREATE INDEX access_log_student ON access_log(student_id, at);"
     "CREATE INDEX IF NOT EXISTS rosters_staff_year ON rosters(staff_id, school_year);"
     "CREATE INDEX IF NOT EXISTS enrollments_school_year ON enrollments(school_id, school_year);"},
    /* finance.csv (issue 9, a collection file of its own module so the
     * collection tables keep their version): expenditure by district or
     * school, year and source (a blank school_id, the district as a whole, is
     * stored as '' so it can be part of the key). */
    {"finance", 1,
     "CREATE TABLE IF NOT EXISTS finance(lea_id TEXT NOT NULL,"
     " school_id TEXT NOT NULL ON CONFLICT REPLACE DEFAULT '', school_year INTEGER NOT NULL,"
     " source TEXT NOT NULL, expenditure REAL NOT NULL, pupils REAL,"
     " PRIMARY KEY(lea_id, school_id, school_year, source)) WITHOUT ROWID;"},
    /* growth 2 (issue 12): baseline-referenced SGPs. Named sets of coefficient
     * matrices fitted on pooled cohorts (or imported), one model per subject,
     * grade and prior progression (prior grades and year lags); a run's
     * baseline SGP next to the cohort-referenced one, and in the aggregates. */
    {"growth", 2,
     "CREATE TABLE growth_baselines(name TEXT PRIMARY KEY, created_at TEXT NOT NULL,"
     " source TEXT NOT NULL, years TEXT NOT NULL, max_order INTEGER NOT NULL,"
     " n_taus INTEGER NOT NULL, config TEXT, models INTEGER NOT NULL,"
     " students INTEGER NOT NULL, seconds REAL) WITHOUT ROWID;"
     "CREATE TABLE growth_baseline_models(name TEXT NOT NULL, subject TEXT NOT NULL,"
     " grade INTEGER NOT NULL, priors TEXT NOT NULL, sgp_order INTEGER NOT NULL,"
     " students INTEGER NOT NULL, cohorts TEXT NOT NULL, model TEXT NOT NULL,"
     " PRIMARY KEY(name, subject, grade, priors)) WITHOUT ROWID;"
     "ALTER TABLE growth_runs ADD COLUMN baseline TEXT;"
     "ALTER TABLE growth_cohorts ADD COLUMN with_sgp_baseline INTEGER;"
     "ALTER TABLE growth_students ADD COLUMN sgp_baseline INTEGER;"
     "ALTER TABLE growth_students ADD COLUMN sgp_baseline_order INTEGER;"
     "ALTER TABLE growth_aggregates ADD COLUMN n_sgp_baseline REAL;"
     "ALTER TABLE growth_aggregates ADD COLUMN median_sgp_baseline REAL;"
     "ALTER TABLE growth_aggregates ADD COLUMN mean_sgp_baseline REAL;"},
    /* Mastery of standards (src/mastery, docs/mastery.md): BKT parameters per
     * standard, each student's current P(mastery) per standard, learning plans. */
    {"mastery", 1,
     "CREATE TABLE mastery_params(standard_id TEXT PRIMARY KEY, p_init REAL NOT NULL,"
     " p_learn REAL NOT NULL, p_guess REAL NOT NULL, p_slip REAL NOT NULL, p_forget REAL,"
     " responses INTEGER NOT NULL, students INTEGER NOT NULL, log_likelihood REAL,"
     " iterations INTEGER, fitted_at TEXT NOT NULL) WITHOUT ROWID;"
     "CREATE TABLE mastery_state(student_id TEXT NOT NULL, standard_id TEXT NOT NULL,"
     " p_mastery REAL NOT NULL, responses INTEGER NOT NULL, correct INTEGER NOT NULL,"
     " max_p_mastery REAL NOT NULL, mastered_at TEXT, last_response TEXT NOT NULL,"
     " PRIMARY KEY(student_id, standard_id)) WITHOUT ROWID;"
     "CREATE TABLE learning_plans(student_id TEXT NOT NULL, standard_id TEXT NOT NULL,"
     " target_date TEXT NOT NULL, set_on TEXT NOT NULL, set_by TEXT, note TEXT,"
     " PRIMARY KEY(student_id, standard_id)) WITHOUT ROWID;"},
    /* Early warning (src/warn, docs/warn.md): each student's ABC flags, reasons,
     * risks and factors per year, and each run's models and configuration. */
    {"warn", 1,
     "CREATE TABLE IF NOT EXISTS warn_students(school_year INTEGER NOT NULL, student_id TEXT NOT NULL,"
     " school_id TEXT, lea_id TEXT, grade INTEGER NOT NULL, days_enrolled REAL, days_absent REAL,"
     " suspensions INTEGER NOT NULL, f_ela INTEGER NOT NULL, f_math INTEGER NOT NULL,"
     " core_f_semesters INTEGER NOT NULL, credits_earned REAL NOT NULL, gpa REAL,"
     " flag_attendance INTEGER NOT NULL, flag_behavior INTEGER NOT NULL, flag_course INTEGER NOT NULL,"
     " flag_gpa INTEGER NOT NULL, flag_off_track INTEGER, reasons TEXT, p_not_graduate REAL,"
     " p_fail_course REAL, risk_level TEXT, factors TEXT,"
     " PRIMARY KEY(school_year, student_id)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS warn_runs(school_year INTEGER PRIMARY KEY, run_at TEXT NOT NULL,"
     " config_name TEXT, students INTEGER NOT NULL, model TEXT NOT NULL);"},
    /* educator 2: the educator's school and district, the rating's place
     * among the configuration's categories (1 = lowest) and whether it
     * counts as effective or better, a principal's school's graduation and
     * college-enrollment figures; and per year the configuration's
     * categories and the (D)(2)(iv) uses of its decisions (for the reports). */
    {"educator", 2,
     "ALTER TABLE educator_results ADD COLUMN school_id TEXT;"
     "ALTER TABLE educator_results ADD COLUMN lea_id TEXT;"
     "ALTER TABLE educator_results ADD COLUMN rating_level INTEGER;"
     "ALTER TABLE educator_results ADD COLUMN rating_levels INTEGER;"
     "ALTER TABLE educator_results ADD COLUMN effective INTEGER;"
     "ALTER TABLE educator_results ADD COLUMN grad_rate REAL;"
     "ALTER TABLE educator_results ADD COLUMN grad_cohort REAL;"
     "ALTER TABLE educator_results ADD COLUMN college_rate REAL;"
     "ALTER TABLE educator_results ADD COLUMN college_graduates REAL;"
     "CREATE TABLE IF NOT EXISTS educator_runs(school_year INTEGER PRIMARY KEY, config TEXT NOT NULL,"
     " categories TEXT, effective_level INTEGER, uses TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"},
    /* mastery 2: P(not mastered) kept beside P(mastery), so the online update
     * goes on from both (docs/mastery.md: 1 - p_mastery loses its digits near 1). */
    {"mastery", 2, "ALTER TABLE mastery_state ADD COLUMN p_not_mastered REAL;"},
};

const slds_migration *slds_store_registry(size_t *n)
{
    *n = sizeof registry / sizeof registry[0];
    return registry;
}

/* The distinct modules of reg in order of first appearance; returns how many. */
static size_t registry_modules(const slds_migration *reg, size_t n,
                               const char *modules[SLDS_STORE_MAX_MODULES])
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < m && strcmp(modules[k], reg[i].module))
            k++;
        if (k == m && m < SLDS_STORE_MAX_MODULES)
            modules[m++] = reg[i].module;
    }
    return m;
}

static int module_index(const char *const *modules, size_t m, const char *name)
{
    for (size_t k = 0; k < m; k++)
        if (!strcmp(modules[k], name))
            return (int)k;
    return -1;
}

static int latest_version(const slds_migration *reg, size_t n, const char *module)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(reg[i].module, module) && reg[i].version > v)
            v = reg[i].version;
    return v;
}

/* 1 when the table exists, 0 when not, -1 on error. */
static int table_exists(slds_store *s, const char *name, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                         err))
        return -1;
    slds_cursor_bind_text(&c, 1, name);
    int r = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    return r;
}

static int not_slds(slds_store *s, const char *why, slds_error *err)
{
    return slds_fail(err, SLDS_ERR_DB, "%s is not an slds database (%s)", s->path, why);
}

static int newer(slds_store *s, const char *what, slds_error *err)
{
    return slds_fail(err, SLDS_ERR_DB,
                     "%s was written by a newer slds (%s); use that version or a newer one", s->path,
                     what);
}

int store_inspect(slds_store *s, const slds_migration *reg, size_t n, store_kind *kind,
                  int versions[SLDS_STORE_MAX_MODULES], slds_error *err)
{
    const char *modules[SLDS_STORE_MAX_MODULES];
    size_t m = registry_modules(reg, n, modules);
    for (size_t k = 0; k < SLDS_STORE_MAX_MODULES; k++)
        versions[k] = 0;
    *kind = STORE_EMPTY;

    /* Reading the schema is the first read of the file: a file that is not
     * SQLite at all fails here. */
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT count(*) FROM sqlite_master", err)) {
        if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_NOTADB)
            return not_slds(s, "not an SQLite file", err);
        return SLDS_ERR_DB;
    }
    int r = slds_cursor_step(&c, err);
    int64_t objects = r == 1 ? slds_cursor_int(&c, 0) : 0;
    slds_cursor_close(&c);
    if (r < 0)
        return SLDS_ERR_DB;
    if (objects == 0)
        return SLDS_OK;

    r = table_exists(s, "meta", err);
    if (r < 0)
        return SLDS_ERR_DB;
    if (r == 0)
        return not_slds(s, "it has no meta table", err);
    char layout[32];
    int rc = slds_store_meta_get(s, "schema_version", layout, sizeof layout, err);
    if (rc == SLDS_ERR_NOTFOUND)
        return not_slds(s, "its meta table has no schema_version", err);
    if (rc)
        return rc;

    if (!strcmp(layout, LAYOUT_LEGACY)) {
        /* Made before the registry: every module it knew at v1; growth's tables
         * existed only once growth had run. */
        for (size_t k = 0; k < m; k++) {
            if (!strcmp(modules[k], "growth")) {
                if ((r = table_exists(s, "growth_runs", err)) < 0)
                    return SLDS_ERR_DB;
                versions[k] = r;
            } else if (!strcmp(modules[k], "store") || !strcmp(modules[k], "ingest") ||
                       !strcmp(modules[k], "collection"))
                versions[k] = 1;
        }
    } else if (!strcmp(layout, LAYOUT_PER_MODULE)) {
        if (slds_cursor_open(&c, s,
                             "SELECT substr(key, 16), value FROM meta"
                             " WHERE key LIKE 'schema\\_version.%' ESCAPE '\\'",
                             err))
            return SLDS_ERR_DB;
        while ((r = slds_cursor_step(&c, err)) == 1) {
            const char *module = slds_cursor_text(&c, 0);
            const char *value = slds_cursor_text(&c, 1);
            int v = value ? atoi(value) : 0;
            int k = module ? module_index(modules, m, module) : -1;
            char what[160];
            if (k < 0) {
                snprintf(what, sizeof what, "it has tables of a module '%s' this slds does not know",
                         module ? module : "");
                slds_cursor_close(&c);
                return newer(s, what, err);
            }
            versions[k] = v;
        }
        slds_cursor_close(&c);
        if (r < 0)
            return SLDS_ERR_DB;
    } else {
        char what[96];
        snprintf(what, sizeof what, "schema layout %.32s; this slds knows %s and %s", layout,
                 LAYOUT_LEGACY, LAYOUT_PER_MODULE);
        return newer(s, what, err);
    }
    for (size_t k = 0; k < m; k++) {
        int latest = latest_version(reg, n, modules[k]);
        if (versions[k] > latest) {
            char what[160];
            snprintf(what, sizeof what, "%s schema v%d; this slds knows up to v%d", modules[k],
                     versions[k], latest);
            return newer(s, what, err);
        }
    }
    *kind = STORE_STATE;
    return SLDS_OK;
}

int slds_store_schema_version(slds_store *s, const char *module, slds_error *err)
{
    size_t n;
    const slds_migration *reg = slds_store_registry(&n);
    const char *modules[SLDS_STORE_MAX_MODULES];
    size_t m = registry_modules(reg, n, modules);
    store_kind kind;
    int versions[SLDS_STORE_MAX_MODULES];
    if (store_inspect(s, reg, n, &kind, versions, err))
        return -1;
    int k = module_index(modules, m, module);
    return k < 0 ? 0 : versions[k];
}

/* Applies reg's pending steps and records the versions; inside a transaction. */
static int apply_pending(slds_store *s, const slds_migration *reg, size_t n, slds_error *err)
{
    const char *modules[SLDS_STORE_MAX_MODULES];
    size_t m = registry_modules(reg, n, modules);
    store_kind kind;
    int versions[SLDS_STORE_MAX_MODULES];
    int rc = store_inspect(s, reg, n, &kind, versions, err);
    if (rc)
        return rc;
    char layout[32] = "";
    if (kind == STORE_STATE && (rc = slds_store_meta_get(s, "schema_version", layout,
                                                         sizeof layout, err)))
        return rc;
    int applied = 0, before[SLDS_STORE_MAX_MODULES];
    memcpy(before, versions, sizeof before);
    for (size_t i = 0; i < n; i++) {
        int k = module_index(modules, m, reg[i].module);
        if (k < 0)
            return slds_fail(err, SLDS_ERR_USAGE, "schema registry: more than %d modules",
                             SLDS_STORE_MAX_MODULES);
        if (reg[i].version <= before[k])
            continue;
        /* the next version, or one more entry of the version being applied */
        if (reg[i].version != versions[k] + 1 && reg[i].version != versions[k])
            return slds_fail(err, SLDS_ERR_USAGE,
                             "schema registry: %s v%d follows v%d (versions go 1, 2, ...)",
                             reg[i].module, reg[i].version, versions[k]);
        if ((rc = slds_store_exec(s, reg[i].sql, err)))
            return slds_error_prefix(err, "migrating %s to v%d: ", reg[i].module, reg[i].version);
        versions[k] = reg[i].version;
        applied++;
    }
    if (!applied && !strcmp(layout, LAYOUT_PER_MODULE))
        return SLDS_OK; /* up to date: nothing written */
    for (size_t k = 0; k < m && !rc; k++) {
        if (!versions[k])
            continue;
        char key[96], value[16];
        snprintf(key, sizeof key, "schema_version.%s", modules[k]);
        snprintf(value, sizeof value, "%d", versions[k]);
        rc = slds_store_meta_set(s, key, value, err);
    }
    if (!rc)
        rc = slds_store_meta_set(s, "schema_version", LAYOUT_PER_MODULE, err);
    return rc;
}

int slds_store_migrate_with(slds_store *s, const slds_migration *reg, size_t n, slds_error *err)
{
    if (!s->writer)
        return slds_fail(err, SLDS_ERR_USAGE, "%s: opened read-only, cannot migrate", s->path);
    int rc = slds_store_begin(s, err);
    if (rc)
        return rc;
    rc = apply_pending(s, reg, n, err);
    if (!rc)
        rc = slds_store_commit(s, err);
    if (rc)
        slds_store_rollback(s);
    return rc;
}

int slds_store_migrate(slds_store *s, slds_error *err)
{
    size_t n;
    const slds_migration *reg = slds_store_registry(&n);
    return slds_store_migrate_with(s, reg, n, err);
}
