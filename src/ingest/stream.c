/* stream.c - `slds ingest`: interim and formative results and item responses
 * loaded as they arrive, batch by batch (see load.h and docs/ingest.md).
 *
 * Design:
 *  - A reader thread reads the stream (read(2) as bytes come, never waiting
 *    for a full buffer) and cuts it into records with the CSV reader's own
 *    rules (a quote opens a quoted field only at a field's start; inside
 *    quotes a line break is data; \n, \r\n and a lone \r end a line), so a
 *    batch always holds whole records and the line numbers count the lines
 *    csv.c counts. The first record is the header.
 *  - Records go to the open batch; the batch closes at batch_rows rows (the
 *    reader closes it) or, on the loading thread, batch_seconds after its
 *    first row arrived or idle_seconds after the last byte. At most a few
 *    closed batches wait: the reader then stops reading (back pressure), so
 *    memory stays bounded whatever the size of the input.
 *  - The loading thread writes a batch as a one-file collection (the header,
 *    then the batch's bytes exactly as they came) in a private temporary
 *    folder and loads it with one slds_loader kept for the whole stream
 *    (the sets of known ids and spells are read once, not per batch, and
 *    read again only when another connection commits): every rule, reject,
 *    finding, the history and the accounting are the loader's. line_offset
 *    makes rejects and findings name the stream's lines; source_label puts
 *    the stream's name in loads.source_dir. Each batch is one transaction:
 *    between batches the writer holds no lock.
 *  - A row the stream ends inside (no line break after it) is not loaded
 *    when the input is a stream: it may have been cut anywhere, also inside a
 *    key or a score, and loading "51" for "512" would store a wrong value
 *    that looks right. From a regular file, a last row without a line break
 *    is whole and loaded, as `slds load` does. */
#include "ingest/load.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/csv.h"

#define MAX_READY 4
#define BATCH_MAX_BYTES ((size_t)64 << 20)
#define CHUNK 65536

/* The files slds ingest takes: results and responses arrive continuously. */
static const char *const stream_files[] = {"assessments.csv", "item_responses.csv"};

typedef struct batch {
    slds_buf bytes;
    long first_line; /* stream line of bytes.data[0] */
    long end_line;   /* line after its last record */
    int64_t rows;
    double first_arrival, last_arrival, sum_arrival;
} batch;

enum { FIELD_START, UNQUOTED, IN_QUOTES, QUOTE_SEEN };

struct slds_ingest {
    int fd;
    bool regular;
    slds_ingest_options opt;
    const slds_file_def *def;
    char label[256];
    char tmpdir[4096];
    char batch_path[4200], rejects_tmp[4200], findings_tmp[4200];
    double t0;
    slds_load_result *lr;

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu */
    bool header_ready, eof, stop, failed;
    slds_error read_err;
    batch open;
    batch ready[MAX_READY];
    int nready;
    long lines;
    int64_t cut;
    long cut_line;
    /* written by the reader before header_ready, read-only after */
    slds_buf header;
    long header_lines;
    /* reader thread only */
    slds_buf pend;
    size_t rec_start, scan;
    int state;
    long breaks;     /* line breaks inside the current record so far */
    bool body;       /* the current record has a byte before its line break */
    long next_line;  /* stream line at which the current record starts */
};

static void batch_free(batch *b)
{
    slds_buf_free(&b->bytes);
    memset(b, 0, sizeof *b);
}

/* ---- the reader thread -------------------------------------------------- */

