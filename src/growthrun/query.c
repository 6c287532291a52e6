/* query.c - reading stored growth results back: the per-student rows of a
 * year (`slds growth show`) and the aggregates (`slds growth aggregates`).
 * Readers never create tables: a database growth has not run on is an
 * SLDS_ERR_NOTFOUND with a message that says so. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "growthrun/internal.h"

static const char *text_or_empty(sqlite3_stmt *st, int c)
{
    const char *v = (const char *)sqlite3_column_text(st, c);
    return v ? v : "";
}

static double real_or_nan(sqlite3_stmt *st, int c)
{
    return sqlite3_column_type(st, c) == SQLITE_NULL ? NAN : sqlite3_column_double(st, c);
}

/* Whether the growth tables have the baseline columns (growth v2): a reader
 * opens an older database as it is (docs/store.md). 1, 0, or -1 on error. */
static int has_baselines(slds_store *s, slds_error *err)
{
    int v = slds_store_schema_version(s, "growth", err);
    return v < 0 ? -1 : v >= 2;
}

/* SLDS_ERR_NOTFOUND unless growth has been run for year (and subject). */
static int check_run(slds_store *s, int year, const char *subject, slds_error *err)
{
    int ran = gr_growth_ran(s, err);
    if (ran < 0)
        return SLDS_ERR_DB;
    if (!ran)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "growth has not been run on %s (slds growth run %s --year %d)", s->path,
                         s->path, year);
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                "SELECT count(*) FROM growth_runs WHERE school_year = ?1"
                                " AND (?2 IS NULL OR subject = ?2)",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year);
    if (subject)
        sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    int runs = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (!runs)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "growth has not been run for %d%s%s on %s", year,
                         subject ? " " : "", subject ? subject : "", s->path);
    return SLDS_OK;
}

/* Prepares the query of a year's stored rows once growth has run for the
 * year (check_run): sql_v2 on a database with the baseline columns, else
 * sql_v1 (which selects NULL in their place); binds ?1 the year and ?2 the
 * subject (NULL: every subject). */
static int prepare_year_rows(slds_store *s, int year, const char *subject, const char *sql_v2,
                             const char *sql_v1, sqlite3_stmt **st, slds_error *err)
{
    int rc = check_run(s, year, subject, err);
    if (rc)
        return rc;
    int v2 = has_baselines(s, err);
    if (v2 < 0)
        return SLDS_ERR_DB;
    if ((rc = slds_store_prepare(s, st, v2 ? sql_v2 : sql_v1, err)))
        return rc;
    sqlite3_bind_int(*st, 1, year);
    if (subject)
        sqlite3_bind_text(*st, 2, subject, -1, SQLITE_STATIC);
    return SLDS_OK;
}

/* Ends a read of rows: a step that stopped short of SQLITE_DONE, unless the
 * row callback stopped it (rc), is an error reading table. */
