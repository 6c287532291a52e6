/* load_enrollments.c - enrollments.csv: spells, duplicates, overlaps, grade
 * progression.
 *
 * Every new spell is kept in memory with the stored ones (24 bytes each) and
 * judged after the whole file, per student, in order of entry date:
 *  - the same key (student, school, entry date) twice in the file: the
 *    later row is rejected (KEY_DUPLICATE_IN_FILE), so each key has at most
 *    one new spell and every new spell ends up loaded or rejected;
 *  - a new spell with a stored spell's key replaces it, unless the new one is
 *    rejected: then the stored spell stays, and stays visible to the checks
 *    and to later files of the load (attendance, rosters, tests);
 *  - overlaps and grade progression are checked over the spells that will
 *    be stored; when a reject makes a stored spell come back, the student's
 *    spells are judged again (a rejection is never undone, so this ends).
 * Findings (warn rules) are written once the student's spells are settled. */
#include "ingest/load_internal.h"

#include <stdlib.h>
#include <string.h>

/* Row-level warnings of a spell, kept in spell.warns. */
enum {
    WARN_ENTRY_OUTSIDE = 1,
    WARN_EXIT_AFTER = 2,
    WARN_CODE_MISSING = 4,
    WARN_CODE_WITHOUT_DATE = 8,
};

/* A spell rejected by a rule that compares it with another spell. */
typedef struct spell_reject {
    uint32_t spell, other;
    slds_rule rule;
} spell_reject;

typedef struct spell_rejects {
    spell_reject *v;
    size_t n, cap;
} spell_rejects;

static const slds_column_def *exit_code_column(void)
{
    return &slds_contract_find("enrollments.csv")->columns[SLDS_ENR_EXIT_CODE];
}

int handle_enrollment_row(load_ctx *c, const row *r, long line, verdict *v)
{
    uint32_t student = SLDS_NO_ID, school = SLDS_NO_ID;
    int year = (int)r->v[SLDS_ENR_SCHOOL_YEAR].i;
    int64_t lo = slds_days_from_civil(year - 1, 7, 1), hi = slds_days_from_civil(year, 6, 30);
    int64_t entry = r->v[SLDS_ENR_ENTRY_DATE].i, exit = r->v[SLDS_ENR_EXIT_DATE].i;
    bool no_exit = r->v[SLDS_ENR_EXIT_DATE].blank, no_code = r->v[SLDS_ENR_EXIT_CODE].blank;
    char why[160];
    uint8_t warns = 0;
#define RAW(col) r->raw[col], r->rawlen[col]
    do {
        if (!known(&c->students, &r->v[SLDS_ENR_STUDENT_ID], &student) &&
            flag(c, v, SLDS_RULE_REF_UNKNOWN_STUDENT, SLDS_ENR_STUDENT_ID, RAW(SLDS_ENR_STUDENT_ID),
                 "unknown student (not in this collection nor in the database)"))
            break;
        if (!known(&c->schools, &r->v[SLDS_ENR_SCHOOL_ID], &school) &&
            flag(c, v, SLDS_RULE_REF_UNKNOWN_SCHOOL, SLDS_ENR_SCHOOL_ID, RAW(SLDS_ENR_SCHOOL_ID),
                 "unknown school (not in this collection nor in the database)"))
            break;
        if (!no_exit && exit < entry &&
            flag(c, v, SLDS_RULE_ENR_EXIT_BEFORE_ENTRY, SLDS_ENR_EXIT_DATE, RAW(SLDS_ENR_EXIT_DATE),
                 "exit date before entry date"))
            break;
        if (no_exit && !no_code) {
            if (flag(c, v, SLDS_RULE_ENR_EXIT_CODE_WITHOUT_DATE, SLDS_ENR_EXIT_DATE, RAW(SLDS_ENR_EXIT_DATE),
                     "exit code given without an exit date"))
                break;
            warns |= WARN_CODE_WITHOUT_DATE;
        }
        if (!no_exit && no_code) {
            if (flag(c, v, SLDS_RULE_ENR_EXIT_CODE_MISSING, SLDS_ENR_EXIT_CODE, RAW(SLDS_ENR_EXIT_CODE),
                     "exit date given without an exit code"))
                break;
            warns |= WARN_CODE_MISSING;
        }
        if (entry < lo || entry > hi) {
            snprintf(why, sizeof why, "entry date outside school year %d (%d-07-01 to %d-06-30)", year,
                     year - 1, year);
            if (flag(c, v, SLDS_RULE_ENR_ENTRY_OUTSIDE_YEAR, SLDS_ENR_ENTRY_DATE, RAW(SLDS_ENR_ENTRY_DATE), why))
                break;
            warns |= WARN_ENTRY_OUTSIDE;
        }
        if (!no_exit && exit > hi + 92) {
            if (flag(c, v, SLDS_RULE_ENR_EXIT_AFTER_YEAR, SLDS_ENR_EXIT_DATE, RAW(SLDS_ENR_EXIT_DATE),
                     "exit date after the end of the school year (and its summer)"))
                break;
            warns |= WARN_EXIT_AFTER;
        }
    } while (0);
#undef RAW
    if (v->rejected)
        return record_verdict(c, slds_contract_find("enrollments.csv"), line, v, NULL);
    /* Findings of the row are written when the spell is settled (it may
     * still be rejected as a duplicate or an overlap). */
    spell sp = {.student = student,
                .school = school,
                .line = (uint32_t)line,
                .entry = (int32_t)entry,
                .exit = no_exit ? OPEN_END : (int32_t)exit,
                .year = (uint16_t)year,
                .grade = (int8_t)r->v[SLDS_ENR_GRADE_LEVEL].i,
                .exit_code = (uint8_t)exit_code_index(r->v[SLDS_ENR_EXIT_CODE].text),
                .state = SPELL_ACTIVE,
                .warns = warns};
    return push_spell(c, &sp);
}

