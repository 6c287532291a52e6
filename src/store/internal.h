/* internal.h - what store.c and schema.c share and nothing outside the store
 * sees: the read-only inspection that tells a state database from anything
 * else before a byte is written. */
#ifndef SLDS_STORE_INTERNAL_H
#define SLDS_STORE_INTERNAL_H

#include "store/store.h"

#define SLDS_STORE_MAX_MODULES 32

typedef enum store_kind {
    STORE_EMPTY, /* no table at all: a new database */
    STORE_STATE, /* a state database this build can read */
} store_kind;

/* Reads (never writes) what the file at s is. A state database's module
 * versions are written to versions[], one per distinct module of reg in the
 * order they first appear. A file that is not a state database, or one with a
 * module newer than reg knows, is an error (SLDS_ERR_DB) naming it. */
int store_inspect(slds_store *s, const slds_migration *reg, size_t n, store_kind *kind,
                  int versions[SLDS_STORE_MAX_MODULES], slds_error *err);

#endif
