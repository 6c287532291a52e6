/* model.h - the generator's internals, shared by the files of src/synth:
 * the model's parameters, the world (districts, schools, programs,
 * standards), the students and staff kept as struct-of-arrays, the scratch
 * of the school year being simulated, and the steps of one year.
 *
 * Notes on the design:
 *  1. Time runs year by year. Only per-student and per-educator state lives
 *     across years (a few dozen bytes each); everything about one school year
 *     (its enrollment spells, class lists) is built, written and dropped.
 *     Memory therefore follows the number of students, not of rows.
 *  2. Every file is streamed as the year is simulated; the only files
 *     written at the end are the small ones (leas, staff, truth).
 *  3. Order of one year (synth.c: run_year): enrollment plan (spells) ->
 *     staffing -> rosters (teacher dosage) -> achievement and tests ->
 *     attendance, discipline, courses (credits) -> end-of-year outcomes
 *     (exit codes, graduation, next grade and school) -> enrollments and
 *     attributes written -> practice items -> attribute changes for next year.
 *  4. Invariants the files must satisfy (all checked by
 *     tests/synth/check_collection.py; a and d are also asserted here):
 *     a. a student's spells never overlap: a mid-year move exits on day d and
 *        enters the next school on an instructional day after d;
 *     b. every roster row's teacher has a TEACHER assignment at that school
 *        that year, and its student a spell at that school that year;
 *     c. a student is tested only on a day inside one of that year's spells,
 *        and grade_tested is the grade of the spells (one grade per year);
 *     d. a blank exit code only on spells open at the end of the last year;
 *     e. every reference (lea, school, staff, program, standard) exists.
 *  5. Randomness: one stream per purpose (rng.h). The run is single-threaded
 *     and visits students and schools in index order, so output is a pure
 *     function of the parameters. */
#ifndef SLDS_SYNTH_MODEL_H
#define SLDS_SYNTH_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "synth/calendar.h"
#include "synth/csvout.h"
#include "synth/dirty.h"
#include "synth/rng.h"
#include "synth/synth.h"

#define SUBJ_ELA 0
#define SUBJ_MATH 1
#define N_SUBJ 2
#define GRADE_PK (-1)
#define GRADE_KG 0
#define N_GRADES 14      /* PK, KG, 1..12 */
#define GI(g) ((g) + 1)  /* index of grade g in [N_GRADES] arrays */
#define NONE32 UINT32_MAX
#define MAX_DISTRICTS_SEEN 4

/* Grows the array ptr to count elements (realloc, contents kept); returns
 * SLDS_ERR_NOMEM from the enclosing function when out of memory. For the
 * struct-of-arrays reserves of students and staff. */
#define GROW(ptr, count)                                                                           \
    do {                                                                                           \
        void *grown_ = realloc((ptr), sizeof *(ptr) * (size_t)(count));                           \
        if (!grown_)                                                                               \
            return SLDS_ERR_NOMEM;                                                                 \
        (ptr) = grown_;                                                                            \
    } while (0)

/* Streams (purposes) of the random numbers. */
enum synth_stream {
    STREAM_WORLD = 1,
    STREAM_STUDENT_NEW,
    STREAM_EVENTS,
    STREAM_END_OF_YEAR,
    STREAM_STAFF,
    STREAM_ROSTER,
    STREAM_TESTS,
    STREAM_SCHOOLING,
    STREAM_ITEMS,
    STREAM_ATTRIBUTES,
    STREAM_IDENTITY,
    STREAM_POSTSECONDARY,
    STREAM_DIRTY,
    STREAM_TEST_DAYS,
    STREAM_FINANCE
};

enum synth_level { LEVEL_ELEMENTARY, LEVEL_MIDDLE, LEVEL_HIGH, LEVEL_OTHER };
enum synth_lea_type { LEA_CITY, LEA_SUBURB, LEA_TOWN, LEA_RURAL };

