/* show.c - the counselor's warning list: the stored rows of a year (one
 * school or all), most at risk first, as a result table (text, CSV, JSON)
 * or as one HTML page with each student's flags, reasons and factors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warn/internal.h"

static const slds_column_spec show_cols[] = {
    {.name = "student_id", .type = SLDS_CELL_TEXT},
    {.name = "school_id", .type = SLDS_CELL_TEXT},
    {.name = "grade", .type = SLDS_CELL_INTEGER},
    {.name = "risk_not_graduating", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1},
    {.name = "risk_failing_course", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1},
    {.name = "risk_level", .type = SLDS_CELL_TEXT},
    {.name = "flags", .type = SLDS_CELL_LIST},
    {.name = "absence_rate", .type = SLDS_CELL_REAL, .unit = "percent", .decimals = 1},
    {.name = "suspensions", .type = SLDS_CELL_INTEGER},
    {.name = "gpa", .type = SLDS_CELL_REAL, .decimals = 2},
    {.name = "reasons", .type = SLDS_CELL_TEXT},
    {.name = "factors", .type = SLDS_CELL_TEXT}};
enum { NSHOW = sizeof show_cols / sizeof show_cols[0] };

static const char show_sql[] =
    "SELECT student_id, school_id, grade, p_not_graduate, p_fail_course, risk_level, flag_attendance,"
    " flag_behavior, flag_course, flag_gpa, flag_off_track, days_enrolled, days_absent, suspensions, gpa,"
    " reasons, factors FROM warn_students WHERE school_year = ?1 AND (?2 IS NULL OR school_id = ?2)"
    " ORDER BY p_not_graduate IS NULL, p_not_graduate DESC,"
    " flag_attendance + flag_behavior + flag_course + flag_gpa + COALESCE(flag_off_track, 0) DESC, student_id";

static int check_run(slds_store *s, int year, slds_error *err)
{
    if (slds_store_schema_version(s, "warn", err) < 1)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no early-warning results: run slds warn run DB --year %d", year);
    slds_cursor c;
    if (slds_cursor_open(&c, s, "SELECT 1 FROM warn_runs WHERE school_year = ?1", err))
        return err->code;
    slds_cursor_bind_int(&c, 1, year);
    int r = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    if (r == 0)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no early-warning results for %d: run slds warn run DB --year %d",
                         year, year);
    return SLDS_OK;
}

int slds_warn_show(slds_store *s, int year, const char *school_id, slds_table **out, slds_error *err)
{
    *out = NULL;
    int rc = check_run(s, year, err);
    if (rc)
        return rc;
    slds_table *t;
    if ((rc = slds_table_new(&t, "early_warning_students", "Early-warning list", show_cols, NSHOW, err)))
        return rc;
    slds_cursor c;
    if (slds_cursor_open(&c, s, show_sql, err)) {
        slds_table_free(t);
        return err->code;
    }
    slds_cursor_bind_int(&c, 1, year);
    slds_cursor_bind_text(&c, 2, school_id);
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, slds_cursor_text(&c, 0), err);
        slds_table_set_text(t, 1, slds_cursor_text(&c, 1), err);
        slds_table_set_integer(t, 2, slds_cursor_int(&c, 2), err);
        if (!slds_cursor_is_null(&c, 3))
            slds_table_set_real(t, 3, 100 * slds_cursor_double(&c, 3), err);
        if (!slds_cursor_is_null(&c, 4))
            slds_table_set_real(t, 4, 100 * slds_cursor_double(&c, 4), err);
        slds_table_set_text(t, 5, slds_cursor_text(&c, 5), err);
        for (int k = 0; k < SLDS_WARN_NFLAGS; k++)
            if (slds_cursor_int(&c, 6 + k))
                slds_table_list_add(t, 6, slds_warn_flag_name(k), err);
        if (!slds_cursor_is_null(&c, 11) && slds_cursor_double(&c, 11) > 0)
            slds_table_set_real(t, 7, 100 * slds_cursor_double(&c, 12) / slds_cursor_double(&c, 11), err);
        slds_table_set_integer(t, 8, slds_cursor_int(&c, 13), err);
        if (!slds_cursor_is_null(&c, 14))
            slds_table_set_real(t, 9, slds_cursor_double(&c, 14), err);
        slds_table_set_text(t, 10, slds_cursor_text(&c, 15), err);
        slds_table_set_text(t, 11, slds_cursor_text(&c, 16), err);
    }
    slds_cursor_close(&c);
    rc = r < 0 ? err->code : slds_table_status(t);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}

/* The HTML page: a short legend, then one row per student with the flags as
 * badges and the reasons and factors as lists. */
