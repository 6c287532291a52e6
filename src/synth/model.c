/* model.c - the model's parameters and the small formulas built on them:
 * nominal means and SDs of achievement by grade, performance-level cuts,
 * the early-career penalty. */
#include <math.h>

#include "synth/model.h"

const char *const synth_exit_codes[N_EXIT] = {
    "",          "PROMOTED",         "TRANSFER_IN_STATE", "TRANSFER_OUT_OF_STATE",
    "TRANSFER_PRIVATE", "TRANSFER_HOME_SCHOOL", "EMIGRATED", "DECEASED",
    "DROPOUT",   "GRADUATED_REGULAR", "COMPLETED_OTHER",  "EXPELLED"};

const char *const synth_race_codes[N_RACE] = {"HISPANIC", "AM_INDIAN", "ASIAN", "BLACK",
                                              "PACIFIC_ISLANDER", "WHITE", "TWO_OR_MORE"};

/* Mean growth during a year spent in each grade, PK..12: fast in the early
 * grades, slowing down later (a vertical scale's usual shape). */
static const double default_growth[N_SUBJ][N_GRADES] = {
    {45, 55, 50, 45, 42, 38, 34, 31, 28, 26, 22, 20, 18, 15},
    {45, 55, 50, 46, 43, 40, 36, 33, 30, 27, 24, 21, 18, 15},
};

#define GRADE3_MEAN 400.0

void synth_model_default(synth_model *m)
{
#define SYNTH_DEFAULT(name, value, about) m->name = value;
    SYNTH_MODEL_SCALARS(SYNTH_DEFAULT)
#undef SYNTH_DEFAULT
    for (int s = 0; s < N_SUBJ; s++) {
        double before = GRADE3_MEAN;
        for (int g = GRADE_PK; g <= 12; g++) {
            m->growth[s][GI(g)] = default_growth[s][GI(g)];
            if (g <= 3)
                before -= m->growth[s][GI(g)];
        }
        m->mu_before_pk[s] = before;
    }
    const double z[3] = {m->cut_level2_z, m->cut_level3_z, m->cut_level4_z};
    for (int s = 0; s < N_SUBJ; s++) {
        double sem = s == SUBJ_ELA ? m->sem_ela : m->sem_math;
        for (int g = GRADE_PK; g <= 12; g++) {
            double sd = synth_sd(m, s, g);
            double observed_sd = sqrt(sd * sd + sem * sem);
            for (int k = 0; k < 3; k++)
                m->cuts[s][GI(g)][k] = (int)lround(synth_mu(m, s, g) + z[k] * observed_sd);
        }
    }
}

double synth_mu(const synth_model *m, int subj, int grade)
{
    double mu = m->mu_before_pk[subj];
    for (int g = GRADE_PK; g <= grade && g <= 12; g++)
        mu += m->growth[subj][GI(g)];
    return mu;
}

double synth_sd(const synth_model *m, int subj, int grade)
{
    /* Variance accumulates from the spring before PK: each year adds growth
     * noise, school and teacher effects, and the student's own slope adds up
     * linearly (so its variance grows with the square of the years). */
    double years = grade + 2;
    if (years < 0)
        years = 0;
    double school = subj == SUBJ_ELA ? m->school_effect_sd_ela : m->school_effect_sd_math;
    double teacher = subj == SUBJ_ELA ? m->teacher_effect_sd_ela : m->teacher_effect_sd_math;
    double per_year = m->growth_noise_sd * m->growth_noise_sd + school * school + teacher * teacher +
                      m->program_effect_sd * m->program_effect_sd;
    double slope = years * m->student_growth_sd;
    return sqrt(m->achievement_sd_before_pk * m->achievement_sd_before_pk + years * per_year +
                slope * slope);
}

int synth_level(const int cuts[3], double score)
{
    int level = 1;
    for (int k = 0; k < 3; k++)
        if (score >= cuts[k])
            level = k + 2;
    return level;
}

double synth_experience_effect(const synth_model *m, int experience)
{
    if (experience < 0)
        experience = 0;
    return -m->early_career_penalty * exp(-(double)experience / m->early_career_scale);
}
