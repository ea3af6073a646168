/* engine.h - which search engine is behind OS_URL (GET /) and the one place
 * that decides, per engine and version, how a chunk is read consistently and
 * which endpoints that uses.
 *
 * Method table (see docs/osfetch.1, "Snapshot method"):
 *   OpenSearch >= 3.3         pit     explicit {"_shard_doc":"asc"} (verified here)
 *   Elasticsearch >= 7.12     pit     implicit _shard_doc (x-pack; not verified here)
 *   everything else           scroll
 * A scroll keeps one cursor per shard, so documents that share a sort value
 * across shards can neither be skipped nor repeated.  PIT + search_after is
 * only exactly-once with a sort that is unique across shards, which needs
 * _shard_doc: without it (OpenSearch < 3.3, Elasticsearch < 7.12) PIT is
 * refused, even when asked for.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>

#include "http.h"

enum engine_dist { ENGINE_OPENSEARCH, ENGINE_ELASTICSEARCH };
enum engine_method { ENGINE_SCROLL, ENGINE_PIT };
/* What the user asked for (osfetch --method). */
enum engine_want { ENGINE_WANT_AUTO, ENGINE_WANT_SCROLL, ENGINE_WANT_PIT };

struct engine {
	enum engine_dist dist;
	int major, minor, patch;
	char name[64];       /* "opensearch 2.19.1", for logs and the meta file */
	int has_pit;         /* PIT API exists (OpenSearch >= 2.4, ES >= 7.10) */
	int has_shard_doc;   /* a unique cross-shard tie-breaker (ES >= 7.12, OS >= 3.3) */
	int pit_verified;    /* the PIT path was run against this engine family here */
	enum engine_method method; /* what osfetch uses: the table above, or
	                              engine_choose_method()'s result */
};

/* GET / and fills E.  Returns 0, or an osdl exit code (http_json's) with the
 * reason in RESP->err; OSDL_EXIT_SERVER also when the answer is not a search
 * engine's (no version.number). */
int engine_detect(http *h, struct engine *e, struct http_resp *resp);

/* Fills E from a version string without contacting a server (tests). */
void engine_from_version(struct engine *e, enum engine_dist dist, const char *number);

const char *engine_method_name(enum engine_method m); /* "scroll" | "pit" */

/* "auto" | "scroll" | "pit" -> enum engine_want; -1 for anything else. */
int engine_parse_want(const char *s);
/* Applies the user's choice to E->method (auto keeps the table's).  Returns
 * 0, or -1 with a one-line reason in ERR when PIT is asked for on an engine
 * without a unique cross-shard tie-breaker. */
int engine_choose_method(struct engine *e, enum engine_want w, char *err, size_t errlen);

/* Endpoints of the scroll method.  Each returns the length written, or 0 if
 * it does not fit in N bytes.  KEEP_ALIVE is a time value such as "2m".
 * FILTER_PATH (may be NULL) trims the response. */
size_t engine_scroll_start_path(const struct engine *e, const char *index,
				const char *keep_alive, const char *filter_path,
				char *buf, size_t n);
size_t engine_scroll_next_path(const struct engine *e, const char *filter_path,
			       char *buf, size_t n);
/* DELETE path for clearing scroll contexts; body from engine_scroll_clear_body. */
const char *engine_scroll_clear_path(const struct engine *e);

/* Bodies: malloc'd JSON, caller frees; NULL on ENOMEM. */
char *engine_scroll_next_body(const struct engine *e, const char *keep_alive,
			      const char *scroll_id);
char *engine_scroll_clear_body(const struct engine *e, const char *scroll_id);

/* Endpoints of the PIT method (same return conventions).
 * Open: POST to engine_pit_open_path; the id is the response's
 * engine_pit_id_key member.  Pages: POST engine_pit_search_path (no index:
 * the PIT names it) with engine_pit_member() in the body.  Close: DELETE
 * engine_pit_close_path with engine_pit_close_body. */
size_t engine_pit_open_path(const struct engine *e, const char *index,
			    const char *keep_alive, char *buf, size_t n);
const char *engine_pit_id_key(const struct engine *e); /* "pit_id" | "id" */
size_t engine_pit_search_path(const struct engine *e, const char *filter_path,
			      char *buf, size_t n);
/* ,"pit":{"id":..,"keep_alive":..} member text (leading comma), malloc'd. */
char *engine_pit_member(const struct engine *e, const char *pit_id, const char *keep_alive);
/* The sort array of a PIT page: [{TF:asc},{"_shard_doc":"asc"}] (SORTED) or
 * ["_shard_doc"]; TF_JSON is the quoted time field.  Elasticsearch adds
 * _shard_doc itself to a time sort. */
size_t engine_pit_sort(const struct engine *e, const char *tf_json, int sorted,
		       char *buf, size_t n);
const char *engine_pit_close_path(const struct engine *e);
char *engine_pit_close_body(const struct engine *e, const char *pit_id);

#endif
