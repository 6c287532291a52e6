/* ident.h - statewide student identifiers and identity matching.
 *
 * A statewide id is opaque and stable: it is never derived from a name or a
 * birth date. New ids are a keyed pseudo-random permutation of a counter
 * (a Feistel network over [0, 10^9) keyed with a secret made when the
 * database is created), written as 9 digits and a check digit. So ids are
 * unique by construction, reveal neither order of arrival nor identity, and
 * the same database never hands out the same id twice.
 *
 * A district record is matched to an existing student when it has the same
 * district and local id, or exactly the same normalized name, birth date
 * and sex (slds_ident_match_key). */
#ifndef SLDS_IDENT_H
#define SLDS_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

#define SLDS_IDENT_KEY_BYTES 16
#define SLDS_STUDENT_ID_LEN 10

typedef struct slds_id_generator {
    unsigned char key[SLDS_IDENT_KEY_BYTES];
    uint64_t next; /* counter of the next id to hand out */
} slds_id_generator;

/* Fills key with fresh random bytes (libsodium) and sets next = 0. */
int slds_id_generator_init_random(slds_id_generator *g, slds_error *err);
/* The id for counter value n: 10 characters + NUL into out. */
void slds_id_for_counter(const slds_id_generator *g, uint64_t n, char out[SLDS_STUDENT_ID_LEN + 1]);
/* True when s is 10 digits whose last digit is the check digit of the first 9. */
int slds_id_check_digit_ok(const char *s, size_t len);

/* Normalized identity key "LAST|FIRST|YYYY-MM-DD|SEX": names trimmed, inner runs
 * of spaces, hyphens, periods and apostrophes folded to one space, ASCII
 * letters upper-cased (other UTF-8 bytes kept as they are). Returns the
 * length written (truncated to size-1). */
size_t slds_ident_match_key(const char *first, const char *last, const char *birth_date,
                            const char *sex, char *out, size_t size);

/* Encodes/decodes the generator for the meta table ("hexkey:counter"). */
void slds_id_generator_encode(const slds_id_generator *g, char *out, size_t size);
int slds_id_generator_decode(slds_id_generator *g, const char *s, slds_error *err);

/* The generator of a database lives in its meta table, key "id_generator"; the
 * identity module makes it, the store only keeps it.
 *
 * slds_ident_key_ensure gives a database its key if it has none (a fresh
 * random key, counter 0), in a transaction of its own (or the caller's when
 * one is open). `slds load` calls it right after opening, so a new database has
 * its key from its creation and every copy of it hands out the same ids.
 * load reads the generator (making and writing a key, in the caller's
 * transaction, if the database still has none); save writes the counter back:
 * the loader does both inside the load's transaction, so a failed load hands
 * out no id. */
int slds_ident_key_ensure(slds_store *store, slds_error *err);
int slds_ident_generator_load(slds_store *store, slds_id_generator *g, slds_error *err);
int slds_ident_generator_save(slds_store *store, const slds_id_generator *g, slds_error *err);

#endif
