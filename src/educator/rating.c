/* rating.c - ratings from multiple measures: the JSON configuration (parsed
 * with jansson and checked before use), the presets modeled on Colorado,
 * Tennessee and DC (sources in docs/educators.md), points and categories. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "educator/educator.h"

/* Colorado, SB 10-191: at least 50% of a teacher's evaluation on student
 * academic growth; four categories. Points 1-4 per measure. */
static const char preset_colorado[] =
    "{\"slds_educator_config\": 1, \"name\": \"colorado\","
    " \"min_students\": 10, \"min_fte\": 5,"
    " \"measures\": ["
    "  {\"name\": \"student growth (median SGP)\", \"source\": \"median_sgp\", \"weight\": 50,"
    "   \"bands\": [{\"from\": 1, \"to\": 35, \"bounds\": \"[)\", \"points\": 1},"
    "             {\"from\": 35, \"to\": 50, \"bounds\": \"[)\", \"points\": 2},"
    "             {\"from\": 50, \"to\": 65, \"bounds\": \"[)\", \"points\": 3},"
    "             {\"from\": 65, \"to\": 99, \"bounds\": \"[]\", \"points\": 4}]},"
    "  {\"name\": \"professional practice (observation)\", \"source\": \"observation\","
    "   \"observation\": \"OBSERVATION\", \"weight\": 50,"
    "   \"linear\": {\"from\": [1, 4], \"to\": [1, 4]}}],"
    " \"categories\": ["
    "  {\"label\": \"Ineffective\", \"from\": 1, \"to\": 1.75, \"bounds\": \"[)\"},"
    "  {\"label\": \"Partially Effective\", \"from\": 1.75, \"to\": 2.5, \"bounds\": \"[)\"},"
    "  {\"label\": \"Effective\", \"from\": 2.5, \"to\": 3.25, \"bounds\": \"[)\"},"
    "  {\"label\": \"Highly Effective\", \"from\": 3.25, \"to\": 4, \"bounds\": \"[]\"}],"
    " \"decisions\": ["
    "  {\"flag\": \"additional_compensation\", \"years\": 1, \"ratings\": [\"Highly Effective\"]},"
    "  {\"flag\": \"needs_support\", \"years\": 1, \"ratings\": [\"Ineffective\", \"Partially Effective\"]},"
    "  {\"flag\": \"tenure_eligible\", \"years\": 3, \"ratings\": [\"Effective\", \"Highly Effective\"]},"
    "  {\"flag\": \"removal_review\", \"years\": 2, \"ratings\": [\"Ineffective\"]}]}";

/* Tennessee, First to the Top Act (2010): 35% growth (TVAAS), 15%
 * achievement, 50% qualitative (observation); five levels on 100-500. */
static const char preset_tennessee[] =
    "{\"slds_educator_config\": 1, \"name\": \"tennessee\","
    " \"min_students\": 10, \"min_fte\": 5,"
    " \"measures\": ["
    "  {\"name\": \"growth (value-added index)\", \"source\": \"vam_sd\", \"weight\": 35,"
    "   \"bands\": [{\"from\": -1e9, \"to\": -2, \"bounds\": \"[)\", \"points\": 100},"
    "             {\"from\": -2, \"to\": -1, \"bounds\": \"[)\", \"points\": 200},"
    "             {\"from\": -1, \"to\": 1, \"bounds\": \"[)\", \"points\": 300},"
    "             {\"from\": 1, \"to\": 2, \"bounds\": \"[)\", \"points\": 400},"
    "             {\"from\": 2, \"to\": 1e9, \"bounds\": \"[]\", \"points\": 500}]},"
    "  {\"name\": \"achievement (mean percentile)\", \"source\": \"achievement\", \"weight\": 15,"
    "   \"bands\": [{\"from\": 0, \"to\": 20, \"bounds\": \"[)\", \"points\": 100},"
    "             {\"from\": 20, \"to\": 40, \"bounds\": \"[)\", \"points\": 200},"
    "             {\"from\": 40, \"to\": 60, \"bounds\": \"[)\", \"points\": 300},"
    "             {\"from\": 60, \"to\": 80, \"bounds\": \"[)\", \"points\": 400},"
    "             {\"from\": 80, \"to\": 100, \"bounds\": \"[]\", \"points\": 500}]},"
    "  {\"name\": \"qualitative (observation)\", \"source\": \"observation\","
    "   \"observation\": \"OBSERVATION\", \"weight\": 50,"
    "   \"linear\": {\"from\": [1, 4], \"to\": [100, 500]}}],"
    " \"categories\": ["
    "  {\"label\": \"Significantly Below Expectations\", \"from\": 100, \"to\": 200, \"bounds\": \"[)\"},"
    "  {\"label\": \"Below Expectations\", \"from\": 200, \"to\": 275, \"bounds\": \"[)\"},"
    "  {\"label\": \"At Expectations\", \"from\": 275, \"to\": 350, \"bounds\": \"[)\"},"
    "  {\"label\": \"Above Expectations\", \"from\": 350, \"to\": 425, \"bounds\": \"[)\"},"
    "  {\"label\": \"Significantly Above Expectations\", \"from\": 425, \"to\": 500, \"bounds\": \"[]\"}],"
    " \"effective\": \"At Expectations\","
    " \"decisions\": ["
    "  {\"flag\": \"additional_compensation\", \"years\": 1, \"ratings\": [\"Significantly Above Expectations\"]},"
    "  {\"flag\": \"needs_support\", \"years\": 1, \"ratings\": [\"Significantly Below Expectations\", \"Below Expectations\"]},"
    "  {\"flag\": \"tenure_eligible\", \"years\": 2, \"ratings\": [\"Above Expectations\", \"Significantly Above Expectations\"]},"
    "  {\"flag\": \"removal_review\", \"years\": 2, \"ratings\": [\"Significantly Below Expectations\"]}]}";

