/* enrollment.c - who is enrolled where, year by year: new kindergarteners
 * and PK children, students arriving from outside (at the start of the year
 * and during it), mid-year moves and exits, end-of-year outcomes (promotion,
 * retention, graduation, other completion, summer departures, dropout) and
 * between-year moves. Produces the year's enrollment spells, students.csv
 * records (one per student and district) and enrollments.csv.
 *
 * Invariants (model.h note 4): a student's spells are contiguous in the
 * spells array and ordered in time; a mid-year mover's first spell ends on
 * day d with TRANSFER_IN_STATE and the next starts on a later instructional
 * day; only spells open at the end of the last year have a blank exit. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/model.h"

int synth_year_open(synth_ctx *c, int year)
{
    synth_year *yr = &c->yr;
    yr->year = year;
    if (synth_calendar_init(&yr->cal, year))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory (calendar)");
    for (uint32_t i = 0; i < c->st.n; i++) {
        yr->first_spell[i] = NONE32;
        yr->spell_count[i] = 0;
        yr->expulsion_day[i] = 0;
        yr->credit_halves_year[i] = 0;
        yr->teacher_sum[SUBJ_ELA][i] = 0;
        yr->teacher_sum[SUBJ_MATH][i] = 0;
    }
    yr->n_spells = 0;
    c->dirty.year_hint = year;
    synth_set_test_days(c, year);
    return SLDS_OK;
}

void synth_year_close(synth_ctx *c)
{
    synth_calendar_free(&c->yr.cal);
}

static int push_spell(synth_ctx *c, uint32_t student, uint32_t school, int grade, int32_t entry,
                      int32_t exit, int code, bool reaches_end)
{
    synth_year *yr = &c->yr;
    if (yr->n_spells == yr->cap_spells) {
        uint32_t cap = yr->cap_spells ? yr->cap_spells + yr->cap_spells / 2 : 1024;
        synth_spell *p = realloc(yr->spells, cap * sizeof *p);
        if (!p)
            return SLDS_ERR_NOMEM;
        yr->spells = p;
        yr->cap_spells = cap;
    }
    assert(entry <= exit);
    if (yr->first_spell[student] == NONE32)
        yr->first_spell[student] = yr->n_spells;
    else
        assert(yr->spells[yr->n_spells - 1].student == student &&
               yr->spells[yr->n_spells - 1].exit < entry);
    yr->spell_count[student]++;
    yr->spells[yr->n_spells++] = (synth_spell){.student = student,
                                               .school = school,
                                               .entry = entry,
                                               .exit = exit,
                                               .grade = (int8_t)grade,
                                               .exit_code = (uint8_t)code,
                                               .reaches_end = reaches_end};
    return SLDS_OK;
}

/* ---- students.csv: one record per student and district ----------------- */

static void write_identity_truth(synth_ctx *c, uint32_t lea, uint32_t local_id, const uint32_t *student,
                                 const char *kind)
{
    synth_csv *f = &c->identity_log;
    synth_put_lea_id(f, lea);
    synth_csv_uint(f, local_id);
    if (student)
        synth_put_student_id(f, c, *student);
    else
        synth_csv_blank(f);
    synth_csv_str(f, kind);
    synth_csv_end_row(f);
}

/* A record of someone the state has never seen: blank id and no other data. */
static void write_plain_new_record(synth_ctx *c, uint32_t lea, synth_rng *r)
{
    synth_csv *f = synth_file(c, SLDS_SYNTH_STUDENTS);
    int sex = synth_chance(r, 0.5);
    int race = (int)synth_below(r, N_RACE);
    uint32_t local_id = c->leas[lea].next_local_id++;
    int32_t born = (int32_t)slds_days_from_civil(c->yr.year - 7 - synth_range(r, 0, 12), 9, 2) + (int32_t)synth_below(r, 365);
    synth_put_lea_id(f, lea);
    synth_csv_uint(f, local_id);
    synth_csv_text(f, synth_first_name(synth_pick_first_name(r, sex, race)));
    synth_csv_text(f, synth_last_name(synth_pick_last_name(r, race)));
    synth_csv_date(f, born);
    synth_csv_str(f, sex ? "M" : "F");
    synth_csv_blank(f);
    synth_csv_end_row(f);
    write_identity_truth(c, lea, local_id, NULL, "PLAIN_NEW");
    c->sum.plain_new_records++;
}

