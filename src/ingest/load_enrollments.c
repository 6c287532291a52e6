/* load_enrollments.c - enrollments.csv: spells, overlaps, grade progression. */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- enrollments.csv: spells, overlaps, grade progression -------------- */

static int cmp_spell_by_student_entry(const void *a, const void *b, void *ctx);

int handle_enrollment_row(load_ctx *c, const row *r, long line)
{
    uint32_t student, school;
    if (!known(&c->students, &r->v[0], &student))
        return reject_row(c, line, "student_id", r->raw[0], r->rawlen[0],
                          "unknown student (not in this collection nor in the database)");
    if (!known(&c->schools, &r->v[1], &school))
        return reject_row(c, line, "school_id", r->raw[1], r->rawlen[1],
                          "unknown school (not in this collection nor in the database)");
    int year = (int)r->v[2].i;
    int64_t lo = slds_days_from_civil(year - 1, 7, 1), hi = slds_days_from_civil(year, 6, 30);
    if (r->v[4].i < lo || r->v[4].i > hi) {
        char why[160];
        snprintf(why, sizeof why, "entry date outside school year %d (%d-07-01 to %d-06-30)", year,
                 year - 1, year);
        return reject_row(c, line, "entry_date", r->raw[4], r->rawlen[4], why);
    }
    if (!r->v[5].blank && r->v[5].i < r->v[4].i)
        return reject_row(c, line, "exit_date", r->raw[5], r->rawlen[5], "exit date before entry date");
    if (!r->v[5].blank && r->v[5].i > hi + 92)
        return reject_row(c, line, "exit_date", r->raw[5], r->rawlen[5],
                          "exit date after the end of the school year (and its summer)");
    if (r->v[5].blank != r->v[6].blank)
        return reject_row(c, line, r->v[5].blank ? "exit_date" : "exit_code",
                          r->raw[r->v[5].blank ? 5 : 6], r->rawlen[r->v[5].blank ? 5 : 6],
                          r->v[5].blank ? "exit code given without an exit date"
                                        : "exit date given without an exit code");
    spell sp = {.student = student,
                .school = school,
                .line = (uint32_t)line,
                .entry = (int32_t)r->v[4].i,
                .exit = r->v[5].blank ? OPEN_END : (int32_t)r->v[5].i,
                .year = (uint16_t)year,
                .grade = (int8_t)r->v[3].i,
                .exit_code = (uint8_t)exit_code_index(r->v[6].text),
                .state = SPELL_ACTIVE};
    return push_spell(c, &sp);
}

static int cmp_spell_by_student_entry(const void *pa, const void *pb, void *ctx)
{
    const spell *sp = ctx;
    const spell *a = &sp[*(const uint32_t *)pa], *b = &sp[*(const uint32_t *)pb];
    if (a->student != b->student)
        return a->student < b->student ? -1 : 1;
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    if (a->school != b->school)
        return a->school < b->school ? -1 : 1;
    /* Existing (line 0) before new; new in file order: the later one wins. */
    return a->line < b->line ? -1 : a->line > b->line;
}

