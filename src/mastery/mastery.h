/* mastery.h - mastery of learning standards (issue 10, items 3 and 4):
 * Bayesian Knowledge Tracing (BKT) per standard fitted by EM, each student's
 * probability of mastery kept current response by response, next steps
 * (ready / revisit) over the prerequisite graph, individual learning plans,
 * and the mastery-progression report. docs/mastery.md is the guide.
 *
 * Three layers:
 *  1. BKT on arrays (bkt.c, auc.c): the model, the scaled forward pass, EM
 *     (Baum-Welch) with restarts over many standards on the thread pool, and
 *     the pooled AUC. No database.
 *  2. Evaluation on files (evaluate.c): the ASSISTments layouts of
 *     ../shared/data/bkt and the contract's item_responses.csv; fit on one
 *     file, predict another online.
 *  3. Over the state database (store.c, steps.c, plan.c, html.c): fit from
 *     item_responses, store parameters and states (tables mastery_*, created
 *     by the "mastery" entries of the schema registry), the online update
 *     used by `slds ingest`, tables and HTML pages.
 *
 * The model, per student and standard: the student has mastered the standard
 * before the first response with probability p_init; a response is correct
 * with probability 1 - p_slip when mastered and p_guess when not; after each
 * response an unmastered student masters it with probability p_learn and a
 * mastered one forgets it with probability p_forget (0 unless fitted).
 *
 * "P(mastery)" everywhere is the probability that the student has mastered
 * the standard at the next opportunity: after the last response and the
 * learning (and forgetting) transition that follows it, p_init before any
 * response. The prediction of a response is P(correct) from that value. */
#ifndef SLDS_MASTERY_H
#define SLDS_MASTERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "stats/stats.h"
#include "store/store.h"
#include "table/table.h"

/* ------------------------------------------------------------ BKT model */

typedef struct slds_bkt_params {
    double p_init;   /* P(mastered) before the first response */
    double p_learn;  /* P(unmastered -> mastered) after a response */
    double p_guess;  /* P(correct | unmastered) */
    double p_slip;   /* P(incorrect | mastered) */
    double p_forget; /* P(mastered -> unmastered) after a response; 0 when not fitted */
} slds_bkt_params;

/* A student's state on one standard: P(mastered) and P(not mastered), each
 * kept on its own. Their sum is 1 up to rounding, but a single number cannot
 * carry both: after a long run of correct answers P(not mastered) is far
 * below 1e-16, 1 - P(not mastered) rounds to exactly 1, and a P(mastery)
 * alone can then never fall again however many answers are wrong (on the
 * ASSISTments DKT split this froze 2,864 test predictions and cost 0.013 of
 * AUC). The fit's forward pass (EM) keeps the same pair; pyBKT's normalized
 * forward messages are this pair too. */
typedef struct slds_bkt_state {
    double mastered;     /* P(mastered) before the next response */
    double not_mastered; /* P(not mastered) before the next response */
} slds_bkt_state;

/* The state before a student's first response: (p_init, 1 - p_init). */
slds_bkt_state slds_bkt_start(const slds_bkt_params *p);

/* A state from a stored P(mastery) and, when known (>= 0), the stored
 * P(not mastered); without it (negative) the complement 1 - p_mastery. */
slds_bkt_state slds_bkt_state_of(double p_mastery, double p_not_mastered);

/* The online update: the state after one more response (correct 0/1): Bayes'
 * rule on the response, then the learning/forgetting transition, the same
 * arithmetic, operation for operation, as the fit's forward pass. */
slds_bkt_state slds_bkt_step(const slds_bkt_params *p, slds_bkt_state s, int correct);

/* P(correct) of the next response of a student in state s. */
double slds_bkt_state_predict(const slds_bkt_params *p, slds_bkt_state s);

/* P(correct) of the next response of a student whose P(mastery) is p_mastery. */
double slds_bkt_predict(const slds_bkt_params *p, double p_mastery);

/* slds_bkt_step from P(mastery) alone (its complement taken as 1 -
 * p_mastery), returning the new P(mastery): for a single step from a value
 * at hand; a sequence of steps must carry the state (see slds_bkt_state). */
double slds_bkt_update(const slds_bkt_params *p, double p_mastery, int correct);

/* The forward pass over one student's responses obs[0..n) (0/1, time order),
 * carrying the state from slds_bkt_start through slds_bkt_step:
 * pred[t] = P(correct of response t | responses before t) (may be NULL);
 * mastery[t] = P(mastery) before response t, mastery[n] after the last one
 * (n + 1 values; may be NULL). */
void slds_bkt_forward(const slds_bkt_params *p, const uint8_t *obs, size_t n, double *pred,
                      double *mastery);

/* Log-likelihood of sequences (obs[start[k]..start[k+1]) for k < n_seq). */
double slds_bkt_log_likelihood(const slds_bkt_params *p, const uint8_t *obs, const size_t *start,
                               size_t n_seq);

