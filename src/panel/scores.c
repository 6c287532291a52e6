/* scores.c - the scale scores of the panel, read from table assessments in
 * one pass into dense arrays: per subject and year, one score, grade and
 * test date per student.
 *
 * The query walks the table in primary-key order (student_id first), so a
 * student's rows arrive together: they are buffered, reduced to one score per
 * subject and year (the latest test date, then the higher score), and kept
 * only when the student was tested in one of the years asked for, so
 * students who left long ago cost nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panel/internal.h"

enum { BUFFERED_MAX = 256 };

typedef struct buffered {
    int subject, year, grade;
    int32_t date;
    double score;
} buffered;

typedef struct reader {
    slds_panel *p;
    const slds_panel_options *o;
    char id[256];
    size_t id_len;
    int n;
    buffered rows[BUFFERED_MAX];
} reader;

int32_t panel_day(const slds_cursor *c, int col)
{
    const char *s = slds_cursor_text(c, col);
    int64_t d;
    if (!s || !slds_date_parse(s, strlen(s), &d))
        return SLDS_PANEL_NO_DAY;
    return (int32_t)d;
}

/* "03" -> 3; -1 for anything but one or two digits (PK, KG, end of course). */
static int parse_grade(const char *s)
{
    if (!s || !s[0] || s[0] < '0' || s[0] > '9')
        return -1;
    if (!s[1])
        return s[0] - '0';
    if (s[1] < '0' || s[1] > '9' || s[2])
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Whether the arrays of year offset y keep test dates. */
static int keeps_dates(const slds_panel *p, const slds_panel_options *o, int y)
{
    return o->all_test_dates || p->year_lo + y == p->year;
}

/* Allocates the arrays of subject sub and year offset y (when first used). */
static int year_arrays(slds_panel *p, const slds_panel_options *o, slds_panel_subject *sub, int y,
                       slds_error *err)
{
    if (sub->score[y])
        return SLDS_OK;
    sub->score[y] = malloc(p->cap * sizeof *sub->score[y]);
    sub->grade[y] = malloc(p->cap);
    int dates = keeps_dates(p, o, y);
    if (dates)
        sub->test_date[y] = malloc(p->cap * sizeof *sub->test_date[y]);
    if (!sub->score[y] || !sub->grade[y] || (dates && !sub->test_date[y]))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for the scores of %s", sub->name);
    for (size_t i = 0; i < p->cap; i++) {
        sub->score[y][i] = NAN;
        if (dates)
            sub->test_date[y][i] = SLDS_PANEL_NO_DAY;
    }
    memset(sub->grade[y], -1, p->cap);
    return SLDS_OK;
}

/* Makes room for student index i in every array. */
static int reserve(slds_panel *p, size_t i, slds_error *err)
{
    if (i < p->cap)
        return SLDS_OK;
    size_t cap = p->cap ? p->cap * 2 : 65536;
    while (cap <= i)
        cap *= 2;
    for (int s = 0; s < p->n_subjects; s++) {
        slds_panel_subject *sub = p->subjects[s];
        for (int y = 0; y < p->n_years; y++) {
            if (!sub->score[y])
                continue;
            double *sc = realloc(sub->score[y], cap * sizeof *sc);
            if (sc)
                sub->score[y] = sc;
            signed char *g = realloc(sub->grade[y], cap);
            if (g)
                sub->grade[y] = g;
            int32_t *d = NULL;
            if (sub->test_date[y]) {
                d = realloc(sub->test_date[y], cap * sizeof *d);
                if (d)
                    sub->test_date[y] = d;
            }
            if (!sc || !g || (sub->test_date[y] && !d))
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for %zu students", cap);
            for (size_t k = p->cap; k < cap; k++) {
                sc[k] = NAN;
                if (d)
                    d[k] = SLDS_PANEL_NO_DAY;
            }
            memset(g + p->cap, -1, cap - p->cap);
        }
    }
    p->cap = cap;
    return SLDS_OK;
}

static int subject_index(slds_panel *p, const char *name, slds_error *err)
{
    for (int s = 0; s < p->n_subjects; s++)
        if (!strcmp(p->subjects[s]->name, name))
            return s;
    if (p->n_subjects >= SLDS_PANEL_MAX_SUBJECTS)
        return -slds_fail(err, SLDS_ERR_DATA, "assessments: more than %d subjects",
                          SLDS_PANEL_MAX_SUBJECTS);
    if (strlen(name) >= SLDS_PANEL_NAME_MAX)
        return -slds_fail(err, SLDS_ERR_DATA, "assessments: subject '%.40s...' is too long", name);
    slds_panel_subject *sub = calloc(1, sizeof *sub);
    if (!sub)
        return -slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    strcpy(sub->name, name);
    p->subjects[p->n_subjects] = sub;
    return p->n_subjects++;
}

/* True when row a should be kept instead of b (same subject and year). */
static int better(const buffered *a, const buffered *b)
{
    if (a->date != b->date)
        return a->date > b->date;
    return a->score > b->score;
}

static int kept(const slds_panel_options *o, int year)
{
    if (!o->keep_years[0])
        return 1;
    for (int k = 0; k < SLDS_PANEL_MAX_KEEP && o->keep_years[k]; k++)
        if (o->keep_years[k] == year)
            return 1;
    return 0;
}

/* The buffered student is kept when tested in one of the years kept. */
static int flush(reader *rd, slds_error *err)
{
    slds_panel *p = rd->p;
    int keep = 0;
    for (int k = 0; k < rd->n && !keep; k++)
        keep = kept(rd->o, rd->rows[k].year);
    if (!keep || !rd->n) {
        rd->n = 0;
        return SLDS_OK;
    }
    uint32_t i = slds_intern_add(&p->ids, rd->id, rd->id_len);
    if (i == SLDS_NO_ID)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for student ids");
    int rc = reserve(p, i, err);
    for (int k = 0; k < rd->n && !rc; k++) {
        const buffered *b = &rd->rows[k];
        int superseded = 0;
        for (int j = 0; j < rd->n && !superseded; j++)
            if (j != k && rd->rows[j].subject == b->subject && rd->rows[j].year == b->year)
                superseded = better(&rd->rows[j], b) || (j < k && !better(b, &rd->rows[j]));
        if (superseded)
            continue;
        slds_panel_subject *sub = p->subjects[b->subject];
        int y = b->year - p->year_lo;
        if ((rc = year_arrays(p, rd->o, sub, y, err)))
            break;
        sub->score[y][i] = b->score;
        sub->grade[y][i] = (signed char)b->grade;
        if (sub->test_date[y])
            sub->test_date[y][i] = b->date;
        sub->count[y][b->grade]++;
    }
    rd->n = 0;
    return rc;
}

static int take_row(reader *rd, const slds_cursor *c, slds_error *err)
{
    slds_panel *p = rd->p;
    const char *id = slds_cursor_text(c, 0);
    size_t id_len = id ? strlen(id) : 0;
    if (!id_len || id_len >= sizeof rd->id)
        return SLDS_OK;
    if (id_len != rd->id_len || memcmp(id, rd->id, id_len) != 0) {
        int rc = flush(rd, err);
        if (rc)
            return rc;
        memcpy(rd->id, id, id_len);
        rd->id[id_len] = '\0';
        rd->id_len = id_len;
    }
    p->rows_read++;
    int grade = parse_grade(slds_cursor_text(c, 3));
    if (grade < 0) {
        p->rows_bad_grade++;
        return SLDS_OK;
    }
    const char *subject = slds_cursor_text(c, 2);
    int s = subject_index(p, subject ? subject : "", err);
    if (s < 0)
        return -s;
    if (rd->n == BUFFERED_MAX)
        return slds_fail(err, SLDS_ERR_DATA, "assessments: student %s has more than %d scores",
                         rd->id, BUFFERED_MAX);
    buffered *b = &rd->rows[rd->n++];
    b->subject = s;
    b->year = (int)slds_cursor_int(c, 1);
    b->grade = grade;
    b->score = slds_cursor_double(c, 4);
    b->date = panel_day(c, 5);
    if (rd->o->on_score)
        return rd->o->on_score(rd->o->on_score_ctx, p->subjects[s]->name, b->year, grade, b->score,
                               err);
    return SLDS_OK;
}

#define SUBJECT_LESS(a, b) (strcmp((a)->name, (b)->name) < 0)

int panel_read_scores(slds_store *s, const slds_panel_options *o, slds_panel *p,
                      const slds_progress *progress, slds_error *err)
{
    slds_cursor c;
    int rc = slds_cursor_open(
        &c, s,
        "SELECT student_id, school_year, subject, grade_tested, scale_score, test_date"
        " FROM assessments WHERE test_type = ?4 AND scale_score IS NOT NULL"
        " AND school_year BETWEEN ?1 AND ?2 AND (?3 IS NULL OR subject = ?3)"
        " ORDER BY student_id",
        err);
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, p->year_lo);
    slds_cursor_bind_int(&c, 2, p->year_lo + p->n_years - 1);
    slds_cursor_bind_text(&c, 3, o->subject);
    slds_cursor_bind_text(&c, 4, o->test_type ? o->test_type : "STATE");
    reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        slds_cursor_close(&c);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    rd->p = p;
    rd->o = o;
    int r = 0;
    while (!rc && (r = slds_cursor_step(&c, err)) == 1) {
        rc = take_row(rd, &c, err);
        if ((p->rows_read & 0xFFFF) == 0)
            slds_progress_report(progress, "reading scores", p->rows_read, 0);
    }
    if (!rc && r < 0)
        rc = SLDS_ERR_DB;
    if (!rc)
        rc = flush(rd, err);
    slds_cursor_close(&c);
    free(rd);
    if (!rc)
        SLDS_INSERTION_SORT(slds_panel_subject *, p->subjects, (size_t)p->n_subjects, SUBJECT_LESS);
    return rc;
}
