/* html.c - the frame of every page (a small stylesheet that reads on a phone,
 * the navigation, the logout form with its CSRF token), a table section with
 * its CSV download link, and the two charts the report cards draw (lines
 * over years, bars per group) with the table layer's SVG primitives. Every
 * text that comes from the database or the request is escaped here or by
 * src/table; no page uses script. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "web/internal.h"

static const char style[] =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#222;"
    "line-height:1.4}\n"
    "header{background:#1f3b5a;color:#fff;padding:8px 12px;display:flex;flex-wrap:wrap;gap:12px;"
    "align-items:center}\n"
    "header a{color:#fff}header form{margin:0 0 0 auto}header .who{font-size:90%}\n"
    "main{padding:8px 12px;max-width:1000px;margin:0 auto}\n"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}\n"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}\n"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;white-space:nowrap}\n"
    "th{background:#f1f3f5}td.num{text-align:right}\n"
    "svg{max-width:100%;height:auto}svg text{font-size:12px;fill:#333}\n"
    "svg .lvl{font-size:11px}svg .pct{font-size:11px;fill:#2166ac}svg .score{font-weight:bold}\n"
    ".csv{font-size:12px}.note{font-size:12px;color:#555}.flag{color:#b00020;font-weight:bold}\n"
    "form.login{max-width:22em}form.login label{display:block;margin-top:8px}\n"
    "form.login input{width:100%;padding:6px;font-size:16px;box-sizing:border-box}\n"
    "button{padding:6px 12px;font-size:15px}\n"
    "ul.links li{margin:4px 0}\n";

int web_html_begin(web_ctx *c, slds_buf *b, const char *title)
{
    int rc = slds_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                              "<title>") ||
             slds_html_escape(b, title) || slds_buf_puts(b, " - slds</title>\n<style>\n") ||
             slds_buf_puts(b, style) ||
             slds_buf_puts(b, "</style></head><body>\n<header><a href=\"/\"><b>slds</b></a>"
                              "<a href=\"/state\">State report card</a>");
    if (c->logged_in) {
        rc = rc || slds_buf_puts(b, "<a href=\"/me\">My page</a><form method=\"post\" action=\"/logout\">"
                                    "<span class=\"who\">") ||
             slds_html_escape(b, c->who.username) || slds_buf_puts(b, " (") ||
             slds_html_escape(b, web_role_name(c->who.role)) ||
             slds_buf_puts(b, ")</span> <input type=\"hidden\" name=\"csrf\" value=\"") ||
             slds_html_escape(b, c->csrf) ||
             slds_buf_puts(b, "\"><button type=\"submit\">Log out</button></form>");
    } else
        rc = rc || slds_buf_puts(b, "<a href=\"/login\">Log in</a>");
    rc = rc || slds_buf_puts(b, "</header>\n<main>\n<h1>") || slds_html_escape(b, title) ||
         slds_buf_puts(b, "</h1>\n");
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}

int web_html_end(slds_buf *b)
{
    return slds_buf_puts(b, "</main>\n</body></html>\n") ? SLDS_ERR_NOMEM : SLDS_OK;
}

/* The page's own path with ?format=csv&table=NAME (and the year asked for). */
int web_html_table(web_ctx *c, slds_buf *b, const slds_table *t)
{
    const char *title = slds_table_title(t) ? slds_table_title(t) : slds_table_name(t);
    int rc = slds_buf_puts(b, "<h2>") || slds_html_escape(b, title) || slds_buf_puts(b, "</h2>\n");
    if (!slds_table_nrows(t))
        return rc || slds_buf_puts(b, "<p class=\"note\">(none)</p>\n") ? SLDS_ERR_NOMEM : SLDS_OK;
    rc = rc || slds_buf_puts(b, "<p class=\"csv\"><a href=\"") || slds_html_escape(b, c->rq->path) ||
         slds_buf_puts(b, "?format=csv&amp;table=") || slds_html_escape(b, slds_table_name(t));
    const char *year = web_arg(c, "year");
    if (year)
        rc = rc || slds_buf_printf(b, "&amp;year=%d", c->year);
    rc = rc || slds_buf_puts(b, "\" download>Download CSV</a></p>\n<div class=\"scroll\">\n") ||
         slds_table_html(t, b) || slds_buf_puts(b, "</div>\n");
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}

static const char *const palette[] = {"#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182",
                                      "#8d6a9f", "#30638e", "#b5651d", "#4f5d75"};

