/* data.c - reads what early warning needs from the state database into one
 * record per student and school year of grades 6-12 (internal.h): the ABC
 * figures, the history the model uses (credits so far, grade repeated,
 * latest state test) and the outcomes that are known.
 *
 * Outcome rules (docs/warn.md; tests/warn/test_warn_cli.sh on a hand-made
 * collection):
 *  D1. A record of grade g in year Y belongs to the cohort expected to
 *      graduate in T = Y + 12 - g.
 *  D2. Graduated on time (label 0): a GRADUATED_REGULAR exit in a school year
 *      <= T. Not on time (label 1): T is at most the last loaded year and the
 *      student's last spell up to T does not end in a documented transfer out
 *      (TRANSFER_OUT_OF_STATE, TRANSFER_PRIVATE, TRANSFER_HOME_SCHOOL,
 *      EMIGRATED, DECEASED: removed, as from the ACGR cohort). Otherwise
 *      unknown (-1).
 *  D3. A discipline action dated in month >= 7 of calendar year y belongs to
 *      school year y + 1, else to school year y. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warn/internal.h"

const char *const warn_race_codes[WARN_RACE_N] = {"HISPANIC", "AM_INDIAN", "ASIAN", "BLACK",
                                                  "PACIFIC_ISLANDER", "WHITE", "TWO_OR_MORE"};

static uint64_t key_of(uint32_t student, int year)
{
    return ((uint64_t)student << 16) | (uint64_t)(year & 0xffff);
}

const warn_rec *warn_data_find(const warn_data *d, uint32_t student, int year)
{
    uint32_t v;
    if (!slds_map64_get(&d->index, key_of(student, year), &v))
        return NULL;
    return &d->recs[v];
}

static warn_rec *find_rec(warn_data *d, const char *student_id, int year)
{
    if (!student_id)
        return NULL;
    uint32_t s = slds_intern_find(&d->students, student_id, strlen(student_id));
    if (s == SLDS_NO_ID)
        return NULL;
    return (warn_rec *)warn_data_find(d, s, year);
}

const char *warn_school_lea(const warn_data *d, uint32_t school)
{
    if (school == SLDS_NO_ID || school >= d->n_school_lea || d->school_lea[school] == SLDS_NO_ID)
        return NULL;
    return slds_intern_str(&d->leas, d->school_lea[school]);
}

void warn_data_free(warn_data *d)
{
    slds_intern_free(&d->students);
    slds_intern_free(&d->schools);
    slds_intern_free(&d->leas);
    slds_map64_free(&d->index);
    free(d->school_lea);
    free(d->recs);
    memset(d, 0, sizeof *d);
}

static int grade_of(const char *g)
{
    if (!g || !strcmp(g, "PK") || !strcmp(g, "KG"))
        return g && !strcmp(g, "KG") ? 0 : -1;
    return atoi(g);
}

static bool removed_code(const char *code)
{
    static const char *const removed[] = {"TRANSFER_OUT_OF_STATE", "TRANSFER_PRIVATE", "TRANSFER_HOME_SCHOOL",
                                          "EMIGRATED", "DECEASED"};
    for (size_t k = 0; k < sizeof removed / sizeof removed[0]; k++)
        if (!strcmp(code, removed[k]))
            return true;
    return false;
}

static uint8_t yes_no(const char *v)
{
    return !v ? WARN_UNKNOWN : !strcmp(v, "Y") ? 1 : !strcmp(v, "N") ? 0 : WARN_UNKNOWN;
}

/* Enrollments: one record per student-year of grades 6-12 (the year's last
 * spell gives grade and school), grade repetition, graduation year. */
