/* lowest.c - persistently lowest-achieving schools as the Race to the Top
 * notice defines them, each school's rank, rate, progress and the reason it
 * was or was not identified, the intervention model assigned to each (loaded
 * from a CSV into table interventions), and the notice's rule that a
 * district with more than nine such schools may not use the transformation
 * model in more than half of them. docs/reports/lowest-achieving.md.
 *
 * Design notes (invariants; tests/account/test_lowest.sh on
 * tests/data/account/lowest, whose NOTES.md computes every figure):
 *  L1. Two groups are ranked separately: (i) Title I schools (title1 = Y) in
 *      IMPROVEMENT, CORRECTIVE_ACTION or RESTRUCTURING; (ii) secondary
 *      schools (MIDDLE, HIGH or OTHER) with title1 = N that are eligible for
 *      Title I: poverty (economically disadvantaged share of the students
 *      enrolled in the report year) at least the eligibility threshold
 *      (default 35%) or at least their district's share (ESEA 1113(a)).
 *  L2. A school's proficiency is all students' STATE tests in reading and
 *      mathematics combined (subjects ELA, READING, MATH, MATHEMATICS by
 *      default), pooled over the window's years (Y-N+1..Y): proficient
 *      (performance level >= 3) / tested (a scale score), each test counted
 *      at the school where the student was enrolled on the test date.
 *  L3. Lack of progress: progress = the rate of the last window year with
 *      tests minus that of the first (percentage points; 0 with one year);
 *      schools are ranked by score = rate + w x progress (w = 0.5 by
 *      default; w = 0 ranks on achievement alone), lowest first; equal
 *      scores share a rank.
 *  L4. The cut: k = max(5, ceil(5% of the ranked schools of the group)), at
 *      most all of them; every school whose rank is <= k is identified, so a
 *      tie at the cut identifies every tied school.
 *  L5. A school with a graduating cohort is also identified when its
 *      four-year graduation rate (graduation report, school level) is below
 *      60% in every class of the window that can be computed (at least one).
 *  L6. A district with more than nine identified schools complies when at
 *      most half of them have the TRANSFORMATION model (the model of the
 *      latest school year <= Y in table interventions). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/internal_a.h"
#include "ingest/csv.h"

void slds_account_lowest_options_default(slds_account_lowest_options *o)
{
    *o = (slds_account_lowest_options){.years = 3,
                                       .progress_weight = 0.5,
                                       .grad_threshold = 60,
                                       .eligible_poverty = 35,
                                       .proficient_level = 3,
                                       .lowest_percent = 5,
                                       .lowest_count = 5,
                                       .subjects = "ELA,READING,MATH,MATHEMATICS"};
}

enum { GROUP_NONE, GROUP_TITLE1, GROUP_ELIGIBLE };
static const char *const group_names[] = {"", "title1_improvement", "eligible_not_title1"};

typedef struct school {
    char id[72], lea[72], level[16], status[24], model[24];
    bool title1, title1_no, secondary;
    int group;
    long long enrolled, poor;
    long long tested, proficient;
    long long year_tested[32], year_prof[32];
    double rate, progress, score, first_rate, last_rate;
    int rank, in_group, cut;
    int grad_years, grad_below;
    double grad_max;
    bool by_rank, by_grad;
} school;

typedef struct lowest_run {
    slds_store *s;
    const slds_account_lowest_options *o;
    int year, first;
    school *sc;
    size_t n;
} lowest_run;

static school *find_school(lowest_run *r, const char *id)
{
    /* schools are read sorted by id: binary search */
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(r->sc[mid].id, id);
        if (!c)
            return &r->sc[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int read_schools(lowest_run *r, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, r->s,
                         "SELECT school_id, lea_id, school_level, title1, title1_status FROM schools"
                         " ORDER BY school_id",
                         err))
        return err->code;
    int step, rc = 0;
    size_t cap = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (r->n == cap) {
            cap = cap ? 2 * cap : 256;
            school *g = realloc(r->sc, cap * sizeof *g);
            if (!g) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "lowest-achieving: out of memory");
                break;
            }
            r->sc = g;
        }
        school *x = &r->sc[r->n++];
        memset(x, 0, sizeof *x);
        const char *t;
        snprintf(x->id, sizeof x->id, "%s", (t = slds_cursor_text(&c, 0)) ? t : "");
        snprintf(x->lea, sizeof x->lea, "%s", (t = slds_cursor_text(&c, 1)) ? t : "");
        snprintf(x->level, sizeof x->level, "%s", (t = slds_cursor_text(&c, 2)) ? t : "");
        t = slds_cursor_text(&c, 3);
        x->title1 = t && !strcmp(t, "Y");
        x->title1_no = t && !strcmp(t, "N");
        snprintf(x->status, sizeof x->status, "%s", (t = slds_cursor_text(&c, 4)) ? t : "");
        x->secondary = !strcmp(x->level, "MIDDLE") || !strcmp(x->level, "HIGH") || !strcmp(x->level, "OTHER");
        x->grad_max = NAN;
    }
    slds_cursor_close(&c);
    return rc ? rc : step < 0 ? err->code : SLDS_OK;
}

