/* steps.c - what a student's mastery states mean for teaching (mastery.h):
 * the standards catalog with its prerequisite graph, a student's mastery map,
 * next steps (ready / revisit), and the mastery-progression tables.
 *
 * Definitions (docs/mastery.md):
 *  - mastered: P(mastery) >= threshold (0.95 unless told otherwise);
 *  - revisit: practised (a stored state) and not mastered now; "fallen" when
 *    the student's P(mastery) reached the threshold once, "not yet" when it
 *    never did;
 *  - ready: not practised, and every prerequisite mastered (a standard
 *    without prerequisites is ready);
 *  - not ready: not practised, a prerequisite not mastered.
 * The map and the next steps cover the standards of the student's current
 * grade and below (latest enrollment), and any standard with a state. */
#include <stdlib.h>
#include <string.h>

#include "mastery/internal.h"

static char *dup_text(const char *s)
{
    s = s ? s : "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void mastery_catalog_free(mastery_catalog *cat)
{
    for (uint32_t i = 0; i < cat->n; i++) {
        free(cat->v[i].id);
        free(cat->v[i].subject);
        free(cat->v[i].grade);
        free(cat->v[i].description);
        free(cat->v[i].prereq);
    }
    free(cat->v);
    slds_intern_free(&cat->ids);
    memset(cat, 0, sizeof *cat);
}

uint32_t mastery_catalog_find(const mastery_catalog *cat, const char *id)
{
    return id ? slds_intern_find(&cat->ids, id, strlen(id)) : UINT32_MAX;
}

int mastery_catalog_load(slds_store *s, mastery_catalog *cat, slds_error *err)
{
    memset(cat, 0, sizeof *cat);
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT standard_id, subject, grade_level, description, prerequisite_ids"
                         " FROM standards ORDER BY subject, grade_level, standard_id",
                         err))
        return err->code;
    size_t cap = 0;
    char **prereq_text = NULL;
    int step, rc = SLDS_OK;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (cat->n == cap) {
            cap = cap ? cap * 2 : 64;
            mastery_standard *v = realloc(cat->v, cap * sizeof *v);
            char **pt = realloc(prereq_text, cap * sizeof *pt);
            if (v)
                cat->v = v;
            if (pt)
                prereq_text = pt;
            if (!v || !pt) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory (standards)");
                break;
            }
        }
        mastery_standard *sd = &cat->v[cat->n];
        memset(sd, 0, sizeof *sd);
        sd->id = dup_text(slds_cursor_text(&c, 0));
        sd->subject = dup_text(slds_cursor_text(&c, 1));
        sd->grade = dup_text(slds_cursor_text(&c, 2));
        sd->description = dup_text(slds_cursor_text(&c, 3));
        prereq_text[cat->n] = dup_text(slds_cursor_text(&c, 4));
        cat->n++;
        if (!sd->id || !sd->subject || !sd->grade || !sd->description || !prereq_text[cat->n - 1] ||
            slds_intern_add(&cat->ids, sd->id, strlen(sd->id)) != cat->n - 1) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory (standards)");
            break;
        }
        if (!mastery_grade_number(sd->grade, &sd->grade_no))
            sd->grade_no = 99;
    }
    slds_cursor_close(&c);
    if (!rc && step < 0)
        rc = err->code;
    /* Prerequisites by index; an id that names no standard is skipped (the
     * loader reports it). */
    for (uint32_t i = 0; !rc && i < cat->n; i++) {
        char *p = prereq_text[i];
        int count = 0;
        for (char *q = p; *q; q++)
            count += (q == p || q[-1] == ' ') && *q != ' ';
        cat->v[i].prereq = malloc((size_t)(count ? count : 1) * sizeof *cat->v[i].prereq);
        if (!cat->v[i].prereq) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
            break;
        }
        for (char *tok = strtok(p, " "); tok; tok = strtok(NULL, " ")) {
            uint32_t k = mastery_catalog_find(cat, tok);
            if (k != UINT32_MAX && k != i)
                cat->v[i].prereq[cat->v[i].n_prereq++] = k;
        }
    }
    for (uint32_t i = 0; i < cat->n; i++)
        free(prereq_text[i]);
    free(prereq_text);
    if (rc)
        mastery_catalog_free(cat);
    return rc;
}

