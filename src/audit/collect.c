/* collect.c - the audit's collector: districts, checks with their counts,
 * totals and example keys, tallies for the element coverage, and the move of
 * all of it into the report's findings (see audit_internal.h). */
#include "audit/audit_internal.h"

#include <stdlib.h>
#include <string.h>

static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Position in lea_sorted where lea_id is or would go; *found says which. */
static size_t lea_position(const audit_ctx *c, const char *lea_id, bool *found)
{
    size_t lo = 0, hi = c->n_leas;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->lea_ids[c->lea_sorted[mid]], lea_id);
        if (cmp == 0) {
            *found = true;
            return mid;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static int lea_insert(audit_ctx *c, const char *lea_id, size_t pos)
{
    if (c->n_leas == c->cap_leas) {
        size_t cap = c->cap_leas ? c->cap_leas * 2 : 64;
        char **ids = realloc(c->lea_ids, cap * sizeof *ids);
        if (!ids)
            return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
        c->lea_ids = ids;
        size_t *sorted = realloc(c->lea_sorted, cap * sizeof *sorted);
        if (!sorted)
            return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
        c->lea_sorted = sorted;
        c->cap_leas = cap;
    }
    char *copy = strdup(lea_id);
    if (!copy)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    c->lea_ids[c->n_leas] = copy;
    memmove(c->lea_sorted + pos + 1, c->lea_sorted + pos, (c->n_leas - pos) * sizeof *c->lea_sorted);
    c->lea_sorted[pos] = c->n_leas;
    c->n_leas++;
    return SLDS_OK;
}

int audit_district(audit_ctx *c, const char *lea_id, long *out)
{
    *out = -1;
    if (!lea_id || !*lea_id)
        return SLDS_OK;
    if (c->last_lea < c->n_leas && !strcmp(c->lea_ids[c->last_lea], lea_id)) {
        *out = (long)c->last_lea;
        return SLDS_OK;
    }
    bool found;
    size_t pos = lea_position(c, lea_id, &found);
    if (!found) {
        int rc = lea_insert(c, lea_id, pos);
        if (rc)
            return rc;
    }
    c->last_lea = c->lea_sorted[pos];
    *out = (long)c->last_lea;
    return SLDS_OK;
}

static void bucket_release(audit_bucket *b)
{
    for (size_t i = 0; i < b->n_examples; i++)
        free(b->examples[i]);
    free(b->examples);
    b->examples = NULL;
    b->n_examples = 0;
}

static void check_free(audit_check *k)
{
    if (!k)
        return;
    bucket_release(&k->state);
    bucket_release(&k->none);
    for (size_t i = 0; i < k->cap_district; i++)
        bucket_release(&k->district[i]);
    free(k->district);
    free(k->table);
    free(k->name);
    free(k->description);
    free(k);
}

audit_check *audit_check_add(audit_ctx *c, slds_audit_category cat, const char *table,
                             const char *name, const char *description, bool statewide_only)
{
    if (c->n_checks == c->cap_checks) {
        size_t cap = c->cap_checks ? c->cap_checks * 2 : 64;
        audit_check **p = realloc(c->checks, cap * sizeof *p);
        if (!p) {
            slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
            return NULL;
        }
        c->checks = p;
        c->cap_checks = cap;
    }
    audit_check *k = calloc(1, sizeof *k);
    if (k) {
        k->category = cat;
        k->statewide_only = statewide_only;
        k->table = dup_str(table);
        k->name = dup_str(name);
        k->description = dup_str(description);
    }
    if (!k || !k->table || !k->name || !k->description) {
        check_free(k);
        slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
        return NULL;
    }
    c->checks[c->n_checks++] = k;
    return k;
}

/* The bucket of district d (-1: none), growing the district array as needed. */
static audit_bucket *bucket_for(audit_ctx *c, audit_check *k, long d)
{
    if (d < 0)
        return &k->none;
    if ((size_t)d >= k->cap_district) {
        size_t cap = c->cap_leas > (size_t)d ? c->cap_leas : (size_t)d + 1;
        audit_bucket *p = realloc(k->district, cap * sizeof *p);
        if (!p)
            return NULL;
        memset(p + k->cap_district, 0, (cap - k->cap_district) * sizeof *p);
        k->district = p;
        k->cap_district = cap;
    }
    return &k->district[d];
}

static int bucket_example(audit_ctx *c, audit_bucket *b, const char *key)
{
    size_t max = c->opt.max_examples > 0 ? (size_t)c->opt.max_examples : 0;
    if (!key || b->n_examples >= max)
        return SLDS_OK;
    /* Rows of one entity come together: skip a repeat of the last key. */
    if (b->n_examples && !strcmp(b->examples[b->n_examples - 1], key))
        return SLDS_OK;
    if (!b->examples) {
        b->examples = calloc(max, sizeof *b->examples);
        if (!b->examples)
            return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    }
    char *copy = strdup(key);
    if (!copy)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    b->examples[b->n_examples++] = copy;
    return SLDS_OK;
}

int audit_check_hit_state(audit_ctx *c, audit_check *k, const char *key)
{
    k->state.count++;
    return bucket_example(c, &k->state, key);
}

int audit_check_hit_district(audit_ctx *c, audit_check *k, long d, const char *key)
{
    if (k->statewide_only)
        return SLDS_OK;
    audit_bucket *b = bucket_for(c, k, d);
    if (!b)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    b->count++;
    return bucket_example(c, b, key);
}

int audit_check_hit(audit_ctx *c, audit_check *k, long d, const char *key)
{
    int rc = audit_check_hit_state(c, k, key);
    return rc ? rc : audit_check_hit_district(c, k, d, key);
}

bool audit_check_wants_example(const audit_ctx *c, const audit_check *k, long d)
{
    size_t max = c->opt.max_examples > 0 ? (size_t)c->opt.max_examples : 0;
    if (k->state.n_examples < max)
        return true;
    if (k->statewide_only)
        return false;
    const audit_bucket *b = d < 0 ? &k->none : (size_t)d < k->cap_district ? &k->district[d] : NULL;
    return !b || b->n_examples < max;
}

int audit_check_total(audit_ctx *c, audit_check *k, long d, int64_t n)
{
    k->state.total += n;
    if (k->statewide_only)
        return SLDS_OK;
    audit_bucket *b = bucket_for(c, k, d);
    if (!b)
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    b->total += n;
    return SLDS_OK;
}

const audit_check *audit_check_find(const audit_ctx *c, const char *table, const char *name)
{
    for (size_t i = 0; i < c->n_checks; i++)
        if (!strcmp(c->checks[i]->table, table) && !strcmp(c->checks[i]->name, name))
            return c->checks[i];
    return NULL;
}

int audit_tally_set(audit_ctx *c, const char *name, int64_t value)
{
    for (size_t i = 0; i < c->n_tallies; i++)
        if (!strcmp(c->tallies[i].name, name)) {
            c->tallies[i].value = value;
            return SLDS_OK;
        }
    if (c->n_tallies == c->cap_tallies) {
        size_t cap = c->cap_tallies ? c->cap_tallies * 2 : 32;
        audit_tally *p = realloc(c->tallies, cap * sizeof *p);
        if (!p)
            return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
        c->tallies = p;
        c->cap_tallies = cap;
    }
    audit_tally *t = &c->tallies[c->n_tallies++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->value = value;
    return SLDS_OK;
}

int64_t audit_tally_get(const audit_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n_tallies; i++)
        if (!strcmp(c->tallies[i].name, name))
            return c->tallies[i].value;
    return 0;
}

/* Moves bucket b of check k into a new finding of r. */
static int emit(audit_ctx *c, slds_audit_report *r, size_t *cap, const audit_check *k,
                audit_bucket *b, slds_audit_scope scope, const char *lea_id)
{
    if (r->n_findings == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        slds_audit_finding *p = realloc(r->findings, ncap * sizeof *p);
        if (!p)
            return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
        r->findings = p;
        *cap = ncap;
    }
    slds_audit_finding *f = &r->findings[r->n_findings++];
    memset(f, 0, sizeof *f);
    f->category = k->category;
    f->scope = scope;
    f->count = b->count;
    f->total = b->total;
    f->examples = b->examples;
    f->n_examples = b->n_examples;
    b->examples = NULL;
    b->n_examples = 0;
    f->table = dup_str(k->table);
    f->check = dup_str(k->name);
    f->description = dup_str(k->description);
    f->lea_id = dup_str(lea_id);
    if (!f->table || !f->check || !f->description || (lea_id && !f->lea_id))
        return slds_fail(c->err, SLDS_ERR_NOMEM, "audit: out of memory");
    return SLDS_OK;
}

static int finding_cmp(const void *pa, const void *pb)
{
    const slds_audit_finding *a = pa, *b = pb;
    if (a->category != b->category)
        return a->category < b->category ? -1 : 1;
    int cmp = strcmp(a->table, b->table);
    if (cmp)
        return cmp;
    if ((cmp = strcmp(a->check, b->check)))
        return cmp;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    return strcmp(a->lea_id ? a->lea_id : "", b->lea_id ? b->lea_id : "");
}

int audit_emit_findings(audit_ctx *c, slds_audit_report *r)
{
    size_t cap = r->n_findings;
    for (size_t i = 0; i < c->n_checks; i++) {
        audit_check *k = c->checks[i];
        if (k->state.total <= 0 && k->state.count <= 0)
            continue;
        int rc = emit(c, r, &cap, k, &k->state, SLDS_AUDIT_STATEWIDE, NULL);
        for (size_t j = 0; !rc && j < k->cap_district; j++)
            if (k->district[j].count > 0)
                rc = emit(c, r, &cap, k, &k->district[j], SLDS_AUDIT_DISTRICT, c->lea_ids[j]);
        if (!rc && k->none.count > 0)
            rc = emit(c, r, &cap, k, &k->none, SLDS_AUDIT_NO_DISTRICT, NULL);
        if (rc)
            return rc;
    }
    if (r->n_findings > 1)
        qsort(r->findings, r->n_findings, sizeof *r->findings, finding_cmp);
    return SLDS_OK;
}

void audit_ctx_release(audit_ctx *c)
{
    for (size_t i = 0; i < c->n_checks; i++)
        check_free(c->checks[i]);
    free(c->checks);
    for (size_t i = 0; i < c->n_leas; i++)
        free(c->lea_ids[i]);
    free(c->lea_ids);
    free(c->lea_sorted);
    free(c->tallies);
    memset(c, 0, sizeof *c);
}

void audit_progress(audit_ctx *c, const char *stage)
{
    slds_progress_report(c->opt.progress, stage, (uint64_t)c->step, (uint64_t)c->steps);
    if (c->step < c->steps)
        c->step++;
}

void audit_key_from_row(sqlite3_stmt *st, int first, int n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len + 1 < size; i++) {
        const unsigned char *v = sqlite3_column_text(st, first + i);
        int w = snprintf(buf + len, size - len, "%s%s", i ? "|" : "", v ? (const char *)v : "");
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

const char *slds_audit_category_name(slds_audit_category c)
{
    switch (c) {
    case SLDS_AUDIT_VALIDITY:
        return "validity";
    case SLDS_AUDIT_COMPLETENESS:
        return "completeness";
    case SLDS_AUDIT_CONSISTENCY:
        return "consistency";
    case SLDS_AUDIT_DUPLICATES:
        return "duplicates";
    case SLDS_AUDIT_OUTLIERS:
        return "outliers";
    }
    return "unknown";
}

const char *slds_audit_scope_name(slds_audit_scope s)
{
    switch (s) {
    case SLDS_AUDIT_STATEWIDE:
        return "state";
    case SLDS_AUDIT_DISTRICT:
        return "district";
    case SLDS_AUDIT_NO_DISTRICT:
        return "no_district";
    }
    return "unknown";
}
