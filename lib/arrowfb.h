/* arrowfb.h - an Arrow IPC Schema message (Arrow's Message.fbs/Schema.fbs
 * in the flatbuffers encoding), base64'd as Parquet writers store it under
 * the footer key "ARROW:schema".
 *
 * Arrow readers (pyarrow, so pandas.read_parquet) take from it what Parquet
 * types cannot say, here that a string column is an Arrow dictionary,
 * which pandas loads as a category.  The other types must be the ones the
 * Parquet schema implies: readers compare the two.
 *
 * Only what osdown writes: flat fields of bool, signed or unsigned ints of
 * 8..64 bits, float32/64, timestamp[ms, UTC] and utf8, the latter plain or
 * dictionary<int32, utf8> (dictionary ids 0, 1, ... in field order).
 */
#ifndef ARROWFB_H
#define ARROWFB_H

#include <stddef.h>

enum arrowfb_type {
	ARROWFB_BOOL,
	ARROWFB_INT,          /* bits, is_signed */
	ARROWFB_FLOAT,        /* bits 32 or 64 */
	ARROWFB_TIMESTAMP_MS, /* UTC */
	ARROWFB_UTF8          /* dictionary: dictionary<int32, utf8> */
};

struct arrowfb_field {
	const char *name;   /* UTF-8 */
	size_t name_len;
	enum arrowfb_type type;
	int bits;
	int is_signed;
	int nullable;
	int dictionary;
};

/* The schema of the N fields F, with the schema metadata KV (key, value,
 * ..., NULL; may be NULL), as the base64 of an encapsulated IPC message
 * (continuation marker, length, flatbuffer), NUL-terminated and malloc'd
 * for the caller to free.  NULL on allocation failure.  (pyarrow takes a
 * table's metadata, such as "pandas", from here when the key is present.) */
char *arrowfb_schema_base64(const struct arrowfb_field *f, size_t n, const char *const *kv);

#endif