static void note_district(synth_ctx *c, uint32_t student, uint32_t lea, synth_rng *r)
{
    synth_students *st = &c->st;
    uint16_t *seen = &st->seen[(size_t)student * MAX_DISTRICTS_SEEN];
    for (int k = 0; k < st->n_seen[student]; k++)
        if (seen[k] == lea)
            return;
    bool mover = st->n_seen[student] > 0;
    if (st->n_seen[student] == MAX_DISTRICTS_SEEN) {
        memmove(seen, seen + 1, (MAX_DISTRICTS_SEEN - 1) * sizeof *seen);
        st->n_seen[student]--;
    }
    seen[st->n_seen[student]++] = (uint16_t)lea;

    synth_csv *f = synth_file(c, SLDS_SYNTH_STUDENTS);
    uint32_t local_id = c->leas[lea].next_local_id++;
    bool blank_id = mover && synth_chance(r, c->m.blank_id_mover_share);
    synth_put_lea_id(f, lea);
    synth_csv_uint(f, local_id);
    synth_csv_text(f, synth_first_name(st->first_name[student]));
    synth_csv_text(f, synth_last_name(st->last_name[student]));
    synth_csv_date(f, st->birth[student]);
    synth_csv_str(f, st->sex[student] ? "M" : "F");
    if (blank_id)
        synth_csv_blank(f);
    else
        synth_put_student_id(f, c, student);
    synth_csv_end_row(f);
    c->sum.identity_records++;
    if (mover)
        c->sum.district_movers++;
    if (blank_id) {
        write_identity_truth(c, lea, local_id, &student, "BLANK_ID_MOVER");
        c->sum.blank_id_movers++;
    }
    if (synth_chance(r, c->m.plain_new_record_share))
        write_plain_new_record(c, lea, r);
}

/* ---- New students -------------------------------------------------------- */

static int add_new_students(synth_ctx *c, int year, int grade, uint32_t count, synth_rng *r)
{
    if (synth_students_reserve(c, count))
        return SLDS_ERR_NOMEM;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t lea = synth_pick_lea(c, r);
        uint32_t school = synth_pick_school(c, lea, grade, r);
        if (school == NONE32)
            continue;
        synth_student_new(c, year, grade, school, r);
    }
    return SLDS_OK;
}

static int add_entrants(synth_ctx *c, int year, synth_rng *r)
{
    const synth_model *m = &c->m;
    double cohort = c->cohort_size;
    uint32_t pk = (uint32_t)lround(m->pk_share * cohort * (1 + 0.02 * synth_normal(r)));
    if (year == c->p.first_year) {
        /* The state as it stands in the first year: every grade filled. */
        if (add_new_students(c, year, GRADE_PK, pk, r))
            return SLDS_ERR_NOMEM;
        for (int g = GRADE_KG; g <= 12; g++)
            if (add_new_students(c, year, g, (uint32_t)lround(cohort * (1 + 0.01 * synth_normal(r))), r))
                return SLDS_ERR_NOMEM;
        return SLDS_OK;
    }
    uint32_t count[N_GRADES] = {0};
    for (uint32_t i = 0; i < c->st.n; i++)
        if (c->st.status[i] == STATUS_ACTIVE)
            count[GI(c->st.grade[i])]++;
    if (add_new_students(c, year, GRADE_PK, pk, r))
        return SLDS_ERR_NOMEM;
    double kg_target = cohort * (1 + 0.01 * synth_normal(r));
    uint32_t kg = kg_target > count[GI(GRADE_KG)] ? (uint32_t)lround(kg_target - count[GI(GRADE_KG)]) : 0;
    if (add_new_students(c, year, GRADE_KG, kg, r))
        return SLDS_ERR_NOMEM;
    /* Arrivals in grades 1-12 make up for last year's departures, and at
     * least a small share of every grade comes from outside. */
    for (int g = 1; g <= 12; g++) {
        double deficit = cohort - count[GI(g)];
        double least = m->arrivals_start_min * cohort;
        double arrivals = deficit > least ? deficit : least;
        if (add_new_students(c, year, g, (uint32_t)lround(arrivals), r))
            return SLDS_ERR_NOMEM;
    }
    return SLDS_OK;
}

