/* query.h - what is being asked of the server, apart from the chunk: the
 * time field, the user's query DSL, the _source fields and the sort mode;
 * the request bodies built from them; and their fingerprint.
 *
 * The fingerprint names the cache directory: it changes whenever the time
 * field, the canonical query, the field list or the sort mode changes, so a
 * different question never reuses a stale cache.  Whitespace in the query
 * file does not change it (the query is re-serialized minified); key order
 * does.
 */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdint.h>

typedef struct query query;

/* New query over TIME_FIELD (NULL = "@timestamp"), matching everything.
 * Returns NULL on allocation failure. */
query *query_new(const char *time_field);
void query_free(query *q); /* NULL is fine */

/* Reads a query DSL object from PATH ("-" = stdin).  Either a bare query
 * ({"term":{...}}) or a body with a "query" key ({"query":{...}}).  Returns
 * 0, or -1 with a one-line reason in ERR (unreadable, invalid JSON, not an
 * object, nested deeper than 100 levels). */
int query_load_file(query *q, const char *path, char *err, size_t errlen);
/* Same, from a string. */
int query_load_string(query *q, const char *json, char *err, size_t errlen);

/* Sets the _source fields from a comma-separated list ("a,b.c"); NULL or ""
 * means all fields.  Returns 0 or -1 (empty name, too many fields). */
int query_set_fields(query *q, const char *csv, char *err, size_t errlen);
/* The I-th field (NULL past the end), owned by Q. */
size_t query_field_count(const query *q);
const char *query_field(const query *q, size_t i);

/* sorted = 1: results ordered by the time field (default); 0: index order. */
void query_set_sorted(query *q, int sorted);
int query_sorted(const query *q);
/* The time field given to query_new() or the default, owned by Q. */
const char *query_time_field(const query *q);

/* 16 lowercase hex characters, stable across runs and machines; owned by Q,
 * valid until Q changes. */
const char *query_fingerprint(const query *q);

/* The filter for [FROM, TO) combined with the user query:
 *   {"bool":{"filter":[{"range":{TF:{"gte":FROM,"lt":TO,"format":"epoch_millis"}}}, USER]}}
 * malloc'd NUL-terminated JSON; the caller frees it.  NULL on ENOMEM. */
char *query_filter_json(const query *q, int64_t from, int64_t to);

/* The canonical (minified) user query, or NULL when it matches everything.
 * Owned by Q. */
const char *query_user_json(const query *q);

/* The "_source" value for a search body: a JSON array of the fields, or
 * "true" when all fields are wanted.  Owned by Q. */
const char *query_source_json(const query *q);

/* S as a JSON string literal ("a\"b"), malloc'd; NULL on ENOMEM. */
char *query_json_quote(const char *s);

#endif
