/* fetch.c - one chunk from the server into its published file, see fetch.h.
 * (Over 600 lines: the scroll and PIT attempts share the page, restart and
 * publication code around them.)
 *
 * Two snapshot methods (engine.h chooses): a scroll, whose lost page means
 * a restart of the chunk (the cursor may have moved), and PIT +
 * search_after over a unique sort, whose lost page is asked again with the
 * same search_after.  For that the output file must go back to the end of
 * the last complete page: with PIT every page ends its own LZ4 frame (the
 * reader takes concatenated frames as one stream, like lz4 -dc), so that
 * point is a plain file offset; truncating there and starting a new frame
 * never leaves compressor state that refers to the lost bytes. */
#include "fetch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chunksort.h"
#include "colstats.h"
#include "errbuf.h"
#include "log.h"
#include "lzio.h"
#include "osdl.h"
#include "publish.h"
#include "search.h"
#include "sig.h"
#include "tmpdir.h"

/* No filter_path: with one, the server re-serialises every _source (60-80%
 * more server CPU, and values change on the way: 1e400 becomes "Infinity",
 * long decimals are rounded).  Without it the hits carry the stored bytes,
 * and the parser skips the members it does not need (_score, sort, ...). */

#define RESTART (-1) /* start the chunk over on a new snapshot */
#define LOST (-2)    /* page() only: the response was lost (PIT: ask again) */

struct run {
	http *h;
	const struct engine *e;
	const query *q;
	const struct spec *sp;
	const struct fetch_opts *o;
	struct fetch_stats *st;
	publish *pub;
	lzio_writer *w;
	search_parser *parser;
	chunksort *cs;        /* time order restored locally; NULL: --no-sort */
	int sort_rc;          /* chunksort_add's failure in emit_doc, reason in err */
	colstats *stats;      /* of the lines as published, for the meta */
	char *ctx_id;         /* newest scroll id or pit id, to use and to clear */
	uint64_t docs;        /* of this attempt */
	uint64_t pages;
	int64_t total;
	int failures;         /* transient failures and restarts of this chunk */
	/* PIT: the last complete page's search_after (raw JSON array text) and
	 * where the file, docs and pages stood after it. */
	char *after;
	off_t mark_off;
	uint64_t mark_docs, mark_pages, bytes_done;
	int out_errno;        /* write error seen by the emit callback */
	double retry_after;
	char *err;
	size_t errlen;
};

static int emit_doc(const char *prefix, size_t plen, const char *body, size_t blen, void *ud)
{
	struct run *r = ud;
	if (r->cs) {
		if ((r->sort_rc = chunksort_add(r->cs, prefix, plen, body, blen, r->err, r->errlen)) != 0)
			return -1;
	} else if (lzio_write(r->w, prefix, plen) != 0 || lzio_write(r->w, body, blen) != 0) {
		r->out_errno = errno ? errno : EIO;
		return -1;
	}
	r->docs++;
	return 0;
}

/* libcurl's body callback: a parse failure aborts the transfer, its reason
 * waiting in r->err for page(). */
static int sink(const char *data, size_t n, void *ud)
{
	struct run *r = ud;
	return search_feed(r->parser, data, n, r->err, r->errlen);
}

/* Keeps the newest cursor the server gave us, even from a response that
 * failed later, so that it is cleared. */
static int keep_ctx_id(struct run *r)
{
	const char *id = search_result(r->parser)->scroll_id;
	if (!id || (r->ctx_id && strcmp(id, r->ctx_id) == 0))
		return 0;
	char *c = strdup(id);
	if (!c)
		return -1;
	free(r->ctx_id);
	r->ctx_id = c;
	return 0;
}

/* Best effort: a scroll or PIT we cannot clear expires after keep_alive.
 * Cleanup mode: this runs after SIGINT/SIGTERM too. */
