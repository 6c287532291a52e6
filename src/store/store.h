/* store.h - the state database: one SQLite file per state, its schema, and
 * the few operations every module needs (open, transactions, meta values).
 *
 * Tables mirror the collection files of the data contract (docs/contract.md),
 * with typed columns and each file's natural key as the table's primary key,
 * so a re-load of a row with the same key replaces it. Student names and birth
 * dates live only in student_identity. */
#ifndef SLDS_STORE_H
#define SLDS_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/core.h"

#define SLDS_SCHEMA_VERSION 1

typedef struct slds_store {
    sqlite3 *db;
    char path[1024];
} slds_store;

/* Opens (creating if missing) the database at path and makes sure the schema
 * is current. *out is owned by the caller: slds_store_close. */
int slds_store_open(slds_store **out, const char *path, slds_error *err);
/* Opens an existing database only (SLDS_ERR_NOTFOUND if the file is missing). */
int slds_store_open_existing(slds_store **out, const char *path, slds_error *err);
void slds_store_close(slds_store *s);

/* Runs SQL with no results; the message names what was being done. */
int slds_store_exec(slds_store *s, const char *sql, slds_error *err);
int slds_store_begin(slds_store *s, slds_error *err);
int slds_store_commit(slds_store *s, slds_error *err);
void slds_store_rollback(slds_store *s);

/* Prepares a statement; on failure err names the SQL. */
int slds_store_prepare(slds_store *s, sqlite3_stmt **stmt, const char *sql, slds_error *err);

/* Key/value settings kept in table meta. get returns SLDS_ERR_NOTFOUND when absent;
 * value is copied into buf (size bytes). */
int slds_store_meta_get(slds_store *s, const char *key, char *buf, size_t size, slds_error *err);
int slds_store_meta_set(slds_store *s, const char *key, const char *value, slds_error *err);

/* Number of rows in a table (or -1 with err set). */
int64_t slds_store_count(slds_store *s, const char *table, slds_error *err);

/* Creates every table and index that does not exist yet. */
int slds_store_create_schema(slds_store *s, slds_error *err);

#endif
