/* synth.c - the generator's entry points (synth.h): checks the parameters,
 * creates the output folders and files, builds the state, runs the school
 * years in order (model.h note 3) and writes the truth. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synth/model.h"

void slds_synth_params_default(slds_synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->students = 10000;
    p->years = 5;
    p->seed = 1;
    p->first_year = 2021;
    p->dirty = 0;
}

int slds_synth_params_check(const slds_synth_params *p, slds_error *err)
{
    if (!p)
        return slds_fail(err, SLDS_ERR_USAGE, "synth: no parameters");
    if (p->students < 100 || p->students > 50000000)
        return slds_fail(err, SLDS_ERR_USAGE, "synth: students must be between 100 and 50000000 (got %llu)",
                         (unsigned long long)p->students);
    if (p->years < 1 || p->years > 30)
        return slds_fail(err, SLDS_ERR_USAGE, "synth: years must be between 1 and 30 (got %d)", p->years);
    if (p->first_year < 1995 || p->first_year + p->years - 1 > 2095)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "synth: school years must lie between 1995 and 2095 (first year %d, %d years)",
                         p->first_year, p->years);
    if (!(p->dirty_warnings >= 0 && p->dirty_warnings <= 0.5))
        return slds_fail(err, SLDS_ERR_USAGE, "synth: dirty warnings must be a fraction between 0 and 0.5 (got %g)",
                         p->dirty_warnings);
    if (!(p->dirty >= 0 && p->dirty <= 0.5))
        return slds_fail(err, SLDS_ERR_USAGE, "synth: dirty must be a fraction between 0 and 0.5 (got %g)",
                         p->dirty);
    return SLDS_OK;
}

/* mkdir -p for the output folder. */
static int make_dirs(const char *path)
{
    size_t n = strlen(path);
    char *buf = malloc(n + 1);
    if (!buf)
        return ENOMEM;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) && errno != EEXIST) {
            int e = errno;
            free(buf);
            return e;
        }
        buf[i] = saved;
    }
    free(buf);
    struct stat sb;
    if (stat(path, &sb) || !S_ISDIR(sb.st_mode))
        return ENOTDIR;
    return 0;
}

static int open_csv(synth_ctx *c, synth_csv *f, const synth_schema *schema)
{
    size_t n = strlen(c->out_dir) + strlen(schema->file) + 2;
    char *path = malloc(n);
    if (!path)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory");
    snprintf(path, n, "%s/%s", c->out_dir, schema->file);
    int e = synth_csv_open(f, path, schema);
    free(path);
    if (e)
        return slds_fail(c->err, SLDS_ERR_IO, "synth: cannot write %s/%s: %s", c->out_dir, schema->file,
                         strerror(e));
    return SLDS_OK;
}

static int open_files(synth_ctx *c)
{
    int rc = open_csv(c, &c->dirty_log, &synth_dirty_log_schema);
    if (!rc)
        rc = open_csv(c, &c->dirty_warn_log, &synth_dirty_warn_schema);
    if (!rc)
        rc = open_csv(c, &c->identity_log, &synth_identity_schema);
    if (!rc)
        rc = open_csv(c, &c->teacher_year_log, &synth_teacher_year_schema);
    c->dirty.p = synth_dirty_chance(c->p.dirty);
    c->dirty.log = &c->dirty_log;
    c->dirty.year_hint = c->p.first_year;
    c->dirty.warn_p = c->p.dirty_warnings;
    c->dirty.warn_key = synth_hash(c->p.seed, 0xD1B7, 0, 0);
    c->dirty.warn_log = &c->dirty_warn_log;
    for (int k = 0; k < SLDS_SYNTH_NFILES && !rc; k++) {
        rc = open_csv(c, &c->files[k], &synth_contract_schemas[k]);
        if (!rc && (c->dirty.p > 0 || c->dirty.warn_p > 0)) {
            c->files[k].dirty = &c->dirty;
            synth_rng_seed(&c->files[k].dirty_rng, c->p.seed, STREAM_DIRTY, (uint64_t)k);
        }
    }
    return rc;
}

