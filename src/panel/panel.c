/* panel.c - the panel's life cycle and accessors (see panel.h): the scores
 * first (they number the students), then each part asked for, by the
 * readers[] table; the extension point for new parts is that table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

typedef int (*part_reader)(slds_store *s, const slds_panel_options *o, slds_panel *p,
                           slds_error *err);

static const struct {
    unsigned part;
    const char *stage;
    part_reader read;
} readers[] = {
    {SLDS_PANEL_ROSTERS, "reading rosters", panel_read_rosters},
    {SLDS_PANEL_ENROLLMENTS, "reading enrollments", panel_read_enrollments},
    {SLDS_PANEL_ATTRIBUTES, "reading attributes", panel_read_attributes},
    {SLDS_PANEL_DEMOGRAPHICS, "reading demographics", panel_read_demographics},
};

void slds_panel_options_default(slds_panel_options *o)
{
    memset(o, 0, sizeof *o);
}

int slds_panel_read(slds_store *s, const slds_panel_options *o, slds_panel *p,
                    const slds_progress *progress, slds_error *err)
{
    memset(p, 0, sizeof *p);
    int lo = o->year_lo, hi = o->year_hi;
    if (hi < lo)
        return slds_fail(err, SLDS_ERR_USAGE, "panel years %d..%d are empty", lo, hi);
    if (hi - lo + 1 > SLDS_PANEL_MAX_YEARS)
        lo = hi - SLDS_PANEL_MAX_YEARS + 1;
    p->year = o->year;
    p->year_lo = lo;
    p->n_years = hi - lo + 1;
    p->parts = o->parts;
    p->parts_lo = o->parts_lo > lo ? o->parts_lo : lo;
    p->parts_hi = o->parts_hi && o->parts_hi < hi ? o->parts_hi : hi;
    int rc = panel_read_scores(s, o, p, progress, err);
    for (size_t k = 0; k < sizeof readers / sizeof readers[0] && !rc; k++)
        if (o->parts & readers[k].part) {
            slds_progress_report(progress, readers[k].stage, 0, 0);
            rc = readers[k].read(s, o, p, err);
        }
    return rc;
}

void slds_panel_free(slds_panel *p)
{
    for (int s = 0; s < p->n_subjects; s++) {
        slds_panel_subject *sub = p->subjects[s];
        for (int y = 0; y < SLDS_PANEL_MAX_YEARS; y++) {
            free(sub->score[y]);
            free(sub->grade[y]);
            free(sub->test_date[y]);
        }
        free(sub);
    }
    for (int f = 0; f < SLDS_PANEL_N_FLAGS; f++)
        for (int y = 0; y < SLDS_PANEL_MAX_YEARS; y++)
            free(p->flags[f][y]);
    for (int y = 0; y < SLDS_PANEL_MAX_YEARS; y++)
        free(p->race[y]);
    free(p->sex);
    slds_intern_free(&p->codes);
    free(p->link_start);
    free(p->links);
    free(p->spell_start);
    free(p->spells);
    free(p->lea_of);
    slds_intern_free(&p->ids);
    slds_intern_free(&p->staff_ids);
    slds_intern_free(&p->places);
    memset(p, 0, sizeof *p);
}

int panel_walk(slds_store *s, slds_panel *p, const char *sql, panel_row_fn fn, void *ctx,
               slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(&c, s, sql, err), r = 0;
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, p->parts_lo);
    slds_cursor_bind_int(&c, 2, p->parts_hi);
    while (!rc && (r = slds_cursor_step(&c, err)) == 1) {
        const char *id = slds_cursor_text(&c, 0);
        uint32_t i = id ? slds_intern_find(&p->ids, id, strlen(id)) : SLDS_NO_ID;
        if (i != SLDS_NO_ID)
            rc = fn(ctx, p, &c, i, err);
    }
    slds_cursor_close(&c);
    return rc ? rc : r < 0 ? SLDS_ERR_DB : SLDS_OK;
}

void *panel_rows_push(panel_rows *r, uint32_t i, slds_error *err)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4096;
        unsigned char *v = realloc(r->v, cap * r->size);
        if (v)
            r->v = v;
        uint32_t *o = realloc(r->owner, cap * sizeof *o);
        if (o)
            r->owner = o;
        if (!v || !o) {
            slds_fail(err, SLDS_ERR_NOMEM, "out of memory for %zu panel rows", cap);
            return NULL;
        }
        r->cap = cap;
    }
    r->owner[r->n] = i;
    return r->v + r->n++ * r->size;
}

void panel_rows_free(panel_rows *r)
{
    free(r->v);
    free(r->owner);
    r->v = NULL;
    r->owner = NULL;
    r->n = r->cap = 0;
}

int panel_rows_group(panel_rows *r, int rc, size_t n, size_t **start, void **out, size_t *count,
                     slds_error *err)
{
    *count = r->n;
    if (rc) {
        panel_rows_free(r);
        return rc;
    }
    size_t *next = malloc((n ? n : 1) * sizeof *next);
    *start = calloc(n + 1, sizeof **start);
    *out = malloc((r->n ? r->n : 1) * r->size);
    if (!next || !*start || !*out)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory for %zu panel rows", r->n);
    if (!rc) {
        for (size_t k = 0; k < r->n; k++)
            (*start)[r->owner[k] + 1]++;
        for (size_t i = 0; i < n; i++)
            (*start)[i + 1] += (*start)[i];
        memcpy(next, *start, n * sizeof *next);
        for (size_t k = 0; k < r->n; k++)
            memcpy((unsigned char *)*out + next[r->owner[k]]++ * r->size, r->v + k * r->size,
                   r->size);
    }
    free(next);
    panel_rows_free(r);
    return rc;
}

/* ------------------------------------------------------------- accessors */

