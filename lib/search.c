/* search.c - streaming yajl parser of search/scroll responses, see search.h. */
#include "search.h"

#include "errbuf.h"
#include "osdl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define ROLE_DEPTH 8           /* the response structure we track is shallow */
#define ID_MAX 4096            /* _id is at most 512 bytes, _index 255 */
#define TEXT_MAX 512           /* kept failure type/reason */
#define SORT_MAX (64 * 1024)   /* one hit's raw "sort" array text */
#define PREFIX_MAX (2 * (6 * ID_MAX + 3) + 32)

/* What the container (or value) at one level of the response is. */
enum role {
	R_NONE, R_ROOT, R_HITS, R_TOTAL, R_HITARRAY, R_HIT, R_SHARDS, R_FAILURES,
	R_FAILURE, R_FREASON, R_ERROR
};

struct search_parser {
	yajl_handle y;
	search_emit emit;
	void *ud;
	size_t max_doc;

	enum role role[ROLE_DEPTH];
	int depth;              /* number of entries in role[] */
	char key[64];           /* last map key at the current level (truncated) */
	long skip;              /* > 0: inside _source, sort or an ignored value */
	int in_source;          /* the skipped value is the hit's _source */
	int in_sort;            /* the skipped value is the hit's sort array */

	/* the current feed buffer, for raw copies */
	const char *buf;
	size_t buf_start;       /* where the _source copy continues in buf */

	/* current hit */
	char id[ID_MAX], index[ID_MAX];
	size_t idlen, indexlen;
	int has_id, has_index, has_source, source_members;
	char *doc;              /* _source members, then "}\n" */
	size_t doclen, doccap, max_seen;
	/* The current hit's raw sort array, and the last emitted hit's (the
	 * search_after of the next page); swapped, never accumulated. */
	char *sort, *last_sort;
	size_t sortlen, sortcap, last_sortlen, last_sortcap;
	int has_sort;

	char *scroll_id;
	size_t scroll_cap;
	char fail_type[TEXT_MAX], fail_reason[TEXT_MAX];
	int have_fail;
	struct search_result res;
	int emit_failed;
	/* Why a yajl callback stopped the parse (static text, NULL if none
	 * did): search_feed and search_finish give it to the caller. */
	const char *stop;
	char prefix[PREFIX_MAX];
};

size_t search_json_quote(char *buf, size_t n, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;
	if (n < 3)
		return 0;
	buf[k++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (k + 7 >= n)
			return 0;
		if (c == '"' || c == '\\') {
			buf[k++] = '\\';
			buf[k++] = (char)c;
		} else if (c < 0x20) {
			buf[k++] = '\\';
			switch (c) {
			case '\n': buf[k++] = 'n'; break;
			case '\r': buf[k++] = 'r'; break;
			case '\t': buf[k++] = 't'; break;
			default:
				buf[k++] = 'u';
				buf[k++] = '0';
				buf[k++] = '0';
				buf[k++] = hex[c >> 4];
				buf[k++] = hex[c & 15];
			}
		} else {
			buf[k++] = (char)c;
		}
	}
	buf[k++] = '"';
	buf[k] = '\0';
	return k;
}

/* MSG must be static text: it outlives the callback. */
static int fail(search_parser *p, const char *msg)
{
	p->stop = msg;
	return 0; /* yajl: stop */
}

/* Appends raw _source bytes, CR/LF made spaces (only whitespace can hold
 * them), and so \f and \v, which yajl takes for whitespace and JSON, osmerge
 * and osdown do not (found by tests/fuzz/search). */
