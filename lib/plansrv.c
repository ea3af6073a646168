/* plansrv.c - planning questions asked of the server: what indexes exist,
 * which fields they have, how many documents lie where. */
#include "plansrv.h"

#include "osdl.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "esc.h"
#include <yajl/yajl_tree.h>

#define HIST_BUCKETS 1000 /* per request; far below search.max_buckets (65535) */

struct group { /* an alias or data stream and its indexes */
	char *name;
	char **members;
	size_t n;
};

struct plansrv_names {
	char **indices;
	size_t ni;
	struct group *groups;
	size_t ng;
};

/* The request failed: RC from http_json, with the server's reason. */
static int req_fail(char *err, size_t errlen, int rc, const char *what,
		    const struct http_resp *resp)
{
	return errbuf_fail(err, errlen, rc, "%s: %s", what, resp->err[0] ? resp->err : "request failed");
}

/* EXPR into PATH-safe form: anything but the characters index expressions
 * normally use is percent-encoded. */
static void url_part(const char *s, char *buf, size_t n)
{
	size_t o = 0;
	for (; *s && o + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("._-*,@", c))
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, n - o, "%%%02X", c);
	}
	buf[o] = 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void plansrv_names_free(plansrv_names *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ni; i++)
		free(r->indices[i]);
	free(r->indices);
	for (size_t i = 0; i < r->ng; i++) {
		for (size_t k = 0; k < r->groups[i].n; k++)
			free(r->groups[i].members[k]);
		free(r->groups[i].members);
		free(r->groups[i].name);
	}
	free(r->groups);
	free(r);
}

/* Copies the strings of array A into a malloc'd list.  -1 on ENOMEM. */
static int strings(yajl_val a, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!YAJL_IS_ARRAY(a) || a->u.array.len == 0)
		return 0;
	char **l = calloc(a->u.array.len, sizeof *l);
	if (!l)
		return -1;
	*out = l;
	for (size_t i = 0; i < a->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(a->u.array.values[i]);
		if (s && !(l[(*n)++] = strdup(s)))
			return -1;
	}
	return 0;
}

static int add_groups(plansrv_names *r, yajl_val list, const char *key)
{
	static const char *name_path[] = { "name", NULL };
	if (!YAJL_IS_ARRAY(list))
		return 0;
	for (size_t i = 0; i < list->u.array.len; i++) {
		yajl_val g = list->u.array.values[i];
		const char *name = YAJL_GET_STRING(yajl_tree_get(g, name_path, yajl_t_string));
		const char *mpath[] = { key, NULL };
		struct group *ng = realloc(r->groups, (r->ng + 1) * sizeof *ng);
		if (!ng)
			return -1;
		r->groups = ng;
		memset(&ng[r->ng], 0, sizeof *ng);
		r->ng++;
		if (!name || !(ng[r->ng - 1].name = strdup(name)) ||
		    strings(yajl_tree_get(g, mpath, yajl_t_array), &ng[r->ng - 1].members, &ng[r->ng - 1].n))
			return -1;
	}
	return 0;
}