/* L2: proficient and tested per school and year. One merge pass over the
 * window's scored STATE tests and enrollment spells, both read in student
 * order (their primary keys): a test counts at every school with a spell of
 * its year open on the test date (entry <= date, exit blank or >= date). */
typedef struct lspell {
    int year;
    school *at;
    char entry[11], exit[11];
    bool open;
} lspell;

static bool wanted_subject(const char *list, const char *subject)
{
    size_t n = strlen(subject);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, subject, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

static int read_proficiency(lowest_run *r, slds_error *err)
{
    slds_cursor a, e;
    int rc = slds_cursor_open(&a, r->s,
                              "SELECT student_id, school_year, subject, test_date, performance_level"
                              " FROM assessments WHERE test_type = 'STATE' AND scale_score IS NOT NULL"
                              " AND school_year BETWEEN ?1 AND ?2 ORDER BY student_id",
                              err);
    if (!rc && (rc = slds_cursor_open(&e, r->s,
                                      "SELECT student_id, school_id, school_year, entry_date, exit_date"
                                      " FROM enrollments WHERE school_year BETWEEN ?1 AND ?2"
                                      " ORDER BY student_id",
                                      err)))
        slds_cursor_close(&a);
    if (rc)
        return rc;
    slds_cursor_bind_int(&a, 1, r->first);
    slds_cursor_bind_int(&a, 2, r->year);
    slds_cursor_bind_int(&e, 1, r->first);
    slds_cursor_bind_int(&e, 2, r->year);
    lspell *sp = NULL;
    size_t nsp = 0, cap = 0;
    int sa = slds_cursor_step(&a, err), se = sa < 0 ? -1 : slds_cursor_step(&e, err);
    char student[128];
    while (sa == 1 && se >= 0 && !rc) {
        snprintf(student, sizeof student, "%s", slds_cursor_text(&a, 0));
        /* the student's spells of the window */
        int cmp;
        nsp = 0;
        while (se == 1 && (cmp = strcmp(slds_cursor_text(&e, 0), student)) <= 0) {
            const char *sid = slds_cursor_text(&e, 1);
            school *x = cmp == 0 && sid ? find_school(r, sid) : NULL;
            if (x) {
                if (nsp == cap) {
                    cap = cap ? 2 * cap : 16;
                    lspell *q = realloc(sp, cap * sizeof *q);
                    if (!q) {
                        rc = slds_fail(err, SLDS_ERR_NOMEM, "lowest-achieving: out of memory");
                        break;
                    }
                    sp = q;
                }
                lspell *p = &sp[nsp++];
                p->at = x;
                p->year = (int)slds_cursor_int(&e, 2);
                const char *en = slds_cursor_text(&e, 3), *ex = slds_cursor_text(&e, 4);
                snprintf(p->entry, sizeof p->entry, "%s", en ? en : "");
                p->open = !ex;
                snprintf(p->exit, sizeof p->exit, "%s", ex ? ex : "");
            }
            se = slds_cursor_step(&e, err);
        }
        /* the student's tests */
        while (!rc && sa == 1 && !strcmp(slds_cursor_text(&a, 0), student)) {
            const char *subject = slds_cursor_text(&a, 2), *date = slds_cursor_text(&a, 3);
            int year = (int)slds_cursor_int(&a, 1), y = year - r->first;
            bool proficient = !slds_cursor_is_null(&a, 4) &&
                              slds_cursor_int(&a, 4) >= r->o->proficient_level;
            if (subject && date && y >= 0 && y < 32 && wanted_subject(r->o->subjects, subject))
                for (size_t k = 0; k < nsp; k++)
                    if (sp[k].year == year && strcmp(sp[k].entry, date) <= 0 &&
                        (sp[k].open || strcmp(sp[k].exit, date) >= 0)) {
                        sp[k].at->year_tested[y]++;
                        sp[k].at->year_prof[y] += proficient;
                    }
            sa = slds_cursor_step(&a, err);
        }
    }
    free(sp);
    slds_cursor_close(&a);
    slds_cursor_close(&e);
    return rc ? rc : sa < 0 || se < 0 ? err->code : SLDS_OK;
}

/* L1: poverty of each school in the report year (schools.c, Q1: the
 * distinct students enrolled, economically disadvantaged in the year). */
static int read_poverty(lowest_run *r, slds_error *err)
{
    acct_schools sc;
    int rc = acct_schools_read(r->s, r->year, &sc, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < sc.n; i++) {
        school *x = find_school(r, sc.v[i].id);
        if (x) {
            x->enrolled = sc.v[i].enrolled;
            x->poor = sc.v[i].poor;
        }
    }
    acct_schools_free(&sc);
    return SLDS_OK;
}

/* L5: four-year graduation rates of each school for the window's classes. */
static int read_graduation(lowest_run *r, slds_error *err)
{
    slds_intern places = {0};
    acct_cells cs = {0};
    int rc = acct_graduation_by_school(r->s, r->first, r->year, &cs, &places, err);
    for (size_t i = 0; !rc && i < cs.n; i++) {
        const acct_cell *c = &cs.c[i];
        school *x = find_school(r, slds_intern_str(&places, c->place));
        long long n = c->v[0], g = c->v[1];
        if (!x || n <= 0)
            continue;
        double rate = 100.0 * (double)g / (double)n;
        x->grad_years++;
        x->grad_below += rate < r->o->grad_threshold;
        if (isnan(x->grad_max) || rate > x->grad_max)
            x->grad_max = rate;
    }
    acct_cells_free(&cs);
    slds_intern_free(&places);
    return rc;
}

static int read_models(lowest_run *r, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, r->s,
                         "SELECT school_id, model FROM interventions WHERE school_year <= ?1"
                         " ORDER BY school_id, school_year",
                         err)) {
        /* a database older than the account tables has no models yet */
        if (!strstr(err->message, "no such table"))
            return err->code;
        slds_error_clear(err);
        return SLDS_OK;
    }
    slds_cursor_bind_int(&c, 1, r->year);
    int step;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        const char *id = slds_cursor_text(&c, 0), *m = slds_cursor_text(&c, 1);
        school *x = id ? find_school(r, id) : NULL;
        if (x)
            snprintf(x->model, sizeof x->model, "%s", m ? m : ""); /* the latest year wins */
    }
    slds_cursor_close(&c);
    return step < 0 ? err->code : SLDS_OK;
}

