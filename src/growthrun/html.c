/* html.c - the parent report of one student's growth as a self-contained
 * HTML page (no script, no external file): per subject a summary sentence,
 * an inline SVG chart and a table of the history.
 *
 * The chart: years on the x axis (with the grade under each), scale score on
 * the y axis; the achievement levels of each year's grade as shaded bands
 * (the cut scores rise with the grade, so the bands climb in steps) with the
 * proficient cut as a dashed line; the student's past scores as a line of
 * points; from the latest score, the fan of percentile growth trajectories:
 * the 10th-90th and 25th-75th percentile bands and the 50th as a line.
 *
 * The SVG elements are drawn with the primitives of src/table (slds_svg_*),
 * the history table with its HTML renderer: this file decides what to draw,
 * not how SVG or HTML is spelled. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"
#include "table/table.h"

enum { CHART_W = 860, CHART_H = 440, LEFT = 70, RIGHT = 170, TOP = 30, BOTTOM = 60 };

static const char *const level_fill[] = {"#fbe3e1", "#fdf0da", "#e6f3e2", "#e1ecf7",
                                         "#ece6f5", "#f3f3f3"};

/* ----------------------------------------------------------------- scales */

typedef struct frame {
    int y0, y1;          /* years on the x axis */
    double lo, hi;       /* scores on the y axis */
} frame;

/* Each year is a column of the plot; its point is at the column's middle. */
static double column_half(const frame *f)
{
    return (CHART_W - LEFT - RIGHT) / (2.0 * (f->y1 - f->y0 + 1));
}

static double px(const frame *f, int year)
{
    return LEFT + column_half(f) * (2 * (year - f->y0) + 1);
}

static double py(const frame *f, double score)
{
    double h = CHART_H - TOP - BOTTOM;
    return TOP + h * (f->hi - score) / (f->hi - f->lo);
}

static const double *cuts_of(const slds_growth_fan *fan, int grade, int *n)
{
    for (int k = 0; k < fan->n_cut_grades; k++)
        if (fan->cut_grade[k] == grade) {
            *n = fan->n_cuts[k];
            return fan->cuts[k];
        }
    *n = 0;
    return NULL;
}

static void widen(frame *f, double v)
{
    if (!isfinite(v))
        return;
    if (v < f->lo)
        f->lo = v;
    if (v > f->hi)
        f->hi = v;
}

static frame make_frame(const slds_growth_fan *fan)
{
    frame f = {.y0 = fan->n_past ? fan->past_year[0] : fan->from_year,
               .y1 = fan->n_ahead ? fan->ahead_year[fan->n_ahead - 1] : fan->from_year,
               .lo = INFINITY, .hi = -INFINITY};
    for (int k = 0; k < fan->n_past; k++)
        widen(&f, fan->past_score[k]);
    for (int p = 0; p < SLDS_FAN_PERCENTILES; p++)
        for (int h = 0; h < fan->n_ahead; h++)
            widen(&f, fan->projection[p][h]);
    for (int k = 0; k < fan->n_cut_grades; k++)
        for (int c = 0; c < fan->n_cuts[k]; c++)
            widen(&f, fan->cuts[k][c]);
    if (!isfinite(f.lo)) {
        f.lo = 0;
        f.hi = 1;
    }
    double pad = (f.hi - f.lo) * 0.08 + 1.0;
    f.lo -= pad;
    f.hi += pad;
    return f;
}

