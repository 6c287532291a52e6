/* html.c - the mastery pages (mastery.h): a teacher's class mastery grid
 * (students x standards heatmap as SVG, a summary table below) and a
 * student's (and parent's) page: the learning plan with progress bars, next
 * steps, and the mastery map by subject and grade. Charts are drawn with the
 * table layer's SVG primitives, tables rendered by it, every text escaped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mastery/internal.h"

/* An || chain of buffer appends (each 0 or non-zero) as a status. */
#define NOMEM(x) ((x) ? SLDS_ERR_NOMEM : SLDS_OK)

static const char page_style[] =
    "<style>\n"
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#222;"
    "max-width:1100px}\n"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}\n"
    "table{border-collapse:collapse;font-size:13px;margin-top:8px}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}td.num{text-align:right}"
    "th{background:#f3f3f3}\n"
    "svg text{font-size:11px;fill:#333}svg .head{font-size:12px;font-weight:bold}\n"
    ".note{font-size:12px;color:#555}\n"
    ".bar{display:inline-block;width:120px;height:10px;background:#eee;border:1px solid #bbb;"
    "vertical-align:middle}.bar span{display:block;height:10px;background:#1a9850}\n"
    "</style>\n";

/* The heat colour of a probability: red (0) - yellow (0.5) - green (1). */
static void heat(double p, char out[8])
{
    static const double stops[3][3] = {{215, 48, 39}, {254, 224, 139}, {26, 152, 80}};
    if (!(p >= 0))
        p = 0;
    if (p > 1)
        p = 1;
    int seg = p < 0.5 ? 0 : 1;
    double f = p < 0.5 ? p / 0.5 : (p - 0.5) / 0.5;
    int rgb[3];
    for (int i = 0; i < 3; i++)
        rgb[i] = (int)lround(stops[seg][i] + f * (stops[seg + 1][i] - stops[seg][i]));
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static int page_head(slds_buf *b, const char *title)
{
    int rc = slds_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    rc = rc || slds_html_escape(b, title);
    rc = rc || slds_buf_puts(b, "</title>\n");
    rc = rc || slds_buf_puts(b, page_style);
    rc = rc || slds_buf_puts(b, "</head><body>\n<h1>");
    rc = rc || slds_html_escape(b, title);
    rc = rc || slds_buf_puts(b, "</h1>\n");
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}

static int legend(slds_buf *b, double x, double y, double threshold)
{
    int rc = 0;
    char col[8], label[48];
    for (int i = 0; i <= 10; i++) {
        heat(i / 10.0, col);
        rc = rc || slds_svg_rect(b, x + i * 14, y, 14, 10, col, NULL);
    }
    rc = rc || slds_svg_text(b, x - 100, y + 9, NULL, "P(mastery) 0");
    rc = rc || slds_svg_text(b, x + 158, y + 9, NULL, "1");
    rc = rc || slds_svg_rect(b, x + 180, y, 14, 10, "#eeeeee", "#bbbbbb");
    rc = rc || slds_svg_text(b, x + 198, y + 9, NULL, "not practised");
    rc = rc || slds_svg_rect(b, x + 290, y, 14, 10, "#1a9850", "#000000");
    snprintf(label, sizeof label, "mastered (>= %.2f)", threshold);
    rc = rc || slds_svg_text(b, x + 308, y + 9, NULL, label);
    return rc;
}

/* ------------------------------------------------------------ the grid */

typedef struct class_list {
    char **ids;
    size_t n, cap;
} class_list;

static void class_list_free(class_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
    memset(l, 0, sizeof *l);
}

static int class_list_add(class_list *l, const char *id)
{
    if (l->n && !strcmp(l->ids[l->n - 1], id))
        return SLDS_OK;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **v = realloc(l->ids, cap * sizeof *v);
        if (!v)
            return SLDS_ERR_NOMEM;
        l->ids = v;
        l->cap = cap;
    }
    size_t len = strlen(id) + 1;
    if (!(l->ids[l->n] = malloc(len)))
        return SLDS_ERR_NOMEM;
    memcpy(l->ids[l->n++], id, len);
    return SLDS_OK;
}

