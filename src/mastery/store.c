/* store.c - BKT over the state database (mastery.h): `slds mastery fit`
 * (item_responses -> mastery_params, mastery_state), the online update used
 * by `slds ingest`, and the table of fitted parameters.
 *
 * The fit reads item_responses twice in its primary-key order (student,
 * response_time, item_id), which is each student's time order: once into
 * compact arrays for EM, once more after the fit to run every student's
 * forward pass and write the states. The second pass keeps the stored
 * response_time texts without holding them all in memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "mastery/internal.h"

static void today_iso(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static void now_iso(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int mastery_require_schema(slds_store *s, slds_error *err)
{
    int v = slds_store_schema_version(s, "mastery", err);
    if (v < 0)
        return err->code;
    if (v < 1)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "%s has no mastery tables yet: run 'slds mastery fit' (or any command "
                         "that writes) to bring it up to date",
                         s->path);
    return SLDS_OK;
}

/* ------------------------------------------------------------------ fit */

typedef struct rows {
    uint32_t *skill, *student;
    uint8_t *correct;
    size_t n, cap;
} rows;

static int rows_push(rows *r, uint32_t skill, uint32_t student, uint8_t correct)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1 << 16;
        uint32_t *a = realloc(r->skill, cap * sizeof *a);
        if (a)
            r->skill = a;
        uint32_t *b = realloc(r->student, cap * sizeof *b);
        if (b)
            r->student = b;
        uint8_t *c = realloc(r->correct, cap);
        if (c)
            r->correct = c;
        if (!a || !b || !c)
            return SLDS_ERR_NOMEM;
        r->cap = cap;
    }
    r->skill[r->n] = skill;
    r->student[r->n] = student;
    r->correct[r->n] = correct;
    r->n++;
    return SLDS_OK;
}

static const char responses_sql[] =
    "SELECT student_id, standard_id, correct, response_time FROM item_responses"
    " ORDER BY student_id, response_time, item_id";

/* One (student, standard) state while a student's rows stream by. */
typedef struct run_state {
    uint32_t skill;
    slds_bkt_state s; /* P(mastered), P(not mastered) */
    double max_p;
    long long responses, correct;
    char mastered_at[40], last[40];
} run_state;

typedef struct writer {
    slds_cursor ins;
    const slds_bkt_params *params;
    const bool *have;
    const slds_intern *skills;
    double threshold;
    run_state *st;
    size_t n, cap;
    size_t written;
} writer;

static void state_step(run_state *r, const slds_bkt_params *p, int correct, const char *time,
                       double threshold)
{
    r->s = slds_bkt_step(p, r->s, correct);
    r->responses++;
    r->correct += correct;
    if (r->s.mastered > r->max_p)
        r->max_p = r->s.mastered;
    if (r->s.mastered >= threshold && !r->mastered_at[0])
        snprintf(r->mastered_at, sizeof r->mastered_at, "%s", time);
    snprintf(r->last, sizeof r->last, "%s", time);
}

static int flush_student(writer *w, const char *student, slds_error *err)
{
    for (size_t i = 0; i < w->n; i++) {
        const run_state *r = &w->st[i];
        slds_cursor_reset(&w->ins);
        slds_cursor_bind_text(&w->ins, 1, student);
        slds_cursor_bind_text(&w->ins, 2, slds_intern_str(w->skills, r->skill));
        slds_cursor_bind_double(&w->ins, 3, r->s.mastered);
        slds_cursor_bind_double(&w->ins, 9, r->s.not_mastered);
        slds_cursor_bind_int(&w->ins, 4, r->responses);
        slds_cursor_bind_int(&w->ins, 5, r->correct);
        slds_cursor_bind_double(&w->ins, 6, r->max_p);
        slds_cursor_bind_text(&w->ins, 7, r->mastered_at[0] ? r->mastered_at : NULL);
        slds_cursor_bind_text(&w->ins, 8, r->last);
        if (slds_cursor_step(&w->ins, err) < 0)
            return err->code;
        w->written++;
    }
    w->n = 0;
    return SLDS_OK;
}

