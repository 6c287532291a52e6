/* auth.h - the web module's adapter to the access library (src/access): the
 * only file of src/web that names access's functions (sessions, the
 * authorization questions, the access log). Every question about a role's
 * scope is answered by access; this adapter only forwards it. */
#ifndef SLDS_WEB_AUTH_H
#define SLDS_WEB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"
#include "table/table.h"

#include "access/access.h"

typedef struct web_auth web_auth;

typedef enum { WEB_LOGIN_OK, WEB_LOGIN_DENIED, WEB_LOGIN_RATE_LIMITED } web_login_result;

/* Sessions (in memory) and, when log_db is not NULL, the access log. */
int web_auth_new(web_auth **out, const char *log_db, bool min_cost, slds_error *err);
void web_auth_free(web_auth *a);

const char *web_role_name(slds_role r);
void web_principal_clear(slds_principal *p);

int web_auth_login(web_auth *a, slds_store *s, const char *user, const char *password,
                   const char *addr, int64_t now, char token[65], char csrf[65],
                   web_login_result *res, slds_error *err);
/* 0 and who/csrf filled for a live session; else who is public. conn and
 * data_version: the caller's connection number and `PRAGMA data_version`
 * in the read transaction it holds on s (the user is read again only when
 * that changed: slds_sessions_lookup_on); conn -1: read the user anyway. */
int web_auth_lookup(web_auth *a, slds_store *s, int conn, int64_t data_version, const char *token,
                    int64_t now, slds_principal *who, char csrf[65]);
void web_auth_logout(web_auth *a, const char *token);
int web_secret_equal(const char *x, const char *y);

/* 1 allowed, 0 not, -1 error (err filled). */
int web_may_student(slds_store *s, const slds_principal *who, const char *id, int year,
                    slds_error *err);
int web_may_school(slds_store *s, const slds_principal *who, const char *id, slds_error *err);
int web_may_lea(slds_store *s, const slds_principal *who, const char *id, slds_error *err);
int web_may_staff(slds_store *s, const slds_principal *who, const char *id, int year,
                  slds_error *err);
int web_may_aggregates(const slds_principal *who);
int web_identifiable(const slds_principal *who);
int web_needs_suppression(const slds_principal *who);
int web_visible_students(slds_store *s, const slds_principal *who, int year, size_t offset,
                         size_t limit, slds_table **out, slds_error *err);
int web_current_year(slds_store *s, int *year, slds_error *err);

/* Queues a record view in the access log (never waits). */
void web_log_view(web_auth *a, const slds_principal *who, const char *route,
                  const char *student_id, int64_t now);

#endif
