/* instruct.c - the pages of instruction and research: a teacher's class
 * mastery grid (src/mastery: students x standards), a student's learning
 * plan and mastery map (teachers set goals with a form or the API; students
 * and parents see them), a school's early-warning list for the counselor
 * (src/warn: flags with reasons, probabilities, main factors) and a
 * researcher's approved de-identified extracts (src/extract).
 *
 * Access as everywhere: the route's resource is checked with src/access
 * first, and every student row is checked again (a roster or a warning list
 * may name a student the requester may not see). An extract holds no
 * identifier (pseudonyms only); it is served to the researcher it was
 * approved for and to nobody else. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extract/extract.h"
#include "mastery/mastery.h"
#include "warn/warn.h"
#include "web/internal.h"

static int fail500(web_ctx *c, const char *what, const slds_error *err)
{
    fprintf(stderr, "slds serve: %s: %s\n", what, err && err->message[0] ? err->message : "failed");
    return web_error(c, 500, "The page could not be made.");
}

/* 1 allowed; otherwise the refusal is answered and its status is in *status. */
static int may_see(web_ctx *c, const char *student_id, int *status)
{
    slds_error err = {0};
    int ok = c->logged_in ? web_may_student(c->store, &c->who, student_id, c->year, &err) : 0;
    if (ok < 0)
        *status = fail500(c, "access", &err);
    else if (!ok)
        *status = web_refuse(c);
    return ok > 0;
}

static int csv_links(web_ctx *c, const web_doc *d, slds_buf *b)
{
    int rc = slds_buf_puts(b, "<p class=\"csv\">Download as CSV:");
    for (size_t i = 0; i < d->n && !rc; i++)
        rc = slds_buf_puts(b, " <a href=\"") || slds_html_escape(b, c->rq->path) ||
             slds_buf_puts(b, "?format=csv&amp;table=") || slds_html_escape(b, slds_table_name(d->tables[i])) ||
             slds_buf_puts(b, "\" download>") || slds_html_escape(b, slds_table_name(d->tables[i])) ||
             slds_buf_puts(b, "</a>");
    return rc || slds_buf_puts(b, "</p>\n");
}

/* The body of a self-contained page of another module, without its frame
 * and first heading (our page has both). */
static int page_body(const slds_buf *page, slds_buf *out)
{
    const char *a = page->data ? strstr(page->data, "<body>") : NULL;
    const char *b = a ? strstr(a, "</body>") : NULL;
    if (!a || !b)
        return SLDS_OK;
    a += strlen("<body>");
    const char *h1 = strstr(a, "</h1>");
    if (h1 && h1 < b)
        a = h1 + strlen("</h1>");
    return slds_buf_append(out, a, (size_t)(b - a));
}

/* ------------------------------------------------------------ mastery grid */

/* The heat colour of a probability: red (0), yellow (0.5), green (1). */
static void heat(double p, char out[8])
{
    static const double stops[3][3] = {{215, 48, 39}, {254, 224, 139}, {26, 152, 80}};
    p = p >= 0 ? (p <= 1 ? p : 1) : 0;
    int k = p < 0.5 ? 0 : 1;
    double f = p < 0.5 ? p / 0.5 : (p - 0.5) / 0.5;
    int rgb[3];
    for (int i = 0; i < 3; i++)
        rgb[i] = (int)lround(stops[k][i] + f * (stops[k + 1][i] - stops[k][i]));
    snprintf(out, 8, "#%02x%02x%02x", rgb[0] & 255, rgb[1] & 255, rgb[2] & 255);
}

typedef struct grid_axis {
    char **ids;
    size_t n, cap;
} grid_axis;

static long axis_find(const grid_axis *a, const char *id)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->ids[i], id))
            return (long)i;
    return -1;
}

static long axis_add(grid_axis *a, const char *id)
{
    long k = axis_find(a, id);
    if (k >= 0)
        return k;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        char **v = realloc(a->ids, cap * sizeof *v);
        if (!v)
            return -1;
        a->ids = v, a->cap = cap;
    }
    if (!(a->ids[a->n] = strdup(id)))
        return -1;
    return (long)a->n++;
}

static void axis_free(grid_axis *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->ids[i]);
    free(a->ids);
}

