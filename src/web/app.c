/* app.c - the web application without sockets: the pool of read-only
 * connections, the database generation (which drops cached reports when a
 * load or a growth run commits), the report cache, the route table, and the
 * one place a document is rendered as JSON, CSV or a page.
 *
 * Request flow (slds_web_handle): take a connection from the pool; look the
 * session cookie up (access); match the route (an {id} segment is at most 63
 * characters of [A-Za-z0-9._-], anything else is 404 before any query);
 * check ?year= and ?format=; the route's admit check, if any (the student
 * routes: may the requester see this student); a kept answer (kept.c), or
 * the route's builder, which asks access itself where no admit check did,
 * fills a document, rendered and kept where the route says so; the view's
 * access log line; the security headers on every answer. */
#define _GNU_SOURCE /* open_memstream is POSIX 2008; glibc declares it here too */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "web/internal.h"

/* ------------------------------------------------------------ app */

int slds_web_new(slds_web **out, const slds_web_options *o, slds_error *err)
{
    slds_web *w = calloc(1, sizeof *w);
    if (!w)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    w->opt = *o;
    snprintf(w->db_path, sizeof w->db_path, "%s", o->db_path ? o->db_path : "");
    w->min_n = o->min_n > 0 ? o->min_n : 10;
    w->max_body = o->max_body ? o->max_body : 16384;
    /* One thread per processor by default: each thread answers its
     * connections one request at a time, so more threads than processors
     * only take turns on them, and a request waits for its thread's turn
     * (on 2 processors the student record API's p99 at 200 connections was
     * a sixth lower with 2 threads than with 4: docs/web.md, Speed). At
     * least 2, so that one slow request (a report computed the first time)
     * leaves the other thread's connections answered. */
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    w->n_stores = o->threads > 0 ? o->threads : online > 2 ? (int)(online < 256 ? online : 256) : 2;
    pthread_mutex_init(&w->pool_mu, NULL);
    pthread_cond_init(&w->pool_cv, NULL);
    pthread_mutex_init(&w->watch_mu, NULL);
    pthread_mutex_init(&w->cache_mu, NULL);
    pthread_cond_init(&w->cache_cv, NULL);
    w->conns = calloc((size_t)w->n_stores, sizeof *w->conns);
    int rc = w->conns && !web_kept_init(&w->kept, WEB_KEPT_MAX, WEB_KEPT_BYTES) &&
                     !web_kept_init(&w->kept_students, WEB_KEPT_MAX, WEB_KEPT_STUDENT_BYTES)
                 ? SLDS_OK
                 : slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < w->n_stores && !rc; i++) {
        web_conn *k = &w->conns[i];
        k->seen_version = -1;
        rc = slds_store_open_readonly(&k->store, w->db_path, err);
        /* No memory map, a small page cache (neither pragma writes): every
         * commit of another connection (the access log's, every 200 ms)
         * makes SQLite drop a connection's cache at its next read, and
         * re-faulting mapped pages cost more than reading them (a cold
         * student record 0.50 ms mapped, 0.17 ms read: bench/record,
         * docs/web.md); a full-table scan (report runs) costs the same
         * either way at 1M students (the map stops at 2 GiB). A small cache
         * is full after a few requests and then recycles its pages instead
         * of allocating new ones. */
        if (!rc)
            sqlite3_exec(k->store->db, "PRAGMA mmap_size = 0; PRAGMA cache_size = -8192", NULL, NULL,
                         NULL);
    }
    if (!rc)
        rc = web_auth_new(&w->auth, o->access_log ? w->db_path : NULL, o->min_password_cost, err);
    if (rc) {
        slds_web_free(w);
        return rc;
    }
    *out = w;
    return SLDS_OK;
}

void slds_web_free(slds_web *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->n_cache; i++) {
        slds_report_output_free(&w->cache[i]->out);
        free(w->cache[i]);
    }
    web_kept_free(&w->kept);
    web_kept_free(&w->kept_students);
    for (int i = 0; w->conns && i < w->n_stores; i++) {
        slds_store_close(w->conns[i].store);
    }
    free(w->conns);
    /* last: the access log's connection, once alone, turns the file back
     * to a rollback journal (src/access/log.c) */
    web_auth_free(w->auth);
    pthread_mutex_destroy(&w->pool_mu);
    pthread_cond_destroy(&w->pool_cv);
    pthread_mutex_destroy(&w->watch_mu);
    pthread_mutex_destroy(&w->cache_mu);
    pthread_cond_destroy(&w->cache_cv);
    free(w);
}

static web_conn *pool_take(slds_web *w, int *slot)
{
    pthread_mutex_lock(&w->pool_mu);
    for (;;) {
        for (int i = 0; i < w->n_stores; i++)
            if (!w->conns[i].busy) {
                w->conns[i].busy = true;
                *slot = i;
                pthread_mutex_unlock(&w->pool_mu);
                return &w->conns[i];
            }
        pthread_cond_wait(&w->pool_cv, &w->pool_mu);
    }
}

