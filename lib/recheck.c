/* recheck.c - cached chunks against the server's current counts, see recheck.h. */
#include "recheck.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "errbuf.h"
#include "log.h"
#include "meta.h"
#include "osdl.h"
#include "plansrv.h"
#include "publish.h"
#include "tspan.h"

#define RANGES_PER_REQUEST 1000 /* buckets per search; far below search.max_buckets */
#define MAX_SHARDS 1024          /* per index; a baseline line stays short */

/* One chunk of the plan and what is known about it. */
struct item {
	const struct spec *sp;
	char path[PATH_MAX];
	struct meta m;
	int size_ok;
	const char *reason;   /* NULL: fresh */
	int missing;
	int64_t cached, server;
};

/* One distinct [from, to) of an index: a chunk, or the slices of one. */
struct range {
	int64_t from, to, server;
	int64_t *smax;        /* per shard, -1: no document (seqno level) */
};

struct ctx {
	http *h;
	const query *q;
	const struct recheck_opts *o;
	struct recheck_stats *st;
	char *err;
	size_t errlen;
	char uuid[128];       /* of the index being checked (seqno level) */
	int nshards;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
	int c = strcmp(x->sp->index, y->sp->index);
	if (c)
		return c;
	if (x->sp->from != y->sp->from)
		return x->sp->from < y->sp->from ? -1 : 1;
	if (x->sp->to != y->sp->to)
		return x->sp->to < y->sp->to ? -1 : 1;
	return x->sp->slice_id - y->sp->slice_id;
}

/* The sidecar, and whether the file is the one it describes: a refresh
 * killed between the sidecar's rename and the chunk's leaves the new
 * sidecar beside the old chunk (publish.h renames the meta first). */
static int read_item(struct ctx *c, struct item *it)
{
	struct stat sb;
	if (!spec_chunk_path(c->o->cache_dir, c->o->fingerprint, it->sp, it->path, sizeof it->path))
		return errbuf_fail(c->err, c->errlen, OSDL_EXIT_USAGE, "cache path too long");
	if (meta_read(it->path, &it->m, c->err, c->errlen))
		return OSDL_EXIT_DATA;
	it->missing = !it->m.published;
	it->cached = it->missing ? -1 : (int64_t)it->m.docs;
	it->size_ok = !it->missing && stat(it->path, &sb) == 0 &&
		      (it->m.compressed_bytes == 0 || (uint64_t)sb.st_size == it->m.compressed_bytes);
	return 0;
}

/* One search over INDEX: the date_range buckets R[0..n) (the query
 * applied), with the highest _seq_no under each when SEQNO; SHARD >= 0
 * asks that shard only.  Fills server counts (SHARD < 0) or smax[SHARD]. */
static int ask(struct ctx *c, const char *index, struct range *r, size_t n, int shard, int seqno)
{
	static const char *fp[] = { "_shards", "failed", NULL }, *tp[] = { "_shards", "total", NULL };
	char enc[SPEC_INDEX_MAX * 3 + 8], path[SPEC_INDEX_MAX * 3 + 128], key[24];
	char *filter = NULL, *tf = NULL, *body = NULL;
	size_t blen = 0;
	FILE *b = NULL;
	struct http_resp resp;
	yajl_val root = NULL, v;
	int rc = OSDL_EXIT_FAIL;

	plansrv_url_part(index, enc, sizeof enc);
	if (shard >= 0)
		snprintf(path, sizeof path, "/%s/_search?request_cache=false&ignore_unavailable=true&preference=_shards:%d",
			 enc, shard);
	else
		snprintf(path, sizeof path, "/%s/_search?request_cache=false&ignore_unavailable=true", enc);
	if (!(filter = query_filter_json(c->q, r[0].from, r[n - 1].to)) ||
	    !(tf = query_json_quote(query_time_field(c->q))) || !(b = open_memstream(&body, &blen)))
		goto nomem;
	fprintf(b, "{\"size\":0,\"track_total_hits\":false,\"query\":%s,\"aggs\":{\"r\":{\"date_range\":"
		"{\"field\":%s,\"format\":\"epoch_millis\",\"keyed\":true,\"ranges\":[", filter, tf);
	for (size_t i = 0; i < n; i++)
		fprintf(b, "%s{\"key\":\"%zu\",\"from\":\"%" PRId64 "\",\"to\":\"%" PRId64 "\"}", i ? "," : "", i,
			r[i].from, r[i].to);
	fprintf(b, "]}%s}}}", seqno ? ",\"aggs\":{\"s\":{\"max\":{\"field\":\"_seq_no\"}}}" : "");
	if (fclose(b)) {
		b = NULL;
		goto nomem;
	}
	b = NULL;
	c->st->requests++;
	if ((rc = http_json(c->h, "POST", path, body, &root, &resp))) {
		errbuf_fail(c->err, c->errlen, rc, "rechecking %s: %s", index, resp.err);
		goto out;
	}
	if ((v = yajl_tree_get(root, fp, yajl_t_number)) && YAJL_GET_INTEGER(v) > 0) {
		rc = errbuf_fail(c->err, c->errlen, OSDL_EXIT_SERVER, "rechecking %s: %lld shard(s) failed", index,
				 YAJL_GET_INTEGER(v));
		goto out;
	}
	if (shard < 0) {
		v = yajl_tree_get(root, tp, yajl_t_number);
		c->nshards = v ? (int)YAJL_GET_INTEGER(v) : 0;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof key, "%zu", i);
		const char *dp[] = { "aggregations", "r", "buckets", key, "doc_count", NULL };
		const char *sp[] = { "aggregations", "r", "buckets", key, "s", "value", NULL };
		yajl_val d = yajl_tree_get(root, dp, yajl_t_number), s = yajl_tree_get(root, sp, yajl_t_number);
		/* No aggregation at all: the index is gone (ignore_unavailable). */
		int64_t docs = d ? YAJL_GET_INTEGER(d) : 0;
		if (shard < 0)
			r[i].server = docs;
		else
			r[i].smax[shard] = docs > 0 && s ? (int64_t)YAJL_GET_DOUBLE(s) : -1;
	}
	rc = 0;
	goto out;
