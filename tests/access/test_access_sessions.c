/* test_access_sessions.c - passwords and sessions (the invariants of
 * src/access/sessions.c):
 * - stored hashes are Argon2id strings that verify, never the password;
 * - login answers OK / DENIED (wrong password, unknown user, disabled user);
 * - the token is 64 hex digits of which only the hash is kept: neither the
 *   hex nor the raw bytes are anywhere in the session store, the hash is;
 * - idle and absolute expiry with a controlled clock; logout; end_user;
 *   the oldest session gives way at max_sessions;
 * - a disabled user or a new password ends the sessions made before;
 * - rate limits per account and per address, lifted when the window passes;
 *   successful logins do not count;
 * - logins and lookups from several threads at once;
 * - the lookup that reads the user only when a connection's data_version
 *   moved (slds_sessions_lookup_on) still ends a session at its next
 *   request after a disable or a new password made through another
 *   connection, whichever connection serves it, and shows new scopes.
 * Hashes use libsodium's minimum cost so the test stays fast. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "fixture.h"

static const char *const PW = "correct horse battery staple";
static char db_path[256];
static slds_store *w;  /* writer: users are changed through it */
static slds_store *ro; /* the server's read-only store */
static slds_password_cost fast;

static int setup(void **state)
{
    (void)state;
    fast = slds_password_cost_min();
    w = fixture_db(db_path, sizeof db_path);
    slds_error err = {0};
    const char *t1[] = {"T1"}, *kid[] = {"1002"};
    if (slds_user_add(w, "teach", SLDS_ROLE_TEACHER, t1, 1, PW, &fast, &err) ||
        slds_user_add(w, "kid", SLDS_ROLE_STUDENT, kid, 1, PW, &fast, &err) ||
        slds_user_add(w, "boss", SLDS_ROLE_STATE_ADMIN, NULL, 0, PW, &fast, &err) ||
        slds_store_open_readonly(&ro, db_path, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    slds_store_close(ro);
    slds_store_close(w);
    fixture_remove(db_path);
    return 0;
}

static slds_sessions *new_sessions(int64_t idle, int64_t absolute, int max_failures, int64_t window)
{
    slds_session_limits lim;
    slds_session_limits_default(&lim);
    lim.idle_seconds = idle;
    lim.absolute_seconds = absolute;
    lim.max_failures = max_failures;
    lim.failure_window_seconds = window;
    lim.cost = fast;
    slds_sessions *ss = NULL;
    slds_error err = {0};
    assert_int_equal(slds_sessions_new(&ss, &lim, &err), SLDS_OK);
    return ss;
}

static slds_login_result login(slds_sessions *ss, const char *user, const char *pw,
                               const char *addr, int64_t now, char token[65], char csrf[65])
{
    slds_login_result r = SLDS_LOGIN_DENIED;
    slds_error err = {0};
    char t[65], c[65];
    assert_int_equal(slds_sessions_login(ss, ro, user, pw, addr, now, token ? token : t,
                                         csrf ? csrf : c, &r, &err),
                     SLDS_OK);
    return r;
}

static int lookup(slds_sessions *ss, const char *token, int64_t now)
{
    slds_principal who;
    slds_error err = {0};
    int rc = slds_sessions_lookup(ss, ro, token, now, &who, NULL, &err);
    slds_principal_clear(&who);
    return rc;
}

static void test_hashes_are_argon2id(void **state)
{
    (void)state;
    slds_cursor c;
    slds_error err = {0};
    assert_int_equal(slds_cursor_open(&c, ro, "SELECT username, password_hash FROM users", &err),
                     0);
    int n = 0;
    while (slds_cursor_step(&c, &err) == 1) {
        const char *h = slds_cursor_text(&c, 1);
        assert_non_null(h);
        assert_memory_equal(h, "$argon2id$", 10);
        assert_null(strstr(h, PW));
        assert_null(strstr(h, "horse"));
        assert_int_equal(crypto_pwhash_str_verify(h, PW, strlen(PW)), 0);
        assert_int_not_equal(crypto_pwhash_str_verify(h, "correct horse battery stapl", 27), 0);
        n++;
    }
    slds_cursor_close(&c);
    assert_int_equal(n, 3);
    /* two users with one password: two salts, two hashes */
    assert_int_equal(
        slds_cursor_open(&c, ro, "SELECT count(DISTINCT password_hash) FROM users", &err), 0);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    assert_int_equal(slds_cursor_int(&c, 0), 3);
    slds_cursor_close(&c);
    /* the default cost is libsodium's interactive one */
    slds_password_cost d = slds_password_cost_default();
    assert_int_equal(d.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
    assert_int_equal(d.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

static void test_login_and_token_kept_hashed(void **state)
{
    (void)state;
    slds_sessions *ss = new_sessions(100, 1000, 5, 60);
    char token[65], csrf[65];
    assert_int_equal(login(ss, "teach", "wrong password!!", "10.0.0.1", 1000, token, csrf),
                     SLDS_LOGIN_DENIED);
    assert_string_equal(token, "");
    assert_int_equal(login(ss, "nobody", PW, "10.0.0.1", 1000, NULL, NULL), SLDS_LOGIN_DENIED);
    assert_int_equal(login(ss, "teach", NULL, "10.0.0.1", 1000, NULL, NULL), SLDS_LOGIN_DENIED);
    assert_int_equal(login(ss, "teach", PW, "10.0.0.1", 1000, token, csrf), SLDS_LOGIN_OK);
    assert_int_equal(strlen(token), 64);
    assert_int_equal(strlen(csrf), 64);
    assert_int_equal(strspn(token, "0123456789abcdef"), 64);
    assert_string_not_equal(token, csrf);

    slds_principal who;
    char csrf_back[65];
    slds_error err = {0};
    assert_int_equal(slds_sessions_lookup(ss, ro, token, 1001, &who, csrf_back, &err), SLDS_OK);
    assert_int_equal(who.role, SLDS_ROLE_TEACHER);
    assert_string_equal(who.username, "teach");
    assert_true(who.user_id > 0);
    assert_int_equal(who.n_scopes, 1);
    assert_string_equal(who.scopes[0], "T1");
    assert_true(slds_secret_equal(csrf_back, csrf));
    slds_principal_clear(&who);
    assert_int_equal(who.n_scopes, 0);
    assert_null(who.scopes);

    /* Invariant 1: the token is kept only as its hash. The scan can find what
     * is there (the CSRF value, the hash), so its "not there" means something. */
    uint8_t raw[32], hash[crypto_generichash_BYTES];
    size_t n;
    assert_int_equal(sodium_hex2bin(raw, sizeof raw, token, 64, NULL, &n, NULL), 0);
    crypto_generichash(hash, sizeof hash, raw, sizeof raw, NULL, 0);
    assert_false(slds_sessions_holds_bytes(ss, token, 64));
    assert_false(slds_sessions_holds_bytes(ss, token, 16));
    assert_false(slds_sessions_holds_bytes(ss, raw, sizeof raw));
    assert_false(slds_sessions_holds_bytes(ss, raw, 8));
    assert_true(slds_sessions_holds_bytes(ss, hash, sizeof hash));
    assert_true(slds_sessions_holds_bytes(ss, csrf, 64));
    assert_false(slds_sessions_holds_bytes(ss, PW, strlen(PW)));

    /* a token that is not one, or one changed in a digit */
    assert_int_equal(lookup(ss, "", 1001), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup(ss, NULL, 1001), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup(ss, "zz", 1001), SLDS_ERR_NOTFOUND);
    char other[65];
    memcpy(other, token, 65);
    other[10] = other[10] == '0' ? '1' : '0';
    assert_int_equal(lookup(ss, other, 1001), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup(ss, token, 1002), SLDS_OK);

    /* two logins: two different tokens */
    char token2[65];
    assert_int_equal(login(ss, "teach", PW, "10.0.0.1", 1003, token2, NULL), SLDS_LOGIN_OK);
    assert_string_not_equal(token, token2);
    assert_int_equal(slds_sessions_count(ss, 1003), 2);

    /* err may be NULL */
    assert_int_equal(slds_sessions_lookup(ss, ro, token, 1004, &who, NULL, NULL), SLDS_OK);
    assert_int_equal(who.n_scopes, 1);
    slds_principal_clear(&who);
    /* without a store the lookup answers from the session's copy */
    assert_int_equal(slds_sessions_lookup(ss, NULL, token, 1004, &who, NULL, NULL), SLDS_OK);
    assert_string_equal(who.username, "teach");
    assert_string_equal(who.scopes[0], "T1");
    slds_principal_clear(&who);
    slds_sessions_free(ss);
}

static void test_expiry_and_logout(void **state)
{
    (void)state;
    slds_sessions *ss = new_sessions(100, 1000, 5, 60);
    char token[65];
    /* idle: alive at 99 s of silence, gone at 100 */
    assert_int_equal(login(ss, "kid", PW, "a", 0, token, NULL), SLDS_LOGIN_OK);
    assert_int_equal(lookup(ss, token, 99), SLDS_OK);
    assert_int_equal(lookup(ss, token, 198), SLDS_OK);
    assert_int_equal(lookup(ss, token, 298), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup(ss, token, 299), SLDS_ERR_NOTFOUND); /* gone for good */
    assert_int_equal(slds_sessions_count(ss, 299), 0);

    /* absolute: used every 90 s, it still ends 1000 s after login */
    assert_int_equal(login(ss, "kid", PW, "a", 5000, token, NULL), SLDS_LOGIN_OK);
    int64_t t = 5000;
    for (; t + 90 < 6000; t += 90)
        assert_int_equal(lookup(ss, token, t + 90), SLDS_OK);
    assert_int_equal(lookup(ss, token, 6000), SLDS_ERR_NOTFOUND);

    /* logout ends it on the server; another session of the user stays */
    char other[65];
    assert_int_equal(login(ss, "kid", PW, "a", 7000, token, NULL), SLDS_LOGIN_OK);
    assert_int_equal(login(ss, "kid", PW, "b", 7000, other, NULL), SLDS_LOGIN_OK);
    slds_sessions_logout(ss, token);
    assert_int_equal(lookup(ss, token, 7001), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup(ss, other, 7001), SLDS_OK);
    slds_sessions_logout(ss, token); /* twice: harmless */
    slds_sessions_logout(ss, "not a token");

    /* end_user ends every session of that user only */
    char boss[65];
    assert_int_equal(login(ss, "boss", PW, "c", 7002, boss, NULL), SLDS_LOGIN_OK);
    slds_principal who;
    assert_int_equal(slds_sessions_lookup(ss, ro, other, 7003, &who, NULL, NULL), SLDS_OK);
    slds_sessions_end_user(ss, who.user_id);
    slds_principal_clear(&who);
    assert_int_equal(lookup(ss, other, 7004), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup(ss, boss, 7004), SLDS_OK);
    slds_sessions_free(ss);

    /* max_sessions: the oldest gives way */
    slds_session_limits lim;
    slds_session_limits_default(&lim);
    lim.cost = fast;
    lim.max_sessions = 2;
    slds_error err = {0};
    assert_int_equal(slds_sessions_new(&ss, &lim, &err), SLDS_OK);
    char s1[65], s2[65], s3[65];
    assert_int_equal(login(ss, "kid", PW, "a", 10, s1, NULL), SLDS_LOGIN_OK);
    assert_int_equal(login(ss, "kid", PW, "a", 11, s2, NULL), SLDS_LOGIN_OK);
    assert_int_equal(login(ss, "kid", PW, "a", 12, s3, NULL), SLDS_LOGIN_OK);
    assert_int_equal(lookup(ss, s1, 13), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup(ss, s2, 13), SLDS_OK);
    assert_int_equal(lookup(ss, s3, 13), SLDS_OK);
    slds_sessions_free(ss);

    lim.max_failures = 0;
    assert_int_equal(slds_sessions_new(&ss, &lim, &err), SLDS_ERR_USAGE);
    assert_null(ss);
}

static void test_disable_and_new_password_end_sessions(void **state)
{
    (void)state;
    slds_error err = {0};
    const char *s1[] = {"S1"};
    assert_int_equal(slds_user_add(w, "head", SLDS_ROLE_PRINCIPAL, s1, 1, PW, &fast, &err),
                     SLDS_OK);
    slds_sessions *ss = new_sessions(100, 1000, 50, 60);
    char tok[65];

    /* a new password: the old session ends, the old password fails, the new works */
    assert_int_equal(login(ss, "head", PW, "a", 0, tok, NULL), SLDS_LOGIN_OK);
    assert_int_equal(lookup(ss, tok, 1), SLDS_OK);
    assert_int_equal(slds_user_passwd(w, "head", "a brand new password", &fast, &err), SLDS_OK);
    assert_int_equal(lookup(ss, tok, 2), SLDS_ERR_NOTFOUND);
    assert_int_equal(login(ss, "head", PW, "a", 3, NULL, NULL), SLDS_LOGIN_DENIED);
    assert_int_equal(login(ss, "head", "a brand new password", "a", 3, tok, NULL), SLDS_LOGIN_OK);

    /* scopes are re-read at every lookup: a change in the database shows */
    assert_int_equal(slds_store_exec(w,
                                     "INSERT INTO user_scopes(user_id, scope_id)"
                                     " SELECT user_id, 'S2' FROM users WHERE username = 'head'",
                                     &err),
                     SLDS_OK);
    slds_principal who;
    assert_int_equal(slds_sessions_lookup(ss, ro, tok, 4, &who, NULL, &err), SLDS_OK);
    assert_int_equal(who.n_scopes, 2);
    assert_string_equal(who.scopes[1], "S2");
    slds_principal_clear(&who);

    /* disabled (by another process: through the database): the session ends,
     * the right password no longer logs in, with the same answer as a wrong one */
    assert_int_equal(slds_user_disable(w, "head", &err), SLDS_OK);
    assert_int_equal(slds_sessions_lookup(ss, ro, tok, 5, &who, NULL, &err), SLDS_ERR_NOTFOUND);
    assert_int_equal(who.role, SLDS_ROLE_PUBLIC);
    assert_int_equal(who.n_scopes, 0);
    assert_int_equal(login(ss, "head", "a brand new password", "a", 6, NULL, NULL),
                     SLDS_LOGIN_DENIED);
    assert_int_equal(slds_sessions_count(ss, 7), 0);
    slds_sessions_free(ss);
}

static void test_rate_limits(void **state)
{
    (void)state;
    slds_sessions *ss = new_sessions(100, 1000, 3, 60);
    /* per account: 3 failures, then even the right password is refused, from
     * any address, until the window has passed */
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(ss, "boss", "guess number one", "10.0.0.1", 100 + i, NULL, NULL),
                         SLDS_LOGIN_DENIED);
    assert_int_equal(login(ss, "boss", PW, "10.0.0.1", 103, NULL, NULL), SLDS_LOGIN_RATE_LIMITED);
    assert_int_equal(login(ss, "boss", PW, "10.9.9.9", 103, NULL, NULL), SLDS_LOGIN_RATE_LIMITED);
    assert_int_equal(login(ss, "boss", PW, "10.9.9.9", 159, NULL, NULL), SLDS_LOGIN_RATE_LIMITED);
    /* at 160 the first failure (100) is out of the 60 s window */
    assert_int_equal(login(ss, "boss", PW, "10.9.9.9", 160, NULL, NULL), SLDS_LOGIN_OK);

    /* per address: failures spread over several names count for the address */
    assert_int_equal(login(ss, "alice", "guess number one", "10.6.6.6", 200, NULL, NULL),
                     SLDS_LOGIN_DENIED);
    assert_int_equal(login(ss, "bob", "guess number one", "10.6.6.6", 201, NULL, NULL),
                     SLDS_LOGIN_DENIED);
    assert_int_equal(login(ss, "carol", "guess number one", "10.6.6.6", 202, NULL, NULL),
                     SLDS_LOGIN_DENIED);
    assert_int_equal(login(ss, "kid", PW, "10.6.6.6", 203, NULL, NULL), SLDS_LOGIN_RATE_LIMITED);
    assert_int_equal(login(ss, "kid", PW, "10.7.7.7", 203, NULL, NULL), SLDS_LOGIN_OK);

    /* successful logins do not count */
    for (int i = 0; i < 10; i++)
        assert_int_equal(login(ss, "teach", PW, "10.5.5.5", 300, NULL, NULL), SLDS_LOGIN_OK);
    /* and a refused attempt is not counted either: the lock-out does not grow */
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(ss, "teach", "guess number two", "10.5.5.5", 400, NULL, NULL),
                         SLDS_LOGIN_DENIED);
    for (int i = 0; i < 20; i++)
        assert_int_equal(login(ss, "teach", PW, "10.5.5.5", 410 + i, NULL, NULL),
                         SLDS_LOGIN_RATE_LIMITED);
    assert_int_equal(login(ss, "teach", PW, "10.5.5.6", 460, NULL, NULL), SLDS_LOGIN_OK);
    slds_sessions_free(ss);

    /* the usernames and addresses tried are kept only within their window */
    ss = new_sessions(100, 1000, 3, 60);
    assert_int_equal(login(ss, "alice", "guess number one", "10.6.6.6", 1000, NULL, NULL),
                     SLDS_LOGIN_DENIED);
    assert_true(slds_sessions_holds_bytes(ss, "u:alice", 7));
    assert_true(slds_sessions_holds_bytes(ss, "a:10.6.6.6", 10));
    slds_sessions_count(ss, 1059); /* sweeps: still within */
    assert_true(slds_sessions_holds_bytes(ss, "u:alice", 7));
    slds_sessions_count(ss, 1060);
    assert_false(slds_sessions_holds_bytes(ss, "u:alice", 7));
    assert_false(slds_sessions_holds_bytes(ss, "a:10.6.6.6", 10));
    slds_sessions_free(ss);
}

static void test_secret_equal(void **state)
{
    (void)state;
    assert_true(slds_secret_equal("abcdef", "abcdef"));
    assert_false(slds_secret_equal("abcdef", "abcdeg"));
    assert_false(slds_secret_equal("abcdef", "abcde"));
    assert_false(slds_secret_equal("", "a"));
    assert_false(slds_secret_equal(NULL, "a"));
    assert_false(slds_secret_equal("a", NULL));
}

/* slds_sessions_lookup_on as the server calls it: inside a read transaction
 * on conn's store, with that store's data_version. fake >= 0: that version
 * instead of the real one (to show the user is then not read again). */
static int lookup_on(slds_sessions *ss, slds_store *s, int conn, const char *token, int64_t now,
                     int64_t fake, slds_principal *who)
{
    slds_error err = {0};
    assert_int_equal(slds_store_exec(s, "BEGIN", &err), SLDS_OK);
    slds_cursor c;
    assert_int_equal(slds_cursor_open(&c, s, "PRAGMA data_version", &err), SLDS_OK);
    assert_int_equal(slds_cursor_step(&c, &err), 1);
    int64_t v = slds_cursor_int(&c, 0);
    slds_cursor_close(&c);
    slds_principal mine;
    int rc = slds_sessions_lookup_on(ss, s, conn, fake >= 0 ? fake : v, token, now, who ? who : &mine,
                                     NULL, &err);
    if (!who)
        slds_principal_clear(&mine);
    assert_int_equal(slds_store_exec(s, "COMMIT", &err), SLDS_OK);
    return rc;
}

static void test_cached_lookup_still_ends_sessions(void **state)
{
    (void)state;
    slds_error err = {0};
    const char *s1[] = {"S1"};
    assert_int_equal(slds_user_add(w, "dean", SLDS_ROLE_PRINCIPAL, s1, 1, PW, &fast, &err),
                     SLDS_OK);
    slds_store *ro2;
    assert_int_equal(slds_store_open_readonly(&ro2, db_path, &err), SLDS_OK);
    slds_sessions *ss = new_sessions(100, 1000, 50, 60);
    char tok[65], tok2[65];
    assert_int_equal(login(ss, "dean", PW, "a", 0, tok, NULL), SLDS_LOGIN_OK);
    assert_int_equal(login(ss, "dean", PW, "a", 0, tok2, NULL), SLDS_LOGIN_OK);

    /* the user is kept per connection and data version: with a version
     * that did not move, a change in the database is not read (this is the
     * cache, and why the version must be the connection's real one) */
    assert_int_equal(lookup_on(ss, ro, 0, tok, 1, 777, NULL), SLDS_OK);
    assert_int_equal(slds_store_exec(w, "UPDATE users SET role = 'teacher' WHERE username = 'dean'", &err),
                     SLDS_OK);
    slds_principal who;
    assert_int_equal(lookup_on(ss, ro, 0, tok, 1, 777, &who), SLDS_OK);
    assert_int_equal(who.role, SLDS_ROLE_PRINCIPAL);
    slds_principal_clear(&who);
    /* with the real version the change shows, on either connection */
    assert_int_equal(lookup_on(ss, ro, 0, tok, 1, -1, &who), SLDS_OK);
    assert_int_equal(who.role, SLDS_ROLE_TEACHER);
    slds_principal_clear(&who);
    assert_int_equal(lookup_on(ss, ro2, 1, tok, 1, -1, &who), SLDS_OK);
    assert_int_equal(who.role, SLDS_ROLE_TEACHER);
    slds_principal_clear(&who);
    assert_int_equal(slds_store_exec(w, "UPDATE users SET role = 'principal' WHERE username = 'dean'", &err),
                     SLDS_OK);

    /* both sessions checked on both connections, twice (the second from the cache) */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(lookup_on(ss, ro, 0, tok, 2, -1, NULL), SLDS_OK);
        assert_int_equal(lookup_on(ss, ro2, 1, tok, 2, -1, NULL), SLDS_OK);
        assert_int_equal(lookup_on(ss, ro, 0, tok2, 2, -1, &who), SLDS_OK);
        assert_int_equal(who.role, SLDS_ROLE_PRINCIPAL);
        slds_principal_clear(&who);
        assert_int_equal(lookup_on(ss, ro2, 1, tok2, 2, -1, NULL), SLDS_OK);
    }
    /* a scope added by another process shows at the next lookup */
    assert_int_equal(slds_store_exec(w,
                                     "INSERT INTO user_scopes(user_id, scope_id)"
                                     " SELECT user_id, 'S2' FROM users WHERE username = 'dean'",
                                     &err),
                     SLDS_OK);
    assert_int_equal(lookup_on(ss, ro2, 1, tok, 3, -1, &who), SLDS_OK);
    assert_int_equal(who.n_scopes, 2);
    slds_principal_clear(&who);
    assert_int_equal(lookup_on(ss, ro, 0, tok2, 3, -1, &who), SLDS_OK);
    assert_int_equal(who.n_scopes, 2);
    slds_principal_clear(&who);
    assert_int_equal(lookup_on(ss, ro2, 1, tok2, 3, -1, NULL), SLDS_OK);
    assert_int_equal(lookup_on(ss, ro, 0, tok, 3, -1, NULL), SLDS_OK);

    /* a new password: each session ends at its next lookup, on either connection */
    assert_int_equal(slds_user_passwd(w, "dean", "another new password", &fast, &err), SLDS_OK);
    assert_int_equal(lookup_on(ss, ro, 0, tok, 4, -1, NULL), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup_on(ss, ro2, 1, tok2, 4, -1, NULL), SLDS_ERR_NOTFOUND);
    assert_int_equal(slds_sessions_count(ss, 4), 0);

    /* disabled: the same */
    assert_int_equal(login(ss, "dean", "another new password", "a", 5, tok, NULL), SLDS_LOGIN_OK);
    assert_int_equal(login(ss, "dean", "another new password", "a", 5, tok2, NULL), SLDS_LOGIN_OK);
    assert_int_equal(lookup_on(ss, ro, 0, tok, 6, -1, NULL), SLDS_OK);
    assert_int_equal(lookup_on(ss, ro2, 1, tok2, 6, -1, NULL), SLDS_OK);
    assert_int_equal(lookup_on(ss, ro, 0, tok, 6, -1, NULL), SLDS_OK);
    assert_int_equal(slds_user_disable(w, "dean", &err), SLDS_OK);
    assert_int_equal(lookup_on(ss, ro2, 1, tok2, 7, -1, NULL), SLDS_ERR_NOTFOUND);
    assert_int_equal(lookup_on(ss, ro, 0, tok, 7, -1, NULL), SLDS_ERR_NOTFOUND);
    assert_int_equal(slds_sessions_count(ss, 7), 0);
    /* expiry does not depend on the cache */
    assert_int_equal(login(ss, "boss", PW, "a", 10, tok, NULL), SLDS_LOGIN_OK);
    assert_int_equal(lookup_on(ss, ro, 0, tok, 10, -1, NULL), SLDS_OK);
    assert_int_equal(lookup_on(ss, ro, 0, tok, 110, -1, NULL), SLDS_ERR_NOTFOUND);
    slds_sessions_free(ss);
    slds_store_close(ro2);
}

/* Logins and lookups from several threads, each with its own read-only
 * store (as the server's request threads have). */
typedef struct {
    slds_sessions *ss;
    int id;
    int failures;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *a = p;
    slds_store *mine;
    slds_error err = {0};
    if (slds_store_open_readonly(&mine, db_path, &err)) {
        a->failures++;
        return NULL;
    }
    for (int i = 0; i < 20; i++) {
        char tok[65], csrf[65], addr[32];
        slds_login_result r;
        snprintf(addr, sizeof addr, "10.1.%d.%d", a->id, i);
        if (slds_sessions_login(a->ss, mine, "boss", PW, addr, 50, tok, csrf, &r, &err) ||
            r != SLDS_LOGIN_OK) {
            a->failures++;
            continue;
        }
        for (int k = 0; k < 10; k++) {
            slds_principal who;
            if (slds_sessions_lookup(a->ss, mine, tok, 51, &who, NULL, &err) ||
                who.role != SLDS_ROLE_STATE_ADMIN)
                a->failures++;
            slds_principal_clear(&who);
        }
        if (i % 2)
            slds_sessions_logout(a->ss, tok);
    }
    slds_store_close(mine);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    slds_sessions *ss = new_sessions(100, 1000, 5, 60);
    pthread_t th[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){ss, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    assert_int_equal(slds_sessions_count(ss, 52), 4 * 10);
    slds_sessions_free(ss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashes_are_argon2id),
        cmocka_unit_test(test_login_and_token_kept_hashed),
        cmocka_unit_test(test_expiry_and_logout),
        cmocka_unit_test(test_disable_and_new_password_end_sessions),
        cmocka_unit_test(test_cached_lookup_still_ends_sessions),
        cmocka_unit_test(test_rate_limits),
        cmocka_unit_test(test_secret_equal),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