/* A "nice" tick step for the y axis. */
static double tick_step(double range)
{
    double raw = range / 6.0, mag = pow(10.0, floor(log10(raw)));
    double norm = raw / mag;
    return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

/* ----------------------------------------------------------------- layers */

/* The grade shown in each year: past grades, then the projected ones. */
static int grade_in(const slds_growth_fan *fan, int year)
{
    for (int k = 0; k < fan->n_past; k++)
        if (fan->past_year[k] == year)
            return fan->past_grade[k];
    for (int h = 0; h < fan->n_ahead; h++)
        if (fan->ahead_year[h] == year)
            return fan->ahead_grade[h];
    return -1;
}

static int draw_levels(slds_buf *b, const slds_growth_fan *fan, const frame *f)
{
    int rc = 0;
    double half = column_half(f);
    /* the proficient cut: one level segment per year column */
    double *line = malloc(4 * (size_t)(f->y1 - f->y0 + 1) * sizeof *line);
    size_t npoints = 0;
    if (!line)
        return SLDS_ERR_NOMEM;
    for (int year = f->y0; year <= f->y1 && !rc; year++) {
        int n, grade = grade_in(fan, year);
        const double *cuts = grade >= 0 ? cuts_of(fan, grade, &n) : NULL;
        if (!cuts)
            continue;
        double x0 = px(f, year) - half, x1 = px(f, year) + half;
        if (x0 < LEFT)
            x0 = LEFT;
        if (x1 > CHART_W - RIGHT)
            x1 = CHART_W - RIGHT;
        for (int l = 0; l <= n && !rc; l++) {
            double lo = l == 0 ? f->lo : cuts[l - 1], hi = l == n ? f->hi : cuts[l];
            if (lo < f->lo)
                lo = f->lo;
            if (hi > f->hi)
                hi = f->hi;
            if (hi <= lo)
                continue;
            rc = slds_svg_rect(b, x0, py(f, hi), x1 - x0, py(f, lo) - py(f, hi),
                               level_fill[l < 5 ? l : 5], NULL);
        }
        if (fan->proficient_level >= 0 && fan->proficient_level < n) {
            double y = py(f, cuts[fan->proficient_level]);
            line[2 * npoints] = x0;
            line[2 * npoints + 1] = y;
            line[2 * npoints + 2] = x1;
            line[2 * npoints + 3] = y;
            npoints += 2;
        }
    }
    if (!rc && npoints)
        rc = slds_svg_polyline(b, line, npoints,
                               "fill=\"none\" stroke=\"#1b5e20\" stroke-width=\"2\" "
                               "stroke-dasharray=\"7 4\"");
    free(line);
    /* level names at the right, beside the last column's bands */
    int n, grade = grade_in(fan, f->y1);
    const double *cuts = grade >= 0 ? cuts_of(fan, grade, &n) : NULL;
    for (int l = 0; cuts && l <= n && l < fan->n_levels && !rc; l++) {
        double lo = l == 0 ? f->lo : cuts[l - 1], hi = l == n ? f->hi : cuts[l];
        if (lo < f->lo)
            lo = f->lo;
        if (hi > f->hi)
            hi = f->hi;
        if (hi - lo < (f->hi - f->lo) * 0.04)
            continue;
        rc = slds_svg_text(b, CHART_W - RIGHT + 8, (py(f, lo) + py(f, hi)) / 2 + 4,
                           "class=\"lvl\"", fan->level_labels[l]);
    }
    return rc;
}

static int draw_axes(slds_buf *b, const slds_growth_fan *fan, const frame *f)
{
    int rc = slds_svg_rect(b, LEFT, TOP, CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM, "none",
                           "#888");
    double step = tick_step(f->hi - f->lo);
    char label[32];
    for (double v = ceil(f->lo / step) * step; v <= f->hi && !rc; v += step) {
        double grid[4] = {LEFT, py(f, v), CHART_W - RIGHT, py(f, v)};
        snprintf(label, sizeof label, "%g", v);
        rc = slds_svg_polyline(b, grid, 2, "fill=\"none\" stroke=\"#ccc\" stroke-width=\"0.5\"") ||
             slds_svg_text(b, LEFT - 6, py(f, v) + 4, "class=\"tick\" text-anchor=\"end\"", label);
    }
    for (int year = f->y0; year <= f->y1 && !rc; year++) {
        int grade = grade_in(fan, year);
        snprintf(label, sizeof label, "%d", year);
        rc = slds_svg_text(b, px(f, year), CHART_H - BOTTOM + 18,
                           "class=\"tick\" text-anchor=\"middle\"", label);
        snprintf(label, sizeof label, "grade %d", grade);
        if (!rc && grade >= 0)
            rc = slds_svg_text(b, px(f, year), CHART_H - BOTTOM + 34,
                               "class=\"tick\" text-anchor=\"middle\"", label);
    }
    if (!rc) {
        char attrs[96];
        int mid = (TOP + CHART_H - BOTTOM) / 2;
        snprintf(attrs, sizeof attrs, "class=\"axis\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\"",
                 mid);
        rc = slds_svg_text(b, 16, mid, attrs, "scale score");
    }
    return rc;
}

/* Polygon between percentiles a and c (indices into the fan). */
static int draw_band(slds_buf *b, const slds_growth_fan *fan, const frame *f, double start, int a,
                     int c, const char *fill)
{
    double xy[2 * (1 + 2 * SLDS_FAN_MAX_POINTS)];
    size_t n = 0;
    xy[2 * n] = px(f, fan->from_year);
    xy[2 * n++ + 1] = py(f, start);
    for (int h = 0; h < fan->n_ahead; h++) {
        xy[2 * n] = px(f, fan->ahead_year[h]);
        xy[2 * n++ + 1] = py(f, fan->projection[c][h]);
    }
    for (int h = fan->n_ahead - 1; h >= 0; h--) {
        xy[2 * n] = px(f, fan->ahead_year[h]);
        xy[2 * n++ + 1] = py(f, fan->projection[a][h]);
    }
    return slds_svg_polygon(b, xy, n, fill);
}

static int draw_fan(slds_buf *b, const slds_growth_fan *fan, const frame *f)
{
    if (!fan->n_ahead)
        return SLDS_OK;
    double start = NAN;
    for (int k = 0; k < fan->n_past; k++)
        if (fan->past_year[k] == fan->from_year)
            start = fan->past_score[k];
    if (!isfinite(start))
        return SLDS_OK;
    int rc = draw_band(b, fan, f, start, 0, 4, "rgba(33,102,172,0.18)");
    rc = rc || draw_band(b, fan, f, start, 1, 3, "rgba(33,102,172,0.30)");
    double median[2 * (1 + SLDS_FAN_MAX_POINTS)] = {px(f, fan->from_year), py(f, start)};
    for (int h = 0; h < fan->n_ahead; h++) {
        median[2 * (h + 1)] = px(f, fan->ahead_year[h]);
        median[2 * (h + 1) + 1] = py(f, fan->projection[2][h]);
    }
    rc = rc || slds_svg_polyline(b, median, (size_t)fan->n_ahead + 1,
                                 "fill=\"none\" stroke=\"#2166ac\" stroke-width=\"2\" "
                                 "stroke-dasharray=\"5 3\"");
    /* labels at the end of each trajectory, pushed apart to stay legible */
    int last = fan->n_ahead - 1;
    double y[SLDS_FAN_PERCENTILES];
    for (int p = SLDS_FAN_PERCENTILES - 1; p >= 0; p--) {
        y[p] = py(f, fan->projection[p][last]) + 4;
        if (p < SLDS_FAN_PERCENTILES - 1 && y[p] < y[p + 1] + 12)
            y[p] = y[p + 1] + 12;
    }
    char label[48];
    for (int p = 0; p < SLDS_FAN_PERCENTILES && !rc; p++) {
        int n = snprintf(label, sizeof label, "%dth: ", fan->percentiles[p]);
        slds_svg_fixed(label + n, sizeof label - (size_t)n, fan->projection[p][last], 0); /* %.0f */
        rc = slds_svg_text(b, px(f, fan->ahead_year[last]) + 5, y[p], "class=\"pct\"", label);
    }
    return rc;
}

static int draw_past(slds_buf *b, const slds_growth_fan *fan, const frame *f)
{
    double xy[2 * SLDS_FAN_MAX_POINTS] = {0};
    int n = fan->n_past < SLDS_FAN_MAX_POINTS ? fan->n_past : SLDS_FAN_MAX_POINTS;
    for (int k = 0; k < n; k++) {
        xy[2 * k] = px(f, fan->past_year[k]);
        xy[2 * k + 1] = py(f, fan->past_score[k]);
    }
    int rc = slds_svg_polyline(b, xy, (size_t)n, "fill=\"none\" stroke=\"#222\" stroke-width=\"2.5\"");
    char label[32], cx[400], cy[400]; /* room for any double at %.1f */
    for (int k = 0; k < n && !rc; k++) {
        slds_svg_fixed(label, sizeof label, fan->past_score[k], 0); /* %.0f */
        slds_svg_fixed(cx, sizeof cx, xy[2 * k], 1);
        slds_svg_fixed(cy, sizeof cy, xy[2 * k + 1], 1);
        rc = slds_buf_puts(b, "<circle cx=\"") || slds_buf_puts(b, cx) || slds_buf_puts(b, "\" cy=\"") ||
             slds_buf_puts(b, cy) || slds_buf_puts(b, "\" r=\"5\" fill=\"#222\"/>") ||
             slds_svg_text(b, xy[2 * k], xy[2 * k + 1] - 10,
                           "class=\"score\" text-anchor=\"middle\"", label);
    }
    return rc;
}

static int draw_legend(slds_buf *b)
{
    return slds_buf_printf(
        b,
        "<g class=\"legend\" transform=\"translate(%d,%d)\">"
        "<line x1=\"0\" x2=\"22\" y1=\"0\" y2=\"0\" stroke=\"#222\" stroke-width=\"2.5\"/>"
        "<text x=\"28\" y=\"4\">scores</text>"
        "<rect x=\"90\" y=\"-6\" width=\"22\" height=\"12\" fill=\"rgba(33,102,172,0.30)\"/>"
        "<text x=\"118\" y=\"4\">25th&#8211;75th percentile growth</text>"
        "<rect x=\"320\" y=\"-6\" width=\"22\" height=\"12\" fill=\"rgba(33,102,172,0.18)\"/>"
        "<text x=\"348\" y=\"4\">10th&#8211;90th</text>"
        "<line x1=\"430\" x2=\"452\" y1=\"0\" y2=\"0\" stroke=\"#1b5e20\" stroke-width=\"2\" "
        "stroke-dasharray=\"7 4\"/><text x=\"458\" y=\"4\">proficient</text></g>\n",
        LEFT, CHART_H - 8);
}

static int chart(slds_buf *b, const slds_growth_fan *fan)
{
    frame f = make_frame(fan);
    int rc = slds_svg_begin(b, CHART_W, CHART_H, "growth chart");
    rc = rc || draw_levels(b, fan, &f);
    rc = rc || draw_axes(b, fan, &f);
    rc = rc || draw_fan(b, fan, &f);
    rc = rc || draw_past(b, fan, &f);
    rc = rc || draw_legend(b);
    return rc || slds_svg_end(b);
}

/* ------------------------------------------------------------------ page */

static const char *level_name(const slds_growth_fan *fan, int level)
{
    if (!fan || level < 1 || level > fan->n_levels)
        return "";
    return fan->level_labels[level - 1];
}

/* The years a baseline was fit on, stored as "[2017,2018,2019]", as
 * "2017, 2018 and 2019". */
static int years_text(slds_buf *b, const char *years)
{
    char copy[64];
    size_t n = 0;
    for (const char *c = years; *c && n + 1 < sizeof copy; c++)
        if ((*c >= '0' && *c <= '9') || *c == ',')
            copy[n++] = *c;
    copy[n] = 0;
    int commas = 0, rc = 0, k = 0;
    for (const char *c = copy; *c; c++)
        commas += *c == ',';
    for (char *save = NULL, *y = strtok_r(copy, ",", &save); y && !rc;
         y = strtok_r(NULL, ",", &save), k++)
        rc = (k ? slds_buf_puts(b, k == commas ? " and " : ", ") : 0) || slds_buf_puts(b, y);
    return rc;
}

/* With a baseline run: the baseline-referenced SGP beside the cohort SGP, in
 * plain words (docs/growth.md, baseline-referenced growth). */
static int baseline_sentence(slds_buf *b, const slds_growth_history_entry *e)
{
    if (!e->baseline[0])
        return SLDS_OK;
    int rc = slds_buf_puts(b, "<span class=\"baseline\">");
    if (e->sgp_baseline > 0) {
        rc = rc || slds_buf_puts(b, "Compared with the students of ");
        rc = rc || (e->baseline_years[0] ? years_text(b, e->baseline_years)
                                         : slds_buf_puts(b, "earlier years"));
        rc = rc || slds_buf_puts(b, " who had a similar score history (the baseline &#8220;");
        rc = rc || slds_html_escape(b, e->baseline);
        rc = rc || slds_buf_printf(b,
                                   "&#8221;), the growth percentile was <b>%d</b>: it shows "
                                   "growth against what was typical in those years, not against "
                                   "this year's students. ",
                                   e->sgp_baseline);
    } else
        rc = rc || slds_buf_puts(b, "No growth percentile against the baseline &#8220;") ||
             slds_html_escape(b, e->baseline) ||
             slds_buf_puts(b, "&#8221; could be computed (it has no model for this score "
                              "history). ");
    return rc || slds_buf_puts(b, "</span>");
}

static int summary(slds_buf *b, const slds_growth_history_entry *e)
{
    int rc = slds_buf_puts(b, "<p class=\"summary\">");
    if (e->sgp > 0)
        rc = rc || slds_buf_printf(b,
                                   "In %d (grade %d) the student's growth percentile was "
                                   "<b>%d</b>: the student grew more than %d%% of students "
                                   "with a similar score history. ",
                                   e->school_year, e->grade, e->sgp, e->sgp);
    else
        rc = rc || slds_buf_printf(b, "In %d (grade %d) no growth percentile could be computed. ",
                                   e->school_year, e->grade);
    rc = rc || baseline_sentence(b, e);
    if (e->sgp_target > 0)
        rc = rc || slds_buf_printf(b,
                                   "To %s proficient within %d year%s, the student needs growth "
                                   "at the <b>%d</b>th percentile each year%s.",
                                   strcmp(e->catch_up_keep_up, "KEEP_UP") ? "reach" : "stay",
                                   e->target_years, e->target_years == 1 ? "" : "s", e->sgp_target,
                                   !strcmp(e->on_track, "Y")   ? " (on track)"
                                   : !strcmp(e->on_track, "N") ? " (not on track yet)"
                                                               : "");
    return rc || slds_buf_puts(b, "</p>\n");
}

/* The history of one subject as a result table, rendered as HTML by src/table. */
static int history_table(slds_buf *b, const slds_growth_history *h, const char *subject,
                         const slds_growth_fan *fan)
{
    static const slds_column_spec cols[] = {
        {.name = "year", .type = SLDS_CELL_INTEGER},
        {.name = "grade", .type = SLDS_CELL_INTEGER},
        {.name = "score", .type = SLDS_CELL_REAL, .unit = "score points", .decimals = SLDS_SIGNIFICANT(6)},
        {.name = "level", .type = SLDS_CELL_TEXT},
        {.name = "SGP", .type = SLDS_CELL_INTEGER, .unit = "percentile"},
        {.name = "order", .type = SLDS_CELL_INTEGER},
        {.name = "SGP by order", .type = SLDS_CELL_TEXT},
        {.name = "target", .type = SLDS_CELL_TEXT},
        {.name = "status", .type = SLDS_CELL_TEXT},
        {.name = "on track", .type = SLDS_CELL_TEXT},
        {.name = "grade levels", .type = SLDS_CELL_REAL, .unit = "grade levels", .decimals = 2},
        {.name = "baseline SGP", .type = SLDS_CELL_INTEGER, .unit = "percentile"}};
    int with_baseline = 0; /* the column only when a year of the subject had a baseline run */
    for (size_t k = 0; k < h->n_entries; k++)
        with_baseline |= !strcmp(h->entries[k].subject, subject) && h->entries[k].baseline[0];
    int ncols = (int)(sizeof cols / sizeof cols[0]) - !with_baseline;
    slds_error err = {0};
    slds_table *t;
    int rc = slds_table_new(&t, "history", NULL, cols, ncols, &err);
    for (size_t k = 0; k < h->n_entries && !rc; k++) {
        const slds_growth_history_entry *e = &h->entries[k];
        if (strcmp(e->subject, subject))
            continue;
        char by[128], target[32] = "";
        gr_orders_text(e, " / ", "\u2013", by, sizeof by);
        if (e->sgp_target)
            snprintf(target, sizeof target, "%d (%d yr)", e->sgp_target, e->target_years);
        slds_table_add_row(t, &err);
        slds_table_set_integer(t, 0, e->school_year, &err);
        slds_table_set_integer(t, 1, e->grade, &err);
        slds_table_set_real(t, 2, e->scale_score, &err);
        slds_table_set_text(t, 3, level_name(fan, e->level), &err);
        if (e->sgp)
            slds_table_set_integer(t, 4, e->sgp, &err);
        if (e->sgp_order)
            slds_table_set_integer(t, 5, e->sgp_order, &err);
        slds_table_set_text(t, 6, by, &err);
        slds_table_set_text(t, 7, target, &err);
        slds_table_set_text(t, 8, !strcmp(e->catch_up_keep_up, "KEEP_UP")    ? "keep up"
                                  : !strcmp(e->catch_up_keep_up, "CATCH_UP") ? "catch up"
                                                                             : "",
                            &err);
        slds_table_set_text(t, 9, e->on_track, &err);
        slds_table_set_real(t, 10, e->grade_levels_gained, &err);
        if (with_baseline && e->sgp_baseline)
            slds_table_set_integer(t, 11, e->sgp_baseline, &err);
        rc = slds_table_status(t);
    }
    rc = rc ? rc : slds_table_html(t, b);
    slds_table_free(t);
    return rc;
}

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>Growth report</title>\n<style>\n"
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#222;"
    "max-width:900px}\n"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}\n"
    "table{border-collapse:collapse;font-size:13px;margin-top:8px}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}\n"
    "svg text{font-size:12px;fill:#333}svg .lvl{font-size:11px}svg .pct{font-size:11px;"
    "paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;"
    "fill:#2166ac}svg .score{font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
    ".note{font-size:12px;color:#555}\n</style></head><body>\n";

