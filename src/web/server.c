/* server.c - libmicrohttpd around the application (app.c): the listening
 * socket, TLS (GnuTLS through libmicrohttpd), a pool of worker threads, and
 * the limits a request must fit: headers within max_header bytes (else 431,
 * answered by libmicrohttpd), a body within max_body (413, told by its
 * Content-Length before any of it is read, or counted as it arrives), at
 * most 32 query arguments, a connection idle for 30 s is closed. The
 * application never sees a request that breaks a limit. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "web/internal.h"

enum { MAX_ARGS = 32 };

struct slds_web_server {
    struct MHD_Daemon **daemons; /* one per worker thread */
    int n_daemons;
    slds_web *app;
    size_t max_body;
    char *cert, *key;
    int port;
};

/* One request being received. */
typedef struct pending {
    slds_buf body;
    bool too_large;
} pending;

typedef struct args {
    size_t n;
    bool overflow;
    const char *names[MAX_ARGS];
    const char *values[MAX_ARGS];
} args;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    args *a = cls;
    if (a->n == MAX_ARGS) {
        a->overflow = true;
        return MHD_NO;
    }
    a->names[a->n] = key;
    a->values[a->n++] = value ? value : "";
    return MHD_YES;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* What a response sends, kept until libmicrohttpd has sent it. */
typedef struct sent {
    slds_buf body, tail;
    void *shared_ref;
} sent;

static void sent_free(void *cls)
{
    sent *x = cls;
    slds_buf_free(&x->body);
    slds_buf_free(&x->tail);
    slds_web_shared_release(x->shared_ref);
    free(x);
}

/* The libmicrohttpd response of rs without copying its bytes: the body is
 * handed over, a kept answer (rs->shared) is sent from the cache by
 * reference between the page's frame (body, tail) as one vector. Takes the
 * body, tail and reference out of rs (they are freed with the response). */
static struct MHD_Response *response_of(slds_web_response *rs)
{
    sent *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->body = rs->body;
    x->tail = rs->tail;
    x->shared_ref = rs->shared_ref;
    const char *shared = rs->shared;
    size_t shared_len = rs->shared_len;
    memset(&rs->body, 0, sizeof rs->body);
    memset(&rs->tail, 0, sizeof rs->tail);
    rs->shared = NULL, rs->shared_len = 0, rs->shared_ref = NULL;
    struct MHD_Response *r;
    if (shared) {
        struct MHD_IoVec iov[3];
        unsigned n = 0;
        if (x->body.len)
            iov[n++] = (struct MHD_IoVec){x->body.data, x->body.len};
        iov[n++] = (struct MHD_IoVec){shared, shared_len};
        if (x->tail.len)
            iov[n++] = (struct MHD_IoVec){x->tail.data, x->tail.len};
        r = MHD_create_response_from_iovec(iov, n, sent_free, x);
    } else
        r = MHD_create_response_from_buffer_with_free_callback_cls(
            x->body.len, x->body.data ? x->body.data : (void *)"", sent_free, x);
    if (!r)
        sent_free(x);
    return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_size, void **con_cls)
{
    (void)version;
    slds_web_server *srv = cls;
    pending *p = *con_cls;
    if (!p) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > srv->max_body)
            return send_text(conn, 413, "Payload Too Large\n");
        if (!(p = calloc(1, sizeof *p)))
            return MHD_NO;
        *con_cls = p;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!p->too_large && p->body.len + *upload_size <= srv->max_body)
            slds_buf_append(&p->body, upload_data, *upload_size);
        else
            p->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->too_large)
        return send_text(conn, 413, "Payload Too Large\n");

    args a = {0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    if (a.overflow)
        return send_text(conn, 400, "Too many query arguments\n");
    char addr[INET6_ADDRSTRLEN] = "unknown";
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr, sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr,
                      sizeof addr);
    }
    slds_web_request rq = {
        .method = method,
        .path = url,
        .nargs = a.n,
        .arg_names = a.names,
        .arg_values = a.values,
        .cookie_session = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "slds_session"),
        .cookie_login = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "slds_login"),
        .csrf_header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token"),
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"),
        .body = p->body.data,
        .body_len = p->body.len,
        .client_addr = addr,
        .tls = srv->cert != NULL,
        .share = true,
    };
    slds_web_response rs;
    slds_web_handle(srv->app, &rq, &rs);
    struct MHD_Response *r = response_of(&rs);
    enum MHD_Result ok = MHD_NO;
    if (r) {
        if (rs.content_type)
            MHD_add_response_header(r, "Content-Type", rs.content_type);
        for (size_t i = 0; i < rs.nheaders; i++)
            MHD_add_response_header(r, rs.header_names[i], rs.header_values[i]);
        ok = MHD_queue_response(conn, (unsigned)rs.status, r);
        MHD_destroy_response(r);
    }
    slds_web_response_free(&rs);
    return ok;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)conn, (void)code;
    pending *p = *con_cls;
    if (p) {
        slds_buf_free(&p->body);
        free(p);
        *con_cls = NULL;
    }
}

static char *read_file(const char *path, slds_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        slds_fail(err, SLDS_ERR_IO, "cannot read %s", path);
        return NULL;
    }
    slds_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (slds_buf_append(&b, chunk, n)) {
            fclose(f);
            slds_buf_free(&b);
            slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            return NULL;
        }
    fclose(f);
    if (!b.data)
        slds_fail(err, SLDS_ERR_IO, "%s is empty", path);
    return b.data;
}

