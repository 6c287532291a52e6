/* competes.c - the `competes` report (docs/reports/competes.md): the twelve
 * America COMPETES Act elements the loaded data supports and the (C)(1)
 * score they earn. The audit library decides each element (src/audit,
 * docs/audit.md) by its elements-only path (the same counts and evidence as a
 * full audit, without the checks); this report only lays its decision out
 * as tables, so the audit and the report can never disagree. */
#include "account/account.h"

#include "audit/audit.h"

int slds_account_competes(slds_store *s, slds_account_tables *out, slds_error *err)
{
    slds_audit_report *r;
    int rc = slds_audit_elements(s, &r, err); /* the elements alone: no checks, no student ids */
    if (rc)
        return rc;
    static const slds_column_spec ecols[] = {
        {.name = "level", .type = SLDS_CELL_TEXT},
        {.name = "group_id", .type = SLDS_CELL_TEXT},
        {.name = "subgroup", .type = SLDS_CELL_TEXT},
        {.name = "element", .type = SLDS_CELL_INTEGER},
        {.name = "name", .type = SLDS_CELL_TEXT},
        {.name = "supported", .type = SLDS_CELL_BOOLEAN},
        {.name = "points", .type = SLDS_CELL_INTEGER, .unit = "points"},
        {.name = "evidence", .type = SLDS_CELL_TEXT},
    };
    static const slds_column_spec scols[] = {
        {.name = "level", .type = SLDS_CELL_TEXT},
        {.name = "group_id", .type = SLDS_CELL_TEXT},
        {.name = "subgroup", .type = SLDS_CELL_TEXT},
        {.name = "elements_supported", .type = SLDS_CELL_INTEGER},
        {.name = "elements", .type = SLDS_CELL_INTEGER},
        {.name = "c1_score", .type = SLDS_CELL_INTEGER, .unit = "points"},
        {.name = "c1_max", .type = SLDS_CELL_INTEGER, .unit = "points"},
    };
    slds_table *e = NULL, *sc = NULL;
    rc = slds_table_new(&e, "competes", "America COMPETES Act elements (notice, (C)(1))", ecols,
                        8, err);
    rc = rc ? rc : slds_table_new(&sc, "c1_score", "(C)(1) score: 2 points per element", scols, 7, err);
    int supported = 0;
    for (int i = 0; !rc && i < SLDS_COMPETES_ELEMENTS; i++) {
        const slds_audit_element *el = &r->elements[i];
        supported += el->supported;
        slds_table_add_row(e, err);
        slds_table_set_text(e, 0, "state", err);
        slds_table_set_text(e, 1, "state", err);
        slds_table_set_text(e, 2, "all", err);
        slds_table_set_integer(e, 3, el->element, err);
        slds_table_set_text(e, 4, el->name, err);
        slds_table_set_boolean(e, 5, el->supported, err);
        slds_table_set_integer(e, 6, el->supported ? r->c1_max / SLDS_COMPETES_ELEMENTS : 0, err);
        slds_table_set_text(e, 7, el->evidence, err);
        rc = slds_table_status(e);
    }
    if (!rc) {
        slds_table_add_row(sc, err);
        slds_table_set_text(sc, 0, "state", err);
        slds_table_set_text(sc, 1, "state", err);
        slds_table_set_text(sc, 2, "all", err);
        slds_table_set_integer(sc, 3, supported, err);
        slds_table_set_integer(sc, 4, SLDS_COMPETES_ELEMENTS, err);
        slds_table_set_integer(sc, 5, r->c1_score, err);
        slds_table_set_integer(sc, 6, r->c1_max, err);
        rc = slds_table_status(sc);
    }
    slds_audit_report_free(r);
    if (rc) {
        slds_table_free(e);
        slds_table_free(sc);
        return rc;
    }
    if ((rc = slds_account_tables_add(out, e, err))) {
        slds_table_free(sc);
        return rc;
    }
    return slds_account_tables_add(out, sc, err);
}