static const char page_foot[] =
    "<p class=\"note\">The growth percentile (SGP) compares the student's score with those of "
    "students in the state who had the same scores in earlier years (1 = lowest growth, 99 = "
    "highest). The shaded fan shows where the student would score if the student grew at the "
    "10th, 25th, 50th, 75th or 90th percentile every year; the bands behind it are the "
    "achievement levels of each grade.</p>\n</body></html>\n";

int slds_growthrun_history_html(const slds_growth_history *h, slds_buf *out, slds_error *err)
{
    int rc = slds_buf_puts(out, page_head);
    rc = rc || slds_buf_puts(out, "<h1>Growth report: student ");
    rc = rc || slds_html_escape(out, h->student_id) || slds_buf_puts(out, "</h1>\n");
    for (int k = 0; k < h->n_fans && !rc; k++) {
        const slds_growth_fan *fan = &h->fans[k];
        const slds_growth_history_entry *latest = NULL;
        for (size_t e = 0; e < h->n_entries; e++)
            if (!strcmp(h->entries[e].subject, fan->subject))
                latest = &h->entries[e];
        rc = slds_buf_puts(out, "<h2>") || slds_html_escape(out, fan->subject) ||
             slds_buf_puts(out, "</h2>\n");
        rc = rc || (latest ? summary(out, latest) : 0);
        rc = rc || chart(out, fan);
        rc = rc || history_table(out, h, fan->subject, fan);
    }
    rc = rc || slds_buf_puts(out, page_foot);
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory writing the report") : SLDS_OK;
}