static int add_midyear_arrivals(synth_ctx *c, synth_rng *r)
{
    const synth_calendar *cal = &c->yr.cal;
    uint32_t count = (uint32_t)lround(c->m.arrivals_midyear * (double)c->p.students);
    if (synth_students_reserve(c, count))
        return SLDS_ERR_NOMEM;
    for (uint32_t k = 0; k < count; k++) {
        int grade = synth_range(r, GRADE_KG, 12);
        uint32_t lea = synth_pick_lea(c, r);
        uint32_t school = synth_pick_school(c, lea, grade, r);
        if (school == NONE32)
            continue;
        uint32_t i = synth_student_new(c, c->yr.year, grade, school, r);
        c->st.arrival[i] = cal->day_at[synth_range(r, 15, cal->n_days - 25)];
    }
    return SLDS_OK;
}

/* ---- Mid-year events ---------------------------------------------------- */

static double dropout_hazard(const synth_ctx *c, uint32_t i, int grade, int year)
{
    const synth_model *m = &c->m;
    const synth_students *st = &c->st;
    if (grade < 9)
        return 0;
    double h = m->dropout_base;
    if (st->flags[i] & FLAG_ECON)
        h *= m->dropout_econ_factor;
    if (synth_standing(c, i, grade - 1) < -1)
        h *= m->dropout_low_achiever_factor;
    if (st->absence_last[i] >= (uint8_t)lround(100 * m->chronic_absence))
        h *= m->dropout_chronic_absence_factor;
    if (synth_age_on_sep1(c, i, year) >= grade + 6)
        h *= m->dropout_overage_factor;
    if (grade >= 10 && st->credit_halves[i] < 2 * 6 * (grade - 9))
        h *= m->dropout_credit_factor;
    /* off by default (0 or 1), so the default output stays byte-identical */
    if (st->suspended_last[i] && c->p.behavior_dropout_factor > 0 && c->p.behavior_dropout_factor != 1)
        h *= c->p.behavior_dropout_factor;
    return h > 0.5 ? 0.5 : h;
}

/* A school serving `grade` other than `current`: in the same district or,
 * when other_district is set (or the district has no other), in another. */
static uint32_t pick_move_school(const synth_ctx *c, uint32_t current, int grade, bool other_district,
                                 synth_rng *r)
{
    uint32_t home = c->schools[current].lea;
    for (int attempt = 0; attempt < 16; attempt++) {
        uint32_t lea = home;
        if (other_district || attempt >= 8) {
            lea = synth_pick_lea(c, r);
            if (lea == home && c->n_leas > 1)
                continue;
        }
        uint32_t s = synth_pick_school(c, lea, grade, r);
        if (s != NONE32 && s != current)
            return s;
    }
    return current;
}

enum { EVENT_NONE, EVENT_MOVE, EVENT_EXIT };

/* Draws at most one mid-year event; sets *code for exits. */
static int draw_midyear_event(const synth_ctx *c, uint32_t i, int grade, synth_rng *r, int *code)
{
    const synth_model *m = &c->m;
    uint8_t f = c->st.flags[i];
    double hazard[N_EXIT] = {0};
    hazard[EXIT_TRANSFER_IN_STATE] =
        m->move_midyear * (f & FLAG_ECON ? m->move_econ_factor : 1) * (f & FLAG_HOMELESS ? 1.5 : 1);
    hazard[EXIT_TRANSFER_OUT_OF_STATE] = m->out_of_state_midyear;
    hazard[EXIT_TRANSFER_PRIVATE] = m->private_midyear * (f & FLAG_ECON ? 0.3 : 1.3);
    hazard[EXIT_TRANSFER_HOME_SCHOOL] = m->home_school;
    hazard[EXIT_EMIGRATED] = m->emigrated * (f & FLAG_EL ? 4 : 0.5);
    hazard[EXIT_DECEASED] = m->deceased;
    hazard[EXIT_EXPELLED] = grade >= 6 ? m->expelled : 0;
    hazard[EXIT_DROPOUT] = dropout_hazard(c, i, grade, c->yr.year) * (1 - m->dropout_summer_share);
    double u = synth_uniform(r);
    for (int k = 0; k < N_EXIT; k++) {
        if (u < hazard[k]) {
            *code = k;
            return k == EXIT_TRANSFER_IN_STATE ? EVENT_MOVE : EVENT_EXIT;
        }
        u -= hazard[k];
    }
    return EVENT_NONE;
}

static void mark_gone(synth_ctx *c, uint32_t i, int code)
{
    c->st.status[i] = STATUS_GONE;
    c->st.outcome[i] = (uint8_t)code;
    c->st.outcome_year[i] = (int16_t)c->yr.year;
}