static void clear_ctx(struct run *r)
{
	if (!r->ctx_id)
		return;
	int pit = r->e->method == ENGINE_PIT;
	char *body = pit ? engine_pit_close_body(r->e, r->ctx_id)
			 : engine_scroll_clear_body(r->e, r->ctx_id);
	const char *path = pit ? engine_pit_close_path(r->e) : engine_scroll_clear_path(r->e);
	struct http_resp resp;
	http_set_cleanup(r->h, 1);
	if (body && http_request(r->h, "DELETE", path, body, NULL, NULL, &resp) != 0 &&
	    resp.status != 404)
		log_msg(LOG_BASIC, "could not clear the %s: %s", pit ? "point in time" : "scroll context",
			resp.err);
	http_set_cleanup(r->h, 0);
	free(body);
	free(r->ctx_id);
	r->ctx_id = NULL;
}

/* One more transient failure of this chunk: waits before the next try.
 * Returns 0 to go on, or an exit code (budget spent, signal). */
static int count_failure(struct run *r)
{
	r->failures++;
	log_msg(LOG_EXTRA, "%s after %llu docs (%d/%d)", r->err, (unsigned long long)r->docs,
		r->failures, r->o->max_failures);
	if (r->failures > r->o->max_failures) {
		size_t k = strlen(r->err);
		snprintf(r->err + k, r->errlen - k, " (gave up after %d tries)", r->failures);
		return OSDL_EXIT_RETRIES;
	}
	if (http_backoff(r->h, r->failures, r->retry_after) != 0) {
		if (!sig_caught())
			return OSDL_EXIT_RETRIES;
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_SIGNAL, "interrupted by signal %d", sig_caught());
	}
	return 0;
}

static char *first_body(const struct run *r)
{
	char *filter = query_filter_json(r->q, r->sp->from, r->sp->to);
	const char *src = query_source_json(r->q);
	char slice[96] = "";
	char *b = NULL;
	if (!filter)
		goto out;
	if (r->sp->slice_max > 1)
		snprintf(slice, sizeof slice, ",\"slice\":{\"id\":%d,\"max\":%d}", r->sp->slice_id,
			 r->sp->slice_max);
	size_t n = strlen(filter) + strlen(src) + 256;
	b = malloc(n);
	if (!b)
		goto out;
	/* The server's cheapest order, whatever the query's: time order, when
	 * wanted, is restored locally (chunksort), which also defines ties. */
	snprintf(b, n, "{\"size\":%d,\"track_total_hits\":true,\"_source\":%s,\"query\":%s,"
		 "\"sort\":[\"_doc\"]%s}", r->o->page_size, src, filter, slice);
out:
	free(filter);
	return b;
}

