/* groups.c - shared by the account-a reports (internal_a.h): subgroups and
 * levels, the filter of --level and --subgroup, the tables that every report
 * returns through, the counters per (level, place, subgroup), and whether a
 * rating is in a configured list of labels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account/internal_a.h"

const char *const acct_subgroup_names[ACCT_NSUBGROUPS] = {
    "all", "econ_disadvantaged", "not_econ_disadvantaged", "disability", "english_learner",
    "race:HISPANIC", "race:AM_INDIAN", "race:ASIAN", "race:BLACK", "race:PACIFIC_ISLANDER",
    "race:WHITE", "race:TWO_OR_MORE"};
const char *const acct_level_names[3] = {"state", "lea", "school"};

int slds_account_tables_add(slds_account_tables *tabs, slds_table *t, slds_error *err)
{
    slds_table **n = realloc(tabs->t, (tabs->n + 1) * sizeof *n);
    if (!n) {
        slds_table_free(t);
        return slds_fail(err, SLDS_ERR_NOMEM, "account: out of memory");
    }
    tabs->t = n;
    tabs->t[tabs->n++] = t;
    return SLDS_OK;
}

void slds_account_tables_free(slds_account_tables *tabs)
{
    for (size_t i = 0; tabs && i < tabs->n; i++)
        slds_table_free(tabs->t[i]);
    if (tabs) {
        free(tabs->t);
        *tabs = (slds_account_tables){0};
    }
}

int slds_account_filter_check(const slds_account_filter *f, slds_error *err)
{
    bool ok = !f->level;
    for (int l = 0; l < 3 && !ok; l++)
        ok = !strcmp(f->level, acct_level_names[l]);
    if (!ok)
        return slds_fail(err, SLDS_ERR_USAGE, "--level '%s' is not state, lea or school", f->level);
    ok = !f->subgroup;
    for (int g = 0; g < ACCT_NSUBGROUPS && !ok; g++)
        ok = !strcmp(f->subgroup, acct_subgroup_names[g]);
    if (!ok)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "--subgroup '%s' is not all, econ_disadvantaged, not_econ_disadvantaged, "
                         "disability, english_learner or race:CODE",
                         f->subgroup);
    return SLDS_OK;
}

bool acct_level_wanted(const slds_account_filter *f, int level)
{
    return !f || !f->level || !strcmp(f->level, acct_level_names[level]);
}

bool acct_subgroup_wanted(const slds_account_filter *f, int g)
{
    return !f || !f->subgroup || !strcmp(f->subgroup, acct_subgroup_names[g]);
}

uint16_t acct_groups(const char *race, const char *econ, const char *disability, const char *el)
{
    uint16_t g = 1u << SG_ALL;
    if (econ && !strcmp(econ, "Y"))
        g |= 1u << SG_ECON;
    else if (econ && !strcmp(econ, "N"))
        g |= 1u << SG_NOT_ECON;
    if (disability && !strcmp(disability, "Y"))
        g |= 1u << SG_DISABILITY;
    if (el && !strcmp(el, "Y"))
        g |= 1u << SG_EL;
    for (int k = SG_RACE0; race && k < ACCT_NSUBGROUPS; k++)
        if (!strcmp(race, acct_subgroup_names[k] + 5))
            g |= (uint16_t)(1u << k);
    return g;
}

acct_cell *acct_cell_get(acct_cells *cs, int level, uint32_t place, int subgroup)
{
    uint64_t key = ((uint64_t)level << 48) |
                   ((uint64_t)(place == SLDS_NO_ID ? 0 : place + 1) << 8) | (uint64_t)subgroup;
    uint32_t at;
    if (slds_map64_get(&cs->index, key, &at))
        return &cs->c[at];
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? 2 * cs->cap : 256;
        acct_cell *g = realloc(cs->c, cap * sizeof *g);
        if (!g)
            return NULL;
        cs->c = g;
        cs->cap = cap;
    }
    if (!slds_map64_put(&cs->index, key, (uint32_t)cs->n))
        return NULL;
    cs->c[cs->n] = (acct_cell){.level = level, .subgroup = subgroup, .place = place};
    return &cs->c[cs->n++];
}

int acct_cells_add(acct_cells *cs, const slds_account_filter *f, uint16_t groups, uint32_t lea,
                   uint32_t school, const long long *v, int nv, slds_error *err)
{
    uint32_t where[3] = {SLDS_NO_ID, lea, school};
    for (int g = 0; g < ACCT_NSUBGROUPS; g++) {
        if (!(groups & (1u << g)) || !acct_subgroup_wanted(f, g))
            continue;
        for (int l = 0; l < 3; l++) {
            if (!acct_level_wanted(f, l))
                continue;
            acct_cell *c = acct_cell_get(cs, l, where[l], g);
            if (!c)
                return slds_fail(err, SLDS_ERR_NOMEM, "account: out of memory");
            for (int k = 0; k < nv; k++)
                c->v[k] += v[k];
        }
    }
    return SLDS_OK;
}

static int by_cell(const void *a, const void *b)
{
    const acct_cell *x = a, *y = b;
    if (x->level != y->level)
        return x->level - y->level;
    int c = strcmp(x->name, y->name);
    return c ? c : x->subgroup - y->subgroup;
}

void acct_cells_sort(acct_cells *cs)
{
    /* names now: the intern's pool may have moved while cells were added */
    for (size_t i = 0; i < cs->n; i++)
        cs->c[i].name = cs->c[i].place == SLDS_NO_ID ? "STATE" : slds_intern_str(cs->places, cs->c[i].place);
    if (cs->n)
        qsort(cs->c, cs->n, sizeof *cs->c, by_cell);
    slds_map64_free(&cs->index); /* positions changed: no more acct_cell_get */
    cs->index = (slds_map64){0};
}

void acct_cells_free(acct_cells *cs)
{
    slds_map64_free(&cs->index);
    free(cs->c);
    *cs = (acct_cells){0};
}

double acct_pct(long long part, long long whole)
{
    return whole ? 100.0 * (double)part / (double)whole : NAN;
}

bool acct_label_in_list(const char *list, const char *label)
{
    size_t n = strlen(label);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && *p == ' ') {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        if (len == n && !strncasecmp(p, label, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}