const char *mastery_status_name(mastery_status st)
{
    switch (st) {
    case MASTERY_MASTERED: return "mastered";
    case MASTERY_REVISIT_FALLEN:
    case MASTERY_REVISIT_NOT_YET: return "revisit";
    case MASTERY_READY: return "ready";
    case MASTERY_NOT_READY: return "not ready";
    }
    return "";
}

void mastery_student_free(mastery_student *m)
{
    free(m->st);
    m->st = NULL;
}

int mastery_student_load(slds_store *s, const mastery_catalog *cat, const char *student_id,
                         mastery_student *m, slds_error *err)
{
    memset(m, 0, sizeof *m);
    snprintf(m->student_id, sizeof m->student_id, "%s", student_id);
    m->grade_no = 99;
    m->st = calloc(cat->n ? cat->n : 1, sizeof *m->st);
    if (!m->st)
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    slds_cursor c;
    int known = 0, step;
    if (slds_cursor_open(&c, s, "SELECT 1 FROM students WHERE student_id = ?1", err))
        goto fail;
    slds_cursor_bind_text(&c, 1, student_id);
    known = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    if (known < 0)
        goto fail;
    if (slds_cursor_open(&c, s,
                         "SELECT grade_level, school_id, school_year FROM enrollments"
                         " WHERE student_id = ?1 ORDER BY school_year DESC, entry_date DESC LIMIT 1",
                         err))
        goto fail;
    slds_cursor_bind_text(&c, 1, student_id);
    if ((step = slds_cursor_step(&c, err)) == 1) {
        const char *g = slds_cursor_text(&c, 0), *sc = slds_cursor_text(&c, 1);
        snprintf(m->grade, sizeof m->grade, "%s", g ? g : "");
        snprintf(m->school_id, sizeof m->school_id, "%s", sc ? sc : "");
        m->year = (int)slds_cursor_int(&c, 2);
        if (!mastery_grade_number(m->grade, &m->grade_no))
            m->grade_no = 99;
    }
    slds_cursor_close(&c);
    if (step < 0)
        goto fail;
    if (slds_cursor_open(&c, s,
                         "SELECT standard_id, p_mastery, responses, correct, max_p_mastery,"
                         " mastered_at, last_response FROM mastery_state WHERE student_id = ?1",
                         err))
        goto fail;
    slds_cursor_bind_text(&c, 1, student_id);
    int states = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        states++;
        uint32_t k = mastery_catalog_find(cat, slds_cursor_text(&c, 0));
        if (k == UINT32_MAX)
            continue;
        mastery_student_state *st = &m->st[k];
        st->has = true;
        st->p = slds_cursor_double(&c, 1);
        st->responses = slds_cursor_int(&c, 2);
        st->correct = slds_cursor_int(&c, 3);
        st->max_p = slds_cursor_double(&c, 4);
        const char *ma = slds_cursor_text(&c, 5), *la = slds_cursor_text(&c, 6);
        snprintf(st->mastered_at, sizeof st->mastered_at, "%s", ma ? ma : "");
        snprintf(st->last, sizeof st->last, "%s", la ? la : "");
    }
    slds_cursor_close(&c);
    if (step < 0)
        goto fail;
    if (!known && !states) {
        mastery_student_free(m);
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no student with id '%s'", student_id);
    }
    return SLDS_OK;
fail:
    mastery_student_free(m);
    return err->code;
}

static bool is_mastered(const mastery_student *m, uint32_t k, double threshold)
{
    return m->st[k].has && m->st[k].p >= threshold;
}