static void reader_fail(slds_ingest *g, int code, const char *fmt, long line)
{
    pthread_mutex_lock(&g->mu);
    if (!g->failed) {
        g->failed = true;
        slds_fail(&g->read_err, code, fmt, g->label, line);
    }
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Moves the open batch to the ready queue (mu held); waits while the queue
 * is full (back pressure). */
static void close_open_batch(slds_ingest *g)
{
    while (g->nready == MAX_READY && !g->stop)
        pthread_cond_wait(&g->cv, &g->mu);
    if (g->stop)
        return;
    g->ready[g->nready++] = g->open;
    memset(&g->open, 0, sizeof g->open);
    pthread_cond_broadcast(&g->cv);
}

/* One whole record pend[start..end) spanning `lines` lines arrived at now. */
static int push_record(slds_ingest *g, size_t start, size_t end, long lines, bool blank, double now)
{
    const char *p = g->pend.data + start;
    size_t n = end - start;
    if (!g->header_ready) {
        if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
            p += 3;
            n -= 3;
        }
        if (slds_buf_append(&g->header, p, n))
            return SLDS_ERR_NOMEM;
        pthread_mutex_lock(&g->mu);
        g->header_lines = lines;
        g->next_line += lines;
        g->lines = g->next_line - 1;
        g->header_ready = true;
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
        return SLDS_OK;
    }
    pthread_mutex_lock(&g->mu);
    batch *b = &g->open;
    int rc = SLDS_OK;
    if (b->bytes.len == 0 && blank) {
        /* blank lines between batches carry no row */
    } else {
        if (b->bytes.len == 0) {
            b->first_line = g->next_line;
            b->first_arrival = now;
        }
        rc = slds_buf_append(&b->bytes, p, n);
        if (!blank) {
            b->rows++;
            b->sum_arrival += now;
        }
        b->last_arrival = now;
    }
    g->next_line += lines;
    b->end_line = g->next_line;
    g->lines = g->next_line - 1;
    if (!rc && b->bytes.len && (b->rows >= g->opt.batch_rows || b->bytes.len >= BATCH_MAX_BYTES))
        close_open_batch(g);
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    return rc;
}

/* Cuts every whole record out of pend; a record cut by the end of what has
 * arrived stays for the next read (the scan resumes where it stopped). */
static int scan_pending(slds_ingest *g, bool eof, double now)
{
    const char *b = g->pend.data;
    size_t len = g->pend.len, i = g->scan;
    while (i < len) {
        char ch = b[i];
        size_t end = 0;
        if (g->state == IN_QUOTES) {
            if (ch == '"')
                g->state = QUOTE_SEEN;
            else if (ch == '\n')
                g->breaks++;
            else if (ch == '\r') {
                if (i + 1 >= len && !eof)
                    break; /* \r\n or a lone \r: the next byte decides */
                if (i + 1 >= len || b[i + 1] != '\n')
                    g->breaks++;
            }
            i++;
            continue;
        }
        if (ch == '\n')
            end = i + 1;
        else if (ch == '\r') {
            if (i + 1 >= len && !eof)
                break;
            end = i + 1 < len && b[i + 1] == '\n' ? i + 2 : i + 1;
        }
        if (end) {
            int rc = push_record(g, g->rec_start, end, g->breaks + 1, !g->body, now);
            if (rc)
                return rc;
            g->rec_start = i = end;
            g->state = FIELD_START;
            g->breaks = 0;
            g->body = false;
            continue;
        }
        g->body = true;
        if (ch == ',')
            g->state = FIELD_START;
        else if (ch == '"' && g->state == FIELD_START)
            g->state = IN_QUOTES;
        else if (ch == '"' && g->state == QUOTE_SEEN)
            g->state = IN_QUOTES; /* "" inside a quoted field */
        else
            g->state = UNQUOTED;
        i++;
    }
    g->scan = i;
    if (len - g->rec_start > SLDS_CSV_MAX_RECORD) {
        reader_fail(g, SLDS_ERR_DATA, "%s: line %ld: a record longer than 16 MiB", g->next_line);
        return SLDS_ERR_DATA;
    }
    /* Keep pend small: drop the records already cut. */
    if (g->rec_start > len / 2 || g->rec_start == len) {
        memmove(g->pend.data, g->pend.data + g->rec_start, len - g->rec_start);
        g->pend.len = len - g->rec_start;
        g->scan -= g->rec_start;
        g->rec_start = 0;
    }
    return SLDS_OK;
}