enum synth_exit {
    EXIT_OPEN,
    EXIT_PROMOTED,
    EXIT_TRANSFER_IN_STATE,
    EXIT_TRANSFER_OUT_OF_STATE,
    EXIT_TRANSFER_PRIVATE,
    EXIT_TRANSFER_HOME_SCHOOL,
    EXIT_EMIGRATED,
    EXIT_DECEASED,
    EXIT_DROPOUT,
    EXIT_GRADUATED_REGULAR,
    EXIT_COMPLETED_OTHER,
    EXIT_EXPELLED,
    N_EXIT
};
extern const char *const synth_exit_codes[N_EXIT];

enum synth_race {
    RACE_HISPANIC,
    RACE_AM_INDIAN,
    RACE_ASIAN,
    RACE_BLACK,
    RACE_PACIFIC_ISLANDER,
    RACE_WHITE,
    RACE_TWO_OR_MORE,
    N_RACE
};
extern const char *const synth_race_codes[N_RACE];

/* Student flag bits. */
#define FLAG_ECON 0x01u
#define FLAG_DISABILITY 0x02u
#define FLAG_EL 0x04u
#define FLAG_HOMELESS 0x08u
#define FLAG_FOSTER 0x10u
#define FLAG_MIGRANT 0x20u
#define FLAG_NEWCOMER 0x40u     /* arrived this year as an English learner */
#define FLAG_COHORT_ECON 0x80u  /* econ. disadvantaged in the year the ACGR cohort began */

/* Student status. */
enum synth_status { STATUS_ACTIVE, STATUS_GONE };

/* Kinds of educator positions. */
enum synth_staff_kind {
    KIND_ELEMENTARY, /* self-contained class, KG-5: rostered in ELA and MATH */
    KIND_PK,
    KIND_ELA,        /* grades 6-12 */
    KIND_MATH,
    KIND_SCIENCE,
    KIND_SPED,
    KIND_EL,
    KIND_PRINCIPAL,
    N_KINDS
};

/* ---- Model parameters ----------------------------------------------------
 * Every scalar the model uses, with its default and meaning. The list is
 * written to truth/params.json as is, so code and record cannot drift. */
