/* sessions.c - login sessions, kept in memory by the server's one
 * slds_sessions object, and the login rate limits.
 *
 * Why in memory: the server reads the state database through read-only
 * connections and must keep answering while `slds load` holds the write lock
 * for minutes; a session table written at each login (and each request, for
 * the idle clock) would wait for that lock. The price: a restart logs everyone
 * out. Users, roles and scopes stay in the database and are re-read at every
 * lookup, so a disable or a new password made by `slds user` in another
 * process ends the sessions made before it.
 *
 * Design notes (invariants, each tested in tests/access/test_access_sessions.c):
 *  1. A token is 32 bytes of randombytes_buf, given to the client once as 64
 *     hex digits; the object keeps only its BLAKE2b hash (crypto_generichash),
 *     so a memory dump does not hold a usable token. The raw bytes and the
 *     hex are wiped from this file's stack before returning.
 *  2. A session ends at idle_seconds without a lookup, at absolute_seconds
 *     after login, at logout, when its user is disabled or changes password
 *     (credential_version), and when max_sessions newer ones push it out.
 *  3. Failed logins are counted per username and per client address within
 *     a sliding window; at max_failures the next attempt is refused before the
 *     password is checked. An attempt counts as failed from the moment it
 *     starts (and is forgiven if it succeeds), so concurrent guesses cannot
 *     overrun the limit while the hashes are being checked.
 *  4. Unknown, disabled and wrong-password logins get the same answer after
 *     the same work (an Argon2id verify, against a dummy hash for an unknown
 *     user), so the answer does not reveal which usernames exist.
 *  5. The mutex is never held while a password is verified (about 0.1 s) or
 *     the database is read.
 *  6. The user is read again only when the database may have changed
 *     (slds_sessions_lookup_on): a session keeps, per connection of the
 *     caller, the `PRAGMA data_version` at which its user was last read
 *     through that connection. SQLite changes a connection's data_version
 *     whenever another connection commits, so an equal value in the
 *     caller's open read transaction means users and scopes are as they
 *     were read: a disable or passwd by `slds user` (a commit) makes the
 *     next lookup through every connection read the user again. Versions
 *     are compared per connection only (two connections' values are
 *     unrelated); when a read finds another role or scopes than the session
 *     kept, every other connection's mark is dropped, so no connection
 *     serves a principal it did not check.
 *
 * Idle clock: last_seen is a field in memory set at every lookup (no write
 * to the database, so nothing to batch). */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "access/internal.h"

#define BUCKETS           4096u  /* sessions and attempt keys each; chains stay short */
#define MAX_ATTEMPT_KEYS  100000 /* usernames + addresses tracked at once */
#define SWEEP_EVERY       60     /* seconds between sweeps of expired entries */
#define MAX_FAILURES_KEPT 64

typedef struct session {
    uint8_t key[crypto_generichash_BYTES]; /* hash of the token */
    char csrf[65];
    int64_t created, last_seen;
    int64_t credential_version;
    slds_principal who;
    /* checked[i]: 1 + the data_version of connection i at which the user was
     * last read through it (0: never); see invariant 6 */
    int64_t checked[SLDS_SESSIONS_CONNS];
    struct session *next_in_bucket;
    struct session *older, *newer; /* login order */
} session;

typedef struct attempts {
    char *key; /* "u:" username or "a:" address */
    int64_t times[MAX_FAILURES_KEPT];
    int n; /* failures kept, oldest first */
    struct attempts *next;
} attempts;

struct slds_sessions {
    pthread_mutex_t mu;
    slds_session_limits lim;
    session *buckets[BUCKETS];
    session *oldest, *newest;
    size_t n_sessions;
    attempts *abuckets[BUCKETS];
    size_t n_attempt_keys;
    uint8_t siphash_key[crypto_shorthash_KEYBYTES];
    char dummy_hash[crypto_pwhash_STRBYTES];
    int64_t last_sweep;
};

void slds_session_limits_default(slds_session_limits *l)
{
    l->idle_seconds = 30 * 60;
    l->absolute_seconds = 12 * 60 * 60;
    l->max_failures = 5;
    l->failure_window_seconds = 15 * 60;
    l->max_sessions = 100000;
    l->cost = slds_password_cost_default();
}

