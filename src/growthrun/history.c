/* history.c - one student's growth history (`slds growth report`): the
 * stored result of every year and subject growth was run for, with every
 * order's SGP and every target; and per subject the data of the parent
 * report's chart: the past STATE scores, the cut scores of the grades drawn,
 * and the fan of percentile growth trajectories (10th .. 90th) projected
 * from the latest year through the stored models of the next grades, without
 * refitting anything. */
#include <jansson.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

static const int fan_percentiles[SLDS_FAN_PERCENTILES] = {10, 25, 50, 75, 90};

void slds_growthrun_history_free(slds_growth_history *h)
{
    if (!h)
        return;
    free(h->entries);
    free(h->fans);
    free(h);
}

/* A run of growth_runs: its year, subject and what the chart needs; stamp
 * tells this run from a later one of the same year and subject (the kept
 * models, modelcache.c). */
typedef struct run_key {
    int year, projection_years;
    char subject[SLDS_GROWTH_NAME_MAX];
    char levels[2048];
    char stamp[GR_RUN_STAMP_MAX];
} run_key;

/* A cursor over a query of ?1 year, ?2 subject (and ?3 the student), kept
 * prepared on the connection: the web server reads a history at every
 * student page. */
static int open_bound(slds_cursor *c, slds_store *s, const char *sql, int year,
                      const char *subject, const char *id, slds_error *err)
{
    int rc = slds_cursor_open_cached(c, s, sql, err);
    if (rc)
        return rc;
    slds_cursor_bind_int(c, 1, year);
    slds_cursor_bind_text(c, 2, subject);
    if (id)
        slds_cursor_bind_text(c, 3, id);
    return SLDS_OK;
}

int gr_stored_cuts(slds_store *s, int year, const char *subject, int grade, double *cuts,
                   slds_error *err)
{
    slds_cursor c;
    if (open_bound(&c, s,
                   "SELECT cuts FROM growth_cohorts WHERE school_year = ?1 AND subject = ?2"
                   " AND grade = ?3",
                   year, subject, NULL, err))
        return -1;
    slds_cursor_bind_int(&c, 3, grade);
    int n = 0, step = slds_cursor_step(&c, err);
    if (step == 1)
        n = gr_parse_numbers(slds_cursor_text(&c, 0), cuts, SLDS_GROWTH_MAX_CUTS);
    slds_cursor_close(&c);
    return step < 0 ? -1 : n > 0 ? n : 0;
}

static int read_orders_and_targets(slds_store *s, const char *id, slds_growth_history_entry *e,
                                   slds_error *err)
{
    slds_cursor c;
    int rc = open_bound(&c, s,
                        "SELECT sgp_order, sgp FROM growth_sgp WHERE school_year = ?1 AND"
                        " subject = ?2 AND student_id = ?3 ORDER BY sgp_order",
                        e->school_year, e->subject, id, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = c.stmt;
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        int k = sqlite3_column_int(st, 0);
        if (k >= 1 && k <= SLDS_SGP_MAX_ORDER) {
            e->sgp_by_order[k - 1] = sqlite3_column_int(st, 1);
            if (k > e->n_orders)
                e->n_orders = k;
        }
    }
    slds_cursor_close(&c);
    if (step < 0)
        return SLDS_ERR_DB;
    rc = open_bound(&c, s,
                    "SELECT years_ahead, target_grade, target_year, sgp_target, reachable,"
                    " on_track, proficient_cut FROM growth_targets WHERE school_year = ?1 AND"
                    " subject = ?2 AND student_id = ?3 ORDER BY years_ahead",
                    e->school_year, e->subject, id, err);
    if (rc)
        return rc;
    st = c.stmt;
    while (e->n_targets < SLDS_TARGET_MAX_YEARS && (step = slds_cursor_step(&c, err)) == 1) {
        slds_growth_target_row *t = &e->targets[e->n_targets++];
        t->years_ahead = sqlite3_column_int(st, 0);
        t->target_grade = sqlite3_column_int(st, 1);
        t->target_year = sqlite3_column_int(st, 2);
        t->sgp_target = sqlite3_column_int(st, 3);
        const char *reach = (const char *)sqlite3_column_text(st, 4);
        const char *track = (const char *)sqlite3_column_text(st, 5);
        t->reachable = reach && reach[0] == 'Y';
        t->on_track = track ? (track[0] == 'Y') : -1;
        t->proficient_cut = sqlite3_column_double(st, 6);
    }
    slds_cursor_close(&c);
    return step < 0 ? SLDS_ERR_DB : SLDS_OK;
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int c)
{
    const char *v = (const char *)sqlite3_column_text(st, c);
    snprintf(dst, size, "%s", v ? v : "");
}

