/* schooling.c - what a student's school year leaves behind besides tests:
 * attendance.csv (days enrolled and present per school; some students are
 * chronically absent, which raises their dropout hazard next year),
 * discipline.csv (suspensions, expulsions), courses.csv (transcript lines for
 * grades 6-12 with marks that follow achievement, effort and attendance;
 * high-school credits add up toward the diploma) and postsecondary.csv
 * (college enrollment of graduates). */
#include <math.h>

#include "synth/model.h"

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* ---- Attendance -------------------------------------------------------------- */

/* Writes one row per spell; returns the year's absence rate. */
static double attendance(synth_ctx *c, uint32_t i, int grade, synth_rng *r)
{
    const synth_model *m = &c->m;
    const synth_year *yr = &c->yr;
    synth_csv *f = synth_file(c, SLDS_SYNTH_ATTENDANCE);
    double rate = c->st.absence_base[i] * (grade >= 9 ? m->absence_high_school_factor : 1.0) *
                  exp(0.25 * synth_normal(r));
    rate = clamp(rate, 0, 0.8);
    int total = 0, absent_total = 0;
    for (uint32_t k = yr->first_spell[i]; k < yr->first_spell[i] + yr->spell_count[i]; k++) {
        const synth_spell *sp = &yr->spells[k];
        int days = synth_school_days(&yr->cal, sp->entry, sp->exit);
        double expected = days * rate;
        int absent = (int)lround(expected + sqrt(expected * (1 - rate)) * synth_normal(r));
        absent = absent < 0 ? 0 : absent > days ? days : absent;
        synth_put_student_id(f, c, i);
        synth_put_school_id(f, sp->school);
        synth_csv_uint(f, (uint64_t)yr->year);
        synth_csv_uint(f, (uint64_t)days);
        synth_csv_uint(f, (uint64_t)(days - absent));
        synth_csv_end_row(f);
        total += days;
        absent_total += absent;
    }
    double realized = total ? (double)absent_total / total : 0;
    c->st.absence_last[i] = (uint8_t)lround(100 * realized);
    c->sum.attendance_years++;
    if (realized >= m->chronic_absence)
        c->sum.chronic_absent++;
    return realized;
}

/* ---- Discipline ------------------------------------------------------------ */

static void put_action(synth_ctx *c, uint32_t i, uint32_t school, int32_t day, const char *action, int days)
{
    synth_csv *f = synth_file(c, SLDS_SYNTH_DISCIPLINE);
    synth_put_student_id(f, c, i);
    synth_put_school_id(f, school);
    synth_csv_date(f, day);
    synth_csv_str(f, action);
    synth_csv_uint(f, (uint64_t)days);
    synth_csv_end_row(f);
    c->sum.discipline_actions++;
}

static void discipline(synth_ctx *c, uint32_t i, int grade, double absence, synth_rng *r)
{
    const synth_model *m = &c->m;
    const synth_year *yr = &c->yr;
    uint8_t flags = c->st.flags[i];
    double rate = m->discipline_rate * (grade <= 5 ? 0.3 : grade <= 8 ? 1.8 : 1.3) *
                  (c->st.sex[i] ? 1.6 : 0.5) * (flags & FLAG_ECON ? 1.4 : 1.0) *
                  (flags & FLAG_DISABILITY ? 1.5 : 1.0) * (absence >= m->chronic_absence ? 1.6 : 1.0);
    int n = synth_poisson(r, rate);
    int32_t used[8];
    int n_used = 0;
    uint32_t first = yr->first_spell[i], count = yr->spell_count[i];
    for (int k = 0; k < n && n_used < 8; k++) {
        const synth_spell *sp = &yr->spells[first + synth_below(r, count)];
        int a = synth_day_index(&yr->cal, sp->entry), b = synth_day_index(&yr->cal, sp->exit + 1) - 1;
        if (b < a)
            continue;
        int32_t day = yr->cal.day_at[synth_range(r, a, b)];
        bool repeat = false;
        for (int u = 0; u < n_used; u++)
            repeat |= used[u] == day;
        if (repeat || day == yr->expulsion_day[i])
            continue;
        used[n_used++] = day;
        bool in_school = synth_chance(r, grade <= 5 ? 0.7 : 0.55);
        int days = in_school ? synth_range(r, 1, 3) : synth_chance(r, 0.05) ? 10 : synth_range(r, 1, 5);
        put_action(c, i, sp->school, day, in_school ? "IN_SCHOOL_SUSPENSION" : "OUT_OF_SCHOOL_SUSPENSION", days);
    }
    /* no draw: only remembers whether an action was written (the dropout
     * hazard reads it when --behavior-dropout-factor is set) */
    c->st.suspended_last[i] = (uint8_t)(n_used > 0 || yr->expulsion_day[i]);
    if (yr->expulsion_day[i]) {
        const synth_spell *last = &yr->spells[first + count - 1];
        int left = yr->cal.n_days - synth_day_index(&yr->cal, yr->expulsion_day[i]);
        put_action(c, i, last->school, yr->expulsion_day[i], "EXPULSION", left > 180 ? 180 : left);
    }
}