nomem:
	rc = errbuf_fail(c->err, c->errlen, OSDL_EXIT_FAIL, "out of memory");
out:
	if (b)
		fclose(b);
	yajl_tree_free(root);
	free(filter);
	free(tf);
	free(body);
	return rc;
}

/* The index's uuid: a baseline of a deleted and recreated index (whose
 * _seq_no start over) is no baseline. */
static int ask_uuid(struct ctx *c, const char *index)
{
	char enc[SPEC_INDEX_MAX * 3 + 8], path[SPEC_INDEX_MAX * 3 + 128];
	struct http_resp resp;
	yajl_val root = NULL;
	int rc;
	c->uuid[0] = '\0';
	plansrv_url_part(index, enc, sizeof enc);
	snprintf(path, sizeof path, "/%s/_settings/index.uuid?flat_settings=true&ignore_unavailable=true", enc);
	c->st->requests++;
	if ((rc = http_json(c->h, "GET", path, NULL, &root, &resp)))
		return errbuf_fail(c->err, c->errlen, rc, "rechecking %s: %s", index, resp.err);
	const char *up[] = { index, "settings", "index.uuid", NULL };
	yajl_val u = yajl_tree_get(root, up, yajl_t_string);
	if (u)
		snprintf(c->uuid, sizeof c->uuid, "%s", YAJL_GET_STRING(u));
	yajl_tree_free(root);
	return 0;
}

/* The baseline beside a chunk: "osdl-check 1 UUID TAKEN_MS N MAX0 .. MAXN-1",
 * one line.  Returns 1 and fills the fields, or 0 when there is none or it
 * cannot be read (then the chunk has no baseline). */
static int read_baseline(const char *chunk, char *uuid, size_t ulen, int64_t *taken, int *n, int64_t *mx)
{
	char p[PATH_MAX + 8], line[MAX_SHARDS * 22 + 256], u[128];
	int ok = 0, off = 0, k;
	snprintf(p, sizeof p, "%s.check", chunk);
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof line, f) ||
	    sscanf(line, "osdl-check 1 %127s %" SCNd64 " %d%n", u, taken, n, &off) != 3 || *n < 0 || *n > MAX_SHARDS)
		goto out;
	for (k = 0; k < *n; k++) {
		int used = 0;
		if (sscanf(line + off, " %" SCNd64 "%n", &mx[k], &used) != 1)
			goto out;
		off += used;
	}
	snprintf(uuid, ulen, "%s", u);
	ok = 1;
out:
	fclose(f);
	return ok;
}

