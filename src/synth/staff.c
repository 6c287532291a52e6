/* staff.c - educators: hiring, attrition, transfers inside a district,
 * mid-year replacements, principals; each teacher's true effect (program +
 * early-career penalty + individual part); staff_assignments.csv and
 * observations.csv every year, staff.csv at the end.
 *
 * Positions follow enrollment: each school needs one self-contained teacher
 * per KG-5 class, subject teachers for the 6-12 sections (ELA, MATH,
 * SCIENCE), special-education and English-learner teachers, and one
 * principal. A district first moves its surplus teachers into its vacancies,
 * then hires; the least senior surplus teachers leave. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/model.h"

static int staff_reserve(synth_ctx *c, uint32_t extra)
{
    synth_staff *sf = &c->sf;
    if (sf->n + extra <= sf->cap)
        return SLDS_OK;
    uint32_t cap = sf->cap + sf->cap / 2;
    if (cap < sf->n + extra)
        cap = sf->n + extra + 1024;
    GROW(sf->school, cap);
    GROW(sf->lea, cap);
    GROW(sf->kind, cap);
    GROW(sf->program, cap);
    GROW(sf->sex, cap);
    GROW(sf->part_time, cap);
    GROW(sf->first_name, cap);
    GROW(sf->last_name, cap);
    GROW(sf->experience0, cap);
    GROW(sf->first_year, cap);
    GROW(sf->district_start, cap);
    GROW(sf->last_year, cap);
    GROW(sf->quality, cap);
    GROW(sf->leave_day, cap);
    GROW(sf->start_day, cap);
    GROW(sf->replacement, cap);
    GROW(sf->taught, cap);
    for (int s = 0; s < N_SUBJ; s++) {
        GROW(sf->individual[s], cap);
        GROW(sf->effect_sum[s], cap);
        GROW(sf->effect_years[s], cap);
    }
    GROW(c->yr.pool, cap);
    sf->cap = cap;
    return SLDS_OK;
}

void synth_staff_free(synth_staff *sf)
{
    free(sf->school);
    free(sf->lea);
    free(sf->kind);
    free(sf->program);
    free(sf->sex);
    free(sf->part_time);
    free(sf->first_name);
    free(sf->last_name);
    free(sf->experience0);
    free(sf->first_year);
    free(sf->district_start);
    free(sf->last_year);
    free(sf->quality);
    free(sf->leave_day);
    free(sf->start_day);
    free(sf->replacement);
    free(sf->taught);
    for (int s = 0; s < N_SUBJ; s++) {
        free(sf->individual[s]);
        free(sf->effect_sum[s]);
        free(sf->effect_years[s]);
    }
    memset(sf, 0, sizeof *sf);
}

static bool rostered_kind(int kind)
{
    return kind == KIND_ELEMENTARY || kind == KIND_ELA || kind == KIND_MATH;
}

/* Experience of a teacher already in the state when the data begin. */
static int initial_experience(synth_rng *r, int kind)
{
    if (kind == KIND_PRINCIPAL)
        return synth_range(r, 5, 28);
    int e = (int)floor(-log(1 - synth_uniform(r)) * 11.0);
    return e > 40 ? 40 : e;
}