/* ---- Courses ---------------------------------------------------------------- */

typedef struct course {
    const char *prefix, *subject;
} course;

static const course core_courses[] = {
    {"ELA", "ELA"}, {"MATH", "MATH"}, {"SCI", "SCIENCE"}, {"SOC", "SOCIAL_STUDIES"}};
static const course middle_extras[] = {{"PE", "PHYSICAL_EDUCATION"}, {"ART", "ARTS"}};
static const course electives[] = {{"PE", "PHYSICAL_EDUCATION"}, {"ART", "ARTS"},
                                   {"WLG", "WORLD_LANGUAGE"},     {"CTE", "CAREER_TECHNICAL"},
                                   {"HLT", "HEALTH"},             {"MUS", "ARTS"}};
#define N_ELECTIVES 6

static char mark_of(const synth_model *m, double latent)
{
    return latent >= m->mark_cut_a ? 'A' : latent >= m->mark_cut_b ? 'B' : latent >= m->mark_cut_c ? 'C'
                                     : latent >= m->mark_cut_d ? 'D' : 'F';
}

/* Which term a spell earns marks for: a whole year, one semester, or none. */
static const char *term_of(const synth_ctx *c, const synth_spell *sp, double *credits)
{
    int32_t semester_end = (int32_t)slds_days_from_civil(c->yr.year, 1, 15);
    *credits = 1.0;
    if (sp->reaches_end) {
        if (sp->entry <= semester_end)
            return "YEAR";
        *credits = 0.5;
        return "SPRING";
    }
    if (sp->exit >= semester_end) {
        *credits = 0.5;
        return "FALL";
    }
    return NULL;
}

static void put_course_code(synth_csv *f, const char *prefix, int grade)
{
    synth_csv_str(f, prefix);
    f->buf[f->len++] = (char)('0' + grade / 10);
    f->buf[f->len++] = (char)('0' + grade % 10);
}

static void courses(synth_ctx *c, uint32_t i, int grade, double absence, synth_rng *r)
{
    const synth_model *m = &c->m;
    synth_year *yr = &c->yr;
    synth_csv *f = synth_file(c, SLDS_SYNTH_COURSES);
    course list[8];
    int n = 0;
    for (int k = 0; k < 4; k++)
        list[n++] = core_courses[k];
    if (grade <= 8) {
        list[n++] = middle_extras[0];
        list[n++] = middle_extras[1];
    } else {
        /* Three distinct electives, a student's own picks. */
        int first = (int)synth_below(r, N_ELECTIVES);
        for (int k = 0; k < 3; k++)
            list[n++] = electives[(first + 2 * k) % N_ELECTIVES];
    }
    double standing = synth_standing(c, i, grade);
    double student_part = m->mark_achievement_weight * standing + m->mark_effort_weight * c->st.effort[i] +
                          m->mark_absence_weight * (absence - m->absence_median);
    for (uint32_t k = yr->first_spell[i]; k < yr->first_spell[i] + yr->spell_count[i]; k++) {
        const synth_spell *sp = &yr->spells[k];
        double credits;
        const char *term = term_of(c, sp, &credits);
        if (!term)
            continue;
        for (int j = 0; j < n; j++) {
            char mark = mark_of(m, student_part + m->mark_noise_sd * synth_normal(r));
            double earned = mark == 'F' ? 0 : credits;
            synth_put_student_id(f, c, i);
            synth_put_school_id(f, sp->school);
            synth_csv_uint(f, (uint64_t)yr->year);
            synth_csv_str(f, term);
            put_course_code(f, list[j].prefix, grade);
            synth_csv_str(f, list[j].subject);
            synth_csv_fixed(f, credits, 1);
            synth_csv_fixed(f, earned, 1);
            synth_csv_strn(f, &mark, 1);
            synth_csv_end_row(f);
            c->sum.courses_taken++;
            c->sum.courses_failed += mark == 'F';
            if (grade >= 9)
                yr->credit_halves_year[i] = (uint8_t)(yr->credit_halves_year[i] + (int)lround(2 * earned));
        }
    }
    if (grade >= 9) {
        int total = c->st.credit_halves[i] + yr->credit_halves_year[i];
        c->st.credit_halves[i] = (uint8_t)(total > 255 ? 255 : total);
    }
}

