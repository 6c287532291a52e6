/* world.c - the state's fixed parts: districts of very different sizes (one
 * big city, several mid-sized, many small towns and rural districts), their
 * schools (elementary K-5, middle 6-8, high 9-12, K-12 in the smallest
 * districts, charters), poverty and minority shares, Title I status, the
 * true school effects; preparation programs and colleges. Writes
 * schools.csv and prep_programs.csv at once and leas.csv at the end (its
 * counts are the realized ones of the last year). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/model.h"

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double lognormal(synth_rng *r, double sigma)
{
    return exp(sigma * synth_normal(r));
}

typedef struct sized {
    double size;
    uint32_t index;
} sized;

static int by_size_desc(const void *a, const void *b)
{
    const sized *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* District sizes: the city takes a fixed share; the others follow a heavy
 * tailed (log-normal) law, so a few are mid-sized and most are small. */
static void district_sizes(synth_rng *r, double students, double city_min, uint32_t n, double *sizes)
{
    double city_share = fmax(city_min, 1.5 / n);
    sizes[0] = students * city_share;
    sized *rest = malloc((n - 1) * sizeof *rest);
    double total = 0;
    for (uint32_t i = 0; i + 1 < n; i++) {
        rest[i].size = lognormal(r, 1.0);
        rest[i].index = i;
        total += rest[i].size;
    }
    double remaining = students - sizes[0];
    for (uint32_t i = 0; i + 1 < n; i++)
        rest[i].size *= remaining / total;
    /* No other district may rival the city: cap at 60% of it, spread the rest. */
    for (int pass = 0; pass < 4; pass++) {
        double excess = 0, free_total = 0, cap = 0.6 * sizes[0];
        for (uint32_t i = 0; i + 1 < n; i++) {
            if (rest[i].size > cap) {
                excess += rest[i].size - cap;
                rest[i].size = cap;
            } else
                free_total += rest[i].size;
        }
        if (excess <= 0 || free_total <= 0) {
            sizes[0] += excess;
            break;
        }
        for (uint32_t i = 0; i + 1 < n; i++)
            if (rest[i].size < cap)
                rest[i].size += excess * rest[i].size / free_total;
    }
    qsort(rest, n - 1, sizeof *rest, by_size_desc);
    for (uint32_t i = 0; i + 1 < n; i++)
        sizes[i + 1] = rest[i].size;
    free(rest);
}

/* Kinds of district: mean poverty and minority shares, the spread of school
 * poverty within the district, typical school sizes by level. */
static const synth_lea_profile profiles[] = {
    [LEA_CITY] = {"CITY", "City Schools", 0.68, 0.75, 0.15, 480, 700, 1400},
    [LEA_SUBURB] = {"SUBURB", "Public Schools", 0.28, 0.35, 0.10, 480, 650, 1200},
    [LEA_TOWN] = {"TOWN", "School District", 0.45, 0.25, 0.10, 380, 450, 700},
    [LEA_RURAL] = {"RURAL", "County Schools", 0.50, 0.15, 0.08, 300, 300, 400},
};

const synth_lea_profile *synth_lea_profile_of(int type)
{
    return &profiles[type];
}

static void name_lea(synth_lea *lea, uint32_t index)
{
    static const char *const prefixes[] = {"", "North ", "South ", "East ", "West ", "Upper ", "Lower ",
                                           "New ", "Central ", "Greater "};
    uint32_t places = synth_place_count();
    uint32_t round = index / places % 10;
    snprintf(lea->name, sizeof lea->name, "%s%s %s", prefixes[round], synth_place_name(index),
             profiles[lea->type].suffix);
}

static synth_school *add_school(synth_ctx *c, uint32_t lea, int level, double size, bool charter)
{
    synth_school *s = &c->schools[c->n_schools++];
    memset(s, 0, sizeof *s);
    s->lea = lea;
    s->level = level;
    s->charter = charter;
    s->target_size = size;
    switch (level) {
    case LEVEL_ELEMENTARY: s->grade_lo = GRADE_KG; s->grade_hi = 5; break;
    case LEVEL_MIDDLE: s->grade_lo = 6; s->grade_hi = 8; break;
    case LEVEL_HIGH: s->grade_lo = 9; s->grade_hi = 12; break;
    default: s->grade_lo = GRADE_KG; s->grade_hi = 12; break;
    }
    return s;
}