/* The end of the stream: what is left is a record without its line break. */
static void reader_eof(slds_ingest *g, double now)
{
    if (g->rec_start < g->pend.len && scan_pending(g, true, now) == SLDS_OK &&
        g->rec_start < g->pend.len) {
        size_t start = g->rec_start, end = g->pend.len;
        if (!g->header_ready || g->regular) {
            /* the header, or a file's last row: whole */
            push_record(g, start, end, g->breaks + 1, !g->body, now);
        } else if (g->body) {
            pthread_mutex_lock(&g->mu);
            g->cut = 1;
            g->cut_line = g->next_line;
            pthread_mutex_unlock(&g->mu);
        }
    }
    pthread_mutex_lock(&g->mu);
    if (g->open.bytes.len && !g->stop)
        close_open_batch(g);
    g->eof = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static bool stopping(slds_ingest *g)
{
    pthread_mutex_lock(&g->mu);
    bool s = g->stop || g->failed;
    pthread_mutex_unlock(&g->mu);
    return s;
}

static void *reader_main(void *arg)
{
    slds_ingest *g = arg;
    for (;;) {
        if (stopping(g))
            return NULL;
        /* poll with a timeout, so that close can stop a reader blocked on a
         * silent pipe */
        struct pollfd pfd = {.fd = g->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 200);
        if (pr < 0 && errno != EINTR) {
            reader_fail(g, SLDS_ERR_IO, "%s: cannot read (line %ld)", g->next_line);
            return NULL;
        }
        if (pr <= 0)
            continue;
        if (slds_buf_reserve(&g->pend, CHUNK)) {
            reader_fail(g, SLDS_ERR_NOMEM, "%s: out of memory at line %ld", g->next_line);
            return NULL;
        }
        ssize_t n = read(g->fd, g->pend.data + g->pend.len, CHUNK);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            reader_fail(g, SLDS_ERR_IO, "%s: cannot read (line %ld)", g->next_line);
            return NULL;
        }
        double now = slds_now();
        if (n == 0) {
            reader_eof(g, now);
            return NULL;
        }
        g->pend.len += (size_t)n;
        int rc = scan_pending(g, false, now);
        if (rc == SLDS_ERR_NOMEM)
            reader_fail(g, rc, "%s: out of memory at line %ld", g->next_line);
        if (rc)
            return NULL;
    }
}

/* ---- the header ----------------------------------------------------------- */

/* "a, b, c" of the header's names, shortened to fit. */
static void header_names(const slds_csv_record *rec, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int f = 0; f < rec->nfields && n + 8 < size; f++) {
        int w = snprintf(out + n, size - n, "%s%.*s", f ? ", " : "", 64, rec->fields[f]);
        n += w > 0 ? (size_t)w : 0;
    }
    if (n >= size - 1 && size > 4)
        memcpy(out + size - 4, "...", 4);
}

