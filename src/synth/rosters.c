/* rosters.c - teacher-student links (rosters.csv) and the dosage-weighted
 * teacher effect each student receives.
 *
 * KG-5 students sit in one self-contained class whose teacher teaches ELA
 * and MATH (the section is the homeroom, "H"); students in grades 6-12 get
 * one ELA ("E") and one MATH ("M") section, each subject teacher holding
 * several consecutive sections. Some sections are co-taught (two teachers,
 * 0.5 dosage each). Dosage is the share of the school year's instructional
 * days the student spent with the teacher: a mid-year mover gets partial
 * dosage at each school, and when a teacher is replaced during the year the
 * leaver and the replacement split it. The effect a student receives in a
 * subject is the sum over roster rows of dosage x the teacher's true effect
 * that year, using the dosage exactly as written (two decimals). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/model.h"

static const char *const subject_codes[N_SUBJ] = {"ELA", "MATH"};

typedef struct section_ref {
    uint32_t school;
    char letter; /* H homeroom (both subjects), E ELA, M MATH */
    uint32_t number;
} section_ref;

static void put_section_id(synth_csv *f, const section_ref *sec, int year)
{
    synth_put_school_id(f, sec->school);
    f->buf[f->len++] = '-';
    synth_csv_digits(f, (uint64_t)year);
    f->buf[f->len++] = '-';
    f->buf[f->len++] = sec->letter;
    if (sec->number + 1 < 10)
        f->buf[f->len++] = '0';
    synth_csv_digits(f, sec->number + 1);
}

/* Whether a section is co-taught: fixed per (school, year, section). */
static bool co_taught(const synth_ctx *c, const section_ref *sec)
{
    uint64_t h = synth_hash(c->p.seed, STREAM_ROSTER, ((uint64_t)sec->school << 8) | (uint64_t)sec->letter,
                            ((uint64_t)c->yr.year << 20) | sec->number);
    return (double)(h >> 11) * 0x1.0p-53 < c->m.co_taught_share;
}

static void write_row(synth_ctx *c, const synth_spell *sp, uint32_t teacher, int subj,
                      const section_ref *sec, double share_of_year)
{
    double dosage = round(100.0 * share_of_year) / 100.0;
    if (dosage <= 0)
        return;
    synth_csv *f = synth_file(c, SLDS_SYNTH_ROSTERS);
    synth_put_staff_id(f, teacher);
    synth_put_student_id(f, c, sp->student);
    synth_put_school_id(f, sp->school);
    synth_csv_uint(f, (uint64_t)c->yr.year);
    synth_csv_str(f, subject_codes[subj]);
    put_section_id(f, sec, c->yr.year);
    synth_csv_fixed(f, dosage, 2);
    synth_csv_end_row(f);
    c->yr.teacher_sum[subj][sp->student] +=
        (float)(dosage * synth_teacher_effect(c, teacher, subj, c->yr.year));
    c->sf.taught[teacher] |= (uint8_t)(1u << subj);
}

/* Rows for one teacher of a section (and the teacher's mid-year replacement). */
static void teacher_rows(synth_ctx *c, const synth_spell *sp, uint32_t teacher, int subj,
                         const section_ref *sec, double share)
{
    const synth_calendar *cal = &c->yr.cal;
    double days = cal->n_days;
    int32_t leave = c->sf.leave_day[teacher];
    if (!leave) {
        write_row(c, sp, teacher, subj, sec, share * synth_school_days(cal, sp->entry, sp->exit) / days);
        return;
    }
    int32_t before_end = sp->exit < leave ? sp->exit : leave;
    int32_t after_start = sp->entry > leave + 1 ? sp->entry : leave + 1;
    write_row(c, sp, teacher, subj, sec, share * synth_school_days(cal, sp->entry, before_end) / days);
    write_row(c, sp, c->sf.replacement[teacher], subj, sec,
              share * synth_school_days(cal, after_start, sp->exit) / days);
}

typedef struct pool_range {
    const uint32_t *ids;
    uint32_t n;
} pool_range;

static pool_range pool_of(const synth_ctx *c, uint32_t school, int kind)
{
    const synth_year *yr = &c->yr;
    uint32_t from = yr->pool_start[(size_t)school * N_KINDS + kind];
    uint32_t to = yr->pool_start[(size_t)school * N_KINDS + kind + 1];
    return (pool_range){yr->pool + from, to - from};
}

/* The section's rows: its teacher (slot in the pool) and any co-teacher. */
static void section_rows(synth_ctx *c, const synth_spell *sp, pool_range pool, uint32_t slot, int subj,
                         const section_ref *sec)
{
    if (!pool.n)
        return;
    uint32_t lead = pool.ids[slot % pool.n];
    if (pool.n >= 2 && co_taught(c, sec)) {
        teacher_rows(c, sp, lead, subj, sec, 0.5);
        teacher_rows(c, sp, pool.ids[(slot + 1) % pool.n], subj, sec, 0.5);
    } else
        teacher_rows(c, sp, lead, subj, sec, 1.0);
}

