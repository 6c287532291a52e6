/* educator.c - `educators run`: the value-added model of every subject of a
 * year from the score panel, the growth percentiles and grade-level gains of
 * each teacher's students, stored in educator_results (educator.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "educator/educator.h"
#include "growthrun/growthrun.h"
#include "panel/panel.h"
#include "stats/stats.h"

enum { MAX_GRADES = 16 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void slds_educator_options_default(slds_educator_options *o)
{
    memset(o, 0, sizeof *o);
    o->min_students = 10;
    o->min_fte = 5;
    o->reliability = 0.9;
}

/* SGP and grade levels gained of every panel student, per subject (NaN: none). */
typedef struct growth_ctx {
    const slds_panel *p;
    double *sgp[SLDS_PANEL_MAX_SUBJECTS], *levels[SLDS_PANEL_MAX_SUBJECTS];
} growth_ctx;

static int on_growth(void *vctx, const slds_growth_student_row *r)
{
    growth_ctx *g = vctx;
    int s = slds_panel_subject_index(g->p, r->subject);
    uint32_t i = slds_panel_find(g->p, r->student_id);
    if (s < 0 || i == SLDS_NO_ID)
        return 0;
    g->sgp[s][i] = r->sgp > 0 ? r->sgp : NAN;
    g->levels[s][i] = r->grade_levels_gained;
    return 0;
}

/* One (teacher, student) link of the year and subject. */
typedef struct link_row {
    uint32_t staff;   /* panel staff id */
    uint32_t group;   /* the teacher's group in the subject's model */
    uint32_t student;
    int subject;
    int in_model;     /* a prior score: a row of the value-added model */
    int over;         /* the student's dosages in the subject sum above 1 */
    int has_prior;    /* a same-subject score the year before */
    double dosage, sgp, levels, ach;
} link_row;

static int by_staff_subject(const void *a, const void *b)
{
    const link_row *x = a, *y = b;
    if (x->staff != y->staff)
        return (x->staff > y->staff) - (x->staff < y->staff);
    return (x->subject > y->subject) - (x->subject < y->subject);
}

typedef struct wv {
    double v, w;
} wv;

static int by_value(const void *a, const void *b)
{
    const wv *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

/* Weighted median: the smallest value whose cumulative weight reaches half the
 * total; the mean of it and the next when the half is reached exactly. */
static double weighted_median(wv *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, by_value);
    double total = 0, cum = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].w;
    for (size_t i = 0; i < n; i++) {
        cum += v[i].w;
        if (fabs(cum - total / 2) <= 1e-12 * total && i + 1 < n)
            return (v[i].v + v[i + 1].v) / 2;
        if (cum >= total / 2)
            return v[i].v;
    }
    return v[n - 1].v;
}

static void bind_num(slds_cursor *c, int idx, double v)
{
    if (isfinite(v))
        slds_cursor_bind_double(c, idx, v);
    else
        slds_cursor_bind_null(c, idx);
}

typedef struct teacher_out {
    double n, fte, est, se, raw, vsd, mean_sgp, median_sgp, lo, hi, share1, share15, ach;
    size_t over;
    int reported; /* at or above the minimum of students and FTE */
    char note[200];
} teacher_out;

/* Everything a run gathers before it writes. */
typedef struct run_acc {
    link_row *rows;
    size_t n_rows, cap_rows;
    uint32_t n_staff;
    /* per subject, per panel staff id: the model's estimate, its SE, the
       unshrunken estimate and the estimate in SDs of the subject's estimates */
    double *est[SLDS_PANEL_MAX_SUBJECTS], *se[SLDS_PANEL_MAX_SUBJECTS],
        *raw[SLDS_PANEL_MAX_SUBJECTS], *vsd[SLDS_PANEL_MAX_SUBJECTS];
    /* principals: every tested student of a school (staff = the school's
       place id, dosage 1), and the school model's estimates per place id */
    link_row *srows;
    size_t n_srows, cap_srows;
    double *sest[SLDS_PANEL_MAX_SUBJECTS], *sse[SLDS_PANEL_MAX_SUBJECTS],
        *sraw[SLDS_PANEL_MAX_SUBJECTS], *svsd[SLDS_PANEL_MAX_SUBJECTS];
} run_acc;