static int load_enrollments(slds_store *s, warn_data *d, int16_t **grad_out, slds_error *err)
{
    slds_cursor cur;
    if (slds_cursor_open(&cur, s,
                         "SELECT student_id, school_id, school_year, grade_level, exit_code FROM enrollments"
                         " ORDER BY student_id, school_year, entry_date",
                         err))
        return err->code;
    int16_t *grad = NULL;
    size_t grad_cap = 0;
    int r, rc = SLDS_OK;
    uint32_t prev_student = SLDS_NO_ID;
    int prev_year = 0, prev_grade = -99;
    bool retained = false;
    d->first_year = 9999;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        const char *sid = slds_cursor_text(&cur, 0), *school = slds_cursor_text(&cur, 1);
        int year = (int)slds_cursor_int(&cur, 2);
        int grade = grade_of(slds_cursor_text(&cur, 3));
        const char *exit = slds_cursor_text(&cur, 4);
        uint32_t st = slds_intern_add(&d->students, sid, strlen(sid));
        uint32_t sc = slds_intern_add(&d->schools, school, strlen(school));
        if (st == SLDS_NO_ID || sc == SLDS_NO_ID) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
            break;
        }
        if (st >= grad_cap) {
            size_t cap = grad_cap ? grad_cap * 2 : 4096;
            while (cap <= st)
                cap *= 2;
            int16_t *g = realloc(grad, cap * sizeof *g);
            if (!g) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
                break;
            }
            for (size_t k = grad_cap; k < cap; k++)
                g[k] = 0;
            grad = g;
            grad_cap = cap;
        }
        if (exit && !strcmp(exit, "GRADUATED_REGULAR") && (!grad[st] || year < grad[st]))
            grad[st] = (int16_t)year;
        d->first_year = year < d->first_year ? year : d->first_year;
        d->last_year = year > d->last_year ? year : d->last_year;
        if (st != prev_student) {
            retained = false;
            prev_grade = -99;
            prev_year = 0;
        }
        if (year != prev_year && prev_year == year - 1 && grade == prev_grade)
            retained = true;
        if (year != prev_year) {
            prev_grade = grade;
            prev_year = year;
        }
        prev_student = st;
        if (grade < 6 || grade > 12)
            continue;
        uint32_t idx;
        warn_rec *rec;
        if (slds_map64_get(&d->index, key_of(st, year), &idx)) {
            rec = &d->recs[idx]; /* a later spell of the same year: it decides grade and school */
        } else {
            if (d->n == d->cap) {
                size_t cap = d->cap ? d->cap * 2 : 4096;
                warn_rec *v = realloc(d->recs, cap * sizeof *v);
                if (!v) {
                    rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
                    break;
                }
                d->recs = v;
                d->cap = cap;
            }
            rec = &d->recs[d->n];
            memset(rec, 0, sizeof *rec);
            rec->student = st;
            rec->year = year;
            rec->abc.days_enrolled = rec->abc.days_absent = NAN;
            rec->race = rec->econ = rec->disability = rec->el = rec->sex = WARN_UNKNOWN;
            if (!slds_map64_put(&d->index, key_of(st, year), (uint32_t)d->n)) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
                break;
            }
            d->n++;
        }
        rec->school = sc;
        rec->abc.grade = grade;
        rec->retained = retained;
        snprintf(rec->last_exit, sizeof rec->last_exit, "%s", exit ? exit : "");
    }
    slds_cursor_close(&cur);
    if (r < 0)
        rc = err->code;
    if (rc) {
        free(grad);
        return rc;
    }
    *grad_out = grad;
    return SLDS_OK;
}

static int load_schools(slds_store *s, warn_data *d, slds_error *err)
{
    d->n_school_lea = d->schools.count;
    d->school_lea = malloc((d->n_school_lea ? d->n_school_lea : 1) * sizeof *d->school_lea);
    if (!d->school_lea)
        return slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
    for (size_t k = 0; k < d->n_school_lea; k++)
        d->school_lea[k] = SLDS_NO_ID;
    slds_cursor cur;
    if (slds_cursor_open(&cur, s, "SELECT school_id, lea_id FROM schools", err))
        return err->code;
    int r;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        const char *school = slds_cursor_text(&cur, 0), *lea = slds_cursor_text(&cur, 1);
        uint32_t sc = slds_intern_find(&d->schools, school, strlen(school));
        if (sc == SLDS_NO_ID || !lea)
            continue;
        d->school_lea[sc] = slds_intern_add(&d->leas, lea, strlen(lea));
    }
    slds_cursor_close(&cur);
    return r < 0 ? err->code : SLDS_OK;
}

