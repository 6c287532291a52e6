/* evaluate.c - `slds mastery evaluate`: fit BKT on one file of responses,
 * predict another online, score the pooled AUC (mastery.h).
 *
 * Layouts, told apart by the header (columns found by name, tab or comma
 * separated, gzip or plain):
 *  - ASSISTments 2009 de-duplicated split (../shared/data/bkt/assist09_dedup_*):
 *    user_id, item_id, timestamp (always 0), correct, skill_id; row order is
 *    time order;
 *  - ASSISTments 2009 DKT split (assist09_dkt_*): order_id, user_id,
 *    skill_name, correct; order_id is time order;
 *  - the data contract's item_responses.csv: student_id, response_time,
 *    item_id, standard_id, correct.
 * Test rows of a skill absent from the training file cannot be predicted by
 * a per-skill model and are left out (counted in unseen_rows), as pyBKT does
 * (it evaluates the skills it fitted). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/hash.h"
#include "ingest/csv.h"
#include "mastery/internal.h"

typedef struct responses {
    uint32_t *skill, *student;
    uint8_t *correct;
    int64_t *order;
    size_t n, cap;
    size_t unseen; /* rows of skills not in the dictionary (test file) */
    slds_intern students;
    const char *layout;
} responses;

static void responses_free(responses *r)
{
    free(r->skill);
    free(r->student);
    free(r->correct);
    free(r->order);
    slds_intern_free(&r->students);
    memset(r, 0, sizeof *r);
}

static int responses_push(responses *r, uint32_t skill, uint32_t student, uint8_t correct,
                          int64_t order)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 65536;
        uint32_t *a = realloc(r->skill, cap * sizeof *a);
        if (a)
            r->skill = a;
        uint32_t *b = realloc(r->student, cap * sizeof *b);
        if (b)
            r->student = b;
        uint8_t *c = realloc(r->correct, cap);
        if (c)
            r->correct = c;
        int64_t *d = realloc(r->order, cap * sizeof *d);
        if (d)
            r->order = d;
        if (!a || !b || !c || !d)
            return SLDS_ERR_NOMEM;
        r->cap = cap;
    }
    r->skill[r->n] = skill;
    r->student[r->n] = student;
    r->correct[r->n] = correct;
    r->order[r->n] = order;
    r->n++;
    return SLDS_OK;
}

/* Splits line (modified in place) at sep into at most max fields. */
static int split(char *line, char sep, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n < max)
            f[n] = p;
        n++;
        char *q = strchr(p, sep);
        if (!q)
            break;
        *q = '\0';
        p = q + 1;
    }
    return n;
}

static int find_col(char **h, int n, const char *const *names)
{
    for (int i = 0; i < n; i++)
        for (const char *const *nm = names; *nm; nm++)
            if (!strcmp(h[i], *nm))
                return i;
    return -1;
}

