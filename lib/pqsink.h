/* pqsink.h - osdown's Parquet output: the columns pass 1 inferred become
 * Parquet columns of the matching type (nothing about typing is decided
 * here), and pass 2's cells are converted into them.
 *
 *   bool -> BOOLEAN; int8/16/32 -> INT32 with INT(8|16|32, signed);
 *   int64 -> INT64; uint64 -> INT64 with INT(64, unsigned); float32 ->
 *   FLOAT; float64 -> DOUBLE; timestamp -> INT64 TIMESTAMP(MILLIS, UTC);
 *   category, string -> BYTE_ARRAY STRING (dictionary-encoded, see
 *   parquet.h)
 *
 * Nullable columns are OPTIONAL.  Strings and names are written with each
 * invalid UTF-8 byte replaced by U+FFFD, as in the CSV.  The footer carries
 * the "pandas" metadata (each column's pandas dtype from the schema) and an
 * Arrow schema (ARROW:schema, lib/arrowfb) in which categories are Arrow
 * dictionaries, so that pandas.read_parquet gives the same dtypes as the
 * schema's read_csv arguments (nullable integers as Int8.., not float64;
 * categories as category).
 */
#ifndef PQSINK_H
#define PQSINK_H

#include <stdint.h>

#include "down.h"
#include "parquet.h"

struct pqsink_opts {
	enum parquet_codec codec;
	uint64_t rg_rows;   /* see parquet_opts */
	size_t rg_bytes;
};

typedef struct pqsink pqsink;

/* A Parquet writer to FD (not closed) for the output columns of D after
 * pass 1.  NULL with errno set (ENOMEM). */
pqsink *pqsink_new(int fd, const down *d, const struct pqsink_opts *o);
void pqsink_free(pqsink *s); /* NULL is fine */

/* The sink to hand to down_write_sink (owned by S). */
const struct down_sink *pqsink_sink(pqsink *s);

/* Writes the footer.  0 or -1 with errno set. */
int pqsink_finish(pqsink *s);

/* Bytes written, row groups, invalid UTF-8 bytes replaced. */
uint64_t pqsink_bytes(const pqsink *s);
uint64_t pqsink_row_groups(const pqsink *s);
uint64_t pqsink_replaced(const pqsink *s);

#endif