int slds_warn_show_html(slds_store *s, int year, const char *school_id, slds_buf *b, slds_error *err)
{
    slds_table *t;
    int rc = slds_warn_show(s, year, school_id, &t, err);
    if (rc)
        return rc;
    double threshold = NAN;
    {
        slds_cursor c;
        if (!slds_cursor_open(&c, s,
                              "SELECT json_extract(model, '$.graduation_model.threshold') FROM warn_runs"
                              " WHERE school_year = ?1",
                              err)) {
            slds_cursor_bind_int(&c, 1, year);
            if (slds_cursor_step(&c, err) == 1 && !slds_cursor_is_null(&c, 0))
                threshold = slds_cursor_double(&c, 0);
            slds_cursor_close(&c);
        }
        slds_error_clear(err);
    }
    size_t n = slds_table_nrows(t), high = 0, flagged = 0;
    for (size_t i = 0; i < n; i++) {
        const char *lvl = slds_table_text(t, i, 5);
        high += lvl && !strcmp(lvl, "high");
        flagged += slds_table_list_size(t, i, 6) > 0;
    }
    rc |= slds_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Early-warning list ");
    rc |= slds_buf_printf(b, "%d", year);
    rc |= slds_buf_puts(b, "</title>\n<style>\n"
                           "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n"
                           "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;"
                           "padding:.35em .5em;vertical-align:top;text-align:left;font-size:14px}\n"
                           "th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}\n"
                           "tr.high td:first-child{border-left:6px solid #c0392b}"
                           "tr.moderate td:first-child{border-left:6px solid #e67e22}"
                           "tr.low td:first-child{border-left:6px solid #27ae60}\n"
                           ".flag{display:inline-block;background:#fdebd0;border:1px solid #e59866;"
                           "border-radius:3px;padding:0 .3em;margin:0 .2em .2em 0;font-size:12px}\n"
                           "ul{margin:0;padding-left:1.1em}.muted{color:#777}\n"
                           "</style></head><body>\n<h1>Early-warning list, school year ");
    rc |= slds_buf_printf(b, "%d", year);
    if (school_id) {
        rc |= slds_buf_puts(b, ", school ");
        rc |= slds_html_escape(b, school_id);
    }
    rc |= slds_buf_printf(b, "</h1>\n<p>%zu students of grades 6-12; %zu with at least one ABC flag; %zu at high "
                             "risk of not graduating on time",
                          n, flagged, high);
    if (!isnan(threshold))
        rc |= slds_buf_printf(b, " (a predicted risk of %.0f%% or more)", 100 * threshold);
    rc |= slds_buf_puts(b, ".</p>\n<p class=\"muted\">Flags: attendance (missed 10% of enrolled days or more), "
                           "behavior (suspended), course (an F in English or mathematics), gpa (below 2.0), "
                           "off_track (grade 9: under 5 credits or more than one semester F in a core course). "
                           "A risk is a calibrated probability from a model trained on earlier cohorts; "
                           "among students given a risk of 30%, about 3 in 10 did not graduate on time. "
                           "It is a reason to look, not a verdict (docs/warn.md).</p>\n");
    rc |= slds_buf_puts(b, "<table>\n<thead><tr><th>student</th><th>school</th><th>grade</th>"
                           "<th title=\"percent\">risk of not graduating on time</th>"
                           "<th title=\"percent\">risk of failing a course</th><th>flags</th>"
                           "<th>reasons</th><th>main factors</th></tr></thead>\n<tbody>\n");
    char buf[64];
    for (size_t i = 0; i < n && !rc; i++) {
        const char *lvl = slds_table_text(t, i, 5);
        rc |= slds_buf_printf(b, "<tr class=\"%s\"><td>", lvl ? lvl : "none");
        rc |= slds_html_escape(b, slds_table_text(t, i, 0));
        rc |= slds_buf_puts(b, "</td><td>");
        rc |= slds_html_escape(b, slds_table_text(t, i, 1) ? slds_table_text(t, i, 1) : "");
        rc |= slds_buf_printf(b, "</td><td class=\"num\">%lld</td><td class=\"num\">", slds_table_integer(t, i, 2));
        rc |= slds_html_escape(b, slds_table_cell_text(t, i, 3, buf, sizeof buf));
        if (lvl)
            rc |= slds_buf_printf(b, "%% <span class=\"muted\">(%s)</span>", lvl);
        rc |= slds_buf_puts(b, "</td><td class=\"num\">");
        if (!slds_table_is_blank(t, i, 4)) {
            rc |= slds_html_escape(b, slds_table_cell_text(t, i, 4, buf, sizeof buf));
            rc |= slds_buf_puts(b, "%");
        }
        rc |= slds_buf_puts(b, "</td><td>");
        for (size_t k = 0; k < slds_table_list_size(t, i, 6); k++) {
            rc |= slds_buf_puts(b, "<span class=\"flag\">");
            rc |= slds_html_escape(b, slds_table_list_item(t, i, 6, k));
            rc |= slds_buf_puts(b, "</span>");
        }
        for (int col = 10; col <= 11; col++) {
            rc |= slds_buf_puts(b, "</td><td>");
            const char *text = slds_table_text(t, i, col);
            if (!text)
                continue;
            rc |= slds_buf_puts(b, "<ul>");
            /* one list item per "; "-separated part */
            while (text && *text) {
                const char *semi = strstr(text, "; ");
                size_t len = semi ? (size_t)(semi - text) : strlen(text);
                char part[512];
                snprintf(part, sizeof part, "%.*s", (int)(len < sizeof part ? len : sizeof part - 1), text);
                rc |= slds_buf_puts(b, "<li>");
                rc |= slds_html_escape(b, part);
                rc |= slds_buf_puts(b, "</li>");
                text = semi ? semi + 2 : NULL;
            }
            rc |= slds_buf_puts(b, "</ul>");
        }
        rc |= slds_buf_puts(b, "</td></tr>\n");
    }
    rc |= slds_buf_puts(b, "</tbody></table>\n</body></html>\n");
    slds_table_free(t);
    return rc ? slds_fail(err, SLDS_ERR_NOMEM, "early warning: out of memory") : SLDS_OK;
}
