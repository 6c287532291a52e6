/* schools.c - each school's poverty and minority shares in a year and the
 * state's quartiles of them (internal_a.h: acct_schools_read), the one
 * definition the funding and equity reports share:
 *
 *  Q1. A school's students in year Y are the distinct students with an
 *      enrollment spell at it in Y; its poverty is the percent of them
 *      economically disadvantaged in Y (student_attributes of Y; no row
 *      counts as not disadvantaged), its minority share the percent of those
 *      with a recorded race/ethnicity whose race is not WHITE.
 *  Q2. The quartiles are over the schools with students in Y: with n such
 *      schools and q = ceil(n / 4), the high cut is the q-th largest share
 *      and the low cut the q-th smallest; a school at or above the high cut
 *      is in the highest quartile, at or below the low cut in the lowest, so
 *      a school exactly on a cut is in the quartile and ties at the cut are
 *      all in it (the notice's "highest quartile of schools in the State
 *      with respect to poverty level", ESEA 1111(h)(1)(C)(viii)).
 *  Q3. A district's students in Y are the distinct students enrolled in any
 *      of its schools (a student who moves between two schools of the
 *      district counts once).
 *
 * One pass over enrollments and student_attributes of Y, both read in
 * student-id order (their primary keys), merged here: no join, no sort. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "account/internal_a.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

acct_school *acct_schools_find(const acct_schools *v, const char *id)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->v[mid].id, id);
        if (!c)
            return &v->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

acct_lea *acct_leas_find(const acct_schools *v, const char *id)
{
    for (size_t lo = 0, hi = v->nleas; lo < hi;) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->leas[mid].id, id);
        if (!c)
            return &v->leas[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void acct_schools_free(acct_schools *v)
{
    free(v->v);
    free(v->leas);
    *v = (acct_schools){0};
}

static int nomem(slds_error *err)
{
    return slds_fail(err, SLDS_ERR_NOMEM, "account: out of memory reading schools");
}

static int read_registry(slds_store *s, acct_schools *v, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s,
                              "SELECT s.school_id, s.lea_id, s.school_level, s.title1 FROM schools s"
                              " ORDER BY s.school_id",
                              err);
    if (rc)
        return rc;
    size_t cap = 0;
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (v->n == cap) {
            cap = cap ? 2 * cap : 256;
            acct_school *p = realloc(v->v, cap * sizeof *p);
            if (!p) {
                slds_cursor_close(&c);
                return nomem(err);
            }
            v->v = p;
        }
        acct_school *x = &v->v[v->n++];
        memset(x, 0, sizeof *x);
        const char *t;
        snprintf(x->id, sizeof x->id, "%s", (t = slds_cursor_text(&c, 0)) ? t : "");
        snprintf(x->lea, sizeof x->lea, "%s", (t = slds_cursor_text(&c, 1)) ? t : "");
        snprintf(x->level, sizeof x->level, "%s", (t = slds_cursor_text(&c, 2)) ? t : "");
        x->title1 = (t = slds_cursor_text(&c, 3)) && !strcmp(t, "Y");
        x->poverty = x->minority = NAN;
    }
    slds_cursor_close(&c);
    if (step < 0)
        return err->code;
    /* the districts: those of leas.csv and any a school names */
    if ((rc = slds_cursor_open(&c, s,
                               "SELECT lea_id, children_in_poverty, children_served FROM leas"
                               " UNION ALL SELECT DISTINCT lea_id, NULL, NULL FROM schools"
                               " WHERE lea_id NOT IN (SELECT lea_id FROM leas) ORDER BY 1",
                               err)))
        return rc;
    cap = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (v->nleas == cap) {
            cap = cap ? 2 * cap : 64;
            acct_lea *p = realloc(v->leas, cap * sizeof *p);
            if (!p) {
                slds_cursor_close(&c);
                return nomem(err);
            }
            v->leas = p;
        }
        acct_lea *l = &v->leas[v->nleas++];
        memset(l, 0, sizeof *l);
        const char *t = slds_cursor_text(&c, 0);
        snprintf(l->id, sizeof l->id, "%s", t ? t : "");
        l->children_in_poverty = slds_cursor_is_null(&c, 1) ? -1 : slds_cursor_int(&c, 1);
        l->children_served = slds_cursor_is_null(&c, 2) ? -1 : slds_cursor_int(&c, 2);
    }
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