/* DC IMPACT: individual value-added, observation (TLF) and other measures,
 * each 1.0-4.0, weighted to a 100-400 score in five bands. */
static const char preset_dc[] =
    "{\"slds_educator_config\": 1, \"name\": \"dc\","
    " \"min_students\": 10, \"min_fte\": 5,"
    " \"measures\": ["
    "  {\"name\": \"individual value-added (IVA)\", \"source\": \"vam_sd\", \"weight\": 50,"
    "   \"linear\": {\"from\": [-2, 2], \"to\": [100, 400]}},"
    "  {\"name\": \"teaching and learning framework (observation)\", \"source\": \"observation\","
    "   \"observation\": \"OBSERVATION\", \"weight\": 40, \"linear\": {\"from\": [1, 4], \"to\": [100, 400]}},"
    "  {\"name\": \"commitment to the school community (survey)\", \"source\": \"observation\","
    "   \"observation\": \"SURVEY\", \"weight\": 10, \"linear\": {\"from\": [1, 4], \"to\": [100, 400]}}],"
    " \"categories\": ["
    "  {\"label\": \"Ineffective\", \"from\": 100, \"to\": 200, \"bounds\": \"[)\"},"
    "  {\"label\": \"Minimally Effective\", \"from\": 200, \"to\": 250, \"bounds\": \"[)\"},"
    "  {\"label\": \"Developing\", \"from\": 250, \"to\": 300, \"bounds\": \"[)\"},"
    "  {\"label\": \"Effective\", \"from\": 300, \"to\": 350, \"bounds\": \"[)\"},"
    "  {\"label\": \"Highly Effective\", \"from\": 350, \"to\": 400, \"bounds\": \"[]\"}],"
    " \"decisions\": ["
    "  {\"flag\": \"additional_compensation\", \"years\": 1, \"ratings\": [\"Highly Effective\"]},"
    "  {\"flag\": \"needs_support\", \"years\": 1, \"ratings\": [\"Minimally Effective\", \"Developing\"]},"
    "  {\"flag\": \"tenure_eligible\", \"years\": 2, \"ratings\": [\"Effective\", \"Highly Effective\"]},"
    "  {\"flag\": \"removal_review\", \"years\": 1, \"ratings\": [\"Ineffective\"]},"
    "  {\"flag\": \"removal_review\", \"years\": 2, \"ratings\": [\"Ineffective\", \"Minimally Effective\"]}]}";

const char *slds_rating_preset(const char *name)
{
    if (!strcmp(name, "colorado"))
        return preset_colorado;
    if (!strcmp(name, "tennessee"))
        return preset_tennessee;
    if (!strcmp(name, "dc"))
        return preset_dc;
    return NULL;
}