int web_chart_lines(slds_buf *b, const char *title, const int *years, int n_years,
                    const web_series *s, int n_series, double lo, double hi, const char *unit)
{
    const int width = 640, left = 52, right = 16, top = 30, bottom = 34;
    int legend_rows = (n_series + 1) / 2, height = 230 + legend_rows * 16;
    const double w = width - left - right, h = 230 - top - bottom;
    if (hi <= lo)
        hi = lo + 1;
    char lab[64];
    int rc = slds_buf_puts(b, "<figure>\n") || slds_svg_begin(b, width, height, title) ||
             slds_svg_text(b, 4, 18, "font-weight=\"bold\" font-size=\"14\"", title);
    for (int k = 0; k <= 4 && !rc; k++) {
        double v = lo + (hi - lo) * k / 4.0, y = top + h * (1 - k / 4.0), xy[4] = {left, y, left + w, y};
        snprintf(lab, sizeof lab, "%.0f%s", v, unit ? unit : "");
        rc = slds_svg_polyline(b, xy, 2, "stroke=\"#ddd\" fill=\"none\"") ||
             slds_svg_text(b, left - 6, y + 4, "text-anchor=\"end\" font-size=\"11\"", lab);
    }
#define XPOS(i) (left + (n_years > 1 ? w * (double)(i) / (double)(n_years - 1) : w / 2))
#define YPOS(v) (top + h * (1 - ((v) - lo) / (hi - lo)))
    for (int i = 0; i < n_years && !rc; i++) {
        snprintf(lab, sizeof lab, "%d", years[i]);
        rc = slds_svg_text(b, XPOS(i), top + h + 18, "text-anchor=\"middle\" font-size=\"11\"", lab);
    }
    for (int k = 0; k < n_series && !rc; k++) {
        const char *color = palette[k % (int)(sizeof palette / sizeof *palette)];
        double xy[64];
        size_t np = 0;
        char attrs[96];
        snprintf(attrs, sizeof attrs, "fill=\"none\" stroke=\"%s\" stroke-width=\"2\"", color);
        for (int i = 0; i <= n_years && !rc; i++) {
            bool point = i < n_years && isfinite(s[k].values[i]);
            if (point) {
                double v = s[k].values[i] < lo ? lo : s[k].values[i] > hi ? hi : s[k].values[i];
                xy[2 * np] = XPOS(i);
                xy[2 * np + 1] = YPOS(v);
                np++;
                rc = slds_svg_rect(b, XPOS(i) - 3, YPOS(v) - 3, 6, 6, color, NULL);
            } else if (i < n_years && s[k].suppressed[i])
                rc = slds_svg_text(b, XPOS(i), top + h - 4 - 12.0 * k, "text-anchor=\"middle\" fill=\"#b00020\"", "*");
            if (!point && np) { /* a gap ends the line */
                if (np > 1)
                    rc = rc || slds_svg_polyline(b, xy, np, attrs);
                np = 0;
            }
        }
        double lx = 8 + (k % 2) * 316.0, ly = 230 + (k / 2) * 16.0 - 4;
        rc = rc || slds_svg_rect(b, lx, ly - 9, 10, 10, color, NULL) ||
             slds_svg_text(b, lx + 14, ly, "font-size=\"11\"", s[k].label);
    }
#undef XPOS
#undef YPOS
    rc = rc || slds_svg_end(b) ||
         slds_buf_puts(b, "<figcaption class=\"note\">* a figure suppressed to protect small groups "
                          "(fewer than the minimum number of students).</figcaption></figure>\n");
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}

int web_chart_bars(slds_buf *b, const char *title, const char *const *labels,
                   const double *values, const char *const *shown, size_t n, double max)
{
    const int width = 640, left = 200, bar = 16, gap = 6, top = 30;
    const double span = width - left - 70;
    int height = top + (int)n * (bar + gap) + 10;
    if (max <= 0)
        max = 100;
    int rc = slds_buf_puts(b, "<figure>\n") || slds_svg_begin(b, width, height, title) ||
             slds_svg_text(b, 4, 18, "font-weight=\"bold\" font-size=\"14\"", title);
    for (size_t i = 0; i < n && !rc; i++) {
        double y = top + (double)i * (bar + gap);
        rc = slds_svg_text(b, left - 8, y + bar - 3, "text-anchor=\"end\" font-size=\"12\"", labels[i]);
        if (!isfinite(values[i])) {
            rc = rc || slds_svg_text(b, left + 4, y + bar - 3, "font-size=\"12\" fill=\"#b00020\"",
                                     shown[i] && *shown[i] ? shown[i] : "n/a");
            continue;
        }
        double v = values[i] < 0 ? 0 : values[i] > max ? max : values[i];
        rc = rc || slds_svg_rect(b, left, y, span * v / max, bar, "#3a6ea5", NULL) ||
             slds_svg_text(b, left + span * v / max + 4, y + bar - 3, "font-size=\"12\"", shown[i]);
    }
    return rc || slds_svg_end(b) || slds_buf_puts(b, "</figure>\n") ? SLDS_ERR_NOMEM : SLDS_OK;
}