static int plan_student(synth_ctx *c, uint32_t i, synth_rng *r, synth_rng *identity)
{
    synth_students *st = &c->st;
    const synth_calendar *cal = &c->yr.cal;
    uint32_t school = st->school[i];
    int grade = st->grade[i];
    if (st->arrival[i]) {
        note_district(c, i, c->schools[school].lea, identity);
        int rc = push_spell(c, i, school, grade, st->arrival[i], cal->last_day, EXIT_OPEN, true);
        st->arrival[i] = 0;
        return rc;
    }
    note_district(c, i, c->schools[school].lea, identity);
    int code = EXIT_OPEN;
    int event = draw_midyear_event(c, i, grade, r, &code);
    if (event == EVENT_NONE)
        return push_spell(c, i, school, grade, cal->first_day, cal->last_day, EXIT_OPEN, true);
    if (event == EVENT_EXIT) {
        int32_t day = cal->day_at[synth_range(r, 5, cal->n_days - 6)];
        if (code == EXIT_EXPELLED)
            c->yr.expulsion_day[i] = day;
        mark_gone(c, i, code);
        return push_spell(c, i, school, grade, cal->first_day, day, code, false);
    }
    /* A mid-year move: out on day k, in a few school days later elsewhere. */
    int k = synth_range(r, 10, cal->n_days - 25);
    int k_in = k + 1 + (int)synth_below(r, 5);
    uint32_t to = pick_move_school(c, school, grade, synth_chance(r, c->m.move_other_district), r);
    if (to == school)
        return push_spell(c, i, school, grade, cal->first_day, cal->last_day, EXIT_OPEN, true);
    int rc = push_spell(c, i, school, grade, cal->first_day, cal->day_at[k], EXIT_TRANSFER_IN_STATE, false);
    if (rc)
        return rc;
    note_district(c, i, c->schools[to].lea, identity);
    st->school[i] = to;
    c->sum.midyear_movers++;
    return push_spell(c, i, to, grade, cal->day_at[k_in], cal->last_day, EXIT_OPEN, true);
}

int synth_enroll_plan(synth_ctx *c)
{
    int year = c->yr.year;
    synth_rng r, events, identity;
    synth_rng_seed(&r, c->p.seed, STREAM_STUDENT_NEW, (uint64_t)year);
    synth_rng_seed(&events, c->p.seed, STREAM_EVENTS, (uint64_t)year);
    synth_rng_seed(&identity, c->p.seed, STREAM_IDENTITY, (uint64_t)year);
    if (add_entrants(c, year, &r) || add_midyear_arrivals(c, &r))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory adding students");
    synth_students *st = &c->st;
    uint64_t enrolled = 0;
    for (uint32_t i = 0; i < st->n; i++) {
        if (st->status[i] != STATUS_ACTIVE)
            continue;
        if (plan_student(c, i, &events, &identity))
            return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory planning enrollment");
        enrolled++;
    }
    c->sum.enrolled[year - c->p.first_year] = enrolled;
    c->sum.student_years += enrolled;
    return SLDS_OK;
}

/* ---- Spells by school ----------------------------------------------------- */

int synth_group_spells(synth_ctx *c)
{
    synth_year *yr = &c->yr;
    uint32_t ns = c->n_schools;
    free(yr->school_spells);
    yr->school_spells = malloc((yr->n_spells + 1) * sizeof *yr->school_spells);
    if (!yr->school_spells)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory grouping spells");
    memset(yr->school_start, 0, (ns + 1) * sizeof *yr->school_start);
    memset(yr->grade_count, 0, (size_t)ns * N_GRADES * sizeof *yr->grade_count);
    memset(yr->el_count, 0, ns * sizeof *yr->el_count);
    for (uint32_t k = 0; k < yr->n_spells; k++) {
        const synth_spell *sp = &yr->spells[k];
        yr->school_start[sp->school + 1]++;
        yr->grade_count[(size_t)sp->school * N_GRADES + (size_t)GI(sp->grade)]++;
        if (c->st.flags[sp->student] & FLAG_EL)
            yr->el_count[sp->school]++;
    }
    for (uint32_t s = 0; s < ns; s++)
        yr->school_start[s + 1] += yr->school_start[s];
    uint32_t *fill = malloc((ns + 1) * sizeof *fill);
    if (!fill)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "synth: out of memory grouping spells");
    memcpy(fill, yr->school_start, (ns + 1) * sizeof *fill);
    for (uint32_t k = 0; k < yr->n_spells; k++)
        yr->school_spells[fill[yr->spells[k].school]++] = k;
    free(fill);
    return SLDS_OK;
}