/* L1, L3, L4, L5. */
static void classify(lowest_run *r)
{
    const slds_account_lowest_options *o = r->o;
    /* district poverty: the sum over its schools */
    for (size_t i = 0; i < r->n; i++) {
        school *x = &r->sc[i];
        long long en = 0, po = 0;
        for (size_t j = 0; j < r->n; j++)
            if (!strcmp(r->sc[j].lea, x->lea)) {
                en += r->sc[j].enrolled;
                po += r->sc[j].poor;
            }
        double pov = acct_pct(x->poor, x->enrolled), lea_pov = acct_pct(po, en);
        bool improvement = !strcmp(x->status, "IMPROVEMENT") || !strcmp(x->status, "CORRECTIVE_ACTION") ||
                           !strcmp(x->status, "RESTRUCTURING");
        if (x->title1 && improvement)
            x->group = GROUP_TITLE1;
        else if (x->title1_no && x->secondary && x->enrolled &&
                 (pov >= o->eligible_poverty || pov >= lea_pov))
            x->group = GROUP_ELIGIBLE;
        int firsty = -1, lasty = -1;
        for (int y = 0; y <= r->year - r->first; y++) {
            x->tested += x->year_tested[y];
            x->proficient += x->year_prof[y];
            if (x->year_tested[y]) {
                if (firsty < 0)
                    firsty = y;
                lasty = y;
            }
        }
        x->rate = acct_pct(x->proficient, x->tested);
        x->first_rate = firsty < 0 ? NAN : acct_pct(x->year_prof[firsty], x->year_tested[firsty]);
        x->last_rate = lasty < 0 ? NAN : acct_pct(x->year_prof[lasty], x->year_tested[lasty]);
        x->progress = firsty < 0 ? NAN : x->last_rate - x->first_rate;
        x->score = x->rate + o->progress_weight * x->progress;
        x->by_grad = x->group && x->grad_years > 0 && x->grad_below == x->grad_years;
    }
    for (int g = GROUP_TITLE1; g <= GROUP_ELIGIBLE; g++) {
        int n = 0;
        for (size_t i = 0; i < r->n; i++)
            n += r->sc[i].group == g && r->sc[i].tested > 0;
        int k = (int)ceil(o->lowest_percent / 100.0 * n - 1e-9);
        if (k < o->lowest_count)
            k = o->lowest_count;
        if (k > n)
            k = n;
        for (size_t i = 0; i < r->n; i++) {
            school *x = &r->sc[i];
            if (x->group != g)
                continue;
            x->in_group = n;
            x->cut = k;
            if (!x->tested)
                continue;
            int below = 0;
            for (size_t j = 0; j < r->n; j++)
                below += r->sc[j].group == g && r->sc[j].tested > 0 && r->sc[j].score < x->score - 1e-9;
            x->rank = below + 1;
            x->by_rank = x->rank <= k;
        }
    }
}