static int write_states(slds_store *s, writer *w, const slds_progress *progress, size_t total,
                        slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s, responses_sql, err))
        return err->code;
    char student[128] = "";
    int r, rc = SLDS_OK;
    size_t seen = 0;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        const char *sid = slds_cursor_text(&c, 0), *std = slds_cursor_text(&c, 1);
        const char *time = slds_cursor_text(&c, 3);
        int correct = slds_cursor_int(&c, 2) ? 1 : 0;
        if (!sid || !std || !time)
            continue;
        if (strcmp(sid, student)) {
            if ((rc = flush_student(w, student, err)))
                break;
            snprintf(student, sizeof student, "%s", sid);
        }
        uint32_t k = slds_intern_find(w->skills, std, strlen(std));
        if (k == SLDS_NO_ID || !w->have[k])
            continue;
        size_t i = 0;
        while (i < w->n && w->st[i].skill != k)
            i++;
        if (i == w->n) {
            if (w->n == w->cap) {
                size_t cap = w->cap ? w->cap * 2 : 16;
                run_state *ns = realloc(w->st, cap * sizeof *ns);
                if (!ns) {
                    rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
                    break;
                }
                w->st = ns;
                w->cap = cap;
            }
            run_state *ns = &w->st[w->n++];
            memset(ns, 0, sizeof *ns);
            ns->skill = k;
            ns->s = slds_bkt_start(&w->params[k]);
            ns->max_p = ns->s.mastered;
        }
        state_step(&w->st[i], &w->params[k], correct, time, w->threshold);
        if ((++seen & 0xffff) == 0)
            slds_progress_report(progress, "writing states", seen, total);
    }
    slds_cursor_close(&c);
    if (!rc && r < 0)
        rc = err->code;
    if (!rc)
        rc = flush_student(w, student, err);
    return rc;
}

static int write_params(slds_store *s, const slds_intern *skills, const slds_bkt_fit *fits,
                        bool forget, slds_error *err)
{
    char at[21];
    now_iso(at);
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "INSERT INTO mastery_params(standard_id, p_init, p_learn, p_guess, p_slip,"
                         " p_forget, responses, students, log_likelihood, iterations, fitted_at)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                         err))
        return err->code;
    int rc = SLDS_OK;
    for (uint32_t k = 0; k < skills->count && !rc; k++) {
        const slds_bkt_fit *f = &fits[k];
        if (!f->responses)
            continue;
        slds_cursor_reset(&c);
        slds_cursor_bind_text(&c, 1, slds_intern_str(skills, k));
        slds_cursor_bind_double(&c, 2, f->params.p_init);
        slds_cursor_bind_double(&c, 3, f->params.p_learn);
        slds_cursor_bind_double(&c, 4, f->params.p_guess);
        slds_cursor_bind_double(&c, 5, f->params.p_slip);
        if (forget)
            slds_cursor_bind_double(&c, 6, f->params.p_forget);
        else
            slds_cursor_bind_null(&c, 6);
        slds_cursor_bind_int(&c, 7, (int64_t)f->responses);
        slds_cursor_bind_int(&c, 8, (int64_t)f->sequences);
        slds_cursor_bind_double(&c, 9, f->log_likelihood);
        slds_cursor_bind_int(&c, 10, f->iterations);
        slds_cursor_bind_text(&c, 11, at);
        if (slds_cursor_step(&c, err) < 0)
            rc = err->code;
    }
    slds_cursor_close(&c);
    return rc;
}

