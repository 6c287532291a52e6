/* model_json.c - an SGP model (coefficient matrices with their splines, taus
 * and loss/hoss) to and from JSON, so that matrices can be published and
 * read back: the first piece of baseline-referenced SGPs (issue 12), whose
 * matrices a state exports and imports. Doubles are written with 17
 * significant digits, which strtod reads back to the same bits, so SGPs
 * computed from an imported model equal those of the exported one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "growth/growth.h"

static json_t *numbers(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_real(v[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

int slds_sgp_model_to_json(const slds_sgp_model *m, char **out, slds_error *err)
{
    *out = NULL;
    json_t *root = json_object(), *priors = json_array(), *orders = json_array();
    int bad = !root || !priors || !orders;
    for (int k = 0; !bad && k < m->max_order; k++) {
        const slds_bspline *b = &m->splines[k];
        json_t *p = json_pack("{s:i, s:o, s:[f, f], s:b}", "degree", b->degree, "knots",
                              numbers(b->knots, (size_t)b->n_knots), "boundary", b->boundary[0],
                              b->boundary[1], "intercept", b->intercept);
        bad = !p || json_array_append_new(priors, p);
    }
    for (int k = 0; !bad && k < m->max_order; k++) {
        if (!m->coef[k])
            continue;
        json_t *o = json_pack("{s:i, s:i, s:I, s:o}", "order", k + 1, "p", m->p[k], "students",
                              (json_int_t)m->n_fit[k], "coef",
                              numbers(m->coef[k], (size_t)m->p[k] * (size_t)m->n_taus));
        bad = !o || json_array_append_new(orders, o);
    }
    if (!bad) {
        bad = json_object_set_new(root, "slds_sgp_model", json_integer(1)) ||
              json_object_set_new(root, "taus", numbers(m->taus, (size_t)m->n_taus)) ||
              json_object_set(root, "priors", priors) || json_object_set(root, "orders", orders);
        if (!bad && m->has_loss_hoss)
            bad = json_object_set_new(root, "loss_hoss", numbers(m->loss_hoss, 2));
    }
    if (!bad)
        *out = json_dumps(root, JSON_REAL_PRECISION(17) | JSON_COMPACT);
    json_decref(priors);
    json_decref(orders);
    json_decref(root);
    if (!*out)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory writing an SGP model");
    return SLDS_OK;
}

/* n numbers of array a into v (at most max); -1 when a is not such an array. */
static int read_numbers(const json_t *a, double *v, size_t max)
{
    if (!json_is_array(a) || json_array_size(a) > max)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *x = json_array_get(a, i);
        if (!json_is_number(x))
            return -1;
        v[i] = json_number_value(x);
    }
    return (int)json_array_size(a);
}

static int model_from(const json_t *root, const char *origin, slds_sgp_model *m, slds_error *err)
{
    double taus[SLDS_SGP_MAX_TAUS];
    int n_taus = read_numbers(json_object_get(root, "taus"), taus, SLDS_SGP_MAX_TAUS);
    const json_t *priors = json_object_get(root, "priors"), *orders = json_object_get(root, "orders");
    if (!json_is_integer(json_object_get(root, "slds_sgp_model")) || n_taus < 2 ||
        !json_is_array(priors) || !json_is_array(orders) || !json_array_size(priors) ||
        json_array_size(priors) > SLDS_SGP_MAX_ORDER)
        return slds_fail(err, SLDS_ERR_DATA,
                         "%s: not an SGP model (slds_sgp_model, taus, priors, orders)", origin);
    slds_bspline sp[SLDS_SGP_MAX_ORDER];
    int n = (int)json_array_size(priors);
    for (int k = 0; k < n; k++) {
        const json_t *p = json_array_get(priors, (size_t)k);
        memset(&sp[k], 0, sizeof sp[k]);
        sp[k].degree = (int)json_integer_value(json_object_get(p, "degree"));
        sp[k].intercept = json_is_true(json_object_get(p, "intercept"));
        sp[k].n_knots = read_numbers(json_object_get(p, "knots"), sp[k].knots, SLDS_BS_MAX_KNOTS);
        if (sp[k].n_knots < 0 || read_numbers(json_object_get(p, "boundary"), sp[k].boundary, 2) != 2)
            return slds_fail(err, SLDS_ERR_DATA, "%s: priors[%d]: knots or boundary", origin, k);
    }
    int rc = slds_sgp_model_init(m, sp, n, taus, n_taus, err);
    if (rc)
        return slds_error_prefix(err, "%s: ", origin);
    double *coef = malloc((size_t)m->p[n - 1] * (size_t)n_taus * sizeof *coef);
    if (!coef)
        rc = slds_fail(err, SLDS_ERR_NOMEM, "out of memory reading %s", origin);
    for (size_t i = 0; !rc && i < json_array_size(orders); i++) {
        const json_t *o = json_array_get(orders, i);
        int order = (int)json_integer_value(json_object_get(o, "order"));
        int p = (int)json_integer_value(json_object_get(o, "p"));
        if (order < 1 || order > n || p != m->p[order - 1] ||
            read_numbers(json_object_get(o, "coef"), coef, (size_t)p * (size_t)n_taus) !=
                p * n_taus) {
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: orders[%zu]: not a %d x %d matrix of order %d",
                           origin, i, order >= 1 && order <= n ? m->p[order - 1] : p, n_taus,
                           order);
            break;
        }
        rc = slds_sgp_model_set_coef(m, order, coef, p, err);
        if (!rc)
            m->n_fit[order - 1] = (size_t)json_integer_value(json_object_get(o, "students"));
    }
    free(coef);
    if (!rc && json_object_get(root, "loss_hoss")) {
        if (read_numbers(json_object_get(root, "loss_hoss"), m->loss_hoss, 2) != 2)
            rc = slds_fail(err, SLDS_ERR_DATA, "%s: loss_hoss is not two numbers", origin);
        m->has_loss_hoss = !rc;
    }
    if (rc)
        slds_sgp_model_free(m);
    return rc;
}

int slds_sgp_model_from_json(const char *json, size_t len, const char *origin, slds_sgp_model *m,
                             slds_error *err)
{
    memset(m, 0, sizeof *m);
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root)
        return slds_fail(err, SLDS_ERR_DATA, "%s:%d:%d: %s", origin, je.line, je.column, je.text);
    int rc = model_from(root, origin, m, err);
    json_decref(root);
    return rc;
}
