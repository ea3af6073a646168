/* colstats.h - per-column statistics of NDJSON lines, exactly what osdown's
 * first pass learns (lib/jflat leaves, lib/coltype states), in a form that
 * can be saved as JSON, read back and merged: osfetch records them for each
 * chunk in its .meta sidecar, and the schema of many chunks is then a
 * reduce over those (milliseconds, no data read) instead of a pass.
 *
 * Columns are kept in first-seen order.  Lines may come with their sort
 * keys (the time value and _id, as osfetch's local sort hands them on):
 * then each column also records where it was first seen (time, _id, the
 * leaf's place in the row), and merged statistics put their columns in
 * that order, which is the first-seen order of one pass over the chunks
 * merged by time then _id, whatever the slicing or the order the chunks
 * are merged in.  Without keys (any line or chunk), merging appends the
 * columns new to the result in their own order: the order of a pass over
 * the inputs concatenated in merge order.  Types are decided by coltype from the merged states, so a merge
 * of chunks' statistics types every column as one pass over all their
 * lines would (the category dictionary is kept up to the category cap).
 *
 * JSON form (the "colstats" member of an osfetch .meta, one line):
 *   {"format":"osdl-colstats/1","rows":N,"category_max":N,
 *    "category_bytes":N,"keyed":true,"exact":true,
 *    "columns":[{"name":"geo.lat","type":"float64","present":N,"values":N,
 *      "null":false,"empty":false,"max_len":N,"bool":false,"num":true,
 *      "str":false,"arr":false,"int":false,"f64":true,"f32":false,
 *      "ts":false,"neg":false,"min":0,"max":0,
 *      "first":{"t":"\"2024-03-01T00:00:00.000Z\"","id":"x","leaf":3},
 *      "cat":["a","b"] or null}, ...]}
 * present: rows that have the column; values: non-null values (each
 * occurrence); null/empty: an explicit null / an empty string was seen;
 * max_len: longest value text in bytes; bool..max: the coltype state;
 * cat: the dictionary, null once the column cannot be a category; type:
 * this chunk's own type (informational); first (only when keyed): the time
 * value's JSON text, the _id and the leaf number (1-based) in the row where
 * the column was first seen.  "exact" is false (and columns
 * empty) when a name or dictionary value is not valid UTF-8 or holds a NUL
 * byte, which this form does not carry byte for byte: such statistics
 * cannot be merged (osdown falls back to reading the data).
 *
 * Memory: per column a fixed state plus its dictionary (coltype.h).
 */
#ifndef COLSTATS_H
#define COLSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "coltype.h"
#include "jkey.h"

/* osdown's default --category-max, and what osfetch records with. */
#define COLSTATS_CATEGORY_MAX 1000

typedef struct colstats colstats;

/* Empty statistics with a dictionary cap of CATEGORY_MAX values.  NULL on
 * ENOMEM. */
colstats *colstats_new(size_t category_max);
void colstats_free(colstats *s); /* NULL is fine */

/* Accounts for one NDJSON line (LEN bytes, no newline; blank lines are
 * skipped as osdown skips them).  KEYS: the line's time value and _id
 * (chunksort_emit's), or NULL, which makes the statistics unkeyed.  Lines
 * must come in key order.  Returns 0, or -1 with a one-line reason in ERR
 * (errbuf.h): invalid JSON, not a JSON object, or ENOMEM. */
int colstats_add_line(colstats *s, const char *line, size_t len, const jkey_val *keys,
                      char *err, size_t errlen);

/* The JSON form above, malloc'd and NUL-terminated (*LEN bytes); the
 * caller frees it.  NULL on ENOMEM. */
char *colstats_json(const colstats *s, size_t *len);

/* Merges the statistics of the JSON text (the colstats object itself, or
 * an object with a "colstats" member such as a .meta line) into S.
 * Returns 0, or -1 with a one-line reason in ERR: invalid JSON, no
 * statistics, another format, statistics that are not exact, a smaller
 * category cap than S's, ENOMEM. */
int colstats_merge_json(colstats *s, const char *json, char *err, size_t errlen);

/* colstats_merge_json() of the file PATH (a chunk's NAME.meta).  Same
 * returns; an unreadable file's reason names it (errno set). */
int colstats_merge_file(colstats *s, const char *path, char *err, size_t errlen);

/* Rows accounted for, and the columns in first-seen order. */
uint64_t colstats_rows(const colstats *s);
size_t colstats_ncols(const colstats *s);
struct colstats_col {
	const char *name;  /* owned by S */
	size_t name_len;
	enum coltype_kind kind;
	int nullable;      /* some row has no value (missing or null) */
	int has_empty;
	uint64_t values;
	size_t distinct;
	size_t max_len;
};
void colstats_col(const colstats *s, size_t i, struct colstats_col *c);
/* The index of the column NAME, or -1. */
long colstats_find(const colstats *s, const char *name, size_t len);

#endif
