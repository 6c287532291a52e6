/* load_verdict.c - what becomes of a row that breaks a rule: a reject (not
 * loaded; kept with file, line, column, value, rule and reason) or, for a
 * rule whose severity is warn, a finding (the row is loaded and the finding
 * kept with the same details and the row's district). */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

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

/* Copies value for a message: at most 200 bytes, bytes outside printable
 * ASCII/valid UTF-8 and control characters (C0, DEL, C1) written as \xNN so
 * a reject or finding never carries broken text or a terminal escape. */
void printable_value(const char *v, size_t len, char *out, size_t size)
{
    size_t w = 0;
    bool utf8 = slds_utf8_valid(v, len);
    for (size_t i = 0; i < len && w + 9 < size && i < 200; i++) {
        unsigned char ch = (unsigned char)v[i];
        bool c1 = utf8 && ch == 0xC2 && i + 1 < len && (unsigned char)v[i + 1] >= 0x80 &&
                  (unsigned char)v[i + 1] <= 0x9f;
        if (c1) {
            w += (size_t)snprintf(out + w, size - w, "\\x%02X\\x%02X", ch, (unsigned char)v[i + 1]);
            i++;
        } else if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && !utf8))
            w += (size_t)snprintf(out + w, size - w, "\\x%02X", ch);
        else
            out[w++] = (char)ch;
    }
    out[w] = '\0';
}

bool flag(const load_ctx *c, verdict *v, slds_rule rule, int col, const char *value, size_t vlen,
          const char *why)
{
    flagged *f;
    if (c->sev[rule] == SLDS_SEV_REJECT) {
        v->rejected = true;
        f = &v->reject;
    } else if (v->nwarn < MAX_WARNINGS)
        f = &v->warn[v->nwarn++];
    else
        return false;
    f->rule = rule;
    f->col = col;
    f->value = value;
    f->vlen = value ? vlen : 0;
    snprintf(f->why, sizeof f->why, "%s", why);
    return v->rejected;
}

/* Binds what a reject and a finding both record: file, line, column and the
 * value as shown (control characters made visible, length bounded). */
static void bind_place(load_ctx *c, sqlite3_stmt *st, long line, const char *column,
                       const char *value, size_t len)
{
    char shown[1024];
    printable_value(value ? value : "", value ? len : 0, shown, sizeof shown);
    sqlite3_bind_text(st, 1, c->cur_file, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, line);
    if (column)
        sqlite3_bind_text(st, 3, column, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, shown, -1, SQLITE_TRANSIENT);
}

int reject_row(load_ctx *c, long line, const char *column, const char *value, size_t len,
               slds_rule rule, const char *reason)
{
    sqlite3_stmt *st = c->reject_stmt;
    bind_place(c, st, line, column, value, len);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, slds_rules(&(int){0})[rule].id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return db_error(c, "recording a rejected row");
    c->cur->rejected++;
    c->res->rule_rejected[rule]++;
    return SLDS_OK;
}

int finding_row(load_ctx *c, long line, const char *column, const char *value, size_t len,
                slds_rule rule, const char *message, const char *lea)
{
    sqlite3_stmt *st = c->finding_stmt;
    bind_place(c, st, line, column, value, len);
    sqlite3_bind_text(st, 5, slds_rules(&(int){0})[rule].id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, message, -1, SQLITE_STATIC);
    if (lea)
        sqlite3_bind_text(st, 7, lea, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 7);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return db_error(c, "recording a finding");
    c->res->rule_warned[rule]++;
    return SLDS_OK;
}

int record_verdict(load_ctx *c, const slds_file_def *def, long line, const verdict *v,
                   const char *lea)
{
    if (v->rejected) {
        const flagged *f = &v->reject;
        return reject_row(c, line, f->col >= 0 ? def->columns[f->col].name : NULL, f->value, f->vlen,
                          f->rule, f->why);
    }
    for (int i = 0; i < v->nwarn; i++) {
        const flagged *f = &v->warn[i];
        int rc = finding_row(c, line, f->col >= 0 ? def->columns[f->col].name : NULL, f->value,
                             f->vlen, f->rule, f->why, lea);
        if (rc)
            return rc;
    }
    if (v->nwarn)
        c->cur->warned++;
    return SLDS_OK;
}

