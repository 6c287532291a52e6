/* tables.c - the audit report as result tables (audit.h): what `slds audit`
 * prints as CSV and JSON and what the report registry returns. */
#include "audit/audit.h"

static const slds_column_spec finding_cols[] = {
    {.name = "category", .type = SLDS_CELL_TEXT},
    {.name = "table", .type = SLDS_CELL_TEXT},
    {.name = "scope", .type = SLDS_CELL_TEXT},
    {.name = "district", .type = SLDS_CELL_TEXT},
    {.name = "check", .type = SLDS_CELL_TEXT},
    {.name = "count", .type = SLDS_CELL_INTEGER, .unit = "rows"},
    {.name = "total", .type = SLDS_CELL_INTEGER, .unit = "rows"},
    {.name = "rate", .type = SLDS_CELL_REAL, .unit = "share of total", .decimals = 6},
    {.name = "examples", .type = SLDS_CELL_LIST},
    {.name = "description", .type = SLDS_CELL_TEXT}};

static const slds_column_spec element_cols[] = {{.name = "element", .type = SLDS_CELL_INTEGER},
                                                {.name = "name", .type = SLDS_CELL_TEXT},
                                                {.name = "supported", .type = SLDS_CELL_BOOLEAN},
                                                {.name = "evidence", .type = SLDS_CELL_TEXT}};

static int fill_findings(const slds_audit_report *r, slds_table *t, slds_error *err)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        const slds_audit_finding *f = &r->findings[i];
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, slds_audit_category_name(f->category), err);
        slds_table_set_text(t, 1, f->table, err);
        slds_table_set_text(t, 2, slds_audit_scope_name(f->scope), err);
        slds_table_set_text(t, 3, f->lea_id, err);
        slds_table_set_text(t, 4, f->check, err);
        slds_table_set_integer(t, 5, f->count, err);
        slds_table_set_integer(t, 6, f->total, err);
        slds_table_set_real(t, 7, f->total > 0 ? (double)f->count / (double)f->total : 0.0, err);
        for (size_t k = 0; k < f->n_examples; k++)
            slds_table_list_add(t, 8, f->examples[k], err);
        slds_table_set_text(t, 9, f->description, err);
    }
    return slds_table_status(t);
}

static int fill_elements(const slds_audit_report *r, slds_table *t, slds_error *err)
{
    for (int i = 0; i < SLDS_COMPETES_ELEMENTS; i++) {
        const slds_audit_element *e = &r->elements[i];
        slds_table_add_row(t, err);
        slds_table_set_integer(t, 0, e->element, err);
        slds_table_set_text(t, 1, e->name, err);
        slds_table_set_boolean(t, 2, e->supported, err);
        slds_table_set_text(t, 3, e->evidence, err);
    }
    return slds_table_status(t);
}

int slds_audit_tables(const slds_audit_report *r, slds_table **findings, slds_table **elements,
                      slds_error *err)
{
    *findings = *elements = NULL;
    int rc = slds_table_new(findings, "findings", "Data-quality findings", finding_cols,
                            (int)(sizeof finding_cols / sizeof finding_cols[0]), err);
    rc = rc ? rc
            : slds_table_new(elements, "elements",
                             "America COMPETES Act elements supported by the data", element_cols,
                             (int)(sizeof element_cols / sizeof element_cols[0]), err);
    rc = rc ? rc : fill_findings(r, *findings, err);
    rc = rc ? rc : fill_elements(r, *elements, err);
    if (rc) {
        slds_table_free(*findings);
        slds_table_free(*elements);
        *findings = *elements = NULL;
    }
    return rc;
}
