/* csv.h - a streaming RFC 4180 CSV reader for collection files.
 *
 * Reads a file (or a memory buffer) one record at a time in constant memory
 * (a fixed window, grown only for a single record longer than it). Fields are
 * unquoted in place and NUL-terminated; they stay valid until the next call.
 *
 * What the reader decides and what it leaves to the caller:
 *  - file-level faults end the file with an error naming file and line:
 *    a NUL byte (binary data), a quote left open at end of file, a record
 *    longer than SLDS_CSV_MAX_RECORD or with more than SLDS_CSV_MAX_FIELDS
 *    fields;
 *  - record-level faults are reported on the record so the caller can reject
 *    that row and go on: invalid UTF-8 (bad_utf8_field), a character after a
 *    closing quote (bad_quote_field).
 * A UTF-8 byte-order mark at the start is skipped; CRLF and LF both end lines. */
#ifndef SLDS_INGEST_CSV_H
#define SLDS_INGEST_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"

#define SLDS_CSV_MAX_RECORD (16u << 20)
/* Fields per record (the widest contract file has 10 columns). */
#define SLDS_CSV_MAX_FIELDS 4096

typedef struct slds_csv_record {
    int nfields;
    char **fields;      /* nfields NUL-terminated strings, borrowed from the reader */
    size_t *lengths;    /* byte length of each field */
    long line;          /* line on which the record starts (1-based) */
    long end_line;      /* line on which it ends (differs when a quoted field spans lines) */
    int bad_utf8_field;  /* index of the first field with invalid UTF-8, or -1 */
    int bad_quote_field; /* index of the first field with text after its closing quote, or -1 */
} slds_csv_record;

typedef struct slds_csv slds_csv;

/* Opens a file (a name ending in .gz is decompressed as it is read); *out is
 * owned by the caller (slds_csv_close). */
int slds_csv_open(slds_csv **out, const char *path, slds_error *err);
/* Reads from memory (not copied; must outlive the reader). name is used in messages. */
int slds_csv_open_mem(slds_csv **out, const char *name, const char *data, size_t len,
                      slds_error *err);
void slds_csv_close(slds_csv *r);
/* Numbers the input's first line `line` instead of 1 (before the first
 * slds_csv_next): a file cut from a longer stream (`slds ingest`) names the
 * stream's lines in its records and messages. */
void slds_csv_set_first_line(slds_csv *r, long line);

/* Reads the next record into *rec. Returns 1 when a record was read, 0 at the
 * end of the file, -1 on a file-level error (err filled, naming file and line). */
int slds_csv_next(slds_csv *r, slds_csv_record *rec, slds_error *err);

/* Bytes consumed so far and the file size (0 if unknown, as for .gz), for progress bars. */
size_t slds_csv_offset(const slds_csv *r);
size_t slds_csv_size(const slds_csv *r);
/* Digest (64-bit FNV-1a) of every byte read so far: identifies a file's content. */
uint64_t slds_csv_digest(const slds_csv *r);

/* Writes s as one RFC 4180 field: quoted (with doubled quotes) only when it
 * holds a comma, quote or line break; NULL writes nothing (a blank field). */
void slds_csv_write_field(FILE *out, const char *s);

/* Writes s as a field of a report (rejects, findings, result tables): like
 * slds_csv_write_field, but a value a spreadsheet would run as a formula
 * (starting with =, @, tab, CR, or + or - not followed by a number) is
 * prefixed with an apostrophe, the common convention; -3.5 stays -3.5.
 * Collection files written for loading use slds_csv_write_field instead. */
void slds_csv_write_text_field(FILE *out, const char *s);
/* True when a spreadsheet would take s as a formula (see above). */
bool slds_csv_is_formula(const char *s);

/* True when s (len bytes) is valid UTF-8 (no overlongs, no surrogates). */
bool slds_utf8_valid(const char *s, size_t len);

#endif