static void pool_give(slds_web *w, int slot)
{
    pthread_mutex_lock(&w->pool_mu);
    w->conns[slot].busy = false;
    pthread_cond_signal(&w->pool_cv);
    pthread_mutex_unlock(&w->pool_mu);
}

/* What the reports are computed from: the loads, the growth, educator,
 * warning and mastery runs, the interventions. data_version changes at
 * every commit of another connection, including the access log's own
 * (every record view), which must not drop the cached reports; so a new
 * data_version only leads to these few small reads, and the generation
 * changes when they do. Every writer of what a cached answer shows (load,
 * load --replace, growth run, educator, warn and mastery runs, interventions)
 * adds or changes a row counted here (tests/web/test_web_load.sh checks
 * that a load is seen); so there is no time limit on a generation, which at
 * a million students would re-run every statewide report. */
static void fingerprint(slds_store *s, char *out, size_t size)
{
    static const char *const parts[] = {
        "SELECT COUNT(*) || '/' || IFNULL(MAX(load_id), '') FROM loads",
        "SELECT COUNT(*) || '/' || IFNULL(MAX(run_at), '') FROM growth_runs",
        "SELECT COUNT(*) FROM interventions",
        "SELECT COUNT(*) || '/' || IFNULL(MAX(config), '') FROM educator_results",
        "SELECT COUNT(*) || '/' || IFNULL(MAX(run_at), '') FROM warn_runs",
        "SELECT COUNT(*) || '/' || IFNULL(MAX(fitted_at), '') FROM mastery_params",
    };
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof parts / sizeof *parts && len + 1 < size; i++) {
        sqlite3_stmt *st = NULL;
        const char *v = "-"; /* a table of an older database may be missing */
        if (sqlite3_prepare_v2(s->db, parts[i], -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
            sqlite3_column_text(st, 0))
            v = (const char *)sqlite3_column_text(st, 0);
        int n = snprintf(out + len, size - (size_t)len, "%s|", v);
        len += n > 0 ? (size_t)n : 0;
        sqlite3_finalize(st);
    }
}

/* Runs one of the request's own statements (BEGIN, COMMIT, PRAGMA
 * data_version) on k's connection, kept prepared there like every query of
 * a request (slds_cursor_open_cached): 1 and its first column in *value
 * when it gives a row, 0 when it is done, -1 on an error. */
static int run_kept(web_conn *k, const char *sql, int64_t *value)
{
    slds_cursor c;
    int r = slds_cursor_open_cached(&c, k->store, sql, NULL) ? -1 : slds_cursor_step(&c, NULL);
    if (r == 1 && value)
        *value = slds_cursor_int(&c, 0);
    slds_cursor_close(&c);
    return r;
}

/* The database generation of the snapshot k reads now (its read
 * transaction is open), and k's data_version in it (-1 when unknown).
 * One prepared PRAGMA per request: each connection remembers the
 * data_version of its last request and reads the fingerprint only when that
 * changed. A generation number always stands for one fingerprint, so an
 * answer kept for generation g was computed from data of that fingerprint,
 * whichever connection made it. */
static uint64_t conn_generation(slds_web *w, web_conn *k, int64_t *data_version)
{
    int64_t v = -1;
    if (run_kept(k, "PRAGMA data_version", &v) != 1)
        v = -1;
    *data_version = v;
    if (v >= 0 && v == k->seen_version)
        return k->generation;
    char fp[sizeof w->fingerprint];
    fingerprint(k->store, fp, sizeof fp);
    pthread_mutex_lock(&w->watch_mu);
    if (strcmp(fp, w->fingerprint)) {
        memcpy(w->fingerprint, fp, sizeof fp);
        w->generation++;
    }
    k->generation = w->generation;
    pthread_mutex_unlock(&w->watch_mu);
    k->seen_version = v;
    return k->generation;
}

/* ------------------------------------------------------------ reports */

static void report_unref_locked(web_report *r)
{
    if (--r->refs == 0) {
        slds_report_output_free(&r->out);
        free(r);
    }
}

void web_report_release(slds_web *app, web_report *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&app->cache_mu);
    report_unref_locked(r);
    pthread_mutex_unlock(&app->cache_mu);
}

