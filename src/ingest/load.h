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
 *  5. Student names and birth dates are written only to student_identity.
 *  6. Every rule a row breaks is a reject (the row is not loaded) or, for a
 *     rule whose severity is warn, a finding (the row is loaded; the finding
 *     is kept in table findings and findings.csv). A row is rejected only by
 *     its own failures, never because another row was.
 *  7. Every change a load makes to a stored row (a replaced value, a row
 *     deleted by --replace) keeps the old row in row_history. */
#ifndef SLDS_INGEST_LOAD_H
#define SLDS_INGEST_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "ingest/contract.h"
#include "store/store.h"

#define SLDS_MAX_FILES 32

typedef struct slds_load_options {
    const char *rejects_path;  /* where to write rejects.csv (NULL: don't) */
    const char *findings_path; /* where to write findings.csv (NULL: don't) */
    /* Severity of each rule for this load (NULL: the defaults); see
     * slds_load_read_rules. */
    const slds_severity *severity;
    /* --replace lea=ID[,year=YYYY]: replace_lea NULL for a plain upsert. */
    const char *replace_lea;
    int replace_year; /* 0: every year */
    /* slds ingest (stream.c): the name recorded in loads.source_dir instead of
     * dir (NULL: dir), and a number added to every line number of the files
     * (rejects, findings, messages), so a batch cut from a stream names the
     * stream's lines. */
    const char *source_label;
    long line_offset;
} slds_load_options;

typedef struct slds_file_result {
    char file[64];
    int64_t read, loaded, rejected;
    int64_t warned;  /* loaded rows with at least one finding */
    int64_t deleted; /* stored rows deleted by --replace */
    char extra_columns[512]; /* columns not in the contract, reported and ignored */
    double seconds;
} slds_file_result;

typedef struct slds_load_result {
    slds_file_result files[SLDS_MAX_FILES]; /* the files present, in load order */
    int nfiles;
    char missing[SLDS_MAX_FILES][64];       /* contract files absent from the folder */
    int nmissing;
    int64_t read, loaded, rejected, warned, deleted;
    int64_t rule_rejected[SLDS_RULE_COUNT]; /* rows rejected by each rule */
    int64_t rule_warned[SLDS_RULE_COUNT];   /* findings of each rule */
    int64_t ids_assigned, ids_matched;      /* statewide ids handed out / matched */
    int64_t history_rows;                   /* old rows kept in row_history */
    char load_id[17];
    double seconds;
    /* True once the load's transaction committed: an error after that (writing
     * rejects.csv or findings.csv) leaves the load in the database. */
    bool committed;
} slds_load_result;

/* Loads every contract file found in dir (see docs/contract.md). res is filled
 * on success; on failure err says why, and nothing was written unless
 * res->committed (then only writing an output file failed). Every output
 * path is checked before the transaction begins. */
int slds_load_collection(slds_store *s, const char *dir, const slds_load_options *opt,
                         const slds_progress *progress, slds_load_result *res, slds_error *err);

/* A loader kept across loads into one writer connection (slds ingest keeps
 * one for a whole stream): the sets the checks use (known ids, identities,
 * teacher assignments, enrollment spells) are read from the database by the
 * first load, then kept and updated with what each load stores, so a load
 * costs its own rows, not the size of the state. They are read again when
 * another connection has committed since the last load (PRAGMA
 * data_version: e.g. a `slds load` while a stream is ingested), after a
 * load that failed, and after a --replace load. Writes through the same
 * connection outside the loader to the tables it reads (ids, identities,
 * assignments, enrollments) are not seen: close and open the loader then.
 * slds_load_collection is open, one load, close. */
typedef struct slds_loader slds_loader;
int slds_loader_open(slds_loader **out, slds_store *s, slds_error *err);
/* As slds_load_collection, with the loader's store. */
int slds_loader_load(slds_loader *l, const char *dir, const slds_load_options *opt,
                     const slds_progress *progress, slds_load_result *res, slds_error *err);
void slds_loader_close(slds_loader *l);

/* Reads a rules file: CSV with a header `rule,severity` or JSON (an object
 * {"RULE": "warn", ...} or an array of {"rule": .., "severity": ..}) into
 * sev (which holds the defaults to start from). A rule that protects
 * storage cannot be lowered to warn: that, an unknown rule or severity is an
 * error naming the line. */
int slds_load_read_rules(const char *path, slds_severity sev[SLDS_RULE_COUNT], slds_error *err);
/* The default severities. */
void slds_load_default_rules(slds_severity sev[SLDS_RULE_COUNT]);

/* Checks that path can be written (its folder exists and is writable, and
 * the file, if present, is writable) without changing anything. */
int slds_load_check_output(const char *path, slds_error *err);

/* One change a load made to a stored row of a student: the old row (a JSON
 * object of its columns), which table, "replaced" or "deleted", and which
 * load did it, when. */
typedef struct slds_history_entry {
    char changed_at[32];
    char load_id[17];
    char source_dir[256];
    char table[32];
    char change[16];
    char *old_row;
} slds_history_entry;