static double real_or_nan(sqlite3_stmt *st, int c)
{
    return sqlite3_column_type(st, c) == SQLITE_NULL ? NAN : sqlite3_column_double(st, c);
}

/* The baseline the run of e's year and subject applied (name and years) and
 * the student's baseline-referenced SGP; nothing on a database made before
 * baselines (growth schema v1, opened as it is: growth_version). */
static int read_baseline(slds_store *s, const char *id, int growth_version,
                         slds_growth_history_entry *e, slds_error *err)
{
    if (growth_version < 2)
        return SLDS_OK;
    slds_cursor c;
    int rc = open_bound(&c, s,
                           "SELECT r.baseline, b.years, g.sgp_baseline, g.sgp_baseline_order"
                           " FROM growth_runs r JOIN growth_students g"
                           "  ON g.school_year = r.school_year AND g.subject = r.subject"
                           " LEFT JOIN growth_baselines b ON b.name = r.baseline"
                           " WHERE r.school_year = ?1 AND r.subject = ?2 AND g.student_id = ?3"
                           " AND r.baseline IS NOT NULL",
                           e->school_year, e->subject, id, err);
    if (rc)
        return rc;
    int step = slds_cursor_step(&c, err);
    if (step == 1) {
        copy_text(e->baseline, sizeof e->baseline, c.stmt, 0);
        copy_text(e->baseline_years, sizeof e->baseline_years, c.stmt, 1);
        e->sgp_baseline = sqlite3_column_int(c.stmt, 2);
        e->sgp_baseline_order = sqlite3_column_int(c.stmt, 3);
    }
    slds_cursor_close(&c);
    return step < 0 ? SLDS_ERR_DB : SLDS_OK;
}

/* The entry of (year, subject), if the student has one: 1 added, 0 none. */
static int read_entry(slds_store *s, const char *id, int growth_version, const run_key *run,
                      slds_growth_history_entry *e, slds_error *err)
{
    int year = run->year;
    const char *subject = run->subject;
    slds_cursor c;
    int rc = open_bound(&c, s,
                           "SELECT grade, scale_score, gain, grade_levels_gained, sgp, sgp_order,"
                           " catch_up_keep_up, on_track, no_sgp_reason, sgp_target, target_years"
                           " FROM growth_students WHERE school_year = ?1 AND subject = ?2 AND"
                           " student_id = ?3",
                           year, subject, id, err);
    if (rc)
        return -rc;
    memset(e, 0, sizeof *e);
    sqlite3_stmt *st = c.stmt;
    int step = slds_cursor_step(&c, err), found = step == 1;
    if (found) {
        e->school_year = year;
        snprintf(e->subject, sizeof e->subject, "%s", subject);
        e->grade = sqlite3_column_int(st, 0);
        e->scale_score = sqlite3_column_double(st, 1);
        e->gain = real_or_nan(st, 2);
        e->grade_levels_gained = real_or_nan(st, 3);
        e->sgp = sqlite3_column_int(st, 4);
        e->sgp_order = sqlite3_column_int(st, 5);
        copy_text(e->catch_up_keep_up, sizeof e->catch_up_keep_up, st, 6);
        copy_text(e->on_track, sizeof e->on_track, st, 7);
        copy_text(e->no_sgp_reason, sizeof e->no_sgp_reason, st, 8);
        e->sgp_target = sqlite3_column_int(st, 9);
        e->target_years = sqlite3_column_int(st, 10);
    }
    slds_cursor_close(&c);
    if (step < 0)
        return -SLDS_ERR_DB;
    if (!found)
        return 0;
    double cuts[SLDS_GROWTH_MAX_CUTS];
    int n = gr_cached_cuts(s, year, subject, run->stamp, e->grade, cuts, err);
    if (n < 0)
        return -SLDS_ERR_DB;
    if (n) {
        e->level = 1;
        for (int k = 0; k < n; k++)
            e->level += e->scale_score >= cuts[k];
    }
    rc = read_orders_and_targets(s, id, e, err);
    if (!rc)
        rc = read_baseline(s, id, growth_version, e, err);
    return rc ? -rc : 1;
}


