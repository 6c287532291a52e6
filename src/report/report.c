/* report.c - the report registry (report.h): the table of reports, the
 * checking of parameters, public-reporting suppression applied once to every
 * table of a public run, and the reports that exist today (audit,
 * growth-aggregates). A new report is a function and a row of `reports`. */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "audit/audit.h"
#include "educator/educator.h"
#include "growthrun/growthrun.h"
#include "mastery/mastery.h"
#include "warn/warn.h"

/* ------------------------------------------------------------ arguments */

const char *slds_report_arg(const slds_report_args *a, const char *name)
{
    for (size_t i = 0; a && i < a->n; i++)
        if (!strcmp(a->names[i], name))
            return a->values[i];
    return NULL;
}

long long slds_report_arg_integer(const slds_report_args *a, const char *name, long long dflt)
{
    const char *v = slds_report_arg(a, name);
    return v ? strtoll(v, NULL, 10) : dflt;
}

double slds_report_arg_real(const slds_report_args *a, const char *name, double dflt)
{
    const char *v = slds_report_arg(a, name);
    return v ? strtod(v, NULL) : dflt;
}

static bool valid_value(slds_param_type type, const char *v)
{
    char *end;
    errno = 0;
    if (type == SLDS_PARAM_INTEGER)
        (void)strtoll(v, &end, 10);
    else if (type == SLDS_PARAM_REAL) {
        double d = strtod(v, &end);
        if (!isfinite(d))
            return false;
    } else
        return *v != '\0';
    return *v && !*end && !errno;
}

static int check_args(const slds_report_def *def, const slds_report_args *args, slds_error *err)
{
    for (size_t i = 0; args && i < args->n; i++) {
        const slds_report_param *p = NULL;
        for (int k = 0; k < def->nparams; k++)
            if (!strcmp(def->params[k].name, args->names[i]))
                p = &def->params[k];
        if (!p)
            return slds_fail(err, SLDS_ERR_USAGE, "report %s has no parameter --%s", def->name,
                             args->names[i]);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(args->names[j], args->names[i]))
                return slds_fail(err, SLDS_ERR_USAGE, "report %s: --%s given twice", def->name,
                                 p->name);
        if (!valid_value(p->type, args->values[i]))
            return slds_fail(err, SLDS_ERR_USAGE, "report %s: --%s '%s' is not %s", def->name,
                             p->name, args->values[i],
                             p->type == SLDS_PARAM_INTEGER ? "a whole number"
                             : p->type == SLDS_PARAM_REAL  ? "a number"
                                                           : "a text");
    }
    for (int k = 0; k < def->nparams; k++)
        if (def->params[k].required && !slds_report_arg(args, def->params[k].name))
            return slds_fail(err, SLDS_ERR_USAGE, "report %s needs --%s", def->name,
                             def->params[k].name);
    return SLDS_OK;
}

/* --------------------------------------------------------------- output */

int slds_report_output_add(slds_report_output *out, slds_table *t, slds_error *err)
{
    slds_table **tables = realloc(out->tables, (out->n + 1) * sizeof *tables);
    if (!tables) {
        slds_table_free(t);
        return slds_fail(err, SLDS_ERR_NOMEM, "report: out of memory");
    }
    out->tables = tables;
    out->tables[out->n++] = t;
    return SLDS_OK;
}

void slds_report_output_free(slds_report_output *out)
{
    for (size_t i = 0; i < out->n; i++)
        slds_table_free(out->tables[i]);
    free(out->tables);
    slds_buf_free(&out->figure);
    slds_buf_free(&out->html);
    *out = (slds_report_output){0};
}

