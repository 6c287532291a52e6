/* panel.h - the student x year x subject panel that growth, value-added and
 * early-warning models read from the state database, in memory and by
 * columns (struct of arrays), read in one pass per table:
 *
 *   scores       one scale score per student, subject and year (of several:
 *                the latest test date, then the higher score), its grade and
 *                test date;
 *   rosters      teacher links per student, year and subject, the dosage
 *                summed over the teacher's sections;
 *   enrollments  enrollment spells, for the school (and district) a student
 *                was enrolled in on a date (the test date);
 *   attributes   economically disadvantaged, disability and English learner
 *                flags per student and year;
 *   demographics race/ethnicity per student and year (student_attributes)
 *                and sex (students), as the codes stored.
 *
 * Students are numbered 0..n-1 in student_id order (the order of the tables'
 * primary keys), so every per-student array is sorted by id. Which students
 * are in the panel is decided by the scores: those with a score in one of
 * keep_years (every student with a score in the window when none is given);
 * the other parts are read for those students only.
 *
 * Extending (early warning: attendance, courses, discipline): add a bit to
 * slds_panel_part, a member holding the part's arrays (per student offsets
 * into flat columns, as rosters and spells do), a reader in src/panel/<part>.c
 * registered in the readers[] table of panel.c, and its free in
 * slds_panel_free. The scores and the student numbering stay as they are.
 *
 * Ownership: slds_panel_read fills a caller-owned slds_panel; release it
 * with slds_panel_free (also after a failed read). Everything returned by the
 * accessors is borrowed from the panel. The panel never writes to the
 * database. */
#ifndef SLDS_PANEL_H
#define SLDS_PANEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/hash.h"
#include "store/store.h"

enum {
    SLDS_PANEL_MAX_YEARS = 24,  /* years of scores in one panel */
    SLDS_PANEL_MAX_GRADE = 100, /* grades 0..99 (PK, KG and end-of-course are not scored) */
    SLDS_PANEL_MAX_SUBJECTS = 32,
    SLDS_PANEL_NAME_MAX = 64, /* subject names, with the terminator */
    SLDS_PANEL_MAX_KEEP = 4
};

/* A day number (days since 1970-01-01, core/core.h) that is no date. */
#define SLDS_PANEL_NO_DAY INT32_MIN

/* The parts read besides the scores. */
typedef enum slds_panel_part {
    SLDS_PANEL_ROSTERS = 1u << 0,
    SLDS_PANEL_ENROLLMENTS = 1u << 1,
    SLDS_PANEL_ATTRIBUTES = 1u << 2,
    SLDS_PANEL_DEMOGRAPHICS = 1u << 3
} slds_panel_part;

/* Called for every score row read (before one per year is chosen, and for
 * students not kept too): how a consumer sees whole score distributions, e.g.
 * for knots. A non-zero return stops the read and is returned (err filled by
 * the callback). */
typedef int (*slds_panel_score_fn)(void *ctx, const char *subject, int year, int grade,
                                   double score, slds_error *err);

typedef struct slds_panel_options {
    int year;                            /* the focal year Y */
    int year_lo, year_hi;                /* scores of these years (clipped to the last MAX_YEARS) */
    const char *subject;                 /* NULL: every subject */
    const char *test_type;               /* NULL: "STATE" */
    int keep_years[SLDS_PANEL_MAX_KEEP]; /* 0-terminated; none: keep every student */
    unsigned parts;                      /* slds_panel_part bits */
    int parts_lo, parts_hi;              /* years the parts are read for (0: the scores'),
                                            within the scores' years */
    int all_test_dates;                  /* keep test dates of every year, not Y's only */
    slds_panel_score_fn on_score;
    void *on_score_ctx;
} slds_panel_options;

typedef struct slds_panel_subject {
    char name[SLDS_PANEL_NAME_MAX];
    /* [year offset][student]; NULL for a year without scores */
    double *score[SLDS_PANEL_MAX_YEARS];      /* NaN: none */
    signed char *grade[SLDS_PANEL_MAX_YEARS]; /* -1: none */
    int32_t *test_date[SLDS_PANEL_MAX_YEARS]; /* day number, SLDS_PANEL_NO_DAY (Y only
                                                 unless all_test_dates) */
    size_t count[SLDS_PANEL_MAX_YEARS][SLDS_PANEL_MAX_GRADE]; /* scores per year, grade */
} slds_panel_subject;

/* One teacher link: dosage summed over the teacher's sections (and schools)
 * in the year and subject. */
typedef struct slds_panel_link {
    int16_t year_offset;
    int16_t subject; /* panel subject index; rosters of other subjects are skipped */
    uint32_t staff;  /* id in staff_ids */
    double dosage;
} slds_panel_link;

/* One enrollment spell. */
typedef struct slds_panel_spell {
    int16_t year_offset;
    uint32_t school;     /* id in places */
    int32_t entry, exit; /* day numbers; exit SLDS_PANEL_NO_DAY while enrolled */
} slds_panel_spell;

