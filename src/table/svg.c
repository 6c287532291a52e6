/* svg.c - primitives for inline SVG charts (table.h): the elements a chart
 * is made of, with coordinates at one decimal and text escaped, so a chart
 * module (src/growthrun/html.c) says what to draw, not how SVG is spelled. */
#include "table/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* v with places (0 or 1) decimals, as printf's "%.*f" writes it (a student
 * page's chart prints a few hundred coordinates and labels; printf's exact
 * decimal conversion was most of the chart's cost). At 0 places v's
 * fraction is exact (|v| < 1e15), so it rounds like printf, a tie to even.
 * At 1 place, coordinates 0 <= v < 1e6 not within 1e-6 of a tie (x.x5) are
 * rounded here: there the product v * 10 is off by less than 2e-9, so it
 * rounds the same way as v's exact value. Anything else is left to printf.
 * tests/table/test_table.c compares both on many values. */
size_t slds_svg_fixed(char *buf, size_t size, double v, int places)
{
    char text[48];
    bool fast = false;
    long long n = 0;
    if (places == 0 && fabs(v) < 1e15) {
        double a = fabs(v), whole = floor(a), frac = a - whole;
        n = (long long)whole + (frac > 0.5 || (frac == 0.5 && fmod(whole, 2) == 1));
        fast = true;
    } else if (places == 1 && v >= 0 && !signbit(v) && v < 1e6) {
        double t = v * 10.0, whole = floor(t), frac = t - whole;
        if (fabs(frac - 0.5) > 1e-6) {
            n = (long long)whole + (frac > 0.5);
            fast = true;
        }
    }
    int len;
    if (fast) {
        char *p = text + sizeof text;
        *--p = '\0';
        if (places) {
            *--p = (char)('0' + n % 10);
            *--p = '.';
            n /= 10;
        }
        do
            *--p = (char)('0' + n % 10);
        while ((n /= 10) > 0);
        if (signbit(v))
            *--p = '-';
        len = (int)(text + sizeof text - 1 - p);
        if (size) { /* truncated as snprintf truncates */
            size_t k = (size_t)len < size ? (size_t)len : size - 1;
            memcpy(buf, p, k);
            buf[k] = '\0';
        }
    } else
        len = snprintf(buf, size, "%.*f", places, v);
    return len > 0 ? (size_t)len : 0;
}

static int put_1f(slds_buf *b, double v)
{
    char text[48];
    size_t n = slds_svg_fixed(text, sizeof text, v, 1);
    return n < sizeof text ? slds_buf_append(b, text, n) : slds_buf_printf(b, "%.1f", v);
}

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
    int rc = slds_buf_puts(b, "<rect x=\"") || put_1f(b, x) || slds_buf_puts(b, "\" y=\"") ||
             put_1f(b, y) || slds_buf_puts(b, "\" width=\"") || put_1f(b, w) ||
             slds_buf_puts(b, "\" height=\"") || put_1f(b, h) || slds_buf_puts(b, "\" fill=\"") ||
             slds_buf_puts(b, fill ? fill : "none") || slds_buf_puts(b, "\"");
    if (!rc && stroke)
        rc = slds_buf_printf(b, " stroke=\"%s\"", stroke);
    return rc || slds_buf_puts(b, "/>\n");
}

static int points(slds_buf *b, const double *xy, size_t n)
{
    int rc = slds_buf_puts(b, " points=\"");
    for (size_t i = 0; i < n && !rc; i++)
        rc = (i && slds_buf_puts(b, " ")) || put_1f(b, xy[2 * i]) || slds_buf_puts(b, ",") ||
             put_1f(b, xy[2 * i + 1]);
    return rc || slds_buf_puts(b, "\"/>\n");
}

int slds_svg_polyline(slds_buf *b, const double *xy, size_t n, const char *attrs)
{
    return slds_buf_puts(b, "<polyline ") || slds_buf_puts(b, attrs ? attrs : "fill=\"none\"") ||
           points(b, xy, n);
}

int slds_svg_polygon(slds_buf *b, const double *xy, size_t n, const char *fill)
{
    return slds_buf_puts(b, "<polygon fill=\"") || slds_buf_puts(b, fill ? fill : "none") ||
           slds_buf_puts(b, "\"") || points(b, xy, n);
}

int slds_svg_text(slds_buf *b, double x, double y, const char *attrs, const char *text)
{
    int rc = slds_buf_puts(b, "<text x=\"") || put_1f(b, x) || slds_buf_puts(b, "\" y=\"") ||
             put_1f(b, y) || slds_buf_puts(b, attrs ? "\" " : "\"") || slds_buf_puts(b, attrs ? attrs : "") ||
             slds_buf_puts(b, ">");
    return rc || slds_html_escape(b, text ? text : "") || slds_buf_puts(b, "</text>\n");
}
