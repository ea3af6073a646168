/* down.h - the two passes of osdown: NDJSON (plain or LZ4) in, typed CSV
 * and its schema out.
 *
 * Pass 1 (down_infer) reads every input, flattens each line (jflat) and
 * infers each column's type (coltype); every line is checked, so bad input
 * is found before anything is written.  Pass 2 (down_write) reads the
 * inputs again and writes the CSV (csv), or hands the typed cells to
 * another sink (down_write_sink, e.g. Parquet).  Inputs that cannot be
 * read twice (stdin "-", pipes, FIFOs) are copied during pass 1 to an LZ4
 * temp file in $TMPDIR that is unlinked as soon as it is created.
 *
 * Memory: per column a fixed state plus its category dictionary (coltype.h);
 * per input a reader whose line buffer is capped by max_line; one row of
 * values (at most one line long).  Nothing grows with the row count.
 *
 * Errors: functions that can fail take (err, errlen) last and return an
 * osdl exit code (lib/osdl.h; osdown exits with it) with one line in ERR
 * (errbuf.h), "FILE:LINE: reason" for bad input.
 */
#ifndef DOWN_H
#define DOWN_H

#include <stddef.h>
#include <stdint.h>

#include "coltype.h"

struct down_opts {
	const char *fields;      /* comma list: only these columns, this order */
	const char *array_sep;   /* join arrays of scalars (NULL: JSON text) */
	const char *date_fields; /* comma list: integers there are epoch ms */
	char delim;              /* CSV delimiter */
	size_t category_max;     /* see coltype_opts */
	size_t max_line;         /* longest input line; 0: OSDL_MAX_LINE */
	const char *out_name;    /* the output as named in messages */
	int no_header;           /* down_write writes the rows only */
};

/* One output column after pass 1. */
struct down_col {
	const char *name;
	size_t name_len;
	enum coltype_kind kind;
	int nullable;   /* some record has no value */
	int has_empty;  /* some value is "" */
	int date_field;
	uint64_t values;
	size_t distinct;
};

typedef struct down down;

/* A converter for the NINPUTS paths INPUTS ("-" is stdin); options and the
 * inputs array are copied or borrowed until down_free (INPUTS borrowed).
 * NULL on allocation failure. */
down *down_new(const struct down_opts *opts, char *const *inputs, int ninputs);
void down_free(down *d); /* NULL is fine; closes the spool files */

/* Pass 1.  Returns OSDL_EXIT_OK or an exit code with the reason in ERR. */
int down_infer(down *d, char *err, size_t errlen);

/* Instead of pass 1: the columns come from a schema (COLS, N; with
 * --fields, their names must be the list's, in order) or from merged chunk
 * statistics (S; --fields picks and orders them as pass 1 would; refused
 * with --date-fields or --array-sep, which the statistics were not gathered
 * with).  down_write then checks every value against them: a value its
 * column's type cannot hold, no value in a column that is not nullable, an
 * empty string where the schema has none, or a member that is no column
 * (with --fields: ignored) is bad input, OSDL_EXIT_DATA with
 * "FILE:LINE: column NAME: reason", never a silent cast.  Names are copied.
 * Return OSDL_EXIT_OK or an exit code with the reason in ERR
 * (OSDL_EXIT_USAGE for options that do not fit). */
struct schema_col;
struct colstats;
int down_use_schema(down *d, const struct schema_col *cols, size_t n, char *err, size_t errlen);
int down_use_stats(down *d, const struct colstats *s, char *err, size_t errlen);
/* down_use_stats() with the statistics of every input's INPUT.meta (osfetch
 * chunk files) merged in input order.  OSDL_EXIT_IO when a .meta cannot be
 * read, OSDL_EXIT_DATA when it holds no usable statistics (colstats.h). */
int down_use_meta(down *d, char *err, size_t errlen);

/* After pass 1 (or down_use_*): the output columns in order; rows: those
 * of pass 1, the statistics' or, with a schema, those down_write wrote. */
size_t down_ncols(const down *d);
void down_col(const down *d, size_t i, struct down_col *c);
uint64_t down_rows(const down *d);

/* Pass 2: header (unless no_header) and rows to FD (not closed), flushed.
 * Returns OSDL_EXIT_OK or an exit code with the reason in ERR. */
int down_write(down *d, int fd, char *err, size_t errlen);

/* One cell of pass 2: output column COL (kind and date field as inferred),
 * the value as jflat gave it (T is JFLAT_NULL when the record has no value
 * or a null; then V is "" and LEN 0). */
struct down_cell {
	size_t col;
	enum coltype_kind kind;
	int date_field;
	enum jflat_type t;
	const char *v;
	size_t len;
};

/* Where pass 2's rows go (down_write's is a CSV writer).  CELL is called
 * for every output column of a row in order, then END_ROW.  Both return
 * 0, -1 on an output error (errno set), and CELL -2 if the value does not
 * fit the column's type (the input changed between the passes). */
struct down_sink {
	void *ctx;
	int (*cell)(void *ctx, const struct down_cell *c);
	int (*end_row)(void *ctx);
};

/* Pass 2 into SINK (no header, nothing flushed: the sink's owner finishes
 * it).  Returns OSDL_EXIT_OK or an exit code with the reason in ERR. */
int down_write_sink(down *d, const struct down_sink *sink, char *err, size_t errlen);

/* Counters of the last pass: NDJSON bytes read, CSV bytes written, invalid
 * UTF-8 bytes replaced. */
uint64_t down_in_bytes(const down *d);
uint64_t down_out_bytes(const down *d);
uint64_t down_replaced(const down *d);

#endif