/* Closes every open file; reports the first write error unless one is set. */
static int close_files(synth_ctx *c, int rc)
{
    synth_csv *all[SLDS_SYNTH_NFILES + 4];
    int n = 0;
    for (int k = 0; k < SLDS_SYNTH_NFILES; k++)
        all[n++] = &c->files[k];
    all[n++] = &c->identity_log;
    all[n++] = &c->teacher_year_log;
    all[n++] = &c->dirty_log; /* last: dirty rows of the others go here */
    all[n++] = &c->dirty_warn_log;
    for (int k = 0; k < n; k++) {
        if (!all[k]->schema)
            continue;
        int e = synth_csv_close(all[k]);
        if (e && !rc)
            rc = slds_fail(c->err, SLDS_ERR_IO, "synth: writing %s/%s: %s", c->out_dir, all[k]->schema->file,
                           strerror(e));
    }
    return rc;
}

static int alloc_school_scratch(synth_ctx *c)
{
    synth_year *yr = &c->yr;
    size_t ns = c->n_schools;
    yr->school_start = calloc(ns + 1, sizeof *yr->school_start);
    yr->grade_count = calloc(ns * N_GRADES, sizeof *yr->grade_count);
    yr->el_count = calloc(ns, sizeof *yr->el_count);
    yr->pool_start = calloc(ns * N_KINDS + 1, sizeof *yr->pool_start);
    c->sum.enrolled = calloc((size_t)c->p.years, sizeof *c->sum.enrolled);
    c->sum.enrolled_end = calloc((size_t)c->p.years, sizeof *c->sum.enrolled_end);
    if (!yr->school_start || !yr->grade_count || !yr->el_count || !yr->pool_start || !c->sum.enrolled ||
        !c->sum.enrolled_end)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory");
    return SLDS_OK;
}

static void free_all(synth_ctx *c)
{
    synth_year *yr = &c->yr;
    synth_calendar_free(&yr->cal);
    free(yr->spells);
    free(yr->first_spell);
    free(yr->spell_count);
    for (int s = 0; s < N_SUBJ; s++)
        free(yr->teacher_sum[s]);
    free(yr->credit_halves_year);
    free(yr->expulsion_day);
    free(yr->school_start);
    free(yr->school_spells);
    free(yr->grade_count);
    free(yr->el_count);
    free(yr->pool_start);
    free(yr->pool);
    free(yr->hires);
    free(c->sum.enrolled);
    free(c->sum.enrolled_end);
    synth_students_free(&c->st);
    synth_staff_free(&c->sf);
    synth_world_free(c);
}

/* The district counts of the last year, for leas.csv. */
static void count_final_year(synth_ctx *c)
{
    const synth_year *yr = &c->yr;
    uint32_t *last_lea = malloc(c->st.n * sizeof *last_lea);
    for (uint32_t l = 0; l < c->n_leas; l++)
        c->leas[l].served_final = c->leas[l].poor_final = 0;
    for (uint32_t k = 0; k < yr->n_spells; k++) {
        const synth_spell *sp = &yr->spells[k];
        uint32_t lea = c->schools[sp->school].lea;
        /* A student counts once per district (a mover within it has two spells). */
        if (last_lea) {
            if (k > yr->first_spell[sp->student] && last_lea[sp->student] == lea)
                continue;
            last_lea[sp->student] = lea;
        }
        c->leas[lea].served_final++;
        c->leas[lea].poor_final += (c->st.flags[sp->student] & FLAG_ECON) != 0;
    }
    free(last_lea);
}

static void report(const synth_ctx *c, const char *stage, int year_index)
{
    char label[64];
    snprintf(label, sizeof label, "synth %d: %s", c->p.first_year + year_index, stage);
    slds_progress_report(c->progress, label, (uint64_t)year_index * 10, (uint64_t)c->p.years * 10);
}