static int write_baseline(struct ctx *c, const struct item *it, const struct range *r)
{
	char p[PATH_MAX + 8];
	FILE *f = NULL;
	publish *pub;
	snprintf(p, sizeof p, "%s.check", it->path);
	if (!(pub = publish_begin(p, c->err, c->errlen)))
		return OSDL_EXIT_IO;
	int fd = dup(publish_fd(pub));
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	/* Taken after the answers: a fetch that starts later sees at least
	 * what they saw. */
	struct timeval tv;
	gettimeofday(&tv, NULL);
	fprintf(f, "osdl-check 1 %s %" PRId64 " %d", c->uuid[0] ? c->uuid : "-",
		(int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000 + 1, c->nshards);
	for (int k = 0; k < c->nshards; k++)
		fprintf(f, " %" PRId64, r->smax[k]);
	fputc('\n', f);
	if (fclose(f))
		goto fail;
	return publish_commit(pub, NULL, c->err, c->errlen) ? OSDL_EXIT_IO : 0;
fail:
	errbuf_fail(c->err, c->errlen, OSDL_EXIT_IO, "%s: %s", p, strerror(errno));
	publish_abort(pub);
	return OSDL_EXIT_IO;
}

/* The start of the fetch that wrote M, in ms, or INT64_MIN if unknown. */
static int64_t fetch_start(const struct meta *m)
{
	int64_t at;
	int sub = 0;
	if (!m->fetched_at[0] || tspan_parse_time(m->fetched_at, (size_t)-1, &at, &sub))
		return INT64_MIN;
	return at - (int64_t)(m->seconds * 1000) - 1;
}

/* seqno: has any shard's highest _seq_no in the chunk gone up since the
 * baseline taken before IT was fetched?  Returns the reason or NULL. */
static const char *seqno_verdict(const struct ctx *c, const struct item *it, const struct range *r)
{
	char uuid[128];
	int64_t taken, mx[MAX_SHARDS];
	int n;
	if (!read_baseline(it->path, uuid, sizeof uuid, &taken, &n, mx) || taken > fetch_start(&it->m))
		return "baseline";
	if (strcmp(uuid, c->uuid[0] ? c->uuid : "-") != 0 || n != c->nshards)
		return "seqno";
	for (int k = 0; k < n; k++)
		if (r->smax[k] > mx[k])
			return "seqno";
	return NULL;
}

/* The verdict of the chunks IT[0..n) sharing range R. */
static void judge(const struct ctx *c, struct item **it, size_t n, const struct range *r)
{
	int64_t sum = 0;
	size_t present = 0;
	const char *why = NULL;
	for (size_t i = 0; i < n; i++)
		if (!it[i]->missing) {
			present++;
			sum += it[i]->cached;
			if (!it[i]->size_ok)
				why = "size";
		}
	if (present < n)
		why = "slices";
	else if (!why && sum != r->server)
		why = "count";
	for (size_t i = 0; i < n && !why && c->o->level == RECHECK_SEQNO; i++)
		why = seqno_verdict(c, it[i], r);
	for (size_t i = 0; i < n; i++) {
		it[i]->server = r->server;
		if (n > 1 && present == n)
			it[i]->cached = sum; /* the millisecond's, on every slice */
		it[i]->reason = it[i]->missing ? "missing" : why;
	}
}

/* All chunks of one index: IT[0..n), sorted by range. */
static int check_index(struct ctx *c, struct item **it, size_t n)
{
	struct range *r = calloc(n, sizeof *r);
	int64_t *smax = NULL;
	size_t nr = 0;
	int rc = 0, seqno = c->o->level == RECHECK_SEQNO;
	if (!r)
		return errbuf_fail(c->err, c->errlen, OSDL_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (!nr || it[i]->sp->from != r[nr - 1].from || it[i]->sp->to != r[nr - 1].to)
			r[nr++] = (struct range){ it[i]->sp->from, it[i]->sp->to, 0, NULL };
	c->nshards = 0;
	for (size_t b = 0; b < nr && !rc; b += RANGES_PER_REQUEST)
		rc = ask(c, it[0]->sp->index, r + b, nr - b < RANGES_PER_REQUEST ? nr - b : RANGES_PER_REQUEST, -1, 0);
	if (!rc && seqno) {
		if (c->nshards > MAX_SHARDS)
			c->nshards = MAX_SHARDS;
		if (!(smax = calloc(nr * (size_t)(c->nshards ? c->nshards : 1), sizeof *smax))) {
			rc = errbuf_fail(c->err, c->errlen, OSDL_EXIT_FAIL, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < nr; i++)
			r[i].smax = smax + i * (size_t)c->nshards;
		rc = ask_uuid(c, it[0]->sp->index);
		for (int s = 0; s < c->nshards && !rc; s++)
			for (size_t b = 0; b < nr && !rc; b += RANGES_PER_REQUEST)
				rc = ask(c, it[0]->sp->index, r + b,
					 nr - b < RANGES_PER_REQUEST ? nr - b : RANGES_PER_REQUEST, s, 1);
	}
	if (rc)
		goto out;
	for (size_t i = 0, k = 0; i < n; k++) {
		size_t j = i;
		while (j < n && it[j]->sp->from == r[k].from && it[j]->sp->to == r[k].to)
			j++;
		judge(c, it + i, j - i, &r[k]);
		for (size_t m = i; m < j && seqno && !rc; m++)
			if (it[m]->reason)
				rc = write_baseline(c, it[m], &r[k]);
		i = j;
	}
out:
	free(smax);
	free(r);
	return rc;
}

static int report(struct ctx *c, struct item *it, FILE *out)
{
	const char *state = it->missing ? "missing" : it->reason ? "stale" : "fresh";
	char cached[24] = "-";
	if (!it->missing)
		snprintf(cached, sizeof cached, "%" PRId64, it->cached);
	if (it->missing)
		c->st->missing++;
	else if (it->reason)
		c->st->stale++;
	else
		c->st->fresh++;
	if (out)
		fprintf(out, "%s\t%s\t%s\t%" PRId64 "\t%s\n", state, it->path, cached, it->server,
			it->reason ? it->reason : "-");
	else
		log_msg(LOG_DETAILED, "recheck: %s %s (cached %s, server %" PRId64 ", %s)", state, it->path, cached,
			it->server, it->reason ? it->reason : "-");
	if (state[0] == 's')
		log_msg(LOG_BASIC, "stale chunk: %s (%s; cached %s, server %" PRId64 ")", it->path, it->reason, cached,
			it->server);
	if (state[0] == 's' && c->o->invalidate) {
		/* The chunk before its sidecar: a chunk without one never exists. */
		if (unlink(it->path) != 0 && errno != ENOENT)
			return errbuf_fail(c->err, c->errlen, OSDL_EXIT_IO, "removing %s: %s", it->path, strerror(errno));
		char mp[PATH_MAX + 8];
		snprintf(mp, sizeof mp, "%s.meta", it->path);
		if (unlink(mp) != 0 && errno != ENOENT)
			return errbuf_fail(c->err, c->errlen, OSDL_EXIT_IO, "removing %s: %s", mp, strerror(errno));
		c->st->removed++;
	}
	return 0;
}

int recheck_run(http *h, const query *q, const struct plan *p, const struct recheck_opts *o,
		FILE *out, struct recheck_stats *st, char *err, size_t errlen)
{
	struct ctx c = { .h = h, .q = q, .o = o, .st = st, .err = err, .errlen = errlen };
	struct item *items = calloc(p->n ? p->n : 1, sizeof *items);
	struct item **by = calloc(p->n ? p->n : 1, sizeof *by);
	double t0 = log_now_s();
	int rc = 0;
	memset(st, 0, sizeof *st);
	st->chunks = p->n;
	if (!items || !by) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->n && !rc; i++) {
		items[i].sp = &p->c[i].sp;
		by[i] = &items[i];
		rc = read_item(&c, &items[i]);
	}
	if (rc)
		goto out;
	qsort(by, p->n, sizeof *by, item_cmp);
	for (size_t i = 0; i < p->n && !rc;) {
		size_t j = i;
		while (j < p->n && strcmp(by[j]->sp->index, by[i]->sp->index) == 0)
			j++;
		rc = check_index(&c, by + i, j - i);
		i = j;
	}
	for (size_t i = 0; i < p->n && !rc; i++)
		rc = report(&c, &items[i], out);
	if (!rc && out && ferror(out))
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "writing the recheck: %s", strerror(errno));
out:
	st->seconds = log_now_s() - t0;
	free(items);
	free(by);
	return rc;
}

int recheck_write_summary(FILE *f, const struct recheck_stats *st, enum recheck_level level)
{
	fprintf(f, "check=%s\nchunks=%zu\nfresh=%zu\nstale=%zu\nmissing=%zu\nremoved=%zu\nrequests=%lu\nseconds=%.3f\n",
		level == RECHECK_SEQNO ? "seqno" : "count", st->chunks, st->fresh, st->stale, st->missing, st->removed,
		st->requests, st->seconds);
	return ferror(f) ? -1 : 0;
}
