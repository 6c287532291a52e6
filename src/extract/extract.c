/* extract.c - writing a de-identified extract (see extract.h for the
 * invariants E1-E4).
 *
 * The work, in order:
 *  1. select the spec's rows into memory: every cell interned (a score
 *     repeats thousands of times), every student numbered;
 *  2. Datafly: every student's quasi-identifier profile is the sorted set of
 *     tokens (column, school year, value at the column's current level).
 *     While more students sit in profiles shared by fewer than k than the
 *     suppression budget allows, coarsen by one level the quasi-identifier
 *     with the most distinct values; then suppress the students still in
 *     small profiles (their profiles are dropped whole, so every remaining
 *     profile keeps its k students: E2);
 *  3. write the files with keyed pseudonyms (BLAKE2b keyed with 32 random
 *     bytes that are never stored: E3);
 *  4. record the data-use row; if that fails the folder is removed. */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "extract/extract.h"
#include "extract/internal.h"
#include "ingest/csv.h"

#define NULL_CELL SLDS_NO_ID
#define PSEUDONYM_BYTES 10 /* 80 bits: 20 hex digits */

typedef struct selected_table {
    const slds_extract_table_spec *spec;
    slds_extract_column_kind *kinds; /* per spec column */
    int *levels;                     /* per spec column: chosen generalization level */
    size_t nrows;
    uint32_t *student; /* per row: student number */
    int *year;         /* per row: school year (0: none) */
    uint32_t *cells;   /* nrows x ncolumns interned values (NULL_CELL for NULL) */
    /* Quasi-identifier columns only: shown[col][level][row], the id in
     * extract_work.shown of the text written at that level (computed once,
     * so each Datafly trial only looks ids up). */
    uint32_t *(*shown)[3];
    uint32_t *qi_index; /* per spec column: its number among all QI columns */
} selected_table;

typedef struct extract_work {
    slds_store *store;
    const slds_extract_spec *spec;
    slds_intern students; /* student id -> number */
    slds_intern values;   /* every cell value */
    slds_intern shown;    /* every quasi-identifier value as shown at some level */
    slds_intern school_lea_keys; /* school id -> index into school_lea */
    char **school_lea;
    selected_table *tables;
    bool *suppressed; /* per student */
    bool students_from_years; /* the spec has tables placed in years: they choose the students */
    unsigned char key[crypto_generichash_KEYBYTES];
} extract_work;

/* ------------------------------------------------------------ selecting */

static int load_school_leas(extract_work *w, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(&c, w->store, "SELECT school_id, lea_id FROM schools", err))
        return err->code;
    size_t cap = 0, n = 0;
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        const char *school = slds_cursor_text(&c, 0), *lea = slds_cursor_text(&c, 1);
        uint32_t id = slds_intern_add(&w->school_lea_keys, school, strlen(school));
        if (id == SLDS_NO_ID)
            break;
        if (id >= cap) {
            size_t ncap = cap ? cap * 2 : 256;
            char **grown = realloc(w->school_lea, ncap * sizeof *grown);
            if (!grown)
                break;
            w->school_lea = grown;
            cap = ncap;
        }
        if (id == n)
            w->school_lea[n++] = strdup(lea ? lea : "");
    }
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    return r == 0 ? SLDS_OK : slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
}

static const char *lea_of_school(const extract_work *w, const char *school)
{
    uint32_t id = slds_intern_find(&w->school_lea_keys, school, strlen(school));
    return id == SLDS_NO_ID ? NULL : w->school_lea[id];
}

/* SELECT student_id, year expression, columns... FROM table [WHERE year IN (?...)] */
static int select_sql(slds_buf *sql, const slds_extract_spec *spec,
                      const slds_extract_table_spec *t)
{
    const char *year_col, *date_col;
    extract_table_year(t->table, &year_col, &date_col);
    char year_expr[160];
    if (year_col)
        snprintf(year_expr, sizeof year_expr, "%s", year_col);
    else if (date_col) /* July to June: the school year named by its end */
        snprintf(year_expr, sizeof year_expr,
                 "CAST(substr(%s,1,4) AS INTEGER) + (CAST(substr(%s,6,2) AS INTEGER) >= 7)",
                 date_col, date_col);
    else
        snprintf(year_expr, sizeof year_expr, "0");
    int rc = slds_buf_printf(sql, "SELECT student_id, %s", year_expr);
    for (size_t c = 0; c < t->ncolumns; c++)
        rc |= slds_buf_printf(sql, ", %s", t->columns[c]); /* names checked against the catalogue */
    rc |= slds_buf_printf(sql, " FROM %s", t->table);
    if (spec->nyears && (year_col || date_col)) {
        rc |= slds_buf_printf(sql, " WHERE %s IN (", year_expr);
        for (size_t y = 0; y < spec->nyears; y++)
            rc |= slds_buf_printf(sql, "%s?%zu", y ? "," : "", y + 1);
        rc |= slds_buf_puts(sql, ")");
    }
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}