static int read_runs(slds_store *s, run_key **out, int *n, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open_cached(&c, s,
                                     "SELECT school_year, subject, projection_years, levels,"
                                     " run_at, seconds, students, with_sgp FROM growth_runs"
                                     " ORDER BY subject, school_year",
                                     err);
    if (rc)
        return rc;
    int cap = 0, step;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = c.stmt;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            run_key *p = realloc(*out, (size_t)cap * sizeof *p);
            if (!p) {
                slds_cursor_close(&c);
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            }
            *out = p;
        }
        run_key *k = &(*out)[(*n)++];
        k->year = sqlite3_column_int(st, 0);
        copy_text(k->subject, sizeof k->subject, st, 1);
        k->projection_years = sqlite3_column_int(st, 2);
        copy_text(k->levels, sizeof k->levels, st, 3);
        snprintf(k->stamp, sizeof k->stamp, "%.60s|%.17g|%lld|%lld",
                 sqlite3_column_text(st, 4) ? (const char *)sqlite3_column_text(st, 4) : "",
                 sqlite3_column_double(st, 5), (long long)sqlite3_column_int64(st, 6),
                 (long long)sqlite3_column_int64(st, 7));
    }
    slds_cursor_close(&c);
    return step < 0 ? SLDS_ERR_DB : SLDS_OK;
}

/* ------------------------------------------------------------------ fans */

/* The student's STATE scores of a subject up to year, one per year. */
static int read_past(slds_store *s, const char *id, const char *subject, int year,
                     slds_growth_fan *f, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open_cached(
        &c, s,
        "SELECT school_year, grade_tested, scale_score FROM assessments"
        " WHERE student_id = ?1 AND subject = ?2 AND test_type = 'STATE'"
        " AND scale_score IS NOT NULL AND school_year <= ?3"
        " ORDER BY school_year, test_date, scale_score",
        err);
    if (rc)
        return rc;
    slds_cursor_bind_text(&c, 1, id);
    slds_cursor_bind_text(&c, 2, subject);
    slds_cursor_bind_int(&c, 3, year);
    f->n_past = 0;
    sqlite3_stmt *st = c.stmt;
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        int y = sqlite3_column_int(st, 0);
        const char *g = (const char *)sqlite3_column_text(st, 1);
        char *end;
        long grade = g ? strtol(g, &end, 10) : -1;
        if (!g || *end || grade < 0)
            continue;
        int k = f->n_past;
        if (k > 0 && f->past_year[k - 1] == y)
            k--; /* the last of a year wins: latest date, then higher score */
        else if (k == SLDS_FAN_MAX_POINTS) {
            memmove(f->past_year, f->past_year + 1, (size_t)(k - 1) * sizeof f->past_year[0]);
            memmove(f->past_grade, f->past_grade + 1, (size_t)(k - 1) * sizeof f->past_grade[0]);
            memmove(f->past_score, f->past_score + 1, (size_t)(k - 1) * sizeof f->past_score[0]);
            k--;
        }
        f->past_year[k] = y;
        f->past_grade[k] = (int)grade;
        f->past_score[k] = sqlite3_column_double(st, 2);
        f->n_past = k + 1;
    }
    slds_cursor_close(&c);
    return step < 0 ? SLDS_ERR_DB : SLDS_OK;
}

static double past_score(const slds_growth_fan *f, int year, int grade)
{
    for (int k = 0; k < f->n_past; k++)
        if (f->past_year[k] == year && f->past_grade[k] == grade)
            return f->past_score[k];
    return NAN;
}

/* Level labels and the proficient cut index from the run's levels JSON. */
static void parse_levels(const char *json, slds_growth_fan *f)
{
    f->n_levels = 0;
    f->proficient_level = -1;
    json_t *root = json_loads(json, 0, NULL);
    if (!json_is_array(root)) {
        json_decref(root);
        return;
    }
    for (size_t i = 0; i < json_array_size(root) && f->n_levels < SLDS_GROWTH_MAX_LEVELS; i++) {
        json_t *lv = json_array_get(root, i);
        const char *label = json_string_value(json_object_get(lv, "label"));
        snprintf(f->level_labels[f->n_levels], SLDS_GROWTH_NAME_MAX, "%s", label ? label : "");
        if (f->proficient_level < 0 && f->n_levels > 0 &&
            json_is_true(json_object_get(lv, "proficient")))
            f->proficient_level = f->n_levels - 1;
        f->n_levels++;
    }
    json_decref(root);
}

static void add_cut_grade(slds_store *s, slds_growth_fan *f, const char *stamp, int year,
                          int grade)
{
    for (int k = 0; k < f->n_cut_grades; k++)
        if (f->cut_grade[k] == grade)
            return;
    if (f->n_cut_grades == SLDS_FAN_MAX_POINTS)
        return;
    slds_error e = {0};
    int k = f->n_cut_grades;
    int n = gr_cached_cuts(s, year, f->subject, stamp, grade, f->cuts[k], &e);
    f->n_cuts[k] = n > 0 ? n : 0;
    if (f->n_cuts[k])
        f->cut_grade[f->n_cut_grades++] = grade;
}