void synth_schooling(synth_ctx *c)
{
    synth_rng r;
    synth_rng_seed(&r, c->p.seed, STREAM_SCHOOLING, (uint64_t)c->yr.year);
    for (uint32_t i = 0; i < c->st.n; i++) {
        if (c->yr.first_spell[i] == NONE32)
            continue;
        int grade = c->yr.spells[c->yr.first_spell[i]].grade;
        double absence = attendance(c, i, grade, &r);
        discipline(c, i, grade, absence, &r);
        if (grade >= 6)
            courses(c, i, grade, absence, &r);
    }
}

/* ---- College ----------------------------------------------------------------- */

static double logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static int32_t weekday_between(int32_t from, int32_t to, synth_rng *r)
{
    int32_t day = from + (int32_t)synth_below(r, (uint32_t)(to - from + 1));
    while (slds_weekday(day) >= 5)
        day++;
    return day;
}

void synth_postsecondary(synth_ctx *c, uint32_t i, int year, int exit_code, synth_rng *r)
{
    const synth_model *m = &c->m;
    double z = synth_standing(c, i, 12);
    bool econ = c->st.flags[i] & FLAG_ECON;
    bool four_year;
    if (exit_code == EXIT_GRADUATED_REGULAR) {
        c->sum.graduates++;
        double p = logistic(m->college_intercept + m->college_achievement * z + (econ ? m->college_econ : 0));
        if (!synth_chance(r, p))
            return;
        four_year = synth_chance(r, logistic(m->college_four_year_intercept + m->college_four_year_achievement * z));
        c->sum.college_enrolled++;
        c->sum.college_four_year += four_year;
    } else {
        if (!synth_chance(r, m->college_other_completer))
            return;
        four_year = false;
        c->sum.completers_other_college++;
    }
    double u = synth_uniform(r);
    int32_t day = u < m->college_fall_share ? weekday_between((int32_t)slds_days_from_civil(year, 8, 18), (int32_t)slds_days_from_civil(year, 9, 5), r)
                  : u < m->college_fall_share + m->college_spring_share ? weekday_between((int32_t)slds_days_from_civil(year + 1, 1, 8), (int32_t)slds_days_from_civil(year + 1, 1, 25), r)
                             : weekday_between((int32_t)slds_days_from_civil(year + 1, 8, 18), (int32_t)slds_days_from_civil(year + 1, 9, 5), r);
    bool remedial = synth_chance(r, logistic(m->remedial_intercept + m->remedial_achievement * z +
                                             (four_year ? 0 : m->remedial_two_year)));
    if (exit_code == EXIT_GRADUATED_REGULAR)
        c->sum.college_remedial += remedial;
    double credits = four_year ? 48 + 9 * z - 10 * remedial : 28 + 7 * z - 8 * remedial;
    credits += 10 * synth_normal(r);
    if (synth_chance(r, 0.10))
        credits *= 0.4 * synth_uniform(r); /* stopped out */
    credits = clamp(round(credits), 0, four_year ? 72 : 64);
    int level = four_year;
    uint32_t k = c->inst_of[level][synth_pick_cumulative(r, c->cum_inst[level], c->n_inst[level])];
    synth_csv *f = synth_file(c, SLDS_SYNTH_POSTSECONDARY);
    synth_put_student_id(f, c, i);
    synth_csv_uint(f, c->institutions[k].id);
    synth_csv_str(f, four_year ? "4_YEAR" : "2_YEAR");
    synth_csv_date(f, day);
    synth_csv_str(f, remedial ? "Y" : "N");
    synth_csv_uint(f, (uint64_t)credits);
    synth_csv_end_row(f);
}
