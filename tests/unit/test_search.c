/* test_search.c - the streaming search-response parser, fed in every split. */
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "osdl.h"
#include "unit.h"

struct out {
	char buf[65536];
	size_t len;
	int fail_after; /* emit fails on this document (1-based), 0: never */
	int n;
};

static char err[256];

/* Fails on document o->fail_after, with its reason in ERR (as fetch's
 * callback leaves chunksort's reason in fetch's buffer). */
static int collect(const char *prefix, size_t plen, const char *body, size_t blen, void *ud)
{
	struct out *o = ud;
	if (o->fail_after && ++o->n >= o->fail_after) {
		snprintf(err, sizeof err, "the callback's own reason");
		return -1;
	}
	if (o->len + plen + blen >= sizeof o->buf)
		return -1;
	memcpy(o->buf + o->len, prefix, plen);
	memcpy(o->buf + o->len + plen, body, blen);
	o->len += plen + blen;
	o->buf[o->len] = '\0';
	return 0;
}

static const char resp1[] =
	"{\"_scroll_id\":\"SCR0LL==\",\"timed_out\":false,\"_shards\":{\"total\":3,\"failed\":0},"
	"\"hits\":{\"total\":{\"value\":5,\"relation\":\"eq\"},\"hits\":["
	"{\"_index\":\"logs-1\",\"_id\":\"a\",\"_source\":{\"@timestamp\":\"2024-03-01T00:00:00Z\",\"n\":1}},"
	"{\"_index\":\"logs-1\",\"_id\":\"b\\\"q\",\"_source\":{ \"s\" : \"}{\\\"]\" ,\n"
	"  \"o\":{\"x\":[1,{\"y\":null}]},\r\n \"u\":\"\\u00e9\xc3\xa9\" }},"
	"{\"_source\":{\"late\":true},\"_id\":\"c\",\"_index\":\"logs-2\",\"sort\":[1,2]},"
	"{\"_index\":\"logs-2\",\"_id\":\"d\",\"_source\":{}},"
	"{\"_index\":\"logs-2\",\"_id\":\"e\"}"
	"]}}";

static const char want1[] =
	"{\"_id\":\"a\",\"_index\":\"logs-1\",\"@timestamp\":\"2024-03-01T00:00:00Z\",\"n\":1}\n"
	"{\"_id\":\"b\\\"q\",\"_index\":\"logs-1\", \"s\" : \"}{\\\"]\" ,   \"o\":{\"x\":[1,{\"y\":null}]},   \"u\":\"\\u00e9\xc3\xa9\" }\n"
	"{\"_id\":\"c\",\"_index\":\"logs-2\",\"late\":true}\n"
	"{\"_id\":\"d\",\"_index\":\"logs-2\"}\n"
	"{\"_id\":\"e\",\"_index\":\"logs-2\"}\n";

/* The last failed parse's reason: ERR, above. */

/* Parses TEXT fed in pieces of STEP bytes (0: split once at SPLIT). */
static int parse(search_parser *p, const char *text, size_t step, size_t split)
{
	size_t n = strlen(text);
	err[0] = '\0';
	if (search_reset(p) != 0)
		return -1;
	if (step == 0) {
		if (search_feed(p, text, split, err, sizeof err) != 0 ||
		    search_feed(p, text + split, n - split, err, sizeof err) != 0)
			return -1;
	} else {
		for (size_t i = 0; i < n; i += step) {
			/* A private copy per piece: the parser must not keep pointers. */
			size_t k = n - i < step ? n - i : step;
			char *piece = malloc(k);
			memcpy(piece, text + i, k);
			int rc = search_feed(p, piece, k, err, sizeof err);
			memset(piece, 'X', k);
			free(piece);
			if (rc != 0)
				return -1;
		}
	}
	return search_finish(p, err, sizeof err);
}