#define SYNTH_MODEL_SCALARS(X)                                                                     \
    X(achievement_sd_before_pk, 28.0, "SD of true achievement in the spring before PK")           \
    X(subject_correlation, 0.75, "correlation of a new student's ELA and MATH standing")           \
    X(entry_shift_econ, -0.35, "SD shift of a new student's standing if econ. disadvantaged")     \
    X(entry_shift_disability, -0.30, "SD shift if the student has a disability")                 \
    X(entry_shift_el_ela, -0.45, "SD shift in ELA if an English learner")                        \
    X(entry_shift_el_math, -0.25, "SD shift in MATH if an English learner")                      \
    X(entry_shift_school_poverty, -0.50, "SD shift per unit of school poverty share above 0.45") \
    X(student_growth_sd, 2.0, "SD of a student's own yearly growth effect (points/year)")        \
    X(student_growth_econ, -1.0, "mean growth effect of econ. disadvantaged students")           \
    X(growth_noise_sd, 6.0, "SD of the yearly growth noise (points)")                             \
    X(school_effect_sd_ela, 3.0, "SD of true school effects in ELA (points/year)")               \
    X(school_effect_sd_math, 3.5, "SD of true school effects in MATH (points/year)")             \
    X(school_effect_poverty_corr, -0.30, "correlation of school effect with school poverty")      \
    X(school_effect_subject_corr, 0.70, "correlation of a school's ELA and MATH effects")          \
    X(teacher_effect_sd_ela, 4.5, "SD of the individual part of teacher effects, ELA")           \
    X(teacher_effect_sd_math, 5.5, "SD of the individual part of teacher effects, MATH")         \
    X(teacher_subject_corr, 0.60, "correlation of an elementary teacher's ELA and MATH parts")    \
    X(program_effect_sd, 2.0, "SD of preparation-program effects (points/year)")                 \
    X(program_subject_corr, 0.60, "correlation of a program's ELA and MATH effects")              \
    X(early_career_penalty, 6.0, "effect lost in a teacher's first year (points)")               \
    X(early_career_scale, 2.5, "penalty = early_career_penalty*exp(-experience/scale)")           \
    X(sem_ela, 13.0, "measurement error SD of the STATE test, ELA")                               \
    X(sem_math, 11.0, "measurement error SD of the STATE test, MATH")                             \
    X(sem_interim, 18.0, "measurement error SD of INTERIM tests")                                 \
    X(score_min, 150.0, "lowest obtainable scale score")                                          \
    X(score_max, 850.0, "highest obtainable scale score")                                         \
    X(cut_level2_z, -0.85, "level-2 cut in SDs of the grade's nominal distribution")             \
    X(cut_level3_z, -0.05, "level-3 (proficient) cut in SDs")                                     \
    X(cut_level4_z, 0.95, "level-4 cut in SDs")                                                   \
    X(act_mean, 19.5, "mean COLLEGE_READINESS (ACT-like, 1-36) score")                            \
    X(act_sd, 5.0, "SD of the ACT-like score explained by achievement")                           \
    X(act_noise_sd, 1.8, "measurement error of the ACT-like score")                               \
    X(act_benchmark_ela, 18.0, "ACT-like ELA benchmark (level 3 from here)")                      \
    X(act_benchmark_math, 22.0, "ACT-like MATH benchmark (level 3 from here)")                    \
    X(not_tested_absent, 0.007, "chance a student misses the STATE test: ABSENT")                 \
    X(not_tested_medical, 0.002, "chance: MEDICAL")                                               \
    X(not_tested_refusal, 0.004, "chance: PARENT_REFUSAL")                                        \
    X(not_tested_el_newcomer, 0.60, "chance a newcomer English learner is EXEMPT_EL in ELA")       \
    X(interim_absent, 0.03, "chance a student misses one INTERIM test")                           \
    X(pk_share, 0.35, "PK students as a share of a grade cohort")                                 \
    X(arrivals_start_min, 0.015, "least share of a grade arriving from outside at year start")    \
    X(arrivals_midyear, 0.012, "students arriving from outside during the year, share of N")      \
    X(move_midyear, 0.040, "chance of a mid-year move to another school in the state")            \
    X(move_econ_factor, 1.6, "multiplier of move chances for econ. disadvantaged students")       \
    X(move_other_district, 0.45, "share of moves that cross district lines")                      \
    X(move_between_years, 0.06, "chance of a residential move between years")                     \
    X(out_of_state_midyear, 0.010, "chance of leaving the state during the year")                 \
    X(out_of_state_summer, 0.018, "chance of leaving the state over the summer")                   \
    X(private_midyear, 0.003, "chance of leaving for a private school during the year")           \
    X(private_summer, 0.006, "chance of leaving for a private school over the summer")             \
    X(home_school, 0.002, "chance of leaving for home schooling (each of mid-year, summer)")       \
    X(emigrated, 0.0015, "chance of leaving the country (each of mid-year, summer)")              \
    X(deceased, 0.0002, "chance of death in a year")                                              \
    X(expelled, 0.0004, "chance of expulsion in a year, grades 6-12")                             \
    X(dropout_base, 0.006, "yearly dropout hazard in grades 9-12 before multipliers")             \
    X(dropout_econ_factor, 1.8, "dropout multiplier: econ. disadvantaged")                        \
    X(dropout_low_achiever_factor, 1.8, "dropout multiplier: standing below -1 SD")               \
    X(dropout_chronic_absence_factor, 2.5, "dropout multiplier: chronically absent last year")    \
    X(dropout_overage_factor, 1.8, "dropout multiplier: over age for grade")                      \
    X(dropout_credit_factor, 2.0, "dropout multiplier: behind in credits")                        \
    X(dropout_summer_share, 0.4, "share of dropouts who leave over the summer")                   \
    X(retention_kg, 0.030, "chance a kindergartener repeats KG")                                  \
    X(retention_early, 0.015, "chance of repeating grades 1-3 (tripled below -1.5 SD)")           \
    X(retention_middle, 0.006, "chance of repeating grades 4-8 (tripled below -1.5 SD)")          \
    X(skip_grade, 0.0005, "chance a high achiever in grades 1-4 skips a grade")                   \
    X(credits_required, 24.0, "credits (grades 9-12) needed for a regular diploma")               \
    X(min_credits_to_advance, 4.0, "credits a year below which a grade 9-11 student repeats")     \
    X(completed_other_share, 0.35, "non-graduates in grade 12 who complete otherwise (GED, certificate)") \
    X(stay_fifth_year_share, 0.40, "non-graduates in grade 12 who stay another year")            \
    X(mark_achievement_weight, 0.75, "weight of standing (SD) in the latent course mark")         \
    X(mark_effort_weight, 0.55, "weight of effort in the latent course mark")                     \
    X(mark_absence_weight, -6.0, "weight of the absence rate in the latent course mark")          \
    X(mark_noise_sd, 0.55, "noise SD of a course mark")                                           \
    X(mark_cut_a, 0.70, "latent mark above which A")                                               \
    X(mark_cut_b, -0.10, "latent mark above which B")                                              \
    X(mark_cut_c, -0.90, "latent mark above which C")                                             \
    X(mark_cut_d, -2.20, "latent mark above which D (below: F, no credit)")                       \
    X(absence_median, 0.040, "median yearly absence rate")                                        \
    X(absence_log_sd, 0.55, "SD of a student's log absence propensity")                           \
    X(absence_econ_factor, 1.35, "absence multiplier: econ. disadvantaged")                       \
    X(absence_high_school_factor, 1.30, "absence multiplier: grades 9-12")                        \
    X(chronic_absence, 0.10, "absence rate from which a student is chronically absent")           \
    X(discipline_rate, 0.060, "mean disciplinary actions per student-year before multipliers")    \
    X(college_intercept, 1.10, "logit of college enrollment for an average graduate")             \
    X(college_achievement, 0.90, "logit change per SD of standing")                               \
    X(college_econ, -0.45, "logit change if econ. disadvantaged")                                 \
    X(college_four_year_intercept, 0.35, "logit of a 4-year (vs 2-year) institution")             \
    X(college_four_year_achievement, 1.10, "its change per SD of standing")                       \
    X(remedial_intercept, -1.20, "logit of remedial coursework for an average enrollee")          \
    X(remedial_achievement, -1.30, "its change per SD of standing")                               \
    X(remedial_two_year, 0.80, "its change at a 2-year institution")                              \
    X(teacher_attrition, 0.08, "yearly chance a teacher leaves the state's schools")              \
    X(teacher_attrition_early, 0.07, "extra attrition in the first three years")                  \
    X(teacher_attrition_poverty, 0.04, "extra attrition in schools with poverty above 0.6")       \
    X(teacher_midyear_change, 0.03, "chance a rostered teacher is replaced during the year")       \
    X(co_taught_share, 0.05, "share of sections taught by two teachers (0.5 dosage each)")         \
    X(class_size_elementary, 22.0, "pupils per self-contained class")                             \
    X(class_size_secondary, 26.0, "pupils per section, grades 6-12")                              \
    X(sections_per_teacher, 5.0, "sections per subject teacher")                                  \
    X(observation_weight, 0.35, "OBSERVATION score change per SD of a teacher's true effect")     \
    X(observation_noise, 0.30, "OBSERVATION score noise SD (1-4 scale)")                          \
    X(survey_weight, 0.20, "SURVEY score change per SD of a teacher's true effect")               \
    X(survey_noise, 0.40, "SURVEY score noise SD (1-4 scale)")                                    \
    X(practice_school_share, 0.15, "share of schools using the practice platform (item responses)") \
    X(blank_id_mover_share, 0.02, "share of a district mover's new records with a blank student_id") \
    X(plain_new_record_share, 0.005, "extra records of unknown students (blank id), per record")  \
    X(title1_per_child, 1450.0, "Title I dollars per child in poverty")                          \
    X(title1_concentration, 320.0, "extra dollars per child where poverty exceeds 15%")            \
    X(students_per_district, 2500.0, "students per district on average (districts = N / this, 3-2000)") \
    X(city_share, 0.18, "least share of students in the big city district")                     \
    X(charter_share_city, 0.08, "charter schools added in the city, per regular school")          \
    X(title1_poverty, 0.40, "school poverty share from which a school is Title I")               \
    X(title1_poverty_in_district, 0.30, "... or from this share when at or above its district's") \
    X(pk_in_title1_elementary, 0.70, "chance a Title I elementary school runs PK")               \
    X(male_share, 0.51, "share of boys among new students")                                      \
    X(overage_share, 0.04, "new students a year older than their grade")                         \
    X(disability_rate, 0.13, "students with a disability (boys x1.3, girls x0.7)")               \
    X(el_rate_hispanic, 0.30, "English learners among Hispanic new students (KG-2 x1.3, 6-8 x0.6, 9-12 x0.5)") \
    X(el_rate_asian, 0.25, "English learners among Asian new students")                          \
    X(el_rate_other, 0.02, "English learners among other new students")                          \
    X(el_exit, 0.12, "yearly chance an English learner is reclassified (+0.1 above the mean)")   \
    X(econ_exit, 0.10, "yearly chance of leaving econ. disadvantage")                            \
    X(econ_entry_poverty, 0.05, "yearly chance of entering it, per unit of school poverty (+0.02)") \
    X(homeless_rate, 0.008, "yearly chance of homelessness (+0.025 if econ. disadvantaged)")     \
    X(foster_rate, 0.003, "foster care at entry")                                                \
    X(migrant_rate, 0.004, "migrant at entry (rural x4, Hispanic x3)")                           \
    X(new_teacher_share, 0.60, "hires with no experience (others bring 1-20 years)")             \
    X(principal_attrition, 0.12, "yearly chance a principal leaves")                             \
    X(retirement_attrition, 0.25, "extra yearly attrition from 30 years of experience")          \
    X(sped_students_per_teacher, 150.0, "students per special-education teacher")                \
    X(el_students_per_teacher, 45.0, "English learners per EL teacher (from 10 EL students)")     \
    X(college_other_completer, 0.20, "chance a COMPLETED_OTHER student enrolls at a 2-year college") \
    X(college_fall_share, 0.85, "enrollees starting the fall after graduation")                  \
    X(college_spring_share, 0.10, "... the next spring (the rest the fall a year later)")         \
    X(act_absent, 0.025, "chance a junior misses the COLLEGE_READINESS test")                    \
    X(bkt_p_init_min, 0.15, "BKT p_init drawn uniformly from [min, max]")                        \
    X(bkt_p_init_max, 0.55, "upper end of the p_init range")                                                                  \
    X(bkt_p_learn_min, 0.08, "BKT p_learn range")                                                \
    X(bkt_p_learn_max, 0.30, "upper end of the p_learn range")                                                                 \
    X(bkt_p_guess_min, 0.10, "BKT p_guess range")                                                \
    X(bkt_p_guess_max, 0.30, "upper end of the p_guess range")                                                                 \
    X(bkt_p_slip_min, 0.05, "BKT p_slip range")                                                  \
    X(bkt_p_slip_max, 0.15, "upper end of the p_slip range")