static int load_class(slds_store *s, const char *section_id, const char *school_id,
                      const char *grade, char *subject, size_t subject_size, class_list *l,
                      slds_error *err)
{
    slds_cursor c;
    int step;
    if (section_id) {
        if (slds_cursor_open(&c, s,
                             "SELECT student_id, subject FROM rosters WHERE section_id = ?1"
                             " ORDER BY student_id",
                             err))
            return err->code;
        slds_cursor_bind_text(&c, 1, section_id);
    } else {
        if (slds_cursor_open(&c, s,
                             "SELECT DISTINCT student_id, NULL FROM enrollments WHERE school_id = ?1"
                             " AND grade_level = ?2 AND school_year ="
                             " (SELECT max(school_year) FROM enrollments WHERE school_id = ?1)"
                             " ORDER BY student_id",
                             err))
            return err->code;
        slds_cursor_bind_text(&c, 1, school_id);
        slds_cursor_bind_text(&c, 2, grade);
    }
    while ((step = slds_cursor_step(&c, err)) == 1) {
        if (class_list_add(l, slds_cursor_text(&c, 0))) {
            slds_cursor_close(&c);
            return slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
        }
        if (!subject[0] && slds_cursor_text(&c, 1))
            snprintf(subject, subject_size, "%s", slds_cursor_text(&c, 1));
    }
    slds_cursor_close(&c);
    if (step < 0)
        return err->code;
    if (!l->n)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no students in %s %s%s%s",
                         section_id ? "section" : "school", section_id ? section_id : school_id,
                         section_id ? "" : " grade ", section_id ? "" : grade);
    return SLDS_OK;
}

