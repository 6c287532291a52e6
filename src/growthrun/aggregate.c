/* aggregate.c - growth aggregates for reports and dashboards, computed from
 * the stored per-student results (growth_students) so that every figure can
 * be reproduced from the database:
 *
 *   level state, district, school: the students of the group (district and
 *     school of the student's enrollment in the year, as stored);
 *   race_ethnicity, econ_disadvantaged, disability, english_learner: the
 *     student's attributes of the year; sex: from students; a missing value
 *     is its own group, UNKNOWN, so every level's counts add up to the state;
 *   teacher: the students rostered to the teacher in the year and subject,
 *     each weighted by the dosage (summed over the teacher's sections): the
 *     mean and median are dosage-weighted, and n is the sum of the dosage.
 *
 * Per group: students; n_sgp, median and mean SGP; n_gain (students with grade
 * levels gained), n and share gaining >= 1 and >= 1.5 grade levels; when the
 * run applied a baseline, n, median and mean of the baseline-referenced SGPs
 * (NULL otherwise: no baseline is not the same as no student with one). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

enum { N_PLAIN_LEVELS = 8 };

static const char *const plain_levels[N_PLAIN_LEVELS] = {
    "state", "district", "school", "race_ethnicity", "econ_disadvantaged",
    "disability", "english_learner", "sex",
};

/* The rows of one aggregation: a group per row, a value, a weight. */
typedef struct items {
    size_t n, cap;
    double *sgp, *gl, *w;      /* NaN: not computable */
    double *sgpb;              /* baseline-referenced SGP, NaN: none */
    uint32_t *group[N_PLAIN_LEVELS];
    slds_intern keys[N_PLAIN_LEVELS];
    int levels;                /* levels in use */
} items;

static void items_free(items *it)
{
    free(it->sgp);
    free(it->sgpb);
    free(it->gl);
    free(it->w);
    for (int l = 0; l < N_PLAIN_LEVELS; l++) {
        free(it->group[l]);
        slds_intern_free(&it->keys[l]);
    }
    memset(it, 0, sizeof *it);
}

static int items_push(items *it, double sgp, double sgpb, double gl, double w,
                      const char *const *keys, slds_error *err)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 4096;
        double *a = realloc(it->sgp, cap * sizeof *a);
        if (a)
            it->sgp = a;
        double *b = realloc(it->gl, cap * sizeof *b);
        if (b)
            it->gl = b;
        double *c = realloc(it->w, cap * sizeof *c);
        if (c)
            it->w = c;
        double *d = realloc(it->sgpb, cap * sizeof *d);
        if (d)
            it->sgpb = d;
        int ok = a && b && c && d;
        for (int l = 0; l < it->levels && ok; l++) {
            uint32_t *g = realloc(it->group[l], cap * sizeof *g);
            if (g)
                it->group[l] = g;
            ok = g != NULL;
        }
        if (!ok)
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for aggregates");
        it->cap = cap;
    }
    for (int l = 0; l < it->levels; l++) {
        const char *k = keys[l] && *keys[l] ? keys[l] : "UNKNOWN";
        uint32_t id = slds_intern_add(&it->keys[l], k, strlen(k));
        if (id == SLDS_NO_ID)
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for aggregates");
        it->group[l][it->n] = id;
    }
    it->sgp[it->n] = sgp;
    it->sgpb[it->n] = sgpb;
    it->gl[it->n] = gl;
    it->w[it->n] = w;
    it->n++;
    return SLDS_OK;
}

/* ------------------------------------------------------------ statistics */

typedef struct vw {
    double v, w;
} vw;

static int by_value(const void *a, const void *b)
{
    double x = ((const vw *)a)->v, y = ((const vw *)b)->v;
    return (x > y) - (x < y);
}