static int cmp_spell_by_student_entry(const spell *a, const spell *b)
{
    if (a->student != b->student)
        return a->student < b->student ? -1 : 1;
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    if (a->school != b->school)
        return a->school < b->school ? -1 : 1;
    /* Existing (line 0) before new; new in file order. */
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
        tmp[k++] = cmp_spell_by_student_entry(&sp[idx[j]], &sp[idx[i]]) < 0 ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

/* The rank of every id of t in the byte order of its text (SQLite's order
 * of TEXT), so that comparing ranks compares the texts. NULL when out of
 * memory. */
static int cmp_text_ids(const slds_intern *t, uint32_t a, uint32_t b)
{
    return strcmp(slds_intern_str(t, a), slds_intern_str(t, b));
}

static uint32_t *text_ranks(const slds_intern *t)
{
    size_t n = t->count;
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
    if (!ids || !tmp || !rank) {
        free(ids);
        free(tmp);
        free(rank);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = (uint32_t)i;
    /* bottom-up merge sort */
    uint32_t *from = ids, *to = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                to[k++] = cmp_text_ids(t, from[j], from[i]) < 0 ? from[j++] : from[i++];
            while (i < mid)
                to[k++] = from[i++];
            while (j < hi)
                to[k++] = from[j++];
        }
        uint32_t *swap = from;
        from = to;
        to = swap;
    }
    for (size_t i = 0; i < n; i++)
        rank[from[i]] = (uint32_t)i;
    free(ids);
    free(tmp);
    return rank;
}

/* The table's key order: student_id, school_id (text, as SQLite compares
 * it: bytes, here through the ids' ranks), then entry date (a day number
 * orders as its ISO text). */
typedef struct spell_order {
    const uint32_t *student_rank, *school_rank;
} spell_order;

static int cmp_spell_key(const spell_order *o, const spell *a, const spell *b)
{
    if (a->student != b->student)
        return o->student_rank[a->student] < o->student_rank[b->student] ? -1 : 1;
    if (a->school != b->school)
        return o->school_rank[a->school] < o->school_rank[b->school] ? -1 : 1;
    return (a->entry > b->entry) - (a->entry < b->entry);
}

static void sort_spell_keys(const load_ctx *c, const spell_order *o, uint32_t *idx, uint32_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_spell_keys(c, o, idx, tmp, h);
    sort_spell_keys(c, o, idx + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_spell_key(o, &c->spells[idx[j]], &c->spells[idx[i]]) < 0 ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static int add_spell_reject(load_ctx *c, spell_rejects *list, uint32_t s, uint32_t other, slds_rule rule)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        spell_reject *p = realloc(list->v, cap * sizeof *p);
        if (!p)
            return nomem(c);
        list->v = p;
        list->cap = cap;
    }
    list->v[list->n++] = (spell_reject){s, other, rule};
    c->spells[s].state = SPELL_REJECTED;
    return SLDS_OK;
}