/* Students (rows) x standards (columns) of the long table t: each cell the
 * probability of mastery (grey: no evidence yet), outlined when mastered. */
static int grid_svg(slds_buf *b, const slds_table *t, double threshold)
{
    grid_axis st = {0}, sd = {0};
    int rc = SLDS_OK;
    for (size_t r = 0; r < slds_table_nrows(t) && !rc; r++)
        if (axis_add(&st, web_cell(t, r, "student_id")) < 0 || axis_add(&sd, web_cell(t, r, "standard_id")) < 0)
            rc = SLDS_ERR_NOMEM;
    const double cell = 18, left = 96, top = 84;
    int width = (int)(left + cell * (double)sd.n + 60), height = (int)(top + cell * (double)st.n + 30);
    rc = rc || slds_svg_begin(b, width < 320 ? 320 : width, height, "class mastery grid");
    for (size_t k = 0; k < sd.n && !rc; k++) {
        double x = left + cell * (double)k + cell / 2;
        char attrs[96];
        snprintf(attrs, sizeof attrs, "class=\"lvl\" transform=\"rotate(-60 %.1f %.1f)\"", x, top - 4);
        rc = slds_svg_text(b, x, top - 4, attrs, sd.ids[k]);
    }
    for (size_t i = 0; i < st.n && !rc; i++)
        rc = slds_svg_text(b, 2, top + cell * (double)i + 13, "class=\"lvl\"", st.ids[i]);
    int cp = slds_table_find_column(t, "p_mastery");
    for (size_t r = 0; r < slds_table_nrows(t) && !rc; r++) {
        long i = axis_find(&st, web_cell(t, r, "student_id")), k = axis_find(&sd, web_cell(t, r, "standard_id"));
        bool has = cp >= 0 && !slds_table_is_blank(t, r, cp);
        double p = has ? slds_table_real(t, r, cp) : NAN;
        char fill[8] = "#eeeeee";
        if (has)
            heat(p, fill);
        rc = slds_svg_rect(b, left + cell * (double)k + 1, top + cell * (double)i + 1, cell - 2, cell - 2, fill,
                           has && p >= threshold ? "#000000" : "#ffffff");
    }
    rc = rc || slds_svg_text(b, left, top + cell * (double)st.n + 18, "class=\"lvl\"",
                             "red: not mastered, green: mastered (outlined at the threshold), grey: no evidence");
    rc = rc || slds_svg_end(b);
    axis_free(&st);
    axis_free(&sd);
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}

