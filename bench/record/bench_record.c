/* bench_record.c - CPU per student record and per growth history at the
 * scale of a state (issue 11): the library calls behind the student routes
 * of `slds serve`, without the server. Opens DB read-only with the web's
 * connection settings, picks N students with growth results spread over the
 * whole state (every k-th id, so each read is of a student not read before:
 * the benchmark of the server varies the student too), and prints the CPU
 * time per call of slds_record_get, slds_growthrun_history and its chart
 * (slds_growthrun_history_html). A second pass over the same students shows
 * what is left when their pages are already in memory.
 * Usage: bench_record DB [--n N] [--ids FILE] [--record-only]: N students
 * (default 500), from FILE (one id a line) instead of picked from DB.
 * --web: the whole answer of the student record API and the student page
 * instead (slds_web_handle in this process, no sockets, no access log;
 * logged in as BENCH_USER, default admin, password BENCH_PASSWORD, default
 * bench-password-1); --drop-cache: each connection's page cache dropped
 * before every request, as the server's is after a commit of its access log
 * (at most every 200 ms: a few requests in a thousand at full load);
 * --only api or --only page: that route alone (for callgrind).
 * BENCH_PRAGMAS replaces the web's connection settings (e.g. "PRAGMA
 * mmap_size=0"). Not part of the test suite. Built by hand against the
 * library of a build folder:
 *   cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc \
 *      bench/record/bench_record.c build/libslds.a \
 *      $(pkg-config --cflags --libs sqlite3 jansson libsodium zlib) \
 *      -llapack -lblas -lpthread -lm -o build/bench_record */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "growthrun/growthrun.h"
#include "record/record.h"
#include "web/internal.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n students with growth results in the latest growth year, evenly spread
 * over the ids (0 and err set on failure). */
static int pick_students(slds_store *s, int n, char ***out, slds_error *err)
{
    *out = NULL;
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT student_id FROM growth_students WHERE school_year ="
                         " (SELECT MAX(school_year) FROM growth_runs) AND sgp IS NOT NULL",
                         err))
        return 0;
    size_t all = 0, cap = 0;
    char **ids = NULL;
    while (slds_cursor_step(&c, err) == 1) {
        if (all == cap) {
            cap = cap ? 2 * cap : 1024;
            char **p = realloc(ids, cap * sizeof *p);
            if (!p)
                break;
            ids = p;
        }
        ids[all++] = strdup(slds_cursor_text(&c, 0));
    }
    slds_cursor_close(&c);
    int k = 0;
    size_t stride = all / (size_t)n ? all / (size_t)n : 1;
    for (size_t i = 0; i < all; i++) {
        if (i % stride == 0 && k < n)
            ids[k++] = ids[i];
        else
            free(ids[i]);
    }
    *out = ids;
    return k;
}

static int only_record; /* --record-only: skip the growth history */

static int pass(slds_store *s, char **ids, int n, const char *label)
{
    double t_rec = 0, t_hist = 0, t_html = 0;
    slds_error err = {0};
    for (int i = 0; i < n; i++) {
        double t0 = cpu_now();
        slds_record *r;
        if (slds_record_get(s, ids[i], &r, &err)) {
            fprintf(stderr, "record %s: %s\n", ids[i], err.message);
            return 1;
        }
        double t1 = cpu_now();
        slds_growth_history *h;
        int hr = only_record ? 1 : slds_growthrun_history(s, ids[i], &h, &err);
        double t2 = cpu_now();
        if (!hr) {
            slds_buf b = {0};
            slds_growthrun_history_html(h, &b, &err);
            slds_buf_free(&b);
            slds_growthrun_history_free(h);
        }
        double t3 = cpu_now();
        slds_record_free(r);
        t_rec += t1 - t0;
        t_hist += t2 - t1;
        t_html += t3 - t2;
    }
    printf("%-6s %5d students: record %7.1f us, growth history %7.1f us, chart %6.1f us (CPU per student)\n",
           label, n, 1e6 * t_rec / n, 1e6 * t_hist / n, 1e6 * t_html / n);
    return 0;
}

/* --web: CPU per answer of path prefix + id, in this process. */
static int drop_cache;      /* --drop-cache */
static const char *only;    /* --only api|page: one of the two routes */

static double user_now(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec * 1e-6;
}

