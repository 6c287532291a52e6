/* extract.h - de-identified extracts for researchers (notice (C)(3)(iii)).
 *
 * An extract is a folder of CSV files holding the columns and school years a
 * spec names, in which:
 *  - every student id is replaced by a pseudonym made with a key drawn at
 *    random for this extract alone and then forgotten, so the pseudonyms of
 *    two extracts can't be joined (not even by the state);
 *  - names and birth dates never appear (student_identity and staff names are
 *    not extractable); staff and section ids get pseudonyms the same way;
 *  - quasi-identifiers (the demographic, school, grade and date columns) are
 *    coarsened, one column at a time along its hierarchy, until every
 *    student's combination of them is shared by at least k students, and the
 *    students still alone after that are suppressed (Sweeney's Datafly);
 *  - a data-use record (who, why, when, what, how much was coarsened and
 *    suppressed) is kept in the database's extracts table.
 *
 * Design notes: invariants that must never break (each has a test in
 * tests/extract/):
 *   E1. No student_id, name or birth date of the store appears in any file.
 *   E2. k-anonymity: grouping the written students by their whole
 *       quasi-identifier profile (every QI value of every written row, with
 *       its school year) gives groups of at least k students.
 *   E3. Two extracts of the same spec share no pseudonym.
 *   E4. Rows of suppressed students are dropped whole; rows written +
 *       rows of suppressed students = rows selected.
 *
 * Ownership: slds_extract_result is the caller's; free it with
 * slds_extract_result_free. */
#ifndef SLDS_EXTRACT_H
#define SLDS_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

#define SLDS_EXTRACT_DEFAULT_K 10
#define SLDS_EXTRACT_DEFAULT_MAX_SUPPRESSED 0.02

/* What a column of an extractable table is, and so what the extract does with it. */
typedef enum {
    SLDS_XCOL_STUDENT,   /* the student id: replaced by the pseudonym */
    SLDS_XCOL_PSEUDONYM, /* another identifier (staff, section): its own pseudonym */
    SLDS_XCOL_YEAR,      /* school_year: kept, used to select years */
    SLDS_XCOL_VALUE,     /* an outcome or code: kept as it is */
    SLDS_XCOL_QI_CODE,   /* quasi-identifier code (sex, race, flags): exact, then "*" */
    SLDS_XCOL_QI_SCHOOL, /* school id: school, then its district, then "*" */
    SLDS_XCOL_QI_LEA,    /* district id: district, then "*" */
    SLDS_XCOL_QI_GRADE,  /* grade level: grade, then band (PK-02, 03-05, 06-08, 09-12), then "*" */
    SLDS_XCOL_QI_DATE    /* date: month (never the day), then year, then "*" */
} slds_extract_column_kind;

/* Number of generalization levels of a kind (the last one is "*"); 1 for
 * columns that are not quasi-identifiers. */
int slds_extract_kind_levels(slds_extract_column_kind kind);

/* The kind of table.column, or -1 when it can't be extracted (unknown, or
 * names and birth dates). */
int slds_extract_column_kind_of(const char *table, const char *column);

/* value generalized to level (0 = the finest level an extract may show) into
 * buf. school_lea gives a school's district for QI_SCHOOL at level 1 (NULL
 * when unknown: shown as "*"). Returns buf. */
const char *slds_extract_generalize(slds_extract_column_kind kind, int level, const char *value,
                                    const char *school_lea, char *buf, size_t size);

/* One table of a spec: its name and the columns to write (the student id
 * column is always written, as "pseudonym", first). */
typedef struct slds_extract_table_spec {
    char *table;
    char **columns;
    size_t ncolumns;
} slds_extract_table_spec;

typedef struct slds_extract_spec {
    char *requester;   /* who: a person and institution */
    char *purpose;     /* why: the study */
    char *approved_by; /* the data steward who approved it (may be NULL) */
    char *researcher;  /* the `slds serve` account (a researcher's username) it is released
                        * to when approved (may be NULL: given by hand only) */
    int k;             /* minimum group size (default SLDS_EXTRACT_DEFAULT_K) */
    double max_suppressed; /* largest share of students suppressed rather than coarsening further */
    int *years;        /* school years (ends of school years); none: every year */
    size_t nyears;
    slds_extract_table_spec *tables;
    size_t ntables;
} slds_extract_spec;

/* Reads a spec from a JSON file (docs/extract.md):
 *   {"requester": "...", "purpose": "...", "approved_by": "...", "k": 10,
 *    "max_suppressed": 0.02, "years": [2023, 2024],
 *    "tables": {"assessments": ["school_year", "subject", "scale_score"], ...}}
 * Errors name the file and the offending key or column (SLDS_ERR_DATA). */
int slds_extract_spec_read(slds_extract_spec *spec, const char *path, slds_error *err);
void slds_extract_spec_free(slds_extract_spec *spec);

/* What an extract wrote, for the caller to print: per file rows written and
 * the coarsening chosen per quasi-identifier. */
typedef struct slds_extract_result {
    char extract_id[33];
    size_t students_selected;
    size_t students_written;
    size_t students_suppressed;
    size_t rows_selected;
    size_t rows_written;
    slds_table *files;           /* file, rows_selected, rows_written */
    slds_table *generalizations; /* table, column, level, shown_as */
} slds_extract_result;

void slds_extract_result_free(slds_extract_result *r);

/* Writes the extract of spec from the store (opened as a writer: the
 * data-use record is written in it) into the new folder out_dir (it must not
 * exist, or be empty). On failure nothing is recorded and the folder is
 * removed. */
int slds_extract_run(slds_store *s, const slds_extract_spec *spec, const char *out_dir,
                     slds_extract_result *result, const slds_progress *progress,
                     slds_error *err);

/* The data-use records of the store: extract_id, created_at, requester,
 * purpose, approved_by, k, years, tables, students_written,
 * students_suppressed, rows_written, out_dir. A store without the table
 * (older database, opened read-only) gives an empty table. */
int slds_extract_records(slds_store *s, slds_table **out, slds_error *err);
/* The same, only the extracts approved (approved_by set) and released to the
 * researcher account `researcher` (the spec's "researcher"): what that
 * researcher may see and download through the server. */
int slds_extract_records_for(slds_store *s, const char *researcher, slds_table **out,
                             slds_error *err);

#endif