int web_build_mastery_grid(web_ctx *c, web_doc *d)
{
    slds_error err = {0};
    if (!c->logged_in)
        return web_refuse(c);
    int ok = web_may_staff(c->store, &c->who, c->param, c->year, &err);
    if (ok < 0)
        return fail500(c, "access", &err);
    if (!ok)
        return web_refuse(c);
    slds_table *cls;
    if (web_class_table(c->store, c->param, c->year, &cls, &err))
        return fail500(c, "class", &err);
    /* the distinct students of the rosters the requester may see */
    grid_axis students = {0};
    int rc = SLDS_OK;
    for (size_t r = 0; r < slds_table_nrows(cls) && !rc; r++) {
        const char *id = web_cell(cls, r, "student_id");
        if (axis_find(&students, id) >= 0)
            continue;
        int may = web_may_student(c->store, &c->who, id, c->year, &err);
        if (may < 0)
            rc = err.code;
        else if (may && axis_add(&students, id) < 0)
            rc = SLDS_ERR_NOMEM;
    }
    slds_table_free(cls);
    slds_table *grid = NULL;
    bool available = true;
    for (size_t i = 0; i < students.n && !rc; i++) {
        slds_table *m;
        int mr = slds_mastery_student_table(c->store, students.ids[i], SLDS_MASTERY_THRESHOLD, &m, &err);
        if (mr == SLDS_ERR_NOMEM)
            rc = mr;
        else if (mr) { /* no mastery tables or states yet */
            available = false;
            slds_error_clear(&err);
            break;
        }
        if (!grid)
            rc = web_table_filter(m, "mastery_grid", "Mastery of each standard (one row per student and standard)",
                                  NULL, NULL, &grid, &err);
        else
            rc = web_table_append(grid, m, NULL, NULL, &err);
        slds_table_free(m);
    }
    axis_free(&students);
    if (rc) {
        slds_table_free(grid);
        return fail500(c, "mastery grid", &err);
    }
    snprintf(d->title, sizeof d->title, "Class mastery grid of %s, %d", c->param, c->year);
    rc = slds_buf_puts(&d->html, "<p>Each student's probability of mastery of each standard "
                                 "(Bayesian Knowledge Tracing of the practice items); a standard "
                                 "is mastered at ") ||
         slds_buf_printf(&d->html, "%.2f.", SLDS_MASTERY_THRESHOLD) ||
         slds_buf_puts(&d->html, " <a href=\"/teachers/") || slds_html_escape(&d->html, c->param) ||
         slds_buf_puts(&d->html, "/class\">Class view</a></p>\n");
    if (grid && slds_table_nrows(grid)) {
        rc = rc || grid_svg(&d->html, grid, SLDS_MASTERY_THRESHOLD);
        rc = rc || slds_buf_puts(&d->html, "<p>Learning plans:");
        grid_axis seen = {0};
        for (size_t r = 0; r < slds_table_nrows(grid) && !rc; r++) {
            const char *id = web_cell(grid, r, "student_id");
            if (axis_find(&seen, id) >= 0)
                continue;
            rc = axis_add(&seen, id) < 0 || slds_buf_puts(&d->html, " <a href=\"/students/") ||
                 slds_html_escape(&d->html, id) || slds_buf_puts(&d->html, "/plan\">") ||
                 slds_html_escape(&d->html, id) || slds_buf_puts(&d->html, "</a>");
        }
        axis_free(&seen);
        rc = rc || slds_buf_puts(&d->html, "</p>\n");
    } else
        rc = rc || slds_buf_puts(&d->html, available ? "<p class=\"note\">No student of this class has a mastery estimate yet.</p>\n"
                                                     : "<p class=\"note\">Mastery has not been fitted yet (slds mastery fit).</p>\n");
    if (!grid) {
        static const slds_column_spec cols[] = {{.name = "student_id", .type = SLDS_CELL_TEXT},
                                                {.name = "standard_id", .type = SLDS_CELL_TEXT},
                                                {.name = "p_mastery", .type = SLDS_CELL_REAL}};
        rc = rc || slds_table_new(&grid, "mastery_grid", "Mastery of each standard", cols, 3, &err);
    }
    /* Per student: standards by status and the mean P(mastery) (the page's
     * table; the long grid downloads as CSV). */
    static const slds_column_spec sc[] = {
        {.name = "student_id", .type = SLDS_CELL_TEXT},
        {.name = "mastered", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "revisit", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "ready", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "not_ready", .type = SLDS_CELL_INTEGER, .unit = "standards"},
        {.name = "mean_p_mastery", .type = SLDS_CELL_REAL, .unit = "probability", .decimals = 2}};
    slds_table *sum = NULL;
    rc = rc || slds_table_new(&sum, "class_mastery", "Standards by status, per student", sc, 6, &err);
    int cp = grid ? slds_table_find_column(grid, "p_mastery") : -1;
    for (size_t r = 0; !rc && r < slds_table_nrows(grid);) {
        const char *id = web_cell(grid, r, "student_id");
        long long n[4] = {0};
        double psum = 0;
        int pn = 0;
        size_t e = r;
        for (; e < slds_table_nrows(grid) && !strcmp(web_cell(grid, e, "student_id"), id); e++) {
            const char *st = web_cell(grid, e, "status");
            n[!strcmp(st, "mastered") ? 0 : !strncmp(st, "revisit", 7) ? 1 : !strcmp(st, "ready") ? 2 : 3]++;
            if (cp >= 0 && !slds_table_is_blank(grid, e, cp))
                psum += slds_table_real(grid, e, cp), pn++;
        }
        rc = slds_table_add_row(sum, &err);
        rc = rc || slds_table_set_text(sum, 0, id, &err);
        for (int k = 0; k < 4 && !rc; k++)
            rc = slds_table_set_integer(sum, k + 1, n[k], &err);
        rc = rc || slds_table_set_real(sum, 5, pn ? psum / pn : NAN, &err);
        r = e;
    }
    if (rc) {
        slds_table_free(grid);
        slds_table_free(sum);
        return fail500(c, "mastery grid", &err);
    }
    rc = web_doc_add(d, sum, &err);
    rc = rc || web_doc_add(d, grid, &err);
    if (!rc && c->kind == WEB_PAGE) {
        d->no_tables_html = true;
        rc = web_html_table(c, &d->after, sum) ||
             slds_buf_puts(&d->after, "<p class=\"csv\">Every student and standard: <a href=\"") ||
             slds_html_escape(&d->after, c->rq->path) ||
             slds_buf_puts(&d->after, "?format=csv&amp;table=mastery_grid\" download>Download the grid as CSV</a></p>\n");
    }
    return rc ? fail500(c, "mastery grid", &err) : 200;
}