typedef struct synth_model {
#define SYNTH_FIELD(name, value, about) double name;
    SYNTH_MODEL_SCALARS(SYNTH_FIELD)
#undef SYNTH_FIELD
    double growth[N_SUBJ][N_GRADES]; /* mean true growth during a year in grade g */
    double mu_before_pk[N_SUBJ];      /* mean true achievement the spring before PK */
    int cuts[N_SUBJ][N_GRADES][3];    /* STATE performance-level cuts (levels 2, 3, 4) */
} synth_model;

void synth_model_default(synth_model *m);
/* Mean and SD of true achievement in the spring of grade g (g = -2 .. 12). */
double synth_mu(const synth_model *m, int subj, int grade);
double synth_sd(const synth_model *m, int subj, int grade);
/* Performance level 1-4 of a score against cuts[3]. */
int synth_level(const int cuts[3], double score);
/* The early-career part of a teacher effect at a given experience. */
double synth_experience_effect(const synth_model *m, int experience);

/* ---- World ---------------------------------------------------------------- */
typedef struct synth_lea {
    int type;
    double target_students;
    double poverty, minority;
    int n_interims;
    char name[80];
    uint32_t first_school, n_schools; /* schools of a district are contiguous */
    uint32_t next_local_id;
    /* Schools serving each grade, with cumulative weights (capacity). */
    uint32_t *grade_schools[N_GRADES];
    double *grade_cum[N_GRADES];
    uint32_t grade_n[N_GRADES];
    /* This year's test days. */
    int32_t state_test_day, act_day, interim_day[3];
    /* Realized counts in the last year (for leas.csv). */
    uint64_t served_final, poor_final;
} synth_lea;