int slds_rating_source_is_growth(slds_rating_source s)
{
    return s == SLDS_SOURCE_VAM_SD || s == SLDS_SOURCE_MEAN_SGP || s == SLDS_SOURCE_MEDIAN_SGP ||
           s == SLDS_SOURCE_SHARE_1_GRADE;
}

static int in_band(const slds_rating_band *b, double v)
{
    return (b->from_inclusive ? v >= b->from : v > b->from) &&
           (b->to_inclusive ? v <= b->to : v < b->to);
}

int slds_rating_points(const slds_rating_measure *m, double v, double *points)
{
    if (!isfinite(v))
        return -1;
    if (m->linear) {
        double t = (v - m->lin_from[0]) / (m->lin_from[1] - m->lin_from[0]);
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        *points = m->lin_to[0] + t * (m->lin_to[1] - m->lin_to[0]);
        return 0;
    }
    for (int k = 0; k < m->n_bands; k++)
        if (in_band(&m->bands[k], v)) {
            *points = m->bands[k].points;
            return 0;
        }
    return -1;
}

int slds_rating_category(const slds_rating_config *c, double composite)
{
    for (int k = 0; k < c->n_categories; k++)
        if (in_band(&c->categories[k], composite))
            return k;
    return -1;
}

static int copy_name(char *dst, json_t *v, const char *origin, const char *what, slds_error *err)
{
    if (!json_is_string(v) || !json_string_value(v)[0] ||
        strlen(json_string_value(v)) >= SLDS_RATING_NAME)
        return slds_fail(err, SLDS_ERR_DATA, "%s: %s must be a non-empty text under %d characters",
                         origin, what, SLDS_RATING_NAME);
    strcpy(dst, json_string_value(v));
    return SLDS_OK;
}

static int read_band(json_t *o, slds_rating_band *b, int want_points, int want_label,
                     const char *origin, const char *where, slds_error *err)
{
    json_t *from = json_object_get(o, "from"), *to = json_object_get(o, "to"),
           *bounds = json_object_get(o, "bounds");
    if (!json_is_number(from) || !json_is_number(to))
        return slds_fail(err, SLDS_ERR_DATA, "%s: %s needs numbers \"from\" and \"to\"", origin,
                         where);
    const char *bs = json_is_string(bounds) ? json_string_value(bounds) : "";
    if (strlen(bs) != 2 || (bs[0] != '[' && bs[0] != '(') || (bs[1] != ']' && bs[1] != ')'))
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: %s must state its bounds' inclusiveness: \"bounds\" is one of "
                         "\"[)\", \"[]\", \"(]\", \"()\"",
                         origin, where);
    b->from = json_number_value(from);
    b->to = json_number_value(to);
    b->from_inclusive = bs[0] == '[';
    b->to_inclusive = bs[1] == ']';
    if (!(b->from < b->to))
        return slds_fail(err, SLDS_ERR_DATA, "%s: %s: from %g is not below to %g", origin, where,
                         b->from, b->to);
    if (want_points) {
        json_t *p = json_object_get(o, "points");
        if (!json_is_number(p))
            return slds_fail(err, SLDS_ERR_DATA, "%s: %s needs \"points\"", origin, where);
        b->points = json_number_value(p);
    }
    if (want_label)
        return copy_name(b->label, json_object_get(o, "label"), origin, where, err);
    return SLDS_OK;
}

/* Bands in order must tile [first.from, last.to]: each next one starts where
 * the previous ends and exactly one of the two includes that bound. */
static int check_tiling(const slds_rating_band *b, int n, const char *origin, const char *what,
                        slds_error *err)
{
    for (int k = 1; k < n; k++) {
        const slds_rating_band *a = &b[k - 1], *c = &b[k];
        char an[96], cn[96];
        snprintf(an, sizeof an, "%s %d%s%s%s", what, k, a->label[0] ? " (" : "", a->label,
                 a->label[0] ? ")" : "");
        snprintf(cn, sizeof cn, "%s %d%s%s%s", what, k + 1, c->label[0] ? " (" : "", c->label,
                 c->label[0] ? ")" : "");
        if (c->from < a->to || (c->from == a->to && a->to_inclusive && c->from_inclusive))
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: %s and %s overlap (%g is in both): cut scores must not overlap",
                             origin, an, cn, c->from < a->to ? c->from : a->to);
        if (c->from > a->to || (!a->to_inclusive && !c->from_inclusive))
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: between %s and %s a value of %g belongs to neither: bands must "
                             "leave no gap",
                             origin, an, cn, a->to);
    }
    return SLDS_OK;
}