int slds_mastery_grid_html(slds_store *s, const char *section_id, const char *school_id,
                           const char *grade, const char *subject_filter, double threshold,
                           slds_buf *out, slds_error *err)
{
    if (!section_id == !school_id || (school_id && !grade))
        return slds_fail(err, SLDS_ERR_USAGE,
                         "the grid is of a section (--section) or of a school and grade "
                         "(--school, --grade)");
    int rc = mastery_require_schema(s, err);
    if (rc)
        return rc;
    char subject[32] = "";
    if (subject_filter)
        snprintf(subject, sizeof subject, "%s", subject_filter);
    class_list l = {0};
    if ((rc = load_class(s, section_id, school_id, grade, subject, sizeof subject, &l, err)))
        return rc;
    mastery_catalog cat;
    if ((rc = mastery_catalog_load(s, &cat, err))) {
        class_list_free(&l);
        return rc;
    }
    mastery_student *m = calloc(l.n, sizeof *m);
    bool *col = calloc(cat.n ? cat.n : 1, sizeof *col);
    if (!m || !col)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "mastery: out of memory");
    size_t loaded = 0;
    for (; !rc && loaded < l.n; loaded++)
        rc = mastery_student_load(s, &cat, l.ids[loaded], &m[loaded], err);
    /* Columns: the subject's standards of the class's grades and any a
     * student has practised. */
    uint32_t ncol = 0;
    for (uint32_t k = 0; !rc && k < cat.n; k++) {
        if (subject[0] && strcmp(cat.v[k].subject, subject))
            continue;
        for (size_t i = 0; i < l.n && !col[k]; i++)
            col[k] = m[i].st[k].has || (m[i].grade_no != 99 && cat.v[k].grade_no == m[i].grade_no);
        ncol += col[k];
    }
    char title[200];
    snprintf(title, sizeof title, "Class mastery grid: %s%s%s%s%s", section_id ? "section " : "school ",
             section_id ? section_id : school_id, section_id ? "" : ", grade ", section_id ? "" : grade,
             subject[0] ? "" : "");
    if (!rc)
        rc = page_head(out, title);
    if (!rc && subject[0]) {
        rc = NOMEM(slds_buf_puts(out, "<p>Subject: ") || slds_html_escape(out, subject) ||
                   slds_buf_printf(out, ". %zu students, %u standards. Each cell is the "
                                        "student's probability of mastery of the standard "
                                        "(Bayesian Knowledge Tracing).</p>\n",
                                   l.n, ncol));
    } else if (!rc)
        rc = NOMEM(slds_buf_printf(out, "<p>%zu students, %u standards. Each cell is the "
                                        "student's probability of mastery of the standard.</p>\n",
                                   l.n, ncol));
    const double cell = 22, left = 110, top = 90;
    int width = (int)(left + cell * ncol + 20), height = (int)(top + cell * (double)l.n + 50);
    if (width < 520)
        width = 520;
    if (!rc)
        rc = NOMEM(slds_svg_begin(out, width, height, "class mastery grid"));
    uint32_t ci = 0;
    for (uint32_t k = 0; !rc && k < cat.n; k++) {
        if (!col[k])
            continue;
        double x = left + cell * ci + cell / 2;
        char attrs[96];
        snprintf(attrs, sizeof attrs, "transform=\"rotate(-55 %.1f %.1f)\"", x, top - 6);
        rc = NOMEM(slds_svg_text(out, x, top - 6, attrs, cat.v[k].id));
        for (size_t i = 0; !rc && i < l.n; i++) {
            const mastery_student_state *st = &m[i].st[k];
            char fill[8] = "#eeeeee";
            if (st->has)
                heat(st->p, fill);
            rc = NOMEM(slds_svg_rect(out, left + cell * ci + 1, top + cell * (double)i + 1,
                                     cell - 2, cell - 2, fill,
                                     st->has && st->p >= threshold ? "#000000" : "#ffffff"));
        }
        ci++;
    }
    for (size_t i = 0; !rc && i < l.n; i++)
        rc = NOMEM(slds_svg_text(out, 4, top + cell * (double)i + 15, NULL, l.ids[i]));
    if (!rc)
        rc = NOMEM(legend(out, left, top + cell * (double)l.n + 16, threshold));
    if (!rc)
        rc = NOMEM(slds_svg_end(out));
    /* The same as a table: per student the counts by status. */
    static const slds_column_spec cols[] = {
        {.name = "student_id", .type = SLDS_CELL_TEXT},
        {.name = "grade_level", .type = SLDS_CELL_TEXT},
        {.name = "mastered", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "revisit", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "ready", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "mean_p_mastery", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 2}};
    slds_table *t = NULL;
    if (!rc)
        rc = slds_table_new(&t, "class", "Students", cols, 6, err);
    for (size_t i = 0; !rc && i < l.n; i++) {
        long long counts[5] = {0};
        double sum = 0;
        int n = 0;
        for (uint32_t k = 0; k < cat.n; k++) {
            if (!col[k])
                continue;
            counts[mastery_status_of(&cat, &m[i], k, threshold)]++;
            if (m[i].st[k].has) {
                sum += m[i].st[k].p;
                n++;
            }
        }
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, l.ids[i], err);
        slds_table_set_text(t, 1, m[i].grade, err);
        slds_table_set_integer(t, 2, counts[MASTERY_MASTERED], err);
        slds_table_set_integer(t, 3, counts[MASTERY_REVISIT_FALLEN] + counts[MASTERY_REVISIT_NOT_YET], err);
        slds_table_set_integer(t, 4, counts[MASTERY_READY], err);
        slds_table_set_real(t, 5, n ? sum / n : NAN, err);
        rc = slds_table_status(t);
    }
    if (!rc)
        rc = slds_buf_puts(out, "<h2>Students</h2>\n") ? SLDS_ERR_NOMEM : slds_table_html(t, out);
    if (!rc)
        rc = slds_buf_puts(out, "<p class=\"note\">Ready: every prerequisite mastered, not yet "
                                "practised. Revisit: practised and not mastered now (never "
                                "reached, or fallen below the threshold).</p>\n</body></html>\n")
                 ? SLDS_ERR_NOMEM
                 : SLDS_OK;
    if (rc == SLDS_ERR_NOMEM && !err->code)
        slds_fail(err, rc, "mastery: out of memory (page)");
    slds_table_free(t);
    for (size_t i = 0; i < loaded; i++)
        mastery_student_free(&m[i]);
    free(m);
    free(col);
    mastery_catalog_free(&cat);
    class_list_free(&l);
    return rc;
}