/* The measures of one teacher's links r[0..n) (one subject, or all). */
static void teacher_measures(const link_row *r, size_t n, double est, double se, double raw,
                             double vsd, const slds_educator_options *o, wv *scratch,
                             teacher_out *t)
{
    memset(t, 0, sizeof *t);
    double sw = 0, swx = 0, sww = 0, swxx = 0, gw = 0, g1 = 0, g15 = 0, aw = 0, ax = 0;
    size_t ns = 0;
    double n_prior = 0, fte_prior = 0;
    for (size_t k = 0; k < n; k++) {
        if (r[k].in_model) {
            t->n += 1;
            t->fte += r[k].dosage;
            if (r[k].has_prior) {
                n_prior += 1;
                fte_prior += r[k].dosage;
            }
        }
        t->over += (size_t)r[k].over;
        if (isfinite(r[k].sgp)) {
            double w = r[k].dosage;
            sw += w;
            swx += w * r[k].sgp;
            swxx += w * r[k].sgp * r[k].sgp;
            sww += w * w;
            scratch[ns].v = r[k].sgp;
            scratch[ns].w = w;
            ns++;
        }
        if (isfinite(r[k].levels)) {
            gw += r[k].dosage;
            g1 += r[k].dosage * (r[k].levels >= 1);
            g15 += r[k].dosage * (r[k].levels >= 1.5);
        }
        if (isfinite(r[k].ach)) {
            aw += r[k].dosage;
            ax += r[k].dosage * r[k].ach;
        }
    }
    t->est = est;
    t->se = se;
    t->raw = raw;
    t->vsd = vsd;
    t->ach = aw > 0 ? ax / aw : NAN;
    t->mean_sgp = sw > 0 ? swx / sw : NAN;
    t->median_sgp = weighted_median(scratch, ns);
    /* 95% interval of the weighted mean: Kish's effective n */
    double neff = sww > 0 ? sw * sw / sww : 0;
    if (neff > 1) {
        double var = (swxx / sw - t->mean_sgp * t->mean_sgp) * neff / (neff - 1);
        double half = 1.959963984540054 * sqrt(var > 0 ? var : 0) / sqrt(neff);
        t->lo = t->mean_sgp - half;
        t->hi = t->mean_sgp + half;
    } else {
        t->lo = t->hi = NAN;
    }
    t->share1 = gw > 0 ? g1 / gw : NAN;
    t->share15 = gw > 0 ? g15 / gw : NAN;
    if (t->n == 0) /* linked students, none with a prior: outside the model */
        t->est = t->se = t->raw = t->vsd = NAN;
    t->reported = !(t->n < o->min_students || t->fte < o->min_fte);
    if (!t->reported) {
        snprintf(t->note, sizeof t->note,
                 "students %g, full-year equivalent %.2f: below the minimum of %g students "
                 "and %g full-year equivalent, no growth measure reported",
                 t->n, t->fte, o->min_students, o->min_fte);
        t->est = t->se = t->raw = t->vsd = t->mean_sgp = t->median_sgp = t->lo = t->hi = NAN;
        t->share1 = t->share15 = NAN;
    } else if (isfinite(t->est) && (n_prior < o->min_students || fte_prior < o->min_fte)) {
        /* the full model keeps students without the same-subject prior; a
           teacher with too few students who have one has an estimate of
           status more than of growth */
        snprintf(t->note, sizeof t->note,
                 "students with a prior score %g, full-year equivalent %.2f: below the minimum "
                 "of %g and %g, no value-added reported (the other growth measures are)",
                 n_prior, fte_prior, o->min_students, o->min_fte);
        t->est = t->se = t->raw = t->vsd = NAN;
    }
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Within-grade percentile ranks (mid-rank, 0..100) of every Y score of s. */
static int achievement_ranks(const slds_panel *p, int s, int Y, double *ach, slds_error *err)
{
    size_t N = slds_panel_students(p);
    double *v = malloc(sizeof(double) * (N ? N : 1));
    if (!v)
        return slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
    for (size_t i = 0; i < N; i++)
        ach[i] = NAN;
    for (int g = 0; g < SLDS_PANEL_MAX_GRADE; g++) {
        if (slds_panel_count(p, s, Y, g) == 0)
            continue;
        size_t m = 0;
        for (size_t i = 0; i < N; i++)
            if (slds_panel_grade(p, s, Y, i) == g && isfinite(slds_panel_score(p, s, Y, i)))
                v[m++] = slds_panel_score(p, s, Y, i);
        qsort(v, m, sizeof *v, by_double); /* tens of thousands: not the small sort */
        for (size_t i = 0; i < N; i++) {
            if (slds_panel_grade(p, s, Y, i) != g)
                continue;
            double x = slds_panel_score(p, s, Y, i);
            if (!isfinite(x))
                continue;
            size_t lo = 0, hi = m;
            while (lo < hi) { /* first >= x */
                size_t mid = (lo + hi) / 2;
                if (v[mid] < x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            size_t a = lo;
            hi = m;
            while (lo < hi) { /* first > x */
                size_t mid = (lo + hi) / 2;
                if (v[mid] <= x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            ach[i] = 100.0 * ((double)a + 0.5 * (double)(lo - a)) / (double)m;
        }
    }
    free(v);
    return SLDS_OK;
}

/* Conditional standard errors of measurement: per subject and grade, the
 * CSEM at scale scores (sorted), interpolated linearly between them and
 * constant beyond (the SGP package's SGPstateData CSEM tables, e.g.
 * ../shared/data/sgp/SGPstateData_DEMO_CSEM.csv: GRADE, CONTENT_AREA,
 * SCALE_SCORE, SCALE_SCORE_CSEM). */
typedef struct csem_curve {
    int subject, grade;
    size_t n;
    double *score, *csem;
} csem_curve;

typedef struct csem_table {
    size_t n;
    csem_curve *c;
} csem_table;

static void csem_free(csem_table *t)
{
    for (size_t k = 0; k < t->n; k++) {
        free(t->c[k].score);
        free(t->c[k].csem);
    }
    free(t->c);
    memset(t, 0, sizeof *t);
}

/* The CSEM of score x of subject s in grade g (the nearest grade of the
 * subject when g has none); NaN when the subject has no curve. */
static double csem_at(const csem_table *t, int s, int g, double x)
{
    const csem_curve *best = NULL;
    for (size_t k = 0; k < t->n; k++)
        if (t->c[k].subject == s &&
            (!best || abs(t->c[k].grade - g) < abs(best->grade - g)))
            best = &t->c[k];
    if (!best || best->n == 0 || !isfinite(x))
        return NAN;
    if (x <= best->score[0])
        return best->csem[0];
    for (size_t k = 1; k < best->n; k++)
        if (x <= best->score[k]) {
            double f = (x - best->score[k - 1]) / (best->score[k] - best->score[k - 1]);
            return best->csem[k - 1] + f * (best->csem[k] - best->csem[k - 1]);
        }
    return best->csem[best->n - 1];
}

/* Reads a CSEM CSV (header GRADE, CONTENT_AREA, SCALE_SCORE, SCALE_SCORE_CSEM
 * in any order); CONTENT_AREA is matched to the panel's subjects by name,
 * rows of other subjects are skipped. */
static int csem_load(const char *path, const slds_panel *p, csem_table *t, slds_error *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "educators: cannot read the CSEM table %s", path);
    char line[512];
    int col[4] = {-1, -1, -1, -1}, rc = SLDS_OK;
    static const char *const names[4] = {"GRADE", "CONTENT_AREA", "SCALE_SCORE", "SCALE_SCORE_CSEM"};
    size_t lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        char *fld[16];
        int nf = 0;
        for (char *q = line; nf < 16;) {
            fld[nf++] = q;
            char *comma = strchr(q, ',');
            if (!comma)
                break;
            *comma = 0;
            q = comma + 1;
        }
        for (int k = 0; k < nf; k++) { /* strip quotes */
            size_t L = strlen(fld[k]);
            if (L >= 2 && fld[k][0] == '"' && fld[k][L - 1] == '"') {
                fld[k][L - 1] = 0;
                fld[k]++;
            }
        }
        if (lineno == 1) {
            for (int k = 0; k < nf; k++)
                for (int c = 0; c < 4; c++)
                    if (!strcmp(fld[k], names[c]))
                        col[c] = k;
            if (col[0] < 0 || col[1] < 0 || col[2] < 0 || col[3] < 0) {
                rc = slds_fail(err, SLDS_ERR_DATA,
                               "%s: line 1: the header needs GRADE, CONTENT_AREA, SCALE_SCORE and "
                               "SCALE_SCORE_CSEM", path);
                break;
            }
            continue;
        }
        if (nf <= col[0] || nf <= col[1] || nf <= col[2] || nf <= col[3])
            continue;
        int s = slds_panel_subject_index(p, fld[col[1]]);
        if (s < 0)
            continue;
        char *e1, *e2, *e3;
        long g = strtol(fld[col[0]], &e1, 10);
        double x = strtod(fld[col[2]], &e2), se = strtod(fld[col[3]], &e3);
        if (*e1 || *e2 || *e3 || !isfinite(x) || !(se > 0)) {
            rc = slds_fail(err, SLDS_ERR_DATA,
                           "%s: line %zu: GRADE '%s', SCALE_SCORE '%s', SCALE_SCORE_CSEM '%s': "
                           "numbers expected (a CSEM above 0)",
                           path, lineno, fld[col[0]], fld[col[2]], fld[col[3]]);
            break;
        }
        csem_curve *c = NULL;
        for (size_t k = 0; k < t->n; k++)
            if (t->c[k].subject == s && t->c[k].grade == (int)g)
                c = &t->c[k];
        if (!c) {
            csem_curve *nc = realloc(t->c, (t->n + 1) * sizeof *nc);
            if (!nc) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
                break;
            }
            t->c = nc;
            c = &t->c[t->n++];
            memset(c, 0, sizeof *c);
            c->subject = s;
            c->grade = (int)g;
        }
        double *ns = realloc(c->score, (c->n + 1) * sizeof(double));
        if (ns)
            c->score = ns;
        double *nv = realloc(c->csem, (c->n + 1) * sizeof(double));
        if (nv)
            c->csem = nv;
        if (!ns || !nv) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
            break;
        }
        size_t k = c->n++; /* insertion in score order */
        while (k > 0 && c->score[k - 1] > x) {
            c->score[k] = c->score[k - 1];
            c->csem[k] = c->csem[k - 1];
            k--;
        }
        c->score[k] = x;
        c->csem[k] = se;
    }
    fclose(f);
    if (!rc && t->n == 0)
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: no row of a subject of the data", path);
    if (rc)
        csem_free(t);
    return rc;
}

/* The design of one subject: grades and the standardization of z. */
typedef struct design {
    const slds_panel *p;
    int s, Y, n_grades;
    int full;           /* the fuller model: two-year and other-subject priors, missing
                           indicators, measurement-error correction */
    double rel;         /* reliability of a prior score (full model) */
    const csem_table *csem; /* or NULL: the error variance of a prior from its CSEM */
    int class_means, school_means; /* full model: the peers' mean prior */
    int pattern_weights; /* full model: weights by the pattern of missing priors */
    int other;          /* the other subject's index, -1 when none */
    double zmean[MAX_GRADES], zsd[MAX_GRADES];
    double z2mean[MAX_GRADES], z2sd[MAX_GRADES], zomean[MAX_GRADES], zosd[MAX_GRADES];
    int zslot[SLDS_PANEL_MAX_GRADE];
    int grade_of[MAX_GRADES]; /* the grade of each slot, increasing */
} design;

/* Appends one line to the run's notes (dropped when they are full). */
static void add_note(slds_educator_summary *sum, const char *line)
{
    size_t used = strlen(sum->notes);
    if (used + strlen(line) + 2 < sizeof sum->notes)
        snprintf(sum->notes + used, sizeof sum->notes - used, "%s\n", line);
}

/* The name of column c of a subject's design (as R would name it). */
static void column_name(const design *d, int c, char *out, size_t size)
{
    int G = d->n_grades, base = 3 * G + 3;
    static const char *const flags[3] = {"frl", "ell", "iep"};
    static const char *const full[7] = {"prior missing", "z two years back",
                                        "two years back missing", "other subject's z",
                                        "other subject's prior missing", "class mean z",
                                        "school mean z"};
    if (c == 0)
        snprintf(out, size, "(Intercept)");
    else if (c < G)
        snprintf(out, size, "grade %d", d->grade_of[c]);
    else if (c < 2 * G)
        snprintf(out, size, "grade %d:z", d->grade_of[c - G]);
    else if (c < 3 * G)
        snprintf(out, size, "grade %d:z^2", d->grade_of[c - 2 * G]);
    else if (c < base)
        snprintf(out, size, "%s", flags[c - 3 * G]);
    else
        snprintf(out, size, "%s", full[c - base]);
}

static int zslot_ok(const design *d, int grade)
{
    return grade >= 0 && grade < SLDS_PANEL_MAX_GRADE && d->zslot[grade] >= 0;
}

/* Fits the lme4 preset's model on the in-model rows of rows[0..n_rows)
 * (groups 0..n_groups-1, group g is owner[g]) and stores each group's
 * estimate, SE, unshrunken estimate and estimate in SDs at its owner. */
static int fit_rows(const design *d, const link_row *rows, size_t n_rows, uint32_t n_groups,
                    const uint32_t *gstaff, FILE *frame, double *est, double *se, double *raw,
                    double *vsd, slds_educator_summary *sum, int teachers, slds_error *err)
{
    const slds_panel *p = d->p;
    int s = d->s, Y = d->Y, n_grades = d->n_grades, rc = SLDS_OK;
    double *x = NULL, *y = NULL, *w = NULL, *me = NULL;
    uint32_t *grp = NULL;
    slds_lmm_result fit = {0};
    size_t n_model = 0;
    for (size_t k = 0; k < n_rows; k++)
        n_model += rows[k].in_model;
    int base = 1 + (n_grades - 1) + 2 * n_grades + 3;
    /* full: m1, z2, m2, zo, mo, then the class and the school mean of z */
    int pcols = base + (d->full ? 7 : 0);
    if (!(n_model > (size_t)pcols + 1 && n_groups > 1 && pcols <= SLDS_RQ_MAX_P))
        return SLDS_OK; /* too little to fit: no estimates (NaN) */
    x = calloc(n_model * (size_t)pcols, sizeof(double));
    y = malloc(n_model * sizeof(double));
    w = malloc(n_model * sizeof(double));
    grp = malloc(n_model * sizeof(uint32_t));
    int want_me = d->full && (d->rel < 1 || d->csem);
    if (want_me)
        me = calloc(n_model * (size_t)pcols, sizeof(double));
    unsigned char *pattern = d->full ? calloc(n_model, 1) : NULL; /* missing priors, bits */
    double *gz = NULL; /* per group then per school: sum w, sum w z, sum w^2 me of z */
    uint32_t *school_of = NULL;
    if (d->full && (d->class_means || d->school_means)) {
        gz = calloc(3 * ((size_t)n_groups + p->places.count + 1), sizeof(double));
        school_of = malloc(n_model * sizeof(uint32_t));
    }
    if (!x || !y || !w || !grp || (want_me && !me) || (d->full && !pattern) ||
        (d->full && (d->class_means || d->school_means) && (!gz || !school_of))) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
        goto out;
    }
    size_t m = 0;
    int nonzero[SLDS_RQ_MAX_P] = {0};
    for (size_t k = 0; k < n_rows; k++) {
        const link_row *lr = &rows[k];
        if (!lr->in_model)
            continue;
        size_t i = lr->student;
        int grade = slds_panel_grade(p, s, Y, i), gk = d->zslot[grade];
        double prior = slds_panel_prior(p, s, Y, 1, i);
        double z = isfinite(prior) ? (prior - d->zmean[gk]) / d->zsd[gk] : 0;
        double *row = x + m * (size_t)pcols;
        row[0] = 1;
        if (gk > 0)
            row[gk] = 1;
        /* the error variance of a standardized prior: its CSEM^2 / SD^2 when
           a CSEM table is given (the prior's grade taken as grade - lag),
           else 1 - reliability */
        double me1 = 1 - d->rel, me2 = 1 - d->rel, meo = 1 - d->rel;
        if (d->csem) {
            double c1 = csem_at(d->csem, s, grade - 1, prior);
            double c2 = csem_at(d->csem, s, grade - 2, slds_panel_prior(p, s, Y, 2, i));
            double co = d->other >= 0 ? csem_at(d->csem, d->other, grade - 1,
                                                slds_panel_prior(p, d->other, Y, 1, i))
                                      : NAN;
            if (isfinite(c1))
                me1 = c1 * c1 / (d->zsd[gk] * d->zsd[gk]);
            if (isfinite(c2))
                me2 = c2 * c2 / (d->z2sd[gk] * d->z2sd[gk]);
            if (isfinite(co))
                meo = co * co / (d->zosd[gk] * d->zosd[gk]);
        }
        row[n_grades + gk] = z;
        row[2 * n_grades + gk] = z * z;
        if (d->full) {
            /* a missing prior enters as 0 with its indicator, not dropped */
            double p2 = slds_panel_prior(p, s, Y, 2, i);
            double po = d->other >= 0 ? slds_panel_prior(p, d->other, Y, 1, i) : NAN;
            row[base] = !isfinite(prior);
            row[base + 1] = isfinite(p2) ? (p2 - d->z2mean[gk]) / d->z2sd[gk] : 0;
            row[base + 2] = !isfinite(p2);
            row[base + 3] = isfinite(po) ? (po - d->zomean[gk]) / d->zosd[gk] : 0;
            row[base + 4] = !isfinite(po);
            pattern[m] = (unsigned char)((!isfinite(prior) ? 1 : 0) | (!isfinite(p2) ? 2 : 0) | (!isfinite(po) ? 4 : 0));
            if (me) {
                double *e = me + m * (size_t)pcols;
                e[n_grades + gk] = isfinite(prior) ? me1 : 0;
                e[base + 1] = isfinite(p2) ? me2 : 0;
                e[base + 3] = isfinite(po) ? meo : 0;
            }
            if (gz) { /* the peers' means: filled in below, once every z is known */
                uint32_t sc = slds_panel_school_on(p, i, Y, slds_panel_test_date(p, s, Y, i));
                school_of[m] = sc < p->places.count ? sc : (uint32_t)p->places.count;
                if (isfinite(prior)) {
                    double wk = lr->dosage;
                    double *a = gz + 3 * (size_t)lr->group;
                    double *b = gz + 3 * ((size_t)n_groups + school_of[m]);
                    a[0] += wk, a[1] += wk * z, a[2] += wk * wk * me1;
                    b[0] += wk, b[1] += wk * z, b[2] += wk * wk * me1;
                }
            }
        }
        int flags[3] = {slds_panel_flag_of(p, SLDS_PANEL_ECON, Y, i),
                        slds_panel_flag_of(p, SLDS_PANEL_EL, Y, i),
                        slds_panel_flag_of(p, SLDS_PANEL_DISABILITY, Y, i)};
        for (int f = 0; f < 3; f++)
            row[3 * n_grades + f] = flags[f] == 1;
        for (int c = 0; c < pcols; c++)
            nonzero[c] |= row[c] != 0;
        y[m] = slds_panel_score(p, s, Y, i);
        w[m] = lr->dosage;
        grp[m] = lr->group;
        if (frame)
            fprintf(frame, "%s,%s,%s,%d,%.17g,%.17g,%d,%d,%d,%.17g\n", p->subjects[s]->name,
                    slds_panel_id(p, (uint32_t)i), slds_panel_staff_id(p, lr->staff), grade, z,
                    y[m], flags[0] == 1, flags[1] == 1, flags[2] == 1, w[m]);
        m++;
    }
    /* the class mean (the teacher's students in the subject, dosage-weighted)
       and the school mean of z; in the school model the class is the school:
       one column. Their measurement error is not corrected: it is shared by
       every row of a class (the correction of slds_lmm_problem.me assumes
       errors independent across rows, and applied to a class-constant column
       it over-corrects into nonsense), and its variance, about
       (1 - reliability) / students, is small. */
    for (size_t r = 0; gz && r < m; r++) {
        double *row = x + r * (size_t)pcols;
        const double *a = gz + 3 * (size_t)grp[r];
        const double *b = gz + 3 * ((size_t)n_groups + school_of[r]);
        if (d->class_means && a[0] > 0)
            row[base + 5] = a[1] / a[0];
        if (d->school_means && teachers && b[0] > 0)
            row[base + 6] = b[1] / b[0];
        if (d->school_means && !teachers && !d->class_means && a[0] > 0)
            row[base + 5] = a[1] / a[0];
    }
    for (size_t r = 0; gz && r < m; r++)
        for (int c = base + 5; c < base + 7; c++)
            nonzero[c] |= x[r * (size_t)pcols + (size_t)c] != 0;
    /* a flag nobody has is a zero column: dropped, as lm() would alias it */
    int q = 0, col[SLDS_RQ_MAX_P]; /* col[k]: the design column of kept column k */
    for (int c = 0; c < pcols; c++)
        if (nonzero[c])
            col[q++] = c;
    if (q != pcols) { /* compact every row to the kept columns, in place, front to back */
        for (size_t r = 0; r < m; r++) {
            int qq = 0;
            for (int c = 0; c < pcols; c++)
                if (nonzero[c]) {
                    x[r * (size_t)q + (size_t)qq] = x[r * (size_t)pcols + (size_t)c];
                    if (me)
                        me[r * (size_t)q + (size_t)qq] = me[r * (size_t)pcols + (size_t)c];
                    qq++;
                }
        }
    }
    if (!teachers)
        sum->school_rows += m;
    slds_lmm_problem pr = {.n = m, .p = q, .x = x, .y = y, .w = w, .g = grp, .n_groups = n_groups,
                           .me = me};
    double t0 = now_seconds();
    rc = slds_lmm_fit(&pr, NULL, &fit, err);
    if (!rc && d->full && d->pattern_weights) {
        /* Rows without a prior are predicted far less well (a missing
           same-subject prior leaves the student's whole standing in the
           residual), yet the model gives every row the same residual
           variance. Weight each pattern of missing priors by the inverse of
           its residual variance, relative to the rows with every prior, and
           refit (a two-step feasible GLS; a pattern of fewer than 50 rows
           keeps its weight). */
        double ss[8] = {0}, cnt[8] = {0};
        for (size_t r = 0; r < m; r++) {
            double fitted = fit.blup[grp[r]];
            for (int c = 0; c < q; c++)
                if (!fit.aliased[c])
                    fitted += x[r * (size_t)q + (size_t)c] * fit.beta[c];
            double e = y[r] - fitted;
            ss[pattern[r]] += w[r] * e * e;
            cnt[pattern[r]] += 1;
        }
        double ref = cnt[0] >= 50 ? ss[0] / cnt[0] : NAN;
        int changed = 0;
        for (size_t r = 0; isfinite(ref) && r < m; r++) {
            int k = pattern[r];
            if (k && cnt[k] >= 50 && ss[k] > 0) {
                w[r] *= ref / (ss[k] / cnt[k]);
                changed = 1;
            }
        }
        if (changed) {
            slds_lmm_result_free(&fit);
            rc = slds_lmm_fit(&pr, NULL, &fit, err);
        }
    }
    sum->fit_seconds += now_seconds() - t0;
    if (rc) {
        slds_error_prefix(err, "educators: %s %d: ", p->subjects[s]->name, Y);
        goto out;
    }
    if (teachers)
        sum->rows += m;
    if (fit.n_aliased > 0) { /* say which columns the fit left out, and why */
        char line[600];
        size_t used = (size_t)snprintf(line, sizeof line,
                                       "%s %d, %s model: %d column%s of the fixed-effects design "
                                       "aliased (a combination of the columns before it, e.g. a grade with "
                                       "too few students) and "
                                       "dropped, as lme4 does:",
                                       p->subjects[s]->name, Y, teachers ? "teacher" : "school",
                                       fit.n_aliased, fit.n_aliased > 1 ? "s" : "");
        for (int k = 0, first = 1; k < q && used < sizeof line; k++)
            if (fit.aliased[k]) {
                char name[48];
                column_name(d, col[k], name, sizeof name);
                used += (size_t)snprintf(line + used, sizeof line - used, "%s %s",
                                         first ? "" : ",", name);
                first = 0;
            }
        add_note(sum, line);
    }
    /* the SD of the estimates of teachers in the model, for vam_sd */
    double e1 = 0, e2 = 0, ne = 0;
    for (uint32_t g = 0; g < n_groups; g++)
        if (fit.group_n[g] > 0) {
            e1 += fit.blup[g];
            e2 += fit.blup[g] * fit.blup[g];
            ne += 1;
        }
    double esd = ne > 1 ? sqrt((e2 - e1 * e1 / ne) / (ne - 1)) : NAN;
    for (uint32_t g = 0; g < n_groups; g++) {
        uint32_t st = gstaff[g];
        if (fit.group_n[g] == 0)
            continue;
        est[st] = fit.blup[g];
        se[st] = fit.blup_se[g];
        raw[st] = fit.raw[g];
        vsd[st] = esd > 0 ? fit.blup[g] / esd : NAN;
    }
out:
    slds_lmm_result_free(&fit);
    free(pattern);
    free(gz);
    free(school_of);
    free(me);
    free(x);
    free(y);
    free(w);
    free(grp);
    return rc;
}