bool synth_enrolled_on(const synth_ctx *c, uint32_t student, int32_t day)
{
    uint32_t first = c->yr.first_spell[student];
    if (first == NONE32)
        return false;
    for (uint32_t k = first; k < first + c->yr.spell_count[student]; k++)
        if (c->yr.spells[k].entry <= day && day <= c->yr.spells[k].exit)
            return true;
    return false;
}

/* ---- End of the year -------------------------------------------------------- */

static int next_grade(synth_ctx *c, uint32_t i, int grade, double standing, synth_rng *r)
{
    const synth_model *m = &c->m;
    double low = standing < -1.5 ? 3.0 : 1.0;
    bool repeat = false;
    if (grade == GRADE_PK)
        return GRADE_KG;
    if (grade == GRADE_KG)
        repeat = synth_chance(r, m->retention_kg * (standing < -1.5 ? 2.0 : 1.0));
    else if (grade <= 3)
        repeat = synth_chance(r, m->retention_early * low);
    else if (grade <= 8)
        repeat = synth_chance(r, m->retention_middle * low);
    else
        repeat = c->yr.credit_halves_year[i] < 2 * m->min_credits_to_advance;
    if (repeat) {
        c->sum.retained++;
        return grade;
    }
    c->sum.promoted++;
    if (grade >= 1 && grade <= 4 && standing > 2.2 && synth_chance(r, m->skip_grade)) {
        c->sum.skipped++;
        return grade + 2;
    }
    return grade + 1;
}

static void choose_next_school(synth_ctx *c, uint32_t i, int grade, synth_rng *r)
{
    const synth_model *m = &c->m;
    uint32_t current = c->st.school[i];
    double p_move = m->move_between_years * (c->st.flags[i] & FLAG_ECON ? m->move_econ_factor : 1);
    bool residential = synth_chance(r, p_move);
    uint32_t next = current;
    if (residential)
        next = pick_move_school(c, current, grade, synth_chance(r, m->move_other_district), r);
    if (!synth_school_serves(&c->schools[next], grade)) {
        /* Moving up to the next level: a school of the same district. */
        next = synth_pick_school(c, c->schools[current].lea, grade, r);
        if (next == NONE32)
            next = pick_move_school(c, current, grade, true, r);
    }
    c->sum.continuing++;
    if (next != current) {
        c->sum.changed_school++;
        if (residential)
            c->sum.changed_school_residential++;
    }
    c->st.school[i] = next;
}

static int summer_departure(const synth_ctx *c, uint32_t i, int grade, synth_rng *r)
{
    const synth_model *m = &c->m;
    uint8_t f = c->st.flags[i];
    double hazard[N_EXIT] = {0};
    hazard[EXIT_TRANSFER_OUT_OF_STATE] = m->out_of_state_summer;
    hazard[EXIT_TRANSFER_PRIVATE] = m->private_summer * (f & FLAG_ECON ? 0.3 : 1.3);
    hazard[EXIT_TRANSFER_HOME_SCHOOL] = m->home_school;
    hazard[EXIT_EMIGRATED] = m->emigrated * (f & FLAG_EL ? 4 : 0.5);
    hazard[EXIT_DROPOUT] = dropout_hazard(c, i, grade, c->yr.year) * m->dropout_summer_share;
    double u = synth_uniform(r);
    for (int k = 0; k < N_EXIT; k++) {
        if (u < hazard[k])
            return k;
        u -= hazard[k];
    }
    return EXIT_OPEN;
}

/* Grade 12 at the end of the year: a diploma with enough credits; else other
 * completion, another year, or leaving. */
static int senior_outcome(synth_ctx *c, uint32_t i, bool last_year, synth_rng *r)
{
    const synth_model *m = &c->m;
    if (c->st.credit_halves[i] >= 2 * m->credits_required)
        return EXIT_GRADUATED_REGULAR;
    double u = synth_uniform(r);
    bool disabled = c->st.flags[i] & FLAG_DISABILITY;
    if (u < m->completed_other_share || (disabled && u < 0.5))
        return EXIT_COMPLETED_OTHER;
    if (last_year || u < m->completed_other_share + m->stay_fifth_year_share)
        return last_year ? EXIT_OPEN : EXIT_PROMOTED;
    return EXIT_DROPOUT;
}