static int load_attendance(slds_store *s, warn_data *d, slds_error *err)
{
    slds_cursor cur;
    if (slds_cursor_open(&cur, s,
                         "SELECT student_id, school_year, SUM(days_enrolled), SUM(days_present) FROM attendance"
                         " GROUP BY student_id, school_year",
                         err))
        return err->code;
    int r;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        warn_rec *rec = find_rec(d, slds_cursor_text(&cur, 0), (int)slds_cursor_int(&cur, 1));
        if (!rec)
            continue;
        double enrolled = slds_cursor_double(&cur, 2), present = slds_cursor_double(&cur, 3);
        rec->abc.days_enrolled = enrolled;
        rec->abc.days_absent = enrolled - present < 0 ? 0 : enrolled - present;
    }
    slds_cursor_close(&cur);
    return r < 0 ? err->code : SLDS_OK;
}

static int load_discipline(slds_store *s, const slds_warn_config *c, warn_data *d, slds_error *err)
{
    slds_cursor cur;
    if (slds_cursor_open(&cur, s, "SELECT student_id, action_date, action, days FROM discipline", err))
        return err->code;
    int r;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        const char *date = slds_cursor_text(&cur, 1), *action = slds_cursor_text(&cur, 2);
        if (!date || !action || strlen(date) < 7)
            continue;
        int y = atoi(date), m = atoi(date + 5);
        warn_rec *rec = find_rec(d, slds_cursor_text(&cur, 0), m >= 7 ? y + 1 : y);
        if (!rec)
            continue;
        bool in_school = !strcmp(action, "IN_SCHOOL_SUSPENSION");
        if (in_school && !c->count_in_school)
            continue;
        rec->abc.suspensions++;
        rec->abc.out_of_school += !in_school;
        rec->abc.suspension_days += slds_cursor_is_null(&cur, 3) ? 0 : slds_cursor_double(&cur, 3);
    }
    slds_cursor_close(&cur);
    return r < 0 ? err->code : SLDS_OK;
}

static bool is_ela(const char *s)
{
    return !strcmp(s, "ELA") || !strcmp(s, "ENGLISH") || !strcmp(s, "READING");
}
static bool is_math(const char *s)
{
    return !strcmp(s, "MATH") || !strcmp(s, "MATHEMATICS");
}
static bool is_core(const char *s)
{
    return is_ela(s) || is_math(s) || !strcmp(s, "SCIENCE") || !strcmp(s, "SOCIAL_STUDIES");
}

/* Mark points: A 4, B 3, C 2, D 1, F 0 (+/- 0.3); -1 for a mark with no points (P, I, W). */
static double mark_points(const char *m)
{
    if (!m || !*m)
        return -1;
    double p;
    switch (m[0]) {
    case 'A': p = 4; break;
    case 'B': p = 3; break;
    case 'C': p = 2; break;
    case 'D': p = 1; break;
    case 'F': return 0;
    default: return -1;
    }
    if (m[1] == '+' && p < 4)
        p += 0.3;
    else if (m[1] == '-')
        p -= 0.3;
    return p;
}

