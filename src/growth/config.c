/* config.c - growth configuration from JSON, in either of two layouts:
 *
 *  - the SGP package's state meta-data (SGPstateData[[state]] exported to
 *    JSON, e.g. shared/data/sgp/SGPstateData_DEMO.json): Knots_Boundaries ->
 *    subject -> knots_G / boundaries_G / loss.hoss_G, Cutscores -> subject ->
 *    GRADE_G, Achievement_Levels -> Labels / Proficient;
 *  - this project's own layout (key "slds_growth_config": 1), documented in
 *    docs/growth-method.md, with the same content plus options.
 *
 * Errors name the origin (file) and the JSON path of the value at fault. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growth/growth.h"

void slds_growth_config_free(slds_growth_config *cfg)
{
    free(cfg);
}

static slds_growth_subject *subject_get(slds_growth_config *cfg, const char *name,
                                        const char *origin, slds_error *err)
{
    for (int s = 0; s < cfg->n_subjects; s++)
        if (strcmp(cfg->subjects[s].name, name) == 0)
            return &cfg->subjects[s];
    if (cfg->n_subjects >= SLDS_GROWTH_MAX_SUBJECTS) {
        slds_fail(err, SLDS_ERR_DATA, "%s: more than %d subjects", origin,
                  SLDS_GROWTH_MAX_SUBJECTS);
        return NULL;
    }
    if (strlen(name) >= SLDS_GROWTH_NAME_MAX) {
        slds_fail(err, SLDS_ERR_DATA, "%s: subject name '%.40s...' is too long", origin, name);
        return NULL;
    }
    slds_growth_subject *s = &cfg->subjects[cfg->n_subjects++];
    memset(s, 0, sizeof *s);
    strcpy(s->name, name);
    return s;
}

static slds_growth_grade *grade_get(slds_growth_subject *s, int grade, const char *origin,
                                    slds_error *err)
{
    for (int g = 0; g < s->n_grades; g++)
        if (s->grades[g].grade == grade)
            return &s->grades[g];
    if (s->n_grades >= SLDS_GROWTH_MAX_GRADES) {
        slds_fail(err, SLDS_ERR_DATA, "%s: subject %s has more than %d grades", origin, s->name,
                  SLDS_GROWTH_MAX_GRADES);
        return NULL;
    }
    slds_growth_grade *g = &s->grades[s->n_grades++];
    memset(g, 0, sizeof *g);
    g->grade = grade;
    return g;
}

/* A JSON array of numbers of length in [min, max] into out. */
static int read_numbers(json_t *a, double *out, int min, int max, int *count,
                        const char *origin, const char *path, slds_error *err)
{
    if (!json_is_array(a))
        return slds_fail(err, SLDS_ERR_DATA, "%s: %s is not an array of numbers", origin, path);
    int n = (int)json_array_size(a);
    if (n < min || n > max)
        return slds_fail(err, SLDS_ERR_DATA, "%s: %s has %d numbers, expected %d..%d", origin,
                         path, n, min, max);
    for (int i = 0; i < n; i++) {
        json_t *v = json_array_get(a, (size_t)i);
        if (!json_is_number(v))
            return slds_fail(err, SLDS_ERR_DATA, "%s: %s[%d] is not a number", origin, path, i);
        out[i] = json_number_value(v);
    }
    if (count)
        *count = n;
    return SLDS_OK;
}

/* "knots_10" with prefix "knots_" -> 10; -1 if the rest is not an integer. */
static int grade_suffix(const char *key, const char *prefix)
{
    size_t lp = strlen(prefix);
    if (strncmp(key, prefix, lp) != 0)
        return -1;
    const char *s = key + lp;
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long g = strtol(s, &end, 10);
    if (*end || errno || g < 0 || g > 99)
        return -1;
    return (int)g;
}

static void defaults(slds_growth_config *cfg)
{
    cfg->max_order = 4;
    cfg->n_taus = 100;
    slds_rq_sgp_taus(cfg->taus);
    cfg->projection_years = 3;
}

