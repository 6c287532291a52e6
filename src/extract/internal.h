/* internal.h - what the extract module's files share and nobody else sees. */
#ifndef SLDS_EXTRACT_INTERNAL_H
#define SLDS_EXTRACT_INTERNAL_H

#include <stdbool.h>

#include "extract/extract.h"

/* True when table has extractable columns. */
bool extract_table_known(const char *table);
/* The column placing table's rows in a school year (NULL when it has none),
 * or the date column that does (NULL when none). */
void extract_table_year(const char *table, const char **year_column, const char **date_column);
bool extract_kind_is_qi(slds_extract_column_kind kind);

#endif