typedef struct synth_school {
    uint32_t lea;
    int level;
    int8_t grade_lo, grade_hi;
    bool has_pk, charter, title1, practice;
    int title1_status; /* 0 NONE, 1 IMPROVEMENT, 2 CORRECTIVE_ACTION, 3 RESTRUCTURING */
    double poverty, minority, target_size;
    double effect[N_SUBJ];
    char name[80];
} synth_school;

typedef struct synth_program {
    char name[96];
    bool ihe, alternative;
    double weight;
    double effect[N_SUBJ];
} synth_program;

#define STANDARD_MAX_PREREQ 2
typedef struct synth_standard {
    char id[16];
    int subject, grade;
    char description[120];
    int n_prereq;
    int prereq[STANDARD_MAX_PREREQ];
    double p_init, p_learn, p_guess, p_slip;
} synth_standard;

typedef struct synth_institution {
    uint32_t id;
    bool four_year;
    double weight;
} synth_institution;

/* ---- Students (struct of arrays, index = sequence number) ----------------- */
typedef struct synth_students {
    uint32_t n, cap;
    uint32_t *state_id; /* statewide id minus 10^9 (a scrambled permutation) */
    int32_t *birth;
    uint16_t *first_name, *last_name;
    uint8_t *sex; /* 0 F, 1 M */
    uint8_t *race, *flags, *status;
    int8_t *grade;          /* grade this year (after end of year: next year's) */
    uint32_t *school;       /* school at the start of the year (next year's after end of year) */
    int32_t *arrival;       /* mid-year arrivals: entry day this year; else 0 */
    float *ach[N_SUBJ];     /* true achievement at the last spring test */
    float *slope[N_SUBJ];   /* the student's own growth effect */
    float *absence_base;    /* absence propensity */
    float *effort;          /* diligence in courses (SD units) */
    uint8_t *absence_last;  /* last year's absence rate, percent */
    uint8_t *suspended_last; /* suspended or expelled in the latest year (early warning's behaviour signal) */
    uint8_t *credit_halves; /* grades 9-12 credits earned, in half credits */
    int16_t *cohort_year;   /* ACGR cohort (first year in grade 9), 0 if none */
    uint8_t *outcome;       /* exit code that ended the student's time, EXIT_OPEN if none */
    int16_t *outcome_year;
    uint16_t *seen;         /* [MAX_DISTRICTS_SEEN] per student: districts with a record */
    uint8_t *n_seen;
    int16_t *last_score[N_SUBJ]; /* last STATE scale score (for realized growth) */
    int16_t *last_score_year;
    int8_t *last_score_grade;
} synth_students;