static int parse_levels_sgp(json_t *al, slds_growth_config *cfg, const char *origin,
                            slds_error *err)
{
    json_t *labels = json_object_get(al, "Labels"), *prof = json_object_get(al, "Proficient");
    if (!json_is_array(labels))
        return slds_fail(err, SLDS_ERR_DATA, "%s: Achievement_Levels.Labels is not an array",
                         origin);
    size_t n = json_array_size(labels);
    if (n > SLDS_GROWTH_MAX_LEVELS)
        return slds_fail(err, SLDS_ERR_DATA, "%s: more than %d achievement levels", origin,
                         SLDS_GROWTH_MAX_LEVELS);
    if (prof && (!json_is_array(prof) || json_array_size(prof) != n))
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: Achievement_Levels.Proficient must be an array as long as Labels",
                         origin);
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(labels, i);
        if (!json_is_string(l) || strlen(json_string_value(l)) >= SLDS_GROWTH_NAME_MAX)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: Achievement_Levels.Labels[%zu] is not a short string", origin, i);
        strcpy(cfg->level_labels[i], json_string_value(l));
        json_t *p = prof ? json_array_get(prof, i) : NULL;
        cfg->level_proficient[i] =
            json_is_string(p) && strcmp(json_string_value(p), "Proficient") == 0;
    }
    cfg->n_levels = (int)n;
    return SLDS_OK;
}

/* An integer from a JSON integer or a string of digits (R writes years and
 * grades as strings); -1 when neither. */
static long json_int_like(const json_t *v)
{
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    const char *t = json_string_value(v);
    if (!t || !*t)
        return -1;
    char *end;
    long x = strtol(t, &end, 10);
    return *end ? -1 : x;
}

/* A value or a one-element array of it (R's c("3", "5") or list(c(...))). */
static json_t *unwrap(json_t *v)
{
    while (json_is_array(v) && json_array_size(v) == 1 && json_is_array(json_array_get(v, 0)))
        v = json_array_get(v, 0);
    return v;
}

/* The skip years and explicit progressions, where either layout keeps them:
 * `skip_years` (an array of years) and `sgp.config` (an array of the SGP
 * package's per-analysis lists) in obj. */
