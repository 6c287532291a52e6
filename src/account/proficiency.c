/* proficiency.c - the achievement cube (account.h): proficiency,
 * participation and not-tested counts by year, subject, state/district/
 * school, grade and subgroup, computed in one merge pass over three tables
 * read in student-id order (assessments, enrollments, student_attributes),
 * so no join is evaluated per result; and the per-school rates
 * lowest-achieving ranks schools by. */
#include "account/account.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"

static const char *const subgroup_names[SLDS_ACCOUNT_NSUBGROUPS] = {
    "all",   "econ_disadvantaged", "not_econ_disadvantaged", "HISPANIC",        "AM_INDIAN",
    "ASIAN", "BLACK",              "PACIFIC_ISLANDER",       "WHITE",           "TWO_OR_MORE",
    "disability", "no_disability", "english_learner",        "not_english_learner"};

static const char *const reason_names[SLDS_ACCOUNT_NREASONS] = {"ABSENT", "MEDICAL",
                                                                "PARENT_REFUSAL", "EXEMPT_EL",
                                                                "OTHER"};

static const char *const grade_names[SLDS_ACCOUNT_NGRADES] = {
    "all", "PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"};

const char *slds_account_subgroup_name(slds_account_subgroup g)
{
    return (unsigned)g < SLDS_ACCOUNT_NSUBGROUPS ? subgroup_names[g] : "";
}

int slds_account_subgroup_find(const char *name)
{
    for (int g = 0; name && g < SLDS_ACCOUNT_NSUBGROUPS; g++)
        if (!strcmp(subgroup_names[g], name))
            return g;
    return -1;
}

const char *slds_account_reason_name(int reason)
{
    return reason >= 0 && reason < SLDS_ACCOUNT_NREASONS ? reason_names[reason] : "";
}

const char *slds_account_grade_name(int grade)
{
    return grade >= 0 && grade < SLDS_ACCOUNT_NGRADES ? grade_names[grade] : "";
}

const char *slds_account_level_name(slds_account_level l)
{
    return l == SLDS_LEVEL_STATE ? "state" : l == SLDS_LEVEL_LEA ? "lea" : "school";
}

void slds_account_options_default(slds_account_options *o)
{
    o->proficient_level = 3;
    o->test_type = "STATE";
}

static int grade_index(const char *code)
{
    for (int g = 1; code && g < SLDS_ACCOUNT_NGRADES; g++)
        if (!strcmp(grade_names[g], code))
            return g;
    return 0;
}

static int reason_index(const char *code)
{
    for (int r = 0; r < SLDS_NT_OTHER; r++)
        if (!strcmp(reason_names[r], code))
            return r;
    return SLDS_NT_OTHER;
}

/* ------------------------------------------------------------------ cube */

struct slds_account_cube {
    size_t nyears, nsubjects, nleas, nschools;
    int *years;
    char **subjects;
    slds_intern leas, schools; /* ids -> dense indices (sorted order kept in *_order) */
    uint32_t *lea_order, *school_order; /* position -> intern id, ascending ids */
    uint32_t *lea_rank, *school_rank;   /* intern id -> position */
    uint32_t *school_lea;               /* school intern id -> lea intern id */
    size_t nunits;                      /* 1 + nleas + nschools */
    /* The counts of each (year, subject) with results: [unit][grade][subgroup];
     * blocks[y * nsubjects + s], NULL when that year has no result in that
     * subject. Blocks are made as the pass meets them (pending), so the
     * years and subjects need no pass of their own. */
    slds_account_counts **blocks;
    struct pending_block {
        int year;
        char *subject;
        slds_account_counts *cells;
    } *pending;
    size_t npending;
    const int *want_years; /* nwant 0: every year */
    size_t nwant;
    slds_account_counts zero;
};

/* Index of a cell inside its (year, subject) block. */
static size_t cell_index(const slds_account_cube *c, size_t unit, int grade, int g)
{
    (void)c;
    return (unit * SLDS_ACCOUNT_NGRADES + (size_t)grade) * SLDS_ACCOUNT_NSUBGROUPS + (size_t)g;
}