mastery_status mastery_status_of(const mastery_catalog *cat, const mastery_student *m, uint32_t k,
                                 double threshold)
{
    const mastery_student_state *st = &m->st[k];
    if (st->has) {
        if (st->p >= threshold)
            return MASTERY_MASTERED;
        return st->max_p >= threshold ? MASTERY_REVISIT_FALLEN : MASTERY_REVISIT_NOT_YET;
    }
    for (int i = 0; i < cat->v[k].n_prereq; i++)
        if (!is_mastered(m, cat->v[k].prereq[i], threshold))
            return MASTERY_NOT_READY;
    return MASTERY_READY;
}

bool mastery_on_map(const mastery_catalog *cat, const mastery_student *m, uint32_t k)
{
    return m->st[k].has || m->grade_no == 99 || cat->v[k].grade_no <= m->grade_no;
}

/* The prerequisites of k that are not mastered, into a LIST cell. */
static void missing_prereqs(slds_table *t, int col, const mastery_catalog *cat,
                            const mastery_student *m, uint32_t k, double threshold,
                            slds_error *err)
{
    for (int i = 0; i < cat->v[k].n_prereq; i++)
        if (!is_mastered(m, cat->v[k].prereq[i], threshold))
            slds_table_list_add(t, col, cat->v[cat->v[k].prereq[i]].id, err);
}

static const char *reason_of(mastery_status st, const mastery_student_state *s, char *buf,
                             size_t size)
{
    switch (st) {
    case MASTERY_MASTERED: snprintf(buf, size, "mastered"); break;
    case MASTERY_REVISIT_FALLEN:
        snprintf(buf, size, "was mastered (%.2f), now %.2f", s->max_p, s->p);
        break;
    case MASTERY_REVISIT_NOT_YET:
        snprintf(buf, size, "not yet mastered after %lld responses", s->responses);
        break;
    case MASTERY_READY: snprintf(buf, size, "every prerequisite mastered"); break;
    case MASTERY_NOT_READY: snprintf(buf, size, "a prerequisite is not mastered"); break;
    }
    return buf;
}

static const slds_column_spec map_cols[] = {
    {.name = "student_id", .type = SLDS_CELL_TEXT},
    {.name = "standard_id", .type = SLDS_CELL_TEXT},
    {.name = "subject", .type = SLDS_CELL_TEXT},
    {.name = "grade_level", .type = SLDS_CELL_TEXT},
    {.name = "p_mastery", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 3},
    {.name = "responses", .type = SLDS_CELL_INTEGER, .unit = "responses"},
    {.name = "correct", .type = SLDS_CELL_INTEGER, .unit = "responses"},
    {.name = "status", .type = SLDS_CELL_TEXT},
    {.name = "reason", .type = SLDS_CELL_TEXT},
    {.name = "mastered_at", .type = SLDS_CELL_TEXT},
    {.name = "missing_prerequisites", .type = SLDS_CELL_LIST}};