int slds_secret_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t n = strlen(a);
    if (n != strlen(b))
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}

int slds_sessions_new(slds_sessions **out, const slds_session_limits *limits, slds_error *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return slds_fail(err, SLDS_ERR_NOMEM, "libsodium could not be initialised");
    slds_sessions *ss = calloc(1, sizeof *ss);
    if (!ss)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    if (limits)
        ss->lim = *limits;
    else
        slds_session_limits_default(&ss->lim);
    if (ss->lim.max_failures < 1 || ss->lim.max_failures > MAX_FAILURES_KEPT ||
        ss->lim.idle_seconds <= 0 || ss->lim.absolute_seconds <= 0 ||
        ss->lim.failure_window_seconds <= 0 || ss->lim.max_sessions == 0) {
        free(ss);
        return slds_fail(err, SLDS_ERR_USAGE,
                         "session limits: times must be positive, max_failures 1 to %d, "
                         "max_sessions at least 1",
                         MAX_FAILURES_KEPT);
    }
    randombytes_buf(ss->siphash_key, sizeof ss->siphash_key);
    /* The hash an unknown username is checked against: of a random password
     * nobody knows, at the cost real hashes have. */
    uint8_t secret[32];
    char pw[65];
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(pw, sizeof pw, secret, sizeof secret);
    int bad = crypto_pwhash_str(ss->dummy_hash, pw, strlen(pw), ss->lim.cost.opslimit,
                                ss->lim.cost.memlimit);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(pw, sizeof pw);
    if (bad || pthread_mutex_init(&ss->mu, NULL)) {
        free(ss);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory making the session store");
    }
    *out = ss;
    return SLDS_OK;
}

static void session_free(session *x)
{
    slds_principal_clear(&x->who);
    sodium_memzero(x, sizeof *x);
    free(x);
}

void slds_sessions_free(slds_sessions *ss)
{
    if (!ss)
        return;
    for (session *x = ss->oldest, *next; x; x = next) {
        next = x->newer;
        session_free(x);
    }
    for (unsigned b = 0; b < BUCKETS; b++)
        for (attempts *a = ss->abuckets[b], *next; a; a = next) {
            next = a->next;
            free(a->key);
            free(a);
        }
    pthread_mutex_destroy(&ss->mu);
    sodium_memzero(ss, sizeof *ss);
    free(ss);
}

/* ---- sessions by key (mutex held) -------------------------------------- */

static unsigned session_bucket(const uint8_t key[crypto_generichash_BYTES])
{
    uint32_t b;
    memcpy(&b, key, sizeof b);
    return b % BUCKETS;
}

static session *session_find(slds_sessions *ss, const uint8_t key[crypto_generichash_BYTES])
{
    for (session *x = ss->buckets[session_bucket(key)]; x; x = x->next_in_bucket)
        if (sodium_memcmp(x->key, key, crypto_generichash_BYTES) == 0)
            return x;
    return NULL;
}

static void session_remove(slds_sessions *ss, session *x)
{
    session **p = &ss->buckets[session_bucket(x->key)];
    while (*p && *p != x)
        p = &(*p)->next_in_bucket;
    if (*p)
        *p = x->next_in_bucket;
    if (x->older)
        x->older->newer = x->newer;
    else
        ss->oldest = x->newer;
    if (x->newer)
        x->newer->older = x->older;
    else
        ss->newest = x->older;
    ss->n_sessions--;
    session_free(x);
}

static void session_insert(slds_sessions *ss, session *x)
{
    unsigned b = session_bucket(x->key);
    x->next_in_bucket = ss->buckets[b];
    ss->buckets[b] = x;
    x->older = ss->newest;
    x->newer = NULL;
    if (ss->newest)
        ss->newest->newer = x;
    else
        ss->oldest = x;
    ss->newest = x;
    ss->n_sessions++;
}

static int session_expired(const slds_sessions *ss, const session *x, int64_t now)
{
    return now - x->last_seen >= ss->lim.idle_seconds ||
           now - x->created >= ss->lim.absolute_seconds;
}