int slds_report_output_write(const char *name, const slds_report_output *out, slds_format fmt, FILE *f,
                             slds_error *err)
{
    bool page = fmt == SLDS_FORMAT_HTML && out->figure.len;
    if (page) /* a page a school board can open: the charts, then the tables */
        fprintf(f,
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n"
                "<style>body{font-family:sans-serif;max-width:60em;margin:1em auto;color:#222}"
                "table{border-collapse:collapse;font-size:80%%}td,th{border:1px solid #ccc;padding:2px 4px}"
                "td{text-align:right}</style></head><body>\n<h1>%s</h1>\n%s",
                name, name, out->figure.data);
    if (fmt == SLDS_FORMAT_HTML && out->html.len)
        fputs(out->html.data, f); /* the report's charts, then its tables */
    int rc = slds_tables_write(out->tables, out->n, fmt, f, err);
    if (page && !rc)
        fputs("</body></html>\n", f);
    return rc;
}

/* -------------------------------------------------------------- reports */

static int report_audit(slds_store *s, const slds_report_args *args, slds_report_output *out,
                        slds_error *err)
{
    slds_audit_options o;
    slds_audit_options_default(&o);
    o.max_examples = (int)slds_report_arg_integer(args, "examples", o.max_examples);
    o.jump_sd = slds_report_arg_real(args, "jump-sd", o.jump_sd);
    o.max_days_enrolled = slds_report_arg_real(args, "max-days", o.max_days_enrolled);
    if (o.max_examples < 0 || o.max_examples > 1000 || !(o.jump_sd > 0) || !(o.max_days_enrolled > 0))
        return slds_fail(err, SLDS_ERR_USAGE,
                         "report audit: --examples is 0-1000, --jump-sd and --max-days above 0");
    slds_audit_report *r;
    int rc = slds_audit_run(s, &o, &r, err);
    if (rc)
        return rc;
    slds_table *findings, *elements;
    rc = slds_audit_tables(r, &findings, &elements, err);
    slds_audit_report_free(r);
    if (rc)
        return rc;
    if ((rc = slds_report_output_add(out, findings, err))) {
        slds_table_free(elements);
        return rc;
    }
    return slds_report_output_add(out, elements, err);
}

static int report_growth_aggregates(slds_store *s, const slds_report_args *args,
                                    slds_report_output *out, slds_error *err)
{
    slds_table *t;
    int rc = slds_growthrun_aggregates_tables(s, (int)slds_report_arg_integer(args, "year", 0),
                                              slds_report_arg(args, "subject"),
                                              slds_report_arg(args, "level"), &t, err);
    return rc ? rc : slds_report_output_add(out, t, err);
}

/* Reports of src/account (account-a): the tables of an account function moved into out. */
static int take_account_tables(slds_account_tables *tabs, slds_report_output *out, int rc,
                               slds_error *err)
{
    for (size_t i = 0; i < tabs->n; i++) {
        if (!rc)
            rc = slds_report_output_add(out, tabs->t[i], err);
        else
            slds_table_free(tabs->t[i]);
    }
    free(tabs->t);
    *tabs = (slds_account_tables){0};
    return rc;
}

static int report_graduation(slds_store *s, const slds_report_args *args, slds_report_output *out,
                             slds_error *err)
{
    slds_account_filter f = {slds_report_arg(args, "level"), slds_report_arg(args, "subgroup")};
    slds_account_tables tabs = {0};
    int rc = slds_account_graduation(s, (int)slds_report_arg_integer(args, "year", 0), &f, &tabs,
                                     &out->html, err);
    return take_account_tables(&tabs, out, rc, err);
}

static int report_college(slds_store *s, const slds_report_args *args, slds_report_output *out,
                          slds_error *err)
{
    slds_account_filter f = {slds_report_arg(args, "level"), slds_report_arg(args, "subgroup")};
    slds_account_tables tabs = {0};
    int rc = slds_account_college(s, (int)slds_report_arg_integer(args, "year", 0),
                                  slds_report_arg_real(args, "credits", 30), &f, &tabs, &out->html, err);
    return take_account_tables(&tabs, out, rc, err);
}