/* Fits subject s and gathers its links and estimates into acc. */
static int run_subject(const slds_panel *p, int s, growth_ctx *gc, const slds_educator_options *o,
                       const csem_table *csem, run_acc *acc, FILE *frame,
                       slds_educator_summary *sum, slds_error *err)
{
    int Y = o->year;
    size_t N = slds_panel_students(p);
    int rc = SLDS_OK;
    double zsum[MAX_GRADES] = {0}, zss[MAX_GRADES] = {0};
    size_t zn[MAX_GRADES] = {0};
    double z2sum[MAX_GRADES] = {0}, z2ss[MAX_GRADES] = {0}, zosum[MAX_GRADES] = {0},
           zoss[MAX_GRADES] = {0};
    size_t z2n[MAX_GRADES] = {0}, zon[MAX_GRADES] = {0};
    int other = -1; /* the other subject: the first other one with scores in Y */
    for (int k = 0; k < p->n_subjects && other < 0; k++)
        if (k != s && slds_panel_count_subject(p, k) > 0)
            other = k;
    int grades[MAX_GRADES] = {0}, n_grades = 0, gidx[SLDS_PANEL_MAX_GRADE];
    for (int g = 0; g < SLDS_PANEL_MAX_GRADE; g++)
        gidx[g] = -1;
    double *claim = calloc(N ? N : 1, sizeof(double));
    double *ach = malloc(sizeof(double) * (N ? N : 1));
    size_t first = acc->n_rows;
    uint32_t *gmap = malloc(sizeof(uint32_t) * (acc->n_staff ? acc->n_staff : 1));
    uint32_t *gstaff = malloc(sizeof(uint32_t) * (acc->n_staff ? acc->n_staff : 1));
    uint32_t n_groups = 0;
    if (!claim || !ach || !gmap || !gstaff) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
        goto done;
    }
    if ((rc = achievement_ranks(p, s, Y, ach, err)))
        goto done;
    for (uint32_t k = 0; k < acc->n_staff; k++)
        gmap[k] = SLDS_NO_ID;
    int yo = slds_panel_year(p, Y);
    for (size_t i = 0; i < N; i++) {
        double score = slds_panel_score(p, s, Y, i);
        int grade = slds_panel_grade(p, s, Y, i);
        if (!isfinite(score) || grade < 0)
            continue;
        double prior = slds_panel_prior(p, s, Y, 1, i);
        /* the full model: any earlier score (same subject, one or two years back, or
           the other subject the year before) */
        int any_prior = isfinite(prior) || isfinite(slds_panel_prior(p, s, Y, 2, i)) ||
                        (other >= 0 && isfinite(slds_panel_prior(p, other, Y, 1, i)));
        size_t nl;
        const slds_panel_link *l = slds_panel_links(p, i, &nl);
        for (size_t k = 0; k < nl; k++) {
            if (l[k].year_offset != yo || l[k].subject != s || !(l[k].dosage > 0))
                continue;
            claim[i] += l[k].dosage;
            if (acc->n_rows == acc->cap_rows) {
                size_t nc = acc->cap_rows ? 2 * acc->cap_rows : 4096;
                link_row *nr = realloc(acc->rows, nc * sizeof *nr);
                if (!nr) {
                    rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
                    goto done;
                }
                acc->rows = nr;
                acc->cap_rows = nc;
            }
            uint32_t staff = l[k].staff;
            if (gmap[staff] == SLDS_NO_ID) {
                gstaff[n_groups] = staff;
                gmap[staff] = n_groups++;
            }
            link_row *r = &acc->rows[acc->n_rows++];
            r->staff = staff;
            r->group = gmap[staff];
            r->student = (uint32_t)i;
            r->subject = s;
            r->dosage = l[k].dosage;
            r->sgp = gc->sgp[s] ? gc->sgp[s][i] : NAN;
            r->levels = gc->levels[s] ? gc->levels[s][i] : NAN;
            r->ach = ach[i];
            r->in_model = o->full_model && !o->prior_required ? any_prior : isfinite(prior);
            r->has_prior = isfinite(prior);
            r->over = 0;
        }
        if ((o->full_model && !o->prior_required ? any_prior : isfinite(prior)) && claim[i] > 0) {
            if (gidx[grade] < 0) {
                if (n_grades == MAX_GRADES) {
                    rc = slds_fail(err, SLDS_ERR_DATA, "educators: more than %d grades in %s",
                                   MAX_GRADES, p->subjects[s]->name);
                    goto done;
                }
                gidx[grade] = n_grades;
                grades[n_grades++] = grade;
            }
            int gi = gidx[grade];
            if (isfinite(prior)) {
                zsum[gi] += prior;
                zss[gi] += prior * prior;
                zn[gi]++;
            }
            double p2 = slds_panel_prior(p, s, Y, 2, i);
            if (isfinite(p2)) {
                z2sum[gi] += p2;
                z2ss[gi] += p2 * p2;
                z2n[gi]++;
            }
            double po = other >= 0 ? slds_panel_prior(p, other, Y, 1, i) : NAN;
            if (isfinite(po)) {
                zosum[gi] += po;
                zoss[gi] += po * po;
                zon[gi]++;
            }
        }
    }
    for (size_t k = first; k < acc->n_rows; k++)
        acc->rows[k].over = claim[acc->rows[k].student] > 1 + 1e-9;
    for (size_t i = 0; i < N; i++)
        sum->over_claimed += claim[i] > 1 + 1e-9;
    /* grades in increasing order (treatment contrasts against the lowest, as R) */
    for (int a = 1; a < n_grades; a++)
        for (int b = a; b > 0 && grades[b - 1] > grades[b]; b--) {
            int t = grades[b];
            grades[b] = grades[b - 1];
            grades[b - 1] = t;
        }
    double zmean[MAX_GRADES] = {0}, zsd[MAX_GRADES] = {0};
    design d = {.p = p, .s = s, .Y = Y, .n_grades = n_grades, .full = o->full_model,
                .rel = o->reliability, .other = other, .csem = csem,
                .class_means = o->class_means, .school_means = o->school_means,
                .pattern_weights = !o->no_pattern_weights};
    int zslot[SLDS_PANEL_MAX_GRADE];
    for (int g = 0; g < SLDS_PANEL_MAX_GRADE; g++)
        zslot[g] = -1;
    for (int k = 0; k < n_grades; k++) {
        int gi = gidx[grades[k]];
        double m = zsum[gi] / (double)zn[gi];
        double v = zn[gi] > 1 ? (zss[gi] - (double)zn[gi] * m * m) / (double)(zn[gi] - 1) : 0;
        zmean[k] = zn[gi] ? m : 0;
        zsd[k] = v > 0 ? sqrt(v) : 1;
        zslot[grades[k]] = k;
        double m2 = z2n[gi] ? z2sum[gi] / (double)z2n[gi] : 0;
        double v2 = z2n[gi] > 1 ? (z2ss[gi] - (double)z2n[gi] * m2 * m2) / (double)(z2n[gi] - 1) : 0;
        d.z2mean[k] = m2;
        d.z2sd[k] = v2 > 0 ? sqrt(v2) : 1;
        double mo = zon[gi] ? zosum[gi] / (double)zon[gi] : 0;
        double vo = zon[gi] > 1 ? (zoss[gi] - (double)zon[gi] * mo * mo) / (double)(zon[gi] - 1) : 0;
        d.zomean[k] = mo;
        d.zosd[k] = vo > 0 ? sqrt(vo) : 1;
    }
    memcpy(d.zmean, zmean, sizeof zmean);
    memcpy(d.zsd, zsd, sizeof zsd);
    memcpy(d.zslot, zslot, sizeof zslot);
    memcpy(d.grade_of, grades, sizeof grades);
    if ((rc = fit_rows(&d, acc->rows + first, acc->n_rows - first, n_groups, gstaff, frame,
                       acc->est[s], acc->se[s], acc->raw[s], acc->vsd[s], sum, 1, err)))
        goto done;
    /* principals: every student of a school (on the test date), weight 1 */
    if (acc->sest[s]) {
        uint32_t n_places = p->places.count;
        uint32_t *smap = malloc(sizeof(uint32_t) * (n_places ? n_places : 1));
        uint32_t *sschool = malloc(sizeof(uint32_t) * (n_places ? n_places : 1));
        uint32_t n_sgroups = 0;
        size_t sfirst = acc->n_srows;
        if (!smap || !sschool) {
            free(smap);
            free(sschool);
            rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
            goto done;
        }
        for (uint32_t k = 0; k < n_places; k++)
            smap[k] = SLDS_NO_ID;
        for (size_t i = 0; i < N && !rc; i++) {
            double score = slds_panel_score(p, s, Y, i);
            int grade = slds_panel_grade(p, s, Y, i);
            if (!isfinite(score) || grade < 0)
                continue;
            uint32_t school = slds_panel_school_on(p, i, Y, slds_panel_test_date(p, s, Y, i));
            if (school == SLDS_NO_ID || school >= n_places)
                continue;
            if (acc->n_srows == acc->cap_srows) {
                size_t nc = acc->cap_srows ? 2 * acc->cap_srows : 4096;
                link_row *nr = realloc(acc->srows, nc * sizeof *nr);
                if (!nr) {
                    rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
                    break;
                }
                acc->srows = nr;
                acc->cap_srows = nc;
            }
            if (smap[school] == SLDS_NO_ID) {
                sschool[n_sgroups] = school;
                smap[school] = n_sgroups++;
            }
            double prior = slds_panel_prior(p, s, Y, 1, i);
            /* the full model: any earlier score (same subject, one or two years back, or
               the other subject the year before) */
            int any_prior = isfinite(prior) || isfinite(slds_panel_prior(p, s, Y, 2, i)) ||
                            (other >= 0 && isfinite(slds_panel_prior(p, other, Y, 1, i)));
            link_row *r = &acc->srows[acc->n_srows++];
            r->staff = school;
            r->group = smap[school];
            r->student = (uint32_t)i;
            r->subject = s;
            r->dosage = 1;
            r->sgp = gc->sgp[s] ? gc->sgp[s][i] : NAN;
            r->levels = gc->levels[s] ? gc->levels[s][i] : NAN;
            r->ach = ach[i];
            /* the school model standardizes with the teacher model's grades */
            r->in_model = (o->full_model && !o->prior_required ? any_prior : isfinite(prior)) &&
                          zslot_ok(&d, grade);
            r->has_prior = isfinite(prior);
            r->over = 0;
        }
        if (!rc)
            rc = fit_rows(&d, acc->srows + sfirst, acc->n_srows - sfirst, n_sgroups, sschool, NULL,
                          acc->sest[s], acc->sse[s], acc->sraw[s], acc->svsd[s], sum, 0, err);
        free(smap);
        free(sschool);
    }