/* The models of the grades after from_grade, chained as the run chained
 * them (kept with the connection: modelcache.c); returns how many. */
static int load_chain(slds_store *s, slds_growth_fan *f, const char *stamp, int projection_years,
                      const slds_sgp_model **models, slds_error *err)
{
    int n = 0, from = f->from_grade;
    for (int next = f->from_grade + 1;
         next - f->from_grade <= projection_years && n < SLDS_TARGET_MAX_YEARS &&
         next < GR_MAX_GRADE;
         next++) {
        const int *pg;
        slds_error e = {0};
        int rc = gr_cached_model(s, f->from_year, f->subject, stamp, next, &models[n], &pg, NULL,
                                 &e);
        if (rc == SLDS_ERR_NOTFOUND)
            continue; /* an untested grade */
        if (rc)
            return -slds_fail(err, rc, "%s", e.message);
        if (pg[0] != from)
            break;
        f->ahead_grade[n] = next;
        f->ahead_year[n] = f->from_year + (next - f->from_grade);
        n++;
        from = next;
    }
    return n;
}

static int project(slds_store *s, slds_growth_fan *f, const char *stamp, int projection_years,
                   slds_error *err)
{
    const slds_sgp_model *models[SLDS_TARGET_MAX_YEARS];
    int n = load_chain(s, f, stamp, projection_years, models, err);
    if (n <= 0)
        return n < 0 ? -n : SLDS_OK;
    /* the student's scores along the chain of the grade projected from */
    double scores[1 + SLDS_SGP_MAX_ORDER];
    int n_scores = 1;
    scores[0] = past_score(f, f->from_year, f->from_grade);
    const slds_sgp_model *own;
    const int *pg, *py;
    slds_error e = {0};
    if (!gr_cached_model(s, f->from_year, f->subject, stamp, f->from_grade, &own, &pg, &py, &e))
        for (int k = 0; k < own->max_order; k++)
            scores[n_scores++] = past_score(f, py[k], pg[k]);
    slds_target_problem pr = {.n = 1, .n_scores = n_scores, .scores = scores, .n_years = n,
                              .current_cut = NAN};
    for (int h = 0; h < n; h++) {
        pr.models[h] = models[h];
        pr.cuts[h] = NAN;
    }
    int T = models[0]->n_taus, rc = SLDS_OK;
    double *traj = malloc((size_t)T * (size_t)n * sizeof *traj);
    if (!traj)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    if (!rc && isfinite(scores[0]) && !slds_sgp_trajectories(&pr, 0, traj, &e)) {
        for (int p = 0; p < SLDS_FAN_PERCENTILES; p++) {
            double want = (fan_percentiles[p] - 0.5) / 100.0;
            int best = 0;
            for (int t = 1; t < T; t++)
                if (fabs(models[0]->taus[t] - want) < fabs(models[0]->taus[best] - want))
                    best = t;
            f->percentiles[p] = fan_percentiles[p];
            for (int h = 0; h < n; h++)
                f->projection[p][h] = traj[(size_t)h * (size_t)T + (size_t)best];
        }
        f->n_ahead = n;
    }
    free(traj);
    return rc;
}

/* The fan of latest's subject from latest's year: the levels and years ahead
 * of run (the subject's last run), the models and cuts of from_run (the run
 * of latest's year: the same run unless the student has no result in the
 * last one). */
static int build_fan(slds_store *s, const char *id, const slds_growth_history_entry *latest,
                     const run_key *run, const run_key *from_run, slds_growth_fan *f,
                     slds_error *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->subject, sizeof f->subject, "%s", latest->subject);
    f->from_year = latest->school_year;
    f->from_grade = latest->grade;
    parse_levels(run->levels, f);
    int rc = read_past(s, id, f->subject, f->from_year, f, err);
    if (!rc)
        rc = project(s, f, from_run->stamp, run->projection_years, err);
    for (int k = 0; k < f->n_past && !rc; k++)
        add_cut_grade(s, f, from_run->stamp, f->from_year, f->past_grade[k]);
    for (int h = 0; h < f->n_ahead && !rc; h++)
        add_cut_grade(s, f, from_run->stamp, f->from_year, f->ahead_grade[h]);
    return rc;
}

/* ------------------------------------------------------------------ main */

