/* audit_internal.h - what the files of the audit module share: the audit
 * context, the collector that turns row-level hits into findings, and the
 * steps of an audit (each in its own file).
 *
 * The collector: a check (audit_check) keeps, for the whole state, for each
 * district and for rows without a district, a count of failing rows, a total
 * of examined rows and the first few failing keys in scan order (scans run in
 * primary-key order, so these are the smallest keys). Districts are numbered
 * in the order they are first seen; lookups go through a sorted index. */
#ifndef SLDS_AUDIT_INTERNAL_H
#define SLDS_AUDIT_INTERNAL_H

#include <sqlite3.h>

#include "audit/audit.h"

typedef struct audit_bucket {
    int64_t count;
    int64_t total;
    size_t n_examples;
    char **examples; /* max_examples slots, allocated on the first example */
} audit_bucket;

typedef struct audit_check {
    slds_audit_category category;
    char *table;
    char *name;
    char *description;
    bool statewide_only; /* the table has no district (standards, prep_programs, files) */
    audit_bucket state;
    audit_bucket none;      /* rows without a district */
    audit_bucket *district; /* indexed by district number; cap_district slots */
    size_t cap_district;
} audit_check;

typedef struct audit_tally {
    char name[64];
    int64_t value;
} audit_tally;

typedef struct audit_ctx {
    slds_store *s;
    slds_audit_options opt;
    slds_error *err;
    /* districts: ids by number, and numbers sorted by id for lookup */
    char **lea_ids;
    size_t *lea_sorted;
    size_t n_leas, cap_leas;
    size_t last_lea; /* number of the district found last (a cache: rows come in runs) */
    audit_check **checks;
    size_t n_checks, cap_checks;
    audit_tally *tallies;
    size_t n_tallies, cap_tallies;
    int step, steps; /* progress */
    struct audit_jumps *jumps; /* jumps.c: score changes seen by the assessments scan */
} audit_ctx;

/* ---- collect.c ---- */
/* Number of the district lea_id (added if new) in *out; -1 for NULL or "". */
int audit_district(audit_ctx *c, const char *lea_id, long *out);
/* A new check owned by the context (NULL when out of memory: err is set). */
audit_check *audit_check_add(audit_ctx *c, slds_audit_category cat, const char *table,
                             const char *name, const char *description, bool statewide_only);
/* One failing item in district d (-1: no district) with its key (may be NULL). */
int audit_check_hit(audit_ctx *c, audit_check *k, long d, const char *key);
/* The two halves of audit_check_hit, for items counted once statewide but in
 * several districts. */
int audit_check_hit_state(audit_ctx *c, audit_check *k, const char *key);
int audit_check_hit_district(audit_ctx *c, audit_check *k, long d, const char *key);
/* Whether a hit in district d would still keep its key (so the caller can
 * skip building keys once every bucket has its examples). */
bool audit_check_wants_example(const audit_ctx *c, const audit_check *k, long d);
/* n more examined items in district d (-1: no district). */
int audit_check_total(audit_ctx *c, audit_check *k, long d, int64_t n);
/* The check named table/name, or NULL. */
const audit_check *audit_check_find(const audit_ctx *c, const char *table, const char *name);
int audit_tally_set(audit_ctx *c, const char *name, int64_t value);
int64_t audit_tally_get(const audit_ctx *c, const char *name); /* 0 when never set */
/* Moves every check into findings of r (statewide when examined, others when failing). */
int audit_emit_findings(audit_ctx *c, slds_audit_report *r);
void audit_ctx_release(audit_ctx *c);
/* Reports the start of the next step to the progress reporter. */
void audit_progress(audit_ctx *c, const char *stage);
/* Joins the text of columns first..first+n-1 of st with '|' into buf. */
void audit_key_from_row(sqlite3_stmt *st, int first, int n, char *buf, size_t size);

/* ---- prepare.c: TEMP tables the checks share ---- */
int audit_prepare_temp(audit_ctx *c);
void audit_drop_temp(audit_ctx *c);
/* 1 when the table has at least one row, 0 when empty, -1 on error. */
int audit_table_has_rows(audit_ctx *c, const char *table);

/* ---- the steps ---- */
int audit_scan_tables(audit_ctx *c);   /* scan.c: completeness and row checks */
int audit_rejects(audit_ctx *c);       /* validity.c */
int audit_load_findings(audit_ctx *c); /* validity.c: loader findings per district and rule */
int audit_identity_dups(audit_ctx *c); /* duplicates.c */
/* jumps.c: begin before the table scans; the assessments scan feeds observe
 * every row (columns 1-3: student_id, school_year, subject; col..col+2: is a
 * scored STATE row, grade_tested, scale_score); audit_score_jumps flags and
 * sets the tally assessments.state_scored. */
int audit_jumps_begin(audit_ctx *c);
int audit_jumps_observe(audit_ctx *c, sqlite3_stmt *st, int col, long d);
int audit_score_jumps(audit_ctx *c);
void audit_jumps_release(audit_ctx *c);
int audit_elements(audit_ctx *c, slds_audit_report *r); /* elements.c */
int audit_scan_steps(void);            /* number of progress steps audit_scan_tables takes */

#endif