done:
    free(claim);
    free(ach);
    free(gmap);
    free(gstaff);
    return rc;
}

/* The observation values (per rating measure) of a staff id; all NaN when none. */
static const double *observed(const slds_intern *ids, const double *values, int n_measures,
                              const char *staff)
{
    static const double none[SLDS_RATING_MAX_MEASURES] = {NAN, NAN, NAN, NAN,
                                                          NAN, NAN, NAN, NAN};
    uint32_t id = slds_intern_find(ids, staff, strlen(staff));
    return id == SLDS_NO_ID || !values ? none : values + (size_t)id * (size_t)n_measures;
}

/* The rating of a combined row: points per measure, composite, category, and
 * the detail of what drove it; or NOT RATED and why. */
static void rate(const slds_rating_config *cfg, const teacher_out *t, const double *obs_values,
                 char *rating, size_t rsize, double *composite, char *detail, size_t dsize,
                 int *level)
{
    *composite = NAN;
    *level = -1;
    detail[0] = 0;
    size_t used = 0;
    double total = 0;
    for (int k = 0; k < cfg->n_measures; k++) {
        const slds_rating_measure *m = &cfg->measures[k];
        double v = NAN;
        switch (m->source) {
        case SLDS_SOURCE_VAM_SD: v = t->vsd; break;
        case SLDS_SOURCE_MEAN_SGP: v = t->mean_sgp; break;
        case SLDS_SOURCE_MEDIAN_SGP: v = t->median_sgp; break;
        case SLDS_SOURCE_SHARE_1_GRADE: v = t->share1; break;
        case SLDS_SOURCE_ACHIEVEMENT: v = t->ach; break;
        case SLDS_SOURCE_OBSERVATION: v = obs_values[k]; break;
        }
        double pts;
        if (slds_rating_points(m, v, &pts)) {
            snprintf(rating, rsize, "NOT RATED");
            if (!isfinite(v))
                snprintf(detail, dsize, "%s: no value%s", m->name,
                         slds_rating_source_is_growth(m->source) && !t->reported
                             ? " (below the minimum of students: no growth measure reported)"
                             : "");
            else
                snprintf(detail, dsize, "%s: %g is in none of its bands", m->name, v);
            return;
        }
        total += m->weight / 100.0 * pts;
        if (used < dsize)
            used += (size_t)snprintf(detail + used, dsize - used, "%s%s %.4g -> %.4g points x %g%%",
                                     k ? "; " : "", m->name, v, pts, m->weight);
    }
    *composite = total;
    int c = slds_rating_category(cfg, total);
    *level = c;
    snprintf(rating, rsize, "%s", c < 0 ? "NOT RATED" : cfg->categories[c].label);
    if (used < dsize)
        snprintf(detail + used, dsize - used, "; composite %.4g%s", total,
                 c < 0 ? " (in no category)" : "");
}