static void describe_spell(const load_ctx *c, const spell *s, char *out, size_t size)
{
    char d1[11], d2[11];
    slds_date_format(s->entry, d1);
    if (s->exit == OPEN_END)
        snprintf(d2, sizeof d2, "open");
    else
        slds_date_format(s->exit, d2);
    char where[32] = "already loaded";
    if (s->line)
        snprintf(where, sizeof where, "line %u", s->line);
    snprintf(out, size, "school %s, %s to %s, %s", slds_intern_str(&c->schools, s->school), d1, d2, where);
}

/* The message and the value shown for a spell that broke a rule against other. */
static void spell_message(const load_ctx *c, slds_rule rule, const spell *s, const spell *other,
                          char *why, size_t size, char value[11], const char **column)
{
    if (rule == SLDS_RULE_ENR_OVERLAP) {
        char d[160];
        describe_spell(c, other, d, sizeof d);
        snprintf(why, size, "enrollment overlaps another spell of this student (%s)", d);
        slds_date_format(s->entry, value);
        *column = "entry_date";
    } else if (rule == SLDS_RULE_ENR_GRADE_PROGRESSION) {
        snprintf(why, size, "implausible grade progression: grade %s in %d after grade %s in %d",
                 slds_grade_code(s->grade), s->year, slds_grade_code(other->grade), other->year);
        snprintf(value, 11, "%s", slds_grade_code(s->grade));
        *column = "grade_level";
    } else {
        snprintf(why, size, "enrollment with the same student, school and entry date as line %u", other->line);
        snprintf(value, 11, "%s", slds_intern_str(&c->schools, s->school));
        *column = "school_id";
    }
}

/* One judging pass over a student's spells (idx[0..n), sorted). With
 * record == false, spells breaking a reject rule are rejected (*changed says
 * whether any was); with record == true (the spells are settled), findings of
 * warn rules are written. */
static int judge_pass(load_ctx *c, const uint32_t *idx, size_t n, bool record, spell_rejects *list,
                      bool *changed)
{
    spell *sp = c->spells;
    /* Which spells will be stored: a stored spell gives way to a new spell of
     * its key unless that new spell was rejected. */
    for (size_t i = 0; i < n; i++) {
        spell *s = &sp[idx[i]];
        if (s->state == SPELL_REJECTED)
            continue;
        s->state = SPELL_ACTIVE;
        if (!s->line)
            for (size_t k = i + 1; k < n; k++) {
                const spell *t = &sp[idx[k]];
                if (t->entry != s->entry || t->school != s->school)
                    break;
                if (t->state != SPELL_REJECTED)
                    s->state = SPELL_SUPERSEDED;
            }
    }
    char why[300], value[11];
    const char *column;
    /* Overlaps: a spell must start on or after the previous one ends. Of two
     * overlapping spells the new one (the later one, if both are) is flagged. */
    uint32_t prev = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t si = idx[i];
        spell *s = &sp[si];
        if (s->state != SPELL_ACTIVE)
            continue;
        if (prev != UINT32_MAX && s->entry < sp[prev].exit) {
            uint32_t bad = s->line ? si : sp[prev].line ? prev : UINT32_MAX;
            if (bad != UINT32_MAX) {
                uint32_t other = bad == si ? prev : si;
                if (c->sev[SLDS_RULE_ENR_OVERLAP] == SLDS_SEV_REJECT) {
                    if (!record) {
                        if (add_spell_reject(c, list, bad, other, SLDS_RULE_ENR_OVERLAP))
                            return c->err->code;
                        *changed = true;
                    }
                    if (bad == si)
                        continue;
                } else if (record && !(sp[bad].warns & 0x40)) {
                    spell_message(c, SLDS_RULE_ENR_OVERLAP, &sp[bad], &sp[other], why, sizeof why, value,
                                  &column);
                    if (finding_row(c, sp[bad].line, column, value, strlen(value), SLDS_RULE_ENR_OVERLAP,
                                    why, school_district(c, sp[bad].school)))
                        return c->err->code;
                    sp[bad].warns |= 0x40; /* one overlap finding per spell */
                }
            }
        }
        /* The spell that ends later is the one the next must not overlap. */
        if (prev == UINT32_MAX || sp[prev].state != SPELL_ACTIVE || s->exit >= sp[prev].exit)
            prev = si;
    }
    /* Grade progression: from one school year to a later one, a student stays
     * in grade, or moves up by at most one grade more than the years passed,
     * or down by one. Within a year, grades differ by at most one. Each spell
     * is compared with the one before it, flagged or not, so a single jump
     * flags the year of the jump and not every ordinary year after it. */
    uint32_t last = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t si = idx[i];
        spell *s = &sp[si];
        if (s->state != SPELL_ACTIVE)
            continue;
        if (last != UINT32_MAX) {
            int gap = (int)s->year - (int)sp[last].year;
            int delta = s->grade - sp[last].grade;
            bool ok = gap < 0 || (gap == 0 ? delta >= -1 && delta <= 1 : delta >= -1 && delta <= gap + 1);
            if (!ok && s->line) {
                if (c->sev[SLDS_RULE_ENR_GRADE_PROGRESSION] == SLDS_SEV_REJECT) {
                    if (!record) {
                        if (add_spell_reject(c, list, si, last, SLDS_RULE_ENR_GRADE_PROGRESSION))
                            return c->err->code;
                        *changed = true;
                    }
                    last = si; /* compared with the next, rejected or not */
                    continue;
                }
                if (record) {
                    spell_message(c, SLDS_RULE_ENR_GRADE_PROGRESSION, s, &sp[last], why, sizeof why,
                                  value, &column);
                    if (finding_row(c, s->line, column, value, strlen(value),
                                    SLDS_RULE_ENR_GRADE_PROGRESSION, why,
                                    school_district(c, s->school)))
                        return c->err->code;
                    s->warns |= 0x80;
                }
            }
        }
        last = si;
    }
    return SLDS_OK;
}