static int load_courses(slds_store *s, warn_data *d, slds_error *err)
{
    slds_cursor cur;
    if (slds_cursor_open(&cur, s,
                         "SELECT student_id, school_year, term, subject, credits_attempted, credits_earned,"
                         " grade_mark FROM courses",
                         err))
        return err->code;
    int r;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        int year = (int)slds_cursor_int(&cur, 1);
        warn_rec *rec = find_rec(d, slds_cursor_text(&cur, 0), year);
        if (!rec)
            continue;
        d->last_course_year = year > d->last_course_year ? year : d->last_course_year;
        const char *term = slds_cursor_text(&cur, 2), *subject = slds_cursor_text(&cur, 3);
        const char *mark = slds_cursor_text(&cur, 6);
        double attempted = slds_cursor_is_null(&cur, 4) ? 0 : slds_cursor_double(&cur, 4);
        double earned = slds_cursor_is_null(&cur, 5) ? 0 : slds_cursor_double(&cur, 5);
        subject = subject ? subject : "";
        double pts = mark_points(mark);
        bool failed = pts == 0;
        rec->abc.credits_earned += earned;
        if (pts >= 0 && attempted > 0) {
            rec->abc.gpa_points += pts * attempted;
            rec->abc.gpa_credits += attempted;
        }
        if (failed) {
            if (is_ela(subject))
                rec->abc.f_ela++;
            else if (is_math(subject))
                rec->abc.f_math++;
            else
                rec->abc.f_other++;
            if (is_core(subject)) {
                bool year_long = (term && !strcmp(term, "YEAR")) || attempted >= 0.75;
                rec->abc.core_f_semesters += year_long ? 2 : 1;
            }
        }
    }
    slds_cursor_close(&cur);
    return r < 0 ? err->code : SLDS_OK;
}

/* STATE ELA/MATH scale scores as z-scores within subject, grade and year. */
typedef struct zgroup {
    char subject[8];
    int grade, year;
    double mean, sd;
} zgroup;

static int load_tests(slds_store *s, warn_data *d, slds_error *err)
{
    slds_cursor cur;
    if (slds_cursor_open(&cur, s,
                         "SELECT subject, grade_tested, school_year, AVG(scale_score),"
                         " AVG(scale_score * scale_score), COUNT(*) FROM assessments"
                         " WHERE test_type = 'STATE' AND scale_score IS NOT NULL AND subject IN ('ELA', 'MATH')"
                         " GROUP BY 1, 2, 3",
                         err))
        return err->code;
    zgroup *g = NULL;
    size_t ng = 0, cap = 0;
    int r, rc = SLDS_OK;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        if (ng == cap) {
            cap = cap ? 2 * cap : 64;
            zgroup *v = realloc(g, cap * sizeof *v);
            if (!v) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory");
                break;
            }
            g = v;
        }
        zgroup *z = &g[ng++];
        snprintf(z->subject, sizeof z->subject, "%s", slds_cursor_text(&cur, 0));
        z->grade = grade_of(slds_cursor_text(&cur, 1));
        z->year = (int)slds_cursor_int(&cur, 2);
        z->mean = slds_cursor_double(&cur, 3);
        double var = slds_cursor_double(&cur, 4) - z->mean * z->mean;
        z->sd = var > 0 ? sqrt(var) : 0;
    }
    slds_cursor_close(&cur);
    if (r < 0)
        rc = err->code;
    if (rc) {
        free(g);
        return rc;
    }
    if (slds_cursor_open(&cur, s,
                         "SELECT student_id, school_year, subject, grade_tested, scale_score FROM assessments"
                         " WHERE test_type = 'STATE' AND scale_score IS NOT NULL AND subject IN ('ELA', 'MATH')",
                         err)) {
        free(g);
        return err->code;
    }
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        int year = (int)slds_cursor_int(&cur, 1);
        warn_rec *rec = find_rec(d, slds_cursor_text(&cur, 0), year);
        if (!rec)
            continue;
        const char *subject = slds_cursor_text(&cur, 2);
        int grade = grade_of(slds_cursor_text(&cur, 3));
        for (size_t k = 0; k < ng; k++) {
            if (g[k].year != year || g[k].grade != grade || strcmp(g[k].subject, subject) || !(g[k].sd > 0))
                continue;
            double z = (slds_cursor_double(&cur, 4) - g[k].mean) / g[k].sd;
            /* running mean over the year's subjects: has_test counts them */
            rec->test_z = rec->has_test ? 0.5 * (rec->test_z + z) : z;
            rec->has_test = true;
            break;
        }
    }
    slds_cursor_close(&cur);
    free(g);
    return r < 0 ? err->code : SLDS_OK;
}