static int check_header(slds_ingest *g, slds_error *err)
{
    if (g->header.len == 0)
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: line 1: the stream is empty (expected a header row naming the columns of "
                         "assessments.csv or item_responses.csv)",
                         g->label);
    slds_csv *csv;
    int rc = slds_csv_open_mem(&csv, g->label, g->header.data, g->header.len, err);
    if (rc)
        return rc;
    slds_csv_record rec;
    int got = slds_csv_next(csv, &rec, err);
    if (got <= 0) {
        slds_csv_close(csv);
        return got < 0 ? err->code : slds_fail(err, SLDS_ERR_DATA, "%s: line 1: the stream is empty", g->label);
    }
    rc = SLDS_OK;
    if (rec.bad_quote_field >= 0)
        rc = slds_fail(err, SLDS_ERR_DATA,
                       "%s: line 1, column %d: the header has a stray quote (a name quoted only in part)",
                       g->label, rec.bad_quote_field + 1);
    else if (rec.bad_utf8_field >= 0)
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: line 1, column %d: the header is not valid UTF-8", g->label,
                       rec.bad_utf8_field + 1);
    /* The kind: given, or the one file whose columns the header names. */
    const slds_file_def *def = NULL;
    if (!rc && g->opt.file) {
        def = slds_contract_find(g->opt.file);
    } else if (!rc) {
        int best = -1, best_matches = 0;
        bool best_complete = false;
        for (int k = 0; k < 2; k++) {
            const slds_file_def *d = slds_contract_find(stream_files[k]);
            int matches = 0;
            bool complete = true;
            for (int f = 0; f < rec.nfields; f++)
                matches += slds_contract_column(d, rec.fields[f]) >= 0;
            for (int c = 0; c < d->ncolumns; c++) {
                bool present = false;
                for (int f = 0; f < rec.nfields && !present; f++)
                    present = !strcmp(rec.fields[f], d->columns[c].name);
                complete &= present || !d->columns[c].required;
            }
            if ((complete && !best_complete) || (complete == best_complete && matches > best_matches)) {
                best = k;
                best_matches = matches;
                best_complete = complete;
            }
        }
        if (best < 0 || best_matches == 0) {
            char found[300];
            header_names(&rec, found, sizeof found);
            rc = slds_fail(err, SLDS_ERR_DATA,
                           "%s: line 1, column 1: the header (%s) names no column of assessments.csv or "
                           "item_responses.csv (docs/contract.md); give --file if it is one of them",
                           g->label, found);
        } else
            def = slds_contract_find(stream_files[best]);
    }
    if (!rc) {
        int pos[16];
        for (int c = 0; c < def->ncolumns; c++)
            pos[c] = -1;
        for (int f = 0; f < rec.nfields && !rc; f++) {
            int c = slds_contract_column(def, rec.fields[f]);
            if (c < 0)
                continue;
            if (pos[c] >= 0)
                rc = slds_fail(err, SLDS_ERR_DATA, "%s: line 1, column %d: column '%s' appears twice",
                               g->label, f + 1, rec.fields[f]);
            pos[c] = f;
        }
        char found[300];
        header_names(&rec, found, sizeof found);
        for (int c = 0; c < def->ncolumns && !rc; c++)
            if (pos[c] < 0 && def->columns[c].required)
                rc = slds_fail(err, SLDS_ERR_DATA,
                               "%s: line 1: column '%s' of %s is missing from the header (found: %s)",
                               g->label, def->columns[c].name, def->file, found);
    }
    slds_csv_close(csv);
    if (!rc)
        g->def = def;
    return rc;
}

/* ---- open / close --------------------------------------------------------- */