/* Settles one student's spells (idx[0..n), sorted by entry). */
static int judge_student_spells(load_ctx *c, const uint32_t *idx, size_t n, spell_rejects *list)
{
    spell *sp = c->spells;
    /* The same key twice among the new spells: the later row is rejected. */
    for (size_t i = 1; i < n; i++) {
        spell *a = &sp[idx[i - 1]], *b = &sp[idx[i]];
        if (a->entry == b->entry && a->school == b->school && a->line && b->line &&
            b->state != SPELL_REJECTED) {
            /* a may itself be a rejected duplicate: name the first line of the key */
            size_t first = i - 1;
            while (first > 0 && sp[idx[first - 1]].entry == b->entry && sp[idx[first - 1]].school == b->school &&
                   sp[idx[first - 1]].line)
                first--;
            if (add_spell_reject(c, list, idx[i], idx[first], SLDS_RULE_KEY_DUPLICATE_IN_FILE))
                return c->err->code;
        }
    }
    for (size_t round = 0; round <= n; round++) {
        bool changed = false;
        if (judge_pass(c, idx, n, false, list, &changed))
            return c->err->code;
        if (!changed)
            break;
    }
    bool unused = false;
    return judge_pass(c, idx, n, true, list, &unused);
}

static int write_spell(load_ctx *c, sqlite3_stmt *st, const spell *s)
{
    char entry[11], exit[11];
    slds_date_format(s->entry, entry);
    if (c->scope.active) {
        /* --replace: a spell stored as it is needs no write (load_replace.c) */
        const char *student = slds_intern_str(&c->students, s->student);
        const char *school = slds_intern_str(&c->schools, s->school);
        uint64_t v = row_digest_text(ROW_DIGEST_START, student, strlen(student));
        v = row_digest_text(v, school, strlen(school));
        v = row_digest_int(v, s->year);
        v = row_digest_text(v, slds_grade_code(s->grade), 2);
        v = row_digest_text(v, entry, 10);
        if (s->exit == OPEN_END)
            v = row_digest_null(v);
        else {
            slds_date_format(s->exit, exit);
            v = row_digest_text(v, exit, 10);
        }
        if (s->exit_code) {
            const char *code = exit_code_column()->codes[s->exit_code - 1];
            v = row_digest_text(v, code, strlen(code));
        } else
            v = row_digest_null(v);
        if (stored_scope_same(&c->scope, spell_key_hash(student, school, entry), v))
            return SLDS_OK;
    }
    sqlite3_bind_text(st, 1, slds_intern_str(&c->students, s->student), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, slds_intern_str(&c->schools, s->school), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, s->year);
    sqlite3_bind_text(st, 4, slds_grade_code(s->grade), 2, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, entry, 10, SQLITE_STATIC);
    if (s->exit == OPEN_END)
        sqlite3_bind_null(st, 6);
    else {
        slds_date_format(s->exit, exit);
        sqlite3_bind_text(st, 6, exit, 10, SQLITE_STATIC);
    }
    if (s->exit_code)
        sqlite3_bind_text(st, 7, exit_code_column()->codes[s->exit_code - 1], -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 7);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "writing enrollments");
}

