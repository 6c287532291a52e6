/* achievement.c - the growth model and the tests (assessments.csv).
 *
 * Each school year, for each subject, a student's true achievement (on one
 * vertical scale) grows by
 *     growth[subject][grade]                      the grade's mean growth
 *   + slope[student][subject]                     the student's own growth effect
 *   + sum over spells  (days share x school effect)
 *   + sum over rosters (dosage x teacher's true effect this year)
 *   + N(0, growth_noise_sd)
 * and the STATE test in the spring observes it with measurement error:
 *     scale_score = round(true + N(0, sem)), clipped to [score_min, score_max];
 *     performance_level from the fixed cuts of the subject and grade.
 * STATE tests: grades 3-8 and 10, ELA and MATH, for students enrolled on the
 * district's test day. INTERIM tests (2-3 a year, grades 3-8) observe the
 * achievement reached by their date (linear through the year) with a larger
 * error. COLLEGE_READINESS (ACT-like, 1-36) in grade 11. */
#include <math.h>

#include "synth/model.h"

static const char *const subject_codes[N_SUBJ] = {"ELA", "MATH"};
static const char *const interim_names[3] = {"INTERIM_FALL", "INTERIM_WINTER", "INTERIM_SPRING"};

enum { REASON_ABSENT, REASON_MEDICAL, REASON_REFUSAL, REASON_EXEMPT_EL };
static const char *const reasons[4] = {"ABSENT", "MEDICAL", "PARENT_REFUSAL", "EXEMPT_EL"};