static const slds_column_spec school_cols[] = {
    {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "group_id", .type = SLDS_CELL_TEXT},
    {.name = "subgroup", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "lea_id", .type = SLDS_CELL_TEXT},
    {.name = "group", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
    {.name = "title1_status", .type = SLDS_CELL_TEXT},
    {.name = "poverty", .type = SLDS_CELL_REAL, .unit = "percent econ. disadvantaged", .decimals = 1},
    {.name = "tested", .type = SLDS_CELL_INTEGER, .unit = "tests, reading and mathematics", .role = SLDS_ROLE_SIZE},
    {.name = "proficient", .type = SLDS_CELL_INTEGER, .unit = "tests", .role = SLDS_ROLE_COUNT},
    {.name = "rate", .type = SLDS_CELL_REAL, .unit = "percent proficient", .decimals = 2, .role = SLDS_ROLE_STATISTIC, .derives_from = "proficient"},
    {.name = "rate_first_year", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 2, .role = SLDS_ROLE_STATISTIC},
    {.name = "rate_last_year", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 2, .role = SLDS_ROLE_STATISTIC},
    {.name = "progress", .type = SLDS_CELL_REAL, .unit = "percentage points", .decimals = 2, .role = SLDS_ROLE_STATISTIC},
    {.name = "score", .type = SLDS_CELL_REAL, .unit = "rate + weight x progress", .decimals = 2, .role = SLDS_ROLE_STATISTIC},
    {.name = "rank", .type = SLDS_CELL_INTEGER, .unit = "1 = lowest"},
    {.name = "schools_ranked", .type = SLDS_CELL_INTEGER, .unit = "schools"},
    {.name = "cut", .type = SLDS_CELL_INTEGER, .unit = "schools"},
    {.name = "grad_rate_max", .type = SLDS_CELL_REAL, .unit = "percent, highest class of the window", .decimals = 2},
    {.name = "identified", .type = SLDS_CELL_BOOLEAN},
    {.name = "intervention", .type = SLDS_CELL_TEXT},
    {.name = "reason", .type = SLDS_CELL_TEXT}};

static const slds_column_spec lea_cols[] = {
    {.name = "level", .type = SLDS_CELL_TEXT},
    {.name = "group_id", .type = SLDS_CELL_TEXT},
    {.name = "subgroup", .type = SLDS_CELL_TEXT},
    {.name = "identified", .type = SLDS_CELL_INTEGER, .unit = "schools"},
    {.name = "with_model", .type = SLDS_CELL_INTEGER, .unit = "schools"},
    {.name = "transformation", .type = SLDS_CELL_INTEGER, .unit = "schools"},
    {.name = "transformation_share", .type = SLDS_CELL_REAL, .unit = "percent of identified", .decimals = 1},
    {.name = "rule_applies", .type = SLDS_CELL_BOOLEAN},
    {.name = "complies", .type = SLDS_CELL_BOOLEAN},
    {.name = "note", .type = SLDS_CELL_TEXT}};

#define NCOLS(a) ((int)(sizeof(a) / sizeof(a)[0]))

static void reason(const lowest_run *r, const school *x, char *buf, size_t size)
{
    const slds_account_lowest_options *o = r->o;
    const char *who = x->group == GROUP_TITLE1 ? "Title I schools in improvement"
                                               : "eligible secondary schools without Title I";
    int n = 0;
    if (x->tested)
        n = snprintf(buf, size,
                     "rank %d of %d %s, cut at rank %d (the lowest %g%% or %d, whichever is more, "
                     "ties included): %s; proficiency %.2f%%, progress %+.2f points, score %.2f",
                     x->rank, x->in_group, who, x->cut, o->lowest_percent, o->lowest_count,
                     x->by_rank ? "identified" : "not identified", x->rate, x->progress, x->score);
    else
        n = snprintf(buf, size, "no tested students in %d-%d: not ranked", r->first, r->year);
    if (n < 0 || (size_t)n >= size)
        return;
    if (x->grad_years)
        snprintf(buf + n, size - (size_t)n, "; graduation rate below %g%% in %d of %d classes: %s",
                 o->grad_threshold, x->grad_below, x->grad_years,
                 x->by_grad ? "identified" : "not identified by it");
}

static int school_table(lowest_run *r, slds_table **out, slds_error *err)
{
    char title[128];
    snprintf(title, sizeof title, "Persistently lowest-achieving schools, %d (years %d-%d)", r->year,
             r->first, r->year);
    int rc = slds_table_new(out, "lowest_achieving", title, school_cols, NCOLS(school_cols), err);
    for (int g = GROUP_TITLE1; !rc && g <= GROUP_ELIGIBLE; g++)
        for (size_t i = 0; !rc && i < r->n; i++) {
            const school *x = &r->sc[i];
            if (x->group != g)
                continue;
            slds_table *t = *out;
            char why[512];
            reason(r, x, why, sizeof why);
            slds_table_add_row(t, err);
            slds_table_set_text(t, 0, "school", err);
            slds_table_set_text(t, 1, x->id, err);
            slds_table_set_text(t, 2, "all", err);
            slds_table_set_text(t, 3, x->lea, err);
            slds_table_set_text(t, 4, group_names[g], err);
            slds_table_set_text(t, 5, x->status, err);
            slds_table_set_real(t, 6, acct_pct(x->poor, x->enrolled), err);
            slds_table_set_integer(t, 7, x->tested, err);
            slds_table_set_integer(t, 8, x->proficient, err);
            slds_table_set_real(t, 9, x->rate, err);
            slds_table_set_real(t, 10, x->first_rate, err);
            slds_table_set_real(t, 11, x->last_rate, err);
            slds_table_set_real(t, 12, x->progress, err);
            slds_table_set_real(t, 13, x->tested ? x->score : NAN, err);
            if (x->rank)
                slds_table_set_integer(t, 14, x->rank, err);
            slds_table_set_integer(t, 15, x->in_group, err);
            slds_table_set_integer(t, 16, x->cut, err);
            slds_table_set_real(t, 17, x->grad_max, err);
            slds_table_set_boolean(t, 18, x->by_rank || x->by_grad, err);
            slds_table_set_text(t, 19, x->model, err);
            slds_table_set_text(t, 20, why, err);
            rc = slds_table_status(t);
        }
    return rc;
}

static int by_lea(const void *a, const void *b)
{
    const school *const *x = a, *const *y = b;
    return strcmp((*x)->lea, (*y)->lea);
}

/* L6, per district with an identified school, in district order. */
static int lea_table(lowest_run *r, slds_table **out, slds_error *err)
{
    int rc = slds_table_new(out, "lowest_achieving_districts",
                            "Intervention models by district (more than nine schools: transformation "
                            "in at most half)",
                            lea_cols, NCOLS(lea_cols), err);
    const school **firsts = rc ? NULL : malloc((r->n ? r->n : 1) * sizeof *firsts);
    size_t nf = 0;
    if (!rc && !firsts)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "lowest-achieving: out of memory");
    for (size_t i = 0; !rc && i < r->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < nf && !seen; j++)
            seen = !strcmp(firsts[j]->lea, r->sc[i].lea);
        if (!seen)
            firsts[nf++] = &r->sc[i];
    }
    if (!rc && nf)
        qsort(firsts, nf, sizeof *firsts, by_lea);
    for (size_t f = 0; !rc && f < nf; f++) {
        const school *x = firsts[f];
        int ident = 0, with = 0, trans = 0;
        for (size_t j = 0; j < r->n; j++) {
            const school *y = &r->sc[j];
            if (strcmp(y->lea, x->lea) || !(y->by_rank || y->by_grad))
                continue;
            ident++;
            with += y->model[0] != '\0';
            trans += !strcmp(y->model, "TRANSFORMATION");
        }
        if (!ident)
            continue;
        bool applies = ident > 9, ok = !applies || 2 * trans <= ident;
        char note[256];
        if (applies)
            snprintf(note, sizeof note,
                     ok ? "%d identified schools: transformation in %d, at most %d allowed"
                        : "NOT ALLOWED: %d identified schools, transformation in %d; more than nine "
                          "schools may use it in at most half (%d)",
                     ident, trans, ident / 2);
        else
            snprintf(note, sizeof note, "%d identified school%s: the half rule applies from ten", ident,
                     ident == 1 ? "" : "s");
        slds_table *t = *out;
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, "lea", err);
        slds_table_set_text(t, 1, x->lea, err);
        slds_table_set_text(t, 2, "all", err);
        slds_table_set_integer(t, 3, ident, err);
        slds_table_set_integer(t, 4, with, err);
        slds_table_set_integer(t, 5, trans, err);
        slds_table_set_real(t, 6, acct_pct(trans, ident), err);
        slds_table_set_boolean(t, 7, applies, err);
        slds_table_set_boolean(t, 8, ok, err);
        slds_table_set_text(t, 9, note, err);
        rc = slds_table_status(t);
    }
    free(firsts);
    return rc;
}