static void name_school(synth_school *s, const synth_lea *lea, synth_rng *r)
{
    const char *namesake = synth_school_namesake(synth_below(r, synth_school_namesake_count()));
    static const char *const level_words[] = {"Elementary School", "Middle School", "High School",
                                              "K-12 School"};
    if (s->level == LEVEL_OTHER) {
        /* The one school of a small district carries the district's place name. */
        const char *place = lea->name;
        const char *space = strstr(place, " County Schools");
        int len = space ? (int)(space - place) : (int)strlen(place);
        snprintf(s->name, sizeof s->name, "%.*s K-12 School", len, place);
    } else if (s->charter)
        snprintf(s->name, sizeof s->name, "%s %s", namesake,
                 s->level == LEVEL_ELEMENTARY ? "Charter Academy" : s->level == LEVEL_MIDDLE
                                                                      ? "Preparatory Charter School"
                                                                      : "Charter High School");
    else
        snprintf(s->name, sizeof s->name, "%s %s", namesake, level_words[s->level]);
}

/* A school's poverty and minority shares, Title I and PK, true effects
 * (partly explained by poverty), practice platform and name. */
static void draw_school_traits(const synth_ctx *c, synth_school *sc, const synth_lea *lea, synth_rng *r)
{
    const synth_model *m = &c->m;
    const synth_lea_profile *pr = &profiles[lea->type];
    double pov = lea->poverty + pr->school_poverty_sd * synth_normal(r) + (sc->charter ? 0.05 : 0);
    sc->poverty = clamp(pov, 0.03, 0.97);
    sc->minority =
        clamp(lea->minority + 0.7 * (sc->poverty - lea->poverty) + 0.08 * synth_normal(r), 0.01, 0.99);
    sc->title1 = sc->poverty >= m->title1_poverty ||
                 (sc->poverty >= m->title1_poverty_in_district && sc->poverty >= lea->poverty);
    sc->has_pk = sc->title1 && !sc->charter && (sc->level == LEVEL_ELEMENTARY || sc->level == LEVEL_OTHER) &&
                 synth_chance(r, m->pk_in_title1_elementary);
    if (sc->has_pk)
        sc->grade_lo = GRADE_PK;
    double z_pov = (sc->poverty - 0.45) / 0.2, rho = m->school_effect_poverty_corr;
    double u_ela = synth_normal(r);
    double u_math = m->school_effect_subject_corr * u_ela +
                    sqrt(1 - m->school_effect_subject_corr * m->school_effect_subject_corr) * synth_normal(r);
    double share = sqrt(1 - rho * rho);
    sc->effect[SUBJ_ELA] = m->school_effect_sd_ela * (rho * z_pov / 1.2 + share * u_ela);
    sc->effect[SUBJ_MATH] = m->school_effect_sd_math * (rho * z_pov / 1.2 + share * u_math);
    sc->practice = sc->grade_lo <= 8 && sc->grade_hi >= 3 && synth_chance(r, m->practice_school_share);
    name_school(sc, lea, r);
}

/* Shares of enrollment by level (grades KG-5, 6-8, 9-12 of 13). */
static const double level_share[3] = {6.0 / 13, 3.0 / 13, 4.0 / 13};

