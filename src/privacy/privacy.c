/* privacy.c - public-reporting suppression (privacy.h): primary suppression,
 * then derived and complementary suppression repeated to a fixed point.
 *
 * Sibling sets are found once: each row's partition cells joined into a key,
 * rows sorted by key, equal keys one set. A round visits every set and
 * column, then every row; rounds stop when one changes nothing. Each round
 * that changes something suppresses at least one more cell, so there are at
 * most rows x columns rounds. */
#include "privacy/privacy.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void slds_privacy_rules_default(slds_privacy_rules *r)
{
    /* NCES 2011-603 (SLDS Technical Brief 3), recommended reporting rules:
     * the bottom and top codes shrink as the group grows (docs/privacy.md). */
    static const slds_privacy_band nces[] = {{300, 1}, {100, 2}, {40, 5}, {20, 10}, {1, 20}};
    *r = (slds_privacy_rules){.min_n = 10, .nbands = 5, .intervals = true};
    memcpy(r->bands, nces, sizeof nces);
}

typedef struct keyed_row {
    uint64_t hash; /* of key: most comparisons end here */
    char *key;
    size_t row;
} keyed_row;

/* Sibling sets need equal keys next to each other, not key order: rows are
 * ordered by the key's hash, then the key, then the row. */
static int by_key(const void *a, const void *b)
{
    const keyed_row *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* What each column is, looked up once (the rounds visit every cell). */
typedef struct colinfo {
    slds_column_role role;
    int base;  /* STATISTIC: the count it derives from, else the size column */
    int denom; /* STATISTIC: its denominator, -1 when none */
    int num;   /* STATISTIC: its derives_from column, -1 when none */
    int *parts; /* the columns whose sums_to is this one */
    int nparts;
} colinfo;

typedef struct work {
    slds_table *t;
    const slds_privacy_rules *rules;
    int ncols, size_col;
    size_t nrows;
    keyed_row *rows; /* sorted by partition key */
    colinfo *col;
    size_t secondary, ranges, intervals;
} work;

static bool protected_role(slds_column_role role)
{
    return role == SLDS_ROLE_SIZE || role == SLDS_ROLE_COUNT || role == SLDS_ROLE_STATISTIC;
}

static slds_column_role role(const work *w, int c)
{
    return w->col ? w->col[c].role : slds_table_column(w->t, c)->role;
}

static int column_info(work *w)
{
    w->col = calloc((size_t)w->ncols, sizeof *w->col);
    if (!w->col)
        return SLDS_ERR_NOMEM;
    for (int c = 0; c < w->ncols; c++) {
        const slds_column_spec *spec = slds_table_column(w->t, c);
        colinfo *k = &w->col[c];
        k->role = spec->role;
        k->num = spec->derives_from ? slds_table_find_column(w->t, spec->derives_from) : -1;
        k->base = spec->derives_from ? k->num : w->size_col;
        k->denom = spec->denominator ? slds_table_find_column(w->t, spec->denominator) : -1;
        for (int p = 0; p < w->ncols; p++) {
            const char *to = slds_table_column(w->t, p)->sums_to;
            if (to && !strcmp(to, spec->name))
                k->nparts++;
        }
        if (k->nparts && !(k->parts = malloc((size_t)k->nparts * sizeof *k->parts)))
            return SLDS_ERR_NOMEM;
        k->nparts = 0;
        for (int p = 0; p < w->ncols; p++) {
            const char *to = slds_table_column(w->t, p)->sums_to;
            if (to && !strcmp(to, spec->name))
                k->parts[k->nparts++] = p;
        }
    }
    return SLDS_OK;
}

/* Marks the cell; true when it was shown before. */
static bool suppress(work *w, size_t row, int col)
{
    if (slds_table_is_suppressed(w->t, row, col))
        return false;
    slds_table_suppress(w->t, row, col);
    return true;
}

static void free_columns(work *w)
{
    for (int c = 0; w->col && c < w->ncols; c++)
        free(w->col[c].parts);
    free(w->col);
    w->col = NULL;
}

static int partition_keys(work *w)
{
    w->rows = calloc(w->nrows ? w->nrows : 1, sizeof *w->rows);
    if (!w->rows)
        return SLDS_ERR_NOMEM;
    char cell[512];
    for (size_t r = 0; r < w->nrows; r++) {
        slds_buf key = {0};
        int rc = slds_buf_puts(&key, "");
        for (int c = 0; c < w->ncols && !rc; c++)
            if (role(w, c) == SLDS_ROLE_PARTITION)
                rc = slds_buf_printf(&key, "%s\x1f", slds_table_cell_text(w->t, r, c, cell,
                                                                          sizeof cell));
        if (rc) {
            slds_buf_free(&key);
            return SLDS_ERR_NOMEM;
        }
        w->rows[r] = (keyed_row){.hash = fnv1a(key.data), .key = key.data, .row = r};
    }
    qsort(w->rows, w->nrows, sizeof *w->rows, by_key);
    return SLDS_OK;
}

static void primary(work *w, int min_n, size_t *count)
{
    for (size_t r = 0; r < w->nrows; r++) {
        double n = slds_table_real(w->t, r, w->size_col);
        bool small_group = isfinite(n) && n < min_n;
        for (int c = 0; c < w->ncols; c++) {
            if (!protected_role(role(w, c)))
                continue;
            double v = slds_table_real(w->t, r, c);
            bool small_count = role(w, c) == SLDS_ROLE_COUNT && isfinite(v) && v > 0 && v < min_n;
            if ((small_group || small_count) && suppress(w, r, c))
                (*count)++;
        }
    }
}

static double band_bottom(const slds_privacy_rules *r, double d);

/* Hides the row's statistics computed from the whole row (derived from n,
 * e.g. a gap between two rates) other than c: they may combine a coded rate. */
static void hide_row_statistics(work *w, size_t r, int c)
{
    for (int k = 0; k < w->ncols; k++) {
        const colinfo *o = &w->col[k];
        if (k != c && o->role == SLDS_ROLE_STATISTIC && o->num < 0 && o->denom < 0 && suppress(w, r, k))
            w->secondary++;
    }
}

/* Rule 7: a rate of a shown group whose numerator or denominator is hidden,
 * over at least the minimum, shown coarsened instead of suppressed: the
 * interval of its denominator's band step b (rule 6's bottom code) that
 * holds it ("40-45%", "≤b%" at the bottom, "≥(100-b)%" at the top), or,
 * when its hidden numerator is a small count, "≤B%" where B (on that step)
 * is the rate of min - 1 students -- what a suppressed small count already
 * says. Its numerator is hidden with it (with the interval it would give the
 * hidden denominator back), and so are the row's statistics of the whole
 * row. false: not applicable (the caller suppresses). */
static bool code_interval(work *w, size_t r, int c)
{
    const colinfo *col = &w->col[c];
    if (!w->rules->intervals || col->num < 0 || col->denom < 0 ||
        slds_table_is_suppressed(w->t, r, w->size_col))
        return false;
    double v = slds_table_real(w->t, r, c), d = slds_table_real(w->t, r, col->denom),
           x = slds_table_real(w->t, r, col->num);
    int min_n = w->rules->min_n;
    double b = isfinite(d) && d >= min_n ? band_bottom(w->rules, d) : -1;
    if (!isfinite(v) || !isfinite(x) || b < 1 || b > 100)
        return false;
    int width = (int)b;
    if (!slds_table_is_suppressed(w->t, r, col->denom) && (v <= b || v >= 100 - b)) {
        /* rule 6's zone with its denominator shown: rule 6's code */
        slds_table_code_range(w->t, r, c, v <= b, v <= b ? b : 100 - b);
        w->ranges++;
    } else if (slds_table_is_suppressed(w->t, r, col->num) && x > 0 && x < min_n) {
        double top = ceil(100.0 * (min_n - 1) / d / width) * width;
        if (top >= 100)
            return false;
        slds_table_code_range(w->t, r, c, true, top);
        w->intervals++;
    } else {
        double lo = floor(v / width) * width;
        if (lo + width > 100)
            lo = 100 - width;
        if (lo <= 0)
            slds_table_code_range(w->t, r, c, true, width);
        else if (lo + width >= 100)
            slds_table_code_range(w->t, r, c, false, 100 - width);
        else
            slds_table_code_interval(w->t, r, c, lo, width);
        w->intervals++;
    }
    if (suppress(w, r, col->num))
        w->secondary++;
    hide_row_statistics(w, r, c);
    return true;
}

/* Rule 2: statistics follow their count, a row's figures follow its n (a
 * rate of a shown group is coarsened by rule 7 instead when it can be). */
static bool derived(work *w)
{
    bool changed = false;
    for (size_t r = 0; r < w->nrows; r++) {
        bool size_hidden = slds_table_is_suppressed(w->t, r, w->size_col);
        for (int c = 0; c < w->ncols; c++) {
            const colinfo *col = &w->col[c];
            bool hide = false;
            if (col->role == SLDS_ROLE_COUNT)
                hide = size_hidden;
            else if (col->role == SLDS_ROLE_STATISTIC) {
                int base = col->base, denom = col->denom;
                /* a range (rules 6, 7) hides its numerator on purpose, and
                 * with rule 7 on, says nothing exact of its denominator */
                bool coded = slds_table_range(w->t, r, c, NULL) != 0;
                bool base_hidden = slds_table_is_suppressed(w->t, r, base),
                     denom_hidden = denom >= 0 && slds_table_is_suppressed(w->t, r, denom);
                if (size_hidden)
                    hide = true;
                else if (!coded && (base_hidden || denom_hidden)) {
                    if (!slds_table_is_suppressed(w->t, r, c) && code_interval(w, r, c)) {
                        changed = true;
                        continue;
                    }
                    hide = true;
                } else if (coded && denom_hidden && !w->rules->intervals)
                    hide = true;
            }
            if (hide && suppress(w, r, c)) {
                w->secondary++;
                changed = true;
            }
        }
    }
    return changed;
}

/* Rule 3: within rows [from, to) of the sorted order (one sibling set). */
static bool complement_rows(work *w, size_t from, size_t to)
{
    bool changed = false;
    for (int c = 0; c < w->ncols; c++) {
        if (role(w, c) != SLDS_ROLE_SIZE && role(w, c) != SLDS_ROLE_COUNT)
            continue;
        size_t hidden = 0, best = (size_t)-1;
        double best_v = INFINITY;
        for (size_t i = from; i < to; i++) {
            size_t r = w->rows[i].row;
            if (slds_table_is_suppressed(w->t, r, c))
                hidden++;
            else if (!slds_table_is_blank(w->t, r, c) && slds_table_real(w->t, r, c) < best_v) {
                best_v = slds_table_real(w->t, r, c);
                best = r;
            }
        }
        if (hidden == 1 && best != (size_t)-1 && suppress(w, best, c)) {
            w->secondary++;
            changed = true;
        }
    }
    return changed;
}

/* Rule 4: the parts of each total column within one row. */
static bool complement_columns(work *w, size_t r)
{
    bool changed = false;
    for (int total = 0; total < w->ncols; total++) {
        const colinfo *k = &w->col[total];
        if (!k->nparts)
            continue;
        size_t hidden = 0;
        int best = -1;
        double best_v = INFINITY;
        for (int i = 0; i < k->nparts; i++) {
            int c = k->parts[i];
            if (slds_table_is_suppressed(w->t, r, c))
                hidden++;
            else if (!slds_table_is_blank(w->t, r, c) && slds_table_real(w->t, r, c) < best_v) {
                best_v = slds_table_real(w->t, r, c);
                best = c;
            }
        }
        if (hidden != 1)
            continue;
        int target = best >= 0 ? best : total;
        if (suppress(w, r, target)) {
            w->secondary++;
            changed = true;
        }
    }
    return changed;
}

/* Rule 5: along each declared total, for each SIZE or COUNT column. */
static bool complement_totals(work *w)
{
    bool changed = false;
    for (size_t i = 0; i < slds_table_ntotals(w->t); i++) {
        const size_t *parts;
        size_t nparts;
        size_t total = slds_table_total(w->t, i, &parts, &nparts);
        for (int c = 0; c < w->ncols; c++) {
            if (role(w, c) != SLDS_ROLE_SIZE && role(w, c) != SLDS_ROLE_COUNT)
                continue;
            size_t hidden = total != SLDS_TOTAL_ELSEWHERE && slds_table_is_suppressed(w->t, total, c);
            size_t best = (size_t)-1;
            double best_v = INFINITY;
            for (size_t k = 0; k < nparts; k++) {
                if (slds_table_is_suppressed(w->t, parts[k], c))
                    hidden++;
                else if (!slds_table_is_blank(w->t, parts[k], c) &&
                         slds_table_real(w->t, parts[k], c) < best_v) {
                    best_v = slds_table_real(w->t, parts[k], c);
                    best = parts[k];
                }
            }
            if (hidden != 1)
                continue;
            size_t target = best != (size_t)-1 ? best : total;
            if (target != SLDS_TOTAL_ELSEWHERE && suppress(w, target, c)) {
                w->secondary++;
                changed = true;
            }
        }
    }
    return changed;
}

/* The bottom code for a denominator d, or -1 when no band covers it. */
static double band_bottom(const slds_privacy_rules *r, double d)
{
    for (int b = 0; b < r->nbands; b++)
        if (d >= r->bands[b].min_n)
            return r->bands[b].bottom;
    return -1;
}

/* Rule 6: rates near 0 % and 100 % of small groups shown as ranges. */
static bool code_ranges(work *w)
{
    bool changed = false;
    for (int c = 0; c < w->ncols; c++) {
        const colinfo *col = &w->col[c];
        if (col->role != SLDS_ROLE_STATISTIC || col->denom < 0)
            continue;
        int denom = col->denom, num = col->num;
        for (size_t r = 0; r < w->nrows; r++) {
            if (slds_table_is_suppressed(w->t, r, c) || slds_table_is_blank(w->t, r, c) ||
                slds_table_range(w->t, r, c, NULL) || slds_table_is_suppressed(w->t, r, denom))
                continue;
            double v = slds_table_real(w->t, r, c), b = band_bottom(w->rules, slds_table_real(w->t, r, denom));
            if (b < 0 || !(v <= b || v >= 100 - b))
                continue;
            slds_table_code_range(w->t, r, c, v <= b, v <= b ? b : 100 - b);
            w->ranges++;
            changed = true;
            if (num >= 0 && suppress(w, r, num))
                w->secondary++;
            /* statistics of the whole row (derived from n, e.g. a gap between
             * two rates) may combine the coded rate: hidden with it */
            hide_row_statistics(w, r, c);
        }
    }
    return changed;
}

static bool round_once(work *w)
{
    bool changed = derived(w);
    for (size_t from = 0; from < w->nrows;) {
        size_t to = from + 1;
        while (to < w->nrows && !strcmp(w->rows[to].key, w->rows[from].key))
            to++;
        if (to - from >= 2)
            changed |= complement_rows(w, from, to);
        from = to;
    }
    for (size_t r = 0; r < w->nrows; r++)
        changed |= complement_columns(w, r);
    changed |= complement_totals(w);
    changed |= code_ranges(w);
    return changed;
}

int slds_privacy_suppress(slds_table *t, const slds_privacy_rules *rules,
                          slds_privacy_result *res, slds_error *err)
{
    slds_privacy_result local = {0};
    if (!res)
        res = &local;
    *res = (slds_privacy_result){0};
    if (!rules || rules->min_n < 1)
        return slds_fail(err, SLDS_ERR_USAGE, "privacy: the minimum group size must be 1 or more");
    work w = {.t = t, .rules = rules, .ncols = slds_table_ncols(t), .size_col = -1, .nrows = slds_table_nrows(t)};
    for (int c = 0; c < w.ncols; c++)
        if (role(&w, c) == SLDS_ROLE_SIZE) {
            if (w.size_col >= 0)
                return slds_fail(err, SLDS_ERR_USAGE, "privacy: table %s has two group sizes",
                                 slds_table_name(t));
            w.size_col = c;
        }
    if (w.size_col < 0)
        return SLDS_OK;
    if (column_info(&w) || partition_keys(&w)) {
        for (size_t r = 0; w.rows && r < w.nrows; r++)
            free(w.rows[r].key);
        free(w.rows);
        free_columns(&w);
        return slds_fail(err, SLDS_ERR_NOMEM, "privacy: out of memory");
    }
    primary(&w, rules->min_n, &res->primary);
    while (round_once(&w))
        res->rounds++;
    res->secondary = w.secondary;
    res->ranges = w.ranges;
    res->intervals = w.intervals;
    for (size_t r = 0; r < w.nrows; r++)
        free(w.rows[r].key);
    free(w.rows);
    free_columns(&w);
    return SLDS_OK;
}
