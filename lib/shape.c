/* shape.c - the indexes of a pattern over a range, counts files, and the one
 * aggregation osshape asks of the server; see shape.h. */
#include "shape.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "errbuf.h"
#include "esc.h"
#include "osdl.h"
#include "plan.h"
#include "spec.h"
#include "tspan.h"

#define MAX_PERIODS 100000 /* as osplan's default --max-chunks */

void shape_list_free(struct shape_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->name[i]);
	free(l->name);
	free(l->missing);
	for (size_t i = 0; i < l->nperiod; i++)
		free(l->period[i].index);
	free(l->period);
	memset(l, 0, sizeof *l);
}


/* Appends NAME unless it is there; -1 on ENOMEM. */
static int list_add(struct shape_list *l, const char *name, int missing)
{
	for (size_t i = l->n; i-- > 0;)
		if (strcmp(l->name[i], name) == 0)
			return 0;
	char **nn = realloc(l->name, (l->n + 1) * sizeof *nn);
	if (!nn)
		return -1;
	l->name = nn;
	unsigned char *nm = realloc(l->missing, l->n + 1);
	if (!nm)
		return -1;
	l->missing = nm;
	if (!(l->name[l->n] = strdup(name)))
		return -1;
	l->missing[l->n++] = (unsigned char)missing;
	return 0;
}

static int period_add(struct shape_list *l, const char *index, int64_t from, int64_t to)
{
	struct shape_period *np = realloc(l->period, (l->nperiod + 1) * sizeof *np);
	if (!np)
		return -1;
	l->period = np;
	if (!(np[l->nperiod].index = strdup(index)))
		return -1;
	np[l->nperiod].from = from;
	np[l->nperiod++].to = to;
	return 0;
}

/* NAME through NAMES: its concrete indexes, or itself missing; with
 * FROM < TO, each concrete index's period. */
static int add_resolved(const plansrv_names *names, const char *name, int64_t from, int64_t to,
			struct shape_list *out)
{
	const char **idx = NULL;
	long n = plansrv_lookup(names, name, &idx);
	int rc = n < 0;
	if (n == 0)
		rc = list_add(out, name, 1);
	for (long k = 0; k < n && !rc; k++)
		rc = list_add(out, idx[k], 0) || (from < to && period_add(out, idx[k], from, to));
	free(idx);
	return rc;
}

static int sort_list(struct shape_list *l)
{
	/* Insertion sort of both arrays: lists are short and mostly sorted. */
	for (size_t i = 1; i < l->n; i++) {
		char *s = l->name[i];
		unsigned char m = l->missing[i];
		size_t k = i;
		for (; k > 0 && strcmp(l->name[k - 1], s) > 0; k--) {
			l->name[k] = l->name[k - 1];
			l->missing[k] = l->missing[k - 1];
		}
		l->name[k] = s;
		l->missing[k] = m;
	}
	return 0;
}

/* The concrete indexes in L (the server's names) follow osplan.1's rule,
 * as every name osdl prints does (spec_index_name_valid). */
static int check_names(const struct shape_list *l, char *err, size_t errlen)
{
	char shown[ESC_DISPLAY_MAX];
	for (size_t i = 0; i < l->n; i++)
		if (!l->missing[i] && !spec_index_name_valid(l->name[i]))
			return errbuf_fail(err, errlen, OSDL_EXIT_USAGE,
					   "index name '%s' is not allowed: letters, digits and ._-+@ only",
					   esc_display(l->name[i], (size_t)-1, shown, sizeof shown));
	return 0;
}

int shape_expect(const plansrv_names *names, const char *pattern, int64_t from, int64_t to,
		 struct shape_list *out, char *err, size_t errlen)
{
	struct tspan_step period;
	char name[SPEC_INDEX_MAX], shown[ESC_DISPLAY_MAX];
	int timed = tspan_pattern_period(pattern, &period);
	size_t periods = 0;

	if (plan_pattern_chars(pattern, err, errlen))
		return OSDL_EXIT_USAGE;
	if (timed < 0)
		return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "index pattern '%s': unsupported %% token",
				   esc_display(pattern, (size_t)-1, shown, sizeof shown));
	if (!timed) {
		if (names && add_resolved(names, pattern, 0, 0, out))
			goto nomem;
		return check_names(out, err, errlen) ? OSDL_EXIT_USAGE : sort_list(out);
	}
	for (int64_t p = tspan_floor(from, period), next; p < to; p = next) {
		next = tspan_add(p, period);
		if (++periods > MAX_PERIODS)
			return errbuf_fail(err, errlen, OSDL_EXIT_USAGE,
					   "index pattern '%s' names more than %d indexes over the range", pattern,
					   MAX_PERIODS);
		if (!tspan_pattern_format(pattern, p, name, sizeof name))
			return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "index pattern '%s' gives too long a name",
					   pattern);
		if (names ? add_resolved(names, name, p < from ? from : p, next > to ? to : next, out)
			  : list_add(out, name, 0))
			goto nomem;
	}
	return check_names(out, err, errlen) ? OSDL_EXIT_USAGE : sort_list(out);