static void count_co_taught(synth_ctx *c, uint32_t school, char letter, uint32_t sections)
{
    for (uint32_t k = 0; k < sections; k++) {
        section_ref sec = {school, letter, k};
        if (co_taught(c, &sec))
            c->sum.co_taught_sections++;
    }
}

/* Seats of a school's classes this year: a student draws a class of the
 * grade at random among those not yet full, so classes stay even (within
 * one) while the ELA and MATH groupings differ. */
typedef struct seats {
    uint32_t offset[N_GRADES], count[N_GRADES], capacity[N_GRADES];
    uint16_t *taken; /* per class, indexed offset[g] + k */
} seats;

static uint32_t take_seat(seats *st, int grade, synth_rng *r)
{
    uint32_t n = st->count[GI(grade)];
    for (;;) {
        uint32_t k = st->offset[GI(grade)] + synth_below(r, n);
        if (st->taken[k] < st->capacity[GI(grade)]) {
            st->taken[k]++;
            return k;
        }
    }
}

static int school_rosters(synth_ctx *c, uint32_t school, synth_rng *r)
{
    const synth_year *yr = &c->yr;
    seats homeroom, subject[N_SUBJ];
    memset(&homeroom, 0, sizeof homeroom);
    memset(subject, 0, sizeof subject);
    uint32_t homerooms = 0, secondary = 0;
    for (int g = GRADE_KG; g <= 12; g++) {
        uint32_t n = synth_sections(c, school, g);
        uint32_t pupils = yr->grade_count[(size_t)school * N_GRADES + (size_t)GI(g)];
        seats *st = g <= 5 ? &homeroom : &subject[SUBJ_ELA];
        uint32_t *next = g <= 5 ? &homerooms : &secondary;
        st->offset[GI(g)] = *next;
        st->count[GI(g)] = n;
        st->capacity[GI(g)] = n ? (pupils + n - 1) / n : 0;
        *next += n;
    }
    memcpy(subject[SUBJ_MATH].offset, subject[SUBJ_ELA].offset, sizeof subject[SUBJ_ELA].offset);
    memcpy(subject[SUBJ_MATH].count, subject[SUBJ_ELA].count, sizeof subject[SUBJ_ELA].count);
    memcpy(subject[SUBJ_MATH].capacity, subject[SUBJ_ELA].capacity, sizeof subject[SUBJ_ELA].capacity);
    homeroom.taken = calloc(homerooms + 1, sizeof *homeroom.taken);
    subject[SUBJ_ELA].taken = calloc(secondary + 1, sizeof *subject[SUBJ_ELA].taken);
    subject[SUBJ_MATH].taken = calloc(secondary + 1, sizeof *subject[SUBJ_MATH].taken);
    if (!homeroom.taken || !subject[SUBJ_ELA].taken || !subject[SUBJ_MATH].taken) {
        free(homeroom.taken);
        free(subject[SUBJ_ELA].taken);
        free(subject[SUBJ_MATH].taken);
        return SLDS_ERR_NOMEM;
    }
    pool_range elementary = pool_of(c, school, KIND_ELEMENTARY);
    pool_range subject_pool[N_SUBJ] = {pool_of(c, school, KIND_ELA), pool_of(c, school, KIND_MATH)};
    uint32_t per_teacher = (uint32_t)c->m.sections_per_teacher;
    for (uint32_t k = yr->school_start[school]; k < yr->school_start[school + 1]; k++) {
        const synth_spell *sp = &yr->spells[yr->school_spells[k]];
        int g = sp->grade;
        if (g < GRADE_KG)
            continue;
        if (g <= 5) {
            uint32_t number = take_seat(&homeroom, g, r);
            section_ref sec = {school, 'H', number};
            for (int s = 0; s < N_SUBJ; s++)
                section_rows(c, sp, elementary, number, s, &sec);
            continue;
        }
        for (int s = 0; s < N_SUBJ; s++) {
            uint32_t number = take_seat(&subject[s], g, r);
            section_ref sec = {school, s == SUBJ_ELA ? 'E' : 'M', number};
            section_rows(c, sp, subject_pool[s], number / per_teacher, s, &sec);
        }
    }
    count_co_taught(c, school, 'H', homerooms);
    count_co_taught(c, school, 'E', secondary);
    count_co_taught(c, school, 'M', secondary);
    free(homeroom.taken);
    free(subject[SUBJ_ELA].taken);
    free(subject[SUBJ_MATH].taken);
    return SLDS_OK;
}

int synth_rosters(synth_ctx *c)
{
    synth_rng r;
    synth_rng_seed(&r, c->p.seed, STREAM_ROSTER, (uint64_t)c->yr.year);
    for (uint32_t s = 0; s < c->n_schools; s++)
        if (c->yr.school_start[s + 1] > c->yr.school_start[s] && school_rosters(c, s, &r))
            return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory (rosters)");
    return SLDS_OK;
}
