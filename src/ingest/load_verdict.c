/* load_verdict.c - what becomes of a row that fails a rule: a reject (kept
 * with file, line, column, value and rule) or a finding (loaded and listed). */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>


/* ---- rejects ---------------------------------------------------------- */

/* Copies value for a message: at most 200 bytes, bytes outside printable
 * ASCII/valid UTF-8 written as \xNN so a reject never carries broken text. */
void printable_value(const char *v, size_t len, char *out, size_t size)
{
    size_t w = 0;
    bool utf8 = slds_utf8_valid(v, len);
    for (size_t i = 0; i < len && w + 5 < size && i < 200; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && !utf8))
            w += (size_t)snprintf(out + w, size - w, "\\x%02X", ch);
        else
            out[w++] = (char)ch;
    }
    out[w] = '\0';
}

int reject_row(load_ctx *c, long line, const char *column, const char *value, size_t len,
                      const char *reason)
{
    char shown[1024];
    printable_value(value ? value : "", value ? len : 0, shown, sizeof shown);
    sqlite3_stmt *st = c->reject_stmt;
    sqlite3_bind_text(st, 1, c->cur_file, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, line);
    if (column)
        sqlite3_bind_text(st, 3, column, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, shown, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return db_error(c, "recording a rejected row");
    c->cur->rejected++;
    return SLDS_OK;
}


const char *const slds_load_id_sources[4] = {"DISTRICT", "MATCHED_LOCAL", "MATCHED_IDENTITY", "ASSIGNED"};

int nomem(load_ctx *c)
{
    return slds_fail(c->err, SLDS_ERR_NOMEM, "out of memory while loading %s",
                     c->cur_file ? c->cur_file : "the collection");
}

int db_error(load_ctx *c, const char *what)
{
    return slds_fail(c->err, SLDS_ERR_DB, "%s: %s: %s", c->store->path, what,
                     sqlite3_errmsg(c->store->db));
}
