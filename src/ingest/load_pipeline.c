/* load_pipeline.c - the two-thread pipeline for plain files: a reader that
 * parses and checks rows into batches, the calling thread writes them. */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

#include <pthread.h>

/* ---- the two-thread pipeline for plain files -------------------------- */

/* Plain files (every file but students.csv and enrollments.csv) are loaded by
 * two threads: a reader that parses and checks rows and fills batches, and
 * the caller's thread, which writes them to SQLite. The reader alone touches
 * the in-memory sets; the writer alone touches the database. A batch carries
 * copies of the values, since the CSV window is reused. */
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
    return true;
}

typedef struct pipeline {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    batch *full[NBATCHES], *empty[NBATCHES];
    int nfull, nempty;
    bool reader_done, writer_failed;
    /* reader side */
    load_ctx *c;
    const slds_file_def *def;
    header_map h;
    slds_csv *csv;
    slds_error reader_err;
    int reader_rc;
    int64_t read;
    bool replace;     /* --replace: batches are filtered by the stored scope */
    bool scope_ready; /* the writer has read the stored scope (c->scope) */
    int key_columns[17]; /* the natural key's column indexes, -1 terminated */
    sort_buf sort;
    /* places of loaded rows that no spell covers (load_replace.c), each once */
    place *places;
    size_t nplaces, capplaces;
    slds_map64 place_seen;
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
static bool note_place(pipeline *p, const place *x)
{
    uint64_t k = key3(x->student, x->school, x->year);
    if (slds_map64_get(&p->place_seen, k, NULL))
        return true;
    if (!slds_map64_put(&p->place_seen, k, 1))
        return false;
    if (p->nplaces == p->capplaces) {
        size_t cap = p->capplaces ? p->capplaces * 2 : 64;
        place *n = realloc(p->places, cap * sizeof *n);
        if (!n)
            return false;
        p->places = n;
        p->capplaces = cap;
    }
    p->places[p->nplaces++] = *x;
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

static void *pipeline_reader(void *arg)
{
    pipeline *p = arg;
    load_ctx *c = p->c;
    const slds_file_def *def = p->def;
    slds_csv_record rec;
    row r;
    verdict v;
    batch *b = NULL;
    uint64_t bytes_base = c->bytes_done;
    int rc = SLDS_OK;
    for (;;) {
        if (!b) {
            b = pipeline_take(p, false);
            if (!b)
                break; /* the writer failed */
            b->nrows = 0;
            b->nfindings = 0;
            b->nwarned = 0;
            b->nskipped = 0;
            slds_buf_clear(&b->arena);
        }
        int got = slds_csv_next(p->csv, &rec, &p->reader_err);
        if (got <= 0) {
            rc = got < 0 ? p->reader_err.code : SLDS_OK;
            break;
        }
        if (rec.nfields == 1 && rec.lengths[0] == 0)
            continue; /* a blank line carries no row */
        p->read++;
        if ((p->read & 0xFFFF) == 0)
            slds_progress_report(c->progress, def->file, bytes_base + slds_csv_offset(p->csv),
                                 c->bytes_total);
        verdict_clear(&v);
        if (parse_row(def, &p->h, &rec, &r, &v)) {
            uint64_t h = natural_key_hash(def, p->key_columns, &r);
            key_set_prefetch(&c->file_keys, h);
            cross_check(c, def, &r, &v);
            /* The same natural key on an earlier loaded line of the file: this
             * row is rejected (checked last, so a row with a bad reference is
             * rejected for that). */
            int seen = key_set_get(&c->file_keys, h);
            if (seen == KEY_LOADED && !v.rejected)
                flag(c, &v, SLDS_RULE_KEY_DUPLICATE_IN_FILE, p->key_columns[0], r.raw[p->key_columns[0]],
                     r.rawlen[p->key_columns[0]], "natural key already given on an earlier line of this file");
            /* Keys of loaded rows (1) make later ones duplicates; keys of rows
             * rejected here (2) still protect their stored row from --replace. */
            if (seen != KEY_LOADED && !key_set_put(&c->file_keys, h, !v.rejected)) {
                rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
                break;
            }
            if (b->key_digest && !v.rejected) {
                /* --replace: the writer skips the row when it is stored as it is */
                b->key_digest[b->nrows] = h;
                b->values_digest[b->nrows] = row_values_digest(def, &r);
            }
        }
        if (!v.rejected && v.no_spell && !note_place(p, &v.place)) {
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
            filter_unchanged(p, b);
            if (!batch_sort(b, p->key_columns, def, &p->sort)) {
                rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
                break;
            }
            pipeline_give(p, b, true);
            b = NULL;
        }
    }
    if (b && !rc)
        filter_unchanged(p, b);
    if (b && !rc && !batch_sort(b, p->key_columns, def, &p->sort))
        rc = slds_fail(&p->reader_err, SLDS_ERR_NOMEM, "out of memory loading %s", def->file);
    if (b)
        pipeline_give(p, b, !rc); /* a batch that failed to sort is not written */
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
 * then its findings. */
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
    int end = b->norder;
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

/* Loads a plain file with the reader thread; the calling thread writes. */
int load_plain_file(load_ctx *c, const slds_file_def *def, slds_csv *csv, const header_map *h,
                           sqlite3_stmt *insert)
{
    pipeline p = {.c = c, .def = def, .h = *h, .csv = csv, .replace = c->opt.replace_lea != NULL};
    batch batches[NBATCHES];
    memset(batches, 0, sizeof batches);
    int rc = SLDS_OK;
    natural_key_columns(def, p.key_columns);
    sqlite3_stmt *insert_many = NULL;
    {
        const char *names[16];
        for (int i = 0; i < def->ncolumns; i++)
            names[i] = def->columns[i].name;
        rc = prepare_insert_rows(c, def->table, names, def->ncolumns, def->natural_key, ROWS_PER_STATEMENT,
                                 &insert_many);
    }
    p.sort.keys = malloc(BATCH_ROWS * sizeof *p.sort.keys);
    p.sort.tmp = malloc(BATCH_ROWS * sizeof *p.sort.tmp);
    if (!rc && (!p.sort.keys || !p.sort.tmp))
        rc = nomem(c);
    for (int i = 0; i < NBATCHES && !rc; i++) {
        if (!batch_init(&batches[i], def->ncolumns, c->opt.replace_lea != NULL))
            rc = nomem(c);
        else
            p.empty[p.nempty++] = &batches[i];
    }
    pthread_t reader;
    if (!rc && (pthread_mutex_init(&p.lock, NULL) || pthread_cond_init(&p.changed, NULL)))
        rc = slds_fail(c->err, SLDS_ERR_NOMEM, "cannot create a lock");
    if (!rc && pthread_create(&reader, NULL, pipeline_reader, &p))
        rc = slds_fail(c->err, SLDS_ERR_NOMEM, "cannot start the reader thread");
    if (!rc) {
        /* --replace: the scope's stored rows are read while the reader
         * thread parses the first batches. */
        if (p.replace) {
            rc = replace_scope_read(c, def);
            pthread_mutex_lock(&p.lock);
            p.scope_ready = true;
            p.writer_failed = rc != SLDS_OK;
            pthread_cond_broadcast(&p.changed);
            pthread_mutex_unlock(&p.lock);
        }
        batch *b;
        while ((b = pipeline_take(&p, true))) {
            if (!rc)
                rc = write_batch(c, def, insert, insert_many, b);
            if (rc) {
                pthread_mutex_lock(&p.lock);
                p.writer_failed = true;
                pthread_cond_broadcast(&p.changed);
                pthread_mutex_unlock(&p.lock);
            } else
                pipeline_give(&p, b, false);
        }
        pthread_join(reader, NULL);
        if (!rc && p.reader_rc) {
            *c->err = p.reader_err;
            rc = p.reader_rc;
        }
        if (!rc)
            rc = places_record(c, p.places, p.nplaces);
        pthread_cond_destroy(&p.changed);
        pthread_mutex_destroy(&p.lock);
    }
    c->cur->read += p.read;
    for (int i = 0; i < NBATCHES; i++)
        batch_free(&batches[i]);
    free(p.sort.keys);
    free(p.sort.tmp);
    slds_buf_free(&p.sort.bytes);
    free(p.places);
    slds_map64_free(&p.place_seen);
    sqlite3_finalize(insert_many);
    return rc;
}