int main(void)
{
	struct out o = { .len = 0 };
	search_parser *p = search_new(collect, &o, 0);
	test_cond("search_new", p != NULL);

	int all_ok = 1;
	for (size_t split = 0; split <= strlen(resp1); split++) {
		o.len = 0;
		o.buf[0] = '\0';
		if (parse(p, resp1, 0, split) != 0 || strcmp(o.buf, want1) != 0) {
			all_ok = 0;
			printf("# split at %zu: got\n%s", split, o.buf);
			break;
		}
	}
	test_cond("every two-piece split gives the same lines", all_ok);
	all_ok = 1;
	for (size_t step = 1; step <= 7; step++) {
		o.len = 0;
		if (parse(p, resp1, step, 0) != 0 || strcmp(o.buf, want1) != 0)
			all_ok = 0;
	}
	test_cond("pieces of 1..7 bytes give the same lines", all_ok);
	const struct search_result *r = search_result(p);
	test_cond("scroll id", r->scroll_id && strcmp(r->scroll_id, "SCR0LL==") == 0);
	test_cond("total and relation", r->total == 5 && r->total_eq == 1);
	test_cond("hits counted", r->hits == 5);
	test_cond("no shard failure", r->shards_failed == 0 && !r->timed_out && !r->is_error);

	test_cond("no sort on the last hit: none kept", r->last_sort == NULL);

	/* PIT page: the last hit's sort array as raw text in every split. */
	static const char pit[] =
		"{\"pit_id\":\"P1T==\",\"hits\":{\"hits\":["
		"{\"_index\":\"i\",\"_id\":\"a\",\"sort\":[1709251200000,0],\"_source\":{\"n\":1}},"
		"{\"_index\":\"i\",\"_id\":\"b\",\"_source\":{\"n\":2},\"sort\":[ 1709251200000 , \"k]\\\"x\",\n 18446744073709551615 ]}"
		"]}}";
	static const char pit_sort[] = "[ 1709251200000 , \"k]\\\"x\",\n 18446744073709551615 ]";
	all_ok = 1;
	for (size_t split = 0; split <= strlen(pit); split++) {
		o.len = 0;
		if (parse(p, pit, 0, split) != 0 || !r->last_sort || strcmp(r->last_sort, pit_sort) != 0 ||
		    r->last_sort_len != strlen(pit_sort) || strcmp(r->scroll_id, "P1T==") != 0) {
			all_ok = 0;
			printf("# split at %zu: sort %s\n", split, r->last_sort ? r->last_sort : "(none)");
			break;
		}
	}
	test_cond("last hit's raw sort text (big numbers untouched), every split", all_ok);
	all_ok = 1;
	for (size_t step = 1; step <= 5; step++) {
		o.len = 0;
		if (parse(p, pit, step, 0) != 0 || !r->last_sort || strcmp(r->last_sort, pit_sort) != 0)
			all_ok = 0;
	}
	test_cond("raw sort text in pieces of 1..5 bytes", all_ok);
	test_cond("sort does not leak into the document", strstr(o.buf, "sort") == NULL &&
		  strstr(o.buf, "{\"_id\":\"b\",\"_index\":\"i\",\"n\":2}\n") != NULL);
	test_cond("a new response forgets the last sort",
		  parse(p, "{\"hits\":{\"hits\":[]}}", 3, 0) == 0 && r->last_sort == NULL);

	/* Without filter_path: every member a hit or response may carry is
	 * skipped, including nested hits and _source-named keys elsewhere, and
	 * _source stays byte for byte (numbers the server would re-serialise). */
	static const char full[] =
		"{\"_scroll_id\":\"S\",\"took\":75,\"timed_out\":false,\"terminated_early\":false,"
		"\"_clusters\":{\"total\":1},\"_shards\":{\"total\":3,\"successful\":3,\"skipped\":0,\"failed\":0},"
		"\"hits\":{\"total\":{\"value\":2,\"relation\":\"eq\"},\"max_score\":null,\"hits\":["
		"{\"_index\":\"i\",\"_type\":\"_doc\",\"_id\":\"a\",\"_version\":3,\"_seq_no\":0,\"_primary_term\":1,"
		"\"_score\":null,\"_routing\":\"r\",\"_ignored\":[\"x.y\"],\"fields\":{\"_source\":[1],\"_id\":[\"no\"]},"
		"\"highlight\":{\"m\":[\"<em>x</em>\"]},"
		"\"inner_hits\":{\"n\":{\"hits\":{\"total\":{\"value\":9,\"relation\":\"eq\"},\"hits\":[{\"_index\":\"z\",\"_id\":\"no\",\"_source\":{\"q\":1}}]}}},"
		"\"_source\":{\"x\":{\"a\":1e400,\"b\":1E-400,\"c\":0.1000000000000000055511151231257827,"
		"\"d\":123456789012345678901234567890e-10,\"e\":-0,\"f\":12345678901234567890,\"g\":-0.0}},"
		"\"sort\":[0],\"_explanation\":{\"value\":1,\"details\":[]},\"_nested\":{\"field\":\"n\",\"offset\":0}},"
		"{\"_score\":1.5,\"_source\":{\"k\":[1.0E+2]},\"_index\":\"i\",\"_id\":\"b\",\"matched_queries\":[\"m\"]}"
		"],\"profile\":{\"shards\":[]}},\"aggregations\":{\"hits\":{\"hits\":{\"hits\":[]}}}}";
	static const char full_want[] =
		"{\"_id\":\"a\",\"_index\":\"i\",\"x\":{\"a\":1e400,\"b\":1E-400,\"c\":0.1000000000000000055511151231257827,"
		"\"d\":123456789012345678901234567890e-10,\"e\":-0,\"f\":12345678901234567890,\"g\":-0.0}}\n"
		"{\"_id\":\"b\",\"_index\":\"i\",\"k\":[1.0E+2]}\n";
	all_ok = 1;
	for (size_t split = 0; split <= strlen(full); split++) {
		o.len = 0;
		o.buf[0] = '\0';
		if (parse(p, full, 0, split) != 0 || strcmp(o.buf, full_want) != 0 || r->hits != 2 ||
		    r->total != 2 || !r->total_eq || strcmp(r->scroll_id, "S") != 0) {
			all_ok = 0;
			printf("# split at %zu: got\n%s", split, o.buf);
			break;
		}
	}
	test_cond("unfiltered response: extra members skipped, _source verbatim, every split", all_ok);

	o.len = 0;
	test_cond("empty page", parse(p, "{\"_scroll_id\":\"x\",\"hits\":{\"total\":{\"value\":7,\"relation\":\"gte\"}}}", 3, 0) == 0 &&
		  r->hits == 0 && r->total == 7 && r->total_eq == 0 && o.len == 0);
	test_cond("total as a plain number", parse(p, "{\"hits\":{\"total\":42,\"hits\":[]}}", 1, 0) == 0 &&
		  r->total == 42 && r->total_eq == 1 && r->scroll_id == NULL);
	test_cond("shard failure reason",
		  parse(p, "{\"_shards\":{\"total\":3,\"failed\":1,\"failures\":[{\"shard\":0,\"index\":\"i\","
			   "\"reason\":{\"type\":\"query_shard_exception\",\"reason\":\"bad field\"}}]},"
			   "\"hits\":{\"total\":{\"value\":0,\"relation\":\"eq\"}}}", 5, 0) == 0 &&
		  r->shards_failed == 1 && strcmp(r->fail_type, "query_shard_exception") == 0 &&
		  strcmp(r->fail_reason, "bad field") == 0);
	test_cond("timed_out", parse(p, "{\"timed_out\":true,\"hits\":{\"hits\":[]}}", 2, 0) == 0 && r->timed_out);
	test_cond("error body",
		  parse(p, "{\"error\":{\"root_cause\":[{\"type\":\"x\",\"reason\":\"y\"}],\"type\":\"search_context_missing_exception\","
			   "\"reason\":\"No search context found\"},\"status\":404}", 4, 0) == 0 &&
		  r->is_error && strcmp(r->fail_type, "search_context_missing_exception") == 0);
	test_cond("truncated response fails at finish", parse(p, "{\"hits\":{\"hits\":[{\"_id\":\"a\",\"_index\":\"i\"}", 4, 0) != 0);
	test_cond("truncated inside _source fails",
		  parse(p, "{\"hits\":{\"hits\":[{\"_id\":\"a\",\"_index\":\"i\",\"_source\":{\"a\":\"b", 1, 0) != 0 &&
		  err[0] != '\0');
	test_cond("invalid JSON fails", parse(p, "{\"hits\":{\"hits\":[}}", 1, 0) != 0);
	test_cond("... with yajl's reason on one line in ERR",
		  strncmp(err, "invalid JSON in response: ", 26) == 0 && !strchr(err, '\n'));
	test_cond("a cut response's reason in ERR", parse(p, "{\"hits\":{\"hits\":[", 3, 0) != 0 &&
		  strcmp(err, "truncated response (incomplete JSON)") == 0);
	test_cond("hit without _id fails", parse(p, "{\"hits\":{\"hits\":[{\"_index\":\"i\"}]}}", 3, 0) != 0);
	o.fail_after = 2;
	o.n = 0;
	test_cond("emit failure stops the parse", parse(p, resp1, 64, 0) != 0 && search_emit_failed(p));
	test_cond("... and ERR keeps the callback's reason", strcmp(err, "the callback's own reason") == 0);
	search_free(p);

	o.fail_after = 0;
	p = search_new(collect, &o, 16);
	o.len = 0;
	test_cond("document over max_doc fails",
		  parse(p, "{\"hits\":{\"hits\":[{\"_id\":\"a\",\"_index\":\"i\",\"_source\":{\"a\":\"0123456789abcdef\"}}]}}", 5, 0) != 0);
	search_free(p);

	/* \f and \v between tokens (yajl's blanks, not JSON's) become spaces,
	 * as CR and LF do: osmerge and osdown take the line (tests/fuzz/search). */
	p = search_new(collect, &o, 0);
	o.len = 0;
	test_cond("form feed and vertical tab in _source become spaces",
		  parse(p, "{\"hits\":{\"hits\":[{\"_id\":\"a\",\"_index\":\"i\",\"_source\":{\f\"a\":\v1}}]}}", 7, 0) == 0 &&
			  strcmp(o.buf, "{\"_id\":\"a\",\"_index\":\"i\", \"a\": 1}\n") == 0);
	search_free(p);

	/* The one depth rule (OSDL_MAX_DEPTH): the _source is level 1. */
	p = search_new(collect, &o, 0);
	static const struct { size_t levels; int ok; } dt[] = {
		{ 600, 1 }, { OSDL_MAX_DEPTH, 1 }, { OSDL_MAX_DEPTH + 1, 0 },
	};
	for (size_t i = 0; i < sizeof dt / sizeof dt[0]; i++) {
		char d[320];
		char *js = deep_json("{\"hits\":{\"hits\":[{\"_id\":\"a\",\"_index\":\"i\",\"_source\":", dt[i].levels,
				     "}]}}");
		o.len = 0;
		int rc = parse(p, js, 4096, 0);
		snprintf(d, sizeof d, "search: _source %zu levels: %s", dt[i].levels, rc ? err : "ok");
		test_cond(d, dt[i].ok ? rc == 0 && o.len == 2 * dt[i].levels + 30 - 2
				      : rc != 0 && strstr(err, "limit"));
		free(js);
	}
	search_free(p);

	char q[64];
	test_cond("json quote escapes", search_json_quote(q, sizeof q, "a\"\\\n\x01", 5) > 0 &&
		  strcmp(q, "\"a\\\"\\\\\\n\\u0001\"") == 0);
	test_cond("json quote reports overflow", search_json_quote(q, 4, "abcd", 4) == 0);
	return test_report();
}
