/* report.c - the feedback page of one educator and year (educators report
 * --format html): the stored rows, the rating and what drove it, the
 * decisions, a chart of where the teacher's value-added stands among every
 * teacher's of the subject (with its 95% interval), the distribution of the
 * students' SGPs (dosage-weighted), and mean SGP by class and by subgroup. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "educator/educator.h"

enum { CW = 640, CH = 150, LEFT = 40, RIGHT = 20 };

typedef struct page_ctx {
    slds_table *t;
    int n;
} page_ctx;

static int add_row(void *ctx, const slds_educator_row *r)
{
    page_ctx *p = ctx;
    slds_error err = {0};
    p->n++;
    return slds_educator_show_add(p->t, r, &err);
}

/* Where this teacher's estimate stands among all estimates of the subject:
 * every teacher a grey tick, this one a red dot with its 95% interval. */
static int chart_vam(slds_store *s, slds_buf *b, int year, const char *staff, const char *subject,
                     slds_error *err)
{
    slds_cursor c = {0};
    int rc = slds_cursor_open(&c, s,
                              "SELECT staff_id, vam_estimate, vam_se FROM educator_results"
                              " WHERE school_year = ? AND subject = ? AND vam_estimate IS NOT NULL",
                              err);
    if (rc)
        return rc;
    slds_cursor_bind_int(&c, 1, year);
    slds_cursor_bind_text(&c, 2, subject);
    double lo = -1, hi = 1, mine = NAN, mse = NAN;
    size_t cap = 256, n = 0;
    double *v = malloc(cap * sizeof(double));
    if (!v) {
        slds_cursor_close(&c);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        double e = slds_cursor_double(&c, 1);
        if (n == cap) {
            double *nv = realloc(v, 2 * cap * sizeof(double));
            if (!nv) {
                r = -1;
                slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
                break;
            }
            v = nv;
            cap *= 2;
        }
        v[n++] = e;
        lo = e < lo ? e : lo;
        hi = e > hi ? e : hi;
        if (!strcmp(slds_cursor_text(&c, 0), staff)) {
            mine = e;
            mse = slds_cursor_double(&c, 2);
        }
    }
    slds_cursor_close(&c);
    if (r < 0) {
        free(v);
        return err->code;
    }
    if (isfinite(mine)) {
        lo = fmin(lo, mine - 1.96 * mse);
        hi = fmax(hi, mine + 1.96 * mse);
    }
    double span = hi - lo;
#define PX(x) (LEFT + ((x) - lo) / span * (CW - LEFT - RIGHT))
    char label[160];
    snprintf(label, sizeof label, "%s value-added of %s among %zu teachers", subject, staff, n);
    rc = slds_svg_begin(b, CW, CH, label);
    rc = rc || slds_svg_rect(b, LEFT, 20, CW - LEFT - RIGHT, 80, "#f6f6f6", "#ccc");
    for (size_t k = 0; !rc && k < n; k++) {
        double xy[4] = {PX(v[k]), 30, PX(v[k]), 90};
        rc = slds_svg_polyline(b, xy, 2, "stroke=\"#9aa\" stroke-width=\"1\" fill=\"none\"");
    }
    double zero[4] = {PX(0), 20, PX(0), 100};
    rc = rc || slds_svg_polyline(b, zero, 2, "stroke=\"#333\" stroke-dasharray=\"4 3\" fill=\"none\"");
    if (!rc && isfinite(mine)) {
        double ci[4] = {PX(mine - 1.96 * mse), 60, PX(mine + 1.96 * mse), 60};
        rc = slds_svg_polyline(b, ci, 2, "stroke=\"#c00\" stroke-width=\"3\" fill=\"none\"");
        rc = rc || slds_buf_printf(b, "<circle cx=\"%.1f\" cy=\"60\" r=\"6\" fill=\"#c00\"/>\n",
                                   PX(mine));
        char t[96];
        snprintf(t, sizeof t, "%+.1f points (95%%: %+.1f to %+.1f)", mine, mine - 1.96 * mse,
                 mine + 1.96 * mse);
        rc = rc || slds_svg_text(b, PX(mine), 14, "text-anchor=\"middle\" font-size=\"12\"", t);
    }
    char t[64];
    snprintf(t, sizeof t, "%.0f", lo);
    rc = rc || slds_svg_text(b, LEFT, 118, "font-size=\"11\"", t);
    snprintf(t, sizeof t, "%.0f", hi);
    rc = rc || slds_svg_text(b, CW - RIGHT, 118, "font-size=\"11\" text-anchor=\"end\"", t);
    rc = rc || slds_svg_text(b, PX(0), 118, "font-size=\"11\" text-anchor=\"middle\"", "0 (average)");
    rc = rc || slds_svg_text(b, CW / 2.0, 140, "font-size=\"12\" text-anchor=\"middle\"",
                             "value-added, scale-score points; grey: every teacher of the subject");
    rc = rc || slds_svg_end(b);
#undef PX
    free(v);
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory") : SLDS_OK;
}

