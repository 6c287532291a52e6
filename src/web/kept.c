/* kept.c - answers kept for the next request of the same key and database
 * generation: dashboards, report cards and classes (one key per requester),
 * and the student routes (one key per request: the record is the same for
 * everyone allowed to see it, and the route's access check and view log run
 * at every request, before the kept answer is looked up; app.c dispatch).
 *
 * A hash table over the keys and a list from least to most recently used,
 * under one mutex held for a lookup or an insertion only: a kept answer is
 * sent by reference (web_blob), never copied under the lock. The store is
 * bounded by count and bytes, least recently used out first (the server's
 * limits: WEB_KEPT_MAX, WEB_KEPT_BYTES); the first answer kept for a newer
 * generation drops every answer of the older ones (they can never be asked
 * for again, since the generation only grows). */
#include <stdlib.h>
#include <string.h>

#include "web/internal.h"

/* A power of two: the bucket is the hash's low bits. */
enum { KEPT_BUCKETS = 16384 };

/* FNV-1a over the key: keys are short (a path, arguments, a requester). */
static uint64_t key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

static size_t page_cost(const web_page *p)
{
    return sizeof *p + strlen(p->key) + 1 + p->body->len;
}

int web_kept_init(web_kept *k, size_t max_n, size_t max_bytes)
{
    memset(k, 0, sizeof *k);
    k->max_n = max_n;
    k->max_bytes = max_bytes;
    k->buckets = calloc(KEPT_BUCKETS, sizeof *k->buckets);
    if (!k->buckets)
        return SLDS_ERR_NOMEM;
    pthread_mutex_init(&k->mu, NULL);
    return SLDS_OK;
}

static void lru_unlink(web_kept *k, web_page *p)
{
    if (p->older)
        p->older->newer = p->newer;
    else
        k->oldest = p->newer;
    if (p->newer)
        p->newer->older = p->older;
    else
        k->newest = p->older;
}

static void unlink_page(web_kept *k, web_page *p)
{
    web_page **at = &k->buckets[p->hash & (KEPT_BUCKETS - 1)];
    while (*at != p)
        at = &(*at)->chain;
    *at = p->chain;
    lru_unlink(k, p);
    k->n--;
    k->bytes -= page_cost(p);
}

static void drop_page(web_kept *k, web_page *p)
{
    unlink_page(k, p);
    slds_web_shared_release(p->body);
    free(p);
}

static void push_newest(web_kept *k, web_page *p)
{
    p->older = k->newest;
    p->newer = NULL;
    if (k->newest)
        k->newest->newer = p;
    else
        k->oldest = p;
    k->newest = p;
}

void web_kept_free(web_kept *k)
{
    if (!k->buckets)
        return;
    while (k->oldest)
        drop_page(k, k->oldest);
    free(k->buckets);
    k->buckets = NULL;
    pthread_mutex_destroy(&k->mu);
}

/* The kept answer of key in generation gen, made most recently used, with a
 * reference to its body taken for the caller; NULL when none. *meta gets a
 * copy of what the response needs besides the body. */
web_blob *web_kept_find(web_kept *k, const char *key, uint64_t gen, web_page *meta)
{
    uint64_t h = key_hash(key);
    web_blob *body = NULL;
    pthread_mutex_lock(&k->mu);
    for (web_page *p = k->buckets[h & (KEPT_BUCKETS - 1)]; p; p = p->chain)
        if (p->hash == h && p->generation == gen && !strcmp(p->key, key)) {
            if (k->newest != p) {
                lru_unlink(k, p);
                push_newest(k, p);
            }
            body = p->body;
            atomic_fetch_add(&body->refs, 1);
            meta->framed = p->framed;
            memcpy(meta->title, p->title, sizeof meta->title);
            memcpy(meta->disposition, p->disposition, sizeof meta->disposition);
            meta->content_type = p->content_type;
            break;
        }
    pthread_mutex_unlock(&k->mu);
    return body;
}

/* Keeps p (its key, generation, body and metadata filled; the store owns it
 * from then, also when it is not kept). */
void web_kept_put(web_kept *k, web_page *p)
{
    p->hash = key_hash(p->key);
    size_t cost = page_cost(p);
    pthread_mutex_lock(&k->mu);
    if (p->generation < k->generation || cost > k->max_bytes) {
        /* made from an older snapshot than answers already kept: never asked for again */
        pthread_mutex_unlock(&k->mu);
        slds_web_shared_release(p->body);
        free(p);
        return;
    }
    if (p->generation > k->generation) {
        while (k->oldest)
            drop_page(k, k->oldest);
        k->generation = p->generation;
    }
    web_page **at = &k->buckets[p->hash & (KEPT_BUCKETS - 1)];
    for (web_page *q = *at; q; q = q->chain)
        if (q->hash == p->hash && !strcmp(q->key, p->key)) {
            drop_page(k, q); /* made again by a request that missed at the same time */
            break;
        }
    while (k->oldest && (k->n >= k->max_n || k->bytes + cost > k->max_bytes))
        drop_page(k, k->oldest);
    at = &k->buckets[p->hash & (KEPT_BUCKETS - 1)];
    p->chain = *at;
    *at = p;
    push_newest(k, p);
    k->n++;
    k->bytes += cost;
    pthread_mutex_unlock(&k->mu);
}
