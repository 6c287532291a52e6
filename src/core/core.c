/* core.c - error values, string buffers and process measurements (see core.h). */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int slds_fail(slds_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int slds_error_prefix(slds_error *err, const char *fmt, ...)
{
    if (!err)
        return SLDS_ERR_USAGE;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix), mlen = strlen(err->message);
    if (plen >= sizeof err->message)
        plen = sizeof err->message - 1;
    if (plen + mlen >= sizeof err->message)
        mlen = sizeof err->message - 1 - plen;
    memmove(err->message + plen, err->message, mlen);
    memcpy(err->message, prefix, plen);
    err->message[plen + mlen] = '\0';
    return err->code;
}

void slds_error_clear(slds_error *err)
{
    if (err) {
        err->code = SLDS_OK;
        err->message[0] = '\0';
    }
}

int slds_buf_reserve(slds_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return SLDS_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return SLDS_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return SLDS_OK;
}

int slds_buf_append(slds_buf *b, const char *s, size_t n)
{
    if (slds_buf_reserve(b, n))
        return SLDS_ERR_NOMEM;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SLDS_OK;
}

int slds_buf_puts(slds_buf *b, const char *s)
{
    return slds_buf_append(b, s, strlen(s));
}

int slds_buf_printf(slds_buf *b, const char *fmt, ...)
{
    /* Formatted once into the room left when it fits (most do: pages print
     * many short numbers), a second time after growing when not. */
    if (slds_buf_reserve(b, 64))
        return SLDS_ERR_NOMEM;
    size_t room = b->cap - b->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= room) {
        if (slds_buf_reserve(b, (size_t)n))
            n = -1;
        else {
            va_start(ap, fmt);
            vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    if (n < 0) {
        b->data[b->len] = '\0';
        return SLDS_ERR_NOMEM;
    }
    b->len += (size_t)n;
    return SLDS_OK;
}

void slds_buf_clear(slds_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void slds_buf_free(slds_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int slds_grow_u32(uint32_t **arr, size_t *cap, size_t need)
{
    if (need < *cap)
        return SLDS_OK;
    size_t n = *cap ? *cap : 1024;
    while (n <= need)
        n *= 2;
    uint32_t *p = realloc(*arr, n * sizeof *p);
    if (!p)
        return SLDS_ERR_NOMEM;
    *arr = p;
    *cap = n;
    return SLDS_OK;
}

double slds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t slds_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_maxrss * 1024u; /* Linux reports KiB */
}