/* Writes n spells (a new table's, in key order) with one statement of n
 * rows (insert_many: SPELLS_PER_STATEMENT rows of the 7 columns). */
static int write_spells(load_ctx *c, sqlite3_stmt *st, const uint32_t *idx, size_t n)
{
    char dates[SPELLS_PER_STATEMENT][2][11];
    for (size_t k = 0; k < n; k++) {
        const spell *s = &c->spells[idx[k]];
        int p = (int)k * 7;
        slds_date_format(s->entry, dates[k][0]);
        sqlite3_bind_text(st, p + 1, slds_intern_str(&c->students, s->student), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, p + 2, slds_intern_str(&c->schools, s->school), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, p + 3, s->year);
        sqlite3_bind_text(st, p + 4, slds_grade_code(s->grade), 2, SQLITE_STATIC);
        sqlite3_bind_text(st, p + 5, dates[k][0], 10, SQLITE_STATIC);
        if (s->exit == OPEN_END)
            sqlite3_bind_null(st, p + 6);
        else {
            slds_date_format(s->exit, dates[k][1]);
            sqlite3_bind_text(st, p + 6, dates[k][1], 10, SQLITE_STATIC);
        }
        if (s->exit_code)
            sqlite3_bind_text(st, p + 7, exit_code_column()->codes[s->exit_code - 1], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, p + 7);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SLDS_OK : db_error(c, "writing enrollments");
}

/* The findings of a settled spell's own row (dates and exit code). */
static int write_row_findings(load_ctx *c, const spell *s)
{
    static const struct {
        uint8_t bit;
        slds_rule rule;
        const char *column;
    } kinds[] = {
        {WARN_CODE_WITHOUT_DATE, SLDS_RULE_ENR_EXIT_CODE_WITHOUT_DATE, "exit_date"},
        {WARN_CODE_MISSING, SLDS_RULE_ENR_EXIT_CODE_MISSING, "exit_code"},
        {WARN_ENTRY_OUTSIDE, SLDS_RULE_ENR_ENTRY_OUTSIDE_YEAR, "entry_date"},
        {WARN_EXIT_AFTER, SLDS_RULE_ENR_EXIT_AFTER_YEAR, "exit_date"},
    };
    const char *lea = school_district(c, s->school);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!(s->warns & kinds[k].bit))
            continue;
        char why[160], value[11] = "";
        switch (kinds[k].rule) {
        case SLDS_RULE_ENR_EXIT_CODE_WITHOUT_DATE:
            snprintf(why, sizeof why, "exit code given without an exit date");
            break;
        case SLDS_RULE_ENR_EXIT_CODE_MISSING:
            snprintf(why, sizeof why, "exit date given without an exit code (stored blank: unknown)");
            break;
        case SLDS_RULE_ENR_ENTRY_OUTSIDE_YEAR:
            snprintf(why, sizeof why, "entry date outside school year %d (%d-07-01 to %d-06-30)", s->year,
                     s->year - 1, s->year);
            slds_date_format(s->entry, value);
            break;
        default:
            snprintf(why, sizeof why, "exit date after the end of the school year (and its summer)");
            slds_date_format(s->exit, value);
            break;
        }
        if (finding_row(c, s->line, kinds[k].column, value, strlen(value), kinds[k].rule, why, lea))
            return c->err->code;
    }
    return SLDS_OK;
}

