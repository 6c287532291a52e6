/* internal.h - what the files of src/warn share: the student-year records
 * read from the store (data.c), the design matrices and the fitted models
 * (model.c). Not part of the public API (warn.h). */
#ifndef SLDS_WARN_INTERNAL_H
#define SLDS_WARN_INTERNAL_H

#include "core/hash.h"
#include "warn/warn.h"

enum { WARN_RACE_N = 7, WARN_UNKNOWN = 255 };
extern const char *const warn_race_codes[WARN_RACE_N];

/* One student in one school year of grades 6-12. */
typedef struct warn_rec {
    uint32_t student;       /* id in warn_data.students */
    uint32_t school;        /* id in warn_data.schools of the year's last spell */
    int year;
    slds_warn_abc abc;
    char last_exit[24];     /* exit code of the year's last spell ("" open) */
    double cum_credits;     /* credits earned in grades 9-12 through this year */
    int hs_years;           /* high-school years with courses through this year */
    bool retained;          /* repeated a grade up to this year (in the data) */
    bool has_test;
    double test_z;          /* mean z of the latest STATE ELA/MATH scores up to this year */
    uint8_t race, econ, disability, el, sex; /* WARN_UNKNOWN when absent; sex 0 F, 1 M */
    signed char not_grad;   /* 1 not graduated on time, 0 graduated, -1 unknown/removed */
    signed char any_f;      /* 1 failed a course this year, 0 not, -1 no courses */
    int cohort;             /* expected graduation year: year + 12 - grade */
} warn_rec;

typedef struct warn_data {
    slds_intern students, schools, leas;
    uint32_t *school_lea;   /* per school id: lea id (SLDS_NO_ID when unknown) */
    size_t n_school_lea;
    warn_rec *recs;
    size_t n, cap;
    slds_map64 index;       /* (student << 16 | year) -> record */
    int first_year, last_year; /* of enrollments */
    int last_course_year;
} warn_data;

int warn_data_load(slds_store *s, const slds_warn_config *c, warn_data *d, const slds_progress *progress,
                   slds_error *err);
void warn_data_free(warn_data *d);
/* The record of student in year, or NULL. */
const warn_rec *warn_data_find(const warn_data *d, uint32_t student, int year);
const char *warn_school_lea(const warn_data *d, uint32_t school);

/* ---- models ------------------------------------------------------------- */

enum { WARN_MODEL_GRAD, WARN_MODEL_FAIL };
enum { WARN_MAX_P = 20 };

typedef struct warn_model {
    int kind;
    int p;
    const char *names[WARN_MAX_P];
    double mean[WARN_MAX_P], sd[WARN_MAX_P]; /* standardisation of columns 1.. */
    slds_logit_result fit;
    slds_platt platt;
    double threshold;
    size_t train_n, train_pos, calib_n, calib_pos;
} warn_model;

/* The raw (unstandardised) design row of record r for the model kind; false
 * when r cannot be scored (the course-failure model needs grade >= 6 this
 * year; the prior year may be missing). */
bool warn_features(const warn_data *d, const warn_rec *r, int kind, const slds_warn_config *c,
                   double *x);
int warn_model_p(int kind);
/* Label of r for kind: 1, 0, or -1 (unknown). */
int warn_label(const warn_rec *r, int kind);

/* Trains on the records for which use(r) is true and the label is known:
 * students whose id hashes into the calibration share go to calibration
 * (Platt scaling, threshold), the others to the fit. */
typedef bool (*warn_rec_filter)(const warn_rec *r, void *ctx);
int warn_model_train(const warn_data *d, int kind, const slds_warn_config *c, warn_rec_filter use, void *ctx,
                     warn_model *m, slds_error *err);
/* Calibrated probability for r (NaN when r cannot be scored). */
double warn_model_predict(const warn_data *d, const warn_model *m, const slds_warn_config *c, const warn_rec *r);
/* The main contributing factors of r in words, appended to b ("; " between). */
int warn_model_factors(const warn_data *d, const warn_model *m, const slds_warn_config *c, const warn_rec *r,
                       slds_buf *b);
json_t *warn_model_json(const warn_model *m);

#endif
