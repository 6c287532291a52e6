/* table.c - the typed result table (table.h): columns, cells, rows in memory
 * or streamed, and reading cells back. Rendering is in render.c, SVG in svg.c.
 *
 * A cell is a tagged value; a table keeps its rows as one array of cells,
 * row-major. A streaming table keeps only the row being filled: add_row
 * renders the previous one (render.c) and drops it. */
#include "table/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* s copied at *at (which moves past it); NULL stays NULL. */
static char *copy_into(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = memcpy(*at, s, n);
    *at += n;
    return p;
}

static void cell_clear(slds_cell *c)
{
    if (c->type == SLDS_CELL_LIST) { /* a text belongs to the table's chunks */
        for (size_t i = 0; i < c->v.list.n; i++)
            free(c->v.list.items[i]);
        free(c->v.list.items);
    }
    memset(c, 0, sizeof *c);
}

/* Every text chunk but the newest (kept, emptied, for the next rows) or
 * all of them. */
static void free_texts(slds_table *t, bool all)
{
    slds_text_chunk *keep = all ? NULL : t->texts, *k = keep ? keep->next : t->texts;
    while (k) {
        slds_text_chunk *next = k->next;
        free(k);
        k = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    t->texts = keep;
}

static void clear_rows(slds_table *t)
{
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
        cell_clear(&t->cells[i]);
    t->nrows = 0;
    free_texts(t, false);
}

/* A copy of s (n bytes and a NUL) in the table's text chunks; NULL when
 * out of memory. */
static char *text_copy(slds_table *t, const char *s, size_t n)
{
    slds_text_chunk *k = t->texts;
    if (!k || k->cap - k->used < n + 1) {
        size_t cap = k ? 2 * k->cap : 1024;
        if (cap > 65536)
            cap = 65536;
        if (cap < n + 1)
            cap = n + 1;
        slds_text_chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = k;
        c->used = 0;
        c->cap = cap;
        t->texts = k = c;
    }
    char *p = k->data + k->used;
    memcpy(p, s, n);
    p[n] = '\0';
    k->used += n + 1;
    return p;
}

void slds_table_free(slds_table *t)
{
    if (!t)
        return;
    if (t->cells)
        clear_rows(t);
    for (size_t i = 0; i < t->ntotals; i++)
        free(t->totals[i].parts);
    free(t->totals);
    free(t->cols);
    free(t->cells);
    free(t->strings);
    free(t->render);
    free_texts(t, true);
    free(t);
}

static int spec_check(const slds_column_spec *cols, int ncols, int c, slds_error *err)
{
    if (!cols[c].name || !*cols[c].name)
        return slds_fail(err, SLDS_ERR_USAGE, "table: column %d has no name", c);
    for (int k = 0; k < c; k++)
        if (!strcmp(cols[k].name, cols[c].name))
            return slds_fail(err, SLDS_ERR_USAGE, "table: column '%s' twice", cols[c].name);
    if (cols[c].sums_to) {
        int found = -1;
        for (int k = 0; k < ncols; k++)
            if (!strcmp(cols[k].name, cols[c].sums_to))
                found = k;
        if (cols[c].role != SLDS_ROLE_COUNT || found < 0 ||
            (cols[found].role != SLDS_ROLE_COUNT && cols[found].role != SLDS_ROLE_SIZE))
            return slds_fail(err, SLDS_ERR_USAGE,
                             "table: column '%s' sums to '%s', which is not a count of the table",
                             cols[c].name, cols[c].sums_to);
    }
    if (cols[c].derives_from) {
        int found = -1;
        for (int k = 0; k < ncols; k++)
            if (!strcmp(cols[k].name, cols[c].derives_from))
                found = k;
        if (cols[c].role != SLDS_ROLE_STATISTIC || found < 0 ||
            (cols[found].role != SLDS_ROLE_COUNT && cols[found].role != SLDS_ROLE_SIZE))
            return slds_fail(err, SLDS_ERR_USAGE,
                             "table: column '%s' derives from '%s', which is not a count of the "
                             "table",
                             cols[c].name, cols[c].derives_from);
    }
    if (cols[c].denominator) {
        int found = -1;
        for (int k = 0; k < ncols; k++)
            if (!strcmp(cols[k].name, cols[c].denominator))
                found = k;
        if (cols[c].role != SLDS_ROLE_STATISTIC || found < 0 ||
            (cols[found].role != SLDS_ROLE_COUNT && cols[found].role != SLDS_ROLE_SIZE))
            return slds_fail(err, SLDS_ERR_USAGE,
                             "table: column '%s' is a share of '%s', which is not a count of the "
                             "table",
                             cols[c].name, cols[c].denominator);
    }
    return SLDS_OK;
}

int slds_table_new(slds_table **out, const char *name, const char *title,
                   const slds_column_spec *cols, int ncols, slds_error *err)
{
    *out = NULL;
    if (!name || !*name || ncols <= 0 || !cols)
        return slds_fail(err, SLDS_ERR_USAGE, "table: a table needs a name and columns");
    for (int c = 0; c < ncols; c++) {
        int rc = spec_check(cols, ncols, c, err);
        if (rc)
            return rc;
    }
    /* Every string copied into one block (a table is made at every
     * request of a page: one allocation instead of one per string). */
    size_t bytes = strlen(name) + 1 + (title ? strlen(title) + 1 : 0);
    for (int c = 0; c < ncols; c++) {
        const char *strs[] = {cols[c].name, cols[c].unit, cols[c].sums_to, cols[c].derives_from,
                              cols[c].denominator};
        for (size_t k = 0; k < sizeof strs / sizeof *strs; k++)
            bytes += strs[k] ? strlen(strs[k]) + 1 : 0;
    }
    slds_table *t = calloc(1, sizeof *t);
    if (!t)
        return slds_fail(err, SLDS_ERR_NOMEM, "table: out of memory");
    t->ncols = ncols;
    t->cols = calloc((size_t)ncols, sizeof *t->cols);
    t->strings = malloc(bytes);
    if (!t->cols || !t->strings) {
        slds_table_free(t);
        return slds_fail(err, SLDS_ERR_NOMEM, "table: out of memory");
    }
    char *at = t->strings;
    t->name = copy_into(&at, name);
    t->title = copy_into(&at, title);
    for (int c = 0; c < ncols; c++) {
        t->cols[c] = cols[c];
        t->cols[c].name = copy_into(&at, cols[c].name);
        t->cols[c].unit = copy_into(&at, cols[c].unit);
        t->cols[c].sums_to = copy_into(&at, cols[c].sums_to);
        t->cols[c].derives_from = copy_into(&at, cols[c].derives_from);
        t->cols[c].denominator = copy_into(&at, cols[c].denominator);
    }
    *out = t;
    return SLDS_OK;
}

const char *slds_table_name(const slds_table *t) { return t->name; }
const char *slds_table_title(const slds_table *t) { return t->title; }
int slds_table_ncols(const slds_table *t) { return t->ncols; }
size_t slds_table_nrows(const slds_table *t) { return t->nrows; }
int slds_table_status(const slds_table *t) { return t->status; }

const slds_column_spec *slds_table_column(const slds_table *t, int col)
{
    return col >= 0 && col < t->ncols ? &t->cols[col] : NULL;
}

int slds_table_find_column(const slds_table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c].name, name))
            return c;
    return -1;
}

