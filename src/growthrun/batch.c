/* batch.c - rows written GR_BATCH_ROWS at a time through one multi-row
 * INSERT (the rest of a table one by one): SQLite's per-statement work
 * (start, halt, opening the cursor) is then paid once for GR_BATCH_ROWS
 * rows instead of once per row, which is most of what a narrow row such as
 * growth_sgp's costs. The rows are held as values until the batch is full,
 * then bound all at once; a text value either borrows a string that outlives
 * the batch (ids, subject names) or is kept inline (dates). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growthrun/internal.h"

enum { V_NULL, V_INT, V_REAL, V_TEXT, V_INLINE };

static int prepare(slds_store *s, const char *table, int ncols, int rows, sqlite3_stmt **st,
                   slds_error *err)
{
    slds_buf sql = {0};
    int bad = slds_buf_printf(&sql, "INSERT INTO %s VALUES", table);
    for (int r = 0; r < rows && !bad; r++) {
        bad = slds_buf_puts(&sql, r ? ",(" : "(");
        for (int c = 0; c < ncols && !bad; c++)
            bad = slds_buf_puts(&sql, c ? ",?" : "?");
        bad = bad || slds_buf_puts(&sql, ")");
    }
    int rc = bad ? slds_fail(err, SLDS_ERR_NOMEM, "out of memory")
                 : slds_store_prepare(s, st, sql.data, err);
    slds_buf_free(&sql);
    return rc;
}

int gr_batch_open(gr_batch *b, slds_store *s, const char *table, int ncols, slds_error *err)
{
    memset(b, 0, sizeof *b);
    b->s = s;
    b->table = table;
    b->ncols = ncols;
    b->values = calloc((size_t)GR_BATCH_ROWS * (size_t)ncols, sizeof *b->values);
    if (!b->values)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    int rc = prepare(s, table, ncols, GR_BATCH_ROWS, &b->many, err);
    if (!rc)
        rc = prepare(s, table, ncols, 1, &b->one, err);
    return rc;
}

gr_value *gr_batch_row(gr_batch *b)
{
    gr_value *row = b->values + (size_t)b->rows * (size_t)b->ncols;
    for (int c = 0; c < b->ncols; c++)
        row[c].type = V_NULL;
    b->rows++;
    return row;
}

void gr_value_int(gr_value *v, int64_t x)
{
    v->type = V_INT;
    v->u.i = x;
}

void gr_value_real(gr_value *v, double x)
{
    if (isfinite(x)) {
        v->type = V_REAL;
        v->u.d = x;
    }
}

void gr_value_text(gr_value *v, const char *x)
{
    if (x && *x) {
        v->type = V_TEXT;
        v->u.t = x;
    }
}

void gr_value_inline(gr_value *v, const char *x)
{
    size_t n = x ? strlen(x) : 0;
    if (n && n < sizeof v->text) {
        v->type = V_INLINE;
        memcpy(v->text, x, n + 1);
    } else
        gr_value_text(v, NULL);
}

static void bind(sqlite3_stmt *st, int i, const gr_value *v)
{
    switch (v->type) {
    case V_INT:
        sqlite3_bind_int64(st, i, v->u.i);
        break;
    case V_REAL:
        sqlite3_bind_double(st, i, v->u.d);
        break;
    case V_TEXT:
        sqlite3_bind_text(st, i, v->u.t, -1, SQLITE_STATIC);
        break;
    case V_INLINE:
        sqlite3_bind_text(st, i, v->text, -1, SQLITE_STATIC);
        break;
    default:
        sqlite3_bind_null(st, i);
    }
}

static int run(gr_batch *b, sqlite3_stmt *st, const gr_value *v, int rows, slds_error *err)
{
    int n = rows * b->ncols;
    for (int i = 0; i < n; i++)
        bind(st, i + 1, &v[i]);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return slds_fail(err, SLDS_ERR_DB, "writing %s: %s", b->table, sqlite3_errmsg(b->s->db));
    return SLDS_OK;
}

int gr_batch_flush(gr_batch *b, int all, slds_error *err)
{
    int rc = SLDS_OK;
    if (b->rows == GR_BATCH_ROWS)
        rc = run(b, b->many, b->values, GR_BATCH_ROWS, err);
    else if (all)
        for (int r = 0; r < b->rows && !rc; r++)
            rc = run(b, b->one, b->values + (size_t)r * (size_t)b->ncols, 1, err);
    else
        return SLDS_OK;
    b->rows = 0;
    return rc;
}

void gr_batch_close(gr_batch *b)
{
    sqlite3_finalize(b->many);
    sqlite3_finalize(b->one);
    free(b->values);
    memset(b, 0, sizeof *b);
}