static int lowest_chart(lowest_run *r, slds_buf *b)
{
    /* the ranked Title I schools, lowest first (at most 30 bars) */
    const char *labels[30];
    double values[30];
    size_t n = 0;
    for (int rank = 1; rank <= (int)r->n && n < 30; rank++)
        for (size_t i = 0; i < r->n && n < 30; i++)
            if (r->sc[i].group == GROUP_TITLE1 && r->sc[i].rank == rank) {
                labels[n] = r->sc[i].id;
                values[n++] = r->sc[i].rate;
            }
    char title[160];
    snprintf(title, sizeof title,
             "Title I schools in improvement, lowest score first: proficiency %d-%d (percent)",
             r->first, r->year);
    return slds_account_bar_chart(b, title, labels, values, n, "%");
}

int slds_account_lowest(slds_store *s, int year, const slds_account_lowest_options *o,
                        slds_account_tables *out, slds_buf *chart, slds_error *err)
{
    if (o->years < 1 || o->years > 30 || !(o->lowest_percent > 0) || o->lowest_count < 1 ||
        !(o->grad_threshold > 0) || o->proficient_level < 1 || !o->subjects || !*o->subjects)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "lowest-achieving: --years 1-30, --percent and --grad-threshold above 0, "
                         "--count and --proficient-level at least 1, --subjects not empty");
    lowest_run r = {.s = s, .o = o, .year = year, .first = year - o->years + 1};
    int rc = read_schools(&r, err);
    rc = rc ? rc : read_proficiency(&r, err);
    rc = rc ? rc : read_poverty(&r, err);
    rc = rc ? rc : read_graduation(&r, err);
    rc = rc ? rc : read_models(&r, err);
    slds_table *t = NULL;
    if (!rc) {
        classify(&r);
        rc = school_table(&r, &t, err);
        if (!rc) {
            rc = slds_account_tables_add(out, t, err);
            t = NULL;
        }
    }
    if (!rc) {
        rc = lea_table(&r, &t, err);
        if (!rc) {
            rc = slds_account_tables_add(out, t, err);
            t = NULL;
        }
    }
    if (!rc && chart && lowest_chart(&r, chart))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "lowest-achieving: out of memory");
    slds_table_free(t);
    free(r.sc);
    return rc;
}

