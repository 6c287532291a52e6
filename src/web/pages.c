/* pages.c - what each route shows, built once as a document (web_doc) that
 * the API renders as JSON or CSV and a page as HTML: report cards (public
 * form for whoever needs suppression), dashboards, a teacher's class, a
 * student's record and growth, the requester's own page and students.
 *
 * Each builder asks access first (auth.h) and reads nothing about a student,
 * school or district it may not show. Aggregates come from the report
 * registry (slds_report_run through the cache) and are cut to the place's
 * rows afterwards: one run per report and year serves every school, so the
 * cells suppressed in public form are the same on every page. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "educator/educator.h"
#include "growthrun/growthrun.h"
#include "record/record.h"
#include "web/internal.h"

enum { MAX_YEARS = 12, TREND_YEARS = 6 };

/* ------------------------------------------------------------ places */

typedef struct place_filter {
    const char *level; /* "state", "lea", "school" */
    const char *id;
    const char *lea_id; /* the school's district, for district-keyed tables */
    bool with_grades;   /* keep grade rows other than "all" */
    /* column indices of the table being filtered (found once per table, not per row) */
    const slds_table *t;
    int c_level, c_group, c_grade, c_lea, c_district;
} place_filter;

static bool level_is(const char *level, const char *want)
{
    if (!strcmp(want, "lea"))
        return !strcmp(level, "lea") || !strcmp(level, "district");
    return !strcmp(level, want);
}

static const char *text_at(const slds_table *t, size_t row, int col)
{
    const char *s = col >= 0 ? slds_table_text(t, row, col) : NULL;
    return s ? s : "";
}

static void filter_columns(place_filter *f, const slds_table *t)
{
    if (f->t == t)
        return;
    f->t = t;
    f->c_level = slds_table_find_column(t, "level");
    f->c_group = slds_table_find_column(t, "group_id");
    f->c_grade = slds_table_find_column(t, "grade");
    f->c_lea = slds_table_find_column(t, "lea_id");
    f->c_district = slds_table_find_column(t, "district");
}

/* A row of a report table is the place's when its level and group say so. */
static bool keep_place(const slds_table *t, size_t row, void *ctx)
{
    place_filter *f = ctx;
    filter_columns(f, t);
    const char *grade = text_at(t, row, f->c_grade);
    if (*grade && strcmp(grade, "all") && !f->with_grades)
        return false;
    if (f->c_level < 0) /* no level column: the lea_id column says */
        return !strcmp(f->level, "state") || !strcmp(text_at(t, row, f->c_lea), f->lea_id);
    const char *level = text_at(t, row, f->c_level);
    if (!strcmp(f->level, "state"))
        return !strcmp(level, "state");
    return level_is(level, f->level) && !strcmp(text_at(t, row, f->c_group), f->id);
}

/* Rows of a lea (lowest-achieving schools of a district, audit by district). */
static bool keep_lea_rows(const slds_table *t, size_t row, void *ctx)
{
    place_filter *f = ctx;
    filter_columns(f, t);
    if (!strcmp(f->level, "state"))
        return true;
    if (f->c_district >= 0) /* audit */
        return !strcmp(text_at(t, row, f->c_district), f->lea_id);
    if (!strcmp(f->level, "school"))
        return !strcmp(text_at(t, row, f->c_group), f->id);
    return !strcmp(text_at(t, row, f->c_lea), f->lea_id) || !strcmp(text_at(t, row, f->c_group), f->lea_id);
}