static int web_pass(slds_web *w, const char *token, char **ids, int n, const char *prefix,
                    const char *label)
{
    double t = 0, u0 = user_now();
    size_t bytes = 0;
    int bad = 0;
    for (int i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s%s", prefix, ids[i]);
        for (int k = 0; drop_cache && k < w->n_stores; k++) /* as after a commit of the access log */
            sqlite3_db_release_memory(w->conns[k].store->db);
        slds_web_request rq = {.method = "GET", .path = path, .cookie_session = token,
                               .client_addr = "127.0.0.1"};
        slds_web_response rs;
        double t0 = cpu_now();
        slds_web_handle(w, &rq, &rs);
        t += cpu_now() - t0;
        bad += rs.status != 200;
        bytes += rs.body.len;
        slds_web_response_free(&rs);
    }
    double user = user_now() - u0;
    printf("%-6s %5d answers of %-18s %7.1f us CPU each (%6.1f us user), %6zu bytes each, %d not 200\n",
           label, n, prefix, 1e6 * t / n, 1e6 * user / n, bytes / (size_t)n, bad);
    return 0;
}

static int web_bench(const char *db, char **ids, int n)
{
    slds_web_options o = {.db_path = db, .threads = 1};
    slds_web *w;
    slds_error err = {0};
    if (slds_web_new(&w, &o, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    const char *user = getenv("BENCH_USER"), *password = getenv("BENCH_PASSWORD");
    char body[256], token[65] = "";
    snprintf(body, sizeof body, "{\"username\": \"%s\", \"password\": \"%s\"}", user ? user : "admin",
             password ? password : "bench-password-1");
    slds_web_request rq = {.method = "POST", .path = "/api/v1/session", .content_type = "application/json",
                           .body = body, .body_len = strlen(body), .client_addr = "127.0.0.1"};
    slds_web_response rs;
    slds_web_handle(w, &rq, &rs);
    for (size_t i = 0; i < rs.nheaders; i++)
        if (!strcmp(rs.header_names[i], "Set-Cookie") && !strncmp(rs.header_values[i], "slds_session=", 13))
            snprintf(token, sizeof token, "%.64s", rs.header_values[i] + 13);
    slds_web_response_free(&rs);
    if (!*token) {
        fprintf(stderr, "cannot log in\n");
        slds_web_free(w);
        return 1;
    }
    if (!only || !strcmp(only, "api"))
        web_pass(w, token, ids, n, "/api/v1/students/", "web");
    if (!only || !strcmp(only, "page"))
        web_pass(w, token, ids, n, "/students/", "web");
    slds_web_free(w);
    return 0;
}

/* The ids of file, one a line (at most n). */
static int read_ids(const char *file, int n, char ***out)
{
    FILE *f = fopen(file, "r");
    char **ids = calloc((size_t)n, sizeof *ids);
    int k = 0;
    char line[128];
    while (f && ids && k < n && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (*line)
            ids[k++] = strdup(line);
    }
    if (f)
        fclose(f);
    *out = ids;
    return k;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *ids_file = NULL;
    int n = 500, web = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ids") && i + 1 < argc)
            ids_file = argv[++i];
        else if (!strcmp(argv[i], "--record-only"))
            only_record = 1;
        else if (!strcmp(argv[i], "--web"))
            web = 1;
        else if (!strcmp(argv[i], "--drop-cache"))
            drop_cache = 1;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (argv[i][0] != '-' && !db)
            db = argv[i];
        else {
            fprintf(stderr, "usage: bench_record DB [--n N] [--ids FILE] [--record-only] [--web [--drop-cache] [--only api|page]]\n");
            return 2;
        }
    }
    if (!db || n < 1) {
        fprintf(stderr, "usage: bench_record DB [--n N] [--ids FILE] [--record-only] [--web [--drop-cache] [--only api|page]]\n");
        return 2;
    }
    slds_error err = {0};
    slds_store *s;
    if (slds_store_open_readonly(&s, db, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    /* the web's connection settings (src/web/app.c), or BENCH_PRAGMAS */
    const char *pragmas = getenv("BENCH_PRAGMAS");
    sqlite3_exec(s->db, pragmas ? pragmas : "PRAGMA mmap_size = 0; PRAGMA cache_size = -8192",
                 NULL, NULL, NULL);
    char **ids = NULL;
    int k = ids_file ? read_ids(ids_file, n, &ids) : pick_students(s, n, &ids, &err);
    if (k <= 0) {
        fprintf(stderr, "no students with growth results: %s\n", err.message);
        return 1;
    }
    int rc = web ? web_bench(db, ids, k) : pass(s, ids, k, "cold") || pass(s, ids, k, "again");
    for (int i = 0; i < k; i++)
        free(ids[i]);
    free(ids);
    slds_store_close(s);
    return rc;
}
