/* table.h - result tables: typed columns (name, type, unit, display
 * precision, privacy role), typed cells (never strings re-parsed), blank
 * cells, in memory or streamed row by row; and the one set of renderers every
 * command and page uses: aligned text, CSV, JSON, HTML, plus the SVG
 * primitives charts are drawn with. docs/table.md is the guide for authors
 * of new reports.
 *
 * Rendering rules (the same for every table):
 *  - text: columns aligned, numbers right-aligned, control characters (C0,
 *    DEL, C1) shown as visible escapes (\n, \t, \r, \xHH, \u00HH), never raw;
 *  - CSV (RFC 4180): text through slds_csv_write_text_field (spreadsheet
 *    formulas neutralized with a leading '), numbers plain;
 *  - JSON: an array of objects, numbers bare (at the column's display
 *    precision, at most 15 significant digits), blank cells null,
 *    booleans true/false, lists arrays;
 *  - HTML: a <table>, every text escaped;
 *  - a real number is shown with the column's precision in every format; an
 *    empty text is a blank cell; a cell suppressed for privacy shows "*" in
 *    text, CSV and HTML and null in JSON.
 *
 * Ownership: slds_table_new gives the caller a table; slds_table_free frees it
 * and everything in it. Every string given to a table is copied. */
#ifndef SLDS_TABLE_H
#define SLDS_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"

/* ------------------------------------------------------------ formats */

typedef enum { SLDS_FORMAT_TABLE, SLDS_FORMAT_CSV, SLDS_FORMAT_JSON, SLDS_FORMAT_HTML } slds_format;

/* "table" | "csv" | "json" | "html" into *out; SLDS_ERR_USAGE when unknown. */
int slds_format_parse(const char *name, slds_format *out);
const char *slds_format_name(slds_format f);

/* ------------------------------------------------------------ columns */

typedef enum {
    SLDS_CELL_TEXT,    /* UTF-8 text */
    SLDS_CELL_INTEGER, /* 64-bit integer */
    SLDS_CELL_REAL,    /* double, shown with the column's precision */
    SLDS_CELL_BOOLEAN, /* "yes"/"no" in text and CSV, true/false in JSON */
    SLDS_CELL_DATE,    /* ISO 8601 date kept as text, aligned like text */
    SLDS_CELL_LIST     /* a list of texts: joined by spaces, a JSON array */
} slds_cell_type;

/* What a column means to public-reporting suppression (src/privacy). */
typedef enum {
    SLDS_ROLE_PLAIN = 0, /* never suppressed, plays no part */
    SLDS_ROLE_PARTITION, /* rows with equal values in every partition column are siblings */
    SLDS_ROLE_SIZE,      /* the group's n: below the minimum, the row's figures are suppressed */
    SLDS_ROLE_COUNT,     /* a count of the group: suppressed with it, additive across siblings */
    SLDS_ROLE_STATISTIC  /* a rate, mean or median: suppressed with the count it derives from */
} slds_column_role;

/* Display precision of a REAL column: decimals >= 0 is that many digits after
 * the point (printf %.Nf); SLDS_SIGNIFICANT(n) is n significant digits with
 * no trailing zeros (%.Ng). */
#define SLDS_SIGNIFICANT(n) (-(n))

typedef struct slds_column_spec {
    const char *name;
    slds_cell_type type;
    const char *unit;  /* NULL when none: "percent", "days", "score points"... (docs, HTML title) */
    int decimals;      /* REAL only, see SLDS_SIGNIFICANT; 0 for other types */
    slds_column_role role;
    const char *sums_to; /* COUNT only: a column of the same row this one is a part of, or NULL */
    const char *derives_from; /* STATISTIC only: the COUNT it is computed from; NULL: the SIZE */
    /* STATISTIC only: the COUNT or SIZE it is a share of (a rate in percent:
     * derives_from / denominator x 100). Public reporting hides the rate with
     * its denominator and shows it as a range near 0 % and 100 % in small
     * groups (src/privacy). NULL: not a share. */
    const char *denominator;
} slds_column_spec;

/* -------------------------------------------------------------- tables */

typedef struct slds_table slds_table;

/* A new empty table named name (a stable identifier: JSON key, report
 * section) titled title (a heading for a person; NULL for none), with ncols
 * columns (copied). Errors: SLDS_ERR_USAGE (no columns, no name, a duplicate
 * name, a sums_to or derives_from that names no count of the table),
 * SLDS_ERR_NOMEM. */
int slds_table_new(slds_table **out, const char *name, const char *title,
                   const slds_column_spec *cols, int ncols, slds_error *err);