double slds_growthrun_weighted_median(double *values, double *weights, size_t n)
{
    if (!n)
        return NAN;
    vw *p = malloc(n * sizeof *p);
    if (!p)
        return NAN;
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        p[i] = (vw){values[i], weights[i]};
        total += weights[i];
    }
    qsort(p, n, sizeof *p, by_value);
    for (size_t i = 0; i < n; i++) {
        values[i] = p[i].v;
        weights[i] = p[i].w;
    }
    free(p);
    if (!(total > 0))
        return NAN;
    double half = total / 2.0, cum = 0.0;
    for (size_t i = 0; i < n; i++) {
        cum += weights[i];
        if (fabs(cum - half) <= 1e-12 * total) {
            size_t j = i + 1;
            while (j < n && weights[j] <= 0)
                j++;
            return j < n ? (values[i] + values[j]) / 2.0 : values[i];
        }
        if (cum > half)
            return values[i];
    }
    return values[n - 1];
}

typedef struct group_stats {
    int students;
    double n_sgp, median, mean, n_gain, n1, n15;
    double n_sgpb, median_b, mean_b; /* baseline-referenced */
} group_stats;

/* The median of m values that are all whole numbers 0..100 (percentiles)
 * with weight 1, by counting: the same number
 * slds_growthrun_weighted_median gives them (its cumulative weight is then a
 * whole number, exactly half only when m is even), without sorting. */
enum { PERCENTILES = 101 };
static double median_of_percentiles(const double *v, size_t m)
{
    size_t count[PERCENTILES] = {0};
    for (size_t k = 0; k < m; k++)
        count[(int)v[k]]++;
    size_t lo = (m - 1) / 2, hi = m / 2, seen = 0; /* ranks of the middle (one when m is odd) */
    double at_lo = NAN;
    for (int x = 0; x < PERCENTILES; x++) {
        if (!count[x])
            continue;
        if (isnan(at_lo) && seen + count[x] > lo)
            at_lo = x;
        seen += count[x];
        if (seen > hi)
            return lo == hi ? at_lo : (at_lo + x) / 2.0;
    }
    return NAN;
}

/* Count, dosage-weighted mean and median of the values v of rows idx[0..n-1]
 * (NaN skipped); scratch holds 2n doubles. */
static void center_of(const double *v_all, const double *w_all, const size_t *idx, size_t n,
                      double *scratch, double *count, double *mean, double *median)
{
    double *v = scratch, *w = scratch + n, sum = 0.0;
    size_t m = 0;
    int percentiles = 1; /* every weight 1 and every value a percentile */
    *count = 0.0;
    *mean = *median = NAN;
    for (size_t k = 0; k < n; k++) {
        size_t i = idx[k];
        if (isnan(v_all[i]))
            continue;
        v[m] = v_all[i];
        w[m] = w_all[i];
        *count += w_all[i];
        sum += w_all[i] * v_all[i];
        percentiles &= w_all[i] == 1.0 && v_all[i] >= 0 && v_all[i] < PERCENTILES &&
                       v_all[i] == (int)v_all[i];
        m++;
    }
    if (*count > 0) {
        *mean = sum / *count;
        *median = percentiles ? median_of_percentiles(v, m) : slds_growthrun_weighted_median(v, w, m);
    }
}

/* Statistics of the rows idx[0..n-1]; scratch holds 2n doubles. */
static group_stats stats_of(const items *it, const size_t *idx, size_t n, double *scratch)
{
    group_stats g = {.students = (int)n};
    center_of(it->sgp, it->w, idx, n, scratch, &g.n_sgp, &g.mean, &g.median);
    center_of(it->sgpb, it->w, idx, n, scratch, &g.n_sgpb, &g.mean_b, &g.median_b);
    for (size_t k = 0; k < n; k++) {
        size_t i = idx[k];
        if (!isnan(it->gl[i])) {
            g.n_gain += it->w[i];
            g.n1 += it->gl[i] >= 1.0 ? it->w[i] : 0.0;
            g.n15 += it->gl[i] >= 1.5 ? it->w[i] : 0.0;
        }
    }
    return g;
}