/* Dosage-weighted SGP distribution of the teacher's students, by decile. */
static int chart_sgp(slds_store *s, slds_buf *b, int year, const char *staff, slds_error *err)
{
    slds_cursor c = {0};
    int rc = slds_cursor_open(&c, s,
                              "SELECT g.sgp, r.dosage FROM rosters r JOIN growth_students g"
                              " ON g.school_year = r.school_year AND g.subject = r.subject"
                              " AND g.student_id = r.student_id"
                              " WHERE r.staff_id = ? AND r.school_year = ? AND g.sgp IS NOT NULL",
                              err);
    if (rc)
        return rc;
    slds_cursor_bind_text(&c, 1, staff);
    slds_cursor_bind_int(&c, 2, year);
    double bins[10] = {0}, total = 0, top = 0;
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        int sgp = (int)slds_cursor_int(&c, 0);
        int k = (sgp - 1) / 10;
        k = k < 0 ? 0 : k > 9 ? 9 : k;
        bins[k] += slds_cursor_double(&c, 1);
        total += slds_cursor_double(&c, 1);
    }
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    if (total <= 0)
        return slds_buf_puts(b, "<p>No SGPs for this teacher's students (run slds growth run).</p>\n")
                   ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory")
                   : SLDS_OK;
    for (int k = 0; k < 10; k++)
        top = fmax(top, bins[k] / total);
    rc = slds_svg_begin(b, CW, 200, "SGP distribution of the teacher's students");
    double bw = (CW - LEFT - RIGHT) / 10.0;
    for (int k = 0; !rc && k < 10; k++) {
        double h = bins[k] / total / top * 130;
        rc = slds_svg_rect(b, LEFT + k * bw + 2, 150 - h, bw - 4, h, "#4a7ab0", NULL);
        char t[32];
        snprintf(t, sizeof t, "%d-%d", k * 10 + 1, k * 10 + 10 > 99 ? 99 : k * 10 + 10);
        rc = rc || slds_svg_text(b, LEFT + (k + 0.5) * bw, 166, "font-size=\"11\" text-anchor=\"middle\"", t);
        snprintf(t, sizeof t, "%.0f%%", 100 * bins[k] / total);
        rc = rc || slds_svg_text(b, LEFT + (k + 0.5) * bw, 150 - h - 4, "font-size=\"11\" text-anchor=\"middle\"", t);
    }
    rc = rc || slds_svg_text(b, CW / 2.0, 190, "font-size=\"12\" text-anchor=\"middle\"",
                             "students by SGP decile (dosage-weighted); a uniform 10% is typical growth");
    rc = rc || slds_svg_end(b);
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory") : SLDS_OK;
}

/* Mean SGP by class (section) and by subgroup, as tables. */
static int breakdown(slds_store *s, slds_buf *b, int year, const char *staff, slds_error *err)
{
    static const slds_column_spec cols[] = {
        {"group", SLDS_CELL_TEXT, NULL, 0, SLDS_ROLE_PARTITION, NULL, NULL, NULL},
        {"students", SLDS_CELL_INTEGER, "students", 0, SLDS_ROLE_SIZE, NULL, NULL, NULL},
        {"fte_students", SLDS_CELL_REAL, "full-year-equivalent students", 2, SLDS_ROLE_PLAIN, NULL, NULL, NULL},
        {"mean_sgp", SLDS_CELL_REAL, "percentile", 1, SLDS_ROLE_STATISTIC, NULL, NULL, NULL},
    };
    static const char *const sql =
        "WITH l AS (SELECT r.subject, r.section_id, r.student_id, r.dosage, g.sgp,"
        "  a.econ_disadvantaged AS econ, a.disability AS dis, a.english_learner AS el"
        "  FROM rosters r JOIN growth_students g ON g.school_year = r.school_year"
        "  AND g.subject = r.subject AND g.student_id = r.student_id"
        "  LEFT JOIN student_attributes a ON a.student_id = r.student_id AND a.school_year = r.school_year"
        "  WHERE r.staff_id = ?1 AND r.school_year = ?2 AND g.sgp IS NOT NULL)"
        " SELECT 'class ' || subject || ' ' || section_id, count(DISTINCT student_id), sum(dosage),"
        "  sum(sgp * dosage) / sum(dosage), 0 FROM l GROUP BY subject, section_id"
        " UNION ALL SELECT 'economically disadvantaged: ' || COALESCE(econ, '?'), count(DISTINCT student_id),"
        "  sum(dosage), sum(sgp * dosage) / sum(dosage), 1 FROM l GROUP BY econ"
        " UNION ALL SELECT 'disability: ' || COALESCE(dis, '?'), count(DISTINCT student_id),"
        "  sum(dosage), sum(sgp * dosage) / sum(dosage), 2 FROM l GROUP BY dis"
        " UNION ALL SELECT 'English learner: ' || COALESCE(el, '?'), count(DISTINCT student_id),"
        "  sum(dosage), sum(sgp * dosage) / sum(dosage), 3 FROM l GROUP BY el"
        " ORDER BY 5, 1";
    slds_table *t = NULL;
    int rc = slds_table_new(&t, "by_group", "Growth of the students by class and subgroup", cols, 4, err);
    if (rc)
        return rc;
    slds_cursor c = {0};
    if ((rc = slds_cursor_open(&c, s, sql, err))) {
        slds_table_free(t);
        return rc;
    }
    slds_cursor_bind_text(&c, 1, staff);
    slds_cursor_bind_int(&c, 2, year);
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, slds_cursor_text(&c, 0), err);
        slds_table_set_integer(t, 1, slds_cursor_int(&c, 1), err);
        slds_table_set_real(t, 2, slds_cursor_double(&c, 2), err);
        slds_table_set_real(t, 3, slds_cursor_double(&c, 3), err);
    }
    slds_cursor_close(&c);
    if (r < 0) {
        slds_table_free(t);
        return err->code;
    }
    rc = slds_buf_puts(b, "<h2>Growth of the students by class and subgroup</h2>\n") ||
         slds_table_html(t, b);
    slds_table_free(t);
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory") : SLDS_OK;
}

