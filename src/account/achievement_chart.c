/* achievement_chart.c - the achievement report's charts for its HTML page:
 * per subject, the state's proficiency rate by subgroup (bars) and the gaps
 * between subgroups over the loaded years (lines). They are drawn from the
 * report's tables after public suppression (the registry's figure step), so a
 * chart shows exactly what the tables show: a suppressed figure is a "*"
 * with no bar, a range ("≤5%") a bar to its bound, hatched. */
#include "account/account.h"

#include <math.h>
#include <string.h>

static const char *const palette[] = {"#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182",
                                      "#8d6a9f", "#30638e", "#b5651d", "#4f5d75"};

/* A cell as shown: its value (NaN when hidden or blank) and its text. */
static double shown_value(const slds_table *t, size_t r, int c, char *text, size_t size)
{
    slds_table_cell_text(t, r, c, text, size);
    double bound;
    if (slds_table_is_suppressed(t, r, c) || slds_table_is_blank(t, r, c))
        return NAN;
    if (slds_table_range(t, r, c, &bound))
        return bound;
    return slds_table_real(t, r, c);
}

static bool is(const slds_table *t, size_t r, const char *col, const char *v)
{
    const char *x = slds_table_text(t, r, slds_table_find_column(t, col));
    return x && !strcmp(x, v);
}

static int bars(slds_buf *b, const slds_table *t, const char *subject)
{
    int rate = slds_table_find_column(t, "proficiency_rate");
    size_t rows[SLDS_ACCOUNT_NSUBGROUPS], n = 0;
    for (size_t r = 0; r < slds_table_nrows(t) && n < SLDS_ACCOUNT_NSUBGROUPS; r++)
        if (is(t, r, "level", "state") && is(t, r, "grade", "all") && is(t, r, "subject", subject))
            rows[n++] = r;
    if (!n)
        return SLDS_OK;
    int w = 640, left = 190, bar_h = 18, h = 40 + (int)n * (bar_h + 6);
    char label[128], text[64];
    snprintf(label, sizeof label, "%s: percent proficient by group, state", subject);
    int rc = slds_buf_printf(b, "<h2>%s: percent proficient, state</h2>\n", subject) ||
             slds_svg_begin(b, w, h, label);
    double scale = (w - left - 60) / 100.0;
    for (int tick = 0; tick <= 100 && !rc; tick += 25) {
        double x = left + tick * scale;
        double line[4] = {x, 20, x, h - 10};
        snprintf(text, sizeof text, "%d%%", tick);
        rc = slds_svg_polyline(b, line, 2, "stroke=\"#ddd\" fill=\"none\"") ||
             slds_svg_text(b, x, 14, "font-size=\"11\" text-anchor=\"middle\"", text);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        double y = 26 + (double)i * (bar_h + 6);
        const char *group = slds_table_text(t, rows[i], slds_table_find_column(t, "subgroup"));
        double v = shown_value(t, rows[i], rate, text, sizeof text);
        bool range = slds_table_range(t, rows[i], rate, NULL) != 0;
        rc = slds_svg_text(b, left - 6, y + bar_h * 0.75, "font-size=\"12\" text-anchor=\"end\"", group);
        if (!rc && isfinite(v))
            rc = slds_svg_rect(b, left, y, v * scale, bar_h, range ? "#9ecae1" : palette[0], NULL);
        if (!rc && isfinite(v) && !range)
            strcat(text, "%");
        if (!rc)
            rc = slds_svg_text(b, left + (isfinite(v) ? v * scale : 0) + 4, y + bar_h * 0.75,
                               "font-size=\"12\"", *text ? text : "no one tested");
    }
    rc = rc || slds_svg_end(b) ||
         slds_buf_puts(b, "<p>Bars are the share of tested students at or above the proficient "
                          "level. * : hidden to protect small groups; a light bar is a range "
                          "(≤ or ≥ the value shown).</p>\n");
    return rc;
}