static int parse_progressions(json_t *obj, slds_growth_config *cfg, const char *origin,
                              const char *where, slds_error *err)
{
    json_t *sk = json_object_get(obj, "skip_years");
    if (sk) {
        size_t i;
        json_t *v;
        if (!json_is_array(sk) || json_array_size(sk) > SLDS_GROWTH_MAX_SKIP_YEARS)
            return slds_fail(err, SLDS_ERR_DATA, "%s: %sskip_years must be an array of at most %d years",
                             origin, where, SLDS_GROWTH_MAX_SKIP_YEARS);
        json_array_foreach(sk, i, v) {
            long y = json_int_like(v);
            if (y < 1900 || y > 3000)
                return slds_fail(err, SLDS_ERR_DATA, "%s: %sskip_years[%zu] is not a year",
                                 origin, where, i);
            cfg->skip_years[cfg->n_skip_years++] = (int)y;
        }
    }
    json_t *sc = json_object_get(obj, "sgp.config");
    if (!sc)
        return SLDS_OK;
    if (!json_is_array(sc))
        return slds_fail(err, SLDS_ERR_DATA, "%s: %ssgp.config is not an array", origin, where);
    size_t i;
    json_t *e;
    json_array_foreach(sc, i, e) {
        if (cfg->n_progressions == SLDS_GROWTH_MAX_PROGRESSIONS)
            return slds_fail(err, SLDS_ERR_DATA, "%s: %ssgp.config has more than %d entries",
                             origin, where, SLDS_GROWTH_MAX_PROGRESSIONS);
        slds_growth_progression *pg = &cfg->progressions[cfg->n_progressions];
        memset(pg, 0, sizeof *pg);
        json_t *areas = unwrap(json_object_get(e, "sgp.content.areas"));
        json_t *years = unwrap(json_object_get(e, "sgp.panel.years"));
        json_t *grades = unwrap(json_object_get(e, "sgp.grade.sequences"));
        json_t *lags = unwrap(json_object_get(e, "sgp.panel.years.lags"));
        size_t n = json_array_size(grades);
        if (!json_is_object(e) || n < 2 || n > SLDS_SGP_MAX_ORDER + 1)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: %ssgp.config[%zu]: sgp.grade.sequences must list 2..%d grades",
                             origin, where, i, SLDS_SGP_MAX_ORDER + 1);
        json_t *area = json_is_array(areas) ? json_array_get(areas, json_array_size(areas) - 1)
                                             : areas;
        if (!json_is_string(area) || strlen(json_string_value(area)) >= SLDS_GROWTH_NAME_MAX)
            return slds_fail(err, SLDS_ERR_DATA, "%s: %ssgp.config[%zu]: no sgp.content.areas",
                             origin, where, i);
        snprintf(pg->subject, sizeof pg->subject, "%s", json_string_value(area));
        pg->n = (int)n;
        for (size_t k = 0; k < n; k++) {
            long g = json_int_like(json_array_get(grades, k));
            if (g < 0 || g > 99)
                return slds_fail(err, SLDS_ERR_DATA,
                                 "%s: %ssgp.config[%zu].sgp.grade.sequences[%zu] is not a grade",
                                 origin, where, i, k);
            pg->grades[k] = (int)g;
        }
        size_t ny = json_array_size(years);
        if (ny && ny != n)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: %ssgp.config[%zu]: %zu sgp.panel.years for %zu grades", origin,
                             where, i, ny, n);
        if (ny) {
            long last = json_int_like(json_array_get(years, ny - 1));
            if (last < 0) /* "2021_2022" style years: the number after the underscore */
                last = -1;
            pg->year = last > 0 ? (int)last : 0;
        }
        size_t nl = json_array_size(lags);
        if (nl && nl != n - 1)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: %ssgp.config[%zu]: %zu sgp.panel.years.lags for %zu grades",
                             origin, where, i, nl, n);
        for (size_t k = 0; k + 1 < n; k++) {
            long lag = 1;
            if (nl)
                lag = json_int_like(json_array_get(lags, k));
            else if (ny)
                lag = json_int_like(json_array_get(years, k + 1)) -
                      json_int_like(json_array_get(years, k));
            if (lag < 1 || lag > 10)
                return slds_fail(err, SLDS_ERR_DATA,
                                 "%s: %ssgp.config[%zu]: lag %zu is %ld, not 1..10", origin,
                                 where, i, k, lag);
            pg->lags[k] = (int)lag;
        }
        cfg->n_progressions++;
    }
    return SLDS_OK;
}

const slds_growth_progression *slds_growth_config_progression(const slds_growth_config *cfg,
                                                              const char *subject, int grade,
                                                              int year)
{
    const slds_growth_progression *any = NULL;
    for (int k = 0; cfg && k < cfg->n_progressions; k++) {
        const slds_growth_progression *p = &cfg->progressions[k];
        if (strcmp(p->subject, subject) || p->grades[p->n - 1] != grade)
            continue;
        if (p->year == year)
            return p;
        if (!p->year && !any)
            any = p;
    }
    return any;
}

int slds_growth_config_skips(const slds_growth_config *cfg, int year)
{
    for (int k = 0; cfg && k < cfg->n_skip_years; k++)
        if (cfg->skip_years[k] == year)
            return 1;
    return 0;
}