int slds_educator_report_html(slds_store *s, int year, const char *staff, slds_buf *b,
                              slds_error *err)
{
    page_ctx pc = {0};
    int rc = slds_educator_show_table(&pc.t, err);
    if (rc)
        return rc;
    if ((rc = slds_educator_show(s, year, staff, add_row, &pc, err))) {
        slds_table_free(pc.t);
        return rc;
    }
    int fail = slds_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                                "<title>Educator feedback</title><style>body{font-family:sans-serif;"
                                "max-width:980px;margin:1em auto}table{border-collapse:collapse;"
                                "font-size:12px}td,th{border:1px solid #ccc;padding:2px 5px}"
                                ".rating{font-size:20px;font-weight:bold}</style></head><body>\n");
    fail = fail || slds_buf_puts(b, "<h1>Educator feedback: ") || slds_html_escape(b, staff) ||
           slds_buf_printf(b, ", school year %d</h1>\n", year);
    /* the combined row (subject blank) carries the rating */
    size_t n = slds_table_nrows(pc.t);
    int csub = slds_table_find_column(pc.t, "subject"), crat = slds_table_find_column(pc.t, "rating"),
        cdet = slds_table_find_column(pc.t, "rating_detail"),
        cfl = slds_table_find_column(pc.t, "flags"), cnote = slds_table_find_column(pc.t, "note");
    for (size_t i = 0; !fail && i < n; i++) {
        if (!slds_table_is_blank(pc.t, i, csub) || slds_table_is_blank(pc.t, i, crat))
            continue;
        const char *det = slds_table_text(pc.t, i, cdet), *fl = slds_table_text(pc.t, i, cfl),
                   *note = slds_table_text(pc.t, i, cnote);
        fail = slds_buf_puts(b, "<h2>Rating</h2><p class=\"rating\">") ||
               slds_html_escape(b, slds_table_text(pc.t, i, crat)) ||
               slds_buf_puts(b, "</p>\n<p>What drove it: ") || slds_html_escape(b, det ? det : "") ||
               slds_buf_puts(b, "</p>\n<p>Decisions: ") ||
               slds_html_escape(b, fl && fl[0] ? fl : "none") || slds_buf_puts(b, "</p>\n");
        if (!fail && note)
            fail = slds_buf_puts(b, "<p>Note: ") || slds_html_escape(b, note) || slds_buf_puts(b, "</p>\n");
    }
    fail = fail || slds_buf_puts(b, "<h2>Measures</h2>\n") || slds_table_html(pc.t, b);
    for (size_t i = 0; !fail && !rc && i < n; i++) {
        const char *subject = slds_table_text(pc.t, i, csub);
        if (!subject)
            continue;
        fail = slds_buf_puts(b, "<h2>How the value-added compares: ") || slds_html_escape(b, subject) ||
               slds_buf_puts(b, "</h2>\n");
        if (!fail)
            rc = chart_vam(s, b, year, staff, subject, err);
    }
    if (!fail && !rc)
        fail = slds_buf_puts(b, "<h2>Growth percentiles of the students</h2>\n");
    if (!fail && !rc)
        rc = chart_sgp(s, b, year, staff, err);
    if (!fail && !rc)
        rc = breakdown(s, b, year, staff, err);
    fail = fail || slds_buf_puts(b, "<p>Definitions: docs/educators.md.</p></body></html>\n");
    slds_table_free(pc.t);
    if (rc)
        return rc;
    return fail ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory") : SLDS_OK;
}
