/* cmd_serve.c - `slds serve DB [--port 8080] [--bind 127.0.0.1]
 * [--tls-cert F --tls-key F]`: the HTTP server of src/web (JSON API and
 * pages). Runs until SIGINT or SIGTERM, then finishes the requests under way
 * and flushes the access log. docs/web.md. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "web/web.h"

static const char usage[] =
    "usage: slds serve DB [--port N] [--bind ADDR] [--tls-cert FILE --tls-key FILE]\n"
    "                  [--threads N] [--min-n N]\n"
    "\n"
    "Serves the state database DB over HTTP: a JSON API under /api/v1/ and pages\n"
    "for people (report cards, dashboards, class views, student pages), every\n"
    "request checked against the requester's role (docs/web.md). DB is opened\n"
    "read-only for data; student record views go to its access log.\n"
    "\n"
    "options:\n"
    "  --port N         port to listen on (default 8080; 0: any free port)\n"
    "  --bind ADDR      address to listen on (default 127.0.0.1)\n"
    "  --tls-cert FILE  PEM certificate: serve HTTPS (with --tls-key)\n"
    "  --tls-key FILE   PEM private key of the certificate\n"
    "  --threads N      worker threads and read-only connections (default: one per\n"
    "                   processor, at least 2)\n"
    "  --min-n N        minimum group size of public report cards (default 10)\n"
    "  -h, --help       this help\n"
    "\n"
    "It prints \"listening on URL\" on stderr once ready; SIGINT or SIGTERM stops it.\n"
    "exit status: 0 stopped by a signal, 1 error, 2 usage.\n";

static int number(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    slds_web_options o = {.port = 8080, .bind = "127.0.0.1", .access_log = true};
    /* The test suite's users are hashed at Argon2id's minimum cost (cmd_user.c);
     * so is then the dummy hash of unknown users. Never the default. */
    const char *test_cost = getenv("SLDS_TEST_MIN_PASSWORD_COST");
    o.min_password_cost = test_cost && !strcmp(test_cost, "1");
    if (o.min_password_cost)
        fputs("slds serve: SLDS_TEST_MIN_PASSWORD_COST=1: minimum Argon2id cost (tests only)\n", stderr);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (a[0] != '-' && !o.db_path)
            o.db_path = a;
        else if (!strcmp(a, "--port") && !number(v, 0, 65535, &n))
            o.port = (int)n, i++;
        else if (!strcmp(a, "--bind") && v)
            o.bind = v, i++;
        else if (!strcmp(a, "--tls-cert") && v)
            o.tls_cert = v, i++;
        else if (!strcmp(a, "--tls-key") && v)
            o.tls_key = v, i++;
        else if (!strcmp(a, "--threads") && !number(v, 1, 256, &n))
            o.threads = (int)n, i++;
        else if (!strcmp(a, "--min-n") && !number(v, 1, 1000000, &n))
            o.min_n = (int)n, i++;
        else
            return cli_usage_error("serve", "bad or unknown argument '%s'%s", a,
                                   v && a[0] == '-' ? " (or its value)" : "");
    }
    if (!o.db_path)
        return cli_usage_error("serve", "expected DB");
    if (!o.tls_cert != !o.tls_key)
        return cli_usage_error("serve", "--tls-cert and --tls-key go together");

    /* Signals are taken by sigwait below: block them before any thread starts. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    slds_error err = {0};
    slds_web *w = NULL;
    slds_web_server *srv = NULL;
    int rc = slds_web_new(&w, &o, &err);
    if (rc == SLDS_ERR_DB && o.access_log) {
        /* A database no user was ever added to has no access log: nobody can
         * log in, so nobody can view a record; serve the public pages. */
        fprintf(stderr, "slds serve: %s: serving public pages only (no access log)\n", err.message);
        o.access_log = false;
        slds_error_clear(&err);
        rc = slds_web_new(&w, &o, &err);
    }
    if (!rc)
        rc = slds_web_server_start(&srv, w, &o, &err);
    if (rc) {
        slds_web_free(w);
        return cli_error(&err);
    }
    fprintf(stderr, "slds serve: listening on %s://%s:%d/\n", o.tls_cert ? "https" : "http",
            o.bind, slds_web_server_port(srv));
    fflush(stderr);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "slds serve: stopping (signal %d)\n", sig);
    slds_web_server_stop(srv);
    slds_web_free(w);
    return 0;
}