/* qsort has no context argument in C17; sort indices with a small merge sort. */
static void sort_spell_index(uint32_t *idx, uint32_t *tmp, size_t n, const spell *sp)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_spell_index(idx, tmp, h, sp);
    sort_spell_index(idx + h, tmp, n - h, sp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_spell_by_student_entry(&idx[j], &idx[i], (void *)sp) < 0 ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static int reject_spell(load_ctx *c, spell *s, const char *column, const char *value,
                        const char *reason)
{
    s->state = SPELL_REJECTED;
    return reject_row(c, s->line, column, value, strlen(value), reason);
}

/* Marks superseded and rejected spells among those of one student (idx[0..n)). */
static int check_student_spells(load_ctx *c, const uint32_t *idx, size_t n)
{
    spell *sp = c->spells;
    /* Same natural key: the later one replaces the earlier. */
    for (size_t i = 1; i < n; i++) {
        spell *a = &sp[idx[i - 1]], *b = &sp[idx[i]];
        if (a->entry == b->entry && a->school == b->school)
            a->state = SPELL_SUPERSEDED;
    }
    /* Overlaps: a spell must start on or after the previous one ends. */
    spell *prev = NULL;
    char d1[11], d2[11], why[200];
    for (size_t i = 0; i < n; i++) {
        spell *s = &sp[idx[i]];
        if (s->state != SPELL_ACTIVE)
            continue;
        if (prev && s->entry < prev->exit) {
            spell *bad = s->line ? s : prev->line ? prev : NULL;
            if (bad) {
                spell *other = bad == s ? prev : s;
                slds_date_format(other->entry, d1);
                if (other->exit == OPEN_END)
                    snprintf(d2, sizeof d2, "open");
                else
                    slds_date_format(other->exit, d2);
                char where[32] = "already loaded";
                if (other->line)
                    snprintf(where, sizeof where, "line %u", other->line);
                snprintf(why, sizeof why,
                         "enrollment overlaps another spell of this student (school %s, %s to %s, %s)",
                         slds_intern_str(&c->schools, other->school), d1, d2, where);
                char entry[11];
                slds_date_format(bad->entry, entry);
                if (reject_spell(c, bad, "entry_date", entry, why))
                    return c->err->code;
                if (bad == s)
                    continue;
            }
        }
        prev = s;
    }
    /* Grade progression: from one school year to a later one, a student stays
     * in grade, or moves up by at most one grade more than the years passed,
     * or down by one. Within a year, grades differ by at most one. Each spell
     * is compared with the one before it, rejected or not, so a single jump
     * rejects the year of the jump and not every ordinary year after it. */
    const spell *last = NULL;
    for (size_t i = 0; i < n; i++) {
        spell *s = &sp[idx[i]];
        if (s->state != SPELL_ACTIVE)
            continue;
        if (last) {
            int gap = (int)s->year - (int)last->year;
            int delta = s->grade - last->grade;
            bool ok = gap < 0 || (gap == 0 ? delta >= -1 && delta <= 1 : delta >= -1 && delta <= gap + 1);
            if (!ok && s->line) {
                snprintf(why, sizeof why, "implausible grade progression: grade %s in %d after grade %s in %d",
                         slds_grade_code(s->grade), s->year, slds_grade_code(last->grade), last->year);
                if (reject_spell(c, s, "grade_level", slds_grade_code(s->grade), why))
                    return c->err->code;
            }
        }
        last = s;
    }
    return SLDS_OK;
}

static int write_spell(load_ctx *c, sqlite3_stmt *st, const spell *s)
{
    char entry[11], exit[11];
    slds_date_format(s->entry, entry);
    sqlite3_bind_text(st, 1, slds_intern_str(&c->students, s->student), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, slds_intern_str(&c->schools, s->school), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, s->year);
    sqlite3_bind_text(st, 4, slds_grade_code(s->grade), 2, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, entry, 10, SQLITE_STATIC);
    if (s->exit == OPEN_END) {
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 7);
    } else {
        slds_date_format(s->exit, exit);
        sqlite3_bind_text(st, 6, exit, 10, SQLITE_STATIC);
        const slds_column_def *col = &slds_contract_find("enrollments.csv")->columns[6];
        if (s->exit_code)
            sqlite3_bind_text(st, 7, col->codes[s->exit_code - 1], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 7);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "writing enrollments");
}

/* After enrollments.csv (or at the start, for spells already loaded): judge
 * the new spells, write the accepted ones, and build the enrolled sets. */
int finish_enrollments(load_ctx *c, sqlite3_stmt *insert)
{
    size_t n = c->nspells;
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        return nomem(c);
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    sort_spell_index(idx, tmp, n, c->spells);
    free(tmp);
    int rc = SLDS_OK;
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i;
        while (j < n && c->spells[idx[j]].student == c->spells[idx[i]].student)
            j++;
        rc = check_student_spells(c, idx + i, j - i);
        i = j;
    }
    for (size_t k = 0; k < n && !rc; k++) {
        const spell *s = &c->spells[idx[k]];
        if (insert && s->line && s->state != SPELL_REJECTED) {
            rc = write_spell(c, insert, s);
            c->cur->loaded++;
        }
        if (s->state == SPELL_ACTIVE &&
            (!slds_map64_put(&c->enrolled_year, key2(s->student, s->year), 1) ||
             !slds_map64_put(&c->enrolled_school_year, key3(s->student, s->school, s->year), 1)))
            rc = nomem(c);
    }
    free(idx);
    return rc;
}