static const char *const use_names[SLDS_USE_COUNT] = {"develop", "compensate", "promote",
                                                       "retain", "tenure", "remove"};

const char *slds_rating_use_name(int u)
{
    return u >= 0 && u < SLDS_USE_COUNT ? use_names[u] : NULL;
}

/* The use of a decision without "use", from words of its flag. */
static int infer_use(const char *flag)
{
    static const struct {
        const char *word;
        int use;
    } words[] = {{"support", SLDS_USE_DEVELOP},    {"develop", SLDS_USE_DEVELOP},
                 {"compensat", SLDS_USE_COMPENSATE}, {"bonus", SLDS_USE_COMPENSATE},
                 {"pay", SLDS_USE_COMPENSATE},       {"promot", SLDS_USE_PROMOTE},
                 {"responsib", SLDS_USE_PROMOTE},    {"retain", SLDS_USE_RETAIN},
                 {"retention", SLDS_USE_RETAIN},     {"tenure", SLDS_USE_TENURE},
                 {"certif", SLDS_USE_TENURE},        {"remov", SLDS_USE_REMOVE},
                 {"dismiss", SLDS_USE_REMOVE}};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strstr(flag, words[k].word))
            return words[k].use;
    return -1;
}

static const char *const source_names[] = {"vam_sd", "mean_sgp", "median_sgp", "share_1_grade",
                                           "achievement", "observation"};