/* After enrollments.csv (or at the start, for spells already loaded): judge
 * the new spells, write the accepted ones, and build the enrolled sets. */
int finish_enrollments(load_ctx *c, sqlite3_stmt *insert, sqlite3_stmt *insert_many)
{
    if (insert) {
        /* built again below from the spells that will be stored (a loader
         * kept across loads has them from the spells of its last load) */
        slds_map64_free(&c->enrolled_year);
        slds_map64_free(&c->enrolled_school_year);
    }
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
    size_t nwrite = 0; /* idx[0..nwrite) reused for the spells to write in key order */
    spell_rejects list = {0};
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i;
        while (j < n && c->spells[idx[j]].student == c->spells[idx[i]].student)
            j++;
        rc = judge_student_spells(c, idx + i, j - i, &list);
        i = j;
    }
    for (size_t k = 0; k < list.n && !rc; k++) {
        const spell *s = &c->spells[list.v[k].spell];
        char why[300], value[11];
        const char *column;
        spell_message(c, list.v[k].rule, s, &c->spells[list.v[k].other], why, sizeof why, value, &column);
        rc = reject_row(c, s->line, column, value, strlen(value), list.v[k].rule, why);
    }
    free(list.v);
    for (size_t k = 0; k < n && !rc; k++) {
        spell *s = &c->spells[idx[k]];
        if (insert && s->line && s->state == SPELL_REJECTED) {
            /* a rejected row still protects its stored spell from --replace */
            char entry[11];
            slds_date_format(s->entry, entry);
            uint64_t h = spell_key_hash(slds_intern_str(&c->students, s->student),
                                        slds_intern_str(&c->schools, s->school), entry);
            if (!key_set_put(&c->file_keys, h, false))
                rc = nomem(c);
        }
        if (insert && s->line && s->state == SPELL_ACTIVE) {
            if (c->fresh_table)
                idx[nwrite++] = idx[k]; /* written below, in key order */
            else {
                rc = write_spell(c, insert, s);
                if (!rc)
                    rc = write_row_findings(c, s);
            }
            c->cur->loaded++;
            if (s->warns)
                c->cur->warned++;
            if (!rc) {
                char entry[11];
                slds_date_format(s->entry, entry);
                uint64_t h = spell_key_hash(slds_intern_str(&c->students, s->student),
                                            slds_intern_str(&c->schools, s->school), entry);
                if (!key_set_put(&c->file_keys, h, true))
                    rc = nomem(c);
            }
        }
        if (s->state == SPELL_ACTIVE &&
            (!slds_map64_put(&c->enrolled_year, key2(s->student, s->year), 1) ||
             !slds_map64_put(&c->enrolled_school_year, key3(s->student, s->school, s->year), 1)))
            rc = nomem(c);
    }
    /* The sets are built: the next files' rows can be checked (their
     * reading thread starts while the spells are written). */
    if (!rc && insert)
        plain_group_open(c->next_group);
    /* Into an empty table (a first load), the spells go in the table's key
     * order (student_id, school_id, entry_date as text): each insert appends
     * to the B-tree instead of landing at a random place. (Into a filled
     * table the order is kept as it was: the change history's rows follow it.) */
    if (!rc && nwrite) {
        uint32_t *tmp2 = malloc(nwrite * sizeof *tmp2);
        spell_order o = {text_ranks(&c->students), text_ranks(&c->schools)};
        if (!tmp2 || !o.student_rank || !o.school_rank)
            rc = nomem(c);
        else
            sort_spell_keys(c, &o, idx, tmp2, nwrite);
        free(tmp2);
        free((void *)o.student_rank);
        free((void *)o.school_rank);
    }
    /* SPELLS_PER_STATEMENT spells to one statement (not with --replace,
     * which looks at each spell) */
    for (size_t k = 0; k < nwrite && !rc;) {
        size_t rows = insert_many && !c->scope.active && nwrite - k >= SPELLS_PER_STATEMENT ? SPELLS_PER_STATEMENT : 1;
        rc = rows > 1 ? write_spells(c, insert_many, idx + k, rows) : write_spell(c, insert, &c->spells[idx[k]]);
        for (size_t i = k; i < k + rows && !rc; i++)
            rc = write_row_findings(c, &c->spells[idx[i]]);
        k += rows;
    }
    free(idx);
    return rc;
}