typedef struct slds_bkt_fit_options {
    bool forget;    /* fit p_forget too (else it stays 0) */
    int restarts;   /* EM runs from different starting points; the best likelihood wins (default 5) */
    int max_iter;   /* EM iterations per run (default 200) */
    double tol;     /* stop when the log-likelihood gains less than this per run (default 1e-4) */
    int threads;    /* threads for slds_bkt_fit_all (default: the CPU count) */
    uint64_t seed;  /* starting points are drawn from (seed, skill, restart): reproducible */
} slds_bkt_fit_options;

void slds_bkt_fit_options_default(slds_bkt_fit_options *o);

typedef struct slds_bkt_fit {
    slds_bkt_params params;
    double log_likelihood; /* at params */
    int iterations;        /* EM iterations of the winning run */
    int restart;           /* which run won (0 = the fixed starting point) */
    size_t responses;      /* rows fitted */
    size_t sequences;      /* students */
    size_t distinct;       /* distinct response sequences (EM runs over these, weighted) */
} slds_bkt_fit;

/* Fits one standard from its sequences obs[start[k]..start[k+1]), k < n_seq.
 * skill_key makes the starting points of this standard (with o->seed).
 * Errors: SLDS_ERR_NOMEM; SLDS_ERR_USAGE for no sequence. */
int slds_bkt_fit_one(const uint8_t *obs, const size_t *start, size_t n_seq,
                     const slds_bkt_fit_options *o, uint64_t skill_key, slds_bkt_fit *out,
                     slds_error *err);

/* Responses of many students to many skills, grouped by skill, then student,
 * keeping the given order of each student's responses (so rows must be given
 * in time order, at least within each student). */
typedef struct slds_bkt_corpus slds_bkt_corpus;

/* skill[i] < n_skills, student[i] < n_students, correct[i] 0/1 for i < n. */
int slds_bkt_corpus_new(slds_bkt_corpus **out, const uint32_t *skill, const uint32_t *student,
                        const uint8_t *correct, size_t n, uint32_t n_skills, uint32_t n_students,
                        slds_error *err);
void slds_bkt_corpus_free(slds_bkt_corpus *c);
uint32_t slds_bkt_corpus_skills(const slds_bkt_corpus *c);
/* Responses of skill k (0 when none). */
size_t slds_bkt_corpus_skill_rows(const slds_bkt_corpus *c, uint32_t k);

/* Fits every skill with at least one response (fits[k] for k < n_skills;
 * fits[k].responses == 0 for a skill without), on o->threads threads: every
 * (skill, restart) is a task of the core thread pool, largest first. */
int slds_bkt_fit_all(const slds_bkt_corpus *c, const slds_bkt_fit_options *o, slds_bkt_fit *fits,
                     const slds_progress *progress, slds_error *err);

/* Online predictions: pred[i] = P(correct) of row i (in the order the rows
 * were given) from the student's earlier rows of the same skill only, with
 * params[skill]; NaN for rows of a skill whose have[skill] is false. */
void slds_bkt_corpus_predict(const slds_bkt_corpus *c, const slds_bkt_params *params,
                             const bool *have, double *pred);

/* The pooled AUC is slds_auc of src/stats (stats.h). */

/* ---------------------------------------------------- evaluation on files */

typedef struct slds_mastery_eval_options {
    const char *train;  /* a file of ../shared/data/bkt (either layout) or an item_responses.csv */
    const char *test;
    const char *params_out; /* NULL, or a CSV file to write each skill's fitted parameters to */
    slds_bkt_fit_options fit;
} slds_mastery_eval_options;

typedef struct slds_mastery_eval {
    double auc;              /* pooled over every predicted test row */
    double train_log_likelihood; /* sum over skills at the fitted parameters */
    double rmse;             /* of the same predictions */
    double accuracy;         /* predictions >= 0.5 taken as correct */
    double fit_seconds;      /* EM over every skill (grouping included), wall clock */
    double fit_cpu_seconds;  /* the same in CPU time of every thread (a loaded machine's wall
                              * clock counts other processes' time too) */
    double read_seconds;     /* reading both files */
    double predict_seconds;
    size_t train_rows, test_rows;
    size_t rows;             /* test rows predicted (skills seen in training) */
    size_t unseen_rows;      /* test rows of skills absent from training (left out) */
    size_t skills, train_students, test_students;
    const char *layout;      /* "assist09-dedup", "assist09-dkt" or "item_responses" */
    int threads;
} slds_mastery_eval;

/* Reads train and test, fits every skill of train, predicts every test row
 * online (before seeing it, then updates) and scores the pooled AUC. */
int slds_mastery_evaluate(const slds_mastery_eval_options *o, slds_mastery_eval *out,
                          const slds_progress *progress, slds_error *err);

/* ------------------------------------------------- over the state database */

/* The probability of mastery at or above which a standard counts as mastered
 * (Corbett and Anderson's 0.95), unless an option says otherwise. */
#define SLDS_MASTERY_THRESHOLD 0.95

typedef struct slds_mastery_fit_summary {
    size_t standards;    /* standards fitted */
    size_t responses;    /* item responses read */
    size_t students;     /* students with a response */
    size_t states;       /* (student, standard) states stored */
    double read_seconds, fit_seconds, write_seconds, seconds;
} slds_mastery_fit_summary;

