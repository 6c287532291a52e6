/* population.c - the students: their compact per-student state (struct of
 * arrays), how a new student is drawn (sex, birth date, race/ethnicity,
 * program flags, starting achievement that depends on poverty), the yearly
 * changes of the flags, and student_attributes.csv. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/model.h"

int synth_students_reserve(synth_ctx *c, uint32_t extra)
{
    synth_students *st = &c->st;
    if (st->n + extra <= st->cap)
        return SLDS_OK;
    uint32_t cap = st->cap + st->cap / 2;
    if (cap < st->n + extra)
        cap = st->n + extra;
    GROW(st->state_id, cap);
    GROW(st->birth, cap);
    GROW(st->first_name, cap);
    GROW(st->last_name, cap);
    GROW(st->sex, cap);
    GROW(st->race, cap);
    GROW(st->flags, cap);
    GROW(st->status, cap);
    GROW(st->grade, cap);
    GROW(st->school, cap);
    GROW(st->arrival, cap);
    for (int s = 0; s < N_SUBJ; s++) {
        GROW(st->ach[s], cap);
        GROW(st->slope[s], cap);
        GROW(st->last_score[s], cap);
        GROW(c->yr.teacher_sum[s], cap);
    }
    GROW(st->absence_base, cap);
    GROW(st->effort, cap);
    GROW(st->absence_last, cap);
    GROW(st->suspended_last, cap);
    GROW(st->credit_halves, cap);
    GROW(st->cohort_year, cap);
    GROW(st->outcome, cap);
    GROW(st->outcome_year, cap);
    GROW(st->seen, (size_t)cap * MAX_DISTRICTS_SEEN);
    GROW(st->n_seen, cap);
    GROW(st->last_score_year, cap);
    GROW(st->last_score_grade, cap);
    /* The year's per-student scratch follows the same capacity. */
    synth_year *yr = &c->yr;
    GROW(yr->first_spell, cap);
    GROW(yr->spell_count, cap);
    GROW(yr->credit_halves_year, cap);
    GROW(yr->expulsion_day, cap);
    for (uint32_t i = st->cap; i < cap; i++) {
        yr->first_spell[i] = NONE32;
        yr->spell_count[i] = 0;
        yr->expulsion_day[i] = 0;
    }
    st->cap = cap;
    return SLDS_OK;
}