static uint32_t staff_new(synth_ctx *c, uint32_t school, int kind, bool initial, synth_rng *r)
{
    synth_staff *sf = &c->sf;
    const synth_model *m = &c->m;
    int year = c->yr.year;
    uint32_t t = sf->n++;
    sf->school[t] = school;
    sf->lea[t] = (uint16_t)c->schools[school].lea;
    sf->kind[t] = (uint8_t)kind;
    sf->program[t] = (uint8_t)synth_pick_cumulative(r, c->program_cum, c->n_programs);
    int sex = !synth_chance(r, kind == KIND_PRINCIPAL ? 0.55 : 0.76);
    sf->sex[t] = (uint8_t)sex;
    int race = synth_chance(r, 0.6 * c->schools[school].minority) ? (int)synth_below(r, 4) : RACE_WHITE;
    sf->first_name[t] = synth_pick_first_name(r, sex, race);
    sf->last_name[t] = synth_pick_last_name(r, race);
    int experience;
    if (initial)
        experience = initial_experience(r, kind);
    else if (kind == KIND_PRINCIPAL)
        experience = synth_range(r, 6, 25);
    else
        experience = synth_chance(r, m->new_teacher_share) ? 0 : synth_range(r, 1, 20);
    sf->experience0[t] = (int16_t)experience;
    sf->first_year[t] = (int16_t)year;
    sf->district_start[t] = (int16_t)(initial ? year - synth_range(r, 0, experience) : year);
    sf->last_year[t] = (int16_t)year;
    double u = synth_normal(r);
    double v = m->teacher_subject_corr * u + sqrt(1 - m->teacher_subject_corr * m->teacher_subject_corr) *
                                                 synth_normal(r);
    sf->individual[SUBJ_ELA][t] = 0;
    sf->individual[SUBJ_MATH][t] = 0;
    if (kind == KIND_ELEMENTARY || kind == KIND_ELA)
        sf->individual[SUBJ_ELA][t] = (float)(m->teacher_effect_sd_ela * u);
    if (kind == KIND_ELEMENTARY || kind == KIND_MATH)
        sf->individual[SUBJ_MATH][t] = (float)(m->teacher_effect_sd_math * (kind == KIND_MATH ? u : v));
    sf->quality[t] = (float)u;
    sf->part_time[t] = !rostered_kind(kind) && kind != KIND_PRINCIPAL && synth_chance(r, 0.05);
    sf->leave_day[t] = 0;
    sf->start_day[t] = 0;
    sf->replacement[t] = NONE32;
    sf->taught[t] = 0;
    for (int s = 0; s < N_SUBJ; s++) {
        sf->effect_sum[s][t] = 0;
        sf->effect_years[s][t] = 0;
    }
    return t;
}

static int experience_in(const synth_ctx *c, uint32_t t, int year)
{
    return c->sf.experience0[t] + (year - c->sf.first_year[t]);
}

double synth_teacher_effect(const synth_ctx *c, uint32_t t, int subj, int year)
{
    const synth_staff *sf = &c->sf;
    return c->programs[sf->program[t]].effect[subj] +
           synth_experience_effect(&c->m, experience_in(c, t, year)) + sf->individual[subj][t];
}

uint32_t synth_sections(const synth_ctx *c, uint32_t school, int grade)
{
    uint32_t n = c->yr.grade_count[(size_t)school * N_GRADES + (size_t)GI(grade)];
    double size = grade <= 5 ? c->m.class_size_elementary : c->m.class_size_secondary;
    if (grade == GRADE_PK)
        size = 18;
    return (uint32_t)ceil(n / size);
}

static void positions_needed(const synth_ctx *c, uint32_t school, uint32_t need[N_KINDS])
{
    memset(need, 0, N_KINDS * sizeof *need);
    uint32_t total = 0, sections = 0;
    for (int g = GRADE_PK; g <= 12; g++)
        total += c->yr.grade_count[(size_t)school * N_GRADES + (size_t)GI(g)];
    need[KIND_PK] = synth_sections(c, school, GRADE_PK);
    for (int g = GRADE_KG; g <= 5; g++)
        need[KIND_ELEMENTARY] += synth_sections(c, school, g);
    for (int g = 6; g <= 12; g++)
        sections += synth_sections(c, school, g);
    uint32_t subject_teachers = (uint32_t)ceil(sections / c->m.sections_per_teacher);
    need[KIND_ELA] = need[KIND_MATH] = need[KIND_SCIENCE] = subject_teachers;
    need[KIND_SPED] = total ? (uint32_t)fmax(1.0, round(total / c->m.sped_students_per_teacher)) : 0;
    need[KIND_EL] =
        c->yr.el_count[school] >= 10 ? (uint32_t)ceil(c->yr.el_count[school] / c->m.el_students_per_teacher) : 0;
    need[KIND_PRINCIPAL] = total ? 1 : 0;
}

/* Active staff grouped by (school, kind), in index (seniority) order. */
static int build_pools(synth_ctx *c)
{
    synth_year *yr = &c->yr;
    const synth_staff *sf = &c->sf;
    size_t keys = (size_t)c->n_schools * N_KINDS;
    memset(yr->pool_start, 0, (keys + 1) * sizeof *yr->pool_start);
    for (uint32_t t = 0; t < sf->n; t++)
        if (sf->school[t] != NONE32 && !sf->start_day[t])
            yr->pool_start[(size_t)sf->school[t] * N_KINDS + sf->kind[t] + 1]++;
    for (size_t k = 0; k < keys; k++)
        yr->pool_start[k + 1] += yr->pool_start[k];
    uint32_t *next = malloc((keys + 1) * sizeof *next);
    if (!next)
        return SLDS_ERR_NOMEM;
    memcpy(next, yr->pool_start, (keys + 1) * sizeof *next);
    for (uint32_t t = 0; t < sf->n; t++)
        if (sf->school[t] != NONE32 && !sf->start_day[t])
            yr->pool[next[(size_t)sf->school[t] * N_KINDS + sf->kind[t]]++] = t;
    free(next);
    return SLDS_OK;
}