/* ----------------------------------------------------- the student page */

static const char *status_fill(mastery_status st, double p, char buf[8])
{
    switch (st) {
    case MASTERY_MASTERED: return "#1a9850";
    case MASTERY_REVISIT_FALLEN:
    case MASTERY_REVISIT_NOT_YET: heat(p, buf); return buf;
    case MASTERY_READY: return "#d1e5f0";
    case MASTERY_NOT_READY: return "#eeeeee";
    }
    return "#ffffff";
}

static int student_map_svg(slds_buf *b, const mastery_catalog *cat, const mastery_student *m,
                           double threshold)
{
    /* Rows: (subject, grade) on the map; cells: its standards. */
    const double cell = 64, rowh = 30, left = 110, top = 10;
    int rows = 0, maxcols = 0;
    for (uint32_t k = 0; k < cat->n;) {
        uint32_t j = k;
        int n = 0;
        while (j < cat->n && !strcmp(cat->v[j].subject, cat->v[k].subject) &&
               !strcmp(cat->v[j].grade, cat->v[k].grade)) {
            n += mastery_on_map(cat, m, j);
            j++;
        }
        if (n) {
            rows++;
            if (n > maxcols)
                maxcols = n;
        }
        k = j;
    }
    int rc = slds_svg_begin(b, (int)(left + cell * maxcols + 20), (int)(top + rowh * rows + 60),
                            "mastery map");
    int r = 0;
    for (uint32_t k = 0; !rc && k < cat->n;) {
        uint32_t j = k;
        int c = 0;
        while (!rc && j < cat->n && !strcmp(cat->v[j].subject, cat->v[k].subject) &&
               !strcmp(cat->v[j].grade, cat->v[k].grade)) {
            if (mastery_on_map(cat, m, j)) {
                mastery_status st = mastery_status_of(cat, m, j, threshold);
                char buf[8];
                double x = left + cell * c, y = top + rowh * r;
                rc = slds_svg_rect(b, x + 1, y + 1, cell - 2, rowh - 4,
                                   status_fill(st, m->st[j].p, buf),
                                   st == MASTERY_READY ? "#2166ac" : "#ffffff");
                /* the standard's number within its grade (MATH.5.03 -> 03) */
                const char *dot = strrchr(cat->v[j].id, '.');
                rc = rc || slds_svg_text(b, x + 6, y + 18,
                                         st == MASTERY_MASTERED ? "style=\"fill:#fff\"" : NULL,
                                         dot ? dot + 1 : cat->v[j].id);
                if (!rc && m->st[j].has) {
                    char pct[16];
                    snprintf(pct, sizeof pct, "%.0f%%", 100 * m->st[j].p);
                    rc = slds_svg_text(b, x + 28, y + 18,
                                       st == MASTERY_MASTERED ? "style=\"fill:#fff\"" : NULL, pct);
                }
                c++;
            }
            j++;
        }
        if (c && !rc) {
            char label[64];
            snprintf(label, sizeof label, "%s grade %s", cat->v[k].subject, cat->v[k].grade);
            rc = slds_svg_text(b, 4, top + rowh * r + 18, "class=\"head\"", label);
            r++;
        }
        k = j;
    }
    double y = top + rowh * rows + 14;
    if (!rc) {
        rc = slds_svg_rect(b, left, y, 14, 10, "#1a9850", NULL) ||
             slds_svg_text(b, left + 18, y + 9, NULL, "mastered") ||
             slds_svg_rect(b, left + 90, y, 14, 10, "#fee08b", NULL) ||
             slds_svg_text(b, left + 108, y + 9, NULL, "revisit (colour: P(mastery))") ||
             slds_svg_rect(b, left + 280, y, 14, 10, "#d1e5f0", "#2166ac") ||
             slds_svg_text(b, left + 298, y + 9, NULL, "ready") ||
             slds_svg_rect(b, left + 350, y, 14, 10, "#eeeeee", NULL) ||
             slds_svg_text(b, left + 368, y + 9, NULL, "not ready (a prerequisite first)");
    }
    return rc || slds_svg_end(b);
}