int plansrv_resolve(http *h, const char *expr, plansrv_names **out, char *err, size_t errlen)
{
	static const char *ip[] = { "indices", NULL }, *ap[] = { "aliases", NULL },
			  *dp[] = { "data_streams", NULL }, *np[] = { "name", NULL };
	char enc[2048], path[2200];
	struct http_resp resp;
	yajl_val root = NULL, v;
	plansrv_names *r = calloc(1, sizeof *r);
	int rc = OSDL_EXIT_FAIL;

	*out = NULL;
	if (!r)
		return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	url_part(expr, enc, sizeof enc);
	snprintf(path, sizeof path, "/_resolve/index/%s?expand_wildcards=open&ignore_unavailable=true", enc);
	if ((rc = http_json(h, "GET", path, NULL, &root, &resp))) {
		req_fail(err, errlen, rc, "resolving the indexes", &resp);
		goto out;
	}
	rc = OSDL_EXIT_FAIL;
	v = yajl_tree_get(root, ip, yajl_t_array);
	if (!v) {
		/* Every engine with _resolve answers with an "indices" array,
		 * empty or not: anything else is not one. */
		rc = errbuf_fail(err, errlen, OSDL_EXIT_SERVER, "resolving the indexes: no \"indices\" in the answer "
				 "[GET %s%.200s; not an OpenSearch or Elasticsearch answer: check OS_URL]",
				 http_base_url(h), path);
		goto out;
	}
	{
		if (!(r->indices = calloc(v->u.array.len + 1, sizeof *r->indices)))
			goto nomem;
		for (size_t i = 0; i < v->u.array.len; i++) {
			const char *s = YAJL_GET_STRING(yajl_tree_get(v->u.array.values[i], np, yajl_t_string));
			if (s && !(r->indices[r->ni++] = strdup(s)))
				goto nomem;
		}
		qsort(r->indices, r->ni, sizeof *r->indices, str_cmp);
	}
	if (add_groups(r, yajl_tree_get(root, ap, yajl_t_array), "indices") ||
	    add_groups(r, yajl_tree_get(root, dp, yajl_t_array), "backing_indices"))
		goto nomem;
	*out = r;
	r = NULL;
	rc = 0;
	goto out;
nomem:
	errbuf_fail(err, errlen, rc, "out of memory");
out:
	yajl_tree_free(root);
	plansrv_names_free(r);
	return rc;
}

static int push(const char ***l, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		const char **nl = realloc(*l, c * sizeof *nl);
		if (!nl)
			return -1;
		*l = nl;
		*cap = c;
	}
	(*l)[(*n)++] = s;
	return 0;
}

/* Appends the indexes one name (no comma) stands for. */
static int lookup_one(const plansrv_names *r, const char *name, const char ***l, size_t *n, size_t *cap)
{
	int wild = strpbrk(name, "*?") != NULL, found = 0;
	for (size_t i = 0; i < r->ni; i++)
		if (wild ? fnmatch(name, r->indices[i], 0) == 0 : strcmp(name, r->indices[i]) == 0) {
			if (push(l, n, cap, r->indices[i]))
				return -1;
			found = 1;
		}
	if (found && !wild)
		return 0; /* an index, not also an alias: names are unique */
	for (size_t i = 0; i < r->ng; i++) {
		const struct group *g = &r->groups[i];
		if (wild ? fnmatch(name, g->name, 0) != 0 : strcmp(name, g->name) != 0)
			continue;
		for (size_t k = 0; k < g->n; k++)
			if (push(l, n, cap, g->members[k]))
				return -1;
	}
	return 0;
}

long plansrv_lookup(const plansrv_names *r, const char *name, const char ***out)
{
	const char **l = NULL;
	size_t n = 0, cap = 0;
	char one[SPEC_INDEX_MAX * 4];

	/* "a,b*" is the union of its names, as the server reads it. */
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, ",");
		if (len && len < sizeof one) {
			memcpy(one, p, len);
			one[len] = 0;
			if (lookup_one(r, one, &l, &n, &cap)) {
				free(l);
				*out = NULL;
				return -1;
			}
		}
		p += len + (p[len] == ',');
	}
	if (n > 1) {
		qsort(l, n, sizeof *l, str_cmp);
		size_t u = 1;
		for (size_t i = 1; i < n; i++)
			if (strcmp(l[i], l[u - 1]) != 0)
				l[u++] = l[i];
		n = u;
	}
	*out = l;
	return (long)n;
}

/* Edit distance, for "did you mean" lists; names are short. */
static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[257];
	if (la > 256 || lb > 256)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* Appends " (closest: a, b, c)" for NAME among FIELDS to BUF. */
