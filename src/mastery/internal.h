/* internal.h - what the files of src/mastery share and nothing else sees:
 * the layout of a response corpus (so the database layer can walk each
 * student's sequence of a standard after a fit) and small helpers. */
#ifndef SLDS_MASTERY_INTERNAL_H
#define SLDS_MASTERY_INTERNAL_H

#include "core/hash.h"
#include "mastery/mastery.h"

struct slds_bkt_corpus {
    uint32_t n_skills;
    size_t n;
    uint32_t *row;     /* sorted position -> given row */
    uint8_t *obs;      /* sorted */
    size_t *seq_start; /* n_seq + 1 sorted positions */
    size_t n_seq;
    size_t *skill_seq; /* n_skills + 1: sequences of skill k are skill_seq[k]..skill_seq[k+1] */
};

/* "YYYY-MM-DDTHH:MM:SS" (or "YYYY-MM-DD", or with a space for T) as seconds
 * since 1970-01-01; false when not one. */
bool mastery_parse_time(const char *s, int64_t *out);
/* A grade code (PK, KG, 01..12, or 1..12) as a number: PK -1, KG 0; false when not one. */
bool mastery_grade_number(const char *g, int *out);

/* SLDS_ERR_NOTFOUND with a message when the database has no mastery tables
 * yet (an older database opened read-only). */
int mastery_require_schema(slds_store *s, slds_error *err);
/* The fitted parameters of a standard: 1 found, 0 none, -1 error. */
int mastery_params_get(slds_store *s, const char *standard_id, slds_bkt_params *p,
                       slds_error *err);
/* Today as YYYY-MM-DD (UTC). */
void mastery_today(char out[11]);

/* The standards (standards.csv) with their prerequisites, and one student's
 * mastery states, for next steps, plans and pages (steps.c). */
typedef struct mastery_standard {
    char *id, *subject, *grade, *description;
    int grade_no;      /* mastery_grade_number, or 99 when not a grade */
    uint32_t *prereq;  /* indices of prerequisites */
    int n_prereq;
} mastery_standard;

typedef struct mastery_catalog {
    mastery_standard *v;
    uint32_t n;
    slds_intern ids; /* id -> index */
} mastery_catalog;

int mastery_catalog_load(slds_store *s, mastery_catalog *cat, slds_error *err);
void mastery_catalog_free(mastery_catalog *cat);
/* Index of id, or UINT32_MAX. */
uint32_t mastery_catalog_find(const mastery_catalog *cat, const char *id);

typedef struct mastery_student_state {
    bool has;             /* a state is stored */
    double p, max_p;
    long long responses, correct;
    char mastered_at[40], last[40];
} mastery_student_state;

/* What a standard is to a student. */
typedef enum {
    MASTERY_MASTERED,
    MASTERY_REVISIT_FALLEN,  /* reached the threshold once, below it now */
    MASTERY_REVISIT_NOT_YET, /* practised, never reached it */
    MASTERY_READY,           /* not practised, every prerequisite mastered */
    MASTERY_NOT_READY,       /* not practised, a prerequisite not mastered */
} mastery_status;

const char *mastery_status_name(mastery_status st);

typedef struct mastery_student {
    char student_id[64];
    int grade_no;          /* current grade (latest enrollment), 99 when unknown */
    char grade[8], school_id[64];
    int year;
    mastery_student_state *st; /* per catalog standard */
} mastery_student;

/* Loads the student's states (and latest enrollment) against cat.
 * SLDS_ERR_NOTFOUND for a student the database does not know. */
int mastery_student_load(slds_store *s, const mastery_catalog *cat, const char *student_id,
                         mastery_student *m, slds_error *err);
void mastery_student_free(mastery_student *m);
mastery_status mastery_status_of(const mastery_catalog *cat, const mastery_student *m, uint32_t k,
                                 double threshold);
/* True when standard k belongs on the student's map: a grade up to the
 * student's current one, or a stored state. */
bool mastery_on_map(const mastery_catalog *cat, const mastery_student *m, uint32_t k);

/* A goal's status (plan.c); p is NaN when has is false. */
const char *mastery_goal_status(double p, double p_init, bool has, const char *mastered_at,
                                int64_t set_on, int64_t target, int64_t as_of, double threshold);

#endif