static void bind_or_null(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int insert_group(slds_store *s, sqlite3_stmt *st, int year, const char *subject,
                        const char *level, const char *group, const group_stats *g, int baseline,
                        slds_error *err)
{
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, group, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, g->students);
    sqlite3_bind_double(st, 6, g->n_sgp);
    bind_or_null(st, 7, g->median);
    bind_or_null(st, 8, g->mean);
    sqlite3_bind_double(st, 9, g->n_gain);
    sqlite3_bind_double(st, 10, g->n1);
    sqlite3_bind_double(st, 11, g->n15);
    bind_or_null(st, 12, g->n_gain > 0 ? g->n1 / g->n_gain : NAN);
    bind_or_null(st, 13, g->n_gain > 0 ? g->n15 / g->n_gain : NAN);
    if (baseline) {
        sqlite3_bind_double(st, 14, g->n_sgpb);
        bind_or_null(st, 15, g->median_b);
        bind_or_null(st, 16, g->mean_b);
    } else {
        for (int c = 14; c <= 16; c++)
            sqlite3_bind_null(st, c);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return slds_fail(err, SLDS_ERR_DB, "writing growth_aggregates: %s", sqlite3_errmsg(s->db));
    return SLDS_OK;
}

/* Calls each_group(ctx, g, stats) for every group g of level l of the
 * items, in group order (the rows sorted by group with a counting sort). */
typedef int (*group_fn)(void *ctx, uint32_t g, const group_stats *gs, slds_error *err);

static int for_each_group(const items *it, int l, group_fn each_group, void *ctx, slds_error *err)
{
    uint32_t ng = it->keys[l].count;
    size_t *start = calloc((size_t)ng + 1, sizeof *start);
    size_t *fill = malloc(((size_t)ng + 1) * sizeof *fill);
    size_t *idx = malloc((it->n ? it->n : 1) * sizeof *idx);
    double *scratch = malloc((it->n ? it->n : 1) * 2 * sizeof *scratch);
    int rc = SLDS_OK;
    if (!start || !fill || !idx || !scratch)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory for aggregates");
    if (!rc) {
        for (size_t i = 0; i < it->n; i++)
            start[it->group[l][i] + 1]++;
        for (uint32_t g = 0; g < ng; g++)
            start[g + 1] += start[g];
        memcpy(fill, start, ((size_t)ng + 1) * sizeof *fill);
        for (size_t i = 0; i < it->n; i++)
            idx[fill[it->group[l][i]]++] = i;
    }
    for (uint32_t g = 0; g < ng && !rc; g++) {
        group_stats gs = stats_of(it, idx + start[g], start[g + 1] - start[g], scratch);
        rc = each_group(ctx, g, &gs, err);
    }
    free(start);
    free(fill);
    free(idx);
    free(scratch);
    return rc;
}

typedef struct level_writer {
    slds_store *s;
    sqlite3_stmt *st;
    int year, baseline;
    const char *subject, *level;
    const items *it;
    int l;
    size_t *rows;
} level_writer;

static int write_group(void *ctx, uint32_t g, const group_stats *gs, slds_error *err)
{
    level_writer *w = ctx;
    ++*w->rows;
    return insert_group(w->s, w->st, w->year, w->subject, w->level, slds_intern_str(&w->it->keys[w->l], g),
                        gs, w->baseline, err);
}

/* One row per group of level l of the items. */
static int write_level(slds_store *s, sqlite3_stmt *st, int year, const char *subject,
                       const char *level, const items *it, int l, int baseline, size_t *rows,
                       slds_error *err)
{
    level_writer w = {s, st, year, baseline, subject, level, it, l, rows};
    return for_each_group(it, l, write_group, &w, err);
}

static double column_or_nan(sqlite3_stmt *st, int c)
{
    return sqlite3_column_type(st, c) == SQLITE_NULL ? NAN : sqlite3_column_double(st, c);
}

/* Students of the year and subject with an SGP or grade levels, and the
 * group they belong to at each plain level. */
#define READ_STUDENTS_SQL                                                                     \
    "SELECT g.sgp, g.grade_levels_gained, g.lea_id, g.school_id, a.race_ethnicity,"           \
    " a.econ_disadvantaged, a.disability, a.english_learner, st.sex, g.sgp_baseline"          \
    " FROM growth_students g"                                                                 \
    " LEFT JOIN student_attributes a ON a.student_id = g.student_id"                          \
    "  AND a.school_year = g.school_year"                                                     \
    " LEFT JOIN students st ON st.student_id = g.student_id"                                  \
    " WHERE g.school_year = ?1 AND g.subject = ?2"                                            \
    " AND (g.sgp IS NOT NULL OR g.grade_levels_gained IS NOT NULL"                            \
    "  OR g.sgp_baseline IS NOT NULL)"

/* place_level NULL: every student; "school" or "district": those of place_id. */
static int read_students(slds_store *s, int year, const char *subject, const char *place_level,
                         const char *place_id, items *it, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                !place_level ? READ_STUDENTS_SQL
                                : !strcmp(place_level, "school") ? READ_STUDENTS_SQL " AND g.school_id = ?3"
                                                                 : READ_STUDENTS_SQL " AND g.lea_id = ?3",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    if (place_level)
        sqlite3_bind_text(st, 3, place_id, -1, SQLITE_STATIC);
    it->levels = N_PLAIN_LEVELS;
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *keys[N_PLAIN_LEVELS] = {"ALL"};
        for (int l = 1; l < N_PLAIN_LEVELS; l++)
            keys[l] = (const char *)sqlite3_column_text(st, l + 1);
        rc = items_push(it, column_or_nan(st, 0), column_or_nan(st, 9), column_or_nan(st, 1), 1.0,
                        keys, err);
    }
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "reading growth_students: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

static const char *flag_text(const slds_panel *p, slds_panel_flag f, size_t i)
{
    int v = slds_panel_flag_of(p, f, p->year, i);
    return v == 1 ? "Y" : v == 0 ? "N" : NULL;
}

/* The rows read_students reads back after a run, from the run in memory
 * (the panel's attributes and demographics, each group's results and the
 * schools write.c kept): the same rows in the same (student id) order with
 * the same values, so the same aggregates to the last bit. */
static int items_from_run(const gr_run *r, int subj, items *it, slds_error *err)
{
    const slds_panel *p = &r->panel;
    gr_group *by_grade[GR_MAX_GRADE] = {0};
    size_t cursor[GR_MAX_GRADE] = {0};
    for (int k = 0; k < r->n_groups; k++)
        if (r->groups[k].subject == subj)
            by_grade[r->groups[k].grade] = &r->groups[k];
    const signed char *grade = p->subjects[subj]->grade[slds_panel_year(p, p->year)];
    size_t n = slds_panel_students(p);
    it->levels = N_PLAIN_LEVELS;
    int rc = SLDS_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (grade[i] < 0)
            continue;
        const gr_group *g = by_grade[grade[i]];
        size_t m = cursor[grade[i]]++;
        double sgp = g->fitted && g->fit.sgp[m] > 0 ? g->fit.sgp[m] : NAN;
        double sgpb = g->sgp_baseline && g->sgp_baseline[m] > 0 ? g->sgp_baseline[m] : NAN;
        double gl = isfinite(g->grade_levels[m]) ? g->grade_levels[m] : NAN;
        if (isnan(sgp) && isnan(gl) && isnan(sgpb))
            continue;
        uint32_t school = g->school[m];
        const char *keys[N_PLAIN_LEVELS] = {
            "ALL",
            slds_panel_place_id(p, slds_panel_lea_of(p, school)),
            slds_panel_place_id(p, school),
            slds_panel_race(p, p->year, i),
            flag_text(p, SLDS_PANEL_ECON, i),
            flag_text(p, SLDS_PANEL_DISABILITY, i),
            flag_text(p, SLDS_PANEL_EL, i),
            slds_panel_sex(p, i),
        };
        rc = items_push(it, sgp, sgpb, gl, 1.0, keys, err);
    }
    return rc;
}