static int gap_lines(slds_buf *b, const slds_table *g, const char *subject)
{
    int year_c = slds_table_find_column(g, "school_year"), gap_c = slds_table_find_column(g, "gap");
    int sub_c = slds_table_find_column(g, "subgroup"), cmp_c = slds_table_find_column(g, "comparison");
    int y0 = 0, y1 = 0;
    double lo = 0, hi = 10;
    size_t n = 0;
    for (size_t r = 0; r < slds_table_nrows(g); r++) {
        if (!is(g, r, "level", "state") || !is(g, r, "subject", subject))
            continue;
        int y = (int)slds_table_integer(g, r, year_c);
        y0 = n && y0 < y ? y0 : y;
        y1 = n && y1 > y ? y1 : y;
        n++;
        char text[64];
        double v = shown_value(g, r, gap_c, text, sizeof text);
        if (isfinite(v)) {
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    if (!n || y0 == y1)
        return SLDS_OK;
    int w = 800, h = 280, left = 60, right = 330, top = 20, bottom = 30;
    double xs = (double)(w - left - right) / (y1 - y0), ys = (h - top - bottom) / (hi - lo);
    char label[128], text[64];
    snprintf(label, sizeof label, "%s: gaps in percent proficient over the years, state", subject);
    int rc = slds_buf_printf(b, "<h2>%s: is the gap closing? (state)</h2>\n", subject) ||
             slds_svg_begin(b, w, h, label);
    double zero[4] = {left, top + (hi - 0) * ys, w - right, top + (hi - 0) * ys};
    rc = rc || slds_svg_polyline(b, zero, 2, "stroke=\"#999\" fill=\"none\"");
    for (int y = y0; y <= y1 && !rc; y++) {
        snprintf(text, sizeof text, "%d", y);
        rc = slds_svg_text(b, left + (y - y0) * xs, h - 10, "font-size=\"11\" text-anchor=\"middle\"", text);
    }
    snprintf(text, sizeof text, "%.0f", hi);
    rc = rc || slds_svg_text(b, left - 6, top + 4, "font-size=\"11\" text-anchor=\"end\"", text);
    snprintf(text, sizeof text, "%.0f", lo);
    rc = rc || slds_svg_text(b, left - 6, h - bottom, "font-size=\"11\" text-anchor=\"end\"", text);
    rc = rc || slds_svg_text(b, 4, top + (h - top - bottom) / 2.0, "font-size=\"11\"", "points");
    /* one line per gap, in the table's order */
    int series = 0;
    for (size_t r = 0; r < slds_table_nrows(g) && !rc; r++) {
        if (!is(g, r, "level", "state") || !is(g, r, "subject", subject))
            continue;
        const char *sub = slds_table_text(g, r, sub_c), *cmp = slds_table_text(g, r, cmp_c);
        bool first = true;
        for (size_t q = 0; q < r; q++)
            if (is(g, q, "level", "state") && is(g, q, "subject", subject) &&
                is(g, q, "subgroup", sub) && is(g, q, "comparison", cmp))
                first = false;
        if (!first)
            continue;
        double xy[64];
        size_t np = 0;
        for (size_t q = r; q < slds_table_nrows(g) && np < 32; q++) {
            if (!is(g, q, "level", "state") || !is(g, q, "subject", subject) ||
                !is(g, q, "subgroup", sub) || !is(g, q, "comparison", cmp))
                continue;
            double v = shown_value(g, q, gap_c, text, sizeof text);
            if (!isfinite(v))
                continue;
            xy[2 * np] = left + (double)(slds_table_integer(g, q, year_c) - y0) * xs;
            xy[2 * np + 1] = top + (hi - v) * ys;
            np++;
        }
        if (!np)
            continue;
        const char *color = palette[series % (int)(sizeof palette / sizeof palette[0])];
        char attrs[96];
        snprintf(attrs, sizeof attrs, "stroke=\"%s\" stroke-width=\"2.5\" fill=\"none\"", color);
        rc = slds_svg_polyline(b, xy, np, attrs);
        for (size_t k = 0; k < np && !rc; k++)
            rc = slds_svg_rect(b, xy[2 * k] - 3, xy[2 * k + 1] - 3, 6, 6, color, NULL);
        char legend[160];
        snprintf(legend, sizeof legend, "%s vs %s", sub, cmp);
        snprintf(attrs, sizeof attrs, "font-size=\"11\" fill=\"%s\"", color);
        rc = rc || slds_svg_text(b, w - right + 8, top + 10 + series * 16, attrs, legend);
        series++;
    }
    rc = rc || slds_svg_end(b) ||
         slds_buf_puts(b, "<p>Each line is the comparison group's percent proficient minus the "
                          "group's, in percentage points: a line going down is a gap closing. "
                          "Years where a figure is hidden for privacy are left out.</p>\n");
    return rc;
}

int slds_account_achievement_figure(slds_table *const *tables, size_t n, slds_buf *figure,
                                    slds_error *err)
{
    if (n < 2)
        return SLDS_OK;
    const slds_table *main = tables[0], *gaps = tables[1];
    int subj_c = slds_table_find_column(main, "subject");
    /* the subjects, in the table's order (the state rows come first) */
    const char *subjects[16];
    size_t nsubjects = 0;
    for (size_t r = 0; r < slds_table_nrows(main) && nsubjects < 16; r++) {
        const char *subject = slds_table_text(main, r, subj_c);
        bool seen = false;
        for (size_t k = 0; k < nsubjects; k++)
            seen = seen || !strcmp(subjects[k], subject);
        if (!seen)
            subjects[nsubjects++] = subject;
    }
    int rc = SLDS_OK;
    for (size_t k = 0; k < nsubjects && !rc; k++)
        rc = bars(figure, main, subjects[k]) || gap_lines(figure, gaps, subjects[k]);
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "achievement: out of memory drawing charts") : SLDS_OK;
}
