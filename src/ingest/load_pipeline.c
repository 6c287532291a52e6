/* load_pipeline.c - the two-thread pipeline for plain files: a reader that
 * parses and checks rows into batches, file after file, the calling thread
 * writes them; into an empty table, in the order of the whole file's keys
 * (sorted runs in a temporary file, merged by the writer). */
#include "ingest/load_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the two-thread pipeline for plain files -------------------------- */

/* Plain files (every file but students.csv and enrollments.csv) are loaded by
 * two threads: a reader that parses and checks rows and fills batches, and
 * the caller's thread, which writes them to SQLite. The reader alone touches
 * the in-memory sets; the writer alone touches the database. A batch carries
 * copies of the values, since the CSV window is reused. Consecutive plain
 * files are one group: the reader goes on to the next file while the writer
 * still writes the last one's rows. */
/* Rows in a batch: large enough that sorting a batch by the table's key makes
 * the writer's B-tree inserts mostly local (measured: 30% less writer time
 * than file order for 64Ki-row runs of assessments). */
#define BATCH_ROWS 65536
#define NBATCHES 3

typedef struct cell {
    uint8_t type; /* 0 NULL, 1 text, 2 integer, 3 real */
    uint32_t len;
    union {
        int64_t i;
        double d;
        size_t off; /* text: offset into the batch arena */
    } u;
} cell;

/* A finding of a loaded row, carried to the writer (strings in the arena). */
typedef struct batch_finding {
    long line;
    slds_rule rule;
    const char *column;
    size_t value, message, lea; /* arena offsets; lea SIZE_MAX when unknown */
} batch_finding;

typedef struct batch {
    int nrows;
    long *line;
    uint8_t *rejected;
    uint8_t *reject_rule;
    const char **reject_column;
    size_t *reject_value, *reject_reason; /* arena offsets */
    batch_finding *findings;
    int nfindings, capfindings;
    int nwarned;                          /* rows with findings */
    uint64_t *key_digest, *values_digest; /* --replace: per row (NULL without --replace) */
    int nskipped;                         /* --replace: loaded rows stored as they are, not written */
    int norder;                           /* rows in order (the rows to write, rejects first) */
    cell *cells;                          /* BATCH_ROWS * ncols */
    int *order;                           /* rows in the order to write them */
    slds_buf arena;
    int file;                             /* the file's index in its group (load_plain_files) */
    bool last;                            /* the file's last batch */
    bool spilled;                         /* its rows went to the file's sorted runs, not to the writer */
} batch;

static void batch_free(batch *b)
{
    free(b->line);
    free(b->rejected);
    free(b->reject_rule);
    free(b->findings);
    free(b->reject_column);
    free(b->reject_value);
    free(b->reject_reason);
    free(b->cells);
    free(b->order);
    free(b->key_digest);
    free(b->values_digest);
    slds_buf_free(&b->arena);
}

static bool batch_init(batch *b, int ncols, bool digests)
{
    if (digests) {
        b->key_digest = malloc(BATCH_ROWS * sizeof *b->key_digest);
        b->values_digest = malloc(BATCH_ROWS * sizeof *b->values_digest);
        if (!b->key_digest || !b->values_digest)
            return false;
    }
    b->line = malloc(BATCH_ROWS * sizeof *b->line);
    b->rejected = malloc(BATCH_ROWS);
    b->reject_rule = malloc(BATCH_ROWS);
    b->reject_column = malloc(BATCH_ROWS * sizeof *b->reject_column);
    b->reject_value = malloc(BATCH_ROWS * sizeof *b->reject_value);
    b->reject_reason = malloc(BATCH_ROWS * sizeof *b->reject_reason);
    b->cells = malloc((size_t)BATCH_ROWS * (size_t)ncols * sizeof *b->cells);
    b->order = malloc(BATCH_ROWS * sizeof *b->order);
    return b->line && b->rejected && b->reject_rule && b->reject_column && b->reject_value && b->reject_reason &&
           b->cells && b->order;
}

/* Sorting a batch by key. Each row's key is encoded once as bytes whose
 * memcmp order is SQLite's order of the key (text: its bytes then 0; a year:
 * 2 bytes; an integer or a number: 8, big-endian, sign made unsigned); rows
 * are merge-sorted by the first 16 bytes held as two integers, the rest of
 * the encoding when those are equal, then by line. (qsort through a
 * comparison of cells took a third of the reader thread's time.) */
typedef struct sort_key {
    uint64_t k0, k1;
    uint32_t off, len; /* the whole encoding in the sort's byte buffer */
    int row;
} sort_key;

typedef struct sort_buf {
    sort_key *keys, *tmp; /* BATCH_ROWS each */
    slds_buf bytes;       /* the encodings */
    const sort_key *sorted; /* after batch_sort: the loaded rows' keys in order */
    int nsorted;
} sort_buf;