/* Records the first failure on the table and returns rc. */
static int stick(slds_table *t, int rc)
{
    if (rc && !t->status)
        t->status = rc;
    return rc;
}

int slds_table_add_row(slds_table *t, slds_error *err)
{
    if (t->status)
        return t->status;
    if (t->render && t->render->streaming && t->nrows) {
        int rc = slds_render_stream_row(t, err);
        clear_rows(t);
        if (rc)
            return stick(t, rc);
    }
    if (t->nrows == t->caprows) {
        size_t cap = t->caprows ? t->caprows * 2 : 16;
        slds_cell *cells = realloc(t->cells, cap * (size_t)t->ncols * sizeof *cells);
        if (!cells)
            return stick(t, slds_fail(err, SLDS_ERR_NOMEM, "table %s: out of memory", t->name));
        t->cells = cells;
        t->caprows = cap;
    }
    memset(t->cells + t->nrows * (size_t)t->ncols, 0, (size_t)t->ncols * sizeof *t->cells);
    t->nrows++;
    return SLDS_OK;
}

/* The cell of the row being filled, after checking col and its type. */
static slds_cell *current(slds_table *t, int col, slds_cell_type type, slds_error *err)
{
    if (t->status)
        return NULL;
    if (!t->nrows) {
        stick(t, slds_fail(err, SLDS_ERR_USAGE, "table %s: a cell set before any row", t->name));
        return NULL;
    }
    if (col < 0 || col >= t->ncols) {
        stick(t, slds_fail(err, SLDS_ERR_USAGE, "table %s: no column %d (it has %d)", t->name, col,
                           t->ncols));
        return NULL;
    }
    if (t->cols[col].type != type) {
        stick(t, slds_fail(err, SLDS_ERR_USAGE, "table %s: column %s is not of the type set",
                           t->name, t->cols[col].name));
        return NULL;
    }
    slds_cell *c = &t->cells[(t->nrows - 1) * (size_t)t->ncols + (size_t)col];
    cell_clear(c);
    c->type = type;
    return c;
}