static int parse_sgp(json_t *root, slds_growth_config *cfg, const char *origin, slds_error *err)
{
    char path[256];
    int rc;
    strcpy(cfg->format, "sgp");
    json_t *sgpc = json_object_get(root, "SGP_Configuration");
    if (json_is_object(sgpc) &&
        (rc = parse_progressions(sgpc, cfg, origin, "SGP_Configuration.", err)))
        return rc;
    if ((rc = parse_progressions(root, cfg, origin, "", err)))
        return rc;
    json_t *kb = json_object_get(root, "Knots_Boundaries");
    if (kb && !json_is_object(kb))
        return slds_fail(err, SLDS_ERR_DATA, "%s: Knots_Boundaries is not an object", origin);
    const char *subj;
    json_t *sv;
    json_object_foreach(kb, subj, sv)
    {
        if (!json_is_object(sv))
            return slds_fail(err, SLDS_ERR_DATA, "%s: Knots_Boundaries.%s is not an object",
                             origin, subj);
        slds_growth_subject *s = subject_get(cfg, subj, origin, err);
        if (!s)
            return err ? err->code : SLDS_ERR_DATA;
        const char *key;
        json_t *v;
        json_object_foreach(sv, key, v)
        {
            snprintf(path, sizeof path, "Knots_Boundaries.%s.%s", subj, key);
            int gk = grade_suffix(key, "knots_"), gb = grade_suffix(key, "boundaries_"),
                gl = grade_suffix(key, "loss.hoss_");
            int gr = gk >= 0 ? gk : gb >= 0 ? gb : gl;
            if (gr < 0)
                continue; /* non-numeric grades (end-of-course tests) are not used here */
            slds_growth_grade *g = grade_get(s, gr, origin, err);
            if (!g)
                return err ? err->code : SLDS_ERR_DATA;
            if (gk >= 0)
                rc = read_numbers(v, g->knots, 1, SLDS_BS_MAX_KNOTS, &g->n_knots, origin, path,
                                  err);
            else if (gb >= 0)
                rc = read_numbers(v, g->boundary, 2, 2, NULL, origin, path, err);
            else {
                rc = read_numbers(v, g->loss_hoss, 2, 2, NULL, origin, path, err);
                g->has_loss_hoss = 1;
            }
            if (rc)
                return rc;
        }
    }
    json_t *cs = json_object_get(root, "Cutscores");
    if (cs && !json_is_object(cs))
        return slds_fail(err, SLDS_ERR_DATA, "%s: Cutscores is not an object", origin);
    json_object_foreach(cs, subj, sv)
    {
        if (!json_is_object(sv))
            return slds_fail(err, SLDS_ERR_DATA, "%s: Cutscores.%s is not an object", origin,
                             subj);
        slds_growth_subject *s = subject_get(cfg, subj, origin, err);
        if (!s)
            return err ? err->code : SLDS_ERR_DATA;
        const char *key;
        json_t *v;
        json_object_foreach(sv, key, v)
        {
            int gr = grade_suffix(key, "GRADE_");
            if (gr < 0)
                continue;
            snprintf(path, sizeof path, "Cutscores.%s.%s", subj, key);
            slds_growth_grade *g = grade_get(s, gr, origin, err);
            if (!g)
                return err ? err->code : SLDS_ERR_DATA;
            if ((rc = read_numbers(v, g->cuts, 1, SLDS_GROWTH_MAX_CUTS, &g->n_cuts, origin,
                                   path, err)))
                return rc;
        }
    }
    json_t *al = json_object_get(root, "Achievement_Levels");
    if (al && (rc = parse_levels_sgp(al, cfg, origin, err)))
        return rc;
    return SLDS_OK;
}

