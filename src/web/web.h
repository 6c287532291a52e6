/* web.h - the HTTP face of slds (`slds serve`): a JSON API under /api/v1/ and
 * server-rendered pages (HTML without script, SVG charts) for every
 * stakeholder, each request checked against the requester's role by the
 * access library (src/access), never by hiding links. docs/web.md lists the
 * routes, the roles and the security properties.
 *
 * Two layers:
 *  - slds_web: the application. It takes a request (method, path, query,
 *    cookies, body) and fills a response (status, headers, body); it owns the
 *    read-only database connections, the sessions, the report cache and the
 *    access log. It knows nothing of sockets, so tests drive it directly.
 *  - slds_web_server: libmicrohttpd around an slds_web: the listening socket,
 *    TLS, worker threads, request size and header limits.
 *
 * Design notes (invariants, each with its test under tests/web/):
 *  1. Every route asks the access library before reading anything about a
 *     student, school, district or educator; an out-of-scope resource is 403
 *     (logged in) or 401 (not logged in) or 404, and its body names no
 *     student (test_web_authz.sh).
 *  2. The data connections are read-only (slds_store_open_readonly): a load
 *     on the same database never waits for the server, nor the server for it
 *     (test_web_load.sh). The access log has its own writer thread and
 *     connection, which keeps the file in WAL mode while the server runs
 *     (src/access/log.c).
 *  3. A state-changing request (login, logout) carries a CSRF token; the
 *     session cookie is HttpOnly, SameSite=Strict, and Secure under TLS
 *     (test_web_security.sh).
 *  4. Error bodies are fixed texts: no SQL, no file path, no stack trace.
 *  5. Tables are rendered only through src/table (JSON, CSV, HTML).
 *
 * Ownership: *_new / *_start give the caller an object freed by the matching
 * *_free / *_stop. */
#ifndef SLDS_WEB_H
#define SLDS_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef struct slds_web_options {
    const char *db_path;   /* the state database (opened read-only for data) */
    const char *bind;      /* address to listen on; NULL: 127.0.0.1 */
    int port;              /* 0: any free port (slds_web_server_port says which) */
    const char *tls_cert;  /* PEM certificate file; with tls_key, serve HTTPS */
    const char *tls_key;   /* PEM private key file */
    int threads;           /* worker threads (and read-only connections); 0: one per
                            * online processor, at least 2 */
    size_t max_body;       /* largest request body accepted (bytes); 0: 16384 */
    size_t max_header;     /* memory for a request's headers (bytes); 0: 16384 */
    int min_n;             /* public suppression's minimum group size; 0: 10 */
    bool access_log;       /* record student views in the database's access_log */
    bool min_password_cost; /* tests only (SLDS_TEST_MIN_PASSWORD_COST): the dummy hash of
                             * unknown users at Argon2id's minimum cost, like the tests' users */
} slds_web_options;

/* ------------------------------------------------------------ application */

typedef struct slds_web slds_web;

/* Opens the database read-only (threads connections), the sessions and, when
 * asked, the access log. Errors: SLDS_ERR_NOTFOUND (no database),
 * SLDS_ERR_DB (not an slds database, no access tables for the log). */
int slds_web_new(slds_web **out, const slds_web_options *o, slds_error *err);
void slds_web_free(slds_web *w);

/* A request as the application sees it (all strings NUL-terminated; any may
 * be NULL when absent). */
typedef struct slds_web_request {
    const char *method;      /* "GET", "POST", "DELETE", ... */
    const char *path;        /* decoded path, no query */
    size_t nargs;            /* query arguments, decoded */
    const char *const *arg_names;
    const char *const *arg_values;
    const char *cookie_session;  /* the slds_session cookie */
    const char *cookie_login;    /* the slds_login cookie (login form's CSRF) */
    const char *csrf_header;     /* X-CSRF-Token */
    const char *content_type;
    const char *body;
    size_t body_len;
    const char *client_addr; /* the peer's address, for login rate limits */
    bool tls;
    bool share;              /* the response may carry a kept answer by reference
                              * (slds_web_response.shared) instead of a copy in body */
} slds_web_request;

enum { SLDS_WEB_MAX_HEADERS = 12 };

typedef struct slds_web_response {
    int status;
    const char *content_type;  /* static text */
    slds_buf body;
    size_t nheaders;
    char *header_names[SLDS_WEB_MAX_HEADERS];
    char *header_values[SLDS_WEB_MAX_HEADERS];
    bool header_static[SLDS_WEB_MAX_HEADERS]; /* name and value are static text, not owned */
    /* Only when the request said share: the answer is body, then the
     * shared bytes (a kept answer, read-only, held by a reference until
     * slds_web_response_free or slds_web_shared_release), then tail. */
    const char *shared;
    size_t shared_len;
    void *shared_ref;
    slds_buf tail;
} slds_web_response;

/* Drops the reference a response held on its shared bytes (ref as it was
 * in slds_web_response.shared_ref; NULL is allowed). For a server that
 * sends the shared bytes after the response itself is freed. */
void slds_web_shared_release(void *ref);

/* Answers one request (thread-safe: the server calls it from every worker).
 * Always fills a response, whatever happens (a failure inside is a 500 with
 * a fixed body); the caller frees it with slds_web_response_free. */
void slds_web_handle(slds_web *w, const slds_web_request *rq, slds_web_response *rs);
void slds_web_response_free(slds_web_response *rs);

/* ------------------------------------------------------------ server */

typedef struct slds_web_server slds_web_server;

/* Listens on o->bind:o->port and answers with w from worker threads.
 * Errors: SLDS_ERR_IO (address in use, a certificate that cannot be read,
 * TLS not supported), SLDS_ERR_USAGE (one of cert/key without the other). */
int slds_web_server_start(slds_web_server **out, slds_web *w, const slds_web_options *o,
                          slds_error *err);
/* The port listened on (the one chosen when o->port was 0). */
int slds_web_server_port(const slds_web_server *srv);
/* Stops listening, finishes the requests under way, frees. */
void slds_web_server_stop(slds_web_server *srv);

#endif