/* Appends row r's key encoding to out; false when out of memory. */
static bool encode_key(const batch *b, const slds_file_def *def, const int *key_columns, int r, slds_buf *out)
{
    const cell *cells = b->cells + (size_t)r * (size_t)def->ncolumns;
    unsigned char num[8];
    for (const int *k = key_columns; *k >= 0; k++) {
        const cell *c = &cells[*k];
        uint64_t v;
        int n = 8;
        switch (c->type) {
        case 1:
            if (slds_buf_append(out, b->arena.data + c->u.off, c->len) || slds_buf_append(out, "", 1))
                return false;
            continue;
        case 2:
            v = (uint64_t)c->u.i ^ ((uint64_t)1 << 63);
            if (def->columns[*k].type == SLDS_COL_YEAR && c->u.i >= 0 && c->u.i < 65536) {
                v = (uint64_t)c->u.i;
                n = 2;
            }
            break;
        case 3:
            memcpy(&v, &c->u.d, sizeof v);
            v = v >> 63 ? ~v : v | ((uint64_t)1 << 63);
            break;
        default:
            continue;
        }
        for (int i = 0; i < n; i++)
            num[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
        if (slds_buf_append(out, (const char *)num, (size_t)n))
            return false;
    }
    return true;
}

static inline int compare_keys(const unsigned char *bytes, const sort_key *a, const sort_key *b)
{
    if (a->k0 != b->k0)
        return a->k0 < b->k0 ? -1 : 1;
    if (a->k1 != b->k1)
        return a->k1 < b->k1 ? -1 : 1;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = n > 16 ? memcmp(bytes + a->off + 16, bytes + b->off + 16, n - 16) : 0;
    if (c)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* b->rejected of a row loaded already: stored as it is (--replace). */
#define ROW_UNCHANGED 2

/* Fills b->order: the batch's rejected rows first (in file order; they are
 * not inserted), then the others by key (not the unchanged ones: they are
 * not written). false when out of memory. */
static bool batch_sort(batch *b, const int *key_columns, const slds_file_def *def, sort_buf *sb)
{
    int nkeys = 0, o = 0;
    slds_buf_clear(&sb->bytes);
    for (int r = 0; r < b->nrows; r++) {
        if (b->rejected[r] == ROW_UNCHANGED)
            continue;
        if (b->rejected[r]) {
            b->order[o++] = r;
            continue;
        }
        size_t off = sb->bytes.len;
        if (!encode_key(b, def, key_columns, r, &sb->bytes))
            return false;
        sb->keys[nkeys++] = (sort_key){0, 0, (uint32_t)off, (uint32_t)(sb->bytes.len - off), r};
    }
    for (int k = 0; k < nkeys; k++) {
        sort_key *x = &sb->keys[k];
        const unsigned char *e = (const unsigned char *)sb->bytes.data + x->off;
        for (uint32_t i = 0; i < 16; i++) {
            unsigned char byte = i < x->len ? e[i] : 0;
            if (i < 8)
                x->k0 = x->k0 << 8 | byte;
            else
                x->k1 = x->k1 << 8 | byte;
        }
    }
    /* bottom-up merge sort: O(n log n) whatever the input */
    const unsigned char *bytes = (const unsigned char *)sb->bytes.data;
    sort_key *from = sb->keys, *to = sb->tmp;
    for (int width = 1; width < nkeys; width *= 2) {
        for (int lo = 0; lo < nkeys; lo += 2 * width) {
            int mid = lo + width < nkeys ? lo + width : nkeys;
            int hi = lo + 2 * width < nkeys ? lo + 2 * width : nkeys;
            int i = lo, j = mid, t = lo;
            while (i < mid && j < hi)
                to[t++] = compare_keys(bytes, &from[j], &from[i]) < 0 ? from[j++] : from[i++];
            while (i < mid)
                to[t++] = from[i++];
            while (j < hi)
                to[t++] = from[j++];
        }
        sort_key *swap = from;
        from = to;
        to = swap;
    }
    for (int k = 0; k < nkeys; k++)
        b->order[o++] = from[k].row;
    b->norder = o;
    sb->sorted = from;
    sb->nsorted = nkeys;
    return true;
}

/* One file of a group loaded by load_plain_files. The writer fills the
 * first part before the reading thread starts; the reading thread fills the
 * rest, and the writer reads it once the file's last batch has arrived. */
typedef struct file_job {
    const slds_file_def *def;
    const char *path;
    slds_file_result *res;
    uint64_t size;
    /* The table was empty when the group started (a first load): its rows
     * are written in the order of the whole file's keys, so that every
     * insert appends to the B-tree. The reading thread sorts each batch and
     * writes it as a run to a temporary file; the writer merges the runs once
     * the file is read, while the reading thread goes on with the next file. */
    bool sorted;
    /* reader side */
    int64_t read;
    uint64_t digest;
    place *places; /* places of loaded rows that no spell covers (load_replace.c), each once */
    size_t nplaces, capplaces;
    int spill_fd; /* the sorted runs (-1: none yet) */
    uint64_t spill_size, spilled_rows;
    uint64_t *runs; /* start of each run in the file */
    size_t nruns, capruns;
    /* writer side: the file's last batch was written (its rejects and
     * findings) while an earlier file's runs were merged */
    bool got_last;
} file_job;

typedef struct pipeline {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    batch *full[NBATCHES], *empty[NBATCHES];
    int nfull, nempty;
    bool reader_done, writer_failed;
    /* reader side */
    load_ctx *c;
    file_job *jobs;
    int njobs;
    uint64_t bytes_base; /* bytes of the collection before the group (progress) */
    slds_error reader_err;
    int reader_rc;
    bool gated;       /* the reader waits for the gate before its first row (plain_group_open) */
    bool gate_open;
    bool replace;     /* --replace (one file a group): batches are filtered by the stored scope */
    bool scope_ready; /* the writer has read the stored scope (c->scope) */
    sort_buf sort;
    slds_map64 place_seen; /* of the file being read */
    slds_buf spill;        /* one run, before it is written */
} pipeline;

static size_t arena_put(batch *b, const char *s, size_t len)
{
    size_t off = b->arena.len;
    if (slds_buf_append(&b->arena, s, len))
        return SIZE_MAX;
    return off;
}

static batch *pipeline_take(pipeline *p, bool want_full)
{
    pthread_mutex_lock(&p->lock);
    batch *b = NULL;
    for (;;) {
        if (want_full && p->nfull) {
            b = p->full[0];
            memmove(p->full, p->full + 1, (size_t)--p->nfull * sizeof *p->full);
            break;
        }
        if (!want_full && p->nempty) {
            b = p->empty[--p->nempty];
            break;
        }
        if ((want_full && p->reader_done) || (!want_full && p->writer_failed))
            break;
        pthread_cond_wait(&p->changed, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return b;
}

static void pipeline_give(pipeline *p, batch *b, bool full)
{
    pthread_mutex_lock(&p->lock);
    if (full)
        p->full[p->nfull++] = b;
    else
        p->empty[p->nempty++] = b;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static bool add_reject(batch *b, long line, const slds_file_def *def, const flagged *f)
{
    int k = b->nrows++;
    b->line[k] = line;
    b->rejected[k] = 1;
    b->reject_rule[k] = (uint8_t)f->rule;
    b->reject_column[k] = f->col >= 0 ? def->columns[f->col].name : NULL;
    char shown[1024];
    printable_value(f->value ? f->value : "", f->value ? f->vlen : 0, shown, sizeof shown);
    b->reject_value[k] = arena_put(b, shown, strlen(shown) + 1);
    b->reject_reason[k] = arena_put(b, f->why, strlen(f->why) + 1);
    return b->reject_value[k] != SIZE_MAX && b->reject_reason[k] != SIZE_MAX;
}

/* The findings of a loaded row, copied (the CSV window and the interned
 * strings may move before the writer reads them). */
static bool add_findings(batch *b, long line, const slds_file_def *def, const verdict *v, const char *lea)
{
    if (!v->nwarn)
        return true;
    if (b->nfindings + v->nwarn > b->capfindings) {
        int cap = b->capfindings ? b->capfindings * 2 : 256;
        while (cap < b->nfindings + v->nwarn)
            cap *= 2;
        batch_finding *p = realloc(b->findings, (size_t)cap * sizeof *p);
        if (!p)
            return false;
        b->findings = p;
        b->capfindings = cap;
    }
    size_t lea_off = lea ? arena_put(b, lea, strlen(lea) + 1) : SIZE_MAX;
    for (int i = 0; i < v->nwarn; i++) {
        const flagged *f = &v->warn[i];
        batch_finding *x = &b->findings[b->nfindings++];
        char shown[1024];
        printable_value(f->value ? f->value : "", f->value ? f->vlen : 0, shown, sizeof shown);
        *x = (batch_finding){line, f->rule, f->col >= 0 ? def->columns[f->col].name : NULL,
                             arena_put(b, shown, strlen(shown) + 1), arena_put(b, f->why, strlen(f->why) + 1),
                             lea_off};
        if (x->value == SIZE_MAX || x->message == SIZE_MAX)
            return false;
    }
    b->nwarned++;
    return true;
}

static bool add_row(batch *b, const slds_file_def *def, long line, const row *r)
{
    int k = b->nrows++;
    b->line[k] = line;
    b->rejected[k] = 0;
    cell *cells = b->cells + (size_t)k * (size_t)def->ncolumns;
    for (int i = 0; i < def->ncolumns; i++) {
        const slds_value *v = &r->v[i];
        const slds_column_def *col = &def->columns[i];
        cell *x = &cells[i];
        if (v->blank) {
            /* Part of a primary key that may be blank: stored as '' so the key stays unique. */
            x->type = strcmp(col->name, "subject_area") ? 0 : 1;
            x->len = 0;
            x->u.off = b->arena.len;
        } else if (col->type == SLDS_COL_INT || col->type == SLDS_COL_YEAR) {
            x->type = 2;
            x->u.i = v->i;
        } else if (col->type == SLDS_COL_NUM) {
            x->type = 3;
            x->u.d = v->d;
        } else {
            x->type = 1;
            x->len = (uint32_t)v->len;
            x->u.off = arena_put(b, v->text, v->len);
            if (x->u.off == SIZE_MAX)
                return false;
        }
    }
    return true;
}

/* The digest of a row's values as add_row stores them (load_replace.c
 * compares it with the stored row's). */
static uint64_t row_values_digest(const slds_file_def *def, const row *r)
{
    uint64_t h = ROW_DIGEST_START;
    for (int i = 0; i < def->ncolumns; i++) {
        const slds_value *v = &r->v[i];
        const slds_column_def *col = &def->columns[i];
        if (v->blank)
            h = strcmp(col->name, "subject_area") ? row_digest_null(h) : row_digest_text(h, "", 0);
        else if (col->type == SLDS_COL_INT || col->type == SLDS_COL_YEAR)
            h = row_digest_int(h, v->i);
        else if (col->type == SLDS_COL_NUM)
            h = row_digest_real(h, v->d);
        else
            h = row_digest_text(h, v->text, v->len);
    }
    return h;
}

/* Notes the place of a loaded row that no spell covers (once per place). */
static bool note_place(pipeline *p, file_job *job, const place *x)
{
    uint64_t k = key3(x->student, x->school, x->year);
    if (slds_map64_get(&p->place_seen, k, NULL))
        return true;
    if (!slds_map64_put(&p->place_seen, k, 1))
        return false;
    if (job->nplaces == job->capplaces) {
        size_t cap = job->capplaces ? job->capplaces * 2 : 64;
        place *n = realloc(job->places, cap * sizeof *n);
        if (!n)
            return false;
        job->places = n;
        job->capplaces = cap;
    }
    job->places[job->nplaces++] = *x;
    return true;
}

/* ---- sorted runs ------------------------------------------------------- */

/* A run is the loaded rows of one batch in key order, each row as
 *   u16 length of the whole record, u16 key length, the key's encoding
 *   (encode_key: memcmp order is the table's order), one tag a column
 *   (cell.type, | RUN_IN_KEY when the value is read back from the key,
 *   | RUN_SHORT_YEAR when the key holds it in 2 bytes), then the values:
 *   a text's length as a varint (its bytes follow, or are in the key),
 *   integers and reals 8 bytes (native order: the file lives only as long
 *   as the load) unless in the key.
 * A key column's value is not written twice: the key holds it. (A record is
 * below 64 KiB: 16 fields of at most 1000 bytes.) */
#define RUN_IN_KEY 4
#define RUN_SHORT_YEAR 8

static inline unsigned char *put_varint(unsigned char *q, uint32_t v)
{
    while (v >= 0x80) {
        *q++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *q++ = (unsigned char)v;
    return q;
}

static inline const unsigned char *get_varint(const unsigned char *q, uint32_t *v)
{
    uint32_t x = 0;
    for (int shift = 0;; shift += 7) {
        unsigned char byte = *q++;
        x |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
    }
    *v = x;
    return q;
}

/* Writes the loaded rows of b (sorted by batch_sort) as a run of job's
 * temporary file. false with p->reader_err set on failure. */
static bool spill_batch(pipeline *p, file_job *job, batch *b, const int *key_columns)
{
    const slds_file_def *def = job->def;
    int ncols = def->ncolumns;
    b->spilled = true;
    if (!p->sort.nsorted)
        return true;
    if (job->spill_fd < 0) {
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = "/tmp";
        char path[4096];
        snprintf(path, sizeof path, "%s/slds-sort-XXXXXX", dir);
        job->spill_fd = mkstemp(path);
        if (job->spill_fd < 0) {
            slds_fail(&p->reader_err, SLDS_ERR_IO,
                      "%s: cannot create a temporary file to sort %s (set TMPDIR to a writable folder): %s", dir,
                      def->file, strerror(errno));
            return false;
        }
        unlink(path); /* gone with the descriptor */
    }
    bool in_key[16] = {false};
    for (const int *k = key_columns; *k >= 0; k++)
        in_key[*k] = true;
    slds_buf *out = &p->spill;
    slds_buf_clear(out);
    /* at most: every text once, every key, and per row 4 + per column 1 + 8 */
    size_t bound = b->arena.len + p->sort.bytes.len + (size_t)p->sort.nsorted * (4 + 9 * (size_t)ncols);
    if (slds_buf_reserve(out, bound)) {
        slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
        return false;
    }
    unsigned char *q = (unsigned char *)out->data;
    const char *bytes = p->sort.bytes.data;
    const char *arena = b->arena.data ? b->arena.data : "";
    for (int k = 0; k < p->sort.nsorted; k++) {
        const sort_key *x = &p->sort.sorted[k];
        const cell *cells = b->cells + (size_t)x->row * (size_t)ncols;
        unsigned char *start = q;
        uint16_t klen = (uint16_t)x->len;
        q += 2;
        memcpy(q, &klen, 2);
        q += 2;
        memcpy(q, bytes + x->off, x->len);
        q += x->len;
        unsigned char *tags = q;
        q += ncols;
        for (int i = 0; i < ncols; i++) {
            const cell *cl = &cells[i];
            uint8_t tag = cl->type;
            if (in_key[i] && cl->type) {
                tag |= RUN_IN_KEY;
                if (cl->type == 2 && def->columns[i].type == SLDS_COL_YEAR && cl->u.i >= 0 && cl->u.i < 65536)
                    tag |= RUN_SHORT_YEAR;
            }
            tags[i] = tag;
        }
        /* the lengths of the key's texts, in the key's order */
        for (const int *kc = key_columns; *kc >= 0; kc++)
            if (cells[*kc].type == 1)
                q = put_varint(q, cells[*kc].len);
        /* the other values, in column order */
        for (int i = 0; i < ncols; i++) {
            const cell *cl = &cells[i];
            if (tags[i] & RUN_IN_KEY)
                continue;
            if (cl->type == 1) {
                q = put_varint(q, cl->len);
                memcpy(q, arena + cl->u.off, cl->len);
                q += cl->len;
            } else if (cl->type == 2) {
                memcpy(q, &cl->u.i, 8);
                q += 8;
            } else if (cl->type == 3) {
                memcpy(q, &cl->u.d, 8);
                q += 8;
            }
        }
        uint16_t len = (uint16_t)(q - start);
        memcpy(start, &len, 2);
    }
    out->len = (size_t)(q - (unsigned char *)out->data);
    if (job->nruns == job->capruns) {
        size_t cap = job->capruns ? job->capruns * 2 : 32;
        uint64_t *n = realloc(job->runs, cap * sizeof *n);
        if (!n) {
            slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
            return false;
        }
        job->runs = n;
        job->capruns = cap;
    }
    job->runs[job->nruns++] = job->spill_size;
    for (size_t done = 0; done < out->len;) {
        ssize_t w = pwrite(job->spill_fd, out->data + done, out->len - done, (off_t)(job->spill_size + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            slds_fail(&p->reader_err, SLDS_ERR_IO, "cannot write the temporary file that sorts %s: %s", def->file,
                      w < 0 ? strerror(errno) : "disk full?");
            return false;
        }
        done += (size_t)w;
    }
    job->spill_size += out->len;
    job->spilled_rows += (uint64_t)p->sort.nsorted;
    return true;
}

/* --replace: marks the rows of b stored as they are (they are loaded
 * already and not written), once the writer has read the scope (its reading
 * overlaps the parsing of the first batch). */
static void filter_unchanged(pipeline *p, batch *b)
{
    if (!p->replace)
        return;
    pthread_mutex_lock(&p->lock);
    while (!p->scope_ready && !p->writer_failed)
        pthread_cond_wait(&p->changed, &p->lock);
    bool ready = p->scope_ready && !p->writer_failed;
    pthread_mutex_unlock(&p->lock);
    const stored_scope *scope = &p->c->scope;
    if (!ready || !scope->active)
        return;
    for (int r = 0; r < b->nrows; r++) {
        if (r + 8 < b->nrows)
            stored_scope_prefetch(scope, b->key_digest[r + 8]);
        if (!b->rejected[r] && stored_scope_same(scope, b->key_digest[r], b->values_digest[r])) {
            b->rejected[r] = ROW_UNCHANGED;
            b->nskipped++;
        }
    }
}

/* Hands a filled batch of job to the writer: sorted, and for a sorted file
 * its rows written to a run. */
static int batch_done(pipeline *p, file_job *job, batch *b, const int *key_columns)
{
    filter_unchanged(p, b);
    if (!batch_sort(b, key_columns, job->def, &p->sort))
        return slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", job->def->file);
    if (job->sorted && !spill_batch(p, job, b, key_columns))
        return p->reader_err.code;
    return SLDS_OK;
}

static void batch_reset(batch *b, int file)
{
    b->nrows = 0;
    b->nfindings = 0;
    b->nwarned = 0;
    b->nskipped = 0;
    b->norder = 0;
    b->file = file;
    b->last = false;
    b->spilled = false;
    slds_buf_clear(&b->arena);
}

static batch *batch_fresh(pipeline *p, int file)
{
    batch *b = pipeline_take(p, false);
    if (b)
        batch_reset(b, file);
    return b; /* NULL: the writer failed */
}

/* Reads, checks and hands to the writer every row of jobs[j]; its last
 * batch is marked last (a file gives at least one). */
static int read_file(pipeline *p, int j)
{
    load_ctx *c = p->c;
    file_job *job = &p->jobs[j];
    const slds_file_def *def = job->def;
    slds_csv *csv = NULL;
    header_map h = {0};
    int key_columns[17];
    slds_csv_record rec;
    row r;
    verdict v;
    batch *b = NULL;
    int rc = slds_csv_open(&csv, job->path, &p->reader_err);
    if (rc)
        return rc;
    slds_csv_set_first_line(csv, 1 + c->opt.line_offset);
    /* about 60 bytes a row in the smallest rows of the contract */
    if (key_set_reset(&c->file_keys, (size_t)job->size / 60))
        rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
    if (!rc)
        rc = read_header(csv, job->path, def, &h, job->res, &p->reader_err);
    natural_key_columns(def, key_columns);
    slds_map64_free(&p->place_seen);
    while (!rc) {
        if (!b && !(b = batch_fresh(p, j))) {
            rc = slds_fail(&p->reader_err, SLDS_ERR_DB, "stopped: the writer failed");
            break;
        }
        int got = slds_csv_next(csv, &rec, &p->reader_err);
        if (got <= 0) {
            rc = got < 0 ? p->reader_err.code : SLDS_OK;
            break;
        }
        if (rec.nfields == 1 && rec.lengths[0] == 0)
            continue; /* a blank line carries no row */
        job->read++;
        if ((job->read & 0xFFFF) == 0)
            slds_progress_report(c->progress, def->file, p->bytes_base + slds_csv_offset(csv), c->bytes_total);
        verdict_clear(&v);
        if (parse_row(def, &h, &rec, &r, &v)) {
            uint64_t hk = natural_key_hash(def, key_columns, &r);
            key_set_prefetch(&c->file_keys, hk);
            cross_check(c, def, &r, &v);
            /* The same natural key on an earlier loaded line of the file: this
             * row is rejected (checked last, so a row with a bad reference is
             * rejected for that). */
            int seen = key_set_get(&c->file_keys, hk);
            if (seen == KEY_LOADED && !v.rejected)
                flag(c, &v, SLDS_RULE_KEY_DUPLICATE_IN_FILE, key_columns[0], r.raw[key_columns[0]],
                     r.rawlen[key_columns[0]], "natural key already given on an earlier line of this file");
            /* Keys of loaded rows (1) make later ones duplicates; keys of rows
             * rejected here (2) still protect their stored row from --replace. */
            if (seen != KEY_LOADED && !key_set_put(&c->file_keys, hk, !v.rejected)) {
                rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
                break;
            }
            if (b->key_digest && !v.rejected) {
                /* --replace: the writer skips the row when it is stored as it is */
                b->key_digest[b->nrows] = hk;
                b->values_digest[b->nrows] = row_values_digest(def, &r);
            }
        }
        if (!v.rejected && v.no_spell && !note_place(p, job, &v.place)) {
            rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
            break;
        }
        bool ok = v.rejected ? add_reject(b, rec.line, def, &v.reject)
                             : add_row(b, def, rec.line, &r) &&
                                   add_findings(b, rec.line, def, &v, v.nwarn ? row_district(c, def, &r) : NULL);
        if (!ok) {
            rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
            break;
        }
        if (!v.rejected && remember_row(c, def, &r, &p->reader_err)) {
            rc = p->reader_err.code;
            break;
        }
        if (b->nrows == BATCH_ROWS || b->arena.len > (16u << 20)) {
            rc = batch_done(p, job, b, key_columns);
            if (rc)
                break;
            /* A spilled batch without rejects or findings leaves the writer
             * nothing to do: kept, so that this thread never waits for a
             * writer busy merging or building an index. */
            if (b->spilled && p->sort.nsorted == b->norder && !b->nfindings && !b->nwarned && !b->nskipped)
                batch_reset(b, j);
            else {
                pipeline_give(p, b, true);
                b = NULL;
            }
        }
    }
    if (!rc && !b && !(b = batch_fresh(p, j))) /* the last batch may be empty */
        rc = slds_fail(&p->reader_err, SLDS_ERR_DB, "stopped: the writer failed");
    if (b && !rc)
        rc = batch_done(p, job, b, key_columns);
    if (!rc) {
        job->digest = slds_csv_digest(csv);
        p->bytes_base += job->size;
    }
    slds_csv_close(csv);
    if (b) {
        b->last = !rc;
        pipeline_give(p, b, !rc); /* a batch that failed is not written */
    }
    return rc;
}

static void *pipeline_reader(void *arg)
{
    pipeline *p = arg;
    int rc = SLDS_OK;
    pthread_mutex_lock(&p->lock);
    while (p->gated && !p->gate_open && !p->writer_failed)
        pthread_cond_wait(&p->changed, &p->lock);
    if (p->writer_failed)
        rc = slds_fail(&p->reader_err, SLDS_ERR_DB, "stopped: the writer failed");
    pthread_mutex_unlock(&p->lock);
    for (int j = 0; j < p->njobs && !rc; j++)
        rc = read_file(p, j);
    pthread_mutex_lock(&p->lock);
    p->reader_rc = rc;
    p->reader_done = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Rows bound to one INSERT statement (at most 16 columns: 1,024 parameters). */
#define ROWS_PER_STATEMENT 64

static void bind_row(sqlite3_stmt *st, int first_param, const batch *b, const cell *cells, int ncols)
{
    for (int col = 0; col < ncols; col++) {
        const cell *x = &cells[col];
        int p = first_param + col;
        switch (x->type) {
        case 0:
            sqlite3_bind_null(st, p);
            break;
        case 1:
            sqlite3_bind_text(st, p, b->arena.data ? b->arena.data + x->u.off : "", (int)x->len, SQLITE_STATIC);
            break;
        case 2:
            sqlite3_bind_int64(st, p, x->u.i);
            break;
        default:
            sqlite3_bind_double(st, p, x->u.d);
        }
    }
}

/* How far ahead of its turn a row's memory is asked for. */
#define PREFETCH_ROWS 16

static inline void prefetch_cells(const cell *cells, size_t bytes)
{
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch((const char *)cells + o);
}

static inline void prefetch_text(const batch *b, const cell *cells, int ncols)
{
    for (int col = 0; col < ncols; col++)
        if (cells[col].type == 1 && cells[col].len)
            __builtin_prefetch(b->arena.data + cells[col].u.off);
}

/* Writes a batch: its rejects, then its rows (in key order) ROWS_PER_STATEMENT
 * at a time through insert_many and the rest one by one through insert,
 * then its findings. The rows of a spilled batch are written later, by
 * merge_runs. */
static int write_batch(load_ctx *c, const slds_file_def *def, sqlite3_stmt *insert, sqlite3_stmt *insert_many,
                       const batch *b)
{
    int ncols = def->ncolumns;
    int i = 0;
    for (; i < b->norder && b->rejected[b->order[i]]; i++) {
        int k = b->order[i];
        const char *value = b->arena.data + b->reject_value[k];
        int rc = reject_row(c, b->line[k], b->reject_column[k], value, strlen(value),
                            (slds_rule)b->reject_rule[k], b->arena.data + b->reject_reason[k]);
        if (rc)
            return rc;
    }
    int end = b->spilled ? i : b->norder;
    c->cur->loaded += b->nskipped; /* --replace: stored as they are, not written */
    /* (the sort puts every reject first) Rows are read in key order, that is
     * at random in a batch of several MiB the reader thread wrote: each row's
     * cells, then its text, are asked for ahead of their turn (measured: a
     * cache miss on the cells was most of this thread's own time). */
    size_t row_bytes = (size_t)ncols * sizeof(cell);
    for (int a = i; a < end && a < i + 2 * PREFETCH_ROWS; a++)
        prefetch_cells(b->cells + (size_t)b->order[a] * (size_t)ncols, row_bytes);
    while (i < end) {
        int n = insert_many && end - i >= ROWS_PER_STATEMENT ? ROWS_PER_STATEMENT : 1;
        sqlite3_stmt *st = n > 1 ? insert_many : insert;
        for (int r = 0; r < n; r++) {
            int ahead = i + r + 2 * PREFETCH_ROWS, near = i + r + PREFETCH_ROWS;
            if (ahead < end)
                prefetch_cells(b->cells + (size_t)b->order[ahead] * (size_t)ncols, row_bytes);
            if (near < end)
                prefetch_text(b, b->cells + (size_t)b->order[near] * (size_t)ncols, ncols);
            int k = b->order[i + r];
            bind_row(st, r * ncols + 1, b, b->cells + (size_t)k * (size_t)ncols, ncols);
        }
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE)
            return db_error(c, def->table);
        c->cur->loaded += n;
        i += n;
    }
    for (int f = 0; f < b->nfindings; f++) {
        const batch_finding *x = &b->findings[f];
        const char *value = b->arena.data + x->value;
        int rc = finding_row(c, x->line, x->column, value, strlen(value), x->rule,
                             b->arena.data + x->message, x->lea == SIZE_MAX ? NULL : b->arena.data + x->lea);
        if (rc)
            return rc;
    }
    c->cur->warned += b->nwarned;
    return SLDS_OK;
}

/* ---- merging the sorted runs ------------------------------------------- */

typedef struct run_cursor {
    const unsigned char *rec, *end; /* the current record; the run's end */
    const unsigned char *key;
    uint64_t k0; /* the key's first 8 bytes, big-endian (0 past its end): most comparisons end here */
    uint32_t klen;
    uint64_t released; /* offset up to which the run's pages were given back */
    int run;
} run_cursor;

static inline void cursor_load(run_cursor *r)
{
    uint16_t klen;
    memcpy(&klen, r->rec + 2, 2);
    r->klen = klen;
    r->key = r->rec + 4;
    uint64_t k0 = 0;
    for (uint32_t i = 0; i < 8; i++)
        k0 = k0 << 8 | (i < klen ? r->key[i] : 0);
    r->k0 = k0;
}

/* true when a's row comes before b's (key, then the earlier run: the file's order) */
static inline bool cursor_before(const run_cursor *a, const run_cursor *b)
{
    if (a->k0 != b->k0)
        return a->k0 < b->k0;
    uint32_t n = a->klen < b->klen ? a->klen : b->klen;
    int d = memcmp(a->key, b->key, n);
    if (d)
        return d < 0;
    if (a->klen != b->klen)
        return a->klen < b->klen;
    return a->run < b->run;
}

static void heap_down(run_cursor **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && cursor_before(h[l], h[m]))
            m = l;
        if (l + 1 < n && cursor_before(h[l + 1], h[m]))
            m = l + 1;
        if (m == i)
            return;
        run_cursor *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Binds one record of a run (its values point into the mapped file). */
static void bind_record(sqlite3_stmt *st, int first_param, const run_cursor *r, int ncols, const int *key_columns)
{
    const unsigned char *kp = r->key;
    const unsigned char *tags = r->key + r->klen;
    const unsigned char *q = tags + ncols;
    /* the key's columns, in the key's order */
    for (const int *k = key_columns; *k >= 0; k++) {
        int p = first_param + *k;
        uint8_t tag = tags[*k];
        switch (tag & 3) {
        case 1: {
            uint32_t len;
            q = get_varint(q, &len);
            sqlite3_bind_text(st, p, (const char *)kp, (int)len, SQLITE_STATIC);
            kp += len + 1;
            break;
        }
        case 2:
        case 3: {
            uint64_t v = 0;
            int n = tag & RUN_SHORT_YEAR ? 2 : 8;
            for (int i = 0; i < n; i++)
                v = v << 8 | kp[i];
            kp += n;
            if ((tag & 3) == 2)
                sqlite3_bind_int64(st, p, n == 2 ? (int64_t)v : (int64_t)(v ^ ((uint64_t)1 << 63)));
            else {
                v = v >> 63 ? v & ~((uint64_t)1 << 63) : ~v;
                double d;
                memcpy(&d, &v, 8);
                sqlite3_bind_double(st, p, d);
            }
            break;
        }
        default:
            sqlite3_bind_null(st, p);
        }
    }
    for (int col = 0; col < ncols; col++) {
        uint8_t tag = tags[col];
        if (tag & RUN_IN_KEY)
            continue;
        int p = first_param + col;
        switch (tag & 3) {
        case 1: {
            uint32_t len;
            q = get_varint(q, &len);
            sqlite3_bind_text(st, p, (const char *)q, (int)len, SQLITE_STATIC);
            q += len;
            break;
        }
        case 2: {
            int64_t i;
            memcpy(&i, q, 8);
            sqlite3_bind_int64(st, p, i);
            q += 8;
            break;
        }
        case 3: {
            double d;
            memcpy(&d, q, 8);
            sqlite3_bind_double(st, p, d);
            q += 8;
            break;
        }
        default:
            if (!(tag & RUN_IN_KEY))
                sqlite3_bind_null(st, p);
        }
    }
}

/* Writes the rejects and findings of the spilled batches of later files
 * waiting in the queue (their rows are in runs), so that the reader thread
 * is not held up by a merge: it goes on reading the next file. */
static int drain_spilled(load_ctx *c, pipeline *p, int current)
{
    slds_file_result *cur = c->cur;
    const char *cur_file = c->cur_file;
    int rc = SLDS_OK;
    while (!rc) {
        batch *b = NULL;
        pthread_mutex_lock(&p->lock);
        if (p->nfull && p->full[0]->spilled && p->full[0]->file > current) {
            b = p->full[0];
            memmove(p->full, p->full + 1, (size_t)--p->nfull * sizeof *p->full);
        }
        pthread_mutex_unlock(&p->lock);
        if (!b)
            break;
        file_job *job = &p->jobs[b->file];
        c->cur = job->res;
        c->cur_file = job->def->file;
        rc = write_batch(c, job->def, NULL, NULL, b);
        job->got_last |= b->last;
        pipeline_give(p, b, false);
    }
    c->cur = cur;
    c->cur_file = cur_file;
    return rc;
}

/* Writes the rows of a sorted file: its runs merged by key, so each insert
 * appends to the table's B-tree. The runs are read through a map of the
 * temporary file; the pages of what was written are given back as the
 * merge goes (memory stays about a MiB a run). */
static int merge_runs(load_ctx *c, pipeline *p, int current, sqlite3_stmt *insert, sqlite3_stmt *insert_many)
{
    file_job *job = &p->jobs[current];
    const slds_file_def *def = job->def;
    int ncols = def->ncolumns;
    int key_columns[17];
    natural_key_columns(def, key_columns);
    if (!job->nruns || !job->spill_size)
        return SLDS_OK;
    unsigned char *map = mmap(NULL, (size_t)job->spill_size, PROT_READ, MAP_SHARED, job->spill_fd, 0);
    if (map == MAP_FAILED)
        return slds_fail(c->err, SLDS_ERR_IO, "cannot map the temporary file that sorts %s: %s", def->file,
                         strerror(errno));
    run_cursor *runs = malloc(job->nruns * sizeof *runs);
    run_cursor **heap = malloc(job->nruns * sizeof *heap);
    if (!runs || !heap) {
        free(runs);
        free(heap);
        munmap(map, (size_t)job->spill_size);
        return nomem(c);
    }
    size_t n = 0;
    for (size_t r = 0; r < job->nruns; r++) {
        uint64_t end = r + 1 < job->nruns ? job->runs[r + 1] : job->spill_size;
        runs[r] = (run_cursor){map + job->runs[r], map + end, NULL, 0, 0, job->runs[r], (int)r};
        if (runs[r].rec < runs[r].end) {
            cursor_load(&runs[r]);
            heap[n++] = &runs[r];
        }
    }
    for (size_t i = n / 2; i-- > 0;)
        heap_down(heap, n, i);
    long page = sysconf(_SC_PAGESIZE);
    uint64_t left = job->spilled_rows;
    int rc = SLDS_OK;
    for (unsigned statements = 0; n && !rc; statements++) {
        if ((statements & 63) == 0 && (rc = drain_spilled(c, p, current)))
            break;
        int rows = insert_many && left >= ROWS_PER_STATEMENT ? ROWS_PER_STATEMENT : 1;
        sqlite3_stmt *st = rows > 1 ? insert_many : insert;
        for (int r = 0; r < rows && n; r++) {
            run_cursor *top = heap[0];
            bind_record(st, r * ncols + 1, top, ncols, key_columns);
            uint16_t len;
            memcpy(&len, top->rec, 2);
            top->rec += len;
            if (top->rec < top->end) {
                cursor_load(top);
                __builtin_prefetch(top->rec + 64);
            } else
                heap[0] = heap[--n];
            heap_down(heap, n, 0);
        }
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = db_error(c, def->table);
            break;
        }
        c->cur->loaded += rows;
        left -= (uint64_t)rows;
        /* the rows bound so far are written: give their pages back */
        for (size_t i = 0; i < n; i++) {
            run_cursor *x = heap[i];
            uint64_t at = (uint64_t)(x->rec - map) & ~(uint64_t)(page - 1);
            if (at >= x->released + (1u << 20)) {
                uint64_t from = x->released & ~(uint64_t)(page - 1);
                madvise(map + from, (size_t)(at - from), MADV_DONTNEED);
                x->released = at;
            }
        }
    }
    free(runs);
    free(heap);
    munmap(map, (size_t)job->spill_size);
    return rc;
}

/* ---- a group of plain files -------------------------------------------- */

struct plain_group {
    pipeline p;
    batch batches[NBATCHES];
    file_job jobs[SLDS_MAX_FILES];
    int n;
    int rc; /* of the start */
    pthread_t reader;
    bool started, locks;
};

/* Starts the reading thread of the plain files defs[0..n) (every file but
 * students.csv and enrollments.csv). Gated, it waits for plain_group_open
 * before reading a row (the group after enrollments.csv starts while the
 * spells are being written: it needs only their in-memory sets). With
 * --replace, n is 1 (the file's scope is read before its rows and deleted
 * after them). Returns NULL when out of memory; a group's failure to start
 * is returned by plain_group_finish. */
plain_group *plain_group_start(load_ctx *c, const slds_file_def *const *defs, const char *const *paths,
                               slds_file_result *results, int n, bool gated, uint64_t bytes_base)
{
    plain_group *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pipeline *p = &g->p;
    *p = (pipeline){.c = c, .njobs = n, .replace = c->opt.replace_lea != NULL, .bytes_base = bytes_base,
                    .gated = gated, .jobs = g->jobs};
    g->n = n;
    int rc = SLDS_OK;
    int ncols = 0;
    for (int j = 0; j < n && !rc; j++) {
        struct stat st;
        g->jobs[j] = (file_job){.def = defs[j], .path = paths[j], .res = &results[j], .spill_fd = -1,
                                .size = stat(paths[j], &st) == 0 ? (uint64_t)st.st_size : 0};
        if (defs[j]->ncolumns > ncols)
            ncols = defs[j]->ncolumns;
        /* No file of the group writes another's table: empty now, empty when its file starts. */
        int held = table_has_rows(c, defs[j]->table);
        if (held < 0)
            rc = c->err->code;
        g->jobs[j].sorted = held == 0;
    }
    p->sort.keys = malloc(BATCH_ROWS * sizeof *p->sort.keys);
    p->sort.tmp = malloc(BATCH_ROWS * sizeof *p->sort.tmp);
    if (!rc && (!p->sort.keys || !p->sort.tmp))
        rc = nomem(c);
    for (int i = 0; i < NBATCHES && !rc; i++) {
        if (!batch_init(&g->batches[i], ncols, p->replace))
            rc = nomem(c);
        else
            p->empty[p->nempty++] = &g->batches[i];
    }
    if (!rc) {
        if (pthread_mutex_init(&p->lock, NULL))
            rc = slds_fail(c->err, SLDS_ERR_NOMEM, "cannot create a lock");
        else if (pthread_cond_init(&p->changed, NULL)) {
            pthread_mutex_destroy(&p->lock);
            rc = slds_fail(c->err, SLDS_ERR_NOMEM, "cannot create a lock");
        } else
            g->locks = true;
    }
    if (!rc && pthread_create(&g->reader, NULL, pipeline_reader, p))
        rc = slds_fail(c->err, SLDS_ERR_NOMEM, "cannot start the reader thread");
    else if (!rc)
        g->started = true;
    g->rc = rc;
    return g;
}

void plain_group_open(plain_group *g)
{
    if (!g || !g->locks)
        return;
    pthread_mutex_lock(&g->p.lock);
    g->p.gate_open = true;
    pthread_cond_broadcast(&g->p.changed);
    pthread_mutex_unlock(&g->p.lock);
}

/* Writes the group's files (the calling thread writes while the reading
 * thread reads), then stops the thread and frees the group. abort: the load
 * failed before the group's turn: only stop and free. Fills results[j]
 * (seconds too) and digests[j]. */
int plain_group_finish(load_ctx *c, plain_group *g, uint64_t *digests, bool abort)
{
    if (!g)
        return abort ? c->err->code : nomem(c);
    pipeline *p = &g->p;
    file_job *jobs = g->jobs;
    int n = g->n;
    int rc = abort ? -2 : g->rc;
    if (!abort)
        plain_group_open(g); /* (opened already when the spells' sets were built) */
    for (int j = 0; j < n && !rc; j++) {
        file_job *job = &jobs[j];
        const slds_file_def *def = job->def;
        double start = slds_now();
        c->cur = job->res;
        c->cur_file = def->file;
        sqlite3_stmt *insert = NULL, *insert_many = NULL;
        slds_buf deferred = {0};
        const char *names[16];
        for (int i = 0; i < def->ncolumns; i++)
            names[i] = def->columns[i].name;
        rc = prepare_insert(c, def->table, names, def->ncolumns, def->natural_key, &insert);
        if (!rc)
            rc = prepare_insert_rows(c, def->table, names, def->ncolumns, def->natural_key, ROWS_PER_STATEMENT,
                                     &insert_many);
        /* A table empty when its file starts (a first load) is filled without
         * its secondary indexes, which are built once at the end of the file. */
        if (!rc && job->sorted)
            rc = indexes_defer(c, def->table, &deferred);
        /* --replace: the scope's stored rows are read while the reader
         * thread parses the first batches. */
        if (p->replace) {
            if (!rc)
                rc = replace_scope_read(c, def);
            pthread_mutex_lock(&p->lock);
            p->scope_ready = true;
            p->writer_failed |= rc != SLDS_OK;
            pthread_cond_broadcast(&p->changed);
            pthread_mutex_unlock(&p->lock);
        }
        bool last = job->got_last;
        batch *b;
        while (!rc && !last && (b = pipeline_take(p, true))) {
            rc = b->file == j ? write_batch(c, def, insert, insert_many, b)
                              : slds_fail(c->err, SLDS_ERR_DB, "internal error: batches out of order");
            last = b->last;
            pipeline_give(p, b, false);
        }
        if (!rc && !last)
            rc = -1; /* the reader stopped: its error is taken below */
        if (!rc && job->sorted)
            rc = merge_runs(c, p, j, insert, insert_many);
        if (!rc)
            rc = places_record(c, job->places, job->nplaces);
        if (!rc)
            rc = indexes_restore(c, &deferred);
        slds_buf_free(&deferred);
        if (!rc && p->replace)
            rc = replace_scope_delete(c, def);
        c->scope.active = false;
        sqlite3_finalize(insert);
        sqlite3_finalize(insert_many);
        if (job->spill_fd >= 0) {
            close(job->spill_fd);
            job->spill_fd = -1;
        }
        c->cur->read += job->read;
        digests[j] = job->digest;
        c->cur->seconds = slds_now() - start;
    }
    if (g->started) {
        if (rc) {
            pthread_mutex_lock(&p->lock);
            p->writer_failed = true;
            pthread_cond_broadcast(&p->changed);
            pthread_mutex_unlock(&p->lock);
        }
        pthread_join(g->reader, NULL);
        if (rc == -1 || (!rc && p->reader_rc)) {
            *c->err = p->reader_err;
            rc = p->reader_rc ? p->reader_rc : SLDS_ERR_DB;
        }
    }
    if (rc == -2)
        rc = c->err->code; /* aborted: the load's error stands */
    if (g->locks) {
        pthread_cond_destroy(&p->changed);
        pthread_mutex_destroy(&p->lock);
    }
    if (!abort)
        c->bytes_done = p->bytes_base;
    for (int j = 0; j < n; j++) {
        if (jobs[j].spill_fd >= 0)
            close(jobs[j].spill_fd);
        free(jobs[j].places);
        free(jobs[j].runs);
    }
    for (int i = 0; i < NBATCHES; i++)
        batch_free(&g->batches[i]);
    free(p->sort.keys);
    free(p->sort.tmp);
    slds_buf_free(&p->sort.bytes);
    slds_buf_free(&p->spill);
    slds_map64_free(&p->place_seen);
    free(g);
    return rc;
}

int load_plain_files(load_ctx *c, const slds_file_def *const *defs, const char *const *paths,
                     slds_file_result *results, uint64_t *digests, int n)
{
    plain_group *g = plain_group_start(c, defs, paths, results, n, false, c->bytes_done);
    return plain_group_finish(c, g, digests, false);
}