/* Teacher-student links of the year and subject, dosage summed per pair. */
static int read_rosters(slds_store *s, int year, const char *subject, items *it, slds_error *err)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(
        s, &st,
        "SELECT r.staff_id, sum(r.dosage), g.sgp, g.grade_levels_gained, g.sgp_baseline"
        " FROM growth_students g JOIN rosters r ON r.student_id = g.student_id"
        "  AND r.school_year = g.school_year AND r.subject = g.subject"
        " WHERE g.school_year = ?1 AND g.subject = ?2 AND r.dosage > 0"
        " AND (g.sgp IS NOT NULL OR g.grade_levels_gained IS NOT NULL"
        "  OR g.sgp_baseline IS NOT NULL)"
        " GROUP BY r.staff_id, g.student_id",
        err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    it->levels = 1;
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *keys[1] = {(const char *)sqlite3_column_text(st, 0)};
        rc = items_push(it, column_or_nan(st, 2), column_or_nan(st, 4), column_or_nan(st, 3),
                        sqlite3_column_double(st, 1), keys, err);
    }
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "reading rosters: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

/* The aggregates of (year, subject): the plain levels from the run r in
 * memory (subject index subj) or, without r, from growth_students; the
 * teachers from growth_students and rosters. */
static int aggregate_subject(slds_store *s, const gr_run *r, int subj, int year,
                             const char *subject, int baseline, size_t *rows, slds_error *err)
{
    sqlite3_stmt *del, *ins;
    int rc = slds_store_prepare(s, &del,
                                "DELETE FROM growth_aggregates WHERE school_year = ?1 AND subject = ?2",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(del, 1, year);
    sqlite3_bind_text(del, 2, subject, -1, SQLITE_STATIC);
    int step = sqlite3_step(del);
    sqlite3_finalize(del);
    if (step != SQLITE_DONE)
        return slds_fail(err, SLDS_ERR_DB, "deleting growth_aggregates: %s", sqlite3_errmsg(s->db));
    if ((rc = slds_store_prepare(s, &ins,
                                 "INSERT INTO growth_aggregates VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
                                 "?10,?11,?12,?13,?14,?15,?16)",
                                 err)))
        return rc;
    items it = {0};
    rc = r ? items_from_run(r, subj, &it, err) : read_students(s, year, subject, NULL, NULL, &it, err);
    for (int l = 0; l < N_PLAIN_LEVELS && !rc; l++)
        rc = write_level(s, ins, year, subject, plain_levels[l], &it, l, baseline, rows, err);
    items_free(&it);
    if (!rc)
        rc = read_rosters(s, year, subject, &it, err);
    if (!rc)
        rc = write_level(s, ins, year, subject, "teacher", &it, 0, baseline, rows, err);
    items_free(&it);
    sqlite3_finalize(ins);
    return rc;
}

int slds_growthrun_aggregate(slds_store *s, int year, const char *subject, size_t *rows,
                             slds_error *err)
{
    *rows = 0;
    int ran = gr_growth_ran(s, err);
    if (ran <= 0)
        return ran < 0 ? SLDS_ERR_DB
                       : slds_fail(err, SLDS_ERR_NOTFOUND, "growth has not been run on %s", s->path);
    sqlite3_stmt *st;
    int rc = slds_store_prepare(s, &st,
                                "SELECT subject, baseline IS NOT NULL FROM growth_runs WHERE school_year = ?1"
                                " AND (?2 IS NULL OR subject = ?2) ORDER BY subject",
                                err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year);
    if (subject)
        sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    char subjects[SLDS_GROWTH_MAX_SUBJECTS][SLDS_GROWTH_NAME_MAX];
    int baseline[SLDS_GROWTH_MAX_SUBJECTS], n = 0;
    while (n < SLDS_GROWTH_MAX_SUBJECTS && sqlite3_step(st) == SQLITE_ROW) {
        baseline[n] = sqlite3_column_int(st, 1);
        snprintf(subjects[n++], SLDS_GROWTH_NAME_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    for (int k = 0; k < n && !rc; k++)
        rc = aggregate_subject(s, NULL, -1, year, subjects[k], baseline[k], rows, err);
    return rc;
}

/* ------------------------------------------------------------ one place */

static int add_stats_row(slds_table *t, int year, const char *subject, const char *level,
                         const char *group, const group_stats *g, int baseline, slds_error *err)
{
    slds_growth_aggregate_row r = {
        .subject = subject, .level = level, .group_id = group, .school_year = year,
        .students = g->students, .n_sgp = g->n_sgp, .median_sgp = g->median, .mean_sgp = g->mean,
        .n_gain = g->n_gain, .n_1_grade = g->n1, .n_1_5_grade = g->n15,
        .share_1_grade = g->n_gain > 0 ? g->n1 / g->n_gain : NAN,
        .share_1_5_grade = g->n_gain > 0 ? g->n15 / g->n_gain : NAN,
        .n_sgp_baseline = baseline ? g->n_sgpb : NAN,
        .median_sgp_baseline = baseline ? g->median_b : NAN,
        .mean_sgp_baseline = baseline ? g->mean_b : NAN};
    return slds_growthrun_aggregate_add(t, &r, err);
}

typedef struct subgroup_adder {
    slds_table *t;
    int year;
    const char *subject, *level;
    const items *it;
    int l, baseline;
} subgroup_adder;

static int add_subgroup(void *ctx, uint32_t g, const group_stats *gs, slds_error *err)
{
    subgroup_adder *a = ctx;
    return add_stats_row(a->t, a->year, a->subject, a->level, slds_intern_str(&a->it->keys[a->l], g), gs,
                         a->baseline, err);
}

int slds_growthrun_place_subgroups(slds_store *s, int year, const char *place_level,
                                   const char *place_id, slds_table **out, slds_error *err)
{
    *out = NULL;
    if (!place_level || (strcmp(place_level, "school") && strcmp(place_level, "district")) || !place_id)
        return slds_fail(err, SLDS_ERR_USAGE, "growth: subgroups of a school or a district");
    slds_table *t;
    int rc = slds_growthrun_aggregates_table(&t, err);
    if (rc)
        return rc;
    /* the subjects the year's runs have, and whether one applied a baseline */
    char subjects[16][64];
    int nsub = 0, baseline = 0;
    slds_cursor c;
    if (!(rc = slds_cursor_open(&c, s,
                                "SELECT subject, max(baseline IS NOT NULL) FROM growth_runs"
                                " WHERE school_year = ?1 GROUP BY subject ORDER BY subject",
                                err))) {
        slds_cursor_bind_int(&c, 1, year);
        int r;
        while ((r = slds_cursor_step(&c, err)) == 1 && nsub < 16) {
            snprintf(subjects[nsub++], sizeof subjects[0], "%s", slds_cursor_text(&c, 0));
            baseline |= (int)slds_cursor_int(&c, 1);
        }
        slds_cursor_close(&c);
        rc = r < 0 ? err->code : SLDS_OK;
    }
    for (int k = 0; k < nsub && !rc; k++) {
        items it = {0};
        rc = read_students(s, year, subjects[k], place_level, place_id, &it, err);
        /* the subgroup levels (after state, district, school) */
        for (int l = 3; l < N_PLAIN_LEVELS && !rc; l++) {
            subgroup_adder a = {t, year, subjects[k], plain_levels[l], &it, l, baseline};
            rc = for_each_group(&it, l, add_subgroup, &a, err);
        }
        items_free(&it);
    }
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

int gr_aggregate_run(slds_store *s, const gr_run *r, int subj, size_t *rows, slds_error *err)
{
    *rows = 0;
    return aggregate_subject(s, r, subj, r->panel.year, r->panel.subjects[subj]->name,
                             r->opt->baseline != NULL, rows, err);
}