static void build_district_schools(synth_ctx *c, uint32_t lea_index, synth_rng *r)
{
    synth_lea *lea = &c->leas[lea_index];
    const synth_lea_profile *pr = &profiles[lea->type];
    lea->first_school = c->n_schools;
    double size = lea->target_students;
    if (size < 450) {
        add_school(c, lea_index, LEVEL_OTHER, size, false);
    } else {
        const double typical[3] = {pr->elementary_size, pr->middle_size, pr->high_size};
        int count[3];
        for (int l = 0; l < 3; l++) {
            count[l] = (int)lround(size * level_share[l] / typical[l]);
            if (count[l] < 1)
                count[l] = 1;
            for (int k = 0; k < count[l]; k++)
                add_school(c, lea_index, l, typical[l] * lognormal(r, 0.2), false);
        }
        int total = count[0] + count[1] + count[2];
        int charters = 0;
        if (lea->type == LEA_CITY)
            charters = (int)lround(c->m.charter_share_city * total);
        else if (lea->type == LEA_SUBURB && total >= 8 && synth_chance(r, 0.5))
            charters = 1;
        for (int k = 0; k < charters; k++) {
            double u = synth_uniform(r);
            int l = u < 0.5 ? LEVEL_ELEMENTARY : u < 0.75 ? LEVEL_MIDDLE : LEVEL_HIGH;
            add_school(c, lea_index, l, 0.7 * typical[l] * lognormal(r, 0.2), true);
        }
        /* Scale each level's schools to the district's enrollment in it. */
        for (int l = 0; l < 3; l++) {
            double have = 0;
            for (uint32_t s = lea->first_school; s < c->n_schools; s++)
                if (c->schools[s].level == l)
                    have += c->schools[s].target_size;
            for (uint32_t s = lea->first_school; s < c->n_schools; s++)
                if (c->schools[s].level == l)
                    c->schools[s].target_size *= size * level_share[l] / have;
        }
    }
    lea->n_schools = c->n_schools - lea->first_school;
    for (uint32_t s = lea->first_school; s < c->n_schools; s++)
        draw_school_traits(c, &c->schools[s], lea, r);
}