/* The map (every standard on it) or the next steps (ready and revisit only). */
static int student_rows(slds_store *s, const char *student_id, double threshold, bool steps_only,
                        slds_table **out, slds_error *err)
{
    *out = NULL;
    int rc = mastery_require_schema(s, err);
    if (rc)
        return rc;
    mastery_catalog cat;
    if ((rc = mastery_catalog_load(s, &cat, err)))
        return rc;
    mastery_student m;
    if ((rc = mastery_student_load(s, &cat, student_id, &m, err))) {
        mastery_catalog_free(&cat);
        return rc;
    }
    slds_table *t;
    rc = slds_table_new(&t, steps_only ? "next_steps" : "mastery_map",
                        steps_only ? "Next steps: standards ready and to revisit"
                                   : "Mastery map",
                        map_cols, 11, err);
    /* Next steps: revisit first (fallen, then not yet), then ready. */
    static const mastery_status order_steps[] = {MASTERY_REVISIT_FALLEN, MASTERY_REVISIT_NOT_YET,
                                                 MASTERY_READY};
    int passes = steps_only ? 3 : 1;
    for (int pass = 0; !rc && pass < passes; pass++) {
        for (uint32_t k = 0; !rc && k < cat.n; k++) {
            if (!mastery_on_map(&cat, &m, k))
                continue;
            mastery_status st = mastery_status_of(&cat, &m, k, threshold);
            if (steps_only && st != order_steps[pass])
                continue;
            const mastery_student_state *ss = &m.st[k];
            char reason[96];
            slds_table_add_row(t, err);
            slds_table_set_text(t, 0, student_id, err);
            slds_table_set_text(t, 1, cat.v[k].id, err);
            slds_table_set_text(t, 2, cat.v[k].subject, err);
            slds_table_set_text(t, 3, cat.v[k].grade, err);
            if (ss->has) {
                slds_table_set_real(t, 4, ss->p, err);
                slds_table_set_integer(t, 5, ss->responses, err);
                slds_table_set_integer(t, 6, ss->correct, err);
            }
            slds_table_set_text(t, 7, mastery_status_name(st), err);
            slds_table_set_text(t, 8, reason_of(st, ss, reason, sizeof reason), err);
            slds_table_set_text(t, 9, ss->mastered_at, err);
            if (st != MASTERY_MASTERED)
                missing_prereqs(t, 10, &cat, &m, k, threshold, err);
            rc = slds_table_status(t);
        }
    }
    mastery_student_free(&m);
    mastery_catalog_free(&cat);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

int slds_mastery_student_table(slds_store *s, const char *student_id, double threshold,
                               slds_table **out, slds_error *err)
{
    return student_rows(s, student_id, threshold, false, out, err);
}

int slds_mastery_next_steps_table(slds_store *s, const char *student_id, double threshold,
                                  slds_table **out, slds_error *err)
{
    return student_rows(s, student_id, threshold, true, out, err);
}

/* ---------------------------------------------------------- progression */

/* One student's place in year: latest spell of the year. */
typedef struct placement {
    char *student, *school, *lea;
    int grade_no;
    char grade[8];
} placement;

typedef struct progression {
    mastery_catalog cat;
    int year;
    /* per (subject, grade) of the catalog: number of standards */
    placement *pl;
    size_t n_pl;
    /* per placement and subject index: mastered count, practised count */
    char **subjects;
    int n_subjects;
    uint32_t *mastered, *practised; /* n_pl * n_subjects */
    uint32_t *std_count;            /* n_subjects * 16 (grade_no + 1) */
} progression;

static void progression_free(progression *p)
{
    for (size_t i = 0; i < p->n_pl; i++) {
        free(p->pl[i].student);
        free(p->pl[i].school);
        free(p->pl[i].lea);
    }
    free(p->pl);
    free(p->subjects);
    free(p->mastered);
    free(p->practised);
    free(p->std_count);
    mastery_catalog_free(&p->cat);
    memset(p, 0, sizeof *p);
}

static int subject_index(const progression *p, const char *subject)
{
    for (int i = 0; i < p->n_subjects; i++)
        if (!strcmp(p->subjects[i], subject))
            return i;
    return -1;
}

static int progression_build(slds_store *s, int year, double threshold, progression *p,
                             slds_error *err)
{
    memset(p, 0, sizeof *p);
    int rc = mastery_require_schema(s, err);
    if (rc || (rc = mastery_catalog_load(s, &p->cat, err)))
        return rc;
    slds_cursor c;
    int step;
    if (!year) {
        if (slds_cursor_open(&c, s, "SELECT max(school_year) FROM enrollments", err))
            goto fail;
        if ((step = slds_cursor_step(&c, err)) == 1)
            year = (int)slds_cursor_int(&c, 0);
        slds_cursor_close(&c);
        if (step < 0)
            goto fail;
        if (!year) {
            progression_free(p);
            return slds_fail(err, SLDS_ERR_NOTFOUND, "%s: no enrollments", s->path);
        }
    }
    p->year = year;
    p->subjects = calloc(p->cat.n ? p->cat.n : 1, sizeof *p->subjects);
    p->std_count = calloc((size_t)(p->cat.n ? p->cat.n : 1) * 16, sizeof *p->std_count);
    if (!p->subjects || !p->std_count) {
        progression_free(p);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    }
    for (uint32_t k = 0; k < p->cat.n; k++) {
        int si = subject_index(p, p->cat.v[k].subject);
        if (si < 0) {
            si = p->n_subjects;
            p->subjects[p->n_subjects++] = p->cat.v[k].subject;
        }
        int g = p->cat.v[k].grade_no;
        if (g >= -1 && g <= 13)
            p->std_count[si * 16 + g + 1]++;
    }
    /* Every student enrolled in year, at the latest spell of the year. */
    if (slds_cursor_open(&c, s,
                         "SELECT e.student_id, e.school_id, e.grade_level, sc.lea_id FROM enrollments e"
                         " LEFT JOIN schools sc USING(school_id) WHERE e.school_year = ?1"
                         " ORDER BY e.student_id, e.entry_date DESC",
                         err))
        goto fail;
    slds_cursor_bind_int(&c, 1, year);
    size_t cap = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        const char *sid = slds_cursor_text(&c, 0);
        if (p->n_pl && !strcmp(p->pl[p->n_pl - 1].student, sid))
            continue; /* an earlier spell of the same student */
        if (p->n_pl == cap) {
            cap = cap ? cap * 2 : 1024;
            placement *np = realloc(p->pl, cap * sizeof *np);
            if (!np) {
                slds_cursor_close(&c);
                progression_free(p);
                return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
            }
            p->pl = np;
        }
        placement *pl = &p->pl[p->n_pl++];
        memset(pl, 0, sizeof *pl);
        pl->student = dup_text(sid);
        pl->school = dup_text(slds_cursor_text(&c, 1));
        pl->lea = dup_text(slds_cursor_text(&c, 3));
        snprintf(pl->grade, sizeof pl->grade, "%s", slds_cursor_text(&c, 2) ? slds_cursor_text(&c, 2) : "");
        if (!mastery_grade_number(pl->grade, &pl->grade_no))
            pl->grade_no = 99;
        if (!pl->student || !pl->school || !pl->lea) {
            slds_cursor_close(&c);
            progression_free(p);
            return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
        }
    }
    slds_cursor_close(&c);
    if (step < 0)
        goto fail;
    size_t cells = p->n_pl * (size_t)(p->n_subjects ? p->n_subjects : 1);
    p->mastered = calloc(cells ? cells : 1, sizeof *p->mastered);
    p->practised = calloc(cells ? cells : 1, sizeof *p->practised);
    if (!p->mastered || !p->practised) {
        progression_free(p);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    }
    /* States in student order, merged with the placements (both sorted by id). */
    if (slds_cursor_open(&c, s,
                         "SELECT student_id, standard_id, p_mastery FROM mastery_state"
                         " ORDER BY student_id",
                         err))
        goto fail;
    size_t i = 0;
    while ((step = slds_cursor_step(&c, err)) == 1) {
        const char *sid = slds_cursor_text(&c, 0);
        while (i < p->n_pl && strcmp(p->pl[i].student, sid) < 0)
            i++;
        if (i == p->n_pl || strcmp(p->pl[i].student, sid))
            continue;
        uint32_t k = mastery_catalog_find(&p->cat, slds_cursor_text(&c, 1));
        if (k == UINT32_MAX || p->cat.v[k].grade_no != p->pl[i].grade_no)
            continue;
        int si = subject_index(p, p->cat.v[k].subject);
        size_t cell = i * (size_t)p->n_subjects + (size_t)si;
        p->practised[cell]++;
        if (slds_cursor_double(&c, 2) >= threshold)
            p->mastered[cell]++;
    }
    slds_cursor_close(&c);
    if (step < 0)
        goto fail;
    return SLDS_OK;
fail:
    progression_free(p);
    return err->code;
}