static const slds_report_param college_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "the school year of graduation"},
    {"credits", SLDS_PARAM_REAL, false, "a year's worth of college credit (default 30)"},
    {"level", SLDS_PARAM_TEXT, false, "state, lea or school (default: all three)"},
    {"subgroup", SLDS_PARAM_TEXT, false, "one subgroup, as for graduation (default: every subgroup)"}};

static int report_lowest(slds_store *s, const slds_report_args *args, slds_report_output *out,
                         slds_error *err)
{
    slds_account_lowest_options o;
    slds_account_lowest_options_default(&o);
    o.years = (int)slds_report_arg_integer(args, "years", o.years);
    o.progress_weight = slds_report_arg_real(args, "progress-weight", o.progress_weight);
    o.grad_threshold = slds_report_arg_real(args, "grad-threshold", o.grad_threshold);
    o.eligible_poverty = slds_report_arg_real(args, "eligible-poverty", o.eligible_poverty);
    o.proficient_level = (int)slds_report_arg_integer(args, "proficient-level", o.proficient_level);
    o.lowest_percent = slds_report_arg_real(args, "percent", o.lowest_percent);
    o.lowest_count = (int)slds_report_arg_integer(args, "count", o.lowest_count);
    if (slds_report_arg(args, "subjects"))
        o.subjects = slds_report_arg(args, "subjects");
    slds_account_tables tabs = {0};
    int rc = slds_account_lowest(s, (int)slds_report_arg_integer(args, "year", 0), &o, &tabs,
                                 &out->html, err);
    return take_account_tables(&tabs, out, rc, err);
}

static const slds_report_param lowest_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "the last school year of the window"},
    {"years", SLDS_PARAM_INTEGER, false, "years in the window (default 3)"},
    {"progress-weight", SLDS_PARAM_REAL, false,
     "score = proficiency + weight x progress (default 0.5; 0 ranks on proficiency alone)"},
    {"grad-threshold", SLDS_PARAM_REAL, false, "graduation rate below this in every class (default 60)"},
    {"eligible-poverty", SLDS_PARAM_REAL, false, "Title I eligibility poverty percent (default 35, or the district's)"},
    {"proficient-level", SLDS_PARAM_INTEGER, false, "lowest proficient performance level (default 3)"},
    {"percent", SLDS_PARAM_REAL, false, "the lowest this percent of schools (default 5)"},
    {"count", SLDS_PARAM_INTEGER, false, "or this many, whichever is more (default 5)"},
    {"subjects", SLDS_PARAM_TEXT, false, "reading and mathematics codes (default ELA,READING,MATH,MATHEMATICS)"}};

/* Reports of src/account (account-b), adapted to the registry here so that
 * src/account does not depend on src/report. */
static const slds_report_param achievement_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "school year reported (gaps and trends: every loaded year up to it)"},
    {"subject", SLDS_PARAM_TEXT, false, "only this subject (default: every subject)"},
    {"level", SLDS_PARAM_TEXT, false, "state, lea or school (default: every level)"},
    {"subgroup", SLDS_PARAM_TEXT, false, "only this subgroup (all, econ_disadvantaged, BLACK, ...; default: every one)"},
    {"grade", SLDS_PARAM_TEXT, false, "all (every grade together) or one grade (PK, KG, 01-12); default: all and each grade"},
    {"proficient-level", SLDS_PARAM_INTEGER, false, "performance level counted as proficient and above (default 3)"},
    {"test-type", SLDS_PARAM_TEXT, false, "assessments counted (default STATE)"},
};

static int report_achievement(slds_store *s, const slds_report_args *args, slds_report_output *out,
                              slds_error *err)
{
    slds_account_achievement_request q = {.year = (int)slds_report_arg_integer(args, "year", 0),
                                          .subject = slds_report_arg(args, "subject"),
                                          .level = slds_report_arg(args, "level"),
                                          .subgroup = slds_report_arg(args, "subgroup"),
                                          .grade = slds_report_arg(args, "grade"),
                                          .cache = args ? args->cube_cache : NULL};
    slds_account_options_default(&q.options);
    q.options.proficient_level =
        (int)slds_report_arg_integer(args, "proficient-level", q.options.proficient_level);
    if (slds_report_arg(args, "test-type"))
        q.options.test_type = slds_report_arg(args, "test-type");
    slds_account_tables tabs = {0};
    int rc = slds_account_achievement(s, &q, &tabs, err);
    return take_account_tables(&tabs, out, rc, err);
}