static int by_value_asc(const void *a, const void *b)
{
    const sized *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Title I schools with the weakest results are in school improvement. */
static int assign_title1_status(synth_ctx *c)
{
    sized *t1 = malloc(c->n_schools * sizeof *t1);
    if (!t1)
        return SLDS_ERR_NOMEM;
    uint32_t n = 0;
    for (uint32_t s = 0; s < c->n_schools; s++)
        if (c->schools[s].title1) {
            const synth_school *sc = &c->schools[s];
            t1[n].size = sc->effect[SUBJ_ELA] + sc->effect[SUBJ_MATH] - 10.0 * sc->poverty;
            t1[n].index = s;
            n++;
        }
    qsort(t1, n, sizeof *t1, by_value_asc);
    for (uint32_t k = 0; k < n; k++) {
        double rank = (k + 0.5) / n;
        int status = rank < 0.05 ? 3 : rank < 0.09 ? 2 : rank < 0.17 ? 1 : 0;
        c->schools[t1[k].index].title1_status = status;
    }
    free(t1);
    return SLDS_OK;
}

/* Per district and grade: the schools that serve it, weighted by seats. */
static int build_choice_tables(synth_ctx *c)
{
    for (uint32_t l = 0; l < c->n_leas; l++) {
        synth_lea *lea = &c->leas[l];
        for (int g = GRADE_PK; g <= 12; g++) {
            uint32_t n = 0;
            for (uint32_t s = lea->first_school; s < lea->first_school + lea->n_schools; s++)
                n += synth_school_serves(&c->schools[s], g);
            lea->grade_n[GI(g)] = n;
            if (!n)
                continue;
            lea->grade_schools[GI(g)] = malloc(n * sizeof(uint32_t));
            lea->grade_cum[GI(g)] = malloc(n * sizeof(double));
            if (!lea->grade_schools[GI(g)] || !lea->grade_cum[GI(g)])
                return SLDS_ERR_NOMEM;
            double total = 0;
            uint32_t k = 0;
            for (uint32_t s = lea->first_school; s < lea->first_school + lea->n_schools; s++) {
                const synth_school *sc = &c->schools[s];
                if (!synth_school_serves(sc, g))
                    continue;
                total += sc->target_size / (sc->grade_hi - (sc->grade_lo > 0 ? sc->grade_lo : 0) + 1);
                lea->grade_schools[GI(g)][k] = s;
                lea->grade_cum[GI(g)][k] = total;
                k++;
            }
        }
    }
    c->lea_cum = malloc(c->n_leas * sizeof *c->lea_cum);
    c->pk_schools = malloc(c->n_schools * sizeof *c->pk_schools);
    c->pk_cum = malloc(c->n_schools * sizeof *c->pk_cum);
    if (!c->lea_cum || !c->pk_schools || !c->pk_cum)
        return SLDS_ERR_NOMEM;
    double total = 0;
    for (uint32_t l = 0; l < c->n_leas; l++)
        c->lea_cum[l] = total += c->leas[l].target_students;
    total = 0;
    for (uint32_t s = 0; s < c->n_schools; s++)
        if (c->schools[s].has_pk) {
            c->pk_schools[c->n_pk_schools] = s;
            c->pk_cum[c->n_pk_schools++] = total += c->schools[s].target_size;
        }
    return SLDS_OK;
}

static const char *const program_templates[] = {
    "State University at %s College of Education",
    "%s College Teacher Education Program",
    "University of %s School of Education",
    "%s State Teachers College",
};

static int build_programs(synth_ctx *c, synth_rng *r)
{
    /* 10 traditional university programs, 3 alternative programs at
     * universities, 3 alternative programs outside higher education. */
    c->n_programs = 16;
    c->programs = calloc(c->n_programs, sizeof *c->programs);
    c->program_cum = malloc(c->n_programs * sizeof *c->program_cum);
    if (!c->programs || !c->program_cum)
        return SLDS_ERR_NOMEM;
    const synth_model *m = &c->m;
    static const char *const non_ihe[] = {"TeachCorps State Fellows", "Urban Teacher Residency",
                                          "Online Teacher Certification Institute"};
    double total = 0;
    for (uint32_t k = 0; k < c->n_programs; k++) {
        synth_program *p = &c->programs[k];
        const char *place = synth_place_name(7 * k + 3);
        if (k < 10) {
            p->ihe = true;
            snprintf(p->name, sizeof p->name, program_templates[k % 4], place);
            p->weight = 0.70 / 10 * lognormal(r, 0.6);
        } else if (k < 13) {
            p->ihe = p->alternative = true;
            snprintf(p->name, sizeof p->name, "%s University Alternative Certification", place);
            p->weight = 0.12 / 3 * lognormal(r, 0.3);
        } else {
            p->alternative = true;
            snprintf(p->name, sizeof p->name, "%s", non_ihe[k - 13]);
            p->weight = 0.18 / 3 * lognormal(r, 0.3);
        }
        double u = synth_normal(r);
        double v = m->program_subject_corr * u +
                   sqrt(1 - m->program_subject_corr * m->program_subject_corr) * synth_normal(r);
        p->effect[SUBJ_ELA] = m->program_effect_sd * u;
        p->effect[SUBJ_MATH] = m->program_effect_sd * v;
        c->program_cum[k] = total += p->weight;
    }
    synth_csv *f = synth_file(c, SLDS_SYNTH_PREP_PROGRAMS);
    for (uint32_t k = 0; k < c->n_programs; k++) {
        synth_put_program_id(f, k);
        synth_csv_text(f, c->programs[k].name);
        synth_csv_str(f, c->programs[k].ihe ? "IHE" : "NON_IHE");
        synth_csv_str(f, c->programs[k].alternative ? "ALTERNATIVE" : "TRADITIONAL");
        synth_csv_end_row(f);
    }
    return SLDS_OK;
}

static int build_institutions(synth_ctx *c, synth_rng *r)
{
    c->n_institutions = 30;
    c->institutions = calloc(c->n_institutions, sizeof *c->institutions);
    if (!c->institutions)
        return SLDS_ERR_NOMEM;
    for (uint32_t k = 0; k < c->n_institutions; k++) {
        synth_institution *in = &c->institutions[k];
        in->four_year = k >= 12;
        /* IPEDS-like six-digit unit ids, distinct by construction. */
        in->id = 100000u + k * 29000u + synth_below(r, 28000);
        in->weight = lognormal(r, 0.8) * (k == 12 ? 4.0 : 1.0); /* a flagship university */
        int level = in->four_year;
        c->inst_of[level][c->n_inst[level]] = k;
        double prev = c->n_inst[level] ? c->cum_inst[level][c->n_inst[level] - 1] : 0;
        c->cum_inst[level][c->n_inst[level]++] = prev + in->weight;
    }
    return SLDS_OK;
}

static void write_schools(synth_ctx *c)
{
    static const char *const levels[] = {"ELEMENTARY", "MIDDLE", "HIGH", "OTHER"};
    static const char *const statuses[] = {"NONE", "IMPROVEMENT", "CORRECTIVE_ACTION", "RESTRUCTURING"};
    synth_csv *f = synth_file(c, SLDS_SYNTH_SCHOOLS);
    for (uint32_t s = 0; s < c->n_schools; s++) {
        const synth_school *sc = &c->schools[s];
        synth_put_school_id(f, s);
        synth_put_lea_id(f, sc->lea);
        synth_csv_text(f, sc->name);
        synth_csv_str(f, levels[sc->level]);
        synth_csv_str(f, sc->title1 ? "Y" : "N");
        synth_csv_str(f, statuses[sc->title1_status]);
        synth_csv_str(f, sc->charter ? "Y" : "N");
        synth_csv_end_row(f);
    }
}

/* Item responses need at least one school on the practice platform: in a
 * small state, the first school serving grade 3 takes it up if none did. */
static void ensure_practice_school(synth_ctx *c)
{
    for (uint32_t s = 0; s < c->n_schools; s++)
        if (c->schools[s].practice)
            return;
    for (uint32_t s = 0; s < c->n_schools; s++)
        if (synth_school_serves(&c->schools[s], 3)) {
            c->schools[s].practice = true;
            return;
        }
}

int synth_world_build(synth_ctx *c)
{
    synth_rng r;
    synth_rng_seed(&r, c->p.seed, STREAM_WORLD, 0);
    double students = (double)c->p.students;
    long n = lround(students / c->m.students_per_district);
    c->n_leas = (uint32_t)(n < 3 ? 3 : n > 2000 ? 2000 : n);
    c->leas = calloc(c->n_leas, sizeof *c->leas);
    double *sizes = malloc(c->n_leas * sizeof *sizes);
    /* Upper bound on schools: each district has at most its size / 150 + 4. */
    uint32_t max_schools = (uint32_t)(students / 150.0) + 8 * c->n_leas + 16;
    c->schools = calloc(max_schools, sizeof *c->schools);
    if (!c->leas || !sizes || !c->schools) {
        free(sizes);
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory building districts");
    }
    district_sizes(&r, students, c->m.city_share, c->n_leas, sizes);
    uint32_t mid = c->n_leas / 16 > 0 ? c->n_leas / 16 : 1;
    uint32_t towns = (c->n_leas - 1 - mid) * 3 / 10;
    for (uint32_t l = 0; l < c->n_leas; l++) {
        synth_lea *lea = &c->leas[l];
        lea->type = l == 0 ? LEA_CITY : l <= mid ? LEA_SUBURB : l <= mid + towns ? LEA_TOWN : LEA_RURAL;
        lea->target_students = sizes[l];
        const synth_lea_profile *pr = &profiles[lea->type];
        lea->poverty = clamp(pr->poverty + 0.08 * synth_normal(&r), 0.05, 0.9);
        lea->minority = clamp(pr->minority + 0.08 * synth_normal(&r), 0.02, 0.95);
        lea->n_interims = synth_chance(&r, 0.6) ? 3 : 2;
        lea->next_local_id = 100000u + synth_below(&r, 800000);
        name_lea(lea, l);
        build_district_schools(c, l, &r);
    }
    free(sizes);
    ensure_practice_school(c);
    int rc = assign_title1_status(c);
    if (!rc)
        rc = build_choice_tables(c);
    if (!rc)
        rc = build_programs(c, &r);
    if (!rc)
        rc = build_institutions(c, &r);
    if (rc)
        return slds_fail(c->err, rc, "synth: out of memory building the state");
    write_schools(c);
    return SLDS_OK;
}

void synth_world_free(synth_ctx *c)
{
    for (uint32_t l = 0; c->leas && l < c->n_leas; l++)
        for (int g = 0; g < N_GRADES; g++) {
            free(c->leas[l].grade_schools[g]);
            free(c->leas[l].grade_cum[g]);
        }
    free(c->leas);
    free(c->lea_cum);
    free(c->pk_schools);
    free(c->pk_cum);
    free(c->schools);
    free(c->programs);
    free(c->program_cum);
    free(c->institutions);
    free(c->standards);
}

bool synth_school_serves(const synth_school *s, int grade)
{
    return grade >= s->grade_lo && grade <= s->grade_hi;
}

uint32_t synth_pick_lea(const synth_ctx *c, synth_rng *r)
{
    return synth_pick_cumulative(r, c->lea_cum, c->n_leas);
}

uint32_t synth_pick_school(const synth_ctx *c, uint32_t lea, int grade, synth_rng *r)
{
    if (grade == GRADE_PK) {
        if (!c->n_pk_schools)
            return NONE32;
        const synth_lea *l = &c->leas[lea];
        if (l->grade_n[GI(GRADE_PK)])
            return l->grade_schools[GI(GRADE_PK)][synth_pick_cumulative(r, l->grade_cum[GI(GRADE_PK)],
                                                                          l->grade_n[GI(GRADE_PK)])];
        return c->pk_schools[synth_pick_cumulative(r, c->pk_cum, c->n_pk_schools)];
    }
    const synth_lea *l = &c->leas[lea];
    uint32_t n = l->grade_n[GI(grade)];
    if (!n)
        return NONE32;
    return l->grade_schools[GI(grade)][synth_pick_cumulative(r, l->grade_cum[GI(grade)], n)];
}

static int32_t school_day_between(const synth_calendar *cal, int32_t from, int32_t to, synth_rng *r)
{
    int a = synth_day_index(cal, from), b = synth_day_index(cal, to + 1) - 1;
    if (b < a)
        b = a;
    if (a >= cal->n_days)
        a = b = cal->n_days - 1;
    return cal->day_at[synth_range(r, a, b)];
}

void synth_set_test_days(synth_ctx *c, int year)
{
    const synth_calendar *cal = &c->yr.cal;
    for (uint32_t l = 0; l < c->n_leas; l++) {
        synth_rng r;
        synth_rng_seed(&r, c->p.seed, STREAM_TEST_DAYS, (uint64_t)l * 4096u + (uint64_t)year);
        synth_lea *lea = &c->leas[l];
        lea->state_test_day = school_day_between(cal, (int32_t)slds_days_from_civil(year, 4, 12), (int32_t)slds_days_from_civil(year, 5, 10), &r);
        lea->act_day = school_day_between(cal, (int32_t)slds_days_from_civil(year, 3, 1), (int32_t)slds_days_from_civil(year, 3, 20), &r);
        lea->interim_day[0] =
            school_day_between(cal, (int32_t)slds_days_from_civil(year - 1, 9, 15), (int32_t)slds_days_from_civil(year - 1, 10, 15), &r);
        lea->interim_day[1] = school_day_between(cal, (int32_t)slds_days_from_civil(year, 1, 8), (int32_t)slds_days_from_civil(year, 2, 5), &r);
        lea->interim_day[2] = school_day_between(cal, (int32_t)slds_days_from_civil(year, 2, 20), (int32_t)slds_days_from_civil(year, 3, 12), &r);
    }
}

int synth_write_leas(synth_ctx *c)
{
    synth_csv *f = synth_file(c, SLDS_SYNTH_LEAS);
    for (uint32_t l = 0; l < c->n_leas; l++) {
        const synth_lea *lea = &c->leas[l];
        double rate = lea->served_final ? (double)lea->poor_final / (double)lea->served_final : 0;
        double dollars = (double)lea->poor_final * c->m.title1_per_child;
        if (rate > 0.15)
            dollars += (double)lea->poor_final * c->m.title1_concentration;
        synth_put_lea_id(f, l);
        synth_csv_text(f, lea->name);
        synth_csv_uint(f, lea->poor_final);
        synth_csv_uint(f, lea->served_final);
        synth_csv_uint(f, (uint64_t)llround(dollars));
        synth_csv_end_row(f);
    }
    return SLDS_OK;
}