static int parse_slds(json_t *root, slds_growth_config *cfg, const char *origin,
                      slds_error *err)
{
    char path[256];
    int rc;
    strcpy(cfg->format, "slds");
    json_t *ver = json_object_get(root, "slds_growth_config");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1)
        return slds_fail(err, SLDS_ERR_DATA, "%s: slds_growth_config must be 1 (the version)",
                         origin);
    json_t *opt = json_object_get(root, "options");
    if (opt) {
        if (!json_is_object(opt))
            return slds_fail(err, SLDS_ERR_DATA, "%s: options is not an object", origin);
        if ((rc = parse_progressions(opt, cfg, origin, "options.", err)))
            return rc;
        json_t *v;
        if ((v = json_object_get(opt, "max_order"))) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > SLDS_SGP_MAX_ORDER)
                return slds_fail(err, SLDS_ERR_DATA, "%s: options.max_order must be 1..%d",
                                 origin, SLDS_SGP_MAX_ORDER);
            cfg->max_order = (int)json_integer_value(v);
        }
        if ((v = json_object_get(opt, "projection_years"))) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > SLDS_TARGET_MAX_YEARS)
                return slds_fail(err, SLDS_ERR_DATA,
                                 "%s: options.projection_years must be 1..%d", origin,
                                 SLDS_TARGET_MAX_YEARS);
            cfg->projection_years = (int)json_integer_value(v);
        }
        if ((v = json_object_get(opt, "knots"))) {
            const char *s = json_string_value(v);
            if (!s || (strcmp(s, "config") && strcmp(s, "data")))
                return slds_fail(err, SLDS_ERR_DATA,
                                 "%s: options.knots must be \"config\" or \"data\"", origin);
            cfg->knots_from_data = strcmp(s, "data") == 0;
        }
        if ((v = json_object_get(opt, "taus"))) {
            if (json_is_integer(v)) {
                long t = (long)json_integer_value(v);
                if (t < 2 || t > SLDS_SGP_MAX_TAUS)
                    return slds_fail(err, SLDS_ERR_DATA, "%s: options.taus must be 2..%d",
                                     origin, SLDS_SGP_MAX_TAUS);
                cfg->n_taus = (int)t;
                for (int k = 0; k < cfg->n_taus; k++)
                    cfg->taus[k] = (k + 0.5) / (double)t;
            } else {
                if ((rc = read_numbers(v, cfg->taus, 2, SLDS_SGP_MAX_TAUS, &cfg->n_taus, origin,
                                       "options.taus", err)))
                    return rc;
                for (int k = 0; k < cfg->n_taus; k++)
                    if (!(cfg->taus[k] > 0 && cfg->taus[k] < 1) ||
                        (k && !(cfg->taus[k] > cfg->taus[k - 1])))
                        return slds_fail(err, SLDS_ERR_DATA,
                                         "%s: options.taus[%d] = %g: taus must increase "
                                         "strictly inside (0, 1)",
                                         origin, k, cfg->taus[k]);
            }
        }
    }
    json_t *lv = json_object_get(root, "achievement_levels");
    if (lv) {
        if (!json_is_array(lv) || json_array_size(lv) > SLDS_GROWTH_MAX_LEVELS)
            return slds_fail(err, SLDS_ERR_DATA,
                             "%s: achievement_levels must be an array of at most %d levels",
                             origin, SLDS_GROWTH_MAX_LEVELS);
        for (size_t i = 0; i < json_array_size(lv); i++) {
            json_t *e = json_array_get(lv, i);
            json_t *l = json_object_get(e, "label"), *p = json_object_get(e, "proficient");
            if (!json_is_string(l) || strlen(json_string_value(l)) >= SLDS_GROWTH_NAME_MAX ||
                (p && !json_is_boolean(p)))
                return slds_fail(err, SLDS_ERR_DATA,
                                 "%s: achievement_levels[%zu] needs a short \"label\" and a "
                                 "boolean \"proficient\"",
                                 origin, i);
            strcpy(cfg->level_labels[i], json_string_value(l));
            cfg->level_proficient[i] = json_is_true(p);
        }
        cfg->n_levels = (int)json_array_size(lv);
    }
    json_t *subs = json_object_get(root, "subjects");
    if (!json_is_object(subs))
        return slds_fail(err, SLDS_ERR_DATA, "%s: subjects must be an object", origin);
    const char *subj;
    json_t *sv;
    json_object_foreach(subs, subj, sv)
    {
        if (!json_is_object(sv))
            return slds_fail(err, SLDS_ERR_DATA, "%s: subjects.%s is not an object", origin,
                             subj);
        slds_growth_subject *s = subject_get(cfg, subj, origin, err);
        if (!s)
            return err ? err->code : SLDS_ERR_DATA;
        const char *gkey;
        json_t *gv;
        json_object_foreach(sv, gkey, gv)
        {
            int gr = grade_suffix(gkey, "");
            if (gr < 0 || !json_is_object(gv))
                return slds_fail(err, SLDS_ERR_DATA,
                                 "%s: subjects.%s.%s: keys are grades (0..99) mapping to objects",
                                 origin, subj, gkey);
            slds_growth_grade *g = grade_get(s, gr, origin, err);
            if (!g)
                return err ? err->code : SLDS_ERR_DATA;
            json_t *v;
            if ((v = json_object_get(gv, "knots"))) {
                snprintf(path, sizeof path, "subjects.%s.%s.knots", subj, gkey);
                if ((rc = read_numbers(v, g->knots, 1, SLDS_BS_MAX_KNOTS, &g->n_knots, origin,
                                       path, err)))
                    return rc;
            }
            if ((v = json_object_get(gv, "boundaries"))) {
                snprintf(path, sizeof path, "subjects.%s.%s.boundaries", subj, gkey);
                if ((rc = read_numbers(v, g->boundary, 2, 2, NULL, origin, path, err)))
                    return rc;
            }
            if ((v = json_object_get(gv, "loss_hoss"))) {
                snprintf(path, sizeof path, "subjects.%s.%s.loss_hoss", subj, gkey);
                if ((rc = read_numbers(v, g->loss_hoss, 2, 2, NULL, origin, path, err)))
                    return rc;
                g->has_loss_hoss = 1;
            }
            if ((v = json_object_get(gv, "cuts"))) {
                snprintf(path, sizeof path, "subjects.%s.%s.cuts", subj, gkey);
                if ((rc = read_numbers(v, g->cuts, 1, SLDS_GROWTH_MAX_CUTS, &g->n_cuts, origin,
                                       path, err)))
                    return rc;
            }
        }
    }
    return SLDS_OK;
}

