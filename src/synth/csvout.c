/* csvout.c - the streaming CSV writer of csvout.h. */
#include "synth/csvout.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/calendar.h"
#include "synth/dirty.h"

int synth_csv_open(synth_csv *f, const char *path, const synth_schema *schema)
{
    memset(f, 0, sizeof *f);
    f->schema = schema;
    f->buf = malloc(SYNTH_CSV_BUFFER + SYNTH_CSV_ROOM);
    if (!f->buf)
        return ENOMEM;
    f->fp = fopen(path, "wb");
    if (!f->fp) {
        int e = errno;
        free(f->buf);
        f->buf = NULL;
        return e;
    }
    for (int i = 0; i < schema->ncols; i++)
        synth_csv_str(f, schema->cols[i].name);
    f->buf[f->len++] = '\n';
    f->col = 0;
    f->row_start = f->len;
    return 0;
}

void synth_csv_flush(synth_csv *f)
{
    if (f->len && !f->io_errno && fwrite(f->buf, 1, f->len, f->fp) != f->len)
        f->io_errno = errno ? errno : EIO;
    f->len = 0;
    f->row_start = 0;
}

int synth_csv_close(synth_csv *f)
{
    if (!f->fp) {
        free(f->buf);
        f->buf = NULL;
        return f->io_errno;
    }
    synth_csv_flush(f);
    if (fclose(f->fp) && !f->io_errno)
        f->io_errno = errno ? errno : EIO;
    f->fp = NULL;
    free(f->buf);
    f->buf = NULL;
    return f->io_errno;
}

void synth_csv_text(synth_csv *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        synth_csv_str(f, s);
        return;
    }
    synth_csv_sep(f);
    f->buf[f->len++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            f->buf[f->len++] = '"';
        f->buf[f->len++] = *s;
    }
    f->buf[f->len++] = '"';
}

void synth_csv_fixed(synth_csv *f, double v, int places)
{
    static const double scale[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    synth_csv_sep(f);
    if (places < 0)
        places = 0;
    if (places > 6)
        places = 6;
    long long scaled = llround(v * scale[places]);
    if (scaled < 0) {
        f->buf[f->len++] = '-';
        scaled = -scaled;
    }
    unsigned long long whole = (unsigned long long)scaled / (unsigned long long)scale[places];
    unsigned long long frac = (unsigned long long)scaled % (unsigned long long)scale[places];
    synth_csv_digits(f, whole);
    if (places) {
        f->buf[f->len++] = '.';
        for (int i = places - 1; i >= 0; i--) {
            f->buf[f->len + (size_t)i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        f->len += (size_t)places;
    }
}

void synth_csv_date(synth_csv *f, int32_t day)
{
    synth_csv_sep(f);
    char d[11];
    slds_date_format(day, d);
    memcpy(f->buf + f->len, d, 10);
    f->len += 10;
}

void synth_csv_datetime(synth_csv *f, int32_t day, int seconds)
{
    synth_csv_date(f, day);
    int h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    char *p = f->buf + f->len;
    p[0] = 'T';
    p[1] = (char)('0' + h / 10);
    p[2] = (char)('0' + h % 10);
    p[3] = ':';
    p[4] = (char)('0' + m / 10);
    p[5] = (char)('0' + m % 10);
    p[6] = ':';
    p[7] = (char)('0' + s / 10);
    p[8] = (char)('0' + s % 10);
    f->len += 9;
}

void synth_csv_code_id(synth_csv *f, char prefix, uint64_t number, int width)
{
    synth_csv_sep(f);
    f->buf[f->len++] = prefix;
    for (int i = width - 1; i >= 0; i--) {
        f->buf[f->len + (size_t)i] = (char)('0' + number % 10);
        number /= 10;
    }
    f->len += (size_t)width;
}

void synth_csv_end_row(synth_csv *f)
{
    f->buf[f->len++] = '\n';
    f->rows++;
    f->col = 0;
    if (f->dirty && synth_dirty_wanted(f))
        synth_dirty_add_copy(f);
    if (f->len > SYNTH_CSV_BUFFER)
        synth_csv_flush(f);
    f->row_start = f->len;
}