/* One page: request, stream, checks.  Returns 0, RESTART, or an exit code. */
static int page(struct run *r, const char *path, const char *body)
{
	struct http_resp resp;
	if (search_reset(r->parser) != 0)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	r->retry_after = -1;
	int hrc = http_request(r->h, "POST", path, body, sink, r, &resp);
	if (keep_ctx_id(r) != 0)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	const struct search_result *res = search_result(r->parser);
	if (hrc == 0 && search_finish(r->parser, r->err, r->errlen) != 0) {
		/* A 200 whose JSON ends early was cut: a lost response. */
		return LOST;
	}
	if (hrc != 0) {
		if (sig_caught())
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_SIGNAL, "interrupted by signal %d", sig_caught());
		if (search_emit_failed(r->parser) && r->cs && r->sort_rc) {
			/* A document that is no JSON object came from the server. */
			return errbuf_prefix(r->err, r->errlen, r->sort_rc == OSDL_EXIT_DATA ? OSDL_EXIT_SERVER
							    : r->sort_rc, "sorting the chunk: ");
		}
		if (search_emit_failed(r->parser))
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_IO, "writing %s: %s",
					   publish_temp_path(r->pub), strerror(r->out_errno));
		if (resp.curl_code == 23 /* CURLE_WRITE_ERROR */) {
			/* The parser stopped (sink left why in r->err): bad JSON
			 * mid-stream (a cut or garbled response) or a document over
			 * the size limit. */
			if (strstr(r->err, "limit") || strstr(r->err, "memory"))
				return OSDL_EXIT_FAIL;
			return LOST;
		}
		errbuf_fail(r->err, r->errlen, -1, "%s", resp.err);
		r->retry_after = resp.retry_after_s;
		/* An expired context cannot be resumed: start over, never stitch. */
		if (strcmp(resp.err_type, "search_context_missing_exception") == 0)
			return RESTART;
		return http_classify(&resp) == HTTP_TRANSIENT ? LOST : OSDL_EXIT_SERVER;
	}
	if (resp.sends > 1 && r->e->method == ENGINE_PIT) {
		/* libcurl asked for the page again after the connection died:
		 * the same search_after on the same PIT is the same page. */
		r->st->retries += (uint64_t)(resp.sends - 1);
		log_msg(LOG_EXTRA, "page %llu re-sent by libcurl after a lost connection",
			(unsigned long long)r->pages + 1);
	}
	if (resp.sends > 1 && r->pages > 0 && r->e->method == ENGINE_SCROLL) {
		/* libcurl re-sent the page after the connection died: the first
		 * send may have moved the cursor, so this page may be the next one. */
		return errbuf_fail(r->err, r->errlen, RESTART, "connection lost during a scroll request (re-sent by libcurl)");
	}
	r->pages++;
	if (res->shards_failed > 0 || res->timed_out) {
		errbuf_fail(r->err, r->errlen, -1, "%s: %lld shard(s) failed%s: %s %s", r->sp->index,
			    (long long)res->shards_failed, res->timed_out ? ", timed out" : "",
			    res->fail_type, res->fail_reason);
		if (strstr(r->err, "search_context_missing"))
			return RESTART;
		return res->timed_out ? LOST : OSDL_EXIT_SERVER;
	}
	if (res->total >= 0) {
		if (!res->total_eq)
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_VERIFY, "server total is not exact (relation gte)");
		if (r->total >= 0 && res->total != r->total)
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_VERIFY,
					   "server total changed within one snapshot: %lld then %lld",
					   (long long)r->total, (long long)res->total);
		r->total = res->total;
	}
	log_msg(LOG_EXTRA, "page %llu: %llu hits, %llu docs, %.3fs", (unsigned long long)r->pages,
		(unsigned long long)res->hits, (unsigned long long)r->docs, resp.seconds);
	return 0;
}

/* A scroll cannot ask for a page again (the cursor may have moved). */
static int scroll_page(struct run *r, const char *path, const char *body)
{
	int rc = page(r, path, body);
	return rc == LOST ? RESTART : rc;
}

/* One pass over the whole chunk on a new scroll. */
static int scroll_attempt(struct run *r)
{
	char path[1024];
	char *body = first_body(r);
	int rc;
	r->docs = 0;
	r->pages = 0;
	r->total = -1;
	if (!body)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	if (!engine_scroll_start_path(r->e, r->sp->index, r->o->keep_alive, NULL, path, sizeof path)) {
		free(body);
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_USAGE, "index name too long");
	}
	rc = scroll_page(r, path, body);
	free(body);
	if (rc != 0)
		return rc;
	if (r->total < 0)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_VERIFY, "the server sent no hits.total");
	engine_scroll_next_path(r->e, NULL, path, sizeof path);
	/* Until an empty page: stopping at docs == total would hide a scroll
	 * that repeats documents, the count check could then not see it. */
	while (search_result(r->parser)->hits > 0) {
		if (!r->ctx_id)
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_SERVER, "the server sent no _scroll_id");
		body = engine_scroll_next_body(r->e, r->o->keep_alive, r->ctx_id);
		if (!body)
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
		rc = scroll_page(r, path, body);
		free(body);
		if (rc != 0)
			return rc;
	}
	if ((int64_t)r->docs != r->total)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_VERIFY,
				   "%llu documents received, the server counted %lld",
				   (unsigned long long)r->docs, (long long)r->total);
	return 0;
}

/* Opens the chunk's PIT into r->ctx_id.  A retried open whose first answer
 * was lost leaves that PIT to expire after keep_alive. */
static int pit_open(struct run *r)
{
	char path[1024];
	yajl_val root = NULL;
	struct http_resp resp;
	if (!engine_pit_open_path(r->e, r->sp->index, r->o->keep_alive, path, sizeof path))
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_USAGE, "index name too long");
	int rc = http_json(r->h, "POST", path, NULL, &root, &resp);
	if (rc != 0)
		return errbuf_fail(r->err, r->errlen, rc, "opening a point in time: %s", resp.err);
	const char *pk[] = { engine_pit_id_key(r->e), NULL };
	yajl_val v = yajl_tree_get(root, pk, yajl_t_string);
	const char *id = v ? YAJL_GET_STRING(v) : NULL;
	if (!id) {
		rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_SERVER, "the server sent no %s for the point in time", pk[0]);
	} else if (!(r->ctx_id = strdup(id))) {
		rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	yajl_tree_free(root);
	return rc;
}