static int doc_append(search_parser *p, const char *s, size_t n)
{
	if (p->doclen + n + 2 > p->doccap) {
		if (p->doclen + n + 2 > p->max_doc)
			return -1;
		size_t cap = p->doccap ? p->doccap : 64 * 1024;
		while (cap < p->doclen + n + 2)
			cap *= 2;
		if (cap > p->max_doc + 2)
			cap = p->max_doc + 2;
		char *d = realloc(p->doc, cap);
		if (!d)
			return -1;
		p->doc = d;
		p->doccap = cap;
	}
	char *dst = p->doc + p->doclen;
	memcpy(dst, s, n);
	for (char *q = dst, *end = dst + n; (q = memchr(q, '\n', (size_t)(end - q))); q++)
		*q = ' ';
	for (char *q = dst, *end = dst + n; (q = memchr(q, '\r', (size_t)(end - q))); q++)
		*q = ' ';
	for (char *q = dst, *end = dst + n; (q = memchr(q, '\f', (size_t)(end - q))); q++)
		*q = ' ';
	for (char *q = dst, *end = dst + n; (q = memchr(q, '\v', (size_t)(end - q))); q++)
		*q = ' ';
	p->doclen += n;
	return 0;
}

/* Appends raw sort bytes exactly as sent (numbers stay text: _shard_doc
 * and date_nanos values exceed 2^53). */
static int sort_append(search_parser *p, const char *s, size_t n)
{
	if (p->sortlen + n + 1 > p->sortcap) {
		if (p->sortlen + n + 1 > SORT_MAX)
			return -1;
		size_t cap = p->sortcap ? p->sortcap : 256;
		while (cap < p->sortlen + n + 1)
			cap *= 2;
		char *d = realloc(p->sort, cap);
		if (!d)
			return -1;
		p->sort = d;
		p->sortcap = cap;
	}
	memcpy(p->sort + p->sortlen, s, n);
	p->sortlen += n;
	p->sort[p->sortlen] = '\0';
	return 0;
}

/* Role of a value that starts now, from its parent and the key. */
static enum role child_role(const search_parser *p)
{
	enum role parent = p->depth ? p->role[p->depth - 1] : R_NONE;
	const char *k = p->key;
	switch (parent) {
	case R_NONE: return R_ROOT;
	case R_ROOT:
		if (strcmp(k, "hits") == 0) return R_HITS;
		if (strcmp(k, "_shards") == 0) return R_SHARDS;
		if (strcmp(k, "error") == 0) return R_ERROR;
		return R_NONE;
	case R_HITS:
		if (strcmp(k, "total") == 0) return R_TOTAL;
		if (strcmp(k, "hits") == 0) return R_HITARRAY;
		return R_NONE;
	case R_HITARRAY: return R_HIT;
	case R_SHARDS: return strcmp(k, "failures") == 0 ? R_FAILURES : R_NONE;
	case R_FAILURES: return R_FAILURE;
	case R_FAILURE: return strcmp(k, "reason") == 0 ? R_FREASON : R_NONE;
	default: return R_NONE;
	}
}

