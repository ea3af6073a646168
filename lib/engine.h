/* engine.h - which search engine is behind OS_URL (GET /) and the one place
 * that decides, per engine and version, how a chunk is read consistently and
 * which endpoints that uses.
 *
 * Method (see docs/osfetch.1, "Why scroll"): a scroll on every engine.  A
 * scroll keeps one cursor per shard, so documents that share a sort value
 * across shards can neither be skipped nor repeated; PIT + search_after is
 * only exactly-once with a sort that is unique across shards (_shard_doc:
 * Elasticsearch >= 7.12, OpenSearch >= 3.3).  has_pit/has_shard_doc are
 * recorded so that such a path can be chosen here later.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>

#include "http.h"

enum engine_dist { ENGINE_OPENSEARCH, ENGINE_ELASTICSEARCH };
enum engine_method { ENGINE_SCROLL, ENGINE_PIT };

struct engine {
	enum engine_dist dist;
	int major, minor, patch;
	char name[64];       /* "opensearch 2.19.1", for logs and the meta file */
	int has_pit;         /* PIT API exists (OpenSearch >= 2.4, ES >= 7.10) */
	int has_shard_doc;   /* a unique cross-shard tie-breaker (ES >= 7.12, OS >= 3.3) */
	enum engine_method method; /* what osfetch uses (ENGINE_SCROLL for now) */
};

/* GET / and fills E.  Returns 0, or an osdl exit code (http_json's) with the
 * reason in RESP->err; OSDL_EXIT_SERVER also when the answer is not a search
 * engine's (no version.number). */
int engine_detect(http *h, struct engine *e, struct http_resp *resp);

/* Fills E from a version string without contacting a server (tests). */
void engine_from_version(struct engine *e, enum engine_dist dist, const char *number);

const char *engine_method_name(enum engine_method m); /* "scroll" | "pit" */

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

#endif