void slds_table_free(slds_table *t);

const char *slds_table_name(const slds_table *t);
const char *slds_table_title(const slds_table *t);
int slds_table_ncols(const slds_table *t);
const slds_column_spec *slds_table_column(const slds_table *t, int col);
/* Index of the column named name, or -1. */
int slds_table_find_column(const slds_table *t, const char *name);
/* Rows held: all of them in memory; 0 or 1 (the row being filled) when streaming. */
size_t slds_table_nrows(const slds_table *t);

/* Starts a new row, every cell blank; the setters below fill its cells. When
 * the table streams, the previous row is rendered and dropped first.
 * Setters check the column index and the column's type: a wrong one is
 * SLDS_ERR_USAGE, so a row can never be read past its columns. The first
 * failure also sticks to the table and is returned again by
 * slds_table_add_row and slds_table_end, so a caller may fill a row and check
 * once. */
int slds_table_add_row(slds_table *t, slds_error *err);
int slds_table_set_text(slds_table *t, int col, const char *s, slds_error *err); /* NULL, "": blank */
int slds_table_set_date(slds_table *t, int col, const char *iso, slds_error *err);
int slds_table_set_integer(slds_table *t, int col, long long v, slds_error *err);
int slds_table_set_real(slds_table *t, int col, double v, slds_error *err); /* NaN, inf: blank */
int slds_table_set_boolean(slds_table *t, int col, bool v, slds_error *err);
/* Appends s to the list in a LIST cell (the cell becomes non-blank). */
int slds_table_list_add(slds_table *t, int col, const char *s, slds_error *err);
/* The first setter failure of the table (SLDS_OK when none). */
int slds_table_status(const slds_table *t);

/* Reading cells of row (0-based) back, for privacy and tests. */
bool slds_table_is_blank(const slds_table *t, size_t row, int col);
const char *slds_table_text(const slds_table *t, size_t row, int col); /* TEXT, DATE; NULL if blank */
long long slds_table_integer(const slds_table *t, size_t row, int col);
double slds_table_real(const slds_table *t, size_t row, int col); /* INTEGER or REAL; NaN if blank */
bool slds_table_boolean(const slds_table *t, size_t row, int col);
size_t slds_table_list_size(const slds_table *t, size_t row, int col);
const char *slds_table_list_item(const slds_table *t, size_t row, int col, size_t i);
/* The cell as it is shown in text and CSV (blank ""), into buf. */
const char *slds_table_cell_text(const slds_table *t, size_t row, int col, char *buf, size_t size);

/* Privacy marks (src/privacy sets them; renderers honour them). */
void slds_table_suppress(slds_table *t, size_t row, int col);
bool slds_table_is_suppressed(const slds_table *t, size_t row, int col);
/* A shown cell coarsened to a range: at_most true shows "≤bound", false
 * "≥bound" (with "%" when the column's unit is "percent") in text, CSV, HTML
 * and as that string in JSON; the value is kept for the report's owner. */
void slds_table_code_range(slds_table *t, size_t row, int col, bool at_most, double bound);
/* A shown cell coarsened to an interval [lo, lo + width] (width 1-100),
 * shown "lo-hi" (with "%" for a percent column). */
void slds_table_code_interval(slds_table *t, size_t row, int col, double lo, int width);
/* 0: not coded; -1: at most *bound; +1: at least *bound; 2: an interval
 * from *bound (its upper end: slds_table_interval). bound may be NULL. */
int slds_table_range(const slds_table *t, size_t row, int col, double *bound);
/* true when the cell is coded as an interval: *lo and *hi its ends. */
bool slds_table_interval(const slds_table *t, size_t row, int col, double *lo, double *hi);
/* Copies the privacy marks (suppressed, range, interval) of a source cell. */
void slds_table_copy_marks(slds_table *dst, size_t drow, const slds_table *src, size_t srow, int col);

/* Declared totals (for privacy's complementary suppression across rows):
 * in every SIZE and COUNT column, row total holds the sum of rows
 * parts[0..nparts) (e.g. a district and its schools, all students and the
 * subgroups that partition them, all grades and each grade). total may be
 * SLDS_TOTAL_ELSEWHERE: the total is published in another table or run, so
 * the parts must still protect each other. Rows are indices of rows already
 * added (in-memory tables only). SLDS_ERR_USAGE for a row out of range;
 * SLDS_ERR_NOMEM. */
#define SLDS_TOTAL_ELSEWHERE ((size_t)-1)
int slds_table_declare_total(slds_table *t, size_t total, const size_t *parts, size_t nparts,
                             slds_error *err);