/* A PIT page body; the total is only counted on the first page. */
static char *pit_body(const struct run *r, const char *filter, const char *src, const char *sort)
{
	char slice[96] = "";
	char *pit = engine_pit_member(r->e, r->ctx_id, r->o->keep_alive);
	if (!pit)
		return NULL;
	if (r->sp->slice_max > 1)
		snprintf(slice, sizeof slice, ",\"slice\":{\"id\":%d,\"max\":%d}", r->sp->slice_id,
			 r->sp->slice_max);
	size_t n = strlen(filter) + strlen(src) + strlen(sort) + strlen(pit) +
		   (r->after ? strlen(r->after) : 0) + 256;
	char *b = malloc(n);
	if (b)
		snprintf(b, n, "{\"size\":%d,\"track_total_hits\":%s,\"_source\":%s,\"query\":%s,"
			 "\"sort\":%s%s%s%s%s}", r->o->page_size, r->total < 0 ? "true" : "false",
			 src, filter, sort, pit, slice, r->after ? ",\"search_after\":" : "",
			 r->after ? r->after : "");
	free(pit);
	return b;
}

/* The page just read is complete: end its LZ4 frame and note the file
 * offset, docs and pages as the point a lost next page goes back to. */
static int pit_mark(struct run *r)
{
	int fd = publish_fd(r->pub);
	if (r->cs) {
		/* Nothing is written before the end: the sorter keeps the mark. */
		chunksort_mark(r->cs);
		r->mark_docs = r->docs;
		r->mark_pages = r->pages;
		return 0;
	}
	if (lzio_finish(r->w) != 0)
		goto io;
	r->bytes_done += lzio_written(r->w);
	lzio_writer_free(r->w);
	r->w = lzio_writer_new(fd, 1, 0);
	if (!r->w)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	off_t off = lseek(fd, 0, SEEK_CUR);
	if (off < 0)
		goto io;
	r->mark_off = off;
	r->mark_docs = r->docs;
	r->mark_pages = r->pages;
	return 0;
io:
	return errbuf_fail(r->err, r->errlen, OSDL_EXIT_IO, "writing %s: %s", publish_temp_path(r->pub), strerror(errno));
}

/* Drops whatever a lost page wrote: back to the last mark, on a new frame. */
static int pit_rewind(struct run *r)
{
	int fd = publish_fd(r->pub);
	if (r->cs) {
		chunksort_rewind(r->cs);
		r->docs = r->mark_docs;
		r->pages = r->mark_pages;
		return 0;
	}
	lzio_writer_free(r->w);
	r->w = NULL;
	if (ftruncate(fd, r->mark_off) != 0 || lseek(fd, r->mark_off, SEEK_SET) != r->mark_off)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_IO, "%s: %s", publish_temp_path(r->pub), strerror(errno));
	r->w = lzio_writer_new(fd, 1, 0);
	if (!r->w)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	r->docs = r->mark_docs;
	r->pages = r->mark_pages;
	return 0;
}

/* One pass over the whole chunk on a new PIT: pages until one is shorter
 * than the page size, each after the last hit's sort values of the one
 * before.  The sort ends in _shard_doc, unique across shards, so no
 * document is skipped or repeated; a lost page is asked again unchanged. */