static void closest(const char *name, yajl_val fields, char *buf, size_t n)
{
	const char *best[3] = { NULL, NULL, NULL };
	size_t dist[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
	for (size_t i = 0; i < fields->u.object.len; i++) {
		const char *f = fields->u.object.keys[i];
		if (f[0] == '_' && name[0] != '_')
			continue; /* metadata fields are never what was meant */
		size_t d = levenshtein(name, f);
		for (int k = 0; k < 3; k++) {
			if (d < dist[k] || (d == dist[k] && best[k] && strcmp(f, best[k]) < 0)) {
				for (int m = 2; m > k; m--) {
					dist[m] = dist[m - 1];
					best[m] = best[m - 1];
				}
				dist[k] = d;
				best[k] = f;
				break;
			}
		}
	}
	size_t o = strlen(buf);
	char shown[ESC_DISPLAY_MAX];
	/* Field names come from the documents: shown escaped. */
	for (int k = 0; k < 3 && best[k] && o < n; k++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", k ? ", " : " (closest: ",
				      esc_display(best[k], (size_t)-1, shown, sizeof shown));
	if (best[0] && o < n)
		snprintf(buf + o, n - o, ")");
}

static int field_known(yajl_val fields, const char *name)
{
	size_t l = strlen(name);
	int wild = strpbrk(name, "*?") != NULL;
	for (size_t i = 0; i < fields->u.object.len; i++) {
		const char *f = fields->u.object.keys[i];
		if (wild ? fnmatch(name, f, 0) == 0
			 : strcmp(f, name) == 0 || (strncmp(f, name, l) == 0 && f[l] == '.'))
			return 1;
	}
	return 0;
}

int plansrv_check_fields(http *h, const char *expr, const query *q, char *err, size_t errlen)
{
	static const char *fp[] = { "fields", NULL };
	char enc[2048], path[2200], bad[1024] = "";
	struct http_resp resp;
	yajl_val root = NULL, fields, tf;
	const char *tfn = query_time_field(q);
	size_t nbad = 0;
	int rc;

	url_part(expr, enc, sizeof enc);
	snprintf(path, sizeof path, "/%s/_field_caps?fields=*&ignore_unavailable=true&allow_no_indices=true", enc);
	if ((rc = http_json(h, "GET", path, NULL, &root, &resp))) {
		req_fail(err, errlen, rc, "reading the field capabilities", &resp);
		goto out;
	}
	fields = yajl_tree_get(root, fp, yajl_t_object);
	if (!fields || fields->u.object.len == 0)
		goto out; /* no index: nothing to check against */
	const char *tp[] = { tfn, NULL };
	tf = yajl_tree_get(fields, tp, yajl_t_object);
	if (!tf) {
		snprintf(bad, sizeof bad, "unknown time field %s", tfn);
		closest(tfn, fields, bad, sizeof bad);
		rc = errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "%s (see --time-field)", bad);
		goto out;
	}
	for (size_t i = 0; i < tf->u.object.len; i++) {
		const char *type = tf->u.object.keys[i];
		if (strcmp(type, "date") != 0 && strcmp(type, "date_nanos") != 0) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "time field %s is of type %s, not date", tfn, type);
			goto out;
		}
	}
	for (size_t i = 0; i < query_field_count(q); i++) {
		const char *name = query_field(q, i);
		if (field_known(fields, name))
			continue;
		size_t o = strlen(bad);
		if (o + 1 < sizeof bad)
			snprintf(bad + o, sizeof bad - o, "%s%s", nbad ? "; " : "", name);
		closest(name, fields, bad, sizeof bad);
		nbad++;
	}
	if (nbad)
		rc = errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "unknown field%s in --fields: %s", nbad > 1 ? "s" : "", bad);
out:
	yajl_tree_free(root);
	return rc;
}

static int name_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

/* The indexes of type entry T among NAMES, comma-separated, into BUF (cut
 * to fit with "..."); returns how many. */
static size_t type_indexes(yajl_val t, const char *const *names, size_t n, char *buf, size_t blen)
{
	static const char *ip[] = { "indices", NULL };
	yajl_val l = yajl_tree_get(t, ip, yajl_t_array);
	size_t o = 0, k = 0;
	buf[0] = 0;
	for (size_t i = 0; l && i < l->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(l->u.array.values[i]);
		if (!s || !bsearch(s, names, n, sizeof *names, name_cmp))
			continue;
		if (o + strlen(s) + 5 < blen)
			o += (size_t)snprintf(buf + o, blen - o, "%s%s", k ? "," : "", s);
		else if (o + 4 < blen && !strstr(buf, "..."))
			o += (size_t)snprintf(buf + o, blen - o, "...");
		k++;
	}
	return k;
}