static int run_year(synth_ctx *c, int year)
{
    int index = year - c->p.first_year;
    int rc = synth_year_open(c, year);
    report(c, "enrollment", index);
    if (!rc)
        rc = synth_enroll_plan(c);
    if (!rc)
        rc = synth_group_spells(c);
    report(c, "staff and rosters", index);
    if (!rc)
        rc = synth_staffing(c);
    if (!rc)
        rc = synth_rosters(c);
    if (rc)
        return rc;
    report(c, "tests", index);
    synth_achievement(c);
    report(c, "courses and attendance", index);
    synth_schooling(c);
    synth_end_of_year(c);
    synth_write_enrollments(c);
    synth_write_attributes(c);
    synth_write_finance(c, year);
    report(c, "practice items", index);
    synth_item_responses(c);
    synth_staff_close_year(c);
    if (year == c->last_year)
        count_final_year(c);
    else
        synth_attributes_next_year(c, year);
    synth_year_close(c);
    return SLDS_OK;
}

int slds_synth_write(const slds_synth_params *p, const char *out_dir, const slds_progress *progress,
                     slds_error *err)
{
    return slds_synth_run(p, out_dir, progress, NULL, err);
}

int slds_synth_run(const slds_synth_params *p, const char *out_dir, const slds_progress *progress,
                   slds_synth_result *result, slds_error *err)
{
    double started = slds_now();
    int rc = slds_synth_params_check(p, err);
    if (rc)
        return rc;
    if (!out_dir || !*out_dir)
        return slds_fail(err, SLDS_ERR_USAGE, "synth: no output folder given");
    synth_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return slds_fail(err, SLDS_ERR_NOMEM, "synth: out of memory");
    c->p = *p;
    c->last_year = p->first_year + p->years - 1;
    c->progress = progress;
    c->err = err;
    c->out_dir = out_dir;
    synth_model_default(&c->m);
    c->cohort_size = (uint32_t)((double)p->students / (13.0 + c->m.pk_share) + 0.5);
    c->id_key = synth_hash(p->seed, 0x1D5, 0, 0);

    size_t n = strlen(out_dir) + 8;
    char *truth_dir = malloc(n);
    int e = truth_dir ? make_dirs(out_dir) : ENOMEM;
    if (!e) {
        snprintf(truth_dir, n, "%s/truth", out_dir);
        e = make_dirs(truth_dir);
    }
    free(truth_dir);
    if (e) {
        free(c);
        return slds_fail(err, SLDS_ERR_IO, "synth: cannot create %s/truth: %s", out_dir, strerror(e));
    }
    rc = open_files(c);
    if (!rc)
        rc = synth_world_build(c);
    if (!rc)
        rc = alloc_school_scratch(c);
    if (!rc)
        rc = synth_standards_build(c);
    if (!rc && synth_students_reserve(c, c->cohort_size * 15u))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "synth: out of memory (students)");
    for (int year = p->first_year; !rc && year <= c->last_year; year++)
        rc = run_year(c, year);
    if (!rc)
        rc = synth_write_staff(c);
    if (!rc)
        rc = synth_write_leas(c);
    if (!rc)
        rc = synth_write_truth(c);
    rc = close_files(c, rc);
    if (!rc && result) {
        memset(result, 0, sizeof *result);
        for (int k = 0; k < SLDS_SYNTH_NFILES; k++) {
            result->rows[k] = c->files[k].rows;
            result->dirty_rows[k] = c->files[k].dirty_rows;
        }
        result->distinct_students = c->st.n;
        result->enrolled_final_year = c->sum.enrolled[p->years - 1];
        result->seconds = slds_now() - started;
    }
    slds_progress_report(progress, "synth: done", (uint64_t)p->years * 10, (uint64_t)p->years * 10);
    free_all(c);
    free(c);
    return rc;
}