static int pit_attempt(struct run *r)
{
	char path[1024], sort[1200], tfq[1024];
	const char *tf = query_time_field(r->q);
	char *filter = query_filter_json(r->q, r->sp->from, r->sp->to);
	const char *src = query_source_json(r->q);
	char *body = NULL;
	int rc;
	r->docs = r->pages = 0;
	r->total = -1;
	r->mark_off = 0;
	r->mark_docs = r->mark_pages = r->bytes_done = 0;
	free(r->after);
	r->after = NULL;
	if (!filter || !search_json_quote(tfq, sizeof tfq, tf, strlen(tf)) ||
	    !engine_pit_sort(r->e, tfq, 0, sort, sizeof sort)) {
		rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory, or time field too long");
		goto out;
	}
	engine_pit_search_path(r->e, NULL, path, sizeof path);
	if ((rc = pit_open(r)) != 0)
		goto out;
	for (;;) {
		body = pit_body(r, filter, src, sort);
		if (!body) {
			rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
			goto out;
		}
		rc = page(r, path, body);
		free(body);
		body = NULL;
		if (rc == LOST) {
			r->st->retries++;
			if ((rc = count_failure(r)) != 0 || (rc = pit_rewind(r)) != 0)
				goto out;
			continue;
		}
		if (rc != 0)
			goto out;
		const struct search_result *res = search_result(r->parser);
		if (r->total < 0) {
			rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_VERIFY, "the server sent no hits.total");
			goto out;
		}
		if ((int64_t)r->docs > r->total) {
			rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_VERIFY, "%llu documents received, more than the server's %lld",
				         (unsigned long long)r->docs, (long long)r->total);
			goto out;
		}
		if (res->hits < (uint64_t)r->o->page_size)
			break; /* the last page; fetch_chunk ends its frame */
		if (!res->last_sort) {
			rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_SERVER, "the server sent hits without sort values");
			goto out;
		}
		char *a = strdup(res->last_sort);
		if (!a) {
			rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
			goto out;
		}
		free(r->after);
		r->after = a;
		if ((rc = pit_mark(r)) != 0)
			goto out;
	}
	if ((int64_t)r->docs != r->total) {
		rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_VERIFY, "%llu documents received, the server counted %lld",
			         (unsigned long long)r->docs, (long long)r->total);
	}
out:
	free(filter);
	return rc;
}

/* chunksort_finish's output: the chunk file, and its column statistics
 * in the file's order.  A statistics failure leaves its reason in r->err
 * for fetch_chunk, which puts what failed in front. */
static int write_line(const char *line, size_t len, const jkey_val *keys, void *ud)
{
	struct run *r = ud;
	if (lzio_write(r->w, line, len) != 0 || lzio_write(r->w, "\n", 1) != 0) {
		r->out_errno = errno ? errno : EIO;
		return -1;
	}
	if (colstats_add_line(r->stats, line, len, keys, r->err, r->errlen) != 0) {
		r->out_errno = 0;
		return -1;
	}
	return 0;
}

/* --no-sort: the column statistics of the finished temporary file, read
 * back (its lines were written as they came, a lost PIT page included
 * until it was cut off); unkeyed, the lines are not in time order.
 * Returns 0 or an exit code with ERR set. */
static int stats_from_file(struct run *r)
{
	char *line;
	size_t len;
	int st, rc = 0;
	lzio_reader *rd = lzio_open(publish_temp_path(r->pub), (size_t)512 << 20);
	if (!rd)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_IO, "%s: %s",
				   publish_temp_path(r->pub), strerror(errno));
	while ((st = lzio_getline(rd, &line, &len, r->err, r->errlen)) == LZIO_LINE)
		if (colstats_add_line(r->stats, line, len, NULL, r->err, r->errlen) != 0) {
			rc = errbuf_prefix(r->err, r->errlen, OSDL_EXIT_FAIL, "column statistics: ");
			break;
		}
	if (!rc && st != LZIO_EOF)
		rc = errbuf_prefix(r->err, r->errlen, st == LZIO_ERR_NOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_IO,
				   "reading back %s: ", publish_temp_path(r->pub));
	lzio_close(rd);
	return rc;
}

