/* auth.c - the adapter to the access library (see auth.h): every function
 * forwards to src/access, which alone interprets roles and scopes. */
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"

struct web_auth {
    slds_sessions *sessions;
    slds_access_log *log;
};

int web_auth_new(web_auth **out, const char *log_db, bool min_cost, slds_error *err)
{
    web_auth *a = calloc(1, sizeof *a);
    if (!a)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    slds_session_limits lim;
    slds_session_limits_default(&lim);
    if (min_cost)
        lim.cost = slds_password_cost_min();
    int rc = slds_sessions_new(&a->sessions, &lim, err);
    if (!rc && log_db)
        rc = slds_access_log_open(&a->log, log_db, err);
    if (rc) {
        web_auth_free(a);
        return rc;
    }
    *out = a;
    return SLDS_OK;
}

void web_auth_free(web_auth *a)
{
    if (!a)
        return;
    if (a->log) {
        slds_error err = {0};
        if (slds_access_log_close(a->log, &err))
            fprintf(stderr, "slds serve: access log: %s\n", err.message);
    }
    slds_sessions_free(a->sessions);
    free(a);
}

const char *web_role_name(slds_role r) { return slds_role_name(r); }
void web_principal_clear(slds_principal *p) { slds_principal_clear(p); }

int web_auth_login(web_auth *a, slds_store *s, const char *user, const char *password,
                   const char *addr, int64_t now, char token[65], char csrf[65],
                   web_login_result *res, slds_error *err)
{
    slds_login_result r = SLDS_LOGIN_DENIED;
    int rc = slds_sessions_login(a->sessions, s, user, password, addr, now, token, csrf, &r, err);
    *res = r == SLDS_LOGIN_OK ? WEB_LOGIN_OK
           : r == SLDS_LOGIN_RATE_LIMITED ? WEB_LOGIN_RATE_LIMITED
                                          : WEB_LOGIN_DENIED;
    return rc;
}

int web_auth_lookup(web_auth *a, slds_store *s, int conn, int64_t data_version, const char *token,
                    int64_t now, slds_principal *who, char csrf[65])
{
    memset(who, 0, sizeof *who);
    if (!token || !*token)
        return SLDS_ERR_NOTFOUND;
    return slds_sessions_lookup_on(a->sessions, s, conn, data_version, token, now, who, csrf, NULL);
}

void web_auth_logout(web_auth *a, const char *token)
{
    if (token && *token)
        slds_sessions_logout(a->sessions, token);
}

int web_secret_equal(const char *x, const char *y) { return slds_secret_equal(x, y); }

int web_may_student(slds_store *s, const slds_principal *who, const char *id, int year,
                    slds_error *err)
{
    return slds_access_may_see_student(s, who, id, year, err);
}
int web_may_school(slds_store *s, const slds_principal *who, const char *id, slds_error *err)
{
    return slds_access_may_see_school(s, who, id, err);
}
int web_may_lea(slds_store *s, const slds_principal *who, const char *id, slds_error *err)
{
    return slds_access_may_see_lea(s, who, id, err);
}
int web_may_staff(slds_store *s, const slds_principal *who, const char *id, int year,
                  slds_error *err)
{
    return slds_access_may_see_staff(s, who, id, year, err);
}
int web_may_aggregates(const slds_principal *who) { return slds_access_may_see_aggregates(who); }
int web_identifiable(const slds_principal *who) { return slds_access_identifiable(who); }
int web_needs_suppression(const slds_principal *who) { return slds_access_needs_suppression(who); }
int web_visible_students(slds_store *s, const slds_principal *who, int year, size_t offset,
                         size_t limit, slds_table **out, slds_error *err)
{
    return slds_access_visible_students(s, who, year, offset, limit, out, err);
}
int web_current_year(slds_store *s, int *year, slds_error *err)
{
    return slds_access_current_year(s, year, err);
}

void web_log_view(web_auth *a, const slds_principal *who, const char *route,
                  const char *student_id, int64_t now)
{
    if (a->log)
        slds_access_log_record(a->log, who, route, student_id, now);
}

