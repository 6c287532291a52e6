/* internal.h - what the files of src/web share: the application object, the
 * per-request context, the report cache, documents (tables + charts that a
 * route builds once and the API renders as JSON/CSV, a page as HTML), the
 * catalog queries and the HTML helpers. */
#ifndef SLDS_WEB_INTERNAL_H
#define SLDS_WEB_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "report/report.h"
#include "store/store.h"
#include "table/table.h"
#include "web/auth.h"
#include "web/web.h"

enum { WEB_CACHE_MAX = 96, WEB_INFLIGHT_MAX = 64, WEB_DOC_MAX_TABLES = 24 };
/* Kept answers (kept.c): at most this many, and this many bytes. */
enum { WEB_KEPT_MAX = 65536 };
#define WEB_KEPT_BYTES ((size_t)256 << 20)
/* ... and apart from them, the student routes' answers (one per student). */
#define WEB_KEPT_STUDENT_BYTES ((size_t)64 << 20)

/* The bytes of a kept answer: read-only once made, shared by the store and
 * every response still sending them (refs counts both). */
typedef struct web_blob {
    _Atomic int refs;
    size_t len;
    char data[];
} web_blob;

/* One answer kept for the same key and database generation (kept.c): the
 * routes marked in app.c's table, per requester (dashboards, report cards,
 * classes) or per request (a student's record and growth, whose access
 * check and view log run at every request). A page keeps what is inside
 * its frame: the frame carries the session's CSRF token and is made for
 * every request. */
typedef struct web_page {
    uint64_t hash, generation;
    struct web_page *chain;         /* next in the hash bucket */
    struct web_page *older, *newer; /* least to most recently used */
    bool framed;                    /* body is a page's inside; title for the frame */
    char title[200];
    const char *content_type;       /* a static string */
    char disposition[200];          /* Content-Disposition, "" when none */
    web_blob *body;                 /* one reference held by the store */
    char key[];
} web_page;

typedef struct web_kept {
    pthread_mutex_t mu;
    web_page **buckets;
    web_page *oldest, *newest;
    size_t n, bytes;         /* bytes: bodies, keys and records */
    size_t max_n, max_bytes; /* the limits */
    uint64_t generation;     /* of the answers kept: the newest seen */
} web_kept;

int web_kept_init(web_kept *k, size_t max_n, size_t max_bytes);
void web_kept_free(web_kept *k);
/* The body kept for key and gen (a reference for the caller, released with
 * slds_web_shared_release) and its metadata in *meta; NULL when none. */
web_blob *web_kept_find(web_kept *k, const char *key, uint64_t gen, web_page *meta);
/* Keeps p (malloc'd with its key; hash computed here); owned by the store
 * from then, also when it is not kept. */
void web_kept_put(web_kept *k, web_page *p);

/* One report run kept for every request of the same database generation. */
typedef struct web_report {
    char key[512];
    uint64_t generation;
    int refs; /* under the cache mutex; the cache holds one */
    int rc;   /* the run's failure (kept, so a report that cannot run for a year is not rerun) */
    slds_error err;
    slds_report_output out;
} web_report;

/* One read-only connection of the pool (one per worker). */
typedef struct web_conn {
    slds_store *store;
    bool busy;
    int64_t seen_version;       /* PRAGMA data_version at its last request (-1: none) */
    uint64_t generation;        /* the database generation this connection last read */
} web_conn;

struct slds_web {
    slds_web_options opt;
    char db_path[1024];
    int min_n;
    size_t max_body;
    web_auth *auth;
    /* read-only connections, one per worker */
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    web_conn *conns;
    int n_stores;
    /* database generation: changes when what reports read changes */
    pthread_mutex_t watch_mu;
    char fingerprint[512];   /* the fingerprint of the generation below */
    uint64_t generation;
    int year;                /* current school year of this generation (0: none) */
    uint64_t year_generation;
    /* report cache; runs under way (so that a second request for the same
     * report waits for the first instead of running it again) */
    pthread_mutex_t cache_mu;
    pthread_cond_t cache_cv;
    web_report *cache[WEB_CACHE_MAX];
    int n_cache;
    char inflight[WEB_INFLIGHT_MAX][512];
    int n_inflight;
    web_kept kept;          /* answers kept (kept.c): dashboards, report cards, classes */
    web_kept kept_students; /* the student routes' answers */
};

/* ------------------------------------------------------------ requests */

typedef enum { WEB_PAGE, WEB_API } web_kind;

typedef struct web_ctx {
    slds_web *app;
    const slds_web_request *rq;
    slds_web_response *rs;
    slds_store *store;
    slds_principal who;
    bool logged_in;
    char token[65];
    char csrf[65];
    int64_t now;
    uint64_t generation;   /* of the snapshot this request reads (web_conn) */
    int year;              /* ?year= or the current school year */
    web_kind kind;
    const char *param;     /* the {id} of the route, validated */
    char param_buf[80];
    const char *route;     /* the route's pattern, for the access log */
    bool framed;           /* the body is a page: its inside is body[inner_start, inner_end) */
    size_t inner_start, inner_end;
} web_ctx;

/* The query argument name, or NULL. */
const char *web_arg(const web_ctx *c, const char *name);
/* Adds a response header (copied). */
void web_header(web_ctx *c, const char *name, const char *value);
/* A fixed error answer: status, and a short text (JSON for the API, a page
 * otherwise). Returns status. */
int web_error(web_ctx *c, int status, const char *message);
/* 401 when nobody is logged in, else 403. */
int web_refuse(web_ctx *c);

/* ------------------------------------------------------------ reports */