static size_t block_cells(const slds_account_cube *c)
{
    return c->nunits * SLDS_ACCOUNT_NGRADES * SLDS_ACCOUNT_NSUBGROUPS;
}

void slds_account_cube_free(slds_account_cube *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nsubjects; i++)
        free(c->subjects[i]);
    free(c->subjects);
    free(c->years);
    for (size_t i = 0; i < c->npending; i++) {
        free(c->pending[i].subject);
        free(c->pending[i].cells);
    }
    free(c->pending);
    free(c->blocks);
    slds_intern_free(&c->leas);
    slds_intern_free(&c->schools);
    free(c->lea_order);
    free(c->school_order);
    free(c->lea_rank);
    free(c->school_rank);
    free(c->school_lea);
    free(c);
}

size_t slds_account_cube_nyears(const slds_account_cube *c) { return c->nyears; }
int slds_account_cube_year(const slds_account_cube *c, size_t i) { return c->years[i]; }
size_t slds_account_cube_nsubjects(const slds_account_cube *c) { return c->nsubjects; }
const char *slds_account_cube_subject(const slds_account_cube *c, size_t i) { return c->subjects[i]; }

size_t slds_account_cube_nunits(const slds_account_cube *c, slds_account_level l)
{
    return l == SLDS_LEVEL_STATE ? 1 : l == SLDS_LEVEL_LEA ? c->nleas : c->nschools;
}

const char *slds_account_cube_unit_id(const slds_account_cube *c, slds_account_level l, size_t i)
{
    if (l == SLDS_LEVEL_STATE)
        return "state";
    return l == SLDS_LEVEL_LEA ? slds_intern_str(&c->leas, c->lea_order[i])
                               : slds_intern_str(&c->schools, c->school_order[i]);
}

size_t slds_account_cube_school_lea(const slds_account_cube *c, size_t school)
{
    return c->lea_rank[c->school_lea[c->school_order[school]]];
}

/* Unit index of a level's i-th unit (in id order). */
static size_t unit_of(const slds_account_cube *c, slds_account_level l, size_t i)
{
    return l == SLDS_LEVEL_STATE ? 0 : l == SLDS_LEVEL_LEA ? 1 + c->lea_order[i]
                                                           : 1 + c->nleas + c->school_order[i];
}

const slds_account_counts *slds_account_cube_cell(const slds_account_cube *c, size_t year,
                                                  size_t subject, slds_account_level l,
                                                  size_t unit, int grade,
                                                  slds_account_subgroup g)
{
    if (year >= c->nyears || subject >= c->nsubjects || unit >= slds_account_cube_nunits(c, l) ||
        grade < 0 || grade >= SLDS_ACCOUNT_NGRADES || (unsigned)g >= SLDS_ACCOUNT_NSUBGROUPS)
        return &c->zero;
    const slds_account_counts *b = c->blocks[year * c->nsubjects + subject];
    return b ? &b[cell_index(c, unit_of(c, l, unit), grade, (int)g)] : &c->zero;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Positions in ascending id order for an intern table. */
typedef struct named_id {
    const char *s;
    uint32_t id;
} named_id;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named_id *)a)->s, ((const named_id *)b)->s);
}