int slds_ingest_open(slds_ingest **out, int fd, const slds_ingest_options *opt, slds_error *err)
{
    *out = NULL;
    if (opt->file) {
        bool ok = false;
        for (int k = 0; k < 2; k++)
            ok |= !strcmp(opt->file, stream_files[k]);
        if (!ok)
            return slds_fail(err, SLDS_ERR_USAGE,
                             "slds ingest takes assessments.csv or item_responses.csv rows, not %s "
                             "(other files: slds load)",
                             opt->file);
    }
    if ((opt->rejects_path && slds_load_check_output(opt->rejects_path, err)) ||
        (opt->findings_path && slds_load_check_output(opt->findings_path, err)))
        return err->code;
    slds_ingest *g = calloc(1, sizeof *g);
    if (!g)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    g->lr = malloc(sizeof *g->lr);
    if (!g->lr) {
        free(g);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    g->t0 = slds_now();
    g->fd = fd;
    g->opt = *opt;
    if (g->opt.batch_seconds <= 0)
        g->opt.batch_seconds = 0.5;
    if (g->opt.idle_seconds <= 0)
        g->opt.idle_seconds = 0.1;
    if (g->opt.idle_seconds > g->opt.batch_seconds)
        g->opt.idle_seconds = g->opt.batch_seconds;
    if (g->opt.batch_rows <= 0)
        g->opt.batch_rows = 50000;
    snprintf(g->label, sizeof g->label, "%s", opt->label ? opt->label : "stdin");
    g->opt.label = g->label;
    struct stat st;
    g->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    g->next_line = 1;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    *out = g;

    const char *tmp = opt->tmpdir ? opt->tmpdir : getenv("TMPDIR");
    snprintf(g->tmpdir, sizeof g->tmpdir, "%s/slds-ingest-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g->tmpdir)) {
        int e = errno;
        g->tmpdir[0] = '\0';
        return slds_fail(err, SLDS_ERR_IO, "cannot make a temporary folder in %s: %s",
                         tmp && *tmp ? tmp : "/tmp", strerror(e));
    }
    snprintf(g->rejects_tmp, sizeof g->rejects_tmp, "%s/rejects.csv", g->tmpdir);
    snprintf(g->findings_tmp, sizeof g->findings_tmp, "%s/findings.csv", g->tmpdir);
    if (pthread_create(&g->thread, NULL, reader_main, g))
        return slds_fail(err, SLDS_ERR_IO, "cannot start the reader thread");
    g->thread_started = true;
    pthread_mutex_lock(&g->mu);
    while (!g->header_ready && !g->eof && !g->failed)
        pthread_cond_wait(&g->cv, &g->mu);
    bool failed = g->failed;
    if (failed)
        *err = g->read_err;
    pthread_mutex_unlock(&g->mu);
    if (failed)
        return err->code;
    int rc = check_header(g, err);
    if (rc)
        return rc;
    snprintf(g->batch_path, sizeof g->batch_path, "%s/%s", g->tmpdir, g->def->file);
    return SLDS_OK;
}

const char *slds_ingest_file(const slds_ingest *g)
{
    return g->def ? g->def->file : NULL;
}

void slds_ingest_close(slds_ingest *g)
{
    if (!g)
        return;
    if (g->thread_started) {
        pthread_mutex_lock(&g->mu);
        g->stop = true;
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
        pthread_join(g->thread, NULL);
    }
    if (g->tmpdir[0]) {
        if (g->batch_path[0])
            unlink(g->batch_path);
        unlink(g->rejects_tmp);
        unlink(g->findings_tmp);
        rmdir(g->tmpdir);
    }
    batch_free(&g->open);
    for (int i = 0; i < g->nready; i++)
        batch_free(&g->ready[i]);
    slds_buf_free(&g->header);
    slds_buf_free(&g->pend);
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cv);
    free(g->lr);
    free(g);
}

/* ---- batches ---------------------------------------------------------------- */

static struct timespec abs_time(double seconds_from_now)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double s = seconds_from_now > 0 ? seconds_from_now : 0;
    ts.tv_sec += (time_t)s;
    ts.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* The next batch to load: 1 (in *b), 0 at the end of the stream, -1 on a read error. */
static int take_batch(slds_ingest *g, batch *b, slds_error *err)
{
    pthread_mutex_lock(&g->mu);
    int got;
    for (;;) {
        if (g->failed) {
            *err = g->read_err;
            got = -1;
            break;
        }
        if (g->nready) {
            *b = g->ready[0];
            memmove(g->ready, g->ready + 1, (size_t)(g->nready - 1) * sizeof g->ready[0]);
            g->nready--;
            got = 1;
            break;
        }
        double now = slds_now();
        if (g->open.rows > 0) {
            double close_at = g->open.first_arrival + g->opt.batch_seconds;
            double idle_at = g->open.last_arrival + g->opt.idle_seconds;
            if (idle_at < close_at)
                close_at = idle_at;
            if (g->eof || now >= close_at) {
                *b = g->open;
                memset(&g->open, 0, sizeof g->open);
                got = 1;
                break;
            }
            struct timespec ts = abs_time(close_at - now);
            pthread_cond_timedwait(&g->cv, &g->mu, &ts);
            continue;
        }
        if (g->eof) {
            got = 0;
            break;
        }
        struct timespec ts = abs_time(1.0);
        pthread_cond_timedwait(&g->cv, &g->mu, &ts);
    }
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    return got;
}