/* ---- Staff ------------------------------------------------------------------ */
typedef struct synth_staff {
    uint32_t n, cap;
    uint32_t *school;       /* current school, NONE32 once gone */
    uint16_t *lea;
    uint8_t *kind, *program, *sex, *part_time;
    uint16_t *first_name, *last_name;
    int16_t *experience0;   /* experience in the year hired into the data */
    int16_t *first_year;    /* first school year in the data */
    int16_t *district_start;/* first year in the district (for tenure) */
    int16_t *last_year;     /* last school year active */
    float *individual[N_SUBJ];
    float *quality;         /* latent z of non-rostered educators */
    int32_t *leave_day;     /* this year: last day before a mid-year replacement (0 none) */
    int32_t *start_day;     /* this year: first day of a mid-year hire (0: whole year) */
    uint32_t *replacement;  /* this year: who took over (NONE32) */
    uint8_t *taught;        /* this year: bit per subject rostered */
    double *effect_sum[N_SUBJ]; /* truth: sum of yearly effects over years rostered */
    uint16_t *effect_years[N_SUBJ];
} synth_staff;

/* ---- One school year ------------------------------------------------------- */
typedef struct synth_spell {
    uint32_t student, school;
    int32_t entry, exit; /* exit = last day; for spells that reach the year's end, the last day */
    int8_t grade;
    uint8_t exit_code;   /* EXIT_OPEN until decided */
    uint8_t reaches_end; /* runs to the last day of the year */
} synth_spell;

