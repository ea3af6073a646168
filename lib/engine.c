/* engine.c - engine detection and the per-engine snapshot method, see engine.h. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "osdl.h"
#include "search.h"

void engine_from_version(struct engine *e, enum engine_dist dist, const char *number)
{
	memset(e, 0, sizeof *e);
	e->dist = dist;
	sscanf(number, "%d.%d.%d", &e->major, &e->minor, &e->patch);
	snprintf(e->name, sizeof e->name, "%s %s",
		 dist == ENGINE_OPENSEARCH ? "opensearch" : "elasticsearch", number);
	int v = e->major * 100 + e->minor;
	if (dist == ENGINE_OPENSEARCH) {
		e->has_pit = v >= 204;
		e->has_shard_doc = v >= 303;
	} else {
		e->has_pit = v >= 710;
		e->has_shard_doc = v >= 712;
	}
	/* The method table (engine.h).  PIT only where a unique cross-shard
	 * tie-breaker exists: search_after over [time, _doc] skips documents
	 * that share a timestamp across shards.  Elasticsearch's PIT lives in
	 * x-pack (every distribution from 7.11 on); it was not run here, so
	 * auto keeps the proven scroll there and --method pit opts in. */
	e->pit_verified = dist == ENGINE_OPENSEARCH;
	e->method = e->has_pit && e->has_shard_doc && e->pit_verified ? ENGINE_PIT : ENGINE_SCROLL;
}

int engine_parse_want(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return ENGINE_WANT_AUTO;
	if (strcmp(s, "scroll") == 0)
		return ENGINE_WANT_SCROLL;
	if (strcmp(s, "pit") == 0)
		return ENGINE_WANT_PIT;
	return -1;
}

int engine_choose_method(struct engine *e, enum engine_want w, char *err, size_t errlen)
{
	if (w == ENGINE_WANT_SCROLL) {
		e->method = ENGINE_SCROLL;
	} else if (w == ENGINE_WANT_PIT) {
		if (!e->has_pit || !e->has_shard_doc) {
			return errbuf_fail(err, errlen, -1, "--method pit: %s has %s, so search_after would skip "
				           "documents that share a timestamp across shards (needs OpenSearch >= 3.3 "
				           "or Elasticsearch >= 7.12); use --method scroll or auto",
				           e->name, e->has_pit ? "point in time but no _shard_doc tie-breaker"
						               : "no point in time and no _shard_doc tie-breaker");
		}
		e->method = ENGINE_PIT;
	}
	return 0;
}

int engine_detect(http *h, struct engine *e, struct http_resp *resp)
{
	yajl_val root = NULL;
	int rc = http_json(h, "GET", "/", NULL, &root, resp);
	if (rc != 0)
		return rc;
	const char *pn[] = { "version", "number", NULL };
	const char *pd[] = { "version", "distribution", NULL };
	yajl_val num = yajl_tree_get(root, pn, yajl_t_string);
	yajl_val dist = yajl_tree_get(root, pd, yajl_t_string);
	const char *ns = num ? YAJL_GET_STRING(num) : NULL;
	const char *ds = dist ? YAJL_GET_STRING(dist) : NULL;
	if (!ns) {
		snprintf(resp->err, sizeof resp->err,
			 "%s does not look like OpenSearch or Elasticsearch (no version.number in GET /)",
			 http_base_url(h));
		rc = OSDL_EXIT_SERVER;
		goto out;
	}
	engine_from_version(e, ds && strcmp(ds, "opensearch") == 0 ? ENGINE_OPENSEARCH
								   : ENGINE_ELASTICSEARCH, ns);
out:
	yajl_tree_free(root);
	return rc;
}

const char *engine_method_name(enum engine_method m)
{
	return m == ENGINE_PIT ? "pit" : "scroll";
}

/* "/INDEX" into BUF: index names are restricted, but anything unusual is
 * encoded anyway so the path can never be misread (e.g. '#' or '?').
 * Returns its length, or 0 if it does not fit. */
static size_t put_index(const char *index, char *buf, size_t n)
{
	size_t k = 1;
	if (n < 2)
		return 0;
	buf[0] = '/';
	for (const unsigned char *s = (const unsigned char *)index; *s; s++) {
		int plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			    (*s >= '0' && *s <= '9') || strchr("-_.+~", *s);
		if (k + 4 > n)
			return 0;
		k += plain ? (size_t)snprintf(buf + k, n - k, "%c", *s)
			   : (size_t)snprintf(buf + k, n - k, "%%%02X", *s);
	}
	return k > 1 ? k : 0; /* no name: no path */
}