static int set_lea(load_ctx *c, uint32_t **arr, size_t *cap, uint32_t idx, uint32_t lea)
{
    size_t old = *cap;
    if (slds_grow_u32(arr, cap, idx))
        return nomem(c);
    for (size_t i = old; i < *cap; i++)
        (*arr)[i] = SLDS_NO_ID;
    (*arr)[idx] = lea;
    return SLDS_OK;
}

int set_school_lea(load_ctx *c, uint32_t school, uint32_t lea)
{
    return set_lea(c, &c->school_lea, &c->school_lea_cap, school, lea);
}

int set_student_lea(load_ctx *c, uint32_t student, uint32_t lea)
{
    if (student < c->student_lea_cap && c->student_lea[student] != SLDS_NO_ID)
        return SLDS_OK; /* the first district that keeps a record of the student */
    return set_lea(c, &c->student_lea, &c->student_lea_cap, student, lea);
}

static const char *lea_of(const load_ctx *c, const uint32_t *arr, size_t cap, const slds_intern *set,
                          const slds_value *v)
{
    if (v->blank)
        return NULL;
    uint32_t idx = slds_intern_find(set, v->text, v->len);
    if (idx == SLDS_NO_ID || idx >= cap || arr[idx] == SLDS_NO_ID)
        return NULL;
    return slds_intern_str(&c->leas, arr[idx]);
}

const char *row_district(const load_ctx *c, const slds_file_def *def, const row *r)
{
    int school = slds_contract_column(def, "school_id");
    if (school >= 0 && def->kind != SLDS_FILE_SCHOOLS) {
        const char *lea = lea_of(c, c->school_lea, c->school_lea_cap, &c->schools, &r->v[school]);
        if (lea)
            return lea;
    }
    int lea = slds_contract_column(def, "lea_id");
    if (lea >= 0 && !r->v[lea].blank) {
        uint32_t idx = slds_intern_find(&c->leas, r->v[lea].text, r->v[lea].len);
        return idx == SLDS_NO_ID ? NULL : slds_intern_str(&c->leas, idx);
    }
    int student = slds_contract_column(def, "student_id");
    if (student >= 0)
        return lea_of(c, c->student_lea, c->student_lea_cap, &c->students, &r->v[student]);
    return NULL;
}

void natural_key_columns(const slds_file_def *def, int *out)
{
    char key[256];
    int n = 0;
    snprintf(key, sizeof key, "%s", def->natural_key);
    for (char *save = NULL, *name = strtok_r(key, ", ", &save); name && n < 16;
         name = strtok_r(NULL, ", ", &save))
        out[n++] = slds_contract_column(def, name);
    out[n] = -1;
}

/* 64-bit digest of a natural key's canonical text, eight bytes at a time:
 * each word is folded in by a 64x64->128-bit multiply whose halves are
 * xored (the "mum" step of wyhash), the length last. It runs for every row
 * of every file (FNV-1a, a byte at a time, took about a tenth of the reader
 * thread). */
__extension__ typedef unsigned __int128 u128;

static inline uint64_t mum(uint64_t a, uint64_t b)
{
    u128 p = (u128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

uint64_t key_digest(const char *data, size_t len)
{
    const uint64_t s0 = 0xa0761d6478bd642full, s1 = 0xe7037ed1a0b428dbull, s2 = 0x8ebc6af09c88c6e3ull;
    uint64_t h = s0 ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        h = mum(h ^ w ^ s1, s2 ^ (uint64_t)i);
    }
    uint64_t tail = 0;
    memcpy(&tail, data + i, len - i);
    h = mum(h ^ tail ^ s1, s2 ^ len);
    return mum(h ^ s0, s1);
}

uint64_t natural_key_hash(const slds_file_def *def, const int *key_columns, const row *r)
{
    /* The canonical text of each key column, separated by 0x1f, as the
     * database returns it (a school year as its digits). */
    char buf[2048];
    size_t w = 0;
    for (const int *k = key_columns; *k >= 0; k++) {
        const slds_value *v = &r->v[*k];
        if (!v->blank && (def->columns[*k].type == SLDS_COL_YEAR || def->columns[*k].type == SLDS_COL_INT)) {
            /* decimal digits by hand: this runs for every row */
            char digits[24];
            int n = 0;
            uint64_t x = v->i < 0 ? (uint64_t)(-(v->i + 1)) + 1 : (uint64_t)v->i;
            do
                digits[n++] = (char)('0' + x % 10);
            while ((x /= 10) && n < 22);
            if (v->i < 0)
                buf[w++] = '-';
            while (n)
                buf[w++] = digits[--n];
        } else if (!v->blank) {
            size_t n = v->len < sizeof buf - w - 2 ? v->len : sizeof buf - w - 2;
            memcpy(buf + w, v->text, n);
            w += n;
        }
        if (w < sizeof buf - 1)
            buf[w++] = '\x1f';
    }
    return key_digest(buf, w);
}

const char *school_district(const load_ctx *c, uint32_t school)
{
    if (school >= c->school_lea_cap || c->school_lea[school] == SLDS_NO_ID)
        return NULL;
    return slds_intern_str(&c->leas, c->school_lea[school]);
}

uint64_t spell_key_hash(const char *student, const char *school, const char *entry)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%.64s\x1f%.64s\x1f%.10s\x1f", student, school, entry);
    return key_digest(buf, (size_t)n);
}