static int set_string(slds_table *t, int col, slds_cell_type type, const char *s, slds_error *err)
{
    slds_cell *c = current(t, col, type, err);
    if (!c)
        return t->status;
    if (!s || !*s)
        return SLDS_OK;
    if (!(c->v.s = text_copy(t, s, strlen(s))))
        return stick(t, slds_fail(err, SLDS_ERR_NOMEM, "table %s: out of memory", t->name));
    c->set = true;
    return SLDS_OK;
}

int slds_table_set_text(slds_table *t, int col, const char *s, slds_error *err)
{
    return set_string(t, col, SLDS_CELL_TEXT, s, err);
}

int slds_table_set_date(slds_table *t, int col, const char *iso, slds_error *err)
{
    return set_string(t, col, SLDS_CELL_DATE, iso, err);
}

int slds_table_set_integer(slds_table *t, int col, long long v, slds_error *err)
{
    slds_cell *c = current(t, col, SLDS_CELL_INTEGER, err);
    if (!c)
        return t->status;
    c->v.i = v;
    c->set = true;
    return SLDS_OK;
}

int slds_table_set_real(slds_table *t, int col, double v, slds_error *err)
{
    slds_cell *c = current(t, col, SLDS_CELL_REAL, err);
    if (!c)
        return t->status;
    c->v.r = v;
    c->set = isfinite(v);
    return SLDS_OK;
}

int slds_table_set_boolean(slds_table *t, int col, bool v, slds_error *err)
{
    slds_cell *c = current(t, col, SLDS_CELL_BOOLEAN, err);
    if (!c)
        return t->status;
    c->v.b = v;
    c->set = true;
    return SLDS_OK;
}

int slds_table_list_add(slds_table *t, int col, const char *s, slds_error *err)
{
    if (t->status)
        return t->status;
    if (!t->nrows || col < 0 || col >= t->ncols || t->cols[col].type != SLDS_CELL_LIST)
        return stick(t, slds_fail(err, SLDS_ERR_USAGE, "table %s: column %d is not a list",
                                  t->name, col));
    slds_cell *c = &t->cells[(t->nrows - 1) * (size_t)t->ncols + (size_t)col];
    c->type = SLDS_CELL_LIST;
    char **items = realloc(c->v.list.items, (c->v.list.n + 1) * sizeof *items);
    if (!items)
        return stick(t, slds_fail(err, SLDS_ERR_NOMEM, "table %s: out of memory", t->name));
    c->v.list.items = items;
    if (!(items[c->v.list.n] = strdup(s ? s : "")))
        return stick(t, slds_fail(err, SLDS_ERR_NOMEM, "table %s: out of memory", t->name));
    c->v.list.n++;
    c->set = true;
    return SLDS_OK;
}

/* ------------------------------------------------------------- reading */

const slds_cell *slds_table_cell(const slds_table *t, size_t row, int col)
{
    if (row >= t->nrows || col < 0 || col >= t->ncols)
        return NULL;
    return &t->cells[row * (size_t)t->ncols + (size_t)col];
}

bool slds_table_is_blank(const slds_table *t, size_t row, int col)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    return !c || !c->set;
}

const char *slds_table_text(const slds_table *t, size_t row, int col)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    return c && c->set && (c->type == SLDS_CELL_TEXT || c->type == SLDS_CELL_DATE) ? c->v.s : NULL;
}

long long slds_table_integer(const slds_table *t, size_t row, int col)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    if (!c || !c->set)
        return 0;
    return c->type == SLDS_CELL_INTEGER ? c->v.i : c->type == SLDS_CELL_REAL ? (long long)c->v.r : 0;
}

double slds_table_real(const slds_table *t, size_t row, int col)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    if (!c || !c->set)
        return NAN;
    return c->type == SLDS_CELL_INTEGER ? (double)c->v.i : c->type == SLDS_CELL_REAL ? c->v.r : NAN;
}

