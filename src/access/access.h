/* access.h - who may see what: users (with Argon2id password hashes), roles
 * and their scopes, login sessions, the authorization questions every page
 * and API route asks, and the access log of who viewed which student.
 *
 * The web server (src/web) decides nothing about a role's scope itself: it
 * asks the functions below, which are the only place a scope is interpreted.
 * docs/access.md has the roles table (who sees what) and the security
 * properties (hashes, tokens, expiry, rate limits, the log).
 *
 * Tables (module "access" of the schema registry, src/store/schema.c):
 * users, user_scopes, access_log. Users are written by `slds user` through a
 * writer store; sessions live in memory only (see slds_sessions below);
 * the access log is appended by a background thread with its own
 * connection, so a request never waits for a load holding the write lock.
 *
 * Times (`now`) are Unix seconds passed in by the caller, so tests control
 * the clock. */
#ifndef SLDS_ACCESS_H
#define SLDS_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

/* ------------------------------------------------------------ roles */

typedef enum {
    SLDS_ROLE_PUBLIC,        /* nobody logged in: aggregates with public suppression */
    SLDS_ROLE_STATE_ADMIN,   /* every student, school, district, educator */
    SLDS_ROLE_STATE_ANALYST, /* aggregates without public suppression; no record */
    SLDS_ROLE_DISTRICT,      /* scopes: lea_id(s); its schools, educators, students */
    SLDS_ROLE_PRINCIPAL,     /* scopes: school_id(s); students enrolled that year, its teachers */
    SLDS_ROLE_TEACHER,       /* scopes: staff_id (own); students on own rosters that year */
    SLDS_ROLE_PARENT,        /* scopes: student_id(s) of the children */
    SLDS_ROLE_STUDENT,       /* scopes: own student_id (exactly one) */
    SLDS_ROLE_RESEARCHER     /* aggregates without public suppression; no record */
} slds_role;

#define SLDS_USER_ROLE_COUNT 9

/* "public", "state-admin", "state-analyst", "district", "principal",
 * "teacher", "parent", "student", "researcher"; "?" for a value out of range. */
const char *slds_role_name(slds_role r);
/* The inverse of slds_role_name; SLDS_ERR_USAGE (and *out untouched) when unknown. */
int slds_role_parse(const char *name, slds_role *out);

/* ------------------------------------------------------------ principals */

/* Who is asking: filled by slds_sessions_lookup; PUBLIC when nobody is
 * logged in (a zeroed struct is the public principal). */
typedef struct slds_principal {
    int64_t user_id; /* 0 for public */
    char username[64];
    slds_role role;
    char **scopes; /* lea_id | school_id | staff_id | student ids, as the role says */
    size_t n_scopes;
} slds_principal;

/* Frees scopes and makes p the public principal again. */
void slds_principal_clear(slds_principal *p);
/* Deep copy (dst is overwritten, not freed first). SLDS_ERR_NOMEM. */
int slds_principal_copy(slds_principal *dst, const slds_principal *src, slds_error *err);

/* ------------------------------------------------------------ passwords */

/* The Argon2id cost of a new hash (libsodium crypto_pwhash_str). NULL where a
 * cost is taken means slds_password_cost_default(): libsodium's INTERACTIVE
 * limits (2 passes, 64 MiB), meant for online logins on a shared server
 * (about 0.1 s and 64 MiB per login). Verifying reads the cost from the
 * stored hash string, so old hashes keep working when the default changes. */
typedef struct slds_password_cost {
    unsigned long long opslimit;
    size_t memlimit;
} slds_password_cost;

slds_password_cost slds_password_cost_default(void);
/* libsodium's minimum limits: for tests only (fast, and far too weak to use). */
slds_password_cost slds_password_cost_min(void);

/* Passwords accepted by add/passwd: 12 to 1024 bytes. */
#define SLDS_PASSWORD_MIN 12
#define SLDS_PASSWORD_MAX 1024

/* ------------------------------------------------------------ users */

/* Usernames: 1-63 characters of [A-Za-z0-9._@-]. Scopes by role: district,
 * principal, teacher, parent need one or more (lea, school, staff, student
 * ids, each checked to exist in the database); student exactly one (its own
 * student id); state-admin, state-analyst and researcher none. The public
 * role is nobody logged in and cannot be given to a user.
 * Errors: SLDS_ERR_USAGE (bad name, role, scopes, password length, a
 * duplicate username), SLDS_ERR_NOTFOUND (a scope id not in the database),
 * SLDS_ERR_DB. The password is never logged nor kept. cost NULL: default. */
int slds_user_add(slds_store *w, const char *username, slds_role role, const char *const *scopes,
                  size_t n_scopes, const char *password, const slds_password_cost *cost,
                  slds_error *err);