int web_report_get(web_ctx *c, const char *name, const char *const *names,
                   const char *const *values, size_t n, bool public_form, web_report **out,
                   slds_error *err)
{
    slds_web *app = c->app;
    uint64_t gen = c->generation;
    char key[512];
    int len = snprintf(key, sizeof key, "%s|%d|%d", name, public_form ? app->min_n : 0, c->year);
    for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof key; i++)
        len += snprintf(key + len, sizeof key - (size_t)len, "|%s=%s", names[i], values[i]);
    if (len < 0 || (size_t)len >= sizeof key)
        return slds_fail(err, SLDS_ERR_USAGE, "report key too long");

    pthread_mutex_lock(&app->cache_mu);
    for (;;) {
        int kept = 0;
        for (int i = 0; i < app->n_cache; i++) {
            if (app->cache[i]->generation != gen)
                report_unref_locked(app->cache[i]);
            else
                app->cache[kept++] = app->cache[i];
        }
        app->n_cache = kept;
        for (int i = 0; i < app->n_cache; i++)
            if (!strcmp(app->cache[i]->key, key)) {
                int rc = app->cache[i]->rc;
                if (rc) /* it failed for this generation: the same failure */
                    *err = app->cache[i]->err;
                else {
                    app->cache[i]->refs++;
                    *out = app->cache[i];
                }
                pthread_mutex_unlock(&app->cache_mu);
                return rc;
            }
        bool running = false;
        for (int i = 0; i < app->n_inflight && !running; i++)
            running = !strcmp(app->inflight[i], key);
        if (!running)
            break;
        pthread_cond_wait(&app->cache_cv, &app->cache_mu); /* another worker runs it */
    }
    web_report *r = calloc(1, sizeof *r);
    if (!r) {
        pthread_mutex_unlock(&app->cache_mu);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    bool mine = app->n_inflight < WEB_INFLIGHT_MAX;
    if (mine)
        snprintf(app->inflight[app->n_inflight++], sizeof app->inflight[0], "%s", key);
    pthread_mutex_unlock(&app->cache_mu);

    snprintf(r->key, sizeof r->key, "%s", key);
    r->generation = gen;
    slds_privacy_rules rules;
    slds_privacy_rules_default(&rules);
    rules.min_n = app->min_n;
    slds_report_args args = {.n = n, .names = names, .values = values};
    int rc = slds_report_run(c->store, name, &args, public_form ? &rules : NULL, &r->out, err);

    pthread_mutex_lock(&app->cache_mu);
    for (int i = 0; mine && i < app->n_inflight; i++)
        if (!strcmp(app->inflight[i], key)) {
            memmove(app->inflight[i], app->inflight[app->n_inflight - 1], sizeof app->inflight[0]);
            app->n_inflight--;
            break;
        }
    web_report *same = NULL;
    for (int i = 0; i < app->n_cache && !same; i++)
        if (!strcmp(app->cache[i]->key, key) && app->cache[i]->generation == gen)
            same = app->cache[i]; /* another worker ran it meanwhile: keep one */
    bool kept_failure = rc && err->code != SLDS_ERR_NOMEM && !same;
    if (rc && kept_failure) { /* the failure is kept; the output is empty */
        r->rc = rc;
        r->err = *err;
        slds_report_output_free(&r->out);
    }
    if ((!rc || kept_failure) && !same) {
        if (app->n_cache == WEB_CACHE_MAX) { /* drop the oldest */
            report_unref_locked(app->cache[0]);
            memmove(app->cache, app->cache + 1, (WEB_CACHE_MAX - 1) * sizeof *app->cache);
            app->n_cache--;
        }
        r->refs = rc ? 1 : 2;
        app->cache[app->n_cache++] = r;
        if (!rc)
            *out = r;
    } else if (same && !rc && !same->rc) {
        same->refs++;
        *out = same;
    }
    pthread_cond_broadcast(&app->cache_cv);
    pthread_mutex_unlock(&app->cache_mu);
    if (same || (rc && !kept_failure)) {
        slds_report_output_free(&r->out);
        free(r);
    }
    if (!rc && same && same->rc)
        return slds_fail(err, same->rc, "%s", same->err.message);
    return rc;
}

/* ------------------------------------------------------------ documents */

void web_doc_free(web_doc *d)
{
    for (size_t i = 0; i < d->n; i++)
        slds_table_free(d->tables[i]);
    slds_buf_free(&d->html);
    slds_buf_free(&d->after);
    slds_buf_free(&d->json_text);
    if (d->json)
        json_decref(d->json);
    memset(d, 0, sizeof *d);
}

int web_doc_add(web_doc *d, slds_table *t, slds_error *err)
{
    if (d->n == WEB_DOC_MAX_TABLES) {
        slds_table_free(t);
        return slds_fail(err, SLDS_ERR_USAGE, "too many tables in a page");
    }
    d->tables[d->n++] = t;
    return SLDS_OK;
}

const char *web_cell(const slds_table *t, size_t row, const char *col)
{
    int k = slds_table_find_column(t, col);
    const char *s = k >= 0 ? slds_table_text(t, row, k) : NULL;
    return s ? s : "";
}