static char *meta_json(const struct run *r, double seconds)
{
	char spec[SPEC_INDEX_MAX + 128], qspec[6 * sizeof spec + 3], eng[6 * 64 + 3], at[40];
	size_t n = 4096;
	char *m = malloc(n);
	if (!m)
		return NULL;
	if (!spec_format(r->sp, spec, sizeof spec))
		spec[0] = '\0';
	search_json_quote(qspec, sizeof qspec, spec, strlen(spec));
	search_json_quote(eng, sizeof eng, r->e->name, strlen(r->e->name));
	log_now_iso(at, sizeof at);
	const struct fetch_stats *st = r->st;
	snprintf(m, n, "{\"spec\":%s,\"docs\":%llu,\"server_total\":%lld,\"bytes\":%llu,"
		 "\"compressed_bytes\":%llu,\"pages\":%llu,\"retries\":%llu,\"restarts\":%llu,"
		 "\"seconds\":%.3f,\"peak_rss_kb\":%ld,\"method\":\"%s\",\"engine\":%s,"
		 "\"fetched_at\":\"%s\"}",
		 qspec, (unsigned long long)st->docs, (long long)st->server_total,
		 (unsigned long long)st->bytes, (unsigned long long)st->compressed_bytes,
		 (unsigned long long)st->pages, (unsigned long long)st->retries,
		 (unsigned long long)st->restarts, seconds, log_peak_rss_kb(),
		 engine_method_name(r->e->method), eng, at);
	size_t slen, mlen = strlen(m);
	char *cs = colstats_json(r->stats, &slen);
	char *all = cs ? realloc(m, mlen + slen + 16) : NULL;
	if (!all) {
		free(cs);
		free(m);
		return NULL;
	}
	/* ..."fetched_at":"..."} becomes ...,"colstats":{...}} */
	snprintf(all + mlen - 1, slen + 17, ",\"colstats\":%s}", cs);
	free(cs);
	return all;
}

struct fetch {
	http *h;
	const query *q;
	struct fetch_opts o;     /* defaults filled in */
	struct engine engine;
	int engine_known;
	tmpdir *spill;           /* made by the first chunk that spills */
};

fetch *fetch_new(http *h, const query *q, const struct fetch_opts *o)
{
	fetch *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->h = h;
	f->q = q;
	f->o = *o;
	if (!f->o.cache_dir)
		f->o.cache_dir = ".";
	if (f->o.page_size <= 0)
		f->o.page_size = FETCH_PAGE_DEFAULT;
	if (!f->o.keep_alive)
		f->o.keep_alive = "2m";
	if (f->o.max_failures == 0)
		f->o.max_failures = 8;
	else if (f->o.max_failures < 0)
		f->o.max_failures = 0;
	return f;
}

void fetch_free(fetch *f)
{
	if (!f)
		return;
	tmpdir_free(f->spill);
	free(f);
}

