/* jkey.h - sort keys of NDJSON lines: extraction by dotted path and typed
 * comparison.
 *
 * One pass over a line both validates it (RFC 8259 JSON, top level an
 * object, UTF-8 checked) and picks out the values of up to JKEY_MAX paths.
 * A dotted path "a.b.c" reaches nested objects ({"a":{"b":{"c":1}}}) and
 * also members whose names contain dots ({"a.b":{"c":1}}, {"a.b.c":1}), as
 * OpenSearch _source allows both.  The first occurrence of a duplicate
 * member wins.
 *
 * Values point into the line (no copies, no allocation): they are valid only
 * while the line is.  jkey_copy() makes them independent of it.
 *
 * Comparison of one key, ascending:
 *   - missing members and JSON null sort first or last (jkey_spec.missing_last)
 *     whatever the direction;
 *   - other values sort by type: false < true < numbers < dates < strings <
 *     arrays and objects;
 *   - numbers numerically and exactly (big integers and decimals never go
 *     through double);
 *   - strings that are ISO-8601 instants (tspan_parse_time, starting
 *     "YYYY-MM-DD") chronologically, time zones honoured, sub-millisecond
 *     digits compared too; equal instants written differently are equal;
 *   - other strings bytewise on their unescaped UTF-8 bytes;
 *   - arrays and objects bytewise on their raw text.
 */
#ifndef JKEY_H
#define JKEY_H

#include <stddef.h>
#include <stdint.h>

#define JKEY_MAX 16 /* paths per spec, including the _id path */

enum jkey_type {
	JKEY_MISSING = 0, /* absent or null */
	JKEY_FALSE,
	JKEY_TRUE,
	JKEY_NUM,
	JKEY_DATE,
	JKEY_STR,
	JKEY_RAW          /* array or object */
};

#define JKEY_F_INT   1 /* JKEY_NUM: integer that fits in i */
#define JKEY_F_ESC   2 /* JKEY_STR: text contains backslash escapes */
#define JKEY_F_SUBMS 4 /* JKEY_DATE: digits finer than milliseconds, not all 0 */

/* One extracted value.  p/len: string contents without quotes (JKEY_STR,
 * JKEY_DATE), number text (JKEY_NUM) or raw text (JKEY_RAW). */
typedef struct jkey_val {
	const char *p;
	uint32_t len;
	uint8_t type;
	uint8_t flags;
	int64_t i; /* JKEY_NUM with JKEY_F_INT: the value; JKEY_DATE: epoch ms */
} jkey_val;

/* The parsed -k options.  Fill with jkey_spec_add(); plain struct, no free. */
typedef struct jkey_spec {
	int n;                    /* number of sort keys */
	int with_id;              /* also extract top-level "_id" as val[n] */
	int missing_last;         /* missing values sort after all others */
	int desc[JKEY_MAX];
	char path[JKEY_MAX][256];
} jkey_spec;

/* Adds "FIELD" or "FIELD:asc" / "FIELD:desc".  Returns 0, or -1 if the
 * argument is empty, too long, has an unknown direction, or the spec is
 * full. */
int jkey_spec_add(jkey_spec *ks, const char *arg);
/* Number of values jkey_extract() fills: n, plus one with with_id. */
int jkey_nvals(const jkey_spec *ks);

/* Result of jkey_extract(). */
enum jkey_status {
	JKEY_OK = 0,
	JKEY_ERR_JSON = -1,      /* not valid JSON */
	JKEY_ERR_NOT_OBJECT = -2,/* valid JSON but not an object */
	JKEY_ERR_EMPTY = -3,     /* empty or blank line */
	JKEY_ERR_DEPTH = -4      /* nested deeper than OSDL_MAX_DEPTH */
};

/* Validates LINE (LEN bytes, need not be NUL-terminated) and fills
 * vals[0 .. jkey_nvals(ks)-1].  Returns JKEY_OK, or a jkey_status error
 * (callers branch on the kind) with the reason in ERR: "invalid JSON at
 * byte N" (N counted from 1), "not a JSON object", "empty line" or "JSON
 * nested deeper than N levels".  The reason is formatted only on failure,
 * so a valid line costs nothing extra; pass NULL, 0 to skip it. */
int jkey_extract(const jkey_spec *ks, const char *line, size_t len,
		 jkey_val *vals, char *err, size_t errlen);

/* Compares the sort keys (vals[0 .. n-1]) of A and B with the directions and
 * missing placement of KS.  Returns <0, 0 or >0. */
int jkey_cmp(const jkey_spec *ks, const jkey_val *a, const jkey_val *b);
/* One ascending value comparison, missing placed per MISSING_LAST. */
int jkey_cmp_val(const jkey_val *a, const jkey_val *b, int missing_last);
/* Bytewise equality of two values' raw contents (for _id). */
int jkey_same_text(const jkey_val *a, const jkey_val *b);

/* Bytes jkey_copy() needs for these N values. */
size_t jkey_copy_size(const jkey_val *vals, int n);
/* Copies N values into DST with their text in BUF (at least
 * jkey_copy_size() bytes), so they outlive the line. */
void jkey_copy(jkey_val *dst, const jkey_val *src, int n, char *buf);

/* Writes a short printable form of V ("2024-03-01T00:00:00Z", "42",
 * "(missing)") into BUF, truncated to N bytes.  For error messages. */
void jkey_format(const jkey_val *v, char *buf, size_t n);

#endif