/* `slds mastery fit`: reads item_responses (time order per student), fits
 * every standard, replaces mastery_params and mastery_state in one
 * transaction. s must be a writer. */
int slds_mastery_fit_store(slds_store *s, const slds_bkt_fit_options *o, double threshold,
                           slds_mastery_fit_summary *sum, const slds_progress *progress,
                           slds_error *err);

/* What slds_mastery_update did. */
typedef enum {
    SLDS_MASTERY_UPDATED,    /* one step of the online update */
    SLDS_MASTERY_REPLAYED,   /* an earlier response than the last one applied: the student's
                              * responses to the standard were replayed from item_responses */
    SLDS_MASTERY_NO_MODEL    /* the standard has no fitted parameters yet: nothing stored */
} slds_mastery_update_result;

/* The online update of one new response, without refitting (for `slds
 * ingest`): the student's state for the standard (P(mastery) and P(not
 * mastered) as stored; from p_init when none) moves one step with
 * slds_bkt_step and is stored. A response
 * older than the last one applied (a late arrival) replays the student's
 * responses to that standard from item_responses, which must then hold the
 * new row already. s must be a writer; the caller holds the transaction. */
int slds_mastery_update(slds_store *s, const char *student_id, const char *standard_id,
                        const char *response_time, int correct, double threshold,
                        slds_mastery_update_result *result, slds_error *err);

/* `slds mastery show --standards`: standard_id, subject, grade_level, p_init,
 * p_learn, p_guess, p_slip (p_forget when fitted), responses, students,
 * log_likelihood. */
int slds_mastery_standards_table(slds_store *s, slds_table **out, slds_error *err);

/* `slds mastery show --student ID`: the student's mastery map: every standard
 * of the student's subjects and grades up to the current one (and any with a
 * state): p_mastery, responses, status (mastered / revisit / ready /
 * not ready / not started), next step. */
int slds_mastery_student_table(slds_store *s, const char *student_id, double threshold,
                               slds_table **out, slds_error *err);

/* Next steps of one student: standards ready (every prerequisite mastered,
 * the standard not) and to revisit (practised, not mastered now: never
 * reached or fallen). Table next_steps: student_id, standard_id, subject,
 * grade_level, step (ready / revisit), reason, p_mastery, prerequisites. */
int slds_mastery_next_steps_table(slds_store *s, const char *student_id, double threshold,
                                  slds_table **out, slds_error *err);

/* Learning plans (table learning_plans): a goal is a standard to master by a
 * target date, set by a teacher. Setting a goal again replaces its date. */
typedef struct slds_plan_goal {
    const char *student_id, *standard_id;
    const char *target_date; /* YYYY-MM-DD */
    const char *set_by;      /* who set it (a staff id or a name); may be NULL */
    const char *note;        /* may be NULL */
    const char *set_on;      /* YYYY-MM-DD; NULL: today (UTC) */
} slds_plan_goal;

/* Stores a goal. Errors: SLDS_ERR_USAGE for a bad date, SLDS_ERR_NOTFOUND
 * for an unknown student or standard. s must be a writer. */
int slds_mastery_plan_set(slds_store *s, const slds_plan_goal *g, slds_error *err);
/* Removes a goal (SLDS_ERR_NOTFOUND when there is none). */
int slds_mastery_plan_remove(slds_store *s, const char *student_id, const char *standard_id,
                             slds_error *err);
/* The student's plan as of a date (YYYY-MM-DD; NULL: today): per goal the
 * standard, target date, P(mastery), mastered on, days left and status (met,
 * met late, on track, behind, overdue, not started). */
int slds_mastery_plan_table(slds_store *s, const char *student_id, const char *as_of,
                            double threshold, slds_table **out, slds_error *err);

/* Students who have mastered every standard of their grade in a subject
 * (eligible to move on) in year (0: the latest with enrollments): student_id,
 * school_id, subject, grade_level, standards, mastered. Optional filters
 * (NULL: all): school, subject. */
int slds_mastery_progression_students(slds_store *s, int year, const char *school_id,
                                      const char *subject, double threshold, slds_table **out,
                                      slds_error *err);
/* The same counted by state, district and school x subject x grade:
 * students with a mastery estimate (SIZE), eligible (COUNT), percent
 * (STATISTIC): publishable; the registry's mastery-progression report
 * (src/report) prints it. */
int slds_mastery_progression_summary(slds_store *s, int year, const char *subject,
                                     double threshold, slds_table **out, slds_error *err);

/* ---- HTML pages (html.c) ---- */

/* A teacher's class mastery grid: students x standards heatmap (SVG) of the
 * students of a section (rosters.section_id) or of a school and grade, with
 * the table below. Exactly one of section_id or school_id (with grade). */
int slds_mastery_grid_html(slds_store *s, const char *section_id, const char *school_id,
                           const char *grade, const char *subject, double threshold,
                           slds_buf *out, slds_error *err);
/* A student's (and parent's) page: the plan with progress bars, next steps
 * and the mastery map as an SVG grid by grade. */
int slds_mastery_student_html(slds_store *s, const char *student_id, const char *as_of,
                              double threshold, slds_buf *out, slds_error *err);

#endif