/* The hash of a token given as 64 hex digits; 0 when it is not one. */
static int token_key(const char *token_hex, uint8_t key[crypto_generichash_BYTES])
{
    uint8_t raw[32];
    size_t n = 0;
    if (!token_hex || strlen(token_hex) != 64 ||
        sodium_hex2bin(raw, sizeof raw, token_hex, 64, NULL, &n, NULL) != 0 || n != sizeof raw)
        return 0;
    crypto_generichash(key, crypto_generichash_BYTES, raw, sizeof raw, NULL, 0);
    sodium_memzero(raw, sizeof raw);
    return 1;
}

/* ---- failed-login counts (mutex held) ---------------------------------- */

static unsigned attempt_bucket(const slds_sessions *ss, const char *key)
{
    uint8_t h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, strlen(key), ss->siphash_key);
    uint32_t b;
    memcpy(&b, h, sizeof b);
    return b % BUCKETS;
}

static attempts *attempts_find(slds_sessions *ss, const char *key, int create)
{
    unsigned b = attempt_bucket(ss, key);
    for (attempts *a = ss->abuckets[b]; a; a = a->next)
        if (!strcmp(a->key, key))
            return a;
    if (!create || ss->n_attempt_keys >= MAX_ATTEMPT_KEYS)
        return NULL; /* full: the other key (user or address) still counts */
    attempts *a = calloc(1, sizeof *a);
    if (!a || !(a->key = strdup(key))) {
        free(a);
        return NULL;
    }
    a->next = ss->abuckets[b];
    ss->abuckets[b] = a;
    ss->n_attempt_keys++;
    return a;
}

static int failures_within(const slds_sessions *ss, const attempts *a, int64_t now)
{
    int k = 0;
    for (int i = 0; a && i < a->n; i++)
        if (now - a->times[i] < ss->lim.failure_window_seconds)
            k++;
    return k;
}

static void failure_add(attempts *a, int64_t now)
{
    if (!a)
        return;
    if (a->n == MAX_FAILURES_KEPT) {
        memmove(a->times, a->times + 1, (MAX_FAILURES_KEPT - 1) * sizeof a->times[0]);
        a->n--;
    }
    a->times[a->n++] = now;
}

/* Forgives the failure recorded at `at` (a login that succeeded). */
static void failure_forgive(attempts *a, int64_t at)
{
    for (int i = a ? a->n - 1 : -1; i >= 0; i--)
        if (a->times[i] == at) {
            memmove(a->times + i, a->times + i + 1, (size_t)(a->n - i - 1) * sizeof a->times[0]);
            a->n--;
            return;
        }
}

/* Drops expired sessions and attempt keys with no failure in the window. */
static void sweep(slds_sessions *ss, int64_t now)
{
    ss->last_sweep = now;
    for (session *x = ss->oldest, *next; x; x = next) {
        next = x->newer;
        if (session_expired(ss, x, now))
            session_remove(ss, x);
    }
    for (unsigned b = 0; b < BUCKETS; b++) {
        attempts **p = &ss->abuckets[b];
        while (*p) {
            attempts *a = *p;
            if (failures_within(ss, a, now) == 0) {
                *p = a->next;
                free(a->key);
                free(a);
                ss->n_attempt_keys--;
            } else {
                p = &a->next;
            }
        }
    }
}

static void attempt_keys(const char *username, const char *client_addr, char ukey[80],
                         char akey[80])
{
    snprintf(ukey, 80, "u:%s", username ? username : "");
    snprintf(akey, 80, "a:%s", client_addr ? client_addr : "");
}

/* ---- login, lookup, logout --------------------------------------------- */