/* ------------------------------------------------------------ interventions */

static const char *const models[] = {"TURNAROUND", "RESTART", "CLOSURE", "TRANSFORMATION"};

int slds_account_interventions_load(slds_store *s, const char *path, size_t *loaded,
                                    slds_error *err)
{
    *loaded = 0;
    slds_csv *csv;
    int rc = slds_csv_open(&csv, path, err);
    if (rc)
        return rc;
    slds_csv_record rec;
    int step = slds_csv_next(csv, &rec, err), ci = -1, cy = -1, cm = -1;
    for (int i = 0; step == 1 && i < rec.nfields; i++) {
        if (!strcmp(rec.fields[i], "school_id"))
            ci = i;
        else if (!strcmp(rec.fields[i], "school_year"))
            cy = i;
        else if (!strcmp(rec.fields[i], "model"))
            cm = i;
    }
    if (step == 1 && (ci < 0 || cy < 0 || cm < 0))
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: line 1: the header needs school_id, school_year and model",
                       path);
    else if (step < 0)
        rc = err->code;
    else if (step == 0)
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: empty file (no header)", path);
    slds_cursor ins = {0}, known = {0};
    rc = rc ? rc
            : slds_cursor_open(&ins, s,
                               "INSERT OR REPLACE INTO interventions(school_id, school_year, model)"
                               " VALUES (?1, ?2, ?3)",
                               err);
    rc = rc ? rc : slds_cursor_open(&known, s, "SELECT 1 FROM schools WHERE school_id = ?1", err);
    rc = rc ? rc : slds_store_begin(s, err);
    bool began = !rc;
    while (!rc && (step = slds_csv_next(csv, &rec, err)) == 1) {
        int need = ci > cy ? (ci > cm ? ci : cm) : (cy > cm ? cy : cm);
        if (rec.nfields <= need) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld: %d fields, the header has more", path,
                           rec.line, rec.nfields);
            break;
        }
        const char *id = rec.fields[ci], *yr = rec.fields[cy], *model = rec.fields[cm];
        char *end;
        long y = strtol(yr, &end, 10);
        bool model_ok = false;
        for (size_t k = 0; k < 4; k++)
            model_ok |= !strcmp(model, models[k]);
        if (!*yr || *end || y < 1900 || y > 2200)
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld, column school_year: '%s' is not a school year",
                           path, rec.line, yr);
        else if (!model_ok)
            rc = slds_fail(err, SLDS_ERR_DATA,
                           "%s: line %ld, column model: '%s' is not TURNAROUND, RESTART, CLOSURE or "
                           "TRANSFORMATION",
                           path, rec.line, model);
        if (rc)
            break;
        slds_cursor_reset(&known);
        slds_cursor_bind_text(&known, 1, id);
        int k = slds_cursor_step(&known, err);
        if (k < 0) {
            rc = err->code;
            break;
        }
        if (k == 0) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: line %ld, column school_id: unknown school '%s'", path,
                           rec.line, id);
            break;
        }
        slds_cursor_reset(&ins);
        slds_cursor_bind_text(&ins, 1, id);
        slds_cursor_bind_int(&ins, 2, y);
        slds_cursor_bind_text(&ins, 3, model);
        if (slds_cursor_step(&ins, err) < 0) {
            rc = err->code;
            break;
        }
        (*loaded)++;
    }
    if (!rc && step < 0)
        rc = err->code;
    slds_cursor_close(&ins);
    slds_cursor_close(&known);
    if (began) {
        if (!rc)
            rc = slds_store_commit(s, err);
        else
            slds_store_rollback(s);
    }
    slds_csv_close(csv);
    if (rc)
        *loaded = 0;
    return rc;
}