size_t engine_scroll_start_path(const struct engine *e, const char *index,
				const char *keep_alive, const char *filter_path,
				char *buf, size_t n)
{
	size_t k = put_index(index, buf, n);
	if (k == 0)
		return 0;
	int m = snprintf(buf + k, n - k, "/_search?scroll=%s%s%s", keep_alive,
			 filter_path ? "&filter_path=" : "", filter_path ? filter_path : "");
	return m < 0 || (size_t)m >= n - k ? 0 : k + (size_t)m;
}

size_t engine_scroll_next_path(const struct engine *e, const char *filter_path,
			       char *buf, size_t n)
{
	int m = snprintf(buf, n, "/_search/scroll%s%s", filter_path ? "?filter_path=" : "",
			 filter_path ? filter_path : "");
	return m < 0 || (size_t)m >= n ? 0 : (size_t)m;
}

const char *engine_scroll_clear_path(const struct engine *e) { return "/_search/scroll"; }

char *engine_scroll_next_body(const struct engine *e, const char *keep_alive,
			      const char *scroll_id)
{
	size_t n = strlen(scroll_id) * 6 + strlen(keep_alive) + 64;
	char *b = malloc(n);
	if (!b)
		return NULL;
	size_t k = (size_t)snprintf(b, n, "{\"scroll\":\"%s\",\"scroll_id\":", keep_alive);
	k += search_json_quote(b + k, n - k, scroll_id, strlen(scroll_id));
	snprintf(b + k, n - k, "}");
	return b;
}

char *engine_scroll_clear_body(const struct engine *e, const char *scroll_id)
{
	size_t n = strlen(scroll_id) * 6 + 64;
	char *b = malloc(n);
	if (!b)
		return NULL;
	size_t k = (size_t)snprintf(b, n, "{\"scroll_id\":[");
	k += search_json_quote(b + k, n - k, scroll_id, strlen(scroll_id));
	snprintf(b + k, n - k, "]}");
	return b;
}

size_t engine_pit_open_path(const struct engine *e, const char *index,
			    const char *keep_alive, char *buf, size_t n)
{
	size_t k = put_index(index, buf, n);
	if (k == 0)
		return 0;
	int m = snprintf(buf + k, n - k, "%s?keep_alive=%s",
			 e->dist == ENGINE_OPENSEARCH ? "/_search/point_in_time" : "/_pit", keep_alive);
	return m < 0 || (size_t)m >= n - k ? 0 : k + (size_t)m;
}

const char *engine_pit_id_key(const struct engine *e)
{
	return e->dist == ENGINE_OPENSEARCH ? "pit_id" : "id";
}

size_t engine_pit_search_path(const struct engine *e, const char *filter_path,
			      char *buf, size_t n)
{
	int m = snprintf(buf, n, "/_search%s%s", filter_path ? "?filter_path=" : "",
			 filter_path ? filter_path : "");
	return m < 0 || (size_t)m >= n ? 0 : (size_t)m;
}

char *engine_pit_member(const struct engine *e, const char *pit_id, const char *keep_alive)
{
	size_t n = strlen(pit_id) * 6 + strlen(keep_alive) + 64;
	char *b = malloc(n);
	if (!b)
		return NULL;
	size_t k = (size_t)snprintf(b, n, ",\"pit\":{\"id\":");
	k += search_json_quote(b + k, n - k, pit_id, strlen(pit_id));
	snprintf(b + k, n - k, ",\"keep_alive\":\"%s\"}", keep_alive);
	return b;
}

size_t engine_pit_sort(const struct engine *e, const char *tf_json, int sorted,
		       char *buf, size_t n)
{
	int m;
	if (!sorted)
		m = snprintf(buf, n, "[\"_shard_doc\"]");
	else if (e->dist == ENGINE_OPENSEARCH) /* OpenSearch 3.3: explicit, never implied */
		m = snprintf(buf, n, "[{%s:{\"order\":\"asc\",\"unmapped_type\":\"date\"}},"
			     "{\"_shard_doc\":\"asc\"}]", tf_json);
	else /* Elasticsearch appends _shard_doc to every PIT sort itself */
		m = snprintf(buf, n, "[{%s:{\"order\":\"asc\",\"unmapped_type\":\"date\"}}]", tf_json);
	return m < 0 || (size_t)m >= n ? 0 : (size_t)m;
}

const char *engine_pit_close_path(const struct engine *e)
{
	return e->dist == ENGINE_OPENSEARCH ? "/_search/point_in_time" : "/_pit";
}

char *engine_pit_close_body(const struct engine *e, const char *pit_id)
{
	size_t n = strlen(pit_id) * 6 + 64;
	char *b = malloc(n);
	if (!b)
		return NULL;
	int os = e->dist == ENGINE_OPENSEARCH;
	size_t k = (size_t)snprintf(b, n, os ? "{\"pit_id\":[" : "{\"id\":");
	k += search_json_quote(b + k, n - k, pit_id, strlen(pit_id));
	snprintf(b + k, n - k, os ? "]}" : "}");
	return b;
}