/* Flags of student_attributes: 1 'Y', 0 'N', -1 not recorded. */
typedef enum slds_panel_flag {
    SLDS_PANEL_ECON = 0, /* econ_disadvantaged */
    SLDS_PANEL_DISABILITY,
    SLDS_PANEL_EL, /* english_learner */
    SLDS_PANEL_N_FLAGS
} slds_panel_flag;

typedef struct slds_panel {
    int year, year_lo, n_years;
    unsigned parts;
    int parts_lo, parts_hi; /* years the parts were read for */
    size_t cap;             /* capacity of every per-student array */
    slds_intern ids;        /* student ids, dense 0..n-1 in id order */
    int n_subjects;         /* sorted by name */
    slds_panel_subject *subjects[SLDS_PANEL_MAX_SUBJECTS];
    size_t rows_read, rows_bad_grade;

    /* rosters: the links of student i are links[link_start[i] .. link_start[i + 1]),
       by year, subject, staff id */
    size_t *link_start;
    slds_panel_link *links;
    size_t n_links;
    slds_intern staff_ids;

    /* enrollments: the spells of student i are spells[spell_start[i] .. spell_start[i + 1]),
       in the table's key order (school id, entry date) */
    size_t *spell_start;
    slds_panel_spell *spells;
    size_t n_spells;
    slds_intern places; /* school and district ids */
    uint32_t *lea_of;   /* place id of a school -> place id of its district */
    uint32_t n_lea_of;

    /* attributes: flags[f][year offset][student] (NULL when the year has none) */
    signed char *flags[SLDS_PANEL_N_FLAGS][SLDS_PANEL_MAX_YEARS];

    /* demographics: race[year offset][student] and sex[student], ids in codes
       (SLDS_NO_ID: not recorded; race NULL when the year has none) */
    uint32_t *race[SLDS_PANEL_MAX_YEARS];
    uint32_t *sex;
    slds_intern codes;
} slds_panel;

/* Fills o with the defaults: every subject, STATE scores, scores only. */
void slds_panel_options_default(slds_panel_options *o);

/* Reads the panel described by o. p is reset first; the caller frees it with
 * slds_panel_free, also on failure. */
int slds_panel_read(slds_store *s, const slds_panel_options *o, slds_panel *p,
                    const slds_progress *progress, slds_error *err);
void slds_panel_free(slds_panel *p);

size_t slds_panel_students(const slds_panel *p);
const char *slds_panel_id(const slds_panel *p, uint32_t i);
/* The index of a student id, SLDS_NO_ID when not in the panel. */
uint32_t slds_panel_find(const slds_panel *p, const char *student_id);
/* The index of a subject, -1 when absent. */
int slds_panel_subject_index(const slds_panel *p, const char *name);
/* Offset of a year in the panel, -1 outside. */
int slds_panel_year(const slds_panel *p, int year);

/* Score / grade / test date of student i in subject s and year (NaN / -1 /
 * SLDS_PANEL_NO_DAY when none). */
double slds_panel_score(const slds_panel *p, int s, int year, size_t i);
int slds_panel_grade(const slds_panel *p, int s, int year, size_t i);
int32_t slds_panel_test_date(const slds_panel *p, int s, int year, size_t i);
/* The score of subject s `lag` years before `year` (lag 1: the year before). */
double slds_panel_prior(const slds_panel *p, int s, int year, int lag, size_t i);
/* Scores of subject s in a year and grade; in Y over every grade. */
size_t slds_panel_count(const slds_panel *p, int s, int year, int grade);
size_t slds_panel_count_subject(const slds_panel *p, int s);

/* Rosters (SLDS_PANEL_ROSTERS): the links of student i (count into *n). */
const slds_panel_link *slds_panel_links(const slds_panel *p, size_t i, size_t *n);
/* The dosage of student i with every teacher of subject s in year, summed. */
double slds_panel_dosage(const slds_panel *p, size_t i, int s, int year);
const char *slds_panel_staff_id(const slds_panel *p, uint32_t staff);

/* Enrollments (SLDS_PANEL_ENROLLMENTS): the school of student i's enrollment
 * in year on day (of several spells containing it, the latest entered;
 * enrolled on the exit date still), else the latest entered spell of the
 * year whatever the day (SLDS_PANEL_NO_DAY: that one); SLDS_NO_ID when the
 * student has no spell in the year. */
uint32_t slds_panel_school_on(const slds_panel *p, size_t i, int year, int32_t day);
/* The district of a school place id (SLDS_NO_ID unknown) and a place's id text. */
uint32_t slds_panel_lea_of(const slds_panel *p, uint32_t school);
const char *slds_panel_place_id(const slds_panel *p, uint32_t place);

/* Attributes (SLDS_PANEL_ATTRIBUTES): 1, 0, or -1 when not recorded. */
int slds_panel_flag_of(const slds_panel *p, slds_panel_flag f, int year, size_t i);

/* Demographics (SLDS_PANEL_DEMOGRAPHICS): the race/ethnicity code of student i
 * in year and the student's sex, as stored; NULL when not recorded. */
const char *slds_panel_race(const slds_panel *p, int year, size_t i);
const char *slds_panel_sex(const slds_panel *p, size_t i);

#endif
