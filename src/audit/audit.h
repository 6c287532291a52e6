/* audit.h - the State data audit system: a data-quality report over a loaded
 * state database (America COMPETES element 5) and the coverage of the twelve
 * America COMPETES elements that the loaded data supports, with the (C)(1)
 * score that coverage earns.
 *
 * Findings are data, not text, so the command line, a web dashboard or a test
 * can each present them their own way. Every finding counts rows (or pairs,
 * or groups) that fail one check, out of the rows the check examined, and
 * carries a few example keys: statewide ids, staff ids, school ids, file lines
 * -- never a name or a birth date. docs/audit.md defines every check.
 *
 * Ownership: slds_audit_run gives the caller the report; free it with
 * slds_audit_report_free. Every string inside belongs to the report. */
#ifndef SLDS_AUDIT_H
#define SLDS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

typedef enum {
    SLDS_AUDIT_VALIDITY,     /* rows the loader rejected, by file and reason */
    SLDS_AUDIT_COMPLETENESS, /* blank values of columns that may be blank */
    SLDS_AUDIT_CONSISTENCY,  /* rows that disagree with rows of another table */
    SLDS_AUDIT_DUPLICATES,   /* one person or one spell recorded twice */
    SLDS_AUDIT_OUTLIERS      /* values that are implausible */
} slds_audit_category;

#define SLDS_AUDIT_NCATEGORIES 5

typedef enum {
    SLDS_AUDIT_STATEWIDE,  /* all rows the check examined */
    SLDS_AUDIT_DISTRICT,   /* the rows of one district (lea_id) */
    SLDS_AUDIT_NO_DISTRICT /* rows that could not be placed in any district */
} slds_audit_scope;

typedef struct slds_audit_finding {
    slds_audit_category category;
    slds_audit_scope scope;
    char *table;       /* table checked ("enrollments"), or file for validity ("students.csv") */
    char *lea_id;      /* the district when scope is SLDS_AUDIT_DISTRICT, else NULL */
    char *check;       /* short stable name ("blank_exit_code", "school_unknown") */
    char *description; /* one line for a person */
    int64_t count;     /* rows (pairs, groups) failing the check */
    int64_t total;     /* rows (pairs, groups) the check examined in this scope */
    size_t n_examples; /* up to slds_audit_options.max_examples */
    char **examples;   /* keys of failing rows, key columns joined by '|' */
} slds_audit_finding;

#define SLDS_COMPETES_ELEMENTS 12

/* One of the twelve America COMPETES Act elements and whether the data in the
 * database supports it. */
typedef struct slds_audit_element {
    int element;        /* 1..12, numbered as in the notice */
    const char *name;   /* short name (static string) */
    bool supported;
    char evidence[256]; /* the row counts the decision rests on */
} slds_audit_element;

typedef struct slds_audit_report {
    slds_audit_finding *findings; /* ordered by category, table, check, scope, district */
    size_t n_findings;
    slds_audit_element elements[SLDS_COMPETES_ELEMENTS];
    int c1_score; /* 2 points per supported element */
    int c1_max;   /* 24 */
} slds_audit_report;

typedef struct slds_audit_options {
    int max_examples;         /* example keys kept per finding (default 5, 0 for none) */
    double jump_sd;           /* a score change this many SDs from the mean is an outlier (4) */
    double max_days_enrolled; /* attendance days_enrolled above this is an outlier (200) */
    const slds_progress *progress; /* may be NULL */
} slds_audit_options;

/* Fills opt with the defaults above. */
void slds_audit_options_default(slds_audit_options *opt);

/* Audits the database. opt may be NULL (defaults). Read-only for the state's
 * tables: works in TEMP tables inside one read transaction, so the report is
 * one consistent snapshot. On success *out is the caller's. */
int slds_audit_run(slds_store *s, const slds_audit_options *opt, slds_audit_report **out,
                   slds_error *err);
void slds_audit_report_free(slds_audit_report *r);

/* The America COMPETES elements and the (C)(1) score alone, as slds_audit_run
 * decides them (the same counts, the same evidence), without the checks: one
 * counting query per table, in one read snapshot. The report has no findings.
 * On success *out is the caller's (slds_audit_report_free). */
int slds_audit_elements(slds_store *s, slds_audit_report **out, slds_error *err);

/* "validity", "completeness", ... and "state", "district", "no_district". */
const char *slds_audit_category_name(slds_audit_category c);
const char *slds_audit_scope_name(slds_audit_scope s);

/* The report as result tables (src/table), the form every output and the
 * report registry use: *findings, one row per finding (category, table,
 * scope, district, check, count, total, rate at 6 decimals, examples as a
 * list, description), and *elements, one row per element (element, name,
 * supported, evidence). Both are the caller's. */
int slds_audit_tables(const slds_audit_report *r, slds_table **findings, slds_table **elements,
                      slds_error *err);

#endif