/* The columns of educator 2 (schema.c): where the educator works, the
 * rating's place among the categories, a principal's school's outcomes. */
typedef struct row_extra {
    const char *school, *lea;
    int level;                 /* category index, -1 not rated */
    int levels, effective_from; /* the configuration's categories, the lowest effective one */
    double grad_rate, grad_cohort, college_rate, college_graduates;
} row_extra;

static void bind_text_or_null(slds_cursor *c, int idx, const char *v)
{
    if (v && v[0])
        slds_cursor_bind_text(c, idx, v);
    else
        slds_cursor_bind_null(c, idx);
}

static int write_row(slds_cursor *ins, int Y, const char *staff, const char *role,
                     const char *subject,
                     const teacher_out *t, const char *rating, double composite,
                     const char *detail, const char *flags, const char *config,
                     const row_extra *x, slds_error *err)
{
    slds_cursor_reset(ins);
    slds_cursor_bind_int(ins, 1, Y);
    slds_cursor_bind_text(ins, 2, staff);
    slds_cursor_bind_text(ins, 3, role);
    slds_cursor_bind_text(ins, 4, subject);
    slds_cursor_bind_double(ins, 5, t->n);
    slds_cursor_bind_double(ins, 6, t->fte);
    bind_num(ins, 7, t->est);
    bind_num(ins, 8, t->se);
    bind_num(ins, 9, t->mean_sgp);
    bind_num(ins, 10, t->median_sgp);
    bind_num(ins, 11, t->lo);
    bind_num(ins, 12, t->hi);
    bind_num(ins, 13, t->share1);
    bind_num(ins, 14, t->share15);
    slds_cursor_bind_text(ins, 15, flags);
    if (t->note[0])
        slds_cursor_bind_text(ins, 16, t->note);
    else
        slds_cursor_bind_null(ins, 16);
    slds_cursor_bind_text(ins, 17, config);
    bind_num(ins, 18, t->raw);
    bind_num(ins, 19, t->vsd);
    bind_num(ins, 20, t->ach);
    if (rating && rating[0])
        slds_cursor_bind_text(ins, 21, rating);
    else
        slds_cursor_bind_null(ins, 21);
    bind_num(ins, 22, composite);
    if (detail && detail[0])
        slds_cursor_bind_text(ins, 23, detail);
    else
        slds_cursor_bind_null(ins, 23);
    bind_text_or_null(ins, 24, x ? x->school : NULL);
    bind_text_or_null(ins, 25, x ? x->lea : NULL);
    if (x && x->level >= 0) {
        slds_cursor_bind_int(ins, 26, x->level + 1);
        slds_cursor_bind_int(ins, 27, x->levels);
        slds_cursor_bind_int(ins, 28, x->level >= x->effective_from);
    } else {
        for (int k = 26; k <= 28; k++)
            slds_cursor_bind_null(ins, k);
    }
    bind_num(ins, 29, x ? x->grad_rate : NAN);
    bind_num(ins, 30, x ? x->grad_cohort : NAN);
    bind_num(ins, 31, x ? x->college_rate : NAN);
    bind_num(ins, 32, x ? x->college_graduates : NAN);
    return slds_cursor_step(ins, err) < 0 ? err->code : SLDS_OK;
}

/* Decisions: a flag when the ratings of the `years` years ending in Y are
 * each one of the decision's; the flag names those years and ratings. */
static int decide(slds_cursor *prev, const slds_rating_config *cfg, int Y, const char *staff,
                  const char *role, const char *rating, char *flags, size_t fsize,
                  slds_error *err)
{
    char past[10][SLDS_RATING_NAME];
    int max_years = 1;
    for (int d = 0; d < cfg->n_decisions; d++)
        if (cfg->decisions[d].years > max_years)
            max_years = cfg->decisions[d].years;
    snprintf(past[0], sizeof past[0], "%s", rating);
    for (int k = 1; k < max_years; k++) {
        past[k][0] = 0;
        slds_cursor_reset(prev);
        slds_cursor_bind_int(prev, 1, Y - k);
        slds_cursor_bind_text(prev, 2, staff);
        slds_cursor_bind_text(prev, 3, role);
        int r = slds_cursor_step(prev, err);
        if (r < 0)
            return err->code;
        if (r == 1 && slds_cursor_text(prev, 0))
            snprintf(past[k], sizeof past[k], "%s", slds_cursor_text(prev, 0));
    }
    for (int d = 0; d < cfg->n_decisions; d++) {
        const slds_rating_decision *de = &cfg->decisions[d];
        int all = 1;
        for (int k = 0; k < de->years && all; k++) {
            int in = 0;
            for (int q = 0; q < de->n_ratings; q++)
                in |= !strcmp(past[k], de->ratings[q]);
            all = in;
        }
        if (!all)
            continue;
        size_t used = strlen(flags);
        used += (size_t)snprintf(flags + used, used < fsize ? fsize - used : 0, "%s%s(",
                                 used ? "; " : "", de->flag);
        for (int k = de->years - 1; k >= 0 && used < fsize; k--)
            used += (size_t)snprintf(flags + used, fsize - used, "%d %s%s", Y - k, past[k],
                                     k ? ", " : ")");
    }
    return SLDS_OK;
}


/* Where an educator works in Y, by panel staff id. */
typedef struct workplace {
    char *school, *lea;
} workplace;

static void workplaces_free(workplace *w, size_t n)
{
    for (size_t k = 0; w && k < n; k++) {
        free(w[k].school);
        free(w[k].lea);
    }
    free(w);
}

static char *dup_or_null(const char *v)
{
    if (!v)
        return NULL;
    size_t n = strlen(v) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, v, n);
    return d;
}

/* A teacher's school: the TEACHER assignment of Y with the largest FTE (ties:
 * the smallest school id), its district that of the school; without an
 * assignment, the district of staff.csv and no school. */