static int finish_rows(slds_store *s, sqlite3_stmt *st, int step, int rc, const char *table,
                       slds_error *err)
{
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "reading %s: %s", table, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

#define SHOW_COLUMNS                                                                               \
    "SELECT student_id, subject, school_year, grade, scale_score, prior_score, gain,"              \
    " grade_levels_gained, sgp, sgp_order, sgp_target, target_years, catch_up_keep_up,"           \
    " on_track, school_id, lea_id, no_sgp_reason, "
#define SHOW_FROM                                                                                  \
    " FROM growth_students"                                                                        \
    " WHERE school_year = ?1 AND (?2 IS NULL OR subject = ?2) ORDER BY subject, student_id"

int slds_growthrun_show(slds_store *s, int year, const char *subject, slds_growth_student_fn fn,
                        void *ctx, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare_year_rows(s, year, subject,
                               SHOW_COLUMNS "sgp_baseline, sgp_baseline_order" SHOW_FROM,
                               SHOW_COLUMNS "NULL, NULL" SHOW_FROM, &st, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        slds_growth_student_row row = {
            .student_id = text_or_empty(st, 0),
            .subject = text_or_empty(st, 1),
            .school_year = sqlite3_column_int(st, 2),
            .grade = sqlite3_column_int(st, 3),
            .scale_score = real_or_nan(st, 4),
            .prior_score = real_or_nan(st, 5),
            .gain = real_or_nan(st, 6),
            .grade_levels_gained = real_or_nan(st, 7),
            .sgp = sqlite3_column_int(st, 8),
            .sgp_order = sqlite3_column_int(st, 9),
            .sgp_target = sqlite3_column_int(st, 10),
            .target_years = sqlite3_column_int(st, 11),
            .catch_up_keep_up = text_or_empty(st, 12),
            .on_track = text_or_empty(st, 13),
            .school_id = text_or_empty(st, 14),
            .lea_id = text_or_empty(st, 15),
            .no_sgp_reason = text_or_empty(st, 16),
            .sgp_baseline = sqlite3_column_int(st, 17),
            .sgp_baseline_order = sqlite3_column_int(st, 18),
        };
        if ((rc = fn(ctx, &row)))
            break;
    }
    return finish_rows(s, st, step, rc, "growth_students", err);
}

static const char *const subgroup_levels[] = {"race_ethnicity", "econ_disadvantaged",
                                              "disability", "english_learner", "sex"};

static int level_known(const char *level)
{
    static const char *const plain[] = {"state", "district", "school", "teacher", "subgroup"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(level, plain[i]))
            return 1;
    for (size_t i = 0; i < sizeof subgroup_levels / sizeof subgroup_levels[0]; i++)
        if (!strcmp(level, subgroup_levels[i]))
            return 1;
    return 0;
}

#define AGGREGATES_COLUMNS                                                                         \
    "SELECT subject, school_year, level, group_id, students, n_sgp, median_sgp, mean_sgp,"         \
    " n_gain, n_1_grade, n_1_5_grade, share_1_grade, share_1_5_grade, "
#define AGGREGATES_FROM                                                                            \
    " FROM growth_aggregates WHERE school_year = ?1 AND (?2 IS NULL OR subject = ?2)"              \
    " AND (?3 IS NULL OR level = ?3) AND (?4 = 0 OR level IN ('race_ethnicity',"                   \
    " 'econ_disadvantaged', 'disability', 'english_learner', 'sex'))"                              \
    " ORDER BY subject, CASE level WHEN 'state' THEN 0 WHEN 'district' THEN 1"                     \
    " WHEN 'school' THEN 2 WHEN 'teacher' THEN 3 WHEN 'race_ethnicity' THEN 4"                     \
    " WHEN 'econ_disadvantaged' THEN 5 WHEN 'disability' THEN 6"                                   \
    " WHEN 'english_learner' THEN 7 ELSE 8 END, group_id"

int slds_growthrun_aggregates(slds_store *s, int year, const char *subject, const char *level,
                              slds_growth_aggregate_fn fn, void *ctx, slds_error *err)
{
    if (level && !level_known(level))
        return slds_fail(err, SLDS_ERR_USAGE,
                         "unknown level '%s' (state, district, school, teacher, subgroup, "
                         "race_ethnicity, econ_disadvantaged, disability, english_learner, sex)",
                         level);
    int subgroup = level && !strcmp(level, "subgroup");
    sqlite3_stmt *st;
    int rc = prepare_year_rows(
        s, year, subject,
        AGGREGATES_COLUMNS "n_sgp_baseline, median_sgp_baseline, mean_sgp_baseline" AGGREGATES_FROM,
        AGGREGATES_COLUMNS "NULL, NULL, NULL" AGGREGATES_FROM, &st, err);
    if (rc)
        return rc;
    if (level && !subgroup)
        sqlite3_bind_text(st, 3, level, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, subgroup);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        slds_growth_aggregate_row row = {
            .subject = text_or_empty(st, 0),
            .school_year = sqlite3_column_int(st, 1),
            .level = text_or_empty(st, 2),
            .group_id = text_or_empty(st, 3),
            .students = sqlite3_column_int(st, 4),
            .n_sgp = sqlite3_column_double(st, 5),
            .median_sgp = real_or_nan(st, 6),
            .mean_sgp = real_or_nan(st, 7),
            .n_gain = sqlite3_column_double(st, 8),
            .n_1_grade = sqlite3_column_double(st, 9),
            .n_1_5_grade = sqlite3_column_double(st, 10),
            .share_1_grade = real_or_nan(st, 11),
            .share_1_5_grade = real_or_nan(st, 12),
            .n_sgp_baseline = real_or_nan(st, 13),
            .median_sgp_baseline = real_or_nan(st, 14),
            .mean_sgp_baseline = real_or_nan(st, 15),
        };
        if ((rc = fn(ctx, &row)))
            break;
    }
    return finish_rows(s, st, step, rc, "growth_aggregates", err);
}
