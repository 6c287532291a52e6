/* dirty.c - bad copies of good rows (see dirty.h). */
#include "synth/dirty.h"

#include <stdio.h>
#include <string.h>

#define MAX_FIELDS 32

double synth_dirty_chance(double share)
{
    if (share <= 0)
        return 0;
    if (share >= 0.5)
        share = 0.5;
    return share / (1.0 - share);
}

static void random_digits(synth_rng *r, char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char)('0' + synth_below(r, 10));
    out[n] = '\0';
}

/* A year to build a bad date around: the good value's, else the hint. */
static int year_of(const char *good, int year_hint)
{
    if (strlen(good) >= 4 && good[0] >= '1' && good[0] <= '2') {
        int y = 0;
        for (int i = 0; i < 4; i++) {
            if (good[i] < '0' || good[i] > '9')
                return year_hint;
            y = y * 10 + good[i] - '0';
        }
        return y;
    }
    return year_hint;
}

static const char *bad_date(const char *good, int year_hint, synth_rng *r, char *bad)
{
    static const char *const impossible[] = {"02-30", "02-31", "04-31", "06-31", "09-31", "11-31",
                                             "13-01", "00-15"};
    int y = year_of(good, year_hint);
    if (synth_chance(r, 0.2)) {
        /* A date in the American order. */
        snprintf(bad, 48, "%02d/%02d/%04d", synth_range(r, 1, 12), synth_range(r, 1, 28), y);
        return "date not in YYYY-MM-DD form";
    }
    snprintf(bad, 48, "%04d-%s", y, impossible[synth_below(r, 8)]);
    return "impossible calendar date";
}

static const char *bad_reference(char prefix, int digits, synth_rng *r, char *bad, const char *what)
{
    if (synth_chance(r, 0.3)) {
        bad[0] = '\0';
        return "missing required field";
    }
    /* One digit more than any real id of this kind, starting with 9: it
     * cannot name an existing record. */
    bad[0] = prefix;
    bad[1] = '9';
    random_digits(r, bad + 2, digits);
    return what;
}

static const char *bad_code(const char *good, char *bad)
{
    size_t n = strlen(good);
    if (n > 3 && n < 40) {
        /* A typo: the middle letter dropped. */
        size_t mid = n / 2;
        memcpy(bad, good, mid);
        memcpy(bad + mid, good + mid + 1, n - mid); /* with the terminator */
        return "unknown code";
    }
    strcpy(bad, n ? "ZZ" : "UNKNOWN");
    return "unknown code";
}

static const char *bad_subject(const char *good, char *bad)
{
    size_t n = strlen(good);
    if (!n) {
        strcpy(bad, "absent");
        return "code not in upper case";
    }
    for (size_t i = 0; i < n && i < 47; i++)
        bad[i] = (char)(good[i] >= 'A' && good[i] <= 'Z' ? good[i] - 'A' + 'a' : good[i]);
    bad[n < 47 ? n : 47] = '\0';
    return "code not in upper case";
}

static const char *bad_year(const char *good, synth_rng *r, char *bad)
{
    int y = year_of(good, 2020);
    if (synth_chance(r, 0.5)) {
        snprintf(bad, 48, "%02d", y % 100);
        return "school year out of range";
    }
    snprintf(bad, 48, "%04d", y);
    char *zero = strchr(bad, '0');
    if (zero)
        *zero = 'O';
    else
        bad[1] = 'O';
    return "school year not a number";
}

static const char *bad_score(const char *good, char *bad)
{
    const char *dot = strchr(good, '.');
    if (dot) {
        /* A decimal comma. */
        snprintf(bad, 48, "%s", good);
        bad[dot - good] = ',';
        return "score not a number (decimal comma)";
    }
    if (!*good) {
        strcpy(bad, "N/A");
        return "score not a number";
    }
    snprintf(bad, 48, "%s", good);
    char *digit = strpbrk(bad, "0");
    if (digit)
        *digit = 'O';
    else
        bad[0] = 'l';
    return "score not a number";
}