typedef struct synth_year {
    int year;
    synth_calendar cal;
    synth_spell *spells;
    uint32_t n_spells, cap_spells;
    uint32_t *first_spell; /* [students cap]: first spell of each student, NONE32 if none */
    uint8_t *spell_count;
    float *teacher_sum[N_SUBJ]; /* [students cap]: dosage-weighted teacher effects */
    uint8_t *credit_halves_year;/* [students cap]: credits earned this year (halves) */
    int32_t *expulsion_day;     /* [students cap]: day of an expulsion, 0 none */
    uint32_t *school_start;     /* [n_schools + 1]: spells grouped by school */
    uint32_t *school_spells;    /* [n_spells] */
    uint32_t *grade_count;      /* [n_schools * N_GRADES] spells by school and grade */
    uint32_t *el_count;         /* [n_schools] */
    uint32_t *pool_start;       /* [n_schools * N_KINDS + 1] staff by school and kind */
    uint32_t *pool;             /* staff ids */
    uint32_t pool_cap;
    uint32_t *hires;            /* mid-year replacements this year */
    uint32_t n_hires, cap_hires;
} synth_year;

/* ---- Realized figures for truth/summary.json -------------------------------- */
typedef struct synth_growth_sum {
    double observed, truth;
    uint64_t n;
} synth_growth_sum;

typedef struct synth_summary {
    uint64_t *enrolled;            /* [years] distinct students with a spell */
    uint64_t *enrolled_end;        /* [years] enrolled on the last day */
    uint64_t exits[N_EXIT];
    uint64_t student_years, midyear_movers;
    uint64_t continuing, changed_school, changed_school_residential;
    uint64_t promoted, retained, skipped;
    synth_growth_sum growth[N_SUBJ][N_GRADES]; /* grades 4..8: from g-1; 10: from 8 two years back */
    double score_sum[N_SUBJ][N_GRADES], score_sq[N_SUBJ][N_GRADES];
    uint64_t score_n[N_SUBJ][N_GRADES], proficient[N_SUBJ][N_GRADES];
    uint64_t tested, not_tested[4];
    uint64_t interim_rows, act_rows;
    uint64_t chronic_absent, attendance_years;
    uint64_t discipline_actions;
    uint64_t graduates, college_enrolled, college_four_year, college_remedial;
    uint64_t completers_other_college;
    uint64_t identity_records, blank_id_movers, plain_new_records, district_movers;
    uint64_t teacher_years, principal_years, midyear_teacher_changes, co_taught_sections;
    uint64_t practice_students, item_responses;
    uint64_t courses_failed, courses_taken;
} synth_summary;

/* ---- The whole run ---------------------------------------------------------- */
typedef struct synth_ctx {
    slds_synth_params p;
    int last_year;
    uint32_t cohort_size; /* students per grade KG-12 */
    synth_model m;
    const slds_progress *progress;
    slds_error *err;
    const char *out_dir;

    synth_csv files[SLDS_SYNTH_NFILES];
    synth_csv dirty_log, dirty_warn_log, identity_log, teacher_year_log;
    synth_dirty dirty;

    synth_lea *leas;
    uint32_t n_leas;
    double *lea_cum; /* cumulative district weights */
    uint32_t *pk_schools;
    double *pk_cum;
    uint32_t n_pk_schools;
    synth_school *schools;
    uint32_t n_schools;
    synth_program *programs;
    uint32_t n_programs;
    double *program_cum;
    synth_standard *standards;
    uint32_t n_standards;
    uint32_t standards_first[N_SUBJ][N_GRADES], standards_n[N_SUBJ][N_GRADES];
    synth_institution *institutions;
    uint32_t n_institutions;
    double cum_inst[2][64];
    uint32_t inst_of[2][64], n_inst[2];

    synth_students st;
    synth_staff sf;
    synth_year yr;
    synth_summary sum;
    uint64_t id_key;
} synth_ctx;