static int resolve_place(web_ctx *c, const char *level, web_place *p, place_filter *f)
{
    slds_error err = {0};
    memset(p, 0, sizeof *p);
    int rc = SLDS_OK;
    if (!strcmp(level, "state"))
        snprintf(p->name, sizeof p->name, "the state");
    else if (!strcmp(level, "lea"))
        rc = web_catalog_lea(c->store, c->param, p, &err);
    else
        rc = web_catalog_school(c->store, c->param, p, &err);
    if (rc == SLDS_ERR_NOTFOUND)
        return web_error(c, 404, "There is no such school or district.");
    if (rc) {
        fprintf(stderr, "slds serve: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    *f = (place_filter){.level = level, .id = c->param ? c->param : "state", .lea_id = p->lea_id, .t = NULL};
    return 200;
}

/* Runs a report (cached) and adds the place's rows of its table `table` to
 * the document under `name`. A report that cannot run for this year (growth
 * not run, no graduating class) adds nothing: the page says so. */
static int add_report_rows(web_ctx *c, web_doc *d, const char *report, const char *table,
                           const char *name, const char *title, const char *const *an,
                           const char *const *av, size_t na, bool public_form, web_row_filter keep,
                           place_filter *f, slds_buf *missing)
{
    slds_error err = {0};
    web_report *r;
    if (web_report_get(c, report, an, av, na, public_form, &r, &err)) {
        if (err.code == SLDS_ERR_NOMEM)
            return SLDS_ERR_NOMEM;
        slds_buf_puts(missing, "<li>");
        slds_html_escape(missing, title);
        slds_buf_puts(missing, ": not available for this year</li>\n");
        return SLDS_OK;
    }
    int rc = SLDS_OK;
    for (size_t i = 0; i < r->out.n && !rc; i++) {
        if (strcmp(slds_table_name(r->out.tables[i]), table))
            continue;
        slds_table *t;
        rc = web_table_filter(r->out.tables[i], name, title, keep, f, &t, &err);
        rc = rc ? rc : web_doc_add(d, t, &err);
    }
    web_report_release(c->app, r);
    return rc;
}

/* ------------------------------------------------------------ charts */

/* The value of a cell as a chart shows it: NaN when blank or suppressed. */
static double chart_value(const slds_table *t, size_t r, const char *col, bool *suppressed)
{
    int k = slds_table_find_column(t, col);
    *suppressed = k >= 0 && slds_table_is_suppressed(t, r, k);
    if (k < 0 || *suppressed || slds_table_is_blank(t, r, k))
        return NAN;
    double lo, hi;
    if (slds_table_interval(t, r, k, &lo, &hi))
        return (lo + hi) / 2; /* drawn mid-interval, labelled as the interval */
    if (slds_table_range(t, r, k, &lo))
        return lo;
    return slds_table_real(t, r, k);
}

/* Trend: proficiency of all students per subject over the loaded years up to
 * the year shown, from one achievement run per year. */
static int trend_chart(web_ctx *c, web_doc *d, place_filter *f, bool public_form, const char *place)
{
    slds_error err = {0};
    int years[MAX_YEARS], ny = 0;
    if (web_catalog_years(c->store, years, MAX_YEARS, &ny, &err))
        return SLDS_OK;
    int shown[TREND_YEARS], ns = 0;
    for (int i = 0; i < ny; i++)
        if (years[i] <= c->year) {
            if (ns == TREND_YEARS)
                memmove(shown, shown + 1, (TREND_YEARS - 1) * sizeof *shown), ns--;
            shown[ns++] = years[i];
        }
    web_series series[6];
    int nser = 0;
    char labels[6][32];
    memset(series, 0, sizeof series);
    for (int s = 0; s < 6; s++)
        for (int i = 0; i < TREND_YEARS; i++)
            series[s].values[i] = NAN;
    for (int i = 0; i < ns; i++) {
        char y[16];
        snprintf(y, sizeof y, "%d", shown[i]);
        const char *an[] = {"year", "grade"}, *av[] = {y, "all"};
        web_report *r;
        int saved = c->year;
        c->year = shown[i];
        int rc = web_report_get(c, "achievement", an, av, 2, public_form, &r, &err);
        c->year = saved;
        if (rc)
            continue;
        const slds_table *t = NULL;
        for (size_t k = 0; k < r->out.n; k++)
            if (!strcmp(slds_table_name(r->out.tables[k]), "achievement"))
                t = r->out.tables[k];
        for (size_t row = 0; t && row < slds_table_nrows(t); row++) {
            if (!keep_place(t, row, f) || strcmp(web_cell(t, row, "subgroup"), "all"))
                continue;
            const char *subject = web_cell(t, row, "subject");
            int s = 0;
            while (s < nser && strcmp(labels[s], subject))
                s++;
            if (s == nser) {
                if (nser == 6)
                    continue;
                snprintf(labels[nser], sizeof labels[nser], "%s", subject);
                series[nser].label = labels[nser];
                nser++;
            }
            bool sup;
            series[s].values[i] = chart_value(t, row, "proficiency_rate", &sup);
            series[s].suppressed[i] = sup;
        }
        web_report_release(c->app, r);
    }
    if (!nser)
        return SLDS_OK;
    char title[256];
    snprintf(title, sizeof title, "Percent proficient, all students, %s", place);
    return web_chart_lines(&d->html, title, shown, ns, series, nser, 0, 100, "%");
}

/* Gaps: per subject, each subgroup pair's gap over the years, from the
 * achievement_gaps table of the year shown (public form when asked). */
static int gap_charts(web_ctx *c, web_doc *d, const slds_table *gaps, place_filter *f)
{
    (void)c;
    if (!gaps)
        return SLDS_OK;
    char subjects[6][32];
    int nsub = 0, years[MAX_YEARS], ny = 0;
    for (size_t r = 0; r < slds_table_nrows(gaps); r++) {
        const char *s = web_cell(gaps, r, "subject");
        int k = 0;
        while (k < nsub && strcmp(subjects[k], s))
            k++;
        if (k == nsub && nsub < 6)
            snprintf(subjects[nsub++], sizeof subjects[0], "%s", s);
        int y = (int)slds_table_integer(gaps, r, slds_table_find_column(gaps, "school_year"));
        int j = 0;
        while (j < ny && years[j] != y)
            j++;
        if (j == ny && ny < MAX_YEARS)
            years[ny++] = y;
    }
    for (int i = 1; i < ny; i++) /* ascending */
        for (int j = i; j > 0 && years[j] < years[j - 1]; j--) {
            int t = years[j];
            years[j] = years[j - 1], years[j - 1] = t;
        }
    int rc = SLDS_OK;
    for (int k = 0; k < nsub && !rc; k++) {
        web_series series[9];
        char labels[9][80];
        int nser = 0;
        memset(series, 0, sizeof series);
        for (size_t r = 0; r < slds_table_nrows(gaps); r++) {
            if (!keep_place(gaps, r, f) || strcmp(web_cell(gaps, r, "subject"), subjects[k]))
                continue;
            char label[80];
            snprintf(label, sizeof label, "%s vs %s", web_cell(gaps, r, "subgroup"),
                     web_cell(gaps, r, "comparison"));
            int s = 0;
            while (s < nser && strcmp(labels[s], label))
                s++;
            if (s == nser) {
                if (nser == 9)
                    continue;
                snprintf(labels[nser], sizeof labels[nser], "%s", label);
                series[nser].label = labels[nser];
                for (int i = 0; i < MAX_YEARS; i++)
                    series[nser].values[i] = NAN;
                nser++;
            }
            int y = (int)slds_table_integer(gaps, r, slds_table_find_column(gaps, "school_year"));
            for (int i = 0; i < ny; i++)
                if (years[i] == y) {
                    bool sup;
                    series[s].values[i] = chart_value(gaps, r, "gap", &sup);
                    series[s].suppressed[i] = sup;
                }
        }
        if (!nser)
            continue;
        char title[256];
        snprintf(title, sizeof title, "%s: proficiency gap between groups (points)", subjects[k]);
        rc = web_chart_lines(&d->html, title, years, ny, series, nser, -20, 60, "");
    }
    return rc;
}

/* Bars: percent proficient by subgroup of the place, year shown, per subject. */
static int subgroup_bars(web_doc *d, const slds_table *t)
{
    if (!t)
        return SLDS_OK;
    int rc = SLDS_OK;
    char subjects[6][32];
    int nsub = 0;
    for (size_t r = 0; r < slds_table_nrows(t); r++) {
        const char *s = web_cell(t, r, "subject");
        int k = 0;
        while (k < nsub && strcmp(subjects[k], s))
            k++;
        if (k == nsub && nsub < 6)
            snprintf(subjects[nsub++], sizeof subjects[0], "%s", s);
    }
    int col = slds_table_find_column(t, "proficiency_rate");
    for (int k = 0; k < nsub && !rc && col >= 0; k++) {
        const char *labels[32], *shown[32];
        double values[32];
        char texts[32][32];
        size_t n = 0;
        for (size_t r = 0; r < slds_table_nrows(t) && n < 32; r++) {
            if (strcmp(web_cell(t, r, "subject"), subjects[k]) || strcmp(web_cell(t, r, "grade"), "all"))
                continue;
            labels[n] = web_cell(t, r, "subgroup");
            bool sup;
            values[n] = chart_value(t, r, "proficiency_rate", &sup);
            slds_table_cell_text(t, r, col, texts[n], sizeof texts[n]);
            if (sup)
                snprintf(texts[n], sizeof texts[n], "* (suppressed)");
            shown[n] = texts[n];
            n++;
        }
        char title[256];
        snprintf(title, sizeof title, "%s: percent proficient by group", subjects[k]);
        rc = web_chart_bars(&d->html, title, labels, values, shown, n, 100);
    }
    return rc;
}

static const slds_table *doc_table(const web_doc *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(slds_table_name(d->tables[i]), name))
            return d->tables[i];
    return NULL;
}

/* ------------------------------------------------------------ report cards */

static const char *level_word(const char *level)
{
    return !strcmp(level, "state") ? "State" : !strcmp(level, "lea") ? "District" : "School";
}

static int finish(web_ctx *c, int rc, const slds_buf *missing, web_doc *d)
{
    if (!rc && missing->len)
        rc = slds_buf_puts(&d->after, "<h2>Not shown</h2><ul>") ||
             slds_buf_append(&d->after, missing->data, missing->len) || slds_buf_puts(&d->after, "</ul>\n");
    if (rc) {
        fprintf(stderr, "slds serve: %s: out of memory or bad table\n", c->rq->path);
        return web_error(c, 500, "The page could not be made.");
    }
    return 200;
}

int web_build_reportcard(web_ctx *c, web_doc *d, const char *level)
{
    web_place p;
    place_filter f;
    int status = resolve_place(c, level, &p, &f);
    if (status != 200)
        return status;
    if (!c->year)
        return web_error(c, 404, "The database has no school year yet.");
    /* A report card is public: suppressed for everyone who needs it, and for
     * roles that see no aggregates (parents, students). */
    bool public_form = web_needs_suppression(&c->who) || !web_may_aggregates(&c->who);
    snprintf(d->title, sizeof d->title, "%s report card: %s, %d", level_word(level),
             strcmp(level, "state") ? p.name : "State", c->year);
    slds_buf missing = {0};
    char y[16];
    snprintf(y, sizeof y, "%d", c->year);
    const char *an[] = {"year", "grade"}, *av[] = {y, "all"};
    int rc = public_form ? slds_buf_printf(&d->html,
                                           "<p>Figures for groups of fewer than %d students are "
                                           "suppressed (<b>*</b>), and so are those that would reveal "
                                           "them; rates near 0%% or 100%% of small groups are shown as "
                                           "ranges, and rates that would reveal a hidden count as "
                                           "intervals (such as 40-45%%).</p>\n",
                                           c->app->min_n)
                         : slds_buf_puts(&d->html, "<p class=\"note\">Shown to you without suppression.</p>\n");
    if (!strcmp(level, "school"))
        rc = rc || slds_buf_puts(&d->html, "<p>District: <a href=\"/districts/") ||
             slds_html_escape(&d->html, p.lea_id) || slds_buf_puts(&d->html, "\">") ||
             slds_html_escape(&d->html, p.lea_name) || slds_buf_puts(&d->html, "</a></p>\n");
    rc = rc || add_report_rows(c, d, "achievement", "achievement", "achievement",
                               "Proficiency and participation by group", an, av, 2, public_form,
                               keep_place, &f, &missing);
    rc = rc || add_report_rows(c, d, "achievement", "achievement_gaps", "achievement_gaps",
                               "Gaps between groups by year", an, av, 2, public_form, keep_place, &f,
                               &missing);
    const char *gn[] = {"year"}, *gv[] = {y};
    rc = rc || add_report_rows(c, d, "growth-aggregates", "growth_aggregates", "growth",
                               "Growth (student growth percentiles)", gn, gv, 1, public_form, keep_place,
                               &f, &missing);
    if (strcmp(level, "school") || !strcmp(p.level, "HIGH")) {
        rc = rc || add_report_rows(c, d, "graduation", "graduation", "graduation",
                                   "Adjusted cohort graduation rate", gn, gv, 1, public_form, keep_place,
                                   &f, &missing);
        rc = rc || add_report_rows(c, d, "college", "college", "college",
                                   "College enrollment within 16 months", gn, gv, 1, public_form,
                                   keep_place, &f, &missing);
    }
    rc = rc || trend_chart(c, d, &f, public_form, strcmp(level, "state") ? p.name : "state");
    rc = rc || gap_charts(c, d, doc_table(d, "achievement_gaps"), &f);
    rc = rc || subgroup_bars(d, doc_table(d, "achievement"));
    status = finish(c, rc, &missing, d);
    slds_buf_free(&missing);
    return status;
}

/* ------------------------------------------------------------ dashboards */

/* Growth by subgroup of the students of one school or district (the growth
 * library computes it for the place; cached with the page). */
static int add_place_subgroups(web_ctx *c, web_doc *d, const char *level, const char *id,
                               slds_buf *missing)
{
    slds_error err = {0};
    slds_table *t = NULL;
    int rc = slds_growthrun_place_subgroups(c->store, c->year, !strcmp(level, "lea") ? "district" : "school",
                                            id, &t, &err);
    if (rc) {
        if (rc == SLDS_ERR_NOMEM)
            return rc;
        return slds_buf_puts(missing, "<li>Growth by subgroup: not available for this year</li>\n");
    }
    if (!slds_table_nrows(t)) {
        slds_table_free(t);
        return slds_buf_puts(missing, "<li>Growth by subgroup: not available for this year</li>\n");
    }
    slds_table *named;
    rc = web_table_filter(t, "growth_subgroups", "Growth by subgroup", NULL, NULL, &named, &err);
    slds_table_free(t);
    return rc ? rc : web_doc_add(d, named, &err);
}

/* Who may open a dashboard: a role with aggregates, and for a district or a
 * school either a role that sees every aggregate without identifying anyone
 * (analysts, researchers) or one whose scope covers it (access decides). */
static int may_dashboard(web_ctx *c, const char *level, const web_place *p)
{
    if (!c->logged_in || !web_may_aggregates(&c->who))
        return 0;
    if (!web_identifiable(&c->who))
        return 1;
    slds_error err = {0};
    int ok;
    if (!strcmp(level, "state"))
        ok = c->who.role == SLDS_ROLE_STATE_ADMIN;
    else if (!strcmp(level, "lea"))
        ok = web_may_lea(c->store, &c->who, p->id, &err);
    else
        ok = web_may_school(c->store, &c->who, p->id, &err);
    if (ok < 0)
        fprintf(stderr, "slds serve: access: %s\n", err.message);
    return ok;
}

int web_build_dashboard(web_ctx *c, web_doc *d, const char *level)
{
    web_place p;
    place_filter f;
    int status = resolve_place(c, level, &p, &f);
    if (status != 200)
        return status;
    int ok = may_dashboard(c, level, &p);
    if (ok <= 0)
        return ok < 0 ? web_error(c, 500, "The page could not be made.") : web_refuse(c);
    if (!c->year)
        return web_error(c, 404, "The database has no school year yet.");
    bool public_form = web_needs_suppression(&c->who) != 0;
    snprintf(d->title, sizeof d->title, "%s dashboard: %s, %d", level_word(level),
             strcmp(level, "state") ? p.name : "State", c->year);
    slds_buf missing = {0};
    char y[16];
    snprintf(y, sizeof y, "%d", c->year);
    const char *an[] = {"year", "grade"}, *av[] = {y, "all"};
    const char *gn[] = {"year"}, *gv[] = {y};
    int rc = slds_buf_puts(&d->html, "<p>");
    if (strcmp(level, "state"))
        rc = rc || slds_buf_puts(&d->html, "<a href=\"") ||
             slds_buf_puts(&d->html, !strcmp(level, "lea") ? "/districts/" : "/schools/") ||
             slds_html_escape(&d->html, p.id) || slds_buf_puts(&d->html, "\">Public report card</a>");
    else
        rc = rc || slds_buf_puts(&d->html, "<a href=\"/state\">Public report card</a>");
    rc = rc || slds_buf_puts(&d->html, "</p>\n");
    rc = rc || add_report_rows(c, d, "achievement", "achievement", "achievement",
                               "Achievement by group", an, av, 2, public_form, keep_place, &f, &missing);
    rc = rc || add_report_rows(c, d, "achievement", "achievement_gaps", "achievement_gaps",
                               "Gaps between groups by year", an, av, 2, public_form, keep_place, &f,
                               &missing);
    rc = rc || add_report_rows(c, d, "growth-aggregates", "growth_aggregates", "growth",
                               "Growth", gn, gv, 1, public_form, keep_place, &f, &missing);
    if (!strcmp(level, "state")) { /* growth by subgroup: the subgroup levels are statewide */
        const char *sn[] = {"year", "level"}, *sv[] = {y, "subgroup"};
        rc = rc || add_report_rows(c, d, "growth-aggregates", "growth_aggregates", "growth_subgroups",
                                   "Growth by subgroup", sn, sv, 2, public_form, NULL, &f, &missing);
    } else if (!public_form) /* within the district or school: computed for the place */
        rc = rc || add_place_subgroups(c, d, level, p.id, &missing);
    /* Educator figures: the distribution of ratings (educator-summary) of the
     * state, or of the district (a school's dashboard shows its district's:
     * ratings are not summarized per school, which would name a principal). */
    {
        const char *en[] = {"year", "level"}, *ev[] = {y, strcmp(level, "state") ? "lea" : NULL};
        place_filter ef = f;
        ef.level = strcmp(level, "state") ? "lea" : "state";
        ef.id = strcmp(level, "state") ? p.lea_id : "state";
        rc = rc || add_report_rows(c, d, "educator-summary", "educator_summary", "educator_ratings",
                                   strcmp(level, "state") ? "Educator ratings in the district"
                                                          : "Educator ratings",
                                   en, ev, strcmp(level, "state") ? 2 : 1, public_form,
                                   strcmp(level, "state") ? keep_place : NULL, &ef, &missing);
    }
    rc = rc || add_report_rows(c, d, "lowest-achieving", "lowest_achieving", "lowest_achieving",
                               "Persistently lowest-achieving schools", gn, gv, 1, public_form,
                               keep_lea_rows, &f, &missing);
    rc = rc || add_report_rows(c, d, "graduation", "graduation", "graduation",
                               "Adjusted cohort graduation rate", gn, gv, 1, public_form, keep_place, &f,
                               &missing);
    /* Data-quality findings: example ids only for the state's admin, who may
     * see every student (a district's findings also name students who have
     * left it since); counts for everyone else. */
    bool examples = c->who.role == SLDS_ROLE_STATE_ADMIN;
    const char *qn[] = {"examples"}, *qv[] = {examples ? "5" : "0"};
    if (!public_form)
        rc = rc || add_report_rows(c, d, "audit", "findings", "findings", "Data-quality findings", qn, qv,
                                   1, false, keep_lea_rows, &f, &missing);
    rc = rc || subgroup_bars(d, doc_table(d, "achievement"));
    rc = rc || gap_charts(c, d, doc_table(d, "achievement_gaps"), &f);
    status = finish(c, rc, &missing, d);
    slds_buf_free(&missing);
    return status;
}

/* ------------------------------------------------------------ students */

int web_admit_student(web_ctx *c)
{
    slds_error err = {0};
    int ok = c->logged_in ? web_may_student(c->store, &c->who, c->param, c->year, &err) : 0;
    if (ok < 0) {
        fprintf(stderr, "slds serve: access: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    return ok ? 200 : web_refuse(c);
}

/* The parent growth chart of src/growthrun, without its page frame. */
static int growth_chart_html(const slds_growth_history *h, slds_buf *out)
{
    slds_buf page = {0};
    slds_error err = {0};
    int rc = slds_buf_reserve(&page, 16384) || slds_buf_reserve(out, 16384) ? SLDS_ERR_NOMEM
                                                                          : slds_growthrun_history_html(h, &page, &err);
    if (!rc) {
        const char *a = strstr(page.data, "<body>"), *b = a ? strstr(a, "</body>") : NULL;
        if (a && b) {
            a += strlen("<body>");
            const char *h1 = strstr(a, "</h1>"); /* our page has its own heading */
            if (h1 && h1 < b)
                a = h1 + strlen("</h1>");
            rc = slds_buf_append(out, a, (size_t)(b - a));
        }
    }
    slds_buf_free(&page);
    return rc;
}

/* The record API's JSON, written once into the document: {"student_id",
 * "sex", then each section by name}, the bytes slds_json_write gives for
 * that object, without building it. Also for a CSV request: a text that is
 * not UTF-8 fails every format of the API, as it did when the object was
 * built for every request. */
static int record_json(const char *student_id, const char *sex, web_doc *d)
{
    slds_buf *b = &d->json_text;
    int rc = slds_buf_reserve(b, 16384) ? SLDS_ERR_NOMEM : SLDS_OK; /* most records: no regrowth */
    rc = rc ? rc : slds_buf_puts(b, "{\n  \"student_id\": ") ? SLDS_ERR_NOMEM : slds_json_string_append(b, student_id);
    rc = rc ? rc : slds_buf_puts(b, ",\n  \"sex\": ");
    rc = rc ? rc : sex ? slds_json_string_append(b, sex) : slds_buf_puts(b, "null");
    for (size_t i = 0; i < d->n && !rc; i++) {
        rc = slds_buf_puts(b, ",\n  ") ? SLDS_ERR_NOMEM : slds_json_string_append(b, slds_table_name(d->tables[i]));
        rc = rc ? rc : slds_buf_puts(b, ": ");
        rc = rc ? rc : slds_table_json_append(d->tables[i], b, 1);
    }
    return rc ? rc : slds_buf_puts(b, "\n}\n");
}

int web_build_student(web_ctx *c, web_doc *d)
{
    slds_error err = {0};
    slds_record *rec;
    int rc = slds_record_get(c->store, c->param, &rec, &err);
    if (rc == SLDS_ERR_NOTFOUND)
        return web_error(c, 404, "There is no such student.");
    if (rc) {
        fprintf(stderr, "slds serve: record: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    snprintf(d->title, sizeof d->title, "Student %s", rec->student_id);
    /* The sections become the document's tables as they are (the record
     * gives them up: no copy). */
    for (size_t i = 0; i < rec->n_sections && !rc; i++) {
        rc = web_doc_add(d, rec->sections[i], &err);
        rec->sections[i] = NULL;
    }
    if (!rc && c->kind == WEB_API)
        rc = record_json(rec->student_id, rec->sex, d);
    if (!rc && c->kind == WEB_PAGE) {
        slds_growth_history *h;
        rc = slds_buf_puts(&d->html, "<p>Sex: ") || slds_html_escape(&d->html, rec->sex ? rec->sex : "unknown") ||
             slds_buf_puts(&d->html, ". The record is shown by statewide id; names and birth dates "
                                     "are not shown.</p>\n");
        int hr = slds_growthrun_history(c->store, c->param, &h, &err);
        if (!hr) {
            rc = rc || slds_buf_puts(&d->html, "<h2>Growth</h2>\n") || growth_chart_html(h, &d->html);
            slds_growthrun_history_free(h);
        } else
            rc = rc || slds_buf_puts(&d->html, "<p class=\"note\">No growth results for this student.</p>\n");
    }
    slds_record_free(rec);
    if (rc) {
        fprintf(stderr, "slds serve: student page: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    return 200;
}

int web_build_growth(web_ctx *c, web_doc *d)
{
    slds_error err = {0};
    slds_growth_history *h;
    int rc = slds_growthrun_history(c->store, c->param, &h, &err);
    if (rc == SLDS_ERR_NOTFOUND)
        return web_error(c, 404, "No growth results for this student.");
    if (rc) {
        fprintf(stderr, "slds serve: growth: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    slds_table *t;
    rc = slds_growthrun_history_table(h, &t, &err);
    rc = rc ? rc : web_doc_add(d, t, &err);
    if (!rc && !(d->json = slds_growthrun_history_json(h)))
        rc = SLDS_ERR_NOMEM;
    slds_growthrun_history_free(h);
    snprintf(d->title, sizeof d->title, "Growth of student %s", c->param);
    return rc ? web_error(c, 500, "The page could not be made.") : 200;
}

/* ------------------------------------------------------------ teachers */

static int evaluation_row(void *ctx, const slds_educator_row *row)
{
    slds_error err = {0};
    return slds_educator_show_add(ctx, row, &err);
}

static bool keep_flagged(const slds_table *t, size_t row, void *ctx)
{
    (void)t;
    return ((const char *)ctx)[row] != 0;
}

int web_build_class(web_ctx *c, web_doc *d)
{
    slds_error err = {0};
    if (!c->logged_in)
        return web_refuse(c);
    int ok = web_may_staff(c->store, &c->who, c->param, c->year, &err);
    if (ok < 0) {
        fprintf(stderr, "slds serve: access: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    if (!ok)
        return web_refuse(c);
    slds_table *all, *t = NULL;
    int rc = web_class_table(c->store, c->param, c->year, &all, &err);
    if (!rc) { /* every row again through access: a roster may name a student enrolled elsewhere */
        size_t n = slds_table_nrows(all);
        char *keep = calloc(n ? n : 1, 1);
        for (size_t r = 0; keep && r < n; r++)
            keep[r] = (char)(web_may_student(c->store, &c->who, web_cell(all, r, "student_id"),
                                             c->year, &err) == 1);
        rc = keep ? web_table_filter(all, NULL, NULL, keep_flagged, keep, &t, &err)
                  : slds_fail(&err, SLDS_ERR_NOMEM, "out of memory");
        free(keep);
        slds_table_free(all);
    }
    if (rc) {
        fprintf(stderr, "slds serve: class: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    rc = web_doc_add(d, t, &err);
    slds_table *ev;
    if (!rc && !slds_educator_show_table(&ev, &err)) {
        if (slds_educator_show(c->store, c->year, c->param, evaluation_row, ev, &err) == SLDS_OK)
            rc = web_doc_add(d, ev, &err);
        else
            slds_table_free(ev);
    }
    snprintf(d->title, sizeof d->title, "Class of %s, %d", c->param, c->year);
    if (!rc && c->kind == WEB_PAGE && d->n) {
        const slds_table *cl = d->tables[0];
        rc = slds_buf_puts(&d->html, "<p>Each student's latest state test score, growth percentile "
                                     "(SGP), growth target and whether the student is on track; "
                                     "attendance below 90% and disciplinary actions this year are "
                                     "flagged.</p>\n<p>Student pages:");
        const char *last = "";
        for (size_t r = 0; r < slds_table_nrows(cl) && !rc; r++) {
            const char *id = web_cell(cl, r, "student_id");
            if (!strcmp(id, last))
                continue;
            last = id;
            rc = slds_buf_puts(&d->html, " <a href=\"/students/") || slds_html_escape(&d->html, id) ||
                 slds_buf_puts(&d->html, "\">") || slds_html_escape(&d->html, id) ||
                 slds_buf_puts(&d->html, "</a>");
        }
        rc = rc || slds_buf_puts(&d->html, "</p>\n");
    }
    return rc ? web_error(c, 500, "The page could not be made.") : 200;
}

/* ------------------------------------------------------------ home and me */

int web_build_home(web_ctx *c, web_doc *d)
{
    slds_error err = {0};
    slds_table *t;
    if (web_catalog_directory(c->store, &t, &err)) {
        fprintf(stderr, "slds serve: directory: %s\n", err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    snprintf(d->title, sizeof d->title, "Statewide longitudinal data system");
    int rc = web_doc_add(d, t, &err);
    rc = rc || slds_buf_puts(&d->html, "<p>Report cards of the state, its districts and schools. "
                                       "Staff, parents and students: <a href=\"/login\">log in</a> "
                                       "for dashboards and records.</p>\n<ul class=\"links\">"
                                       "<li><a href=\"/state\">State report card</a></li>\n");
    const char *last = "";
    for (size_t r = 0; r < slds_table_nrows(t) && !rc; r++) {
        const char *lea = web_cell(t, r, "lea_id"), *school = web_cell(t, r, "school_id");
        if (strcmp(lea, last)) {
            rc = slds_buf_puts(&d->html, *last ? "</ul></li>\n" : "") ||
                 slds_buf_puts(&d->html, "<li><a href=\"/districts/") || slds_html_escape(&d->html, lea) ||
                 slds_buf_puts(&d->html, "\">") || slds_html_escape(&d->html, web_cell(t, r, "lea_name")) ||
                 slds_buf_puts(&d->html, "</a><ul>\n");
            last = lea;
        }
        if (*school)
            rc = rc || slds_buf_puts(&d->html, "<li><a href=\"/schools/") ||
                 slds_html_escape(&d->html, school) || slds_buf_puts(&d->html, "\">") ||
                 slds_html_escape(&d->html, web_cell(t, r, "school_name")) ||
                 slds_buf_puts(&d->html, "</a></li>\n");
    }
    rc = rc || slds_buf_puts(&d->html, *last ? "</ul></li></ul>\n" : "</ul>\n");
    d->no_tables_html = true;
    rc = rc || slds_buf_puts(&d->after, "<p class=\"csv\"><a href=\"/?format=csv&amp;table=schools\" "
                                        "download>Download the list as CSV</a></p>\n");
    return rc ? web_error(c, 500, "The page could not be made.") : 200;
}

/* Where a role starts: its own pages (the scope ids are the user's own). */
static int my_links(web_ctx *c, slds_buf *b)
{
    int rc = slds_buf_puts(b, "<ul class=\"links\">\n");
    const slds_principal *w = &c->who;
    if (w->role == SLDS_ROLE_STATE_ADMIN || w->role == SLDS_ROLE_STATE_ANALYST ||
        w->role == SLDS_ROLE_RESEARCHER)
        rc = rc || slds_buf_puts(b, "<li><a href=\"/state/dashboard\">State dashboard</a></li>\n");
    for (size_t i = 0; i < w->n_scopes && !rc; i++) {
        const char *id = w->scopes[i], *pre = NULL, *post = "", *what = "";
        switch (w->role) {
        case SLDS_ROLE_DISTRICT: pre = "/districts/", post = "/dashboard", what = "District dashboard "; break;
        case SLDS_ROLE_PRINCIPAL: pre = "/schools/", post = "/dashboard", what = "School dashboard "; break;
        case SLDS_ROLE_TEACHER: pre = "/teachers/", post = "/class", what = "My class "; break;
        case SLDS_ROLE_PARENT:
        case SLDS_ROLE_STUDENT: pre = "/students/", what = "Student "; break;
        default: break;
        }
        if (pre)
            rc = slds_buf_puts(b, "<li><a href=\"") || slds_buf_puts(b, pre) || slds_html_escape(b, id) ||
                 slds_buf_puts(b, post) || slds_buf_puts(b, "\">") || slds_buf_puts(b, what) ||
                 slds_html_escape(b, id) || slds_buf_puts(b, "</a></li>\n");
    }
    return rc || slds_buf_puts(b, "</ul>\n");
}

/* The students the requester may see this year (access's list), a page of
 * them: ?offset= and ?limit= (default 1000, at most 100000). */
static int add_visible(web_ctx *c, web_doc *d)
{
    if (!web_identifiable(&c->who) || !c->year)
        return SLDS_OK;
    const char *o = web_arg(c, "offset"), *l = web_arg(c, "limit");
    long long offset = o ? atoll(o) : 0, limit = l ? atoll(l) : 1000;
    if (offset < 0)
        offset = 0;
    if (limit < 1 || limit > 100000)
        limit = limit < 1 ? 1 : 100000;
    slds_error err = {0};
    slds_table *t;
    int rc = web_visible_students(c->store, &c->who, c->year, (size_t)offset, (size_t)limit, &t, &err);
    if (rc) {
        fprintf(stderr, "slds serve: visible students: %s\n", err.message);
        return rc;
    }
    return web_doc_add(d, t, &err);
}

int web_build_me(web_ctx *c, web_doc *d)
{
    if (!c->logged_in)
        return web_refuse(c);
    snprintf(d->title, sizeof d->title, "%s", c->who.username);
    if (c->kind == WEB_API) {
        json_t *scopes = json_array();
        for (size_t i = 0; scopes && i < c->who.n_scopes; i++)
            json_array_append_new(scopes, json_string(c->who.scopes[i]));
        d->json = json_pack("{s:s,s:s,s:o,s:i}", "username", c->who.username, "role",
                            web_role_name(c->who.role), "scopes", scopes ? scopes : json_array(),
                            "school_year", c->year);
        return d->json ? 200 : web_error(c, 500, "The page could not be made.");
    }
    int rc = slds_buf_puts(&d->html, "<p>Role: ") || slds_html_escape(&d->html, web_role_name(c->who.role)) ||
             slds_buf_printf(&d->html, "; school year %d.</p>\n", c->year) || my_links(c, &d->html);
    rc = rc || add_visible(c, d);
    if (!rc && d->n) {
        const slds_table *t = d->tables[0];
        rc = slds_buf_puts(&d->after, "<h2>Student pages</h2><p>");
        for (size_t r = 0; r < slds_table_nrows(t) && !rc; r++) {
            const char *id = web_cell(t, r, "student_id");
            rc = slds_buf_puts(&d->after, " <a href=\"/students/") || slds_html_escape(&d->after, id) ||
                 slds_buf_puts(&d->after, "\">") || slds_html_escape(&d->after, id) ||
                 slds_buf_puts(&d->after, "</a>");
        }
        rc = rc || slds_buf_puts(&d->after, "</p>\n");
    }
    return rc ? web_error(c, 500, "The page could not be made.") : 200;
}

int web_build_my_students(web_ctx *c, web_doc *d)
{
    if (!c->logged_in)
        return web_refuse(c);
    snprintf(d->title, sizeof d->title, "My students");
    if (add_visible(c, d))
        return web_error(c, 500, "The page could not be made.");
    if (!d->n) { /* a role without identifiable access: an empty list */
        static const slds_column_spec cols[] = {{.name = "student_id", .type = SLDS_CELL_TEXT}};
        slds_table *t;
        slds_error err = {0};
        if (slds_table_new(&t, "students", "Students", cols, 1, &err) || web_doc_add(d, t, &err))
            return web_error(c, 500, "The page could not be made.");
    }
    return 200;
}