static void attrition(synth_ctx *c, synth_rng *r)
{
    synth_staff *sf = &c->sf;
    const synth_model *m = &c->m;
    for (uint32_t t = 0; t < sf->n; t++) {
        if (sf->school[t] == NONE32)
            continue;
        double p = m->teacher_attrition;
        if (sf->kind[t] == KIND_PRINCIPAL)
            p = m->principal_attrition;
        else {
            int experience = experience_in(c, t, c->yr.year);
            if (experience <= 3)
                p += m->teacher_attrition_early;
            if (experience >= 30)
                p += m->retirement_attrition;
            if (c->schools[sf->school[t]].poverty > 0.6)
                p += m->teacher_attrition_poverty;
        }
        if (synth_chance(r, p))
            sf->school[t] = NONE32;
    }
}

typedef struct id_list {
    uint32_t *ids;
    uint32_t n, cap;
} id_list;

static int list_push(id_list *l, uint32_t id)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? 2 * l->cap : 64;
        uint32_t *p = realloc(l->ids, cap * sizeof *p);
        if (!p)
            return SLDS_ERR_NOMEM;
        l->ids = p;
        l->cap = cap;
    }
    l->ids[l->n++] = id;
    return SLDS_OK;
}

/* Fills the district's vacancies: surplus teachers of the same kind first,
 * then new hires; whoever is left over leaves. */
static int staff_district(synth_ctx *c, uint32_t lea, bool initial, synth_rng *r)
{
    synth_year *yr = &c->yr;
    const synth_lea *l = &c->leas[lea];
    id_list surplus[N_KINDS] = {{0}};
    uint32_t (*need)[N_KINDS] = malloc(l->n_schools * sizeof *need);
    int rc = need ? SLDS_OK : SLDS_ERR_NOMEM;
    for (uint32_t k = 0; !rc && k < l->n_schools; k++) {
        uint32_t s = l->first_school + k;
        positions_needed(c, s, need[k]);
        for (int kind = 0; kind < N_KINDS && !rc; kind++) {
            uint32_t from = yr->pool_start[(size_t)s * N_KINDS + kind];
            uint32_t to = yr->pool_start[(size_t)s * N_KINDS + kind + 1];
            for (uint32_t p = from + need[k][kind]; p < to && !rc; p++)
                rc = list_push(&surplus[kind], yr->pool[p]);
            need[k][kind] = to - from >= need[k][kind] ? 0 : need[k][kind] - (to - from);
        }
    }
    uint32_t used[N_KINDS] = {0};
    for (uint32_t k = 0; !rc && k < l->n_schools; k++) {
        uint32_t s = l->first_school + k;
        for (int kind = 0; kind < N_KINDS && !rc; kind++)
            for (uint32_t v = 0; v < need[k][kind] && !rc; v++) {
                if (used[kind] < surplus[kind].n)
                    c->sf.school[surplus[kind].ids[used[kind]++]] = s;
                else if (!(rc = staff_reserve(c, 1)))
                    staff_new(c, s, kind, initial, r);
            }
    }
    for (int kind = 0; kind < N_KINDS; kind++) {
        for (uint32_t k = used[kind]; !rc && k < surplus[kind].n; k++) {
            uint32_t t = surplus[kind].ids[k];
            c->sf.school[t] = NONE32;
        }
        free(surplus[kind].ids);
    }
    free(need);
    return rc;
}

static int add_hire(synth_year *yr, uint32_t t)
{
    if (yr->n_hires == yr->cap_hires) {
        uint32_t cap = yr->cap_hires ? 2 * yr->cap_hires : 256;
        uint32_t *p = realloc(yr->hires, cap * sizeof *p);
        if (!p)
            return SLDS_ERR_NOMEM;
        yr->hires = p;
        yr->cap_hires = cap;
    }
    yr->hires[yr->n_hires++] = t;
    return SLDS_OK;
}