size_t slds_table_ntotals(const slds_table *t);
/* The i-th declared total: its row (or SLDS_TOTAL_ELSEWHERE) and its parts. */
size_t slds_table_total(const slds_table *t, size_t i, const size_t **parts, size_t *nparts);

/* ----------------------------------------------------------- rendering */

/* Renders a table held in memory. TABLE: a header, a rule, the rows (nothing
 * else; an empty table is the header and rule). */
int slds_table_write(const slds_table *t, slds_format fmt, FILE *out, slds_error *err);

/* Streams the table into out as rows are added: the CSV header, JSON "[",
 * HTML head are written now, each row when the next one starts, the rest at
 * slds_table_end. Memory stays constant except for SLDS_FORMAT_TABLE, whose
 * widths need every row: it is written whole at slds_table_end. */
int slds_table_stream(slds_table *t, slds_format fmt, FILE *out, slds_error *err);
/* Ends a streamed table (a no-op for one in memory); returns the sticky error. */
int slds_table_end(slds_table *t, slds_error *err);

/* A document of several tables: TABLE: per table a blank line, its title, a
 * blank line, then the table or "(none)"; CSV: the tables one after another,
 * a blank line between; JSON: one object {name: [rows]...}; HTML: per table
 * an <h2> title and the table. */
int slds_tables_write(slds_table *const *tables, size_t n, slds_format fmt, FILE *out,
                      slds_error *err);

/* Writes j (indented, keys in order, reals with up to 15 significant digits
 * so 18.1964 is not 18.196400000000001) and a newline, and drops the
 * reference to j. j NULL (a failed build) is SLDS_ERR_NOMEM. Every JSON
 * output of the tool goes through here. */
int slds_json_write(json_t *j, FILE *out, slds_error *err);
/* The table as a JSON array of objects (a new reference; NULL when out of memory). */
json_t *slds_table_json(const slds_table *t);
/* Appends to b the bytes slds_json_write writes for slds_table_json(t)
 * (without its final newline) with the array nested depth levels deep (its
 * rows indented as a value of an object at depth - 1 is): the same output
 * without building a jansson tree (slds_table_write and slds_tables_write
 * write JSON through here). SLDS_ERR_DATA when a text is not UTF-8 (where
 * slds_table_json gives NULL), SLDS_ERR_NOMEM. */
int slds_table_json_append(const slds_table *t, slds_buf *b, int depth);
/* s as a JSON string, escaped as slds_json_write escapes it, appended to b.
 * SLDS_ERR_DATA when s is not UTF-8, SLDS_ERR_NOMEM. */
int slds_json_string_append(slds_buf *b, const char *s);
/* The table as an HTML <table> appended to b (SLDS_ERR_NOMEM). */
int slds_table_html(const slds_table *t, slds_buf *b);

/* s with control characters made visible (see above), for any text output
 * to a terminal; appended to b. */
int slds_text_escape(slds_buf *b, const char *s);
/* Writes s escaped as slds_text_escape does. */
void slds_text_fputs(FILE *out, const char *s);
/* s with < > & " escaped for HTML, appended to b. */
int slds_html_escape(slds_buf *b, const char *s);

/* ------------------------------------------------------------ SVG charts */

/* Primitives for inline SVG charts (src/growthrun/html.c draws the parent
 * growth chart with them). Coordinates are printed with one decimal;
 * every function appends one element and a newline (except where noted) and
 * returns SLDS_OK or SLDS_ERR_NOMEM. */
int slds_svg_begin(slds_buf *b, int width, int height, const char *label);
int slds_svg_end(slds_buf *b);
int slds_svg_rect(slds_buf *b, double x, double y, double w, double h, const char *fill,
                  const char *stroke);
/* A polyline or polygon through points xy[0..2n) (x, y pairs); attrs is
 * inserted verbatim (fill, stroke...). */
int slds_svg_polyline(slds_buf *b, const double *xy, size_t n, const char *attrs);
int slds_svg_polygon(slds_buf *b, const double *xy, size_t n, const char *fill);
/* v with places (0 or 1) decimals into buf (size bytes), exactly as
 * snprintf(buf, size, "%.*f", places, v) writes it, mostly without printf:
 * coordinates and labels of charts. Returns the length written. */
size_t slds_svg_fixed(char *buf, size_t size, double v, int places);
/* A text element: attrs verbatim (class, anchor), text escaped. */
int slds_svg_text(slds_buf *b, double x, double y, const char *attrs, const char *text);

#endif