/* Q1, Q3: the merge pass over the year's enrollments and attributes. */
static int count_students(slds_store *s, int year, acct_schools *v, slds_error *err)
{
    slds_intern ids = {0};
    size_t *school_of = malloc((v->n ? v->n : 1) * sizeof *school_of);
    size_t *lea_of = malloc((v->n ? v->n : 1) * sizeof *lea_of);
    if (!school_of || !lea_of) {
        free(school_of);
        free(lea_of);
        return nomem(err);
    }
    for (size_t i = 0; i < v->n; i++) {
        uint32_t id = slds_intern_add(&ids, v->v[i].id, strlen(v->v[i].id));
        if (id == SLDS_NO_ID) {
            free(school_of);
            free(lea_of);
            slds_intern_free(&ids);
            return nomem(err);
        }
        school_of[id] = i;
        acct_lea *l = acct_leas_find(v, v->v[i].lea);
        lea_of[i] = l ? (size_t)(l - v->leas) : SIZE_MAX;
    }
    slds_cursor e, a;
    int rc = slds_cursor_open(&e, s,
                              "SELECT student_id, school_id FROM enrollments WHERE school_year = ?1"
                              " ORDER BY student_id",
                              err);
    if (!rc && (rc = slds_cursor_open(&a, s,
                                      "SELECT student_id, econ_disadvantaged, race_ethnicity"
                                      " FROM student_attributes WHERE school_year = ?1"
                                      " ORDER BY student_id",
                                      err)))
        slds_cursor_close(&e);
    if (rc) {
        free(school_of);
        free(lea_of);
        slds_intern_free(&ids);
        return rc;
    }
    slds_cursor_bind_int(&e, 1, year);
    slds_cursor_bind_int(&a, 1, year);
    int se = slds_cursor_step(&e, err), sa = se < 0 ? -1 : slds_cursor_step(&a, err);
    char student[128];
    while (se == 1 && sa >= 0) {
        snprintf(student, sizeof student, "%s", slds_cursor_text(&e, 0));
        /* the student's attributes of the year (at most one row: the key) */
        int cmp = -1;
        while (sa == 1 && (cmp = strcmp(slds_cursor_text(&a, 0), student)) < 0)
            sa = slds_cursor_step(&a, err);
        bool poor = false, race_known = false, minority = false;
        if (sa == 1 && cmp == 0) {
            const char *econ = slds_cursor_text(&a, 1), *race = slds_cursor_text(&a, 2);
            poor = econ && !strcmp(econ, "Y");
            race_known = race && *race;
            minority = race_known && strcmp(race, "WHITE");
        }
        /* the student's schools and districts (spells in school order: the key) */
        size_t seen_leas[8], nseen = 0, last_school = SIZE_MAX;
        while (se == 1 && !strcmp(slds_cursor_text(&e, 0), student)) {
            const char *sid = slds_cursor_text(&e, 1);
            uint32_t id = sid ? slds_intern_find(&ids, sid, strlen(sid)) : SLDS_NO_ID;
            if (id != SLDS_NO_ID && school_of[id] != last_school) {
                size_t i = last_school = school_of[id];
                acct_school *x = &v->v[i];
                x->enrolled++;
                x->poor += poor;
                x->with_race += race_known;
                x->minority_n += minority;
                bool dup = false;
                for (size_t k = 0; k < nseen; k++)
                    dup = dup || seen_leas[k] == lea_of[i];
                if (!dup && lea_of[i] != SIZE_MAX) {
                    acct_lea *l = &v->leas[lea_of[i]];
                    l->enrolled++;
                    l->poor += poor;
                    if (nseen < 8)
                        seen_leas[nseen++] = lea_of[i];
                }
            }
            se = slds_cursor_step(&e, err);
        }
    }
    slds_cursor_close(&e);
    slds_cursor_close(&a);
    free(school_of);
    free(lea_of);
    slds_intern_free(&ids);
    return se < 0 || sa < 0 ? err->code : SLDS_OK;
}

/* Q2 for one share: the cuts and the flags. */
static int quartiles(acct_schools *v, bool poverty, slds_error *err)
{
    double *x = malloc((v->n ? v->n : 1) * sizeof *x);
    if (!x)
        return nomem(err);
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++) {
        double share = poverty ? v->v[i].poverty : v->v[i].minority;
        if (!isnan(share))
            x[n++] = share;
    }
    qsort(x, n, sizeof *x, cmp_double);
    size_t q = (n + 3) / 4;
    double hi = n ? x[n - q] : NAN, lo = n ? x[q - 1] : NAN;
    free(x);
    for (size_t i = 0; i < v->n; i++) {
        acct_school *s = &v->v[i];
        double share = poverty ? s->poverty : s->minority;
        bool h = !isnan(share) && share >= hi, l = !isnan(share) && share <= lo;
        if (poverty) {
            s->high_poverty = h;
            s->low_poverty = l;
        } else {
            s->high_minority = h;
            s->low_minority = l;
        }
    }
    if (poverty) {
        v->poverty_high_cut = hi;
        v->poverty_low_cut = lo;
        v->ranked = n;
    } else {
        v->minority_high_cut = hi;
        v->minority_low_cut = lo;
    }
    return SLDS_OK;
}

int acct_schools_read(slds_store *s, int year, acct_schools *v, slds_error *err)
{
    *v = (acct_schools){.year = year};
    int rc = read_registry(s, v, err);
    rc = rc ? rc : count_students(s, year, v, err);
    if (!rc) {
        for (size_t i = 0; i < v->n; i++) {
            acct_school *x = &v->v[i];
            x->poverty = acct_pct(x->poor, x->enrolled);
            x->minority = acct_pct(x->minority_n, x->with_race);
        }
        rc = quartiles(v, true, err);
        rc = rc ? rc : quartiles(v, false, err);
    }
    if (rc)
        acct_schools_free(v);
    return rc;
}