/* ------------------------------------------------------------ plans */

static bool is_teacher(const web_ctx *c)
{
    return c->logged_in && c->who.role == SLDS_ROLE_TEACHER;
}

int web_build_plan(web_ctx *c, web_doc *d)
{
    int status = 200;
    if (!may_see(c, c->param, &status))
        return status;
    slds_error err = {0};
    slds_table *plan = NULL, *map = NULL, *steps = NULL;
    int rc = slds_mastery_plan_table(c->store, c->param, NULL, SLDS_MASTERY_THRESHOLD, &plan, &err);
    rc = rc ? rc : slds_mastery_student_table(c->store, c->param, SLDS_MASTERY_THRESHOLD, &map, &err);
    rc = rc ? rc : slds_mastery_next_steps_table(c->store, c->param, SLDS_MASTERY_THRESHOLD, &steps, &err);
    if (rc == SLDS_ERR_NOTFOUND) {
        slds_table_free(plan), slds_table_free(map), slds_table_free(steps);
        return web_error(c, 404, "There is no such student.");
    }
    if (rc) {
        slds_table_free(plan), slds_table_free(map), slds_table_free(steps);
        return fail500(c, "plan", &err);
    }
    web_log_view(c->app->auth, &c->who, c->route, c->param, c->now);
    snprintf(d->title, sizeof d->title, "Learning plan of student %s", c->param);
    rc = web_doc_add(d, plan, &err);
    rc = rc || web_doc_add(d, map, &err);
    rc = rc || web_doc_add(d, steps, &err);
    if (!rc && c->kind == WEB_PAGE) {
        slds_buf page = {0};
        d->no_tables_html = true;
        rc = slds_buf_puts(&d->html, "<p><a href=\"/students/") || slds_html_escape(&d->html, c->param) ||
             slds_buf_puts(&d->html, "\">Record and growth</a></p>\n");
        if (!rc && !slds_mastery_student_html(c->store, c->param, NULL, SLDS_MASTERY_THRESHOLD, &page, &err))
            rc = slds_buf_puts(&d->html, "<div class=\"scroll\">\n") || page_body(&page, &d->html) ||
                 slds_buf_puts(&d->html, "</div>\n");
        slds_buf_free(&page);
        rc = rc || csv_links(c, d, &d->after);
        if (!rc && is_teacher(c)) { /* the teacher sets a goal: a standard of the map, a date */
            rc = slds_buf_puts(&d->after, "<h2>Set a goal</h2>\n<form class=\"login\" method=\"post\" action=\"/students/") ||
                 slds_html_escape(&d->after, c->param) ||
                 slds_buf_puts(&d->after, "/plan\">\n<input type=\"hidden\" name=\"csrf\" value=\"") ||
                 slds_html_escape(&d->after, c->csrf) ||
                 slds_buf_puts(&d->after, "\">\n<label for=\"standard_id\">Standard</label><select id=\"standard_id\" name=\"standard_id\">\n");
            for (size_t r = 0; r < slds_table_nrows(map) && !rc; r++) {
                const char *id = web_cell(map, r, "standard_id");
                rc = slds_buf_puts(&d->after, "<option>") || slds_html_escape(&d->after, id) ||
                     slds_buf_puts(&d->after, "</option>\n");
            }
            rc = rc || slds_buf_puts(&d->after,
                                     "</select>\n<label for=\"target_date\">Master by (YYYY-MM-DD)</label>"
                                     "<input id=\"target_date\" name=\"target_date\" type=\"date\" required>\n"
                                     "<label for=\"note\">Note</label><input id=\"note\" name=\"note\" maxlength=\"200\">\n"
                                     "<p><button type=\"submit\">Set the goal</button></p>\n</form>\n");
        }
    }
    return rc ? fail500(c, "plan", &err) : 200;
}