static int grow_rows(selected_table *t, size_t need, size_t *cap)
{
    if (need <= *cap)
        return SLDS_OK;
    size_t ncap = *cap ? *cap * 2 : 1024, nc = t->spec->ncolumns ? t->spec->ncolumns : 1;
    uint32_t *student = realloc(t->student, ncap * sizeof *student);
    if (student)
        t->student = student;
    int *year = realloc(t->year, ncap * sizeof *year);
    if (year)
        t->year = year;
    uint32_t *cells = realloc(t->cells, ncap * nc * sizeof *cells);
    if (cells)
        t->cells = cells;
    if (!student || !year || !cells)
        return SLDS_ERR_NOMEM;
    *cap = ncap;
    return SLDS_OK;
}

static uint32_t intern_text(slds_intern *in, const char *s)
{
    return s ? slds_intern_add(in, s, strlen(s)) : NULL_CELL;
}

static int select_table(extract_work *w, selected_table *t, slds_error *err)
{
    const slds_extract_table_spec *ts = t->spec;
    slds_buf sql = {0};
    if (select_sql(&sql, w->spec, ts))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    slds_cursor c;
    int rc = slds_cursor_open(&c, w->store, sql.data, err);
    slds_buf_free(&sql);
    if (rc)
        return rc;
    const char *year_col, *date_col;
    extract_table_year(ts->table, &year_col, &date_col);
    bool yearless = !year_col && !date_col;
    for (size_t y = 0; !yearless && y < w->spec->nyears; y++)
        slds_cursor_bind_int(&c, (int)y + 1, w->spec->years[y]);
    /* A table without years (students) holds only the students the other
     * tables selected, when there are others. */
    bool only_known = yearless && w->students_from_years;
    size_t cap = 0;
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        if (grow_rows(t, t->nrows + 1, &cap))
            break;
        const char *student = slds_cursor_text(&c, 0);
        if (!student)
            continue;
        uint32_t sid = only_known ? slds_intern_find(&w->students, student, strlen(student))
                                  : intern_text(&w->students, student);
        if (only_known && sid == SLDS_NO_ID)
            continue;
        t->student[t->nrows] = sid;
        t->year[t->nrows] = (int)slds_cursor_int(&c, 1);
        bool ok = sid != SLDS_NO_ID;
        for (size_t col = 0; col < ts->ncolumns; col++) {
            const char *v = slds_cursor_text(&c, (int)col + 2);
            uint32_t id = intern_text(&w->values, v);
            ok &= !(v && id == SLDS_NO_ID);
            t->cells[t->nrows * ts->ncolumns + col] = id;
        }
        if (!ok)
            break;
        t->nrows++;
    }
    slds_cursor_close(&c);
    if (r < 0)
        return slds_error_prefix(err, "selecting %s: ", ts->table);
    return r == 0 ? SLDS_OK : slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ Datafly */

typedef struct profiles {
    uint32_t *offsets;  /* per student + 1: tokens[offsets[s] .. offsets[s+1]) */
    uint64_t *tokens;
    size_t *group_size; /* per student: students sharing its profile */
} profiles;