static int figure_achievement(slds_report_output *out, slds_error *err)
{
    return slds_account_achievement_figure(out->tables, out->n, &out->figure, err);
}

static int report_competes(slds_store *s, const slds_report_args *args, slds_report_output *out,
                           slds_error *err)
{
    (void)args;
    slds_account_tables tabs = {0};
    int rc = slds_account_competes(s, &tabs, err);
    return take_account_tables(&tabs, out, rc, err);
}

static const slds_report_param measures_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "school year reported"},
    {"baseline-year", SLDS_PARAM_INTEGER, false, "year of the baseline figures (default: the first loaded year)"},
    {"targets", SLDS_PARAM_TEXT, false, "CSV of annual targets: measure_id,school_year,target"},
};

static int report_measures(slds_store *s, const slds_report_args *args, slds_report_output *out,
                           slds_error *err)
{
    slds_account_tables tabs = {0};
    int rc = slds_account_measures(s, (int)slds_report_arg_integer(args, "year", 0),
                                   (int)slds_report_arg_integer(args, "baseline-year", 0),
                                   slds_report_arg(args, "targets"), args ? args->cube_cache : NULL,
                                   &tabs, err);
    return take_account_tables(&tabs, out, rc, err);
}

/* Reports of src/account (account9): funding, equity, preparation. */
static const slds_report_param funding_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "school (fiscal) year of finance.csv"},
    {"level", SLDS_PARAM_TEXT, false, "state, lea or school (default: all three)"},
    {"high-need-count", SLDS_PARAM_REAL, false, "high-need district: at least this many children in poverty (default 10000)"},
    {"high-need-percent", SLDS_PARAM_REAL, false, "... or at least this percent of the children served (default 20)"},
};

static int report_funding(slds_store *s, const slds_report_args *args, slds_report_output *out,
                          slds_error *err)
{
    slds_account_funding_options o;
    slds_account_funding_options_default(&o);
    o.year = (int)slds_report_arg_integer(args, "year", 0);
    o.level = slds_report_arg(args, "level");
    o.high_need_count = slds_report_arg_real(args, "high-need-count", o.high_need_count);
    o.high_need_percent = slds_report_arg_real(args, "high-need-percent", o.high_need_percent);
    slds_account_tables tabs = {0};
    int rc = slds_account_funding(s, &o, &tabs, &out->html, err);
    return take_account_tables(&tabs, out, rc, err);
}

static const slds_report_param equity_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "school year of the ratings (slds educators run)"},
    {"level", SLDS_PARAM_TEXT, false, "state or lea (default: both)"},
    {"highly-effective", SLDS_PARAM_TEXT, false, "rating labels counted highly effective (default: Highly Effective, Significantly Above Expectations)"},
    {"effective", SLDS_PARAM_TEXT, false, "rating labels counted effective or better (default: Effective, Highly Effective, At/Above/Significantly Above Expectations)"},
    {"ineffective", SLDS_PARAM_TEXT, false, "rating labels counted ineffective (default: Ineffective, Significantly Below Expectations)"},
};

static int report_equity(slds_store *s, const slds_report_args *args, slds_report_output *out,
                         slds_error *err)
{
    slds_account_equity_options o;
    slds_account_equity_options_default(&o);
    o.year = (int)slds_report_arg_integer(args, "year", 0);
    o.level = slds_report_arg(args, "level");
    if (slds_report_arg(args, "highly-effective"))
        o.highly_effective = slds_report_arg(args, "highly-effective");
    if (slds_report_arg(args, "effective"))
        o.effective = slds_report_arg(args, "effective");
    if (slds_report_arg(args, "ineffective"))
        o.ineffective = slds_report_arg(args, "ineffective");
    slds_account_tables tabs = {0};
    int rc = slds_account_equity(s, &o, &tabs, err);
    return take_account_tables(&tabs, out, rc, err);
}

