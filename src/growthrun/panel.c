/* panel.c - the STATE scale scores a growth run needs, read from table
 * assessments in one pass into dense arrays: per subject and year, one score,
 * grade and test date per student.
 *
 * The query walks the table in primary-key order (student_id first), so a
 * student's rows arrive together: they are buffered, reduced to one score per
 * subject and year (the latest test date, then the higher score; design
 * note 2 in internal.h), and kept only when the student was tested in one of
 * the years that matter (the run year, the reference year), so students who
 * left long ago cost nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

enum { BUFFERED_MAX = 256 };

typedef struct buffered {
    int subject, year, grade, date;
    double score;
} buffered;

typedef struct reader {
    gr_panel *p;
    int keep_a, keep_b;
    char id[256];
    size_t id_len;
    int n;
    buffered rows[BUFFERED_MAX];
} reader;

int gr_date_int(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int v = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

void gr_date_text(int d, char out[11])
{
    if (d <= 0) {
        out[0] = '\0';
        return;
    }
    snprintf(out, 11, "%04d-%02d-%02d", (d / 10000) % 10000, (d / 100) % 100, d % 100);
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

size_t gr_panel_students(const gr_panel *p)
{
    return p->ids.count;
}

const char *gr_panel_id(const gr_panel *p, uint32_t i)
{
    return slds_intern_str(&p->ids, i);
}

int gr_panel_year(const gr_panel *p, int year)
{
    int y = year - p->year_lo;
    return y >= 0 && y < p->n_years ? y : -1;
}

double gr_score(const gr_panel *p, int s, int year, size_t i)
{
    int y = gr_panel_year(p, year);
    if (y < 0 || !p->subjects[s]->score[y])
        return NAN;
    return p->subjects[s]->score[y][i];
}

int gr_grade(const gr_panel *p, int s, int year, size_t i)
{
    int y = gr_panel_year(p, year);
    if (y < 0 || !p->subjects[s]->grade[y])
        return -1;
    return p->subjects[s]->grade[y][i];
}

size_t gr_count(const gr_panel *p, int s, int year, int grade)
{
    int y = gr_panel_year(p, year);
    if (y < 0 || grade < 0 || grade >= GR_MAX_GRADE)
        return 0;
    return p->subjects[s]->count[y][grade];
}

size_t gr_count_subject(const gr_panel *p, int s)
{
    int y = gr_panel_year(p, p->year);
    size_t n = 0;
    for (int g = 0; y >= 0 && g < GR_MAX_GRADE; g++)
        n += p->subjects[s]->count[y][g];
    return n;
}

void gr_panel_free(gr_panel *p)
{
    for (int s = 0; s < p->n_subjects; s++) {
        gr_subject *sub = p->subjects[s];
        for (int y = 0; y < GR_MAX_YEARS; y++) {
            free(sub->score[y]);
            free(sub->grade[y]);
            free(sub->test_date[y]);
        }
        free(sub);
        p->subjects[s] = NULL;
        for (int g = 0; g < GR_MAX_GRADE; g++)
            free(p->samples[s][g].v);
    }
    slds_intern_free(&p->ids);
    memset(p, 0, sizeof *p);
}

/* Allocates the arrays of subject s and year offset y (when first used). */
static int year_arrays(gr_panel *p, gr_subject *sub, int y, slds_error *err)
{
    if (sub->score[y])
        return SLDS_OK;
    sub->score[y] = malloc(p->cap * sizeof *sub->score[y]);
    sub->grade[y] = malloc(p->cap);
    if (p->year_lo + y == p->year) /* test dates are needed in Y only */
        sub->test_date[y] = calloc(p->cap, sizeof *sub->test_date[y]);
    if (!sub->score[y] || !sub->grade[y] || (p->year_lo + y == p->year && !sub->test_date[y]))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for the scores of %s", sub->name);
    for (size_t i = 0; i < p->cap; i++)
        sub->score[y][i] = NAN;
    memset(sub->grade[y], -1, p->cap);
    return SLDS_OK;
}

