/* load.h - loading a collection folder into the state database.
 *
 * Invariants of a load (each has a test in tests/ingest):
 *  1. A load is one transaction: it lands whole or not at all, also when the
 *     process is killed at any moment (test_crash.sh).
 *  2. Rows read = rows loaded + rows rejected, per file and in total; every
 *     rejected row is kept (table rejects and rejects.csv) with its file,
 *     line, column, value and reason.
 *  3. Loading the same collection twice leaves the database as loading it
 *     once: rows are keyed by each file's natural key and a re-loaded row
 *     replaces the stored one (test_idempotence.sh).
 *  4. A file-level fault (unreadable, empty, binary, unterminated quote,
 *     missing required column) stops the load cleanly: nothing is written,
 *     and the error names the file and line.
 *  5. Student names and birth dates are written only to student_identity. */
#ifndef SLDS_INGEST_LOAD_H
#define SLDS_INGEST_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

#define SLDS_MAX_FILES 32

typedef struct slds_load_options {
    const char *rejects_path; /* where to write rejects.csv (NULL: don't) */
} slds_load_options;

typedef struct slds_file_result {
    char file[64];
    int64_t read, loaded, rejected;
    char extra_columns[512]; /* columns not in the contract, reported and ignored */
    double seconds;
} slds_file_result;

typedef struct slds_load_result {
    slds_file_result files[SLDS_MAX_FILES]; /* the files present, in load order */
    int nfiles;
    char missing[SLDS_MAX_FILES][64];       /* contract files absent from the folder */
    int nmissing;
    int64_t read, loaded, rejected;
    int64_t ids_assigned, ids_matched;      /* statewide ids handed out / matched */
    char load_id[17];
    double seconds;
} slds_load_result;

/* Loads every contract file found in dir (see docs/contract.md). res is filled
 * on success; on failure nothing was written and err says why. */
int slds_load_collection(slds_store *s, const char *dir, const slds_load_options *opt,
                         const slds_progress *progress, slds_load_result *res, slds_error *err);

#endif
