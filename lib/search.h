/* search.h - streaming parser of search and scroll responses.
 *
 * Bytes are fed as they arrive from the network; each hit is handed on as
 * one NDJSON line {"_id":..,"_index":.., <_source members>} as soon as its
 * object closes.  The _source members are the response's own bytes (found
 * with yajl_get_bytes_consumed(), joined across network buffers), not
 * re-generated JSON: raw CR/LF bytes in them can only be insignificant
 * whitespace and become spaces, so a line is always one document.
 *
 * Memory: one document (the largest _source seen, capped by max_doc) plus
 * fixed buffers, whatever the page or chunk size.
 *
 * Also collected per response: the scroll id / PIT id (newest), hits.total
 * (value and whether the relation is "eq"), the number of hits, the
 * _shards.failed count with the first failure's type and reason, timed_out,
 * an error object if the body is one, and the last hit's "sort" array as the
 * response's raw JSON text (the search_after of the next page: numbers are
 * never converted, _shard_doc values exceed 2^53; only the last hit's is
 * kept, at most 64 KiB).
 */
#ifndef SEARCH_H
#define SEARCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct search_parser search_parser;

/* Receives one document line in two parts: PREFIX is {"_id":..,"_index":..
 * (and a comma if members follow), BODY the _source members, "}" and "\n".
 * Returns 0, or non-zero to stop parsing (e.g. a write error). */
typedef int (*search_emit)(const char *prefix, size_t plen, const char *body,
			   size_t blen, void *ud);

/* What one response said; valid after search_finish() (and partly during). */
struct search_result {
	const char *scroll_id;   /* _scroll_id or pit_id, NULL if none; owned by the parser */
	int64_t total;           /* hits.total.value (or plain number), -1 if absent */
	int total_eq;            /* relation "eq" (or a plain number) */
	uint64_t hits;           /* hits in this response */
	int64_t shards_failed;   /* _shards.failed, 0 if absent */
	int timed_out;           /* "timed_out": true */
	const char *fail_type;   /* first shard failure's / error's type, "" if none */
	const char *fail_reason; /* ... and reason, "" if none */
	int is_error;            /* the body was an {"error":..} object */
	const char *last_sort;   /* last hit's raw "sort" array text ("[..]"),
	                            NUL-terminated, NULL if none; owned by the parser */
	size_t last_sort_len;
};

/* MAX_DOC caps one _source (0: 256 MiB).  NULL on ENOMEM. */
search_parser *search_new(search_emit emit, void *ud, size_t max_doc);
void search_free(search_parser *p); /* NULL is fine */

/* Starts a new response (keeps the buffers).  Returns 0 or -1 (ENOMEM). */
int search_reset(search_parser *p);
/* Feeds N bytes.  Returns 0, or -1 with a one-line reason in ERR (errbuf.h):
 * invalid JSON, a document over max_doc, ENOMEM; or -1 with ERR left as the
 * emit callback left it when the callback stopped the parse (only the
 * callback knows why; search_emit_failed() tells that case apart). */
int search_feed(search_parser *p, const char *buf, size_t n, char *err, size_t errlen);
/* Ends the response.  Returns 0 if it was one complete JSON value, else -1
 * with the reason in ERR: a truncated response, or why a check (a document
 * over max_doc, ...) stopped the parse. */
int search_finish(search_parser *p, char *err, size_t errlen);

/* The parsed result: owned by P, valid until the next search_reset() or
 * search_free(). */
const struct search_result *search_result(const search_parser *p);
int search_emit_failed(const search_parser *p); /* 1 if emit returned non-zero */
size_t search_max_doc_seen(const search_parser *p); /* bytes of the largest _source */

/* Writes S (LEN bytes) as a JSON string with quotes into BUF (N bytes, at
 * least 6*LEN+3 for any input).  Returns the length written (NUL-terminated),
 * or 0 if it does not fit. */
size_t search_json_quote(char *buf, size_t n, const char *s, size_t len);

#endif