/* Messages of the loader name the temporary file: name the stream instead. */
static void relabel(slds_ingest *g, slds_error *err)
{
    const char *names[2] = {g->batch_path, g->tmpdir};
    for (int k = 0; k < 2; k++) {
        char *hit = strstr(err->message, names[k]);
        if (!hit)
            continue;
        char rest[sizeof err->message];
        snprintf(rest, sizeof rest, "%s", hit + strlen(names[k]));
        snprintf(hit, sizeof err->message - (size_t)(hit - err->message), "%s%s", g->label, rest);
        return;
    }
}

/* Appends the rows (not the header) of the batch's rejects or findings file. */
static int append_rows(const char *from, FILE *to, const char *to_path, slds_error *err)
{
    FILE *in = fopen(from, "r");
    if (!in)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot read: %s", from, strerror(errno));
    char buf[65536];
    int c;
    while ((c = fgetc(in)) != EOF && c != '\n') {
    }
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, to);
    fclose(in);
    if (fflush(to) != 0 || ferror(to))
        return slds_fail(err, SLDS_ERR_IO, "%s: write failed: %s (the batch was committed)", to_path,
                         strerror(errno));
    return SLDS_OK;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The lines the batch's rejects name (sorted). */
static int rejected_lines(slds_ingest *g, long **out, size_t *n, slds_error *err)
{
    *out = NULL;
    *n = 0;
    slds_csv *csv;
    if (slds_csv_open(&csv, g->rejects_tmp, err))
        return err->code;
    slds_csv_record rec;
    size_t cap = 0;
    int got;
    bool header = true;
    while ((got = slds_csv_next(csv, &rec, err)) == 1) {
        if (header) {
            header = false;
            continue;
        }
        if (rec.nfields < 2)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            long *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                got = -1;
                slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
                break;
            }
            *out = p;
        }
        (*out)[(*n)++] = strtol(rec.fields[1], NULL, 10);
    }
    slds_csv_close(csv);
    if (got < 0) {
        free(*out);
        *out = NULL;
        return err->code;
    }
    if (*n) /* qsort(NULL, 0, ...) is undefined */
        qsort(*out, *n, sizeof **out, cmp_long);
    return SLDS_OK;
}

static char *dup_value(const slds_value *v)
{
    char *s = malloc(v->len + 1);
    if (s) {
        memcpy(s, v->text ? v->text : "", v->len);
        s[v->len] = '\0';
    }
    return s;
}

