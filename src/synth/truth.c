/* truth.c - the ground truth written next to the collection (OUT/truth/):
 * params.json (every generating parameter), teacher_effects.csv,
 * prep_program_effects.csv, school_effects.csv, standard_params.csv and
 * summary.json (realized figures: graduation rates of the cohorts that could
 * finish, mobility, growth per grade and subject, rows and bad rows per
 * file, ...). teacher_year_effects.csv, identity.csv and dirty_rows.csv are
 * streamed during the run by the parts that know them. Nothing here depends
 * on the clock, so the truth is as reproducible as the data. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth/model.h"

static const char *const subject_codes[N_SUBJ] = {"ELA", "MATH"};

/* Rounded reals keep the JSON short and stable. */
static json_t *real(double x, int places)
{
    if (!isfinite(x))
        return json_null();
    double scale = pow(10, places);
    return json_real(round(x * scale) / scale);
}

static json_t *share(uint64_t part, uint64_t whole)
{
    return whole ? real((double)part / (double)whole, 4) : json_null();
}

static char *truth_path(const synth_ctx *c, const char *name)
{
    size_t n = strlen(c->out_dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%s", c->out_dir, name);
    return path;
}

static int write_json(synth_ctx *c, const char *name, json_t *root)
{
    char *path = truth_path(c, name);
    int rc = !path || !root || json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc) {
        slds_fail(c->err, SLDS_ERR_IO, "synth: cannot write %s", path ? path : name);
        free(path);
        return SLDS_ERR_IO;
    }
    free(path);
    return SLDS_OK;
}

/* ---- params.json ---------------------------------------------------------- */

static json_t *profiles_json(void)
{
    json_t *obj = json_object();
    for (int type = LEA_CITY; type <= LEA_RURAL; type++) {
        const synth_lea_profile *p = synth_lea_profile_of(type);
        json_t *row = json_object();
        json_object_set_new(row, "poverty", real(p->poverty, 3));
        json_object_set_new(row, "minority", real(p->minority, 3));
        json_object_set_new(row, "school_poverty_sd", real(p->school_poverty_sd, 3));
        json_object_set_new(row, "elementary_size", real(p->elementary_size, 0));
        json_object_set_new(row, "middle_size", real(p->middle_size, 0));
        json_object_set_new(row, "high_size", real(p->high_size, 0));
        json_object_set_new(obj, p->type, row);
    }
    return obj;
}

/* Each district as drawn (school-level draws are in school_effects.csv). */
static json_t *districts_json(const synth_ctx *c)
{
    json_t *arr = json_array();
    for (uint32_t l = 0; l < c->n_leas; l++) {
        const synth_lea *lea = &c->leas[l];
        char id[16];
        snprintf(id, sizeof id, "L%04u", l + 1);
        json_t *row = json_object();
        json_object_set_new(row, "lea_id", json_string(id));
        json_object_set_new(row, "type", json_string(synth_lea_profile_of(lea->type)->type));
        json_object_set_new(row, "target_students", real(lea->target_students, 1));
        json_object_set_new(row, "poverty", real(lea->poverty, 4));
        json_object_set_new(row, "minority", real(lea->minority, 4));
        json_object_set_new(row, "schools", json_integer(lea->n_schools));
        json_object_set_new(row, "interims_per_year", json_integer(lea->n_interims));
        json_array_append_new(arr, row);
    }
    return arr;
}

static json_t *run_json(const synth_ctx *c)
{
    json_t *run = json_object();
    json_object_set_new(run, "students", json_integer((json_int_t)c->p.students));
    json_object_set_new(run, "years", json_integer(c->p.years));
    json_object_set_new(run, "seed", json_integer((json_int_t)c->p.seed));
    json_object_set_new(run, "first_year", json_integer(c->p.first_year));
    json_object_set_new(run, "last_year", json_integer(c->last_year));
    json_object_set_new(run, "dirty", real(c->p.dirty, 6));
    if (c->p.behavior_dropout_factor > 0 && c->p.behavior_dropout_factor != 1)
        json_object_set_new(run, "behavior_dropout_factor", real(c->p.behavior_dropout_factor, 6));
    json_object_set_new(run, "students_per_grade", json_integer(c->cohort_size));
    json_object_set_new(run, "districts", json_integer(c->n_leas));
    json_object_set_new(run, "schools", json_integer(c->n_schools));
    return run;
}