/* Runs (or finds in the cache) report name with args, in public form when
 * public_form. *out is shared: release it with web_report_release. */
int web_report_get(web_ctx *c, const char *name, const char *const *names,
                   const char *const *values, size_t n, bool public_form, web_report **out,
                   slds_error *err);
void web_report_release(slds_web *app, web_report *r);

/* ------------------------------------------------------------ documents */

/* What a route shows: tables (each JSON key / CSV download / HTML section),
 * charts and prose for the page. Tables are owned by the document. */
typedef struct web_doc {
    char title[200];
    slds_table *tables[WEB_DOC_MAX_TABLES];
    size_t n;
    slds_buf html;        /* page only: charts and text before the tables */
    slds_buf after;       /* page only: text after the tables */
    json_t *json;         /* API only: an object rendered instead of the tables (may be NULL) */
    slds_buf json_text;   /* API only: the JSON answer already written (used before json) */
    bool no_tables_html;  /* the page shows the tables itself inside html */
    bool answered;        /* the builder wrote the response itself (a file download) */
} web_doc;

void web_doc_free(web_doc *d);
/* Adds t (the document owns it from then, also on failure). */
int web_doc_add(web_doc *d, slds_table *t, slds_error *err);

/* A copy of t's rows for which keep(t, row, ctx) is true, suppression marks
 * and ranges kept; name and title as given (NULL: t's). */
typedef bool (*web_row_filter)(const slds_table *t, size_t row, void *ctx);
int web_table_filter(const slds_table *t, const char *name, const char *title,
                     web_row_filter keep, void *ctx, slds_table **out, slds_error *err);
/* Appends the rows of t for which keep is true (NULL: every row) to o, which
 * has the same columns. */
int web_table_append(slds_table *o, const slds_table *t, web_row_filter keep, void *ctx,
                     slds_error *err);
/* The text of column col of row, or "" when blank or no such column. */
const char *web_cell(const slds_table *t, size_t row, const char *col);

/* ------------------------------------------------------------ catalog */

typedef struct web_place {
    char id[64], name[160], lea_id[64], lea_name[160], level[32];
} web_place;

/* SLDS_ERR_NOTFOUND when there is no such school / district. */
int web_catalog_school(slds_store *s, const char *id, web_place *out, slds_error *err);
int web_catalog_lea(slds_store *s, const char *id, web_place *out, slds_error *err);
/* Districts and their schools: lea_id, lea_name, school_id, school_name, school_level. */
int web_catalog_directory(slds_store *s, slds_table **out, slds_error *err);
/* Years with STATE assessments, ascending, at most max. */
int web_catalog_years(slds_store *s, int *years, int max, int *n, slds_error *err);
/* A teacher's class in year: each rostered student's latest STATE score,
 * level, SGP, target, on-track, attendance and discipline flags. */
int web_class_table(slds_store *s, const char *staff_id, int year, slds_table **out,
                    slds_error *err);

/* ------------------------------------------------------------ HTML */

int web_html_begin(web_ctx *c, slds_buf *b, const char *title);
int web_html_end(slds_buf *b);
/* A table section: its title, the table, and a CSV download link. */
int web_html_table(web_ctx *c, slds_buf *b, const slds_table *t);
/* A line chart: series s (n_series) over years, values in percent or points
 * (NaN: not shown; suppressed[i] marks "*"). */
typedef struct web_series {
    const char *label;
    double values[32];
    bool suppressed[32];
} web_series;
int web_chart_lines(slds_buf *b, const char *title, const int *years, int n_years,
                    const web_series *s, int n_series, double lo, double hi, const char *unit);
/* Horizontal bars: labels, values (NaN: "*" when suppressed, else "n/a"),
 * shown texts (ranges "≤5%" kept as text). */
int web_chart_bars(slds_buf *b, const char *title, const char *const *labels,
                   const double *values, const char *const *shown, size_t n, double max);

/* ------------------------------------------------------------ routes */

/* Builders: fill d, return an HTTP status (200, or an error already written
 * with web_error). The student routes' builders (record, growth) are
 * called only after web_admit_student let the requester in: 200 when he or
 * she may see the {id} student this year, else the refusal written. */
int web_admit_student(web_ctx *c);
int web_build_reportcard(web_ctx *c, web_doc *d, const char *level);
int web_build_dashboard(web_ctx *c, web_doc *d, const char *level);
int web_build_student(web_ctx *c, web_doc *d);
int web_build_growth(web_ctx *c, web_doc *d);
int web_build_class(web_ctx *c, web_doc *d);
int web_build_my_students(web_ctx *c, web_doc *d);
int web_build_home(web_ctx *c, web_doc *d);
int web_build_me(web_ctx *c, web_doc *d);

/* Instruction and research (instruct.c): a teacher's class mastery grid, a
 * student's learning plan and mastery map (and setting a goal), a school's
 * early-warning list, a researcher's extracts. */
int web_build_mastery_grid(web_ctx *c, web_doc *d);
int web_build_plan(web_ctx *c, web_doc *d);
int web_plan_post(web_ctx *c);
int web_build_warnings(web_ctx *c, web_doc *d);
int web_build_my_extracts(web_ctx *c, web_doc *d);
int web_build_extract(web_ctx *c, web_doc *d);

/* A url-encoded form field (session.c); false when absent, too long or bad. */
bool web_form_field(const char *body, size_t len, const char *name, char *out, size_t size);
bool web_content_type_is(const web_ctx *c, const char *want);

/* Session routes (session.c). */
int web_session_api(web_ctx *c);
int web_login_page(web_ctx *c);
int web_logout_page(web_ctx *c);

#endif