nomem:
	return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
}

void shape_counts_free(struct shape_count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].index);
	free(c);
}

/* A whole decimal int64 field of S..E (no sign for counts). */
static int int_field(const char *s, const char *e, int neg_ok, int64_t *v)
{
	char *end;
	if (s == e || (!neg_ok && *s == '-') || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || end != e)
		return -1;
	*v = x;
	return 0;
}

static int parse_count(char *line, struct shape_count *c)
{
	char *f[4], *p = line;
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, '\t');
		if (i < 3) {
			if (!p)
				return -1;
			*p++ = 0;
		} else if (p) {
			return -1;
		}
	}
	if (!spec_index_name_valid(f[0]) ||
	    int_field(f[1], f[1] + strlen(f[1]), 1, &c->from) ||
	    int_field(f[2], f[2] + strlen(f[2]), 1, &c->to) ||
	    int_field(f[3], f[3] + strlen(f[3]), 0, &c->count) || c->from >= c->to)
		return -1;
	c->index = f[0];
	return 0;
}

int shape_read_counts(FILE *f, const char *name, struct shape_count **out, size_t *n,
		      char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0, ncap = 0;
	ssize_t len;
	int rc = 0;
	struct shape_count *v = NULL;

	*out = NULL;
	*n = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		if (!len || line[0] == '#')
			continue;
		struct shape_count c;
		if (parse_count(line, &c)) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA,
					 "%s:%zu: want INDEX<TAB>FROM_MS<TAB>TO_MS<TAB>COUNT with FROM_MS < TO_MS, "
					 "INDEX of letters, digits and ._-+@",
					 name, lineno);
			goto out;
		}
		if (*n == ncap) {
			size_t nc = ncap ? ncap * 2 : 256;
			struct shape_count *nv = realloc(v, nc * sizeof *nv);
			if (!nv)
				goto nomem;
			v = nv;
			ncap = nc;
		}
		if (!(c.index = strdup(c.index)))
			goto nomem;
		v[(*n)++] = c;
	}
	if (ferror(f))
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "reading %s: %s", name, strerror(errno));
	goto out;
nomem:
	rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
out:
	free(line);
	if (rc) {
		shape_counts_free(v, *n);
		v = NULL;
		*n = 0;
	}
	*out = v;
	return rc;
}

/* The failed request RC: status and the server's reason. */
static int req_fail(char *err, size_t errlen, int rc, const struct http_resp *resp)
{
	if (resp->status)
		return errbuf_fail(err, errlen, rc, "counting documents per bucket: HTTP %ld: %s", resp->status,
				   resp->err);
	return errbuf_fail(err, errlen, rc, "counting documents per bucket: %s",
			   resp->err[0] ? resp->err : "request failed");
}

/* Adds the date_histogram buckets of one index; sums them into *SUM. */
static int add_index(hist *hs, const char *index, yajl_val buckets, int64_t *sum, char *err, size_t errlen)
{
	static const char *kp[] = { "key", NULL }, *dp[] = { "doc_count", NULL };
	int64_t b = hist_bucket_ms(hs);
	for (size_t i = 0; i < buckets->u.array.len; i++) {
		yajl_val key = yajl_tree_get(buckets->u.array.values[i], kp, yajl_t_number);
		yajl_val cnt = yajl_tree_get(buckets->u.array.values[i], dp, yajl_t_number);
		if (!key || !cnt || !YAJL_IS_INTEGER(key) || !YAJL_IS_INTEGER(cnt))
			return errbuf_fail(err, errlen, OSDL_EXIT_SERVER, "counting documents in %s: bad bucket", index);
		int64_t lo = YAJL_GET_INTEGER(key), hi = lo + b, docs = YAJL_GET_INTEGER(cnt);
		if (lo < hist_from(hs))
			lo = hist_from(hs);
		if (hi > hist_to(hs))
			hi = hist_to(hs);
		if (docs <= 0)
			continue;
		if (lo >= hi || hist_add(hs, index, lo, hi, docs, err, errlen))
			return errbuf_fail(err, errlen, OSDL_EXIT_SERVER,
					   "counting documents in %s: a bucket at %lld outside the range", index,
					   YAJL_GET_INTEGER(key));
		*sum += docs;
	}
	return 0;
}

/* The filter of Q over the range, and with ONLY each index over its own
 * period; malloc'd, NULL on ENOMEM. */