/* A text field of the POST: the form's field, or the JSON body's member. */
static bool post_field(web_ctx *c, json_t *j, const char *name, char *out, size_t size)
{
    if (j) {
        const char *v = json_string_value(json_object_get(j, name));
        if (!v || strlen(v) >= size)
            return false;
        snprintf(out, size, "%s", v);
        return true;
    }
    return c->rq->body && web_form_field(c->rq->body, c->rq->body_len, name, out, size);
}

/* POST /students/{id}/plan (form with the csrf field; 303 back to the plan)
 * and POST /api/v1/students/{id}/plan (JSON {"standard_id", "target_date",
 * "note"} with the X-CSRF-Token header): a teacher who may see the student
 * sets a goal. The data connections are read-only: a writer is opened for
 * the goal alone. */
int web_plan_post(web_ctx *c)
{
    if (!c->logged_in)
        return web_refuse(c);
    bool api = c->kind == WEB_API;
    json_t *j = NULL;
    char csrf[80] = "";
    if (api) {
        if (!web_content_type_is(c, "application/json"))
            return web_error(c, 415, "Send the goal as application/json.");
        if (!web_secret_equal(c->rq->csrf_header ? c->rq->csrf_header : "", c->csrf))
            return web_error(c, 403, "The X-CSRF-Token header is missing or wrong.");
        json_error_t jerr;
        j = c->rq->body ? json_loadb(c->rq->body, c->rq->body_len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
        if (!json_is_object(j)) {
            json_decref(j);
            return web_error(c, 400, "Send {\"standard_id\": ..., \"target_date\": ..., \"note\": ...}.");
        }
    } else {
        if (!web_content_type_is(c, "application/x-www-form-urlencoded"))
            return web_error(c, 415, "The goal must be sent as a form.");
        if (!c->rq->body || !web_form_field(c->rq->body, c->rq->body_len, "csrf", csrf, sizeof csrf) ||
            !web_secret_equal(csrf, c->csrf))
            return web_error(c, 403, "The form expired; reload the page and try again.");
    }
    int status = 200;
    if (!may_see(c, c->param, &status)) {
        json_decref(j);
        return status;
    }
    if (!is_teacher(c)) {
        json_decref(j);
        return web_error(c, 403, "Only a teacher of the student sets goals.");
    }
    char standard[80], date[16], note[256] = "";
    bool ok = post_field(c, j, "standard_id", standard, sizeof standard) &&
              post_field(c, j, "target_date", date, sizeof date);
    bool has_note = post_field(c, j, "note", note, sizeof note);
    json_decref(j);
    if (!ok)
        return web_error(c, 400, "A goal needs standard_id and target_date (YYYY-MM-DD).");
    slds_error err = {0};
    slds_store *w = NULL;
    slds_plan_goal g = {.student_id = c->param, .standard_id = standard, .target_date = date,
                        .set_by = c->who.username, .note = has_note && note[0] ? note : NULL};
    /* The request's read transaction ends first: a writer of this process
     * must not wait for its own reader. */
    sqlite3_exec(c->store->db, "COMMIT", NULL, NULL, NULL);
    int rc = slds_store_open_writer(&w, c->app->db_path, 0, &err);
    rc = rc ? rc : slds_mastery_plan_set(w, &g, &err);
    slds_store_close(w);
    if (rc == SLDS_ERR_USAGE || rc == SLDS_ERR_NOTFOUND)
        return web_error(c, 400, rc == SLDS_ERR_USAGE ? "The date must be YYYY-MM-DD."
                                                      : "There is no such standard.");
    if (rc) {
        fprintf(stderr, "slds serve: plan goal: %s\n", err.message);
        return web_error(c, 503, "The goal could not be stored now; try again.");
    }
    web_log_view(c->app->auth, &c->who, c->route, c->param, c->now);
    if (api) {
        c->rs->status = 200;
        c->rs->content_type = "application/json; charset=utf-8";
        slds_buf_puts(&c->rs->body, "{\"status\":\"goal set\"}\n");
        return 200;
    }
    char where[120];
    snprintf(where, sizeof where, "/students/%s/plan", c->param);
    web_header(c, "Location", where);
    c->rs->status = 303;
    c->rs->content_type = "text/html; charset=utf-8";
    slds_buf_puts(&c->rs->body, "<a href=\"");
    slds_html_escape(&c->rs->body, where);
    slds_buf_puts(&c->rs->body, "\">Continue</a>\n");
    return 303;
}

/* ------------------------------------------------------------ early warning */

static bool keep_flagged(const slds_table *t, size_t row, void *ctx)
{
    (void)t;
    return ((const char *)ctx)[row] != 0;
}

int web_build_warnings(web_ctx *c, web_doc *d)
{
    slds_error err = {0};
    if (!c->logged_in || !web_identifiable(&c->who))
        return web_refuse(c);
    web_place p;
    int rc = web_catalog_school(c->store, c->param, &p, &err);
    if (rc == SLDS_ERR_NOTFOUND)
        return web_error(c, 404, "There is no such school.");
    if (rc)
        return fail500(c, "school", &err);
    int ok = web_may_school(c->store, &c->who, c->param, &err);
    if (ok < 0)
        return fail500(c, "access", &err);
    if (!ok)
        return web_refuse(c);
    slds_table *all = NULL, *t = NULL;
    rc = slds_warn_show(c->store, c->year, c->param, &all, &err);
    if (rc && rc != SLDS_ERR_NOMEM) { /* not run for the year */
        slds_error_clear(&err);
        static const slds_column_spec cols[] = {{.name = "student_id", .type = SLDS_CELL_TEXT}};
        rc = slds_table_new(&all, "warnings", "Early-warning list", cols, 1, &err);
        rc = rc || slds_buf_puts(&d->html, "<p class=\"note\">Early warning has not been run for this year (slds warn run).</p>\n");
    }
    if (!rc) { /* every row through access again */
        size_t n = slds_table_nrows(all);
        char *keep = calloc(n ? n : 1, 1);
        for (size_t r = 0; keep && r < n; r++)
            keep[r] = (char)(web_may_student(c->store, &c->who, web_cell(all, r, "student_id"), c->year, &err) == 1);
        rc = keep ? web_table_filter(all, "warnings", "Early-warning list (most at risk first)", keep_flagged, keep, &t, &err)
                  : slds_fail(&err, SLDS_ERR_NOMEM, "out of memory");
        free(keep);
    }
    slds_table_free(all);
    if (rc)
        return fail500(c, "warnings", &err);
    snprintf(d->title, sizeof d->title, "Early warning: %s, %d", p.name, c->year);
    rc = web_doc_add(d, t, &err);
    if (!rc && c->kind == WEB_PAGE) {
        /* students per flag (a student may have several) */
        const char *labels[12], *shown[12];
        char texts[12][24], names[12][32];
        double values[12];
        size_t nl = 0;
        int cf = slds_table_find_column(t, "flags");
        for (size_t r = 0; cf >= 0 && r < slds_table_nrows(t); r++) {
            char cell[256];
            slds_table_cell_text(t, r, cf, cell, sizeof cell);
            for (char *save = NULL, *tok = strtok_r(cell, " ,;", &save); tok; tok = strtok_r(NULL, " ,;", &save)) {
                size_t k = 0;
                while (k < nl && strcmp(names[k], tok))
                    k++;
                if (k == nl && nl < 12) {
                    snprintf(names[nl], sizeof names[0], "%s", tok);
                    values[nl++] = 0;
                }
                if (k < nl)
                    values[k] += 1;
            }
        }
        double max = 1;
        for (size_t k = 0; k < nl; k++) {
            labels[k] = names[k];
            snprintf(texts[k], sizeof texts[k], "%.0f", values[k]);
            shown[k] = texts[k];
            max = values[k] > max ? values[k] : max;
        }
        rc = slds_buf_printf(&d->html, "<p>%zu students of grades 6-12 listed, most at risk first: the "
                                       "ABC flags (attendance, behaviour, course performance) with their "
                                       "reasons, the calibrated probability of not graduating on time and "
                                       "of failing a course, and the factors that weigh most.</p>\n",
                             slds_table_nrows(t));
        if (!rc && nl)
            rc = web_chart_bars(&d->html, "Students with each flag", labels, values, shown, nl, max);
        rc = rc || slds_buf_puts(&d->html, "<p><a href=\"/schools/") || slds_html_escape(&d->html, c->param) ||
             slds_buf_puts(&d->html, "/dashboard\">School dashboard</a></p>\n");
    }
    return rc ? fail500(c, "warnings", &err) : 200;
}

/* ------------------------------------------------------------ extracts */

static bool researcher(const web_ctx *c)
{
    return c->logged_in && c->who.role == SLDS_ROLE_RESEARCHER;
}

/* The researcher's records without the server-side folder (out_dir). */
static int my_records(web_ctx *c, slds_table **out, slds_error *err)
{
    slds_table *all;
    int rc = slds_extract_records_for(c->store, c->who.username, &all, err);
    if (rc)
        return rc;
    int nc = slds_table_ncols(all), dir = slds_table_find_column(all, "out_dir");
    slds_column_spec cols[32];
    int n = 0;
    for (int k = 0; k < nc && n < 32; k++)
        if (k != dir)
            cols[n++] = *slds_table_column(all, k);
    slds_table *t;
    rc = slds_table_new(&t, "extracts", "Extracts approved for you", cols, n, err);
    for (size_t r = 0; r < slds_table_nrows(all) && !rc; r++) {
        rc = slds_table_add_row(t, err);
        for (int k = 0, o = 0; k < nc && !rc; k++) {
            if (k == dir)
                continue;
            if (cols[o].type == SLDS_CELL_INTEGER)
                rc = slds_table_set_integer(t, o, slds_table_integer(all, r, k), err);
            else
                rc = slds_table_set_text(t, o, slds_table_text(all, r, k) ? slds_table_text(all, r, k) : "", err);
            o++;
        }
    }
    slds_table_free(all);
    if (rc)
        return rc;
    *out = t;
    return SLDS_OK;
}

int web_build_my_extracts(web_ctx *c, web_doc *d)
{
    if (!researcher(c))
        return web_refuse(c);
    slds_error err = {0};
    slds_table *t;
    if (my_records(c, &t, &err))
        return fail500(c, "extracts", &err);
    snprintf(d->title, sizeof d->title, "My extracts");
    int rc = web_doc_add(d, t, &err);
    if (!rc && c->kind == WEB_PAGE) {
        rc = slds_buf_puts(&d->html, "<p>The de-identified extracts a data steward approved for you: "
                                     "students are replaced by pseudonyms unique to each extract, and "
                                     "quasi-identifiers are coarsened until every combination is shared "
                                     "by at least k students. Open one to download its files.</p>\n<ul class=\"links\">\n");
        for (size_t r = 0; r < slds_table_nrows(t) && !rc; r++) {
            const char *id = web_cell(t, r, "extract_id");
            rc = slds_buf_puts(&d->html, "<li><a href=\"/extracts/") || slds_html_escape(&d->html, id) ||
                 slds_buf_puts(&d->html, "\">") || slds_html_escape(&d->html, web_cell(t, r, "purpose")) ||
                 slds_buf_puts(&d->html, " (") || slds_html_escape(&d->html, web_cell(t, r, "created_at")) ||
                 slds_buf_puts(&d->html, ")</a></li>\n");
        }
        rc = rc || slds_buf_puts(&d->html, "</ul>\n");
    }
    return rc ? fail500(c, "extracts", &err) : 200;
}

static bool file_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 5 || n > 100 || s[0] == '.' || strcmp(s + n - 4, ".csv"))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '_' || s[i] == '-' || s[i] == '.' || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* GET /extracts/{id}: the extract's files (name, bytes) with their download
 * links; ?file=NAME downloads one (CSV as written by slds extract). Only for
 * the researcher it is approved for; anyone else is refused the same way
 * whether the extract exists or not. */