int slds_mastery_fit_store(slds_store *s, const slds_bkt_fit_options *o, double threshold,
                           slds_mastery_fit_summary *sum, const slds_progress *progress,
                           slds_error *err)
{
    memset(sum, 0, sizeof *sum);
    if (!s->writer)
        return slds_fail(err, SLDS_ERR_USAGE, "%s: opened read-only, cannot store a fit", s->path);
    double t0 = slds_now();
    slds_intern skills = {0}, students = {0};
    rows r = {0};
    slds_bkt_corpus *corpus = NULL;
    slds_bkt_fit *fits = NULL;
    slds_bkt_params *params = NULL;
    bool *have = NULL;
    writer w = {0};
    int rc = SLDS_OK, step;
    slds_cursor c;
    if (slds_cursor_open(&c, s, responses_sql, err))
        return err->code;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        const char *sid = slds_cursor_text(&c, 0), *std = slds_cursor_text(&c, 1);
        if (!sid || !std)
            continue;
        uint32_t k = slds_intern_add(&skills, std, strlen(std));
        uint32_t st = slds_intern_add(&students, sid, strlen(sid));
        if (k == SLDS_NO_ID || st == SLDS_NO_ID ||
            rows_push(&r, k, st, slds_cursor_int(&c, 2) ? 1 : 0)) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory (%zu responses)", r.n);
            break;
        }
        if ((r.n & 0xffff) == 0)
            slds_progress_report(progress, "reading responses", r.n, 0);
    }
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = err->code;
    if (!rc && !r.n)
        rc = slds_fail(err, SLDS_ERR_NOTFOUND,
                       "%s: item_responses is empty (load an item_responses.csv first)", s->path);
    double t1 = slds_now();
    sum->read_seconds = t1 - t0;
    sum->responses = r.n;
    sum->students = students.count;
    if (!rc)
        rc = slds_bkt_corpus_new(&corpus, r.skill, r.student, r.correct, r.n, skills.count,
                                 students.count, err);
    free(r.skill);
    free(r.student);
    free(r.correct);
    slds_intern_free(&students);
    if (!rc) {
        fits = calloc(skills.count, sizeof *fits);
        params = calloc(skills.count, sizeof *params);
        have = calloc(skills.count, sizeof *have);
        if (!fits || !params || !have)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    }
    if (!rc)
        rc = slds_bkt_fit_all(corpus, o, fits, progress, err);
    slds_bkt_corpus_free(corpus);
    double t2 = slds_now();
    sum->fit_seconds = t2 - t1;
    for (uint32_t k = 0; !rc && k < skills.count; k++) {
        params[k] = fits[k].params;
        have[k] = fits[k].responses > 0;
        sum->standards += have[k];
    }
    if (!rc)
        rc = slds_store_begin(s, err);
    if (!rc) {
        rc = slds_store_exec(s, "DELETE FROM mastery_params; DELETE FROM mastery_state;", err);
        if (!rc)
            rc = write_params(s, &skills, fits, o->forget, err);
        if (!rc && !slds_cursor_open(&w.ins, s,
                                     "INSERT INTO mastery_state(student_id, standard_id, p_mastery,"
                                     " responses, correct, max_p_mastery, mastered_at, last_response,"
                                     " p_not_mastered) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                     err)) {
            w.params = params;
            w.have = have;
            w.skills = &skills;
            w.threshold = threshold;
            rc = write_states(s, &w, progress, sum->responses, err);
            slds_cursor_close(&w.ins);
            sum->states = w.written;
        } else if (!rc)
            rc = err->code;
        char buf[32];
        snprintf(buf, sizeof buf, "%.17g", threshold);
        if (!rc)
            rc = slds_store_meta_set(s, "mastery.threshold", buf, err);
        if (!rc)
            rc = slds_store_meta_set(s, "mastery.forget", o->forget ? "1" : "0", err);
        if (!rc)
            rc = slds_store_commit(s, err);
        if (rc)
            slds_store_rollback(s);
    }
    free(w.st);
    sum->write_seconds = slds_now() - t2;
    sum->seconds = slds_now() - t0;
    free(fits);
    free(params);
    free(have);
    slds_intern_free(&skills);
    return rc;
}

