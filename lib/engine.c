/* engine.c - engine detection and the per-engine snapshot method, see engine.h. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* Scroll everywhere: exactly-once on every engine and version, and one
	 * code path to test.  A PIT + search_after path is only safe with
	 * has_shard_doc; it would be chosen here. */
	e->method = ENGINE_SCROLL;
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

/* Index names are restricted, but encode anything unusual anyway so the
 * path can never be misread (e.g. '#' or '?'). */
static size_t put_index(const char *index, char *buf, size_t n)
{
	size_t k = 0;
	for (const unsigned char *s = (const unsigned char *)index; *s; s++) {
		int plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			    (*s >= '0' && *s <= '9') || strchr("-_.+~", *s);
		if (k + 4 > n)
			return 0;
		k += plain ? (size_t)snprintf(buf + k, n - k, "%c", *s)
			   : (size_t)snprintf(buf + k, n - k, "%%%02X", *s);
	}
	return k;
}

size_t engine_scroll_start_path(const struct engine *e, const char *index,
				const char *keep_alive, const char *filter_path,
				char *buf, size_t n)
{
	if (n < 2)
		return 0;
	buf[0] = '/';
	size_t k = put_index(index, buf + 1, n - 1);
	if (k == 0)
		return 0;
	k++;
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
