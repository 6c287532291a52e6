/* abc.c - the ABC indicators' configuration (defaults, a JSON or CSV file)
 * and the rules that turn a student-year's attendance, behaviour and course
 * figures into flags, each with its reason in words (docs/warn.md).
 *
 * Invariants (tests/warn/test_warn_abc.c, on boundary values):
 *  A1. attendance: flagged when days missed / days enrolled >= the threshold
 *      (exactly 10% is chronic absence); no attendance row, no flag.
 *  A2. course: flagged when F marks in ELA or MATH courses >= the minimum.
 *  A3. off track (grade 9 only): fewer than on_track_credits full credits
 *      earned, or more than on_track_max_core_f semester Fs in core courses
 *      (a year-long course F is two semester Fs); exactly 5 credits and one
 *      semester F is on track.
 *  A4. gpa: flagged when the credit-weighted GPA is strictly below the bound. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warn/warn.h"

void slds_warn_config_default(slds_warn_config *c)
{
    c->chronic_absence = 0.10;
    c->suspensions = 1;
    c->count_in_school = true;
    c->course_failures = 1;
    c->gpa_below = 2.0;
    c->on_track_credits = 5.0;
    c->on_track_max_core_f = 1;
    c->credits_per_year = 6.0;
    c->lambda = 1.0;
    c->lambda_search = true;
    c->risk_threshold = 0;
    c->factor_min = 0.15;
    c->calibration_share_pct = 20;
}

/* One configuration key: its name, where it lives, its range. */
typedef enum { K_REAL, K_INT, K_BOOL } key_kind;
typedef struct key_def {
    const char *name;
    key_kind kind;
    size_t offset;
    double lo, hi;
} key_def;

#define KEY(n, k, lo, hi) {#n, k, offsetof(slds_warn_config, n), lo, hi}
static const key_def keys[] = {
    KEY(chronic_absence, K_REAL, 0, 1),      KEY(suspensions, K_INT, 1, 1000),
    KEY(count_in_school, K_BOOL, 0, 1),      KEY(course_failures, K_INT, 1, 100),
    KEY(gpa_below, K_REAL, 0, 4),            KEY(on_track_credits, K_REAL, 0, 20),
    KEY(on_track_max_core_f, K_INT, 0, 100), KEY(credits_per_year, K_REAL, 0.5, 20),
    KEY(lambda, K_REAL, 0, 1e6),             KEY(risk_threshold, K_REAL, 0, 1),
    KEY(factor_min, K_REAL, 0, 10),          KEY(calibration_share_pct, K_INT, 5, 50),
    KEY(lambda_search, K_BOOL, 0, 1),
};
#define NKEYS (sizeof keys / sizeof keys[0])

static int set_key(slds_warn_config *c, const char *path, const char *where, const char *name,
                   double v, slds_error *err)
{
    for (size_t k = 0; k < NKEYS; k++) {
        if (strcmp(keys[k].name, name))
            continue;
        if (!(v >= keys[k].lo && v <= keys[k].hi) || (keys[k].kind != K_REAL && v != floor(v)))
            return slds_fail(err, SLDS_ERR_DATA, "%s%s: %s = %g is outside %g..%g%s", path, where, name,
                             v, keys[k].lo, keys[k].hi, keys[k].kind == K_REAL ? "" : " (a whole number)");
        /* memcpy into the field at its offset: no pointer casts */
        char *field = (char *)c + keys[k].offset;
        if (keys[k].kind == K_REAL) {
            memcpy(field, &v, sizeof v);
        } else if (keys[k].kind == K_INT) {
            int i = (int)v;
            memcpy(field, &i, sizeof i);
        } else {
            bool b = v != 0;
            memcpy(field, &b, sizeof b);
        }
        return SLDS_OK;
    }
    return slds_fail(err, SLDS_ERR_DATA, "%s%s: unknown key '%s' (docs/warn.md lists them)", path, where, name);
}

static int load_json(slds_warn_config *c, const char *path, slds_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return slds_fail(err, SLDS_ERR_DATA, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return slds_fail(err, SLDS_ERR_DATA, "%s: expected a JSON object of settings", path);
    }
    const char *name;
    json_t *v;
    int rc = SLDS_OK;
    json_object_foreach(root, name, v)
    {
        double x;
        if (json_is_boolean(v))
            x = json_is_true(v);
        else if (json_is_number(v))
            x = json_number_value(v);
        else {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: %s must be a number", path, name);
            break;
        }
        if ((rc = set_key(c, path, "", name, x, err)))
            break;
    }
    json_decref(root);
    return rc;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = 0;
        s++;
    }
    return s;
}

static int load_csv(slds_warn_config *c, const char *path, FILE *f, slds_error *err)
{
    char line[512];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *comma = strchr(line, ',');
        char *name = line;
        if (!comma) {
            if (*trim(line))
                return slds_fail(err, SLDS_ERR_DATA, "%s:%d: expected key,value", path, lineno);
            continue;
        }
        *comma = 0;
        name = trim(name);
        char *val = trim(comma + 1);
        if (lineno == 1 && !strcmp(name, "key"))
            continue; /* header */
        char *end;
        double v;
        if (!strcmp(val, "true") || !strcmp(val, "Y"))
            v = 1;
        else if (!strcmp(val, "false") || !strcmp(val, "N"))
            v = 0;
        else {
            v = strtod(val, &end);
            if (!*val || *end)
                return slds_fail(err, SLDS_ERR_DATA, "%s:%d: %s: '%s' is not a number", path, lineno, name, val);
        }
        char where[32];
        snprintf(where, sizeof where, ":%d", lineno);
        int rc = set_key(c, path, where, name, v, err);
        if (rc)
            return rc;
    }
    return SLDS_OK;
}