int web_table_append(slds_table *o, const slds_table *t, web_row_filter keep, void *ctx,
                     slds_error *err)
{
    int nc = slds_table_ncols(t);
    if (nc != slds_table_ncols(o))
        return slds_fail(err, SLDS_ERR_USAGE, "tables of different columns");
    int rc = SLDS_OK;
    for (size_t r = 0; r < slds_table_nrows(t) && !rc; r++) {
        if (keep && !keep(t, r, ctx))
            continue;
        rc = slds_table_add_row(o, err);
        size_t orow = slds_table_nrows(o) - 1;
        for (int k = 0; k < nc && !rc; k++) {
            if (slds_table_is_blank(t, r, k)) {
                slds_table_copy_marks(o, orow, t, r, k);
                continue;
            }
            switch (slds_table_column(t, k)->type) {
            case SLDS_CELL_TEXT: rc = slds_table_set_text(o, k, slds_table_text(t, r, k), err); break;
            case SLDS_CELL_DATE: rc = slds_table_set_date(o, k, slds_table_text(t, r, k), err); break;
            case SLDS_CELL_INTEGER: rc = slds_table_set_integer(o, k, slds_table_integer(t, r, k), err); break;
            case SLDS_CELL_REAL: rc = slds_table_set_real(o, k, slds_table_real(t, r, k), err); break;
            case SLDS_CELL_BOOLEAN: rc = slds_table_set_boolean(o, k, slds_table_boolean(t, r, k), err); break;
            case SLDS_CELL_LIST:
                for (size_t i = 0; i < slds_table_list_size(t, r, k) && !rc; i++)
                    rc = slds_table_list_add(o, k, slds_table_list_item(t, r, k, i), err);
                break;
            }
            slds_table_copy_marks(o, orow, t, r, k);
        }
    }
    return rc ? rc : slds_table_status(o);
}

int web_table_filter(const slds_table *t, const char *name, const char *title,
                     web_row_filter keep, void *ctx, slds_table **out, slds_error *err)
{
    int nc = slds_table_ncols(t);
    slds_column_spec cols[64];
    if (nc > 64)
        return slds_fail(err, SLDS_ERR_USAGE, "table has too many columns");
    for (int k = 0; k < nc; k++)
        cols[k] = *slds_table_column(t, k);
    slds_table *o;
    int rc = slds_table_new(&o, name ? name : slds_table_name(t), title ? title : slds_table_title(t),
                            cols, nc, err);
    if (rc)
        return rc;
    rc = web_table_append(o, t, keep, ctx, err);
    if (rc) {
        slds_table_free(o);
        return rc;
    }
    *out = o;
    return SLDS_OK;
}

/* ------------------------------------------------------------ responses */

const char *web_arg(const web_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->rq->nargs; i++)
        if (c->rq->arg_names[i] && !strcmp(c->rq->arg_names[i], name))
            return c->rq->arg_values[i] ? c->rq->arg_values[i] : "";
    return NULL;
}

/* A header whose name and value are static text (not copied). */
static void web_header_static(web_ctx *c, const char *name, const char *value)
{
    slds_web_response *rs = c->rs;
    if (rs->nheaders == SLDS_WEB_MAX_HEADERS)
        return;
    rs->header_names[rs->nheaders] = (char *)name;
    rs->header_values[rs->nheaders] = (char *)value;
    rs->header_static[rs->nheaders++] = true;
}

void web_header(web_ctx *c, const char *name, const char *value)
{
    slds_web_response *rs = c->rs;
    if (rs->nheaders == SLDS_WEB_MAX_HEADERS)
        return;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return;
    }
    rs->header_names[rs->nheaders] = n;
    rs->header_values[rs->nheaders++] = v;
}

void slds_web_shared_release(void *ref)
{
    web_blob *b = ref;
    if (b && atomic_fetch_sub(&b->refs, 1) == 1)
        free(b);
}

void slds_web_response_free(slds_web_response *rs)
{
    slds_buf_free(&rs->body);
    slds_buf_free(&rs->tail);
    slds_web_shared_release(rs->shared_ref);
    for (size_t i = 0; i < rs->nheaders; i++)
        if (!rs->header_static[i]) {
            free(rs->header_names[i]);
            free(rs->header_values[i]);
        }
    memset(rs, 0, sizeof *rs);
}

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
    }
}

int web_error(web_ctx *c, int status, const char *message)
{
    slds_web_response *rs = c->rs;
    slds_buf_clear(&rs->body);
    rs->status = status;
    if (c->kind == WEB_API) {
        rs->content_type = "application/json; charset=utf-8";
        json_t *j = json_pack("{s:i,s:s}", "status", status, "error", message ? message : status_text(status));
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
        slds_buf_puts(&rs->body, s ? s : "{}");
        slds_buf_puts(&rs->body, "\n");
        free(s);
        json_decref(j);
    } else {
        rs->content_type = "text/html; charset=utf-8";
        char title[64];
        snprintf(title, sizeof title, "%d %s", status, status_text(status));
        web_html_begin(c, &rs->body, title);
        slds_buf_puts(&rs->body, "<p>");
        slds_html_escape(&rs->body, message ? message : status_text(status));
        slds_buf_puts(&rs->body, "</p>\n");
        if (status == 401)
            slds_buf_puts(&rs->body, "<p><a href=\"/login\">Log in</a></p>\n");
        web_html_end(&rs->body);
    }
    return status;
}