const char *synth_dirty_value(synth_col_kind kind, const char *good, int year_hint, synth_rng *r,
                              char *bad)
{
    bad[0] = '\0';
    switch (kind) {
    case SYNTH_COL_KEEP:
        return NULL;
    case SYNTH_COL_STUDENT:
        /* Real ids have 10 digits and start with 1. */
        if (synth_chance(r, 0.3))
            return "missing required field";
        bad[0] = '9';
        random_digits(r, bad + 1, 9);
        return "unknown student";
    case SYNTH_COL_SCHOOL:
        return bad_reference('S', 6, r, bad, "unknown school");
    case SYNTH_COL_LEA:
        return bad_reference('L', 5, r, bad, "unknown district");
    case SYNTH_COL_STAFF:
        return bad_reference('E', 8, r, bad, "unknown educator");
    case SYNTH_COL_STANDARD:
        if (synth_chance(r, 0.3))
            return "missing required field";
        snprintf(bad, 48, "ZZ.%d.%02d", synth_range(r, 3, 8), synth_range(r, 50, 99));
        return "unknown standard";
    case SYNTH_COL_REQUIRED:
        return "missing required field";
    case SYNTH_COL_DATE:
        return bad_date(good, year_hint, r, bad);
    case SYNTH_COL_DATETIME: {
        char date[48];
        const char *why = bad_date(good, year_hint, r, date);
        snprintf(bad, 48, "%.12sT%.8s", date, strlen(good) > 11 ? good + 11 : "10:00:00");
        return why;
    }
    case SYNTH_COL_YEAR:
        return bad_year(good, r, bad);
    case SYNTH_COL_GRADE:
        strcpy(bad, synth_chance(r, 0.5) ? "13" : "K5");
        return "grade level does not exist";
    case SYNTH_COL_CODE:
        return bad_code(good, bad);
    case SYNTH_COL_SUBJECT:
        return bad_subject(good, bad);
    case SYNTH_COL_YN:
        strcpy(bad, synth_chance(r, 0.5) ? "X" : "?");
        return "flag neither Y nor N";
    case SYNTH_COL_LEVEL:
        strcpy(bad, synth_chance(r, 0.5) ? "5" : "0");
        return "performance level out of range 1-4";
    case SYNTH_COL_SCORE:
        return bad_score(good, bad);
    case SYNTH_COL_SHARE:
        strcpy(bad, synth_chance(r, 0.5) ? "1.50" : "-0.25");
        return "share out of range 0-1";
    case SYNTH_COL_COUNT:
        snprintf(bad, 48, "-%d", synth_range(r, 1, 9));
        return "negative count";
    case SYNTH_COL_BIT:
        strcpy(bad, "2");
        return "value neither 0 nor 1";
    case SYNTH_COL_EXPERIENCE:
        snprintf(bad, 48, "%d", synth_range(r, 61, 99));
        return "years out of range 0-60";
    }
    return NULL;
}

/* Splits one CSV line (no line break) into unquoted fields stored in store. */
static int split_row(const char *row, size_t len, char *store, const char **fields)
{
    int n = 0;
    size_t i = 0;
    char *out = store;
    for (;;) {
        if (n == MAX_FIELDS)
            return n;
        fields[n++] = out;
        if (i < len && row[i] == '"') {
            for (i++; i < len; i++) {
                if (row[i] == '"') {
                    if (i + 1 < len && row[i + 1] == '"')
                        i++;
                    else {
                        i++;
                        break;
                    }
                }
                *out++ = row[i];
            }
        } else
            while (i < len && row[i] != ',')
                *out++ = row[i++];
        *out++ = '\0';
        if (i >= len)
            return n;
        i++; /* the comma */
    }
}

void synth_dirty_add_copy(synth_csv *f)
{
    const synth_schema *schema = f->schema;
    size_t row_len = f->len - f->row_start - 1;
    char store[SYNTH_CSV_ROOM];
    const char *fields[MAX_FIELDS];
    if (row_len >= sizeof store - MAX_FIELDS)
        return;
    int n = split_row(f->buf + f->row_start, row_len, store, fields);
    if (n != schema->ncols)
        return;
    int candidates[MAX_FIELDS], ncand = 0;
    for (int i = 0; i < n; i++)
        if (schema->cols[i].kind != SYNTH_COL_KEEP)
            candidates[ncand++] = i;
    if (!ncand)
        return;
    int k = candidates[synth_below(&f->dirty_rng, (uint32_t)ncand)];
    char bad[64];
    const char *problem =
        synth_dirty_value(schema->cols[k].kind, fields[k], f->dirty->year_hint, &f->dirty_rng, bad);
    if (!problem)
        return;
    for (int i = 0; i < n; i++)
        synth_csv_text(f, i == k ? bad : fields[i]);
    f->buf[f->len++] = '\n';
    f->col = 0;
    f->rows++;
    f->dirty_rows++;

    synth_csv *log = f->dirty->log;
    synth_csv_str(log, schema->file);
    synth_csv_uint(log, f->rows + 1);
    synth_csv_str(log, schema->cols[k].name);
    synth_csv_str(log, problem);
    synth_csv_text(log, bad);
    synth_csv_end_row(log);
}

bool synth_dirty_broken(const synth_dirty *d, uint32_t student, int year)
{
    if (!d || d->warn_p <= 0)
        return false;
    uint64_t h = synth_hash(d->warn_key, 0xB0C, student, (uint64_t)year);
    return (double)(h >> 11) * 0x1.0p-53 < d->warn_p;
}

void synth_dirty_warn(synth_csv *f, const char *column, const char *rule)
{
    synth_csv *log = f->dirty->warn_log;
    synth_csv_str(log, f->schema->file);
    synth_csv_uint(log, f->rows + 2); /* header, the rows so far, this one */
    synth_csv_str(log, column);
    synth_csv_str(log, rule);
    synth_csv_end_row(log);
}

void synth_dirty_bad_in_place(synth_csv *f, const char *column, const char *problem, const char *value)
{
    synth_csv *log = f->dirty->log;
    synth_csv_str(log, f->schema->file);
    synth_csv_uint(log, f->rows + 2);
    synth_csv_str(log, column);
    synth_csv_str(log, problem);
    synth_csv_text(log, value);
    synth_csv_end_row(log);
    f->dirty_rows++;
}