void synth_students_free(synth_students *st)
{
    free(st->state_id);
    free(st->birth);
    free(st->first_name);
    free(st->last_name);
    free(st->sex);
    free(st->race);
    free(st->flags);
    free(st->status);
    free(st->grade);
    free(st->school);
    free(st->arrival);
    for (int s = 0; s < N_SUBJ; s++) {
        free(st->ach[s]);
        free(st->slope[s]);
        free(st->last_score[s]);
    }
    free(st->absence_base);
    free(st->effort);
    free(st->absence_last);
    free(st->suspended_last);
    free(st->credit_halves);
    free(st->cohort_year);
    free(st->outcome);
    free(st->outcome_year);
    free(st->seen);
    free(st->n_seen);
    free(st->last_score_year);
    free(st->last_score_grade);
    memset(st, 0, sizeof *st);
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Race/ethnicity from the school's minority share; the minority mix is fixed. */
static int draw_race(synth_rng *r, const synth_school *sc, int lea_type)
{
    if (!synth_chance(r, sc->minority))
        return RACE_WHITE;
    double mix[N_RACE] = {[RACE_HISPANIC] = 0.46, [RACE_BLACK] = 0.30, [RACE_ASIAN] = 0.11,
                          [RACE_TWO_OR_MORE] = 0.09, [RACE_AM_INDIAN] = 0.03,
                          [RACE_PACIFIC_ISLANDER] = 0.01};
    if (lea_type == LEA_RURAL)
        mix[RACE_AM_INDIAN] = 0.15;
    double total = 0;
    for (int k = 0; k < N_RACE; k++)
        total += mix[k];
    double u = synth_uniform(r) * total;
    for (int k = 0; k < N_RACE; k++) {
        if (u < mix[k])
            return k;
        u -= mix[k];
    }
    return RACE_TWO_OR_MORE;
}

static uint8_t draw_flags(const synth_model *m, synth_rng *r, const synth_school *sc, int race, int sex,
                          int grade, int lea_type, bool from_outside)
{
    uint8_t flags = 0;
    double p_econ = clamp(sc->poverty * (race == RACE_WHITE ? 0.85 : 1.15), 0.01, 0.98);
    if (synth_chance(r, p_econ))
        flags |= FLAG_ECON;
    if (synth_chance(r, m->disability_rate * (sex ? 1.3 : 0.7)))
        flags |= FLAG_DISABILITY;
    double p_el = race == RACE_HISPANIC ? m->el_rate_hispanic : race == RACE_ASIAN ? m->el_rate_asian : m->el_rate_other;
    p_el *= grade <= 2 ? 1.3 : grade <= 5 ? 1.0 : grade <= 8 ? 0.6 : 0.5;
    if (synth_chance(r, p_el)) {
        flags |= FLAG_EL;
        if (from_outside && grade >= 1 && synth_chance(r, 0.3))
            flags |= FLAG_NEWCOMER;
    }
    if (synth_chance(r, m->homeless_rate + 0.025 * !!(flags & FLAG_ECON)))
        flags |= FLAG_HOMELESS;
    if (synth_chance(r, m->foster_rate))
        flags |= FLAG_FOSTER;
    if (synth_chance(r, m->migrant_rate * (lea_type == LEA_RURAL ? 4 : 1) * (race == RACE_HISPANIC ? 3 : 1)))
        flags |= FLAG_MIGRANT;
    return flags;
}

uint32_t synth_student_new(synth_ctx *c, int year, int grade, uint32_t school, synth_rng *r)
{
    synth_students *st = &c->st;
    const synth_model *m = &c->m;
    const synth_school *sc = &c->schools[school];
    int lea_type = c->leas[sc->lea].type;
    uint32_t i = st->n++;
    st->state_id[i] = synth_permute_billion(c->id_key, i);
    int sex = synth_chance(r, m->male_share);
    st->sex[i] = (uint8_t)sex;
    int race = draw_race(r, sc, lea_type);
    st->race[i] = (uint8_t)race;
    st->first_name[i] = synth_pick_first_name(r, sex, race);
    st->last_name[i] = synth_pick_last_name(r, race);
    bool from_outside = year > c->p.first_year;
    uint8_t flags = draw_flags(m, r, sc, race, sex, grade, lea_type, from_outside);
    /* Age 5 on September 1 in kindergarten; a few are a year older. */
    int32_t born = (int32_t)slds_days_from_civil(year - 7 - grade, 9, 2) + (int32_t)synth_below(r, 365);
    if (synth_chance(r, m->overage_share))
        born -= 365;
    st->birth[i] = born;

    double z_ela = synth_normal(r);
    double z_math = m->subject_correlation * z_ela +
                    sqrt(1 - m->subject_correlation * m->subject_correlation) * synth_normal(r);
    double shift = m->entry_shift_school_poverty * (sc->poverty - 0.45);
    if (flags & FLAG_ECON)
        shift += m->entry_shift_econ;
    if (flags & FLAG_DISABILITY)
        shift += m->entry_shift_disability;
    double shift_ela = shift + (flags & FLAG_EL ? m->entry_shift_el_ela : 0);
    double shift_math = shift + (flags & FLAG_EL ? m->entry_shift_el_math : 0);
    st->ach[SUBJ_ELA][i] =
        (float)(synth_mu(m, SUBJ_ELA, grade - 1) + synth_sd(m, SUBJ_ELA, grade - 1) * (z_ela + shift_ela));
    st->ach[SUBJ_MATH][i] = (float)(synth_mu(m, SUBJ_MATH, grade - 1) +
                                    synth_sd(m, SUBJ_MATH, grade - 1) * (z_math + shift_math));
    for (int s = 0; s < N_SUBJ; s++) {
        st->slope[s][i] = (float)(m->student_growth_sd * synth_normal(r) +
                                  (flags & FLAG_ECON ? m->student_growth_econ : 0));
        st->last_score[s][i] = 0;
    }
    double absence = m->absence_median * exp(m->absence_log_sd * synth_normal(r));
    if (flags & FLAG_ECON)
        absence *= m->absence_econ_factor;
    st->absence_base[i] = (float)clamp(absence, 0.002, 0.6);
    st->effort[i] = (float)synth_normal(r);
    st->absence_last[i] = (uint8_t)lround(100 * st->absence_base[i]);
    st->suspended_last[i] = 0;

    st->cohort_year[i] = (int16_t)(grade >= 9 ? year - (grade - 9) : 0);
    if (grade >= 9 && (flags & FLAG_ECON))
        flags |= FLAG_COHORT_ECON;
    st->flags[i] = flags;
    /* Students arriving in grades 10-12 bring credits earned elsewhere. */
    double prior = grade >= 10 ? (grade - 9) * 7.0 * (0.85 + 0.15 * synth_uniform(r)) : 0;
    st->credit_halves[i] = (uint8_t)lround(2 * prior);
    st->status[i] = STATUS_ACTIVE;
    st->grade[i] = (int8_t)grade;
    st->school[i] = school;
    st->arrival[i] = 0;
    st->outcome[i] = EXIT_OPEN;
    st->outcome_year[i] = 0;
    st->n_seen[i] = 0;
    st->last_score_year[i] = 0;
    st->last_score_grade[i] = 0;
    /* This year's scratch of a student created after the year opened. */
    c->yr.first_spell[i] = NONE32;
    c->yr.spell_count[i] = 0;
    c->yr.teacher_sum[SUBJ_ELA][i] = c->yr.teacher_sum[SUBJ_MATH][i] = 0;
    c->yr.credit_halves_year[i] = 0;
    c->yr.expulsion_day[i] = 0;
    return i;
}

double synth_standing(const synth_ctx *c, uint32_t student, int grade)
{
    const synth_model *m = &c->m;
    double z = 0;
    for (int s = 0; s < N_SUBJ; s++)
        z += (c->st.ach[s][student] - synth_mu(m, s, grade)) / synth_sd(m, s, grade);
    return z / N_SUBJ;
}

int synth_age_on_sep1(const synth_ctx *c, uint32_t student, int year)
{
    int32_t sep1 = (int32_t)slds_days_from_civil(year - 1, 9, 1);
    return (int)((sep1 - c->st.birth[student]) / 365.25);
}

void synth_attributes_next_year(synth_ctx *c, int year)
{
    synth_students *st = &c->st;
    const synth_model *m = &c->m;
    synth_rng r;
    synth_rng_seed(&r, c->p.seed, STREAM_ATTRIBUTES, (uint64_t)year);
    for (uint32_t i = 0; i < st->n; i++) {
        if (st->status[i] != STATUS_ACTIVE)
            continue;
        uint8_t f = st->flags[i] & (uint8_t)~FLAG_NEWCOMER;
        const synth_school *sc = &c->schools[st->school[i]];
        if (f & FLAG_ECON) {
            if (synth_chance(&r, m->econ_exit))
                f &= (uint8_t)~FLAG_ECON;
        } else if (synth_chance(&r, 0.02 + m->econ_entry_poverty * sc->poverty))
            f |= FLAG_ECON;
        if ((f & FLAG_EL) && synth_chance(&r, m->el_exit + (synth_standing(c, i, st->grade[i] - 1) > 0 ? 0.1 : 0)))
            f &= (uint8_t)~FLAG_EL;
        if (f & FLAG_DISABILITY) {
            if (synth_chance(&r, 0.03))
                f &= (uint8_t)~FLAG_DISABILITY;
        } else if (synth_chance(&r, st->grade[i] <= 3 ? 0.015 : 0.006))
            f |= FLAG_DISABILITY;
        bool homeless = (f & FLAG_HOMELESS) ? synth_chance(&r, 0.4)
                                            : synth_chance(&r, m->homeless_rate + 0.025 * !!(f & FLAG_ECON));
        f = homeless ? (f | FLAG_HOMELESS) : (f & (uint8_t)~FLAG_HOMELESS);
        bool foster = (f & FLAG_FOSTER) ? synth_chance(&r, 0.7) : synth_chance(&r, 0.001);
        f = foster ? (f | FLAG_FOSTER) : (f & (uint8_t)~FLAG_FOSTER);
        bool migrant = (f & FLAG_MIGRANT) ? synth_chance(&r, 0.75) : synth_chance(&r, 0.0005);
        f = migrant ? (f | FLAG_MIGRANT) : (f & (uint8_t)~FLAG_MIGRANT);
        /* A student promoted into grade 9 for next year begins an ACGR cohort
         * then: the cohort's poverty flag is next year's (the flag written to
         * student_attributes for the cohort year), not this year's. */
        if (st->cohort_year[i] == year + 1)
            f = (f & (uint8_t)~FLAG_COHORT_ECON) | ((f & FLAG_ECON) ? FLAG_COHORT_ECON : 0);
        st->flags[i] = f;
    }
}

static void put_flag(synth_csv *f, uint8_t flags, uint8_t bit)
{
    synth_csv_strn(f, (flags & bit) ? "Y" : "N", 1);
}

void synth_write_attributes(synth_ctx *c)
{
    synth_csv *f = synth_file(c, SLDS_SYNTH_STUDENT_ATTRIBUTES);
    const synth_students *st = &c->st;
    for (uint32_t i = 0; i < st->n; i++) {
        if (c->yr.first_spell[i] == NONE32)
            continue;
        uint8_t flags = st->flags[i];
        synth_put_student_id(f, c, i);
        synth_csv_uint(f, (uint64_t)c->yr.year);
        synth_csv_str(f, synth_race_codes[st->race[i]]);
        put_flag(f, flags, FLAG_ECON);
        put_flag(f, flags, FLAG_DISABILITY);
        put_flag(f, flags, FLAG_EL);
        put_flag(f, flags, FLAG_HOMELESS);
        put_flag(f, flags, FLAG_FOSTER);
        put_flag(f, flags, FLAG_MIGRANT);
        synth_csv_end_row(f);
    }
}
