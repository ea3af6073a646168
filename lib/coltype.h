/* coltype.h - per-column type inference for typed CSV, and the value
 * normalisation that goes with it.
 *
 * A column's state sees every non-null value once (pass 1) and then names
 * the narrowest type that holds all of them without changing any:
 *
 *   bool        only true/false
 *   int8..int64 only integers (JSON numbers whose decimal value is integral:
 *               1, -7, 1.0, 2.5e1), by the range seen
 *   uint64      only integers, some above INT64_MAX, none negative
 *   float32     only numbers, each exactly a float (strtod then (float)
 *               loses nothing) and the shortest float32 text of it reads
 *               back as the same double, so printing the float shows the
 *               value that was in the JSON
 *   float64     only numbers, each a finite normal-range double; integers
 *               only if exactly representable (|v| <= 2^53 or so)
 *   timestamp   only strings that are ISO-8601 instants with a zone or a
 *               date (YYYY-MM-DD...), millisecond precision at most, years
 *               1..9999; in a date field also epoch milliseconds (numbers
 *               or digit strings)
 *   category    only strings (arrays count as strings), at most
 *               category_max distinct values and category_bytes of them,
 *               each value seen at least twice on average
 *   string      anything else (mixed JSON types, numbers that no numeric
 *               type holds exactly); values are written as their text
 *
 * So types widen int -> float -> string rather than lose a value.  Memory is
 * bounded: a fixed struct per column plus, while the column can still be a
 * category, a dictionary of at most category_max values and category_bytes
 * bytes; it is freed as soon as the column cannot be a category.
 */
#ifndef COLTYPE_H
#define COLTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "jflat.h"

enum coltype_kind {
	COLTYPE_STRING = 0,
	COLTYPE_CATEGORY,
	COLTYPE_TIMESTAMP,
	COLTYPE_BOOL,
	COLTYPE_INT8,
	COLTYPE_INT16,
	COLTYPE_INT32,
	COLTYPE_INT64,
	COLTYPE_UINT64,
	COLTYPE_FLOAT32,
	COLTYPE_FLOAT64
};

struct coltype_opts {
	size_t category_max;   /* distinct values; 0: never a category */
	size_t category_bytes; /* bytes of the distinct values; 0: 256 KiB */
	int date_field;        /* epoch milliseconds are timestamps too */
};

/* Longest text coltype_format() produces from a normalised value. */
#define COLTYPE_FMT_MAX 48

typedef struct coltype coltype;

/* A fresh column state (options copied).  NULL on allocation failure. */
coltype *coltype_new(const struct coltype_opts *opts);
void coltype_free(coltype *c); /* NULL is fine */

/* Accounts for one value of JSON type T (text V, LEN bytes, as jflat gives
 * it); JFLAT_NULL counts as a null.  Returns 0, or -1 on allocation failure
 * (the state stays usable: the column just cannot become a category). */
int coltype_add(coltype *c, enum jflat_type t, const char *v, size_t len);

/* The type that holds every value added so far. */
enum coltype_kind coltype_kind(const coltype *c);
/* Non-null values added, and whether an explicit null or an empty string
 * was among them (pandas cannot tell "" from a null in one column). */
uint64_t coltype_values(const coltype *c);
int coltype_has_null(const coltype *c);
int coltype_has_empty(const coltype *c);
/* Distinct values in the dictionary (0 if it was dropped). */
size_t coltype_distinct(const coltype *c);

/* Names: "int32", pandas dtype ("Int32" when nullable, "int32" when not),
 * DuckDB type ("INTEGER"). */
const char *coltype_name(enum coltype_kind k);
const char *coltype_pandas(enum coltype_kind k, int nullable);
const char *coltype_duckdb(enum coltype_kind k);
/* Parses a name back ("int32"); -1 if unknown. */
int coltype_from_name(const char *name);

/* The CSV text of a non-null value of JSON type T in a column of kind K:
 * integers in canonical decimal ("1.0" -> "1", "-0" -> "0"), timestamps as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC), everything else as given.  *OUT points
 * at V or at BUF (COLTYPE_FMT_MAX bytes).  Returns 0, or -1 if the value does
 * not fit K (the input changed since it was inferred). */
int coltype_format(enum coltype_kind k, int date_field, enum jflat_type t,
                   const char *v, size_t len, char *buf,
                   const char **out, size_t *out_len);

/* 1 if a non-null value of JSON type T fits kind K as inference decides it
 * (the value alone would not widen a column of kind K): integers in range,
 * floats exact, timestamps valid, bools bool, categories strings or arrays,
 * anything for a string.  For writing with a given schema. */
int coltype_holds(enum coltype_kind k, int date_field, enum jflat_type t,
                  const char *v, size_t len);

/* What a column state knows, for saving it and merging states of columns
 * that saw different values (the statistics of chunks, colstats.h).  The
 * dictionary goes separately: coltype_dict_next(), coltype_merge_value(). */
struct coltype_state {
	uint64_t values;
	int has_null, has_empty, saw_bool, saw_num, saw_str, saw_arr;
	int all_int, f64_ok, f32_ok, has_neg, ts_ok, cat_ok;
	int64_t min_neg;   /* with has_neg */
	uint64_t max_pos;
};
void coltype_get_state(const coltype *c, struct coltype_state *s);
/* Merges S into C as if C had also seen the values behind S, except their
 * dictionary: add it with coltype_merge_value() afterwards. */
void coltype_merge_state(coltype *c, const struct coltype_state *s);
/* Adds one dictionary value of a merged state (dropping the dictionary
 * past the caps, as coltype_add does).  Returns 0 or -1 on ENOMEM. */
int coltype_merge_value(coltype *c, const char *v, size_t len);
/* Iterates the dictionary (empty once dropped): start with *POS = 0;
 * returns 1 with the next value in *V, *LEN (owned by C), 0 at the end. */
int coltype_dict_next(const coltype *c, size_t *pos, const char **v, size_t *len);

/* The value of a non-null value of JSON type T in a column of kind K, for
 * typed outputs (Parquet): int8..int64 and timestamps (epoch ms) in I,
 * uint64 in U, bools as 0/1 in I, floats in D (float32 columns: exactly a
 * float).  Strings and categories have nothing to convert (0, nothing
 * set).  Returns 0, or -1 if the value does not fit K (the input changed
 * since it was inferred). */
struct coltype_num {
	int64_t i;
	uint64_t u;
	double d;
};
int coltype_number(enum coltype_kind k, int date_field, enum jflat_type t,
                   const char *v, size_t len, struct coltype_num *out);

/* Exact integer value of the JSON number text S: 1 and sign/magnitude if
 * it is integral and |v| <= UINT64_MAX, else 0. */
int coltype_parse_int(const char *s, size_t len, int *neg, uint64_t *mag);
/* 1 if the finite double D (parsed from a JSON number) is exactly a float
 * and the shortest float32 text of it parses back to D. */
int coltype_float32_exact(double d);

#endif