static int load_attributes(slds_store *s, warn_data *d, slds_error *err)
{
    slds_cursor cur;
    if (slds_cursor_open(&cur, s,
                         "SELECT a.student_id, a.school_year, a.race_ethnicity, a.econ_disadvantaged, a.disability,"
                         " a.english_learner, st.sex FROM student_attributes a"
                         " LEFT JOIN students st ON st.student_id = a.student_id",
                         err))
        return err->code;
    int r;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        warn_rec *rec = find_rec(d, slds_cursor_text(&cur, 0), (int)slds_cursor_int(&cur, 1));
        if (!rec)
            continue;
        const char *race = slds_cursor_text(&cur, 2), *sex = slds_cursor_text(&cur, 6);
        for (int k = 0; race && k < WARN_RACE_N; k++)
            if (!strcmp(race, warn_race_codes[k]))
                rec->race = (uint8_t)k;
        rec->econ = yes_no(slds_cursor_text(&cur, 3));
        rec->disability = yes_no(slds_cursor_text(&cur, 4));
        rec->el = yes_no(slds_cursor_text(&cur, 5));
        rec->sex = !sex ? WARN_UNKNOWN : !strcmp(sex, "F") ? 0 : !strcmp(sex, "M") ? 1 : WARN_UNKNOWN;
    }
    slds_cursor_close(&cur);
    return r < 0 ? err->code : SLDS_OK;
}

/* History carried along each student's records (in year order), and labels. */
static void finish(warn_data *d, const int16_t *grad)
{
    for (size_t i = 0; i < d->n;) {
        size_t j = i;
        while (j < d->n && d->recs[j].student == d->recs[i].student)
            j++;
        double cum = 0;
        int hs_years = 0;
        bool has_test = false;
        double z = 0;
        for (size_t k = i; k < j; k++) {
            warn_rec *r = &d->recs[k];
            if (r->abc.grade >= 9 && (r->abc.gpa_credits > 0 || r->abc.credits_earned > 0)) {
                cum += r->abc.credits_earned;
                hs_years++;
            }
            r->cum_credits = cum;
            r->hs_years = hs_years;
            if (r->has_test) {
                has_test = true;
                z = r->test_z;
            }
            r->has_test = has_test;
            r->test_z = z;
            r->cohort = r->year + 12 - r->abc.grade;
            r->any_f = r->abc.gpa_credits > 0 || r->abc.credits_earned > 0
                           ? (r->abc.f_ela + r->abc.f_math + r->abc.f_other > 0)
                           : -1;
            int g = grad[r->student];
            if (g && g <= r->cohort)
                r->not_grad = 0;
            else if (r->cohort > d->last_year)
                r->not_grad = -1;
            else {
                /* the last record up to the cohort year says whether the student left */
                size_t last = k;
                while (last + 1 < j && d->recs[last + 1].year <= r->cohort)
                    last++;
                r->not_grad = removed_code(d->recs[last].last_exit) ? -1 : 1;
            }
        }
        i = j;
    }
}

int warn_data_load(slds_store *s, const slds_warn_config *c, warn_data *d, const slds_progress *progress,
                   slds_error *err)
{
    memset(d, 0, sizeof *d);
    int16_t *grad = NULL;
    int rc = load_enrollments(s, d, &grad, err);
    slds_progress_report(progress, "warn: reading", 1, 7);
    rc = rc ? rc : load_schools(s, d, err);
    rc = rc ? rc : load_attendance(s, d, err);
    slds_progress_report(progress, "warn: reading", 2, 7);
    rc = rc ? rc : load_discipline(s, c, d, err);
    slds_progress_report(progress, "warn: reading", 3, 7);
    rc = rc ? rc : load_courses(s, d, err);
    slds_progress_report(progress, "warn: reading", 4, 7);
    rc = rc ? rc : load_tests(s, d, err);
    slds_progress_report(progress, "warn: reading", 5, 7);
    rc = rc ? rc : load_attributes(s, d, err);
    slds_progress_report(progress, "warn: reading", 6, 7);
    if (!rc)
        finish(d, grad);
    free(grad);
    if (rc)
        warn_data_free(d);
    return rc;
}