/* Reads the batch file again and gives its loaded item responses to the hook. */
static int call_hook(slds_ingest *g, slds_store *s, long line_offset, int64_t *passed, slds_error *err)
{
    long *rejected;
    size_t nrejected;
    if (rejected_lines(g, &rejected, &nrejected, err))
        return err->code;
    slds_csv *csv;
    if (slds_csv_open(&csv, g->batch_path, err)) {
        free(rejected);
        return err->code;
    }
    slds_csv_set_first_line(csv, 1 + line_offset);
    const slds_file_def *def = g->def;
    static const int cols[5] = {SLDS_ITM_STUDENT_ID, SLDS_ITM_RESPONSE_TIME, SLDS_ITM_ITEM_ID,
                                SLDS_ITM_STANDARD_ID, SLDS_ITM_CORRECT};
    int pos[5] = {-1, -1, -1, -1, -1};
    slds_ingest_response *rows = NULL;
    size_t n = 0, cap = 0;
    slds_csv_record rec;
    int got, rc = SLDS_OK;
    bool header = true;
    while ((got = slds_csv_next(csv, &rec, err)) == 1) {
        if (header) {
            header = false;
            for (int f = 0; f < rec.nfields; f++)
                for (int k = 0; k < 5; k++)
                    if (!strcmp(rec.fields[f], def->columns[cols[k]].name))
                        pos[k] = f;
            continue;
        }
        if (rec.nfields == 1 && rec.lengths[0] == 0)
            continue;
        if (nrejected && bsearch(&rec.line, rejected, nrejected, sizeof *rejected, cmp_long))
            continue;
        slds_value v[5];
        char why[64];
        bool ok = true;
        for (int k = 0; k < 5 && ok; k++)
            ok = pos[k] >= 0 && pos[k] < rec.nfields &&
                 !slds_field_parse(&def->columns[cols[k]], rec.fields[pos[k]], rec.lengths[pos[k]], &v[k], why,
                                   sizeof why);
        if (!ok)
            continue; /* not loaded (the loader rejected it) */
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            slds_ingest_response *p = realloc(rows, cap * sizeof *p);
            if (!p) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
                break;
            }
            rows = p;
        }
        slds_ingest_response *r = &rows[n];
        r->student_id = dup_value(&v[0]);
        r->response_time = dup_value(&v[1]);
        r->item_id = dup_value(&v[2]);
        r->standard_id = dup_value(&v[3]);
        r->correct = (int)v[4].i;
        r->line = rec.line;
        n++;
        if (!r->student_id || !r->response_time || !r->item_id || !r->standard_id) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (got < 0)
        rc = err->code;
    slds_csv_close(csv);
    free(rejected);
    if (!rc && n)
        rc = g->opt.on_responses(g->opt.on_responses_ctx, s, rows, n, err);
    if (!rc)
        *passed += (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        free((char *)rows[i].student_id);
        free((char *)rows[i].response_time);
        free((char *)rows[i].item_id);
        free((char *)rows[i].standard_id);
    }
    free(rows);
    return rc;
}

typedef struct run_state {
    slds_loader *loader; /* one for the whole stream: its sets are read once */
    FILE *rejects, *findings;
    double latency_sum, hook_latency_sum;
    int64_t hook_rows_timed;
} run_state;

static int load_batch(slds_ingest *g, slds_store *s, batch *b, run_state *rs, slds_ingest_result *res,
                      slds_error *err)
{
    FILE *f = fopen(g->batch_path, "w");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write: %s", g->batch_path, strerror(errno));
    fwrite(g->header.data, 1, g->header.len, f);
    fwrite(b->bytes.data, 1, b->bytes.len, f);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write: %s", g->batch_path, strerror(errno));
    long line_offset = b->first_line - (g->header_lines + 1);
    slds_load_options lo = {.rejects_path = g->rejects_tmp,
                            .findings_path = g->findings_tmp,
                            .severity = g->opt.severity,
                            .source_label = g->label,
                            .line_offset = line_offset};
    slds_load_result *lr = g->lr;
    int rc = slds_loader_load(rs->loader, g->tmpdir, &lo, NULL, lr, err);
    double committed = slds_now();
    if (rc) {
        relabel(g, err);
        if (!lr->committed)
            return slds_error_prefix(err, "batch %lld (lines %ld-%ld) not loaded: ",
                                     (long long)(res->batches + 1), b->first_line, b->end_line - 1);
    }
    res->batches++;
    res->read += lr->read;
    res->loaded += lr->loaded;
    res->rejected += lr->rejected;
    res->warned += lr->warned;
    for (int i = 0; i < SLDS_RULE_COUNT; i++) {
        res->rule_rejected[i] += lr->rule_rejected[i];
        res->rule_warned[i] += lr->rule_warned[i];
    }
    if (!res->extra_columns[0] && lr->nfiles && lr->files[0].extra_columns[0])
        snprintf(res->extra_columns, sizeof res->extra_columns, "%s", lr->files[0].extra_columns);
    slds_ingest_batch info = {.number = res->batches,
                              .first_line = b->first_line,
                              .last_line = b->end_line - 1,
                              .read = lr->read,
                              .loaded = lr->loaded,
                              .rejected = lr->rejected,
                              .warned = lr->warned,
                              .first_arrival = b->first_arrival,
                              .mean_arrival = b->rows ? b->sum_arrival / (double)b->rows : b->first_arrival,
                              .committed = committed};
    snprintf(info.load_id, sizeof info.load_id, "%s", lr->load_id);
    rs->latency_sum += (double)b->rows * (committed - info.mean_arrival);
    if (committed - b->first_arrival > res->latency_max)
        res->latency_max = committed - b->first_arrival;
    if (rc) /* committed; only writing its rejects or findings failed */
        return rc;
    if (rs->rejects && (rc = append_rows(g->rejects_tmp, rs->rejects, g->opt.rejects_path, err)))
        return rc;
    if (rs->findings && (rc = append_rows(g->findings_tmp, rs->findings, g->opt.findings_path, err)))
        return rc;
    if (g->opt.on_responses && g->def->kind == SLDS_FILE_ITEM_RESPONSES) {
        rc = call_hook(g, s, line_offset, &res->hook_rows, err);
        if (rc)
            return slds_error_prefix(err, "batch %lld (lines %ld-%ld) committed, its update after it failed: ",
                                     (long long)res->batches, b->first_line, b->end_line - 1);
        info.hook_done = slds_now();
        rs->hook_latency_sum += (double)b->rows * (info.hook_done - info.mean_arrival);
        rs->hook_rows_timed += b->rows;
        if (info.hook_done - b->first_arrival > res->hook_latency_max)
            res->hook_latency_max = info.hook_done - b->first_arrival;
    }
    unlink(g->batch_path);
    if (g->opt.on_batch)
        g->opt.on_batch(g->opt.on_batch_ctx, &info);
    return SLDS_OK;
}