/* A new password (re-enables nothing; a disabled user stays disabled).
 * Sessions logged in with the old password end at their next lookup. */
int slds_user_passwd(slds_store *w, const char *username, const char *password,
                     const slds_password_cost *cost, slds_error *err);
/* Disables the user: no login from now on, and every session of the user
 * ends at its next lookup (sessions re-read the user from the database).
 * SLDS_ERR_NOTFOUND when there is no such user. */
int slds_user_disable(slds_store *w, const char *username, slds_error *err);
/* Every user: username, role, scopes (list), disabled, created, changed.
 * Never a hash. s may be read-only. */
int slds_user_list(slds_store *s, slds_table **out, slds_error *err);

/* ------------------------------------------------------------ sessions */

/* Sessions are kept in memory by an slds_sessions object the server owns
 * (thread-safe: one mutex), not in the database: the server opens the state
 * database read-only and must keep answering while a load holds its write
 * lock for minutes, which a session table written at every login and request
 * would not allow. A restart therefore logs everyone out. */
typedef struct slds_session_limits {
    int64_t idle_seconds;     /* ends after this long without a request (default 1800) */
    int64_t absolute_seconds; /* ends this long after login whatever happens (default 43200) */
    int max_failures;         /* failed logins allowed per account and per address ... (5) */
    int64_t failure_window_seconds; /* ... within this window (900); then SLDS_LOGIN_RATE_LIMITED */
    size_t max_sessions;            /* live sessions kept (100000); the oldest ends first */
    slds_password_cost cost;        /* cost of the dummy hash verified for unknown users */
} slds_session_limits;

/* The defaults above. */
void slds_session_limits_default(slds_session_limits *l);

typedef struct slds_sessions slds_sessions;

/* limits NULL: the defaults. Makes one dummy hash (about 0.1 s at the default
 * cost) so a login for an unknown user costs what a real one does. */
int slds_sessions_new(slds_sessions **out, const slds_session_limits *limits, slds_error *err);
void slds_sessions_free(slds_sessions *ss);

typedef enum { SLDS_LOGIN_OK, SLDS_LOGIN_DENIED, SLDS_LOGIN_RATE_LIMITED } slds_login_result;

/* Checks username/password against the users table (s may be read-only).
 * OK: a new session; token_hex (64 hex digits of 256 random bits, the
 * client's cookie) and csrf_hex (the session's CSRF token) are filled.
 * DENIED: unknown user, wrong password or disabled user (one answer for all,
 * in about the same time). RATE_LIMITED: max_failures failed logins within
 * the window for this username or from this client_addr; the password is not
 * even checked. Returns SLDS_OK with *result set, or an error (SLDS_ERR_DB)
 * with err filled (err may be NULL) and no session. */
int slds_sessions_login(slds_sessions *ss, slds_store *s, const char *username,
                        const char *password, const char *client_addr, int64_t now,
                        char token_hex[65], char csrf_hex[65], slds_login_result *result,
                        slds_error *err);

/* The session of token_hex at time now. Found and live: fills who (the
 * caller clears it with slds_principal_clear) and csrf_hex (may be NULL),
 * refreshes the idle clock, returns SLDS_OK. No such session, expired, or
 * (when s is not NULL: the user is re-read from the database on every
 * lookup) the user was disabled, deleted or changed password since login:
 * the session ends and SLDS_ERR_NOTFOUND is returned, who is the public
 * principal. A database error: SLDS_ERR_DB with err filled (err may be NULL). */
int slds_sessions_lookup(slds_sessions *ss, slds_store *s, const char *token_hex, int64_t now,
                         slds_principal *who, char csrf_hex[65], slds_error *err);
/* The lookup of a server with several read-only connections that answers
 * each request inside one read transaction: the same as
 * slds_sessions_lookup, but the user is read from the database only when
 * the database may have changed since this session's user was last read
 * through the same connection. conn numbers the caller's connection (0 to
 * SLDS_SESSIONS_CONNS - 1; any other number: the user is read at every
 * lookup); data_version is what `PRAGMA data_version` answered on s inside
 * the read transaction the caller holds open around this call (SQLite
 * changes it whenever another connection commits: `slds user disable`,
 * `passwd`, a load). So a disable or a new password still ends the session
 * at its next request, whichever connection serves it. */
#define SLDS_SESSIONS_CONNS 16
int slds_sessions_lookup_on(slds_sessions *ss, slds_store *s, int conn, int64_t data_version,
                            const char *token_hex, int64_t now, slds_principal *who,
                            char csrf_hex[65], slds_error *err);