/* Makes room for student index i in every array. */
static int reserve(gr_panel *p, size_t i, slds_error *err)
{
    if (i < p->cap)
        return SLDS_OK;
    size_t cap = p->cap ? p->cap * 2 : 65536;
    while (cap <= i)
        cap *= 2;
    for (int s = 0; s < p->n_subjects; s++) {
        gr_subject *sub = p->subjects[s];
        for (int y = 0; y < p->n_years; y++) {
            if (!sub->score[y])
                continue;
            double *sc = realloc(sub->score[y], cap * sizeof *sc);
            if (sc)
                sub->score[y] = sc;
            signed char *g = realloc(sub->grade[y], cap);
            if (g)
                sub->grade[y] = g;
            int *d = NULL;
            if (sub->test_date[y]) {
                d = realloc(sub->test_date[y], cap * sizeof *d);
                if (d)
                    sub->test_date[y] = d;
            }
            if (!sc || !g || (sub->test_date[y] && !d))
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for %zu students", cap);
            for (size_t k = p->cap; k < cap; k++)
                sc[k] = NAN;
            memset(g + p->cap, -1, cap - p->cap);
            if (d)
                memset(d + p->cap, 0, (cap - p->cap) * sizeof *d);
        }
    }
    p->cap = cap;
    return SLDS_OK;
}

static int subject_index(gr_panel *p, const char *name, slds_error *err)
{
    for (int s = 0; s < p->n_subjects; s++)
        if (!strcmp(p->subjects[s]->name, name))
            return s;
    if (p->n_subjects >= SLDS_GROWTH_MAX_SUBJECTS)
        return -slds_fail(err, SLDS_ERR_DATA, "assessments: more than %d subjects",
                          SLDS_GROWTH_MAX_SUBJECTS);
    if (strlen(name) >= SLDS_GROWTH_NAME_MAX)
        return -slds_fail(err, SLDS_ERR_DATA, "assessments: subject '%.40s...' is too long", name);
    gr_subject *sub = calloc(1, sizeof *sub);
    if (!sub)
        return -slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    strcpy(sub->name, name);
    p->subjects[p->n_subjects] = sub;
    return p->n_subjects++;
}

/* Whether scores of subject s and grade are kept for knots or loss/hoss. */
static int needs_sample(gr_panel *p, int s, int grade)
{
    signed char *w = &p->sample_wanted[s][grade];
    if (!*w) {
        const slds_growth_grade *g =
            p->cfg ? slds_growth_config_grade(p->cfg, p->subjects[s]->name, grade) : NULL;
        int want = !g || p->cfg->knots_from_data || !g->n_knots || !g->has_loss_hoss;
        *w = (signed char)(want ? 2 : 1);
    }
    return *w == 2;
}

static int sample_add(gr_sample *smp, double v, slds_error *err)
{
    if (smp->n == smp->cap) {
        size_t cap = smp->cap ? smp->cap * 2 : 4096;
        double *nv = realloc(smp->v, cap * sizeof *nv);
        if (!nv)
            return slds_fail(err, SLDS_ERR_NOMEM, "out of memory for score samples");
        smp->v = nv;
        smp->cap = cap;
    }
    smp->v[smp->n++] = v;
    return SLDS_OK;
}

/* True when row a should be kept instead of b (same subject and year). */
static int better(const buffered *a, const buffered *b)
{
    if (a->date != b->date)
        return a->date > b->date;
    return a->score > b->score;
}