int web_refuse(web_ctx *c)
{
    return c->logged_in ? web_error(c, 403, "You may not see this.")
                        : web_error(c, 401, "Please log in to see this.");
}

/* ------------------------------------------------------------ rendering */

static int write_tables(slds_table *const *t, size_t n, slds_format fmt, json_t *json, slds_buf *out,
                        slds_error *err)
{
    char *data = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&data, &size);
    if (!f)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    int rc = json ? slds_json_write(json_incref(json), f, err) : slds_tables_write(t, n, fmt, f, err);
    if (fclose(f) && !rc)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = slds_buf_append(out, data, size) ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory") : SLDS_OK;
    free(data);
    return rc;
}

static int render(web_ctx *c, web_doc *d)
{
    slds_error err = {0};
    const char *format = web_arg(c, "format");
    if (!format)
        format = c->kind == WEB_API ? "json" : "html";
    slds_web_response *rs = c->rs;
    int rc = SLDS_OK;
    if (!strcmp(format, "csv")) {
        const char *want = web_arg(c, "table");
        slds_table *one = NULL;
        for (size_t i = 0; want && i < d->n; i++)
            if (!strcmp(slds_table_name(d->tables[i]), want))
                one = d->tables[i];
        if (want && !one)
            return web_error(c, 404, "No such table on this page.");
        if (!d->n)
            return web_error(c, 404, "This page has no table.");
        rc = write_tables(one ? &one : d->tables, one ? 1 : d->n, SLDS_FORMAT_CSV, NULL, &rs->body, &err);
        char disp[200];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s.csv\"",
                 one ? slds_table_name(one) : "tables");
        web_header(c, "Content-Disposition", disp);
        rs->content_type = "text/csv; charset=utf-8";
    } else if (!strcmp(format, "json")) {
        if (d->json_text.len && !rs->body.len) { /* written by the builder: handed over */
            slds_buf_free(&rs->body);
            rs->body = d->json_text;
            d->json_text = (slds_buf){0};
        } else
            rc = write_tables(d->tables, d->n, SLDS_FORMAT_JSON, d->json, &rs->body, &err);
        rs->content_type = "application/json; charset=utf-8";
    } else if (!strcmp(format, "html") && c->kind == WEB_PAGE) {
        /* room for the frame, the text and the tables at once (a student's
         * page is ~20 KB: grown by doubling it was copied ten times) */
        rc = slds_buf_reserve(&rs->body, 4096 + d->html.len + d->after.len + 2048 * d->n);
        rc = rc || web_html_begin(c, &rs->body, d->title);
        c->inner_start = rs->body.len;
        rc = rc || slds_buf_append(&rs->body, d->html.data ? d->html.data : "", d->html.len);
        for (size_t i = 0; i < d->n && !rc && !d->no_tables_html; i++)
            rc = web_html_table(c, &rs->body, d->tables[i]);
        rc = rc || slds_buf_append(&rs->body, d->after.data ? d->after.data : "", d->after.len);
        c->inner_end = rs->body.len;
        c->framed = true;
        rc = rc || web_html_end(&rs->body);
        rs->content_type = "text/html; charset=utf-8";
    } else
        return web_error(c, 400, "Unknown format (csv, json or html).");
    if (rc) {
        fprintf(stderr, "slds serve: rendering %s: %s\n", c->rq->path, err.message);
        return web_error(c, 500, "The page could not be made.");
    }
    rs->status = 200;
    return 200;
}

/* ------------------------------------------------------------ routes */

typedef int (*web_builder)(web_ctx *c, web_doc *d);
typedef int (*web_level_builder)(web_ctx *c, web_doc *d, const char *level);

/* Whether a route's answer is kept, and for whom: KEEP_REQUESTER for
 * answers that depend on who asks (a dashboard shows a principal more than
 * the public), KEEP_REQUEST for answers that do not once the route's admit
 * check let the requester in. */
typedef enum { KEEP_NONE, KEEP_REQUESTER, KEEP_REQUEST } web_keep;

typedef struct route {
    const char *method;
    const char *pattern; /* '*' is one {id} segment */
    web_kind kind;
    web_builder build;
    web_level_builder build_level;
    const char *level;
    int (*raw)(web_ctx *c);
    web_keep keep;
    /* Run at every request before a kept answer is looked up: the access
     * check of routes whose answer is kept for every requester; 200 lets
     * the request go on, anything else is the answer already written. */
    int (*admit)(web_ctx *c);
    bool logs_view; /* a 200 answer is a view of the {id} student's record (access log) */
} route;