static FILE *open_output(const char *path, const char *header, slds_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        slds_fail(err, SLDS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        return NULL;
    }
    fputs(header, f);
    fflush(f);
    return f;
}

int slds_ingest_run(slds_ingest *g, slds_store *s, slds_ingest_result *res, slds_error *err)
{
    memset(res, 0, sizeof *res);
    snprintf(res->file, sizeof res->file, "%s", g->def->file);
    snprintf(res->label, sizeof res->label, "%s", g->label);
    run_state rs = {0};
    int rc = slds_loader_open(&rs.loader, s, err);
    if (!rc && g->opt.rejects_path &&
        !(rs.rejects = open_output(g->opt.rejects_path, "file,line,column,value,rule,reason\n", err)))
        rc = err->code;
    if (!rc && g->opt.findings_path &&
        !(rs.findings = open_output(g->opt.findings_path, "file,line,column,value,rule,message,lea_id\n", err)))
        rc = err->code;
    batch b = {0};
    int got = 0;
    int64_t rows_timed = 0;
    while (!rc && (got = take_batch(g, &b, err)) == 1) {
        int64_t rows = b.rows;
        rc = load_batch(g, s, &b, &rs, res, err);
        if (!rc)
            rows_timed += rows;
        batch_free(&b);
    }
    if (!rc && got < 0)
        rc = err->code;
    pthread_mutex_lock(&g->mu);
    res->cut = g->cut;
    res->cut_line = g->cut_line;
    res->lines = g->lines;
    pthread_mutex_unlock(&g->mu);
    if (rows_timed)
        res->latency_mean = rs.latency_sum / (double)rows_timed;
    if (rs.hook_rows_timed)
        res->hook_latency_mean = rs.hook_latency_sum / (double)rs.hook_rows_timed;
    slds_loader_close(rs.loader);
    if (rs.rejects && fclose(rs.rejects) != 0 && !rc)
        rc = slds_fail(err, SLDS_ERR_IO, "%s: write failed", g->opt.rejects_path);
    if (rs.findings && fclose(rs.findings) != 0 && !rc)
        rc = slds_fail(err, SLDS_ERR_IO, "%s: write failed", g->opt.findings_path);
    res->seconds = slds_now() - g->t0;
    return rc;
}