/* Every spline read must be usable by bs(). */
static int validate(const slds_growth_config *cfg, const char *origin, slds_error *err)
{
    for (int s = 0; s < cfg->n_subjects; s++)
        for (int g = 0; g < cfg->subjects[s].n_grades; g++) {
            const slds_growth_grade *gr = &cfg->subjects[s].grades[g];
            if (gr->n_knots) {
                slds_bspline b;
                if (slds_growth_grade_spline(gr, &b, err)) {
                    if (err)
                        err->code = SLDS_ERR_DATA;
                    slds_error_prefix(err, "%s: %s grade %d: ", origin, cfg->subjects[s].name,
                                      gr->grade);
                    return SLDS_ERR_DATA;
                }
            }
            for (int c = 1; c < gr->n_cuts; c++)
                if (!(gr->cuts[c] > gr->cuts[c - 1]))
                    return slds_fail(err, SLDS_ERR_DATA,
                                     "%s: %s grade %d: cut scores must increase", origin,
                                     cfg->subjects[s].name, gr->grade);
        }
    return SLDS_OK;
}

int slds_growth_config_parse(const char *json, size_t len, const char *origin,
                             slds_growth_config **out, slds_error *err)
{
    *out = NULL;
    if (!origin)
        origin = "growth configuration";
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root)
        return slds_fail(err, SLDS_ERR_DATA, "%s:%d:%d: %s", origin, je.line, je.column, je.text);
    slds_growth_config *cfg = calloc(1, sizeof *cfg);
    int rc = SLDS_OK;
    if (!cfg) {
        json_decref(root);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory reading %s", origin);
    }
    defaults(cfg);
    if (!json_is_object(root))
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: the top level is not an object", origin);
    else if (json_object_get(root, "slds_growth_config"))
        rc = parse_slds(root, cfg, origin, err);
    else if (json_object_get(root, "Knots_Boundaries") || json_object_get(root, "Cutscores"))
        rc = parse_sgp(root, cfg, origin, err);
    else
        rc = slds_fail(err, SLDS_ERR_DATA,
                       "%s: neither an SGP state meta-data file (Knots_Boundaries, Cutscores) "
                       "nor a slds growth configuration (slds_growth_config)",
                       origin);
    if (!rc)
        rc = validate(cfg, origin, err);
    json_decref(root);
    if (rc) {
        free(cfg);
        return rc;
    }
    *out = cfg;
    return SLDS_OK;
}

