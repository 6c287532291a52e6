/* internal.h - what the files of src/access share and nothing outside sees:
 * the check that a database has the access tables, and reading a user (its
 * role, scopes, state) from them. */
#ifndef SLDS_ACCESS_INTERNAL_H
#define SLDS_ACCESS_INTERNAL_H

#include "access/access.h"

/* SLDS_OK when the database has the "access" tables; SLDS_ERR_DB naming the
 * command that creates them otherwise. */
int access_require_schema(slds_store *s, slds_error *err);

/* A user as stored. hash is filled only when hash_size > 0. */
typedef struct access_user {
    int64_t user_id;
    int disabled;
    int64_t credential_version;
    slds_principal who; /* role and scopes, owned: slds_principal_clear */
} access_user;

/* Reads the user named username (by_id 0) or with user_id (by_id 1) into u
 * (and its hash into hash[hash_size] when hash_size > 0). 1 found, 0 not
 * found, -1 error (err set). */
int access_user_read(slds_store *s, const char *username, int64_t user_id, int by_id,
                     access_user *u, char *hash, size_t hash_size, slds_error *err);

/* The scopes of user_id into who (appended, owned by who). */
int access_read_scopes(slds_store *s, int64_t user_id, slds_principal *who, slds_error *err);

#endif