/* The buffered student is kept when tested in keep_a or keep_b. */
static int flush(reader *rd, slds_error *err)
{
    gr_panel *p = rd->p;
    int keep = 0;
    for (int k = 0; k < rd->n && !keep; k++)
        keep = rd->rows[k].year == rd->keep_a || rd->rows[k].year == rd->keep_b;
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
        gr_subject *sub = p->subjects[b->subject];
        int y = b->year - p->year_lo;
        if ((rc = year_arrays(p, sub, y, err)))
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

static int take_row(reader *rd, sqlite3_stmt *st, slds_error *err)
{
    gr_panel *p = rd->p;
    const char *id = (const char *)sqlite3_column_text(st, 0);
    int id_len = sqlite3_column_bytes(st, 0);
    if (!id || id_len <= 0 || (size_t)id_len >= sizeof rd->id)
        return SLDS_OK;
    if ((size_t)id_len != rd->id_len || memcmp(id, rd->id, (size_t)id_len) != 0) {
        int rc = flush(rd, err);
        if (rc)
            return rc;
        memcpy(rd->id, id, (size_t)id_len);
        rd->id[id_len] = '\0';
        rd->id_len = (size_t)id_len;
    }
    p->rows_read++;
    int grade = parse_grade((const char *)sqlite3_column_text(st, 3));
    if (grade < 0) {
        p->rows_bad_grade++;
        return SLDS_OK;
    }
    const char *subject = (const char *)sqlite3_column_text(st, 2);
    int s = subject_index(p, subject ? subject : "", err);
    if (s < 0)
        return -s;
    if (rd->n == BUFFERED_MAX)
        return slds_fail(err, SLDS_ERR_DATA, "assessments: student %s has more than %d STATE scores",
                         rd->id, BUFFERED_MAX);
    buffered *b = &rd->rows[rd->n++];
    b->subject = s;
    b->year = sqlite3_column_int(st, 1);
    b->grade = grade;
    b->score = sqlite3_column_double(st, 4);
    b->date = gr_date_int((const char *)sqlite3_column_text(st, 5));
    if (b->year <= p->year && needs_sample(p, s, grade))
        return sample_add(&p->samples[s][grade], b->score, err);
    return SLDS_OK;
}

/* Sorts subjects by name (students' arrays move with them). */
static void sort_subjects(gr_panel *p)
{
    for (int a = 1; a < p->n_subjects; a++)
        for (int b = a; b > 0 && strcmp(p->subjects[b - 1]->name, p->subjects[b]->name) > 0; b--) {
            gr_subject *t = p->subjects[b];
            p->subjects[b] = p->subjects[b - 1];
            p->subjects[b - 1] = t;
            for (int g = 0; g < GR_MAX_GRADE; g++) {
                gr_sample x = p->samples[b][g];
                p->samples[b][g] = p->samples[b - 1][g];
                p->samples[b - 1][g] = x;
                signed char w = p->sample_wanted[b][g];
                p->sample_wanted[b][g] = p->sample_wanted[b - 1][g];
                p->sample_wanted[b - 1][g] = w;
            }
        }
}

int gr_panel_read(slds_store *s, gr_panel *p, int year, int year_lo, int year_hi,
                  const char *subject, int keep_a, int keep_b, const slds_growth_config *cfg,
                  const slds_progress *progress, slds_error *err)
{
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    if (year_hi - year_lo + 1 > GR_MAX_YEARS)
        year_lo = year_hi - GR_MAX_YEARS + 1;
    p->year = year;
    p->year_lo = year_lo;
    p->n_years = year_hi - year_lo + 1;
    sqlite3_stmt *st;
    int rc = slds_store_prepare(
        s, &st,
        "SELECT student_id, school_year, subject, grade_tested, scale_score, test_date"
        " FROM assessments WHERE test_type = 'STATE' AND scale_score IS NOT NULL"
        " AND school_year BETWEEN ?1 AND ?2 AND (?3 IS NULL OR subject = ?3)"
        " ORDER BY student_id",
        err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, year_lo);
    sqlite3_bind_int(st, 2, year_hi);
    if (subject)
        sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
    reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        sqlite3_finalize(st);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    rd->p = p;
    rd->keep_a = keep_a;
    rd->keep_b = keep_b;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = take_row(rd, st, err);
        if ((p->rows_read & 0xFFFF) == 0)
            slds_progress_report(progress, "reading scores", p->rows_read, 0);
    }
    if (!rc && step != SQLITE_DONE)
        rc = slds_fail(err, SLDS_ERR_DB, "reading assessments: %s", sqlite3_errmsg(s->db));
    if (!rc)
        rc = flush(rd, err);
    sqlite3_finalize(st);
    free(rd);
    if (!rc)
        sort_subjects(p);
    return rc;
}