/* Some teachers leave during the year; a new hire takes their classes. */
static int midyear_replacements(synth_ctx *c, synth_rng *r)
{
    synth_year *yr = &c->yr;
    const synth_calendar *cal = &yr->cal;
    uint32_t n_pool = yr->pool_start[(size_t)c->n_schools * N_KINDS];
    yr->n_hires = 0;
    for (uint32_t p = 0; p < n_pool; p++) {
        uint32_t t = yr->pool[p];
        if (!rostered_kind(c->sf.kind[t]) || !synth_chance(r, c->m.teacher_midyear_change))
            continue;
        if (staff_reserve(c, 1))
            return SLDS_ERR_NOMEM;
        t = yr->pool[p]; /* the pool may have moved */
        int k = synth_range(r, 30, cal->n_days - 40);
        uint32_t hire = staff_new(c, c->sf.school[t], c->sf.kind[t], false, r);
        c->sf.leave_day[t] = cal->day_at[k];
        c->sf.start_day[hire] = cal->day_at[k + 1];
        c->sf.replacement[t] = hire;
        c->sum.midyear_teacher_changes++;
        if (add_hire(yr, hire))
            return SLDS_ERR_NOMEM;
    }
    return SLDS_OK;
}

static const char *subject_area(int kind)
{
    switch (kind) {
    case KIND_ELA: return "ELA";
    case KIND_MATH: return "MATH";
    case KIND_SCIENCE: return "SCIENCE";
    case KIND_SPED: return "SPECIAL_EDUCATION";
    case KIND_EL: return "ENGLISH_LEARNER";
    case KIND_PRINCIPAL: return "";
    default: return "OTHER";
    }
}

static void write_assignment(synth_ctx *c, uint32_t t)
{
    synth_csv *f = synth_file(c, SLDS_SYNTH_STAFF_ASSIGNMENTS);
    const synth_staff *sf = &c->sf;
    synth_put_staff_id(f, t);
    synth_put_school_id(f, sf->school[t]);
    synth_csv_uint(f, (uint64_t)c->yr.year);
    synth_csv_str(f, sf->kind[t] == KIND_PRINCIPAL ? "PRINCIPAL" : "TEACHER");
    synth_csv_str(f, subject_area(sf->kind[t]));
    synth_csv_str(f, sf->part_time[t] ? "0.50" : "1.00");
    synth_csv_end_row(f);
    if (sf->kind[t] == KIND_PRINCIPAL)
        c->sum.principal_years++;
    else
        c->sum.teacher_years++;
}