static int teacher_workplaces(slds_store *s, const slds_panel *p, int Y, workplace **out,
                              slds_error *err)
{
    size_t n = p->staff_ids.count;
    workplace *w = calloc(n ? n : 1, sizeof *w);
    if (!w)
        return slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
    static const char *const sql[2] = {
        "SELECT staff_id, school_id, lea_id FROM (SELECT a.staff_id, a.school_id, sc.lea_id,"
        " row_number() OVER (PARTITION BY a.staff_id ORDER BY a.fte DESC, a.school_id) AS k"
        " FROM staff_assignments a LEFT JOIN schools sc USING(school_id)"
        " WHERE a.school_year = ?1 AND a.role = 'TEACHER') WHERE k = 1",
        "SELECT staff_id, NULL, lea_id FROM staff WHERE lea_id IS NOT NULL AND ?1 IS NOT NULL"};
    int rc = SLDS_OK;
    for (int q = 0; q < 2 && !rc; q++) {
        slds_cursor c = {0};
        if ((rc = slds_cursor_open(&c, s, sql[q], err)))
            break;
        slds_cursor_bind_int(&c, 1, Y);
        int r;
        while ((r = slds_cursor_step(&c, err)) == 1) {
            const char *id = slds_cursor_text(&c, 0);
            uint32_t k = id ? slds_intern_find(&p->staff_ids, id, strlen(id)) : SLDS_NO_ID;
            if (k == SLDS_NO_ID || w[k].lea || w[k].school)
                continue;
            w[k].school = dup_or_null(slds_cursor_text(&c, 1));
            w[k].lea = dup_or_null(slds_cursor_text(&c, 2));
        }
        if (r < 0)
            rc = err->code;
        slds_cursor_close(&c);
    }
    if (rc) {
        workplaces_free(w, n);
        return rc;
    }
    *out = w;
    return SLDS_OK;
}

/* A school's graduation and college figures (src/account), by place id. */
typedef struct outcome {
    double grad_rate, grad_cohort, college_rate, college_graduates;
} outcome;

/* Copies two columns of the school rows of table t into o (by group_id). */
static void take_school_figures(const slds_panel *p, const slds_table *t, const char *rate,
                                const char *n, int college, outcome *o)
{
    int cl = slds_table_find_column(t, "level"), cg = slds_table_find_column(t, "group_id"),
        cs = slds_table_find_column(t, "subgroup"), cr = slds_table_find_column(t, rate),
        cn = slds_table_find_column(t, n);
    if (cl < 0 || cg < 0 || cr < 0 || cn < 0)
        return;
    for (size_t row = 0; row < slds_table_nrows(t); row++) {
        const char *level = slds_table_text(t, row, cl), *id = slds_table_text(t, row, cg);
        const char *sub = cs >= 0 ? slds_table_text(t, row, cs) : "all";
        if (!level || strcmp(level, "school") || !id || (sub && strcmp(sub, "all")))
            continue;
        uint32_t k = slds_intern_find(&p->places, id, strlen(id));
        if (k == SLDS_NO_ID)
            continue;
        if (college) {
            o[k].college_rate = slds_table_real(t, row, cr);
            o[k].college_graduates = slds_table_real(t, row, cn);
        } else {
            o[k].grad_rate = slds_table_real(t, row, cr);
            o[k].grad_cohort = slds_table_real(t, row, cn);
        }
    }
}

/* The four-year adjusted cohort graduation rate of the class of Y and the
 * college-enrollment rate (within 16 months) of the graduates of Y-1, per
 * school, from the accountability reports (docs/reports/graduation.md,
 * college.md). A year the data cannot answer (no cohort, no graduates)
 * leaves the figures NaN and adds a note. */
static int school_outcomes(slds_store *s, const slds_panel *p, int Y, outcome **out,
                           slds_educator_summary *sum, slds_error *err)
{
    size_t n = p->places.count;
    outcome *o = malloc(sizeof *o * (n ? n : 1));
    if (!o)
        return slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
    for (size_t k = 0; k < n; k++)
        o[k].grad_rate = o[k].grad_cohort = o[k].college_rate = o[k].college_graduates = NAN;
    slds_account_filter f = {"school", "all"};
    for (int which = 0; which < 2; which++) {
        slds_account_tables tabs = {0};
        int rc = which == 0 ? slds_account_graduation(s, Y, &f, &tabs, NULL, err)
                            : slds_account_college(s, Y - 1, 30, &f, &tabs, NULL, err);
        if (rc == SLDS_ERR_NOTFOUND) {
            char line[400];
            snprintf(line, sizeof line, "principals: no %s figures (%.300s)",
                     which == 0 ? "graduation" : "college-enrollment", err->message);
            add_note(sum, line);
            slds_error_clear(err);
            rc = SLDS_OK;
        }
        for (size_t t = 0; !rc && t < tabs.n; t++) {
            const char *name = slds_table_name(tabs.t[t]);
            if (which == 0 && !strcmp(name, "graduation"))
                take_school_figures(p, tabs.t[t], "rate", "adjusted_cohort", 0, o);
            if (which == 1 && !strcmp(name, "college"))
                take_school_figures(p, tabs.t[t], "rate", "graduates", 1, o);
        }
        slds_account_tables_free(&tabs);
        if (rc) {
            free(o);
            slds_error_prefix(err, "educators: principals' school outcomes: ");
            return rc;
        }
    }
    *out = o;
    return SLDS_OK;
}

/* Principals (staff_assignments role PRINCIPAL in Y): the measures of every
 * tested student of the school, the school model's estimate, and with a
 * configuration the rating and decisions. A principal of several schools
 * is reported for the first school (by id). */
static int write_principals(slds_store *s, const slds_panel *p, run_acc *acc,
                            const slds_educator_options *o, const slds_rating_config *cfg,
                            const slds_intern *obs_ids, const double *obs_values,
                            const outcome *outcomes, slds_cursor *ins, slds_cursor *prev,
                            const char *config_name, slds_educator_summary *sum, slds_error *err)
{
    qsort(acc->srows, acc->n_srows, sizeof *acc->srows, by_staff_subject);
    wv *buf = malloc(sizeof(wv) * (acc->n_srows ? acc->n_srows : 1));
    if (!buf)
        return slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
    slds_cursor c = {0};
    int rc = slds_cursor_open(&c, s,
                              "SELECT staff_id, school_id, sc.lea_id FROM (SELECT staff_id,"
                              " min(school_id) AS school_id FROM staff_assignments"
                              " WHERE school_year = ? AND role = 'PRINCIPAL' GROUP BY staff_id)"
                              " LEFT JOIN schools sc USING(school_id) ORDER BY staff_id",
                              err);
    if (rc) {
        free(buf);
        return rc;
    }
    slds_cursor_bind_int(&c, 1, o->year);
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        const char *staff = slds_cursor_text(&c, 0), *school = slds_cursor_text(&c, 1);
        row_extra px = {.school = school, .lea = slds_cursor_text(&c, 2), .level = -1,
                       .grad_rate = NAN, .grad_cohort = NAN, .college_rate = NAN,
                       .college_graduates = NAN};
        uint32_t place = school ? slds_intern_find(&p->places, school, strlen(school)) : SLDS_NO_ID;
        size_t a = 0, hi = acc->n_srows;
        while (a < hi) { /* first row of the school */
            size_t mid = (a + hi) / 2;
            if (acc->srows[mid].staff < place)
                a = mid + 1;
            else
                hi = mid;
        }
        size_t b = a;
        while (b < acc->n_srows && acc->srows[b].staff == place)
            b++;
        if (place == SLDS_NO_ID || a == b)
            continue; /* no tested student of the school in the panel */
        if (outcomes) {
            px.grad_rate = outcomes[place].grad_rate;
            px.grad_cohort = outcomes[place].grad_cohort;
            px.college_rate = outcomes[place].college_rate;
            px.college_graduates = outcomes[place].college_graduates;
        }
        double fw = 0, fe = 0, fse = 0, fraw = 0, fvsd = 0;
        for (size_t x = a; x < b;) {
            int sj = acc->srows[x].subject;
            size_t d = x;
            while (d < b && acc->srows[d].subject == sj)
                d++;
            teacher_out t;
            teacher_measures(acc->srows + x, d - x, acc->sest[sj][place], acc->sse[sj][place],
                             acc->sraw[sj][place], acc->svsd[sj][place], o, buf, &t);
            if ((rc = write_row(ins, o->year, staff, "PRINCIPAL", p->subjects[sj]->name, &t, NULL,
                                NAN, NULL, "", config_name, &px, err)))
                goto out;
            if (isfinite(t.est)) {
                fw += t.fte;
                fe += t.fte * t.est;
                fse += t.fte * t.fte * t.se * t.se;
                fraw += t.fte * t.raw;
                fvsd += t.fte * t.vsd;
            }
            sum->principals++;
            x = d;
        }
        teacher_out t;
        teacher_measures(acc->srows + a, b - a, fw > 0 ? fe / fw : NAN,
                         fw > 0 ? sqrt(fse) / fw : NAN, fw > 0 ? fraw / fw : NAN,
                         fw > 0 ? fvsd / fw : NAN, o, buf, &t);
        char flags[600] = "", rating[SLDS_RATING_NAME] = "", detail[600] = "";
        double composite = NAN;
        if (cfg) {
            rate(cfg, &t, observed(obs_ids, obs_values, cfg->n_measures, staff), rating,
                 sizeof rating, &composite, detail, sizeof detail, &px.level);
            px.levels = cfg->n_categories;
            px.effective_from = cfg->effective_level;
            if ((rc = decide(prev, cfg, o->year, staff, "PRINCIPAL", rating, flags, sizeof flags,
                             err)))
                goto out;
        }
        if ((rc = write_row(ins, o->year, staff, "PRINCIPAL", "", &t, rating, composite, detail,
                            flags, config_name, &px, err)))
            goto out;
        sum->principals++;
    }
    if (r < 0)
        rc = err->code;
out:
    slds_cursor_close(&c);
    free(buf);
    return rc;
}

/* The year's configuration for the reports: its categories (lowest first,
 * "|"-separated), the lowest effective one (1-based) and the (D)(2)(iv)
 * uses of its decisions; a run without ratings stores none. */