/* ---------------------------------------------------------- parameters */

/* The fitted parameters of standard_id: 1 found, 0 none, -1 error. */
int mastery_params_get(slds_store *s, const char *standard_id, slds_bkt_params *p,
                       slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT p_init, p_learn, p_guess, p_slip, coalesce(p_forget, 0)"
                         " FROM mastery_params WHERE standard_id = ?1",
                         err))
        return -1;
    slds_cursor_bind_text(&c, 1, standard_id);
    int r = slds_cursor_step(&c, err);
    if (r == 1)
        *p = (slds_bkt_params){slds_cursor_double(&c, 0), slds_cursor_double(&c, 1),
                               slds_cursor_double(&c, 2), slds_cursor_double(&c, 3),
                               slds_cursor_double(&c, 4)};
    slds_cursor_close(&c);
    return r;
}

/* ------------------------------------------------------- online update */

static int replay(slds_store *s, const char *student_id, const char *standard_id,
                  const slds_bkt_params *p, double threshold, run_state *r, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT correct, response_time FROM item_responses"
                         " WHERE student_id = ?1 AND standard_id = ?2 ORDER BY response_time, item_id",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, student_id);
    slds_cursor_bind_text(&c, 2, standard_id);
    memset(r, 0, sizeof *r);
    r->s = slds_bkt_start(p);
    r->max_p = r->s.mastered;
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1)
        state_step(r, p, slds_cursor_int(&c, 0) ? 1 : 0, slds_cursor_text(&c, 1), threshold);
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