static uint32_t standards_in(const progression *p, int si, int grade_no)
{
    return grade_no >= -1 && grade_no <= 13 ? p->std_count[si * 16 + grade_no + 1] : 0;
}

int slds_mastery_progression_students(slds_store *s, int year, const char *school_id,
                                      const char *subject, double threshold, slds_table **out,
                                      slds_error *err)
{
    *out = NULL;
    progression p;
    int rc = progression_build(s, year, threshold, &p, err);
    if (rc)
        return rc;
    static const slds_column_spec cols[] = {
        {.name = "student_id", .type = SLDS_CELL_TEXT},
        {.name = "school_id", .type = SLDS_CELL_TEXT},
        {.name = "school_year", .type = SLDS_CELL_INTEGER},
        {.name = "subject", .type = SLDS_CELL_TEXT},
        {.name = "grade_level", .type = SLDS_CELL_TEXT},
        {.name = "standards", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "mastered", .type = SLDS_CELL_INTEGER, .unit = "standards"}};
    slds_table *t;
    rc = slds_table_new(&t, "mastery_progression",
                        "Students who mastered every standard of their grade in a subject "
                        "(eligible to move on)",
                        cols, 7, err);
    for (size_t i = 0; !rc && i < p.n_pl; i++) {
        if (school_id && strcmp(p.pl[i].school, school_id))
            continue;
        for (int si = 0; !rc && si < p.n_subjects; si++) {
            if (subject && strcmp(p.subjects[si], subject))
                continue;
            uint32_t n = standards_in(&p, si, p.pl[i].grade_no);
            uint32_t m = p.mastered[i * (size_t)p.n_subjects + (size_t)si];
            if (!n || m < n)
                continue;
            slds_table_add_row(t, err);
            slds_table_set_text(t, 0, p.pl[i].student, err);
            slds_table_set_text(t, 1, p.pl[i].school, err);
            slds_table_set_integer(t, 2, p.year, err);
            slds_table_set_text(t, 3, p.subjects[si], err);
            slds_table_set_text(t, 4, p.pl[i].grade, err);
            slds_table_set_integer(t, 5, n, err);
            slds_table_set_integer(t, 6, m, err);
            rc = slds_table_status(t);
        }
    }
    progression_free(&p);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

/* One group's counts in the summary. */
typedef struct group {
    const char *level, *lea, *school, *subject, *grade;
    long long students, eligible;
} group;

static int cmp_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int level_rank(const char *level)
{
    return !strcmp(level, "state") ? 0 : !strcmp(level, "lea") ? 1 : 2;
}

static int group_cmp(const void *a, const void *b)
{
    const group *x = a, *y = b;
    int c;
    if ((c = cmp_text(x->subject, y->subject)) || (c = cmp_text(x->grade, y->grade)))
        return c;
    if (level_rank(x->level) != level_rank(y->level))
        return level_rank(x->level) - level_rank(y->level);
    if ((c = cmp_text(x->lea, y->lea)))
        return c;
    return cmp_text(x->school, y->school);
}

int slds_mastery_progression_summary(slds_store *s, int year, const char *subject,
                                     double threshold, slds_table **out, slds_error *err)
{
    *out = NULL;
    progression p;
    int rc = progression_build(s, year, threshold, &p, err);
    if (rc)
        return rc;
    /* Groups: one per (level, lea, school, subject, grade) with a practising student. */
    size_t cap = 256, n = 0;
    group *g = malloc(cap * sizeof *g);
    if (!g) {
        progression_free(&p);
        return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    }
    for (size_t i = 0; i < p.n_pl && !rc; i++) {
        for (int si = 0; si < p.n_subjects && !rc; si++) {
            if (subject && strcmp(p.subjects[si], subject))
                continue;
            size_t cell = i * (size_t)p.n_subjects + (size_t)si;
            uint32_t nstd = standards_in(&p, si, p.pl[i].grade_no);
            if (!nstd || !p.practised[cell])
                continue;
            bool eligible = p.mastered[cell] >= nstd;
            const char *levels[3] = {"state", "lea", "school"};
            for (int l = 0; l < 3; l++) {
                if (n == cap) {
                    cap *= 2;
                    group *ng = realloc(g, cap * sizeof *ng);
                    if (!ng) {
                        rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
                        break;
                    }
                    g = ng;
                }
                g[n++] = (group){levels[l], l >= 1 ? p.pl[i].lea : NULL,
                                 l == 2 ? p.pl[i].school : NULL, p.subjects[si], p.pl[i].grade,
                                 1, eligible};
            }
        }
    }
    /* One row per group: sort the entries, add up equal neighbours. */
    if (!rc && n) {
        qsort(g, n, sizeof *g, group_cmp);
        size_t m = 0;
        for (size_t j = 1; j < n; j++) {
            if (!group_cmp(&g[m], &g[j])) {
                g[m].students += g[j].students;
                g[m].eligible += g[j].eligible;
            } else
                g[++m] = g[j];
        }
        n = m + 1;
    }

    static const slds_column_spec cols[] = {
        {.name = "school_year", .type = SLDS_CELL_INTEGER, .role = SLDS_ROLE_PARTITION},
        {.name = "subject", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "grade_level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "level", .type = SLDS_CELL_TEXT, .role = SLDS_ROLE_PARTITION},
        {.name = "lea_id", .type = SLDS_CELL_TEXT},
        {.name = "school_id", .type = SLDS_CELL_TEXT},
        {.name = "students", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_SIZE},
        {.name = "eligible", .type = SLDS_CELL_INTEGER, .unit = "students", .role = SLDS_ROLE_COUNT},
        {.name = "percent_eligible", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1,
         .role = SLDS_ROLE_STATISTIC, .derives_from = "eligible", .denominator = "students"}};
    slds_table *t = NULL;
    if (!rc)
        rc = slds_table_new(&t, "mastery_progression_summary",
                            "Students eligible to move on (every standard of their grade mastered "
                            "in the subject), of those practising it",
                            cols, 9, err);
    for (size_t j = 0; !rc && j < n; j++) {
        slds_table_add_row(t, err);
        slds_table_set_integer(t, 0, p.year, err);
        slds_table_set_text(t, 1, g[j].subject, err);
        slds_table_set_text(t, 2, g[j].grade, err);
        slds_table_set_text(t, 3, g[j].level, err);
        slds_table_set_text(t, 4, g[j].lea, err);
        slds_table_set_text(t, 5, g[j].school, err);
        slds_table_set_integer(t, 6, g[j].students, err);
        slds_table_set_integer(t, 7, g[j].eligible, err);
        slds_table_set_real(t, 8, 100.0 * (double)g[j].eligible / (double)g[j].students, err);
        rc = slds_table_status(t);
    }
    /* Declared totals, so public suppression protects across levels: the
     * state row is the sum of its districts, a district of its schools. */
    for (size_t j = 0; !rc && j < n; j++) {
        if (!strcmp(g[j].level, "school"))
            continue;
        bool state = !strcmp(g[j].level, "state");
        size_t *parts = malloc(n * sizeof *parts), np = 0;
        if (!parts) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
            break;
        }
        for (size_t k = 0; k < n; k++)
            if (!cmp_text(g[k].subject, g[j].subject) && !cmp_text(g[k].grade, g[j].grade) &&
                (state ? !strcmp(g[k].level, "lea")
                       : !strcmp(g[k].level, "school") && !cmp_text(g[k].lea, g[j].lea)))
                parts[np++] = k;
        if (np)
            rc = slds_table_declare_total(t, j, parts, np, err);
        free(parts);
    }
    free(g);
    progression_free(&p);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}