static int figure_equity(slds_report_output *out, slds_error *err)
{
    return slds_account_equity_figure(out->tables, out->n, &out->figure, err);
}

static const slds_report_param preparation_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "the last school year of the window"},
    {"years", SLDS_PARAM_INTEGER, false, "years pooled (default 3)"},
    {"new-years", SLDS_PARAM_INTEGER, false, "new educators: experience below this (default 3, the first three years)"},
    {"min-teachers", SLDS_PARAM_INTEGER, false, "fewer educators pooled: no figure (default 25)"},
    {"effective", SLDS_PARAM_TEXT, false, "rating labels counted effective or better (default as equity)"},
};

static int report_preparation(slds_store *s, const slds_report_args *args, slds_report_output *out,
                              slds_error *err)
{
    slds_account_preparation_options o;
    slds_account_preparation_options_default(&o);
    o.year = (int)slds_report_arg_integer(args, "year", 0);
    o.years = (int)slds_report_arg_integer(args, "years", o.years);
    o.new_years = (int)slds_report_arg_integer(args, "new-years", o.new_years);
    o.min_teachers = (int)slds_report_arg_integer(args, "min-teachers", o.min_teachers);
    if (slds_report_arg(args, "effective"))
        o.effective = slds_report_arg(args, "effective");
    slds_account_tables tabs = {0};
    int rc = slds_account_preparation(s, &o, &tabs, err);
    return take_account_tables(&tabs, out, rc, err);
}

static const slds_report_param graduation_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "the school year in which the cohort graduates on time"},
    {"level", SLDS_PARAM_TEXT, false, "state, lea or school (default: all three)"},
    {"subgroup", SLDS_PARAM_TEXT, false,
     "all, econ_disadvantaged, not_econ_disadvantaged, disability, english_learner or race:CODE "
     "(default: every subgroup)"}};

static const slds_report_param audit_params[] = {
    {"examples", SLDS_PARAM_INTEGER, false, "example keys per finding (default 5; 0 for none)"},
    {"jump-sd", SLDS_PARAM_REAL, false, "flag score changes more than X SDs from the mean (default 4)"},
    {"max-days", SLDS_PARAM_REAL, false, "flag attendance with days_enrolled above N (default 200)"}};

static const slds_report_param growth_aggregate_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "school year (the year in which it ends)"},
    {"subject", SLDS_PARAM_TEXT, false, "only this subject (default: every subject)"},
    {"level", SLDS_PARAM_TEXT, false,
     "state, district, school, teacher, subgroup or one subgroup (default: every level)"}};

/* mastery-progression (src/mastery): the summary of students eligible to move on. */
static const slds_report_param mastery_progression_params[] = {
    {"year", SLDS_PARAM_INTEGER, false, "school year of enrollment (default: the latest)"},
    {"subject", SLDS_PARAM_TEXT, false, "one subject (default: every subject)"},
    {"threshold", SLDS_PARAM_REAL, false, "P(mastery) at which a standard is mastered (default 0.95)"}};

static int report_mastery_progression(slds_store *s, const slds_report_args *args,
                                      slds_report_output *out, slds_error *err)
{
    double threshold = slds_report_arg_real(args, "threshold", SLDS_MASTERY_THRESHOLD);
    if (!(threshold > 0 && threshold < 1))
        return slds_fail(err, SLDS_ERR_USAGE, "report mastery-progression: --threshold is in (0, 1)");
    slds_table *t;
    int rc = slds_mastery_progression_summary(s, (int)slds_report_arg_integer(args, "year", 0),
                                              slds_report_arg(args, "subject"), threshold, &t, err);
    return rc ? rc : slds_report_output_add(out, t, err);
}