static int write_run(slds_store *s, int Y, const char *config, const slds_rating_config *cfg,
                     slds_error *err)
{
    char cats[SLDS_RATING_MAX_BANDS * (SLDS_RATING_NAME + 1)] = "";
    char uses[SLDS_RATING_MAX_DECISIONS * (2 * SLDS_RATING_NAME + 2)] = "";
    size_t used = 0;
    for (int k = 0; cfg && k < cfg->n_categories; k++)
        used += (size_t)snprintf(cats + used, sizeof cats - used, "%s%s", k ? "|" : "",
                                 cfg->categories[k].label);
    used = 0; /* "use=flag,use=flag": each decision's use and flag, once */
    for (int d = 0; cfg && d < cfg->n_decisions; d++) {
        const slds_rating_decision *de = &cfg->decisions[d];
        int seen = de->use < 0;
        for (int e = 0; e < d && !seen; e++)
            seen = cfg->decisions[e].use == de->use && !strcmp(cfg->decisions[e].flag, de->flag);
        if (!seen && used < sizeof uses)
            used += (size_t)snprintf(uses + used, sizeof uses - used, "%s%s=%s", used ? "," : "",
                                     slds_rating_use_name(de->use), de->flag);
    }
    slds_cursor c = {0};
    int rc = slds_cursor_open(&c, s,
                              "INSERT OR REPLACE INTO educator_runs(school_year, config, categories,"
                              " effective_level, uses) VALUES(?, ?, ?, ?, ?)",
                              err);
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, Y);
    slds_cursor_bind_text(&c, 2, config);
    bind_text_or_null(&c, 3, cats);
    if (cfg)
        slds_cursor_bind_int(&c, 4, cfg->effective_level + 1);
    else
        slds_cursor_bind_null(&c, 4);
    slds_cursor_bind_text(&c, 5, uses);
    rc = slds_cursor_step(&c, err) < 0 ? err->code : SLDS_OK;
    slds_cursor_close(&c);
    return rc;
}

int slds_educator_run(slds_store *s, const slds_educator_options *o, slds_educator_summary *sum,
                      const slds_progress *progress, slds_error *err)
{
    memset(sum, 0, sizeof *sum);
    slds_rating_config cfg;
    int rated = 0;
    slds_educator_options opt = *o;
    const char *config_name = o->config ? o->config : "lme4";
    if (o->config && !strcmp(o->config, "full")) {
        opt.full_model = 1;
    } else if (o->config && strcmp(o->config, "lme4") != 0) {
        int rc = slds_rating_config_load(o->config, &cfg, err);
        if (rc)
            return rc;
        rated = 1;
        opt.full_model = cfg.full_model;
        opt.reliability = cfg.reliability;
        if (!o->csem && cfg.csem[0])
            opt.csem = cfg.csem;
        opt.class_means |= cfg.class_means;
        opt.prior_required |= cfg.prior_required;
        opt.school_means |= cfg.school_means;
        if (!o->min_set) {
            opt.min_students = cfg.min_students;
            opt.min_fte = cfg.min_fte;
        }
    }
    o = &opt;
    double t0 = now_seconds();
    slds_panel_options po;
    slds_panel_options_default(&po);
    po.year = o->year;
    po.year_lo = o->year - 2;
    po.year_hi = o->year;
    po.keep_years[0] = o->year;
    po.parts = SLDS_PANEL_ROSTERS | SLDS_PANEL_ATTRIBUTES | SLDS_PANEL_ENROLLMENTS;
    po.parts_lo = po.parts_hi = o->year;
    slds_panel p;
    int rc = slds_panel_read(s, &po, &p, progress, err);
    double tmark = now_seconds();
    sum->read_seconds = tmark - t0;
    growth_ctx gc = {.p = &p};
    run_acc acc = {0};
    FILE *frame = NULL;
    slds_cursor ins = {0}, prev = {0}, obs = {0};
    wv *scratch = NULL;
    workplace *work = NULL;
    outcome *outcomes = NULL;
    csem_table csem = {0};
    double *obs_values = NULL; /* per observed staff (obs_ids), per measure */
    slds_intern obs_ids = {0};
    size_t obs_cap = 0;
    if (rc)
        goto done;
    if (o->full_model && o->csem && (rc = csem_load(o->csem, &p, &csem, err)))
        goto done;
    size_t N = slds_panel_students(&p);
    sum->students = N;
    acc.n_staff = p.staff_ids.count;
    size_t NS = acc.n_staff ? acc.n_staff : 1;
    size_t NP = p.places.count ? p.places.count : 1;
    for (int k = 0; k < p.n_subjects; k++) {
        gc.sgp[k] = malloc(sizeof(double) * (N ? N : 1));
        gc.levels[k] = malloc(sizeof(double) * (N ? N : 1));
        acc.est[k] = malloc(sizeof(double) * NS);
        acc.se[k] = malloc(sizeof(double) * NS);
        acc.raw[k] = malloc(sizeof(double) * NS);
        acc.vsd[k] = malloc(sizeof(double) * NS);
        acc.sest[k] = malloc(sizeof(double) * NP);
        acc.sse[k] = malloc(sizeof(double) * NP);
        acc.sraw[k] = malloc(sizeof(double) * NP);
        acc.svsd[k] = malloc(sizeof(double) * NP);
        if (!gc.sgp[k] || !gc.levels[k] || !acc.est[k] || !acc.se[k] || !acc.raw[k] ||
            !acc.vsd[k] || !acc.sest[k] || !acc.sse[k] || !acc.sraw[k] || !acc.svsd[k]) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
            goto done;
        }
        for (size_t i = 0; i < N; i++)
            gc.sgp[k][i] = gc.levels[k][i] = NAN;
        for (size_t i = 0; i < NS; i++)
            acc.est[k][i] = acc.se[k][i] = acc.raw[k][i] = acc.vsd[k][i] = NAN;
        for (size_t i = 0; i < NP; i++)
            acc.sest[k][i] = acc.sse[k][i] = acc.sraw[k][i] = acc.svsd[k][i] = NAN;
    }
    tmark = now_seconds();
    rc = slds_growthrun_show(s, o->year, NULL, on_growth, &gc, err);
    sum->growth_seconds = now_seconds() - tmark;
    if (rc == SLDS_ERR_NOTFOUND) { /* no growth run: value-added only */
        slds_error_clear(err);
        rc = SLDS_OK;
    }
    if (rc)
        goto done;
    if (o->model_frame) {
        frame = fopen(o->model_frame, "w");
        if (!frame) {
            rc = slds_fail(err, SLDS_ERR_IO, "educators: cannot write %s", o->model_frame);
            goto done;
        }
        fputs("subject,student_id,teacher,grade,z,score,frl,ell,iep,dosage\n", frame);
    }
    tmark = now_seconds();
    for (int k = 0; k < p.n_subjects; k++) {
        if (slds_panel_count_subject(&p, k) == 0)
            continue;
        sum->subjects++;
        if ((rc = run_subject(&p, k, &gc, o, o->csem ? &csem : NULL, &acc, frame, sum, err)))
            goto done;
    }
    sum->model_seconds = now_seconds() - tmark;
    /* observations of the year, per staff id and rating measure */
    if (rated) {
        if ((rc = slds_cursor_open(&obs, s,
                                   "SELECT staff_id, measure, score FROM observations"
                                   " WHERE school_year = ?",
                                   err)))
            goto done;
        slds_cursor_bind_int(&obs, 1, o->year);
        int r;
        size_t M = (size_t)cfg.n_measures;
        while ((r = slds_cursor_step(&obs, err)) == 1) {
            const char *sid = slds_cursor_text(&obs, 0), *meas = slds_cursor_text(&obs, 1);
            uint32_t id = slds_intern_add(&obs_ids, sid, strlen(sid));
            if (id == SLDS_NO_ID) {
                r = -1;
                rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
                break;
            }
            if ((size_t)id >= obs_cap) {
                size_t nc = obs_cap ? 2 * obs_cap : 1024;
                double *nv = realloc(obs_values, nc * M * sizeof(double));
                if (!nv) {
                    r = -1;
                    rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
                    break;
                }
                for (size_t q = obs_cap * M; q < nc * M; q++)
                    nv[q] = NAN;
                obs_values = nv;
                obs_cap = nc;
            }
            for (size_t k = 0; k < M; k++)
                if (cfg.measures[k].source == SLDS_SOURCE_OBSERVATION &&
                    !strcmp(cfg.measures[k].observation, meas))
                    obs_values[(size_t)id * M + k] = slds_cursor_double(&obs, 2);
        }
        slds_cursor_close(&obs);
        if (r < 0) {
            if (!rc)
                rc = err->code;
            goto done;
        }
    }
    qsort(acc.rows, acc.n_rows, sizeof *acc.rows, by_staff_subject);
    scratch = malloc(sizeof(wv) * (acc.n_rows ? acc.n_rows : 1));
    if (!scratch) {
        rc = slds_fail(err, SLDS_ERR_NOMEM, "educators: out of memory");
        goto done;
    }
    if ((rc = teacher_workplaces(s, &p, o->year, &work, err)))
        goto done;
    tmark = now_seconds();
    if (!o->no_outcomes && (rc = school_outcomes(s, &p, o->year, &outcomes, sum, err)))
        goto done;
    sum->outcome_seconds = now_seconds() - tmark;
    tmark = now_seconds();
    if ((rc = slds_store_begin(s, err)))
        goto done;
    if ((rc = slds_cursor_open(&ins, s, "DELETE FROM educator_results WHERE school_year = ?",
                               err)))
        goto rollback;
    slds_cursor_bind_int(&ins, 1, o->year);
    if (slds_cursor_step(&ins, err) < 0) {
        rc = err->code;
        goto rollback;
    }
    slds_cursor_close(&ins);
    if ((rc = slds_cursor_open(&ins, s,
                               "INSERT INTO educator_results(school_year, staff_id, role, subject,"
                               " n_students, fte_students, vam_estimate, vam_se, mean_sgp,"
                               " median_sgp, sgp_lo, sgp_hi, share_1_grade, share_1_5_grade,"
                               " flags, note, config, vam_raw, vam_sd, achievement, rating,"
                               " composite, rating_detail, school_id, lea_id, rating_level,"
                               " rating_levels, effective, grad_rate, grad_cohort, college_rate,"
                               " college_graduates)"
                               " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               err)))
        goto rollback;
    if (rated && (rc = slds_cursor_open(&prev, s,
                                        "SELECT rating FROM educator_results WHERE school_year = ?"
                                        " AND staff_id = ? AND role = ? AND subject = ''",
                                        err)))
        goto rollback;
    for (size_t a = 0; a < acc.n_rows;) {
        uint32_t st = acc.rows[a].staff;
        size_t b = a;
        while (b < acc.n_rows && acc.rows[b].staff == st)
            b++;
        const char *staff = slds_panel_staff_id(&p, st);
        row_extra x = {.school = work[st].school, .lea = work[st].lea, .level = -1,
                       .grad_rate = NAN, .grad_cohort = NAN, .college_rate = NAN,
                       .college_graduates = NAN};
        int n_subj = 0;
        double fw = 0, fe = 0, fse = 0, fraw = 0, fvsd = 0;
        for (size_t c = a; c < b;) {
            int sj = acc.rows[c].subject;
            size_t d = c;
            while (d < b && acc.rows[d].subject == sj)
                d++;
            teacher_out t;
            teacher_measures(acc.rows + c, d - c, acc.est[sj][st], acc.se[sj][st],
                             acc.raw[sj][st], acc.vsd[sj][st], o, scratch, &t);
            char flags[64] = "";
            if (t.over)
                snprintf(flags, sizeof flags, "dosage_over_100(%zu students)", t.over);
            if ((rc = write_row(&ins, o->year, staff, "TEACHER", p.subjects[sj]->name, &t, NULL, NAN, NULL,
                                flags, config_name, &x, err)))
                goto rollback;
            sum->teachers++;
            if (isfinite(t.est)) { /* the combined estimate: FTE-weighted over subjects */
                fw += t.fte;
                fe += t.fte * t.est;
                fse += t.fte * t.fte * t.se * t.se;
                fraw += t.fte * t.raw;
                fvsd += t.fte * t.vsd;
            }
            n_subj++;
            c = d;
        }
        if (n_subj > 1 || rated) {
            teacher_out t;
            teacher_measures(acc.rows + a, b - a, fw > 0 ? fe / fw : NAN,
                             fw > 0 ? sqrt(fse) / fw : NAN, fw > 0 ? fraw / fw : NAN,
                             fw > 0 ? fvsd / fw : NAN, o, scratch, &t);
            char flags[600] = "", rating[SLDS_RATING_NAME] = "", detail[600] = "";
            double composite = NAN;
            if (t.over)
                snprintf(flags, sizeof flags, "dosage_over_100(%zu students)", t.over);
            if (rated) {
                rate(&cfg, &t, observed(&obs_ids, obs_values, cfg.n_measures, staff), rating,
                     sizeof rating, &composite, detail, sizeof detail, &x.level);
                x.levels = cfg.n_categories;
                x.effective_from = cfg.effective_level;
                if ((rc = decide(&prev, &cfg, o->year, staff, "TEACHER", rating, flags, sizeof flags, err)))
                    goto rollback;
            }
            if ((rc = write_row(&ins, o->year, staff, "TEACHER", "", &t, rating, composite, detail, flags,
                                config_name, &x, err)))
                goto rollback;
            sum->teachers++;
        }
        a = b;
    }
    if ((rc = write_principals(s, &p, &acc, o, rated ? &cfg : NULL, &obs_ids, obs_values, outcomes,
                               &ins, &prev, config_name, sum, err)))
        goto rollback;
    if ((rc = write_run(s, o->year, config_name, rated ? &cfg : NULL, err)))
        goto rollback;
    slds_cursor_close(&ins);
    slds_cursor_close(&prev);
    rc = slds_store_commit(s, err);
    sum->write_seconds = now_seconds() - tmark;
    goto done;
rollback:
    slds_cursor_close(&ins);
    slds_cursor_close(&prev);
    slds_store_rollback(s);
done:
    if (frame && fclose(frame) && !rc)
        rc = slds_fail(err, SLDS_ERR_IO, "educators: writing %s failed", o->model_frame);
    for (int k = 0; k < SLDS_PANEL_MAX_SUBJECTS; k++) {
        free(gc.sgp[k]);
        free(gc.levels[k]);
        free(acc.est[k]);
        free(acc.se[k]);
        free(acc.raw[k]);
        free(acc.vsd[k]);
        free(acc.sest[k]);
        free(acc.sse[k]);
        free(acc.sraw[k]);
        free(acc.svsd[k]);
    }
    free(acc.rows);
    free(acc.srows);
    workplaces_free(work, p.staff_ids.count);
    free(outcomes);
    csem_free(&csem);
    slds_intern_free(&obs_ids);
    free(scratch);
    free(obs_values);
    slds_panel_free(&p);
    sum->seconds = now_seconds() - t0;
    return rc;
}

int slds_educator_show(slds_store *s, int year, const char *staff, slds_educator_fn fn,
                       void *ctx, slds_error *err)
{
    slds_cursor c = {0};
    int rc = slds_cursor_open(
        &c, s,
        "SELECT staff_id, role, subject, COALESCE(rating, ''), flags, COALESCE(note, ''),"
        " school_year, n_students, fte_students, vam_estimate, vam_se, mean_sgp, median_sgp,"
        " sgp_lo, sgp_hi, share_1_grade, share_1_5_grade, composite, COALESCE(rating_detail, '')"
        " FROM educator_results"
        " WHERE school_year = ?1 AND (?2 IS NULL OR staff_id = ?2)"
        " ORDER BY staff_id, role, subject",
        err);
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, year);
    if (staff)
        slds_cursor_bind_text(&c, 2, staff);
    else
        slds_cursor_bind_null(&c, 2);
    int r, any = 0;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        slds_educator_row row = {
            .staff_id = slds_cursor_text(&c, 0),
            .role = slds_cursor_text(&c, 1),
            .subject = slds_cursor_text(&c, 2),
            .rating = slds_cursor_text(&c, 3),
            .flags = slds_cursor_text(&c, 4),
            .note = slds_cursor_text(&c, 5),
            .school_year = (int)slds_cursor_int(&c, 6),
            .rating_detail = slds_cursor_text(&c, 18),
        };
        row.composite = slds_cursor_is_null(&c, 17) ? NAN : slds_cursor_double(&c, 17);
        double *d[] = {&row.n_students, &row.fte_students, &row.vam_estimate, &row.vam_se,
                       &row.mean_sgp, &row.median_sgp, &row.sgp_lo, &row.sgp_hi,
                       &row.share_1_grade, &row.share_1_5_grade};
        for (int k = 0; k < 10; k++)
            *d[k] = slds_cursor_is_null(&c, 7 + k) ? NAN : slds_cursor_double(&c, 7 + k);
        any = 1;
        if ((rc = fn(ctx, &row))) {
            slds_cursor_close(&c);
            return rc;
        }
    }
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    if (!any)
        return slds_fail(err, SLDS_ERR_NOTFOUND,
                         "educators: no results stored for %d%s%s (run `slds educators run`)",
                         year, staff ? " and staff " : "", staff ? staff : "");
    return SLDS_OK;
}