int plansrv_drift(http *h, const char *expr, const char *const *names, size_t n, plansrv_drift_fn fn,
		  void *ud, size_t *ndrift, char *err, size_t errlen)
{
	static const char *fp[] = { "fields", NULL };
	char enc[2048], path[2200], list[4096];
	struct http_resp resp;
	yajl_val root = NULL, fields;
	int rc;

	*ndrift = 0;
	url_part(expr, enc, sizeof enc);
	snprintf(path, sizeof path, "/%s/_field_caps?fields=*&ignore_unavailable=true&allow_no_indices=true", enc);
	if ((rc = http_json(h, "GET", path, NULL, &root, &resp))) {
		req_fail(err, errlen, rc, "reading the field capabilities", &resp);
		goto out;
	}
	fields = yajl_tree_get(root, fp, yajl_t_object);
	for (size_t i = 0; fields && i < fields->u.object.len && !rc; i++) {
		const char *f = fields->u.object.keys[i];
		yajl_val types = fields->u.object.values[i];
		size_t in_plan = 0;
		if (f[0] == '_' || !YAJL_IS_OBJECT(types) || types->u.object.len < 2)
			continue;
		/* A conflict lists the indexes of each type; only the plan's count. */
		for (size_t t = 0; t < types->u.object.len; t++)
			in_plan += type_indexes(types->u.object.values[t], names, n, list, sizeof list) > 0;
		if (in_plan < 2)
			continue;
		(*ndrift)++;
		for (size_t t = 0; t < types->u.object.len && !rc; t++)
			if (type_indexes(types->u.object.values[t], names, n, list, sizeof list))
				rc = fn(f, types->u.object.keys[t], list, ud);
	}
out:
	yajl_tree_free(root);
	return rc;
}

struct counter {
	http *h;
	const query *q;
	const char *index;
	int64_t target;
	struct plan_leaf *leaves;
	size_t n, cap;
	int64_t total;
	char *err;
	size_t errlen;
};

static int add_leaf(struct counter *c, int64_t from, int64_t to, int64_t docs)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct plan_leaf *l = realloc(c->leaves, cap * sizeof *l);
		if (!l)
			return errbuf_fail(c->err, c->errlen, OSDL_EXIT_FAIL, "out of memory");
		c->leaves = l;
		c->cap = cap;
	}
	c->leaves[c->n++] = (struct plan_leaf){ from, to, docs };
	c->total += docs;
	return 0;
}

/* One histogram over [FROM, TO), recursing into the buckets above target.
 * Each level narrows buckets about 1000-fold, so depth stays below 7. */