/* ---- Files ------------------------------------------------------------------ */
extern const synth_schema synth_contract_schemas[SLDS_SYNTH_NFILES];
extern const synth_schema synth_dirty_warn_schema;
extern const synth_schema synth_dirty_log_schema, synth_identity_schema, synth_teacher_year_schema,
    synth_teacher_effects_schema, synth_program_effects_schema, synth_school_effects_schema,
    synth_standard_params_schema;

static inline synth_csv *synth_file(synth_ctx *c, int file)
{
    return &c->files[file];
}

/* Ids as written in the files. */
void synth_put_student_id(synth_csv *f, const synth_ctx *c, uint32_t student);
void synth_put_school_id(synth_csv *f, uint32_t school);
void synth_put_lea_id(synth_csv *f, uint32_t lea);
void synth_put_staff_id(synth_csv *f, uint32_t staff);
void synth_put_program_id(synth_csv *f, uint32_t program);
const char *synth_grade_code(int grade);

/* ---- Names (names.c) -------------------------------------------------------- */
uint16_t synth_pick_first_name(synth_rng *r, int sex, int race);
uint16_t synth_pick_last_name(synth_rng *r, int race);
const char *synth_first_name(uint16_t index);
const char *synth_last_name(uint16_t index);
const char *synth_place_name(uint32_t index);
uint32_t synth_place_count(void);
const char *synth_school_namesake(uint32_t index);
uint32_t synth_school_namesake_count(void);

/* ---- Steps ------------------------------------------------------------------ */
/* world.c */
int synth_world_build(synth_ctx *c);
void synth_world_free(synth_ctx *c);
uint32_t synth_pick_lea(const synth_ctx *c, synth_rng *r);
/* The profile of a kind of district (for truth/params.json). */
typedef struct synth_lea_profile {
    const char *type, *suffix;
    double poverty, minority, school_poverty_sd;
    double elementary_size, middle_size, high_size;
} synth_lea_profile;
const synth_lea_profile *synth_lea_profile_of(int type);
uint32_t synth_pick_school(const synth_ctx *c, uint32_t lea, int grade, synth_rng *r);
bool synth_school_serves(const synth_school *s, int grade);
void synth_set_test_days(synth_ctx *c, int year);
int synth_write_leas(synth_ctx *c);
/* finance.c: finance.csv rows of the year (each school's and each district's
 * expenditure by source, pupils = the year's enrollment spells). */
int synth_write_finance(synth_ctx *c, int year);

/* population.c */
int synth_students_reserve(synth_ctx *c, uint32_t extra);
void synth_students_free(synth_students *st);
uint32_t synth_student_new(synth_ctx *c, int year, int grade, uint32_t school, synth_rng *r);
double synth_standing(const synth_ctx *c, uint32_t student, int grade);
int synth_age_on_sep1(const synth_ctx *c, uint32_t student, int year);
void synth_attributes_next_year(synth_ctx *c, int year);
void synth_write_attributes(synth_ctx *c);

/* enrollment.c */
int synth_year_open(synth_ctx *c, int year);
void synth_year_close(synth_ctx *c);
int synth_enroll_plan(synth_ctx *c);
int synth_group_spells(synth_ctx *c);
void synth_end_of_year(synth_ctx *c);
void synth_write_enrollments(synth_ctx *c);
bool synth_enrolled_on(const synth_ctx *c, uint32_t student, int32_t day);

/* staff.c */
void synth_staff_free(synth_staff *sf);
int synth_staffing(synth_ctx *c);
void synth_staff_close_year(synth_ctx *c);
double synth_teacher_effect(const synth_ctx *c, uint32_t staff, int subj, int year);
/* Classes (KG-5, PK) or sections per subject (6-12) of a grade at a school this year. */
uint32_t synth_sections(const synth_ctx *c, uint32_t school, int grade);
int synth_write_staff(synth_ctx *c);

/* rosters.c */
int synth_rosters(synth_ctx *c);

/* achievement.c */
void synth_achievement(synth_ctx *c);

/* schooling.c */
void synth_schooling(synth_ctx *c);
void synth_postsecondary(synth_ctx *c, uint32_t student, int year, int exit_code, synth_rng *r);

/* mastery.c */
int synth_standards_build(synth_ctx *c);
void synth_item_responses(synth_ctx *c);

/* truth.c */
int synth_write_truth(synth_ctx *c);

#endif
