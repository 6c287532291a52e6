/* run.c - `slds warn run`: every enrolled student of grades 6-12 in a year,
 * the ABC flags with their reasons, the two calibrated risks and the main
 * contributing factors, stored in warn_students (one transaction, the year's
 * rows replaced) with the models and configuration in warn_runs.
 *
 * Training rule (docs/warn.md): for year Y the graduation model learns from
 * the records of cohorts expected to graduate before Y whose outcome is known
 * (so no student of year Y is in its training data), the course-failure model
 * from the years before Y. Too few such records: the flags are stored and the
 * risks left blank (the summary says so). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warn/internal.h"

static bool before_year(const warn_rec *r, void *ctx)
{
    return r->cohort < *(const int *)ctx;
}

static bool fail_before_year(const warn_rec *r, void *ctx)
{
    return r->year < *(const int *)ctx;
}

static int insert_row(slds_cursor *ins, const warn_data *d, const warn_rec *r, unsigned flags,
                      const slds_warn_config *c, double p_grad, double p_fail, const char *level, slds_buf *reasons,
                      slds_buf *factors, slds_error *err)
{
    const slds_warn_abc *a = &r->abc;
    slds_cursor_reset(ins);
    slds_cursor_bind_int(ins, 1, r->year);
    slds_cursor_bind_text(ins, 2, slds_intern_str(&d->students, r->student));
    slds_cursor_bind_text(ins, 3, slds_intern_str(&d->schools, r->school));
    slds_cursor_bind_text(ins, 4, warn_school_lea(d, r->school));
    slds_cursor_bind_int(ins, 5, a->grade);
    if (a->days_enrolled > 0) {
        slds_cursor_bind_double(ins, 6, a->days_enrolled);
        slds_cursor_bind_double(ins, 7, a->days_absent);
    } else {
        slds_cursor_bind_null(ins, 6);
        slds_cursor_bind_null(ins, 7);
    }
    slds_cursor_bind_int(ins, 8, a->suspensions);
    slds_cursor_bind_int(ins, 9, a->f_ela);
    slds_cursor_bind_int(ins, 10, a->f_math);
    slds_cursor_bind_int(ins, 11, a->core_f_semesters);
    slds_cursor_bind_double(ins, 12, a->credits_earned);
    double gpa = slds_warn_gpa(a);
    if (isnan(gpa))
        slds_cursor_bind_null(ins, 13);
    else
        slds_cursor_bind_double(ins, 13, gpa);
    slds_cursor_bind_int(ins, 14, (flags & SLDS_WARN_FLAG_ATTENDANCE) != 0);
    slds_cursor_bind_int(ins, 15, (flags & SLDS_WARN_FLAG_BEHAVIOR) != 0);
    slds_cursor_bind_int(ins, 16, (flags & SLDS_WARN_FLAG_COURSE) != 0);
    slds_cursor_bind_int(ins, 17, (flags & SLDS_WARN_FLAG_GPA) != 0);
    if (a->grade == 9)
        slds_cursor_bind_int(ins, 18, (flags & SLDS_WARN_FLAG_OFF_TRACK) != 0);
    else
        slds_cursor_bind_null(ins, 18);
    slds_cursor_bind_text(ins, 19, reasons->len ? reasons->data : NULL);
    if (isnan(p_grad))
        slds_cursor_bind_null(ins, 20);
    else
        slds_cursor_bind_double(ins, 20, p_grad);
    if (isnan(p_fail))
        slds_cursor_bind_null(ins, 21);
    else
        slds_cursor_bind_double(ins, 21, p_fail);
    slds_cursor_bind_text(ins, 22, level);
    slds_cursor_bind_text(ins, 23, factors->len ? factors->data : NULL);
    (void)c;
    return slds_cursor_step(ins, err) < 0 ? err->code : SLDS_OK;
}

int slds_warn_run(slds_store *s, int year, const slds_warn_config *config, const char *config_name,
                  slds_warn_summary *sum, const slds_progress *progress, slds_error *err)
{
    double t0 = slds_now();
    slds_warn_config defaults;
    slds_warn_config_default(&defaults);
    const slds_warn_config *c = config ? config : &defaults;
    memset(sum, 0, sizeof *sum);
    sum->year = year;
    warn_data d;
    int rc = warn_data_load(s, c, &d, progress, err);
    if (rc)
        return rc;
    size_t in_year = 0;
    for (size_t i = 0; i < d.n; i++)
        in_year += d.recs[i].year == year;
    if (!in_year) {
        warn_data_free(&d);
        return slds_fail(err, SLDS_ERR_NOTFOUND, "early warning: no student of grades 6-12 enrolled in %d", year);
    }
    warn_model grad, fail;
    slds_error ignored = {0};
    sum->model = !warn_model_train(&d, WARN_MODEL_GRAD, c, before_year, &year, &grad, &ignored);
    bool fail_model = !warn_model_train(&d, WARN_MODEL_FAIL, c, fail_before_year, &year, &fail, &ignored);
    if (sum->model) {
        sum->train_n = grad.train_n;
        sum->calib_n = grad.calib_n;
        sum->threshold = grad.threshold;
    }
    if (fail_model)
        sum->fail_train_n = fail.train_n;
    slds_progress_report(progress, "warn: reading", 7, 7);

    slds_cursor ins = {0}, del = {0};
    slds_buf reasons = {0}, factors = {0};
    if ((rc = slds_store_begin(s, err)))
        goto done;
    if ((rc = slds_cursor_open(&del, s, "DELETE FROM warn_students WHERE school_year = ?1", err)))
        goto rollback;
    slds_cursor_bind_int(&del, 1, year);
    if (slds_cursor_step(&del, err) < 0) {
        rc = err->code;
        goto rollback;
    }
    if ((rc = slds_cursor_open(&ins, s,
                               "INSERT INTO warn_students(school_year, student_id, school_id, lea_id, grade,"
                               " days_enrolled, days_absent, suspensions, f_ela, f_math, core_f_semesters,"
                               " credits_earned, gpa, flag_attendance, flag_behavior, flag_course, flag_gpa,"
                               " flag_off_track, reasons, p_not_graduate, p_fail_course, risk_level, factors)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                               " ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
                               err)))
        goto rollback;
    size_t done_n = 0;
    for (size_t i = 0; i < d.n; i++) {
        const warn_rec *r = &d.recs[i];
        if (r->year != year)
            continue;
        unsigned flags = slds_warn_flags(&r->abc, c);
        slds_buf_clear(&reasons);
        slds_buf_clear(&factors);
        if (slds_warn_reasons(&r->abc, flags, c, &reasons)) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
            goto rollback;
        }
        double pg = sum->model ? warn_model_predict(&d, &grad, c, r) : NAN;
        double pf = fail_model ? warn_model_predict(&d, &fail, c, r) : NAN;
        const char *level = NULL;
        if (sum->model) {
            level = pg >= grad.threshold ? "high" : pg >= 0.5 * grad.threshold ? "moderate" : "low";
            sum->high_risk += pg >= grad.threshold;
            if (warn_model_factors(&d, &grad, c, r, &factors)) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
                goto rollback;
            }
        }
        if (fail_model && !isnan(pf) && pf >= fail.threshold) {
            slds_buf course = {0};
            int frc = warn_model_factors(&d, &fail, c, r, &course);
            if (!frc && course.len)
                frc = slds_buf_printf(&factors, "%s%s", factors.len ? "; " : "", course.data);
            slds_buf_free(&course);
            if (frc) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
                goto rollback;
            }
        }
        if ((rc = insert_row(&ins, &d, r, flags, c, pg, pf, level, &reasons, &factors, err)))
            goto rollback;
        sum->students++;
        for (int k = 0; k < SLDS_WARN_NFLAGS; k++)
            sum->flagged[k] += (flags >> k) & 1;
        sum->any_flag += flags != 0;
        if (++done_n % 4096 == 0)
            slds_progress_report(progress, "warn: storing", done_n, in_year);
    }
    slds_cursor_close(&ins);
    {
        json_t *run = json_object();
        json_object_set_new(run, "config", slds_warn_config_json(c));
        if (sum->model)
            json_object_set_new(run, "graduation_model", warn_model_json(&grad));
        if (fail_model)
            json_object_set_new(run, "course_failure_model", warn_model_json(&fail));
        char *text = json_dumps(run, JSON_COMPACT | JSON_REAL_PRECISION(17));
        json_decref(run);
        time_t now = time(NULL);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        if ((rc = slds_cursor_open(&ins, s,
                                   "INSERT OR REPLACE INTO warn_runs(school_year, run_at, config_name, students,"
                                   " model) VALUES (?1, ?2, ?3, ?4, ?5)",
                                   err))) {
            free(text);
            goto rollback;
        }
        slds_cursor_bind_int(&ins, 1, year);
        slds_cursor_bind_text(&ins, 2, stamp);
        slds_cursor_bind_text(&ins, 3, config_name ? config_name : "default");
        slds_cursor_bind_int(&ins, 4, (int64_t)sum->students);
        slds_cursor_bind_text(&ins, 5, text);
        int r = slds_cursor_step(&ins, err);
        free(text);
        if (r < 0) {
            rc = err->code;
            goto rollback;
        }
    }
    slds_cursor_close(&ins);
    slds_cursor_close(&del);
    rc = slds_store_commit(s, err);
    goto done;
rollback:
    slds_cursor_close(&ins);
    slds_cursor_close(&del);
    slds_store_rollback(s);
done:
    slds_buf_free(&reasons);
    slds_buf_free(&factors);
    warn_data_free(&d);
    sum->seconds = slds_now() - t0;
    return rc;
}