int slds_sessions_login(slds_sessions *ss, slds_store *s, const char *username,
                        const char *password, const char *client_addr, int64_t now,
                        char token_hex[65], char csrf_hex[65], slds_login_result *result,
                        slds_error *err)
{
    slds_error ignored;
    if (!err)
        err = &ignored;
    *result = SLDS_LOGIN_DENIED;
    token_hex[0] = csrf_hex[0] = '\0';
    char ukey[80], akey[80];
    attempt_keys(username, client_addr, ukey, akey);

    /* 1. the limits, and this attempt counted as failed until it succeeds */
    pthread_mutex_lock(&ss->mu);
    if (now - ss->last_sweep >= SWEEP_EVERY || now < ss->last_sweep)
        sweep(ss, now);
    attempts *ua = attempts_find(ss, ukey, 1), *aa = attempts_find(ss, akey, 1);
    int limited = failures_within(ss, ua, now) >= ss->lim.max_failures ||
                  failures_within(ss, aa, now) >= ss->lim.max_failures;
    if (!limited) {
        failure_add(ua, now);
        failure_add(aa, now);
    }
    pthread_mutex_unlock(&ss->mu);
    if (limited) {
        *result = SLDS_LOGIN_RATE_LIMITED;
        return SLDS_OK;
    }

    /* 2. the user and the password, without the mutex */
    int rc = access_require_schema(s, err);
    access_user u;
    char hash[crypto_pwhash_STRBYTES];
    int found =
        rc ? -1 : access_user_read(s, username ? username : "", 0, 0, &u, hash, sizeof hash, err);
    if (found < 0)
        return err->code; /* the attempt stays counted */
    size_t pwlen = password ? strlen(password) : 0;
    int verified = password && pwlen <= SLDS_PASSWORD_MAX &&
                   crypto_pwhash_str_verify(found ? hash : ss->dummy_hash, password, pwlen) == 0;
    sodium_memzero(hash, sizeof hash);
    int ok = found && verified && !u.disabled && u.who.role != SLDS_ROLE_PUBLIC;
    if (!ok) {
        if (found)
            slds_principal_clear(&u.who);
        return SLDS_OK;
    }

    /* 3. a new session */
    session *x = calloc(1, sizeof *x);
    if (!x) {
        slds_principal_clear(&u.who);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token_hex, 65, raw, sizeof raw);
    crypto_generichash(x->key, sizeof x->key, raw, sizeof raw, NULL, 0);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(x->csrf, sizeof x->csrf, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    memcpy(csrf_hex, x->csrf, 65);
    x->created = x->last_seen = now;
    x->credential_version = u.credential_version;
    x->who = u.who; /* moved */

    pthread_mutex_lock(&ss->mu);
    failure_forgive(attempts_find(ss, ukey, 0), now);
    failure_forgive(attempts_find(ss, akey, 0), now);
    while (ss->n_sessions >= ss->lim.max_sessions && ss->oldest)
        session_remove(ss, ss->oldest);
    session_insert(ss, x);
    pthread_mutex_unlock(&ss->mu);
    *result = SLDS_LOGIN_OK;
    return SLDS_OK;
}

static int principal_same(const slds_principal *a, const slds_principal *b)
{
    if (a->user_id != b->user_id || a->role != b->role || strcmp(a->username, b->username) ||
        a->n_scopes != b->n_scopes)
        return 0;
    for (size_t i = 0; i < a->n_scopes; i++)
        if (strcmp(a->scopes[i], b->scopes[i]))
            return 0;
    return 1;
}

/* conn < 0: no cache (the user is read at every lookup with s). */
static int lookup(slds_sessions *ss, slds_store *s, int conn, int64_t data_version,
                  const char *token_hex, int64_t now, slds_principal *who, char csrf_hex[65],
                  slds_error *err)
{
    slds_error ignored;
    if (!err) /* allowed: the caller only wants found / not found */
        err = &ignored;
    memset(who, 0, sizeof *who);
    who->role = SLDS_ROLE_PUBLIC;
    if (csrf_hex)
        csrf_hex[0] = '\0';
    uint8_t key[crypto_generichash_BYTES];
    if (!token_key(token_hex, key))
        return SLDS_ERR_NOTFOUND;
    int cached = s && conn >= 0 && conn < SLDS_SESSIONS_CONNS && data_version >= 0;

    pthread_mutex_lock(&ss->mu);
    session *x = session_find(ss, key);
    if (x && session_expired(ss, x, now)) {
        session_remove(ss, x);
        x = NULL;
    }
    int rc = SLDS_ERR_NOTFOUND;
    int64_t user_id = 0, version = 0;
    int fresh = 0;
    if (x) {
        x->last_seen = now;
        user_id = x->who.user_id;
        version = x->credential_version;
        if (csrf_hex)
            memcpy(csrf_hex, x->csrf, 65);
        /* invariant 6: checked through this connection at this data version */
        fresh = cached && x->checked[conn] == data_version + 1;
        rc = s && !fresh ? SLDS_OK : slds_principal_copy(who, &x->who, err);
    }
    pthread_mutex_unlock(&ss->mu);
    if (rc || !s || fresh) {
        if (rc && csrf_hex)
            csrf_hex[0] = '\0';
        return rc;
    }

    /* The user as the database has it now. */
    access_user u;
    int found = access_user_read(s, NULL, user_id, 1, &u, NULL, 0, err);
    if (found < 0) {
        if (csrf_hex)
            csrf_hex[0] = '\0';
        return err->code;
    }
    if (!found || u.disabled || u.credential_version != version) {
        if (found)
            slds_principal_clear(&u.who);
        pthread_mutex_lock(&ss->mu);
        if ((x = session_find(ss, key)))
            session_remove(ss, x);
        pthread_mutex_unlock(&ss->mu);
        if (csrf_hex)
            csrf_hex[0] = '\0';
        return SLDS_ERR_NOTFOUND;
    }
    if (cached) { /* keep what was read, and through which connection at which version */
        pthread_mutex_lock(&ss->mu);
        if ((x = session_find(ss, key))) {
            if (!principal_same(&x->who, &u.who)) {
                slds_principal copy;
                if (slds_principal_copy(&copy, &u.who, NULL) == SLDS_OK) {
                    slds_principal_clear(&x->who);
                    x->who = copy;
                    /* what other connections checked was the old principal */
                    memset(x->checked, 0, sizeof x->checked);
                    x->checked[conn] = data_version + 1;
                }
            } else
                x->checked[conn] = data_version + 1;
        }
        pthread_mutex_unlock(&ss->mu);
    }
    *who = u.who; /* moved: the caller clears it */
    return SLDS_OK;
}

int slds_sessions_lookup(slds_sessions *ss, slds_store *s, const char *token_hex, int64_t now,
                         slds_principal *who, char csrf_hex[65], slds_error *err)
{
    return lookup(ss, s, -1, -1, token_hex, now, who, csrf_hex, err);
}

int slds_sessions_lookup_on(slds_sessions *ss, slds_store *s, int conn, int64_t data_version,
                            const char *token_hex, int64_t now, slds_principal *who,
                            char csrf_hex[65], slds_error *err)
{
    return lookup(ss, s, conn, data_version, token_hex, now, who, csrf_hex, err);
}

void slds_sessions_logout(slds_sessions *ss, const char *token_hex)
{
    uint8_t key[crypto_generichash_BYTES];
    if (!ss || !token_key(token_hex, key))
        return;
    pthread_mutex_lock(&ss->mu);
    session *x = session_find(ss, key);
    if (x)
        session_remove(ss, x);
    pthread_mutex_unlock(&ss->mu);
}

void slds_sessions_end_user(slds_sessions *ss, int64_t user_id)
{
    pthread_mutex_lock(&ss->mu);
    for (session *x = ss->oldest, *next; x; x = next) {
        next = x->newer;
        if (x->who.user_id == user_id)
            session_remove(ss, x);
    }
    pthread_mutex_unlock(&ss->mu);
}

size_t slds_sessions_count(slds_sessions *ss, int64_t now)
{
    pthread_mutex_lock(&ss->mu);
    sweep(ss, now);
    size_t n = ss->n_sessions;
    pthread_mutex_unlock(&ss->mu);
    return n;
}

static int holds(const void *hay, size_t n, const void *needle, size_t m)
{
    const unsigned char *h = hay;
    for (size_t i = 0; m && i + m <= n; i++)
        if (!memcmp(h + i, needle, m))
            return 1;
    return 0;
}

int slds_sessions_holds_bytes(slds_sessions *ss, const void *needle, size_t n)
{
    pthread_mutex_lock(&ss->mu);
    int found = holds(ss, sizeof *ss, needle, n);
    for (session *x = ss->oldest; x && !found; x = x->newer) {
        found = holds(x, sizeof *x, needle, n);
        for (size_t i = 0; i < x->who.n_scopes && !found; i++)
            found = holds(x->who.scopes[i], strlen(x->who.scopes[i]), needle, n);
    }
    for (unsigned b = 0; b < BUCKETS && !found; b++)
        for (attempts *a = ss->abuckets[b]; a && !found; a = a->next)
            found = holds(a, sizeof *a, needle, n) || holds(a->key, strlen(a->key), needle, n);
    pthread_mutex_unlock(&ss->mu);
    return found;
}