static bool state_tested_grade(int grade)
{
    return (grade >= 3 && grade <= 8) || grade == 10;
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void put_test_prefix(synth_csv *f, const synth_ctx *c, uint32_t i, int subj, int grade,
                            const char *type, const char *name, int32_t day)
{
    /* --dirty-warnings: a test of a student whose enrollment rows that year
     * are broken stays good: the loader must load it, with a finding. */
    if (synth_dirty_broken(f->dirty, i, c->yr.year))
        synth_dirty_warn(f, "student_id", "ASM_NOT_ENROLLED");
    synth_put_student_id(f, c, i);
    synth_csv_uint(f, (uint64_t)c->yr.year);
    synth_csv_str(f, subject_codes[subj]);
    synth_csv_strn(f, synth_grade_code(grade), 2);
    synth_csv_str(f, type);
    synth_csv_str(f, name);
    synth_csv_date(f, day);
}

enum test_kind { TEST_STATE, TEST_COLLEGE_READINESS, TEST_INTERIM };

/* A district's day for a test this year (0: the district gives no such test). */
static int32_t test_day(const synth_lea *lea, int kind, int interim)
{
    switch (kind) {
    case TEST_STATE: return lea->state_test_day;
    case TEST_COLLEGE_READINESS: return lea->act_day;
    default: return interim < lea->n_interims ? lea->interim_day[interim] : 0;
    }
}

/* The student's spell covering the test day of that spell's own district. */
static const synth_spell *spell_on_test_day(const synth_ctx *c, uint32_t i, int kind, int interim, int32_t *day)
{
    const synth_year *yr = &c->yr;
    uint32_t first = yr->first_spell[i];
    for (uint32_t k = first; k < first + yr->spell_count[i]; k++) {
        const synth_spell *sp = &yr->spells[k];
        int32_t d = test_day(&c->leas[c->schools[sp->school].lea], kind, interim);
        if (d && sp->entry <= d && d <= sp->exit) {
            *day = d;
            return sp;
        }
    }
    return NULL;
}

/* Realized growth against the student's previous STATE score (kept before
 * this year's scores overwrite it). */
typedef struct previous_test {
    int year, grade;
} previous_test;

static void record_growth(synth_ctx *c, uint32_t i, int subj, int grade, previous_test prev, int score,
                          double true_gain)
{
    int year = c->yr.year;
    synth_growth_sum *g = NULL;
    if (grade >= 4 && grade <= 8 && prev.year == year - 1 && prev.grade == grade - 1)
        g = &c->sum.growth[subj][GI(grade)];
    else if (grade == 10 && prev.year == year - 2 && prev.grade == 8) {
        g = &c->sum.growth[subj][GI(10)];
        true_gain = NAN; /* two years: only the observed change is kept */
    }
    if (g && c->st.last_score[subj][i]) {
        g->observed += score - c->st.last_score[subj][i];
        if (!isnan(true_gain))
            g->truth += true_gain;
        g->n++;
    }
}

static void state_tests(synth_ctx *c, uint32_t i, int grade, const double before[N_SUBJ],
                        const double after[N_SUBJ], synth_rng *r)
{
    const synth_model *m = &c->m;
    int32_t day;
    if (!spell_on_test_day(c, i, TEST_STATE, 0, &day))
        return;
    double u = synth_uniform(r);
    int reason = -1;
    if (u < m->not_tested_absent)
        reason = REASON_ABSENT;
    else if (u < m->not_tested_absent + m->not_tested_medical)
        reason = REASON_MEDICAL;
    else if (u < m->not_tested_absent + m->not_tested_medical + m->not_tested_refusal)
        reason = REASON_REFUSAL;
    bool exempt_ela = (c->st.flags[i] & FLAG_NEWCOMER) && synth_chance(r, m->not_tested_el_newcomer);
    synth_csv *f = synth_file(c, SLDS_SYNTH_ASSESSMENTS);
    previous_test prev = {c->st.last_score_year[i], c->st.last_score_grade[i]};
    for (int s = 0; s < N_SUBJ; s++) {
        int why = reason >= 0 ? reason : (s == SUBJ_ELA && exempt_ela) ? REASON_EXEMPT_EL : -1;
        put_test_prefix(f, c, i, s, grade, "STATE", "STATE_SUMMATIVE", day);
        if (why >= 0) {
            synth_csv_blank(f);
            synth_csv_blank(f);
            synth_csv_str(f, reasons[why]);
            synth_csv_end_row(f);
            c->sum.not_tested[why]++;
            c->st.last_score[s][i] = 0;
            continue;
        }
        double sem = s == SUBJ_ELA ? m->sem_ela : m->sem_math;
        int score = (int)lround(clamp(after[s] + sem * synth_normal(r), m->score_min, m->score_max));
        int level = synth_level(m->cuts[s][GI(grade)], score);
        synth_csv_int(f, score);
        synth_csv_uint(f, (uint64_t)level);
        synth_csv_blank(f);
        synth_csv_end_row(f);
        c->sum.tested++;
        c->sum.score_sum[s][GI(grade)] += score;
        c->sum.score_sq[s][GI(grade)] += (double)score * score;
        c->sum.score_n[s][GI(grade)]++;
        c->sum.proficient[s][GI(grade)] += level >= 3;
        record_growth(c, i, s, grade, prev, score, after[s] - before[s]);
        c->st.last_score[s][i] = (int16_t)score;
        c->st.last_score_year[i] = (int16_t)c->yr.year;
        c->st.last_score_grade[i] = (int8_t)grade;
    }
}

/* Share of the way from last spring's test to this spring's at `day`. */
static double share_of_year(const synth_ctx *c, const synth_spell *sp, int32_t day)
{
    const synth_calendar *cal = &c->yr.cal;
    int32_t state_day = c->leas[c->schools[sp->school].lea].state_test_day;
    double total = synth_school_days(cal, cal->first_day, state_day);
    double done = synth_school_days(cal, cal->first_day, day);
    return total > 0 ? clamp(done / total, 0, 1) : 1;
}

static void interim_tests(synth_ctx *c, uint32_t i, int grade, const double before[N_SUBJ],
                          const double after[N_SUBJ], synth_rng *r)
{
    const synth_model *m = &c->m;
    synth_csv *f = synth_file(c, SLDS_SYNTH_ASSESSMENTS);
    for (int k = 0; k < 3; k++) {
        int32_t day;
        const synth_spell *sp = spell_on_test_day(c, i, TEST_INTERIM, k, &day);
        if (!sp)
            continue;
        double share = share_of_year(c, sp, day);
        for (int s = 0; s < N_SUBJ; s++) {
            if (synth_chance(r, m->interim_absent))
                continue;
            double reached = before[s] + share * (after[s] - before[s]);
            int score = (int)lround(clamp(reached + m->sem_interim * synth_normal(r), m->score_min, m->score_max));
            /* Judged against the spring cuts less the growth still to come. */
            double on_track = score + (1 - share) * m->growth[s][GI(grade)];
            put_test_prefix(f, c, i, s, grade, "INTERIM", interim_names[k], day);
            synth_csv_int(f, score);
            synth_csv_uint(f, (uint64_t)synth_level(m->cuts[s][GI(grade)], on_track));
            synth_csv_blank(f);
            synth_csv_end_row(f);
            c->sum.interim_rows++;
        }
    }
}

static void college_readiness(synth_ctx *c, uint32_t i, const double before[N_SUBJ],
                              const double after[N_SUBJ], synth_rng *r)
{
    const synth_model *m = &c->m;
    int32_t day;
    const synth_spell *sp = spell_on_test_day(c, i, TEST_COLLEGE_READINESS, 0, &day);
    if (!sp || synth_chance(r, m->act_absent))
        return;
    double share = share_of_year(c, sp, day);
    synth_csv *f = synth_file(c, SLDS_SYNTH_ASSESSMENTS);
    for (int s = 0; s < N_SUBJ; s++) {
        double reached = before[s] + share * (after[s] - before[s]);
        double z = (reached - synth_mu(m, s, 11)) / synth_sd(m, s, 11);
        int score = (int)lround(clamp(m->act_mean + m->act_sd * z + m->act_noise_sd * synth_normal(r), 1, 36));
        double benchmark = s == SUBJ_ELA ? m->act_benchmark_ela : m->act_benchmark_math;
        int level = score < benchmark - 3 ? 1 : score < benchmark ? 2 : score < benchmark + 5 ? 3 : 4;
        put_test_prefix(f, c, i, s, 11, "COLLEGE_READINESS", "ACT", day);
        synth_csv_uint(f, (uint64_t)score);
        synth_csv_uint(f, (uint64_t)level);
        synth_csv_blank(f);
        synth_csv_end_row(f);
        c->sum.act_rows++;
    }
}

/* Share-of-year weighted school effects of the student's spells. */
static void school_dosage(const synth_ctx *c, uint32_t i, double out[N_SUBJ])
{
    const synth_year *yr = &c->yr;
    double days = yr->cal.n_days;
    out[SUBJ_ELA] = out[SUBJ_MATH] = 0;
    for (uint32_t k = yr->first_spell[i]; k < yr->first_spell[i] + yr->spell_count[i]; k++) {
        const synth_spell *sp = &yr->spells[k];
        double share = synth_school_days(&yr->cal, sp->entry, sp->exit) / days;
        for (int s = 0; s < N_SUBJ; s++)
            out[s] += share * c->schools[sp->school].effect[s];
    }
}

void synth_achievement(synth_ctx *c)
{
    synth_students *st = &c->st;
    const synth_model *m = &c->m;
    synth_rng r;
    synth_rng_seed(&r, c->p.seed, STREAM_TESTS, (uint64_t)c->yr.year);
    for (uint32_t i = 0; i < st->n; i++) {
        if (c->yr.first_spell[i] == NONE32)
            continue;
        int grade = c->yr.spells[c->yr.first_spell[i]].grade;
        double school[N_SUBJ], before[N_SUBJ], after[N_SUBJ];
        school_dosage(c, i, school);
        for (int s = 0; s < N_SUBJ; s++) {
            before[s] = st->ach[s][i];
            after[s] = before[s] + m->growth[s][GI(grade)] + st->slope[s][i] + school[s] +
                       c->yr.teacher_sum[s][i] + m->growth_noise_sd * synth_normal(&r);
        }
        if (state_tested_grade(grade))
            state_tests(c, i, grade, before, after, &r);
        if (grade >= 3 && grade <= 8)
            interim_tests(c, i, grade, before, after, &r);
        if (grade == 11)
            college_readiness(c, i, before, after, &r);
        for (int s = 0; s < N_SUBJ; s++)
            st->ach[s][i] = (float)after[s];
    }
}