int slds_warn_config_load(slds_warn_config *c, const char *path, slds_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "cannot open configuration %s", path);
    int ch;
    while ((ch = fgetc(f)) != EOF && isspace(ch))
        ;
    int rc;
    if (ch == '{') {
        fclose(f);
        rc = load_json(c, path, err);
    } else {
        rewind(f);
        rc = load_csv(c, path, f, err);
        fclose(f);
    }
    return rc;
}

json_t *slds_warn_config_json(const slds_warn_config *c)
{
    json_t *o = json_object();
    for (size_t k = 0; o && k < NKEYS; k++) {
        const char *field = (const char *)c + keys[k].offset;
        json_t *v;
        if (keys[k].kind == K_REAL) {
            double d;
            memcpy(&d, field, sizeof d);
            v = json_real(d);
        } else if (keys[k].kind == K_INT) {
            int i;
            memcpy(&i, field, sizeof i);
            v = json_integer(i);
        } else {
            bool b;
            memcpy(&b, field, sizeof b);
            v = json_boolean(b);
        }
        json_object_set_new(o, keys[k].name, v);
    }
    return o;
}

/* ---- flags and reasons ------------------------------------------------------ */

const char *slds_warn_flag_name(int k)
{
    static const char *const names[SLDS_WARN_NFLAGS] = {"attendance", "behavior", "course", "gpa",
                                                        "off_track"};
    return k >= 0 && k < SLDS_WARN_NFLAGS ? names[k] : "?";
}

double slds_warn_gpa(const slds_warn_abc *a)
{
    return a->gpa_credits > 0 ? a->gpa_points / a->gpa_credits : NAN;
}

static bool off_track(const slds_warn_abc *a, const slds_warn_config *c)
{
    if (a->grade != 9 || !(a->gpa_credits > 0 || a->credits_earned > 0 || a->core_f_semesters > 0))
        return false;
    return a->credits_earned < c->on_track_credits - 1e-9 || a->core_f_semesters > c->on_track_max_core_f;
}

unsigned slds_warn_flags(const slds_warn_abc *a, const slds_warn_config *c)
{
    unsigned f = 0;
    if (a->days_enrolled > 0 && a->days_absent / a->days_enrolled >= c->chronic_absence - 1e-12)
        f |= SLDS_WARN_FLAG_ATTENDANCE;
    if (a->suspensions >= c->suspensions)
        f |= SLDS_WARN_FLAG_BEHAVIOR;
    if (a->f_ela + a->f_math >= c->course_failures)
        f |= SLDS_WARN_FLAG_COURSE;
    double gpa = slds_warn_gpa(a);
    if (gpa < c->gpa_below)
        f |= SLDS_WARN_FLAG_GPA;
    if (off_track(a, c))
        f |= SLDS_WARN_FLAG_OFF_TRACK;
    return f;
}

static const char *plural(int n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

int slds_warn_reasons(const slds_warn_abc *a, unsigned flags, const slds_warn_config *c, slds_buf *b)
{
    int rc = SLDS_OK;
    const char *sep = "";
    if (flags & SLDS_WARN_FLAG_ATTENDANCE) {
        rc |= slds_buf_printf(b, "%smissed %.1f%% of enrolled days (%.0f of %.0f, chronic absence from %.0f%%)",
                              sep, 100 * a->days_absent / a->days_enrolled, a->days_absent, a->days_enrolled,
                              100 * c->chronic_absence);
        sep = "; ";
    }
    if (flags & SLDS_WARN_FLAG_BEHAVIOR) {
        rc |= slds_buf_printf(b, "%s%d %s (%d out of school, %.0f %s)", sep, a->suspensions,
                              plural(a->suspensions, "suspension", "suspensions"), a->out_of_school,
                              a->suspension_days, a->suspension_days == 1 ? "day" : "days");
        sep = "; ";
    }
    if (flags & SLDS_WARN_FLAG_COURSE) {
        if (a->f_ela && a->f_math)
            rc |= slds_buf_printf(b, "%sfailed English language arts and mathematics", sep);
        else
            rc |= slds_buf_printf(b, "%sfailed %s", sep, a->f_ela ? "English language arts" : "mathematics");
        sep = "; ";
    }
    if (flags & SLDS_WARN_FLAG_GPA) {
        rc |= slds_buf_printf(b, "%sGPA %.2f (below %.1f)", sep, slds_warn_gpa(a), c->gpa_below);
        sep = "; ";
    }
    if (flags & SLDS_WARN_FLAG_OFF_TRACK) {
        rc |= slds_buf_printf(b, "%soff track in grade 9: %g full credits earned (on track needs %g) and %d "
                              "semester %s in core courses (at most %d)",
                              sep, a->credits_earned, c->on_track_credits, a->core_f_semesters,
                              a->core_f_semesters == 1 ? "F" : "Fs", c->on_track_max_core_f);
    }
    return rc ? SLDS_ERR_NOMEM : SLDS_OK;
}