/* ---- key_set --------------------------------------------------------------- */

static uint64_t key_tag(uint64_t h)
{
    return (h & ~(uint64_t)3) | 2;
}

static size_t key_set_slots(size_t expected_rows)
{
    size_t n = 1024;
    while (n < expected_rows * 2 && n < ((size_t)1 << 40))
        n *= 2;
    return n;
}

int key_set_init(key_set *k, size_t expected_rows)
{
    size_t n = key_set_slots(expected_rows);
    /* malloc and memset, not calloc: calloc's fresh pages are the shared
     * zero page until written, and each first write then copies a page and
     * flushes the other thread's TLB (measured: ~5% of a load's time). */
    k->slots = malloc(n * sizeof *k->slots);
    if (k->slots)
        memset(k->slots, 0, n * sizeof *k->slots);
    k->mask = n - 1;
    k->cap = n;
    k->count = 0;
    return k->slots ? SLDS_OK : SLDS_ERR_NOMEM;
}

int key_set_reset(key_set *k, size_t expected_rows)
{
    size_t n = key_set_slots(expected_rows);
    if (k->slots && k->cap >= n) {
        /* the memory of an earlier file of the load, already mapped */
        memset(k->slots, 0, n * sizeof *k->slots);
        k->mask = n - 1;
        k->count = 0;
        return SLDS_OK;
    }
    key_set_free(k);
    return key_set_init(k, expected_rows);
}

void key_set_free(key_set *k)
{
    free(k->slots);
    k->slots = NULL;
    k->mask = k->count = k->cap = 0;
}

int key_set_get(const key_set *k, uint64_t h)
{
    if (!k->slots)
        return KEY_ABSENT;
    uint64_t tag = key_tag(h);
    for (size_t i = (size_t)(h >> 20) & k->mask;; i = (i + 1) & k->mask) {
        uint64_t s = k->slots[i];
        if (!s)
            return KEY_ABSENT;
        if ((s & ~(uint64_t)1) == tag)
            return s & 1 ? KEY_LOADED : KEY_REJECTED;
    }
}

static bool key_set_grow(key_set *k)
{
    key_set bigger;
    if (key_set_init(&bigger, (k->mask + 1)))
        return false;
    for (size_t i = 0; i <= k->mask; i++) {
        uint64_t s = k->slots[i];
        if (!s)
            continue;
        size_t j = (size_t)(s >> 20) & bigger.mask;
        while (bigger.slots[j])
            j = (j + 1) & bigger.mask;
        bigger.slots[j] = s;
    }
    bigger.count = k->count;
    free(k->slots);
    *k = bigger;
    return true;
}

bool key_set_put(key_set *k, uint64_t h, bool loaded)
{
    if ((!k->slots && key_set_init(k, 1024)) || ((k->count + 1) * 10 > (k->mask + 1) * 7 && !key_set_grow(k)))
        return false;
    uint64_t tag = key_tag(h);
    size_t i = (size_t)(h >> 20) & k->mask;
    for (;; i = (i + 1) & k->mask) {
        uint64_t s = k->slots[i];
        if (!s)
            break;
        if ((s & ~(uint64_t)1) == tag) {
            if (loaded)
                k->slots[i] = tag | 1;
            return true;
        }
    }
    k->slots[i] = tag | (loaded ? 1 : 0);
    k->count++;
    return true;
}