/* Ends the session (no-op for an unknown token). */
void slds_sessions_logout(slds_sessions *ss, const char *token_hex);
/* Ends every session of a user (after disabling it in this process). */
void slds_sessions_end_user(slds_sessions *ss, int64_t user_id);
/* Live sessions at time now (expired ones are dropped first). */
size_t slds_sessions_count(slds_sessions *ss, int64_t now);

/* For tests of invariant 1 (sessions.c): 1 when any memory the object holds
 * (its sessions, their principals, the failed-login keys) contains the n
 * bytes of needle, e.g. a token's hex or raw bytes. */
int slds_sessions_holds_bytes(slds_sessions *ss, const void *needle, size_t n);

/* 1 when the two NUL-terminated secrets (tokens, CSRF values) are equal,
 * compared in constant time for equal lengths (sodium_memcmp); 0 otherwise
 * or when either is NULL. Use it for the CSRF check. */
int slds_secret_equal(const char *a, const char *b);

/* ------------------------------------------------------------ authorization */

/* The only place scopes are interpreted. Each answers from the database for
 * the given school year (a teacher's students are those on his or her rosters
 * that year; a principal's those enrolled in the school that year). "may"
 * functions return 1 allowed / 0 not / -1 error (err filled). A role without
 * identifiable access (public, state-analyst, researcher) gets 0 from every
 * may_see_* below. */

/* The student's record: state-admin all; district students enrolled that
 * year in a school of its lea(s); principal enrolled that year in its
 * school(s); teacher on its rosters that year; parent the listed ids;
 * student its own id. */
int slds_access_may_see_student(slds_store *s, const slds_principal *who, const char *student_id,
                                int school_year, slds_error *err);
/* The school's identifiable pages (its students, its staff): state-admin
 * all; district the schools of its lea(s); principal its school(s). */
int slds_access_may_see_school(slds_store *s, const slds_principal *who, const char *school_id,
                               slds_error *err);
/* The district's identifiable pages: state-admin all; district its own. */
int slds_access_may_see_lea(slds_store *s, const slds_principal *who, const char *lea_id,
                            slds_error *err);
/* An educator's record (ratings, value-added): state-admin all; district
 * staff assigned that year to a school of its lea (or whose staff.lea_id is
 * its lea); principal staff assigned that year to its school(s); teacher
 * itself only. */
int slds_access_may_see_staff(slds_store *s, const slds_principal *who, const char *staff_id,
                              int school_year, slds_error *err);
/* Aggregate reports: every role but parent and student. */
int slds_access_may_see_aggregates(const slds_principal *who);
/* 1 when the role may see any identifiable record (0 for public, researcher,
 * state-analyst). */
int slds_access_identifiable(const slds_principal *who);
/* 1 when aggregates shown to the role must go through public suppression
 * (src/privacy): the public role. */
int slds_access_needs_suppression(const slds_principal *who);

/* The students the principal may see in school_year, as a table "students":
 * student_id, first_name, last_name, grade_level, school_id (the year's last
 * enrollment), ordered by student_id; rows offset.. (at most limit of them;
 * limit 0: all). Empty for a role without identifiable access. */
int slds_access_visible_students(slds_store *s, const slds_principal *who, int school_year,
                                 size_t offset, size_t limit, slds_table **out, slds_error *err);

/* The latest school year with enrollments (the default year of a page), or
 * SLDS_ERR_NOTFOUND when there is none. */
int slds_access_current_year(slds_store *s, int *school_year, slds_error *err);

/* ------------------------------------------------------------ access log */

/* Who viewed which student's record, when, by which route. The server never
 * blocks on it (a load may hold the write lock for minutes): record() puts the
 * entry on an in-memory queue; a background thread appends queued entries to
 * table access_log through its own read-write connection, retrying while the
 * database is locked. close() waits until every entry is written (or the
 * database fails for good: then the error says how many were lost). */
typedef struct slds_access_log slds_access_log;

/* Opens db_path read-write (never creates it). The database must have the
 * access tables (SLDS_ERR_DB otherwise: "run `slds user add` ...").  */
int slds_access_log_open(slds_access_log **out, const char *db_path, slds_error *err);
/* Queues one entry; never waits for the database. student_id may be NULL
 * (a login, a page about no student). */
void slds_access_log_record(slds_access_log *log, const slds_principal *who, const char *route,
                            const char *student_id, int64_t now);
/* Flushes, stops the thread, closes; SLDS_OK when every entry was written. */
int slds_access_log_close(slds_access_log *log, slds_error *err);

/* The log of one student (every viewer, newest first) as a table
 * "access_log": at (ISO 8601 UTC), username, role, route. For state-admin
 * pages and `slds user log`. */
int slds_access_log_of_student(slds_store *s, const char *student_id, slds_table **out,
                               slds_error *err);

#endif