/* The plan as HTML rows with a progress bar (the table layer's HTML has no bars). */
static int plan_html(slds_buf *b, const slds_table *plan)
{
    if (!slds_table_nrows(plan))
        return slds_buf_puts(b, "<p>No goals yet: a teacher sets them with "
                                "<code>slds mastery plan set</code>.</p>\n");
    int rc = slds_buf_puts(b, "<table><tr><th>standard</th><th>goal</th><th>target date</th>"
                              "<th>progress</th><th>status</th><th>days left</th></tr>\n");
    for (size_t i = 0; !rc && i < slds_table_nrows(plan); i++) {
        char buf[64];
        double progress = slds_table_real(plan, i, 7);
        rc = slds_buf_puts(b, "<tr><td>") || slds_html_escape(b, slds_table_text(plan, i, 1)) ||
             slds_buf_puts(b, "</td><td>") ||
             slds_html_escape(b, slds_table_text(plan, i, 2) ? slds_table_text(plan, i, 2) : "") ||
             slds_buf_puts(b, "</td><td>") || slds_html_escape(b, slds_table_text(plan, i, 3)) ||
             slds_buf_printf(b, "</td><td><span class=\"bar\"><span style=\"width:%.0f%%\"></span>"
                                "</span> %.0f%%</td><td>",
                             isnan(progress) ? 0 : progress, isnan(progress) ? 0 : progress) ||
             slds_html_escape(b, slds_table_text(plan, i, 11)) ||
             slds_buf_printf(b, "</td><td class=\"num\">%s</td></tr>\n",
                             slds_table_cell_text(plan, i, 10, buf, sizeof buf));
    }
    return rc || slds_buf_puts(b, "</table>\n");
}

int slds_mastery_student_html(slds_store *s, const char *student_id, const char *as_of,
                              double threshold, slds_buf *out, slds_error *err)
{
    slds_table *plan = NULL, *steps = NULL;
    int rc = slds_mastery_plan_table(s, student_id, as_of, threshold, &plan, err);
    if (!rc)
        rc = slds_mastery_next_steps_table(s, student_id, threshold, &steps, err);
    mastery_catalog cat = {0};
    mastery_student m = {0};
    if (!rc)
        rc = mastery_catalog_load(s, &cat, err);
    if (!rc)
        rc = mastery_student_load(s, &cat, student_id, &m, err);
    char title[128];
    snprintf(title, sizeof title, "Learning plan and mastery: student %s", student_id);
    if (!rc)
        rc = page_head(out, title);
    if (!rc && m.grade[0]) {
        rc = NOMEM(slds_buf_puts(out, "<p>Grade ") || slds_html_escape(out, m.grade) ||
                   slds_buf_puts(out, ", school ") || slds_html_escape(out, m.school_id) ||
                   slds_buf_printf(out, ", school year %d.</p>\n", m.year));
    }
    if (!rc)
        rc = NOMEM(slds_buf_puts(out, "<h2>Learning plan</h2>\n") || plan_html(out, plan));
    if (!rc)
        rc = NOMEM(slds_buf_puts(out, "<h2>Mastery map</h2>\n") ||
                   student_map_svg(out, &cat, &m, threshold));
    if (!rc)
        rc = slds_buf_puts(out, "<h2>Next steps</h2>\n") ? SLDS_ERR_NOMEM : slds_table_html(steps, out);
    if (!rc)
        rc = NOMEM(slds_buf_printf(out,
                             "<p class=\"note\">P(mastery) is the probability that the standard is "
                             "mastered, from the answers to practice items (Bayesian Knowledge "
                             "Tracing); a standard counts as mastered at %.0f%% or more. Ready: "
                             "every prerequisite is mastered. Revisit: practised but not mastered "
                             "now.</p>\n</body></html>\n",
                             100 * threshold));
    if (rc == SLDS_ERR_NOMEM && !err->code)
        slds_fail(err, rc, "mastery: out of memory (page)");
    mastery_student_free(&m);
    mastery_catalog_free(&cat);
    slds_table_free(plan);
    slds_table_free(steps);
    return rc;
}