/* early-warning (src/warn, docs/warn.md) */
static const slds_report_param warn_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "school year of a `slds warn run`"},
    {"level", SLDS_PARAM_TEXT, false, "school (default), district or state"},
};

static int report_warn(slds_store *s, const slds_report_args *args, slds_report_output *out, slds_error *err)
{
    slds_table *t;
    int rc = slds_warn_flag_rates(s, (int)slds_report_arg_integer(args, "year", 0), slds_report_arg(args, "level"),
                                  &t, err);
    return rc ? rc : slds_report_output_add(out, t, err);
}

/* Reports of src/educator (issue 8): rating distributions and the (D)(2) measures. */
static int report_educator_summary(slds_store *s, const slds_report_args *args,
                                   slds_report_output *out, slds_error *err)
{
    slds_table *t;
    int rc = slds_educator_summary_table(s, (int)slds_report_arg_integer(args, "year", 0),
                                         slds_report_arg(args, "role"),
                                         slds_report_arg(args, "level"), &t, err);
    return rc ? rc : slds_report_output_add(out, t, err);
}

static int report_d2_measures(slds_store *s, const slds_report_args *args,
                              slds_report_output *out, slds_error *err)
{
    slds_table *t[2];
    int rc = slds_educator_d2_tables(s, (int)slds_report_arg_integer(args, "year", 0), t, err);
    if (rc)
        return rc;
    rc = slds_report_output_add(out, t[0], err);
    if (rc) {
        slds_table_free(t[1]);
        return rc;
    }
    return slds_report_output_add(out, t[1], err);
}

static const slds_report_param educator_summary_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "the school year rated (slds educators run with a rating configuration)"},
    {"role", SLDS_PARAM_TEXT, false, "TEACHER or PRINCIPAL (default: both)"},
    {"level", SLDS_PARAM_TEXT, false, "state or lea (default: both)"}};

static const slds_report_param d2_measures_params[] = {
    {"year", SLDS_PARAM_INTEGER, true, "the academic year evaluated (the notice's \"prior academic year\")"}};

static const slds_report_def reports[] = {
    {"audit", "data quality by file and district; America COMPETES elements and the (C)(1) score",
     audit_params, 3, false, report_audit, NULL},
    {"growth-aggregates",
     "median and mean SGP and grade-level gains by state, district, school, teacher and subgroup",
     growth_aggregate_params, 3, true, report_growth_aggregates, NULL},
    {"graduation", "four- and five-year adjusted cohort graduation rates (34 CFR 200.19(b)(1))",
     graduation_params, 3, true, report_graduation, NULL},
    {"college", "college enrollment within 16 months of graduation, 2-/4-year, remedial, credits",
     college_params, 4, true, report_college, NULL},
    {"lowest-achieving", "persistently lowest-achieving schools, intervention models, the transformation rule",
     lowest_params, 9, true, report_lowest, NULL},
    {"achievement", "proficiency, participation, not tested by reason, subgroup gaps and their trend (A)(3)(ii)",
     achievement_params, 7, true, report_achievement, figure_achievement},
    {"competes", "the 12 America COMPETES Act elements the data supports and the (C)(1) score (from the audit)",
     NULL, 0, true, report_competes, NULL},
    {"performance-measures", "the notice's Appendix A performance measures: baseline, annual target (CSV) and actual",
     measures_params, 3, true, report_measures, NULL},
    {"funding", "(F)(1)(ii): expenditure per pupil, high-need against other districts, high-poverty against other schools",
     funding_params, 4, true, report_funding, NULL},
    {"equity", "(D)(3): effective teachers and principals in high- and low-poverty/minority schools, by subject, seen from students",
     equity_params, 5, true, report_equity, figure_equity},
    {"preparation", "(D)(4): growth and achievement of new educators' students by preparation program and route",
     preparation_params, 5, true, report_preparation, NULL},
    {"mastery-progression", "students who mastered every standard of their grade in a subject (eligible to move on), by state, district and school",
     mastery_progression_params, 3, true, report_mastery_progression, NULL},
    {"early-warning", "ABC early-warning flag rates and high-risk shares by school or district and subgroup",
     warn_params, 2, true, report_warn, NULL},
    {"educator-summary", "ratings of teachers and principals by district and for the state (D)(2)", educator_summary_params, 3, true, report_educator_summary, NULL},
    {"d2-measures", "the notice's Appendix A (D)(2) measures: LEAs measuring growth, qualifying evaluations, their uses", d2_measures_params, 1, true, report_d2_measures, NULL},
};