static char *count_filter(const query *q, const hist *hs, const struct shape_list *only)
{
	char *base = query_filter_json(q, hist_from(hs), hist_to(hs)), *tf = query_json_quote(query_time_field(q));
	char *buf = NULL, *ix = NULL;
	size_t len = 0;
	FILE *f = NULL;
	if (!base || !tf || !only || !only->nperiod || !(f = open_memstream(&buf, &len)))
		goto out;
	fprintf(f, "{\"bool\":{\"filter\":[%s,{\"bool\":{\"minimum_should_match\":1,\"should\":[", base);
	for (size_t i = 0; i < only->nperiod; i++) {
		const struct shape_period *p = &only->period[i];
		free(ix);
		if (!(ix = query_json_quote(p->index)))
			break;
		fprintf(f, "%s{\"bool\":{\"filter\":[{\"term\":{\"_index\":%s}},{\"range\":{%s:{\"gte\":%" PRId64
			   ",\"lt\":%" PRId64 ",\"format\":\"epoch_millis\"}}}]}}",
			i ? "," : "", ix, tf, p->from, p->to);
	}
	fprintf(f, "]}}]}}");
	if (fclose(f) || !ix) {
		free(buf);
		buf = NULL;
	}
out:
	free(ix);
	free(tf);
	if (only && only->nperiod) {
		free(base);
		return buf;
	}
	return base;
}

int shape_count(http *h, const query *q, const char *expr, const struct shape_list *only, size_t nindex,
		hist *hs, int64_t *total, char *err, size_t errlen)
{
	static const char *ip[] = { "aggregations", "i", "buckets", NULL },
			  *op[] = { "aggregations", "i", "sum_other_doc_count", NULL },
			  *fp[] = { "_shards", "failed", NULL }, *tp[] = { "hits", "total", NULL },
			  *vp[] = { "value", NULL }, *kp[] = { "key", NULL }, *hp[] = { "h", "buckets", NULL };
	char enc[2048], path[2200], *filter = NULL, *body = NULL, *tf = NULL;
	struct http_resp resp;
	yajl_val root = NULL, v, t;
	int64_t sum = 0;
	int rc;

	plansrv_url_part(expr, enc, sizeof enc);
	snprintf(path, sizeof path, "/%s/_search?ignore_unavailable=true&allow_no_indices=true&request_cache=false",
		 enc);
	if (!(filter = count_filter(q, hs, only)) ||
	    !(tf = query_json_quote(query_time_field(q))) ||
	    asprintf(&body,
		     "{\"size\":0,\"track_total_hits\":true,\"query\":%s,\"aggs\":{\"i\":{\"terms\":"
		     "{\"field\":\"_index\",\"size\":%zu},\"aggs\":{\"h\":{\"date_histogram\":{\"field\":%s,"
		     "\"fixed_interval\":\"%" PRId64 "ms\",\"min_doc_count\":1}}}}}}",
		     filter, nindex + 16, tf, hist_bucket_ms(hs)) < 0) {
		body = NULL;
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	if ((rc = http_json(h, "POST", path, body, &root, &resp))) {
		req_fail(err, errlen, rc, &resp);
		goto out;
	}
	rc = OSDL_EXIT_SERVER;
	v = yajl_tree_get(root, fp, yajl_t_number);
	if (v && YAJL_GET_INTEGER(v) > 0) {
		errbuf_fail(err, errlen, rc, "counting documents per bucket: %lld shard(s) failed", YAJL_GET_INTEGER(v));
		goto out;
	}
	t = yajl_tree_get(root, tp, yajl_t_any);
	if (t && YAJL_IS_OBJECT(t))
		t = yajl_tree_get(t, vp, yajl_t_number);
	v = yajl_tree_get(root, op, yajl_t_number);
	if (!t || !YAJL_IS_INTEGER(t) || !v) {
		errbuf_fail(err, errlen, rc, "counting documents per bucket: no total or aggregation in the response");
		goto out;
	}
	if (YAJL_GET_INTEGER(v) != 0) {
		errbuf_fail(err, errlen, rc, "counting documents per bucket: %lld documents in indexes left out",
			    YAJL_GET_INTEGER(v));
		goto out;
	}
	v = yajl_tree_get(root, ip, yajl_t_array);
	for (size_t i = 0; v && i < v->u.array.len; i++) {
		yajl_val ib = v->u.array.values[i];
		const char *name = YAJL_GET_STRING(yajl_tree_get(ib, kp, yajl_t_string));
		yajl_val hb = yajl_tree_get(ib, hp, yajl_t_array);
		if (!name || !hb) {
			errbuf_fail(err, errlen, rc, "counting documents per bucket: bad index bucket");
			goto out;
		}
		if (add_index(hs, name, hb, &sum, err, errlen))
			goto out;
	}
	*total = YAJL_GET_INTEGER(t);
	if (sum != *total) {
		errbuf_fail(err, errlen, rc,
			    "counting documents per bucket: the buckets hold %" PRId64 " documents, the server counts %" PRId64
			    " (a multi-valued time field?)", sum, *total);
		goto out;
	}
	rc = 0;
out:
	yajl_tree_free(root);
	free(filter);
	free(body);
	free(tf);
	return rc;
}