static void keep_text(char *dst, const unsigned char *s, size_t len)
{
	if (len >= TEXT_MAX)
		len = TEXT_MAX - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int on_scalar(search_parser *p, const unsigned char *s, size_t len, int is_str)
{
	if (p->skip)
		return 1;
	enum role r = p->depth ? p->role[p->depth - 1] : R_NONE;
	const char *k = p->key;
	switch (r) {
	case R_ROOT:
		if (is_str && (strcmp(k, "_scroll_id") == 0 || strcmp(k, "pit_id") == 0)) {
			if (len + 1 > p->scroll_cap) {
				char *id = realloc(p->scroll_id, len + 1);
				if (!id)
					return fail(p, "out of memory");
				p->scroll_id = id;
				p->scroll_cap = len + 1;
			}
			memcpy(p->scroll_id, s, len);
			p->scroll_id[len] = '\0';
			p->res.scroll_id = p->scroll_id;
		} else if (strcmp(k, "error") == 0 && is_str) {
			p->res.is_error = 1;
			if (!p->have_fail) {
				keep_text(p->fail_reason, s, len);
				p->have_fail = 1;
			}
		}
		break;
	case R_HITS:
		if (!is_str && strcmp(k, "total") == 0) {
			p->res.total = strtoll((const char *)s, NULL, 10);
			p->res.total_eq = 1;
		}
		break;
	case R_TOTAL:
		if (!is_str && strcmp(k, "value") == 0)
			p->res.total = strtoll((const char *)s, NULL, 10);
		else if (is_str && strcmp(k, "relation") == 0)
			p->res.total_eq = len == 2 && memcmp(s, "eq", 2) == 0;
		break;
	case R_HIT:
		if (is_str && strcmp(k, "_id") == 0) {
			if (len >= ID_MAX)
				return fail(p, "_id too long");
			memcpy(p->id, s, len);
			p->idlen = len;
			p->has_id = 1;
		} else if (is_str && strcmp(k, "_index") == 0) {
			if (len >= ID_MAX)
				return fail(p, "_index too long");
			memcpy(p->index, s, len);
			p->indexlen = len;
			p->has_index = 1;
		}
		break;
	case R_SHARDS:
		if (!is_str && strcmp(k, "failed") == 0)
			p->res.shards_failed = strtoll((const char *)s, NULL, 10);
		break;
	case R_ERROR:
	case R_FREASON:
		/* The first type/reason pair is the most specific one we get. */
		if (is_str && strcmp(k, "type") == 0 && !p->fail_type[0])
			keep_text(p->fail_type, s, len);
		else if (is_str && strcmp(k, "reason") == 0 && !p->fail_reason[0])
			keep_text(p->fail_reason, s, len);
		break;
	case R_FAILURE:
		if (is_str && strcmp(k, "reason") == 0 && !p->fail_reason[0])
			keep_text(p->fail_reason, s, len);
		break;
	default:
		break;
	}
	if (r == R_ROOT && strcmp(k, "timed_out") == 0 && !is_str && len == 4 && memcmp(s, "true", 4) == 0)
		p->res.timed_out = 1;
	return 1;
}

static int cb_null(void *ud) { return on_scalar(ud, (const unsigned char *)"null", 4, 0); }
static int cb_bool(void *ud, int b)
{
	return on_scalar(ud, (const unsigned char *)(b ? "true" : "false"), b ? 4 : 5, 0);
}
static int cb_number(void *ud, const char *s, size_t len)
{
	search_parser *p = ud;
	if (p->skip)
		return 1;
	char num[64];
	if (len >= sizeof num)
		len = sizeof num - 1;
	memcpy(num, s, len);
	num[len] = '\0'; /* yajl's number text is not NUL-terminated */
	return on_scalar(p, (const unsigned char *)num, len, 0);
}
static int cb_string(void *ud, const unsigned char *s, size_t len) { return on_scalar(ud, s, len, 1); }

static int cb_key(void *ud, const unsigned char *s, size_t len)
{
	search_parser *p = ud;
	if (p->skip) {
		if (p->in_source && p->skip == 1)
			p->source_members++;
		return 1;
	}
	if (len >= sizeof p->key)
		len = sizeof p->key - 1; /* long keys are never ours */
	memcpy(p->key, s, len);
	p->key[len] = '\0';
	return 1;
}

static int push(search_parser *p, enum role r)
{
	if (p->depth >= ROLE_DEPTH)
		return fail(p, "response nested too deeply");
	p->role[p->depth++] = r;
	p->key[0] = '\0';
	return 1;
}

static int start_value(search_parser *p, int is_map)
{
	if (p->skip) {
		/* The _source is level 1, as the line object it becomes. */
		if (p->in_source && p->skip >= OSDL_MAX_DEPTH)
			return fail(p, "document nested deeper than the limit of " OSDL_MAX_DEPTH_TEXT " levels");
		p->skip++;
		return 1;
	}
	enum role r = child_role(p);
	enum role parent = p->depth ? p->role[p->depth - 1] : R_NONE;
	if (parent == R_HIT && is_map && strcmp(p->key, "_source") == 0) {
		/* The '{' is the byte just before the parse position. */
		p->skip = 1;
		p->in_source = 1;
		p->has_source = 1;
		p->source_members = 0;
		p->doclen = 0;
		p->buf_start = yajl_get_bytes_consumed(p->y);
		return 1;
	}
	if (parent == R_HIT && !is_map && strcmp(p->key, "sort") == 0) {
		/* Kept from the '[' (the byte just before the parse position). */
		p->skip = 1;
		p->in_source = 0;
		p->in_sort = 1;
		p->has_sort = 1;
		p->sortlen = 0;
		p->buf_start = yajl_get_bytes_consumed(p->y) - 1;
		return 1;
	}
	if (r == R_NONE) {
		p->skip = 1;
		p->in_source = 0;
		p->in_sort = 0;
		return 1;
	}
	if (r == R_HIT) {
		p->has_id = p->has_index = p->has_source = p->has_sort = 0;
		p->source_members = 0;
		p->doclen = 0;
	}
	return push(p, r);
}

static int emit_hit(search_parser *p)
{
	size_t k = (size_t)snprintf(p->prefix, sizeof p->prefix, "{\"_id\":");
	k += search_json_quote(p->prefix + k, sizeof p->prefix - k, p->id, p->idlen);
	k += (size_t)snprintf(p->prefix + k, sizeof p->prefix - k, ",\"_index\":");
	k += search_json_quote(p->prefix + k, sizeof p->prefix - k, p->index, p->indexlen);
	if (p->has_source && p->source_members)
		p->prefix[k++] = ',';
	else
		p->doclen = 0; /* "{ }" or no _source: nothing to add */
	if (doc_append(p, "}", 1) != 0)
		return fail(p, "out of memory");
	p->doc[p->doclen++] = '\n'; /* doc_append keeps room for it */
	p->res.hits++;
	if (p->has_sort) {
		/* Swap: the last hit's sort survives, the buffer is reused. */
		char *t = p->last_sort;
		size_t tc = p->last_sortcap;
		p->last_sort = p->sort;
		p->last_sortcap = p->sortcap;
		p->last_sortlen = p->sortlen;
		p->sort = t;
		p->sortcap = tc;
		p->sortlen = 0;
	} else {
		p->last_sortlen = 0;
	}
	p->res.last_sort = p->last_sortlen ? p->last_sort : NULL;
	p->res.last_sort_len = p->last_sortlen;
	if (p->emit(p->prefix, k, p->doc, p->doclen, p->ud) != 0) {
		p->emit_failed = 1;
		return fail(p, "output failed");
	}
	return 1;
}

static int end_value(search_parser *p)
{
	if (p->skip) {
		if (--p->skip == 0 && p->in_source) {
			/* Copy up to, not including, the closing '}'. */
			size_t end = yajl_get_bytes_consumed(p->y) - 1;
			if (doc_append(p, p->buf + p->buf_start, end - p->buf_start) != 0)
				return fail(p, "document larger than the limit, or out of memory");
			if (p->doclen > p->max_seen)
				p->max_seen = p->doclen;
			p->in_source = 0;
		} else if (p->skip == 0 && p->in_sort) {
			/* Up to and including the closing ']'. */
			size_t end = yajl_get_bytes_consumed(p->y);
			if (sort_append(p, p->buf + p->buf_start, end - p->buf_start) != 0)
				return fail(p, "sort values too long, or out of memory");
			p->in_sort = 0;
		}
		return 1;
	}
	if (p->depth == 0)
		return fail(p, "unbalanced JSON");
	enum role r = p->role[--p->depth];
	p->key[0] = '\0';
	if (r == R_HIT) {
		if (!p->has_id || !p->has_index)
			return fail(p, "hit without _id or _index");
		return emit_hit(p);
	}
	if (r == R_ERROR)
		p->res.is_error = 1;
	if (r == R_FREASON || r == R_FAILURE)
		p->have_fail = 1;
	return 1;
}

static int cb_start_map(void *ud) { return start_value(ud, 1); }
static int cb_end_map(void *ud) { return end_value(ud); }
static int cb_start_array(void *ud) { return start_value(ud, 0); }
static int cb_end_array(void *ud) { return end_value(ud); }

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_key, cb_end_map, cb_start_array, cb_end_array
};