int web_build_extract(web_ctx *c, web_doc *d)
{
    if (!researcher(c))
        return web_refuse(c);
    slds_error err = {0};
    slds_table *all;
    if (slds_extract_records_for(c->store, c->who.username, &all, &err))
        return fail500(c, "extracts", &err);
    char dir[4096] = "", purpose[400] = "";
    for (size_t r = 0; r < slds_table_nrows(all); r++)
        if (!strcmp(web_cell(all, r, "extract_id"), c->param)) {
            snprintf(dir, sizeof dir, "%s", web_cell(all, r, "out_dir"));
            snprintf(purpose, sizeof purpose, "%s", web_cell(all, r, "purpose"));
        }
    slds_table_free(all);
    if (!dir[0])
        return web_refuse(c);
    const char *file = web_arg(c, "file");
    if (file) {
        if (!file_name_ok(file))
            return web_error(c, 404, "No such file in this extract.");
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        FILE *f = fopen(path, "rb");
        if (!f)
            return web_error(c, 404, "No such file in this extract.");
        char buf[65536];
        size_t n;
        int rc = SLDS_OK;
        while (!rc && (n = fread(buf, 1, sizeof buf, f)) > 0)
            rc = slds_buf_append(&c->rs->body, buf, n);
        fclose(f);
        if (rc)
            return web_error(c, 500, "The file could not be read.");
        char disp[200];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", file);
        web_header(c, "Content-Disposition", disp);
        c->rs->status = 200;
        c->rs->content_type = "text/csv; charset=utf-8";
        d->answered = true;
        return 200;
    }
    static const slds_column_spec cols[] = {{.name = "file", .type = SLDS_CELL_TEXT},
                                            {.name = "bytes", .type = SLDS_CELL_INTEGER, .unit = "bytes"}};
    slds_table *t;
    int rc = slds_table_new(&t, "files", "Files of the extract", cols, 2, &err);
    DIR *dh = rc ? NULL : opendir(dir);
    char names[64][256];
    size_t nn = 0;
    for (struct dirent *e; dh && (e = readdir(dh)) && nn < 64;)
        if (file_name_ok(e->d_name))
            snprintf(names[nn++], sizeof names[0], "%s", e->d_name);
    if (dh)
        closedir(dh);
    for (size_t i = 1; i < nn; i++) /* by name */
        for (size_t k = i; k > 0 && strcmp(names[k], names[k - 1]) < 0; k--) {
            char tmp[256];
            memcpy(tmp, names[k], sizeof tmp), memcpy(names[k], names[k - 1], sizeof tmp),
                memcpy(names[k - 1], tmp, sizeof tmp);
        }
    for (size_t i = 0; i < nn && !rc; i++) {
        char path[4300];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = slds_table_add_row(t, &err);
        rc = rc || slds_table_set_text(t, 0, names[i], &err);
        rc = rc || slds_table_set_integer(t, 1, stat(path, &sb) ? 0 : (int64_t)sb.st_size, &err);
    }
    rc = rc || web_doc_add(d, t, &err);
    snprintf(d->title, sizeof d->title, "Extract %s", c->param);
    if (!rc && c->kind == WEB_PAGE) {
        rc = slds_buf_puts(&d->html, "<p>") || slds_html_escape(&d->html, purpose) ||
             slds_buf_puts(&d->html, ". <a href=\"/me/extracts\">My extracts</a></p>\n<ul class=\"links\">\n");
        for (size_t i = 0; i < nn && !rc; i++)
            rc = slds_buf_puts(&d->html, "<li><a href=\"/extracts/") || slds_html_escape(&d->html, c->param) ||
                 slds_buf_puts(&d->html, "?file=") || slds_html_escape(&d->html, names[i]) ||
                 slds_buf_puts(&d->html, "\" download>") || slds_html_escape(&d->html, names[i]) ||
                 slds_buf_puts(&d->html, "</a></li>\n");
        rc = rc || slds_buf_puts(&d->html, "</ul>\n");
    }
    return rc ? fail500(c, "extract", &err) : 200;
}