#define NREPORTS (sizeof reports / sizeof reports[0])

const slds_report_def *slds_report_list(size_t *n)
{
    *n = NREPORTS;
    return reports;
}

const slds_report_def *slds_report_find(const char *name)
{
    for (size_t i = 0; name && i < NREPORTS; i++)
        if (!strcmp(reports[i].name, name))
            return &reports[i];
    return NULL;
}

int slds_report_run(slds_store *s, const char *name, const slds_report_args *args,
                    const slds_privacy_rules *public_rules, slds_report_output *out,
                    slds_error *err)
{
    *out = (slds_report_output){0};
    const slds_report_def *def = slds_report_find(name);
    if (!def)
        return slds_fail(err, SLDS_ERR_USAGE, "no report named '%s' (slds report --list)",
                         name ? name : "");
    int rc = check_args(def, args, err);
    if (rc)
        return rc;
    if (public_rules && !def->publishable)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "report %s is not publishable: it lists student ids", def->name);
    rc = def->run(s, args, out, err);
    if (public_rules)
        slds_buf_free(&out->html); /* charts show every figure, suppressed or not */
    for (size_t i = 0; !rc && public_rules && i < out->n; i++) {
        slds_privacy_result res;
        rc = slds_privacy_suppress(out->tables[i], public_rules, &res, err);
        out->privacy.primary += res.primary;
        out->privacy.secondary += res.secondary;
        out->privacy.ranges += res.ranges;
        out->privacy.intervals += res.intervals;
        if (res.rounds > out->privacy.rounds)
            out->privacy.rounds = res.rounds;
    }
    if (!rc && def->figure)
        rc = def->figure(out, err);
    if (rc)
        slds_report_output_free(out);
    return rc;
}

int slds_report_list_table(slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {{.name = "report", .type = SLDS_CELL_TEXT},
                                            {.name = "parameter", .type = SLDS_CELL_TEXT},
                                            {.name = "type", .type = SLDS_CELL_TEXT},
                                            {.name = "required", .type = SLDS_CELL_BOOLEAN},
                                            {.name = "public", .type = SLDS_CELL_BOOLEAN},
                                            {.name = "help", .type = SLDS_CELL_TEXT}};
    static const char *const types[] = {"text", "integer", "number"};
    int rc = slds_table_new(out, "reports", "Reports", cols, 6, err);
    for (size_t i = 0; !rc && i < NREPORTS; i++) {
        const slds_report_def *d = &reports[i];
        slds_table_add_row(*out, err);
        slds_table_set_text(*out, 0, d->name, err);
        slds_table_set_boolean(*out, 4, d->publishable, err);
        slds_table_set_text(*out, 5, d->description, err);
        for (int k = 0; k < d->nparams; k++) {
            slds_table_add_row(*out, err);
            slds_table_set_text(*out, 0, d->name, err);
            slds_table_set_text(*out, 1, d->params[k].name, err);
            slds_table_set_text(*out, 2, types[d->params[k].type], err);
            slds_table_set_boolean(*out, 3, d->params[k].required, err);
            slds_table_set_text(*out, 5, d->params[k].help, err);
        }
        rc = slds_table_status(*out);
    }
    if (rc) {
        slds_table_free(*out);
        *out = NULL;
    }
    return rc;
}