search_parser *search_new(search_emit emit, void *ud, size_t max_doc)
{
	search_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->emit = emit;
	p->ud = ud;
	p->max_doc = max_doc ? max_doc : OSDL_MAX_DOC;
	if (search_reset(p) != 0) {
		search_free(p);
		return NULL;
	}
	return p;
}

void search_free(search_parser *p)
{
	if (!p)
		return;
	if (p->y)
		yajl_free(p->y);
	free(p->doc);
	free(p->sort);
	free(p->last_sort);
	free(p->scroll_id);
	free(p);
}

int search_reset(search_parser *p)
{
	if (p->y)
		yajl_free(p->y);
	p->y = yajl_alloc(&callbacks, NULL, p);
	if (!p->y)
		return -1;
	/* The server sends UTF-8; checking it again costs ~10% of the parse. */
	yajl_config(p->y, yajl_dont_validate_strings, 1);
	p->depth = 0;
	p->skip = 0;
	p->in_source = 0;
	p->in_sort = 0;
	p->has_sort = 0;
	p->key[0] = '\0';
	p->doclen = 0;
	p->sortlen = p->last_sortlen = 0;
	p->fail_type[0] = p->fail_reason[0] = '\0';
	p->have_fail = 0;
	p->emit_failed = 0;
	p->stop = NULL;
	memset(&p->res, 0, sizeof p->res);
	p->res.total = -1;
	p->res.fail_type = p->fail_type;
	p->res.fail_reason = p->fail_reason;
	return 0;
}