int slds_rating_config_parse(const char *text, size_t len, const char *origin,
                             slds_rating_config *c, slds_error *err)
{
    memset(c, 0, sizeof *c);
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root)
        return slds_fail(err, SLDS_ERR_DATA, "%s: line %d column %d: %s", origin, je.line,
                         je.column, je.text);
    int rc = SLDS_OK;
    char where[96];
    json_t *v = json_object_get(root, "name");
    snprintf(c->name, sizeof c->name, "%s", json_is_string(v) ? json_string_value(v) : origin);
    v = json_object_get(root, "min_students");
    c->min_students = json_is_number(v) ? json_number_value(v) : 10;
    v = json_object_get(root, "min_fte");
    c->min_fte = json_is_number(v) ? json_number_value(v) : 5;
    v = json_object_get(root, "model");
    if (v && (!json_is_string(v) || (strcmp(json_string_value(v), "lme4") &&
                                     strcmp(json_string_value(v), "full")))) {
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: \"model\" is \"lme4\" or \"full\"", origin);
        goto done;
    }
    c->full_model = v && !strcmp(json_string_value(v), "full");
    v = json_object_get(root, "reliability");
    c->reliability = json_is_number(v) ? json_number_value(v) : 0.9;
    if (!(c->reliability > 0 && c->reliability <= 1)) {
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: \"reliability\" %g is not in (0, 1]", origin,
                       c->reliability);
        goto done;
    }
    v = json_object_get(root, "csem");
    if (v && (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof c->csem)) {
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: \"csem\" is the path of a CSEM table (CSV)", origin);
        goto done;
    }
    if (v)
        snprintf(c->csem, sizeof c->csem, "%s", json_string_value(v));
    c->class_means = json_is_true(json_object_get(root, "class_means"));
    c->school_means = json_is_true(json_object_get(root, "school_means"));
    c->prior_required = json_is_true(json_object_get(root, "prior_required"));
    json_t *ms = json_object_get(root, "measures");
    if (!json_is_array(ms) || json_array_size(ms) == 0 ||
        json_array_size(ms) > SLDS_RATING_MAX_MEASURES) {
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: \"measures\" must be a list of 1 to %d measures",
                       origin, SLDS_RATING_MAX_MEASURES);
        goto done;
    }
    double total = 0, growth = 0;
    for (size_t i = 0; i < json_array_size(ms); i++) {
        json_t *m = json_array_get(ms, i);
        slds_rating_measure *me = &c->measures[c->n_measures++];
        snprintf(where, sizeof where, "measure %zu", i + 1);
        if ((rc = copy_name(me->name, json_object_get(m, "name"), origin, where, err)))
            goto done;
        snprintf(where, sizeof where, "measure %zu (%s)", i + 1, me->name);
        json_t *src = json_object_get(m, "source");
        int found = -1;
        for (int k = 0; k < 6 && json_is_string(src); k++)
            if (!strcmp(json_string_value(src), source_names[k]))
                found = k;
        if (found < 0) {
            rc = slds_fail(err, SLDS_ERR_DATA,
                           "%s: %s: \"source\" must be one of vam_sd, mean_sgp, median_sgp, "
                           "share_1_grade, achievement, observation",
                           origin, where);
            goto done;
        }
        me->source = (slds_rating_source)found;
        if (me->source == SLDS_SOURCE_OBSERVATION &&
            (rc = copy_name(me->observation, json_object_get(m, "observation"), origin, where,
                            err)))
            goto done;
        json_t *w = json_object_get(m, "weight");
        if (!json_is_number(w) || !(json_number_value(w) > 0)) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: %s: \"weight\" must be a percentage above 0",
                           origin, where);
            goto done;
        }
        me->weight = json_number_value(w);
        total += me->weight;
        if (slds_rating_source_is_growth(me->source))
            growth += me->weight;
        json_t *lin = json_object_get(m, "linear"), *bands = json_object_get(m, "bands");
        if (lin) {
            json_t *f = json_object_get(lin, "from"), *t = json_object_get(lin, "to");
            if (json_array_size(f) != 2 || json_array_size(t) != 2 ||
                !json_is_number(json_array_get(f, 0)) || !json_is_number(json_array_get(f, 1)) ||
                !json_is_number(json_array_get(t, 0)) || !json_is_number(json_array_get(t, 1)) ||
                !(json_number_value(json_array_get(f, 0)) < json_number_value(json_array_get(f, 1)))) {
                rc = slds_fail(err, SLDS_ERR_DATA,
                               "%s: %s: \"linear\" needs \"from\": [low, high] (low < high) and "
                               "\"to\": [points at low, points at high]",
                               origin, where);
                goto done;
            }
            me->linear = 1;
            for (int k = 0; k < 2; k++) {
                me->lin_from[k] = json_number_value(json_array_get(f, (size_t)k));
                me->lin_to[k] = json_number_value(json_array_get(t, (size_t)k));
            }
        } else if (json_is_array(bands) && json_array_size(bands) > 0 &&
                   json_array_size(bands) <= SLDS_RATING_MAX_BANDS) {
            for (size_t k = 0; k < json_array_size(bands); k++) {
                char bw[128];
                snprintf(bw, sizeof bw, "%s band %zu", where, k + 1);
                if ((rc = read_band(json_array_get(bands, k), &me->bands[me->n_bands++], 1, 0,
                                    origin, bw, err)))
                    goto done;
            }
            char bw[128];
            snprintf(bw, sizeof bw, "%s band", where);
            if ((rc = check_tiling(me->bands, me->n_bands, origin, bw, err)))
                goto done;
        } else {
            rc = slds_fail(err, SLDS_ERR_DATA,
                           "%s: %s: the conversion to points is missing (\"bands\" or \"linear\")",
                           origin, where);
            goto done;
        }
    }
    if (fabs(total - 100) > 1e-9) {
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: the measures' weights sum to %g%%, not 100%%",
                       origin, total);
        goto done;
    }
    if (growth < SLDS_RATING_GROWTH_MIN_WEIGHT) {
        rc = slds_fail(err, SLDS_ERR_DATA,
                       "%s: student growth weighs %g%% of the rating, below %g%%: growth must be "
                       "a significant factor (measures with source vam_sd, mean_sgp, median_sgp "
                       "or share_1_grade)",
                       origin, growth, SLDS_RATING_GROWTH_MIN_WEIGHT);
        goto done;
    }
    json_t *cats = json_object_get(root, "categories");
    if (!json_is_array(cats) || json_array_size(cats) < 4 ||
        json_array_size(cats) > SLDS_RATING_MAX_BANDS) {
        rc = slds_fail(err, SLDS_ERR_DATA,
                       "%s: \"categories\" must list at least 4 rating categories (at most %d), "
                       "lowest first; it has %zu",
                       origin, SLDS_RATING_MAX_BANDS, json_is_array(cats) ? json_array_size(cats) : 0);
        goto done;
    }
    for (size_t k = 0; k < json_array_size(cats); k++) {
        snprintf(where, sizeof where, "category %zu", k + 1);
        if ((rc = read_band(json_array_get(cats, k), &c->categories[c->n_categories++], 0, 1,
                            origin, where, err)))
            goto done;
    }
    if ((rc = check_tiling(c->categories, c->n_categories, origin, "category", err)))
        goto done;
    json_t *eff = json_object_get(root, "effective");
    c->effective_level = -1;
    for (int k = 0; k < c->n_categories; k++)
        if (json_is_string(eff) ? !strcmp(json_string_value(eff), c->categories[k].label)
                                : !strcmp(c->categories[k].label, "Effective"))
            c->effective_level = k;
    if (eff && (c->effective_level <= 0)) {
        rc = slds_fail(err, SLDS_ERR_DATA,
                       "%s: \"effective\" must name a category above the lowest (the lowest "
                       "effective or better one)",
                       origin);
        goto done;
    }
    if (c->effective_level < 0)
        c->effective_level = c->n_categories / 2;
    json_t *ds = json_object_get(root, "decisions");
    for (size_t k = 0; json_is_array(ds) && k < json_array_size(ds); k++) {
        if (c->n_decisions == SLDS_RATING_MAX_DECISIONS) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: more than %d decisions", origin,
                           SLDS_RATING_MAX_DECISIONS);
            goto done;
        }
        json_t *d = json_array_get(ds, k);
        slds_rating_decision *de = &c->decisions[c->n_decisions++];
        snprintf(where, sizeof where, "decision %zu", k + 1);
        if ((rc = copy_name(de->flag, json_object_get(d, "flag"), origin, where, err)))
            goto done;
        json_t *use = json_object_get(d, "use");
        de->use = -1;
        for (int u = 0; json_is_string(use) && u < SLDS_USE_COUNT; u++)
            if (!strcmp(json_string_value(use), use_names[u]))
                de->use = u;
        if (use && de->use < 0) {
            rc = slds_fail(err, SLDS_ERR_DATA,
                           "%s: %s (%s): \"use\" is one of develop, compensate, promote, retain, "
                           "tenure, remove",
                           origin, where, de->flag);
            goto done;
        }
        if (!use)
            de->use = infer_use(de->flag);
        json_t *y = json_object_get(d, "years"), *rs = json_object_get(d, "ratings");
        de->years = json_is_integer(y) ? (int)json_integer_value(y) : 0;
        if (de->years < 1 || de->years > 10 || !json_is_array(rs) || json_array_size(rs) == 0 ||
            json_array_size(rs) > SLDS_RATING_MAX_BANDS) {
            rc = slds_fail(err, SLDS_ERR_DATA,
                           "%s: %s (%s) needs \"years\" 1-10 and a list of \"ratings\"", origin,
                           where, de->flag);
            goto done;
        }
        for (size_t r = 0; r < json_array_size(rs); r++) {
            const char *label = json_string_value(json_array_get(rs, r));
            int known = 0;
            for (int q = 0; label && q < c->n_categories; q++)
                known |= !strcmp(label, c->categories[q].label);
            if (!known) {
                rc = slds_fail(err, SLDS_ERR_DATA, "%s: %s (%s): '%s' is not a category", origin,
                               where, de->flag, label ? label : "(not a text)");
                goto done;
            }
            snprintf(de->ratings[de->n_ratings++], SLDS_RATING_NAME, "%s", label);
        }
    }
done:
    json_decref(root);
    return rc;
}

int slds_rating_config_load(const char *name_or_path, slds_rating_config *c, slds_error *err)
{
    const char *preset = slds_rating_preset(name_or_path);
    if (preset)
        return slds_rating_config_parse(preset, strlen(preset), name_or_path, c, err);
    FILE *f = fopen(name_or_path, "rb");
    if (!f)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "educators: unknown configuration '%s' (presets: lme4, full, colorado, "
                         "tennessee, dc; or a JSON file)",
                         name_or_path);
    slds_buf b = {0};
    char chunk[4096];
    size_t n;
    int rc = SLDS_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (slds_buf_append(&b, chunk, n)) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            break;
        }
    fclose(f);
    if (!rc)
        rc = slds_rating_config_parse(b.data ? b.data : "", b.len, name_or_path, c, err);
    slds_buf_free(&b);
    return rc;
}