static void profiles_free(profiles *p)
{
    free(p->offsets);
    free(p->tokens);
    free(p->group_size);
    memset(p, 0, sizeof *p);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Fills t->shown: every quasi-identifier cell as shown at each level. */
static int compute_shown(extract_work *w, selected_table *t, uint32_t *next_qi, slds_error *err)
{
    size_t nc = t->spec->ncolumns;
    t->shown = calloc(nc ? nc : 1, sizeof *t->shown);
    t->qi_index = calloc(nc ? nc : 1, sizeof *t->qi_index);
    if (!t->shown || !t->qi_index)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    for (size_t col = 0; col < nc; col++) {
        if (!extract_kind_is_qi(t->kinds[col]))
            continue;
        t->qi_index[col] = (*next_qi)++;
        for (int level = 0; level < slds_extract_kind_levels(t->kinds[col]); level++) {
            uint32_t *ids = t->shown[col][level] = malloc((t->nrows ? t->nrows : 1) * sizeof *ids);
            if (!ids)
                return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            for (size_t row = 0; row < t->nrows; row++) {
                uint32_t v = t->cells[row * nc + col];
                const char *value = v == NULL_CELL ? NULL : slds_intern_str(&w->values, v);
                const char *lea = value && t->kinds[col] == SLDS_XCOL_QI_SCHOOL
                                      ? lea_of_school(w, value)
                                      : NULL;
                char text[256];
                slds_extract_generalize(t->kinds[col], level, value, lea, text, sizeof text);
                if ((ids[row] = slds_intern_add(&w->shown, text, strlen(text))) == SLDS_NO_ID)
                    return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            }
        }
    }
    return SLDS_OK;
}

/* The token of one quasi-identifier cell at its column's current level:
 * (column, school year, shown value) packed exactly into 64 bits. */
static uint64_t cell_token(const selected_table *t, size_t col, size_t row)
{
    uint64_t year = t->year[row] > 0 ? (uint64_t)(t->year[row] & 0xfff) : 0;
    return (uint64_t)t->qi_index[col] << 44 | year << 32 | t->shown[col][t->levels[col]][row];
}

/* Fills every student's tokens (unsorted) at the current levels. */
static int collect_tokens(extract_work *w, profiles *p, slds_error *err)
{
    size_t nstudents = w->students.count, ntokens = 0;
    for (size_t ti = 0; ti < w->spec->ntables; ti++) {
        const selected_table *t = &w->tables[ti];
        size_t nqi = 0;
        for (size_t col = 0; col < t->spec->ncolumns; col++)
            nqi += extract_kind_is_qi(t->kinds[col]);
        for (size_t row = 0; row < t->nrows; row++)
            p->offsets[t->student[row] + 1] += (uint32_t)nqi;
        ntokens += nqi * t->nrows;
    }
    if (ntokens >= UINT32_MAX)
        return slds_fail(err, SLDS_ERR_USAGE, "an extract of more than 4 billion cells is too big");
    for (size_t s = 0; s < nstudents; s++)
        p->offsets[s + 1] += p->offsets[s];
    p->tokens = malloc((ntokens ? ntokens : 1) * sizeof *p->tokens);
    uint32_t *fill = malloc((nstudents ? nstudents : 1) * sizeof *fill);
    if (!p->tokens || !fill) {
        free(fill);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    memcpy(fill, p->offsets, nstudents * sizeof *fill);
    for (size_t ti = 0; ti < w->spec->ntables; ti++) {
        const selected_table *t = &w->tables[ti];
        for (size_t col = 0; col < t->spec->ncolumns; col++)
            if (extract_kind_is_qi(t->kinds[col]))
                for (size_t row = 0; row < t->nrows; row++)
                    p->tokens[fill[t->student[row]]++] = cell_token(t, col, row);
    }
    free(fill);
    return SLDS_OK;
}

/* Builds every student's profile (the set of its tokens) at the current
 * levels and counts the students of each; returns through *small the number
 * of students whose profile has fewer than k. Profiles are compared exactly
 * (interned as byte strings), never by a hash that could merge two. */
static int build_profiles(extract_work *w, profiles *p, size_t *small, slds_error *err)
{
    size_t nstudents = w->students.count;
    profiles_free(p);
    p->offsets = calloc(nstudents + 1, sizeof *p->offsets);
    p->group_size = calloc(nstudents ? nstudents : 1, sizeof *p->group_size);
    if (!p->offsets || !p->group_size)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    int rc = collect_tokens(w, p, err);
    if (rc)
        return rc;
    slds_intern sets = {0};
    uint32_t *profile = malloc((nstudents ? nstudents : 1) * sizeof *profile);
    size_t *count = NULL;
    rc = profile ? SLDS_OK : SLDS_ERR_NOMEM;
    for (size_t s = 0; !rc && s < nstudents; s++) {
        uint32_t lo = p->offsets[s], hi = p->offsets[s + 1], n = 0;
        qsort(p->tokens + lo, hi - lo, sizeof *p->tokens, cmp_u64);
        for (uint32_t i = lo; i < hi; i++) /* a set: repeats dropped in place */
            if (i == lo || p->tokens[i] != p->tokens[i - 1])
                p->tokens[lo + n++] = p->tokens[i];
        profile[s] = slds_intern_add(&sets, (const char *)(p->tokens + lo), n * sizeof(uint64_t));
        if (profile[s] == SLDS_NO_ID)
            rc = SLDS_ERR_NOMEM;
    }
    if (!rc && !(count = calloc(sets.count + 1, sizeof *count)))
        rc = SLDS_ERR_NOMEM;
    *small = 0;
    if (!rc) {
        for (size_t s = 0; s < nstudents; s++)
            count[profile[s]]++;
        for (size_t s = 0; s < nstudents; s++) {
            p->group_size[s] = count[profile[s]];
            *small += p->group_size[s] < (size_t)w->spec->k;
        }
    }
    free(count);
    free(profile);
    slds_intern_free(&sets);
    return rc ? slds_fail(err, rc, "out of memory") : SLDS_OK;
}

/* The quasi-identifier whose coarsening by one level leaves the fewest
 * students in small profiles (Datafly's choice refined: it tries each
 * instead of guessing by the number of distinct values, which would coarsen
 * dates and schools a state's researchers need before a rare flag), as
 * (table, column); *found false when every one already shows "*". */
static int pick_column_to_coarsen(extract_work *w, profiles *trial, size_t *best_table,
                                  size_t *best_col, bool *found, slds_error *err)
{
    size_t best_small = 0;
    *found = false;
    for (size_t ti = 0; ti < w->spec->ntables; ti++) {
        selected_table *t = &w->tables[ti];
        for (size_t col = 0; col < t->spec->ncolumns; col++) {
            if (!extract_kind_is_qi(t->kinds[col]) ||
                t->levels[col] >= slds_extract_kind_levels(t->kinds[col]) - 1)
                continue;
            size_t small;
            t->levels[col]++;
            int rc = build_profiles(w, trial, &small, err);
            t->levels[col]--;
            if (rc)
                return rc;
            if (!*found || small < best_small) {
                *found = true;
                best_small = small;
                *best_table = ti;
                *best_col = col;
            }
        }
    }
    return SLDS_OK;
}

static int anonymize(extract_work *w, const slds_progress *progress, slds_error *err)
{
    size_t n = w->students.count;
    size_t budget = (size_t)(w->spec->max_suppressed * (double)n);
    profiles p = {0}, trial = {0};
    int rc = SLDS_OK;
    for (int step = 0;; step++) {
        slds_progress_report(progress, "k-anonymity", (uint64_t)step, 0);
        size_t small;
        if ((rc = build_profiles(w, &p, &small, err)))
            break;
        if (small <= budget) {
            for (size_t s = 0; s < n; s++)
                w->suppressed[s] = p.group_size[s] < (size_t)w->spec->k;
            break;
        }
        size_t ti = 0, col = 0;
        bool found;
        if ((rc = pick_column_to_coarsen(w, &trial, &ti, &col, &found, err)))
            break;
        if (!found) { /* every quasi-identifier shows "*": the rest is suppressed */
            for (size_t s = 0; s < n; s++)
                w->suppressed[s] = p.group_size[s] < (size_t)w->spec->k;
            break;
        }
        w->tables[ti].levels[col]++;
    }
    profiles_free(&p);
    profiles_free(&trial);
    return rc;
}

/* ------------------------------------------------------------ writing */

static void pseudonym(const extract_work *w, const char *domain, const char *id, char hex[21])
{
    unsigned char h[PSEUDONYM_BYTES];
    crypto_generichash_state st;
    crypto_generichash_init(&st, w->key, sizeof w->key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(hex, 21, h, sizeof h);
}

/* E3 needs pseudonyms unique within the extract too: 80 bits make a clash
 * among a few million students a one-in-10^11 event, but it is checked. */
static int check_unique_pseudonyms(const extract_work *w, char (*hex)[21], slds_error *err)
{
    size_t n = w->students.count;
    char(*sorted)[21] = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    memcpy(sorted, hex, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, (int (*)(const void *, const void *))strcmp);
    int rc = SLDS_OK;
    for (size_t i = 1; i < n && !rc; i++)
        if (!strcmp(sorted[i], sorted[i - 1]))
            rc = slds_fail(err, SLDS_ERR_NUMERIC, "two students drew the same pseudonym; run again");
    free(sorted);
    return rc;
}

static int write_table_file(const extract_work *w, const selected_table *t, char (*hex)[21],
                            const char *path, size_t *written, slds_error *err)
{
    FILE *f = fopen(path, "wx");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "%s: %s", path, strerror(errno));
    const slds_extract_table_spec *ts = t->spec;
    fputs("pseudonym", f);
    for (size_t c = 0; c < ts->ncolumns; c++) {
        fputc(',', f);
        slds_csv_write_text_field(f, ts->columns[c]);
    }
    fputc('\n', f);
    *written = 0;
    for (size_t row = 0; row < t->nrows; row++) {
        uint32_t s = t->student[row];
        if (w->suppressed[s])
            continue;
        fputs(hex[s], f);
        for (size_t c = 0; c < ts->ncolumns; c++) {
            fputc(',', f);
            uint32_t v = t->cells[row * ts->ncolumns + c];
            if (v == NULL_CELL)
                continue;
            const char *value = slds_intern_str(&w->values, v);
            char shown[256], pseudo[21];
            if (t->kinds[c] == SLDS_XCOL_PSEUDONYM) {
                pseudonym(w, ts->columns[c], value, pseudo);
                fputs(pseudo, f);
            } else {
                const char *lea = t->kinds[c] == SLDS_XCOL_QI_SCHOOL ? lea_of_school(w, value) : NULL;
                slds_csv_write_text_field(
                    f, slds_extract_generalize(t->kinds[c], t->levels[c], value, lea, shown,
                                               sizeof shown));
            }
        }
        fputc('\n', f);
        ++*written;
    }
    if (ferror(f) | (fclose(f) != 0))
        return slds_fail(err, SLDS_ERR_IO, "%s: write failed", path);
    return SLDS_OK;
}

static const char *level_name(slds_extract_column_kind kind, int level)
{
    if (level >= slds_extract_kind_levels(kind) - 1)
        return "* (withheld)";
    static const char *const names[][2] = {
        [SLDS_XCOL_QI_CODE] = {"code", "*"},
        [SLDS_XCOL_QI_SCHOOL] = {"school", "district"},
        [SLDS_XCOL_QI_LEA] = {"district", "*"},
        [SLDS_XCOL_QI_GRADE] = {"grade", "grade band"},
        [SLDS_XCOL_QI_DATE] = {"month", "year"},
    };
    return names[kind][level];
}

static int build_result(const extract_work *w, const size_t *written, slds_extract_result *r,
                        slds_error *err)
{
    static const slds_column_spec file_cols[] = {
        {.name = "file", .type = SLDS_CELL_TEXT},
        {.name = "rows_selected", .type = SLDS_CELL_INTEGER},
        {.name = "rows_written", .type = SLDS_CELL_INTEGER},
    };
    static const slds_column_spec gen_cols[] = {
        {.name = "table", .type = SLDS_CELL_TEXT},
        {.name = "column", .type = SLDS_CELL_TEXT},
        {.name = "level", .type = SLDS_CELL_INTEGER},
        {.name = "shown_as", .type = SLDS_CELL_TEXT},
    };
    int rc = slds_table_new(&r->files, "files", "Files written", file_cols, 3, err);
    if (!rc)
        rc = slds_table_new(&r->generalizations, "generalizations",
                            "Quasi-identifiers and how coarsely they are shown", gen_cols, 4, err);
    for (size_t ti = 0; !rc && ti < w->spec->ntables; ti++) {
        const selected_table *t = &w->tables[ti];
        char file[128];
        snprintf(file, sizeof file, "%s.csv", t->spec->table);
        slds_table_add_row(r->files, err);
        slds_table_set_text(r->files, 0, file, err);
        slds_table_set_integer(r->files, 1, (long long)t->nrows, err);
        slds_table_set_integer(r->files, 2, (long long)written[ti], err);
        for (size_t c = 0; c < t->spec->ncolumns; c++) {
            if (!extract_kind_is_qi(t->kinds[c]))
                continue;
            slds_table_add_row(r->generalizations, err);
            slds_table_set_text(r->generalizations, 0, t->spec->table, err);
            slds_table_set_text(r->generalizations, 1, t->spec->columns[c], err);
            slds_table_set_integer(r->generalizations, 2, t->levels[c], err);
            slds_table_set_text(r->generalizations, 3, level_name(t->kinds[c], t->levels[c]), err);
        }
        rc = slds_table_status(r->files) ? slds_table_status(r->files)
                                         : slds_table_status(r->generalizations);
    }
    return rc;
}

/* ------------------------------------------------------------ recording */

static json_t *spec_json(const slds_extract_spec *spec)
{
    json_t *tables = json_object(), *years = json_array();
    for (size_t i = 0; i < spec->ntables; i++) {
        json_t *cols = json_array();
        for (size_t c = 0; c < spec->tables[i].ncolumns; c++)
            json_array_append_new(cols, json_string(spec->tables[i].columns[c]));
        json_object_set_new(tables, spec->tables[i].table, cols);
    }
    for (size_t y = 0; y < spec->nyears; y++)
        json_array_append_new(years, json_integer(spec->years[y]));
    return json_pack("{s:s, s:s, s:s?, s:s?, s:i, s:f, s:o, s:o}", "requester", spec->requester,
                     "purpose", spec->purpose, "approved_by", spec->approved_by, "researcher",
                     spec->researcher, "k", spec->k,
                     "max_suppressed", spec->max_suppressed, "years", years, "tables", tables);
}

static int record_extract(extract_work *w, const slds_extract_result *r, const char *out_dir,
                          slds_error *err)
{
    json_t *spec = spec_json(w->spec), *gens = slds_table_json(r->generalizations);
    char *spec_text = spec ? json_dumps(spec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char *gen_text = gens ? json_dumps(gens, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(spec);
    json_decref(gens);
    char created[32], abs_dir[4096];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!realpath(out_dir, abs_dir))
        snprintf(abs_dir, sizeof abs_dir, "%s", out_dir);
    int rc = spec_text && gen_text ? SLDS_OK : slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    slds_cursor c = {0};
    if (!rc)
        rc = slds_cursor_open(
            &c, w->store,
            "INSERT INTO extracts(extract_id, created_at, requester, purpose, approved_by, k,"
            " max_suppressed, spec, students_selected, students_written, students_suppressed,"
            " rows_selected, rows_written, generalizations, out_dir)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            err);
    if (!rc) {
        slds_cursor_bind_text(&c, 1, r->extract_id);
        slds_cursor_bind_text(&c, 2, created);
        slds_cursor_bind_text(&c, 3, w->spec->requester);
        slds_cursor_bind_text(&c, 4, w->spec->purpose);
        slds_cursor_bind_text(&c, 5, w->spec->approved_by);
        slds_cursor_bind_int(&c, 6, w->spec->k);
        slds_cursor_bind_double(&c, 7, w->spec->max_suppressed);
        slds_cursor_bind_text(&c, 8, spec_text);
        slds_cursor_bind_int(&c, 9, (int64_t)r->students_selected);
        slds_cursor_bind_int(&c, 10, (int64_t)r->students_written);
        slds_cursor_bind_int(&c, 11, (int64_t)r->students_suppressed);
        slds_cursor_bind_int(&c, 12, (int64_t)r->rows_selected);
        slds_cursor_bind_int(&c, 13, (int64_t)r->rows_written);
        slds_cursor_bind_text(&c, 14, gen_text);
        slds_cursor_bind_text(&c, 15, abs_dir);
        if (slds_cursor_step(&c, err) < 0)
            rc = err->code;
    }
    slds_cursor_close(&c);
    free(spec_text);
    free(gen_text);
    return rc;
}

/* ------------------------------------------------------------ the run */

static int make_out_dir(const char *out_dir, slds_error *err)
{
    if (mkdir(out_dir, 0700) == 0)
        return SLDS_OK;
    if (errno != EEXIST)
        return slds_fail(err, SLDS_ERR_IO, "%s: %s", out_dir, strerror(errno));
    char probe[4096];
    for (const char *const *name = (const char *const[]){"extract.json", NULL}; *name; name++) {
        snprintf(probe, sizeof probe, "%s/%s", out_dir, *name);
        if (access(probe, F_OK) == 0)
            return slds_fail(err, SLDS_ERR_USAGE,
                             "%s already holds an extract; name a new folder", out_dir);
    }
    return SLDS_OK;
}

static void remove_written(const slds_extract_spec *spec, const char *out_dir)
{
    char path[4096];
    for (size_t i = 0; i < spec->ntables; i++) {
        snprintf(path, sizeof path, "%s/%s.csv", out_dir, spec->tables[i].table);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/extract.json", out_dir);
    unlink(path);
    rmdir(out_dir); /* only when empty: a folder the user already had stays */
}

static int write_manifest(const slds_extract_result *r, const slds_extract_spec *spec,
                          const char *out_dir, slds_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/extract.json", out_dir);
    FILE *f = fopen(path, "wx");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "%s: %s", path, strerror(errno));
    json_t *j = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "extract_id",
                          r->extract_id, "spec", spec_json(spec), "students_selected",
                          (json_int_t)r->students_selected, "students_written",
                          (json_int_t)r->students_written, "students_suppressed",
                          (json_int_t)r->students_suppressed, "rows_selected",
                          (json_int_t)r->rows_selected, "rows_written",
                          (json_int_t)r->rows_written, "files", slds_table_json(r->files),
                          "generalizations", slds_table_json(r->generalizations));
    int rc = slds_json_write(j, f, err);
    if ((fclose(f) != 0) && !rc)
        rc = slds_fail(err, SLDS_ERR_IO, "%s: write failed", path);
    return rc;
}

static void work_free(extract_work *w)
{
    for (size_t i = 0; w->tables && i < w->spec->ntables; i++) {
        free(w->tables[i].kinds);
        free(w->tables[i].levels);
        free(w->tables[i].student);
        free(w->tables[i].year);
        free(w->tables[i].cells);
        for (size_t c = 0; w->tables[i].shown && c < w->spec->tables[i].ncolumns; c++)
            for (int l = 0; l < 3; l++)
                free(w->tables[i].shown[c][l]);
        free(w->tables[i].shown);
        free(w->tables[i].qi_index);
    }
    free(w->tables);
    for (size_t i = 0; i < w->school_lea_keys.count; i++)
        free(w->school_lea[i]);
    free(w->school_lea);
    free(w->suppressed);
    slds_intern_free(&w->students);
    slds_intern_free(&w->values);
    slds_intern_free(&w->shown);
    slds_intern_free(&w->school_lea_keys);
    sodium_memzero(w->key, sizeof w->key);
}

static int prepare_and_select(extract_work *w, size_t ti, const slds_progress *progress,
                              slds_error *err)
{
    selected_table *t = &w->tables[ti];
    t->spec = &w->spec->tables[ti];
    size_t nc = t->spec->ncolumns ? t->spec->ncolumns : 1;
    t->kinds = calloc(nc, sizeof *t->kinds);
    t->levels = calloc(nc, sizeof *t->levels);
    if (!t->kinds || !t->levels)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    for (size_t c = 0; c < t->spec->ncolumns; c++) {
        int kind = slds_extract_column_kind_of(t->spec->table, t->spec->columns[c]);
        if (kind < 0)
            return slds_fail(err, SLDS_ERR_USAGE, "column %s.%s can't be extracted",
                             t->spec->table, t->spec->columns[c]);
        t->kinds[c] = (slds_extract_column_kind)kind;
    }
    slds_progress_report(progress, "selecting", ti, w->spec->ntables);
    return select_table(w, t, err);
}

static int select_all(extract_work *w, const slds_progress *progress, slds_error *err)
{
    int rc = load_school_leas(w, err);
    w->tables = calloc(w->spec->ntables, sizeof *w->tables);
    if (!rc && !w->tables)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    /* Tables placed in school years first: a table without years (students)
     * then keeps only the students they selected. */
    for (size_t ti = 0; ti < w->spec->ntables; ti++) {
        const char *year_col, *date_col;
        extract_table_year(w->spec->tables[ti].table, &year_col, &date_col);
        w->students_from_years |= year_col || date_col;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t ti = 0; !rc && ti < w->spec->ntables; ti++) {
            const char *year_col, *date_col;
            extract_table_year(w->spec->tables[ti].table, &year_col, &date_col);
            if ((pass == 0) == (year_col || date_col))
                rc = prepare_and_select(w, ti, progress, err);
        }
    uint32_t next_qi = 0;
    for (size_t ti = 0; !rc && ti < w->spec->ntables; ti++)
        rc = compute_shown(w, &w->tables[ti], &next_qi, err);
    return rc;
}

int slds_extract_run(slds_store *s, const slds_extract_spec *spec, const char *out_dir,
                     slds_extract_result *result, const slds_progress *progress,
                     slds_error *err)
{
    memset(result, 0, sizeof *result);
    if (!s->writer)
        return slds_fail(err, SLDS_ERR_USAGE, "an extract is recorded: open the store as a writer");
    if (sodium_init() < 0)
        return slds_fail(err, SLDS_ERR_IO, "cannot initialise libsodium");
    extract_work w = {.store = s, .spec = spec};
    randombytes_buf(w.key, sizeof w.key);
    unsigned char id[16];
    randombytes_buf(id, sizeof id);
    sodium_bin2hex(result->extract_id, sizeof result->extract_id, id, sizeof id);

    int rc = select_all(&w, progress, err);
    size_t n = w.students.count;
    if (!rc && !(w.suppressed = calloc(n ? n : 1, sizeof *w.suppressed)))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = anonymize(&w, progress, err);
    char(*hex)[21] = NULL;
    if (!rc && !(hex = malloc((n ? n : 1) * sizeof *hex)))
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    for (size_t st = 0; !rc && st < n; st++)
        pseudonym(&w, "student", slds_intern_str(&w.students, (uint32_t)st), hex[st]);
    if (!rc)
        rc = check_unique_pseudonyms(&w, hex, err);
    size_t *written = calloc(spec->ntables ? spec->ntables : 1, sizeof *written);
    if (!rc && !written)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    bool made_dir = false;
    if (!rc)
        made_dir = !(rc = make_out_dir(out_dir, err));
    for (size_t ti = 0; !rc && ti < spec->ntables; ti++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.csv", out_dir, spec->tables[ti].table);
        slds_progress_report(progress, "writing", ti, spec->ntables);
        rc = write_table_file(&w, &w.tables[ti], hex, path, &written[ti], err);
    }
    if (!rc) {
        result->students_selected = n;
        for (size_t st = 0; st < n; st++)
            result->students_suppressed += w.suppressed[st];
        result->students_written = n - result->students_suppressed;
        for (size_t ti = 0; ti < spec->ntables; ti++) {
            result->rows_selected += w.tables[ti].nrows;
            result->rows_written += written[ti];
        }
        rc = build_result(&w, written, result, err);
    }
    if (!rc)
        rc = write_manifest(result, spec, out_dir, err);
    if (!rc)
        rc = record_extract(&w, result, out_dir, err);
    if (rc && made_dir)
        remove_written(spec, out_dir);
    if (rc)
        slds_extract_result_free(result);
    free(written);
    free(hex);
    work_free(&w);
    return rc;
}

void slds_extract_result_free(slds_extract_result *r)
{
    if (!r)
        return;
    slds_table_free(r->files);
    slds_table_free(r->generalizations);
    r->files = r->generalizations = NULL;
}

static int records(slds_store *s, const char *researcher, slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {
        {.name = "extract_id", .type = SLDS_CELL_TEXT},
        {.name = "created_at", .type = SLDS_CELL_TEXT},
        {.name = "requester", .type = SLDS_CELL_TEXT},
        {.name = "purpose", .type = SLDS_CELL_TEXT},
        {.name = "approved_by", .type = SLDS_CELL_TEXT},
        {.name = "k", .type = SLDS_CELL_INTEGER},
        {.name = "students_written", .type = SLDS_CELL_INTEGER},
        {.name = "students_suppressed", .type = SLDS_CELL_INTEGER},
        {.name = "rows_written", .type = SLDS_CELL_INTEGER},
        {.name = "out_dir", .type = SLDS_CELL_TEXT},
    };
    int rc = slds_table_new(out, "extracts", "Data-use records of researcher extracts", cols,
                            (int)(sizeof cols / sizeof cols[0]), err);
    if (rc)
        return rc;
    int version = slds_store_schema_version(s, "extract", err);
    if (version < 0)
        return err->code;
    if (version == 0)
        return SLDS_OK;
    slds_cursor c;
    if (slds_cursor_open(&c, s,
                         "SELECT extract_id, created_at, requester, purpose, approved_by, k,"
                         " students_written, students_suppressed, rows_written, out_dir"
                         " FROM extracts WHERE ?1 IS NULL OR (approved_by IS NOT NULL"
                         "  AND approved_by <> '' AND json_extract(spec, '$.researcher') = ?1)"
                         " ORDER BY created_at, extract_id",
                         err))
        return err->code;
    slds_cursor_bind_text(&c, 1, researcher);
    int r;
    while ((r = slds_cursor_step(&c, err)) == 1) {
        slds_table_add_row(*out, err);
        for (int col = 0; col < 10; col++) {
            if (cols[col].type == SLDS_CELL_INTEGER)
                slds_table_set_integer(*out, col, slds_cursor_int(&c, col), err);
            else
                slds_table_set_text(*out, col, slds_cursor_text(&c, col), err);
        }
    }
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    return slds_table_status(*out);
}

int slds_extract_records(slds_store *s, slds_table **out, slds_error *err)
{
    return records(s, NULL, out, err);
}

int slds_extract_records_for(slds_store *s, const char *researcher, slds_table **out,
                             slds_error *err)
{
    if (!researcher || !*researcher)
        return slds_fail(err, SLDS_ERR_USAGE, "extract: which researcher?");
    return records(s, researcher, out, err);
}