int search_feed(search_parser *p, const char *buf, size_t n, char *err, size_t errlen)
{
	p->buf = buf;
	p->buf_start = 0;
	yajl_status st = yajl_parse(p->y, (const unsigned char *)buf, n);
	if (st != yajl_status_ok) {
		if (p->emit_failed)
			return -1; /* the callback knows why, and may have said so in ERR */
		if (p->stop)
			return errbuf_fail(err, errlen, -1, "%s", p->stop);
		unsigned char *e = yajl_get_error(p->y, 0, NULL, 0);
		const char *m = e ? (const char *)e : "parse error";
		errbuf_fail(err, errlen, -1, "invalid JSON in response: %.*s", (int)strcspn(m, "\r\n"), m);
		if (e)
			yajl_free_error(p->y, e);
		return -1;
	}
	/* A _source or sort continuing into the next buffer: keep what we have. */
	if (p->in_source && doc_append(p, buf + p->buf_start, n - p->buf_start) != 0) {
		fail(p, "document larger than the limit, or out of memory");
		return errbuf_fail(err, errlen, -1, "%s", p->stop);
	}
	if (p->in_sort && sort_append(p, buf + p->buf_start, n - p->buf_start) != 0) {
		fail(p, "sort values too long, or out of memory");
		return errbuf_fail(err, errlen, -1, "%s", p->stop);
	}
	p->buf = NULL;
	return 0;
}

int search_finish(search_parser *p, char *err, size_t errlen)
{
	if (p->emit_failed)
		return -1; /* as in search_feed */
	if (yajl_complete_parse(p->y) != yajl_status_ok || p->depth != 0 || p->skip != 0)
		return errbuf_fail(err, errlen, -1, "%s",
		                   p->stop ? p->stop : "truncated response (incomplete JSON)");
	return 0;
}

const struct search_result *search_result(const search_parser *p) { return &p->res; }
int search_emit_failed(const search_parser *p) { return p->emit_failed; }
size_t search_max_doc_seen(const search_parser *p) { return p->max_seen; }