int fetch_chunk(fetch *f, const struct spec *sp, char *path, size_t pathlen,
		struct fetch_stats *st, char *err, size_t errlen)
{
	struct fetch_opts o = f->o;
	http *h = f->h;
	const query *q = f->q;
	struct engine *engine_cache = &f->engine;
	struct run r = { 0 };
	int rc = OSDL_EXIT_FAIL;
	char *meta = NULL;
	double t0 = log_now_s();
	memset(st, 0, sizeof *st);
	st->server_total = -1;
	if (!spec_chunk_path(o.cache_dir, query_fingerprint(q), sp, path, pathlen))
		return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "cache path too long");
	if (!o.force && publish_exists(path)) {
		st->cached = 1;
		return 0;
	}
	r.h = h;
	r.e = engine_cache;
	r.q = q;
	r.sp = sp;
	r.o = &o;
	r.st = st;
	r.err = err;
	r.errlen = errlen;
	/* Local trouble (no space, no permission) shows before any request. */
	r.pub = publish_begin(path, err, errlen);
	if (!r.pub)
		return OSDL_EXIT_IO;
	if (!f->engine_known) {
		struct http_resp resp;
		int erc = engine_detect(h, engine_cache, &resp);
		if (erc != 0) {
			errbuf_fail(err, errlen, -1, "%s", resp.err);
			rc = erc;
			goto out;
		}
		if (engine_choose_method(engine_cache, (enum engine_want)o.method, err, errlen) != 0) {
			rc = OSDL_EXIT_USAGE;
			goto out;
		}
		f->engine_known = 1;
		log_msg(LOG_DETAILED, "%s at %s: method %s%s", engine_cache->name, http_base_url(h),
			engine_method_name(engine_cache->method),
			engine_cache->method == ENGINE_PIT && !engine_cache->pit_verified
				? " (PIT on this engine was not verified by osdl's tests)" : "");
	}
	r.parser = search_new(emit_doc, &r, 0);
	r.stats = colstats_new(COLSTATS_CATEGORY_MAX);
	if (query_sorted(q)) {
		struct chunksort_opts co = { query_time_field(q), o.memory, &f->spill, o.tmpdir, 0,
					     engine_cache->method == ENGINE_PIT };
		r.cs = chunksort_new(&co);
	}
	if (!r.parser || !r.stats || (query_sorted(q) && !r.cs)) {
		errbuf_fail(err, errlen, -1, "out of memory");
		goto out;
	}
	for (;;) {
		r.w = lzio_writer_new(publish_fd(r.pub), 1, 0);
		if (!r.w) {
			rc = OSDL_EXIT_FAIL;
			errbuf_fail(err, errlen, -1, "out of memory");
			goto out;
		}
		rc = r.e->method == ENGINE_PIT ? pit_attempt(&r) : scroll_attempt(&r);
		clear_ctx(&r);
		if (rc != RESTART)
			break;
		if (r.pages > 0)
			st->restarts++;
		else
			st->retries++;
		lzio_writer_free(r.w);
		r.w = NULL;
		if (r.cs)
			chunksort_reset(r.cs);
		log_msg(LOG_EXTRA, "start the chunk over on a new %s",
			r.e->method == ENGINE_PIT ? "point in time" : "scroll");
		if ((rc = count_failure(&r)) != 0)
			goto out;
		if (publish_truncate(r.pub) != 0) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", publish_temp_path(r.pub), strerror(errno));
			goto out;
		}
	}
	if (rc != 0)
		goto out;
	if (sig_caught()) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_SIGNAL, "interrupted by signal %d", sig_caught());
		goto out;
	}
	if (r.cs) {
		double ts = log_now_s();
		struct chunksort_stats cst;
		if ((rc = chunksort_finish(r.cs, write_line, &r, err, errlen)) != 0) {
			/* -1: write_line failed: a write (out_errno), or the
			 * column statistics, whose reason it left in r.err. */
			if (rc < 0 && !r.out_errno) {
				rc = errbuf_prefix(err, errlen, OSDL_EXIT_FAIL, "column statistics: ");
			} else if (rc < 0) {
				rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "writing %s: %s", publish_temp_path(r.pub),
					         strerror(r.out_errno));
			} else { /* bad data is the server's documents', as in page() */
				rc = errbuf_prefix(err, errlen, rc == OSDL_EXIT_DATA ? OSDL_EXIT_SERVER : rc,
						   "sorting the chunk: ");
			}
			goto out;
		}
		chunksort_stats(r.cs, &cst);
		log_msg(LOG_EXTRA, "sorted %llu docs locally in %.3fs (%llu runs spilled, %llu bytes, "
			"%llu merge passes)", (unsigned long long)cst.lines, log_now_s() - ts,
			(unsigned long long)cst.runs, (unsigned long long)cst.spilled_bytes,
			(unsigned long long)cst.passes);
	}
	if (lzio_finish(r.w) != 0) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "writing %s: %s", publish_temp_path(r.pub), strerror(errno));
		goto out;
	}
	if (!r.cs && (rc = stats_from_file(&r)) != 0)
		goto out;
	st->docs = r.docs;
	st->server_total = r.total;
	st->bytes = r.bytes_done + lzio_written(r.w);
	st->pages = r.pages;
	off_t end = lseek(publish_fd(r.pub), 0, SEEK_CUR);
	st->compressed_bytes = end > 0 ? (uint64_t)end : 0;
	st->seconds = log_now_s() - t0;
	meta = meta_json(&r, st->seconds);
	if (!meta) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	rc = publish_commit(r.pub, meta, err, errlen) == 0 ? 0 : OSDL_EXIT_IO;
	r.pub = NULL;
out:
	st->seconds = log_now_s() - t0;
	if (r.ctx_id)
		clear_ctx(&r);
	publish_abort(r.pub);
	free(r.after);
	lzio_writer_free(r.w);
	search_free(r.parser);
	chunksort_free(r.cs);
	colstats_free(r.stats);
	free(meta);
	return rc;
}
