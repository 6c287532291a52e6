/* charts.c - the two SVG charts the accountability pages draw (a bar per
 * group, a line over years), with the table layer's SVG primitives, so a
 * report's HTML form shows its figures at a glance. Values are percentages
 * (0-100); a missing value (NaN) draws no bar and says "n/a". */
#include <math.h>
#include <stdio.h>

#include "account/internal_a.h"

int slds_account_bar_chart(slds_buf *b, const char *title, const char *const *labels,
                           const double *values, size_t n, const char *unit)
{
    const int left = 230, width = 760, bar = 18, gap = 6, top = 34;
    const double span = width - left - 70;
    int height = top + (int)n * (bar + gap) + 24;
    int rc = slds_buf_puts(b, "<figure>\n") || slds_svg_begin(b, width, height, title) ||
             slds_svg_text(b, 4, 18, "font-weight=\"bold\" font-size=\"14\"", title);
    for (int tick = 0; tick <= 100 && !rc; tick += 25) {
        double x = left + span * tick / 100.0, xy[4] = {x, top - 6, x, top + (double)n * (bar + gap)};
        char lab[16];
        snprintf(lab, sizeof lab, "%d%s", tick, unit ? unit : "");
        rc = slds_svg_polyline(b, xy, 2, "stroke=\"#ccc\" fill=\"none\"") ||
             slds_svg_text(b, x, height - 6, "text-anchor=\"middle\" font-size=\"11\"", lab);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        double y = top + (double)i * (bar + gap);
        char lab[32];
        rc = slds_svg_text(b, left - 8, y + bar - 4, "text-anchor=\"end\" font-size=\"12\"", labels[i]);
        if (rc)
            break;
        if (isnan(values[i])) {
            rc = slds_svg_text(b, left + 4, y + bar - 4, "font-size=\"12\" fill=\"#666\"", "n/a");
            continue;
        }
        double v = values[i] < 0 ? 0 : values[i] > 100 ? 100 : values[i];
        snprintf(lab, sizeof lab, "%.1f%s", values[i], unit ? unit : "");
        rc = slds_svg_rect(b, left, y, span * v / 100.0, bar, "#3a6ea5", NULL) ||
             slds_svg_text(b, left + span * v / 100.0 + 4, y + bar - 4, "font-size=\"12\"", lab);
    }
    return rc || slds_svg_end(b) || slds_buf_puts(b, "</figure>\n");
}

int slds_account_line_chart(slds_buf *b, const char *title, const int *years,
                            const double *values, size_t n, const char *unit)
{
    const int width = 760, height = 260, left = 60, right = 30, top = 34, bottom = 40;
    const double w = width - left - right, h = height - top - bottom;
    int rc = slds_buf_puts(b, "<figure>\n") || slds_svg_begin(b, width, height, title) ||
             slds_svg_text(b, 4, 18, "font-weight=\"bold\" font-size=\"14\"", title);
    for (int tick = 0; tick <= 100 && !rc; tick += 20) {
        double y = top + h * (1 - tick / 100.0), xy[4] = {left, y, left + w, y};
        char lab[16];
        snprintf(lab, sizeof lab, "%d%s", tick, unit ? unit : "");
        rc = slds_svg_polyline(b, xy, 2, "stroke=\"#ccc\" fill=\"none\"") ||
             slds_svg_text(b, left - 6, y + 4, "text-anchor=\"end\" font-size=\"11\"", lab);
    }
    double xy[128];
    size_t np = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        double x = left + (n > 1 ? w * (double)i / (double)(n - 1) : w / 2);
        char lab[32];
        snprintf(lab, sizeof lab, "%d", years[i]);
        rc = slds_svg_text(b, x, height - bottom + 18, "text-anchor=\"middle\" font-size=\"11\"", lab);
        if (rc || isnan(values[i]) || np >= 64)
            continue;
        double y = top + h * (1 - values[i] / 100.0);
        xy[2 * np] = x;
        xy[2 * np + 1] = y;
        np++;
        snprintf(lab, sizeof lab, "%.1f%s", values[i], unit ? unit : "");
        rc = slds_svg_rect(b, x - 3, y - 3, 6, 6, "#3a6ea5", NULL) ||
             slds_svg_text(b, x, y - 8, "text-anchor=\"middle\" font-size=\"11\"", lab);
    }
    if (!rc && np > 1)
        rc = slds_svg_polyline(b, xy, np, "stroke=\"#3a6ea5\" stroke-width=\"2\" fill=\"none\"");
    return rc || slds_svg_end(b) || slds_buf_puts(b, "</figure>\n");
}

int acct_bar_chart_scaled(slds_buf *b, const char *title, const char *const *labels,
                          const double *values, size_t n, const char *prefix, int decimals)
{
    const int left = 260, width = 760, bar = 18, gap = 6, top = 34;
    const double span = width - left - 110;
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i]) && values[i] > max)
            max = values[i];
    int height = top + (int)n * (bar + gap) + 10;
    int rc = slds_buf_puts(b, "<figure>\n") || slds_svg_begin(b, width, height, title) ||
             slds_svg_text(b, 4, 18, "font-weight=\"bold\" font-size=\"14\"", title);
    for (size_t i = 0; i < n && !rc; i++) {
        double y = top + (double)i * (bar + gap);
        char lab[64];
        rc = slds_svg_text(b, left - 8, y + bar - 4, "text-anchor=\"end\" font-size=\"12\"", labels[i]);
        if (rc)
            break;
        if (isnan(values[i]) || max <= 0) {
            rc = slds_svg_text(b, left + 4, y + bar - 4, "font-size=\"12\" fill=\"#666\"", "n/a");
            continue;
        }
        double w = span * (values[i] < 0 ? 0 : values[i]) / max;
        snprintf(lab, sizeof lab, "%s%.*f", prefix, decimals, values[i]);
        rc = slds_svg_rect(b, left, y, w, bar, "#3a6ea5", NULL) ||
             slds_svg_text(b, left + w + 4, y + bar - 4, "font-size=\"12\"", lab);
    }
    return rc || slds_svg_end(b) || slds_buf_puts(b, "</figure>\n");
}