bool mastery_parse_time(const char *s, int64_t *out)
{
    int64_t days;
    size_t len = strlen(s);
    if (len < 10 || !slds_date_parse(s, 10, &days))
        return false;
    int64_t secs = 0;
    if (len > 10) {
        int hh, mm, ss;
        if (len < 19 || (s[10] != 'T' && s[10] != ' ') ||
            sscanf(s + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3 || hh > 23 || mm > 59 || ss > 60)
            return false;
        secs = hh * 3600 + mm * 60 + ss;
    }
    *out = days * 86400 + secs;
    return true;
}

bool mastery_grade_number(const char *g, int *out)
{
    if (!g || !*g)
        return false;
    if (!strcmp(g, "PK")) {
        *out = -1;
        return true;
    }
    if (!strcmp(g, "KG")) {
        *out = 0;
        return true;
    }
    char *end;
    long v = strtol(g, &end, 10);
    if (*end || v < 1 || v > 13)
        return false;
    *out = (int)v;
    return true;
}

/* Reads path into r; skills are added to (train) or looked up in (test) the
 * dictionary skills. */
static int read_responses(const char *path, bool add_skills, slds_intern *skills, responses *r,
                          slds_error *err)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot open", path);
    gzbuffer(gz, 1 << 18);
    char line[4096];
    char *h[64], *f[64];
    long lineno = 1;
    if (!gzgets(gz, line, sizeof line)) {
        gzclose(gz);
        return slds_fail(err, SLDS_ERR_DATA, "%s: empty file (expected a header)", path);
    }
    line[strcspn(line, "\r\n")] = '\0';
    char sep = strchr(line, '\t') ? '\t' : ',';
    char header[4096];
    memcpy(header, line, sizeof header);
    int nh = split(header, sep, h, 64);
    if (nh > 64)
        nh = 64;
    static const char *const c_student[] = {"user_id", "student_id", NULL};
    static const char *const c_skill[] = {"skill_id", "skill_name", "standard_id", NULL};
    static const char *const c_correct[] = {"correct", NULL};
    static const char *const c_order[] = {"order_id", "response_time", NULL};
    int i_student = find_col(h, nh, c_student), i_skill = find_col(h, nh, c_skill);
    int i_correct = find_col(h, nh, c_correct), i_order = find_col(h, nh, c_order);
    if (i_student < 0 || i_skill < 0 || i_correct < 0) {
        gzclose(gz);
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s line 1: expected columns user_id or student_id, skill_id, skill_name "
                         "or standard_id, and correct (header: %s)",
                         path, line);
    }
    bool is_time = i_order >= 0 && !strcmp(h[i_order], "response_time");
    r->layout = !strcmp(h[i_skill], "skill_id")     ? "assist09-dedup"
                : !strcmp(h[i_skill], "skill_name") ? "assist09-dkt"
                                                    : "item_responses";
    int need = i_student;
    if (i_skill > need)
        need = i_skill;
    if (i_correct > need)
        need = i_correct;
    if (i_order > need)
        need = i_order;
    int rc = SLDS_OK;
    while (!rc && gzgets(gz, line, sizeof line)) {
        lineno++;
        size_t len = strcspn(line, "\r\n");
        if (line[len] == '\0' && !gzeof(gz) && len == sizeof line - 1) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s line %ld: line longer than %zu bytes", path,
                           lineno, sizeof line - 1);
            break;
        }
        line[len] = '\0';
        if (!len)
            continue;
        int nf = split(line, sep, f, 64);
        if (nf <= need) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s line %ld: %d fields, expected %d", path, lineno,
                           nf, nh);
            break;
        }
        const char *cv = f[i_correct];
        if ((cv[0] != '0' && cv[0] != '1') || cv[1]) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s line %ld, column %s: '%s' is not 0 or 1", path,
                           lineno, h[i_correct], cv);
            break;
        }
        const char *sk = f[i_skill];
        if (!*sk) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s line %ld, column %s: blank skill", path, lineno,
                           h[i_skill]);
            break;
        }
        uint32_t skill = add_skills ? slds_intern_add(skills, sk, strlen(sk))
                                    : slds_intern_find(skills, sk, strlen(sk));
        if (skill == SLDS_NO_ID) {
            if (add_skills) {
                rc = slds_fail(err, SLDS_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            r->unseen++;
            continue;
        }
        uint32_t student = slds_intern_add(&r->students, f[i_student], strlen(f[i_student]));
        if (student == SLDS_NO_ID) {
            rc = slds_fail(err, SLDS_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        int64_t order = (int64_t)lineno;
        if (i_order >= 0) {
            char *end;
            if (is_time ? !mastery_parse_time(f[i_order], &order)
                        : (order = strtoll(f[i_order], &end, 10), *end || end == f[i_order])) {
                rc = slds_fail(err, SLDS_ERR_DATA, "%s line %ld, column %s: '%s' is not %s", path,
                               lineno, h[i_order], f[i_order],
                               is_time ? "an ISO date-time" : "a whole number");
                break;
            }
        }
        if (responses_push(r, skill, student, (uint8_t)(cv[0] - '0'), order))
            rc = slds_fail(err, SLDS_ERR_NOMEM, "%s: out of memory (%zu rows)", path, r->n);
    }
    int gzerr;
    const char *msg = gzerror(gz, &gzerr);
    if (!rc && gzerr != Z_OK && gzerr != Z_STREAM_END)
        rc = slds_fail(err, SLDS_ERR_IO, "%s: %s", path, msg);
    gzclose(gz);
    return rc;
}

typedef struct keyed {
    int64_t order;
    uint32_t row;
} keyed;

static int by_order(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Puts every student's rows in time order (a stable sort by order, done only
 * when some student's rows are not in order already). */
static int time_order(responses *r, slds_error *err)
{
    uint32_t ns = r->students.count;
    int64_t *last = malloc((ns ? ns : 1) * sizeof *last);
    if (!last)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    for (uint32_t s = 0; s < ns; s++)
        last[s] = INT64_MIN;
    bool sorted = true;
    for (size_t i = 0; i < r->n && sorted; i++) {
        if (r->order[i] < last[r->student[i]])
            sorted = false;
        last[r->student[i]] = r->order[i];
    }
    free(last);
    if (sorted)
        return SLDS_OK;
    keyed *idx = malloc(r->n * sizeof *idx);
    uint32_t *tmp = malloc(r->n * sizeof *tmp);
    uint8_t *tc = malloc(r->n);
    int64_t *to = malloc(r->n * sizeof *to);
    if (!idx || !tmp || !tc || !to) {
        free(idx);
        free(tmp);
        free(tc);
        free(to);
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < r->n; i++)
        idx[i] = (keyed){r->order[i], (uint32_t)i};
    qsort(idx, r->n, sizeof *idx, by_order);
    for (size_t i = 0; i < r->n; i++)
        tmp[i] = r->skill[idx[i].row];
    memcpy(r->skill, tmp, r->n * sizeof *tmp);
    for (size_t i = 0; i < r->n; i++)
        tmp[i] = r->student[idx[i].row];
    memcpy(r->student, tmp, r->n * sizeof *tmp);
    for (size_t i = 0; i < r->n; i++)
        tc[i] = r->correct[idx[i].row];
    memcpy(r->correct, tc, r->n);
    for (size_t i = 0; i < r->n; i++)
        to[i] = r->order[idx[i].row];
    memcpy(r->order, to, r->n * sizeof *to);
    free(idx);
    free(tmp);
    free(tc);
    free(to);
    return SLDS_OK;
}

/* The fitted parameters of every skill, as CSV. */
static int write_params(const char *path, const slds_intern *skills, const slds_bkt_fit *fits,
                        slds_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write", path);
    fprintf(f, "skill,p_init,p_learn,p_guess,p_slip,p_forget,log_likelihood,iterations,restart,"
               "responses,students,distinct_sequences\n");
    for (uint32_t k = 0; k < skills->count; k++) {
        const slds_bkt_fit *x = &fits[k];
        slds_csv_write_text_field(f, slds_intern_str(skills, k));
        fprintf(f, ",%.6f,%.6f,%.6f,%.6f,%.6f,%.4f,%d,%d,%zu,%zu,%zu\n", x->params.p_init,
                x->params.p_learn, x->params.p_guess, x->params.p_slip, x->params.p_forget,
                x->log_likelihood, x->iterations, x->restart, x->responses, x->sequences,
                x->distinct);
    }
    if (fclose(f))
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write", path);
    return SLDS_OK;
}

/* CPU seconds of the whole process (every thread). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int slds_mastery_evaluate(const slds_mastery_eval_options *o, slds_mastery_eval *out,
                          const slds_progress *progress, slds_error *err)
{
    memset(out, 0, sizeof *out);
    slds_intern skills = {0};
    responses train = {0}, test = {0};
    slds_bkt_corpus *ctrain = NULL, *ctest = NULL;
    slds_bkt_fit *fits = NULL;
    slds_bkt_params *params = NULL;
    bool *have = NULL;
    double *pred = NULL;
    double t0 = slds_now();
    int rc = read_responses(o->train, true, &skills, &train, err);
    if (!rc)
        rc = time_order(&train, err);
    if (!rc)
        rc = read_responses(o->test, false, &skills, &test, err);
    if (!rc)
        rc = time_order(&test, err);
    if (!rc && !train.n)
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: no responses", o->train);
    double t1 = slds_now(), c1 = cpu_now();
    out->read_seconds = t1 - t0;
    uint32_t n_skills = skills.count;
    if (!rc)
        rc = slds_bkt_corpus_new(&ctrain, train.skill, train.student, train.correct, train.n,
                                 n_skills, train.students.count, err);
    if (!rc) {
        fits = calloc(n_skills, sizeof *fits);
        if (!fits)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    if (!rc)
        rc = slds_bkt_fit_all(ctrain, &o->fit, fits, progress, err);
    double t2 = slds_now();
    out->fit_seconds = t2 - t1;
    out->fit_cpu_seconds = cpu_now() - c1;
    if (!rc && o->params_out)
        rc = write_params(o->params_out, &skills, fits, err);
    if (!rc)
        rc = slds_bkt_corpus_new(&ctest, test.skill, test.student, test.correct, test.n, n_skills,
                                 test.students.count, err);
    if (!rc) {
        params = calloc(n_skills ? n_skills : 1, sizeof *params);
        have = calloc(n_skills ? n_skills : 1, sizeof *have);
        pred = malloc((test.n ? test.n : 1) * sizeof *pred);
        if (!params || !have || !pred)
            rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    }
    if (!rc) {
        for (uint32_t k = 0; k < n_skills; k++) {
            params[k] = fits[k].params;
            have[k] = fits[k].responses > 0;
            if (have[k])
                out->train_log_likelihood += fits[k].log_likelihood;
        }
        slds_bkt_corpus_predict(ctest, params, have, pred);
        double se = 0;
        size_t hits = 0, rows = 0;
        for (size_t i = 0; i < test.n; i++) {
            if (isnan(pred[i]))
                continue;
            double d = pred[i] - test.correct[i];
            se += d * d;
            hits += (pred[i] >= 0.5) == (test.correct[i] == 1);
            rows++;
        }
        out->auc = slds_auc(pred, test.correct, test.n, err);
        out->rows = rows;
        out->rmse = rows ? sqrt(se / (double)rows) : NAN;
        out->accuracy = rows ? (double)hits / (double)rows : NAN;
    }
    out->predict_seconds = slds_now() - t2;
    out->train_rows = train.n;
    out->test_rows = test.n + test.unseen;
    out->unseen_rows = test.unseen;
    out->skills = n_skills;
    out->train_students = train.students.count;
    out->test_students = test.students.count;
    out->layout = train.layout;
    out->threads = o->fit.threads > 0 ? o->fit.threads : slds_cpu_count();
    slds_bkt_corpus_free(ctrain);
    slds_bkt_corpus_free(ctest);
    free(fits);
    free(params);
    free(have);
    free(pred);
    responses_free(&train);
    responses_free(&test);
    slds_intern_free(&skills);
    return rc;
}