static int order_ids(const slds_intern *t, uint32_t **order, uint32_t **rank)
{
    size_t n = t->count;
    *order = malloc((n ? n : 1) * sizeof **order);
    *rank = malloc((n ? n : 1) * sizeof **rank);
    named_id *v = malloc((n ? n : 1) * sizeof *v);
    if (!*order || !*rank || !v) {
        free(v);
        return SLDS_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        v[i] = (named_id){slds_intern_str(t, i), i};
    qsort(v, n, sizeof *v, cmp_named);
    for (uint32_t i = 0; i < n; i++) {
        (*order)[i] = v[i].id;
        (*rank)[v[i].id] = i;
    }
    free(v);
    return SLDS_OK;
}

static int read_schools(slds_store *s, slds_account_cube *c, slds_error *err)
{
    slds_cursor cur;
    int rc = slds_cursor_open(&cur, s, "SELECT school_id, lea_id FROM schools", err);
    if (rc)
        return rc;
    int r;
    size_t cap = 0;
    while ((r = slds_cursor_step(&cur, err)) == 1) {
        const char *sid = slds_cursor_text(&cur, 0), *lid = slds_cursor_text(&cur, 1);
        uint32_t si = slds_intern_add(&c->schools, sid, strlen(sid));
        uint32_t li = slds_intern_add(&c->leas, lid, strlen(lid));
        if (si == SLDS_NO_ID || li == SLDS_NO_ID ||
            (si >= cap && slds_grow_u32(&c->school_lea, &cap, si))) {
            slds_cursor_close(&cur);
            return slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
        }
        c->school_lea[si] = li;
    }
    slds_cursor_close(&cur);
    if (r < 0)
        return err->code;
    c->nleas = c->leas.count;
    c->nschools = c->schools.count;
    c->nunits = 1 + c->nleas + c->nschools;
    if (order_ids(&c->leas, &c->lea_order, &c->lea_rank) ||
        order_ids(&c->schools, &c->school_order, &c->school_rank))
        return slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
    return SLDS_OK;
}

/* ----------------------------------------------------- the merge pass */

/* One enrollment spell or attribute row of the current student. */
typedef struct spell {
    int year;
    uint32_t school; /* intern id, SLDS_NO_ID when the school is unknown */
    char entry[11], exit[11];
} spell;

typedef struct attrs {
    int year;
    int race;          /* subgroup index or -1 */
    char econ, swd, el; /* 'Y', 'N' or 0 */
} attrs;

/* A cursor over a table in student order, holding its current row. */
typedef struct stream {
    slds_cursor cur;
    int state; /* 1 row ready, 0 done */
} stream;

static int stream_next(stream *st, slds_error *err)
{
    st->state = slds_cursor_step(&st->cur, err);
    return st->state < 0 ? err->code : SLDS_OK;
}

/* The current student's best result for one year and subject. */
typedef struct result {
    bool have;
    int year;
    char subject[64];
    int grade;
    int level;  /* performance level, -1 when not tested or blank */
    int reason; /* -1 when tested */
    char test_date[11];
} result;

typedef struct pass {
    slds_account_cube *c;
    const slds_account_options *o;
    slds_account_counts *last; /* the block tally used last (rows come in runs) */
    int last_year;
    char last_subject[64];
    bool nomem;
    spell *spells;
    size_t nspells, spells_cap;
    attrs *attrs;
    size_t nattrs, attrs_cap;
} pass;

static bool better(const result *a, const result *b) /* a replaces b? */
{
    if ((a->reason < 0) != (b->reason < 0))
        return a->reason < 0;
    return a->level > b->level;
}

static uint32_t school_on(const pass *p, int year, const char *date)
{
    const spell *open = NULL, *last = NULL;
    for (size_t i = 0; i < p->nspells; i++) {
        const spell *sp = &p->spells[i];
        if (sp->year != year)
            continue;
        if (!last || strcmp(sp->entry, last->entry) > 0)
            last = sp;
        if (strcmp(sp->entry, date) <= 0 && (!sp->exit[0] || strcmp(sp->exit, date) >= 0))
            if (!open || strcmp(sp->entry, open->entry) > 0)
                open = sp;
    }
    return open ? open->school : last ? last->school : SLDS_NO_ID;
}

static void add_counts(slds_account_counts *k, const result *r, int plevel)
{
    k->students++;
    if (r->reason >= 0)
        k->not_tested[r->reason]++;
    else {
        k->tested++;
        k->proficient += r->level >= plevel;
    }
}

/* The block of (year, subject), made when first met; NULL when the year is
 * not wanted or out of memory (*nomem set). */
static slds_account_counts *block_of(pass *p, int year, const char *subject, bool *nomem)
{
    slds_account_cube *c = p->c;
    if (p->last && p->last_year == year && !strcmp(p->last_subject, subject))
        return p->last;
    bool wanted = c->nwant == 0;
    for (size_t i = 0; i < c->nwant; i++)
        wanted = wanted || c->want_years[i] == year;
    if (!wanted)
        return NULL;
    struct pending_block *b = NULL;
    for (size_t i = 0; !b && i < c->npending; i++)
        if (c->pending[i].year == year && !strcmp(c->pending[i].subject, subject))
            b = &c->pending[i];
    if (!b) {
        struct pending_block *q = realloc(c->pending, (c->npending + 1) * sizeof *q);
        if (!q) {
            *nomem = true;
            return NULL;
        }
        c->pending = q;
        b = &c->pending[c->npending];
        b->year = year;
        b->subject = strdup(subject);
        b->cells = calloc(block_cells(c) ? block_cells(c) : 1, sizeof *b->cells);
        if (!b->subject || !b->cells) {
            free(b->subject);
            free(b->cells);
            *nomem = true;
            return NULL;
        }
        c->npending++;
    }
    p->last = b->cells;
    p->last_year = year;
    snprintf(p->last_subject, sizeof p->last_subject, "%s", subject);
    return b->cells;
}

static void tally(pass *p, const result *r)
{
    slds_account_cube *c = p->c;
    slds_account_counts *cells = block_of(p, r->year, r->subject, &p->nomem);
    if (!cells)
        return;
    uint32_t school = school_on(p, r->year, r->test_date);
    size_t unit = school == SLDS_NO_ID ? 0 : 1 + c->nleas + school;
    int groups[5], ng = 0;
    groups[ng++] = SLDS_SUBGROUP_ALL;
    for (size_t i = 0; i < p->nattrs; i++) {
        const attrs *a = &p->attrs[i];
        if (a->year != r->year)
            continue;
        if (a->econ)
            groups[ng++] = a->econ == 'Y' ? SLDS_SUBGROUP_ECON : SLDS_SUBGROUP_NOT_ECON;
        if (a->race >= 0)
            groups[ng++] = a->race;
        if (a->swd)
            groups[ng++] = a->swd == 'Y' ? SLDS_SUBGROUP_SWD : SLDS_SUBGROUP_NOT_SWD;
        if (a->el)
            groups[ng++] = a->el == 'Y' ? SLDS_SUBGROUP_EL : SLDS_SUBGROUP_NOT_EL;
        break;
    }
    /* its grade's cells only (a result of no known grade: the all-grades
     * cells); sum_grades adds the grades into "all" after the pass, so each
     * result touches half the memory (the cells are far apart: cache misses
     * were most of the pass) */
    for (int k = 0; k < ng; k++)
        add_counts(&cells[cell_index(c, unit, r->grade, groups[k])], r, p->o->proficient_level);
}

static char flag_yn(const char *v)
{
    return v && (v[0] == 'Y' || v[0] == 'N') && !v[1] ? v[0] : 0;
}

/* Reads the rows of stream st whose student id equals id (st is positioned
 * on the first row not below id after the call). */
static int gather_spells(pass *p, stream *st, const char *id, slds_error *err)
{
    p->nspells = 0;
    int cmp;
    while (st->state == 1 && (cmp = strcmp(slds_cursor_text(&st->cur, 0), id)) <= 0) {
        if (cmp == 0) {
            if (p->nspells == p->spells_cap) {
                size_t cap = p->spells_cap ? 2 * p->spells_cap : 8;
                spell *q = realloc(p->spells, cap * sizeof *q);
                if (!q)
                    return slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
                p->spells = q;
                p->spells_cap = cap;
            }
            spell *sp = &p->spells[p->nspells++];
            const char *sid = slds_cursor_text(&st->cur, 1);
            sp->school = slds_intern_find(&p->c->schools, sid, strlen(sid));
            sp->year = (int)slds_cursor_int(&st->cur, 2);
            const char *e = slds_cursor_text(&st->cur, 3), *x = slds_cursor_text(&st->cur, 4);
            snprintf(sp->entry, sizeof sp->entry, "%s", e ? e : "");
            snprintf(sp->exit, sizeof sp->exit, "%s", x ? x : "");
        }
        int rc = stream_next(st, err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

static int gather_attrs(pass *p, stream *st, const char *id, slds_error *err)
{
    p->nattrs = 0;
    int cmp;
    while (st->state == 1 && (cmp = strcmp(slds_cursor_text(&st->cur, 0), id)) <= 0) {
        if (cmp == 0) {
            if (p->nattrs == p->attrs_cap) {
                size_t cap = p->attrs_cap ? 2 * p->attrs_cap : 8;
                attrs *q = realloc(p->attrs, cap * sizeof *q);
                if (!q)
                    return slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
                p->attrs = q;
                p->attrs_cap = cap;
            }
            attrs *a = &p->attrs[p->nattrs++];
            a->year = (int)slds_cursor_int(&st->cur, 1);
            const char *race = slds_cursor_text(&st->cur, 2);
            a->race = race ? slds_account_subgroup_find(race) : -1;
            if (a->race < SLDS_SUBGROUP_HISPANIC || a->race > SLDS_SUBGROUP_TWO_OR_MORE)
                a->race = -1;
            a->econ = flag_yn(slds_cursor_text(&st->cur, 3));
            a->swd = flag_yn(slds_cursor_text(&st->cur, 4));
            a->el = flag_yn(slds_cursor_text(&st->cur, 5));
        }
        int rc = stream_next(st, err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

static int merge_pass(slds_store *s, pass *p, slds_error *err)
{
    stream a = {0}, e = {0}, t = {0};
    int rc = slds_cursor_open(&a.cur, s,
                              "SELECT student_id, school_year, subject, grade_tested,"
                              " performance_level, not_tested_reason, test_date FROM assessments"
                              " WHERE test_type = ?1 ORDER BY student_id",
                              err);
    rc = rc ? rc
            : slds_cursor_open(&e.cur, s,
                               "SELECT student_id, school_id, school_year, entry_date, exit_date"
                               " FROM enrollments ORDER BY student_id",
                               err);
    rc = rc ? rc
            : slds_cursor_open(&t.cur, s,
                               "SELECT student_id, school_year, race_ethnicity, econ_disadvantaged,"
                               " disability, english_learner FROM student_attributes"
                               " ORDER BY student_id",
                               err);
    if (!rc) {
        slds_cursor_bind_text(&a.cur, 1, p->o->test_type);
        rc = stream_next(&a, err);
    }
    rc = rc ? rc : stream_next(&e, err);
    rc = rc ? rc : stream_next(&t, err);
    char student[128] = "";
    result *best = NULL; /* the current student's results, one per year and subject */
    size_t nbest = 0, best_cap = 0;
    while (!rc && a.state == 1) {
        const char *id = slds_cursor_text(&a.cur, 0);
        if (strcmp(id, student)) {
            for (size_t i = 0; i < nbest; i++)
                tally(p, &best[i]);
            nbest = 0;
            snprintf(student, sizeof student, "%s", id);
            rc = gather_spells(p, &e, student, err);
            rc = rc ? rc : gather_attrs(p, &t, student, err);
            if (rc)
                break;
        }
        result r = {.have = true, .year = (int)slds_cursor_int(&a.cur, 1)};
        const char *subj = slds_cursor_text(&a.cur, 2), *reason = slds_cursor_text(&a.cur, 5);
        snprintf(r.subject, sizeof r.subject, "%s", subj ? subj : "");
        r.grade = grade_index(slds_cursor_text(&a.cur, 3));
        r.level = slds_cursor_is_null(&a.cur, 4) ? -1 : (int)slds_cursor_int(&a.cur, 4);
        r.reason = reason && *reason ? reason_index(reason) : -1;
        const char *d = slds_cursor_text(&a.cur, 6);
        snprintf(r.test_date, sizeof r.test_date, "%s", d ? d : "");
        size_t k = 0;
        while (k < nbest && (best[k].year != r.year || strcmp(best[k].subject, r.subject)))
            k++;
        if (k == nbest) {
            if (nbest == best_cap) {
                size_t cap = best_cap ? 2 * best_cap : 8;
                result *q = realloc(best, cap * sizeof *q);
                if (!q) {
                    rc = slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
                    break;
                }
                best = q;
                best_cap = cap;
            }
            best[nbest++] = r;
        } else if (better(&r, &best[k]))
            best[k] = r;
        rc = stream_next(&a, err);
    }
    for (size_t i = 0; !rc && i < nbest; i++)
        tally(p, &best[i]);
    free(best);
    slds_cursor_close(&a.cur);
    slds_cursor_close(&e.cur);
    slds_cursor_close(&t.cur);
    return rc;
}

static void add_into(slds_account_counts *to, const slds_account_counts *f)
{
    to->students += f->students;
    to->tested += f->tested;
    to->proficient += f->proficient;
    for (int r = 0; r < SLDS_ACCOUNT_NREASONS; r++)
        to->not_tested[r] += f->not_tested[r];
}

/* Every unit's all-grades cells: its results of no known grade (tallied
 * there) plus each grade's. Before roll_up, which then carries both. */
static void sum_grades(slds_account_cube *c)
{
    for (size_t b = 0; b < c->nyears * c->nsubjects; b++) {
        slds_account_counts *cells = c->blocks[b];
        if (!cells)
            continue;
        for (size_t u = 0; u < c->nunits; u++)
            for (int grade = 1; grade < SLDS_ACCOUNT_NGRADES; grade++)
                for (int g = 0; g < SLDS_ACCOUNT_NSUBGROUPS; g++) {
                    const slds_account_counts *f = &cells[cell_index(c, u, grade, g)];
                    if (f->students)
                        add_into(&cells[cell_index(c, u, 0, g)], f);
                }
    }
}

/* Adds every school's cells into its district and the state. */
static void roll_up(slds_account_cube *c)
{
    size_t per_unit = SLDS_ACCOUNT_NGRADES * SLDS_ACCOUNT_NSUBGROUPS;
    for (size_t b = 0; b < c->nyears * c->nsubjects; b++) {
        slds_account_counts *cells = c->blocks[b];
        if (!cells)
            continue;
        for (size_t sc = 0; sc < c->nschools; sc++) {
            size_t from = cell_index(c, 1 + c->nleas + sc, 0, 0);
            size_t lea = cell_index(c, 1 + c->school_lea[sc], 0, 0);
            size_t state = cell_index(c, 0, 0, 0);
            for (size_t k = 0; k < per_unit; k++) {
                const slds_account_counts *f = &cells[from + k];
                if (!f->students)
                    continue;
                add_into(&cells[lea + k], f);
                add_into(&cells[state + k], f);
            }
        }
    }
}

/* The years and subjects met, in ascending order, and the block table. */
static int finish_blocks(slds_account_cube *c)
{
    for (size_t i = 0; i < c->npending; i++) {
        const struct pending_block *b = &c->pending[i];
        bool y_known = false, s_known = false;
        for (size_t k = 0; k < c->nyears; k++)
            y_known = y_known || c->years[k] == b->year;
        for (size_t k = 0; k < c->nsubjects; k++)
            s_known = s_known || !strcmp(c->subjects[k], b->subject);
        if (!y_known) {
            int *p = realloc(c->years, (c->nyears + 1) * sizeof *p);
            if (!p)
                return SLDS_ERR_NOMEM;
            c->years = p;
            c->years[c->nyears++] = b->year;
        }
        if (!s_known) {
            char **p = realloc(c->subjects, (c->nsubjects + 1) * sizeof *p);
            if (!p)
                return SLDS_ERR_NOMEM;
            c->subjects = p;
            if (!(c->subjects[c->nsubjects] = strdup(b->subject)))
                return SLDS_ERR_NOMEM;
            c->nsubjects++;
        }
    }
    if (c->nyears) /* no results at all: NULL arrays, nothing to sort */
        qsort(c->years, c->nyears, sizeof *c->years, cmp_int);
    if (c->nsubjects)
        qsort(c->subjects, c->nsubjects, sizeof *c->subjects, cmp_str);
    size_t n = c->nyears * c->nsubjects;
    c->blocks = calloc(n ? n : 1, sizeof *c->blocks);
    if (!c->blocks)
        return SLDS_ERR_NOMEM;
    for (size_t i = 0; i < c->npending; i++) {
        size_t y = 0, s = 0;
        while (c->years[y] != c->pending[i].year)
            y++;
        while (strcmp(c->subjects[s], c->pending[i].subject))
            s++;
        c->blocks[y * c->nsubjects + s] = c->pending[i].cells;
    }
    return SLDS_OK;
}

int slds_account_cube_compute(slds_store *s, const int *years, size_t nyears,
                              const slds_account_options *o, slds_account_cube **out,
                              slds_error *err)
{
    slds_account_options dflt;
    if (!o) {
        slds_account_options_default(&dflt);
        o = &dflt;
    }
    *out = NULL;
    slds_account_cube *c = calloc(1, sizeof *c);
    if (!c)
        return slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
    c->want_years = years;
    c->nwant = nyears;
    int rc = read_schools(s, c, err);
    if (!rc) {
        pass p = {.c = c, .o = o};
        rc = merge_pass(s, &p, err);
        if (!rc && p.nomem)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory (%zu cells a year and subject)",
                           block_cells(c));
        free(p.spells);
        free(p.attrs);
    }
    if (!rc && finish_blocks(c))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
    c->want_years = NULL;
    c->nwant = 0;
    if (rc) {
        slds_account_cube_free(c);
        return rc;
    }
    sum_grades(c);
    roll_up(c);
    *out = c;
    return SLDS_OK;
}

int slds_account_proficiency(slds_store *s, const int *years, size_t nyears,
                             const slds_account_options *o, slds_account_school_rate **rows,
                             size_t *nrows, slds_error *err)
{
    *rows = NULL;
    *nrows = 0;
    slds_account_cube *c;
    int rc = slds_account_cube_compute(s, years, nyears, o, &c, err);
    if (rc)
        return rc;
    size_t cap = c->nschools * c->nyears * c->nsubjects;
    slds_account_school_rate *r = calloc(cap ? cap : 1, sizeof *r);
    if (!r) {
        slds_account_cube_free(c);
        return slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
    }
    size_t n = 0;
    for (size_t sc = 0; sc < c->nschools; sc++)
        for (size_t y = 0; y < c->nyears; y++)
            for (size_t sj = 0; sj < c->nsubjects; sj++) {
                const slds_account_counts *k =
                    slds_account_cube_cell(c, y, sj, SLDS_LEVEL_SCHOOL, sc, 0, SLDS_SUBGROUP_ALL);
                if (!k->students)
                    continue;
                slds_account_school_rate *row = &r[n++];
                snprintf(row->school_id, sizeof row->school_id, "%s",
                         slds_account_cube_unit_id(c, SLDS_LEVEL_SCHOOL, sc));
                snprintf(row->lea_id, sizeof row->lea_id, "%s",
                         slds_account_cube_unit_id(c, SLDS_LEVEL_LEA,
                                                   slds_account_cube_school_lea(c, sc)));
                row->school_year = c->years[y];
                snprintf(row->subject, sizeof row->subject, "%s", c->subjects[sj]);
                row->students = k->students;
                row->tested = k->tested;
                row->proficient = k->proficient;
                row->rate = k->tested ? (double)k->proficient / k->tested : NAN;
            }
    slds_account_cube_free(c);
    *rows = r;
    *nrows = n;
    return SLDS_OK;
}

/* ------------------------------------------------------------ the cache */

struct slds_account_cube_cache {
    pthread_mutex_t lock;
    bool done;
    int rc;
    slds_error err;
    slds_account_cube *cube;
    double seconds;
};

int slds_account_cube_cache_new(slds_account_cube_cache **out, slds_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory");
    pthread_mutex_init(&(*out)->lock, NULL);
    return SLDS_OK;
}

void slds_account_cube_cache_free(slds_account_cube_cache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    slds_account_cube_free(c->cube);
    free(c);
}

int slds_account_cube_cache_get(slds_account_cube_cache *c, slds_store *s,
                                const slds_account_cube **out, slds_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&c->lock); /* held while computing: the others wait for it */
    if (!c->done) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        c->rc = slds_account_cube_compute(s, NULL, 0, NULL, &c->cube, &c->err);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        c->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        c->done = true;
    }
    int rc = c->rc;
    if (rc && err)
        *err = c->err;
    *out = c->cube;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

double slds_account_cube_cache_seconds(const slds_account_cube_cache *c)
{
    return c ? c->seconds : 0;
}
