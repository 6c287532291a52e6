/* audit.c - slds_audit_run: the order of an audit's steps and its snapshot.
 *
 * Notes on the design:
 *  1. The audit reads one snapshot: every step runs inside one read
 *     transaction, so a load that commits meanwhile is either wholly in the
 *     report or wholly out of it.
 *  2. The audit writes nothing to the state's tables: its working tables are
 *     TEMP tables, dropped before it returns (and rolled back on failure);
 *     test_leaves_no_trace checks that none is left and no transaction open.
 *  3. Every finding's count is at most its total, and the statewide count of a
 *     row check is the sum of its district counts and its no-district count
 *     (tests/audit/test_audit.c checks both). */
#include "audit/audit_internal.h"

#include <stdlib.h>

void slds_audit_options_default(slds_audit_options *opt)
{
    opt->max_examples = 5;
    opt->jump_sd = 4.0;
    opt->max_days_enrolled = 200.0;
    opt->progress = NULL;
}

static int check_options(const slds_audit_options *opt, slds_error *err)
{
    if (opt->max_examples < 0 || opt->max_examples > 1000)
        return slds_fail(err, SLDS_ERR_USAGE, "audit: examples must be between 0 and 1000, not %d",
                         opt->max_examples);
    if (!(opt->jump_sd > 0))
        return slds_fail(err, SLDS_ERR_USAGE, "audit: the score-jump threshold must be positive");
    if (!(opt->max_days_enrolled > 0))
        return slds_fail(err, SLDS_ERR_USAGE, "audit: the days-enrolled maximum must be positive");
    return SLDS_OK;
}

static int run_steps(audit_ctx *c, slds_audit_report *r)
{
    audit_progress(c, "audit enrollment spells");
    int rc = audit_prepare_temp(c);
    if (!rc)
        rc = audit_jumps_begin(c);
    if (!rc)
        rc = audit_rejects(c);
    if (!rc)
        rc = audit_load_findings(c);
    if (!rc)
        rc = audit_scan_tables(c);
    if (!rc)
        rc = audit_identity_dups(c);
    if (!rc)
        rc = audit_score_jumps(c);
    if (!rc)
        rc = audit_elements(c, r);
    if (!rc)
        rc = audit_emit_findings(c, r);
    return rc;
}

int slds_audit_run(slds_store *s, const slds_audit_options *opt, slds_audit_report **out,
                   slds_error *err)
{
    slds_error local;
    if (!err)
        err = &local;
    *out = NULL;
    audit_ctx c = {0};
    c.s = s;
    c.err = err;
    if (opt)
        c.opt = *opt;
    else
        slds_audit_options_default(&c.opt);
    int rc = check_options(&c.opt, err);
    if (rc)
        return rc;
    c.steps = 6 + audit_scan_steps();

    slds_audit_report *r = calloc(1, sizeof *r);
    if (!r)
        return slds_fail(err, SLDS_ERR_NOMEM, "audit: out of memory");
    bool own_txn = sqlite3_get_autocommit(s->db);
    if (own_txn)
        rc = slds_store_exec(s, "BEGIN", err);
    if (!rc)
        rc = run_steps(&c, r);
    audit_jumps_release(&c);
    audit_drop_temp(&c);
    if (own_txn && !rc)
        rc = slds_store_commit(s, err);
    if (own_txn && rc)
        slds_store_rollback(s);
    slds_progress_report(c.opt.progress, "audit done", (uint64_t)c.steps, (uint64_t)c.steps);
    audit_ctx_release(&c);
    if (rc) {
        slds_audit_report_free(r);
        return rc;
    }
    *out = r;
    return SLDS_OK;
}

void slds_audit_report_free(slds_audit_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_findings; i++) {
        slds_audit_finding *f = &r->findings[i];
        free(f->table);
        free(f->lea_id);
        free(f->check);
        free(f->description);
        for (size_t j = 0; j < f->n_examples; j++)
            free(f->examples[j]);
        free(f->examples);
    }
    free(r->findings);
    free(r);
}