size_t slds_panel_students(const slds_panel *p)
{
    return p->ids.count;
}

const char *slds_panel_id(const slds_panel *p, uint32_t i)
{
    return slds_intern_str(&p->ids, i);
}

uint32_t slds_panel_find(const slds_panel *p, const char *student_id)
{
    return slds_intern_find(&p->ids, student_id, strlen(student_id));
}

int slds_panel_subject_index(const slds_panel *p, const char *name)
{
    for (int s = 0; s < p->n_subjects; s++)
        if (!strcmp(p->subjects[s]->name, name))
            return s;
    return -1;
}

int slds_panel_year(const slds_panel *p, int year)
{
    int y = year - p->year_lo;
    return y >= 0 && y < p->n_years ? y : -1;
}

double slds_panel_score(const slds_panel *p, int s, int year, size_t i)
{
    int y = slds_panel_year(p, year);
    if (y < 0 || !p->subjects[s]->score[y])
        return NAN;
    return p->subjects[s]->score[y][i];
}

int slds_panel_grade(const slds_panel *p, int s, int year, size_t i)
{
    int y = slds_panel_year(p, year);
    if (y < 0 || !p->subjects[s]->grade[y])
        return -1;
    return p->subjects[s]->grade[y][i];
}

int32_t slds_panel_test_date(const slds_panel *p, int s, int year, size_t i)
{
    int y = slds_panel_year(p, year);
    if (y < 0 || !p->subjects[s]->test_date[y])
        return SLDS_PANEL_NO_DAY;
    return p->subjects[s]->test_date[y][i];
}

double slds_panel_prior(const slds_panel *p, int s, int year, int lag, size_t i)
{
    return slds_panel_score(p, s, year - lag, i);
}

size_t slds_panel_count(const slds_panel *p, int s, int year, int grade)
{
    int y = slds_panel_year(p, year);
    if (y < 0 || grade < 0 || grade >= SLDS_PANEL_MAX_GRADE)
        return 0;
    return p->subjects[s]->count[y][grade];
}

size_t slds_panel_count_subject(const slds_panel *p, int s)
{
    int y = slds_panel_year(p, p->year);
    size_t n = 0;
    for (int g = 0; y >= 0 && g < SLDS_PANEL_MAX_GRADE; g++)
        n += p->subjects[s]->count[y][g];
    return n;
}

const slds_panel_link *slds_panel_links(const slds_panel *p, size_t i, size_t *n)
{
    if (!p->link_start || i >= slds_panel_students(p)) {
        *n = 0;
        return NULL;
    }
    *n = p->link_start[i + 1] - p->link_start[i];
    return p->links + p->link_start[i];
}

double slds_panel_dosage(const slds_panel *p, size_t i, int s, int year)
{
    size_t n;
    const slds_panel_link *l = slds_panel_links(p, i, &n);
    int y = slds_panel_year(p, year);
    double sum = 0.0;
    for (size_t k = 0; k < n; k++)
        if (l[k].year_offset == y && l[k].subject == s)
            sum += l[k].dosage;
    return sum;
}

const char *slds_panel_staff_id(const slds_panel *p, uint32_t staff)
{
    return staff == SLDS_NO_ID ? NULL : slds_intern_str(&p->staff_ids, staff);
}

uint32_t slds_panel_school_on(const slds_panel *p, size_t i, int year, int32_t day)
{
    int y = slds_panel_year(p, year);
    if (!p->spell_start || y < 0 || i >= slds_panel_students(p))
        return SLDS_NO_ID;
    uint32_t best = SLDS_NO_ID;
    int best_on = -1;
    int32_t best_entry = 0;
    for (size_t k = p->spell_start[i]; k < p->spell_start[i + 1]; k++) {
        const slds_panel_spell *sp = &p->spells[k];
        if (sp->year_offset != y)
            continue;
        int on = day != SLDS_PANEL_NO_DAY && sp->entry <= day &&
                 (sp->exit == SLDS_PANEL_NO_DAY || sp->exit >= day);
        if (on > best_on || (on == best_on && sp->entry > best_entry)) {
            best = sp->school;
            best_on = on;
            best_entry = sp->entry;
        }
    }
    return best;
}

uint32_t slds_panel_lea_of(const slds_panel *p, uint32_t school)
{
    return school != SLDS_NO_ID && school < p->n_lea_of ? p->lea_of[school] : SLDS_NO_ID;
}

const char *slds_panel_place_id(const slds_panel *p, uint32_t place)
{
    return place == SLDS_NO_ID ? NULL : slds_intern_str(&p->places, place);
}

const char *slds_panel_race(const slds_panel *p, int year, size_t i)
{
    int y = slds_panel_year(p, year);
    if (y < 0 || !p->race[y] || i >= slds_panel_students(p) || p->race[y][i] == SLDS_NO_ID)
        return NULL;
    return slds_intern_str(&p->codes, p->race[y][i]);
}

const char *slds_panel_sex(const slds_panel *p, size_t i)
{
    if (!p->sex || i >= slds_panel_students(p) || p->sex[i] == SLDS_NO_ID)
        return NULL;
    return slds_intern_str(&p->codes, p->sex[i]);
}

int slds_panel_flag_of(const slds_panel *p, slds_panel_flag f, int year, size_t i)
{
    int y = slds_panel_year(p, year);
    if (f < 0 || f >= SLDS_PANEL_N_FLAGS || y < 0 || !p->flags[f][y] || i >= slds_panel_students(p))
        return -1;
    return p->flags[f][y][i];
}