int slds_mastery_update(slds_store *s, const char *student_id, const char *standard_id,
                        const char *response_time, int correct, double threshold,
                        slds_mastery_update_result *result, slds_error *err)
{
    *result = SLDS_MASTERY_NO_MODEL;
    if (!s->writer)
        return slds_fail(err, SLDS_ERR_USAGE, "%s: opened read-only, cannot update mastery",
                         s->path);
    slds_bkt_params p;
    int found = mastery_params_get(s, standard_id, &p, err);
    if (found < 0)
        return err->code;
    if (!found)
        return SLDS_OK;
    run_state r = {0};
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT p_mastery, responses, correct, max_p_mastery, mastered_at,"
                         " last_response, coalesce(p_not_mastered, -1) FROM mastery_state"
                         " WHERE student_id = ?1 AND standard_id = ?2",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, student_id);
    slds_cursor_bind_text(&c, 2, standard_id);
    int have = slds_cursor_step(&c, err);
    if (have == 1) {
        r.s = slds_bkt_state_of(slds_cursor_double(&c, 0), slds_cursor_double(&c, 6));
        r.responses = slds_cursor_int(&c, 1);
        r.correct = slds_cursor_int(&c, 2);
        r.max_p = slds_cursor_double(&c, 3);
        const char *m = slds_cursor_text(&c, 4), *l = slds_cursor_text(&c, 5);
        snprintf(r.mastered_at, sizeof r.mastered_at, "%s", m ? m : "");
        snprintf(r.last, sizeof r.last, "%s", l ? l : "");
    }
    slds_cursor_close(&c);
    if (have < 0)
        return err->code;
    int rc;
    if (have == 1 && strcmp(response_time, r.last) < 0) {
        /* A late arrival: the order of the student's responses changed. */
        if ((rc = replay(s, student_id, standard_id, &p, threshold, &r, err)))
            return rc;
        *result = SLDS_MASTERY_REPLAYED;
    } else {
        if (have != 1) {
            r.s = slds_bkt_start(&p);
            r.max_p = r.s.mastered;
        }
        state_step(&r, &p, correct ? 1 : 0, response_time, threshold);
        *result = SLDS_MASTERY_UPDATED;
    }
    if (slds_cursor_open(&c, s,
                         "INSERT OR REPLACE INTO mastery_state(student_id, standard_id, p_mastery,"
                         " responses, correct, max_p_mastery, mastered_at, last_response,"
                         " p_not_mastered) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, student_id);
    slds_cursor_bind_text(&c, 2, standard_id);
    slds_cursor_bind_double(&c, 3, r.s.mastered);
    slds_cursor_bind_double(&c, 9, r.s.not_mastered);
    slds_cursor_bind_int(&c, 4, r.responses);
    slds_cursor_bind_int(&c, 5, r.correct);
    slds_cursor_bind_double(&c, 6, r.max_p);
    slds_cursor_bind_text(&c, 7, r.mastered_at[0] ? r.mastered_at : NULL);
    slds_cursor_bind_text(&c, 8, r.last);
    int step = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

/* ---------------------------------------------------------- the table */

int slds_mastery_standards_table(slds_store *s, slds_table **out, slds_error *err)
{
    *out = NULL;
    int rc = mastery_require_schema(s, err);
    if (rc)
        return rc;
    char forget[8] = "0";
    if (slds_store_meta_get(s, "mastery.forget", forget, sizeof forget, err))
        slds_error_clear(err);
    bool with_forget = !strcmp(forget, "1");
    static const slds_column_spec cols[] = {
        {.name = "standard_id", .type = SLDS_CELL_TEXT},
        {.name = "p_init", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 4},
        {.name = "p_learn", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 4},
        {.name = "p_guess", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 4},
        {.name = "p_slip", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 4},
        {.name = "p_forget", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 4},
        {.name = "subject", .type = SLDS_CELL_TEXT},
        {.name = "grade_level", .type = SLDS_CELL_TEXT},
        {.name = "responses", .type = SLDS_CELL_INTEGER, .unit = "responses"},
        {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students"},
        {.name = "log_likelihood", .type = SLDS_CELL_REAL, .decimals = 2},
        {.name = "iterations", .type = SLDS_CELL_INTEGER, .unit = "EM iterations"}};
    /* p_forget only when it was fitted: the columns then read as the issue
     * asks, standard_id, p_init, p_learn, p_guess, p_slip[, p_forget], ... */
    slds_column_spec use[12];
    int n = 0;
    for (int i = 0; i < 12; i++)
        if (i != 5 || with_forget)
            use[n++] = cols[i];
    slds_table *t;
    if ((rc = slds_table_new(&t, "standards", "BKT parameters per standard", use, n, err)))
        return rc;
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT m.standard_id, p_init, p_learn, p_guess, p_slip, p_forget,"
                         " s.subject, s.grade_level, responses, students, log_likelihood, iterations"
                         " FROM mastery_params m LEFT JOIN standards s USING(standard_id)"
                         " ORDER BY m.standard_id",
                         err)) {
        slds_table_free(t);
        return err->code;
    }
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        slds_table_add_row(t, err);
        int col = 0;
        slds_table_set_text(t, col++, slds_cursor_text(&c, 0), err);
        for (int i = 1; i <= 4; i++)
            slds_table_set_real(t, col++, slds_cursor_double(&c, i), err);
        if (with_forget)
            slds_table_set_real(t, col++, slds_cursor_double(&c, 5), err);
        slds_table_set_text(t, col++, slds_cursor_text(&c, 6), err);
        slds_table_set_text(t, col++, slds_cursor_text(&c, 7), err);
        slds_table_set_integer(t, col++, slds_cursor_int(&c, 8), err);
        slds_table_set_integer(t, col++, slds_cursor_int(&c, 9), err);
        slds_table_set_real(t, col++, slds_cursor_double(&c, 10), err);
        slds_table_set_integer(t, col++, slds_cursor_int(&c, 11), err);
        if ((rc = slds_table_status(t)))
            break;
    }
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = err->code;
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

/* Today as YYYY-MM-DD (UTC), for plans. */
void mastery_today(char out[11])
{
    today_iso(out);
}