/* How good a teacher truly is this year, in SDs (what observers partly see). */
static double effect_z(const synth_ctx *c, uint32_t t)
{
    const synth_model *m = &c->m;
    int kind = c->sf.kind[t];
    if (!rostered_kind(kind))
        return c->sf.quality[t];
    double z = 0;
    int n = 0;
    for (int s = 0; s < N_SUBJ; s++) {
        if ((kind == KIND_ELA && s != SUBJ_ELA) || (kind == KIND_MATH && s != SUBJ_MATH))
            continue;
        double sd = s == SUBJ_ELA ? m->teacher_effect_sd_ela : m->teacher_effect_sd_math;
        sd = sqrt(sd * sd + m->program_effect_sd * m->program_effect_sd);
        z += synth_teacher_effect(c, t, s, c->yr.year) / sd;
        n++;
    }
    return z / n;
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void write_observations(synth_ctx *c, uint32_t t, synth_rng *r)
{
    const synth_model *m = &c->m;
    if (c->sf.kind[t] == KIND_PRINCIPAL)
        return;
    synth_csv *f = synth_file(c, SLDS_SYNTH_OBSERVATIONS);
    double z = effect_z(c, t);
    double observation = clamp(2.9 + m->observation_weight * z + m->observation_noise * synth_normal(r), 1, 4);
    double survey = clamp(3.0 + m->survey_weight * z + m->survey_noise * synth_normal(r), 1, 4);
    synth_put_staff_id(f, t);
    synth_csv_uint(f, (uint64_t)c->yr.year);
    synth_csv_str(f, "OBSERVATION");
    synth_csv_fixed(f, observation, 2);
    synth_csv_end_row(f);
    synth_put_staff_id(f, t);
    synth_csv_uint(f, (uint64_t)c->yr.year);
    synth_csv_str(f, "SURVEY");
    synth_csv_fixed(f, survey, 2);
    synth_csv_end_row(f);
}

int synth_staffing(synth_ctx *c)
{
    synth_year *yr = &c->yr;
    synth_staff *sf = &c->sf;
    bool initial = yr->year == c->p.first_year;
    synth_rng r;
    synth_rng_seed(&r, c->p.seed, STREAM_STAFF, (uint64_t)yr->year);
    for (uint32_t t = 0; t < sf->n; t++) {
        sf->leave_day[t] = 0;
        sf->start_day[t] = 0;
        sf->replacement[t] = NONE32;
        sf->taught[t] = 0;
    }
    if (!initial)
        attrition(c, &r);
    if (staff_reserve(c, 1) || build_pools(c))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory (staff)");
    for (uint32_t l = 0; l < c->n_leas; l++)
        if (staff_district(c, l, initial, &r))
            return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory (staff)");
    if (staff_reserve(c, 1) || build_pools(c))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory (staff)");
    if (midyear_replacements(c, &r))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory (staff)");
    uint32_t n_pool = yr->pool_start[(size_t)c->n_schools * N_KINDS];
    for (uint32_t p = 0; p < n_pool; p++) {
        uint32_t t = yr->pool[p];
        sf->last_year[t] = (int16_t)yr->year;
        write_assignment(c, t);
        write_observations(c, t, &r);
    }
    for (uint32_t h = 0; h < yr->n_hires; h++) {
        write_assignment(c, yr->hires[h]);
        write_observations(c, yr->hires[h], &r);
    }
    return SLDS_OK;
}

/* Closes the year's books: the truth of each teacher's rostered years, and
 * teachers who left mid-year are gone. */
void synth_staff_close_year(synth_ctx *c)
{
    synth_staff *sf = &c->sf;
    synth_csv *f = &c->teacher_year_log;
    int year = c->yr.year;
    static const char *const subjects[N_SUBJ] = {"ELA", "MATH"};
    for (uint32_t t = 0; t < sf->n; t++) {
        for (int s = 0; s < N_SUBJ; s++) {
            if (!(sf->taught[t] & (1u << s)))
                continue;
            double program = c->programs[sf->program[t]].effect[s];
            int experience = experience_in(c, t, year);
            double early = synth_experience_effect(&c->m, experience);
            double total = synth_teacher_effect(c, t, s, year);
            sf->effect_sum[s][t] += total;
            sf->effect_years[s][t]++;
            synth_put_staff_id(f, t);
            synth_csv_uint(f, (uint64_t)year);
            synth_csv_str(f, subjects[s]);
            synth_csv_fixed(f, total, 3);
            synth_csv_fixed(f, program, 3);
            synth_csv_fixed(f, early, 3);
            synth_csv_fixed(f, sf->individual[s][t], 3);
            synth_csv_uint(f, (uint64_t)experience);
            synth_csv_end_row(f);
        }
        if (sf->leave_day[t])
            sf->school[t] = NONE32;
    }
}

int synth_write_staff(synth_ctx *c)
{
    const synth_staff *sf = &c->sf;
    synth_csv *f = synth_file(c, SLDS_SYNTH_STAFF);
    for (uint32_t t = 0; t < sf->n; t++) {
        int experience = sf->experience0[t] + (sf->last_year[t] - sf->first_year[t]);
        int in_district = sf->last_year[t] - sf->district_start[t];
        /* Tenure after three years in the district, for almost everyone. */
        bool tenured = in_district >= 3 && (synth_hash(c->p.seed, STREAM_STAFF, t, 7) % 100) < 93;
        synth_put_staff_id(f, t);
        synth_put_lea_id(f, sf->lea[t]);
        synth_csv_text(f, synth_first_name(sf->first_name[t]));
        synth_csv_text(f, synth_last_name(sf->last_name[t]));
        synth_put_program_id(f, sf->program[t]);
        synth_csv_str(f, c->programs[sf->program[t]].alternative ? "ALTERNATIVE" : "TRADITIONAL");
        synth_csv_uint(f, (uint64_t)experience);
        synth_csv_str(f, tenured ? "Y" : "N");
        synth_csv_end_row(f);
    }
    return SLDS_OK;
}