static int count_range(struct counter *c, int64_t from, int64_t to)
{
	static const char *bp[] = { "aggregations", "h", "buckets", NULL },
			  *fp[] = { "_shards", "failed", NULL }, *kp[] = { "key", NULL },
			  *dp[] = { "doc_count", NULL };
	int64_t width = (to - from + HIST_BUCKETS - 1) / HIST_BUCKETS;
	char enc[600], path[700], *filter = NULL, *body = NULL, *tf = NULL;
	struct http_resp resp;
	yajl_val root = NULL, b, failed;
	int rc = OSDL_EXIT_FAIL;

	if (width < 1)
		width = 1;
	url_part(c->index, enc, sizeof enc);
	snprintf(path, sizeof path, "/%s/_search?request_cache=false", enc);
	if (!(filter = query_filter_json(c->q, from, to)) ||
	    !(tf = query_json_quote(query_time_field(c->q))))
		goto nomem;
	if (asprintf(&body,
		     "{\"size\":0,\"track_total_hits\":true,\"query\":%s,\"aggs\":{\"h\":{\"date_histogram\":"
		     "{\"field\":%s,\"fixed_interval\":\"%" PRId64 "ms\",\"min_doc_count\":1}}}}",
		     filter, tf, width) < 0) {
		body = NULL;
		goto nomem;
	}
	if ((rc = http_json(c->h, "POST", path, body, &root, &resp))) {
		req_fail(c->err, c->errlen, rc, "counting documents", &resp);
		goto out;
	}
	failed = yajl_tree_get(root, fp, yajl_t_number);
	if (failed && YAJL_GET_INTEGER(failed) > 0) {
		rc = errbuf_fail(c->err, c->errlen, OSDL_EXIT_SERVER, "counting documents in %s: %lld shard(s) failed",
			  c->index, YAJL_GET_INTEGER(failed));
		goto out;
	}
	b = yajl_tree_get(root, bp, yajl_t_array);
	if (!b) {
		rc = errbuf_fail(c->err, c->errlen, OSDL_EXIT_SERVER, "counting documents in %s: no histogram in the response",
			  c->index);
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < b->u.array.len && !rc; i++) {
		yajl_val key = yajl_tree_get(b->u.array.values[i], kp, yajl_t_number);
		yajl_val cnt = yajl_tree_get(b->u.array.values[i], dp, yajl_t_number);
		if (!key || !cnt) {
			rc = errbuf_fail(c->err, c->errlen, OSDL_EXIT_SERVER, "counting documents in %s: bad bucket", c->index);
			break;
		}
		int64_t lo = YAJL_GET_INTEGER(key), hi = lo + width, docs = YAJL_GET_INTEGER(cnt);
		/* Buckets are aligned to the epoch, so the outer ones stick out. */
		if (lo < from)
			lo = from;
		if (hi > to)
			hi = to;
		if (docs <= 0 || lo >= hi)
			continue;
		if (docs > c->target && hi - lo > 1)
			rc = count_range(c, lo, hi);
		else
			rc = add_leaf(c, lo, hi, docs);
	}
	goto out;
nomem:
	rc = errbuf_fail(c->err, c->errlen, OSDL_EXIT_FAIL, "out of memory");
out:
	yajl_tree_free(root);
	free(filter);
	free(body);
	free(tf);
	return rc;
}

int plansrv_count(http *h, const query *q, const char *index, int64_t from, int64_t to,
		  int64_t target, struct plan_leaf **leaves, size_t *n, int64_t *total,
		  char *err, size_t errlen)
{
	struct counter c = { h, q, index, target, NULL, 0, 0, 0, err, errlen };
	int rc = count_range(&c, from, to);
	if (rc) {
		free(c.leaves);
		c.leaves = NULL;
		c.n = 0;
	}
	*leaves = c.leaves;
	*n = c.n;
	*total = c.total;
	return rc;
}

int plansrv_total(http *h, const query *q, const char *expr, int64_t from, int64_t to,
		  int64_t *n, char *err, size_t errlen)
{
	static const char *cp[] = { "count", NULL };
	char enc[2048], path[2200], *filter = query_filter_json(q, from, to), *body = NULL;
	struct http_resp resp;
	yajl_val root = NULL, c;
	int rc;

	if (!filter || asprintf(&body, "{\"query\":%s}", filter) < 0) {
		free(filter);
		return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	url_part(expr, enc, sizeof enc);
	snprintf(path, sizeof path, "/%s/_count?ignore_unavailable=true&allow_no_indices=true", enc);
	if ((rc = http_json(h, "POST", path, body, &root, &resp)))
		req_fail(err, errlen, rc, "counting the range", &resp);
	else if (!(c = yajl_tree_get(root, cp, yajl_t_number)))
		rc = errbuf_fail(err, errlen, OSDL_EXIT_SERVER, "counting the range: no count in the response");
	else
		*n = YAJL_GET_INTEGER(c);
	yajl_tree_free(root);
	free(filter);
	free(body);
	return rc;
}

void plansrv_url_part(const char *s, char *buf, size_t n)
{
	url_part(s, buf, n);
}