bool slds_table_boolean(const slds_table *t, size_t row, int col)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    return c && c->set && c->type == SLDS_CELL_BOOLEAN && c->v.b;
}

size_t slds_table_list_size(const slds_table *t, size_t row, int col)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    return c && c->set && c->type == SLDS_CELL_LIST ? c->v.list.n : 0;
}

const char *slds_table_list_item(const slds_table *t, size_t row, int col, size_t i)
{
    return i < slds_table_list_size(t, row, col) ? slds_table_cell(t, row, col)->v.list.items[i]
                                                 : NULL;
}

void slds_table_suppress(slds_table *t, size_t row, int col)
{
    if (row < t->nrows && col >= 0 && col < t->ncols)
        t->cells[row * (size_t)t->ncols + (size_t)col].suppressed = true;
}

bool slds_table_is_suppressed(const slds_table *t, size_t row, int col)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    return c && c->suppressed;
}

void slds_table_code_range(slds_table *t, size_t row, int col, bool at_most, double bound)
{
    if (row < t->nrows && col >= 0 && col < t->ncols) {
        slds_cell *c = &t->cells[row * (size_t)t->ncols + (size_t)col];
        c->range = at_most ? -1 : 1;
        c->range_bound = bound;
    }
}

void slds_table_code_interval(slds_table *t, size_t row, int col, double lo, int width)
{
    if (row < t->nrows && col >= 0 && col < t->ncols && width >= 1 && width <= 100) {
        slds_cell *c = &t->cells[row * (size_t)t->ncols + (size_t)col];
        c->range = 2;
        c->range_bound = lo;
        c->range_width = (unsigned char)width;
    }
}

bool slds_table_interval(const slds_table *t, size_t row, int col, double *lo, double *hi)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    if (!c || c->range != 2 || c->suppressed)
        return false;
    if (lo)
        *lo = c->range_bound;
    if (hi)
        *hi = c->range_bound + c->range_width;
    return true;
}

void slds_table_copy_marks(slds_table *dst, size_t drow, const slds_table *src, size_t srow, int col)
{
    const slds_cell *c = slds_table_cell(src, srow, col);
    if (!c || drow >= dst->nrows || col < 0 || col >= dst->ncols)
        return;
    slds_cell *d = &dst->cells[drow * (size_t)dst->ncols + (size_t)col];
    d->suppressed = c->suppressed;
    d->range = c->range;
    d->range_bound = c->range_bound;
    d->range_width = c->range_width;
}

int slds_table_range(const slds_table *t, size_t row, int col, double *bound)
{
    const slds_cell *c = slds_table_cell(t, row, col);
    if (!c || !c->range || c->suppressed)
        return 0;
    if (bound)
        *bound = c->range_bound;
    return c->range;
}

int slds_table_declare_total(slds_table *t, size_t total, const size_t *parts, size_t nparts,
                             slds_error *err)
{
    if (total != SLDS_TOTAL_ELSEWHERE && total >= t->nrows)
        return slds_fail(err, SLDS_ERR_USAGE, "table %s: total row %zu out of range", t->name, total);
    for (size_t i = 0; i < nparts; i++)
        if (parts[i] >= t->nrows)
            return slds_fail(err, SLDS_ERR_USAGE, "table %s: part row %zu out of range", t->name,
                             parts[i]);
    if (t->ntotals == t->captotals) {
        size_t cap = t->captotals ? 2 * t->captotals : 16;
        struct slds_total_decl *p = realloc(t->totals, cap * sizeof *p);
        if (!p)
            return slds_fail(err, SLDS_ERR_NOMEM, "table: out of memory");
        t->totals = p;
        t->captotals = cap;
    }
    size_t *copy_parts = malloc((nparts ? nparts : 1) * sizeof *copy_parts);
    if (!copy_parts)
        return slds_fail(err, SLDS_ERR_NOMEM, "table: out of memory");
    if (nparts)
        memcpy(copy_parts, parts, nparts * sizeof *parts);
    t->totals[t->ntotals++] = (struct slds_total_decl){total, nparts, copy_parts};
    return SLDS_OK;
}

size_t slds_table_ntotals(const slds_table *t) { return t->ntotals; }

size_t slds_table_total(const slds_table *t, size_t i, const size_t **parts, size_t *nparts)
{
    *parts = t->totals[i].parts;
    *nparts = t->totals[i].nparts;
    return t->totals[i].total;
}