/* The model's scalars (or, with about set, what each one means). */
static json_t *model_json(const synth_model *m, bool about)
{
    json_t *obj = json_object();
#define SYNTH_JSON(name, value, text) \
    json_object_set_new(obj, #name, about ? json_string(text) : real(m->name, 6));
    SYNTH_MODEL_SCALARS(SYNTH_JSON)
#undef SYNTH_JSON
    return obj;
}

/* Per subject and grade: mean growth, nominal mean and SD, STATE cuts. */
static void grade_tables_json(const synth_model *m, json_t *root)
{
    json_t *growth = json_object(), *mean = json_object(), *sd = json_object(), *cuts = json_object();
    for (int s = 0; s < N_SUBJ; s++) {
        json_t *g_obj = json_object(), *mu_obj = json_object(), *sd_obj = json_object(), *c_obj = json_object();
        for (int g = GRADE_PK; g <= 12; g++) {
            const char *code = synth_grade_code(g);
            json_object_set_new(g_obj, code, real(m->growth[s][GI(g)], 3));
            json_object_set_new(mu_obj, code, real(synth_mu(m, s, g), 3));
            json_object_set_new(sd_obj, code, real(synth_sd(m, s, g), 3));
            if ((g >= 3 && g <= 8) || g == 10) {
                json_t *arr = json_array();
                for (int k = 0; k < 3; k++)
                    json_array_append_new(arr, json_integer(m->cuts[s][GI(g)][k]));
                json_object_set_new(c_obj, code, arr);
            }
        }
        json_object_set_new(growth, subject_codes[s], g_obj);
        json_object_set_new(mean, subject_codes[s], mu_obj);
        json_object_set_new(sd, subject_codes[s], sd_obj);
        json_object_set_new(cuts, subject_codes[s], c_obj);
    }
    json_object_set_new(root, "mean_growth_by_grade", growth);
    json_object_set_new(root, "nominal_true_mean_by_grade", mean);
    json_object_set_new(root, "nominal_true_sd_by_grade", sd);
    json_object_set_new(root, "cut_scores", cuts);
    json_object_set_new(root, "cut_scores_note",
                        json_string("levels 2, 3, 4 start at these scale scores; level 3 is proficient. "
                                    "INTERIM levels use the same cuts lowered by the growth still to come."));
}

static json_t *rules_json(void)
{
    json_t *rules = json_object();
    json_object_set_new(rules, "achievement",
                        json_string("true[t] = true[t-1] + growth[subject][grade] + student slope + "
                                    "sum(spell day share * school effect) + sum(roster dosage * teacher "
                                    "effect) + N(0, growth_noise_sd); scale_score = round(true + N(0, sem))"));
    json_object_set_new(rules, "teacher_effect",
                        json_string("program effect[subject] - early_career_penalty * exp(-experience / "
                                    "early_career_scale) + individual effect[subject]"));
    json_object_set_new(rules, "mastery",
                        json_string("Bayesian Knowledge Tracing per standard (truth/standard_params.csv)"));
    json_object_set_new(rules, "graduation",
                        json_string("GRADUATED_REGULAR at the end of grade 12 with credits >= credits_required"));
    return rules;
}

/* The state's growth configuration in the project's layout (docs/growth-method.md):
 * the STATE cut scores, with knots computed from the data, so `slds growth run
 * --config truth/growth_config.json` gives SGPs and catch-up / keep-up targets. */
static json_t *growth_config_json(const synth_model *m)
{
    static const char *const labels[] = {"Below Basic", "Basic", "Proficient", "Advanced"};
    json_t *levels = json_array();
    for (int k = 0; k < 4; k++)
        json_array_append_new(levels, json_pack("{s:s, s:b}", "label", labels[k], "proficient", k >= 2));
    json_t *subjects = json_object();
    for (int s = 0; s < N_SUBJ; s++) {
        json_t *grades = json_object();
        for (int g = 3; g <= 10; g++) {
            if (g == 9)
                continue; /* not tested */
            json_t *cuts = json_array();
            for (int k = 0; k < 3; k++)
                json_array_append_new(cuts, json_integer(m->cuts[s][GI(g)][k]));
            char key[4];
            snprintf(key, sizeof key, "%d", g);
            json_object_set_new(grades, key, json_pack("{s:o}", "cuts", cuts));
        }
        json_object_set_new(subjects, subject_codes[s], grades);
    }
    return json_pack("{s:i, s:{s:s, s:i}, s:o, s:o}", "slds_growth_config", 1, "options", "knots",
                     "data", "projection_years", 3, "achievement_levels", levels, "subjects",
                     subjects);
}

static json_t *params_json(const synth_ctx *c)
{
    json_t *root = json_object();
    json_object_set_new(root, "run", run_json(c));
    json_object_set_new(root, "model", model_json(&c->m, false));
    grade_tables_json(&c->m, root);
    json_object_set_new(root, "model_about", model_json(&c->m, true));
    json_object_set_new(root, "district_profiles", profiles_json());
    json_object_set_new(root, "districts", districts_json(c));
    json_object_set_new(root, "rules", rules_json());
    return root;
}

/* ---- summary.json ------------------------------------------------------- */

typedef struct cohort_count {
    uint64_t members, removed, graduated, dropped, other, members_econ, graduated_econ, members_rest,
        graduated_rest;
} cohort_count;

static bool removed_from_cohort(int code)
{
    return code == EXIT_TRANSFER_OUT_OF_STATE || code == EXIT_TRANSFER_PRIVATE ||
           code == EXIT_TRANSFER_HOME_SCHOOL || code == EXIT_EMIGRATED || code == EXIT_DECEASED;
}

/* Counts one ACGR cohort from the students' final outcomes. */
static cohort_count count_cohort(const synth_students *st, int cohort_year)
{
    cohort_count k = {0};
    for (uint32_t i = 0; i < st->n; i++) {
        if (st->cohort_year[i] != cohort_year)
            continue;
        int code = st->outcome[i];
        bool by_end = code != EXIT_OPEN && st->outcome_year[i] <= cohort_year + 3;
        if (by_end && removed_from_cohort(code)) {
            k.removed++;
            continue;
        }
        bool econ = st->flags[i] & FLAG_COHORT_ECON;
        bool graduated = by_end && code == EXIT_GRADUATED_REGULAR;
        k.members++;
        k.graduated += graduated;
        k.dropped += by_end && (code == EXIT_DROPOUT || code == EXIT_EXPELLED);
        k.other += by_end && code == EXIT_COMPLETED_OTHER;
        if (econ) {
            k.members_econ++;
            k.graduated_econ += graduated;
        } else {
            k.members_rest++;
            k.graduated_rest += graduated;
        }
    }
    return k;
}

static json_t *cohort_json(int cohort_year, const cohort_count *k)
{
    json_t *row = json_object();
    json_object_set_new(row, "cohort_year", json_integer(cohort_year));
    json_object_set_new(row, "on_time_school_year", json_integer(cohort_year + 3));
    json_object_set_new(row, "adjusted_cohort", json_integer((json_int_t)k->members));
    json_object_set_new(row, "removed_transfers_out", json_integer((json_int_t)k->removed));
    json_object_set_new(row, "graduated_regular", json_integer((json_int_t)k->graduated));
    json_object_set_new(row, "dropped_out", json_integer((json_int_t)k->dropped));
    json_object_set_new(row, "completed_other", json_integer((json_int_t)k->other));
    json_object_set_new(row, "rate", share(k->graduated, k->members));
    json_object_set_new(row, "rate_econ_disadvantaged", share(k->graduated_econ, k->members_econ));
    json_object_set_new(row, "rate_not_econ_disadvantaged", share(k->graduated_rest, k->members_rest));
    return row;
}

static json_t *graduation_json(const synth_ctx *c)
{
    json_t *obj = json_object(), *cohorts = json_array();
    cohort_count all = {0};
    for (int cy = c->p.first_year; cy + 3 <= c->last_year; cy++) {
        cohort_count k = count_cohort(&c->st, cy);
        json_array_append_new(cohorts, cohort_json(cy, &k));
        all.members += k.members;
        all.graduated += k.graduated;
        all.members_econ += k.members_econ;
        all.graduated_econ += k.graduated_econ;
        all.members_rest += k.members_rest;
        all.graduated_rest += k.graduated_rest;
    }
    json_object_set_new(obj, "definition",
                        json_string("4-year adjusted cohort graduation rate: students first in grade 9 in "
                                    "cohort_year (later arrivals join the cohort of their grade), less those "
                                    "who left for another state, country, private or home school or died; "
                                    "graduated_regular = GRADUATED_REGULAR by the end of on_time_school_year. "
                                    "Only cohorts that begin in or after the first year and could finish "
                                    "by the last year are listed."));
    json_object_set_new(obj, "cohorts", cohorts);
    json_object_set_new(obj, "rate_all_cohorts", share(all.graduated, all.members));
    json_object_set_new(obj, "rate_econ_disadvantaged", share(all.graduated_econ, all.members_econ));
    json_object_set_new(obj, "rate_not_econ_disadvantaged", share(all.graduated_rest, all.members_rest));
    return obj;
}

static json_t *growth_json(const synth_ctx *c)
{
    json_t *obj = json_object();
    for (int s = 0; s < N_SUBJ; s++) {
        json_t *subj = json_object();
        for (int g = 4; g <= 10; g++) {
            if (g == 9)
                continue;
            const synth_growth_sum *gs = &c->sum.growth[s][GI(g)];
            json_t *row = json_object();
            json_object_set_new(row, "from_grade", json_string(synth_grade_code(g == 10 ? 8 : g - 1)));
            json_object_set_new(row, "students", json_integer((json_int_t)gs->n));
            json_object_set_new(row, "mean_observed", gs->n ? real(gs->observed / (double)gs->n, 3) : json_null());
            json_object_set_new(row, "mean_true",
                                gs->n && g != 10 ? real(gs->truth / (double)gs->n, 3) : json_null());
            json_object_set_new(row, "model_mean_growth",
                                g == 10 ? real(c->m.growth[s][GI(9)] + c->m.growth[s][GI(10)], 3)
                                        : real(c->m.growth[s][GI(g)], 3));
            json_object_set_new(subj, synth_grade_code(g), row);
        }
        json_object_set_new(obj, subject_codes[s], subj);
    }
    return obj;
}

static json_t *scores_json(const synth_ctx *c)
{
    json_t *obj = json_object();
    for (int s = 0; s < N_SUBJ; s++) {
        json_t *subj = json_object();
        for (int g = 3; g <= 10; g++) {
            uint64_t n = c->sum.score_n[s][GI(g)];
            if (!n)
                continue;
            double mean = c->sum.score_sum[s][GI(g)] / (double)n;
            double var = c->sum.score_sq[s][GI(g)] / (double)n - mean * mean;
            json_t *row = json_object();
            json_object_set_new(row, "tested", json_integer((json_int_t)n));
            json_object_set_new(row, "mean", real(mean, 2));
            json_object_set_new(row, "sd", real(sqrt(var > 0 ? var : 0), 2));
            json_object_set_new(row, "proficient_share", share(c->sum.proficient[s][GI(g)], n));
            json_object_set_new(subj, synth_grade_code(g), row);
        }
        json_object_set_new(obj, subject_codes[s], subj);
    }
    return obj;
}

static json_t *files_json(const synth_ctx *c)
{
    json_t *obj = json_object();
    for (int f = 0; f < SLDS_SYNTH_NFILES; f++) {
        json_t *row = json_object();
        json_object_set_new(row, "rows", json_integer((json_int_t)c->files[f].rows));
        json_object_set_new(row, "dirty_rows", json_integer((json_int_t)c->files[f].dirty_rows));
        json_object_set_new(obj, c->files[f].schema->file, row);
    }
    return obj;
}

static json_t *enrollment_json(const synth_ctx *c)
{
    const synth_summary *sum = &c->sum;
    json_t *obj = json_object(), *by_year = json_object(), *end = json_object(), *exits = json_object();
    for (int y = 0; y < c->p.years; y++) {
        char key[8];
        snprintf(key, sizeof key, "%d", c->p.first_year + y);
        json_object_set_new(by_year, key, json_integer((json_int_t)sum->enrolled[y]));
        json_object_set_new(end, key, json_integer((json_int_t)sum->enrolled_end[y]));
    }
    for (int k = 0; k < N_EXIT; k++)
        json_object_set_new(exits, k ? synth_exit_codes[k] : "OPEN", json_integer((json_int_t)sum->exits[k]));
    json_object_set_new(obj, "distinct_students", json_integer((json_int_t)c->st.n));
    json_object_set_new(obj, "enrolled_by_year", by_year);
    json_object_set_new(obj, "enrolled_on_last_day_by_year", end);
    json_object_set_new(obj, "spells_by_exit_code", exits);
    json_object_set_new(obj, "promoted", json_integer((json_int_t)sum->promoted));
    json_object_set_new(obj, "retained", json_integer((json_int_t)sum->retained));
    json_object_set_new(obj, "skipped_a_grade", json_integer((json_int_t)sum->skipped));
    json_object_set_new(obj, "retention_share", share(sum->retained, sum->retained + sum->promoted));
    return obj;
}

static json_t *mobility_json(const synth_ctx *c)
{
    const synth_summary *sum = &c->sum;
    json_t *obj = json_object();
    json_object_set_new(obj, "student_years", json_integer((json_int_t)sum->student_years));
    json_object_set_new(obj, "within_year_movers", json_integer((json_int_t)sum->midyear_movers));
    json_object_set_new(obj, "within_year_school_change_share", share(sum->midyear_movers, sum->student_years));
    json_object_set_new(obj, "continuing_students", json_integer((json_int_t)sum->continuing));
    json_object_set_new(obj, "between_years_school_change_share", share(sum->changed_school, sum->continuing));
    json_object_set_new(obj, "between_years_residential_move_share",
                        share(sum->changed_school_residential, sum->continuing));
    json_object_set_new(obj, "definition",
                        json_string("within_year: student-years with a TRANSFER_IN_STATE spell followed by "
                                    "another school; between_years: continuing students whose school "
                                    "changed over the summer (all changes, incl. moving up from elementary "
                                    "to middle to high; residential: moves not forced by the grade span)"));
    return obj;
}

static json_t *postsecondary_json(const synth_summary *sum)
{
    json_t *post = json_object();
    json_object_set_new(post, "graduates", json_integer((json_int_t)sum->graduates));
    json_object_set_new(post, "graduates_enrolled", json_integer((json_int_t)sum->college_enrolled));
    json_object_set_new(post, "rate", share(sum->college_enrolled, sum->graduates));
    json_object_set_new(post, "four_year_share", share(sum->college_four_year, sum->college_enrolled));
    json_object_set_new(post, "remedial_share", share(sum->college_remedial, sum->college_enrolled));
    json_object_set_new(post, "other_completers_enrolled", json_integer((json_int_t)sum->completers_other_college));
    json_object_set_new(post, "definition",
                        json_string("regular graduates with a postsecondary.csv row (all within 16 months "
                                    "of graduation; rows may lie after the last school year)"));
    return post;
}

static json_t *testing_json(const synth_summary *sum)
{
    static const char *const reason_codes[4] = {"ABSENT", "MEDICAL", "PARENT_REFUSAL", "EXEMPT_EL"};
    json_t *testing = json_object(), *reasons = json_object();
    uint64_t not_tested = 0;
    for (int k = 0; k < 4; k++) {
        json_object_set_new(reasons, reason_codes[k], json_integer((json_int_t)sum->not_tested[k]));
        not_tested += sum->not_tested[k];
    }
    json_object_set_new(testing, "state_tests_scored", json_integer((json_int_t)sum->tested));
    json_object_set_new(testing, "state_tests_not_tested", reasons);
    json_object_set_new(testing, "not_tested_share", share(not_tested, not_tested + sum->tested));
    json_object_set_new(testing, "interim_rows", json_integer((json_int_t)sum->interim_rows));
    json_object_set_new(testing, "college_readiness_rows", json_integer((json_int_t)sum->act_rows));
    return testing;
}

static json_t *schooling_json(const synth_summary *sum)
{
    json_t *school = json_object();
    json_object_set_new(school, "chronic_absence_share", share(sum->chronic_absent, sum->attendance_years));
    json_object_set_new(school, "discipline_actions", json_integer((json_int_t)sum->discipline_actions));
    json_object_set_new(school, "course_failure_share", share(sum->courses_failed, sum->courses_taken));
    return school;
}

static json_t *identity_json(const synth_summary *sum)
{
    json_t *identity = json_object();
    json_object_set_new(identity, "student_records", json_integer((json_int_t)sum->identity_records));
    json_object_set_new(identity, "records_in_another_district", json_integer((json_int_t)sum->district_movers));
    json_object_set_new(identity, "blank_id_mover_records", json_integer((json_int_t)sum->blank_id_movers));
    json_object_set_new(identity, "plain_new_records", json_integer((json_int_t)sum->plain_new_records));
    json_object_set_new(identity, "note", json_string("truth/identity.csv gives the true student_id of each "
                                                      "record written with a blank one"));
    return identity;
}

static json_t *staff_json(const synth_ctx *c)
{
    const synth_summary *sum = &c->sum;
    json_t *staff = json_object();
    json_object_set_new(staff, "educators", json_integer((json_int_t)c->sf.n));
    json_object_set_new(staff, "teacher_years", json_integer((json_int_t)sum->teacher_years));
    json_object_set_new(staff, "principal_years", json_integer((json_int_t)sum->principal_years));
    json_object_set_new(staff, "midyear_teacher_changes", json_integer((json_int_t)sum->midyear_teacher_changes));
    json_object_set_new(staff, "co_taught_sections", json_integer((json_int_t)sum->co_taught_sections));
    return staff;
}

static json_t *mastery_json(const synth_ctx *c)
{
    json_t *mastery = json_object();
    json_object_set_new(mastery, "standards", json_integer(c->n_standards));
    json_object_set_new(mastery, "practice_student_years", json_integer((json_int_t)c->sum.practice_students));
    json_object_set_new(mastery, "item_responses", json_integer((json_int_t)c->sum.item_responses));
    return mastery;
}

static json_t *summary_json(const synth_ctx *c)
{
    json_t *root = json_object();
    json_object_set_new(root, "files", files_json(c));
    json_object_set_new(root, "enrollment", enrollment_json(c));
    json_object_set_new(root, "mobility", mobility_json(c));
    json_object_set_new(root, "graduation", graduation_json(c));
    json_object_set_new(root, "postsecondary", postsecondary_json(&c->sum));
    json_object_set_new(root, "growth", growth_json(c));
    json_object_set_new(root, "state_scores", scores_json(c));
    json_object_set_new(root, "testing", testing_json(&c->sum));
    json_object_set_new(root, "schooling", schooling_json(&c->sum));
    json_object_set_new(root, "identity", identity_json(&c->sum));
    json_object_set_new(root, "staff", staff_json(c));
    json_object_set_new(root, "mastery", mastery_json(c));
    return root;
}

/* ---- CSV truth files ------------------------------------------------------ */

static int open_truth_csv(synth_ctx *c, synth_csv *f, const synth_schema *schema)
{
    char *path = truth_path(c, schema->file);
    int e = path ? synth_csv_open(f, path, schema) : ENOMEM;
    free(path);
    if (e)
        return slds_fail(c->err, SLDS_ERR_IO, "synth: cannot write %s/%s: %s", c->out_dir, schema->file,
                         strerror(e));
    return SLDS_OK;
}

static int close_truth_csv(synth_ctx *c, synth_csv *f)
{
    int e = synth_csv_close(f);
    if (e)
        return slds_fail(c->err, SLDS_ERR_IO, "synth: writing %s/%s: %s", c->out_dir, f->schema->file,
                         strerror(e));
    return SLDS_OK;
}

static int write_teacher_effects(synth_ctx *c)
{
    synth_csv f;
    if (open_truth_csv(c, &f, &synth_teacher_effects_schema))
        return c->err->code;
    const synth_staff *sf = &c->sf;
    for (uint32_t t = 0; t < sf->n; t++)
        for (int s = 0; s < N_SUBJ; s++) {
            unsigned years = sf->effect_years[s][t];
            if (!years)
                continue;
            double mean = sf->effect_sum[s][t] / years;
            double program = c->programs[sf->program[t]].effect[s];
            double individual = sf->individual[s][t];
            synth_put_staff_id(&f, t);
            synth_csv_str(&f, subject_codes[s]);
            synth_csv_fixed(&f, mean, 3);
            synth_csv_fixed(&f, program, 3);
            synth_csv_fixed(&f, mean - program - individual, 3);
            synth_csv_fixed(&f, individual, 3);
            synth_csv_uint(&f, years);
            synth_put_program_id(&f, sf->program[t]);
            synth_csv_end_row(&f);
        }
    return close_truth_csv(c, &f);
}

static int write_program_effects(synth_ctx *c)
{
    synth_csv f;
    if (open_truth_csv(c, &f, &synth_program_effects_schema))
        return c->err->code;
    for (uint32_t k = 0; k < c->n_programs; k++)
        for (int s = 0; s < N_SUBJ; s++) {
            uint64_t teachers = 0;
            double total = 0;
            for (uint32_t t = 0; t < c->sf.n; t++)
                if (c->sf.program[t] == k && c->sf.effect_years[s][t]) {
                    teachers++;
                    total += c->sf.effect_sum[s][t] / c->sf.effect_years[s][t];
                }
            synth_put_program_id(&f, k);
            synth_csv_str(&f, subject_codes[s]);
            synth_csv_fixed(&f, c->programs[k].effect[s], 3);
            synth_csv_uint(&f, teachers);
            if (teachers)
                synth_csv_fixed(&f, total / (double)teachers, 3);
            else
                synth_csv_blank(&f);
            synth_csv_end_row(&f);
        }
    return close_truth_csv(c, &f);
}

static int write_school_effects(synth_ctx *c)
{
    synth_csv f;
    if (open_truth_csv(c, &f, &synth_school_effects_schema))
        return c->err->code;
    for (uint32_t s = 0; s < c->n_schools; s++)
        for (int k = 0; k < N_SUBJ; k++) {
            synth_put_school_id(&f, s);
            synth_csv_str(&f, subject_codes[k]);
            synth_csv_fixed(&f, c->schools[s].effect[k], 3);
            synth_csv_fixed(&f, c->schools[s].poverty, 4);
            synth_csv_fixed(&f, c->schools[s].minority, 4);
            synth_csv_end_row(&f);
        }
    return close_truth_csv(c, &f);
}

static int write_standard_params(synth_ctx *c)
{
    synth_csv f;
    if (open_truth_csv(c, &f, &synth_standard_params_schema))
        return c->err->code;
    for (uint32_t k = 0; k < c->n_standards; k++) {
        const synth_standard *sd = &c->standards[k];
        synth_csv_str(&f, sd->id);
        synth_csv_fixed(&f, sd->p_init, 4);
        synth_csv_fixed(&f, sd->p_learn, 4);
        synth_csv_fixed(&f, sd->p_guess, 4);
        synth_csv_fixed(&f, sd->p_slip, 4);
        synth_csv_end_row(&f);
    }
    return close_truth_csv(c, &f);
}

int synth_write_truth(synth_ctx *c)
{
    int rc = write_teacher_effects(c);
    if (!rc)
        rc = write_program_effects(c);
    if (!rc)
        rc = write_school_effects(c);
    if (!rc)
        rc = write_standard_params(c);
    if (!rc)
        rc = write_json(c, "truth/params.json", params_json(c));
    if (!rc)
        rc = write_json(c, "truth/summary.json", summary_json(c));
    if (!rc)
        rc = write_json(c, "truth/growth_config.json", growth_config_json(&c->m));
    return rc;
}
