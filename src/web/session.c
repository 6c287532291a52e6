/* session.c - logging in and out, by the API (POST/DELETE /api/v1/session)
 * and by the pages (/login, /logout).
 *
 * Cookies: slds_session (the session token access gave; HttpOnly,
 * SameSite=Strict, Path=/, Secure under TLS) and, for the login form only,
 * slds_login (a random value the form echoes: a page of another site cannot
 * log a visitor in under its own account). CSRF: logging out needs the
 * session's CSRF token (the X-CSRF-Token header for the API, a hidden form
 * field for the page); an API login needs a JSON body, which a form of
 * another site cannot send. Passwords are never logged or echoed. */
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "web/internal.h"

static void set_cookie(web_ctx *c, const char *name, const char *value, const char *path, bool clear)
{
    char v[400];
    snprintf(v, sizeof v, "%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s", name, value, path,
             c->rq->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
    web_header(c, "Set-Cookie", v);
}

bool web_content_type_is(const web_ctx *c, const char *want)
{
    const char *ct = c->rq->content_type;
    size_t n = strlen(want);
    return ct && !strncasecmp(ct, want, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int hexval(int ch)
{
    return isdigit(ch) ? ch - '0' : isxdigit(ch) ? (tolower(ch) - 'a' + 10) : -1;
}

/* The url-encoded form field name of body into out (decoded; at most size-1
 * bytes); false when absent, too long or badly encoded. */
bool web_form_field(const char *body, size_t len, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name), i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end - i > nlen && !memcmp(body + i, name, nlen) && body[i + nlen] == '=') {
            size_t o = 0;
            for (size_t k = i + nlen + 1; k < end; k++) {
                int ch = (unsigned char)body[k];
                if (ch == '+')
                    ch = ' ';
                else if (ch == '%') {
                    if (k + 2 >= end)
                        return false;
                    int h = hexval((unsigned char)body[k + 1]), l = hexval((unsigned char)body[k + 2]);
                    if (h < 0 || l < 0)
                        return false;
                    ch = h * 16 + l;
                    k += 2;
                }
                if (ch == 0 || o + 1 >= size)
                    return false;
                out[o++] = (char)ch;
            }
            out[o] = '\0';
            return true;
        }
        i = end + 1;
    }
    return false;
}

static void random_hex(char out[65])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, 65, raw, sizeof raw);
}

/* ------------------------------------------------------------ API */