void synth_end_of_year(synth_ctx *c)
{
    synth_year *yr = &c->yr;
    synth_students *st = &c->st;
    int year = yr->year;
    bool last_year = year == c->last_year;
    synth_rng r, post;
    synth_rng_seed(&r, c->p.seed, STREAM_END_OF_YEAR, (uint64_t)year);
    synth_rng_seed(&post, c->p.seed, STREAM_POSTSECONDARY, (uint64_t)year);
    for (uint32_t i = 0; i < st->n; i++) {
        if (yr->first_spell[i] == NONE32)
            continue;
        synth_spell *last = &yr->spells[yr->first_spell[i] + yr->spell_count[i] - 1];
        if (!last->reaches_end)
            continue;
        c->sum.enrolled_end[year - c->p.first_year]++;
        int grade = last->grade;
        int code;
        if (grade == 12)
            code = senior_outcome(c, i, last_year, &r);
        else if (last_year)
            code = EXIT_OPEN;
        else {
            code = summer_departure(c, i, grade, &r);
            if (code == EXIT_OPEN)
                code = EXIT_PROMOTED;
        }
        last->exit_code = (uint8_t)code;
        if (code == EXIT_OPEN)
            continue;
        if (code != EXIT_PROMOTED) {
            mark_gone(c, i, code);
            if (code == EXIT_GRADUATED_REGULAR || code == EXIT_COMPLETED_OTHER)
                synth_postsecondary(c, i, year, code, &post);
            continue;
        }
        double standing = synth_standing(c, i, grade);
        int next = grade == 12 ? 12 : next_grade(c, i, grade, standing, &r);
        if (grade == 12)
            c->sum.retained++;
        if (next == 9 && !st->cohort_year[i]) {
            st->cohort_year[i] = (int16_t)(year + 1);
            if (st->flags[i] & FLAG_ECON)
                st->flags[i] |= FLAG_COHORT_ECON;
        }
        st->grade[i] = (int8_t)next;
        choose_next_school(c, i, next, &r);
    }
}

void synth_write_enrollments(synth_ctx *c)
{
    synth_csv *f = synth_file(c, SLDS_SYNTH_ENROLLMENTS);
    const synth_year *yr = &c->yr;
    for (uint32_t k = 0; k < yr->n_spells; k++) {
        const synth_spell *sp = &yr->spells[k];
        /* --dirty-warnings: a broken student-year (every spell names an
         * unknown school: rejected), an entry date before the school year
         * (the student's first spell of the year), a blank exit code. */
        synth_dirty *d = f->dirty;
        bool planting = d && d->warn_p > 0;
        bool broken = planting && synth_dirty_broken(d, sp->student, yr->year);
        synth_put_student_id(f, c, sp->student);
        if (broken) {
            char bad[16];
            snprintf(bad, sizeof bad, "S9%05u", (unsigned)(sp->school % 100000));
            synth_dirty_bad_in_place(f, "school_id", "unknown school (a broken enrollment)", bad);
            synth_csv_str(f, bad);
        } else
            synth_put_school_id(f, sp->school);
        synth_csv_uint(f, (uint64_t)yr->year);
        synth_csv_strn(f, synth_grade_code(sp->grade), 2);
        if (planting && !broken && yr->first_spell[sp->student] == k && synth_chance(&f->dirty_rng, d->warn_p)) {
            synth_dirty_warn(f, "entry_date", "ENR_ENTRY_OUTSIDE_YEAR");
            synth_csv_date(f, (int32_t)slds_days_from_civil(yr->year - 1, 6, 30));
        } else
            synth_csv_date(f, sp->entry);
        if (sp->exit_code == EXIT_OPEN) {
            assert(yr->year == c->last_year);
            synth_csv_blank(f);
            synth_csv_blank(f);
        } else if (planting && !broken && synth_chance(&f->dirty_rng, d->warn_p)) {
            synth_dirty_warn(f, "exit_code", "ENR_EXIT_CODE_MISSING");
            synth_csv_date(f, sp->exit);
            synth_csv_blank(f);
        } else {
            synth_csv_date(f, sp->exit);
            synth_csv_str(f, synth_exit_codes[sp->exit_code]);
        }
        synth_csv_end_row(f);
        c->sum.exits[sp->exit_code]++;
    }
}