static const slds_column_spec show_columns[] = {
    {"staff_id", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL},
    {"school_year", SLDS_CELL_INTEGER, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL},
    {"role", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL},
    {"subject", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL},
    {"n_students", SLDS_CELL_REAL, "students", 0, SLDS_ROLE_SIZE, NULL, NULL, NULL},
    {"fte_students", SLDS_CELL_REAL, "full-year-equivalent students", 2, SLDS_ROLE_PLAIN, NULL,
     NULL, NULL},
    {"vam_estimate", SLDS_CELL_REAL, "score points", 3, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"vam_se", SLDS_CELL_REAL, "score points", 3, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"mean_sgp", SLDS_CELL_REAL, "percentile", 1, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"median_sgp", SLDS_CELL_REAL, "percentile", 1, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"share_1_grade", SLDS_CELL_REAL, "proportion", 3, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"rating", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"flags", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"sgp_lo", SLDS_CELL_REAL, "percentile", 1, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"sgp_hi", SLDS_CELL_REAL, "percentile", 1, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"share_1_5_grade", SLDS_CELL_REAL, "proportion", 3, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    {"note", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"composite", SLDS_CELL_REAL, "points", 4, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
    {"rating_detail", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
};

int slds_educator_show_table(slds_table **out, slds_error *err)
{
    return slds_table_new(out, "educators", "Educator effectiveness", show_columns,
                          (int)(sizeof show_columns / sizeof show_columns[0]), err);
}

int slds_educator_show_add(slds_table *t, const slds_educator_row *r, slds_error *err)
{
    slds_table_add_row(t, err);
    slds_table_set_text(t, 0, r->staff_id, err);
    slds_table_set_integer(t, 1, r->school_year, err);
    slds_table_set_text(t, 2, r->role, err);
    slds_table_set_text(t, 3, r->subject, err);
    slds_table_set_real(t, 4, r->n_students, err);
    slds_table_set_real(t, 5, r->fte_students, err);
    slds_table_set_real(t, 6, r->vam_estimate, err);
    slds_table_set_real(t, 7, r->vam_se, err);
    slds_table_set_real(t, 8, r->mean_sgp, err);
    slds_table_set_real(t, 9, r->median_sgp, err);
    slds_table_set_real(t, 10, r->share_1_grade, err);
    slds_table_set_text(t, 11, r->rating, err);
    slds_table_set_text(t, 12, r->flags, err);
    slds_table_set_real(t, 13, r->sgp_lo, err);
    slds_table_set_real(t, 14, r->sgp_hi, err);
    slds_table_set_real(t, 15, r->share_1_5_grade, err);
    slds_table_set_text(t, 16, r->note, err);
    slds_table_set_real(t, 17, r->composite, err);
    slds_table_set_text(t, 18, r->rating_detail, err);
    return slds_table_status(t);
}