int web_session_api(web_ctx *c)
{
    slds_web_response *rs = c->rs;
    if (!strcmp(c->rq->method, "DELETE")) {
        if (!c->logged_in)
            return web_error(c, 401, "Not logged in.");
        if (!web_secret_equal(c->rq->csrf_header, c->csrf))
            return web_error(c, 403, "The X-CSRF-Token header is missing or wrong.");
        web_auth_logout(c->app->auth, c->token);
        set_cookie(c, "slds_session", "", "/", true);
        rs->status = 200;
        rs->content_type = "application/json; charset=utf-8";
        slds_buf_puts(&rs->body, "{\"status\":\"logged out\"}\n");
        return 200;
    }
    if (!web_content_type_is(c, "application/json"))
        return web_error(c, 415, "Send {\"username\": ..., \"password\": ...} as application/json.");
    json_error_t jerr;
    json_t *j = c->rq->body ? json_loadb(c->rq->body, c->rq->body_len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    const char *user = j ? json_string_value(json_object_get(j, "username")) : NULL;
    const char *password = j ? json_string_value(json_object_get(j, "password")) : NULL;
    if (!user || !password) {
        json_decref(j);
        return web_error(c, 400, "Send {\"username\": ..., \"password\": ...}.");
    }
    char token[65] = "", csrf[65] = "";
    web_login_result res;
    slds_error err = {0};
    int rc = web_auth_login(c->app->auth, c->store, user, password, c->rq->client_addr, c->now, token,
                            csrf, &res, &err);
    int status;
    if (rc) {
        fprintf(stderr, "slds serve: login: %s\n", err.message);
        status = web_error(c, 500, "Login failed on the server.");
    } else if (res == WEB_LOGIN_RATE_LIMITED)
        status = web_error(c, 429, "Too many failed logins; try again later.");
    else if (res != WEB_LOGIN_OK)
        status = web_error(c, 401, "Wrong username or password.");
    else {
        slds_principal who;
        char csrf2[65];
        if (web_auth_lookup(c->app->auth, c->store, -1, -1, token, c->now, &who, csrf2) != SLDS_OK) {
            status = web_error(c, 500, "Login failed on the server.");
        } else {
            set_cookie(c, "slds_session", token, "/", false);
            json_t *scopes = json_array();
            for (size_t i = 0; scopes && i < who.n_scopes; i++)
                json_array_append_new(scopes, json_string(who.scopes[i]));
            json_t *o = json_pack("{s:s,s:s,s:o,s:s}", "username", who.username, "role",
                                  web_role_name(who.role), "scopes", scopes ? scopes : json_array(),
                                  "csrf_token", csrf);
            char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
            json_decref(o);
            web_principal_clear(&who);
            rs->status = status = 200;
            rs->content_type = "application/json; charset=utf-8";
            slds_buf_puts(&rs->body, s ? s : "{}");
            slds_buf_puts(&rs->body, "\n");
            free(s);
        }
    }
    sodium_memzero(token, sizeof token);
    json_decref(j);
    return status;
}

/* ------------------------------------------------------------ pages */

static int login_form(web_ctx *c, int status, const char *message)
{
    char nonce[65];
    random_hex(nonce);
    set_cookie(c, "slds_login", nonce, "/login", false);
    slds_web_response *rs = c->rs;
    slds_buf_clear(&rs->body);
    rs->status = status;
    rs->content_type = "text/html; charset=utf-8";
    int rc = web_html_begin(c, &rs->body, "Log in");
    if (message)
        rc = rc || slds_buf_puts(&rs->body, "<p class=\"flag\">") || slds_html_escape(&rs->body, message) ||
             slds_buf_puts(&rs->body, "</p>\n");
    rc = rc || slds_buf_puts(&rs->body,
                             "<form class=\"login\" method=\"post\" action=\"/login\">\n"
                             "<input type=\"hidden\" name=\"csrf\" value=\"") ||
         slds_buf_puts(&rs->body, nonce) ||
         slds_buf_puts(&rs->body,
                       "\">\n<label for=\"username\">Username</label>"
                       "<input id=\"username\" name=\"username\" autocomplete=\"username\" required>\n"
                       "<label for=\"password\">Password</label>"
                       "<input id=\"password\" name=\"password\" type=\"password\" "
                       "autocomplete=\"current-password\" required>\n"
                       "<p><button type=\"submit\">Log in</button></p>\n</form>\n") ||
         web_html_end(&rs->body);
    return rc ? web_error(c, 500, NULL) : status;
}

int web_login_page(web_ctx *c)
{
    if (!strcmp(c->rq->method, "GET"))
        return login_form(c, 200, NULL);
    if (!web_content_type_is(c, "application/x-www-form-urlencoded"))
        return web_error(c, 415, "The login form must be sent as a form.");
    char user[128], password[1100], nonce[80];
    const char *b = c->rq->body ? c->rq->body : "";
    size_t n = c->rq->body ? c->rq->body_len : 0;
    if (!web_form_field(b, n, "csrf", nonce, sizeof nonce) || !web_secret_equal(nonce, c->rq->cookie_login))
        return login_form(c, 403, "The form expired; please log in again.");
    if (!web_form_field(b, n, "username", user, sizeof user) ||
        !web_form_field(b, n, "password", password, sizeof password))
        return login_form(c, 400, "Enter a username and a password.");
    char token[65] = "", csrf[65] = "";
    web_login_result res;
    slds_error err = {0};
    int rc = web_auth_login(c->app->auth, c->store, user, password, c->rq->client_addr, c->now, token,
                            csrf, &res, &err);
    sodium_memzero(password, sizeof password);
    if (rc) {
        fprintf(stderr, "slds serve: login: %s\n", err.message);
        return web_error(c, 500, "Login failed on the server.");
    }
    if (res == WEB_LOGIN_RATE_LIMITED)
        return login_form(c, 429, "Too many failed logins; try again later.");
    if (res != WEB_LOGIN_OK)
        return login_form(c, 401, "Wrong username or password.");
    set_cookie(c, "slds_session", token, "/", false);
    set_cookie(c, "slds_login", "", "/login", true);
    sodium_memzero(token, sizeof token);
    web_header(c, "Location", "/me");
    c->rs->status = 303;
    c->rs->content_type = "text/html; charset=utf-8";
    slds_buf_puts(&c->rs->body, "<a href=\"/me\">Continue</a>\n");
    return 303;
}

int web_logout_page(web_ctx *c)
{
    if (!c->logged_in)
        return web_error(c, 401, "Not logged in.");
    if (!web_content_type_is(c, "application/x-www-form-urlencoded"))
        return web_error(c, 415, "The logout form must be sent as a form.");
    char csrf[80];
    if (!c->rq->body || !web_form_field(c->rq->body, c->rq->body_len, "csrf", csrf, sizeof csrf) ||
        !web_secret_equal(csrf, c->csrf))
        return web_error(c, 403, "The form expired; reload the page and log out again.");
    web_auth_logout(c->app->auth, c->token);
    set_cookie(c, "slds_session", "", "/", true);
    web_header(c, "Location", "/");
    c->rs->status = 303;
    c->rs->content_type = "text/html; charset=utf-8";
    slds_buf_puts(&c->rs->body, "<a href=\"/\">Continue</a>\n");
    return 303;
}
