/* internal.h - what table.c, render.c and svg.c share inside src/table: the
 * table's and the cell's layout. Not part of the public interface. */
#ifndef SLDS_TABLE_INTERNAL_H
#define SLDS_TABLE_INTERNAL_H

#include "table/table.h"

typedef struct slds_text_chunk {
    struct slds_text_chunk *next;
    size_t used, cap;
    char data[];
} slds_text_chunk;

typedef struct slds_cell {
    slds_cell_type type;
    bool set;        /* false: blank */
    bool suppressed; /* by src/privacy */
    signed char range; /* by src/privacy: -1 shown as "at most", +1 "at least" range_bound,
                        * 2 "range_bound-(range_bound + range_width)" */
    unsigned char range_width;
    double range_bound;
    union {
        char *s; /* TEXT, DATE: in the table's text chunks */
        long long i;
        double r;
        bool b;
        struct {
            char **items;
            size_t n;
        } list;
    } v;
} slds_cell;

/* Where a streamed (or deferred) table goes. */
typedef struct slds_render_state {
    slds_format fmt;
    FILE *out;
    bool streaming; /* rows are written as they complete (all but SLDS_FORMAT_TABLE) */
    size_t rows_written;
} slds_render_state;

struct slds_table {
    char *name, *title; /* in strings */
    int ncols;
    slds_column_spec *cols; /* its strings in strings */
    char *strings;          /* the name, title and every column's strings: one block */
    slds_cell *cells;       /* nrows * ncols, row-major */
    size_t nrows, caprows;
    int status; /* first failure, sticky */
    struct slds_total_decl {
        size_t total, nparts;
        size_t *parts;
    } *totals; /* declared totals (slds_table_declare_total) */
    size_t ntotals, captotals;
    slds_render_state *render;
    /* The texts of TEXT and DATE cells, copied one after another into
     * chunks (newest first) instead of one allocation per cell; freed with
     * the rows. */
    struct slds_text_chunk *texts;
};

const slds_cell *slds_table_cell(const slds_table *t, size_t row, int col);
/* Renders row 0 of a streaming table (the completed row). */
int slds_render_stream_row(slds_table *t, slds_error *err);

#endif