int slds_growth_config_load(const char *path, slds_growth_config **out, slds_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    slds_buf b = {0};
    char chunk[65536];
    size_t got;
    int rc = SLDS_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (slds_buf_append(&b, chunk, got)) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
    if (!rc && ferror(f))
        rc = slds_fail(err, SLDS_ERR_IO, "error reading %s", path);
    fclose(f);
    if (!rc)
        rc = slds_growth_config_parse(b.data ? b.data : "", b.len, path, out, err);
    slds_buf_free(&b);
    return rc;
}

const slds_growth_grade *slds_growth_config_grade(const slds_growth_config *cfg,
                                                  const char *subject, int grade)
{
    for (int s = 0; s < cfg->n_subjects; s++) {
        if (strcmp(cfg->subjects[s].name, subject) != 0)
            continue;
        for (int g = 0; g < cfg->subjects[s].n_grades; g++)
            if (cfg->subjects[s].grades[g].grade == grade)
                return &cfg->subjects[s].grades[g];
    }
    return NULL;
}

int slds_growth_grade_spline(const slds_growth_grade *g, slds_bspline *out, slds_error *err)
{
    if (!g->n_knots)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "grade %d has no knots", g->grade);
    slds_bspline_cubic(out, g->knots, g->n_knots, g->boundary[0], g->boundary[1]);
    return slds_bspline_check(out, err);
}

int slds_growth_level(const slds_growth_grade *g, double score)
{
    if (!g->n_cuts || isnan(score))
        return -1;
    int level = 0;
    for (int c = 0; c < g->n_cuts; c++)
        level += score >= g->cuts[c];
    return level;
}

double slds_growth_proficient_cut(const slds_growth_config *cfg, const slds_growth_grade *g)
{
    for (int l = 1; l <= g->n_cuts && l < cfg->n_levels; l++)
        if (cfg->level_proficient[l])
            return g->cuts[l - 1];
    return NAN;
}

int slds_growth_knots_from_scores(const double *scores, size_t n, slds_growth_grade *g,
                                  slds_error *err)
{
    static const double probs[4] = {0.2, 0.4, 0.6, 0.8};
    double q[4], lohi[2];
    double range_probs[2] = {0.0, 1.0};
    int rc = slds_quantile_type7(scores, n, probs, 4, q, err);
    if (!rc)
        rc = slds_quantile_type7(scores, n, range_probs, 2, lohi, err);
    if (rc)
        return slds_error_prefix(err, "knots of grade %d: ", g->grade);
    double d = lohi[1] - lohi[0];
    for (int k = 0; k < 4; k++)
        g->knots[k] = slds_round_r(q[k], 3);
    g->n_knots = 4;
    /* extendrange(x, f = 0.1): range + c(-1, 1) * 0.1 * diff(range) */
    g->boundary[0] = slds_round_r(lohi[0] - 0.1 * d, 3);
    g->boundary[1] = slds_round_r(lohi[1] + 0.1 * d, 3);
    g->loss_hoss[0] = slds_round_r(lohi[0], 3);
    g->loss_hoss[1] = slds_round_r(lohi[1], 3);
    g->has_loss_hoss = 1;
    return SLDS_OK;
}