/* A listening socket on ss (port as given), with SO_REUSEPORT when group:
 * the kernel spreads new connections over every socket of the group. -1
 * on failure (errno kept). */
static int listen_on(const struct sockaddr_storage *ss, socklen_t len, bool group)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on); /* not kept out by TIME_WAIT */
    if (ss->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if ((group && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on)) ||
        bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 1024)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static void set_port(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static void server_free(slds_web_server *srv)
{
    for (int i = 0; i < srv->n_daemons; i++)
        MHD_stop_daemon(srv->daemons[i]);
    free(srv->daemons);
    free(srv->cert);
    free(srv->key);
    free(srv);
}

int slds_web_server_start(slds_web_server **out, slds_web *w, const slds_web_options *o,
                          slds_error *err)
{
    if (!o->tls_cert != !o->tls_key)
        return slds_fail(err, SLDS_ERR_USAGE, "--tls-cert and --tls-key go together");
    slds_web_server *srv = calloc(1, sizeof *srv);
    unsigned threads = (unsigned)w->n_stores; /* one per read-only connection (slds_web_new) */
    if (srv)
        srv->daemons = calloc(threads, sizeof *srv->daemons);
    if (!srv || !srv->daemons) {
        free(srv);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    srv->app = w;
    srv->max_body = o->max_body ? o->max_body : 16384;
    if (o->tls_cert) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            server_free(srv);
            return slds_fail(err, SLDS_ERR_IO, "this libmicrohttpd has no TLS support");
        }
        if (!(srv->cert = read_file(o->tls_cert, err)) || !(srv->key = read_file(o->tls_key, err))) {
            server_free(srv);
            return err->code;
        }
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    const char *bind_addr = o->bind ? o->bind : "127.0.0.1";
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, bind_addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, bind_addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        len = sizeof *v6;
        flags |= MHD_USE_IPv6;
    } else {
        server_free(srv);
        return slds_fail(err, SLDS_ERR_USAGE, "--bind '%s' is not an IP address", bind_addr);
    }
    if (srv->cert)
        flags |= MHD_USE_TLS;
    /* The port must be free: a plain socket (no SO_REUSEPORT) binds it
     * first, so a second server on the same port fails as "in use" instead
     * of joining the group below and sharing the connections; the group
     * binds right after it is closed (and learns the port when 0 asked any). */
    set_port(&ss, o->port);
    int probe = listen_on(&ss, len, false);
    if (probe < 0) {
        server_free(srv);
        return slds_fail(err, SLDS_ERR_IO, "cannot listen on %s port %d (in use, or not allowed)", bind_addr,
                         o->port);
    }
    struct sockaddr_storage got;
    socklen_t got_len = sizeof got;
    int port = o->port;
    if (!getsockname(probe, (struct sockaddr *)&got, &got_len))
        port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                              : ((struct sockaddr_in6 *)&got)->sin6_port);
    set_port(&ss, port);
    close(probe); /* (a group cannot join a socket bound without SO_REUSEPORT) */
    /* One libmicrohttpd daemon (one thread, its own epoll) per worker, each
     * with its own listening socket of one SO_REUSEPORT group: the kernel
     * hashes every new connection to one of them, so each thread serves
     * about as many connections as the others. (libmicrohttpd's own thread
     * pool lets the threads race for accept(): under a burst of connections
     * one thread took 73-166 of 200, and those connections waited longest:
     * the 200-connection tail.) */
    int fds[256];
    if (threads > sizeof fds / sizeof *fds)
        threads = sizeof fds / sizeof *fds;
    unsigned n_fds = 0;
    int rc = SLDS_OK;
    for (; n_fds < threads; n_fds++)
        if ((fds[n_fds] = listen_on(&ss, len, true)) < 0) {
            rc = slds_fail(err, SLDS_ERR_IO, "cannot listen on %s port %d (in use, or not allowed)", bind_addr,
                           port);
            break;
        }
    size_t header_mem = o->max_header ? o->max_header : 16384;
    unsigned per_daemon = 1000 / threads ? 1000 / threads : 1; /* at most 1000 connections in all */
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key},
        {MHD_OPTION_END, 0, NULL}};
    unsigned used = 0; /* sockets handed to a daemon (it closes them) */
    for (; !rc && used < n_fds; used++) {
        struct MHD_Daemon *d = MHD_start_daemon(
            flags, 0, NULL, NULL, handler, srv,
            MHD_OPTION_LISTEN_SOCKET, fds[used],
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, header_mem + 4096,
            MHD_OPTION_CONNECTION_LIMIT, per_daemon,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
            MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
            MHD_OPTION_ARRAY, srv->cert ? tls_opts : tls_opts + 2,
            MHD_OPTION_END);
        if (!d) {
            rc = slds_fail(err, SLDS_ERR_IO, "cannot start the HTTP server on %s port %d", bind_addr, port);
            break;
        }
        srv->daemons[srv->n_daemons++] = d;
    }
    for (unsigned i = used; i < n_fds; i++)
        close(fds[i]);
    if (rc) {
        server_free(srv);
        return rc;
    }
    srv->port = port;
    *out = srv;
    return SLDS_OK;
}

int slds_web_server_port(const slds_web_server *srv)
{
    return srv->port;
}

void slds_web_server_stop(slds_web_server *srv)
{
    if (srv)
        server_free(srv);
}
