/* svg.c - primitives for inline SVG charts (table.h): the elements a chart
 * is made of, with coordinates at one decimal and text escaped, so a chart
 * module (src/growthrun/html.c) says what to draw, not how SVG is spelled. */
#include "table/internal.h"

int slds_svg_begin(slds_buf *b, int width, int height, const char *label)
{
    int rc = slds_buf_printf(b,
                             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                             width, height, width, height);
    return rc || slds_html_escape(b, label ? label : "") || slds_buf_puts(b, "\">\n");
}

int slds_svg_end(slds_buf *b)
{
    return slds_buf_puts(b, "</svg>\n");
}

int slds_svg_rect(slds_buf *b, double x, double y, double w, double h, const char *fill,
                  const char *stroke)
{
    int rc = slds_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"",
                             x, y, w, h, fill ? fill : "none");
    if (!rc && stroke)
        rc = slds_buf_printf(b, " stroke=\"%s\"", stroke);
    return rc || slds_buf_puts(b, "/>\n");
}

static int points(slds_buf *b, const double *xy, size_t n)
{
    int rc = slds_buf_puts(b, " points=\"");
    for (size_t i = 0; i < n && !rc; i++)
        rc = slds_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
    return rc || slds_buf_puts(b, "\"/>\n");
}

int slds_svg_polyline(slds_buf *b, const double *xy, size_t n, const char *attrs)
{
    return slds_buf_printf(b, "<polyline %s", attrs ? attrs : "fill=\"none\"") || points(b, xy, n);
}

int slds_svg_polygon(slds_buf *b, const double *xy, size_t n, const char *fill)
{
    return slds_buf_printf(b, "<polygon fill=\"%s\"", fill ? fill : "none") || points(b, xy, n);
}

int slds_svg_text(slds_buf *b, double x, double y, const char *attrs, const char *text)
{
    int rc = slds_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y, attrs ? " " : "",
                             attrs ? attrs : "");
    return rc || slds_html_escape(b, text ? text : "") || slds_buf_puts(b, "</text>\n");
}