/* The changes made to a student's rows, oldest first. *out is owned by the
 * caller: slds_history_free. */
int slds_history_student(slds_store *s, const char *student_id, slds_history_entry **out, size_t *count,
                         slds_error *err);
void slds_history_free(slds_history_entry *e, size_t n);

/* ---- slds ingest: rows as they arrive (stream.c, docs/ingest.md) --------
 *
 * A stream (stdin, a pipe, a file of any size) of one collection file,
 * assessments.csv or item_responses.csv: one header, then rows. Rows are cut
 * into batches (a batch closes batch_seconds after its first row arrived,
 * after idle_seconds without a byte, at batch_rows rows, or at the end) and
 * each batch is loaded by slds_load_collection as a one-file collection in a
 * private temporary folder, so every rule, reject, finding and the history
 * hold per batch as in `slds load`, and rows read = loaded + rejected per
 * batch and in total. Each batch is its own transaction: between batches the
 * writer holds no lock, a kill loses only the batch in flight, and a re-run
 * of the same input upserts the same rows (idempotent). */

/* One loaded item response of a committed batch, canonical as stored. */
typedef struct slds_ingest_response {
    const char *student_id, *response_time, *item_id, *standard_id;
    int correct; /* 0 or 1 */
    long line;   /* line of the stream */
} slds_ingest_response;

/* What one committed batch did. Times are slds_now() seconds. */
typedef struct slds_ingest_batch {
    int64_t number;             /* 1, 2, ... */
    long first_line, last_line; /* lines of the stream it held */
    int64_t read, loaded, rejected, warned;
    double first_arrival;       /* when its first row arrived (was read) */
    double mean_arrival;        /* mean arrival time of its rows */
    double committed;           /* when its transaction committed */
    double hook_done;           /* when on_responses returned (0: not called) */
    char load_id[17];
} slds_ingest_batch;

/* The mastery hook: called after each batch of item_responses.csv commits,
 * with its loaded rows in stream order (rejected rows left out). The hook
 * runs its own transaction on s (the batch is already committed); a
 * non-zero return stops the ingest with err. slds ingest wires
 * slds_mastery_update here (src/cli/cmd_ingest.c). */
typedef int (*slds_ingest_responses_fn)(void *ctx, slds_store *s, const slds_ingest_response *rows,
                                        size_t n, slds_error *err);
/* Called after each committed batch (progress). */
typedef void (*slds_ingest_batch_fn)(void *ctx, const slds_ingest_batch *b);

typedef struct slds_ingest_options {
    /* "assessments.csv" or "item_responses.csv"; NULL: recognised from the header. */
    const char *file;
    /* The stream's name in messages and in loads.source_dir ("stdin", a path). */
    const char *label;
    double batch_seconds; /* 0: 0.5 */
    double idle_seconds;  /* 0: 0.1 (at most batch_seconds) */
    int64_t batch_rows;   /* 0: 50,000 */
    const slds_severity *severity;            /* NULL: the defaults */
    const char *rejects_path, *findings_path; /* every batch's rows, one file each (NULL: none) */
    const char *tmpdir;                       /* NULL: $TMPDIR or /tmp */
    slds_ingest_batch_fn on_batch;
    void *on_batch_ctx;
    slds_ingest_responses_fn on_responses;
    void *on_responses_ctx;
} slds_ingest_options;

typedef struct slds_ingest_result {
    char file[64];          /* the kind of rows */
    char label[256];
    int64_t batches, read, loaded, rejected, warned;
    int64_t rule_rejected[SLDS_RULE_COUNT];
    int64_t rule_warned[SLDS_RULE_COUNT];
    /* The stream (not a regular file) ended inside a row, without its line
     * break: that row, starting on cut_line, was not loaded (nor counted in
     * read). */
    int64_t cut;
    long cut_line;
    long lines;             /* lines of the stream read */
    int64_t hook_rows;      /* rows given to on_responses */
    double seconds;         /* from open to the end */
    double latency_mean, latency_max; /* a row's arrival to its batch's commit */
    double hook_latency_mean, hook_latency_max; /* ... to on_responses' return */
    char extra_columns[512];
} slds_ingest_result;

typedef struct slds_ingest slds_ingest;

/* Starts reading fd (not closed by slds_ingest) and waits for the header:
 * an empty stream, a header that names neither file, or one without a
 * required column is an error naming the stream, line and column, before
 * any database is opened. *out is owned by the caller: slds_ingest_close. */
int slds_ingest_open(slds_ingest **out, int fd, const slds_ingest_options *opt, slds_error *err);
/* The file the header was recognised as (or given). */
const char *slds_ingest_file(const slds_ingest *g);
/* Loads batch after batch into s (a writer) until the end of the stream.
 * On error, every batch before the failing one is committed and res says
 * how far it got; err names the stream's line. */
int slds_ingest_run(slds_ingest *g, slds_store *s, slds_ingest_result *res, slds_error *err);
/* Stops reading, removes the temporary folder. */
void slds_ingest_close(slds_ingest *g);

#endif
