/* jflat.h - flattens one NDJSON object line into (column, type, value) leaves.
 *
 * Nested objects become dotted column names: {"geo":{"lat":1}} gives the leaf
 * "geo.lat".  An empty object gives no leaf.  An array is one leaf holding
 * its JSON text exactly as it appears in the line (JFLAT_ARRAY), or, when an
 * array separator is set and every element is a scalar, the elements joined
 * with it (strings decoded, numbers as written, true/false, null as nothing).
 * A key that contains '.' is not escaped, so {"a.b":1} and {"a":{"b":1}} name
 * the same column; the caller decides what a repeated name in one line means.
 *
 * Strings are decoded (escapes resolved, "\u0000" becomes a NUL byte, so use
 * the lengths); their bytes are not UTF-8 validated here: the CSV writer
 * decides what to do with invalid UTF-8.  Numbers are passed as their JSON
 * text, untouched.
 */
#ifndef JFLAT_H
#define JFLAT_H

#include <stddef.h>

enum jflat_type {
	JFLAT_NULL = 0,  /* value "" */
	JFLAT_BOOL = 1,  /* "true" or "false" */
	JFLAT_NUMBER = 2,/* the JSON number text */
	JFLAT_STRING = 3,/* decoded bytes */
	JFLAT_ARRAY = 4  /* JSON text, or the joined elements */
};

enum jflat_status {
	JFLAT_OK = 0,
	JFLAT_ERR_JSON = -1,   /* not valid JSON */
	JFLAT_ERR_NOTOBJ = -2, /* valid JSON but not an object */
	JFLAT_ERR_NOMEM = -3,
	JFLAT_ERR_STOP = -4    /* the callback returned non-zero */
};

/* Called once per leaf.  NAME (NAME_LEN bytes, NUL-terminated) and VAL (LEN
 * bytes, not necessarily NUL-terminated) are valid only during the call.
 * Returning non-zero stops the line with JFLAT_ERR_STOP. */
typedef int (*jflat_fn)(void *ctx, const char *name, size_t name_len,
                        enum jflat_type type, const char *val, size_t len);

typedef struct jflat jflat;

/* A flattener.  ARRAY_SEP NULL keeps arrays as JSON text; otherwise it is
 * copied.  Returns NULL on allocation failure. */
jflat *jflat_new(const char *array_sep);
void jflat_free(jflat *f); /* NULL is fine */

/* Parses LINE (LEN bytes, one JSON text) and calls FN for each leaf in
 * document order.  Returns JFLAT_OK or a jflat_status error with the reason
 * in ERR (errbuf.h), except JFLAT_ERR_STOP, which leaves ERR alone: the
 * callback's owner knows why it stopped.  Leaves seen before an error have
 * already been passed to FN. */
int jflat_line(jflat *f, const char *line, size_t len, jflat_fn fn, void *ctx,
               char *err, size_t errlen);

#endif