static int add_entry(slds_growth_history *h, size_t *cap, const slds_growth_history_entry *e,
                     slds_error *err)
{
    if (h->n_entries == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        slds_growth_history_entry *p = realloc(h->entries, *cap * sizeof *p);
        if (!p)
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
        h->entries = p;
    }
    h->entries[h->n_entries++] = *e;
    return SLDS_OK;
}

static int read_history(slds_store *s, const char *id, int growth_version,
                        slds_growth_history *h, slds_error *err)
{
    run_key *runs;
    int n_runs;
    int rc = read_runs(s, &runs, &n_runs, err);
    if (rc)
        return rc;
    if (!n_runs) {
        free(runs);
        return slds_fail(err, SLDS_ERR_NOTFOUND, "growth has not been run on %s", s->path);
    }
    h->fans = calloc((size_t)(n_runs ? n_runs : 1), sizeof *h->fans);
    if (!h->fans)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    size_t cap = 0;
    for (int k = 0; k < n_runs && !rc; k++) {
        slds_growth_history_entry e;
        int got = read_entry(s, id, growth_version, &runs[k], &e, err);
        if (got < 0)
            rc = -got;
        else if (got)
            rc = add_entry(h, &cap, &e, err);
        int last_of_subject = k + 1 == n_runs || strcmp(runs[k + 1].subject, runs[k].subject);
        const slds_growth_history_entry *latest = h->n_entries ? &h->entries[h->n_entries - 1] : NULL;
        if (!rc && last_of_subject && latest && !strcmp(latest->subject, runs[k].subject)) {
            const run_key *from_run = &runs[k];
            for (int j = k; j >= 0 && !strcmp(runs[j].subject, runs[k].subject); j--)
                if (runs[j].year == latest->school_year)
                    from_run = &runs[j];
            rc = build_fan(s, id, latest, &runs[k], from_run, &h->fans[h->n_fans++], err);
        }
    }
    free(runs);
    return rc;
}

/* The growth schema's version, as slds_store_schema_version gives it, from
 * one query kept prepared on the connection: the web server reads a history
 * at every student page, and inspecting the whole schema (statements
 * prepared anew each time) cost as much as reading the history. Only the
 * per-module layout's row with a version this slds knows is read here;
 * anything else (an older layout, no row, a newer version, an error) is
 * left to slds_store_schema_version. */
static int growth_version(slds_store *s, slds_error *err)
{
    int version = -1;
    slds_cursor c;
    if (slds_cursor_open_cached(&c, s,
                                "SELECT (SELECT value FROM meta WHERE key = 'schema_version'),"
                                " (SELECT value FROM meta WHERE key = 'schema_version.growth')",
                                NULL) == SLDS_OK) {
        const char *layout, *v;
        if (slds_cursor_step(&c, NULL) == 1 && (layout = slds_cursor_text(&c, 0)) && !strcmp(layout, "2") &&
            (v = slds_cursor_text(&c, 1)))
            version = atoi(v);
        slds_cursor_close(&c);
    }
    size_t n;
    const slds_migration *reg = slds_store_registry(&n);
    int latest = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(reg[i].module, "growth") && reg[i].version > latest)
            latest = reg[i].version;
    if (version >= 1 && version <= latest)
        return version;
    return slds_store_schema_version(s, "growth", err);
}

int slds_growthrun_history(slds_store *s, const char *student_id, slds_growth_history **out,
                           slds_error *err)
{
    *out = NULL;
    /* one read transaction (when the caller has none): the entries and the
     * models agree, and the file is locked once, not at every query */
    bool own_txn = sqlite3_get_autocommit(s->db);
    int rc = own_txn ? slds_store_exec(s, "BEGIN", err) : SLDS_OK;
    /* growth ran: its tables exist (schema version) and hold a run (read_history) */
    int version = rc ? -1 : growth_version(s, err);
    slds_growth_history *h = NULL;
    if (version < 0)
        rc = SLDS_ERR_DB;
    else if (version == 0)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "growth has not been run on %s", s->path);
    else if (!(h = calloc(1, sizeof *h)))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    if (!rc) {
        snprintf(h->student_id, sizeof h->student_id, "%s", student_id);
        rc = read_history(s, student_id, version, h, err);
    }
    if (own_txn)
        slds_store_rollback(s); /* read only: ending the transaction is all */
    if (!rc && !h->n_entries)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND, "student %s has no growth results", student_id);
    if (rc) {
        slds_growthrun_history_free(h);
        return rc;
    }
    *out = h;
    return SLDS_OK;
}