static const route routes[] = {
    {"GET", "/", WEB_PAGE, web_build_home, NULL, NULL, NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/login", WEB_PAGE, NULL, NULL, NULL, web_login_page, KEEP_NONE, NULL, false},
    {"POST", "/login", WEB_PAGE, NULL, NULL, NULL, web_login_page, KEEP_NONE, NULL, false},
    {"POST", "/logout", WEB_PAGE, NULL, NULL, NULL, web_logout_page, KEEP_NONE, NULL, false},
    {"GET", "/me", WEB_PAGE, web_build_me, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"GET", "/state", WEB_PAGE, NULL, web_build_reportcard, "state", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/state/dashboard", WEB_PAGE, NULL, web_build_dashboard, "state", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/districts/*", WEB_PAGE, NULL, web_build_reportcard, "lea", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/districts/*/dashboard", WEB_PAGE, NULL, web_build_dashboard, "lea", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/schools/*", WEB_PAGE, NULL, web_build_reportcard, "school", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/schools/*/dashboard", WEB_PAGE, NULL, web_build_dashboard, "school", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/teachers/*/class", WEB_PAGE, web_build_class, NULL, NULL, NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/students/*", WEB_PAGE, web_build_student, NULL, NULL, NULL, KEEP_REQUEST, web_admit_student, true},
    {"GET", "/teachers/*/mastery", WEB_PAGE, web_build_mastery_grid, NULL, NULL, NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/students/*/plan", WEB_PAGE, web_build_plan, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"POST", "/students/*/plan", WEB_PAGE, NULL, NULL, NULL, web_plan_post, KEEP_NONE, NULL, false},
    {"GET", "/schools/*/warnings", WEB_PAGE, web_build_warnings, NULL, NULL, NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/me/extracts", WEB_PAGE, web_build_my_extracts, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"GET", "/extracts/*", WEB_PAGE, web_build_extract, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"POST", "/api/v1/session", WEB_API, NULL, NULL, NULL, web_session_api, KEEP_NONE, NULL, false},
    {"DELETE", "/api/v1/session", WEB_API, NULL, NULL, NULL, web_session_api, KEEP_NONE, NULL, false},
    {"GET", "/api/v1/me", WEB_API, web_build_me, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"GET", "/api/v1/me/students", WEB_API, web_build_my_students, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"GET", "/api/v1/state/reportcard", WEB_API, NULL, web_build_reportcard, "state", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/state/dashboard", WEB_API, NULL, web_build_dashboard, "state", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/districts/*/reportcard", WEB_API, NULL, web_build_reportcard, "lea", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/districts/*/dashboard", WEB_API, NULL, web_build_dashboard, "lea", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/schools/*/reportcard", WEB_API, NULL, web_build_reportcard, "school", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/schools/*/dashboard", WEB_API, NULL, web_build_dashboard, "school", NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/teachers/*/class", WEB_API, web_build_class, NULL, NULL, NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/students/*", WEB_API, web_build_student, NULL, NULL, NULL, KEEP_REQUEST, web_admit_student, true},
    {"GET", "/api/v1/students/*/growth", WEB_API, web_build_growth, NULL, NULL, NULL, KEEP_REQUEST, web_admit_student, true},
    {"GET", "/api/v1/teachers/*/mastery", WEB_API, web_build_mastery_grid, NULL, NULL, NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/students/*/plan", WEB_API, web_build_plan, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"POST", "/api/v1/students/*/plan", WEB_API, NULL, NULL, NULL, web_plan_post, KEEP_NONE, NULL, false},
    {"GET", "/api/v1/schools/*/warnings", WEB_API, web_build_warnings, NULL, NULL, NULL, KEEP_REQUESTER, NULL, false},
    {"GET", "/api/v1/me/extracts", WEB_API, web_build_my_extracts, NULL, NULL, NULL, KEEP_NONE, NULL, false},
    {"GET", "/api/v1/extracts/*", WEB_API, web_build_extract, NULL, NULL, NULL, KEEP_NONE, NULL, false},
};

static bool id_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '-' || ch == '_' || ch == '.';
}

/* 1 when path matches pattern; the '*' segment is copied into c->param_buf. */
static int match(const char *pattern, const char *path, web_ctx *c)
{
    const char *p = pattern, *s = path;
    while (*p) {
        if (*p == '*') {
            size_t n = 0;
            while (s[n] && s[n] != '/')
                n++;
            if (n == 0 || n >= 64)
                return 0;
            for (size_t i = 0; i < n; i++)
                if (!id_char(s[i]))
                    return 0;
            if (s[0] == '.')
                return 0;
            memcpy(c->param_buf, s, n);
            c->param_buf[n] = '\0';
            c->param = c->param_buf;
            s += n;
            p++;
            continue;
        }
        if (*p != *s)
            return 0;
        p++, s++;
    }
    return *s == '\0';
}

/* ------------------------------------------------------------ kept answers */

/* What a kept answer depends on besides the database generation: the path
 * and the query, and for KEEP_REQUESTER the requester (name, role and a hash
 * of the scopes: a scope changed in the database is a new key, though not a
 * new generation). */
static bool page_key(const web_ctx *c, web_keep keep, char *key, size_t size)
{
    int len;
    if (keep == KEEP_REQUEST)
        len = snprintf(key, size, "*\n%s\n", c->rq->path);
    else {
        uint64_t h = 1469598103934665603ull; /* FNV-1a of the scopes */
        for (size_t i = 0; c->logged_in && i < c->who.n_scopes; i++)
            for (const char *p = c->who.scopes[i];; p++) {
                h = (h ^ (unsigned char)*p) * 1099511628211ull;
                if (!*p)
                    break;
            }
        len = snprintf(key, size, "%s\n%d:%016llx\n%s\n", c->logged_in ? c->who.username : "-",
                       (int)c->who.role, (unsigned long long)h, c->rq->path);
    }
    for (size_t i = 0; i < c->rq->nargs && len > 0 && (size_t)len < size; i++)
        len += snprintf(key + len, size - (size_t)len, "%s=%s&", c->rq->arg_names[i] ? c->rq->arg_names[i] : "",
                        c->rq->arg_values[i] ? c->rq->arg_values[i] : "");
    return len > 0 && (size_t)len < size;
}

/* A kept answer: 200 and the response filled, or 0. When the request
 * allows it the kept bytes are not copied: the response holds a reference
 * to them (slds_web_response.shared), a page's frame around them. */
static int page_find(web_ctx *c, web_kept *store, const char *key, uint64_t gen)
{
    web_page meta;
    web_blob *body = web_kept_find(store, key, gen, &meta);
    if (!body)
        return 0;
    slds_web_response *rs = c->rs;
    slds_buf_clear(&rs->body);
    int rc = meta.framed ? web_html_begin(c, &rs->body, meta.title) : SLDS_OK;
    if (!rc && c->rq->share) {
        rs->shared = body->data;
        rs->shared_len = body->len;
        rs->shared_ref = body;
        rc = meta.framed ? web_html_end(&rs->tail) : SLDS_OK;
    } else {
        rc = rc || slds_buf_append(&rs->body, body->data, body->len) || (meta.framed && web_html_end(&rs->body));
        slds_web_shared_release(body);
    }
    if (rc) {
        slds_buf_clear(&rs->body);
        slds_buf_clear(&rs->tail);
        slds_web_shared_release(rs->shared_ref);
        rs->shared = NULL, rs->shared_len = 0, rs->shared_ref = NULL;
        return 0;
    }
    if (meta.disposition[0])
        web_header(c, "Content-Disposition", meta.disposition);
    rs->content_type = meta.content_type;
    rs->status = 200;
    return 200;
}

/* Keeps the answer just rendered (its inside, for a page). */
static void page_keep(web_ctx *c, web_kept *store, const char *key, uint64_t gen, const char *title)
{
    slds_web_response *rs = c->rs;
    size_t from = c->framed ? c->inner_start : 0, to = c->framed ? c->inner_end : rs->body.len;
    size_t key_len = strlen(key);
    web_page *p = calloc(1, sizeof *p + key_len + 1);
    web_blob *b = malloc(sizeof *b + (to - from) + 1);
    if (!p || !b) {
        free(p);
        free(b);
        return;
    }
    atomic_init(&b->refs, 1);
    b->len = to - from;
    if (b->len)
        memcpy(b->data, rs->body.data + from, b->len);
    b->data[b->len] = '\0';
    p->body = b;
    memcpy(p->key, key, key_len + 1);
    p->generation = gen;
    p->framed = c->framed;
    snprintf(p->title, sizeof p->title, "%s", title);
    p->content_type = rs->content_type;
    for (size_t i = 0; i < rs->nheaders; i++)
        if (!strcmp(rs->header_names[i], "Content-Disposition"))
            snprintf(p->disposition, sizeof p->disposition, "%s", rs->header_values[i]);
    web_kept_put(store, p);
}

static int dispatch(web_ctx *c)
{
    const slds_web_request *rq = c->rq;
    const char *path = rq->path ? rq->path : "/";
    c->kind = !strncmp(path, "/api/", 5) ? WEB_API : WEB_PAGE;
    bool path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const route *r = &routes[i];
        c->param = NULL;
        if (!match(r->pattern, path, c))
            continue;
        path_known = true;
        if (strcmp(r->method, rq->method) &&
            !(strcmp(r->method, "GET") == 0 && strcmp(rq->method, "HEAD") == 0))
            continue;
        c->kind = r->kind;
        c->route = r->pattern;
        const char *y = web_arg(c, "year");
        if (y) {
            char *end;
            long v = strtol(y, &end, 10);
            if (!*y || *end || v < 1900 || v > 2200)
                return web_error(c, 400, "year must be a school year such as 2024.");
            c->year = (int)v;
        }
        if (r->raw)
            return r->raw(c);
        int status = r->admit ? r->admit(c) : 200;
        if (status != 200)
            return status;
        char key[768];
        uint64_t gen = c->generation;
        bool keep = r->keep != KEEP_NONE && page_key(c, r->keep, key, sizeof key);
        /* students' answers apart: a stream of views of many students must
         * not push out the dashboards, whose answers cost far more to make */
        web_kept *store = r->keep == KEEP_REQUEST ? &c->app->kept_students : &c->app->kept;
        if (!keep || page_find(c, store, key, gen) != 200) {
            web_doc d = {0};
            status = r->build ? r->build(c, &d) : r->build_level(c, &d, r->level);
            if (status == 200 && !d.answered)
                status = render(c, &d);
            if (status == 200 && keep && !d.answered)
                page_keep(c, store, key, gen, d.title);
            web_doc_free(&d);
        }
        if (status == 200 && r->logs_view)
            web_log_view(c->app->auth, &c->who, c->route, c->param, c->now);
        return status;
    }
    if (path_known)
        return web_error(c, 405, "This method is not allowed here.");
    return web_error(c, 404, "There is no such page.");
}

static void security_headers(web_ctx *c)
{
    web_header_static(c, "Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    web_header_static(c, "X-Content-Type-Options", "nosniff");
    web_header_static(c, "X-Frame-Options", "DENY");
    web_header_static(c, "Referrer-Policy", "no-referrer");
    web_header_static(c, "Cache-Control", c->logged_in ? "no-store" : "no-cache");
    if (c->rq->tls)
        web_header_static(c, "Strict-Transport-Security", "max-age=31536000");
}

void slds_web_handle(slds_web *w, const slds_web_request *rq, slds_web_response *rs)
{
    memset(rs, 0, sizeof *rs);
    web_ctx c = {.app = w, .rq = rq, .rs = rs, .now = (int64_t)time(NULL)};
    c.kind = rq->path && !strncmp(rq->path, "/api/", 5) ? WEB_API : WEB_PAGE;
    if (!rq->method || !rq->path || rq->path[0] != '/') {
        web_error(&c, 400, NULL);
        security_headers(&c);
        return;
    }
    int slot;
    web_conn *k = pool_take(w, &slot);
    c.store = k->store;
    /* One read transaction per request: every query of the request reads
     * the same snapshot, and the shared lock and the write-ahead log's index
     * are taken once instead of at every statement (most of a small
     * request's system time otherwise). Nothing here writes. */
    bool in_txn = run_kept(k, "BEGIN", NULL) == 0;
    int64_t version;
    uint64_t gen = c.generation = conn_generation(w, k, &version);
    /* The session's user is read again only when this connection's
     * data_version moved (a commit anywhere: `slds user disable` too);
     * that needs the snapshot held by the transaction. */
    if (web_auth_lookup(w->auth, c.store, in_txn ? slot : -1, version, rq->cookie_session, c.now,
                        &c.who, c.csrf) == SLDS_OK) {
        c.logged_in = true;
        snprintf(c.token, sizeof c.token, "%s", rq->cookie_session);
    }
    /* The current school year, once per database generation. */
    pthread_mutex_lock(&w->watch_mu);
    bool fresh = w->year_generation == gen && w->year;
    int year = w->year;
    pthread_mutex_unlock(&w->watch_mu);
    if (!fresh) {
        slds_error err = {0};
        year = 0;
        if (web_current_year(c.store, &year, &err) && err.code != SLDS_ERR_NOTFOUND)
            fprintf(stderr, "slds serve: current year: %s\n", err.message);
        pthread_mutex_lock(&w->watch_mu);
        w->year = year;
        w->year_generation = gen;
        pthread_mutex_unlock(&w->watch_mu);
    }
    c.year = year;
    dispatch(&c);
    if (in_txn && run_kept(k, "COMMIT", NULL) != 0)
        sqlite3_exec(c.store->db, "ROLLBACK", NULL, NULL, NULL);
    pool_give(w, slot);
    if (!strcmp(rq->method, "HEAD")) {
        slds_buf_clear(&rs->body);
        slds_buf_clear(&rs->tail);
        slds_web_shared_release(rs->shared_ref);
        rs->shared = NULL, rs->shared_len = 0, rs->shared_ref = NULL;
    }
    security_headers(&c);
    web_principal_clear(&c.who);
}
